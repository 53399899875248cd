//! JSON documents for the eval JSON functions (`json_object`, `json_extract`, `spath`,
//! ...): a parsed tree that keeps the order of object members as written, its compact
//! text, and the paths of Splunk's JSON functions.
//!
//! A path is dot-separated keys, each optionally followed by array positions in braces:
//! `user.roles{0}.name`, `{1}`, `items{-1}` (negative positions count from the end);
//! `{}` stands for every element (what `spath` and `json_extract` expand).

use std::fmt::Write as _;

use crate::value::format_number;

/// The most nested arrays and objects a document may have (deeper text is not parsed).
const MAX_DEPTH: usize = 256;

/// A JSON value; object members in document order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written in the source (or as eval prints it).
    Num(String),
    /// A string, unescaped.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, members in order (a repeated key keeps its last value, in its first
    /// place).
    Obj(Vec<(String, Json)>),
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str) -> bool {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.b.get(self.i)? {
            b'n' => self.literal("null").then_some(Json::Null),
            b't' => self.literal("true").then_some(Json::Bool(true)),
            b'f' => self.literal("false").then_some(Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Some(Json::Arr(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut members: Vec<(String, Json)> = Vec::new();
                if self.eat(b'}') {
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    set_member(&mut members, key, v);
                    if self.eat(b'}') {
                        return Some(Json::Obj(members));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return None,
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        Some(Json::Num(text.to_owned()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.i..self.i + 4)?;
        let h = std::str::from_utf8(h).ok()?;
        let v = u32::from_str_radix(h, 16).ok()?;
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return None;
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }
}

/// Set `key` in an object's members: replaced in place when present, else added last.
pub fn set_member(members: &mut Vec<(String, Json)>, key: String, v: Json) {
    match members.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = v,
        None => members.push((key, v)),
    }
}

impl Json {
    /// Parse a whole text as one JSON value (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            b: text.as_bytes(),
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.b.len()).then_some(v)
    }

    /// A number as JSON.
    pub fn number(n: f64) -> Json {
        if n.is_finite() {
            Json::Num(format_number(n))
        } else {
            Json::Null
        }
    }

    /// The compact JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_string(out, s),
            Json::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The member `key` of an object.
    pub fn member(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element (negative: from the end).
    Index(i64),
    /// Every element of an array.
    All,
}

/// The steps of a path (`a.b{0}.c`, `{}`); `None` when it is malformed. An empty path
/// has no steps (the whole document).
pub fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    if path.is_empty() {
        return Some(steps);
    }
    for part in path.split('.') {
        let (key, mut rest) = match part.find('{') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        } else if rest.is_empty() {
            return None;
        }
        while !rest.is_empty() {
            let close = rest.find('}')?;
            let inner = rest.get(1..close)?;
            steps.push(if inner.is_empty() {
                Step::All
            } else {
                Step::Index(inner.trim_ascii().parse().ok()?)
            });
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('{') {
                return None;
            }
        }
    }
    Some(steps)
}

fn index_of(len: usize, i: i64) -> Option<usize> {
    let n = len as i64;
    let i = if i < 0 { n + i } else { i };
    (0..n).contains(&i).then_some(i as usize)
}

/// Every value the path leads to (several only through `{}`), in document order.
pub fn select<'j>(doc: &'j Json, steps: &[Step], out: &mut Vec<&'j Json>) {
    let Some((first, rest)) = steps.split_first() else {
        out.push(doc);
        return;
    };
    match (first, doc) {
        (Step::Key(k), Json::Obj(_)) => {
            if let Some(v) = doc.member(k) {
                select(v, rest, out);
            }
        }
        // A key applied to an array looks in each of its elements, as `spath` does.
        (Step::Key(_), Json::Arr(items)) => {
            for item in items {
                select(item, steps, out);
            }
        }
        (Step::Index(i), Json::Arr(items)) => {
            if let Some(v) = index_of(items.len(), *i).and_then(|i| items.get(i)) {
                select(v, rest, out);
            }
        }
        (Step::All, Json::Arr(items)) => {
            for item in items {
                select(item, rest, out);
            }
        }
        _ => {}
    }
}

/// The value at a path, for changing it; missing object members on the way are created
/// when `create` (a missing array element never is).
pub fn select_mut<'j>(doc: &'j mut Json, steps: &[Step], create: bool) -> Option<&'j mut Json> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(doc);
    };
    match (first, doc) {
        (Step::Key(k), Json::Obj(members)) => {
            let at = match members.iter().position(|(m, _)| m == k) {
                Some(at) => at,
                None if create => {
                    let fresh = if rest.is_empty() {
                        Json::Null
                    } else {
                        Json::Obj(Vec::new())
                    };
                    members.push((k.clone(), fresh));
                    members.len() - 1
                }
                None => return None,
            };
            select_mut(&mut members.get_mut(at)?.1, rest, create)
        }
        (Step::Index(i), Json::Arr(items)) => {
            let at = index_of(items.len(), *i)?;
            select_mut(items.get_mut(at)?, rest, create)
        }
        _ => None,
    }
}

/// Remove the value at a path; true when there was one.
pub fn delete(doc: &mut Json, steps: &[Step]) -> bool {
    let Some((last, parent)) = steps.split_last() else {
        return false;
    };
    let Some(container) = select_mut(doc, parent, false) else {
        return false;
    };
    match (last, container) {
        (Step::Key(k), Json::Obj(members)) => {
            let before = members.len();
            members.retain(|(m, _)| m != k);
            members.len() != before
        }
        (Step::Index(i), Json::Arr(items)) => match index_of(items.len(), *i) {
            Some(at) => {
                items.remove(at);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Every leaf of the JSON `text` (the `spath` command without a path): each scalar under
/// its path, members joined by `.`, array elements marked `{}` (`user.roles{}.name`);
/// several leaves of one path give its values in document order, names in order of first
/// appearance. Strings come out unescaped, other scalars as written; `null` and empty
/// objects and arrays give nothing. Empty when the text is not a JSON object or array.
pub fn leaves(text: &str) -> Vec<(String, Vec<String>)> {
    fn walk(j: &Json, path: &mut String, out: &mut Vec<(String, Vec<String>)>) {
        let value = match j {
            Json::Null => return,
            Json::Obj(members) => {
                for (key, v) in members {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    walk(v, path, out);
                    path.truncate(len);
                }
                return;
            }
            Json::Arr(items) => {
                let len = path.len();
                path.push_str("{}");
                for v in items {
                    walk(v, path, out);
                }
                path.truncate(len);
                return;
            }
            Json::Str(s) => s.clone(),
            other => other.to_text(),
        };
        match out.iter_mut().find(|(name, _)| name == path) {
            Some((_, values)) => values.push(value),
            None => out.push((path.clone(), vec![value])),
        }
    }
    let mut out = Vec::new();
    if let Some(doc @ (Json::Obj(_) | Json::Arr(_))) = Json::parse(text) {
        walk(&doc, &mut String::new(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_compactly_in_order() {
        let doc = Json::parse(
            r#" { "b": [1, 2.50, {"x": null}], "a": "q\"\u00e9\ud83d\ude00", "c": true } "#,
        )
        .expect("valid JSON");
        assert_eq!(
            doc.to_text(),
            r#"{"b":[1,2.50,{"x":null}],"a":"q\"é😀","c":true}"#
        );
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01",
            "1.",
            "\"\\x\"",
            "[1] 2",
            "nul",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(Json::parse(&deep), None);
    }

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("a.b{0}{-1}.c{}"),
            Some(vec![
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(0),
                Step::Index(-1),
                Step::Key("c".into()),
                Step::All,
            ])
        );
        assert_eq!(parse_path("a..b"), None);
        assert_eq!(parse_path("a{x}"), None);
        assert_eq!(parse_path("a{0}b"), None);
        let doc = Json::parse(r#"{"a":[{"n":1},{"n":2}]}"#).expect("valid JSON");
        let mut out = Vec::new();
        select(&doc, &parse_path("a{}.n").expect("path"), &mut out);
        assert_eq!(out.len(), 2);
    }
}
