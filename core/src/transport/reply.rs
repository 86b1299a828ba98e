//! The answer to a request as a concrete future: a transport that can submit a request at once
//! hands back its reply slot, with no boxed future per request.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(feature = "ws")]
use tokio::sync::oneshot;

use super::TransportError;
use crate::protocol::Reply;

/// A boxed request future, as a transport's `async fn` returns it.
pub type BoxedReply<'a> = Pin<Box<dyn Future<Output = Result<Reply, TransportError>> + Send + 'a>>;

/// The reply to a request: already known, on its way to a reply slot, or still to be worked out
/// by a boxed future.
pub struct ReplyFuture<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    Ready(Option<Result<Reply, TransportError>>),
    #[cfg(feature = "ws")]
    Waiting(oneshot::Receiver<Result<Reply, TransportError>>),
    Boxed(BoxedReply<'a>),
}

impl<'a> ReplyFuture<'a> {
    /// A reply known at once.
    pub fn ready(reply: Result<Reply, TransportError>) -> Self {
        Self { inner: Inner::Ready(Some(reply)) }
    }

    /// The reply a boxed future works out.
    pub fn boxed(future: BoxedReply<'a>) -> Self {
        Self { inner: Inner::Boxed(future) }
    }

    #[cfg(feature = "ws")]
    /// The reply that arrives in `slot`; a dropped slot means the link closed.
    pub(crate) fn waiting(slot: oneshot::Receiver<Result<Reply, TransportError>>) -> Self {
        Self { inner: Inner::Waiting(slot) }
    }
}

impl Future for ReplyFuture<'_> {
    type Output = Result<Reply, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            // Polled again after completing: nothing more will come.
            Inner::Ready(reply) => Poll::Ready(reply.take().unwrap_or(Err(TransportError::Closed))),
            #[cfg(feature = "ws")]
            Inner::Waiting(slot) => Pin::new(slot).poll(cx).map(|r| r.unwrap_or(Err(TransportError::Closed))),
            Inner::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl std::fmt::Debug for ReplyFuture<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.inner {
            Inner::Ready(_) => "ready",
            #[cfg(feature = "ws")]
            Inner::Waiting(_) => "waiting",
            Inner::Boxed(_) => "boxed",
        };
        f.debug_tuple("ReplyFuture").field(&state).finish()
    }
}
