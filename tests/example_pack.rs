//! The example rule pack (`examples/rules`) over the sample events (`examples/events`):
//! the code `Builder` generates gives the evaluator's rows, row for row, for every rule.

use std::collections::BTreeMap;

use spl_engine::EvalRule;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::{run, Rule};
use spl_runtime::Record;
use splc_tests::{events, rows};

/// The example rules compiled by `build.rs`.
mod example_pack {
    include!(concat!(env!("OUT_DIR"), "/example_rules.rs"));
}

fn example_events() -> Vec<Record> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/events");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/events is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    files.sort();
    files.iter().flat_map(|f| events(f, None)).collect()
}

#[test]
fn generated_pack_gives_the_evaluator_s_rows() {
    let events = example_events();
    assert_eq!(example_pack::RULES.len(), 7, "one type per example rule");
    let generated: BTreeMap<String, Box<dyn Rule>> = example_pack::all_rules()
        .into_iter()
        .map(|r| (r.info().id.into_owned(), r))
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/rules");
    let mut total = 0;
    for (id, mut rule) in generated {
        let path = std::fs::read_dir(&dir)
            .expect("examples/rules is readable")
            .map(|e| e.expect("directory entry").path())
            .find(|p| spl_grammar::load_rule(p).is_ok_and(|r| r.id == id))
            .unwrap_or_else(|| panic!("no rule file with id {id}"));
        let mut evaluated = EvalRule::from_file(&path, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let want = rows(&run(&mut evaluated, events.iter()).expect("the evaluator gives its rows"));
        let got =
            rows(&run(rule.as_mut(), events.iter()).expect("the generated rule gives its rows"));
        assert_eq!(got, want, "{id}: generated code and evaluator disagree");
        total += got.len();
    }
    // The README's main command prints these 13 rows.
    assert_eq!(total, 13);
}

#[test]
fn generated_pack_over_a_zero_budget_gives_the_same_rows() {
    // With no memory for rows, `sort` and `eventstats` (in three of the rules) spill every
    // row to disk and read it back.
    let events = example_events();
    let spilling = RunOptions {
        memory_budget: 0,
        temp_dir: None,
        ..RunOptions::default()
    };
    let pairs = example_pack::all_rules()
        .into_iter()
        .zip(example_pack::all_rules_with(&spilling));
    for (mut in_memory, mut spilled) in pairs {
        let id = in_memory.info().id.into_owned();
        let want = rows(&run(in_memory.as_mut(), events.iter()).expect("in memory"));
        let got = rows(&run(spilled.as_mut(), events.iter()).expect("spills to disk"));
        assert_eq!(got, want, "{id}");
    }
}
