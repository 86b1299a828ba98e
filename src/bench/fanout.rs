//! Channel fan-out: `members` users in one channel, one publisher sending at a fixed rate;
//! optionally some members that never read (stalled receivers).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sigshim::{ChannelEvent, Message};
use tokio::sync::watch;

use super::RunShape;
use super::dialect::Dialect;
use super::pacer::Pacer;
use super::peer::{Plan, core_clients};
use super::stats::{Counters, Latencies, Report, Tally, payload, progress, user};
use super::target::Target;

const CHANNEL: &str = "bench-room";

/// Runs the scenario and reports it.
pub(crate) async fn run(
    target: &Target,
    shape: &RunShape,
    stalled: usize,
    raw: bool,
) -> Result<Report, String> {
    if shape.rate == 0 {
        return Err("fan-out runs at a fixed publish rate: give --rate".into());
    }
    let counters = Arc::new(Counters::default());
    if raw && target.url().is_none() {
        return Err("lean members need a server: not with an in-process hub".into());
    }
    // Member `i` on node `i` (modulo the nodes): on several nodes, members alternate nodes; the
    // publisher is on the first.
    let members = if raw { Vec::new() } else { core_clients(target, "m", shape.members, 0).await? };
    let mut lean = Vec::new();
    if raw {
        for i in 0..shape.members {
            let url = target.url_on(i).ok_or("lean members need a server")?;
            lean.push(super::raw::member(url, &user("m", i), CHANNEL).await?);
        }
    }
    let idle = core_clients(target, "stalled", stalled, 0).await?;
    let publisher = core_clients(target, "publisher", 1, 0).await?.pop().ok_or("no publisher")?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut readers = Vec::new();
    let mut joined = Vec::new();
    for (client, _events) in &members {
        let (channel, events) = client.create_channel(CHANNEL);
        channel.join().await.map_err(|e| format!("join: {e}"))?;
        joined.push((channel, events));
    }
    // Members that join and then never read their events.
    let mut stalled_handles = Vec::new();
    for (client, events) in &idle {
        let (channel, ch_events) = client.create_channel(CHANNEL);
        channel.join().await.map_err(|e| format!("join: {e}"))?;
        stalled_handles.push((channel, ch_events));
        let _ = events;
    }
    let rss_before = target.rss_kib();
    let plan = Plan::from_now(shape);
    let window = plan.window;
    for ws in lean {
        let (counters, stop) = (counters.clone(), stop_rx.clone());
        readers.push(tokio::spawn(super::raw::read(ws, Dialect::Core, Tally::new(window, counters), stop)));
    }
    for (_channel, mut events) in joined {
        let (counters, mut stop) = (counters.clone(), stop_rx.clone());
        readers.push(tokio::spawn(async move {
            let mut tally = Tally::new(window, counters);
            loop {
                tokio::select! {
                    ev = events.recv() => match ev {
                        Some(ChannelEvent::MessageReceived { message, .. }) => tally.message(message.text_or_description()),
                        Some(_) => {}
                        None => break,
                    },
                    _ = stop.changed() => break,
                }
            }
            tally
        }));
    }
    let done = Arc::new(AtomicBool::new(false));
    progress(counters.clone(), done.clone());
    let server_cpu = target.meters();
    let own_cpu = super::procfs::CpuMeter::start(std::process::id());
    let (pub_channel, _pub_events) = publisher.0.create_channel(CHANNEL);
    pub_channel.join().await.map_err(|e| format!("join: {e}"))?;
    let mut pacer = Pacer::start(plan.schedule(shape.rate, 1))?;
    let mut slots = pacer.slots.pop().ok_or("the pacer has no slots")?;
    let mut published = 0u64;
    while let Some(intended) = slots.recv().await {
        let counted = window.contains(intended);
        let (channel, acks) = (pub_channel.clone(), counters.clone());
        tokio::spawn(async move {
            let r = channel.send_message(&Message::text(payload(intended))).await;
            if counted {
                Counters::bump(if r.is_ok() { &acks.acked } else { &acks.failed });
            }
        });
        if counted {
            published += 1;
            Counters::bump(&counters.sent);
        }
    }
    let expected = published * shape.members as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while Counters::get(&counters.delivered) < expected && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop_tx.send(true);
    done.store(true, Ordering::Relaxed);
    let mut all = Latencies::default();
    for r in readers {
        all.merge(r.await.map_err(|e| e.to_string())?.latencies());
    }
    let delivered = Counters::get(&counters.delivered);
    let mut r = Report::new(if stalled > 0 { "stalled" } else { "fanout" });
    r.set("api", "core");
    r.set("members_client", if raw { "lean" } else { "core" });
    r.set("target", target.describe());
    r.set("connections", (shape.members + stalled + 1) as u64);
    r.set("members", shape.members as u64);
    r.set("stalled_members", stalled as u64);
    r.set("rate", shape.rate);
    r.set_f("duration_s", shape.duration.as_secs_f64());
    r.set("sent", published);
    r.set("acked", Counters::get(&counters.acked));
    r.set("failed", Counters::get(&counters.failed));
    r.set("delivered", delivered);
    r.set("lost", expected.saturating_sub(delivered));
    r.set_f("throughput", delivered as f64 / shape.duration.as_secs_f64());
    all.fields(&mut r);
    pacer.fields(&mut r);
    if let (Some(before), Some(after)) = (rss_before, target.rss_kib()) {
        r.set("server_rss_growth_kib", after.saturating_sub(before));
    }
    super::resources_of(&mut r, target, server_cpu, own_cpu);
    drop(stalled_handles);
    Ok(r)
}
