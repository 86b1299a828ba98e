//! The WebSocket transport: the [`protocol::wire`](crate::protocol::wire) frames over
//! `ws://`, with heartbeats, acknowledgements and session resume after a broken link.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::pending::Pending;
use super::{Connector, Inbound, Inbox, Link, ReplyFuture, Transport, TransportError};
use crate::error::{Error, LoginError};
use crate::message::{Message, SendMessageOptions};
use crate::protocol::wire::{Control, ErrorFrame, EventFrame, Hello, ProtocolError, ReplyFrame, ServerFrame};
use crate::protocol::{CloseReason, LoginRequest};
use crate::protocol::{Event, Reply, Request, wire};

/// Tuning of the WebSocket transport: [`Default`], then a chainable setter per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WsOptions {
    /// How often the client pings the server (default 2 s).
    pub heartbeat: Duration,
    /// The link counts as lost when nothing arrives for this long (default 6 s).
    pub link_timeout: Duration,
    /// Largest frame accepted from the server (default
    /// [`DEFAULT_MAX_FRAME_BYTES`](crate::protocol::DEFAULT_MAX_FRAME_BYTES), the server's own
    /// default limit: room for the largest message however its text is escaped).
    pub max_frame_bytes: usize,
    /// Events buffered between the socket and the client (default 1024).
    pub inbox_capacity: usize,
    /// Acknowledge after this many events (default 32), and whenever the link goes quiet.
    pub ack_every: u64,
    /// Socket read size (default 8 KiB). The WebSocket layer zeroes this much before each read,
    /// so a large value costs time on every read, not only memory.
    pub read_buffer_bytes: usize,
}

impl Default for WsOptions {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(2),
            link_timeout: Duration::from_secs(6),
            max_frame_bytes: wire::DEFAULT_MAX_FRAME_BYTES,
            inbox_capacity: 1024,
            ack_every: 32,
            read_buffer_bytes: 8 * 1024,
        }
    }
}

crate::config::config_setters!(WsOptions {
    heartbeat: Duration,
    link_timeout: Duration,
    max_frame_bytes: usize,
    inbox_capacity: usize,
    ack_every: u64,
    read_buffer_bytes: usize,
});

/// The session this connector can resume.
#[derive(Debug, Clone)]
struct Resumable {
    user_id: String,
    /// Good for one resume: each resume's answer carries the next.
    ticket: String,
    last_seq: Arc<AtomicU64>,
}

/// How many of the last delivered peer messages a connector remembers: at least the server's
/// default `max_unacked`, the most events a session can hold sent but unacknowledged.
const DELIVERED_WINDOW: usize = 1024;

/// The peer messages a connector delivered lately, as (id, server timestamp).
///
/// When a session expires, the hub moves the peer messages it sent but never saw acknowledged to
/// the offline store, and the next session delivers them as offline messages. Some of them did
/// reach the client (the link broke before the acknowledgement): those are skipped, so that each
/// message is delivered once.
#[derive(Debug, Default)]
struct Delivered {
    recent: VecDeque<(u64, u64)>,
}

impl Delivered {
    /// Records a delivered message.
    fn record(&mut self, id: u64, server_ts: u64) {
        if self.recent.len() == DELIVERED_WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back((id, server_ts));
    }

    /// True when this message was delivered lately.
    fn contains(&self, id: u64, server_ts: u64) -> bool {
        self.recent.contains(&(id, server_ts))
    }
}

/// Connects a client to a `sigshim serve` endpoint (`ws://host:port/`). Use one connector per
/// client: it remembers the client's session so that a reconnect resumes it.
#[derive(Debug)]
pub struct WsConnector {
    url: String,
    options: WsOptions,
    resumable: Arc<Mutex<Option<Resumable>>>,
    delivered: Arc<Mutex<Delivered>>,
}

impl WsConnector {
    /// A connector for `url` with default options.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_options(url, WsOptions::default())
    }

    /// A connector for `url` with explicit options.
    pub fn with_options(url: impl Into<String>, options: WsOptions) -> Self {
        Self { url: url.into(), options, resumable: Arc::default(), delivered: Arc::default() }
    }
}

/// Why opening a link failed.
enum OpenError {
    Login(Error<LoginError>),
    UnknownSession,
}

/// What went wrong in the login exchange itself, after the socket opened: the cause of a
/// [`LoginError::Timeout`] that no reply explains.
#[derive(Debug, thiserror::Error)]
enum HandshakeError {
    /// The server closed the socket before answering.
    #[error("the server closed the connection during the login")]
    Closed,
    /// No answer within the link timeout.
    #[error("no answer to the login within {0:?}")]
    NoAnswer(Duration),
    /// The session is still held by another connection of the same client.
    #[error("the session is still held by another connection")]
    SessionBusy,
    /// A frame that is not an answer to a login.
    #[error("unexpected answer to the login: {0}")]
    Unexpected(String),
}

#[async_trait]
impl Connector for WsConnector {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        let prior = self.resumable.lock().clone().filter(|r| r.user_id == login.user_id);
        if let Some(prior) = prior {
            // The token too: a server that checks tokens resumes a session only for a valid one
            // of its user (the client's current one, renewed or not).
            let hello = Hello::Resume {
                id: 0,
                session: prior.ticket.clone(),
                last_seq: prior.last_seq.load(Ordering::Acquire),
                token: login.token.clone(),
            };
            match self.open(hello, prior.last_seq.clone()).await {
                Ok((link, ticket)) => {
                    // The ticket just used is void: the next resume needs this one.
                    if let Some(r) = self.resumable.lock().as_mut().filter(|r| r.user_id == login.user_id) {
                        r.ticket = ticket;
                    }
                    return Ok(link);
                }
                Err(OpenError::Login(e)) => return Err(e),
                Err(OpenError::UnknownSession) => *self.resumable.lock() = None,
            }
        }
        let hello = Hello::Login {
            id: 0,
            app_id: login.app_id,
            user_id: login.user_id.clone(),
            token: login.token,
            profile: login.profile,
        };
        let last_seq = Arc::new(AtomicU64::new(0));
        match self.open(hello, last_seq.clone()).await {
            Ok((link, ticket)) => {
                *self.resumable.lock() = Some(Resumable { user_id: login.user_id, ticket, last_seq });
                Ok(link)
            }
            Err(OpenError::Login(e)) => Err(e),
            Err(OpenError::UnknownSession) => Err(LoginError::Unknown.into()),
        }
    }

    fn forget_session(&self) {
        *self.resumable.lock() = None;
    }
}

impl WsConnector {
    /// Opens a socket, says hello and starts the link's tasks; returns the link and its ticket.
    async fn open(&self, hello: Hello, last_seq: Arc<AtomicU64>) -> Result<(Link, String), OpenError> {
        let mut o = self.options;
        // Until the server states its limit, a frame is never larger than it allows by default.
        let mut max_send = wire::DEFAULT_MAX_FRAME_BYTES;
        let mut config = WebSocketConfig::default();
        config.max_frame_size = Some(o.max_frame_bytes);
        config.max_message_size = Some(o.max_frame_bytes);
        config.read_buffer_size = o.read_buffer_bytes.max(1024);
        // The network failed: the legacy and RTM vocabularies both call this a timeout; the
        // cause travels with it.
        let url = &self.url;
        let network = |e: Box<dyn std::error::Error + Send + Sync>| {
            tracing::debug!(error = %e, %url, "cannot reach the server");
            OpenError::Login(Error::with_source(LoginError::Timeout, e))
        };
        let (ws, _) = tokio_tungstenite::connect_async_with_config(&self.url, Some(config), true)
            .await
            .map_err(|e| network(e.into()))?;
        let (mut sink, mut stream) = ws.split();
        let text = serde_json::to_string(&hello).map_err(|e| network(e.into()))?;
        sink.send(WsMessage::text(text)).await.map_err(|e| network(e.into()))?;
        let (ticket, resumed, sizes) = loop {
            let frame = match tokio::time::timeout(o.link_timeout, stream.next()).await {
                Ok(Some(Ok(WsMessage::Text(t)))) => wire::parse_server(&t).map_err(|e| {
                    tracing::warn!(error = %e, %url, "the server's answer to the login is not a frame");
                    network(e.into())
                })?,
                Ok(Some(Ok(WsMessage::Close(_)))) | Ok(None) => {
                    return Err(network(HandshakeError::Closed.into()));
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => return Err(network(e.into())),
                Err(_) => return Err(network(HandshakeError::NoAnswer(o.link_timeout).into())),
            };
            match frame {
                ServerFrame::Reply(ReplyFrame {
                    reply: Reply::LoggedIn { session, resumed, window, max_frame, sizes: stated },
                    ..
                }) => {
                    if max_frame > 0 {
                        max_send = max_frame;
                    }
                    // Acknowledge by half the server's window at the latest, so it never waits.
                    if window > 0 {
                        o.ack_every = o.ack_every.min((window as u64 / 2).max(1));
                    }
                    break (session, resumed, stated);
                }
                ServerFrame::Reply(ReplyFrame { reply: Reply::Error { code }, .. }) => {
                    let kind = LoginError::from_code(code).unwrap_or_else(|| {
                        tracing::warn!(code, %url, "the server refused the login with an unknown code");
                        LoginError::Unknown
                    });
                    return Err(OpenError::Login(kind.into()));
                }
                ServerFrame::Error(ErrorFrame { error: ProtocolError::UnknownSession, .. }) => {
                    return Err(OpenError::UnknownSession);
                }
                ServerFrame::Error(ErrorFrame { error: ProtocolError::SessionBusy, .. }) => {
                    // The session is alive; keep the ticket and let the reconnect loop retry.
                    return Err(network(HandshakeError::SessionBusy.into()));
                }
                other => {
                    tracing::warn!(frame = ?other, %url, "unexpected answer to the login");
                    return Err(network(HandshakeError::Unexpected(format!("{other:?}")).into()));
                }
            }
        };
        let pending: Pending = Arc::default();
        let (out_tx, mut out_rx) = mpsc::channel::<WsMessage>(256);
        let (in_tx, in_rx) = mpsc::channel::<Inbound>(o.inbox_capacity.max(1));
        let writer = tokio::spawn(async move {
            let mut ping = tokio::time::interval(o.heartbeat);
            ping.tick().await;
            loop {
                let msg = tokio::select! {
                    m = out_rx.recv() => match m { Some(m) => m, None => break },
                    _ = ping.tick() => WsMessage::Ping(Default::default()),
                };
                if sink.feed(msg).await.is_err() {
                    break;
                }
                // Coalesce whatever else is queued into one flush.
                while let Ok(m) = out_rx.try_recv() {
                    if sink.feed(m).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let reader = Reader {
            pending: pending.clone(),
            inbox: in_tx,
            out: out_tx.clone(),
            last_seq,
            delivered: self.delivered.clone(),
            options: o,
        };
        let reader = tokio::spawn(reader.run(stream));
        let transport = Arc::new(WsTransport {
            out: out_tx,
            submit: tokio::sync::Mutex::new(()),
            pending,
            next_id: AtomicU64::new(1),
            tasks: [writer.abort_handle(), reader.abort_handle()],
            resumable: self.resumable.clone(),
            max_send,
        });
        let inbox = Box::new(WsInbox { rx: in_rx, done: false });
        Ok((Link { transport, inbox, resumed, sizes }, ticket))
    }
}

/// How long a link with unacknowledged events stays quiet before the client acknowledges them.
const QUIET_ACK: Duration = Duration::from_millis(50);

/// Reads the socket: replies to their callers, events to the inbox, acknowledgements back.
struct Reader {
    pending: Pending,
    inbox: mpsc::Sender<Inbound>,
    out: mpsc::Sender<WsMessage>,
    last_seq: Arc<AtomicU64>,
    delivered: Arc<Mutex<Delivered>>,
    options: WsOptions,
}

impl Reader {
    async fn run<S>(self, mut stream: S)
    where
        S: futures_util::Stream<Item = Result<WsMessage, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        let mut unacked = 0u64;
        let mut kicked = None;
        // A quiet link acknowledges what it has after `QUIET_ACK`; a link silent for the link
        // timeout is lost. One timer serves every frame: a frame only notes the time, and the
        // timer, when it fires early, moves to the deadline that time gives (a timer set and
        // cleared per frame would cost more than reading the frame).
        let mut quiet_since = tokio::time::Instant::now();
        let timer = tokio::time::sleep_until(quiet_since + self.options.link_timeout);
        tokio::pin!(timer);
        loop {
            let wait = if unacked > 0 { QUIET_ACK } else { self.options.link_timeout };
            let next = tokio::select! {
                biased;
                next = stream.next() => next,
                () = &mut timer => {
                    let now = tokio::time::Instant::now();
                    if now < quiet_since + wait {
                        timer.as_mut().reset(quiet_since + wait);
                        continue;
                    }
                    if unacked == 0 {
                        break;
                    }
                    self.ack(&mut unacked).await;
                    quiet_since = tokio::time::Instant::now();
                    timer.as_mut().reset(quiet_since + self.options.link_timeout);
                    continue;
                }
            };
            quiet_since = tokio::time::Instant::now();
            let frame = match next {
                None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => break,
                Some(Ok(WsMessage::Text(t))) => t,
                Some(Ok(_)) => continue,
            };
            match wire::parse_server(&frame) {
                Ok(ServerFrame::Reply(ReplyFrame { id, reply })) => {
                    if let Some(tx) = self.pending.lock().remove(&id) {
                        let _ = tx.send(Ok(reply));
                    }
                }
                Ok(ServerFrame::Event(EventFrame { event: Event::Kicked { reason }, .. })) => {
                    kicked = Some(reason)
                }
                Ok(ServerFrame::Event(EventFrame { seq, event })) => {
                    if seq != 0 && seq <= self.last_seq.load(Ordering::Acquire) {
                        continue; // replayed after a resume, already delivered
                    }
                    let again = match &event {
                        Event::PeerMessage { message, offline, .. } => {
                            let mut delivered = self.delivered.lock();
                            // Only a message kept from an expired session (an offline one) can
                            // come twice; looking the others up would only cost time.
                            let again = *offline && delivered.contains(message.id, message.server_ts);
                            if !again {
                                delivered.record(message.id, message.server_ts);
                            }
                            again
                        }
                        _ => false,
                    };
                    if !again && self.inbox.send(Inbound::Event(event)).await.is_err() {
                        break;
                    }
                    if seq != 0 {
                        self.last_seq.store(seq, Ordering::Release);
                        if unacked == 0 {
                            // From now on the quiet wait is the acknowledgement's, not the link's.
                            timer.as_mut().reset(quiet_since + QUIET_ACK);
                        }
                        unacked += 1;
                        if unacked >= self.options.ack_every {
                            self.ack(&mut unacked).await;
                        }
                    }
                }
                Ok(ServerFrame::Error(e)) => {
                    tracing::warn!(error = ?e.error, id = ?e.id, detail = %e.detail, "server refused a frame");
                    // The answer to the request it names, which gets no other.
                    if let Some(tx) = e.id.and_then(|id| self.pending.lock().remove(&id)) {
                        let _ = tx.send(Err(TransportError::Refused));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "unreadable frame from the server"),
            }
        }
        self.pending.lock().clear();
        let reason = kicked.map_or(CloseReason::LinkLost, CloseReason::Kicked);
        let _ = self.inbox.send(Inbound::Closed(reason)).await;
    }

    async fn ack(&self, unacked: &mut u64) {
        let seq = self.last_seq.load(Ordering::Acquire);
        if let Some(text) = wire::frame_text(&Control::Ack { seq }) {
            let _ = self.out.send(WsMessage::text(text)).await;
        }
        *unacked = 0;
    }
}

struct WsTransport {
    out: mpsc::Sender<WsMessage>,
    /// Taken while a request waits for room in `out`: requests reach the socket in the order of
    /// their first polls (see [`WsTransport::request`]).
    submit: tokio::sync::Mutex<()>,
    pending: Pending,
    next_id: AtomicU64,
    tasks: [AbortHandle; 2],
    resumable: Arc<Mutex<Option<Resumable>>>,
    /// The largest request frame the server reads (from its `logged_in` reply).
    max_send: usize,
}

#[async_trait]
impl Transport for WsTransport {
    async fn request(&self, request: Request) -> Result<Reply, TransportError> {
        let logout = request == Request::Logout;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let text = wire::frame_text(&wire::RequestFrame { id, request }).ok_or(TransportError::Closed)?;
        let slot = self.expect(id, &text)?;
        let reply = self.queue(None, id, WsMessage::text(text), slot).await?;
        if logout {
            // The session is over; a later login starts a new one.
            *self.resumable.lock() = None;
        }
        Ok(reply)
    }

    fn send_peer_message<'a>(
        &'a self,
        peer_id: &'a str,
        message: &'a Message,
        options: SendMessageOptions,
    ) -> ReplyFuture<'a> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let Some(text) = wire::peer_message_frame_text(id, peer_id, message, options) else {
            return ReplyFuture::ready(Err(TransportError::Closed));
        };
        let slot = match self.expect(id, &text) {
            Ok(slot) => slot,
            Err(e) => return ReplyFuture::ready(Err(e)),
        };
        // Nobody waiting for its turn and room in `out`: the frame goes now, in its turn, and
        // the reply slot is the whole future. Otherwise it waits for its turn as `request` does,
        // keeping the turn when it has it.
        let turn = self.submit.try_lock().ok();
        let mut message = WsMessage::text(text);
        if turn.is_some() {
            match self.out.try_send(message) {
                Ok(()) => return ReplyFuture::waiting(slot),
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.pending.lock().remove(&id);
                    return ReplyFuture::ready(Err(TransportError::Closed));
                }
                Err(mpsc::error::TrySendError::Full(m)) => message = m,
            }
        }
        ReplyFuture::boxed(Box::pin(self.queue(turn, id, message, slot)))
    }

    fn close(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The answer to one request, as the reader hands it over.
type Slot = oneshot::Receiver<Result<Reply, TransportError>>;

impl WsTransport {
    /// Registers request `id`, whose frame is `text`, as waiting for its answer; refuses a frame
    /// the server would not read.
    fn expect(&self, id: u64, text: &str) -> Result<Slot, TransportError> {
        if text.len() > self.max_send {
            // The server would close the link on it: refuse it here, and keep the link.
            return Err(TransportError::TooLarge { bytes: text.len(), max: self.max_send });
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().insert(id, tx);
        Ok(rx)
    }

    /// Queues the frame of request `id` for the socket in its turn (`turn` when the caller holds
    /// it already) and waits for the answer in `slot`.
    async fn queue(
        &self,
        turn: Option<tokio::sync::MutexGuard<'_, ()>>,
        id: u64,
        message: WsMessage,
        slot: Slot,
    ) -> Result<Reply, TransportError> {
        // When `out` is full, a waiting request gets the next free slot but takes it only when
        // its task polls it again; a request first polled after the slot freed would find room
        // at once and overtake it (a caller that polls each request once, in order, and awaits
        // them together relies on their order). The lock is fair: requests take their turn in
        // the order of their first polls.
        let sent = {
            let _turn = match turn {
                Some(turn) => turn,
                None => self.submit.lock().await,
            };
            self.out.send(message).await
        };
        if sent.is_err() {
            self.pending.lock().remove(&id);
            return Err(TransportError::Closed);
        }
        slot.await.map_err(|_| TransportError::Closed)?
    }
}

impl Drop for WsTransport {
    fn drop(&mut self) {
        self.close();
    }
}

struct WsInbox {
    rx: mpsc::Receiver<Inbound>,
    done: bool,
}

impl Inbox for WsInbox {
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Inbound> {
        if self.done {
            return Poll::Ready(Inbound::Closed(CloseReason::LinkLost));
        }
        Poll::Ready(match ready!(self.rx.poll_recv(cx)) {
            Some(Inbound::Closed(r)) => {
                self.done = true;
                Inbound::Closed(r)
            }
            Some(ev) => ev,
            None => {
                self.done = true;
                Inbound::Closed(CloseReason::LinkLost)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn peer_message(seq: u64, id: u64, offline: bool) -> WsMessageResult {
        let mut message = Message::text(format!("#{id}"));
        message.id = id;
        message.server_ts = 1_000 + id;
        let event = Event::PeerMessage { peer_id: "bob".into(), message, offline };
        Ok(WsMessage::text(serde_json::to_string(&EventFrame { seq, event }).unwrap()))
    }

    /// Runs a reader of one link over `frames`; returns the ids of the peer messages it passed on.
    async fn read(delivered: &Arc<Mutex<Delivered>>, frames: Vec<WsMessageResult>) -> Vec<u64> {
        let (inbox, mut rx) = mpsc::channel(16);
        let (out, _out_rx) = mpsc::channel(16);
        let reader = Reader {
            pending: Pending::default(),
            inbox,
            out,
            last_seq: Arc::default(),
            delivered: delivered.clone(),
            options: WsOptions::default(),
        };
        reader.run(futures_util::stream::iter(frames)).await;
        let mut ids = Vec::new();
        while let Ok(Inbound::Event(ev)) = rx.try_recv() {
            if let Event::PeerMessage { message, .. } = &ev {
                ids.push(message.id);
            }
        }
        ids
    }

    type WsMessageResult = Result<WsMessage, tokio_tungstenite::tungstenite::Error>;

    /// After an expired session, the hub hands the messages it never saw acknowledged to the next
    /// session as offline messages: those the client had already received are not delivered again.
    #[tokio::test]
    async fn offline_copies_of_delivered_messages_are_skipped() {
        let delivered = Arc::default();
        // The first session got 7 and 8; the link broke before the acknowledgement.
        assert_eq!(
            read(&delivered, vec![peer_message(1, 7, false), peer_message(2, 8, false)]).await,
            [7, 8]
        );
        // The next session starts with the kept ones (7, 8, and 9 that never arrived), offline.
        let next = vec![peer_message(1, 7, true), peer_message(2, 8, true), peer_message(3, 9, true)];
        assert_eq!(read(&delivered, next).await, [9]);
        // Live messages are not looked up: ids are unique, a live one is never a copy.
        assert_eq!(read(&delivered, vec![peer_message(1, 10, false)]).await, [10]);
    }

    /// An error frame that names a request (the server could not read it) answers that request
    /// as refused; one without an id answers none.
    #[tokio::test]
    async fn an_error_frame_with_an_id_answers_its_request() {
        let pending = Pending::default();
        let (named, named_rx) = oneshot::channel();
        let (other, other_rx) = oneshot::channel();
        pending.lock().extend([(5, named), (6, other)]);
        let (inbox, _inbox_rx) = mpsc::channel(16);
        let (out, _out_rx) = mpsc::channel(16);
        let reader = Reader {
            pending,
            inbox,
            out,
            last_seq: Arc::default(),
            delivered: Arc::default(),
            options: WsOptions::default(),
        };
        let frames: Vec<WsMessageResult> = vec![
            Ok(WsMessage::text(r#"{"error":"bad_frame","id":5,"detail":"op: unknown"}"#)),
            Ok(WsMessage::text(r#"{"error":"bad_frame","detail":"not JSON"}"#)),
        ];
        reader.run(futures_util::stream::iter(frames)).await;
        assert_eq!(named_rx.await, Ok(Err(TransportError::Refused)));
        assert!(other_rx.await.is_err(), "unanswered: dropped when the link ended");
    }

    #[test]
    fn the_delivered_window_is_bounded() {
        let mut d = Delivered::default();
        for id in 0..DELIVERED_WINDOW as u64 + 10 {
            d.record(id, id);
        }
        assert_eq!(d.recent.len(), DELIVERED_WINDOW);
        assert!(!d.contains(9, 9) && d.contains(10, 10));
    }
}
