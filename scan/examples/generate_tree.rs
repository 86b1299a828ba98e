//! Writes a source tree for measuring `sigshim scan`: `COUNT` files in directories of 100, one in
//! `EVERY` (default 4) a legacy program from the test corpus, the rest ordinary code of similar
//! size in the same languages.
//!
//! ```text
//! cargo run --release -p sigshim-scan --example generate_tree -- /tmp/tree 10000 [EVERY]
//! cargo run --release -- scan /tmp/tree --format json -o /dev/null --fail-on never
//! ```

use std::path::PathBuf;

/// The corpus programs, by file name.
const LEGACY: &[(&str, &str)] = &[
    ("index.html", include_str!("../tests/corpus/web/index.html")),
    ("chat.ts", include_str!("../tests/corpus/web/chat.ts")),
    ("console.cpp", include_str!("../tests/corpus/cpp/console.cpp")),
    ("plain.c", include_str!("../tests/corpus/c/plain.c")),
    ("ChatActivity.java", include_str!("../tests/corpus/android/ChatActivity.java")),
    ("Presence.kt", include_str!("../tests/corpus/android/Presence.kt")),
    ("ChatViewController.m", include_str!("../tests/corpus/ios/ChatViewController.m")),
    ("CallView.swift", include_str!("../tests/corpus/ios/CallView.swift")),
];

/// Ordinary code with no legacy call, per extension; repeated to a few kilobytes.
fn ordinary(ext: &str, i: usize) -> String {
    let unit = match ext {
        "js" | "html" => {
            format!(
                "function f{i}(a, b) {{\n  const s = a.login(b); // not the SDK\n  return s.map(x => x * {i});\n}}\n"
            )
        }
        "cpp" | "c" => {
            format!(
                "static int f{i}(int a, int b) {{\n  if (a == 206) return b; /* not a code */\n  return a * {i} + b;\n}}\n"
            )
        }
        "java" => format!("class C{i} {{\n  int f(int a) {{ return session.logout(a) + {i}; }}\n}}\n"),
        "kt" => format!("fun f{i}(a: Int): Int {{\n  return player.start(a) + {i}\n}}\n"),
        "m" => format!("- (int)f{i}:(int)a {{\n  return [self.player start:a] + {i};\n}}\n"),
        _ => format!("func f{i}(_ a: Int) -> Int {{\n  return auth.login(a) + {i}\n}}\n"),
    };
    let body = unit.repeat(30);
    if ext == "html" { format!("<html><body><script>\n{body}</script></body></html>\n") } else { body }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(count)) = (args.next(), args.next()) else {
        eprintln!("usage: generate_tree DIR COUNT [EVERY]");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let count: usize = count.parse().expect("COUNT is a number");
    let every: usize = args.next().map_or(4, |e| e.parse().expect("EVERY is a number")).max(1);
    let mut bytes = 0;
    for i in 0..count {
        let sub = dir.join(format!("d{:03}", i / 100));
        std::fs::create_dir_all(&sub).expect("directory created");
        let (name, legacy) = LEGACY[(i / every) % LEGACY.len()];
        let (path, text) = if i % every == 0 {
            (sub.join(format!("{i}_{name}")), legacy.to_owned())
        } else {
            let ext = name.rsplit('.').next().unwrap_or("js");
            (sub.join(format!("{i}_plain.{ext}")), ordinary(ext, i))
        };
        bytes += text.len();
        std::fs::write(path, text).expect("file written");
    }
    println!("{count} files, {} KiB, in {}", bytes / 1024, dir.display());
}
