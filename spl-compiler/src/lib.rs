//! Compiles parsed SPL rules: lowering to an IR, optimisation, and Rust code generation.

#![forbid(unsafe_code)]

pub mod regex;

pub use spl_grammar as grammar;
