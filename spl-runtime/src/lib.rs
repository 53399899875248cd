//! What compiled SPL rules run on.
//!
//! `spl-runtime` is the crate that generated rule code and the in-process evaluator
//! (`spl-engine`) both call, and the only one generated code needs: it depends on `spl-ir`
//! (re-exported as [`ir`]) and on no part of the parser or compiler.
//!
//! - Events: [`Event`] (what rules read), [`Record`] (an owned event or result row), field
//!   values ([`Value`]) and field names interned to ids ([`FieldId`]).
//! - [`read`]: readers from log files to records (JSON lines, Windows event XML, text,
//!   classic `WinEventLog`), with the field aliases of [`alias`].
//! - The search command: [`search`] (terms, phrases, `TERM`, `CASE` over `_raw`),
//!   [`compare`] (field comparisons), [`prefilter`] (the literals checked first),
//!   [`cidr`].
//! - [`eval`]: the value domain of `eval` and `where` and the eval functions; [`regex`]:
//!   compiled regexes, replacements and sed expressions; [`time`]: UTC calendar,
//!   `strftime`, `strptime`.
//! - [`aggregate`]: the aggregations of `stats` and their groups; [`pipeline`]: the steps
//!   of every command after the first search, and [`pipeline::step`], the one table from
//!   the IR's stages to them.
//! - [`geoip`]: IP geolocation from a MaxMind DB file for `iplocation`, and a writer of
//!   such files.
//! - [`rule::Rule`]: what every runnable rule offers, generated or evaluated, and
//!   [`rule::run`] to run one over events.
//!
//! ```
//! use spl_runtime::compare::FieldMatcher;
//! use spl_runtime::ir::CmpOp;
//! use spl_runtime::read::{InputFormat, ReadOptions, Reader};
//! use spl_runtime::search::TermExact;
//! use spl_runtime::Event;
//!
//! // `TERM(install) host=web*`, by hand, over two JSON lines.
//! let input = "{\"host\":\"web01\",\"cmd\":\"pip install x\"}\n{\"host\":\"db01\",\"cmd\":\"ls\"}\n";
//! let install = TermExact::new("install");
//! let host = FieldMatcher::new(CmpOp::Eq, "web*");
//! let mut hosts = Vec::new();
//! for event in Reader::new(input.as_bytes(), InputFormat::JsonLines, ReadOptions::default()) {
//!     let record = event.expect("valid JSON").record;
//!     if install.is_match(record.raw()) && host.matches(record.get_named("host")) {
//!         hosts.push(record.get_named("host").map(|v| v.to_string()));
//!     }
//! }
//! assert_eq!(hosts, [Some("web01".to_string())]);
//! ```
//!
//! # Errors
//!
//! Running a rule cannot fail: matchers, eval functions and steps answer every input, with
//! null where SPL gives null. Readers skip an event they cannot read and go on: it is a
//! [`read::ReadError::Event`] with its position, counted by [`read::ReadStats`]; only a
//! failing input ends reading. [`regex::Regex::new`] reports a pattern it cannot compile;
//! generated code and the evaluator use [`regex::Regex::checked`], which turns such a
//! pattern (already checked by the compiler) into one that matches nothing.
//!
//! # Features
//!
//! - `macros` (off by default): re-exports `detect!` from `spl-macros`, which compiles one
//!   rule into a Rust type at build time. A crate that uses it depends on `spl-runtime`
//!   with this feature, since the generated code names `::spl_runtime`:
//!
//! ```ignore
//! spl_runtime::detect! {
//!     /// Office starting a shell.
//!     pub struct OfficeShell = r#"parent_process_name IN ("winword.exe", "excel.exe")
//!         process_name IN ("cmd.exe", "powershell.exe") | table _time host user process"#;
//! }
//! ```

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod alias;
pub mod cidr;
pub mod compare;
pub mod datamodel;
pub mod eval;
pub mod event;
pub mod field;
#[doc(hidden)]
pub mod generated;
pub mod geoip;
pub mod json;
pub mod lookup;
pub mod pack;
pub mod pipeline;
pub mod prefilter;
pub mod read;
pub mod regex;
pub mod rule;
pub mod search;
mod texts;
pub mod time;
pub mod typed;
pub mod value;

pub use spl_ir as ir;

pub use event::{Event, Record};
pub use field::FieldId;
pub use value::Value;

/// Compile an SPL rule into a Rust type at build time (feature `macros`).
#[cfg(feature = "macros")]
pub use spl_macros::detect;

/// Implement [`Event`] and [`typed::TypedEvent`] for a struct (feature `macros`; see
/// [`typed`]).
#[cfg(feature = "macros")]
pub use spl_macros::Event;
