//! `splc run --engine datafusion` and `splc compile --datafusion` (the `datafusion`
//! feature): the same rows as the evaluator over the repository's example rules and
//! events, as JSON lines and as Parquet; a rule DataFusion does not run reported by name.
#![cfg(feature = "datafusion")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{scratch, splc, stderr, stdout};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_owned()
}

/// The example event files, sorted (as `examples/events/*` expands).
fn example_events() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/events"))
        .expect("examples/events")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    files
}

/// Each rule's rows (JSON lines), in their order, by `_rule`; numbers other than `_time`
/// as their text (DataFusion's columns hold a number that `stats` or `eval` computes as
/// text, which JSON shows as a string).
fn rows_by_rule(out: &Output) -> BTreeMap<String, Vec<serde_json::Value>> {
    let mut by_rule: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for line in stdout(out).lines() {
        let mut row: serde_json::Value = serde_json::from_str(line).expect("a JSON row");
        for (field, value) in row.as_object_mut().expect("a JSON object") {
            if let (false, serde_json::Value::Number(n)) = (field == "_time", &value) {
                *value = serde_json::Value::String(n.to_string());
            }
        }
        let rule = row["_rule"].as_str().expect("_rule").to_owned();
        by_rule.entry(rule).or_default().push(row);
    }
    by_rule
}

/// `--rule` arguments for each example rule.
fn example_rules() -> Vec<String> {
    let mut rules: Vec<PathBuf> = std::fs::read_dir(root().join("examples/rules"))
        .expect("examples/rules")
        .map(|e| e.expect("an entry").path())
        .collect();
    rules.sort();
    assert_eq!(rules.len(), 7, "{rules:?}");
    rules
        .iter()
        .flat_map(|r| {
            [
                "--rule".to_owned(),
                r.to_str().expect("UTF-8 path").to_owned(),
            ]
        })
        .collect()
}

fn run(engine: &str, extra: &[&str], inputs: &[PathBuf]) -> Output {
    let rules = example_rules();
    let mut args = vec!["run", "-q", "--engine", engine];
    args.extend(rules.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    splc(&args, &inputs)
}

#[test]
fn the_example_rules_give_the_evaluators_rows_over_event_files() {
    let events = example_events();
    let evaluator = run("evaluator", &[], &events);
    assert_eq!(evaluator.status.code(), Some(0), "{}", stderr(&evaluator));
    let datafusion = run("datafusion", &[], &events);
    assert_eq!(datafusion.status.code(), Some(0), "{}", stderr(&datafusion));
    let expected = rows_by_rule(&evaluator);
    // examples/README.md: 13 rows, two from each of six rules and one from the seventh
    // (`eventstats`).
    assert_eq!(expected.len(), 7, "{expected:?}");
    assert_eq!(
        expected.values().map(Vec::len).sum::<usize>(),
        13,
        "{expected:?}"
    );
    assert_eq!(expected["recon_commands-unix"].len(), 1, "{expected:?}");
    assert_eq!(rows_by_rule(&datafusion), expected);
    // Rule after rule: once a rule's rows end, none of its rows come again.
    let order: Vec<String> = stdout(&datafusion)
        .lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).expect("a JSON row");
            row["_rule"].as_str().expect("_rule").to_owned()
        })
        .collect();
    let mut seen: Vec<&String> = Vec::new();
    for rule in &order {
        if seen.last() != Some(&rule) {
            assert!(!seen.contains(&rule), "{rule} twice in {order:?}");
            seen.push(rule);
        }
    }
}

#[test]
fn the_example_rules_give_the_evaluators_rows_over_parquet() {
    let dir = scratch("datafusion_parquet");
    let events = example_events();
    let mut records = Vec::new();
    for path in &events {
        let read =
            spl_datafusion::input::read_events(path, Default::default()).expect("read events");
        records.extend(read.records);
    }
    let parquet = dir.join("events.parquet");
    spl_datafusion::input::write_parquet(&records, &parquet, 4).expect("write Parquet");

    let evaluator = run("evaluator", &[], &events);
    assert_eq!(evaluator.status.code(), Some(0), "{}", stderr(&evaluator));
    let datafusion = run("datafusion", &[], std::slice::from_ref(&parquet));
    assert_eq!(datafusion.status.code(), Some(0), "{}", stderr(&datafusion));
    assert_eq!(rows_by_rule(&datafusion), rows_by_rule(&evaluator));

    // Parquet and event files are not mixed in one run.
    let mixed = run("datafusion", &[], &[parquet.clone(), events[0].clone()]);
    assert_eq!(mixed.status.code(), Some(2), "{}", stderr(&mixed));
    assert!(stderr(&mixed).contains("Parquet"), "{}", stderr(&mixed));

    // The plan over the Parquet file has the search's predicate in its scan.
    let rule = root().join("examples/rules/package_install_custom_index-unix.yml");
    let plans = splc(
        &[
            "compile",
            "--datafusion",
            "--input",
            parquet.to_str().expect("UTF-8 path"),
        ],
        &[&rule],
    );
    assert_eq!(plans.status.code(), Some(0), "{}", stderr(&plans));
    let text = stdout(&plans);
    assert!(text.contains("logical plan:"), "{text}");
    assert!(text.contains("DataSourceExec"), "{text}");
    assert!(text.contains("predicate="), "{text}");
}

#[test]
fn the_table_format_and_threads_give_a_table_per_rule() {
    let events = example_events();
    let evaluator = run("evaluator", &["--format", "table"], &events);
    let datafusion = run(
        "datafusion",
        &["--format", "table", "--threads", "1"],
        &events,
    );
    assert_eq!(datafusion.status.code(), Some(0), "{}", stderr(&datafusion));
    // A table per rule, with the same rows (the columns of `values(*) as *` may come in
    // another order): compare the headings.
    let headings = |out: &Output| {
        let mut lines: Vec<String> = stdout(out)
            .lines()
            .filter(|l| l.starts_with("== "))
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(headings(&datafusion).len(), 7, "{}", stdout(&datafusion));
    assert_eq!(headings(&datafusion), headings(&evaluator));
}

#[test]
fn a_rule_datafusion_does_not_run_is_reported_and_the_others_run() {
    let events = example_events();
    let dir = scratch("datafusion_refused");
    let refused = dir.join("refused.spl");
    std::fs::write(&refused, "process_name=* | transaction host maxspan=1m\n").expect("write");
    let rules = root().join("examples/rules");
    let inputs: Vec<&Path> = events.iter().map(PathBuf::as_path).collect();
    let all = |engine: &str, with_refused: bool| {
        let mut args = vec![
            "run",
            "-q",
            "--engine",
            engine,
            "--rule",
            rules.to_str().expect("UTF-8 path"),
        ];
        if with_refused {
            args.extend(["--rule", refused.to_str().expect("UTF-8 path")]);
        }
        splc(&args, &inputs)
    };
    let out = all("datafusion", true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("refused: not run: `transaction`"), "{err}");
    // The other rules' rows are the evaluator's.
    assert_eq!(rows_by_rule(&out), rows_by_rule(&all("evaluator", false)));

    // `compile --datafusion` reports it the same way, and plans the other.
    let good = root().join("examples/rules/certutil_download-windows.yml");
    let plans = splc(&["compile", "--datafusion"], &[&refused, &good]);
    assert_eq!(plans.status.code(), Some(1), "{}", stderr(&plans));
    assert!(
        stderr(&plans).contains("`transaction`"),
        "{}",
        stderr(&plans)
    );
    let text = stdout(&plans);
    assert!(text.contains("certutil_download-windows.yml"), "{text}");
    assert!(text.contains("physical plan:"), "{text}");
}

#[test]
fn line_numbers_are_not_available() {
    let events = example_events();
    let out = run("datafusion", &["--line-numbers"], &events);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--line-numbers"), "{}", stderr(&out));
}
