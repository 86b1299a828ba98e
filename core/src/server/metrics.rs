//! Prometheus metrics: the recorder an application may install, the server's per-request
//! handles, and the hub's counters exported at scrape time.

use std::sync::OnceLock;

use metrics::Counter;
use metrics_exporter_prometheus::{BuildError, PrometheusBuilder, PrometheusHandle};

use crate::hub::Hub;

/// Builds a Prometheus recorder and installs it as the process's [`metrics`](::metrics)
/// recorder, returning the handle that renders it. Histograms recorded through it (an
/// application's own) get the buckets of the server's `sigshim_request_seconds`.
///
/// A library does not install process-wide state on its own: an application that wants the
/// server's request, frame and connection metrics calls this once, before starting the server,
/// and passes the handle to [`ServerConfig::prometheus`](super::ServerConfig::prometheus). The
/// `sigshim serve` command does exactly that. Fails when a recorder is already installed.
pub fn install_prometheus_recorder() -> Result<PrometheusHandle, BuildError> {
    PrometheusBuilder::new().set_buckets(&super::op_stats::LATENCY_BUCKETS)?.install_recorder()
}

/// How often the recorder's upkeep runs while a server with a recorder is up.
pub(super) const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// `sigshim_frames_in_total`, registered once.
pub(super) fn frames_in() -> &'static Counter {
    static C: OnceLock<Counter> = OnceLock::new();
    C.get_or_init(|| ::metrics::counter!("sigshim_frames_in_total"))
}

/// The metrics in Prometheus text format: the recorder's, when `recorder` is given
/// (connections, frames, errors by code, closes by code) with the requests by operation and
/// their latency histogram, followed by the hub's counters (always) and, on a hub with an
/// engine, the engine's (`sigshim_engine_*`).
pub fn render_metrics(hub: &Hub, recorder: Option<&PrometheusHandle>) -> String {
    let mut out = recorder.map(PrometheusHandle::render).unwrap_or_default();
    if recorder.is_some() {
        super::op_stats::render(&mut out);
    }
    let s = hub.stats();
    let gauges = [
        ("sigshim_online_users", "Users logged in now.", s.online_users as u64),
        ("sigshim_parked_sessions", "Sessions waiting for their client to resume.", s.parked_sessions as u64),
        ("sigshim_offline_messages", "Offline messages stored now.", s.offline_stored as u64),
        ("sigshim_queued_bytes", "Bytes queued in the sessions' inboxes now.", hub.queued_bytes() as u64),
    ];
    for (name, help, v) in gauges {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"));
    }
    let counters = [
        ("sigshim_logins_total", "Successful logins.", s.logins),
        ("sigshim_login_failures_total", "Refused logins.", s.login_failures),
        (
            "sigshim_peer_messages_delivered_total",
            "Peer messages queued to an online receiver.",
            s.peer_messages_delivered,
        ),
        (
            "sigshim_peer_messages_cached_total",
            "Peer messages stored for a receiver.",
            s.peer_messages_cached,
        ),
        (
            "sigshim_peer_messages_unreachable_total",
            "Peer messages refused: receiver offline.",
            s.peer_messages_unreachable,
        ),
        ("sigshim_channel_messages_total", "Channel messages accepted for fan-out.", s.channel_messages),
        (
            "sigshim_queue_drops_total",
            "Pushes refused because an inbox was full (slow consumer).",
            s.inbox_full_drops,
        ),
        ("sigshim_rate_limited_total", "Requests refused by a rate limit.", s.rate_limited),
    ];
    for (name, help, v) in counters {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"));
    }
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine_stats() {
        render_engine(&mut out, &engine);
    }
    out
}

/// Appends the engine's counters: its pipelines to Redis, those that failed, and the time spent
/// waiting for them.
#[cfg(feature = "redis")]
fn render_engine(out: &mut String, engine: &crate::hub::engine::EngineStats) {
    let counters = [
        (
            "sigshim_engine_batches_total",
            "Pipelines of engine calls sent to Redis.",
            engine.batches.to_string(),
        ),
        (
            "sigshim_engine_failures_total",
            "Pipelines of engine calls that failed (timeout or link down).",
            engine.failures.to_string(),
        ),
        (
            "sigshim_engine_busy_seconds_total",
            "Time spent waiting for Redis, over every pipeline.",
            (engine.busy_micros as f64 / 1e6).to_string(),
        ),
    ];
    for (name, help, v) in counters {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"));
    }
}

/// Appends the HTTP phase's figures: sockets in it now, and those closed early.
pub(super) fn render_intake(out: &mut String, shared: &super::Shared) {
    use std::sync::atomic::Ordering::Relaxed;
    let intake = &shared.intake;
    let lines = [
        (
            "sigshim_pending_connections",
            "gauge",
            "Sockets in their HTTP phase (not yet upgraded).",
            intake.len() as u64,
        ),
        (
            "sigshim_http_timeouts_total",
            "counter",
            "Sockets closed because their HTTP phase outlasted the HTTP timeout.",
            intake.timed_out.load(Relaxed),
        ),
        (
            "sigshim_pending_evicted_total",
            "counter",
            "Sockets in their HTTP phase closed to make room for a newer one.",
            intake.evicted.load(Relaxed),
        ),
    ];
    for (name, kind, help, v) in lines {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n"));
    }
}
