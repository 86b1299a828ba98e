//! Finding the files to read under the paths given (honouring `.gitignore`), reading each safely,
//! and scanning them on several threads.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};
use serde::Serialize;

use crate::extract::{self, Parsers};
use crate::finding::Finding;
use crate::lang::Language;

/// How a scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this many bytes are skipped with a warning (generated or minified code).
    pub max_file_size: u64,
    /// Worker threads; 0 picks one per core.
    pub threads: usize,
    /// Whether `.gitignore`, `.ignore` and hidden-file rules apply.
    pub honour_ignores: bool,
    /// Whether symbolic links to directories are followed (loops are detected and skipped with
    /// a warning; a directory reached by two paths is read twice). Links to files are always
    /// read.
    pub follow_links: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self { max_file_size: 4 * 1024 * 1024, threads: 0, honour_ignores: true, follow_links: false }
    }
}

/// Why a file was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The file holds NUL bytes: not source text.
    Binary,
    /// The file is not valid UTF-8.
    InvalidUtf8,
    /// The file is larger than [`ScanOptions::max_file_size`].
    TooLarge,
    /// The file or directory could not be opened or read.
    Unreadable,
    /// A FIFO, socket or device carries a source file's name.
    NotAFile,
    /// A symbolic link leads back to a directory it is inside.
    LinkLoop,
    /// The file is the legacy SDK itself (`agora_sig.h`, `AgoraSig-1.4.0.js`), not application code.
    LegacySdk,
}

/// A file or directory the scan passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where.
    pub path: PathBuf,
    /// Why, as a kind.
    pub reason: SkipReason,
    /// Why, in words.
    pub message: String,
}

impl std::fmt::Display for Warning {
    /// `path: message`, or the message alone for a problem with no path (an ignore file that
    /// could not be parsed in full).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.as_os_str().is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", crate::report::display_path(&self.path), self.message)
        }
    }
}

/// What scanning one file gave.
pub(crate) enum FileOutcome {
    /// Read and scanned.
    Scanned {
        language: Language,
        bytes: u64,
        findings: Vec<Finding>,
        /// The legacy callback classes the file declares (see [`extract::Extracted`]).
        callback_classes: Vec<String>,
        /// The file and the classes it defines callback-named methods of without declaring them
        /// (see [`extract::Extracted`]): scanned again if another file declares one of them.
        recheck: Option<(PathBuf, Vec<String>)>,
    },
    /// Passed over.
    Skipped(Warning),
}

/// Walks `roots` and scans every source file found, in parallel; the outcomes arrive in no
/// particular order.
pub(crate) fn scan_tree(roots: &[PathBuf], options: &ScanOptions) -> Vec<FileOutcome> {
    let Some((first, rest)) = roots.split_first() else { return Vec::new() };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .standard_filters(options.honour_ignores)
        .require_git(false)
        .follow_links(options.follow_links)
        .threads(options.threads);
    let (tx, rx) = mpsc::channel();
    let max = options.max_file_size;
    builder.build_parallel().run(|| {
        let tx = tx.clone();
        let mut parsers = Parsers::default();
        let none = HashSet::new();
        Box::new(move |entry| {
            let outcome = match entry {
                Ok(entry) => {
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    Language::of_path(entry.path())
                        .filter(|_| !is_dir)
                        .map(|lang| scan_file(&mut parsers, entry.path(), lang, max, &none))
                }
                Err(err) => Some(FileOutcome::Skipped(walk_warning(err))),
            };
            if let Some(outcome) = outcome {
                // The receiver lives until every worker has finished.
                let _ = tx.send(outcome);
            }
            WalkState::Continue
        })
    });
    drop(tx);
    let mut outcomes: Vec<FileOutcome> = rx.into_iter().collect();
    // Callback classes declared in one file (a C++ header) and defined in another: the files
    // that define methods of classes they do not declare are read again, knowing every file's.
    let known: HashSet<String> = outcomes
        .iter()
        .flat_map(|o| match o {
            FileOutcome::Scanned { callback_classes, .. } => callback_classes.as_slice(),
            FileOutcome::Skipped(_) => &[],
        })
        .cloned()
        .collect();
    if !known.is_empty() {
        let mut parsers = Parsers::default();
        for outcome in &mut outcomes {
            if let FileOutcome::Scanned { language, recheck: Some((path, classes)), .. } = outcome
                && classes.iter().any(|c| known.contains(c))
            {
                let (language, path) = (*language, std::mem::take(path));
                *outcome = scan_file(&mut parsers, &path, language, max, &known);
            }
        }
    }
    outcomes
}

fn walk_warning(err: ignore::Error) -> Warning {
    let mut path = PathBuf::new();
    let mut reason = SkipReason::Unreadable;
    let mut e = &err;
    loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path = p.clone();
                e = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => e = err,
            ignore::Error::Loop { child, .. } => {
                path = child.clone();
                reason = SkipReason::LinkLoop;
                break;
            }
            _ => break,
        }
    }
    Warning { path, reason, message: err.to_string() }
}

/// Reads and scans one file, or says why not.
/// Reads and scans one file, with `known` the callback classes other files declare.
pub(crate) fn scan_file(
    parsers: &mut Parsers,
    path: &Path,
    lang: Language,
    max: u64,
    known: &HashSet<String>,
) -> FileOutcome {
    let skip =
        |reason, message: String| FileOutcome::Skipped(Warning { path: path.to_path_buf(), reason, message });
    if is_legacy_sdk_file(path) {
        return skip(SkipReason::LegacySdk, "the legacy SDK's own file, not application code".to_owned());
    }
    // Opened without blocking, so that a FIFO (also one put in a file's place after the walk
    // saw it) is refused below instead of waiting for a writer.
    let file = match open_nonblocking(path) {
        Ok(file) => file,
        Err(e) => return skip(SkipReason::Unreadable, format!("cannot read: {e}")),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(e) => return skip(SkipReason::Unreadable, format!("cannot read: {e}")),
    };
    if !meta.is_file() {
        return skip(SkipReason::NotAFile, "not a regular file".to_owned());
    }
    if meta.len() > max {
        return skip(SkipReason::TooLarge, format!("{} bytes, over the {max}-byte limit", meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The limit also holds for a file that grew after its size was read.
    if let Err(e) = file.take(max.saturating_add(1)).read_to_end(&mut bytes) {
        return skip(SkipReason::Unreadable, format!("cannot read: {e}"));
    }
    if bytes.len() as u64 > max {
        return skip(SkipReason::TooLarge, format!("over the {max}-byte limit"));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return skip(SkipReason::Binary, "holds NUL bytes: not source text".to_owned());
    }
    let src = match String::from_utf8(bytes) {
        Ok(src) => src,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return skip(SkipReason::InvalidUtf8, format!("not valid UTF-8 (at byte {at})"));
        }
    };
    let found = extract::extract(parsers, lang, path, &src, known);
    FileOutcome::Scanned {
        language: lang,
        bytes: src.len() as u64,
        findings: found.findings,
        callback_classes: found.callback_classes,
        recheck: (!found.foreign_classes.is_empty()).then(|| (path.to_path_buf(), found.foreign_classes)),
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// The legacy SDK's own files, which a project may keep beside its code.
fn is_legacy_sdk_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    name == "agora_sig.h"
        || name == "AgoraSigKit.h"
        || (name.starts_with("AgoraSig") && name.ends_with(".js"))
}
