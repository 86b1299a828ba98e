//! The frames of a logged-in connection: requests handed to the hub and their replies,
//! acknowledgements, and frames the connection cannot use.

use std::collections::VecDeque;
use std::time::Instant;

use axum::extract::ws::Message as WsMessage;
use futures_util::FutureExt;

use super::hello::{protocol_error, send_text};
use super::{Conn, End, MAX_FRAMES_PER_FLUSH, Write};
use crate::hub::Handled;
use crate::hub::engine::PendingReply;
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
    ///
    /// Peer messages that wait for the engine do not hold up the frames behind them: each goes
    /// to the engine as it is read (in order, on the engine's ordered stream), and the replies
    /// are written in request order once the engine has answered, so a burst of sends costs
    /// one engine round trip and one write, not one of each per message. Any other request that
    /// waits for the engine (a logout, a join, an attribute update) is answered after every
    /// reply before it, and the frames behind it wait for its answer (a channel message sent
    /// after a join finds the join done).
    pub(super) async fn on_frames(&mut self, first: WsMessage) -> Option<End> {
        let mut next = Some(first);
        let mut handled = 0;
        // Replies in request order, from the first that still waits for the engine.
        let mut queued: VecDeque<Queued> = VecDeque::new();
        while let Some(msg) = next.take() {
            // Decided without awaiting: only the text to write lives across the writes below.
            let mut step = self.on_frame(msg);
            match step {
                Step::Pending(id, pending, Wait::Pipelined) => {
                    queued.push_back(Queued::Waiting(id, pending));
                    step = Step::Done;
                }
                // Nothing waits (always so without an engine): as it comes.
                Step::Done => {}
                _ if queued.is_empty() => {}
                Step::Reply(text) => {
                    queued.push_back(Queued::Ready(text));
                    step = Step::Done;
                }
                _ => {
                    if !self.answer_queued(&mut queued).await {
                        return Some(End::Park);
                    }
                }
            }
            if let Step::Pending(id, pending, wait) = step {
                // What earlier frames got goes out before the wait for the engine.
                if !self.write(Write::Flush).await {
                    return Some(End::Park);
                }
                let reply = pending.await;
                let logged_out = wait == Wait::Logout && reply == Reply::Ok;
                step = match wire::frame_text(&ReplyFrame { id, reply }) {
                    // A logout answered Ok ends the connection as one answered at once does.
                    Some(text) if logged_out => Step::LoggedOut(text),
                    Some(text) => Step::Reply(text),
                    None => Step::End,
                };
            }
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
                    // The requests before the bad frame are answered first.
                    if !queued.is_empty() {
                        self.answer_queued(&mut queued).await;
                    }
                    refuse_frame(&mut self.socket, e).await;
                    return Some(End::Park);
                }
                Some(None) => {
                    if !queued.is_empty() {
                        self.answer_queued(&mut queued).await;
                    }
                    self.write(Write::Flush).await;
                    return Some(End::Park);
                }
                None => None,
            };
        }
        if !queued.is_empty() && !self.answer_queued(&mut queued).await {
            return Some(End::Park);
        }
        if !self.write(Write::Flush).await {
            return Some(End::Park);
        }
        None
    }

    /// Writes the queued replies in request order, waiting for those the engine has not
    /// answered yet (what is written is flushed before such a wait); false if the socket
    /// failed. Replies that can no longer be written still run to their end (a peer message's
    /// steps after the engine's answer), as tasks of their own.
    async fn answer_queued(&mut self, queued: &mut VecDeque<Queued>) -> bool {
        while let Some(next) = queued.pop_front() {
            let text = match next {
                Queued::Ready(text) => text,
                Queued::Waiting(id, mut pending) => {
                    let reply = match (&mut pending).now_or_never() {
                        Some(reply) => reply,
                        None => {
                            if !self.write(Write::Flush).await {
                                queued.push_front(Queued::Waiting(id, pending));
                                let_go(queued);
                                return false;
                            }
                            pending.await
                        }
                    };
                    match wire::frame_text(&ReplyFrame { id, reply }) {
                        Some(text) => text,
                        None => {
                            let_go(queued);
                            return false;
                        }
                    }
                }
            };
            if !self.write_text(text, false).await {
                let_go(queued);
                return false;
            }
        }
        true
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
                let pipelined = matches!(request, Request::SendPeerMessage { .. });
                if logout {
                    // What was sent before the logout went out before its answer: the client has
                    // it (and, with an engine, it leaves the user's ledger before the logout).
                    self.shared.hub.acked(&self.session, &mut self.link.unacked, u64::MAX);
                }
                let handled = if metered {
                    let index = request.op_index();
                    let op = Request::OPS[index];
                    let started = Instant::now();
                    let handled = self.shared.hub.dispatch(&self.session, request);
                    crate::server::op_stats::record(index, started.elapsed());
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
                    Handled::Pending(pending) => {
                        let wait = if logout {
                            Wait::Logout
                        } else if pipelined {
                            Wait::Pipelined
                        } else {
                            Wait::InTurn
                        };
                        return Step::Pending(id, pending, wait);
                    }
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
    /// Queue the reply to request `id` once the engine has it, as `Wait` says.
    Pending(u64, PendingReply, Wait),
}

/// Lets the replies still queued run to their end without anyone to write them to.
fn let_go(queued: &mut VecDeque<Queued>) {
    for left in queued.drain(..) {
        if let Queued::Waiting(_, pending) = left {
            tokio::spawn(pending);
        }
    }
}

/// How a request that waits for the engine is handled (see [`Conn::on_frames`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// A peer message: the frames behind it are handled while it waits.
    Pipelined,
    /// Handled after every earlier reply, before the frames behind it.
    InTurn,
    /// A logout: in turn, and when answered Ok the reply is flushed and the connection closed.
    Logout,
}

/// A reply queued behind one that waits for the engine.
enum Queued {
    /// Known: its frame.
    Ready(String),
    /// The engine's answer to request `id`.
    Waiting(u64, PendingReply),
}
