//! The armory rule "Package installation" for Sysmon over 100,000 generated Sysmon events:
//! generated code, the evaluator and a hand-written matcher side by side (see
//! `armory/sysmon.rs`). Needs `../shared/armory` beside the repository; without it the
//! benchmark says it was skipped.
//!
//! Run with `cargo bench -p splc-tests --bench sysmon`.

#[cfg(splc_armory)]
#[path = "armory/sysmon.rs"]
mod bench;

#[cfg(splc_armory)]
criterion::criterion_main!(bench::benches);

#[cfg(not(splc_armory))]
fn main() {
    splc_tests::skipped("the sysmon benchmark", "../shared/armory");
}
