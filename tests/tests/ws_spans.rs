//! Every log line of a server connection carries the connection's span: the peer's address from
//! the start, the user and the session's number once the login is answered.
//!
//! The only test of this binary: it installs the process's log subscriber.

use std::io;
use std::sync::Arc;

use parking_lot::Mutex;
use sigshim::server::{Server, ServerConfig};
use sigshim::transport::WsConnector;
use sigshim::{Client, Hub, HubConfig};
use sigshim_conformance::WAIT;

/// The formatted log, shared with the subscriber.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Log {
    /// The lines that contain `needle`.
    fn lines_with(&self, needle: &str) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock())
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_connection_logs_in_its_own_span() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("sigshim=debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
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
