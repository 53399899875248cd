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

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::input::Lines;
use super::{EventError, ReadError, ReadEvent};
use crate::event::Record;
use crate::field::FieldId;

/// Reads JSON lines; see the module docs.
pub(crate) struct JsonReader<'a> {
    lines: Lines<'a>,
    path: String,
}

impl<'a> JsonReader<'a> {
    pub(crate) fn new(lines: Lines<'a>) -> Self {
        JsonReader {
            lines,
            path: String::new(),
        }
    }
}

impl Iterator for JsonReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, bytes) = match self.lines.next_line()? {
                Ok(line) => line,
                Err(source) => {
                    let line = self.lines.next_number();
                    return Some(Err(ReadError::Io { line, source }));
                }
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let index = line - 1;
            let fail = |reason| {
                Err(ReadError::Event {
                    index,
                    line,
                    reason,
                })
            };
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    return Some(fail(EventError::Utf8 {
                        offset: e.valid_up_to(),
                    }))
                }
            };
            let mut record = Record::new();
            record.set_raw(text);
            return Some(match parse_object(text, &mut self.path, &mut record) {
                // A top-level `_raw` key was passed over: the line stays `_raw`.
                Ok(()) => Ok(ReadEvent {
                    record,
                    index,
                    line,
                }),
                Err(reason) => fail(reason),
            });
        }
    }
}

/// Flatten one JSON object (the text of a whole line) into `record`.
pub(crate) fn parse_object(
    text: &str,
    path: &mut String,
    record: &mut Record,
) -> Result<(), EventError> {
    let first = text.trim_start().as_bytes().first().copied();
    if first != Some(b'{') {
        if let Err(e) = serde_json::from_str::<de::IgnoredAny>(text) {
            return Err(json_error(&e));
        }
        let found = match first {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b'n') => "null",
            Some(b't' | b'f') => "a boolean",
            _ => "a number",
        };
        return Err(EventError::NotAnObject { found });
    }
    path.clear();
    flatten_object(text, path, record).map_err(|e| json_error(&e))
}

fn json_error(e: &serde_json::Error) -> EventError {
    // serde_json's message ends with " at line L column C"; the column is kept apart.
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    };
    EventError::Json {
        column: e.column(),
        message,
    }
}

fn flatten_object(
    text: &str,
    path: &mut String,
    record: &mut Record,
) -> Result<(), serde_json::Error> {
    let Entries(entries) = serde_json::from_str(text)?;
    let nested = !path.is_empty();
    for (key, value) in entries {
        let len = path.len();
        if nested {
            path.push('.');
        } else if key == "_raw" {
            continue;
        }
        path.push_str(&key);
        flatten_value(value, path, record)?;
        path.truncate(len);
    }
    Ok(())
}

fn flatten_value(
    value: &RawValue,
    path: &mut String,
    record: &mut Record,
) -> Result<(), serde_json::Error> {
    let text = value.get();
    match text.as_bytes().first() {
        Some(b'{') => flatten_object(text, path, record),
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            let len = path.len();
            path.push_str("{}");
            for item in items {
                flatten_value(item, path, record)?;
            }
            path.truncate(len);
            Ok(())
        }
        Some(b'"') => {
            let s: String = serde_json::from_str(text)?;
            record.push(FieldId::intern(path), s);
            Ok(())
        }
        Some(b'n') => Ok(()),
        _ => {
            record.push(FieldId::intern(path), text.to_owned());
            Ok(())
        }
    }
}

/// An object's members in the order written, values left as raw JSON text.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(Key(key)) = map.next_key()? {
            let value: &'de RawValue = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Entries(entries))
    }
}

/// A member name, borrowed from the input unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn fields(text: &str) -> Result<Vec<(String, Value)>, EventError> {
        let mut record = Record::new();
        parse_object(text, &mut String::new(), &mut record)?;
        Ok(record
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
