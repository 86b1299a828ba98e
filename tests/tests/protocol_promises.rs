//! What docs/PROTOCOL.md promises about acknowledgements, the renewal budget, App IDs, closes
//! without a logout, the handshake timeout and messages that arrive twice, each proved against a
//! real server on 127.0.0.1:0: frame by frame with a raw client, and, for the duplicates, with a
//! core client whose acknowledgements a relay keeps from the server.
//!
//! Nothing sleeps to wait for something: every wait is on a frame, an event or the hub's parking,
//! with a deadline.

mod faults;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use faults::{client_with, expect_state, login};
use futures_util::StreamExt;
use parking_lot::Mutex;
use serde_json::{Value, json};
use sigshim::protocol::{LoginRequest, close};
use sigshim::server::ServerConfig;
use sigshim::transport::WsOptions;
use sigshim::{ConnectionChangeReason as R, ConnectionState as S, Hub, HubConfig};
use sigshim_conformance::fixtures::next_message;
use sigshim_conformance::raw::{HANDSHAKE_TIMEOUT, Incoming, RawClient, client_frame, start, strict_config};
use sigshim_conformance::{APP_ID, WAIT, hub};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// A hub whose parked sessions last `grace`.
fn hub_with_grace(grace: Duration) -> Hub {
    let mut config = HubConfig::new(APP_ID);
    config.session_grace = grace;
    Hub::new(config)
}

/// Waits until `hub` holds exactly `n` parked sessions.
async fn until_parked(hub: &Hub, n: usize) {
    let parked = timeout(WAIT, hub.parked_sessions_reach(n)).await;
    assert!(parked.is_ok(), "{} parked sessions, not {n}", hub.stats().parked_sessions);
}

/// `bob` subscribes to alice's online status (alice not logged in yet).
async fn watch_alice(bob: &mut RawClient) {
    let reply = bob.request(json!({"op": "subscribe_peers_online_status", "peer_ids": ["alice"]})).await;
    assert_eq!(reply["reply"], "ok", "{reply}");
    assert_eq!(alice_state(bob).await, "offline");
}

/// The next event of `bob`, which must be a change of alice's online state; returns the state.
async fn alice_state(bob: &mut RawClient) -> Value {
    let ev = bob.json().await;
    assert_eq!(ev["event"], "peers_online_status_changed", "{ev}");
    assert_eq!(ev["statuses"][0]["peer_id"], "alice", "{ev}");
    ev["statuses"][0]["state"].clone()
}

/// Sends `text` from `from` to `to`; returns the `message_sent` reply's message ID.
async fn sent_id(from: &mut RawClient, to: &str, text: &str) -> u64 {
    let reply = from.send_peer(to, text).await;
    assert_eq!(reply["reply"], "message_sent", "{reply}");
    reply["message_id"].as_u64().expect("a message id")
}

/// An acknowledgement covers every event up to its `seq`, has no `id` and gets no reply: one ack
/// of the third event leaves nothing to replay, and the next frame answers the ping after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ack_covers_every_event_up_to_its_seq_and_gets_no_reply() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut alice = RawClient::connect(&server.url()).await;
    let ticket = alice.login(APP_ID, "alice").await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    for text in ["one", "two", "three"] {
        sent_id(&mut bob, "alice", text).await;
    }
    for seq in 1..=3 {
        assert_eq!(alice.next_peer_message().await["seq"], seq);
    }
    alice.send_json(&json!({"op": "ack", "seq": 3})).await;
    alice.send_json(&json!({"id": 7, "op": "ping"})).await;
    assert_eq!(alice.json().await, json!({"id": 7, "reply": "pong"}), "the ack had no answer");

    // A resume from scratch (last_seq 0) replays nothing: the one ack covered events 1 to 3.
    let mut again = RawClient::connect(&server.url()).await;
    again.send_json(&json!({"op": "resume", "session": ticket, "last_seq": 0})).await;
    assert_eq!(alice.close_code().await, close::DROPPED);
    let reply = again.json().await;
    assert_eq!((reply["reply"].clone(), reply["resumed"].clone()), (json!("logged_in"), json!(true)));
    sent_id(&mut bob, "alice", "four").await;
    let four = again.next_peer_message().await;
    assert_eq!((four["seq"].clone(), four["message"]["text"].clone()), (json!(4), json!("four")));
    server.shutdown().await;
}

/// Two token renewals a second: the third at once is refused with code 4, and a renewal that
/// fails (an empty token, code 2) uses up the budget too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_token_renewal_within_a_second_is_refused_with_code_4() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    // Sent together, so that the three are handled well within one second.
    for (id, token) in [(101, ""), (102, "any"), (103, "any")] {
        alice.send_json(&json!({"id": id, "op": "renew_token", "token": token})).await;
    }
    assert_eq!(alice.json().await, json!({"id": 101, "reply": "error", "code": 2}));
    assert_eq!(alice.json().await, json!({"id": 102, "reply": "ok"}));
    assert_eq!(alice.json().await, json!({"id": 103, "reply": "error", "code": 4}));
    alice.ping().await;
    server.shutdown().await;
}

/// App IDs are compared exactly: the server's App ID in another case is another app (code 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_id_in_another_case_is_refused_with_code_4() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut capitalised = APP_ID.to_owned();
    capitalised[..1].make_ascii_uppercase();
    for app_id in [APP_ID.to_ascii_uppercase(), capitalised] {
        let mut c = RawClient::connect(&server.url()).await;
        c.send_json(&json!({"op": "login", "app_id": app_id, "user_id": "alice"})).await;
        assert_eq!(c.json().await, json!({"id": 0, "reply": "error", "code": 4}), "{app_id}");
        assert_eq!(c.close_code().await, close::NORMAL, "{app_id}");
    }
    assert!(!hub.is_online("alice"));
    RawClient::connect(&server.url()).await.login(APP_ID, "alice").await;
    server.shutdown().await;
}

/// How a connection ends without a logout.
#[derive(Debug, Clone, Copy)]
enum Leave {
    /// A close frame with 1000 (normal closure).
    CloseNormal,
    /// A close frame without a code.
    CloseBare,
    /// The socket goes away without a close frame (a broken link).
    Drop,
}

/// A clean WebSocket close without a logout parks the session exactly as a broken link does:
/// the user stays online, messages to it are stored for it (code 4), and a resume on a new
/// connection gets the session back with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_without_a_logout_parks_the_session_like_a_broken_link() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    for leave in [Leave::CloseNormal, Leave::CloseBare, Leave::Drop] {
        let mut alice = RawClient::connect_manual(server.local_addr()).await;
        let ticket = alice.login(APP_ID, "alice").await;
        match leave {
            Leave::CloseNormal => {
                alice.send_bytes(&client_frame(8, &close::NORMAL.to_be_bytes())).await;
                let answer = alice.next().await;
                assert!(matches!(answer, Incoming::Close(_) | Incoming::Dropped(_)), "{leave:?}: {answer:?}");
            }
            Leave::CloseBare => alice.close().await,
            Leave::Drop => drop(alice),
        }
        until_parked(&hub, 1).await;
        let status = bob.request(json!({"op": "query_peers_online_status", "peer_ids": ["alice"]})).await;
        assert_eq!(status["statuses"], json!([{"peer_id": "alice", "state": "online"}]), "{leave:?}");
        let sent = bob.send_peer("alice", "while away").await;
        assert_eq!(sent["code"], 4, "{leave:?}: stored for the parked session: {sent}");

        let mut back = RawClient::connect(&server.url()).await;
        back.send_json(&json!({"op": "resume", "session": ticket, "last_seq": 0})).await;
        let reply = back.json().await;
        assert_eq!((reply["reply"].clone(), reply["resumed"].clone()), (json!("logged_in"), json!(true)));
        let got = back.next_peer_message().await;
        assert_eq!(
            (got["message"]["text"].clone(), got["offline"].clone()),
            (json!("while away"), json!(false))
        );
        back.ack(got["seq"].as_u64().expect("a seq")).await;
        let reply = back.request(json!({"op": "logout"})).await;
        assert_eq!(reply["reply"], "ok");
        assert_eq!(back.close_code().await, close::NORMAL);
    }
    server.shutdown().await;
}

/// The handshake timeout covers the wait for the hello, not its answer: a resume sent at once
/// whose session another link holds (here a session opened in-process, which never lets go) is
/// answered with `session_busy` well after the handshake timeout, not closed at it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_timeout_does_not_cut_a_hello_being_answered() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let (held, _inbox) = hub.login(&LoginRequest::new(APP_ID, "alice", None)).expect("alice logs in");
    let ticket = hub.ticket(&held);

    let started = Instant::now();
    let (mut ws, _) = timeout(WAIT, tokio_tungstenite::connect_async(server.url()))
        .await
        .expect("an upgrade in time")
        .expect("the upgrade");
    let resume = json!({"op": "resume", "session": ticket, "last_seq": 0}).to_string();
    futures_util::SinkExt::send(&mut ws, Message::text(resume)).await.expect("the resume is sent");
    // The server waits for the holder to let go (a few seconds) before it answers.
    let answer = timeout(WAIT * 3, ws.next()).await.expect("an answer").expect("a frame").expect("no error");
    let elapsed = started.elapsed();
    let frame: Value = serde_json::from_str(answer.to_text().expect("a text frame")).expect("JSON");
    assert_eq!(frame["error"], "session_busy", "{frame}");
    assert!(elapsed > HANDSHAKE_TIMEOUT * 2, "answered after {elapsed:?}");
    assert!(hub.is_online("alice"), "the holder keeps its session");
    server.shutdown().await;
}

/// A session that ends with a peer message sent but not acknowledged (the link broke and the
/// grace period ran out) keeps it: the next login gets it again, same ID, flagged offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_message_comes_again_offline_after_the_grace_period() {
    let hub = hub_with_grace(Duration::from_millis(300));
    let server = start(&hub, strict_config()).await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    watch_alice(&mut bob).await;
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    assert_eq!(alice_state(&mut bob).await, "online");
    let id = sent_id(&mut bob, "alice", "once").await;
    let first = alice.next_peer_message().await; // received, never acknowledged
    assert_eq!((first["message"]["id"].as_u64(), first["offline"].clone()), (Some(id), json!(false)));

    drop(alice);
    assert_eq!(alice_state(&mut bob).await, "offline", "the grace period ran out");
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    let again = alice.next_peer_message().await;
    assert_eq!(again["offline"], true, "{again}");
    assert_eq!(again["message"], first["message"], "the same message: ID, timestamp and body");
    assert_eq!(again["peer_id"], "bob");
    server.shutdown().await;
}

/// The same for a session kicked by a login elsewhere: the new session gets the message the old
/// link received but never acknowledged, same ID, flagged offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_message_of_a_kicked_session_comes_again_offline() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    let mut old = RawClient::connect(&server.url()).await;
    old.login(APP_ID, "alice").await;
    let id = sent_id(&mut bob, "alice", "once").await;
    let first = old.next_peer_message().await; // received, never acknowledged
    assert_eq!(first["message"]["id"].as_u64(), Some(id));

    let mut new = RawClient::connect(&server.url()).await;
    new.login(APP_ID, "alice").await;
    assert_eq!(old.json().await, json!({"seq": 0, "event": "kicked", "reason": "remote_login"}));
    assert_eq!(old.close_code().await, close::KICKED);
    let again = new.next_peer_message().await;
    assert_eq!((again["offline"].clone(), again["message"].clone()), (json!(true), first["message"].clone()));
    server.shutdown().await;
}

/// A logout keeps nothing: what the session received without acknowledging it does not come again
/// at the next login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_keeps_no_unacknowledged_message_for_the_next_login() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    sent_id(&mut bob, "alice", "once").await;
    alice.next_peer_message().await; // received, never acknowledged
    assert_eq!(alice.request(json!({"op": "logout"})).await["reply"], "ok");
    assert_eq!(alice.close_code().await, close::NORMAL);
    assert_eq!(hub.stats().offline_stored, 0);

    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    sent_id(&mut bob, "alice", "marker").await;
    let next = alice.next_peer_message().await;
    assert_eq!((next["message"]["text"].clone(), next["offline"].clone()), (json!("marker"), json!(false)));
    server.shutdown().await;
}

/// A core client shows a message once although it arrives twice: the relay keeps alice's
/// acknowledgement from the server, the link breaks, the grace period runs out, and the client's
/// new session receives the message again (same ID, offline), which the client skips.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_client_shows_a_message_once_when_its_offline_copy_comes_back() {
    let hub = hub_with_grace(Duration::from_millis(300));
    // The default idle timeout: the server does not give up the muted link before the test cuts it.
    let server = start(&hub, ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)))).await;
    let relay = Relay::start(server.local_addr()).await;
    let mut bob = RawClient::connect(&server.url()).await;
    bob.login(APP_ID, "bob").await;
    watch_alice(&mut bob).await;
    // Default link settings: the muted link is not given up before the test breaks it.
    let mut alice = login(client_with(&relay.url(), "alice", WsOptions::default())).await;
    assert_eq!(alice_state(&mut bob).await, "online");

    relay.mute_client(true);
    let id = sent_id(&mut bob, "alice", "once").await;
    let (from, message, offline) = next_message(&mut alice).await;
    assert_eq!(
        (from.as_str(), message.text_or_description(), offline, message.id),
        ("bob", "once", false, id)
    );

    relay.refuse(true);
    relay.cut();
    expect_state(&mut alice, S::Reconnecting, R::Interrupted).await;
    assert_eq!(alice_state(&mut bob).await, "offline", "the grace period ran out");
    relay.mute_client(false);
    relay.refuse(false);
    expect_state(&mut alice, S::Connected, R::LoginSuccess).await;
    assert_eq!(alice_state(&mut bob).await, "online");
    sent_id(&mut bob, "alice", "marker").await;
    let (_, message, offline) = next_message(&mut alice).await;
    assert_eq!((message.text_or_description(), offline), ("marker", false), "the copy was not shown");

    // On the wire it came twice: live, then offline on the new session, before the marker.
    let copies: Vec<Value> = relay
        .frames()
        .into_iter()
        .filter(|f| f["event"] == "peer_message" && f["message"]["id"] == id)
        .map(|f| f["offline"].clone())
        .collect();
    assert_eq!(copies, [json!(false), json!(true)]);
    server.shutdown().await;
}

/// A loopback relay between clients and the server that can stop passing the clients' bytes on
/// (the server never hears from them, acknowledgements included) while the server's still reach
/// them, refuse new connections, and cut the current ones. It reads the server's WebSocket
/// frames as they pass ([`Relay::frames`]).
struct Relay {
    addr: SocketAddr,
    shared: Arc<RelayShared>,
    accept: AbortHandle,
}

struct RelayShared {
    upstream: SocketAddr,
    mute: AtomicBool,
    refuse: AtomicBool,
    pumps: Mutex<Vec<AbortHandle>>,
    /// The JSON text frames the server sent, in order, over all connections.
    frames: Mutex<Vec<Value>>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let addr = listener.local_addr().expect("the relay's address");
        let shared = Arc::new(RelayShared {
            upstream,
            mute: AtomicBool::new(false),
            refuse: AtomicBool::new(false),
            pumps: Mutex::default(),
            frames: Mutex::default(),
        });
        let s = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if s.refuse.load(Ordering::Acquire) {
                    continue; // dropped: closed at once
                }
                let pump = tokio::spawn(pump(s.clone(), client));
                s.pumps.lock().push(pump.abort_handle());
            }
        });
        Relay { addr, shared, accept: accept.abort_handle() }
    }

    fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// While `true`, what clients send is read and dropped.
    fn mute_client(&self, mute: bool) {
        self.shared.mute.store(mute, Ordering::Release);
    }

    /// While `true`, new connections are closed as soon as they are accepted.
    fn refuse(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::Release);
    }

    /// Closes every current connection, both ways.
    fn cut(&self) {
        for pump in self.shared.pumps.lock().drain(..) {
            pump.abort();
        }
    }

    /// The JSON text frames the server sent so far.
    fn frames(&self) -> Vec<Value> {
        self.shared.frames.lock().clone()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

/// Pumps one connection both ways until both ends are done or it is cut.
async fn pump(s: Arc<RelayShared>, client: TcpStream) {
    let Ok(server) = TcpStream::connect(s.upstream).await else { return };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let up = async {
        let mut buf = vec![0; 16 * 1024];
        while let Ok(n @ 1..) = from_client.read(&mut buf).await {
            if !s.mute.load(Ordering::Acquire) && to_server.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = to_server.shutdown().await;
    };
    let down = async {
        let mut buf = vec![0; 16 * 1024];
        let mut reader = ServerFrames::default();
        while let Ok(n @ 1..) = from_server.read(&mut buf).await {
            reader.feed(&buf[..n], &mut s.frames.lock());
            if to_client.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = to_client.shutdown().await;
    };
    tokio::join!(up, down);
}

/// Reads the server's side of a connection: the HTTP response head, then WebSocket frames.
#[derive(Default)]
struct ServerFrames {
    buf: Vec<u8>,
    upgraded: bool,
}

impl ServerFrames {
    /// Takes `bytes`; appends every complete JSON text frame to `out`.
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<Value>) {
        self.buf.extend_from_slice(bytes);
        if !self.upgraded {
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else { return };
            self.buf.drain(..end + 4);
            self.upgraded = true;
        }
        while self.buf.len() >= 2 {
            let (len, header) = match self.buf[1] & 0x7f {
                126 if self.buf.len() >= 4 => {
                    (usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]])), 4)
                }
                127 if self.buf.len() >= 10 => {
                    let n = u64::from_be_bytes(self.buf[2..10].try_into().expect("8 bytes"));
                    (usize::try_from(n).expect("a frame that fits"), 10)
                }
                126 | 127 => return,
                n => (usize::from(n), 2),
            };
            // Server frames are not masked.
            if self.buf.len() < header + len {
                return;
            }
            if self.buf[0] & 0x0f == 1 {
                out.extend(serde_json::from_slice::<Value>(&self.buf[header..header + len]).ok());
            }
            self.buf.drain(..header + len);
        }
    }
}
