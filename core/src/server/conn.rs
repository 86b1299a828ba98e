//! One WebSocket connection: hello, then requests, replies, events and acknowledgements.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use futures_util::SinkExt;

use super::{ConnGuard, Shared};
use crate::hub::{ParkedLink, Session};
use crate::protocol::wire::{
    self, ClientFrame, Control, ErrorFrame, EventFrame, Hello, ProtocolError, ReplyFrame, RequestFrame, close,
};
use crate::protocol::{Event, Reply, Request};
use crate::transport::{CloseReason, LoginRequest};

/// How a logged-in connection ended.
enum End {
    /// The link is gone or being handed over: keep the session for a resume.
    Park,
    /// The session is over (logout, kick, expiry): nothing to keep.
    Done,
}

/// Serves one upgraded socket until it closes.
pub(super) async fn serve(mut socket: WebSocket, shared: Arc<Shared>, _guard: ConnGuard) {
    let Some((session, link)) = hello(&mut socket, &shared).await else { return };
    let mut conn = Conn { socket, shared: shared.clone(), session: session.clone(), link, bad_frames: 0 };
    let end = conn.run().await;
    let Conn { link, .. } = conn;
    if let End::Park = end {
        shared.hub.park(&session, link);
    }
}

async fn send_json<T: serde::Serialize>(socket: &mut WebSocket, frame: &T) -> bool {
    match serde_json::to_string(frame) {
        Ok(text) => socket.send(WsMessage::text(text)).await.is_ok(),
        Err(_) => false,
    }
}

async fn close_with(socket: &mut WebSocket, code: u16, reason: &str) {
    ::metrics::counter!("sigshim_closes_total", "code" => code.to_string()).increment(1);
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = socket.send(WsMessage::Close(Some(frame))).await;
}

async fn protocol_error(socket: &mut WebSocket, error: ProtocolError, detail: String) {
    ::metrics::counter!("sigshim_protocol_errors_total", "kind" => format!("{error:?}")).increment(1);
    tracing::debug!(?error, %detail, "protocol error");
    send_json(socket, &ErrorFrame { error, detail }).await;
}

/// Waits for the login or resume; answers it and returns the session with its link state.
async fn hello(socket: &mut WebSocket, shared: &Shared) -> Option<(Arc<Session>, ParkedLink)> {
    let first = tokio::time::timeout(shared.config.handshake_timeout, socket.recv()).await;
    let text = match first {
        Err(_) => {
            tracing::debug!("no hello in time");
            close_with(socket, close::POLICY, "login expected").await;
            return None;
        }
        Ok(Some(Ok(WsMessage::Text(t)))) => t,
        Ok(Some(Ok(WsMessage::Binary(_)))) => {
            close_with(socket, close::UNSUPPORTED_DATA, "text frames only").await;
            return None;
        }
        Ok(_) => return None,
    };
    let hello = match wire::parse_client(&text) {
        Ok(ClientFrame::Hello(h)) => h,
        Ok(_) => {
            protocol_error(socket, ProtocolError::NotLoggedIn, "log in (or resume) first".into()).await;
            close_with(socket, close::POLICY, "login expected").await;
            return None;
        }
        Err(e) => {
            protocol_error(socket, ProtocolError::BadFrame, e.0).await;
            close_with(socket, close::POLICY, "login expected").await;
            return None;
        }
    };
    let id = hello.id();
    let (session, mut link, resumed, last_seq) = match hello {
        Hello::Login { app_id, user_id, token, .. } => {
            match shared.hub.login(&LoginRequest { app_id, user_id, token }) {
                Ok((session, rx)) => (session, ParkedLink::new(rx), false, 0),
                Err(e) => {
                    send_json(socket, &ReplyFrame { id, reply: Reply::error(e) }).await;
                    close_with(socket, close::NORMAL, "login refused").await;
                    return None;
                }
            }
        }
        Hello::Resume { session, last_seq, .. } => match shared.hub.resume(&session).await {
            Ok((session, link)) => (session, link, true, last_seq),
            Err(e) => {
                protocol_error(socket, ProtocolError::UnknownSession, e.to_string()).await;
                close_with(socket, close::POLICY, "unknown session").await;
                return None;
            }
        },
    };
    let reply = Reply::LoggedIn { session: shared.hub.ticket(&session), resumed };
    if !send_json(socket, &ReplyFrame { id, reply }).await {
        shared.hub.park(&session, link);
        return None;
    }
    // Replay what the previous link sent but the client never acknowledged.
    link.unacked.retain(|(seq, _)| *seq > last_seq);
    for (seq, event) in &link.unacked {
        let frame = EventFrame { seq: *seq, event: (**event).clone() };
        if !send_json(socket, &frame).await {
            shared.hub.park(&session, link);
            return None;
        }
    }
    Some((session, link))
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
        loop {
            let room = self.link.unacked.len() < self.shared.config.max_unacked;
            tokio::select! {
                biased;
                () = async { let _ = shutdown.wait_for(|s| *s).await; } => {
                    self.forward_ready().await;
                    close_with(&mut self.socket, close::GOING_AWAY, "server shutting down").await;
                    return End::Park;
                }
                _ = session.takeover_requested() => {
                    close_with(&mut self.socket, close::DROPPED, "resumed on another connection").await;
                    return End::Park;
                }
                frame = tokio::time::timeout(idle, self.socket.recv()) => match frame {
                    Err(_) => {
                        close_with(&mut self.socket, close::IDLE, "idle timeout").await;
                        return End::Park;
                    }
                    Ok(None | Some(Err(_))) => return End::Park,
                    Ok(Some(Ok(msg))) => {
                        if let Some(end) = self.on_frame(msg).await {
                            return end;
                        }
                    }
                },
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
        let seq = self.link.next_seq;
        self.link.next_seq += 1;
        let Ok(text) = serde_json::to_string(&EventFrame { seq, event: (*event).clone() }) else {
            return false;
        };
        self.link.unacked.push_back((seq, event));
        let msg = WsMessage::text(text);
        let ok = if flush { self.socket.send(msg).await } else { self.socket.feed(msg).await };
        ok.is_ok()
    }

    /// Sends every event already queued (up to the unacknowledged limit) and flushes once.
    async fn forward_ready(&mut self) -> bool {
        while self.link.unacked.len() < self.shared.config.max_unacked {
            match self.link.inbox.try_recv() {
                Ok(ev) => {
                    if !self.forward(ev, false).await {
                        return false;
                    }
                }
                Err(_) => break,
            }
        }
        self.socket.flush().await.is_ok()
    }

    /// The hub ended the session: say why and close.
    async fn session_over(&mut self) -> End {
        match self.session.close_reason() {
            Some(CloseReason::Kicked(reason)) => {
                send_json(&mut self.socket, &EventFrame { seq: 0, event: Event::Kicked { reason } }).await;
                close_with(&mut self.socket, close::KICKED, "session ended by the server").await;
            }
            Some(CloseReason::LoggedOut) => close_with(&mut self.socket, close::NORMAL, "logged out").await,
            Some(CloseReason::LinkLost) | None => {
                close_with(&mut self.socket, close::DROPPED, "link dropped by the server").await;
            }
        }
        End::Done
    }

    /// Handles one frame from the client; `Some` ends the connection.
    async fn on_frame(&mut self, msg: WsMessage) -> Option<End> {
        let text = match msg {
            WsMessage::Text(t) => t,
            WsMessage::Binary(_) => {
                close_with(&mut self.socket, close::UNSUPPORTED_DATA, "text frames only").await;
                return Some(End::Park);
            }
            WsMessage::Close(_) => return Some(End::Park),
            WsMessage::Ping(_) | WsMessage::Pong(_) => return None,
        };
        ::metrics::counter!("sigshim_frames_in_total").increment(1);
        match wire::parse_client(&text) {
            Ok(ClientFrame::Request(RequestFrame { id, request })) => {
                let logout = request == Request::Logout;
                let op = request.op_name();
                let started = Instant::now();
                let reply = self.shared.hub.handle(&self.session, request);
                ::metrics::histogram!("sigshim_request_seconds", "op" => op)
                    .record(started.elapsed().as_secs_f64());
                ::metrics::counter!("sigshim_requests_total", "op" => op).increment(1);
                if let Reply::Error { code } = reply {
                    ::metrics::counter!("sigshim_errors_total", "op" => op, "code" => code.to_string())
                        .increment(1);
                }
                let ok = reply == Reply::Ok;
                if !send_json(&mut self.socket, &ReplyFrame { id, reply }).await {
                    return Some(End::Park);
                }
                if logout && ok {
                    close_with(&mut self.socket, close::NORMAL, "logged out").await;
                    return Some(End::Done);
                }
            }
            Ok(ClientFrame::Control(Control::Ack { seq })) => {
                while self.link.unacked.front().is_some_and(|(s, _)| *s <= seq) {
                    self.link.unacked.pop_front();
                }
            }
            Ok(ClientFrame::Hello(_)) => {
                protocol_error(&mut self.socket, ProtocolError::AlreadyLoggedIn, "already logged in".into())
                    .await;
            }
            Err(e) => {
                protocol_error(&mut self.socket, ProtocolError::BadFrame, e.0).await;
                self.bad_frames += 1;
                if self.bad_frames > self.shared.config.max_bad_frames {
                    close_with(&mut self.socket, close::POLICY, "too many bad frames").await;
                    return Some(End::Park);
                }
            }
        }
        None
    }
}
