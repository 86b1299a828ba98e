//! What the generator reads about processes from `/proc` (Linux): resident memory, CPU time and
//! context switches.

use std::time::Instant;

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on every Linux we run on).
const TICKS_PER_SECOND: f64 = 100.0;

/// Resident memory of `pid` in KiB (`VmRSS`), if readable.
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU time of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces; the fields after its ')' are fixed.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Context switches (voluntary and not) of every live thread of `pid`. A thread that ended is no
/// longer counted, so this is a lower bound when threads come and go.
fn context_switches(pid: u32) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else { continue };
        total += status
            .lines()
            .filter(|l| {
                l.starts_with("voluntary_ctxt_switches:") || l.starts_with("nonvoluntary_ctxt_switches:")
            })
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum::<u64>();
    }
    Some(total)
}

/// CPU use and context switches of one process between two points in time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuMeter {
    pid: u32,
    ticks: u64,
    switches: Option<u64>,
    at: Instant,
}

impl CpuMeter {
    /// Starts measuring `pid` now.
    pub(crate) fn start(pid: u32) -> Option<Self> {
        Some(Self { pid, ticks: cpu_ticks(pid)?, switches: context_switches(pid), at: Instant::now() })
    }

    /// Context switches per second since the start, over the process's threads.
    pub(crate) fn switches_per_s(&self) -> Option<f64> {
        let used = context_switches(self.pid)?.checked_sub(self.switches?)? as f64;
        let wall = self.at.elapsed().as_secs_f64();
        (wall > 0.0).then(|| used / wall)
    }

    /// CPU used since the start, in percent of one core.
    pub(crate) fn percent(&self) -> Option<f64> {
        let used = cpu_ticks(self.pid)?.saturating_sub(self.ticks) as f64 / TICKS_PER_SECOND;
        let wall = self.at.elapsed().as_secs_f64();
        (wall > 0.0).then(|| 100.0 * used / wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_process() {
        let me = std::process::id();
        assert!(rss_kib(me).is_some_and(|kib| kib > 0));
        let meter = CpuMeter::start(me).expect("own stat");
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        std::hint::black_box(x);
        assert!(meter.percent().is_some_and(|p| p >= 0.0));
        // This thread sleeps, which is a context switch that the meter must see.
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(meter.switches_per_s().is_some_and(|n| n > 0.0), "a sleep switches context");
    }
}
