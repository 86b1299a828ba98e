//! Call invitations on the hub: forwarding each step to the other party, and telling the other
//! party when a session with open invitations ends.
//!
//! The hub keeps, per session, the set of invitations it has seen opened and not yet closed
//! (bounded by [`Limits::max_open_invitations`](crate::limits::Limits::max_open_invitations)).
//! The state machines themselves run in the clients.

use std::sync::Arc;

use super::Hub;
use super::session::{Push, Session};
use super::stats::Counters;
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
) -> Result<Reply, i32> {
    check(hub, session, peer_id, by, &signal)?;
    let me = session.user_id();
    let peer = hub.inner.registry.get(peer_id).filter(|p| !p.is_closed());
    let key = (peer_id.to_owned(), id, by);
    if let CallSignal::Invite { .. } = signal {
        let st = session.state.lock();
        if !st.calls.contains(&key) && st.calls.len() >= hub.limits_of(session).max_open_invitations {
            return Err(IE::InvalidArgument.code());
        }
    }
    let is_invite = matches!(signal, CallSignal::Invite { .. });
    let peer_key = (me.to_owned(), id, by.other());
    let peer_full = |p: &Session| {
        let st = p.state.lock();
        !st.calls.contains(&peer_key) && st.calls.len() >= hub.limits_of(p).max_open_invitations
    };
    let delivered = match &peer {
        // An invitation waits for a link that is down, or for room among the callee's open
        // invitations: the caller sends it again.
        Some(p) if is_invite && (p.is_parked() || peer_full(p)) => false,
        Some(p) => {
            let parked = p.is_parked();
            let event =
                Event::Invitation { peer_id: me.to_owned(), invitation_id: id, by, signal: signal.clone() };
            match p.push(Arc::new(event)) {
                Push::Queued => !parked,
                Push::Full => {
                    Counters::bump(&hub.inner.counters.inbox_full_drops);
                    false
                }
                Push::Closed => false,
            }
        }
        None => false,
    };
    if signal.is_final() {
        session.state.lock().calls.remove(&key);
        if let Some(p) = &peer {
            p.state.lock().calls.remove(&peer_key);
        }
    } else if let (true, CallSignal::Invite { .. }, Some(p)) = (delivered, &signal, &peer) {
        p.state.lock().calls.insert(peer_key);
        session.state.lock().calls.insert(key);
        if session.is_closed() {
            // The session ended meanwhile and its close may have missed the entry.
            announce_gone(hub, session.user_id(), std::iter::once((peer_id.to_owned(), id, by)));
        }
    }
    Ok(Reply::InvitationRouted { delivered })
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
        let Some(peer) = hub.inner.registry.get(&peer_id) else { continue };
        // Only the session that knows the invitation hears of it (not a newer login).
        if !peer.state.lock().calls.remove(&(user.to_owned(), id, role.other())) {
            continue;
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
}
