//! Tables of events: JSON lines read by splc's own reader (so fields are named as the
//! evaluator names them), in memory or written to Parquet in the column model.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use spl_runtime::read::{self, ReadOptions};
use spl_runtime::Record;

use crate::columns::{schema_of, single_type, to_batch_at, SEQ};
use crate::Error;

/// Rows per record batch of an in-memory table.
pub const BATCH_ROWS: usize = 8192;

/// Events read from a file, and how many were skipped (unreadable, over a limit).
#[derive(Clone, Debug, Default)]
pub struct Events {
    /// The events, in input order.
    pub records: Vec<Record>,
    /// Events skipped, as the evaluator's `run` skips and reports them.
    pub skipped: usize,
}

/// Read every event of `path` with splc's readers (format from the extension or content,
/// as `splc run` decides; JSON lines for `.jsonl`), skipping events that cannot be read.
pub fn read_events(path: &Path, options: ReadOptions) -> Result<Events, Error> {
    let mut events = Events::default();
    for item in read::open(path, None, options)? {
        match item {
            Ok(event) => events.records.push(event.record),
            Err(e) if e.is_fatal() => return Err(e.into()),
            Err(_) => events.skipped += 1,
        }
    }
    Ok(events)
}

/// An in-memory table of `events` in the column model ([`crate::columns`]), in record
/// batches of [`BATCH_ROWS`] spread over `partitions` partitions (at least one), so that
/// DataFusion scans it on as many cores.
pub fn events_table(events: &[Record], partitions: usize) -> Result<MemTable, Error> {
    let schema = schema_of(events);
    let mut parts = vec![Vec::new(); partitions.max(1)];
    let count = parts.len();
    for (i, chunk) in events.chunks(BATCH_ROWS).enumerate() {
        let first = (i * BATCH_ROWS) as u64;
        parts[i % count].push(to_batch_at(&schema, chunk, first)?);
    }
    Ok(MemTable::try_new(schema, parts)?)
}

/// An empty in-memory table with a single-valued text column for each of `fields` (in
/// order, duplicates once), and [`SEQ`]: what a rule's plans can be shown over without
/// events.
pub fn empty_table<'a>(fields: impl IntoIterator<Item = &'a str>) -> Result<MemTable, Error> {
    let mut columns: Vec<Field> = Vec::new();
    for name in fields {
        if name != SEQ && !columns.iter().any(|c| c.name() == name) {
            columns.push(Field::new(name, single_type(), true));
        }
    }
    columns.push(Field::new(SEQ, DataType::UInt64, false));
    Ok(MemTable::try_new(
        Arc::new(Schema::new(columns)),
        vec![Vec::new()],
    )?)
}

/// Write `events` to a Parquet file in the column model, in row groups of at most
/// `row_group_rows` rows (at least one), with column statistics (what scans prune row
/// groups by). Returns the schema written.
pub fn write_parquet(
    events: &[Record],
    path: &Path,
    row_group_rows: usize,
) -> Result<SchemaRef, Error> {
    let schema = schema_of(events);
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .build();
    let file = File::create(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))?;
    for (i, chunk) in events.chunks(BATCH_ROWS).enumerate() {
        writer.write(&to_batch_at(&schema, chunk, (i * BATCH_ROWS) as u64)?)?;
    }
    writer.close()?;
    Ok(schema)
}

/// Convert an input splc reads (JSON lines, ...) to a Parquet file in the column model,
/// in row groups of at most `row_group_rows` rows. Returns the events written and the
/// events skipped.
pub fn convert_to_parquet(
    input: &Path,
    output: &Path,
    row_group_rows: usize,
    options: ReadOptions,
) -> Result<(usize, usize), Error> {
    let events = read_events(input, options)?;
    write_parquet(&events.records, output, row_group_rows)?;
    Ok((events.records.len(), events.skipped))
}

/// A session for running rules: DataFusion's defaults (all cores), with Parquet filters
/// evaluated inside the scan as well as used to prune row groups and pages
/// (`datafusion.execution.parquet.pushdown_filters`).
pub fn session() -> SessionContext {
    session_with_partitions(SessionConfig::new().target_partitions())
}

/// [`session`], with scans and operators split into `partitions` parts (at least one),
/// each run on a thread, instead of one per core.
pub fn session_with_partitions(partitions: usize) -> SessionContext {
    session_with_config(SessionConfig::new().with_target_partitions(partitions.max(1)))
}

/// A session of `config` (an embedding program's, e.g. one prepared for a distributed
/// engine) with Parquet filters evaluated inside the scan, as [`session`] sets them.
pub fn session_with_config(mut config: SessionConfig) -> SessionContext {
    config.options_mut().execution.parquet.pushdown_filters = true;
    SessionContext::new_with_config(config)
}

/// Register the events of a JSON-lines file (or any input splc reads) as the in-memory
/// table `name`, spread over the session's target partitions. Returns how many events
/// were skipped.
pub fn register_events_file(
    ctx: &SessionContext,
    name: &str,
    path: &Path,
    options: ReadOptions,
) -> Result<usize, Error> {
    let events = read_events(path, options)?;
    let partitions = ctx.copied_config().target_partitions();
    let table = events_table(&events.records, partitions)?;
    ctx.register_table(name, Arc::new(table))?;
    Ok(events.skipped)
}

/// Register a Parquet file (or a directory of them) in the column model as table `name`.
pub async fn register_parquet(ctx: &SessionContext, name: &str, path: &Path) -> Result<(), Error> {
    let path = path.to_str().ok_or_else(|| Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not UTF-8"),
    })?;
    ctx.register_parquet(name, path, ParquetReadOptions::default())
        .await?;
    Ok(())
}
