//! `--format markdown`: a migration report a team can attach to a ticket.

use std::fmt::Write;

use sigshim_mapping::catalog::Strategy;

use super::{Report, display_path, items_used, strategy_counts};
use crate::finding::Confidence;

/// The report as Markdown: totals, the unsupported uses, the emulated items with what differs,
/// every item used with its core equivalent, and every file's uses.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let c = report.counts();
    let files = report.by_file();
    let _ = writeln!(out, "# Legacy Signaling API uses\n");
    let _ = writeln!(
        out,
        "{} uses of the legacy API in {} of {} source files.\n",
        report.findings.len(),
        files.len(),
        report.files_scanned()
    );
    let _ = writeln!(out, "| Strategy | Uses | What it means |");
    let _ = writeln!(out, "|---|---|---|");
    for &s in Strategy::ALL {
        let _ = writeln!(out, "| {s} | {} | {} |", c.count(s), meaning(s));
    }
    let unsupported = report.unsupported();
    if !unsupported.is_empty() {
        let _ = writeln!(out, "\n## Must change: unsupported\n");
        let _ = writeln!(
            out,
            "sigshim does not provide these: methods answer with a failure code, callbacks never fire.\n"
        );
        let _ = writeln!(out, "| Where | Item | Kind | What sigshim does |");
        let _ = writeln!(out, "|---|---|---|---|");
        for f in unsupported {
            let _ = writeln!(
                out,
                "| `{}:{}:{}` | `{}`{} | {} | {} |",
                display_path(&f.path),
                f.line,
                f.column,
                f.item.name,
                if f.confidence == Confidence::Medium { " (medium confidence)" } else { "" },
                f.item.kind.as_str(),
                cell(&f.item.note)
            );
        }
    }
    let emulated = report.emulated_items();
    if !emulated.is_empty() {
        let _ = writeln!(out, "\n## Behaves differently: emulated\n");
        let _ =
            writeln!(out, "These run on the drop-ins; each note says what differs from the legacy SDK.\n");
        let _ = writeln!(out, "| Item | Kind | Where | What differs |");
        let _ = writeln!(out, "|---|---|---|---|");
        for (first, uses) in emulated {
            let places: Vec<String> =
                uses.iter().map(|f| format!("`{}:{}`", display_path(&f.path), f.line)).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                first.item.name,
                first.item.kind.as_str(),
                places.join(", "),
                cell(&first.item.note)
            );
        }
    }
    let _ = writeln!(out, "\n## Items used\n");
    let _ = writeln!(out, "| Item | Kind | Uses | Strategy | Core equivalent |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for (f, n) in items_used(&report.findings) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {n} | {} | {} |",
            f.item.name,
            f.item.kind.as_str(),
            f.item.strategy,
            cell(&f.item.core)
        );
    }
    let _ = writeln!(out, "\n## Per file\n");
    for (path, list) in &files {
        let counts = strategy_counts(list.iter().copied());
        let _ = writeln!(out, "### `{}`\n", display_path(path));
        let _ = writeln!(
            out,
            "{}; {} direct, {} emulated, {} accepted, {} unsupported. Drop-in: {}.\n",
            list[0].language.as_str(),
            counts.direct,
            counts.emulated,
            counts.accepted,
            counts.unsupported,
            list[0].drop_in()
        );
        let _ = writeln!(out, "| Line | Item | Kind | Strategy | Confidence |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for f in list {
            let _ = writeln!(
                out,
                "| {}:{} | `{}` | {} | {} | {} |",
                f.line,
                f.column,
                f.item.name,
                f.item.kind.as_str(),
                f.item.strategy,
                f.confidence.as_str()
            );
        }
        out.push('\n');
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "## Skipped files\n");
        for w in &report.warnings {
            let _ = writeln!(out, "- {}", w);
        }
    }
    out
}

fn meaning(s: Strategy) -> &'static str {
    match s {
        Strategy::Direct => "runs unchanged on the drop-in; one core call when you migrate",
        Strategy::Emulated => "runs on the drop-in; read the note for what differs",
        Strategy::Accepted => "accepted and does nothing; safe to delete when you migrate",
        Strategy::Unsupported => "not provided: answers with a failure code; needs a rewrite",
    }
}

/// Text safe inside a table cell.
fn cell(md: &str) -> String {
    md.replace('|', "\\|").replace('\n', " ")
}
