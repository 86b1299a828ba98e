//! A session's inbox: the events queued for its client, bounded by count and by bytes.
//!
//! The count bound is the channel's capacity. The byte bound is kept beside it: a push adds the
//! event's [weight](Event::queued_bytes) and is refused past the bound, and taking the event out
//! of the inbox gives it back. One stalled reader thus pins a bounded amount of memory whatever
//! the size of the messages sent to it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_core::ready;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::{TryRecvError, TrySendError};

use super::session::Push;
use crate::protocol::Event;

/// The bytes queued in one inbox, shared by its two ends.
#[derive(Debug)]
struct Weight {
    queued: AtomicUsize,
    max: usize,
}

/// The sending end, held by the session.
#[derive(Debug)]
pub(crate) struct InboxSender {
    tx: mpsc::Sender<Arc<Event>>,
    weight: Arc<Weight>,
}

/// The receiving end of a session's inbox: whoever delivers the session's events holds it.
#[derive(Debug)]
pub struct SessionInbox {
    rx: mpsc::Receiver<Arc<Event>>,
    weight: Arc<Weight>,
}

/// An inbox of at most `capacity` events and, past its first event, `max_bytes` bytes.
pub(crate) fn inbox(capacity: usize, max_bytes: usize) -> (InboxSender, SessionInbox) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let weight = Arc::new(Weight { queued: AtomicUsize::new(0), max: max_bytes });
    (InboxSender { tx, weight: weight.clone() }, SessionInbox { rx, weight })
}

impl InboxSender {
    /// Queues `event` unless the inbox is full by count or by bytes. An event heavier than the
    /// whole bound still goes into an empty inbox, so that no event is undeliverable.
    pub(crate) fn try_send(&self, event: Arc<Event>) -> Result<(), (Push, Arc<Event>)> {
        let n = event.queued_bytes();
        let before = self.weight.queued.fetch_add(n, Ordering::AcqRel);
        if before > 0 && before + n > self.weight.max {
            self.weight.queued.fetch_sub(n, Ordering::AcqRel);
            return Err((Push::Full, event));
        }
        self.send_counted(event, n)
    }

    /// Queues `event` past the byte bound (still within the count): for messages already
    /// acknowledged to their senders, which must not be dropped.
    pub(crate) fn try_send_kept(&self, event: Arc<Event>) -> Result<(), (Push, Arc<Event>)> {
        let n = event.queued_bytes();
        self.weight.queued.fetch_add(n, Ordering::AcqRel);
        self.send_counted(event, n)
    }

    fn send_counted(&self, event: Arc<Event>, n: usize) -> Result<(), (Push, Arc<Event>)> {
        self.tx.try_send(event).map_err(|e| {
            self.weight.queued.fetch_sub(n, Ordering::AcqRel);
            match e {
                TrySendError::Full(ev) => (Push::Full, ev),
                TrySendError::Closed(ev) => (Push::Closed, ev),
            }
        })
    }

    /// Bytes queued now.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.weight.queued.load(Ordering::Acquire)
    }
}

impl SessionInbox {
    /// The next event; `None` once the session has ended and the inbox is drained.
    pub async fn recv(&mut self) -> Option<Arc<Event>> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next event (see [`recv`](Self::recv)).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Arc<Event>>> {
        let event = ready!(self.rx.poll_recv(cx));
        Poll::Ready(event.inspect(|ev| self.taken(ev)))
    }

    /// The next event if one is queued now.
    pub fn try_recv(&mut self) -> Result<Arc<Event>, TryRecvError> {
        self.rx.try_recv().inspect(|ev| self.taken(ev))
    }

    /// Events queued now.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// True when no event is queued.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// Bytes queued now (see [`Event::queued_bytes`]).
    pub fn queued_bytes(&self) -> usize {
        self.weight.queued.load(Ordering::Acquire)
    }

    fn taken(&self, event: &Event) {
        self.weight.queued.fetch_sub(event.queued_bytes(), Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn message(len: usize) -> Arc<Event> {
        Arc::new(Event::PeerMessage {
            peer_id: "bob".into(),
            message: Message::text("x".repeat(len)),
            offline: false,
        })
    }

    #[tokio::test]
    async fn the_byte_bound_refuses_pushes_until_events_are_taken_out() {
        let one = message(1000).queued_bytes();
        let (tx, mut rx) = inbox(100, 3 * one);
        for _ in 0..3 {
            tx.try_send(message(1000)).expect("within the bound");
        }
        assert!(matches!(tx.try_send(message(1000)), Err((Push::Full, _))));
        assert_eq!(rx.queued_bytes(), 3 * one);
        rx.recv().await.expect("an event");
        assert_eq!(rx.queued_bytes(), 2 * one);
        tx.try_send(message(1000)).expect("room again");
        assert_eq!(rx.len(), 3);
    }

    #[test]
    fn an_event_heavier_than_the_bound_still_enters_an_empty_inbox() {
        let (tx, mut rx) = inbox(100, 10);
        tx.try_send(message(1000)).expect("an empty inbox takes it");
        assert!(matches!(tx.try_send(message(1)), Err((Push::Full, _))));
        rx.try_recv().expect("queued");
        assert_eq!(rx.queued_bytes(), 0);
    }

    #[test]
    fn kept_events_pass_the_byte_bound_but_not_the_count() {
        let (tx, rx) = inbox(2, 10);
        tx.try_send_kept(message(1000)).expect("kept");
        tx.try_send_kept(message(1000)).expect("kept");
        assert!(matches!(tx.try_send_kept(message(1)), Err((Push::Full, _))));
        assert_eq!(rx.len(), 2);
        assert_eq!(tx.queued_bytes(), 2 * message(1000).queued_bytes());
        drop(rx);
        assert!(matches!(tx.try_send_kept(message(1)), Err((Push::Closed, _))));
        assert_eq!(tx.queued_bytes(), 2 * message(1000).queued_bytes(), "a refused push adds nothing");
    }
}
