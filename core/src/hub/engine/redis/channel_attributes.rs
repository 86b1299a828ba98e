//! Channel attributes across nodes: Redis holds each channel's set, with who set each key and
//! when; any node reads it there, and an update is applied by the updating node and written
//! back with a compare-and-set, tried again if another node changed the set meanwhile.
//!
//! The set expires `channel_attributes_ttl` after the channel's last member left on any node
//! (the leave and sweep scripts arm the expiry, a join lifts it), as on one hub.

use std::collections::HashMap;
use std::sync::Arc;

use redis::FromRedisValue;

use super::RedisEngine;
use super::batch::Failed;
use super::channels::ChannelFrame;
use crate::attributes::{AttributeSet, AttributeUpdate, ChannelAttribute};
use crate::error::AttributeError;
use crate::limits::Limits;

/// Replaces a channel's attributes if they are still `ARGV[1]` (the JSON read before); an empty
/// set removes the key, and a set in a channel with no member expires. Returns 1 when written.
///
/// KEYS: attributes, members. ARGV: the set read ('' for none), the new set, expiry (ms).
pub(super) const SWAP: &str = r#"
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then
  return 0
end
if ARGV[2] == '[]' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
  if redis.call('ZCARD', KEYS[2]) == 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  end
end
return 1
"#;

/// Attempts at a compare-and-set before the update fails (another node kept changing the set).
/// A node runs one update of a channel's set at a time (see [`Updating`]), so the set changes
/// under an update only through other nodes.
const ATTEMPTS: usize = 32;

/// The channels whose attributes this node is updating, each with the lock its updates take
/// in turn: sixteen members of one node updating one channel at once would otherwise race
/// each other's compare-and-set, and some would run out of attempts. An entry lives while an
/// update holds or waits for its lock.
#[derive(Debug, Default)]
pub(super) struct Updating(parking_lot::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl Updating {
    /// Waits for this node's earlier updates of channel `id` to end; the update runs while the
    /// returned turn lives.
    async fn turn(self: Arc<Self>, id: String) -> Turn {
        let lock = self.0.lock().entry(id.clone()).or_default().clone();
        let guard = lock.clone().lock_owned().await;
        Turn { updating: self, id, lock, guard: Some(guard) }
    }
}

/// One update's turn at a channel's set (see [`Updating::turn`]).
struct Turn {
    updating: Arc<Updating>,
    id: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    /// This update's hold on the lock, let go first when the turn ends.
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.guard = None;
        let mut channels = self.updating.0.lock();
        // Held here and in the map only: no other update holds or waits for it.
        if Arc::strong_count(&self.lock) == 2 {
            channels.remove(&self.id);
        }
    }
}

/// Why a channel attribute update failed.
pub(crate) enum UpdateFailed {
    /// The update breaks a limit (or is invalid): nothing changed.
    Refused(AttributeError),
    /// Redis did not answer, or the set kept changing under the update.
    Engine(Failed),
}

impl RedisEngine {
    /// A channel's attribute key.
    pub(super) fn channel_attributes_key(&self, id: &str) -> String {
        format!("{}{{c:{id}}}:attrs", self.keys.prefix)
    }

    /// A channel's attributes, as Redis holds them.
    pub(crate) fn channel_attributes(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Vec<ChannelAttribute>, Failed>> + Send + 'static {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.channel_attributes_key(id));
        let read = self.call(cmd);
        async move {
            let text: Option<String> = FromRedisValue::from_redis_value(read.await?).unwrap_or_default();
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
        }
    }

    /// Applies `update` by `user` under `limits` to the channel's set in Redis, then tells the
    /// members on every node when `notify`.
    pub(crate) fn update_channel_attributes(
        self: &Arc<Self>,
        id: &str,
        user: &str,
        update: AttributeUpdate,
        limits: Limits,
        notify: bool,
    ) -> impl Future<Output = Result<(), UpdateFailed>> + Send + 'static {
        let (engine, id, user) = (self.clone(), id.to_owned(), user.to_owned());
        let turn = self.updating.clone().turn(id.clone());
        async move {
            let _turn = turn.await;
            for _ in 0..ATTEMPTS {
                let mut get = redis::cmd("GET");
                get.arg(engine.channel_attributes_key(&id));
                let read = engine.call(get).await.map_err(UpdateFailed::Engine)?;
                let old: Option<String> = FromRedisValue::from_redis_value(read).unwrap_or_default();
                let current: Vec<ChannelAttribute> =
                    old.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
                let next = applied(&current, &update, &limits, &user).map_err(UpdateFailed::Refused)?;
                let text = serde_json::to_string(&next).unwrap_or_else(|_| "[]".into());
                let ttl =
                    engine.hub().map_or(0, |h| h.config().limits.channel_attributes_ttl.as_millis() as u64);
                let [members, ..] = engine.channel_keys(&id);
                let mut swap = engine.scripts.swap_channel_attributes.call();
                swap.arg(2);
                swap.arg(engine.channel_attributes_key(&id)).arg(members);
                swap.arg(old.unwrap_or_default()).arg(&text).arg(ttl);
                let swapped = engine.call(swap).await.map_err(UpdateFailed::Engine)?;
                if FromRedisValue::from_redis_value(swapped) != Ok(1) {
                    continue;
                }
                if notify {
                    engine.notify_attributes(&id, next, matches!(update, AttributeUpdate::Clear));
                }
                return Ok(());
            }
            Err(UpdateFailed::Engine(Failed::Unavailable("the channel's attributes kept changing".into())))
        }
    }

    /// Tells the channel's members here, and through the channel's name those elsewhere.
    fn notify_attributes(&self, id: &str, attributes: Vec<ChannelAttribute>, cleared: bool) {
        let frame = ChannelFrame::Attributes { node: self.config.node_id.clone(), attributes, cleared };
        self.on_channel_frame(id, &frame);
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(self.channel_topic(id)).arg(serde_json::to_string(&frame).unwrap_or_default());
        self.fire(cmd);
    }
}

/// The set after `update` by `user`: each key set now is stamped with `user` and the time, the
/// others keep their stamps.
fn applied(
    current: &[ChannelAttribute],
    update: &AttributeUpdate,
    limits: &Limits,
    user: &str,
) -> Result<Vec<ChannelAttribute>, AttributeError> {
    let max = limits.max_channel_attributes_bytes;
    let mut set = AttributeSet::default();
    let now: Vec<crate::attributes::Attribute> =
        current.iter().map(|a| crate::attributes::Attribute::new(&a.key, &a.value)).collect();
    if !now.is_empty() {
        set.apply(&AttributeUpdate::Set { attributes: now }, limits, usize::MAX)?;
    }
    set.apply(update, limits, max)?;
    let touched: Vec<&str> = match update {
        AttributeUpdate::Set { attributes } | AttributeUpdate::AddOrUpdate { attributes } => {
            attributes.iter().map(|a| a.key.as_str()).collect()
        }
        AttributeUpdate::DeleteKeys { .. } | AttributeUpdate::Clear => Vec::new(),
    };
    let at = crate::hub::unix_now().as_millis() as u64;
    Ok(set
        .all()
        .iter()
        .map(|a| {
            let (by, ts) = match current.iter().find(|c| c.key == a.key) {
                Some(c) if !touched.contains(&a.key.as_str()) => {
                    (c.last_update_user_id.clone(), c.last_update_ts)
                }
                _ => (user.to_owned(), at),
            };
            ChannelAttribute {
                key: a.key.clone(),
                value: a.value.clone(),
                last_update_user_id: by,
                last_update_ts: ts,
            }
        })
        .collect())
}
