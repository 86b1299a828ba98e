//! A login that fails beneath the protocol keeps its RTM kind and carries the cause.

use std::error::Error as _;
use std::sync::Arc;

use sigshim::Client;
use sigshim::error::{LoginError, RtmCode};
use sigshim::transport::WsConnector;

#[tokio::test]
async fn a_refused_connection_is_a_timeout_whose_source_says_refused() {
    // A port that was free a moment ago and has no listener now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let connector = Arc::new(WsConnector::new(format!("ws://127.0.0.1:{port}/")));
    let (client, _events) = Client::builder("app").connector(connector).build();

    let e = client.login(None, "alice").await.expect_err("nothing listens there");
    assert_eq!(e.kind(), LoginError::Timeout);
    assert_eq!(e.code(), 9);
    let source = e.source().expect("the cause travels with the kind");
    let ws = source.downcast_ref::<tokio_tungstenite::tungstenite::Error>().expect("a WebSocket error");
    match ws {
        tokio_tungstenite::tungstenite::Error::Io(io) => {
            assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused)
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refusal_by_the_hub_has_no_source() {
    let hub =
        sigshim::Hub::new(sigshim::HubConfig::new("app").app_certificate("5CFd2fd1755d40ecb72977518be15d3b"));
    let (client, _events) = Client::builder("app").hub(&hub).build();
    let e = client.login(None, "alice").await.expect_err("a token is required");
    assert_eq!(e.kind(), LoginError::InvalidToken);
    assert!(e.source().is_none());
}
