//! The instance's sends in flight: peer and channel messages already on the link whose results
//! are still to come.
//!
//! A send does not hold the instance's calls back: the actor puts its request on the link at
//! once (in call order) and takes the next call while the reply travels. Results are reported in
//! call order, each once every earlier send's result was. Any other call first waits for every
//! send in flight and reports their results, so each callback still follows the calls made
//! before it.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use futures_util::stream::{FuturesOrdered, StreamExt};
use parking_lot::Mutex;

use crate::actor::Actor;

/// At most this many sends in flight per instance; at the cap the actor waits for the oldest one
/// before it takes another call.
pub(crate) const MAX_IN_FLIGHT: usize = 64;

/// The outcome of one send, as the legacy callbacks report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SendResult {
    /// The message ID of the call (or the one generated for it).
    pub(crate) msg_id: String,
    /// `None` for `on_message_send_success`, else the code of `on_message_send_error`.
    pub(crate) error: Option<i32>,
}

impl SendResult {
    /// A send that succeeded.
    pub(crate) fn ok(msg_id: String) -> Self {
        Self { msg_id, error: None }
    }

    /// A send that failed with legacy code `code`.
    pub(crate) fn failed(msg_id: String, code: i32) -> Self {
        Self { msg_id, error: Some(code) }
    }
}

/// One send, from its request to its [`SendResult`].
type SendFuture = Pin<Box<dyn Future<Output = SendResult> + Send>>;

/// The sends in flight, oldest first.
///
/// The mutex only makes the queue `Sync` (the actor's methods take `&self` across awaits, so
/// the actor must be): it is only ever reached through `&mut self` (`Mutex::get_mut`), never
/// locked.
#[derive(Default)]
pub(crate) struct Sends {
    queue: Mutex<FuturesOrdered<SendFuture>>,
}

impl Sends {
    /// How many sends are in flight.
    pub(crate) fn len(&mut self) -> usize {
        self.queue.get_mut().len()
    }

    /// Whether no send is in flight.
    pub(crate) fn is_empty(&mut self) -> bool {
        self.queue.get_mut().is_empty()
    }

    /// Queues a send behind the others.
    fn push(&mut self, send: SendFuture) {
        self.queue.get_mut().push_back(send);
    }

    /// The result of the oldest send, once it is known; never ready while nothing is in flight.
    pub(crate) async fn next_done(&mut self) -> SendResult {
        match self.queue.get_mut().next().await {
            Some(result) => result,
            None => std::future::pending().await,
        }
    }
}

impl Actor {
    /// Starts a send: polls it once now, so that its request goes on the link in call order, and
    /// queues it behind the sends in flight. A send already complete (the in-process hub answers
    /// at once, and failures found before the link are ready futures) is reported at once when
    /// nothing is ahead of it. At [`MAX_IN_FLIGHT`], waits for the oldest send.
    pub(crate) async fn start_send(&mut self, send: impl Future<Output = SendResult> + Send + 'static) {
        let mut send: SendFuture = Box::pin(send);
        // Outside the task's cooperative budget, so that this poll cannot be refused before the
        // request is on the link.
        let first =
            tokio::task::unconstrained(std::future::poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx)))).await;
        match first {
            Poll::Ready(result) if self.sends.is_empty() => self.report_send(result).await,
            Poll::Ready(result) => self.sends.push(Box::pin(std::future::ready(result))),
            Poll::Pending => self.sends.push(send),
        }
        while self.sends.len() >= MAX_IN_FLIGHT {
            let result = self.sends.next_done().await;
            self.report_send(result).await;
        }
    }

    /// Reports a send that failed before reaching the link, in call order.
    pub(crate) async fn send_failed(&mut self, msg_id: String, code: i32) {
        self.start_send(std::future::ready(SendResult::failed(msg_id, code))).await;
    }

    /// Waits for every send in flight and reports their results, oldest first.
    pub(crate) async fn drain_sends(&mut self) {
        while !self.sends.is_empty() {
            let result = self.sends.next_done().await;
            self.report_send(result).await;
        }
    }

    /// `on_message_send_success(msg_id)` or `on_message_send_error(msg_id, code)`.
    pub(crate) async fn report_send(&self, result: SendResult) {
        let SendResult { msg_id, error } = result;
        match error {
            None => self.cb(move |c| c.on_message_send_success(&msg_id)).await,
            Some(code) => self.cb(move |c| c.on_message_send_error(&msg_id, code)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn results_come_out_in_push_order() {
        let mut sends = Sends::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        sends.push(Box::pin(async move {
            let _ = rx.await;
            SendResult::ok("first".into())
        }));
        sends.push(Box::pin(std::future::ready(SendResult::failed("second".into(), 400))));
        assert_eq!(sends.len(), 2);
        let early = futures_util::FutureExt::now_or_never(sends.next_done());
        assert_eq!(early, None, "the second result waits for the first");
        tx.send(()).unwrap();
        assert_eq!(sends.next_done().await, SendResult::ok("first".into()));
        assert_eq!(sends.next_done().await, SendResult::failed("second".into(), 400));
        assert!(sends.is_empty());
    }
}
