//! The frames of a logged-in connection: requests handed to the hub and their replies,
//! acknowledgements, and frames the connection cannot use.

use std::time::Instant;

use axum::extract::ws::Message as WsMessage;
use futures_util::FutureExt;

use super::hello::{protocol_error, send_text};
use super::{Conn, End, MAX_FRAMES_PER_FLUSH, Write};
use crate::hub::Handled;
use crate::protocol::wire::{self, ClientFrame, Control, ProtocolError, ReplyFrame, RequestFrame, close};
use crate::protocol::{Reply, Request};
use crate::server::edge::{close_socket, refuse_frame};

impl Conn {
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
    pub(super) async fn on_frames(&mut self, first: WsMessage) -> Option<End> {
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next.take() {
            // Decided without awaiting: only the text to write lives across the writes below.
            let step = match self.on_frame(msg) {
                Step::Pending(id, pending, logout) => {
                    // What earlier frames got goes out before the wait for the engine.
                    if !self.write(Write::Flush).await {
                        return Some(End::Park);
                    }
                    let reply = pending.await;
                    let logged_out = logout && reply == Reply::Ok;
                    match wire::frame_text(&ReplyFrame { id, reply }) {
                        // A logout answered Ok ends the connection as one answered at once does.
                        Some(text) if logged_out => Step::LoggedOut(text),
                        Some(text) => Step::Reply(text),
                        None => Step::End,
                    }
                }
                step => step,
            };
            match step {
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
                    // Rare, and with a timer: boxed (see `Conn::write`).
                    if let Some(end) = Box::pin(self.bad_frame_of(error, id, detail)).await {
                        return Some(end);
                    }
                }
                Step::Close(code, reason) => {
                    close_socket(&mut self.socket, code, reason).await;
                    return Some(End::Park);
                }
                Step::End | Step::Pending(..) => return Some(End::Park),
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
            crate::server::metrics::frames_in().increment(1);
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
                    let m = crate::server::metrics::op_metrics(op);
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
