//! Every item in the catalog, every other SDK's spelling of one, every reserved `extra` key and
//! every legacy code is recognised by the scanner: adding a row the scanner cannot see fails here.

use sigshim_mapping::catalog::{CATALOG, ItemKind, SPELLINGS, Sdk};
use sigshim_mapping::{LegacyCode, reserved};
use sigshim_scan::{Finding, Language, UseKind, scan_source};

fn found(lang: Language, src: &str) -> Vec<Finding> {
    scan_source(lang, "coverage", src)
}

fn assert_found(lang: Language, src: &str, item: &str, line: usize) {
    let findings = found(lang, src);
    assert!(
        findings.iter().any(|f| f.item.name == item && f.line == line),
        "{item} not recognised in\n{src}\nfound: {:?}",
        findings.iter().map(|f| (&f.item.name, f.line)).collect::<Vec<_>>()
    );
}

#[test]
fn every_catalog_row_is_recognised() {
    for row in CATALOG {
        let name = row.legacy_name;
        let src = match row.kind {
            ItemKind::Method => {
                format!("IAgoraAPI *api = getAgoraSDKInstanceCPP();\nvoid f() {{ api->{name}(1); }}\n")
            }
            ItemKind::Callback => {
                format!("class H : public ICallBack {{\n  void {name}(int a) override {{}}\n}};\n")
            }
            ItemKind::Invoke => format!(
                "IAgoraAPI *api = getAgoraSDKInstanceCPP();\nvoid f() {{ api->invoke(\"{name}\", 1, \"{{}}\", 2, \"c\", 1); }}\n"
            ),
        };
        assert_found(Language::Cpp, &src, name, 2);
    }
}

#[test]
fn every_other_spelling_is_recognised_on_its_platform() {
    for s in SPELLINGS {
        let name = s.name.trim_end_matches(':');
        let factory = matches!(s.of, "getInstance" | "createAgoraSDKInstance");
        let (lang, src) = match s.sdk {
            Sdk::Web if factory => {
                (Language::JavaScript, format!("var x = 1;\nvar signal = {name}(appId);\n"))
            }
            Sdk::Web => (Language::JavaScript, format!("var signal = Signal(appId);\nsignal.{name}(1);\n")),
            Sdk::Ios => (Language::Swift, format!("let a = 1\nlet api = AgoraAPI.{name}(appId)\n")),
            Sdk::Cpp | Sdk::C | Sdk::Windows if factory => {
                (Language::Cpp, format!("int a;\nauto *api = {name}();\n"))
            }
            Sdk::Cpp | Sdk::C | Sdk::Windows => (
                Language::Cpp,
                format!("IAgoraAPI *api = getAgoraSDKInstanceCPP();\nvoid f() {{ api->{name}(); }}\n"),
            ),
        };
        assert_found(lang, &src, s.of, 2);
    }
}

#[test]
fn every_reserved_extra_key_is_recognised() {
    for key in reserved::RESERVED_KEYS {
        let written = if key.key.ends_with(':') { format!("{}X-Trace", key.key) } else { key.key.to_owned() };
        let src = format!(
            "IAgoraAPI *api = getAgoraSDKInstanceCPP();\nvoid f() {{ api->channelInviteUser2(\"c\", 1, \"bob\", 3, \"{{\\\"{written}\\\":1}}\", 9); }}\n"
        );
        assert_found(Language::Cpp, &src, key.key, 2);
        let js = format!(
            "var s = Signal(id).login(a, t);\ns.channelInviteUser2('c', 'bob', JSON.stringify({{'{written}': 1}}));\n"
        );
        assert_found(Language::JavaScript, &js, key.key, 2);
    }
}

#[test]
fn every_legacy_code_is_recognised_by_name_and_in_a_callback_by_value() {
    for &code in LegacyCode::ALL.iter().filter(|c| !c.is_success()) {
        let name = code.name();
        let by_name = format!("void f(int ecode) {{\n  if (ecode == {name}) {{}}\n}}\n");
        assert_found(Language::Cpp, &by_name, name, 2);
        let by_value = format!(
            "var s = Signal(id).login(a, t);\ns.onLoginFailed = function (ecode) {{\n  if (ecode === {}) retry();\n}};\n",
            code.code()
        );
        assert_found(Language::JavaScript, &by_value, name, 3);
        for prefixed in [format!("IAgoraAPI.ECODE_{name}"), format!("AgoraEcode_{name}")] {
            assert_found(
                Language::Java,
                &format!("class A {{\n  boolean f(int e) {{ return e == {prefixed}; }}\n}}\n"),
                name,
                2,
            );
        }
    }
}

/// Numbers count as codes only in a handler surely the SDK's: not in ordinary code
/// (`if (count == 206)`), nor in an `onLoginFailed` of an object of unknown origin (an app's own
/// login listener).
#[test]
fn numbers_outside_legacy_callbacks_are_not_codes() {
    let src = "function f(count) {\n  if (count === 206) return;\n}\nother.onLoginFailed = function (e) { if (e === 206) {} };\nvar s = Signal(id).login(a, t);\ns.onLoginFailed = function (e) { if (e === 206) {} };\n";
    let codes: Vec<usize> = found(Language::JavaScript, src)
        .iter()
        .filter(|f| f.item.kind == UseKind::ErrorCode)
        .map(|f| f.line)
        .collect();
    assert_eq!(codes, [6]);
}

/// `getInstance` is every singleton's factory: only a legacy class's counts.
#[test]
fn other_classes_singletons_do_not_count() {
    // The comments hold a telltale word, so that the files are parsed, not passed over.
    let cpp =
        "// IAgoraAPI\nDatabase *db = getInstance();\nvoid f() { db->login(\"admin\"); db->logout(); }\n";
    assert_eq!(found(Language::Cpp, cpp), []);
    let java = "// IAgoraAPI\nclass A {\n  void f() { Db db = getInstance(); db.login(); Db.getInstance().logout(); }\n}\n";
    assert_eq!(found(Language::Java, java), []);
    let js = "// IAgoraAPI\nvar cache = window.getInstance();\ncache.logout();\n";
    assert_eq!(found(Language::JavaScript, js), []);
    let legacy = "class A {\n  void f() { AgoraAPIOnlySignal.getInstance(c, id).logout(); }\n}\n";
    let names: Vec<String> =
        found(Language::Java, legacy).into_iter().map(|f| f.item.name.into_owned()).collect();
    assert_eq!(names, ["getInstance", "logout"]);
}
