//! Measuring a run: the clock messages carry, latency histograms, counters, progress lines and
//! the report (one JSON line on stdout, a table on stderr).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::{Value, json};

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// Nanoseconds since the generator started (one clock for senders and receivers).
pub(crate) fn now_ns() -> u64 {
    base().elapsed().as_nanos() as u64
}

/// The tag of this generator process that user names carry (see [`user`]).
pub(crate) fn run_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        format!("{:x}{:x}", std::process::id(), secs & 0xffff_ffff)
    })
}

/// The name of simulated user `i` in `role` ("s" sender, "r" receiver, "m" member, …). Names
/// carry a tag of this generator process, so that runs against one long-lived server never log
/// into each other's sessions (nor receive what an earlier run left unacknowledged).
pub(crate) fn user(role: &str, i: usize) -> String {
    format!("{role}{i}-{}", run_tag())
}

/// The nanosecond clock value of an instant.
pub(crate) fn ns_of(at: tokio::time::Instant) -> u64 {
    at.into_std().saturating_duration_since(base()).as_nanos() as u64
}

/// Length of a [`payload`]: its time, a `u64`, takes at most 20 digits, so always exactly this.
const PAYLOAD_BYTES: usize = 64;

/// Message text carrying its intended send time, padded to 64 bytes: one allocation of its
/// final size, so the generator spends on the message only what its users would.
pub(crate) fn payload(intended_ns: u64) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(PAYLOAD_BYTES);
    write!(s, "t{intended_ns}|").expect("writing to a String cannot fail");
    let pad = PAYLOAD_BYTES.saturating_sub(s.len());
    s.extend(std::iter::repeat_n('x', pad));
    s
}

/// The intended send time a [`payload`] carries.
pub(crate) fn intended_of(text: &str) -> Option<u64> {
    text.strip_prefix('t')?.split('|').next()?.parse().ok()
}

/// Latencies in microseconds, from 1 µs to 60 s at 3 significant digits.
#[derive(Debug, Clone)]
pub(crate) struct Latencies(Histogram<u64>);

impl Default for Latencies {
    fn default() -> Self {
        Self(Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds"))
    }
}

impl Latencies {
    /// Records one latency given in nanoseconds.
    pub(crate) fn record_ns(&mut self, ns: u64) {
        self.0.saturating_record((ns / 1_000).max(1));
    }

    /// Adds another histogram's samples.
    pub(crate) fn merge(&mut self, other: &Latencies) {
        let _ = self.0.add(&other.0);
    }

    /// The latency at quantile `q` in µs (0 when nothing was recorded).
    pub(crate) fn at(&self, q: f64) -> u64 {
        if self.0.is_empty() { 0 } else { self.0.value_at_quantile(q) }
    }

    /// The largest latency in µs (0 when nothing was recorded).
    pub(crate) fn max(&self) -> u64 {
        if self.0.is_empty() { 0 } else { self.0.max() }
    }

    /// `p50 … p99 … max … ms`, or `None` when nothing was recorded.
    pub(crate) fn summary(&self) -> Option<String> {
        let ms = |us: u64| us as f64 / 1000.0;
        (!self.0.is_empty()).then(|| {
            format!("p50 {:.2} p99 {:.2} max {:.2} ms", ms(self.at(0.5)), ms(self.at(0.99)), ms(self.max()))
        })
    }

    /// The report fields `p50_us`, `p99_us`, `p999_us`, `max_us`.
    pub(crate) fn fields(&self, report: &mut Report) {
        report.set("p50_us", self.at(0.50));
        report.set("p99_us", self.at(0.99));
        report.set("p999_us", self.at(0.999));
        report.set("max_us", self.max());
    }
}

/// The measured window, in the generator's nanosecond clock: messages whose send time falls in
/// it are counted; the others are warm-up or drain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    from: u64,
    until: u64,
}

impl Window {
    /// `duration` long, after `warmup` from `start`.
    pub(crate) fn new(start: tokio::time::Instant, warmup: Duration, duration: Duration) -> Self {
        Self { from: ns_of(start + warmup), until: ns_of(start + warmup + duration) }
    }

    pub(crate) fn contains(&self, t: u64) -> bool {
        (self.from..self.until).contains(&t)
    }
}

/// What one receiver saw: the latency of each counted message, and the shared delivery count.
#[derive(Debug)]
pub(crate) struct Tally {
    window: Window,
    counters: std::sync::Arc<Counters>,
    latencies: Latencies,
}

impl Tally {
    pub(crate) fn new(window: Window, counters: std::sync::Arc<Counters>) -> Self {
        Self { window, counters, latencies: Latencies::default() }
    }

    /// A received message with its text.
    pub(crate) fn message(&mut self, text: &str) {
        if let Some(t) = intended_of(text) {
            self.sent_at(t);
        }
    }

    /// A received message sent at `t`.
    pub(crate) fn sent_at(&mut self, t: u64) {
        if self.window.contains(t) {
            let ns = now_ns().saturating_sub(t);
            self.latencies.record_ns(ns);
            self.counters.recent.lock().record_ns(ns);
            Counters::bump(&self.counters.delivered);
        }
    }

    pub(crate) fn latencies(&self) -> &Latencies {
        &self.latencies
    }
}

/// What happened to the messages of a run.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Handed to the client.
    pub(crate) sent: AtomicU64,
    /// Answered with success.
    pub(crate) acked: AtomicU64,
    /// Answered with an error.
    pub(crate) failed: AtomicU64,
    /// Received by their receiver (fan-out: per member).
    pub(crate) delivered: AtomicU64,
    /// The latencies recorded since the last progress line.
    pub(crate) recent: parking_lot::Mutex<Latencies>,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Prints `sent / acked / delivered` every second until `done` is set.
pub(crate) fn progress(
    counters: std::sync::Arc<Counters>,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let started = Instant::now();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.tick().await;
        while !done.load(Ordering::Relaxed) {
            tick.tick().await;
            let recent = std::mem::take(&mut *counters.recent.lock());
            eprintln!(
                "[{:>4.0}s] sent {} acked {} failed {} delivered {}{}",
                started.elapsed().as_secs_f64(),
                Counters::get(&counters.sent),
                Counters::get(&counters.acked),
                Counters::get(&counters.failed),
                Counters::get(&counters.delivered),
                recent.summary().map(|s| format!(" | last second: {s}")).unwrap_or_default(),
            );
        }
    });
}

/// The result of one run: fields in the order they were set.
#[derive(Debug, Default)]
pub(crate) struct Report {
    fields: Vec<(String, Value)>,
}

impl Report {
    pub(crate) fn new(scenario: &str) -> Self {
        let mut r = Self::default();
        r.set("system", "sigshim");
        r.set("scenario", scenario);
        r
    }

    pub(crate) fn set(&mut self, key: &str, value: impl Into<Value>) {
        let value = value.into();
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.fields.push((key.to_owned(), value)),
        }
    }

    /// A float rounded to one decimal.
    pub(crate) fn set_f(&mut self, key: &str, value: f64) {
        self.set(key, json!((value * 10.0).round() / 10.0));
    }

    /// The value of a field.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    #[cfg(test)]
    fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(Value::as_u64)
    }

    /// Whether the run failed although it reported: a non-empty `failures` field.
    pub(crate) fn failed(&self) -> bool {
        self.get("failures").and_then(Value::as_array).is_some_and(|f| !f.is_empty())
    }

    /// The JSON line, keys in order.
    pub(crate) fn json_line(&self) -> String {
        let body: Vec<String> =
            self.fields.iter().map(|(k, v)| format!("{}:{v}", Value::String(k.clone()))).collect();
        format!("{{{}}}", body.join(","))
    }

    /// Prints the table (stderr) and the JSON line (stdout), and appends the line to `out`.
    pub(crate) fn emit(&self, out: Option<&std::path::Path>) -> Result<(), String> {
        eprintln!();
        for (k, v) in &self.fields {
            eprintln!("  {k:<24} {}", v.to_string().trim_matches('"'));
        }
        let line = self.json_line();
        println!("{line}");
        if let Some(path) = out {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("opening {}: {e}", path.display()))?;
            writeln!(f, "{line}").map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip() {
        let p = payload(123_456_789);
        assert_eq!(p.len(), 64);
        // `with_capacity` promises at least the size asked; the global allocator gives exactly it.
        assert_eq!(p.capacity(), 64, "one allocation of the final size");
        assert_eq!(&p[..11], "t123456789|");
        assert!(p[11..].bytes().all(|b| b == b'x'));
        assert_eq!(intended_of(&payload(u64::MAX)), Some(u64::MAX));
        assert_eq!(intended_of(&p), Some(123_456_789));
        assert_eq!(intended_of("hello"), None);
    }

    #[test]
    fn quantiles() {
        let mut l = Latencies::default();
        for us in 1..=1000u64 {
            l.0.record(us).unwrap();
        }
        let mut r = Report::new("x");
        l.fields(&mut r);
        assert_eq!(r.get_u64("p50_us"), Some(500));
        assert_eq!(r.get_u64("max_us"), Some(1000));
        assert!(r.get_u64("p99_us").is_some_and(|p| (985..=995).contains(&p)));
        let line: serde_json::Value = serde_json::from_str(&r.json_line()).unwrap();
        assert_eq!(line["scenario"], "x");
        assert!(r.json_line().starts_with(r#"{"system":"sigshim","scenario":"x","p50_us":500"#));
    }
}
