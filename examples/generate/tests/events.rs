//! The checked-in event files are exactly what the generator writes, and the example
//! rules find exactly the planted events in them (and in larger streams of other seeds).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spl_engine::EvalRule;
use spl_runtime::read::{InputFormat, ReadOptions, Reader};
use spl_runtime::rule::{run, Rule};
use spl_runtime::Record;
use splc_example_events::{
    event_files, join_lines, join_records, join_xml, linux_events, security_events, sysmon_events,
    DEFAULT_SEED, EXPECTED_ROWS,
};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn checked_in_events_match_the_generator() {
    let dir = examples_dir().join("events");
    for file in event_files(DEFAULT_SEED) {
        let path = dir.join(file.name);
        let on_disk =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            on_disk == file.text,
            "{} differs from the generator's output: run `cargo run -p splc-example-events`",
            path.display()
        );
    }
}

fn read(text: &str, format: InputFormat) -> Vec<Record> {
    Reader::new(text.as_bytes(), format, ReadOptions::default())
        .map(|item| match item {
            Ok(event) => event.record,
            Err(e) => panic!("generated event does not read: {e}"),
        })
        .collect()
}

/// Rows per rule (by file stem) over the events.
fn rows_per_rule(events: &[Record]) -> BTreeMap<String, usize> {
    let rules_dir = examples_dir().join("rules");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .expect("examples/rules is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let mut rule = EvalRule::from_file(path, &Default::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (
                rule.info().name.into_owned(),
                run(&mut rule, events)
                    .expect("the rule gives its rows")
                    .len(),
            )
        })
        .collect()
}

fn expected() -> BTreeMap<String, usize> {
    EXPECTED_ROWS
        .iter()
        .map(|(name, n)| ((*name).to_owned(), *n))
        .collect()
}

#[test]
fn rules_find_the_planted_events_in_the_checked_in_files() {
    let mut events = Vec::new();
    for file in event_files(DEFAULT_SEED) {
        let format = match Path::new(file.name).extension().and_then(|e| e.to_str()) {
            Some("xml") => InputFormat::WinEventXml,
            Some("jsonl") => InputFormat::JsonLines,
            _ => InputFormat::WinEventText,
        };
        events.extend(read(&file.text, format));
    }
    assert_eq!(rows_per_rule(&events), expected());
}

#[test]
fn noise_never_matches_whatever_the_seed() {
    for seed in [1, 2, 3] {
        let mut events = read(
            &join_xml(&sysmon_events(1500, seed)),
            InputFormat::WinEventXml,
        );
        events.extend(read(
            &join_records(&security_events(800, seed)),
            InputFormat::WinEventText,
        ));
        events.extend(read(
            &join_lines(&linux_events(1500, seed)),
            InputFormat::JsonLines,
        ));
        assert_eq!(rows_per_rule(&events), expected(), "seed {seed}");
    }
}
