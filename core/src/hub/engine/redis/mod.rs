//! The Redis engine: several hubs (nodes) serve one app as one service.
//!
//! Each node keeps its own sessions, as the embedded hub does. Redis holds what must outlive a
//! node or be seen by every node: which node holds each user (the owner entry), each user's
//! stored offline messages and ledger of unconfirmed ones, user and channel attributes, every
//! node's channel members, and each node's lease. Nodes talk through Redis pub/sub: a node's
//! own channel carries deliveries, answers and kicks to it, one presence channel carries every
//! online/offline change to every node, and each channel's name reaches the nodes with members
//! in it. ARCHITECTURE.md ("Several nodes on Redis") lists the keys.
//!
//! Every step that decides something is one Lua script on one user's keys (`scripts.rs`), and
//! every call a node makes leaves in order through one pipeline (`batch.rs`).

mod attributes;
mod batch;
mod channel_attributes;
mod channels;
mod inbound;
mod route;
mod scripts;
mod sweep;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, ProtocolVersion};
use tokio::sync::{mpsc, oneshot};

use super::super::{Hub, HubInner, Session};
pub(crate) use batch::Failed;
use batch::{Outcome, Queue};
pub(crate) use channel_attributes::UpdateFailed;
use scripts::Scripts;

/// How a node reaches Redis and names itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisEngineConfig {
    /// `redis://host:port[/db]` (RESP3 is asked for whatever the URL says).
    pub url: String,
    /// This node's name, unique among the nodes of one deployment (default: random).
    pub node_id: String,
    /// The first part of every key and pub/sub name (default `sigshim`), so that several
    /// deployments can share one Redis: nodes of one deployment use the same namespace.
    pub namespace: String,
    /// How long any engine call may take before its caller is told it timed out.
    pub call_timeout: Duration,
    /// How long a node's lease lasts without a heartbeat (renewed three times per lease). A
    /// user whose node has lost its lease reads as offline.
    pub lease: Duration,
    /// Whether to refuse a Redis that may lose acknowledged data (`appendonly no`, or an
    /// eviction policy other than `noeviction`). On by default.
    pub check_durability: bool,
}

impl RedisEngineConfig {
    /// Defaults for `url`: a random node ID, 5 s calls, a 3 s lease (a crashed node's users
    /// read offline within 3 s and are swept within about 7 s).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            node_id: format!("{:016x}", rand::random::<u64>()),
            namespace: "sigshim".to_owned(),
            call_timeout: Duration::from_secs(5),
            lease: Duration::from_secs(3),
            check_durability: true,
        }
    }
}

impl RedisEngineConfig {
    /// Checks the settings that cannot work, as [`RedisEngine::attach`] does before it connects:
    /// an empty node ID or one with `|`, a namespace that is empty or holds white space, `{`,
    /// `}` or `:`, a lease under 30 ms, a zero call timeout.
    pub fn check(&self) -> Result<(), EngineError> {
        if self.node_id.is_empty() || self.node_id.contains('|') {
            return Err(EngineError::Config("the node ID must be non-empty and without '|'"));
        }
        if !valid_namespace(&self.namespace) {
            return Err(EngineError::Config(
                "the namespace must be non-empty, without spaces, '{', '}' or ':'",
            ));
        }
        if self.lease < Duration::from_millis(30) || self.call_timeout.is_zero() {
            return Err(EngineError::Config("the lease must be at least 30 ms and the call timeout above 0"));
        }
        Ok(())
    }
}

crate::config::config_setters!(RedisEngineConfig {
    node_id: String,
    namespace: String,
    call_timeout: Duration,
    lease: Duration,
    check_durability: bool,
});

/// Why a node could not join its engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The URL is not a Redis URL.
    #[error("invalid engine URL {url:?}: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Redis could not be reached or refused a call.
    #[error("cannot reach Redis at {url}: {reason}")]
    Unreachable {
        /// The URL given.
        url: String,
        /// What failed.
        reason: String,
    },
    /// Redis runs with a setting under which acknowledged messages can be lost.
    #[error(
        "Redis has `{setting} {value}`; sigshim needs `{setting} {required}` (see the README's cluster section)"
    )]
    Setting {
        /// The setting (`appendonly`, `maxmemory-policy`).
        setting: &'static str,
        /// Its value now.
        value: String,
        /// The value needed.
        required: &'static str,
    },
    /// The hub already has an engine.
    #[error("this hub already has an engine")]
    AlreadyAttached,
    /// A setting of [`RedisEngineConfig`] cannot work.
    #[error("invalid engine setting: {0}")]
    Config(&'static str),
}

/// How the link to Redis has been doing, for `/healthz` and `/metrics`.
#[derive(Debug, Default)]
pub(crate) struct Health {
    healthy: AtomicBool,
    batches: AtomicU64,
    failures: AtomicU64,
    /// Time with at least one pipeline in flight, in microseconds.
    busy_micros: AtomicU64,
}

impl Health {
    /// One pipeline answered, or failed.
    fn record(&self, failed: Option<&Failed>) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        if failed.is_some() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        self.healthy.store(failed.is_none(), Ordering::Relaxed);
    }

    /// A stretch of time with at least one pipeline in flight.
    fn add_busy(&self, took: Duration) {
        self.busy_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }
}

/// What the engine has done, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Pipelines sent to Redis.
    pub batches: u64,
    /// Pipelines that failed (timeout or link down).
    pub failures: u64,
    /// Time with at least one pipeline waiting for Redis, in microseconds.
    pub busy_micros: u64,
}

/// A hub's link to Redis: see the module docs. Made by [`RedisEngine::attach`].
#[derive(Debug)]
pub struct RedisEngine {
    config: RedisEngineConfig,
    keys: Keys,
    scripts: Scripts,
    ops: Queue,
    /// Answers this node waits for: deliveries it handed to another node.
    waiting: Mutex<std::collections::HashMap<u64, oneshot::Sender<i32>>>,
    next_call: AtomicU64,
    health: Arc<Health>,
    hub: Weak<HubInner>,
    /// Subscriptions to channels' pub/sub names, made and dropped in order by one task.
    subscriptions: mpsc::UnboundedSender<Subscription>,
    /// The channels' pub/sub names this node listens on (or is about to).
    listening: Mutex<std::collections::HashSet<String>>,
    /// Set by [`leave`](Self::leave): the heartbeat stops.
    left: AtomicBool,
    /// The channels whose attributes this node is updating, one update at a time each.
    updating: Arc<channel_attributes::Updating>,
}

/// A change to the node's subscriptions.
#[derive(Debug)]
enum Subscription {
    /// Listen on a name; tell whether Redis took it.
    Listen(String, oneshot::Sender<Result<(), Failed>>),
    /// Stop listening on a name.
    Stop(String),
}

/// The names of the keys and channels of one app.
#[derive(Debug)]
struct Keys {
    prefix: String,
    node_channel_prefix: String,
    channel_prefix: String,
    own_channel: String,
    presence: String,
    lease: String,
}

impl Keys {
    fn new(namespace: &str, app_id: &str, node: &str) -> Self {
        let prefix = format!("{namespace}:{app_id}:");
        Self {
            node_channel_prefix: format!("{prefix}node:"),
            channel_prefix: format!("{prefix}chan:"),
            own_channel: format!("{prefix}node:{node}"),
            presence: format!("{prefix}presence"),
            lease: format!("{prefix}lease:{node}"),
            prefix,
        }
    }

    /// The user's owner entry (`<node>|<session>`); the user's keys share one hash tag.
    fn owner(&self, user: &str) -> String {
        format!("{}{{u:{user}}}:owner", self.prefix)
    }

    /// The user's stored offline messages.
    fn inbox(&self, user: &str) -> String {
        format!("{}{{u:{user}}}:box", self.prefix)
    }

    /// The user's ledger: the peer messages acknowledged to their senders that no client of
    /// the user has yet, by message ID.
    fn ledger(&self, user: &str) -> String {
        format!("{}{{u:{user}}}:ledger", self.prefix)
    }

    fn lease_of(&self, node: &str) -> String {
        format!("{}lease:{node}", self.prefix)
    }
}

impl RedisEngine {
    /// Connects `hub` to Redis as the node `config.node_id`: checks Redis's durability settings,
    /// loads the scripts, subscribes to the node's channels, takes the node's lease and starts
    /// renewing it. Needs a tokio runtime; call it before the hub serves anyone.
    pub async fn attach(hub: &Hub, config: RedisEngineConfig) -> Result<Arc<Self>, EngineError> {
        config.check()?;
        // Errors and logs name the URL without its password.
        let url = redacted(&config.url);
        let unreachable =
            |e: redis::RedisError| EngineError::Unreachable { url: url.clone(), reason: e.to_string() };
        let mut info = redis::IntoConnectionInfo::into_connection_info(config.url.as_str())
            .map_err(|e| EngineError::Url { url: url.clone(), reason: e.to_string() })?;
        let redis_settings = info.redis_settings().clone().set_protocol(ProtocolVersion::RESP3);
        info = info.set_redis_settings(redis_settings);
        if hub.inner.engine.get().is_some() {
            return Err(EngineError::AlreadyAttached);
        }
        let client = redis::Client::open(info).map_err(unreachable)?;
        let keys = Keys::new(&config.namespace, &hub.config().app_id, &config.node_id);
        let (ops_tx, ops_rx) = batch::queue();
        let (subs_tx, subs_rx) = mpsc::unbounded_channel();
        let engine = Arc::new(Self {
            keys,
            scripts: Scripts::new(),
            ops: ops_tx,
            waiting: Mutex::default(),
            next_call: AtomicU64::new(1),
            health: Arc::default(),
            hub: Arc::downgrade(&hub.inner),
            subscriptions: subs_tx,
            listening: Mutex::default(),
            left: AtomicBool::new(false),
            updating: Arc::default(),
            config,
        });
        let inbound = inbound::sender(Arc::downgrade(&engine));
        let manager_config = ConnectionManagerConfig::new()
            .set_push_sender(inbound)
            .set_automatic_resubscription()
            .set_connection_timeout(Some(engine.config.call_timeout))
            .set_response_timeout(Some(engine.config.call_timeout))
            .set_max_delay(Duration::from_millis(500));
        let mut conn =
            client.get_connection_manager_with_config(manager_config).await.map_err(unreachable)?;
        if engine.config.check_durability {
            check_setting(&mut conn, &url, "appendonly", "yes").await?;
            check_setting(&mut conn, &url, "maxmemory-policy", "noeviction").await?;
        }
        batch::load_library(&mut conn, engine.scripts.library()).await.map_err(|e| {
            EngineError::Unreachable {
                url: url.clone(),
                reason: format!("loading the engine's functions (FUNCTION LOAD, Redis 7.0 or newer): {e}"),
            }
        })?;
        // Message IDs: this node's number in the high bits, so that IDs are unique across nodes
        // and restarts and stay below 2^53 (JavaScript numbers).
        let seq: u64 = conn.incr(format!("{}node-seq", engine.keys.prefix), 1).await.map_err(unreachable)?;
        hub.inner.next_message.store(((seq % (1 << 21)) << 32) | 1, Ordering::Relaxed);
        // Call numbers too: an answer meant for an earlier life of this node ID matches nothing.
        engine.next_call.store((seq % (1 << 21)) << 32 | 1, Ordering::Relaxed);
        conn.subscribe(&engine.keys.own_channel).await.map_err(unreachable)?;
        conn.subscribe(&engine.keys.presence).await.map_err(unreachable)?;
        let lease_ms = engine.config.lease.as_millis() as u64;
        let () = conn.pset_ex(&engine.keys.lease, 1, lease_ms).await.map_err(unreachable)?;
        engine.health.healthy.store(true, Ordering::Relaxed);
        tokio::spawn(subscriptions(conn.clone(), subs_rx, Arc::downgrade(&engine)));
        tokio::spawn(batch::run(
            conn,
            ops_rx,
            engine.scripts.library().to_owned(),
            engine.config.call_timeout,
            engine.health.clone(),
        ));
        // A previous process under this node ID that died without ending its sessions left
        // them in Redis: they are cleared before this one serves anyone.
        engine.clear(&engine.config.node_id).await.map_err(|f| EngineError::Unreachable {
            url: url.clone(),
            reason: format!("clearing this node ID's previous sessions: {f:?}"),
        })?;
        if hub.inner.engine.set(engine.clone()).is_err() {
            return Err(EngineError::AlreadyAttached);
        }
        tokio::spawn(sweep::heartbeat(Arc::downgrade(&engine)));
        tracing::info!(node = %engine.config.node_id, %url, "joined the engine");
        Ok(engine)
    }

    /// This node's ID.
    pub fn node_id(&self) -> &str {
        &self.config.node_id
    }

    /// True while the last calls to Redis succeeded.
    pub fn is_healthy(&self) -> bool {
        self.health.healthy.load(Ordering::Relaxed)
    }

    /// A snapshot of the engine's counters.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            batches: self.health.batches.load(Ordering::Relaxed),
            failures: self.health.failures.load(Ordering::Relaxed),
            busy_micros: self.health.busy_micros.load(Ordering::Relaxed),
        }
    }

    /// Queues a call whose outcome nobody waits for.
    fn fire(&self, cmd: redis::Cmd) {
        self.ops.push(cmd, None);
    }

    /// Queues a call; its outcome (the stream full or ended: unavailable).
    fn call(&self, cmd: redis::Cmd) -> impl Future<Output = Outcome> + Send + 'static {
        self.ops.call(cmd)
    }

    /// The hub this engine serves, while it lives.
    fn hub(&self) -> Option<Hub> {
        self.hub.upgrade().map(|inner| Hub { inner })
    }
}

/// `url` with any password replaced by `***`.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Makes and drops the node's channel subscriptions, one at a time, in the order asked.
async fn subscriptions(
    mut conn: ConnectionManager,
    mut changes: mpsc::UnboundedReceiver<Subscription>,
    engine: Weak<RedisEngine>,
) {
    while let Some(change) = changes.recv().await {
        match change {
            Subscription::Listen(name, done) => {
                let taken = conn.subscribe(&name).await.map_err(|e| Failed::Unavailable(e.to_string()));
                if taken.is_err()
                    && let Some(engine) = engine.upgrade()
                {
                    // Not listening: the next join asks again.
                    engine.listening.lock().remove(&name);
                }
                let _ = done.send(taken);
            }
            Subscription::Stop(name) => {
                if let Err(e) = conn.unsubscribe(&name).await {
                    tracing::warn!(%name, error = %e, "unsubscribing failed");
                }
            }
        }
    }
}

impl RedisEngine {
    /// Makes sure this node listens on `name`.
    fn listen(&self, name: &str) -> impl Future<Output = Result<(), Failed>> + Send + use<> {
        let (done, taken) = oneshot::channel();
        let asked = self.listening.lock().insert(name.to_owned())
            && self.subscriptions.send(Subscription::Listen(name.to_owned(), done)).is_ok();
        async move {
            if !asked {
                return Ok(());
            }
            taken.await.unwrap_or_else(|_| Err(Failed::Unavailable("the engine has stopped".into())))
        }
    }

    /// This node has no member left in channel `id`: it stops listening on it.
    pub(crate) fn unlisten_channel(&self, id: &str) {
        self.unindex(self.channels_of(&self.config.node_id), id);
        let name = self.channel_topic(id);
        if self.listening.lock().remove(&name) {
            let _ = self.subscriptions.send(Subscription::Stop(name));
        }
    }
}

/// Checks one Redis setting against the value sigshim needs.
async fn check_setting(
    conn: &mut ConnectionManager,
    url: &str,
    setting: &'static str,
    required: &'static str,
) -> Result<(), EngineError> {
    // RESP3 answers CONFIG GET with a map.
    let got: std::collections::HashMap<String, String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg(setting)
        .query_async(conn)
        .await
        .map_err(|e| EngineError::Unreachable { url: url.to_owned(), reason: e.to_string() })?;
    let value = got.get(setting).cloned().unwrap_or_default();
    if value == required { Ok(()) } else { Err(EngineError::Setting { setting, value, required }) }
}

/// Whether `namespace` can start key names: non-empty, and without what would split a key
/// (`:`), open a hash tag (`{`, `}`) or break a command line (white space).
fn valid_namespace(namespace: &str) -> bool {
    !namespace.is_empty() && !namespace.chars().any(|c| c.is_whitespace() || matches!(c, '{' | '}' | ':'))
}

#[cfg(test)]
mod tests {
    use super::{redacted, valid_namespace};

    #[test]
    fn a_namespace_cannot_split_a_key_or_open_a_hash_tag() {
        for good in ["sigshim", "eu-prod", "t_42"] {
            assert!(valid_namespace(good), "{good}");
        }
        for bad in ["", "a:b", "{x}", "a b", "tab\there"] {
            assert!(!valid_namespace(bad), "{bad:?}");
        }
    }

    #[test]
    fn passwords_never_reach_errors_or_logs() {
        assert_eq!(redacted("redis://u:secret@h:6379/0"), "redis://u:***@h:6379/0");
        assert_eq!(redacted("redis://:secret@h"), "redis://:***@h");
        assert_eq!(redacted("redis://h:6379"), "redis://h:6379");
        assert_eq!(redacted("redis://user@h"), "redis://user@h");
    }
}
