//! Session scenarios with network faults, on paused time: login timeouts and the legacy login
//! retries, reconnects after a lost link, and reconnect policies that run out.
//!
//! Every timer-driven step first moves the clock to the exact moment with `advance`, then looks
//! at what happened.

use std::time::Duration;

use sigshim::client::ReconnectPolicy;
use sigshim::error::LoginError;
use sigshim::{
    Client, ClientEvent, ConnectionChangeReason as R, ConnectionState as S, PeerOnlineState, PeerStatus,
};
use sigshim_conformance::Backend;
use sigshim_conformance::scenario::*;
use sigshim_conformance::{APP_ID, CoreDriver, Driver, Fail, FailKind as K, LegacyDriver, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

fn logged_in() -> [ClientEvent; 2] {
    [state(S::Connecting, R::Login), state(S::Connected, R::LoginSuccess)]
}

/// A legacy instance reaching the hub through `connector`, with a 1 s login timeout.
fn legacy_via(connector: std::sync::Arc<FaultyConnector>, user: &str) -> LegacyDriver {
    let mut options = SignalingOptions::default().connector(connector);
    options.login_timeout = Duration::from_secs(1);
    LegacyDriver::with_endpoint(APP_ID, user, options)
}

#[tokio::test(start_paused = true)]
async fn core_login_timeout() {
    let never = FaultyConnector::never_answers();
    let (client, events) =
        Client::builder(APP_ID).connector(never.clone()).login_timeout(Duration::from_secs(3)).build();
    let mut c = CoreDriver::from_parts(client, events, "alice");
    let started = tokio::time::Instant::now();
    assert_eq!(c.login(None).await, Err(Fail { kind: K::Other, code: 9 }));
    assert_eq!(started.elapsed(), Duration::from_secs(3), "the login timeout, exactly");
    expect_events(&mut c, &[state(S::Connecting, R::Login), state(S::Disconnected, R::LoginTimeout)]).await;
    assert_eq!(R::LoginTimeout.code(), 4);
    assert_quiet(&mut c);
    assert_eq!(never.attempts(), 1, "the core itself does not retry a login");
    assert_eq!(c.client.connection_state(), S::Disconnected);
}

#[tokio::test(start_paused = true)]
async fn core_login_after_a_timeout_works() {
    let hub = hub();
    let flaky = FaultyConnector::new(&hub, |n| if n == 1 { Step::Hang } else { Step::Pass });
    let (client, events) = Client::builder(APP_ID).connector(flaky.clone()).build();
    let mut c = CoreDriver::from_parts(client, events, "alice");
    assert_eq!(c.login(None).await.map_err(|e| e.code), Err(9));
    advance_secs(1).await; // the login rate limit (2/s) is not what this is about
    c.login(None).await.expect("second login");
    expect_events(&mut c, &[state(S::Connecting, R::Login), state(S::Disconnected, R::LoginTimeout)]).await;
    expect_events(&mut c, &logged_in()).await;
    assert_eq!(flaky.attempts(), 2);
    assert!(hub.is_online("alice"));
}

/// `login2` against a server that never answers: 1 s per attempt, 1 s between attempts.
async fn legacy_login_retries(retry_time: i32, retry_count: i32, expected_attempts: usize) {
    let never = FaultyConnector::never_answers();
    let mut l = legacy_via(never.clone(), "alice");
    l.sig.login2(APP_ID, "alice", "_no_need_token", 0, "", retry_time, retry_count);
    at_once(never.attempted(1)).await;
    assert_eq!((never.attempts(), l.sig.get_status()), (1, 1), "logging in");
    let mut seconds = 0;
    while never.attempts() < expected_attempts {
        advance_secs(1).await; // the attempt times out
        advance_secs(1).await; // the pause before the next one
        at_once(never.attempted(seconds / 2 + 2)).await;
        seconds += 2;
        assert!(seconds <= 2 * expected_attempts, "attempts stopped at {}", never.attempts());
        assert_eq!(l.sig.get_status(), 1, "still logging in after {seconds} s");
    }
    advance_secs(1).await; // the last attempt times out
    let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    assert_eq!(cb.to_string(), "on_login_failed(201)");
    assert_eq!(l.sig.get_status(), 0);
    advance_secs(60).await;
    assert_eq!(never.attempts(), expected_attempts, "no attempt after the failure");
    assert_no_callback(&mut l, &["on_login_success", "on_login_failed", "on_logout"]).await;
}

#[tokio::test(start_paused = true)]
async fn legacy_login_timeout_retries_up_to_retry_count() {
    // 1 attempt + 2 retries; the 5 s retry time is not reached first.
    legacy_login_retries(5, 2, 3).await;
}

#[tokio::test(start_paused = true)]
async fn legacy_login_timeout_retries_within_retry_time() {
    // The 2 s retry time runs out after the first retry, although 5 retries were allowed.
    legacy_login_retries(2, 5, 2).await;
}

#[tokio::test(start_paused = true)]
async fn legacy_login_succeeds_on_a_retry() {
    let hub = hub();
    let flaky = FaultyConnector::new(&hub, |n| if n == 1 { Step::Hang } else { Step::Pass });
    let mut l = legacy_via(flaky.clone(), "alice");
    l.sig.login2(APP_ID, "alice", "_no_need_token", 0, "", 30, 3);
    at_once(flaky.attempted(1)).await;
    advance_secs(1).await; // the attempt times out
    advance_secs(1).await; // the pause before the next one
    let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    assert_eq!(cb.to_string(), format!("on_login_success({}, 1)", uid_for("alice")));
    assert_eq!(flaky.attempts(), 2);
    // The failed attempt left nothing behind that ends the new session.
    assert_no_callback(&mut l, &["on_logout", "on_login_failed", "on_reconnecting"]).await;
    assert_eq!(l.sig.get_status(), 2);
    assert_eq!(l.query_online("alice").await, Ok(true));
}

#[tokio::test(start_paused = true)]
async fn core_reconnects_after_link_loss() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut c = be.core(&hub, "alice");
    c.login(None).await.expect("login");
    expect_events(&mut c, &logged_in()).await;
    assert!(hub.disconnect_user("alice"));
    at_once(expect_events(&mut c, &[state(S::Reconnecting, R::Interrupted)])).await;
    assert_eq!(c.client.connection_state(), S::Reconnecting);
    assert!(!hub.is_online("alice"));
    // A request made while reconnecting waits for the link (within its timeout) instead of
    // failing at once.
    let client = c.client.clone();
    let query = tokio::spawn(async move { client.query_peers_online_status(&["alice"]).await });
    advance(Duration::from_millis(499)).await;
    assert_quiet(&mut c);
    assert!(!query.is_finished(), "the query waits for the reconnect");
    advance(Duration::from_millis(1)).await; // the first backoff (500 ms) is over
    at_once(expect_events(&mut c, &[state(S::Connected, R::LoginSuccess)])).await;
    assert!(hub.is_online("alice"));
    let statuses = at_once(query).await.expect("query task").expect("answered after the reconnect");
    assert_eq!(statuses.iter().map(|s| s.state).collect::<Vec<_>>(), [PeerOnlineState::Online]);

    let mut bob = be.core(&hub, "bob");
    bob.login(None).await.expect("bob");
    bob.send_peer("alice", "welcome back").await.expect("delivered");
    assert_eq!(c.recv_peer().await, ("bob".to_owned(), "welcome back".to_owned()));
    assert_eq!(c.query_online("bob").await, Ok(true));
}

#[tokio::test(start_paused = true)]
async fn legacy_reconnects_after_link_loss() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.login(None).await.expect("login");
    for outage in 1..=2 {
        assert!(hub.disconnect_user("alice"));
        // `nretry` counts the outages of this session (mapping catalog, `on_reconnecting`).
        let cb = l.cbs.wait("on_reconnecting").await;
        assert_eq!(cb.to_string(), format!("on_reconnecting({outage})"));
        assert_eq!((l.sig.get_status(), l.sig.is_online()), (3, 0));
        // A call made while reconnecting waits for the link: answered after `on_reconnected`.
        l.sig.query_user_status("alice");
        advance(Duration::from_millis(500)).await;
        let cb = l.cbs.wait_any(&["on_reconnected", "on_query_user_status_result", "on_error"]).await;
        assert_eq!(cb.to_string(), "on_reconnected(1)", "the login's fd");
        let cb = l.cbs.wait_any(&["on_query_user_status_result", "on_error"]).await;
        assert_eq!(cb.to_string(), "on_query_user_status_result(alice, 1)");
        assert_eq!((l.sig.get_status(), l.sig.is_online()), (2, 1));
        assert_eq!(l.query_online("alice").await, Ok(true));
    }
    let mut bob = be.core(&hub, "bob");
    bob.login(None).await.expect("bob");
    l.send_peer("bob", "still here").await.expect("sent");
    assert_eq!(bob.recv_peer().await, ("alice".to_owned(), "still here".to_owned()));
    assert_no_callback(&mut l, &["on_logout", "on_login_success", "on_login_failed"]).await;
}

#[tokio::test(start_paused = true)]
async fn core_reconnect_restores_attributes_and_subscriptions() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut bob = be.core(&hub, "bob");
    bob.login(None).await.expect("bob");
    let mut c = be.core(&hub, "alice");
    c.login(None).await.expect("login");
    c.set_attr("k", "v").await.expect("set");
    c.set_attr("gone", "x").await.expect("set");
    c.client.delete_local_user_attributes_by_keys(&["gone"]).await.expect("delete");
    c.client.subscribe_peers_online_status(&["bob", "carol"]).await.expect("subscribe");
    c.client.unsubscribe_peers_online_status(&["carol"]).await.expect("unsubscribe");
    expect_events(&mut c, &logged_in()).await;
    let bob_is = |state| ClientEvent::PeersOnlineStatusChanged {
        statuses: vec![PeerStatus { peer_id: "bob".to_owned(), state }],
    };
    let carol_is = |state| ClientEvent::PeersOnlineStatusChanged {
        statuses: vec![
            PeerStatus { peer_id: "bob".to_owned(), state: PeerOnlineState::Online },
            PeerStatus { peer_id: "carol".to_owned(), state },
        ],
    };
    expect_events(&mut c, &[carol_is(PeerOnlineState::Offline)]).await;
    assert!(hub.disconnect_user("alice"));
    advance(Duration::from_millis(500)).await;
    // RTM re-syncs what the lost session had set up, and reports the subscribed peers' states
    // (all of them here: a superset of RTM's "those that changed meanwhile").
    at_once(expect_events(
        &mut c,
        &[
            state(S::Reconnecting, R::Interrupted),
            state(S::Connected, R::LoginSuccess),
            bob_is(PeerOnlineState::Online),
        ],
    ))
    .await;
    assert_eq!(bob.get_attrs("alice").await, Ok([("k".to_owned(), "v".to_owned())].into()));
    let subscribed = c.client.query_peers_by_subscription_option().await;
    assert_eq!(subscribed.as_deref(), Ok(&["bob".to_owned()][..]));
    bob.logout().await.expect("bob logout");
    at_once(expect_events(&mut c, &[bob_is(PeerOnlineState::Offline)])).await;
    advance_secs(60).await;
    assert_quiet(&mut c);
}

#[tokio::test(start_paused = true)]
async fn legacy_reconnect_restores_attributes() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.login(None).await.expect("login");
    l.set_attr("k", "v").await.expect("set");
    assert!(hub.disconnect_user("alice"));
    l.cbs.wait("on_reconnecting").await;
    advance(Duration::from_millis(500)).await;
    l.cbs.wait("on_reconnected").await;
    let mut bob = be.core(&hub, "bob");
    bob.login(None).await.expect("bob");
    assert_eq!(bob.get_attr("alice", "k").await, Ok("v".to_owned()));
    assert_eq!(l.get_attr("alice", "k").await, Ok("v".to_owned()));
}

/// A hub connector whose first connect works and whose next `failures` connects fail.
fn dies_after_first(hub: &sigshim::Hub, failures: usize) -> std::sync::Arc<FaultyConnector> {
    FaultyConnector::new(hub, move |n| {
        if n == 1 || n > 1 + failures { Step::Pass } else { Step::Fail(LoginError::Timeout) }
    })
}

#[tokio::test(start_paused = true)]
async fn core_reconnect_gives_up_when_the_policy_runs_out() {
    let hub = hub();
    let conn = dies_after_first(&hub, 2);
    let policy = ReconnectPolicy::default().max_attempts(Some(2));
    let (client, events) = Client::builder(APP_ID).connector(conn.clone()).reconnect_policy(policy).build();
    let mut c = CoreDriver::from_parts(client, events, "alice");
    c.login(None).await.expect("login");
    expect_events(&mut c, &logged_in()).await;
    assert!(hub.disconnect_user("alice"));
    at_once(expect_events(&mut c, &[state(S::Reconnecting, R::Interrupted)])).await;
    advance(Duration::from_millis(499)).await;
    assert_eq!(conn.attempts(), 1, "no retry before 500 ms");
    advance(Duration::from_millis(1)).await;
    at_once(conn.attempted(2)).await;
    assert_eq!(conn.attempts(), 2, "first retry after 500 ms");
    advance(Duration::from_millis(999)).await;
    assert_quiet(&mut c);
    assert_eq!(conn.attempts(), 2, "the backoff doubled");
    advance(Duration::from_millis(1)).await;
    at_once(conn.attempted(3)).await;
    assert_eq!(conn.attempts(), 3, "second retry");
    at_once(expect_events(&mut c, &[state(S::Disconnected, R::Interrupted)])).await;
    assert_eq!(c.client.connection_state(), S::Disconnected);
    assert_eq!(c.query_online("alice").await, Err(Fail { kind: K::NotLoggedIn, code: 102 }));
    advance_secs(60).await;
    assert_quiet(&mut c);
    assert_eq!(conn.attempts(), 3, "no attempt after giving up");
    // A plain login starts over.
    c.login(None).await.expect("login again");
    expect_events(&mut c, &logged_in()).await;
    assert!(hub.is_online("alice"));
}

#[tokio::test(start_paused = true)]
async fn legacy_reconnect_exhaustion_logs_out_with_102() {
    let hub = hub();
    let conn = dies_after_first(&hub, usize::MAX - 1);
    let mut l = legacy_via(conn.clone(), "alice");
    l.sig.login2(APP_ID, "alice", "_no_need_token", 0, "", 30, 2);
    let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    assert_eq!(cb.to_string(), format!("on_login_success({}, 1)", uid_for("alice")));
    assert!(hub.disconnect_user("alice"));
    assert_eq!(l.cbs.wait("on_reconnecting").await.to_string(), "on_reconnecting(1)");
    assert_eq!(l.sig.get_status(), 3);
    advance(Duration::from_millis(500)).await;
    advance(Duration::from_millis(1000)).await;
    assert_eq!(l.cbs.wait("on_logout").await.to_string(), "on_logout(102)");
    assert_eq!(conn.attempts(), 3, "1 login + retry_count reconnects");
    assert_eq!((l.sig.get_status(), l.sig.is_online()), (0, 0));
    assert_eq!(l.logout().await, Err(Fail { kind: K::NotLoggedIn, code: 108 }));
    let uid = uid_for("alice");
    let want = [format!("on_login_success({uid}, 1)"), "on_reconnecting(1)".into(), "on_logout(102)".into()];
    assert_eq!(l.cbs.transcript()[..3], want);
}
