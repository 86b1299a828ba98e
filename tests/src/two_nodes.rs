//! The two-node backend ([`Backend::TwoNodes`](crate::Backend::TwoNodes)): a scenario's hub and
//! a second hub with the same configuration, both nodes of one service on the test binary's
//! `redis-server` ([`process_redis`]), each pair under its own key namespace, each node behind
//! its own WebSocket server on `127.0.0.1:0` (as a deployment runs them).
//!
//! Clients take the nodes in turn, in the order their connectors are made: the first driver of a
//! scenario logs in on the scenario's own hub, the second on the other node, the third on the
//! scenario's hub again. So the two users of a two-user scenario are on different nodes, and
//! what the scenario reads off its hub (counters, a dropped link) concerns its first user's node.
//!
//! The nodes join Redis on the first connect, so a scenario builds its hub and drivers as it
//! does for the other backends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use parking_lot::Mutex;
use sigshim::error::{Error, LoginError};
use sigshim::hub::engine::{RedisEngine, RedisEngineConfig};
use sigshim::protocol::LoginRequest;
use sigshim::transport::{Connector, Link, WsConnector};
use sigshim::{Hub, HubConfig};
use tokio::sync::OnceCell;

use crate::backend::server_url;
use crate::redis_server::process_redis;

/// A scenario's hub and its second node.
struct Pair {
    hubs: [Hub; 2],
    /// Set once both nodes have joined the engine.
    joined: OnceCell<()>,
    /// The node the next connector takes.
    turn: AtomicUsize,
    namespace: String,
}

/// The pairs made so far, kept for the process (as the WebSocket backend keeps its servers).
fn pairs() -> &'static Mutex<Vec<Arc<Pair>>> {
    static P: OnceLock<Mutex<Vec<Arc<Pair>>>> = OnceLock::new();
    P.get_or_init(Default::default)
}

/// The pair whose first node is `hub`, made on first use.
fn pair(hub: &Hub) -> Arc<Pair> {
    let mut pairs = pairs().lock();
    if let Some(p) = pairs.iter().find(|p| p.hubs[0].same_as(hub)) {
        return p.clone();
    }
    static N: AtomicUsize = AtomicUsize::new(0);
    let other = Hub::new(hub.config().clone());
    let pair = Arc::new(Pair {
        hubs: [hub.clone(), other],
        joined: OnceCell::new(),
        turn: AtomicUsize::new(0),
        namespace: format!("t{}x{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)),
    });
    pairs.push(pair.clone());
    pair
}

impl Pair {
    /// Joins both nodes to the engine, once.
    async fn join(&self) {
        self.joined
            .get_or_init(|| async {
                let url = process_redis().expect("the two-node backend runs only where redis-server is");
                for (i, hub) in self.hubs.iter().enumerate() {
                    let config = RedisEngineConfig::new(url.clone())
                        .namespace(self.namespace.clone())
                        .node_id(format!("node{i}"))
                        .call_timeout(Duration::from_secs(5))
                        // No scenario here is about leases: a loaded machine must not lose one.
                        .lease(Duration::from_secs(30));
                    RedisEngine::attach(hub, config).await.expect("the node joins the engine");
                }
            })
            .await;
    }
}

/// A hub joined to the engine at `url` as node `name`, with a lease of `lease` and a 2 s call
/// timeout, and the engine's handle.
pub async fn node_with_engine(url: &str, name: &str, lease: Duration) -> (Hub, Arc<RedisEngine>) {
    let hub = Hub::new(HubConfig::new(crate::APP_ID));
    let config = RedisEngineConfig::new(url)
        .node_id(name.to_owned())
        .call_timeout(Duration::from_secs(2))
        .lease(lease);
    let engine = RedisEngine::attach(&hub, config).await.expect("the node joins the engine");
    (hub, engine)
}

/// A hub joined to the engine at `url` as node `name`, with a lease of `lease`.
pub async fn node_at(url: &str, name: &str, lease: Duration) -> Hub {
    node_with_engine(url, name, lease).await.0
}

/// Whether the two-node backend can run here: `redis-server` is installed (else one skip line;
/// a failure under `SIGSHIM_REQUIRE_REDIS=1`).
pub fn available() -> bool {
    process_redis().is_some()
}

/// The second node of `hub`'s pair (made on first use): for a scenario that reads the node
/// its second user is on.
pub fn other_node(hub: &Hub) -> Hub {
    pair(hub).hubs[1].clone()
}

/// A connector to the WebSocket server of the next node in turn of `hub`'s pair (needs a
/// tokio runtime: the server starts on first use).
pub(crate) fn connector(hub: &Hub) -> Arc<dyn Connector> {
    let pair = pair(hub);
    let node = pair.turn.fetch_add(1, Ordering::Relaxed) % 2;
    let ws = WsConnector::new(server_url(&pair.hubs[node]));
    Arc::new(NodeConnector { pair, ws })
}

/// Connects to one node of a pair, joining the pair to the engine first.
struct NodeConnector {
    pair: Arc<Pair>,
    ws: WsConnector,
}

#[async_trait]
impl Connector for NodeConnector {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        self.pair.join().await;
        self.ws.connect(login).await
    }

    fn forget_session(&self) {
        self.ws.forget_session();
    }
}
