//! The login status `Signaling::get_status` answers, shared by the caller's thread and the
//! instance's actor.
//!
//! The legacy SDK set "logging in" inside `login` itself, so an application that reads the
//! status right after the call sees 1. The caller's thread therefore moves the status from 0 to 1
//! before it queues the login, and counts the logins it queued; the actor counts them off as it
//! takes them. When the actor goes back to "not logged in" (a failed login, a completed logout, a
//! lost session) while a queued login is still to run, the status stays "logging in": whatever
//! the interleaving, the value read after the last call settles is the one its outcome set.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use sigshim_mapping::LoginStatus;

/// The status cell and the number of logins queued but not yet taken by the actor.
#[derive(Debug)]
pub(crate) struct StatusCell {
    status: AtomicI32,
    queued_logins: AtomicU32,
}

impl Default for StatusCell {
    fn default() -> Self {
        Self { status: AtomicI32::new(LoginStatus::NotLogin.code()), queued_logins: AtomicU32::new(0) }
    }
}

impl StatusCell {
    /// The current status code (0 to 3).
    pub(crate) fn get(&self) -> i32 {
        self.status.load(Ordering::SeqCst)
    }

    /// Whether the status is `s`.
    pub(crate) fn is(&self, s: LoginStatus) -> bool {
        self.get() == s.code()
    }

    /// Sets the status (the actor's transitions other than back to "not logged in").
    pub(crate) fn set(&self, s: LoginStatus) {
        self.status.store(s.code(), Ordering::SeqCst);
    }

    /// On the caller's thread, before a login is queued: counts it and shows "logging in" when
    /// the instance was not logged in. Returns whether this call set it, for
    /// [`login_not_queued`](Self::login_not_queued).
    pub(crate) fn login_called(&self) -> bool {
        self.queued_logins.fetch_add(1, Ordering::SeqCst);
        self.start_logining()
    }

    /// On the caller's thread, when the login could not be queued: uncounts it and undoes what
    /// [`login_called`](Self::login_called) set.
    pub(crate) fn login_not_queued(&self, set_logining: bool) {
        self.queued_logins.fetch_sub(1, Ordering::SeqCst);
        if set_logining {
            let _ = self.status.compare_exchange(
                LoginStatus::Logining.code(),
                LoginStatus::NotLogin.code(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        }
    }

    /// In the actor, when it takes a queued login.
    pub(crate) fn login_taken(&self) {
        let _ = self.queued_logins.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// In the actor, when it takes a queued login and ignores it (made while a session existed):
    /// counts it off and, with no other login queued, leaves "logging in" for "not logged in".
    pub(crate) fn login_ignored(&self) {
        self.login_taken();
        if self.queued_logins.load(Ordering::SeqCst) == 0 {
            let _ = self.status.compare_exchange(
                LoginStatus::Logining.code(),
                LoginStatus::NotLogin.code(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        }
    }

    /// In the actor: "not logged in", or "logging in" while a queued login is still to run.
    pub(crate) fn set_not_login(&self) {
        self.status.store(LoginStatus::NotLogin.code(), Ordering::SeqCst);
        if self.queued_logins.load(Ordering::SeqCst) > 0 {
            self.start_logining();
        }
    }

    fn start_logining(&self) -> bool {
        self.status
            .compare_exchange(
                LoginStatus::NotLogin.code(),
                LoginStatus::Logining.code(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_shows_logining_until_the_actor_settles_it() {
        let s = StatusCell::default();
        assert_eq!(s.get(), 0);
        assert!(s.login_called());
        assert_eq!(s.get(), 1, "right after the call");
        s.login_taken();
        s.set_not_login();
        assert_eq!(s.get(), 0, "a refused login ends at 0");
    }

    #[test]
    fn a_queued_login_keeps_logining_after_an_earlier_failure() {
        let s = StatusCell::default();
        assert!(s.login_called());
        assert!(!s.login_called(), "already logging in");
        s.login_taken();
        s.set_not_login();
        assert_eq!(s.get(), 1, "the second login is still to run");
        s.login_taken();
        s.set(LoginStatus::Logined);
        assert_eq!(s.get(), 2);
    }

    #[test]
    fn an_ignored_login_leaves_logining_when_it_was_the_last() {
        let cell = StatusCell::default();
        cell.set(LoginStatus::Reconnecting);
        assert!(!cell.login_called(), "a login while reconnecting does not show 1");
        cell.set_not_login(); // the session is lost with the login still queued
        assert_eq!(cell.get(), LoginStatus::Logining.code());
        cell.login_ignored();
        assert_eq!(cell.get(), LoginStatus::NotLogin.code());
    }

    #[test]
    fn a_login_not_queued_is_undone() {
        let s = StatusCell::default();
        let set = s.login_called();
        s.login_not_queued(set);
        assert_eq!(s.get(), 0);
        s.set(LoginStatus::Logined);
        assert!(!s.login_called());
        assert_eq!(s.get(), 2, "a login while logged in changes nothing");
        s.login_taken();
        assert_eq!(s.get(), 2);
    }
}
