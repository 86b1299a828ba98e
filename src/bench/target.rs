//! What the generator drives: a `sigshim serve` it starts (a child process, so that its memory
//! and CPU can be read apart from the generator's), or several started as nodes on a
//! `redis-server` it starts too (or one node on it), a server given by URL, or a hub in this
//! process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use sigshim::limits::{Limits, RateLimits};
use sigshim::transport::{WsConnector, WsOptions};
use sigshim::{ClientBuilder, Hub, HubConfig};
use sigshim_legacy::SignalingOptions;

use super::procfs::{self, CpuMeter};
use super::redis::RedisChild;

/// The app ID of every bench run.
pub(crate) const APP_ID: &str = "sigshim-bench";

/// The server's configuration for a bench: no call-rate limits, room for many connections.
/// `[server]` stays the last table: [`Target::spawn`] appends to it.
const SERVER_CONFIG: &str = r#"
app_id = "sigshim-bench"
[rates]
unlimited = true
[hub]
inbox_capacity = 8192
[server]
max_connections = 100000
"#;

/// Where the simulated users connect.
pub(crate) enum Target {
    /// `sigshim serve` child processes: one alone, or nodes on a `redis-server` child.
    Spawned(Spawned),
    /// A server someone else runs.
    Url(String),
    /// A hub in this process (no sockets).
    InProcess(Hub),
}

/// The `sigshim serve` children of a run and, when they run on the engine, their Redis.
pub(crate) struct Spawned {
    /// Dropped (killed) first, so that no node outlives its Redis.
    nodes: Vec<Node>,
    redis: Option<RedisChild>,
    _config: TempFile,
}

/// One `sigshim serve` child.
struct Node {
    child: Child,
    url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A file removed when dropped.
pub(crate) struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The CPU meters of a run's server side: each node, and the Redis they share.
#[derive(Default)]
pub(crate) struct ServerMeters {
    /// One per node, in node order (empty when the server is not a child).
    pub(crate) nodes: Vec<CpuMeter>,
    /// The redis-server child's.
    pub(crate) redis: Option<CpuMeter>,
    /// Each node's engine counters at the start, when the nodes run on Redis.
    pub(crate) engine: Vec<Option<EngineMeter>>,
}

/// A node's engine counters (`/metrics`: `sigshim_engine_batches_total`,
/// `sigshim_engine_busy_seconds_total`) at one point in time.
#[derive(Debug, Clone)]
pub(crate) struct EngineMeter {
    url: String,
    batches: f64,
    busy_s: f64,
    at: std::time::Instant,
}

impl EngineMeter {
    /// Reads the counters of the node at `url` (`ws://host:port/`), if it answers.
    fn start(url: &str) -> Option<Self> {
        let (batches, busy_s) = engine_counters(url)?;
        Some(Self { url: url.to_owned(), batches, busy_s, at: std::time::Instant::now() })
    }

    /// Pipelines sent per second since the start, and the share of that time (percent) the
    /// node's ordered stream had a pipeline in flight.
    pub(crate) fn rates(&self) -> Option<(f64, f64)> {
        let (batches, busy_s) = engine_counters(&self.url)?;
        let wall = self.at.elapsed().as_secs_f64();
        (wall > 0.0).then(|| ((batches - self.batches) / wall, 100.0 * (busy_s - self.busy_s) / wall))
    }
}

/// The engine counters of the node at `url`, from its `/metrics` (a plain HTTP/1.1 request).
fn engine_counters(url: &str) -> Option<(f64, f64)> {
    use std::io::{Read, Write};
    let addr = url.strip_prefix("ws://")?.trim_end_matches('/');
    let mut tcp = std::net::TcpStream::connect(addr).ok()?;
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(2))).ok()?;
    write!(tcp, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    tcp.read_to_string(&mut text).ok()?;
    let value = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((value("sigshim_engine_batches_total")?, value("sigshim_engine_busy_seconds_total")?))
}

impl Target {
    /// Starts `nodes` `sigshim serve` children on free loopback ports and waits for their
    /// addresses. With `engine` (always with more than one node) it first starts a
    /// `redis-server` and runs them as nodes `n1`, `n2`, … on it.
    ///
    /// `pending`, when given, is the servers' `max_pending_connections`: a server keeps that
    /// many places for sockets in their HTTP phase inside its descriptor limit, and the rest of
    /// the limit for logged-in connections. The idle scenario passes its `--concurrency` (its
    /// logins are paced, at most that many in flight), so that under a descriptor limit the
    /// server holds as many connections as the limit allows. The others keep the server's
    /// default: the fan-out logs its members in all at once.
    pub(crate) fn spawn(nodes: usize, engine: bool, pending: Option<usize>) -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("sigshim-bench-{}.toml", std::process::id()));
        let config = match pending {
            Some(n) => format!("{SERVER_CONFIG}max_pending_connections = {}\n", n.max(1)),
            None => SERVER_CONFIG.to_owned(),
        };
        std::fs::write(&path, config).map_err(|e| format!("writing {}: {e}", path.display()))?;
        let config = TempFile(path);
        let redis = if engine || nodes > 1 { Some(RedisChild::start()?) } else { None };
        let mut spawned = Spawned { nodes: Vec::with_capacity(nodes), redis, _config: config };
        for i in 0..nodes.max(1) {
            let url = spawned.redis.as_ref().map(RedisChild::url);
            let node_id = format!("n{}", i + 1);
            let engine = url.as_deref().map(|url| (url, node_id.as_str()));
            spawned.nodes.push(Node::spawn(&spawned._config.0, engine)?);
        }
        Ok(Target::Spawned(spawned))
    }

    /// A hub in this process with the bench's limits.
    pub(crate) fn in_process() -> Self {
        let limits = Limits::default().rates(RateLimits::unlimited());
        let legacy = Limits::legacy().rates(RateLimits::unlimited());
        let config = HubConfig::new(APP_ID).limits(limits).legacy_limits(legacy).inbox_capacity(8192);
        Target::InProcess(Hub::new(config))
    }

    /// What the report calls it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Target::Spawned(Spawned { nodes, redis: None, .. }) => {
                format!("sigshim serve (child) at {}", nodes[0].url)
            }
            Target::Spawned(Spawned { nodes, redis: Some(redis), .. }) => {
                let urls: Vec<&str> = nodes.iter().map(|n| n.url.as_str()).collect();
                let what = if nodes.len() == 1 {
                    "sigshim serve (child)".to_owned()
                } else {
                    format!("{} sigshim serve nodes (children)", nodes.len())
                };
                format!("{what} on redis-server (child) at {}: {}", redis.url(), urls.join(", "))
            }
            Target::Url(url) => format!("server at {url}"),
            Target::InProcess(_) => "in-process hub".into(),
        }
    }

    /// How many server processes share the users (1 unless the bench started several nodes).
    pub(crate) fn nodes(&self) -> usize {
        match self {
            Target::Spawned(s) => s.nodes.len(),
            _ => 1,
        }
    }

    /// The URL of node `node` (modulo the nodes), when there is a server.
    pub(crate) fn url_on(&self, node: usize) -> Option<&str> {
        match self {
            Target::Spawned(s) => Some(&s.nodes[node % s.nodes.len()].url),
            Target::Url(url) => Some(url),
            Target::InProcess(_) => None,
        }
    }

    /// The server's URL (the first node's), when there is one.
    pub(crate) fn url(&self) -> Option<&str> {
        self.url_on(0)
    }

    /// A client builder that reaches node `node` (modulo the nodes) of the target.
    pub(crate) fn client_on(&self, node: usize) -> ClientBuilder {
        let b = sigshim::Client::builder(APP_ID);
        match self {
            Target::InProcess(hub) => b.hub(hub),
            _ => b.connector(Arc::new(WsConnector::new(self.ws_url(node)))),
        }
    }

    /// A client builder for a mostly silent user on node `node`: it pings every 10 s instead of
    /// every 2 s (the server closes a connection after 30 s without a frame).
    pub(crate) fn quiet_client_on(&self, node: usize) -> ClientBuilder {
        let options = WsOptions::default()
            .heartbeat(std::time::Duration::from_secs(10))
            .link_timeout(std::time::Duration::from_secs(30));
        match self {
            Target::InProcess(_) => self.client_on(node),
            _ => sigshim::Client::builder(APP_ID)
                .connector(Arc::new(WsConnector::with_options(self.ws_url(node), options))),
        }
    }

    /// Legacy options that reach node `node` (modulo the nodes) of the target.
    pub(crate) fn legacy_on(&self, node: usize) -> SignalingOptions {
        let o = SignalingOptions::default();
        match self {
            Target::InProcess(hub) => o.hub(hub),
            _ => o.url(self.ws_url(node)),
        }
    }

    /// Node `node`'s URL, owned (empty for the in-process hub, which has none).
    fn ws_url(&self, node: usize) -> String {
        self.url_on(node).unwrap_or_default().to_owned()
    }

    /// The server's process id (the first node's), when the generator started it.
    pub(crate) fn pid(&self) -> Option<u32> {
        match self {
            Target::Spawned(s) => Some(s.nodes[0].child.id()),
            _ => None,
        }
    }

    /// Each node's process id, when the generator started them.
    fn node_pids(&self) -> Vec<u32> {
        match self {
            Target::Spawned(s) => s.nodes.iter().map(|n| n.child.id()).collect(),
            _ => Vec::new(),
        }
    }

    /// The redis-server child's process id, when there is one.
    pub(crate) fn redis_pid(&self) -> Option<u32> {
        match self {
            Target::Spawned(Spawned { redis: Some(redis), .. }) => Some(redis.pid()),
            _ => None,
        }
    }

    /// The server's resident memory now, in KiB: the sum over the nodes.
    pub(crate) fn rss_kib(&self) -> Option<u64> {
        let each = self.rss_kib_each()?;
        Some(each.iter().sum())
    }

    /// Each node's resident memory now, in KiB.
    pub(crate) fn rss_kib_each(&self) -> Option<Vec<u64>> {
        let pids = self.node_pids();
        if pids.is_empty() {
            return None;
        }
        pids.into_iter().map(procfs::rss_kib).collect()
    }

    /// Starts measuring the server's CPU (the first node's: for runs on one node).
    pub(crate) fn cpu(&self) -> Option<CpuMeter> {
        self.pid().and_then(CpuMeter::start)
    }

    /// Starts measuring the CPU of every node and of their Redis, and the nodes' engine
    /// pipelines.
    pub(crate) fn meters(&self) -> ServerMeters {
        let engine = match self {
            Target::Spawned(Spawned { nodes, redis: Some(_), .. }) => {
                nodes.iter().map(|n| EngineMeter::start(&n.url)).collect()
            }
            _ => Vec::new(),
        };
        ServerMeters {
            nodes: self.node_pids().into_iter().filter_map(CpuMeter::start).collect(),
            redis: self.redis_pid().and_then(CpuMeter::start),
            engine,
        }
    }

    /// Adds what the run ran on to a report: `nodes` (server processes sharing the users) and
    /// `engine` (`redis` when the bench started nodes on a Redis, else `none`).
    pub(crate) fn fields(&self, r: &mut super::stats::Report) {
        r.set("nodes", self.nodes() as u64);
        let on_redis = matches!(self, Target::Spawned(Spawned { redis: Some(_), .. }));
        r.set("engine", if on_redis { "redis" } else { "none" });
    }
}

impl Node {
    /// Starts `sigshim serve` with `config` (and, with `engine`, as node `engine.1` on the Redis
    /// at `engine.0`) on a free loopback port, and waits for its address.
    fn spawn(config: &std::path::Path, engine: Option<(&str, &str)>) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("finding the sigshim binary: {e}"))?;
        let mut command = Command::new(exe);
        command.args(["serve", "--listen", "127.0.0.1:0", "--config"]).arg(config);
        if let Some((url, node_id)) = engine {
            command.args(["--engine", url, "--node-id", node_id]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting sigshim serve: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout from sigshim serve")?;
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).map_err(|e| format!("reading the server: {e}"))?;
        // Keep reading what the server prints, so that it never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        // "sigshim serving ws://127.0.0.1:PORT/ (app ID …)"
        let url = first.split_whitespace().nth(2).filter(|u| u.starts_with("ws://")).map(str::to_owned);
        match url {
            Some(url) => Ok(Node { child, url }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("unexpected first line from sigshim serve: {first:?}"))
            }
        }
    }
}
