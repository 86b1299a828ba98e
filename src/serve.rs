//! `sigshim serve`: the WebSocket server over an embedded hub, until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use sigshim::Hub;
use sigshim::hub::engine::RedisEngine;
use sigshim::server::Server;

use crate::config::{FileConfig, redact};

/// Where the server listens when nothing says otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:9000";

/// Arguments of `sigshim serve`; flags and environment override the file.
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port) [default: 127.0.0.1:9000].
    #[arg(long, env = "SIGSHIM_LISTEN")]
    listen: Option<SocketAddr>,
    /// The app ID clients log in with.
    #[arg(long, env = "SIGSHIM_APP_ID")]
    app_id: Option<String>,
    /// The App Certificate: when set, every login needs a valid token.
    #[arg(long, env = "SIGSHIM_APP_CERTIFICATE", hide_env_values = true)]
    app_certificate: Option<String>,
    /// A TOML file with limits and policies (see README).
    #[arg(long, env = "SIGSHIM_CONFIG")]
    config: Option<PathBuf>,
    /// Run as one node of several: the Redis that joins them (`redis://host:port`).
    #[arg(long, env = "SIGSHIM_ENGINE", hide_env_values = true)]
    engine: Option<String>,
    /// This node's name among the nodes, without '|' [default: random at each start].
    #[arg(long, env = "SIGSHIM_NODE_ID")]
    node_id: Option<String>,
}

/// Runs the server; exit 0 after a graceful shutdown, 1 on a start-up error (the port, the
/// engine), 2 on bad settings.
pub(crate) fn run(args: ServeArgs) -> ExitCode {
    let mut file = match args.config.as_deref().map(FileConfig::load).transpose() {
        Ok(f) => f.unwrap_or_default(),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if args.listen.is_some() {
        file.listen = args.listen;
    }
    if args.app_id.is_some() {
        file.app_id = args.app_id;
    }
    if args.app_certificate.is_some() {
        file.app_certificate = args.app_certificate;
    }
    if args.engine.is_some() {
        file.cluster.engine = args.engine;
    }
    if args.node_id.is_some() {
        file.cluster.node_id = args.node_id;
    }
    let default_listen: SocketAddr = DEFAULT_LISTEN.parse().expect("a valid default address");
    let resolved = file.resolve(default_listen).and_then(|c| Ok((c, file.cluster.resolve()?)));
    let ((hub_config, server_config), engine_config) = match resolved {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    raise_descriptor_limit();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let signals = shutdown_signal();
        let tokens = if hub_config.app_certificate.is_some() { "required" } else { "not required" };
        let app_id = hub_config.app_id.clone();
        // The process's metrics recorder: the server then records its per-request metrics and
        // shows them on /metrics beside the hub's counters.
        let server_config = match sigshim::server::install_prometheus_recorder() {
            Ok(handle) => server_config.prometheus(handle),
            Err(error) => {
                tracing::warn!(%error, "no metrics recorder: /metrics shows the hub's counters only");
                server_config
            }
        };
        let hub = Hub::new(hub_config);
        // The engine joins before anyone can log in: every session is then known to Redis.
        let mut engine = None;
        let state = match engine_config {
            None => {
                "state: in memory only; a restart loses sessions, presence, channel attributes and stored \
                     offline messages"
                    .to_owned()
            }
            Some(config) => {
                let shown = redact(&config.url);
                let (url, node) = (config.url.clone(), config.node_id.clone());
                match RedisEngine::attach(&hub, config).await {
                    Ok(attached) => engine = Some(attached),
                    Err(e) => {
                        // The engine's own message may quote the URL, password included.
                        let reason = e.to_string().replace(&url, &shown);
                        eprintln!("cannot join the engine at {shown}: {reason}");
                        return ExitCode::FAILURE;
                    }
                }
                format!(
                    "state: node {node:?} on the engine {shown}: Redis keeps stored offline messages, who is \
                     online on which node and every node's channel members, so peer messages, online status, \
                     one login per user, calls, channels and attributes reach across nodes; this node alone \
                     keeps its sessions, which a restart of the node loses"
                )
            }
        };
        let builder = crate::web::mount(Server::builder(hub, server_config));
        let server = match builder.bind().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("cannot listen: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("sigshim serving {} (app ID {app_id:?}, tokens {tokens})", server.url());
        println!("health: http://{0}/healthz  metrics: http://{0}/metrics", server.local_addr());
        println!(
            "legacy: ws://{0}{1}  drop-in script: http://{0}{2}  demo page: http://{0}/",
            server.local_addr(),
            sigshim_legacy::endpoint::PATH,
            crate::web::SCRIPT_PATH
        );
        println!("{state}");
        let _ = std::io::stdout().flush();
        let signal = signals.await;
        tracing::info!(signal, "shutting down");
        server.shutdown().await;
        // A planned stop: the other nodes take this one's users for offline now, not once its
        // lease has lapsed.
        if let Some(engine) = engine
            && let Err(e) = engine.leave().await
        {
            eprintln!("could not leave the engine (the other nodes will sweep this node): {e}");
        }
        println!("sigshim stopped ({signal})");
        ExitCode::SUCCESS
    })
}

/// Raises the soft limit on open descriptors to the hard limit: every connection is one, and the
/// server fits its caps under the limit it finds.
fn raise_descriptor_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(limit, "open descriptor limit"),
        Err(error) => tracing::warn!(%error, "cannot raise the open descriptor limit"),
    }
}

/// Listens for SIGINT and SIGTERM from now on, and returns a future that ends at the first with
/// its name. Called before anything is printed, so that a signal sent as soon as the URL is read
/// shuts down gracefully instead of killing the process.
fn shutdown_signal() -> impl std::future::Future<Output = &'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let signals =
            signal(SignalKind::interrupt()).and_then(|int| Ok((int, signal(SignalKind::terminate())?)));
        async move {
            match signals {
                Ok((mut int, mut term)) => tokio::select! {
                    _ = int.recv() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                },
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for signals: stop with SIGKILL");
                    std::future::pending().await
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}
