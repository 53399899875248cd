//! With `SPLC_PERF_PACK=1` and the benchmark pack beside the repository
//! (`../shared/perf/spl`), compiles the pack with `spl_compiler::Builder` (cfg
//! `splc_perf_pack`; `SPLC_PERF_PACK_RULES=DIR` compiles another directory of rules
//! instead, such as a few of them to check the benchmark builds); otherwise the
//! generated-pack benchmarks say they were skipped. Off by default: 1885 rules of
//! generated code take minutes to build, more than a test run should spend on them.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rustc-check-cfg=cfg(splc_perf_pack)");
    println!("cargo::rerun-if-env-changed=SPLC_PERF_PACK");
    println!("cargo::rerun-if-env-changed=SPLC_PERF_PACK_RULES");
    let rules = match std::env::var_os("SPLC_PERF_PACK_RULES") {
        Some(dir) => Path::new(&dir).to_path_buf(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/perf/spl"),
    };
    if std::env::var_os("SPLC_PERF_PACK").is_some_and(|v| v == "1") && rules.is_dir() {
        let started = std::time::Instant::now();
        spl_compiler::Builder::new()
            .rules_dir(&rules)
            .file_name("perf_pack.rs")
            .compile()?;
        println!(
            "cargo::warning=generated the benchmark pack in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        println!("cargo::rustc-cfg=splc_perf_pack");
    }
    Ok(())
}
