//! `splc run --engine datafusion`: the rules as Apache DataFusion queries (spl-datafusion)
//! over one table of events.
//!
//! The table: the events of every input `splc run` reads (JSON lines, XML, text, ...),
//! read by the same readers with the same options, into memory, in the order given; or a
//! single `.parquet` file in spl-datafusion's column model, scanned where it lies (filters
//! pushed into the scan). Each rule's rows come in its events' order, rule after rule,
//! through the same sink as the evaluator's. A rule whose program DataFusion cannot run
//! is reported on standard error (its name, the command) and counts as a rule that did
//! not compile: the others run, and the exit status is 1.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use spl_datafusion::{input, run_pack, DfRule};
use spl_runtime::read::{self, InputFormat, ReadOptions, ReadStats};
use spl_runtime::Record;

use crate::output::{RuleLabel, Sink};
use crate::progress::Progress;
use crate::run::{
    compile_rules, expand_inputs, is_parquet, output, read_options, rule_name, Input, Report, STDIN,
};
use crate::RunArgs;

/// The name the events' table is registered under.
const TABLE: &str = "events";

/// A runtime for DataFusion's plans: `threads` worker threads (default: one per core).
pub fn runtime(threads: Option<usize>) -> anyhow::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = threads {
        builder.worker_threads(n);
    }
    builder
        .enable_all()
        .build()
        .context("cannot start the DataFusion runtime")
}

/// Run the command with the DataFusion engine; `Ok(false)` when a rule did not compile
/// or could not be planned, or an input was skipped.
pub fn run(args: &RunArgs) -> anyhow::Result<bool> {
    if args.line_numbers {
        bail!("--line-numbers is not available with --engine datafusion");
    }
    let mut all_ok = true;
    let mut labels = Vec::new();
    let mut rules = Vec::new();
    for (name, result) in compile_rules(args)? {
        match result {
            Ok(c) => {
                labels.push(RuleLabel::new(
                    rule_name(&name, &c),
                    c.rule.id.clone(),
                    c.rule.title.clone(),
                ));
                rules.push(DfRule::from_compiled(&c));
            }
            Err(e) => {
                all_ok = false;
                eprintln!("{e}");
            }
        }
    }
    let (format, options) = read_options(args)?;
    let inputs = expand_inputs(&args.inputs)?;
    let parquet: Vec<&PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(path) if is_parquet(path) => Some(path),
            _ => None,
        })
        .collect();
    if !parquet.is_empty() && inputs.len() > 1 {
        bail!(
            "--engine datafusion reads one Parquet file alone, or event files (JSON lines, ...) without Parquet; {} inputs given, {} of them Parquet",
            inputs.len(),
            parquet.len()
        );
    }
    let threads = args.threads.map(std::num::NonZeroUsize::get);
    let runtime = runtime(threads)?;
    let ctx = match threads {
        Some(n) => input::session_with_partitions(n),
        None => input::session(),
    };
    let mut report = Report::new(args.strict, Progress::new(false, inputs.len(), None));
    let mut stats = ReadStats::default();
    if let Some(path) = parquet.first() {
        runtime
            .block_on(input::register_parquet(&ctx, TABLE, path))
            .with_context(|| format!("{}: cannot read it as Parquet", path.display()))?;
        let count = runtime
            .block_on(async { ctx.table(TABLE).await?.count().await })
            .with_context(|| format!("{}: cannot read it as Parquet", path.display()))?;
        stats.events = count as u64;
    } else {
        let events = read_all(&inputs, format, &options, &mut report, &mut stats)?;
        let partitions = ctx.copied_config().target_partitions();
        let table = input::events_table(&events, partitions)?;
        ctx.register_table(TABLE, std::sync::Arc::new(table))?;
    }
    let mut out = output(args)?;
    let ran = runtime.block_on(run_pack(&ctx, TABLE, &rules))?;
    let mut sink = Sink::new(args.format, labels);
    for (rule, e) in &ran.refused {
        all_ok = false;
        let name = &sink.labels()[*rule].name;
        let reason = match e {
            spl_datafusion::Error::Lower { source, .. } => source.to_string(),
            other => other.to_string(),
        };
        report.line(format_args!(
            "{name}: not run: {reason} (--engine datafusion); the other rules run"
        ))?;
    }
    let mut rows = vec![0u64; rules.len()];
    for (rule, row) in ran.rows {
        rows[rule] += 1;
        sink.row(&mut out, rule, row)?;
    }
    sink.finish(&mut out)?;
    out.flush()?;
    let skipped_inputs = report.finish(args.quiet, inputs.len(), &stats, sink.labels(), &rows)?;
    Ok(all_ok && skipped_inputs == 0)
}

/// Every event of `inputs`, in order, read as the evaluator's `run` reads them: an event
/// that cannot be read is reported and left out, an input that cannot be read is
/// reported and skipped (or, with `--strict`, ends the run).
fn read_all(
    inputs: &[Input],
    format: Option<InputFormat>,
    options: &ReadOptions,
    report: &mut Report,
    stats: &mut ReadStats,
) -> anyhow::Result<Vec<Record>> {
    let mut events = Vec::new();
    for input in inputs {
        let (path, opened) = match input {
            Input::File(path) => (path.as_path(), read::open(path, format, options.clone())),
            Input::Stdin => (
                Path::new(STDIN),
                read::open_stream(std::io::stdin(), Path::new(STDIN), format, options.clone()),
            ),
            Input::Skip { path, reason } => {
                report.input_skipped(path, reason)?;
                continue;
            }
        };
        let reader = match opened {
            Ok(reader) => reader,
            Err(e) => {
                report.input_skipped(path, &e)?;
                continue;
            }
        };
        for item in reader {
            stats.count(&item);
            match item {
                Ok(event) => events.push(event.record),
                Err(e) if e.is_fatal() => {
                    report.input_skipped(path, &e)?;
                    break;
                }
                Err(e) => report.line(format_args!("{}: {e}", path.display()))?,
            }
        }
    }
    Ok(events)
}
