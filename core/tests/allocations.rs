//! Heap allocations per message on the in-process hot paths, counted on the test's own thread
//! by the counting global allocator of `allocation-counter`. Counts are deterministic (unlike
//! timings), so they are held to bounds here; BENCHMARKS.md reports the figures.

use std::sync::Arc;

use sigshim::limits::{Limits, RateLimits};
use sigshim::protocol::LoginRequest;
use sigshim::protocol::{Event, Reply, Request};
use sigshim::test_support::Session;
use sigshim::{Hub, HubConfig, Message, SendMessageOptions};

/// Allocations made by `f` on this thread.
fn allocations_in(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

const APP: &str = "allocations";
const MESSAGES: u64 = 4096;

fn hub() -> Hub {
    let limits = Limits::default().rates(RateLimits::unlimited());
    Hub::new(HubConfig::new(APP).limits(limits).inbox_capacity(MESSAGES as usize * 2))
}

type Inbox = sigshim::hub::SessionInbox;

/// A hub on a current-thread runtime with two sessions logged in, Alice and Bob.
struct Pair {
    rt: tokio::runtime::Runtime,
    hub: Hub,
    alice: Arc<Session>,
    bob_inbox: Inbox,
    _kept: (Inbox, Arc<Session>),
}

fn pair() -> Pair {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let hub = {
        let _guard = rt.enter();
        hub()
    };
    let login = |user: &str| hub.login(&LoginRequest::new(APP, user, None)).expect("login");
    let (alice, alice_inbox) = login("alice");
    let (bob, bob_inbox) = login("bob");
    Pair { rt, hub, alice, bob_inbox, _kept: (alice_inbox, bob) }
}

/// The hub's part of a peer message (checks, rate budget, id, lookup, the event into the
/// receiver's inbox, the receipt): at most two allocations, the event and its sender's name.
#[test]
fn the_hub_routes_a_peer_message_with_at_most_two_allocations() {
    let Pair { rt, hub, alice, mut bob_inbox, _kept } = pair();
    let _guard = rt.enter();
    // The requests are built first: decoding them is the transport's work, not the hub's.
    let requests: Vec<Request> = (0..MESSAGES)
        .map(|n| Request::SendPeerMessage {
            peer_id: "bob".into(),
            message: Message::text(format!("message {n}")),
            options: SendMessageOptions::default(),
        })
        .collect();
    let mut replies = Vec::with_capacity(MESSAGES as usize);
    let mut delivered = 0;
    // Bob reads as a live receiver does, every few messages, so the inbox reuses its blocks.
    let mut read = |inbox: &mut Inbox| {
        while let Ok(ev) = inbox.try_recv() {
            if matches!(&*ev, Event::PeerMessage { peer_id, .. } if peer_id == "alice") {
                delivered += 1;
            }
        }
    };
    let counted = allocations_in(|| {
        for (n, request) in requests.into_iter().enumerate() {
            replies.push(hub.handle(&alice, request));
            if n % 64 == 63 {
                read(&mut bob_inbox);
            }
        }
    });
    read(&mut bob_inbox);
    assert!(replies.iter().all(|r| matches!(r, Reply::MessageSent { .. })), "every message is routed");
    assert_eq!(delivered, MESSAGES, "every message reaches Bob");
    println!("hub routing: {counted} allocations for {MESSAGES} peer messages");
    // Two per message; the inbox may grow by a block or two before it recycles them.
    assert!(counted <= 2 * MESSAGES + 4, "{counted} allocations for {MESSAGES} routed messages");
}

/// A peer message end to end through the core clients on the in-process hub: Alice's send and
/// its receipt, the hub, and Bob's event up to his `Events` stream. Everything runs on one
/// thread (a current-thread runtime), so every task's allocations are counted.
#[test]
fn a_core_client_message_end_to_end_takes_four_allocations() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = rt.enter();
    let hub = hub();
    let (alice, _alice_events) = sigshim::Client::builder(APP).hub(&hub).build();
    let (bob, mut bob_events) = sigshim::Client::builder(APP).hub(&hub).event_capacity(256).build();
    rt.block_on(async {
        alice.login(None, "alice").await.unwrap();
        bob.login(None, "bob").await.unwrap();
        while bob_events.try_recv().is_some() {}
    });
    let messages: Vec<Message> = (0..MESSAGES).map(|n| Message::text(format!("message {n}"))).collect();
    let mut received = 0u64;
    // The runtime's tasks (Bob's driver among them) run only inside `block_on`, on this thread.
    let counted = allocations_in(|| {
        rt.block_on(async {
            for (n, message) in messages.iter().enumerate() {
                alice.send_message_to_peer("bob", message, SendMessageOptions::default()).await.unwrap();
                if n % 64 == 63 {
                    tokio::task::yield_now().await;
                    while let Some(ev) = bob_events.try_recv() {
                        received += u64::from(matches!(ev, sigshim::ClientEvent::MessageFromPeer { .. }));
                    }
                }
            }
        })
    });
    assert_eq!(received, MESSAGES, "every message reaches Bob's events");
    println!("core client end to end: {counted} allocations for {MESSAGES} peer messages");
    // Four per message: the hub's two; Alice's copy of the message and of Bob's name for the
    // request (the hub keeps them). The in-process transport answers at once, so no request
    // future is boxed. Bob's side reads and converts the event without allocating.
    assert!(counted <= 4 * MESSAGES + 64, "{counted} allocations for {MESSAGES} messages");
}

/// What the WebSocket server does per peer message, short of the socket: read the request
/// frame, route it, write the reply frame and the event frame for the receiver, each as the
/// WebSocket layer's text message (the WebSocket layer comes with the `ws` feature).
#[cfg(feature = "ws")]
#[test]
fn the_server_codec_and_routing_of_a_peer_message_take_six_allocations() {
    use sigshim::test_support::wire::{self, ClientFrame, ReplyFrame};
    use tokio_tungstenite::tungstenite::Message as WsMessage;

    let Pair { rt, hub, alice, mut bob_inbox, _kept } = pair();
    let _guard = rt.enter();
    let frames: Vec<String> = (0..MESSAGES)
        .map(|n| {
            format!(
                r#"{{"id":{n},"op":"send_peer_message","peer_id":"bob","message":{{"type":"text","text":"message number {n} of the run"}},"options":{{"enable_offline_messaging":false}}}}"#
            )
        })
        .collect();
    let mut out = Vec::with_capacity(2 * MESSAGES as usize);
    let mut seq = 0;
    let counted = allocations_in(|| {
        for (n, text) in frames.iter().enumerate() {
            let Ok(ClientFrame::Request(frame)) = wire::parse_client(text) else {
                panic!("a request frame: {text}")
            };
            let reply = hub.handle(&alice, frame.request);
            let reply = wire::frame_text(&ReplyFrame { id: frame.id, reply }).expect("reply frame");
            out.push(WsMessage::text(reply));
            if n % 64 == 63 {
                while let Ok(event) = bob_inbox.try_recv() {
                    seq += 1;
                    out.push(WsMessage::text(wire::event_frame_text(seq, &event).expect("event frame")));
                }
            }
        }
    });
    assert_eq!(seq, MESSAGES, "every message became an event frame");
    assert!(out.iter().any(|m| m.to_text().is_ok_and(|t| t.contains("\"message_sent\""))), "{:?}", out[0]);
    println!("server codec and routing: {counted} allocations for {MESSAGES} peer messages");
    // Six per message: reading the request takes two (the receiver's name and the text); the hub
    // two; the reply and the event frame one each, their text written at its exact size.
    assert!(counted <= 6 * MESSAGES + 64, "{counted} allocations for {MESSAGES} messages");
}

/// A peer message end to end over WebSocket on one thread: Alice's core client writes the request
/// frame, the server reads it, routes it and writes the reply and Bob's event frame, Bob's core
/// client reads the event up to his `Events` stream and acknowledges it, Alice's reads the reply.
/// Every allocation of the exchange is counted: the client's encoding of the request from
/// borrowed parts, its reply slot, the server's, the sockets' buffers as they grow.
#[cfg(feature = "server")]
#[test]
fn a_core_client_message_over_websocket_end_to_end() {
    use sigshim::server::{Server, ServerConfig};
    use sigshim::transport::WsConnector;

    const OVER_WS: u64 = 1024;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = rt.enter();
    let hub = hub();
    let server = rt.block_on(Server::bind(hub, ServerConfig::new("127.0.0.1:0".parse().unwrap()))).unwrap();
    let client = || sigshim::Client::builder(APP).connector(Arc::new(WsConnector::new(server.url())));
    let (alice, _alice_events) = client().build();
    let (bob, mut bob_events) = client().event_capacity(256).build();
    rt.block_on(async {
        alice.login(None, "alice").await.unwrap();
        bob.login(None, "bob").await.unwrap();
        while bob_events.try_recv().is_some() {}
    });
    let messages: Vec<Message> = (0..OVER_WS).map(|n| Message::text(format!("message {n}"))).collect();
    let mut received = 0u64;
    let mut run = |messages: &[Message]| {
        rt.block_on(async {
            for message in messages {
                alice.send_message_to_peer("bob", message, SendMessageOptions::default()).await.unwrap();
                // The event left the server with the reply: wait for it, as a live receiver reads.
                loop {
                    match bob_events.recv().await {
                        Some(sigshim::ClientEvent::MessageFromPeer { .. }) => break,
                        Some(_) => {}
                        None => panic!("bob's client is gone"),
                    }
                }
                received += 1;
            }
        })
    };
    // A first round grows every buffer and queue to its working size.
    run(&messages[..64]);
    let counted = allocations_in(|| run(&messages[64..]));
    let measured = OVER_WS - 64;
    assert_eq!(received, OVER_WS, "every message reaches Bob's events");
    println!("core client over WebSocket: {counted} allocations for {measured} peer messages");
    // About ten per message: the server's six (see above); Alice's request frame, written from
    // borrowed parts, and its reply slot (no boxed future while the link's queue has room);
    // Bob's sender's name and text (the event itself is moved, not put behind an `Arc`).
    assert!(counted <= 11 * measured, "{counted} allocations for {measured} messages");
}
