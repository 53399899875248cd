//! Snapshots of the IR text and of the generated Rust for the armory's five "Package
//! installation" variants. A change in either shows up as a reviewable diff.

use spl_compiler::codegen::{generate_rule, to_source, type_name};
use spl_compiler::{builder::rule_meta, compile_file};
use spl_grammar::MacroTable;

const VARIANTS: [&str; 5] = ["sysmon", "winevent", "edr", "powershell", "unix"];

fn compiled(variant: &str) -> spl_compiler::CompiledRule {
    let path = splc_tests::armory_dir().join(format!(
        "endpoint/package_installation/package_installation-splunk-{variant}.yml"
    ));
    compile_file(&path, &MacroTable::new()).unwrap_or_else(|e| panic!("{variant}: {e}"))
}

#[test]
fn ir_text() {
    for variant in VARIANTS {
        let c = compiled(variant);
        insta::assert_snapshot!(format!("ir_{variant}"), c.program.to_string());
    }
}

#[test]
fn generated_code() {
    for variant in VARIANTS {
        let c = compiled(variant);
        let name = type_name(&format!("package_installation-splunk-{variant}"));
        let code = to_source(&generate_rule(&rule_meta(name, &c), &c.program));
        insta::assert_snapshot!(format!("code_{variant}"), code);
    }
}
