//! A rule pack on a DataFusion session: one logical plan per rule over a table of events.

use std::borrow::Cow;
use std::path::Path;

use datafusion::physical_plan::displayable;
use datafusion::prelude::{DataFrame, SessionContext};
use futures::StreamExt;
use spl_compiler::{compile_rule, CompiledRule};
use spl_grammar::{MacroTable, RuleFile};
use spl_ir::Program;
use spl_runtime::rule::RuleInfo;
use spl_runtime::Record;

use crate::columns::to_records;
use crate::lower::program_frame;
use crate::Error;

/// A rule lowered for DataFusion: its metadata and program.
#[derive(Clone, Debug)]
pub struct DfRule {
    /// Name (the rule file's stem, else its id), id, title, as the evaluator names them.
    pub info: RuleInfo,
    /// The lowered program.
    pub program: Program,
}

impl DfRule {
    /// A rule the compiler accepted, named as `spl_engine::EvalRule` names it.
    pub fn from_compiled(compiled: &CompiledRule) -> DfRule {
        let rule = &compiled.rule;
        let name = rule
            .path
            .as_deref()
            .and_then(Path::file_stem)
            .map_or_else(|| rule.id.clone(), |s| s.to_string_lossy().into_owned());
        DfRule {
            info: RuleInfo {
                name: Cow::Owned(name),
                id: Cow::Owned(rule.id.clone()),
                title: Cow::Owned(rule.title.clone()),
                technique_ids: Cow::Owned(
                    rule.technique_id.iter().cloned().map(Cow::Owned).collect(),
                ),
                spl: Cow::Owned(rule.logic.clone()),
            },
            program: compiled.program.clone(),
        }
    }

    /// Compile SPL text (named `name`).
    pub fn from_spl(name: &str, spl: &str, macros: &MacroTable) -> Result<DfRule, Error> {
        let compiled = compile_rule(RuleFile::from_spl_str(spl, name), macros)
            .map_err(|e| Error::Compile(e.to_string()))?;
        let mut rule = DfRule::from_compiled(&compiled);
        rule.info.name = Cow::Owned(name.to_owned());
        Ok(rule)
    }

    /// The rule as a DataFusion plan over the registered table `table`.
    pub async fn frame(&self, ctx: &SessionContext, table: &str) -> Result<DataFrame, Error> {
        let events = ctx.table(table).await?;
        program_frame(&self.program, events).map_err(|e| e.in_rule(&self.info.name))
    }
}

impl DfRule {
    /// The rule's plans as text, as `EXPLAIN` shows them: the logical plan after
    /// DataFusion's optimizer, then the physical plan (with a Parquet scan's `predicate`
    /// and `pruning_predicate`, when the table is Parquet).
    pub async fn explain(&self, ctx: &SessionContext, table: &str) -> Result<String, Error> {
        let frame = self.frame(ctx, table).await?;
        let logical = frame.clone().into_optimized_plan()?;
        let physical = frame.create_physical_plan().await?;
        Ok(format!(
            "logical plan:\n{}\nphysical plan:\n{}",
            logical.display_indent(),
            displayable(physical.as_ref()).indent(true)
        ))
    }
}

/// What [`register_pack`] did: the views registered, and the rules that could not be.
#[derive(Debug, Default)]
pub struct Registered {
    /// `(rule index, view name)` of each rule registered.
    pub views: Vec<(usize, String)>,
    /// `(rule index, why)` of each rule that could not be lowered.
    pub refused: Vec<(usize, Error)>,
}

/// Register each rule of `rules` on `ctx` as a view over the table `table`, named
/// `<prefix><rule name>`, so that SQL and the DataFrame API can query it
/// (`SELECT * FROM "rule_0001"`). A rule that cannot be lowered is listed in
/// [`Registered::refused`] with the command that stopped it; the others are registered.
pub async fn register_pack(
    ctx: &SessionContext,
    table: &str,
    rules: &[DfRule],
    prefix: &str,
) -> Result<Registered, Error> {
    let mut out = Registered::default();
    for (i, rule) in rules.iter().enumerate() {
        match rule.frame(ctx, table).await {
            Ok(frame) => {
                let name = format!("{prefix}{}", rule.info.name);
                ctx.register_table(name.as_str(), frame.into_view())?;
                out.views.push((i, name));
            }
            Err(e @ Error::Lower { .. }) => out.refused.push((i, e)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The rows of a pack run.
#[derive(Debug, Default)]
pub struct PackRows {
    /// `(rule index, row)`: each rule's rows, rule after rule in pack order; within a rule,
    /// in the order DataFusion produced them (input order for one partition).
    pub rows: Vec<(usize, Record)>,
    /// `(rule index, why)` of each rule that could not be lowered.
    pub refused: Vec<(usize, Error)>,
}

/// How many rules' plans run at once in [`run_pack`] (each plan also runs on all the
/// session's partitions).
pub const PLANS_AT_ONCE: usize = 4;

/// Run every rule of `rules` over the registered table `table` and collect their rows as
/// records (the inverse of the column model: see [`crate::columns::to_records`]).
pub async fn run_pack(
    ctx: &SessionContext,
    table: &str,
    rules: &[DfRule],
) -> Result<PackRows, Error> {
    let runs = futures::stream::iter(rules.iter().enumerate())
        .map(|(i, rule)| async move {
            let frame = match rule.frame(ctx, table).await {
                Ok(frame) => frame,
                Err(e) => return (i, Err(e)),
            };
            let batches = match frame.collect().await {
                Ok(batches) => batches,
                Err(e) => return (i, Err(Error::from(e).in_rule(&rule.info.name))),
            };
            let mut rows = Vec::new();
            for batch in &batches {
                match to_records(batch) {
                    Ok(records) => rows.extend(records),
                    Err(e) => return (i, Err(e)),
                }
            }
            (i, Ok(rows))
        })
        .buffered(PLANS_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    let mut out = PackRows::default();
    for (i, result) in runs {
        match result {
            Ok(rows) => out.rows.extend(rows.into_iter().map(|r| (i, r))),
            Err(e @ Error::Lower { .. }) => out.refused.push((i, e)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
