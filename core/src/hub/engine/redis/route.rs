//! The hub's calls into the engine: a login takes its user over, a session's end lets go,
//! peer messages to users held elsewhere, and online states from the registry in Redis.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use redis::{FromRedisValue, Value};
use serde::{Deserialize, Serialize};

use super::batch::Failed;
use super::inbound::{Item, NOT_HERE, NodeFrame};
use super::{RedisEngine, Session};
use crate::error::{LoginError, PeerMessageError as PE, RtmCode};
use crate::hub::engine::PendingReply;
use crate::hub::stats::Counters;
use crate::hub::unix_now;
use crate::message::Message;
use crate::protocol::{CallRole, CallSignal, Event, PeerOnlineState, PeerStatus, Reply};

/// A peer message as it sits in a user's box or ledger.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    /// The message ID, as text (the scripts key the ledger by it, exactly).
    id: String,
    from: String,
    message: Message,
    /// When it was stored (ms since the epoch): older than the offline TTL, it is dropped.
    at: u64,
}

impl RedisEngine {
    /// The owner entry of `session`.
    pub(super) fn owner_value(&self, session: &Session) -> String {
        format!("{}|{}", self.config.node_id, session.key())
    }

    /// Makes this login the owner of its user: a session of the same user on another node is
    /// kicked, and the user's stored messages (moved into the user's ledger) are queued to the
    /// session. Fails with a timeout or a failure when Redis does not answer.
    pub(crate) fn register(
        self: &Arc<Self>,
        session: &Arc<Session>,
    ) -> impl Future<Output = Result<(), LoginError>> + Send + 'static {
        let user = session.user_id();
        let mut cmd = self.scripts.register.call();
        cmd.arg(4).arg(self.user_keys(user));
        cmd.arg(self.attributes_key(user));
        cmd.arg(&self.config.node_id).arg(self.owner_value(session));
        cmd.arg(&self.keys.node_channel_prefix).arg(&self.keys.presence).arg(user);
        let outcome = self.call(cmd);
        self.index(self.users_of(&self.config.node_id), user);
        let (engine, session) = (self.clone(), session.clone());
        async move {
            let stored: Vec<Vec<u8>> = match outcome.await {
                Ok(v) => FromRedisValue::from_redis_value(v).unwrap_or_default(),
                Err(Failed::Timeout) => return Err(LoginError::Timeout),
                Err(failed) => {
                    tracing::warn!(?failed, "login: the engine did not answer");
                    return Err(LoginError::Unknown);
                }
            };
            engine.hand_over_stored(&session, &stored);
            Ok(())
        }
    }

    /// Queues a user's stored messages to its new session (they are in its ledger now), ahead
    /// of any live message that reached the session first (sent after them all: the owner entry
    /// that routes live messages here was set by the same script that took the box); those past
    /// the offline TTL are dropped from the ledger instead.
    fn hand_over_stored(&self, session: &Session, stored: &[Vec<u8>]) {
        let Some(hub) = self.hub() else { return };
        let ttl = hub.config().limits.offline_message_ttl.as_millis() as u64;
        let now = unix_now().as_millis() as u64;
        let mut events = Vec::with_capacity(stored.len());
        for entry in stored {
            let Ok(s) = serde_json::from_slice::<Stored>(entry) else { continue };
            if now.saturating_sub(s.at) > ttl {
                self.delivered(session.user_id(), &s.id);
                continue;
            }
            events.push(Arc::new(Event::PeerMessage { peer_id: s.from, message: s.message, offline: true }));
        }
        session.push_kept_first(events);
    }

    /// A user's keys for the scripts on peer messages: owner, box, ledger.
    pub(super) fn user_keys(&self, user: &str) -> Vec<String> {
        vec![self.keys.owner(user), self.keys.inbox(user), self.keys.ledger(user)]
    }

    /// The client of `user` has message `id` (it acknowledged it, or took it from its inbox):
    /// out of the user's ledger.
    pub(crate) fn delivered(&self, user: &str, id: &str) {
        let mut cmd = redis::cmd("HDEL");
        cmd.arg(self.keys.ledger(user)).arg(id);
        self.fire(cmd);
    }

    /// The client of `user` acknowledged the messages `ids`: one removal for them all.
    pub(crate) fn delivered_all(&self, user: &str, ids: &[u64]) {
        if ids.is_empty() {
            return;
        }
        let mut cmd = redis::cmd("HDEL");
        cmd.arg(self.keys.ledger(user));
        for id in ids {
            cmd.arg(id.to_string());
        }
        self.fire(cmd);
    }

    /// Writes a message this node queued to a local session into the receiver's ledger, so
    /// that the sender's receipt survives this node; done when Redis has it.
    pub(crate) fn hold(
        &self,
        to: &str,
        from: &str,
        message: &Message,
    ) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
        let mut cmd = redis::cmd("HSET");
        cmd.arg(self.keys.ledger(to)).arg(message.id.to_string());
        cmd.arg(self.stored_entry(from, message).unwrap_or_default());
        let held = self.call(cmd);
        async move { held.await.map(drop) }
    }

    /// The session ended: its user lets go of the owner entry if it is still this session's.
    /// The call is queued at once and always sent; the future tells when Redis has run it (or
    /// that Redis did not answer in time).
    pub(crate) fn unregister(&self, session: &Session) -> impl Future<Output = ()> + Send + 'static {
        let user = session.user_id();
        let (_, ttl) = self.box_limits();
        let mut cmd = self.scripts.unregister.call();
        cmd.arg(4).arg(self.user_keys(user));
        cmd.arg(self.attributes_key(user));
        cmd.arg(self.owner_value(session)).arg(&self.keys.presence).arg(user).arg(ttl);
        // Sent whatever happens (a call nobody waits for is never dropped from the queue); the
        // PING behind it on the ordered stream tells when Redis has run it.
        self.fire(cmd);
        self.unindex(self.users_of(&self.config.node_id), user);
        let done = self.call(redis::cmd("PING"));
        async move {
            if let Err(failed) = done.await {
                tracing::warn!(?failed, "logout: the engine did not answer");
            }
        }
    }

    /// Hands `item` from `from` to the node that holds `to`, and waits for that node's answer.
    /// With no live owner, `stored` (a stored entry) goes to the user's box; without it the
    /// verdict is `unreachable`.
    pub(super) fn route(
        self: &Arc<Self>,
        from: &str,
        to: &str,
        item: Item,
        entry: Option<(&str, &str, bool)>,
    ) -> impl Future<Output = Routed> + Send + 'static {
        let call = self.next_call.fetch_add(1, Ordering::Relaxed);
        let deliver = NodeFrame::Deliver {
            call,
            node: self.config.node_id.clone(),
            from: from.to_owned(),
            to: to.to_owned(),
            item,
        };
        let deliver = serde_json::to_string(&deliver).ok();
        let (answer_tx, answer) = tokio::sync::oneshot::channel();
        let outcome = deliver.map(|deliver| {
            self.waiting.lock().insert(call, answer_tx);
            let (cap, ttl) = self.box_limits();
            // (message ID, stored entry, store when offline); none for a call signal.
            let (id, stored, offline) = entry.unwrap_or(("", "", false));
            let mut cmd = self.scripts.send.call();
            cmd.arg(3).arg(self.user_keys(to));
            cmd.arg(&self.keys.node_channel_prefix).arg(deliver).arg(if offline { "1" } else { "0" });
            cmd.arg(stored).arg(cap).arg(ttl).arg(&self.keys.presence).arg(to);
            cmd.arg(&self.config.node_id).arg(id).arg(self.keys.lease_of(""));
            self.call(cmd)
        });
        // Takes the entry out of the waiting map however the wait ends, dropped included.
        let waiting = Waiting { engine: self.clone(), call };
        async move {
            let Some(outcome) = outcome else {
                return Routed::Failed(Failed::Unavailable("unencodable".into()));
            };
            let verdict: String = match outcome.await {
                Ok(v) => FromRedisValue::from_redis_value(v).unwrap_or_default(),
                Err(failed) => return Routed::Failed(failed),
            };
            if verdict != "routed" {
                return Routed::Verdict(verdict);
            }
            let answered = tokio::time::timeout(waiting.engine.config.call_timeout, answer).await;
            drop(waiting);
            match answered {
                Ok(Ok(code)) => Routed::Answered(code),
                _ => Routed::Failed(Failed::Timeout),
            }
        }
    }

    /// A peer message to a user this node does not hold: to the owner's node, else to the
    /// user's box (`offline`), else unreachable. `receipt` is the reply when it is delivered.
    pub(crate) fn send_peer(
        self: &Arc<Self>,
        from: &str,
        to: &str,
        message: Message,
        offline: bool,
        receipt: Reply,
    ) -> PendingReply {
        let Some(stored) = self.stored_entry(from, &message) else {
            return Box::pin(async { Reply::Error { code: PE::Failure.code() } });
        };
        let id = message.id.to_string();
        let routed =
            self.route(from, to, Item::Message { message, offline: false }, Some((&id, &stored, offline)));
        let engine = self.clone();
        let to = to.to_owned();
        Box::pin(async move {
            match routed.await {
                // In the receiver's inbox, or held for its parked session: in its ledger until
                // its client has it.
                Routed::Answered(code @ (0 | 4)) => {
                    if code == 0 {
                        receipt
                    } else {
                        Reply::Error { code }
                    }
                }
                Routed::Answered(NOT_HERE) => engine.unroute(&to, &id, stored, offline, receipt).await,
                Routed::Answered(code) => {
                    engine.delivered(&to, &id);
                    Reply::Error { code }
                }
                Routed::Verdict(verdict) => engine.settle(&verdict, receipt),
                Routed::Failed(failed) => Reply::Error { code: failure_code(&failed) },
            }
        })
    }

    /// A call signal to a user this node does not hold; whether the user's node delivered it
    /// (`None`: the engine did not answer).
    pub(crate) fn send_call(
        self: &Arc<Self>,
        from: &str,
        to: &str,
        id: u64,
        by: CallRole,
        signal: CallSignal,
    ) -> impl Future<Output = Option<bool>> + Send + 'static {
        let routed = self.route(from, to, Item::Call { id, by, signal }, None);
        async move {
            match routed.await {
                Routed::Answered(code) => Some(code == 0),
                Routed::Verdict(_) => Some(false),
                Routed::Failed(_) => None,
            }
        }
    }

    /// Tells the node that holds `to` that `from`'s session ended with an invitation open,
    /// without waiting for an answer.
    pub(crate) fn announce_gone(&self, from: &str, to: &str, id: u64, by: CallRole) {
        let deliver = NodeFrame::Deliver {
            call: 0,
            node: self.config.node_id.clone(),
            from: from.to_owned(),
            to: to.to_owned(),
            item: Item::Call { id, by, signal: CallSignal::PeerGone },
        };
        let Ok(deliver) = serde_json::to_string(&deliver) else { return };
        // The box's real limits: on a dead owner's path the script moves the ledger to the box.
        let (cap, ttl) = self.box_limits();
        let mut cmd = self.scripts.send.call();
        cmd.arg(3).arg(self.user_keys(to));
        cmd.arg(&self.keys.node_channel_prefix).arg(deliver).arg("0").arg("").arg(cap).arg(ttl);
        cmd.arg(&self.keys.presence).arg(to).arg(&self.config.node_id).arg("").arg(self.keys.lease_of(""));
        self.fire(cmd);
    }

    /// Hands a peer message a session of this node held unconfirmed (it ended: another node's
    /// login took `to` over) to the user's current node, which delivers it at once, marked
    /// offline, if the user's ledger still holds it. It stays in the ledger until that session's
    /// client confirms it.
    pub(crate) fn redeliver(&self, from: &str, to: &str, message: Message) {
        let id = message.id.to_string();
        let deliver = NodeFrame::Deliver {
            call: 0,
            node: self.config.node_id.clone(),
            from: from.to_owned(),
            to: to.to_owned(),
            item: Item::Message { message, offline: true },
        };
        let Ok(deliver) = serde_json::to_string(&deliver) else { return };
        let mut cmd = self.scripts.redeliver.call();
        cmd.arg(2).arg(self.keys.owner(to)).arg(self.keys.ledger(to));
        cmd.arg(&self.keys.node_channel_prefix).arg(deliver).arg(&self.config.node_id).arg(id);
        self.fire(cmd);
    }

    /// The receiver's node no longer held the user: the message leaves the ledger, for the box
    /// (`offline`) or for nowhere.
    async fn unroute(&self, to: &str, id: &str, stored: String, offline: bool, receipt: Reply) -> Reply {
        let (cap, ttl) = self.box_limits();
        let mut cmd = self.scripts.unroute.call();
        cmd.arg(2).arg(self.keys.inbox(to)).arg(self.keys.ledger(to));
        cmd.arg(id).arg(stored).arg(if offline { "1" } else { "0" }).arg(cap).arg(ttl);
        match self.call(cmd).await {
            Ok(v) => self.settle(&String::from_redis_value(v).unwrap_or_default(), receipt),
            Err(failed) => Reply::Error { code: failure_code(&failed) },
        }
    }

    /// The reply for a script's verdict on the offline path.
    fn settle(&self, verdict: &str, receipt: Reply) -> Reply {
        let Some(hub) = self.hub() else { return Reply::Error { code: PE::Failure.code() } };
        let counters = &hub.inner.counters;
        match verdict {
            "stored" => {
                Counters::bump(&counters.peer_messages_cached);
                Reply::Error { code: PE::CachedByServer.code() }
            }
            "unreachable" | "full" => {
                Counters::bump(&counters.peer_messages_unreachable);
                Reply::Error { code: PE::PeerUnreachable.code() }
            }
            _ => {
                drop(receipt);
                Reply::Error { code: PE::Failure.code() }
            }
        }
    }

    fn stored_entry(&self, from: &str, message: &Message) -> Option<String> {
        let at = unix_now().as_millis() as u64;
        let stored =
            Stored { id: message.id.to_string(), from: from.to_owned(), message: message.clone(), at };
        serde_json::to_string(&stored).ok()
    }

    /// The per-user cap and the expiry (ms) of offline boxes.
    fn box_limits(&self) -> (usize, u64) {
        match self.hub() {
            Some(hub) => {
                let l = &hub.config().limits;
                (l.offline_messages_per_user, l.offline_message_ttl.as_millis() as u64)
            }
            None => (0, 0),
        }
    }

    /// The online state of each user, in order: online when an owner entry names a node whose
    /// lease is alive.
    pub(crate) fn online(
        &self,
        users: Vec<String>,
    ) -> impl Future<Output = Result<Vec<PeerStatus>, Failed>> + Send + 'static {
        let mut cmd = redis::cmd("MGET");
        for u in &users {
            cmd.arg(self.keys.owner(u));
        }
        let owners = self.call(cmd);
        let lease_prefix = self.keys.lease_of("");
        let ops = self.ops.clone();
        async move {
            let owners: Vec<Option<String>> =
                FromRedisValue::from_redis_value(owners.await?).unwrap_or_default();
            let nodes: Vec<&str> =
                owners.iter().flatten().filter_map(|o| o.rsplit_once('|')).map(|(n, _)| n).collect();
            let mut alive: HashMap<&str, bool> = HashMap::new();
            if !nodes.is_empty() {
                let mut cmd = redis::cmd("MGET");
                for n in &nodes {
                    cmd.arg(format!("{lease_prefix}{n}"));
                }
                let leases = ops.call(cmd).await?;
                let leases: Vec<Option<Value>> = FromRedisValue::from_redis_value(leases).unwrap_or_default();
                for (n, l) in nodes.iter().zip(leases) {
                    alive.insert(n, l.is_some());
                }
            }
            Ok(users
                .into_iter()
                .zip(owners.iter())
                .map(|(peer_id, owner)| {
                    let live = owner
                        .as_deref()
                        .and_then(|o| o.rsplit_once('|'))
                        .is_some_and(|(n, _)| alive.get(n).copied().unwrap_or(false));
                    let state = if live { PeerOnlineState::Online } else { PeerOnlineState::Offline };
                    PeerStatus { peer_id, state }
                })
                .collect())
        }
    }
}

/// An entry of the waiting map, removed when dropped.
struct Waiting {
    engine: Arc<RedisEngine>,
    call: u64,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.engine.waiting.lock().remove(&self.call);
    }
}

/// What became of a routed item.
pub(super) enum Routed {
    /// The owner's node answered: 0 (in the inbox), an RTM code, or [`NOT_HERE`].
    Answered(i32),
    /// No live owner: the send script's verdict (`stored`, `unreachable`, `full`).
    Verdict(String),
    /// The engine did not answer.
    Failed(Failed),
}

/// The peer message code for an engine call without a result.
fn failure_code(failed: &Failed) -> i32 {
    match failed {
        Failed::Timeout => PE::Timeout.code(),
        _ => PE::Failure.code(),
    }
}
