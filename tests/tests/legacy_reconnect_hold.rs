//! Calls made while a legacy instance reconnects (`get_status() == 3`) wait for the link: they
//! go out in call order after `on_reconnected` and succeed, never failing with 1003. When the
//! reconnects run out, the held sends fail with 400 and the other held calls get their answers
//! without a session, after `on_channel_leaved(…, 604)` and `on_logout(102)`. `logout` and
//! `destroy` during the reconnect take effect at once: the held calls fail first, then come
//! `on_channel_leaved(…, 603)` and `on_logout(101)`. At most one command queue's worth of calls
//! is held; beyond that the queue fills and further calls are refused with 1001, and a logout
//! still gets through.
//!
//! The outage is `Hub::disconnect_user` with a closed [`ConnectGate`] (both backends), or, on
//! paused time, the in-process reconnect's 500 ms backoff and a [`FaultyConnector`].

use std::sync::Arc;
use std::time::Duration;

use sigshim::error::LoginError;
use sigshim::{ChannelEvent, ChannelEvents};
use sigshim_conformance::channel_fixtures::{member, next_no_count, text};
use sigshim_conformance::connect_gate::ConnectGate;
use sigshim_conformance::fixtures::{expect_cb, online_core, online_legacy_with};
use sigshim_conformance::scenario::{FaultyConnector, Step, advance, assert_no_callback, at_once};
use sigshim_conformance::{APP_ID, Backend, CoreDriver, Driver, LegacyDriver, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

const NO_TOKEN: &str = "_no_need_token";

/// The command queue's capacity, and so the most calls an instance holds.
const QUEUE: usize = 1024;

fn ok(id: &str) -> String {
    format!("on_message_send_success({id})")
}

fn failed(id: &str, code: i32) -> String {
    format!("on_message_send_error({id}, {code})")
}

fn echo(channel: &str, from: &str, text: &str) -> String {
    format!("on_message_channel_receive({channel}, {from}, {}, {text})", uid_for(from))
}

fn not_logged_in(call: &str) -> String {
    format!("on_error({call}, 1003, not logged in)")
}

fn dbg(a: &str, b: &str) -> String {
    format!("on_dbg({a}, {b})")
}

/// Alice's instance reaching the hub through `connector`, logged in with `login2(…, 30,
/// retries)`, and a member of `room`.
async fn alice_in_room(connector: Arc<dyn sigshim::transport::Connector>, retries: i32) -> LegacyDriver {
    let options = SignalingOptions::default().connector(connector);
    let mut alice = LegacyDriver::with_endpoint(APP_ID, "alice", options);
    alice.sig.login2(APP_ID, "alice", NO_TOKEN, 0, "", 30, retries);
    alice.cbs.wait("on_login_success").await;
    alice.sig.channel_join("room");
    alice.cbs.wait("on_channel_user_list").await;
    alice
}

/// Alice's callbacks after her member list, fences left out.
fn since_joined(alice: &LegacyDriver) -> Vec<String> {
    let all = alice.cbs.transcript();
    let at = all.iter().position(|c| c.starts_with("on_channel_user_list(")).expect("joined");
    all[at + 1..].iter().filter(|c| !c.starts_with("on_dbg(fence,")).cloned().collect()
}

/// Alice's callbacks after her `on_reconnecting(1)` (excluded).
fn since_reconnecting(alice: &LegacyDriver) -> Vec<String> {
    let all = alice.cbs.transcript();
    let at = all.iter().position(|c| c == "on_reconnecting(1)").expect("reconnecting");
    all[at + 1..].to_vec()
}

/// The next channel message of a core member, member events and counts aside.
async fn next_message(events: &mut ChannelEvents) -> (String, String) {
    loop {
        let ev = next_no_count(events).await;
        if matches!(ev, ChannelEvent::MessageReceived { .. }) {
            return text(&ev);
        }
    }
}

/// A send, a query, a call that needs no session and a channel send, all made while status is
/// 3, go out after `on_reconnected` in call order and succeed: bob gets both messages.
async fn calls_made_while_reconnecting_go_out_after_on_reconnected(be: Backend) {
    let hub = hub();
    let (mut bob, _room, mut bob_room) = member(be, &hub, "bob", "room").await;
    let gate = ConnectGate::new(be, &hub);
    let mut alice = alice_in_room(gate.clone(), 10).await;

    gate.close();
    assert!(be.node_of(&hub, "alice").disconnect_user("alice"));
    expect_cb(&mut alice, "on_reconnecting(1)").await;
    alice.sig.message_instant_send("bob", 0, "while away", "m1");
    alice.sig.query_user_status("bob");
    alice.sig.dbg("held", "behind the query");
    alice.sig.message_channel_send("room", "back in the room", "m2");
    assert_eq!(alice.sig.get_status(), 3, "the gate is closed: still reconnecting");
    gate.open();

    expect_cb(&mut alice, &echo("room", "alice", "back in the room")).await;
    assert_eq!(
        since_joined(&alice),
        [
            "on_reconnecting(1)".to_owned(),
            "on_reconnected(1)".to_owned(),
            ok("m1"),
            "on_query_user_status_result(bob, 1)".to_owned(),
            dbg("held", "behind the query"),
            ok("m2"),
            echo("room", "alice", "back in the room"),
        ]
    );
    assert_eq!(alice.sig.get_status(), 2);
    assert_eq!(bob.recv_peer().await, ("alice".to_owned(), "while away".to_owned()));
    assert_eq!(next_message(&mut bob_room).await, ("alice".to_owned(), "back in the room".to_owned()));
}

/// How a scenario ends the instance while it reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Logout,
    Destroy,
}

/// `logout` or `destroy` while reconnecting, behind held calls: with the gate still closed (no
/// reconnect can happen), the held calls fail in call order, then the channel is left with 603
/// and `on_logout(101)` comes, status 0.
async fn an_end_while_reconnecting_takes_effect_at_once(be: Backend, end: End) {
    let hub = hub();
    let mut bob = online_core(be, &hub, "bob").await;
    let gate = ConnectGate::new(be, &hub);
    let mut alice = alice_in_room(gate.clone(), 10).await;

    gate.close();
    assert!(be.node_of(&hub, "alice").disconnect_user("alice"));
    expect_cb(&mut alice, "on_reconnecting(1)").await;
    alice.sig.message_instant_send("bob", 0, "never sent", "m1");
    alice.sig.query_user_status("bob");
    alice.sig.message_channel_send("room", "nor this", "m2");
    match end {
        End::Logout => alice.sig.logout(),
        End::Destroy => alice.sig.destroy(),
    }
    expect_cb(&mut alice, "on_logout(101)").await;
    assert_eq!(alice.sig.get_status(), 0);
    assert_eq!(
        since_joined(&alice),
        [
            "on_reconnecting(1)".to_owned(),
            failed("m1", 400),
            not_logged_in("query_user_status"),
            failed("m2", 400),
            "on_channel_leaved(room, 603)".to_owned(),
            "on_logout(101)".to_owned(),
        ]
    );
    gate.open();
    if end == End::Logout {
        // The instance is usable again: a fresh login, the next fd.
        alice.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
        expect_cb(&mut alice, &format!("on_login_success({}, 2)", uid_for("alice"))).await;
        assert_eq!(bob.query_online("alice").await, Ok(true));
        assert_no_callback(&mut alice, &["on_reconnected", "on_message_send_success"]).await;
    }
}

async fn a_logout_while_reconnecting_takes_effect_at_once(be: Backend) {
    an_end_while_reconnecting_takes_effect_at_once(be, End::Logout).await;
}

async fn a_destroy_while_reconnecting_takes_effect_at_once(be: Backend) {
    an_end_while_reconnecting_takes_effect_at_once(be, End::Destroy).await;
}

sigshim_conformance::per_backend!(
    calls_made_while_reconnecting_go_out_after_on_reconnected,
    a_logout_while_reconnecting_takes_effect_at_once,
    a_destroy_while_reconnecting_takes_effect_at_once,
);

/// On paused time: nothing is reported for the held calls while the reconnect's 500 ms backoff
/// runs; they are answered at the instant the link is back, right after `on_reconnected`.
#[tokio::test(start_paused = true)]
async fn held_calls_are_answered_at_the_reconnect() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut bob = online_core(be, &hub, "bob").await;
    // Inline callbacks: once the clock moved, every callback due has been recorded.
    let options = SignalingOptions::default().inline_callbacks(true);
    let mut alice = online_legacy_with(be, &hub, "alice", options).await;
    assert!(be.node_of(&hub, "alice").disconnect_user("alice"));
    expect_cb(&mut alice, "on_reconnecting(1)").await;
    alice.sig.message_instant_send("bob", 0, "while away", "m1");
    alice.sig.query_user_status("bob");
    advance(Duration::from_millis(499)).await;
    assert_eq!(alice.sig.get_status(), 3);
    assert_eq!(alice.cbs.pending(), Vec::<String>::new(), "no answer while reconnecting");
    advance(Duration::from_millis(1)).await;
    at_once(expect_cb(&mut alice, "on_query_user_status_result(bob, 1)")).await;
    assert_eq!(
        since_reconnecting(&alice),
        ["on_reconnected(1)".to_owned(), ok("m1"), "on_query_user_status_result(bob, 1)".to_owned()]
    );
    assert_eq!(bob.recv_peer().await, ("alice".to_owned(), "while away".to_owned()));
}

/// `login2(…, 30, 2)` and every reconnect fails: at 1.5 s the session is lost. First the loss
/// (`on_channel_leaved(room, 604)`, `on_logout(102)`), then the held calls in call order: the
/// sends fail with 400, the query with 1003, the join with 300, and `dbg` is answered.
#[tokio::test(start_paused = true)]
async fn held_calls_fail_after_the_session_loss_when_the_reconnects_run_out() {
    let hub = hub();
    let conn =
        FaultyConnector::new(&hub, |n| if n == 1 { Step::Pass } else { Step::Fail(LoginError::Timeout) });
    let mut alice = alice_in_room(conn.clone(), 2).await;
    assert!(hub.disconnect_user("alice"));
    expect_cb(&mut alice, "on_reconnecting(1)").await;
    alice.sig.message_instant_send("bob", 0, "never sent", "m1");
    alice.sig.query_user_status("bob");
    alice.sig.message_channel_send("room", "nor this", "m2");
    alice.sig.channel_join("other");
    alice.sig.dbg("held", "last");
    advance(Duration::from_millis(500)).await;
    at_once(conn.attempted(2)).await;
    assert_eq!(alice.sig.get_status(), 3, "the first retry failed");
    advance(Duration::from_millis(1000)).await;
    expect_cb(&mut alice, &dbg("held", "last")).await;
    assert_eq!(conn.attempts(), 3, "1 login + retry_count reconnects");
    assert_eq!(alice.sig.get_status(), 0);
    assert_eq!(
        since_joined(&alice),
        [
            "on_reconnecting(1)".to_owned(),
            "on_channel_leaved(room, 604)".to_owned(),
            "on_logout(102)".to_owned(),
            failed("m1", 400),
            not_logged_in("query_user_status"),
            failed("m2", 400),
            "on_channel_join_failed(other, 300)".to_owned(),
            dbg("held", "last"),
        ]
    );
}

/// Logs alice in (in-process, default limits) with bob online, breaks her link and fills her
/// hold: a query, then `dbg("held", 0..QUEUE-1)`; returns (bob, alice) once the actor took
/// them all.
async fn full_hold(hub: &sigshim::Hub) -> (CoreDriver, LegacyDriver) {
    let be = Backend::Memory;
    let bob = online_core(be, hub, "bob").await;
    let mut alice = online_legacy_with(be, hub, "alice", SignalingOptions::default()).await;
    assert!(be.node_of(hub, "alice").disconnect_user("alice"));
    expect_cb(&mut alice, "on_reconnecting(1)").await;
    alice.sig.query_user_status("bob");
    for i in 0..QUEUE - 1 {
        alice.sig.dbg("held", &i.to_string());
    }
    advance(Duration::from_millis(1)).await; // the actor moves the queue into the hold
    (bob, alice)
}

/// A full hold stops the actor from reading: the queue fills behind it and the calls beyond are
/// refused with 1001 at once. At the reconnect every accepted call runs, in call order.
#[tokio::test(start_paused = true)]
async fn a_full_hold_pushes_back_and_drops_nothing() {
    let hub = hub();
    let (_bob, mut alice) = full_hold(&hub).await;
    for i in QUEUE - 1..2 * QUEUE - 1 {
        alice.sig.dbg("held", &i.to_string());
    }
    advance(Duration::from_millis(1)).await; // a hold without a cap would empty the queue now
    for i in 0..3 {
        alice.sig.dbg("refused", &i.to_string());
    }
    assert_eq!(alice.sig.get_status(), 3);
    advance(Duration::from_millis(500)).await; // the reconnect
    expect_cb(&mut alice, &dbg("held", &(2 * QUEUE - 2).to_string())).await;
    let mut want = vec!["on_error(dbg, 1001, too many calls in flight)".to_owned(); 3];
    want.push("on_reconnected(1)".to_owned());
    want.push("on_query_user_status_result(bob, 1)".to_owned());
    want.extend((0..2 * QUEUE - 1).map(|i| dbg("held", &i.to_string())));
    assert_eq!(since_reconnecting(&alice), want);
}

/// A logout queued behind a full hold still takes effect at once: the actor reads on to it, the
/// held calls are answered in call order, then `on_logout(101)`; no reconnect follows.
#[tokio::test(start_paused = true)]
async fn a_logout_behind_a_full_hold_takes_effect_at_once() {
    let hub = hub();
    let (_bob, mut alice) = full_hold(&hub).await;
    for i in QUEUE - 1..QUEUE + 9 {
        alice.sig.dbg("held", &i.to_string());
    }
    alice.sig.logout();
    expect_cb(&mut alice, "on_logout(101)").await;
    let mut want = vec![not_logged_in("query_user_status")];
    want.extend((0..QUEUE + 9).map(|i| dbg("held", &i.to_string())));
    want.push("on_logout(101)".to_owned());
    assert_eq!(since_reconnecting(&alice), want);
    assert_eq!(alice.sig.get_status(), 0);
    advance(Duration::from_secs(60)).await;
    assert!(!hub.is_online("alice"), "no reconnect after the logout");
    assert_no_callback(&mut alice, &["on_reconnected", "on_login_success", "on_logout"]).await;
}
