//! Compiles the test rule packs with `spl_compiler::Builder`, the way a user's build script
//! would: the project's search-language and eval corpora, and, when the external rule
//! corpus is beside the repository (`../shared/armory`), the armory's "Package
//! installation" rules (the tests that need them are then compiled in, under the cfg
//! `splc_armory`; without the corpus they say that they were skipped). The packs hold
//! rules that pin what the lints warn about, so their warnings are not printed
//! (`spl-compiler/tests/lint.rs` tests the lints).

use std::path::Path;

use spl_compiler::Builder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo::rustc-check-cfg=cfg(splc_armory)");
    println!("cargo::rerun-if-env-changed=SPLC_REQUIRE_CORPUS");
    let armory = manifest.join("../../shared/armory");
    if armory.is_dir() {
        Builder::new()
            .emit_warnings(false)
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
        .emit_warnings(false)
        .rules_dir(manifest.join("rules/search"))
        .file_name("search_rules.rs")
        .compile()?;
    // The example rule pack (tests/example_pack.rs).
    Builder::new()
        .emit_warnings(false)
        .rules_dir(manifest.join("../examples/rules"))
        .file_name("example_rules.rs")
        .compile()?;
    // Rule files with hostile names and texts (tests/hostile_pack.rs): the pack must build
    // under `deny(warnings)` and nothing of their text may become code.
    let hostile = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("hostile_rules");
    write_hostile_rules(&hostile)?;
    Builder::new()
        .emit_warnings(false)
        .rules_dir(&hostile)
        .file_name("hostile_rules.rs")
        .compile()?;
    // The eval corpus (tests/eval_functions.rs): one rule per case.
    let cases = manifest.join("data/eval/cases.yml");
    println!("cargo::rerun-if-changed={}", cases.display());
    let cases: Vec<serde_norway::Value> =
        serde_norway::from_str(&std::fs::read_to_string(&cases)?)?;
    let mut pack = Builder::new()
        .emit_warnings(false)
        .file_name("eval_rules.rs");
    for case in &cases {
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        pack = pack.rule_spl(
            field("name"),
            format!("* | eval out={} | table out", field("eval")),
        );
    }
    pack.compile()?;
    // The lookup corpus (tests/lookup_commands.rs): one rule per case.
    let cases = manifest.join("data/lookup/cases.yml");
    println!("cargo::rerun-if-changed={}", cases.display());
    let cases: Vec<serde_norway::Value> =
        serde_norway::from_str(&std::fs::read_to_string(&cases)?)?;
    let mut pack = Builder::new()
        .emit_warnings(false)
        .file_name("lookup_rules.rs");
    for case in &cases {
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        pack = pack.rule_spl(field("name"), field("spl"));
    }
    pack.compile()?;
    // The field commands of the ESCU catalog (tests/escu_commands.rs): one rule per case.
    let cases = manifest.join("data/escu/cases.yml");
    println!("cargo::rerun-if-changed={}", cases.display());
    let cases: Vec<serde_norway::Value> =
        serde_norway::from_str(&std::fs::read_to_string(&cases)?)?;
    let mut pack = Builder::new()
        .emit_warnings(false)
        .file_name("escu_rules.rs");
    for case in &cases {
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        pack = pack.rule_spl(field("name"), field("spl"));
    }
    pack.compile()?;
    // The stats corpus (tests/stats_functions.rs): one rule per case.
    // The stats corpus and the syntax corpus share one runner (`stats_functions.rs`).
    let mut cases: Vec<serde_norway::Value> = Vec::new();
    for file in ["data/stats/cases.yml", "data/syntax/cases.yml"] {
        let path = manifest.join(file);
        println!("cargo::rerun-if-changed={}", path.display());
        cases.extend(serde_norway::from_str::<Vec<serde_norway::Value>>(
            &std::fs::read_to_string(&path)?,
        )?);
    }
    let mut pack = Builder::new()
        .emit_warnings(false)
        .file_name("stats_rules.rs");
    for case in &cases {
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        pack = pack.rule_spl(field("name"), format!("* | {}", field("spl")));
    }
    pack.compile()?;
    // The data-model corpus (tests/datamodel.rs): one rule per case.
    let cases = manifest.join("data/datamodel/cases.yml");
    println!("cargo::rerun-if-changed={}", cases.display());
    let cases: Vec<serde_norway::Value> =
        serde_norway::from_str(&std::fs::read_to_string(&cases)?)?;
    let mut pack = Builder::new()
        .emit_warnings(false)
        .file_name("datamodel_rules.rs");
    for case in &cases {
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        pack = pack.rule_spl(field("name"), field("spl"));
    }
    pack.compile()?;
    escu_datamodel_pack(manifest)?;
    Ok(())
}

include!("src/escu_dm.rs");

/// ESCU detections over `Endpoint.Processes` (tests/escu_datamodel.rs), with the macros
/// they need; an empty pack without the catalog (`../shared/escu`).
fn escu_datamodel_pack(manifest: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let escu = manifest.join("../../shared/escu");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let mut pack = Builder::new()
        .emit_warnings(false)
        .file_name("escu_datamodel_rules.rs");
    if escu.is_dir() {
        let searches = escu_dm_searches(&escu)?;
        let names: Vec<String> = searches.iter().map(|(n, _)| n.clone()).collect();
        let conf = out.join("escu_datamodel_macros.conf");
        std::fs::write(&conf, escu_dm_macros_conf(&escu, &names)?)?;
        pack = pack.macros_file(&conf);
        for (name, search) in searches {
            pack = pack.rule_spl(name, search);
        }
    }
    pack.compile()?;
    Ok(())
}

/// Rule files whose names and texts try to break the generated code.
fn write_hostile_rules(dir: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let yaml = |title: &str, logic: &str| {
        format!(
            "id: {}\ntitle: {}\nlogic: {}\n",
            serde_norway::to_string(title).unwrap_or_default().trim(),
            serde_norway::to_string(title).unwrap_or_default().trim(),
            serde_norway::to_string(logic).unwrap_or_default().trim()
        )
    };
    let files: &[(&str, String)] = &[
        // Three stems that make the same type name, and names Rust reserves.
        ("foo-.spl", "TERM(a)".into()),
        ("foo.spl", "TERM(b)".into()),
        ("foo2.spl", "TERM(c)".into()),
        ("self.spl", "TERM(d)".into()),
        ("sized.spl", "TERM(e)".into()),
        ("option.spl", "TERM(f)".into()),
        // A path that would close a comment and open code.
        (
            "x\npub fn injected() -> u32 { 42 }\nconst _: &str = r\".spl",
            "TERM(g)".into(),
        ),
        // Text with a bare carriage return, bidirectional overrides and raw-string ends.
        ("carriage.spl", "search a\rb \"c\u{202e}d\"".into()),
        (
            "bidi.yml",
            yaml("bidi \u{202e} \u{2066}title\r */ \"# ", "x \"y\u{2066}\"\"#\" | eval z=\"\\\"#\""),
        ),
        // A constant assignment reads no field.
        ("constant.spl", "* | eval v=\"x\", n=1 | table v n".into()),
        // Field names that are Rust keywords or names the generated code uses.
        (
            "keywords.spl",
            "type=a self=b row=c | where raw=\"d\" AND event=\"e\" AND value=\"f\" AND fn=\"g\" | eval match=lower(type) | stats count by self".into(),
        ),
        // Long chains.
        (
            "chain.spl",
            (0..2_000).map(|i| format!("t{i}")).collect::<Vec<_>>().join(" OR "),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}
