//! The `sigshim` binary end to end: `demo`, `token build | verify` and `scan`.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sigshim");
const APP: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("running the sigshim binary")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn build(kind: &str, user: &str, now: &str) -> String {
    let o = run(&[
        "token",
        "build",
        "--kind",
        kind,
        "--app-id",
        APP,
        "--app-certificate",
        CERT,
        "--user",
        user,
        "--expire",
        "600",
        "--now",
        now,
    ]);
    assert!(o.status.success(), "build {kind}: {}", String::from_utf8_lossy(&o.stderr));
    stdout(&o).trim().to_owned()
}

fn verify(token: &str, user: &str, now: &str, cert: &str) -> Output {
    run(&["token", "verify", "--app-id", APP, "--app-certificate", cert, "--user", user, "--now", now, token])
}

#[test]
fn demo_runs_and_exits_zero() {
    let o = run(&["demo"]);
    assert!(o.status.success(), "demo failed: {}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    for expected in [
        "on_login_success(uid=",
        "on_message_instant_receive(\"bob\"",
        "on_query_user_status_result(\"bob\", \"1\")",
        "on_message_send_success(\"m1\")",
        "on_user_attr_all_result(\"bob\", {\"room\":\"42\"})",
        "on_channel_joined(\"lobby\")",
        "on_channel_user_list([\"alice\", \"bob\"]",
        "on_message_send_success(\"c1\")",
        "on_message_channel_receive(\"lobby\", \"alice\", uid=",
        "on_channel_attr_updated(\"lobby\", \"topic\", \"migration\", \"update\")",
        "on_message_send_success(\"f1\")",
        "MessageReceived { peer_id: \"alice\"",
        "on_channel_leaved(\"lobby\", 602)",
        "on_logout(101)",
        "demo finished",
    ] {
        assert!(out.contains(expected), "demo output lacks {expected:?}:\n{out}");
    }
}

#[test]
fn every_kind_builds_and_verifies() {
    for (kind, prefix) in [("signaling", "1:"), ("rtm", "006"), ("rtm2", "007")] {
        let token = build(kind, "alice", "1700000000");
        assert!(token.starts_with(prefix), "{kind}: {token}");
        let ok = verify(&token, "alice", "1700000100", CERT);
        assert_eq!(ok.status.code(), Some(0), "{kind}: {}", String::from_utf8_lossy(&ok.stderr));
        let wrong_user = verify(&token, "bob", "1700000100", CERT);
        assert_eq!(wrong_user.status.code(), Some(1), "{kind} accepted for another user");
        let expired = verify(&token, "alice", "1700000601", CERT);
        assert_eq!(expired.status.code(), Some(1), "{kind} accepted after expiry");
        let wrong_cert = verify(&token, "alice", "1700000100", "00000000000000000000000000000000");
        assert_eq!(wrong_cert.status.code(), Some(1), "{kind} accepted with another certificate");
    }
}

#[test]
fn official_vector_verifies_through_the_cli() {
    // rtm007_test_user_java from the official vectors (issue_ts 1111111, expire 600).
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/core/tests/data/agora_tokens.json");
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the official token vectors"))
            .expect("JSON");
    let v = vectors
        .as_array()
        .and_then(|a| a.iter().find(|v| v["name"] == "rtm007_test_user_java"))
        .expect("the java 007 vector");
    let token = v["expected"].as_str().expect("expected token");
    assert_eq!(verify(token, "test_user", "1111200", CERT).status.code(), Some(0));
    let truncated = &token[..token.len() - 4];
    assert_eq!(verify(truncated, "test_user", "1111200", CERT).status.code(), Some(1));
}

#[test]
fn bad_input_is_refused_with_exit_two() {
    let o = run(&[
        "token",
        "build",
        "--kind",
        "rtm2",
        "--app-id",
        "short",
        "--app-certificate",
        CERT,
        "--user",
        "a",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!o.stderr.is_empty());
}

#[test]
fn sdk_path_names_the_header_and_finds_the_library_beside_the_binary() {
    let o = run(&["sdk-path", "--cflags"]);
    assert!(o.status.success(), "sdk-path --cflags: {}", String::from_utf8_lossy(&o.stderr));
    let cflags = stdout(&o);
    let include = cflags.trim().strip_prefix("-I").expect("one -I flag");
    assert!(std::path::Path::new(include).join("agora_sig.h").is_file(), "no agora_sig.h in {include}");

    // A copy of the binary with a library beside it: the library is found there first.
    let dir = std::env::temp_dir().join(format!("sigshim-sdk-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let bin = dir.join("sigshim");
    std::fs::copy(BIN, &bin).expect("copy of the binary");
    std::fs::write(dir.join("libagorasig.so"), b"").expect("a stand-in library");
    let o = Command::new(&bin).args(["sdk-path", "--libs"]).output().expect("running the copy");
    let libs = stdout(&o);
    let shown = dir.display();
    assert_eq!(libs.trim(), format!("-L{shown} -Wl,-rpath,{shown} -lagorasig -lpthread"));
    let o = Command::new(&bin).arg("sdk-path").output().expect("running the copy");
    let text = stdout(&o);
    assert!(text.contains(&format!("library    {shown}/libagorasig.so")), "{text}");
    assert!(text.contains("header     ") && text.contains("agora_sig.h"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sigshim scan` on the scanner's corpus: exit status by `--fail-on`, every format, an output
/// file, and a path that does not exist.
#[test]
fn scan_reports_and_exits_by_fail_on() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/scan/tests/corpus");
    let text = run(&["scan", corpus]);
    assert_eq!(text.status.code(), Some(1), "unsupported items are in the corpus");
    let out = stdout(&text);
    assert!(out.starts_with("sigshim scan: 89 legacy API uses in 8 of 8 source files"), "{out}");
    assert!(out.contains("Unsupported (11): sigshim does not provide these"), "{out}");
    assert!(String::from_utf8_lossy(&text.stderr).contains("files/s"));

    assert_eq!(run(&["scan", corpus, "--fail-on", "never"]).status.code(), Some(0));
    let page = std::env::temp_dir().join(format!("sigshim-scan-{}.js", std::process::id()));
    std::fs::write(&page, "var session = Signal(appId).login(account, token);\nsession.getStatus();\n")
        .expect("page");
    let page_path = page.to_str().expect("UTF-8 path");
    assert_eq!(run(&["scan", page_path]).status.code(), Some(0), "nothing unsupported on the page");
    assert_eq!(
        run(&["scan", page_path, "--fail-on", "emulated"]).status.code(),
        Some(1),
        "login is emulated"
    );
    let _ = std::fs::remove_file(&page);

    let json = run(&["scan", corpus, "--format", "json", "--fail-on", "never"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    assert_eq!(doc["schema"], "sigshim-scan/1");
    assert_eq!(doc["summary"]["findings"], 89);
    assert_eq!(doc["summary"]["by_strategy"]["Unsupported"], 11);

    let file = std::env::temp_dir().join(format!("sigshim-scan-{}.sarif", std::process::id()));
    let sarif = run(&["scan", corpus, "--format", "sarif", "-o", file.to_str().expect("UTF-8 path")]);
    assert_eq!(sarif.status.code(), Some(1));
    assert!(sarif.stdout.is_empty());
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("SARIF file")).expect("JSON");
    let _ = std::fs::remove_file(&file);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(89));

    let md = run(&["scan", corpus, "--format", "markdown", "--fail-on", "never"]);
    assert!(stdout(&md).starts_with("# Legacy Signaling API uses"));

    let missing = run(&["scan", "/no/such/tree"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot scan /no/such/tree"));

    // A report that cannot be written is an error naming where it was to go.
    let nowhere = "/no/such/dir/report.json";
    let unwritable = run(&["scan", corpus, "--format", "json", "-o", nowhere]);
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains(&format!("cannot write {nowhere}")));
}
