//! Two hubs as two nodes of one service on a real `redis-server` (the Redis engine): peer
//! messages, stored messages, presence and the one-login rule across nodes, channels, calls and
//! attributes, a node that goes away, and Redis restarting (the links and nodes that come and
//! go are in `cluster_links.rs`). Each scenario runs with its clients in-process and through each
//! node's WebSocket server. Without `redis-server` each test prints one line and passes
//! (`SIGSHIM_REQUIRE_REDIS=1` makes that a failure).

use std::time::Duration;

use sigshim::PeerOnlineState::{Offline, Online};
use sigshim::error::AttributeError;
use sigshim::error::PeerMessageError as PE;
use sigshim::hub::engine::{EngineError, RedisEngine, RedisEngineConfig};
use sigshim::{Attribute, ChannelAttributeOptions, ChannelEvent, Hub, Message, SendMessageOptions};
use sigshim_conformance::channel_fixtures::{member, next_any, next_no_count, text};
use sigshim_conformance::fixtures::{
    api_pairs, core_send, expect_cb, expect_only_marker, expected, next_message, next_statuses, online,
    online_core, online_legacy, states,
};
use sigshim_conformance::redis_server::RedisServer;
use sigshim_conformance::two_nodes::node_at;
use sigshim_conformance::{APP_ID, Api, Backend, CallNote, CoreDriver, Driver, FailKind};
use sigshim_legacy::uid_for;

/// A node of the service on `redis`.
async fn node(redis: &RedisServer, name: &str) -> Hub {
    node_at(&redis.url(), name, Duration::from_secs(3)).await
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
    // The engine's functions come back with the data, before any node calls one: the first
    // calls after the restart run in the order they were made, none refused and retried.
    assert_eq!(redis.command(LIBRARIES), "*1", "the functions survive the restart");
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

/// A session whose user another login took over (the owner entry names the new session, and
/// the kick has not reached this node yet) cannot write the user's attributes: the new session
/// starts without attributes, and a late write of the old one must not give it the old ones.
#[tokio::test]
async fn a_taken_over_session_cannot_write_the_users_attributes() {
    let Some((redis, a, b)) = two_nodes().await else { return };
    let lea = online_core(Backend::Memory, &a, "lea").await;
    lea.client.add_or_update_local_user_attributes(&[Attribute::new("team", "blue")]).await.unwrap();
    let attrs = format!("sigshim:{APP_ID}:{{u:lea}}:attrs");
    assert_eq!(redis.command(&format!("EXISTS {attrs}")), ":1", "the owner's write is in Redis");
    // Another node's login, as far as Redis knows: its entry replaces lea's, its attributes are
    // none, and no kick is published.
    redis.command(&format!("SET sigshim:{APP_ID}:{{u:lea}}:owner elsewhere|1"));
    redis.command(&format!("DEL {attrs}"));
    let late = lea.client.add_or_update_local_user_attributes(&[Attribute::new("team", "red")]).await;
    assert_eq!(late, Err(AttributeError::Failure), "refused: lea's session no longer owns the user");
    assert_eq!(redis.command(&format!("EXISTS {attrs}")), ":0", "nothing written for the new owner");
    let cory = online_core(Backend::Memory, &b, "cory").await;
    let read = cory.client.get_user_attributes("lea").await;
    assert_eq!(read.map(|all| all.is_empty()), Ok(true), "the new session's attributes: none");
}

/// Sixteen members, eight on each node, each add a key to one channel's attributes at the same
/// time: every update succeeds (a node runs its updates of one set one after the other, so
/// only the two nodes race each other's compare-and-set) and the set ends with all sixteen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_channel_attribute_updates_from_both_nodes_all_succeed() {
    let Some((_redis, a, b)) = two_nodes().await else { return };
    let mut members = Vec::new();
    for i in 0..16 {
        let node = if i % 2 == 0 { &a } else { &b };
        members.push(member(Backend::Memory, node, &format!("u{i}"), "room").await);
    }
    let quiet = ChannelAttributeOptions { enable_notification_to_channel_members: false };
    let updates =
        members.iter().enumerate().map(|(i, (m, _, _))| {
            let key = format!("k{i:02}");
            async move {
                m.client.add_or_update_channel_attributes("room", &[Attribute::new(key, "v")], quiet).await
            }
        });
    let outcomes = futures_util::future::join_all(updates).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let mut keys: Vec<String> = members[0]
        .0
        .client
        .get_channel_attributes("room")
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    keys.sort();
    assert_eq!(keys, (0..16).map(|i| format!("k{i:02}")).collect::<Vec<_>>());
}

/// Lists the engine's function libraries (the first line of the reply: how many).
const LIBRARIES: &str = "FUNCTION LIST LIBRARYNAME sigshim_*";

/// A Redis that lost the engine's functions (`FUNCTION FLUSH`, or a new empty server) gets them
/// again at the first call that finds none, and that call is carried out, not refused.
#[tokio::test]
async fn functions_lost_by_redis_are_loaded_again() {
    let Some((redis, a, _b)) = two_nodes().await else { return };
    let alice = online_core(Backend::Memory, &a, "alice").await;
    assert_eq!(redis.command("FUNCTION FLUSH").trim(), "+OK");
    assert_eq!(redis.command(LIBRARIES), "*0");
    let stored = core_send(&alice, "bob", Message::text("kept"), SendMessageOptions::offline()).await;
    assert_eq!(stored.unwrap_err(), PE::CachedByServer, "stored once the functions are back");
    assert_eq!(redis.command(LIBRARIES), "*1", "loaded again");
}

/// A node that cannot load the engine's functions (here: a Redis user without the `FUNCTION`
/// commands; elsewhere a Redis older than 7.0) does not join: attaching fails, as unreachable.
#[tokio::test]
async fn a_node_that_cannot_load_the_functions_does_not_join() {
    let Some(redis) = RedisServer::start() else { return };
    assert_eq!(redis.command("ACL SETUSER nofunctions on >secret ~* &* +@all -function"), "+OK");
    let url = redis.url().replace("redis://", "redis://nofunctions:secret@");
    let hub = Hub::new(sigshim::HubConfig::new(APP_ID));
    let attached = RedisEngine::attach(&hub, RedisEngineConfig::new(url).node_id("a".to_owned())).await;
    assert!(matches!(attached, Err(EngineError::Unreachable { .. })), "{attached:?}");
    assert_eq!(redis.command(LIBRARIES), "*0", "nothing loaded");
}

/// The offline box's cap and expiry hold across nodes: a box that senders on both nodes filled
/// refuses the next message (3, not stored) whichever node it comes from, Redis keeps the box
/// for the offline TTL, and the receiver gets what was stored, in the order it was stored.
#[tokio::test]
async fn offline_caps_and_expiry_hold_across_nodes() {
    let Some(redis) = RedisServer::start() else { return };
    let mut nodes = Vec::new();
    for name in ["a", "b"] {
        let mut limits = sigshim::Limits::default();
        limits.offline_messages_per_user = 3;
        limits.offline_message_ttl = Duration::from_secs(60);
        let hub = Hub::new(sigshim::HubConfig::new(APP_ID).limits(limits).legacy_limits(limits));
        let config = RedisEngineConfig::new(redis.url()).node_id(name.to_owned());
        RedisEngine::attach(&hub, config).await.expect("the node joins");
        nodes.push(hub);
    }
    let (a, b) = (&nodes[0], &nodes[1]);
    let mut alice = online_core(Backend::Memory, a, "alice").await;
    let carol = online_core(Backend::Memory, b, "carol").await;
    let send = |who: &CoreDriver, text: &str| {
        let message = Message::text(text);
        let client = who.client.clone();
        async move {
            client.send_message_to_peer("bob", &message, SendMessageOptions::offline()).await.map(|_| ())
        }
    };
    assert_eq!(send(&alice, "a1").await, Err(PE::CachedByServer));
    assert_eq!(send(&carol, "c1").await, Err(PE::CachedByServer));
    assert_eq!(send(&alice, "a2").await, Err(PE::CachedByServer));
    assert_eq!(send(&carol, "c2").await, Err(PE::PeerUnreachable), "the box is full");
    assert_eq!(send(&alice, "a3").await, Err(PE::PeerUnreachable), "full from either node");
    let ttl = redis.command(&format!("PTTL sigshim:{APP_ID}:{{u:bob}}:box"));
    let ttl: u64 = ttl.trim_start_matches(':').parse().expect("a TTL in ms");
    assert!((55_000..=60_000).contains(&ttl), "the box expires with the offline TTL: {ttl} ms");
    let mut bob = online_core(Backend::Memory, b, "bob").await;
    for want in [("alice", "a1"), ("carol", "c1"), ("alice", "a2")] {
        let (from, message, offline) = next_message(&mut bob).await;
        assert_eq!((from.as_str(), message.text_or_description(), offline), (want.0, want.1, true));
    }
    expect_only_marker(&mut alice, &mut bob, "live").await;
}
