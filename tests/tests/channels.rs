//! Channel scenarios on the core: membership and member events, channel messages, RTM codes of
//! join, leave, send, member lists and counts, the join budgets, the member-count throttle and
//! the member-event cut-off.
//!
//! Attributes, publishing without membership, session ends, slow members and reconnects are in
//! `channels_more.rs`. Scenarios with paused time run in-process only; the others run per backend
//! (`memory::` and `ws::`). Those skip `MemberCountUpdated`, whose throttled pushes
//! arrive on a real-time schedule; the paused ones check every event.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sigshim::error::{
    ChannelMemberCountError as CE, ChannelMessageError as ME, GetMembersError as GE, JoinChannelError as JE,
    LeaveChannelError as LE,
};
use sigshim::{ChannelEvent, ChannelEvents, Limits, Message, RtmCode};
use sigshim_conformance::Backend;
use sigshim_conformance::channel_fixtures::{marker, member, next_any as next, next_no_count, text};
use sigshim_conformance::fixtures::{hub_with, online_core, relaxed_hub};
use sigshim_conformance::hub;
use sigshim_conformance::scenario::{advance, at_once};

use ChannelEvent::{MemberCountUpdated as Count, MemberJoined as Joined, MemberLeft as Left};

/// Asserts that nothing is waiting on `ev`. Called right after [`advance`] under paused time,
/// this proves that nothing came before the current instant.
fn quiet(ev: &mut ChannelEvents) {
    if let Some(e) = ev.try_recv() {
        panic!("unexpected channel event {e:?}");
    }
}

async fn member_events_reach_remote_members_only(be: Backend) {
    let hub = hub();
    let (_a, ca, mut ea) = member(be, &hub, "alice", "room").await;
    let (_b, cb, mut eb) = member(be, &hub, "bob", "room").await;
    let (_c, cc, mut ec) = member(be, &hub, "carol", "room").await;
    assert_eq!(next_no_count(&mut ea).await, Joined("bob".into()));
    assert_eq!(next_no_count(&mut ea).await, Joined("carol".into()));
    assert_eq!(next_no_count(&mut eb).await, Joined("carol".into()));
    // Nobody heard of their own join, and the sender does not get its own message: alice's
    // marker is the next thing bob and carol see; bob's is the next thing alice sees.
    marker(&ca, "alice", "m1", &mut [&mut eb, &mut ec]).await;
    marker(&cb, "bob", "m2", &mut [&mut ea, &mut ec]).await;
    cc.leave().await.expect("carol leaves");
    assert_eq!(next_no_count(&mut ea).await, Left("carol".into()));
    assert_eq!(next_no_count(&mut eb).await, Left("carol".into()));
    assert_eq!(cc.leave().await, Err(LE::NotInChannel));
    assert_eq!(LE::NotInChannel.code(), 3);
    marker(&ca, "alice", "m3", &mut [&mut eb]).await;
    marker(&cb, "bob", "m4", &mut [&mut ea]).await;
}

#[tokio::test(start_paused = true)]
async fn join_and_leave_exact_event_sequences() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let ms = Duration::from_millis;
    let (_a, _ca, mut ea) = member(be, &hub, "alice", "room").await; // t = 0
    assert_eq!(at_once(next(&mut ea)).await, Count(1), "the joiner is told the count at once");
    let (_b, cb, mut eb) = member(be, &hub, "bob", "room").await;
    assert_eq!(at_once(next(&mut eb)).await, Count(2));
    assert_eq!(at_once(next(&mut ea)).await, Joined("bob".into()));
    advance(ms(999)).await;
    quiet(&mut ea);
    quiet(&mut eb);
    advance(ms(1)).await; // t = 1 s
    assert_eq!(at_once(next(&mut ea)).await, Count(2), "the others learn it on the 1 s schedule");
    cb.leave().await.expect("bob leaves");
    assert_eq!(at_once(next(&mut ea)).await, Left("bob".into()));
    advance(ms(999)).await;
    quiet(&mut ea);
    quiet(&mut eb); // bob was told 2 on his join, not again
    advance(ms(1)).await; // t = 2 s
    assert_eq!(at_once(next(&mut ea)).await, Count(1));
    advance(Duration::from_secs(5)).await;
    quiet(&mut ea);
    quiet(&mut eb);
}

async fn channel_messages_carry_ids_and_server_timestamps(be: Backend) {
    let hub = hub();
    let (_a, ca, mut ea) = member(be, &hub, "alice", "room").await;
    let (_b, cb, mut eb) = member(be, &hub, "bob", "room").await;
    assert_eq!(next_no_count(&mut ea).await, Joined("bob".into()));
    let now_ms = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    let before = now_ms();
    for t in ["one", "two", "three"] {
        ca.send_message(&Message::text(t)).await.expect("the server has it");
    }
    let after = now_ms();
    let mut last_id = 0;
    for t in ["one", "two", "three"] {
        match next_no_count(&mut eb).await {
            ChannelEvent::MessageReceived { peer_id, message } => {
                assert_eq!((peer_id.as_str(), message.text_or_description()), ("alice", t));
                assert!(message.id > last_id, "ids increase: {} after {last_id}", message.id);
                assert!(
                    (before..=after).contains(&message.server_ts),
                    "{} in {before}..={after}",
                    message.server_ts
                );
                last_id = message.id;
            }
            other => panic!("{other:?}"),
        }
    }
    // Alice got none of her own three: bob's marker comes first.
    marker(&cb, "bob", "mark", &mut [&mut ea]).await;
}

async fn already_joined_and_the_21st_channel(be: Backend) {
    let hub = hub();
    let a = online_core(be, &hub, "alice").await;
    let (room, _e) = a.client.create_channel("room");
    room.join().await.expect("joined");
    assert_eq!(room.join().await, Err(JE::AlreadyJoined));
    assert_eq!(JE::AlreadyJoined.code(), 6);
    let mut handles = Vec::new();
    for i in 1..20 {
        let (c, _) = a.client.create_channel(&format!("c{i}"));
        c.join().await.unwrap_or_else(|e| panic!("channel #{} refused: {e:?}", i + 1));
        handles.push(c);
    }
    let (extra, _) = a.client.create_channel("c20");
    assert_eq!(extra.join().await, Err(JE::ExceedLimit));
    assert_eq!(JE::ExceedLimit.code(), 5);
    handles[0].leave().await.expect("leave one");
    extra.join().await.expect("room for one more after a leave");
    assert_eq!(handles[0].join().await, Err(JE::ExceedLimit));
}

#[tokio::test(start_paused = true)]
async fn joins_are_limited_to_50_per_3_seconds() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let a = online_core(be, &hub, "alice").await;
    for i in 0..50 {
        let (c, _) = a.client.create_channel(&format!("c{i}"));
        c.join().await.unwrap_or_else(|e| panic!("join #{} refused: {e:?}", i + 1));
        c.leave().await.expect("leave");
    }
    let (c, _) = a.client.create_channel("one-more");
    assert_eq!(c.join().await, Err(JE::TooOften));
    assert_eq!(JE::TooOften.code(), 7);
    advance(Duration::from_millis(2999)).await;
    assert_eq!(c.join().await, Err(JE::TooOften));
    advance(Duration::from_millis(1)).await;
    c.join().await.expect("the window has passed");
}

#[tokio::test(start_paused = true)]
async fn the_same_channel_is_joined_at_most_twice_per_5_seconds() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let a = online_core(be, &hub, "alice").await;
    let (room, _e) = a.client.create_channel("room");
    room.join().await.expect("first join");
    room.leave().await.expect("leave");
    room.join().await.expect("second join");
    room.leave().await.expect("leave");
    assert_eq!(room.join().await, Err(JE::JoinSameChannelTooOften));
    assert_eq!(JE::JoinSameChannelTooOften.code(), 8);
    let (other, _) = a.client.create_channel("other");
    other.join().await.expect("another channel is not affected");
    advance(Duration::from_millis(4999)).await;
    assert_eq!(room.join().await, Err(JE::JoinSameChannelTooOften));
    advance(Duration::from_millis(1)).await;
    room.join().await.expect("the window has passed");
}

async fn leave_send_and_members_need_membership(be: Backend) {
    let hub = hub();
    let (_a, _ca, _ea) = member(be, &hub, "alice", "room").await;
    let b = online_core(be, &hub, "bob").await;
    let (cb, _eb) = b.client.create_channel("room");
    assert_eq!(cb.leave().await, Err(LE::NotInChannel));
    assert_eq!(cb.send_message(&Message::text("hi")).await, Err(ME::NotInChannel));
    assert_eq!(ME::NotInChannel.code(), 5);
    assert_eq!(cb.get_members().await, Err(GE::NotInChannel));
    assert_eq!(GE::NotInChannel.code(), 5);
}

async fn message_size_limits(be: Backend) {
    let hub = hub();
    let (_a, ca, _ea) = member(be, &hub, "alice", "room").await;
    let (_b, _cb, mut eb) = member(be, &hub, "bob", "room").await;
    assert_eq!(ca.send_message(&Message::text("")).await, Err(ME::InvalidMessage));
    assert_eq!(ME::InvalidMessage.code(), 4);
    let over = "x".repeat(32 * 1024 + 1);
    assert_eq!(ca.send_message(&Message::text(over)).await, Err(ME::InvalidMessage));
    let exact = "y".repeat(32 * 1024);
    ca.send_message(&Message::text(exact.clone())).await.expect("exactly 32 KB is allowed");
    assert_eq!(text(&next_no_count(&mut eb).await), ("alice".to_owned(), exact));
    marker(&ca, "alice", "after", &mut [&mut eb]).await; // the refused ones were not delivered
}

async fn invalid_channel_ids(be: Backend) {
    let hub = hub();
    let a = online_core(be, &hub, "alice").await;
    for id in ["", "null", "with/slash", "tab\there", "é", &"x".repeat(65)] {
        let (c, _) = a.client.create_channel(id);
        assert_eq!(c.join().await, Err(JE::InvalidArgument), "join {id:?}");
        assert_eq!(a.client.get_channel_member_count(&[id]).await, Err(CE::InvalidArgument), "count {id:?}");
    }
    assert_eq!((JE::InvalidArgument.code(), CE::InvalidArgument.code()), (3, 2));
    let longest = "x".repeat(64);
    let (c, _) = a.client.create_channel(&longest);
    c.join().await.expect("64 bytes is allowed");
}

async fn members_are_listed_latest_first(be: Backend) {
    let hub = hub();
    let (_a, _ca, _ea) = member(be, &hub, "alice", "room").await;
    let (_b, cb, _eb) = member(be, &hub, "bob", "room").await;
    let (_c, cc, _ec) = member(be, &hub, "carol", "room").await;
    assert_eq!(cc.get_members().await.expect("members"), ["carol", "bob", "alice"]);
    cb.leave().await.expect("bob leaves");
    assert_eq!(cc.get_members().await.expect("members"), ["carol", "alice"]);
    cb.join().await.expect("bob is back");
    assert_eq!(cb.get_members().await.expect("members"), ["bob", "carol", "alice"]);
}

/// A member's leave, once acknowledged, is out of every member list: on two nodes, the list read
/// on the other node right after the leave no longer has it, round after round.
async fn an_acknowledged_leave_is_out_of_every_list(be: Backend) {
    let hub = relaxed_hub(); // twenty rejoins of one channel and forty lists, at once
    let (_a, ca, _ea) = member(be, &hub, "alice", "room").await;
    let (_b, cb, _eb) = member(be, &hub, "bob", "room").await;
    for round in 0..20 {
        cb.leave().await.expect("bob leaves");
        assert_eq!(ca.get_members().await.expect("members"), ["alice"], "round {round}");
        cb.join().await.expect("bob is back");
        assert_eq!(ca.get_members().await.expect("members"), ["bob", "alice"], "round {round}");
    }
}

async fn member_counts_need_no_membership(be: Backend) {
    let hub = hub();
    let (_a, _ca, _ea) = member(be, &hub, "alice", "room").await;
    let (_b, _cb, _eb) = member(be, &hub, "bob", "room").await;
    let d = online_core(be, &hub, "dave").await;
    let ids: Vec<String> = (0..33).map(|i| format!("c{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(d.client.get_channel_member_count(&ids).await, Err(CE::ExceedLimit));
    assert_eq!(CE::ExceedLimit.code(), 5);
    assert_eq!(d.client.get_channel_member_count(&[]).await, Err(CE::InvalidArgument));
    let counts = d.client.get_channel_member_count(&["room", "nowhere"]).await.expect("counts");
    let counts: Vec<(&str, usize)> = counts.iter().map(|c| (c.channel_id.as_str(), c.count)).collect();
    assert_eq!(counts, [("room", 2), ("nowhere", 0)]);
    // One query per second.
    assert_eq!(d.client.get_channel_member_count(&["room"]).await, Err(CE::TooOften));
    assert_eq!(CE::TooOften.code(), 3);
    assert!(d.client.is_channel_member("room", "bob").await.expect("query"));
    assert!(!d.client.is_channel_member("room", "dave").await.expect("query"));
}

#[tokio::test(start_paused = true)]
async fn member_count_updates_are_throttled_to_one_per_second() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let ms = |n| Duration::from_millis(n);
    let (_a, _ca, mut ea) = member(be, &hub, "alice", "room").await; // t = 0
    assert_eq!(next(&mut ea).await, Count(1));
    advance(ms(100)).await;
    let (_b, _cb, mut eb) = member(be, &hub, "bob", "room").await;
    advance(ms(100)).await;
    let (_c, _cc, mut ec) = member(be, &hub, "carol", "room").await;
    advance(ms(100)).await;
    let (_d, _cd, mut ed) = member(be, &hub, "dave", "room").await; // t = 300 ms
    for who in ["bob", "carol", "dave"] {
        assert_eq!(next(&mut ea).await, Joined(who.into()));
    }
    assert_eq!(next(&mut eb).await, Count(2));
    assert_eq!(next(&mut eb).await, Joined("carol".into()));
    assert_eq!(next(&mut eb).await, Joined("dave".into()));
    assert_eq!(next(&mut ec).await, Count(3));
    assert_eq!(next(&mut ec).await, Joined("dave".into()));
    assert_eq!(next(&mut ed).await, Count(4));
    advance(ms(699)).await; // t = 999 ms
    for ev in [&mut ea, &mut eb, &mut ec, &mut ed] {
        quiet(ev);
    }
    advance(ms(1)).await; // t = 1 s: one push, the final count, to those who have not seen it
    assert_eq!(at_once(next(&mut ea)).await, Count(4));
    assert_eq!(at_once(next(&mut eb)).await, Count(4));
    assert_eq!(at_once(next(&mut ec)).await, Count(4));
    // Erin at 1.5 s: the others hear of her at once, of the count at 2 s.
    advance(ms(500)).await;
    for ev in [&mut ea, &mut eb, &mut ec, &mut ed] {
        quiet(ev); // one push only
    }
    let (_e, ce, mut ee) = member(be, &hub, "erin", "room").await;
    assert_eq!(at_once(next(&mut ee)).await, Count(5));
    assert_eq!(at_once(next(&mut ea)).await, Joined("erin".into()));
    advance(ms(499)).await;
    quiet(&mut ea);
    advance(ms(1)).await;
    assert_eq!(at_once(next(&mut ea)).await, Count(5));
    // Erin leaves and frank joins within the next second: the count ends where it was, so
    // nothing is pushed (only the membership events).
    advance(ms(100)).await;
    quiet(&mut ea);
    quiet(&mut ee);
    ce.leave().await.expect("erin leaves");
    let (_f, _cf, mut ef) = member(be, &hub, "frank", "room").await;
    assert_eq!(at_once(next(&mut ef)).await, Count(5));
    assert_eq!(at_once(next(&mut ea)).await, Left("erin".into()));
    assert_eq!(at_once(next(&mut ea)).await, Joined("frank".into()));
    advance(Duration::from_secs(5)).await;
    quiet(&mut ea);
    quiet(&mut ef);
}

#[tokio::test(start_paused = true)]
async fn member_events_stop_above_member_events_max() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub_with(|l: &mut Limits| l.member_events_max = 3);
    let (_a, _ca, mut ea) = member(be, &hub, "alice", "room").await; // t = 0
    let (_b, _cb, mut eb) = member(be, &hub, "bob", "room").await;
    let (_c, cc, mut ec) = member(be, &hub, "carol", "room").await;
    assert_eq!(next(&mut ea).await, Count(1));
    assert_eq!(next(&mut ea).await, Joined("bob".into()));
    assert_eq!(next(&mut ea).await, Joined("carol".into()));
    advance(Duration::from_secs(1)).await;
    assert_eq!(at_once(next(&mut ea)).await, Count(3));
    // A 4th member: nobody is told of the join; counts now come at most every 3 s.
    let (_d, cd, mut ed) = member(be, &hub, "dave", "room").await; // t = 1 s
    assert_eq!(at_once(next(&mut ed)).await, Count(4));
    advance(Duration::from_millis(2999)).await;
    quiet(&mut ea);
    advance(Duration::from_millis(1)).await; // t = 4 s
    assert_eq!(at_once(next(&mut ea)).await, Count(4));
    // Dave leaves a channel of 4: no MemberLeft; the count (3 again) comes 1 s later.
    cd.leave().await.expect("dave leaves");
    advance(Duration::from_millis(999)).await;
    quiet(&mut ea);
    advance(Duration::from_millis(1)).await;
    assert_eq!(at_once(next(&mut ea)).await, Count(3));
    // Carol leaves a channel of 3: announced again.
    cc.leave().await.expect("carol leaves");
    assert_eq!(next(&mut ea).await, Left("carol".into()));
    for (ev, who) in [(&mut eb, "bob"), (&mut ec, "carol")] {
        while let Some(e) = ev.try_recv() {
            assert!(!matches!(e, Joined(ref u) | Left(ref u) if u == "dave"), "{who} heard of dave: {e:?}");
        }
    }
    advance(Duration::from_millis(999)).await;
    quiet(&mut ea); // nothing of dave, and the count on its schedule
    advance(Duration::from_millis(1)).await;
    assert_eq!(at_once(next(&mut ea)).await, Count(2));
}

sigshim_conformance::per_backend!(
    member_events_reach_remote_members_only,
    channel_messages_carry_ids_and_server_timestamps,
    already_joined_and_the_21st_channel,
    leave_send_and_members_need_membership,
    message_size_limits,
    invalid_channel_ids,
    members_are_listed_latest_first,
    an_acknowledged_leave_is_out_of_every_list,
    member_counts_need_no_membership,
);
