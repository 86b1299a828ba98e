//! One file's source to its findings: parse, learn which names hold legacy objects, then match
//! every member access, call, definition, string and comparison against the rules.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

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
        let (ranges, sources) = syntax::html_scripts(page.root_node(), src);
        let loads_sdk = sources.into_iter().any(rules::names_sdk_package);
        if ranges.is_empty() {
            // No included ranges would mean the whole page.
            return None;
        }
        let js = self.get(Language::JavaScript);
        js.set_included_ranges(&ranges).ok()?;
        let tree = js.parse(src, None);
        js.set_included_ranges(&[]).ok()?;
        Some((Language::JavaScript, tree?, loads_sdk))
    }
}

/// What one file's scan found: its uses, and what the files around it may need.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    /// The uses, by line and column.
    pub(crate) findings: Vec<Finding>,
    /// Classes the file declares as implementations of the legacy callbacks (a C++ header's
    /// `class Handler : public ICallBack`), for the files that define their methods.
    pub(crate) callback_classes: Vec<String>,
    /// Classes the file defines methods of, out of line and named as legacy callbacks
    /// (`Handler::onError`), without declaring them: another file's callback classes may make
    /// those methods the SDK's.
    pub(crate) foreign_classes: Vec<String>,
}

/// The findings in one file's source, with `known` the callback classes other files declare.
pub(crate) fn extract(
    parsers: &mut Parsers,
    lang: Language,
    path: &Path,
    src: &str,
    known: &HashSet<String>,
) -> Extracted {
    if !rules::may_use_legacy(src) {
        return Extracted::default();
    }
    let Some((syntax_lang, tree, loads_sdk)) = parsers.parse(lang, src) else { return Extracted::default() };
    let nodes = preorder(tree.root_node());
    let mut scan = FileScan {
        lang: syntax_lang,
        file_lang: lang,
        platform: lang.platform(),
        path: Arc::from(path),
        src,
        bound: HashSet::new(),
        handlers: Vec::new(),
        out: Vec::new(),
        invites_in_file: false,
        loads_sdk,
        aliases: HashSet::new(),
        ambiguous: HashSet::new(),
        callback_classes: HashSet::new(),
        known,
        foreign_classes: HashSet::new(),
    };
    scan.learn_bindings(&nodes);
    for &n in &nodes {
        scan.visit(n);
    }
    scan.out.sort_by_key(|f| (f.line, f.column));
    Extracted {
        findings: scan.out,
        callback_classes: scan.callback_classes.into_iter().collect(),
        foreign_classes: scan.foreign_classes.into_iter().collect(),
    }
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
    path: Arc<Path>,
    src: &'a str,
    /// Names that hold legacy objects.
    bound: HashSet<String>,
    /// Byte ranges of callback handlers whose arguments carry legacy codes.
    handlers: Vec<Range<usize>>,
    out: Vec<Finding>,
    invites_in_file: bool,
    /// The file imports or loads the legacy SDK's package or script, so `Signal(…)` is its factory.
    loads_sdk: bool,
    /// Names the file imported the SDK's module as (`import AgoraSignal from 'agora-signaling-sdk'`).
    aliases: HashSet<String>,
    /// Bound names that are also given other values somewhere in the file.
    ambiguous: HashSet<String>,
    /// Classes of this file that implement the legacy callbacks (for out-of-line definitions).
    callback_classes: HashSet<String>,
    /// Classes other files declare as implementations of the legacy callbacks.
    known: &'a HashSet<String>,
    /// Classes with out-of-line callback-named methods that neither this file nor `known`
    /// declares as callback classes.
    foreign_classes: HashSet<String>,
}

impl<'a> FileScan<'a> {
    /// Finds the names that hold legacy objects: declared with a legacy type, or given the
    /// result of a factory or of a legacy call that hands out a session, channel or call, and,
    /// on the Web, the call object `onInviteReceived` receives. Repeats so that chains
    /// (`signal` → `session` → `channel`) resolve in any order. Also learns the file's aliases
    /// of the SDK's factory, its legacy callback classes, and which bound names are ambiguous.
    fn learn_bindings(&mut self, nodes: &[Node<'a>]) {
        let mut pending = Vec::new();
        let mut invite_handlers = Vec::new();
        for &n in nodes {
            for d in syntax::decls(self.lang, n, self.src) {
                if d.ty.is_some_and(rules::mentions_legacy_type) {
                    self.bound.insert(d.name);
                } else if let Some(v) = d.value {
                    if syntax::requires_module(self.lang, v, self.src).is_some_and(rules::names_sdk_package) {
                        self.aliases.insert(d.name.clone());
                    }
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
            if let Some((_, content)) = syntax::string_content(self.lang, n, self.src) {
                self.loads_sdk |= rules::names_sdk_package(content);
            }
            if let Some((names, module)) = syntax::import(self.lang, n, self.src)
                && rules::names_sdk_package(module)
            {
                self.aliases.extend(names.into_iter().map(|i| text(i, self.src).to_owned()));
            }
            if let Some(header) = syntax::class_header(self.lang, n, self.src)
                && rules::is_callback_class_header(header)
                && let Some(name) = n.child_by_field_name("name")
            {
                self.callback_classes.insert(text(name, self.src).to_owned());
            }
        }
        // Each pass binds the names one more link down a chain (`signal` -> `session` ->
        // `channel`); real chains are a few links long, and a bound on the passes keeps a file of
        // thousands of aliases linear.
        const PASSES: usize = 8;
        for _ in 0..PASSES {
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
        // A name also given a value that is not the SDK's (other than null) may be another
        // object in another scope: uses through it are reported with medium confidence.
        for (name, value) in &pending {
            if self.bound.contains(name) && !syntax::is_null(*value, self.src) && !self.is_legacy_expr(*value)
            {
                self.ambiguous.insert(name.clone());
            }
        }
        // An Objective-C property `api` is stored in the instance variable `_api`.
        if self.lang == Language::ObjC {
            let ivars: Vec<String> = self.bound.iter().map(|b| format!("_{b}")).collect();
            self.bound.extend(ivars);
        }
    }

    /// The function assigned as callback `name` on a legacy object, if `n` is such a member.
    fn handler_of(&self, n: Node<'a>, name: &str) -> Option<Node<'a>> {
        let (obj, prop) = syntax::member(self.lang, n)?;
        if text(prop, self.src) != name || !obj.is_some_and(|o| self.is_legacy_expr(o)) {
            return None;
        }
        let assign = n.parent().filter(|p| syntax::is_assignment(*p))?;
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
                let factory = self.is_factory(name);
                if !factory && !rules::is_producer(self.platform, name) {
                    return false;
                }
                // Looked at once per link, so a long chain costs its length.
                let obj_legacy = obj.is_some_and(|o| self.is_legacy_at(o, depth + 1));
                // `getInstance` is everyone's singleton: it counts on a legacy class only. `Signal`
                // may be called bare or on the page's global object.
                let counted_factory = factory
                    && (self.is_sure_factory(name)
                        || obj_legacy
                        || obj.is_some_and(|o| name == "Signal" && is_global(o, self.src)));
                return counted_factory || obj_legacy;
            }
            return syntax::plain_name(callee).is_some_and(|c| self.is_sure_factory(text(c, self.src)));
        }
        // `this.session`, `self.api`: a field of the object itself, bound by name; `req.session`
        // is another object's.
        match syntax::member(self.lang, n) {
            Some((obj, name)) => {
                let t = text(name, self.src);
                let own = obj.is_none_or(|o| is_self(o, self.src) || self.is_legacy_at(o, depth + 1));
                rules::is_legacy_type(t) || self.bound.contains(t) && own
            }
            None => false,
        }
    }

    /// Whether `name` is a legacy factory here (its spelling on the platform, or a name the
    /// file imported the SDK's module as).
    fn is_factory(&self, name: &str) -> bool {
        rules::is_factory(self.platform, name) || self.aliases.contains(name)
    }

    /// Whether a call of `name` with no legacy receiver is surely the SDK's factory: a
    /// distinctive factory name, `Signal`, or an import of the SDK's module.
    fn is_sure_factory(&self, name: &str) -> bool {
        self.aliases.contains(name)
            || rules::is_factory(self.platform, name) && (!rules::is_common(name) || name == "Signal")
    }

    /// Whether an object expression's name may also stand for a non-legacy object.
    fn is_ambiguous(&self, obj: Node<'_>) -> bool {
        let n = syntax::unwrap(obj);
        let name = if syntax::is_identifier(n) {
            Some(n)
        } else {
            syntax::member(self.lang, n).map(|(_, name)| name)
        };
        name.is_some_and(|name| self.ambiguous.contains(text(name, self.src)))
    }

    fn visit(&mut self, n: Node<'a>) {
        if let Some((obj, name)) = syntax::member(self.lang, n) {
            return self.member_use(n, obj, name);
        }
        if syntax::is_call(self.lang, n) {
            if let Some(callee) = syntax::callee(self.lang, n).and_then(syntax::plain_name) {
                let name = text(callee, self.src);
                let spelled = if self.aliases.contains(name) { "Signal" } else { name };
                if let Some(row) =
                    rules::member_row(self.platform, spelled).filter(|_| self.is_sure_factory(name))
                {
                    let sure = !rules::is_common(spelled) || self.loads_sdk;
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
        if let Some((start, content)) = syntax::string_content(self.lang, n, self.src) {
            return self.string_use(n, start, content);
        }
        if let Some(key) = syntax::object_key(self.lang, n) {
            return self.key_use(key, key.start_byte(), text(key, self.src));
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
        let sure = legacy && !obj.is_some_and(|o| self.is_ambiguous(o)) || global_factory && self.loads_sdk;
        let confidence = if sure {
            Confidence::High
        } else if legacy || obj.is_some() && (!rules::is_common(name_text) || global_factory) {
            Confidence::Medium
        } else {
            return;
        };
        // Numbers compared in a handler count as codes only where the handler is surely the SDK's.
        let assignment = ancestors(n).take(3).find(|a| syntax::is_assignment(*a));
        let carries =
            row.kind == ItemKind::Callback && rules::carries_code(row) && confidence == Confidence::High;
        if let Some(assign) = assignment.filter(|_| carries) {
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
        // `void Handler::onLogout(int ecode) { … }`, with `Handler` a callback class of this file
        // or of another (its header).
        let qualifier = syntax::qualifier(name, self.src);
        let of_callback_class =
            qualifier.is_some_and(|c| self.callback_classes.contains(c) || self.known.contains(c));
        if let Some(class) = qualifier.filter(|_| !of_callback_class && !in_callback_class)
            && rules::member_row(self.platform, text(name, self.src))
                .is_some_and(|r| r.kind == ItemKind::Callback)
        {
            self.foreign_classes.insert(class.to_owned());
        }
        self.callback_named(name, in_callback_class || of_callback_class, Some(n.byte_range()));
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
        if let Some(body) = body.filter(|_| legacy && rules::carries_code(row)) {
            self.handlers.push(body);
        }
        self.push_row(name, row, confidence);
    }

    /// A string literal: an `invoke` function name, or JSON text with reserved `extra` keys.
    /// `start` is the content's byte offset in the file.
    fn string_use(&mut self, n: Node<'a>, start: usize, content: &str) {
        if let Some(row) = rules::invoke_row(content) {
            return self.push_at(n, start, content, Item::from_row(row), Confidence::High);
        }
        let mut keys: Vec<(usize, &str)> =
            content.match_indices('"').map(|(at, _)| (at + 1, key_at(&content[at + 1..]))).collect();
        if content.len() < 64 && !content.contains('"') {
            keys.push((0, content));
        }
        for (at, key) in keys {
            self.key_use(n, start + at, key);
        }
    }

    /// A reserved `extra` key written at byte `at`, inside the node `within`.
    fn key_use(&mut self, within: Node<'a>, at: usize, key: &str) {
        let Some((reserved, distinctive)) = rules::reserved_key(key) else { return };
        let in_invite = ancestors(within).take(12).any(|a| {
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
        self.push_at(within, at, key, Item::from_key(reserved), confidence);
    }

    fn push_row(&mut self, at: Node<'a>, row: &CatalogEntry, confidence: Confidence) {
        self.push(at, Item::from_row(row), confidence);
    }

    fn push(&mut self, at: Node<'a>, item: Item, confidence: Confidence) {
        self.push_at(at, at.start_byte(), text(at, self.src), item, confidence);
    }

    /// Records a use of `item`, written as `written` at byte `at` of the file, inside `node`.
    fn push_at(&mut self, node: Node<'a>, at: usize, written: &str, item: Item, confidence: Confidence) {
        let inside = &self.src[node.start_byte()..at];
        let line = node.start_position().row + inside.bytes().filter(|&b| b == b'\n').count() + 1;
        let before = &self.src[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        self.out.push(Finding {
            path: self.path.clone(),
            line,
            column: before[line_start..].chars().count() + 1,
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

/// Whether an object is the one whose method runs (`this`, `self`, and the weak copies of
/// `self` that Objective-C and Swift blocks capture).
fn is_self(n: Node<'_>, src: &str) -> bool {
    matches!(
        text(syntax::unwrap(n), src),
        "this" | "self" | "weakSelf" | "strongSelf" | "wself" | "_this" | "that"
    )
}

/// Whether an object is the page's global object (`window.Signal`, `globalThis.Signal`).
fn is_global(n: Node<'_>, src: &str) -> bool {
    matches!(text(syntax::unwrap(n), src), "window" | "globalThis" | "self")
}

fn ancestors(n: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(n.parent(), |p| p.parent())
}
