//! The benchmark pack (`../shared/perf`: 1885 Windows detections as SPL, 18705 events)
//! side by side in one run: reading the events alone, then the whole pack through the
//! evaluator (with and without the pack-wide index, on one thread and on two) and, when
//! built with `SPLC_PERF_PACK=1`, through the generated pack; and the evaluator with the
//! first 1, 10, 100, 1000 and all rules (how the cost grows with the pack). Every pack
//! figure is over events already read; add `read` for the cost from the file.
//!
//! Run with `cargo bench -p splc-benches --bench pack` (`SPLC_PERF_PACK=1` for the
//! generated pack: the build takes minutes). `benches/pack.sh` measures the same over a
//! file of 1 GB through `splc run`, beside the Sigma engine rsigma.

use std::hint::black_box;
use std::num::NonZeroUsize;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spl_runtime::pack::RulePack;
use spl_runtime::read::{InputFormat, Reader};
use spl_runtime::Record;
use splc_benches::{evaluator_rules, events, perf_dir, read_options};

/// Run every event through the pack in batches, as `splc run` does; the number of rows.
fn run(pack: &mut RulePack, events: &[Record], threads: usize) -> usize {
    let threads = NonZeroUsize::new(threads).unwrap_or(NonZeroUsize::MIN);
    let mut rows = 0;
    let len = RulePack::batch_len(threads);
    let mut batch = Vec::with_capacity(len);
    for chunk in events.chunks(len) {
        batch.extend(chunk.iter().cloned());
        pack.push_batch(&mut batch, threads, &mut |_, _, row| {
            black_box(row);
            rows += 1;
        });
    }
    rows
}

fn pack(c: &mut Criterion) {
    let Some(perf) = perf_dir() else {
        println!("skipped: the pack benchmarks (../shared/perf is not beside the repository)");
        return;
    };
    let file = perf.join("events.jsonl");
    let bytes = std::fs::read(&file).expect("the benchmark events");
    let events = events(&file);
    let all = evaluator_rules(&perf, usize::MAX).len();

    let mut group = c.benchmark_group("pack");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("read", |b| {
        b.iter(|| {
            Reader::new(&bytes[..], InputFormat::JsonLines, read_options())
                .filter(Result::is_ok)
                .count()
        })
    });
    let mut evaluator = |name: &str, pack: RulePack, threads: usize| {
        let mut pack = pack;
        group.bench_function(name, |b| b.iter(|| run(&mut pack, &events, threads)));
    };
    evaluator(
        "evaluator/index/1 thread",
        RulePack::new(evaluator_rules(&perf, all)),
        1,
    );
    evaluator(
        "evaluator/index/2 threads",
        RulePack::new(evaluator_rules(&perf, all)),
        2,
    );
    evaluator(
        "evaluator/no index/1 thread",
        RulePack::without_index(evaluator_rules(&perf, all)),
        1,
    );
    generated(&mut group, &events);
    group.finish();

    let mut scaling = c.benchmark_group("pack scaling");
    scaling.sample_size(10);
    scaling.throughput(Throughput::Elements(events.len() as u64));
    for n in [1, 10, 100, 1000, all] {
        let mut pack = RulePack::new(evaluator_rules(&perf, n));
        scaling.bench_function(format!("evaluator/{n} rules"), |b| {
            b.iter(|| run(&mut pack, &events, 1))
        });
    }
    scaling.finish();
}

#[cfg(splc_perf_pack)]
fn generated(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    events: &[Record],
) {
    let rules = || splc_benches::generated::all_rules();
    let mut indexed = RulePack::new(rules());
    group.bench_function("generated/index/1 thread", |b| {
        b.iter(|| run(&mut indexed, events, 1))
    });
    let mut plain = RulePack::without_index(rules());
    group.bench_function("generated/no index/1 thread", |b| {
        b.iter(|| run(&mut plain, events, 1))
    });
}

#[cfg(not(splc_perf_pack))]
fn generated(
    _: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    _: &[Record],
) {
    println!("skipped: the generated pack (build with SPLC_PERF_PACK=1)");
}

criterion_group!(benches, pack);
criterion_main!(benches);
