//! A small raw WebSocket client for protocol-level tests: it speaks the wire frames of
//! `sigshim::protocol::wire` by hand, so a test can send what a well-behaved client never would
//! (malformed JSON, binary frames, oversized or invalid UTF-8 frames) and see exactly what the
//! server answers, frame by frame, with every wait bounded by [`WAIT`].
//!
//! Also: a manual HTTP upgrade over a plain [`TcpStream`] (for frames crafted byte by byte), a
//! client frame encoder ([`client_frame`]), and a plain HTTP/1.1 GET ([`http_get`]).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sigshim::Hub;
use sigshim::server::{Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::WAIT;

/// What the server sent next.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A text frame, parsed as JSON.
    Json(Value),
    /// A text frame that is not JSON.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A pong (answer to [`RawClient::send_ping`]) with its payload.
    Pong(Vec<u8>),
    /// A close frame with its code (`None` when it carried no code).
    Close(Option<u16>),
    /// The connection ended without a close frame (EOF, reset, or a protocol error); the text
    /// says how.
    Dropped(String),
}

/// A raw WebSocket client connection.
#[derive(Debug)]
pub struct RawClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames read while waiting for something else (see [`RawClient::request`]).
    backlog: VecDeque<Value>,
    next_id: u64,
}

impl RawClient {
    /// Opens a WebSocket to `url` (a `ws://` URL); the HTTP error when the upgrade is refused.
    pub async fn try_connect(url: &str) -> Result<RawClient, tungstenite::Error> {
        let (ws, _response) = timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .unwrap_or_else(|_| panic!("no WebSocket upgrade from {url} within {WAIT:?}"))?;
        Ok(Self::wrap(ws))
    }

    /// Opens a WebSocket to `url`, panicking when the upgrade fails.
    pub async fn connect(url: &str) -> RawClient {
        Self::try_connect(url).await.unwrap_or_else(|e| panic!("WebSocket upgrade to {url} failed: {e}"))
    }

    /// Opens a WebSocket to `addr` with an HTTP upgrade written by hand on a plain TCP socket
    /// (no client library involved), so later frames can be crafted byte by byte with
    /// [`RawClient::send_bytes`].
    pub async fn connect_manual(addr: SocketAddr) -> RawClient {
        Self::connect_manual_to(addr, "/ws").await
    }

    /// [`RawClient::connect_manual`] to the WebSocket endpoint at `path` (`/legacy`, say).
    pub async fn connect_manual_to(addr: SocketAddr, path: &str) -> RawClient {
        let mut tcp = within("a TCP connection", TcpStream::connect(addr)).await.expect("TCP connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        tcp.write_all(request.as_bytes()).await.expect("upgrade request written");
        // Read the response head byte by byte: the server sends nothing after it until the
        // client speaks, but reading no further than the blank line keeps that irrelevant.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let b = within("the upgrade response", tcp.read_u8()).await.expect("upgrade response");
            head.push(b);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        assert!(head.starts_with("HTTP/1.1 101"), "upgrade refused: {head}");
        assert!(
            head.to_ascii_lowercase().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
            "wrong Sec-WebSocket-Accept: {head}"
        );
        let ws = WebSocketStream::from_raw_socket(MaybeTlsStream::Plain(tcp), Role::Client, None).await;
        Self::wrap(ws)
    }

    fn wrap(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> RawClient {
        RawClient { ws, backlog: VecDeque::new(), next_id: 1 }
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: &str) {
        within("a send", self.ws.send(Message::text(text))).await.expect("text frame sent");
    }

    /// Sends `value` as a JSON text frame.
    pub async fn send_json(&mut self, value: &Value) {
        self.send_text(&value.to_string()).await;
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: &[u8]) {
        within("a send", self.ws.send(Message::binary(bytes.to_vec()))).await.expect("binary frame sent");
    }

    /// Sends a WebSocket ping frame.
    pub async fn send_ping(&mut self, payload: &[u8]) {
        within("a send", self.ws.send(Message::Ping(payload.to_vec().into()))).await.expect("ping sent");
    }

    /// Writes `bytes` to the socket as they are, bypassing the WebSocket framing (see
    /// [`client_frame`]).
    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        let MaybeTlsStream::Plain(tcp) = self.ws.get_mut() else { unreachable!("no TLS in tests") };
        within("a raw write", async {
            tcp.write_all(bytes).await?;
            tcp.flush().await
        })
        .await
        .expect("raw bytes written");
    }

    /// The next frame from the server (backlog first; pings skipped), waiting at most
    /// [`WAIT`].
    pub async fn next(&mut self) -> Incoming {
        if let Some(v) = self.backlog.pop_front() {
            return Incoming::Json(v);
        }
        loop {
            let Ok(msg) = timeout(WAIT, self.ws.next()).await else {
                panic!("nothing from the server within {WAIT:?}");
            };
            return match msg {
                None => Incoming::Dropped("end of stream".into()),
                Some(Err(e)) => Incoming::Dropped(e.to_string()),
                Some(Ok(Message::Text(t))) => match serde_json::from_str(&t) {
                    Ok(v) => Incoming::Json(v),
                    Err(_) => Incoming::Text(t.to_string()),
                },
                Some(Ok(Message::Binary(b))) => Incoming::Binary(b.to_vec()),
                Some(Ok(Message::Close(frame))) => Incoming::Close(frame.map(|f| u16::from(f.code))),
                Some(Ok(Message::Pong(p))) => Incoming::Pong(p.to_vec()),
                Some(Ok(Message::Ping(_) | Message::Frame(_))) => continue,
            };
        }
    }

    /// The next frame, which must be JSON.
    pub async fn json(&mut self) -> Value {
        match self.next().await {
            Incoming::Json(v) => v,
            other => panic!("expected a JSON frame, got {other:?}"),
        }
    }

    /// The next frame, which must be a close frame; returns its code.
    pub async fn close_code(&mut self) -> u16 {
        match self.next().await {
            Incoming::Close(Some(code)) => code,
            other => panic!("expected a close frame with a code, got {other:?}"),
        }
    }

    /// Sends `request` (an object without `id`) with a fresh `id` and returns the reply with that
    /// `id`; events and other frames read meanwhile stay in the backlog for [`RawClient::next`].
    pub async fn request(&mut self, mut request: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        request["id"] = json!(id);
        self.send_json(&request).await;
        let mut skipped = Vec::new();
        loop {
            // Read from the socket only: the backlog holds frames already skipped.
            let Ok(msg) = timeout(WAIT, self.ws.next()).await else {
                panic!("no reply to {request} within {WAIT:?}; skipped {skipped:?}");
            };
            match msg {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).expect("the server sends JSON");
                    if v.get("id") == Some(&json!(id)) && v.get("reply").is_some() {
                        self.backlog.extend(skipped);
                        return v;
                    }
                    skipped.push(v);
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("no reply to {request}: got {other:?} after {skipped:?}"),
            }
        }
    }

    /// Sends a ping request and asserts the `pong` reply.
    pub async fn ping(&mut self) {
        let reply = self.request(json!({"op": "ping"})).await;
        assert_eq!(reply["reply"], "pong", "{reply}");
    }

    /// Logs in by hand as `user_id` of `app_id` (hello id 0) and returns the session ticket.
    pub async fn login(&mut self, app_id: &str, user_id: &str) -> String {
        self.login_with(app_id, user_id, None).await
    }

    /// Logs in by hand as `user_id` of `app_id` with `token` (hello id 0) and returns the
    /// session ticket.
    pub async fn login_with(&mut self, app_id: &str, user_id: &str, token: Option<&str>) -> String {
        let mut hello = json!({"op": "login", "app_id": app_id, "user_id": user_id});
        if let Some(token) = token {
            hello["token"] = json!(token);
        }
        self.send_json(&hello).await;
        let reply = self.json().await;
        assert_eq!(reply["id"], 0, "{reply}");
        assert_eq!(reply["reply"], "logged_in", "login of {user_id}: {reply}");
        assert_eq!(reply["resumed"], false, "{reply}");
        reply["session"].as_str().expect("a session ticket").to_owned()
    }

    /// Sends a text peer message and returns the reply.
    pub async fn send_peer(&mut self, peer_id: &str, text: &str) -> Value {
        self.request(json!({
            "op": "send_peer_message",
            "peer_id": peer_id,
            "message": {"type": "text", "text": text},
        }))
        .await
    }

    /// Waits for the next event frame (backlog first), which must be a `peer_message`; returns
    /// the whole frame.
    pub async fn next_peer_message(&mut self) -> Value {
        let v = self.json().await;
        assert_eq!(v["event"], "peer_message", "expected a peer message: {v}");
        v
    }

    /// Acknowledges every event up to `seq`.
    pub async fn ack(&mut self, seq: u64) {
        self.send_json(&json!({"op": "ack", "seq": seq})).await;
    }

    /// Closes the connection from the client side (close 1000) and waits for the server's
    /// answer or the end of the stream.
    pub async fn close(mut self) {
        let _ = within("a close", self.ws.close(None)).await;
        while let Ok(Some(Ok(_))) = timeout(WAIT, self.ws.next()).await {}
    }
}

/// Hello timeout of [`strict_config`].
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_millis(300);
/// Malformed frames tolerated per connection by [`strict_config`].
pub const MAX_BAD_FRAMES: u32 = 3;
/// Largest frame accepted by [`strict_config`].
pub const MAX_FRAME_BYTES: usize = 4096;

/// A server configuration for protocol tests: `127.0.0.1:0`, the hello within
/// [`HANDSHAKE_TIMEOUT`], [`MAX_BAD_FRAMES`] malformed frames tolerated, frames of at most
/// [`MAX_FRAME_BYTES`]; the rest default.
pub fn strict_config() -> ServerConfig {
    let mut config = ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0))).prometheus(prometheus());
    config.handshake_timeout = HANDSHAKE_TIMEOUT;
    config.max_bad_frames = MAX_BAD_FRAMES;
    config.max_frame_bytes = MAX_FRAME_BYTES;
    config
}

/// This test process's Prometheus recorder, installed on first use: servers given it (as
/// [`strict_config`] does) record their per-request metrics and show them on `/metrics`.
pub fn prometheus() -> sigshim::server::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<sigshim::server::PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            sigshim::server::install_prometheus_recorder().expect("the first recorder of this process")
        })
        .clone()
}

/// Starts a server over `hub`.
pub async fn start(hub: &Hub, config: ServerConfig) -> Server {
    Server::bind(hub.clone(), config).await.expect("the server starts")
}

/// A logged-in pair of raw clients that is not part of a scenario: after the scenario, it proves
/// the server is still up and still routing for everyone else ([`Bystanders::exchange`]).
#[derive(Debug)]
pub struct Bystanders {
    a: RawClient,
    b: RawClient,
    /// Messages each side has received so far (= the last event `seq` on each side).
    received: u64,
}

impl Bystanders {
    /// User IDs of the pair.
    pub const USERS: [&str; 2] = ["bystander-a", "bystander-b"];

    /// Connects and logs in the pair on the server at `url` (with tokens signed by `certificate`
    /// when the hub requires them).
    pub async fn join(url: &str, app_id: &str, certificate: Option<&str>) -> Bystanders {
        let token = |user: &str| {
            certificate.map(|cert| {
                sigshim::token::access_token2::build_rtm_now(app_id, cert, user, 3600).expect("a token")
            })
        };
        let [ua, ub] = Self::USERS;
        let mut a = RawClient::connect(url).await;
        a.login_with(app_id, ua, token(ua).as_deref()).await;
        let mut b = RawClient::connect(url).await;
        b.login_with(app_id, ub, token(ub).as_deref()).await;
        let mut pair = Bystanders { a, b, received: 0 };
        pair.exchange().await;
        pair
    }

    /// Sends a message each way and checks that each arrives as the next event, in sequence, and
    /// that the acknowledgement is taken.
    pub async fn exchange(&mut self) {
        self.received += 1;
        let seq = self.received;
        let [ua, ub] = Self::USERS;
        one_way(&mut self.a, ua, &mut self.b, ub, seq).await;
        one_way(&mut self.b, ub, &mut self.a, ua, seq).await;
        self.a.ping().await;
        self.b.ping().await;
    }

    /// Logs one of the pair out (`0` or `1`), leaving the other connected; returns the other.
    pub async fn split(self, leaving: usize) -> RawClient {
        let (mut gone, stay) = if leaving == 0 { (self.a, self.b) } else { (self.b, self.a) };
        let reply = gone.request(json!({"op": "logout"})).await;
        assert_eq!(reply["reply"], "ok", "{reply}");
        assert_eq!(gone.close_code().await, sigshim::protocol::close::NORMAL);
        stay
    }
}

async fn one_way(from: &mut RawClient, from_id: &str, to: &mut RawClient, to_id: &str, seq: u64) {
    let text = format!("bystander message {seq} from {from_id}");
    let reply = from.send_peer(to_id, &text).await;
    assert_eq!(reply["reply"], "message_sent", "bystander send: {reply}");
    let event = to.next_peer_message().await;
    assert_eq!(event["seq"], seq, "{event}");
    assert_eq!(event["peer_id"], from_id, "{event}");
    assert_eq!(event["message"]["text"], text.as_str(), "{event}");
    to.ack(seq).await;
}

/// Encodes one whole client frame by hand: FIN set, `opcode` (1 text, 2 binary, 8 close,
/// 9 ping), masked with a fixed key as a client must.
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    client_frame_part(opcode, payload, true)
}

/// Encodes one client frame by hand, FIN set when `fin` (0 is the continuation opcode).
pub fn client_frame_part(opcode: u8, payload: &[u8], fin: bool) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut out = vec![if fin { 0x80 } else { 0 } | (opcode & 0x0f)];
    match payload.len() {
        n @ 0..=125 => out.push(0x80 | n as u8),
        n @ 126..=0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

/// An HTTP response read by [`http_get`].
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (the connection is closed after it).
    pub body: String,
}

impl HttpResponse {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 `GET path` over a fresh TCP connection (`Connection: close`).
pub async fn http_get(addr: SocketAddr, path: &str) -> HttpResponse {
    let raw = within("an HTTP response", async {
        let mut tcp = TcpStream::connect(addr).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        tcp.read_to_end(&mut raw).await?;
        std::io::Result::Ok(raw)
    })
    .await
    .expect("HTTP exchange");
    let raw = String::from_utf8(raw).expect("a UTF-8 response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    HttpResponse { status, headers, body }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    timeout(WAIT, fut).await.unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
}
