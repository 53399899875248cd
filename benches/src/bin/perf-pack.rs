//! Run the generated benchmark pack over a file of events, as `splc run` runs the
//! evaluator's: `perf-pack [--threads N] [--no-index] FILE`. Prints the rows as a count
//! and the time taken on stderr. Needs a build with `SPLC_PERF_PACK=1`
//! (see `benches/pack.sh`).

use std::process::ExitCode;

#[cfg(splc_perf_pack)]
fn main() -> ExitCode {
    use std::num::NonZeroUsize;

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
    let (mut events, mut skipped, mut rows) = (0usize, 0usize, 0usize);
    let mut batch = Vec::with_capacity(1024);
    let mut run = |batch: &mut Vec<_>, pack: &mut RulePack| {
        pack.push_batch(batch, threads, &mut |_, _, _| rows += 1);
    };
    for item in reader {
        match item {
            Ok(event) => {
                events += 1;
                batch.push(event.record);
            }
            Err(_) => skipped += 1,
        }
        if batch.len() == 1024 {
            run(&mut batch, &mut pack);
        }
    }
    run(&mut batch, &mut pack);
    let stopped = pack.finish(&mut |_, _| rows += 1);
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
