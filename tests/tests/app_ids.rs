//! One App ID rule for every backend: 1 to 128 visible ASCII characters, compared exactly. An
//! App ID with surrounding whitespace is refused with the legacy `on_login_failed(201)`
//! in-process (where it would otherwise get an embedded hub of its own) and over the network.

use serde_json::json;
use sigshim::error::LoginError;
use sigshim::{Client, Hub, HubConfig};
use sigshim_conformance::backend::server_url;
use sigshim_conformance::raw::RawClient;
use sigshim_conformance::{APP_ID, Backend, Driver, LegacyDriver, hub};
use sigshim_legacy::{Endpoint, SignalingOptions};

const NO_TOKEN: &str = "_no_need_token";

/// Logs `l` in with `app_id` and returns the `on_login_failed` code, with the status after it.
async fn refused(l: &mut LegacyDriver, app_id: &str) -> (String, i32) {
    l.sig.login(app_id, "alice", NO_TOKEN, 0, "");
    let cb = l.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
    l.fence().await;
    (cb.to_string(), l.sig.get_status())
}

async fn padded_app_ids_fail_with_201(be: Backend) {
    let hub = hub();
    for app_id in [format!("{APP_ID} "), format!(" {APP_ID}"), format!("{APP_ID}\t")] {
        let mut l = LegacyDriver::with_endpoint(
            &app_id,
            "alice",
            be.legacy_options(&hub, SignalingOptions::default()),
        );
        assert_eq!(refused(&mut l, &app_id).await, ("on_login_failed(201)".to_owned(), 0), "{app_id:?}");
    }
    // The exact App ID still logs in through the same backend.
    let mut ok = be.legacy(&hub, "alice");
    ok.login(None).await.expect("the exact App ID logs in");
}

async fn core_clients_refuse_padded_app_ids(be: Backend) {
    let hub = hub();
    let (client, _events) = Client::builder(format!("{APP_ID} ")).connector(be.connector(&hub)).build();
    let err = client.login(None, "alice").await.expect_err("a padded App ID is refused");
    assert_eq!(err.kind(), LoginError::InvalidAppId);
    assert_eq!(hub.stats().online_users, 0);
}

sigshim_conformance::per_backend!(padded_app_ids_fail_with_201, core_clients_refuse_padded_app_ids);

#[tokio::test]
async fn the_embedded_endpoint_refuses_before_making_a_hub() {
    // Two padded spellings of one app: neither logs in, so they cannot meet on a hub of their own.
    for app_id in ["embedded-app ", "embedded-app  "] {
        let options = SignalingOptions::default().endpoint(Endpoint::Embedded);
        let mut l = LegacyDriver::with_endpoint(app_id, "alice", options);
        assert_eq!(refused(&mut l, app_id).await, ("on_login_failed(201)".to_owned(), 0), "{app_id:?}");
    }
    // The same instance's default App ID (an empty one in the call) follows the same rule.
    let options = SignalingOptions::default().endpoint(Endpoint::Embedded);
    let mut l = LegacyDriver::with_endpoint("embedded-app ", "alice", options);
    assert_eq!(refused(&mut l, "").await, ("on_login_failed(201)".to_owned(), 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_refuses_a_padded_app_id_it_was_configured_with() {
    // A hub made for a padded App ID (as the embedded hub once was) admits nobody, over the
    // network either: the hub's own check, not only the clients'.
    let hub = Hub::new(HubConfig::new("padded "));
    let mut c = RawClient::connect(&server_url(&hub)).await;
    c.send_json(&json!({"op": "login", "app_id": "padded ", "user_id": "alice"})).await;
    assert_eq!(c.json().await, json!({"id": 0, "reply": "error", "code": 4}));
    assert_eq!(hub.stats().online_users, 0);
}
