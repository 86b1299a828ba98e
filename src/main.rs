//! The `sigshim` command line: `demo`, `serve`, `chat`, `conformance`, `token`, and with the
//! `loadgen` feature `bench`.

#[cfg(feature = "loadgen")]
mod bench;
mod chat;
mod config;
mod conformance_cmd;
mod demo;
mod scan_cmd;
mod sdk_path;
mod serve;
mod token_cmd;
mod web;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// sigshim: an RTM-style messaging core with a legacy Signaling facade.
#[derive(Parser, Debug)]
#[command(name = "sigshim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Legacy-facade and core users talking through the embedded hub (or a server), with a
    /// transcript.
    Demo(demo::DemoArgs),
    /// Serve the hub over WebSocket, with /healthz and /metrics, until SIGINT or SIGTERM.
    Serve(serve::ServeArgs),
    /// Log in to a server, send one message to a peer, and print what the peer sends back.
    Chat(chat::ChatArgs),
    /// Run the conformance checks against a deployment and print a pass/fail table.
    Conformance(conformance_cmd::ConformanceArgs),
    /// Build and verify Signaling, AccessToken (006) and AccessToken2 (007) tokens.
    #[command(subcommand)]
    Token(token_cmd::TokenCommand),
    /// Print where a C or C++ build finds `agora_sig.h` and `libagorasig.so` (or just the
    /// compiler or linker flags).
    SdkPath(sdk_path::SdkPathArgs),
    /// Find every use of the legacy API in a code base: what runs unchanged on sigshim, what
    /// behaves differently, what needs a rewrite, and the core call for each.
    Scan(scan_cmd::ScanArgs),
    /// Load-generate against a server (started as a child, or `--url`) and report throughput,
    /// latency, memory and CPU.
    #[cfg(feature = "loadgen")]
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Chat(args) => chat::run(args),
        Command::Conformance(args) => conformance_cmd::run(args),
        Command::Token(cmd) => token_cmd::run(cmd),
        Command::SdkPath(args) => sdk_path::run(args),
        Command::Scan(args) => scan_cmd::run(args),
        #[cfg(feature = "loadgen")]
        Command::Bench(args) => bench::run(args),
    }
}
