//! `sigshim serve` as a child process, for the command line's tests: started on a free port, its
//! URL read from its first line of output, killed when dropped.
// Each test binary includes this file and uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};

/// The `sigshim` binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_sigshim");

/// A running `sigshim serve` and its WebSocket URL (`ws://127.0.0.1:port/`).
pub(crate) struct Served {
    child: Child,
    pub(crate) url: String,
}

impl Served {
    /// Starts `sigshim serve --listen 127.0.0.1:0 --app-id app` with `extra` arguments.
    pub(crate) fn start(app: &str, extra: &[&str]) -> Served {
        let mut command = Command::new(BIN);
        command.args(["serve", "--listen", "127.0.0.1:0", "--app-id", app]).args(extra);
        Served::spawn(command)
    }

    /// Starts `command`, which runs `sigshim serve` (perhaps through a shell that sets limits
    /// first), and reads the URL it prints.
    pub(crate) fn spawn(mut command: Command) -> Served {
        let mut child = command.stdout(Stdio::piped()).spawn().expect("sigshim serve starts");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().expect("piped stdout")).read_line(&mut first).expect("a line");
        let url = first.split_whitespace().find(|w| w.starts_with("ws://")).expect("the URL").to_owned();
        Served { child, url }
    }

    /// Starts `command`, which runs `sigshim serve`, reading its output on a thread: returns the
    /// server and its start-up lines, up to the one saying where its state is kept (`state: …`),
    /// each within `deadline`. The rest of the output is read and dropped.
    pub(crate) fn spawn_reading(
        mut command: Command,
        deadline: std::time::Duration,
    ) -> (Served, Vec<String>) {
        let mut child = command.stdout(Stdio::piped()).spawn().expect("sigshim serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut startup: Vec<String> = Vec::new();
        while !startup.last().is_some_and(|l| l.starts_with("state: ")) {
            match lines.recv_timeout(deadline) {
                Ok(line) => startup.push(line),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("sigshim serve did not finish starting ({e}); it printed {startup:#?}");
                }
            }
        }
        let url = startup
            .first()
            .and_then(|l| l.split_whitespace().find(|w| w.starts_with("ws://")))
            .expect("the URL on the first line")
            .to_owned();
        (Served { child, url }, startup)
    }

    /// The server's `host:port`.
    pub(crate) fn addr(&self) -> &str {
        self.url.trim_start_matches("ws://").trim_end_matches('/')
    }

    /// The server's HTTP origin (`http://host:port`).
    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The whole HTTP/1.1 response to `GET path` on the server's port.
    pub(crate) fn get(&self, path: &str) -> String {
        let addr = self.addr();
        let mut tcp = std::net::TcpStream::connect(addr).expect("the server's port");
        write!(tcp, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request");
        let mut response = String::new();
        tcp.read_to_string(&mut response).expect("response");
        response
    }

    /// Sends SIGTERM and returns the exit status and remaining output.
    pub(crate) fn stop(mut self) -> Output {
        let status =
            Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill");
        assert!(status.success());
        std::mem::replace(&mut self.child, Command::new("true").spawn().expect("true"))
            .wait_with_output()
            .expect("exit")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
