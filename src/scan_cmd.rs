//! `sigshim scan`: what of a legacy code base runs unchanged on sigshim, what behaves
//! differently, and what must be rewritten.
//!
//! Exit status: 0 when nothing at or above the `--fail-on` level was found, 1 when something
//! was, 2 when the scan could not run (a path that does not exist, an output that cannot be
//! written).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use sigshim_scan::report::{json, markdown, sarif, text};
use sigshim_scan::{FailOn, ScanOptions};

/// What `scan` reads and how it reports.
#[derive(clap::Args, Debug)]
pub(crate) struct ScanArgs {
    /// Files and directories to scan (directories recursively, honouring `.gitignore`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to write the report.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit with status 1 when anything at this level or worse was found.
    #[arg(long, value_enum, default_value = "unsupported")]
    fail_on: FailLevel,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_file_size: u64,
    /// Read ignored and hidden files too.
    #[arg(long)]
    no_ignore: bool,
    /// Follow symbolic links to directories (a directory reached twice is read twice).
    #[arg(long)]
    follow_links: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    /// A readable summary.
    Text,
    /// JSON, schema `sigshim-scan/1`.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// A Markdown migration report.
    Markdown,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum FailLevel {
    /// Always exit 0 after a scan.
    Never,
    /// Exit 1 when an unsupported item is used.
    Unsupported,
    /// Exit 1 when an emulated or unsupported item is used.
    Emulated,
}

pub(crate) fn run(args: ScanArgs) -> ExitCode {
    let options = ScanOptions {
        max_file_size: args.max_file_size,
        threads: args.threads,
        honour_ignores: !args.no_ignore,
        follow_links: args.follow_links,
    };
    let started = Instant::now();
    let report = match sigshim_scan::scan(&args.paths, &options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("sigshim scan: {e}");
            return ExitCode::from(2);
        }
    };
    let elapsed = started.elapsed();
    let mut sink: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(std::io::BufWriter::new(file)),
            Err(e) => {
                eprintln!("sigshim scan: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = match args.format {
        // The machine-read formats are written use by use: on a large tree they are the largest.
        Format::Json => json::write(&report, &mut sink),
        Format::Sarif => sarif::write(&report, &mut sink),
        Format::Text => sink.write_all(text::render(&report).as_bytes()),
        Format::Markdown => sink.write_all(markdown::render(&report).as_bytes()),
    };
    match (written.and_then(|()| sink.flush()), &args.output) {
        (Ok(()), _) => {}
        (Err(e), Some(path)) => {
            eprintln!("sigshim scan: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        // A reader that stops early (`| head`) is not an error; anything else is.
        (Err(e), None) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        (Err(e), None) => {
            eprintln!("sigshim scan: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    drop(sink);
    for w in &report.warnings {
        eprintln!("sigshim scan: skipped {w}");
    }
    let secs = elapsed.as_secs_f64();
    eprintln!(
        "sigshim scan: {} files ({} KiB) in {:.2} s, {:.0} files/s",
        report.files_scanned(),
        report.bytes / 1024,
        secs,
        report.files_scanned() as f64 / secs.max(1e-9)
    );
    let fail_on = match args.fail_on {
        FailLevel::Never => FailOn::Never,
        FailLevel::Unsupported => FailOn::Unsupported,
        FailLevel::Emulated => FailOn::Emulated,
    };
    if report.fails(fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
