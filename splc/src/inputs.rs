//! Finding rule files and building the macro table from the command line.

use std::path::{Path, PathBuf};

use anyhow::Context;
use spl_grammar::{Error, MacroTable, Rule};

use crate::MacroArgs;

/// The macro table the flags ask for.
pub fn macro_table(args: &MacroArgs) -> anyhow::Result<MacroTable> {
    let mut table = MacroTable::new();
    for path in &args.macros {
        table
            .add_conf_file(path)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("reading macros from {}", path.display()))?;
    }
    table.set_undefined_as_empty(args.undefined_macros_empty);
    Ok(table)
}

/// Every rule file named by `paths` (directories recursively), each with what loading it
/// gave, in the order given (directory contents sorted).
pub fn load_rules(paths: &[PathBuf]) -> Vec<(PathBuf, Result<Rule, Error>)> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            match spl_grammar::load_rules_dir(path) {
                Ok(rules) => out.extend(rules),
                Err(e) => out.push((path.clone(), Err(e))),
            }
        } else {
            out.push((path.clone(), spl_grammar::load_rule(path)));
        }
    }
    out
}

/// A path as shown to the user.
pub fn show(path: &Path) -> String {
    path.display().to_string()
}
