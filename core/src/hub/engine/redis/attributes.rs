//! User attributes across nodes: a user's node keeps them in the session, as the embedded hub
//! does, and writes each change to Redis, where any node reads them while the user is online.

use redis::{FromRedisValue, Value};

use super::RedisEngine;
use super::batch::Failed;
use crate::attributes::Attribute;
use crate::hub::Session;

/// A user's attributes if the user is online (has an owner entry); `false` otherwise.
///
/// KEYS: owner, attributes.
pub(super) const READ: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
return redis.call('GET', KEYS[2]) or '[]'
"#;

/// Writes a user's attribute set if this session still owns the user; 1 when written, 0 when
/// another login took the user over (its session starts without attributes, and a late write of
/// the old session must not give it the old ones).
///
/// KEYS: owner, attributes. ARGV: this session's owner value, the attributes (JSON).
pub(super) const WRITE: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
"#;

impl RedisEngine {
    /// Where a user's attributes are in Redis.
    pub(super) fn attributes_key(&self, user: &str) -> String {
        format!("{}{{u:{user}}}:attrs", self.keys.prefix)
    }

    /// Writes the whole attribute set of `session`'s user (after a change on this node); done
    /// when Redis has it. Fails when the session no longer owns the user (a login elsewhere took
    /// it over and this session is about to be told so).
    pub(crate) fn write_attributes(
        &self,
        session: &Session,
        all: &[Attribute],
    ) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
        let user = session.user_id();
        let mut cmd = self.scripts.write_attributes.call();
        cmd.arg(2).arg(self.keys.owner(user)).arg(self.attributes_key(user));
        cmd.arg(self.owner_value(session)).arg(serde_json::to_string(all).unwrap_or_else(|_| "[]".into()));
        let written = self.call(cmd);
        async move {
            match written.await? {
                Value::Int(1) => Ok(()),
                _ => Err(Failed::Unavailable("another session owns the user".into())),
            }
        }
    }

    /// The attributes of a user online on some node (`None`: not online).
    pub(crate) fn read_attributes(
        &self,
        user: &str,
    ) -> impl Future<Output = Result<Option<Vec<Attribute>>, Failed>> + Send + 'static {
        let mut cmd = self.scripts.read_attributes.call();
        cmd.arg(2).arg(self.keys.owner(user));
        cmd.arg(self.attributes_key(user));
        let read = self.call(cmd);
        async move {
            match read.await? {
                Value::Nil => Ok(None),
                v => {
                    let text: String = FromRedisValue::from_redis_value(v).unwrap_or_default();
                    Ok(Some(serde_json::from_str(&text).unwrap_or_default()))
                }
            }
        }
    }
}
