//! `splc run` end to end: rows as JSON lines and tables, line numbers, skips, mappings.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{scratch, splc, stderr, stdout};

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
    assert_eq!(
        stdout(&out),
        "{\"_rule\":\"pkg\",\"_rule_id\":\"pkg\",\"_rule_title\":\"pkg\",\"user\":\"bob\"}\n"
    );
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
        "{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"host\":\"WS01\",\"process\":\"pip install flask\"}\n"
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

#[cfg(unix)]
#[test]
fn unreadable_inputs_are_reported_and_the_run_goes_on() {
    let dir = scratch("run_unreadable");
    let inputs = dir.join("in");
    std::fs::create_dir_all(inputs.join("archive")).expect("mkdir");
    std::fs::write(inputs.join("a.jsonl"), "{\"user\":\"alice\"}\n").expect("write");
    std::fs::write(inputs.join("c.jsonl"), "{\"user\":\"carol\"}\n").expect("write");
    std::os::unix::fs::symlink(inputs.join("gone.jsonl"), inputs.join("b.jsonl")).expect("link");
    // Opens, then fails to read (on Linux): the rest of that input is lost, not the run.
    let proc_mem = Path::new("/proc/self/mem");
    let mut given: Vec<&Path> = vec![&inputs];
    if proc_mem.exists() {
        given.push(proc_mem);
    }
    let last = dir.join("z.jsonl");
    std::fs::write(&last, "{\"user\":\"zoe\"}\n").expect("write");
    given.push(&last);
    let args = [
        "run",
        "--input-format",
        "jsonl",
        "--spl",
        "user=* | table user",
    ];
    let out = splc(&args, &given);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"user\":\"alice\"}\n{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"user\":\"carol\"}\n{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"user\":\"zoe\"}\n"
    );
    let err = stderr(&out);
    assert!(err.contains("archive: input skipped: a directory"), "{err}");
    assert!(
        err.contains("b.jsonl: input skipped: a symbolic link"),
        "{err}"
    );
    let skipped = if proc_mem.exists() {
        assert!(
            err.contains("/proc/self/mem: input skipped: line 1: read failed"),
            "{err}"
        );
        3
    } else {
        2
    };
    assert!(
        err.contains(&format!(
            "3 events read, 0 skipped; {skipped} input(s) skipped"
        )),
        "{err}"
    );

    // --strict stops at the first one, after what came before it.
    let mut strict = args.to_vec();
    strict.insert(1, "--strict");
    let out = splc(&strict, &given);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"user\":\"alice\"}\n");
    let err = stderr(&out);
    assert!(
        err.contains("error: stopped at the first input that cannot be read (--strict)")
            && err.contains("archive"),
        "{err}"
    );
}

#[test]
fn limits_are_options_and_their_skips_name_them() {
    let dir = scratch("run_limits");
    let ev = dir.join("e.jsonl");
    std::fs::write(
        &ev,
        "{\"a\":{\"b\":{\"c\":\"deep\"}}}\n{\"a\":\"ok\",\"a_rather_long_name\":\"x\"}\n{\"a\":\"ok2\",\"another_long_name\":\"y\"}\n",
    )
    .expect("write");
    let out = splc(
        &[
            "run",
            "--max-depth",
            "2",
            "--max-field-name-bytes",
            "8",
            "--spl",
            "a=* | table a",
        ],
        &[&ev],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"a\":\"ok\"}\n{\"_rule\":\"spl-1\",\"_rule_id\":\"spl-1\",\"_rule_title\":\"spl-1\",\"a\":\"ok2\"}\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains("line 1: event 0 skipped: over a limit: nested more than 2 levels deep (limit max_depth)"),
        "{err}"
    );
    // Fields left out are reported once per input, then counted.
    assert!(
        err.contains("line 2: event 1: 1 field value(s) not stored: a field name longer than 8 bytes (limit max_field_name_bytes)"),
        "{err}"
    );
    assert!(!err.contains("line 3: event 2"), "{err}");
    assert!(
        err.contains("2 events read, 1 skipped, 2 with fields left out"),
        "{err}"
    );
    let help = splc(&["run", "--help"], &[]);
    let help = stdout(&help);
    for flag in [
        "--max-event-bytes",
        "--max-fields",
        "--max-depth",
        "--max-values",
        "--max-attributes",
        "--max-field-names",
        "--max-field-name-bytes",
        "--strict",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}

#[test]
fn a_table_of_a_field_with_many_values_stays_small() {
    let dir = scratch("run_table_many_values");
    let ev = dir.join("e.jsonl");
    let values: Vec<String> = (0..1_000).map(|i| format!("\"v{i}\"")).collect();
    let line = format!(
        "{{\"host\":\"h1\",\"process\":\"{}\",\"vals\":[{}]}}\n",
        "x".repeat(100_000),
        values.join(",")
    );
    std::fs::write(&ev, &line).expect("write");
    let out = splc(&["run", "--format", "table", "--spl", "host=*"], &[&ev]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // The event's text twice (`_raw` and `process`) and a line per value.
    assert!(text.len() < 3 * line.len(), "{} bytes of table", text.len());
    assert!(
        text.contains("\nvals{}   v0\n"),
        "{}",
        &text[..200.min(text.len())]
    );
}

#[test]
fn a_deeply_nested_rule_file_is_rejected_at_once_with_a_place() {
    let dir = scratch("run_deep_yaml");
    let rule = dir.join("deep.yml");
    let depth = 100_000;
    std::fs::write(
        &rule,
        format!(
            "logic: x\nextra: {}1{}\n",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        ),
    )
    .expect("write");
    let out = splc(&["check"], &[&rule]);
    assert_eq!(out.status.code(), Some(1));
    let err = format!("{}{}", stdout(&out), stderr(&out));
    assert!(err.contains("deep.yml:2:4008"), "{err}");
    assert!(err.contains("too many `[` and `{`"), "{err}");
}

/// Events of 40 hosts, a line each.
fn many_events(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("many.jsonl");
    let lines: String = (0..n)
        .map(|i| {
            format!(
                "{{\"_time\": {}, \"host\": \"h{}\", \"user\": \"u{}\", \"n\": {}}}\n",
                1_700_000_000 + i,
                (i * 7) % 40,
                i % 3,
                i
            )
        })
        .collect();
    std::fs::write(&path, lines).expect("write events");
    path
}

#[test]
fn sort_and_eventstats_over_the_memory_budget_give_the_same_rows() {
    let dir = scratch("run_memory_budget");
    let ev = many_events(&dir, 2000);
    for spl in [
        "* | sort 0 host, -n | head 50",
        "* | sort 100 host",
        "* | eventstats count dc(user) as users by host | table n host count users",
        "* | eventstats count by host | stats count",
    ] {
        let in_memory = splc(&["run", "--spl", spl], &[&ev]);
        let spilled = splc(&["run", "--memory-budget", "4K", "--spl", spl], &[&ev]);
        assert_eq!(in_memory.status.code(), Some(0), "{}", stderr(&in_memory));
        assert_eq!(spilled.status.code(), Some(0), "{}", stderr(&spilled));
        assert!(!stdout(&in_memory).is_empty(), "{spl}");
        assert_eq!(stdout(&spilled), stdout(&in_memory), "{spl}");
    }
}

#[test]
fn a_rule_that_cannot_spill_stops_with_an_error() {
    let dir = scratch("run_cannot_spill");
    let ev = many_events(&dir, 500);
    let out = Command::new(env!("CARGO_BIN_EXE_splc"))
        .args(["run", "--memory-budget", "4K", "--spl", "* | sort 0 host"])
        .args(["--spl", "* | stats count"])
        .arg(&ev)
        .env("TMPDIR", dir.join("missing"))
        .output()
        .expect("run splc");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("spl-1: the rule stopped, its results are incomplete: `sort` went over its memory budget of 4 KiB and could not spill rows to a temporary file in "),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // The other rule's rows still come out.
    assert_eq!(
        stdout(&out),
        "{\"_rule\":\"spl-2\",\"_rule_id\":\"spl-2\",\"_rule_title\":\"spl-2\",\"count\":500}\n"
    );
    let bad = splc(&["run", "--memory-budget", "12X", "--spl", "*"], &[&ev]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not a size"), "{}", stderr(&bad));
}

#[test]
fn threads_and_the_index_change_no_row_nor_its_order() {
    let dir = scratch("run_threads");
    // Past one batch of events, so that each thread gets a share of several.
    let ev = many_events(&dir, 3000);
    let rules = [
        "host=h7 OR user=u1",
        "n<50 | eval m=n*2 | table n m",
        "* | stats count by host",
        "user=u2 | streamstats count as k | where k % 100 = 0",
    ];
    let mut args = vec!["run", "--mapping", "none"];
    for r in &rules {
        args.extend(["--spl", r]);
    }
    let reference = splc(
        &[&args[..], &["--threads", "1", "--no-index"]].concat(),
        &[&ev],
    );
    assert_eq!(reference.status.code(), Some(0), "{}", stderr(&reference));
    let rows = stdout(&reference);
    // 3000 events: 1000 of user u1 (i mod 3 = 1), 50 more of host h7 (the 75 with
    // i mod 40 = 1, less the 25 of those with i mod 120 = 1), 50 with n<50, a count per
    // host (40), every 100th of the 1000 events of u2.
    assert_eq!(rows.lines().count(), 1000 + 50 + 50 + 40 + 10, "{rows}");
    for threads in ["1", "2", "5"] {
        let out = splc(&[&args[..], &["--threads", threads]].concat(), &[&ev]);
        assert_eq!(stdout(&out), rows, "{threads} threads");
        let out = splc(
            &[&args[..], &["--threads", threads, "--no-index"]].concat(),
            &[&ev],
        );
        assert_eq!(stdout(&out), rows, "{threads} threads, no index");
    }
    // Lines that are not events, among events: reported and counted the same, whoever
    // reads them.
    let text = std::fs::read_to_string(&ev).expect("the events");
    let mut lines: Vec<&str> = text.lines().collect();
    for at in [2999, 1500, 700, 1] {
        lines.insert(at, "{not json");
    }
    let broken = dir.join("broken.jsonl");
    std::fs::write(&broken, lines.join("\n") + "\n").expect("write");
    let one = splc(&[&args[..], &["--threads", "1"]].concat(), &[&broken]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(stdout(&one), rows, "the events still give their rows");
    assert!(
        stderr(&one).contains("3000 events read, 4 skipped"),
        "{}",
        stderr(&one)
    );
    let two = splc(&[&args[..], &["--threads", "2"]].concat(), &[&broken]);
    assert_eq!(stdout(&two), rows);
    // The same reports; only the summary's timing may differ.
    let untimed = |o: &Output| -> String {
        stderr(o)
            .lines()
            .filter(|l| !l.starts_with("summary:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(untimed(&two), untimed(&one));
    // One line per passing event, however many rules it passes.
    let out = splc(
        &[
            "run",
            "--line-numbers",
            "--threads",
            "2",
            "--mapping",
            "none",
            "--spl",
            "user=u1",
            "--spl",
            "n>=2990",
        ],
        &[&ev],
    );
    let lines: Vec<usize> = stdout(&out)
        .lines()
        .map(|l| l.parse().expect("a line number"))
        .collect();
    let expected: Vec<usize> = (0..3000).filter(|i| i % 3 == 1 || *i >= 2990).collect();
    assert_eq!(lines, expected);
}

#[test]
fn lookups_and_geoip_come_from_the_options_and_missing_data_warns_once() {
    use spl_runtime::geoip::{CityRecord, DatabaseWriter};
    let dir = scratch("run_lookups");
    let tables = dir.join("tables");
    std::fs::create_dir_all(&tables).expect("create tables");
    std::fs::write(tables.join("owners.csv"), "host,owner\nH*,ops\n").expect("write table");
    std::fs::write(
        dir.join("transforms.conf"),
        "[owners]\nfilename = owners.csv\nmatch_type = WILDCARD(host)\ncase_sensitive_match = false\n",
    )
    .expect("write transforms");
    let mut db = DatabaseWriter::new();
    db.insert(
        "81.2.69.0/24",
        CityRecord::new()
            .city("en", "London")
            .country("GB", "en", "United Kingdom"),
    )
    .expect("a network");
    db.write(dir.join("city.mmdb")).expect("write database");
    std::fs::write(
        dir.join("events.jsonl"),
        "{\"host\": \"h1\", \"ip\": \"81.2.69.1\"}\n{\"host\": \"db\", \"ip\": \"10.0.0.1\"}\n",
    )
    .expect("write events");
    let spl = "* | lookup owners host OUTPUT owner | iplocation ip | lookup absent host OUTPUT x | table host owner City Country x";
    let (tables_arg, transforms, geoip) = (
        tables.display().to_string(),
        dir.join("transforms.conf").display().to_string(),
        dir.join("city.mmdb").display().to_string(),
    );
    let out = splc(
        &[
            "run",
            "--spl",
            spl,
            "--lookups",
            &tables_arg,
            "--transforms",
            &transforms,
            "--geoip",
            &geoip,
        ],
        &[&dir.join("events.jsonl")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["owner"], "ops");
    assert_eq!(rows[0]["City"], "London");
    assert_eq!(rows[0]["Country"], "United Kingdom");
    assert!(
        rows[1].get("owner").is_none() && rows[1].get("City").is_none(),
        "{}",
        rows[1]
    );
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`absent`"), "{warnings:?}");
    // Without a database, iplocation warns and adds nothing.
    let out = splc(
        &["run", "--spl", "* | iplocation ip | table ip City"],
        &[&dir.join("events.jsonl")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no GeoIP database"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("City"), "{}", stdout(&out));
}

#[test]
fn data_models_from_a_mapping_file_and_a_warning_for_an_uncovered_dataset() {
    let dir = scratch("run_datamodels");
    let events = dir.join("web.jsonl");
    std::fs::write(
        &events,
        "{\"st\": \"web\", \"ip\": \"10.0.0.1\", \"m\": \"POST\"}\n{\"st\": \"web\", \"ip\": \"10.0.0.2\", \"m\": \"GET\"}\n{\"st\": \"other\", \"ip\": \"10.0.0.3\", \"m\": \"POST\"}\n",
    )
    .expect("write events");
    let mappings = dir.join("models.yml");
    std::fs::write(
        &mappings,
        "mappings:\n  - name: web\n    dataset: Web\n    when: [{st: web}]\n    fields: {src: ip, http_method: m}\n",
    )
    .expect("write mappings");
    let mappings = mappings.to_string_lossy().into_owned();
    let out = splc(
        &[
            "run",
            "--datamodels",
            &mappings,
            "--spl",
            "| tstats count from datamodel=Web where Web.http_method=POST by Web.src",
            "--spl",
            "| tstats count from datamodel=Endpoint.Services by Services.service_name",
        ],
        &[&events],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON row"))
        .collect();
    assert_eq!(
        rows,
        [
            serde_json::json!({"_rule": "spl-1", "_rule_id": "spl-1", "_rule_title": "spl-1", "Web.src": "10.0.0.1", "count": 1})
        ]
    );
    let err = stderr(&out);
    assert_eq!(
        err.matches("warning: data model dataset `Endpoint.Services`")
            .count(),
        1,
        "{err}"
    );
    let bad = splc(
        &["run", "--datamodels", "/nonexistent.yml", "--spl", "x"],
        &[&events],
    );
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        stderr(&bad).contains("/nonexistent.yml"),
        "{}",
        stderr(&bad)
    );
}
