//! `--format sarif`: SARIF 2.1.0, so code-scanning tools show each use inline.
//!
//! One run; one rule per legacy item found (`sigshim/<kind>/<item>`, the kind as JSON names it);
//! one result per use, at the use's line and column (Unicode code points). Unsupported items are
//! errors, emulated ones warnings, the rest notes. Paths given relative are relative to
//! `%SRCROOT%`; absolute ones become `file://` URIs.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use sigshim_mapping::catalog::Strategy;

use super::{Report, display_path, items_used, plain};
use crate::finding::Finding;

/// The report as a SARIF 2.1.0 log (see [`write()`] for large reports).
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the report as a SARIF 2.1.0 log to `out`, result by result (a tree with a hundred
/// thousand uses is never held as one document).
pub fn write(report: &Report, mut out: impl std::io::Write) -> std::io::Result<()> {
    let items = items_used(&report.findings);
    let rules: Vec<Value> = items.iter().map(|(f, _)| rule(f)).collect();
    let index: HashMap<String, usize> = items.iter().enumerate().map(|(i, (f, _))| (rule_id(f), i)).collect();
    let tool = json!({ "driver": {
        "name": "sigshim-scan",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    }});
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: Results { findings: &report.findings, index },
            tool,
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut out, &log)?;
    out.write_all(b"\n")
}

/// The log; fields in the order `json!` would give them (sorted), so that the output is the same
/// whichever way it is made.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    results: Results<'a>,
    tool: Value,
}

/// Every result, each made as it is written.
struct Results<'a> {
    findings: &'a [Finding],
    /// Each rule's position in the driver's `rules`, by rule id.
    index: HashMap<String, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.findings.iter().map(|f| {
            let id = rule_id(f);
            let at = self.index[&id];
            result(f, id, at)
        }))
    }
}

fn rule_id(f: &Finding) -> String {
    format!("sigshim/{}/{}", f.item.kind.id(), f.item.name)
}

fn level(s: Strategy) -> &'static str {
    match s {
        Strategy::Unsupported => "error",
        Strategy::Emulated => "warning",
        Strategy::Direct | Strategy::Accepted => "note",
    }
}

fn rule(f: &Finding) -> Value {
    let plain_note = plain(&f.item.note);
    json!({
        "id": rule_id(f),
        "name": f.item.name,
        "shortDescription": { "text": format!("Legacy {} {}: {}", f.item.kind.as_str(), f.item.name, f.item.strategy) },
        "fullDescription": { "text": plain_note },
        "help": {
            "text": format!("{} Core equivalent: {}", plain_note, plain(&f.item.core)),
            "markdown": format!("{}\n\nCore equivalent: {}", f.item.note, f.item.core),
        },
        "defaultConfiguration": { "level": level(f.item.strategy) },
        "properties": { "strategy": f.item.strategy.as_str(), "kind": f.item.kind.id() },
    })
}

fn result(f: &Finding, id: String, index: usize) -> Value {
    let mut region = json!({ "startLine": f.line, "startColumn": f.column });
    if !f.text.contains('\n') {
        region["endLine"] = json!(f.line);
        region["endColumn"] = json!(f.column + f.text.chars().count());
    }
    json!({
        "ruleId": id,
        "ruleIndex": index,
        "level": level(f.item.strategy),
        "message": { "text": format!(
            "Legacy {} {} is {} on sigshim. {}",
            f.item.kind.as_str(), f.item.name, f.item.strategy.as_str().to_lowercase(), plain(&f.item.note)
        )},
        "locations": [{ "physicalLocation": {
            "artifactLocation": artifact(&f.path),
            "region": region,
        }}],
        "properties": {
            "confidence": f.confidence.as_str(),
            "platform": f.platform,
            "dropIn": f.drop_in(),
        },
    })
}

/// Where a file is: a `file://` URI for an absolute path, else a reference relative to
/// `%SRCROOT%` (the directory the scan ran in, as code-scanning tools take it).
fn artifact(path: &Path) -> Value {
    let shown = display_path(path);
    if path.is_absolute() {
        let slash = if shown.starts_with('/') { "" } else { "/" };
        json!({ "uri": format!("file://{slash}{}", uri(&shown)) })
    } else {
        json!({ "uri": uri(&shown), "uriBaseId": "%SRCROOT%" })
    }
}

/// A path as a URI path: every byte outside the unreserved set and `/` is percent-encoded (a
/// Windows drive's colon included).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(super::uri("web/my page.html"), "web/my%20page.html");
        assert_eq!(super::uri("src/é.c"), "src/%C3%A9.c");
    }
}
