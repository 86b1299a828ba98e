//! Every log line of a server connection carries the connection's span: the peer's address from
//! the start, the user and the session's number once the login is answered.
//!
//! The only test of this binary: it installs the process's log subscriber.

use std::sync::Arc;

use sigshim::server::{Server, ServerConfig};
use sigshim::transport::WsConnector;
use sigshim::{Client, Hub, HubConfig};
use sigshim_conformance::WAIT;
use sigshim_conformance::logs::Log;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_connection_logs_in_its_own_span() {
    let log = Log::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("sigshim=debug")
        .with_ansi(false)
        .with_writer(log.writer())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this process");

    let hub = Hub::new(HubConfig::new("app"));
    let server = Server::bind(hub.clone(), ServerConfig::new(([127, 0, 0, 1], 0).into())).await.unwrap();
    let (alice, _events) = Client::builder("app").connector(Arc::new(WsConnector::new(server.url()))).build();
    alice.login(None, "alice").await.unwrap();
    alice.logout().await.unwrap();
    tokio::time::timeout(WAIT, server.connections_reach(0)).await.expect("the connection closes");

    let logged_in = log.lines_with(": logged in");
    assert_eq!(logged_in.len(), 1, "{logged_in:#?}");
    let line = &logged_in[0];
    assert!(line.contains("connection{peer=127.0.0.1:"), "no peer address: {line}");
    assert!(line.contains("user=alice"), "no user: {line}");
    assert!(line.contains("session="), "no session: {line}");
    let logged_out = log.lines_with(": logged out");
    assert_eq!(logged_out.len(), 1, "{logged_out:#?}");
    assert!(logged_out[0].contains("user=alice"), "{}", logged_out[0]);
    server.shutdown().await;
}
