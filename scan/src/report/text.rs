//! The readable summary `sigshim scan` prints by default.

use std::fmt::Write;

use sigshim_mapping::catalog::Strategy;

use sigshim_mapping::Summary;

use super::{Report, display_path, plain, strategy_counts};
use crate::finding::{Confidence, Finding};

/// The report as plain text: totals, the unsupported uses, the emulated items with what differs
/// and where they are used, then every file's uses.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let c = report.counts();
    let confidence = report.confidence_counts();
    let _ = writeln!(
        out,
        "sigshim scan: {} legacy API uses in {} of {} source files",
        report.findings.len(),
        report.by_file().len(),
        report.files_scanned()
    );
    let _ = writeln!(out, "  {}", counts_line(&c));
    let _ = writeln!(out, "  confidence: {} high, {} medium", confidence.high, confidence.medium);
    let unsupported = report.unsupported();
    if !unsupported.is_empty() {
        let _ = writeln!(
            out,
            "\nUnsupported ({}): sigshim does not provide these; rewrite them first",
            unsupported.len()
        );
        for f in unsupported {
            let _ = writeln!(out, "  {}  {}", location(f), describe(f));
            let _ = writeln!(out, "      {}", plain(&f.item.note));
        }
    }
    let emulated = report.emulated_items();
    if !emulated.is_empty() {
        let _ = writeln!(
            out,
            "\nEmulated ({} items): these run on the drop-ins; read what differs",
            emulated.len()
        );
        for (first, uses) in emulated {
            let places: Vec<String> = uses.iter().map(|f| location(f)).collect();
            let n = uses.len();
            let noun = if n == 1 { "use" } else { "uses" };
            let _ = writeln!(
                out,
                "  {} {} ({n} {noun}): {}",
                first.item.kind.as_str(),
                first.item.name,
                places.join(", ")
            );
            let _ = writeln!(out, "      {}", plain(&first.item.note));
        }
    }
    let files = report.by_file();
    if !files.is_empty() {
        let _ = writeln!(out, "\nPer file:");
    }
    for (path, findings) in files {
        let counts = strategy_counts(findings.iter().copied());
        let platform = findings[0].platform;
        let _ = writeln!(
            out,
            "  {} ({}; {})",
            display_path(path),
            findings[0].language.as_str(),
            counts_line(&counts)
        );
        let _ = writeln!(out, "    drop-in: {}", platform.drop_in());
        for f in findings {
            let _ = writeln!(out, "    {}:{}  {}", f.line, f.column, describe(f));
        }
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\nSkipped ({}):", report.warnings.len());
        for w in &report.warnings {
            let _ = writeln!(out, "  {}", w);
        }
    }
    out
}

fn counts_line(c: &Summary) -> String {
    Strategy::ALL
        .iter()
        .map(|&s| format!("{} {}", c.count(s), s.as_str().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn location(f: &Finding) -> String {
    format!("{}:{}:{}", display_path(&f.path), f.line, f.column)
}

fn describe(f: &Finding) -> String {
    let mut s = format!("{} {} [{}]", f.item.kind.as_str(), f.item.name, f.item.strategy);
    if f.text != f.item.name {
        let _ = write!(s, " as `{}`", f.text);
    }
    if f.confidence == Confidence::Medium {
        s.push_str(" (medium confidence)");
    }
    if f.item.core != "—" {
        let _ = write!(s, " -> core: {}", plain(&f.item.core));
    }
    s
}
