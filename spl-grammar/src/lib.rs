//! The SPL front end: grammar, typed syntax tree, macros, rule files and diagnostics.

#![forbid(unsafe_code)]

pub mod ast;
pub mod diagnostic;
pub mod error;
pub mod macros;
pub mod parse;
pub mod rule;
pub mod span;

pub use parse::{parse_query, ParseError};
pub use span::{LineCol, LineIndex, Span};
