//! `--format json`: the report as one JSON document with a versioned, stable shape.
//!
//! The shape is described by `scan/schema/scan-report.schema.json` (JSON Schema draft 2020-12);
//! `"schema": "sigshim-scan/1"` names its version. Within a version, fields are only added (the
//! schema allows properties it does not list); a field removed or changed makes a new version.
//!
//! - `tool`: `name` (`sigshim-scan`) and `version`.
//! - `summary`: `files_scanned`, `files_with_findings`, `findings`, `by_strategy` (`Direct`,
//!   `Emulated`, `Accepted`, `Unsupported`), `by_confidence` (`high`, `medium`).
//! - `files`: one entry per file with uses: `path`, `language`, `platform`, `drop_in`,
//!   `by_strategy`.
//! - `findings`: one entry per use: `path`, `line`, `column` (1-based, characters), `language`,
//!   `platform`, `text` (as written), `kind` (`method`, `callback`, `invoke`, `extra_key`,
//!   `error_code`), `item` (the catalog's name), `strategy`, `confidence`, `core` and `note`
//!   (Markdown, from the catalog), `drop_in`.
//! - `warnings`: files passed over: `path`, `reason` (`binary`, `invalid_utf8`, `too_large`,
//!   `unreadable`, `not_a_file`, `link_loop`, `legacy_sdk`), `message`.

use serde::Serialize;

use super::{ConfidenceCounts, Report, display_path, strategy_counts};
use crate::finding::{Confidence, Finding, UseKind};
use crate::lang::{Language, Platform};
use crate::walk::SkipReason;

/// The schema version this module writes.
pub const SCHEMA: &str = "sigshim-scan/1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    summary: Summary,
    files: Vec<FileEntry>,
    findings: Findings<'a>,
    warnings: Vec<WarningEntry<'a>>,
}

/// Every finding, each turned into its entry as it is written: the document never holds them
/// all at once.
struct Findings<'a>(&'a [Finding]);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(finding))
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    files_with_findings: usize,
    findings: usize,
    by_strategy: sigshim_mapping::Summary,
    by_confidence: ConfidenceCounts,
}

#[derive(Serialize)]
struct FileEntry {
    path: String,
    language: Language,
    platform: Platform,
    drop_in: &'static str,
    by_strategy: sigshim_mapping::Summary,
}

#[derive(Serialize)]
struct FindingEntry<'a> {
    path: String,
    line: usize,
    column: usize,
    language: Language,
    platform: Platform,
    text: &'a str,
    kind: UseKind,
    item: &'a str,
    strategy: &'static str,
    confidence: Confidence,
    core: &'a str,
    note: &'a str,
    drop_in: &'static str,
}

#[derive(Serialize)]
struct WarningEntry<'a> {
    path: String,
    reason: SkipReason,
    message: &'a str,
}

fn finding(f: &Finding) -> FindingEntry<'_> {
    FindingEntry {
        path: display_path(&f.path),
        line: f.line,
        column: f.column,
        language: f.language,
        platform: f.platform,
        text: &f.text,
        kind: f.item.kind,
        item: &f.item.name,
        strategy: f.item.strategy.as_str(),
        confidence: f.confidence,
        core: &f.item.core,
        note: &f.item.note,
        drop_in: f.drop_in(),
    }
}

/// The report as pretty-printed JSON (see [`write()`] for large reports).
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the report as pretty-printed JSON to `out`, finding by finding (a tree with a hundred
/// thousand uses is never held as one string).
pub fn write(report: &Report, mut out: impl std::io::Write) -> std::io::Result<()> {
    let files = report.by_file();
    let confidence = report.confidence_counts();
    let doc = Document {
        schema: SCHEMA,
        tool: Tool { name: "sigshim-scan", version: env!("CARGO_PKG_VERSION") },
        summary: Summary {
            files_scanned: report.files_scanned(),
            files_with_findings: files.len(),
            findings: report.findings.len(),
            by_strategy: report.counts(),
            by_confidence: confidence,
        },
        files: files
            .iter()
            .map(|(path, list)| FileEntry {
                path: display_path(path),
                language: list[0].language,
                platform: list[0].platform,
                drop_in: list[0].drop_in(),
                by_strategy: strategy_counts(list.iter().copied()),
            })
            .collect(),
        findings: Findings(&report.findings),
        warnings: report
            .warnings
            .iter()
            .map(|w| WarningEntry { path: display_path(&w.path), reason: w.reason, message: &w.message })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut out, &doc)?;
    out.write_all(b"\n")
}
