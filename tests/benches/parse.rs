//! Parsing every armory rule's `logic`: the time for the whole corpus.
//!
//! Run with `cargo bench -p splc-tests --bench parse`. The armory is read from
//! `../shared/armory` beside the repository (without it the benchmark says it was
//! skipped); rules that are not valid SPL are parsed too (their errors are part of the
//! work).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn parse_corpus(c: &mut Criterion) {
    let Some(rules) = splc_tests::armory_rules("the parse benchmark") else {
        return;
    };
    let rules: Vec<String> = rules.into_iter().map(|(_, logic)| logic).collect();
    let bytes: usize = rules.iter().map(String::len).sum();
    let mut group = c.benchmark_group("armory");
    group.throughput(Throughput::Elements(rules.len() as u64));
    group.bench_function(
        format!("parse {} rules ({} KiB)", rules.len(), bytes / 1024),
        |b| {
            b.iter(|| {
                for rule in &rules {
                    let _ = black_box(spl_grammar::parse_query(black_box(rule)));
                }
            })
        },
    );
    group.finish();
}

criterion_group!(benches, parse_corpus);
criterion_main!(benches);
