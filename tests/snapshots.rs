//! Snapshots of the IR text and of the generated Rust for the example rule pack
//! (`examples/rules`). A change in either shows up as a reviewable diff.

use spl_compiler::codegen::{generate_rule, to_source, Names, RuleMeta};
use spl_compiler::compile_file;
use spl_grammar::MacroTable;

const RULES: [&str; 7] = [
    "package_install_custom_index-sysmon",
    "package_install_custom_index-unix",
    "certutil_download-windows",
    "discovery_burst-windows",
    "powershell_encoded_command-windows",
    "recon_commands-unix",
    "remote_script_piped_to_shell-unix",
];

fn compiled(stem: &str) -> spl_compiler::CompiledRule {
    // Relative to this crate, so that the path the documentation shows is the same on
    // every machine.
    let path = format!("../examples/rules/{stem}.yml");
    compile_file(&path, &MacroTable::new()).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

#[test]
fn ir_text() {
    for stem in RULES {
        let c = compiled(stem);
        insta::assert_snapshot!(format!("ir_{stem}"), c.program.to_string());
    }
}

#[test]
fn generated_code() {
    for stem in RULES {
        let c = compiled(stem);
        let name = Names::default().type_name(stem);
        let code = to_source(&generate_rule(&RuleMeta::of(name, &c), &c.program));
        insta::assert_snapshot!(format!("code_{stem}"), code);
    }
}
