//! Several `sigshim serve` nodes on one Redis, as separate processes: peer messages cross nodes,
//! a stored offline message outlives a restart of the receiver's node, a Redis that may lose
//! acknowledged data is refused, and `/healthz` follows the node's link to Redis.
//!
//! Each test starts its own `redis-server` (`sigshim_conformance::redis_server`); where none is
//! installed the tests pass as skipped, unless `SIGSHIM_REQUIRE_REDIS=1` (CI).

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sigshim::RtmCode as _;
use sigshim::error::PeerMessageError;
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, Events, Message, SendMessageOptions};
use sigshim_conformance::redis_server::RedisServer;

#[path = "common/served.rs"]
mod served;
use served::{BIN, Served};

const APP: &str = "cluster-app";

/// The bound of every wait in these tests.
const DEADLINE: Duration = Duration::from_secs(30);

/// Starts `sigshim serve` as node `node_id` on `redis`, with `extra` arguments, and checks that
/// its start-up says so.
fn node(redis: &RedisServer, node_id: &str, extra: &[&str]) -> Served {
    let mut command = Command::new(BIN);
    command.args(["serve", "--listen", "127.0.0.1:0", "--app-id", APP]);
    command.args(["--engine", &redis.url(), "--node-id", node_id]).args(extra);
    let (served, lines) = Served::spawn_reading(command, DEADLINE);
    let state = lines.last().expect("the state line");
    assert!(
        state.starts_with(&format!("state: node {node_id:?} on the engine {}: ", redis.url())),
        "{lines:#?}"
    );
    assert!(state.contains("Redis keeps stored offline messages, who is online on which node"), "{state}");
    assert!(state.contains("calls, channels and attributes reach across nodes"), "{state}");
    assert!(state.contains("this node alone keeps its sessions, which a restart"), "{state}");
    assert!(!lines.iter().any(|l| l.starts_with("state: in memory only")), "{lines:#?}");
    served
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
}

/// A core client over WebSocket, logged in as `user` on `served`.
async fn login(served: &Served, user: &str) -> (Client, Events) {
    let connector = Arc::new(WsConnector::new(served.url.clone()));
    let (client, events) = Client::builder(APP).connector(connector).build();
    tokio::time::timeout(DEADLINE, client.login(None, user))
        .await
        .expect("the login ends within the deadline")
        .unwrap_or_else(|e| panic!("{user} logs in at {}: {e}", served.url));
    (client, events)
}

/// The next peer message on `events`: (sender, message, stored while offline).
async fn next_message(events: &mut Events) -> (String, Message, bool) {
    let message = async {
        loop {
            match events.recv().await.expect("the client lives") {
                ClientEvent::MessageFromPeer { peer_id, message, is_offline } => {
                    return (peer_id, message, is_offline);
                }
                _ => continue,
            }
        }
    };
    tokio::time::timeout(DEADLINE, message).await.expect("a peer message within the deadline")
}

#[test]
fn peer_messages_cross_nodes_and_a_stored_one_outlives_the_receivers_node() {
    let Some(redis) = RedisServer::start() else { return };
    let n1 = node(&redis, "n1", &[]);
    let n2 = node(&redis, "n2", &[]);
    let rt = runtime();
    let alice = rt.block_on(async {
        let (alice, mut alice_events) = login(&n1, "alice").await;
        let (bob, mut bob_events) = login(&n2, "bob").await;

        // alice on n1 -> bob on n2, and back.
        let receipt = alice
            .send_message_to_peer("bob", &Message::text("hello bob, from n1"), SendMessageOptions::default())
            .await
            .expect("bob, on n2, receives it");
        let (from, message, offline) = next_message(&mut bob_events).await;
        assert_eq!(
            (from.as_str(), message.text_or_description(), offline),
            ("alice", "hello bob, from n1", false)
        );
        assert_eq!(message.id, receipt.id, "bob gets the ID alice was told");
        bob.send_message_to_peer("alice", &Message::text("hi alice, from n2"), SendMessageOptions::default())
            .await
            .expect("alice, on n1, receives it");
        let (from, message, offline) = next_message(&mut alice_events).await;
        assert_eq!(
            (from.as_str(), message.text_or_description(), offline),
            ("bob", "hi alice, from n2", false)
        );

        // bob leaves: with offline messaging on, the message is stored for him.
        bob.logout().await.expect("bob logs out");
        let sent = alice
            .send_message_to_peer("bob", &Message::text("stored for bob"), SendMessageOptions::offline())
            .await;
        assert_eq!(sent.map(|r| r.id), Err(PeerMessageError::CachedByServer), "code 4");
        assert_eq!(PeerMessageError::CachedByServer.code(), 4);
        alice
    });

    // bob's node restarts: what it held is gone, what Redis holds is not.
    let stopped = n2.stop();
    assert!(stopped.status.success(), "n2 exits 0 on SIGTERM");
    let n2 = node(&redis, "n2", &[]);
    rt.block_on(async {
        let (_bob, mut bob_events) = login(&n2, "bob").await;
        let (from, message, offline) = next_message(&mut bob_events).await;
        assert_eq!(
            (from.as_str(), message.text_or_description(), offline),
            ("alice", "stored for bob", true)
        );
        alice.logout().await.expect("alice logs out");
    });
}

/// A `redis-server` started by hand with `appendonly no`: acknowledged writes may be lost in a
/// crash, which serve must refuse.
struct LaxRedis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl LaxRedis {
    fn start() -> LaxRedis {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("addr").port();
        let dir = std::env::temp_dir().join(format!("sigshim-lax-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for redis-server");
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--maxmemory-policy", "noeviction"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let out = child.stdout.take().expect("redis-server's stdout");
        let (ready_tx, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if line.contains("Ready to accept connections") {
                    let _ = ready_tx.send(());
                }
            }
        });
        let lax = LaxRedis { child, port, dir };
        ready.recv_timeout(DEADLINE).expect("redis-server ready within the deadline");
        lax
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for LaxRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `sigshim serve … args` to its end, which must come within the deadline.
fn serve_to_the_end(args: &[&str]) -> Output {
    let child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--app-id", APP])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sigshim serve starts");
    let pid = child.id();
    let (tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match done.recv_timeout(DEADLINE) {
        Ok(output) => output.expect("its output"),
        Err(e) => {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            panic!("sigshim serve {args:?} did not exit within the deadline: {e}");
        }
    }
}

#[test]
fn serve_refuses_a_redis_that_may_lose_acknowledged_messages() {
    let Some(redis) = RedisServer::start() else { return };
    let lax = LaxRedis::start();
    let out = serve_to_the_end(&["--engine", &lax.url(), "--node-id", "n1"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("appendonly no") && stderr.contains("appendonly yes"), "{stderr}");
    assert!(stderr.contains(&lax.url()), "the engine is named: {stderr}");
    assert!(!stdout.contains("ws://"), "it never served: {stdout}");

    // An eviction policy would drop stored messages under memory pressure: refused as well.
    assert_eq!(redis.command("CONFIG SET maxmemory-policy allkeys-lru"), "+OK");
    let out = serve_to_the_end(&["--engine", &redis.url()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("maxmemory-policy allkeys-lru") && stderr.contains("noeviction"), "{stderr}");
}

#[test]
fn bad_engine_settings_are_refused_before_serving() {
    // Settings: exit 2, with what is wrong. No Redis is needed to refuse them.
    let cases: [(&[&str], &str); 4] = [
        (&["--engine", "http://127.0.0.1:6379"], "is not a Redis URL"),
        (&["--engine", "redis://127.0.0.1:6379", "--node-id", ""], "the node ID is empty"),
        (&["--engine", "redis://127.0.0.1:6379", "--node-id", "a|b"], "contains '|'"),
        (&["--node-id", "n1"], "there is no engine"),
    ];
    for (args, expected) in cases {
        let out = serve_to_the_end(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // A Redis that is not there: a start-up error, exit 1.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("addr");
    let url = format!("redis://{closed}");
    let out = serve_to_the_end(&["--engine", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cannot join the engine at {url}")), "{stderr}");
}

/// The JSON body of `/healthz`, with its status line.
fn health(served: &Served) -> (String, serde_json::Value) {
    let response = served.get("/healthz");
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}")))
}

/// Polls `/healthz` until its status line starts with `status`, within the deadline.
fn wait_for_health(served: &Served, status: &str) -> serde_json::Value {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let (line, body) = health(served);
        if line.starts_with(status) {
            return body;
        }
        assert!(Instant::now() < deadline, "/healthz still says {line} {body} after {DEADLINE:?}");
        // The interval between polls, not a wait for the outcome.
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The value of the unlabelled sample `name` in a `/metrics` response.
fn sample(metrics: &str, name: &str) -> f64 {
    let line = metrics.lines().find(|l| l.split_whitespace().next() == Some(name));
    let value =
        line.and_then(|l| l.split_whitespace().nth(1)).unwrap_or_else(|| panic!("no {name}: {metrics}"));
    value.parse().unwrap_or_else(|e| panic!("{name} = {value}: {e}"))
}

#[test]
fn healthz_answers_503_while_redis_is_unreachable_and_200_again_after() {
    let Some(mut redis) = RedisServer::start() else { return };
    // Short engine deadlines from the file; the flags win over the file's engine and node ID.
    let file = std::env::temp_dir().join(format!("sigshim-cluster-{}.toml", std::process::id()));
    let text = "app_id = \"file-app\"\n[cluster]\nengine = \"redis://127.0.0.1:1\"\nnode_id = \"from-file\"\n\
                call_timeout_ms = 1000\nlease_ms = 1500\n";
    std::fs::write(&file, text).expect("the configuration file");
    let n1 = node(&redis, "n1", &["--config", file.to_str().expect("a UTF-8 path")]);
    let _ = std::fs::remove_file(&file);

    let (status, body) = health(&n1);
    assert!(status.starts_with("HTTP/1.1 200"), "{status} {body}");
    assert_eq!(
        (&body["status"], &body["engine"], &body["app_id"]),
        (&"ok".into(), &"ok".into(), &APP.into())
    );
    let metrics = n1.get("/metrics");
    for name in ["sigshim_engine_batches_total", "sigshim_engine_busy_seconds_total"] {
        assert!(sample(&metrics, name) >= 0.0, "{metrics}");
        assert!(metrics.contains(&format!("# TYPE {name} counter")), "{metrics}");
    }
    assert_eq!(sample(&metrics, "sigshim_engine_failures_total"), 0.0, "{metrics}");

    redis.kill();
    let body = wait_for_health(&n1, "HTTP/1.1 503");
    assert_eq!((&body["status"], &body["engine"]), (&"unavailable".into(), &"unreachable".into()), "{body}");
    // The failed calls are counted, among the calls made.
    let metrics = n1.get("/metrics");
    let failures = sample(&metrics, "sigshim_engine_failures_total");
    assert!(failures >= 1.0 && sample(&metrics, "sigshim_engine_batches_total") >= failures, "{metrics}");

    redis.restart();
    let body = wait_for_health(&n1, "HTTP/1.1 200");
    assert_eq!((&body["status"], &body["engine"]), (&"ok".into(), &"ok".into()), "{body}");
}

#[test]
fn healthz_has_no_engine_field_without_an_engine() {
    let served = Served::start(APP, &[]);
    let (status, body) = health(&served);
    assert!(status.starts_with("HTTP/1.1 200"), "{status} {body}");
    assert_eq!(body["status"], "ok");
    assert!(body.get("engine").is_none(), "{body}");
    assert!(!served.get("/metrics").contains("sigshim_engine_"), "no engine, no engine metrics");
}
