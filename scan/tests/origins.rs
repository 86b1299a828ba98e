//! Where a legacy object comes from decides whether a common name counts: imports of the SDK's
//! module, instance variables behind properties, callback classes defined out of line, names
//! reused for other objects, and inputs built to make the tracking slow.

use sigshim_scan::{Confidence, Language, UseKind, scan_source};

fn names(lang: Language, src: &str) -> Vec<(usize, String, Confidence)> {
    scan_source(lang, "origins", src)
        .into_iter()
        .map(|f| (f.line, f.item.name.into_owned(), f.confidence))
        .collect()
}

fn item(line: usize, name: &str, confidence: Confidence) -> (usize, String, Confidence) {
    (line, name.to_owned(), confidence)
}

use Confidence::{High, Medium};

#[test]
fn an_import_of_the_sdk_module_makes_its_factory() {
    let src = "import AgoraSignal from 'agora-signaling-sdk';\nconst s = AgoraSignal(appId).login(a, t);\ns.logout();\n";
    assert_eq!(
        names(Language::JavaScript, src),
        [item(2, "getInstance", High), item(2, "login2", High), item(3, "logout", High)]
    );
    let cjs = "const Sig = require('agora-signaling-sdk');\nconst s = Sig(appId).login(a, t);\ns.logout();\n";
    assert_eq!(names(Language::JavaScript, cjs).len(), 3);
}

#[test]
fn an_objective_c_property_s_instance_variable_is_legacy_too() {
    let src = "@interface A ()\n@property (nonatomic, strong) AgoraAPI *api;\n@end\n@implementation A\n- (void)bye { [_api logout]; }\n@end\n";
    assert_eq!(names(Language::ObjC, src), [item(5, "logout", High)]);
}

#[test]
fn callbacks_defined_out_of_line_belong_to_their_class() {
    let src = "class Handler : public agora_sdk_cpp::ICallBack {\n  void onLogout(int ecode) override;\n};\nvoid Handler::onLogout(int ecode) {\n  if (ecode == 103) {}\n}\nvoid Other::onLogout(int ecode) {}\n";
    let found = names(Language::Cpp, src);
    assert_eq!(found, [item(4, "onLogout", High), item(5, "LOGOUT_E_KICKED", Medium)]);
}

#[test]
fn keys_in_template_literals_and_multi_line_strings_count() {
    let js = "var s = Signal(id).login(a, t);\ns.channelInviteUser2('c', 'bob', `{\"_require_peer_online\":1,\"destMediaUid\":${uid}}`);\n";
    let keys: Vec<_> = scan_source(Language::JavaScript, "t.js", js)
        .into_iter()
        .filter(|f| f.item.kind == UseKind::ExtraKey)
        .map(|f| (f.item.name.into_owned(), f.column))
        .collect();
    assert_eq!(keys, [("_require_peer_online".to_owned(), 37), ("destMediaUid".to_owned(), 62)]);
    let swift = "let api = AgoraAPI.getInstanceWithoutMedia(id)\napi.channelInviteUser2(\"c\", account: \"b\", extra: \"\"\"\n{\"_timeout\": 20}\n\"\"\")\n";
    assert!(names(Language::Swift, swift).contains(&item(3, "_timeout", High)));
}

#[test]
fn a_name_reused_for_another_object_is_less_sure() {
    let src = "var session = Signal(id).login(a, t);\nfunction f(req) {\n  const session = req.session;\n  session.logout();\n  session.channelJoin('x');\n}\n";
    assert_eq!(
        names(Language::JavaScript, src),
        [
            item(1, "getInstance", Medium),
            item(1, "login2", High),
            item(4, "logout", Medium),
            item(5, "channelJoin", Medium)
        ]
    );
    // Set to null on logout: still the SDK's session.
    let null = "var session = Signal(id).login(a, t);\nsession.logout();\nsession = null;\n";
    assert!(names(Language::JavaScript, null).contains(&item(2, "logout", High)));
}

#[test]
fn a_page_without_scripts_has_no_uses() {
    let page = "<html><body><p>var s = Signal(appId); s.channelJoin('x'); LOGIN_E_NET</p></body></html>\n";
    assert_eq!(names(Language::Html, page), []);
    let data = "<script type=\"text/x-template\">Signal(appId).login(a, t)</script>\n<script data-type=\"x\">var s = Signal(id);</script>\n";
    assert_eq!(names(Language::Html, data), [item(2, "getInstance", Medium)]);
}

/// A long chain of `getInstance()` calls, and thousands of aliases of one object: both finish
/// (each was once exponential or quadratic in its length).
#[test]
fn long_chains_and_many_aliases_stay_cheap() {
    let chain = format!("var x = AgoraAPI{};\nx.logout();\n", ".getInstance()".repeat(200));
    // Links past the depth the scanner follows (64) are not counted; the first ones are.
    assert!(names(Language::JavaScript, &chain).len() >= 64);
    // Declared last to first, so that each pass over the declarations binds one more: past the
    // passes the scanner makes, the name's origin is unknown and the use is less sure.
    let mut aliases = String::new();
    for i in (1..4000).rev() {
        aliases.push_str(&format!("var a{i} = a{};\n", i - 1));
    }
    aliases.push_str("var a0 = Signal(appId);\na3999.channelJoin('x');\na3.channelJoin('y');\n");
    let found = names(Language::JavaScript, &aliases);
    assert_eq!(
        found[found.len() - 2..],
        [item(4001, "channelJoin", Medium), item(4002, "channelJoin", High)]
    );
}

#[test]
fn event_handler_attributes_of_a_page_are_javascript() {
    let page = "<html><body>\n<script>\nvar session = Signal(appId).login(a, t);\n</script>\n<button onclick=\"session.messageInstantSend('bob', 0, 'hi')\">Send</button>\n<a href=\"#\" ONMOUSEOVER='auth.login(u, p)' title=\"session.logout()\">x</a>\n<input onchange=session.logout() />\n</body></html>\n";
    let found = scan_source(Language::Html, "page.html", page);
    let at: Vec<_> = found.iter().map(|f| (f.line, f.column, &*f.item.name, f.confidence)).collect();
    // The handlers' calls (quoted or not) are found at their place in the page; a same-named call
    // on another object and a title that only looks like code are not. (`Signal` is medium: the
    // page does not load the SDK's script.)
    assert_eq!(
        at,
        [
            (3, 15, "getInstance", Medium),
            (3, 29, "login2", High),
            (5, 26, "messageInstantSend", High),
            (7, 25, "logout", High),
        ]
    );
}

#[test]
fn a_kotlin_lazy_property_holds_what_its_block_makes() {
    let src = "class A {\n  private val api by lazy { AgoraAPIOnlySignal.getInstance(ctx, id) }\n  private val auth by lazy { Auth() }\n  fun f() { api.logout(); auth.logout() }\n}\n";
    assert_eq!(names(Language::Kotlin, src), [item(2, "getInstance", High), item(4, "logout", High)]);
}

#[test]
fn a_callback_class_declared_in_a_header_makes_its_methods_in_another_file_the_sdk_s() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let header = "#include \"agora_sig.h\"\nclass Handler : public agora_sdk_cpp::ICallBack {\n  void onLoginFailed(int ecode) override;\n  void onError(const char *name, size_t nl, int ecode, const char *d, size_t dl) override;\n};\n";
    let body = "#include \"handler.h\"\nvoid Handler::onLoginFailed(int ecode) {\n  if (ecode == 206) { retry(); }\n}\nvoid Handler::onError(const char *name, size_t nl, int ecode, const char *d, size_t dl) {}\nvoid Other::onError(int code) { if (code == 206) {} }\n";
    std::fs::write(tmp.path().join("handler.h"), header).expect("header");
    std::fs::write(tmp.path().join("handler.cpp"), body).expect("source");
    let report = sigshim_scan::scan(&[tmp.path().to_path_buf()], &sigshim_scan::ScanOptions::default())
        .expect("the scan runs");
    let in_body: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.path.ends_with("handler.cpp"))
        .map(|f| (f.line, f.item.name.to_string(), f.confidence))
        .collect();
    // Known from the header: the callbacks are surely the SDK's (`onError`, a common name, is
    // reported at all), and a code compared in one counts, as in a class of the same file;
    // `Other`'s are not.
    assert_eq!(
        in_body,
        [item(2, "onLoginFailed", High), item(3, "LOGIN_E_TOKENWRONG", Medium), item(5, "onError", High),]
    );
}
