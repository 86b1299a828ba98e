//! Sessions whose network link broke: kept for a grace period, resumable with a ticket.
//!
//! While parked, the user stays online and its inbox keeps filling (peer senders are told the
//! message was stored, not received). A resume hands the inbox and the events the client had not
//! acknowledged to the new link, which replays them. When the grace period ends, the peer
//! messages still undelivered move to the offline store and the user goes offline.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::Hub;
use super::session::Session;
use crate::protocol::CloseReason;
use crate::protocol::Event;

/// What a link leaves behind for the next one: the inbox and the events sent but not
/// acknowledged, numbered by `seq`.
#[derive(Debug)]
pub struct ParkedLink {
    /// The session's inbox.
    pub inbox: mpsc::Receiver<Arc<Event>>,
    /// Sent events the client has not acknowledged, oldest first.
    pub unacked: VecDeque<(u64, Arc<Event>)>,
    /// The `seq` the next event gets.
    pub next_seq: u64,
}

impl ParkedLink {
    /// A fresh link state for a new session.
    pub fn new(inbox: mpsc::Receiver<Arc<Event>>) -> Self {
        Self { inbox, unacked: VecDeque::new(), next_seq: 1 }
    }
}

/// Why a resume was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// The ticket is malformed, unknown, or its session has ended.
    #[error("unknown or ended session")]
    UnknownSession,
    /// The link that holds the session did not hand it over in time.
    #[error("the session's current link did not hand it over in time")]
    Busy,
}

#[derive(Debug)]
struct Parked {
    session: Arc<Session>,
    link: ParkedLink,
    timer: Option<AbortHandle>,
}

/// The resumable sessions: every live session by key, and the parked ones with their state.
#[derive(Debug, Default)]
pub(crate) struct Parking {
    live: Mutex<HashMap<u64, Weak<Session>>>,
    parked: Mutex<HashMap<u64, Parked>>,
    /// Signalled whenever a session is parked or leaves the parked set.
    changed: tokio::sync::Notify,
}

impl Parking {
    pub(crate) fn register(&self, session: &Arc<Session>) {
        self.live.lock().insert(session.key(), Arc::downgrade(session));
    }

    /// Drops a session that ended; returns its parked link state, if it was parked.
    pub(crate) fn forget(&self, session: &Session) -> Option<ParkedLink> {
        self.live.lock().remove(&session.key());
        let p = self.parked.lock().remove(&session.key())?;
        self.changed.notify_waiters();
        if let Some(t) = p.timer {
            t.abort();
        }
        Some(p.link)
    }

    /// Events a parked session holds (sent but unacknowledged, plus queued).
    pub(crate) fn pending(&self, key: u64) -> usize {
        self.parked.lock().get(&key).map_or(0, |p| p.link.unacked.len() + p.link.inbox.len())
    }

    pub(crate) fn parked_count(&self) -> usize {
        self.parked.lock().len()
    }
}

fn parse_ticket(ticket: &str) -> Option<(u64, u128)> {
    let (key, secret) = ticket.split_once('.')?;
    Some((u64::from_str_radix(key, 16).ok()?, u128::from_str_radix(secret, 16).ok()?))
}

impl Hub {
    /// Waits until exactly `n` sessions are parked (for operators and tests: parking happens on a
    /// connection's task when it notices a broken socket, which no client sees).
    pub async fn parked_sessions_reach(&self, n: usize) {
        loop {
            let changed = self.inner.parking.changed.notified();
            if self.inner.parking.parked_count() == n {
                return;
            }
            changed.await;
        }
    }

    /// The ticket that lets a network client resume `session`.
    #[doc(hidden)]
    pub fn ticket(&self, session: &Session) -> String {
        format!("{:x}.{:032x}", session.key(), session.secret())
    }

    /// Keeps a session whose link broke for the grace period. A session that has already ended
    /// is not parked: its undelivered peer messages go to the offline store at once.
    #[doc(hidden)]
    pub fn park(&self, session: &Arc<Session>, link: ParkedLink) {
        let key = session.key();
        {
            // Checked and inserted under the map's lock: a concurrent close either ends the
            // session before (seen here) or finds the entry afterwards (`Parking::forget`).
            let mut parked = self.inner.parking.parked.lock();
            if !session.is_closed() {
                session.set_parked(true);
                let grace = self.inner.config.session_grace;
                let hub = Arc::downgrade(&self.inner);
                let timer = tokio::runtime::Handle::try_current().ok().map(|rt| {
                    rt.spawn(async move {
                        tokio::time::sleep(grace).await;
                        if let Some(inner) = hub.upgrade() {
                            Hub { inner }.expire(key);
                        }
                    })
                    .abort_handle()
                });
                parked.insert(key, Parked { session: session.clone(), link, timer });
                drop(parked);
                self.inner.parking.changed.notify_waiters();
                session.parked_signal.notify_waiters();
                tracing::debug!(user = %session.user_id(), session = key, ?grace, "session parked");
                return;
            }
        }
        self.salvage(session.user_id(), link);
    }

    /// Hands a session and its link state to a resuming link. A session still held by another
    /// link (a half-open connection) is taken over: that link is asked to park it first.
    #[doc(hidden)]
    pub async fn resume(&self, ticket: &str) -> Result<(Arc<Session>, ParkedLink), ResumeError> {
        let (key, secret) = parse_ticket(ticket).ok_or(ResumeError::UnknownSession)?;
        let session = self.inner.parking.live.lock().get(&key).and_then(Weak::upgrade);
        let session = session.ok_or(ResumeError::UnknownSession)?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            &secret.to_le_bytes()[..],
            &session.secret().to_le_bytes()[..],
        )) {
            return Err(ResumeError::UnknownSession);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let parked_now = session.parked_signal.notified();
            let taken = self.inner.parking.parked.lock().remove(&key);
            if let Some(p) = taken {
                self.inner.parking.changed.notify_waiters();
                if let Some(t) = p.timer {
                    t.abort();
                }
                p.session.set_parked(false);
                // A takeover request that found no link to ask is void now.
                let _ = futures_util::FutureExt::now_or_never(p.session.takeover.notified());
                tracing::debug!(user = %p.session.user_id(), session = key, "session resumed");
                return Ok((p.session, p.link));
            }
            if session.is_closed() {
                return Err(ResumeError::UnknownSession);
            }
            session.takeover.notify_one();
            if tokio::time::timeout_at(deadline, parked_now).await.is_err() {
                return Err(ResumeError::Busy);
            }
        }
    }

    /// Keeps what a link of an ended session sent but never saw acknowledged (a kick or a drop
    /// by the server): see [`salvage`](Self::salvage).
    #[doc(hidden)]
    pub fn keep_undelivered(&self, session: &Session, link: ParkedLink) {
        self.salvage(session.user_id(), link);
    }

    /// Ends a parked session whose grace period ran out.
    fn expire(&self, key: u64) {
        // Taken out under the lock: a resume that got it first wins, and only one of the two acts.
        let Some(p) = self.inner.parking.parked.lock().remove(&key) else { return };
        self.inner.parking.changed.notify_waiters();
        tracing::debug!(user = %p.session.user_id(), session = key, "grace period over");
        self.end(&p.session, CloseReason::LinkLost);
        self.salvage(p.session.user_id(), p.link);
    }

    /// Keeps the peer messages a parked session never delivered: they were acknowledged to their
    /// senders, so they go to the offline store for the user's next login.
    /// A newer live session of the same user (after a login elsewhere) gets them at once, marked
    /// as offline messages.
    pub(super) fn salvage(&self, user: &str, mut link: ParkedLink) {
        let mut pending: Vec<Arc<Event>> = link.unacked.drain(..).map(|(_, e)| e).collect();
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
                    if s.push(Arc::new(ev)) == super::session::Push::Queued {
                        continue;
                    }
                }
                if !self.inner.offline.store(user, &peer_id, message) {
                    super::stats::Counters::bump(&self.inner.counters.inbox_full_drops);
                    tracing::warn!(%user, from = %peer_id, "offline store full: a parked message was dropped");
                }
            }
        }
    }
}
