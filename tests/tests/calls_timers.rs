//! Invitation timers on the core, with paused time (in-process only): resending while the
//! callee is offline, the 30 s acknowledgement deadline, the 60 s expiry, the 5 s accept
//! handshake, configured timers, and the sigshim extensions `require_peer_online` and
//! `set_timeout`.

use std::time::Duration;

use sigshim::call::{CallTimers, LocalInvitationState as L};
use sigshim::protocol::{CallRole, CallSignal, Event, Reply, Request};
use sigshim_conformance::Backend;
use sigshim_conformance::call_fixtures::{
    Party, expect_now, next_incoming, party, raw_session, ready, without_call_manager,
};
use sigshim_conformance::hub;
use sigshim_conformance::scenario::{advance, advance_secs, at_once};

/// A party whose client uses `timers`.
async fn party_with(hub: &sigshim::Hub, user: &str, timers: CallTimers) -> Party {
    let (client, _events) = Backend::Memory.client_builder(hub).call_timers(timers).build();
    client.login(None, user).await.expect("login");
    let (kit, events) = client.call_kit();
    Party { client, kit, events }
}

#[tokio::test(start_paused = true)]
async fn an_offline_callee_gets_the_invitation_when_it_logs_in_within_30_s() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let inv = alice.invite("bob").await;
    advance(Duration::from_millis(9_500)).await;
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    let mut bob = party(be, &hub, "bob").await;
    advance(Duration::from_millis(499)).await;
    assert_eq!(ready(&mut bob.events), Vec::<String>::new(), "nothing until the next resend");
    advance(Duration::from_millis(1)).await; // the resend at 10 s
    assert_eq!(at_once(next_incoming(&mut bob.events)).await.caller_id(), "alice");
    expect_now(&mut alice.events, &["local:received_by_peer"]).await;
    assert_eq!(inv.state(), L::ReceivedByRemote);
}

#[tokio::test(start_paused = true)]
async fn a_callee_offline_for_30_s_fails_with_peer_offline() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    alice.invite("bob").await;
    advance(Duration::from_millis(29_999)).await;
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    advance(Duration::from_millis(1)).await;
    expect_now(&mut alice.events, &["local:failure(PeerOffline)"]).await;
    // A callee that logs in later never sees it.
    let mut bob = party(be, &hub, "bob").await;
    advance_secs(10).await;
    assert_eq!(ready(&mut bob.events), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn an_online_callee_that_never_acknowledges_fails_with_peer_no_response() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let _bob = without_call_manager(be, &hub, "bob").await;
    alice.invite("bob").await;
    advance_secs(29).await;
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    advance_secs(1).await;
    expect_now(&mut alice.events, &["local:failure(PeerNoResponse)"]).await;
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_invitation_expires_after_60_s_on_both_sides() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    alice.invite("bob").await;
    let incoming = at_once(next_incoming(&mut bob.events)).await;
    expect_now(&mut alice.events, &["local:received_by_peer"]).await;
    advance_secs(59).await;
    assert_eq!((ready(&mut alice.events), ready(&mut bob.events)), (vec![], vec![]));
    advance_secs(1).await;
    expect_now(&mut bob.events, &["remote:failure(InvitationExpire)"]).await;
    expect_now(&mut alice.events, &["local:failure(InvitationExpire)"]).await;
    assert_eq!(
        bob.kit.accept_remote_invitation(&incoming).await,
        Err(sigshim::error::InvitationApiError::AlreadyEnd)
    );
}

#[tokio::test(start_paused = true)]
async fn an_accept_the_caller_never_confirms_fails_after_5_s() {
    let be = Backend::Memory;
    let hub = hub();
    let mut bob = party(be, &hub, "bob").await;
    // A caller that speaks the protocol by hand and never confirms the accept.
    let (raw, mut raw_inbox) = raw_session(&hub, "raw");
    let invite = Request::Invitation {
        peer_id: "bob".into(),
        invitation_id: 1,
        by: CallRole::Caller,
        signal: CallSignal::Invite { content: String::new(), channel_id: None },
    };
    assert_eq!(hub.handle(&raw, invite), Reply::InvitationRouted { delivered: true });
    let incoming = at_once(next_incoming(&mut bob.events)).await;
    bob.kit.accept_remote_invitation(&incoming).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let ev = at_once(raw_inbox.recv()).await.expect("the inbox is open");
        if let Event::Invitation { signal, .. } = &*ev {
            seen.push(signal.clone());
        }
    }
    assert_eq!(seen, [CallSignal::Received, CallSignal::Accept { response: String::new() }]);
    advance(Duration::from_millis(4_999)).await;
    assert_eq!(ready(&mut bob.events), Vec::<String>::new());
    assert!(raw_inbox.is_empty(), "nothing else for the caller before the 5 s");
    advance(Duration::from_millis(1)).await;
    expect_now(&mut bob.events, &["remote:failure(AcceptFailure)"]).await;
    // The caller is told, so that nothing stays open for it on either side.
    let told = at_once(raw_inbox.recv()).await.expect("a signal for the caller");
    assert!(matches!(&*told, Event::Invitation { signal: CallSignal::Expire, .. }), "{told:?}");
}

#[tokio::test(start_paused = true)]
async fn an_answer_that_overtakes_the_receipt_implies_it() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    // A callee that answers by hand without sending its receipt first.
    let (raw, mut raw_inbox) = raw_session(&hub, "raw");
    alice.invite("raw").await;
    let ev = at_once(raw_inbox.recv()).await.expect("the invitation");
    let Event::Invitation { invitation_id, .. } = &*ev else { panic!("{ev:?}") };
    let accept = Request::Invitation {
        peer_id: "alice".into(),
        invitation_id: *invitation_id,
        by: CallRole::Callee,
        signal: CallSignal::Accept { response: "yes".into() },
    };
    assert_eq!(hub.handle(&raw, accept), Reply::InvitationRouted { delivered: true });
    expect_now(&mut alice.events, &["local:received_by_peer", "local:accepted(yes)"]).await;
    let confirm = at_once(raw_inbox.recv()).await.expect("the confirmation");
    assert!(matches!(&*confirm, Event::Invitation { signal: CallSignal::Confirm, .. }), "{confirm:?}");
}

#[tokio::test(start_paused = true)]
async fn a_callee_that_dropped_its_event_stream_never_acknowledges() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let bob = party(be, &hub, "bob").await;
    drop(bob.events);
    alice.invite("bob").await;
    advance(Duration::from_millis(29_999)).await;
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    advance(Duration::from_millis(1)).await;
    expect_now(&mut alice.events, &["local:failure(PeerNoResponse)"]).await;
}

#[tokio::test(start_paused = true)]
async fn an_undelivered_invitation_survives_a_reconnect_to_a_new_session() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let inv = alice.invite("bob").await;
    advance_secs(1).await;
    // alice's link breaks; her client logs in again (a new session: in-process links do not
    // resume). The invitation bob never got keeps going.
    assert!(hub.disconnect_user("alice"));
    for _ in 0..20 {
        advance(Duration::from_millis(250)).await;
        if alice.client.connection_state() == sigshim::ConnectionState::Connected {
            break;
        }
    }
    assert_eq!(alice.client.connection_state(), sigshim::ConnectionState::Connected);
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    let mut bob = party(be, &hub, "bob").await;
    advance_secs(2).await;
    assert_eq!(next_incoming(&mut bob.events).await.id(), inv.id());
    expect_now(&mut alice.events, &["local:received_by_peer"]).await;
}

#[tokio::test(start_paused = true)]
async fn timers_are_configurable() {
    let hub = hub();
    let timers = CallTimers::default()
        .ack_timeout(Duration::from_secs(5))
        .resend_interval(Duration::from_secs(1))
        .expire_after(Duration::from_secs(8));
    let mut alice = party_with(&hub, "alice", timers).await;
    alice.invite("nobody").await;
    advance(Duration::from_millis(4_999)).await;
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    advance(Duration::from_millis(1)).await;
    expect_now(&mut alice.events, &["local:failure(PeerOffline)"]).await;

    let mut bob = party_with(&hub, "bob", timers).await;
    alice.invite("bob").await;
    let _incoming = at_once(next_incoming(&mut bob.events)).await;
    expect_now(&mut alice.events, &["local:received_by_peer"]).await;
    advance(Duration::from_millis(7_999)).await;
    assert_eq!((ready(&mut alice.events), ready(&mut bob.events)), (vec![], vec![]));
    advance(Duration::from_millis(1)).await;
    expect_now(&mut bob.events, &["remote:failure(InvitationExpire)"]).await;
    expect_now(&mut alice.events, &["local:failure(InvitationExpire)"]).await;
}

#[tokio::test(start_paused = true)]
async fn require_peer_online_fails_at_once() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let inv = alice.kit.create_local_invitation("bob").unwrap();
    inv.set_require_peer_online(true).unwrap();
    alice.kit.send_local_invitation(&inv).await.unwrap();
    expect_now(&mut alice.events, &["local:failure(PeerOffline)"]).await;
    assert_eq!(inv.state(), L::Failure);
}

#[tokio::test(start_paused = true)]
async fn a_timeout_ends_the_invitation_and_a_late_callee_never_sees_it() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let inv = alice.kit.create_local_invitation("bob").unwrap();
    inv.set_timeout(Some(Duration::from_secs(3))).unwrap();
    alice.kit.send_local_invitation(&inv).await.unwrap();
    advance(Duration::from_millis(2_999)).await;
    assert_eq!(ready(&mut alice.events), Vec::<String>::new());
    advance(Duration::from_millis(1)).await;
    expect_now(&mut alice.events, &["local:failure(InvitationExpire)"]).await;
    let mut bob = party(be, &hub, "bob").await;
    advance_secs(40).await;
    assert_eq!(ready(&mut bob.events), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn a_timeout_after_receipt_ends_it_for_the_callee_too() {
    let be = Backend::Memory;
    let hub = hub();
    let mut alice = party(be, &hub, "alice").await;
    let mut bob = party(be, &hub, "bob").await;
    let inv = alice.kit.create_local_invitation("bob").unwrap();
    inv.set_timeout(Some(Duration::from_secs(3))).unwrap();
    alice.kit.send_local_invitation(&inv).await.unwrap();
    let _incoming = at_once(next_incoming(&mut bob.events)).await;
    expect_now(&mut alice.events, &["local:received_by_peer"]).await;
    advance(Duration::from_millis(2_999)).await;
    assert_eq!((ready(&mut alice.events), ready(&mut bob.events)), (vec![], vec![]));
    advance(Duration::from_millis(1)).await;
    expect_now(&mut alice.events, &["local:failure(InvitationExpire)"]).await;
    expect_now(&mut bob.events, &["remote:failure(InvitationExpire)"]).await;
}
