//! `splc run` inputs and outputs: standard input, gzip, CSV, ISO times, `--output`,
//! `--quiet` and the closing summary, with their exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Run splc with `stdin` on its standard input.
fn splc_with_input(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_splc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run splc");
    let mut input = child.stdin.take().expect("stdin piped");
    let bytes = stdin.to_vec();
    // Written on a thread of its own: the child may fill its stdout pipe first.
    let writer = std::thread::spawn(move || input.write_all(&bytes));
    let out = child.wait_with_output().expect("wait for splc");
    writer.join().expect("writer thread").expect("write stdin");
    out
}

fn splc(args: &[&str]) -> Output {
    splc_with_input(args, b"")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// 1,700,000,000 s after the epoch is 2023-11-14T22:13:20Z.
const EVENTS: &str = r#"{"_time": 1700000000.5, "host": "h1", "user": "alice", "process": "whoami"}
{"_time": 1700000001, "host": "h2", "user": ["bob", "carol"], "process": "WHOAMI /all"}
{"_time": 1700000002, "host": "h3", "user": "dave", "process": "hostname"}
"#;

const RULE: &str = "process=whoami*";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("compress")
}

fn rows(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect()
}

#[test]
fn standard_input_is_read_for_a_dash() {
    let out = splc_with_input(&["run", "--spl", RULE, "-"], EVENTS.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = rows(&out);
    // `whoami*` matches the first two processes, the second in another case.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["host"], "h1");
    assert_eq!(rows[1]["host"], "h2");
    // Twice is refused: the second would read nothing.
    let twice = splc(&["run", "--spl", RULE, "-", "-"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        text(&twice.stderr).contains("only once"),
        "{}",
        text(&twice.stderr)
    );
}

#[test]
fn gzip_inputs_are_decompressed_from_files_and_standard_input() {
    let dir = scratch("run_io_gzip");
    let gz = gzip(EVENTS.as_bytes());
    // The format comes from the name without `.gz`; a name that says nothing: sniffed.
    let named = dir.join("events.jsonl.gz");
    std::fs::write(&named, &gz).expect("write");
    let unnamed = dir.join("events.bin");
    std::fs::write(&unnamed, &gz).expect("write");
    for path in [&named, &unnamed] {
        let out = splc(&["run", "--spl", RULE, path.to_str().expect("utf-8 path")]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(rows(&out).len(), 2, "{}", path.display());
    }
    let piped = splc_with_input(&["run", "--spl", RULE, "-"], &gz);
    assert_eq!(rows(&piped).len(), 2);
    // A gzip stream cut short: the events before the cut are read, the input is reported
    // as skipped, exit status 1.
    let cut = dir.join("cut.jsonl.gz");
    std::fs::write(&cut, &gz[..gz.len() - 12]).expect("write");
    let out = splc(&["run", "--spl", RULE, cut.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("input skipped"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn csv_has_one_header_iso_times_and_multivalues_on_lines() {
    let out = splc_with_input(
        &[
            "run", "--format", "csv", "--spl", RULE, "--spl", "host=h3", "-",
        ],
        EVENTS.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "_rule");
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    // Rows in event order, each naming its rule.
    assert_eq!(records.len(), 3);
    assert_eq!(&records[0][0], "spl-1");
    assert_eq!(&records[2][0], "spl-2");
    assert_eq!(&records[0][col("_time")], "2023-11-14T22:13:20.500Z");
    assert_eq!(&records[1][col("_time")], "2023-11-14T22:13:21.000Z");
    // A JSON array is a multivalue field named `user{}`.
    assert_eq!(&records[1][col("user{}")], "bob\ncarol");
    assert_eq!(&records[2][col("host")], "h3");
    // Every row has every column.
    assert!(records.iter().all(|r| r.len() == header.len()));
}

#[test]
fn table_shows_time_as_iso_and_json_keeps_the_number() {
    let table = splc_with_input(
        &["run", "--format", "table", "--spl", RULE, "-"],
        EVENTS.as_bytes(),
    );
    let shown = text(&table.stdout);
    assert!(shown.contains("2023-11-14T22:13:20.500Z"), "{shown}");
    let json = splc_with_input(&["run", "--spl", RULE, "-"], EVENTS.as_bytes());
    assert_eq!(rows(&json)[0]["_time"], 1_700_000_000.5);
}

#[test]
fn output_goes_to_a_file() {
    let dir = scratch("run_io_output");
    let file = dir.join("rows.jsonl");
    let out = splc_with_input(
        &[
            "run",
            "--spl",
            RULE,
            "-o",
            file.to_str().expect("utf-8 path"),
            "-",
        ],
        EVENTS.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("the output file");
    assert_eq!(written.lines().count(), 2, "{written}");
    // A file that cannot be created is an error before anything runs.
    let bad = dir.join("missing-dir").join("rows.jsonl");
    let out = splc_with_input(
        &[
            "run",
            "--spl",
            RULE,
            "-o",
            bad.to_str().expect("utf-8 path"),
            "-",
        ],
        EVENTS.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot create the output file"));
}

#[test]
fn the_summary_counts_inputs_skips_by_reason_and_rows_per_rule() {
    let bad = format!("{EVENTS}{{broken\n[1,2]\n{{\"a\": 1}}\n");
    let out = splc_with_input(
        &["run", "--spl", RULE, "--spl", "host=nobody", "-"],
        bad.as_bytes(),
    );
    // Skipped events are reported, not fatal: exit status 0.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "summary: 1 input(s), 4 events read, 2 skipped (invalid JSON: 1, not a JSON object: 1)"
        ),
        "{err}"
    );
    assert!(err.contains("events/s"), "{err}");
    assert!(err.contains("rows: 2\n"), "{err}");
    assert!(err.contains("         2  spl-1\n"), "{err}");
    assert!(err.contains("         0  spl-2"), "{err}");
    // Quiet: the skipped events are still reported, the summary is not.
    let quiet = splc_with_input(&["run", "-q", "--spl", RULE, "-"], bad.as_bytes());
    let err = text(&quiet.stderr);
    assert!(err.contains("skipped"), "{err}");
    assert!(!err.contains("summary"), "{err}");
    assert!(!err.contains("events read"), "{err}");
    // Not a terminal: no progress bar drawn.
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn rows_name_their_rule_by_name_id_and_title() {
    let dir = scratch("run_io_labels");
    let rule = dir.join("whoami_runs.yml");
    std::fs::write(
        &rule,
        "id: '1234.5'\ntitle: Whoami runs\nlogic: 'process=whoami* | table host'\n",
    )
    .expect("write rule");
    let rule = rule.to_str().expect("utf-8 path");
    let json = splc_with_input(&["run", "--rule", rule, "-"], EVENTS.as_bytes());
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    assert_eq!(
        text(&json.stdout).lines().next(),
        Some(
            r#"{"_rule":"whoami_runs","_rule_id":"1234.5","_rule_title":"Whoami runs","host":"h1"}"#
        )
    );
    let csv = splc_with_input(
        &["run", "--format", "csv", "--rule", rule, "-"],
        EVENTS.as_bytes(),
    );
    let shown = text(&csv.stdout);
    let mut lines = shown.lines();
    assert_eq!(lines.next(), Some("_rule,_rule_id,_rule_title,host"));
    assert_eq!(lines.next(), Some("whoami_runs,1234.5,Whoami runs,h1"));
    let table = splc_with_input(
        &["run", "--format", "table", "--rule", rule, "-"],
        EVENTS.as_bytes(),
    );
    assert!(
        text(&table.stdout).starts_with("== whoami_runs (2 rows)\n   Whoami runs (id 1234.5)\n"),
        "{}",
        text(&table.stdout)
    );
}

/// On a terminal the bar is drawn on standard error while events come in, and the run
/// still ends with its rows and summary. `script` gives `splc` a pseudo-terminal; the
/// events come through a named pipe over about a second, so that the bar's own thread
/// draws while the run reads and reports.
#[test]
fn the_progress_bar_draws_on_a_terminal_while_the_run_goes_on() {
    let script = Path::new("/usr/bin/script");
    if !script.exists() || Command::new("mkfifo").arg("--version").output().is_err() {
        println!("skipped: the terminal progress test (needs script(1) and mkfifo(1))");
        return;
    }
    let dir = scratch("tty");
    let fifo = dir.join("events.jsonl");
    let rows_file = dir.join("rows.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let command = format!(
        "{} run --spl '{RULE}' -o {} {}",
        env!("CARGO_BIN_EXE_splc"),
        rows_file.display(),
        fifo.display()
    );
    let mut child = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || -> std::io::Result<()> {
            let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo)?;
            for _ in 0..10 {
                pipe.write_all(EVENTS.as_bytes())?;
                pipe.flush()?;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Ok(())
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for script") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("splc run on a terminal did not end within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    writer.join().expect("writer thread").expect("write events");
    let out = child.wait_with_output().expect("script output");
    assert!(status.success(), "{}", text(&out.stdout));
    let rows = std::fs::read_to_string(&rows_file).expect("rows written");
    assert_eq!(rows.lines().count(), 20, "two rows per copy of the events");
    // The terminal saw the summary (standard error goes to it).
    assert!(
        text(&out.stdout).contains("rows: 20"),
        "{}",
        text(&out.stdout)
    );
}
