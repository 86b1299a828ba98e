//! What other nodes send this one, over Redis pub/sub: deliveries of peer messages, answers to
//! this node's deliveries, kicks, and everyone's presence changes.
//!
//! Handled synchronously as it arrives (Redis's push sender): a delivery is pushed into the
//! receiver's inbox at once, and its answer is queued on the ordered stream.

use std::sync::{Arc, Weak};

use redis::{PushInfo, PushKind, Value};
use serde::{Deserialize, Serialize};

use super::RedisEngine;
use crate::hub::session::Push;
use crate::hub::stats::Counters;
use crate::message::Message;
use crate::protocol::{CallRole, CallSignal, CloseReason, Event, KickReason, PeerOnlineState};

/// The answer of a node that does not hold the receiver (its session ended meanwhile): the
/// sender's node then takes the offline path.
pub(super) const NOT_HERE: i32 = -1;

/// A frame on a node's channel.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum NodeFrame {
    /// Something for a user this node holds; answer to `node` under `call` (0: no answer).
    Deliver { call: u64, node: String, from: String, to: String, item: Item },
    /// The outcome of a delivery: 0 (in the inbox), an RTM peer message code, or [`NOT_HERE`].
    Answer { call: u64, code: i32 },
}

/// What a delivery carries.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Item {
    /// A peer message; `offline` when it was held for an earlier session of the user (as a
    /// stored message is).
    Message {
        message: Message,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        offline: bool,
    },
    /// One step of an invitation (from the sender's side `by`).
    Call { id: u64, by: CallRole, signal: CallSignal },
}

/// A kick, as the register script writes it.
#[derive(Debug, Deserialize)]
struct KickFrame {
    kick: Kick,
}

#[derive(Debug, Deserialize)]
struct Kick {
    user: String,
    owner: String,
}

/// A presence change, as the scripts write it.
#[derive(Debug, Deserialize)]
struct PresenceFrame {
    user: String,
    online: bool,
    /// Set when a sweep took the user offline (its node died).
    #[serde(default)]
    swept: bool,
}

/// The push sender handed to the connection: hands each pub/sub message to the engine.
pub(super) fn sender(
    engine: Weak<RedisEngine>,
) -> impl Fn(PushInfo) -> Result<(), redis::aio::SendError> + Send + Sync {
    move |push: PushInfo| {
        let Some(engine) = engine.upgrade() else { return Err(redis::aio::SendError) };
        match push.kind {
            PushKind::Message => {
                if let [channel, payload] = push.data.as_slice() {
                    engine.on_message(text(channel), text(payload));
                }
            }
            PushKind::Disconnection => {
                tracing::warn!("the pub/sub link to Redis dropped; answers in flight will time out");
            }
            _ => {}
        }
        Ok(())
    }
}

fn text(v: &Value) -> &[u8] {
    match v {
        Value::BulkString(b) => b,
        Value::SimpleString(s) => s.as_bytes(),
        _ => &[],
    }
}

impl RedisEngine {
    fn on_message(self: &Arc<Self>, channel: &[u8], payload: &[u8]) {
        if let Some(id) = channel.strip_prefix(self.keys.channel_prefix.as_bytes()) {
            self.on_channel(&String::from_utf8_lossy(id), payload);
        } else if channel == self.keys.presence.as_bytes() {
            if let Ok(p) = serde_json::from_slice::<PresenceFrame>(payload) {
                self.on_presence(&p.user, p.online);
                // A walk over every session: off the Redis reader, which must keep reading.
                if p.swept
                    && let (Some(hub), Ok(rt)) = (self.hub(), tokio::runtime::Handle::try_current())
                {
                    rt.spawn(async move { crate::hub::calls::peer_swept(&hub, &p.user) });
                }
            }
        } else if let Ok(frame) = serde_json::from_slice::<NodeFrame>(payload) {
            match frame {
                NodeFrame::Deliver { call, node, from, to, item } => {
                    let code = match item {
                        Item::Message { message, offline } => self.deliver(&from, &to, message, offline),
                        Item::Call { id, by, signal } => self.deliver_call(&from, &to, id, by, signal),
                    };
                    if call != 0 {
                        self.answer(&node, call, code);
                    }
                }
                NodeFrame::Answer { call, code } => {
                    if let Some(waiting) = self.waiting.lock().remove(&call) {
                        let _ = waiting.send(code);
                    }
                }
            }
        } else if let Ok(k) = serde_json::from_slice::<KickFrame>(payload) {
            self.on_kick(&k.kick.user, &k.kick.owner);
        } else {
            tracing::warn!(len = payload.len(), "an engine message this node does not understand");
        }
    }

    /// Pushes a peer message from another node into the receiver's inbox; the code to answer.
    fn deliver(&self, from: &str, to: &str, message: Message, offline: bool) -> i32 {
        let Some(hub) = self.hub() else { return NOT_HERE };
        let Some(session) = hub.inner.registry.get(to) else { return NOT_HERE };
        let counters = &hub.inner.counters;
        let ev = Event::PeerMessage { peer_id: from.to_owned(), message, offline };
        match session.try_push(Arc::new(ev)) {
            Ok(()) if session.is_parked() => {
                Counters::bump(&counters.peer_messages_cached);
                crate::error::PeerMessageError::CachedByServer.code()
            }
            Ok(()) => {
                Counters::bump(&counters.peer_messages_delivered);
                0
            }
            Err((Push::Full, _)) => {
                Counters::bump(&counters.inbox_full_drops);
                crate::error::PeerMessageError::Failure.code()
            }
            Err(_) => NOT_HERE,
        }
    }

    /// Hands a call signal from another node to the session it is for: 0 when delivered.
    fn deliver_call(&self, from: &str, to: &str, id: u64, by: CallRole, signal: CallSignal) -> i32 {
        let Some(hub) = self.hub() else { return NOT_HERE };
        let Some(peer) = hub.inner.registry.get(to).filter(|p| !p.is_closed()) else { return NOT_HERE };
        if signal == CallSignal::PeerGone {
            crate::hub::calls::gone(&hub, &peer, from, id, by);
            return 0;
        }
        if crate::hub::calls::receive(&hub, &peer, from, id, by, signal) { 0 } else { 1 }
    }

    fn answer(&self, node: &str, call: u64, code: i32) {
        let frame = NodeFrame::Answer { call, code };
        let Ok(payload) = serde_json::to_string(&frame) else { return };
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(format!("{}{node}", self.keys.node_channel_prefix)).arg(payload);
        self.fire(cmd);
    }

    /// Another node took over `user`: end the session the owner entry named, if it is here.
    fn on_kick(&self, user: &str, owner: &str) {
        let Some(hub) = self.hub() else { return };
        let Some(session) = hub.inner.registry.get(user) else { return };
        if self.owner_value(&session) == owner {
            hub.end(&session, CloseReason::Kicked(KickReason::RemoteLogin));
        }
    }

    fn on_presence(&self, user: &str, online: bool) {
        let Some(hub) = self.hub() else { return };
        let state = if online { PeerOnlineState::Online } else { PeerOnlineState::Offline };
        hub.inner.watchers.notify(user, state, &hub.inner.counters.inbox_full_drops);
    }
}

use crate::error::RtmCode as _;
