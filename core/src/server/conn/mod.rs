//! One WebSocket connection: hello, then requests, replies, events and acknowledgements.

mod frames;
mod hello;

use hello::hello;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::FutureExt;
use futures_util::future::{Either, OptionFuture};
use tracing::Instrument;

use super::Shared;
use super::edge::{Admission, close_socket, refuse_frame};
use crate::hub::Session;
use crate::hub::park::ParkedLink;
use crate::protocol::wire::{self, EventFrame, close};
use crate::protocol::{CloseReason, Event};

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
/// idle connection holds its task for as long as it lives). Giving the loop a task of its own
/// would free the handshake's room after the login, but the freed blocks, made and dropped
/// between every connection's long-lived allocations during a login burst, cost more than they
/// save: 5.4 KiB per idle connection against 3.7.
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

/// One write in progress: what `SinkExt::{feed, send, flush}` do, without keeping the message
/// twice.
struct SocketWrite<'a> {
    socket: &'a mut WebSocket,
    /// The frame still to hand to the socket.
    msg: Option<WsMessage>,
    /// Whether to flush once the frame is handed over.
    flush: bool,
}

impl SocketWrite<'_> {
    fn poll_write(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), axum::Error>> {
        use futures_util::Sink;
        use std::task::Poll;
        let mut sink = std::pin::Pin::new(&mut *self.socket);
        if let Some(m) = self.msg.take() {
            match sink.as_mut().poll_ready(cx) {
                Poll::Ready(Ok(())) => sink.as_mut().start_send(m)?,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    self.msg = Some(m);
                    return Poll::Pending;
                }
            }
        }
        if self.flush { sink.poll_flush(cx) } else { Poll::Ready(Ok(())) }
    }
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
                // The flag only ever turns true, so any change (or a sender gone) is the
                // shutdown; a clone of the server's receiver sees one that came before it.
                _ = shutdown.changed() => {
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
                    // Once per session: boxed, for the reason given at `write`.
                    None => return Box::pin(self.session_over()).await,
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
    ///
    /// Not an `async fn` (which would keep `op` twice): the future holds the write itself and,
    /// only while the socket has no room, a box with the timer and the wait for a takeover. A
    /// future keeps room for its largest state for as long as it lives, and a connection's
    /// lives as long as the connection: waits it rarely reaches are boxed when reached.
    fn write(&mut self, op: Write) -> impl Future<Output = bool> + Send + '_ {
        let limit = self.shared.config.idle_timeout;
        let (msg, flush) = match op {
            Write::Feed(msg) => (Some(msg), false),
            Write::Send(msg) => (Some(msg), true),
            Write::Flush => (None, true),
        };
        let session = &self.session;
        let mut io = SocketWrite { socket: &mut self.socket, msg, flush };
        async move {
            use std::task::Poll;
            // Most writes finish at once (into the buffer, or a socket with room): no timer
            // for them.
            if let Poll::Ready(done) = std::future::poll_fn(|cx| Poll::Ready(io.poll_write(cx))).await {
                return done.is_ok();
            }
            Box::pin(async move {
                tokio::select! {
                    biased;
                    done = tokio::time::timeout(limit, std::future::poll_fn(|cx| io.poll_write(cx))) => {
                        matches!(done, Ok(Ok(())))
                    }
                    // A stuck write must not hold the session: hand it over (a notification
                    // that loses this race is kept for the loop in `run`).
                    () = session.takeover_requested() => {
                        tracing::debug!(user = %session.user_id(), "write abandoned: session taken over");
                        false
                    }
                }
            })
            .await
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
    /// handshake's state and the loop's must not add up, and rare waits with a timer (closing,
    /// a write to a full socket, a resume) are boxed (about 1 300 bytes; 1 660 before those
    /// were boxed, 3 600 when the two states added up).
    #[test]
    fn a_connection_future_stays_small() {
        let size = future_size(serve);
        assert!(size <= 1_536, "the connection future takes {size} bytes");
    }
}
