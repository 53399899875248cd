//! Compiles the test rule packs with `spl_compiler::Builder`, the way a user's build script
//! would: the project's search-language and eval corpora, and, when the external rule
//! corpus is beside the repository (`../shared/armory`), the armory's "Package
//! installation" rules (the tests that need them are then compiled in, under the cfg
//! `splc_armory`; without the corpus they say that they were skipped).

use std::path::Path;

use spl_compiler::Builder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo::rustc-check-cfg=cfg(splc_armory)");
    println!("cargo::rerun-if-env-changed=SPLC_REQUIRE_CORPUS");
    let armory = manifest.join("../../shared/armory");
    if armory.is_dir() {
        Builder::new()
            .rules_dir(armory.join("endpoint/package_installation"))
            .file_name("package_installation.rs")
            .compile()?;
        println!("cargo::rustc-cfg=splc_armory");
    } else if std::env::var_os("SPLC_REQUIRE_CORPUS").is_some() {
        return Err(format!(
            "SPLC_REQUIRE_CORPUS is set but {} is missing",
            armory.display()
        )
        .into());
    }
    // The search-language agreement corpus (tests/search_language.rs).
    Builder::new()
        .rules_dir(manifest.join("rules/search"))
        .file_name("search_rules.rs")
        .compile()?;
    // The example rule pack (tests/example_pack.rs).
    Builder::new()
        .rules_dir(manifest.join("../examples/rules"))
        .file_name("example_rules.rs")
        .compile()?;
    // The eval corpus (tests/eval_functions.rs): one rule per case.
    let cases = manifest.join("data/eval/cases.yml");
    println!("cargo::rerun-if-changed={}", cases.display());
    let cases: Vec<serde_norway::Value> =
        serde_norway::from_str(&std::fs::read_to_string(&cases)?)?;
    let mut pack = Builder::new().file_name("eval_rules.rs");
    for case in &cases {
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        pack = pack.rule_spl(
            field("name"),
            format!("* | eval out={} | table out", field("eval")),
        );
    }
    pack.compile()?;
    Ok(())
}
