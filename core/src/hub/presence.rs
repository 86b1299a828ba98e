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
    /// Changes held back from watchers whose first states are still being read from the engine:
    /// (watcher session key, peer) -> the states in the order they came.
    #[cfg(feature = "redis")]
    held: Mutex<HashMap<(u64, String), Vec<PeerOnlineState>>>,
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
        #[cfg(feature = "redis")]
        let mut held = self.held.lock();
        for p in peers {
            #[cfg(feature = "redis")]
            if !held.is_empty() {
                held.remove(&(watcher.key(), p.clone()));
            }
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
            #[cfg(feature = "redis")]
            if self.hold_back(&t, user_id, state) {
                continue;
            }
            // A watcher whose inbox is full misses this change; the next query tells the truth.
            if t.push(event.clone()) == Push::Full {
                Counters::bump(drops);
            }
        }
    }

    /// Holds back the changes of `peers` from `watcher` until [`release`](Self::release): its
    /// first states are being read from the engine, and a change that left another node before
    /// that read may reach this node after it.
    #[cfg(feature = "redis")]
    pub(crate) fn hold(&self, watcher: &Session, peers: &[String]) {
        let mut held = self.held.lock();
        for p in peers {
            held.entry((watcher.key(), p.clone())).or_default();
        }
    }

    /// Pushes `first` (the states read from the engine) to `watcher`, then each held change that
    /// differs from the state before it: a change older than the read repeats what the read
    /// found and is dropped; a newer one is told after the first states.
    #[cfg(feature = "redis")]
    pub(crate) fn release(&self, watcher: &Session, first: Vec<PeerStatus>, drops: &AtomicU64) {
        // Pushed under the lock: a change that comes meanwhile waits for it, then goes after.
        let mut held = self.held.lock();
        let mut later = Vec::new();
        for status in &first {
            let changes = held.remove(&(watcher.key(), status.peer_id.clone())).unwrap_or_default();
            let mut current = status.state;
            for state in changes {
                if state != current {
                    later.push(PeerStatus { peer_id: status.peer_id.clone(), state });
                    current = state;
                }
            }
        }
        let events = std::iter::once(first).chain(later.into_iter().map(|s| vec![s]));
        for statuses in events {
            if watcher.push(Arc::new(Event::PeersOnlineStatusChanged { statuses })) == Push::Full {
                Counters::bump(drops);
            }
        }
        drop(held);
    }

    /// Stops holding back the changes of `peers` from `watcher`, dropping what was held (its
    /// first states could not be read, and it was told so).
    #[cfg(feature = "redis")]
    pub(crate) fn unhold(&self, watcher: &Session, peers: &[String]) {
        let mut held = self.held.lock();
        for p in peers {
            held.remove(&(watcher.key(), p.clone()));
        }
    }

    /// Whether a change of `user_id` is held back from `watcher` (and now recorded).
    #[cfg(feature = "redis")]
    fn hold_back(&self, watcher: &Session, user_id: &str, state: PeerOnlineState) -> bool {
        let mut held = self.held.lock();
        if held.is_empty() {
            return false;
        }
        match held.get_mut(&(watcher.key(), user_id.to_owned())) {
            Some(changes) => {
                changes.push(state);
                true
            }
            None => false,
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

    #[cfg(feature = "redis")]
    #[test]
    fn held_changes_follow_the_first_states_and_stale_ones_are_dropped() {
        use PeerOnlineState::{Offline, Online};
        let (watcher, mut inbox) = Session::new(1, "w", crate::limits::Profile::Rtm, 16, 1 << 20);
        let watchers = Watchers::default();
        let peers = ["p".to_owned(), "q".to_owned()];
        watchers.hold(&watcher, &peers);
        watchers.watch(&watcher, &peers);
        let drops = AtomicU64::new(0);
        // p's login reached this node late (the read saw it online); q went away and came back.
        watchers.notify("p", Online, &drops);
        watchers.notify("q", Offline, &drops);
        watchers.notify("q", Online, &drops);
        assert!(inbox.try_recv().is_err(), "nothing before the first states");
        let status = |peer_id: &str, state| PeerStatus { peer_id: peer_id.to_owned(), state };
        watchers.release(&watcher, vec![status("p", Online), status("q", Online)], &drops);
        let mut got = Vec::new();
        while let Ok(ev) = inbox.try_recv() {
            match &*ev {
                Event::PeersOnlineStatusChanged { statuses } => got.push(statuses.clone()),
                other => panic!("{other:?}"),
            }
        }
        let want = vec![
            vec![status("p", Online), status("q", Online)],
            vec![status("q", Offline)],
            vec![status("q", Online)],
        ];
        assert_eq!(got, want);
        // Released: later changes go straight through.
        watchers.notify("p", Offline, &drops);
        assert!(inbox.try_recv().is_ok());
        assert_eq!(drops.load(Relaxed), 0);
    }
}
