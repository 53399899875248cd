//! The EVTX reader (`spl_runtime::read`, format `evtx`) through the library: an `.evtx`
//! file gives the events and fields of its XML export, record by record; damaged files
//! give skips that name the chunk and record, and the other records still read.
//! The files are written by `splc_tests::evtx_writer`.

use std::path::{Path, PathBuf};

use spl_runtime::read::{self, EventError, InputFormat, Limit, Limits, ReadError, ReadOptions};
use spl_runtime::{Event, FieldId, Record};
use splc_tests::evtx_writer::{
    events_of_export, fix_chunk_checksums, numbered_events, sample_export, write_evtx, EvtxFile,
};

fn export() -> String {
    sample_export()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("evtx_read");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

type Item = Result<read::ReadEvent, ReadError>;

fn read_all(path: &Path, options: ReadOptions) -> Vec<Item> {
    read::open(path, None, options).expect("open").collect()
}

/// A record's fields but `_raw`, as sorted text.
fn fields(record: &Record) -> Vec<(String, String)> {
    let mut fields: Vec<_> = record
        .iter()
        .filter(|(f, _)| *f != FieldId::RAW)
        .map(|(f, v)| (f.to_string(), format!("{v:?}")))
        .collect();
    fields.sort();
    fields
}

fn events(items: &[Item]) -> Vec<&read::ReadEvent> {
    items.iter().filter_map(|i| i.as_ref().ok()).collect()
}

fn skips(items: &[Item]) -> Vec<&ReadError> {
    items.iter().filter_map(|i| i.as_ref().err()).collect()
}

fn write_many(n: usize) -> EvtxFile {
    let events = numbered_events(n);
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    write_evtx(&refs).expect("written")
}

#[test]
fn evtx_gives_the_fields_of_its_xml_export() {
    let export = export();
    let file = write_evtx(&events_of_export(&export)).expect("written");
    let evtx = write("export.evtx", &file.bytes);
    let xml = write("export.xml", export.as_bytes());
    let from_evtx = read_all(&evtx, ReadOptions::default());
    let from_xml = read_all(&xml, ReadOptions::default());
    assert_eq!(from_evtx.len(), 3);
    assert_eq!(from_xml.len(), 3);
    for (i, (e, x)) in from_evtx.iter().zip(&from_xml).enumerate() {
        let (Ok(e), Ok(x)) = (e, x) else {
            panic!("record {i}: {e:?} / {x:?}");
        };
        assert_eq!(e.index, i, "the index is the record's position");
        assert_eq!(e.line, 0, "EVTX has no lines");
        assert_eq!(fields(&e.record), fields(&x.record), "record {i}");
        assert_eq!(e.record.time(), x.record.time());
        let raw = e.record.raw();
        assert!(
            raw.starts_with("<Event") && raw.ends_with("</Event>"),
            "{raw}"
        );
    }
    // Hand-checked values of the first record (Sysmon process creation).
    let first = &from_evtx[0].as_ref().expect("event").record;
    let get = |name: &str| first.get_named(name).map(|v| v.to_string());
    assert_eq!(get("EventCode").as_deref(), Some("1"));
    assert_eq!(get("EventRecordID").as_deref(), Some("1"));
    assert_eq!(get("Provider").as_deref(), Some("Microsoft-Windows-Sysmon"));
    assert_eq!(
        get("Image").as_deref(),
        Some(r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe")
    );
    assert_eq!(
        get("CommandLine").as_deref(),
        Some(r#"powershell.exe -nop -w hidden -enc SQBFAFgA & "x" <y>"#)
    );
    assert_eq!(get("ParentUser").as_deref(), Some(""));
    assert_eq!(get("ProcessID").as_deref(), Some("3216"));
    // 2026-11-28T04:04:08.1234567Z
    assert_eq!(first.time(), Some(1_795_838_648.123_456_7));
}

#[test]
fn the_format_comes_from_the_extension_or_the_magic() {
    let file = write_evtx(&events_of_export(&export())).expect("written");
    let named = write("named.evtx", &file.bytes);
    let unnamed = write("unnamed.bin", &file.bytes);
    for path in [&named, &unnamed] {
        let reader = read::open(path, None, ReadOptions::default()).expect("open");
        assert_eq!(reader.format(), InputFormat::Evtx);
        assert_eq!(reader.count(), 3);
    }
    // In memory (not a file), the same events.
    let reader = read::Reader::new(&file.bytes[..], InputFormat::Evtx, ReadOptions::default());
    assert_eq!(events(&reader.collect::<Vec<_>>()).len(), 3);
}

#[test]
fn records_fill_chunks_and_read_in_order() {
    let file = write_many(120);
    assert!(file.chunks() >= 2, "{} chunks", file.chunks());
    let items = read_all(&write("many.evtx", &file.bytes), ReadOptions::default());
    assert_eq!(items.len(), 120);
    for (i, item) in items.iter().enumerate() {
        let event = item.as_ref().expect("an event");
        assert_eq!(event.index, i);
        let id = event
            .record
            .get_named("EventRecordID")
            .map(|v| v.to_string());
        assert_eq!(id, Some((i + 1).to_string()));
    }
}

#[test]
fn a_damaged_record_is_skipped_with_its_position_and_the_others_read() {
    let mut file = write_evtx(&events_of_export(&export())).expect("written");
    // The token opening the second record's <Event> element becomes no token at all.
    let at = file.records[1].binxml + 4;
    assert_eq!(file.bytes[at], 0x41);
    file.bytes[at] = 0xff;
    let items = read_all(&write("flipped.evtx", &file.bytes), ReadOptions::default());
    assert_eq!(items.len(), 3);
    let ids: Vec<_> = events(&items)
        .iter()
        .map(|e| {
            (
                e.index,
                e.record.get_named("EventCode").map(|v| v.to_string()),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [(0, Some("1".to_owned())), (2, Some("4624".to_owned()))]
    );
    let skip = skips(&items)[0];
    assert!(!skip.is_fatal());
    assert_eq!(skip.index(), Some(1));
    assert!(
        matches!(
            skip,
            ReadError::Record {
                chunk: Some(0),
                record: Some(2),
                reason: EventError::Evtx { .. },
                ..
            }
        ),
        "{skip:?}"
    );
    let text = skip.to_string();
    assert!(
        text.starts_with("chunk 0, record 2: event 1 skipped: unreadable EVTX data:"),
        "{text}"
    );
}

#[test]
fn a_damaged_record_header_is_skipped_and_reading_resumes() {
    let mut file = write_evtx(&events_of_export(&export())).expect("written");
    // The second record's magic is broken: the parser finds the third by its own.
    let at = file.records[1].offset;
    file.bytes[at] ^= 0x01;
    fix_chunk_checksums(&mut file.bytes, 0);
    let items = read_all(&write("magic.evtx", &file.bytes), ReadOptions::default());
    let codes: Vec<_> = events(&items)
        .iter()
        .map(|e| e.record.get_named("EventCode").map(|v| v.to_string()))
        .collect();
    assert_eq!(codes, [Some("1".to_owned()), Some("4624".to_owned())]);
    let skipped = skips(&items);
    assert_eq!(skipped.len(), 1, "{items:?}");
    assert!(
        matches!(skipped[0], ReadError::Record { chunk: Some(0), .. }),
        "{:?}",
        skipped[0]
    );
}

#[test]
fn a_bad_chunk_header_skips_that_chunk() {
    let mut file = write_many(120);
    let chunks = file.chunks();
    assert!(chunks >= 2);
    let in_first = file.records.iter().filter(|r| r.chunk == 0).count();
    // The second chunk's magic is broken.
    file.bytes[EvtxFile::chunk_offset(1)] = b'X';
    let items = read_all(&write("chunk.evtx", &file.bytes), ReadOptions::default());
    let in_second = file.records.iter().filter(|r| r.chunk == 1).count();
    assert_eq!(events(&items).len(), 120 - in_second);
    let skipped = skips(&items);
    assert_eq!(skipped.len(), 1);
    assert!(
        matches!(
            skipped[0],
            ReadError::Record {
                chunk: Some(1),
                record: None,
                ..
            }
        ),
        "{:?}",
        skipped[0]
    );
    assert_eq!(skipped[0].index(), Some(in_first));
    assert!(skipped[0].to_string().starts_with("chunk 1: event"));
}

#[test]
fn a_truncated_file_reads_its_whole_chunks_and_reports_the_cut_one() {
    let file = write_many(120);
    let in_first = file.records.iter().filter(|r| r.chunk == 0).count();
    let cut = EvtxFile::chunk_offset(1) + 1000;
    let items = read_all(
        &write("cut.evtx", &file.bytes[..cut]),
        ReadOptions::default(),
    );
    assert_eq!(events(&items).len(), in_first);
    let skipped = skips(&items);
    assert_eq!(skipped.len(), 1);
    let text = skipped[0].to_string();
    assert!(
        text.starts_with(&format!("chunk 1: event {in_first} skipped:"))
            && text.contains("the file ends 1000 bytes into this chunk"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_evtx_does_not_open() {
    let path = write("not.evtx", b"{\"EventCode\": 1}\n");
    let err = read::open(&path, None, ReadOptions::default()).expect_err("not EVTX");
    assert!(err.is_fatal());
    let text = err.to_string();
    assert!(text.contains("not an EVTX file"), "{text}");
    // A header cut short.
    let file = write_evtx(&events_of_export(&export())).expect("written");
    let path = write("short.evtx", &file.bytes[..100]);
    let err = read::open(&path, None, ReadOptions::default()).expect_err("cut header");
    assert!(err.to_string().contains("not an EVTX file"), "{err}");
    // In memory, the error is the only item.
    let items: Vec<_> =
        read::Reader::new(&b"not evtx"[..], InputFormat::Evtx, ReadOptions::default()).collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().is_err_and(ReadError::is_fatal));
}

#[test]
fn limits_hold_on_the_rendered_record() {
    let file = write_evtx(&events_of_export(&export())).expect("written");
    let path = write("limits.evtx", &file.bytes);
    let with = |limits: Limits| {
        read_all(
            &path,
            ReadOptions {
                limits,
                ..ReadOptions::default()
            },
        )
    };
    // A limit between the smallest and the largest record's XML.
    let sizes: Vec<usize> = events(&with(Limits::default()))
        .iter()
        .map(|e| e.record.raw().len())
        .collect();
    let (small, large) = (sizes.iter().min(), sizes.iter().max());
    let (Some(&small), Some(&large)) = (small, large) else {
        panic!("no events");
    };
    assert!(small < large, "{sizes:?}");
    let items = with(Limits {
        max_event_bytes: small,
        ..Limits::default()
    });
    assert_eq!(items.len(), 3);
    for item in &items {
        match item {
            Ok(event) => assert!(event.record.raw().len() <= small),
            Err(ReadError::Record {
                record: Some(_),
                reason:
                    EventError::OverLimit {
                        limit: Limit::EventBytes,
                        max,
                    },
                ..
            }) if *max == small => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(events(&items).len(), 1);
    assert_eq!(skips(&items).len(), 2);
    let items = with(Limits {
        max_fields: 10,
        ..Limits::default()
    });
    assert_eq!(skips(&items).len(), 3);
    for skip in skips(&items) {
        assert!(
            matches!(
                skip,
                ReadError::Record {
                    chunk: Some(0),
                    record: Some(_),
                    reason: EventError::OverLimit {
                        limit: Limit::Fields,
                        ..
                    },
                    ..
                }
            ),
            "{skip:?}"
        );
    }
    let items = with(Limits {
        max_depth: 2,
        ..Limits::default()
    });
    assert_eq!(
        skips(&items).len(),
        3,
        "<Event><System><Provider> is 3 deep"
    );
}
