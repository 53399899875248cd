//! `sort` and `eventstats` over more rows than their memory budget, at full size: about
//! 1.5 GB of rows through a budget of 128 MiB. The process's peak memory must stay near
//! the budget. Slow, so ignored by default; run it alone, in release mode:
//!
//! ```sh
//! cargo test --release -p spl-runtime --test memory_budget -- --ignored --nocapture
//! ```
//!
//! The unit tests of `spl_runtime::pipeline` check, with budgets of a few KB, that the rows
//! are those given in memory.

mod common;

use common::Rng;
use spl_runtime::ir::{Agg, AggFunc, AggInput, SortKey, Stage, StatsKind, StatsStage};
use spl_runtime::pipeline::{Pipeline, RunOptions};
use spl_runtime::{Record, Value};

const ROWS: usize = 3_000_000;
const BUDGET: usize = 128 << 20;

/// Row `i` of the input: 50,000 hosts, and a `_raw` of about 300 bytes.
fn event(rng: &mut Rng, i: usize) -> Record {
    let host = format!("h{}", rng.below(50_000));
    let mut r = Record::new();
    r.set_raw(format!(
        "{{\"host\": \"{host}\", \"user\": \"u{}\", \"i\": {i}, \"pad\": \"{}\"}}",
        rng.below(1000),
        "x".repeat(200 + rng.below(100))
    ));
    r.set_time(1_700_000_000.0 + i as f64);
    r.set_named("host", host);
    r.set_named("i", i.to_string());
    r
}

/// The peak resident memory of the process, in bytes (Linux only).
fn peak_memory() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn run(mut pipeline: Pipeline) -> Vec<Record> {
    let mut rng = Rng(42);
    let mut out = Vec::new();
    let started = std::time::Instant::now();
    for i in 0..ROWS {
        pipeline.push(event(&mut rng, i), &mut out);
    }
    pipeline
        .finish(&mut |r| out.push(r))
        .expect("spills to the temporary directory");
    eprintln!(
        "{ROWS} rows in {:.1?}, peak memory {:?} MiB",
        started.elapsed(),
        peak_memory().map(|b| b >> 20)
    );
    out
}

fn options() -> RunOptions {
    RunOptions {
        memory_budget: BUDGET,
        temp_dir: None,
        ..RunOptions::default()
    }
}

fn get<'r>(r: &'r Record, f: &str) -> Option<&'r Value> {
    r.get_named(f)
}

#[test]
#[ignore = "full size: about 1.5 GB of rows; run it alone, in release mode"]
fn sort_and_eventstats_of_more_rows_than_memory_stay_near_the_budget() {
    let sorted = run(Pipeline::with_options(options())
        .with(Stage::Sort {
            limit: None,
            keys: vec![SortKey {
                field: "host".into(),
                descending: false,
            }],
        })
        .with(Stage::Head(3)));
    // The first rows of host `h0` (text order), in input order.
    let hosts: Vec<_> = sorted.iter().map(|r| get(r, "host").cloned()).collect();
    assert_eq!(hosts, vec![Some(Value::from("h0")); 3]);
    let at = |r: &Record| get(r, "i").map(|v| v.first_str().parse::<usize>().ok());
    assert!(at(&sorted[0]) < at(&sorted[1]) && at(&sorted[1]) < at(&sorted[2]));

    let count = |output: &str| Agg {
        func: AggFunc::Count,
        input: AggInput::None,
        output: output.into(),
        percentile: None,
    };
    let stats = |kind, by: &[&str]| {
        Stage::Stats(StatsStage {
            kind,
            aggs: vec![count("count")],
            by: by.iter().map(|b| (*b).to_owned()).collect(),
            window: 0,
            current: true,
            global: true,
        })
    };
    let counted = run(Pipeline::with_options(options())
        .with(stats(StatsKind::Eventstats, &["host"]))
        .with(stats(StatsKind::Stats, &[])));
    assert_eq!(get(&counted[0], "count"), Some(&Value::Num(ROWS as f64)));

    // The rows pushed (about 1.5 GB as records) would not fit in three budgets.
    if let Some(peak) = peak_memory() {
        assert!(peak < 3 * BUDGET, "peak memory {} MiB", peak >> 20);
    }
}
