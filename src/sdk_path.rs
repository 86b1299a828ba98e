//! `sigshim sdk-path`: where a C or C++ build finds `agora_sig.h` and `libagorasig.so`.
//!
//! The header is in the checkout this binary was built from (`legacy_c/include`). The library is
//! looked for next to this binary first (`cargo build --release -p sigshim-legacy-c` leaves it in
//! `target/release/`, beside `target/release/sigshim`), then in the checkout's `target/release/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The library's file name.
const LIBRARY: &str = "libagorasig.so";
/// The command that builds it.
pub(crate) const BUILD: &str = "cargo build --release -p sigshim-legacy-c";

/// What `sdk-path` prints.
#[derive(clap::Args, Debug)]
pub(crate) struct SdkPathArgs {
    /// Print only the compiler flags (`-I<dir>`), for a makefile's CFLAGS.
    #[arg(long, conflicts_with = "libs")]
    cflags: bool,
    /// Print only the linker flags (`-L<dir> -Wl,-rpath,<dir> -lagorasig -lpthread`), for a
    /// makefile's LDLIBS; fails when the library is not built.
    #[arg(long)]
    libs: bool,
}

/// The checkout's root, as this binary was built.
pub(crate) fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The header's directory.
pub(crate) fn include_dir() -> PathBuf {
    checkout().join("legacy_c").join("include")
}

/// The first directory holding the built library, if any.
pub(crate) fn library_dir() -> Option<PathBuf> {
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf));
    beside
        .into_iter()
        .chain([checkout().join("target").join("release")])
        .find(|dir| dir.join(LIBRARY).is_file())
}

/// Runs `sigshim sdk-path`.
pub(crate) fn run(args: SdkPathArgs) -> ExitCode {
    let include = include_dir();
    let lib = library_dir();
    if args.cflags {
        println!("-I{}", include.display());
        return ExitCode::SUCCESS;
    }
    if args.libs {
        return match lib {
            Some(dir) => {
                println!("-L{0} -Wl,-rpath,{0} -lagorasig -lpthread", dir.display());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("{LIBRARY} is not built yet: run `{BUILD}` in {}", checkout().display());
                ExitCode::FAILURE
            }
        };
    }
    println!("header     {}", include.join("agora_sig.h").display());
    match &lib {
        Some(dir) => println!("library    {}", dir.join(LIBRARY).display()),
        None => println!("library    not built yet: run `{BUILD}`"),
    }
    println!(
        "pkg-config PKG_CONFIG_PATH={} pkg-config --cflags --libs agorasig",
        checkout().join("legacy_c").display()
    );
    ExitCode::SUCCESS
}
