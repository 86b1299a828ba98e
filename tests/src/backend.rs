//! Where the suite's drivers connect: the embedded hub in-process, a real WebSocket server on
//! `127.0.0.1:0` over that same hub, or two nodes of one service on a real `redis-server`.
//!
//! A [`Backend`] is a plain value passed to every fixture that connects a client
//! ([`Backend::core`], [`Backend::legacy`], [`Backend::connector`], …). A scenario that holds for
//! both backends is an `async fn` taking a `Backend`, instantiated once per backend by
//! [`per_backend!`](crate::per_backend):
//!
//! ```
//! use sigshim_conformance::{Backend, Driver, hub};
//!
//! async fn peer_message_roundtrip(be: Backend) {
//!     let hub = hub();
//!     let mut alice = be.legacy(&hub, "alice");
//!     let mut bob = be.core(&hub, "bob");
//!     alice.login(None).await.unwrap();
//!     bob.login(None).await.unwrap();
//!     alice.send_peer("bob", "hi").await.unwrap();
//!     assert_eq!(bob.recv_peer().await, ("alice".to_string(), "hi".to_string()));
//! }
//!
//! sigshim_conformance::per_backend!(peer_message_roundtrip);
//! # fn main() {}
//! ```
//!
//! In a test binary this yields the tests `memory::peer_message_roundtrip`,
//! `ws::peer_message_roundtrip` and `two_nodes::peer_message_roundtrip` (alice and bob on two
//! nodes of one service on Redis). The hub stays reachable with either backend, so a scenario can
//! still read its counters or drop a user's link.
//!
//! Scenarios that need paused time (real sockets need real time) or a fault that only exists
//! in-process are ordinary `#[tokio::test]`s that use [`Backend::Memory`] explicitly.

use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use sigshim::server::{Server, ServerConfig};
use sigshim::transport::{Connector, MemoryConnector, WsConnector};
use sigshim::{ClientBuilder, Hub};
use sigshim_legacy::SignalingOptions;

use crate::core_driver::CoreDriver;
use crate::driver::{Api, Driver};
use crate::legacy_driver::LegacyDriver;

/// Where drivers connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// In-process calls into the hub.
    Memory,
    /// A `sigshim` WebSocket server over the hub (one server per hub, started on first use).
    Ws,
    /// Two nodes of one service on Redis, each behind its own WebSocket server: the hub and a
    /// second node, which clients take in turn; see [`crate::two_nodes`].
    TwoNodes,
}

/// The servers started for this process's hubs (one per hub, kept for the process).
fn servers() -> &'static Mutex<Vec<(Hub, Server)>> {
    static S: OnceLock<Mutex<Vec<(Hub, Server)>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// The `ws://` URL of a server over `hub`, started on first use (needs a tokio runtime).
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

/// Connections open now on the WebSocket server over `hub`, or `None` when no server was started
/// for it (every client of `hub` is in-process).
pub fn ws_connections(hub: &Hub) -> Option<usize> {
    servers().lock().iter().find(|(h, _)| h.same_as(hub)).map(|(_, s)| s.connections())
}

impl Backend {
    /// A connector to `hub` through this backend.
    pub fn connector(self, hub: &Hub) -> Arc<dyn Connector> {
        match self {
            Backend::Memory => Arc::new(MemoryConnector::new(hub)),
            Backend::Ws => Arc::new(WsConnector::new(server_url(hub))),
            Backend::TwoNodes => crate::two_nodes::connector(hub),
        }
    }

    /// The hubs clients of `hub` reach through this backend: `hub`, and with
    /// [`Backend::TwoNodes`] its second node too. For counters that each node keeps of its own
    /// sessions.
    pub fn nodes(self, hub: &Hub) -> Vec<Hub> {
        match self {
            Backend::Memory | Backend::Ws => vec![hub.clone()],
            Backend::TwoNodes => vec![hub.clone(), crate::two_nodes::other_node(hub)],
        }
    }

    /// The node on which `user` is logged in now, or `hub` when on none: where a scenario
    /// reads or acts on that user's session.
    pub fn node_of(self, hub: &Hub, user: &str) -> Hub {
        self.nodes(hub).into_iter().find(|n| n.is_online(user)).unwrap_or_else(|| hub.clone())
    }

    /// Whether `user` is logged in on any node of `hub`.
    pub fn is_online(self, hub: &Hub, user: &str) -> bool {
        self.nodes(hub).iter().any(|n| n.is_online(user))
    }

    /// A counter summed over the nodes of `hub` (each node counts what its own sessions did).
    pub fn total(self, hub: &Hub, counter: impl Fn(&sigshim::hub::HubStats) -> u64) -> u64 {
        self.nodes(hub).iter().map(|n| counter(&n.stats())).sum()
    }

    /// A client builder that reaches `hub` through this backend.
    pub fn client_builder(self, hub: &Hub) -> ClientBuilder {
        sigshim::Client::builder(hub.config().app_id.clone()).connector(self.connector(hub))
    }

    /// `options` with their endpoint set to `hub` through this backend.
    pub fn legacy_options(self, hub: &Hub, options: SignalingOptions) -> SignalingOptions {
        options.connector(self.connector(hub))
    }

    /// A core driver of `hub` (through this backend) that will log in as `user`.
    pub fn core(self, hub: &Hub, user: &str) -> CoreDriver {
        let (client, events) = self.client_builder(hub).build();
        CoreDriver::from_parts(client, events, user)
    }

    /// A legacy driver of `hub` (through this backend) with default options that will log in as
    /// `user`.
    pub fn legacy(self, hub: &Hub, user: &str) -> LegacyDriver {
        self.legacy_with(hub, user, SignalingOptions::default())
    }

    /// A legacy driver of `hub` with `options`, whose endpoint is set to `hub` through this
    /// backend.
    pub fn legacy_with(self, hub: &Hub, user: &str, options: SignalingOptions) -> LegacyDriver {
        LegacyDriver::with_endpoint(&hub.config().app_id, user, self.legacy_options(hub, options))
    }

    /// A driver of the given API for `user` on `hub`, through this backend.
    pub fn driver(self, api: Api, hub: &Hub, user: &str) -> Box<dyn Driver> {
        match api {
            Api::Core => Box::new(self.core(hub, user)),
            Api::Legacy => Box::new(self.legacy(hub, user)),
        }
    }
}

/// Instantiates scenarios once per backend, in the same test binary.
///
/// Each name is an `async fn name(be: Backend)` of the invoking file. The macro adds a module
/// `memory` whose `#[tokio::test] name` runs `name(Backend::Memory)`, a module `ws` whose
/// test runs `name(Backend::Ws)`, and a module `two_nodes` whose test runs
/// `name(Backend::TwoNodes)` (skipped, with one line, where `redis-server` is missing). Call it
/// once per file, with every such scenario: a scenario left out is never called, which the
/// `dead_code` lint reports.
///
/// Scenarios listed after `memory_and_ws:` run on the first two backends only: those whose
/// subject is one node's own state (say, a fault injected into one hub), or that place their
/// users on nodes themselves. The file says why.
#[macro_export]
macro_rules! per_backend {
    ($($name:ident),+ $(,)? ; memory_and_ws: $($single:ident),+ $(,)?) => {
        $crate::per_backend!(@both $($name,)+ $($single,)+);
        $crate::per_backend!(@two_nodes $($name),+);
    };
    (; memory_and_ws: $($single:ident),+ $(,)?) => {
        $crate::per_backend!(@both $($single),+);
    };
    ($($name:ident),+ $(,)?) => {
        $crate::per_backend!(@both $($name),+);
        $crate::per_backend!(@two_nodes $($name),+);
    };
    (@two_nodes $($name:ident),+ $(,)?) => {
        /// The scenarios with their clients on two nodes of one service on Redis.
        mod two_nodes {
            $(
                #[::tokio::test]
                async fn $name() {
                    if $crate::two_nodes::available() {
                        super::$name($crate::Backend::TwoNodes).await;
                    }
                }
            )+
        }
    };
    (@both $($name:ident),+ $(,)?) => {
        /// The scenarios with every client in-process.
        mod memory {
            $(
                #[::tokio::test]
                async fn $name() {
                    super::$name($crate::Backend::Memory).await;
                }
            )+
        }

        /// The scenarios with every client connected through a WebSocket server on 127.0.0.1.
        mod ws {
            $(
                #[::tokio::test]
                async fn $name() {
                    super::$name($crate::Backend::Ws).await;
                }
            )+
        }
    };
}
