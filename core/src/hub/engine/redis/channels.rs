//! Channels across nodes: who is a member on which node (in Redis), and what one node's members
//! do reaching the members on the others.
//!
//! Each node keeps its local members and fans out to them itself, as the embedded hub does. A
//! node with members in a channel listens on the channel's pub/sub name; a channel message, a
//! join or a leave is published there once, and every other such node fans it out to its own
//! members. Member lists and counts are read from Redis, where the members of every node are.

use std::sync::Arc;

use redis::FromRedisValue;
use serde::{Deserialize, Serialize};

use super::RedisEngine;
use super::batch::Failed;
use crate::message::Message;
use crate::protocol::Event;

/// Adds a member: a user already listed (a newer session took the place) is only moved to
/// this node. Returns `{joined (0/1), member count}`.
///
/// A channel with a member keeps its attributes (their expiry is lifted).
///
/// KEYS: members (sorted by join order), member nodes, join counter, attributes. ARGV: user,
/// node, the channel's pub/sub name.
pub(super) const JOIN: &str = r#"
redis.call('PERSIST', KEYS[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {0, redis.call('ZCARD', KEYS[1])}
end
redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
redis.call('PUBLISH', ARGV[3], cjson.encode({joined = ARGV[1], node = ARGV[2], count = count}))
return {1, count}
"#;

/// Removes a member if this node holds it. Returns `{left (0/1), member count}`.
///
/// The last member's leave arms the expiry of the channel's attributes.
///
/// KEYS: members, member nodes, join counter, attributes. ARGV: user, node, the channel's
/// pub/sub name, the attributes' expiry (ms).
pub(super) const LEAVE: &str = r#"
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return {0, redis.call('ZCARD', KEYS[1])}
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
if count == 0 then
  redis.call('DEL', KEYS[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
end
redis.call('PUBLISH', ARGV[3], cjson.encode({left = ARGV[1], node = ARGV[2], count = count}))
return {1, count}
"#;

/// What travels on a channel's pub/sub name.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum ChannelFrame {
    /// A member joined on `node`; the count after it.
    Joined { joined: String, node: String, count: usize },
    /// A member left on `node`; the count after it.
    Left { left: String, node: String, count: usize },
    /// A channel message sent on `node`.
    Message { from: String, node: String, message: Message },
    /// The channel's attributes after an update on `node` that notifies the members.
    Attributes { node: String, attributes: Vec<crate::attributes::ChannelAttribute>, cleared: bool },
}

impl RedisEngine {
    pub(super) fn channel_keys(&self, id: &str) -> [String; 3] {
        let p = &self.keys.prefix;
        [format!("{p}{{c:{id}}}:members"), format!("{p}{{c:{id}}}:nodes"), format!("{p}{{c:{id}}}:joins")]
    }

    /// How long a channel's attributes outlive its last member (ms).
    pub(super) fn channel_attributes_ttl(&self) -> u64 {
        self.hub().map_or(0, |h| h.config().limits.channel_attributes_ttl.as_millis() as u64)
    }

    /// The channel's pub/sub name.
    pub(super) fn channel_topic(&self, id: &str) -> String {
        format!("{}{id}", self.keys.channel_prefix)
    }

    /// Lists `user` as a member on this node, after making sure this node hears the channel;
    /// the member count.
    pub(crate) fn join_channel(
        self: &Arc<Self>,
        id: &str,
        user: &str,
    ) -> impl Future<Output = Result<usize, Failed>> + Send + 'static {
        let topic = self.channel_topic(id);
        let listening = self.listen(&topic);
        let [members, nodes, joins] = self.channel_keys(id);
        let mut cmd = self.scripts.join.call();
        cmd.arg(4).arg(members).arg(nodes).arg(joins);
        cmd.arg(self.channel_attributes_key(id)).arg(user).arg(&self.config.node_id).arg(&topic);
        self.index(self.channels_of(&self.config.node_id), id);
        let engine = self.clone();
        let user = user.to_owned();
        let id = id.to_owned();
        async move {
            listening.await?;
            // A member that left meanwhile (its leave found nothing to unlist) is not listed.
            let hub = engine.hub().ok_or_else(|| Failed::Unavailable("the hub has stopped".into()))?;
            if !hub.inner.channels.get(&id).is_some_and(|c| c.is_member(&user)) {
                return Err(Failed::Unavailable("left the channel while joining".into()));
            }
            let (_, count): (i64, usize) = FromRedisValue::from_redis_value(engine.call(cmd).await?)
                .map_err(|e| Failed::Unavailable(e.to_string()))?;
            Ok(count)
        }
    }

    /// Unlists `user` on this node. The call is queued at once and runs whether or not the
    /// returned future (Redis's answer) is awaited: a leave the member asked for is answered
    /// after it, so that no node lists the member once the leave is acknowledged; the leaves
    /// of a session that ends drop it (the stream keeps them in order).
    pub(crate) fn leave_channel(
        &self,
        id: &str,
        user: &str,
    ) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
        let [members, nodes, joins] = self.channel_keys(id);
        let mut cmd = self.scripts.leave.call();
        cmd.arg(4).arg(members).arg(nodes).arg(joins);
        cmd.arg(self.channel_attributes_key(id)).arg(user).arg(&self.config.node_id);
        cmd.arg(self.channel_topic(id)).arg(self.channel_attributes_ttl());
        let left = self.call(cmd);
        async move { left.await.map(drop) }
    }

    /// Sends a channel message to the channel's members on the other nodes.
    pub(crate) fn publish_channel(
        &self,
        id: &str,
        from: &str,
        message: &Message,
    ) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
        let frame = ChannelFrame::Message {
            from: from.to_owned(),
            node: self.config.node_id.clone(),
            message: message.clone(),
        };
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(self.channel_topic(id)).arg(serde_json::to_string(&frame).unwrap_or_default());
        let published = self.call(cmd);
        async move { published.await.map(drop) }
    }

    /// Up to `max` members of the channel on every node, latest joiners first.
    pub(crate) fn channel_members(
        &self,
        id: &str,
        max: usize,
    ) -> impl Future<Output = Result<Vec<String>, Failed>> + Send + 'static {
        let [members, ..] = self.channel_keys(id);
        let mut cmd = redis::cmd("ZRANGE");
        cmd.arg(members).arg(0).arg(max.saturating_sub(1)).arg("REV");
        let listed = self.call(cmd);
        async move { Ok(FromRedisValue::from_redis_value(listed.await?).unwrap_or_default()) }
    }

    /// The member count of each channel, in order.
    pub(crate) fn channel_counts(
        &self,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<usize>, Failed>> + Send + 'static {
        let calls: Vec<_> = ids
            .iter()
            .map(|id| {
                let [members, ..] = self.channel_keys(id);
                let mut cmd = redis::cmd("ZCARD");
                cmd.arg(members);
                self.call(cmd)
            })
            .collect();
        async move {
            let mut counts = Vec::with_capacity(calls.len());
            for c in calls {
                counts.push(FromRedisValue::from_redis_value(c.await?).unwrap_or(0));
            }
            Ok(counts)
        }
    }

    /// Whether `user` is a member of the channel on any node.
    pub(crate) fn channel_has(
        &self,
        id: &str,
        user: &str,
    ) -> impl Future<Output = Result<bool, Failed>> + Send + 'static {
        let [members, ..] = self.channel_keys(id);
        let mut cmd = redis::cmd("ZSCORE");
        cmd.arg(members).arg(user);
        let score = self.call(cmd);
        async move { Ok(!matches!(score.await?, redis::Value::Nil)) }
    }

    /// A frame on a channel's pub/sub name: from another node, it reaches this node's members.
    pub(super) fn on_channel(&self, id: &str, payload: &[u8]) {
        let Ok(frame) = serde_json::from_slice::<ChannelFrame>(payload) else {
            tracing::warn!(channel = %id, "a channel frame this node does not understand");
            return;
        };
        let (ChannelFrame::Joined { node, .. }
        | ChannelFrame::Left { node, .. }
        | ChannelFrame::Message { node, .. }
        | ChannelFrame::Attributes { node, .. }) = &frame;
        // This node's own changes reached its members when they were made.
        if *node != self.config.node_id {
            self.on_channel_frame(id, &frame);
        }
    }

    /// Hands a channel frame to this node's members of the channel.
    pub(super) fn on_channel_frame(&self, id: &str, frame: &ChannelFrame) {
        let Some(hub) = self.hub() else { return };
        let Some(channel) = hub.inner.channels.get(id) else { return };
        let event = match frame {
            ChannelFrame::Joined { joined, count, .. } => return channel.remote_joined(&hub, joined, *count),
            ChannelFrame::Left { left, count, .. } => return channel.remote_left(&hub, left, *count),
            ChannelFrame::Message { from, message, .. } => Event::ChannelMessage {
                channel_id: id.to_owned(),
                peer_id: from.clone(),
                message: message.clone(),
                encoded: Default::default(),
            },
            ChannelFrame::Attributes { attributes, cleared, .. } => Event::ChannelAttributesUpdated {
                channel_id: id.to_owned(),
                attributes: attributes.clone(),
                cleared: *cleared,
            },
        };
        channel.publish(&Arc::new(event), None, &hub.inner.counters);
    }
}
