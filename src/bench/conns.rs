//! Connections: a login burst (logins per second, login latency) and idle connections (server
//! memory per logged-in connection).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::stats::{Latencies, Report, now_ns, user};
use super::target::Target;

/// Logs `count` users in with at most `concurrency` logins in flight; returns the clients, the
/// login latencies and the wall time.
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
        let builder = if quiet { target.quiet_client() } else { target.client() };
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

/// Logs `count` lean users in (connect, WebSocket handshake, login frame and reply), at most
/// `concurrency` at once.
async fn log_in_lean(
    url: &str,
    count: usize,
    concurrency: usize,
) -> Result<(usize, Latencies, Duration), String> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let permit = permits.clone().acquire_owned().await.expect("never closed");
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let t = now_ns();
            let ws = super::raw::login(&url, &user("u", i)).await;
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
    Ok((held.len(), lat, started.elapsed()))
}

/// The login burst, with full clients or (`lean`) protocol-level ones.
pub(crate) async fn logins(
    target: &Target,
    count: usize,
    concurrency: usize,
    lean: bool,
) -> Result<Report, String> {
    let server_cpu = target.cpu();
    let own_cpu = super::procfs::CpuMeter::start(std::process::id());
    let (logged_in, lat, took) = match (lean, target.url()) {
        (true, Some(url)) => log_in_lean(url, count, concurrency).await?,
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
    super::resources(&mut r, target, server_cpu, own_cpu);
    Ok(r)
}

/// Idle connections: memory per logged-in connection on the server, and its CPU while they
/// only ping (every 10 s).
pub(crate) async fn idle(
    target: &Target,
    count: usize,
    concurrency: usize,
    hold: Duration,
) -> Result<Report, String> {
    let before = target.rss_kib();
    let (clients, lat, took) = log_in(target, count, concurrency, true).await?;
    // Let the server settle (handshake buffers released, timers armed).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let server_cpu = target.cpu();
    tokio::time::sleep(hold).await;
    let after = target.rss_kib();
    let mut r = Report::new("idle");
    r.set("target", target.describe());
    r.set("connections", clients.len() as u64);
    r.set_f("login_s", took.as_secs_f64());
    r.set_f("hold_s", hold.as_secs_f64());
    lat.fields(&mut r);
    if let (Some(b), Some(a)) = (before, after) {
        r.set("server_rss_before_kib", b);
        r.set("server_rss_kib", a);
        r.set_f("kib_per_connection", a.saturating_sub(b) as f64 / clients.len().max(1) as f64);
    }
    if let Some(p) = server_cpu.and_then(|m| m.percent()) {
        r.set_f("server_idle_cpu_pct", p);
    }
    drop(clients);
    Ok(r)
}
