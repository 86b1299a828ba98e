//! Resume tickets over the wire, frame by frame against a real server on 127.0.0.1:0. A ticket
//! is good for one resume: the resume's answer hands out the next one, and the old one is
//! refused from then on. On a hub that checks tokens a resume must also show a valid token of
//! the session's user, so a ticket alone takes nothing over. Then the core client, whose
//! reconnects must follow both rules.

mod faults;

use std::sync::Arc;

use faults::{expect_state, fast_reconnect, ws_options};
use serde_json::json;
use sigshim::protocol::close;
use sigshim::token::access_token2;
use sigshim::transport::WsConnector;
use sigshim::{Client, ConnectionChangeReason as R, ConnectionState as S, Hub};
use sigshim_conformance::proxy::Proxy;
use sigshim_conformance::raw::{RawClient, start, strict_config};
use sigshim_conformance::scenario::{OTHER_CERT, TOKEN_APP_ID, TOKEN_CERT, token_hub};
use sigshim_conformance::{APP_ID, CoreDriver, Driver, WAIT, hub};

/// A login token of `user` for the token hub, valid for ten minutes (each one different).
fn token(user: &str) -> String {
    access_token2::build_rtm_now(TOKEN_APP_ID, TOKEN_CERT, user, 600).expect("a token")
}

/// Waits (at most [`WAIT`]) until `hub` holds `n` parked sessions: the server parks a session
/// when it notices the broken socket, which no client sees.
async fn until_parked(hub: &Hub, n: usize) {
    let parked = tokio::time::timeout(WAIT, hub.parked_sessions_reach(n)).await;
    assert!(parked.is_ok(), "{} parked sessions, not {n}", hub.stats().parked_sessions);
}

/// Opens a connection to `url` whose first frame resumes with `ticket` (and `token`, if any).
async fn send_resume(url: &str, ticket: &str, token: Option<&str>) -> RawClient {
    let mut c = RawClient::connect(url).await;
    let mut hello = json!({"op": "resume", "session": ticket, "last_seq": 0});
    if let Some(token) = token {
        hello["token"] = json!(token);
    }
    c.send_json(&hello).await;
    c
}

/// Resumes with `ticket` (and `token`); returns the connection and the ticket it handed out.
async fn resume(url: &str, ticket: &str, token: Option<&str>) -> (RawClient, String) {
    let mut c = send_resume(url, ticket, token).await;
    let reply = c.json().await;
    assert_eq!((&reply["reply"], &reply["resumed"]), (&json!("logged_in"), &json!(true)), "{reply}");
    let next = reply["session"].as_str().expect("a ticket").to_owned();
    (c, next)
}

/// A resume with `ticket` (and `token`) is refused: `unknown_session`, then close 1008.
async fn refused(url: &str, ticket: &str, token: Option<&str>) {
    let mut c = send_resume(url, ticket, token).await;
    let frame = c.json().await;
    assert_eq!(frame["error"], "unknown_session", "token {token:?}: {frame}");
    assert_eq!(c.close_code().await, close::POLICY, "token {token:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_resumes_once_and_the_resume_hands_out_the_next() {
    let hub = hub();
    let server = start(&hub, strict_config()).await;
    let url = server.url();
    let mut alice = RawClient::connect(&url).await;
    let first = alice.login(APP_ID, "alice").await;
    drop(alice); // a broken link: no close handshake
    until_parked(&hub, 1).await;

    let (mut second_link, second) = resume(&url, &first, None).await;
    assert_ne!(second, first, "the resume's answer carries a new ticket");
    second_link.ping().await;
    // Replayed while the new link holds the session: refused, and the link is left alone.
    refused(&url, &first, None).await;
    second_link.ping().await;
    // Replayed while the session is parked again: refused too.
    drop(second_link);
    until_parked(&hub, 1).await;
    refused(&url, &first, None).await;

    // The ticket the resume handed out works, once.
    let (mut third_link, third) = resume(&url, &second, None).await;
    assert_ne!(third, second);
    refused(&url, &second, None).await;
    third_link.ping().await;
    assert_eq!(hub.stats().logins, 1, "one session throughout");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_token_hub_a_stolen_ticket_without_the_users_token_takes_nothing_over() {
    let hub = token_hub();
    let server = start(&hub, strict_config()).await;
    let url = server.url();
    let mut alice = RawClient::connect(&url).await;
    let ticket = alice.login_with(TOKEN_APP_ID, "alice", Some(&token("alice"))).await;
    let mut bob = RawClient::connect(&url).await;
    bob.login_with(TOKEN_APP_ID, "bob", Some(&token("bob"))).await;

    // The thief has the ticket (the owner is still connected) but not alice's token.
    let other_cert = access_token2::build_rtm_now(TOKEN_APP_ID, OTHER_CERT, "alice", 600).expect("a token");
    let thief_tokens =
        [None, Some("garbage".to_owned()), Some("_no_need_token".to_owned()), Some(token("bob"))];
    for thief_token in thief_tokens.into_iter().chain([Some(other_cert)]) {
        refused(&url, &ticket, thief_token.as_deref()).await;
        alice.ping().await; // the owner's link was not taken over
    }
    // Alice's messages still reach alice.
    assert_eq!(bob.send_peer("alice", "still yours").await["reply"], "message_sent");
    assert_eq!(alice.next_peer_message().await["message"]["text"], "still yours");

    // The owner, with a token of hers, resumes (taking over her own link, as after a half-open
    // connection).
    let (mut again, _) = resume(&url, &ticket, Some(&token("alice"))).await;
    assert_eq!(alice.close_code().await, close::DROPPED);
    again.ping().await;
    assert_eq!(hub.stats().logins, 2, "alice's session was resumed, never replaced");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_does_not_resume_and_a_renewed_one_does() {
    let hub = token_hub();
    let server = start(&hub, strict_config()).await;
    let url = server.url();
    let mut alice = RawClient::connect(&url).await;
    let ticket = alice.login_with(TOKEN_APP_ID, "alice", Some(&token("alice"))).await;
    let renewed = token("alice");
    let reply = alice.request(json!({"op": "renew_token", "token": renewed})).await;
    assert_eq!(reply["reply"], "ok", "{reply}");
    drop(alice);
    until_parked(&hub, 1).await;

    let issued = u32::try_from(sigshim::token::unix_now() - 100).expect("a 32-bit time");
    let expired =
        access_token2::build_rtm(TOKEN_APP_ID, TOKEN_CERT, "alice", 10, issued, 7).expect("a token");
    refused(&url, &ticket, Some(&expired)).await;
    assert_eq!(hub.stats().parked_sessions, 1, "the session waits for its owner");

    let (mut again, _) = resume(&url, &ticket, Some(&renewed)).await;
    again.ping().await;
    assert_eq!(hub.stats().logins, 1);
    server.shutdown().await;
}

/// The core client over a link that breaks again and again: each reconnect resumes the same
/// session, with the ticket the previous resume handed out and the client's current token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_client_resumes_with_the_last_ticket_and_its_current_token() {
    let hub = token_hub();
    let server = start(&hub, strict_config()).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let connector = Arc::new(WsConnector::with_options(proxy.url(), ws_options()));
    let (client, events) =
        Client::builder(TOKEN_APP_ID).connector(connector).reconnect_policy(fast_reconnect()).build();
    let mut alice = CoreDriver::from_parts(client, events, "alice");
    alice.login(Some(&token("alice"))).await.expect("alice logs in");
    expect_state(&mut alice, S::Connecting, R::Login).await;
    expect_state(&mut alice, S::Connected, R::LoginSuccess).await;
    alice.client.renew_token(&token("alice")).await.expect("a renewal");

    for _ in 0..3 {
        proxy.cut();
        expect_state(&mut alice, S::Reconnecting, R::Interrupted).await;
        expect_state(&mut alice, S::Connected, R::LoginSuccess).await;
    }
    assert_eq!(hub.stats().logins, 1, "every reconnect resumed the session");
    alice.client.query_peers_online_status(&["alice"]).await.expect("the link works");
    server.shutdown().await;
}
