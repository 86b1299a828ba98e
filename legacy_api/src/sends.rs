//! The instance's sends in flight: peer and channel messages already on the link whose results
//! are still to come.
//!
//! A send does not hold the instance's calls back: the actor puts its request on the link at
//! once (in call order) and takes the next call while the reply travels. Results are reported in
//! call order, each once every earlier send's result was. Any other call first waits for every
//! send in flight and reports their results, so each callback still follows the calls made
//! before it.
//!
//! A channel message the server accepted from a member is also reported to its sender as
//! `on_message_channel_receive`, as every legacy SDK delivered it (RTM, and so the core, does
//! not echo). The echo comes right after the send's `on_message_send_success`: the send's own
//! result first, then the copy of the message, then whatever the server produced after it. The
//! legacy documents do not say which of the two came first; this order keeps every send's result
//! in call order and never puts the copy of one message before the result of an earlier send.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use futures_util::stream::{FuturesOrdered, StreamExt};
use parking_lot::Mutex;

use sigshim_mapping::LegacyCode;

use crate::dispatcher::Dispatch;

/// At most this many sends in flight per instance; at the cap the actor waits for the oldest one
/// before it takes another call.
pub(crate) const MAX_IN_FLIGHT: usize = 64;

/// The outcome of one send, as the legacy callbacks report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SendResult {
    /// The message ID of the call (or the one generated for it).
    pub(crate) msg_id: String,
    /// `None` for `on_message_send_success`, else the code of `on_message_send_error`.
    pub(crate) error: Option<LegacyCode>,
    /// The sender's own copy of a channel message, reported after the success.
    pub(crate) echo: Option<Echo>,
}

/// A channel message as its sender receives it back: `on_message_channel_receive(channel_id,
/// account, uid, msg)` with the sender's own account and uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Echo {
    /// The channel the message went to.
    pub(crate) channel_id: String,
    /// The sender's account.
    pub(crate) account: String,
    /// The sender's uid (derived from the account).
    pub(crate) uid: u32,
    /// The message text.
    pub(crate) msg: String,
}

impl SendResult {
    /// A send that succeeded.
    pub(crate) fn ok(msg_id: String) -> Self {
        Self { msg_id, error: None, echo: None }
    }

    /// A channel send that succeeded and is echoed to its sender.
    pub(crate) fn echoed(msg_id: String, echo: Echo) -> Self {
        Self { msg_id, error: None, echo: Some(echo) }
    }

    /// A send that failed with legacy code `code`.
    pub(crate) fn failed(msg_id: String, code: LegacyCode) -> Self {
        Self { msg_id, error: Some(code), echo: None }
    }
}

/// One send, from its request to its [`SendResult`].
type SendFuture = Pin<Box<dyn Future<Output = SendResult> + Send>>;

/// The sends in flight, oldest first, and the generator of message IDs for calls that gave none.
///
/// The mutex only makes the queue `Sync` (the actor's methods take `&self` across awaits, so
/// the actor must be): it is only ever reached through `&mut self` (`Mutex::get_mut`), never
/// locked.
pub(crate) struct SendQueue {
    queue: Mutex<FuturesOrdered<SendFuture>>,
    next_msg_id: u64,
}

impl Default for SendQueue {
    fn default() -> Self {
        Self { queue: Mutex::default(), next_msg_id: 1 }
    }
}

impl SendQueue {
    /// How many sends are in flight.
    fn len(&mut self) -> usize {
        self.queue.get_mut().len()
    }

    /// Whether no send is in flight.
    fn is_empty(&mut self) -> bool {
        self.queue.get_mut().is_empty()
    }

    /// Queues a send behind the others.
    fn push(&mut self, send: SendFuture) {
        self.queue.get_mut().push_back(send);
    }

    /// `msg_id`, or a generated one (`sigshim-<n>`) when it is empty.
    pub(crate) fn msg_id(&mut self, msg_id: String) -> String {
        if !msg_id.is_empty() {
            return msg_id;
        }
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        format!("sigshim-{id}")
    }

    /// The result of the oldest send, once it is known; never ready while nothing is in flight.
    pub(crate) async fn next_done(&mut self) -> SendResult {
        match self.queue.get_mut().next().await {
            Some(result) => result,
            None => std::future::pending().await,
        }
    }

    /// Starts a send: polls it once now, so that its request goes on the link in call order, and
    /// queues it behind the sends in flight. A send already complete (the in-process hub answers
    /// at once, and failures found before the link are ready futures) is reported at once when
    /// nothing is ahead of it. At [`MAX_IN_FLIGHT`], waits for the oldest send.
    pub(crate) async fn start(
        &mut self,
        out: &Dispatch,
        send: impl Future<Output = SendResult> + Send + 'static,
    ) {
        let mut send: SendFuture = Box::pin(send);
        // Outside the task's cooperative budget, so that this poll cannot be refused before the
        // request is on the link.
        let first =
            tokio::task::unconstrained(std::future::poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx)))).await;
        match first {
            Poll::Ready(result) if self.is_empty() => report(out, result).await,
            Poll::Ready(result) => self.push(Box::pin(std::future::ready(result))),
            Poll::Pending => self.push(send),
        }
        while self.len() >= MAX_IN_FLIGHT {
            let result = self.next_done().await;
            report(out, result).await;
        }
    }

    /// Reports a send that failed before reaching the link, in call order.
    pub(crate) async fn failed(&mut self, out: &Dispatch, msg_id: String, code: LegacyCode) {
        self.start(out, std::future::ready(SendResult::failed(msg_id, code))).await;
    }

    /// Waits for every send in flight and reports their results, oldest first.
    pub(crate) async fn drain(&mut self, out: &Dispatch) {
        while !self.is_empty() {
            let result = self.next_done().await;
            report(out, result).await;
        }
    }
}

/// `on_message_send_success(msg_id)`, followed by the sender's echo of a channel message, or
/// `on_message_send_error(msg_id, code)`.
pub(crate) async fn report(out: &Dispatch, result: SendResult) {
    let SendResult { msg_id, error, echo } = result;
    match error {
        None => {
            out.emit(move |c| c.on_message_send_success(&msg_id)).await;
            if let Some(Echo { channel_id, account, uid, msg }) = echo {
                out.emit(move |c| c.on_message_channel_receive(&channel_id, &account, uid, &msg)).await;
            }
        }
        Some(code) => {
            let code = code.code();
            out.emit(move |c| c.on_message_send_error(&msg_id, code)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn results_come_out_in_push_order() {
        let mut sends = SendQueue::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        sends.push(Box::pin(async move {
            let _ = rx.await;
            SendResult::ok("first".into())
        }));
        sends.push(Box::pin(std::future::ready(SendResult::failed(
            "second".into(),
            LegacyCode::SendMessageOther,
        ))));
        assert_eq!(sends.len(), 2);
        let early = futures_util::FutureExt::now_or_never(sends.next_done());
        assert_eq!(early, None, "the second result waits for the first");
        tx.send(()).unwrap();
        assert_eq!(sends.next_done().await, SendResult::ok("first".into()));
        assert_eq!(
            sends.next_done().await,
            SendResult::failed("second".into(), LegacyCode::SendMessageOther)
        );
        assert!(sends.is_empty());
    }
}
