//! `sigshim serve` as a separate process: clients in other processes talk through it, token
//! checks, and a graceful exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sigshim");
const APP: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

/// A running `sigshim serve` and its URL (read from its first line of output).
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--app-id", APP])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("sigshim serve starts");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().expect("piped stdout")).read_line(&mut first).expect("a line");
        let url = first.split_whitespace().find(|w| w.starts_with("ws://")).expect("the URL").to_owned();
        Served { child, url }
    }

    fn chat(&self, user: &str, peer: &str, token: Option<&str>) -> Child {
        let mut cmd = Command::new(BIN);
        cmd.args(["chat", "--server", &self.url, "--app-id", APP, "--user", user, "--peer", peer]);
        cmd.args(["--message", &format!("hi {peer}, from {user}"), "--wait", "20"]);
        if let Some(t) = token {
            cmd.args(["--token", t]);
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("sigshim chat starts")
    }

    /// Sends SIGTERM and returns the exit status and remaining output.
    fn stop(mut self) -> Output {
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

fn finished(child: Child) -> (bool, String, String) {
    let o = child.wait_with_output().expect("the client exits");
    (o.status.success(), String::from_utf8_lossy(&o.stdout).into(), String::from_utf8_lossy(&o.stderr).into())
}

#[test]
fn two_processes_talk_through_the_server_and_it_exits_cleanly_on_sigterm() {
    let served = Served::start(&[]);
    let alice = served.chat("alice", "bob", None);
    let bob = served.chat("bob", "alice", None);
    let (ok, out, err) = finished(alice);
    assert!(ok, "alice: {out}{err}");
    assert!(out.contains("bob: hi alice, from bob"), "{out}");
    let (ok, out, err) = finished(bob);
    assert!(ok, "bob: {out}{err}");
    assert!(out.contains("alice: hi bob, from alice"), "{out}");

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
    let served = Served::start(&["--app-certificate", CERT]);
    for kind in ["signaling", "rtm", "rtm2"] {
        let (a, b) = (format!("a-{kind}"), format!("b-{kind}"));
        let alice = served.chat(&a, &b, Some(&token(kind, &a)));
        let bob = served.chat(&b, &a, Some(&token(kind, &b)));
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
        let (ok, _, err) = finished(served.chat("eve", "bob", t));
        assert!(!ok, "{t:?} admitted");
        assert!(err.contains(expected), "{t:?}: {err}");
    }
}

#[test]
fn the_conformance_command_checks_a_deployment() {
    for extra in [&[][..], &["--app-certificate", CERT][..]] {
        let served = Served::start(extra);
        let o = Command::new(BIN)
            .args(["conformance", &served.url, "--app-id", APP])
            .args(extra)
            .output()
            .expect("conformance runs");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{out}");
        assert!(out.contains(" passed, 0 failed"), "{out}");
        assert!(out.contains("peer_message_legacy_and_core         pass"), "{out}");
        assert!(out.contains("call_legacy_to_core_and_end"), "{out}");
        // Against the wrong app ID every check fails, and the exit status says so.
        let o = Command::new(BIN)
            .args(["conformance", &served.url, "--app-id", "other-app"])
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stdout).contains("0 passed"));
    }
}
