//! `LegacyCode::is_reported` must say which codes the facade can produce: a code is reported
//! exactly when the facade or the translation functions name it.

use std::path::Path;

use sigshim_mapping::LegacyCode;

fn sources(dir: &Path, out: &mut String) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).expect("source file"));
        }
    }
}

#[test]
fn reported_codes_are_the_ones_the_facade_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    sources(&root.join("../legacy_api/src"), &mut text);
    sources(&root.join("src/translate"), &mut text);
    text.push_str(&std::fs::read_to_string(root.join("src/invite.rs")).expect("invite.rs"));
    for &code in LegacyCode::ALL {
        let path = format!("LegacyCode::{code:?}");
        let named = text.match_indices(&path).any(|(at, _)| {
            !text[at + path.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        });
        assert_eq!(code.is_reported(), named, "{code}: is_reported() disagrees with the facade's sources");
    }
}
