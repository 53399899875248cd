//! `splc compile`: print the Rust a rule compiles to (what `Builder` emits for it), or its
//! IR in the stable text form.

use std::io::Write;

use anyhow::Context;
use spl_compiler::codegen::{generate_rule, to_source, RuleMeta};

use crate::inputs::{compile_all, macro_table, report_errors};
use crate::CompileArgs;

/// Run the command; `Ok(false)` when a rule did not compile.
///
/// Each rule's type names its file in its documentation; with `--ir`, each program starts
/// with a `# <path>` line. Diagnostics go to stderr. With `--output`, the file is written
/// only when every rule compiled.
pub fn run(args: &CompileArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    let mut text = String::new();
    let mut failed = 0usize;
    for rule in compile_all(&args.paths, &[], &macros) {
        let compiled = match &rule.result {
            Ok(c) => c,
            Err(errors) => {
                failed += 1;
                report_errors(errors);
                continue;
            }
        };
        if !text.is_empty() {
            text.push('\n');
        }
        if args.ir {
            // The IR's text form is not Rust: a comment line naming the rule is harmless.
            text.push_str(&format!("# {}\n", rule.shown.escape_debug()));
            text.push_str(&compiled.program.to_string());
        } else {
            // The rule's path, like all its text, reaches the code only through the
            // generator (in the type's documentation).
            let meta = RuleMeta::of(rule.type_name.clone(), compiled);
            text.push_str(&to_source(&generate_rule(&meta, &compiled.program)));
        }
    }
    match &args.output {
        Some(path) if failed > 0 => {
            eprintln!(
                "{failed} rule(s) did not compile; {} not written",
                path.display()
            );
        }
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(failed == 0)
}
