//! The invitations of one client and their state machines: API calls, signals from the other
//! party, timers, and the end of the session.
//!
//! Every transition happens under the book's lock, and the event that reports it is queued
//! under the same lock, so events come out in the order of the transitions. Signals to the other
//! party and timers run on spawned tasks; a timer that fires after its invitation moved on finds
//! the state changed and does nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::invitation::{
    LocalInvitation, LocalInvitationState as L, RemoteInvitation, RemoteInvitationState as R,
};
use super::{CallEvent, CallTimers};
use crate::client::Shared;
use crate::error::{InvitationApiError as IE, LocalInvitationError as LE, RemoteInvitationError as RE};
use crate::limits::Limits;
use crate::protocol::{CallRole, CallSignal, Reply, Request};

/// What became of one signal sent to the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Routed {
    /// The other party's client has it.
    Delivered,
    /// The other party is offline or its link is down.
    Offline,
    /// No link, or no answer in time.
    NoLink,
    /// The hub refused it with this code.
    Refused(i32),
}

#[derive(Debug, Default)]
struct Book {
    events: Option<mpsc::UnboundedSender<CallEvent>>,
    next_id: u64,
    local: HashMap<u64, LocalInvitation>,
    remote: HashMap<(String, u64), RemoteInvitation>,
}

impl Book {
    fn emit(&self, event: CallEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }

    fn open(&self) -> usize {
        self.local.len() + self.remote.len()
    }

    /// True while an application holds the event stream.
    fn listening(&self) -> bool {
        self.events.as_ref().is_some_and(|tx| !tx.is_closed())
    }
}

/// The invitations of one client.
#[derive(Debug)]
pub(crate) struct CallBook {
    timers: CallTimers,
    book: Mutex<Book>,
}

impl CallBook {
    pub(crate) fn new(timers: CallTimers) -> Self {
        Self { timers, book: Mutex::new(Book::default()) }
    }

    /// Sends the book's events to a new stream from now on.
    pub(crate) fn set_events(&self, tx: mpsc::UnboundedSender<CallEvent>) {
        self.book.lock().events = Some(tx);
    }

    pub(crate) fn create(&self, callee_id: &str) -> LocalInvitation {
        let mut b = self.book.lock();
        b.next_id += 1;
        LocalInvitation::new(b.next_id, callee_id)
    }

    // ---- caller side -------------------------------------------------------------------------

    pub(crate) fn send(&self, s: &Arc<Shared>, inv: &LocalInvitation) -> Result<(), IE> {
        let timeout = {
            let mut b = self.book.lock();
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
                b.emit(CallEvent::LocalInvitationFailure { invitation: inv.clone(), error: LE::NotLoggedIn });
                return Ok(());
            }
            d.state = L::SentToRemote;
            b.local.insert(inv.id(), inv.clone());
            d.timeout
        };
        let id = inv.id();
        self.after(s, self.timers.ack_timeout, move |s| s.calls.ack_timed_out(s, id));
        if let Some(t) = timeout {
            self.after(s, t, move |s| {
                s.calls.fail_local(s, id, &[L::SentToRemote, L::ReceivedByRemote], LE::InvitationExpire)
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
                    self.fail_local(s, id, &[L::SentToRemote], LE::PeerOffline);
                    return;
                }
                Routed::Refused(code) => {
                    let error = if code == 102 { LE::NotLoggedIn } else { LE::PeerNoResponse };
                    self.fail_local(s, id, &[L::SentToRemote], error);
                    return;
                }
                Routed::Offline | Routed::NoLink => {}
            }
            tokio::time::sleep(self.timers.resend_interval).await;
        }
    }

    fn ack_timed_out(&self, s: &Arc<Shared>, id: u64) {
        let delivered = match self.book.lock().local.get(&id) {
            Some(inv) => inv.inner.data.lock().delivered,
            None => return,
        };
        let error = if delivered { LE::PeerNoResponse } else { LE::PeerOffline };
        self.fail_local(s, id, &[L::SentToRemote], error);
    }

    /// Ends an outgoing invitation in failure if it is in one of `states`; tells the callee
    /// when its client may have it.
    fn fail_local(&self, s: &Arc<Shared>, id: u64, states: &[L], error: LE) {
        let callee = {
            let mut b = self.book.lock();
            let Some(inv) = b.local.get(&id).cloned() else { return };
            let mut d = inv.inner.data.lock();
            if !states.contains(&d.state) {
                return;
            }
            d.state = L::Failure;
            let delivered = d.delivered;
            drop(d);
            b.local.remove(&id);
            b.emit(CallEvent::LocalInvitationFailure { invitation: inv.clone(), error });
            delivered.then(|| inv.callee_id().to_owned())
        };
        if let Some(callee) = callee {
            spawn_route(s, callee, id, CallRole::Caller, CallSignal::Expire);
        }
    }

    pub(crate) async fn cancel(&self, s: &Arc<Shared>, inv: &LocalInvitation) -> Result<(), IE> {
        {
            let mut b = self.book.lock();
            let mut d = inv.inner.data.lock();
            match d.state {
                L::SentToRemote | L::ReceivedByRemote => {}
                L::Idle => return Err(IE::NotStarted),
                _ => return Err(IE::AlreadyEnd),
            }
            d.state = L::Canceled;
            b.local.remove(&inv.id());
        }
        self.book.lock().emit(CallEvent::LocalInvitationCanceled(inv.clone()));
        end_reliably(s, inv.callee_id(), inv.id(), CallRole::Caller, CallSignal::Cancel).await;
        Ok(())
    }

    fn on_callee_signal(&self, s: &Arc<Shared>, from: &str, id: u64, signal: CallSignal) {
        let mut b = self.book.lock();
        let Some(inv) = b.local.get(&id).filter(|i| i.callee_id() == from).cloned() else { return };
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
                drop(b);
                self.after(s, self.timers.expire_after, move |s| {
                    s.calls.fail_local(s, id, &[L::ReceivedByRemote], LE::InvitationExpire)
                });
            }
            CallSignal::Accept { response } if open => {
                d.state = L::AcceptedByRemote;
                d.response.clone_from(&response);
                drop(d);
                b.local.remove(&id);
                b.emit(CallEvent::LocalInvitationAccepted { invitation: inv.clone(), response });
                drop(b);
                spawn_route(s, from.to_owned(), id, CallRole::Caller, CallSignal::Confirm);
            }
            CallSignal::Refuse { response } if open => {
                d.state = L::RefusedByRemote;
                d.response.clone_from(&response);
                drop(d);
                b.local.remove(&id);
                b.emit(CallEvent::LocalInvitationRefused { invitation: inv.clone(), response });
            }
            CallSignal::Expire | CallSignal::PeerGone if open => {
                d.state = L::Failure;
                drop(d);
                b.local.remove(&id);
                let error = if signal == CallSignal::Expire { LE::InvitationExpire } else { LE::PeerOffline };
                b.emit(CallEvent::LocalInvitationFailure { invitation: inv.clone(), error });
            }
            _ => {}
        }
    }

    // ---- callee side -------------------------------------------------------------------------

    fn on_caller_signal(&self, s: &Arc<Shared>, from: &str, id: u64, signal: CallSignal) {
        let key = (from.to_owned(), id);
        let mut b = self.book.lock();
        if let CallSignal::Invite { content, channel_id } = signal {
            match b.remote.get(&key) {
                // Sent again before our receipt arrived: confirm again.
                Some(inv) if inv.state() == R::InvitationReceived => {}
                Some(_) => return,
                // Nobody listens for invitations, or too many are open: no receipt, so the
                // caller learns that the callee did not respond.
                None if !b.listening() || b.open() >= Limits::default().max_open_invitations => return,
                None => {
                    let inv = RemoteInvitation::new(id, from, content, channel_id);
                    b.remote.insert(key.clone(), inv.clone());
                    b.emit(CallEvent::RemoteInvitationReceived(inv));
                    self.after(s, self.timers.expire_after, move |s| {
                        s.calls.fail_remote(s, &key, &[R::InvitationReceived], RE::InvitationExpire, true)
                    });
                }
            }
            drop(b);
            spawn_route(s, from.to_owned(), id, CallRole::Callee, CallSignal::Received);
            return;
        }
        let Some(inv) = b.remote.get(&key).cloned() else { return };
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
            _ => return,
        };
        d.state = state;
        drop(d);
        b.remote.remove(&key);
        b.emit(event);
    }

    /// Ends an incoming invitation in failure if it is in one of `states`; with `tell`, tells
    /// the caller.
    fn fail_remote(&self, s: &Arc<Shared>, key: &(String, u64), states: &[R], error: RE, tell: bool) {
        {
            let mut b = self.book.lock();
            let Some(inv) = b.remote.get(key).cloned() else { return };
            let mut d = inv.inner.data.lock();
            if !states.contains(&d.state) {
                return;
            }
            d.state = R::Failure;
            drop(d);
            b.remote.remove(key);
            b.emit(CallEvent::RemoteInvitationFailure { invitation: inv, error });
        }
        if tell {
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
        self.after(s, self.timers.accept_ack_timeout, move |s| {
            s.calls.fail_remote(s, &key, &[R::AcceptSentToLocal], RE::AcceptFailure, true)
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
        let response = {
            let mut b = self.book.lock();
            let mut d = inv.inner.data.lock();
            super::invitation::answerable(d.state)?;
            d.state = R::Refused;
            b.remote.remove(&(inv.caller_id().to_owned(), inv.id()));
            d.response.clone()
        };
        self.book.lock().emit(CallEvent::RemoteInvitationRefused(inv.clone()));
        end_reliably(s, inv.caller_id(), inv.id(), CallRole::Callee, CallSignal::Refuse { response }).await;
        Ok(())
    }

    // ---- both --------------------------------------------------------------------------------

    /// A signal from the other party of an invitation.
    pub(crate) fn on_signal(&self, s: &Arc<Shared>, from: &str, id: u64, by: CallRole, signal: CallSignal) {
        match by {
            CallRole::Caller => self.on_caller_signal(s, from, id, signal),
            CallRole::Callee => self.on_callee_signal(s, from, id, signal),
        }
    }

    /// The session ended: every open invitation fails, outgoing ones with `NotLoggedIn`,
    /// incoming ones with `PeerOffline`. With `replaced` (a reconnect opened a new session),
    /// outgoing invitations the old session never delivered carry on in the new one.
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
    fn after(&self, s: &Arc<Shared>, delay: Duration, f: impl FnOnce(&Arc<Shared>) + Send + 'static) {
        let s = Arc::downgrade(s);
        let deadline = tokio::time::Instant::now() + delay;
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline).await;
            if let Some(s) = s.upgrade() {
                f(&s);
            }
        });
    }
}

/// Sends one signal through the current link.
async fn route(s: &Shared, peer_id: &str, id: u64, by: CallRole, signal: CallSignal) -> Routed {
    let Some(link) = s.connected_link() else { return Routed::NoLink };
    let request = Request::Invitation { peer_id: peer_id.to_owned(), invitation_id: id, by, signal };
    match tokio::time::timeout(s.request_timeout, link.request(request)).await {
        Ok(Ok(Reply::InvitationRouted { delivered: true })) => Routed::Delivered,
        Ok(Ok(Reply::InvitationRouted { delivered: false })) => Routed::Offline,
        Ok(Ok(Reply::Error { code })) => Routed::Refused(code),
        Ok(Ok(other)) => {
            tracing::warn!(?other, "unexpected reply to an invitation signal");
            Routed::Refused(-1)
        }
        Ok(Err(_)) | Err(_) => Routed::NoLink,
    }
}

/// Sends a signal that ends an invitation now, so that what this side does next reaches the
/// hub after it; without a link, keeps trying on a task.
async fn end_reliably(s: &Arc<Shared>, peer_id: &str, id: u64, by: CallRole, signal: CallSignal) {
    if route(s, peer_id, id, by, signal.clone()).await == Routed::NoLink {
        spawn_route(s, peer_id.to_owned(), id, by, signal);
    }
}

/// Sends a signal on a task. A signal that ends the invitation is sent again while there is no
/// link (for up to the acknowledgement timeout), so that both sides and the hub learn the end.
fn spawn_route(s: &Arc<Shared>, peer_id: String, id: u64, by: CallRole, signal: CallSignal) {
    let s = s.clone();
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + s.calls.timers.ack_timeout;
        loop {
            let routed = route(&s, &peer_id, id, by, signal.clone()).await;
            if routed != Routed::NoLink || !signal.is_final() || tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep(s.calls.timers.resend_interval).await;
        }
    });
}
