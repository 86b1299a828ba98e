//! The legacy channel API on the core: callback order on join, mixed core/legacy membership,
//! the one-channel rule, force-send, per-key attribute callbacks, built-in attributes, error
//! codes, leave codes and the channel `invoke` functions.
//!
//! The scenarios with paused time (the 604 leave after a lost link, the `_member_num` refresh)
//! are in `legacy_channel_timers.rs`.

use sigshim::{Attribute, ChannelAttributeOptions, ChannelEvent, ChannelEvents, Message};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{expect_cb, online_core, online_legacy, online_legacy_with, relaxed_hub};
use sigshim_conformance::scenario::{assert_no_callback, check_golden};
use sigshim_conformance::{Driver, LegacyDriver, WAIT};
use sigshim_legacy::{SignalingOptions, uid_for};

const NOTIFY: ChannelAttributeOptions =
    ChannelAttributeOptions { enable_notification_to_channel_members: true };

/// Joins `channel` and waits for the join callbacks; returns the `on_channel_user_list` line.
async fn join(l: &mut LegacyDriver, channel: &str) -> String {
    l.sig.channel_join(channel);
    expect_cb(l, &format!("on_channel_joined({channel})")).await;
    l.cbs.wait("on_channel_user_list").await.to_string()
}

fn user_list(accounts: &[&str]) -> String {
    let uids: Vec<String> = accounts.iter().map(|a| uid_for(a).to_string()).collect();
    format!("on_channel_user_list([{}], [{}])", accounts.join(" "), uids.join(" "))
}

fn joined(account: &str) -> String {
    format!("on_channel_user_joined({account}, {})", uid_for(account))
}

fn leaved(account: &str) -> String {
    format!("on_channel_user_leaved({account}, {})", uid_for(account))
}

fn received(channel: &str, from: &str, text: &str) -> String {
    format!("on_message_channel_receive({channel}, {from}, {}, {text})", uid_for(from))
}

fn attr(channel: &str, name: &str, value: &str, kind: &str) -> String {
    format!("on_channel_attr_updated({channel}, {name}, {value}, {kind})")
}

async fn next(ev: &mut ChannelEvents) -> ChannelEvent {
    tokio::time::timeout(WAIT, ev.recv()).await.expect("a channel event in time").expect("stream open")
}

/// The next channel event that is not a member count.
async fn next_non_count(ev: &mut ChannelEvents) -> ChannelEvent {
    loop {
        match next(ev).await {
            ChannelEvent::MemberCountUpdated(_) => {}
            other => return other,
        }
    }
}

async fn join_order_golden_transcript(be: Backend) {
    let hub = relaxed_hub();
    let carol = online_core(be, &hub, "carol").await;
    let (room, _carol_events) = carol.client.create_channel("room");
    room.join().await.expect("carol joins");
    carol
        .client
        .add_or_update_channel_attributes("room", &[Attribute::new("topic", "rust")], NOTIFY)
        .await
        .unwrap();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    assert_eq!(
        join(&mut alice, "room").await,
        user_list(&["alice", "carol"]),
        "latest first, joiner included"
    );
    expect_cb(&mut alice, &attr("room", "topic", "rust", "update")).await;
    join(&mut bob, "room").await;
    expect_cb(&mut alice, &joined("bob")).await;
    bob.sig.message_channel_send("room", "hello", "m1");
    expect_cb(&mut bob, "on_message_send_success(m1)").await;
    expect_cb(&mut alice, &received("room", "bob", "hello")).await;
    room.send_message(&Message::text("hi from core")).await.unwrap();
    expect_cb(&mut alice, &received("room", "carol", "hi from core")).await;
    bob.sig.channel_leave("room");
    expect_cb(&mut bob, "on_channel_leaved(room, 602)").await;
    expect_cb(&mut alice, &leaved("bob")).await;
    alice.sig.channel_leave("room");
    expect_cb(&mut alice, "on_channel_leaved(room, 602)").await;
    alice.fence().await;
    let lines: Vec<String> =
        alice.cbs.transcript().into_iter().filter(|l| !l.starts_with("on_dbg(")).collect();
    check_golden("legacy_channel_join.txt", &lines);
}

async fn join_callbacks_come_before_member_events(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    alice.sig.channel_set_attr("room", "a", "1");
    alice.sig.channel_set_attr("room", "b", "2");
    let mut bob = online_legacy(be, &hub, "bob").await;
    // Joins and a message right behind alice's join: none of it may come before her list.
    alice.sig.channel_join("room");
    bob.sig.channel_join("room");
    bob.sig.message_channel_send("room", "early", "e1");
    expect_cb(&mut bob, "on_message_send_success(e1)").await;
    expect_cb(&mut alice, &received("room", "bob", "early")).await;
    let lines: Vec<String> = alice.cbs.transcript();
    let pos =
        |p: &str| lines.iter().position(|l| l.starts_with(p)).unwrap_or_else(|| panic!("{p} in {lines:?}"));
    let (j, list, a, b) = (
        pos("on_channel_joined(room)"),
        pos("on_channel_user_list("),
        pos("on_channel_attr_updated(room, a, 1, update)"),
        pos("on_channel_attr_updated(room, b, 2, update)"),
    );
    assert!(j < list && list < a && a < b, "{lines:?}");
    let msg = pos("on_message_channel_receive(");
    assert!(b < msg, "{lines:?}");
    if let Some(bj) = lines.iter().position(|l| l.starts_with("on_channel_user_joined(bob")) {
        assert!(b < bj, "{lines:?}");
    }
}

async fn mixed_membership_sees_everything_both_ways(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut alice, "room").await;
    let carol = online_core(be, &hub, "carol").await;
    let (room, mut ce) = carol.client.create_channel("room");
    room.join().await.unwrap();
    expect_cb(&mut alice, &joined("carol")).await;
    assert_eq!(join(&mut bob, "room").await, user_list(&["bob", "carol", "alice"]));
    assert_eq!(next_non_count(&mut ce).await, ChannelEvent::MemberJoined("bob".into()));
    expect_cb(&mut alice, &joined("bob")).await;
    // Messages, legacy → core and legacy, core → legacy.
    alice.sig.message_channel_send("room", "from alice", "");
    match next_non_count(&mut ce).await {
        ChannelEvent::MessageReceived { peer_id, message } => {
            assert_eq!((peer_id.as_str(), message.text_or_description()), ("alice", "from alice"))
        }
        other => panic!("{other:?}"),
    }
    expect_cb(&mut bob, &received("room", "alice", "from alice")).await;
    room.send_message(&Message::text("from carol")).await.unwrap();
    expect_cb(&mut alice, &received("room", "carol", "from carol")).await;
    expect_cb(&mut bob, &received("room", "carol", "from carol")).await;
    // Attributes, legacy → core and core → legacy.
    bob.sig.channel_set_attr("room", "k", "v");
    match next_non_count(&mut ce).await {
        ChannelEvent::AttributesUpdated { attributes: a, .. } => {
            assert_eq!(
                (a[0].key.as_str(), a[0].value.as_str(), a[0].last_update_user_id.as_str()),
                ("k", "v", "bob")
            )
        }
        other => panic!("{other:?}"),
    }
    for l in [&mut alice, &mut bob] {
        expect_cb(l, &attr("room", "k", "v", "update")).await;
    }
    carol.client.add_or_update_channel_attributes("room", &[Attribute::new("k", "w")], NOTIFY).await.unwrap();
    for l in [&mut alice, &mut bob] {
        expect_cb(l, &attr("room", "k", "w", "update")).await;
    }
    // Leaves, both ways.
    room.leave().await.unwrap();
    expect_cb(&mut alice, &leaved("carol")).await;
    expect_cb(&mut bob, &leaved("carol")).await;
    let (room2, mut ce2) = carol.client.create_channel("room");
    room2.join().await.unwrap();
    alice.sig.channel_leave("room");
    loop {
        match next_non_count(&mut ce2).await {
            ChannelEvent::MemberLeft(u) => break assert_eq!(u, "alice"),
            ChannelEvent::MemberJoined(_) | ChannelEvent::AttributesUpdated { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    expect_cb(&mut bob, &leaved("alice")).await;
}

async fn one_channel_per_instance_unless_multi_channel(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    join(&mut alice, "a").await;
    alice.sig.channel_join("b");
    let left = expect_cb(&mut alice, "on_channel_leaved(a, 602)").await;
    drop(left);
    expect_cb(&mut alice, "on_channel_joined(b)").await;
    let lines = alice.cbs.transcript();
    let pos = |p: &str| lines.iter().position(|l| l == p).unwrap();
    assert!(pos("on_channel_leaved(a, 602)") < pos("on_channel_joined(b)"), "{lines:?}");
    alice.sig.channel_query_user_is_in("a", "alice");
    expect_cb(&mut alice, "on_channel_query_user_is_in(a, alice, 0)").await;
    // Joining the channel one is in fails and leaves nothing.
    alice.sig.channel_join("b");
    expect_cb(&mut alice, "on_channel_join_failed(b, 300)").await;
    alice.sig.channel_query_user_is_in("b", "alice");
    expect_cb(&mut alice, "on_channel_query_user_is_in(b, alice, 1)").await;

    let mut multi =
        online_legacy_with(be, &hub, "multi", SignalingOptions::default().multi_channel(true)).await;
    for ch in ["a", "b", "c"] {
        join(&mut multi, ch).await;
    }
    assert_no_callback(&mut multi, &["on_channel_leaved"]).await;
    for ch in ["a", "b", "c"] {
        multi.sig.channel_query_user_is_in(ch, "multi");
        expect_cb(&mut multi, &format!("on_channel_query_user_is_in({ch}, multi, 1)")).await;
    }
    // The core's limit of 20 joined channels still holds.
    for i in 3..20 {
        join(&mut multi, &format!("ch{i}")).await;
    }
    multi.sig.channel_join("one-too-many");
    expect_cb(&mut multi, "on_channel_join_failed(one-too-many, 300)").await;
    // Logging out leaves every joined channel, each with 603, before on_logout.
    multi.sig.logout();
    multi.cbs.wait("on_logout").await;
    let lines = multi.cbs.transcript();
    let leaves =
        lines.iter().filter(|l| l.starts_with("on_channel_leaved(") && l.ends_with(", 603)")).count();
    assert_eq!(leaves, 20, "{lines:?}");
}

async fn force_send_from_a_non_member(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    join(&mut alice, "room").await;
    let carol = online_core(be, &hub, "carol").await;
    let (room, mut ce) = carol.client.create_channel("room");
    room.join().await.unwrap();
    expect_cb(&mut alice, &joined("carol")).await;
    let mut dave = online_legacy(be, &hub, "dave").await;
    dave.sig.message_channel_send_force("room", "forced", "f1");
    expect_cb(&mut dave, "on_message_send_success(f1)").await;
    expect_cb(&mut alice, &received("room", "dave", "forced")).await;
    match next_non_count(&mut ce).await {
        ChannelEvent::MessageReceived { peer_id, message } => {
            assert_eq!((peer_id.as_str(), message.text_or_description()), ("dave", "forced"))
        }
        other => panic!("{other:?}"),
    }
    assert_no_callback(&mut alice, &["on_channel_user_joined", "on_channel_user_leaved"]).await;
    alice.sig.channel_query_user_num("room");
    expect_cb(&mut alice, "on_channel_query_user_num_result(room, 0, 2)").await;
    alice.sig.channel_query_user_is_in("room", "dave");
    expect_cb(&mut alice, "on_channel_query_user_is_in(room, dave, 0)").await;
    // A plain send from the non-member fails.
    dave.sig.message_channel_send("room", "x", "f2");
    expect_cb(&mut dave, "on_message_send_error(f2, 400)").await;
}

async fn error_paths(be: Backend) {
    let hub = relaxed_hub();
    let mut l = be.legacy(&hub, "alice");
    // Before login.
    l.sig.channel_join("room");
    expect_cb(&mut l, "on_channel_join_failed(room, 300)").await;
    l.sig.message_channel_send("room", "x", "m0");
    expect_cb(&mut l, "on_message_send_error(m0, 1003)").await;
    l.sig.message_channel_send_force("room", "x", "m1");
    expect_cb(&mut l, "on_message_send_error(m1, 1003)").await;
    l.sig.channel_query_user_num("room");
    expect_cb(&mut l, "on_channel_query_user_num_result(room, 500, 0)").await;
    l.sig.channel_query_user_is_in("room", "bob");
    assert_eq!(l.cbs.wait("on_error").await.args[..2], ["channel_query_user_is_in", "1003"]);
    for (name, call) in [
        (
            "channel_set_attr",
            Box::new(|l: &LegacyDriver| l.sig.channel_set_attr("room", "k", "v"))
                as Box<dyn Fn(&LegacyDriver)>,
        ),
        ("channel_del_attr", Box::new(|l: &LegacyDriver| l.sig.channel_del_attr("room", "k"))),
        ("channel_clear_attr", Box::new(|l: &LegacyDriver| l.sig.channel_clear_attr("room"))),
    ] {
        call(&l);
        assert_eq!(l.cbs.wait("on_error").await.args[..2], [name, "1003"]);
    }
    l.sig.channel_leave("room");
    expect_cb(&mut l, "on_channel_leaved(room, 603)").await;
    // Logged in.
    l.login(None).await.unwrap();
    l.sig.message_channel_send("room", "x", "m2");
    expect_cb(&mut l, "on_message_send_error(m2, 400)").await;
    l.sig.channel_leave("room");
    expect_cb(&mut l, "on_channel_leaved(room, 600)").await;
    for special in
        ["_agora_user_online", "__agora_user_online", "_agora_channel_event", "__agora_channel_event"]
    {
        l.sig.channel_join(special);
        expect_cb(&mut l, &format!("on_channel_join_failed({special}, 300)")).await;
    }
    l.sig.channel_join("bad channel\u{7}");
    expect_cb(&mut l, "on_channel_join_failed(bad channel\u{7}, 300)").await;
    l.sig.channel_query_user_num("empty");
    expect_cb(&mut l, "on_channel_query_user_num_result(empty, 0, 0)").await;
    l.sig.channel_query_user_num("");
    expect_cb(&mut l, "on_channel_query_user_num_result(, 500, 0)").await;
    join(&mut l, "room").await;
    l.sig.message_channel_send("room", "", "m3");
    expect_cb(&mut l, "on_message_send_error(m3, 400)").await;
    l.sig.message_channel_send("room", "ok", "");
    let cb = l.cbs.wait("on_message_send_success").await;
    assert!(!cb.args[0].is_empty(), "a generated message id");
    l.sig.channel_set_attr("room", "", "v");
    assert_eq!(l.cbs.wait("on_error").await.args[..2], ["channel_set_attr", "1004"]);
    assert_no_callback(&mut l, &["on_channel_attr_updated"]).await;
}

async fn attribute_changes_become_per_key_callbacks(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut alice, "room").await;
    join(&mut bob, "room").await;
    // Each instance runs its own calls in order; across instances the test waits in between.
    alice.sig.channel_set_attr("room", "a", "1");
    expect_cb(&mut bob, &attr("room", "a", "1", "update")).await;
    bob.sig.channel_set_attr("room", "b", "2");
    expect_cb(&mut alice, &attr("room", "b", "2", "update")).await;
    alice.sig.channel_set_attr("room", "a", "3");
    alice.sig.channel_del_attr("room", "b");
    expect_cb(&mut alice, &attr("room", "a", "1", "update")).await;
    expect_cb(&mut bob, &attr("room", "b", "2", "update")).await;
    for l in [&mut alice, &mut bob] {
        expect_cb(l, &attr("room", "a", "3", "update")).await;
        expect_cb(l, &attr("room", "b", "", "del")).await;
    }
    // Setting the same value again changes nothing, so nobody hears of it.
    alice.sig.channel_set_attr("room", "a", "3");
    alice.fence().await;
    bob.sig.channel_set_attr("room", "c", "4");
    bob.sig.channel_clear_attr("room");
    for l in [&mut alice, &mut bob] {
        expect_cb(l, &attr("room", "c", "4", "update")).await;
        expect_cb(l, &attr("room", "", "", "clear")).await;
        assert_no_callback(l, &["on_channel_attr_updated"]).await;
    }
    // The same through invoke, with its key asymmetry.
    alice.sig.invoke(
        "io.agora.signal.channel_set_attr",
        r#"{"channel":"room","name":"x","value":"y"}"#,
        "c1",
    );
    expect_cb(&mut alice, r#"on_invoke_ret(c1, , {"result":"ok"})"#).await;
    expect_cb(&mut bob, &attr("room", "x", "y", "update")).await;
    alice.sig.invoke(
        "io.agora.signal.channel_set_attr",
        r#"{"channel":"room","name":"z","value":"w"}"#,
        "c2",
    );
    alice.sig.invoke("io.agora.signal.channel_del_attr", r#"{"channel":"room","name":"x"}"#, "c3");
    expect_cb(&mut bob, &attr("room", "z", "w", "update")).await;
    expect_cb(&mut bob, &attr("room", "x", "", "del")).await;
    // Two keys, so that the clear below is one for every member (a one-key set emptied looks the
    // same to the others whether it was deleted or cleared; see legacy_attr_del.rs).
    alice.sig.channel_set_attr("room", "v", "u");
    expect_cb(&mut bob, &attr("room", "v", "u", "update")).await;
    alice.sig.invoke("io.agora.signal.channel_clear_attr", r#"{"channel":"room"}"#, "c4");
    expect_cb(&mut alice, r#"on_invoke_ret(c4, , {"result":"ok"})"#).await;
    expect_cb(&mut bob, &attr("room", "", "", "clear")).await;
    // A non-member may set attributes; members hear of it, the setter does not.
    let mut dave = online_legacy(be, &hub, "dave").await;
    dave.sig.channel_set_attr("room", "d", "1");
    expect_cb(&mut alice, &attr("room", "d", "1", "update")).await;
    assert_no_callback(&mut dave, &["on_channel_attr_updated", "on_error"]).await;
}

async fn user_notification_zero_suppresses_member_events(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    join(&mut alice, "room").await;
    alice.sig.channel_set_attr("room", "_userNotification", "0");
    alice.sig.channel_set_attr("room", "_channel_ttl", "60");
    expect_cb(&mut alice, &attr("room", "_userNotification", "0", "update")).await;
    expect_cb(&mut alice, &attr("room", "_channel_ttl", "60", "update")).await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut bob, "room").await;
    bob.sig.message_channel_send("room", "after join", "m1");
    expect_cb(&mut alice, &received("room", "bob", "after join")).await;
    bob.sig.channel_leave("room");
    expect_cb(&mut bob, "on_channel_leaved(room, 602)").await;
    alice.sig.channel_query_user_is_in("room", "bob");
    expect_cb(&mut alice, "on_channel_query_user_is_in(room, bob, 0)").await;
    assert_no_callback(&mut alice, &["on_channel_user_joined", "on_channel_user_leaved"]).await;
    // Switched back on, the events return.
    alice.sig.channel_set_attr("room", "_userNotification", "1");
    expect_cb(&mut alice, &attr("room", "_userNotification", "1", "update")).await;
    join(&mut bob, "room").await;
    expect_cb(&mut alice, &joined("bob")).await;
}

async fn channel_invoke_functions(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = be.legacy(&hub, "alice");
    alice.sig.invoke("io.agora.signal.channel_query_num", r#"{"name":"room"}"#, "0");
    expect_cb(&mut alice, "on_invoke_ret(0, 1003: not logged in, {})").await;
    alice.login(None).await.unwrap();
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut bob, "room").await;
    join(&mut alice, "room").await;
    alice.sig.invoke("io.agora.signal.channel_query_num", r#"{"name":"room"}"#, "1");
    expect_cb(&mut alice, r#"on_invoke_ret(1, , {"name":"room","num":2,"result":"ok"})"#).await;
    alice.sig.invoke("io.agora.signal.channel_query_user_isin", r#"{"name":"room","account":"bob"}"#, "2");
    expect_cb(&mut alice, r#"on_invoke_ret(2, , {"account":"bob","isin":1,"name":"room","result":"ok"})"#)
        .await;
    alice.sig.invoke("io.agora.signal.channel_query_user_isin", r#"{"name":"room","account":"zed"}"#, "3");
    expect_cb(&mut alice, r#"on_invoke_ret(3, , {"account":"zed","isin":0,"name":"room","result":"ok"})"#)
        .await;
    alice.sig.invoke("io.agora.signal.channel_query_userlist", r#"{"name":"room"}"#, "4");
    expect_cb(
        &mut alice,
        r#"on_invoke_ret(4, , {"list":["alice","bob"],"name":"room","num":2,"result":"ok"})"#,
    )
    .await;
    alice.sig.invoke("io.agora.signal.channel_query_userlist", r#"{"name":"elsewhere"}"#, "5");
    let cb = alice.cbs.wait_for("invoke 5", |c| c.name == "on_invoke_ret" && c.args[0] == "5").await;
    assert!(cb.args[1].starts_with("1001: "), "{cb}");
    alice.sig.invoke("io.agora.signal.channel_query_userlist_all", r#"{"name":"room","num":1000000}"#, "6");
    let cb = alice.cbs.wait_for("invoke 6", |c| c.name == "on_invoke_ret" && c.args[0] == "6").await;
    assert!(cb.args[1].starts_with("1001: unsupported"), "{cb}");
    alice.sig.invoke("io.agora.signal.channel_set_attr", r#"{"name":"k","value":"v"}"#, "7");
    expect_cb(&mut alice, r#"on_invoke_ret(7, 1004: missing string field "channel", {})"#).await;
    alice.sig.invoke("io.agora.signal.channel_query_num", r#"{"channel":"room"}"#, "8");
    expect_cb(&mut alice, r#"on_invoke_ret(8, 1004: missing string field "name", {})"#).await;
}

async fn kicked_by_a_login_elsewhere_leaves_with_601(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    join(&mut alice, "room").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut bob, "room").await;
    let _again = online_legacy(be, &hub, "alice").await;
    expect_cb(&mut alice, "on_channel_leaved(room, 601)").await;
    expect_cb(&mut alice, "on_logout(103)").await;
    let lines = alice.cbs.transcript();
    let n = lines.len();
    assert_eq!(lines[n - 2..], ["on_channel_leaved(room, 601)", "on_logout(103)"], "{lines:?}");
}

sigshim_conformance::per_backend!(
    join_order_golden_transcript,
    join_callbacks_come_before_member_events,
    mixed_membership_sees_everything_both_ways,
    one_channel_per_instance_unless_multi_channel,
    force_send_from_a_non_member,
    error_paths,
    attribute_changes_become_per_key_callbacks,
    user_notification_zero_suppresses_member_events,
    channel_invoke_functions,
    kicked_by_a_login_elsewhere_leaves_with_601,
);
