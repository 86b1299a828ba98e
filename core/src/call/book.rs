//! The invitations of one client and their state machines: API calls, signals from the other
//! party, timers, and the end of the session.
//!
//! Every transition happens under the book's lock, and the event that reports it is queued
//! under the same lock, so events come out in the order of the transitions. The event stream is
//! bounded: a transition that reports an event first waits until the stream has room for it
//! ([`CallBook::with_room`]), except the end of a session (see [`CallEvents`](super::CallEvents)).
//! Signals to the other party and timers run on spawned tasks; a timer that fires after its
//! invitation moved on finds the state changed and does nothing.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::events::Queue;
use super::invitation::{
    LocalInvitation, LocalInvitationState as L, RemoteInvitation, RemoteInvitationState as R,
};
use super::route::{Routed, end_reliably, route, spawn_route};
use super::{CallEvent, CallTimers};
use crate::client::Shared;
use crate::error::{InvitationApiError as IE, LocalInvitationError as LE, RemoteInvitationError as RE};
use crate::limits::Limits;
use crate::protocol::{CallRole, CallSignal};

#[derive(Debug, Default)]
struct Book {
    events: Option<Arc<Queue>>,
    next_id: u64,
    local: HashMap<u64, LocalInvitation>,
    remote: HashMap<(String, u64), RemoteInvitation>,
}

impl Book {
    fn emit(&self, event: CallEvent) {
        if let Some(q) = &self.events {
            q.push(event);
        }
    }

    fn open(&self) -> usize {
        self.local.len() + self.remote.len()
    }

    /// True while an application holds the event stream.
    fn listening(&self) -> bool {
        self.events.as_ref().is_some_and(|q| q.listening())
    }
}

impl Drop for Book {
    fn drop(&mut self) {
        if let Some(q) = &self.events {
            q.close();
        }
    }
}

/// What the callee's signal asks the caller's side to do once the book is unlocked.
enum AfterCalleeSignal {
    Nothing,
    /// The callee has the invitation: start its expiry.
    StartExpiry,
    /// The callee accepted: confirm.
    Confirm,
}

/// What the caller's signal asks the callee's side to do once the book is unlocked.
enum AfterCallerSignal {
    Nothing,
    /// Confirm receipt (again).
    Receipt,
    /// A new invitation: confirm receipt and start its expiry.
    ReceiptAndExpiry,
}

/// The invitations of one client.
#[derive(Debug)]
pub(crate) struct CallBook {
    pub(super) timers: CallTimers,
    book: Mutex<Book>,
}

impl CallBook {
    pub(crate) fn new(timers: CallTimers) -> Self {
        Self { timers, book: Mutex::new(Book::default()) }
    }

    /// Sends the book's events to a new stream from now on; the previous stream ends.
    pub(crate) fn set_events(&self, queue: Arc<Queue>) {
        if let Some(old) = self.book.lock().events.replace(queue) {
            old.close();
        }
    }

    /// Runs `step` under the book's lock once the event stream has room for `n` more events (at
    /// once when nobody reads it). `step` may emit up to `n` events.
    async fn with_room<T>(&self, n: usize, step: impl FnOnce(&mut Book) -> T) -> T {
        loop {
            let queue = self.book.lock().events.clone();
            // Registered before the check, so a read between the check and the wait wakes it.
            let freed = queue.as_ref().map(|q| q.room_freed());
            {
                let mut b = self.book.lock();
                let same = match (&b.events, &queue) {
                    (Some(now), Some(seen)) => Arc::ptr_eq(now, seen),
                    (None, None) => true,
                    _ => false,
                };
                if same && b.events.as_ref().is_none_or(|q| q.has_room(n)) {
                    return step(&mut b);
                }
                if !same {
                    continue;
                }
            }
            if let Some(freed) = freed {
                freed.await;
            }
        }
    }

    pub(crate) fn create(&self, callee_id: &str) -> LocalInvitation {
        let mut b = self.book.lock();
        b.next_id += 1;
        LocalInvitation::new(b.next_id, callee_id)
    }

    // ---- caller side -------------------------------------------------------------------------

    pub(crate) async fn send(&self, s: &Arc<Shared>, inv: &LocalInvitation) -> Result<(), IE> {
        let timeout = self
            .with_room(1, |b| {
                let mut d = inv.inner.data.lock();
                match d.state {
                    L::Idle => {}
                    L::SentToRemote | L::ReceivedByRemote => return Err(IE::AlreadySent),
                    _ => return Err(IE::AlreadyEnd),
                }
                if b.open() >= Limits::default().max_open_invitations || b.local.contains_key(&inv.id()) {
                    return Err(IE::InvalidArgument);
                }
                if !s.is_logged_in() {
                    d.state = L::Failure;
                    drop(d);
                    let error = LE::NotLoggedIn;
                    b.emit(CallEvent::LocalInvitationFailure { invitation: inv.clone(), error });
                    return Ok(None);
                }
                d.state = L::SentToRemote;
                b.local.insert(inv.id(), inv.clone());
                Ok(Some(d.timeout))
            })
            .await?;
        let Some(timeout) = timeout else { return Ok(()) };
        let id = inv.id();
        self.after(s, self.timers.ack_timeout, move |s| async move { s.calls.ack_timed_out(&s, id).await });
        if let Some(t) = timeout {
            self.after(s, t, move |s| async move {
                let open = [L::SentToRemote, L::ReceivedByRemote];
                s.calls.fail_local(&s, id, &open, LE::InvitationExpire).await
            });
        }
        let (s2, inv) = (s.clone(), inv.clone());
        tokio::spawn(async move { s2.calls.keep_inviting(&s2, inv).await });
        Ok(())
    }

    /// Sends the invitation until the callee's client has it, the invitation moves on, or (with
    /// `require_peer_online`) the first try finds the callee offline.
    async fn keep_inviting(&self, s: &Arc<Shared>, inv: LocalInvitation) {
        let id = inv.id();
        loop {
            let (signal, require_online) = {
                let d = inv.inner.data.lock();
                if d.state != L::SentToRemote {
                    return;
                }
                let signal =
                    CallSignal::Invite { content: d.content.clone(), channel_id: d.channel_id.clone() };
                (signal, d.require_peer_online)
            };
            match route(s, inv.callee_id(), id, CallRole::Caller, signal).await {
                Routed::Delivered => {
                    let state = {
                        let mut d = inv.inner.data.lock();
                        d.delivered = true;
                        d.state
                    };
                    // Canceled or failed while this copy was on its way: the end may have
                    // reached the callee first, so tell it again.
                    let end = match state {
                        L::Canceled => Some(CallSignal::Cancel),
                        L::Failure => Some(CallSignal::Expire),
                        _ => None,
                    };
                    if let Some(end) = end {
                        spawn_route(s, inv.callee_id().to_owned(), id, CallRole::Caller, end);
                    }
                    return;
                }
                Routed::Offline if require_online => {
                    self.fail_local(s, id, &[L::SentToRemote], LE::PeerOffline).await;
                    return;
                }
                Routed::Refused(code) => {
                    let error = if code == 102 { LE::NotLoggedIn } else { LE::PeerNoResponse };
                    self.fail_local(s, id, &[L::SentToRemote], error).await;
                    return;
                }
                Routed::Offline | Routed::NoLink => {}
            }
            tokio::time::sleep(self.timers.resend_interval).await;
        }
    }

    async fn ack_timed_out(&self, s: &Arc<Shared>, id: u64) {
        let delivered = match self.book.lock().local.get(&id) {
            Some(inv) => inv.inner.data.lock().delivered,
            None => return,
        };
        let error = if delivered { LE::PeerNoResponse } else { LE::PeerOffline };
        self.fail_local(s, id, &[L::SentToRemote], error).await;
    }

    /// Ends an outgoing invitation in failure if it is in one of `states`; tells the callee
    /// when its client may have it.
    async fn fail_local(&self, s: &Arc<Shared>, id: u64, states: &[L], error: LE) {
        let callee = self
            .with_room(1, |b| {
                let inv = b.local.get(&id).cloned()?;
                let mut d = inv.inner.data.lock();
                if !states.contains(&d.state) {
                    return None;
                }
                d.state = L::Failure;
                let delivered = d.delivered;
                drop(d);
                b.local.remove(&id);
                b.emit(CallEvent::LocalInvitationFailure { invitation: inv.clone(), error });
                delivered.then(|| inv.callee_id().to_owned())
            })
            .await;
        if let Some(callee) = callee {
            spawn_route(s, callee, id, CallRole::Caller, CallSignal::Expire);
        }
    }

    pub(crate) async fn cancel(&self, s: &Arc<Shared>, inv: &LocalInvitation) -> Result<(), IE> {
        self.with_room(1, |b| {
            let mut d = inv.inner.data.lock();
            match d.state {
                L::SentToRemote | L::ReceivedByRemote => {}
                L::Idle => return Err(IE::NotStarted),
                _ => return Err(IE::AlreadyEnd),
            }
            d.state = L::Canceled;
            drop(d);
            b.local.remove(&inv.id());
            b.emit(CallEvent::LocalInvitationCanceled(inv.clone()));
            Ok(())
        })
        .await?;
        end_reliably(s, inv.callee_id(), inv.id(), CallRole::Caller, CallSignal::Cancel).await;
        Ok(())
    }

    async fn on_callee_signal(&self, s: &Arc<Shared>, from: &str, id: u64, signal: CallSignal) {
        // An answer that overtook the callee's receipt reports the receipt too: two events.
        let next = self.with_room(2, |b| Self::callee_signal(b, from, id, signal)).await;
        match next {
            AfterCalleeSignal::Nothing => {}
            AfterCalleeSignal::StartExpiry => self.after(s, self.timers.expire_after, move |s| async move {
                s.calls.fail_local(&s, id, &[L::ReceivedByRemote], LE::InvitationExpire).await
            }),
            AfterCalleeSignal::Confirm => {
                spawn_route(s, from.to_owned(), id, CallRole::Caller, CallSignal::Confirm);
            }
        }
    }

    /// The transition a callee's signal makes, under the book's lock.
    fn callee_signal(b: &mut Book, from: &str, id: u64, signal: CallSignal) -> AfterCalleeSignal {
        let Some(inv) = b.local.get(&id).filter(|i| i.callee_id() == from).cloned() else {
            return AfterCalleeSignal::Nothing;
        };
        let mut d = inv.inner.data.lock();
        let open = matches!(d.state, L::SentToRemote | L::ReceivedByRemote);
        // An answer that overtook the callee's receipt: the receipt is implied, report it first.
        let answer = matches!(signal, CallSignal::Accept { .. } | CallSignal::Refuse { .. });
        if answer && d.state == L::SentToRemote {
            d.state = L::ReceivedByRemote;
            d.delivered = true;
            b.emit(CallEvent::LocalInvitationReceivedByPeer(inv.clone()));
        }
        match signal {
            CallSignal::Received if d.state == L::SentToRemote => {
                d.state = L::ReceivedByRemote;
                d.delivered = true;
                drop(d);
                b.emit(CallEvent::LocalInvitationReceivedByPeer(inv.clone()));
                AfterCalleeSignal::StartExpiry
            }
            CallSignal::Accept { response } if open => {
                d.state = L::AcceptedByRemote;
                d.response.clone_from(&response);
                drop(d);
                b.local.remove(&id);
                b.emit(CallEvent::LocalInvitationAccepted { invitation: inv.clone(), response });
                AfterCalleeSignal::Confirm
            }
            CallSignal::Refuse { response } if open => {
                d.state = L::RefusedByRemote;
                d.response.clone_from(&response);
                drop(d);
                b.local.remove(&id);
                b.emit(CallEvent::LocalInvitationRefused { invitation: inv.clone(), response });
                AfterCalleeSignal::Nothing
            }
            CallSignal::Expire | CallSignal::PeerGone if open => {
                d.state = L::Failure;
                drop(d);
                b.local.remove(&id);
                let error = if signal == CallSignal::Expire { LE::InvitationExpire } else { LE::PeerOffline };
                b.emit(CallEvent::LocalInvitationFailure { invitation: inv.clone(), error });
                AfterCalleeSignal::Nothing
            }
            _ => AfterCalleeSignal::Nothing,
        }
    }

    // ---- callee side -------------------------------------------------------------------------

    async fn on_caller_signal(&self, s: &Arc<Shared>, from: &str, id: u64, signal: CallSignal) {
        let key = (from.to_owned(), id);
        let next = self.with_room(1, |b| Self::caller_signal(b, &key, signal)).await;
        if matches!(next, AfterCallerSignal::ReceiptAndExpiry) {
            let key = key.clone();
            self.after(s, self.timers.expire_after, move |s| async move {
                s.calls.fail_remote(&s, &key, &[R::InvitationReceived], RE::InvitationExpire, true).await
            });
        }
        if !matches!(next, AfterCallerSignal::Nothing) {
            spawn_route(s, from.to_owned(), id, CallRole::Callee, CallSignal::Received);
        }
    }

    /// The transition a caller's signal makes, under the book's lock.
    fn caller_signal(b: &mut Book, key: &(String, u64), signal: CallSignal) -> AfterCallerSignal {
        if let CallSignal::Invite { content, channel_id } = signal {
            return match b.remote.get(key) {
                // Sent again before our receipt arrived: confirm again.
                Some(inv) if inv.state() == R::InvitationReceived => AfterCallerSignal::Receipt,
                Some(_) => AfterCallerSignal::Nothing,
                // Nobody listens for invitations, or too many are open: no receipt, so the
                // caller learns that the callee did not respond.
                None if !b.listening() || b.open() >= Limits::default().max_open_invitations => {
                    AfterCallerSignal::Nothing
                }
                None => {
                    let inv = RemoteInvitation::new(key.1, &key.0, content, channel_id);
                    b.remote.insert(key.clone(), inv.clone());
                    b.emit(CallEvent::RemoteInvitationReceived(inv));
                    AfterCallerSignal::ReceiptAndExpiry
                }
            };
        }
        let Some(inv) = b.remote.get(key).cloned() else { return AfterCallerSignal::Nothing };
        let mut d = inv.inner.data.lock();
        let open = matches!(d.state, R::InvitationReceived | R::AcceptSentToLocal);
        let (state, event) = match signal {
            CallSignal::Confirm if d.state == R::AcceptSentToLocal => {
                (R::Accepted, CallEvent::RemoteInvitationAccepted(inv.clone()))
            }
            CallSignal::Cancel if open => (R::Canceled, CallEvent::RemoteInvitationCanceled(inv.clone())),
            CallSignal::Expire if open => (
                R::Failure,
                CallEvent::RemoteInvitationFailure { invitation: inv.clone(), error: RE::InvitationExpire },
            ),
            CallSignal::PeerGone if open => (
                R::Failure,
                CallEvent::RemoteInvitationFailure { invitation: inv.clone(), error: RE::PeerOffline },
            ),
            _ => return AfterCallerSignal::Nothing,
        };
        d.state = state;
        drop(d);
        b.remote.remove(key);
        b.emit(event);
        AfterCallerSignal::Nothing
    }

    /// Ends an incoming invitation in failure if it is in one of `states`; with `tell`, tells
    /// the caller.
    async fn fail_remote(&self, s: &Arc<Shared>, key: &(String, u64), states: &[R], error: RE, tell: bool) {
        let failed = self
            .with_room(1, |b| {
                let Some(inv) = b.remote.get(key).cloned() else { return false };
                let mut d = inv.inner.data.lock();
                if !states.contains(&d.state) {
                    return false;
                }
                d.state = R::Failure;
                drop(d);
                b.remote.remove(key);
                b.emit(CallEvent::RemoteInvitationFailure { invitation: inv, error });
                true
            })
            .await;
        if failed && tell {
            spawn_route(s, key.0.clone(), key.1, CallRole::Callee, CallSignal::Expire);
        }
    }

    pub(crate) fn accept(&self, s: &Arc<Shared>, inv: &RemoteInvitation) -> Result<(), IE> {
        {
            let _b = self.book.lock();
            let mut d = inv.inner.data.lock();
            super::invitation::answerable(d.state)?;
            d.state = R::AcceptSentToLocal;
        }
        let key = (inv.caller_id().to_owned(), inv.id());
        self.after(s, self.timers.accept_ack_timeout, move |s| async move {
            s.calls.fail_remote(&s, &key, &[R::AcceptSentToLocal], RE::AcceptFailure, true).await
        });
        let (s2, inv) = (s.clone(), inv.clone());
        tokio::spawn(async move {
            loop {
                let response = {
                    let d = inv.inner.data.lock();
                    if d.state != R::AcceptSentToLocal {
                        return;
                    }
                    d.response.clone()
                };
                let signal = CallSignal::Accept { response };
                if route(&s2, inv.caller_id(), inv.id(), CallRole::Callee, signal).await == Routed::Delivered
                {
                    return;
                }
                tokio::time::sleep(s2.calls.timers.accept_resend_interval).await;
            }
        });
        Ok(())
    }

    pub(crate) async fn refuse(&self, s: &Arc<Shared>, inv: &RemoteInvitation) -> Result<(), IE> {
        let response = self
            .with_room(1, |b| {
                let mut d = inv.inner.data.lock();
                super::invitation::answerable(d.state)?;
                d.state = R::Refused;
                let response = d.response.clone();
                drop(d);
                b.remote.remove(&(inv.caller_id().to_owned(), inv.id()));
                b.emit(CallEvent::RemoteInvitationRefused(inv.clone()));
                Ok::<_, IE>(response)
            })
            .await?;
        end_reliably(s, inv.caller_id(), inv.id(), CallRole::Callee, CallSignal::Refuse { response }).await;
        Ok(())
    }

    // ---- both --------------------------------------------------------------------------------

    /// A signal from the other party of an invitation.
    /// Waits while the event stream is full (see [`CallEvents`](super::CallEvents)).
    pub(crate) async fn on_signal(
        &self,
        s: &Arc<Shared>,
        from: &str,
        id: u64,
        by: CallRole,
        signal: CallSignal,
    ) {
        match by {
            CallRole::Caller => self.on_caller_signal(s, from, id, signal).await,
            CallRole::Callee => self.on_callee_signal(s, from, id, signal).await,
        }
    }

    /// The session ended: every open invitation fails, outgoing ones with `NotLoggedIn`,
    /// incoming ones with `PeerOffline`. With `replaced` (a reconnect opened a new session),
    /// outgoing invitations the old session never delivered carry on in the new one.
    /// Its events do not wait for room in the stream: there is at most one per open invitation.
    pub(crate) fn session_ended(&self, replaced: bool) {
        let mut b = self.book.lock();
        let carry_on = |i: &LocalInvitation| {
            let d = i.inner.data.lock();
            replaced && d.state == L::SentToRemote && !d.delivered
        };
        let ended: Vec<u64> = b.local.iter().filter(|(_, i)| !carry_on(i)).map(|(id, _)| *id).collect();
        let mut local: Vec<_> = ended.iter().filter_map(|id| b.local.remove(id)).collect();
        let mut remote: Vec<_> = b.remote.drain().map(|(_, i)| i).collect();
        local.sort_by_key(|i| i.id());
        remote.sort_by(|x, y| (x.caller_id(), x.id()).cmp(&(y.caller_id(), y.id())));
        for inv in local {
            inv.inner.data.lock().state = L::Failure;
            b.emit(CallEvent::LocalInvitationFailure { invitation: inv, error: LE::NotLoggedIn });
        }
        for inv in remote {
            inv.inner.data.lock().state = R::Failure;
            b.emit(CallEvent::RemoteInvitationFailure { invitation: inv, error: RE::PeerOffline });
        }
    }

    /// Runs `f` after `delay` (on the tokio clock, so paused-time tests control it).
    fn after<F, Fut>(&self, s: &Arc<Shared>, delay: Duration, f: F)
    where
        F: FnOnce(Arc<Shared>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let s = Arc::downgrade(s);
        let deadline = tokio::time::Instant::now() + delay;
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline).await;
            if let Some(s) = s.upgrade() {
                f(s).await;
            }
        });
    }
}
