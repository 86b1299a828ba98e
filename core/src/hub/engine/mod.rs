//! The engine seam: where a hub's requests leave the process.
//!
//! A hub without an engine (the embedded default) answers every request on the caller's task,
//! at once: [`Handled::Ready`]. With an engine attached (the `redis` feature,
//! [`RedisEngine`]), a request whose answer depends on Redis (a peer message to a user on
//! another node, or one whose receipt waits for the receiver's ledger; channel lists, counts and
//! attributes; queries of users elsewhere) is answered later: [`Handled::Pending`], a future the
//! caller awaits. The embedded path builds no future and awaits nothing.

use std::future::Future;
use std::pin::Pin;

use crate::protocol::Reply;

#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{EngineError, EngineStats, RedisEngine, RedisEngineConfig};
#[cfg(feature = "redis")]
pub(crate) use self::redis::{Failed, UpdateFailed};

/// A reply that needs the engine: the caller awaits it (it always ends, with the engine's
/// outcome or a timeout).
pub type PendingReply = Pin<Box<dyn Future<Output = Reply> + Send + 'static>>;

/// How a hub answered a request.
#[must_use]
pub enum Handled {
    /// The reply, known at once (always so without an engine).
    Ready(Reply),
    /// The reply depends on the engine.
    Pending(PendingReply),
}

impl Handled {
    /// A reply that depends on the engine, from `work`, whose steps after the engine's answer
    /// (undoing a join that Redis refused, telling the members of an attribute update) must run
    /// whether or not anyone still waits for the reply: `work` runs as a task of the current
    /// runtime, and the reply waits for that task (`failed` if the task is lost). Outside a
    /// runtime, `work` is the reply's own future.
    #[cfg(feature = "redis")]
    pub(crate) fn detached(work: impl Future<Output = Reply> + Send + 'static, failed: i32) -> Self {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let task = runtime.spawn(work);
                Self::Pending(Box::pin(async move { task.await.unwrap_or(Reply::Error { code: failed }) }))
            }
            Err(_) => Self::Pending(Box::pin(work)),
        }
    }

    /// Waits for the reply.
    pub async fn reply(self) -> Reply {
        match self {
            Self::Ready(reply) => reply,
            Self::Pending(pending) => pending.await,
        }
    }
}

impl std::fmt::Debug for Handled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ready(reply) => f.debug_tuple("Ready").field(reply).finish(),
            Self::Pending(_) => f.write_str("Pending"),
        }
    }
}

impl From<Reply> for Handled {
    fn from(reply: Reply) -> Self {
        Self::Ready(reply)
    }
}

/// A hub's engine, when one is attached.
#[cfg(feature = "redis")]
pub(crate) type Slot = std::sync::OnceLock<std::sync::Arc<RedisEngine>>;

use std::sync::Arc;

use super::{Hub, Session};
use crate::error::LoginError;

/// A session admitted but not yet taken over by the engine: ended when dropped unclaimed (the
/// engine refused it, or the wait was dropped), so that no session is left without an owner.
pub(crate) struct Unclaimed<'a> {
    hub: &'a Hub,
    session: &'a Arc<Session>,
    claimed: bool,
}

impl<'a> Unclaimed<'a> {
    pub(crate) fn new(hub: &'a Hub, session: &'a Arc<Session>) -> Self {
        Self { hub, session, claimed: false }
    }

    /// The engine has the session: it is the caller's now.
    pub(crate) fn claim(&mut self) {
        self.claimed = true;
    }
}

impl Drop for Unclaimed<'_> {
    fn drop(&mut self) {
        if !self.claimed {
            self.hub.end(self.session, crate::protocol::CloseReason::LinkLost);
        }
    }
}

/// A login's wait for the engine.
pub(crate) type PendingLogin = Pin<Box<dyn Future<Output = Result<(), LoginError>> + Send + 'static>>;

impl Hub {
    /// The engine, when one is attached.
    #[cfg(feature = "redis")]
    pub(crate) fn engine(&self) -> Option<&Arc<RedisEngine>> {
        self.inner.engine.get()
    }

    /// True when the hub is a node of several (an engine is attached).
    pub fn has_engine(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.inner.engine.get().is_some();
        #[cfg(not(feature = "redis"))]
        false
    }

    /// False when the hub's engine cannot reach its store (always true without an engine).
    pub fn engine_healthy(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.inner.engine.get().is_none_or(|e| e.is_healthy());
        #[cfg(not(feature = "redis"))]
        true
    }

    /// The client of `session` has `event` (it acknowledged it, or took it in-process): with an
    /// engine, a peer message leaves the user's ledger.
    #[inline]
    pub(crate) fn delivered(&self, session: &Session, event: &crate::protocol::Event) {
        #[cfg(feature = "redis")]
        if let (Some(engine), crate::protocol::Event::PeerMessage { message, .. }) = (self.engine(), event) {
            engine.delivered(session.user_id(), &message.id.to_string());
        }
        let _ = (session, event);
    }

    /// Forgets what `unacked` holds up to `seq` (the client acknowledged it), telling the engine
    /// of each peer message it held.
    #[cfg(feature = "server")]
    pub(crate) fn acked(
        &self,
        session: &Session,
        unacked: &mut crate::window::Unacked<Arc<crate::protocol::Event>>,
        seq: u64,
    ) {
        #[cfg(feature = "redis")]
        if let Some(engine) = self.engine() {
            // One removal from the ledger for everything this acknowledgement covers.
            let mut ids = Vec::new();
            unacked.acked_each(seq, |event| {
                if let crate::protocol::Event::PeerMessage { message, .. } = &*event {
                    ids.push(message.id);
                }
            });
            engine.delivered_all(session.user_id(), &ids);
            return;
        }
        let _ = session;
        unacked.acked(seq);
    }

    /// What a new session must wait for before it is handed out: the engine taking its user
    /// over (none without an engine).
    pub(crate) fn join_engine(&self, session: &Arc<Session>) -> Option<PendingLogin> {
        #[cfg(feature = "redis")]
        if let Some(engine) = self.engine() {
            return Some(Box::pin(engine.register(session)));
        }
        let _ = session;
        None
    }
}

impl Hub {
    /// The engine's counters, when an engine is attached.
    #[cfg(feature = "redis")]
    pub fn engine_stats(&self) -> Option<EngineStats> {
        self.engine().map(|e| e.stats())
    }
}
