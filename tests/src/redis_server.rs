//! A real `redis-server` for the engine's tests: started on a free loopback port in a
//! temporary directory, with the settings sigshim requires (`appendonly yes`,
//! `maxmemory-policy noeviction`), and stopped (SIGKILL) when dropped.
//!
//! Where `redis-server` is not installed, [`RedisServer::start`] prints one line naming the
//! package and returns `None`, so the test passes as skipped; with `SIGSHIM_REQUIRE_REDIS=1`
//! (set by CI) that is a failure instead.
//!
//! [`process_redis`] is one server shared by every test of a test binary (the two-node
//! backend's): it outlives each test and goes with the process that started it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `redis-server`.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    /// Whether the server goes with this process (see [`process_redis`]).
    with_process: bool,
}

/// How long a start or restart may take before the test fails.
const READY_WITHIN: Duration = Duration::from_secs(10);

impl RedisServer {
    /// Starts a server, or `None` (after one line saying what to install) when `redis-server`
    /// is missing and `SIGSHIM_REQUIRE_REDIS` is not `1`.
    pub fn start() -> Option<Self> {
        Self::start_with(false)
    }

    fn start_with(with_process: bool) -> Option<Self> {
        let found = Command::new("redis-server").arg("--version").stdout(Stdio::null()).status();
        if !found.is_ok_and(|s| s.success()) {
            if std::env::var("SIGSHIM_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
                panic!("`redis-server` is missing (install redis-server) and SIGSHIM_REQUIRE_REDIS=1");
            }
            println!("{SKIPPED}");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("sigshim-redis-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).expect("a directory for redis-server");
        let mut server = Self { child: None, port: 0, dir, with_process };
        // The port is free when picked but may be taken before redis-server binds it (other
        // tests listen too): a server that exits before it is ready is started on another one.
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return Some(server);
            }
        }
        panic!("redis-server did not start on any of five free ports");
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends one inline command (`CLIENT KILL TYPE pubsub`) and returns the first line of the
    /// reply.
    pub fn command(&self, command: &str) -> String {
        inline_command(self.port, command)
    }

    /// Kills the server at once (SIGKILL: what was not yet written to its append-only file is
    /// Redis's to lose, as in a crash).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and directory (it reloads its append-only
    /// file), and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        assert!(self.spawn(), "redis-server did not start again on port {}", self.port);
    }

    /// Starts redis-server on `self.port`; false when it exited before it was ready.
    fn spawn(&mut self) -> bool {
        let mut command = if self.with_process {
            // A shell that starts the server, reads its stdin (a pipe from this process) to the
            // end, then kills the server and removes its directory: when this process exits,
            // however it exits, the pipe closes and the server goes too. The shell lets go of
            // the server's output first, so that a server that cannot start ends that output.
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(r#"redis-server "$@" & r=$!; exec >/dev/null; cat >/dev/null; kill -9 $r; wait $r; rm -rf "$0""#)
                .arg(&self.dir)
                .stdin(Stdio::piped());
            sh
        } else {
            Command::new("redis-server")
        };
        let mut child = command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--appendonly", "yes", "--appendfsync", "always", "--save", ""])
            .args(["--maxmemory-policy", "noeviction"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        // Ready once it says so on its log (read on a thread, waited for with a deadline).
        let out = child.stdout.take().expect("redis-server's stdout");
        let (ready_tx, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut told = false;
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if !told && line.contains("Ready to accept connections") {
                    told = true;
                    let _ = ready_tx.send(());
                }
            }
        });
        self.child = Some(child);
        match ready.recv_timeout(READY_WITHIN) {
            Ok(()) => true,
            // Its output ended first: it exited (the port was taken).
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                self.kill();
                false
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("redis-server was not ready within {READY_WITHIN:?}")
            }
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends one inline command to the Redis on loopback `port` and returns the first line of the
/// reply.
pub fn inline_command(port: u16, command: &str) -> String {
    use std::io::{BufRead, Write};
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).expect("redis's port");
    tcp.set_read_timeout(Some(READY_WITHIN)).expect("a read timeout");
    write!(tcp, "{command}\r\n").expect("the command");
    let mut reply = String::new();
    std::io::BufReader::new(tcp).read_line(&mut reply).expect("the reply");
    reply.trim_end().to_owned()
}

/// The URL of a `redis-server` shared by every test of this process, started on first use and
/// stopped when the process exits; `None` (after one skip line) when `redis-server` is missing,
/// as for [`RedisServer::start`]. Tests sharing it keep apart by key namespace.
pub fn process_redis() -> Option<String> {
    static SERVER: std::sync::OnceLock<Option<RedisServer>> = std::sync::OnceLock::new();
    let mut told = false;
    let server = SERVER.get_or_init(|| {
        told = true;
        RedisServer::start_with(true)
    });
    if server.is_none() && !told {
        println!("{SKIPPED}");
    }
    server.as_ref().map(RedisServer::url)
}

/// What a test prints when it skips for want of `redis-server`.
const SKIPPED: &str = "skipped: no `redis-server` on this machine; install redis-server to run this test";

/// A port free now (bound then released: redis-server cannot take port 0 and say which).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    l.local_addr().expect("bound address").port()
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
