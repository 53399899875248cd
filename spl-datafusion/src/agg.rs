//! `stats` aggregations as one aggregate UDF, `spl_stats[...]`, over spl-runtime's own
//! [`Accumulator`] (the one the evaluator and generated code feed), so that every
//! aggregation function means what it means there: numbers read by splc's number syntax,
//! `values` sorted by bytes, `min`/`max` numeric only when every value is a number, results
//! printed as splc prints numbers.
//!
//! Arguments: the `_time` column (or a null literal when the table has none), the events'
//! order ([`crate::columns::SEQ`], or a null literal), then the value columns. Each row feeds the accumulator once per value column that is not null
//! (several columns for `values(*) as x`, which gathers every field into one output), in
//! column order, with the row's time; without value columns (`count`) each row feeds the
//! value every row has.
//!
//! DataFusion aggregates in two phases (per partition, then merged), and the accumulator
//! has no merge of its own: the state between the phases is what was fed (the texts of
//! each value, how many there were, the time, the row's place in the events' order), fed
//! again in the final phase in the events' order. So the functions that look at the order
//! of the rows (`list`, `first`, `last`, `mode` between values of the same count, which of
//! two rows of the same `_time` is `earliest`/`latest`) see the evaluator's order; over a
//! table without the order column they see the order DataFusion hands the rows over.

use std::collections::VecDeque;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Builder, ListBuilder, StringBuilder, UInt32Builder,
    UInt64Builder,
};
use datafusion::arrow::datatypes::{
    DataType, Field, FieldRef, Float64Type, UInt32Type, UInt64Type,
};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator as DfAccumulator, AggregateUDF, AggregateUDFImpl};
use datafusion::logical_expr::{Expr, Signature, Volatility};
use spl_ir::AggFunc;
use spl_runtime::aggregate::{Accumulator, PRESENT};
use spl_runtime::value::parse_number;
use spl_runtime::Value;

use crate::columns::{column_values, strings};

/// One aggregation of `stats` (see the module documentation).
pub(crate) struct SplStats {
    full: String,
    func: AggFunc,
    percentile: f64,
    /// How many value columns follow `_time`; 0 for `count`.
    inputs: usize,
    /// A wildcard aggregation (`values(*) as *`): no result for a group where none of its
    /// fields has a value, as the evaluator makes no accumulator for a field it never met.
    dynamic: bool,
    output: DataType,
    signature: Signature,
}

impl SplStats {
    /// The function computing `func` over `values` (the value columns), with `time`
    /// (`_time`, or a null literal) and `seq` (the events' order, or a null literal), and
    /// its arguments: to call as an aggregate (`stats`) or over a window (`eventstats`,
    /// `streamstats`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn udaf(
        label: String,
        func: AggFunc,
        percentile: f64,
        dynamic: bool,
        time: Expr,
        seq: Expr,
        values: Vec<Expr>,
    ) -> (AggregateUDF, Vec<Expr>) {
        let output = if matches!(
            func,
            AggFunc::Values | AggFunc::List | AggFunc::Earliest | AggFunc::Latest
        ) {
            crate::columns::multi_type()
        } else {
            crate::columns::single_type()
        };
        let udaf = SplStats {
            full: format!("spl_stats[{label}]"),
            func,
            percentile,
            inputs: values.len(),
            dynamic,
            output,
            signature: Signature::variadic_any(Volatility::Immutable),
        };
        let mut args = vec![time, seq];
        args.extend(values);
        (AggregateUDF::new_from_impl(udaf), args)
    }
}

impl fmt::Debug for SplStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplStats")
            .field("name", &self.full)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SplStats {
    fn eq(&self, other: &Self) -> bool {
        self.full == other.full
            && self.inputs == other.inputs
            && self.dynamic == other.dynamic
            && self.output == other.output
    }
}

impl Eq for SplStats {}

impl Hash for SplStats {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.full.hash(state);
    }
}

/// A list of non-null items of `item`.
fn list_of(item: DataType, nullable_items: bool) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, nullable_items)))
}

impl AggregateUDFImpl for SplStats {
    fn name(&self) -> &str {
        &self.full
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn DfAccumulator>> {
        Ok(Box::new(Fed {
            func: self.func,
            percentile: self.percentile,
            inputs: self.inputs,
            dynamic: self.dynamic,
            output: self.output.clone(),
            texts: Vec::new(),
            counts: Vec::new(),
            times: Vec::new(),
            seqs: Vec::new(),
            fed_by_row: VecDeque::new(),
            name: self.full.clone(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let field = |suffix: &str, data_type: DataType| {
            Arc::new(Field::new(
                format!("{}[{suffix}]", args.name),
                data_type,
                true,
            ))
        };
        Ok(vec![
            field("texts", list_of(DataType::Utf8, false)),
            field("counts", list_of(DataType::UInt32, false)),
            field("times", list_of(DataType::Float64, true)),
            field("seqs", list_of(DataType::UInt64, true)),
        ])
    }
}

/// What an aggregation was fed: each value's texts (`counts` of them per value, in
/// order) and its row's time.
#[derive(Debug)]
struct Fed {
    func: AggFunc,
    percentile: f64,
    inputs: usize,
    dynamic: bool,
    output: DataType,
    texts: Vec<String>,
    counts: Vec<u32>,
    times: Vec<Option<f64>>,
    seqs: Vec<Option<u64>>,
    /// How many values each row given to `update_batch` fed, oldest first: what leaves
    /// when a window's frame moves past rows (`retract_batch`).
    fed_by_row: VecDeque<usize>,
    name: String,
}

impl Fed {
    fn feed(&mut self, value: &Value, time: Option<f64>, seq: Option<u64>) {
        let before = self.texts.len();
        self.texts.extend(value.iter_str().map(|s| s.into_owned()));
        let n = self.texts.len() - before;
        self.counts.push(u32::try_from(n).unwrap_or(u32::MAX));
        self.times.push(time);
        self.seqs.push(seq);
    }

    /// The value a row fed, back from its texts.
    fn value(texts: &[String]) -> Value {
        match texts {
            [one] => Value::Str(one.clone()),
            many => Value::Multi(many.to_vec()),
        }
    }
}

/// The positions of the events' order column (a null literal gives none).
fn seqs(column: &ArrayRef) -> Vec<Option<u64>> {
    match column.data_type() {
        DataType::UInt64 => column.as_primitive::<UInt64Type>().iter().collect(),
        _ => vec![None; column.len()],
    }
}

/// The times of a `_time` column (a null literal gives none).
fn times(column: &ArrayRef) -> Result<Vec<Option<f64>>> {
    if column.data_type() == &DataType::Null {
        return Ok(vec![None; column.len()]);
    }
    match column_values("_time", column) {
        Ok(values) => Ok(values
            .into_iter()
            .map(|v| v.and_then(|v| parse_number(&v.first_str())))
            .collect()),
        Err(e) => exec_err!("_time: {e}"),
    }
}

impl DfAccumulator for Fed {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [time, seq, columns @ ..] = values else {
            return exec_err!("{}: {} arguments", self.name, values.len());
        };
        let times = times(time)?;
        let seqs = seqs(seq);
        if self.inputs == 0 {
            for (t, q) in times.into_iter().zip(seqs) {
                self.feed(&PRESENT, t, q);
                self.fed_by_row.push_back(1);
            }
            return Ok(());
        }
        let mut columns_values = Vec::with_capacity(columns.len());
        for column in columns {
            match column_values(&self.name, column) {
                Ok(v) => columns_values.push(v),
                Err(e) => return exec_err!("{}: {e}", self.name),
            }
        }
        for (row, (t, q)) in times.into_iter().zip(seqs).enumerate() {
            let mut fed = 0;
            for column in &columns_values {
                if let Some(Some(v)) = column.get(row) {
                    self.feed(v, t, q);
                    fed += 1;
                }
            }
            self.fed_by_row.push_back(fed);
        }
        Ok(())
    }

    /// A window's frame moved past its oldest rows (`values` holds as many rows as
    /// leave): what they fed goes.
    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |a| a.len());
        if rows > self.fed_by_row.len() {
            return exec_err!("{}: {rows} rows leave a frame of fewer", self.name);
        }
        let fed: usize = self.fed_by_row.drain(..rows).sum();
        let Some(counts) = self.counts.get(..fed) else {
            return exec_err!("{}: a broken state", self.name);
        };
        let texts: usize = counts.iter().map(|&c| c as usize).sum();
        self.texts.drain(..texts);
        self.counts.drain(..fed);
        self.times.drain(..fed);
        self.seqs.drain(..fed);
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut acc = Accumulator::with_percentile(self.func, self.percentile);
        // Each value's texts, then the values in the events' order (a stable sort keeps
        // the columns of one row in order).
        let mut spans = Vec::with_capacity(self.counts.len());
        let mut at = 0;
        for count in &self.counts {
            let end = at + *count as usize;
            spans.push(at..end);
            at = end;
        }
        let mut order: Vec<usize> = (0..spans.len()).collect();
        order.sort_by_key(|&i| {
            (
                self.seqs.get(i).copied().flatten().is_none(),
                self.seqs.get(i),
            )
        });
        for i in order {
            let Some(texts) = self.texts.get(spans[i].clone()) else {
                return exec_err!("{}: a broken state", self.name);
            };
            let value = if self.inputs == 0 {
                PRESENT
            } else {
                Fed::value(texts)
            };
            acc.update_at(Some(&value), self.times.get(i).copied().flatten());
        }
        let result = if self.dynamic && self.counts.is_empty() {
            None
        } else {
            acc.take()
        };
        let array = crate::columns::values_array([result], &self.output)
            .map_err(|e| datafusion::error::DataFusionError::Execution(e.to_string()))?;
        ScalarValue::try_from_array(&array, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.texts.iter().map(|s| s.capacity() + 24).sum::<usize>()
            + self.counts.capacity() * 4
            + self.times.capacity() * 16
            + self.seqs.capacity() * 16
            + self.fed_by_row.capacity() * 8
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut texts = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            false,
        )));
        for t in &self.texts {
            texts.values().append_value(t);
        }
        texts.append(true);
        let mut counts = ListBuilder::new(UInt32Builder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::UInt32,
            false,
        )));
        for c in &self.counts {
            counts.values().append_value(*c);
        }
        counts.append(true);
        let mut times = ListBuilder::new(Float64Builder::new());
        for t in &self.times {
            times.values().append_option(*t);
        }
        times.append(true);
        let mut seqs = ListBuilder::new(UInt64Builder::new());
        for q in &self.seqs {
            seqs.values().append_option(*q);
        }
        seqs.append(true);
        Ok(vec![
            ScalarValue::List(Arc::new(texts.finish())),
            ScalarValue::List(Arc::new(counts.finish())),
            ScalarValue::List(Arc::new(times.finish())),
            ScalarValue::List(Arc::new(seqs.finish())),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [texts, counts, times, seqs] = states else {
            return exec_err!("{}: a state of {} columns", self.name, states.len());
        };
        let (texts, counts, times, seqs) = (
            texts.as_list::<i32>(),
            counts.as_list::<i32>(),
            times.as_list::<i32>(),
            seqs.as_list::<i32>(),
        );
        for row in 0..texts.len() {
            if texts.is_null(row) {
                continue;
            }
            let t = texts.value(row);
            let Some(t) = strings(t.as_ref()) else {
                return exec_err!("{}: a state of texts that are not text", self.name);
            };
            self.texts
                .extend(t.into_iter().map(|s| s.unwrap_or_default().to_owned()));
            let c = counts.value(row);
            self.counts.extend(
                c.as_primitive::<UInt32Type>()
                    .iter()
                    .map(|c| c.unwrap_or(0)),
            );
            let ts = times.value(row);
            self.times.extend(ts.as_primitive::<Float64Type>().iter());
            let qs = seqs.value(row);
            self.seqs.extend(qs.as_primitive::<UInt64Type>().iter());
        }
        Ok(())
    }
}
