//! Token scenarios against a hub with an App Certificate: logins with Signaling, 006 and 007
//! tokens through both APIs, every kind of bad token, and expiry while connected (paused time),
//! with the warning, the kick, and renewal.
//!
//! Tokens carry wall-clock Unix times while the hub's expiry timers run on tokio time, so the
//! clock can be paused and advanced: a token valid for 60 s expires 60 s of tokio time after
//! login (59 s if the wall clock ticked a second between building and login).

use std::time::Duration;

use sigshim::token::{access_token, access_token2, signaling, unix_now};
use sigshim::{ClientEvent, ConnectionChangeReason as R, ConnectionState as S, RtmCode};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::expected;
use sigshim_conformance::scenario::*;
use sigshim_conformance::{APIS, Api, Driver, Fail, FailKind as K};

fn logged_in() -> [ClientEvent; 2] {
    [state(S::Connecting, R::Login), state(S::Connected, R::LoginSuccess)]
}

fn t007(user: &str, secs: u32) -> String {
    access_token2::build_rtm_now(TOKEN_APP_ID, TOKEN_CERT, user, secs).expect("007")
}

fn t006(user: &str, secs: u32) -> String {
    access_token::build_rtm_now(TOKEN_APP_ID, TOKEN_CERT, user, secs).expect("006")
}

fn t1(user: &str, secs: u64) -> String {
    signaling::build_now(user, TOKEN_APP_ID, TOKEN_CERT, secs)
}

/// Unix seconds, `ago` seconds before now.
fn past(ago: u64) -> u32 {
    u32::try_from(unix_now() - ago).expect("fits")
}

/// A driver of `api` on a token hub.
fn driver_on(be: Backend, api: Api, hub: &sigshim::Hub, user: &str) -> Box<dyn Driver> {
    be.driver(api, hub, user)
}

async fn valid_tokens_log_in(be: Backend) {
    for api in APIS {
        let mut tokens = vec![("006", t006("alice", 3600)), ("007", t007("alice", 3600))];
        if api == Api::Legacy {
            tokens.push(("Signaling", t1("alice", 3600)));
        }
        for (kind, token) in tokens {
            let hub = token_hub();
            let mut d = driver_on(be, api, &hub, "alice");
            d.login(Some(&token)).await.unwrap_or_else(|e| panic!("{api:?} {kind}: {e:?}"));
            assert!(hub.is_online("alice"), "{api:?} {kind}");
            assert_eq!(d.query_online("alice").await, Ok(true), "{api:?} {kind}");
            d.logout().await.unwrap_or_else(|e| panic!("{api:?} {kind}: {e:?}"));
        }
    }
}

async fn bad_tokens_are_refused(be: Backend) {
    let truncate = |t: String| t[..t.len() - 6].to_owned();
    let now = past(0);
    let invalid: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("empty", Some(String::new())),
        ("_no_need_token", Some("_no_need_token".into())),
        ("garbage", Some("not a token".into())),
        (
            "007 wrong certificate",
            Some(access_token2::build_rtm_now(TOKEN_APP_ID, OTHER_CERT, "alice", 600).unwrap()),
        ),
        (
            "006 wrong certificate",
            Some(access_token::build_rtm_now(TOKEN_APP_ID, OTHER_CERT, "alice", 600).unwrap()),
        ),
        ("Signaling wrong certificate", Some(signaling::build_now("alice", TOKEN_APP_ID, OTHER_CERT, 600))),
        (
            "007 other app",
            Some(access_token2::build_rtm_now(OTHER_APP_ID, TOKEN_CERT, "alice", 600).unwrap()),
        ),
        ("007 for bob", Some(t007("bob", 600))),
        ("006 for bob", Some(t006("bob", 600))),
        ("Signaling for bob", Some(t1("bob", 600))),
        ("007 truncated", Some(truncate(t007("alice", 600)))),
        ("006 truncated", Some(truncate(t006("alice", 600)))),
        ("Signaling truncated", Some(truncate(t1("alice", 600)))),
    ];
    let expired: Vec<(&str, Option<String>)> = vec![
        (
            "007 expired",
            Some(access_token2::build_rtm(TOKEN_APP_ID, TOKEN_CERT, "alice", 10, past(100), 7).unwrap()),
        ),
        (
            "006 expired",
            Some(
                access_token::build_rtm(TOKEN_APP_ID, TOKEN_CERT, "alice", past(100), 7, now + 3600).unwrap(),
            ),
        ),
        (
            "Signaling expired",
            Some(signaling::build("alice", TOKEN_APP_ID, TOKEN_CERT, u64::from(past(100)))),
        ),
    ];
    for api in APIS {
        let cases = invalid
            .iter()
            .map(|c| (c, expected(api, (K::InvalidToken, 5), (K::InvalidToken, 206))))
            .chain(expired.iter().map(|c| (c, expected(api, (K::TokenExpired, 6), (K::TokenExpired, 204)))));
        for ((label, token), want) in cases {
            let hub = token_hub();
            let mut d = driver_on(be, api, &hub, "alice");
            assert_eq!(d.login(token.as_deref()).await, Err(want), "{api:?}: {label}");
            assert!(!hub.is_online("alice"), "{api:?}: {label}");
        }
    }
}

async fn legacy_login_with_explicit_bad_tokens(be: Backend) {
    // The driver passes `_no_need_token` for "no token"; the empty string is its own case.
    for (token, code) in [("", 206), ("_no_need_token", 206)] {
        let hub = token_hub();
        let mut l = be.legacy(&hub, "alice");
        l.sig.login(TOKEN_APP_ID, "alice", token, 0, "");
        let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
        assert_eq!(cb.to_string(), format!("on_login_failed({code})"), "{token:?}");
        assert_eq!(l.sig.get_status(), 0);
    }
}

#[tokio::test(start_paused = true)]
async fn core_token_expiry_warns_then_aborts() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = token_hub();
    let mut c = be.core(&hub, "alice");
    c.login(Some(&t007("alice", 60))).await.expect("login");
    expect_events(&mut c, &logged_in()).await;
    advance_secs(28).await;
    assert_quiet(&mut c);
    advance_secs(3).await; // 31 s: inside the last 30 s
    expect_events(&mut c, &[ClientEvent::TokenPrivilegeWillExpire]).await;
    advance_secs(27).await; // 58 s
    assert_quiet(&mut c);
    assert_eq!(c.client.connection_state(), S::Connected);
    advance_secs(2).await; // 60 s
    at_once(expect_events(&mut c, &[ClientEvent::TokenExpired, state(S::Aborted, R::TokenExpired)])).await;
    assert_eq!(R::TokenExpired.code(), 9);
    advance_secs(1).await;
    assert_quiet(&mut c);
    assert!(!hub.is_online("alice"));
    assert_eq!(c.query_online("alice").await, Err(Fail { kind: K::NotLoggedIn, code: 102 }));

    // ABORTED: logout first, then a login with a fresh token.
    assert_eq!(c.login(Some(&t007("alice", 60))).await, Err(Fail { kind: K::Other, code: 8 }));
    c.logout().await.expect("logout");
    advance_secs(1).await; // login rate limit
    c.login(Some(&t007("alice", 600))).await.expect("login with a fresh token");
    expect_events(&mut c, &[state(S::Disconnected, R::Logout)]).await;
    expect_events(&mut c, &logged_in()).await;
}

#[tokio::test(start_paused = true)]
async fn core_renew_token_postpones_expiry() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = token_hub();
    let mut c = be.core(&hub, "alice");
    c.login(Some(&t007("alice", 60))).await.expect("login");
    expect_events(&mut c, &logged_in()).await;
    advance_secs(31).await;
    expect_events(&mut c, &[ClientEvent::TokenPrivilegeWillExpire]).await;
    c.client.renew_token(&t007("alice", 120)).await.expect("renew");
    // Past the old expiry: no kick. The new token ends 120 s after the renewal (at 150 or 151 s).
    advance_secs(69).await; // 100 s
    assert_quiet(&mut c);
    assert_eq!(c.client.connection_state(), S::Connected);
    assert_eq!(c.query_online("alice").await, Ok(true));
    advance_secs(22).await; // 122 s: the new token's warning
    expect_events(&mut c, &[ClientEvent::TokenPrivilegeWillExpire]).await;
    advance_secs(27).await; // 149 s
    assert_quiet(&mut c);
    advance_secs(2).await; // 151 s
    expect_events(&mut c, &[ClientEvent::TokenExpired, state(S::Aborted, R::TokenExpired)]).await;
}

#[tokio::test(start_paused = true)]
async fn core_renew_token_rejects_bad_tokens() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let hub = token_hub();
    let mut c = be.core(&hub, "alice");
    c.login(Some(&t007("alice", 60))).await.expect("login");
    let expired = access_token2::build_rtm(TOKEN_APP_ID, TOKEN_CERT, "alice", 10, past(100), 7).unwrap();
    let cases = [
        ("for bob", t007("bob", 600), 6),
        (
            "wrong certificate",
            access_token2::build_rtm_now(TOKEN_APP_ID, OTHER_CERT, "alice", 600).unwrap(),
            6,
        ),
        ("expired", expired, 5),
        ("empty", String::new(), 2),
    ];
    for (label, token, code) in cases {
        let err = c.client.renew_token(&token).await.expect_err(label);
        assert_eq!(err.code(), code, "{label}");
        advance_secs(1).await; // renewals are limited to 2/s
    }
    // The failed renewals left the original expiry in place (60 s after login).
    expect_events(&mut c, &logged_in()).await;
    advance_secs(27).await; // 31 s
    expect_events(&mut c, &[ClientEvent::TokenPrivilegeWillExpire]).await;
    advance_secs(29).await; // 60 s
    at_once(expect_events(&mut c, &[ClientEvent::TokenExpired, state(S::Aborted, R::TokenExpired)])).await;
    assert_eq!(c.client.renew_token(&t007("alice", 600)).await.unwrap_err().code(), 102);
}

/// Builds a 60 s token for a user.
type Builder = fn(&str) -> String;

#[tokio::test(start_paused = true)]
async fn legacy_token_expiry_logs_out_with_105() {
    let be = Backend::Memory; // paused time needs the in-process backend
    let tokens: [(&str, Builder); 3] =
        [("Signaling", |u| t1(u, 60)), ("006", |u| t006(u, 60)), ("007", |u| t007(u, 60))];
    for (kind, build) in tokens {
        let hub = token_hub();
        let mut l = be.legacy(&hub, "alice");
        l.login(Some(&build("alice"))).await.unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        advance_secs(58).await;
        assert_no_callback(&mut l, &["on_logout"]).await;
        assert_eq!(l.sig.get_status(), 2, "{kind}");
        advance_secs(2).await;
        assert_eq!(l.cbs.wait("on_logout").await.to_string(), "on_logout(105)", "{kind}");
        assert_eq!((l.sig.get_status(), l.sig.is_online()), (0, 0), "{kind}");
        assert!(!hub.is_online("alice"), "{kind}");
        assert_eq!(l.query_online("alice").await, Err(Fail { kind: K::NotLoggedIn, code: 1003 }), "{kind}");
        // A new login with a fresh token works.
        l.login(Some(&build("alice"))).await.unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        advance(Duration::from_secs(1)).await;
        assert_eq!(l.query_online("alice").await, Ok(true), "{kind}");
    }
}

sigshim_conformance::per_backend!(
    valid_tokens_log_in,
    bad_tokens_are_refused,
    legacy_login_with_explicit_bad_tokens,
);
