//! Peer messages through the legacy facade: each simulated user is a `Signaling` instance whose
//! callbacks count acknowledgements and record the latency of what arrives.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use sigshim_legacy::{Signaling, SignalingCallbacks};
use tokio::sync::{Notify, mpsc};

use super::peer::Plan;
use super::stats::{Counters, Latencies, Tally, payload, user};
use super::target::{APP_ID, Target};

/// Callbacks of one legacy user of the bench.
struct Callbacks {
    counters: Arc<Counters>,
    /// Set when the run's measured window is known (after every login).
    received: Mutex<Option<Tally>>,
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
    }
    fn on_message_send_error(&self, message_id: &str, _ecode: i32) {
        if message_id.starts_with('m') {
            Counters::bump(&self.counters.failed);
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

/// Logs `count` legacy users in, named `prefix{i}`, one after the other.
pub(crate) async fn log_in(
    target: &Target,
    prefix: &str,
    count: usize,
    counters: &Arc<Counters>,
    inline: bool,
) -> Result<Vec<LegacyUser>, String> {
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let account = user(prefix, i);
        let sig = Signaling::create_instance_with(APP_ID, target.legacy().inline_callbacks(inline));
        let callbacks = Arc::new(Callbacks {
            counters: counters.clone(),
            received: Mutex::new(None),
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

/// Sender `i` sends to receiver `i` at each due time of `slots[i]`.
pub(crate) async fn drive(
    senders: Vec<LegacyUser>,
    receivers: Vec<LegacyUser>,
    counters: &Arc<Counters>,
    plan: Plan,
    slots: Vec<mpsc::UnboundedReceiver<u64>>,
) -> Result<Latencies, String> {
    for r in &receivers {
        *r.callbacks.received.lock() = Some(Tally::new(plan.window, counters.clone()));
    }
    let mut writers = Vec::with_capacity(senders.len());
    for (i, (sender, mut due)) in senders.iter().zip(slots).enumerate() {
        let (sig, counters) = (sender.sig.clone(), counters.clone());
        writers.push(tokio::spawn(async move {
            let to = user("r", i);
            let mut k = 0u64;
            while let Some(at) = due.recv().await {
                // Only measured messages get an `m` id, so that their acknowledgements count.
                let id = if plan.window.contains(at) {
                    Counters::bump(&counters.sent);
                    format!("m{k}")
                } else {
                    format!("w{k}")
                };
                sig.message_instant_send(&to, 0, &payload(at), &id);
                k += 1;
            }
        }));
    }
    for w in writers {
        w.await.map_err(|e| e.to_string())?;
    }
    super::peer::drain(counters).await;
    let mut all = Latencies::default();
    for r in &receivers {
        if let Some(tally) = r.callbacks.received.lock().as_ref() {
            all.merge(tally.latencies());
        }
    }
    for u in senders.iter().chain(&receivers) {
        u.sig.destroy();
    }
    Ok(all)
}
