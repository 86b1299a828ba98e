//! The machine's floor for a small message over loopback: one TCP connection, 64-byte writes,
//! `TCP_NODELAY`, one round trip at a time, echoed by a task of this process. No sigshim code
//! runs; what it measures is the kernel's loopback path and the wake-up of a parked thread on
//! this machine at this moment, the least any server's message hop can cost here.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::stats::{Latencies, Report};

/// The size of each ping.
const PING: usize = 64;

/// Round trips for `warmup`, then for `duration` recorded; reports their rate and latencies.
pub(crate) async fn run(duration: Duration, warmup: Duration) -> Result<Report, String> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| format!("listening: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let echo = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await?;
        socket.set_nodelay(true)?;
        let mut buf = [0u8; PING];
        loop {
            match socket.read_exact(&mut buf).await {
                Ok(_) => socket.write_all(&buf).await?,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    });
    let mut socket = TcpStream::connect(addr).await.map_err(|e| format!("connecting: {e}"))?;
    socket.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut buf = [7u8; PING];
    let mut latencies = Latencies::default();
    let mut trips = 0u64;
    let start = Instant::now();
    let (measure_from, stop) = (start + warmup, start + warmup + duration);
    loop {
        let sent = Instant::now();
        if sent >= stop {
            break;
        }
        let io = async {
            socket.write_all(&buf).await?;
            socket.read_exact(&mut buf).await
        };
        io.await.map_err(|e| format!("ping: {e}"))?;
        if sent >= measure_from {
            latencies.record_ns(sent.elapsed().as_nanos() as u64);
            trips += 1;
        }
    }
    drop(socket);
    echo.await.map_err(|e| e.to_string())?.map_err(|e| format!("echo: {e}"))?;
    let mut r = Report::new("floor");
    r.set("target", "loopback TCP echo in this process");
    r.set("connections", 1u64);
    r.set_f("duration_s", duration.as_secs_f64());
    r.set("round_trips", trips);
    r.set_f("throughput", trips as f64 / duration.as_secs_f64());
    latencies.fields(&mut r);
    Ok(r)
}
