//! The engine's Lua scripts: each one step, atomic in Redis.
//!
//! An owner entry is `<node>|<session>`. A node's channel is the node prefix followed by the
//! node's ID. Every script touches the keys of one user only (declared in `KEYS`), so in a
//! Redis Cluster they all fall in that user's hash slot; what they publish is not a key.

use redis::Script;

/// Makes this session the user's owner. A previous owner on another node is told to end its
/// session (`kick`); a user who had no owner goes online (published to every node). Returns
/// the user's stored offline messages (oldest first), left in place until they are trimmed
/// after delivery.
///
/// KEYS: owner, box. ARGV: this node, the new owner value, node channel prefix, presence
/// channel, user ID.
pub(super) const REGISTER: &str = r#"
local prev = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2])
if prev then
  local node = string.match(prev, '^(.*)|')
  if prev ~= ARGV[2] and node ~= ARGV[1] then
    redis.call('PUBLISH', ARGV[3] .. node, cjson.encode({kick = {user = ARGV[5], owner = prev}}))
  end
else
  redis.call('PUBLISH', ARGV[4], cjson.encode({user = ARGV[5], online = true}))
end
return redis.call('LRANGE', KEYS[2], 0, -1)
"#;

/// Removes the owner entry if it is still this session's; the user goes offline (published).
/// Returns 1 when it removed it.
///
/// KEYS: owner. ARGV: the owner value, presence channel, user ID.
pub(super) const UNREGISTER: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], cjson.encode({user = ARGV[3], online = false}))
  return 1
end
return 0
"#;

/// A peer message to a user this node does not hold: handed to the owner's node (`routed`),
/// or, with no live owner, stored (`stored`), refused by a full box (`full`) or not kept
/// (`unreachable`). An owner whose node no longer listens is removed, and the user goes
/// offline.
///
/// KEYS: owner, box. ARGV: node channel prefix, the delivery, 1 to store when offline, the
/// stored entry, box cap, box expiry (ms), presence channel, user ID, this node.
pub(super) const SEND: &str = r#"
local owner = redis.call('GET', KEYS[1])
if owner then
  local node = string.match(owner, '^(.*)|')
  if node ~= ARGV[9] and redis.call('PUBLISH', ARGV[1] .. node, ARGV[2]) > 0 then
    return 'routed'
  end
  if node ~= ARGV[9] then
    redis.call('DEL', KEYS[1])
    redis.call('PUBLISH', ARGV[7], cjson.encode({user = ARGV[8], online = false}))
  end
end
if ARGV[3] ~= '1' then
  return 'unreachable'
end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[5]) then
  return 'full'
end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 'stored'
"#;

/// Stores a message in a user's box. With a cap of 0 the message was already acknowledged to
/// its sender and is kept past the cap.
///
/// KEYS: box. ARGV: the stored entry, box cap (0: none), box expiry (ms).
pub(super) const STORE: &str = r#"
local cap = tonumber(ARGV[2])
if cap > 0 and redis.call('LLEN', KEYS[1]) >= cap then
  return 'full'
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 'stored'
"#;

/// The scripts, loaded once and invoked by hash.
#[derive(Debug)]
pub(super) struct Scripts {
    pub(super) register: Script,
    pub(super) unregister: Script,
    pub(super) send: Script,
    pub(super) store: Script,
    pub(super) join: Script,
    pub(super) leave: Script,
    pub(super) sweep_user: Script,
    pub(super) sweep_channel: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        Self {
            register: Script::new(REGISTER),
            unregister: Script::new(UNREGISTER),
            send: Script::new(SEND),
            store: Script::new(STORE),
            join: Script::new(super::channels::JOIN),
            leave: Script::new(super::channels::LEAVE),
            sweep_user: Script::new(super::sweep::SWEEP_USER),
            sweep_channel: Script::new(super::sweep::SWEEP_CHANNEL),
        }
    }

    /// Every script's text, for `SCRIPT LOAD` after Redis lost them (a restart).
    pub(super) fn all(&self) -> Vec<&'static str> {
        use super::{channels, sweep};
        vec![
            REGISTER,
            UNREGISTER,
            SEND,
            STORE,
            channels::JOIN,
            channels::LEAVE,
            sweep::SWEEP_USER,
            sweep::SWEEP_CHANNEL,
        ]
    }
}
