//! Sessions whose network link broke: kept for a grace period, resumable with a ticket.
//!
//! While parked, the user stays online and its inbox keeps filling (peer senders are told the
//! message was stored, not received). A resume hands the inbox and the events the client had not
//! acknowledged to the new link, which replays them. When the grace period ends, the peer
//! messages still undelivered move to the offline store and the user goes offline.

use std::sync::Arc;

use super::Hub;
use super::session::Session;
use crate::protocol::CloseReason;
use crate::protocol::Event;
pub use crate::resume::ResumeError;
use crate::window::Unacked;

/// What a link leaves behind for the next one: the inbox and the events sent but not
/// acknowledged.
#[derive(Debug)]
pub struct ParkedLink {
    /// The session's inbox.
    pub inbox: super::SessionInbox,
    /// Sent events the client has not acknowledged, oldest first, numbered by `seq`.
    pub unacked: Unacked<Arc<Event>>,
}

impl ParkedLink {
    /// A fresh link state for a new session.
    pub fn new(inbox: super::SessionInbox) -> Self {
        Self { inbox, unacked: Unacked::default() }
    }
}

/// The hub's resumable sessions, each parked with its [`ParkedLink`].
pub(crate) type Parking = crate::resume::Parking<Session, ParkedLink>;

/// Events a parked session holds (sent but unacknowledged, plus queued).
pub(crate) fn pending(parking: &Parking, key: u64) -> usize {
    parking.inspect(key, |link| link.unacked.len() + link.inbox.len()).unwrap_or(0)
}

impl Hub {
    /// Waits until exactly `n` sessions are parked (for operators and tests: parking happens on a
    /// connection's task when it notices a broken socket, which no client sees).
    pub async fn parked_sessions_reach(&self, n: usize) {
        self.inner.parking.parked_reach(n).await;
    }

    /// The ticket that lets a network client resume `session`.
    #[doc(hidden)]
    pub fn ticket(&self, session: &Session) -> String {
        self.inner.parking.ticket(session)
    }

    /// Keeps a session whose link broke for the grace period. A session that has already ended
    /// is not parked: its undelivered peer messages go to the offline store at once.
    #[doc(hidden)]
    pub fn park(&self, session: &Arc<Session>, link: ParkedLink) {
        let grace = self.inner.config.session_grace;
        let hub = Arc::downgrade(&self.inner);
        let expire = move |key| {
            if let Some(inner) = hub.upgrade() {
                Hub { inner }.expire(key);
            }
        };
        match self.inner.parking.park(session, link, grace, expire) {
            Ok(()) => {
                tracing::debug!(user = %session.user_id(), session = session.key(), ?grace, "session parked")
            }
            Err(link) => self.salvage(session, link),
        }
    }

    /// Hands a session and its link state to a resuming link that presents its ticket and, on a
    /// hub that checks tokens, a valid `token` of the session's user (any: the login's, a
    /// renewed one; see [`Hub::verify_token`]). A session still held by another link (a
    /// half-open connection) is taken over: that link is asked to park it first. The ticket is
    /// good once: [`ticket`](Self::ticket) gives the next one.
    #[doc(hidden)]
    pub async fn resume(
        &self,
        ticket: &str,
        token: Option<&str>,
    ) -> Result<(Arc<Session>, ParkedLink), ResumeError> {
        let admit = |session: &Session| match self.verify_token(session.user_id(), token) {
            Ok(()) => true,
            Err(error) => {
                tracing::debug!(user = %session.user_id(), session = session.key(), %error, "resume refused: token");
                false
            }
        };
        let (session, link) = self.inner.parking.resume_with(ticket, admit).await?;
        tracing::debug!(user = %session.user_id(), session = session.key(), "session resumed");
        Ok((session, link))
    }

    /// Keeps what a link of an ended session sent but never saw acknowledged (a kick or a drop
    /// by the server): see [`salvage`](Self::salvage).
    #[doc(hidden)]
    pub fn keep_undelivered(&self, session: &Session, link: ParkedLink) {
        self.salvage(session, link);
    }

    /// Keeps the peer messages a logged-out session had queued but never sent (see
    /// [`salvage`](Self::salvage)). Those already sent went out before the logout's answer, so
    /// the client has them.
    #[doc(hidden)]
    pub fn keep_queued(&self, session: &Session, mut link: ParkedLink) {
        link.unacked.drain().for_each(drop);
        self.salvage(session, link);
    }

    /// Ends a parked session whose grace period ran out.
    fn expire(&self, key: u64) {
        // Taken out under the lock: a resume that got it first wins, and only one of the two acts.
        let Some((session, link)) = self.inner.parking.take_expired(key) else { return };
        tracing::debug!(user = %session.user_id(), session = key, "grace period over");
        self.end(&session, CloseReason::LinkLost);
        self.salvage(&session, link);
    }

    /// Keeps the peer messages a parked session never delivered: they were acknowledged to their
    /// senders, so they go to the offline store for the user's next login.
    /// A newer live session of the same user (after a login elsewhere) gets them at once, marked
    /// as offline messages.
    pub(super) fn salvage(&self, session: &Session, mut link: ParkedLink) {
        let user = session.user_id();
        let mut pending: Vec<Arc<Event>> = link.unacked.drain().collect();
        while let Ok(e) = link.inbox.try_recv() {
            pending.push(e);
        }
        let live = self.inner.registry.get(user).filter(|s| !s.is_closed());
        for e in pending {
            if let Event::PeerMessage { peer_id, message, .. } = Arc::unwrap_or_clone(e) {
                if let Some(s) = &live {
                    let ev = Event::PeerMessage {
                        peer_id: peer_id.clone(),
                        message: message.clone(),
                        offline: true,
                    };
                    if s.push_kept(Arc::new(ev)) == super::session::Push::Queued {
                        continue;
                    }
                }
                // With an engine the message is in the user's ledger in Redis. A login on
                // another node that took the user over while this node still heard it left the
                // ledger to this session: the new session gets the message at once. Otherwise
                // the ledger went to the box (this session let go of the user) or to the new
                // session (this node did not hear the kick), or goes to the box when the
                // user's current session ends.
                #[cfg(feature = "redis")]
                if let Some(engine) = self.engine() {
                    if session.close_reason()
                        == Some(CloseReason::Kicked(crate::protocol::KickReason::RemoteLogin))
                    {
                        engine.redeliver(&peer_id, user, message);
                    }
                    continue;
                }
                if !self.inner.offline.keep(user, &peer_id, message) {
                    super::stats::Counters::bump(&self.inner.counters.inbox_full_drops);
                    tracing::warn!(%user, from = %peer_id, "offline messages are disabled: a parked message was dropped");
                }
            }
        }
    }
}
