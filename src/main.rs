//! The `sigshim` command line: `demo`, `token`.

mod demo;
mod token_cmd;

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
    /// Legacy-facade and core users talking through the embedded hub, with a transcript.
    Demo,
    /// Build and verify Signaling, AccessToken (006) and AccessToken2 (007) tokens.
    #[command(subcommand)]
    Token(token_cmd::TokenCommand),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Demo => demo::run(),
        Command::Token(cmd) => token_cmd::run(cmd),
    }
}
