//! Mixed fleets: facade users and core users on one hub, in both directions, for peer messages,
//! presence and user attributes, and the remote-login kick when both APIs use the same account.

use sigshim::PeerOnlineState::{Offline, Online};
use sigshim::{ClientEvent, ConnectionChangeReason, ConnectionState};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{
    api_pairs, expect_only_marker, next_statuses, online, online_core, states,
};
use sigshim_conformance::{Api, Driver, hub};
use sigshim_legacy::uid_for;

async fn messages_flow_both_ways_with_legacy_uids(be: Backend) {
    let hub = hub();
    let mut lea = be.legacy(&hub, "lea");
    lea.login(None).await.unwrap();
    let mut cory = online_core(be, &hub, "cory").await;
    lea.send_peer("cory", "from the facade").await.unwrap();
    assert_eq!(cory.recv_peer().await, ("lea".into(), "from the facade".into()));
    cory.send_peer("lea", "from the core").await.unwrap();
    let cb = lea.cbs.wait("on_message_instant_receive").await;
    assert_eq!(cb.args, ["cory".to_owned(), uid_for("cory").to_string(), "from the core".to_owned()]);
    // The core's Ok means the facade's client received it, as for a core peer.
    cory.send_peer("lea", "again").await.unwrap();
    assert_eq!(lea.recv_peer().await, ("cory".into(), "again".into()));
}

async fn presence_across_apis(be: Backend) {
    let hub = hub();
    let mut lea = be.legacy(&hub, "lea");
    lea.login(None).await.unwrap();
    let mut cory = online_core(be, &hub, "cory").await;
    assert_eq!(lea.query_online("cory").await, Ok(true));
    assert_eq!(cory.query_online("lea").await, Ok(true));
    cory.client.subscribe_peers_online_status(&["lea"]).await.unwrap();
    assert_eq!(next_statuses(&mut cory).await, states(&[("lea", Online)]));
    lea.logout().await.unwrap();
    assert_eq!(next_statuses(&mut cory).await, states(&[("lea", Offline)]));
    assert_eq!(cory.query_online("lea").await, Ok(false));
    lea.login(None).await.unwrap();
    assert_eq!(next_statuses(&mut cory).await, states(&[("lea", Online)]));
    cory.logout().await.unwrap();
    assert_eq!(lea.query_online("cory").await, Ok(false));
}

async fn attributes_across_apis(be: Backend) {
    let hub = hub();
    let mut lea = be.legacy(&hub, "lea");
    lea.login(None).await.unwrap();
    let mut cory = online_core(be, &hub, "cory").await;
    lea.set_attr("role", "admin").await.unwrap();
    assert_eq!(cory.get_attr("lea", "role").await, Ok("admin".into()));
    cory.set_attr("team", "blue").await.unwrap();
    cory.set_attr("level", "3").await.unwrap();
    lea.sig.get_user_attr("cory", "team");
    lea.sig.get_user_attr_all("cory");
    let one = lea.cbs.wait("on_user_attr_result").await;
    assert_eq!(one.to_string(), "on_user_attr_result(cory, team, blue)");
    let all = lea.cbs.wait("on_user_attr_all_result").await;
    assert_eq!(all.args[0], "cory");
    let json: serde_json::Value = serde_json::from_str(&all.args[1]).unwrap();
    assert_eq!(json, serde_json::json!({"team": "blue", "level": "3"}));
    lea.set_attr("role", "").await.unwrap(); // the facade's delete is seen by the core
    assert_eq!(cory.get_attrs("lea").await, Ok(Default::default()));
}

async fn same_account_on_both_apis_kicks_the_older_session(be: Backend) {
    for (old_api, new_api) in api_pairs() {
        let hub = hub();
        let mut old = online(be, old_api, &hub, "dup").await;
        old.set_attr("from", "old").await.unwrap();
        let mut new = online(be, new_api, &hub, "dup").await;
        let want = match old_api {
            Api::Core => ConnectionChangeReason::RemoteLogin.code(),
            Api::Legacy => 103,
        };
        assert_eq!(old.expect_kicked().await, want, "{old_api:?} kicked by {new_api:?}");
        // The new session is the user now: messages reach it, and it starts without attributes.
        let mut friend = online(be, Api::Core, &hub, "friend").await;
        expect_only_marker(&mut *friend, &mut *new, "to the new one").await;
        assert_eq!(friend.get_attrs("dup").await, Ok(Default::default()));
        assert_eq!(friend.query_online("dup").await, Ok(true));
    }
}

async fn legacy_kicked_by_core_reports_103_and_is_logged_out(be: Backend) {
    let hub = hub();
    let mut lea = be.legacy(&hub, "dup");
    lea.login(None).await.unwrap();
    let _core = online_core(be, &hub, "dup").await;
    let cb = lea.cbs.wait("on_logout").await;
    assert_eq!(cb.to_string(), "on_logout(103)");
    assert_eq!(lea.sig.get_status(), 0);
    // Logged out for good: a send now fails with "not logged in".
    lea.sig.message_instant_send("friend", 0, "x", "after-kick");
    let cb = lea.cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
    assert_eq!(cb.to_string(), "on_message_send_error(after-kick, 1003)");
}

async fn core_kicked_by_legacy_is_aborted_with_remote_login(be: Backend) {
    let hub = hub();
    let mut cory = online_core(be, &hub, "dup").await;
    let mut lea = be.driver(Api::Legacy, &hub, "dup");
    lea.login(None).await.unwrap();
    let change = cory
        .wait_event("ABORTED", |e| match e {
            ClientEvent::ConnectionStateChanged { state: ConnectionState::Aborted, reason } => Some(*reason),
            _ => None,
        })
        .await;
    assert_eq!(change, ConnectionChangeReason::RemoteLogin);
    assert_eq!(cory.client.connection_state(), ConnectionState::Aborted);
    assert_eq!(cory.send_peer("friend", "x").await.map_err(|f| f.code), Err(102));
}

async fn a_kick_is_not_an_offline_change_for_watchers(be: Backend) {
    for (old_api, new_api) in api_pairs() {
        let hub = hub();
        let mut watcher = online_core(be, &hub, "watcher").await;
        let mut old = online(be, old_api, &hub, "dup").await;
        watcher.client.subscribe_peers_online_status(&["dup", "marker"]).await.unwrap();
        assert_eq!(next_statuses(&mut watcher).await, states(&[("dup", Online), ("marker", Offline)]));
        let _new = online(be, new_api, &hub, "dup").await;
        old.expect_kicked().await;
        let _marker = online(be, Api::Legacy, &hub, "marker").await;
        let next = next_statuses(&mut watcher).await;
        assert_eq!(next, states(&[("marker", Online)]), "{old_api:?} -> {new_api:?}: dup never went offline");
    }
}

sigshim_conformance::per_backend!(
    messages_flow_both_ways_with_legacy_uids,
    presence_across_apis,
    attributes_across_apis,
    same_account_on_both_apis_kicks_the_older_session,
    legacy_kicked_by_core_reports_103_and_is_logged_out,
    core_kicked_by_legacy_is_aborted_with_remote_login,
    a_kick_is_not_an_offline_change_for_watchers,
);
