//! Network faults on the WebSocket path, through a loopback proxy the tests control, in real
//! time with short timeouts: a broken link resumed within the grace period (core and legacy),
//! a grace period that runs out, a server restart, and a half-open link on which the server is
//! stuck writing. More (a half-open link, slow consumers, remote logins, graceful shutdown) in
//! `ws_faults_more.rs`.
//!
//! Nothing sleeps to wait for something: every wait is on an event or callback with a deadline
//! (the one exception, waiting for the hub to park a session, polls with a deadline).

mod faults;

use std::sync::Arc;
use std::time::Duration;

use faults::*;
use sigshim::transport::WsConnector;
use sigshim::{Attribute, ConnectionChangeReason as R, ConnectionState as S, PeerOnlineState as P};
use sigshim_conformance::fixtures::{expect_only_marker, next_statuses, states};
use sigshim_conformance::proxy::Proxy;
use sigshim_conformance::{APP_ID, Driver, LegacyDriver};
use sigshim_legacy::{SignalingOptions, uid_for};

/// Messages sent while a link is down.
const GAP: usize = 5;

/// a. A's link breaks; the server parks A's session, B's messages meanwhile are cached (4) and A
/// stays online; A resumes the same session and gets exactly the gap's messages, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_link_resumes_the_session_with_the_messages_of_the_gap() {
    let hub = hub_with_grace(Duration::from_secs(10));
    let server = serve(&hub, server_config()).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let mut a = online(&proxy.url(), "alice").await;
    let mut b = online(&server.url(), "bob").await;
    let mut w = online(&server.url(), "watcher").await;
    // Session state that lives on the hub: an attribute and a subscription.
    a.client.add_or_update_local_user_attributes(&[Attribute::new("color", "blue")]).await.unwrap();
    a.client.subscribe_peers_online_status(&["mallory"]).await.unwrap();
    assert_eq!(next_statuses(&mut a).await, states(&[("mallory", P::Offline)]));
    w.client.subscribe_peers_online_status(&["alice", "mallory"]).await.unwrap();
    assert_eq!(next_statuses(&mut w).await, states(&[("alice", P::Online), ("mallory", P::Offline)]));
    assert_eq!(send(&b, "alice", "before", false).await, Ok(()));
    expect_messages(&mut a, "bob", &["before".into()], false).await;
    let logins = hub.stats().logins;

    proxy.refuse(true);
    proxy.cut();
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    until_parked(&hub, 1).await;
    assert!(hub.is_online("alice"), "a parked session keeps its user online");
    let gap = numbered("gap", GAP);
    for text in &gap {
        assert_eq!(send(&b, "alice", text, false).await, Err(4), "{text}: CACHED_BY_SERVER while parked");
    }

    proxy.refuse(false);
    expect_state(&mut a, S::Connected, R::LoginSuccess).await;
    // Delivered live from the resumed session's queue (the sender was told "cached").
    expect_messages(&mut a, "bob", &gap, false).await;
    assert_eq!(hub.stats().parked_sessions, 0);
    assert_eq!(send(&b, "alice", "after", false).await, Ok(()));
    expect_messages(&mut a, "bob", &["after".into()], false).await;

    // The same session: no new login, its attribute and subscription are still there.
    assert_eq!(hub.stats().logins, logins, "resumed, not logged in again");
    assert_eq!(b.get_attr("alice", "color").await, Ok("blue".into()));
    assert_eq!(a.client.query_peers_by_subscription_option().await, Ok(vec!["mallory".to_owned()]));
    let _mallory = online(&server.url(), "mallory").await;
    assert_eq!(next_statuses(&mut a).await, states(&[("mallory", P::Online)]));
    // The watcher's next status change is mallory's: alice never went offline.
    assert_eq!(next_statuses(&mut w).await, states(&[("mallory", P::Online)]));
    expect_only_marker(&mut b, &mut a, "marker").await;
    assert_eq!(a.client.connection_state(), S::Connected);
}

/// b. The same through the legacy facade: `on_reconnecting(1)`, `on_reconnected(fd)` with the
/// login's fd, then the gap's messages in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_legacy_reconnects_and_receives_the_gap() {
    let hub = hub_with_grace(Duration::from_secs(10));
    let server = serve(&hub, server_config()).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let connector = Arc::new(WsConnector::with_options(proxy.url(), ws_options()));
    let mut l =
        LegacyDriver::with_endpoint(APP_ID, "alice", SignalingOptions::default().connector(connector));
    l.sig.login2(APP_ID, "alice", "_no_need_token", 0, "", 30, 10);
    let fd = l.cbs.wait("on_login_success").await.args[1].clone();
    let mut b = online(&server.url(), "bob").await;

    proxy.refuse(true);
    proxy.cut();
    assert_eq!(l.cbs.wait("on_reconnecting").await.args, ["1"]);
    assert_eq!(l.sig.get_status(), 3, "reconnecting");
    until_parked(&hub, 1).await;
    let gap = numbered("gap", GAP);
    for text in &gap {
        assert_eq!(send(&b, "alice", text, false).await, Err(4), "{text}: CACHED_BY_SERVER while parked");
    }
    proxy.refuse(false);
    assert_eq!(l.cbs.wait("on_reconnected").await.args, std::slice::from_ref(&fd));
    for text in &gap {
        assert_eq!(l.recv_peer().await, ("bob".to_owned(), text.clone()));
    }
    expect_only_marker(&mut b, &mut l, "marker").await;

    let bob = uid_for("bob").to_string();
    let mut want = vec![format!("on_login_success({}, {fd})", uid_for("alice")), "on_reconnecting(1)".into()];
    want.push(format!("on_reconnected({fd})"));
    want.extend(
        gap.iter()
            .chain(["marker".into()].iter())
            .map(|t| format!("on_message_instant_receive(bob, {bob}, {t})")),
    );
    let transcript: Vec<String> =
        l.cbs.transcript().into_iter().filter(|c| !c.starts_with("on_dbg(")).collect();
    assert_eq!(transcript, want);
    assert_eq!(l.sig.get_status(), 2, "logged in");
}

/// c. The grace period runs out: watchers see A go offline, the messages held for A move to the
/// offline store (also those sent without caching: they were acknowledged as cached), and A's
/// reconnect is a fresh login that receives each of them exactly once, as offline messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_an_expired_grace_period_keeps_the_gap_as_offline_messages() {
    let hub = hub_with_grace(Duration::from_secs(2));
    let server = serve(&hub, server_config()).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let mut a = online(&proxy.url(), "alice").await;
    let mut b = online(&server.url(), "bob").await;
    let mut w = online(&server.url(), "watcher").await;
    w.client.subscribe_peers_online_status(&["alice"]).await.unwrap();
    assert_eq!(next_statuses(&mut w).await, states(&[("alice", P::Online)]));
    a.client.add_or_update_local_user_attributes(&[Attribute::new("color", "blue")]).await.unwrap();
    // Received right before the break, possibly before A's acknowledgement reached the server.
    assert_eq!(send(&b, "alice", "before", false).await, Ok(()));
    expect_messages(&mut a, "bob", &["before".into()], false).await;
    let logins = hub.stats().logins;

    proxy.refuse(true);
    proxy.cut();
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    until_parked(&hub, 1).await;
    let held = ["held 0 cached", "held 1 plain", "held 2 cached", "held 3 plain"];
    for text in held {
        let cache = text.ends_with("cached");
        assert_eq!(send(&b, "alice", text, cache).await, Err(4), "{text}: held for the parked session");
    }
    assert_eq!(next_statuses(&mut w).await, states(&[("alice", P::Offline)]), "the grace period ran out");
    assert!(!hub.is_online("alice"));
    assert_eq!(hub.stats().parked_sessions, 0);
    assert_eq!(send(&b, "alice", "late cached", true).await, Err(4), "stored offline");
    assert_eq!(send(&b, "alice", "late plain", false).await, Err(3), "PEER_UNREACHABLE: not kept");

    proxy.refuse(false);
    expect_state(&mut a, S::Connected, R::LoginSuccess).await;
    let mut kept: Vec<String> = held.iter().map(|t| (*t).to_owned()).collect();
    kept.push("late cached".into());
    expect_messages(&mut a, "bob", &kept, true).await;
    expect_only_marker(&mut b, &mut a, "marker").await;
    assert_eq!(next_statuses(&mut w).await, states(&[("alice", P::Online)]));
    assert_eq!(hub.stats().logins, logins + 1, "a fresh session");
    // The client restored its attributes on the new session.
    assert_eq!(b.get_attr("alice", "color").await, Ok("blue".into()));
}

/// d. The server shuts down and another one starts over the same hub on another port: clients
/// resume their parked sessions there and get what was sent meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d_clients_resume_on_a_restarted_server() {
    let hub = hub_with_grace(Duration::from_secs(10));
    let old = serve(&hub, server_config()).await;
    let (pa, pb) = (Proxy::start(old.local_addr()).await, Proxy::start(old.local_addr()).await);
    let mut a = online(&pa.url(), "alice").await;
    let mut b = online(&pb.url(), "bob").await;
    assert_eq!(send(&b, "alice", "before", false).await, Ok(()));
    expect_messages(&mut a, "bob", &["before".into()], false).await;
    let logins = hub.stats().logins;

    let new = serve(&hub, server_config()).await; // bound first: surely another port
    old.shutdown().await;
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    expect_state(&mut b, S::Reconnecting, R::Interrupted).await;
    assert_eq!(hub.stats().parked_sessions, 2, "both sessions parked by the shutdown");
    assert!(hub.is_online("alice") && hub.is_online("bob"));

    assert_eq!(new.connections(), 0);
    pb.set_upstream(new.local_addr());
    expect_state(&mut b, S::Connected, R::LoginSuccess).await;
    let gap = numbered("gap", GAP);
    for text in &gap {
        assert_eq!(send(&b, "alice", text, false).await, Err(4), "{text}: alice is still parked");
    }
    pa.set_upstream(new.local_addr());
    expect_state(&mut a, S::Connected, R::LoginSuccess).await;
    expect_messages(&mut a, "bob", &gap, false).await;
    expect_only_marker(&mut b, &mut a, "marker").await;
    assert_eq!(hub.stats().logins, logins, "both resumed");
    assert_eq!(hub.stats().parked_sessions, 0);
    assert_eq!(new.connections(), 2);
}

/// e2. A half-open link whose socket buffers are full: the server is stuck writing to it when
/// the resume asks for the session. The takeover must still happen, and nothing accepted is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2_a_resume_takes_over_a_half_open_connection_stuck_writing() {
    // Byte bounds far above what the socket buffers hold, so that the server's write is what
    // stalls, not its window.
    let hub = sigshim::Hub::new(hub_config(Duration::from_secs(10)).inbox_bytes(64 << 20));
    let config = server_config().idle_timeout(Duration::from_secs(10)).max_unacked_bytes(64 << 20);
    let server = serve(&hub, config).await;
    let proxy = Proxy::start(server.local_addr()).await;
    let mut a = online(&proxy.url(), "alice").await;
    // In-process, so that its sends outpace the link: they are all queued long before alice's
    // client notices the stall.
    let mut b = in_process(&hub, "bob").await;
    let logins = hub.stats().logins;

    proxy.stall();
    // About 9 MB: more than the socket buffers between the server and the stalled proxy hold.
    let big: Vec<String> = (0..300).map(|i| format!("{i:03} {}", "x".repeat(30_000))).collect();
    for text in &big {
        assert_eq!(send(&b, "alice", text, false).await, Ok(()), "{}", &text[..3]);
    }
    expect_state(&mut a, S::Reconnecting, R::Interrupted).await;
    expect_state(&mut a, S::Connected, R::LoginSuccess).await;
    expect_messages(&mut a, "bob", &big, false).await;
    expect_only_marker(&mut b, &mut a, "marker").await;
    assert_eq!(hub.stats().logins, logins, "the session was resumed");
    assert_eq!(hub.stats().inbox_full_drops, 0);
    proxy.cut();
}
