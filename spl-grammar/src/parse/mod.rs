//! From SPL text to the typed AST.
//!
//! The grammar is `spl.pest`; one builder function per grammar rule turns pest pairs into
//! [`crate::ast`] nodes (`pipeline.rs`, `search.rs`, `eval.rs`, `command.rs`). Errors get
//! their position from a small lexical pass (`lex.rs`: quotes, backticks, brackets,
//! parentheses) and their words from `diagnose.rs`, never from grammar rule names.

mod command;
mod diagnose;
mod eval;
mod grammar;
mod lex;
mod pipeline;
mod search;
mod text;

use pest::Parser;

use crate::ast::Query;
use crate::span::Span;
use grammar::{Rule, SplParser};

/// Why a text is not valid SPL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Where the problem is (an opening quote that is never closed, the unexpected
    /// character, ...).
    pub span: Span,
    /// What is wrong, in words (`expected a closing parenthesis`), never grammar rule names.
    pub message: String,
    /// A short label for the caret (`this quote is never closed`).
    pub label: String,
    /// Extra lines of help.
    pub notes: Vec<String>,
}

impl ParseError {
    /// The same error with one more note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}", self.message, self.span)
    }
}

impl std::error::Error for ParseError {}

/// A parse error at `span`.
pub(crate) fn error(
    span: Span,
    message: impl Into<String>,
    label: impl Into<String>,
) -> ParseError {
    ParseError {
        span,
        message: message.into(),
        label: label.into(),
        notes: Vec::new(),
    }
}

/// What the builders return.
pub(crate) type PResult<T> = Result<T, ParseError>;

/// Parse a whole query (a pipeline of stages).
///
/// The whole text must be SPL: trailing text that belongs to no stage is an error. Every
/// node of the result carries its byte span into `src`.
///
/// ```
/// use spl_grammar::ast::{Command, SearchKind};
///
/// let q = spl_grammar::parse_query(r#"`get_endpoint_data` "cmd.exe" | table host"#).unwrap();
/// assert_eq!(q.stages.len(), 2);
/// let Command::Search(search) = &q.stages[0].command else { panic!() };
/// let Some(expr) = &search.expr else { panic!() };
/// assert!(matches!(&expr.kind, SearchKind::And(items) if items.len() == 2));
/// ```
///
/// # Errors
///
/// A [`ParseError`] naming the first problem found and where it is: an unterminated quoted
/// string points at its opening quote, an unclosed parenthesis at the `(`, an extra `)` at
/// itself, a broken macro call at its backtick or parenthesis.
pub fn parse_query(src: &str) -> Result<Query, ParseError> {
    let src = &*lex::blank_comments(src);
    lex::precheck(src)?;
    let mut pairs = SplParser::parse(Rule::query, src).map_err(|e| diagnose::explain(src, &e))?;
    let query = pairs.next().expect("grammar guarantees one query");
    pipeline::query(query)
}
