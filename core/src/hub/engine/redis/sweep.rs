//! Nodes that stop: the heartbeat that keeps a node listed, and the sweep that clears what a
//! node that died without ending its sessions left in Redis.
//!
//! Every node lists itself in one sorted set (`nodes`, scored by its last heartbeat) and renews
//! its lease three times per lease. Each heartbeat also looks for nodes silent for two leases:
//! the node whose `ZREM` takes one off the list sweeps it (one sweeper per dead node). Sweeping
//! reads the dead node's indexes (the users and channels it held, kept beside each register and
//! join) and, user by user and channel by channel, removes what still names the dead node: its
//! users go offline (published as swept, so that every node also ends their open invitations),
//! its channel members leave. A tombstone tells the dead node, should it come back, that its
//! sessions are gone: it drops them, and its clients log in again.

use std::sync::{Arc, Weak};
use std::time::Duration;

use redis::FromRedisValue;

use super::RedisEngine;
use super::batch::Failed;
use crate::hub::unix_now;
use crate::protocol::CloseReason;

/// Takes a dead node's user offline if the owner entry still names that node; what the user's
/// ledger holds goes to the box.
///
/// KEYS: owner, box, ledger, attributes. ARGV: dead node, presence channel, user ID, box expiry
/// (ms).
pub(super) const SWEEP_USER: &str = concat!(
    r#"
local owner = redis.call('GET', KEYS[1])
if not owner or string.match(owner, '^(.*)|') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('PUBLISH', ARGV[2], cjson.encode({user = ARGV[3], online = false, swept = true}))
"#,
    super::scripts::ledger_to_box!("4"),
    "return 1\n"
);

/// Removes a dead node's members from a channel, announcing each leave.
///
/// KEYS: members, member nodes, join counter, attributes. ARGV: dead node, the channel's pub/sub
/// name, the attributes' expiry (ms) once no member is left.
pub(super) const SWEEP_CHANNEL: &str = r#"
local held = redis.call('HGETALL', KEYS[2])
local gone = 0
for i = 1, #held, 2 do
  if held[i + 1] == ARGV[1] then
    redis.call('HDEL', KEYS[2], held[i])
    redis.call('ZREM', KEYS[1], held[i])
    gone = gone + 1
    local count = redis.call('ZCARD', KEYS[1])
    redis.call('PUBLISH', ARGV[2], cjson.encode({left = held[i], node = ARGV[1], count = count}))
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
end
return gone
"#;

impl RedisEngine {
    /// The set of users this node has registered (candidates for a sweep).
    pub(super) fn users_of(&self, node: &str) -> String {
        format!("{}{{n:{node}}}:users", self.keys.prefix)
    }

    /// The set of channels this node has had members in (candidates for a sweep).
    pub(super) fn channels_of(&self, node: &str) -> String {
        format!("{}{{n:{node}}}:channels", self.keys.prefix)
    }

    fn tombstone(&self, node: &str) -> String {
        format!("{}{{n:{node}}}:swept", self.keys.prefix)
    }

    fn node_list(&self) -> String {
        format!("{}nodes", self.keys.prefix)
    }

    /// Lists a register or a join in this node's indexes (no one waits: the stream keeps order).
    pub(super) fn index(&self, set: String, member: &str) {
        let mut cmd = redis::cmd("SADD");
        cmd.arg(set).arg(member);
        self.fire(cmd);
    }

    /// Takes a member out of this node's index.
    pub(super) fn unindex(&self, set: String, member: &str) {
        let mut cmd = redis::cmd("SREM");
        cmd.arg(set).arg(member);
        self.fire(cmd);
    }

    /// One heartbeat: renews the lease and the node's place in the list, learns whether another
    /// node swept this one meanwhile, and sweeps nodes silent for two leases.
    async fn beat(self: &Arc<Self>) -> Result<(), Failed> {
        let now = unix_now().as_millis() as u64;
        let lease = self.config.lease.as_millis() as u64;
        let mut set = redis::cmd("SET");
        set.arg(&self.keys.lease).arg(1).arg("PX").arg(lease);
        let mut list = redis::cmd("ZADD");
        list.arg(self.node_list()).arg(now).arg(&self.config.node_id);
        let mut swept = redis::cmd("GETDEL");
        swept.arg(self.tombstone(&self.config.node_id));
        let mut silent = redis::cmd("ZRANGEBYSCORE");
        silent.arg(self.node_list()).arg("-inf").arg(format!("({}", now.saturating_sub(2 * lease)));
        let (set, list, swept, silent) =
            (self.call(set), self.call(list), self.call(swept), self.call(silent));
        set.await?;
        list.await?;
        if !matches!(swept.await?, redis::Value::Nil) {
            self.swept_while_away();
        }
        let silent: Vec<String> = FromRedisValue::from_redis_value(silent.await?).unwrap_or_default();
        for node in silent.into_iter().filter(|n| *n != self.config.node_id) {
            // Silent by its own clock's scores; dead only if its lease (a TTL on Redis's clock)
            // is gone too.
            let mut lease = redis::cmd("EXISTS");
            lease.arg(self.keys.lease_of(&node));
            if FromRedisValue::from_redis_value(self.call(lease).await?) == Ok(1) {
                continue;
            }
            let mut claim = redis::cmd("ZREM");
            claim.arg(self.node_list()).arg(&node);
            if FromRedisValue::from_redis_value(self.call(claim).await?) == Ok(1)
                && let Err(failed) = self.sweep(&node).await
            {
                // Listed again, so that a later heartbeat (this node's or another's) sweeps it.
                let mut back = redis::cmd("ZADD");
                back.arg(self.node_list()).arg(0).arg(&node);
                self.fire(back);
                return Err(failed);
            }
        }
        Ok(())
    }

    /// Clears what the dead `node` left: its users go offline, its channel members leave.
    async fn sweep(&self, node: &str) -> Result<(), Failed> {
        tracing::warn!(%node, "a node stopped without ending its sessions: sweeping it");
        let mut tomb = redis::cmd("SET");
        tomb.arg(self.tombstone(node)).arg(1).arg("PX").arg(24 * 3600 * 1000);
        self.fire(tomb);
        self.clear(node).await
    }

    /// Removes what still names `node` in Redis: its users go offline (their ledgers to their
    /// boxes), its channel members leave. Also run by a node at start-up on its own ID, for what
    /// an earlier process under that ID left.
    pub(super) async fn clear(&self, node: &str) -> Result<(), Failed> {
        let mut users = redis::cmd("SMEMBERS");
        users.arg(self.users_of(node));
        let mut channels = redis::cmd("SMEMBERS");
        channels.arg(self.channels_of(node));
        let (users, channels) = (self.call(users), self.call(channels));
        let users: Vec<String> = FromRedisValue::from_redis_value(users.await?).unwrap_or_default();
        let channels: Vec<String> = FromRedisValue::from_redis_value(channels.await?).unwrap_or_default();
        let ttl = self.hub().map_or(0, |h| h.config().limits.offline_message_ttl.as_millis() as u64);
        for user in &users {
            let mut cmd = self.scripts.sweep_user.call();
            cmd.arg(4).arg(self.user_keys(user));
            cmd.arg(self.attributes_key(user));
            cmd.arg(node).arg(&self.keys.presence).arg(user).arg(ttl);
            self.fire(cmd);
        }
        for id in &channels {
            let [members, nodes, joins] = self.channel_keys(id);
            let mut cmd = self.scripts.sweep_channel.call();
            cmd.arg(4).arg(members).arg(nodes).arg(joins);
            cmd.arg(self.channel_attributes_key(id)).arg(node).arg(self.channel_topic(id));
            cmd.arg(self.channel_attributes_ttl());
            self.fire(cmd);
        }
        let mut forget = redis::cmd("DEL");
        forget.arg(self.users_of(node)).arg(self.channels_of(node));
        self.call(forget).await?;
        tracing::info!(%node, users = users.len(), channels = channels.len(), "swept");
        Ok(())
    }

    /// Takes this node out of the service now, for a planned stop: its users go offline (what
    /// their ledgers hold goes to their boxes, for their next login on any node), its channel
    /// members leave, and the node leaves the list and gives up its lease, as a sweep would do
    /// once the lease had lapsed. The heartbeat stops. Call it once the node's server has closed
    /// its connections; the node should then exit (its sessions are no longer anyone's).
    pub async fn leave(&self) -> Result<(), super::EngineError> {
        self.left.store(true, std::sync::atomic::Ordering::Relaxed);
        let node = &self.config.node_id;
        let failed = |f: Failed| super::EngineError::Unreachable {
            url: super::redacted(&self.config.url),
            reason: format!("{f:?}"),
        };
        self.clear(node).await.map_err(failed)?;
        let mut unlist = redis::cmd("ZREM");
        unlist.arg(self.node_list()).arg(node);
        let mut release = redis::cmd("DEL");
        release.arg(&self.keys.lease);
        let (unlist, release) = (self.call(unlist), self.call(release));
        unlist.await.map_err(failed)?;
        release.await.map_err(failed)?;
        tracing::info!(%node, "left the engine");
        Ok(())
    }

    /// Another node swept this one (it was silent for two leases): the owner entries and
    /// memberships of its sessions are gone, so the sessions are dropped as broken links and
    /// their clients log in again.
    fn swept_while_away(&self) {
        let Some(hub) = self.hub() else { return };
        let sessions = hub.inner.registry.all();
        tracing::warn!(sessions = sessions.len(), "this node was swept while away: dropping its sessions");
        for s in sessions {
            hub.end(&s, CloseReason::LinkLost);
        }
    }
}

/// Beats three times per lease while the engine lives.
pub(super) async fn heartbeat(engine: Weak<RedisEngine>) {
    let Some(period) = engine.upgrade().map(|e| e.config.lease / 3) else { return };
    let mut tick = tokio::time::interval(period.max(Duration::from_millis(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(e) = engine.upgrade() else { return };
        if e.hub.strong_count() == 0 || e.left.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        if let Err(failed) = e.beat().await {
            tracing::warn!(?failed, "heartbeat failed: the node's lease was not renewed");
        }
    }
}
