//! How a legacy instance reaches the core, and the opt-in semantic switches.

use std::sync::Arc;

use sigshim::Hub;
use sigshim::transport::Connector;

/// Where the instance's core client connects.
#[derive(Clone, Default)]
pub enum Endpoint {
    /// The process-wide embedded hub for the instance's app ID ([`Hub::shared`]).
    #[default]
    Embedded,
    /// A specific in-process hub.
    Hub(Hub),
    /// Any connector (for example a network transport).
    Connector(Arc<dyn Connector>),
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Embedded => f.write_str("Embedded"),
            Endpoint::Hub(_) => f.write_str("Hub"),
            Endpoint::Connector(_) => f.write_str("Connector"),
        }
    }
}

/// Options of a legacy instance. The defaults reproduce the legacy SDK.
#[derive(Debug, Clone)]
pub struct SignalingOptions {
    /// Where to connect.
    pub endpoint: Endpoint,
    /// Report `on_message_send_success` only when the peer received the message (RTM's meaning)
    /// instead of when the server accepted it (the legacy meaning, default).
    pub strict_peer_ack: bool,
    /// Ask the server to keep peer messages for offline receivers (default on); `options` of
    /// `message_instant_send2` can override it per message.
    pub offline_messages: bool,
    /// How long one login attempt may take.
    pub login_timeout: std::time::Duration,
}

impl Default for SignalingOptions {
    fn default() -> Self {
        Self {
            endpoint: Endpoint::Embedded,
            strict_peer_ack: false,
            offline_messages: true,
            login_timeout: std::time::Duration::from_secs(10),
        }
    }
}

impl SignalingOptions {
    /// Connect to this hub.
    pub fn hub(mut self, hub: &Hub) -> Self {
        self.endpoint = Endpoint::Hub(hub.clone());
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
}
