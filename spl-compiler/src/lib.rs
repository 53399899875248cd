//! Compiles parsed SPL rules: lowering to an IR, optimisation, and Rust code generation.

#![forbid(unsafe_code)]

pub mod builder;
pub mod codegen;
pub mod compile;
pub mod explain;
pub mod lint;
pub mod lower;
pub mod regex;

pub use spl_grammar as grammar;
pub use spl_ir as ir;

pub use builder::{BuildError, Builder};
pub use compile::{
    compile_file, compile_rule, compile_spl, lower_parsed, CompileErrors, CompiledRule,
};
