//! Finding rule files and building the macro table from the command line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use spl_compiler::codegen::Names;
use spl_compiler::{compile_rule, CompileErrors, CompiledRule};
use spl_grammar::{MacroTable, RuleFile};

use crate::MacroArgs;

/// The macro table the flags ask for.
pub fn macro_table(args: &MacroArgs) -> anyhow::Result<MacroTable> {
    let mut table = MacroTable::new();
    for dir in &args.content {
        table
            .add_content_dir(dir)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("reading macros from --content {}", dir.display()))?;
    }
    for path in &args.macros {
        table
            .add_conf_file(path)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("reading macros from {}", path.display()))?;
    }
    table.set_undefined_as_empty(args.undefined_macros_empty);
    Ok(table)
}

/// A path as shown to the user.
pub fn show(path: &Path) -> String {
    path.display().to_string()
}

/// A rule as named on the command line, with what compiling it gave.
pub struct Compiled {
    /// The rule file, or `spl-N` for the Nth `--spl` text.
    pub shown: String,
    /// The name the rule's generated type gets: the file stem (or `spl-N`) in CamelCase,
    /// made unique as `Builder` does ([`Names::type_name`]).
    pub type_name: String,
    /// The compiled rule, or why it did not compile.
    pub result: Result<CompiledRule, CompileErrors>,
}

/// Load and compile every rule named by `paths` (files, and directories recursively), then
/// each `--spl` text, in order.
pub fn compile_all(paths: &[PathBuf], spl: &[String], macros: &MacroTable) -> Vec<Compiled> {
    let mut names = Names::default();
    let mut name = |stem: &str| names.type_name(stem);
    let mut out = Vec::new();
    for (path, loaded) in spl_grammar::load_rule_paths(paths) {
        let stem = path
            .file_stem()
            .map_or_else(|| "rule".into(), |s| s.to_string_lossy().into_owned());
        out.push(Compiled {
            shown: show(&path),
            type_name: name(&stem),
            result: loaded
                .map_err(CompileErrors::from)
                .and_then(|rule| compile_rule(rule, macros)),
        });
    }
    for (i, text) in spl.iter().enumerate() {
        let shown = format!("spl-{}", i + 1);
        out.push(Compiled {
            type_name: name(&shown),
            result: compile_rule(RuleFile::from_spl_str(text, &shown), macros),
            shown,
        });
    }
    out
}

/// Write every error of a rule that did not compile to stderr, rendered as `check` does
/// (with colours when stderr is a terminal).
pub fn report_errors(errors: &CompileErrors) {
    let color = std::io::stderr().is_terminal();
    for e in &errors.0 {
        eprintln!("{}", e.diagnostic().render(color));
    }
}
