//! Shared helpers: the evaluator's rows and DataFusion's, in one comparable form.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use spl_datafusion::{input, run_pack, DfRule};
use spl_runtime::rule::{run, Rule};
use spl_runtime::value::format_number;
use spl_runtime::{Event, Record};

/// A row as sorted `(field, values)` pairs: a single value and a list of one alike,
/// `_time` as splc prints a number.
pub type Canon = Vec<(String, Vec<String>)>;

/// The comparable form of a row.
pub fn canon(record: &Record) -> Canon {
    let mut fields: Canon = record
        .iter()
        .map(|(id, value)| {
            let values = if id == spl_runtime::FieldId::TIME {
                vec![record.time().map(format_number).unwrap_or_default()]
            } else {
                value.iter_str().map(|s| s.into_owned()).collect()
            };
            (id.name().to_owned(), values)
        })
        .collect();
    fields.sort();
    fields
}

/// A row written by hand: `(field, values)` pairs, in any order.
pub fn row(pairs: &[(&str, &[&str])]) -> Canon {
    let mut r: Canon = pairs
        .iter()
        .map(|(f, vs)| {
            (
                (*f).to_owned(),
                vs.iter().map(|v| (*v).to_owned()).collect(),
            )
        })
        .collect();
    r.sort();
    r
}

/// Rows of each rule, in their order.
pub fn by_rule(rules: usize, rows: impl IntoIterator<Item = (usize, Canon)>) -> Vec<Vec<Canon>> {
    let mut out = vec![Vec::new(); rules];
    for (i, row) in rows {
        out[i].push(row);
    }
    out
}

/// The evaluator's rows of `spl` over `events`, in its order.
pub fn eval_rows(spl: &str, events: &[Record]) -> Vec<Canon> {
    let mut rule = spl_engine::EvalRule::from_spl(spl, &Default::default())
        .unwrap_or_else(|e| panic!("{spl}: {e}"));
    run(&mut rule as &mut dyn Rule, events.iter())
        .unwrap_or_else(|e| panic!("{spl}: {e}"))
        .iter()
        .map(canon)
        .collect()
}

/// DataFusion's rows of each rule over the registered table `table`, in their order; every
/// rule must be lowered.
pub async fn df_rows(
    ctx: &datafusion::prelude::SessionContext,
    table: &str,
    rules: &[DfRule],
) -> Vec<Vec<Canon>> {
    let (rows, refused) = df_rows_refused(ctx, table, rules).await;
    assert!(refused.is_empty(), "{refused:?}");
    rows
}

/// DataFusion's rows of each rule over the registered table `table`, and the rules
/// refused, with the command that stopped each.
pub async fn df_rows_refused(
    ctx: &datafusion::prelude::SessionContext,
    table: &str,
    rules: &[DfRule],
) -> (Vec<Vec<Canon>>, Vec<(usize, &'static str)>) {
    let rows = run_pack(ctx, table, rules).await.expect("the pack runs");
    let refused = rows
        .refused
        .iter()
        .map(|(i, e)| match e {
            spl_datafusion::Error::Lower {
                source: spl_datafusion::LowerError::Command { command },
                ..
            } => (*i, *command),
            other => panic!("rule {i}: {other}"),
        })
        .collect();
    let rows = by_rule(
        rules.len(),
        rows.rows.into_iter().map(|(i, r)| (i, canon(&r))),
    );
    (rows, refused)
}

/// [`df_rows`] with one plan and one scan per rule ([`spl_datafusion::run_pack_each`]).
pub async fn df_rows_each(
    ctx: &datafusion::prelude::SessionContext,
    table: &str,
    rules: &[DfRule],
) -> Vec<Vec<Canon>> {
    let rows = spl_datafusion::run_pack_each(ctx, table, rules)
        .await
        .expect("the pack runs");
    assert!(rows.refused.is_empty(), "{:?}", rows.refused);
    by_rule(
        rules.len(),
        rows.rows.into_iter().map(|(i, r)| (i, canon(&r))),
    )
}

/// Events from JSON-lines text, read by splc's reader without aliases.
pub fn events_from_text(text: &str) -> Vec<Record> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, text).expect("write the events");
    input::read_events(&path, options())
        .expect("the events")
        .records
}

/// Read options as the benchmark pack wants them: no field aliases.
pub fn options() -> spl_runtime::read::ReadOptions {
    spl_runtime::read::ReadOptions {
        aliases: spl_runtime::alias::AliasMap::none(),
        ..Default::default()
    }
}

/// `../shared/<name>` beside the repository, or `None` after printing one line saying
/// that `test` is skipped.
pub fn shared(name: &str, test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("SPLC_REQUIRE_CORPUS").is_some() {
        panic!("{test}: ../shared/{name} is required (SPLC_REQUIRE_CORPUS)");
    }
    println!("skipped: {test} needs ../shared/{name}");
    None
}

/// The main workspace's search-language corpus: its events
/// (`tests/data/search/events.jsonl`) and its queries (`tests/rules/search/*.spl`) as
/// `(file stem, SPL)`, sorted by name.
pub fn search_corpus() -> (Vec<Record>, Vec<(String, String)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
    let events = input::read_events(&root.join("data/search/events.jsonl"), options())
        .expect("the corpus events");
    assert_eq!(events.skipped, 0);
    let mut queries: Vec<(String, String)> = std::fs::read_dir(root.join("rules/search"))
        .expect("the corpus queries")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "spl"))
        .map(|p| {
            let stem = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let spl = std::fs::read_to_string(&p).expect("a query");
            (stem, spl)
        })
        .collect();
    queries.sort();
    assert!(queries.len() >= 50, "{} queries", queries.len());
    (events.records, queries)
}

/// Rules with commands over the corpus events (their fields: `words`, `size`, `proc`, ...).
const COMMANDS: &[&str] = &[
    r#"words=* | rex field=words "^(?<first>\w+)\s+(?<second>\w+)" | table first second"#,
    r#"words=* | eval n=len(words), up=upper(words) | where n > 5 | table words n up"#,
    r#"words=* | eval w=split(words, " ") | stats count by w | sort - count w"#,
    r#"size=* | stats count, sum(size) as total, dc(size) as distinct, values(size) as sizes"#,
    r#"proc=* | dedup proc | head 2 | fields proc"#,
    r#"cmdline=* | regex cmdline="(?i)\.exe\b" | rename cmdline as command"#,
];

/// The search-language corpus with [`COMMANDS`] after its queries (named `command_<i>`):
/// its events, the queries as `(name, SPL)`, and each query as a rule.
pub fn corpus_with_commands() -> (Vec<Record>, Vec<(String, String)>, Vec<DfRule>) {
    let (events, mut queries) = search_corpus();
    queries.extend(
        COMMANDS
            .iter()
            .enumerate()
            .map(|(i, spl)| (format!("command_{i}"), (*spl).to_owned())),
    );
    let rules = queries
        .iter()
        .map(|(name, spl)| {
            DfRule::from_spl(name, spl, &Default::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect();
    (events, queries, rules)
}

/// The rows of record batches in the column model, comparable with [`eval_rows`].
pub fn batch_rows(batches: &[datafusion::arrow::record_batch::RecordBatch]) -> Vec<Canon> {
    batches
        .iter()
        .flat_map(|b| spl_datafusion::columns::to_records(b).expect("rows in the column model"))
        .map(|r| canon(&r))
        .collect()
}
