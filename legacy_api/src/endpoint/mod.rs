//! The legacy session endpoint (feature `server`): legacy instances driven over WebSocket, for
//! programs that are not written in Rust (a web page through the drop-in `AgoraSig.js`, any
//! language with a WebSocket).
//!
//! Mounted on a core [`Server`](sigshim::server::Server) at [`PATH`], each connection drives
//! one [`Signaling`] instance attached to the server's hub: calls arrive by their legacy names,
//! callbacks leave by theirs, in order. A broken link parks the session in the same
//! [`Parking`] machinery as core sessions, for the hub's grace period; a resume replays every
//! callback the client had not acknowledged. `docs/LEGACY-PROTOCOL.md` describes every frame.
//!
//! ```
//! use sigshim::server::{Server, ServerConfig};
//! use sigshim::{Hub, HubConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let hub = Hub::new(HubConfig::new("my-app"));
//! let server = Server::builder(hub, ServerConfig::new("127.0.0.1:0".parse().unwrap()))
//!     .mount(sigshim_legacy::endpoint::routes)
//!     .bind()
//!     .await?;
//! println!("legacy clients connect to ws://{}{}", server.local_addr(), sigshim_legacy::endpoint::PATH);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod calls;
mod conn;
mod forward;
mod frames;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use axum::routing::get;
use sigshim::resume::{Parking, Resumable, ResumeSignals};
use sigshim::server::Edge;
use tokio::sync::mpsc;

use crate::Signaling;
use forward::{Flags, Out};

/// Where the endpoint is mounted.
pub const PATH: &str = "/legacy";

/// Callbacks a session keeps for its connection (sent or not, unacknowledged included) beyond
/// the connection's window; past them the client is too slow and the session ends (close 4008).
pub const CALLBACK_QUEUE: usize = 8 * 1024;

/// The routes of the legacy endpoint, for [`ServerBuilder::mount`](sigshim::server::ServerBuilder::mount).
pub fn routes(edge: Edge) -> Router {
    let endpoint = Arc::new(Endpoint { edge, parking: Parking::default() });
    Router::new().route(PATH, get(upgrade)).with_state(endpoint)
}

async fn upgrade(
    State(endpoint): State<Arc<Endpoint>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    let serving = endpoint.clone();
    endpoint.edge.accept(ws, move |socket, admission| conn::serve(socket, serving, admission, peer))
}

/// The endpoint's state on one server.
pub(crate) struct Endpoint {
    edge: Edge,
    parking: Parking<LegacySession, LegacyLink>,
}

/// One legacy session: its instance, and what its callbacks and connections share.
pub(crate) struct LegacySession {
    signals: ResumeSignals,
    instance: Arc<Signaling>,
    /// The instance's callbacks.
    forwarder: Arc<forward::Forwarder>,
    flags: Arc<Flags>,
    /// Counts the session in `sigshim_legacy_sessions` while it lives.
    _gauge: SessionGauge,
}

impl Resumable for LegacySession {
    fn signals(&self) -> &ResumeSignals {
        &self.signals
    }

    fn is_closed(&self) -> bool {
        self.flags.is_closed()
    }
}

impl Drop for LegacySession {
    fn drop(&mut self) {
        self.instance.destroy();
    }
}

/// Counts a session in the `sigshim_legacy_sessions` gauge while alive.
struct SessionGauge(bool);

impl SessionGauge {
    fn new(metered: bool) -> Self {
        if metered {
            metrics::gauge!("sigshim_legacy_sessions").increment(1.0);
        }
        Self(metered)
    }
}

impl Drop for SessionGauge {
    fn drop(&mut self) {
        if self.0 {
            metrics::gauge!("sigshim_legacy_sessions").decrement(1.0);
        }
    }
}

/// What a connection leaves to the next: the queue of frames from the instance, and the frames
/// sent but not acknowledged, by `seq`.
pub(crate) struct LegacyLink {
    rx: mpsc::Receiver<Out>,
    unacked: VecDeque<(u64, Box<str>)>,
    next_seq: u64,
}

impl Endpoint {
    /// A new session for a login to `app_id`: its instance on the server's hub, its callbacks
    /// going to the returned link.
    fn open(&self, app_id: &str) -> (Arc<LegacySession>, LegacyLink) {
        let options = crate::SignalingOptions::default().hub(self.edge.hub()).inline_callbacks(true);
        let instance = Signaling::create_instance_with(app_id, options);
        let (tx, rx) = mpsc::channel(CALLBACK_QUEUE);
        let flags = Arc::new(Flags::default());
        let forwarder = Arc::new(forward::Forwarder::new(tx, flags.clone(), Arc::downgrade(&instance)));
        instance.callback_set(forwarder.clone());
        let metered = self.edge.config().prometheus.is_some();
        let session = Arc::new(LegacySession {
            signals: ResumeSignals::default(),
            instance,
            forwarder,
            flags,
            _gauge: SessionGauge::new(metered),
        });
        self.parking.register(&session);
        (session, LegacyLink { rx, unacked: VecDeque::new(), next_seq: 1 })
    }

    /// Keeps a session whose link broke for the hub's grace period; past it (or at once, when
    /// the session is over) the instance is destroyed, which logs it out.
    fn park(self: &Arc<Self>, session: &Arc<LegacySession>, link: LegacyLink) {
        let grace = self.edge.hub().config().session_grace;
        let endpoint = Arc::downgrade(self);
        let expire = move |key| {
            let Some(endpoint) = endpoint.upgrade() else { return };
            if let Some((session, _link)) = endpoint.parking.take_expired(key) {
                tracing::debug!(session = key, "legacy session: grace period over");
                endpoint.end(&session);
            }
        };
        if self.parking.park(session, link, grace, expire).is_err() {
            self.end(session);
        }
    }

    /// Ends a session: it is forgotten and its instance destroyed (a logout, if still logged in).
    fn end(&self, session: &LegacySession) {
        session.flags.close();
        self.parking.forget(session);
        session.instance.destroy();
    }
}
