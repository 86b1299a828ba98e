//! Peer messages over loopback WebSocket: a real server and real clients in one process.
//!
//! `cargo bench --bench ws`. Rate limits are lifted; each batch ends when every message has been
//! received, so the figure is end-to-end delivered messages per second.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigshim::limits::{Limits, RateLimits};
use sigshim::server::{Server, ServerConfig};
use sigshim::transport::WsConnector;
use sigshim::{Client, ClientEvent, Hub, HubConfig, Message, SendMessageOptions};

const APP: &str = "bench";

fn over_ws(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let limits = Limits::default().rates(RateLimits::unlimited());
    let hub = Hub::new(
        HubConfig::new(APP)
            .limits(limits)
            .legacy_limits(Limits::legacy().rates(RateLimits::unlimited()))
            .inbox_capacity(4096),
    );
    let server = rt.block_on(Server::bind(hub, ServerConfig::new("127.0.0.1:0".parse().unwrap()))).unwrap();
    let received = Arc::new(AtomicU64::new(0));
    let mut g = c.benchmark_group("ws");
    for pairs in [1usize, 8] {
        let senders: Vec<Client> = rt.block_on(async {
            let mut senders = Vec::new();
            for i in 0..pairs {
                let connect = |user: String| {
                    let (c, e) =
                        Client::builder(APP).connector(Arc::new(WsConnector::new(server.url()))).build();
                    async move {
                        c.login(None, &user).await.unwrap();
                        (c, e)
                    }
                };
                let (s, _) = connect(format!("s{pairs}-{i}")).await;
                let (r, mut events) = connect(format!("r{pairs}-{i}")).await;
                let counter = received.clone();
                tokio::spawn(async move {
                    let _keep = r;
                    while let Some(ev) = events.recv().await {
                        if matches!(ev, ClientEvent::MessageFromPeer { .. }) {
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
                senders.push(s);
            }
            senders
        });
        const PER_SENDER: usize = 400;
        g.throughput(Throughput::Elements((pairs * PER_SENDER) as u64));
        let msg = Message::text("x".repeat(64));
        g.bench_function(format!("peer_messages_{pairs}_pairs"), |b| {
            b.iter(|| {
                let target = received.load(Ordering::Relaxed) + (pairs * PER_SENDER) as u64;
                rt.block_on(async {
                    let tasks: Vec<_> = senders
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let (s, msg, peer) = (s.clone(), msg.clone(), format!("r{pairs}-{i}"));
                            tokio::spawn(async move {
                                for _ in 0..PER_SENDER {
                                    s.send_message_to_peer(&peer, &msg, SendMessageOptions::default())
                                        .await
                                        .unwrap();
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                    while received.load(Ordering::Relaxed) < target {
                        tokio::task::yield_now().await;
                    }
                })
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = over_ws
}
criterion_main!(benches);
