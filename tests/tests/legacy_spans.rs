//! Every log line of an instance's task carries the instance's span: its app ID, its number in
//! the process and, once logged in, its account.
//!
//! The only test of this binary, so that the instances are numbered 1 and 2.

use std::sync::Arc;
use std::time::Duration;

use sigshim::{Hub, HubConfig};
use sigshim_conformance::logs::Log;
use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};
use tokio::sync::mpsc;

/// Signals the end of each call the test waits for.
struct Done(mpsc::UnboundedSender<()>);

impl SignalingCallbacks for Done {
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        let _ = self.0.send(());
    }
    fn on_channel_join_failed(&self, _channel_id: &str, _ecode: i32) {
        let _ = self.0.send(());
    }
    fn on_message_send_error(&self, _message_id: &str, _ecode: i32) {
        let _ = self.0.send(());
    }
}

#[test]
fn each_instance_logs_in_its_own_span() {
    let log = Log::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(log.writer())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    // One thread: the instances' tasks run on this runtime, under this thread's subscriber.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let hub = Hub::new(HubConfig::new("app"));
        let options = SignalingOptions::default().hub(&hub).inline_callbacks(true);
        let (tx, mut done) = mpsc::unbounded_channel();
        let (alice, bob) = (
            Signaling::create_instance_with("app", options.clone()),
            Signaling::create_instance_with("app", options),
        );
        let wait = async |done: &mut mpsc::UnboundedReceiver<()>| {
            tokio::time::timeout(Duration::from_secs(10), done.recv()).await.expect("a callback in time");
        };
        for sig in [&alice, &bob] {
            sig.callback_set(Arc::new(Done(tx.clone())));
        }
        // Before login: no account yet.
        alice.message_app_send("hello", "m1");
        wait(&mut done).await;
        alice.login("app", "alice", "", 0, "");
        bob.login("app", "bob", "", 0, "");
        wait(&mut done).await;
        wait(&mut done).await;
        alice.channel_join("_agora_channel_event");
        wait(&mut done).await;
        bob.channel_join("__agora_user_online");
        wait(&mut done).await;
        alice.destroy();
        bob.destroy();
    });
    let refused = log.lines_with("unsupported send refused");
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert!(refused[0].contains("signaling{app_id=app instance=1}:"), "{}", refused[0]);
    let special = log.lines_with("special channels are unsupported");
    assert_eq!(special.len(), 2, "{special:#?}");
    assert!(special[0].contains("signaling{app_id=app instance=1 account=alice}:"), "{}", special[0]);
    assert!(special[1].contains("signaling{app_id=app instance=2 account=bob}:"), "{}", special[1]);
}
