//! Counters the hub keeps about its own work.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Live counters (relaxed atomics; a snapshot is not a transaction).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) logins: AtomicU64,
    pub(crate) login_failures: AtomicU64,
    pub(crate) peer_messages_delivered: AtomicU64,
    pub(crate) peer_messages_cached: AtomicU64,
    pub(crate) peer_messages_unreachable: AtomicU64,
    pub(crate) channel_messages: AtomicU64,
    pub(crate) inbox_full_drops: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(c: &AtomicU64) {
        c.fetch_add(1, Relaxed);
    }

    pub(crate) fn snapshot(
        &self,
        online_users: usize,
        offline_stored: usize,
        parked_sessions: usize,
    ) -> HubStats {
        HubStats {
            online_users,
            offline_stored,
            parked_sessions,
            logins: self.logins.load(Relaxed),
            login_failures: self.login_failures.load(Relaxed),
            peer_messages_delivered: self.peer_messages_delivered.load(Relaxed),
            peer_messages_cached: self.peer_messages_cached.load(Relaxed),
            peer_messages_unreachable: self.peer_messages_unreachable.load(Relaxed),
            channel_messages: self.channel_messages.load(Relaxed),
            inbox_full_drops: self.inbox_full_drops.load(Relaxed),
            rate_limited: self.rate_limited.load(Relaxed),
        }
    }
}

/// A snapshot of the hub's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HubStats {
    /// Users logged in now.
    pub online_users: usize,
    /// Offline messages stored now.
    pub offline_stored: usize,
    /// Sessions waiting for their network client to resume them.
    pub parked_sessions: usize,
    /// Successful logins.
    pub logins: u64,
    /// Refused logins.
    pub login_failures: u64,
    /// Peer messages queued to an online receiver.
    pub peer_messages_delivered: u64,
    /// Peer messages stored for an offline receiver.
    pub peer_messages_cached: u64,
    /// Peer messages refused because the receiver was offline.
    pub peer_messages_unreachable: u64,
    /// Channel messages accepted for fan-out (each counted once, whatever the members).
    pub channel_messages: u64,
    /// Pushes refused because a receiver's inbox was full (slow consumer).
    pub inbox_full_drops: u64,
    /// Requests refused by a rate limit.
    pub rate_limited: u64,
}
