//! The pack-wide index leaves out only rules that cannot give a row: over the benchmark
//! pack (`../shared/perf`: 1885 rules, Windows events), a pack with the index gives the
//! same rows, in the same order, as one that tries every rule on every event — and the
//! index does leave most rules out.
//!
//! Trying every rule on every event is the slow reference (35 million rule-event pairs on
//! the whole file, minutes in a debug build); the rows are compared on every eighth event,
//! the candidates counted on all.

use spl_compiler::compile_rule;
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::alias::AliasMap;
use spl_runtime::pack::{RuleIndex, RulePack};
use spl_runtime::read::{self, ReadOptions};
use spl_runtime::rule::Rule;
use spl_runtime::Record;

fn rules(dir: &std::path::Path) -> Vec<Box<dyn Rule>> {
    let macros = MacroTable::new();
    spl_grammar::load_rule_paths(&[dir.join("spl")])
        .into_iter()
        .map(|(path, loaded)| {
            let rule = loaded.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let compiled =
                compile_rule(rule, &macros).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Box::new(EvalRule::from_compiled(&compiled)) as Box<dyn Rule>
        })
        .collect()
}

fn run(mut pack: RulePack, events: &[Record]) -> Vec<(RuleIndex, Record)> {
    let mut rows = Vec::new();
    for event in events {
        pack.push(event.clone(), &mut rows);
    }
    let stopped = pack.finish(&mut |rule, row| rows.push((rule, row)));
    assert!(stopped.is_empty(), "{stopped:?}");
    rows
}

#[test]
fn the_index_changes_no_row_of_the_benchmark_pack() {
    let Some(dir) = splc_tests::corpus("perf", "the_index_changes_no_row_of_the_benchmark_pack")
    else {
        return;
    };
    let options = ReadOptions {
        aliases: AliasMap::none(),
        ..ReadOptions::default()
    };
    let events: Vec<Record> = read::open(&dir.join("events.jsonl"), None, options)
        .expect("the benchmark events")
        .map(|e| e.expect("a clean event").record)
        .collect();
    assert_eq!(events.len(), 18705);

    let indexed = RulePack::new(rules(&dir));
    assert_eq!(indexed.rules().len(), 1885);
    let index = indexed.index().expect("an index");
    // Every rule of the pack has a witness (each names a field or a text it needs).
    assert_eq!(index.unindexed(), 0);
    // Most rules are left out of most events: count the candidates.
    let mut marks = Default::default();
    let candidates: usize = events
        .iter()
        .map(|e| index.candidates(e, &mut marks).len())
        .sum();
    let tried = events.len() * 1885;
    assert!(
        candidates * 20 < tried,
        "{candidates} candidates of {tried} rule-event pairs"
    );

    let sample: Vec<Record> = events.iter().step_by(8).cloned().collect();
    let with = run(indexed, &sample);
    let without = run(RulePack::without_index(rules(&dir)), &sample);
    assert!(with.len() > 500, "the pack matches: {} rows", with.len());
    assert_eq!(with.len(), without.len());
    for (i, (a, b)) in with.iter().zip(&without).enumerate() {
        assert_eq!(a, b, "row {i}");
    }
}
