//! Connections: a login burst (logins per second, login latency) and idle connections (server
//! memory per logged-in connection: core clients, or sessions of the legacy endpoint).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};

use super::Api;
use super::dialect::Dialect;
use super::raw::Ws;
use super::stats::{Latencies, Report, now_ns, user};
use super::target::Target;

/// Logs `count` users in with at most `concurrency` logins in flight, user `i` on node `i`
/// (modulo the nodes); returns the clients, the login latencies and the wall time.
async fn log_in(
    target: &Target,
    count: usize,
    concurrency: usize,
    quiet: bool,
) -> Result<(Vec<sigshim::Client>, Latencies, Duration), String> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let permit = permits.clone().acquire_owned().await.expect("never closed");
        let builder = if quiet { target.quiet_client_on(i) } else { target.client_on(i) };
        let (client, _events) = builder.login_timeout(Duration::from_secs(60)).build();
        tasks.push(tokio::spawn(async move {
            let t = now_ns();
            let r = client.login(None, &user("u", i)).await;
            let took = now_ns().saturating_sub(t);
            drop(permit);
            r.map(|()| (client, took)).map_err(|e| format!("login of u{i}: {e}"))
        }));
        if i > 0 && i % 2000 == 0 {
            eprintln!("[{:>4.0}s] {i} logins started", started.elapsed().as_secs_f64());
        }
    }
    let mut clients = Vec::with_capacity(count);
    let mut lat = Latencies::default();
    for t in tasks {
        let (client, took) = t.await.map_err(|e| e.to_string())??;
        lat.record_ns(took);
        clients.push(client);
    }
    Ok((clients, lat, started.elapsed()))
}

/// Logs `count` protocol-level users in, speaking `dialect` (connect, WebSocket handshake, login
/// frame and answer), at most `concurrency` at once, user `i` on node `i` (modulo the nodes);
/// returns their sockets.
async fn log_in_lean(
    target: &Target,
    dialect: Dialect,
    count: usize,
    concurrency: usize,
) -> Result<(Vec<Ws>, Latencies, Duration), String> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let permit = permits.clone().acquire_owned().await.expect("never closed");
        let url = target.url_on(i).ok_or("protocol-level users need a server")?.to_owned();
        tasks.push(tokio::spawn(async move {
            let t = now_ns();
            let ws = dialect.login(&url, &user("u", i)).await;
            let took = now_ns().saturating_sub(t);
            drop(permit);
            ws.map(|ws| (ws, took))
        }));
    }
    let mut held = Vec::with_capacity(count);
    let mut lat = Latencies::default();
    for t in tasks {
        let (ws, took) = t.await.map_err(|e| e.to_string())??;
        lat.record_ns(took);
        held.push(ws);
    }
    Ok((held, lat, started.elapsed()))
}

/// The login burst, with full clients or (`lean`) protocol-level ones.
pub(crate) async fn logins(
    target: &Target,
    count: usize,
    concurrency: usize,
    lean: bool,
) -> Result<Report, String> {
    let server_cpu = target.meters();
    let own_cpu = super::procfs::CpuMeter::start(std::process::id());
    let (logged_in, lat, took) = match (lean, target.url()) {
        (true, Some(_)) => {
            let (held, lat, took) = log_in_lean(target, Dialect::Core, count, concurrency).await?;
            (held.len(), lat, took)
        }
        (true, None) => return Err("lean users need a server: not with an in-process hub".into()),
        (false, _) => {
            let (clients, lat, took) = log_in(target, count, concurrency, false).await?;
            (clients.len(), lat, took)
        }
    };
    let mut r = Report::new("logins");
    r.set("users", if lean { "lean" } else { "core" });
    r.set("target", target.describe());
    r.set("connections", logged_in as u64);
    r.set("concurrency", concurrency as u64);
    r.set_f("duration_s", took.as_secs_f64());
    r.set_f("throughput", logged_in as f64 / took.as_secs_f64());
    lat.fields(&mut r);
    super::resources_of(&mut r, target, server_cpu, own_cpu);
    Ok(r)
}

/// What the idle scenario holds.
enum Held {
    /// Core clients (they ping every 10 s).
    Clients(Vec<sigshim::Client>),
    /// Legacy endpoint sessions, each held by a task that acknowledges every 10 s, until the
    /// sender is dropped.
    Sessions(usize, watch::Sender<bool>),
}

/// Idle connections: memory per logged-in connection on the server, and its CPU while they only
/// keep alive (every 10 s): core clients (`api` core) or legacy endpoint sessions
/// (`legacy-wire`).
pub(crate) async fn idle(
    target: &Target,
    api: Api,
    count: usize,
    concurrency: usize,
    hold: Duration,
) -> Result<Report, String> {
    let before = target.rss_kib();
    let (held, lat, took) = match api {
        Api::LegacyWire => {
            target.url().ok_or("legacy endpoint sessions need a server")?;
            let (sessions, lat, took) = log_in_lean(target, Dialect::Legacy, count, concurrency).await?;
            let (stop, stopped) = watch::channel(false);
            let n = sessions.len();
            for ws in sessions {
                tokio::spawn(super::legacy_wire::hold(ws, stopped.clone()));
            }
            (Held::Sessions(n, stop), lat, took)
        }
        _ => {
            let (clients, lat, took) = log_in(target, count, concurrency, true).await?;
            (Held::Clients(clients), lat, took)
        }
    };
    let held_count = match &held {
        Held::Clients(c) => c.len(),
        Held::Sessions(n, _) => *n,
    };
    // Let the server settle (handshake buffers released, timers armed).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let server_cpu = target.meters();
    tokio::time::sleep(hold).await;
    let after = target.rss_kib();
    let mut r = Report::new("idle");
    r.set("api", api.name());
    r.set("target", target.describe());
    r.set("connections", held_count as u64);
    r.set_f("login_s", took.as_secs_f64());
    r.set_f("hold_s", hold.as_secs_f64());
    lat.fields(&mut r);
    if let (Some(b), Some(a)) = (before, after) {
        r.set("server_rss_before_kib", b);
        r.set("server_rss_kib", a);
        r.set_f("kib_per_connection", a.saturating_sub(b) as f64 / held_count.max(1) as f64);
    }
    let each: Vec<f64> = server_cpu.nodes.iter().filter_map(|m| m.percent()).collect();
    if !each.is_empty() {
        r.set_f("server_idle_cpu_pct", each.iter().sum());
    }
    if each.len() > 1 {
        r.set("server_idle_cpu_pct_nodes", super::tenths(&each));
    }
    if let Some(p) = server_cpu.redis.and_then(|m| m.percent()) {
        r.set_f("redis_idle_cpu_pct", p);
    }
    if let Held::Sessions(_, stop) = &held {
        let _ = stop.send(true);
    }
    drop(held);
    Ok(r)
}
