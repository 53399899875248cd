//! `splc run` end to end: rows as JSON lines and tables, line numbers, skips, mappings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn splc(args: &[&str], inputs: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splc"))
        .args(args)
        .args(inputs)
        .output()
        .expect("run splc")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const EVENTS: &str = r#"{"_time": 1700000000.5, "host": "h1", "process": "pip install -r requirements.txt", "user": "alice"}
{"_time": 1700000000.7, "host": "h1", "process": "npm install lodash", "user": "bob"}
{"_time": 1700000003, "host": "h2", "process": "gem install", "user": "carol"}
{"_time": 1700000004, "host": "h2", "process": "pip3 install x", "user": "dave"
{"_time": 1700000009, "host": "h3", "process": "PIP INSTALL flask", "user": "erin"}
"#;

const RULE: &str = r#"(TERM(npm) OR TERM(pip) OR TERM(gem)) TERM(install) | regex process="(?i)install\s" | table _time host user process | bin span=1s | stats values(*) as * by _time, host"#;

fn events(dir: &Path) -> PathBuf {
    let path = dir.join("events.jsonl");
    std::fs::write(&path, EVENTS).expect("write events");
    path
}

#[test]
fn jsonl_rows_group_by_second_and_host() {
    let dir = scratch("run_jsonl");
    let ev = events(&dir);
    let out = splc(&["run", "--spl", RULE], &[&ev]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON row"))
        .collect();
    // Events 0 and 1 share second 1700000000 and host h1; event 2 has nothing after
    // `install`; event 3 is not JSON (skipped); event 4 matches in upper case.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["_rule"], "spl-1");
    assert_eq!(rows[0]["_time"], 1_700_000_000);
    assert_eq!(rows[0]["host"], "h1");
    assert_eq!(rows[0]["user"], serde_json::json!(["alice", "bob"]));
    assert_eq!(
        rows[0]["process"],
        serde_json::json!(["npm install lodash", "pip install -r requirements.txt"])
    );
    assert_eq!(rows[1]["host"], "h3");
    assert_eq!(rows[1]["process"], "PIP INSTALL flask");
    // The bad line is reported with its position and counted.
    let err = stderr(&out);
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("4 events read, 1 skipped"), "{err}");
}

#[test]
fn table_format_shows_multivalues_on_lines() {
    let dir = scratch("run_table");
    let ev = events(&dir);
    let out = splc(&["run", "--format", "table", "--spl", RULE], &[&ev]);
    let text = stdout(&out);
    assert!(text.starts_with("== spl-1 (2 rows)\n"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].starts_with("_time"), "{text}");
    // The first row takes two lines: one per value of its multivalue cells.
    assert!(
        lines[3].contains("alice") && lines[3].contains("npm install lodash"),
        "{text}"
    );
    assert!(
        lines[4].contains("bob") && lines[4].contains("pip install -r requirements.txt"),
        "{text}"
    );
}

#[test]
fn line_numbers_print_passing_events() {
    let dir = scratch("run_lines");
    let ev = events(&dir);
    let out = splc(
        &[
            "run",
            "--line-numbers",
            "--mapping",
            "none",
            "--spl",
            "install NOT user=bob",
        ],
        &[&ev],
    );
    assert_eq!(stdout(&out), "0\n2\n4\n");
    let out = splc(&["run", "--line-numbers", "--spl", RULE], &[&ev]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a transforming search has no line numbers"
    );
    assert!(stderr(&out).contains("--line-numbers"));
}

#[test]
fn rules_from_files_and_directories_of_inputs() {
    let dir = scratch("run_dirs");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    events(&inputs);
    let rule = dir.join("pkg.spl");
    std::fs::write(&rule, "TERM(npm) | table user").expect("write rule");
    let out = splc(
        &["run", "--rule", rule.to_str().expect("utf-8 path")],
        &[&inputs],
    );
    assert_eq!(stdout(&out), "{\"_rule\":\"pkg\",\"user\":\"bob\"}\n");
}

#[test]
fn windows_xml_uses_the_alias_layer_unless_turned_off() {
    let dir = scratch("run_xml");
    let xml = dir.join("sysmon.xml");
    std::fs::write(
        &xml,
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime='2026-11-28T10:00:00.000Z'/><Computer>WS01</Computer></System><EventData><Data Name='Image'>C:\\Python311\\Scripts\\pip.exe</Data><Data Name='CommandLine'>pip install flask</Data></EventData></Event>\n",
    )
    .expect("write xml");
    let out = splc(
        &["run", "--spl", "process_name=pip.exe | table host process"],
        &[&xml],
    );
    assert_eq!(
        stdout(&out),
        "{\"_rule\":\"spl-1\",\"host\":\"WS01\",\"process\":\"pip install flask\"}\n"
    );
    let out = splc(
        &[
            "run",
            "--mapping",
            "none",
            "--spl",
            "process_name=pip.exe | table host",
        ],
        &[&xml],
    );
    assert_eq!(stdout(&out), "", "without aliases there is no process_name");
}

#[test]
fn errors_are_reported_not_panics() {
    let dir = scratch("run_errors");
    let ev = events(&dir);
    let out = splc(&["run", "--spl", "a (b"], &[&ev]);
    assert_eq!(out.status.code(), Some(1), "a rule that does not compile");
    assert!(
        stderr(&out).contains("unclosed parenthesis"),
        "{}",
        stderr(&out)
    );
    let out = splc(
        &["run", "--spl", "a"],
        &[Path::new("/nonexistent/events.jsonl")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"));
    let out = splc(&["run", "--input-format", "yaml", "--spl", "a"], &[&ev]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn table_shows_backslashes_and_quotes_as_they_are() {
    let dir = scratch("run_table_text");
    let ev = dir.join("e.jsonl");
    std::fs::write(
        &ev,
        "{\"user\": \"CORP\\\\frank\", \"cmd\": \"net group \\\"domain admins\\\"\", \"note\": \"a\\tb\"}\n",
    )
    .expect("write events");
    let out = splc(
        &[
            "run",
            "--format",
            "table",
            "--spl",
            "user=* | table user cmd note",
        ],
        &[&ev],
    );
    let text = stdout(&out);
    let row = text.lines().nth(3).expect("a row line");
    assert!(row.contains(r"CORP\frank"), "{text}");
    assert!(!row.contains(r"CORP\\frank"), "{text}");
    assert!(row.contains(r#"net group "domain admins""#), "{text}");
    // A tab would break the alignment: it is shown escaped.
    assert!(row.contains(r"a\tb"), "{text}");
}
