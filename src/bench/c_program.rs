//! Peer messages through `libagorasig`: the C program `legacy_c/bench/peer_load.c` is the
//! generator. This process builds it with the system `cc` against the library beside the
//! `sigshim` binary, starts it against the server, and reads its figures: the program paces its
//! messages, records their latencies and prints them; CPU and context switches are read here,
//! from the program's process.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::procfs::CpuMeter;
use super::stats::{Report, run_tag};
use super::target::{APP_ID, Target};
use super::{RunShape, resources};
use crate::sdk_path;

/// Builds `peer_load.c` into a scratch directory; the program finds the library by its rpath.
fn build() -> Result<PathBuf, String> {
    let lib = sdk_path::library_dir().ok_or_else(|| {
        format!("--api c needs libagorasig.so beside this binary: run `{}` first", sdk_path::BUILD)
    })?;
    let source = sdk_path::checkout().join("legacy_c/bench/peer_load.c");
    let dir = std::env::temp_dir().join(format!("sigshim-bench-c-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let exe = dir.join("peer_load");
    let rpath = format!("-Wl,-rpath,{}", lib.display());
    let out = Command::new("cc")
        .args(["-std=c11", "-O2", "-I"])
        .arg(sdk_path::include_dir())
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&lib)
        .args([rpath.as_str(), "-lagorasig", "-lpthread"])
        .output()
        .map_err(|e| format!("--api c builds {} with `cc` (install gcc): {e}", source.display()))?;
    if !out.status.success() {
        return Err(format!("cc {}: {}", source.display(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(exe)
}

/// The program's next line on stdout.
fn line(reader: &mut impl BufRead, what: &str) -> Result<String, String> {
    let mut text = String::new();
    match reader.read_line(&mut text) {
        Ok(0) | Err(_) => Err(format!("peer_load ended before its {what}")),
        Ok(_) => Ok(text.trim().to_owned()),
    }
}

/// The numbers of a `name value name value …` line.
fn fields(text: &str) -> Result<Vec<(&str, u64)>, String> {
    let words: Vec<&str> = text.split(' ').collect();
    words
        .chunks(2)
        .map(|pair| match pair {
            [name, value] => {
                value.parse().map(|v| (*name, v)).map_err(|_| format!("peer_load printed `{text}`"))
            }
            _ => Err(format!("peer_load printed `{text}`")),
        })
        .collect()
}

/// Drives the program through one run (blocking).
fn drive(child: &mut Child, target: &Target) -> Result<(String, Option<CpuMeter>, Option<CpuMeter>), String> {
    let mut out = BufReader::new(child.stdout.take().ok_or("peer_load's stdout")?);
    let ready = line(&mut out, "logins")?;
    if ready != "ready" {
        return Err(format!("peer_load printed `{ready}` instead of `ready`"));
    }
    let server_cpu = target.cpu();
    let own_cpu = CpuMeter::start(child.id());
    let stdin = child.stdin.as_mut().ok_or("peer_load's stdin")?;
    stdin.write_all(b"go\n").and_then(|()| stdin.flush()).map_err(|e| format!("peer_load's stdin: {e}"))?;
    let figures = line(&mut out, "figures")?;
    Ok((figures, server_cpu, own_cpu))
}

/// Runs the peer scenario with the C program as the generator, and reports it.
pub(crate) async fn run(target: &Target, shape: &RunShape) -> Result<Report, String> {
    let url = target.url().ok_or("--api c needs a server: not with an in-process hub")?.to_owned();
    let exe = tokio::task::spawn_blocking(build).await.map_err(|e| e.to_string())??;
    let args = [
        "open".to_owned(),
        APP_ID.to_owned(),
        shape.pairs.to_string(),
        shape.rate.to_string(),
        shape.window.to_string(),
        shape.warmup.as_secs_f64().to_string(),
        shape.duration.as_secs_f64().to_string(),
        run_tag().to_owned(),
    ];
    let mut child = Command::new(&exe)
        .args(&args)
        .env("SIGSHIM_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    // The program's lines come when its logins and its run are over: a blocking wait.
    let outcome = tokio::task::block_in_place(|| drive(&mut child, target));
    let finished = outcome.and_then(|(figures, server_cpu, own_cpu)| {
        let mut r = Report::new("peer");
        r.set("api", "c");
        r.set("target", target.describe());
        r.set("connections", 2 * shape.pairs as u64);
        r.set("rate", shape.rate);
        r.set_f("duration_s", shape.duration.as_secs_f64());
        let numbers = fields(&figures)?;
        let get = |name: &str| numbers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).unwrap_or(0);
        for (name, value) in &numbers {
            r.set(name, *value);
        }
        r.set("lost", get("sent").saturating_sub(get("delivered")));
        r.set_f("throughput", get("delivered") as f64 / shape.duration.as_secs_f64());
        resources(&mut r, target, server_cpu, own_cpu);
        Ok(r)
    });
    drop(child.stdin.take());
    let _ = child.wait();
    if let Some(dir) = exe.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
    finished
}
