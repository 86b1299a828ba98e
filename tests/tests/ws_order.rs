//! Requests on one WebSocket link reach the server in the order they were first polled, even
//! when the link's outgoing queue is full: the legacy facade polls each send once, in call
//! order, and then awaits many together, so a later send must never overtake an earlier one
//! that is still waiting for room.

mod faults;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use faults::*;
use sigshim::server::ServerConfig;
use sigshim::transport::WsOptions;
use sigshim::{Client, Message, SendMessageOptions};
use sigshim_conformance::WAIT;
use sigshim_conformance::fixtures::next_message;
use sigshim_conformance::proxy::Proxy;

/// Far more than the socket buffers and the link's queue hold together.
const QUEUED: usize = 1200;

type Request =
    Pin<Box<dyn Future<Output = Result<sigshim::MessageReceipt, sigshim::error::PeerMessageError>> + Send>>;

fn send(client: &Client, n: usize) -> Request {
    let client = client.clone();
    let text = format!("{n:05}|{}", "x".repeat(30_000));
    Box::pin(async move {
        client.send_message_to_peer("bob", &Message::text(text), SendMessageOptions::default()).await
    })
}

/// Polls `f` once: true when it is still pending.
async fn poll_once(f: &mut Request) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(f.as_mut().poll(cx).is_pending())).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_never_overtakes_an_earlier_one_waiting_for_room_on_the_link() {
    // Bob's inbox takes everything: the order is the question here, not the bounds.
    let hub = sigshim::Hub::new(hub_config(ms(5_000)).inbox_capacity(4 * QUEUED).inbox_bytes(usize::MAX));
    let server = serve(&hub, ServerConfig::new(([127, 0, 0, 1], 0).into())).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let patient = WsOptions::default().heartbeat(ms(5_000)).link_timeout(ms(20_000));
    let alice = login(client_with(&proxy.url(), "alice", patient)).await;
    let mut bob = online(&server.url(), "bob").await;

    // Nothing leaves alice's socket: the buffers fill, then the link's queue, then the last
    // requests wait for room. Each is polled once, in order; all but the last go on by themselves.
    proxy.stall();
    let mut last = None;
    for n in 0..QUEUED {
        let mut f = send(&alice.client, n);
        assert!(poll_once(&mut f).await, "request {n} cannot be answered while the link is stalled");
        if n + 1 == QUEUED {
            last = Some(f);
        } else {
            tokio::spawn(f);
        }
    }
    let last = last.expect("the last request");
    proxy.resume();
    // Everything queued before the last request arrives, in order: the queue is empty again and
    // the last request still waits for its task to poll it.
    for n in 0..QUEUED - 1 {
        let (from, message, _) = next_message(&mut bob).await;
        let text = message.text_or_description();
        assert_eq!((from.as_str(), &text[..5]), ("alice", format!("{n:05}").as_str()));
    }
    // A request first polled now comes after the one still waiting.
    let mut later = send(&alice.client, QUEUED);
    let _ = poll_once(&mut later).await;
    tokio::spawn(later);
    tokio::time::timeout(WAIT, last).await.expect("the last request is answered").expect("delivered");
    for n in [QUEUED - 1, QUEUED] {
        let (_, message, _) = next_message(&mut bob).await;
        assert_eq!(
            &message.text_or_description()[..5],
            format!("{n:05}"),
            "in the order of their first polls"
        );
    }
    drop(alice);
}
