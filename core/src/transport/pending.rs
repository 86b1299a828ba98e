//! The requests of a WebSocket link waiting for their answers, by request id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use super::TransportError;
use crate::protocol::Reply;

/// Where the answer to one request goes: its reply, or the server's refusal of its frame.
pub(super) type Answer = oneshot::Sender<Result<Reply, TransportError>>;

/// The requests waiting for their answers, by id. Ids are a link's counter: they hash by one
/// multiplication rather than by SipHash, which costs more than the rest of the lookup.
pub(super) type Pending = Arc<Mutex<HashMap<u64, Answer, BuildHasherDefault<IdHasher>>>>;

/// Hashes a request id (Fibonacci hashing: distinct low bits for consecutive ids, mixed high
/// bits for the table's tags).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_hash_apart() {
        let hash = |n: u64| {
            let mut h = IdHasher::default();
            h.write_u64(n);
            h.finish()
        };
        let low: std::collections::HashSet<u64> = (0..1024).map(|n| hash(n) & 1023).collect();
        assert_eq!(low.len(), 1024, "every id of a run of 1024 in its own bucket of 1024");
        let pending: Pending = Arc::default();
        let (tx, _rx) = oneshot::channel();
        pending.lock().insert(7, tx);
        assert!(pending.lock().remove(&7).is_some() && pending.lock().is_empty());
    }
}
