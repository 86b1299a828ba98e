//! How a [`Client`](crate::Client) reaches a hub.
//!
//! A [`Connector`] opens a link and logs in; the resulting [`Link`] carries requests one way
//! ([`Transport`]) and pushed events the other ([`Inbox`]). The in-process
//! [`MemoryConnector`] calls the [`Hub`](crate::Hub) directly on the caller's task; a network
//! connector speaks the same [`protocol`](crate::protocol) over a socket.

mod memory;
#[cfg(feature = "ws")]
mod pending;
mod reply;
#[cfg(feature = "ws")]
mod ws;

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, LoginError};
use crate::message::{Message, SendMessageOptions};
use crate::protocol::{CloseReason, Event, LoginRequest, Reply, Request};

pub use memory::MemoryConnector;
pub use reply::{BoxedReply, ReplyFuture};
#[cfg(feature = "ws")]
pub use ws::{WsConnector, WsOptions};

/// The link failed before a reply arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The link is closed.
    #[error("link closed")]
    Closed,
    /// No reply within the request timeout.
    #[error("request timed out")]
    Timeout,
    /// The request's frame is larger than the server reads; it was not sent (the link and the
    /// session are unaffected).
    #[error("request of {bytes} bytes is larger than the server's {max}-byte frame limit")]
    TooLarge {
        /// The encoded request's size.
        bytes: usize,
        /// The server's limit.
        max: usize,
    },
    /// The server could not read the request's frame and said so (a `bad_frame` error naming
    /// the request): the request did nothing; the link and the session are unaffected.
    #[error("the server refused the request's frame")]
    Refused,
}

/// The owned request of a peer message: copies of the receiver's name and of the message.
fn peer_message_request(peer_id: &str, message: &Message, options: SendMessageOptions) -> Request {
    Request::SendPeerMessage { peer_id: peer_id.to_owned(), message: message.clone(), options }
}

/// Something the hub pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inbound {
    /// An event this link alone holds: a network link parses its own, and the client moves it
    /// into its event without another allocation.
    Event(Event),
    /// An event shared with the hub's other receivers (in process, one allocation serves every
    /// member of a channel); the client copies it unless it holds the last reference.
    Shared(Arc<Event>),
    /// The link is over; nothing follows.
    Closed(CloseReason),
}

impl Inbound {
    /// The event, owned (a shared one is copied unless this was its last reference), or the
    /// reason the link ended.
    pub fn into_event(self) -> Result<Event, CloseReason> {
        match self {
            Self::Event(event) => Ok(event),
            Self::Shared(event) => Ok(Arc::unwrap_or_clone(event)),
            Self::Closed(reason) => Err(reason),
        }
    }
}

/// The request side of a link.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends one request and waits for its reply.
    async fn request(&self, request: Request) -> Result<Reply, TransportError>;

    /// Sends a peer message; the future is its reply. By default [`request`](Self::request)
    /// with [`Request::SendPeerMessage`]; a transport that writes frames encodes the borrowed
    /// parts directly, without copying the receiver's name and the message into a request, and
    /// one that can submit at once answers without a boxed future.
    fn send_peer_message<'a>(
        &'a self,
        peer_id: &'a str,
        message: &'a Message,
        options: SendMessageOptions,
    ) -> ReplyFuture<'a> {
        ReplyFuture::boxed(self.request(peer_message_request(peer_id, message, options)))
    }

    /// Drops the link without logging out (as a network failure would).
    fn close(&self);
}

/// The event side of a link, read by one task.
///
/// A poll method rather than an `async fn`, so that reading an event allocates nothing (an
/// `async fn` of a trait object boxes its future on every call).
pub trait Inbox: Send + 'static {
    /// Polls for the next pushed item; after [`Inbound::Closed`] it keeps returning `Closed`.
    fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Inbound>;
}

impl dyn Inbox {
    /// The next pushed item; after [`Inbound::Closed`] it keeps returning `Closed`.
    pub async fn recv(&mut self) -> Inbound {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }
}

/// A logged-in link.
pub struct Link {
    /// Requests.
    pub transport: Arc<dyn Transport>,
    /// Pushed events.
    pub inbox: Box<dyn Inbox>,
    /// True when the connector resumed the previous session (its state is intact) rather than
    /// starting a new one.
    pub resumed: bool,
    /// The sizes the hub states for the session's requests, when it states them.
    pub sizes: Option<crate::protocol::SessionSizes>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").finish_non_exhaustive()
    }
}

/// Opens links to a hub.
#[async_trait]
pub trait Connector: Send + Sync + 'static {
    /// Connects and logs in. A failure beneath the login (the network, the handshake) is the
    /// error's [`source`](std::error::Error::source).
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>>;

    /// Forgets any session this connector could resume, so that the next connect logs in afresh
    /// (called at logout, also when the link was down and no logout reached the server).
    fn forget_session(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WebSocket link's event queue reserves its first 32 slots when the link opens, each the
    /// size of an `Inbound`: an event that grows makes every link bigger, idle or not.
    #[test]
    fn an_inbound_item_stays_small() {
        let size = std::mem::size_of::<Inbound>();
        println!("Inbound: {size} bytes, {} per link's first block", 32 * size);
        assert!(size <= 160, "Inbound is {size} bytes");
    }
}
