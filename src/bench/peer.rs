//! Peer messages: `pairs` senders, each with its own receiver, through the core API or the
//! legacy facade; open-loop at a fixed total rate, or saturation with a window per sender.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use sigshim::{Client, ClientEvent, Message, SendMessageOptions};
use sigshim_legacy::{Signaling, SignalingCallbacks};
use tokio::sync::{Notify, watch};

use super::stats::{Counters, Latencies, Report, Tally, Window, now_ns, payload, progress};
use super::target::{APP_ID, Target};
use super::{Api, RunShape};

/// The send time a message carries: when its sender woke for it. The timer wakes up to a
/// millisecond after the scheduled time; that lateness is the generator's, so latency counts
/// from the wake-up. A send that waits for the runtime after the wake-up is still measured.
pub(crate) fn sent_at() -> u64 {
    now_ns()
}

/// Logs `count` core clients in concurrently, named `prefix{i}`.
pub(crate) async fn core_clients(
    target: &Target,
    prefix: &str,
    count: usize,
) -> Result<Vec<(Client, sigshim::Events)>, String> {
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let (client, events) = target.client().login_timeout(Duration::from_secs(30)).build();
        let user = format!("{prefix}{i}");
        tasks.push(tokio::spawn(async move {
            client.login(None, &user).await.map_err(|e| format!("login of {user}: {e}"))?;
            Ok::<_, String>((client, events))
        }));
    }
    let mut out = Vec::with_capacity(count);
    for t in tasks {
        out.push(t.await.map_err(|e| e.to_string())??);
    }
    Ok(out)
}

/// Runs the scenario and reports it.
pub(crate) async fn run(target: &Target, shape: &RunShape, api: Api) -> Result<Report, String> {
    let counters = Arc::new(Counters::default());
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    let window = Window::new(start, shape.warmup, shape.duration);
    let stop_at = start + shape.warmup + shape.duration;
    let done = Arc::new(AtomicBool::new(false));
    progress(counters.clone(), done.clone());
    let server_cpu = target.cpu();
    let own_cpu = super::procfs::CpuMeter::start(std::process::id());
    let latencies = match api {
        Api::Core => core_run(target, shape, &counters, window, start, stop_at).await?,
        Api::Legacy => legacy_run(target, shape, &counters, window, start, stop_at).await?,
    };
    done.store(true, Ordering::Relaxed);
    let mut r = Report::new("peer");
    r.set("api", api.name());
    if api == Api::Legacy {
        r.set("inline_callbacks", shape.inline_callbacks);
    }
    r.set("target", target.describe());
    r.set("connections", 2 * shape.pairs as u64);
    r.set("rate", shape.rate);
    r.set_f("duration_s", shape.duration.as_secs_f64());
    let (sent, delivered) = (Counters::get(&counters.sent), Counters::get(&counters.delivered));
    r.set("sent", sent);
    r.set("acked", Counters::get(&counters.acked));
    r.set("failed", Counters::get(&counters.failed));
    r.set("delivered", delivered);
    r.set("lost", sent.saturating_sub(delivered));
    r.set_f("throughput", delivered as f64 / shape.duration.as_secs_f64());
    latencies.fields(&mut r);
    super::resources(&mut r, target, server_cpu, own_cpu);
    Ok(r)
}

async fn core_run(
    target: &Target,
    shape: &RunShape,
    counters: &Arc<Counters>,
    window: Window,
    start: tokio::time::Instant,
    stop_at: tokio::time::Instant,
) -> Result<Latencies, String> {
    let senders = core_clients(target, "s", shape.pairs).await?;
    let receivers = core_clients(target, "r", shape.pairs).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut readers = Vec::new();
    for (client, mut events) in receivers {
        let (counters, mut stop) = (counters.clone(), stop_rx.clone());
        readers.push(tokio::spawn(async move {
            let _client = client;
            let mut tally = Tally::new(window, counters);
            loop {
                tokio::select! {
                    ev = events.recv() => match ev {
                        Some(ClientEvent::MessageFromPeer { message, .. }) => tally.message(message.text_or_description()),
                        Some(_) => {}
                        None => break,
                    },
                    _ = stop.changed() => break,
                }
            }
            tally
        }));
    }
    let mut writers = Vec::new();
    for (i, (client, _events)) in senders.into_iter().enumerate() {
        let counters = counters.clone();
        let to = format!("r{i}");
        let pairs = shape.pairs;
        let (rate, window_size) = (shape.rate, shape.window);
        writers.push(tokio::spawn(async move {
            // Counts the message as sent at once (before any task runs), then sends it.
            let send = move |intended: u64| {
                let (client, to, counters) = (client.clone(), to.clone(), counters.clone());
                let counted = window.contains(intended);
                if counted {
                    Counters::bump(&counters.sent);
                }
                async move {
                    let r = client
                        .send_message_to_peer(
                            &to,
                            &Message::text(payload(intended)),
                            SendMessageOptions::default(),
                        )
                        .await;
                    if counted {
                        Counters::bump(if r.is_ok() { &counters.acked } else { &counters.failed });
                    }
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "send failed");
                    }
                }
            };
            if rate > 0 {
                let every = Duration::from_secs_f64(pairs as f64 / rate as f64);
                let offset = every.mul_f64(i as f64 / pairs as f64);
                let mut k = 0u32;
                loop {
                    let at = start + offset + every * k;
                    if at >= stop_at {
                        break;
                    }
                    tokio::time::sleep_until(at).await;
                    tokio::spawn(send(sent_at()));
                    k += 1;
                }
            } else {
                // Saturation: `window` loops, each sending as soon as its last send was answered.
                tokio::time::sleep_until(start).await;
                let mut loops = Vec::with_capacity(window_size);
                for _ in 0..window_size {
                    let send = send.clone();
                    loops.push(tokio::spawn(async move {
                        while tokio::time::Instant::now() < stop_at {
                            send(now_ns()).await;
                            // An in-process send may complete without ever yielding.
                            tokio::task::yield_now().await;
                        }
                    }));
                }
                for l in loops {
                    let _ = l.await;
                }
            }
        }));
    }
    for w in writers {
        w.await.map_err(|e| e.to_string())?;
    }
    drain(counters).await;
    let _ = stop_tx.send(true);
    let mut all = Latencies::default();
    for r in readers {
        all.merge(r.await.map_err(|e| e.to_string())?.latencies());
    }
    Ok(all)
}

/// Waits until every counted message was answered and arrived, or 3 s.
async fn drain(counters: &Counters) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let settled = || {
        let sent = Counters::get(&counters.sent);
        let answered = Counters::get(&counters.acked) + Counters::get(&counters.failed);
        Counters::get(&counters.delivered) >= sent && answered >= sent
    };
    while !settled() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Callbacks of one legacy user of the bench.
struct LegacyUser {
    counters: Arc<Counters>,
    received: Mutex<Tally>,
    logged_in: Notify,
}

impl SignalingCallbacks for LegacyUser {
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
        self.received.lock().message(msg);
    }
}

async fn legacy_user(
    target: &Target,
    account: String,
    counters: &Arc<Counters>,
    window: Window,
    inline: bool,
) -> Result<(Arc<Signaling>, Arc<LegacyUser>), String> {
    let sig = Signaling::create_instance_with(APP_ID, target.legacy().inline_callbacks(inline));
    let user = Arc::new(LegacyUser {
        counters: counters.clone(),
        received: Mutex::new(Tally::new(window, counters.clone())),
        logged_in: Notify::new(),
    });
    sig.callback_set(user.clone());
    sig.login(APP_ID, &account, "_no_need_token", 0, "");
    tokio::time::timeout(Duration::from_secs(30), user.logged_in.notified())
        .await
        .map_err(|_| format!("legacy login of {account} timed out"))?;
    Ok((sig, user))
}

async fn legacy_run(
    target: &Target,
    shape: &RunShape,
    counters: &Arc<Counters>,
    window: Window,
    start: tokio::time::Instant,
    stop_at: tokio::time::Instant,
) -> Result<Latencies, String> {
    if shape.rate == 0 {
        return Err("the legacy API runs at a fixed rate: give --rate".into());
    }
    let mut senders = Vec::new();
    let mut receivers = Vec::new();
    for i in 0..shape.pairs {
        let inline = shape.inline_callbacks;
        senders.push(legacy_user(target, format!("s{i}"), counters, window, inline).await?.0);
        receivers.push(legacy_user(target, format!("r{i}"), counters, window, inline).await?);
    }
    let every = Duration::from_secs_f64(shape.pairs as f64 / shape.rate as f64);
    let mut writers = Vec::new();
    for (i, sig) in senders.iter().enumerate() {
        let (sig, counters, pairs) = (sig.clone(), counters.clone(), shape.pairs);
        writers.push(tokio::spawn(async move {
            let offset = every.mul_f64(i as f64 / pairs as f64);
            let to = format!("r{i}");
            let mut k = 0u32;
            loop {
                let at = start + offset + every * k;
                if at >= stop_at {
                    break;
                }
                tokio::time::sleep_until(at).await;
                let intended = sent_at();
                // Only measured messages get an `m` id, so that their acknowledgements count.
                let id = if window.contains(intended) {
                    Counters::bump(&counters.sent);
                    format!("m{k}")
                } else {
                    format!("w{k}")
                };
                sig.message_instant_send(&to, 0, &payload(intended), &id);
                k += 1;
            }
        }));
    }
    for w in writers {
        w.await.map_err(|e| e.to_string())?;
    }
    drain(counters).await;
    let mut all = Latencies::default();
    for (_, user) in &receivers {
        all.merge(user.received.lock().latencies());
    }
    for s in senders.iter().chain(receivers.iter().map(|(s, _)| s)) {
        s.destroy();
    }
    Ok(all)
}
