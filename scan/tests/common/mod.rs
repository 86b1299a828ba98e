//! Helpers shared by the scanner's tests: the corpus, golden files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sigshim_scan::{Report, ScanOptions};

/// The corpus of small legacy programs, as a relative path (findings then carry relative paths).
pub(crate) fn corpus() -> PathBuf {
    PathBuf::from("tests/corpus")
}

/// The scan of the whole corpus.
pub(crate) fn corpus_report() -> Report {
    sigshim_scan::scan(&[corpus()], &ScanOptions::default()).expect("the corpus scans")
}

/// Compares `got` with the golden file `tests/golden/<name>`; `SIGSHIM_BLESS=1` rewrites it.
pub(crate) fn golden(name: &str, got: &str) {
    let path = Path::new("tests/golden").join(name);
    if std::env::var("SIGSHIM_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, got).expect("golden file written");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("reading {} ({e}); run with SIGSHIM_BLESS=1 to create it", path.display())
    });
    assert!(
        got == want,
        "{} differs from what the scan wrote (SIGSHIM_BLESS=1 rewrites it):\n{got}",
        path.display()
    );
}
