//! Helpers of the pack-scale benchmarks: the benchmark pack beside the repository
//! (`../shared/perf`: the same detections as Sigma and as SPL, and Windows events), its
//! rules for the evaluator, and, when built with `SPLC_PERF_PACK=1`, as generated code.

use std::path::{Path, PathBuf};

use spl_compiler::compile_rule;
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::alias::AliasMap;
use spl_runtime::read::{self, ReadOptions};
use spl_runtime::rule::Rule;
use spl_runtime::Record;

/// The benchmark pack compiled by `build.rs` (with `SPLC_PERF_PACK=1`).
#[cfg(splc_perf_pack)]
#[allow(missing_docs, clippy::all)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/perf_pack.rs"));
}

/// `../shared/perf` beside the repository, when it is there.
pub fn perf_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/perf");
    dir.is_dir().then_some(dir)
}

/// How the pack's events are read: their own field names, no aliases (the rules name
/// the fields as the events do).
pub fn read_options() -> ReadOptions {
    ReadOptions {
        aliases: AliasMap::none(),
        ..ReadOptions::default()
    }
}

/// Every event of a JSON lines file.
pub fn events(path: &Path) -> Vec<Record> {
    read::open(path, None, read_options())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .filter_map(Result::ok)
        .map(|e| e.record)
        .collect()
}

/// The pack's SPL rules for the evaluator, in file order (the first `limit` of them).
pub fn evaluator_rules(perf: &Path, limit: usize) -> Vec<Box<dyn Rule>> {
    let macros = MacroTable::new();
    spl_compiler::with_stack_for_many(|| {
        spl_grammar::load_rule_paths(&[perf.join("spl")])
            .into_iter()
            .take(limit)
            .filter_map(|(_, loaded)| compile_rule(loaded.ok()?, &macros).ok())
            .map(|c| Box::new(EvalRule::from_compiled(&c)) as Box<dyn Rule>)
            .collect()
    })
}
