//! Messages stored for users who are offline, delivered at their next login.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use tokio::time::Instant;

use crate::message::Message;

/// One stored message.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) from: String,
    pub(crate) message: Message,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    boxes: HashMap<String, VecDeque<Stored>>,
    total: usize,
}

/// Bounded per receiver and in total, with an expiry. A message the store took is kept until it
/// is taken or expires: past a bound, a new message is refused (its sender is told), never an
/// older one dropped.
#[derive(Debug)]
pub(crate) struct OfflineStore {
    inner: Mutex<Inner>,
    per_user: usize,
    max_total: usize,
    ttl: std::time::Duration,
}

impl OfflineStore {
    pub(crate) fn new(per_user: usize, max_total: usize, ttl: std::time::Duration) -> Self {
        Self { inner: Mutex::new(Inner::default()), per_user, max_total, ttl }
    }

    /// Stores a message for `to`; false (nothing stored) when the store is disabled, or full
    /// for `to` or in total once expired messages are dropped.
    pub(crate) fn store(&self, to: &str, from: &str, message: Message) -> bool {
        self.put(to, from, message, true)
    }

    /// Stores a message that was already acknowledged to its sender (undelivered by a session
    /// that ended): it is kept past the bounds, which it exceeds by at most what one session
    /// held. False only when the store is disabled.
    pub(crate) fn keep(&self, to: &str, from: &str, message: Message) -> bool {
        self.put(to, from, message, false)
    }

    fn put(&self, to: &str, from: &str, message: Message, bounded: bool) -> bool {
        if self.per_user == 0 {
            return false;
        }
        let now = Instant::now();
        let mut inner = self.inner.lock();
        let Inner { boxes, total } = &mut *inner;
        if bounded && *total >= self.max_total {
            // Full: first drop what has expired everywhere, so dead entries never block new ones.
            boxes.retain(|_, q| {
                let before = q.len();
                q.retain(|s| s.expires > now);
                *total -= before - q.len();
                !q.is_empty()
            });
            if *total >= self.max_total {
                return false;
            }
        }
        if let Some(queue) = boxes.get_mut(to).filter(|q| bounded && q.len() >= self.per_user) {
            let before = queue.len();
            queue.retain(|s| s.expires > now);
            *total -= before - queue.len();
            if queue.len() >= self.per_user {
                return false;
            }
        }
        let queue = boxes.entry(to.to_owned()).or_default();
        queue.push_back(Stored { from: from.to_owned(), message, expires: now + self.ttl });
        *total += 1;
        true
    }

    /// Takes every unexpired message stored for `user`, oldest first.
    pub(crate) fn take(&self, user: &str) -> Vec<Stored> {
        let now = Instant::now();
        let mut inner = self.inner.lock();
        let Some(queue) = inner.boxes.remove(user) else { return Vec::new() };
        inner.total -= queue.len();
        queue.into_iter().filter(|s| s.expires > now).collect()
    }

    /// Messages stored for `user` (expired ones included until they are dropped).
    pub(crate) fn count(&self, user: &str) -> usize {
        self.inner.lock().boxes.get(user).map_or(0, |q| q.len())
    }

    /// Messages currently stored.
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn texts(v: Vec<Stored>) -> Vec<String> {
        v.into_iter().map(|s| s.message.text_or_description().to_owned()).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn per_user_cap_refuses_the_newest_and_keeps_what_it_took() {
        let s = OfflineStore::new(3, 100, Duration::from_secs(60));
        let stored: Vec<bool> =
            (0..5).map(|i| s.store("bob", "alice", Message::text(i.to_string()))).collect();
        assert_eq!(stored, [true, true, true, false, false]);
        assert_eq!(s.len(), 3);
        assert_eq!((s.count("bob"), s.count("carol")), (3, 0));
        assert!(s.store("carol", "alice", Message::text("c")), "other receivers have their own room");
        assert_eq!(texts(s.take("bob")), ["0", "1", "2"]);
        assert_eq!(s.len(), 1);
        assert!(s.take("bob").is_empty());
        assert!(s.store("bob", "alice", Message::text("again")), "room once taken");
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_box_makes_room_from_its_expired_messages() {
        let s = OfflineStore::new(2, 100, Duration::from_secs(60));
        assert!(s.store("bob", "a", Message::text("1")));
        assert!(s.store("bob", "a", Message::text("2")));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(s.store("bob", "a", Message::text("3")));
        assert_eq!(texts(s.take("bob")), ["3"]);
    }

    #[tokio::test(start_paused = true)]
    async fn acknowledged_messages_are_kept_past_the_bounds() {
        let s = OfflineStore::new(1, 1, Duration::from_secs(60));
        assert!(s.store("bob", "a", Message::text("1")));
        assert!(!s.store("bob", "a", Message::text("refused")));
        assert!(s.keep("bob", "a", Message::text("2")));
        assert!(s.keep("carol", "a", Message::text("3")));
        assert_eq!(s.len(), 3);
        assert_eq!(texts(s.take("bob")), ["1", "2"]);
        assert!(!OfflineStore::new(0, 1, Duration::from_secs(1)).keep("bob", "a", Message::text("x")));
    }

    #[tokio::test(start_paused = true)]
    async fn expiry() {
        let s = OfflineStore::new(10, 100, Duration::from_secs(60));
        s.store("bob", "a", Message::text("old"));
        tokio::time::advance(Duration::from_secs(30)).await;
        s.store("bob", "a", Message::text("new"));
        tokio::time::advance(Duration::from_secs(31)).await;
        assert_eq!(texts(s.take("bob")), ["new"]);
    }

    #[tokio::test(start_paused = true)]
    async fn total_cap_refuses_every_new_message() {
        let s = OfflineStore::new(10, 2, Duration::from_secs(60));
        assert!(s.store("u1", "a", Message::text("1")));
        assert!(s.store("u2", "a", Message::text("2")));
        assert!(!s.store("u3", "a", Message::text("3")));
        // An existing receiver's new message is refused too: nothing stored is dropped for it.
        assert!(!s.store("u1", "a", Message::text("1b")));
        assert_eq!(s.len(), 2);
        assert_eq!(texts(s.take("u1")), ["1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_store_makes_room_from_expired_messages() {
        let s = OfflineStore::new(10, 2, Duration::from_secs(60));
        assert!(s.store("u1", "a", Message::text("1")));
        assert!(s.store("u2", "a", Message::text("2")));
        tokio::time::advance(Duration::from_secs(61)).await;
        // Both stored messages expired without their receivers logging in: a new receiver fits.
        assert!(s.store("u3", "a", Message::text("3")));
        assert_eq!(s.len(), 1);
        assert_eq!(texts(s.take("u3")), ["3"]);
    }

    #[test]
    fn disabled_store_refuses() {
        let s = OfflineStore::new(0, 10, Duration::from_secs(1));
        assert!(!s.store("u", "a", Message::text("x")));
    }
}
