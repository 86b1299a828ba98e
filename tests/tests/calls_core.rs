//! Invitation scenarios on the core call manager: every transition of both state machines, the
//! RTM codes of the API calls, and the end of invitations with the session.
//!
//! Timers are in `calls_timers.rs` (paused time, in-process only); these scenarios run per backend
//! (`memory::` and `ws::`).

use sigshim::call::{LocalInvitationState as L, RemoteInvitationState as R};
use sigshim::error::InvitationApiError as IE;
use sigshim::{ConnectionState, RtmCode};
use sigshim_conformance::Backend;
use sigshim_conformance::call_fixtures::{
    next_brief, next_incoming, party, raw_session, without_call_manager,
};
use sigshim_conformance::hub;

async fn accept_reaches_both_sides_in_order(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    let inv = alice.kit.create_local_invitation("bob").expect("invitation");
    assert_eq!(inv.state(), L::Idle);
    inv.set_content("{\"video\":true}").unwrap();
    inv.set_channel_id(Some("room_1")).unwrap();
    alice.kit.send_local_invitation(&inv).await.expect("send");
    let incoming = next_incoming(&mut bob.events).await;
    assert_eq!(
        (incoming.caller_id(), incoming.channel_id(), incoming.content()),
        ("alice", Some("room_1"), "{\"video\":true}")
    );
    assert_eq!(incoming.state(), R::InvitationReceived);
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    assert_eq!(inv.state(), L::ReceivedByRemote);

    incoming.set_response("ok, joining").unwrap();
    bob.kit.accept_remote_invitation(&incoming).await.expect("accept");
    assert_eq!(next_brief(&mut alice.events).await, "local:accepted(ok, joining)");
    assert_eq!(next_brief(&mut bob.events).await, "remote:accepted");
    assert_eq!((inv.state(), inv.response()), (L::AcceptedByRemote, "ok, joining".to_owned()));
    assert_eq!(incoming.state(), R::Accepted);

    // Everything is over: the API calls say so with their codes.
    assert_eq!(alice.kit.cancel_local_invitation(&inv).await, Err(IE::AlreadyEnd));
    assert_eq!(alice.kit.send_local_invitation(&inv).await, Err(IE::AlreadyEnd));
    assert_eq!(bob.kit.accept_remote_invitation(&incoming).await, Err(IE::AlreadyAccept));
    assert_eq!(bob.kit.refuse_remote_invitation(&incoming).await, Err(IE::AlreadyAccept));
    assert_eq!(incoming.set_response("late"), Err(IE::AlreadyAccept));
}

async fn refuse_carries_the_response(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    let inv = alice.invite("bob").await;
    let incoming = next_incoming(&mut bob.events).await;
    assert_eq!(incoming.channel_id(), None);
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    incoming.set_response("{\"status\":1}").unwrap();
    bob.kit.refuse_remote_invitation(&incoming).await.expect("refuse");
    assert_eq!(next_brief(&mut bob.events).await, "remote:refused");
    assert_eq!(next_brief(&mut alice.events).await, "local:refused({\"status\":1})");
    assert_eq!((inv.state(), incoming.state()), (L::RefusedByRemote, R::Refused));
    assert_eq!(bob.kit.accept_remote_invitation(&incoming).await, Err(IE::AlreadyEnd));
    assert_eq!(bob.kit.refuse_remote_invitation(&incoming).await, Err(IE::AlreadyEnd));
    assert_eq!(alice.kit.cancel_local_invitation(&inv).await, Err(IE::AlreadyEnd));
}

async fn cancel_reaches_the_callee(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    let inv = alice.kit.create_local_invitation("bob").unwrap();
    assert_eq!(alice.kit.cancel_local_invitation(&inv).await, Err(IE::NotStarted));
    alice.kit.send_local_invitation(&inv).await.unwrap();
    let incoming = next_incoming(&mut bob.events).await;
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    alice.kit.cancel_local_invitation(&inv).await.expect("cancel");
    assert_eq!(next_brief(&mut alice.events).await, "local:canceled");
    assert_eq!(next_brief(&mut bob.events).await, "remote:canceled");
    assert_eq!((inv.state(), incoming.state()), (L::Canceled, R::Canceled));
    assert_eq!(bob.kit.accept_remote_invitation(&incoming).await, Err(IE::AlreadyEnd));
    assert_eq!(alice.kit.cancel_local_invitation(&inv).await, Err(IE::AlreadyEnd));
}

async fn api_calls_refuse_bad_arguments_with_rtm_codes(be: Backend) {
    let hub = hub();
    let alice = party(be, &hub, "alice").await;
    assert_eq!(alice.kit.create_local_invitation("bad/id").unwrap_err(), IE::InvalidArgument);
    assert_eq!(alice.kit.create_local_invitation("").unwrap_err(), IE::InvalidArgument);
    let inv = alice.kit.create_local_invitation("bob").unwrap();
    assert_eq!(inv.set_content(&"x".repeat(8 * 1024 + 1)), Err(IE::InvalidArgument));
    assert_eq!(inv.set_channel_id(Some("no\"quotes")), Err(IE::InvalidArgument));
    let me = alice.kit.create_local_invitation("alice").unwrap();
    assert_eq!(alice.kit.send_local_invitation(&me).await, Err(IE::InvalidArgument), "no self-invites");
    alice.kit.send_local_invitation(&inv).await.unwrap();
    assert_eq!(alice.kit.send_local_invitation(&inv).await, Err(IE::AlreadySent));
    assert_eq!(inv.set_content("late"), Err(IE::AlreadySent));
    let codes: Vec<i32> =
        [IE::InvalidArgument, IE::NotStarted, IE::AlreadyEnd, IE::AlreadyAccept, IE::AlreadySent]
            .iter()
            .map(|e| e.code())
            .collect();
    assert_eq!(codes, [1, 2, 3, 4, 5]);
}

async fn sending_without_a_login_fails_with_not_logged_in(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    alice.client.logout().await.unwrap();
    let inv = alice.kit.create_local_invitation("bob").unwrap();
    alice.kit.send_local_invitation(&inv).await.expect("the API call is accepted");
    assert_eq!(next_brief(&mut alice.events).await, "local:failure(NotLoggedIn)");
    assert_eq!(inv.state(), L::Failure);
}

async fn caller_logout_ends_both_sides(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    alice.invite("bob").await;
    let incoming = next_incoming(&mut bob.events).await;
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    alice.client.logout().await.unwrap();
    assert_eq!(next_brief(&mut alice.events).await, "local:failure(NotLoggedIn)");
    assert_eq!(next_brief(&mut bob.events).await, "remote:failure(PeerOffline)");
    assert_eq!(incoming.state(), R::Failure);
    assert_eq!(bob.kit.accept_remote_invitation(&incoming).await, Err(IE::AlreadyEnd));
}

async fn callee_logout_ends_both_sides(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    let inv = alice.invite("bob").await;
    let incoming = next_incoming(&mut bob.events).await;
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    bob.client.logout().await.unwrap();
    assert_eq!(next_brief(&mut bob.events).await, "remote:failure(PeerOffline)");
    assert_eq!(next_brief(&mut alice.events).await, "local:failure(PeerOffline)");
    assert_eq!((inv.state(), incoming.state()), (L::Failure, R::Failure));
}

async fn remote_login_of_the_callee_ends_its_invitations(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    alice.invite("bob").await;
    let _incoming = next_incoming(&mut bob.events).await;
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    // bob logs in elsewhere: the old client is kicked, its invitation fails on both sides,
    // and the new login knows nothing of it.
    let mut bob2 = party(be, &hub, "bob").await;
    assert_eq!(next_brief(&mut bob.events).await, "remote:failure(PeerOffline)");
    assert_eq!(next_brief(&mut alice.events).await, "local:failure(PeerOffline)");
    assert_eq!(bob.client.connection_state(), ConnectionState::Aborted);
    // The new login gets fresh invitations as usual.
    let again = alice.invite("bob").await;
    assert_eq!(next_incoming(&mut bob2.events).await.id(), again.id());
}

async fn callee_without_call_events_never_acknowledges(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let _bob = without_call_manager(be, &hub, "bob").await;
    let inv = alice.invite("bob").await;
    // A cancel is still possible, and it is the first event the caller sees.
    alice.kit.cancel_local_invitation(&inv).await.unwrap();
    assert_eq!(next_brief(&mut alice.events).await, "local:canceled");
}

async fn a_callee_with_too_many_open_invitations_takes_no_more(be: Backend) {
    let hub = sigshim_conformance::fixtures::hub_with(|l| l.max_open_invitations = 1);
    let mut alice = party(be, &hub, "alice").await;
    let mut carol = party(be, &hub, "carol").await;
    let mut bob = party(be, &hub, "bob").await;
    let first = alice.invite("bob").await;
    let _ = next_incoming(&mut bob.events).await;
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    // bob has one open invitation, the hub's limit here: carol's is not handed over.
    let second = carol.kit.create_local_invitation("bob").unwrap();
    second.set_require_peer_online(true).unwrap();
    carol.kit.send_local_invitation(&second).await.unwrap();
    assert_eq!(next_brief(&mut carol.events).await, "local:failure(PeerOffline)");
    // Once the first is over, there is room again.
    alice.kit.cancel_local_invitation(&first).await.unwrap();
    assert_eq!(next_brief(&mut bob.events).await, "remote:canceled");
    carol.invite("bob").await;
    assert_eq!(next_incoming(&mut bob.events).await.caller_id(), "carol");
}

/// The hub refuses, with INVITATION_API_CALL_ERR_INVALID_ARGUMENT (1), every invitation step a
/// client may not send; a valid step to an offline user is answered "not delivered".
#[tokio::test]
async fn the_hub_refuses_steps_a_client_may_not_send() {
    use sigshim::protocol::{CallRole, CallSignal, Reply, Request};
    let hub = hub();
    let (raw, _inbox) = raw_session(&hub, "raw");
    let step = |peer_id: &str, by, signal| Request::Invitation {
        peer_id: peer_id.into(),
        invitation_id: 1,
        by,
        signal,
    };
    let invite = |content: String, channel_id: Option<String>| CallSignal::Invite { content, channel_id };
    let refused = [
        step("bob", CallRole::Caller, CallSignal::PeerGone),
        step("bob", CallRole::Caller, CallSignal::Accept { response: String::new() }),
        step("bob", CallRole::Callee, CallSignal::Cancel),
        step("bob", CallRole::Callee, CallSignal::Refuse { response: "x".repeat(8 * 1024 + 1) }),
        step("bob", CallRole::Caller, invite("x".repeat(8 * 1024 + 1), None)),
        step("bob", CallRole::Caller, invite(String::new(), Some("bad/channel".into()))),
        step("raw", CallRole::Caller, invite(String::new(), None)),
        step("bad/user", CallRole::Caller, invite(String::new(), None)),
    ];
    for request in refused {
        assert_eq!(
            hub.handle(&raw, request.clone()),
            Reply::Error { code: IE::InvalidArgument.code() },
            "{request:?}"
        );
    }
    let ok = step("bob", CallRole::Caller, invite("x".repeat(8 * 1024), Some("room".into())));
    assert_eq!(hub.handle(&raw, ok), Reply::InvitationRouted { delivered: false }, "bob is offline");
}

async fn invitations_in_both_directions_are_independent(be: Backend) {
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    let a_to_b = alice.kit.create_local_invitation("bob").unwrap();
    let b_to_a = bob.kit.create_local_invitation("alice").unwrap();
    assert_eq!(a_to_b.id(), b_to_a.id(), "both callers numbered their first invitation alike");
    alice.kit.send_local_invitation(&a_to_b).await.unwrap();
    let at_bob = next_incoming(&mut bob.events).await;
    assert_eq!(next_brief(&mut alice.events).await, "local:received_by_peer");
    bob.kit.send_local_invitation(&b_to_a).await.unwrap();
    let at_alice = next_incoming(&mut alice.events).await;
    assert_eq!(next_brief(&mut bob.events).await, "local:received_by_peer");
    // Refusing one leaves the other alone.
    bob.kit.refuse_remote_invitation(&at_bob).await.unwrap();
    assert_eq!(next_brief(&mut bob.events).await, "remote:refused");
    assert_eq!(next_brief(&mut alice.events).await, "local:refused()");
    alice.kit.accept_remote_invitation(&at_alice).await.unwrap();
    assert_eq!(next_brief(&mut bob.events).await, "local:accepted()");
    assert_eq!(next_brief(&mut alice.events).await, "remote:accepted");
    assert_eq!((a_to_b.state(), b_to_a.state()), (L::RefusedByRemote, L::AcceptedByRemote));
}

sigshim_conformance::per_backend!(
    accept_reaches_both_sides_in_order,
    refuse_carries_the_response,
    cancel_reaches_the_callee,
    api_calls_refuse_bad_arguments_with_rtm_codes,
    sending_without_a_login_fails_with_not_logged_in,
    caller_logout_ends_both_sides,
    callee_logout_ends_both_sides,
    remote_login_of_the_callee_ends_its_invitations,
    callee_without_call_events_never_acknowledges,
    a_callee_with_too_many_open_invitations_takes_no_more,
    invitations_in_both_directions_are_independent,
);
