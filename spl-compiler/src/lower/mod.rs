//! Lowering: from the syntax tree (after macro expansion) to the IR.
//!
//! This is where meaning is checked. Every problem is a [`LowerError`] with the span of the
//! SPL at fault: an unknown command or function, a wrong number of arguments, a regex the
//! engine cannot run, a bad option value, a boolean assigned by `eval`. Lowering collects
//! every error of a query before failing.
//!
//! Given the query's text ([`lower_with_source`]), an error inside a regex points at the
//! very character of the pattern at fault, through SPL's unescaping of the quoted string.

mod command;
pub use command::needs_outside;
mod datamodel;
mod eval;
mod fieldcmd;
mod origin;
mod search;
mod txn;

use spl_grammar::ast::{Command, Query};
use spl_grammar::{Code, Span};

use crate::ir::{Pred, Program, RegexLit};
use origin::Origin;

/// Why a parsed query has no meaning splc can run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerError {
    /// A stable code (see [`codes`]).
    pub code: Code,
    /// Where the problem is.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// A short label for the caret.
    pub label: String,
    /// Extra help.
    pub notes: Vec<String>,
}

/// The codes of lowering errors, each with an example of the mistake. They follow the
/// scheme of every diagnostic (`spl_grammar::diagnostic`): the hundreds digit is the phase,
/// `3` for lowering.
///
/// | code | meaning | example |
/// |---|---|---|
/// | `E0301` | unknown or unsupported command | `\| frobnicate x` |
/// | `E0302` | unknown function | `where ormatch(a, "x")` |
/// | `E0303` | wrong number of arguments | `where match(a = "x")` |
/// | `E0304` | regex the engine cannot run | `regex f="(?<=a+)b"` |
/// | `E0305` | bad option or argument value | `bin span=fast` |
/// | `E0306` | boolean where a value is needed, or the reverse | `eval x = a > 1` |
/// | `E0307` | unexpanded macro call | `` `undefined_macro` `` |
/// | `E0308` | unsupported form of a supported command | `rex mode=sed "q/a/"` |
pub mod codes {
    use spl_grammar::Code;

    /// Unknown or unsupported command.
    pub const UNKNOWN_COMMAND: Code = Code("E0301");
    /// Unknown function.
    pub const UNKNOWN_FUNCTION: Code = Code("E0302");
    /// Wrong number of arguments.
    pub const ARITY: Code = Code("E0303");
    /// Regex the engine cannot run.
    pub const BAD_REGEX: Code = Code("E0304");
    /// Bad option or argument value.
    pub const BAD_VALUE: Code = Code("E0305");
    /// Boolean where a value is needed, or the reverse.
    pub const TYPE: Code = Code("E0306");
    /// Unexpanded macro call.
    pub const MACRO: Code = Code("E0307");
    /// Unsupported form of a supported command.
    pub const UNSUPPORTED: Code = Code("E0308");
}

impl LowerError {
    pub(crate) fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        LowerError {
            code,
            span,
            message: message.into(),
            label: String::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub(crate) fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// Lower a parsed (macro-expanded) query to a program, or say every reason it cannot run.
///
/// Without the query's text, an error inside a quoted regex points at the whole string;
/// [`lower_with_source`] points at the character.
pub fn lower(query: &Query) -> Result<Program, Vec<LowerError>> {
    run(query, None)
}

/// [`lower`], given the text `query` was parsed from (for a rule after macro expansion:
/// `ParsedRule::expanded_text`), so that an error in a regex points at the exact byte of
/// the pattern at fault, even inside a quoted string with escapes.
///
/// ```
/// let src = r#"x | regex process="a\"(b""#;
/// let query = spl_grammar::parse_query(src).expect("parses");
/// let errors = spl_compiler::lower::lower_with_source(&query, src).expect_err("bad regex");
/// assert_eq!(errors[0].message, "invalid regex: missing `)` for the group opened here");
/// assert_eq!(errors[0].span.slice(src), "(");
/// ```
pub fn lower_with_source(query: &Query, source: &str) -> Result<Program, Vec<LowerError>> {
    run(query, Some(source))
}

fn run(query: &Query, source: Option<&str>) -> Result<Program, Vec<LowerError>> {
    let mut cx = Lowerer {
        source,
        ..Lowerer::default()
    };
    let mut stages = query.stages.iter();
    let filter = match stages.next() {
        Some(stage) => match &stage.command {
            Command::Search(s) => {
                cx.check_trailing(stage);
                match &s.expr {
                    Some(e) => {
                        let full = search::lower_search_command(&mut cx, e);
                        if cx.subsearches.is_empty() {
                            full
                        } else {
                            // The rule's own search keeps what needs no subsearch; the
                            // whole search is tested once the subsearches have run.
                            let own = search::without_subsearches(&full);
                            cx.filter = Some(own.clone());
                            command::push_subsearch_filter(&mut cx, full);
                            own
                        }
                    }
                    None => Pred::constant(true),
                }
            }
            _ => {
                cx.stage(stage);
                Pred::constant(true)
            }
        },
        None => Pred::constant(true),
    };
    cx.filter = Some(filter.clone());
    for stage in stages {
        cx.stage(stage);
    }
    // The rule takes the events of its search and of its subsearches (its own search is
    // then the first command of its first join).
    let filter = if cx.join_filters.is_empty() {
        filter
    } else {
        Pred::or(std::iter::once(filter).chain(std::mem::take(&mut cx.join_filters)))
    };
    if cx.errors.is_empty() {
        Ok(Program::new(filter, cx.stages))
    } else {
        Err(cx.errors)
    }
}

/// State of one lowering run.
#[derive(Default)]
pub(crate) struct Lowerer<'s> {
    pub(crate) errors: Vec<LowerError>,
    pub(crate) stages: Vec<crate::ir::Stage>,
    /// The searches of the `join` subsearches: the rule takes the events they match too.
    pub(crate) join_filters: Vec<Pred>,
    /// True while lowering a subsearch (a `join` inside one is not supported).
    pub(crate) in_subsearch: bool,
    /// True while lowering the first command of a subsearch written `[| command ...]`,
    /// where a data-model command may start it.
    pub(crate) subsearch_start: bool,
    /// The subsearches of the search being lowered (see [`crate::ir::SubsearchFilterStage`]).
    pub(crate) subsearches: Vec<crate::ir::Subsearch>,
    /// True while lowering a search command's expression, where a subsearch may stand.
    pub(crate) subsearch_ok: bool,
    /// The rule's own search, once lowered (the first join's first command).
    pub(crate) filter: Option<Pred>,
    /// The text the query was parsed from, when known.
    source: Option<&'s str>,
}

impl Lowerer<'_> {
    pub(crate) fn error(&mut self, e: LowerError) {
        self.errors.push(e);
    }

    fn check_trailing(&mut self, stage: &spl_grammar::ast::Stage) {
        for m in &stage.trailing_macros {
            self.error(unexpanded(m));
        }
    }

    fn stage(&mut self, stage: &spl_grammar::ast::Stage) {
        self.check_trailing(stage);
        command::lower_command(self, &stage.command, stage.span);
    }

    /// Where the pattern `value`, written as the word (quoted or not) at `span`, came from.
    pub(crate) fn origin(&self, value: &str, span: Span) -> Origin {
        Origin::of_word(value, span, self.source)
    }

    /// Translate a PCRE pattern written in the rule at `origin`, for a use that needs only
    /// `match_span_exact == false` (a test, or the first match's captures) or the exact
    /// span of every match (`true`: replacement, repeated extraction).
    pub(crate) fn regex(
        &mut self,
        pattern: &str,
        origin: &Origin,
        match_span_exact: bool,
    ) -> Option<RegexLit> {
        match crate::regex::translate(pattern) {
            Ok(t) if t.lookbehind_prefix_consumed && match_span_exact => {
                let at = pattern
                    .find("(?<=")
                    .map_or(origin.literal(), |i| origin.locate(Span::new(i, i + 4)));
                self.error(
                    LowerError::new(
                        codes::BAD_REGEX,
                        at,
                        "a lookbehind `(?<=...)` is supported only where a match is tested or its first captures are read",
                    )
                    .label(if origin.is_exact() {
                        "this lookbehind"
                    } else {
                        "this pattern starts with a lookbehind"
                    })
                    .note("a leading lookbehind that is the pattern's only lookaround is rewritten to a consumed prefix for splc's main regex engine, which would change what a replacement or a repeated extraction sees"),
                );
                None
            }
            Ok(t) => Some(RegexLit {
                source: pattern.to_owned(),
                literals: crate::regex::literals(&t.pattern),
                translated: t.pattern,
                names: t.names,
            }),
            Err(e) => {
                self.error(bad_regex(pattern, origin, &e));
                None
            }
        }
    }
}

/// The error for a pattern the translator refused, with the caret under the pattern's
/// offending characters as written in the query.
fn bad_regex(pattern: &str, origin: &Origin, e: &crate::regex::RegexError) -> LowerError {
    let message = format!("invalid regex: {}", e.message);
    // As written, but with control characters visible.
    let shown = |s: &str| {
        let text: String = s
            .chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        format!("`{text}`")
    };
    // The translator checks its own output last; such an error has no character of the
    // pattern to blame.
    if e.message.starts_with("the translated pattern") {
        return LowerError::new(codes::BAD_REGEX, origin.literal(), message)
            .label("this pattern")
            .note("the error is in splc's translation of the pattern for its regex engine, so it cannot be traced to one character; the caret marks the whole pattern");
    }
    let at = Span::new(e.offset, e.offset + e.len);
    let construct = pattern.get(at.start..at.end).unwrap_or("");
    if !origin.is_exact() {
        let what = if construct.is_empty() {
            format!("at byte {} of the pattern {}", e.offset, shown(pattern))
        } else {
            format!(
                "{} at byte {} of the pattern {}",
                shown(construct),
                e.offset,
                shown(pattern)
            )
        };
        return LowerError::new(codes::BAD_REGEX, origin.literal(), message)
            .label("in this pattern")
            .note(what);
    }
    let label = if construct.is_empty() {
        "the pattern ends here"
    } else {
        "here"
    };
    let mut err = LowerError::new(codes::BAD_REGEX, origin.locate(at), message).label(label);
    if origin.is_rewritten() {
        err = err.note(format!(
            "the regex engine reads the pattern as {}, after SPL's unescaping (`\\\\` → `\\`, `\\\"` → `\"`, `\\|` → `|` inside double quotes)",
            shown(pattern)
        ));
    }
    err
}

pub(crate) fn unexpanded(m: &spl_grammar::ast::MacroCall) -> LowerError {
    LowerError::new(
        codes::MACRO,
        m.span,
        format!("macro `{}` was not expanded", m.name.name),
    )
    .label("unexpanded macro call")
    .note("expand macros before lowering (the front end does this with a macro table)")
}
