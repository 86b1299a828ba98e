//! Peer messages: `pairs` senders, each with its own receiver, through the core API, the legacy
//! facade or lean protocol-level users (of the core protocol or of the legacy endpoint); open-loop at a fixed total rate (slots from the
//! [`Pacer`]), or saturation with a window per sender.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use sigshim::{Client, ClientEvent, Message, SendMessageOptions};
use tokio::sync::{mpsc, watch};

use super::dialect::Dialect;
use super::lean::LeanSender;
use super::legacy::LegacyUser;
use super::pacer::{Pacer, Schedule};
use super::raw::Ws;
use super::stats::{Counters, Latencies, Report, Tally, Window, now_ns, ns_of, payload, user};
use super::target::Target;
use super::{Api, RunShape};

/// Logs `count` core clients in concurrently, named `prefix{i}`, client `i` on node
/// `first_node + i` (modulo the target's nodes).
pub(crate) async fn core_clients(
    target: &Target,
    prefix: &str,
    count: usize,
    first_node: usize,
) -> Result<Vec<(Client, sigshim::Events)>, String> {
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let builder = target.client_on(first_node + i);
        let (client, events) = builder.login_timeout(Duration::from_secs(30)).build();
        let user = user(prefix, i);
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

/// The logged-in senders and receivers of a run, by API.
enum Users {
    Core { senders: Vec<(Client, sigshim::Events)>, receivers: Vec<(Client, sigshim::Events)> },
    Legacy { senders: Vec<LegacyUser>, receivers: Vec<LegacyUser> },
    Lean { dialect: Dialect, senders: Vec<Ws>, receivers: Vec<Ws> },
}

/// When a run sends, decided once every user is logged in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// The first send (warm-up included).
    pub(crate) start: tokio::time::Instant,
    /// No send is due at or after this.
    pub(crate) stop_at: tokio::time::Instant,
    /// The measured part.
    pub(crate) window: Window,
}

impl Plan {
    /// A plan that starts shortly from now.
    pub(crate) fn from_now(shape: &RunShape) -> Self {
        let start = tokio::time::Instant::now() + Duration::from_millis(100);
        Self {
            start,
            stop_at: start + shape.warmup + shape.duration,
            window: Window::new(start, shape.warmup, shape.duration),
        }
    }

    /// The open-loop schedule of `senders` sharing `rate` messages per second.
    pub(crate) fn schedule(&self, rate: u64, senders: usize) -> Schedule {
        Schedule { start_ns: ns_of(self.start), stop_ns: ns_of(self.stop_at), rate, senders }
    }
}

/// Logs the senders and receivers in: sender `i` on node `i`, its receiver on node `i + 1`
/// (modulo the nodes), so that on several nodes every pair crosses nodes and every node both
/// sends and receives.
async fn log_in(
    target: &Target,
    shape: &RunShape,
    api: Api,
    counters: &Arc<Counters>,
) -> Result<Users, String> {
    let pairs = shape.pairs;
    Ok(match api {
        Api::Core => Users::Core {
            senders: core_clients(target, "s", pairs, 0).await?,
            receivers: core_clients(target, "r", pairs, 1).await?,
        },
        Api::Legacy => {
            let inline = shape.inline_callbacks;
            Users::Legacy {
                senders: super::legacy::log_in(target, "s", pairs, 0, counters, inline).await?,
                receivers: super::legacy::log_in(target, "r", pairs, 1, counters, inline).await?,
            }
        }
        Api::C => return Err("the C program logs in its own users".into()),
        Api::Lean | Api::LegacyWire => {
            let on = |node| {
                target.url_on(node).ok_or("protocol-level users need a server: not with an in-process hub")
            };
            let dialect = if api == Api::Lean { Dialect::Core } else { Dialect::Legacy };
            let mut senders = Vec::with_capacity(pairs);
            let mut receivers = Vec::with_capacity(pairs);
            for i in 0..pairs {
                senders.push(dialect.login(on(i)?, &user("s", i)).await?);
                receivers.push(dialect.login(on(i + 1)?, &user("r", i)).await?);
            }
            Users::Lean { dialect, senders, receivers }
        }
    })
}

/// Runs the scenario and reports it.
pub(crate) async fn run(target: &Target, shape: &RunShape, api: Api) -> Result<Report, String> {
    if api == Api::C {
        return super::c_program::run(target, shape).await;
    }
    let counters = Arc::new(Counters::default());
    let users = log_in(target, shape, api, &counters).await?;
    let plan = Plan::from_now(shape);
    let done = Arc::new(AtomicBool::new(false));
    super::stats::progress(counters.clone(), done.clone());
    let server_cpu = target.meters();
    let own_cpu = super::procfs::CpuMeter::start(std::process::id());
    let mut pacer = match shape.rate {
        0 => None,
        rate => Some(Pacer::start(plan.schedule(rate, shape.pairs))?),
    };
    let slots = pacer.as_mut().map(|p| std::mem::take(&mut p.slots));
    let latencies = match users {
        Users::Core { senders, receivers } => {
            core_drive(senders, receivers, shape, &counters, plan, slots).await?
        }
        Users::Legacy { senders, receivers } => {
            super::legacy::drive(senders, receivers, &counters, plan, slots, shape.window).await?
        }
        Users::Lean { dialect, senders, receivers } => {
            lean_drive(dialect, senders, receivers, shape, &counters, plan, slots).await?
        }
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
    if let Some(p) = &pacer {
        p.fields(&mut r);
    }
    super::resources_of(&mut r, target, server_cpu, own_cpu);
    Ok(r)
}

/// Sender `i`'s slots, or `None` at saturation.
type Slots = Option<Vec<mpsc::UnboundedReceiver<u64>>>;

async fn core_drive(
    senders: Vec<(Client, sigshim::Events)>,
    receivers: Vec<(Client, sigshim::Events)>,
    shape: &RunShape,
    counters: &Arc<Counters>,
    plan: Plan,
    slots: Slots,
) -> Result<Latencies, String> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut readers = Vec::new();
    for (client, mut events) in receivers {
        let (counters, mut stop) = (counters.clone(), stop_rx.clone());
        readers.push(tokio::spawn(async move {
            let _client = client;
            let mut tally = Tally::new(plan.window, counters);
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
    let mut slots = slots.map(Vec::into_iter);
    let mut writers = Vec::new();
    for (i, (client, _events)) in senders.into_iter().enumerate() {
        let counters = counters.clone();
        let to = user("r", i);
        let mine = slots.as_mut().and_then(Iterator::next);
        let window_size = shape.window;
        writers.push(tokio::spawn(async move {
            // Counts the message as sent at once (before any task runs), then sends it.
            let send = move |due: u64| {
                let (client, to, counters) = (client.clone(), to.clone(), counters.clone());
                let counted = plan.window.contains(due);
                if counted {
                    Counters::bump(&counters.sent);
                }
                async move {
                    let r = client
                        .send_message_to_peer(
                            &to,
                            &Message::text(payload(due)),
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
            if let Some(mut due) = mine {
                while let Some(at) = due.recv().await {
                    tokio::spawn(send(at));
                }
            } else {
                // Saturation: `window` sends in flight, each one answered replaced at once, all
                // driven by this one task as a pipelining application would drive them, rather
                // than a task per slot woken by its own reply.
                tokio::time::sleep_until(plan.start).await;
                let mut in_flight: FuturesUnordered<_> = (0..window_size).map(|_| send(now_ns())).collect();
                while in_flight.next().await.is_some() {
                    if tokio::time::Instant::now() < plan.stop_at {
                        in_flight.push(send(now_ns()));
                    }
                    // An in-process send may complete without ever yielding: let the receivers
                    // run, or the senders outpace them and their inboxes refuse messages.
                    tokio::task::yield_now().await;
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

async fn lean_drive(
    dialect: Dialect,
    senders: Vec<Ws>,
    receivers: Vec<Ws>,
    shape: &RunShape,
    counters: &Arc<Counters>,
    plan: Plan,
    slots: Slots,
) -> Result<Latencies, String> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let readers: Vec<_> = receivers
        .into_iter()
        .map(|ws| {
            let tally = Tally::new(plan.window, counters.clone());
            tokio::spawn(super::raw::read(ws, dialect, tally, stop_rx.clone()))
        })
        .collect();
    let mut slots = slots.map(Vec::into_iter);
    let mut writers = Vec::with_capacity(senders.len());
    for (i, ws) in senders.into_iter().enumerate() {
        let sender = LeanSender::new(ws, dialect, user("r", i), plan.window, counters.clone());
        let stop = stop_rx.clone();
        writers.push(match slots.as_mut().and_then(Iterator::next) {
            Some(due) => tokio::spawn(sender.paced(due, stop)),
            None => {
                let (window, stop_ns) = (shape.window, ns_of(plan.stop_at));
                tokio::spawn(async move {
                    tokio::time::sleep_until(plan.start).await;
                    sender.saturate(window, stop_ns, stop).await
                })
            }
        });
    }
    // The senders end once their slots are over and every request is answered; a link that
    // stopped answering is cut off by the drain's deadline.
    let stopper = {
        let counters = counters.clone();
        let stop_tx = stop_tx.clone();
        let stop_at = plan.stop_at;
        tokio::spawn(async move {
            tokio::time::sleep_until(stop_at).await;
            drain(&counters).await;
            let _ = stop_tx.send(true);
        })
    };
    for w in writers {
        w.await.map_err(|e| e.to_string())??;
    }
    let _ = stopper.await;
    let mut all = Latencies::default();
    for r in readers {
        all.merge(r.await.map_err(|e| e.to_string())?.latencies());
    }
    Ok(all)
}

/// Waits until every counted message was answered and arrived, or 3 s.
pub(crate) async fn drain(counters: &Counters) {
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
