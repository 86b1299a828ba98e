//! The C path against the Rust facade, on the same peer-message scenario and the same server.
//!
//! `cargo bench -p sigshim-legacy-c --bench c_path [-- PAIRS MESSAGES WINDOW ROUNDS]` starts a
//! server (in a child process, rate limits off), builds `bench/peer_load.c` with the system `cc`
//! against this build's `libagorasig.so`, and runs, in turns, that C program and its Rust twin
//! (this binary again, on `sigshim_legacy::Signaling`): `PAIRS` senders each send `MESSAGES`
//! messages to their own receiver with `WINDOW` unanswered, the next one sent from the
//! acknowledgement's callback. Each run prints its rate and the CPU time of its whole process
//! per message; the summary gives the medians and the C path's ratio to the facade's.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Instant;

use sigshim::limits::{Limits, RateLimits};
use sigshim::server::{Server, ServerConfig};
use sigshim::{Hub, HubConfig};
use sigshim_legacy::{Signaling, SignalingCallbacks};

/// The message both programs send.
const PAYLOAD: &str = "peer-load payload 0123456789abcdef";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.first().map(String::as_str) {
        Some("--serve") => serve(),
        Some("--rust-twin") => {
            let n = numbers(&args[1..], 3);
            let (pairs, messages, window) = (n[0], n[1], n[2]);
            println!("{}", rust_twin(pairs, messages, window));
        }
        _ => {
            let n = if args.is_empty() { vec![20, 5000, 16, 5] } else { numbers(&args, 4) };
            compare(n[0], n[1], n[2], n[3]);
        }
    }
}

/// `count` positive numbers from `args`.
fn numbers(args: &[String], count: usize) -> Vec<u32> {
    let n: Vec<u32> = args.iter().filter_map(|a| a.parse().ok()).filter(|&n| n > 0).collect();
    assert_eq!(n.len(), count, "expected {count} positive numbers, got {args:?}");
    n
}

/// The server child: a hub with no call-rate limits, its URL on stdout, until stdin closes.
fn serve() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let unlimited = |limits: Limits| limits.rates(RateLimits::unlimited());
    let config = HubConfig::new("app")
        .limits(unlimited(Limits::default()))
        .legacy_limits(unlimited(Limits::legacy()))
        .inbox_capacity(8192);
    let addr = "127.0.0.1:0".parse().expect("an address");
    let server =
        runtime.block_on(Server::bind(Hub::new(config), ServerConfig::new(addr))).expect("the server binds");
    println!("ws://{}/", server.local_addr());
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().lines().count();
    runtime.block_on(server.shutdown());
}

/// What the senders and receivers of one run share.
struct Shared {
    messages: u32,
    total: u64,
    logged_in: AtomicU64,
    answered: AtomicU64,
    received: AtomicU64,
    errors: AtomicU64,
    lock: Mutex<()>,
    changed: Condvar,
}

impl Shared {
    fn wake(&self) {
        let _held = self.lock.lock().expect("the lock");
        self.changed.notify_all();
    }

    fn finished(&self) -> bool {
        self.answered.load(Ordering::SeqCst) == self.total
            && self.received.load(Ordering::SeqCst) + self.errors.load(Ordering::SeqCst) >= self.total
    }

    fn wait_until(&self, done: impl Fn(&Shared) -> bool) {
        let mut held = self.lock.lock().expect("the lock");
        while !done(self) {
            held = self.changed.wait(held).expect("the lock");
        }
    }
}

/// One user of the Rust twin, as `struct user` is one of the C program.
struct User {
    sig: OnceLock<Weak<Signaling>>,
    peer: String,
    next: AtomicU32,
    shared: Arc<Shared>,
}

impl User {
    fn send_next(&self) {
        let k = self.next.fetch_add(1, Ordering::SeqCst);
        if k >= self.shared.messages {
            return;
        }
        if let Some(sig) = self.sig.get().and_then(Weak::upgrade) {
            sig.message_instant_send(&self.peer, 0, PAYLOAD, &format!("m{k}"));
        }
    }

    fn answer(&self) {
        self.shared.answered.fetch_add(1, Ordering::SeqCst);
        self.send_next();
        if self.shared.finished() {
            self.shared.wake();
        }
    }
}

impl SignalingCallbacks for User {
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        self.shared.logged_in.fetch_add(1, Ordering::SeqCst);
        self.shared.wake();
    }
    fn on_login_failed(&self, ecode: i32) {
        panic!("a login failed: {ecode}");
    }
    fn on_message_send_success(&self, _message_id: &str) {
        self.answer();
    }
    fn on_message_send_error(&self, _message_id: &str, _ecode: i32) {
        self.shared.errors.fetch_add(1, Ordering::SeqCst);
        self.answer();
    }
    fn on_message_instant_receive(&self, _account: &str, _uid: u32, _msg: &str) {
        self.shared.received.fetch_add(1, Ordering::SeqCst);
        if self.shared.finished() {
            self.shared.wake();
        }
    }
}

/// The CPU time of this process (every thread), in seconds, from `/proc/self/stat`.
fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after_name = &stat[stat.rfind(')').expect("the name's end") + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // utime and stime, the 14th and 15th fields, in clock ticks of 1/100 s.
    let ticks: u64 = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

/// The Rust twin of `peer_load.c`: the same users, calls and waits, and the same output line.
fn rust_twin(pairs: u32, messages: u32, window: u32) -> String {
    let total = u64::from(pairs) * u64::from(messages);
    let shared = Arc::new(Shared {
        messages,
        total,
        logged_in: AtomicU64::new(0),
        answered: AtomicU64::new(0),
        received: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        lock: Mutex::new(()),
        changed: Condvar::new(),
    });
    let mut users = Vec::new();
    for i in 0..pairs * 2 {
        let (me, peer) = if i < pairs {
            (format!("s{i}"), format!("r{i}"))
        } else {
            (format!("r{}", i - pairs), format!("s{}", i - pairs))
        };
        let user =
            Arc::new(User { sig: OnceLock::new(), peer, next: AtomicU32::new(0), shared: shared.clone() });
        let sig = Signaling::create_instance("");
        let _ = user.sig.set(Arc::downgrade(&sig));
        sig.callback_set(user.clone());
        sig.login("app", &me, "_no_need_token", 0, "");
        users.push((user, sig));
    }
    shared.wait_until(|s| s.logged_in.load(Ordering::SeqCst) == u64::from(pairs) * 2);

    let (t0, cpu0) = (Instant::now(), process_cpu());
    for (user, _) in &users[..pairs as usize] {
        for _ in 0..window {
            user.send_next();
        }
    }
    shared.wait_until(Shared::finished);
    let (seconds, cpu) = (t0.elapsed().as_secs_f64(), process_cpu() - cpu0);
    let line = format!(
        "messages {total} seconds {seconds:.4} rate {:.0} cpu_us_per_message {:.3} errors {}",
        total as f64 / seconds,
        cpu * 1e6 / total as f64,
        shared.errors.load(Ordering::SeqCst)
    );
    for (_, sig) in &users {
        sig.destroy();
    }
    line
}

/// The directory of the `libagorasig.so` built with this bench (`deps/` or the profile's).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("this binary's path");
    let deps = exe.parent().expect("deps").to_path_buf();
    let profile = deps.parent().expect("profile").to_path_buf();
    [deps, profile]
        .into_iter()
        .find(|d| d.join("libagorasig.so").is_file())
        .expect("libagorasig.so built with this bench")
}

/// `bench/peer_load.c`, built with `cc -O2` against the library.
fn build_c_program(lib: &Path) -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = lib.join("peer_load");
    let status = Command::new("cc")
        .args(["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(package.join("include"))
        .arg(package.join("bench/peer_load.c"))
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(lib)
        .args(["-lagorasig", "-lpthread"])
        .status()
        .expect("`cc` runs (install gcc)");
    assert!(status.success(), "bench/peer_load.c does not build");
    exe
}

/// One run's figures: (messages per second, CPU microseconds per message).
fn run(mut command: Command, url: &str, lib: &Path) -> (f64, f64) {
    let out = command
        .env("SIGSHIM_URL", url)
        .env("LD_LIBRARY_PATH", lib)
        .stderr(Stdio::null())
        .output()
        .expect("a run");
    assert!(out.status.success(), "a run failed: {}", String::from_utf8_lossy(&out.stdout));
    let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let words: Vec<&str> = line.split(' ').collect();
    let field = |name: &str| -> f64 {
        let at = words.iter().position(|w| *w == name).unwrap_or_else(|| panic!("no {name} in `{line}`"));
        words[at + 1].parse().expect("a number")
    };
    assert_eq!(field("errors"), 0.0, "a run had failed sends: {line}");
    println!("  {line}");
    (field("rate"), field("cpu_us_per_message"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs both programs `rounds` times in turns and prints the medians and ratios.
fn compare(pairs: u32, messages: u32, window: u32, rounds: u32) {
    let lib = library_dir();
    let c_program = build_c_program(&lib);
    let mut server: Child = Command::new(std::env::current_exe().expect("this binary"))
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server child");
    let mut url = String::new();
    BufReader::new(server.stdout.take().expect("its stdout")).read_line(&mut url).expect("its URL");
    let url = url.trim().to_owned();
    let numbers = [pairs, messages, window].map(|n| n.to_string());
    println!("c_path: {pairs} pairs x {messages} messages, window {window}, {rounds} rounds, server {url}");
    let c_run = || {
        let mut cmd = Command::new(&c_program);
        cmd.args(&numbers);
        run(cmd, &url, &lib)
    };
    let rust_run = || {
        let mut cmd = Command::new(std::env::current_exe().expect("this binary"));
        cmd.arg("--rust-twin").args(&numbers);
        run(cmd, &url, &lib)
    };
    println!("warm-up (not counted): C, then Rust");
    c_run();
    rust_run();
    let (mut c, mut rust) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        // Alternate which goes first, so that a drift of the machine weighs on both.
        if round % 2 == 1 {
            println!("round {round}: C (libagorasig), then Rust facade");
            c.push(c_run());
            rust.push(rust_run());
        } else {
            println!("round {round}: Rust facade, then C (libagorasig)");
            rust.push(rust_run());
            c.push(c_run());
        }
    }
    drop(server.stdin.take());
    let _ = server.wait();
    let rates = |runs: &[(f64, f64)]| median(runs.iter().map(|r| r.0).collect());
    let cpus = |runs: &[(f64, f64)]| median(runs.iter().map(|r| r.1).collect());
    // Ratios within each round, where both ran on the same machine state.
    let rate_ratio = median(c.iter().zip(&rust).map(|(c, r)| c.0 / r.0).collect());
    let cpu_ratio = median(c.iter().zip(&rust).map(|(c, r)| c.1 / r.1).collect());
    println!("median        rate msgs/s   CPU us/msg");
    println!("C path        {:>12.0}   {:>10.2}", rates(&c), cpus(&c));
    println!("Rust facade   {:>12.0}   {:>10.2}", rates(&rust), cpus(&rust));
    println!(
        "C / Rust, median of the rounds' ratios: rate {rate_ratio:.3}x, CPU per message {:+.1}%",
        (cpu_ratio - 1.0) * 100.0
    );
}
