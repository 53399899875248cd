//! The SPL front end: grammar, typed syntax tree, macros, rule files and diagnostics.

#![forbid(unsafe_code)]

pub mod ast;
pub mod span;

pub use span::{LineCol, LineIndex, Span};
