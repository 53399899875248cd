//! `splc compile`: print the Rust a rule compiles to (what `Builder` emits for it), its
//! IR in the stable text form, or (`--datafusion`, with the `datafusion` feature) its
//! Apache DataFusion plans.

use std::io::Write;

use anyhow::Context;
use spl_compiler::codegen::{generate_rule, to_source, RuleMeta};
use spl_compiler::CompiledRule;
use spl_grammar::MacroTable;

use crate::inputs::{compile_all, macro_table, report_errors, Compiled};
use crate::CompileArgs;

/// Run the command; `Ok(false)` when a rule did not compile.
///
/// Each rule's type names its file in its documentation; with `--ir`, each program starts
/// with a `# <path>` line. Diagnostics go to stderr. With `--output`, the file is written
/// only when every rule compiled.
pub fn run(args: &CompileArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    if args.datafusion {
        #[cfg(feature = "datafusion")]
        return datafusion::run(args, &macros);
        #[cfg(not(feature = "datafusion"))]
        anyhow::bail!(
            "--datafusion: this splc was built without DataFusion; build it with `--features datafusion` (cargo build -p splc --features datafusion)"
        );
    }
    compile_each(args, &macros, |rule, compiled| {
        Ok(Some(if args.ir {
            // The IR's text form is not Rust: a comment line naming the rule is harmless.
            format!("# {}\n{}", rule.shown.escape_debug(), compiled.program)
        } else {
            // The rule's path, like all its text, reaches the code only through the
            // generator (in the type's documentation).
            let meta = RuleMeta::of(rule.type_name.clone(), compiled);
            to_source(&generate_rule(&meta, &compiled.program))
        }))
    })
}

/// Each rule of the paths that compiles, given to `section` for its text; the texts,
/// joined by blank lines, are written out ([`write_out`]). A rule that does not compile
/// is reported on standard error and counts as failed, as does one for which `section`
/// gives `None` (having said why). `Ok(true)` when none failed.
fn compile_each(
    args: &CompileArgs,
    macros: &MacroTable,
    mut section: impl FnMut(&Compiled, &CompiledRule) -> anyhow::Result<Option<String>>,
) -> anyhow::Result<bool> {
    let mut text = String::new();
    let mut failed = 0usize;
    for rule in compile_all(&args.paths, &[], macros) {
        let compiled = match &rule.result {
            Ok(c) => c,
            Err(errors) => {
                failed += 1;
                report_errors(errors);
                continue;
            }
        };
        let Some(part) = section(&rule, compiled)? else {
            failed += 1;
            continue;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&part);
    }
    write_out(args, &text, failed)?;
    Ok(failed == 0)
}

/// Write `text` to the `--output` file (only when no rule failed) or to standard output.
fn write_out(args: &CompileArgs, text: &str, failed: usize) -> anyhow::Result<()> {
    match &args.output {
        Some(path) if failed > 0 => {
            eprintln!(
                "{failed} rule(s) did not compile; {} not written",
                path.display()
            );
        }
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

/// `--datafusion`: each rule's DataFusion plans.
#[cfg(feature = "datafusion")]
mod datafusion {
    use std::sync::Arc;

    use anyhow::Context;
    use spl_datafusion::{input, DfRule};
    use spl_grammar::MacroTable;
    use spl_runtime::read::ReadOptions;

    use crate::run::is_parquet;
    use crate::run_datafusion::runtime;
    use crate::CompileArgs;

    /// The name the table is registered under.
    const TABLE: &str = "events";

    /// Print each rule's plans, after a `# <path>` line; `Ok(false)` when a rule did not
    /// compile or could not be planned (reported on standard error).
    pub fn run(args: &CompileArgs, macros: &MacroTable) -> anyhow::Result<bool> {
        let runtime = runtime(None)?;
        let ctx = input::session();
        if let Some(path) = &args.input {
            if is_parquet(path) {
                runtime
                    .block_on(input::register_parquet(&ctx, TABLE, path))
                    .with_context(|| format!("{}: cannot read it as Parquet", path.display()))?;
            } else {
                let events = input::read_events(path, ReadOptions::default())?;
                let partitions = ctx.copied_config().target_partitions();
                let table = input::events_table(&events.records, partitions)?;
                ctx.register_table(TABLE, Arc::new(table))?;
            }
        }
        super::compile_each(args, macros, |rule, compiled| {
            if args.input.is_none() {
                // An empty table with the columns this rule reads.
                let fields = spl_compiler::typed::event_fields(&compiled.parsed);
                let names = ["_raw", "_time"]
                    .into_iter()
                    .chain(fields.iter().map(|f| f.name.as_str()));
                ctx.deregister_table(TABLE)?;
                ctx.register_table(TABLE, Arc::new(input::empty_table(names)?))?;
            }
            let plans = match runtime.block_on(DfRule::from_compiled(compiled).explain(&ctx, TABLE))
            {
                Ok(plans) => plans,
                Err(spl_datafusion::Error::Lower { source, .. }) => {
                    eprintln!("{}: not planned: {source}", rule.shown);
                    return Ok(None);
                }
                Err(e) => return Err(e).with_context(|| format!("planning {}", rule.shown)),
            };
            let mut text = format!("# {}\n{plans}", rule.shown.escape_debug());
            if !plans.ends_with('\n') {
                text.push('\n');
            }
            Ok(Some(text))
        })
    }
}
