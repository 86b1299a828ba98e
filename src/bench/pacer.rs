//! The open-loop schedule: one OS thread walks the run's send slots in time order and hands each
//! to its sender with the time it was due. Latency is measured from that due time, so a sender
//! (or a runtime) that falls behind shows up as latency instead of hiding in a later send time.
//!
//! A thread of its own, rather than a tokio timer per sender, because tokio's timer wheel has a
//! 1 ms resolution: its wake-ups drift up to a millisecond past the slot, which is half the p99
//! budget the peer scenario is measured against. The thread sleeps on the OS timer until the
//! next slot and hands over every slot that is due when it wakes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::stats::{Latencies, Report, now_ns};

/// Slots spread evenly over a run: slot `n` is due at `start + n / rate` and belongs to sender
/// `n % senders`, so each sender sends every `senders / rate` seconds, offset from its
/// neighbours.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// The first slot, in the generator's nanosecond clock.
    pub(crate) start_ns: u64,
    /// No slot is due at or after this time.
    pub(crate) stop_ns: u64,
    /// Slots per second over all senders (more than zero).
    pub(crate) rate: u64,
    /// The senders that share the slots (more than zero).
    pub(crate) senders: usize,
}

impl Schedule {
    /// The due time of slot `n`.
    fn due(&self, n: u64) -> u64 {
        let offset = u128::from(n) * 1_000_000_000 / u128::from(self.rate.max(1));
        self.start_ns.saturating_add(u64::try_from(offset).unwrap_or(u64::MAX))
    }

    /// The number of slots in the run.
    pub(crate) fn slots(&self) -> u64 {
        let span = u128::from(self.stop_ns.saturating_sub(self.start_ns));
        u64::try_from((span * u128::from(self.rate)).div_ceil(1_000_000_000)).unwrap_or(u64::MAX)
    }
}

/// The running pacer: one receiver of due times per sender, and how late the thread itself was.
pub(crate) struct Pacer {
    /// Sender `i` reads its due times from `slots[i]`; the channel closes after its last slot.
    pub(crate) slots: Vec<mpsc::UnboundedReceiver<u64>>,
    late: Arc<Mutex<Latencies>>,
    stop: Arc<AtomicBool>,
}

impl Pacer {
    /// Starts the thread for `schedule`.
    pub(crate) fn start(schedule: Schedule) -> Result<Self, String> {
        let senders = schedule.senders.max(1);
        let (txs, slots): (Vec<_>, Vec<_>) = (0..senders).map(|_| mpsc::unbounded_channel()).unzip();
        let late = Arc::new(Mutex::new(Latencies::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_late, thread_stop) = (late.clone(), stop.clone());
        std::thread::Builder::new()
            .name("bench-pacer".into())
            .spawn(move || pace(schedule, &txs, &thread_late, &thread_stop))
            .map_err(|e| format!("starting the pacer thread: {e}"))?;
        Ok(Self { slots, late, stop })
    }

    /// Adds `pacer_late_p99_us` and `pacer_late_max_us`: how long after its due time the thread
    /// handed a slot over. Large values mean the generator's own thread waited for a CPU.
    pub(crate) fn fields(&self, report: &mut Report) {
        let late = self.late.lock();
        report.set("pacer_late_p99_us", late.at(0.99));
        report.set("pacer_late_max_us", late.max());
    }
}

impl Drop for Pacer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The thread's loop: sleep until the next slot, then hand over every slot that is due.
fn pace(schedule: Schedule, txs: &[mpsc::UnboundedSender<u64>], late: &Mutex<Latencies>, stop: &AtomicBool) {
    let slots = schedule.slots();
    let mut lateness = Latencies::default();
    let mut n = 0u64;
    while n < slots && !stop.load(Ordering::Relaxed) {
        let due = schedule.due(n);
        let now = now_ns();
        if due > now {
            std::thread::sleep(Duration::from_nanos(due - now));
            continue;
        }
        lateness.record_ns(now - due);
        // A sender that is gone no longer wants slots; the others still get theirs.
        let _ = txs[(n % txs.len() as u64) as usize].send(due);
        n += 1;
    }
    *late.lock() = lateness;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spread_evenly_over_the_run() {
        let s = Schedule { start_ns: 1_000, stop_ns: 1_000 + 1_000_000_000, rate: 4, senders: 2 };
        assert_eq!(s.slots(), 4);
        assert_eq!(
            (0..4).map(|n| s.due(n)).collect::<Vec<_>>(),
            [1_000, 250_001_000, 500_001_000, 750_001_000]
        );
        let partial = Schedule { stop_ns: 1_000 + 600_000_000, ..s };
        assert_eq!(partial.slots(), 3, "the slot at 500 ms is inside, the one at 750 ms is not");
    }

    #[test]
    fn every_slot_reaches_its_sender_in_order_and_the_channels_close() {
        let start = now_ns() + 1_000_000;
        let schedule = Schedule { start_ns: start, stop_ns: start + 20_000_000, rate: 1_000, senders: 3 };
        let mut pacer = Pacer::start(schedule).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let got: Vec<Vec<u64>> = rt.block_on(async {
            let mut all = Vec::new();
            for rx in &mut pacer.slots {
                let mut dues = Vec::new();
                while let Some(d) = rx.recv().await {
                    dues.push(d);
                }
                all.push(dues);
            }
            all
        });
        assert_eq!(got.iter().map(Vec::len).sum::<usize>(), 20);
        for (i, dues) in got.iter().enumerate() {
            let want: Vec<u64> = (0..20u64).filter(|n| n % 3 == i as u64).map(|n| schedule.due(n)).collect();
            assert_eq!(dues, &want, "sender {i}");
        }
        let mut r = Report::default();
        pacer.fields(&mut r);
        let field = |k: &str| r.get(k).and_then(serde_json::Value::as_u64).unwrap_or_else(|| panic!("{k}"));
        assert!(field("pacer_late_p99_us") <= field("pacer_late_max_us"));
    }
}
