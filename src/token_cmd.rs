//! `sigshim token …`: build and verify login tokens from the command line.

use std::io::BufRead as _;
use std::process::ExitCode;

use sigshim::token::{self, TokenError, access_token, access_token2, signaling};

/// Token subcommands.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Build a login token and print it on stdout.
    Build(BuildArgs),
    /// Verify a login token for a user; exits 0 if it is valid, 1 otherwise.
    Verify(VerifyArgs),
}

/// Which token generation `token build` produces.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BuildKind {
    /// AccessToken 006 (legacy RtmTokenBuilder).
    Rtm,
    /// AccessToken2 007 (RtmTokenBuilder2).
    Rtm2,
    /// Legacy Signaling token (`1:…`).
    Signaling,
}

/// App credentials shared by both subcommands.
#[derive(clap::Args, Debug)]
pub(crate) struct Credentials {
    /// App id (32 hex characters).
    #[arg(long, env = "SIGSHIM_APP_ID")]
    app_id: String,
    /// App certificate (32 hex characters). Prefer the environment variable to
    /// keep it out of shell history.
    #[arg(long, env = "SIGSHIM_APP_CERTIFICATE", hide_env_values = true)]
    app_certificate: String,
    /// The RTM / Signaling user id (account).
    #[arg(long)]
    user: String,
    /// Use this Unix time (seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
}

/// Arguments of `token build`.
#[derive(clap::Args, Debug)]
pub(crate) struct BuildArgs {
    /// Token generation to build.
    #[arg(long, value_enum)]
    kind: BuildKind,
    #[command(flatten)]
    credentials: Credentials,
    /// Validity in seconds from now.
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    expire: u32,
    /// Fixed salt instead of a random one (006 and 007), for reproducible output.
    #[arg(long, hide = true)]
    salt: Option<u32>,
}

/// Arguments of `token verify`.
#[derive(clap::Args, Debug)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    credentials: Credentials,
    /// The token to check; `-` reads it from the first line of stdin.
    token: String,
}

/// Runs a token subcommand: 0 on success, 1 for a rejected token, 2 for
/// unusable arguments.
pub(crate) fn run(cmd: TokenCommand) -> ExitCode {
    match cmd {
        TokenCommand::Build(args) => match build(&args) {
            Ok(token) => {
                println!("{token}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: cannot build token: {err}");
                eprintln!("  (the app id and certificate must be 32 hex characters each)");
                ExitCode::from(2)
            }
        },
        TokenCommand::Verify(args) => verify(&args),
    }
}

fn build(args: &BuildArgs) -> Result<String, TokenError> {
    let Credentials { app_id, app_certificate: cert, user, now } = &args.credentials;
    // The 006/007 builders check this too; Signaling has no structure to check.
    let hex32 = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex32(app_id) || !hex32(cert) {
        return Err(TokenError::InvalidInput);
    }
    let now = now.unwrap_or_else(token::unix_now);
    let salt = args.salt.unwrap_or_else(token::random_salt);
    let expire = args.expire;
    match args.kind {
        BuildKind::Signaling => {
            let expired_ts = now.checked_add(u64::from(expire)).ok_or(TokenError::InvalidInput)?;
            Ok(signaling::build(user, app_id, cert, expired_ts))
        }
        BuildKind::Rtm => {
            // 006 timestamps are absolute u32 seconds; both end together.
            let expires = u32::try_from(now)
                .ok()
                .and_then(|n| n.checked_add(expire))
                .ok_or(TokenError::InvalidInput)?;
            access_token::build_rtm(app_id, cert, user, expires, salt, expires)
        }
        BuildKind::Rtm2 => {
            let issue_ts = u32::try_from(now).map_err(|_| TokenError::InvalidInput)?;
            access_token2::build_rtm(app_id, cert, user, expire, issue_ts, salt)
        }
    }
}

fn verify(args: &VerifyArgs) -> ExitCode {
    let Credentials { app_id, app_certificate, user, now } = &args.credentials;
    let now = now.unwrap_or_else(token::unix_now);
    let text = if args.token == "-" {
        let mut line = String::new();
        if let Err(err) = std::io::stdin().lock().read_line(&mut line) {
            eprintln!("error: cannot read token from stdin: {err}");
            return ExitCode::from(2);
        }
        line
    } else {
        args.token.clone()
    };
    match token::verify_login_token(text.trim(), app_id, app_certificate, user, now) {
        Ok(ok) => {
            let expiry = match ok.expires_at {
                Some(at) => format!("expires at {at} (Unix), in {} s", at.saturating_sub(now)),
                None => "never expires".to_owned(),
            };
            println!("valid {} token for user {user:?}; {expiry}", ok.kind);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("invalid token: {err}");
            ExitCode::FAILURE
        }
    }
}
