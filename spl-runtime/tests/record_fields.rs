//! `_raw` and `_time` of the events every reader makes: `raw()`, `time()` and `get` agree
//! with what iterating over the fields shows, wherever the reader put them, and stay in
//! step as the record changes.

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{InputFormat, ReadOptions, Reader};
use spl_runtime::{Event, FieldId, Record, Value};

fn read(input: &str, format: InputFormat) -> Vec<Record> {
    let options = ReadOptions {
        aliases: AliasMap::builtin(),
        ..ReadOptions::default()
    };
    Reader::new(input.as_bytes(), format, options)
        .map(|r| r.expect("a good event").record)
        .collect()
}

/// The value of `field` as iteration finds it.
fn scanned(record: &Record, field: FieldId) -> Option<&Value> {
    record.iter().find(|(f, _)| *f == field).map(|(_, v)| v)
}

/// `raw()`, `time()` and `get` of `_raw`/`_time` against a scan of the fields.
fn agree(record: &Record) {
    for field in [FieldId::RAW, FieldId::TIME] {
        assert_eq!(record.get(field), scanned(record, field), "{field}");
    }
    let raw = match scanned(record, FieldId::RAW) {
        Some(Value::Str(s)) => s.as_str(),
        _ => "",
    };
    assert_eq!(record.raw(), raw);
    let time = match scanned(record, FieldId::TIME) {
        Some(Value::Num(n)) => Some(*n),
        Some(v) => v.first_str().trim().parse().ok(),
        None => None,
    };
    assert_eq!(record.time(), time);
}

/// Read, check, then change the record every way its API allows, checking after each.
fn check(input: &str, format: InputFormat) {
    let records = read(input, format);
    assert!(!records.is_empty(), "{format:?}");
    for mut r in records {
        agree(&r);
        assert!(!r.raw().is_empty(), "{format:?}: every reader sets _raw");
        assert!(
            r.time().is_some(),
            "{format:?}: these inputs all have a time"
        );
        let first = r.iter().next().map(|(f, _)| f).expect("fields");
        r.remove(first);
        agree(&r);
        r.set_named("added", "x");
        r.set_raw("new text");
        agree(&r);
        assert_eq!(r.raw(), "new text");
        r.retain(|f, _| f != FieldId::intern("host"));
        agree(&r);
        r.remove(FieldId::RAW);
        agree(&r);
        assert_eq!(r.raw(), "");
        r.set_time(5.0);
        agree(&r);
        assert_eq!(r.time(), Some(5.0));
    }
}

#[test]
fn json_lines() {
    check(
        "{\"time\": \"2026-11-28T04:04:08Z\", \"host\": \"h1\", \"a\": {\"b\": [1, 2]}}\n\
         {\"_time\": 1795838648, \"user\": \"u\", \"_raw\": \"given\"}\n",
        InputFormat::JsonLines,
    );
}

#[test]
fn text_lines() {
    check(
        "2026-11-28T04:04:08Z host=h1 user=alice action=login\n",
        InputFormat::Text,
    );
}

#[test]
fn classic_wineventlog() {
    check(
        "11/28/2026 04:04:08 AM\nLogName=Security\nEventCode=4688\nComputerName=WS01\n\
         Message=A new process has been created.\n",
        InputFormat::WinEventText,
    );
}

#[test]
fn windows_event_xml() {
    check(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
         <Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>\
         <TimeCreated SystemTime='2026-11-28T04:04:08.1250000Z'/>\
         <Computer>WS01.corp.example</Computer></System><EventData>\
         <Data Name='Image'>C:\\Python311\\Scripts\\pip.exe</Data>\
         <Data Name='CommandLine'>pip install requests</Data></EventData></Event>\n",
        InputFormat::WinEventXml,
    );
}
