//! The engine's one ordered command stream: every Redis call a node makes goes through it.
//!
//! Calls are queued synchronously, in the order the hub makes them, and a single task sends
//! whatever has queued as one pipeline, then the next, with up to [`IN_FLIGHT`] pipelines
//! awaiting their answers. Two peer messages from one sender leave in the order they were sent,
//! and a busy node pays one round trip per batch, not per call, and overlaps those trips.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;

use redis::aio::ConnectionManager;
use redis::{Cmd, RedisResult, Value};
use tokio::sync::{mpsc, oneshot};

/// Calls sent as one pipeline, at most.
const MAX_BATCH: usize = 256;

/// Calls waiting for Redis, at most: past it a call fails at once (`Unavailable`) instead of
/// queueing memory while Redis does not answer.
const MAX_QUEUED: usize = 65_536;

/// Why an engine call has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failed {
    /// Redis did not answer within the call timeout.
    Timeout,
    /// Redis refused the call or the link to it is down.
    Unavailable(String),
    /// Redis no longer holds the engine's functions (it lost its data): loaded again and
    /// retried.
    NoFunction,
}

/// What a call gets back.
pub(super) type Outcome = Result<Value, Failed>;

/// One queued call and where its outcome goes (nowhere for a call nobody waits on).
pub(super) struct Op {
    cmd: Cmd,
    done: Option<oneshot::Sender<Outcome>>,
    queued_at: Instant,
}

/// The sending end of the stream: cheap to clone, bounded by [`MAX_QUEUED`].
#[derive(Debug, Clone)]
pub(super) struct Queue {
    tx: mpsc::UnboundedSender<Op>,
    queued: Arc<AtomicUsize>,
}

/// The stream's two ends.
pub(super) fn queue() -> (Queue, Receiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    (Queue { tx, queued: queued.clone() }, Receiver { rx, queued })
}

/// The receiving end of the stream, for [`run`].
pub(super) struct Receiver {
    rx: mpsc::UnboundedReceiver<Op>,
    queued: Arc<AtomicUsize>,
}

impl Queue {
    /// Queues a call, in order; `done` gets its outcome (at once when the stream is full or
    /// has stopped).
    pub(super) fn push(&self, cmd: Cmd, done: Option<oneshot::Sender<Outcome>>) {
        let refuse = |done: Option<oneshot::Sender<Outcome>>, why: &str| {
            if let Some(done) = done {
                let _ = done.send(Err(Failed::Unavailable(why.into())));
            }
        };
        if self.queued.fetch_add(1, Ordering::Relaxed) >= MAX_QUEUED {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return refuse(done, "too many calls waiting for Redis");
        }
        if let Err(e) = self.tx.send(Op { cmd, done, queued_at: Instant::now() }) {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            refuse(e.0.done, "the engine has stopped");
        }
    }

    /// Queues a call and waits for its outcome.
    pub(super) fn call(&self, cmd: Cmd) -> impl Future<Output = Outcome> + Send + 'static {
        let (done, outcome) = oneshot::channel();
        self.push(cmd, Some(done));
        async move { outcome.await.unwrap_or_else(|_| Err(Failed::Unavailable("the engine has stopped".into()))) }
    }
}

/// Pipelines in flight at once while Redis answers. They are written to the one connection in
/// the order they were made, and Redis runs them in that order, so a batch need not wait for the
/// previous one's answer: the round trips overlap. After a failed pipeline, one at a time until
/// one succeeds, so that pipelines never race for a connection being made again.
const IN_FLIGHT: usize = 4;

/// A pipeline on its way: its calls, and their outcomes once Redis answered.
type Flight = Pin<Box<dyn Future<Output = (Vec<Op>, Result<Vec<Outcome>, Failed>)> + Send>>;

/// Runs the stream until every sender is gone and every pipeline has its answer.
pub(super) async fn run(
    mut conn: ConnectionManager,
    ops: Receiver,
    library: String,
    timeout: Duration,
    health: std::sync::Arc<super::Health>,
) {
    let Receiver { rx: mut ops, queued } = ops;
    let mut flying: FuturesOrdered<Flight> = FuturesOrdered::new();
    let mut open = true;
    // Since when a pipeline has been in flight (for the engine's busy time).
    let mut busy_since = Instant::now();
    loop {
        let room = if health.healthy.load(Ordering::Relaxed) { IN_FLIGHT } else { 1 };
        tokio::select! {
            biased;
            Some((batch, results)) = flying.next(), if !flying.is_empty() => {
                let results = retry_lost(&mut conn, &library, &batch, results, timeout).await;
                health.record(results.as_ref().err());
                // Counted at each answer, so that the figure moves under steady load too.
                health.add_busy(busy_since.elapsed());
                busy_since = Instant::now();
                answer(batch, results);
            }
            batch = next_batch(&mut ops, &queued, timeout), if open && flying.len() < room => {
                let Some(batch) = batch else {
                    open = false;
                    continue;
                };
                if batch.is_empty() {
                    continue;
                }
                if flying.is_empty() {
                    busy_since = Instant::now();
                }
                flying.push_back(take_off(conn.clone(), batch, timeout));
            }
            else => break,
        }
    }
}

/// The next calls queued (at most [`MAX_BATCH`]), without those whose caller has waited the
/// whole call timeout in the queue (answered Timeout, not sent; calls nobody waits on still go,
/// in order); `None` once every sender is gone. Cancel-safe: nothing is awaited after the
/// calls are taken.
async fn next_batch(
    ops: &mut mpsc::UnboundedReceiver<Op>,
    queued: &AtomicUsize,
    timeout: Duration,
) -> Option<Vec<Op>> {
    let mut batch: Vec<Op> = Vec::with_capacity(queued.load(Ordering::Relaxed).clamp(1, MAX_BATCH));
    if ops.recv_many(&mut batch, MAX_BATCH).await == 0 {
        return None;
    }
    queued.fetch_sub(batch.len(), Ordering::Relaxed);
    batch.retain_mut(|op| {
        if op.done.is_some() && op.queued_at.elapsed() >= timeout {
            if let Some(done) = op.done.take() {
                let _ = done.send(Err(Failed::Timeout));
            }
            return false;
        }
        true
    });
    Some(batch)
}

/// Sends `batch` as one pipeline, written to the connection before this returns: the flight
/// is polled once here, which hands the pipeline to the connection's writer (the flights after
/// it are handed over after it, so Redis runs them in this order).
fn take_off(mut conn: ConnectionManager, batch: Vec<Op>, timeout: Duration) -> Flight {
    let mut flight: Flight = Box::pin(async move {
        let results = send(&mut conn, &batch, timeout).await;
        (batch, results)
    });
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match flight.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(landed) => Box::pin(std::future::ready(landed)),
        std::task::Poll::Pending => flight,
    }
}

/// Redis lost the engine's functions with its data (a new, empty server; `FUNCTION FLUSH`): loads
/// them and sends the calls that found none again, in order among themselves. The calls behind
/// them in the stream have run already; with the data gone, that order is the lesser loss. A
/// restart with the append-only file keeps the functions, and never comes here.
async fn retry_lost(
    conn: &mut ConnectionManager,
    library: &str,
    batch: &[Op],
    mut results: Result<Vec<Outcome>, Failed>,
    timeout: Duration,
) -> Result<Vec<Outcome>, Failed> {
    let lost = |r: &Outcome| matches!(r, Err(Failed::NoFunction));
    if let Ok(rs) = &results
        && rs.iter().any(lost)
    {
        if let Err(e) = load_library(conn, library).await {
            tracing::warn!(error = %e, "loading the engine's functions failed");
        }
        let again: Vec<usize> = (0..rs.len()).filter(|&i| lost(&rs[i])).collect();
        let retry: Vec<&Op> = again.iter().map(|&i| &batch[i]).collect();
        if let (Ok(redone), Ok(rs)) = (send_refs(conn, &retry, timeout).await, &mut results) {
            for (i, r) in again.into_iter().zip(redone) {
                rs[i] = r;
            }
        }
    }
    results
}

/// Hands each call of `batch` its outcome.
fn answer(batch: Vec<Op>, results: Result<Vec<Outcome>, Failed>) {
    match results {
        Ok(rs) => {
            for (op, r) in batch.into_iter().zip(rs) {
                if let Some(done) = op.done {
                    let _ = done.send(r);
                }
            }
        }
        Err(failed) => {
            tracing::warn!(?failed, calls = batch.len(), "engine calls failed");
            for op in batch {
                if let Some(done) = op.done {
                    let _ = done.send(Err(failed.clone()));
                }
            }
        }
    }
}

async fn send(conn: &mut ConnectionManager, batch: &[Op], timeout: Duration) -> Result<Vec<Outcome>, Failed> {
    let refs: Vec<&Op> = batch.iter().collect();
    send_refs(conn, &refs, timeout).await
}

/// Sends calls as one pipeline; each call's own outcome, or why none came back.
async fn send_refs(
    conn: &mut ConnectionManager,
    calls: &[&Op],
    timeout: Duration,
) -> Result<Vec<Outcome>, Failed> {
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for op in calls {
        pipe.add_command(op.cmd.clone());
    }
    let answer = tokio::time::timeout(timeout, pipe.query_async::<Vec<RedisResult<Value>>>(conn)).await;
    match answer {
        Err(_) => Err(Failed::Timeout),
        Ok(Err(e)) => Err(Failed::Unavailable(e.to_string())),
        Ok(Ok(rs)) => Ok(rs.into_iter().map(|r| r.map_err(refused)).collect()),
    }
}

/// What a call's error means: the engine's functions missing, or anything else.
fn refused(e: redis::RedisError) -> Failed {
    if e.detail().is_some_and(|d| d.starts_with("Function not found")) {
        Failed::NoFunction
    } else {
        Failed::Unavailable(e.to_string())
    }
}

/// Loads the engine's function library (at start, and after Redis lost it).
pub(super) async fn load_library(conn: &mut ConnectionManager, library: &str) -> RedisResult<()> {
    let _: Value = redis::cmd("FUNCTION").arg("LOAD").arg("REPLACE").arg(library).query_async(conn).await?;
    Ok(())
}
