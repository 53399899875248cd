//! The column model: events as Arrow record batches, and result rows back as records.
//!
//! A table of events has one column per field, named exactly as splc's readers name the
//! field (`Image`, `a.b`, `target{}.type`, `_raw`, `_time`), all nullable:
//!
//! - a field that has one value in every event that has it is a `Utf8` column;
//! - a field that is multivalued in some event is a `List<Utf8>` column (non-null
//!   items), where an event with one value holds a list of one: the search treats a single
//!   value and a list of one alike;
//! - a missing field is null (never an empty string, never an empty list: an empty
//!   multivalue is a missing field in splc);
//! - `_time` is a `Utf8` column holding the time as splc prints a number (epoch seconds,
//!   `1700000000` or `1700000000.5`): a search compares `_time` as text or as a number
//!   read from that text, so the text is all it needs, and the column model has one type.
//!
//! Numbers in events (only `_time` from the readers) are written as text the same way.
//! The columns come in the order the fields were first met, and then [`SEQ`], the
//! events' order.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, ListBuilder, RecordBatch, StringBuilder, UInt64Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use spl_runtime::value::format_number;
use spl_runtime::{Record, Value};

use crate::Error;

/// The column that holds each event's position in its input (`UInt64`, from 0): the
/// events' order, which a table spread over partitions does not keep by itself, and which
/// `head`, `dedup`, `sort` (between equal keys), `list` and `first`/`last` follow. It is
/// no field: rows never show it, wildcards never match it. A table without it (a Parquet
/// file from elsewhere) has no known order, and the commands that need one are refused.
pub const SEQ: &str = "_splc_seq";

/// The Arrow type of a field that is single-valued in every event.
pub fn single_type() -> DataType {
    DataType::Utf8
}

/// The Arrow type of a field that is multivalued in some event: a list of non-null
/// strings.
pub fn multi_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)))
}

/// The schema of a table holding `events`: one nullable column per field, in the order
/// the fields are first met; `List<Utf8>` for a field multivalued in some event, `Utf8`
/// otherwise; and last [`SEQ`].
pub fn schema_of<'a>(events: impl IntoIterator<Item = &'a Record>) -> SchemaRef {
    let mut order: Vec<&'static str> = Vec::new();
    let mut multi: HashMap<&'static str, bool> = HashMap::new();
    for event in events {
        for (id, value) in event.iter() {
            let name = id.name();
            let is_multi = matches!(value, Value::Multi(_));
            match multi.get_mut(name) {
                Some(m) => *m |= is_multi,
                None => {
                    order.push(name);
                    multi.insert(name, is_multi);
                }
            }
        }
    }
    let mut fields: Vec<Field> = order
        .into_iter()
        .map(|name| {
            let data_type = if multi.get(name).copied().unwrap_or(false) {
                multi_type()
            } else {
                single_type()
            };
            Field::new(name, data_type, true)
        })
        .collect();
    fields.push(Field::new(SEQ, DataType::UInt64, false));
    Arc::new(Schema::new(fields))
}

/// One record batch holding `events` under `schema` (from [`schema_of`], or any schema of
/// the column model), the first of them at position 0 of the input. A field of an event
/// that the schema has no column for is left out.
pub fn to_batch(schema: &SchemaRef, events: &[Record]) -> Result<RecordBatch, Error> {
    to_batch_at(schema, events, 0)
}

/// [`to_batch`], the first event at position `first` of the input (what [`SEQ`] holds).
pub fn to_batch_at(
    schema: &SchemaRef,
    events: &[Record],
    first: u64,
) -> Result<RecordBatch, Error> {
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        if field.name() == SEQ {
            let n = events.len() as u64;
            columns.push(Arc::new(UInt64Array::from_iter_values(first..first + n)));
            continue;
        }
        let id = spl_runtime::FieldId::lookup(field.name());
        let value_of = |event: &'_ Record| -> Option<Value> {
            use spl_runtime::Event;
            id.and_then(|id| event.get(id)).cloned()
        };
        let column: ArrayRef = match field.data_type() {
            DataType::Utf8 => {
                let mut b = StringBuilder::new();
                for event in events {
                    match value_of(event) {
                        None => b.append_null(),
                        Some(Value::Str(s)) => b.append_value(s),
                        Some(Value::Num(n)) => b.append_value(format_number(n)),
                        Some(Value::Multi(_)) => {
                            return Err(Error::Column {
                                field: field.name().clone(),
                                message: "a multivalued field needs a list column".into(),
                            })
                        }
                    }
                }
                Arc::new(b.finish())
            }
            DataType::List(item) if item.data_type() == &DataType::Utf8 => {
                let mut b = ListBuilder::new(StringBuilder::new())
                    .with_field(Arc::new(Field::new("item", DataType::Utf8, false)));
                for event in events {
                    match value_of(event) {
                        None => b.append_null(),
                        Some(v) => {
                            for s in v.iter_str() {
                                b.values().append_value(s);
                            }
                            b.append(true);
                        }
                    }
                }
                Arc::new(b.finish())
            }
            other => {
                return Err(Error::Column {
                    field: field.name().clone(),
                    message: format!("type {other} is not in the column model (Utf8, List<Utf8>)"),
                })
            }
        };
        columns.push(column);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// The rows of `batch` as records, the inverse of [`to_batch`]: a null is a missing
/// field, a list a multivalue (one of one item a single value), and `_time` a number;
/// [`SEQ`] is no field.
/// String columns of any Arrow string type (`Utf8`, `LargeUtf8`, `Utf8View`, as a Parquet
/// scan may hand them out) and lists of them are read; other columns are an error.
pub fn to_records(batch: &RecordBatch) -> Result<Vec<Record>, Error> {
    let mut records = vec![Record::new(); batch.num_rows()];
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.name() == SEQ {
            continue;
        }
        let id = spl_runtime::FieldId::intern(field.name());
        let values = column_values(field.name(), column)?;
        for (record, value) in records.iter_mut().zip(values) {
            let Some(value) = value else { continue };
            if id == spl_runtime::FieldId::TIME {
                if let Value::Str(s) = &value {
                    if let Some(t) = spl_runtime::value::parse_number(s) {
                        record.set_time(t);
                        continue;
                    }
                }
            }
            record.set(id, value);
        }
    }
    Ok(records)
}

/// The values of one column, row by row (a null is `None`, a list of one a single value).
pub(crate) fn column_values(name: &str, column: &ArrayRef) -> Result<Vec<Option<Value>>, Error> {
    if let Some(strings) = strings(column) {
        return Ok(strings
            .into_iter()
            .map(|s| s.map(|s| Value::Str(s.to_owned())))
            .collect());
    }
    let lists: Vec<Option<ArrayRef>> = match column.data_type() {
        DataType::List(_) => column.as_list::<i32>().iter().collect(),
        DataType::LargeList(_) => column.as_list::<i64>().iter().collect(),
        other => {
            return Err(Error::Column {
                field: name.to_owned(),
                message: format!("type {other} is not in the column model (Utf8, List<Utf8>)"),
            })
        }
    };
    lists
        .into_iter()
        .map(|list| {
            let Some(list) = list else { return Ok(None) };
            let items = strings(&list).ok_or_else(|| Error::Column {
                field: name.to_owned(),
                message: format!("list of {} is not a list of strings", list.data_type()),
            })?;
            let mut items: Vec<String> = items.into_iter().flatten().map(str::to_owned).collect();
            Ok(match items.len() {
                0 => None,
                1 => items.pop().map(Value::Str),
                _ => Some(Value::Multi(items)),
            })
        })
        .collect()
}

/// The strings of a string array of any Arrow string type, or `None` for another type.
pub(crate) fn strings(array: &dyn Array) -> Option<Vec<Option<&str>>> {
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        _ => return None,
    })
}

/// A column of `data_type` (`Utf8`, or `List<Utf8>`) holding `values`: a missing value is
/// null, a number is written as splc prints it, a multivalue is a list (and needs a list
/// column).
pub(crate) fn values_array(
    values: impl IntoIterator<Item = Option<Value>>,
    data_type: &DataType,
) -> Result<ArrayRef, String> {
    if matches!(data_type, DataType::List(_)) {
        let mut b = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            false,
        )));
        for value in values {
            match value {
                None => b.append_null(),
                Some(v) => {
                    for s in v.iter_str() {
                        b.values().append_value(s);
                    }
                    b.append(true);
                }
            }
        }
        return Ok(Arc::new(b.finish()));
    }
    let mut b = StringBuilder::new();
    for value in values {
        match value {
            None => b.append_null(),
            Some(Value::Str(s)) => b.append_value(s),
            Some(Value::Num(n)) => b.append_value(format_number(n)),
            Some(Value::Multi(_)) => return Err("a multivalue in a single-valued column".into()),
        }
    }
    Ok(Arc::new(b.finish()))
}

/// Whether `data_type` is a list (a column that may hold multivalues).
pub(crate) fn is_list(data_type: &DataType) -> bool {
    matches!(data_type, DataType::List(_) | DataType::LargeList(_))
}

/// Put the value of a column into `record` as the evaluator holds it: `_time` as a number
/// when it reads as one.
pub(crate) fn set_value(record: &mut Record, id: spl_runtime::FieldId, value: Value) {
    if id == spl_runtime::FieldId::TIME {
        if let Value::Str(s) = &value {
            if let Some(t) = spl_runtime::value::parse_number(s) {
                record.set_time(t);
                return;
            }
        }
    }
    record.set(id, value);
}
