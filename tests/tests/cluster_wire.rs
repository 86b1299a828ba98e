//! One connection's requests on a node of a two-node service, frame by frame with a raw client:
//! peer messages to a user on the other node go to the engine without waiting for each other's
//! answers, and every reply still comes in request order, with requests that depend on earlier
//! ones (a join, then a channel message; a logout) handled in turn. A login on one node that
//! takes a user over from the other gets at once what the old session had not confirmed.
//! Without `redis-server` each test prints one line and passes (`SIGSHIM_REQUIRE_REDIS=1` makes
//! that a failure).

use std::time::Duration;

use serde_json::{Value, json};
use sigshim::protocol::close;
use sigshim::server::{Server, ServerConfig};
use sigshim_conformance::raw::{Incoming, RawClient, client_frame, start};
use sigshim_conformance::redis_server::RedisServer;
use sigshim_conformance::two_nodes::node_at;
use sigshim_conformance::{APP_ID, WAIT};

/// A Redis, two nodes on it and a WebSocket server for each, or `None` without `redis-server`.
async fn two_servers() -> Option<(RedisServer, Server, Server)> {
    let redis = RedisServer::start()?;
    let a = node_at(&redis.url(), "a", Duration::from_secs(3)).await;
    let b = node_at(&redis.url(), "b", Duration::from_secs(3)).await;
    let config = || ServerConfig::new(([127, 0, 0, 1], 0).into());
    let (sa, sb) = (start(&a, config()).await, start(&b, config()).await);
    Some((redis, sa, sb))
}

/// A raw client of `server`, logged in as `user`.
async fn logged_in(server: &Server, user: &str) -> RawClient {
    let mut client = RawClient::connect(&server.url()).await;
    client.login(APP_ID, user).await;
    client
}

/// The `id`s of `replies`, in order.
fn ids(replies: &[Value]) -> Vec<u64> {
    replies.iter().map(|r| r["id"].as_u64().expect("an id")).collect()
}

/// A peer message request frame.
fn send(id: u64, to: &str, text: &str) -> Value {
    json!({"id": id, "op": "send_peer_message", "peer_id": to, "message": {"type": "text", "text": text}})
}

/// Writes `frames` as text frames in one write, so that the server reads them together.
async fn send_together(client: &mut RawClient, frames: &[Value]) {
    let bytes: Vec<u8> = frames.iter().flat_map(|f| client_frame(1, f.to_string().as_bytes())).collect();
    client.send_bytes(&bytes).await;
}

/// Reads frames until `n` replies have come; returns them in arrival order (events skipped).
async fn replies(client: &mut RawClient, n: usize) -> Vec<Value> {
    let mut got = Vec::new();
    while got.len() < n {
        let frame = client.json().await;
        if frame.get("reply").is_some() {
            got.push(frame);
        }
    }
    got
}

/// The texts of the next `n` peer messages `client` gets.
async fn texts(client: &mut RawClient, n: usize) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < n {
        let frame = client.next_peer_message().await;
        got.push(frame["message"]["text"].as_str().expect("a text message").to_owned());
    }
    got
}

/// A burst of requests written at once, before any reply is read: sends to bob (on the other node)
/// interleaved with a send to carol (on this node), pings, a join and a message to the channel
/// just joined. The replies come in request order, each with its outcome, and bob gets his
/// messages in the order sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_requests_is_answered_in_request_order() {
    let Some((_redis, sa, sb)) = two_servers().await else { return };
    let mut alice = logged_in(&sa, "alice").await;
    let mut carol = logged_in(&sa, "carol").await;
    let mut bob = logged_in(&sb, "bob").await;
    let burst = [
        send(1, "bob", "m1"),
        send(2, "carol", "c1"),
        send(3, "bob", "m2"),
        json!({"id": 4, "op": "ping"}),
        json!({"id": 5, "op": "join_channel", "channel_id": "room"}),
        json!({"id": 6, "op": "send_channel_message", "channel_id": "room", "message": {"type": "text", "text": "hi"}}),
        send(7, "bob", "m3"),
        send(8, "nobody", "lost"),
        json!({"id": 9, "op": "ping"}),
    ];
    send_together(&mut alice, &burst).await;
    let got = replies(&mut alice, burst.len()).await;
    assert_eq!(ids(&got), (1..=9).collect::<Vec<u64>>(), "{got:?}");
    let kinds: Vec<&str> = got.iter().map(|r| r["reply"].as_str().expect("a reply")).collect();
    let sent = "message_sent";
    assert_eq!(kinds, [sent, sent, sent, "pong", "ok", "ok", sent, "error", "pong"], "{got:?}");
    assert_eq!(got[7]["code"], 3, "nobody is offline and the message is not stored: {got:?}");
    assert_eq!(texts(&mut bob, 3).await, ["m1", "m2", "m3"]);
    assert_eq!(texts(&mut carol, 1).await, ["c1"]);
}

/// Sends to another node followed, in the same write, by a frame the connection cannot read
/// (text that is not UTF-8): the sends are answered before the connection is closed with 1007.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_before_an_unreadable_frame_are_answered_before_the_close() {
    let Some((_redis, sa, sb)) = two_servers().await else { return };
    let mut alice = logged_in(&sa, "alice").await;
    let mut bob = logged_in(&sb, "bob").await;
    let mut bytes: Vec<u8> = (1..=3)
        .flat_map(|id| client_frame(1, send(id, "bob", &format!("m{id}")).to_string().as_bytes()))
        .collect();
    bytes.extend(client_frame(1, &[0xff, 0xfe, 0xfd]));
    alice.send_bytes(&bytes).await;
    let got = replies(&mut alice, 3).await;
    assert_eq!(ids(&got), [1, 2, 3], "{got:?}");
    assert!(got.iter().all(|r| r["reply"] == "message_sent"), "{got:?}");
    assert_eq!(alice.close_code().await, close::INVALID_PAYLOAD);
    assert_eq!(texts(&mut bob, 3).await, ["m1", "m2", "m3"]);
}

/// A logout behind sends to another node is answered after them, and the connection closes
/// only once every earlier reply is out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_behind_sends_is_answered_after_them() {
    let Some((_redis, sa, sb)) = two_servers().await else { return };
    let mut alice = logged_in(&sa, "alice").await;
    let mut bob = logged_in(&sb, "bob").await;
    let mut burst: Vec<Value> = (1..=20).map(|id| send(id, "bob", &format!("m{id}"))).collect();
    burst.push(json!({"id": 21, "op": "logout"}));
    send_together(&mut alice, &burst).await;
    let got = replies(&mut alice, 21).await;
    assert_eq!(ids(&got), (1..=21).collect::<Vec<u64>>(), "{got:?}");
    assert!(got[..20].iter().all(|r| r["reply"] == "message_sent"), "{got:?}");
    assert_eq!(got[20]["reply"], "ok", "{got:?}");
    assert_eq!(tokio::time::timeout(WAIT, alice.close_code()).await.expect("closed in time"), 1000);
    let want: Vec<String> = (1..=20).map(|i| format!("m{i}")).collect();
    assert_eq!(texts(&mut bob, 20).await, want);
}

/// Bob, on node b, has received two messages from alice without confirming them; then bob
/// logs in on node a (his link to b still open, or already broken and his session parked
/// there). The login takes him over, and the new session gets the two messages at once,
/// marked offline (the same IDs: a client that had shown them skips them), before what alice
/// sends next.
async fn a_takeover_hands_over_what_the_old_session_had_not_confirmed(park_first: bool) {
    let Some((_redis, sa, sb)) = two_servers().await else { return };
    let mut alice = logged_in(&sa, "alice").await;
    let mut old = logged_in(&sb, "bob").await;
    let mut ids = Vec::new();
    for text in ["m1", "m2"] {
        let reply = alice.send_peer("bob", text).await;
        assert_eq!(reply["reply"], "message_sent", "{reply}");
        ids.push(reply["message_id"].clone());
    }
    for (text, id) in ["m1", "m2"].into_iter().zip(&ids) {
        let got = old.next_peer_message().await;
        assert_eq!(
            (&got["message"]["text"], &got["message"]["id"], &got["offline"]),
            (&json!(text), id, &json!(false))
        );
    }
    let still_open = if park_first {
        old.close().await;
        None
    } else {
        Some(old)
    };
    let mut new = logged_in(&sa, "bob").await;
    for (text, id) in ["m1", "m2"].into_iter().zip(&ids) {
        let got = new.next_peer_message().await;
        assert_eq!(
            (&got["message"]["text"], &got["message"]["id"], &got["offline"]),
            (&json!(text), id, &json!(true))
        );
    }
    let reply = alice.send_peer("bob", "m3").await;
    assert_eq!(reply["reply"], "message_sent", "{reply}");
    let got = new.next_peer_message().await;
    assert_eq!((&got["message"]["text"], &got["offline"]), (&json!("m3"), &json!(false)));
    if let Some(mut old) = still_open {
        // Events (a notice of the kick) may come before the close.
        let code = loop {
            match old.next().await {
                Incoming::Json(_) => continue,
                Incoming::Close(code) => break code,
                other => panic!("expected the old link to be closed, got {other:?}"),
            }
        };
        assert_eq!(code, Some(close::KICKED), "the old link is told another login took over");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_takeover_from_a_live_session_hands_over_its_unconfirmed_messages() {
    a_takeover_hands_over_what_the_old_session_had_not_confirmed(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_takeover_from_a_parked_session_hands_over_its_unconfirmed_messages() {
    a_takeover_hands_over_what_the_old_session_had_not_confirmed(true).await;
}
