//! `sigshim_requests_total{op}` and `sigshim_request_seconds{op}`: the requests the server
//! handled, by operation, and how long the hub took on each.
//!
//! Kept in fixed buckets of atomic counters, two relaxed additions per request, and rendered at
//! scrape time. A histogram of the `metrics` recorder keeps every sample until its upkeep folds
//! them in: at a few hundred thousand requests a second that was 5% of the server's CPU (a
//! lookup of the operation's handles under a lock, a sample pushed into a shared list, blocks of
//! samples allocated and freed), and megabytes held between two upkeeps.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::protocol::Request;

/// The upper bounds of `sigshim_request_seconds`'s buckets, from 50 µs to 1 s.
pub(super) const LATENCY_BUCKETS: [f64; 12] =
    [0.000_05, 0.0001, 0.000_25, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0];

/// [`LATENCY_BUCKETS`] in nanoseconds, to place a sample without floating point.
const BOUNDS_NS: [u64; LATENCY_BUCKETS.len()] = {
    let mut ns = [0; LATENCY_BUCKETS.len()];
    let mut i = 0;
    while i < ns.len() {
        ns[i] = (LATENCY_BUCKETS[i] * 1e9 + 0.5) as u64;
        i += 1;
    }
    ns
};

/// One operation's figures.
struct OpStats {
    /// Samples in each bucket (not cumulative): `in_bucket[i]` those at most `BOUNDS_NS[i]` and
    /// above the bound before; the last, those above every bound.
    in_bucket: [AtomicU64; BOUNDS_NS.len() + 1],
    /// The sum of the samples, in nanoseconds.
    sum_ns: AtomicU64,
}

impl OpStats {
    const fn new() -> Self {
        Self { in_bucket: [const { AtomicU64::new(0) }; BOUNDS_NS.len() + 1], sum_ns: AtomicU64::new(0) }
    }
}

/// The process's figures, one entry per operation (the `metrics` recorder they sit beside is
/// the process's too).
static OPS: [OpStats; Request::OPS.len()] = [const { OpStats::new() }; Request::OPS.len()];

/// Counts one request of operation `op` (its [`Request::op_index`]) that took `took`.
pub(super) fn record(op: usize, took: Duration) {
    let Some(stats) = OPS.get(op) else { return };
    let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
    let bucket = BOUNDS_NS.partition_point(|&bound| bound < ns);
    stats.in_bucket[bucket].fetch_add(1, Relaxed);
    stats.sum_ns.fetch_add(ns, Relaxed);
}

/// Appends both families in Prometheus text format, with a series for each operation seen.
pub(super) fn render(out: &mut String) {
    let seen: Vec<(&str, [u64; BOUNDS_NS.len() + 1], u64)> = Request::OPS
        .iter()
        .zip(&OPS)
        .map(|(op, s)| (*op, s.in_bucket.each_ref().map(|c| c.load(Relaxed)), s.sum_ns.load(Relaxed)))
        .filter(|(_, buckets, _)| buckets.iter().any(|&n| n > 0))
        .collect();
    if seen.is_empty() {
        return;
    }
    out.push_str("# HELP sigshim_requests_total Requests handled, by operation.\n");
    out.push_str("# TYPE sigshim_requests_total counter\n");
    for (op, buckets, _) in &seen {
        let _ = writeln!(out, "sigshim_requests_total{{op=\"{op}\"}} {}", buckets.iter().sum::<u64>());
    }
    out.push_str("# HELP sigshim_request_seconds Time the hub took on a request, by operation.\n");
    out.push_str("# TYPE sigshim_request_seconds histogram\n");
    for (op, buckets, sum_ns) in &seen {
        let mut below = 0;
        for (bound, n) in LATENCY_BUCKETS.iter().zip(buckets) {
            below += n;
            let _ = writeln!(out, "sigshim_request_seconds_bucket{{op=\"{op}\",le=\"{bound}\"}} {below}");
        }
        let count = below + buckets[BOUNDS_NS.len()];
        let _ = writeln!(out, "sigshim_request_seconds_bucket{{op=\"{op}\",le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "sigshim_request_seconds_sum{{op=\"{op}\"}} {}", *sum_ns as f64 / 1e9);
        let _ = writeln!(out, "sigshim_request_seconds_count{{op=\"{op}\"}} {count}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounds_are_the_buckets_in_nanoseconds() {
        assert_eq!(BOUNDS_NS[0], 50_000);
        assert_eq!(BOUNDS_NS[2], 250_000);
        assert_eq!(BOUNDS_NS[BOUNDS_NS.len() - 1], 1_000_000_000);
    }

    /// The lines of `text` for operation `op`, without the operation's label.
    fn lines_of(text: &str, op: &str) -> Vec<String> {
        let label = format!("op=\"{op}\"");
        text.lines()
            .filter(|l| l.contains(&label))
            .map(|l| l.replace(&label, "").replace("{,", "{"))
            .collect()
    }

    #[test]
    fn samples_land_in_their_buckets_and_render_cumulatively() {
        // An operation no other test of this process records.
        let op = Request::QueryPeersBySubscriptionOption.op_index();
        for micros in [10, 50, 51, 300, 2_000_000] {
            record(op, Duration::from_micros(micros));
        }
        let mut text = String::new();
        render(&mut text);
        let lines = lines_of(&text, "query_peers_by_subscription_option");
        let expected = [
            "sigshim_requests_total{} 5",
            "sigshim_request_seconds_bucket{le=\"0.00005\"} 2",
            "sigshim_request_seconds_bucket{le=\"0.0001\"} 3",
            "sigshim_request_seconds_bucket{le=\"0.00025\"} 3",
            "sigshim_request_seconds_bucket{le=\"0.0005\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.001\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.002\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.005\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.01\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.05\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.1\"} 4",
            "sigshim_request_seconds_bucket{le=\"0.5\"} 4",
            "sigshim_request_seconds_bucket{le=\"1\"} 4",
            "sigshim_request_seconds_bucket{le=\"+Inf\"} 5",
            "sigshim_request_seconds_sum{} 2.000411",
            "sigshim_request_seconds_count{} 5",
        ];
        assert_eq!(lines, expected);
        assert!(text.contains("# TYPE sigshim_request_seconds histogram\n"));
        assert!(text.contains("# TYPE sigshim_requests_total counter\n"));
    }

    #[test]
    fn an_operation_index_out_of_range_is_ignored() {
        record(usize::MAX, Duration::from_millis(1));
    }
}
