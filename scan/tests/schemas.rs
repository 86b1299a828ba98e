//! The JSON report validates against its own schema (`scan/schema/scan-report.schema.json`),
//! and the SARIF report against the SARIF 2.1.0 schema (vendored as test data).

mod common;

use serde_json::Value;
use sigshim_scan::report::{json, sarif};

fn validate(schema_path: &str, document: &str) {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema file"))
        .expect("schema JSON");
    let id = schema["$id"].as_str().expect("the schema has an $id").to_owned();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&id, schema).expect("schema added");
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(&id, &mut schemas).unwrap_or_else(|e| panic!("{schema_path}: {e}"));
    let instance: Value = serde_json::from_str(document).expect("the report is JSON");
    if let Err(e) = schemas.validate(&instance, index) {
        panic!("the report does not follow {schema_path}: {e:#}");
    }
}

#[test]
fn the_json_report_follows_its_schema() {
    validate("schema/scan-report.schema.json", &json::render(&common::corpus_report()));
}

#[test]
fn the_sarif_report_follows_sarif_2_1_0() {
    validate("tests/data/sarif-schema-2.1.0.json", &sarif::render(&common::corpus_report()));
}

/// A schema that accepted anything would make the two tests above pass for nothing.
#[test]
#[should_panic(expected = "does not follow")]
fn the_schemas_refuse_a_broken_report() {
    let mut doc: Value = serde_json::from_str(&sarif::render(&common::corpus_report())).expect("JSON");
    doc["runs"][0]["results"][0]["level"] = Value::from("fatal");
    validate("tests/data/sarif-schema-2.1.0.json", &doc.to_string());
}
