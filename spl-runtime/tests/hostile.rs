//! Hostile input: no crash, no silent loss, linear time and bounded memory on any event.
//!
//! Each test names the defect it pins. The ones about time read inputs sized so that a
//! quadratic reader would take many seconds (or minutes) where a linear one takes
//! milliseconds; they assert what is read, never how long it took. No test here adds more
//! than a few thousand field names to the process-wide table (whose default bound is
//! 100,000): the ones that do are in `wide_events.rs`.

use std::io::BufReader;

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{
    xml::Construct, EventError, InputFormat, Limit, Limits, ReadError, ReadEvent, ReadOptions,
    ReadStats, Reader,
};
use spl_runtime::{Event, FieldId, Value};

fn options(limits: Limits) -> ReadOptions {
    ReadOptions {
        aliases: AliasMap::none(),
        limits,
        ..ReadOptions::default()
    }
}

/// Read `input` as `format` through a buffer of `chunk` bytes.
fn read_chunked(
    input: &[u8],
    format: InputFormat,
    limits: Limits,
    chunk: usize,
) -> Vec<Result<ReadEvent, ReadError>> {
    let input = BufReader::with_capacity(chunk, input);
    Reader::new(input, format, options(limits)).collect()
}

fn read(input: &[u8], format: InputFormat, limits: Limits) -> Vec<Result<ReadEvent, ReadError>> {
    read_chunked(input, format, limits, 64 * 1024)
}

fn stats(items: &[Result<ReadEvent, ReadError>]) -> ReadStats {
    let mut stats = ReadStats::default();
    items.iter().for_each(|i| stats.count(i));
    stats
}

/// The skips, as (line, reason).
fn skips(items: &[Result<ReadEvent, ReadError>]) -> Vec<(usize, EventError)> {
    items
        .iter()
        .filter_map(|i| match i {
            Err(ReadError::Event { line, reason, .. }) => Some((*line, reason.clone())),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        })
        .collect()
}

fn over(limit: Limit, max: usize) -> EventError {
    EventError::OverLimit { limit, max }
}

fn get<'r>(event: &'r ReadEvent, name: &str) -> Option<&'r Value> {
    event.record.get_named(name)
}

// 1. Deeply nested JSON aborted the run (recursion) and was quadratic.

#[test]
fn deep_json_is_a_skip_naming_the_limit_and_other_events_are_read() {
    let depth = 30_000;
    let deep = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let deep_array = format!("{{\"a\":{}1{}}}", "[".repeat(depth), "]".repeat(depth));
    let input = format!("{{\"n\":1}}\n{deep}\n{{\"n\":2}}\n{deep_array}\n{{\"n\":3}}\n");
    let got = read(input.as_bytes(), InputFormat::JsonLines, Limits::default());
    assert_eq!((stats(&got).events, stats(&got).skipped), (3, 2));
    let max = Limits::default().max_depth;
    assert_eq!(
        skips(&got),
        [(2, over(Limit::Depth, max)), (4, over(Limit::Depth, max))]
    );
    let message = got[1].as_ref().expect_err("a skip").to_string();
    assert_eq!(
        message,
        "line 2: event 1 skipped: over a limit: nested more than 100 levels deep (limit max_depth)"
    );
    // Right at the limit is fine; one more level is not.
    let at = |d: usize| format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d));
    let got = read(
        at(max).as_bytes(),
        InputFormat::JsonLines,
        Limits::default(),
    );
    let name = vec!["a"; max].join(".");
    assert_eq!(
        got[0]
            .as_ref()
            .expect("at the limit")
            .record
            .get_named(&name),
        Some(&Value::Str("1".into()))
    );
    let got = read(
        at(max + 1).as_bytes(),
        InputFormat::JsonLines,
        Limits::default(),
    );
    assert_eq!(skips(&got), [(1, over(Limit::Depth, max))]);
}

#[test]
fn deep_json_with_a_large_value_reads_in_linear_time() {
    // Quadratic flattening reread the 4 MB value once per level: 20 GB of parsing.
    let depth = 5_000;
    let value = "x".repeat(4 << 20);
    let line = format!(
        "{}\"{value}\"{}\n",
        "{\"k\":".repeat(depth),
        "}".repeat(depth)
    );
    let limits = Limits {
        max_depth: depth,
        max_field_name_bytes: 2 * depth,
        ..Limits::default()
    };
    let got = read(line.as_bytes(), InputFormat::JsonLines, limits);
    let event = got[0].as_ref().expect("within the raised limits");
    let (name, got) = event
        .record
        .iter()
        .find(|(f, _)| *f != FieldId::RAW)
        .expect("the one field");
    assert_eq!(name.name().len(), 2 * depth - 1);
    assert_eq!(got, &Value::Str(value));
}

// 2. The XML reader dropped every event after markup that never ends.

const GOOD: &str = "<Event><System><EventID>1</EventID><Computer>h1</Computer></System><EventData><Data Name='CommandLine'>cmd.exe /c x</Data></EventData></Event>";

fn events_after(bad: &str, n: usize) -> String {
    let mut input = format!("{GOOD}\n{bad}\n");
    for _ in 0..n {
        input.push_str(GOOD);
        input.push('\n');
    }
    input
}

#[test]
fn unterminated_xml_markup_skips_to_the_next_event_and_says_so() {
    let cases = [
        ("<!-- oops", Construct::Comment, 10),
        ("<![CDATA[ oops", Construct::CData, 15),
        ("<? oops", Construct::Instruction, 8),
        ("<Wrapper a='oops>", Construct::Tag, 18),
    ];
    for (bad, construct, skipped) in cases {
        for chunk in [1, 7, 4096] {
            let input = events_after(bad, 1_000);
            let got = read_chunked(
                input.as_bytes(),
                InputFormat::WinEventXml,
                Limits::default(),
                chunk,
            );
            assert_eq!(
                (stats(&got).events, stats(&got).skipped),
                (1_001, 1),
                "{bad}"
            );
            let want = EventError::Unterminated {
                construct,
                skipped,
                resumes: Some(3),
            };
            assert_eq!(skips(&got), [(2, want)], "{bad}, chunk {chunk}");
            let commands = got
                .iter()
                .filter_map(|e| get(e.as_ref().ok()?, "CommandLine"))
                .count();
            assert_eq!(commands, 1_001);
        }
    }
}

#[test]
fn unclosed_quote_inside_an_event_spoils_that_event_only() {
    let bad = "<Event><System><EventID>2</EventID></System><EventData><Data Name='CommandLine>cmd.exe</Data></EventData></Event>";
    let got = read(
        events_after(bad, 100).as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
    );
    assert_eq!((stats(&got).events, stats(&got).skipped), (101, 1));
    assert!(
        matches!(&skips(&got)[..], [(2, EventError::Xml { .. })]),
        "{:?}",
        skips(&got)
    );
}

#[test]
fn markup_that_ends_keeps_its_meaning() {
    // A commented-out event stays out; a CDATA section's text stays text.
    let input = format!(
        "<!-- {GOOD} -->\n{GOOD}\n<Event><System><EventID>9</EventID></System><EventData><Data Name='x'><![CDATA[<Event>]]></Data></EventData></Event>\n"
    );
    let got = read(
        input.as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
    );
    assert_eq!((stats(&got).events, stats(&got).skipped), (2, 0));
    let last = got[1].as_ref().expect("an event");
    assert_eq!(get(last, "x"), Some(&Value::Str("<Event>".into())));
}

#[test]
fn an_unterminated_comment_inside_an_event_ends_that_event() {
    let bad = "<Event><System><EventID>2</EventID></System><!-- x </Event>";
    let got = read(
        events_after(bad, 10).as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
    );
    assert_eq!((stats(&got).events, stats(&got).skipped), (11, 1));
    let want = EventError::Unterminated {
        construct: Construct::Comment,
        skipped: bad.len() as u64 + 1,
        resumes: Some(3),
    };
    assert_eq!(skips(&got), [(2, want)]);
}

#[test]
fn markup_longer_than_the_event_limit_is_given_up_before_the_input_ends() {
    // The comment never ends; past `max_event_bytes` reading resumes at the next event,
    // without holding the rest of the input.
    let limits = Limits {
        max_event_bytes: 1_000,
        ..Limits::default()
    };
    let mut input = events_after("<!-- never closed", 100);
    input.push_str(&"filler ".repeat(1_000));
    input.push_str(GOOD);
    let got = read_chunked(input.as_bytes(), InputFormat::WinEventXml, limits, 64);
    assert_eq!((stats(&got).events, stats(&got).skipped), (102, 2));
    let skipped = skips(&got);
    assert!(
        matches!(
            skipped[0],
            (
                2,
                EventError::Unterminated {
                    construct: Construct::Comment,
                    skipped: 18,
                    resumes: Some(3)
                }
            )
        ),
        "{skipped:?}"
    );
    assert_eq!(skipped[1], (103, EventError::Stray));
}

#[test]
fn many_unterminated_comments_read_in_linear_time() {
    // Each `<!--` never ends: a scanner that searched the rest of the input for `-->`
    // once per comment would scan 20,000 times 3 MB.
    let n = 20_000;
    let mut input = String::new();
    for _ in 0..n {
        input.push_str("<!-- x ");
        input.push_str(GOOD);
        input.push('\n');
    }
    let got = read(
        input.as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
    );
    assert_eq!((stats(&got).events, stats(&got).skipped), (n, n));
}

#[test]
fn oversized_deep_or_wide_xml_events_are_skips_naming_the_limit() {
    let limits = Limits {
        max_event_bytes: 600,
        max_depth: 5,
        max_fields: 20,
        max_attributes: 20,
        max_values: 60,
        ..Limits::default()
    };
    let big = format!(
        "<Event><EventData><Data Name='a'>{}</Data></EventData></Event>",
        "x".repeat(600)
    );
    let deep = format!(
        "<Event><UserData>{}1{}</UserData></Event>",
        "<a>".repeat(5),
        "</a>".repeat(5)
    );
    let attributes: String = (0..21).map(|i| format!(" a{i}='{i}'")).collect();
    let wide = format!("<Event><System><Execution{attributes}/></System></Event>");
    let fields: String = (0..21)
        .map(|i| format!("<Data Name='f{i}'>{i}</Data>"))
        .collect();
    let many = format!("<Event><EventData>{fields}</EventData></Event>");
    let nodes = format!(
        "<Event><EventData>{}</EventData></Event>",
        "<Binary/>".repeat(60)
    );
    let input = [GOOD, &big, GOOD, &deep, &wide, &many, &nodes, GOOD].join("\n");
    for chunk in [7, 4096] {
        let got = read_chunked(input.as_bytes(), InputFormat::WinEventXml, limits, chunk);
        assert_eq!(
            skips(&got),
            [
                (2, over(Limit::EventBytes, 600)),
                (4, over(Limit::Depth, 5)),
                (5, over(Limit::Attributes, 20)),
                (6, over(Limit::Fields, 20)),
                (7, over(Limit::Values, 60)),
            ],
            "chunk {chunk}"
        );
        assert_eq!(stats(&got).events, 3);
    }
}

// 3. (Time per event quadratic in its number of distinct fields) is pinned by
// `wide_events.rs`: its tests fill the process-wide table of field names, so they run in a
// process of their own.

// 4. The XML scanner rescanned a tag, attribute or comment after every read.

#[test]
fn one_huge_attribute_or_comment_reads_in_linear_time() {
    // 8 MB through 1 KB reads: rescanning from the start of the tag after each read
    // scanned 32 GB.
    let value = "v".repeat(8 << 20);
    let input = format!(
        "<!-- {value} -->\n<Event><System><Execution Note='{value}'/></System><!-- {value} --></Event>\n"
    );
    let got = read_chunked(
        input.as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
        1024,
    );
    assert_eq!(got.len(), 1);
    let event = got[0].as_ref().expect("one event");
    assert_eq!(event.line, 2);
    assert_eq!(
        get(event, "Note").map(|v| v.first_str().len()),
        Some(8 << 20)
    );
}

// Limits of every reader.

#[test]
fn lines_and_records_over_the_event_limit_are_read_through_and_skipped() {
    let limits = Limits {
        max_event_bytes: 24,
        ..Limits::default()
    };
    let long = "x".repeat(1_000);
    let json = format!("{{\"a\":1}}\n{{\"a\":\"{long}\"}}\n{{\"a\":2}}\n");
    let got = read_chunked(json.as_bytes(), InputFormat::JsonLines, limits, 16);
    assert_eq!(skips(&got), [(2, over(Limit::EventBytes, 24))]);
    assert_eq!(stats(&got).events, 2);

    let text = format!("a=1\n{long}\na=2\n");
    let got = read_chunked(text.as_bytes(), InputFormat::Text, limits, 16);
    assert_eq!(skips(&got), [(2, over(Limit::EventBytes, 24))]);
    let indexes: Vec<usize> = got
        .iter()
        .map(|i| {
            i.as_ref()
                .map_or_else(|e| e.index().unwrap_or(9), |e| e.index)
        })
        .collect();
    assert_eq!(indexes, [0, 1, 2]);

    let records = format!("LogName=A\nEventCode=1\n\nLogName=B\nMessage={long}\n\nLogName=C\n");
    let got = read_chunked(records.as_bytes(), InputFormat::WinEventText, limits, 16);
    assert_eq!(skips(&got), [(4, over(Limit::EventBytes, 24))]);
    let names: Vec<String> = got
        .iter()
        .filter_map(|e| Some(get(e.as_ref().ok()?, "LogName")?.to_string()))
        .collect();
    assert_eq!(names, ["A", "C"]);
}

#[test]
fn too_many_values_is_a_skip_naming_the_limit() {
    let limits = Limits {
        max_values: 100,
        ..Limits::default()
    };
    // `_raw` is one of the 100 values.
    let items = vec!["1"; 100].join(",");
    let json = format!(
        "{{\"a\":[{}]}}\n{{\"a\":[{items}]}}\n",
        vec!["1"; 99].join(",")
    );
    let got = read(json.as_bytes(), InputFormat::JsonLines, limits);
    assert_eq!(skips(&got), [(2, over(Limit::Values, 100))]);
    let first = got[0].as_ref().expect("at the limit");
    assert_eq!(get(first, "a{}").map(Value::count), Some(99));

    let text = format!("{}\n", vec!["k=v"; 100].join(" "));
    let got = read(text.as_bytes(), InputFormat::Text, limits);
    assert_eq!(skips(&got), [(1, over(Limit::Values, 100))]);
}

#[test]
fn raw_and_time_count_toward_the_field_and_value_limits() {
    // Found by the `read_xml`, `read_json` and `read_text` fuzz targets: the readers
    // counted only the fields and values they extract, so an event whose `_raw` (set after
    // the fields in event XML, uncounted as a value everywhere) or `_time` (from a `time`
    // field, set after reading) took it past `max_fields` or `max_values` was kept.
    let limits = Limits {
        max_fields: 3,
        ..Limits::default()
    };
    // EventCode, EventID and `_raw`; then Computer too.
    let xml = "<Event><System><EventID>1</EventID></System></Event>\n\
               <Event><System><EventID>1</EventID><Computer>c</Computer></System></Event>\n";
    let got = read(xml.as_bytes(), InputFormat::WinEventXml, limits);
    assert_eq!(skips(&got), [(2, over(Limit::Fields, 3))]);
    assert_eq!(got[0].as_ref().map(|e| e.record.len()).ok(), Some(3));
    // `_raw`, a, b; then `_raw`, a, time and the `_time` read from it.
    let json = "{\"a\":1,\"b\":2}\n{\"a\":1,\"time\":\"2026-03-02T08:00:12Z\"}\n";
    let got = read(json.as_bytes(), InputFormat::JsonLines, limits);
    assert_eq!(skips(&got), [(2, over(Limit::Fields, 3))]);

    let limits = Limits {
        max_values: 3,
        ..Limits::default()
    };
    // `_raw` and two values; then three.
    let json = "{\"a\":[1,2]}\n{\"a\":[1,2,3]}\n";
    let got = read(json.as_bytes(), InputFormat::JsonLines, limits);
    assert_eq!(skips(&got), [(2, over(Limit::Values, 3))]);
    // `_raw`, `_time` and one value; then two.
    let text = "2026-03-02T08:00:12Z a=1\n2026-03-02T08:00:12Z a=1 b=2\n";
    let got = read(text.as_bytes(), InputFormat::Text, limits);
    assert_eq!(skips(&got), [(2, over(Limit::Values, 3))]);
    let records = "LogName=A\nEventCode=1\n\nLogName=A\nEventCode=1\nType=x\n";
    let got = read(records.as_bytes(), InputFormat::WinEventText, limits);
    assert_eq!(skips(&got), [(4, over(Limit::Values, 3))]);
}

#[test]
fn long_field_names_are_left_out_and_reported() {
    let limits = Limits {
        max_field_name_bytes: 16,
        ..Limits::default()
    };
    let long = "n".repeat(17);
    let line = format!("{{\"{long}\":\"x\",\"short\":\"y\",\"{long}\":\"z\"}}");
    let got = read(line.as_bytes(), InputFormat::JsonLines, limits);
    let event = got[0].as_ref().expect("kept");
    assert_eq!(get(event, "short"), Some(&Value::Str("y".into())));
    assert_eq!(FieldId::lookup(&long), None);
    assert_eq!(event.record.raw(), line, "_raw keeps the text");
    let dropped = event.dropped.expect("reported");
    assert_eq!(
        (dropped.count, dropped.limit, dropped.max),
        (2, Limit::FieldNameBytes, 16)
    );
    assert_eq!(stats(&got).fields_dropped, 1);
    assert_eq!(
        stats(&got).to_string(),
        "1 events read, 0 skipped, 1 with fields left out (limits max_field_names, max_field_name_bytes)"
    );
}

// JSON syntax: the flattener accepts and rejects what a JSON parser does.

#[test]
fn the_flattener_agrees_with_serde_json_on_what_is_json() {
    let lines = [
        r#"{}"#,
        r#"{"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#,
        r#"{"a":-0,"b":1.5e-3,"c":1E+2,"d":0.0,"e":-12}"#,
        r#" { "a" : [ 1 , { "b" : [ ] } , null , true , false ] } "#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":-}"#,
        r#"{"a":1e}"#,
        r#"{"a":+1}"#,
        r#"{"a":tru}"#,
        r#"{"a":nulls}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":"\u12"}"#,
        r#"{"a":"\ud83d"}"#,
        r#"{"a":"\ud83dx"}"#,
        r#"{"a":"\ude00"}"#,
        "{\"a\":\"tab\there\"}",
        r#"{"a":[1,]}"#,
        r#"{"a":1,}"#,
        r#"{,}"#,
        r#"{"a" 1}"#,
        r#"{"a":1 "b":2}"#,
        r#"{"a":[1 2]}"#,
        r#"{1:2}"#,
        r#"{"a":{"b":1}"#,
        r#"{"a":"#,
        r#"{"a"#,
        r#"{"a":1}}"#,
        r#"{"a":1} {}"#,
        r#"{"a":[}"#,
        r#"{"a":"é\u0041"}"#,
    ];
    for line in lines {
        let ours = read(line.as_bytes(), InputFormat::JsonLines, Limits::default());
        let theirs = serde_json::from_str::<serde_json::Value>(line);
        assert_eq!(
            ours[0].is_ok(),
            theirs.is_ok(),
            "{line}: {:?} vs {theirs:?}",
            ours[0]
        );
        if let (Ok(event), Ok(serde_json::Value::Object(map))) = (&ours[0], &theirs) {
            if let Some(serde_json::Value::String(s)) = map.get("a") {
                assert_eq!(get(event, "a"), Some(&Value::Str(s.clone())), "{line}");
            }
        }
    }
    // Numbers and booleans keep their text.
    let got = read(
        br#"{"a":-0,"b":1.5e-3,"c":1E+2,"t":true}"#,
        InputFormat::JsonLines,
        Limits::default(),
    );
    let event = got[0].as_ref().expect("valid");
    for (name, text) in [("a", "-0"), ("b", "1.5e-3"), ("c", "1E+2"), ("t", "true")] {
        assert_eq!(get(event, name), Some(&Value::Str(text.into())), "{name}");
    }
}
