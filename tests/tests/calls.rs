//! Call scenarios through both drivers, for every (caller, callee) pair of APIs: a legacy caller
//! with a core callee and the reverse included. Each step's note is compared exactly: who, which
//! channel, which extra (legacy) or content/response (core), which failure.
//!
//! Legacy-only behaviour (the reserved keys of `extra`, repeated invites, DTMF, phone calls,
//! transcripts) is in `legacy_calls.rs`; these scenarios run per backend
//! (`memory::` and `ws::`).

use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{api_pairs, expected, online};
use sigshim_conformance::{Api, CallNote, Driver, FailKind, hub};

fn incoming(from: &str, channel: &str, extra: &str) -> CallNote {
    CallNote::Incoming { from: from.into(), channel: channel.into(), extra: extra.into() }
}

fn received_by(peer: &str, channel: &str) -> CallNote {
    CallNote::ReceivedByPeer { peer: peer.into(), channel: channel.into() }
}

fn ended(peer: &str, channel: &str) -> CallNote {
    CallNote::Ended { peer: peer.into(), channel: channel.into() }
}

/// `caller` invites `callee` on `channel` and both see the invitation arrive.
async fn ring(caller: &mut dyn Driver, callee: &mut dyn Driver, channel: &str, extra: &str) {
    caller.invite(callee.user(), channel, extra).await.expect("invite");
    assert_eq!(callee.next_call().await, incoming(caller.user(), channel, extra));
    assert_eq!(caller.next_call().await, received_by(callee.user(), channel));
}

async fn accept_then_the_caller_hangs_up(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut caller = online(be, a, &hub, "alice").await;
        let mut callee = online(be, b, &hub, "bob").await;
        let extra = r#"{"destMediaUid":42,"channelName":"room_1"}"#;
        ring(&mut *caller, &mut *callee, "room_1", extra).await;
        callee.answer("alice", "room_1", true, r#"{"accept":1}"#).await.expect("accept");
        assert_eq!(
            caller.next_call().await,
            CallNote::Accepted {
                peer: "bob".into(),
                channel: "room_1".into(),
                extra: r#"{"accept":1}"#.into()
            },
            "{a:?} → {b:?}"
        );
        caller.end_call("bob", "room_1").await.expect("end");
        assert_eq!(callee.next_call().await, ended("alice", "room_1"), "{a:?} → {b:?}");
    }
}

async fn accept_then_the_callee_hangs_up(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut caller = online(be, a, &hub, "alice").await;
        let mut callee = online(be, b, &hub, "bob").await;
        ring(&mut *caller, &mut *callee, "room", "").await;
        callee.answer("alice", "room", true, "").await.expect("accept");
        assert_eq!(
            caller.next_call().await,
            CallNote::Accepted { peer: "bob".into(), channel: "room".into(), extra: String::new() }
        );
        callee.end_call("alice", "room").await.expect("end");
        assert_eq!(caller.next_call().await, ended("bob", "room"), "{a:?} → {b:?}");
    }
}

async fn refuse_carries_the_callee_extra(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut caller = online(be, a, &hub, "alice").await;
        let mut callee = online(be, b, &hub, "bob").await;
        ring(&mut *caller, &mut *callee, "room", r#"{"k":"v"}"#).await;
        callee.answer("alice", "room", false, r#"{"status":1}"#).await.expect("refuse");
        assert_eq!(
            caller.next_call().await,
            CallNote::Refused { peer: "bob".into(), channel: "room".into(), extra: r#"{"status":1}"#.into() },
            "{a:?} → {b:?}"
        );
        // The invitation is over: answering again fails.
        let again = callee.answer("alice", "room", true, "").await.expect_err("already refused");
        assert_eq!(again.kind, FailKind::Other);
    }
}

async fn the_caller_cancels_a_pending_invitation(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut caller = online(be, a, &hub, "alice").await;
        let mut callee = online(be, b, &hub, "bob").await;
        ring(&mut *caller, &mut *callee, "room", "").await;
        caller.end_call("bob", "room").await.expect("cancel");
        assert_eq!(callee.next_call().await, ended("alice", "room"), "{a:?} → {b:?}");
        let late = callee.answer("alice", "room", true, "").await.expect_err("already canceled");
        assert_eq!(late.kind, FailKind::Other);
    }
}

async fn the_callee_logging_out_fails_the_invitation_for_the_caller(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut caller = online(be, a, &hub, "alice").await;
        let mut callee = online(be, b, &hub, "bob").await;
        ring(&mut *caller, &mut *callee, "room", "").await;
        callee.logout().await.expect("logout");
        let want = expected(a, (FailKind::PeerOffline, 1), (FailKind::PeerOffline, 703));
        assert_eq!(
            caller.next_call().await,
            CallNote::Failed { peer: "bob".into(), channel: "room".into(), fail: want },
            "{a:?} → {b:?}"
        );
    }
}

async fn the_caller_logging_out_ends_the_invitation_for_the_callee(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut caller = online(be, a, &hub, "alice").await;
        let mut callee = online(be, b, &hub, "bob").await;
        ring(&mut *caller, &mut *callee, "room", "").await;
        caller.logout().await.expect("logout");
        assert_eq!(callee.next_call().await, ended("alice", "room"), "{a:?} → {b:?}");
    }
}

async fn inviting_without_a_login_fails(be: Backend) {
    for api in [Api::Core, Api::Legacy] {
        let hub = hub();
        let mut caller = be.driver(api, &hub, "alice");
        caller.invite("bob", "room", "").await.expect("accepted at the call");
        let want = expected(api, (FailKind::NotLoggedIn, 4), (FailKind::Other, 700));
        assert_eq!(
            caller.next_call().await,
            CallNote::Failed { peer: "bob".into(), channel: "room".into(), fail: want },
            "{api:?}"
        );
    }
}

async fn answering_an_unknown_invitation_fails(be: Backend) {
    for api in [Api::Core, Api::Legacy] {
        let hub = hub();
        let mut callee = online(be, api, &hub, "bob").await;
        let e = callee.answer("alice", "room", true, "").await.expect_err("nothing to accept");
        assert_eq!(e, expected(api, (FailKind::Other, 2), (FailKind::Other, 700)), "{api:?}");
    }
}

sigshim_conformance::per_backend!(
    inviting_without_a_login_fails,
    accept_then_the_caller_hangs_up,
    accept_then_the_callee_hangs_up,
    refuse_carries_the_callee_extra,
    the_caller_cancels_a_pending_invitation,
    the_callee_logging_out_fails_the_invitation_for_the_caller,
    the_caller_logging_out_ends_the_invitation_for_the_callee,
    answering_an_unknown_invitation_fails,
);
