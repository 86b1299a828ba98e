//! The handshake: the first frame must log in or resume, and is answered before anything
//! else; a resumed session gets what its previous link left unacknowledged.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket};

use crate::hub::park::ParkedLink;
use crate::hub::{ResumeError, Session};
use crate::protocol::wire::{
    self, ClientFrame, ErrorFrame, EventFrameRef, Hello, ProtocolError, ReplyFrame, close,
};
use crate::protocol::{LoginRequest, Reply};
use crate::server::Shared;
use crate::server::edge::{CLOSE_TIMEOUT, close_socket, first_text};

/// Sends one frame's text (`None`: the frame could not be written); false when it failed or
/// could not go out within `limit` (a stuck link must never hold a session or a connection
/// slot). Callers make the text in a statement of its own, so that the frame is not kept in the
/// future across the send.
///
/// Not an `async fn`, which would keep the text twice: the future is the timed send itself.
pub(super) fn send_text(
    socket: &mut WebSocket,
    text: Option<String>,
    limit: Duration,
) -> impl Future<Output = bool> + Send + '_ {
    use futures_util::future::Either;
    use futures_util::{FutureExt, SinkExt};
    match text {
        Some(text) => Either::Left(
            tokio::time::timeout(limit, SinkExt::send(socket, WsMessage::text(text)))
                .map(|sent| matches!(sent, Ok(Ok(())))),
        ),
        None => Either::Right(std::future::ready(false)),
    }
}

/// Counts and logs a protocol error and makes the frame that reports it, with the `id` of the
/// frame it answers when that could be read (send it with [`send_text`]).
pub(super) fn protocol_error(error: ProtocolError, id: Option<u64>, detail: String) -> Option<String> {
    ::metrics::counter!("sigshim_protocol_errors_total", "kind" => format!("{error:?}")).increment(1);
    tracing::debug!(?error, ?id, %detail, "protocol error");
    wire::frame_text(&ErrorFrame { error, id, detail })
}

/// Waits for the login or resume; answers it and returns the session with its link state.
pub(super) async fn hello(socket: &mut WebSocket, shared: &Shared) -> Option<(Arc<Session>, ParkedLink)> {
    // Read in a future of its own: what reading needs is gone before the hello is answered.
    let hello = read_hello(socket, shared).await?;
    answer_hello(socket, shared, hello).await
}

/// Waits for the first frame, within the handshake timeout; the hello it holds, or `None` once
/// the connection is refused (anything else first, or nothing in time).
async fn read_hello(socket: &mut WebSocket, shared: &Shared) -> Option<Hello> {
    let deadline = tokio::time::Instant::now() + shared.config.handshake_timeout;
    let mut shutdown = shared.shutdown.clone();
    let shutdown = async move {
        // The flag only ever turns true: any change (or a sender gone) is the shutdown.
        let _ = shutdown.changed().await;
    };
    let text = first_text(socket, deadline, shutdown).await?;
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
            // Boxed: a resume is rare, and its wait would otherwise take room in every login.
            match Box::pin(shared.hub.resume(&session, token.as_deref())).await {
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
