//! `sigshim serve` under a descriptor-exhaustion attack: a child process whose descriptor limit
//! is lowered to 128 (soft and hard, so the server cannot raise it) faces more idle sockets than
//! it has descriptors, and a client trickling its request. Health checks and logins still get
//! through at once, and every attacking socket is closed by the server.

#[path = "common/served.rs"]
mod served;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use served::{BIN, Served};
use tokio_tungstenite::tungstenite::Message;

/// The descriptor limit the server runs under.
const LIMIT: usize = 128;
/// Idle sockets the attacker opens: more than the server has descriptors.
const IDLE: usize = 150;
/// The HTTP phase's time limit in the server's configuration.
const HTTP_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long a legitimate request may take under attack before the test calls it locked out.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

fn config_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("sigshim-edge-{}.toml", std::process::id()));
    std::fs::write(&path, format!("[server]\nhttp_timeout_ms = {}\n", HTTP_TIMEOUT.as_millis()))
        .expect("config written");
    path
}

/// A blocking GET with a deadline on every read; the body, or a panic naming the lock-out.
fn get_within(addr: &str, path: &str, within: Duration) -> String {
    let mut tcp = TcpStream::connect(addr).expect("the server's port");
    tcp.set_read_timeout(Some(within)).unwrap();
    write!(tcp, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request");
    let mut response = String::new();
    match tcp.read_to_string(&mut response) {
        Ok(_) => response,
        Err(e) => panic!("GET {path} got no answer within {within:?} while under attack: {e}"),
    }
}

/// True once the server has closed `tcp` (end of stream or reset), false if it is still open
/// when `deadline` passes.
fn closed_by(tcp: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 64];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        tcp.set_read_timeout(Some(left)).unwrap();
        match tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {} // an HTTP error response before the close
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return false,
            Err(_) => return true, // reset
        }
    }
}

#[test]
fn idle_and_trickling_sockets_cannot_lock_out_health_checks_or_logins() {
    let config = config_file();
    let mut command = Command::new("sh");
    command.args(["-c", &format!("ulimit -n {LIMIT} && exec \"$0\" serve \"$@\""), BIN]).args([
        "--listen",
        "127.0.0.1:0",
        "--app-id",
        "edge-app",
        "--config",
        config.to_str().unwrap(),
    ]);
    let served = Served::spawn(command);
    let addr = served.addr().to_owned();

    // The attack: more idle sockets than the server has descriptors, and one request trickled
    // a byte at a time on a thread of its own.
    let mut idle: Vec<TcpStream> =
        (0..IDLE).map(|_| TcpStream::connect(&addr).expect("the kernel accepts the connection")).collect();
    let trickle_addr = addr.clone();
    let trickler = std::thread::spawn(move || {
        let mut tcp = TcpStream::connect(&trickle_addr).expect("connect");
        let started = Instant::now();
        let request = format!("GET / HTTP/1.1\r\nHost: {trickle_addr}\r\nUpgrade: websocket\r\nX-Pad: ");
        for byte in request.bytes().chain(std::iter::repeat(b'a')) {
            if tcp.write_all(&[byte]).is_err() {
                return started.elapsed(); // the server closed it
            }
            if started.elapsed() > HTTP_TIMEOUT * 8 {
                return started.elapsed();
            }
            // The attacker's pace, one byte every 50 ms: each byte arrives well within any
            // per-read timeout, so only a limit on the whole HTTP phase ends it.
            std::thread::sleep(Duration::from_millis(50));
        }
        unreachable!("the byte source is endless")
    });

    // Health checks and metrics answer while the attack goes on.
    let health = get_within(&addr, "/healthz", ANSWER_WITHIN);
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let body = health.split("\r\n\r\n").nth(1).expect("a body");
    let status: serde_json::Value = serde_json::from_str(body).expect("JSON");
    let pending = status["pending_connections"].as_u64().expect("pending_connections");
    assert!(pending as usize <= LIMIT / 4, "sockets in the HTTP phase are capped: {status}");
    let metrics = get_within(&addr, "/metrics", ANSWER_WITHIN);
    assert!(metrics.contains("\nsigshim_pending_evicted_total "), "{metrics}");

    // So does a login over WebSocket.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let url = format!("ws://{addr}/");
        let login = async {
            let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.expect("upgrade");
            ws.send(Message::text(r#"{"op":"login","id":1,"app_id":"edge-app","user_id":"alice"}"#))
                .await
                .expect("login sent");
            loop {
                match ws.next().await.expect("an answer").expect("a frame") {
                    Message::Text(t) => break serde_json::from_str::<serde_json::Value>(&t).unwrap(),
                    _ => continue,
                }
            }
        };
        let reply =
            tokio::time::timeout(ANSWER_WITHIN, login).await.expect("the login is answered under attack");
        assert_eq!(reply["reply"], "logged_in", "{reply}");
    });

    // Every idle socket is closed by the server: the oldest at once to make room, the rest when
    // their HTTP phase runs out of time.
    let deadline = Instant::now() + HTTP_TIMEOUT + ANSWER_WITHIN;
    let still_open = idle.iter_mut().map(|tcp| closed_by(tcp, deadline)).filter(|closed| !closed).count();
    assert_eq!(still_open, 0, "idle sockets the server never closed");
    let trickled_for = trickler.join().expect("the trickling thread");
    assert!(trickled_for < HTTP_TIMEOUT * 8, "the trickled request was cut off ({trickled_for:?})");

    let _ = std::fs::remove_file(config);
    let out = served.stop();
    assert!(out.status.success(), "the server exits cleanly after the attack: {:?}", out.status);
}
