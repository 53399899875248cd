//! What compiled SPL rules run on.
//!
//! `spl-runtime` is the small crate that generated rule code and the in-process evaluator
//! both call: the event model ([`Event`], [`Record`]), field values ([`Value`]), and field
//! names interned to ids ([`FieldId`]).

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod alias;
pub mod cidr;
pub mod compare;
pub mod eval;
pub mod event;
pub mod field;
#[doc(hidden)]
pub mod generated;
pub mod pipeline;
pub mod prefilter;
pub mod read;
pub mod regex;
pub mod rule;
pub mod search;
pub mod time;
pub mod value;

pub use spl_ir as ir;

pub use event::{Event, Record};
pub use field::FieldId;
pub use value::Value;

/// Compile an SPL rule into a Rust type at build time (feature `macros`).
#[cfg(feature = "macros")]
pub use spl_macros::detect;
