//! The bound of the invitation event stream: what waits when it is full, and that nothing is
//! lost.

use std::time::Duration;

use super::{CallEvent, CallEvents, CallKit, LocalInvitation};
use crate::client::{ClientEvent, Events};
use crate::error::RemoteInvitationError;
use crate::message::{Message, SendMessageOptions};
use crate::{Client, Hub, HubConfig};

/// Lets every task run until all wait (paused time: the clock only moves when all are idle,
/// and this is far below every invitation timer).
async fn until_idle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// `f`'s output, or a failed test when it does not come (on the paused clock, a future that
/// can never finish fails here instead of hanging the test).
async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(600), f).await.expect("no answer on the paused clock")
}

struct Pair {
    alice: Client,
    bob: Client,
    bob_events: Events,
    alice_calls: CallKit,
    alice_call_events: CallEvents,
    bob_call_events: CallEvents,
}

/// Alice, and Bob with a call event stream of `capacity`.
async fn pair(capacity: usize) -> Pair {
    let hub = Hub::new(HubConfig::new("bound-app"));
    let (alice, _) = Client::builder("bound-app").hub(&hub).build();
    let (bob, bob_events) = Client::builder("bound-app").hub(&hub).call_event_capacity(capacity).build();
    alice.login(None, "alice").await.unwrap();
    bob.login(None, "bob").await.unwrap();
    let (alice_calls, alice_call_events) = alice.call_kit();
    let (_, bob_call_events) = bob.call_kit();
    Pair { alice, bob, bob_events, alice_calls, alice_call_events, bob_call_events }
}

/// Sends `n` invitations from Alice to Bob, the i-th with content "i".
async fn invite(p: &Pair, n: usize) -> Vec<LocalInvitation> {
    let mut sent = Vec::new();
    for i in 0..n {
        let inv = p.alice_calls.create_local_invitation("bob").unwrap();
        inv.set_content(&i.to_string()).unwrap();
        p.alice_calls.send_local_invitation(&inv).await.unwrap();
        sent.push(inv);
    }
    sent
}

/// The invitations whose receipt Alice has seen so far, by content.
fn receipts(events: &mut CallEvents) -> Vec<String> {
    std::iter::from_fn(|| events.try_recv())
        .map(|e| match e {
            CallEvent::LocalInvitationReceivedByPeer(inv) => inv.content(),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn received(event: Option<CallEvent>) -> String {
    match event {
        Some(CallEvent::RemoteInvitationReceived(inv)) => inv.content().to_owned(),
        other => panic!("expected an invitation, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_full_stream_holds_the_link_reader_back_and_loses_nothing() {
    let mut p = pair(4).await;
    invite(&p, 6).await;
    until_idle().await;
    // Bob's client took four invitations and waits with the fifth: no receipt for it yet.
    assert_eq!(receipts(&mut p.alice_call_events), ["0", "1", "2", "3"]);

    assert_eq!(received(p.bob_call_events.try_recv()), "0");
    until_idle().await;
    assert_eq!(receipts(&mut p.alice_call_events), ["4"]);

    let rest: Vec<String> =
        std::iter::from_fn(|| p.bob_call_events.try_recv()).map(|e| received(Some(e))).collect();
    assert_eq!(rest, ["1", "2", "3", "4"]);
    until_idle().await;
    assert_eq!(receipts(&mut p.alice_call_events), ["5"]);
    assert_eq!(received(p.bob_call_events.try_recv()), "5");
    assert!(p.bob_call_events.try_recv().is_none());
}

#[tokio::test(start_paused = true)]
async fn other_events_wait_behind_a_full_stream_until_it_is_dropped() {
    let mut p = pair(2).await;
    invite(&p, 3).await;
    until_idle().await;
    let _ = std::iter::from_fn(|| p.bob_events.try_recv()).count();
    let alice = p.alice.clone();
    let sent = tokio::spawn(async move {
        alice.send_message_to_peer("bob", &Message::text("hi"), SendMessageOptions::default()).await
    });
    until_idle().await;
    assert!(sent.is_finished(), "the hub queued the message for Bob");
    assert!(p.bob_events.try_recv().is_none(), "Bob's client is held back by its call stream");

    drop(p.bob_call_events);
    match tokio::time::timeout(Duration::from_secs(1), p.bob_events.recv()).await {
        Ok(Some(ClientEvent::MessageFromPeer { peer_id, message, .. })) => {
            assert_eq!(peer_id, "alice");
            assert_eq!(message.text_or_description(), "hi");
        }
        other => panic!("expected the message, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_end_of_a_session_reports_every_open_invitation_beyond_the_bound() {
    let mut p = pair(4).await;
    invite(&p, 5).await;
    until_idle().await;
    p.bob.logout().await.unwrap();
    let events: Vec<CallEvent> = std::iter::from_fn(|| p.bob_call_events.try_recv()).collect();
    assert_eq!(events.len(), 8, "{events:?}");
    for (i, e) in events[..4].iter().enumerate() {
        assert_eq!(received(Some(e.clone())), i.to_string());
    }
    for (i, e) in events[4..].iter().enumerate() {
        match e {
            CallEvent::RemoteInvitationFailure { invitation, error: RemoteInvitationError::PeerOffline } => {
                assert_eq!(invitation.content(), i.to_string());
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_replaced_stream_ends_after_its_events() {
    let mut p = pair(4).await;
    invite(&p, 1).await;
    until_idle().await;
    let (_, mut newer) = p.bob.call_kit();
    assert_eq!(received(within(p.bob_call_events.recv()).await), "0");
    assert!(within(p.bob_call_events.recv()).await.is_none());
    assert!(newer.try_recv().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_call_that_reports_an_event_waits_for_room() {
    let mut p = pair(2).await;
    invite(&p, 2).await;
    until_idle().await;
    let first = match p.bob_call_events.try_recv() {
        Some(CallEvent::RemoteInvitationReceived(inv)) => inv,
        other => panic!("expected an invitation, got {other:?}"),
    };
    // One slot free again: fill it with a third invitation, so the refuse finds the stream full.
    let third = p.alice_calls.create_local_invitation("bob").unwrap();
    third.set_content("2").unwrap();
    p.alice_calls.send_local_invitation(&third).await.unwrap();
    until_idle().await;
    let kit = CallKit { client: p.bob.clone() };
    let refuse = tokio::spawn(async move { kit.refuse_remote_invitation(&first).await });
    until_idle().await;
    assert!(!refuse.is_finished(), "the refuse waits while the stream is full");
    assert_eq!(received(p.bob_call_events.try_recv()), "1");
    until_idle().await;
    assert_eq!(refuse.await.unwrap(), Ok(()));
    assert_eq!(received(p.bob_call_events.try_recv()), "2");
    match p.bob_call_events.try_recv() {
        Some(CallEvent::RemoteInvitationRefused(inv)) => assert_eq!(inv.content(), "0"),
        other => panic!("expected the refuse, got {other:?}"),
    }
}
