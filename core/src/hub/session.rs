//! One logged-in client as the hub sees it.

use std::collections::BTreeSet;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use tokio::task::AbortHandle;

use crate::attributes::AttributeSet;
use crate::limits::{Profile, RateLimiter, RateLimits};
use crate::protocol::CloseReason;
use crate::protocol::Event;
use crate::resume::{Resumable, ResumeSignals};

use super::inbox::{InboxSender, SessionInbox};

/// Outcome of pushing an event into a session's bounded inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Push {
    /// Queued for the client.
    Queued,
    /// The inbox is full (slow consumer); the event was not queued.
    Full,
    /// The session has ended.
    Closed,
}

/// Per-session call budgets.
#[derive(Debug)]
pub(crate) struct Limiters {
    pub(crate) messages: RateLimiter,
    pub(crate) renew_token: RateLimiter,
    pub(crate) query_online: RateLimiter,
    pub(crate) subscribe: RateLimiter,
    pub(crate) unsubscribe: RateLimiter,
    pub(crate) query_subscriptions: RateLimiter,
    pub(crate) set_user_attributes: RateLimiter,
    pub(crate) get_user_attributes: RateLimiter,
    pub(crate) join: RateLimiter,
    pub(crate) get_members: RateLimiter,
    pub(crate) channel_member_count: RateLimiter,
    pub(crate) set_channel_attributes: RateLimiter,
    pub(crate) get_channel_attributes: RateLimiter,
    /// Recent joins by channel, for the same-channel budget (bounded by the join budget).
    pub(crate) recent_joins: std::collections::VecDeque<(String, tokio::time::Instant)>,
    pub(crate) join_same_channel: crate::limits::RateLimit,
}

impl Limiters {
    fn new(r: &RateLimits) -> Self {
        Self {
            messages: RateLimiter::new(r.messages),
            renew_token: RateLimiter::new(r.renew_token),
            query_online: RateLimiter::new(r.query_online),
            subscribe: RateLimiter::new(r.subscription),
            unsubscribe: RateLimiter::new(r.subscription),
            query_subscriptions: RateLimiter::new(r.subscription),
            set_user_attributes: RateLimiter::new(r.set_user_attributes),
            get_user_attributes: RateLimiter::new(r.get_user_attributes),
            join: RateLimiter::new(r.join),
            get_members: RateLimiter::new(r.get_members),
            channel_member_count: RateLimiter::new(r.channel_member_count),
            set_channel_attributes: RateLimiter::new(r.set_channel_attributes),
            get_channel_attributes: RateLimiter::new(r.get_channel_attributes),
            recent_joins: std::collections::VecDeque::new(),
            join_same_channel: r.join_same_channel,
        }
    }
}

/// Mutable per-session state, behind one lock that is never held across an `.await`.
#[derive(Debug)]
pub(crate) struct SessionState {
    pub(crate) attributes: AttributeSet,
    pub(crate) subscriptions: BTreeSet<String>,
    /// The channels this session has joined.
    pub(crate) channels: BTreeSet<String>,
    /// Made at the session's first budgeted call: an idle session keeps no room for them.
    limiters: Option<Box<Limiters>>,
    pub(crate) token_timer: Option<AbortHandle>,
    /// The call invitations this session has open.
    pub(crate) calls: std::collections::HashSet<super::calls::OpenCall>,
}

impl SessionState {
    /// The session's call budgets under `rates` (its profile's), made at the first call.
    pub(crate) fn limiters(&mut self, rates: &RateLimits) -> &mut Limiters {
        self.limiters.get_or_insert_with(|| Box::new(Limiters::new(rates)))
    }
}

/// A logged-in client: identity, bounded inbox and per-session state.
///
/// Opaque outside the hub; transports hold it to address their session.
#[derive(Debug)]
pub struct Session {
    key: u64,
    user_id: Arc<str>,
    profile: Profile,
    outbox: RwLock<Option<InboxSender>>,
    close_reason: Mutex<Option<CloseReason>>,
    pub(crate) state: Mutex<SessionState>,
    /// Its ticket's secret, and the signals between the links that hand it over.
    signals: ResumeSignals,
}

impl Resumable for Session {
    fn signals(&self) -> &ResumeSignals {
        &self.signals
    }

    fn is_closed(&self) -> bool {
        Session::is_closed(self)
    }
}

impl Session {
    pub(crate) fn new(
        key: u64,
        user_id: &str,
        profile: Profile,
        capacity: usize,
        max_bytes: usize,
    ) -> (Arc<Self>, SessionInbox) {
        let (tx, rx) = super::inbox::inbox(capacity, max_bytes);
        let session = Arc::new(Self {
            key,
            user_id: Arc::from(user_id),
            profile,
            outbox: RwLock::new(Some(tx)),
            close_reason: Mutex::new(None),
            state: Mutex::new(SessionState {
                attributes: AttributeSet::default(),
                subscriptions: BTreeSet::new(),
                channels: BTreeSet::new(),
                limiters: None,
                token_timer: None,
                calls: std::collections::HashSet::new(),
            }),
            signals: ResumeSignals::new(key),
        });
        (session, rx)
    }

    /// The user ID, shared (for maps keyed by it).
    pub(crate) fn user_id_shared(&self) -> Arc<str> {
        self.user_id.clone()
    }

    /// Unique id of this session within its hub.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The logged-in user.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The limits profile the session logged in with.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// True while the session has no link.
    pub fn is_parked(&self) -> bool {
        self.signals.is_parked()
    }

    /// Waits until the hub asks this session's link to hand over to a resuming link (the wait
    /// itself, with no future around it: a connection keeps it for as long as it lives).
    pub fn takeover_requested(&self) -> tokio::sync::futures::Notified<'_> {
        self.signals.takeover_requested()
    }

    /// True once the session has ended.
    pub fn is_closed(&self) -> bool {
        self.outbox.read().is_none()
    }

    /// Why the session ended, once it has.
    pub fn close_reason(&self) -> Option<CloseReason> {
        *self.close_reason.lock()
    }

    /// Queues an event without waiting.
    pub(crate) fn push(&self, event: Arc<Event>) -> Push {
        match self.try_push(event) {
            Ok(()) => Push::Queued,
            Err((outcome, _)) => outcome,
        }
    }

    /// Queues an event without waiting; a refused event is handed back with the reason.
    pub(crate) fn try_push(&self, event: Arc<Event>) -> Result<(), (Push, Arc<Event>)> {
        match self.outbox.read().as_ref() {
            None => Err((Push::Closed, event)),
            Some(tx) => tx.try_send(event),
        }
    }

    /// Queues a message already acknowledged to its sender (a stored or salvaged one): past
    /// the inbox's byte bound, though not past its count.
    pub(crate) fn push_kept(&self, event: Arc<Event>) -> Push {
        match self.outbox.read().as_ref() {
            None => Push::Closed,
            Some(tx) => match tx.try_send_kept(event) {
                Ok(()) => Push::Queued,
                Err((outcome, _)) => outcome,
            },
        }
    }

    /// Queues stored messages ahead of whatever reached the inbox first (see
    /// [`InboxSender::send_kept_first`]); false when the session has ended.
    pub(crate) fn push_kept_first(&self, events: Vec<Arc<Event>>) -> bool {
        self.outbox.read().as_ref().is_some_and(|tx| tx.send_kept_first(events))
    }

    /// Bytes queued in the inbox now.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.outbox.read().as_ref().map_or(0, InboxSender::queued_bytes)
    }

    /// Ends the session: the inbox closes once drained; returns false if it had already ended.
    pub(crate) fn close(&self, reason: CloseReason) -> bool {
        let tx = self.outbox.write().take();
        if tx.is_none() {
            return false;
        }
        self.close_reason.lock().get_or_insert(reason);
        let mut st = self.state.lock();
        if let Some(timer) = st.token_timer.take() {
            timer.abort();
        }
        st.attributes = AttributeSet::default();
        true
    }
}
