//! The bounded stream of a client's invitation events and the queue behind it.
//!
//! The queue is written under the call book's lock (so events keep the order of the
//! transitions they report) and read by one [`CallEvents`]. A writer that finds it full waits
//! for the reader before it makes its transition; see [`CallEvents`] for who waits.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;

use super::CallEvent;

/// How many unread events a [`CallEvents`] stream holds before the client waits for the
/// application to read. The end of a session may add one event per open invitation beyond it
/// (at most [`Limits::max_open_invitations`](crate::limits::Limits::max_open_invitations)).
pub const CALL_EVENTS_CAPACITY: usize = 1024;

#[derive(Debug, Default)]
struct State {
    events: VecDeque<CallEvent>,
    /// The reader waiting for an event.
    waker: Option<Waker>,
    /// The application dropped its stream: events are discarded, nobody can see them.
    reader_gone: bool,
    /// No event will come any more: the client is gone, or a newer stream replaced this one.
    closed: bool,
}

/// The events on their way from the call book to one [`CallEvents`].
#[derive(Debug)]
pub(crate) struct Queue {
    capacity: usize,
    state: Mutex<State>,
    /// Woken whenever the reader takes an event or goes away.
    room: Notify,
}

impl Queue {
    /// A queue for `capacity` events (at least 2, the most one transition reports).
    pub(crate) fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self { capacity: capacity.max(2), state: Mutex::default(), room: Notify::new() })
    }

    /// True when `n` more events fit now, or when nobody reads them.
    pub(crate) fn has_room(&self, n: usize) -> bool {
        let st = self.state.lock();
        st.reader_gone || st.events.len() + n <= self.capacity
    }

    /// A future that completes when the reader next takes an event or goes away. Create it
    /// before checking [`has_room`](Self::has_room), so that no wake-up is missed between the
    /// check and the wait.
    pub(crate) fn room_freed(&self) -> Notified<'_> {
        self.room.notified()
    }

    /// True while the application holds the stream.
    pub(crate) fn listening(&self) -> bool {
        !self.state.lock().reader_gone
    }

    /// Appends an event. Callers wait for [`has_room`](Self::has_room) first, except at the end
    /// of a session, whose failures (one per open invitation) are appended at once.
    pub(crate) fn push(&self, event: CallEvent) {
        let waker = {
            let mut st = self.state.lock();
            if st.reader_gone || st.closed {
                return;
            }
            st.events.push_back(event);
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Ends the stream once its queued events are read.
    pub(crate) fn close(&self) {
        let waker = {
            let mut st = self.state.lock();
            st.closed = true;
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        self.room.notify_waiters();
    }

    fn pop(&self) -> Option<CallEvent> {
        let event = self.state.lock().events.pop_front();
        if event.is_some() {
            self.room.notify_waiters();
        }
        event
    }

    fn poll_pop(&self, cx: &mut Context<'_>) -> Poll<Option<CallEvent>> {
        let event = {
            let mut st = self.state.lock();
            match st.events.pop_front() {
                Some(event) => event,
                None if st.closed => return Poll::Ready(None),
                None => {
                    if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        st.waker = Some(cx.waker().clone());
                    }
                    return Poll::Pending;
                }
            }
        };
        self.room.notify_waiters();
        Poll::Ready(Some(event))
    }
}

/// The invitation events of one client, in the order of the transitions they report.
/// Invitations arrive only while a stream exists: a client without one does not confirm
/// receipt, so its callers see `PeerNoResponse`.
///
/// # Bound
/// The stream holds at most the client's
/// [`call_event_capacity`](crate::ClientBuilder::call_event_capacity) unread events (by default
/// [`CALL_EVENTS_CAPACITY`]). When it is full, whatever
/// would report the next transition waits, before making it, until the application reads:
/// the client's task that reads the link (so its other events, and the hub's pushes to it,
/// wait too: the hub's slow-consumer policy then applies), the invitation timers, and the
/// [`CallKit`](super::CallKit) calls that report an event themselves (a send that fails at once,
/// a cancel, a refuse), as a login or logout waits for room in [`Events`](crate::Events): a task
/// that both reads this stream and makes those calls reads it before it fills. No event is
/// dropped. The one exception to the wait is the end of the
/// session (logout, a kick, a session not resumed): its failures are appended at once, so the
/// stream may then hold up to [`Limits::max_open_invitations`](crate::limits::Limits) more.
/// Drop the stream to ignore invitations: nothing waits for a dropped stream.
#[derive(Debug)]
pub struct CallEvents {
    queue: Arc<Queue>,
}

impl CallEvents {
    pub(crate) fn new(queue: Arc<Queue>) -> Self {
        Self { queue }
    }

    /// The next event; `None` once the client is gone (or a newer stream replaced this one)
    /// and every queued event has been read.
    pub async fn recv(&mut self) -> Option<CallEvent> {
        std::future::poll_fn(|cx| self.queue.poll_pop(cx)).await
    }

    /// The next event if one is ready.
    pub fn try_recv(&mut self) -> Option<CallEvent> {
        self.queue.pop()
    }
}

impl futures_core::Stream for CallEvents {
    type Item = CallEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<CallEvent>> {
        self.queue.poll_pop(cx)
    }
}

impl Drop for CallEvents {
    fn drop(&mut self) {
        {
            let mut st = self.queue.state.lock();
            st.reader_gone = true;
            st.events.clear();
        }
        self.queue.room.notify_waiters();
    }
}
