//! JSON lines reader: flattening, `_raw`, `_time`, skipped lines and their positions.

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{
    EventError, InputFormat, ReadError, ReadEvent, ReadOptions, ReadStats, Reader,
};
use spl_runtime::{Event, Value};

mod common;

use common::{fields, m, s};

fn read_with(input: &[u8], options: ReadOptions) -> Vec<Result<ReadEvent, ReadError>> {
    Reader::new(input, InputFormat::JsonLines, options).collect()
}

fn read(input: &[u8]) -> Vec<Result<ReadEvent, ReadError>> {
    read_with(
        input,
        ReadOptions {
            aliases: AliasMap::none(),
            ..ReadOptions::default()
        },
    )
}

/// 2026-11-28T04:04:08Z.
const T0: f64 = 1_795_838_648.0;

const OKTA: &str = r#"{"uuid":"a1","published":"2026-11-28T04:04:08.000Z","eventType":"user.session.start","actor":{"id":"00u1","alternateId":"alice@example.com","displayName":"Alice"},"client":{"ipAddress":"203.0.113.7","geographicalContext":{"city":"Lyon","country":"France"}},"outcome":{"result":"SUCCESS","reason":null},"target":[{"type":"User","alternateId":"alice@example.com"},{"type":"AppInstance","alternateId":"Salesforce","detail":{"tags":["crm","prod"]}}],"debugContext":{"debugData":{"behaviors":["New Geo-Location","New Device"],"risk":"{level=LOW}"}},"count":3,"ratio":0.50,"mfa":false,"empty":"","none":[],"nothing":{}}"#;

#[test]
fn nested_objects_and_arrays_flatten_like_spath() {
    let got = read(OKTA.as_bytes());
    assert_eq!(got.len(), 1);
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("a good event");
    assert_eq!((event.index, event.line), (0, 1));
    assert_eq!(event.record.raw(), OKTA);
    // No `_time`, `timestamp` or `time` field: no `_time`.
    assert_eq!(event.record.time(), None);
    let want = vec![
        ("uuid", s("a1")),
        ("published", s("2026-11-28T04:04:08.000Z")),
        ("eventType", s("user.session.start")),
        ("actor.id", s("00u1")),
        ("actor.alternateId", s("alice@example.com")),
        ("actor.displayName", s("Alice")),
        ("client.ipAddress", s("203.0.113.7")),
        ("client.geographicalContext.city", s("Lyon")),
        ("client.geographicalContext.country", s("France")),
        ("outcome.result", s("SUCCESS")),
        ("target{}.type", m(&["User", "AppInstance"])),
        (
            "target{}.alternateId",
            m(&["alice@example.com", "Salesforce"]),
        ),
        ("target{}.detail.tags{}", m(&["crm", "prod"])),
        (
            "debugContext.debugData.behaviors{}",
            m(&["New Geo-Location", "New Device"]),
        ),
        ("debugContext.debugData.risk", s("{level=LOW}")),
        ("count", s("3")),
        ("ratio", s("0.50")),
        ("mfa", s("false")),
        ("empty", s("")),
    ];
    assert_eq!(fields(&event.record), want);
}

#[test]
fn time_from_default_fields_and_from_an_option() {
    let input = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        r#"{"_time":"2026-11-28T04:04:08Z","time":"1"}"#,
        r#"{"timestamp":1795838648.25}"#,
        r#"{"time":"1795838648"}"#,
        r#"{"_time":"yesterday","time":"2026-11-28T05:04:08+01:00"}"#,
        OKTA,
    );
    let times: Vec<Option<f64>> = read(input.as_bytes())
        .into_iter()
        .map(|r| r.expect("good").record.time())
        .collect();
    assert_eq!(times, [Some(T0), Some(T0 + 0.25), Some(T0), Some(T0), None]);

    let options = ReadOptions {
        time_field: Some("published".to_owned()),
        aliases: AliasMap::none(),
        ..ReadOptions::default()
    };
    let got = read_with(OKTA.as_bytes(), options);
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("a good event");
    assert_eq!(event.record.time(), Some(T0));
    assert_eq!(event.record.get_named("_time"), Some(&Value::Num(T0)));
}

#[test]
fn an_unreadable_time_stays_text() {
    let got = read(br#"{"_time":"yesterday"}"#);
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("a good event");
    assert_eq!(event.record.get_named("_time"), Some(&s("yesterday")));
    assert_eq!(event.record.time(), None);
}

#[test]
fn bad_lines_are_skipped_with_positions_and_blank_lines_are_not_events() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"n\":1}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"   \n");
    input.extend_from_slice(b"{\"n\":2,\n");
    input.extend_from_slice(b"[1,2]\n");
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"{\"n\":\"\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"n\":3} trailing\n");
    input.extend_from_slice(b"{\"n\":4}");
    let got = read(&input);
    let mut stats = ReadStats::default();
    got.iter().for_each(|item| stats.count(item));
    assert_eq!((stats.events, stats.skipped), (2, 5));
    assert_eq!(stats.to_string(), "2 events read, 5 skipped");

    let summary: Vec<(usize, usize, Result<Value, EventError>)> = got
        .into_iter()
        .map(|item| match item {
            Ok(e) => (
                e.index,
                e.line,
                Ok(e.record.get_named("n").cloned().unwrap_or(s("?"))),
            ),
            Err(ReadError::Event {
                index,
                line,
                reason,
            }) => (index, line, Err(reason)),
            Err(other) => panic!("{other}"),
        })
        .collect();
    assert_eq!(summary[0], (0, 1, Ok(s("1"))));
    assert!(
        matches!(&summary[1], (3, 4, Err(EventError::Json { column: 7, message })) if message.contains("EOF")),
        "{:?}",
        summary[1]
    );
    assert_eq!(
        summary[2],
        (4, 5, Err(EventError::NotAnObject { found: "an array" }))
    );
    assert!(
        matches!(&summary[3], (5, 6, Err(EventError::Json { column: 2, .. }))),
        "{:?}",
        summary[3]
    );
    assert_eq!(summary[4], (6, 7, Err(EventError::Utf8 { offset: 6 })));
    assert!(
        matches!(&summary[5], (7, 8, Err(EventError::Json { column: 9, message })) if message.contains("trailing")),
        "{:?}",
        summary[5]
    );
    assert_eq!(summary[6], (8, 9, Ok(s("4"))));
    assert_eq!(summary.len(), 7);
}

#[test]
fn error_messages_say_where() {
    let got = read(b"{\"a\":1}\n{\"a\":}\n");
    let error = got
        .into_iter()
        .nth(1)
        .and_then(Result::err)
        .expect("second line is bad");
    assert_eq!(
        (error.line(), error.index(), error.is_fatal()),
        (Some(2), Some(1), false)
    );
    assert_eq!(
        error.to_string(),
        "line 2: event 1 skipped: invalid JSON at column 6: expected value"
    );
}

#[test]
fn crlf_lines_and_empty_input() {
    let got = read(b"{\"a\":\"x\"}\r\n\r\n{\"a\":\"y\"}\r\n");
    let events: Vec<ReadEvent> = got.into_iter().map(|r| r.expect("good")).collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].record.raw(), "{\"a\":\"x\"}");
    assert_eq!((events[1].index, events[1].line), (2, 3));
    assert_eq!(events[1].record.get_named("a"), Some(&s("y")));
    assert!(read(b"").is_empty());
    assert!(read(b"\n\r\n  \n").is_empty());
}

#[test]
fn raw_is_the_line_exactly() {
    let line = r#"  { "a" : [ 1 , "two" ] , "_raw" : "not this" }  "#;
    let got = read(line.as_bytes());
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("a good event");
    assert_eq!(event.record.raw(), line);
    assert_eq!(fields(&event.record), vec![("a{}", m(&["1", "two"]))]);
}

#[test]
fn repeated_keys_are_multivalued() {
    let got = read(br#"{"ip":"1.1.1.1","ip":"2.2.2.2"}"#);
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("a good event");
    assert_eq!(
        event.record.get_named("ip"),
        Some(&m(&["1.1.1.1", "2.2.2.2"]))
    );
}

#[test]
fn builtin_aliases_apply_to_json_too() {
    let got = read_with(
        br#"{"EventCode":"4104","Computer":"WS01","ScriptBlockText":"pip install x","host":"collector"}"#,
        ReadOptions::default(),
    );
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("a good event");
    let r = &event.record;
    assert_eq!(r.get_named("process"), Some(&s("pip install x")));
    assert_eq!(r.get_named("signature_id"), Some(&s("4104")));
    // `host` was in the event: aliases never overwrite it.
    assert_eq!(r.get_named("host"), Some(&s("collector")));
    assert_eq!(r.get_named("dest"), Some(&s("WS01")));
}

/// Flattening as the module docs define it, on serde_json's own parse (recursive: for
/// the shallow objects of the randomised test only).
mod reference {
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use spl_runtime::Record;

    pub fn flatten(line: &str) -> Record {
        let mut record = Record::new();
        let mut de = serde_json::Deserializer::from_str(line);
        Node {
            path: String::new(),
            record: &mut record,
            top: true,
        }
        .deserialize(&mut de)
        .expect("valid JSON");
        record
    }

    struct Node<'r> {
        path: String,
        record: &'r mut Record,
        top: bool,
    }

    impl<'de> DeserializeSeed<'de> for Node<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Node<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                let path = if self.path.is_empty() {
                    key.clone()
                } else {
                    format!("{}.{key}", self.path)
                };
                if self.top && key == "_raw" {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                }
                map.next_value_seed(Node {
                    path,
                    record: self.record,
                    top: false,
                })?;
            }
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let path = format!("{}{{}}", self.path);
            while seq
                .next_element_seed(Node {
                    path: path.clone(),
                    record: self.record,
                    top: false,
                })?
                .is_some()
            {}
            Ok(())
        }
        fn visit_str<E>(self, v: &str) -> Result<(), E> {
            self.record.push_named(&self.path, v);
            Ok(())
        }
        fn visit_bool<E>(self, v: bool) -> Result<(), E> {
            self.record.push_named(&self.path, v.to_string());
            Ok(())
        }
        fn visit_i64<E>(self, v: i64) -> Result<(), E> {
            self.record.push_named(&self.path, v.to_string());
            Ok(())
        }
        fn visit_u64<E>(self, v: u64) -> Result<(), E> {
            self.record.push_named(&self.path, v.to_string());
            Ok(())
        }
        fn visit_f64<E>(self, v: f64) -> Result<(), E> {
            self.record.push_named(&self.path, v.to_string());
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    }
}

/// A random JSON value as text: escapes, non-ASCII text, nesting, empty containers,
/// repeated keys, a top-level `_raw`, random blanks.
fn random_json(rng: &mut common::Rng, depth: usize, out: &mut String) {
    const STRINGS: [&str; 8] = [
        "a",
        "",
        "x\\\"y",
        "\\\\",
        "\\u00e9t\\u00E9",
        "\\ud83d\\ude00",
        "tab\\there",
        "é \\/ ü",
    ];
    const KEYS: [&str; 6] = ["k", "k", "name", "_raw", "a\\u0062", "é"];
    const NUMBERS: [&str; 5] = ["0", "-7", "42", "1.5", "-0.25"];
    let blank = |rng: &mut common::Rng, out: &mut String| {
        out.push_str([" ", "", "", "\t", "  "][rng.below(5)]);
    };
    let kind = if depth == 0 {
        rng.below(5)
    } else {
        rng.below(7)
    };
    match kind {
        0 => {
            out.push('"');
            if rng.below(2) == 0 {
                out.push_str(STRINGS[rng.below(STRINGS.len())]);
            } else {
                const PIECES: [&str; 9] =
                    ["a", "Z", " ", "é", "\\\"", "\\\\", "\\n", "\\u0041", "{}"];
                out.push_str(&rng.string(&PIECES, 0, 6));
            }
            out.push('"');
        }
        1 => out.push_str(NUMBERS[rng.below(NUMBERS.len())]),
        2 => out.push_str(["true", "false"][rng.below(2)]),
        3 => out.push_str("null"),
        4 => out.push_str(["[]", "{}"][rng.below(2)]),
        5 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                blank(rng, out);
                random_json(rng, depth - 1, out);
                blank(rng, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..1 + rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                blank(rng, out);
                out.push('"');
                out.push_str(KEYS[rng.below(KEYS.len())]);
                out.push('"');
                blank(rng, out);
                out.push(':');
                blank(rng, out);
                random_json(rng, depth - 1, out);
            }
            out.push('}');
        }
    }
}

#[test]
fn flattening_agrees_with_a_reference_on_random_objects() {
    let mut rng = common::Rng(0x5eed_1234_abcd_ef01);
    for _ in 0..5_000 {
        let mut line = String::from("{\"top\":");
        random_json(&mut rng, 4, &mut line);
        line.push_str(",\"_raw\":");
        random_json(&mut rng, 2, &mut line);
        line.push('}');
        let got = read(line.as_bytes());
        let event = got[0].as_ref().unwrap_or_else(|e| panic!("{line}: {e}"));
        let mut want = reference::flatten(&line);
        want.set_raw(line.as_str());
        let mut ours = event.record.clone();
        ours.remove(spl_runtime::FieldId::RAW);
        want.remove(spl_runtime::FieldId::RAW);
        assert_eq!(ours, want, "{line}");
    }
}
