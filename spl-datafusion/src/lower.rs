//! The IR to DataFusion: the search predicate as a filter expression, a program as a
//! logical plan over a table of events (see [`crate::columns`] for the column model), its
//! commands as plan nodes (`crate::commands`).
//!
//! Plain expressions wherever they are exactly the search's meaning, so that DataFusion
//! can push them into scans (Parquet row-group pruning, page indexes, row filters):
//!
//! | atom | expression |
//! |---|---|
//! | `f=v`, `v` without ASCII letters, `*` or CIDR, `f` a string column | `f = 'v'` |
//! | `f!=v`, the same `v` | `f != 'v'` |
//! | `f IN (...)`, those values of the list | `f IN ('v1', ...)` |
//! | `f=*` | `f IS NOT NULL` |
//! | `f!=*` | `false` |
//! | `f` has no column | `false` (a missing field matches no comparison) |
//! | the rest | [`crate::udf`]: `spl_field(f)`, `spl_search(_raw)` |
//!
//! A value without ASCII letters compares the same with or without ASCII case folding, so
//! `=` on it is byte equality. Negation sits on atoms only (the IR is in negation normal
//! form); a null of SQL's three-valued logic means a missing field, which is false for
//! every atom, so an atom `a` is `a` under `AND`/`OR` (a null there acts as false) and its
//! negation is `a IS NOT TRUE`.

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::logical_expr::{ident, lit, Expr};
use datafusion::prelude::DataFrame;
use spl_ir::{Atom, AtomKind, CmpOp, Pred, PredKind, Program, RegexStage, Stage};
use spl_runtime::cidr::Cidr;
use spl_runtime::compare::FieldMatcher;
use spl_runtime::regex::Regex;
use spl_runtime::search::{CaseTerm, Term, TermExact};

use crate::commands;
use crate::udf::{RawMatcher, SplMatch};
use crate::Error;

/// Why a program cannot become a DataFusion plan (yet).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// A command after the search that this back end does not run.
    #[error("`{command}` is not supported by the DataFusion back end")]
    Command {
        /// The command's name, as written in SPL.
        command: &'static str,
    },
    /// A form of a command that this back end does not run (the command's other forms it
    /// does).
    #[error("`{command}` with {form} is not supported by the DataFusion back end")]
    Form {
        /// The command's name, as written in SPL.
        command: &'static str,
        /// What about it is not supported.
        form: String,
    },
}

/// How a field is stored in a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// A string column: one value per event.
    Single,
    /// A list column (or another type the UDF reads: it says what it cannot).
    Multi,
}

/// The shape of `field`'s column in `schema`, or `None` when the table has no such column.
fn shape(schema: &Schema, field: &str) -> Option<Shape> {
    let f = schema.field_with_name(field).ok()?;
    Some(match f.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Shape::Single,
        _ => Shape::Multi,
    })
}

/// The search predicate as a DataFusion boolean expression over a table of `schema`:
/// true exactly for the events the evaluator's filter passes.
pub fn filter_expr(pred: &Pred, schema: &Schema) -> Expr {
    match pred.kind() {
        PredKind::True => lit(true),
        PredKind::False => lit(false),
        PredKind::And(items) => join(items, schema, true),
        PredKind::Or(items) => join(items, schema, false),
        PredKind::Atom(a) => atom(a, schema),
        PredKind::Not(a) => Expr::IsNotTrue(Box::new(atom(a, schema))),
    }
}

/// `AND` (`conjunction`) or `OR` of the items; the IR gives at least two.
fn join(items: &[Pred], schema: &Schema, conjunction: bool) -> Expr {
    let exprs = items.iter().map(|p| filter_expr(p, schema));
    let joined = if conjunction {
        exprs.reduce(Expr::and)
    } else {
        exprs.reduce(Expr::or)
    };
    joined.unwrap_or_else(|| lit(conjunction))
}

/// One atom: true when it holds, false or null when not.
fn atom(atom: &Atom, schema: &Schema) -> Expr {
    let label = atom_text(&atom.kind);
    match &atom.kind {
        AtomKind::Term(t) | AtomKind::Phrase(t) => {
            raw(label, RawMatcher::Term(Term::new(t)), schema)
        }
        AtomKind::TermExact(t) => raw(label, RawMatcher::Exact(TermExact::new(t)), schema),
        AtomKind::CaseTerm(t) => raw(label, RawMatcher::Case(CaseTerm::new(t)), schema),
        AtomKind::Compare { field, op, value } => match shape(schema, field) {
            None => lit(false),
            Some(Shape::Single) => match plain_compare(field, *op, value) {
                Some(e) => e,
                None => SplMatch::field(label, FieldMatcher::new(*op, value), ident(field)),
            },
            Some(Shape::Multi) => {
                SplMatch::field(label, FieldMatcher::new(*op, value), ident(field))
            }
        },
        AtomKind::In { field, values } => match shape(schema, field) {
            None => lit(false),
            Some(Shape::Single) => {
                let (plain, rest): (Vec<&String>, Vec<&String>) =
                    values.iter().partition(|v| is_plain_value(v));
                let mut parts = Vec::new();
                if !plain.is_empty() {
                    let list = plain.iter().map(|v| lit(v.as_str())).collect();
                    parts.push(ident(field).in_list(list, false));
                }
                if !rest.is_empty() {
                    let matcher = FieldMatcher::in_list(rest.iter().map(|v| v.as_str()));
                    parts.push(SplMatch::field(label, matcher, ident(field)));
                }
                parts
                    .into_iter()
                    .reduce(Expr::or)
                    .unwrap_or_else(|| lit(false))
            }
            Some(Shape::Multi) => SplMatch::field(
                label,
                FieldMatcher::in_list(values.iter().map(String::as_str)),
                ident(field),
            ),
        },
    }
}

/// A search in `_raw`; without a `_raw` column every event's `_raw` is empty, and the
/// answer is known now.
fn raw(label: String, matcher: RawMatcher, schema: &Schema) -> Expr {
    if shape(schema, "_raw").is_none() {
        return lit(matcher.is_match(""));
    }
    SplMatch::raw(label, matcher, ident("_raw"))
}

/// Whether `=` with `value` is byte equality: no wildcard, not a subnet, no ASCII letter
/// (so that folding ASCII case changes nothing).
fn is_plain_value(value: &str) -> bool {
    let wildcard = value.contains('*');
    let subnet = value.contains('/') && Cidr::parse(value).is_some();
    let letter = value.bytes().any(|b| b.is_ascii_alphabetic());
    !(wildcard || subnet || letter)
}

/// `field op value` as a plain expression over a string column, when there is an exact
/// one.
fn plain_compare(field: &str, op: CmpOp, value: &str) -> Option<Expr> {
    let star = !value.is_empty() && value.bytes().all(|b| b == b'*');
    match op {
        CmpOp::Eq if star => Some(ident(field).is_not_null()),
        CmpOp::Ne if star => Some(lit(false)),
        CmpOp::Eq if is_plain_value(value) => Some(ident(field).eq(lit(value))),
        CmpOp::Ne if is_plain_value(value) => Some(ident(field).not_eq(lit(value))),
        _ => None,
    }
}

/// The atom as text, for the UDF's name: what it tests, unambiguously (literals quoted,
/// so that no two different atoms share a name).
fn atom_text(kind: &AtomKind) -> String {
    match kind {
        AtomKind::Term(t) => format!("term {t:?}"),
        AtomKind::Phrase(t) => format!("phrase {t:?}"),
        AtomKind::TermExact(t) => format!("TERM({t:?})"),
        AtomKind::CaseTerm(t) => format!("CASE({t:?})"),
        AtomKind::Compare { field, op, value } => format!("{field:?}{}{value:?}", op.as_str()),
        AtomKind::In { field, values } => format!("{field:?} IN {values:?}"),
    }
}

/// A program as a DataFusion plan over `table` (a table of events in the column model):
/// the search filter, then each command in turn: `| search`, `| regex` and `| where` as
/// further filters, `eval`, `rex`, `table`, `fields`, `rename` and `bin` as projections,
/// `stats` as an aggregation and a sort, `sort`, `dedup` and `head` over the rows' order;
/// last, the rows in the evaluator's order (see `docs/semantics.md`, "DataFusion back
/// end"). Any other command is [`LowerError::Command`], naming the first of them.
pub fn program_frame(program: &Program, table: DataFrame) -> Result<DataFrame, Error> {
    let expr = filter_expr(program.filter(), table.schema().as_arrow());
    stages_frame(program, table.filter(expr)?)
}

/// The commands of `program` over `frame`, the events its search filter passed, then the
/// rows in the evaluator's order: [`program_frame`] after its filter.
pub(crate) fn stages_frame(program: &Program, mut frame: DataFrame) -> Result<DataFrame, Error> {
    for stage in program.stages() {
        frame = stage_frame(stage, frame)?;
    }
    commands::in_order(frame)
}

/// One command after the search, over `frame`.
fn stage_frame(stage: &Stage, frame: DataFrame) -> Result<DataFrame, Error> {
    let schema = frame.schema().as_arrow().clone();
    match stage {
        Stage::Search(pred) => Ok(frame.filter(filter_expr(pred, &schema))?),
        Stage::Regex(r) => Ok(frame.filter(regex_filter(r, &schema))?),
        Stage::Where(cond) => commands::where_(frame, cond),
        Stage::Eval(assigns) => commands::eval(frame, assigns),
        Stage::Rex(r) => commands::rex(frame, r),
        Stage::Table(patterns) => commands::table(frame, patterns),
        Stage::Fields { remove, patterns } => commands::fields(frame, *remove, patterns),
        Stage::Rename(pairs) => commands::rename(frame, pairs),
        Stage::Bin(b) => commands::bin(frame, b),
        Stage::Stats(s) if s.kind == spl_ir::StatsKind::Stats => commands::stats(frame, s),
        Stage::Stats(s) => commands::window_stats(frame, s),
        Stage::Sort { limit, keys } => commands::sort(frame, *limit, keys),
        Stage::Dedup { count, fields } => commands::dedup(frame, *count, fields),
        Stage::Head(n) => commands::head(frame, *n),
        other => Err(LowerError::Command {
            command: other.command(),
        }
        .into()),
    }
}

/// `| regex f="..."` (`f!="..."` negated): a missing field matches no pattern, so it is
/// dropped, or kept when negated.
fn regex_filter(stage: &RegexStage, schema: &Schema) -> Expr {
    let op = if stage.negated { "!=" } else { "=" };
    let label = format!("{:?}{op}{:?}", stage.field, stage.regex.source);
    let matched = match shape(schema, &stage.field) {
        None => lit(false),
        Some(_) => SplMatch::regex(
            label,
            Regex::checked(&stage.regex.translated),
            ident(&stage.field),
        ),
    };
    if stage.negated {
        Expr::IsNotTrue(Box::new(matched))
    } else {
        matched
    }
}
