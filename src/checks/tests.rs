//! The runner: rows from assertions, errors, panics and time limits.

use std::time::Duration;

use super::*;

fn target() -> Target {
    Target { url: "ws://127.0.0.1:9/".into(), app_id: "app".into(), app_certificate: None }
}

async fn passes_then_stops(_: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    out.eq("prefix is per check", p.ends_with("-0"), true);
    Err(CheckError::Timeout { what: "peer message".into(), after: Duration::from_secs(5) })
}

async fn never_ends(_: &Target, _: &str, out: &mut Assertions) -> Result<(), CheckError> {
    out.eq("before the wait", 1, 1);
    std::future::pending().await
}

async fn panics(_: &Target, _: &str, _: &mut Assertions) -> Result<(), CheckError> {
    panic!("a bug in a check")
}

async fn records_nothing(_: &Target, _: &str, _: &mut Assertions) -> Result<(), CheckError> {
    Ok(())
}

fn error(text: &str) -> Verdict {
    Verdict::Error(text.into())
}

#[tokio::test(start_paused = true)]
async fn an_error_after_an_assertion_is_one_more_failed_row() {
    let reports =
        run_all(target(), &[Check::new("c", |t, p, o| Box::pin(passes_then_stops(t, p, o)))], WAIT).await;
    let rows = &reports[0].assertions;
    assert_eq!(reports[0].name, "c");
    assert_eq!(rows[0], Assertion::passed("prefix is per check"));
    assert_eq!(rows[1].verdict, error("no peer message within 5s"));
    assert_eq!(rows.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_check_over_its_time_limit_keeps_its_rows_and_fails() {
    let limit = Duration::from_secs(3);
    let reports =
        run_all(target(), &[Check::new("slow", |t, p, o| Box::pin(never_ends(t, p, o)))], limit).await;
    let rows = &reports[0].assertions;
    assert_eq!(rows[0], Assertion::passed("before the wait"));
    assert_eq!(rows[1].verdict, error("did not finish within 3s"));
}

#[tokio::test(start_paused = true)]
async fn a_panicking_check_is_a_failed_row_with_its_message_and_the_next_runs() {
    let checks = [
        Check::new("bug", |t, p, o| Box::pin(panics(t, p, o))),
        Check::new("empty", |t, p, o| Box::pin(records_nothing(t, p, o))),
    ];
    let reports = run_all(target(), &checks, WAIT).await;
    assert_eq!(
        reports[0].assertions,
        vec![Assertion { what: String::new(), verdict: error("panicked: a bug in a check") }]
    );
    // A check that asserted nothing has not shown anything: that is a failure too.
    assert_eq!(reports[1].assertions[0].verdict, error("nothing checked"));
}

#[tokio::test(start_paused = true)]
async fn after_a_failed_gate_the_other_checks_are_not_run() {
    let checks = [
        Check { name: "gate", run: |t, p, o| Box::pin(passes_then_stops(t, p, o)), gate: true },
        Check::new("later", |t, p, o| Box::pin(panics(t, p, o))),
    ];
    let reports = run_all(target(), &checks, WAIT).await;
    assert_eq!(reports[1].name, "later");
    assert_eq!(
        reports[1].assertions,
        vec![Assertion { what: "not run".into(), verdict: error("gate failed") }]
    );
}

#[tokio::test]
async fn a_closed_port_fails_the_reachability_check_with_the_socket_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("ws://{}/", listener.local_addr().expect("its address"));
    drop(listener);
    let t = Target { url: url.clone(), ..target() };
    let reports = run_all(t, &CHECKS[..2], WAIT).await;
    let Verdict::Error(text) = &reports[0].assertions[0].verdict else {
        panic!("not an error row: {:?}", reports[0]);
    };
    assert!(text.starts_with(&format!("opening a WebSocket to {url} failed: IO error: ")), "{text}");
    assert!(text.contains("refused"), "{text}");
    assert_eq!(reports[1].assertions[0].verdict, error("server_reachable failed"));
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_fails_the_reachability_check_in_time() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("ws://{}/", listener.local_addr().expect("its address"));
    // Accepts the connection and holds it without a word.
    let held = tokio::spawn(async move { listener.accept().await.map(|(socket, _)| socket) });
    let t = Target { url: url.clone(), ..target() };
    let reports = run_all(t, &CHECKS[..1], Duration::from_secs(60)).await;
    let expected = format!("no WebSocket handshake with {url} within 5s");
    assert_eq!(reports[0].assertions, vec![Assertion { what: String::new(), verdict: error(&expected) }]);
    assert!(held.await.expect("the listener task").is_ok(), "the connection was made");
}
