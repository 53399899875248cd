//! Tables from elsewhere — Parquet, CSV, Arrow IPC and JSON-lines files read by
//! DataFusion, or any `TableProvider` an embedding program has — as tables of events in
//! the column model ([`crate::columns`]), so that rules run over them unchanged.
//!
//! [`events_view`] projects a table's columns to fields, named as splc's JSON reader
//! names the fields of an event:
//!
//! | column | field |
//! |---|---|
//! | a string (`Utf8`, `LargeUtf8`, `Utf8View`) | itself |
//! | an integer, a boolean, a date | its text as Arrow writes it (`4688`, `true`, `2024-01-31`) |
//! | a float or a decimal | the number as splc prints numbers (`1.5`, `3`) |
//! | a timestamp | epoch seconds as splc prints numbers (`_time` reads it as the time) |
//! | a struct `a` of fields `b`, `c` | `a.b`, `a.c` (nested structs likewise) |
//! | a list `a` of any of the above | the multivalue `a{}` |
//! | [`SEQ`], `List<Utf8>` columns named `x{}` | as they are (a table in the column model passes through) |
//!
//! Other columns (maps, binary, lists of structs or of lists, unions) have no field form;
//! they are left out and listed in [`View::left_out`], so that nothing is dropped without a
//! word. Field aliases (`spl_runtime::alias`) are not applied to such tables: their column
//! names are the field names.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};
use datafusion::catalog::TableProvider;
use datafusion::common::{exec_err, Result as DfResult};
use datafusion::datasource::file_format::options::ArrowReadOptions;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::{
    ident, ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::{
    CsvReadOptions, DataFrame, JsonReadOptions, ParquetReadOptions, SessionContext,
};
use spl_runtime::value::format_number;

use crate::columns::{multi_type, SEQ};
use crate::Error;

/// A table projected to the column model, and the columns that could not be.
#[derive(Debug)]
pub struct View {
    /// The table of events.
    pub frame: DataFrame,
    /// `(column, type)` of each column (or nested field, `a.b`) left out.
    pub left_out: Vec<(String, DataType)>,
}

/// How a column of `data_type` becomes a field.
enum Form {
    /// A string column: as it is.
    Same,
    /// A scalar of another type: its text.
    Text,
    /// A list of strings or scalars: a multivalue.
    List,
    /// A struct: its fields, each a field of its own.
    Struct(Fields),
    /// No field form.
    None,
}

fn is_string(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_scalar(data_type: &DataType) -> bool {
    data_type.is_numeric()
        || matches!(
            data_type,
            DataType::Boolean
                | DataType::Date32
                | DataType::Date64
                | DataType::Timestamp(_, _)
                | DataType::Time32(_)
                | DataType::Time64(_)
        )
}

fn form(data_type: &DataType) -> Form {
    match data_type {
        t if is_string(t) => Form::Same,
        t if is_scalar(t) => Form::Text,
        DataType::List(item) | DataType::LargeList(item)
            if is_string(item.data_type()) || is_scalar(item.data_type()) =>
        {
            Form::List
        }
        DataType::Struct(fields) => Form::Struct(fields.clone()),
        _ => Form::None,
    }
}

/// The columns of `frame` as fields of events (see the module documentation).
pub fn events_view(frame: DataFrame) -> Result<View, Error> {
    let mut outputs: Vec<Expr> = Vec::new();
    let mut left_out = Vec::new();
    let fields: Vec<(String, DataType)> = frame
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect();
    for (name, data_type) in fields {
        if name == SEQ {
            outputs.push(ident(SEQ));
            continue;
        }
        add(
            &mut outputs,
            &mut left_out,
            name.clone(),
            ident(&name),
            &data_type,
        );
    }
    let frame = frame.select(outputs)?;
    Ok(View { frame, left_out })
}

/// The field(s) of `expr` (of `data_type`), named `name`, appended to `outputs`.
fn add(
    outputs: &mut Vec<Expr>,
    left_out: &mut Vec<(String, DataType)>,
    name: String,
    expr: Expr,
    data_type: &DataType,
) {
    match form(data_type) {
        Form::Same => outputs.push(expr.alias(name)),
        Form::Text => outputs.push(SplText::call(expr).alias(name)),
        Form::List => {
            let name = if name.ends_with("{}") {
                name
            } else {
                format!("{name}{{}}")
            };
            let list = if *data_type == multi_type() {
                expr
            } else {
                SplText::call(expr)
            };
            outputs.push(list.alias(name));
        }
        Form::Struct(fields) => {
            for field in fields.iter() {
                add(
                    outputs,
                    left_out,
                    format!("{name}.{}", field.name()),
                    get_field(expr.clone(), field.name().as_str()),
                    field.data_type(),
                );
            }
        }
        Form::None => left_out.push((name, data_type.clone())),
    }
}

/// The kinds of file [`register_table_path`] reads, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.parquet`, or a directory (of Parquet files).
    Parquet,
    /// `.csv`: every column read as text (no type inference), first line the header.
    Csv,
    /// `.arrow`, `.ipc`, `.feather`: Arrow IPC files.
    ArrowIpc,
    /// `.json`, `.jsonl`, `.ndjson`: JSON lines read by DataFusion (its types inferred).
    JsonLines,
}

impl FileKind {
    /// The kind of `path` from its extension (a directory is Parquet), if any.
    pub fn of(path: &Path) -> Option<FileKind> {
        if path.is_dir() {
            return Some(FileKind::Parquet);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "parquet" => FileKind::Parquet,
            "csv" => FileKind::Csv,
            "arrow" | "ipc" | "feather" => FileKind::ArrowIpc,
            "json" | "jsonl" | "ndjson" => FileKind::JsonLines,
            _ => return None,
        })
    }
}

/// Register the file (or directory) `path` as the table of events `name` on `ctx`,
/// through [`events_view`]: read by DataFusion as `kind` says (from the extension when
/// `None`), scanned where it lies (Parquet filters still push down into the scan).
/// Returns the columns left out.
pub async fn register_table_path(
    ctx: &SessionContext,
    name: &str,
    path: &Path,
    kind: Option<FileKind>,
) -> Result<Vec<(String, DataType)>, Error> {
    let unreadable = |why: &str| Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_owned()),
    };
    let kind = kind
        .or_else(|| FileKind::of(path))
        .ok_or_else(|| unreadable("not a .parquet, .csv, .arrow or .jsonl file"))?;
    let text = path.to_str().ok_or_else(|| unreadable("not UTF-8"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| format!(".{e}"));
    let frame = match kind {
        FileKind::Parquet => {
            let mut options = ParquetReadOptions::default();
            if let (Some(ext), false) = (&ext, path.is_dir()) {
                options = options.file_extension(ext);
            }
            ctx.read_parquet(text, options).await?
        }
        FileKind::Csv => {
            let mut options = CsvReadOptions::new()
                .has_header(true)
                .schema_infer_max_records(0);
            if let Some(ext) = &ext {
                options = options.file_extension(ext);
            }
            ctx.read_csv(text, options).await?
        }
        FileKind::ArrowIpc => {
            let mut options = ArrowReadOptions::default();
            if let Some(ext) = &ext {
                options.file_extension = ext;
            }
            ctx.read_arrow(text, options).await?
        }
        FileKind::JsonLines => {
            let mut options = JsonReadOptions::default();
            if let Some(ext) = &ext {
                options = options.file_extension(ext);
            }
            ctx.read_json(text, options).await?
        }
    };
    register_frame(ctx, name, frame)
}

/// Register an embedding program's table `provider` as the table of events `name` on
/// `ctx`, through [`events_view`]. Returns the columns left out.
pub fn register_provider(
    ctx: &SessionContext,
    name: &str,
    provider: Arc<dyn TableProvider>,
) -> Result<Vec<(String, DataType)>, Error> {
    let frame = ctx.read_table(provider)?;
    register_frame(ctx, name, frame)
}

fn register_frame(
    ctx: &SessionContext,
    name: &str,
    frame: DataFrame,
) -> Result<Vec<(String, DataType)>, Error> {
    let view = events_view(frame)?;
    ctx.register_table(name, view.frame.into_view())?;
    Ok(view.left_out)
}

/// `spl_typed_text(x)`: a scalar column as text, or a list column as a list of texts (see the
/// module documentation for each type's text). One function for every column: what it
/// computes depends only on its argument's type.
#[derive(PartialEq, Eq, Hash)]
struct SplText {
    signature: Signature,
}

impl SplText {
    fn call(arg: Expr) -> Expr {
        ScalarUDF::new_from_impl(SplText {
            signature: Signature::any(1, Volatility::Immutable),
        })
        .call(vec![arg])
    }
}

impl fmt::Debug for SplText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SplText")
    }
}

/// The texts of a column of scalars (see the module documentation).
fn texts(column: &dyn Array) -> DfResult<Vec<Option<String>>> {
    let data_type = column.data_type();
    let seconds_per_unit = match data_type {
        DataType::Timestamp(TimeUnit::Second, _) => Some(1.0),
        DataType::Timestamp(TimeUnit::Millisecond, _) => Some(1e3),
        DataType::Timestamp(TimeUnit::Microsecond, _) => Some(1e6),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => Some(1e9),
        _ => None,
    };
    if let Some(per) = seconds_per_unit {
        let raw = cast(column, &DataType::Int64)?;
        let raw = raw.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        return Ok(raw
            .iter()
            .map(|v| v.map(|v| format_number(v as f64 / per)))
            .collect());
    }
    if data_type.is_floating()
        || matches!(
            data_type,
            DataType::Decimal128(..) | DataType::Decimal256(..)
        )
    {
        let floats = cast(column, &DataType::Float64)?;
        let floats = floats.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
        return Ok(floats.iter().map(|v| v.map(format_number)).collect());
    }
    let strings = cast(column, &DataType::Utf8)?;
    Ok(strings
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect())
}

impl ScalarUDFImpl for SplText {
    fn name(&self) -> &str {
        "spl_typed_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(match arg_types.first() {
            Some(DataType::List(_) | DataType::LargeList(_)) => multi_type(),
            _ => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let Some(arg) = args.args.first() else {
            return exec_err!("spl_typed_text: no argument");
        };
        let column = arg.to_array(args.number_rows)?;
        let array: ArrayRef = match column.data_type() {
            DataType::List(_) | DataType::LargeList(_) => {
                let lists: Vec<Option<ArrayRef>> = match column.data_type() {
                    DataType::List(_) => column.as_list::<i32>().iter().collect(),
                    _ => column.as_list::<i64>().iter().collect(),
                };
                let mut b = ListBuilder::new(StringBuilder::new())
                    .with_field(Arc::new(Field::new("item", DataType::Utf8, false)));
                for list in lists {
                    // A missing field is null, never an empty list; null items are no values.
                    let items: Vec<String> = match list {
                        Some(list) => texts(list.as_ref())?.into_iter().flatten().collect(),
                        None => Vec::new(),
                    };
                    if items.is_empty() {
                        b.append_null();
                    } else {
                        for item in items {
                            b.values().append_value(item);
                        }
                        b.append(true);
                    }
                }
                Arc::new(b.finish())
            }
            _ => {
                let mut b = StringBuilder::new();
                for text in texts(column.as_ref())? {
                    b.append_option(text);
                }
                Arc::new(b.finish())
            }
        };
        Ok(ColumnarValue::Array(array))
    }
}
