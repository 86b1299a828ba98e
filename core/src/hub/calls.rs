//! Call invitations on the hub: forwarding each step to the other party, and telling the other
//! party when a session with open invitations ends.
//!
//! The hub keeps, per session, the set of invitations it has seen opened and not yet closed
//! (bounded by [`Limits::max_open_invitations`](crate::limits::Limits::max_open_invitations)).
//! The state machines themselves run in the clients.

use std::sync::Arc;

use super::session::{Push, Session};
use super::stats::Counters;
use super::{Handled, Hub};
use crate::error::{InvitationApiError as IE, RtmCode};
use crate::limits::validate_id;
use crate::protocol::{CallRole, CallSignal, Event, Reply};

/// One open invitation as a session sees it: the other party, the caller's number for it, and
/// this session's side.
pub(super) type OpenCall = (String, u64, CallRole);

/// Forwards one signal from `session` (on side `by`) to `peer_id`.
pub(super) fn signal(
    hub: &Hub,
    session: &Arc<Session>,
    peer_id: &str,
    id: u64,
    by: CallRole,
    signal: CallSignal,
) -> Handled {
    if let Err(code) = check(hub, session, peer_id, by, &signal) {
        return Handled::Ready(Reply::Error { code });
    }
    if let CallSignal::Invite { .. } = signal {
        let st = session.state.lock();
        let key = (peer_id.to_owned(), id, by);
        if !st.calls.contains(&key) && st.calls.len() >= hub.limits_of(session).max_open_invitations {
            return Handled::Ready(Reply::Error { code: IE::InvalidArgument.code() });
        }
    }
    let peer = hub.inner.registry.get(peer_id).filter(|p| !p.is_closed());
    #[cfg(feature = "redis")]
    if let (None, Some(engine)) = (&peer, hub.engine()) {
        // Held on another node, if anywhere.
        let routed = engine.send_call(session.user_id(), peer_id, id, by, signal.clone());
        let (hub, session, peer_id) = (hub.clone(), session.clone(), peer_id.to_owned());
        return Handled::Pending(Box::pin(async move {
            // No answer from the engine: not delivered, as for an offline callee (the caller's
            // client sends an invitation again until its own timer ends it).
            let delivered = routed.await.unwrap_or(false);
            settle(&hub, &session, &peer_id, id, by, &signal, delivered);
            Reply::InvitationRouted { delivered }
        }));
    }
    let delivered = match &peer {
        Some(p) => receive(hub, p, session.user_id(), id, by, signal.clone()),
        None => false,
    };
    settle(hub, session, peer_id, id, by, &signal, delivered);
    Handled::Ready(Reply::InvitationRouted { delivered })
}

/// The receiving side of a signal from `from` (on side `by`): queues it to `peer` and keeps
/// `peer`'s open invitations; true when it was delivered.
pub(super) fn receive(
    hub: &Hub,
    peer: &Session,
    from: &str,
    id: u64,
    by: CallRole,
    signal: CallSignal,
) -> bool {
    let peer_key = (from.to_owned(), id, by.other());
    let is_invite = matches!(signal, CallSignal::Invite { .. });
    let full = || {
        let st = peer.state.lock();
        !st.calls.contains(&peer_key) && st.calls.len() >= hub.limits_of(peer).max_open_invitations
    };
    let is_final = signal.is_final();
    // An invitation waits for a link that is down, or for room among the callee's open
    // invitations: the caller sends it again.
    let delivered = if is_invite && (peer.is_parked() || full()) {
        false
    } else {
        let parked = peer.is_parked();
        let event = Event::Invitation { peer_id: from.to_owned(), invitation_id: id, by, signal };
        match peer.push(Arc::new(event)) {
            Push::Queued => !parked,
            Push::Full => {
                Counters::bump(&hub.inner.counters.inbox_full_drops);
                false
            }
            Push::Closed => false,
        }
    };
    if is_final {
        peer.state.lock().calls.remove(&peer_key);
    } else if delivered && is_invite {
        peer.state.lock().calls.insert(peer_key);
    }
    delivered
}

/// The sending side once the signal's fate is known: keeps `session`'s open invitations.
fn settle(
    hub: &Hub,
    session: &Session,
    peer_id: &str,
    id: u64,
    by: CallRole,
    signal: &CallSignal,
    delivered: bool,
) {
    let key = (peer_id.to_owned(), id, by);
    if signal.is_final() {
        session.state.lock().calls.remove(&key);
    } else if let (true, CallSignal::Invite { .. }) = (delivered, signal) {
        session.state.lock().calls.insert(key);
        if session.is_closed() {
            // The session ended meanwhile and its close may have missed the entry.
            announce_gone(hub, session.user_id(), std::iter::once((peer_id.to_owned(), id, by)));
        }
    }
}

/// Refuses signals a client may not send.
fn check(hub: &Hub, session: &Session, peer_id: &str, by: CallRole, signal: &CallSignal) -> Result<(), i32> {
    let limits = hub.limits_of(session);
    let bad = IE::InvalidArgument.code();
    if validate_id(peer_id, limits.max_id_bytes).is_err() || peer_id == session.user_id() {
        return Err(bad);
    }
    if signal == &CallSignal::PeerGone || signal.sender().is_some_and(|s| s != by) {
        return Err(bad);
    }
    let too_long = |text: &str| text.len() > limits.max_invitation_bytes;
    match signal {
        CallSignal::Invite { content, channel_id } => {
            let bad_channel =
                channel_id.as_deref().is_some_and(|c| validate_id(c, limits.max_id_bytes).is_err());
            if too_long(content) || bad_channel {
                return Err(bad);
            }
        }
        CallSignal::Accept { response } | CallSignal::Refuse { response } if too_long(response) => {
            return Err(bad);
        }
        _ => {}
    }
    Ok(())
}

/// Tells the other party of each invitation `user` still had open that `user`'s session ended.
pub(super) fn announce_gone(hub: &Hub, user: &str, open: impl IntoIterator<Item = OpenCall>) {
    for (peer_id, id, role) in open {
        match hub.inner.registry.get(&peer_id) {
            Some(peer) => gone(hub, &peer, user, id, role),
            #[cfg(feature = "redis")]
            None => {
                if let Some(engine) = hub.engine() {
                    engine.announce_gone(user, &peer_id, id, role);
                }
            }
            #[cfg(not(feature = "redis"))]
            None => {}
        }
    }
}

/// Tells `peer` that `user`'s session (on side `role`) ended with invitation `id` open, if
/// `peer` is the session that knows it (not a newer login).
pub(super) fn gone(hub: &Hub, peer: &Session, user: &str, id: u64, role: CallRole) {
    if !peer.state.lock().calls.remove(&(user.to_owned(), id, role.other())) {
        return;
    }
    let event = Event::Invitation {
        peer_id: user.to_owned(),
        invitation_id: id,
        by: role,
        signal: CallSignal::PeerGone,
    };
    if peer.push(Arc::new(event)) == Push::Full {
        Counters::bump(&hub.inner.counters.inbox_full_drops);
    }
}

/// `user`'s node died with its sessions: every session here with an invitation open with
/// `user` is told that the other party is gone.
#[cfg(feature = "redis")]
pub(crate) fn peer_swept(hub: &Hub, user: &str) {
    for session in hub.inner.registry.all() {
        let open: Vec<OpenCall> =
            session.state.lock().calls.iter().filter(|(peer, _, _)| peer == user).cloned().collect();
        for (_, id, role) in open {
            // The dead party's side is the other one of this session's role.
            gone(hub, &session, user, id, role.other());
        }
    }
}
