//! How sessions end: at the client's request (logout), when their link is gone, when another
//! login replaces them, or when the hub drops them; what each ending undoes, and, with an
//! engine, how Redis lets go of the user.

use std::sync::Arc;

use super::{Handled, Hub, Session, calls, channel_ops};
use crate::protocol::{CloseReason, PeerOnlineState, Reply};

impl Hub {
    /// Ends a session and, if it was the user's current one, takes the user offline.
    pub(super) fn end(&self, session: &Arc<Session>, reason: CloseReason) {
        #[cfg(feature = "redis")]
        if let Some(engine) = self.engine() {
            // Nobody waits for the engine's update here; it is queued all the same.
            drop(self.end_on_engine(engine, session, reason));
            return;
        }
        // A login that raced in after the removal has already announced the user online.
        if self.close_session(session, reason)
            && self.inner.registry.remove(session)
            && self.inner.registry.get(session.user_id()).is_none()
        {
            let drops = &self.inner.counters.inbox_full_drops;
            self.inner.watchers.notify(session.user_id(), PeerOnlineState::Offline, drops);
        }
    }

    /// Ends a session on a hub with an engine; the future resolves once Redis has let go of
    /// the user (or failed to), `None` when the session had already ended.
    #[cfg(feature = "redis")]
    fn end_on_engine(
        &self,
        engine: &super::engine::RedisEngine,
        session: &Arc<Session>,
        reason: CloseReason,
    ) -> Option<impl std::future::Future<Output = ()> + Send + 'static> {
        (self.close_session(session, reason) && self.inner.registry.remove(session))
            .then(|| engine.unregister(session))
    }

    /// Ends a session at its client's request. With an engine the reply waits until Redis has
    /// let go of the user, so that once the client has it, every node reads the user offline.
    pub(super) fn log_out(&self, session: &Arc<Session>) -> Handled {
        #[cfg(feature = "redis")]
        if let Some(engine) = self.engine() {
            return match self.end_on_engine(engine, session, CloseReason::LoggedOut) {
                Some(gone) => Handled::Pending(Box::pin(async move {
                    gone.await;
                    Reply::Ok
                })),
                None => Handled::Ready(Reply::Ok),
            };
        }
        self.end(session, CloseReason::LoggedOut);
        Handled::Ready(Reply::Ok)
    }

    /// Ends a replaced session without touching the user's online state.
    pub(super) fn retire(&self, session: &Arc<Session>, reason: CloseReason) {
        self.close_session(session, reason);
    }

    /// Closes a session and undoes what it held: its parked link (undelivered peer messages go
    /// to the offline store), its channels and its subscriptions. False if it had already ended.
    fn close_session(&self, session: &Arc<Session>, reason: CloseReason) -> bool {
        let subscriptions = std::mem::take(&mut session.state.lock().subscriptions);
        if !session.close(reason) {
            return false;
        }
        let open_calls = std::mem::take(&mut session.state.lock().calls);
        calls::announce_gone(self, session.user_id(), open_calls);
        if let Some(link) = self.inner.parking.forget(session) {
            self.salvage(session, link);
        }
        channel_ops::leave_all(self, session);
        self.inner.watchers.unwatch(session, &subscriptions);
        tracing::debug!(user = %session.user_id(), session = session.key(), ?reason, "session ended");
        true
    }
}
