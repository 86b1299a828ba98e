//! Presence: one-shot online queries through both APIs, and the core's subscriptions (immediate
//! current states, changes on login and logout, unsubscribe, listing, the 512 cap, and their end
//! at logout).

use sigshim::PeerOnlineState::{Offline, Online};
use sigshim::error::{QueryPeersOnlineStatusError as QE, SubscriptionError as SE};
use sigshim::{Hub, HubConfig, RtmCode};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{api_pairs, expected, next_statuses, online, online_core, states};
use sigshim_conformance::{APIS, APP_ID, Api, CoreDriver, Driver, FailKind as K, hub};

async fn query_follows_login_and_logout(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut asker = online(be, a, &hub, "asker").await;
        let mut peer = be.driver(b, &hub, "peer");
        assert_eq!(asker.query_online("peer").await, Ok(false), "{a:?} asks about {b:?}");
        peer.login(None).await.unwrap();
        assert_eq!(asker.query_online("peer").await, Ok(true), "{a:?} asks about {b:?}");
        assert_eq!(asker.query_online("asker").await, Ok(true), "{a:?} about itself");
        peer.logout().await.unwrap();
        assert_eq!(asker.query_online("peer").await, Ok(false), "{a:?} asks about {b:?}");
        assert_eq!(asker.query_online("never-seen").await, Ok(false));
    }
}

async fn query_with_an_invalid_account_or_before_login(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut asker = be.driver(api, &hub, "asker");
        let not_logged_in = Err(expected(api, (K::NotLoggedIn, 102), (K::NotLoggedIn, 1003)));
        assert_eq!(asker.query_online("peer").await, not_logged_in, "{api:?}");
        asker.login(None).await.unwrap();
        for bad in ["bad/id", "", "null"] {
            let r = asker.query_online(bad).await;
            assert_eq!(
                r,
                Err(expected(api, (K::InvalidArgument, 2), (K::InvalidArgument, 1004))),
                "{api:?} {bad:?}"
            );
        }
    }
}

async fn legacy_query_callbacks_are_exact(be: Backend) {
    let hub = hub();
    let mut asker = be.legacy(&hub, "asker");
    asker.login(None).await.unwrap();
    let _peer = online(be, Api::Core, &hub, "peer").await;
    asker.sig.query_user_status("peer");
    asker.sig.query_user_status("ghost");
    asker.sig.query_user_status("bad/id");
    asker.fence().await;
    let lines: Vec<String> = asker.cbs.transcript().into_iter().skip(1).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], "on_query_user_status_result(peer, 1)");
    assert_eq!(lines[1], "on_query_user_status_result(ghost, 0)");
    assert!(lines[2].starts_with("on_error(query_user_status, 1004, "), "{lines:?}");
    assert!(lines[3].starts_with("on_dbg(fence"), "{lines:?}");
}

async fn core_query_size_limit(be: Backend) {
    let hub = hub();
    let asker = online_core(be, &hub, "asker").await;
    let _peer = online_core(be, &hub, "p7").await;
    let ids: Vec<String> = (0..257).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let too_many = asker.client.query_peers_online_status(&refs).await.unwrap_err();
    assert_eq!((too_many, too_many.code()), (QE::InvalidArgument, 2));
    let statuses = asker.client.query_peers_online_status(&refs[..256]).await.unwrap();
    assert_eq!(statuses.len(), 256);
    for (i, s) in statuses.iter().enumerate() {
        assert_eq!(s.peer_id, refs[i], "answers come in the order asked");
        assert_eq!(s.state, if i == 7 { Online } else { Offline });
    }
    let empty = asker.client.query_peers_online_status(&[]).await.unwrap_err();
    assert_eq!(empty, QE::InvalidArgument);
}

async fn subscription_reports_now_then_changes_until_unsubscribed(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut w = online_core(be, &hub, "watcher").await;
        let mut peer = be.driver(api, &hub, "peer");
        let mut other = online(be, api, &hub, "other").await;
        w.client.subscribe_peers_online_status(&["peer", "other"]).await.unwrap();
        assert_eq!(next_statuses(&mut w).await, states(&[("other", Online), ("peer", Offline)]), "{api:?}");
        peer.login(None).await.unwrap();
        assert_eq!(next_statuses(&mut w).await, states(&[("peer", Online)]), "{api:?}");
        peer.logout().await.unwrap();
        assert_eq!(next_statuses(&mut w).await, states(&[("peer", Offline)]), "{api:?}");
        let mut listed = w.client.query_peers_by_subscription_option().await.unwrap();
        listed.sort();
        assert_eq!(listed, ["other", "peer"]);

        w.client.unsubscribe_peers_online_status(&["peer"]).await.unwrap();
        assert_eq!(w.client.query_peers_by_subscription_option().await.unwrap(), ["other"]);
        peer.login(None).await.unwrap(); // no longer watched: no event
        other.logout().await.unwrap();
        assert_eq!(next_statuses(&mut w).await, states(&[("other", Offline)]), "{api:?}: nothing about peer");
    }
}

async fn subscriptions_end_at_logout(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut w = online_core(be, &hub, "watcher").await;
        let mut peer = be.driver(api, &hub, "peer");
        w.client.subscribe_peers_online_status(&["peer"]).await.unwrap();
        assert_eq!(next_statuses(&mut w).await, states(&[("peer", Offline)]));
        w.logout().await.unwrap();
        w.login(None).await.unwrap();
        assert_eq!(w.client.query_peers_by_subscription_option().await.unwrap(), Vec::<String>::new());
        peer.login(None).await.unwrap();
        w.client.subscribe_peers_online_status(&["marker"]).await.unwrap();
        assert_eq!(
            next_statuses(&mut w).await,
            states(&[("marker", Offline)]),
            "{api:?}: old subscription gone"
        );
    }
}

async fn subscriptions_are_capped_at_512(be: Backend) {
    let hub = hub();
    let w = online_core(be, &hub, "watcher").await;
    let ids: Vec<String> = (0..513).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let over = w.client.subscribe_peers_online_status(&refs).await.unwrap_err();
    assert_eq!((over, over.code()), (SE::Overflow, 6));
    assert!(
        w.client.query_peers_by_subscription_option().await.unwrap().is_empty(),
        "a refused call adds none"
    );
    w.client.subscribe_peers_online_status(&refs[..512]).await.unwrap();
    w.client.subscribe_peers_online_status(&refs[..3]).await.unwrap(); // already counted
    assert_eq!(w.client.subscribe_peers_online_status(&refs[512..]).await, Err(SE::Overflow));
    assert_eq!(w.client.query_peers_by_subscription_option().await.unwrap().len(), 512);
    w.client.unsubscribe_peers_online_status(&refs[..1]).await.unwrap();
    w.client.subscribe_peers_online_status(&refs[512..]).await.unwrap();
}

async fn subscription_calls_need_login_and_valid_ids(be: Backend) {
    let hub = hub();
    let mut w = be.core(&hub, "watcher");
    assert_eq!(w.client.subscribe_peers_online_status(&["p"]).await.map_err(|e| e.code()), Err(102));
    w.login(None).await.unwrap();
    assert_eq!(w.client.subscribe_peers_online_status(&["bad/id"]).await, Err(SE::InvalidArgument));
    assert_eq!(w.client.subscribe_peers_online_status(&[]).await, Err(SE::InvalidArgument));
}

#[tokio::test]
async fn status_changes_a_slow_watcher_misses_are_counted() {
    let be = Backend::Memory; // counts the in-process inbox; over WebSocket the socket buffers add room
    let hub = Hub::new(HubConfig::new(APP_ID).inbox_capacity(8));
    let (client, events) = be.client_builder(&hub).event_capacity(4).build();
    client.login(None, "watcher").await.unwrap();
    let mut w = CoreDriver::from_parts(client, events, "watcher"); // not read for now
    let ids: Vec<String> = (0..20).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    w.client.subscribe_peers_online_status(&refs).await.unwrap();
    let mut peers = Vec::new();
    for id in &ids {
        peers.push(online_core(be, &hub, id).await);
    }
    let dropped = hub.stats().inbox_full_drops;
    assert!(dropped > 0, "21 pushes into a watcher holding about a dozen");
    for _ in 0..(21 - dropped) {
        next_statuses(&mut w).await;
    }
    w.client.subscribe_peers_online_status(&["marker"]).await.unwrap();
    assert_eq!(
        next_statuses(&mut w).await,
        states(&[("marker", Offline)]),
        "every push was either queued or counted"
    );
}

sigshim_conformance::per_backend!(
    query_follows_login_and_logout,
    query_with_an_invalid_account_or_before_login,
    legacy_query_callbacks_are_exact,
    core_query_size_limit,
    subscription_reports_now_then_changes_until_unsubscribed,
    subscriptions_end_at_logout,
    subscriptions_are_capped_at_512,
    subscription_calls_need_login_and_valid_ids,
);
