//! The legacy endpoint's window, like the core protocol's: a page that stops acknowledging is
//! sent no more than the window, is closed as a slow consumer (4008) once the window stays full,
//! and gets everything held back when it resumes.

use std::time::Duration;

use serde_json::json;
use sigshim::HubConfig;
use sigshim::protocol::close;
use sigshim_conformance::fixtures::online_core;
use sigshim_conformance::legacy_wire::{LegacyWire, start_with_legacy};
use sigshim_conformance::raw::strict_config;
use sigshim_conformance::{APP_ID, Backend, Driver, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_stops_acknowledging_is_closed_as_a_slow_consumer_and_resumes_without_loss() {
    let hub = sigshim::Hub::new(HubConfig::new(APP_ID));
    let mut config = strict_config();
    config.max_unacked = 4;
    config.slow_consumer_timeout = Duration::from_millis(300);
    let server = start_with_legacy(&hub, config).await;
    let mut cory = online_core(Backend::Memory, &hub, "cory").await;
    let mut lea = LegacyWire::connect(&server).await;
    let (ticket, _) = lea.login(APP_ID, "lea").await; // seq 1, never acknowledged

    for i in 0..5 {
        cory.send_peer("lea", &format!("n{i}")).await.expect("accepted");
    }
    // The window holds four frames: the login's callback and three messages.
    for i in 0..3 {
        let f = lea.next().await;
        assert_eq!(
            (f.seq, f.name.as_str(), &f.args[2]),
            (i + 2, "onMessageInstantReceive", &json!(format!("n{i}")))
        );
    }
    assert_eq!(lea.close_code().await, close::SLOW_CONSUMER);

    // The session was parked, not ended: a resume acknowledging what lea read gets the rest.
    let mut again = LegacyWire::connect(&server).await;
    again.raw.send_json(&json!({"resume": ticket, "last_seq": 4})).await;
    let answer = again.raw.json().await;
    assert_eq!(answer["resumed"], true, "{answer}");
    for i in 3..5 {
        let f = again.next().await;
        assert_eq!((f.name.as_str(), &f.args[2]), ("onMessageInstantReceive", &json!(format!("n{i}"))));
        again.ack(f.seq).await;
    }
    assert!(hub.is_online("lea"));
    cory.send_peer("lea", "after").await.expect("accepted");
    assert_eq!(again.expect("onMessageInstantReceive").await[2], "after");
    tokio::time::timeout(WAIT, server.shutdown()).await.expect("shutdown");
}
