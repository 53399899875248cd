//! `splc run` over EVTX files (written by `splc_tests::evtx_writer`): the same rules give
//! the same rows on an `.evtx` file and on its XML export, and damaged files give skips
//! with their place, or an input skipped, never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{scratch, splc, stderr, stdout};

use splc_tests::evtx_writer::{
    events_of_export, numbered_events, sample_export, write_evtx, EvtxFile,
};

fn rows(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect()
}

/// The sample export as `export.xml` and as `export.evtx` in `dir`.
fn sample_files(dir: &Path) -> (PathBuf, PathBuf) {
    let export = sample_export();
    let file = write_evtx(&events_of_export(&export)).expect("written");
    let xml = dir.join("export.xml");
    let evtx = dir.join("export.evtx");
    std::fs::write(&xml, &export).expect("write xml");
    std::fs::write(&evtx, &file.bytes).expect("write evtx");
    (xml, evtx)
}

const PROCESSES: &str = "(EventCode=1 OR EventCode=4688) | eval image=coalesce(Image, NewProcessName) | table EventCode Computer image CommandLine ParentImage";
const LOGONS: &str = "EventCode=4624 LogonType=3 | stats count by TargetUserName IpAddress";
const ALIASES: &str = "parent_process_name=WINWORD.EXE | table host process_name process";

#[test]
fn evtx_and_its_xml_export_give_the_same_rows() {
    let dir = scratch("evtx_same_rows");
    let (xml, evtx) = sample_files(&dir);
    let rule = dir.join("processes.spl");
    std::fs::write(&rule, PROCESSES).expect("write rule");
    let rule = rule.to_str().expect("utf-8 path");
    for args in [
        vec!["run", "--rule", rule],
        vec!["run", "--spl", LOGONS],
        vec!["run", "--spl", ALIASES],
        vec!["run", "--format", "table", "--spl", PROCESSES],
        vec![
            "run",
            "--line-numbers",
            "--spl",
            "EventCode=4624 OR EventCode=1",
        ],
    ] {
        let from_xml = splc(&args, &[&xml]);
        let from_evtx = splc(&args, &[&evtx]);
        assert_eq!(from_evtx.status.code(), Some(0), "{}", stderr(&from_evtx));
        assert_eq!(from_xml.status.code(), Some(0), "{}", stderr(&from_xml));
        assert!(!stdout(&from_evtx).is_empty(), "{args:?}");
        assert_eq!(stdout(&from_evtx), stdout(&from_xml), "{args:?}");
        assert!(
            stderr(&from_evtx).contains("3 events read, 0 skipped\n"),
            "{}",
            stderr(&from_evtx)
        );
    }
    // The rows, by hand from the events.
    let out = splc(&["run", "--spl", PROCESSES], &[&evtx]);
    let found = rows(&out);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["EventCode"], "1");
    assert_eq!(
        found[0]["image"],
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
    );
    assert_eq!(
        found[0]["CommandLine"],
        r#"powershell.exe -nop -w hidden -enc SQBFAFgA & "x" <y>"#
    );
    assert_eq!(
        found[0]["ParentImage"],
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"
    );
    assert_eq!(found[1]["EventCode"], "4688");
    assert_eq!(found[1]["image"], r"C:\Windows\System32\whoami.exe");
    assert_eq!(found[1]["CommandLine"], "whoami /all");
    assert_eq!(found[1].get("ParentImage"), None, "4688 has no ParentImage");
    let out = splc(&["run", "--spl", LOGONS], &[&evtx]);
    assert_eq!(
        rows(&out),
        [
            serde_json::json!({"_rule": "spl-1", "_rule_id": "spl-1", "_rule_title": "spl-1", "TargetUserName": "Administrator", "IpAddress": "203.0.113.9", "count": 1})
        ]
    );
    let out = splc(
        &[
            "run",
            "--line-numbers",
            "--spl",
            "EventCode=4624 OR EventCode=1",
        ],
        &[&evtx],
    );
    assert_eq!(stdout(&out), "0\n2\n", "the 0-based record positions");
}

#[test]
fn the_format_is_chosen_by_name_extension_or_content() {
    let dir = scratch("evtx_format");
    let (_, evtx) = sample_files(&dir);
    let unnamed = dir.join("security.bin");
    std::fs::copy(&evtx, &unnamed).expect("copy");
    for args in [
        vec!["run", "--spl", LOGONS],
        vec!["run", "--input-format", "evtx", "--spl", LOGONS],
    ] {
        let out = splc(&args, &[&unnamed]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(rows(&out).len(), 1, "{args:?}: {}", stderr(&out));
    }
    // Named as EVTX, an XML file is not read as XML.
    let out = splc(
        &["run", "--input-format", "evtx", "--spl", LOGONS],
        &[&dir.join("export.xml")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not an EVTX file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_flipped_byte_skips_one_record_with_its_place() {
    let dir = scratch("evtx_flipped");
    let mut file = write_evtx(&events_of_export(&sample_export())).expect("written");
    // The token that opens the second record's <Event> element becomes no token.
    file.bytes[file.records[1].binxml + 4] ^= 0xff;
    let path = dir.join("flipped.evtx");
    std::fs::write(&path, &file.bytes).expect("write");
    let out = splc(&["run", "--spl", "* | table EventCode"], &[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"EventCode\":\"1\"}\n{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"EventCode\":\"4624\"}\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}: chunk 0, record 2: event 1 skipped: unreadable EVTX data:",
            path.display()
        )),
        "{err}"
    );
    assert!(err.contains("2 events read, 1 skipped\n"), "{err}");
}

/// An EVTX file of `n` numbered events, more than one chunk.
fn numbered(n: usize) -> EvtxFile {
    let events = numbered_events(n);
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    let file = write_evtx(&refs).expect("written");
    assert!(file.chunks() >= 2, "{} chunks", file.chunks());
    file
}

#[test]
fn a_truncated_file_reads_up_to_the_cut_chunk_and_says_so() {
    let dir = scratch("evtx_truncated");
    let file = numbered(100);
    let in_first = file.records.iter().filter(|r| r.chunk == 0).count();
    let path = dir.join("cut.evtx");
    std::fs::write(&path, &file.bytes[..EvtxFile::chunk_offset(1) + 5000]).expect("write");
    let out = splc(&["run", "--spl", "EventCode=4688 | stats count"], &[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows(&out)[0]["count"], in_first as u64);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cut.evtx: chunk 1: event {in_first} skipped: unreadable EVTX data: the file ends 5000 bytes into this chunk"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{in_first} events read, 1 skipped\n")),
        "{err}"
    );
}

#[test]
fn a_bad_chunk_header_skips_that_chunk_only() {
    let dir = scratch("evtx_bad_chunk");
    let mut file = numbered(100);
    let in_first = file.records.iter().filter(|r| r.chunk == 0).count();
    let in_second = file.records.iter().filter(|r| r.chunk == 1).count();
    // The second chunk's magic `ElfChnk` becomes `ElfChnK`.
    file.bytes[EvtxFile::chunk_offset(1) + 6] = b'K';
    let path = dir.join("chunk.evtx");
    std::fs::write(&path, &file.bytes).expect("write");
    let out = splc(&["run", "--spl", "EventCode=4688 | stats count"], &[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows(&out)[0]["count"], (100 - in_second) as u64);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "chunk.evtx: chunk 1: event {in_first} skipped: unreadable EVTX data:"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{} events read, 1 skipped\n", 100 - in_second)),
        "{err}"
    );
}

/// A pipe cannot seek: it is read into memory, and recognised by its first bytes.
#[cfg(unix)]
#[test]
fn an_evtx_pipe_is_read() {
    let dir = scratch("evtx_pipe");
    let fifo = dir.join("security");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let file = write_evtx(&events_of_export(&sample_export())).expect("written");
    let path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(&path, &file.bytes));
    let out = splc(&["run", "--spl", LOGONS], &[&fifo]);
    writer
        .join()
        .expect("writer thread")
        .expect("write to the pipe");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rows(&out).len(), 1, "{}", stderr(&out));
}

#[test]
fn a_file_that_is_not_evtx_is_an_input_skipped() {
    let dir = scratch("evtx_not");
    let path = dir.join("not.evtx");
    std::fs::write(&path, "{\"EventCode\": \"4624\"}\n").expect("write");
    let (_, good) = sample_files(&dir);
    let out = splc(
        &["run", "--spl", "EventCode=4624 | table EventCode"],
        &[&path, &good],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "an input skipped: exit status 1"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}: input skipped: cannot open", path.display()))
            && err.contains("not an EVTX file"),
        "{err}"
    );
    assert_eq!(rows(&out).len(), 1, "the other input is read");
    let out = splc(&["run", "--strict", "--spl", "EventCode=4624"], &[&path]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--strict stops the run: an error"
    );
    assert!(stderr(&out).contains("--strict"), "{}", stderr(&out));
}
