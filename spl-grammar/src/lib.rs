//! The SPL front end: grammar, typed syntax tree, macros, rule files and diagnostics.

#![forbid(unsafe_code)]

pub mod ast;
pub mod diagnostic;
pub mod error;
pub mod front;
pub mod macros;
pub mod parse;
pub mod rule;
pub mod span;

pub use diagnostic::{Code, Diagnostic, Severity, SourceFile};
pub use error::{Error, Phase};
pub use front::{parse_rule, parse_rule_file, parse_spl, ParsedRule};
pub use macros::{MacroDef, MacroTable, SourceMap};
pub use parse::{parse_query, ParseError};
pub use rule::{load_rule, load_rule_paths, load_rules_dir, LoadedRule, RuleFile, RuleSource};
pub use span::{LineCol, LineIndex, Span};
