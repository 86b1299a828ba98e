//! How a legacy instance reaches the core, and the opt-in semantic switches.

use std::sync::Arc;

use sigshim::Hub;
use sigshim::call::CallTimers;
use sigshim::limits::Profile;
use sigshim::transport::Connector;

use crate::gateway::PstnGateway;

/// Where the instance's core client connects.
#[derive(Clone, Default)]
pub enum Endpoint {
    /// The process-wide embedded hub for the instance's app ID ([`Endpoint::embedded_hub`]):
    /// the legacy SDK's singleton model, where every instance of an app meets every other.
    #[default]
    Embedded,
    /// A specific in-process hub.
    Hub(Hub),
    /// Any connector (for example a network transport).
    Connector(Arc<dyn Connector>),
    /// A `sigshim serve` deployment (`ws://host:port/`); each instance keeps its own connection
    /// state so that it resumes its session after a broken link.
    Url(String),
}

/// The environment variable that points instances created with default options at a
/// deployment instead of the embedded hub, so unchanged legacy code can use a server.
pub const URL_ENV: &str = "SIGSHIM_URL";

impl Endpoint {
    /// The process-wide embedded hub for `app_id`, created on first use: where instances with
    /// the [`Embedded`](Endpoint::Embedded) endpoint meet. Core clients never reach it unless
    /// given it.
    pub fn embedded_hub(app_id: &str) -> Hub {
        use std::collections::HashMap;
        use std::sync::OnceLock;
        static HUBS: OnceLock<parking_lot::Mutex<HashMap<String, Hub>>> = OnceLock::new();
        HUBS.get_or_init(Default::default)
            .lock()
            .entry(app_id.to_owned())
            .or_insert_with(|| Hub::new(sigshim::HubConfig::new(app_id)))
            .clone()
    }

    /// [`Endpoint::Url`] when `SIGSHIM_URL` is set (and not empty), else [`Endpoint::Embedded`].
    pub fn from_env() -> Self {
        match std::env::var(URL_ENV) {
            Ok(url) if !url.trim().is_empty() => Endpoint::Url(url.trim().to_owned()),
            _ => Endpoint::Embedded,
        }
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Embedded => f.write_str("Embedded"),
            Endpoint::Hub(_) => f.write_str("Hub"),
            Endpoint::Connector(_) => f.write_str("Connector"),
            Endpoint::Url(u) => write!(f, "Url({u})"),
        }
    }
}

/// The legacy SDK's invitation timing: an invitation the callee's client has not received
/// within 20 s, or that nobody answered within 20 s of its arrival, fails for the caller
/// (`on_invite_failed`); RTM waits 30 s and 60 s. The other timers are RTM's.
pub fn legacy_call_timers() -> CallTimers {
    let s = std::time::Duration::from_secs;
    CallTimers::default().ack_timeout(s(20)).expire_after(s(20))
}

/// Environment variable that turns [`SignalingOptions::inline_callbacks`] on by default (`1`),
/// for running unchanged code in that mode.
pub const INLINE_CALLBACKS_ENV: &str = "SIGSHIM_INLINE_CALLBACKS";

/// Options of a legacy instance. The defaults reproduce the legacy SDK; change what differs with
/// the chainable setters, one per field.
#[derive(Clone)]
#[non_exhaustive]
pub struct SignalingOptions {
    /// Where to connect (default: `SIGSHIM_URL` if set, else the embedded hub).
    pub endpoint: Endpoint,
    /// Report `on_message_send_success` only when the peer received the message (RTM's meaning)
    /// instead of when the server accepted it (the legacy meaning, default).
    pub strict_peer_ack: bool,
    /// Ask the server to keep peer messages for offline receivers (default on); `options` of
    /// `message_instant_send2` can override it per message.
    pub offline_messages: bool,
    /// How long one login attempt may take.
    pub login_timeout: std::time::Duration,
    /// Let the instance be in several channels at once (up to the core's limit, 20) instead of
    /// the legacy one channel, where joining another channel leaves the current one first.
    pub multi_channel: bool,
    /// The telephone gateway for phone invitations and DTMF into phone calls (default none:
    /// those calls fail with their documented codes).
    pub pstn_gateway: Option<Arc<dyn PstnGateway>>,
    /// The limits the instance's session lives under: [`Profile::Legacy`] by default (the
    /// legacy SDK's sizes, no quotas on queries and joins, 60 messages a second), or
    /// [`Profile::Rtm`] for RTM's. The hub configures the numbers of each profile
    /// ([`HubConfig::legacy_limits`](sigshim::HubConfig::legacy_limits)).
    pub profile: Profile,
    /// The invitation timers; `None` (default) for the profile's: [`legacy_call_timers`]
    /// under the legacy profile, RTM's otherwise.
    pub call_timers: Option<CallTimers>,
    /// Run callbacks on the instance's own task instead of the dispatcher thread (default off,
    /// or on when `SIGSHIM_INLINE_CALLBACKS=1`).
    /// Saves a thread handoff per callback; a callback must then never block, since it holds up
    /// the async runtime the instance runs on. Order and the one-at-a-time rule are unchanged.
    pub inline_callbacks: bool,
}

impl std::fmt::Debug for SignalingOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalingOptions")
            .field("endpoint", &self.endpoint)
            .field("strict_peer_ack", &self.strict_peer_ack)
            .field("offline_messages", &self.offline_messages)
            .field("login_timeout", &self.login_timeout)
            .field("multi_channel", &self.multi_channel)
            .field("pstn_gateway", &self.pstn_gateway.is_some())
            .field("profile", &self.profile)
            .field("call_timers", &self.call_timers)
            .field("inline_callbacks", &self.inline_callbacks)
            .finish()
    }
}

impl Default for SignalingOptions {
    fn default() -> Self {
        Self {
            endpoint: Endpoint::from_env(),
            strict_peer_ack: false,
            offline_messages: true,
            login_timeout: std::time::Duration::from_secs(10),
            multi_channel: false,
            pstn_gateway: None,
            profile: Profile::Legacy,
            call_timers: None,
            inline_callbacks: std::env::var(INLINE_CALLBACKS_ENV).is_ok_and(|v| v == "1"),
        }
    }
}

impl SignalingOptions {
    /// Connect through `endpoint`.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Ask the server to keep peer messages for offline receivers (on by default).
    pub fn offline_messages(mut self, on: bool) -> Self {
        self.offline_messages = on;
        self
    }

    /// How long a login may take before it fails.
    pub fn login_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.login_timeout = timeout;
        self
    }

    /// Connect to this hub.
    pub fn hub(mut self, hub: &Hub) -> Self {
        self.endpoint = Endpoint::Hub(hub.clone());
        self
    }

    /// Connect to a `sigshim serve` deployment.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Endpoint::Url(url.into());
        self
    }

    /// Connect through this connector.
    pub fn connector(mut self, connector: Arc<dyn Connector>) -> Self {
        self.endpoint = Endpoint::Connector(connector);
        self
    }

    /// Report send success only once the peer received the message.
    pub fn strict_peer_ack(mut self, strict: bool) -> Self {
        self.strict_peer_ack = strict;
        self
    }

    /// Hand phone invitations and DTMF into phone calls to this gateway.
    pub fn pstn_gateway(mut self, gateway: Arc<dyn PstnGateway>) -> Self {
        self.pstn_gateway = Some(gateway);
        self
    }

    /// Run callbacks on the instance's task (see [`SignalingOptions::inline_callbacks`]).
    pub fn inline_callbacks(mut self, on: bool) -> Self {
        self.inline_callbacks = on;
        self
    }

    /// Use these invitation timers instead of the profile's.
    pub fn call_timers(mut self, timers: CallTimers) -> Self {
        self.call_timers = Some(timers);
        self
    }

    /// Live under this limits profile (see [`SignalingOptions::profile`]).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The invitation timers in force: those set, else the profile's.
    pub(crate) fn effective_call_timers(&self) -> CallTimers {
        self.call_timers.unwrap_or_else(|| match self.profile {
            Profile::Legacy => legacy_call_timers(),
            _ => CallTimers::default(),
        })
    }

    /// Allow several joined channels at once (see [`SignalingOptions::multi_channel`]).
    pub fn multi_channel(mut self, on: bool) -> Self {
        self.multi_channel = on;
        self
    }
}
