//! One WebSocket connection: hello, then requests, replies, events and acknowledgements.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::FutureExt;
use futures_util::future::{Either, OptionFuture};
use tracing::Instrument;

use super::Shared;
use super::edge::{Admission, CLOSE_TIMEOUT, close_socket, refuse_frame};
use crate::hub::park::ParkedLink;
use crate::hub::{Handled, ResumeError, Session};
use crate::protocol::wire::{
    self, ClientFrame, Control, ErrorFrame, EventFrame, EventFrameRef, Hello, ProtocolError, ReplyFrame,
    RequestFrame, close,
};
use crate::protocol::{CloseReason, LoginRequest};
use crate::protocol::{Event, Reply, Request};

/// How a logged-in connection ended.
enum End {
    /// The link is gone or being handed over: keep the session for a resume.
    Park,
    /// The session is over (logout, kick, expiry): nothing to keep.
    Done,
}

/// Serves one upgraded socket until it closes, inside a `connection` span (the peer's address,
/// then the user and the session's number once the hello is answered), so every log line of the
/// connection says whose it is.
///
/// The handshake and the logged-in loop are two futures run one after the other
/// ([`then`](FutureExt::then)): the connection's task holds the larger of the two, not both (an
/// idle connection holds its task for as long as it lives).
pub(super) fn serve(
    socket: WebSocket,
    shared: Arc<Shared>,
    admission: Admission,
    peer: SocketAddr,
) -> impl Future<Output = ()> + Send {
    let span = tracing::info_span!(
        "connection",
        %peer,
        user = tracing::field::Empty,
        session = tracing::field::Empty,
    );
    login(socket, shared, admission)
        .then(|conn| OptionFuture::from(conn.map(Conn::serve)))
        .map(|_| ())
        .instrument(span)
}

/// Answers the hello; the logged-in connection, or `None` when the connection ended there.
///
/// Not an `async fn`: its arguments would be kept twice in the future (as arguments, then as
/// the body's locals); the block below keeps them once.
#[allow(clippy::manual_async_fn, reason = "an `async fn` would keep its arguments twice")]
fn login(
    mut socket: WebSocket,
    shared: Arc<Shared>,
    admission: Admission,
) -> impl Future<Output = Option<Conn>> + Send {
    async move {
        let (session, link) = hello(&mut socket, &shared).await?;
        let span = tracing::Span::current();
        span.record("user", tracing::field::display(session.user_id()));
        span.record("session", session.key());
        tracing::debug!("logged in");
        Some(Conn { socket, shared, session, link, bad_frames: 0, _admission: admission })
    }
}

/// Sends one frame's text (`None`: the frame could not be written); false when it failed or
/// could not go out within `limit` (a stuck link must never hold a session or a connection
/// slot). Callers make the text in a statement of its own, so that the frame is not kept in the
/// future across the send.
async fn send_text(socket: &mut WebSocket, text: Option<String>, limit: Duration) -> bool {
    match text {
        Some(text) => {
            matches!(tokio::time::timeout(limit, socket.send(WsMessage::text(text))).await, Ok(Ok(())))
        }
        None => false,
    }
}

/// Counts and logs a protocol error and makes the frame that reports it, with the `id` of the
/// frame it answers when that could be read (send it with [`send_text`]).
fn protocol_error(error: ProtocolError, id: Option<u64>, detail: String) -> Option<String> {
    ::metrics::counter!("sigshim_protocol_errors_total", "kind" => format!("{error:?}")).increment(1);
    tracing::debug!(?error, ?id, %detail, "protocol error");
    wire::frame_text(&ErrorFrame { error, id, detail })
}

/// Waits for the login or resume; answers it and returns the session with its link state.
async fn hello(socket: &mut WebSocket, shared: &Shared) -> Option<(Arc<Session>, ParkedLink)> {
    // Read in a future of its own: what reading needs is gone before the hello is answered.
    let hello = read_hello(socket, shared).await?;
    answer_hello(socket, shared, hello).await
}

/// Waits for the first frame, within the handshake timeout; the hello it holds, or `None` once
/// the connection is refused (anything else first, or nothing in time).
async fn read_hello(socket: &mut WebSocket, shared: &Shared) -> Option<Hello> {
    let deadline = tokio::time::Instant::now() + shared.config.handshake_timeout;
    let mut shutdown = shared.shutdown.clone();
    let text = loop {
        let first = tokio::select! {
            biased;
            () = async { let _ = shutdown.wait_for(|s| *s).await; } => {
                close_socket(socket, close::GOING_AWAY, "server shutting down").await;
                return None;
            }
            first = tokio::time::timeout_at(deadline, socket.recv()) => first,
        };
        match first {
            Err(_) => {
                tracing::debug!("no hello in time");
                close_socket(socket, close::POLICY, "login expected").await;
                return None;
            }
            Ok(Some(Ok(WsMessage::Text(t)))) => break t,
            Ok(Some(Ok(WsMessage::Binary(_)))) => {
                close_socket(socket, close::UNSUPPORTED_DATA, "text frames only").await;
                return None;
            }
            // Answered by the WebSocket layer; the hello is still due by the deadline.
            Ok(Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_)))) => {}
            Ok(Some(Err(e))) => {
                refuse_frame(socket, e).await;
                return None;
            }
            Ok(Some(Ok(WsMessage::Close(_))) | None) => return None,
        }
    };
    let hello = match wire::parse_client(&text) {
        Ok(ClientFrame::Hello(h)) => h,
        Ok(frame) => {
            let id = match frame {
                ClientFrame::Request(r) => Some(r.id),
                _ => None,
            };
            let detail = "log in (or resume) first".into();
            let text = protocol_error(ProtocolError::NotLoggedIn, id, detail);
            send_text(socket, text, CLOSE_TIMEOUT).await;
            close_socket(socket, close::POLICY, "login expected").await;
            return None;
        }
        Err(_) => {
            let fault = wire::frame_fault(&text);
            let text = protocol_error(ProtocolError::BadFrame, fault.id, fault.to_string());
            send_text(socket, text, CLOSE_TIMEOUT).await;
            close_socket(socket, close::POLICY, "login expected").await;
            return None;
        }
    };
    Some(hello)
}

/// Opens or resumes the session a hello asks for and answers it, then replays what the
/// previous link left unacknowledged.
async fn answer_hello(
    socket: &mut WebSocket,
    shared: &Shared,
    hello: Hello,
) -> Option<(Arc<Session>, ParkedLink)> {
    let id = hello.id();
    let (session, mut link, resumed, last_seq) = match hello {
        Hello::Login { app_id, user_id, token, profile, .. } => {
            match shared.hub.login_async(&LoginRequest { app_id, user_id, token, profile }).await {
                Ok((session, rx)) => (session, ParkedLink::new(rx), false, 0),
                Err(e) => {
                    let text = wire::frame_text(&ReplyFrame { id, reply: Reply::error(e) });
                    send_text(socket, text, CLOSE_TIMEOUT).await;
                    close_socket(socket, close::NORMAL, "login refused").await;
                    return None;
                }
            }
        }
        Hello::Resume { session, last_seq, token, .. } => {
            match shared.hub.resume(&session, token.as_deref()).await {
                Ok((session, link)) => (session, link, true, last_seq),
                Err(e) => {
                    let kind = match e {
                        ResumeError::UnknownSession => ProtocolError::UnknownSession,
                        ResumeError::Busy => ProtocolError::SessionBusy,
                    };
                    let text = protocol_error(kind, None, e.to_string());
                    send_text(socket, text, CLOSE_TIMEOUT).await;
                    close_socket(socket, close::POLICY, "cannot resume").await;
                    return None;
                }
            }
        }
    };
    let window = shared.config.max_unacked;
    let max_frame = shared.config.max_frame_bytes;
    let sizes = Some(crate::protocol::SessionSizes::of(shared.hub.limits_of(&session)));
    let reply = Reply::LoggedIn { session: shared.hub.ticket(&session), resumed, window, max_frame, sizes };
    let limit = shared.config.idle_timeout;
    let text = wire::frame_text(&ReplyFrame { id, reply });
    if !send_text(socket, text, limit).await {
        shared.hub.park(&session, link);
        return None;
    }
    // Replay what the previous link sent but the client never acknowledged.
    shared.hub.acked(&session, &mut link.unacked, last_seq);
    let mut replayed = true;
    for (seq, event) in link.unacked.iter() {
        let text = wire::frame_text(&EventFrameRef { seq, event });
        if !send_text(socket, text, limit).await {
            replayed = false;
            break;
        }
    }
    if !replayed {
        shared.hub.park(&session, link);
        return None;
    }
    Some((session, link))
}

/// Frames handled between two flushes of their replies.
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// One write to a logged-in connection's socket.
enum Write {
    /// Queue a frame.
    Feed(WsMessage),
    /// Queue a frame and flush.
    Send(WsMessage),
    /// Flush what is queued.
    Flush,
}

struct Conn {
    socket: WebSocket,
    shared: Arc<Shared>,
    session: Arc<Session>,
    link: ParkedLink,
    bad_frames: u32,
    _admission: Admission,
}

impl Conn {
    /// Serves the logged-in connection until it ends, then parks or closes its session (not
    /// an `async fn`, for the reason given at [`login`]).
    #[allow(clippy::manual_async_fn, reason = "an `async fn` would keep `self` twice")]
    fn serve(mut self) -> impl Future<Output = ()> + Send {
        async move {
            let end = self.run().await;
            let Conn { link, session, shared, .. } = self;
            match end {
                End::Park => {
                    tracing::debug!("link lost; the session is parked for a resume");
                    shared.hub.park(&session, link);
                }
                // Kicked or dropped by the server: what the client may not have received is
                // kept.
                End::Done if session.close_reason() != Some(CloseReason::LoggedOut) => {
                    tracing::debug!(reason = ?session.close_reason(), "session ended by the server");
                    shared.hub.keep_undelivered(&session, link);
                }
                // Logged out: what was sent before the logout's answer reached the client, but
                // what was still queued never left, and its senders were told it was delivered.
                End::Done => {
                    tracing::debug!("logged out");
                    shared.hub.keep_queued(&session, link);
                }
            }
        }
    }

    async fn run(&mut self) -> End {
        let mut shutdown = self.shared.shutdown.clone();
        let idle = self.shared.config.idle_timeout;
        let session = self.session.clone();
        // One timer for the whole connection, at the earlier of two deadlines: the idle one,
        // pushed back by every frame from the client, and, while the window is full, the
        // stall one (a client that lets the window stay full this long is cut off).
        let mut idle_at = tokio::time::Instant::now() + idle;
        let mut stall_at: Option<tokio::time::Instant> = None;
        let timer = tokio::time::sleep_until(idle_at);
        tokio::pin!(timer);
        loop {
            let room = self.has_room();
            if room {
                stall_at = None;
            } else if stall_at.is_none() {
                stall_at = Some(tokio::time::Instant::now() + self.shared.config.slow_consumer_timeout);
            }
            let due = stall_at.map_or(idle_at, |at| at.min(idle_at));
            if timer.deadline() != due {
                timer.as_mut().reset(due);
            }
            tokio::select! {
                biased;
                () = async { let _ = shutdown.wait_for(|s| *s).await; } => {
                    self.flush_queued().await;
                    close_socket(&mut self.socket, close::GOING_AWAY, "server shutting down").await;
                    return End::Park;
                }
                _ = session.takeover_requested() => {
                    close_socket(&mut self.socket, close::DROPPED, "resumed on another connection").await;
                    return End::Park;
                }
                () = &mut timer => {
                    if timer.deadline() >= idle_at {
                        close_socket(&mut self.socket, close::IDLE, "idle timeout").await;
                    } else {
                        tracing::info!(
                            unacked = self.link.unacked.len(),
                            unacked_bytes = self.link.unacked.bytes(),
                            "slow consumer: the window stayed full"
                        );
                        close_socket(&mut self.socket, close::SLOW_CONSUMER, "slow consumer").await;
                    }
                    return End::Park;
                }
                frame = self.socket.recv() => {
                    idle_at = tokio::time::Instant::now() + idle;
                    match frame {
                        None => return End::Park,
                        Some(Err(e)) => {
                            refuse_frame(&mut self.socket, e).await;
                            return End::Park;
                        }
                        Some(Ok(msg)) => {
                            if let Some(end) = self.on_frames(msg).await {
                                return end;
                            }
                        }
                    }
                }
                ev = self.link.inbox.recv(), if room => match ev {
                    Some(ev) => {
                        if !self.forward(ev, false).await || !self.forward_ready().await {
                            return End::Park;
                        }
                    }
                    None => return self.session_over().await,
                },
            }
        }
    }

    /// Sends one event (queued, or flushed when `flush`); false if the socket failed. Not an
    /// `async fn`, for the reason given at [`write_text`](Self::write_text).
    fn forward(&mut self, event: Arc<Event>, flush: bool) -> impl Future<Output = bool> + Send + '_ {
        let text = wire::event_frame_text(self.link.unacked.next_seq(), &event);
        match text {
            Some(text) => {
                let bytes = event.queued_bytes();
                self.link.unacked.sent(event, bytes);
                Either::Left(self.write_text(text, flush))
            }
            None => Either::Right(std::future::ready(false)),
        }
    }

    /// True while the client may be sent more: fewer unacknowledged events than the window,
    /// and less than its bytes.
    fn has_room(&self) -> bool {
        let config = &self.shared.config;
        !self.link.unacked.is_full(config.max_unacked, config.max_unacked_bytes)
    }

    /// Writes a reply or notice (queued, or flushed when `flush`); false if the socket failed.
    async fn write_frame<T: serde::Serialize>(&mut self, frame: &T, flush: bool) -> bool {
        match wire::frame_text(frame) {
            Some(text) => self.write_text(text, flush).await,
            None => false,
        }
    }

    /// Writes one text frame (queued, or flushed when `flush`); false if the socket failed. Not
    /// an `async fn`: the future is the write's own, with no second copy of the frame.
    fn write_text(&mut self, text: String, flush: bool) -> impl Future<Output = bool> + Send + '_ {
        let msg = WsMessage::text(text);
        self.write(if flush { Write::Send(msg) } else { Write::Feed(msg) })
    }

    /// Performs one write. False when it fails, when it makes no progress within the idle
    /// timeout (a half-open link whose buffers are full: nothing is read on the other side), or
    /// when a resume asks for the session meanwhile. The link is then given up; the events it
    /// sent stay unacknowledged, for the next link to replay.
    async fn write(&mut self, op: Write) -> bool {
        use futures_util::Sink;
        use std::task::Poll;
        let limit = self.shared.config.idle_timeout;
        let (mut msg, flush) = match op {
            Write::Feed(msg) => (Some(msg), false),
            Write::Send(msg) => (Some(msg), true),
            Write::Flush => (None, true),
        };
        let socket = &mut self.socket;
        // What `SinkExt::{feed, send, flush}` do, without keeping the message twice.
        let mut io = std::future::poll_fn(move |cx| {
            let mut sink = std::pin::Pin::new(&mut *socket);
            if let Some(m) = msg.take() {
                match sink.as_mut().poll_ready(cx) {
                    Poll::Ready(Ok(())) => sink.as_mut().start_send(m)?,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => {
                        msg = Some(m);
                        return Poll::Pending;
                    }
                }
            }
            if flush { sink.poll_flush(cx) } else { Poll::Ready(Ok(())) }
        });
        // Most writes finish at once (into the buffer, or a socket with room): no timer for them.
        if let Poll::Ready(done) =
            std::future::poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut io).poll(cx))).await
        {
            return done.is_ok();
        }
        tokio::select! {
            biased;
            done = tokio::time::timeout(limit, &mut io) => matches!(done, Ok(Ok(()))),
            // A stuck write must not hold the session: hand it over (a notification that loses
            // this race is kept for the loop in `run`).
            () = self.session.takeover_requested() => {
                tracing::debug!(user = %self.session.user_id(), "write abandoned: session taken over");
                false
            }
        }
    }

    /// Sends every event already queued (up to the unacknowledged limit) and flushes once.
    async fn forward_ready(&mut self) -> bool {
        while self.has_room() {
            match self.link.inbox.try_recv() {
                Ok(ev) => {
                    if !self.forward(ev, false).await {
                        return false;
                    }
                }
                Err(_) => break,
            }
        }
        self.write(Write::Flush).await
    }

    /// Sends every event queued now, past the unacknowledged limit (the link ends anyway, and
    /// the client would otherwise wait for a resume to get them), and flushes.
    async fn flush_queued(&mut self) -> bool {
        for _ in 0..self.link.inbox.len() {
            let Ok(ev) = self.link.inbox.try_recv() else { break };
            if !self.forward(ev, false).await {
                return false;
            }
        }
        self.write(Write::Flush).await
    }

    /// The hub ended the session: say why and close.
    async fn session_over(&mut self) -> End {
        match self.session.close_reason() {
            Some(CloseReason::Kicked(reason)) => {
                self.write_frame(&EventFrame { seq: 0, event: Event::Kicked { reason } }, true).await;
                close_socket(&mut self.socket, close::KICKED, "session ended by the server").await;
            }
            Some(CloseReason::LoggedOut) => close_socket(&mut self.socket, close::NORMAL, "logged out").await,
            Some(CloseReason::LinkLost) | None => {
                close_socket(&mut self.socket, close::DROPPED, "link dropped by the server").await;
            }
        }
        End::Done
    }

    /// Answers a frame it cannot use, with the `id` of the frame when that could be read (for
    /// the client waiting on that request); too many of them (second hellos included) close the
    /// connection.
    async fn bad_frame_of(&mut self, error: ProtocolError, id: Option<u64>, detail: String) -> Option<End> {
        let limit = self.shared.config.idle_timeout;
        let text = protocol_error(error, id, detail);
        if !send_text(&mut self.socket, text, limit).await {
            return Some(End::Park);
        }
        self.bad_frames += 1;
        if self.bad_frames > self.shared.config.max_bad_frames {
            close_socket(&mut self.socket, close::POLICY, "too many bad frames").await;
            return Some(End::Park);
        }
        None
    }

    /// Handles a frame and every further frame already received, then flushes the replies
    /// once (a client with many requests in flight gets them in few writes); `Some` ends the
    /// connection.
    async fn on_frames(&mut self, first: WsMessage) -> Option<End> {
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next.take() {
            // Decided without awaiting: only the text to write lives across the writes below.
            match self.on_frame(msg) {
                Step::Done => {}
                Step::Reply(text) => {
                    if !self.write_text(text, false).await {
                        return Some(End::Park);
                    }
                }
                Step::LoggedOut(text) => {
                    if !self.write_text(text, false).await {
                        return Some(End::Park);
                    }
                    self.write(Write::Flush).await;
                    close_socket(&mut self.socket, close::NORMAL, "logged out").await;
                    return Some(End::Done);
                }
                Step::Bad(error, id, detail) => {
                    if let Some(end) = self.bad_frame_of(error, id, detail).await {
                        return Some(end);
                    }
                }
                Step::Close(code, reason) => {
                    close_socket(&mut self.socket, code, reason).await;
                    return Some(End::Park);
                }
                Step::End => return Some(End::Park),
                Step::Pending(id, pending, logout) => {
                    // What earlier frames got goes out before the wait for the engine.
                    if !self.write(Write::Flush).await {
                        return Some(End::Park);
                    }
                    let reply = pending.await;
                    let logged_out = logout && reply == Reply::Ok;
                    let Some(text) = wire::frame_text(&ReplyFrame { id, reply }) else {
                        return Some(End::Park);
                    };
                    if !self.write_text(text, logged_out).await {
                        return Some(End::Park);
                    }
                    if logged_out {
                        close_socket(&mut self.socket, close::NORMAL, "logged out").await;
                        return Some(End::Done);
                    }
                }
            }
            handled += 1;
            if handled == MAX_FRAMES_PER_FLUSH {
                break;
            }
            // Only what is already here: never wait.
            next = match self.socket.recv().now_or_never() {
                Some(Some(Ok(msg))) => Some(msg),
                Some(Some(Err(e))) => {
                    refuse_frame(&mut self.socket, e).await;
                    return Some(End::Park);
                }
                Some(None) => {
                    self.write(Write::Flush).await;
                    return Some(End::Park);
                }
                None => None,
            };
        }
        if !self.write(Write::Flush).await {
            return Some(End::Park);
        }
        None
    }

    /// Handles one frame from the client and says what to write or whether to end; nothing is
    /// awaited here, so the request and its reply never live across a write.
    fn on_frame(&mut self, msg: WsMessage) -> Step {
        let text = match msg {
            WsMessage::Text(t) => t,
            WsMessage::Binary(_) => return Step::Close(close::UNSUPPORTED_DATA, "text frames only"),
            WsMessage::Close(_) => return Step::End,
            WsMessage::Ping(_) | WsMessage::Pong(_) => return Step::Done,
        };
        let metered = self.shared.config.prometheus.is_some();
        if metered {
            super::metrics::frames_in().increment(1);
        }
        match wire::parse_client(&text) {
            Ok(ClientFrame::Request(RequestFrame { id, request })) => {
                let logout = request == Request::Logout;
                if logout {
                    // What was sent before the logout went out before its answer: the client has
                    // it (and, with an engine, it leaves the user's ledger before the logout).
                    self.shared.hub.acked(&self.session, &mut self.link.unacked, u64::MAX);
                }
                let handled = if metered {
                    let op = request.op_name();
                    let started = Instant::now();
                    let handled = self.shared.hub.dispatch(&self.session, request);
                    let m = super::metrics::op_metrics(op);
                    m.latency.record(started.elapsed().as_secs_f64());
                    m.requests.increment(1);
                    if let Handled::Ready(Reply::Error { code }) = handled {
                        ::metrics::counter!("sigshim_errors_total", "op" => op, "code" => code.to_string())
                            .increment(1);
                    }
                    handled
                } else {
                    self.shared.hub.dispatch(&self.session, request)
                };
                let reply = match handled {
                    Handled::Ready(reply) => reply,
                    // Only requests that need the engine wait (a logout, for Redis to let go).
                    Handled::Pending(pending) => return Step::Pending(id, pending, logout),
                };
                let ok = reply == Reply::Ok;
                match wire::frame_text(&ReplyFrame { id, reply }) {
                    Some(text) if logout && ok => Step::LoggedOut(text),
                    Some(text) => Step::Reply(text),
                    None => Step::End,
                }
            }
            Ok(ClientFrame::Control(Control::Ack { seq })) => {
                self.shared.hub.acked(&self.session, &mut self.link.unacked, seq);
                Step::Done
            }
            Ok(ClientFrame::Hello(_)) => {
                Step::Bad(ProtocolError::AlreadyLoggedIn, None, "already logged in".into())
            }
            Err(_) => {
                let fault = wire::frame_fault(&text);
                Step::Bad(ProtocolError::BadFrame, fault.id, fault.to_string())
            }
        }
    }
}

/// What one frame from the client calls for (see [`Conn::on_frame`]).
enum Step {
    /// Nothing to write.
    Done,
    /// Queue this reply.
    Reply(String),
    /// Queue the logout's answer, flush it and close.
    LoggedOut(String),
    /// Answer a frame that cannot be used (see [`Conn::bad_frame_of`]).
    Bad(ProtocolError, Option<u64>, String),
    /// Close with this code and reason.
    Close(u16, &'static str),
    /// End the link without a word.
    End,
    /// Queue the reply to request `id` once the engine has it; for a logout (`true`) that was
    /// answered Ok, flush it and close.
    Pending(u64, crate::hub::engine::PendingReply, bool),
}

#[cfg(test)]
mod tests {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};

    use super::*;

    fn code(error: impl Into<axum::BoxError>) -> Option<u16> {
        super::super::edge::refusal(axum::Error::new(error)).map(|(code, _)| code)
    }

    #[test]
    fn read_errors_that_are_the_clients_fault_have_a_close_code() {
        let too_big = WsError::Capacity(CapacityError::MessageTooLong { size: 9, max_size: 8 });
        assert_eq!(code(too_big), Some(close::TOO_BIG));
        assert_eq!(code(WsError::Utf8("invalid".into())), Some(close::INVALID_PAYLOAD));
        assert_eq!(code(WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake)), None);
        assert_eq!(code(WsError::ConnectionClosed), None);
        assert_eq!(code(std::io::Error::other("not from the WebSocket layer")), None);
    }

    /// The size of the future a function of four arguments returns.
    fn future_size<A, B, C, D, F: std::future::Future>(_: impl FnOnce(A, B, C, D) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// An idle connection holds its task, and so this future, for as long as it lives: the
    /// handshake's state and the loop's must not add up (about 1 600 bytes when they do not; 3 600
    /// when they did).
    #[test]
    fn a_connection_future_stays_small() {
        let size = future_size(serve);
        assert!(size <= 2_048, "the connection future takes {size} bytes");
    }
}
