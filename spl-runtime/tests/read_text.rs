//! Plain text and classic `WinEventLog` readers.

use std::io::Write;
use std::path::PathBuf;

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{self, InputFormat, ReadError, ReadEvent, ReadOptions, Reader};
use spl_runtime::{Event, Value};

mod common;

use common::{fields, m, s};

fn read(input: &str, format: InputFormat, aliases: AliasMap) -> Vec<ReadEvent> {
    let options = ReadOptions {
        aliases,
        ..ReadOptions::default()
    };
    Reader::new(input.as_bytes(), format, options)
        .map(|r: Result<ReadEvent, ReadError>| r.expect("text never skips"))
        .collect()
}

/// 2026-11-28T04:04:08Z.
const T0: f64 = 1_795_838_648.0;

#[test]
fn plain_lines_with_automatic_key_values() {
    let input = "2026-11-28T04:04:08Z fw01 action=blocked src_ip=10.0.0.5 dest_port=445 user=\"Alice Smith\"\r\n\
                 \r\n\
                 no pairs here at all\n\
                 type=EXECVE argc=3 a0=\"pip\" a1=\"install\" a2=\"requests\" a0=dup";
    let got = read(input, InputFormat::Text, AliasMap::none());
    assert_eq!(got.len(), 3);
    assert_eq!((got[0].index, got[0].line), (0, 1));
    assert_eq!((got[1].index, got[1].line), (1, 3));
    assert_eq!((got[2].index, got[2].line), (2, 4));
    assert_eq!(
        got[0].record.raw(),
        "2026-11-28T04:04:08Z fw01 action=blocked src_ip=10.0.0.5 dest_port=445 user=\"Alice Smith\""
    );
    assert_eq!(
        fields(&got[0].record),
        vec![
            ("_time", Value::Num(T0)),
            ("action", s("blocked")),
            ("src_ip", s("10.0.0.5")),
            ("dest_port", s("445")),
            ("user", s("Alice Smith")),
        ]
    );
    assert_eq!(fields(&got[1].record), vec![]);
    assert_eq!(got[1].record.raw(), "no pairs here at all");
    assert_eq!(
        fields(&got[2].record),
        vec![
            ("type", s("EXECVE")),
            ("argc", s("3")),
            ("a0", m(&["pip", "dup"])),
            ("a1", s("install")),
            ("a2", s("requests")),
        ]
    );
}

#[test]
fn empty_text_input() {
    assert!(read("", InputFormat::Text, AliasMap::none()).is_empty());
    assert!(read("\n \r\n\t\n", InputFormat::Text, AliasMap::none()).is_empty());
    assert!(read("", InputFormat::WinEventText, AliasMap::none()).is_empty());
    assert!(read("\r\n\r\n", InputFormat::WinEventText, AliasMap::none()).is_empty());
}

const SECURITY_4688: &str = "11/28/2026 04:04:08 AM\r
LogName=Security\r
EventCode=4688\r
EventType=0\r
ComputerName=WS01.corp.example\r
SourceName=Microsoft Windows security auditing.\r
Type=Information\r
RecordNumber=1234567\r
Keywords=Audit Success\r
TaskCategory=Process Creation\r
OpCode=Info\r
Message=A new process has been created.\r
\r
Creator Subject:\r
\tSecurity ID:\t\tS-1-5-21-1111111111-2222222222-3333333333-1104\r
\tAccount Name:\t\talice\r
\tAccount Domain:\t\tCORP\r
\tLogon ID:\t\t0x3E7A1\r
\r
Target Subject:\r
\tSecurity ID:\t\tS-1-0-0\r
\tAccount Name:\t\t-\r
\tAccount Domain:\t\t-\r
\tLogon ID:\t\t0x0\r
\r
Process Information:\r
\tNew Process ID:\t\t0x1c90\r
\tNew Process Name:\tC:\\Python311\\Scripts\\pip.exe\r
\tToken Elevation Type:\t%%1938\r
\tMandatory Label:\t\tS-1-16-8192\r
\tCreator Process ID:\t0x1784\r
\tCreator Process Name:\tC:\\Windows\\System32\\cmd.exe\r
\tProcess Command Line:\tpip install -r requirements.txt\r
\r
Token Elevation Type indicates the type of token that was assigned to the new process.\r
\r
";

const POWERSHELL_4104: &str = "11/28/2026 04:10:12 PM
LogName=Microsoft-Windows-PowerShell/Operational
EventCode=4104
EventType=5
ComputerName=WS01.corp.example
User=NOT_TRANSLATED
Sid=S-1-5-21-1111111111-2222222222-3333333333-1104
SidType=0
SourceName=Microsoft-Windows-PowerShell
Type=Verbose
RecordNumber=8812
Keywords=None
TaskCategory=Execute a Remote Command
OpCode=On create calls
Message=Creating Scriptblock text (1 of 1):
$env:PIP_INDEX_URL = 'https://pkgs.example.net/simple'

pip install requests==2.31.0 --extra-index-url https://pkgs.example.net/simple

ScriptBlock ID: 0e5a4d0b-3b6d-4c57-9c2a-2f7a0b1c9d11
Path: 
";

#[test]
fn classic_security_4688_record() {
    let got = read(SECURITY_4688, InputFormat::WinEventText, AliasMap::none());
    assert_eq!(got.len(), 1);
    let event = &got[0];
    assert_eq!((event.index, event.line), (0, 1));
    // `_raw`: the record's lines joined with `\n`, trailing blank lines dropped.
    let want_raw = SECURITY_4688.replace("\r\n", "\n");
    assert_eq!(event.record.raw(), want_raw.trim_end());
    assert!(event.record.raw().contains("\nEventCode=4688\n"));
    assert_eq!(event.record.time(), Some(T0));
    let message = want_raw
        .split_once("Message=")
        .map(|(_, m)| m.trim_end())
        .expect("message");
    assert!(
        message.starts_with("A new process has been created.\n\nCreator Subject:\n\tSecurity ID:")
    );
    assert!(message.ends_with("assigned to the new process."));
    let want = vec![
        ("_time", Value::Num(T0)),
        ("LogName", s("Security")),
        ("EventCode", s("4688")),
        ("EventType", s("0")),
        ("ComputerName", s("WS01.corp.example")),
        ("SourceName", s("Microsoft Windows security auditing.")),
        ("Type", s("Information")),
        ("RecordNumber", s("1234567")),
        ("Keywords", s("Audit Success")),
        ("TaskCategory", s("Process Creation")),
        ("OpCode", s("Info")),
        (
            "Security_ID",
            m(&["S-1-5-21-1111111111-2222222222-3333333333-1104", "S-1-0-0"]),
        ),
        ("Account_Name", m(&["alice", "-"])),
        ("Account_Domain", m(&["CORP", "-"])),
        ("Logon_ID", m(&["0x3E7A1", "0x0"])),
        ("New_Process_ID", s("0x1c90")),
        ("New_Process_Name", s(r"C:\Python311\Scripts\pip.exe")),
        ("Token_Elevation_Type", s("%%1938")),
        ("Mandatory_Label", s("S-1-16-8192")),
        ("Creator_Process_ID", s("0x1784")),
        ("Creator_Process_Name", s(r"C:\Windows\System32\cmd.exe")),
        ("Process_Command_Line", s("pip install -r requirements.txt")),
        ("Message", s(message)),
    ];
    assert_eq!(fields(&event.record), want);
}

#[test]
fn classic_security_4688_builtin_aliases() {
    let got = read(
        SECURITY_4688,
        InputFormat::WinEventText,
        AliasMap::builtin(),
    );
    let r = &got[0].record;
    let want = [
        ("process_path", r"C:\Python311\Scripts\pip.exe"),
        ("process_name", "pip.exe"),
        ("process", "pip install -r requirements.txt"),
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
        assert_eq!(r.get_named(name), Some(&s(value)), "{name}");
    }
}

#[test]
fn classic_powershell_4104_record() {
    let got = read(
        POWERSHELL_4104,
        InputFormat::WinEventText,
        AliasMap::builtin(),
    );
    assert_eq!(got.len(), 1);
    let r = &got[0].record;
    assert_eq!(Some(r.raw()), POWERSHELL_4104.strip_suffix('\n'));
    assert!(r.raw().contains("\nEventCode=4104\n"));
    assert_eq!(r.time(), Some(T0 + 6.0 * 60.0 + 4.0 + 12.0 * 3600.0));
    assert_eq!(r.get_named("EventCode"), Some(&s("4104")));
    assert_eq!(r.get_named("User"), Some(&s("NOT_TRANSLATED")));
    assert_eq!(
        r.get_named("ScriptBlock_ID"),
        Some(&s("0e5a4d0b-3b6d-4c57-9c2a-2f7a0b1c9d11"))
    );
    // `Path: ` has no value: no field.
    assert_eq!(r.get_named("Path"), None);
    // Script lines are not labels: `$env:PIP_INDEX_URL = ...` holds `$`.
    assert_eq!(r.get_named("env"), None);
    let message = POWERSHELL_4104
        .split_once("Message=")
        .map(|(_, m)| m.trim_end())
        .expect("message");
    assert_eq!(r.get_named("Message"), Some(&s(message)));
    // The script: the message after its first line, up to `ScriptBlock ID:`.
    assert_eq!(
        r.get_named("process"),
        Some(&s(
            "$env:PIP_INDEX_URL = 'https://pkgs.example.net/simple'\n\n\
                 pip install requests==2.31.0 --extra-index-url https://pkgs.example.net/simple"
        ))
    );
    assert_eq!(r.get_named("signature_id"), Some(&s("4104")));
    assert_eq!(r.get_named("host"), Some(&s("WS01.corp.example")));
}

#[test]
fn classic_records_split_at_headers_and_blank_lines() {
    // Header records (with blank lines inside the message), a record without a header
    // after a blank line, and one more header record.
    let input = format!(
        "{SECURITY_4688}{POWERSHELL_4104}\nLogName=System\nEventCode=7036\nComputerName=WS02\nMessage=The Windows Update service entered the running state.\n\n\n{}",
        POWERSHELL_4104.replace("04:10:12 PM", "04:10:13 PM")
    );
    let got = read(&input, InputFormat::WinEventText, AliasMap::none());
    let summary: Vec<(usize, usize, Option<String>, Option<f64>)> = got
        .iter()
        .map(|e| {
            (
                e.index,
                e.line,
                e.record.get_named("EventCode").map(|v| v.to_string()),
                e.record.time(),
            )
        })
        .collect();
    let lines_4688 = SECURITY_4688.lines().count();
    let lines_4104 = POWERSHELL_4104.lines().count();
    let pm = T0 + 12.0 * 3600.0 + 6.0 * 60.0;
    assert_eq!(
        summary,
        vec![
            (0, 1, Some("4688".to_owned()), Some(T0)),
            (1, lines_4688 + 1, Some("4104".to_owned()), Some(pm + 4.0)),
            (
                2,
                lines_4688 + lines_4104 + 2,
                Some("7036".to_owned()),
                None
            ),
            (
                3,
                lines_4688 + lines_4104 + 8,
                Some("4104".to_owned()),
                Some(pm + 5.0)
            ),
        ]
    );
    assert_eq!(
        got[2].record.raw(),
        "LogName=System\nEventCode=7036\nComputerName=WS02\nMessage=The Windows Update service entered the running state."
    );
    // Each record's message stops where the next record starts.
    let message = got[1]
        .record
        .get_named("Message")
        .map(|v| v.to_string())
        .unwrap_or_default();
    assert!(message.ends_with("Path:"), "{message:?}");
}

#[test]
fn blank_lines_separate_records_without_messages() {
    let input = "LogName=Application\nEventCode=1000\n\nLogName=Application\nEventCode=1001\n";
    let got = read(input, InputFormat::WinEventText, AliasMap::none());
    assert_eq!(got.len(), 2);
    assert_eq!((got[1].index, got[1].line), (1, 4));
    assert_eq!(got[1].record.raw(), "LogName=Application\nEventCode=1001");
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("spl-runtime-read-{}-{name}", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("temp file");
    file.write_all(bytes).expect("write temp file");
    path
}

#[test]
fn open_detects_formats_from_names_and_content() {
    let cases: [(&str, &[u8], InputFormat); 6] = [
        (
            "a.jsonl",
            b"{\"EventCode\":\"1\"}\n",
            InputFormat::JsonLines,
        ),
        (
            "a.xml",
            b"<Event><System><EventID>1</EventID></System></Event>",
            InputFormat::WinEventXml,
        ),
        ("a.log", b"action=blocked\n", InputFormat::Text),
        (
            "classic.log",
            SECURITY_4688.as_bytes(),
            InputFormat::WinEventText,
        ),
        (
            "noext",
            b"<Event><System><EventID>1</EventID></System></Event>",
            InputFormat::WinEventXml,
        ),
        (
            "b.txt",
            b"\xEF\xBB\xBF{\"EventCode\":\"1\"}",
            InputFormat::JsonLines,
        ),
    ];
    for (name, bytes, want) in cases {
        let path = temp_file(name, bytes);
        let reader = read::open(&path, None, ReadOptions::default()).expect("opens");
        assert_eq!(reader.format(), want, "{name}");
        let events: Vec<_> = reader.collect();
        assert_eq!(events.len(), 1, "{name}");
        assert!(events[0].is_ok(), "{name}: {:?}", events[0]);
        // A named format wins over the file name.
        let reader =
            read::open(&path, Some(InputFormat::Text), ReadOptions::default()).expect("opens");
        assert_eq!(reader.format(), InputFormat::Text);
        std::fs::remove_file(&path).expect("remove temp file");
    }
}

#[test]
fn open_reports_a_missing_file() {
    let path = std::env::temp_dir().join("spl-runtime-read-no-such-file.jsonl");
    match read::open(&path, None, ReadOptions::default()) {
        Err(e @ ReadError::Open { .. }) => {
            assert!(e.is_fatal());
            assert!(e.to_string().starts_with("cannot open "), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn classic_raw_is_found_by_term_and_not_by_the_xml_phrase() {
    use spl_runtime::search::{Phrase, TermExact};
    let got = read(
        &format!("{SECURITY_4688}{POWERSHELL_4104}"),
        InputFormat::WinEventText,
        AliasMap::none(),
    );
    assert_eq!(got.len(), 2);
    assert!(TermExact::new("EventCode=4688").is_match(got[0].record.raw()));
    assert!(!TermExact::new("EventCode=4104").is_match(got[0].record.raw()));
    assert!(TermExact::new("EventCode=4104").is_match(got[1].record.raw()));
    assert!(!Phrase::new("<EventID>4104<").is_match(got[1].record.raw()));
}
