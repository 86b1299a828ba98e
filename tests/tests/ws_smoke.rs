//! The WebSocket path end to end: a real server on 127.0.0.1:0, core clients over `ws://`.

use std::sync::Arc;

use sigshim::server::{Server, ServerConfig};
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, Message, SendMessageOptions};
use sigshim_conformance::{APP_ID, hub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_talk_through_the_server() {
    let hub = hub();
    let server = Server::bind(hub.clone(), ServerConfig::new("127.0.0.1:0".parse().unwrap())).await.unwrap();
    let client =
        |_: &str| Client::builder(APP_ID).connector(Arc::new(WsConnector::new(server.url()))).build();
    let (alice, _a) = client("alice");
    let (bob, mut bob_events) = client("bob");
    alice.login(None, "alice").await.expect("alice logs in over ws");
    bob.login(None, "bob").await.expect("bob logs in over ws");
    assert_eq!(server.connections(), 2);
    let receipt = alice
        .send_message_to_peer("bob", &Message::text("hi over ws"), SendMessageOptions::default())
        .await
        .expect("delivered");
    let got = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            if let Some(ClientEvent::MessageFromPeer { peer_id, message, .. }) = bob_events.recv().await {
                return (peer_id, message);
            }
        }
    })
    .await
    .expect("bob receives");
    assert_eq!(got.0, "alice");
    assert_eq!(got.1.text_or_description(), "hi over ws");
    assert_eq!(got.1.id, receipt.id);
    alice.logout().await.unwrap();
    bob.logout().await.unwrap();
    server.shutdown().await;
}
