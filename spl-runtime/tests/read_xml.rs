//! Windows event XML reader: fields, `_raw`, `_time`, wrappers and skipped events.

use std::io::BufReader;

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{
    EventError, InputFormat, ReadError, ReadEvent, ReadOptions, ReadStats, Reader,
};
use spl_runtime::{Event, Record, Value};

mod common;

use common::{fields, s};

/// Reads through a 7-byte buffer, so that every scan step meets a read boundary.
fn read(input: &str, aliases: AliasMap) -> Vec<Result<ReadEvent, ReadError>> {
    read_chunked(input, aliases, 7)
}

fn read_chunked(input: &str, aliases: AliasMap, chunk: usize) -> Vec<Result<ReadEvent, ReadError>> {
    let options = ReadOptions {
        aliases,
        ..ReadOptions::default()
    };
    let input = BufReader::with_capacity(chunk, input.as_bytes());
    Reader::new(input, InputFormat::WinEventXml, options).collect()
}

/// The 1-based line of the `n`th (0-based) occurrence of `needle`.
fn line_of(text: &str, needle: &str, n: usize) -> usize {
    let at = text
        .match_indices(needle)
        .nth(n)
        .map(|(i, _)| i)
        .expect("present");
    text[..at].matches('\n').count() + 1
}

fn events(input: &str, aliases: AliasMap) -> Vec<ReadEvent> {
    read(input, aliases)
        .into_iter()
        .map(|r| r.expect("a good event"))
        .collect()
}

fn get<'r>(record: &'r Record, name: &str) -> Option<&'r Value> {
    record.get_named(name)
}

/// 2026-11-28T04:04:08Z.
const T0: f64 = 1_795_838_648.0;

const SYSMON_1: &str = r"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2026-11-28T04:04:08.1250000Z'/><EventRecordID>48213</EventRecordID><Correlation/><Execution ProcessID='3160' ThreadID='4412'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WS01.corp.example</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='RuleName'>-</Data><Data Name='UtcTime'>2026-11-28 04:04:08.122</Data><Data Name='ProcessId'>7312</Data><Data Name='Image'>C:\Python311\Scripts\pip.exe</Data><Data Name='CommandLine'>pip install requests --extra-index-url https://pkgs.example.net/simple</Data><Data Name='CurrentDirectory'>C:\Users\alice\project\</Data><Data Name='User'>CORP\alice</Data><Data Name='Hashes'>SHA256=0F4C2A,IMPHASH=AB12</Data><Data Name='ParentProcessId'>6020</Data><Data Name='ParentImage'>C:\Windows\System32\cmd.exe</Data><Data Name='ParentCommandLine'>&quot;C:\Windows\System32\cmd.exe&quot; </Data><Data Name='ParentUser'/></EventData></Event>";

#[test]
fn sysmon_event_1_fields() {
    let got = events(SYSMON_1, AliasMap::none());
    assert_eq!(got.len(), 1);
    let event = &got[0];
    assert_eq!((event.index, event.line), (0, 1));
    assert_eq!(event.record.raw(), SYSMON_1);
    let time = event.record.time().expect("SystemTime gives _time");
    assert!((time - (T0 + 0.125)).abs() < 1e-6, "{time}");
    let want = vec![
        ("Provider", s("Microsoft-Windows-Sysmon")),
        ("Guid", s("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")),
        ("EventCode", s("1")),
        ("EventID", s("1")),
        ("Version", s("5")),
        ("Level", s("4")),
        ("Task", s("1")),
        ("Opcode", s("0")),
        ("Keywords", s("0x8000000000000000")),
        ("_time", Value::Num(time)),
        ("SystemTime", s("2026-11-28T04:04:08.1250000Z")),
        ("RecordNumber", s("48213")),
        ("EventRecordID", s("48213")),
        ("ProcessID", s("3160")),
        ("ThreadID", s("4412")),
        ("Channel", s("Microsoft-Windows-Sysmon/Operational")),
        ("Computer", s("WS01.corp.example")),
        ("UserID", s("S-1-5-18")),
        ("RuleName", s("-")),
        ("UtcTime", s("2026-11-28 04:04:08.122")),
        ("ProcessId", s("7312")),
        ("Image", s(r"C:\Python311\Scripts\pip.exe")),
        (
            "CommandLine",
            s("pip install requests --extra-index-url https://pkgs.example.net/simple"),
        ),
        ("CurrentDirectory", s(r"C:\Users\alice\project\")),
        ("User", s(r"CORP\alice")),
        ("Hashes", s("SHA256=0F4C2A,IMPHASH=AB12")),
        ("ParentProcessId", s("6020")),
        ("ParentImage", s(r"C:\Windows\System32\cmd.exe")),
        ("ParentCommandLine", s(r#""C:\Windows\System32\cmd.exe" "#)),
        ("ParentUser", s("")),
    ];
    assert_eq!(fields(&event.record), want);
}

#[test]
fn sysmon_event_1_builtin_aliases() {
    let got = events(SYSMON_1, AliasMap::builtin());
    let r = &got[0].record;
    let want = [
        ("process_path", r"C:\Python311\Scripts\pip.exe"),
        ("process_name", "pip.exe"),
        (
            "process",
            "pip install requests --extra-index-url https://pkgs.example.net/simple",
        ),
        ("parent_process_path", r"C:\Windows\System32\cmd.exe"),
        ("parent_process_name", "cmd.exe"),
        ("parent_process", r#""C:\Windows\System32\cmd.exe" "#),
        ("user", r"CORP\alice"),
        ("process_id", "7312"),
        ("parent_process_id", "6020"),
        ("process_current_directory", r"C:\Users\alice\project\"),
        ("process_hash", "SHA256=0F4C2A,IMPHASH=AB12"),
        ("host", "WS01.corp.example"),
        ("dest", "WS01.corp.example"),
        ("signature_id", "1"),
    ];
    for (name, value) in want {
        assert_eq!(get(r, name), Some(&s(value)), "{name}");
    }
}

const SECURITY_4688: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- exported from WS01 -->
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}" />
    <EventID>4688</EventID>
    <Version>2</Version>
    <Level>0</Level>
    <Task>13312</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8020000000000000</Keywords>
    <TimeCreated SystemTime="2026-11-28T04:04:08.5000000Z" />
    <EventRecordID>1234567</EventRecordID>
    <Correlation />
    <Execution ProcessID="4" ThreadID="8812" />
    <Channel>Security</Channel>
    <Computer>WS01.corp.example</Computer>
    <Security />
  </System>
  <EventData>
    <Data Name="SubjectUserSid">S-1-5-21-1111111111-2222222222-3333333333-1104</Data>
    <Data Name="SubjectUserName">alice</Data>
    <Data Name="SubjectDomainName">CORP</Data>
    <Data Name="SubjectLogonId">0x3e7a1</Data>
    <Data Name="NewProcessId">0x1c90</Data>
    <Data Name="NewProcessName">C:\Python311\Scripts\pip.exe</Data>
    <Data Name="TokenElevationType">%%1938</Data>
    <Data Name="ProcessId">0x1784</Data>
    <Data Name="CommandLine">pip install -r requirements.txt --index-url &quot;https://pkgs.example.net/simple&quot;</Data>
    <Data Name="TargetUserName">-</Data>
    <Data Name="ParentProcessName">C:\Windows\System32\cmd.exe</Data>
  </EventData>
  <RenderingInfo Culture="en-US">
    <Message>A new process has been created.</Message>
    <Level>Information</Level>
  </RenderingInfo>
</Event>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4688</EventID><Computer>WS02</Computer></System><EventData><Data Name="NewProcessName">C:\Windows\System32\whoami.exe</Data></EventData></Event>
</Events>
"#;

#[test]
fn security_4688_pretty_printed_in_a_wrapper() {
    let got = events(SECURITY_4688, AliasMap::none());
    assert_eq!(got.len(), 2);
    let (first, second) = (&got[0], &got[1]);
    assert_eq!((first.index, first.line), (0, 4));
    assert_eq!(
        (second.index, second.line),
        (1, line_of(SECURITY_4688, "<Event xmlns", 1))
    );
    // `_raw` is the element exactly as written, indentation and line breaks included.
    let start = SECURITY_4688.find("<Event xmlns").expect("first event");
    let end = SECURITY_4688.find("</Event>").expect("its end") + "</Event>".len();
    assert_eq!(first.record.raw(), &SECURITY_4688[start..end]);
    assert_eq!(first.record.time(), Some(T0 + 0.5));
    let r = &first.record;
    assert_eq!(get(r, "EventCode"), Some(&s("4688")));
    assert_eq!(
        get(r, "Provider"),
        Some(&s("Microsoft-Windows-Security-Auditing"))
    );
    assert_eq!(get(r, "Channel"), Some(&s("Security")));
    assert_eq!(get(r, "Computer"), Some(&s("WS01.corp.example")));
    assert_eq!(get(r, "SubjectUserName"), Some(&s("alice")));
    assert_eq!(
        get(r, "CommandLine"),
        Some(&s(
            r#"pip install -r requirements.txt --index-url "https://pkgs.example.net/simple""#
        ))
    );
    assert_eq!(
        get(r, "NewProcessName"),
        Some(&s(r"C:\Python311\Scripts\pip.exe"))
    );
    // RenderingInfo gives only Message; its Level does not mix with System's.
    assert_eq!(
        get(r, "Message"),
        Some(&s("A new process has been created."))
    );
    assert_eq!(get(r, "Level"), Some(&s("0")));
    // `<Security />` has no UserID, and empty System elements give no field.
    assert_eq!(get(r, "UserID"), None);
    assert_eq!(get(r, "Correlation"), None);
    assert_eq!(second.record.time(), None);
    assert_eq!(get(&second.record, "Computer"), Some(&s("WS02")));
}

#[test]
fn security_4688_builtin_aliases() {
    let got = events(SECURITY_4688, AliasMap::builtin());
    let r = &got[0].record;
    let want = [
        ("process_path", r"C:\Python311\Scripts\pip.exe"),
        ("process_name", "pip.exe"),
        (
            "process",
            r#"pip install -r requirements.txt --index-url "https://pkgs.example.net/simple""#,
        ),
        ("parent_process_path", r"C:\Windows\System32\cmd.exe"),
        ("parent_process_name", "cmd.exe"),
        ("user", "alice"),
        ("process_id", "0x1c90"),
        ("parent_process_id", "0x1784"),
        ("host", "WS01.corp.example"),
        ("dest", "WS01.corp.example"),
        ("signature_id", "4688"),
    ];
    for (name, value) in want {
        assert_eq!(get(r, name), Some(&s(value)), "{name}");
    }
    let r = &got[1].record;
    assert_eq!(get(r, "process_name"), Some(&s("whoami.exe")));
    assert_eq!(get(r, "host"), Some(&s("WS02")));
    assert_eq!(get(r, "user"), None);
}

#[test]
fn data_without_name_user_data_and_several_events_on_one_line() {
    let input = "<Events><Event><System><EventID Qualifiers='16384'>7036</EventID></System>\
        <EventData><Data>Windows Update</Data><Data>running</Data><Binary>7700</Binary></EventData></Event>\
        <Event><System><EventID>1102</EventID></System><UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>\
        <SubjectUserName>admin</SubjectUserName><SubjectDomainName>CORP</SubjectDomainName></LogFileCleared></UserData></Event></Events>";
    let got = events(input, AliasMap::none());
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].index, got[0].line, got[1].index, got[1].line),
        (0, 1, 1, 1)
    );
    assert_eq!(
        fields(&got[0].record),
        vec![
            ("EventCode", s("7036")),
            ("EventID", s("7036")),
            ("Qualifiers", s("16384")),
            (
                "Data",
                Value::Multi(vec!["Windows Update".into(), "running".into()])
            ),
            ("Binary", s("7700")),
        ]
    );
    assert_eq!(
        fields(&got[1].record),
        vec![
            ("EventCode", s("1102")),
            ("EventID", s("1102")),
            ("SubjectUserName", s("admin")),
            ("SubjectDomainName", s("CORP")),
        ]
    );
    assert!(got[1]
        .record
        .raw()
        .starts_with("<Event><System><EventID>1102"));
    assert!(got[1].record.raw().ends_with("</UserData></Event>"));
}

#[test]
fn markup_that_looks_like_an_end_is_not_one() {
    let input = "<Event><System><EventID>1</EventID></System><!-- </Event> -->\
        <EventData><Data Name='a'><![CDATA[x </Event> y]]></Data><Data Name='b' note='1 > 0'>z</Data></EventData></Event>\n";
    let got = events(input, AliasMap::none());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].record.raw(), input.trim_end());
    assert_eq!(get(&got[0].record, "a"), Some(&s("x </Event> y")));
    assert_eq!(get(&got[0].record, "b"), Some(&s("z")));
}

#[test]
fn bad_events_are_skipped_with_positions() {
    let input = [
        "<Events>",
        "<Event><System><EventID>1</EventID></System></Event>",
        "<Event><System><EventID>2</EventID></System><EventData><Data Name='x'>cut off here",
        "<Event><System><EventID>3</EventID></Sys></Event>",
        "garbage between events",
        "more garbage",
        "<Event><System><EventID>4</EventID></System></Event>",
        "<Event><System><EventID>5</EventID>",
    ]
    .join("\n");
    let got = read(&input, AliasMap::none());
    let mut stats = ReadStats::default();
    got.iter().for_each(|item| stats.count(item));
    assert_eq!((stats.events, stats.skipped), (2, 4));
    let summary: Vec<(usize, usize, Result<String, EventError>)> = got
        .into_iter()
        .map(|item| match item {
            Ok(e) => (
                e.index,
                e.line,
                Ok(e.record
                    .get_named("EventCode")
                    .map(|v| v.to_string())
                    .unwrap_or_default()),
            ),
            Err(ReadError::Event {
                index,
                line,
                reason,
            }) => (index, line, Err(reason)),
            Err(other) => panic!("{other}"),
        })
        .collect();
    assert_eq!(summary[0], (0, 2, Ok("1".to_owned())));
    assert_eq!(summary[1], (1, 3, Err(EventError::Truncated)));
    assert!(
        matches!(&summary[2], (2, 4, Err(EventError::Xml { message })) if message.contains("Sys")),
        "{:?}",
        summary[2]
    );
    assert_eq!(summary[3], (3, 5, Err(EventError::Stray)));
    assert_eq!(summary[4], (4, 7, Ok("4".to_owned())));
    assert_eq!(summary[5], (5, 8, Err(EventError::Truncated)));
    assert_eq!(summary.len(), 6);
}

#[test]
fn malformed_xml_reports_the_line_of_the_fault() {
    let input = "<Event>\n  <System>\n    <EventID>1</EventID>\n  </System>\n  <EventData><Data Name='a'>1 & 2</Data></EventData>\n</Event>\n";
    let got = read(input, AliasMap::none());
    assert_eq!(got.len(), 1);
    match &got[0] {
        Err(
            e @ ReadError::Event {
                index: 0,
                line: 5,
                reason: EventError::Xml { .. },
            },
        ) => {
            assert!(
                e.to_string()
                    .starts_with("line 5: event 0 skipped: malformed XML"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn crlf_and_empty_inputs() {
    let input = "<Event>\r\n<System><EventID>4104</EventID><Computer>WS01</Computer></System>\r\n</Event>\r\n";
    let got = events(input, AliasMap::none());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].record.raw(), input.trim_end());
    assert_eq!(get(&got[0].record, "Computer"), Some(&s("WS01")));
    assert!(read("", AliasMap::none()).is_empty());
    assert!(read("\r\n\r\n", AliasMap::none()).is_empty());
    assert!(read(
        "<?xml version='1.0'?>\n<Events>\n</Events>\n",
        AliasMap::none()
    )
    .is_empty());
}

#[test]
fn utf16_file_with_bom() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in SYSMON_1.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let options = ReadOptions {
        aliases: AliasMap::none(),
        ..ReadOptions::default()
    };
    let got: Vec<_> = Reader::new(&bytes[..], InputFormat::WinEventXml, options).collect();
    assert_eq!(got.len(), 1);
    let event = got
        .into_iter()
        .next()
        .and_then(Result::ok)
        .expect("one good event");
    assert_eq!(event.record.raw(), SYSMON_1);
}

#[test]
fn large_events_across_read_chunks() {
    // Events and comments far larger than one read.
    let filler = "x".repeat(70_000);
    let one = format!("<Event><System><EventID>1</EventID></System><EventData><Data Name='big'>{filler}</Data></EventData></Event>");
    let input = format!("<Events>\n{one}\n<!-- {filler} -->\n{one}\n</Events>\n");
    let got: Vec<ReadEvent> = read_chunked(&input, AliasMap::none(), 1000)
        .into_iter()
        .map(|r| r.expect("a good event"))
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].line, got[1].line), (2, 4));
    assert_eq!(got[1].record.raw(), one);
    assert_eq!(get(&got[1].record, "big").map(Value::count), Some(1));
}

#[test]
fn xml_raw_is_found_by_the_phrase_and_not_by_term() {
    use spl_runtime::search::{Phrase, TermExact};
    let got = events(SECURITY_4688, AliasMap::none());
    assert!(Phrase::new("<EventID>4688<").is_match(got[0].record.raw()));
    assert!(!TermExact::new("EventCode=4688").is_match(got[0].record.raw()));
    let got = events(SYSMON_1, AliasMap::none());
    assert!(Phrase::new("<EventID>1<").is_match(got[0].record.raw()));
    assert!(!Phrase::new("<EventID>13<").is_match(got[0].record.raw()));
}
