//! `sigshim conformance ws://host:port`: the deployment checks ([`crate::checks`]) with a
//! pass/fail table, one row per assertion; exit 1 when any row failed.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use sigshim_cli::checks::{self, CheckReport, Target};

/// Arguments of `sigshim conformance`.
#[derive(clap::Args, Debug)]
pub(crate) struct ConformanceArgs {
    /// The server (`ws://host:port/`).
    url: String,
    /// The server's app ID.
    #[arg(long, env = "SIGSHIM_APP_ID")]
    app_id: String,
    /// The server's App Certificate, when logins need tokens (they are built locally).
    #[arg(long, env = "SIGSHIM_APP_CERTIFICATE", hide_env_values = true)]
    app_certificate: Option<String>,
    /// Seconds each check may take before it counts as failed.
    #[arg(long, default_value_t = 30.0, value_parser = positive_secs)]
    check_timeout: f64,
}

fn positive_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("not a positive number of seconds: {s}")),
    }
}

pub(crate) fn run(args: ConformanceArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let target = Target { url: args.url.clone(), app_id: args.app_id, app_certificate: args.app_certificate };
    let limit = Duration::from_secs_f64(args.check_timeout);
    let reports = rt.block_on(checks::run_all(target, checks::CHECKS, limit));
    let (text, failed) = table(&args.url, &reports);
    print!("{text}");
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The table: a heading, one row per assertion, then `N passed, M failed`; and M.
fn table(url: &str, reports: &[CheckReport]) -> (String, usize) {
    let mut text = format!("conformance against {url}\n{:<36} result\n", "check");
    let (mut passed, mut failed) = (0, 0);
    for report in reports {
        for row in &report.assertions {
            if row.is_pass() {
                passed += 1;
            } else {
                failed += 1;
            }
            let _ = writeln!(text, "{:<36} {row}", report.name);
        }
    }
    let _ = writeln!(text, "{passed} passed, {failed} failed");
    (text, failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigshim_cli::checks::{Assertion, Verdict};

    #[test]
    fn one_row_per_assertion_and_the_counts_last() {
        let failed = Verdict::Failed { expected: "Online".into(), actual: "Offline".into() };
        let reports = [
            CheckReport { name: "first", assertions: vec![Assertion::passed("a"), Assertion::passed("b")] },
            CheckReport {
                name: "second",
                assertions: vec![
                    Assertion { what: "state".into(), verdict: failed },
                    Assertion { what: String::new(), verdict: Verdict::Error("no event within 5s".into()) },
                ],
            },
        ];
        let (text, failed) = table("ws://x/", &reports);
        assert_eq!(failed, 2);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "conformance against ws://x/");
        assert_eq!(lines[2], format!("{:<36} pass  a", "first"));
        assert_eq!(lines[4], format!("{:<36} FAIL  state: expected Online, got Offline", "second"));
        assert_eq!(lines[5], format!("{:<36} FAIL  no event within 5s", "second"));
        assert_eq!(lines.last(), Some(&"2 passed, 2 failed"));
        assert_eq!(lines.len(), 7);
    }

    #[test]
    fn a_check_timeout_must_be_a_positive_number() {
        assert_eq!(positive_secs("0.5"), Ok(0.5));
        assert!(positive_secs("0").is_err());
        assert!(positive_secs("-1").is_err());
        assert!(positive_secs("inf").is_err());
        assert!(positive_secs("x").is_err());
    }
}
