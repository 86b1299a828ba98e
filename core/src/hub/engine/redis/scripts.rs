//! The engine's Lua steps, each atomic in Redis, loaded as one function library (`Scripts`).
//!
//! An owner entry is `<node>|<session>`. A node's channel is the node prefix followed by the
//! node's ID. Every script touches the keys of one user only (declared in `KEYS`), so in a
//! Redis Cluster they all fall in that user's hash slot; what they publish is not a key.

use redis::{Cmd, Script};

/// Lua that moves every entry of the user's ledger (`KEYS[3]`, pending) into the user's box
/// (`KEYS[2]`), in message ID order, and gives the box the expiry `ARGV[ttl]`: what was
/// acknowledged to its senders and never reached a client is kept for the next login.
macro_rules! ledger_to_box {
    ($ttl:literal) => {
        concat!(
            r#"
local held = redis.call('HGETALL', KEYS[3])
if #held > 0 then
  local entries = {}
  for i = 1, #held, 2 do
    entries[#entries + 1] = {held[i], held[i + 1]}
  end
  table.sort(entries, function(a, b)
    if #a[1] ~= #b[1] then return #a[1] < #b[1] end
    return a[1] < b[1]
  end)
  for _, e in ipairs(entries) do
    redis.call('RPUSH', KEYS[2], e[2])
  end
  redis.call('DEL', KEYS[3])
  if tonumber(ARGV["#,
            $ttl,
            r#"]) > 0 then
    redis.call('PEXPIRE', KEYS[2], ARGV["#,
            $ttl,
            r#"])
  end
end
"#
        )
    };
}
pub(super) use ledger_to_box;

/// Makes this session the user's owner. A previous owner on another node is told to end its
/// session (`kick`); a user who had no owner goes online (published to every node). Moves the
/// user's stored offline messages into the user's ledger and returns them (oldest first): they
/// are the session's to deliver now, and stay in the ledger until the client has them. When no
/// previous session lives on (none, or its node no longer listens), what the ledger held for it
/// is returned too, first.
///
/// A new session starts without attributes.
///
/// KEYS: owner, box, ledger, attributes. ARGV: this node, the new owner value, node channel
/// prefix, presence channel, user ID.
pub(super) const REGISTER: &str = r#"
local prev = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[4])
local alive = false
if prev then
  local node = string.match(prev, '^(.*)|')
  if node == ARGV[1] then
    alive = true
  elseif prev ~= ARGV[2] then
    local kick = cjson.encode({kick = {user = ARGV[5], owner = prev}})
    -- A node that does not hear the kick (dead, or reconnecting to Redis) delivers nothing
    -- more: what the ledger holds is this session's to deliver.
    alive = redis.call('PUBLISH', ARGV[3] .. node, kick) > 0
  end
else
  redis.call('PUBLISH', ARGV[4], cjson.encode({user = ARGV[5], online = true}))
end
local out = {}
if not alive then
  local held = redis.call('HGETALL', KEYS[3])
  local entries = {}
  for i = 1, #held, 2 do
    entries[#entries + 1] = {held[i], held[i + 1]}
  end
  table.sort(entries, function(a, b)
    if #a[1] ~= #b[1] then return #a[1] < #b[1] end
    return a[1] < b[1]
  end)
  for _, e in ipairs(entries) do
    out[#out + 1] = e[2]
  end
end
for _, entry in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  redis.call('HSET', KEYS[3], cjson.decode(entry).id, entry)
  out[#out + 1] = entry
end
redis.call('DEL', KEYS[2])
return out
"#;

/// Removes the owner entry if it is still this session's; the user goes offline (published),
/// and what the user's ledger still holds goes to the box. Returns 1 when it removed it.
///
/// KEYS: owner, box, ledger, attributes. ARGV: the owner value, presence channel, user ID, box
/// expiry (ms).
pub(super) const UNREGISTER: &str = concat!(
    r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('PUBLISH', ARGV[2], cjson.encode({user = ARGV[3], online = false}))
"#,
    ledger_to_box!("4"),
    "return 1\n"
);

/// Something for a user this node does not hold: handed to the owner's node (`routed`; a peer
/// message, with an ID, is written in the user's ledger first), or, with no live owner, stored
/// (`stored`), refused by a full box (`full`) or not kept (`unreachable`). An owner whose node no
/// longer listens is removed, and the user goes offline.
///
/// An owner whose node does not listen but whose lease lives (the node is reconnecting to Redis)
/// keeps the user: `unlistened`, and nothing is written.
///
/// KEYS: owner, box, ledger. ARGV: node channel prefix, the delivery, 1 to store when offline,
/// the stored entry, box cap, box expiry (ms), presence channel, user ID, this node, the
/// message ID ('' for what is not a peer message), the prefix of the nodes' lease keys (read
/// outside `KEYS`: on a Redis Cluster this check moves out of the script).
pub(super) const SEND: &str = concat!(
    r#"
local owner = redis.call('GET', KEYS[1])
if owner then
  local node = string.match(owner, '^(.*)|')
  -- The ledger first: under a Redis out of memory the script fails before anything is sent.
  if node ~= ARGV[9] and ARGV[10] ~= '' then
    redis.call('HSET', KEYS[3], ARGV[10], ARGV[4])
  end
  if node ~= ARGV[9] and redis.call('PUBLISH', ARGV[1] .. node, ARGV[2]) > 0 then
    return 'routed'
  end
  if node ~= ARGV[9] and ARGV[10] ~= '' then
    redis.call('HDEL', KEYS[3], ARGV[10])
  end
  -- Not listening, but its lease lives: reconnecting to Redis. The user is still its.
  if node ~= ARGV[9] and redis.call('EXISTS', ARGV[11] .. node) == 1 then
    return 'unlistened'
  end
  if node ~= ARGV[9] then
    redis.call('DEL', KEYS[1])
    redis.call('PUBLISH', ARGV[7], cjson.encode({user = ARGV[8], online = false}))
"#,
    ledger_to_box!("6"),
    r#"
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
"#
);

/// A routed message its receiver's node no longer held: out of the ledger, and into the box
/// when the sender asked for offline messaging.
///
/// KEYS: box, ledger. ARGV: the message ID, the stored entry, 1 to store, box cap, box expiry.
pub(super) const UNROUTE: &str = r#"
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[3] ~= '1' then
  return 'unreachable'
end
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[4]) then
  return 'full'
end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 'stored'
"#;

/// A peer message a session of this node held unconfirmed when another node's login took its
/// user over: handed to the new owner's node, which delivers it (marked offline) at once. The
/// message is in the user's ledger already and stays there until the new session's client
/// confirms it. Nothing is sent when the ledger no longer holds it (confirmed, or moved to the
/// box), when the user has no owner, or when the owner is on this node. Returns how many nodes
/// heard it.
///
/// KEYS: owner, ledger. ARGV: node channel prefix, the delivery, this node, the message ID.
pub(super) const REDELIVER: &str = r#"
local owner = redis.call('GET', KEYS[1])
if not owner or redis.call('HEXISTS', KEYS[2], ARGV[4]) == 0 then
  return 0
end
local node = string.match(owner, '^(.*)|')
if node == ARGV[3] then
  return 0
end
return redis.call('PUBLISH', ARGV[1] .. node, ARGV[2])
"#;

/// One of the engine's steps, a function of the library: called with `FCALL`.
#[derive(Debug)]
pub(super) struct Function {
    name: String,
}

impl Function {
    /// The start of a call: `FCALL <name>`, to which the caller adds the key count, the keys
    /// and the arguments.
    pub(super) fn call(&self) -> Cmd {
        let mut cmd = redis::cmd("FCALL");
        cmd.arg(&self.name);
        cmd
    }
}

/// The engine's steps as one Redis function library (Redis 7.0's `FUNCTION LOAD`).
///
/// Functions rather than `EVALSHA` scripts because Redis keeps functions with the data (in the
/// append-only file and in snapshots): after a restart they are there before any call comes,
/// where cached scripts are gone and the first calls after the restart fail with `NOSCRIPT`.
/// Retrying those would run them after the calls queued behind them, which had already run:
/// the node's one ordered stream of calls would no longer be in order. The library's name
/// carries a digest of its source, so nodes of two versions (a rolling upgrade) each call
/// their own functions.
#[derive(Debug)]
pub(super) struct Scripts {
    pub(super) register: Function,
    pub(super) unregister: Function,
    pub(super) send: Function,
    pub(super) unroute: Function,
    pub(super) redeliver: Function,
    pub(super) join: Function,
    pub(super) leave: Function,
    pub(super) sweep_user: Function,
    pub(super) read_attributes: Function,
    pub(super) write_attributes: Function,
    pub(super) sweep_channel: Function,
    pub(super) swap_channel_attributes: Function,
    /// The library's source, for `FUNCTION LOAD REPLACE`.
    library: String,
}

impl Scripts {
    pub(super) fn new() -> Self {
        use super::{attributes, channel_attributes, channels, sweep};
        let steps: [(&str, &str); 12] = [
            ("register", REGISTER),
            ("unregister", UNREGISTER),
            ("send", SEND),
            ("unroute", UNROUTE),
            ("redeliver", REDELIVER),
            ("join", channels::JOIN),
            ("leave", channels::LEAVE),
            ("sweep_user", sweep::SWEEP_USER),
            ("read_attributes", attributes::READ),
            ("write_attributes", attributes::WRITE),
            ("sweep_channel", sweep::SWEEP_CHANNEL),
            ("swap_channel_attributes", channel_attributes::SWAP),
        ];
        let digest = Script::new(&steps.iter().map(|(n, body)| format!("{n}\n{body}")).collect::<String>())
            .get_hash()[..12]
            .to_owned();
        let name = |step: &str| format!("sigshim_{digest}_{step}");
        let mut library = format!("#!lua name=sigshim_{digest}\n");
        for (step, body) in steps {
            // The parameters are named as a script's globals, so each body reads as it would
            // under `EVAL`.
            library.push_str(&format!(
                "redis.register_function('{}', function(KEYS, ARGV)\n{body}\nend)\n",
                name(step)
            ));
        }
        let f = |step: &str| Function { name: name(step) };
        Self {
            register: f("register"),
            unregister: f("unregister"),
            send: f("send"),
            unroute: f("unroute"),
            redeliver: f("redeliver"),
            join: f("join"),
            leave: f("leave"),
            sweep_user: f("sweep_user"),
            read_attributes: f("read_attributes"),
            write_attributes: f("write_attributes"),
            sweep_channel: f("sweep_channel"),
            swap_channel_attributes: f("swap_channel_attributes"),
            library,
        }
    }

    /// The library's source.
    pub(super) fn library(&self) -> &str {
        &self.library
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function the engine calls is in the library (a new field must be named here, or
    /// this does not compile).
    #[test]
    fn every_function_is_in_the_library() {
        let scripts = Scripts::new();
        let Scripts {
            register,
            unregister,
            send,
            unroute,
            redeliver,
            join,
            leave,
            sweep_user,
            sweep_channel,
            read_attributes,
            write_attributes,
            swap_channel_attributes,
            library,
        } = &scripts;
        let used = [
            register,
            unregister,
            send,
            unroute,
            redeliver,
            join,
            leave,
            sweep_user,
            sweep_channel,
            read_attributes,
            write_attributes,
            swap_channel_attributes,
        ];
        for f in used {
            let registered = format!("redis.register_function('{}',", f.name);
            assert_eq!(library.matches(&registered).count(), 1, "{} registered once", f.name);
        }
        assert_eq!(library.matches("redis.register_function(").count(), used.len());
        let names: std::collections::HashSet<&str> = used.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), used.len(), "every function has a name of its own");
    }
}
