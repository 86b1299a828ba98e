//! Who is logged in: user ID -> session, in shards so that lookups rarely contend.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use parking_lot::RwLock;

use super::session::Session;

type Shard = RwLock<HashMap<Arc<str>, Arc<Session>>>;

/// Sharded map of the logged-in sessions, one per user ID.
#[derive(Debug)]
pub(crate) struct Registry {
    hasher: std::collections::hash_map::RandomState,
    shards: Box<[Shard]>,
}

impl Registry {
    pub(crate) fn new(shards: usize) -> Self {
        let n = shards.max(1).next_power_of_two();
        Self { hasher: Default::default(), shards: (0..n).map(|_| RwLock::new(HashMap::new())).collect() }
    }

    fn shard(&self, user_id: &str) -> &Shard {
        let h = self.hasher.hash_one(user_id) as usize;
        &self.shards[h & (self.shards.len() - 1)]
    }

    /// The current session of `user_id`.
    pub(crate) fn get(&self, user_id: &str) -> Option<Arc<Session>> {
        self.shard(user_id).read().get(user_id).cloned()
    }

    /// Makes `session` the user's current session and returns the one it replaces.
    pub(crate) fn insert(&self, session: Arc<Session>) -> Option<Arc<Session>> {
        // The session's own copy of the name: no second allocation per logged-in user.
        let key = session.user_id_shared();
        self.shard(session.user_id()).write().insert(key, session)
    }

    /// Removes `session` if it is still the user's current one.
    pub(crate) fn remove(&self, session: &Session) -> bool {
        let mut shard = self.shard(session.user_id()).write();
        match shard.get(session.user_id()) {
            Some(cur) if cur.key() == session.key() => {
                shard.remove(session.user_id());
                true
            }
            _ => false,
        }
    }

    /// Bytes queued in every session's inbox (a walk over all sessions: for scrapes).
    pub(crate) fn queued_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().values().map(|session| session.queued_bytes()).sum::<usize>())
            .sum()
    }

    /// Every current session (a walk over all shards: for rare, hub-wide events).
    #[cfg(feature = "redis")]
    pub(crate) fn all(&self) -> Vec<Arc<Session>> {
        self.shards.iter().flat_map(|s| s.read().values().cloned().collect::<Vec<_>>()).collect()
    }

    /// Number of logged-in users.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }
}
