//! The engine's one ordered command stream: every Redis call a node makes goes through it.
//!
//! Calls are queued synchronously, in the order the hub makes them, and a single task sends
//! whatever has queued as one pipeline, then the next. Two peer messages from one sender leave
//! in the order they were sent, and a busy node pays one round trip per batch, not per call.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::{Cmd, ErrorKind, RedisResult, Value};
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
    /// Redis no longer holds the script (it restarted): loaded again and retried.
    NoScript,
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

/// Runs the stream until every sender is gone.
pub(super) async fn run(
    mut conn: ConnectionManager,
    ops: Receiver,
    scripts: Vec<&'static str>,
    timeout: Duration,
    health: std::sync::Arc<super::Health>,
) {
    let Receiver { rx: mut ops, queued } = ops;
    let mut batch: Vec<Op> = Vec::with_capacity(MAX_BATCH);
    while ops.recv_many(&mut batch, MAX_BATCH).await > 0 {
        queued.fetch_sub(batch.len(), Ordering::Relaxed);
        // A call whose caller has waited the whole call timeout in the queue is answered
        // Timeout and not sent; calls nobody waits on still go, in order.
        batch.retain_mut(|op| {
            if op.done.is_some() && op.queued_at.elapsed() >= timeout {
                if let Some(done) = op.done.take() {
                    let _ = done.send(Err(Failed::Timeout));
                }
                return false;
            }
            true
        });
        if batch.is_empty() {
            continue;
        }
        let started = std::time::Instant::now();
        let mut results = send(&mut conn, &batch, timeout).await;
        // Redis restarted without its scripts: load them and send those calls again, in order.
        let lost = |r: &Outcome| matches!(r, Err(Failed::NoScript));
        if let Ok(rs) = &results
            && rs.iter().any(lost)
        {
            load_scripts(&mut conn, &scripts).await;
            let again: Vec<usize> = (0..rs.len()).filter(|&i| lost(&rs[i])).collect();
            let retry: Vec<&Op> = again.iter().map(|&i| &batch[i]).collect();
            if let (Ok(redone), Ok(rs)) = (send_refs(&mut conn, &retry, timeout).await, &mut results) {
                for (i, r) in again.into_iter().zip(redone) {
                    rs[i] = r;
                }
            }
        }
        health.record(started.elapsed(), results.as_ref().err());
        match results {
            Ok(rs) => {
                for (op, r) in batch.drain(..).zip(rs) {
                    if let Some(done) = op.done {
                        let _ = done.send(r);
                    }
                }
            }
            Err(failed) => {
                tracing::warn!(?failed, calls = batch.len(), "engine calls failed");
                for op in batch.drain(..) {
                    if let Some(done) = op.done {
                        let _ = done.send(Err(failed.clone()));
                    }
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

fn refused(e: redis::RedisError) -> Failed {
    if e.kind() == ErrorKind::Server(redis::ServerErrorKind::NoScript) {
        Failed::NoScript
    } else {
        Failed::Unavailable(e.to_string())
    }
}

/// Loads the scripts (after a restart of Redis without them).
pub(super) async fn load_scripts(conn: &mut ConnectionManager, scripts: &[&'static str]) {
    for s in scripts {
        let loaded: RedisResult<String> = redis::cmd("SCRIPT").arg("LOAD").arg(*s).query_async(conn).await;
        if let Err(e) = loaded {
            tracing::warn!(error = %e, "loading the engine's scripts failed");
        }
    }
}
