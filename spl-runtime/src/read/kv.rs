//! Automatic `key=value` extraction from event text, as Splunk's `KV_MODE = auto` does.
//!
//! Splunk documents automatic key-value extraction as finding "obvious `key=value` pairs"
//! in `_raw` at search time, in the order they appear, and extracting each as a field
//! (Knowledge Manager Manual, "When Splunk software extracts fields" and "Configure
//! automatic key-value field extraction"). The exact lexical rules are not documented;
//! splc uses these:
//!
//! - A key is a run of `[A-Za-z0-9_.-]` that starts with `[A-Za-z_]` and ends right
//!   before `=`. The run is maximal to the left: in `x-y=1` the key is `x-y`, and in
//!   `1abc=2` (a run starting with a digit) there is no pair. Spaces around `=` are not
//!   allowed (`a = b` is no pair).
//! - Keys starting with `_` are skipped: names beginning with an underscore are Splunk's
//!   internal fields (`_raw`, `_time`), which extraction never sets.
//! - A value is either `"quoted"`, running to the next `"` (no escapes, as in
//!   `KV_MODE = auto`; `auto_escaped` would honour `\"`), or unquoted, running up to the
//!   first whitespace or one of `, ; & " ) ] } < >`. An unquoted empty value (`a= b`) is no
//!   pair; a quoted empty value (`a=""`) is the empty string. An unterminated quote is
//!   read as an unquoted value.
//! - A key seen again adds a value: the field becomes multivalued, in text order.
//! - Splunk's default limit of 100 automatically extracted fields is not applied: Splunk
//!   also extracts any field a search names, so for rule evaluation the limit never hides
//!   a field.

use crate::event::Record;
use crate::field::FieldId;

/// Call `pair(key, value)` for each `key=value` pair in `text`, in order.
pub fn for_each_pair<'t>(text: &'t str, mut pair: impl FnMut(&'t str, &'t str)) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'=', &bytes[from..]) {
        let eq = from + offset;
        from = eq + 1;
        let mut start = eq;
        while start > 0 && is_key_byte(bytes[start - 1]) {
            start -= 1;
        }
        if start == eq || !is_key_start(bytes[start]) || bytes[start] == b'_' {
            continue;
        }
        let (value, end) = value_at(text, eq + 1);
        if let Some(value) = value {
            pair(&text[start..eq], value);
            from = end;
        }
    }
}

/// Add each `key=value` pair of `text` to `record` (repeated keys become multivalued).
///
/// Names are interned with [`FieldId::intern`], without the [`Limits`](super::Limits) a
/// reader applies: use it on text whose keys are known to be few.
pub fn extract_into(text: &str, record: &mut Record) {
    for_each_pair(text, |key, value| {
        record.push(FieldId::intern(key), value.to_owned())
    });
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn is_key_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn ends_unquoted(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';' | b'&' | b'"' | b')' | b']' | b'}' | b'<' | b'>'
        )
}

/// The value starting at byte `at`, and the byte where scanning goes on.
fn value_at(text: &str, at: usize) -> (Option<&str>, usize) {
    let bytes = text.as_bytes();
    if bytes.get(at) == Some(&b'"') {
        if let Some(len) = memchr::memchr(b'"', &bytes[at + 1..]) {
            let end = at + 1 + len;
            return (Some(&text[at + 1..end]), end + 1);
        }
        // No closing quote: read what follows the quote as an unquoted value.
        let (value, end) = unquoted(text, at + 1);
        return (value, end);
    }
    unquoted(text, at)
}

fn unquoted(text: &str, at: usize) -> (Option<&str>, usize) {
    let bytes = text.as_bytes();
    let mut end = at;
    while end < bytes.len() && !ends_unquoted(bytes[end]) {
        end += 1;
    }
    // Every delimiter is ASCII, so `end` is a char boundary.
    ((end > at).then(|| &text[at..end]), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        for_each_pair(text, |k, v| out.push((k, v)));
        out
    }

    #[test]
    fn plain_and_quoted_pairs() {
        assert_eq!(
            pairs(r#"action=allowed src_ip=10.1.2.3 user="Alice Smith" msg="" x.y-z=1"#),
            [
                ("action", "allowed"),
                ("src_ip", "10.1.2.3"),
                ("user", "Alice Smith"),
                ("msg", ""),
                ("x.y-z", "1")
            ]
        );
    }

    #[test]
    fn delimiters_end_unquoted_values() {
        assert_eq!(
            pairs("a=1,b=2;c=3&d=4"),
            [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]
        );
        assert_eq!(pairs("(pid=42) [uid=0]"), [("pid", "42"), ("uid", "0")]);
        assert_eq!(pairs("url=http://x/?q=1"), [("url", "http://x/?q=1")]);
    }

    #[test]
    fn not_pairs() {
        assert!(pairs("a = b").is_empty());
        assert!(pairs("1abc=2").is_empty());
        assert!(pairs("=x").is_empty());
        assert!(pairs("a= b").is_empty());
        assert!(pairs("_time=5 _raw=x").is_empty());
        assert!(pairs("--index-url=x").is_empty());
    }

    #[test]
    fn unterminated_quote_reads_unquoted() {
        assert_eq!(pairs(r#"a="open b=2"#), [("a", "open"), ("b", "2")]);
    }

    #[test]
    fn utf8_values() {
        assert_eq!(
            pairs("user=Zoë city=Köln"),
            [("user", "Zoë"), ("city", "Köln")]
        );
    }

    #[test]
    fn repeated_keys_become_multivalue() {
        let mut r = Record::new();
        extract_into("ip=1.1.1.1 ip=2.2.2.2 EventCode=4104", &mut r);
        assert_eq!(
            r.get_named("ip"),
            Some(&crate::Value::Multi(vec![
                "1.1.1.1".into(),
                "2.2.2.2".into()
            ]))
        );
        assert_eq!(
            r.get_named("EventCode"),
            Some(&crate::Value::Str("4104".into()))
        );
    }
}
