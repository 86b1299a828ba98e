//! The binary interface: the header compiles clean as C99 and C++11, the C structs and the C++
//! tables have the legacy layout, the library exports exactly the four factories, every method
//! can be called, and a C program that sets two callbacks runs a whole session.

mod common;

use std::process::Command;

use common::{Program, build, compiler, library_dir};

#[test]
fn the_header_compiles_clean_as_c99_and_cpp11() {
    if let Some(cc) = compiler("cc") {
        let exe = build(cc, &["-std=c99", "-pedantic"], &["tests/programs/layout_free.c"], "header_c99");
        Program::start("header_c99", &exe, None).finish(&[]);
    }
    if let Some(cxx) = compiler("c++") {
        let exe = build(
            cxx,
            &["-std=c++11", "-pedantic", "-x", "c++"],
            &["tests/programs/layout_free.c"],
            "header_cpp11",
        );
        Program::start("header_cpp11", &exe, None).finish(&[]);
    }
}

#[test]
fn the_c_structs_have_the_legacy_layout() {
    let Some(cc) = compiler("cc") else { return };
    let exe = build(cc, &["-std=c11", "-pedantic"], &["tests/programs/layout.c"], "layout");
    Program::start("layout", &exe, None).finish(&["layout checked"]);
}

#[test]
fn the_library_exports_exactly_the_four_factories() {
    let lib = library_dir().join("libagorasig.so");
    let Ok(output) = Command::new("nm").args(["-D", "--defined-only"]).arg(&lib).output() else {
        if std::env::var("SIGSHIM_REQUIRE_CC").is_ok_and(|v| v == "1") {
            panic!("`nm` is missing (install binutils) and SIGSHIM_REQUIRE_CC=1");
        }
        println!("skipped: no `nm` on this machine; install binutils to run this test");
        return;
    };
    assert!(output.status.success(), "nm failed");
    let mut functions: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace().rev();
            let name = fields.next()?;
            (fields.next()? == "T").then(|| name.to_owned())
        })
        .collect();
    functions.sort();
    assert_eq!(
        functions,
        [
            "createAgoraSDKInstanceC",
            "createAgoraSDKInstanceCPP",
            "getAgoraSDKInstanceC",
            "getAgoraSDKInstanceCPP"
        ]
    );
}

#[test]
fn a_cpp_program_calls_every_method_through_the_legacy_table_order() {
    let Some(cxx) = compiler("c++") else { return };
    let exe = build(cxx, &["-std=c++11", "-pedantic"], &["tests/programs/every_method.cpp"], "every_method");
    Program::start("every_method", &exe, None).finish(&[
        "table order checked: 0 wrong",
        "callbackGet same",
        "getSdkVersion 1010404000",
        "before login: status 0 online 0",
        "logged in: status 2 online 1",
        "onLogout 101",
        "done",
    ]);
}

#[test]
fn a_c_program_with_two_callbacks_runs_a_whole_session() {
    let Some(cc) = compiler("cc") else { return };
    let exe = build(cc, &["-std=c99", "-pedantic"], &["tests/programs/two_callbacks.c"], "two_callbacks");
    Program::start("two_callbacks", &exe, None).finish(&[
        "logged in: status 2",
        "onLogout 101",
        "status 0",
        "done",
    ]);
}

#[test]
fn the_pkg_config_file_names_the_header_and_the_release_library() {
    let dir = common::package_dir();
    let Ok(output) = Command::new("pkg-config")
        .args(["--cflags", "--libs", "agorasig"])
        .env("PKG_CONFIG_PATH", &dir)
        .output()
    else {
        println!("skipped: no `pkg-config` on this machine; install pkg-config to run this test");
        return;
    };
    assert!(output.status.success(), "pkg-config: {}", String::from_utf8_lossy(&output.stderr));
    let d = dir.display();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!(
            "-I{d}/include -L{d}/../target/release -Wl,-rpath,{d}/../target/release -lagorasig -lpthread"
        )
    );
}
