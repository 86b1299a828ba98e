//! `--format sarif`: SARIF 2.1.0, so code-scanning tools show each use inline.
//!
//! One run; one rule per legacy item found (`sigshim/<kind>/<item>`); one result per use, at the
//! use's line and column (Unicode code points). Unsupported items are errors, emulated ones
//! warnings, the rest notes.

use serde_json::{Value, json};
use sigshim_mapping::catalog::Strategy;

use super::{Report, display_path, items_used};
use crate::finding::{Confidence, Finding};

/// The report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> String {
    let items = items_used(&report.findings);
    let rules: Vec<Value> = items.iter().map(|(f, _)| rule(f)).collect();
    let ids: Vec<String> = items.iter().map(|(f, _)| rule_id(f)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let id = rule_id(f);
            let index = ids.iter().position(|i| *i == id).expect("every finding's item has a rule");
            result(f, id, index)
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sigshim-scan",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).expect("the log serializes");
    out.push('\n');
    out
}

fn rule_id(f: &Finding) -> String {
    format!("sigshim/{}/{}", f.item.kind.as_str().replace(' ', "-"), f.item.name)
}

fn level(s: Strategy) -> &'static str {
    match s {
        Strategy::Unsupported => "error",
        Strategy::Emulated => "warning",
        Strategy::Direct | Strategy::Accepted => "note",
    }
}

fn rule(f: &Finding) -> Value {
    let plain_note = f.item.note.replace('`', "");
    json!({
        "id": rule_id(f),
        "name": f.item.name,
        "shortDescription": { "text": format!("Legacy {} {}: {}", f.item.kind.as_str(), f.item.name, f.item.strategy) },
        "fullDescription": { "text": plain_note },
        "help": {
            "text": format!("{} Core equivalent: {}", plain_note, f.item.core.replace('`', "")),
            "markdown": format!("{}\n\nCore equivalent: {}", f.item.note, f.item.core),
        },
        "defaultConfiguration": { "level": level(f.item.strategy) },
        "properties": { "strategy": f.item.strategy.as_str(), "kind": f.item.kind },
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
            "{} `{}` is {} on sigshim. {}",
            f.item.kind.as_str(), f.item.name, f.item.strategy.as_str().to_lowercase(), f.item.note.replace('`', "")
        )},
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri(&display_path(&f.path)) },
            "region": region,
        }}],
        "properties": {
            "confidence": if f.confidence == Confidence::High { "high" } else { "medium" },
            "platform": f.platform,
            "dropIn": f.drop_in(),
        },
    })
}

/// A relative path as a URI reference: every byte outside the unreserved set and `/` is
/// percent-encoded.
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
