//! Golden transcripts of legacy sessions: every callback, in order, with its arguments, compared
//! line by line with `tests/golden/*.txt`. The `uid`s are CRC-32s of the accounts, so the files
//! are stable. `SIGSHIM_BLESS=1 cargo test -p sigshim-conformance --test golden_sessions`
//! rewrites the files instead of comparing (review the diff before keeping it).

use sigshim_conformance::Backend;
use sigshim_conformance::scenario::check_golden;
use sigshim_conformance::{APP_ID, Driver, LegacyDriver, hub};

/// Waits until the instance processed every call so far; leaves `on_dbg(end, transcript)` as the
/// last line, so that a late extra callback would show up before it.
async fn finish(l: &mut LegacyDriver) -> Vec<String> {
    l.sig.dbg("end", "transcript");
    l.cbs.wait_for("the end marker", |c| c.name == "on_dbg" && c.args == ["end", "transcript"]).await;
    l.cbs.transcript()
}

async fn legacy_session(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.sig.login(APP_ID, "alice", "_no_need_token", 0, "");
    l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    l.sig.query_user_status("alice");
    l.cbs.wait_any(&["on_query_user_status_result", "on_error"]).await;
    // bob is offline: the hub caches the message, which the legacy API reports as sent.
    l.sig.message_instant_send("bob", 0, "hello", "m1");
    l.cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
    l.sig.query_user_status("bob");
    l.cbs.wait_any(&["on_query_user_status_result", "on_error"]).await;
    l.sig.logout();
    l.cbs.wait("on_logout").await;
    l.sig.logout();
    l.cbs.wait("on_logout").await;
    l.sig.query_user_status("alice");
    l.cbs.wait_any(&["on_query_user_status_result", "on_error"]).await;
    check_golden("legacy_session.txt", &finish(&mut l).await);
}

async fn legacy_kicked_session(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.sig.login(APP_ID, "alice", "_no_need_token", 0, "");
    l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    let mut elsewhere = be.core(&hub, "alice");
    elsewhere.login(None).await.expect("login elsewhere");
    l.cbs.wait("on_logout").await;
    l.sig.message_instant_send("alice", 0, "are you there?", "m1");
    l.cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
    l.sig.logout();
    l.cbs.wait("on_logout").await;
    l.sig.login(APP_ID, "alice", "_no_need_token", 0, "");
    l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    assert_eq!(elsewhere.expect_kicked().await, 8);
    l.sig.logout();
    l.cbs.wait("on_logout").await;
    check_golden("legacy_kicked_session.txt", &finish(&mut l).await);
}

sigshim_conformance::per_backend!(legacy_session, legacy_kicked_session,);
