//! User attributes across nodes: a user's node keeps them in the session, as the embedded hub
//! does, and writes each change to Redis, where any node reads them while the user is online.

use redis::{FromRedisValue, Value};

use super::RedisEngine;
use super::batch::Failed;
use crate::attributes::Attribute;

/// A user's attributes if the user is online (has an owner entry); `false` otherwise.
///
/// KEYS: owner, attributes.
pub(super) const READ: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
return redis.call('GET', KEYS[2]) or '[]'
"#;

impl RedisEngine {
    /// Where a user's attributes are in Redis.
    pub(super) fn attributes_key(&self, user: &str) -> String {
        format!("{}{{u:{user}}}:attrs", self.keys.prefix)
    }

    /// Writes a user's whole attribute set (after a change on this node); done when Redis has it.
    pub(crate) fn write_attributes(
        &self,
        user: &str,
        all: &[Attribute],
    ) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.attributes_key(user)).arg(serde_json::to_string(all).unwrap_or_else(|_| "[]".into()));
        let written = self.call(cmd);
        async move { written.await.map(drop) }
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
