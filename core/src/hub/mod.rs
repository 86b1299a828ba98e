//! The embedded engine: sessions, routing, presence, user attributes and the offline store.
//!
//! Requests are handled on the caller's task: the hub looks the receiver up in a sharded map and
//! pushes an `Arc`'d event into its bounded inbox. No lock is held across an `.await`, and there
//! is no central actor on the message path.

mod auth;
pub(crate) mod calls;
mod channel_ops;
mod channels;
mod ending;
pub mod engine;
mod inbox;
mod offline;
mod ops;
pub(crate) mod park;
mod presence;
mod registry;
pub(crate) mod session;
mod stats;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::LoginError;
use crate::limits::{Limits, Profile};
use crate::protocol::{CloseReason, LoginRequest};
use crate::protocol::{Event, KickReason, PeerOnlineState, Reply, Request};

pub use engine::Handled;
pub use inbox::SessionInbox;
pub use park::ResumeError;
pub(crate) use session::Session;
pub use stats::HubStats;

use offline::OfflineStore;
use park::Parking;
use presence::Watchers;
use registry::Registry;
use stats::Counters;

/// How a hub is set up. Every limit defaults to its RTM value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HubConfig {
    /// The app ID clients must log in with.
    pub app_id: String,
    /// The App Certificate; when set, every login needs a valid token.
    pub app_certificate: Option<String>,
    /// Sizes, counts and call rates of the sessions under the RTM profile (core clients).
    pub limits: Limits,
    /// Sizes, counts and call rates of the sessions under the legacy profile (the legacy
    /// facade's; [`Limits::legacy`] by default). Hub-wide settings (the offline store, how long
    /// an empty channel keeps its attributes, when member events stop) are always read from
    /// [`limits`](Self::limits).
    pub legacy_limits: Limits,
    /// Capacity of each session's inbox; a full inbox refuses further pushes (slow consumer).
    /// A session gets extra room for the offline messages waiting for it at login.
    pub inbox_capacity: usize,
    /// Bytes each session's inbox may hold (by [`Event::queued_bytes`], default 1 MiB): past
    /// them a push is refused as by a full inbox, so a client that does not read pins a bounded
    /// amount of memory. Messages already acknowledged to their senders (stored offline,
    /// salvaged from a parked session) are let in past this bound, never past the count.
    pub inbox_bytes: usize,
    /// How long before token expiry the session is warned.
    pub token_expiry_warning: Duration,
    /// Offline messages stored across all receivers.
    pub max_offline_messages: usize,
    /// Whether a user may publish to a channel without joining it (the legacy force-send);
    /// when off, such a publish fails with `ChannelMessageError::NotInChannel`.
    pub allow_publish_without_join: bool,
    /// How long a network session survives a broken link, waiting for the client to resume it
    /// (RTM: 30 s). The user stays online meanwhile.
    pub session_grace: Duration,
}

impl HubConfig {
    /// Defaults for `app_id`, without a certificate.
    pub fn new(app_id: impl Into<String>) -> Self {
        Self {
            app_id: app_id.into(),
            app_certificate: None,
            limits: Limits::default(),
            legacy_limits: Limits::legacy(),
            inbox_capacity: 1024,
            inbox_bytes: 1 << 20,
            token_expiry_warning: Duration::from_secs(30),
            max_offline_messages: 1_000_000,
            session_grace: Duration::from_secs(30),
            allow_publish_without_join: true,
        }
    }

    /// Requires tokens signed with this certificate (sets [`app_certificate`](Self::app_certificate)).
    #[must_use]
    pub fn app_certificate(mut self, certificate: impl Into<String>) -> Self {
        self.app_certificate = Some(certificate.into());
        self
    }

    /// The limits of sessions under `profile`.
    pub fn limits_for(&self, profile: Profile) -> &Limits {
        match profile {
            Profile::Rtm => &self.limits,
            Profile::Legacy => &self.legacy_limits,
        }
    }

    /// Sets [`inbox_capacity`](Self::inbox_capacity) (at least 1).
    #[must_use]
    pub fn inbox_capacity(mut self, capacity: usize) -> Self {
        self.inbox_capacity = capacity.max(1);
        self
    }
}

crate::config::config_setters!(HubConfig {
    inbox_bytes: usize,
    limits: Limits,
    legacy_limits: Limits,
    token_expiry_warning: Duration,
    max_offline_messages: usize,
    allow_publish_without_join: bool,
    session_grace: Duration,
});

/// The in-process engine. Cheap to clone; all clones share one state.
#[derive(Debug, Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Debug)]
struct HubInner {
    config: HubConfig,
    registry: Registry,
    watchers: Watchers,
    offline: OfflineStore,
    parking: Parking,
    channels: channels::Channels,
    counters: Counters,
    next_session: AtomicU64,
    next_message: AtomicU64,
    /// The engine, when the hub is one node of several (`redis` feature).
    #[cfg(feature = "redis")]
    engine: engine::Slot,
}

pub(crate) fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

impl Hub {
    /// A hub with this configuration.
    pub fn new(config: HubConfig) -> Self {
        let l = &config.limits;
        let offline = OfflineStore::new(
            l.offline_messages_per_user,
            config.max_offline_messages,
            l.offline_message_ttl,
        );
        Self {
            inner: Arc::new(HubInner {
                registry: Registry::new(64),
                watchers: Watchers::default(),
                offline,
                parking: Parking::default(),
                channels: channels::Channels::new(64),
                counters: Counters::default(),
                next_session: AtomicU64::new(1),
                next_message: AtomicU64::new(1),
                #[cfg(feature = "redis")]
                engine: Default::default(),
                config,
            }),
        }
    }

    /// True when both handles are the same hub.
    pub fn same_as(&self, other: &Hub) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The configuration.
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// The limits `session` lives under (those of its profile).
    pub(crate) fn limits_of(&self, session: &Session) -> &Limits {
        self.inner.config.limits_for(session.profile())
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> HubStats {
        self.inner.counters.snapshot(
            self.inner.registry.len(),
            self.inner.offline.len(),
            self.inner.parking.parked_count(),
        )
    }

    /// Bytes queued in the inboxes of every logged-in session now, by [`Event::queued_bytes`].
    /// A walk over every session: meant for a metrics scrape, not a hot path.
    pub fn queued_bytes(&self) -> usize {
        self.inner.registry.queued_bytes()
    }

    /// True when `user_id` has a session.
    pub fn is_online(&self, user_id: &str) -> bool {
        self.inner.registry.get(user_id).is_some()
    }

    /// Admits a login and opens its session; the receiver is the session's inbox.
    ///
    /// A session that already exists for the same user ID is ended with
    /// [`KickReason::RemoteLogin`]. Messages stored while the user was offline are queued first.
    #[doc(hidden)]
    pub fn login(&self, login: &LoginRequest) -> Result<(Arc<Session>, SessionInbox), LoginError> {
        let inner = &self.inner;
        let now = unix_now().as_secs();
        let expires_at = auth::admit(&inner.config, login, now).inspect_err(|_| {
            Counters::bump(&inner.counters.login_failures);
        })?;
        let key = inner.next_session.fetch_add(1, Ordering::Relaxed);
        // Room for the stored messages on top of the usual capacity: they were acknowledged as
        // cached, so a small inbox must not drop them at login.
        // Room for the messages waiting for this user: stored offline, or held by a parked
        // session that this login replaces.
        let parked =
            inner.registry.get(&login.user_id).map_or(0, |old| park::pending(&inner.parking, old.key()));
        let capacity = inner.config.inbox_capacity + inner.offline.count(&login.user_id) + parked;
        let max_bytes = inner.config.inbox_bytes;
        let (session, rx) = Session::new(key, &login.user_id, login.profile, capacity, max_bytes);
        inner.parking.register(&session);
        let previous = inner.registry.insert(session.clone());
        match previous {
            Some(old) => self.retire(&old, CloseReason::Kicked(KickReason::RemoteLogin)),
            // With an engine, presence changes reach every node (this one too) from Redis.
            None if self.has_engine() => {}
            None => {
                let drops = &inner.counters.inbox_full_drops;
                inner.watchers.notify(&login.user_id, PeerOnlineState::Online, drops);
            }
        }
        // Ahead of any live message a sender raced in since the session was listed.
        let stored: Vec<Arc<Event>> = inner
            .offline
            .take(&login.user_id)
            .into_iter()
            .map(|s| Arc::new(Event::PeerMessage { peer_id: s.from, message: s.message, offline: true }))
            .collect();
        session.push_kept_first(stored);
        self.arm_token_timer(&session, expires_at, now);
        Counters::bump(&inner.counters.logins);
        tracing::debug!(user = %login.user_id, session = key, "login");
        Ok((session, rx))
    }

    /// Admits a login as [`login`](Self::login) does and, on a hub with an engine, makes the
    /// session its user's across every node (a session elsewhere is kicked, stored messages
    /// are queued) before it is handed out. Without an engine nothing is awaited.
    #[doc(hidden)]
    pub fn login_async(
        &self,
        login: &LoginRequest,
    ) -> impl Future<Output = Result<(Arc<Session>, SessionInbox), LoginError>> + Send + 'static {
        let admitted = self.login(login);
        let joined = match &admitted {
            Ok((session, _)) => self.join_engine(session),
            Err(_) => None,
        };
        let hub = self.clone();
        async move {
            let (session, inbox) = admitted?;
            if let Some(joined) = joined {
                // Ended unless the engine takes it: a wait dropped halfway leaves no session behind.
                let mut pending = engine::Unclaimed::new(&hub, &session);
                if let Err(e) = joined.await {
                    Counters::bump(&hub.inner.counters.login_failures);
                    return Err(e);
                }
                pending.claim();
            }
            Ok((session, inbox))
        }
    }

    /// Handles one request of a logged-in session. On a hub with an engine, use
    /// [`dispatch`](Self::dispatch): here a request that needs the engine fails with code 1.
    #[doc(hidden)]
    pub fn handle(&self, session: &Arc<Session>, request: Request) -> Reply {
        match self.dispatch(session, request) {
            Handled::Ready(reply) => reply,
            Handled::Pending(_) => Reply::Error { code: 1 },
        }
    }

    /// Handles one request of a logged-in session: the reply at once, or, for a request that
    /// needs the engine, a future of it.
    #[doc(hidden)]
    pub fn dispatch(&self, session: &Arc<Session>, request: Request) -> Handled {
        if session.is_closed() {
            return Handled::Ready(Reply::Error { code: 102 });
        }
        ops::handle(self, session, request)
    }

    /// Ends a session whose link went away (as a network failure would): the user goes offline.
    #[doc(hidden)]
    pub fn drop_link(&self, session: &Arc<Session>) {
        self.end(session, CloseReason::LinkLost);
    }

    fn next_message_id(&self) -> u64 {
        self.inner.next_message.fetch_add(1, Ordering::Relaxed)
    }

    /// Schedules the expiry warning and the expiry of the session's token.
    fn arm_token_timer(&self, session: &Arc<Session>, expires_at: Option<u64>, now_unix: u64) {
        let Some(expires_at) = expires_at else { return };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no tokio runtime: token expiry is not enforced for this session");
            return;
        };
        let until_expiry = Duration::from_secs(expires_at.saturating_sub(now_unix));
        let warning = self.inner.config.token_expiry_warning;
        let hub: Weak<HubInner> = Arc::downgrade(&self.inner);
        let target = Arc::downgrade(session);
        // Measured from now, not from whenever the task first runs (that may be later).
        let start = tokio::time::Instant::now();
        let task = rt.spawn(async move {
            tokio::time::sleep_until(start + until_expiry.saturating_sub(warning)).await;
            if let Some(s) = target.upgrade() {
                let _ = s.push(Arc::new(Event::TokenPrivilegeWillExpire));
            }
            tokio::time::sleep_until(start + until_expiry).await;
            if let (Some(inner), Some(s)) = (hub.upgrade(), target.upgrade()) {
                Hub { inner }.end(&s, CloseReason::Kicked(KickReason::TokenExpired));
            }
        });
        if let Some(old) = session.state.lock().token_timer.replace(task.abort_handle()) {
            old.abort();
        }
    }
}

impl Hub {
    /// Ends `user_id`'s link as a network failure would (the user goes offline); false when the
    /// user has no session. For operators and fault tests.
    pub fn disconnect_user(&self, user_id: &str) -> bool {
        match self.inner.registry.get(user_id) {
            Some(s) => {
                self.drop_link(&s);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::access_token2;

    const APP: &str = "970CA35de60c44645bbae8a215061b33";
    const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

    /// The expiry timers count from the login, even when their task first runs later.
    #[tokio::test(start_paused = true)]
    async fn token_timers_count_from_login() {
        let hub = Hub::new(HubConfig::new(APP).app_certificate(CERT));
        let token = access_token2::build_rtm_now(APP, CERT, "alice", 60).expect("token");
        let login = LoginRequest::new(APP, "alice", Some(token));
        let start = tokio::time::Instant::now();
        let (session, mut rx) = hub.login(&login).expect("login");
        // The clock moves before the timer task is first polled.
        tokio::time::advance(Duration::from_secs(31)).await;
        assert_eq!(rx.recv().await.as_deref(), Some(&Event::TokenPrivilegeWillExpire));
        assert_eq!(start.elapsed(), Duration::from_secs(31), "warned 30 s before expiry");
        tokio::time::advance(Duration::from_secs(29)).await;
        assert_eq!(rx.recv().await, None);
        assert_eq!(start.elapsed(), Duration::from_secs(60), "ended at expiry");
        assert_eq!(session.close_reason(), Some(CloseReason::Kicked(KickReason::TokenExpired)));
    }

    /// A receiver whose session ends between the lookup and the push is treated as offline: the
    /// message is cached (not lost) when the sender asked for caching.
    #[tokio::test]
    async fn a_session_closing_under_a_send_falls_back_to_the_offline_store() {
        use crate::message::{Message, SendMessageOptions};
        let hub = Hub::new(HubConfig::new(APP));
        let login = |u: &str| LoginRequest::new(APP, u, None);
        let (alice, _a) = hub.login(&login("alice")).expect("alice");
        let (bob, _b) = hub.login(&login("bob")).expect("bob");
        // Close bob's session without taking it out of the registry: the state a concurrent
        // logout leaves for an instant.
        assert!(bob.close(CloseReason::LinkLost));
        let send = |options| Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: Message::text("kept"),
            options,
        };
        assert_eq!(hub.handle(&alice, send(SendMessageOptions::offline())), Reply::Error { code: 4 });
        assert_eq!(hub.handle(&alice, send(SendMessageOptions::default())), Reply::Error { code: 3 });
        assert_eq!(hub.stats().offline_stored, 1);
    }

    /// A link that parks a session the hub has just ended keeps its peer messages (offline
    /// store) instead of parking a dead session forever.
    #[tokio::test]
    async fn parking_an_ended_session_salvages_its_messages() {
        use crate::message::{Message, SendMessageOptions};
        let hub = Hub::new(HubConfig::new(APP));
        let login = |u: &str| LoginRequest::new(APP, u, None);
        let (alice, _a) = hub.login(&login("alice")).expect("alice");
        let (bob, bob_inbox) = hub.login(&login("bob")).expect("bob");
        let send = Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: Message::text("kept"),
            options: SendMessageOptions::default(),
        };
        assert!(matches!(hub.handle(&alice, send), Reply::MessageSent { .. }));
        // The hub ends bob's session (say, a kick) before his link gets to park it.
        hub.drop_link(&bob);
        hub.park(&bob, park::ParkedLink::new(bob_inbox));
        assert_eq!(hub.stats().parked_sessions, 0, "nothing parked for an ended session");
        assert_eq!(hub.stats().offline_stored, 1, "the acknowledged message is kept");
    }

    /// A join that races its session's end is refused, and a leave only removes the session
    /// that joined, never a newer one of the same user.
    #[tokio::test]
    async fn channel_membership_follows_sessions_not_user_ids() {
        let hub = Hub::new(HubConfig::new(APP));
        let login = |u: &str| LoginRequest::new(APP, u, None);
        let (old, _o) = hub.login(&login("alice")).expect("alice");
        let join = || Request::JoinChannel { channel_id: "room".into() };
        assert_eq!(hub.handle(&old, join()), Reply::Ok);
        // A second login replaces the session; the new one joins before the old one has left.
        let channel = hub.inner.channels.get("room").expect("the channel");
        assert!(old.close(CloseReason::Kicked(KickReason::RemoteLogin)));
        assert!(!channel.join(&hub, &old), "an ended session cannot join");
        let (new, _n) = hub.login(&login("alice")).expect("alice again");
        assert_eq!(hub.handle(&new, join()), Reply::Ok);
        assert!(channel.leave(&hub, &old).is_none(), "the old session's leave leaves the new one alone");
        assert!(channel.is_member("alice"));
        assert!(channel.leave(&hub, &new).is_some());
        assert!(!channel.is_member("alice"));
    }
}
