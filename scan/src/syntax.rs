//! The few shapes the scanner needs from each grammar: member accesses, calls, declarations,
//! method definitions, class headers, string and integer literals, comparisons.
//!
//! Every function takes the file's [`Language`] and answers for that grammar's node kinds;
//! nothing else in the crate knows a node kind.

use tree_sitter::Node;

use crate::lang::Language;

/// A name given a value or a type: a variable, field, parameter, property, or the target of an
/// assignment.
pub(crate) struct Decl<'t> {
    /// The name's text (for `this.session = …`, `session`).
    pub(crate) name: String,
    /// Source text that holds the declared type, if the declaration has one.
    pub(crate) ty: Option<&'t str>,
    /// The value assigned.
    pub(crate) value: Option<Node<'t>>,
}

/// The language family whose grammar shapes a node follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Js,
    C,
    ObjC,
    Java,
    Kotlin,
    Swift,
}

fn family(lang: Language) -> Family {
    match lang {
        Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Html => Family::Js,
        Language::C | Language::Cpp => Family::C,
        Language::ObjC => Family::ObjC,
        Language::Java => Family::Java,
        Language::Kotlin => Family::Kotlin,
        Language::Swift => Family::Swift,
    }
}

/// The source text of a node.
pub(crate) fn text<'s>(n: Node<'_>, src: &'s str) -> &'s str {
    &src[n.byte_range()]
}

/// Whether a node is a plain name (not a member access or a call).
pub(crate) fn is_identifier(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        "identifier" | "field_identifier" | "property_identifier" | "simple_identifier" | "type_identifier"
    )
}

/// `object.name` (or `object->name`, `[object name…]`, `object?.name`): the object, when
/// written, and the node holding the name.
pub(crate) fn member<'t>(lang: Language, n: Node<'t>) -> Option<(Option<Node<'t>>, Node<'t>)> {
    let f = family(lang);
    match (f, n.kind()) {
        (Family::Js, "member_expression") => {
            Some((n.child_by_field_name("object"), n.child_by_field_name("property")?))
        }
        (Family::C | Family::ObjC, "field_expression") => {
            Some((n.child_by_field_name("argument"), n.child_by_field_name("field")?))
        }
        (Family::ObjC, "message_expression") => {
            Some((n.child_by_field_name("receiver"), n.child_by_field_name("method")?))
        }
        (Family::Java, "method_invocation") => {
            Some((n.child_by_field_name("object"), n.child_by_field_name("name")?))
        }
        (Family::Java, "field_access") => {
            Some((n.child_by_field_name("object"), n.child_by_field_name("field")?))
        }
        (Family::Kotlin, "navigation_expression") => {
            let name = n.named_child(n.named_child_count().checked_sub(1)?)?;
            (n.named_child_count() >= 2 && is_identifier(name)).then(|| (n.named_child(0), name))
        }
        (Family::Swift, "navigation_expression") => {
            let suffix = n.child_by_field_name("suffix")?.child_by_field_name("suffix")?;
            is_identifier(suffix).then(|| (n.child_by_field_name("target"), suffix))
        }
        _ => None,
    }
}

/// Whether a node is a call (a message send in Objective-C, a `new` in JavaScript).
pub(crate) fn is_call(lang: Language, n: Node<'_>) -> bool {
    match family(lang) {
        Family::Js => matches!(n.kind(), "call_expression" | "new_expression"),
        Family::C => n.kind() == "call_expression",
        Family::ObjC => matches!(n.kind(), "call_expression" | "message_expression"),
        Family::Java => n.kind() == "method_invocation",
        Family::Kotlin | Family::Swift => n.kind() == "call_expression",
    }
}

/// What a call calls: a member access node, or a plain name. A Java method invocation and an
/// Objective-C message are their own member access.
pub(crate) fn callee<'t>(lang: Language, n: Node<'t>) -> Option<Node<'t>> {
    match (family(lang), n.kind()) {
        (Family::Js, "new_expression") => n.child_by_field_name("constructor"),
        (Family::Js | Family::C | Family::ObjC, "call_expression") => n.child_by_field_name("function"),
        (Family::Java, _) | (Family::ObjC, "message_expression") => Some(n),
        (Family::Kotlin | Family::Swift, "call_expression") => n.named_child(0),
        _ => None,
    }
}

/// The name of a plain-name callee (`Signal`, `getAgoraSDKInstanceCPP`,
/// `agora_sdk_cpp::getAgoraSDKInstanceCPP`).
pub(crate) fn plain_name<'t>(n: Node<'t>) -> Option<Node<'t>> {
    match n.kind() {
        "qualified_identifier" => n.child_by_field_name("name").and_then(plain_name),
        _ if is_identifier(n) => Some(n),
        _ => None,
    }
}

/// The node under wrappers that do not change what a value is: parentheses, casts, `!`, `await`.
pub(crate) fn unwrap(n: Node<'_>) -> Node<'_> {
    let mut n = n;
    loop {
        let inner = match n.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "await_expression"
            | "postfix_expression"
            | "cast_expression"
            | "force_unwrap_expression" => n
                .child_by_field_name("target")
                .or_else(|| n.child_by_field_name("value"))
                .or_else(|| n.named_child(0)),
            _ => None,
        };
        match inner {
            Some(i) if i.id() != n.id() => n = i,
            _ => return n,
        }
    }
}

/// The names a node declares or assigns, with their type text and value.
pub(crate) fn decls<'t>(lang: Language, n: Node<'t>, src: &'t str) -> Vec<Decl<'t>> {
    let f = family(lang);
    let mut out = Vec::new();
    let mut push = |name: Option<Node<'t>>, ty: Option<&'t str>, value: Option<Node<'t>>| {
        if let Some(name) = name.and_then(|n| target_name(lang, n)) {
            out.push(Decl { name: text(name, src).to_owned(), ty, value });
        }
    };
    match (f, n.kind()) {
        (_, "assignment_expression" | "assignment") => push(
            n.child_by_field_name("left")
                .or_else(|| n.child_by_field_name("target"))
                .or_else(|| n.named_child(0)),
            None,
            n.child_by_field_name("right").or_else(|| n.child_by_field_name("result")),
        ),
        (
            Family::Js,
            "variable_declarator" | "public_field_definition" | "required_parameter" | "optional_parameter",
        ) => {
            let name = n.child_by_field_name("name").or_else(|| n.child_by_field_name("pattern"));
            let ty = n.child_by_field_name("type").map(|t| text(t, src));
            push(name, ty, n.child_by_field_name("value"));
        }
        (
            Family::C | Family::ObjC,
            "declaration" | "field_declaration" | "parameter_declaration" | "struct_declaration",
        ) => {
            let ty = n.child_by_field_name("type").or_else(|| n.named_child(0)).map(|t| text(t, src));
            let mut cursor = n.walk();
            for d in n.named_children(&mut cursor) {
                let (d, value) = match d.kind() {
                    "init_declarator" => {
                        (d.child_by_field_name("declarator"), d.child_by_field_name("value"))
                    }
                    "struct_declarator" => (d.named_child(0), None),
                    _ => (Some(d), None),
                };
                if let Some(d) = d.filter(|d| d.kind().ends_with("declarator") || is_identifier(*d)) {
                    push(declarator_name(d), ty, value);
                }
            }
        }
        (Family::Java, "local_variable_declaration" | "field_declaration") => {
            let ty = n.child_by_field_name("type").map(|t| text(t, src));
            let mut cursor = n.walk();
            for d in n.children_by_field_name("declarator", &mut cursor) {
                push(d.child_by_field_name("name"), ty, d.child_by_field_name("value"));
            }
        }
        (Family::Java, "formal_parameter") => {
            push(n.child_by_field_name("name"), n.child_by_field_name("type").map(|t| text(t, src)), None)
        }
        (Family::Kotlin, "property_declaration") => {
            let var = first_of_kind(n, "variable_declaration");
            let value = n.named_child(n.named_child_count().saturating_sub(1)).filter(|v| Some(*v) != var);
            // `val api by lazy { … }`: the value is the lambda's last expression.
            let value = value.map(|v| lazy_value(v, src).unwrap_or(v));
            let ty = var.and_then(|v| v.named_child(1)).map(|t| text(t, src));
            push(var.and_then(|v| v.named_child(0)), ty, value);
        }
        (Family::Kotlin, "class_parameter" | "parameter") => {
            let name = first_of_kind(n, "identifier");
            push(name, Some(text(n, src)), None);
        }
        (Family::Swift, "property_declaration") => {
            let name = n.child_by_field_name("name").and_then(|p| p.child_by_field_name("bound_identifier"));
            let ty = first_of_kind(n, "type_annotation").map(|t| text(t, src));
            push(name, ty, n.child_by_field_name("value"));
        }
        (Family::Swift, "parameter") => push(first_of_kind(n, "simple_identifier"), Some(text(n, src)), None),
        _ => {}
    }
    out
}

fn first_of_kind<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor).find(|c| c.kind() == kind)
}

/// The name an assignment target stands for: `x`, `this.x`, `self.api`, `obj->cb`.
fn target_name<'t>(lang: Language, n: Node<'t>) -> Option<Node<'t>> {
    let n = unwrap(n);
    if n.kind() == "directly_assignable_expression" {
        return n.named_child(0).and_then(|c| target_name(lang, c));
    }
    if is_identifier(n) {
        return Some(n);
    }
    member(lang, n).map(|(_, name)| name)
}

/// The identifier inside a C declarator (`*api`, `api[2]`, `(*fn)(…)`).
fn declarator_name(d: Node<'_>) -> Option<Node<'_>> {
    let mut d = d;
    loop {
        if is_identifier(d) {
            return Some(d);
        }
        d = d.child_by_field_name("declarator").or_else(|| d.named_child(0))?;
    }
}

/// The name node of a method or function definition a callback can be implemented with.
pub(crate) fn definition_name<'t>(lang: Language, n: Node<'t>) -> Option<Node<'t>> {
    match (family(lang), n.kind()) {
        (Family::C, "function_definition") => {
            let mut d = n.child_by_field_name("declarator")?;
            while d.kind() != "function_declarator" {
                d = d.child_by_field_name("declarator")?;
            }
            plain_name(d.child_by_field_name("declarator")?)
        }
        (Family::Java, "method_declaration") | (Family::Kotlin, "function_declaration") => {
            n.child_by_field_name("name")
        }
        _ => None,
    }
}

/// A C designated initializer's field name (`.onLoginSuccess = on_login`).
pub(crate) fn designated_field<'t>(n: Node<'t>) -> Option<Node<'t>> {
    (n.kind() == "field_designator").then(|| n.named_child(0)).flatten()
}

/// For a class-like node (class, struct, anonymous class, object expression), the text before
/// its body: where its bases are named.
pub(crate) fn class_header<'s>(lang: Language, n: Node<'_>, src: &'s str) -> Option<&'s str> {
    let class_like = match family(lang) {
        Family::C | Family::ObjC => {
            matches!(n.kind(), "class_specifier" | "struct_specifier" | "class_interface")
        }
        Family::Java => matches!(n.kind(), "class_declaration" | "object_creation_expression"),
        Family::Kotlin => matches!(n.kind(), "class_declaration" | "object_literal" | "object_declaration"),
        Family::Swift | Family::Js => matches!(n.kind(), "class_declaration"),
    };
    if !class_like {
        return None;
    }
    let mut cursor = n.walk();
    let body = n.child_by_field_name("body").or_else(|| {
        n.named_children(&mut cursor).find(|c| matches!(c.kind(), "class_body" | "field_declaration_list"))
    });
    let end = body.map_or(n.end_byte(), |b| b.start_byte());
    Some(&src[n.start_byte()..end])
}

/// The contents of a string literal (between its quotes, escapes as written; a template's
/// substitutions included) and the byte offset in the file where they start.
pub(crate) fn string_content<'s>(lang: Language, n: Node<'_>, src: &'s str) -> Option<(usize, &'s str)> {
    let is_string = match family(lang) {
        Family::Js => matches!(n.kind(), "string" | "template_string"),
        Family::C | Family::ObjC | Family::Java | Family::Kotlin => n.kind() == "string_literal",
        Family::Swift => matches!(n.kind(), "line_string_literal" | "multi_line_string_literal"),
    };
    if !is_string {
        return None;
    }
    let whole = text(n, src);
    let t = whole.trim_start_matches(['@', 'L', 'u', 'U', '8', 'R']);
    let quote = ["\"\"\"", "\"", "'", "`"].into_iter().find(|q| t.starts_with(q))?;
    let inner = t.strip_prefix(quote)?;
    let inner = inner.strip_suffix(quote).unwrap_or(inner);
    Some((n.start_byte() + (whole.len() - t.len()) + quote.len(), inner))
}

/// Whether a value is a null literal (`null`, `nil`, `NULL`, `nullptr`, `undefined`).
pub(crate) fn is_null(n: Node<'_>, src: &str) -> bool {
    matches!(text(unwrap(n), src), "null" | "nil" | "NULL" | "nullptr" | "undefined" | "0")
}

/// Whether a node is an assignment (`a = b`, `a.b = c`).
pub(crate) fn is_assignment(n: Node<'_>) -> bool {
    matches!(n.kind(), "assignment_expression" | "assignment")
}

/// The class a qualified definition name belongs to: `Handler` in `void Handler::onLogout(…)`.
pub(crate) fn qualifier<'s>(name: Node<'_>, src: &'s str) -> Option<&'s str> {
    let q = name.parent().filter(|p| p.kind() == "qualified_identifier")?;
    q.child_by_field_name("scope").map(|s| text(s, src))
}

/// A JavaScript `require('module')` call, as the module's name.
pub(crate) fn requires_module<'s>(lang: Language, value: Node<'_>, src: &'s str) -> Option<&'s str> {
    let v = unwrap(value);
    if family(lang) != Family::Js || v.kind() != "call_expression" {
        return None;
    }
    if v.child_by_field_name("function").map(|f| text(f, src)) != Some("require") {
        return None;
    }
    let arg = v.child_by_field_name("arguments")?.named_child(0)?;
    string_content(lang, arg, src).map(|(_, m)| m)
}

/// A JavaScript `import` statement: the names it binds to the module's default or namespace,
/// and the module's name.
pub(crate) fn import<'t, 's>(lang: Language, n: Node<'t>, src: &'s str) -> Option<(Vec<Node<'t>>, &'s str)> {
    if family(lang) != Family::Js || n.kind() != "import_statement" {
        return None;
    }
    let (_, module) = string_content(lang, n.child_by_field_name("source")?, src)?;
    let clause = first_of_kind(n, "import_clause")?;
    let mut names = Vec::new();
    let mut cursor = clause.walk();
    for c in clause.named_children(&mut cursor) {
        match c.kind() {
            "identifier" => names.push(c),
            "namespace_import" => names.extend(first_of_kind(c, "identifier")),
            _ => {}
        }
    }
    Some((names, module))
}

/// An HTML page's inline scripts (the text of `<script>` elements without another `type`:
/// templates and JSON data are left out), and the `src` of every script element.
pub(crate) fn html_scripts<'s>(root: Node<'_>, src: &'s str) -> (Vec<tree_sitter::Range>, Vec<&'s str>) {
    let mut ranges = Vec::new();
    let mut sources = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let mut cursor = n.walk();
        if matches!(n.kind(), "start_tag" | "self_closing_tag") {
            ranges.extend(event_handlers(n, src));
            continue;
        }
        if n.kind() != "script_element" {
            stack.extend(n.named_children(&mut cursor));
            continue;
        }
        let attr = |name: &str| n.named_child(0).and_then(|tag| html_attribute(tag, name, src));
        let script = attr("type").is_none_or(|t| {
            let t = t.to_ascii_lowercase();
            t.is_empty() || t.contains("javascript") || t == "module"
        });
        sources.extend(attr("src"));
        if script {
            ranges
                .extend(n.named_children(&mut cursor).filter(|c| c.kind() == "raw_text").map(|c| c.range()));
        }
    }
    ranges.sort_by_key(|r| r.start_byte);
    (ranges, sources)
}

/// The value of an attribute of an HTML start tag, unquoted.
/// The value a Kotlin `by lazy { … }` delegate gives: its lambda's last expression.
fn lazy_value<'t>(delegate: Node<'t>, src: &str) -> Option<Node<'t>> {
    if delegate.kind() != "property_delegate" {
        return None;
    }
    let call = delegate.named_child(0).filter(|c| c.kind() == "call_expression")?;
    if call.named_child(0).is_none_or(|f| text(f, src) != "lazy") {
        return None;
    }
    let lambda = first_of_kind(call, "annotated_lambda").and_then(|l| first_of_kind(l, "lambda_literal"))?;
    lambda.named_child(lambda.named_child_count().checked_sub(1)?)
}

/// The JavaScript of a tag's event-handler attributes (`onclick="…"`): the values' ranges, inside
/// their quotes.
fn event_handlers(tag: Node<'_>, src: &str) -> Vec<tree_sitter::Range> {
    let mut cursor = tag.walk();
    tag.named_children(&mut cursor)
        .filter(|a| a.kind() == "attribute")
        .filter(|a| {
            a.named_child(0).is_some_and(|n| {
                let name = text(n, src);
                name.len() > 2 && name.get(..2).is_some_and(|on| on.eq_ignore_ascii_case("on"))
            })
        })
        .filter_map(|a| {
            let value = a.named_child(1)?;
            // A quoted value holds its text as a child; an unquoted one is the text.
            let inner = if value.kind() == "quoted_attribute_value" { value.named_child(0)? } else { value };
            Some(inner.range())
        })
        .collect()
}

fn html_attribute<'s>(tag: Node<'_>, name: &str, src: &'s str) -> Option<&'s str> {
    let mut cursor = tag.walk();
    let attr = tag
        .named_children(&mut cursor)
        .filter(|a| a.kind() == "attribute")
        .find(|a| a.named_child(0).is_some_and(|n| text(n, src).eq_ignore_ascii_case(name)))?;
    let value = attr.named_child(1).map_or("", |v| text(v, src));
    Some(value.trim_matches(['"', '\'']))
}

/// Whether a node is an integer literal.
pub(crate) fn is_int_literal(lang: Language, n: Node<'_>, src: &str) -> bool {
    let kind_ok = match family(lang) {
        Family::Js => n.kind() == "number",
        Family::C | Family::ObjC | Family::Kotlin => n.kind() == "number_literal",
        Family::Java => n.kind() == "decimal_integer_literal",
        Family::Swift => n.kind() == "integer_literal",
    };
    kind_ok && text(n, src).bytes().all(|b| b.is_ascii_digit())
}

/// Whether an integer literal is compared for equality, or is a `case`/`when` label.
pub(crate) fn is_compared(n: Node<'_>, src: &str) -> bool {
    let Some(parent) = n.parent() else { return false };
    match parent.kind() {
        "binary_expression" | "equality_expression" => {
            let mut cursor = parent.walk();
            parent.children(&mut cursor).any(|c| matches!(text(c, src), "==" | "!=" | "===" | "!=="))
        }
        "switch_case" | "case_statement" | "switch_label" | "when_entry" | "when_condition" => true,
        "pattern" => parent.parent().is_some_and(|g| g.kind() == "switch_pattern"),
        _ => false,
    }
}

/// The parameters a callback handler's function literal names (`function (call) {…}`).
pub(crate) fn handler_params<'t>(lang: Language, handler: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    if family(lang) != Family::Js {
        return out;
    }
    if let Some(params) =
        handler.child_by_field_name("parameters").or_else(|| handler.child_by_field_name("parameter"))
    {
        if is_identifier(params) {
            out.push(params);
        }
        let mut cursor = params.walk();
        out.extend(params.named_children(&mut cursor).filter_map(|p| {
            let p = p.child_by_field_name("pattern").unwrap_or(p);
            is_identifier(p).then_some(p)
        }));
    }
    out
}

/// The object-literal key node of a pair, if `n` is one (`{_timeout: 10}`).
pub(crate) fn object_key<'t>(lang: Language, n: Node<'t>) -> Option<Node<'t>> {
    (family(lang) == Family::Js && n.kind() == "pair")
        .then(|| n.child_by_field_name("key"))
        .flatten()
        .filter(|k| k.kind() == "property_identifier")
}
