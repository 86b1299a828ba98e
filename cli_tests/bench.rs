//! A smoke run of every `sigshim bench` scenario: small sizes, about a second each (the soak a
//! few), generous checks. It keeps the load generator working; the figures themselves are in BENCHMARKS.md.
//! The runs on nodes sharing a Redis need `redis-server`: without it they pass as skipped (one
//! printed line), unless `SIGSHIM_REQUIRE_REDIS=1`.

use std::process::Command;

use serde_json::Value;
use sigshim_conformance::redis_server::RedisServer;

const BIN: &str = env!("CARGO_BIN_EXE_sigshim");

/// Runs `sigshim bench ARGS` and returns its JSON line.
fn bench(args: &[&str]) -> Value {
    let o = Command::new(BIN).arg("bench").args(args).output().expect("running the sigshim binary");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "sigshim bench {args:?} failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout.lines().last().unwrap_or_else(|| panic!("no JSON line; stderr:\n{stderr}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} missing or not a count in {v}"))
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} missing or not a number in {v}"))
}

const SHORT: [&str; 4] = ["--duration", "1", "--warmup", "0.2"];

#[test]
fn peer_messages_over_a_spawned_server_arrive_every_one() {
    let v = bench(&[&["peer", "--pairs", "4", "--rate", "400"][..], &SHORT].concat());
    assert_eq!(v["system"], "sigshim");
    assert_eq!(v["scenario"], "peer");
    assert!(n(&v, "sent") >= 300, "{v}");
    assert_eq!(n(&v, "delivered"), n(&v, "sent"), "{v}");
    assert_eq!((n(&v, "lost"), n(&v, "failed")), (0, 0), "{v}");
    assert!(n(&v, "p50_us") <= n(&v, "p99_us") && n(&v, "p99_us") <= n(&v, "max_us"), "{v}");
    assert!(n(&v, "server_rss_kib") > 0, "{v}");
    assert!(f(&v, "server_cpu_pct") >= 0.0 && f(&v, "generator_cpu_pct") > 0.0, "{v}");
    // Every message wakes the server's and the generator's threads: both switch context.
    assert!(n(&v, "server_switches_per_s") > 0 && n(&v, "generator_switches_per_s") > 0, "{v}");
}

#[test]
fn the_legacy_api_and_saturation_modes_run() {
    let legacy = bench(&[&["peer", "--api", "legacy", "--pairs", "2", "--rate", "200"][..], &SHORT].concat());
    assert_eq!(legacy["api"], "legacy");
    assert_eq!(n(&legacy, "delivered"), n(&legacy, "sent"), "{legacy}");
    assert_eq!(n(&legacy, "acked"), n(&legacy, "sent"), "{legacy}");
    let inline = bench(
        &[&["peer", "--api", "legacy", "--inline-callbacks", "--pairs", "2", "--rate", "200"][..], &SHORT]
            .concat(),
    );
    assert_eq!(inline["inline_callbacks"], true);
    assert_eq!(n(&inline, "delivered"), n(&inline, "sent"), "{inline}");
    let legacy_saturated = bench(
        &[&["peer", "--api", "legacy", "--pairs", "2", "--rate", "0", "--window", "4"][..], &SHORT].concat(),
    );
    assert!(n(&legacy_saturated, "sent") > 0, "{legacy_saturated}");
    assert_eq!(n(&legacy_saturated, "acked"), n(&legacy_saturated, "sent"), "{legacy_saturated}");
    assert_eq!(n(&legacy_saturated, "delivered"), n(&legacy_saturated, "sent"), "{legacy_saturated}");
    let saturated = bench(&[&["peer", "--pairs", "2", "--rate", "0", "--window", "4"][..], &SHORT].concat());
    assert!(n(&saturated, "delivered") > 0, "{saturated}");
    assert_eq!(n(&saturated, "lost"), 0, "{saturated}");
    let inproc = bench(&[&["inproc", "--pairs", "2", "--rate", "0", "--window", "4"][..], &SHORT].concat());
    assert_eq!(inproc["target"], "in-process hub");
    assert!(f(&inproc, "throughput") > 0.0, "{inproc}");
}

#[test]
fn lean_users_send_on_schedule_and_at_saturation() {
    let paced = bench(&[&["peer", "--api", "lean", "--pairs", "4", "--rate", "400"][..], &SHORT].concat());
    assert_eq!(paced["api"], "lean");
    assert_eq!(n(&paced, "sent"), 400, "one second at 400 msgs/s is 400 slots: {paced}");
    assert_eq!(n(&paced, "acked"), n(&paced, "sent"), "{paced}");
    assert_eq!(n(&paced, "delivered"), n(&paced, "sent"), "{paced}");
    assert!(n(&paced, "pacer_late_p99_us") <= n(&paced, "pacer_late_max_us"), "{paced}");
    let saturated = bench(
        &[&["peer", "--api", "lean", "--pairs", "2", "--rate", "0", "--window", "4"][..], &SHORT].concat(),
    );
    assert!(n(&saturated, "sent") > 0, "{saturated}");
    assert_eq!(n(&saturated, "acked"), n(&saturated, "sent"), "{saturated}");
    assert_eq!((n(&saturated, "lost"), n(&saturated, "failed")), (0, 0), "{saturated}");
}

#[test]
fn fan_out_reaches_every_member_and_a_stalled_one_costs_the_others_nothing() {
    let v = bench(&[&["fanout", "--members", "20", "--rate", "50"][..], &SHORT].concat());
    assert_eq!(n(&v, "delivered"), n(&v, "sent") * 20, "{v}");
    assert_eq!(n(&v, "lost"), 0, "{v}");
    let s = bench(&[&["stalled", "--members", "10", "--stalled", "1", "--rate", "50"][..], &SHORT].concat());
    assert_eq!(s["scenario"], "stalled");
    assert_eq!(n(&s, "delivered"), n(&s, "sent") * 10, "the members that read lose nothing: {s}");
}

#[test]
fn idle_connections_and_a_login_burst_report_their_figures() {
    let idle = bench(&["idle", "--connections", "50", "--hold", "1"]);
    assert_eq!(n(&idle, "connections"), 50);
    assert!(f(&idle, "kib_per_connection") > 0.0, "{idle}");
    let logins = bench(&["logins", "--connections", "50", "--concurrency", "10"]);
    assert_eq!(n(&logins, "connections"), 50);
    assert!(f(&logins, "throughput") > 0.0, "{logins}");
    let lean = bench(&["logins", "--lean-logins", "--connections", "50", "--concurrency", "10"]);
    assert_eq!((n(&lean, "connections"), &lean["users"]), (50, &Value::from("lean")), "{lean}");
}

#[test]
fn the_floor_times_loopback_round_trips() {
    let v = bench(&["floor", "--duration", "0.5", "--warmup", "0.1"]);
    assert_eq!(v["scenario"], "floor");
    assert!(n(&v, "round_trips") > 0, "{v}");
    assert!(n(&v, "p50_us") > 0 && n(&v, "p50_us") <= n(&v, "p99_us"), "{v}");
    assert!(n(&v, "p99_us") <= n(&v, "max_us"), "{v}");
}

#[test]
fn legacy_wire_users_send_on_schedule_at_saturation_and_idle() {
    let paced =
        bench(&[&["peer", "--api", "legacy-wire", "--pairs", "4", "--rate", "400"][..], &SHORT].concat());
    assert_eq!(paced["api"], "legacy-wire");
    assert_eq!(n(&paced, "sent"), 400, "one second at 400 msgs/s is 400 slots: {paced}");
    assert_eq!(n(&paced, "acked"), n(&paced, "sent"), "{paced}");
    assert_eq!(n(&paced, "delivered"), n(&paced, "sent"), "{paced}");
    let saturated = bench(
        &[&["peer", "--api", "legacy-wire", "--pairs", "2", "--rate", "0", "--window", "4"][..], &SHORT]
            .concat(),
    );
    assert!(n(&saturated, "sent") > 0, "{saturated}");
    assert_eq!(n(&saturated, "acked"), n(&saturated, "sent"), "{saturated}");
    assert_eq!((n(&saturated, "lost"), n(&saturated, "failed")), (0, 0), "{saturated}");
    let idle = bench(&["idle", "--api", "legacy-wire", "--connections", "20", "--hold", "1"]);
    assert_eq!((n(&idle, "connections"), &idle["api"]), (20, &Value::from("legacy-wire")), "{idle}");
}

#[test]
fn a_short_soak_samples_the_server_memory_and_every_request_is_answered() {
    let v = bench(&[
        "soak",
        "--connections",
        "300",
        "--rate",
        "300",
        "--duration",
        "3",
        "--warmup",
        "1",
        "--sample-every",
        "1",
        "--churn",
        "40",
        "--offline-for",
        "0.5",
    ]);
    assert_eq!((v["scenario"].as_str(), n(&v, "connections")), (Some("soak"), 300), "{v}");
    let samples = v["samples"].as_array().unwrap_or_else(|| panic!("no samples: {v}"));
    assert!(samples.len() >= 4, "a sample a second over 4 s: {v}");
    assert!(samples.iter().all(|s| s["rss_kib"].as_u64().is_some_and(|k| k > 0) && s["t_s"].is_number()));
    assert!(n(&v, "requests") > 1000, "{v}");
    assert_eq!(n(&v, "answered"), n(&v, "requests"), "every request answered: {v}");
    assert_eq!((n(&v, "timeouts"), n(&v, "unanswered"), n(&v, "errors")), (0, 0, 0), "{v}");
    assert!(n(&v, "logouts") > 0 && n(&v, "channel_delivered") > 0, "churn and channels ran: {v}");
    assert!(n(&v, "offline_delivered") >= n(&v, "stored"), "the offline store gave back all: {v}");
    assert_eq!(n(&v, "peer_lost"), 0, "{v}");
    assert!(v["rss_slope_kib_per_min"].is_number(), "{v}");
    assert!(n(&v, "rss_min_kib") <= n(&v, "rss_max_kib"), "{v}");
    assert_eq!(v["failures"], serde_json::json!([]), "{v}");
}

#[test]
fn unsupported_combinations_are_refused_clearly() {
    for args in [
        &["inproc", "--api", "legacy-wire"][..],
        &["fanout", "--api", "legacy-wire"],
        &["idle", "--api", "lean"],
        &["peer", "--api", "lean", "--inline-callbacks"],
        &["soak", "--api", "legacy-wire"],
        &["inproc", "--api", "c"],
        &["idle", "--api", "c"],
        &["fanout", "--api", "c"],
        &["inproc", "--nodes", "2"],
        &["peer", "--nodes", "2", "--url", "ws://127.0.0.1:9/"],
        &["peer", "--redis", "--url", "ws://127.0.0.1:9/"],
        &["soak", "--nodes", "2"],
        &["peer", "--api", "c", "--redis"],
        &["floor", "--nodes", "2"],
        &["peer", "--nodes", "0"],
    ] {
        let o = Command::new(BIN).arg("bench").args(args).output().expect("running the sigshim binary");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "sigshim bench {args:?} is refused");
        assert!(stderr.contains("--"), "sigshim bench {args:?} says why: {stderr}");
    }
}

/// Whether this machine can run the bench's Redis: the conformance harness decides (one printed
/// line and `false` when `redis-server` is missing, a failure instead with
/// `SIGSHIM_REQUIRE_REDIS=1`). The bench starts its own redis-server; the harness's is only the
/// probe.
fn redis_available() -> bool {
    RedisServer::start().is_some()
}

#[test]
fn two_nodes_on_redis_carry_every_peer_message_across_and_report_each_node() {
    if !redis_available() {
        return;
    }
    let v = bench(
        &[&["peer", "--nodes", "2", "--api", "lean", "--pairs", "4", "--rate", "400"][..], &SHORT].concat(),
    );
    assert_eq!((n(&v, "nodes"), &v["engine"]), (2, &Value::from("redis")), "{v}");
    assert!(n(&v, "delivered") > 0, "{v}");
    assert_eq!(n(&v, "delivered"), n(&v, "sent"), "{v}");
    assert_eq!(n(&v, "acked"), n(&v, "sent"), "{v}");
    assert_eq!((n(&v, "lost"), n(&v, "failed")), (0, 0), "{v}");
    let each = v["server_cpu_pct_nodes"].as_array().unwrap_or_else(|| panic!("no per-node CPU: {v}"));
    assert_eq!(each.len(), 2, "{v}");
    assert_eq!(v["server_rss_kib_nodes"].as_array().map(Vec::len), Some(2), "{v}");
    assert!(f(&v, "redis_cpu_pct") >= 0.0 && n(&v, "redis_rss_kib") > 0, "{v}");
    // Each node's pipelines to Redis, read from its /metrics: peer messages cross, so both send.
    let batches =
        v["engine_batches_per_s_nodes"].as_array().unwrap_or_else(|| panic!("no engine figures: {v}"));
    assert_eq!(batches.len(), 2, "{v}");
    assert!(batches.iter().all(|b| b.as_f64().is_some_and(|b| b > 0.0)), "{v}");
    assert_eq!(v["engine_busy_pct_nodes"].as_array().map(Vec::len), Some(2), "{v}");
    let core = bench(
        &[&["peer", "--nodes", "2", "--pairs", "2", "--rate", "0", "--window", "4"][..], &SHORT].concat(),
    );
    assert!(n(&core, "delivered") > 0, "{core}");
    assert_eq!((n(&core, "lost"), n(&core, "failed")), (0, 0), "{core}");
    let fanout =
        bench(&[&["fanout", "--nodes", "2", "--members", "10", "--rate", "50"][..], &SHORT].concat());
    assert_eq!(n(&fanout, "delivered"), n(&fanout, "sent") * 10, "members on both nodes get all: {fanout}");
    let logins = bench(&["logins", "--nodes", "2", "--connections", "40", "--concurrency", "10"]);
    assert_eq!((n(&logins, "connections"), n(&logins, "nodes")), (40, 2), "{logins}");
    let one = bench(&["logins", "--redis", "--lean-logins", "--connections", "20", "--concurrency", "10"]);
    assert_eq!((n(&one, "nodes"), &one["engine"]), (1, &Value::from("redis")), "{one}");
    assert!(one.get("server_cpu_pct_nodes").is_none(), "one node: no per-node array: {one}");
}
