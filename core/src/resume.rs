//! Parking and resuming: what keeps a session alive when its network link breaks.
//!
//! A session served over a network link is registered in a [`Parking`]. When its link breaks,
//! the task that served it [parks](Parking::park) the session with the state the next link needs
//! (the events sent but not acknowledged, say); the session then waits out a grace period. A
//! client that presents the session's [ticket](Parking::ticket) within it gets the session and
//! that state back ([`resume`](Parking::resume)); otherwise the grace period's end hands both to
//! an expiry function, which ends the session.
//!
//! A ticket resumes once: the resume that takes the session replaces its secret, so the ticket
//! it used is refused from then on, and the session's next ticket is the one to hand to the
//! client. A resume may also have to show more than the ticket ([`resume_with`](Parking::resume_with):
//! the hub asks for a valid token of the session's user when it checks tokens); what it shows is
//! checked before the session's current link is disturbed, so a ticket alone takes nothing over.
//!
//! A resume that finds the session still held by a link (a half-open connection the server has
//! not noticed yet) asks that link to hand it over ([`ResumeSignals::takeover_requested`]) and
//! waits for it to park.
//!
//! The core server parks its hub sessions here; the legacy endpoint parks its legacy instances
//! in the same machinery, with state of its own.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use sigshim::resume::{Parking, ResumeError, ResumeSignals, Resumable};
//!
//! #[derive(Default)]
//! struct Chat { signals: ResumeSignals }
//!
//! impl Resumable for Chat {
//!     fn signals(&self) -> &ResumeSignals { &self.signals }
//!     fn is_closed(&self) -> bool { false }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let parking: Parking<Chat, Vec<String>> = Parking::default();
//! let chat = Arc::new(Chat::default());
//! parking.register(&chat);
//! let ticket = parking.ticket(&chat);
//!
//! // The link broke: keep what it had not delivered for a minute.
//! let kept = vec!["hello".to_owned()];
//! assert!(parking.park(&chat, kept, Duration::from_secs(60), |_key| {}).is_ok());
//! assert!(chat.signals().is_parked());
//!
//! // A new link presents the ticket and gets the session and its state back.
//! let Ok((again, kept)) = parking.resume(&ticket).await else { panic!("the ticket resumes") };
//! assert!(Arc::ptr_eq(&again, &chat));
//! assert_eq!(kept, ["hello"]);
//! assert!(matches!(parking.resume("0.0").await, Err(ResumeError::UnknownSession)));
//!
//! // The ticket was good once; the client is given the next one.
//! let next = parking.ticket(&chat);
//! assert_ne!(next, ticket);
//! assert!(parking.park(&chat, Vec::new(), Duration::from_secs(60), |_key| {}).is_ok());
//! assert!(matches!(parking.resume(&ticket).await, Err(ResumeError::UnknownSession)));
//! assert!(parking.resume(&next).await.is_ok());
//! # }
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

/// Why a resume was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// The ticket is malformed, unknown, or its session has ended.
    #[error("unknown or ended session")]
    UnknownSession,
    /// The link that holds the session did not hand it over in time.
    #[error("the session's current link did not hand it over in time")]
    Busy,
}

/// How long a resume waits for the link that holds the session to hand it over.
const HANDOVER_TIMEOUT: Duration = Duration::from_secs(5);

/// What a resumable session carries: its identity in its [`Parking`], the secret its ticket
/// proves (replaced at every resume), and the signals between the links that hand it over.
pub struct ResumeSignals {
    key: u64,
    /// Taken after the parked map's lock when both are held.
    secret: Mutex<u128>,
    parked: AtomicBool,
    /// Asks the task serving the current link to hand the session over (a resume arrived).
    takeover: Notify,
    /// Signalled each time the session is parked.
    parked_now: Notify,
}

impl Default for ResumeSignals {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self::new(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl std::fmt::Debug for ResumeSignals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret: it is half of a ticket.
        f.debug_struct("ResumeSignals")
            .field("key", &self.key)
            .field("parked", &self.is_parked())
            .finish_non_exhaustive()
    }
}

impl ResumeSignals {
    /// Signals for the session numbered `key` (unique within its parking), with a fresh random
    /// secret.
    pub fn new(key: u64) -> Self {
        Self {
            key,
            secret: Mutex::new(rand::random()),
            parked: AtomicBool::new(false),
            takeover: Notify::new(),
            parked_now: Notify::new(),
        }
    }

    /// The session's number.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// True while the session is parked (it has no link).
    pub fn is_parked(&self) -> bool {
        self.parked.load(Ordering::Acquire)
    }

    /// Waits until a resume asks the link that serves the session to hand it over: the link
    /// then parks the session, and the resume takes it.
    pub fn takeover_requested(&self) -> tokio::sync::futures::Notified<'_> {
        self.takeover.notified()
    }

    fn secret_matches(&self, secret: u128) -> bool {
        same_secret(*self.secret.lock(), secret)
    }

    /// Asks the link that holds the session to hand it over, if `secret` is still the session's
    /// (checked under the lock a resume takes to replace it, so a ticket that a resume has just
    /// used disturbs no link).
    fn request_takeover(&self, secret: u128) -> bool {
        let current = self.secret.lock();
        if !same_secret(*current, secret) {
            return false;
        }
        self.takeover.notify_one();
        true
    }
}

/// Compares two secrets in constant time.
fn same_secret(a: u128, b: u128) -> bool {
    subtle::ConstantTimeEq::ct_eq(&a.to_le_bytes()[..], &b.to_le_bytes()[..]).into()
}

/// A session that can be parked and resumed.
pub trait Resumable: Send + Sync + 'static {
    /// The session's signals (its key, secret and handover state).
    fn signals(&self) -> &ResumeSignals;
    /// True once the session has ended: it is neither parked nor resumed any more.
    fn is_closed(&self) -> bool;
}

struct Parked<S, L> {
    session: Arc<S>,
    link: L,
    timer: Option<AbortHandle>,
}

/// The resumable sessions of one kind: every live one by key, and the parked ones with the
/// state (`L`) their next link needs. See the [module](self) documentation.
pub struct Parking<S, L> {
    live: Mutex<HashMap<u64, Weak<S>>>,
    parked: Mutex<HashMap<u64, Parked<S, L>>>,
    /// Signalled whenever a session is parked or leaves the parked set.
    changed: Notify,
}

impl<S, L> Default for Parking<S, L> {
    fn default() -> Self {
        Self { live: Mutex::default(), parked: Mutex::default(), changed: Notify::new() }
    }
}

impl<S, L> std::fmt::Debug for Parking<S, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parking").field("parked", &self.parked.lock().len()).finish_non_exhaustive()
    }
}

impl<S: Resumable, L: Send + 'static> Parking<S, L> {
    /// Makes `session` resumable (once its link breaks and it is parked).
    pub fn register(&self, session: &Arc<S>) {
        self.live.lock().insert(session.signals().key, Arc::downgrade(session));
    }

    /// Forgets a session that ended; returns its parked state, if it was parked.
    pub fn forget(&self, session: &S) -> Option<L> {
        let key = session.signals().key;
        self.live.lock().remove(&key);
        let p = self.parked.lock().remove(&key)?;
        self.changed.notify_waiters();
        if let Some(t) = p.timer {
            t.abort();
        }
        Some(p.link)
    }

    /// The ticket that resumes `session` now: its key and current secret, in hexadecimal. A
    /// resume replaces the secret: ask again after each one.
    pub fn ticket(&self, session: &S) -> String {
        let s = session.signals();
        format!("{:x}.{:032x}", s.key, *s.secret.lock())
    }

    /// Parks `session` with `link`, the state its next link needs, for `grace`. If nobody
    /// resumes it by then, `expire` is called with the session's key: it should
    /// [`take_expired`](Self::take_expired) the session and end it. A session that has already
    /// ended is not parked: its state is handed back.
    pub fn park(
        &self,
        session: &Arc<S>,
        link: L,
        grace: Duration,
        expire: impl FnOnce(u64) + Send + 'static,
    ) -> Result<(), L> {
        let signals = session.signals();
        let key = signals.key;
        // Checked and inserted under the map's lock: a concurrent close either ends the session
        // before (seen here) or finds the entry afterwards (`forget`).
        let mut parked = self.parked.lock();
        if session.is_closed() {
            return Err(link);
        }
        signals.parked.store(true, Ordering::Release);
        let timer = tokio::runtime::Handle::try_current().ok().map(|rt| {
            rt.spawn(async move {
                tokio::time::sleep(grace).await;
                expire(key);
            })
            .abort_handle()
        });
        parked.insert(key, Parked { session: session.clone(), link, timer });
        drop(parked);
        self.changed.notify_waiters();
        signals.parked_now.notify_waiters();
        Ok(())
    }

    /// Takes a parked session out for its expiry; `None` when a resume (or an end) got it first.
    pub fn take_expired(&self, key: u64) -> Option<(Arc<S>, L)> {
        let p = self.parked.lock().remove(&key)?;
        self.changed.notify_waiters();
        p.session.signals().parked.store(false, Ordering::Release);
        Some((p.session, p.link))
    }

    /// Hands a session and its parked state to a resuming link that presents its ticket; see
    /// [`resume_with`](Self::resume_with).
    pub async fn resume(&self, ticket: &str) -> Result<(Arc<S>, L), ResumeError> {
        self.resume_with(ticket, |_| true).await
    }

    /// Hands a session and its parked state to a resuming link that presents its ticket and
    /// that `admit` lets in (it is asked once the ticket is known good, before anything else
    /// happens: a refusal disturbs no link). A session still held by another link (a half-open
    /// connection) is taken over: that link is asked to park it first.
    ///
    /// The resume that takes the session replaces its secret: the ticket is refused from then
    /// on, and [`ticket`](Self::ticket) gives the next one. Of two resumes with one ticket, one
    /// at most succeeds. A refused resume changes nothing.
    pub async fn resume_with(
        &self,
        ticket: &str,
        admit: impl FnOnce(&S) -> bool,
    ) -> Result<(Arc<S>, L), ResumeError> {
        let (key, secret) = parse_ticket(ticket).ok_or(ResumeError::UnknownSession)?;
        let session = self.live.lock().get(&key).and_then(Weak::upgrade);
        let session = session.ok_or(ResumeError::UnknownSession)?;
        let signals = session.signals();
        if !signals.secret_matches(secret) || !admit(&session) {
            return Err(ResumeError::UnknownSession);
        }
        let deadline = tokio::time::Instant::now() + HANDOVER_TIMEOUT;
        loop {
            let parked_now = signals.parked_now.notified();
            let taken = {
                let mut parked = self.parked.lock();
                let mut current = signals.secret.lock();
                // Another resume took the session with this ticket meanwhile.
                if !same_secret(*current, secret) {
                    return Err(ResumeError::UnknownSession);
                }
                let taken = parked.remove(&key);
                if taken.is_some() {
                    *current = fresh_secret(*current);
                }
                taken
            };
            if let Some(p) = taken {
                self.changed.notify_waiters();
                if let Some(t) = p.timer {
                    t.abort();
                }
                signals.parked.store(false, Ordering::Release);
                // A takeover request that found no link to ask is void now.
                let _ = futures_util::FutureExt::now_or_never(signals.takeover.notified());
                return Ok((p.session, p.link));
            }
            if session.is_closed() || !signals.request_takeover(secret) {
                return Err(ResumeError::UnknownSession);
            }
            if tokio::time::timeout_at(deadline, parked_now).await.is_err() {
                return Err(ResumeError::Busy);
            }
        }
    }

    /// Reads the parked state of session `key`, if it is parked.
    pub fn inspect<R>(&self, key: u64, f: impl FnOnce(&L) -> R) -> Option<R> {
        self.parked.lock().get(&key).map(|p| f(&p.link))
    }

    /// Sessions parked now.
    pub fn parked_count(&self) -> usize {
        self.parked.lock().len()
    }

    /// Waits until exactly `n` sessions are parked.
    pub async fn parked_reach(&self, n: usize) {
        loop {
            let changed = self.changed.notified();
            if self.parked_count() == n {
                return;
            }
            changed.await;
        }
    }
}

/// A new random secret, never the one it replaces.
fn fresh_secret(old: u128) -> u128 {
    loop {
        let secret = rand::random();
        if secret != old {
            return secret;
        }
    }
}

fn parse_ticket(ticket: &str) -> Option<(u64, u128)> {
    let (key, secret) = ticket.split_once('.')?;
    Some((u64::from_str_radix(key, 16).ok()?, u128::from_str_radix(secret, 16).ok()?))
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[derive(Default)]
    struct Chat {
        signals: ResumeSignals,
    }

    impl Resumable for Chat {
        fn signals(&self) -> &ResumeSignals {
            &self.signals
        }

        fn is_closed(&self) -> bool {
            false
        }
    }

    fn registered() -> (Arc<Parking<Chat, ()>>, Arc<Chat>, String) {
        let parking: Arc<Parking<Chat, ()>> = Arc::default();
        let chat = Arc::new(Chat::default());
        parking.register(&chat);
        let ticket = parking.ticket(&chat);
        (parking, chat, ticket)
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_admission_disturbs_no_link_and_changes_nothing() {
        let (parking, chat, ticket) = registered();
        // Held by a link (not parked): a resume that is not admitted does not ask for it.
        let refused = parking.resume_with(&ticket, |_| false).await;
        assert!(matches!(refused, Err(ResumeError::UnknownSession)));
        assert!(chat.signals.takeover_requested().now_or_never().is_none(), "no handover asked");
        assert_eq!(parking.ticket(&chat), ticket, "the ticket still holds");
        assert!(parking.park(&chat, (), Duration::from_secs(60), |_| {}).is_ok());
        assert!(parking.resume_with(&ticket, |_| true).await.is_ok());
        assert_ne!(parking.ticket(&chat), ticket, "replaced by the resume");
    }

    #[tokio::test(start_paused = true)]
    async fn of_two_resumes_with_one_ticket_waiting_for_a_handover_one_takes_the_session() {
        let (parking, chat, ticket) = registered();
        let resumes: Vec<_> = (0..2)
            .map(|_| {
                let (parking, ticket) = (parking.clone(), ticket.clone());
                tokio::spawn(async move { parking.resume(&ticket).await.map(drop) })
            })
            .collect();
        // The link is asked to hand the session over, and does.
        chat.signals.takeover_requested().await;
        assert!(parking.park(&chat, (), Duration::from_secs(60), |_| {}).is_ok());
        let mut outcomes = Vec::new();
        for r in resumes {
            outcomes.push(r.await.expect("the resume's task"));
        }
        outcomes.sort_by_key(Result::is_ok);
        assert_eq!(outcomes, [Err(ResumeError::UnknownSession), Ok(())]);
    }
}
