//! splc rule packs on Apache DataFusion.
//!
//! A rule's lowered program (`spl_ir::Program`) becomes a DataFusion *logical plan* over
//! a table of events, not a row-by-row evaluation: the search predicate is a DataFusion
//! filter expression, plain SQL where that is exactly Splunk's meaning (so that it pushes
//! down into Parquet scans), and scalar UDFs calling spl-runtime's own matchers where SQL
//! has no equivalent (terms on `_raw`, ASCII-case-insensitive and wildcard values, CIDR,
//! ordering that is numeric or textual by value, multivalue fields). See [`lower`] and
//! [`udf`], and `docs/semantics.md`, "DataFusion back end".
//!
//! - [`columns`]: the column model (one nullable column per field; `Utf8`, or
//!   `List<Utf8>` for a multivalued field), events to record batches and back.
//! - [`input`]: tables of events read by splc's own readers (JSON lines, ...), in memory
//!   or written to Parquet; a session configured for rules.
//! - [`tables`]: tables from elsewhere (Parquet, CSV, Arrow IPC, JSON lines by path, or
//!   an embedding program's `TableProvider`) projected to the column model.
//! - [`pack`]: [`DfRule`], [`register_pack`] (a view per rule), [`run_pack`] (rows as
//!   records, comparable to the evaluator's).
//! - [`remote`]: plans to bytes and back, as a distributed engine (Ballista) ships them.
//!
//! The commands after the search become plan nodes too (`commands`): filters (`| search`,
//! `| regex`, `| where`), projections (`eval`, `rex`, `table`, `fields`, `rename`,
//! `bin`), an aggregation (`stats`, its functions one UDAF over spl-runtime's
//! accumulator), sorts, windows and limits (`sort`, `dedup`, `head`), and the plan ends in
//! the evaluator's order of rows. `eval` and `where` expressions that SQL does not say
//! exactly run in the evaluator's own interpreter (`spl-engine`). A command this back end
//! does not run is refused with [`LowerError::Command`], naming it.
//!
//! ```no_run
//! # async fn f() -> Result<(), spl_datafusion::Error> {
//! use spl_datafusion::{input, run_pack, DfRule};
//! let ctx = input::session();
//! input::register_events_file(&ctx, "events", "events.jsonl".as_ref(), Default::default())?;
//! let rule = DfRule::from_spl("office", "EventID=4688 Image=*\\cmd.exe", &Default::default())?;
//! let rows = run_pack(&ctx, "events", &[rule]).await?;
//! println!("{} rows", rows.rows.len());
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod agg;
pub mod columns;
mod commands;
pub mod input;
pub mod lower;
pub mod pack;
pub mod remote;
mod rowfn;
pub mod tables;
mod udf;

use std::path::PathBuf;

pub use lower::{filter_expr, program_frame, LowerError};
pub use pack::{register_pack, run_pack, run_pack_each, DfRule, PackRows, Registered};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule that the DataFusion back end cannot plan (yet).
    #[error("rule {rule}: {source}")]
    Lower {
        /// The rule's name (empty when not known).
        rule: String,
        /// What stopped it.
        source: LowerError,
    },
    /// A rule that does not compile.
    #[error("{0}")]
    Compile(String),
    /// A value that does not fit the column model.
    #[error("column {field}: {message}")]
    Column {
        /// The column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// DataFusion failed.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Arrow failed.
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// Writing Parquet failed.
    #[error(transparent)]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    /// An input could not be read.
    #[error(transparent)]
    Read(#[from] spl_runtime::read::ReadError),
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl Error {
    /// The error, naming `rule` when it is a lowering error.
    pub fn in_rule(self, rule: &str) -> Error {
        match self {
            Error::Lower { source, .. } => Error::Lower {
                rule: rule.to_owned(),
                source,
            },
            other => other,
        }
    }
}

impl From<LowerError> for Error {
    fn from(source: LowerError) -> Error {
        Error::Lower {
            rule: String::new(),
            source,
        }
    }
}
