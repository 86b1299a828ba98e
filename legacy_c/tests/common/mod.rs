//! What the tests of the C and C++ interface share: the built library, the system compilers, a
//! server to meet on, and example programs driven line by line.
// Each test binary includes this file and uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sigshim::server::{Server, ServerConfig};
use sigshim::{Hub, HubConfig};

/// How long one expected line may take.
const LINE_DEADLINE: Duration = Duration::from_secs(20);

/// The package's directory (the header is in `include/`, the examples in `examples/`).
pub(crate) fn package_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory of the `libagorasig.so` cargo built for this test run. The test binary is
/// `<target>/<profile>/deps/<test>-<hash>`; building the package's library for its tests leaves
/// the library next to it in `deps/` (a `cargo build` also copies it to `<profile>/`).
pub(crate) fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("<profile>/deps").to_path_buf();
    let profile = deps.parent().expect("<profile>").to_path_buf();
    [deps, profile]
        .into_iter()
        .find(|dir| dir.join("libagorasig.so").is_file())
        .unwrap_or_else(|| panic!("libagorasig.so is neither next to {} nor one directory up", exe.display()))
}

/// The compiler `name` (`cc` or `c++`) when it is installed. When it is not, prints what to
/// install and returns `None` (the test then passes), unless `SIGSHIM_REQUIRE_CC=1`.
pub(crate) fn compiler(name: &str) -> Option<&str> {
    let found = Command::new(name).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if found.is_ok_and(|s| s.success()) {
        return Some(name);
    }
    let package = if name == "cc" { "gcc" } else { "g++" };
    if std::env::var("SIGSHIM_REQUIRE_CC").is_ok_and(|v| v == "1") {
        panic!("`{name}` is missing (install {package}) and SIGSHIM_REQUIRE_CC=1");
    }
    println!("skipped: no `{name}` on this machine; install {package} to run this test");
    None
}

/// Compiles `sources` (paths under the package) with `compiler` and `flags` against the header
/// and the built library, and returns the program's path.
pub(crate) fn build(compiler: &str, flags: &[&str], sources: &[&str], name: &str) -> PathBuf {
    let lib = library_dir();
    let out_dir = lib.join("agorasig-programs");
    std::fs::create_dir_all(&out_dir).expect("the programs' directory");
    let exe = out_dir.join(name);
    let mut command = Command::new(compiler);
    command.args(flags).arg("-Wall").arg("-Wextra").arg("-Werror");
    command.arg("-I").arg(package_dir().join("include"));
    for source in sources {
        command.arg(package_dir().join(source));
    }
    command.arg("-o").arg(&exe).arg("-L").arg(&lib).arg("-lagorasig").arg("-lpthread");
    let output = command.output().expect("the compiler runs");
    assert!(
        output.status.success(),
        "{compiler} {sources:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

/// A `sigshim` server for the app ID `app` on a free local port, running until dropped.
pub(crate) struct Served {
    runtime: tokio::runtime::Runtime,
    server: Option<Server>,
    /// `ws://127.0.0.1:port/`, for `SIGSHIM_URL`.
    pub(crate) url: String,
}

impl Served {
    /// Starts the server.
    pub(crate) fn start() -> Served {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let server = runtime
            .block_on(Server::bind(
                Hub::new(HubConfig::new("app")),
                ServerConfig::new("127.0.0.1:0".parse().expect("an address")),
            ))
            .expect("the server binds");
        let url = format!("ws://{}/", server.local_addr());
        Served { runtime, server: Some(server), url }
    }

    /// The runtime the server runs on, for a test's own async clients.
    pub(crate) fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// A running example program: commands go to its stdin, its stdout is read line by line.
pub(crate) struct Program {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Program {
    /// Starts `exe` against `url` (or the embedded hub when `url` is `None`).
    pub(crate) fn start(name: &str, exe: &Path, url: Option<&str>) -> Program {
        let mut command = Command::new(exe);
        command.env("LD_LIBRARY_PATH", library_dir()).env_remove("SIGSHIM_URL");
        if let Some(url) = url {
            command.env("SIGSHIM_URL", url);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the program starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Program { name: name.to_owned(), child, stdin, lines }
    }

    /// Sends one command line.
    pub(crate) fn send(&mut self, command: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{command}").expect("the program reads its commands");
        stdin.flush().expect("flush");
    }

    /// The next lines of output must be `expected`, in order.
    pub(crate) fn expect(&mut self, expected: &[&str]) {
        for want in expected {
            let deadline = Instant::now() + LINE_DEADLINE;
            let got = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("{}: no line where `{want}` was expected", self.name));
            assert_eq!(&got, want, "{}: unexpected line", self.name);
        }
    }

    /// Closes stdin and waits for the program to exit; its remaining output must be `expected`
    /// and its exit status 0.
    pub(crate) fn finish(mut self, expected: &[&str]) {
        drop(self.stdin.take());
        self.expect(expected);
        let status = self.child.wait().expect("the program exits");
        assert!(status.success(), "{}: exit status {status}", self.name);
        let rest: Vec<String> = self.lines.try_iter().collect();
        assert!(rest.is_empty(), "{}: more output: {rest:?}", self.name);
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
