//! Compiles every rule of the armory (`../shared/armory`, beside the repository) that
//! compiles, with the catalog's macros (`examples/armory-macros.conf`), into one pack
//! with `spl_compiler::Builder`: one type per rule, `RULES` and `all_rules_with`, in
//! `$OUT_DIR/armory_rules.rs`. `$OUT_DIR/armory_paths.rs` holds `PATHS`, the rule file of
//! each entry of `RULES` (relative to the armory, `/`-separated), in the same order.
//!
//! `Builder` fails the build on any rule that does not compile, so each rule is compiled
//! here first and only those that compile are handed to it; the armory has rules that do
//! not (malformed ones, commands splc does not run). Without the armory the pack is empty
//! (cfg `splc_armory` unset); with `SPLC_REQUIRE_CORPUS` set a missing armory fails.

use std::path::{Path, PathBuf};

use spl_compiler::grammar::MacroTable;
use spl_compiler::{compile_rule, with_stack_for_many, Builder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo::rustc-check-cfg=cfg(splc_armory)");
    println!("cargo::rerun-if-env-changed=SPLC_REQUIRE_CORPUS");
    let armory = manifest.join("../../../shared/armory");
    let macros = manifest.join("../../examples/armory-macros.conf");
    println!("cargo::rerun-if-changed={}", armory.display());
    if !armory.is_dir() {
        if std::env::var_os("SPLC_REQUIRE_CORPUS").is_some() {
            return Err(format!(
                "SPLC_REQUIRE_CORPUS is set but {} is missing",
                armory.display()
            )
            .into());
        }
        std::fs::write(out.join("armory_paths.rs"), "")?;
        std::fs::write(out.join("armory_rules.rs"), "")?;
        return Ok(());
    }
    let mut table = MacroTable::new();
    table.add_conf_file(&macros)?;
    let compiling = with_stack_for_many(|| {
        spl_compiler::grammar::load_rule_paths(std::slice::from_ref(&armory))
            .into_iter()
            .filter(|(_, rule)| rule.is_ok())
            .filter_map(|(path, rule)| {
                let rule = rule.ok()?;
                compile_rule(rule, &table).ok().map(|_| path)
            })
            .collect::<Vec<PathBuf>>()
    });
    let mut builder = Builder::new()
        .macros_file(&macros)
        .file_name("armory_rules.rs")
        .emit_rerun_if_changed(false);
    let mut paths =
        String::from("/// The rule file of each entry of `RULES`, relative to the armory.\n");
    paths.push_str("pub const PATHS: &[&str] = &[\n");
    for path in &compiling {
        builder = builder.rule_file(path);
        let rel = path
            .strip_prefix(&armory)?
            .to_string_lossy()
            .replace('\\', "/");
        paths.push_str(&format!("    {rel:?},\n"));
    }
    paths.push_str("];\n");
    builder.compile()?;
    write_if_changed(&out.join("armory_paths.rs"), &paths)?;
    println!("cargo::rustc-cfg=splc_armory");
    Ok(())
}

/// Write `text` to `path` unless it already holds it (an unchanged file is not rebuilt).
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text)
}
