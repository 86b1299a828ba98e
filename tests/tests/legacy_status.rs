//! `get_status()` answers synchronously: 1 as soon as `login`/`login2` returns, 2 once logged
//! in, 3 while reconnecting, 0 once a logout or a failed login has been reported.

use std::time::Duration;

use sigshim_conformance::fixtures::expect_cb;
use sigshim_conformance::scenario::assert_no_callback;
use sigshim_conformance::{APP_ID, Backend, hub};
use tokio::time::advance;

const NO_TOKEN: &str = "_no_need_token";

async fn status_follows_login_and_logout(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    assert_eq!(l.sig.get_status(), 0, "before any login");
    l.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
    assert_eq!(l.sig.get_status(), 1, "right after login returns");
    l.cbs.wait("on_login_success").await;
    assert_eq!((l.sig.get_status(), l.sig.is_online()), (2, 1), "logged in");
    l.sig.logout();
    expect_cb(&mut l, "on_logout(101)").await;
    assert_eq!((l.sig.get_status(), l.sig.is_online()), (0, 0), "logged out");
    l.sig.login2(APP_ID, "alice", NO_TOKEN, 0, "", 30, 3);
    assert_eq!(l.sig.get_status(), 1, "right after login2 returns");
    l.cbs.wait("on_login_success").await;
    assert_eq!(l.sig.get_status(), 2, "logged in again");
}

async fn a_login_refused_at_once_ends_at_0(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.sig.login(APP_ID, "bad/account", NO_TOKEN, 0, "");
    assert_eq!(l.sig.get_status(), 1, "right after login returns");
    l.cbs.wait("on_login_failed").await;
    l.fence().await;
    assert_eq!(l.sig.get_status(), 0, "after the failure");
}

async fn two_logins_in_a_row_end_with_the_outcome_of_the_last(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    // Two good logins: the second is ignored once the first holds the session.
    l.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
    l.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
    assert_eq!(l.sig.get_status(), 1);
    l.cbs.wait("on_login_success").await;
    assert_no_callback(&mut l, &["on_login_success", "on_login_failed"]).await;
    assert_eq!(l.sig.get_status(), 2);
    l.sig.logout();
    expect_cb(&mut l, "on_logout(101)").await;
    assert_eq!(l.sig.get_status(), 0);

    // A refused login followed by a good one: "logging in" until the second is reported.
    l.sig.login(APP_ID, "null", NO_TOKEN, 0, "");
    l.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
    assert_eq!(l.sig.get_status(), 1);
    l.cbs.wait("on_login_failed").await;
    l.cbs.wait("on_login_success").await;
    assert_eq!(l.sig.get_status(), 2);

    // A good login followed by a refused one: the second is ignored, logged in stays.
    l.sig.logout();
    expect_cb(&mut l, "on_logout(101)").await;
    l.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
    l.sig.login(APP_ID, "null", NO_TOKEN, 0, "");
    l.cbs.wait("on_login_success").await;
    assert_no_callback(&mut l, &["on_login_success", "on_login_failed"]).await;
    assert_eq!(l.sig.get_status(), 2);
}

sigshim_conformance::per_backend!(
    status_follows_login_and_logout,
    a_login_refused_at_once_ends_at_0,
    two_logins_in_a_row_end_with_the_outcome_of_the_last
);

#[tokio::test(start_paused = true)]
async fn status_is_3_while_reconnecting() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.sig.login(APP_ID, "alice", NO_TOKEN, 0, "");
    assert_eq!(l.sig.get_status(), 1);
    l.cbs.wait("on_login_success").await;
    assert_eq!(l.sig.get_status(), 2);
    assert!(hub.disconnect_user("alice"));
    expect_cb(&mut l, "on_reconnecting(1)").await;
    assert_eq!((l.sig.get_status(), l.sig.is_online()), (3, 0), "reconnecting");
    advance(Duration::from_millis(500)).await; // the first backoff
    expect_cb(&mut l, "on_reconnected(1)").await;
    assert_eq!(l.sig.get_status(), 2, "reconnected");
    l.sig.logout();
    expect_cb(&mut l, "on_logout(101)").await;
    assert_eq!(l.sig.get_status(), 0);
}
