//! The backends are what their names say: with `Backend::Memory` no server is started and every
//! client is in-process; with `Backend::Ws` every driver, gateway and connector made through the
//! backend holds its own connection to the WebSocket server over the hub.

use sigshim_conformance::backend::ws_connections;
use sigshim_conformance::call_fixtures::party;
use sigshim_conformance::fixtures::{online, online_core, online_legacy};
use sigshim_conformance::pstn::BridgeGateway;
use sigshim_conformance::{Api, Backend, Driver, hub};

async fn every_fixture_connects_through_the_backend(be: Backend) {
    let hub = hub();
    let mut alice = online(be, Api::Core, &hub, "alice").await;
    let _bob = online(be, Api::Legacy, &hub, "bob").await;
    let mut carol = online_core(be, &hub, "carol").await;
    let _dave = online_legacy(be, &hub, "dave").await;
    let _erin = party(be, &hub, "erin").await;
    let (client, _events) = be.client_builder(&hub).build();
    client.login(None, "frank").await.expect("frank logs in");
    let _gateway = BridgeGateway::start(be, &hub, "gateway", &[("+100", "alice")]).await;
    let open = ws_connections(&hub);
    match be {
        Backend::Memory => assert_eq!(open, None, "no server for in-process clients"),
        Backend::Ws => assert_eq!(open, Some(7), "one connection per client"),
        Backend::TwoNodes => {
            let per_node: Vec<usize> =
                be.nodes(&hub).iter().map(|n| ws_connections(n).unwrap_or(0)).collect();
            assert_eq!(per_node, [4, 3], "one connection per client, the clients taking the nodes in turn");
        }
    }
    // And the connections carry the traffic.
    alice.send_peer("carol", "over the backend").await.expect("delivered");
    assert_eq!(carol.recv_peer().await, ("alice".to_owned(), "over the backend".to_owned()));
}

sigshim_conformance::per_backend!(every_fixture_connects_through_the_backend);
