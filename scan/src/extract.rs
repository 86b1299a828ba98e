//! One file's source to its findings: parse, learn which names hold legacy objects, then match
//! every member access, call, definition, string and comparison against the rules.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use sigshim_mapping::catalog::{CatalogEntry, ItemKind};
use tree_sitter::{Node, Parser, Tree};

use crate::finding::{Confidence, Finding, Item};
use crate::lang::{Language, Platform};
use crate::rules;
use crate::syntax::{self, text};

/// Parsers kept for reuse, one per language, on one thread.
#[derive(Default)]
pub(crate) struct Parsers {
    parsers: Vec<(Language, Parser)>,
}

impl Parsers {
    fn get(&mut self, lang: Language) -> &mut Parser {
        let at = match self.parsers.iter().position(|(l, _)| *l == lang) {
            Some(at) => at,
            None => {
                let mut parser = Parser::new();
                // The grammars are compiled in; their ABI versions are the ones this tree-sitter reads.
                parser.set_language(&lang.grammar()).expect("a bundled grammar loads");
                self.parsers.push((lang, parser));
                self.parsers.len() - 1
            }
        };
        &mut self.parsers[at].1
    }

    /// Parses `src`; for HTML, parses the inline scripts as JavaScript (positions stay the
    /// page's). `None` when the parser gave up (it does not on valid UTF-8 within limits).
    fn parse(&mut self, lang: Language, src: &str) -> Option<(Language, Tree, bool)> {
        if lang != Language::Html {
            return Some((lang, self.get(lang).parse(src, None)?, false));
        }
        let page = self.get(Language::Html).parse(src, None)?;
        let (ranges, loads_sdk) = script_ranges(page.root_node(), src);
        let js = self.get(Language::JavaScript);
        js.set_included_ranges(&ranges).ok()?;
        let tree = js.parse(src, None);
        js.set_included_ranges(&[]).ok()?;
        Some((Language::JavaScript, tree?, loads_sdk))
    }
}

/// The ranges of a page's inline JavaScript (the text of `<script>` elements that are not of
/// another type: templates, JSON data), and whether the page loads the legacy SDK's script.
fn script_ranges(root: Node<'_>, src: &str) -> (Vec<tree_sitter::Range>, bool) {
    let mut out = Vec::new();
    let mut loads_sdk = false;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.kind() == "script_element" {
            let start = n.named_child(0).map_or("", |t| text(t, src)).to_ascii_lowercase();
            let other_type =
                start.contains("type=") && !start.contains("javascript") && !start.contains("module");
            loads_sdk |= start.contains("src=") && rules::names_sdk_package(&start);
            let mut cursor = n.walk();
            if !other_type {
                out.extend(
                    n.named_children(&mut cursor).filter(|c| c.kind() == "raw_text").map(|c| c.range()),
                );
            }
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    out.sort_by_key(|r| r.start_byte);
    (out, loads_sdk)
}

/// The findings in one file's source.
pub(crate) fn findings(parsers: &mut Parsers, lang: Language, path: &Path, src: &str) -> Vec<Finding> {
    if !rules::may_use_legacy(src) {
        return Vec::new();
    }
    let Some((syntax_lang, tree, loads_sdk)) = parsers.parse(lang, src) else { return Vec::new() };
    let nodes = preorder(tree.root_node());
    let mut scan = FileScan {
        lang: syntax_lang,
        file_lang: lang,
        platform: lang.platform(),
        path,
        src,
        bound: HashSet::new(),
        handlers: Vec::new(),
        out: Vec::new(),
        invites_in_file: false,
        loads_sdk,
    };
    scan.learn_bindings(&nodes);
    for &n in &nodes {
        scan.visit(n);
    }
    scan.out.sort_by_key(|f| (f.line, f.column));
    scan.out
}

/// The named nodes of a tree, parents before children (punctuation and keywords are left out:
/// no rule starts from one).
fn preorder(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        if node.is_named() {
            out.push(node);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

struct FileScan<'a> {
    /// The grammar the tree follows (JavaScript for an HTML page).
    lang: Language,
    /// The file's own language, as reported.
    file_lang: Language,
    platform: Platform,
    path: &'a Path,
    src: &'a str,
    /// Names that hold legacy objects.
    bound: HashSet<String>,
    /// Byte ranges of callback handlers whose arguments carry legacy codes.
    handlers: Vec<Range<usize>>,
    out: Vec<Finding>,
    invites_in_file: bool,
    /// The file imports or loads the legacy SDK's package or script, so `Signal(…)` is its factory.
    loads_sdk: bool,
}

impl<'a> FileScan<'a> {
    /// Finds the names that hold legacy objects: declared with a legacy type, or given the
    /// result of a factory or of a legacy call that hands out a session, channel or call, and,
    /// on the Web, the call object `onInviteReceived` receives. Repeats until nothing changes,
    /// so that chains (`signal` → `session` → `channel`) resolve in any order.
    fn learn_bindings(&mut self, nodes: &[Node<'a>]) {
        let mut pending = Vec::new();
        let mut invite_handlers = Vec::new();
        for &n in nodes {
            for d in syntax::decls(self.lang, n, self.src) {
                if d.ty.is_some_and(rules::mentions_legacy_type) {
                    self.bound.insert(d.name);
                } else if let Some(v) = d.value {
                    pending.push((d.name, v));
                }
            }
            if let Some((_, name)) = syntax::member(self.lang, n) {
                let name = text(name, self.src);
                self.invites_in_file |= rules::is_invite_call(name);
                if name == "onInviteReceived" {
                    invite_handlers.push(n);
                }
            }
            if let Some(content) = syntax::string_content(self.lang, n, self.src) {
                self.loads_sdk |= rules::names_sdk_package(content);
            }
        }
        loop {
            let before = self.bound.len();
            for (name, value) in &pending {
                if !self.bound.contains(name) && self.is_legacy_expr(*value) {
                    self.bound.insert(name.clone());
                }
            }
            for &n in &invite_handlers {
                if let Some(handler) = self.handler_of(n, "onInviteReceived") {
                    for p in syntax::handler_params(self.lang, handler) {
                        self.bound.insert(text(p, self.src).to_owned());
                    }
                }
            }
            if self.bound.len() == before {
                break;
            }
        }
    }

    /// The function assigned as callback `name` on a legacy object, if `n` is such a member.
    fn handler_of(&self, n: Node<'a>, name: &str) -> Option<Node<'a>> {
        let (obj, prop) = syntax::member(self.lang, n)?;
        if text(prop, self.src) != name || !obj.is_some_and(|o| self.is_legacy_expr(o)) {
            return None;
        }
        let assign = n.parent().filter(|p| p.kind().contains("assignment"))?;
        assign.child_by_field_name("right").map(syntax::unwrap)
    }

    /// Whether an expression's value is a legacy object.
    fn is_legacy_expr(&self, n: Node<'_>) -> bool {
        self.is_legacy_at(n, 0)
    }

    /// [`Self::is_legacy_expr`], `depth` calls down a chain (`a.b().c()…`); chains deeper than
    /// any hand-written code are not followed, so generated code cannot exhaust the stack.
    fn is_legacy_at(&self, n: Node<'_>, depth: usize) -> bool {
        const MAX_CHAIN: usize = 64;
        if depth > MAX_CHAIN {
            return false;
        }
        let n = syntax::unwrap(n);
        if syntax::is_identifier(n) {
            let t = text(n, self.src);
            return self.bound.contains(t) || rules::is_legacy_type(t);
        }
        if syntax::is_call(self.lang, n) {
            let Some(callee) = syntax::callee(self.lang, n) else { return false };
            if let Some((obj, name)) = syntax::member(self.lang, callee) {
                let name = text(name, self.src);
                let legacy_obj = |o| self.is_legacy_at(o, depth + 1);
                // `getInstance` is everyone's singleton: it counts on a legacy class only. `Signal`
                // may be called bare or on the page's global object.
                let factory = rules::is_factory(self.platform, name)
                    && match obj {
                        None => !rules::is_common(name) || name == "Signal",
                        Some(o) => {
                            !rules::is_common(name)
                                || name == "Signal" && is_global(o, self.src)
                                || legacy_obj(o)
                        }
                    };
                return factory || rules::is_producer(self.platform, name) && obj.is_some_and(legacy_obj);
            }
            return syntax::plain_name(callee)
                .is_some_and(|c| rules::is_factory(self.platform, text(c, self.src)));
        }
        match syntax::member(self.lang, n) {
            Some((_, name)) => {
                let t = text(name, self.src);
                self.bound.contains(t) || rules::is_legacy_type(t)
            }
            None => false,
        }
    }

    fn visit(&mut self, n: Node<'a>) {
        if let Some((obj, name)) = syntax::member(self.lang, n) {
            return self.member_use(n, obj, name);
        }
        if syntax::is_call(self.lang, n) {
            if let Some(callee) = syntax::callee(self.lang, n).and_then(syntax::plain_name) {
                let name = text(callee, self.src);
                if let Some(row) =
                    rules::member_row(self.platform, name).filter(|_| rules::is_factory(self.platform, name))
                {
                    let sure = !rules::is_common(name) || self.loads_sdk;
                    let confidence = if sure { Confidence::High } else { Confidence::Medium };
                    self.push_row(callee, row, confidence);
                }
            }
            return;
        }
        if let Some(name) = syntax::definition_name(self.lang, n) {
            return self.definition(n, name);
        }
        if let Some(name) = syntax::designated_field(n) {
            let legacy = ancestors(n).take(6).any(|a| {
                syntax::decls(self.lang, a, self.src)
                    .iter()
                    .any(|d| d.ty.is_some_and(rules::mentions_legacy_type))
            });
            return self.callback_named(name, legacy, None);
        }
        if let Some(content) = syntax::string_content(self.lang, n, self.src) {
            return self.string_use(n, content);
        }
        if let Some(key) = syntax::object_key(self.lang, n) {
            return self.key_use(key, text(key, self.src));
        }
        if syntax::is_identifier(n) {
            if let Some(code) = rules::code_constant(text(n, self.src)) {
                self.push(n, Item::from_code(code), Confidence::High);
            }
            return;
        }
        if syntax::is_int_literal(self.lang, n, self.src) && syntax::is_compared(n, self.src) {
            let inside = self.handlers.iter().any(|r| r.contains(&n.start_byte()));
            if let Some(code) = rules::code_literal(text(n, self.src)).filter(|_| inside) {
                self.push(n, Item::from_code(code), Confidence::Medium);
            }
        }
    }

    /// `obj.name`: a legacy method called or a callback set, if `name` is one.
    fn member_use(&mut self, n: Node<'a>, obj: Option<Node<'a>>, name: Node<'a>) {
        let name_text = text(name, self.src);
        let Some(row) = rules::member_row(self.platform, name_text) else { return };
        let legacy = obj.is_some_and(|o| self.is_legacy_expr(o));
        let global_factory = name_text == "Signal" && obj.is_some_and(|o| is_global(o, self.src));
        let confidence = if legacy || global_factory && self.loads_sdk {
            Confidence::High
        } else if obj.is_some() && (!rules::is_common(name_text) || global_factory) {
            Confidence::Medium
        } else {
            return;
        };
        let assignment = ancestors(n).take(3).find(|a| a.kind().contains("assignment"));
        if let Some(assign) =
            assignment.filter(|_| row.kind == ItemKind::Callback && rules::carries_code(row))
        {
            self.handlers.push(assign.byte_range());
        }
        self.push_row(name, row, confidence);
    }

    /// A method definition: a callback implemented, if it is one and the class is a legacy
    /// callback class (or the name is the SDK's alone).
    fn definition(&mut self, n: Node<'a>, name: Node<'a>) {
        let in_callback_class = ancestors(n)
            .find_map(|a| syntax::class_header(self.lang, a, self.src))
            .is_some_and(rules::is_callback_class_header);
        self.callback_named(name, in_callback_class, Some(n.byte_range()));
    }

    fn callback_named(&mut self, name: Node<'a>, legacy: bool, body: Option<Range<usize>>) {
        let name_text = text(name, self.src);
        let Some(row) = rules::member_row(self.platform, name_text).filter(|r| r.kind == ItemKind::Callback)
        else {
            return;
        };
        let confidence = match (legacy, rules::is_common(name_text)) {
            (true, _) => Confidence::High,
            (false, false) => Confidence::Medium,
            (false, true) => return,
        };
        if let Some(body) = body.filter(|_| rules::carries_code(row)) {
            self.handlers.push(body);
        }
        self.push_row(name, row, confidence);
    }

    /// A string literal: an `invoke` function name, or JSON text with reserved `extra` keys.
    fn string_use(&mut self, n: Node<'a>, content: &str) {
        if let Some(row) = rules::invoke_row(content) {
            return self.push_as(n, content, Item::from_row(row), Confidence::High);
        }
        let quoted = content.match_indices('"').map(|(at, _)| at + 1).collect::<Vec<_>>();
        let mut keys: Vec<&str> = quoted.iter().map(|&at| key_at(&content[at..])).collect();
        if content.len() < 64 && !content.contains('"') {
            keys.push(content);
        }
        for key in keys {
            self.key_use(n, key);
        }
    }

    fn key_use(&mut self, at: Node<'a>, key: &str) {
        let Some((reserved, distinctive)) = rules::reserved_key(key) else { return };
        let in_invite = ancestors(at).take(12).any(|a| {
            syntax::is_call(self.lang, a)
                && syntax::callee(self.lang, a)
                    .and_then(|c| syntax::member(self.lang, c))
                    .is_some_and(|(_, name)| rules::is_invite_call(text(name, self.src)))
        });
        let confidence = if in_invite {
            Confidence::High
        } else if distinctive || self.invites_in_file {
            Confidence::Medium
        } else {
            return;
        };
        self.push_as(at, key, Item::from_key(reserved), confidence);
    }

    fn push_row(&mut self, at: Node<'a>, row: &CatalogEntry, confidence: Confidence) {
        self.push(at, Item::from_row(row), confidence);
    }

    fn push(&mut self, at: Node<'a>, item: Item, confidence: Confidence) {
        self.push_as(at, text(at, self.src), item, confidence);
    }

    fn push_as(&mut self, at: Node<'a>, written: &str, item: Item, confidence: Confidence) {
        let start = at.start_position();
        let line_start = at.start_byte() - start.column;
        let column = self.src[line_start..at.start_byte()].chars().count() + 1;
        self.out.push(Finding {
            path: self.path.to_path_buf(),
            line: start.row + 1,
            column,
            language: self.file_lang,
            platform: self.platform,
            text: written.to_owned(),
            item,
            confidence,
        });
    }
}

/// The key a JSON text has at `rest` (just after an opening quote), up to its closing quote.
fn key_at(rest: &str) -> &str {
    let end = rest.find(['"', '\\']).unwrap_or(rest.len());
    &rest[..end]
}

/// Whether an object is the page's global object (`window.Signal`, `globalThis.Signal`).
fn is_global(n: Node<'_>, src: &str) -> bool {
    matches!(text(syntax::unwrap(n), src), "window" | "globalThis" | "self")
}

fn ancestors(n: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(n.parent(), |p| p.parent())
}
