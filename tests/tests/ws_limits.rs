//! The server's limits and HTTP endpoints, against a real server on 127.0.0.1:0: oversized and
//! invalid UTF-8 frames, request floods, the connection limit, `/healthz` and `/metrics`. Every
//! scenario then checks that a pair of bystanders logged in before it still exchanges messages.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use sigshim::protocol::close;
use sigshim::server::Server;
use sigshim::{Hub, HubConfig};
use sigshim_conformance::raw::{
    Bystanders, Incoming, MAX_FRAME_BYTES, RawClient, client_frame, client_frame_part, http_get, start,
    strict_config,
};
use sigshim_conformance::{APP_ID, WAIT, hub};
use tokio_tungstenite::tungstenite;

/// A ping request padded to exactly `len` bytes of JSON.
fn padded_ping(id: u64, len: usize) -> String {
    let empty = json!({"id": id, "op": "ping", "pad": ""}).to_string();
    let text = json!({"id": id, "op": "ping", "pad": "x".repeat(len - empty.len())}).to_string();
    assert_eq!(text.len(), len);
    text
}

/// Asserts that the server ended the link after its close frame.
async fn assert_link_ended(c: &mut RawClient) {
    let after = c.next().await;
    assert!(matches!(after, Incoming::Dropped(_)), "expected the link to end, got {after:?}");
}

/// Waits, for at most [`WAIT`], on state the server changes on its own tasks after the client
/// already saw the frame that caused it (a connection is counted out when its task ends, a
/// broken link is noticed when the read fails).
async fn within(what: &str, until: impl Future<Output = ()>) {
    assert!(tokio::time::timeout(WAIT, until).await.is_ok(), "not within {WAIT:?}: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_frame_over_the_size_limit_is_closed_as_too_big() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    // At the limit: read and answered.
    let mut c = RawClient::connect(&server.url()).await;
    c.login(APP_ID, "alice").await;
    c.send_text(&padded_ping(1, MAX_FRAME_BYTES)).await;
    assert_eq!(c.json().await, json!({"id": 1, "reply": "pong"}));
    // One byte over: closed with 1009, then the link ends.
    c.send_text(&padded_ping(2, MAX_FRAME_BYTES + 1)).await;
    assert_eq!(c.close_code().await, close::TOO_BIG);
    assert_link_ended(&mut c).await;

    // Far over the limit, as the hello.
    let mut c = RawClient::connect(&server.url()).await;
    let hello =
        json!({"op": "login", "app_id": APP_ID, "user_id": "bob", "pad": "x".repeat(3 * MAX_FRAME_BYTES)});
    c.send_json(&hello).await;
    assert_eq!(c.close_code().await, close::TOO_BIG);
    assert_link_ended(&mut c).await;
    assert!(!hub.is_online("bob"), "an oversized hello logs nobody in");

    // Fragments each under the limit that add up to more than it.
    let mut c = RawClient::connect_manual(server.local_addr()).await;
    c.login(APP_ID, "carol").await;
    let text = padded_ping(3, MAX_FRAME_BYTES + 100);
    let (first, rest) = text.as_bytes().split_at(text.len() / 2);
    c.send_bytes(&[client_frame_part(1, first, false), client_frame_part(0, rest, true)].concat()).await;
    assert_eq!(c.close_code().await, close::TOO_BIG);
    assert_link_ended(&mut c).await;

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_in_a_text_frame_is_closed_as_invalid_payload() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let hello = |user: &str| json!({"op": "login", "app_id": APP_ID, "user_id": user}).to_string();

    // After the login, sent by hand (a WebSocket library would refuse to send it).
    let mut c = RawClient::connect_manual(server.local_addr()).await;
    c.send_bytes(&client_frame(1, hello("alice").as_bytes())).await;
    let reply = c.json().await;
    assert_eq!(reply["reply"], "logged_in", "{reply}");
    // A multi-byte character split across two fragments is valid UTF-8 once joined.
    let ping = r#"{"id":1,"op":"ping","x":"é"}"#.as_bytes();
    let split = ping.iter().position(|&b| b == 0xc3).expect("the first byte of é") + 1;
    c.send_bytes(
        &[client_frame_part(1, &ping[..split], false), client_frame_part(0, &ping[split..], true)].concat(),
    )
    .await;
    assert_eq!(c.json().await, json!({"id": 1, "reply": "pong"}));
    c.send_bytes(&client_frame(1, b"{\"id\":2,\"op\":\"ping\",\"x\":\"\xff\xfe\"}")).await;
    assert_eq!(c.close_code().await, close::INVALID_PAYLOAD);
    assert_link_ended(&mut c).await;

    // As the hello.
    let mut c = RawClient::connect_manual(server.local_addr()).await;
    let mut bad_hello = hello("bob").into_bytes();
    bad_hello.splice(2..2, [0xc0, 0x80]); // an overlong encoding of NUL
    c.send_bytes(&client_frame(1, &bad_hello)).await;
    assert_eq!(c.close_code().await, close::INVALID_PAYLOAD);
    assert_link_ended(&mut c).await;
    assert!(!hub.is_online("bob"));

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_peer_messages_hits_the_rate_limit_and_the_server_stays_responsive() {
    const SENT: usize = 200;
    const ALLOWED: usize = 180; // RTM: 180 messages per 3 s
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;

    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    // Pipelined: every request is written before the first reply is read.
    for id in 1..=SENT {
        let text = format!("flood {id}");
        let frame = json!({"id": id, "op": "send_peer_message", "peer_id": "bob", "message": {"type": "text", "text": text}});
        alice.send_json(&frame).await;
    }
    for id in 1..=SENT {
        let reply = alice.json().await;
        assert_eq!(reply["id"], id, "replies come in request order: {reply}");
        if id <= ALLOWED {
            assert_eq!(reply["reply"], "message_sent", "{reply}");
        } else {
            // 5 = PEER_MESSAGE_ERR_TOO_OFTEN
            assert_eq!(reply, json!({"id": id, "reply": "error", "code": 5}));
        }
    }
    for seq in 1..=ALLOWED {
        let event = bob.next_peer_message().await;
        assert_eq!(event["seq"], seq, "{event}");
        assert_eq!(event["message"]["text"], format!("flood {seq}"), "{event}");
    }
    bob.ack(ALLOWED as u64).await;
    bob.ping().await; // nothing else was queued for bob before this answer
    alice.ping().await;

    // Requests without a rate limit are all answered, in order.
    for id in 1..=500u64 {
        alice.send_json(&json!({"id": 1000 + id, "op": "ping"})).await;
    }
    for id in 1..=500u64 {
        assert_eq!(alice.json().await, json!({"id": 1000 + id, "reply": "pong"}));
    }

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_stops_acknowledging_fills_its_inbox_and_loses_nothing_acknowledged() {
    const UNACKED: usize = 4;
    const INBOX: usize = 4;
    let hub = Hub::new(HubConfig::new(APP_ID).inbox_capacity(INBOX));
    let mut config = strict_config();
    config.max_unacked = UNACKED;
    let server = start(&hub, config).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;

    // Up to max_unacked events are sent to bob, who does not acknowledge them.
    for seq in 1..=UNACKED {
        assert_eq!(alice.send_peer("bob", &format!("m{seq}")).await["reply"], "message_sent");
        assert_eq!(bob.next_peer_message().await["seq"], seq);
    }
    // Then the server holds further events in bob's inbox, and refuses what does not fit.
    let drops_before = hub.stats().inbox_full_drops;
    for n in UNACKED + 1..=UNACKED + INBOX {
        assert_eq!(alice.send_peer("bob", &format!("m{n}")).await["reply"], "message_sent");
    }
    for n in 0..3 {
        let reply = alice.send_peer("bob", &format!("refused {n}")).await;
        // 1 = PEER_MESSAGE_ERR_FAILURE: never acknowledged, so not lost.
        assert_eq!((reply["reply"].clone(), reply["code"].clone()), (json!("error"), json!(1)), "{reply}");
    }
    assert_eq!(hub.stats().inbox_full_drops, drops_before + 3);
    let metrics = http_get(server.local_addr(), "/metrics").await.body;
    assert_eq!(sample(&metrics, "sigshim_queue_drops_total", &[]), Some(3.0));
    alice.ping().await;

    // Acknowledging releases every message that was acknowledged to alice, in order.
    bob.ack(UNACKED as u64).await;
    for seq in UNACKED + 1..=UNACKED + INBOX {
        let event = bob.next_peer_message().await;
        assert_eq!(
            (event["seq"].clone(), event["message"]["text"].clone()),
            (json!(seq), json!(format!("m{seq}")))
        );
    }
    bob.ack((UNACKED + INBOX) as u64).await;
    assert_eq!(alice.send_peer("bob", "after").await["reply"], "message_sent");
    assert_eq!(bob.next_peer_message().await["message"]["text"], "after");

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrades_beyond_max_connections_are_refused_with_503_until_one_closes() {
    let hub = hub();
    let mut config = strict_config();
    config.max_connections = 2;
    let server = start(&hub, config).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    assert_eq!(server.connections(), 2);

    for _ in 0..3 {
        match RawClient::try_connect(&server.url()).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 503);
                let body = response.body().as_deref().map(String::from_utf8_lossy);
                assert_eq!(body.as_deref(), Some("too many connections\n"));
            }
            other => panic!("expected HTTP 503, got {other:?}"),
        }
    }
    assert_eq!(server.connections(), 2, "a refused upgrade is not counted");
    let health = http_get(server.local_addr(), "/healthz").await;
    assert_eq!(health.status, 200, "plain HTTP is served when the WebSocket slots are full");
    bystanders.exchange().await;

    let mut stayed = bystanders.split(0).await;
    // The client saw the close frame before the server's connection task ended and counted the
    // connection out: wait for that (bounded) instead of racing it.
    within("the closed connection is counted out", server.connections_reach(1)).await;
    let mut newcomer = RawClient::connect(&server.url()).await;
    newcomer.login(APP_ID, "newcomer").await;
    assert_eq!(server.connections(), 2);
    assert_eq!(newcomer.send_peer(Bystanders::USERS[1], "hi").await["reply"], "message_sent");
    let got = stayed.next_peer_message().await;
    assert_eq!(got["peer_id"], "newcomer", "{got}");
    assert!(matches!(RawClient::try_connect(&server.url()).await, Err(tungstenite::Error::Http(_))));
    server.shutdown().await;
}

async fn healthz(server: &Server) -> Value {
    let r = http_get(server.local_addr(), "/healthz").await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {:?}", r.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_connections_online_users_and_parked_sessions() {
    let hub = hub();
    let mut config = strict_config();
    config.handshake_timeout = Duration::from_secs(30); // the silent connection below stays
    let server = start(&hub, config).await;
    assert_eq!(
        healthz(&server).await,
        json!({"status": "ok", "app_id": APP_ID, "connections": 0, "pending_connections": 1, "online_users": 0, "parked_sessions": 0})
    );
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let _silent = RawClient::connect(&server.url()).await; // upgraded, never logs in
    let mut dave = RawClient::connect(&server.url()).await;
    dave.login(APP_ID, "dave").await;
    assert_eq!(
        healthz(&server).await,
        json!({"status": "ok", "app_id": APP_ID, "connections": 4, "pending_connections": 1, "online_users": 3, "parked_sessions": 0})
    );
    // A broken link (no close frame): the session is parked, its user stays online.
    drop(dave);
    within("dave's session is parked", hub.parked_sessions_reach(1)).await;
    within("dave's connection is counted out", server.connections_reach(3)).await;
    assert_eq!(
        healthz(&server).await,
        json!({"status": "ok", "app_id": APP_ID, "connections": 3, "pending_connections": 1, "online_users": 3, "parked_sessions": 1})
    );

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_the_websocket_routes_and_unknown_paths_is_refused() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    for path in ["/", "/ws"] {
        let r = http_get(server.local_addr(), path).await;
        assert_eq!(r.status, 400, "GET {path} without an upgrade: {r:?}");
    }
    assert_eq!(http_get(server.local_addr(), "/nope").await.status, 404);
    assert_eq!(server.connections(), 2, "refused requests take no connection slot");
    bystanders.exchange().await;
    server.shutdown().await;
}

/// The samples of `name` whose labels include `labels`, summed (`None` when there is none).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if line.trim().is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let (metric, label_text) = match series.split_once('{') {
            Some((m, rest)) => (m, rest.strip_suffix('}').expect("closing brace")),
            None => (series, ""),
        };
        if metric != name {
            continue;
        }
        let have: BTreeMap<&str, &str> = label_text
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.trim_matches('"')))
            .collect();
        if labels.iter().all(|(k, v)| have.get(k) == Some(v)) {
            let v: f64 = value.parse().unwrap_or_else(|e| panic!("{e}: {line}"));
            *found.get_or_insert(0.0) += v;
        }
    }
    found
}

async fn scrape(server: &Server) -> String {
    let r = http_get(server.local_addr(), "/metrics").await;
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.header("content-type").is_some_and(|t| t.starts_with("text/plain")), "{r:?}");
    r.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_connections_requests_errors_latency_logins_and_protocol_errors() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    // The recorder is process-wide (other tests of this binary run concurrently): compare
    // recorder values before and after, never as totals. Hub figures are this hub's own.
    let before = scrape(&server).await;
    let at_start = |name, labels: &[(&str, &str)]| sample(&before, name, labels).unwrap_or(0.0);
    let sends = at_start("sigshim_requests_total", &[("op", "send_peer_message")]);
    let send_count = at_start("sigshim_request_seconds_count", &[("op", "send_peer_message")]);
    let invalid_peer = at_start("sigshim_errors_total", &[("op", "send_peer_message"), ("code", "6")]);
    let bad_frames = at_start("sigshim_protocol_errors_total", &[("kind", "BadFrame")]);
    let binary_closes = at_start("sigshim_closes_total", &[("code", "1003")]);

    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await; // 2 sends
    let mut eve = RawClient::connect(&server.url()).await;
    eve.login(APP_ID, "eve").await;
    assert_eq!(eve.send_peer("bad/peer", "x").await, json!({"id": 1, "reply": "error", "code": 6}));
    eve.send_text("{broken").await;
    assert_eq!(eve.json().await["error"], "bad_frame");
    eve.send_binary(b"binary").await;
    assert_eq!(eve.close_code().await, close::UNSUPPORTED_DATA);
    bystanders.exchange().await; // 2 more sends

    let after = scrape(&server).await;
    let now = |name, labels: &[(&str, &str)]| {
        sample(&after, name, labels).unwrap_or_else(|| panic!("no {name}{labels:?} in:\n{after}"))
    };
    for (name, kind) in [
        ("sigshim_connections", "gauge"),
        ("sigshim_requests_total", "counter"),
        ("sigshim_errors_total", "counter"),
        ("sigshim_request_seconds", "histogram"),
        ("sigshim_protocol_errors_total", "counter"),
        ("sigshim_logins_total", "counter"),
        ("sigshim_queue_drops_total", "counter"),
        ("sigshim_online_users", "gauge"),
    ] {
        assert!(after.contains(&format!("# TYPE {name} {kind}\n")), "no {kind} {name} in:\n{after}");
    }
    now("sigshim_connections", &[]);
    assert!(now("sigshim_requests_total", &[("op", "send_peer_message")]) >= sends + 5.0);
    assert!(now("sigshim_request_seconds_count", &[("op", "send_peer_message")]) >= send_count + 5.0);
    let buckets = after
        .lines()
        .filter(|l| {
            l.starts_with("sigshim_request_seconds_bucket{") && l.contains("op=\"send_peer_message\"")
        })
        .count();
    assert!(buckets >= 2, "histogram buckets for send_peer_message:\n{after}");
    now("sigshim_request_seconds_bucket", &[("op", "send_peer_message"), ("le", "+Inf")]);
    assert!(now("sigshim_errors_total", &[("op", "send_peer_message"), ("code", "6")]) >= invalid_peer + 1.0);
    assert!(now("sigshim_protocol_errors_total", &[("kind", "BadFrame")]) >= bad_frames + 1.0);
    assert!(now("sigshim_closes_total", &[("code", "1003")]) >= binary_closes + 1.0);
    // This hub's own figures: exact.
    assert_eq!(now("sigshim_logins_total", &[]), 3.0);
    assert_eq!(now("sigshim_queue_drops_total", &[]), 0.0);
    assert_eq!(now("sigshim_online_users", &[]), 3.0, "eve's session is parked, so she is still online");

    bystanders.exchange().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_recorder_metrics_show_the_hubs_counters_only() {
    // The process has a recorder (other servers of this binary use it); this server is not given it.
    let _installed = sigshim_conformance::raw::prometheus();
    let hub = hub();
    let server = start(&hub, sigshim::server::ServerConfig::new(([127, 0, 0, 1], 0).into())).await;
    let mut eve = RawClient::connect(&server.url()).await;
    eve.login(APP_ID, "eve").await;
    assert_eq!(eve.send_peer("bad/peer", "x").await, json!({"id": 1, "reply": "error", "code": 6}));
    let text = scrape(&server).await;
    assert_eq!(sample(&text, "sigshim_logins_total", &[]), Some(1.0), "{text}");
    assert_eq!(sample(&text, "sigshim_online_users", &[]), Some(1.0), "{text}");
    for absent in
        ["sigshim_requests_total", "sigshim_request_seconds", "sigshim_connections ", "sigshim_errors_total"]
    {
        assert!(!text.contains(absent), "{absent} without a recorder:\n{text}");
    }
}

/// A request larger than the server's frame limit (stated in its `logged_in` reply) is failed
/// by the client before it is sent: the operation gets its generic failure, and the link, the
/// session and the next request are unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_above_the_frame_limit_fails_alone() {
    use sigshim::error::PeerMessageError;
    use sigshim::transport::WsConnector;
    use sigshim::{Client, ConnectionState, Limits, Message, SendMessageOptions};

    // The hub would take a 16 KB message; the server reads frames of 4 KB at most.
    let hub = Hub::new(HubConfig::new(APP_ID).limits(Limits::default()));
    let server = start(&hub, strict_config()).await;
    let connect = || std::sync::Arc::new(WsConnector::new(server.url()));
    let (alice, _alice_events) = Client::builder(APP_ID).connector(connect()).build();
    let (bob, mut bob_events) = Client::builder(APP_ID).connector(connect()).build();
    alice.login(None, "alice").await.expect("alice");
    bob.login(None, "bob").await.expect("bob");
    let opts = SendMessageOptions::default();
    let big = Message::text("b".repeat(4 * MAX_FRAME_BYTES));
    assert_eq!(alice.send_message_to_peer("bob", &big, opts).await.map(drop), Err(PeerMessageError::Failure));
    assert_eq!(alice.connection_state(), ConnectionState::Connected);
    alice.send_message_to_peer("bob", &Message::text("small"), opts).await.expect("the next send");
    let got = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(sigshim::ClientEvent::MessageFromPeer { message, .. }) = bob_events.recv().await {
                break message;
            }
        }
    })
    .await
    .expect("bob's message");
    assert_eq!(got.body, Message::text("small").body);
    assert_eq!(got.id, 1, "the first message the hub took: the oversized one never reached it");
    assert_eq!(hub.stats().logins, 2, "no second login: the session was never lost");
}

/// Frames that break the WebSocket protocol itself (RFC 6455 §5) end the connection with a
/// close frame carrying 1002, before the login and after it, on the core protocol's endpoint and
/// on the legacy one: reserved bits set, an unmasked client frame, unknown data and control
/// opcodes, a continuation with nothing to continue, a data frame in the middle of a fragmented
/// one, a fragmented or oversized control frame.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_protocol_violations_are_closed_with_protocol_error() {
    let hub = hub();
    let server = sigshim_conformance::legacy_wire::start_with_legacy(&hub, strict_config()).await;
    let mut bystanders = Bystanders::join(&server.url(), APP_ID, None).await;
    let ping = br#"{"id":1,"op":"ping"}"#;
    let reserved_bit = {
        let mut f = client_frame(1, ping);
        f[0] |= 0x40;
        f
    };
    let unmasked = [&[0x81, ping.len() as u8][..], ping].concat();
    let violations: [(&str, Vec<u8>); 8] = [
        ("a reserved bit", reserved_bit),
        ("an unmasked frame", unmasked),
        ("data opcode 3", client_frame(3, ping)),
        ("control opcode 0xb", client_frame(0xb, b"")),
        ("a stray continuation", client_frame_part(0, ping, true)),
        (
            "a new message inside a fragmented one",
            [client_frame_part(1, b"{", false), client_frame(1, ping)].concat(),
        ),
        ("a fragmented ping", client_frame_part(9, b"", false)),
        ("a 126-byte ping", client_frame(9, &[0; 126])),
    ];
    let hello = |user: &str| json!({"op": "login", "app_id": APP_ID, "user_id": user}).to_string();
    for (n, (what, bytes)) in violations.iter().enumerate() {
        // After the login.
        let mut c = RawClient::connect_manual(server.local_addr()).await;
        c.send_bytes(&client_frame(1, hello(&format!("eve{n}")).as_bytes())).await;
        assert_eq!(c.json().await["reply"], "logged_in");
        c.send_bytes(bytes).await;
        assert_eq!(c.close_code().await, close::PROTOCOL_ERROR, "{what} after the login");
        assert_link_ended(&mut c).await;
        // As the first frame.
        let mut c = RawClient::connect_manual(server.local_addr()).await;
        c.send_bytes(bytes).await;
        assert_eq!(c.close_code().await, close::PROTOCOL_ERROR, "{what} as the first frame");
        assert_link_ended(&mut c).await;
    }
    // The legacy endpoint refuses the same way.
    let mut c = RawClient::connect_manual_to(server.local_addr(), sigshim_legacy::endpoint::PATH).await;
    let login = json!({"call": "login", "args": [APP_ID, "lea", "_no_need_token", 0, ""]}).to_string();
    c.send_bytes(&client_frame(1, login.as_bytes())).await;
    assert_eq!(c.json().await["resumed"], false);
    c.send_bytes(&violations[0].1).await;
    loop {
        match c.next().await {
            Incoming::Json(_) => continue, // the login's callback
            Incoming::Close(code) => break assert_eq!(code, Some(close::PROTOCOL_ERROR)),
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
    assert_link_ended(&mut c).await;

    bystanders.exchange().await;
    server.shutdown().await;
}

/// The size rule is on the message, not on its JSON: a message of the largest size made of
/// control characters (each escaped to six bytes) is carried by a server and clients in their
/// default configuration. One byte more is refused by the client with the size error (code 7)
/// before any frame leaves; sent anyway, in a frame within the server's limit, it is refused
/// with the same code, and the link stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_limited_by_its_size_not_by_its_escaping() {
    use sigshim::error::PeerMessageError;
    use sigshim::transport::{WsConnector, WsOptions};
    use sigshim::{Client, ClientEvent, Limits, Message, SendMessageOptions};
    use sigshim_conformance::proxy::Proxy;

    let hub = hub();
    let config = sigshim::server::ServerConfig::new(([127, 0, 0, 1], 0).into());
    let max_frame = config.max_frame_bytes;
    let server = start(&hub, config).await;
    let proxy = Proxy::start(server.local_addr()).await;
    // No pings: what alice's link carries up is her requests alone.
    let quiet =
        WsOptions::default().heartbeat(Duration::from_secs(3600)).link_timeout(Duration::from_secs(60));
    let (alice, _alice_events) = Client::builder(APP_ID)
        .connector(std::sync::Arc::new(WsConnector::with_options(proxy.url(), quiet)))
        .build();
    let (bob, mut bob_events) =
        Client::builder(APP_ID).connector(std::sync::Arc::new(WsConnector::new(server.url()))).build();
    alice.login(None, "alice").await.expect("alice");
    bob.login(None, "bob").await.expect("bob");
    let opts = SendMessageOptions::default();
    let max = Limits::default().max_message_bytes;

    let largest = Message::text("\u{1}".repeat(max));
    alice.send_message_to_peer("bob", &largest, opts).await.expect("the largest message is delivered");
    let got = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(ClientEvent::MessageFromPeer { message, .. }) = bob_events.recv().await {
                break message;
            }
        }
    })
    .await
    .expect("bob's message");
    assert_eq!(got.body, largest.body);

    let up = proxy.bytes_up();
    let too_large = Message::text("\u{1}".repeat(max + 1));
    assert_eq!(
        alice.send_message_to_peer("bob", &too_large, opts).await.map(drop),
        Err(PeerMessageError::InvalidMessage)
    );
    alice.send_message_to_peer("bob", &Message::text("small"), opts).await.expect("the next send");
    let sent = proxy.bytes_up() - up;
    assert!(sent < 1024, "{sent} bytes went up for the refused message and a small one");

    // Sent by hand: within the frame limit, refused by the hub for its size.
    let mut carol = RawClient::connect(&server.url()).await;
    carol.login(APP_ID, "carol").await;
    let frame = json!({"id": 1, "op": "send_peer_message", "peer_id": "bob",
                       "message": {"type": "text", "text": "\u{1}".repeat(max + 1)}})
    .to_string();
    assert!(frame.len() <= max_frame, "{} bytes: within the default frame limit of {max_frame}", frame.len());
    carol.send_text(&frame).await;
    assert_eq!(carol.json().await, json!({"id": 1, "reply": "error", "code": 7}));
    carol.ping().await;
    server.shutdown().await;
}
