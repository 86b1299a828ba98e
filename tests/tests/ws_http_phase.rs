//! The HTTP phase of a connection, before any WebSocket: against a real server on 127.0.0.1:0,
//! a socket that does not finish its request in time is closed, sockets past the pending cap
//! close the oldest waiting one, and a fresh request gets through either way.

use std::net::SocketAddr;
use std::time::Duration;

use sigshim::server::{Server, ServerConfig};
use sigshim_conformance::raw::{RawClient, http_get, start};
use sigshim_conformance::{APP_ID, WAIT, hub};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HTTP_TIMEOUT: Duration = Duration::from_millis(300);

fn config(max_pending: usize) -> ServerConfig {
    ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)))
        .http_timeout(HTTP_TIMEOUT)
        .max_pending_connections(max_pending)
}

/// Waits (for at most `within`) until the server closes `tcp`; true if it did.
async fn closed_within(tcp: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    tokio::time::timeout(within, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Waits until the server holds exactly `n` sockets in their HTTP phase.
async fn pending_reach(server: &Server, n: usize) {
    let reached = tokio::time::timeout(WAIT, server.pending_connections_reach(n)).await;
    assert!(reached.is_ok(), "pending sockets: {} instead of {n}", server.pending_connections());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_not_finished_within_the_http_timeout_is_closed() {
    let hub = hub();
    let server = start(&hub, config(8)).await;
    let mut silent = TcpStream::connect(server.local_addr()).await.unwrap();
    let mut partial = TcpStream::connect(server.local_addr()).await.unwrap();
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    pending_reach(&server, 2).await;

    // Neither lasts much longer than the timeout, whatever it sent.
    assert!(closed_within(&mut silent, HTTP_TIMEOUT + WAIT).await, "a silent socket stays open");
    assert!(closed_within(&mut partial, HTTP_TIMEOUT + WAIT).await, "a half-sent request stays open");
    pending_reach(&server, 0).await;
    let metrics = http_get(server.local_addr(), "/metrics").await;
    assert!(metrics.body.contains("\nsigshim_http_timeouts_total 2\n"), "{}", metrics.body);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_pending_cap_the_oldest_waiting_socket_makes_room() {
    let hub = hub();
    let server = start(&hub, config(2).http_timeout(Duration::from_secs(60))).await;
    let mut first = TcpStream::connect(server.local_addr()).await.unwrap();
    pending_reach(&server, 1).await;
    let mut second = TcpStream::connect(server.local_addr()).await.unwrap();
    pending_reach(&server, 2).await;

    // A third socket closes the first, not the second.
    let mut third = TcpStream::connect(server.local_addr()).await.unwrap();
    assert!(closed_within(&mut first, WAIT).await, "the oldest socket makes room");
    pending_reach(&server, 2).await;
    assert!(!closed_within(&mut second, Duration::from_millis(50)).await, "the second is kept");

    // A request arriving now is answered: it made room by closing the second socket.
    let health = http_get(server.local_addr(), "/healthz").await;
    assert_eq!(health.status, 200);
    assert!(closed_within(&mut second, WAIT).await, "the next oldest makes room");
    pending_reach(&server, 1).await;
    // With one place free again, a login gets through without closing anyone.
    let mut alice = RawClient::connect(&server.url()).await;
    alice.login(APP_ID, "alice").await;
    assert!(hub.is_online("alice"));
    pending_reach(&server, 1).await;
    let metrics = http_get(server.local_addr(), "/metrics").await;
    assert!(metrics.body.contains("\nsigshim_pending_evicted_total 2\n"), "{}", metrics.body);
    assert!(!closed_within(&mut third, Duration::from_millis(50)).await, "the third is kept");
    drop(alice);
    server.shutdown().await;
    assert!(closed_within(&mut third, WAIT).await, "shutdown closes it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_sockets_still_in_their_http_phase() {
    let hub = hub();
    let server = start(&hub, config(8).http_timeout(Duration::from_secs(60))).await;
    let mut idle = TcpStream::connect(server.local_addr()).await.unwrap();
    pending_reach(&server, 1).await;
    assert!(tokio::time::timeout(WAIT, server.shutdown()).await.is_ok(), "shutdown waits on no idle socket");
    assert!(closed_within(&mut idle, WAIT).await);
}
