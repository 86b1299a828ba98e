//! Heap allocations per message through the legacy facade, against the core client's own path
//! (`core/tests/allocations.rs`): the facade's share is the difference. Everything runs on one
//! thread (a current-thread runtime, callbacks inline) and is counted there.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sigshim::limits::{Limits, RateLimits};
use sigshim::{Client, ClientEvent, Hub, HubConfig};
use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};

const APP: &str = "allocations";
const MESSAGES: u64 = 4096;

/// Counts the instance's logins and successful sends; any failure is counted apart.
#[derive(Default)]
struct Acks {
    ok: AtomicU64,
    failed: AtomicU64,
}

impl SignalingCallbacks for Acks {
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        self.ok.fetch_add(1, Ordering::Relaxed);
    }
    fn on_message_send_success(&self, _id: &str) {
        self.ok.fetch_add(1, Ordering::Relaxed);
    }
    fn on_message_send_error(&self, _id: &str, _ecode: i32) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }
    fn on_error(&self, _name: &str, _ecode: i32, _desc: &str) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }
}

/// Lets the runtime's tasks run until `acks` counts `ok` successes. Everything runs on this
/// thread, so each yield runs the tasks that are ready; a send that never completes fails the
/// test after a bounded number of rounds instead of hanging it.
async fn until_acked(acks: &Acks, ok: u64) {
    for _ in 0..100_000 {
        assert_eq!(acks.failed.load(Ordering::Relaxed), 0, "every send succeeds");
        if acks.ok.load(Ordering::Relaxed) >= ok {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("{ok} successes never came");
}

/// A legacy sender (inline callbacks) to a core receiver: the call, the command queue, the
/// instance's task, the core send, the result callback, and Bob's event.
#[test]
fn a_facade_message_takes_four_allocations_more_than_a_core_one() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = rt.enter();
    let limits = Limits::default().rates(RateLimits::unlimited());
    let hub =
        Hub::new(HubConfig::new(APP).limits(limits).legacy_limits(limits).inbox_capacity(MESSAGES as usize));
    let (bob, mut bob_events) = Client::builder(APP).hub(&hub).event_capacity(256).build();
    let acks = Arc::new(Acks::default());
    let options = SignalingOptions::default().hub(&hub).inline_callbacks(true);
    let alice = Signaling::create_instance_with(APP, options);
    alice.callback_set(acks.clone());
    rt.block_on(async {
        bob.login(None, "bob").await.unwrap();
        alice.login(APP, "alice", "", 0, "");
        until_acked(&acks, 1).await;
        while bob_events.try_recv().is_some() {}
    });
    let text = "a message of some forty bytes, or so".to_owned();
    let mut received = 0u64;
    // The runtime's tasks (Alice's instance, Bob's driver) run only inside `block_on`, on this
    // thread.
    let counted = allocation_counter::measure(|| {
        rt.block_on(async {
            for batch in 0..MESSAGES / 64 {
                for _ in 0..64 {
                    alice.message_instant_send("bob", 0, &text, "m");
                }
                until_acked(&acks, 1 + 64 * (batch + 1)).await;
                tokio::task::yield_now().await;
                while let Some(ev) = bob_events.try_recv() {
                    received += u64::from(matches!(ev, ClientEvent::MessageFromPeer { .. }));
                }
            }
        })
    })
    .count_total;
    assert_eq!(received, MESSAGES, "every message reaches Bob");
    println!("legacy facade end to end: {counted} allocations for {MESSAGES} peer messages");
    // The core path's five, plus four: the call's account, text and message ID, owned to cross
    // to the instance's task, and the send kept in flight while its reply travels.
    assert!(counted <= 9 * MESSAGES + 64, "{counted} allocations for {MESSAGES} messages");
    alice.destroy();
}
