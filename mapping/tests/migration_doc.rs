//! MIGRATION.md and the catalog must describe the same legacy surface.
//!
//! Every catalog row appears exactly once, in the table of its area, with the catalog's core
//! counterpart, strategy and note; the area tables hold nothing else. To regenerate the tables:
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

/// The backticked name in a first cell, if the cell is exactly one.
fn legacy_name(cell: &str) -> Option<&str> {
    let name = cell.strip_prefix('`')?.strip_suffix('`')?;
    (!name.is_empty() && !name.contains('`')).then_some(name)
}

#[test]
fn migration_md_lists_exactly_the_catalog() {
    let doc = migration_md();
    let (rows, headings) = area_rows(&doc);
    let mut problems = Vec::new();

    for area in Area::ALL {
        let found = headings.iter().filter(|h| *h == area.title()).count();
        if found != 1 {
            problems.push(format!("heading `{}` appears {found} times (want 1)", area.title()));
        }
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        let Some(name) = legacy_name(&row.cells[0]) else {
            problems.push(format!("line {}: not a catalog row: {:?}", row.line, row.cells));
            continue;
        };
        let Some(entry) = CATALOG.iter().find(|e| e.legacy == name) else {
            problems.push(format!("line {}: `{name}` is not in the catalog", row.line));
            continue;
        };
        if let Some(first) = seen.insert(entry.legacy, row.line) {
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

    let missing: Vec<_> = CATALOG.iter().filter(|e| !seen.contains_key(e.legacy)).collect();
    for e in &missing {
        problems.push(format!("missing under `{}`: {}", e.area.title(), e.markdown_row()));
    }

    assert!(
        problems.is_empty(),
        "MIGRATION.md and the catalog disagree ({} problems):\n  {}\n\
         Regenerate the tables with: cargo test -p sigshim-mapping --test migration_doc -- --ignored --nocapture",
        problems.len(),
        problems.join("\n  ")
    );
}

fn check_columns(row: &DocRow, entry: &CatalogEntry, problems: &mut Vec<String>) {
    if row.cells.len() != 4 {
        problems.push(format!(
            "line {}: `{}` has {} columns (want 4)",
            row.line,
            entry.legacy,
            row.cells.len()
        ));
        return;
    }
    let columns = [("core", entry.core), ("strategy", entry.strategy.as_str()), ("note", entry.note)];
    for ((what, want), got) in columns.into_iter().zip(&row.cells[1..]) {
        if got != want {
            problems.push(format!(
                "line {}: `{}` {what} is {got:?}, the catalog says {want:?}",
                row.line, entry.legacy
            ));
        }
    }
}

#[test]
fn migration_md_states_the_current_totals() {
    let s = catalog::summary();
    let sentence = format!(
        "{} items, of which {} are Direct, {} Emulated and {} Unsupported",
        s.total(),
        s.direct,
        s.emulated,
        s.unsupported
    );
    let doc = migration_md().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(doc.contains(&sentence), "MIGRATION.md should say: \"{sentence}\"");
}

#[test]
fn parser_sees_tables_only_under_area_headings() {
    let doc = "## Error codes\n\n| A | B |\n|---|---|\n| `login` | x |\n\n\
               ### Calls\n\n| Legacy | Core | Strategy | Note |\n|---|---|---|---|\n| `x` | a | b | c |\n";
    let (rows, headings) = area_rows(doc);
    assert_eq!(headings, ["Calls"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cells, ["`x`", "a", "b", "c"]);
    assert_eq!(legacy_name("`x`"), Some("x"));
    assert_eq!(legacy_name("x"), None);
}

/// Prints the area tables as MIGRATION.md should hold them.
#[test]
#[ignore = "generator: run with --ignored --nocapture to print the MIGRATION.md tables"]
fn print_tables() {
    for &area in Area::ALL {
        println!("### {}\n", area.title());
        println!("| Legacy | Core counterpart | Strategy | Note |");
        println!("|---|---|---|---|");
        for e in catalog::in_area(area) {
            println!("{}", e.markdown_row());
        }
        println!();
    }
    println!("{}", catalog::summary());
}
