//! In-process routing throughput, and the cost of the legacy facade over the core.
#![allow(missing_docs)] // criterion_group! generates an undocumented function
//!
//! `cargo bench --bench routing`. Rate limits are lifted so that the hub itself is measured.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use parking_lot::{Condvar, Mutex};
use sigshim::limits::{Limits, RateLimits};
use sigshim::protocol::LoginRequest;
use sigshim::protocol::Request;
use sigshim::{Client, Hub, HubConfig, Message, SendMessageOptions};
use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};

const APP: &str = "bench";
const PAIRS: usize = 500;
const BATCH: usize = 10_000;

fn hub() -> Hub {
    let limits = Limits::default().rates(RateLimits::unlimited());
    Hub::new(
        HubConfig::new(APP)
            .limits(limits)
            .legacy_limits(Limits::legacy().rates(RateLimits::unlimited()))
            .inbox_capacity(4096),
    )
}

fn login(hub: &Hub, user: &str) -> (Arc<sigshim::test_support::Session>, sigshim::hub::SessionInbox) {
    hub.login(&LoginRequest::new(APP, user, None)).expect("login")
}

/// Hub routing alone: `handle` on the caller's thread, receivers drained as they fill.
fn hub_routing(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = rt.enter();
    let hub = hub();
    let senders: Vec<_> = (0..PAIRS).map(|i| login(&hub, &format!("s{i}")).0).collect();
    let mut inboxes: Vec<_> = (0..PAIRS).map(|i| login(&hub, &format!("r{i}")).1).collect();
    let peers: Vec<String> = (0..PAIRS).map(|i| format!("r{i}")).collect();
    let msg = Message::text("x".repeat(64));
    let mut g = c.benchmark_group("hub");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("route_peer_message", |b| {
        b.iter(|| {
            for n in 0..BATCH {
                let i = n % PAIRS;
                let req = Request::SendPeerMessage {
                    peer_id: peers[i].clone(),
                    message: msg.clone(),
                    options: SendMessageOptions::default(),
                };
                let reply = hub.handle(&senders[i], req);
                debug_assert!(matches!(reply, sigshim::protocol::Reply::MessageSent { .. }));
                if n % PAIRS == PAIRS - 1 {
                    for rx in &mut inboxes {
                        while rx.try_recv().is_ok() {}
                    }
                }
            }
            for rx in &mut inboxes {
                while rx.try_recv().is_ok() {}
            }
        })
    });
    g.finish();
}

/// The core client end to end: send awaits the peer-received reply; a task drains the receiver.
fn client_vs_facade(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let hub = hub();
    let (alice, _alice_events) = Client::builder(APP).hub(&hub).build();
    let (bob, mut bob_events) = Client::builder(APP).hub(&hub).event_capacity(8192).build();
    rt.block_on(async {
        alice.login(None, "alice").await.unwrap();
        bob.login(None, "bob").await.unwrap();
    });
    // Bob counts what reaches his event stream; each measured batch ends when he has it all, so
    // both paths are measured end to end (sent, delivered and consumed).
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    rt.spawn(async move {
        while let Some(ev) = bob_events.recv().await {
            if matches!(ev, sigshim::ClientEvent::MessageFromPeer { .. }) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let mut expected = 0u64;
    let mut drained = move |n: usize| {
        expected += n as u64;
        while received.load(Ordering::Relaxed) < expected {
            std::thread::yield_now();
        }
    };
    let msg = Message::text("x".repeat(64));
    let mut g = c.benchmark_group("peer_send");
    const N: usize = 2_000;
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("core_client", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..N {
                    // A full receiver inbox refuses the send (slow consumer); let it drain and retry.
                    while let Err(e) =
                        alice.send_message_to_peer("bob", &msg, SendMessageOptions::default()).await
                    {
                        assert_eq!(
                            e,
                            sigshim::error::PeerMessageError::Failure,
                            "only back-pressure is expected"
                        );
                        tokio::task::yield_now().await;
                    }
                }
            });
            drained(N);
        })
    });

    // The facade in both callback modes. The bench thread sleeps until the last acknowledgement
    // of a batch (see `Acks`), so that no bench-side thread wake-up per message is charged to
    // the facade.
    let text = "x".repeat(64);
    let _enter = rt.enter();
    for (name, inline) in [("legacy_facade", false), ("legacy_facade_inline", true)] {
        let acks = Arc::new(Acks::default());
        let options = SignalingOptions::default().hub(&hub).inline_callbacks(inline);
        let carol = Signaling::create_instance_with(APP, options);
        carol.callback_set(acks.clone());
        carol.login(APP, "carol", "", 0, "");
        acks.wait(1, "carol logs in");
        g.bench_function(name, |b| {
            b.iter(|| {
                // Legacy calls return at once; keep at most 500 in flight (the call queue holds
                // 1024).
                for _ in 0..N / 500 {
                    for _ in 0..500 {
                        carol.message_instant_send("bob", 0, &text, "");
                    }
                    acks.wait(500, "every facade send succeeds");
                    drained(500);
                }
            })
        });
        carol.destroy();
    }
    g.finish();
}

/// Counts successful sends and logins; any failure ends the bench. The bench thread sleeps
/// until the count it waits for is reached, woken once, not once per callback.
#[derive(Default)]
struct Acks {
    /// (successes, failures, the success count the bench thread waits for)
    state: Mutex<(u64, u64, u64)>,
    reached: Condvar,
}

impl Acks {
    fn record(&self, ok: bool) {
        let mut s = self.state.lock();
        if ok {
            s.0 += 1
        } else {
            s.1 += 1
        }
        if s.0 == s.2 || !ok {
            self.reached.notify_one();
        }
    }
    /// Waits until `n` more successes came in than at the last wait.
    fn wait(&self, n: u64, what: &str) {
        let mut s = self.state.lock();
        s.2 += n;
        while s.0 < s.2 && s.1 == 0 {
            let timed_out = self.reached.wait_for(&mut s, std::time::Duration::from_secs(5)).timed_out();
            assert!(!timed_out, "{what}: timed out");
        }
        assert_eq!(s.1, 0, "{what}");
    }
}

impl SignalingCallbacks for Acks {
    fn on_message_send_success(&self, _id: &str) {
        self.record(true);
    }
    fn on_message_send_error(&self, _id: &str, _ecode: i32) {
        self.record(false);
    }
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        self.record(true);
    }
    fn on_login_failed(&self, _ecode: i32) {
        self.record(false);
    }
    fn on_error(&self, _name: &str, _ecode: i32, _desc: &str) {
        self.record(false);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = hub_routing, client_vs_facade
}
criterion_main!(benches);
