//! Peer messages through the legacy facade: each simulated user is a `Signaling` instance whose
//! callbacks count acknowledgements and record the latency of what arrives.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use sigshim_legacy::{Signaling, SignalingCallbacks};
use tokio::sync::{Notify, mpsc};

use super::peer::Plan;
use super::stats::{Counters, Latencies, Tally, Window, now_ns, ns_of, payload, user};
use super::target::{APP_ID, Target};

/// Sends message number `k` of a sender, due at `due`. Only measured messages get an `m` id,
/// so that their acknowledgements count.
fn send(sig: &Signaling, to: &str, due: u64, k: u64, window: Window, counters: &Counters) {
    let id = if window.contains(due) {
        Counters::bump(&counters.sent);
        format!("m{k}")
    } else {
        format!("w{k}")
    };
    sig.message_instant_send(to, 0, &payload(due), &id);
}

/// At saturation: a sender's next message, sent as soon as one of its own is answered.
struct Refill {
    /// Weak: the instance holds these callbacks.
    sig: Weak<Signaling>,
    to: String,
    window: Window,
    stop_ns: u64,
    counters: Arc<Counters>,
    next: AtomicU64,
}

impl Refill {
    fn send_next(&self) {
        let now = now_ns();
        if now >= self.stop_ns {
            return;
        }
        if let Some(sig) = self.sig.upgrade() {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            send(&sig, &self.to, now, k, self.window, &self.counters);
        }
    }
}

/// Callbacks of one legacy user of the bench.
struct Callbacks {
    counters: Arc<Counters>,
    /// Set when the run's measured window is known (after every login).
    received: Mutex<Option<Tally>>,
    /// Set on senders at saturation.
    refill: OnceLock<Refill>,
    logged_in: Notify,
}

impl SignalingCallbacks for Callbacks {
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        self.logged_in.notify_one();
    }
    fn on_message_send_success(&self, message_id: &str) {
        if message_id.starts_with('m') {
            Counters::bump(&self.counters.acked);
        }
        if let Some(r) = self.refill.get() {
            r.send_next();
        }
    }
    fn on_message_send_error(&self, message_id: &str, _ecode: i32) {
        if message_id.starts_with('m') {
            Counters::bump(&self.counters.failed);
        }
        if let Some(r) = self.refill.get() {
            r.send_next();
        }
    }
    fn on_error(&self, name: &str, _ecode: i32, _desc: &str) {
        // A send refused before it was queued (the instance's call queue was full): it will
        // never be answered. Its ID is not reported, so it counts as failed whether or not it
        // was measured.
        if name == "message_instant_send" {
            Counters::bump(&self.counters.failed);
            if let Some(r) = self.refill.get() {
                r.send_next();
            }
        }
    }
    fn on_message_instant_receive(&self, _account: &str, _uid: u32, msg: &str) {
        if let Some(tally) = self.received.lock().as_mut() {
            tally.message(msg);
        }
    }
}

/// A logged-in legacy instance and its callbacks.
pub(crate) struct LegacyUser {
    sig: Arc<Signaling>,
    callbacks: Arc<Callbacks>,
}

/// A user ends its instance when it goes away: on every path, a failed run's users included (an
/// instance lives until `destroy`).
impl Drop for LegacyUser {
    fn drop(&mut self) {
        self.sig.destroy();
    }
}

/// Logs `count` legacy users in, named `prefix{i}`, one after the other, user `i` on node
/// `first_node + i` (modulo the target's nodes).
pub(crate) async fn log_in(
    target: &Target,
    prefix: &str,
    count: usize,
    first_node: usize,
    counters: &Arc<Counters>,
    inline: bool,
) -> Result<Vec<LegacyUser>, String> {
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let account = user(prefix, i);
        let sig = Signaling::create_instance_with(
            APP_ID,
            target.legacy_on(first_node + i).inline_callbacks(inline),
        );
        let callbacks = Arc::new(Callbacks {
            counters: counters.clone(),
            received: Mutex::new(None),
            refill: OnceLock::new(),
            logged_in: Notify::new(),
        });
        sig.callback_set(callbacks.clone());
        sig.login(APP_ID, &account, "_no_need_token", 0, "");
        tokio::time::timeout(Duration::from_secs(30), callbacks.logged_in.notified())
            .await
            .map_err(|_| format!("legacy login of {account} timed out"))?;
        users.push(LegacyUser { sig, callbacks });
    }
    Ok(users)
}

/// Sender `i` sends to receiver `i`: at each due time of `slots[i]` (open loop), or, without
/// slots, `window` messages at the start and one more each time one is answered (saturation).
pub(crate) async fn drive(
    senders: Vec<LegacyUser>,
    receivers: Vec<LegacyUser>,
    counters: &Arc<Counters>,
    plan: Plan,
    slots: Option<Vec<mpsc::UnboundedReceiver<u64>>>,
    window: usize,
) -> Result<Latencies, String> {
    for r in &receivers {
        *r.callbacks.received.lock() = Some(Tally::new(plan.window, counters.clone()));
    }
    match slots {
        Some(slots) => {
            let mut writers = Vec::with_capacity(senders.len());
            for (i, (sender, mut due)) in senders.iter().zip(slots).enumerate() {
                let (sig, counters) = (sender.sig.clone(), counters.clone());
                writers.push(tokio::spawn(async move {
                    let to = user("r", i);
                    let mut k = 0u64;
                    while let Some(at) = due.recv().await {
                        send(&sig, &to, at, k, plan.window, &counters);
                        k += 1;
                    }
                }));
            }
            for w in writers {
                w.await.map_err(|e| e.to_string())?;
            }
        }
        None => {
            tokio::time::sleep_until(plan.start).await;
            for (i, sender) in senders.iter().enumerate() {
                let refill = Refill {
                    sig: Arc::downgrade(&sender.sig),
                    to: user("r", i),
                    window: plan.window,
                    stop_ns: ns_of(plan.stop_at),
                    counters: counters.clone(),
                    next: AtomicU64::new(0),
                };
                let refill = sender.callbacks.refill.get_or_init(|| refill);
                for _ in 0..window {
                    refill.send_next();
                }
            }
            tokio::time::sleep_until(plan.stop_at).await;
        }
    }
    super::peer::drain(counters).await;
    let mut all = Latencies::default();
    for r in &receivers {
        if let Some(tally) = r.callbacks.received.lock().as_ref() {
            all.merge(tally.latencies());
        }
    }
    drop((senders, receivers)); // destroys the instances
    Ok(all)
}
