//! A legacy instance lives until `destroy()`, as the legacy SDK's did: dropping every handle the
//! application holds does not log it out. Other users still see it online and its callbacks
//! still receive what is sent to it; `destroy()` ends it (the others then see it offline) and
//! lets the process release it.

use std::sync::Arc;

use sigshim_conformance::fixtures::online_legacy;
use sigshim_conformance::{APP_ID, Backend, Driver, hub, recorder};
use sigshim_legacy::{Signaling, SignalingOptions, uid_for};

async fn dropping_every_handle_does_not_log_out(be: Backend) {
    let hub = hub();
    let mut bob = online_legacy(be, &hub, "bob").await;
    let sig = Signaling::create_instance_with(APP_ID, be.legacy_options(&hub, SignalingOptions::default()));
    let (callbacks, mut alice) = recorder();
    sig.callback_set(callbacks);
    sig.login(APP_ID, "alice", "_no_need_token", 0, "");
    alice.wait("on_login_success").await;

    // The application lets go of the instance: only a weak reference is left.
    let weak = Arc::downgrade(&sig);
    drop(sig);
    assert!(weak.strong_count() > 0, "the process holds the instance");
    assert_eq!(bob.query_online("alice").await, Ok(true), "alice is still online");
    bob.send_peer("alice", "still there?").await.expect("delivered");
    let cb = alice.wait("on_message_instant_receive").await;
    assert_eq!(cb.to_string(), format!("on_message_instant_receive(bob, {}, still there?)", uid_for("bob")));

    // destroy() ends it: alice logs out, bob sees her offline, the process lets her go.
    let sig = weak.upgrade().expect("the instance lives until destroy");
    sig.destroy();
    assert_eq!(alice.wait("on_logout").await.to_string(), "on_logout(101)");
    drop(sig);
    assert_eq!(bob.query_online("alice").await, Ok(false), "alice is offline after destroy");
    assert_eq!(weak.strong_count(), 0, "destroy released the instance");
    assert_eq!(
        alice.transcript(),
        [
            format!("on_login_success({}, 1)", uid_for("alice")),
            format!("on_message_instant_receive(bob, {}, still there?)", uid_for("bob")),
            "on_logout(101)".to_owned(),
        ]
    );
}

sigshim_conformance::per_backend!(dropping_every_handle_does_not_log_out);
