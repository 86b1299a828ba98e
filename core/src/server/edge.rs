//! Endpoints mounted beside the core protocol: what they get from the server, so that their
//! connections count against the same caps, show in the same `/metrics`, and stop with it.
//!
//! ```
//! use axum::extract::State;
//! use axum::extract::ws::WebSocketUpgrade;
//! use axum::routing::get;
//! use sigshim::server::{Edge, Server, ServerConfig};
//! use sigshim::{Hub, HubConfig};
//!
//! /// Says hello on every connection, then closes it.
//! async fn hello(State(edge): State<Edge>, ws: WebSocketUpgrade) -> axum::response::Response {
//!     edge.accept(ws, |mut socket, _admission| async move {
//!         let _ = socket.send(axum::extract::ws::Message::text("hello")).await;
//!     })
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let hub = Hub::new(HubConfig::new("my-app"));
//! let server = Server::builder(hub, ServerConfig::new("127.0.0.1:0".parse().unwrap()))
//!     .mount(|edge| axum::Router::new().route("/hello", get(hello)).with_state(edge))
//!     .bind()
//!     .await?;
//! server.shutdown().await;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;

use super::{ConnGuard, ServerConfig, Shared};
use crate::hub::Hub;
use crate::protocol::wire::close;

/// The server as an endpoint mounted on it sees it (see [`ServerBuilder::mount`]).
///
/// [`ServerBuilder::mount`]: super::ServerBuilder::mount
#[derive(Clone, Debug)]
pub struct Edge {
    pub(super) shared: Arc<Shared>,
}

/// One admitted connection: counted against
/// [`max_connections`](ServerConfig::max_connections) and in `/metrics` until dropped.
pub struct Admission {
    _guard: ConnGuard,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Admission")
    }
}

impl Edge {
    /// The hub the server serves.
    pub fn hub(&self) -> &Hub {
        &self.shared.hub
    }

    /// The server's limits and timeouts.
    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// True once the server has begun to shut down.
    pub fn is_shutting_down(&self) -> bool {
        *self.shared.shutdown.borrow()
    }

    /// Waits until the server begins to shut down: a connection then says goodbye and ends
    /// (the server waits for every admitted connection before [`shutdown`] returns).
    ///
    /// [`shutdown`]: super::Server::shutdown
    pub async fn shutting_down(&self) {
        let mut stop = self.shared.shutdown.clone();
        let _ = stop.wait_for(|s| *s).await;
    }

    /// Upgrades an HTTP request to a WebSocket served by `serve`, under the server's frame and
    /// buffer limits. Answers 503 instead while the server shuts down or is full
    /// ([`max_connections`](ServerConfig::max_connections), counted across every endpoint).
    pub fn accept<F, Fut>(&self, ws: WebSocketUpgrade, serve: F) -> Response
    where
        F: FnOnce(WebSocket, Admission) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let shared = &self.shared;
        if self.is_shutting_down() {
            return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
        }
        let Some(guard) = shared.admit() else {
            ::metrics::counter!("sigshim_connections_refused_total").increment(1);
            tracing::warn!(max = shared.config.max_connections, "connection refused: server full");
            return (StatusCode::SERVICE_UNAVAILABLE, "too many connections\n").into_response();
        };
        let c = &shared.config;
        ws.max_frame_size(c.max_frame_bytes)
            .max_message_size(c.max_frame_bytes)
            .read_buffer_size(c.read_buffer_bytes)
            .write_buffer_size(c.write_buffer_bytes)
            .max_write_buffer_size(c.max_frame_bytes * 4)
            .on_upgrade(move |socket| serve(socket, Admission { _guard: guard }))
    }
}

/// How long a close frame may take to go out: a link that cannot take it (a half-open link with
/// full buffers) is dropped without one.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Sends a close frame with `code` (see [`close`]) and `reason`, giving up after
/// [`CLOSE_TIMEOUT`]; counts it in `sigshim_closes_total`.
///
/// The future is boxed: a close happens once per connection, and its timer would otherwise take
/// room in every connection's future for as long as the connection lives.
pub fn close_socket<'a>(socket: &'a mut WebSocket, code: u16, reason: &'a str) -> BoxFuture<'a, ()> {
    Box::pin(async move {
        ::metrics::counter!("sigshim_closes_total", "code" => code.to_string()).increment(1);
        match code {
            close::NORMAL | close::GOING_AWAY | close::KICKED | close::DROPPED => {
                tracing::debug!(code, reason, "closing connection")
            }
            _ => tracing::info!(code, reason, "closing connection: limit or protocol violation"),
        }
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.send(WsMessage::Close(Some(frame)))).await;
    })
}

/// Waits for a connection's first text frame (a login, a hello) until `deadline`; pings and pongs
/// before it are answered by the WebSocket layer and skipped. `None` once the connection is
/// refused or gone: closed with [`close::GOING_AWAY`] when `shutdown` completes first,
/// [`close::POLICY`] when nothing came in time, [`close::UNSUPPORTED_DATA`] for a binary frame,
/// and as [`refuse_frame`] says for a frame the WebSocket layer refused.
pub async fn first_text(
    socket: &mut WebSocket,
    deadline: tokio::time::Instant,
    shutdown: impl Future<Output = ()>,
) -> Option<Utf8Bytes> {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let frame = tokio::select! {
            biased;
            () = &mut shutdown => {
                close_socket(socket, close::GOING_AWAY, "server shutting down").await;
                return None;
            }
            frame = tokio::time::timeout_at(deadline, socket.recv()) => frame,
        };
        match frame {
            Err(_) => {
                tracing::debug!("no first frame in time");
                close_socket(socket, close::POLICY, "login expected").await;
                return None;
            }
            Ok(Some(Ok(WsMessage::Text(t)))) => return Some(t),
            Ok(Some(Ok(WsMessage::Binary(_)))) => {
                close_socket(socket, close::UNSUPPORTED_DATA, "text frames only").await;
                return None;
            }
            Ok(Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_)))) => {}
            Ok(Some(Err(e))) => {
                refuse_frame(socket, e).await;
                return None;
            }
            Ok(Some(Ok(WsMessage::Close(_))) | None) => return None,
        }
    }
}

/// Answers a frame the WebSocket layer refused: closes with the reason's own code when it is
/// the client's fault (too large, not UTF-8, against the WebSocket protocol); any other read
/// error means the link is gone. The WebSocket layer still writes after such a read error: the
/// close frame goes out before the link ends.
pub async fn refuse_frame(socket: &mut WebSocket, error: axum::Error) {
    tracing::debug!(%error, "frame refused");
    if let Some((code, reason)) = refusal(error) {
        close_socket(socket, code, reason).await;
    }
}

/// The close code and reason for a read error, if it is the client's fault.
pub(super) fn refusal(error: axum::Error) -> Option<(u16, &'static str)> {
    use tokio_tungstenite::tungstenite::Error as WsError;
    use tokio_tungstenite::tungstenite::error::ProtocolError as Violation;
    match *error.into_inner().downcast::<WsError>().ok()? {
        WsError::Capacity(_) => Some((close::TOO_BIG, "frame too large")),
        WsError::Utf8(_) => Some((close::INVALID_PAYLOAD, "text frame is not valid UTF-8")),
        // Frames against RFC 6455 itself (§5.2, §5.4, §5.5): the connection is failed with 1002.
        WsError::Protocol(
            Violation::NonZeroReservedBits
            | Violation::UnmaskedFrameFromClient
            | Violation::FragmentedControlFrame
            | Violation::ControlFrameTooBig
            | Violation::UnknownControlFrameType(_)
            | Violation::UnknownDataFrameType(_)
            | Violation::UnexpectedContinueFrame
            | Violation::ExpectedFragment(_)
            | Violation::InvalidOpcode(_)
            | Violation::InvalidCloseSequence,
        ) => Some((close::PROTOCOL_ERROR, "WebSocket protocol violation")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use tokio_tungstenite::tungstenite::error::{
        CapacityError, Error as WsError, ProtocolError as Violation,
    };
    use tokio_tungstenite::tungstenite::protocol::frame::coding::Data;

    use super::*;

    fn code(error: impl Into<axum::BoxError>) -> Option<u16> {
        refusal(axum::Error::new(error)).map(|(code, _)| code)
    }

    #[test]
    fn frames_against_the_websocket_protocol_close_with_protocol_error() {
        let violations = [
            Violation::NonZeroReservedBits,
            Violation::UnmaskedFrameFromClient,
            Violation::FragmentedControlFrame,
            Violation::ControlFrameTooBig,
            Violation::UnknownControlFrameType(11),
            Violation::UnknownDataFrameType(3),
            Violation::UnexpectedContinueFrame,
            Violation::ExpectedFragment(Data::Text),
            Violation::InvalidOpcode(16),
            Violation::InvalidCloseSequence,
        ];
        for v in violations {
            assert_eq!(code(WsError::Protocol(v.clone())), Some(close::PROTOCOL_ERROR), "{v:?}");
        }
        // Not the client's fault, or not a frame at all: the link is simply gone.
        for gone in [Violation::ResetWithoutClosingHandshake, Violation::ReceivedAfterClosing] {
            assert_eq!(code(WsError::Protocol(gone)), None);
        }
        let too_big = WsError::Capacity(CapacityError::MessageTooLong { size: 9, max_size: 8 });
        assert_eq!(code(too_big), Some(close::TOO_BIG));
    }
}
