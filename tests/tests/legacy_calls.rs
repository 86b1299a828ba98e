//! The legacy invitation API beyond what both APIs share: `extra` verbatim in both directions,
//! its reserved keys, repeated invites, ending at any time (and what a core peer sees), DTMF
//! between applications, phone calls with and without a gateway, the callback transcript, and
//! the error codes of every call.
//!
//! Timer scenarios (703 after 20 s, `_timeout`) are in `legacy_call_timers.rs`; these run per
//! backend (`memory::` and `ws::`).

use sigshim::call::END_CALL_PREFIX;
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{expect_cb, online_core, online_legacy, online_legacy_with};
use sigshim_conformance::pstn::BridgeGateway;
use sigshim_conformance::scenario::{assert_no_callback, check_golden};
use sigshim_conformance::{Driver, LegacyDriver, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

fn u(account: &str) -> u32 {
    uid_for(account)
}

/// alice invites bob on `channel` with `extra`; both see it; bob accepts with `answer`.
async fn established(
    alice: &mut LegacyDriver,
    bob: &mut LegacyDriver,
    channel: &str,
    extra: &str,
    answer: &str,
) {
    alice.sig.channel_invite_user2(channel, "bob", extra);
    expect_cb(bob, &format!("on_invite_received({channel}, alice, {}, {extra})", u("alice"))).await;
    expect_cb(alice, &format!("on_invite_received_by_peer({channel}, bob, {})", u("bob"))).await;
    bob.sig.channel_invite_accept(channel, "alice", u("alice"), answer);
    expect_cb(alice, &format!("on_invite_accepted_by_peer({channel}, bob, {}, {answer})", u("bob"))).await;
}

async fn extra_travels_verbatim_both_ways(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    for (i, (extra, answer)) in [
        ("", ""),
        (r#"{"srcNum":"+123","_require_peer_online":0,"nested":{"a":[1,2]}}"#, r#"{"status":0}"#),
        ("plain text, not JSON; ünïcödé", "also plain"),
    ]
    .into_iter()
    .enumerate()
    {
        let channel = format!("room-{i}");
        established(&mut alice, &mut bob, &channel, extra, answer).await;
        alice.sig.channel_invite_end(&channel, "bob", 0);
        expect_cb(&mut bob, &format!("on_invite_end_by_peer({channel}, alice, {}, )", u("alice"))).await;
    }
}

async fn require_peer_online_fails_at_once_with_703(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let extra = r#"{"_require_peer_online":1}"#;
    alice.sig.channel_invite_user2("room", "bob", extra);
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 703, {extra})", u("bob"))).await;
}

async fn a_second_invite_replaces_a_pending_one(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.channel_invite_user2("room", "bob", "first");
    expect_cb(&mut bob, &format!("on_invite_received(room, alice, {}, first)", u("alice"))).await;
    expect_cb(&mut alice, &format!("on_invite_received_by_peer(room, bob, {})", u("bob"))).await;
    alice.sig.channel_invite_user2("room", "bob", "second");
    // bob sees the first one end, then the second arrive; alice hears nothing of the first.
    let next = bob.cbs.wait_any(&["on_invite_end_by_peer", "on_invite_received"]).await;
    assert_eq!(next.to_string(), format!("on_invite_end_by_peer(room, alice, {}, )", u("alice")));
    expect_cb(&mut bob, &format!("on_invite_received(room, alice, {}, second)", u("alice"))).await;
    expect_cb(&mut alice, &format!("on_invite_received_by_peer(room, bob, {})", u("bob"))).await;
    bob.sig.channel_invite_accept("room", "alice", 0, "yes");
    expect_cb(&mut alice, &format!("on_invite_accepted_by_peer(room, bob, {}, yes)", u("bob"))).await;
    assert_no_callback(&mut alice, &["on_invite_failed", "on_invite_refused_by_peer"]).await;
    // Once the call is up, inviting again is a re-invite: 701.
    alice.sig.channel_invite_user2("room", "bob", "third");
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 701, third)", u("bob"))).await;
}

async fn end_fires_end_by_myself_first_whatever_the_state(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    // No call at all: still reported, at once.
    alice.sig.channel_invite_end("room", "nobody", 0);
    let first = alice.cbs.wait_any(&["on_invite_end_by_myself", "on_error"]).await;
    assert_eq!(first.to_string(), format!("on_invite_end_by_myself(room, nobody, {})", u("nobody")));
    let mut bob = online_legacy(be, &hub, "bob").await;
    established(&mut alice, &mut bob, "room", "", "").await;
    bob.sig.channel_invite_end("room", "alice", 0);
    expect_cb(&mut bob, &format!("on_invite_end_by_myself(room, alice, {})", u("alice"))).await;
    expect_cb(&mut alice, &format!("on_invite_end_by_peer(room, bob, {}, )", u("bob"))).await;
    // The end-call message is not a chat message.
    assert_no_callback(&mut alice, &["on_message_instant_receive"]).await;
}

async fn a_callee_ending_a_pending_invitation_refuses_it(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.channel_invite_user2("room", "bob", "x");
    expect_cb(&mut bob, &format!("on_invite_received(room, alice, {}, x)", u("alice"))).await;
    bob.sig.channel_invite_end("room", "alice", 0);
    expect_cb(&mut bob, &format!("on_invite_end_by_myself(room, alice, {})", u("alice"))).await;
    expect_cb(&mut alice, &format!("on_invite_refused_by_peer(room, bob, {}, )", u("bob"))).await;
}

async fn a_core_peer_sees_the_documented_end_call_message_and_can_send_one(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut core = online_core(be, &hub, "carol").await;
    alice.invite("carol", "room_9", r#"{"k":1}"#).await.unwrap();
    let note = core.next_call().await;
    assert_eq!(
        note,
        sigshim_conformance::CallNote::Incoming {
            from: "alice".into(),
            channel: "room_9".into(),
            extra: r#"{"k":1}"#.into()
        }
    );
    core.answer("alice", "room_9", true, "ok").await.unwrap();
    expect_cb(&mut alice, &format!("on_invite_accepted_by_peer(room_9, carol, {}, ok)", u("carol"))).await;
    alice.sig.channel_invite_end("room_9", "carol", 0);
    assert_eq!(core.recv_peer().await, ("alice".to_owned(), format!("{END_CALL_PREFIX}_room_9_")));
    // A core client ends a call with extra text of its own.
    core.send_peer("alice", &format!("{END_CALL_PREFIX}_room_9_bye")).await.unwrap();
    expect_cb(&mut alice, &format!("on_invite_end_by_peer(room_9, carol, {}, bye)", u("carol"))).await;
}

async fn dtmf_between_applications_arrives_as_an_invite_message(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    established(&mut alice, &mut bob, "room", "", "").await;
    alice.sig.channel_invite_dtmf("room", "bob", "12#*");
    let extra = r#"{"msgdata":"12#*","msgtype":"dtmf"}"#;
    expect_cb(&mut bob, &format!("on_invite_msg(room, alice, {}, dtmf, 12#*, {extra})", u("alice"))).await;
    assert_no_callback(&mut bob, &["on_message_instant_receive"]).await;
}

async fn dtmf_and_phone_calls_without_a_gateway_fail_with_their_codes(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    alice.sig.channel_invite_dtmf("room", "+15550100", "12a");
    expect_cb(&mut alice, "on_error(channel_invite_dtmf, 1004, DTMF digits are 0-9, * and #)").await;
    alice.sig.channel_invite_dtmf("room", "+15550100", "12");
    expect_cb(&mut alice, "on_error(channel_invite_dtmf, 1001, no PSTN gateway registered)").await;
    alice.sig.channel_invite_phone("room", "+15550100", 0);
    expect_cb(&mut alice, "on_invite_failed(room, +15550100, 0, 700, )").await;
    alice.sig.channel_invite_phone3("room", "+15550100", "+15550199", r#"{"sip_header:x":"y"}"#);
    expect_cb(&mut alice, r#"on_invite_failed(room, +15550100, 0, 700, {"sip_header:x":"y"})"#).await;
}

async fn a_phone_call_through_a_gateway_end_to_end(be: Backend) {
    let hub = hub();
    let gw = BridgeGateway::start(be, &hub, "pstn-gw", &[("+15550100", "bob")]).await;
    let mut alice = online_legacy_with(be, &hub, "alice", SignalingOptions::default().pstn_gateway(gw)).await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.channel_invite_phone3("room", "+15550100", "+15550199", "{}");
    let content = r#"{"extra":"{}","srcNum":"+15550199"}"#;
    expect_cb(&mut bob, &format!("on_invite_received(room, pstn-gw, {}, {content})", u("pstn-gw"))).await;
    expect_cb(&mut alice, "on_invite_received_by_peer(room, +15550100, 0)").await;
    bob.sig.channel_invite_accept("room", "pstn-gw", 0, "answered");
    expect_cb(&mut alice, "on_invite_accepted_by_peer(room, +15550100, 0, answered)").await;
    alice.sig.channel_invite_dtmf("room", "+15550100", "0#");
    let extra = r#"{"msgdata":"0#","msgtype":"dtmf"}"#;
    expect_cb(&mut bob, &format!("on_invite_msg(room, pstn-gw, {}, dtmf, 0#, {extra})", u("pstn-gw"))).await;
    // The callee hangs up; the gateway tells the caller.
    bob.sig.channel_invite_end("room", "pstn-gw", 0);
    expect_cb(&mut alice, "on_invite_end_by_peer(room, +15550100, 0, )").await;
    // An unknown number fails through the gateway; DTMF into no call is the gateway's error.
    alice.sig.channel_invite_phone("room", "+19999999", 0);
    expect_cb(&mut alice, "on_invite_failed(room, +19999999, 0, 703, )").await;
    alice.sig.channel_invite_dtmf("room", "+19999999", "1");
    expect_cb(&mut alice, "on_error(channel_invite_dtmf, 1001, no call on this channel to this number)")
        .await;
}

async fn the_caller_hanging_up_a_phone_call_reaches_the_callee(be: Backend) {
    let hub = hub();
    let gw = BridgeGateway::start(be, &hub, "pstn-gw", &[("+15550100", "bob")]).await;
    let mut alice = online_legacy_with(be, &hub, "alice", SignalingOptions::default().pstn_gateway(gw)).await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.channel_invite_phone2("room", "+15550100", "+15550199");
    bob.cbs.wait("on_invite_received").await;
    expect_cb(&mut alice, "on_invite_received_by_peer(room, +15550100, 0)").await;
    alice.sig.channel_invite_end("room", "+15550100", 0);
    expect_cb(&mut alice, "on_invite_end_by_myself(room, +15550100, 0)").await;
    expect_cb(&mut bob, &format!("on_invite_end_by_peer(room, pstn-gw, {}, )", u("pstn-gw"))).await;
}

async fn answer_calls_report_their_errors(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    bob.sig.channel_invite_accept("room", "alice", 0, "");
    expect_cb(&mut bob, "on_error(channel_invite_accept, 700, no pending invitation from alice on room)")
        .await;
    established(&mut alice, &mut bob, "room", "", "").await;
    bob.sig.channel_invite_refuse("room", "alice", 0, "");
    expect_cb(&mut bob, "on_error(channel_invite_refuse, 700, no pending invitation from alice on room)")
        .await;
    // Not logged in: the invite fails with 700 (INVITE_E_OTHER).
    alice.sig.logout();
    alice.cbs.wait("on_logout").await;
    alice.sig.channel_invite_user("room", "bob", 0);
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 700, )", u("bob"))).await;
    // An oversized extra is refused by the core: 700.
    let mut carol = online_legacy(be, &hub, "carol").await;
    let big = "x".repeat(8 * 1024 + 1);
    carol.sig.channel_invite_user2("room", "bob", &big);
    let cb = carol.cbs.wait("on_invite_failed").await;
    assert_eq!(cb.args[..4], ["room", "bob", &u("bob").to_string(), "700"]);
}

async fn a_kicked_callee_fails_the_caller_with_703(be: Backend) {
    let hub = hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    alice.sig.channel_invite_user2("room", "bob", "");
    bob.cbs.wait("on_invite_received").await;
    expect_cb(&mut alice, &format!("on_invite_received_by_peer(room, bob, {})", u("bob"))).await;
    let _bob_again = online_legacy(be, &hub, "bob").await;
    expect_cb(&mut bob, "on_logout(103)").await;
    expect_cb(&mut alice, &format!("on_invite_failed(room, bob, {}, 703, )", u("bob"))).await;
    assert_no_callback(&mut bob, &["on_invite_end_by_peer", "on_invite_failed"]).await;
}

async fn transcript_of_a_call(be: Backend) {
    call_transcript(be, SignalingOptions::default()).await;
}

/// Callbacks on the instance's task give the same transcript as on its dispatcher thread.
async fn transcript_of_a_call_with_inline_callbacks(be: Backend) {
    call_transcript(be, SignalingOptions::default().inline_callbacks(true)).await;
}

async fn call_transcript(be: Backend, options: SignalingOptions) {
    let hub = hub();
    let mut alice = online_legacy_with(be, &hub, "alice", options.clone()).await;
    let mut bob = online_legacy_with(be, &hub, "bob", options).await;
    established(&mut alice, &mut bob, "room", r#"{"destMediaUid":7}"#, r#"{"ok":1}"#).await;
    alice.sig.channel_invite_dtmf("room", "bob", "5");
    bob.cbs.wait("on_invite_msg").await;
    alice.sig.channel_invite_end("room", "bob", 0);
    bob.cbs.wait("on_invite_end_by_peer").await;
    alice.fence().await;
    bob.fence().await;
    let clean = |l: &LegacyDriver| -> Vec<String> {
        l.cbs.transcript().into_iter().filter(|l| !l.starts_with("on_dbg(")).collect()
    };
    let mut lines = vec!["# alice (caller)".to_owned()];
    lines.extend(clean(&alice));
    lines.push("# bob (callee)".to_owned());
    lines.extend(clean(&bob));
    check_golden("legacy_call.txt", &lines);
}

sigshim_conformance::per_backend!(
    transcript_of_a_call,
    transcript_of_a_call_with_inline_callbacks,
    extra_travels_verbatim_both_ways,
    require_peer_online_fails_at_once_with_703,
    a_second_invite_replaces_a_pending_one,
    end_fires_end_by_myself_first_whatever_the_state,
    a_callee_ending_a_pending_invitation_refuses_it,
    a_core_peer_sees_the_documented_end_call_message_and_can_send_one,
    dtmf_between_applications_arrives_as_an_invite_message,
    dtmf_and_phone_calls_without_a_gateway_fail_with_their_codes,
    a_phone_call_through_a_gateway_end_to_end,
    the_caller_hanging_up_a_phone_call_reaches_the_callee,
    answer_calls_report_their_errors,
    a_kicked_callee_fails_the_caller_with_703,
);
