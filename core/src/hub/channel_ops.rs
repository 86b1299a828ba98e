//! Request handlers for channels.

use std::sync::Arc;

use super::ops::limit;
use super::session::Session;
use super::stats::Counters;
use super::{Hub, unix_now};
use crate::attributes::{AttributeUpdate, validate_keys};
use crate::error::{
    AttributeError as AE, ChannelMemberCountError as CE, ChannelMessageError as ME, GetMembersError as GE,
    JoinChannelError as JE, LeaveChannelError as LE, RtmCode,
};
use crate::limits::validate_id;
use crate::message::Message;
use crate::protocol::{ChannelMemberCount, Event, Reply};

fn valid_channel(hub: &Hub, session: &Session, id: &str) -> bool {
    validate_id(id, hub.limits_of(session).max_id_bytes).is_ok()
}

pub(super) fn join(hub: &Hub, session: &Arc<Session>, channel_id: String) -> Result<Reply, i32> {
    if !valid_channel(hub, session, &channel_id) {
        return Err(JE::InvalidArgument.code());
    }
    {
        let mut st = session.state.lock();
        if st.channels.contains(&channel_id) {
            return Err(JE::AlreadyJoined.code());
        }
        if st.channels.len() >= hub.limits_of(session).max_joined_channels {
            return Err(JE::ExceedLimit.code());
        }
        // The same-channel budget: joins of this channel within the window.
        let limiters = st.limiters(&hub.limits_of(session).rates);
        let same = limiters.join_same_channel;
        let now = tokio::time::Instant::now();
        let recent = &mut limiters.recent_joins;
        recent.retain(|(_, at)| now.duration_since(*at) < same.per);
        if !same.per.is_zero()
            && recent.iter().filter(|(c, _)| *c == channel_id).count() >= same.count as usize
        {
            Counters::bump(&hub.inner.counters.rate_limited);
            return Err(JE::JoinSameChannelTooOften.code());
        }
    }
    limit(hub, session, |l| &mut l.join, JE::TooOften)?;
    {
        let mut st = session.state.lock();
        let rates = &hub.limits_of(session).rates;
        st.limiters(rates).recent_joins.push_back((channel_id.clone(), tokio::time::Instant::now()));
        st.channels.insert(channel_id.clone());
    }
    hub.inner.channels.with(&channel_id, |c| c.join(hub, session));
    Ok(Reply::Ok)
}

pub(super) fn leave(hub: &Hub, session: &Session, channel_id: &str) -> Result<Reply, i32> {
    if !session.state.lock().channels.remove(channel_id) {
        return Err(LE::NotInChannel.code());
    }
    if let Some(c) = hub.inner.channels.get(channel_id) {
        c.leave(hub, session);
    }
    Ok(Reply::Ok)
}

/// Takes the session out of every channel it joined (logout, kick, end of a link); the other
/// members see it leave once.
pub(super) fn leave_all(hub: &Hub, session: &Session) {
    let channels = std::mem::take(&mut session.state.lock().channels);
    for id in channels {
        if let Some(c) = hub.inner.channels.get(&id) {
            c.leave(hub, session);
        }
    }
}

pub(super) fn send(
    hub: &Hub,
    session: &Session,
    channel_id: &str,
    message: Message,
    force: bool,
) -> Result<Reply, i32> {
    let limits = hub.limits_of(session);
    if !valid_channel(hub, session, channel_id) {
        return Err(ME::Failure.code());
    }
    if !message.fits(limits) {
        return Err(ME::InvalidMessage.code());
    }
    let joined = session.state.lock().channels.contains(channel_id);
    let may_publish = joined || (force && hub.inner.config.allow_publish_without_join);
    if !may_publish {
        return Err(ME::NotInChannel.code());
    }
    // The sender's own budget first: a sender past its budget must not use up the channel's,
    // which the other members share (a message the channel refuses still counts for its sender).
    limit(hub, session, |l| &mut l.messages, ME::TooOften)?;
    let channel = hub.inner.channels.get(channel_id);
    let rate = limits.rates.channel_messages;
    if channel.as_ref().is_some_and(|c| !c.admit_message(session.profile(), rate)) {
        Counters::bump(&hub.inner.counters.rate_limited);
        return Err(ME::TooOften.code());
    }
    Counters::bump(&hub.inner.counters.channel_messages);
    let mut message = message;
    message.id = hub.next_message_id();
    message.server_ts = unix_now().as_millis() as u64;
    if let Some(c) = channel {
        let ev = Arc::new(Event::ChannelMessage {
            channel_id: channel_id.to_owned(),
            peer_id: session.user_id().to_owned(),
            message,
            encoded: Default::default(),
        });
        c.publish(&ev, Some(session.user_id()), &hub.inner.counters);
    }
    Ok(Reply::Ok)
}

pub(super) fn members(hub: &Hub, session: &Session, channel_id: &str) -> Result<Reply, i32> {
    if !session.state.lock().channels.contains(channel_id) {
        return Err(GE::NotInChannel.code());
    }
    limit(hub, session, |l| &mut l.get_members, GE::TooOften)?;
    let max = hub.limits_of(session).max_members_listed;
    let user_ids = hub.inner.channels.get(channel_id).map(|c| c.members(max)).unwrap_or_default();
    Ok(Reply::Members { user_ids })
}

pub(super) fn count(hub: &Hub, session: &Session, channel_ids: Vec<String>) -> Result<Reply, i32> {
    if channel_ids.len() > hub.limits_of(session).max_channel_ids {
        return Err(CE::ExceedLimit.code());
    }
    if channel_ids.is_empty() || channel_ids.iter().any(|c| !valid_channel(hub, session, c)) {
        return Err(CE::InvalidArgument.code());
    }
    limit(hub, session, |l| &mut l.channel_member_count, CE::TooOften)?;
    let counts = channel_ids
        .into_iter()
        .map(|channel_id| {
            let count = hub.inner.channels.get(&channel_id).map_or(0, |c| c.member_count());
            ChannelMemberCount { channel_id, count }
        })
        .collect();
    Ok(Reply::MemberCounts { counts })
}

/// Whether `user_id` is in the channel; counted against the member-list budget.
pub(super) fn is_member(hub: &Hub, session: &Session, channel_id: &str, user_id: &str) -> Result<Reply, i32> {
    let max = hub.limits_of(session).max_id_bytes;
    if validate_id(channel_id, max).is_err() || validate_id(user_id, max).is_err() {
        return Err(CE::InvalidArgument.code());
    }
    limit(hub, session, |l| &mut l.get_members, CE::TooOften)?;
    let is_member = hub.inner.channels.get(channel_id).is_some_and(|c| c.is_member(user_id));
    Ok(Reply::IsMember { is_member })
}

pub(super) fn update_attributes(
    hub: &Hub,
    session: &Session,
    channel_id: &str,
    update: &AttributeUpdate,
    notify: bool,
) -> Result<Reply, i32> {
    if !valid_channel(hub, session, channel_id) {
        return Err(AE::InvalidArgument.code());
    }
    limit(hub, session, |l| &mut l.set_channel_attributes, AE::TooOften)?;
    let now = unix_now().as_millis() as u64;
    let (channel, empty) = hub
        .inner
        .channels
        .with(channel_id, |c| (c.clone(), c.update_attributes(hub, session, update, notify, now)));
    match empty {
        Ok(true) => channel.schedule_expiry(hub),
        Ok(false) => {}
        Err(e) => {
            // A refused update must not leave behind the unused channel it created.
            hub.inner.channels.remove_if_unused(&channel);
            return Err(e.code());
        }
    }
    Ok(Reply::Ok)
}

pub(super) fn get_attributes(
    hub: &Hub,
    session: &Session,
    channel_id: &str,
    keys: Option<Vec<String>>,
) -> Result<Reply, i32> {
    let limits = hub.limits_of(session);
    if !valid_channel(hub, session, channel_id) {
        return Err(AE::InvalidArgument.code());
    }
    if let Some(k) = &keys {
        if k.is_empty() || k.len() > limits.max_attributes {
            return Err(AE::InvalidArgument.code());
        }
        validate_keys(k, limits).map_err(|e| e.code())?;
    }
    limit(hub, session, |l| &mut l.get_channel_attributes, AE::TooOften)?;
    let attributes =
        hub.inner.channels.get(channel_id).map(|c| c.attributes(keys.as_deref())).unwrap_or_default();
    Ok(Reply::ChannelAttributes { attributes })
}
