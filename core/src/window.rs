//! The frames a link has sent and its client has not yet acknowledged, numbered by `seq`, with
//! what they weigh: the window both the core server's links and the legacy endpoint's keep for a
//! resume, and bound by count and by bytes.
//!
//! ```
//! use sigshim::window::Unacked;
//!
//! let mut window = Unacked::default();
//! let first = window.sent("hello".to_owned(), 5);
//! let second = window.sent("world!".to_owned(), 6);
//! assert_eq!((first, second), (1, 2));
//! assert!(window.is_full(2, 100));
//! assert!(window.is_full(10, 11));
//!
//! window.acked(1); // cumulative: everything up to 1
//! assert_eq!(window.len(), 1);
//! assert_eq!(window.bytes(), 6);
//! assert!(!window.is_full(2, 100));
//! ```

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// Sent, unacknowledged items of type `T`, oldest first, each with its `seq` and weight.
#[derive(Debug, Clone)]
pub struct Unacked<T> {
    items: VecDeque<(u64, T, usize)>,
    bytes: usize,
    next_seq: u64,
}

impl<T> Default for Unacked<T> {
    fn default() -> Self {
        Self { items: VecDeque::new(), bytes: 0, next_seq: 1 }
    }
}

impl<T> Unacked<T> {
    /// The `seq` the next item gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Keeps `item`, weighing `bytes`, under the next `seq`, which it returns.
    pub fn sent(&mut self, item: T, bytes: usize) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.bytes += bytes;
        self.items.push_back((seq, item, bytes));
        seq
    }

    /// Keeps `item`, weighing `bytes`, under a `seq` given elsewhere (greater than every `seq`
    /// held); the next [`sent`](Self::sent) item follows it.
    pub fn keep(&mut self, seq: u64, item: T, bytes: usize) {
        debug_assert!(self.items.back().is_none_or(|(last, _, _)| *last < seq), "seq must grow");
        self.next_seq = seq + 1;
        self.bytes += bytes;
        self.items.push_back((seq, item, bytes));
    }

    /// Forgets every item up to `seq`: the client has them (acknowledgements are cumulative).
    pub fn acked(&mut self, seq: u64) {
        self.acked_each(seq, drop);
    }

    /// Forgets every item up to `seq`, as [`acked`](Self::acked), handing each to `each`.
    pub fn acked_each(&mut self, seq: u64, mut each: impl FnMut(T)) {
        while self.items.front().is_some_and(|(s, _, _)| *s <= seq) {
            if let Some((_, item, bytes)) = self.items.pop_front() {
                self.bytes -= bytes;
                each(item);
            }
        }
    }

    /// True when the window holds `max_items` items or `max_bytes` bytes: nothing more should
    /// be sent until an acknowledgement makes room.
    pub fn is_full(&self, max_items: usize, max_bytes: usize) -> bool {
        self.items.len() >= max_items || self.bytes >= max_bytes
    }

    /// Items held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when every item sent was acknowledged.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// What the items held weigh.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The items held with their `seq`, oldest first (to replay them).
    pub fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.items.iter().map(|(seq, item, _)| (*seq, item))
    }

    /// Takes every item out, oldest first, leaving the numbering as it is.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.bytes = 0;
        self.items.drain(..).map(|(_, item, _)| item)
    }
}

/// Watches a window for a slow consumer: a timer armed when the window fills and disarmed when an
/// acknowledgement makes room, so that it fires only when the window stayed full all along.
#[derive(Debug, Default)]
pub struct StallWatch {
    armed: bool,
}

impl StallWatch {
    /// Called once per turn of a link's loop with whether the window has `room` now: arms `timer`
    /// to fire `after` from now when the window has just filled. Returns whether the timer is
    /// armed, that is, whether its firing means "slow consumer".
    pub fn update(&mut self, room: bool, timer: Pin<&mut Sleep>, after: Duration) -> bool {
        if room {
            self.armed = false;
        } else if !self.armed {
            self.armed = true;
            timer.reset(Instant::now() + after);
        }
        self.armed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_stall_timer_fires_only_when_the_window_stays_full() {
        let after = Duration::from_secs(10);
        let timer = tokio::time::sleep(Duration::from_secs(3600));
        tokio::pin!(timer);
        let mut watch = StallWatch::default();
        assert!(!watch.update(true, timer.as_mut(), after));
        assert!(watch.update(false, timer.as_mut(), after), "armed when the window fills");
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(watch.update(false, timer.as_mut(), after), "still full: not armed again");
        assert!(!watch.update(true, timer.as_mut(), after), "room: disarmed");
        assert!(watch.update(false, timer.as_mut(), after), "full again: a new full period");
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!timer.is_elapsed(), "the period restarted at the second fill");
        tokio::time::advance(Duration::from_secs(1)).await;
        (&mut timer).await;
    }
}
