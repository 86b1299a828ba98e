//! A loopback TCP proxy that tests control, to put network faults between a client and a server.
//!
//! [`Proxy::start`] listens on `127.0.0.1:0` and pipes every accepted connection to an upstream
//! address. The test can then [`cut`](Proxy::cut) the current connections (a network failure:
//! both sockets close), [`stall`](Proxy::stall) them (bytes stop flowing both ways but the
//! sockets stay open: a half-open link) and [`resume`](Proxy::resume) them, [`refuse`](Proxy::refuse)
//! new connections (an outage),
//! or [`set_upstream`](Proxy::set_upstream) (a server restarted on another port).
//!
//! Each connection is one task pumping both directions. It ends when both directions reached
//! end of stream, when it is cut, or when the proxy is dropped (which cuts everything), so
//! nothing outlives the test.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What a proxied connection does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Bytes flow both ways.
    Forward,
    /// Bytes stop flowing; the sockets stay open.
    Stalled,
    /// Both sockets close.
    Cut,
}

#[derive(Debug)]
struct Shared {
    upstream: Mutex<SocketAddr>,
    refuse: AtomicBool,
    /// The mode switch of every connection that may still be open.
    conns: Mutex<Vec<watch::Sender<Mode>>>,
    accepted: AtomicUsize,
    /// Bytes read from clients, counted before they are passed on.
    bytes_up: Arc<AtomicUsize>,
}

impl Shared {
    /// Sets `mode` on every current connection; `Cut` also forgets them.
    fn switch_all(&self, mode: Mode) {
        let mut conns = self.conns.lock();
        conns.retain(|c| !c.is_closed());
        for c in conns.iter() {
            c.send_if_modified(|m| {
                // A cut connection stays cut.
                let changed = *m != mode && *m != Mode::Cut;
                if changed {
                    *m = mode;
                }
                changed
            });
        }
        if mode == Mode::Cut {
            conns.clear();
        }
    }
}

/// A running proxy; dropping it cuts every connection and stops listening.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// Listens on `127.0.0.1:0` and forwards each connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let addr = listener.local_addr().expect("bound address");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            refuse: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            bytes_up: Arc::default(),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Proxy { addr, shared, accept }
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The WebSocket URL of the proxied server: `ws://127.0.0.1:port/`.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Closes every current connection, both ways, as a network failure would.
    pub fn cut(&self) {
        self.shared.switch_all(Mode::Cut);
    }

    /// Stops forwarding on every current connection but keeps its sockets open (a half-open
    /// link: neither end hears anything more). New connections are not affected.
    pub fn stall(&self) {
        self.shared.switch_all(Mode::Stalled);
    }

    /// Lets bytes flow again on every stalled connection (a cut one stays cut).
    pub fn resume(&self) {
        self.shared.switch_all(Mode::Forward);
    }

    /// While `true`, new connections are closed as soon as they are accepted.
    pub fn refuse(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::SeqCst);
    }

    /// Forwards new connections to `upstream` from now on.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.shared.upstream.lock() = upstream;
    }

    /// Connections accepted so far (refused ones included).
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Bytes the proxy has read from its clients so far, on every connection. A byte is counted
    /// before it is passed on, so the server never sees one that is not counted yet.
    pub fn bytes_up(&self) -> usize {
        self.shared.bytes_up.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.shared.switch_all(Mode::Cut);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::task::yield_now().await;
            continue;
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        if shared.refuse.load(Ordering::SeqCst) {
            drop(client);
            continue;
        }
        let (tx, rx) = watch::channel(Mode::Forward);
        {
            let mut conns = shared.conns.lock();
            conns.retain(|c| !c.is_closed());
            conns.push(tx);
        }
        let upstream = *shared.upstream.lock();
        tokio::spawn(serve(client, upstream, rx, shared.bytes_up.clone()));
    }
}

/// Connects to `upstream` and pumps both ways until both directions end or the connection is
/// cut. Cut or stalled while still connecting upstream counts as cut.
async fn serve(
    client: TcpStream,
    upstream: SocketAddr,
    mut mode: watch::Receiver<Mode>,
    bytes_up: Arc<AtomicUsize>,
) {
    let server = tokio::select! {
        s = TcpStream::connect(upstream) => match s {
            Ok(s) => s,
            Err(_) => return, // upstream down: the client sees its connection close
        },
        _ = changed(&mut mode) => return,
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let (mut up, mut down) = (Some((client_read, server_write)), Some((server_read, client_write)));
    loop {
        // Each direction hands its socket halves back when the link stalls, so that they stay
        // open, and pumps again with them once resumed.
        let up_pipe = up.take().map(|(from, to)| pipe(from, to, mode.clone(), Some(bytes_up.clone())));
        let down_pipe = down.take().map(|(from, to)| pipe(from, to, mode.clone(), None));
        (up, down) = tokio::join!(
            async move {
                match up_pipe {
                    Some(p) => p.await,
                    None => None,
                }
            },
            async move {
                match down_pipe {
                    Some(p) => p.await,
                    None => None,
                }
            }
        );
        // Stalled: hold the sockets, unread, until resumed or cut (or the proxy is dropped).
        if (up.is_none() && down.is_none()) || !resumed(&mut mode).await {
            return;
        }
    }
}

/// One direction, counting what it reads in `counted` when given. Returns its halves when the
/// link stalled (to keep them open), `None` when the direction is over (end of stream, error, or
/// cut).
async fn pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    mut mode: watch::Receiver<Mode>,
    counted: Option<Arc<AtomicUsize>>,
) -> Option<(OwnedReadHalf, OwnedWriteHalf)> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let step = async {
            let n = from.read(&mut buf).await?;
            if n == 0 {
                return Ok(false);
            }
            if let Some(c) = &counted {
                c.fetch_add(n, Ordering::SeqCst);
            }
            to.write_all(&buf[..n]).await?;
            Ok::<bool, std::io::Error>(true)
        };
        let stalled = tokio::select! {
            r = step => match r {
                Ok(true) => continue,
                Ok(false) => {
                    // End of stream: pass it on and let the other direction finish.
                    let _ = to.shutdown().await;
                    return None;
                }
                Err(_) => None,
            },
            stalled = changed(&mut mode) => Some(stalled),
        };
        return match stalled {
            Some(true) => Some((from, to)),
            Some(false) => None,
            None => {
                // The far side is gone: keep reading (and dropping) until this side ends, so
                // that closing never resets data the other direction still delivers.
                drain(&mut from, &mut mode).await;
                None
            }
        };
    }
}

/// Reads and discards until end of stream, an error, or a cut.
async fn drain(from: &mut OwnedReadHalf, mode: &mut watch::Receiver<Mode>) {
    let mut buf = [0u8; 4096];
    loop {
        tokio::select! {
            r = from.read(&mut buf) => if matches!(r, Ok(0) | Err(_)) { return },
            () = cut(mode) => return,
        }
    }
}

/// Waits until the connection leaves [`Mode::Forward`]; true when it stalled (false: cut, or the
/// proxy is gone).
async fn changed(mode: &mut watch::Receiver<Mode>) -> bool {
    matches!(mode.wait_for(|m| *m != Mode::Forward).await.map(|m| *m), Ok(Mode::Stalled))
}

/// Waits until a stalled connection is resumed (true) or cut, or the proxy is gone (false).
async fn resumed(mode: &mut watch::Receiver<Mode>) -> bool {
    matches!(mode.wait_for(|m| *m != Mode::Stalled).await.map(|m| *m), Ok(Mode::Forward))
}

/// Waits until the connection is cut or the proxy is gone.
async fn cut(mode: &mut watch::Receiver<Mode>) {
    let _ = mode.wait_for(|m| *m == Mode::Cut).await;
}
