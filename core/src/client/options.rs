//! Building a client: app ID, where the hub is, timeouts and reconnect policy.

use std::sync::Arc;
use std::time::Duration;

use super::{Client, Events};
use crate::hub::Hub;
use crate::limits::{Limits, Profile};
use crate::transport::{Connector, MemoryConnector};

/// How long and how often a client retries after its link breaks. [`Default`] (RTM's: retry
/// forever), then a chainable setter per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// Stop after this many attempts (`None`: never stop, as RTM does).
    pub max_attempts: Option<u32>,
    /// Stop once this much time has passed since the link broke.
    pub max_duration: Option<Duration>,
    /// Delay before the first attempt; doubled after each failure.
    pub initial_backoff: Duration,
    /// Largest delay between attempts.
    pub max_backoff: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            max_attempts: None,
            max_duration: None,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

crate::config::config_setters!(ReconnectPolicy {
    max_attempts: Option<u32>,
    max_duration: Option<Duration>,
    initial_backoff: Duration,
    max_backoff: Duration,
});

/// A [`ClientBuilder`] that has not been told where its hub is yet: it cannot build.
///
/// Give it a hub ([`ClientBuilder::hub`]) or a connector ([`ClientBuilder::connector`]); a
/// client never reaches a hub it was not given.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Unlinked;

/// A [`ClientBuilder`] that knows how to reach its hub: ready to build.
#[derive(Clone)]
pub struct Linked(Arc<dyn Connector>);

impl std::fmt::Debug for Linked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Linked")
    }
}

/// Builder for a [`Client`], from [`Client::builder`].
///
/// Where the hub is comes first and is required: [`hub`](Self::hub) for the embedded hub in
/// this process, [`connector`](Self::connector) for any other way (a server over WebSocket, a
/// test's fault injector). Only then does [`build`](Self::build) exist. Every other setting has
/// RTM's default.
///
/// ```
/// use std::time::Duration;
/// use sigshim::{Client, Hub, HubConfig};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let hub = Hub::new(HubConfig::new("my-app"));
/// let (client, _events) = Client::builder("my-app")
///     .hub(&hub)
///     .login_timeout(Duration::from_secs(5))
///     .event_capacity(256)
///     .build();
/// client.login(None, "alice").await.unwrap();
/// # }
/// ```
pub struct ClientBuilder<L = Linked> {
    pub(crate) app_id: String,
    pub(crate) link: L,
    pub(crate) login_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) event_capacity: usize,
    pub(crate) call_event_capacity: usize,
    pub(crate) reconnect: ReconnectPolicy,
    pub(crate) call_timers: crate::call::CallTimers,
    pub(crate) profile: Profile,
    pub(crate) limits: Option<Limits>,
}

impl<L> std::fmt::Debug for ClientBuilder<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field("login_timeout", &self.login_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder<Unlinked> {
    pub(crate) fn new(app_id: impl Into<String>) -> Self {
        Self {
            app_id: app_id.into(),
            link: Unlinked,
            login_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            event_capacity: 1024,
            call_event_capacity: crate::call::CALL_EVENTS_CAPACITY,
            reconnect: ReconnectPolicy::default(),
            call_timers: crate::call::CallTimers::default(),
            profile: Profile::Rtm,
            limits: None,
        }
    }
}

impl<L> ClientBuilder<L> {
    /// Reach this hub in-process.
    pub fn hub(self, hub: &Hub) -> ClientBuilder<Linked> {
        self.connector(Arc::new(MemoryConnector::new(hub)))
    }

    /// Reach the hub through this connector.
    pub fn connector(self, connector: Arc<dyn Connector>) -> ClientBuilder<Linked> {
        ClientBuilder {
            app_id: self.app_id,
            link: Linked(connector),
            login_timeout: self.login_timeout,
            request_timeout: self.request_timeout,
            event_capacity: self.event_capacity,
            call_event_capacity: self.call_event_capacity,
            reconnect: self.reconnect,
            call_timers: self.call_timers,
            profile: self.profile,
            limits: self.limits,
        }
    }

    /// How long a login may take (default 10 s).
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.login_timeout = timeout;
        self
    }

    /// How long any other request may take (default 10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Capacity of the event stream (default 1024).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Capacity of the stream of call invitation events, [`CallEvents`](crate::CallEvents)
    /// (default [`CALL_EVENTS_CAPACITY`](crate::call::CALL_EVENTS_CAPACITY)).
    pub fn call_event_capacity(mut self, capacity: usize) -> Self {
        self.call_event_capacity = capacity.max(1);
        self
    }

    /// What to do when the link breaks.
    pub fn reconnect_policy(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// The limits profile to log in with (RTM's by default): the hub enforces that profile's
    /// limits for the session, and the client checks sizes against them before sending.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The sizes the client checks before sending, when the hub's profile was configured with
    /// other numbers than the built-in ones ([`Profile::default_limits`]). The hub stays the
    /// judge: this only saves a round trip, and keeps an oversized frame off the link.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The timers of call invitations (RTM's by default).
    pub fn call_timers(mut self, timers: crate::call::CallTimers) -> Self {
        self.call_timers = timers;
        self
    }
}

impl ClientBuilder<Linked> {
    /// The client and its event stream.
    pub fn build(self) -> (Client, Events) {
        Client::from_builder(self)
    }

    /// The connector the client will use.
    pub(crate) fn take_connector(&self) -> Arc<dyn Connector> {
        self.link.0.clone()
    }
}
