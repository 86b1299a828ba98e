//! The `redis-server` a bench on several nodes (or one node on the engine) starts for its
//! `sigshim serve` children: a free loopback port, a temporary directory, and the settings the
//! engine requires (`appendonly yes` with `appendfsync always`, `maxmemory-policy noeviction`),
//! as in the engine's tests. Killed, and its directory removed, when dropped.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long redis-server may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A running `redis-server`, child of the generator.
pub(crate) struct RedisChild {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl RedisChild {
    /// Starts redis-server, or says why it cannot (naming `redis-server` when it is missing).
    pub(crate) fn start() -> Result<Self, String> {
        let found = Command::new("redis-server").arg("--version").stdout(Stdio::null()).status();
        if !found.is_ok_and(|s| s.success()) {
            return Err(
                "the nodes share a Redis that the bench starts, and `redis-server` is not on the PATH \
                        (install redis-server)"
                    .into(),
            );
        }
        let dir = std::env::temp_dir().join(format!("sigshim-bench-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        // A port free when picked may be taken before redis-server binds it: another one then.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            match spawn(port, &dir) {
                Ok(child) => return Ok(Self { child, port, dir }),
                Err(e) => last = e,
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(format!("redis-server did not start on any of five free ports: {last}"))
    }

    /// `redis://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for RedisChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts redis-server on `port` in `dir` and waits until it says it is ready.
fn spawn(port: u16, dir: &std::path::Path) -> Result<Child, String> {
    let mut child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--appendonly", "yes", "--appendfsync", "always", "--save", ""])
        .args(["--maxmemory-policy", "noeviction"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting redis-server: {e}"))?;
    let out = child.stdout.take().ok_or("no stdout from redis-server")?;
    let (ready_tx, ready) = std::sync::mpsc::channel();
    // Reads its log to the end (so that it never writes into a closed pipe), telling when ready.
    std::thread::spawn(move || {
        let mut told = false;
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if !told && line.contains("Ready to accept connections") {
                told = true;
                let _ = ready_tx.send(());
            }
        }
    });
    match ready.recv_timeout(READY_WITHIN) {
        Ok(()) => Ok(child),
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(match e {
                std::sync::mpsc::RecvTimeoutError::Disconnected => {
                    format!("it exited at start on port {port}")
                }
                std::sync::mpsc::RecvTimeoutError::Timeout => format!("not ready within {READY_WITHIN:?}"),
            })
        }
    }
}

/// A loopback port free now (bound, then released: redis-server cannot take port 0 and say
/// which it got).
fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| format!("finding a free port: {e}"))
}
