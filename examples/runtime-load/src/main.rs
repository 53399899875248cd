//! Loads every rule file of a directory at run time with
//! `spl_engine::EvalRule` (no rustc, no build step: the way a service
//! reloads its rules) and runs them over event files.
//!
//! ```text
//! cargo run -p splc-example-runtime-load [RULE DIR [EVENT FILE ...]]
//! ```
//!
//! Defaults: the rules of `examples/rules`, the events of `examples/events`. Prints, per
//! rule, its rows and their first fields; exits non-zero when a rule does not compile.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use spl_engine::EvalRule;
use spl_runtime::read::{self, ReadOptions, ReadStats};
use spl_runtime::rule::{run, Rule};
use spl_runtime::Record;

/// The files of `dir` whose extension is one of `extensions`, sorted.
fn files_in(dir: &Path, extensions: &[&str]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        if path.is_file() && wanted {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn main() -> ExitCode {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let rule_dir = args.next().unwrap_or_else(|| examples.join("rules"));
    let mut event_files: Vec<PathBuf> = args.collect();

    // Load and compile the rules. The default macro table expands the `get_*_data*`
    // data-source macros and `hec_collect` to nothing.
    let rule_files = match files_in(&rule_dir, &["yml", "yaml", "spl"]) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("cannot list {}: {e}", rule_dir.display());
            return ExitCode::FAILURE;
        }
    };
    let mut rules = Vec::new();
    let mut failed = false;
    for path in &rule_files {
        match EvalRule::from_file(path, &Default::default()) {
            Ok(rule) => rules.push(rule),
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }

    // Read every event once; each rule then runs over the same events.
    if event_files.is_empty() {
        match files_in(&examples.join("events"), &["xml", "log", "jsonl"]) {
            Ok(files) => event_files = files,
            Err(e) => {
                eprintln!("cannot list the events: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut events: Vec<Record> = Vec::new();
    let mut stats = ReadStats::default();
    for path in &event_files {
        let reader = match read::open(path, None, ReadOptions::default()) {
            Ok(reader) => reader,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        for item in reader {
            stats.count(&item);
            match item {
                Ok(event) => events.push(event.record),
                Err(e) => eprintln!("{}: {e}", path.display()),
            }
        }
    }
    println!(
        "{} rule(s) loaded from {}; {stats}",
        rules.len(),
        rule_dir.display()
    );

    for rule in &mut rules {
        let info = rule.info();
        let rows = match run(rule, &events) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("{}: {e}", info.name);
                failed = true;
                continue;
            }
        };
        println!("{:<40} {} row(s)  [{}]", info.name, rows.len(), info.title);
        for row in &rows {
            let host = row.get_named("host").map(|v| v.first_str().into_owned());
            let user = row.get_named("user").map(|v| v.first_str().into_owned());
            println!(
                "    host={} user={}",
                host.as_deref().unwrap_or("-"),
                user.as_deref().unwrap_or("-")
            );
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
