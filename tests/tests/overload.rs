//! A legacy instance flooded faster than it can work: calls past its queue are refused with a
//! defined callback on the dispatcher thread, and every accepted call still completes.

use sigshim_conformance::Backend;
use sigshim_conformance::Driver;
use sigshim_conformance::fixtures::{online_core, relaxed_hub};

async fn calls_past_the_queue_are_refused_and_the_rest_complete(be: Backend) {
    let hub = relaxed_hub();
    let _bob = online_core(be, &hub, "bob").await;
    let mut alice = be.legacy(&hub, "alice");
    alice.login(None).await.expect("login");

    // On this current-thread runtime the facade's task cannot run until the test yields, so the
    // first 1024 calls fill its queue and the rest are refused at once.
    const CALLS: usize = 1100;
    for i in 0..CALLS {
        alice.sig.message_instant_send("bob", 0, "x", &format!("m{i}"));
    }
    let mut refused = 0;
    let mut sent = 0;
    while refused + sent < CALLS {
        let cb = alice.cbs.wait_any(&["on_error", "on_message_send_success"]).await;
        match cb.name {
            "on_error" => {
                assert_eq!(cb.args, ["message_instant_send", "1001", "too many calls in flight"]);
                refused += 1;
            }
            _ => sent += 1,
        }
    }
    assert_eq!(sent, 1024, "every queued call completes");
    assert_eq!(refused, CALLS - 1024);
    // The instance still works afterwards.
    alice.send_peer("bob", "after").await.expect("a later send succeeds");
}

sigshim_conformance::per_backend!(calls_past_the_queue_are_refused_and_the_rest_complete,);
