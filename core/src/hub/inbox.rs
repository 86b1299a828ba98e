//! A session's inbox: the events queued for its client, bounded by count and by bytes.
//!
//! Both ends share one allocation: a lock over the queue, the receiver's waker, the bytes queued
//! and whether either end has gone. The queue's buffer is allocated at the first push and given
//! back when a drained queue had grown past [`KEPT_SLOTS`], so an idle session holds only the
//! shared part. A push adds the event's [weight](Event::queued_bytes) and is refused past the byte
//! bound or the count bound; taking the event out gives both back. One stalled reader thus pins
//! a bounded amount of memory whatever the size of the messages sent to it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures_core::ready;
use parking_lot::Mutex;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::task::coop;

use super::session::Push;
use crate::protocol::Event;

/// Slots a drained queue keeps; a larger buffer is freed once the queue is empty.
const KEPT_SLOTS: usize = 64;

/// Slots the queue's buffer starts with, at the first push (its growth then doubles them).
const FIRST_SLOTS: usize = 16;

/// What the two ends share.
#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    capacity: usize,
    max_bytes: usize,
}

/// The queue and its bookkeeping, under the lock.
#[derive(Debug, Default)]
struct State {
    events: VecDeque<Arc<Event>>,
    /// Bytes queued, by [`Event::queued_bytes`].
    queued: usize,
    /// The receiver waiting for the next event, if it is.
    waker: Option<Waker>,
    sender_gone: bool,
    receiver_gone: bool,
}

impl State {
    fn pop(&mut self) -> Option<Arc<Event>> {
        let event = self.events.pop_front()?;
        self.queued -= event.queued_bytes();
        if self.events.is_empty() && self.events.capacity() > KEPT_SLOTS {
            self.events = VecDeque::new();
        }
        Some(event)
    }
}

/// The sending end, held by the session; dropping it ends the inbox once drained.
#[derive(Debug)]
pub(crate) struct InboxSender {
    shared: Arc<Shared>,
}

/// The receiving end of a session's inbox: whoever delivers the session's events holds it.
#[derive(Debug)]
pub struct SessionInbox {
    shared: Arc<Shared>,
}

/// An inbox of at most `capacity` events and, past its first event, `max_bytes` bytes.
pub(crate) fn inbox(capacity: usize, max_bytes: usize) -> (InboxSender, SessionInbox) {
    let shared = Arc::new(Shared { state: Mutex::default(), capacity: capacity.max(1), max_bytes });
    (InboxSender { shared: shared.clone() }, SessionInbox { shared })
}

impl InboxSender {
    /// Queues `event` unless the inbox is full by count or by bytes. An event heavier than the
    /// whole bound still goes into an empty inbox, so that no event is undeliverable.
    pub(crate) fn try_send(&self, event: Arc<Event>) -> Result<(), (Push, Arc<Event>)> {
        self.push(event, Some(self.shared.max_bytes))
    }

    /// Queues `event` past the byte bound (still within the count): for messages already
    /// acknowledged to their senders, which must not be dropped for their size.
    pub(crate) fn try_send_kept(&self, event: Arc<Event>) -> Result<(), (Push, Arc<Event>)> {
        self.push(event, None)
    }

    /// Queues `events`, in their order, ahead of everything queued, past both bounds: stored
    /// messages handed to a new session, which go before the live ones that reached it first
    /// (all sent after them). They are bounded where they come from (the offline box's cap and
    /// the messages a previous session was handed). False when the receiver is gone.
    pub(crate) fn send_kept_first(&self, events: Vec<Arc<Event>>) -> bool {
        if events.is_empty() {
            return true;
        }
        let mut state = self.shared.state.lock();
        if state.receiver_gone {
            return false;
        }
        for event in events.into_iter().rev() {
            state.queued += event.queued_bytes();
            state.events.push_front(event);
        }
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Queues `event` within the count and, if given, the byte bound, and wakes the receiver.
    fn push(&self, event: Arc<Event>, max_bytes: Option<usize>) -> Result<(), (Push, Arc<Event>)> {
        let n = event.queued_bytes();
        let mut state = self.shared.state.lock();
        if max_bytes.is_some_and(|max| state.queued > 0 && state.queued + n > max) {
            return Err((Push::Full, event));
        }
        if state.receiver_gone {
            return Err((Push::Closed, event));
        }
        if state.events.len() >= self.shared.capacity {
            return Err((Push::Full, event));
        }
        if state.events.capacity() == 0 {
            state.events.reserve_exact(FIRST_SLOTS);
        }
        state.events.push_back(event);
        state.queued += n;
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Bytes queued now.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.shared.state.lock().queued
    }
}

impl Drop for InboxSender {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.sender_gone = true;
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl SessionInbox {
    /// The next event; `None` once the session has ended and the inbox is drained.
    pub async fn recv(&mut self) -> Option<Arc<Event>> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next event (see [`recv`](Self::recv)). Each event taken, and the end,
    /// spends a unit of the task's cooperative budget, as tokio's own channels do.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Arc<Event>>> {
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = self.shared.state.lock();
        if let Some(event) = state.pop() {
            budget.made_progress();
            return Poll::Ready(Some(event));
        }
        if state.sender_gone {
            budget.made_progress();
            return Poll::Ready(None);
        }
        match &mut state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// The next event if one is queued now.
    pub fn try_recv(&mut self) -> Result<Arc<Event>, TryRecvError> {
        let mut state = self.shared.state.lock();
        match state.pop() {
            Some(event) => Ok(event),
            None if state.sender_gone => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Events queued now.
    pub fn len(&self) -> usize {
        self.shared.state.lock().events.len()
    }

    /// True when no event is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes queued now (see [`Event::queued_bytes`]).
    pub fn queued_bytes(&self) -> usize {
        self.shared.state.lock().queued
    }
}

impl Drop for SessionInbox {
    /// Refuses further pushes and drops the queued events; the bytes they weighed stay counted.
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.receiver_gone = true;
        let events = std::mem::take(&mut state.events);
        drop(state);
        drop(events);
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

    #[test]
    fn kept_events_sent_first_go_ahead_of_what_is_queued_in_their_order() {
        let (tx, mut rx) = inbox(1, 10);
        tx.try_send(message(1)).expect("live");
        assert!(tx.send_kept_first(vec![message(2), message(3)]));
        let sizes: Vec<usize> = std::iter::from_fn(|| rx.try_recv().ok()).map(|e| e.queued_bytes()).collect();
        let want: Vec<usize> = [2, 3, 1].into_iter().map(|n| message(n).queued_bytes()).collect();
        assert_eq!(sizes, want);
        assert_eq!(rx.queued_bytes(), 0);
        drop(rx);
        assert!(!tx.send_kept_first(vec![message(1)]), "no receiver");
    }

    #[tokio::test]
    async fn a_waiting_receiver_wakes_for_a_push_and_ends_after_the_sender_and_the_queue() {
        let (tx, mut rx) = inbox(4, 1 << 20);
        let waiting = tokio::spawn(async move {
            let first = rx.recv().await;
            (first, rx.recv().await, rx.recv().await)
        });
        tokio::task::yield_now().await;
        tx.try_send(message(1)).expect("queued");
        tx.try_send(message(2)).expect("queued");
        drop(tx);
        let (first, second, end) = waiting.await.expect("the receiver ends");
        assert!(first.is_some() && second.is_some(), "both events before the end");
        assert!(end.is_none());
    }

    #[test]
    fn the_queue_frees_a_grown_buffer_once_drained_and_keeps_a_small_one() {
        let (tx, mut rx) = inbox(1000, 1 << 20);
        let capacity = |rx: &SessionInbox| rx.shared.state.lock().events.capacity();
        assert_eq!(capacity(&rx), 0, "nothing is allocated before the first push");
        for _ in 0..3 {
            tx.try_send(message(1)).expect("queued");
        }
        while rx.try_recv().is_ok() {}
        assert!(capacity(&rx) > 0, "a small buffer is kept");
        for _ in 0..=KEPT_SLOTS {
            tx.try_send(message(1)).expect("queued");
        }
        while rx.try_recv().is_ok() {}
        assert_eq!(capacity(&rx), 0, "a grown buffer is given back");
        assert!(matches!(rx.try_recv(), Err(TryRecvError::Empty)));
        drop(tx);
        assert!(matches!(rx.try_recv(), Err(TryRecvError::Disconnected)));
    }

    #[tokio::test]
    async fn receiving_spends_the_tasks_cooperative_budget() {
        let (tx, mut rx) = inbox(1000, 1 << 20);
        for _ in 0..1000 {
            tx.try_send(message(1)).expect("queued");
        }
        // A task that only reads a full inbox still yields to the runtime now and then.
        let mut yielded = false;
        let mut polls = 0;
        std::future::poll_fn(|cx| {
            while polls < 1000 {
                match rx.poll_recv(cx) {
                    Poll::Ready(event) => {
                        event.expect("queued");
                        polls += 1;
                    }
                    Poll::Pending => {
                        yielded = true;
                        return Poll::Pending;
                    }
                }
            }
            Poll::Ready(())
        })
        .await;
        assert!(yielded, "the budget ran out before 1000 events");
        assert_eq!(rx.len(), 0);
    }
}
