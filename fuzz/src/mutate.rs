//! Mutations of parser inputs, each driven by a string of choice bytes.
//!
//! The fuzz targets (this crate) and the proptest cases of the core and of the legacy endpoint
//! (which include this file with `#[path]`) share it: under libFuzzer the fuzzer picks the bytes,
//! in `cargo test` proptest does, and the same bytes always make the same input. It needs serde
//! and serde_json only, which every including crate already has.
//!
//! - [`mutate_json`]: a JSON text's members reordered, duplicated, dropped, renamed or added,
//!   values replaced by edge values (numbers at the limits of `u64` / `i64`, escapes such as
//!   `\u0000` and surrogate pairs, nested or deep JSON), written back with or without escapes,
//!   then cut and spliced as text.
//! - [`mutate_text`]: cuts, insertions and removals at character boundaries (for tokens).
//! - [`mutate_bytes`]: the same on bytes, plus little-endian length fields set to edge values
//!   (for the binary bodies of tokens).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt::{self, Write as _};

/// Choices read from a byte string; past its end every choice is 0.
pub struct Choices<'a> {
    bytes: &'a [u8],
}

impl<'a> Choices<'a> {
    /// Choices from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The next byte (0 once they run out).
    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let mut v = usize::from(self.byte());
        if n > 256 {
            v = v << 8 | usize::from(self.byte());
        }
        v % n
    }

    /// True once every byte was read.
    pub fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// A JSON value that keeps its members in order, duplicates included, and numbers as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (possibly out of any range: `1e400`, `18446744073709551616`).
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, members in order.
    Obj(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Num(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Num(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Num(serde_json::Number::from_f64(v).map_or_else(|| "0".to_owned(), |n| n.to_string())))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Json::Obj(members))
    }
}

/// How a [`Json`] is written back.
#[derive(Debug, Clone, Copy, Default)]
struct Style {
    /// Every character of keys as `\uXXXX`.
    escape_keys: bool,
    /// Every non-ASCII character of strings as `\uXXXX` (surrogate pairs past the BMP).
    escape_non_ascii: bool,
    /// Whitespace around every `:` and `,`.
    spaced: bool,
}

impl Style {
    fn pick(c: &mut Choices<'_>) -> Self {
        let b = c.byte();
        Self { escape_keys: b & 1 != 0, escape_non_ascii: b & 2 != 0, spaced: b & 4 != 0 }
    }
}

fn write_str(out: &mut String, s: &str, escape_all: bool, escape_non_ascii: bool) {
    out.push('"');
    for ch in s.chars() {
        if escape_all || (escape_non_ascii && !ch.is_ascii()) {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

fn write_json(out: &mut String, v: &Json, style: Style) {
    let (colon, comma) = if style.spaced { (" : ", " , ") } else { (":", ",") };
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => write_str(out, s, false, style.escape_non_ascii),
        Json::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                write_json(out, item, style);
            }
            out.push(']');
        }
        Json::Obj(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                write_str(out, k, style.escape_keys, style.escape_non_ascii);
                out.push_str(colon);
                write_json(out, item, style);
            }
            out.push('}');
        }
    }
}

impl Json {
    /// The JSON text, written compactly with escapes only where JSON needs them.
    pub fn text(&self) -> String {
        let mut out = String::new();
        write_json(&mut out, self, Style::default());
        out
    }
}

/// Member names the frames of sigshim and of the legacy endpoint use, and a few they do not.
#[rustfmt::skip]
pub const KEYS: &[&str] = &[
    "id", "op", "seq", "event", "reply", "message", "type", "text", "data", "description", "peer_id",
    "channel_id", "user_id", "options", "offline", "server_ts", "message_id", "code", "error", "detail",
    "session", "last_seq", "app_id", "token", "call", "args", "ack", "resume", "kind", "by", "x", "",
];

/// Numbers at the edges of the integer types, and some that are no integer at all.
#[rustfmt::skip]
pub const NUMBERS: &[&str] = &[
    "0", "-0", "1", "-1", "255", "65535", "65536", "2147483647", "2147483648", "-2147483649", "4294967295",
    "4294967296", "9223372036854775807", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "1.0", "0.5", "1e2", "1E-2", "-0.0", "1e400", "-1e400",
    "123456789012345678901234567890",
];

/// Strings with escapes, odd characters, and the tag values the readers look for.
#[rustfmt::skip]
pub const STRINGS: &[&str] = &[
    "", "\u{0}", "\u{1f600}", "é", "\u{feff}", "\u{ffff}", "\\", "\"", "\n", "text", "raw", "AP8=", "A",
    "====", "send_peer_message", "send_channel_message", "peer_message", "channel_message", "message_sent",
    "ok", "error", "kicked", "ack", "login", "resume", "logout", "ping", "login2", "channelJoin",
    "messageInstantSend", "\"op\":\"send_peer_message\"", "\"event\":\"peer_message\"",
    "\"reply\":\"message_sent\"",
];

/// A value from the pools, or a nested one.
fn pool_value(c: &mut Choices<'_>) -> Json {
    match c.below(9) {
        0 => Json::Num(NUMBERS[c.below(NUMBERS.len())].to_owned()),
        1 | 2 => Json::Str(STRINGS[c.below(STRINGS.len())].to_owned()),
        3 => Json::Null,
        4 => Json::Bool(c.byte() & 1 == 1),
        5 => Json::Arr(vec![Json::Num("1".into()), Json::Str("x".into())]),
        6 => Json::Obj(vec![
            ("type".into(), Json::Str("text".into())),
            ("text".into(), Json::Str("hi".into())),
        ]),
        7 => {
            // Nesting around the depth limit of serde_json (128).
            let depth = [2, 127, 128, 129, 200][c.below(5)];
            let mut v = Json::Null;
            for i in 0..depth {
                v = if i % 2 == 0 { Json::Arr(vec![v]) } else { Json::Obj(vec![("a".into(), v)]) };
            }
            v
        }
        _ => Json::Str("a".repeat(1 + c.below(300))),
    }
}

/// Every object and array of `v`, depth first, as paths of child indices.
fn containers(v: &Json, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    match v {
        Json::Obj(members) => {
            out.push(path.clone());
            for (i, (_, child)) in members.iter().enumerate() {
                path.push(i);
                containers(child, path, out);
                path.pop();
            }
        }
        Json::Arr(items) => {
            out.push(path.clone());
            for (i, child) in items.iter().enumerate() {
                path.push(i);
                containers(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Json, path: &[usize]) -> &'v mut Json {
    match path.split_first() {
        None => v,
        Some((&i, rest)) => match v {
            Json::Obj(members) => at(&mut members[i].1, rest),
            Json::Arr(items) => at(&mut items[i], rest),
            _ => v,
        },
    }
}

/// Changes one object (or array) of `v`.
fn mutate_tree(v: &mut Json, c: &mut Choices<'_>) {
    let mut all = Vec::new();
    containers(v, &mut Vec::new(), &mut all);
    if all.is_empty() {
        *v = pool_value(c);
        return;
    }
    // The top level most often: that is where the frames' own members are.
    let path = if c.byte() < 128 { Vec::new() } else { all[c.below(all.len())].clone() };
    let target = at(v, &path);
    if c.below(16) == 0 {
        // An object as the array of its values, which a derived struct would also read.
        if let Json::Obj(members) = target {
            *target = Json::Arr(members.drain(..).map(|(_, v)| v).collect());
            return;
        }
    }
    match target {
        Json::Obj(members) => mutate_members(members, c),
        Json::Arr(items) => match c.below(3) {
            0 if !items.is_empty() => {
                let i = c.below(items.len());
                items.remove(i);
            }
            1 if !items.is_empty() => {
                let i = c.below(items.len());
                items[i] = pool_value(c);
            }
            _ => items.push(pool_value(c)),
        },
        _ => {}
    }
}

fn mutate_members(members: &mut Vec<(String, Json)>, c: &mut Choices<'_>) {
    let n = members.len();
    let i = c.below(n.max(1));
    match c.below(11) {
        // Reordered members.
        0 if n > 1 => {
            let j = c.below(n);
            members.swap(i, j);
        }
        1 => members.reverse(),
        // A member twice, with the same value or another.
        2 if n > 0 => {
            let dup = members[i].clone();
            let j = c.below(n + 1);
            members.insert(j, dup);
        }
        3 if n > 0 => {
            let key = members[i].0.clone();
            let j = c.below(n + 1);
            members.insert(j, (key, pool_value(c)));
        }
        // A member less.
        4 if n > 0 => {
            members.remove(i);
        }
        // A member more: a name the frames use or one they do not.
        5 | 6 => {
            let key = KEYS[c.below(KEYS.len())].to_owned();
            let j = c.below(n + 1);
            members.insert(j, (key, pool_value(c)));
        }
        // A value replaced.
        7 | 8 if n > 0 => members[i].1 = pool_value(c),
        // A value wrapped in an array or an object.
        9 if n > 0 => {
            let inner = std::mem::replace(&mut members[i].1, Json::Null);
            members[i].1 =
                if c.byte() & 1 == 0 { Json::Arr(vec![inner]) } else { Json::Obj(vec![("v".into(), inner)]) };
        }
        // A name changed: another case, a character more, or empty.
        10 if n > 0 => {
            let key = &mut members[i].0;
            match c.below(3) {
                0 => *key = key.to_uppercase(),
                1 => key.push(['_', ' ', '\u{0}', 'é'][c.below(4)]),
                _ => key.clear(),
            }
        }
        _ => {
            let key = KEYS[c.below(KEYS.len())].to_owned();
            members.push((key, pool_value(c)));
        }
    }
}

/// Pieces of text spliced into a frame: escapes, quotes, brackets, odd characters.
#[rustfmt::skip]
pub const SNIPPETS: &[&str] = &[
    "\\u0000", "\\ud83d\\ude00", "\\ud83d", "\\udc00", "\\u00e9", "\\u0022", "\\\"", "\\", "\\x", "é",
    "\u{1f600}", "\u{0}", "\u{ffff}", "\"", "{", "}", "[", "]", ",", ":", " ", "\n", "null", "-", "0", "e",
    "1e400", "18446744073709551616", "\"x\":1,", ",\"x\":1", "{\"a\":[1,{\"b\":null}]}",
];

fn char_boundary(s: &str, c: &mut Choices<'_>) -> usize {
    let count = s.chars().count();
    let k = c.below(count + 1);
    s.char_indices().nth(k).map_or(s.len(), |(i, _)| i)
}

fn text_op(mut s: String, c: &mut Choices<'_>) -> String {
    let at = char_boundary(&s, c);
    match c.below(5) {
        // Cut short.
        0 => s.truncate(at),
        // Something spliced in.
        1 | 2 => s.insert_str(at, SNIPPETS[c.below(SNIPPETS.len())]),
        // A few characters gone.
        3 => {
            let rest = &s[at..];
            let n = 1 + c.below(8);
            let end = rest.char_indices().nth(n).map_or(s.len(), |(i, _)| at + i);
            s.replace_range(at..end, "");
        }
        // A piece repeated.
        _ => {
            let rest = &s[at..];
            let n = 1 + c.below(16);
            let end = rest.char_indices().nth(n).map_or(s.len(), |(i, _)| at + i);
            let piece = s[at..end].to_owned();
            s.insert_str(at, &piece);
        }
    }
    s
}

/// `seed` changed by up to three tree mutations (when it is JSON), written back in a picked
/// style, then by up to two text mutations. No choices leave `seed` as it is.
pub fn mutate_json(seed: &str, choices: &[u8]) -> String {
    let mut c = Choices::new(choices);
    if c.is_done() {
        return seed.to_owned();
    }
    let tree_ops = c.below(4);
    let mut text = match serde_json::from_str::<Json>(seed) {
        Ok(mut tree) if tree_ops > 0 => {
            for _ in 0..tree_ops {
                mutate_tree(&mut tree, &mut c);
            }
            let mut out = String::new();
            write_json(&mut out, &tree, Style::pick(&mut c));
            out
        }
        _ => seed.to_owned(),
    };
    for _ in 0..c.below(3) {
        text = text_op(text, &mut c);
    }
    text
}

/// `seed` changed by one to four text mutations.
pub fn mutate_text(seed: &str, choices: &[u8]) -> String {
    let mut c = Choices::new(choices);
    if c.is_done() {
        return seed.to_owned();
    }
    let mut text = seed.to_owned();
    for _ in 0..=c.below(4) {
        text = text_op(text, &mut c);
    }
    text
}

/// `seed` changed by one to four byte mutations: cuts, insertions, removals, flipped bits, and
/// 16- or 32-bit little-endian fields set to edge values (the lengths and counts of tokens).
pub fn mutate_bytes(seed: &[u8], choices: &[u8]) -> Vec<u8> {
    let mut c = Choices::new(choices);
    let mut out = seed.to_vec();
    if c.is_done() {
        return out;
    }
    for _ in 0..=c.below(4) {
        let at = c.below(out.len() + 1);
        match c.below(7) {
            0 => out.truncate(at),
            1 => {
                let b = c.byte();
                out.insert(at, b);
            }
            2 => {
                let end = (at + 1 + c.below(8)).min(out.len());
                out.drain(at..end);
            }
            3 if at < out.len() => out[at] ^= 1 << c.below(8),
            4 if at + 2 <= out.len() => {
                let v: u16 = [0, 1, 2, 32, 0x7fff, 0x8000, 0xfffe, 0xffff][c.below(8)];
                out[at..at + 2].copy_from_slice(&v.to_le_bytes());
            }
            5 if at + 4 <= out.len() => {
                let v: u32 = [0, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX][c.below(5)];
                out[at..at + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ => {
                let end = (at + 1 + c.below(16)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
        }
    }
    out
}
