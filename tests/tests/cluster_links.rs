//! The links between nodes and Redis, and nodes that come and go: a cut shorter and longer
//! than the lease, Redis dropping every pub/sub connection, one account logging in on two nodes
//! at once, and a node that leaves on a planned stop. Without `redis-server` each test prints
//! one line and passes (`SIGSHIM_REQUIRE_REDIS=1` makes that a failure).

use std::time::Duration;

use sigshim::PeerOnlineState::{Offline, Online};
use sigshim::error::PeerMessageError as PE;
use sigshim::{ChannelEvent, Hub, Message, SendMessageOptions};
use sigshim_conformance::channel_fixtures::{member, next_any, next_no_count, text};
use sigshim_conformance::fixtures::{
    core_send, expect_only_marker, expected, next_message, next_statuses, online_core, states,
};
use sigshim_conformance::proxy::Proxy;
use sigshim_conformance::redis_server::RedisServer;
use sigshim_conformance::two_nodes::{node_at, node_with_engine};
use sigshim_conformance::{Api, Backend, CallNote, CoreDriver, Driver, FailKind, WAIT};

/// The nodes' lease where a test does not choose one.
const LEASE: Duration = Duration::from_secs(3);

/// A Redis and two nodes on it, or `None` when `redis-server` is missing.
async fn two_nodes() -> Option<(RedisServer, Hub, Hub)> {
    let redis = RedisServer::start()?;
    let a = node_at(&redis.url(), "a", LEASE).await;
    let b = node_at(&redis.url(), "b", LEASE).await;
    Some((redis, a, b))
}

/// A node whose link to `redis` passes through a fault proxy, and the proxy.
async fn node_through_proxy(redis: &RedisServer, name: &str, lease: Duration) -> (Hub, Proxy) {
    let redis_addr = redis.url().trim_start_matches("redis://").parse().expect("an address");
    let proxy = Proxy::start(redis_addr).await;
    (node_at(&format!("redis://{}", proxy.addr()), name, lease).await, proxy)
}

/// Sends `alice -> bob` until one send is answered Ok (for at most ten seconds); every other
/// answer must be a failure or a timeout. Returns once bob has the one answered Ok; what he gets
/// before it can only be an earlier attempt (a timed-out send may still arrive).
async fn send_until_delivered(alice: &CoreDriver, bob: &mut CoreDriver, label: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut tried = Vec::new();
    loop {
        let text = format!("{label} {}", tried.len());
        match core_send(alice, "bob", Message::text(text.as_str()), SendMessageOptions::default()).await {
            Ok(_) => loop {
                let (from, message, _) = next_message(bob).await;
                assert_eq!(from, "alice");
                if message.text_or_description() == text {
                    return;
                }
                assert!(tried.iter().any(|t| t == message.text_or_description()), "{message:?}");
            },
            Err(e) => {
                assert!(matches!(e, PE::Failure | PE::Timeout), "{e:?}");
                assert!(tokio::time::Instant::now() < deadline, "{label}: never delivered again");
                tried.push(text);
                tokio::task::yield_now().await;
            }
        }
    }
}

/// Redis drops every pub/sub connection (`CLIENT KILL TYPE pubsub`). The nodes connect again
/// and listen again on their channels: peer messages and channel messages cross again, and a
/// send meanwhile is answered with its real outcome, never Ok without delivery.
#[tokio::test]
async fn a_forced_pubsub_disconnect_heals() {
    let Some((redis, a, b)) = two_nodes().await else { return };
    let (alice, ca, _ea) = member(Backend::Memory, &a, "alice", "room").await;
    let (mut bob, _cb, mut eb) = member(Backend::Memory, &b, "bob", "room").await;
    send_until_delivered(&alice, &mut bob, "before").await;
    let killed = redis.command("CLIENT KILL TYPE pubsub");
    assert!(killed.starts_with(':') && killed != ":0", "the nodes' pub/sub links were killed: {killed}");
    send_until_delivered(&alice, &mut bob, "after").await;
    // Channel messages are at most once between nodes: one sent before b listens again is
    // lost, so alice sends until one arrives (each wait bounded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for n in 0.. {
        let message = format!("in the room {n}");
        ca.send_message(&Message::text(message.as_str())).await.expect("the server has it");
        let got = tokio::time::timeout(WAIT / 5, async {
            loop {
                let event = next_any(&mut eb).await;
                if let ChannelEvent::MessageReceived { .. } = &event {
                    return text(&event);
                }
            }
        })
        .await;
        if let Ok((from, got)) = got {
            assert_eq!(from, "alice");
            assert!(got.starts_with("in the room "), "{got}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "channel messages never crossed again");
    }
}

/// Node b loses Redis for longer than two leases (a network cut): node a sweeps it. Bob, on b,
/// reads offline, leaves the channel he was in and his ringing invitation fails for its caller;
/// a message to him is stored. When the link comes back, b learns it was swept and drops its
/// sessions: bob's client logs in again and gets the stored message.
#[tokio::test]
async fn a_node_cut_off_longer_than_its_lease_is_swept() {
    let Some(redis) = RedisServer::start() else { return };
    let lease = Duration::from_millis(600);
    let a = node_at(&redis.url(), "a", lease).await;
    let (b, cut) = node_through_proxy(&redis, "b", lease).await;
    let (mut bob, _cb, _eb) = member(Backend::Memory, &b, "bob", "room").await;
    let (mut alice, ca, mut ea) = member(Backend::Memory, &a, "alice", "room").await;
    assert_eq!(next_any(&mut ea).await, ChannelEvent::MemberCountUpdated(2));
    alice.client.subscribe_peers_online_status(&["bob"]).await.unwrap();
    assert_eq!(next_statuses(&mut alice).await, states(&[("bob", Online)]));
    alice.invite("bob", "call", "").await.expect("invite");
    assert!(matches!(bob.next_call().await, CallNote::Incoming { .. }));
    assert!(matches!(alice.next_call().await, CallNote::ReceivedByPeer { .. }));

    cut.refuse(true);
    cut.cut();
    // Swept after two leases without a heartbeat: each change reaches alice's node.
    let within = Duration::from_secs(10);
    let offline = tokio::time::timeout(within, next_statuses(&mut alice)).await.expect("bob swept in time");
    assert_eq!(offline, states(&[("bob", Offline)]));
    assert_eq!(next_no_count(&mut ea).await, ChannelEvent::MemberLeft("bob".into()));
    let want = expected(Api::Core, (FailKind::PeerOffline, 1), (FailKind::PeerOffline, 703));
    assert_eq!(
        alice.next_call().await,
        CallNote::Failed { peer: "bob".into(), channel: "call".into(), fail: want }
    );
    assert_eq!(ca.get_members().await.expect("members"), ["alice"]);
    let stored = core_send(&alice, "bob", Message::text("while away"), SendMessageOptions::offline()).await;
    assert_eq!(stored.unwrap_err(), PE::CachedByServer);

    // The link is back: b finds it was swept and drops bob's session; his client logs in again.
    cut.refuse(false);
    assert_eq!(next_statuses(&mut alice).await, states(&[("bob", Online)]), "bob back on b");
    let (from, message, offline) = next_message(&mut bob).await;
    assert_eq!((from.as_str(), message.text_or_description(), offline), ("alice", "while away", true));
}

/// One account logs in on both nodes at once: exactly one session survives, the other is told
/// it was replaced, and messages reach the survivor.
#[tokio::test]
async fn simultaneous_logins_on_two_nodes_leave_one_session() {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let mut alice = online_core(Backend::Memory, &a, "alice").await;
    for round in 0..5 {
        let user = format!("twin{round}");
        let mut on_a = Backend::Memory.core(&a, &user);
        let mut on_b = Backend::Memory.core(&b, &user);
        let (ra, rb) = tokio::join!(on_a.login(None), on_b.login(None));
        ra.expect("the login on a");
        rb.expect("the login on b");
        // The register scripts ran one after the other in Redis: the later one kicked the other.
        let kicked = tokio::select! {
            code = on_a.expect_kicked() => (code, "a"),
            code = on_b.expect_kicked() => (code, "b"),
        };
        let survivor = if kicked.1 == "a" { &mut on_b } else { &mut on_a };
        core_send(&alice, &user, Message::text("to the survivor"), SendMessageOptions::default())
            .await
            .expect("delivered to the session that survived");
        assert_eq!(survivor.recv_peer().await, ("alice".to_owned(), "to the survivor".to_owned()));
        assert_eq!(alice.query_online(&user).await, Ok(true), "round {round}");
    }
}

/// A cut between node b and Redis shorter than the lease: b reconnects and listens again on its
/// channels (resubscribed), and peer messages cross again; sends during the cut fail or time
/// out, never answered Ok without delivery.
#[tokio::test]
async fn a_short_cut_between_a_node_and_redis_heals() {
    let Some(redis) = RedisServer::start() else { return };
    let a = node_at(&redis.url(), "a", LEASE).await;
    let (b, cut) = node_through_proxy(&redis, "b", LEASE).await;
    let alice = online_core(Backend::Memory, &a, "alice").await;
    let mut bob = online_core(Backend::Memory, &b, "bob").await;
    cut.cut();
    // Until b is back, a send may fail; once one is answered Ok, bob has it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    loop {
        n += 1;
        let text = format!("after the cut {n}");
        match core_send(&alice, "bob", Message::text(text.as_str()), SendMessageOptions::default()).await {
            Ok(_) => {
                let (from, message, _) = next_message(&mut bob).await;
                assert_eq!((from.as_str(), message.text_or_description()), ("alice", text.as_str()));
                break;
            }
            Err(e) => {
                assert!(matches!(e, PE::Failure | PE::Timeout), "{e:?}");
                assert!(tokio::time::Instant::now() < deadline, "b never came back");
                tokio::task::yield_now().await;
            }
        }
    }
}

/// A node that leaves (a planned stop) hands its users over at once, long before its lease
/// (a minute here) would lapse: they read offline on the other node, a message to them is
/// stored, and what the node held for them reaches their next login elsewhere.
#[tokio::test]
async fn a_node_that_leaves_hands_its_users_over_at_once() {
    let Some(redis) = RedisServer::start() else { return };
    let a = node_at(&redis.url(), "a", Duration::from_secs(60)).await;
    let (b, engine) = node_with_engine(&redis.url(), "b", Duration::from_secs(60)).await;
    let mut alice = online_core(Backend::Memory, &a, "alice").await;
    let mut bob = online_core(Backend::Memory, &b, "bob").await;
    let first =
        core_send(&alice, "bob", Message::text("first"), SendMessageOptions::default()).await.unwrap();
    assert_eq!(next_message(&mut bob).await.1.id, first.id);
    engine.leave().await.expect("b leaves");
    assert_eq!(alice.query_online("bob").await, Ok(false), "offline at once");
    let stored = core_send(&alice, "bob", Message::text("second"), SendMessageOptions::offline()).await;
    assert_eq!(stored.unwrap_err(), PE::CachedByServer);
    drop(bob);
    let mut bob = online_core(Backend::Memory, &a, "bob").await;
    // "first" again only if b had not yet seen bob's acknowledgement (same ID: a repeat).
    loop {
        let (from, m, offline) = next_message(&mut bob).await;
        assert_eq!(from, "alice");
        if m.text_or_description() == "second" {
            assert!(offline);
            break;
        }
        assert_eq!((m.text_or_description(), m.id), ("first", first.id), "only a repeat of first before");
    }
    expect_only_marker(&mut alice, &mut bob, "done").await;
}

/// A kill in the middle of a delivery, made deterministic: bob's node b has stopped hearing
/// Redis (its link stalled), alice's send has been written to bob's ledger and published to b,
/// and b dies before it could push it. Alice is told `Timeout` (the outcome is unknown), never
/// Ok; b is swept, and bob's next login, on a, gets the message, once.
#[tokio::test]
async fn a_node_that_dies_in_the_middle_of_a_delivery_loses_nothing() {
    let Some(redis) = RedisServer::start() else { return };
    let lease = Duration::from_millis(600);
    let a = node_at(&redis.url(), "a", lease).await;
    let (b, link) = node_through_proxy(&redis, "b", lease).await;
    let mut alice = online_core(Backend::Memory, &a, "alice").await;
    let bob = online_core(Backend::Memory, &b, "bob").await;
    alice.client.subscribe_peers_online_status(&["bob"]).await.unwrap();
    assert_eq!(next_statuses(&mut alice).await, states(&[("bob", Online)]));
    link.stall();
    let client = alice.client.clone();
    let sending = tokio::spawn(async move {
        client.send_message_to_peer("bob", &Message::text("in flight"), SendMessageOptions::default()).await
    });
    // An online query queued on a's stream behind the send: once it is answered, the send's
    // script has run (bob's ledger holds the message, b was told).
    tokio::task::yield_now().await;
    assert_eq!(alice.query_online("bob").await, Ok(true), "b's lease still runs");
    drop(bob);
    drop(b);
    assert_eq!(sending.await.expect("the send ends").unwrap_err(), PE::Timeout, "never Ok");
    // a sweeps b once its lease has lapsed twice: bob goes offline, his ledger to his box.
    let within = Duration::from_secs(10);
    let offline = tokio::time::timeout(within, next_statuses(&mut alice)).await.expect("b swept in time");
    assert_eq!(offline, states(&[("bob", Offline)]));
    let mut bob = online_core(Backend::Memory, &a, "bob").await;
    let (from, message, offline) = next_message(&mut bob).await;
    assert_eq!((from.as_str(), message.text_or_description(), offline), ("alice", "in flight", true));
    expect_only_marker(&mut alice, &mut bob, "after").await;
}
