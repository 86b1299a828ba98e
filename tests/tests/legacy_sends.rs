//! Legacy message sends in flight: one instance keeps many sends on the link at once, reports
//! their results in call order (failures found before the link included), and every other call
//! reports only after the results of the sends made before it (logout and destroy included).

use sigshim::{ChannelEvent, ChannelEvents};
use sigshim_conformance::Backend;
use sigshim_conformance::channel_fixtures::{member, next_any};
use sigshim_conformance::fixtures::{expect_cb, online_core, online_legacy, online_legacy_with, relaxed_hub};
use sigshim_conformance::scenario::ReplyGate;
use sigshim_conformance::{APP_ID, Driver, LegacyDriver, WAIT, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

fn ok(id: &str) -> String {
    format!("on_message_send_success({id})")
}

fn failed(id: &str, code: i32) -> String {
    format!("on_message_send_error({id}, {code})")
}

/// The callbacks of `l` after the last one that starts with `prefix`.
fn since(l: &LegacyDriver, prefix: &str) -> Vec<String> {
    let all = l.cbs.transcript();
    let at =
        all.iter().rposition(|c| c.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} in {all:?}"));
    all[at + 1..].to_vec()
}

/// Waits (for at most [`WAIT`]) until `l` reports login status `status`. The status is a value
/// the instance sets with no callback to announce it (the callbacks wait for the sends in
/// flight), so it is read once a millisecond.
async fn status_becomes(l: &LegacyDriver, status: i32) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(1));
    let reached = async {
        while l.sig.get_status() != status {
            tick.tick().await;
        }
    };
    tokio::time::timeout(WAIT, reached).await.unwrap_or_else(|_| panic!("status {status} within {WAIT:?}"));
}

/// A peer message from `l` to `to` with ID `id`; the callback it must produce goes to `want`.
fn send(l: &LegacyDriver, want: &mut Vec<String>, to: &str, id: &str, result: String) {
    l.sig.message_instant_send(to, 0, &format!("text of {id}"), id);
    want.push(result);
}

/// Sends to an online peer, to an invalid account (refused by the server) and to a channel the
/// sender is not in (refused before the link), a query, more sends, a logout: the callbacks are
/// exactly the calls' results in call order, and the peer gets every delivered message in order.
async fn results_in_call_order(be: Backend, options: SignalingOptions) {
    let hub = hub();
    let mut bob = online_core(be, &hub, "bob").await;
    let mut alice = online_legacy_with(be, &hub, "alice", options).await;
    let mut want = Vec::new();
    let mut delivered = Vec::new();
    for i in 0..5 {
        let id = format!("s{i}");
        send(&alice, &mut want, "bob", &id, ok(&id));
        delivered.push(id);
    }
    send(&alice, &mut want, "bad/id", "bad", failed("bad", 400));
    alice.sig.message_channel_send("nowhere", "not a member", "nochan");
    want.push(failed("nochan", 400));
    for i in 5..10 {
        let id = format!("s{i}");
        send(&alice, &mut want, "bob", &id, ok(&id));
        delivered.push(id);
    }
    alice.sig.query_user_status("bob");
    want.push("on_query_user_status_result(bob, 1)".into());
    for i in 10..12 {
        let id = format!("s{i}");
        send(&alice, &mut want, "bob", &id, ok(&id));
        delivered.push(id);
    }
    alice.sig.logout();
    want.push("on_logout(101)".into());
    expect_cb(&mut alice, "on_logout(101)").await;
    assert_eq!(since(&alice, "on_login_success("), want);
    for id in delivered {
        assert_eq!(bob.recv_peer().await, ("alice".into(), format!("text of {id}")));
    }
}

async fn send_results_come_in_call_order(be: Backend) {
    results_in_call_order(be, SignalingOptions::default().inline_callbacks(false)).await;
}

async fn send_results_come_in_call_order_with_inline_callbacks(be: Backend) {
    results_in_call_order(be, SignalingOptions::default().inline_callbacks(true)).await;
}

/// Sixty sends from a fresh `user` to bob, then `end` (a logout or a destroy): every send's
/// result comes before `on_logout(101)`, and bob gets every message in order.
async fn sixty_sends_then(
    be: Backend,
    hub: &sigshim::Hub,
    bob: &mut dyn Driver,
    user: &str,
    end: fn(&sigshim_legacy::Signaling),
) {
    let mut l = online_legacy(be, hub, user).await;
    let mut want = Vec::new();
    for i in 0..60 {
        let id = format!("{user}{i}");
        send(&l, &mut want, "bob", &id, ok(&id));
    }
    end(&l.sig);
    want.push("on_logout(101)".into());
    expect_cb(&mut l, "on_logout(101)").await;
    assert_eq!(since(&l, "on_login_success("), want, "{user}");
    for i in 0..60 {
        assert_eq!(bob.recv_peer().await, (user.to_owned(), format!("text of {user}{i}")));
    }
}

async fn sends_in_flight_are_reported_before_on_logout(be: Backend) {
    let hub = hub();
    let mut bob = online_core(be, &hub, "bob").await;
    sixty_sends_then(be, &hub, &mut bob, "alice", |s| s.logout()).await;
    // Destroy logs out too, after the sends in flight.
    sixty_sends_then(be, &hub, &mut bob, "carol", |s| s.destroy()).await;
}

async fn sixty_four_sends_are_in_flight_at_once(be: Backend) {
    let hub = relaxed_hub(); // 100 sends at once: above the legacy 60 a second
    let mut bob = online_core(be, &hub, "bob").await;
    // No reply comes back before 64 sends are on the link: an instance that waited for each
    // reply would time out on its first send.
    let gate = ReplyGate::new(be, &hub, 64);
    let mut alice =
        LegacyDriver::with_endpoint(APP_ID, "alice", SignalingOptions::default().connector(gate.clone()));
    alice.login(None).await.expect("alice logs in");
    let mut want = Vec::new();
    for i in 0..100 {
        let id = format!("g{i}");
        send(&alice, &mut want, "bob", &id, ok(&id));
    }
    alice.sig.dbg("done", "");
    want.push("on_dbg(done, )".into());
    expect_cb(&mut alice, "on_dbg(done, )").await;
    assert_eq!(since(&alice, "on_login_success("), want);
    assert_eq!(gate.requested(), 100);
    for i in 0..100 {
        assert_eq!(bob.recv_peer().await, ("alice".into(), format!("text of g{i}")));
    }
}

async fn sends_in_flight_when_the_session_is_lost_are_reported_before_on_logout(be: Backend) {
    let hub = hub();
    let _bob = online_core(be, &hub, "bob").await;
    // Every reply is held until the test opens the gate: the sends are surely in flight when the
    // session ends.
    let gate = ReplyGate::new(be, &hub, usize::MAX);
    let mut alice =
        LegacyDriver::with_endpoint(APP_ID, "alice", SignalingOptions::default().connector(gate.clone()));
    alice.login(None).await.expect("alice logs in");
    let mut want = Vec::new();
    for i in 0..10 {
        let id = format!("k{i}");
        send(&alice, &mut want, "bob", &id, ok(&id));
    }
    gate.wait_requested(10).await;
    let _kicker = online_core(be, &hub, "alice").await; // a login elsewhere ends alice's session
    // The instance knows: it is waiting for its sends in flight before it reports the loss.
    status_becomes(&alice, 0).await;
    gate.open();
    want.push("on_logout(103)".into());
    expect_cb(&mut alice, "on_logout(103)").await;
    assert_eq!(since(&alice, "on_login_success("), want);
    // A send after the loss fails at once.
    alice.sig.message_instant_send("bob", 0, "late", "late");
    expect_cb(&mut alice, &failed("late", 1003)).await;
}

/// The text of the next channel message (other channel events skipped).
async fn next_text(ev: &mut ChannelEvents) -> (String, String) {
    loop {
        if let ChannelEvent::MessageReceived { peer_id, message } = next_any(ev).await {
            return (peer_id, message.text_or_description().to_owned());
        }
    }
}

async fn channel_send_results_come_in_call_order(be: Backend) {
    let hub = hub();
    let (_carol, _room, mut room_events) = member(be, &hub, "carol", "room").await;
    let (_dave, _lobby, mut lobby_events) = member(be, &hub, "dave", "lobby").await;
    let mut alice = online_legacy(be, &hub, "alice").await;
    alice.sig.channel_join("room");
    alice.cbs.wait("on_channel_user_list").await;
    let mut want = Vec::new();
    // A member's channel message comes back to it right after its success; the force send to
    // a channel alice is not in does not.
    let echo = |text: &str| format!("on_message_channel_receive(room, alice, {}, {text})", uid_for("alice"));
    for i in 0..3 {
        alice.sig.message_channel_send("room", &format!("r{i}"), &format!("c{i}"));
        want.push(ok(&format!("c{i}")));
        want.push(echo(&format!("r{i}")));
    }
    alice.sig.message_channel_send_force("lobby", "forced", "f0");
    want.push(ok("f0"));
    alice.sig.message_channel_send("nowhere", "not a member", "nochan");
    want.push(failed("nochan", 400));
    alice.sig.message_instant_send("bad/id", 0, "lost", "bad");
    want.push(failed("bad", 400));
    alice.sig.message_channel_send("room", "r3", "c3");
    want.push(ok("c3"));
    want.push(echo("r3"));
    alice.sig.channel_leave("room");
    want.push("on_channel_leaved(room, 602)".into());
    expect_cb(&mut alice, "on_channel_leaved(room, 602)").await;
    assert_eq!(since(&alice, "on_channel_user_list("), want);
    for i in 0..4 {
        assert_eq!(next_text(&mut room_events).await, ("alice".into(), format!("r{i}")));
    }
    assert_eq!(next_text(&mut lobby_events).await, ("alice".into(), "forced".into()));
}

sigshim_conformance::per_backend!(
    send_results_come_in_call_order,
    send_results_come_in_call_order_with_inline_callbacks,
    sends_in_flight_are_reported_before_on_logout,
    sixty_four_sends_are_in_flight_at_once,
    sends_in_flight_when_the_session_is_lost_are_reported_before_on_logout,
    channel_send_results_come_in_call_order,
);
