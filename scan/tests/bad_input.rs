//! Files that are not source text, or not files, are skipped with a warning; the scan goes on
//! and never panics or hangs.

use std::path::Path;
use std::process::Command;

use sigshim_scan::{ScanOptions, SkipReason, scan};

const LEGACY_CALL: &str =
    "var session = Signal(appId).login(account, token);\nsession.channelJoin('lobby');\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("test file written");
}

#[test]
fn unreadable_and_odd_files_are_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = tmp.path();
    write(dir, "good.js", LEGACY_CALL.as_bytes());
    write(dir, "binary.js", b"var a = 1;\0\0\0\x01\x02session.channelJoin('x');");
    write(dir, "latin1.js", b"// caf\xe9\nsession.channelJoin('x');\n");
    write(dir, "huge.js", &LEGACY_CALL.repeat(60_000).into_bytes());
    std::fs::create_dir(dir.join("sub")).expect("sub directory");
    std::os::unix::fs::symlink("..", dir.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink("nowhere.js", dir.join("gone.js")).expect("symlink");
    let fifo = dir.join("pipe.js");
    let made_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());

    let options = ScanOptions { max_file_size: 1024 * 1024, follow_links: true, ..ScanOptions::default() };
    let report = scan(&[dir.to_path_buf()], &options).expect("the scan runs");

    let reason_of = |name: &str| {
        report.warnings.iter().find(|w| w.path.file_name().is_some_and(|n| n == name)).map(|w| w.reason)
    };
    assert_eq!(reason_of("binary.js"), Some(SkipReason::Binary));
    assert_eq!(reason_of("latin1.js"), Some(SkipReason::InvalidUtf8));
    assert_eq!(reason_of("huge.js"), Some(SkipReason::TooLarge));
    assert_eq!(reason_of("loop"), Some(SkipReason::LinkLoop));
    assert_eq!(reason_of("gone.js"), Some(SkipReason::Unreadable));
    if made_fifo {
        assert_eq!(reason_of("pipe.js"), Some(SkipReason::NotAFile));
    }
    let expected_warnings = if made_fifo { 6 } else { 5 };
    assert_eq!(report.warnings.len(), expected_warnings, "{:#?}", report.warnings);

    // The good file is still read, and only it.
    assert_eq!(report.files_scanned(), 1);
    let names: Vec<&str> = report.findings.iter().map(|f| &*f.item.name).collect();
    assert_eq!(names, ["getInstance", "login2", "channelJoin"]);
    assert!(report.findings.iter().all(|f| f.path.ends_with("good.js")));
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let err = scan(&["no/such/dir".into()], &ScanOptions::default()).expect_err("a missing path");
    assert!(matches!(err, sigshim_scan::ScanError::Path { .. }), "{err:?}");
    assert!(matches!(scan(&[], &ScanOptions::default()), Err(sigshim_scan::ScanError::NoPaths)));
}

/// Generated code: one call chain tens of thousands of links long, and deeply nested brackets.
#[test]
fn pathological_sources_do_not_exhaust_the_stack() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let chain =
        format!("var s = Signal(id).login(a, t){};\ns.channelJoin('x');\n", ".then(f)".repeat(20_000));
    write(tmp.path(), "chain.js", chain.as_bytes());
    let nested = format!("int main() {{ int x = {}1{}; }}\n", "(".repeat(5_000), ")".repeat(5_000));
    write(tmp.path(), "nested.c", nested.as_bytes());
    let report = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn({
            let dir = tmp.path().to_path_buf();
            move || {
                scan(&[dir], &ScanOptions { threads: 1, ..ScanOptions::default() }).expect("the scan runs")
            }
        })
        .expect("thread")
        .join()
        .expect("the scan does not panic");
    assert_eq!(report.files_scanned(), 2);
    assert!(report.findings.iter().any(|f| f.item.name == "getInstance"));
}

/// `.gitignore` is honoured, in a git checkout or not; `honour_ignores: false` reads everything.
#[test]
fn ignored_files_are_not_read() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    write(tmp.path(), ".gitignore", b"vendor/\n");
    std::fs::create_dir(tmp.path().join("vendor")).expect("vendor directory");
    write(&tmp.path().join("vendor"), "old.js", LEGACY_CALL.as_bytes());
    write(tmp.path(), "app.js", LEGACY_CALL.as_bytes());
    let report = scan(&[tmp.path().to_path_buf()], &ScanOptions::default()).expect("the scan runs");
    assert_eq!(report.files_scanned(), 1);
    let all = ScanOptions { honour_ignores: false, ..ScanOptions::default() };
    assert_eq!(scan(&[tmp.path().to_path_buf()], &all).expect("the scan runs").files_scanned(), 2);
}

/// Without `follow_links`, a link to a directory is not walked (nor its loop); a link to a file
/// is read; the largest limit does not overflow.
#[test]
fn links_to_directories_are_not_followed_by_default() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = tmp.path();
    write(dir, "good.js", LEGACY_CALL.as_bytes());
    std::os::unix::fs::symlink("good.js", dir.join("alias.js")).expect("symlink");
    std::fs::create_dir(dir.join("sub")).expect("sub directory");
    std::os::unix::fs::symlink("..", dir.join("sub/loop")).expect("symlink");
    let options = ScanOptions { max_file_size: u64::MAX, ..ScanOptions::default() };
    let report = scan(&[dir.to_path_buf()], &options).expect("the scan runs");
    assert_eq!(report.files_scanned(), 2, "good.js and the link to it");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.findings.len(), 6);
}
