//! # sigshim-cli
//!
//! The library part of the `sigshim` command line: the deployment checks behind
//! `sigshim conformance URL`, for any program that wants to check a running deployment the same
//! way (a health probe, an operator's tool). The command line itself is the `sigshim` binary.
//!
//! ```no_run
//! use std::time::Duration;
//! use sigshim_cli::checks::{self, Target};
//!
//! # #[tokio::main]
//! # async fn main() {
//! let target = Target { url: "ws://127.0.0.1:9000/".into(), app_id: "my-app".into(), app_certificate: None };
//! let reports = checks::run_all(target, checks::CHECKS, Duration::from_secs(30)).await;
//! let failed = reports.iter().flat_map(|r| &r.assertions).filter(|a| !a.is_pass()).count();
//! println!("{failed} assertions failed");
//! # }
//! ```

pub mod checks;
