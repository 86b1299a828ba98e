//! `sigshim serve` as a separate process: clients in other processes talk through it, token
//! checks, and a graceful exit on SIGTERM.

use std::process::{Child, Command, Stdio};

#[path = "common/served.rs"]
mod served;
use served::{BIN, Served};

const APP: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

/// Runs `sigshim chat` as `user`, to `peer`, through `served`.
fn chat(served: &Served, user: &str, peer: &str, token: Option<&str>) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.args(["chat", "--server", &served.url, "--app-id", APP, "--user", user, "--peer", peer]);
    cmd.args(["--message", &format!("hi {peer}, from {user}"), "--wait", "20"]);
    if let Some(t) = token {
        cmd.args(["--token", t]);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("sigshim chat starts")
}

fn finished(child: Child) -> (bool, String, String) {
    let o = child.wait_with_output().expect("the client exits");
    (o.status.success(), String::from_utf8_lossy(&o.stdout).into(), String::from_utf8_lossy(&o.stderr).into())
}

/// Among its start-up lines, the server says once that the hub keeps its state in memory only,
/// so that a restart loses it.
#[test]
fn serve_says_once_at_start_up_that_its_state_is_in_memory_only() {
    use std::io::BufRead;
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--app-id", APP])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sigshim serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || lines.recv_timeout(std::time::Duration::from_secs(30)).expect("a line within 30 s");
    let mut before_stop = Vec::new();
    // The start-up lines end with the demo page's.
    while !before_stop.last().is_some_and(|l: &String| l.contains("demo page")) {
        before_stop.push(next());
    }
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    assert!(child.wait().expect("exit").success());
    // The rest, to the end of the output.
    let mut all = before_stop;
    loop {
        match lines.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) => all.push(line),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(e) => panic!("the output did not end: {e}"),
        }
    }
    let said = all.iter().filter(|l| l.starts_with("state: in memory only")).count();
    assert_eq!(said, 1, "{all:#?}");
}

#[test]
fn two_processes_talk_through_the_server_and_it_exits_cleanly_on_sigterm() {
    let served = Served::start(APP, &[]);
    let alice = chat(&served, "alice", "bob", None);
    let bob = chat(&served, "bob", "alice", None);
    let (ok, out, err) = finished(alice);
    assert!(ok, "alice: {out}{err}");
    assert!(out.contains("bob: hi alice, from bob"), "{out}");
    let (ok, out, err) = finished(bob);
    assert!(ok, "bob: {out}{err}");
    assert!(out.contains("alice: hi bob, from alice"), "{out}");

    // The command installs the metrics recorder: per-request metrics beside the hub's counters.
    let metrics = served.get("/metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(metrics.contains("sigshim_requests_total{op=\"send_peer_message\"}"), "{metrics}");
    assert!(metrics.contains("sigshim_logins_total 2"), "{metrics}");

    let demo =
        Command::new(BIN).args(["demo", "--server", &served.url, "--app-id", APP]).output().expect("demo");
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    assert!(String::from_utf8_lossy(&demo.stdout).contains("demo finished"));

    let out = served.stop();
    assert!(out.status.success(), "serve exits 0 on SIGTERM");
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped (SIGTERM)"));
}

fn token(kind: &str, user: &str) -> String {
    token_with(kind, user, CERT, &[])
}

fn token_with(kind: &str, user: &str, cert: &str, extra: &[&str]) -> String {
    let o = Command::new(BIN)
        .args(["token", "build", "--kind", kind, "--app-id", APP, "--app-certificate", cert, "--user", user])
        .args(extra)
        .output()
        .expect("token build");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

#[test]
fn a_token_protected_server_admits_built_tokens_and_refuses_others() {
    let served = Served::start(APP, &["--app-certificate", CERT]);
    for kind in ["signaling", "rtm", "rtm2"] {
        let (a, b) = (format!("a-{kind}"), format!("b-{kind}"));
        let alice = chat(&served, &a, &b, Some(&token(kind, &a)));
        let bob = chat(&served, &b, &a, Some(&token(kind, &b)));
        let (ok, out, err) = finished(alice);
        assert!(ok, "{kind}: {out}{err}");
        let (ok, out, err) = finished(bob);
        assert!(ok, "{kind}: {out}{err}");
    }
    // A token for someone else, a truncated one, one signed with another certificate, and none
    // at all are invalid; an expired one is reported as expired.
    let wrong = token("rtm2", "mallory");
    let truncated = &wrong[..wrong.len() - 6];
    let other_cert = token_with("rtm2", "eve", "0123456789abcdef0123456789abcdef", &[]);
    let expired = token_with("rtm2", "eve", CERT, &["--now", "1600000000", "--expire", "60"]);
    let cases = [
        (Some(wrong.as_str()), "login: invalid token"),
        (Some(truncated), "login: invalid token"),
        (Some(other_cert.as_str()), "login: invalid token"),
        (None, "login: invalid token"),
        (Some(expired.as_str()), "login: token expired"),
    ];
    for (t, expected) in cases {
        let (ok, _, err) = finished(chat(&served, "eve", "bob", t));
        assert!(!ok, "{t:?} admitted");
        assert!(err.contains(expected), "{t:?}: {err}");
    }
}

/// Runs `sigshim conformance URL ARGS` and returns (exit code, stdout, stderr).
fn conformance(url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(BIN).args(["conformance", url]).args(args).output().expect("conformance runs");
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into(), String::from_utf8_lossy(&o.stderr).into())
}

/// The rows of one check in the table.
fn rows<'a>(out: &'a str, check: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.split_whitespace().next() == Some(check)).collect()
}

#[test]
fn the_conformance_command_checks_a_deployment() {
    for extra in [&[][..], &["--app-certificate", CERT][..]] {
        let served = Served::start(APP, extra);
        let (code, out, err) = conformance(&served.url, &[&["--app-id", APP][..], extra].concat());
        assert_eq!(code, Some(0), "{out}{err}");
        assert!(out.lines().last().is_some_and(|l| l.ends_with(" passed, 0 failed")), "{out}");
        assert!(
            out.contains("peer_message_legacy_and_core         pass  core receives the legacy message"),
            "{out}"
        );
        assert_eq!(rows(&out, "call_legacy_to_core_and_end").len(), 4, "{out}");
        assert!(!out.contains("FAIL") && !err.contains("panicked"), "{out}{err}");
        // Against the wrong app ID the server is reached, but every login fails, and the exit
        // status says so.
        let (code, out, err) = conformance(&served.url, &["--app-id", "other-app"]);
        assert_eq!(code, Some(1), "{out}");
        assert!(out.contains("server_reachable                     pass"), "{out}");
        let login = rows(&out, "login_logout_states");
        assert_eq!(login.len(), 1, "{out}");
        assert!(
            login[0].contains("FAIL  login of ") && login[0].ends_with(" failed: invalid app ID"),
            "{out}"
        );
        assert!(
            out.lines().last().is_some_and(|l| l.ends_with(" failed") && !l.ends_with(" 0 failed")),
            "{out}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn the_conformance_command_fails_a_server_that_refuses_its_tokens() {
    let served = Served::start(APP, &["--app-certificate", CERT]);
    let other = "0123456789abcdef0123456789abcdef";
    let (code, out, err) = conformance(&served.url, &["--app-id", APP, "--app-certificate", other]);
    assert_eq!(code, Some(1), "{out}");
    for check in ["login_logout_states", "peer_message_core_to_core", "remote_login_kicks_older_session"] {
        let r = rows(&out, check);
        assert!(r.len() == 1 && r[0].contains("FAIL  login of ") && r[0].ends_with("invalid token"), "{out}");
    }
    let legacy = rows(&out, "peer_message_legacy_and_core");
    assert!(legacy[0].contains("FAIL  legacy login of ") && legacy[0].contains("(206)"), "{out}");
    // Refusing a bad user ID needs no token: that row passes while the rest of its check fails.
    assert!(rows(&out, "bad_input_refused")[0].contains("pass  login as \"null\""), "{out}");
    assert!(out.lines().last().is_some_and(|l| l == "2 passed, 10 failed"), "{out}");
    assert!(!err.contains("panicked"), "a failed check is a row, not a panic: {err}");
}

#[test]
fn the_conformance_command_reports_a_server_it_cannot_reach() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("its address");
    let url = format!("ws://{port}/");
    // The listener is closed now: connections are refused.
    let started = std::time::Instant::now();
    let (code, out, err) = conformance(&url, &["--app-id", APP, "--check-timeout", "20"]);
    assert_eq!(code, Some(1), "{out}");
    let reach = rows(&out, "server_reachable");
    assert_eq!(reach.len(), 1, "{out}");
    assert!(reach[0].contains(&format!("FAIL  opening a WebSocket to {url} failed: IO error: ")), "{out}");
    assert!(reach[0].contains("refused"), "{out}");
    assert!(rows(&out, "user_attributes")[0].ends_with("FAIL  not run: server_reachable failed"), "{out}");
    assert!(out.lines().last().is_some_and(|l| l == "0 passed, 11 failed"), "{out}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "a refused connection fails at once");
}

#[test]
fn the_server_shows_a_browser_the_demo_page_and_the_drop_in_script() {
    let served = Served::start(APP, &[]);
    let page = served.get("/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.to_ascii_lowercase().contains("content-type: text/html"), "{page}");
    assert!(page.contains("/sdk/AgoraSig.js"), "the page loads the drop-in script: {page}");
    let script = served.get("/sdk/AgoraSig.js");
    assert!(script.starts_with("HTTP/1.1 200"), "{script}");
    assert!(script.to_ascii_lowercase().contains("content-type: text/javascript"), "{script}");
    assert!(script.ends_with(include_str!("../clients/web/AgoraSig.js")), "the repository's script, whole");
    let types = served.get("/sdk/AgoraSig.d.ts");
    assert!(types.starts_with("HTTP/1.1 200"), "{types}");
    // The legacy endpoint answers an upgrade only.
    let plain = served.get("/legacy");
    assert!(!plain.starts_with("HTTP/1.1 200"), "{plain}");
    assert!(served.stop().status.success());
}
