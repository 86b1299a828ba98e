//! Calls made while the session reconnects: held in call order until the link is back, then
//! run; or, when the session ends instead, answered as calls without a session.
//!
//! While the core client reconnects (`get_status() == 3`), a call that needs the session
//! ([`Command::needs_session`]) is held rather than failed with "not logged in". Once anything
//! is held, every later call waits behind it, whatever it is, so that callbacks keep call order.
//! The reconnect itself is bounded by `login2`'s retry limits (the core client's
//! `ReconnectPolicy`), and so is the wait.
//!
//! - The link is back: after `on_reconnected`, the held calls run in call order, one at a time,
//!   as if they had just been made.
//! - The reconnects run out (or the session is otherwise lost): the session-loss callbacks come
//!   first (`on_channel_leaved`, `on_logout`), then each held send fails with
//!   `on_message_send_error(msg_id, 400)` and every other held call gets the answer it gets
//!   without a session.
//! - `logout` and `destroy` are never held and do not wait for the reconnect: they take effect
//!   at once, and the held calls (made before them) fail in the same way first, before the
//!   logout's own callbacks (`on_channel_leaved(…, 603)`, `on_logout(101)`).
//!
//! Memory stays bounded: at most [`HOLD_MAX`] calls are held. At the cap the actor stops taking
//! calls from the instance's command queue, which then fills; calls beyond it are refused with
//! `on_error(name, 1001, …)` as at any full queue, and nothing already accepted is dropped. A
//! `logout` or `destroy` queued behind a full hold still takes effect at once: the instance's
//! handle counts the ones it queued ([`Ends`]), and while one is queued the actor reads on past
//! the cap (at most one queue's worth more) until it reaches it. A `logout` that finds the queue
//! itself full is refused like any other call (a later call must not overtake it); a `destroy`
//! is queued as soon as there is room.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::command::Command;

/// At most this many calls are held; as many as the command queue holds.
pub(crate) const HOLD_MAX: usize = crate::signaling::COMMAND_QUEUE;

/// The `logout` and `destroy` calls queued for the actor but not yet taken, shared by the
/// instance's handle (which counts them in) and its actor (which counts them off).
#[derive(Debug, Default)]
pub(crate) struct Ends {
    queued: AtomicUsize,
    /// Wakes an actor whose hold is full when one is queued.
    wake: Notify,
}

impl Ends {
    /// On the caller's thread, before a `logout` or `destroy` is queued.
    pub(crate) fn queuing(&self) {
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// On the caller's thread, when the call counted by [`queuing`](Self::queuing) could not be
    /// queued.
    pub(crate) fn not_queued(&self) {
        self.count_off();
    }

    /// In the actor, when it takes a `logout` or `destroy` from the queue.
    fn count_off(&self) {
        let _ = self.queued.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Whether one is queued.
    fn pending(&self) -> bool {
        self.queued.load(Ordering::SeqCst) > 0
    }
}

/// The held calls, oldest first.
#[derive(Debug)]
pub(crate) struct Hold {
    held: VecDeque<Command>,
    ends: Arc<Ends>,
}

impl Hold {
    /// Nothing held; `ends` is shared with the instance's handle.
    pub(crate) fn new(ends: Arc<Ends>) -> Self {
        Self { held: VecDeque::new(), ends }
    }

    /// Whether nothing is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Whether the hold is at [`HOLD_MAX`].
    pub(crate) fn is_full(&self) -> bool {
        self.held.len() >= HOLD_MAX
    }

    /// Whether the actor may take the next call from the command queue: below the cap, or a
    /// `logout` / `destroy` is queued behind a full hold.
    pub(crate) fn can_take(&self) -> bool {
        !self.is_full() || self.ends.pending()
    }

    /// Ready when a `logout` or `destroy` may have been queued since the last look (the actor
    /// then checks [`can_take`](Self::can_take) again).
    pub(crate) async fn end_queued(&self) {
        self.ends.wake.notified().await;
    }

    /// The actor took a `logout` or `destroy` from the queue.
    pub(crate) fn end_taken(&self) {
        self.ends.count_off();
    }

    /// Whether `cmd` must wait: something is held already, or the session reconnects and `cmd`
    /// needs it.
    pub(crate) fn holds(&self, cmd: &Command, reconnecting: bool) -> bool {
        !self.is_empty() || (reconnecting && cmd.needs_session())
    }

    /// Holds `cmd` behind the others.
    pub(crate) fn push(&mut self, cmd: Command) {
        self.held.push_back(cmd);
    }

    /// The oldest held call.
    pub(crate) fn pop(&mut self) -> Option<Command> {
        self.held.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> Command {
        Command::QueryUserStatus { account: "bob".into() }
    }

    fn dbg() -> Command {
        Command::Dbg { a: "a".into(), b: "b".into() }
    }

    #[test]
    fn calls_needing_the_session_wait_while_reconnecting_and_the_rest_behind_them() {
        let mut hold = Hold::new(Arc::default());
        assert!(!hold.holds(&query(), false), "connected");
        assert!(!hold.holds(&dbg(), true), "dbg needs no session");
        assert!(hold.holds(&query(), true));
        hold.push(query());
        assert!(hold.holds(&dbg(), true), "behind a held call");
        assert!(hold.holds(&dbg(), false), "still behind it once reconnected");
        hold.push(dbg());
        assert!(matches!(hold.pop(), Some(Command::QueryUserStatus { .. })));
        assert!(matches!(hold.pop(), Some(Command::Dbg { .. })));
        assert!(hold.is_empty());
    }

    #[test]
    fn a_full_hold_takes_calls_only_while_a_logout_is_queued() {
        let ends = Arc::new(Ends::default());
        let mut hold = Hold::new(ends.clone());
        for _ in 0..HOLD_MAX {
            assert!(hold.can_take());
            hold.push(dbg());
        }
        assert!(hold.is_full());
        assert!(!hold.can_take(), "backpressure at the cap");
        ends.queuing();
        assert!(hold.can_take(), "reads on to reach the logout");
        hold.end_taken();
        assert!(!hold.can_take());
        ends.queuing();
        ends.not_queued();
        assert!(!hold.can_take(), "a logout that was not queued");
        hold.end_taken();
        assert!(!hold.can_take(), "never below zero");
    }

    #[tokio::test]
    async fn a_queued_end_wakes_a_full_hold() {
        let ends = Arc::new(Ends::default());
        let hold = Hold::new(ends.clone());
        ends.queuing();
        tokio::time::timeout(std::time::Duration::from_secs(5), hold.end_queued())
            .await
            .expect("the wake-up is kept until the actor looks");
    }
}
