//! Unchanged legacy code reaches a deployment through `SIGSHIM_URL`: a child process creates its
//! instance with default options and talks to a core client in this process through a server.

use std::process::Command;

use sigshim::server::{Server, ServerConfig};
use sigshim_conformance::{APP_ID, CoreDriver, Driver, hub};
use sigshim_legacy::{Signaling, URL_ENV};

/// The parent: a server on 127.0.0.1:0, a core user, and the child run with `SIGSHIM_URL` set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_options_follow_sigshim_url() {
    let hub = hub();
    let server = Server::bind(hub.clone(), ServerConfig::new("127.0.0.1:0".parse().unwrap())).await.unwrap();
    let mut bob = CoreDriver::new(&hub, "bob");
    bob.login(None).await.expect("bob logs in in-process");
    let exe = std::env::current_exe().expect("this test binary");
    let url = server.url();
    let child = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .args(["--exact", "legacy_child_with_default_options", "--ignored", "--nocapture"])
            .env(URL_ENV, url)
            .output()
            .expect("the child runs")
    });
    // The child's message crosses the network: it reached bob through the server.
    assert_eq!(bob.recv_peer().await, ("alice".to_string(), "over SIGSHIM_URL".to_string()));
    let out = child.await.expect("joined");
    assert!(out.status.success(), "child failed: {}", String::from_utf8_lossy(&out.stdout));
    server.shutdown().await;
}

/// The child: plain legacy code with default options; only `SIGSHIM_URL` points it at a server.
#[test]
#[ignore = "run by default_options_follow_sigshim_url with SIGSHIM_URL set"]
fn legacy_child_with_default_options() {
    assert!(std::env::var(URL_ENV).is_ok(), "run through the parent test");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let sig = Signaling::create_instance(APP_ID);
        let (rec, mut cbs) = sigshim_conformance::recorder();
        sig.callback_set(rec);
        sig.login(APP_ID, "alice", "_no_need_token", 0, "");
        cbs.wait("on_login_success").await;
        sig.message_instant_send("bob", 0, "over SIGSHIM_URL", "m1");
        let cb = cbs.wait_any(&["on_message_send_success", "on_message_send_error"]).await;
        assert_eq!(cb.to_string(), "on_message_send_success(m1)");
        sig.logout();
        cbs.wait("on_logout").await;
        sig.destroy();
    });
}
