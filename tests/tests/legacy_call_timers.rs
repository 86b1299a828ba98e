//! Legacy invitation timers with paused time (in-process only): 703 after 30 s for a callee
//! that stays offline, `_timeout` with 704 (a late callee never sees the invitation), and the
//! 60 s expiry as both sides see it.

use std::time::Duration;

use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{expect_cb, online_legacy};
use sigshim_conformance::hub;
use sigshim_conformance::scenario::{advance, assert_no_callback};
use sigshim_legacy::uid_for;

const INVITE: &[&str] = &["on_invite_failed", "on_invite_received", "on_invite_received_by_peer"];

#[tokio::test(start_paused = true)]
async fn a_callee_offline_for_30_s_fails_with_703() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    alice.sig.channel_invite_user2("room", "bob", "hello");
    alice.fence().await; // the invitation is sent: its timers run from here
    advance(Duration::from_millis(29_999)).await;
    assert_no_callback(&mut alice, INVITE).await;
    advance(Duration::from_millis(1)).await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 703, hello)", uid_for("bob"))).await;
}

#[tokio::test(start_paused = true)]
async fn timeout_fails_with_704_and_the_callee_never_sees_it() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let extra = r#"{"_timeout":3}"#;
    alice.sig.channel_invite_user2("room", "bob", extra);
    alice.fence().await;
    advance(Duration::from_millis(2_999)).await;
    assert_no_callback(&mut alice, INVITE).await;
    advance(Duration::from_millis(1)).await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 704, {extra})", uid_for("bob"))).await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    advance(Duration::from_secs(40)).await;
    assert_no_callback(&mut bob, INVITE).await;
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_call_expires_after_60_s_for_both() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.channel_invite_user2("room", "bob", "");
    bob.cbs.wait("on_invite_received").await;
    alice.cbs.wait("on_invite_received_by_peer").await;
    advance(Duration::from_secs(59)).await;
    assert_no_callback(&mut alice, INVITE).await;
    assert_no_callback(&mut bob, &["on_invite_end_by_peer"]).await;
    advance(Duration::from_secs(1)).await;
    let reason = r#"{"_reason":"expired"}"#;
    expect_cb(&mut bob, &format!("on_invite_end_by_peer(room, alice, {}, {reason})", uid_for("alice"))).await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 704, )", uid_for("bob"))).await;
}

#[tokio::test(start_paused = true)]
async fn a_timeout_after_delivery_ends_the_call_for_the_callee() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    let extra = r#"{"_timeout":5}"#;
    alice.sig.channel_invite_user2("room", "bob", extra);
    bob.cbs.wait("on_invite_received").await;
    advance(Duration::from_secs(5)).await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 704, {extra})", uid_for("bob"))).await;
    let reason = r#"{"_reason":"expired"}"#;
    expect_cb(&mut bob, &format!("on_invite_end_by_peer(room, alice, {}, {reason})", uid_for("alice"))).await;
}
