//! The wire protocol spoken by hand against a real server on 127.0.0.1:0: the hello, requests,
//! events and acknowledgements, login failures, frames before the login, malformed frames after
//! it, and resumes. Every scenario asserts the exact frames and close codes, then that a pair of
//! bystanders logged in before it still exchanges messages (the server is up and routing).

use std::time::{Duration, Instant};

use tokio::time::timeout;

use serde_json::{Value, json};
use sigshim::protocol::close;
use sigshim_conformance::raw::{
    Bystanders, HANDSHAKE_TIMEOUT, Incoming, MAX_BAD_FRAMES, RawClient, start, strict_config,
};
use sigshim_conformance::scenario::{OTHER_CERT, TOKEN_APP_ID, TOKEN_CERT, token_hub};
use sigshim_conformance::{APP_ID, WAIT, hub};

/// Asserts that `frame` is an error frame of `kind` with a non-empty detail (and, if the
/// refused frame's `id` could be read, that `id`).
fn assert_error_frame(frame: &Value, kind: &str) {
    assert_eq!(frame["error"], kind, "{frame}");
    assert!(frame["detail"].as_str().is_some_and(|d| !d.is_empty()), "no detail: {frame}");
    let unexpected: Vec<_> = frame
        .as_object()
        .expect("an object")
        .keys()
        .filter(|k| !["error", "detail", "id"].contains(&k.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "unexpected fields: {frame}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_ping_message_ack_and_logout_by_hand() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut alice = RawClient::connect(&server.url()).await;
    alice.send_json(&json!({"op": "login", "app_id": APP_ID, "user_id": "alice"})).await;
    let reply = alice.json().await;
    let ticket = reply["session"].as_str().expect("a session ticket").to_owned();
    assert!(!ticket.is_empty());
    let (window, max_frame) = (strict_config().max_unacked, strict_config().max_frame_bytes);
    assert_eq!(
        reply,
        json!({"id": 0, "reply": "logged_in", "session": ticket, "resumed": false, "window": window,
               "max_frame": max_frame, "sizes": {"max_id_bytes": 64, "max_message_bytes": 32768,
               "max_attribute_key_bytes": 32, "max_attribute_value_bytes": 8192}})
    );

    alice.send_json(&json!({"id": 1, "op": "ping"})).await;
    assert_eq!(alice.json().await, json!({"id": 1, "reply": "pong"}));

    let mut bob = RawClient::connect(&server.url()).await;
    bob.send_json(&json!({"id": 41, "op": "login", "app_id": APP_ID, "user_id": "bob"})).await;
    let reply = bob.json().await;
    assert_eq!(reply["id"], 41, "the hello's id is echoed: {reply}");
    assert_eq!(reply["reply"], "logged_in", "{reply}");
    assert_ne!(reply["session"], ticket.as_str(), "each session has its own ticket");

    alice
        .send_json(&json!({
            "id": 2,
            "op": "send_peer_message",
            "peer_id": "bob",
            "message": {"type": "text", "text": "hello bob"},
        }))
        .await;
    let sent = alice.json().await;
    let message_id = sent["message_id"].as_u64().expect("a message id");
    let server_ts = sent["server_ts"].as_u64().expect("a server timestamp");
    assert!(message_id > 0 && server_ts > 0, "{sent}");
    assert_eq!(
        sent,
        json!({"id": 2, "reply": "message_sent", "message_id": message_id, "server_ts": server_ts})
    );
    assert_eq!(
        bob.json().await,
        json!({
            "seq": 1,
            "event": "peer_message",
            "peer_id": "alice",
            "message": {"id": message_id, "server_ts": server_ts, "type": "text", "text": "hello bob"},
            "offline": false,
        })
    );
    // The ack has no reply; the next frame answers the ping, so the ack raised no error.
    bob.send_json(&json!({"op": "ack", "seq": 1})).await;
    bob.send_json(&json!({"id": 42, "op": "ping"})).await;
    assert_eq!(bob.json().await, json!({"id": 42, "reply": "pong"}));

    alice.send_json(&json!({"id": 3, "op": "logout"})).await;
    assert_eq!(alice.json().await, json!({"id": 3, "reply": "ok"}));
    assert_eq!(alice.close_code().await, close::NORMAL);
    assert!(!hub.is_online("alice"), "a logout ends the session at once");
    let reply = bob.request(json!({"op": "query_peers_online_status", "peer_ids": ["alice"]})).await;
    assert_eq!(reply["statuses"], json!([{"peer_id": "alice", "state": "offline"}]), "{reply}");

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_logins_answer_with_the_login_error_code_then_close_normally() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let cases = [
        // (app id, user id, RTM LOGIN_ERR code)
        ("some-other-app", "alice", 4),
        (APP_ID, "bad/user", 3),
        (APP_ID, "null", 3),
        (APP_ID, "", 3),
        (APP_ID, &"u".repeat(65), 3),
    ];
    for (app_id, user_id, code) in cases {
        let mut c = RawClient::connect(&server.url()).await;
        c.send_json(&json!({"op": "login", "app_id": app_id, "user_id": user_id})).await;
        assert_eq!(c.json().await, json!({"id": 0, "reply": "error", "code": code}), "{app_id}/{user_id}");
        assert_eq!(c.close_code().await, close::NORMAL, "{app_id}/{user_id}");
    }
    assert_eq!(hub.stats().online_users, 2, "only the bystanders are online");
    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_protected_hub_refuses_missing_and_bad_tokens_over_the_wire() {
    let hub = token_hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), TOKEN_APP_ID, Some(TOKEN_CERT)).await;
    let foreign =
        sigshim::token::access_token2::build_rtm_now(TOKEN_APP_ID, OTHER_CERT, "alice", 600).unwrap();
    let for_bob = sigshim::token::access_token2::build_rtm_now(TOKEN_APP_ID, TOKEN_CERT, "bob", 600).unwrap();
    let hellos = [
        json!({"op": "login", "app_id": TOKEN_APP_ID, "user_id": "alice"}),
        json!({"op": "login", "app_id": TOKEN_APP_ID, "user_id": "alice", "token": null}),
        json!({"op": "login", "app_id": TOKEN_APP_ID, "user_id": "alice", "token": "garbage"}),
        json!({"op": "login", "app_id": TOKEN_APP_ID, "user_id": "alice", "token": foreign}),
        json!({"op": "login", "app_id": TOKEN_APP_ID, "user_id": "alice", "token": for_bob}),
    ];
    for hello in hellos {
        let mut c = RawClient::connect(&server.url()).await;
        c.send_json(&hello).await;
        // 5 = LOGIN_ERR_INVALID_TOKEN
        assert_eq!(c.json().await, json!({"id": 0, "reply": "error", "code": 5}), "{hello}");
        assert_eq!(c.close_code().await, close::NORMAL, "{hello}");
    }
    let good = sigshim::token::access_token2::build_rtm_now(TOKEN_APP_ID, TOKEN_CERT, "alice", 600).unwrap();
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login_with(TOKEN_APP_ID, "alice", Some(&good)).await;
    alice.ping().await;
    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_before_the_login_is_refused_and_closed_with_policy() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut c = RawClient::connect(&server.url()).await;
    c.send_json(&json!({"id": 1, "op": "ping"})).await;
    assert_error_frame(&c.json().await, "not_logged_in");
    assert_eq!(c.close_code().await, close::POLICY);

    // An acknowledgement is not a hello either.
    let mut c = RawClient::connect(&server.url()).await;
    c.send_json(&json!({"op": "ack", "seq": 1})).await;
    assert_error_frame(&c.json().await, "not_logged_in");
    assert_eq!(c.close_code().await, close::POLICY);

    // Nor is garbage.
    let mut c = RawClient::connect(&server.url()).await;
    c.send_text("{not json").await;
    assert_error_frame(&c.json().await, "bad_frame");
    assert_eq!(c.close_code().await, close::POLICY);

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_frame_before_the_login_is_closed_as_unsupported_data() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut c = RawClient::connect(&server.url()).await;
    let hello = json!({"op": "login", "app_id": APP_ID, "user_id": "alice"}).to_string();
    c.send_binary(hello.as_bytes()).await;
    assert_eq!(c.close_code().await, close::UNSUPPORTED_DATA);
    assert!(!hub.is_online("alice"), "a binary hello logs nobody in");

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_pings_before_the_login_are_answered_and_do_not_replace_the_hello() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut c = RawClient::connect(&server.url()).await;
    c.send_ping(b"early").await;
    assert_eq!(c.next().await, Incoming::Pong(b"early".to_vec()));
    c.login(APP_ID, "alice").await;
    c.send_ping(b"later").await;
    assert_eq!(c.next().await, Incoming::Pong(b"later".to_vec()));
    c.ping().await;

    // Pings do not extend the time allowed for the hello.
    let started = Instant::now();
    let mut c = RawClient::connect(&server.url()).await;
    c.send_ping(b"1").await;
    assert_eq!(c.next().await, Incoming::Pong(b"1".to_vec()));
    assert_eq!(c.close_code().await, close::POLICY);
    assert!(started.elapsed() >= HANDSHAKE_TIMEOUT);

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_after_the_upgrade_is_closed_with_policy_after_the_handshake_timeout() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let started = Instant::now();
    let mut c = RawClient::connect(&server.url()).await;
    assert_eq!(c.close_code().await, close::POLICY);
    assert!(started.elapsed() >= HANDSHAKE_TIMEOUT, "closed before the timeout: {:?}", started.elapsed());
    assert_eq!(server.connections(), 2, "only the bystanders stay connected");

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_connections_still_waiting_for_their_hello_at_once() {
    let hub = hub();
    let mut config = strict_config();
    config.handshake_timeout = Duration::from_secs(60);
    let server = start(&hub, config).await;
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let mut silent = RawClient::connect(&server.url()).await;
    assert_eq!(server.connections(), 2);
    timeout(WAIT, server.shutdown()).await.expect("shutdown does not wait for the handshake timeout");
    assert_eq!(silent.close_code().await, close::GOING_AWAY);
    assert_eq!(alice.close_code().await, close::GOING_AWAY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_after_the_login_get_bad_frame_and_the_connection_stays_usable() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let bad = [
        "{",
        "",
        "not json at all",
        "[]",
        "42",
        "null",
        r#""ping""#,
        r#"{}"#,
        r#"{"id":1,"op":"fly"}"#,
        r#"{"id":"1","op":"ping"}"#,
        r#"{"id":-1,"op":"ping"}"#,
        r#"{"id":1.5,"op":"ping"}"#,
        r#"{"id":1,"op":7}"#,
        r#"{"op":"ping"}"#,
        r#"{"id":1,"op":"send_peer_message","peer_id":7,"message":{"type":"text","text":"x"}}"#,
        r#"{"id":1,"op":"send_peer_message","peer_id":"bob","message":"x"}"#,
        r#"{"id":1,"op":"send_peer_message","peer_id":"bob"}"#,
        r#"{"id":1,"op":"send_peer_message","peer_id":"bob","message":{"type":"raw","data":"%%"}}"#,
        r#"{"id":1,"op":"query_peers_online_status","peer_ids":"bob"}"#,
        r#"{"op":"ack"}"#,
        r#"{"op":"ack","seq":"1"}"#,
        r#"{"op":"ack","seq":-1}"#,
    ];
    // Up to MAX_BAD_FRAMES per connection are tolerated: one fresh login per batch.
    for (batch, frames) in bad.chunks(MAX_BAD_FRAMES as usize).enumerate() {
        let mut c = RawClient::connect(&server.url()).await;
        c.login(APP_ID, &format!("eve{batch}")).await;
        for frame in frames {
            c.send_text(frame).await;
            let answer = c.json().await;
            assert_eq!(answer["error"], "bad_frame", "{frame:?} -> {answer}");
            assert_error_frame(&answer, "bad_frame");
            c.ping().await;
        }
        c.close().await;
    }
    bystanders.exchange().await;
    server.shutdown().await;
}

/// A refused frame whose `id` could be read is answered with that `id`, so that a client
/// waiting for the reply to it gets one; a frame without a readable `id` gets none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_frame_is_answered_with_its_id_when_it_has_one() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let with_id = [
        (r#"{"id":7,"op":"nope"}"#, 7),
        (r#"{"id":8,"op":"send_peer_message"}"#, 8),
        (r#"{"op":"send_peer_message","peer_id":"bob","message":"x","id":9}"#, 9),
        (r#"{"id":10,"op":"query_peers_online_status","peer_ids":"bob"}"#, 10),
        (r#"{"id":11,"op":"login","app_id":7,"user_id":"alice"}"#, 11),
    ];
    let without_id =
        [r#"{"op":"ping"}"#, r#"{"id":"12","op":"ping"}"#, r#"{"id":-1,"op":"ping"}"#, "{", "[13]"];
    let frames = with_id.iter().map(|(f, id)| (*f, Some(*id))).chain(without_id.iter().map(|f| (*f, None)));
    let batches: Vec<Vec<_>> =
        frames.collect::<Vec<_>>().chunks(MAX_BAD_FRAMES as usize).map(<[_]>::to_vec).collect();
    for (batch, frames) in batches.iter().enumerate() {
        let mut c = RawClient::connect(&server.url()).await;
        c.login(APP_ID, &format!("eve{batch}")).await;
        for (frame, id) in frames {
            c.send_text(frame).await;
            let answer = c.json().await;
            assert_error_frame(&answer, "bad_frame");
            assert_eq!(answer["id"].as_u64(), *id, "{frame} -> {answer}");
        }
        c.ping().await;
        c.close().await;
    }

    // Before the login too: a malformed login is refused with its id, then closed.
    let mut c = RawClient::connect(&server.url()).await;
    c.send_text(r#"{"id":5,"op":"login","app_id":"x"}"#).await;
    let answer = c.json().await;
    assert_error_frame(&answer, "bad_frame");
    assert_eq!(answer["id"], 5, "{answer}");
    assert_eq!(c.close_code().await, close::POLICY);

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_bad_frames_than_the_limit_close_the_connection_with_policy() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut c = RawClient::connect(&server.url()).await;
    c.login(APP_ID, "eve").await;
    for n in 0..MAX_BAD_FRAMES {
        c.send_text(&format!("bad frame {n}")).await;
        assert_error_frame(&c.json().await, "bad_frame");
    }
    c.ping().await;
    // Requests that are well formed but fail do not count.
    let reply = c.send_peer("bad/peer", "x").await;
    assert_eq!(reply["reply"], "error", "{reply}");
    c.send_text("one too many").await;
    assert_error_frame(&c.json().await, "bad_frame");
    assert_eq!(c.close_code().await, close::POLICY);

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_hello_is_refused_and_the_session_is_unchanged() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut c = RawClient::connect(&server.url()).await;
    let ticket = c.login(APP_ID, "alice").await;
    for hello in [
        json!({"op": "login", "app_id": APP_ID, "user_id": "alice"}),
        json!({"op": "login", "app_id": APP_ID, "user_id": "mallory"}),
        json!({"op": "resume", "session": ticket}),
    ] {
        c.send_json(&hello).await;
        assert_error_frame(&c.json().await, "already_logged_in");
    }
    c.ping().await;
    assert!(hub.is_online("alice"));
    assert!(!hub.is_online("mallory"), "a second hello logs nobody else in");
    // Still alice, still usable.
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    assert_eq!(c.send_peer("bob", "still alice").await["reply"], "message_sent");
    let got = bob.next_peer_message().await;
    assert_eq!((got["peer_id"].clone(), got["seq"].clone()), (json!("alice"), json!(1)), "{got}");

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_frame_after_the_login_is_closed_as_unsupported_data() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut c = RawClient::connect(&server.url()).await;
    c.login(APP_ID, "alice").await;
    c.send_binary(br#"{"id":1,"op":"ping"}"#).await;
    assert_eq!(c.close_code().await, close::UNSUPPORTED_DATA);

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_with_an_unknown_ticket_is_refused_and_closed_with_policy() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut alice = RawClient::connect(&server.url()).await;
    let ticket = alice.login(APP_ID, "alice").await;
    let (key, secret) = ticket.split_once('.').expect("ticket is key.secret");
    let forged_secret = format!("{key}.{}", "0".repeat(secret.len()));
    let ended = {
        let mut c = RawClient::connect(&server.url()).await;
        let t = c.login(APP_ID, "carol").await;
        let reply = c.request(json!({"op": "logout"})).await;
        assert_eq!(reply["reply"], "ok");
        assert_eq!(c.close_code().await, close::NORMAL);
        t
    };
    for ticket in ["", "nonsense", "ffffff.00000000000000000000000000000000", &forged_secret, &ended] {
        let mut c = RawClient::connect(&server.url()).await;
        c.send_json(&json!({"op": "resume", "session": ticket, "last_seq": 0})).await;
        assert_error_frame(&c.json().await, "unknown_session");
        assert_eq!(c.close_code().await, close::POLICY, "ticket {ticket:?}");
    }
    // The real owner of the forged ticket's session is untouched.
    alice.ping().await;

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_replays_only_the_events_not_acknowledged() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let mut bob = RawClient::connect(&server.url()).await;
    let ticket = bob.login(APP_ID, "bob").await;
    for text in ["one", "two", "three"] {
        assert_eq!(alice.send_peer("bob", text).await["reply"], "message_sent");
    }
    for seq in 1..=3 {
        assert_eq!(bob.next_peer_message().await["seq"], seq);
    }
    bob.ack(1).await;
    bob.ping().await; // the ack was processed before this answer

    // A second connection takes the session over; the first is told why.
    let mut bob2 = RawClient::connect(&server.url()).await;
    bob2.send_json(&json!({"id": 9, "op": "resume", "session": ticket, "last_seq": 0})).await;
    assert_eq!(bob.close_code().await, close::DROPPED);
    let reply = bob2.json().await;
    let window = reply["window"].as_u64().expect("the server's window");
    assert!(window > 0);
    let max_frame = reply["max_frame"].as_u64().expect("the server's frame limit");
    assert!(max_frame > 0);
    let next_ticket = reply["session"].as_str().expect("a ticket");
    assert_ne!(next_ticket, ticket, "the resume hands out the next ticket");
    assert_eq!(
        reply,
        json!({"id": 9, "reply": "logged_in", "session": next_ticket, "resumed": true, "window": window,
               "max_frame": max_frame, "sizes": reply["sizes"]})
    );
    let replayed: Vec<Incoming> = vec![bob2.next().await, bob2.next().await];
    let seqs: Vec<_> = replayed
        .iter()
        .map(|f| match f {
            Incoming::Json(v) => (v["seq"].clone(), v["message"]["text"].clone()),
            other => panic!("expected a replayed event, got {other:?}"),
        })
        .collect();
    assert_eq!(seqs, [(json!(2), json!("two")), (json!(3), json!("three"))]);
    // New events continue the sequence.
    assert_eq!(alice.send_peer("bob", "four").await["reply"], "message_sent");
    let four = bob2.next_peer_message().await;
    assert_eq!((four["seq"].clone(), four["message"]["text"].clone()), (json!(4), json!("four")));

    bystanders.exchange().await;
    server.shutdown().await;
}

/// `"profile":"legacy"` in the JSON login puts the session under the legacy limits: a 100-byte
/// user ID (over RTM's 64) logs in, and the reply states the legacy sizes; without the key the
/// same ID is refused with code 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_names_its_limits_profile() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let user = "u".repeat(100);

    let mut rtm = RawClient::connect(&server.url()).await;
    rtm.send_json(&json!({"op": "login", "app_id": APP_ID, "user_id": user})).await;
    assert_eq!(rtm.json().await, json!({"id": 0, "reply": "error", "code": 3}));

    let mut legacy = RawClient::connect(&server.url()).await;
    legacy.send_json(&json!({"op": "login", "app_id": APP_ID, "user_id": user, "profile": "legacy"})).await;
    let reply = legacy.json().await;
    assert_eq!(reply["reply"], "logged_in");
    assert_eq!(
        reply["sizes"],
        json!({"max_id_bytes": 128, "max_message_bytes": 8192, "max_attribute_key_bytes": 128,
               "max_attribute_value_bytes": 8192})
    );
    assert!(hub.is_online(&user));
}
