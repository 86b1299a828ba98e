//! A whole scan's result, its counts, and the four ways to write it: a readable summary
//! ([`text`]), JSON ([`json`]), SARIF 2.1.0 ([`sarif`]) and a Markdown migration report
//! ([`markdown`]).

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;
use std::path::Path;

use sigshim_mapping::Summary;
use sigshim_mapping::catalog::Strategy;

use crate::finding::{Confidence, Finding};
use crate::lang::Language;
use crate::walk::{FileOutcome, Warning};

/// Everything one scan found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every use found, ordered by file, line and column.
    pub findings: Vec<Finding>,
    /// Files and directories passed over, ordered by path.
    pub warnings: Vec<Warning>,
    /// Source files read, per language.
    pub files_by_language: BTreeMap<Language, usize>,
    /// Bytes of source read.
    pub bytes: u64,
}

/// Counts uses per strategy.
pub(crate) fn strategy_counts<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Summary {
    Summary::of_strategies(findings.into_iter().map(|f| f.item.strategy))
}

/// Counts of uses per confidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConfidenceCounts {
    /// Uses the scanner is sure of.
    pub high: usize,
    /// Uses whose object's origin was not seen.
    pub medium: usize,
}

/// What `--fail-on` tests the report for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Never fail.
    Never,
    /// Fail when anything unsupported was found.
    Unsupported,
    /// Fail when anything emulated or unsupported was found.
    Emulated,
}

impl Report {
    /// Builds the report from every file's outcome, in a stable order.
    pub(crate) fn from_outcomes(outcomes: Vec<FileOutcome>) -> Self {
        let mut report = Self::default();
        for outcome in outcomes {
            match outcome {
                FileOutcome::Scanned { language, bytes, findings, .. } => {
                    *report.files_by_language.entry(language).or_default() += 1;
                    report.bytes += bytes;
                    report.findings.extend(findings);
                }
                FileOutcome::Skipped(w) => report.warnings.push(w),
            }
        }
        report.findings.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        report.warnings.sort_by(|a, b| (&a.path, a.reason).cmp(&(&b.path, b.reason)));
        report
    }

    /// Source files read.
    pub fn files_scanned(&self) -> usize {
        self.files_by_language.values().sum()
    }

    /// Uses per strategy, over the whole scan.
    pub fn counts(&self) -> Summary {
        strategy_counts(&self.findings)
    }

    /// Uses per confidence.
    pub fn confidence_counts(&self) -> ConfidenceCounts {
        let high = self.findings.iter().filter(|f| f.confidence == Confidence::High).count();
        ConfidenceCounts { high, medium: self.findings.len() - high }
    }

    /// The unsupported uses, in file order: what must be rewritten.
    pub fn unsupported(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.item.strategy == Strategy::Unsupported).collect()
    }

    /// Each emulated item used, with its uses in file order: what behaves differently.
    pub fn emulated_items(&self) -> Vec<(&Finding, Vec<&Finding>)> {
        items_used(&self.findings)
            .into_iter()
            .filter(|(f, _)| f.item.strategy == Strategy::Emulated)
            .map(|(first, _)| {
                let uses = self
                    .findings
                    .iter()
                    .filter(|f| f.item.kind == first.item.kind && f.item.name == first.item.name);
                (first, uses.collect())
            })
            .collect()
    }

    /// The files with uses, in path order, with their uses.
    pub fn by_file(&self) -> Vec<(&Path, Vec<&Finding>)> {
        let mut out: Vec<(&Path, Vec<&Finding>)> = Vec::new();
        for f in &self.findings {
            match out.last_mut() {
                Some((path, list)) if *path == &*f.path => list.push(f),
                _ => out.push((&*f.path, vec![f])),
            }
        }
        out
    }

    /// Whether the report fails the `--fail-on` test.
    pub fn fails(&self, on: FailOn) -> bool {
        let c = self.counts();
        match on {
            FailOn::Never => false,
            FailOn::Unsupported => c.unsupported > 0,
            FailOn::Emulated => c.unsupported + c.emulated > 0,
        }
    }
}

/// A path as reports print it: forward slashes on every platform.
pub(crate) fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Markdown code spans as plain text.
pub(crate) fn plain(md: &str) -> String {
    md.replace('`', "")
}

/// The distinct items used, with how often, in catalog strategy order then name.
pub(crate) fn items_used(findings: &[Finding]) -> Vec<(&Finding, usize)> {
    let mut seen: BTreeMap<(Strategy, &str, &str), (&Finding, usize)> = BTreeMap::new();
    for f in findings {
        let key = (f.item.strategy, f.item.kind.as_str(), &*f.item.name);
        seen.entry(key).or_insert((f, 0)).1 += 1;
    }
    let mut v: Vec<_> = seen.into_values().collect();
    v.sort_by_key(|(f, _)| std::cmp::Reverse(rank(f.item.strategy)));
    v
}

/// Unsupported first, then emulated, direct, accepted.
pub(crate) fn rank(s: Strategy) -> u8 {
    match s {
        Strategy::Unsupported => 3,
        Strategy::Emulated => 2,
        Strategy::Direct => 1,
        Strategy::Accepted => 0,
    }
}
