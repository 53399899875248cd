//! Runs the rule pack of `examples/rules`, compiled into this binary by `build.rs`, over
//! event files and prints every result row as a JSON line (`_rule` names the rule), then
//! a summary of rows per rule on stderr.
//!
//! ```text
//! cargo run -p splc-example-rule-pack [EVENT FILE OR DIR ...]
//! ```
//!
//! Without arguments it reads `examples/events`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Map, Number, Value as Json};
use spl_runtime::read::{self, ReadOptions, ReadStats};
use spl_runtime::{Record, Value};

// The generated rule types and `all_rules()`.
include!(concat!(env!("OUT_DIR"), "/spl_rules.rs"));

/// The files to read: the arguments, each directory replaced by its files (sorted).
fn inputs() -> std::io::Result<Vec<PathBuf>> {
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        args.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../events"));
    }
    let mut files = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut entries = std::fs::read_dir(&arg)?
                .map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()?;
            entries.retain(|p| p.is_file());
            entries.sort();
            files.extend(entries);
        } else {
            files.push(arg);
        }
    }
    Ok(files)
}

/// A result row as a JSON object, `_rule` first; multivalue fields become arrays.
fn json_row(rule: &str, row: &Record) -> Json {
    let mut obj = Map::new();
    obj.insert("_rule".to_owned(), Json::String(rule.to_owned()));
    for (field, value) in row.iter() {
        let v = match value {
            Value::Str(s) => Json::String(s.clone()),
            Value::Num(n) => Number::from_f64(*n).map_or(Json::Null, Json::Number),
            Value::Multi(vs) => Json::Array(vs.iter().cloned().map(Json::String).collect()),
        };
        obj.insert(field.name().to_owned(), v);
    }
    Json::Object(obj)
}

fn main() -> ExitCode {
    let files = match inputs() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("cannot list the inputs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut rules = all_rules();
    let mut rows: Vec<Vec<Record>> = rules.iter().map(|_| Vec::new()).collect();
    let mut stats = ReadStats::default();
    for path in &files {
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
                Ok(event) => {
                    for (rule, out) in rules.iter_mut().zip(&mut rows) {
                        if rule.matches(&event.record) {
                            rule.process(event.record.clone(), out);
                        }
                    }
                }
                Err(e) if e.is_fatal() => {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                Err(e) => eprintln!("{}: {e}", path.display()),
            }
        }
    }
    let mut summary = Vec::new();
    let mut failed = false;
    for (rule, out) in rules.iter_mut().zip(&mut rows) {
        let info = rule.info();
        if let Err(e) = rule.finish(&mut |row| out.push(row)) {
            eprintln!("{}: {e}", info.name);
            failed = true;
        }
        for row in out.iter() {
            println!("{}", json_row(&info.name, row));
        }
        summary.push((info.name, out.len()));
    }
    eprintln!("{stats} from {} file(s)", files.len());
    for (name, n) in summary {
        eprintln!("{name:<40} {n} row(s)");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
