//! `sigshim conformance ws://host:port`: the deployment checks of the conformance suite, with a
//! pass/fail table; exit 1 when any check fails.

use std::process::ExitCode;

use sigshim_conformance::remote::{self, Target};

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
}

pub(crate) fn run(args: ConformanceArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A failing check panics inside its task; its message goes into the table, not stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let target = Target { url: args.url.clone(), app_id: args.app_id, app_certificate: args.app_certificate };
    let results = rt.block_on(remote::run_all(target));
    let _ = std::panic::take_hook();
    println!("conformance against {}", args.url);
    println!("{:<36} result", "check");
    let mut failed = 0;
    for r in &results {
        match &r.outcome {
            Ok(()) => println!("{:<36} pass", r.name),
            Err(why) => {
                failed += 1;
                println!("{:<36} FAIL  {}", r.name, why.lines().next().unwrap_or(""));
            }
        }
    }
    println!("{} passed, {} failed", results.len() - failed, failed);
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
