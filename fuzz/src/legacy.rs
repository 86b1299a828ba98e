//! The legacy endpoint's frame reader, compiled here from its own source files: it is private to
//! `sigshim-legacy` (and needs its `server` feature), and these two files need only serde.

#[allow(dead_code, unreachable_pub)]
#[path = "../../legacy_api/src/endpoint/args.rs"]
mod args;
#[path = "legacy_checks.rs"]
mod checks;
#[allow(dead_code, unreachable_pub)]
#[path = "../../legacy_api/src/endpoint/frames.rs"]
mod frames;

pub use checks::check_legacy_frame;
