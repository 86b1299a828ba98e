//! Session scenarios through the core and the legacy facade: login and logout, repeated logins,
//! invalid accounts and app IDs, remote login (kick), calls before login, the login rate limit.
//!
//! Timeouts, retries and reconnects are in `sessions_faults.rs`.

use std::time::Duration;

use sigshim::{ClientEvent, ConnectionChangeReason as R, ConnectionState as S, ConnectionState, RtmCode};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{assert_quiet_until_marker, expected};
use sigshim_conformance::scenario::*;
use sigshim_conformance::{APIS, APP_ID, Api, CoreDriver, Driver, Fail, FailKind as K, LegacyDriver, hub};
use sigshim_legacy::{SignalingOptions, uid_for};

/// The events of a login that succeeded.
fn logged_in() -> [ClientEvent; 2] {
    [state(S::Connecting, R::Login), state(S::Connected, R::LoginSuccess)]
}

async fn core_login_logout_emits_exact_state_sequence(be: Backend) {
    let hub = hub();
    let mut c = be.core(&hub, "alice");
    assert_eq!(c.client.connection_state(), S::Disconnected);
    c.login(None).await.expect("login");
    assert_eq!(c.client.connection_state(), S::Connected);
    assert_eq!(c.client.user_id().as_deref(), Some("alice"));
    assert!(be.is_online(&hub, "alice"));
    c.logout().await.expect("logout");
    assert_eq!(c.client.connection_state(), S::Disconnected);
    assert!(!be.is_online(&hub, "alice"));
    expect_events(&mut c, &logged_in()).await;
    expect_events(&mut c, &[state(S::Disconnected, R::Logout)]).await;
    assert_quiet(&mut c);
    // RTM numbering of what was just observed.
    assert_eq!((S::Connecting.code(), R::Login.code()), (2, 1));
    assert_eq!((S::Connected.code(), R::LoginSuccess.code()), (3, 2));
    assert_eq!((S::Disconnected.code(), R::Logout.code()), (1, 6));
}

async fn legacy_login_logout_reports_uid_fd_and_status(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    let uid = uid_for("alice");
    assert_eq!((l.sig.get_status(), l.sig.is_online()), (0, 0));
    for fd in 1..=3 {
        l.sig.login(APP_ID, "alice", "_no_need_token", 0, "");
        let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
        assert_eq!(cb.to_string(), format!("on_login_success({uid}, {fd})"), "fd counts logins");
        assert_eq!((l.sig.get_status(), l.sig.is_online()), (2, 1));
        assert!(be.is_online(&hub, "alice"));
        l.logout().await.expect("logout");
        assert_eq!((l.sig.get_status(), l.sig.is_online()), (0, 0));
        assert!(!be.is_online(&hub, "alice"));
    }
    let want: Vec<String> =
        (1..=3).flat_map(|fd| [format!("on_login_success({uid}, {fd})"), "on_logout(101)".into()]).collect();
    assert_eq!(l.cbs.transcript(), want);
}

async fn both_apis_can_use_a_session_after_login(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut d = be.driver(api, &hub, "alice");
        d.login(None).await.unwrap_or_else(|e| panic!("{api:?}: {e:?}"));
        assert_eq!(d.query_online("alice").await, Ok(true), "{api:?}");
        d.set_attr("k", "v").await.unwrap_or_else(|e| panic!("{api:?}: {e:?}"));
        assert_eq!(d.get_attr("alice", "k").await, Ok("v".to_owned()), "{api:?}");
        d.logout().await.unwrap_or_else(|e| panic!("{api:?}: {e:?}"));
        assert!(!be.is_online(&hub, "alice"), "{api:?}");
    }
}

/// Logout before any login, then login, logout, logout.
async fn logout_twice(d: &mut dyn Driver) {
    let api = d.api();
    let not_logged_in = expected(api, (K::NotLoggedIn, 102), (K::NotLoggedIn, 108));
    assert_eq!(d.logout().await, Err(not_logged_in), "{api:?}: logout before login");
    d.login(None).await.expect("login");
    assert_eq!(d.logout().await, Ok(()), "{api:?}");
    assert_eq!(d.logout().await, Err(not_logged_in), "{api:?}: second logout");
}

async fn logout_when_not_logged_in(be: Backend) {
    let hub = hub();
    let mut c = be.core(&hub, "alice");
    logout_twice(&mut c).await;
    expect_events(&mut c, &logged_in()).await;
    expect_events(&mut c, &[state(S::Disconnected, R::Logout)]).await;
    assert_quiet(&mut c);

    let mut l = be.legacy(&hub, "bob");
    logout_twice(&mut l).await;
    let uid = uid_for("bob");
    let want = [
        "on_logout(108)".to_owned(),
        format!("on_login_success({uid}, 1)"),
        "on_logout(101)".into(),
        "on_logout(108)".into(),
    ];
    assert_eq!(l.cbs.transcript(), want);
}

async fn second_login_while_logged_in(be: Backend) {
    let hub = hub();
    let mut c = be.core(&hub, "alice");
    c.login(None).await.expect("login");
    assert_eq!(c.login(None).await, Err(Fail { kind: K::Other, code: 8 }));
    assert_eq!(c.client.login(None, "someone-else").await.unwrap_err().code(), 8);
    assert_eq!(c.client.connection_state(), S::Connected);
    expect_events(&mut c, &logged_in()).await;
    assert_quiet(&mut c);
    assert_eq!(c.query_online("alice").await, Ok(true));

    // Legacy: the second login is ignored, without any callback.
    let mut l = be.legacy(&hub, "bob");
    l.login(None).await.expect("login");
    l.sig.login(APP_ID, "bob", "_no_need_token", 0, "");
    l.sig.login(APP_ID, "carol", "_no_need_token", 0, "");
    assert_no_callback(&mut l, &["on_login_success", "on_login_failed", "on_logout"]).await;
    assert_eq!(l.sig.get_status(), 2);
    assert!(!be.is_online(&hub, "carol"));
    assert_eq!(l.query_online("bob").await, Ok(true));
}

async fn legacy_logout_then_login_without_waiting(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.login(None).await.expect("login");
    l.sig.logout();
    l.sig.login(APP_ID, "alice", "_no_need_token", 0, "");
    let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    assert_eq!(cb.to_string(), format!("on_login_success({}, 2)", uid_for("alice")));
    let uid = uid_for("alice");
    let want = [
        format!("on_login_success({uid}, 1)"),
        "on_logout(101)".into(),
        format!("on_login_success({uid}, 2)"),
    ];
    assert_eq!(l.cbs.transcript(), want);
    assert_eq!(l.sig.get_status(), 2);
    assert!(be.is_online(&hub, "alice"));
}

async fn invalid_user_ids_are_refused(be: Backend) {
    for api in APIS {
        // RTM's 64 bytes for core clients, the legacy 128 for the facade (its profile).
        let max = if api == Api::Legacy { 128 } else { 64 };
        let too_long = "a".repeat(max + 1);
        let bad = ["", "null", too_long.as_str(), "a/b", "a\tb", "ü", "a\nb"];
        let invalid = expected(api, (K::InvalidUser, 3), (K::InvalidUser, 209));
        for user in bad {
            let hub = hub();
            let mut d = be.driver(api, &hub, user);
            assert_eq!(d.login(None).await, Err(invalid), "{api:?} {user:?}");
            assert!(!be.is_online(&hub, user), "{api:?} {user:?}");
            assert_eq!(hub.stats().logins, 0, "{api:?} {user:?}: no session opened");
        }
        // The longest valid ID, and the full character set, are accepted.
        let hub = hub();
        let longest = "b".repeat(max);
        for user in [longest.as_str(), "Az09 !#$%&()+-:;<=.>?@[]^_{}|~,"] {
            let mut d = be.driver(api, &hub, user);
            d.login(None).await.unwrap_or_else(|e| panic!("{api:?} {user:?}: {e:?}"));
            assert!(be.is_online(&hub, user));
        }
    }
}

async fn legacy_invalid_account_reports_209_and_stays_logged_out(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "a/b");
    assert_eq!(l.login(None).await, Err(Fail { kind: K::InvalidUser, code: 209 }));
    assert_eq!(l.sig.get_status(), 0);
    assert_eq!(l.cbs.transcript(), ["on_login_failed(209)"]);
}

async fn wrong_app_id_is_refused(be: Backend) {
    let hub = hub();
    let (client, events) = sigshim::Client::builder("another-app").connector(be.connector(&hub)).build();
    let mut c = CoreDriver::from_parts(client, events, "alice");
    assert_eq!(c.login(None).await, Err(Fail { kind: K::Other, code: 4 }));
    expect_events(&mut c, &[state(S::Connecting, R::Login), state(S::Disconnected, R::LoginFailure)]).await;
    assert_quiet(&mut c);
    assert_eq!(c.client.connection_state(), S::Disconnected);

    // Legacy: an instance created for another app ID, and a login naming another app ID.
    let mut l = LegacyDriver::with_endpoint(
        "another-app",
        "alice",
        be.legacy_options(&hub, SignalingOptions::default()),
    );
    assert_eq!(l.login(None).await, Err(Fail { kind: K::Other, code: 201 }));
    assert_eq!(l.sig.get_status(), 0);
    let mut l = be.legacy(&hub, "alice");
    l.sig.login(OTHER_APP_ID, "alice", "_no_need_token", 0, "");
    assert_eq!(
        l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await.to_string(),
        "on_login_failed(201)"
    );
    assert_eq!(l.sig.get_status(), 0);
    assert!(!be.is_online(&hub, "alice"));
}

async fn remote_login_kicks_the_first_session(be: Backend) {
    for victim_api in APIS {
        for kicker_api in APIS {
            let ctx = format!("victim {victim_api:?}, kicker {kicker_api:?}");
            let hub = hub();
            let mut first = be.driver(victim_api, &hub, "alice");
            first.login(None).await.expect("first login");
            let mut second = be.driver(kicker_api, &hub, "alice");
            second.login(None).await.expect("second login");
            assert_eq!(
                first.expect_kicked().await,
                expected(victim_api, (K::Other, 8), (K::Other, 103)).code,
                "{ctx}"
            );

            let not_logged_in = expected(victim_api, (K::NotLoggedIn, 102), (K::NotLoggedIn, 1003));
            assert_eq!(first.send_peer("bob", "x").await, Err(not_logged_in), "{ctx}");
            assert_eq!(first.query_online("alice").await, Err(not_logged_in), "{ctx}");
            assert_eq!(first.get_attr("alice", "k").await, Err(not_logged_in), "{ctx}");

            // The new session is the user's session: online, reachable.
            assert!(be.is_online(&hub, "alice"), "{ctx}");
            let mut bob = be.driver(victim_api, &hub, "bob");
            bob.login(None).await.expect("bob");
            bob.send_peer("alice", "hi").await.expect("delivered to the new session");
            assert_eq!(second.recv_peer().await, ("bob".to_owned(), "hi".to_owned()), "{ctx}");
            assert_eq!(bob.query_online("alice").await, Ok(true), "{ctx}");
        }
    }
}

async fn core_aborted_client_must_logout_before_login(be: Backend) {
    let hub = hub();
    let mut first = be.core(&hub, "alice");
    first.login(None).await.expect("login");
    let mut second = be.core(&hub, "alice");
    second.login(None).await.expect("login elsewhere");
    expect_events(&mut second, &logged_in()).await;
    expect_events(&mut first, &logged_in()).await;
    expect_events(&mut first, &[state(S::Aborted, R::RemoteLogin)]).await;
    assert_eq!(first.client.connection_state(), ConnectionState::Aborted);
    assert_eq!(R::RemoteLogin.code(), 8);

    assert_eq!(
        first.login(None).await,
        Err(Fail { kind: K::Other, code: 8 }),
        "ABORTED needs a logout first"
    );
    assert_eq!(first.logout().await, Ok(()));
    expect_events(&mut first, &[state(S::Disconnected, R::Logout)]).await;
    // Leaving ABORTED does not touch the session that replaced this one.
    assert!(be.is_online(&hub, "alice"));
    assert_eq!(second.query_online("alice").await, Ok(true));
    assert_quiet_until_marker(be, &hub, &mut second).await;

    first.login(None).await.expect("login after logout");
    expect_events(&mut first, &logged_in()).await;
    assert_eq!(second.expect_kicked().await, 8);
    assert_eq!(first.query_online("alice").await, Ok(true));
}

async fn legacy_kicked_session_reports_103_and_is_logged_out(be: Backend) {
    let hub = hub();
    let mut l = be.legacy(&hub, "alice");
    l.login(None).await.expect("login");
    let mut other = be.core(&hub, "alice");
    other.login(None).await.expect("login elsewhere");
    assert_eq!(l.expect_kicked().await, 103);
    assert_eq!((l.sig.get_status(), l.sig.is_online()), (0, 0));
    assert_eq!(l.logout().await, Err(Fail { kind: K::NotLoggedIn, code: 108 }));
    // It can log in again, which kicks the core session in turn.
    l.login(None).await.expect("login again");
    assert_eq!(other.expect_kicked().await, 8);
    let uid = uid_for("alice");
    let want = [
        format!("on_login_success({uid}, 1)"),
        "on_logout(103)".into(),
        "on_logout(108)".into(),
        format!("on_login_success({uid}, 2)"),
    ];
    assert_eq!(l.cbs.transcript(), want);
}

/// Every call that needs a session fails the same way before login and after logout.
async fn calls_need_login(d: &mut dyn Driver) {
    let api = d.api();
    let not_logged_in = expected(api, (K::NotLoggedIn, 102), (K::NotLoggedIn, 1003));
    assert_eq!(d.send_peer("bob", "hi").await, Err(not_logged_in), "{api:?} send");
    assert_eq!(d.query_online("bob").await, Err(not_logged_in), "{api:?} query");
    assert_eq!(d.set_attr("k", "v").await, Err(not_logged_in), "{api:?} set_attr");
    let me = d.user().to_owned();
    assert_eq!(d.get_attr(&me, "k").await, Err(not_logged_in), "{api:?} get_attr");
}

async fn calls_before_login_and_after_logout(be: Backend) {
    let hub = hub();
    let mut bob = be.core(&hub, "bob");
    bob.login(None).await.expect("bob");
    expect_events(&mut bob, &logged_in()).await;
    for api in APIS {
        let mut d = be.driver(api, &hub, "alice");
        calls_need_login(&mut *d).await;
        d.login(None).await.expect("login");
        d.logout().await.expect("logout");
        calls_need_login(&mut *d).await;
    }
    // Nothing reached bob.
    assert_quiet_until_marker(be, &hub, &mut bob).await;

    // The exact legacy callbacks.
    let mut l = be.legacy(&hub, "alice");
    calls_need_login(&mut l).await;
    // (`on_error`'s description is free text; the fence of `set_attr` answers with `on_dbg`.)
    let lines: Vec<String> = l.cbs.transcript().into_iter().filter(|l| !l.starts_with("on_dbg(")).collect();
    let head: Vec<&str> = lines.iter().map(|l| l.rsplit_once(", ").map_or(l.as_str(), |(h, _)| h)).collect();
    assert_eq!(lines[0], "on_message_send_error(msg-1, 1003)");
    assert_eq!(
        head[1..],
        ["on_error(query_user_status, 1003", "on_error(set_attr, 1003", "on_error(get_attr, 1003"]
    );
}

#[tokio::test(start_paused = true)]
async fn core_login_rate_limit() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = hub();
    let mut c = be.core(&hub, "alice");
    for _ in 0..2 {
        c.login(None).await.expect("login");
        c.logout().await.expect("logout");
    }
    let too_often = Err(Fail { kind: K::TooOften, code: 10 });
    assert_eq!(c.login(None).await, too_often, "third login within 1 s");
    assert_eq!(c.client.connection_state(), S::Disconnected);
    advance(Duration::from_millis(999)).await;
    assert_eq!(c.login(None).await, too_often, "the first login is still inside the window");
    advance(Duration::from_millis(1)).await;
    c.login(None).await.expect("a second later the budget is back");
    for _ in 0..2 {
        expect_events(&mut c, &logged_in()).await;
        expect_events(&mut c, &[state(S::Disconnected, R::Logout)]).await;
    }
    // Refused logins change no state.
    expect_events(&mut c, &logged_in()).await;
    assert_quiet(&mut c);
    assert!(be.is_online(&hub, "alice"));
}

sigshim_conformance::per_backend!(
    core_login_logout_emits_exact_state_sequence,
    legacy_login_logout_reports_uid_fd_and_status,
    both_apis_can_use_a_session_after_login,
    logout_when_not_logged_in,
    second_login_while_logged_in,
    legacy_logout_then_login_without_waiting,
    invalid_user_ids_are_refused,
    legacy_invalid_account_reports_209_and_stays_logged_out,
    wrong_app_id_is_refused,
    remote_login_kicks_the_first_session,
    core_aborted_client_must_logout_before_login,
    legacy_kicked_session_reports_103_and_is_logged_out,
    calls_before_login_and_after_logout,
);
