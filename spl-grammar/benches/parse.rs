//! Parsing every armory rule's `logic`: the time for the whole corpus.
//!
//! Run with `cargo bench -p spl-grammar --bench parse`. The armory is read from
//! `../../shared/armory` beside the repository; rules that are not valid SPL are parsed
//! too (their errors are part of the work).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rule_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "yml") {
            out.push(path);
        }
    }
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/armory");
    let mut files = Vec::new();
    rule_files(&root, &mut files);
    files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            let value: serde_norway::Value = serde_norway::from_str(&text).ok()?;
            value["logic"].as_str().map(str::to_string)
        })
        .collect()
}

fn parse_corpus(c: &mut Criterion) {
    let rules = corpus();
    assert!(!rules.is_empty(), "no armory rules found");
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
