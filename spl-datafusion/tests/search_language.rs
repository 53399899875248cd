//! The search-language agreement corpus of the main workspace (`tests/rules/search/*.spl`
//! over `tests/data/search/events.jsonl`, whose expectations are written by hand from
//! Splunk's documentation): every query gives the evaluator's rows on DataFusion, over the
//! events in memory and in Parquet.

mod common;

use std::sync::Arc;

use common::{df_rows, eval_rows, search_corpus};
use spl_datafusion::{input, DfRule};

#[tokio::test]
async fn the_search_language_corpus_gives_the_evaluators_rows() {
    let (events, queries) = search_corpus();

    let rules: Vec<DfRule> = queries
        .iter()
        .map(|(name, spl)| {
            DfRule::from_spl(name, spl, &Default::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect();
    let want: Vec<_> = queries
        .iter()
        .map(|(_, spl)| eval_rows(spl, &events))
        .collect();

    let ctx = input::session();
    let table = input::events_table(&events, 2).expect("a table");
    ctx.register_table("events", Arc::new(table))
        .expect("registered");
    let memory = df_rows(&ctx, "events", &rules).await;

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.parquet");
    input::write_parquet(&events, &path, 3).expect("written");
    input::register_parquet(&ctx, "parquet", &path)
        .await
        .expect("registered");
    let parquet = df_rows(&ctx, "parquet", &rules).await;

    let mut differ = Vec::new();
    for (i, (name, _)) in queries.iter().enumerate() {
        if memory[i] != want[i] {
            differ.push(format!("{name} (memory)"));
        }
        if parquet[i] != want[i] {
            differ.push(format!("{name} (parquet)"));
        }
    }
    let rows: usize = want.iter().map(Vec::len).sum();
    println!(
        "search language: {} queries, {} events, {rows} rows",
        queries.len(),
        events.len()
    );
    assert!(differ.is_empty(), "differ: {differ:?}");
}
