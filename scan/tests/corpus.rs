//! The corpus of legacy programs (one web page and script, a C++ console program, a plain C
//! program, an Android activity in Java and a Kotlin class, an iOS view controller in
//! Objective-C and a Swift class): the whole report, in every format, is checked exactly.

mod common;

use std::collections::BTreeSet;

use sigshim_mapping::{Strategy, catalog, reserved};
use sigshim_scan::report::{json, markdown, sarif, text};
use sigshim_scan::{Confidence, FailOn, Language, UseKind};

#[test]
fn the_text_report_is_exact() {
    common::golden("corpus.txt", &text::render(&common::corpus_report()));
}

#[test]
fn the_json_report_is_exact() {
    common::golden("corpus.json", &json::render(&common::corpus_report()));
}

#[test]
fn the_markdown_report_is_exact() {
    common::golden("corpus.md", &markdown::render(&common::corpus_report()));
}

#[test]
fn the_sarif_report_is_exact() {
    common::golden("corpus.sarif", &sarif::render(&common::corpus_report()));
}

/// Lines marked `scan: none` hold a legacy name in a comment, in a string, in a template, or
/// on an object that is not the SDK's (`auth.login`, `db.login`, `player.stop`): none counts.
#[test]
fn comments_strings_and_other_objects_do_not_count() {
    let report = common::corpus_report();
    let mut marked = 0;
    for (path, _) in report.by_file() {
        let src = std::fs::read_to_string(path).expect("corpus file");
        for (n, line) in src.lines().enumerate() {
            if line.contains("scan: none") {
                marked += 1;
                let hits: Vec<_> =
                    report.findings.iter().filter(|f| *f.path == *path && f.line == n + 1).collect();
                assert!(hits.is_empty(), "{}:{}: {line}\nfound {hits:?}", path.display(), n + 1);
            }
        }
    }
    assert!(marked >= 15, "only {marked} marked lines were checked");
}

#[test]
fn every_language_and_strategy_is_in_the_corpus() {
    let report = common::corpus_report();
    let languages: BTreeSet<Language> = report.findings.iter().map(|f| f.language).collect();
    let want = [
        Language::TypeScript,
        Language::Html,
        Language::C,
        Language::Cpp,
        Language::Java,
        Language::Kotlin,
        Language::ObjC,
        Language::Swift,
    ];
    assert_eq!(languages, want.into_iter().collect());
    let counts = report.counts();
    for &s in Strategy::ALL {
        assert!(counts.count(s) > 0, "no {s} use in the corpus");
    }
    assert!(report.findings.iter().any(|f| f.confidence == Confidence::Medium));
    assert!(report.fails(FailOn::Unsupported));
    assert!(report.fails(FailOn::Emulated));
    assert!(!report.fails(FailOn::Never));
    assert_eq!(report.files_scanned(), 8);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

/// Every use carries its item's strategy, core counterpart and note exactly as the catalog (or
/// the reserved keys' table) has them, so the report's counts are the catalog's.
#[test]
fn strategies_and_notes_are_the_catalogs() {
    let report = common::corpus_report();
    for f in &report.findings {
        let (strategy, core, note) = match f.item.kind {
            UseKind::Method | UseKind::Callback | UseKind::Invoke => {
                let row = catalog::lookup(&f.item.name)
                    .unwrap_or_else(|| panic!("{} is not in the catalog", f.item.name));
                (row.strategy, row.core, row.note)
            }
            UseKind::ExtraKey => {
                let key = reserved::lookup(&f.item.name).expect("a reserved key");
                (key.strategy, key.core, key.note)
            }
            UseKind::ErrorCode => continue,
        };
        assert_eq!((f.item.strategy, &*f.item.core, &*f.item.note), (strategy, core, note), "{f:?}");
    }
    let by_hand =
        Strategy::ALL.iter().map(|&s| report.findings.iter().filter(|f| f.item.strategy == s).count());
    let counts = report.counts();
    assert_eq!(
        by_hand.collect::<Vec<_>>(),
        Strategy::ALL.iter().map(|&s| counts.count(s)).collect::<Vec<_>>()
    );
    assert_eq!(counts.total(), report.findings.len());
}
