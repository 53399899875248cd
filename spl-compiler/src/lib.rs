//! Compiles parsed SPL rules: lowering to an IR, optimisation, and Rust code generation.
//!
//! This crate is being built up; today it re-exports the front end it builds on.

#![forbid(unsafe_code)]

pub use spl_grammar as grammar;
