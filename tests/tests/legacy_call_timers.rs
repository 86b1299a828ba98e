//! Legacy invitation timers with paused time (in-process only): 703 for a callee that stays
//! offline, `_timeout` with 704 (a late callee never sees the invitation), and the expiry of an
//! unanswered call as both sides see it: after 20 s under the legacy profile (the legacy SDK's
//! timing), after RTM's 30 s and 60 s under the RTM profile.

use std::time::Duration;

use sigshim::limits::Profile;
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{expect_cb, online_legacy, online_legacy_with};
use sigshim_conformance::hub;
use sigshim_conformance::scenario::{advance, assert_no_callback};
use sigshim_legacy::{SignalingOptions, uid_for};

const INVITE: &[&str] = &["on_invite_failed", "on_invite_received", "on_invite_received_by_peer"];

/// The instance options of a profile.
fn options(profile: Profile) -> SignalingOptions {
    SignalingOptions::default().profile(profile)
}

async fn a_callee_offline_fails_with_703_after(profile: Profile, after: Duration) {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = online_legacy_with(be, &hub, "alice", options(profile)).await;
    alice.sig.channel_invite_user2("room", "bob", "hello");
    alice.fence().await; // the invitation is sent: its timers run from here
    advance(after - Duration::from_millis(1)).await;
    assert_no_callback(&mut alice, INVITE).await;
    advance(Duration::from_millis(1)).await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 703, hello)", uid_for("bob"))).await;
}

#[tokio::test(start_paused = true)]
async fn a_callee_offline_for_20_s_fails_with_703() {
    a_callee_offline_fails_with_703_after(Profile::Legacy, Duration::from_secs(20)).await;
}

#[tokio::test(start_paused = true)]
async fn under_the_rtm_profile_a_callee_offline_for_30_s_fails_with_703() {
    a_callee_offline_fails_with_703_after(Profile::Rtm, Duration::from_secs(30)).await;
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

async fn an_unanswered_call_expires_for_both_after(profile: Profile, after: Duration) {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = online_legacy_with(be, &hub, "alice", options(profile)).await;
    let mut bob = online_legacy_with(be, &hub, "bob", options(profile)).await;
    alice.sig.channel_invite_user2("room", "bob", "");
    bob.cbs.wait("on_invite_received").await;
    alice.cbs.wait("on_invite_received_by_peer").await;
    advance(after - Duration::from_secs(1)).await;
    assert_no_callback(&mut alice, INVITE).await;
    assert_no_callback(&mut bob, &["on_invite_end_by_peer"]).await;
    advance(Duration::from_secs(1)).await;
    let reason = r#"{"_reason":"expired"}"#;
    expect_cb(&mut bob, &format!("on_invite_end_by_peer(room, alice, {}, {reason})", uid_for("alice"))).await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 704, )", uid_for("bob"))).await;
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_call_expires_after_20_s_for_both() {
    an_unanswered_call_expires_for_both_after(Profile::Legacy, Duration::from_secs(20)).await;
}

#[tokio::test(start_paused = true)]
async fn under_the_rtm_profile_an_unanswered_call_expires_after_60_s_for_both() {
    an_unanswered_call_expires_for_both_after(Profile::Rtm, Duration::from_secs(60)).await;
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
