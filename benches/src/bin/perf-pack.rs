//! Run the generated benchmark pack over a file of events, as `splc run` runs the
//! evaluator's: `perf-pack [--threads N] [--no-index] FILE`. Writes the rows to stdout as
//! JSON lines, as `splc run` does (the rule named by its type), and the counts and the
//! time taken to stderr. Needs a build with `SPLC_PERF_PACK=1`
//! (see `benches/pack.sh`).

use std::process::ExitCode;

/// The allocator `splc` runs with, so that the two are compared on the same footing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(splc_perf_pack)]
fn main() -> ExitCode {
    use std::num::NonZeroUsize;

    use std::io::Write;

    use spl_runtime::json::RowWriter;
    use spl_runtime::pack::RulePack;
    use spl_runtime::read;

    let mut threads = NonZeroUsize::MIN;
    let mut index = true;
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => threads = n,
                None => return usage(),
            },
            "--no-index" => index = false,
            _ if file.is_none() => file = Some(arg),
            _ => return usage(),
        }
    }
    let Some(file) = file else {
        return usage();
    };
    let started = std::time::Instant::now();
    let rules = splc_benches::generated::all_rules();
    let mut pack = if index {
        RulePack::new(rules)
    } else {
        RulePack::without_index(rules)
    };
    let reader = match read::open(file.as_ref(), None, splc_benches::read_options()) {
        Ok(reader) => reader,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // As `splc run`: with threads to spare, events are read (and their candidates worked
    // out) on a thread of their own.
    let mut batches = read::Batches::new(reader, &pack, threads);
    let matching = batches.matching_threads();
    let names: Vec<String> = pack
        .rules()
        .iter()
        .map(|r| r.info().name.into_owned())
        .collect();
    let (mut events, mut skipped, mut rows) = (0usize, 0usize, 0usize);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut writer = RowWriter::default();
    let mut failed = None;
    let mut write = |rule: u32, row: &spl_runtime::Record| {
        rows += 1;
        if let Err(e) = writer.write(&mut out, &names[rule as usize], row) {
            failed.get_or_insert(e);
        }
    };
    let mut batch = Vec::new();
    while let Some((items, candidates)) = batches.next_batch() {
        for item in items {
            match item {
                Ok(event) => {
                    events += 1;
                    batch.push(event.record);
                }
                Err(_) => skipped += 1,
            }
        }
        pack.push_batch_with(&mut batch, &candidates, matching, &mut |_, rule, row| {
            write(rule, &row)
        });
    }
    let stopped = pack.finish(&mut |rule, row| write(rule, &row));
    drop(write);
    let written = match failed {
        Some(e) => Err(e),
        None => out.flush(),
    };
    if let Err(e) = written {
        eprintln!("writing the rows: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{events} events read, {skipped} skipped, {rows} rows, {} rules stopped, {:.2} s",
        stopped.len(),
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

#[cfg(splc_perf_pack)]
fn usage() -> ExitCode {
    eprintln!("usage: perf-pack [--threads N] [--no-index] FILE");
    ExitCode::from(2)
}

#[cfg(not(splc_perf_pack))]
fn main() -> ExitCode {
    eprintln!("perf-pack: built without the benchmark pack; build with SPLC_PERF_PACK=1");
    ExitCode::from(2)
}
