//! # sigshim-scan
//!
//! Reads a legacy Agora Signaling code base and reports every use of the legacy API: each method
//! called, callback set or implemented, `invoke` function name, reserved invitation `extra` key
//! and legacy error code tested, with file, line and column, the way sigshim provides it
//! (from the catalog in `sigshim-mapping`), what differs, the drop-in that runs it, and the core
//! call to move it to.
//!
//! ```
//! use sigshim_scan::{Confidence, Language, UseKind, scan_source};
//! use sigshim_mapping::Strategy;
//!
//! let page = r#"
//!     var session = Signal(appId).login(account, token);
//!     // session.channelJoin("in a comment");
//!     session.onLoginFailed = function (ecode) { if (ecode === 206) retry(); };
//!     auth.login("someone else's login");
//! "#;
//! let found = scan_source(Language::JavaScript, "app.js", page);
//! let names: Vec<_> = found.iter().map(|f| &*f.item.name).collect();
//! assert_eq!(names, ["getInstance", "login2", "onLoginFailed", "LOGIN_E_TOKENWRONG"]);
//! assert_eq!(found[1].item.strategy, Strategy::Emulated);
//! assert_eq!(found[1].confidence, Confidence::High);
//! assert_eq!((found[3].item.kind, found[3].line), (UseKind::ErrorCode, 4));
//! ```
//!
//! Parsing uses tree-sitter grammars for JavaScript, TypeScript, HTML (inline scripts), C, C++,
//! Java, Kotlin, Objective-C and Swift, so comments and strings never count as calls. A common
//! name (`login`, `start`, `onError`) counts only on an object that comes from the SDK (a
//! factory, a legacy type, a session from `login`) or in a class implementing the legacy
//! callbacks; distinctive names count anywhere, with [`Confidence::Medium`] when the object's
//! origin was not seen.
//!
//! # Layout
//! - [`scan`], [`scan_source`]: the entry points; [`ScanOptions`], [`ScanError`].
//! - [`Finding`], [`Item`], [`UseKind`], [`Confidence`]: one use and the catalog's word on it.
//! - [`Language`], [`Platform`]: what is read, and which legacy SDK and drop-in apply.
//! - [`report`]: [`Report`] and its text, JSON, SARIF and Markdown forms.

mod extract;
mod finding;
mod lang;
pub mod report;
mod rules;
mod syntax;
mod walk;

use std::path::{Path, PathBuf};

pub use finding::{Confidence, Finding, Item, UseKind};
pub use lang::{Language, Platform};
pub use report::{ConfidenceCounts, FailOn, Report};
pub use sigshim_mapping::Summary;
pub use walk::{ScanOptions, SkipReason, Warning};

/// Why a scan could not run at all (problems with single files are [`Warning`]s instead).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No path was given.
    #[error("no path to scan")]
    NoPaths,
    /// A path given does not exist or cannot be read.
    #[error("cannot scan {path}: {source}")]
    Path {
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Scans every source file under `paths` (files or directories; `.gitignore` honoured unless
/// [`ScanOptions::honour_ignores`] is off).
pub fn scan(paths: &[PathBuf], options: &ScanOptions) -> Result<Report, ScanError> {
    if paths.is_empty() {
        return Err(ScanError::NoPaths);
    }
    for path in paths {
        std::fs::metadata(path).map_err(|source| ScanError::Path { path: path.clone(), source })?;
    }
    Ok(Report::from_outcomes(walk::scan_tree(paths, options)))
}

/// The uses in one file's text, as if it were at `path` and written in `lang`.
pub fn scan_source(lang: Language, path: impl AsRef<Path>, source: &str) -> Vec<Finding> {
    extract::extract(&mut extract::Parsers::default(), lang, path.as_ref(), source, &Default::default())
        .findings
}
