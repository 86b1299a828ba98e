//! Building a client: app ID, where the hub is, timeouts and reconnect policy.

use std::sync::Arc;
use std::time::Duration;

use super::{Client, Events};
use crate::hub::Hub;
use crate::transport::{Connector, MemoryConnector};

/// How long and how often a client retries after its link breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Builder for a [`Client`].
pub struct ClientBuilder {
    pub(crate) app_id: String,
    pub(crate) connector: Option<Arc<dyn Connector>>,
    pub(crate) login_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) event_capacity: usize,
    pub(crate) reconnect: ReconnectPolicy,
    pub(crate) call_timers: crate::call::CallTimers,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field("login_timeout", &self.login_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(app_id: impl Into<String>) -> Self {
        Self {
            app_id: app_id.into(),
            connector: None,
            login_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            event_capacity: 1024,
            reconnect: ReconnectPolicy::default(),
            call_timers: crate::call::CallTimers::default(),
        }
    }

    /// Reach this hub in-process.
    pub fn hub(mut self, hub: &Hub) -> Self {
        self.connector = Some(Arc::new(MemoryConnector::new(hub)));
        self
    }

    /// Reach the hub through this connector.
    pub fn connector(mut self, connector: Arc<dyn Connector>) -> Self {
        self.connector = Some(connector);
        self
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

    /// What to do when the link breaks.
    pub fn reconnect_policy(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// The timers of call invitations (RTM's by default).
    pub fn call_timers(mut self, timers: crate::call::CallTimers) -> Self {
        self.call_timers = timers;
        self
    }

    /// The client and its event stream. Without a hub or connector, the client reaches a fresh
    /// private hub for its app ID (useful for trying things out).
    pub fn build(self) -> (Client, Events) {
        Client::from_builder(self)
    }
}
