//! A rule pack on a DataFusion session: one logical plan per rule over a table of events.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::kernels::boolean::or;
use datafusion::arrow::compute::{filter, filter_record_batch, prep_null_mask_filter};
use datafusion::arrow::datatypes::{DataType, UInt64Type};
use datafusion::common::runtime::SpawnedTask;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
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

/// The events some rule's filter passed, from one scan of a table, and which rules passed
/// each.
struct Candidates {
    /// Each batch of the scan that some filter passed, cut to those rows, with each
    /// rule's mask over them (`None`: the rule passed none of them).
    batches: Vec<(RecordBatch, Vec<Option<BooleanArray>>)>,
}

impl Candidates {
    /// Scan `events` once, evaluating each of `filters` on every batch of every partition
    /// (compiled once to physical expressions; a task per partition).
    async fn scan(
        ctx: &SessionContext,
        events: DataFrame,
        filters: Vec<Expr>,
    ) -> Result<Candidates, Error> {
        let state = ctx.state();
        let physical: Vec<Arc<dyn PhysicalExpr>> = filters
            .into_iter()
            .map(|f| state.create_physical_expr(f, events.schema()))
            .collect::<Result<_, _>>()?;
        let physical = Arc::new(physical);
        let tasks: Vec<SpawnedTask<Result<Vec<_>, Error>>> = events
            .execute_stream_partitioned()
            .await?
            .into_iter()
            .map(|mut stream| {
                let physical = Arc::clone(&physical);
                SpawnedTask::spawn(async move {
                    let mut kept = Vec::new();
                    while let Some(batch) = stream.next().await {
                        if let Some(cut) = Candidates::cut(&batch?, &physical)? {
                            kept.push(cut);
                        }
                    }
                    Ok(kept)
                })
            })
            .collect();
        let mut batches = Vec::new();
        for task in tasks {
            let part = task.join().await.map_err(|e| {
                Error::DataFusion(datafusion::error::DataFusionError::External(Box::new(e)))
            })??;
            batches.extend(part);
        }
        Ok(Candidates { batches })
    }

    /// `batch` cut to the rows some filter passes, with each filter's mask over them;
    /// `None` when no filter passes a row.
    #[allow(clippy::type_complexity)]
    fn cut(
        batch: &RecordBatch,
        filters: &[Arc<dyn PhysicalExpr>],
    ) -> Result<Option<(RecordBatch, Vec<Option<BooleanArray>>)>, Error> {
        let rows = batch.num_rows();
        let mut passed = Vec::with_capacity(filters.len());
        let mut any: Option<BooleanArray> = None;
        for filter in filters {
            let result = filter.evaluate(batch)?.into_array(rows)?;
            let Some(result) = result.as_boolean_opt() else {
                return Err(Error::Column {
                    field: String::new(),
                    message: format!("a filter of type {}", result.data_type()),
                });
            };
            // A null (a missing field) passes nothing.
            let result = if result.null_count() > 0 {
                prep_null_mask_filter(result)
            } else {
                result.clone()
            };
            if result.true_count() == 0 {
                passed.push(None);
                continue;
            }
            any = Some(match any {
                Some(a) => or(&a, &result)?,
                None => result.clone(),
            });
            passed.push(Some(result));
        }
        let Some(any) = any else {
            return Ok(None);
        };
        let kept = compact(filter_record_batch(batch, &any)?)?;
        let masks = passed
            .into_iter()
            .map(|p| p.map(|p| filter(&p, &any).map(|m| m.as_boolean().clone())))
            .map(Option::transpose)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((kept, masks)))
    }

    /// The events rule `i`'s filter passed.
    fn rule_batches(&self, i: usize) -> Result<Vec<RecordBatch>, Error> {
        let mut out = Vec::new();
        for (batch, masks) in &self.batches {
            if let Some(Some(mask)) = masks.get(i) {
                out.push(filter_record_batch(batch, mask)?);
            }
        }
        Ok(out)
    }
}

/// `batch` with its string and binary views holding only the bytes of its own rows (a
/// filtered view array keeps the buffers of the whole batch it came from).
fn compact(batch: RecordBatch) -> Result<RecordBatch, Error> {
    if !batch
        .columns()
        .iter()
        .any(|c| matches!(c.data_type(), DataType::Utf8View | DataType::BinaryView))
    {
        return Ok(batch);
    }
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|c| match c.data_type() {
            DataType::Utf8View => Arc::new(c.as_string_view().gc()) as ArrayRef,
            DataType::BinaryView => Arc::new(c.as_binary_view().gc()) as ArrayRef,
            _ => Arc::clone(c),
        })
        .collect();
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

/// Run every rule of `rules` over the registered table `table` and collect their rows as
/// records (the inverse of the column model: see [`crate::columns::to_records`]).
///
/// One scan for the whole pack: each batch of the table is read once, every rule's
/// search filter is evaluated on it, and the rows some filter passes are kept in memory
/// with each rule's mask over them; then each rule's commands run as a plan of their own
/// over the events its filter passed (a rule without commands needs no plan: its rows are
/// those events, in their order). The rows are those of [`run_pack_each`], which plans
/// and scans the table once per rule.
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
    let candidates = Candidates::scan(ctx, events, filters).await?;
    // The batches' schema (a Parquet scan gives string views, say), not the logical one.
    let held_schema = candidates
        .batches
        .first()
        .map_or_else(|| Arc::clone(&schema), |(b, _)| b.schema());
    let mut runs: Vec<RuleRun> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.program.stages().is_empty())
        .map(|(i, _)| {
            (
                i,
                candidates.rule_batches(i).and_then(|b| filtered_rows(&b)),
            )
        })
        .collect();
    let with_commands = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.program.stages().is_empty());
    runs.extend(
        run_plans(with_commands, |i, rule| {
            let table =
                MemTable::try_new(Arc::clone(&held_schema), vec![candidates.rule_batches(i)?])?;
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
