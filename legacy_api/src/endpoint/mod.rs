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

mod args;
mod calls;
mod conn;
mod forward;
mod frames;
#[cfg(test)]
mod fuzz_tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use axum::routing::get;
use sigshim::resume::{Parking, Resumable, ResumeSignals};
use sigshim::server::Edge;
use tokio::sync::mpsc;

use crate::Signaling;
use crate::dispatcher::Job;
use forward::Collector;

/// Where the endpoint is mounted.
pub const PATH: &str = "/legacy";

/// Callbacks a session queues for its connection beyond the connection's window (the frames sent
/// and not yet acknowledged). When the client reads no further, the instance waits for room, and
/// its core session's inbox fills as a slow reader's does: senders are told, nothing piles up.
pub const CALLBACK_QUEUE: usize = 1024;

/// The routes of the legacy endpoint, for [`ServerBuilder::mount`](sigshim::server::ServerBuilder::mount).
pub fn routes(edge: Edge) -> Router {
    let metered = edge.config().prometheus.is_some();
    let endpoint = Arc::new(Endpoint { edge, parking: Parking::default(), metered });
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
    /// The server records metrics (it was given a Prometheus recorder).
    metered: bool,
}

/// One legacy session: its instance, and what its callbacks and connections share.
pub(crate) struct LegacySession {
    signals: ResumeSignals,
    /// The account its login names: a resume shows a token of it when the hub checks tokens.
    account: String,
    instance: Arc<Signaling>,
    /// Runs the instance's callbacks into frame bodies.
    collector: Arc<Collector>,
    /// The session's last frame went out: it is neither parked nor resumed any more.
    closed: AtomicBool,
    /// Counts the session in `sigshim_legacy_sessions` while it lives.
    _gauge: SessionGauge,
}

impl Resumable for LegacySession {
    fn signals(&self) -> &ResumeSignals {
        &self.signals
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
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

/// What a connection leaves to the next: the instance's queue of callbacks, and the frames sent
/// but not acknowledged, by `seq`.
pub(crate) struct LegacyLink {
    jobs: mpsc::Receiver<Job>,
    unacked: sigshim::window::Unacked<Utf8Bytes>,
}

impl Endpoint {
    /// A new session for a login of `account` to `app_id`: its instance on the server's hub,
    /// its callbacks going to the returned link.
    fn open(&self, app_id: &str, account: &str) -> (Arc<LegacySession>, LegacyLink) {
        let options = crate::SignalingOptions::default().hub(self.edge.hub());
        let (tx, jobs) = mpsc::channel(CALLBACK_QUEUE);
        let instance = Signaling::create_owned(app_id, options, tx);
        let metered = self.metered;
        let session = Arc::new(LegacySession {
            signals: ResumeSignals::default(),
            account: account.to_owned(),
            instance,
            collector: Arc::default(),
            closed: AtomicBool::new(false),
            _gauge: SessionGauge::new(metered),
        });
        self.parking.register(&session);
        (session, LegacyLink { jobs, unacked: Default::default() })
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
    /// Its queue of callbacks, when parked, goes with it, so an instance waiting for room goes on
    /// to its end.
    fn end(&self, session: &LegacySession) {
        session.closed.store(true, Ordering::Release);
        drop(self.parking.forget(session));
        session.instance.destroy();
    }
}
