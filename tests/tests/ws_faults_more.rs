//! More network faults on the WebSocket path (see `ws_faults.rs`): a half-open link taken over
//! by a resume, a slow consumer over the wire, a remote login between two network clients, and
//! a graceful shutdown that delivers what was queued.
//!
//! Nothing sleeps to wait for something: every wait is on an event, a callback or a frame with a
//! deadline.

mod faults;

use std::time::Duration;

use faults::*;
use serde_json::json;
use sigshim::protocol::close;
use sigshim::{ClientEvent, ConnectionChangeReason as R, ConnectionState as S};
use sigshim_conformance::APP_ID;
use sigshim_conformance::fixtures::{expect_only_marker, next_message};
use sigshim_conformance::proxy::Proxy;
use sigshim_conformance::raw::{Incoming, RawClient};

/// e. A half-open link: the client hears nothing, declares the link lost and reconnects through
/// the proxy while the server still holds the session on the stalled connection. The resume
/// takes the session over (the server closes the old connection with 4002), and every message
/// sent before, during and after the switch arrives once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_a_resume_takes_over_a_half_open_connection() {
    let hub = hub_with_grace(Duration::from_secs(10));
    // The server must not notice the stall by itself: the takeover is what this is about.
    let config = server_config().idle_timeout(Duration::from_secs(10));
    let server = serve(&hub, config).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let mut a = online(&proxy.url(), "alice").await;
    let b = online(&server.url(), "bob").await;
    let (before, during, after) = (numbered("before", 3), numbered("during", 3), numbered("after", 3));
    for text in &before {
        assert_eq!(send(&b, "alice", text, false).await, Ok(()));
    }
    expect_messages(&mut a, "bob", &before, false).await;
    let logins = hub.stats().logins;
    let takeovers = closes(&hub, close::DROPPED);

    proxy.stall();
    for text in &during {
        // The server still holds the session on the stalled connection: accepted as delivered.
        assert_eq!(send(&b, "alice", text, false).await, Ok(()), "{text}");
    }
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    expect_state(&mut a, S::Connected, R::LoginSuccess).await;
    for text in &after {
        assert_eq!(send(&b, "alice", text, false).await, Ok(()), "{text}");
    }
    let mut all = during.clone();
    all.extend(after);
    expect_messages(&mut a, "bob", &all, false).await;
    let mut b = b;
    expect_only_marker(&mut b, &mut a, "marker").await;
    assert_eq!(closes(&hub, close::DROPPED), takeovers + 1, "the stalled connection was closed with 4002");
    assert_eq!(hub.stats().logins, logins, "the session was resumed");
    assert_eq!(hub.stats().parked_sessions, 0);
    assert_eq!(proxy.accepted(), 2);
    proxy.cut(); // releases the stalled sockets
}

/// f. A client that never reads its events: the server stops sending at `max_unacked`, the
/// session's inbox fills, and further sends fail with FAILURE (1); a message acknowledged with
/// `Ok` is never dropped, and other receivers are not held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f_a_slow_consumer_fails_sends_without_losing_accepted_messages() {
    let hub = sigshim::Hub::new(hub_config(Duration::from_secs(10)).inbox_capacity(8));
    let config = server_config().max_unacked(16);
    let server = serve(&hub, config).await;
    // Acknowledging every 4 events keeps the server's window of 16 open for as long as the client
    // reads its socket: what fills up is the unread event stream, not the acknowledgements.
    let options = ws_options().inbox_capacity(16).ack_every(4);
    let mut a = login(client_with(&server.url(), "alice", options)).await;
    let b = online(&server.url(), "bob").await;
    let mut c = online(&server.url(), "carol").await;

    // From here on, alice's events are not read (the stream stays alive). When her queues are
    // full, every send fails; before that, on a busy machine, one may fail now and then while
    // her link is slower than bob. Every failure must be FAILURE (1), also with offline caching
    // asked for (alice is online: nothing is stored), and every `Ok` must be delivered in the end.
    // Her queues hold at least 1024 (event stream) + 1 + 16 (link inbox) + 1 + 8 (session inbox).
    const FULL: usize = 1024 + 1 + 16 + 1 + 8;
    let mut accepted = Vec::new();
    let mut failed_in_a_row = 0;
    for i in 0..10_000 {
        let text = format!("m {i}");
        match send(&b, "alice", &text, i % 2 == 1).await {
            Ok(()) => {
                accepted.push(text);
                failed_in_a_row = 0;
            }
            Err(code) => {
                assert_eq!(code, 1, "{text}: FAILURE ({} accepted)", accepted.len());
                failed_in_a_row += 1;
                if accepted.len() >= FULL && failed_in_a_row >= 2 {
                    break;
                }
            }
        }
        if i % 100 == 0 {
            // Carol is served promptly all along.
            let text = format!("to carol {i}");
            assert_eq!(send(&b, "carol", &text, false).await, Ok(()));
            let got = tokio::time::timeout(Duration::from_secs(1), next_message(&mut c)).await;
            assert_eq!(got.expect("carol gets hers within 1 s").1.text_or_description(), text);
        }
    }
    assert!(failed_in_a_row >= 2, "alice's queues never filled ({} accepted)", accepted.len());
    assert!(hub.stats().inbox_full_drops > 0);
    assert_eq!(hub.stats().offline_stored, 0);
    assert_eq!(send(&b, "carol", "meanwhile", false).await, Ok(()));
    let got = tokio::time::timeout(Duration::from_secs(1), next_message(&mut c)).await;
    assert_eq!(got.expect("carol is not held back").1.text_or_description(), "meanwhile");

    // Alice reads again: every accepted message, in order, and none of the refused ones.
    expect_messages(&mut a, "bob", &accepted, false).await;
    let mut b = b;
    expect_only_marker(&mut b, &mut a, "marker").await;
    while let Some(e) = a.try_next_event() {
        assert!(!matches!(e, ClientEvent::ConnectionStateChanged { .. }), "alice stayed connected: {e:?}");
    }
    assert_eq!(a.client.connection_state(), S::Connected);
}

/// g. REMOTE_LOGIN between network clients: each newer login aborts the older one, whose link
/// is closed with a `kicked` event (seq 0) and close code 4000, and which does not reconnect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn g_a_remote_login_aborts_the_older_network_client() {
    let hub = hub_with_grace(Duration::from_secs(10));
    let server = serve(&hub, server_config()).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let mut first = online(&proxy.url(), "alice").await;
    let mut bob = online(&server.url(), "bob").await;

    // A second client (its own connector), speaking the wire by hand.
    let mut second = RawClient::connect(&server.url()).await;
    second.login(APP_ID, "alice").await;
    expect_state(&mut first, S::Aborted, R::RemoteLogin).await;
    assert_eq!(first.client.connection_state(), S::Aborted);

    // A third one, a core client: the second gets the `kicked` event, then close 4000.
    let mut third = online(&server.url(), "alice").await;
    assert_eq!(second.json().await, json!({"seq": 0, "event": "kicked", "reason": "remote_login"}));
    assert_eq!(second.close_code().await, close::KICKED);
    assert!(matches!(second.next().await, Incoming::Dropped(_)), "the server ended the connection");

    assert!(hub.is_online("alice"));
    expect_only_marker(&mut bob, &mut third, "marker").await;
    assert_eq!(hub.stats().parked_sessions, 0, "a kicked session is not parked");
    assert_eq!(proxy.accepted(), 1, "the aborted client did not reconnect");
    assert_eq!(first.client.connection_state(), S::Aborted);
    // Its only events after the login were the abort.
    assert_eq!(first.try_next_event(), None);
}

/// h. A graceful shutdown sends every event already queued for a client before closing its
/// link, also past the server's window of unacknowledged events: the receiver gets all the
/// messages, then goes RECONNECTING.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h_a_graceful_shutdown_delivers_queued_events_first() {
    let hub = hub_with_grace(Duration::from_secs(10));
    // A small window and a client that acknowledges every 32 events (or after 50 ms of quiet):
    // most of what is sent below is still queued on the server when the shutdown starts.
    let config = server_config().max_unacked(4);
    let server = serve(&hub, config).await;
    let mut a = online(&server.url(), "alice").await;
    let b = in_process(&hub, "bob").await; // in-process: its sends are not slowed by the network
    let sent = numbered("queued", 40);
    for text in &sent {
        assert_eq!(send(&b, "alice", text, false).await, Ok(()));
    }
    server.shutdown().await;
    for (i, text) in sent.iter().enumerate() {
        let next = a.wait_event("the next event", |e| Some(e.clone())).await;
        match next {
            ClientEvent::MessageFromPeer { peer_id, message, is_offline: false } => {
                assert_eq!((peer_id.as_str(), message.text_or_description()), ("bob", text.as_str()))
            }
            other => panic!("event #{i}: expected {text:?}, got {other:?}"),
        }
    }
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    assert_eq!(a.try_next_event(), None);
    assert_eq!(hub.stats().parked_sessions, 1);
}

/// A logout while the link is down reaches no server; the next login must still start a new
/// session (not resume the parked one with its old state).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_while_reconnecting_makes_the_next_login_fresh() {
    let hub = hub_with_grace(Duration::from_secs(10));
    let server = serve(&hub, server_config()).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let mut a = online(&proxy.url(), "alice").await;
    a.client.add_or_update_local_user_attributes(&[sigshim::Attribute::new("k", "old")]).await.unwrap();
    proxy.refuse(true);
    proxy.cut();
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    a.client.logout().await.expect("logout while reconnecting");
    expect_state(&mut a, S::Disconnected, R::Logout).await;
    proxy.refuse(false);
    let a = login(a).await;
    // A fresh session: the old one's attributes are gone, and nothing is parked any more.
    let b = online(&server.url(), "bob").await;
    assert_eq!(b.client.get_user_attributes("alice").await, Ok(Vec::new()));
    assert_eq!(hub.stats().parked_sessions, 0);
    assert_eq!(a.client.connection_state(), S::Connected);
}

/// A session kicked by a login elsewhere while a message was sent to it but not acknowledged:
/// the message is not lost, the new session gets it as an offline message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_a_kicked_link_never_acknowledged_reach_the_new_session() {
    let hub = hub_with_grace(Duration::from_secs(10));
    let server = serve(&hub, server_config()).await;
    let mut old = RawClient::connect(&server.url()).await;
    old.login(APP_ID, "alice").await;
    let b = online(&server.url(), "bob").await;
    assert_eq!(send(&b, "alice", "in flight", false).await, Ok(()), "queued to alice's live session");
    let frame = old.next_peer_message().await; // received, never acknowledged
    assert_eq!(frame["message"]["text"], "in flight");
    let mut new = online(&server.url(), "alice").await;
    expect_messages(&mut new, "bob", &["in flight".to_owned()], true).await;
}
