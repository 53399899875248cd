//! The commands after the search as DataFusion plan nodes: `eval` and `rex` as
//! projections, `where` as a filter, `table`, `fields`, `rename` as projections, `bin` as
//! a projection, `stats` as a filter, an unnest of multivalued BY fields, an aggregation
//! and a sort. What each means is the evaluator's (`spl_runtime::pipeline`); plain
//! expressions where they are exactly that, [`crate::rowfn`] and [`crate::agg`] UDFs
//! elsewhere.
//!
//! The table's columns stand for every field a row can have: a field is in a row when
//! its column is not null there. So a wildcard (`table process_*`, `values(*) as *`,
//! `rename a* AS b*`) is expanded against the plan's schema, and a field without a column
//! is a field no row has.

use std::collections::HashSet;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, ScalarValue};
use datafusion::functions::core::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    ident, lit, when, Expr, ExprFunctionExt, LogicalPlanBuilder, SortExpr, WindowFrame,
    WindowFrameBound, WindowFrameUnits, WindowFunctionDefinition,
};
use datafusion::prelude::DataFrame;
use spl_ir::{
    AggFunc, AggInput, Assignment, BinStage, ExprKind, FieldPattern, Func, RexStage, SortKey,
    StatsKind, StatsStage,
};
use spl_runtime::aggregate::Accumulator;
use spl_runtime::pipeline::{Bin, FieldGlob};
use spl_runtime::regex::Regex;
use spl_runtime::value::format_number;
use spl_runtime::Value;

use crate::agg::SplStats;
use crate::columns::{is_list, multi_type, single_type, SEQ};
use crate::lower::LowerError;
use crate::rowfn::SplFn;
use crate::Error;

/// The fields of a frame, as columns: name and type, in order. The columns of this back
/// end (named `_splc_...`: [`SEQ`], the events' order) are no fields.
pub(crate) fn columns(frame: &DataFrame) -> Vec<(String, DataType)> {
    frame
        .schema()
        .fields()
        .iter()
        .filter(|f| !f.name().starts_with("_splc_"))
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect()
}

/// Whether the frame has the events' order ([`SEQ`]).
pub(crate) fn has_seq(frame: &DataFrame) -> bool {
    frame.schema().has_column_with_unqualified_name(SEQ)
}

/// A column by its name as it is (dots, braces and all).
fn col(name: &str) -> Expr {
    ident(name)
}

/// A null of the column model's single-valued type.
fn null() -> Expr {
    lit(ScalarValue::Utf8(None))
}

/// Project `frame` to `outputs`, in order, each under its name, and the events' order
/// when the frame has it.
fn project(frame: DataFrame, mut outputs: Vec<(String, Expr)>) -> Result<DataFrame, Error> {
    if outputs.is_empty() {
        // A row without fields: one null column (a null is no field).
        outputs.push(("_splc_empty".to_owned(), null()));
    }
    if has_seq(&frame) && !outputs.iter().any(|(n, _)| n == SEQ) {
        outputs.push((SEQ.to_owned(), col(SEQ)));
    }
    Ok(frame.select(
        outputs
            .into_iter()
            .map(|(name, e)| e.alias(name))
            .collect::<Vec<_>>(),
    )?)
}

/// The frame's columns as outputs (each as it is), to change some of them.
fn same(frame: &DataFrame) -> Vec<(String, Expr)> {
    columns(frame)
        .into_iter()
        .map(|(name, _)| {
            let e = col(&name);
            (name, e)
        })
        .collect()
}

/// Set `name` to `value` in `outputs`: in its place when it is there, else at the end.
fn set(outputs: &mut Vec<(String, Expr)>, name: &str, value: Expr) {
    match outputs.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value,
        None => outputs.push((name.to_owned(), value)),
    }
}

/// `new`, or where it is null `old`: a plain `coalesce` when both are strings, else one
/// that makes a list of a single value.
fn or_else(new: (Expr, DataType), old: (Expr, DataType)) -> (Expr, DataType) {
    if !is_list(&new.1) && !is_list(&old.1) {
        (coalesce(vec![new.0, old.0]), single_type())
    } else {
        (
            SplFn::coalesce(vec![new.0, old.0], multi_type()),
            multi_type(),
        )
    }
}

/// The type in the column model of column `name` (`Utf8` for any string type, as a
/// Parquet scan may give `Utf8View`; `List<Utf8>` for a list), if the frame has it.
fn type_of(columns: &[(String, DataType)], name: &str) -> Option<DataType> {
    columns.iter().find(|(n, _)| n == name).map(|(_, t)| {
        if is_list(t) {
            multi_type()
        } else {
            single_type()
        }
    })
}

/// `| eval a=x, b=y`: one projection per assignment, left to right (each sees the ones
/// before it); a null result is a missing field.
pub(crate) fn eval(frame: DataFrame, assigns: &[Assignment]) -> Result<DataFrame, Error> {
    let mut frame = frame;
    for a in assigns {
        if a.dynamic {
            return Err(LowerError::Form {
                command: "eval",
                form: "an assignment to `{field}`".into(),
            }
            .into());
        }
        let cols = columns(&frame);
        let value = match plain_value(&a.value, &cols) {
            Some((e, _)) => e,
            None => {
                let (inputs, args) = inputs_of(&a.value, &cols);
                let label = format!("{}={}", a.field, a.value);
                SplFn::eval(label, &a.field, a.value.clone(), &inputs, args)
            }
        };
        let mut outputs = same(&frame);
        set(&mut outputs, &a.field, value);
        frame = project(frame, outputs)?;
    }
    Ok(frame)
}

/// The fields an expression reads that the frame has, and their columns: every column
/// when it holds a search (`searchmatch`), which reads the whole row.
fn inputs_of(expr: &spl_ir::Expr, cols: &[(String, DataType)]) -> (Vec<String>, Vec<Expr>) {
    let mut search = false;
    expr.visit(&mut |e| search |= matches!(e.kind, ExprKind::Search(_)));
    let names: Vec<String> = if search {
        cols.iter().map(|(n, _)| n.clone()).collect()
    } else {
        expr.fields()
            .into_iter()
            .filter(|f| cols.iter().any(|(n, _)| n == f))
            .map(str::to_owned)
            .collect()
    };
    let args = if names.is_empty() {
        // A UDF takes at least one argument: a constant one, which it does not read.
        vec![null()]
    } else {
        names.iter().map(|n| col(n)).collect()
    };
    (names, args)
}

/// An eval value as a plain expression when SQL means exactly the same: a literal (a
/// number as splc prints it), a field, `null()`, and `if(c, x, y)` of those over a plain
/// condition with branches of one type.
fn plain_value(expr: &spl_ir::Expr, cols: &[(String, DataType)]) -> Option<(Expr, DataType)> {
    match &expr.kind {
        ExprKind::Str(s) => Some((lit(s.as_str()), single_type())),
        ExprKind::Num(n) => Some((lit(format_number(*n)), single_type())),
        ExprKind::Field(f) => Some(match type_of(cols, f) {
            Some(t) => (col(f), t),
            None => (null(), single_type()),
        }),
        ExprKind::Call {
            func: Func::Null, ..
        } => Some((null(), single_type())),
        ExprKind::Call {
            func: Func::If,
            args,
            ..
        } => {
            let [c, x, y] = args.as_slice() else {
                return None;
            };
            let c = plain_condition(c, cols)?;
            let (x, tx) = plain_value(x, cols)?;
            let (y, ty) = plain_value(y, cols)?;
            if tx != ty {
                return None;
            }
            Some((when(c, x).otherwise(y).ok()?, tx))
        }
        _ => None,
    }
}

/// A condition as a plain boolean expression when SQL means exactly the same:
/// `isnull(f)`, `isnotnull(f)` (never null), and `NOT`, `AND`, `OR` of plain conditions
/// (three-valued logic as Splunk's).
fn plain_condition(expr: &spl_ir::Expr, cols: &[(String, DataType)]) -> Option<Expr> {
    match &expr.kind {
        ExprKind::Call {
            func: func @ (Func::IsNull | Func::IsNotNull),
            args,
            ..
        } => {
            let [arg] = args.as_slice() else {
                return None;
            };
            let ExprKind::Field(f) = &arg.kind else {
                return None;
            };
            let present = match type_of(cols, f) {
                Some(_) => col(f).is_not_null(),
                None => lit(false),
            };
            Some(if *func == Func::IsNull {
                Expr::Not(Box::new(present))
            } else {
                present
            })
        }
        ExprKind::Not(x) => Some(Expr::Not(Box::new(plain_condition(x, cols)?))),
        ExprKind::Binary {
            op: spl_ir::BinOp::And,
            lhs,
            rhs,
        } => Some(plain_condition(lhs, cols)?.and(plain_condition(rhs, cols)?)),
        ExprKind::Binary {
            op: spl_ir::BinOp::Or,
            lhs,
            rhs,
        } => Some(plain_condition(lhs, cols)?.or(plain_condition(rhs, cols)?)),
        _ => None,
    }
}

/// `| where cond`: a filter keeping the rows for which the condition is true (null drops).
pub(crate) fn where_(frame: DataFrame, cond: &spl_ir::Expr) -> Result<DataFrame, Error> {
    let cols = columns(&frame);
    let test = match plain_condition(cond, &cols) {
        Some(e) => e,
        None => {
            let (inputs, args) = inputs_of(cond, &cols);
            SplFn::where_(cond.to_string(), cond.clone(), &inputs, args)
        }
    };
    Ok(frame.filter(test)?)
}

/// `| rex field=f "re"`: each named group a column, what it captured from the source's
/// first value or, where it captured nothing (or the source is missing), the field as it
/// was.
pub(crate) fn rex(frame: DataFrame, stage: &RexStage) -> Result<DataFrame, Error> {
    let cols = columns(&frame);
    if type_of(&cols, &stage.field).is_none() {
        return Ok(frame);
    }
    let mut outputs = same(&frame);
    for group in &stage.regex.names {
        let label = format!(
            "{:?}~{:?} {group}{}",
            stage.field,
            stage.regex.source,
            if stage.max_match == 1 {
                String::new()
            } else {
                format!(" max_match={}", stage.max_match)
            }
        );
        let regex = Regex::checked(&stage.regex.translated);
        let extracted = SplFn::rex(label, regex, group, stage.max_match, col(&stage.field));
        let t = if stage.max_match == 1 {
            single_type()
        } else {
            multi_type()
        };
        let value = match type_of(&cols, group) {
            None => extracted,
            Some(old) => or_else((extracted, t), (col(group), old)).0,
        };
        set(&mut outputs, group, value);
    }
    project(frame, outputs)
}

/// The columns matching `pattern`, in the frame's order.
fn matching<'c>(cols: &'c [(String, DataType)], pattern: &FieldPattern) -> Vec<&'c str> {
    let glob = FieldGlob::new(pattern.as_str());
    cols.iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| glob.matches(n))
        .collect()
}

/// `| table f, g*, ...`: the listed columns in the listed order.
pub(crate) fn table(frame: DataFrame, patterns: &[FieldPattern]) -> Result<DataFrame, Error> {
    let cols = columns(&frame);
    let mut taken: Vec<&str> = Vec::new();
    for p in patterns {
        for name in matching(&cols, p) {
            if !taken.contains(&name) {
                taken.push(name);
            }
        }
    }
    let outputs = taken.into_iter().map(|n| (n.to_owned(), col(n))).collect();
    project(frame, outputs)
}

/// `| fields [+] f...` keeps the listed columns (and `_raw`, `_time`); `| fields - f...`
/// drops them.
pub(crate) fn fields(
    frame: DataFrame,
    remove: bool,
    patterns: &[FieldPattern],
) -> Result<DataFrame, Error> {
    let cols = columns(&frame);
    let listed: HashSet<&str> = patterns.iter().flat_map(|p| matching(&cols, p)).collect();
    let outputs = cols
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| {
            let l = listed.contains(n);
            if remove {
                !l
            } else {
                l || *n == "_raw" || *n == "_time"
            }
        })
        .map(|n| (n.to_owned(), col(n)))
        .collect();
    project(frame, outputs)
}

/// `| rename a AS b, x* AS y*`: each pair in turn; a field that is there moves to its
/// new name (over what was there), a missing one leaves the new name as it was.
pub(crate) fn rename(
    frame: DataFrame,
    pairs: &[(FieldPattern, FieldPattern)],
) -> Result<DataFrame, Error> {
    // Each column's value as an expression and type; `None`: no field.
    let mut now: Vec<(String, Option<(Expr, DataType)>)> = columns(&frame)
        .into_iter()
        .map(|(n, t)| {
            let e = col(&n);
            (n, Some((e, t)))
        })
        .collect();
    for (from, to) in pairs {
        let (from, to) = (FieldGlob::new(from.as_str()), FieldGlob::new(to.as_str()));
        let moves: Vec<(String, String)> = now
            .iter()
            .filter(|(_, v)| v.is_some())
            .filter_map(|(n, _)| {
                let caps = from.captures(n)?;
                Some((n.clone(), to.substitute(&caps)))
            })
            .collect();
        for (old, new) in moves {
            if old == new {
                continue;
            }
            let Some(i) = now.iter().position(|(n, _)| *n == old) else {
                continue;
            };
            let Some(moved) = now[i].1.take() else {
                continue;
            };
            let value = match now.iter().position(|(n, _)| *n == new) {
                Some(j) => match now[j].1.take() {
                    Some(before) => Some(or_else(moved, before)),
                    None => Some(moved),
                },
                None => {
                    now.push((new.clone(), None));
                    Some(moved)
                }
            };
            if let Some(slot) = now.iter_mut().find(|(n, _)| *n == new) {
                slot.1 = value;
            }
        }
    }
    let outputs = now
        .into_iter()
        .filter_map(|(n, v)| v.map(|(e, _)| (n, e)))
        .collect();
    project(frame, outputs)
}

/// `| bin span=S f [AS out]`: the bin of the field's number into `out`; a value that is
/// not a number stays as it is (and is copied to `out`); a missing field leaves `out` as
/// it was.
pub(crate) fn bin(frame: DataFrame, stage: &BinStage) -> Result<DataFrame, Error> {
    let cols = columns(&frame);
    let Some(t) = type_of(&cols, &stage.field) else {
        return Ok(frame);
    };
    let label = format!("{:?} {:?}", stage.field, stage.span);
    let binner = Bin::new(&stage.field, &stage.output, stage.span);
    let binned = SplFn::bin(label, binner, col(&stage.field), t.clone());
    let value = match type_of(&cols, &stage.output) {
        Some(old) if stage.output != stage.field => {
            or_else((binned, t), (col(&stage.output), old)).0
        }
        _ => binned,
    };
    let mut outputs = same(&frame);
    set(&mut outputs, &stage.output, value);
    project(frame, outputs)
}

/// The name of the `i`th internal column of `stats`.
fn internal(what: &str, i: usize) -> String {
    format!("__splc_{what}{i}")
}

/// `| stats aggs BY f...`: one row per group, sorted by the BY values (see
/// `spl_runtime::pipeline::Stats`).
pub(crate) fn stats(frame: DataFrame, stage: &StatsStage) -> Result<DataFrame, Error> {
    if stage.kind != StatsKind::Stats {
        return Err(LowerError::Command {
            command: stage.kind.as_str(),
        }
        .into());
    }
    let cols = columns(&frame);
    let mut pre = same(&frame);
    eval_inputs(stage, &cols, &mut pre);
    // BY fields: a missing one is a null column (a row without it joins no group); a
    // multivalued one holds its distinct values, one row each after the unnest.
    let mut unnest = Vec::new();
    for by in &stage.by {
        match type_of(&cols, by) {
            None => pre.push((by.clone(), null())),
            Some(t) if is_list(&t) => {
                set(&mut pre, by, SplFn::distinct(col(by)));
                unnest.push(by.clone());
            }
            Some(_) => {}
        }
    }
    let mut frame = project(frame, pre)?;
    if let Some(present) = stage
        .by
        .iter()
        .map(|b| col(b).is_not_null())
        .reduce(Expr::and)
    {
        frame = frame.filter(present)?;
    }
    for by in &unnest {
        let (state, plan) = frame.into_parts();
        let plan = LogicalPlanBuilder::from(plan)
            .unnest_column(Column::new_unqualified(by))?
            .build()?;
        frame = DataFrame::new(state, plan);
    }

    let (time, seq) = time_and_seq(&frame, &cols);
    // Each output: its name and aggregate; a later one of the same name wins.
    let mut outputs: Vec<(String, Expr)> = Vec::new();
    for (i, a) in stage.aggs.iter().enumerate() {
        let percentile = a.percentile.unwrap_or(50.0);
        let fname = match a.percentile {
            Some(p) => format!("{}{p}", a.func.name()),
            None => a.func.name().to_owned(),
        };
        let call = |label: String, dynamic: bool, values: Vec<Expr>| {
            let (udaf, args) = SplStats::udaf(
                label,
                a.func,
                percentile,
                dynamic,
                time.clone(),
                seq.clone(),
                values,
            );
            udaf.call(args)
        };
        match &a.input {
            AggInput::None => set(
                &mut outputs,
                &a.output,
                call(format!("{}()", fname), false, vec![]),
            ),
            AggInput::Field(_) | AggInput::Eval(_) => {
                if let Some((label, values)) = agg_values(i, &a.input, &fname, &cols) {
                    set(&mut outputs, &a.output, call(label, false, values));
                }
            }
            AggInput::Pattern(p) => {
                let glob = FieldGlob::new(p.as_str());
                let out = FieldGlob::new(&a.output);
                // Per output field, the columns it gathers, in the frame's order.
                let mut gathered: Vec<(String, Vec<String>)> = Vec::new();
                for (name, _) in &cols {
                    if name.starts_with('_') || stage.by.contains(name) {
                        continue;
                    }
                    let Some(caps) = glob.captures(name) else {
                        continue;
                    };
                    let target = if out.is_wildcard() {
                        out.substitute(&caps)
                    } else {
                        a.output.clone()
                    };
                    match gathered.iter_mut().find(|(t, _)| *t == target) {
                        Some((_, inputs)) => inputs.push(name.clone()),
                        None => gathered.push((target, vec![name.clone()])),
                    }
                }
                for (target, inputs) in gathered {
                    let label = format!("{}({inputs:?})", fname);
                    let values = inputs.iter().map(|n| col(n)).collect();
                    set(&mut outputs, &target, call(label, true, values));
                }
            }
        }
    }
    let counts = stage
        .aggs
        .iter()
        .any(|a| matches!(a.func, AggFunc::Count | AggFunc::DistinctCount));
    let guard = stage.by.is_empty() && !counts;
    let mut aggregates: Vec<Expr> = outputs
        .iter()
        .enumerate()
        .map(|(i, (_, e))| e.clone().alias(internal("out", i)))
        .collect();
    if guard {
        aggregates.push(count(lit(1)).alias("__splc_rows"));
    }
    let group: Vec<Expr> = stage.by.iter().map(|b| col(b)).collect();
    let mut frame = frame.aggregate(group, aggregates)?;
    if guard {
        // Without BY and without a count, no input gives no row.
        frame = frame.filter(col("__splc_rows").gt(lit(0_i64)))?;
    }
    let keys: Vec<SortExpr> = stage
        .by
        .iter()
        .flat_map(|b| {
            [
                SplFn::number(col(b)).sort(true, false),
                col(b).sort(true, false),
            ]
        })
        .collect();
    if !keys.is_empty() {
        frame = frame.sort(keys.clone())?;
    }
    let mut last: Vec<(String, Expr)> = stage.by.iter().map(|b| (b.clone(), col(b))).collect();
    for (i, (name, _)) in outputs.iter().enumerate() {
        set(&mut last, name, col(&internal("out", i)));
    }
    // The groups' order is the rows' order from here on (without BY, one row at most).
    let seq = if keys.is_empty() {
        lit(0_u64)
    } else {
        row_number().order_by(keys).build()?
    };
    last.push((SEQ.to_owned(), seq));
    project(frame, last)
}

/// The `eval(...)` inputs of `stage`'s aggregations, as columns added to `pre`, each
/// computed by the evaluator's interpreter.
fn eval_inputs(stage: &StatsStage, cols: &[(String, DataType)], pre: &mut Vec<(String, Expr)>) {
    for (i, a) in stage.aggs.iter().enumerate() {
        if let AggInput::Eval(e) = &a.input {
            let name = internal("in", i);
            let (inputs, args) = inputs_of(e, cols);
            let label = format!("{name}={e}");
            pre.push((
                name.clone(),
                SplFn::eval(label, &name, e.clone(), &inputs, args),
            ));
        }
    }
}

/// The aggregations' `_time` and order arguments: the columns, or null literals when the
/// frame has none.
fn time_and_seq(frame: &DataFrame, cols: &[(String, DataType)]) -> (Expr, Expr) {
    let time = if type_of(cols, "_time").is_some() {
        col("_time")
    } else {
        null()
    };
    let seq = if has_seq(frame) {
        col(SEQ)
    } else {
        lit(ScalarValue::UInt64(None))
    };
    (time, seq)
}

/// The label and value column of aggregation `i` over a field or an `eval(...)` input
/// (`None` for a wildcard or no input): a field without a column is a null.
fn agg_values(
    i: usize,
    input: &AggInput,
    fname: &str,
    cols: &[(String, DataType)],
) -> Option<(String, Vec<Expr>)> {
    match input {
        AggInput::Field(f) => {
            let value = if type_of(cols, f).is_some() {
                col(f)
            } else {
                null()
            };
            Some((format!("{fname}({f:?})"), vec![value]))
        }
        AggInput::Eval(e) => Some((format!("{fname}(eval({e}))"), vec![col(&internal("in", i))])),
        AggInput::None | AggInput::Pattern(_) => None,
    }
}

/// `| eventstats aggs BY f...` and `| streamstats [window=N] [current=b] aggs BY f...`
/// as window functions over the aggregations' UDAF (see `spl_runtime::pipeline::Stats`):
/// `eventstats` over each row's whole group, `streamstats` over the rows of its group up
/// to it in the events' order (the last N with `window=N`; without the row itself with
/// `current=false`). A row missing a BY field is in no group and keeps its fields. With
/// `eventstats` a result that is null removes the output field; with `streamstats` it
/// leaves the field as it was.
///
/// Refused: multivalued BY fields (a row would be in several groups), wildcard inputs
/// (`values(*)`), and `window=N` with BY over all groups (`global=true`, the default:
/// the last N rows of every group, then the row's own, which no window frame is).
pub(crate) fn window_stats(frame: DataFrame, stage: &StatsStage) -> Result<DataFrame, Error> {
    let command = stage.kind.as_str();
    let streaming = stage.kind == StatsKind::Streamstats;
    let refuse = |form: String| -> Result<DataFrame, Error> {
        Err(LowerError::Form { command, form }.into())
    };
    let cols = columns(&frame);
    if let Some(by) = stage
        .by
        .iter()
        .find(|b| type_of(&cols, b).is_some_and(|t| is_list(&t)))
    {
        return refuse(format!("a multivalued BY field (`{by}`)"));
    }
    if let Some(a) = stage
        .aggs
        .iter()
        .find(|a| matches!(a.input, AggInput::Pattern(_)))
    {
        return refuse(format!("a wildcard input (`{}`)", a.output));
    }
    if streaming && stage.window > 0 && stage.global && !stage.by.is_empty() {
        return refuse("`window=` with BY over all groups (`global=true`)".to_owned());
    }
    let order = if streaming {
        vec![seq_or_refuse(&frame, command)?.sort(true, false)]
    } else {
        Vec::new()
    };
    if stage.by.iter().any(|b| type_of(&cols, b).is_none()) {
        // A BY field no row has: no row is in a group.
        return Ok(frame);
    }

    let mut pre = same(&frame);
    eval_inputs(stage, &cols, &mut pre);
    let frame = project(frame, pre)?;
    let (time, seq) = time_and_seq(&frame, &cols);
    let frame_bounds = if streaming {
        let n = |n: u64| WindowFrameBound::Preceding(ScalarValue::UInt64(Some(n)));
        let start = match stage.window {
            0 => WindowFrameBound::Preceding(ScalarValue::UInt64(None)),
            w if stage.current => n(w - 1),
            w => n(w),
        };
        let end = if stage.current {
            WindowFrameBound::CurrentRow
        } else {
            n(1)
        };
        WindowFrame::new_bounds(WindowFrameUnits::Rows, start, end)
    } else {
        WindowFrame::new(None)
    };
    let partition: Vec<Expr> = stage.by.iter().map(|b| col(b)).collect();
    let mut windows: Vec<(String, Expr, DataType, Option<String>)> = Vec::new();
    for (i, a) in stage.aggs.iter().enumerate() {
        let percentile = a.percentile.unwrap_or(50.0);
        let fname = match a.percentile {
            Some(p) => format!("{}{p}", a.func.name()),
            None => a.func.name().to_owned(),
        };
        let (label, values) = agg_values(i, &a.input, &fname, &cols)
            .unwrap_or_else(|| (format!("{fname}()"), Vec::new()));
        let (udaf, args) = SplStats::udaf(
            label,
            a.func,
            percentile,
            false,
            time.clone(),
            seq.clone(),
            values,
        );
        let output = udaf.return_type(&[]).map_err(Error::from)?;
        let over = Expr::from(WindowFunction::new(
            WindowFunctionDefinition::AggregateUDF(std::sync::Arc::new(udaf)),
            args,
        ))
        .partition_by(partition.clone())
        .order_by(order.clone())
        .window_frame(frame_bounds.clone())
        .build()?
        .alias(internal("out", i));
        // An empty frame (the first row of a group with `current=false`): DataFusion
        // gives null; the evaluator, what the aggregation of nothing is (`count` 0).
        let empty = if streaming && !stage.current && !is_list(&output) {
            match Accumulator::with_percentile(a.func, percentile).finish() {
                Some(Value::Num(n)) => Some(format_number(n)),
                Some(Value::Str(s)) => Some(s),
                _ => None,
            }
        } else {
            None
        };
        windows.push((a.output.clone(), over, output, empty));
    }
    let frame = frame.window(windows.iter().map(|(_, e, _, _)| e.clone()).collect())?;

    let present = stage
        .by
        .iter()
        .map(|b| col(b).is_not_null())
        .reduce(Expr::and)
        .unwrap_or_else(|| lit(true));
    let mut outputs: Vec<(String, Expr)> = cols.iter().map(|(n, _)| (n.clone(), col(n))).collect();
    for (i, (name, _, output, empty)) in windows.iter().enumerate() {
        let over = match empty {
            Some(text) => coalesce(vec![col(&internal("out", i)), lit(text.as_str())]),
            None => col(&internal("out", i)),
        };
        let result = when(present.clone(), over).end()?;
        let value = match type_of(&cols, name) {
            None => result,
            Some(old) => {
                let kept = if streaming {
                    col(name)
                } else {
                    when(!present.clone(), col(name)).end()?
                };
                or_else((result, output.clone()), (kept, old)).0
            }
        };
        set(&mut outputs, name, value);
    }
    project(frame, outputs)
}

/// The rows' order, which `head`, `dedup` and `sort` need: the events' order, or the
/// order of the rows `stats` gave.
fn seq_or_refuse(frame: &DataFrame, command: &'static str) -> Result<Expr, Error> {
    if has_seq(frame) {
        return Ok(col(SEQ));
    }
    Err(LowerError::Form {
        command,
        form: format!("a table without `{SEQ}` (the events' order)"),
    }
    .into())
}

/// `| head N`: the first N rows.
pub(crate) fn head(frame: DataFrame, n: u64) -> Result<DataFrame, Error> {
    let seq = seq_or_refuse(&frame, "head")?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    Ok(frame.sort(vec![seq.sort(true, false)])?.limit(0, Some(n))?)
}

/// `| dedup N f...`: the first N rows of each combination of the fields' values (each
/// value as text, a multivalue its values joined by newlines); a row missing one of
/// them goes.
pub(crate) fn dedup(frame: DataFrame, count: u64, fields: &[String]) -> Result<DataFrame, Error> {
    let seq = seq_or_refuse(&frame, "dedup")?;
    let cols = columns(&frame);
    if fields.iter().any(|f| type_of(&cols, f).is_none()) {
        return Ok(frame.filter(lit(false))?);
    }
    let present = fields
        .iter()
        .map(|f| col(f).is_not_null())
        .reduce(Expr::and)
        .unwrap_or_else(|| lit(true));
    let keys: Vec<Expr> = fields
        .iter()
        .map(|f| match type_of(&cols, f) {
            Some(t) if is_list(&t) => SplFn::text(col(f)),
            _ => col(f),
        })
        .collect();
    let rank = row_number()
        .partition_by(keys)
        .order_by(vec![seq.sort(true, false)])
        .build()?
        .alias("_splc_rank");
    let kept = frame
        .filter(present)?
        .window(vec![rank])?
        .filter(col("_splc_rank").lt_eq(lit(count.max(1))))?;
    let outputs = same(&kept);
    project(kept, outputs)
}

/// `| sort [N] [+|-]f, ...`: a stable sort (numbers before text before missing, each key
/// ascending or descending, equal rows in their order), cut to N rows; its order is the
/// rows' order from here on.
pub(crate) fn sort(
    frame: DataFrame,
    limit: Option<u64>,
    keys: &[SortKey],
) -> Result<DataFrame, Error> {
    let seq = seq_or_refuse(&frame, "sort")?;
    let cols = columns(&frame);
    let mut order: Vec<SortExpr> = Vec::new();
    for key in keys {
        let asc = !key.descending;
        if type_of(&cols, &key.field).is_none() {
            // Missing in every row: all equal.
            continue;
        }
        for k in SplFn::sort_keys(col(&key.field)) {
            order.push(k.sort(asc, false));
        }
    }
    order.push(seq.sort(true, false));
    let mut sorted = frame.sort(order.clone())?;
    if let Some(n) = limit {
        sorted = sorted.limit(0, Some(usize::try_from(n).unwrap_or(usize::MAX)))?;
    }
    let mut outputs = same(&sorted);
    outputs.push((SEQ.to_owned(), row_number().order_by(order).build()?));
    project(sorted, outputs)
}

/// The rows in their order (the events', or the one `stats` or `sort` gave), without
/// the order column: what the evaluator's pipeline hands out, in its order.
pub(crate) fn in_order(frame: DataFrame) -> Result<DataFrame, Error> {
    if !has_seq(&frame) {
        return Ok(frame);
    }
    let sorted = frame.sort(vec![col(SEQ).sort(true, false)])?;
    let outputs: Vec<Expr> = columns(&sorted)
        .into_iter()
        .map(|(name, _)| col(&name))
        .collect();
    if outputs.is_empty() {
        return Ok(sorted.select(vec![null().alias("_splc_empty")])?);
    }
    Ok(sorted.select(outputs)?)
}
