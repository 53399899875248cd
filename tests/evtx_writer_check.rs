//! The test EVTX writer (`splc_tests::evtx_writer`) against the `evtx` crate: what it
//! writes reads back, record by record, as the events it was given.

use splc_tests::evtx_writer::{write_evtx, EvtxFile};

const EVENT: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/><EventID>1</EventID><TimeCreated SystemTime="2026-11-28T04:04:08.1234567Z"/><EventRecordID>1</EventRecordID><Computer>ws1</Computer></System><EventData><Data Name="Image">C:\Windows\System32\cmd.exe</Data><Data Name="CommandLine">cmd /c "a &amp; b" &lt;x&gt;</Data><Data Name="Empty"></Data></EventData></Event>"#;

fn read_back(file: &EvtxFile) -> Vec<(u64, String)> {
    let settings = evtx::ParserSettings::new().indent(false);
    let mut parser = evtx::EvtxParser::from_buffer(file.bytes.clone())
        .expect("a file header")
        .with_configuration(settings);
    parser
        .records()
        .map(|r| {
            let r = r.expect("a record");
            (r.event_record_id, r.data)
        })
        .collect()
}

#[test]
fn one_record_reads_back() {
    let file = write_evtx(&[EVENT]).expect("written");
    assert_eq!(file.bytes.len(), 4096 + 65536);
    let records = read_back(&file);
    assert_eq!(records.len(), 1);
    let (id, xml) = &records[0];
    assert_eq!(*id, 1);
    for part in [
        r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">"#,
        r#"<Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/>"#,
        "<EventID>1</EventID>",
        r#"<TimeCreated SystemTime="2026-11-28T04:04:08.1234567Z"/>"#,
        r#"<Data Name="Image">C:\Windows\System32\cmd.exe</Data>"#,
        "&lt;x&gt;",
        "<Computer>ws1</Computer>",
    ] {
        assert!(xml.contains(part), "{part} not in {xml}");
    }
    // Entities are decoded into the binary XML and escaped again on rendering.
    let doc = roxmltree::Document::parse(xml).expect("XML");
    let data: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("Data"))
        .map(|n| (n.attribute("Name").unwrap_or(""), n.text().unwrap_or("")))
        .collect();
    assert_eq!(
        data,
        [
            ("Image", r"C:\Windows\System32\cmd.exe"),
            ("CommandLine", r#"cmd /c "a & b" <x>"#),
            ("Empty", "")
        ]
    );
}

#[test]
fn many_records_fill_several_chunks() {
    let events: Vec<String> = (1..=400)
        .map(|i| EVENT.replace("<EventRecordID>1<", &format!("<EventRecordID>{i}<")))
        .collect();
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    let file = write_evtx(&refs).expect("written");
    assert!(file.chunks() > 1, "{} chunks", file.chunks());
    assert_eq!(
        file.records.last().map(|r| r.chunk),
        Some(file.chunks() - 1)
    );
    let records = read_back(&file);
    assert_eq!(records.len(), 400);
    for (i, (id, xml)) in records.iter().enumerate() {
        assert_eq!(*id, i as u64 + 1);
        assert!(xml.contains(&format!("<EventRecordID>{id}</EventRecordID>")));
    }
    // The checksums hold: a parser that checks them reads every record too.
    let mut parser = evtx::EvtxParser::from_buffer(file.bytes.clone())
        .expect("a file header")
        .with_configuration(evtx::ParserSettings::new().validate_checksums(true));
    assert!(parser.header().validate_checksum());
    assert_eq!(parser.records().filter(|r| r.is_ok()).count(), 400);
}
