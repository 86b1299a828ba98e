//! Legacy channel scenarios on paused time, in-process: the 604 leave when a lost link cannot be
//! restored, and the `_member_num` attribute refreshed at most every `_auto_update_num` seconds.

use std::time::Duration;

use sigshim::error::LoginError;
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{expect_cb, online_legacy, relaxed_hub};
use sigshim_conformance::scenario::{FaultyConnector, Step, advance, assert_no_callback};
use sigshim_conformance::{APP_ID, LegacyDriver};
use sigshim_legacy::{SignalingOptions, uid_for};

/// Joins `channel` and waits for the join callbacks.
async fn join(l: &mut LegacyDriver, channel: &str) {
    l.sig.channel_join(channel);
    expect_cb(l, &format!("on_channel_joined({channel})")).await;
    l.cbs.wait("on_channel_user_list").await;
}

fn joined(account: &str) -> String {
    format!("on_channel_user_joined({account}, {})", uid_for(account))
}

fn leaved(account: &str) -> String {
    format!("on_channel_user_leaved({account}, {})", uid_for(account))
}

fn attr(channel: &str, name: &str, value: &str, kind: &str) -> String {
    format!("on_channel_attr_updated({channel}, {name}, {value}, {kind})")
}

#[tokio::test(start_paused = true)]
async fn lost_link_leaves_with_604() {
    let hub = relaxed_hub();
    let conn =
        FaultyConnector::new(&hub, |n| if n == 1 { Step::Pass } else { Step::Fail(LoginError::Unknown) });
    let mut alice = LegacyDriver::with_endpoint(APP_ID, "alice", SignalingOptions::default().connector(conn));
    alice.sig.login2(APP_ID, "alice", "_no_need_token", 0, "", 30, 1);
    alice.cbs.wait("on_login_success").await;
    join(&mut alice, "room").await;
    assert!(hub.disconnect_user("alice"));
    alice.cbs.wait("on_reconnecting").await;
    for _ in 0..20 {
        advance(Duration::from_millis(500)).await;
        if alice.cbs.pending().iter().any(|l| l.starts_with("on_logout")) {
            break;
        }
    }
    expect_cb(&mut alice, "on_channel_leaved(room, 604)").await;
    expect_cb(&mut alice, "on_logout(102)").await;
}

#[tokio::test(start_paused = true)]
async fn member_num_refreshes_at_most_every_n_seconds() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    alice.sig.channel_set_attr("room", "_auto_update_num", "3");
    join(&mut alice, "room").await;
    expect_cb(&mut alice, &attr("room", "_auto_update_num", "3", "update")).await;
    expect_cb(&mut alice, &attr("room", "_member_num", "1", "update")).await;
    let reported = tokio::time::Instant::now();
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut bob, "room").await;
    expect_cb(&mut alice, &joined("bob")).await;
    // The hub pushes the new count within a second; the facade holds it until 3 s are over.
    advance(Duration::from_secs(1)).await;
    assert_no_callback(&mut alice, &["on_channel_attr_updated"]).await;
    advance(Duration::from_secs(1)).await;
    assert_no_callback(&mut alice, &["on_channel_attr_updated"]).await;
    advance(Duration::from_secs(1)).await;
    expect_cb(&mut alice, &attr("room", "_member_num", "2", "update")).await;
    assert_eq!(reported.elapsed(), Duration::from_secs(3));
    // No change, no report; bob's own instance reports the count as well.
    advance(Duration::from_secs(5)).await;
    assert_no_callback(&mut alice, &["on_channel_attr_updated"]).await;
    expect_cb(&mut bob, &attr("room", "_member_num", "2", "update")).await;
    // Without `_auto_update_num` nothing is reported.
    alice.sig.channel_del_attr("room", "_auto_update_num");
    expect_cb(&mut alice, &attr("room", "_auto_update_num", "", "del")).await;
    bob.sig.channel_leave("room");
    expect_cb(&mut alice, &leaved("bob")).await;
    advance(Duration::from_secs(5)).await;
    assert_no_callback(&mut alice, &["on_channel_attr_updated"]).await;
}
