//! Peer messages, through the core and the facade in every sender/receiver combination:
//! delivery, per-sender order, acknowledgement semantics (core peer-received vs legacy
//! server-accepted vs strict mode), offline caching with its cap and expiry, validation, raw
//! bodies, server ids, rate limits and slow consumers.

use std::time::Duration;

use sigshim::error::PeerMessageError;
use sigshim::hub::HubStats;
use sigshim::message::MessageBody;
use sigshim::{Hub, HubConfig, Message, RtmCode, SendMessageOptions};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{
    api_pairs, expect_only_marker, expected, hub_with, next_message, online,
};
use sigshim_conformance::fixtures::{core_send, online_core, relaxed_hub};
use sigshim_conformance::{APIS, APP_ID, Api, CoreDriver, Driver, Fail, FailKind as K, hub};
use sigshim_legacy::SignalingOptions;

async fn delivery_both_ways_with_exact_sender_and_text(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut alice = online(be, a, &hub, "alice").await;
        let mut bob = online(be, b, &hub, "bob").await;
        alice.send_peer("bob", "hello bob, ünïcödé ✓").await.unwrap();
        assert_eq!(bob.recv_peer().await, ("alice".into(), "hello bob, ünïcödé ✓".into()), "{a:?} -> {b:?}");
        bob.send_peer("alice", "hi alice").await.unwrap();
        assert_eq!(alice.recv_peer().await, ("bob".into(), "hi alice".into()), "{b:?} -> {a:?}");
    }
}

async fn fifty_in_order(from: &mut dyn Driver, to: &mut dyn Driver) {
    for i in 0..50 {
        from.send_peer(to.user(), &format!("n{i}")).await.unwrap();
    }
    for i in 0..50 {
        assert_eq!(to.recv_peer().await, (from.user().to_owned(), format!("n{i}")));
    }
    expect_only_marker(from, to, "end").await; // no duplicates queued behind
}

async fn per_sender_order_is_preserved(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut alice = online(be, a, &hub, "alice").await;
        let mut bob = online(be, b, &hub, "bob").await;
        fifty_in_order(&mut *alice, &mut *bob).await;
    }
}

async fn legacy_pipelined_sends_keep_order(be: Backend) {
    let hub = hub();
    let mut alice = be.legacy(&hub, "alice");
    alice.login(None).await.unwrap();
    let mut bob = online_core(be, &hub, "bob").await;
    for i in 0..50 {
        alice.sig.message_instant_send("bob", 0, &format!("p{i}"), &format!("id{i}"));
    }
    for i in 0..50 {
        let cb = alice.cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
        assert_eq!(cb.to_string(), format!("on_message_send_success(id{i})"));
        assert_eq!(bob.recv_peer().await, ("alice".into(), format!("p{i}")));
    }
}

async fn core_ok_means_the_peer_received_it(be: Backend) {
    let hub = hub();
    let mut alice = online_core(be, &hub, "alice").await;
    let mut bob = online_core(be, &hub, "bob").await;
    let receipt = core_send(&alice, "bob", Message::text("x"), SendMessageOptions::default()).await.unwrap();
    let (from, msg, offline) = next_message(&mut bob).await;
    assert_eq!((from.as_str(), msg.text_or_description(), offline), ("alice", "x", false));
    assert_eq!((msg.id, msg.server_ts), (receipt.id, receipt.server_ts));
    bob.logout().await.unwrap();
    let cached = core_send(&alice, "bob", Message::text("c"), SendMessageOptions::offline()).await;
    assert_eq!(cached, Err(PeerMessageError::CachedByServer));
    let lost = core_send(&alice, "bob", Message::text("u"), SendMessageOptions::default()).await.unwrap_err();
    assert_eq!((lost, lost.code(), lost.server_accepted()), (PeerMessageError::PeerUnreachable, 3, true));
    assert_eq!(PeerMessageError::CachedByServer.code(), 4);
    let count = |counter: fn(&HubStats) -> u64| be.total(&hub, counter);
    let outcomes = (
        count(|s| s.peer_messages_delivered),
        count(|s| s.peer_messages_cached),
        count(|s| s.peer_messages_unreachable),
    );
    assert_eq!(outcomes, (1, 1, 1));
    // Only the cached one reaches bob at his next login.
    bob.login(None).await.unwrap();
    let (_, msg, offline) = next_message(&mut bob).await;
    assert_eq!((msg.text_or_description(), offline), ("c", true));
    expect_only_marker(&mut alice, &mut bob, "after").await;
}

async fn send_to_offline_peer_core_cached_legacy_success(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut alice = online(be, api, &hub, "alice").await;
        let r = alice.send_peer("bob", "stored").await;
        match api {
            Api::Core => assert_eq!(r, Err(Fail { kind: K::NotDelivered, code: 4 })),
            Api::Legacy => assert_eq!(r, Ok(()), "legacy success means the server accepted it"),
        }
        assert_eq!(hub.stats().peer_messages_cached, 1);
    }
}

async fn legacy_strict_mode_reports_400_for_an_undelivered_message(be: Backend) {
    let hub = hub();
    let strict = SignalingOptions::default().strict_peer_ack(true);
    let mut alice = be.legacy_with(&hub, "alice", strict);
    alice.login(None).await.unwrap();
    let r = alice.send_peer("bob", "cached").await;
    assert_eq!(r, Err(Fail { kind: K::Other, code: 400 }));
    alice.sig.message_instant_send2("bob", 0, "not kept", "s2", r#"{"offline":false}"#);
    let cb = alice.cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
    assert_eq!(cb.to_string(), "on_message_send_error(s2, 400)");
    // Strict mode changes the report, not the storage: the cached message still arrives.
    let mut bob = online_core(be, &hub, "bob").await;
    assert_eq!(bob.recv_peer().await, ("alice".into(), "cached".into()));
    expect_only_marker(&mut alice, &mut bob, "online").await;
}

async fn legacy_offline_false_option_is_accepted_but_never_delivered(be: Backend) {
    let hub = hub();
    let mut alice = be.legacy(&hub, "alice");
    alice.login(None).await.unwrap();
    alice.sig.message_instant_send2("bob", 0, "gone", "o1", r#"{"offline":false}"#);
    let cb = alice.cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
    assert_eq!(cb.to_string(), "on_message_send_success(o1)");
    assert_eq!(hub.stats().peer_messages_unreachable, 1);
    let mut bob = online(be, Api::Legacy, &hub, "bob").await;
    expect_only_marker(&mut alice, &mut *bob, "first").await;
}

async fn legacy_empty_msg_id_gets_a_generated_one(be: Backend) {
    let hub = hub();
    let mut alice = be.legacy(&hub, "alice");
    alice.login(None).await.unwrap();
    let mut bob = online_core(be, &hub, "bob").await;
    alice.sig.message_instant_send("bob", 0, "a", "");
    alice.sig.message_instant_send("bob", 0, "b", "");
    let first = alice.cbs.wait("on_message_send_success").await.args[0].clone();
    let second = alice.cbs.wait("on_message_send_success").await.args[0].clone();
    assert!(!first.is_empty() && !second.is_empty());
    assert_ne!(first, second);
    assert_eq!(bob.recv_peer().await.1, "a");
    assert_eq!(bob.recv_peer().await.1, "b");
}

async fn cached_messages_arrive_at_next_login_in_send_order(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut alice = online(be, a, &hub, "alice").await;
        for i in 0..3 {
            let _ = alice.send_peer("bob", &format!("c{i}")).await; // core: CachedByServer
        }
        let mut bob = online(be, b, &hub, "bob").await;
        for i in 0..3 {
            assert_eq!(bob.recv_peer().await, ("alice".into(), format!("c{i}")), "{a:?} -> {b:?}");
        }
        expect_only_marker(&mut *alice, &mut *bob, "live").await;
    }
}

async fn core_receiver_sees_the_offline_flag(be: Backend) {
    let hub = hub();
    let mut alice = online(be, Api::Legacy, &hub, "alice").await;
    alice.send_peer("bob", "stored").await.unwrap();
    let mut bob = online_core(be, &hub, "bob").await;
    let (from, m, offline) = next_message(&mut bob).await;
    assert_eq!((from.as_str(), m.text_or_description(), offline), ("alice", "stored", true));
    assert!(m.id > 0 && m.server_ts > 0);
    alice.send_peer("bob", "live").await.unwrap();
    let (_, m, offline) = next_message(&mut bob).await;
    assert_eq!((m.text_or_description(), offline), ("live", false));
}

async fn a_full_offline_box_refuses_new_messages_and_keeps_every_stored_one(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = relaxed_hub();
        let mut alice = online(be, a, &hub, "alice").await;
        for i in 0..205 {
            let r = alice.send_peer("bob", &format!("#{i}")).await;
            // The core sender is told which were stored (4) and which refused (3, not stored);
            // a legacy sender's success means the server took the call.
            if a == Api::Core {
                let want = if i < 200 { 4 } else { 3 };
                assert_eq!(r.map_err(|f| f.code), Err(want), "message #{i}");
            }
        }
        // The stored messages are in this hub's memory, or in Redis for nodes of a service.
        if be != Backend::TwoNodes {
            assert_eq!(hub.stats().offline_stored, 200);
        }
        let mut bob = online(be, b, &hub, "bob").await;
        // Every message answered "stored" arrives; none was dropped for a newer one.
        for i in 0..200 {
            assert_eq!(bob.recv_peer().await.1, format!("#{i}"), "{a:?} -> {b:?}");
        }
        expect_only_marker(&mut *alice, &mut *bob, "done").await;
    }
}

#[tokio::test(start_paused = true)]
async fn offline_messages_expire() {
    let be = Backend::Memory; // paused time needs the in-process backend
    for (a, b) in api_pairs() {
        let hub = hub_with(|l| l.offline_message_ttl = Duration::from_secs(60));
        let mut alice = online(be, a, &hub, "alice").await;
        let _ = alice.send_peer("bob", "old").await;
        tokio::time::advance(Duration::from_secs(40)).await;
        let _ = alice.send_peer("bob", "new").await;
        tokio::time::advance(Duration::from_secs(21)).await; // "old" is 61 s old, "new" 21 s
        let mut bob = online(be, b, &hub, "bob").await;
        assert_eq!(bob.recv_peer().await, ("alice".into(), "new".into()), "{a:?} -> {b:?}");
        expect_only_marker(&mut *alice, &mut *bob, "live").await;
        assert_eq!(hub.stats().offline_stored, 0);
    }
}

async fn invalid_peer_ids_are_refused(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut alice = online(be, api, &hub, "alice").await;
        let too_long = "x".repeat(if api == Api::Legacy { 129 } else { 65 });
        for bad in ["bad/id", "null", "", &too_long] {
            let r = alice.send_peer(bad, "x").await;
            assert_eq!(r, Err(expected(api, (K::InvalidUser, 6), (K::Other, 400))), "{api:?} to {bad:?}");
        }
    }
}

async fn message_size_limits(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut alice = online(be, api, &hub, "alice").await;
        let mut bob = online_core(be, &hub, "bob").await;
        let invalid = Err(expected(api, (K::InvalidArgument, 7), (K::Other, 400)));
        // RTM's 32 KB for core clients, the legacy 8 KB for the facade (its profile).
        let max = if api == Api::Legacy { 8 * 1024 } else { 32 * 1024 };
        assert_eq!(alice.send_peer("bob", "").await, invalid, "{api:?} empty");
        assert_eq!(alice.send_peer("bob", &"y".repeat(max + 1)).await, invalid, "{api:?} {max} + 1");
        let max = "z".repeat(max);
        assert_eq!(alice.send_peer("bob", &max).await, Ok(()), "{api:?} exactly the limit");
        assert_eq!(bob.recv_peer().await, ("alice".into(), max));
    }
}

async fn send_before_login_is_refused(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut alice = be.driver(api, &hub, "alice");
        let r = alice.send_peer("bob", "x").await;
        assert_eq!(r, Err(expected(api, (K::NotLoggedIn, 102), (K::NotLoggedIn, 1003))), "{api:?}");
    }
}

async fn raw_messages_reach_each_api(be: Backend) {
    let hub = hub();
    let alice = online_core(be, &hub, "alice").await;
    let mut legacy_bob = online(be, Api::Legacy, &hub, "bob").await;
    let mut core_carol = online_core(be, &hub, "carol").await;
    let raw = Message::raw(b"bytes".to_vec(), "desc");
    core_send(&alice, "bob", raw.clone(), SendMessageOptions::default()).await.unwrap();
    assert_eq!(legacy_bob.recv_peer().await, ("alice".into(), "bytes".into()));
    core_send(&alice, "carol", raw, SendMessageOptions::default()).await.unwrap();
    let (_, m, _) = next_message(&mut core_carol).await;
    assert_eq!(m.body, MessageBody::Raw { data: b"bytes".to_vec(), description: "desc".into() });
}

async fn server_ids_are_unique_and_increasing(be: Backend) {
    let hub = hub();
    let core = online_core(be, &hub, "alice").await;
    let mut legacy = online(be, Api::Legacy, &hub, "carol").await;
    let mut bob = online_core(be, &hub, "bob").await;
    let mut receipts = Vec::new();
    for i in 0..10 {
        let text = Message::text(format!("a{i}"));
        receipts.push(core_send(&core, "bob", text, SendMessageOptions::default()).await.unwrap().id);
        legacy.send_peer("bob", &format!("c{i}")).await.unwrap();
    }
    // IDs increase per sender everywhere; on one hub they also increase across senders, while
    // each node of a service numbers its own (alice and carol are on two nodes there).
    let mut last = std::collections::HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut previous = (0, 0);
    for i in 0..20 {
        let (from, m, _) = next_message(&mut bob).await;
        let want =
            if i % 2 == 0 { ("alice", format!("a{}", i / 2)) } else { ("carol", format!("c{}", i / 2)) };
        assert_eq!((from.as_str(), m.text_or_description()), (want.0, want.1.as_str()));
        assert!(seen.insert(m.id) && m.id < 1 << 53, "{m:?}: unique and exact in JavaScript");
        let (id, ts) = last.get(&from).copied().unwrap_or((0, 0));
        assert!(m.id > id && m.server_ts > 0 && m.server_ts >= ts, "{m:?} after {:?}", (id, ts));
        if be != Backend::TwoNodes {
            assert!(m.id > previous.0 && m.server_ts >= previous.1, "{m:?} after {previous:?}");
        }
        if i % 2 == 0 {
            assert_eq!(m.id, receipts[i / 2]);
        }
        last.insert(from, (m.id, m.server_ts));
        previous = (m.id, m.server_ts);
    }
}

/// Each API's message budget: RTM's 180 per 3 s for core clients, the legacy 60 per second for
/// the facade (its profile).
#[tokio::test(start_paused = true)]
async fn message_rate_limit_per_profile() {
    let be = Backend::Memory; // paused time needs the in-process backend
    for api in APIS {
        let (count, per) = match api {
            Api::Core => (180, Duration::from_secs(3)),
            Api::Legacy => (60, Duration::from_secs(1)),
        };
        let hub = hub();
        let mut alice = online(be, api, &hub, "alice").await;
        let mut bob = online_core(be, &hub, "bob").await;
        for i in 0..count {
            alice.send_peer("bob", &format!("r{i}")).await.unwrap_or_else(|e| panic!("{api:?} #{i}: {e:?}"));
        }
        let too_often = Err(expected(api, (K::TooOften, 5), (K::Other, 400)));
        assert_eq!(alice.send_peer("bob", "refused").await, too_often, "{api:?} one over");
        tokio::time::advance(per - Duration::from_millis(1)).await;
        assert_eq!(alice.send_peer("bob", "refused").await, too_often, "{api:?} window not over");
        tokio::time::advance(Duration::from_millis(1)).await;
        alice.send_peer("bob", "again").await.unwrap();
        for i in 0..count {
            assert_eq!(bob.recv_peer().await.1, format!("r{i}"));
        }
        assert_eq!(bob.recv_peer().await.1, "again", "refused messages must not be delivered");
        assert_eq!(hub.stats().rate_limited, 2);
    }
}

#[tokio::test]
async fn slow_consumer_gets_no_false_acks_and_does_not_hurt_others() {
    let be = Backend::Memory; // counts the in-process inbox; over WebSocket the socket buffers add room
    for api in APIS {
        let hub = Hub::new(HubConfig::new(APP_ID).inbox_capacity(8));
        let (client, events) = be.client_builder(&hub).event_capacity(4).build();
        client.login(None, "slow").await.unwrap();
        let mut slow = CoreDriver::from_parts(client, events, "slow"); // not read until the end
        let mut carol = online_core(be, &hub, "carol").await;
        let mut alice = online(be, api, &hub, "alice").await;
        let (mut acked, mut failed) = (Vec::new(), 0u64);
        for i in 0..40 {
            match alice.send_peer("slow", &format!("s{i}")).await {
                Ok(()) => acked.push(i),
                Err(f) => {
                    assert_eq!(f, expected(api, (K::Other, 1), (K::Other, 400)), "{api:?} #{i}");
                    failed += 1;
                }
            }
        }
        assert!(failed > 0 && acked.len() >= 8, "{api:?}: {} acked, {failed} failed", acked.len());
        assert_eq!(be.total(&hub, |s| s.inbox_full_drops), failed);
        alice.send_peer("carol", "unaffected").await.unwrap();
        assert_eq!(carol.recv_peer().await, ("alice".into(), "unaffected".into()));
        for i in acked {
            assert_eq!(slow.recv_peer().await.1, format!("s{i}"), "{api:?}: every acked message arrives");
        }
        expect_only_marker(&mut *alice, &mut slow, "drained").await;
    }
}

async fn cached_messages_are_not_lost_to_a_small_inbox(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = Hub::new(HubConfig::new(APP_ID).inbox_capacity(8));
        let mut alice = online(be, a, &hub, "alice").await;
        for i in 0..20 {
            let _ = alice.send_peer("bob", &format!("k{i}")).await; // stored: acknowledged as accepted
        }
        let mut bob = online(be, b, &hub, "bob").await;
        for i in 0..20 {
            assert_eq!(bob.recv_peer().await.1, format!("k{i}"), "{a:?} -> {b:?}");
        }
        assert_eq!(be.total(&hub, |s| s.inbox_full_drops), 0);
        expect_only_marker(&mut *alice, &mut *bob, "live").await;
    }
}

sigshim_conformance::per_backend!(
    delivery_both_ways_with_exact_sender_and_text,
    per_sender_order_is_preserved,
    legacy_pipelined_sends_keep_order,
    core_ok_means_the_peer_received_it,
    send_to_offline_peer_core_cached_legacy_success,
    legacy_strict_mode_reports_400_for_an_undelivered_message,
    legacy_offline_false_option_is_accepted_but_never_delivered,
    legacy_empty_msg_id_gets_a_generated_one,
    cached_messages_arrive_at_next_login_in_send_order,
    core_receiver_sees_the_offline_flag,
    a_full_offline_box_refuses_new_messages_and_keeps_every_stored_one,
    invalid_peer_ids_are_refused,
    message_size_limits,
    send_before_login_is_refused,
    raw_messages_reach_each_api,
    server_ids_are_unique_and_increasing,
    cached_messages_are_not_lost_to_a_small_inbox,
);
