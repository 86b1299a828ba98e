//! Two hubs as two nodes of one service on a real `redis-server` (the Redis engine): peer
//! messages, stored messages, presence and the one-login rule across nodes, a node that goes
//! away, and Redis restarting. Each scenario runs with its clients in-process and through each
//! node's WebSocket server. Without `redis-server` each test prints one line and passes
//! (`SIGSHIM_REQUIRE_REDIS=1` makes that a failure).

use std::time::Duration;

use sigshim::PeerOnlineState::{Offline, Online};
use sigshim::error::PeerMessageError as PE;
use sigshim::hub::engine::{RedisEngine, RedisEngineConfig};
use sigshim::{
    Attribute, ChannelAttributeOptions, ChannelEvent, Hub, HubConfig, Message, SendMessageOptions,
};
use sigshim_conformance::channel_fixtures::{member, next_any, next_no_count, text};
use sigshim_conformance::fixtures::{
    api_pairs, core_send, expect_cb, expect_only_marker, expected, next_message, next_statuses, online,
    online_core, online_legacy, states,
};
use sigshim_conformance::proxy::Proxy;
use sigshim_conformance::redis_server::RedisServer;
use sigshim_conformance::{APP_ID, Api, Backend, CallNote, Driver, FailKind};
use sigshim_legacy::uid_for;

/// A node of the service on `redis`.
async fn node(redis: &RedisServer, name: &str) -> Hub {
    node_at(&redis.url(), name, Duration::from_secs(3)).await
}

/// A node reaching Redis at `url`, with a lease of `lease`.
async fn node_at(url: &str, name: &str, lease: Duration) -> Hub {
    let hub = Hub::new(HubConfig::new(APP_ID));
    let config = RedisEngineConfig::new(url)
        .node_id(name.to_owned())
        .call_timeout(Duration::from_secs(2))
        .lease(lease);
    RedisEngine::attach(&hub, config).await.expect("the node joins the engine");
    hub
}

/// A Redis and two nodes on it, or `None` when `redis-server` is missing.
async fn two_nodes() -> Option<(RedisServer, Hub, Hub)> {
    let redis = RedisServer::start()?;
    let a = node(&redis, "a").await;
    let b = node(&redis, "b").await;
    Some((redis, a, b))
}

/// Peer messages cross nodes both ways, whole and in the order they were sent, between a
/// legacy user on one node and a core user on the other.
async fn peer_messages_cross_nodes_in_order(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let mut alice = be.driver(Api::Legacy, &a, "alice");
    let mut bob = be.driver(Api::Core, &b, "bob");
    alice.login(None).await.unwrap();
    bob.login(None).await.unwrap();
    for i in 0..20 {
        alice.send_peer("bob", &format!("m{i}")).await.unwrap();
    }
    for i in 0..20 {
        assert_eq!(bob.recv_peer().await, ("alice".to_owned(), format!("m{i}")));
    }
    bob.send_peer("alice", "back").await.unwrap();
    assert_eq!(alice.recv_peer().await, ("bob".to_owned(), "back".to_owned()));
    assert_eq!(b.stats().peer_messages_delivered, 20, "delivered by the receiver's node");
}

/// A message to a user online nowhere is stored in Redis (code 4) and delivered, marked
/// offline, at the user's next login on any node; without offline messaging it is refused (3).
async fn stored_messages_reach_a_login_on_another_node(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let alice = online_core(be, &a, "alice").await;
    let stored = core_send(&alice, "bob", Message::text("kept"), SendMessageOptions::offline()).await;
    assert_eq!(stored.unwrap_err(), PE::CachedByServer);
    let refused = core_send(&alice, "bob", Message::text("lost"), SendMessageOptions::default()).await;
    assert_eq!(refused.unwrap_err(), PE::PeerUnreachable);
    let mut bob = online_core(be, &b, "bob").await;
    let (from, message, offline) = next_message(&mut bob).await;
    assert_eq!((from.as_str(), message.text_or_description(), offline), ("alice", "kept", true));
    // Taken once: a second login gets nothing stored.
    bob.logout().await.unwrap();
    let mut again = online_core(be, &a, "bob").await;
    core_send(&alice, "bob", Message::text("marker"), SendMessageOptions::default()).await.unwrap();
    let (_, message, offline) = next_message(&mut again).await;
    assert_eq!((message.text_or_description(), offline), ("marker", false));
}

/// Online queries and subscriptions see users on every node, and changes on another node.
async fn presence_spans_nodes(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let mut watcher = online_core(be, &a, "watcher").await;
    assert_eq!(watcher.query_online("peer").await, Ok(false));
    watcher.client.subscribe_peers_online_status(&["peer"]).await.unwrap();
    assert_eq!(next_statuses(&mut watcher).await, states(&[("peer", Offline)]));
    let mut peer = online_core(be, &b, "peer").await;
    assert_eq!(next_statuses(&mut watcher).await, states(&[("peer", Online)]));
    assert_eq!(watcher.query_online("peer").await, Ok(true));
    assert_eq!(peer.query_online("watcher").await, Ok(true), "and the other way");
    peer.logout().await.unwrap();
    assert_eq!(next_statuses(&mut watcher).await, states(&[("peer", Offline)]));
    assert_eq!(watcher.query_online("peer").await, Ok(false));
}

/// A login on another node ends the user's first session (remote login), and messages then go
/// to the new one; watchers see the user stay online throughout.
async fn a_login_on_another_node_kicks_the_first(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let mut watcher = online_core(be, &a, "watcher").await;
    let mut first = be.driver(Api::Legacy, &a, "dup");
    first.login(None).await.unwrap();
    watcher.client.subscribe_peers_online_status(&["dup"]).await.unwrap();
    assert_eq!(next_statuses(&mut watcher).await, states(&[("dup", Online)]));
    let mut second = be.driver(Api::Core, &b, "dup");
    second.login(None).await.unwrap();
    assert_eq!(first.expect_kicked().await, 103, "the legacy code for a login elsewhere, as on one node");
    watcher.send_peer("dup", "to the new one").await.unwrap();
    assert_eq!(second.recv_peer().await, ("watcher".to_owned(), "to the new one".to_owned()));
    assert_eq!(watcher.query_online("dup").await, Ok(true));
    let blips: Vec<_> = std::iter::from_fn(|| watcher.try_next_event())
        .filter(|e| matches!(e, sigshim::ClientEvent::PeersOnlineStatusChanged { .. }))
        .collect();
    assert!(blips.is_empty(), "no offline/online blip for a takeover: {blips:?}");
}

/// A call between nodes, every pair of APIs: the invitation with its extra, the accept, the
/// hang-up; and the callee's logout failing a ringing invitation for the caller (peer gone).
async fn calls_cross_nodes(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    for (n, (x, y)) in api_pairs().enumerate() {
        let (alice, bob) = (format!("alice{n}"), format!("bob{n}"));
        let mut caller = online(be, x, &a, &alice).await;
        let mut callee = online(be, y, &b, &bob).await;
        let extra = r#"{"channelName":"room"}"#;
        caller.invite(&bob, "room", extra).await.expect("invite");
        let incoming =
            CallNote::Incoming { from: alice.clone(), channel: "room".into(), extra: extra.into() };
        assert_eq!(callee.next_call().await, incoming, "{x:?} → {y:?}");
        assert_eq!(
            caller.next_call().await,
            CallNote::ReceivedByPeer { peer: bob.clone(), channel: "room".into() }
        );
        callee.answer(&alice, "room", true, "yes").await.expect("accept");
        let accepted = CallNote::Accepted { peer: bob.clone(), channel: "room".into(), extra: "yes".into() };
        assert_eq!(caller.next_call().await, accepted, "{x:?} → {y:?}");
        caller.end_call(&bob, "room").await.expect("end");
        assert_eq!(callee.next_call().await, CallNote::Ended { peer: alice.clone(), channel: "room".into() });
        // A second invitation, then the callee leaves while it rings.
        caller.invite(&bob, "room2", "").await.expect("invite");
        assert!(matches!(callee.next_call().await, CallNote::Incoming { .. }));
        assert!(matches!(caller.next_call().await, CallNote::ReceivedByPeer { .. }));
        callee.logout().await.expect("logout");
        let want = expected(x, (FailKind::PeerOffline, 1), (FailKind::PeerOffline, 703));
        let failed = CallNote::Failed { peer: bob.clone(), channel: "room2".into(), fail: want };
        assert_eq!(caller.next_call().await, failed, "{x:?} → {y:?}");
    }
}

/// A channel with members on two nodes: member events, counts and lists cover both nodes, and
/// channel messages reach the members on the other node.
async fn channels_span_nodes(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let (alice, ca, mut ea) = member(be, &a, "alice", "room").await;
    assert_eq!(next_any(&mut ea).await, ChannelEvent::MemberCountUpdated(1));
    let (bob, cb, mut eb) = member(be, &b, "bob", "room").await;
    assert_eq!(next_any(&mut eb).await, ChannelEvent::MemberCountUpdated(2));
    assert_eq!(next_no_count(&mut ea).await, ChannelEvent::MemberJoined("bob".into()));
    assert_eq!(cb.get_members().await.expect("members"), ["bob", "alice"], "latest first, both nodes");
    let counts = alice.client.get_channel_member_count(&["room", "empty"]).await.unwrap();
    assert_eq!((counts[0].count, counts[1].count), (2, 0));
    assert!(alice.client.is_channel_member("room", "bob").await.unwrap());
    ca.send_message(&Message::text("from a")).await.expect("sent");
    assert_eq!(text(&next_no_count(&mut eb).await), ("alice".to_owned(), "from a".to_owned()));
    cb.send_message(&Message::text("from b")).await.expect("sent");
    assert_eq!(text(&next_no_count(&mut ea).await), ("bob".to_owned(), "from b".to_owned()));
    cb.leave().await.expect("bob leaves");
    assert_eq!(next_no_count(&mut ea).await, ChannelEvent::MemberLeft("bob".into()));
    assert!(!alice.client.is_channel_member("room", "bob").await.unwrap());
    drop(bob);
}

/// A legacy user joining on one node is told the members on the other node in its user list,
/// and a channel message from a core member elsewhere reaches its callbacks.
async fn a_legacy_join_lists_members_of_every_node(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let (_carol, cc, _ec) = member(be, &b, "carol", "lobby").await;
    let mut lea = online_legacy(be, &a, "lea").await;
    lea.sig.channel_join("lobby");
    let uids = format!("[{} {}]", uid_for("lea"), uid_for("carol"));
    expect_cb(&mut lea, &format!("on_channel_user_list([lea carol], {uids})")).await;
    expect_cb(&mut lea, "on_channel_joined(lobby)").await;
    cc.send_message(&Message::text("welcome")).await.expect("sent");
    let want = format!("on_message_channel_receive(lobby, carol, {}, welcome)", uid_for("carol"));
    expect_cb(&mut lea, &want).await;
}

/// A user's attributes, set on one node, are read from the other while the user is online; a
/// user online nowhere is not found, and a new session starts without attributes.
async fn user_attributes_are_read_across_nodes(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let mut lea = be.driver(Api::Legacy, &a, "lea");
    lea.login(None).await.unwrap();
    let mut cory = be.driver(Api::Core, &b, "cory");
    cory.login(None).await.unwrap();
    lea.set_attr("team", "blue").await.unwrap();
    assert_eq!(cory.get_attr("lea", "team").await, Ok("blue".to_owned()));
    cory.set_attr("level", "3").await.unwrap();
    let all = lea.get_attrs("cory").await.unwrap();
    assert_eq!(all.into_iter().collect::<Vec<_>>(), [("level".to_owned(), "3".to_owned())]);
    lea.logout().await.unwrap();
    assert!(cory.get_attrs("lea").await.is_err(), "lea is online nowhere");
    let mut again = be.driver(Api::Core, &b, "lea");
    again.login(None).await.unwrap();
    assert_eq!(cory.get_attrs("lea").await, Ok(Default::default()), "a new session starts empty");
}

/// Channel attributes set on one node are read on the other, their notification reaches the
/// members of both nodes, and a later update elsewhere keeps the first one's stamps.
async fn channel_attributes_span_nodes(be: Backend) {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let (alice, _ca, mut ea) = member(be, &a, "alice", "room").await;
    let (bob, _cb, mut eb) = member(be, &b, "bob", "room").await;
    let notify = ChannelAttributeOptions { enable_notification_to_channel_members: true };
    alice
        .client
        .add_or_update_channel_attributes("room", &[Attribute::new("topic", "rust")], notify)
        .await
        .unwrap();
    for ev in [&mut ea, &mut eb] {
        let seen = loop {
            match next_any(ev).await {
                ChannelEvent::AttributesUpdated { attributes, .. } => break attributes,
                _ => continue,
            }
        };
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (seen[0].key.as_str(), seen[0].value.as_str(), seen[0].last_update_user_id.as_str()),
            ("topic", "rust", "alice")
        );
    }
    let quiet = ChannelAttributeOptions { enable_notification_to_channel_members: false };
    bob.client
        .add_or_update_channel_attributes("room", &[Attribute::new("mood", "sunny")], quiet)
        .await
        .unwrap();
    let mut read = alice.client.get_channel_attributes("room").await.unwrap();
    read.sort_by(|x, y| x.key.cmp(&y.key));
    let who: Vec<(&str, &str, &str)> =
        read.iter().map(|a| (a.key.as_str(), a.value.as_str(), a.last_update_user_id.as_str())).collect();
    assert_eq!(who, [("mood", "sunny", "bob"), ("topic", "rust", "alice")]);
}

// Each scenario places its users on the nodes it made.
sigshim_conformance::per_backend!(;
    memory_and_ws:
    channel_attributes_span_nodes,
    user_attributes_are_read_across_nodes,
    channels_span_nodes,
    a_legacy_join_lists_members_of_every_node,
    calls_cross_nodes,
    peer_messages_cross_nodes_in_order,
    stored_messages_reach_a_login_on_another_node,
    presence_spans_nodes,
    a_login_on_another_node_kicks_the_first,
);

/// A node that goes away (its link to Redis closes): its users read offline on the other
/// nodes and messages to them are stored, not lost and not waited on.
#[tokio::test]
async fn users_of_a_node_that_went_away_read_offline() {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let alice = online_core(Backend::Memory, &a, "alice").await;
    let bob = online_core(Backend::Memory, &b, "bob").await;
    core_send(&alice, "bob", Message::text("before"), SendMessageOptions::default()).await.unwrap();
    // Node b ends: its clients and the hub go, and with them its engine and its subscriptions.
    drop(bob);
    drop(b);
    let stored = core_send(&alice, "bob", Message::text("after"), SendMessageOptions::offline()).await;
    assert_eq!(stored.unwrap_err(), PE::CachedByServer, "stored, not routed to a node that is gone");
}

/// Redis restarts (from its append-only file): stored messages survive it, and the nodes carry
/// on once it is back; while it is down a send fails, never answered Ok.
#[tokio::test]
async fn stored_messages_survive_a_redis_restart() {
    let Some((mut redis, a, b)) = two_nodes().await else { return };
    let alice = online_core(Backend::Memory, &a, "alice").await;
    let stored = core_send(&alice, "bob", Message::text("durable"), SendMessageOptions::offline()).await;
    assert_eq!(stored.unwrap_err(), PE::CachedByServer);
    redis.kill();
    let down = core_send(&alice, "bob", Message::text("nowhere"), SendMessageOptions::offline()).await;
    assert!(matches!(down, Err(PE::Failure | PE::Timeout)), "{down:?}");
    redis.restart();
    // The nodes reconnect on their own; a login that raced the reconnection is refused and
    // tried again, as a client would.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut bob = loop {
        let mut bob = Backend::Memory.core(&b, "bob");
        match bob.login(None).await {
            Ok(()) => break bob,
            Err(e) => assert!(tokio::time::Instant::now() < deadline, "no login after the restart: {e:?}"),
        }
    };
    let (from, message, offline) = next_message(&mut bob).await;
    assert_eq!((from.as_str(), message.text_or_description(), offline), ("alice", "durable", true));
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
    let redis_addr = redis.url().trim_start_matches("redis://").parse().expect("an address");
    let cut = Proxy::start(redis_addr).await;
    let b = node_at(&format!("redis://{}", cut.addr()), "b", lease).await;
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
    let a = node(&redis, "a").await;
    let redis_addr = redis.url().trim_start_matches("redis://").parse().expect("an address");
    let cut = Proxy::start(redis_addr).await;
    let b = node_at(&format!("redis://{}", cut.addr()), "b", Duration::from_secs(3)).await;
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
    let b = Hub::new(HubConfig::new(APP_ID));
    let config = RedisEngineConfig::new(redis.url()).node_id("b".to_owned()).lease(Duration::from_secs(60));
    let engine = RedisEngine::attach(&b, config).await.expect("b joins");
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
