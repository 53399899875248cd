//! The SPL front end: grammar, typed syntax tree, macros, rule files and diagnostics.
//!
//! `spl-grammar` reads the text of a detection rule and nothing more: it says whether the
//! text is SPL and what its syntax tree is. What the tree means is checked when
//! `spl-compiler` lowers it.
//!
//! - [`parse_query`]: SPL text to an [`ast::Query`], every node with the [`Span`] of its
//!   text and its values after SPL's unescaping; [`ast::print`] writes a tree back as
//!   canonical SPL.
//! - [`RuleFile`], [`load_rule`], [`load_rules_dir`]: rule files (the armory's YAML format or
//!   bare `.spl`), with a map from the `logic` string back to the file ([`RuleSource`]).
//! - [`MacroTable`]: macro definitions from `macros.conf` files, and the built-in defaults
//!   for data-source macros; [`macros::expand()`] expands them, with a [`SourceMap`] from the
//!   expanded text back to the text as written.
//! - [`parse_rule`], [`parse_spl`]: the whole front end, load → parse → expand → parse again,
//!   giving a [`ParsedRule`] (both trees, the expanded text, the notes).
//! - [`Diagnostic`]: what every phase reports, with a stable [`Code`] and rendering.
//!
//! ```
//! use spl_grammar::{parse_spl, MacroTable, Phase};
//!
//! let macros = MacroTable::new();
//! let parsed = parse_spl("`get_endpoint_data` TERM(install) | table host", &macros)?;
//! assert_eq!(parsed.expanded.stages.len(), 2);
//! // The data-source macro has no definition: it matches every event, and a note says so.
//! assert_eq!(parsed.notes[0].code.as_str(), "N0201");
//!
//! let err = parse_spl("`group_events(user)` x", &macros).expect_err("undefined macro");
//! assert_eq!(err.phase(), Phase::Macro);
//! assert_eq!(err.code().as_str(), "E0201");
//! # Ok::<(), spl_grammar::Error>(())
//! ```
//!
//! # Errors
//!
//! The front end fails with an [`Error`]: the [`Phase`] that failed (load, parse or macro)
//! and one [`Diagnostic`] whose spans point into the rule *file*, so that its `Display`
//! shows `path:line:col`, the source line and a caret under the fault. [`parse_query`] on
//! its own returns a [`ParseError`] with a span into its input. No input makes this crate
//! panic (the parser and the front end are fuzzed, see `fuzz/`).
//!
//! The crate has no features.

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
pub use rule::{
    list_rule_paths, load_rule, load_rule_paths, load_rules_dir, ListedPath, LoadedRule, RuleFile,
    RuleSource,
};
pub use span::{LineCol, LineIndex, Span};
