//! Request handlers: peer messages, presence, user attributes, token renewal.

use std::sync::Arc;

use super::session::{Limiters, Push, Session};
use super::stats::Counters;
use super::{Handled, Hub, auth, channel_ops, unix_now};
use crate::attributes::{Attribute, AttributeUpdate, validate_keys};
use crate::error::{
    AttributeError as AE, PeerMessageError as PE, QueryPeersOnlineStatusError as QE, QuerySubscriptionError,
    RenewTokenError, RtmCode, SubscriptionError as SE,
};
use crate::limits::{RateLimiter, validate_id};
use crate::message::{Message, SendMessageOptions};
use crate::protocol::{Event, PeerOnlineState, PeerStatus, Reply, Request};

pub(super) fn handle(hub: &Hub, session: &Arc<Session>, request: Request) -> Handled {
    let result = match request {
        Request::Logout => return hub.log_out(session),
        Request::Ping => Ok(Reply::Pong),
        Request::RenewToken { token } => renew_token(hub, session, &token),
        Request::SendPeerMessage { peer_id, message, options } => {
            return send_peer(hub, session, &peer_id, message, options);
        }
        Request::QueryPeersOnlineStatus { peer_ids } => return query_online(hub, session, peer_ids),
        Request::SubscribePeersOnlineStatus { peer_ids } => return subscribe(hub, session, peer_ids),
        Request::UnsubscribePeersOnlineStatus { peer_ids } => unsubscribe(hub, session, peer_ids),
        Request::QueryPeersBySubscriptionOption => {
            limit(hub, session, |l| &mut l.query_subscriptions, QuerySubscriptionError::TooOften).map(|()| {
                Reply::PeerIds { peer_ids: session.state.lock().subscriptions.iter().cloned().collect() }
            })
        }
        Request::UpdateLocalUserAttributes { update } => return update_attributes(hub, session, &update),
        Request::GetUserAttributes { user_id, keys } => return get_attributes(hub, session, &user_id, keys),
        Request::JoinChannel { channel_id } => return channel_ops::join(hub, session, channel_id),
        Request::LeaveChannel { channel_id } => return channel_ops::leave(hub, session, &channel_id),
        Request::SendChannelMessage { channel_id, message } => {
            return channel_ops::send(hub, session, &channel_id, message, false);
        }
        Request::PublishChannelMessage { channel_id, message } => {
            return channel_ops::send(hub, session, &channel_id, message, true);
        }
        Request::GetMembers { channel_id } => return channel_ops::members(hub, session, &channel_id),
        Request::GetChannelMemberCount { channel_ids } => {
            return channel_ops::count(hub, session, channel_ids);
        }
        Request::QueryChannelMember { channel_id, user_id } => {
            return channel_ops::is_member(hub, session, &channel_id, &user_id);
        }
        Request::UpdateChannelAttributes { channel_id, update, notify } => {
            return channel_ops::update_attributes(hub, session, &channel_id, &update, notify);
        }
        Request::GetChannelAttributes { channel_id, keys } => {
            return channel_ops::get_attributes(hub, session, &channel_id, keys);
        }
        Request::Invitation { peer_id, invitation_id, by, signal } => {
            return super::calls::signal(hub, session, &peer_id, invitation_id, by, signal);
        }
    };
    Handled::Ready(result.unwrap_or_else(|code| Reply::Error { code }))
}

/// A request's outcome as a [`Handled`].
pub(super) fn ready(result: Result<Reply, i32>) -> Handled {
    Handled::Ready(result.unwrap_or_else(|code| Reply::Error { code }))
}

/// Takes one call from a session budget, or fails with `too_often`'s code.
pub(super) fn limit<E: RtmCode>(
    hub: &Hub,
    session: &Session,
    pick: impl FnOnce(&mut Limiters) -> &mut RateLimiter,
    too_often: E,
) -> Result<(), i32> {
    let rates = &hub.limits_of(session).rates;
    if pick(session.state.lock().limiters(rates)).try_acquire() {
        Ok(())
    } else {
        Counters::bump(&hub.inner.counters.rate_limited);
        Err(too_often.code())
    }
}

fn renew_token(hub: &Hub, session: &Arc<Session>, token: &str) -> Result<Reply, i32> {
    limit(hub, session, |l| &mut l.renew_token, RenewTokenError::TooOften)?;
    let now = unix_now().as_secs();
    let expires_at = auth::renew(&hub.inner.config, session.user_id(), token, now).map_err(|e| e.code())?;
    hub.arm_token_timer(session, expires_at, now);
    Ok(Reply::Ok)
}

fn send_peer(
    hub: &Hub,
    session: &Arc<Session>,
    peer_id: &str,
    mut message: Message,
    options: SendMessageOptions,
) -> Handled {
    let limits = hub.limits_of(session);
    if validate_id(peer_id, limits.max_id_bytes).is_err() {
        return ready(Err(PE::InvalidUserId.code()));
    }
    if !message.fits(limits) {
        return ready(Err(PE::InvalidMessage.code()));
    }
    if let Err(code) = limit(hub, session, |l| &mut l.messages, PE::TooOften) {
        return ready(Err(code));
    }
    message.id = hub.next_message_id();
    message.server_ts = unix_now().as_millis() as u64;
    let receipt = Reply::MessageSent { message_id: message.id, server_ts: message.server_ts };
    let message_id = message.id;
    let counters = &hub.inner.counters;
    let message = match hub.inner.registry.get(peer_id) {
        None => message,
        Some(peer) => {
            // With an engine the message is queued for the receiver's ledger before the push,
            // so that the receiver's confirmation (queued after it) always comes later.
            let ledger = Ledger::hold(hub, peer_id, session, &message);
            let ev = Event::PeerMessage { peer_id: session.user_id().to_owned(), message, offline: false };
            match peer.try_push(Arc::new(ev)) {
                Ok(()) if peer.is_parked() => {
                    // Held for a peer whose link broke: delivered if it resumes, else kept offline.
                    Counters::bump(&counters.peer_messages_cached);
                    return ledger.reply(Err(PE::CachedByServer.code()));
                }
                Ok(()) => {
                    Counters::bump(&counters.peer_messages_delivered);
                    return ledger.reply(Ok(receipt));
                }
                Err((Push::Full, _)) => {
                    // Never acknowledge what the receiver will not get.
                    Counters::bump(&counters.inbox_full_drops);
                    ledger.undo(hub, peer_id, message_id);
                    return ready(Err(PE::Failure.code()));
                }
                // The session ended between the lookup and the push: the peer is offline now.
                Err((_, ev)) => {
                    ledger.undo(hub, peer_id, message_id);
                    match Arc::unwrap_or_clone(ev) {
                        Event::PeerMessage { message, .. } => message,
                        _ => return ready(Err(PE::Failure.code())),
                    }
                }
            }
        }
    };
    // Not held here: with an engine the peer may be on another node.
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let offline = options.enable_offline_messaging;
        return Handled::Pending(engine.send_peer(session.user_id(), peer_id, message, offline, receipt));
    }
    ready(offline_path(hub, session, peer_id, message, options))
}

/// The write of a ledger entry, under way.
#[cfg(feature = "redis")]
type Writing = std::pin::Pin<Box<dyn Future<Output = Result<(), super::engine::Failed>> + Send>>;

/// A peer message's entry in its receiver's ledger in Redis, when the hub has an engine.
struct Ledger {
    #[cfg(feature = "redis")]
    written: Option<Writing>,
}

impl Ledger {
    /// Queues the message for `to`'s ledger (nothing without an engine).
    fn hold(hub: &Hub, to: &str, from: &Session, message: &Message) -> Self {
        #[cfg(feature = "redis")]
        return Self {
            written: hub.engine().map(|e| Box::pin(e.hold(to, from.user_id(), message)) as Writing),
        };
        #[cfg(not(feature = "redis"))]
        {
            let _ = (hub, to, from, message);
            Self {}
        }
    }

    /// The reply, once the ledger has the message (so that the receipt outlives this node).
    fn reply(self, reply: Result<Reply, i32>) -> Handled {
        #[cfg(feature = "redis")]
        if let Some(written) = self.written {
            return Handled::Pending(Box::pin(async move {
                match written.await {
                    Ok(()) => reply.unwrap_or_else(|code| Reply::Error { code }),
                    Err(super::engine::Failed::Timeout) => Reply::Error { code: PE::Timeout.code() },
                    Err(_) => Reply::Error { code: PE::Failure.code() },
                }
            }));
        }
        ready(reply)
    }

    /// The push was refused: the entry is taken out again.
    fn undo(self, hub: &Hub, to: &str, id: u64) {
        #[cfg(feature = "redis")]
        if let (Some(_), Some(engine)) = (self.written, hub.engine()) {
            engine.delivered(to, &id.to_string());
        }
        let _ = (hub, to, id);
    }
}

fn offline_path(
    hub: &Hub,
    session: &Session,
    peer_id: &str,
    message: Message,
    options: SendMessageOptions,
) -> Result<Reply, i32> {
    let counters = &hub.inner.counters;
    if options.enable_offline_messaging && hub.inner.offline.store(peer_id, session.user_id(), message) {
        Counters::bump(&counters.peer_messages_cached);
        return Err(PE::CachedByServer.code());
    }
    Counters::bump(&counters.peer_messages_unreachable);
    Err(PE::PeerUnreachable.code())
}

fn query_online(hub: &Hub, session: &Session, peer_ids: Vec<String>) -> Handled {
    let limits = hub.limits_of(session);
    if peer_ids.is_empty()
        || peer_ids.len() > limits.max_query_peers
        || peer_ids.iter().any(|p| validate_id(p, limits.max_id_bytes).is_err())
    {
        return ready(Err(QE::InvalidArgument.code()));
    }
    if let Err(code) = limit(hub, session, |l| &mut l.query_online, QE::TooOften) {
        return ready(Err(code));
    }
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine()
        && !peer_ids.iter().all(|p| hub.is_online(p))
    {
        let states = engine.online(peer_ids);
        return Handled::Pending(Box::pin(async move {
            match states.await {
                Ok(statuses) => Reply::PeerStatuses { statuses },
                Err(super::engine::Failed::Timeout) => Reply::Error { code: QE::Timeout.code() },
                Err(_) => Reply::Error { code: QE::Failure.code() },
            }
        }));
    }
    let statuses = current_states(hub, peer_ids);
    ready(Ok(Reply::PeerStatuses { statuses }))
}

/// The current online state of each peer, in the given order.
fn current_states(hub: &Hub, peer_ids: Vec<String>) -> Vec<PeerStatus> {
    peer_ids
        .into_iter()
        .map(|peer_id| {
            let state =
                if hub.is_online(&peer_id) { PeerOnlineState::Online } else { PeerOnlineState::Offline };
            PeerStatus { peer_id, state }
        })
        .collect()
}

fn check_peer_list(hub: &Hub, session: &Session, peer_ids: &[String]) -> Result<(), i32> {
    let max = hub.limits_of(session).max_id_bytes;
    if peer_ids.is_empty() || peer_ids.iter().any(|p| validate_id(p, max).is_err()) {
        return Err(SE::InvalidArgument.code());
    }
    Ok(())
}

fn subscribe(hub: &Hub, session: &Arc<Session>, peer_ids: Vec<String>) -> Handled {
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine()
        && !peer_ids.iter().all(|p| hub.is_online(p))
    {
        // Changes that reach this node while the first states are read wait behind them.
        hub.inner.watchers.hold(session, &peer_ids);
        let peer_ids = match watch(hub, session, peer_ids.clone()) {
            Ok(watched) => watched,
            Err(code) => {
                hub.inner.watchers.unhold(session, &peer_ids);
                return ready(Err(code));
            }
        };
        let states = engine.online(peer_ids.clone());
        let (hub, session) = (hub.clone(), session.clone());
        // Run to the end even if nobody waits for the reply: the held changes are let go.
        let work = async move {
            let watchers = &hub.inner.watchers;
            let failed = match states.await {
                Ok(statuses) => {
                    watchers.release(&session, statuses, &hub.inner.counters.inbox_full_drops);
                    return Reply::Ok;
                }
                Err(super::engine::Failed::Timeout) => SE::Timeout.code(),
                Err(_) => SE::Failure.code(),
            };
            watchers.unhold(&session, &peer_ids);
            Reply::Error { code: failed }
        };
        return Handled::detached(work, SE::Failure.code());
    }
    match watch(hub, session, peer_ids) {
        Err(code) => ready(Err(code)),
        Ok(peer_ids) => {
            let statuses = current_states(hub, peer_ids);
            Handled::Ready(ready_statuses(hub, session, statuses))
        }
    }
}

/// Tells a new subscriber the current states of the peers it subscribed to.
fn ready_statuses(hub: &Hub, session: &Session, statuses: Vec<PeerStatus>) -> Reply {
    if session.push(Arc::new(Event::PeersOnlineStatusChanged { statuses })) == Push::Full {
        Counters::bump(&hub.inner.counters.inbox_full_drops);
    }
    Reply::Ok
}

/// Adds peers to a session's subscriptions; the sorted, deduplicated list.
fn watch(hub: &Hub, session: &Arc<Session>, mut peer_ids: Vec<String>) -> Result<Vec<String>, i32> {
    check_peer_list(hub, session, &peer_ids)?;
    limit(hub, session, |l| &mut l.subscribe, SE::TooOften)?;
    peer_ids.sort();
    peer_ids.dedup();
    {
        let mut st = session.state.lock();
        let added = peer_ids.iter().filter(|p| !st.subscriptions.contains(*p)).count();
        if st.subscriptions.len() + added > hub.limits_of(session).max_subscriptions {
            return Err(SE::Overflow.code());
        }
        st.subscriptions.extend(peer_ids.iter().cloned());
    }
    hub.inner.watchers.watch(session, &peer_ids);
    if session.is_closed() {
        // The session ended meanwhile; its close may have missed these entries.
        hub.inner.watchers.unwatch(session, &peer_ids);
        return Err(SE::NotLoggedIn.code());
    }
    Ok(peer_ids)
}

fn unsubscribe(hub: &Hub, session: &Arc<Session>, peer_ids: Vec<String>) -> Result<Reply, i32> {
    check_peer_list(hub, session, &peer_ids)?;
    if peer_ids.len() > hub.limits_of(session).max_subscriptions {
        return Err(SE::InvalidArgument.code());
    }
    limit(hub, session, |l| &mut l.unsubscribe, SE::TooOften)?;
    let removed: Vec<String> = {
        let mut st = session.state.lock();
        peer_ids.into_iter().filter(|p| st.subscriptions.remove(p)).collect()
    };
    hub.inner.watchers.unwatch(session, &removed);
    Ok(Reply::Ok)
}

fn update_attributes(hub: &Hub, session: &Session, update: &AttributeUpdate) -> Handled {
    if let Err(code) = limit(hub, session, |l| &mut l.set_user_attributes, AE::TooOften) {
        return ready(Err(code));
    }
    let limits = hub.limits_of(session);
    let mut st = session.state.lock();
    if let Err(e) = st.attributes.apply(update, limits, limits.max_user_attributes_bytes) {
        return ready(Err(e.code()));
    }
    // With an engine the other nodes read them from Redis: answered once Redis has them.
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let written = engine.write_attributes(session, st.attributes.all());
        return Handled::Pending(Box::pin(async move {
            match written.await {
                Ok(()) => Reply::Ok,
                Err(super::engine::Failed::Timeout) => Reply::Error { code: AE::Timeout.code() },
                Err(_) => Reply::Error { code: AE::Failure.code() },
            }
        }));
    }
    ready(Ok(Reply::Ok))
}

fn get_attributes(hub: &Hub, session: &Session, user_id: &str, keys: Option<Vec<String>>) -> Handled {
    let limits = hub.limits_of(session);
    if validate_id(user_id, limits.max_id_bytes).is_err() {
        return ready(Err(AE::InvalidArgument.code()));
    }
    if let Some(k) = &keys {
        if k.is_empty() || k.len() > limits.max_attributes {
            return ready(Err(AE::InvalidArgument.code()));
        }
        if let Err(e) = validate_keys(k, limits) {
            return ready(Err(e.code()));
        }
    }
    if let Err(code) = limit(hub, session, |l| &mut l.get_user_attributes, AE::TooOften) {
        return ready(Err(code));
    }
    let pick = move |all: &[Attribute]| match &keys {
        None => all.to_vec(),
        Some(k) => all.iter().filter(|a| k.contains(&a.key)).cloned().collect(),
    };
    match hub.inner.registry.get(user_id) {
        Some(target) => {
            let attributes = pick(target.state.lock().attributes.all());
            ready(Ok(Reply::Attributes { attributes }))
        }
        // Held by another node, if online anywhere.
        #[cfg(feature = "redis")]
        None if hub.engine().is_some() => {
            let Some(engine) = hub.engine() else { return ready(Err(AE::Failure.code())) };
            let read = engine.read_attributes(user_id);
            Handled::Pending(Box::pin(async move {
                match read.await {
                    Ok(Some(all)) => Reply::Attributes { attributes: pick(&all) },
                    Ok(None) => Reply::Error { code: AE::UserNotFound.code() },
                    Err(super::engine::Failed::Timeout) => Reply::Error { code: AE::Timeout.code() },
                    Err(_) => Reply::Error { code: AE::Failure.code() },
                }
            }))
        }
        None => ready(Err(AE::UserNotFound.code())),
    }
}
