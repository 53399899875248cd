//! JSON lines: one JSON object per line, flattened the way Splunk names JSON fields.
//!
//! Field names follow `spath` and `KV_MODE = json` (Search Reference, `spath`: a location
//! path is location steps separated by periods, and `{}` marks an array, as in the
//! documented `commits{}.author.name`):
//!
//! | JSON | fields |
//! |---|---|
//! | `{"user":"alice"}` | `user = alice` |
//! | `{"outcome":{"result":"SUCCESS"}}` | `outcome.result = SUCCESS` |
//! | `{"tags":["a","b"]}` | `tags{} = [a, b]` |
//! | `{"target":[{"type":"User"},{"type":"App"}]}` | `target{}.type = [User, App]` |
//! | `{"m":[[1,2],[3]]}` | `m{}{} = [1, 2, 3]` |
//! | `{"n":1.50,"ok":true}` | `n = 1.50`, `ok = true` (the JSON text of the number or bool) |
//! | `{"gone":null}`, `{"e":[]}`, `{"o":{}}` | no field |
//!
//! Values keep array order; a name met again (a repeated key, or an array of objects)
//! adds values, so a field is multivalued exactly when it has several values. Strings are
//! unescaped. `_raw` is the line exactly as read, without its line terminator. A top-level
//! `_raw` key is ignored (the line is `_raw`). Blank lines are skipped without being
//! events or errors; a line that is not a JSON object is a skipped event with its line
//! and column. The event's index is its 0-based line number.
//!
//! The flattener reads a line once, left to right, and keeps the objects and arrays open
//! around the value it reads on a stack of its own, not on the call stack: time is linear
//! in the line, and nesting uses no call stack. A line nested deeper than
//! [`Limits::max_depth`](super::Limits::max_depth) (or over any other of the
//! [`Limits`](super::Limits)) is a skipped event that names the limit.

use std::borrow::Cow;

use serde::de;

use super::input::{Line, Lines};
use super::{EventError, FieldSink, Limit, ReadError, ReadEvent};
use crate::event::Draft;
use crate::json::find_special;

/// Reads JSON lines; see the module docs.
pub(crate) struct JsonReader<'a> {
    lines: Lines<'a>,
    sink: FieldSink,
    flattener: Flattener,
    /// How many fields the last line gave.
    fields_hint: usize,
}

impl<'a> JsonReader<'a> {
    pub(crate) fn new(lines: Lines<'a>, sink: FieldSink) -> Self {
        JsonReader {
            lines,
            sink,
            flattener: Flattener::default(),
            fields_hint: 0,
        }
    }
}

impl Iterator for JsonReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, bytes) = match self.lines.next_line()? {
                Ok(line) => line,
                Err(e) => return Some(Err(e)),
            };
            let index = line - 1;
            let fail = |reason| {
                Err(ReadError::Event {
                    index,
                    line,
                    reason,
                })
            };
            let bytes = match bytes {
                Line::Text(bytes) => bytes,
                Line::TooLong => return Some(fail(self.sink.over(Limit::EventBytes))),
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    return Some(fail(EventError::Utf8 {
                        offset: e.valid_up_to(),
                    }))
                }
            };
            // Room for as many fields as the last line had: lines of one file tend to be
            // alike, and the record then grows in one step, not one per doubling.
            let mut record = Draft::with_capacity(self.fields_hint);
            record.set_raw(text);
            self.sink.start();
            let flattened = self.flattener.flatten(text, &mut self.sink, &mut record);
            // (Capped: one huge line does not make every later record huge.)
            self.fields_hint = record.len().min(256);
            return Some(match flattened {
                // A top-level `_raw` key was passed over: the line stays `_raw`.
                Ok(()) => Ok(ReadEvent {
                    record: record.finish(),
                    index,
                    line,
                    dropped: self.sink.dropped(),
                }),
                Err(reason) => fail(reason),
            });
        }
    }
}

/// The flattener's buffers, kept from one line to the next.
#[derive(Debug, Default)]
pub(crate) struct Flattener {
    /// The field name of the value being read (`a.b{}.c`).
    path: String,
    /// The objects and arrays open around it, innermost last.
    stack: Vec<Frame>,
    /// Room for strings with escapes.
    scratch: String,
}

/// An object or array being read.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// True for an array.
    array: bool,
    /// The length of `path` to restore at its end.
    restore: usize,
    /// The length of `path` that its members' or items' names extend.
    base: usize,
    /// True until its first member or item.
    first: bool,
    /// Inside the value of a top-level `_raw` key: read, but give no field.
    ignored: bool,
}

/// A syntax error: where, and what.
#[derive(Debug)]
struct Fault(usize, &'static str);

impl Flattener {
    /// Flatten one JSON object (the text of a whole line) into `record`.
    pub(crate) fn flatten(
        &mut self,
        text: &str,
        sink: &mut FieldSink,
        record: &mut Draft,
    ) -> Result<(), EventError> {
        let bytes = text.as_bytes();
        let start = skip_ws(bytes, 0);
        if bytes.get(start) != Some(&b'{') {
            return Err(not_an_object(text, bytes.get(start).copied()));
        }
        self.path.clear();
        self.stack.clear();
        let mut parser = Parser {
            text,
            bytes,
            pos: start,
        };
        match self.read(&mut parser, sink, record) {
            Ok(result) => result,
            Err(Fault(at, message)) => Err(EventError::Json {
                // As serde_json: the column of the byte at fault, or of the last byte when
                // the line ends too soon.
                column: at.min(bytes.len().saturating_sub(1)) + 1,
                message: message.to_owned(),
            }),
        }
    }

    /// Read the object at `p.pos` to the end of the line: `Err` for a syntax error,
    /// `Ok(Err)` for an event over a limit.
    fn read(
        &mut self,
        p: &mut Parser<'_>,
        sink: &mut FieldSink,
        record: &mut Draft,
    ) -> Result<Result<(), EventError>, Fault> {
        let max_depth = sink.limits().max_depth;
        let mut ignored = false;
        loop {
            // One value at `p.pos`, named `self.path`.
            let leaf: Option<Cow<'_, str>> = match p.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if self.stack.len() >= max_depth {
                        return Ok(Err(sink.over(Limit::Depth)));
                    }
                    p.pos += 1;
                    let restore = self.path.len();
                    let array = open == b'[';
                    if array {
                        self.path.push_str("{}");
                    }
                    self.stack.push(Frame {
                        array,
                        restore,
                        base: self.path.len(),
                        first: true,
                        ignored,
                    });
                    None
                }
                Some(b'"') => Some(p.string(&mut self.scratch)?),
                Some(b't') => Some(Cow::Borrowed(p.literal("true")?)),
                Some(b'f') => Some(Cow::Borrowed(p.literal("false")?)),
                Some(b'n') => {
                    // `null` gives no field.
                    p.literal("null")?;
                    None
                }
                Some(b'-' | b'0'..=b'9') => Some(Cow::Borrowed(p.number()?)),
                Some(_) => return Err(Fault(p.pos, "expected value")),
                None => return Err(Fault(p.pos, "EOF while parsing a value")),
            };
            if let Some(value) = leaf {
                if !ignored {
                    if let Err(e) = sink.push(record, &self.path, value.into_owned()) {
                        return Ok(Err(e));
                    }
                }
            }
            // Close what ends here, then move to the next value.
            loop {
                p.pos = skip_ws(p.bytes, p.pos);
                let Some(frame) = self.stack.last().copied() else {
                    if p.pos < p.bytes.len() {
                        return Err(Fault(p.pos, "trailing characters"));
                    }
                    return Ok(Ok(()));
                };
                let (close, eof) = if frame.array {
                    (b']', "EOF while parsing a list")
                } else {
                    (b'}', "EOF while parsing an object")
                };
                if p.peek() == Some(close) {
                    p.pos += 1;
                    self.path.truncate(frame.restore);
                    self.stack.pop();
                    continue;
                }
                if !frame.first {
                    match p.peek() {
                        Some(b',') => p.pos = skip_ws(p.bytes, p.pos + 1),
                        Some(_) if frame.array => return Err(Fault(p.pos, "expected `,` or `]`")),
                        Some(_) => return Err(Fault(p.pos, "expected `,` or `}`")),
                        None => return Err(Fault(p.pos, eof)),
                    }
                    if p.peek() == Some(close) {
                        return Err(Fault(p.pos, "trailing comma"));
                    }
                }
                if let Some(top) = self.stack.last_mut() {
                    top.first = false;
                }
                ignored = frame.ignored;
                self.path.truncate(frame.base);
                if !frame.array {
                    match p.peek() {
                        Some(b'"') => {}
                        Some(_) => return Err(Fault(p.pos, "key must be a string")),
                        None => return Err(Fault(p.pos, eof)),
                    }
                    let key = p.string(&mut self.scratch)?;
                    if frame.base > 0 {
                        self.path.push('.');
                    } else if self.stack.len() == 1 && key == "_raw" {
                        ignored = true;
                    }
                    self.path.push_str(&key);
                    p.pos = skip_ws(p.bytes, p.pos);
                    match p.peek() {
                        Some(b':') => p.pos = skip_ws(p.bytes, p.pos + 1),
                        Some(_) => return Err(Fault(p.pos, "expected `:`")),
                        None => return Err(Fault(p.pos, eof)),
                    }
                } else if p.peek().is_none() {
                    return Err(Fault(p.pos, eof));
                }
                break;
            }
        }
    }
}

/// The error for a line that does not start with `{`: invalid JSON, or JSON that is not
/// an object. (serde_json's own recursion limit bounds this check.)
fn not_an_object(text: &str, first: Option<u8>) -> EventError {
    if let Err(e) = serde_json::from_str::<de::IgnoredAny>(text) {
        // serde_json's message ends with " at line L column C"; the column is kept apart.
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        return EventError::Json {
            column: e.column(),
            message,
        };
    }
    let found = match first {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        _ => "a number",
    };
    EventError::NotAnObject { found }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// A cursor over one line of JSON text.
struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// `true`, `false` or `null` at `pos`.
    fn literal(&mut self, word: &'static str) -> Result<&'static str, Fault> {
        for (i, want) in word.bytes().enumerate() {
            match self.bytes.get(self.pos + i) {
                Some(&b) if b == want => {}
                Some(_) => return Err(Fault(self.pos + i, "expected ident")),
                None => return Err(Fault(self.pos + i, "EOF while parsing a value")),
            }
        }
        self.pos += word.len();
        Ok(word)
    }

    /// A number at `pos`, as written.
    fn number(&mut self) -> Result<&'t str, Fault> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            if p.pos == from {
                Err(Fault(p.pos, "invalid number"))
            } else {
                Ok(())
            }
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            _ => digits(self)?,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            digits(self)?;
        }
        Ok(&self.text[start..self.pos])
    }

    /// The string at `pos` (on its opening quote), unescaped: borrowed from the line
    /// when it has no escape, else built in `scratch`.
    fn string<'s>(&mut self, scratch: &'s mut String) -> Result<Cow<'s, str>, Fault>
    where
        't: 's,
    {
        let start = self.pos + 1;
        let mut at = start;
        let mut escaped = false;
        loop {
            let Some(i) = find_special(&self.bytes[at..]) else {
                return Err(Fault(self.bytes.len(), "EOF while parsing a string"));
            };
            let end = at + i;
            let special = self.bytes[end];
            if special < 0x20 {
                return Err(Fault(
                    end,
                    "control character (\\u0000-\\u001F) found while parsing a string",
                ));
            }
            if !escaped && special == b'"' {
                self.pos = end + 1;
                return Ok(Cow::Borrowed(&self.text[start..end]));
            }
            if !escaped {
                scratch.clear();
                escaped = true;
            }
            // Quotes and backslashes are ASCII: `at..end` lies on character boundaries.
            scratch.push_str(&self.text[at..end]);
            if special == b'"' {
                self.pos = end + 1;
                return Ok(Cow::Borrowed(scratch.as_str()));
            }
            at = self.escape(end + 1, scratch)?;
        }
    }

    /// Decode the escape whose letter is at `at` into `out`; the offset after it.
    fn escape(&self, at: usize, out: &mut String) -> Result<usize, Fault> {
        let Some(&letter) = self.bytes.get(at) else {
            return Err(Fault(at, "EOF while parsing a string"));
        };
        let c = match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4(at + 1)?;
                let (c, next) = match unit {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(at + 5..at + 7) != Some(b"\\u") {
                            return Err(Fault(at + 5, "lone leading surrogate in hex escape"));
                        }
                        let low = self.hex4(at + 7)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Fault(at + 7, "lone leading surrogate in hex escape"));
                        }
                        let code = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        (char::from_u32(code), at + 11)
                    }
                    _ => (char::from_u32(u32::from(unit)), at + 5),
                };
                let Some(c) = c else {
                    return Err(Fault(at, "invalid unicode code point"));
                };
                out.push(c);
                return Ok(next);
            }
            _ => return Err(Fault(at, "invalid escape")),
        };
        out.push(c);
        Ok(at + 1)
    }

    /// Four hex digits at `at`.
    fn hex4(&self, at: usize) -> Result<u16, Fault> {
        let mut unit = 0u16;
        for i in at..at + 4 {
            let digit = match self.bytes.get(i) {
                Some(&b) => (b as char).to_digit(16),
                None => return Err(Fault(i, "EOF while parsing a string")),
            };
            let Some(digit) = digit else {
                return Err(Fault(i, "invalid escape"));
            };
            unit = unit * 16 + digit as u16;
        }
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn fields(text: &str) -> Result<Vec<(String, Value)>, EventError> {
        let mut record = Draft::default();
        let mut sink = FieldSink::new(crate::read::Limits::default());
        Flattener::default().flatten(text, &mut sink, &mut record)?;
        Ok(record
            .finish()
            .iter()
            .map(|(f, v)| (f.name().to_owned(), v.clone()))
            .collect())
    }

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    fn m(v: &[&str]) -> Value {
        Value::Multi(v.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn flattening_names() {
        let got = fields(
            r#"{"user":"alice","outcome":{"result":"SUCCESS","detail":{"code":7}},"tags":["a","b"],
               "target":[{"type":"User","id":"u1"},{"type":"App"}],"m":[[1,2],[3]],"n":1.50,"ok":true,
               "gone":null,"e":[],"o":{},"esc\"aped":"line\nbreak \u00e9"}"#,
        )
        .expect("valid");
        let want = vec![
            ("user".to_owned(), s("alice")),
            ("outcome.result".to_owned(), s("SUCCESS")),
            ("outcome.detail.code".to_owned(), s("7")),
            ("tags{}".to_owned(), m(&["a", "b"])),
            ("target{}.type".to_owned(), m(&["User", "App"])),
            ("target{}.id".to_owned(), s("u1")),
            ("m{}{}".to_owned(), m(&["1", "2", "3"])),
            ("n".to_owned(), s("1.50")),
            ("ok".to_owned(), s("true")),
            ("esc\"aped".to_owned(), s("line\nbreak é")),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn not_objects() {
        assert_eq!(
            fields("[1,2]"),
            Err(EventError::NotAnObject { found: "an array" })
        );
        assert_eq!(
            fields("42"),
            Err(EventError::NotAnObject { found: "a number" })
        );
        assert_eq!(
            fields("null"),
            Err(EventError::NotAnObject { found: "null" })
        );
        match fields(r#"{"a":1,}"#) {
            Err(EventError::Json { column, message }) => {
                assert_eq!(column, 8);
                assert!(message.contains("trailing comma"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            fields(r#"{"a":1} x"#),
            Err(EventError::Json { .. })
        ));
        assert!(matches!(fields("nope"), Err(EventError::Json { .. })));
    }

    #[test]
    fn top_level_raw_key_is_ignored_nested_kept() {
        let got = fields(r#"{"_raw":"x","a":{"_raw":"y"}}"#).expect("valid");
        assert_eq!(got, vec![("a._raw".to_owned(), s("y"))]);
    }
}
