//! The search-language agreement corpus through `splc run --line-numbers`.
//!
//! Every query of `tests/rules/search/*.spl`, run by the CLI over
//! `tests/data/search/events.jsonl`, must print exactly the lines that
//! `tests/data/search/expected.txt` lists (written by hand, not taken from an engine).
//! The evaluator, the `build.rs` rule pack and `detect!` run the same corpus in
//! `tests/search_language.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's `tests/` crate, which holds the corpus.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

/// The lines `splc run --line-numbers --mapping none` prints for one query file.
fn cli_lines(rule: &Path, events: &Path) -> Result<Vec<usize>, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_splc"))
        .arg("run")
        .arg("--rule")
        .arg(rule)
        .args(["--line-numbers", "--mapping", "none"])
        .arg(events)
        .output()
        .map_err(|e| format!("cannot run splc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "splc exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            l.trim()
                .parse()
                .map_err(|e| format!("not a line number: {l:?}: {e}"))
        })
        .collect()
}

#[test]
fn cli_prints_the_expected_lines() {
    let rules = corpus_dir().join("rules/search");
    let events = corpus_dir().join("data/search/events.jsonl");
    let expected = splc_tests::search_expected();
    assert!(
        expected.len() >= 30,
        "the corpus shrank to {} queries",
        expected.len()
    );
    let mut failures = Vec::new();
    for (stem, want) in &expected {
        let rule = rules.join(format!("{stem}.spl"));
        let spl = std::fs::read_to_string(&rule)
            .unwrap_or_else(|e| panic!("read {}: {e}", rule.display()));
        match cli_lines(&rule, &events) {
            Ok(got) if &got == want => {}
            Ok(got) => failures.push(format!(
                "{stem} `{}`: expected {want:?}, got {got:?}",
                spl.trim()
            )),
            Err(e) => failures.push(format!("{stem} `{}`: {e}", spl.trim())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries disagree with expected.txt in `splc run`:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
}
