//! Who watches whose online state, and the pushes when it changes.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::session::{Push, Session};
use super::stats::Counters;
use crate::protocol::{Event, PeerOnlineState, PeerStatus};

/// watched user ID -> (watcher session key -> watcher).
#[derive(Debug, Default)]
pub(crate) struct Watchers {
    map: Mutex<HashMap<String, HashMap<u64, Weak<Session>>>>,
}

impl Watchers {
    pub(crate) fn watch(&self, watcher: &Arc<Session>, peers: &[String]) {
        let mut map = self.map.lock();
        for p in peers {
            map.entry(p.clone()).or_default().insert(watcher.key(), Arc::downgrade(watcher));
        }
    }

    pub(crate) fn unwatch<'a>(&self, watcher: &Session, peers: impl IntoIterator<Item = &'a String>) {
        let mut map = self.map.lock();
        for p in peers {
            if let Some(w) = map.get_mut(p) {
                w.remove(&watcher.key());
                if w.is_empty() {
                    map.remove(p);
                }
            }
        }
    }

    /// Tells every watcher of `user_id` its new state; a push refused by a full inbox is counted
    /// in `drops`.
    pub(crate) fn notify(&self, user_id: &str, state: PeerOnlineState, drops: &AtomicU64) {
        let targets: Vec<Arc<Session>> = match self.map.lock().get(user_id) {
            Some(w) => w.values().filter_map(Weak::upgrade).collect(),
            None => return,
        };
        let event = Arc::new(Event::PeersOnlineStatusChanged {
            statuses: vec![PeerStatus { peer_id: user_id.to_owned(), state }],
        });
        for t in targets {
            // A watcher whose inbox is full misses this change; the next query tells the truth.
            if t.push(event.clone()) == Push::Full {
                Counters::bump(drops);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering::Relaxed;

    use super::*;

    #[test]
    fn a_change_a_full_watcher_misses_is_counted() {
        let (watcher, _inbox) = Session::new(1, "w", crate::limits::Profile::Rtm, 1, 1024);
        let watchers = Watchers::default();
        watchers.watch(&watcher, &["p".to_owned()]);
        let drops = AtomicU64::new(0);
        watchers.notify("p", PeerOnlineState::Online, &drops); // fills the one slot
        watchers.notify("p", PeerOnlineState::Offline, &drops);
        watchers.notify("nobody-watches", PeerOnlineState::Offline, &drops);
        assert_eq!(drops.load(Relaxed), 1);
    }
}
