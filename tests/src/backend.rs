//! Which backend the suite's drivers use: the embedded hub in-process, or a real WebSocket
//! server on `127.0.0.1:0` over that same hub.
//!
//! Every scenario file `X.rs` has a twin `over_ws_X.rs` that includes it; a test binary whose
//! name starts with `over_ws_` runs its scenarios over WebSocket (so does `SIGSHIM_BACKEND=ws`).
//! The hub stays reachable in both cases, so a scenario can still read its counters or drop a
//! user's link. Scenarios that need paused time run in-process only (see [`memory_only`]).

use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use sigshim::server::{Server, ServerConfig};
use sigshim::transport::{Connector, MemoryConnector, WsConnector};
use sigshim::{ClientBuilder, Hub};
use sigshim_legacy::SignalingOptions;

/// Where drivers connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// In-process calls into the hub.
    Memory,
    /// A `sigshim` WebSocket server over the hub.
    Ws,
}

/// The backend of this test process.
pub fn backend() -> Backend {
    static B: OnceLock<Backend> = OnceLock::new();
    *B.get_or_init(|| {
        let from_env = std::env::var("SIGSHIM_BACKEND").ok();
        let exe = std::env::current_exe().ok();
        let exe_name = exe.as_deref().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
        match from_env.as_deref() {
            Some("ws") => Backend::Ws,
            Some(_) => Backend::Memory,
            None if exe_name.starts_with("over_ws_") => Backend::Ws,
            None => Backend::Memory,
        }
    })
}

/// True when this process runs its scenarios over WebSocket.
pub fn over_ws() -> bool {
    backend() == Backend::Ws
}

/// For scenarios that need paused time or an in-process-only fault: returns true (and the test
/// should return at once) when running over WebSocket, where real sockets need real time.
pub fn memory_only() -> bool {
    over_ws()
}

/// The servers started for this process's hubs (one per hub, kept for the process).
fn servers() -> &'static Mutex<Vec<(Hub, Server)>> {
    static S: OnceLock<Mutex<Vec<(Hub, Server)>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// The `ws://` URL of the server over `hub`, started on first use (needs a tokio runtime).
pub fn server_url(hub: &Hub) -> String {
    let mut servers = servers().lock();
    if let Some((_, s)) = servers.iter().find(|(h, _)| h.same_as(hub)) {
        return s.url();
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let config = ServerConfig::new(listener.local_addr().expect("bound address"));
    let server = Server::start(hub.clone(), config, listener).expect("the server starts");
    let url = server.url();
    servers.push((hub.clone(), server));
    url
}

/// A connector to `hub` through this process's backend.
pub fn connector(hub: &Hub) -> Arc<dyn Connector> {
    match backend() {
        Backend::Memory => Arc::new(MemoryConnector::new(hub)),
        Backend::Ws => Arc::new(WsConnector::new(server_url(hub))),
    }
}

/// A client builder that reaches `hub` through this process's backend.
pub fn client_builder(hub: &Hub) -> ClientBuilder {
    sigshim::Client::builder(hub.config().app_id.clone()).connector(connector(hub))
}

/// Legacy options that reach `hub` through this process's backend.
pub fn legacy_options(hub: &Hub, options: SignalingOptions) -> SignalingOptions {
    options.connector(connector(hub))
}
