//! Channel fan-out throughput: one publisher, 1,000 members in-process.
#![allow(missing_docs)] // criterion_group! generates an undocumented function
//!
//! `cargo bench --bench fanout`. The hub is driven directly (`Hub::login` + `Hub::handle`, as in
//! `routing.rs`); rate limits are lifted and inboxes are large, so the fan-out itself is measured.
//! Throughput is in deliveries (messages × 999 receivers).

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigshim::limits::{Limits, RateLimits};
use sigshim::protocol::LoginRequest;
use sigshim::protocol::{Reply, Request};
use sigshim::{Hub, HubConfig, Message};

const APP: &str = "bench";
const MEMBERS: usize = 1_000;
/// Messages per measured batch; the members' inboxes are drained after each batch.
const BATCH: usize = 100;

fn hub() -> Hub {
    let limits = Limits::default().rates(RateLimits::unlimited());
    Hub::new(
        HubConfig::new(APP)
            .limits(limits)
            .legacy_limits(Limits::legacy().rates(RateLimits::unlimited()))
            .inbox_capacity(4 * BATCH),
    )
}

fn login(hub: &Hub, user: &str) -> Member {
    hub.login(&LoginRequest::new(APP, user, None)).expect("login")
}

type Member = (Arc<sigshim::test_support::Session>, sigshim::hub::SessionInbox);

/// Empties every inbox; returns how many events were in them.
fn drain(members: &mut [Member]) -> u64 {
    let mut n = 0;
    for (_, rx) in members.iter_mut() {
        while rx.try_recv().is_ok() {
            n += 1;
        }
    }
    n
}

fn channel_fanout(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = rt.enter();
    let hub = hub();
    let mut members: Vec<Member> = (0..MEMBERS).map(|i| login(&hub, &format!("m{i}"))).collect();
    for (session, _) in &members {
        let reply = hub.handle(session, Request::JoinChannel { channel_id: "room".into() });
        assert_eq!(reply, Reply::Ok);
    }
    drain(&mut members);
    // The joins overflowed the first members' inboxes with member events; those drops are not
    // part of the measurement.
    let setup_drops = hub.stats().inbox_full_drops;
    let publisher = members[0].0.clone();
    let msg = Message::text("x".repeat(64));
    let mut g = c.benchmark_group("channel");
    g.throughput(Throughput::Elements((BATCH * (MEMBERS - 1)) as u64));
    g.bench_function("fanout_1000_members", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                let req = Request::SendChannelMessage { channel_id: "room".into(), message: msg.clone() };
                let reply = hub.handle(&publisher, req);
                debug_assert_eq!(reply, Reply::Ok);
            }
            let delivered = drain(&mut members);
            debug_assert!(delivered >= (BATCH * (MEMBERS - 1)) as u64);
        })
    });
    g.finish();
    assert_eq!(hub.stats().inbox_full_drops, setup_drops, "every delivery was measured");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = channel_fanout
}
criterion_main!(benches);
