//! Scalar UDFs that compute values of the commands after the search: `eval` and `where`
//! by the evaluator's own expression interpreter, `rex` by spl-runtime's `Regex`, `bin` by
//! spl-runtime's `Bin`, and small helpers of the column model (`coalesce` across `Utf8`
//! and `List<Utf8>`, the distinct values of a `stats` BY field, a value read as a number
//! for `stats`' order of groups, `sort`'s keys, `dedup`'s key).
//!
//! Each UDF is built once per plan and holds what it runs (the interpreted expression, the
//! compiled regex); its name holds what it computes, so that plans show it and equality
//! and hashing go by it. The values of a row are read from the columns as the column model
//! stores them (a null is a missing field, a list a multivalue, `_time` a number).

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{ArrayRef, BooleanArray, Float64Array, UInt8Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use spl_engine::EvalRule;
use spl_ir::{Assignment, Pred, Program, Stage};
use spl_runtime::pipeline::Bin;
use spl_runtime::regex::Regex;
use spl_runtime::rule::{Rule, RuleInfo};
use spl_runtime::value::{format_number, parse_number};
use spl_runtime::{Event, FieldId, Record, Value};

use crate::columns::{column_values, set_value, values_array};

/// What a [`SplFn`] computes.
enum Kind {
    /// One `eval` assignment, run by the evaluator over a row of the input columns; the
    /// value of `output` afterwards.
    Eval {
        rule: Mutex<EvalRule>,
        inputs: Vec<FieldId>,
        output: FieldId,
    },
    /// A `where` condition, run by the evaluator: true when it keeps the row.
    Where {
        rule: Mutex<EvalRule>,
        inputs: Vec<FieldId>,
    },
    /// One named group of `rex`: what it extracts from the first value of the source
    /// (null when it captures nothing).
    Rex {
        regex: Regex,
        group: String,
        max_match: usize,
    },
    /// `bin`: the bin of a number; any other value as it is.
    Bin(Bin),
    /// The first argument that is not null.
    Coalesce,
    /// The distinct values of a field, in order (a `stats` BY field).
    Distinct,
    /// The value as a number, when it reads as one (`stats`' order of groups).
    Number,
    /// The value as text, multivalues joined by newlines (`dedup`'s key).
    Text,
    /// `sort`'s class of a value: 0 a number, 1 text, 2 missing.
    SortClass,
    /// `sort`'s number of a value (its first value, trimmed, read by Rust's `f64` syntax).
    SortNumber,
    /// The first value (`sort` compares text by it).
    First,
}

/// A scalar UDF of the column model (see the module documentation).
pub(crate) struct SplFn {
    /// The name shown in plans: the function and what it computes.
    full: String,
    kind: Kind,
    output: DataType,
    signature: Signature,
}

/// A rule whose only command is `stage`, for the evaluator to run it on one row.
fn one_stage_rule(stage: Stage) -> Mutex<EvalRule> {
    let info = RuleInfo {
        name: Cow::Borrowed(""),
        id: Cow::Borrowed(""),
        title: Cow::Borrowed(""),
        technique_ids: Cow::Borrowed(&[]),
        spl: Cow::Borrowed(""),
    };
    let program = Program::new(Pred::constant(true), vec![stage]);
    Mutex::new(EvalRule::new(info, &program))
}

impl SplFn {
    fn call(name: &str, label: String, kind: Kind, output: DataType, args: Vec<Expr>) -> Expr {
        let full = if label.is_empty() {
            name.to_owned()
        } else {
            format!("{name}[{label}]")
        };
        let udf = SplFn {
            full,
            kind,
            output,
            signature: Signature::variadic_any(Volatility::Immutable),
        };
        ScalarUDF::new_from_impl(udf).call(args)
    }

    /// `eval output = expr` over the columns `inputs` (the fields the expression reads,
    /// `args` their columns), as a `List<Utf8>` column (an eval result may be a
    /// multivalue).
    pub(crate) fn eval(
        label: String,
        output: &str,
        expr: spl_ir::Expr,
        inputs: &[String],
        args: Vec<Expr>,
    ) -> Expr {
        let rule = one_stage_rule(Stage::Eval(vec![Assignment::new(output, expr)]));
        let kind = Kind::Eval {
            rule,
            inputs: inputs.iter().map(|f| FieldId::intern(f)).collect(),
            output: FieldId::intern(output),
        };
        SplFn::call("spl_eval", label, kind, crate::columns::multi_type(), args)
    }

    /// `where cond` over the columns `inputs`: true when the row is kept.
    pub(crate) fn where_(
        label: String,
        cond: spl_ir::Expr,
        inputs: &[String],
        args: Vec<Expr>,
    ) -> Expr {
        let rule = one_stage_rule(Stage::Where(cond));
        let kind = Kind::Where {
            rule,
            inputs: inputs.iter().map(|f| FieldId::intern(f)).collect(),
        };
        SplFn::call("spl_where", label, kind, DataType::Boolean, args)
    }

    /// The named group `group` of `rex`'s `regex` over the source column: `Utf8` when one
    /// match is taken, else `List<Utf8>`.
    pub(crate) fn rex(
        label: String,
        regex: Regex,
        group: &str,
        max_match: u64,
        source: Expr,
    ) -> Expr {
        let output = if max_match == 1 {
            crate::columns::single_type()
        } else {
            crate::columns::multi_type()
        };
        let kind = Kind::Rex {
            regex,
            group: group.to_owned(),
            max_match: usize::try_from(max_match).unwrap_or(usize::MAX),
        };
        SplFn::call("spl_rex", label, kind, output, vec![source])
    }

    /// `bin` of a column of type `output`.
    pub(crate) fn bin(label: String, bin: Bin, column: Expr, output: DataType) -> Expr {
        SplFn::call("spl_bin", label, Kind::Bin(bin), output, vec![column])
    }

    /// The first of `args` that is not null, as `output` (`Utf8`, or `List<Utf8>` when an
    /// argument is a list).
    pub(crate) fn coalesce(args: Vec<Expr>, output: DataType) -> Expr {
        SplFn::call("spl_coalesce", String::new(), Kind::Coalesce, output, args)
    }

    /// The distinct values of a list column, in order.
    pub(crate) fn distinct(column: Expr) -> Expr {
        let output = crate::columns::multi_type();
        SplFn::call(
            "spl_distinct",
            String::new(),
            Kind::Distinct,
            output,
            vec![column],
        )
    }

    /// The value of a string column as a number, null when it is not one.
    pub(crate) fn number(column: Expr) -> Expr {
        SplFn::call(
            "spl_number",
            String::new(),
            Kind::Number,
            DataType::Float64,
            vec![column],
        )
    }

    /// The value of a column as text, multivalues joined by newlines.
    pub(crate) fn text(column: Expr) -> Expr {
        SplFn::call(
            "spl_text",
            String::new(),
            Kind::Text,
            DataType::Utf8,
            vec![column],
        )
    }

    /// The three keys `sort` orders a field by: its class (a number, text, missing), its
    /// number, its first value.
    pub(crate) fn sort_keys(column: Expr) -> [Expr; 3] {
        [
            SplFn::call(
                "spl_sort_class",
                String::new(),
                Kind::SortClass,
                DataType::UInt8,
                vec![column.clone()],
            ),
            SplFn::call(
                "spl_sort_number",
                String::new(),
                Kind::SortNumber,
                DataType::Float64,
                vec![column.clone()],
            ),
            SplFn::call(
                "spl_first",
                String::new(),
                Kind::First,
                DataType::Utf8,
                vec![column],
            ),
        ]
    }

    /// The values of each argument, row by row.
    fn args(&self, args: &ScalarFunctionArgs) -> Result<Vec<Vec<Option<Value>>>> {
        args.args
            .iter()
            .map(|arg| {
                let column = arg.to_array(args.number_rows)?;
                column_values(&self.full, &column).map_err(|e| {
                    datafusion::error::DataFusionError::Execution(format!("{}: {e}", self.full))
                })
            })
            .collect()
    }

    /// Run a one-stage rule over each row; `read` makes the answer from the rows it gives.
    fn run_rule<T>(
        &self,
        rule: &Mutex<EvalRule>,
        inputs: &[FieldId],
        values: Vec<Vec<Option<Value>>>,
        rows: usize,
        mut read: impl FnMut(&mut Vec<Record>) -> T,
    ) -> Result<Vec<T>> {
        let Ok(mut rule) = rule.lock() else {
            return exec_err!("{}: the evaluator failed before", self.full);
        };
        let mut columns: Vec<_> = values.into_iter().map(Vec::into_iter).collect();
        let mut out = Vec::with_capacity(1);
        let mut answers = Vec::with_capacity(rows);
        for _ in 0..rows {
            let mut record = Record::with_capacity(inputs.len());
            for (id, column) in inputs.iter().zip(columns.iter_mut()) {
                if let Some(Some(v)) = column.next() {
                    set_value(&mut record, *id, v);
                }
            }
            rule.process(record, &mut out);
            answers.push(read(&mut out));
            out.clear();
        }
        Ok(answers)
    }

    fn evaluate(&self, args: &ScalarFunctionArgs) -> Result<ArrayRef> {
        let rows = args.number_rows;
        let values = self.args(args)?;
        let built = match &self.kind {
            Kind::Eval {
                rule,
                inputs,
                output,
            } => {
                let results = self.run_rule(rule, inputs, values, rows, |out| {
                    out.pop().and_then(|row| match row.get(*output) {
                        // `_time` is kept as a number: its text is splc's.
                        Some(Value::Num(n)) => Some(Value::Str(format_number(*n))),
                        other => other.cloned(),
                    })
                })?;
                values_array(results, &self.output)
            }
            Kind::Where { rule, inputs } => {
                let kept = self.run_rule(rule, inputs, values, rows, |out| !out.is_empty())?;
                return Ok(Arc::new(BooleanArray::from(kept)));
            }
            Kind::Rex {
                regex,
                group,
                max_match,
            } => {
                let source = values.into_iter().next().unwrap_or_default();
                let results = source.into_iter().map(|value| {
                    let text = value?.first_str().into_owned();
                    regex
                        .extract_named(&text, *max_match)
                        .into_iter()
                        .find(|(name, _)| name == group)
                        .and_then(|(_, found)| {
                            Value::from_strings(found.into_iter().map(str::to_owned).collect())
                        })
                });
                values_array(results, &self.output)
            }
            Kind::Bin(bin) => {
                let column = values.into_iter().next().unwrap_or_default();
                let results = column.into_iter().map(|value| {
                    let number = match &value {
                        Some(v @ Value::Str(_)) => v.first_str().trim().parse::<f64>().ok(),
                        Some(Value::Num(n)) => Some(*n),
                        _ => None,
                    };
                    match number.filter(|n| n.is_finite()) {
                        Some(n) => Some(Value::Str(format_number(bin.floor(n)))),
                        None => value,
                    }
                });
                values_array(results, &self.output)
            }
            Kind::Coalesce => {
                let mut columns: Vec<_> = values.into_iter().map(Vec::into_iter).collect();
                let results = (0..rows).map(|_| {
                    let mut first = None;
                    for column in &mut columns {
                        let v = column.next().flatten();
                        if first.is_none() {
                            first = v;
                        }
                    }
                    first
                });
                values_array(results.collect::<Vec<_>>(), &self.output)
            }
            Kind::Distinct => {
                let column = values.into_iter().next().unwrap_or_default();
                let results = column.into_iter().map(|value| {
                    let mut seen: Vec<String> = Vec::new();
                    for s in value?.iter_str() {
                        if !seen.iter().any(|x| *x == s) {
                            seen.push(s.into_owned());
                        }
                    }
                    Value::from_strings(seen).map(|v| match v {
                        Value::Str(s) => Value::Multi(vec![s]),
                        other => other,
                    })
                });
                values_array(results, &self.output)
            }
            Kind::Text => {
                let column = values.into_iter().next().unwrap_or_default();
                let results = column
                    .into_iter()
                    .map(|v| v.map(|v| Value::Str(v.to_string())));
                values_array(results, &self.output)
            }
            Kind::SortClass => {
                let column = values.into_iter().next().unwrap_or_default();
                let classes: UInt8Array = column
                    .into_iter()
                    .map(|v| {
                        Some(match v {
                            None => 2,
                            Some(v) if sort_number(&v).is_some() => 0,
                            Some(_) => 1,
                        })
                    })
                    .collect();
                return Ok(Arc::new(classes));
            }
            Kind::SortNumber => {
                let column = values.into_iter().next().unwrap_or_default();
                let numbers: Float64Array = column
                    .into_iter()
                    .map(|v| v.and_then(|v| sort_number(&v)))
                    .collect();
                return Ok(Arc::new(numbers));
            }
            Kind::First => {
                let column = values.into_iter().next().unwrap_or_default();
                let results = column
                    .into_iter()
                    .map(|v| v.map(|v| Value::Str(v.first_str().into_owned())));
                values_array(results, &self.output)
            }
            Kind::Number => {
                let column = values.into_iter().next().unwrap_or_default();
                let numbers: Float64Array = column
                    .into_iter()
                    .map(|v| v.and_then(|v| parse_number(&v.first_str())))
                    .collect();
                return Ok(Arc::new(numbers));
            }
        };
        built.map_err(|e| {
            datafusion::error::DataFusionError::Execution(format!("{}: {e}", self.full))
        })
    }
}

/// A value as `sort` reads a number: its first value, trimmed, by Rust's `f64` syntax,
/// not NaN (`spl_runtime::pipeline::compare_values`).
fn sort_number(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(*n),
        other => other.first_str().trim().parse::<f64>().ok(),
    }
    .filter(|n| !n.is_nan())
}

impl fmt::Debug for SplFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplFn")
            .field("name", &self.full)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SplFn {
    fn eq(&self, other: &Self) -> bool {
        self.full == other.full && self.output == other.output
    }
}

impl Eq for SplFn {}

impl Hash for SplFn {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.full.hash(state);
    }
}

impl ScalarUDFImpl for SplFn {
    fn name(&self) -> &str {
        &self.full
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Array(self.evaluate(&args)?))
    }
}
