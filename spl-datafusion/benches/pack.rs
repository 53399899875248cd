//! The benchmark pack (`../shared/perf`: 1885 Windows detections as SPL) over its events
//! repeated to `SIZE_MB` megabytes of JSON lines (default 1024), on all cores, side by side
//! in one run:
//!
//! - the evaluator, as `splc run` runs a pack: events read from the file in batches, the
//!   pack-wide index, the rules on all cores;
//! - DataFusion over the same JSON lines: read with splc's readers into an in-memory
//!   table, then the pack ([`spl_datafusion::run_pack`]: one scan computing every rule's
//!   filter, then each rule's commands over the events some filter passed);
//! - DataFusion over the same events as Parquet (written once before, not timed): the
//!   pack over the file;
//! - with `EACH=1`, also one plan and one scan per rule over the Parquet file
//!   ([`spl_datafusion::run_pack_each`]), the way of the first version (minutes).
//!
//! Each prints its wall time, events per second and rows; the rows must be as many on
//! every side. Run in release mode:
//!
//! ```sh
//! cd spl-datafusion && SIZE_MB=1024 [EACH=1] cargo bench --bench pack
//! ```
//!
//! Without `../shared/perf` beside the repository it prints one `skipped:` line.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use spl_compiler::{compile_rule, CompiledRule};
use spl_datafusion::{input, run_pack, run_pack_each, DfRule};
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::alias::AliasMap;
use spl_runtime::pack::RulePack;
use spl_runtime::read::{self, ReadOptions};
use spl_runtime::rule::Rule;

/// The allocator of `splc run`, so that the evaluator runs here as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; this harness takes no options.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let perf = root.join("../shared/perf");
    if !perf.is_dir() {
        println!(
            "skipped: the DataFusion pack benchmark (../shared/perf is not beside the repository)"
        );
        return ExitCode::SUCCESS;
    }
    let size_mb: u64 = std::env::var("SIZE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    match bench(&root, &perf, size_mb) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error>;

fn options() -> ReadOptions {
    ReadOptions {
        aliases: AliasMap::none(),
        ..Default::default()
    }
}

/// The events file repeated to at least `size_mb` megabytes, made once and kept.
fn repeated(root: &Path, perf: &Path, size_mb: u64) -> Result<PathBuf, Failure> {
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("perf-{size_mb}MB.jsonl"));
    if file.metadata().map(|m| m.len() > 0).unwrap_or(false) {
        return Ok(file);
    }
    let mut one = Vec::new();
    File::open(perf.join("events.jsonl"))?.read_to_end(&mut one)?;
    let part = file.with_extension("part");
    let mut out = BufWriter::new(File::create(&part)?);
    let mut written = 0u64;
    while written < size_mb * 1024 * 1024 {
        out.write_all(&one)?;
        written += one.len() as u64;
    }
    out.flush()?;
    drop(out);
    std::fs::rename(&part, &file)?;
    Ok(file)
}

fn compile(perf: &Path) -> Result<Vec<CompiledRule>, Failure> {
    let macros = MacroTable::new();
    let mut rules = Vec::new();
    for (path, loaded) in spl_grammar::load_rule_paths(&[perf.join("spl")]) {
        let rule = loaded.map_err(|e| format!("{}: {e}", path.display()))?;
        rules.push(compile_rule(rule, &macros).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(rules)
}

/// The evaluator's pack of `rules`, with its index, as `splc run` builds it.
fn eval_pack(rules: &[CompiledRule]) -> RulePack {
    RulePack::new(
        rules
            .iter()
            .map(|c| Box::new(EvalRule::from_compiled(c)) as Box<dyn Rule>)
            .collect(),
    )
}

/// `pack` over the file, read in batches, on `threads` threads: (events, rows).
fn evaluator(
    mut pack: RulePack,
    file: &Path,
    threads: NonZeroUsize,
) -> Result<(usize, usize), Failure> {
    let len = RulePack::batch_len(threads);
    let mut batch = Vec::with_capacity(len);
    let (mut events, mut rows) = (0, 0);
    let mut count = |_: usize, _: u32, row: spl_runtime::Record| {
        std::hint::black_box(row);
        rows += 1;
    };
    for item in read::open(file, None, options())? {
        let Ok(event) = item else { continue };
        events += 1;
        batch.push(event.record);
        if batch.len() == len {
            pack.push_batch(&mut batch, threads, &mut count);
        }
    }
    pack.push_batch(&mut batch, threads, &mut count);
    let stopped = pack.finish(&mut |_, row| {
        std::hint::black_box(row);
        rows += 1;
    });
    if !stopped.is_empty() {
        return Err(format!("{} rules stopped", stopped.len()).into());
    }
    Ok((events, rows))
}

fn line(name: &str, seconds: f64, events: usize, rows: usize) {
    println!(
        "{name:<44} {seconds:>9.2} {:>12.0} {rows:>10}",
        events as f64 / seconds
    );
}

fn bench(root: &Path, perf: &Path, size_mb: u64) -> Result<(), Failure> {
    let file = repeated(root, perf, size_mb)?;
    let rules = compile(perf)?;
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "{}: {} MB, {} rules, {} cores",
        file.display(),
        size_mb,
        rules.len(),
        threads
    );
    println!(
        "{:<44} {:>9} {:>12} {:>10}",
        "run", "wall s", "events/s", "rows"
    );

    let started = Instant::now();
    let pack = eval_pack(&rules);
    println!(
        "(the evaluator's pack built in {:.1} s; not part of the run)",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let (events, eval_rows) = evaluator(pack, &file, threads)?;
    let eval_s = started.elapsed().as_secs_f64();
    line(
        "evaluator (read + pack, all cores)",
        eval_s,
        events,
        eval_rows,
    );

    let df_rules: Vec<DfRule> = rules.iter().map(DfRule::from_compiled).collect();
    let ctx = input::session();
    let started = Instant::now();
    let read = input::read_events(&file, options())?;
    let table = input::events_table(&read.records, ctx.copied_config().target_partitions())?;
    let read_s = started.elapsed().as_secs_f64();
    ctx.register_table("events", Arc::new(table))?;
    let started = Instant::now();
    let out = runtime.block_on(run_pack(&ctx, "events", &df_rules))?;
    let run_s = started.elapsed().as_secs_f64();
    if !out.refused.is_empty() {
        println!("({} rules not lowered, left out)", out.refused.len());
    }
    line("datafusion, JSON lines: read to a table", read_s, events, 0);
    line(
        "datafusion, JSON lines: the pack's plans",
        run_s,
        events,
        out.rows.len(),
    );
    line(
        "datafusion, JSON lines: both",
        read_s + run_s,
        events,
        out.rows.len(),
    );
    let json_rows = out.rows.len();
    drop(out);

    let parquet = file.with_extension("parquet");
    let started = Instant::now();
    input::write_parquet(&read.records, &parquet, 64 * 1024)?;
    println!(
        "(Parquet written in {:.1} s, {} MB; not part of the runs)",
        started.elapsed().as_secs_f64(),
        parquet.metadata()?.len() / (1024 * 1024)
    );
    drop(read);
    ctx.deregister_table("events")?;
    runtime.block_on(input::register_parquet(&ctx, "parquet", &parquet))?;
    let started = Instant::now();
    let out = runtime.block_on(run_pack(&ctx, "parquet", &df_rules))?;
    let parquet_s = started.elapsed().as_secs_f64();
    line(
        "datafusion, Parquet: the pack's plans",
        parquet_s,
        events,
        out.rows.len(),
    );

    if std::env::var_os("EACH").is_some() {
        let started = Instant::now();
        let each = runtime.block_on(run_pack_each(&ctx, "parquet", &df_rules))?;
        let each_s = started.elapsed().as_secs_f64();
        line(
            "datafusion, Parquet: a plan and scan per rule",
            each_s,
            events,
            each.rows.len(),
        );
        println!(
            "datafusion Parquet, a scan per rule / one scan:  {:.2}",
            each_s / parquet_s
        );
        if each.rows.len() != out.rows.len() {
            return Err(format!(
                "rows differ: one scan {}, a scan per rule {}",
                out.rows.len(),
                each.rows.len()
            )
            .into());
        }
    }

    println!();
    println!(
        "datafusion JSON lines (read + plans) / evaluator: {:.2}",
        (read_s + run_s) / eval_s
    );
    println!(
        "datafusion Parquet / evaluator:                  {:.2}",
        parquet_s / eval_s
    );
    if json_rows != out.rows.len() {
        return Err(format!(
            "rows differ: JSON lines {json_rows}, Parquet {}",
            out.rows.len()
        )
        .into());
    }
    if out.refused.is_empty() && json_rows != eval_rows {
        return Err(format!("rows differ: evaluator {eval_rows}, datafusion {json_rows}").into());
    }
    Ok(())
}
