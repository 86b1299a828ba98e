//! The network server: a WebSocket endpoint over a [`Hub`], plus `/healthz` and `/metrics`.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use sigshim::{Hub, HubConfig};
//! use sigshim::server::{Server, ServerConfig};
//!
//! let hub = Hub::new(HubConfig::new("my-app"));
//! let server = Server::bind(hub, ServerConfig::new("127.0.0.1:9000".parse().unwrap())).await?;
//! println!("clients connect to {}", server.url());
//! server.shutdown().await; // tells clients, drains, returns
//! # Ok(()) }
//! ```

mod accept;
mod conn;
pub mod edge;
mod http;
mod metrics;
mod op_stats;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::hub::Hub;

pub use edge::{Admission, Edge};
pub use metrics::{install_prometheus_recorder, render_metrics};
pub use metrics_exporter_prometheus::PrometheusHandle;

/// Limits and timeouts of the network endpoint.
///
/// Start from [`ServerConfig::new`] and change what differs with the setters of the same names
/// as the fields:
///
/// ```
/// use std::time::Duration;
/// use sigshim::server::ServerConfig;
///
/// let config = ServerConfig::new("127.0.0.1:0".parse().unwrap())
///     .idle_timeout(Duration::from_secs(60))
///     .max_connections(10_000);
/// assert_eq!(config.max_unacked, 1024);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Largest frame a client may send, in bytes (default 208 KiB: room for the largest message
    /// at its worst JSON escaping, see [`frame_bytes_for`](crate::protocol::frame_bytes_for)).
    pub max_frame_bytes: usize,
    /// How long a new socket has for its HTTP phase: to send its request and be answered, or
    /// upgraded to a WebSocket (default 10 s). A socket still in it then is closed, so idle and
    /// trickling sockets cannot pile up.
    pub http_timeout: Duration,
    /// Sockets in their HTTP phase at once (default 1024). At the cap, a new socket closes the
    /// one that has waited longest, so a fresh request always gets through.
    pub max_pending_connections: usize,
    /// How long an upgraded connection has to send its login or resume (default 10 s).
    pub handshake_timeout: Duration,
    /// A connection that sends nothing (not even a ping) for this long, or on which a write makes
    /// no progress for this long, is considered lost and its session parked (default 30 s).
    pub idle_timeout: Duration,
    /// WebSocket connections served at once; more are refused with HTTP 503 (default 100 000).
    /// This cap and [`max_pending_connections`](Self::max_pending_connections) are lowered at
    /// start-up when the process's descriptor limit cannot hold them with a reserve of 64 left.
    pub max_connections: usize,
    /// Events sent but not yet acknowledged per connection; at the limit the server stops
    /// sending and the session's inbox fills (default 1024).
    pub max_unacked: usize,
    /// Bytes of events sent but not yet acknowledged per connection, by
    /// [`Event::queued_bytes`](crate::protocol::Event::queued_bytes) (default 1 MiB): the
    /// window's other bound, so that large messages cannot make it hold more.
    pub max_unacked_bytes: usize,
    /// How long the window may stay full, with no acknowledgement making room, before the
    /// connection is closed as a slow consumer (close code 4008; the session is parked for a
    /// resume) (default 10 s).
    pub slow_consumer_timeout: Duration,
    /// Malformed frames tolerated per connection before it is closed (default 16).
    pub max_bad_frames: u32,
    /// Socket read buffer per connection, in bytes (default 512, which keeps an idle connection
    /// small; larger frames are read in several steps). It is also the most one read takes from
    /// the socket, so a larger buffer reads more of a busy client's frames per system call.
    pub read_buffer_bytes: usize,
    /// Bytes of outgoing frames gathered before they are written to the socket (default 4 KiB).
    /// A threshold, not an allocation: the write buffer grows only to the frames queued in it.
    pub write_buffer_bytes: usize,
    /// The Prometheus recorder whose metrics `/metrics` shows before the hub's counters: the
    /// process's installed recorder, from [`install_prometheus_recorder`]. Without one (the default) the server records no
    /// per-request metrics at all, and `/metrics` shows the hub's counters only.
    pub prometheus: Option<PrometheusHandle>,
}

impl ServerConfig {
    /// Defaults, listening on `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            max_frame_bytes: crate::protocol::wire::DEFAULT_MAX_FRAME_BYTES,
            http_timeout: Duration::from_secs(10),
            max_pending_connections: 1024,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 100_000,
            max_unacked: 1024,
            max_unacked_bytes: 1 << 20,
            slow_consumer_timeout: Duration::from_secs(10),
            max_bad_frames: 16,
            read_buffer_bytes: 512,
            write_buffer_bytes: 4 * 1024,
            prometheus: None,
        }
    }
}

crate::config::config_setters!(ServerConfig {
    listen: SocketAddr,
    max_frame_bytes: usize,
    http_timeout: Duration,
    max_pending_connections: usize,
    handshake_timeout: Duration,
    idle_timeout: Duration,
    max_connections: usize,
    max_unacked: usize,
    max_unacked_bytes: usize,
    slow_consumer_timeout: Duration,
    max_bad_frames: u32,
    read_buffer_bytes: usize,
    write_buffer_bytes: usize,
});

impl ServerConfig {
    /// Sets [`prometheus`](Self::prometheus): `/metrics` renders this recorder, and the server
    /// records its per-request metrics. The server records through the process's installed
    /// recorder (the `metrics` facade), so `handle` must be that recorder's: the one
    /// [`install_prometheus_recorder`] returns.
    pub fn prometheus(mut self, handle: PrometheusHandle) -> Self {
        self.prometheus = Some(handle);
        self
    }
}

/// State shared by the listener and the connections.
struct Shared {
    hub: Hub,
    config: ServerConfig,
    /// The caps enforced: the configuration's, fitted under the descriptor limit.
    caps: accept::Caps,
    shutdown: watch::Receiver<bool>,
    connections: AtomicUsize,
    /// Sockets in their HTTP phase.
    intake: accept::Intake,
    /// Signalled whenever a connection is counted in or out.
    count_changed: Notify,
    /// The page `/` shows to a browser.
    index: Option<&'static str>,
}

impl Shared {
    /// Counts a connection in; `None` when the server is full.
    fn admit(self: &Arc<Self>) -> Option<ConnGuard> {
        let n = self.connections.fetch_add(1, Ordering::AcqRel);
        if n >= self.caps.connections {
            self.connections.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        if self.config.prometheus.is_some() {
            ::metrics::gauge!("sigshim_connections").increment(1.0);
        }
        self.count_changed.notify_waiters();
        Some(ConnGuard(self.clone()))
    }
}

/// Counts a connection out when dropped.
struct ConnGuard(Arc<Shared>);

impl Drop for ConnGuard {
    fn drop(&mut self) {
        if self.0.config.prometheus.is_some() {
            ::metrics::gauge!("sigshim_connections").decrement(1.0);
        }
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
        self.0.count_changed.notify_waiters();
    }
}

/// A running server.
///
/// # Examples
///
/// A server on a free loopback port, and a core client reaching it over WebSocket:
///
/// ```
/// use std::sync::Arc;
/// use sigshim::server::{Server, ServerConfig};
/// use sigshim::transport::WsConnector;
/// use sigshim::{Client, ConnectionState, Hub, HubConfig};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let hub = Hub::new(HubConfig::new("my-app"));
/// let server = Server::bind(hub.clone(), ServerConfig::new("127.0.0.1:0".parse().unwrap())).await?;
///
/// let connector = Arc::new(WsConnector::new(server.url()));
/// let (alice, _events) = Client::builder("my-app").connector(connector).build();
/// alice.login(None, "alice").await.expect("the server admits alice");
/// assert_eq!(alice.connection_state(), ConnectionState::Connected);
/// assert!(hub.is_online("alice"));
///
/// alice.logout().await.unwrap();
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("connections", &self.connections).finish_non_exhaustive()
    }
}

/// Connections the kernel may hold waiting to be accepted.
const ACCEPT_BACKLOG: u32 = 4096;

/// A server with more than the core protocol: an index page, endpoints of its own. Made by
/// [`Server::builder`].
pub struct ServerBuilder {
    hub: Hub,
    config: ServerConfig,
    index: Option<&'static str>,
    mounts: Vec<Box<dyn FnOnce(Edge) -> axum::Router + Send>>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .field("mounts", &self.mounts.len())
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// Shows `html` at `/` to a browser (a plain `GET`); a WebSocket upgrade at `/` still
    /// speaks the core protocol.
    pub fn index(mut self, html: &'static str) -> Self {
        self.index = Some(html);
        self
    }

    /// Mounts the routes `routes` builds beside the core protocol's. The [`Edge`] it gets
    /// admits connections against the server's caps and tells when the server shuts down. The
    /// routes must not overlap the server's own (`/`, `/ws`, `/healthz`, `/metrics`).
    pub fn mount(mut self, routes: impl FnOnce(Edge) -> axum::Router + Send + 'static) -> Self {
        self.mounts.push(Box::new(routes));
        self
    }

    /// Binds `config.listen` (port 0 picks a free port) and starts serving.
    pub async fn bind(self) -> std::io::Result<Server> {
        let config = &self.config;
        let socket = if config.listen.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(config.listen)?;
        // A login burst fills a short accept queue, and every dropped SYN costs its client a
        // 1 s retransmission (the kernel caps this at `net.core.somaxconn`).
        let listener = socket.listen(ACCEPT_BACKLOG)?;
        self.serve(listener)
    }

    /// Starts serving on an already bound listener (`config.listen` is ignored). Needs a tokio
    /// runtime context.
    pub fn start(self, listener: std::net::TcpListener) -> std::io::Result<Server> {
        listener.set_nonblocking(true)?;
        self.serve(tokio::net::TcpListener::from_std(listener)?)
    }

    fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<Server> {
        let ServerBuilder { hub, config, index, mounts } = self;
        let addr = listener.local_addr()?;
        let (stop, shutdown) = watch::channel(false);
        let caps = accept::Caps::for_process(&config);
        let shared = Arc::new(Shared {
            hub,
            config,
            caps,
            shutdown: shutdown.clone(),
            connections: AtomicUsize::new(0),
            intake: accept::Intake::default(),
            count_changed: Notify::new(),
            index,
        });
        let mounted = mounts
            .into_iter()
            .fold(axum::Router::new(), |all, routes| all.merge(routes(Edge { shared: shared.clone() })));
        let app = http::router(shared.clone(), mounted);
        let mut upkeep_stop = shutdown;
        let task = tokio::spawn(accept::listen(listener, app, shared.clone()));
        // A histogram of the recorder keeps every sample until upkeep folds them in: without
        // it, an application's own histograms on the same recorder would grow with every sample
        // on a server nobody scrapes. (The server's request histogram is its own, in fixed
        // buckets: `op_stats`.)
        if let Some(handle) = shared.config.prometheus.clone() {
            tokio::spawn(async move {
                let mut every = tokio::time::interval(metrics::UPKEEP_INTERVAL);
                loop {
                    tokio::select! {
                        _ = every.tick() => handle.run_upkeep(),
                        _ = upkeep_stop.wait_for(|s| *s) => return,
                    }
                }
            });
        }
        tracing::info!(
            %addr,
            max_connections = shared.caps.connections,
            max_pending_connections = shared.caps.pending,
            "listening"
        );
        Ok(Server { addr, stop, shared, task })
    }
}

impl Server {
    /// A server over `hub` with more than the core protocol (see [`ServerBuilder`]).
    pub fn builder(hub: Hub, config: ServerConfig) -> ServerBuilder {
        ServerBuilder { hub, config, index: None, mounts: Vec::new() }
    }

    /// Binds `config.listen` (port 0 picks a free port) and starts serving `hub`.
    pub async fn bind(hub: Hub, config: ServerConfig) -> std::io::Result<Server> {
        Self::builder(hub, config).bind().await
    }

    /// Starts serving `hub` on an already bound listener (`config.listen` is ignored). Needs a
    /// tokio runtime context.
    pub fn start(hub: Hub, config: ServerConfig, listener: std::net::TcpListener) -> std::io::Result<Server> {
        Self::builder(hub, config).start(listener)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The WebSocket URL clients connect to.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Acquire)
    }

    /// Sockets in their HTTP phase now: accepted, not yet answered or upgraded.
    pub fn pending_connections(&self) -> usize {
        self.shared.intake.len()
    }

    /// Waits until exactly `n` sockets are in their HTTP phase.
    pub async fn pending_connections_reach(&self, n: usize) {
        loop {
            let changed = self.shared.count_changed.notified();
            if self.pending_connections() == n {
                return;
            }
            changed.await;
        }
    }

    /// The cap on WebSocket connections in force: [`ServerConfig::max_connections`], lowered
    /// if the descriptor limit could not hold it.
    pub fn max_connections(&self) -> usize {
        self.shared.caps.connections
    }

    /// Waits until exactly `n` connections are open (a connection is counted out when its task
    /// ends, after the client has seen its close).
    pub async fn connections_reach(&self, n: usize) {
        loop {
            let changed = self.shared.count_changed.notified();
            if self.shared.connections.load(Ordering::Acquire) == n {
                return;
            }
            changed.await;
        }
    }

    /// Stops accepting, tells every client (close 1001) after sending what was queued for it,
    /// parks their sessions (a client can resume them on another server over the same hub), and
    /// returns once every connection has closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
        // Sockets still in their HTTP phase finish their request or are closed; one may still
        // become a connection meanwhile, which then says goodbye.
        loop {
            let changed = self.shared.count_changed.notified();
            if self.connections() == 0 && self.pending_connections() == 0 {
                break;
            }
            changed.await;
        }
        tracing::info!(addr = %self.addr, "stopped");
    }
}
