//! The in-process transport: requests are function calls into the hub on the caller's task.

use std::sync::Arc;
use std::task::{Context, Poll, ready};

use async_trait::async_trait;

use super::{Connector, Inbound, Inbox, Link, ReplyFuture, Transport, TransportError};
use crate::error::{Error, LoginError};
use crate::hub::{Hub, Session};
use crate::message::{Message, SendMessageOptions};
use crate::protocol::{CloseReason, LoginRequest, SessionSizes};
use crate::protocol::{Reply, Request};

/// Connects clients to a [`Hub`] in the same process.
#[derive(Debug, Clone)]
pub struct MemoryConnector {
    hub: Hub,
}

impl MemoryConnector {
    /// A connector for `hub`.
    pub fn new(hub: &Hub) -> Self {
        Self { hub: hub.clone() }
    }
}

#[async_trait]
impl Connector for MemoryConnector {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        let (session, rx) = self.hub.login_async(&login).await?;
        let transport = Arc::new(MemoryTransport { hub: self.hub.clone(), session: session.clone() });
        let sizes = Some(SessionSizes::of(self.hub.limits_of(&session)));
        let inbox = Box::new(MemoryInbox { rx, session, hub: self.hub.clone(), done: None });
        Ok(Link { transport, inbox, resumed: false, sizes })
    }
}

struct MemoryTransport {
    hub: Hub,
    session: Arc<Session>,
}

#[async_trait]
impl Transport for MemoryTransport {
    async fn request(&self, request: Request) -> Result<Reply, TransportError> {
        Ok(self.hub.dispatch(&self.session, request).reply().await)
    }

    fn send_peer_message<'a>(
        &'a self,
        peer_id: &'a str,
        message: &'a Message,
        options: SendMessageOptions,
    ) -> ReplyFuture<'a> {
        // The hub keeps the message: the copies are its, made once here; without an engine the
        // reply is known at once, so no future is boxed.
        match self.hub.dispatch(&self.session, super::peer_message_request(peer_id, message, options)) {
            crate::hub::Handled::Ready(reply) => ReplyFuture::ready(Ok(reply)),
            crate::hub::Handled::Pending(pending) => {
                ReplyFuture::boxed(Box::pin(async move { Ok(pending.await) }))
            }
        }
    }

    fn close(&self) {
        self.hub.drop_link(&self.session);
    }
}

impl Drop for MemoryTransport {
    fn drop(&mut self) {
        // A client that goes away without logging out loses its link.
        self.hub.drop_link(&self.session);
    }
}

struct MemoryInbox {
    rx: crate::hub::SessionInbox,
    session: Arc<Session>,
    hub: Hub,
    done: Option<CloseReason>,
}

impl Inbox for MemoryInbox {
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Inbound> {
        if let Some(reason) = self.done {
            return Poll::Ready(Inbound::Closed(reason));
        }
        Poll::Ready(match ready!(self.rx.poll_recv(cx)) {
            Some(ev) => {
                // In-process, an event taken is an event the client has.
                self.hub.delivered(&self.session, &ev);
                Inbound::Shared(ev)
            }
            None => {
                let reason = self.session.close_reason().unwrap_or(CloseReason::LinkLost);
                self.done = Some(reason);
                Inbound::Closed(reason)
            }
        })
    }
}
