//! Channels: members, fan-out, member events and counts, channel attributes.
//!
//! A channel exists while it has members or attributes. Fan-out builds the event once and pushes
//! the same `Arc` into every other member's inbox under the channel's lock (pushes never wait). A
//! member whose inbox is full misses that message; the drop is counted (channel messages are
//! acknowledged when the server has them, as in RTM).

use std::collections::HashMap;
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use tokio::time::Instant;

use super::session::{Push, Session};
use super::stats::Counters;
use super::{Hub, HubInner};
use crate::attributes::{Attribute, AttributeSet, AttributeUpdate, ChannelAttribute};
use crate::limits::{Profile, RateLimit, RateLimiter};
use crate::protocol::Event;

/// What a leave still waits for after this hub took the member out: nothing on a single hub;
/// with an engine, Redis's answer (until it comes, other nodes may list the member).
pub(crate) type Everywhere = Option<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// One member: its session and when it joined (for "latest members first").
#[derive(Debug)]
struct Member {
    session: Arc<Session>,
    joined: u64,
    /// The last member count this member was told (a count is never pushed twice in a row).
    count_seen: Option<usize>,
}

#[derive(Debug, Default)]
struct ChannelState {
    members: HashMap<Arc<str>, Member>,
    /// Members on other nodes (with an engine; always 0 on a single hub).
    others: usize,
    joins: u64,
    attributes: AttributeSet,
    /// Who last set each key, and when.
    stamps: HashMap<String, (String, u64)>,
    /// The last count pushed to members, when, and whether a delayed push is scheduled.
    count_pushed: Option<(usize, Instant)>,
    count_scheduled: bool,
    /// Bumped by every join and every expiry timer armed: only the latest timer may forget the
    /// attributes (an empty channel expires `channel_attributes_ttl` after its last use).
    expiry_epoch: u64,
    /// The channel-wide message budget of each profile that has one, made at the first message.
    send_budgets: Vec<(Profile, RateLimiter)>,
}

/// One channel.
#[derive(Debug)]
pub(crate) struct Channel {
    id: Arc<str>,
    state: Mutex<ChannelState>,
}

type Shard = RwLock<HashMap<Arc<str>, Arc<Channel>>>;

/// Sharded map of the live channels.
#[derive(Debug)]
pub(crate) struct Channels {
    hasher: std::collections::hash_map::RandomState,
    shards: Box<[Shard]>,
}

impl Channels {
    pub(crate) fn new(shards: usize) -> Self {
        let n = shards.max(1).next_power_of_two();
        Self { hasher: Default::default(), shards: (0..n).map(|_| RwLock::new(HashMap::new())).collect() }
    }

    fn shard(&self, id: &str) -> &Shard {
        &self.shards[self.hasher.hash_one(id) as usize & (self.shards.len() - 1)]
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Channel>> {
        self.shard(id).read().get(id).cloned()
    }

    pub(crate) fn get_or_create(&self, id: &str) -> Arc<Channel> {
        if let Some(c) = self.get(id) {
            return c;
        }
        let mut shard = self.shard(id).write();
        shard
            .entry(Arc::from(id))
            .or_insert_with(|| Arc::new(Channel { id: Arc::from(id), state: Mutex::default() }))
            .clone()
    }

    /// Runs `f` on the channel `id` (created if needed) while it cannot be dropped from the map,
    /// so that a join or an attribute update never lands on a channel being removed.
    pub(crate) fn with<R>(&self, id: &str, f: impl FnOnce(&Arc<Channel>) -> R) -> R {
        loop {
            let channel = self.get_or_create(id);
            let shard = self.shard(id).read();
            if shard.get(id).is_some_and(|c| Arc::ptr_eq(c, &channel)) {
                return f(&channel);
            }
        }
    }

    /// Drops the channel if it has neither members nor attributes.
    pub(crate) fn remove_if_unused(&self, channel: &Channel) {
        let mut shard = self.shard(&channel.id).write();
        let unused = {
            let st = channel.state.lock();
            st.members.is_empty() && st.attributes.all().is_empty()
        };
        if unused {
            shard.remove(&*channel.id);
        }
    }
}

impl Channel {
    /// Adds a member; returns false if it was one already, or if its session has ended (a join
    /// racing the session's end must not leave a member nobody will remove).
    pub(crate) fn join(&self, hub: &Hub, session: &Arc<Session>) -> bool {
        let user: Arc<str> = Arc::from(session.user_id());
        let counters = &hub.inner.counters;
        let limits = &hub.inner.config.limits;
        let mut st = self.state.lock();
        if session.is_closed() {
            return false;
        }
        if let Some(m) = st.members.get_mut(&user) {
            if m.session.key() == session.key() {
                return false;
            }
            // The user's previous session is ending and has not left yet: the new session takes
            // its place; to the others the user never left.
            m.session = session.clone();
            return true;
        }
        st.joins += 1;
        st.expiry_epoch += 1;
        let joined = st.joins;
        st.members.insert(user.clone(), Member { session: session.clone(), joined, count_seen: None });
        let count = st.count();
        if count <= limits.member_events_max {
            let ev =
                Arc::new(Event::MemberJoined { channel_id: self.id.to_string(), user_id: user.to_string() });
            fan_out(&st, &ev, Some(&user), counters);
        }
        drop(st);
        // With an engine the count covers every node: the joiner learns it once the engine
        // has listed the join (`joined_everywhere`).
        if !hub.has_engine() {
            self.tell_count(hub, session, |m| m.joined == joined);
        }
        true
    }

    /// The joiner learns the count at once, the others on the throttled schedule; `same` tells
    /// whether the member is still the one that joined (not replaced by a leave or a rejoin).
    fn tell_count(&self, hub: &Hub, session: &Session, same: impl Fn(&Member) -> bool) {
        if self.count_changed(hub) {
            return;
        }
        let mut st = self.state.lock();
        let count = st.count();
        if let Some(m) = st.members.get_mut(session.user_id()).filter(|m| same(m)) {
            m.count_seen = Some(count);
            let own = Event::MemberCountUpdated { channel_id: self.id.to_string(), count };
            if session.push(Arc::new(own)) == Push::Full {
                Counters::bump(&hub.inner.counters.inbox_full_drops);
            }
        }
    }

    /// Removes `session` from the members; `None` if it was not one (another session of the
    /// same user is left alone), else what the leave still waits for elsewhere (see
    /// [`Everywhere`]). Call outside [`Channels::with`].
    pub(crate) fn leave(self: &Arc<Self>, hub: &Hub, session: &Session) -> Option<Everywhere> {
        let user_id = session.user_id();
        let limits = &hub.inner.config.limits;
        let mut st = self.state.lock();
        if st.members.get(user_id).is_none_or(|m| m.session.key() != session.key()) {
            return None;
        }
        st.members.remove(user_id);
        if st.count() < limits.member_events_max {
            let ev =
                Arc::new(Event::MemberLeft { channel_id: self.id.to_string(), user_id: user_id.to_owned() });
            fan_out(&st, &ev, None, &hub.inner.counters);
        }
        let empty = st.members.is_empty();
        let others = st.others;
        drop(st);
        #[cfg(not(feature = "redis"))]
        let everywhere: Everywhere = None;
        #[cfg(feature = "redis")]
        let everywhere: Everywhere = hub.engine().map(|engine| {
            let left = engine.leave_channel(&self.id, user_id);
            if empty {
                engine.unlisten_channel(&self.id);
            }
            let (channel, user) = (self.id.to_string(), user_id.to_owned());
            Box::pin(async move {
                if let Err(failed) = left.await {
                    tracing::warn!(%channel, %user, error = ?failed, "Redis did not take a leave");
                }
            }) as Pin<Box<dyn Future<Output = ()> + Send>>
        });
        if empty && others == 0 {
            self.schedule_expiry(hub);
        } else {
            self.count_changed(hub);
        }
        Some(everywhere)
    }

    #[cfg(feature = "redis")]
    /// A user joined on another node; `count` members in all now.
    pub(crate) fn remote_joined(&self, hub: &Hub, user: &str, count: usize) {
        let mut st = self.state.lock();
        st.others = count.saturating_sub(st.members.len());
        if count <= hub.inner.config.limits.member_events_max {
            let ev =
                Arc::new(Event::MemberJoined { channel_id: self.id.to_string(), user_id: user.to_owned() });
            fan_out(&st, &ev, None, &hub.inner.counters);
        }
        drop(st);
        self.count_changed(hub);
    }

    #[cfg(feature = "redis")]
    /// A user left on another node; `count` members in all now.
    pub(crate) fn remote_left(&self, hub: &Hub, user: &str, count: usize) {
        let mut st = self.state.lock();
        st.others = count.saturating_sub(st.members.len());
        if count < hub.inner.config.limits.member_events_max {
            let ev =
                Arc::new(Event::MemberLeft { channel_id: self.id.to_string(), user_id: user.to_owned() });
            fan_out(&st, &ev, None, &hub.inner.counters);
        }
        drop(st);
        self.count_changed(hub);
    }

    #[cfg(feature = "redis")]
    /// `session`'s join is listed on every node, with `count` members in all: the count is
    /// taken, and the joiner told it.
    pub(crate) fn joined_everywhere(&self, hub: &Hub, session: &Session, count: usize) {
        {
            let mut st = self.state.lock();
            st.others = count.saturating_sub(st.members.len());
        }
        self.tell_count(hub, session, |m| m.session.key() == session.key());
    }

    pub(crate) fn is_member(&self, user_id: &str) -> bool {
        self.state.lock().members.contains_key(user_id)
    }

    pub(crate) fn member_count(&self) -> usize {
        self.state.lock().count()
    }

    /// Up to `max` members, latest joiners first.
    pub(crate) fn members(&self, max: usize) -> Vec<String> {
        let st = self.state.lock();
        let mut all: Vec<(&Arc<str>, u64)> = st.members.iter().map(|(u, m)| (u, m.joined)).collect();
        all.sort_by_key(|&(_, joined)| std::cmp::Reverse(joined));
        all.into_iter().take(max).map(|(u, _)| u.to_string()).collect()
    }

    /// Takes one message from the channel's budget for senders of `profile` (`rate`); false
    /// when the budget is spent for now.
    pub(crate) fn admit_message(&self, profile: Profile, rate: RateLimit) -> bool {
        if rate.per.is_zero() {
            return true;
        }
        let budgets = &mut self.state.lock().send_budgets;
        let i = match budgets.iter().position(|(p, _)| *p == profile) {
            Some(i) => i,
            None => {
                budgets.push((profile, RateLimiter::new(rate)));
                budgets.len() - 1
            }
        };
        budgets[i].1.try_acquire()
    }

    /// Delivers `event` to every member but `except`.
    pub(crate) fn publish(&self, event: &Arc<Event>, except: Option<&str>, counters: &Counters) {
        let st = self.state.lock();
        fan_out(&st, event, except, counters);
    }

    /// Applies an attribute update by `session` at `now_ms` under its profile's limits, telling
    /// the members when `notify`.
    /// Returns true when the channel has no members (its attributes then need an expiry, see
    /// [`Channel::schedule_expiry`], to be called outside [`Channels::with`]).
    pub(crate) fn update_attributes(
        &self,
        hub: &Hub,
        session: &Session,
        update: &AttributeUpdate,
        notify: bool,
        now_ms: u64,
    ) -> Result<bool, crate::error::AttributeError> {
        let user = session.user_id();
        let limits = hub.limits_of(session);
        let mut st = self.state.lock();
        st.attributes.apply(update, limits, limits.max_channel_attributes_bytes)?;
        let touched: Vec<String> = match update {
            AttributeUpdate::Set { attributes } | AttributeUpdate::AddOrUpdate { attributes } => {
                attributes.iter().map(|a| a.key.clone()).collect()
            }
            AttributeUpdate::DeleteKeys { .. } | AttributeUpdate::Clear => Vec::new(),
        };
        let keep: Vec<String> = st.attributes.all().iter().map(|a| a.key.clone()).collect();
        st.stamps.retain(|k, _| keep.contains(k));
        for k in touched {
            st.stamps.insert(k, (user.to_owned(), now_ms));
        }
        if notify && !st.members.is_empty() {
            let ev = Arc::new(Event::ChannelAttributesUpdated {
                channel_id: self.id.to_string(),
                attributes: stamped(&st, None),
                cleared: matches!(update, AttributeUpdate::Clear),
            });
            fan_out(&st, &ev, None, &hub.inner.counters);
        }
        Ok(st.members.is_empty())
    }

    /// The attributes with their stamps (only `keys` when given).
    pub(crate) fn attributes(&self, keys: Option<&[String]>) -> Vec<ChannelAttribute> {
        stamped(&self.state.lock(), keys)
    }

    /// Pushes the member count to the members, at most once per interval (1 s; 3 s above
    /// `member_events_max` members): later changes are folded into one delayed push. Returns
    /// true when it pushed now.
    fn count_changed(&self, hub: &Hub) -> bool {
        let limits = &hub.inner.config.limits;
        let mut st = self.state.lock();
        let count = st.count();
        let interval =
            if count > limits.member_events_max { Duration::from_secs(3) } else { Duration::from_secs(1) };
        let now = Instant::now();
        match st.count_pushed {
            Some((_, at)) if now.duration_since(at) < interval => {
                if !st.count_scheduled {
                    // Without a runtime (a hub driven synchronously) there is no timer: the
                    // next change after the interval pushes the count.
                    let Ok(rt) = tokio::runtime::Handle::try_current() else { return false };
                    st.count_scheduled = true;
                    // One interval after the last push, however late the task first runs.
                    let due = at + interval;
                    let (hub, id) = (Arc::downgrade(&hub.inner), self.id.clone());
                    rt.spawn(async move {
                        tokio::time::sleep_until(due).await;
                        flush_count(hub, &id);
                    });
                }
                false
            }
            _ => push_count(&mut st, &self.id, &hub.inner.counters),
        }
    }

    /// Forgets an empty channel's attributes after the configured time, unless it is used again.
    pub(crate) fn schedule_expiry(&self, hub: &Hub) {
        let due = Instant::now() + hub.inner.config.limits.channel_attributes_ttl;
        let (weak, id) = (Arc::downgrade(&hub.inner), self.id.clone());
        let epoch = {
            let mut st = self.state.lock();
            st.expiry_epoch += 1;
            st.expiry_epoch
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else { return };
        rt.spawn(async move {
            tokio::time::sleep_until(due).await;
            let Some(inner) = weak.upgrade() else { return };
            if let Some(channel) = inner.channels.get(&id) {
                let mut st = channel.state.lock();
                // Only the timer of the latest use: a join or update since then re-armed it.
                if st.members.is_empty() && st.expiry_epoch == epoch {
                    st.attributes = AttributeSet::default();
                    st.stamps.clear();
                }
                drop(st);
                inner.channels.remove_if_unused(&channel);
            }
        });
        hub.inner.channels.remove_if_unused(self);
    }
}

impl ChannelState {
    /// Members on every node.
    fn count(&self) -> usize {
        self.members.len() + self.others
    }
}

fn flush_count(hub: Weak<HubInner>, id: &str) {
    let Some(inner) = hub.upgrade() else { return };
    if let Some(channel) = inner.channels.get(id) {
        let mut st = channel.state.lock();
        st.count_scheduled = false;
        let _ = push_count(&mut st, &channel.id, &inner.counters);
    }
}

/// Pushes the count to every member unless it is the one pushed last; true when pushed.
fn push_count(st: &mut ChannelState, id: &str, counters: &Counters) -> bool {
    let count = st.count();
    if st.count_pushed.is_some_and(|(c, _)| c == count) {
        return false;
    }
    st.count_pushed = Some((count, Instant::now()));
    let ev = Arc::new(Event::MemberCountUpdated { channel_id: id.to_owned(), count });
    for m in st.members.values_mut() {
        // A joiner told this count on its join is not told again.
        if m.count_seen == Some(count) {
            continue;
        }
        m.count_seen = Some(count);
        if m.session.push(ev.clone()) == Push::Full {
            Counters::bump(&counters.inbox_full_drops);
        }
    }
    true
}

fn stamped(st: &ChannelState, keys: Option<&[String]>) -> Vec<ChannelAttribute> {
    let pick = |a: &&Attribute| keys.is_none_or(|k| k.contains(&a.key));
    st.attributes
        .all()
        .iter()
        .filter(pick)
        .map(|a| {
            let (user, ts) = st.stamps.get(&a.key).cloned().unwrap_or_default();
            ChannelAttribute {
                key: a.key.clone(),
                value: a.value.clone(),
                last_update_user_id: user,
                last_update_ts: ts,
            }
        })
        .collect()
}

fn fan_out(st: &ChannelState, event: &Arc<Event>, except: Option<&str>, counters: &Counters) {
    for (user, m) in &st.members {
        if except == Some(&**user) {
            continue;
        }
        if m.session.push(event.clone()) == Push::Full {
            Counters::bump(&counters.inbox_full_drops);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::HubConfig;
    use crate::protocol::LoginRequest;
    use crate::protocol::{Reply, Request};

    fn login(hub: &Hub, user: &str) -> Arc<Session> {
        let login = LoginRequest::new("app", user, None);
        hub.login(&login).expect("login").0
    }

    /// A refused attribute update does not leave an unused channel behind.
    #[test]
    fn a_refused_update_creates_no_channel() {
        let hub = Hub::new(HubConfig::new("app"));
        let alice = login(&hub, "alice");
        let attributes = (0..33).map(|i| Attribute::new(format!("k{i}"), "v")).collect();
        let update = AttributeUpdate::Set { attributes };
        let request = Request::UpdateChannelAttributes { channel_id: "ghost".into(), update, notify: false };
        assert_eq!(hub.handle(&alice, request), Reply::Error { code: 4 });
        assert!(hub.inner.channels.get("ghost").is_none());
    }

    /// Joins that change the count within the throttle interval need no runtime (a hub driven
    /// synchronously, as in the benchmarks).
    #[test]
    fn throttled_counts_need_no_runtime() {
        let hub = Hub::new(HubConfig::new("app"));
        for user in ["a", "b", "c"] {
            let s = login(&hub, user);
            assert_eq!(hub.handle(&s, Request::JoinChannel { channel_id: "room".into() }), Reply::Ok);
        }
        assert_eq!(hub.inner.channels.get("room").map(|c| c.member_count()), Some(3));
    }
}
