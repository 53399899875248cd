//! The evaluator against the generated code, over arbitrary events.
//!
//! `build.rs` compiles the rules of `rules/*.spl` into Rust with `spl_compiler::Builder`
//! (one type per rule). The input is read as JSON lines with the JSON reader; the events
//! it gives go through every rule twice: as `spl_engine::EvalRule` (the rule file compiled
//! as `EvalRule::from_file` does, once per process; a fresh rule per input) and as the
//! generated type. Checked, rule by rule: both back ends agree on `matches` for every
//! event, on `is_transforming`, and give the same rows in the same order, each row
//! compared as its sorted list of fields with their values as text. Any difference
//! panics with both results.

#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use spl_compiler::{compile_file, CompiledRule};
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::read::{InputFormat, Limits, ReadOptions, Reader};
use spl_runtime::rule::{run, Rule};
use spl_runtime::{Record, Value};

/// The rules of `rules/` compiled by `build.rs`.
#[allow(dead_code, clippy::all)]
mod pack {
    include!(concat!(env!("OUT_DIR"), "/fuzz_rules.rs"));
}

/// Each rule file of `rules/` compiled for the evaluator, by rule id (the file stem).
fn evaluated() -> &'static BTreeMap<String, CompiledRule> {
    static RULES: OnceLock<BTreeMap<String, CompiledRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "spl"))
            .collect();
        paths.sort();
        let rules: BTreeMap<String, CompiledRule> = paths
            .iter()
            .map(|path| {
                let compiled = compile_file(path, &MacroTable::new())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                (compiled.rule.id.clone(), compiled)
            })
            .collect();
        assert_eq!(
            rules.len(),
            pack::RULES.len(),
            "rules/ and the compiled pack differ; rebuild"
        );
        rules
    })
}

/// A row as its fields, sorted by name, with their values as text.
type Row = Vec<(String, Vec<String>)>;

fn row(record: &Record) -> Row {
    let mut fields: Row = record
        .iter()
        .map(|(field, value)| {
            let values = match value {
                Value::Multi(values) => values.clone(),
                other => vec![other.to_string()],
            };
            (field.name().to_owned(), values)
        })
        .collect();
    fields.sort();
    fields
}

fuzz_target!(|data: &[u8]| {
    let rules = evaluated();
    let options = ReadOptions {
        limits: Limits {
            max_event_bytes: 1 << 16,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let events: Vec<Record> = Reader::new(data, InputFormat::JsonLines, options)
        .filter_map(Result::ok)
        .map(|event| event.record)
        .collect();
    for mut generated in pack::all_rules() {
        let id = generated.info().id.into_owned();
        let compiled = rules
            .get(&id)
            .unwrap_or_else(|| panic!("no rule file for the generated rule {id}"));
        let mut evaluated = EvalRule::from_compiled(compiled);
        assert_eq!(
            evaluated.is_transforming(),
            generated.is_transforming(),
            "{id}: is_transforming differs"
        );
        for (i, event) in events.iter().enumerate() {
            let (e, g) = (evaluated.matches(event), generated.matches(event));
            assert!(
                e == g,
                "{id}: event {i}: the evaluator says matches = {e}, the generated code {g}\nevent: {:?}",
                row(event)
            );
        }
        // A rule that stops (past its memory budget) must stop in both back ends, with
        // the same error.
        let rows = |result: Result<Vec<Record>, _>| match result {
            Ok(rows) => Ok(rows.iter().map(row).collect::<Vec<Row>>()),
            Err(e) => Err(format!("{e}")),
        };
        let (want, got) = match (
            rows(run(&mut evaluated, events.iter())),
            rows(run(generated.as_mut(), events.iter())),
        ) {
            (Ok(want), Ok(got)) => (want, got),
            (want, got) => {
                assert_eq!(
                    want, got,
                    "{id}: the evaluator and the generated code differ"
                );
                continue;
            }
        };
        if want != got {
            let first = want
                .iter()
                .zip(&got)
                .position(|(w, g)| w != g)
                .unwrap_or(want.len().min(got.len()));
            panic!(
                "{id}: the evaluator and the generated code give different rows \
                 ({} and {}; first difference at row {first})\n\
                 evaluator: {:?}\ngenerated: {:?}\n\
                 all evaluator rows: {want:?}\nall generated rows: {got:?}",
                want.len(),
                got.len(),
                want.get(first),
                got.get(first),
            );
        }
    }
});
