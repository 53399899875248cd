//! Compiles the rule pack of the `differential` target (`rules/*.spl`) into Rust with
//! `spl_compiler::Builder`, the way a user's build script does: `$OUT_DIR/fuzz_rules.rs`.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    spl_compiler::Builder::new()
        .rules_dir(rules)
        .file_name("fuzz_rules.rs")
        .compile()?;
    Ok(())
}
