//! The deployment checks behind `sigshim conformance URL`.
//!
//! Each check logs in fresh users (unique names, so runs do not collide on a shared server),
//! drives them through the core API and the legacy facade over WebSocket, and records what it
//! finds as [`Assertion`]s: a behaviour that differs from the expected one is a failed row, an
//! error that stops a check (a refused login, an event that never comes) is one more failed row.
//! Every wait is bounded, and so is each check as a whole, so a dead server cannot hang the run.

mod assertion;
mod backlog;
mod calls;
mod core_user;
mod legacy_user;
mod messages;
mod presence;
mod sessions;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sigshim::token::access_token2;

pub use assertion::{Assertion, Assertions, CheckError, Verdict};

/// How long a check waits for one expected event or callback.
const WAIT: Duration = Duration::from_secs(5);
/// How long a check waits for a login to finish.
const LOGIN_WAIT: Duration = Duration::from_secs(10);

/// Where and how to log in.
#[derive(Debug, Clone)]
pub struct Target {
    /// `ws://host:port/`.
    pub url: String,
    /// The server's app ID.
    pub app_id: String,
    /// Its App Certificate, when logins need tokens (tokens are then built here).
    pub app_certificate: Option<String>,
}

impl Target {
    /// An AccessToken2 for `user` when the target has a certificate.
    fn token(&self, user: &str) -> Result<Option<String>, CheckError> {
        let Some(cert) = self.app_certificate.as_deref() else { return Ok(None) };
        access_token2::build_rtm_now(&self.app_id, cert, user, 3600)
            .map(Some)
            .map_err(|e| CheckError::call(format!("building a token for {user}"), e))
    }
}

/// What one side of a call learns from the other.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CallNote {
    /// Callee: an invitation arrived.
    Incoming { from: String, channel: String, extra: String },
    /// Caller: the callee's client has the invitation.
    ReceivedByPeer { peer: String, channel: String },
    /// Caller: the callee accepted.
    Accepted { peer: String, channel: String, extra: String },
    /// Caller: the callee refused.
    Refused { peer: String, channel: String, extra: String },
    /// Caller: the invitation failed with this legacy code.
    Failed { peer: String, channel: String, code: i32 },
    /// Either side: the other side ended the call or the pending invitation.
    Ended { peer: String, channel: String },
}

/// A check's future: it records assertions and stops early with a [`CheckError`].
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<(), CheckError>> + Send + 'a>>;

/// A check: target, user name prefix, where to record.
pub type CheckFn = for<'a> fn(&'a Target, &'a str, &'a mut Assertions) -> CheckFuture<'a>;

/// A named check.
#[derive(Clone, Copy)]
pub struct Check {
    /// Its name, the first column of the table.
    pub name: &'static str,
    /// What it runs.
    pub run: CheckFn,
    /// When it fails, the checks after it are not run (reaching the server at all).
    pub gate: bool,
}

impl Check {
    /// A check that is not a gate.
    pub const fn new(name: &'static str, run: CheckFn) -> Self {
        Self { name, run, gate: false }
    }
}

/// Every check, in the order they run.
pub const CHECKS: &[Check] = &[
    Check {
        gate: true,
        ..Check::new("server_reachable", |t, _, o| Box::pin(sessions::server_reachable(t, o)))
    },
    Check::new("login_logout_states", |t, p, o| Box::pin(sessions::login_logout_states(t, p, o))),
    Check::new("peer_message_core_to_core", |t, p, o| Box::pin(messages::core_to_core(t, p, o))),
    Check::new("peer_message_legacy_and_core", |t, p, o| Box::pin(messages::legacy_and_core(t, p, o))),
    Check::new("offline_message_at_next_login", |t, p, o| Box::pin(messages::offline_at_next_login(t, p, o))),
    Check::new("unreachable_without_caching", |t, p, o| {
        Box::pin(messages::unreachable_without_caching(t, p, o))
    }),
    Check::new("presence_query_and_subscription", |t, p, o| {
        Box::pin(presence::query_and_subscription(t, p, o))
    }),
    Check::new("user_attributes", |t, p, o| Box::pin(presence::user_attributes(t, p, o))),
    Check::new("remote_login_kicks_older_session", |t, p, o| Box::pin(sessions::remote_login(t, p, o))),
    Check::new("bad_input_refused", |t, p, o| Box::pin(sessions::bad_input_refused(t, p, o))),
    Check::new("call_legacy_to_core_and_end", |t, p, o| Box::pin(calls::legacy_to_core_and_end(t, p, o))),
];

/// The rows of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The check's name.
    pub name: &'static str,
    /// Its assertions, in order; never empty.
    pub assertions: Vec<Assertion>,
}

/// A check did not finish within its time limit.
#[derive(Debug, thiserror::Error)]
#[error("did not finish within {0:?}")]
struct TooSlow(Duration);

/// Runs `checks` one at a time, each in its own task and within `limit`, and returns their rows
/// in order. After a failed gate check, the others get one failed "not run" row each.
pub async fn run_all(target: Target, checks: &[Check], limit: Duration) -> Vec<CheckReport> {
    let target = Arc::new(target);
    let run = run_id();
    let mut reports = Vec::with_capacity(checks.len());
    let mut gate_failed: Option<&'static str> = None;
    for (i, check) in checks.iter().enumerate() {
        let assertions = match gate_failed {
            Some(gate) => {
                vec![Assertion { what: "not run".into(), verdict: Verdict::Error(format!("{gate} failed")) }]
            }
            None => run_one(target.clone(), format!("ck{run}-{i}"), check.run, limit).await,
        };
        if check.gate && !assertions.iter().all(Assertion::is_pass) {
            gate_failed = gate_failed.or(Some(check.name));
        }
        reports.push(CheckReport { name: check.name, assertions });
    }
    reports
}

/// Runs one check in a task of its own; a panic in it is a failed row (the panic itself is
/// reported on stderr as any other).
async fn run_one(target: Arc<Target>, prefix: String, run: CheckFn, limit: Duration) -> Vec<Assertion> {
    let task = tokio::spawn(async move {
        let mut out = Assertions::default();
        let finished = tokio::time::timeout(limit, run(&target, &prefix, &mut out)).await;
        match finished {
            Ok(Ok(())) => {}
            Ok(Err(e)) => out.error(&e),
            Err(_) => out.error(&TooSlow(limit)),
        }
        out.into_vec()
    });
    let mut rows = match task.await {
        Ok(rows) => rows,
        Err(e) => vec![Assertion { what: String::new(), verdict: Verdict::Error(join_text(e)) }],
    };
    if rows.is_empty() {
        rows.push(Assertion {
            what: "no assertion made".into(),
            verdict: Verdict::Error("nothing checked".into()),
        });
    }
    rows
}

/// A task's end that was not a return: its panic message, or why it was cancelled.
fn join_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => {
            let text =
                p.downcast_ref::<String>().map(String::as_str).or_else(|| p.downcast_ref::<&str>().copied());
            format!("panicked: {}", text.unwrap_or("(no message)"))
        }
        Err(e) => e.to_string(),
    }
}

/// A short ID that keeps this run's user names apart from other runs'.
fn run_id() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{:08x}", t.subsec_nanos() ^ std::process::id())
}

#[cfg(test)]
mod tests;
