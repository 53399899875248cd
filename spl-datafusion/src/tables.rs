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
//! word.
//!
//! Then the field aliases splc's readers apply to each event ([`AliasMap`], the built-in
//! table by default) are applied to each row ([`with_aliases`]): one UDF reads the columns
//! the table reads and gives the aliased fields, which a projection adds (a field a row
//! has is never replaced, as on the readers' events).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder, StructArray};
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
use spl_runtime::alias::AliasMap;
use spl_runtime::value::format_number;
use spl_runtime::{Event, FieldId, Record, Value};

use crate::columns::{column_values, multi_type, values_array, SEQ};
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

/// `frame` (a table in the column model) with the field aliases of `aliases` applied to
/// each row, as splc's readers apply them to each event: each field the table may write
/// becomes a list column (a single value a list of one, which the search treats alike)
/// holding the row's own value where it has one, else the aliased one. A table that has
/// none of the columns `aliases` reads is returned as it is.
pub fn with_aliases(frame: DataFrame, aliases: &AliasMap) -> Result<DataFrame, Error> {
    let (read, written) = aliases.fields();
    let names: Vec<String> = frame
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let inputs: Vec<FieldId> = read
        .into_iter()
        .filter(|f| names.iter().any(|n| n == f.name()))
        .collect();
    if inputs.is_empty() || written.is_empty() {
        return Ok(frame);
    }
    let aliased = SplAliases::call(aliases, &inputs, &written);
    let mut first: Vec<Expr> = names.iter().map(ident).collect();
    first.push(aliased.alias(ALIASED));
    let frame = frame.select(first)?;
    let mut outputs: Vec<Expr> = Vec::new();
    for name in &names {
        if written.iter().any(|w| w.name() == name) {
            outputs.push(SplMember::call(ident(ALIASED), name).alias(name));
        } else {
            outputs.push(ident(name));
        }
    }
    for field in &written {
        if !names.iter().any(|n| n == field.name()) {
            outputs.push(SplMember::call(ident(ALIASED), field.name()).alias(field.name()));
        }
    }
    Ok(frame.select(outputs)?)
}

/// The column holding the aliased fields of a row between [`with_aliases`]' projections.
const ALIASED: &str = "_splc_aliased";

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
/// through [`events_view`] and [`with_aliases`]: read by DataFusion as `kind` says (from
/// the extension when `None`), scanned where it lies (filters on columns that are text in
/// the file still push down into a Parquet scan). Returns the columns left out.
pub async fn register_table_path(
    ctx: &SessionContext,
    name: &str,
    path: &Path,
    kind: Option<FileKind>,
    aliases: &AliasMap,
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
    register_frame(ctx, name, frame, aliases)
}

/// Register an embedding program's table `provider` as the table of events `name` on
/// `ctx`, through [`events_view`] and [`with_aliases`]. Returns the columns left out.
pub fn register_provider(
    ctx: &SessionContext,
    name: &str,
    provider: Arc<dyn TableProvider>,
    aliases: &AliasMap,
) -> Result<Vec<(String, DataType)>, Error> {
    let frame = ctx.read_table(provider)?;
    register_frame(ctx, name, frame, aliases)
}

fn register_frame(
    ctx: &SessionContext,
    name: &str,
    frame: DataFrame,
    aliases: &AliasMap,
) -> Result<Vec<(String, DataType)>, Error> {
    let view = events_view(frame)?;
    let frame = with_aliases(view.frame, aliases)?;
    ctx.register_table(name, frame.into_view())?;
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

/// `spl_aliases[table](inputs...)`: a struct of the fields an alias table writes
/// (`List<Utf8>` each), computed per row by [`AliasMap::apply`] over the row's values of
/// the fields the table reads. Its name holds a digest of the table's text, so that two
/// tables never share a name.
struct SplAliases {
    full: String,
    aliases: AliasMap,
    inputs: Vec<FieldId>,
    written: Vec<FieldId>,
    output: DataType,
    signature: Signature,
}

impl SplAliases {
    fn call(aliases: &AliasMap, inputs: &[FieldId], written: &[FieldId]) -> Expr {
        let mut digest = std::hash::DefaultHasher::new();
        aliases.to_string().hash(&mut digest);
        inputs.iter().for_each(|f| f.name().hash(&mut digest));
        let fields: Fields = written
            .iter()
            .map(|f| Field::new(f.name(), multi_type(), true))
            .collect();
        ScalarUDF::new_from_impl(SplAliases {
            full: format!("spl_aliases[{:016x}]", digest.finish()),
            aliases: aliases.clone(),
            inputs: inputs.to_vec(),
            written: written.to_vec(),
            output: DataType::Struct(fields),
            signature: Signature::variadic_any(Volatility::Immutable),
        })
        .call(inputs.iter().map(|f| ident(f.name())).collect())
    }
}

crate::udf::identified_by_name!(SplAliases);

impl ScalarUDFImpl for SplAliases {
    fn name(&self) -> &str {
        &self.full
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(self.output.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let mut columns = Vec::with_capacity(args.args.len());
        for arg in &args.args {
            let column = arg.to_array(rows)?;
            match column_values(&self.full, &column) {
                Ok(values) => columns.push(values),
                Err(e) => return exec_err!("{}: {e}", self.full),
            }
        }
        let mut out: Vec<Vec<Option<Value>>> = vec![Vec::with_capacity(rows); self.written.len()];
        for row in 0..rows {
            let mut record = Record::new();
            for (field, column) in self.inputs.iter().zip(&columns) {
                if let Some(Some(value)) = column.get(row) {
                    record.set(*field, value.clone());
                }
            }
            self.aliases.apply(&mut record);
            for (field, values) in self.written.iter().zip(&mut out) {
                values.push(record.get(*field).cloned());
            }
        }
        let DataType::Struct(fields) = &self.output else {
            return exec_err!("{}: not a struct", self.full);
        };
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(out.len());
        for values in out {
            match values_array(values, &multi_type()) {
                Ok(array) => arrays.push(array),
                Err(e) => return exec_err!("{}: {e}", self.full),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(StructArray::try_new(
            fields.clone(),
            arrays,
            None,
        )?)))
    }
}

/// `spl_member[name](s)`: the member `name` of the struct column `s` (the aliased fields),
/// as a function of its own: DataFusion's `get_field` is moved down through projections
/// by its optimizer, which then finds the struct's members ambiguous with the columns.
#[derive(PartialEq, Eq, Hash)]
struct SplMember {
    full: String,
    member: String,
    signature: Signature,
}

impl SplMember {
    fn call(arg: Expr, member: &str) -> Expr {
        ScalarUDF::new_from_impl(SplMember {
            full: format!("spl_member[{member:?}]"),
            member: member.to_owned(),
            signature: Signature::any(1, Volatility::Immutable),
        })
        .call(vec![arg])
    }
}

impl fmt::Debug for SplMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl ScalarUDFImpl for SplMember {
    fn name(&self) -> &str {
        &self.full
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DfResult<DataType> {
        match arg_types.first() {
            Some(DataType::Struct(fields)) => match fields.find(&self.member) {
                Some((_, field)) => Ok(field.data_type().clone()),
                None => exec_err!("{}: no such member", self.full),
            },
            other => exec_err!("{}: not a struct: {other:?}", self.full),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let Some(arg) = args.args.first() else {
            return exec_err!("{}: no argument", self.full);
        };
        let column = arg.to_array(args.number_rows)?;
        let Some(members) = column.as_struct_opt() else {
            return exec_err!("{}: not a struct", self.full);
        };
        match members.column_by_name(&self.member) {
            Some(member) => Ok(ColumnarValue::Array(Arc::clone(member))),
            None => exec_err!("{}: no such member", self.full),
        }
    }
}
