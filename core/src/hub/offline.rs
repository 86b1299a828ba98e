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

/// Bounded per receiver (oldest dropped first), bounded in total, with an expiry.
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

    /// Stores a message for `to`; false when the store is full or disabled.
    pub(crate) fn store(&self, to: &str, from: &str, message: Message) -> bool {
        if self.per_user == 0 {
            return false;
        }
        let now = Instant::now();
        let mut inner = self.inner.lock();
        let Inner { boxes, total } = &mut *inner;
        if *total >= self.max_total {
            // Full: first drop what has expired everywhere, so dead entries never block new ones.
            boxes.retain(|_, q| {
                let before = q.len();
                q.retain(|s| s.expires > now);
                *total -= before - q.len();
                !q.is_empty()
            });
        }
        let full_total = *total >= self.max_total;
        let queue = match boxes.get_mut(to) {
            Some(q) => q,
            None if full_total => return false,
            None => boxes.entry(to.to_owned()).or_default(),
        };
        let before = queue.len();
        queue.retain(|s| s.expires > now);
        *total -= before - queue.len();
        if queue.len() >= self.per_user || (full_total && !queue.is_empty()) {
            queue.pop_front();
            *total -= 1;
        } else if *total >= self.max_total {
            return false;
        }
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
    async fn per_user_cap_drops_oldest() {
        let s = OfflineStore::new(3, 100, Duration::from_secs(60));
        for i in 0..5 {
            assert!(s.store("bob", "alice", Message::text(i.to_string())));
        }
        assert_eq!(s.len(), 3);
        assert_eq!((s.count("bob"), s.count("carol")), (3, 0));
        assert_eq!(texts(s.take("bob")), ["2", "3", "4"]);
        assert_eq!(s.len(), 0);
        assert!(s.take("bob").is_empty());
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
    async fn total_cap_refuses_new_receivers() {
        let s = OfflineStore::new(10, 2, Duration::from_secs(60));
        assert!(s.store("u1", "a", Message::text("1")));
        assert!(s.store("u2", "a", Message::text("2")));
        assert!(!s.store("u3", "a", Message::text("3")));
        // An existing receiver still gets its newest message, replacing its oldest.
        assert!(s.store("u1", "a", Message::text("1b")));
        assert_eq!(s.len(), 2);
        assert_eq!(texts(s.take("u1")), ["1b"]);
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
