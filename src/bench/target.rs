//! What the generator drives: a `sigshim serve` it starts (a child process, so that its memory
//! and CPU can be read apart from the generator's), a server given by URL, or a hub in this
//! process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use sigshim::limits::{Limits, RateLimits};
use sigshim::transport::{WsConnector, WsOptions};
use sigshim::{ClientBuilder, Hub, HubConfig};
use sigshim_legacy::SignalingOptions;

use super::procfs::{self, CpuMeter};

/// The app ID of every bench run.
pub(crate) const APP_ID: &str = "sigshim-bench";

/// The server's configuration for a bench: no call-rate limits, room for many connections.
const SERVER_CONFIG: &str = r#"
app_id = "sigshim-bench"
[rates]
unlimited = true
[hub]
inbox_capacity = 8192
[server]
max_connections = 100000
"#;

/// Where the simulated users connect.
pub(crate) enum Target {
    /// A `sigshim serve` child process.
    Spawned { child: Child, url: String, _config: TempFile },
    /// A server someone else runs.
    Url(String),
    /// A hub in this process (no sockets).
    InProcess(Hub),
}

/// A file removed when dropped.
pub(crate) struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Target {
    /// Starts `sigshim serve` on a free loopback port and waits for its address.
    pub(crate) fn spawn() -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!("sigshim-bench-{}.toml", std::process::id()));
        std::fs::write(&path, SERVER_CONFIG).map_err(|e| format!("writing {}: {e}", path.display()))?;
        let config = TempFile(path);
        let exe = std::env::current_exe().map_err(|e| format!("finding the sigshim binary: {e}"))?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&config.0)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting sigshim serve: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout from sigshim serve")?;
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).map_err(|e| format!("reading the server: {e}"))?;
        // Keep reading what the server prints, so that it never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        // "sigshim serving ws://127.0.0.1:PORT/ (app ID …)"
        let url = first.split_whitespace().nth(2).filter(|u| u.starts_with("ws://")).map(str::to_owned);
        match url {
            Some(url) => Ok(Target::Spawned { child, url, _config: config }),
            None => {
                let _ = child.kill();
                Err(format!("unexpected first line from sigshim serve: {first:?}"))
            }
        }
    }

    /// A hub in this process with the bench's limits.
    pub(crate) fn in_process() -> Self {
        let limits = Limits::default().rates(RateLimits::unlimited());
        let legacy = Limits::legacy().rates(RateLimits::unlimited());
        let config = HubConfig::new(APP_ID).limits(limits).legacy_limits(legacy).inbox_capacity(8192);
        Target::InProcess(Hub::new(config))
    }

    /// What the report calls it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Target::Spawned { url, .. } => format!("sigshim serve (child) at {url}"),
            Target::Url(url) => format!("server at {url}"),
            Target::InProcess(_) => "in-process hub".into(),
        }
    }

    /// A client builder that reaches the target.
    pub(crate) fn client(&self) -> ClientBuilder {
        let b = sigshim::Client::builder(APP_ID);
        match self {
            Target::Spawned { url, .. } | Target::Url(url) => {
                b.connector(Arc::new(WsConnector::new(url.clone())))
            }
            Target::InProcess(hub) => b.hub(hub),
        }
    }

    /// A client builder for a mostly silent user: it pings every 10 s instead of every 2 s
    /// (the server closes a connection after 30 s without a frame).
    pub(crate) fn quiet_client(&self) -> ClientBuilder {
        let options = WsOptions::default()
            .heartbeat(std::time::Duration::from_secs(10))
            .link_timeout(std::time::Duration::from_secs(30));
        match self {
            Target::Spawned { url, .. } | Target::Url(url) => sigshim::Client::builder(APP_ID)
                .connector(Arc::new(WsConnector::with_options(url.clone(), options))),
            Target::InProcess(_) => self.client(),
        }
    }

    /// Legacy options that reach the target.
    pub(crate) fn legacy(&self) -> SignalingOptions {
        let o = SignalingOptions::default();
        match self {
            Target::Spawned { url, .. } | Target::Url(url) => o.url(url.clone()),
            Target::InProcess(hub) => o.hub(hub),
        }
    }

    /// The server's URL, when there is one.
    pub(crate) fn url(&self) -> Option<&str> {
        match self {
            Target::Spawned { url, .. } | Target::Url(url) => Some(url),
            Target::InProcess(_) => None,
        }
    }

    /// The server's process id, when the generator started it.
    pub(crate) fn pid(&self) -> Option<u32> {
        match self {
            Target::Spawned { child, .. } => Some(child.id()),
            _ => None,
        }
    }

    /// The server's resident memory now, in KiB.
    pub(crate) fn rss_kib(&self) -> Option<u64> {
        self.pid().and_then(procfs::rss_kib)
    }

    /// Starts measuring the server's CPU.
    pub(crate) fn cpu(&self) -> Option<CpuMeter> {
        self.pid().and_then(CpuMeter::start)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Target::Spawned { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
