//! A reader that stops acknowledging pins a bounded number of bytes, not of events: against a
//! real server on 127.0.0.1:0, large messages to a stalled client fill its window by bytes and
//! then its inbox by bytes; the next message is refused to its sender, and the connection is
//! closed as a slow consumer (4008). Nothing accepted is lost: a resume gets the rest.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use sigshim::protocol::close;
use sigshim::server::ServerConfig;
use sigshim::{Hub, HubConfig};
use sigshim_conformance::raw::{Bystanders, RawClient, http_get, start};
use sigshim_conformance::{APP_ID, WAIT};

/// Bytes of each message's text: close to the 32 KiB message limit.
const TEXT: usize = 30 * 1024;
/// The window's and the inbox's byte bounds: each holds at most three such messages.
const BOUND: usize = 64 * 1024;
const STALL: Duration = Duration::from_millis(400);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_reader_holds_bytes_not_events_and_is_closed_as_a_slow_consumer() {
    let hub = Hub::new(HubConfig::new(APP_ID).inbox_bytes(BOUND));
    let config = ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)))
        .max_unacked_bytes(BOUND)
        .slow_consumer_timeout(STALL)
        .idle_timeout(Duration::from_secs(30));
    let server = start(&hub, config).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let mut bob = RawClient::connect(&server.url()).await;
    let ticket = bob.login(APP_ID, "bob").await;

    // Bob reads but never acknowledges. Three messages fill his window (the third crosses
    // 64 KiB), two more his inbox; the sixth is refused to alice, who knows it was not
    // delivered (code 1, failure), instead of the server queueing it.
    let texts: Vec<String> = (0..6u8).map(|i| char::from(b'a' + i).to_string().repeat(TEXT)).collect();
    let mut replies = Vec::new();
    for text in &texts {
        replies.push(alice.send_peer("bob", text).await);
    }
    let outcomes: Vec<_> = replies.iter().map(|r| (r["reply"].clone(), r["code"].clone())).collect();
    let sent = (json!("message_sent"), json!(null));
    assert_eq!(outcomes[..5], vec![sent; 5][..], "{replies:?}");
    assert_eq!(outcomes[5], (json!("error"), json!(1)), "{replies:?}");
    for seq in 1..=3u64 {
        let event = bob.next_peer_message().await;
        assert_eq!(event["seq"], seq);
        assert_eq!(event["message"]["text"], texts[seq as usize - 1]);
    }
    let metrics = http_get(server.local_addr(), "/metrics").await;
    let queued = metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix("sigshim_queued_bytes "))
        .and_then(|v| v.parse::<usize>().ok())
        .expect("sigshim_queued_bytes in /metrics");
    assert!(queued > 2 * TEXT && queued <= BOUND + TEXT, "two messages queued for bob: {queued}");

    // The window stays full: the server gives up on the link (4008) and parks the session.
    assert_eq!(bob.close_code().await, close::SLOW_CONSUMER);
    tokio::time::timeout(WAIT, hub.parked_sessions_reach(1)).await.expect("bob's session is parked");
    assert!(hub.is_online("bob"));

    // A resume that acknowledges what bob got receives exactly the two held back, in order.
    let mut bob2 = RawClient::connect(&server.url()).await;
    bob2.send_json(&json!({"id": 1, "op": "resume", "session": ticket, "last_seq": 3})).await;
    let reply = bob2.json().await;
    assert_eq!(reply["reply"], "logged_in", "{reply}");
    assert_eq!(reply["resumed"], true, "{reply}");
    for seq in 4..=5u64 {
        let event = bob2.next_peer_message().await;
        assert_eq!(event["seq"], seq);
        assert_eq!(event["message"]["text"], texts[seq as usize - 1]);
    }
    bob2.ack(5).await;
    bob2.ping().await;
    assert_eq!(alice.send_peer("bob", "after").await["reply"], "message_sent");
    assert_eq!(bob2.next_peer_message().await["message"]["text"], "after");

    bystanders.exchange().await;
    server.shutdown().await;
}

/// A logout while messages wait behind a full window: the ones sent before the logout's answer
/// reached the client and are gone with the session; the ones still queued were acknowledged to
/// their sender as delivered, so they come at the next login as offline messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_still_queued_at_a_logout_come_at_the_next_login() {
    let hub = Hub::new(HubConfig::new(APP_ID));
    let config = ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0))).max_unacked(1);
    let server = start(&hub, config).await;
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    for text in ["one", "two", "three"] {
        assert_eq!(alice.send_peer("bob", text).await["reply"], "message_sent");
    }
    // The window holds one: "two" and "three" wait in bob's inbox when he logs out.
    let one = bob.next_peer_message().await;
    assert_eq!(one["message"]["text"], "one");
    assert_eq!(bob.request(json!({"op": "logout"})).await["reply"], "ok");
    assert_eq!(bob.close_code().await, close::NORMAL);

    let mut again = RawClient::connect(&server.url()).await;
    again.login(APP_ID, "bob").await;
    for text in ["two", "three"] {
        let event = again.next_peer_message().await;
        assert_eq!((&event["message"]["text"], &event["offline"]), (&json!(text), &json!(true)), "{event}");
        again.ack(event["seq"].as_u64().expect("a seq")).await;
    }
    again.ping().await; // and nothing else came before this answer
    server.shutdown().await;
}
