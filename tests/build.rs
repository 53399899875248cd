//! Compiles the armory's "Package installation" rules into a rule pack, the way a user's
//! build script would.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let armory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/armory");
    spl_compiler::Builder::new()
        .rules_dir(armory.join("endpoint/package_installation"))
        .file_name("package_installation.rs")
        .compile()?;
    // The search-language agreement corpus (tests/search_language.rs).
    spl_compiler::Builder::new()
        .rules_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/search"))
        .file_name("search_rules.rs")
        .compile()?;
    Ok(())
}
