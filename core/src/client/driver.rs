//! The task that owns a client's inbound side: events, kicks and reconnects.

use std::sync::Arc;

use tokio::time::Instant;

use super::{ClientEvent, ConnectionChangeReason as R, ConnectionState as S, Shared};
use crate::attributes::AttributeUpdate;
use crate::channel::ChannelEvent;
use crate::error::LoginError;
use crate::protocol::CloseReason;
use crate::protocol::{Event, KickReason, Reply, Request};
use crate::transport::{Inbox, Transport};

/// Reads the inbox of the link opened by login `epoch` until the session ends.
pub(super) async fn run(s: Arc<Shared>, mut inbox: Box<dyn Inbox>, epoch: u64) {
    loop {
        let reason = match inbox.recv().await.into_event() {
            Ok(ev) => match deliver(&s, ev).await {
                None => continue,
                Some(reason) => reason,
            },
            Err(reason) => reason,
        };
        match on_closed(&s, reason, epoch).await {
            Some(next) => inbox = next,
            None => return,
        }
    }
}

/// Turns one pushed event into a client event; a kick frame is handed back as a close reason.
async fn deliver(s: &Arc<Shared>, ev: Event) -> Option<CloseReason> {
    let event = match ev {
        Event::PeerMessage { peer_id, message, offline } => {
            ClientEvent::MessageFromPeer { peer_id, message, is_offline: offline }
        }
        Event::PeersOnlineStatusChanged { statuses } => ClientEvent::PeersOnlineStatusChanged { statuses },
        Event::TokenPrivilegeWillExpire => ClientEvent::TokenPrivilegeWillExpire,
        Event::Kicked { reason } => return Some(CloseReason::Kicked(reason)),
        Event::ChannelMessage { channel_id, peer_id, message, .. } => {
            return to_channel(s, channel_id, ChannelEvent::MessageReceived { peer_id, message }).await;
        }
        Event::MemberJoined { channel_id, user_id } => {
            return to_channel(s, channel_id, ChannelEvent::MemberJoined(user_id)).await;
        }
        Event::MemberLeft { channel_id, user_id } => {
            return to_channel(s, channel_id, ChannelEvent::MemberLeft(user_id)).await;
        }
        Event::MemberCountUpdated { channel_id, count } => {
            return to_channel(s, channel_id, ChannelEvent::MemberCountUpdated(count)).await;
        }
        Event::ChannelAttributesUpdated { channel_id, attributes, cleared } => {
            let ev = ChannelEvent::AttributesUpdated { attributes, cleared };
            return to_channel(s, channel_id, ev).await;
        }
        Event::Invitation { peer_id, invitation_id, by, signal } => {
            s.calls.on_signal(s, &peer_id, invitation_id, by, signal).await;
            return None;
        }
    };
    if let Some(p) = s.permit().await {
        p.send(event);
    }
    None
}

/// Hands a channel event to that channel's stream (dropped when nobody holds one).
async fn to_channel(s: &Shared, channel_id: String, event: ChannelEvent) -> Option<CloseReason> {
    let tx = s.channel_events.lock().get(&channel_id).cloned();
    if let Some(tx) = tx
        && tx.send(event).await.is_err()
    {
        s.channel_events.lock().remove(&channel_id);
    }
    None
}

/// Reports the end of a link; returns the next inbox when a reconnect succeeded.
async fn on_closed(s: &Arc<Shared>, reason: CloseReason, epoch: u64) -> Option<Box<dyn Inbox>> {
    let (state, why) = match reason {
        CloseReason::Kicked(KickReason::RemoteLogin) => (S::Aborted, R::RemoteLogin),
        CloseReason::Kicked(KickReason::TokenExpired) => (S::Aborted, R::TokenExpired),
        CloseReason::Kicked(KickReason::Banned) => (S::Aborted, R::BannedByServer),
        CloseReason::LoggedOut => (S::Disconnected, R::Logout),
        CloseReason::LinkLost => (S::Reconnecting, R::Interrupted),
    };
    if why == R::TokenExpired
        && let Some(p) = s.permit().await
    {
        p.send(ClientEvent::TokenExpired);
    }
    let permit = s.permit().await;
    {
        let mut c = s.conn.lock();
        if c.epoch != epoch {
            return None;
        }
        if let Some(link) = c.link.take() {
            link.close();
        }
        s.set_state(&mut c, permit, state, why);
    }
    if state == S::Reconnecting {
        reconnect(s, epoch).await
    } else {
        s.calls.session_ended(false);
        None
    }
}

/// Logs in again with the last credentials until it works or the policy gives up.
async fn reconnect(s: &Arc<Shared>, epoch: u64) -> Option<Box<dyn Inbox>> {
    let policy = s.reconnect;
    let started = Instant::now();
    let mut backoff = policy.initial_backoff;
    let mut attempts = 0u32;
    loop {
        let out_of_attempts = policy.max_attempts.is_some_and(|m| attempts >= m);
        let out_of_time = policy.max_duration.is_some_and(|d| started.elapsed() + backoff > d);
        if out_of_attempts || out_of_time {
            return give_up(s, epoch, S::Disconnected, R::Interrupted).await;
        }
        tokio::time::sleep(backoff).await;
        attempts += 1;
        let login = s.conn.lock().login.clone()?;
        let result = tokio::time::timeout(s.login_timeout, s.connector.connect(login)).await;
        match result {
            Ok(Ok(link)) => {
                if !link.resumed {
                    // A new session: the hub ended the old one with its invitations.
                    s.calls.session_ended(true);
                    resync(s, &*link.transport).await;
                }
                let permit = s.permit().await;
                let mut c = s.conn.lock();
                if c.epoch != epoch {
                    link.transport.close();
                    return None;
                }
                s.adopt_sizes(link.sizes);
                c.link = Some(link.transport);
                s.set_state(&mut c, permit, S::Connected, R::LoginSuccess);
                return Some(link.inbox);
            }
            Ok(Err(e)) if e.kind() == LoginError::TokenExpired => {
                if let Some(p) = s.permit().await {
                    p.send(ClientEvent::TokenExpired);
                }
                return give_up(s, epoch, S::Aborted, R::TokenExpired).await;
            }
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    LoginError::InvalidToken | LoginError::InvalidAppId | LoginError::InvalidArgument
                ) =>
            {
                tracing::warn!(error = %e, "reconnect refused; the client gives up");
                return give_up(s, epoch, S::Aborted, R::LoginFailure).await;
            }
            Ok(Err(e)) => {
                let cause = std::error::Error::source(&e).map(ToString::to_string);
                tracing::debug!(error = %e, cause, ?backoff, "reconnect failed; trying again");
                backoff = (backoff * 2).min(policy.max_backoff);
            }
            Err(_) => {
                tracing::debug!(?backoff, "reconnect timed out; trying again");
                backoff = (backoff * 2).min(policy.max_backoff);
            }
        }
    }
}

/// Sets the new session up as the lost one was: the local user's attributes and the presence
/// subscriptions (the hub dropped both with the link). Failures are logged; the session stays.
/// The re-subscription reports the current state of every subscribed peer, a superset of RTM's
/// "the peers whose state changed meanwhile".
async fn resync(s: &Shared, link: &dyn Transport) {
    let restore = s.conn.lock().restore.clone();
    let mut requests = Vec::new();
    if !restore.attributes.is_empty() {
        let update = AttributeUpdate::Set { attributes: restore.attributes };
        requests.push(Request::UpdateLocalUserAttributes { update });
    }
    if !restore.subscriptions.is_empty() {
        let peer_ids = restore.subscriptions.into_iter().collect();
        requests.push(Request::SubscribePeersOnlineStatus { peer_ids });
    }
    for channel_id in restore.channels {
        requests.push(Request::JoinChannel { channel_id });
    }
    for request in requests {
        match tokio::time::timeout(s.request_timeout, link.request(request)).await {
            Ok(Ok(Reply::Error { code })) => tracing::warn!(code, "re-sync after reconnect refused"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "re-sync after reconnect failed"),
            Err(_) => tracing::warn!("re-sync after reconnect timed out"),
        }
    }
}

async fn give_up(s: &Shared, epoch: u64, state: S, why: R) -> Option<Box<dyn Inbox>> {
    let permit = s.permit().await;
    let mut c = s.conn.lock();
    if c.epoch == epoch {
        s.set_state(&mut c, permit, state, why);
        drop(c);
        s.calls.session_ended(false);
    }
    None
}
