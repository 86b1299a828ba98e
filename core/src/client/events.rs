//! What a client reports: connection changes and inbound traffic.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use super::state::{ConnectionChangeReason, ConnectionState};
use crate::message::Message;
use crate::protocol::PeerStatus;

/// One event of a client, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The connection state changed.
    ConnectionStateChanged {
        /// The new state.
        state: ConnectionState,
        /// Why.
        reason: ConnectionChangeReason,
    },
    /// A peer message arrived.
    MessageFromPeer {
        /// Sender.
        peer_id: String,
        /// The message, with its server id and timestamp.
        message: Message,
        /// True when the server stored it while this user was offline.
        is_offline: bool,
    },
    /// Subscribed peers changed state (also right after a subscribe, with the current states).
    PeersOnlineStatusChanged {
        /// The peers and their states.
        statuses: Vec<PeerStatus>,
    },
    /// The token expires soon; call `renew_token`.
    TokenPrivilegeWillExpire,
    /// The token expired; the session has ended.
    TokenExpired,
}

/// The event stream of one client. Read it, or drop it to ignore events: a full, unread stream
/// holds the client back.
#[derive(Debug)]
pub struct Events {
    pub(crate) rx: mpsc::Receiver<ClientEvent>,
}

impl Events {
    /// The next event; `None` once the client is gone.
    pub async fn recv(&mut self) -> Option<ClientEvent> {
        self.rx.recv().await
    }

    /// The next event if one is ready.
    pub fn try_recv(&mut self) -> Option<ClientEvent> {
        self.rx.try_recv().ok()
    }
}

impl futures_core::Stream for Events {
    type Item = ClientEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ClientEvent>> {
        self.rx.poll_recv(cx)
    }
}
