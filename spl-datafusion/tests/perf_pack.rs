//! The benchmark pack (`../shared/perf`: 1885 rules, bare searches but for 17 with `rex`,
//! `eval` and `| search`, and 18705 Windows events in JSON lines) gives the evaluator's
//! rows on DataFusion, rule for rule and row for row in the evaluator's order, over the
//! events as an in-memory table and over the same events written to Parquet.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{by_rule, canon, df_rows, options, shared};
use spl_compiler::compile_rule;
use spl_datafusion::{input, DfRule};
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::pack::RulePack;
use spl_runtime::rule::Rule;

#[tokio::test(flavor = "multi_thread")]
async fn the_benchmark_pack_gives_the_evaluators_rows() {
    let test = "the_benchmark_pack_gives_the_evaluators_rows";
    let Some(dir) = shared("perf", test) else {
        return;
    };
    let events =
        input::read_events(&dir.join("events.jsonl"), options()).expect("the benchmark events");
    assert_eq!(events.skipped, 0);
    let events = events.records;
    assert_eq!(events.len(), 18705);

    let macros = MacroTable::new();
    let compiled: Vec<_> = spl_grammar::load_rule_paths(&[dir.join("spl")])
        .into_iter()
        .map(|(path, loaded)| {
            let rule = loaded.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            compile_rule(rule, &macros).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect();
    assert_eq!(compiled.len(), 1885);

    // The evaluator, as `splc run` runs a pack (with its index).
    let started = Instant::now();
    let mut pack = RulePack::new(
        compiled
            .iter()
            .map(|c| Box::new(EvalRule::from_compiled(c)) as Box<dyn Rule>)
            .collect(),
    );
    let mut rows = Vec::new();
    for event in &events {
        pack.push(event.clone(), &mut rows);
    }
    let stopped = pack.finish(&mut |rule, row| rows.push((rule, row)));
    assert!(stopped.is_empty(), "{stopped:?}");
    let want = by_rule(
        compiled.len(),
        rows.iter().map(|(i, r)| (*i as usize, canon(r))),
    );
    let total: usize = want.iter().map(Vec::len).sum();
    let rules_with_rows = want.iter().filter(|r| !r.is_empty()).count();
    println!(
        "evaluator: {total} rows from {rules_with_rows} of {} rules over {} events in {:.1?}",
        compiled.len(),
        events.len(),
        started.elapsed()
    );
    assert!(total > 1000, "the pack matches: {total} rows");

    let rules: Vec<DfRule> = compiled.iter().map(DfRule::from_compiled).collect();
    let ctx = input::session();
    let partitions = ctx.copied_config().target_partitions();
    let table = input::events_table(&events, partitions).expect("a table");
    ctx.register_table("events", Arc::new(table))
        .expect("registered");
    let started = Instant::now();
    // Every rule is lowered (`df_rows` fails on a refusal), the 17 with `rex`, `eval` and
    // `| search` too.
    let memory = df_rows(&ctx, "events", &rules).await;
    println!(
        "datafusion, JSON lines in memory: {:.1?}",
        started.elapsed()
    );
    let with_commands: Vec<usize> = (0..rules.len())
        .filter(|&i| {
            rules[i]
                .program
                .stages()
                .iter()
                .any(|s| matches!(s, spl_ir::Stage::Rex(_)))
        })
        .collect();
    let their_rows: usize = with_commands.iter().map(|&i| want[i].len()).sum();
    println!(
        "rules with `rex` and `eval`: {}, which have {their_rows} of the evaluator's rows",
        with_commands.len()
    );
    assert_eq!(with_commands.len(), 17);
    compare("JSON lines", &rules, &want, &memory);

    let tmp = tempfile::tempdir().expect("a temporary directory");
    let path = tmp.path().join("events.parquet");
    input::write_parquet(&events, &path, 4096).expect("written");
    input::register_parquet(&ctx, "parquet", &path)
        .await
        .expect("registered");
    let started = Instant::now();
    let parquet = df_rows(&ctx, "parquet", &rules).await;
    println!("datafusion, Parquet: {:.1?}", started.elapsed());
    compare("Parquet", &rules, &want, &parquet);
}

/// Rule for rule, the same rows in the same order; the first few differences are named.
fn compare(input: &str, rules: &[DfRule], want: &[Vec<common::Canon>], got: &[Vec<common::Canon>]) {
    let differ: Vec<String> = (0..rules.len())
        .filter(|&i| want[i] != got[i])
        .map(|i| {
            format!(
                "{} ({}): evaluator {} rows, datafusion {}",
                rules[i].info.name,
                rules[i].info.spl.trim(),
                want[i].len(),
                got[i].len()
            )
        })
        .collect();
    let rows: usize = got.iter().map(Vec::len).sum();
    let with_rows = got.iter().filter(|r| !r.is_empty()).count();
    println!(
        "{input}: {} of {} rules agree, row for row in order; {rows} rows from {with_rows} rules",
        rules.len() - differ.len(),
        rules.len()
    );
    assert!(
        differ.is_empty(),
        "{input}: {} rules differ:\n{}",
        differ.len(),
        differ
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
