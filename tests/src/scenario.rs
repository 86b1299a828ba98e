//! Shared set-up for the session and token scenarios: paused-time control, a fault-injecting
//! connector, a connector that holds replies back, strict event-order assertions, token fixtures
//! and golden transcripts.
//!
//! Paused time: a paused tokio clock moves only when every task of the runtime is idle, and then
//! straight to the next timer. So:
//!
//! - [`advance`] sleeps: when it returns, every timer due *before* the new instant fired and
//!   every task it woke ran to idle; a stream that is empty then ([`assert_quiet`], `ready`)
//!   proves that nothing happened before that instant.
//! - What is due *at* an instant is awaited: [`at_once`] waits for it under a deadline and
//!   fails if the clock had to move to get it, so the event came exactly then. [`expect_events`]
//!   and the other event waits of the suite stop at a deadline too.
//! - Legacy callbacks are awaited on a `spawn_blocking` thread, which keeps the paused clock
//!   still while it waits, so a callback awaited right after [`advance`] came at that instant.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sigshim::error::{Error, LoginError};
use sigshim::protocol::LoginRequest;
use sigshim::protocol::{Reply, Request};
use sigshim::transport::{Connector, Link, MemoryConnector, Transport, TransportError};
use sigshim::{ClientEvent, ConnectionChangeReason, ConnectionState, Hub, HubConfig};

use crate::core_driver::CoreDriver;
use crate::legacy_driver::LegacyDriver;

/// App ID of the hubs that require tokens (32 hex digits, as in the official token vectors).
pub const TOKEN_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
/// App Certificate of those hubs.
pub const TOKEN_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
/// A well-formed certificate the hubs do not use.
pub const OTHER_CERT: &str = "0123456789abcdef0123456789abcdef";
/// A well-formed app ID the hubs do not serve.
pub const OTHER_APP_ID: &str = "fedcba9876543210fedcba9876543210";

/// A fresh hub that requires tokens signed with [`TOKEN_CERT`] for [`TOKEN_APP_ID`].
pub fn token_hub() -> Hub {
    Hub::new(HubConfig::new(TOKEN_APP_ID).app_certificate(TOKEN_CERT))
}

/// Moves a paused clock forward by `by` by sleeping: the clock stops at every timer on the way
/// and runs what each one wakes before it moves on. When this returns, everything due before the
/// new instant has run; what is due at the instant itself is awaited with [`at_once`].
pub async fn advance(by: Duration) {
    tokio::time::sleep(by).await;
}

/// Awaits `what` (for at most [`WAIT`](crate::WAIT)) and asserts that the paused clock did not
/// have to move for it: it happened at the current instant, once every task that was ready ran.
pub async fn at_once<T>(what: impl std::future::Future<Output = T>) -> T {
    let start = tokio::time::Instant::now();
    let got = tokio::time::timeout(crate::WAIT, what).await.expect("the awaited event in time");
    let late = start.elapsed();
    assert_eq!(late, Duration::ZERO, "the awaited event came {late:?} after the instant it was due");
    got
}

/// Shorthand for [`advance`] by whole seconds.
pub async fn advance_secs(secs: u64) {
    advance(Duration::from_secs(secs)).await;
}

/// A `ConnectionStateChanged` event.
pub fn state(state: ConnectionState, reason: ConnectionChangeReason) -> ClientEvent {
    ClientEvent::ConnectionStateChanged { state, reason }
}

/// Asserts that the next events of `d` are exactly `expected`, in this order (nothing skipped).
pub async fn expect_events(d: &mut CoreDriver, expected: &[ClientEvent]) {
    for (i, want) in expected.iter().enumerate() {
        let got = d.wait_event("the next event", |e| Some(e.clone())).await;
        assert_eq!(&got, want, "event #{i} of {expected:?}");
    }
}

/// Asserts that `d` has no event waiting now.
///
/// Exact for the client's own connection-state events (they are queued before `login` and
/// `logout` return) and, under paused time, for anything due before the current instant (see
/// [`advance`]). Events that come over a link in real time need a marker message instead
/// ([`expect_only_marker`](crate::fixtures::expect_only_marker)).
pub fn assert_quiet(d: &mut CoreDriver) {
    if let Some(e) = d.try_next_event() {
        panic!("unexpected event {e:?}");
    }
}

/// Asserts that none of the `names` callbacks is pending once every call made so far was
/// processed (a [`LegacyDriver::fence`] round trip).
pub async fn assert_no_callback(l: &mut LegacyDriver, names: &[&str]) {
    l.fence().await;
    let pending = l.cbs.pending();
    let hit: Vec<&String> =
        pending.iter().filter(|line| names.iter().any(|n| line.starts_with(&format!("{n}(")))).collect();
    assert!(hit.is_empty(), "unexpected callbacks {hit:?}");
}

/// What a [`FaultyConnector`] does with one connect attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Log in at the hub.
    Pass,
    /// Never answer (a network that swallows packets).
    Hang,
    /// Fail with this error.
    Fail(LoginError),
}

type Plan = Box<dyn Fn(usize) -> Step + Send + Sync>;

/// A count of connect attempts that a test can wait on: shared by the test connectors.
#[derive(Debug, Default)]
pub struct Attempts(tokio::sync::watch::Sender<usize>);

impl Attempts {
    /// Counts one more attempt and returns its number (the first is 1).
    pub fn bump(&self) -> usize {
        let mut n = 0;
        self.0.send_modify(|a| {
            *a += 1;
            n = *a;
        });
        n
    }

    /// How many attempts were made so far.
    pub fn count(&self) -> usize {
        *self.0.borrow()
    }

    /// Waits until `n` attempts were made, for at most [`WAIT`](crate::WAIT).
    pub async fn reached(&self, n: usize) {
        let mut rx = self.0.subscribe();
        let reached = tokio::time::timeout(crate::WAIT, rx.wait_for(|a| *a >= n)).await;
        assert!(matches!(reached, Ok(Ok(_))), "{n} connect attempts within {:?}", crate::WAIT);
    }
}

/// A connector with scripted faults: attempt `n` (counting from 1) does what `plan(n)` says.
/// Counts every attempt.
pub struct FaultyConnector {
    hub: Option<MemoryConnector>,
    plan: Plan,
    attempts: Attempts,
}

impl std::fmt::Debug for FaultyConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultyConnector").field("attempts", &self.attempts()).finish_non_exhaustive()
    }
}

impl FaultyConnector {
    /// A connector whose attempts never get an answer.
    pub fn never_answers() -> Arc<Self> {
        Arc::new(Self { hub: None, plan: Box::new(|_| Step::Hang), attempts: Default::default() })
    }

    /// A connector to `hub` following `plan` (attempt numbers start at 1).
    pub fn new(hub: &Hub, plan: impl Fn(usize) -> Step + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self {
            hub: Some(MemoryConnector::new(hub)),
            plan: Box::new(plan),
            attempts: Default::default(),
        })
    }

    /// How many connect attempts were made so far.
    pub fn attempts(&self) -> usize {
        self.attempts.count()
    }

    /// Waits until `n` connect attempts were made, for at most [`WAIT`](crate::WAIT).
    pub async fn attempted(&self, n: usize) {
        self.attempts.reached(n).await;
    }
}

#[async_trait]
impl Connector for FaultyConnector {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        let n = self.attempts.bump();
        match ((self.plan)(n), &self.hub) {
            (Step::Pass, Some(hub)) => hub.connect(login).await,
            (Step::Fail(e), _) => Err(e.into()),
            (Step::Hang, _) | (Step::Pass, None) => std::future::pending().await,
        }
    }
}

/// A connector (through a [`Backend`](crate::Backend)) whose links hold back the reply to every peer
/// message until `n` peer messages have been requested on them, or until [`ReplyGate::open`].
/// A client that waits for each reply before its next request never gets one (its sends time
/// out); one that keeps `n` sends in flight gets them all. Later peer messages pass at once.
pub struct ReplyGate {
    inner: Arc<dyn Connector>,
    n: usize,
    state: Arc<tokio::sync::watch::Sender<Gate>>,
}

/// Peer messages requested so far (on every link of the connector), and whether the gate is open.
#[derive(Debug, Clone, Copy, Default)]
struct Gate {
    requested: usize,
    open: bool,
}

impl std::fmt::Debug for ReplyGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyGate").field("n", &self.n).field("state", &*self.state.borrow()).finish()
    }
}

impl ReplyGate {
    /// A gate of `n` peer messages in front of `hub`, reached through `be`.
    pub fn new(be: crate::Backend, hub: &Hub, n: usize) -> Arc<Self> {
        let state = Arc::new(tokio::sync::watch::Sender::new(Gate::default()));
        Arc::new(Self { inner: be.connector(hub), n, state })
    }

    /// Peer messages requested so far (their replies are in, held or passed on).
    pub fn requested(&self) -> usize {
        self.state.borrow().requested
    }

    /// Waits until `n` peer messages have been requested, for at most [`crate::WAIT`].
    pub async fn wait_requested(&self, n: usize) {
        let mut rx = self.state.subscribe();
        let reached = tokio::time::timeout(crate::WAIT, rx.wait_for(|g| g.requested >= n)).await;
        assert!(matches!(reached, Ok(Ok(_))), "{n} peer messages requested within {:?}", crate::WAIT);
    }

    /// Passes every held reply on, and every later one at once.
    pub fn open(&self) {
        self.state.send_modify(|g| g.open = true);
    }
}

#[async_trait]
impl Connector for ReplyGate {
    async fn connect(&self, login: LoginRequest) -> Result<Link, Error<LoginError>> {
        let link = self.inner.connect(login).await?;
        let transport =
            Arc::new(GatedTransport { inner: link.transport, n: self.n, state: self.state.clone() });
        Ok(Link { transport, ..link })
    }

    fn forget_session(&self) {
        self.inner.forget_session();
    }
}

struct GatedTransport {
    inner: Arc<dyn Transport>,
    n: usize,
    state: Arc<tokio::sync::watch::Sender<Gate>>,
}

#[async_trait]
impl Transport for GatedTransport {
    async fn request(&self, request: Request) -> Result<Reply, TransportError> {
        let gated = matches!(request, Request::SendPeerMessage { .. });
        let reply = self.inner.request(request).await;
        if gated {
            let mut rx = self.state.subscribe();
            self.state.send_modify(|g| g.requested += 1);
            let _ = rx.wait_for(|g| g.open || g.requested >= self.n).await;
        }
        reply
    }

    fn close(&self) {
        self.inner.close();
    }
}

/// Compares `lines` with the golden file `tests/golden/<name>`, or rewrites the file when the
/// environment variable `SIGSHIM_BLESS=1` is set.
///
/// A transcript must not depend on the backend: the `memory` and `ws` instances of a scenario
/// check the same file. When blessing, each writes a file of its own and renames it over the
/// golden file, so the two concurrent writers never interleave.
pub fn check_golden(name: &str, lines: &[String]) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "golden", name].iter().collect();
    let mut text = lines.join("\n");
    text.push('\n');
    if std::env::var("SIGSHIM_BLESS").is_ok_and(|v| v == "1") {
        static WRITER: AtomicUsize = AtomicUsize::new(0);
        let n = WRITER.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
        std::fs::write(&tmp, text).unwrap_or_else(|e| panic!("writing {}: {e}", tmp.display()));
        std::fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("renaming to {}: {e}", path.display()));
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("reading {} ({e}); run with SIGSHIM_BLESS=1 to create it", path.display())
    });
    let want: Vec<&str> = want.lines().collect();
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got, want, "transcript differs from {} (SIGSHIM_BLESS=1 rewrites it)", path.display());
}
