//! The JSON frames of the hot path: a peer-message request as the server reads it, and the
//! reply and the pushed event as a client reads them. Each is measured through sigshim's parser and through the
//! plain derived (`#[serde(flatten)]`) form that reads the same text, side by side.
//!
//! `cargo bench --bench codec`.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use sigshim::protocol::{Event, Request};
use sigshim::test_support::wire::{self, RequestFrame};

const REQUEST: &str = r#"{"id":4711,"op":"send_peer_message","peer_id":"r42-1a2b3c","message":{"type":"text","text":"t123456789|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}"#;
const REPLY: &str = r#"{"id":4711,"reply":"message_sent","message_id":99,"server_ts":1764102000123}"#;
const EVENT: &str = r#"{"seq":815,"event":"peer_message","peer_id":"s42-1a2b3c","message":{"id":99,"server_ts":1764102000123,"type":"text","text":"t123456789|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},"offline":false}"#;

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frames");
    g.bench_function("request_parse_client", |b| {
        b.iter(|| match wire::parse_client(black_box(REQUEST)) {
            Ok(wire::ClientFrame::Request(RequestFrame {
                request: Request::SendPeerMessage { .. }, ..
            })) => {}
            other => panic!("{other:?}"),
        })
    });
    g.bench_function("request_derived_flatten", |b| {
        b.iter(|| serde_json::from_str::<RequestFrame>(black_box(REQUEST)).unwrap())
    });
    g.bench_function("event_parse_server", |b| {
        b.iter(|| match wire::parse_server(black_box(EVENT)) {
            Ok(wire::ServerFrame::Event(e)) => assert!(matches!(e.event, Event::PeerMessage { .. })),
            other => panic!("{other:?}"),
        })
    });
    g.bench_function("event_derived_flatten", |b| {
        b.iter(|| serde_json::from_str::<wire::EventFrame>(black_box(EVENT)).unwrap())
    });
    g.bench_function("reply_parse_server", |b| {
        b.iter(|| match wire::parse_server(black_box(REPLY)) {
            Ok(wire::ServerFrame::Reply(r)) => assert_eq!(r.id, 4711),
            other => panic!("{other:?}"),
        })
    });
    // The derived readers know a reply only once the event reader has failed on it.
    g.bench_function("reply_derived_flatten_after_event", |b| {
        b.iter(|| {
            assert!(serde_json::from_str::<wire::EventFrame>(black_box(REPLY)).is_err());
            serde_json::from_str::<wire::ReplyFrame>(black_box(REPLY)).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
