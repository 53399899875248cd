//! A rule pack on a DataFusion session: one logical plan per rule over a table of events.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::{filter_record_batch, prep_null_mask_filter};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::common::runtime::SpawnedTask;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{lit, Expr};
use datafusion::physical_plan::{displayable, PhysicalExpr};
use datafusion::prelude::{DataFrame, SessionContext};
use futures::StreamExt;
use spl_compiler::{compile_rule, CompiledRule};
use spl_grammar::{MacroTable, RuleFile};
use spl_ir::Program;
use spl_runtime::rule::RuleInfo;
use spl_runtime::Record;

use crate::columns::{to_records, SEQ};
use crate::lower::{filter_expr, program_frame, stages_frame};
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

/// `OR` of `items` as a balanced tree (a chain of thousands would be as deep).
fn any_of(mut items: Vec<Expr>) -> Expr {
    while items.len() > 1 {
        let mut next = Vec::with_capacity(items.len().div_ceil(2));
        let mut it = items.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => a.or(b),
                None => a,
            });
        }
        items = next;
    }
    items.pop().unwrap_or_else(|| lit(false))
}

/// Each rule's events (the batches its filter passes), from one scan of `events`.
///
/// The rules' filters are compiled once to physical expressions and evaluated on each
/// batch of every partition, on as many tasks as there are partitions; the scan itself
/// carries their `OR` (which a Parquet scan pushes down: row groups no filter can pass are
/// not read).
async fn matched_by_rule(
    ctx: &SessionContext,
    events: DataFrame,
    filters: Vec<Expr>,
) -> Result<Vec<Vec<RecordBatch>>, Error> {
    let rules = filters.len();
    let state = ctx.state();
    let physical: Vec<Arc<dyn PhysicalExpr>> = filters
        .iter()
        .map(|f| state.create_physical_expr(f.clone(), events.schema()))
        .collect::<Result<_, _>>()?;
    let physical = Arc::new(physical);
    let streams = events
        .filter(any_of(filters))?
        .execute_stream_partitioned()
        .await?;
    let tasks: Vec<SpawnedTask<Result<Vec<Vec<RecordBatch>>, Error>>> = streams
        .into_iter()
        .map(|mut stream| {
            let physical = Arc::clone(&physical);
            SpawnedTask::spawn(async move {
                let mut matched: Vec<Vec<RecordBatch>> = vec![Vec::new(); physical.len()];
                while let Some(batch) = stream.next().await {
                    let batch = batch?;
                    for (expr, out) in physical.iter().zip(&mut matched) {
                        let passed = expr.evaluate(&batch)?.into_array(batch.num_rows())?;
                        let Some(passed) = passed.as_boolean_opt() else {
                            return Err(Error::Column {
                                field: String::new(),
                                message: format!("a filter of type {}", passed.data_type()),
                            });
                        };
                        let passed = if passed.null_count() > 0 {
                            prep_null_mask_filter(passed)
                        } else {
                            passed.clone()
                        };
                        if passed.true_count() > 0 {
                            out.push(filter_record_batch(&batch, &passed)?);
                        }
                    }
                }
                Ok(matched)
            })
        })
        .collect();
    let mut matched: Vec<Vec<RecordBatch>> = vec![Vec::new(); rules];
    for task in tasks {
        let part = task.join().await.map_err(|e| {
            Error::DataFusion(datafusion::error::DataFusionError::External(Box::new(e)))
        })??;
        for (all, some) in matched.iter_mut().zip(part) {
            all.extend(some);
        }
    }
    Ok(matched)
}

/// Run every rule of `rules` over the registered table `table` and collect their rows as
/// records (the inverse of the column model: see [`crate::columns::to_records`]).
///
/// One scan for the whole pack: each batch of the table is read once, and every rule's
/// search filter is evaluated on it; then each rule's commands run as a plan of their own
/// over the events its filter passed, held in memory (a rule without commands needs no
/// plan: its rows are those events, in their order). The rows are those of
/// [`run_pack_each`], which plans and scans the table once per rule.
pub async fn run_pack(
    ctx: &SessionContext,
    table: &str,
    rules: &[DfRule],
) -> Result<PackRows, Error> {
    let events = ctx.table(table).await?;
    let schema = Arc::clone(events.schema().inner());
    let filters = rules
        .iter()
        .map(|r| filter_expr(r.program.filter(), &schema))
        .collect();
    let matched = matched_by_rule(ctx, events, filters).await?;
    // A rule that is its search alone needs no plan: its rows are the events it passed.
    let mut runs: Vec<RuleRun> = Vec::new();
    let mut held: Vec<Option<MemTable>> = Vec::with_capacity(rules.len());
    for (i, (rule, batches)) in rules.iter().zip(matched).enumerate() {
        if rule.program.stages().is_empty() {
            runs.push((i, filtered_rows(&batches)));
            held.push(None);
        } else {
            held.push(Some(MemTable::try_new(Arc::clone(&schema), vec![batches])?));
        }
    }
    let with_commands = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.program.stages().is_empty());
    let held = Mutex::new(held);
    runs.extend(
        run_plans(with_commands, |i, rule| {
            let table = held
                .lock()
                .ok()
                .and_then(|mut held| held.get_mut(i).and_then(Option::take));
            let Some(table) = table else {
                return Err(Error::Compile(format!("rule {i} planned twice")));
            };
            stages_frame(&rule.program, ctx.read_table(Arc::new(table))?)
        })
        .await,
    );
    gather(runs)
}

/// [`run_pack`] with one plan per rule, each scanning the table: the rules' plans as
/// [`register_pack`] registers them.
pub async fn run_pack_each(
    ctx: &SessionContext,
    table: &str,
    rules: &[DfRule],
) -> Result<PackRows, Error> {
    let events = ctx.table(table).await?;
    gather(
        run_plans(rules.iter().enumerate(), |_, rule| {
            program_frame(&rule.program, events.clone())
        })
        .await,
    )
}

/// One rule's rows, or why it has none.
type RuleRun = (usize, Result<Vec<Record>, Error>);

/// Run the plan `plan` makes of each rule of `rules` (`(index, rule)`), [`PLANS_AT_ONCE`]
/// at a time.
async fn run_plans<'a>(
    rules: impl IntoIterator<Item = (usize, &'a DfRule)>,
    plan: impl Fn(usize, &DfRule) -> Result<DataFrame, Error>,
) -> Vec<RuleRun> {
    let plan = &plan;
    futures::stream::iter(rules)
        .map(|(i, rule)| async move {
            let frame = match plan(i, rule) {
                Ok(frame) => frame,
                Err(e) => return (i, Err(e.in_rule(&rule.info.name))),
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
        .await
}

/// The rules' runs gathered in pack order: rows, refusals; another error ends the run.
fn gather(mut runs: Vec<RuleRun>) -> Result<PackRows, Error> {
    runs.sort_by_key(|(i, _)| *i);
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

/// The rows of a rule that is its search alone: the events it passed, in their order
/// ([`SEQ`]; as they come without it), as records.
fn filtered_rows(batches: &[RecordBatch]) -> Result<Vec<Record>, Error> {
    let mut rows: Vec<(Option<u64>, Record)> = Vec::new();
    for batch in batches {
        let seqs: Vec<Option<u64>> = match batch.column_by_name(SEQ) {
            Some(seq) => match seq.as_primitive_opt::<UInt64Type>() {
                Some(seq) => seq.iter().collect(),
                None => vec![None; batch.num_rows()],
            },
            None => vec![None; batch.num_rows()],
        };
        rows.extend(seqs.into_iter().zip(to_records(batch)?));
    }
    rows.sort_by_key(|(seq, _)| *seq);
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}
