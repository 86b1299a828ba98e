//! One WebSocket connection: hello, then requests, replies, events and acknowledgements.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::SinkExt;
use tracing::Instrument;

use super::Shared;
use super::edge::{Admission, CLOSE_TIMEOUT, close_socket, refuse_frame};
use crate::hub::park::ParkedLink;
use crate::hub::{ResumeError, Session};
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
pub(super) async fn serve(socket: WebSocket, shared: Arc<Shared>, admission: Admission, peer: SocketAddr) {
    let span = tracing::info_span!(
        "connection",
        %peer,
        user = tracing::field::Empty,
        session = tracing::field::Empty,
    );
    serve_in_span(socket, shared, admission).instrument(span).await;
}

async fn serve_in_span(mut socket: WebSocket, shared: Arc<Shared>, _admission: Admission) {
    let Some((session, link)) = hello(&mut socket, &shared).await else { return };
    let span = tracing::Span::current();
    span.record("user", tracing::field::display(session.user_id()));
    span.record("session", session.key());
    tracing::debug!("logged in");
    let mut conn = Conn { socket, shared: shared.clone(), session: session.clone(), link, bad_frames: 0 };
    let end = conn.run().await;
    let Conn { link, .. } = conn;
    match end {
        End::Park => {
            tracing::debug!("link lost; the session is parked for a resume");
            shared.hub.park(&session, link);
        }
        // Kicked or dropped by the server: what the client may not have received is kept.
        End::Done if session.close_reason() != Some(CloseReason::LoggedOut) => {
            tracing::debug!(reason = ?session.close_reason(), "session ended by the server");
            shared.hub.keep_undelivered(&session, link);
        }
        // Logged out: what was sent before the logout's answer reached the client, but what
        // was still queued never left, and its senders were told it was delivered.
        End::Done => {
            tracing::debug!("logged out");
            shared.hub.keep_queued(&session, link);
        }
    }
}

/// Sends one frame; false when it failed or could not go out within `limit` (a stuck link must
/// never hold a session or a connection slot).
async fn send_json<T: serde::Serialize>(socket: &mut WebSocket, frame: &T, limit: Duration) -> bool {
    match wire::frame_text(frame) {
        Some(text) => {
            matches!(tokio::time::timeout(limit, socket.send(WsMessage::text(text))).await, Ok(Ok(())))
        }
        None => false,
    }
}

/// Reports a protocol error, with the `id` of the frame it answers when that could be read;
/// false when the frame could not go out within `limit`.
async fn protocol_error(
    socket: &mut WebSocket,
    error: ProtocolError,
    id: Option<u64>,
    detail: String,
    limit: Duration,
) -> bool {
    ::metrics::counter!("sigshim_protocol_errors_total", "kind" => format!("{error:?}")).increment(1);
    tracing::debug!(?error, ?id, %detail, "protocol error");
    send_json(socket, &ErrorFrame { error, id, detail }, limit).await
}

/// Waits for the login or resume; answers it and returns the session with its link state.
async fn hello(socket: &mut WebSocket, shared: &Shared) -> Option<(Arc<Session>, ParkedLink)> {
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
            protocol_error(socket, ProtocolError::NotLoggedIn, id, detail, CLOSE_TIMEOUT).await;
            close_socket(socket, close::POLICY, "login expected").await;
            return None;
        }
        Err(_) => {
            let fault = wire::frame_fault(&text);
            protocol_error(socket, ProtocolError::BadFrame, fault.id, fault.to_string(), CLOSE_TIMEOUT).await;
            close_socket(socket, close::POLICY, "login expected").await;
            return None;
        }
    };
    let id = hello.id();
    let (session, mut link, resumed, last_seq) = match hello {
        Hello::Login { app_id, user_id, token, profile, .. } => {
            match shared.hub.login(&LoginRequest { app_id, user_id, token, profile }) {
                Ok((session, rx)) => (session, ParkedLink::new(rx), false, 0),
                Err(e) => {
                    send_json(socket, &ReplyFrame { id, reply: Reply::error(e) }, CLOSE_TIMEOUT).await;
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
                    protocol_error(socket, kind, None, e.to_string(), CLOSE_TIMEOUT).await;
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
    if !send_json(socket, &ReplyFrame { id, reply }, limit).await {
        shared.hub.park(&session, link);
        return None;
    }
    // Replay what the previous link sent but the client never acknowledged.
    link.unacked.acked(last_seq);
    let mut replayed = true;
    for (seq, event) in link.unacked.iter() {
        if !send_json(socket, &EventFrameRef { seq, event }, limit).await {
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
}

impl Conn {
    async fn run(&mut self) -> End {
        let mut shutdown = self.shared.shutdown.clone();
        let idle = self.shared.config.idle_timeout;
        let session = self.session.clone();
        // One timer for the whole connection, pushed back by every frame from the client.
        let idle_timer = tokio::time::sleep(idle);
        tokio::pin!(idle_timer);
        // Armed while the window is full: a client that lets it stay full this long is cut off.
        let stall_timer = tokio::time::sleep(idle);
        tokio::pin!(stall_timer);
        let mut stall = crate::window::StallWatch::default();
        loop {
            let room = self.has_room();
            let stalled = stall.update(room, stall_timer.as_mut(), self.shared.config.slow_consumer_timeout);
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
                () = &mut idle_timer => {
                    close_socket(&mut self.socket, close::IDLE, "idle timeout").await;
                    return End::Park;
                }
                () = &mut stall_timer, if stalled => {
                    tracing::info!(
                        unacked = self.link.unacked.len(),
                        unacked_bytes = self.link.unacked.bytes(),
                        "slow consumer: the window stayed full"
                    );
                    close_socket(&mut self.socket, close::SLOW_CONSUMER, "slow consumer").await;
                    return End::Park;
                }
                frame = self.socket.recv() => {
                    idle_timer.as_mut().reset(tokio::time::Instant::now() + idle);
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

    /// Sends one event (queued, or flushed when `flush`); false if the socket failed.
    async fn forward(&mut self, event: Arc<Event>, flush: bool) -> bool {
        let Some(text) = wire::event_frame_text(self.link.unacked.next_seq(), &event) else {
            return false;
        };
        let bytes = event.queued_bytes();
        self.link.unacked.sent(event, bytes);
        self.write_text(text, flush).await
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

    /// Writes one text frame (queued, or flushed when `flush`); false if the socket failed.
    async fn write_text(&mut self, text: String, flush: bool) -> bool {
        let msg = WsMessage::text(text);
        self.write(if flush { Write::Send(msg) } else { Write::Feed(msg) }).await
    }

    /// Performs one write. False when it fails, when it makes no progress within the idle
    /// timeout (a half-open link whose buffers are full: nothing is read on the other side), or
    /// when a resume asks for the session meanwhile. The link is then given up; the events it
    /// sent stay unacknowledged, for the next link to replay.
    async fn write(&mut self, op: Write) -> bool {
        let limit = self.shared.config.idle_timeout;
        let socket = &mut self.socket;
        let io = async move {
            match op {
                Write::Feed(msg) => socket.feed(msg).await,
                Write::Send(msg) => socket.send(msg).await,
                Write::Flush => socket.flush().await,
            }
        };
        tokio::pin!(io);
        // Most writes finish at once (into the buffer, or a socket with room): no timer for them.
        if let std::task::Poll::Ready(done) =
            std::future::poll_fn(|cx| std::task::Poll::Ready(io.as_mut().poll(cx))).await
        {
            return done.is_ok();
        }
        tokio::select! {
            biased;
            done = tokio::time::timeout(limit, io) => matches!(done, Ok(Ok(()))),
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

    /// Answers a frame it cannot use; too many of them (second hellos included) close the
    /// connection.
    async fn bad_frame(&mut self, error: ProtocolError, detail: String) -> Option<End> {
        self.bad_frame_of(error, None, detail).await
    }

    /// [`bad_frame`](Self::bad_frame) for a frame whose `id` could be read: the answer carries
    /// it, for the client waiting on that request.
    async fn bad_frame_of(&mut self, error: ProtocolError, id: Option<u64>, detail: String) -> Option<End> {
        let limit = self.shared.config.idle_timeout;
        if !protocol_error(&mut self.socket, error, id, detail, limit).await {
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
        use futures_util::FutureExt;
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next.take() {
            if let Some(end) = self.on_frame(msg).await {
                return Some(end);
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

    /// Handles one frame from the client (replies are queued, not flushed); `Some` ends the
    /// connection.
    async fn on_frame(&mut self, msg: WsMessage) -> Option<End> {
        let text = match msg {
            WsMessage::Text(t) => t,
            WsMessage::Binary(_) => {
                close_socket(&mut self.socket, close::UNSUPPORTED_DATA, "text frames only").await;
                return Some(End::Park);
            }
            WsMessage::Close(_) => return Some(End::Park),
            WsMessage::Ping(_) | WsMessage::Pong(_) => return None,
        };
        let metered = self.shared.config.prometheus.is_some();
        if metered {
            super::metrics::frames_in().increment(1);
        }
        match wire::parse_client(&text) {
            Ok(ClientFrame::Request(RequestFrame { id, request })) => {
                let logout = request == Request::Logout;
                let reply = if metered {
                    let op = request.op_name();
                    let started = Instant::now();
                    let reply = self.shared.hub.handle(&self.session, request);
                    let m = super::metrics::op_metrics(op);
                    m.latency.record(started.elapsed().as_secs_f64());
                    m.requests.increment(1);
                    if let Reply::Error { code } = reply {
                        ::metrics::counter!("sigshim_errors_total", "op" => op, "code" => code.to_string())
                            .increment(1);
                    }
                    reply
                } else {
                    self.shared.hub.handle(&self.session, request)
                };
                let ok = reply == Reply::Ok;
                if !self.write_frame(&ReplyFrame { id, reply }, false).await {
                    return Some(End::Park);
                }
                if logout && ok {
                    self.write(Write::Flush).await;
                    close_socket(&mut self.socket, close::NORMAL, "logged out").await;
                    return Some(End::Done);
                }
            }
            Ok(ClientFrame::Control(Control::Ack { seq })) => self.link.unacked.acked(seq),
            Ok(ClientFrame::Hello(_)) => {
                return self.bad_frame(ProtocolError::AlreadyLoggedIn, "already logged in".into()).await;
            }
            Err(_) => {
                let fault = wire::frame_fault(&text);
                return self.bad_frame_of(ProtocolError::BadFrame, fault.id, fault.to_string()).await;
            }
        }
        None
    }
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
}
