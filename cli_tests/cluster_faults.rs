//! Faults and restarts under load on two `sigshim serve` nodes and one Redis, with a checker
//! that records every send's outcome: a message answered Ok or "stored" (4) reaches its
//! receiver, whatever dies or restarts, in the order it was sent (a repeat after a crash is
//! dropped by its message ID).
//!
//! Each test starts its own `redis-server` (`sigshim_conformance::redis_server`); where none is
//! installed the tests pass as skipped, unless `SIGSHIM_REQUIRE_REDIS=1` (CI).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sigshim::error::PeerMessageError;
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, Events, Message, SendMessageOptions};
use sigshim_conformance::proxy::Proxy;
use sigshim_conformance::raw::RawClient;
use sigshim_conformance::redis_server::RedisServer;

#[path = "common/served.rs"]
mod served;
use served::{BIN, Served};

const APP: &str = "cluster-faults";

/// The bound of every wait in these tests.
const DEADLINE: Duration = Duration::from_secs(30);

/// A node's settings: no rate limits (the checker sends as fast as replies come), and a short
/// lease so that a dead node is swept quickly.
const CONFIG: &str = "app_id = \"cluster-faults\"\n[rates]\nunlimited = true\n[cluster]\nlease_ms = 900\n";

/// Starts node `node_id` on `redis` with [`CONFIG`] written to `config`.
fn node(redis: &RedisServer, node_id: &str, config: &std::path::Path) -> Served {
    let mut command = Command::new(BIN);
    command.args(["serve", "--listen", "127.0.0.1:0", "--config"]).arg(config);
    command.args(["--engine", &redis.url(), "--node-id", node_id]);
    Served::spawn_reading(command, DEADLINE).0
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

/// What one receiving client got, in order: (message ID, text).
type Received = Arc<Mutex<Vec<(u64, String)>>>;

/// Records every peer message of `events` into `into` until the client goes, waking `arrived`
/// at each.
fn record(
    mut events: Events,
    into: Received,
    arrived: Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            if let ClientEvent::MessageFromPeer { message, .. } = event {
                into.lock().unwrap().push((message.id, message.text_or_description().to_owned()));
                arrived.notify_one();
            }
        }
    })
}

/// Asserts that `got` holds each message once at most, in the order they were sent.
fn in_send_order(got: &[(u64, String)], who: &str) {
    let order: Vec<usize> = got.iter().map(|(_, t)| t[1..].parse().expect("m<n>")).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{who} got them out of order or twice: {order:?}");
}

/// What of `want` (message numbers) `got` still lacks once it has it all or the deadline has
/// passed; each arrival (`arrived`) wakes the check.
async fn still_missing(want: &BTreeSet<usize>, got: &Received, arrived: &tokio::sync::Notify) -> Vec<usize> {
    let missing = || -> Vec<usize> {
        let have: BTreeSet<usize> =
            got.lock().unwrap().iter().map(|(_, t)| t[1..].parse().unwrap()).collect();
        want.difference(&have).copied().collect()
    };
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !missing().is_empty() {
        if tokio::time::timeout_at(deadline, arrived.notified()).await.is_err() {
            break;
        }
    }
    missing()
}

/// Node n2, which holds bob, is killed (SIGKILL) after alice, on n1, sent him 100 messages.
/// Bob's client on n2 reads but never acknowledges, so all 100 are unconfirmed at the kill.
/// Alice goes on sending: refused while n2's lease runs, then stored. Every message answered Ok
/// or 4 reaches bob at his next login, on n1, from what Redis kept (his ledger, for those n2 had
/// queued; his box, for those stored after), exactly once and in the order sent.
#[test]
fn a_node_killed_under_load_loses_no_acknowledged_message() {
    let Some(redis) = RedisServer::start() else { return };
    let config = std::env::temp_dir().join(format!("sigshim-faults-{}.toml", std::process::id()));
    std::fs::write(&config, CONFIG).expect("the config file");
    let n1 = node(&redis, "n1", &config);
    let n2 = node(&redis, "n2", &config);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let after: Received = Default::default();
    let outcomes = rt.block_on(async {
        let (alice, _alice_events) = login(&n1, "alice").await;
        // bob on n2 speaks the protocol by hand and never acknowledges an event.
        let mut bob = RawClient::connect(&n2.url).await;
        bob.login(APP, "bob").await;
        let arrived = Arc::new(tokio::sync::Notify::new());
        let mut outcomes: BTreeMap<usize, Result<u64, PeerMessageError>> = BTreeMap::new();
        let send = |i: usize| {
            let alice = alice.clone();
            async move {
                let message = Message::text(format!("m{i}"));
                let sent = alice.send_message_to_peer("bob", &message, SendMessageOptions::offline());
                tokio::time::timeout(DEADLINE, sent)
                    .await
                    .expect("every send is answered in time")
                    .map(|r| r.id)
            }
        };
        for i in 0..100 {
            outcomes.insert(i, send(i).await);
        }
        drop(n2); // SIGKILL
        // Until n2's lease lapses its users are still its own: sends fail (1), unacknowledged.
        // Then n2 is taken for dead at the first send, and messages are stored (4).
        let mut i = 100;
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while outcomes.get(&(i - 1)) != Some(&Err(PeerMessageError::CachedByServer)) {
            assert!(tokio::time::Instant::now() < deadline, "never stored after the kill");
            outcomes.insert(i, send(i).await);
            i += 1;
            // The sender's pace while n2's lease runs out (0.9 s): not a wait for an event.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for j in i..i + 150 {
            outcomes.insert(j, send(j).await);
        }
        drop(bob);
        // bob logs in again, on the node that is left: what Redis kept for him arrives.
        let (_bob, bob_events) = login(&n1, "bob").await;
        let recorder = record(bob_events, after.clone(), arrived.clone());
        let missing = still_missing(&kept(&outcomes), &after, &arrived).await;
        recorder.abort();
        assert_eq!(missing, Vec::<usize>::new(), "acknowledged and never delivered; outcomes: {outcomes:?}");
        outcomes
    });
    in_send_order(&after.lock().unwrap(), "bob on n1");
    let ok = outcomes.values().filter(|o| o.is_ok()).count();
    let stored = outcomes.values().filter(|o| *o == &Err(PeerMessageError::CachedByServer)).count();
    let got = after.lock().unwrap().len();
    let refused = outcomes.len() - ok - stored;
    println!("{ok} delivered, {stored} stored, {refused} refused; bob got {got} at his next login");
    assert_eq!(ok, 100, "the first 100 were queued on n2, none after the kill: {outcomes:?}");
    // After the kill: refused (1) while n2's lease ran, then stored up to the box's cap of 200
    // (n2's 100 unconfirmed ones went there first), then refused as unreachable (3). Nothing
    // in between was acknowledged and lost.
    assert_eq!(stored, 100, "{outcomes:?}");
    let after_kill = |o: &Result<u64, PeerMessageError>| {
        matches!(
            o,
            Err(PeerMessageError::Failure
                | PeerMessageError::CachedByServer
                | PeerMessageError::PeerUnreachable)
        )
    };
    assert!(outcomes.range(100..).all(|(_, o)| after_kill(o)), "{outcomes:?}");
    assert_eq!(got, ok + stored, "every acknowledged message, each once (in_send_order)");
    let _ = std::fs::remove_file(&config);
    drop(n1);
}

/// Bob reaches the service through a balancer (a proxy) that sends him to n2. n2 is killed with
/// messages to bob queued there and unconfirmed; the balancer now sends him to n1. His client
/// cannot resume there (n2's session died with n2), logs in anew on n1 on its own, and gets
/// every message alice was told was delivered, each once, in the order sent.
#[test]
fn a_client_whose_node_died_carries_on_on_another_node() {
    let Some(redis) = RedisServer::start() else { return };
    let config = std::env::temp_dir().join(format!("sigshim-faults-lb-{}.toml", std::process::id()));
    std::fs::write(&config, CONFIG).expect("the config file");
    let n1 = node(&redis, "n1", &config);
    let n2 = node(&redis, "n2", &config);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let balancer = Proxy::start(n2.addr().parse().expect("n2's address")).await;
        let (alice, _alice_events) = login(&n1, "alice").await;
        let connector = Arc::new(WsConnector::new(balancer.url()));
        let (bob, bob_events) = Client::builder(APP).connector(connector).build();
        tokio::time::timeout(DEADLINE, bob.login(None, "bob")).await.expect("in time").expect("bob logs in");
        let got: Received = Default::default();
        let arrived = Arc::new(tokio::sync::Notify::new());
        let recorder = record(bob_events, got.clone(), arrived.clone());
        // Stall bob's link so that what n2 queues for him stays unconfirmed, then send.
        balancer.stall();
        let mut delivered = Vec::new();
        for i in 0..50 {
            let message = Message::text(format!("m{i}"));
            let sent = alice.send_message_to_peer("bob", &message, SendMessageOptions::default());
            if tokio::time::timeout(DEADLINE, sent).await.expect("answered in time").is_ok() {
                delivered.push(i);
            }
        }
        assert_eq!(delivered.len(), 50, "queued on n2 for bob");
        drop(n2); // SIGKILL
        balancer.set_upstream(n1.addr().parse().expect("n1's address"));
        balancer.cut();
        balancer.resume();
        let delivered: BTreeSet<usize> = delivered.into_iter().collect();
        let missing = still_missing(&delivered, &got, &arrived).await;
        assert_eq!(missing, Vec::<usize>::new(), "delivered to n2, never to bob");
        in_send_order(&got.lock().unwrap(), "bob");
        assert_eq!(bob.connection_state(), sigshim::ConnectionState::Connected, "bob is on n1 now");
        recorder.abort();
    });
    let _ = std::fs::remove_file(&config);
    drop(n1);
}

/// Every send's outcome, by message number.
type Outcomes = Arc<Mutex<BTreeMap<usize, Result<u64, PeerMessageError>>>>;

/// The sends of `outcomes` that were acknowledged (Ok, or stored: 4).
fn kept(outcomes: &BTreeMap<usize, Result<u64, PeerMessageError>>) -> BTreeSet<usize> {
    let kept = |o: &Result<u64, PeerMessageError>| matches!(o, Ok(_) | Err(PeerMessageError::CachedByServer));
    outcomes.iter().filter(|(_, o)| kept(o)).map(|(i, _)| *i).collect()
}

/// The acknowledged sends of the shared `outcomes`.
fn acknowledged(outcomes: &Outcomes) -> BTreeSet<usize> {
    kept(&outcomes.lock().unwrap())
}

/// Waits until `more` further sends of `outcomes` are acknowledged (each answer wakes `answered`).
async fn acknowledged_more(outcomes: &Outcomes, answered: &tokio::sync::Notify, more: usize, step: &str) {
    let want = acknowledged(outcomes).len() + more;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while acknowledged(outcomes).len() < want {
        if tokio::time::timeout_at(deadline, answered.notified()).await.is_err() {
            panic!(
                "{step}: no {more} acknowledged sends within {DEADLINE:?}: {:?}",
                outcomes.lock().unwrap()
            );
        }
    }
}

/// A rolling restart with users connected and a sender that never pauses. Alice (on n1) and
/// bob (on n2) reach the service through balancers; alice sends to bob all along. Each node in
/// turn is stopped (SIGTERM: it closes its connections and leaves the engine), its clients move
/// to the other node on their own, and it starts again under its ID; then alice moves back, so
/// the two end on different nodes again. Every message answered Ok or 4 reaches bob once, in
/// the order sent, and sends carry on between the steps.
#[test]
fn a_rolling_restart_with_users_connected_loses_no_acknowledged_message() {
    let Some(redis) = RedisServer::start() else { return };
    let config = std::env::temp_dir().join(format!("sigshim-rolling-{}.toml", std::process::id()));
    std::fs::write(&config, CONFIG).expect("the config file");
    let addr = |n: &Served| -> std::net::SocketAddr { n.addr().parse().expect("a node's address") };
    let mut n1 = node(&redis, "n1", &config);
    let mut n2 = node(&redis, "n2", &config);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let got: Received = Default::default();
    let outcomes: Outcomes = Default::default();
    rt.block_on(async {
        let to_alice = Proxy::start(addr(&n1)).await;
        let to_bob = Proxy::start(addr(&n2)).await;
        let client = |proxy: &Proxy, user: &'static str| {
            let connector = Arc::new(WsConnector::new(proxy.url()));
            let (client, events) = Client::builder(APP).connector(connector).build();
            async move {
                tokio::time::timeout(DEADLINE, client.login(None, user))
                    .await
                    .expect("in time")
                    .expect("login");
                (client, events)
            }
        };
        let (alice, _alice_events) = client(&to_alice, "alice").await;
        let (_bob, bob_events) = client(&to_bob, "bob").await;
        let arrived = Arc::new(tokio::sync::Notify::new());
        let recorder = record(bob_events, got.clone(), arrived.clone());
        let answered = Arc::new(tokio::sync::Notify::new());
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sender = {
            let (outcomes, answered, stop) = (outcomes.clone(), answered.clone(), stop.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let message = Message::text(format!("m{i}"));
                    let sent = alice.send_message_to_peer("bob", &message, SendMessageOptions::offline());
                    let outcome = tokio::time::timeout(DEADLINE, sent).await.expect("every send is answered");
                    outcomes.lock().unwrap().insert(i, outcome.map(|r| r.id));
                    answered.notify_one();
                    i += 1;
                }
            })
        };
        acknowledged_more(&outcomes, &answered, 20, "at the start").await;
        // n1 restarts; alice moves to n2 meanwhile.
        to_alice.set_upstream(addr(&n2));
        assert!(n1.stop().status.success(), "n1 stops cleanly");
        n1 = node(&redis, "n1", &config);
        acknowledged_more(&outcomes, &answered, 20, "alice on n2").await;
        // n2 restarts; both move to the new n1.
        to_alice.set_upstream(addr(&n1));
        to_bob.set_upstream(addr(&n1));
        assert!(n2.stop().status.success(), "n2 stops cleanly");
        n2 = node(&redis, "n2", &config);
        acknowledged_more(&outcomes, &answered, 20, "both on the new n1").await;
        // alice back to the new n2: the two on different nodes again.
        to_alice.set_upstream(addr(&n2));
        to_alice.cut();
        acknowledged_more(&outcomes, &answered, 20, "alice on the new n2").await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        sender.await.expect("the sender ends");
        let missing = still_missing(&acknowledged(&outcomes), &got, &arrived).await;
        assert_eq!(
            missing,
            Vec::<usize>::new(),
            "acknowledged, never delivered: {:?}",
            outcomes.lock().unwrap()
        );
        recorder.abort();
    });
    let got = got.lock().unwrap();
    in_send_order(&got, "bob");
    let acked = acknowledged(&outcomes);
    let outcomes = outcomes.lock().unwrap();
    println!("{} sends: {} acknowledged, bob got {}", outcomes.len(), acked.len(), got.len());
    // Beyond the acknowledged ones, bob may have only those whose sender was told the outcome
    // was unknown (a timeout, or a failure after the node took the call).
    for (_, text) in got.iter() {
        let i: usize = text[1..].parse().unwrap();
        let unknown = matches!(outcomes[&i], Err(PeerMessageError::Timeout | PeerMessageError::Failure));
        assert!(acked.contains(&i) || unknown, "m{i} arrived, yet its sender was told {:?}", outcomes[&i]);
    }
    let _ = std::fs::remove_file(&config);
}
