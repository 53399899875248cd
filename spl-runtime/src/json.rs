//! Rows as JSON lines, and the one scan both JSON directions share.
//!
//! A row is written as one line holding a JSON object: `_rule` first, then the fields in
//! row order (a field of the row named `_rule` is left out: the row names its rule); a
//! multivalue field is an array of strings; a whole number of magnitude below 9e15 is
//! written as an integer, another finite number as a JSON number, and an infinite or
//! not-a-number value as its text.
//!
//! [`RowWriter`] writes rows this way and remembers the last row's fields as written: a
//! pack hands the same event to every rule it matches (the rows share their fields, see
//! [`Record`]), so an event that several rules return is turned into JSON once.
//!
//! ```
//! use spl_runtime::json::RowWriter;
//! use spl_runtime::Record;
//!
//! let mut row = Record::new();
//! row.set_named("user", "a\"b");
//! row.set_named("n", 3.0);
//! let mut out = Vec::new();
//! let mut writer = RowWriter::default();
//! writer.write(&mut out, "r1", &row).unwrap();
//! writer.write(&mut out, "r2", &row.clone()).unwrap();
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "{\"_rule\":\"r1\",\"user\":\"a\\\"b\",\"n\":3}\n{\"_rule\":\"r2\",\"user\":\"a\\\"b\",\"n\":3}\n"
//! );
//! ```

use std::io::{self, Write};

use crate::event::Record;
use crate::field::FieldId;
use crate::value::Value;

/// The position of the first byte of `bytes` that a JSON string cannot hold as it is: a
/// quote, a backslash or a control character (below 0x20); `None` when there is none.
///
/// Reads eight bytes at a time ([`special_in`]).
pub fn find_special(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if let Some(i) = special_in(u64::from_le_bytes(word)) {
            return Some(at + i);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| is_special(c))
        .map(|i| at + i)
}

/// Whether a JSON string must escape `c`.
#[inline(always)]
fn is_special(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

/// The place of the first byte of `word` (eight bytes, little-endian) that a JSON string
/// must escape: for each of the three tests, the classic "has a zero byte" bit trick
/// flags the lowest byte that passes exactly (flags above it may be false, and are never
/// read).
#[inline(always)]
fn special_in(x: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    const SPACES: u64 = ONES * 0x20;
    let q = x ^ QUOTES;
    let b = x ^ BACKSLASHES;
    let flags =
        ((x.wrapping_sub(SPACES) & !x) | (q.wrapping_sub(ONES) & !q) | (b.wrapping_sub(ONES) & !b))
            & HIGH;
    (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize)
}

/// The escape of `c` (a quote, a backslash or a control character), in the first bytes
/// of the array (as many as the second item says): `\n`, `\r`, `\t`, `\b`, `\f`, `\"`,
/// `\\`, else `\u00XX`.
#[inline(always)]
fn escape(c: u8) -> ([u8; 6], usize) {
    let short = match c {
        b'"' => b'"',
        b'\\' => b'\\',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0c => b'f',
        _ => 0,
    };
    if short != 0 {
        return ([b'\\', short, 0, 0, 0, 0], 2);
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let (hi, lo) = (HEX[usize::from(c >> 4)], HEX[usize::from(c & 0xf)]);
    ([b'\\', b'u', b'0', b'0', hi, lo], 6)
}

/// Write `s` as a JSON string: quoted, with quotes, backslashes and control characters
/// escaped ([`escape`]), everything else as it is.
pub fn write_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    let mut bytes = s.as_bytes();
    out.write_all(b"\"")?;
    while let Some(i) = find_special(bytes) {
        out.write_all(&bytes[..i])?;
        let (esc, len) = escape(bytes[i]);
        out.write_all(&esc[..len])?;
        bytes = &bytes[i + 1..];
    }
    out.write_all(bytes)?;
    out.write_all(b"\"")
}

/// Append `s` to `out` as a JSON string, as [`write_str`] writes it.
///
/// The bytes go eight at a time: a word without a byte to escape is one copy of eight
/// bytes; a word with one is copied too, cut back to the byte before it, and the escape
/// follows. A quote or backslash, dense in logs of JSON and Windows paths, costs a few
/// operations where a write of the run before it would cost a call.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    out.reserve(rest.len() + rest.len() / 8 + 2);
    out.push(b'"');
    while let Some(word) = rest.first_chunk::<8>() {
        let start = out.len();
        out.extend_from_slice(word);
        match special_in(u64::from_le_bytes(*word)) {
            None => rest = &rest[8..],
            Some(i) => {
                out.truncate(start + i);
                push_escape(out, rest[i]);
                rest = &rest[i + 1..];
            }
        }
    }
    for &c in rest {
        if is_special(c) {
            push_escape(out, c);
        } else {
            out.push(c);
        }
    }
    out.push(b'"');
}

/// Append the escape of `c` (see [`escape`]).
#[inline(always)]
fn push_escape(out: &mut Vec<u8>, c: u8) {
    // Copies of a fixed length, which compile to stores rather than a call.
    match escape(c) {
        ([a, b, ..], 2) => out.extend_from_slice(&[a, b]),
        (all, _) => out.extend_from_slice(&all),
    }
}

/// Write one row as a JSON line (see the [module documentation](self)).
pub fn write_row(out: &mut impl Write, rule: &str, row: &Record) -> io::Result<()> {
    let mut line = b"{\"_rule\":".to_vec();
    push_str(&mut line, rule);
    write_fields(&mut line, row, &mut Names::default());
    out.write_all(&line)
}

/// Append the fields of `row` after `_rule`, and the end of the line. Only the text of a
/// number that is not finite is allocated.
fn write_fields(out: &mut Vec<u8>, row: &Record, names: &mut Names) {
    for (field, value) in row.iter() {
        if !names.put(out, field) {
            continue;
        }
        match value {
            Value::Str(s) => push_str(out, s),
            // Writing to a `Vec` does not fail.
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                let _ = write!(out, "{}", *n as i64);
            }
            Value::Num(n) if n.is_finite() => {
                let _ = serde_json::to_writer(&mut *out, n);
            }
            Value::Num(_) => push_str(out, &value.to_string()),
            Value::Multi(values) => {
                out.push(b'[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    push_str(out, v);
                }
                out.push(b']');
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

/// Each field's name as JSON (`,"name":`), made once per field.
#[derive(Default)]
struct Names(Vec<Option<Box<[u8]>>>);

impl Names {
    /// Append the comma, name and colon that start `field` in a row; `false` (nothing
    /// appended) for `_rule`, `_rule_id` and `_rule_title`, which name the rule.
    fn put(&mut self, out: &mut Vec<u8>, field: FieldId) -> bool {
        let i = field.index() as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        let json = self.0[i].get_or_insert_with(|| {
            let name = field.name();
            if matches!(name, "_rule" | "_rule_id" | "_rule_title") {
                return Box::default();
            }
            let mut json = vec![b','];
            push_str(&mut json, name);
            json.push(b':');
            json.into_boxed_slice()
        });
        out.extend_from_slice(json);
        !json.is_empty()
    }
}

/// Writes rows as JSON lines, turning the fields of an event that several rules return
/// into JSON once (see the [module documentation](self)).
#[derive(Default)]
pub struct RowWriter {
    /// The last row written (kept, so that its fields cannot change or be freed while
    /// `fields` holds them as JSON).
    last: Option<Record>,
    /// The JSON of its fields, from the comma after `_rule` to the end of the line.
    fields: Vec<u8>,
    names: Names,
}

impl RowWriter {
    /// Write one row (the same bytes as [`write_row`]).
    pub fn write(&mut self, out: &mut impl Write, rule: &str, row: &Record) -> io::Result<()> {
        self.fields_of(row);
        out.write_all(b"{\"_rule\":")?;
        write_str(out, rule)?;
        out.write_all(&self.fields)
    }

    /// Turn the fields of `row` into JSON, unless they are those of the last row.
    fn fields_of(&mut self, row: &Record) {
        if !self
            .last
            .as_ref()
            .is_some_and(|last| last.shares_fields(row))
        {
            self.fields.clear();
            write_fields(&mut self.fields, row, &mut self.names);
            self.last = Some(row.clone());
        }
    }

    /// Write one row after `head`, members made once per rule by [`rule_head`] (the
    /// rule's name, id and title), instead of `_rule` alone.
    pub fn write_after(
        &mut self,
        out: &mut impl Write,
        head: &[u8],
        row: &Record,
    ) -> io::Result<()> {
        self.fields_of(row);
        out.write_all(b"{")?;
        out.write_all(head)?;
        out.write_all(&self.fields)
    }
}

/// The first members of a rule's rows for [`RowWriter::write_after`]: `_rule` (its
/// name), `_rule_id` and `_rule_title`. A field of the row with one of those names is
/// left out of the row, as `_rule` always is.
pub fn rule_head(name: &str, id: &str, title: &str) -> Vec<u8> {
    let mut head = b"\"_rule\":".to_vec();
    push_str(&mut head, name);
    head.extend_from_slice(b",\"_rule_id\":");
    push_str(&mut head, id);
    head.extend_from_slice(b",\"_rule_title\":");
    push_str(&mut head, title);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_line(row: &Record) -> String {
        let mut out = Vec::new();
        write_row(&mut out, "r\"1", row).expect("write to a Vec");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn json_rows_name_the_rule_first_and_keep_the_row_order() {
        let mut row = Record::new();
        row.set_named("zeta", "a\"b\\c\td\u{1}");
        row.set_named("_rule", "from the event");
        row.set_named("alpha", 3.0);
        row.set_named("big", 9.0e15);
        row.set_named("half", -0.5);
        row.set_named("inf", f64::INFINITY);
        row.set_named("nan", f64::NAN);
        row.push_named("mv", "x");
        row.push_named("mv", "é\"");
        row.set_named("empty", "");
        assert_eq!(
            json_line(&row),
            "{\"_rule\":\"r\\\"1\",\"zeta\":\"a\\\"b\\\\c\\td\\u0001\",\"alpha\":3,\
             \"big\":9000000000000000.0,\"half\":-0.5,\"inf\":\"inf\",\"nan\":\"nan\",\
             \"mv\":[\"x\",\"é\\\"\"],\"empty\":\"\"}\n"
        );
        // Each line is one JSON value that reads back to the same fields.
        let back: serde_json::Value = serde_json::from_str(&json_line(&row)).expect("valid JSON");
        assert_eq!(back["zeta"], "a\"b\\c\td\u{1}");
        assert_eq!(back["mv"][1], "é\"");
        assert_eq!(back["_rule"], "r\"1");
    }

    #[test]
    fn find_special_finds_the_first_byte_to_escape_anywhere_in_a_word() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut text = vec![b'a'; len];
                    text[at] = special;
                    // A later special byte does not hide the first.
                    if at + 1 < len {
                        text[at + 1] = b'"';
                    }
                    assert_eq!(find_special(&text), Some(at), "{text:?}");
                }
            }
            assert_eq!(find_special(&vec![b'x'; len]), None);
        }
        // Bytes next to the special ones are not special: space, `#`, `]`, DEL, UTF-8.
        assert_eq!(find_special(b" !#[]~\x7f\xc3\xa9 plain text"), None);
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        let samples = [
            "",
            "plain",
            "quote \" backslash \\ slash /",
            "C:\\Windows\\System32\\cmd.exe /c \"whoami\"",
            "tab\tnew\nline\rcr\u{8}bs\u{c}ff\u{0}nul\u{1f}us\u{7f}del",
            "été ✓ 𝄞",
        ];
        for s in samples {
            let mut ours = Vec::new();
            write_str(&mut ours, s).expect("write to a Vec");
            assert_eq!(
                String::from_utf8(ours).expect("UTF-8"),
                serde_json::to_string(s).expect("a string serializes"),
                "{s:?}"
            );
        }
    }

    #[test]
    fn appended_strings_escape_as_serde_json_does_wherever_the_byte_falls() {
        // Every length across two words and a tail, with each kind of byte to escape at
        // each place, after text already in the buffer.
        for len in 0..26 {
            for at in 0..len.max(1) {
                for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', '\u{8}', 'é', '/'] {
                    let mut text: Vec<char> =
                        (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
                    if at < len {
                        text[at] = special;
                    }
                    if at + 3 < len {
                        text[at + 3] = '"';
                    }
                    let text: String = text.into_iter().collect();
                    let mut ours = b"prefix".to_vec();
                    push_str(&mut ours, &text);
                    let want = format!(
                        "prefix{}",
                        serde_json::to_string(&text).expect("a string serializes")
                    );
                    assert_eq!(String::from_utf8(ours).expect("UTF-8"), want, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn the_writer_reuses_the_fields_only_of_the_same_event() {
        let mut a = Record::new();
        a.set_named("f", "1");
        let shared = a.clone();
        let mut changed = a.clone();
        changed.set_named("f", "2");
        let mut out = Vec::new();
        let mut writer = RowWriter::default();
        for (rule, row) in [("x", &a), ("y", &shared), ("z", &changed), ("w", &a)] {
            writer.write(&mut out, rule, row).expect("write to a Vec");
        }
        let mut expected = Vec::new();
        for (rule, row) in [("x", &a), ("y", &shared), ("z", &changed), ("w", &a)] {
            write_row(&mut expected, rule, row).expect("write to a Vec");
        }
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            String::from_utf8(expected).expect("UTF-8")
        );
        assert!(String::from_utf8(writer.fields)
            .expect("UTF-8")
            .contains("\"f\":\"1\""));
    }
}
