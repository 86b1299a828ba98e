//! Request handlers for channels.

use std::sync::Arc;

use super::channels::Everywhere;
use super::ops::limit;
use super::ops::ready;
use super::session::Session;
use super::stats::Counters;
use super::{Handled, Hub, unix_now};
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

pub(super) fn join(hub: &Hub, session: &Arc<Session>, channel_id: String) -> Handled {
    let result = join_here(hub, session, &channel_id);
    #[cfg(feature = "redis")]
    if let (Ok(_), Some(engine)) = (&result, hub.engine()) {
        // Listed for the other nodes before the join is answered.
        let joined = engine.join_channel(&channel_id, session.user_id());
        let (hub, session) = (hub.clone(), session.clone());
        // Run to the end even if the client goes: a join Redis did not take is undone here.
        let work = async move {
            match joined.await {
                Ok(count) => {
                    if let Some(c) = hub.inner.channels.get(&channel_id) {
                        c.joined_everywhere(&hub, &session, count);
                    }
                    Reply::Ok
                }
                Err(failed) => {
                    // Not listed elsewhere: the join is undone here too.
                    let _ = leave_here(&hub, &session, &channel_id);
                    Reply::Error { code: failed_code(&failed, JE::Timeout.code(), JE::Failure.code()) }
                }
            }
        };
        return Handled::detached(work, JE::Failure.code());
    }
    ready(result)
}

fn join_here(hub: &Hub, session: &Arc<Session>, channel_id: &str) -> Result<Reply, i32> {
    if !valid_channel(hub, session, channel_id) {
        return Err(JE::InvalidArgument.code());
    }
    {
        let mut st = session.state.lock();
        if st.channels.contains(channel_id) {
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
        st.limiters(rates).recent_joins.push_back((channel_id.to_owned(), tokio::time::Instant::now()));
        st.channels.insert(channel_id.to_owned());
    }
    hub.inner.channels.with(channel_id, |c| c.join(hub, session));
    Ok(Reply::Ok)
}

pub(super) fn leave(hub: &Hub, session: &Session, channel_id: &str) -> Handled {
    match leave_here(hub, session, channel_id) {
        Err(code) => ready(Err(code)),
        // With an engine, answered once Redis has the leave (whatever it answered: the member
        // is out here either way), so that no node lists a member whose leave was acknowledged.
        Ok(Some(everywhere)) => Handled::Pending(Box::pin(async move {
            everywhere.await;
            Reply::Ok
        })),
        Ok(None) => ready(Ok(Reply::Ok)),
    }
}

/// Takes the session out of the channel on this hub; what the leave still waits for elsewhere.
fn leave_here(hub: &Hub, session: &Session, channel_id: &str) -> Result<Everywhere, i32> {
    if !session.state.lock().channels.remove(channel_id) {
        return Err(LE::NotInChannel.code());
    }
    Ok(hub.inner.channels.get(channel_id).and_then(|c| c.leave(hub, session)).flatten())
}

/// Takes the session out of every channel it joined (logout, kick, end of a link); the other
/// members see it leave once.
pub(super) fn leave_all(hub: &Hub, session: &Session) {
    let channels = std::mem::take(&mut session.state.lock().channels);
    for id in channels {
        if let Some(c) = hub.inner.channels.get(&id) {
            // Nobody waits for Redis here: the stream keeps the leaves in order.
            let _ = c.leave(hub, session);
        }
    }
}

pub(super) fn send(hub: &Hub, session: &Session, channel_id: &str, message: Message, force: bool) -> Handled {
    let result = send_here(hub, session, channel_id, message, force);
    #[cfg(feature = "redis")]
    if let (Ok((_, Some(message))), Some(engine)) = (&result, hub.engine()) {
        // Acknowledged once Redis has it for the members on the other nodes.
        let published = engine.publish_channel(channel_id, session.user_id(), message);
        return Handled::Pending(Box::pin(async move {
            match published.await {
                Ok(()) => Reply::Ok,
                Err(failed) => {
                    Reply::Error { code: failed_code(&failed, ME::Timeout.code(), ME::Failure.code()) }
                }
            }
        }));
    }
    ready(result.map(|(reply, _)| reply))
}

/// Checks a channel message and fans it out to this hub's members; the message as sent when it
/// was, for the members elsewhere.
fn send_here(
    hub: &Hub,
    session: &Session,
    channel_id: &str,
    message: Message,
    force: bool,
) -> Result<(Reply, Option<Message>), i32> {
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
    // With an engine the members elsewhere get it too: a copy for them.
    let elsewhere = hub.has_engine().then(|| message.clone());
    if let Some(c) = channel {
        let ev = Arc::new(Event::ChannelMessage {
            channel_id: channel_id.to_owned(),
            peer_id: session.user_id().to_owned(),
            message,
            encoded: Default::default(),
        });
        c.publish(&ev, Some(session.user_id()), &hub.inner.counters);
    }
    Ok((Reply::Ok, elsewhere))
}

pub(super) fn members(hub: &Hub, session: &Session, channel_id: &str) -> Handled {
    if !session.state.lock().channels.contains(channel_id) {
        return ready(Err(GE::NotInChannel.code()));
    }
    if let Err(code) = limit(hub, session, |l| &mut l.get_members, GE::TooOften) {
        return ready(Err(code));
    }
    let max = hub.limits_of(session).max_members_listed;
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let listed = engine.channel_members(channel_id, max);
        return Handled::Pending(Box::pin(async move {
            match listed.await {
                Ok(user_ids) => Reply::Members { user_ids },
                Err(failed) => {
                    Reply::Error { code: failed_code(&failed, GE::Timeout.code(), GE::Failure.code()) }
                }
            }
        }));
    }
    let user_ids = hub.inner.channels.get(channel_id).map(|c| c.members(max)).unwrap_or_default();
    ready(Ok(Reply::Members { user_ids }))
}

pub(super) fn count(hub: &Hub, session: &Session, channel_ids: Vec<String>) -> Handled {
    if channel_ids.len() > hub.limits_of(session).max_channel_ids {
        return ready(Err(CE::ExceedLimit.code()));
    }
    if channel_ids.is_empty() || channel_ids.iter().any(|c| !valid_channel(hub, session, c)) {
        return ready(Err(CE::InvalidArgument.code()));
    }
    if let Err(code) = limit(hub, session, |l| &mut l.channel_member_count, CE::TooOften) {
        return ready(Err(code));
    }
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let counted = engine.channel_counts(&channel_ids);
        return Handled::Pending(Box::pin(async move {
            match counted.await {
                Ok(counts) => Reply::MemberCounts {
                    counts: channel_ids
                        .into_iter()
                        .zip(counts)
                        .map(|(channel_id, count)| ChannelMemberCount { channel_id, count })
                        .collect(),
                },
                Err(failed) => {
                    Reply::Error { code: failed_code(&failed, CE::Timeout.code(), CE::Failure.code()) }
                }
            }
        }));
    }
    let counts = channel_ids
        .into_iter()
        .map(|channel_id| {
            let count = hub.inner.channels.get(&channel_id).map_or(0, |c| c.member_count());
            ChannelMemberCount { channel_id, count }
        })
        .collect();
    ready(Ok(Reply::MemberCounts { counts }))
}

/// Whether `user_id` is in the channel; counted against the member-list budget.
pub(super) fn is_member(hub: &Hub, session: &Session, channel_id: &str, user_id: &str) -> Handled {
    let max = hub.limits_of(session).max_id_bytes;
    if validate_id(channel_id, max).is_err() || validate_id(user_id, max).is_err() {
        return ready(Err(CE::InvalidArgument.code()));
    }
    if let Err(code) = limit(hub, session, |l| &mut l.get_members, CE::TooOften) {
        return ready(Err(code));
    }
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let member = engine.channel_has(channel_id, user_id);
        return Handled::Pending(Box::pin(async move {
            match member.await {
                Ok(is_member) => Reply::IsMember { is_member },
                Err(failed) => {
                    Reply::Error { code: failed_code(&failed, CE::Timeout.code(), CE::Failure.code()) }
                }
            }
        }));
    }
    let is_member = hub.inner.channels.get(channel_id).is_some_and(|c| c.is_member(user_id));
    ready(Ok(Reply::IsMember { is_member }))
}

/// The code for an engine call without a result: the operation's timeout or its failure.
#[cfg(feature = "redis")]
fn failed_code(failed: &super::engine::Failed, timeout: i32, failure: i32) -> i32 {
    if *failed == super::engine::Failed::Timeout { timeout } else { failure }
}

pub(super) fn update_attributes(
    hub: &Hub,
    session: &Session,
    channel_id: &str,
    update: &AttributeUpdate,
    notify: bool,
) -> Handled {
    if !valid_channel(hub, session, channel_id) {
        return ready(Err(AE::InvalidArgument.code()));
    }
    if let Err(code) = limit(hub, session, |l| &mut l.set_channel_attributes, AE::TooOften) {
        return ready(Err(code));
    }
    // With an engine the set is in Redis, for every node.
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let limits = *hub.limits_of(session);
        let updated =
            engine.update_channel_attributes(channel_id, session.user_id(), update.clone(), limits, notify);
        // Run to the end even if the client goes: a set written to Redis is told to the members.
        let work = async move {
            match updated.await {
                Ok(()) => Reply::Ok,
                Err(super::engine::UpdateFailed::Refused(e)) => Reply::Error { code: e.code() },
                Err(super::engine::UpdateFailed::Engine(failed)) => {
                    Reply::Error { code: failed_code(&failed, AE::Timeout.code(), AE::Failure.code()) }
                }
            }
        };
        return Handled::detached(work, AE::Failure.code());
    }
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
            return ready(Err(e.code()));
        }
    }
    ready(Ok(Reply::Ok))
}

pub(super) fn get_attributes(
    hub: &Hub,
    session: &Session,
    channel_id: &str,
    keys: Option<Vec<String>>,
) -> Handled {
    let limits = hub.limits_of(session);
    if !valid_channel(hub, session, channel_id) {
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
    if let Err(code) = limit(hub, session, |l| &mut l.get_channel_attributes, AE::TooOften) {
        return ready(Err(code));
    }
    #[cfg(feature = "redis")]
    if let Some(engine) = hub.engine() {
        let read = engine.channel_attributes(channel_id);
        return Handled::Pending(Box::pin(async move {
            match read.await {
                Ok(all) => Reply::ChannelAttributes {
                    attributes: all
                        .into_iter()
                        .filter(|a| keys.as_ref().is_none_or(|k| k.contains(&a.key)))
                        .collect(),
                },
                Err(failed) => {
                    Reply::Error { code: failed_code(&failed, AE::Timeout.code(), AE::Failure.code()) }
                }
            }
        }));
    }
    let attributes =
        hub.inner.channels.get(channel_id).map(|c| c.attributes(keys.as_deref())).unwrap_or_default();
    ready(Ok(Reply::ChannelAttributes { attributes }))
}
