//! The listener and the HTTP phase of every connection: from the accepted socket until its
//! request is answered or upgraded to a WebSocket.
//!
//! A socket in this phase has proved nothing yet, so it gets little: it must finish within
//! [`http_timeout`](super::ServerConfig::http_timeout), and at most
//! [`max_pending_connections`](super::ServerConfig::max_pending_connections) of them are held at
//! once. A socket accepted past that cap makes room by closing the one that has waited longest,
//! so idle or trickling sockets cannot keep a fresh request (a login, `/healthz`) out. Both caps
//! are fitted under the process's descriptor limit at start-up, with a reserve left over, so
//! the listener never runs out of descriptors while the caps hold.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use super::edge::CLOSE_TIMEOUT;
use super::{ServerConfig, Shared};

/// Descriptors left for everything but client sockets: the listener, the runtime, log files,
/// an engine's connections.
pub(super) const DESCRIPTOR_RESERVE: u64 = 64;

/// How long the listener waits before accepting again after the process ran out of descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// The caps the server enforces: its configuration's, lowered to fit the descriptor limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Caps {
    /// WebSocket connections served at once.
    pub(super) connections: usize,
    /// Sockets in their HTTP phase at once.
    pub(super) pending: usize,
}

impl Caps {
    /// Fits `config`'s caps under a descriptor limit of `limit` (none: as configured), keeping
    /// [`DESCRIPTOR_RESERVE`] free; the HTTP phase gets at most a quarter of what is left.
    pub(super) fn fit(config: &ServerConfig, limit: Option<u64>) -> Caps {
        let wanted =
            Caps { connections: config.max_connections, pending: config.max_pending_connections.max(1) };
        let Some(limit) = limit else { return wanted };
        let usable = usize::try_from(limit.saturating_sub(DESCRIPTOR_RESERVE)).unwrap_or(usize::MAX).max(2);
        let pending = wanted.pending.min((usable / 4).max(1));
        Caps { connections: wanted.connections.min(usable - pending), pending }
    }

    /// [`fit`](Self::fit) under this process's descriptor limit, saying so when it lowers a cap.
    pub(super) fn for_process(config: &ServerConfig) -> Caps {
        let limit = rlimit::getrlimit(rlimit::Resource::NOFILE).ok().map(|(soft, _)| soft);
        let caps = Caps::fit(config, limit);
        if caps.connections < config.max_connections || caps.pending < config.max_pending_connections {
            tracing::warn!(
                descriptors = limit,
                max_connections = caps.connections,
                max_pending_connections = caps.pending,
                "caps lowered to fit the descriptor limit (raise it with `ulimit -n`)"
            );
        }
        caps
    }
}

/// The sockets in their HTTP phase, oldest first, each with the means to close it early.
#[derive(Debug, Default)]
pub(super) struct Intake {
    waiting: Mutex<BTreeMap<u64, oneshot::Sender<()>>>,
    next: AtomicU64,
    /// Sockets closed because their HTTP phase ran out of time.
    pub(super) timed_out: AtomicU64,
    /// Sockets closed to make room for a newer one.
    pub(super) evicted: AtomicU64,
}

impl Intake {
    /// Sockets in their HTTP phase now.
    pub(super) fn len(&self) -> usize {
        self.waiting.lock().len()
    }
}

/// A socket's place in the [`Intake`]; leaves it when dropped.
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

impl Slot {
    /// Takes a place for a new socket, closing the oldest waiting one when all `cap` are taken.
    /// The receiver fires when this socket is itself closed to make room.
    fn take(shared: &Arc<Shared>) -> (Slot, oneshot::Receiver<()>) {
        let intake = &shared.intake;
        let id = intake.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let mut waiting = intake.waiting.lock();
            if waiting.len() >= shared.caps.pending
                && let Some((_, oldest)) = waiting.pop_first()
            {
                let _ = oldest.send(());
                intake.evicted.fetch_add(1, Ordering::Relaxed);
            }
            waiting.insert(id, tx);
        }
        shared.count_changed.notify_waiters();
        (Slot { shared: shared.clone(), id }, rx)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.intake.waiting.lock().remove(&self.id);
        self.shared.count_changed.notify_waiters();
    }
}

/// Accepts connections until the server shuts down, each served on a task of its own.
pub(super) async fn listen(listener: TcpListener, app: Router, shared: Arc<Shared>) {
    let mut stop = shared.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            biased;
            () = async { let _ = stop.wait_for(|s| *s).await; } => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((tcp, peer)) => {
                let (slot, evicted) = Slot::take(&shared);
                tokio::spawn(serve_http(tcp, peer, app.clone(), slot, evicted));
            }
            Err(error) => refused_accept(&shared, error).await,
        }
    }
}

/// An accept failed: out of descriptors (another part of the process used the reserve), or the
/// socket died in the backlog. Makes room and waits a moment before the next accept.
async fn refused_accept(shared: &Shared, error: std::io::Error) {
    if matches!(error.kind(), std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset) {
        return;
    }
    tracing::warn!(%error, "accept failed; closing the oldest socket in its HTTP phase");
    if let Some((_, oldest)) = shared.intake.waiting.lock().pop_first() {
        let _ = oldest.send(());
        shared.intake.evicted.fetch_add(1, Ordering::Relaxed);
    }
    tokio::time::sleep(ACCEPT_BACKOFF).await;
}

/// Serves one socket's HTTP phase: requests until it upgrades, closes, runs out of time, is
/// closed to make room, or the server shuts down.
async fn serve_http(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    slot: Slot,
    evicted: oneshot::Receiver<()>,
) {
    // Small frames go out at once: with Nagle's algorithm an event written while the previous
    // one awaits the client's (delayed) TCP acknowledgement waits up to 40 ms.
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY");
    }
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        tower_service::Service::call(&mut app.clone(), request)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades();
    tokio::pin!(conn);
    let shared = slot.shared.clone();
    let mut stop = shared.shutdown.clone();
    tokio::select! {
        // Answered, upgraded (the WebSocket now lives on its own task) or closed by the client.
        done = conn.as_mut() => {
            if let Err(error) = done {
                tracing::debug!(%peer, %error, "HTTP connection failed");
            }
        }
        () = tokio::time::sleep(shared.config.http_timeout) => {
            shared.intake.timed_out.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%peer, "HTTP phase timed out");
        }
        _ = evicted => tracing::debug!(%peer, "closed to make room for a newer connection"),
        () = async { let _ = stop.wait_for(|s| *s).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, conn).await;
        }
    }
    drop(slot);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(connections: usize, pending: usize) -> ServerConfig {
        ServerConfig::new("127.0.0.1:0".parse().unwrap())
            .max_connections(connections)
            .max_pending_connections(pending)
    }

    #[test]
    fn caps_stay_as_configured_under_a_high_descriptor_limit() {
        let caps = Caps::fit(&config(100_000, 1024), Some(1 << 20));
        assert_eq!(caps, Caps { connections: 100_000, pending: 1024 });
        assert_eq!(Caps::fit(&config(7, 3), None), Caps { connections: 7, pending: 3 });
    }

    #[test]
    fn caps_fit_a_low_descriptor_limit_with_the_reserve_left_free() {
        let caps = Caps::fit(&config(100_000, 1024), Some(128));
        assert_eq!(caps, Caps { connections: 48, pending: 16 });
        assert!(caps.connections + caps.pending + DESCRIPTOR_RESERVE as usize <= 128);
        let caps = Caps::fit(&config(100_000, 1024), Some(20_000));
        assert_eq!(caps, Caps { connections: 20_000 - 64 - 1024, pending: 1024 });
        // Even a limit below the reserve leaves one of each.
        assert_eq!(Caps::fit(&config(10, 10), Some(16)), Caps { connections: 1, pending: 1 });
    }
}
