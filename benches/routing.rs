//! In-process routing throughput, and the cost of the legacy facade over the core.
#![allow(missing_docs)] // criterion_group! generates an undocumented function
//!
//! `cargo bench --bench routing`. Rate limits are lifted so that the hub itself is measured.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigshim::limits::{Limits, RateLimits};
use sigshim::protocol::Request;
use sigshim::transport::LoginRequest;
use sigshim::{Client, Hub, HubConfig, Message, SendMessageOptions};
use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};

const APP: &str = "bench";
const PAIRS: usize = 500;
const BATCH: usize = 10_000;

fn hub() -> Hub {
    let limits = Limits { rates: RateLimits::unlimited(), ..Limits::default() };
    Hub::new(HubConfig::new(APP).with_limits(limits).with_inbox_capacity(4096))
}

fn login(
    hub: &Hub,
    user: &str,
) -> (Arc<sigshim::hub::Session>, tokio::sync::mpsc::Receiver<Arc<sigshim::protocol::Event>>) {
    hub.login(&LoginRequest { app_id: APP.into(), user_id: user.into(), token: None }).expect("login")
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

    /// Forwards each send outcome (0 = success, else the legacy error code) and the login.
    struct Acks(std_mpsc::Sender<i32>);
    impl SignalingCallbacks for Acks {
        fn on_message_send_success(&self, _id: &str) {
            let _ = self.0.send(0);
        }
        fn on_message_send_error(&self, _id: &str, ecode: i32) {
            let _ = self.0.send(ecode);
        }
        fn on_login_success(&self, _uid: u32, _fd: u32) {
            let _ = self.0.send(0);
        }
        fn on_login_failed(&self, ecode: i32) {
            let _ = self.0.send(ecode);
        }
        fn on_error(&self, _name: &str, ecode: i32, _desc: &str) {
            let _ = self.0.send(ecode);
        }
    }
    let text = "x".repeat(64);
    let (tx, acks) = std_mpsc::channel();
    let _enter = rt.enter();
    let carol = Signaling::create_instance_with(APP, SignalingOptions::default().hub(&hub));
    carol.callback_set(Arc::new(Acks(tx)));
    carol.login(APP, "carol", "", 0, "");
    assert_eq!(acks.recv_timeout(std::time::Duration::from_secs(5)), Ok(0), "carol logs in");
    g.bench_function("legacy_facade", |b| {
        b.iter(|| {
            // Legacy calls return at once; keep at most 500 in flight (the call queue holds 1024).
            for _ in 0..N / 500 {
                for _ in 0..500 {
                    carol.message_instant_send("bob", 0, &text, "");
                }
                for _ in 0..500 {
                    let code = acks.recv_timeout(std::time::Duration::from_secs(5));
                    assert_eq!(code, Ok(0), "every facade send succeeds: {:?}", hub.stats());
                }
                drained(500);
            }
        })
    });
    g.finish();
    carol.destroy();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = hub_routing, client_vs_facade
}
criterion_main!(benches);
