//! Compiles SPL rules: lowering to the IR, regex translation, and Rust code generation.
//!
//! `spl-compiler` takes a rule from text to a [`Program`](ir::Program) of the IR (`spl-ir`,
//! re-exported as [`ir`]), then either to Rust source or to whoever evaluates the IR
//! (`spl-engine`). It uses `spl-grammar` (re-exported as [`grammar`]) for everything before
//! lowering.
//!
//! - [`compile_rule`], [`compile_file`], [`compile_spl`]: the whole front (load, parse,
//!   expand, lower) giving a [`CompiledRule`]: the rule, its parse, its program and its
//!   warnings.
//! - [`lower`]: the syntax tree to the IR. This is where meaning is checked: commands and
//!   functions, arities, option values, regexes, truth values against values.
//! - [`regex::translate`]: a PCRE pattern to one `regex-automata` (or, with lookaround,
//!   `fancy-regex`) runs with the same meaning, or an error.
//! - [`codegen`]: a program to Rust, one type per rule implementing `spl_runtime::rule::Rule`;
//!   [`Builder`] runs it from a build script over a pack of rule files.
//! - [`lint`]: warnings about rules that compile but do not mean what they seem to;
//!   [`explain`]: what a rule looks for, read off its program.
//!
//! The code generated names `::spl_runtime`; this crate does not depend on the runtime.
//!
//! ```
//! use spl_compiler::grammar::{MacroTable, Phase};
//! use spl_compiler::ir::{PredKind, Stage};
//! use spl_compiler::compile_spl;
//!
//! let macros = MacroTable::new();
//! let rule = compile_spl("TERM(install) npm | table host", "example", &macros)?;
//! let program = &rule.program;
//! assert!(matches!(program.filter().kind(), PredKind::And(items) if items.len() == 2));
//! // `_raw` must contain both words; `install` is the one checked first.
//! assert_eq!(program.prefilter().chosen(), Some(&["install".to_string()][..]));
//! assert!(matches!(program.stages(), [Stage::Table(_)]));
//!
//! let errors = compile_spl("x | frobnicate y", "example", &macros).expect_err("unknown");
//! assert_eq!(errors.phase(), Some(Phase::Lower));
//! assert_eq!(errors.0[0].code().as_str(), "E0301");
//! # Ok::<(), spl_compiler::CompileErrors>(())
//! ```
//!
//! # Errors
//!
//! A rule that does not compile is a [`CompileErrors`]: the errors of the first phase that
//! failed (one for load, parse and macro expansion; every lowering error at once), each a
//! [`grammar::Error`] whose diagnostic points into the rule file. Lowering errors have codes
//! `E0301`... ([`lower::codes`]). Warnings ([`lint`], `W0301`...) never stop a rule from
//! compiling. [`Builder`] fails with a [`BuildError`]: the diagnostics of every rule that
//! did not compile, or the file that could not be read or written.
//!
//! The crate has no features.

#![forbid(unsafe_code)]

pub mod builder;
pub mod codegen;
pub mod compile;
pub mod explain;
pub mod lint;
pub mod lower;
pub mod regex;
pub mod typed;

pub use spl_grammar as grammar;
pub use spl_ir as ir;

pub use builder::{BuildError, Builder};
pub use compile::{
    compile_file, compile_rule, compile_spl, lower_parsed, on_compiler_stack, with_stack_for_many,
    CompileErrors, CompiledRule,
};
