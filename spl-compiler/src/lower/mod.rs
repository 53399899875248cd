//! Lowering: from the syntax tree (after macro expansion) to the IR.
//!
//! This is where meaning is checked. Every problem is a [`LowerError`] with the span of the
//! SPL at fault: an unknown command or function, a wrong number of arguments, a regex the
//! engine cannot run, a bad option value, a boolean assigned by `eval`. Lowering collects
//! every error of a query before failing.

mod command;
mod eval;
mod search;

use spl_grammar::ast::{Command, Query};
use spl_grammar::Span;

use crate::ir::{Pred, Program, RegexLit};

/// Why a parsed query has no meaning splc can run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerError {
    /// A stable code (see [`codes`]).
    pub code: &'static str,
    /// Where the problem is.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// A short label for the caret.
    pub label: String,
    /// Extra help.
    pub notes: Vec<String>,
}

/// The codes of lowering errors, each with an example of the mistake.
///
/// | code | meaning | example |
/// |---|---|---|
/// | `L0001` | unknown or unsupported command | `\| frobnicate x` |
/// | `L0002` | unknown function | `where ormatch(a, "x")` |
/// | `L0003` | wrong number of arguments | `where match(a = "x")` |
/// | `L0004` | regex the engine cannot run | `regex f="(?<=a)b(?=c)"` |
/// | `L0005` | bad option or argument value | `bin span=fast` |
/// | `L0006` | boolean where a value is needed, or the reverse | `eval x = a > 1` |
/// | `L0007` | unexpanded macro call | `` `undefined_macro` `` |
/// | `L0008` | unsupported form of a supported command | `rex mode=sed "q/a/"` |
pub mod codes {
    /// Unknown or unsupported command.
    pub const UNKNOWN_COMMAND: &str = "L0001";
    /// Unknown function.
    pub const UNKNOWN_FUNCTION: &str = "L0002";
    /// Wrong number of arguments.
    pub const ARITY: &str = "L0003";
    /// Regex the engine cannot run.
    pub const BAD_REGEX: &str = "L0004";
    /// Bad option or argument value.
    pub const BAD_VALUE: &str = "L0005";
    /// Boolean where a value is needed, or the reverse.
    pub const TYPE: &str = "L0006";
    /// Unexpanded macro call.
    pub const MACRO: &str = "L0007";
    /// Unsupported form of a supported command.
    pub const UNSUPPORTED: &str = "L0008";
}

impl LowerError {
    pub(crate) fn new(code: &'static str, span: Span, message: impl Into<String>) -> Self {
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
pub fn lower(query: &Query) -> Result<Program, Vec<LowerError>> {
    let mut cx = Lowerer::default();
    let mut stages = query.stages.iter();
    let filter = match stages.next() {
        Some(stage) => match &stage.command {
            Command::Search(s) => {
                cx.check_trailing(stage);
                match &s.expr {
                    Some(e) => search::lower_search(&mut cx, e),
                    None => Pred::True,
                }
            }
            _ => {
                cx.stage(stage);
                Pred::True
            }
        },
        None => Pred::True,
    };
    for stage in stages {
        cx.stage(stage);
    }
    if cx.errors.is_empty() {
        Ok(Program::new(filter, cx.stages))
    } else {
        Err(cx.errors)
    }
}

/// State of one lowering run.
#[derive(Default)]
pub(crate) struct Lowerer {
    pub(crate) errors: Vec<LowerError>,
    pub(crate) stages: Vec<crate::ir::Stage>,
}

impl Lowerer {
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

    /// Translate a PCRE pattern written in the rule at `span`, for a use that needs only
    /// `match_span_exact == false` (a test, or the first match's captures) or the exact
    /// span of every match (`true`: replacement, repeated extraction).
    pub(crate) fn regex(
        &mut self,
        pattern: &str,
        span: Span,
        match_span_exact: bool,
    ) -> Option<RegexLit> {
        match crate::regex::translate(pattern) {
            Ok(t) if t.lookbehind_prefix_consumed && match_span_exact => {
                self.error(
                    LowerError::new(
                        codes::BAD_REGEX,
                        span,
                        "a lookbehind `(?<=...)` is supported only where a match is tested or its first captures are read",
                    )
                    .label("this pattern starts with a lookbehind")
                    .note("splc's regex engine has no lookbehind; a leading one is rewritten to a consumed prefix, which would change what a replacement or a repeated extraction sees"),
                );
                None
            }
            Ok(t) => Some(RegexLit {
                source: pattern.to_owned(),
                translated: t.pattern,
                names: t.names,
            }),
            Err(e) => {
                self.error(
                    LowerError::new(codes::BAD_REGEX, span, format!("bad regex: {}", e.message))
                        .label("in this pattern")
                        .note(format!(
                            "at byte {} of the pattern `{}`",
                            e.offset,
                            pattern.get(e.offset..).map_or(pattern, |rest| rest)
                        )),
                );
                None
            }
        }
    }
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
