//! MIGRATION.md and the catalog must describe the same legacy surface.
//!
//! Every catalog row appears exactly once, in the table of its area: first the legacy name (with
//! any other SDK's spelling), then the facade's name, the core counterpart, the strategy and the
//! note, each as the catalog has it; the area tables hold nothing else. To regenerate the tables:
//! `cargo test -p sigshim-mapping --test migration_doc -- --ignored --nocapture`.

use std::collections::HashMap;

use sigshim_mapping::catalog::{self, Area, CATALOG, CatalogEntry};

/// One data row of an area table.
struct DocRow {
    line: usize,
    heading: String,
    cells: Vec<String>,
}

fn migration_md() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../MIGRATION.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn is_area_heading(heading: &str) -> bool {
    Area::ALL.iter().any(|a| a.title() == heading)
}

/// The data rows of the tables under area headings (header and separator rows skipped), and the
/// area headings found.
fn area_rows(doc: &str) -> (Vec<DocRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut headings = Vec::new();
    let mut heading = String::new();
    let mut index_in_table = 0;
    for (n, line) in doc.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            heading = trimmed.trim_start_matches('#').trim().to_owned();
            if is_area_heading(&heading) {
                headings.push(heading.clone());
            }
        }
        if !trimmed.starts_with('|') {
            index_in_table = 0;
            continue;
        }
        index_in_table += 1;
        if index_in_table <= 2 || !is_area_heading(&heading) {
            continue;
        }
        rows.push(DocRow { line: n + 1, heading: heading.clone(), cells: cells(trimmed) });
    }
    (rows, headings)
}

/// The backticked name a first cell starts with, if it starts with one.
fn leading_name(cell: &str) -> Option<&str> {
    let rest = cell.strip_prefix('`')?;
    let name = &rest[..rest.find('`')?];
    (!name.is_empty()).then_some(name)
}

/// Everything on which `doc` and the catalog disagree; empty when they agree.
fn problems(doc: &str) -> Vec<String> {
    let (rows, headings) = area_rows(doc);
    let mut problems = Vec::new();

    for area in Area::ALL {
        let found = headings.iter().filter(|h| *h == area.title()).count();
        if found != 1 {
            problems.push(format!("heading `{}` appears {found} times (want 1)", area.title()));
        }
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        let Some(name) = leading_name(&row.cells[0]) else {
            problems.push(format!("line {}: not a catalog row: {:?}", row.line, row.cells));
            continue;
        };
        let Some(entry) = CATALOG.iter().find(|e| e.legacy_name == name) else {
            match CATALOG.iter().find(|e| e.facade == name) {
                Some(e) => problems.push(format!(
                    "line {}: the row starts with the facade name `{name}`; it must start with the legacy name `{}`",
                    row.line, e.legacy_name
                )),
                None => problems.push(format!("line {}: `{name}` is not a legacy name in the catalog", row.line)),
            }
            continue;
        };
        if let Some(first) = seen.insert(entry.legacy_name, row.line) {
            problems.push(format!("line {}: `{name}` already listed on line {first}", row.line));
        }
        if row.heading != entry.area.title() {
            problems.push(format!(
                "line {}: `{name}` is under `{}`, but belongs under `{}`",
                row.line,
                row.heading,
                entry.area.title()
            ));
        }
        check_columns(row, entry, &mut problems);
    }

    let missing: Vec<_> = CATALOG.iter().filter(|e| !seen.contains_key(e.legacy_name)).collect();
    for e in &missing {
        problems.push(format!("missing under `{}`: {}", e.area.title(), e.markdown_row()));
    }
    problems
}

#[test]
fn migration_md_lists_exactly_the_catalog() {
    let problems = problems(&migration_md());
    assert!(
        problems.is_empty(),
        "MIGRATION.md and the catalog disagree ({} problems):\n  {}\n\
         Regenerate the tables with: cargo test -p sigshim-mapping --test migration_doc -- --ignored --nocapture",
        problems.len(),
        problems.join("\n  ")
    );
}

fn check_columns(row: &DocRow, entry: &CatalogEntry, problems: &mut Vec<String>) {
    if row.cells.len() != 5 {
        problems.push(format!(
            "line {}: `{}` has {} columns (want 5: legacy, facade, core, strategy, note)",
            row.line,
            entry.legacy_name,
            row.cells.len()
        ));
        return;
    }
    let columns = [
        ("legacy", entry.legacy_cell()),
        ("facade", entry.facade_cell()),
        ("core", entry.core.to_owned()),
        ("strategy", entry.strategy.as_str().to_owned()),
        ("note", entry.note.to_owned()),
    ];
    for ((what, want), got) in columns.into_iter().zip(&row.cells) {
        if *got != want {
            problems.push(format!(
                "line {}: `{}` {what} is {got:?}, the catalog says {want:?}",
                row.line, entry.legacy_name
            ));
        }
    }
}

#[test]
fn migration_md_states_the_current_totals() {
    let s = catalog::summary();
    let sentence = format!(
        "{} items, of which {} are Direct, {} Emulated, {} Accepted and {} Unsupported",
        s.total(),
        s.direct,
        s.emulated,
        s.accepted,
        s.unsupported
    );
    let doc = migration_md().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(doc.contains(&sentence), "MIGRATION.md should say: \"{sentence}\"");
}

#[test]
fn parser_sees_tables_only_under_area_headings() {
    let doc = "## Error codes\n\n| A | B |\n|---|---|\n| `login` | x |\n\n\
               ### Calls\n\n| Legacy | Facade | Core | Strategy | Note |\n|---|---|---|---|---|\n\
               | `x` (Web `y`) | `x_` | a | b | c |\n";
    let (rows, headings) = area_rows(doc);
    assert_eq!(headings, ["Calls"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cells, ["`x` (Web `y`)", "`x_`", "a", "b", "c"]);
    assert_eq!(leading_name("`x` (Web `y`)"), Some("x"));
    assert_eq!(leading_name("`x`"), Some("x"));
    assert_eq!(leading_name("x"), None);
    assert_eq!(leading_name("``"), None);
}

/// The catalog's own tables, as `print_tables` writes them.
fn generated_tables() -> String {
    let mut out = String::new();
    for &area in Area::ALL {
        out.push_str(&format!("### {}\n\n", area.title()));
        out.push_str("| Legacy | Facade | Core counterpart | Strategy | Note |\n");
        out.push_str("|---|---|---|---|---|\n");
        for e in catalog::in_area(area) {
            out.push_str(&e.markdown_row());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_check_accepts_the_generated_tables() {
    assert_eq!(problems(&generated_tables()), Vec::<String>::new());
}

#[test]
fn a_row_without_its_legacy_name_fails_the_check() {
    let row = catalog::lookup("messageInstantSend").expect("catalogued").markdown_row();
    // The facade name alone in the first cell.
    let doc = generated_tables()
        .replace(&row, &row.replacen("| `messageInstantSend` |", "| `message_instant_send` |", 1));
    let found = problems(&doc);
    assert!(
        found.iter().any(|p| p.contains("must start with the legacy name `messageInstantSend`")),
        "{found:?}"
    );
    // The first cell dropped altogether: the row names the facade first.
    let doc = generated_tables().replace(&row, &row.replacen("| `messageInstantSend` ", "", 1));
    let found = problems(&doc);
    assert!(found.iter().any(|p| p.contains("must start with the legacy name")), "{found:?}");
    // A legacy name without the other SDKs' spellings.
    let row = catalog::lookup("getSdkVersion").expect("catalogued").markdown_row();
    let doc = generated_tables()
        .replace(&row, &row.replacen(" (Web `getSDKVersion` (a string), `getSDKVersion_int`)", "", 1));
    let found = problems(&doc);
    assert!(found.iter().any(|p| p.contains("`getSdkVersion` legacy is")), "{found:?}");
}

/// Prints the area tables as MIGRATION.md should hold them.
#[test]
#[ignore = "generator: run with --ignored --nocapture to print the MIGRATION.md tables"]
fn print_tables() {
    print!("{}", generated_tables());
    println!("{}", catalog::summary());
}
