//! Compiles every rule of `examples/rules` into Rust: one type per rule, plus
//! `all_rules()`, written to `$OUT_DIR/spl_rules.rs`. A rule that does not compile fails
//! the build with its diagnostics.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    spl_compiler::Builder::new()
        .rules_dir("../rules")
        .compile()?;
    Ok(())
}
