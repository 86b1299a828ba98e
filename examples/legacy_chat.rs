//! A small chat written against the legacy Signaling API, running unchanged on sigshim.
//!
//! `cargo run --example legacy_chat`. The same program on the core API is `core_chat.rs`.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use sigshim_legacy::{Signaling, SignalingCallbacks};

const APP_ID: &str = "example-app";

/// The legacy app's callback object: it forwards what it hears to the main thread.
struct Listener {
    name: &'static str,
    out: Sender<String>,
}

impl SignalingCallbacks for Listener {
    fn on_login_success(&self, uid: u32, _fd: u32) {
        let _ = self.out.send(format!("{} logged in (uid {uid})", self.name));
    }
    fn on_login_failed(&self, ecode: i32) {
        let _ = self.out.send(format!("{} login failed: {ecode}", self.name));
    }
    fn on_message_instant_receive(&self, account: &str, _uid: u32, msg: &str) {
        let _ = self.out.send(format!("{} got from {account}: {msg}", self.name));
    }
    fn on_message_send_success(&self, id: &str) {
        let _ = self.out.send(format!("{} sent {id}", self.name));
    }
    fn on_query_user_status_result(&self, name: &str, status: &str) {
        let _ = self.out.send(format!("{} sees {name} online={status}", self.name));
    }
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {
        let _ = self.out.send(format!("{} reads {account}.{name} = {value}", self.name));
    }
}

fn next(rx: &Receiver<String>) -> String {
    let line = rx.recv_timeout(Duration::from_secs(5)).expect("a callback within 5 s");
    println!("{line}");
    line
}

fn main() {
    let (tx, rx) = mpsc::channel();
    // Two instances in one process; both meet on the embedded hub for APP_ID.
    let alice = Signaling::create_instance(APP_ID);
    alice.callback_set(Arc::new(Listener { name: "alice", out: tx.clone() }));
    let bob = Signaling::create_instance(APP_ID);
    bob.callback_set(Arc::new(Listener { name: "bob", out: tx }));

    alice.login(APP_ID, "alice", "_no_need_token", 0, "");
    next(&rx);
    bob.login2(APP_ID, "bob", "_no_need_token", 0, "", 30, 3);
    next(&rx);

    alice.query_user_status("bob");
    next(&rx);
    alice.message_instant_send("bob", 0, "hi bob", "");
    next(&rx);
    next(&rx);
    bob.set_attr("status", "away");
    alice.get_user_attr("bob", "status");
    next(&rx);

    alice.logout();
    bob.logout();
    alice.destroy();
    bob.destroy();
}
