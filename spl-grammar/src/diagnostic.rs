//! Diagnostics: what went wrong (or is worth knowing), where, and how to render it.
//!
//! There is one diagnostic type, [`Diagnostic`], for every phase of splc: loading a rule
//! file or a `macros.conf`, parsing SPL, expanding macros, and (in `spl-compiler`)
//! lowering. A diagnostic has a [`Severity`], a stable [`Code`], a message, a primary
//! [`Label`] (a span and a short text shown under the caret), secondary labels, and notes.
//! Its spans are byte offsets into the [`SourceFile`] it carries, which is the file the
//! user wrote (the YAML rule file, not the `logic` string inside it), so that a rendering
//! shows `path:line:col` of that file.
//!
//! Rendering happens in one place, [`Diagnostic::render`], on top of `annotate-snippets`:
//!
//! ```text
//! error[E0201]: undefined macro `group_events(2)`
//!  --> rules/x.yml:9:30
//!   |
//! 9 |   | table host, user `group_events("user, src_ip",10min)`
//!   |                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no macro `group_events` with 2 arguments
//!   |
//!   = note: define it in a macros.conf stanza `[group_events(2)]`
//! ```
//!
//! [`Diagnostic::render_plain`] gives that text without colour (for tests and logs),
//! [`Diagnostic::render_color`] with ANSI colours (for terminals), and
//! [`Diagnostic::line_col`] gives the 1-based line and column of the primary span, for
//! callers that report JSON.
//!
//! # Codes
//!
//! Codes are stable: a code keeps its meaning once released. The first letter gives the
//! default severity (`E` error, `W` warning, `N` note); the first two digits give the
//! phase: `00` loading, `01` parsing, `02` macro expansion, `03` lowering. The lowering
//! codes (`E0301`...) and the compiler's warnings (`W0301`...) are `spl-compiler`'s
//! (`spl_compiler::lower::codes`, `spl_compiler::lint`), in the same scheme.
//!
//! | code | meaning | example of the mistake |
//! |---|---|---|
//! | `E0001` | a file cannot be read | `load_rule("rules/missing.yml")` when the file does not exist |
//! | `E0002` | a rule file is not valid YAML | `logic: '`get_endpoint_data` "cmd.exe` (the quote is never closed) |
//! | `E0003` | a rule file has no `logic`, or it is not a string | a rule with `detection:` instead of `logic:` |
//! | `E0004` | a field of a rule file has the wrong type | `techniques: {a: b}` (a mapping where a list is expected) |
//! | `E0005` | the rule is not written in Splunk SPL | `logic_format: KQL` |
//! | `E0010` | a line of a `macros.conf` is not a stanza, setting or comment | `definition: index=main` (`:` instead of `=`) |
//! | `E0011` | a `macros.conf` stanza name is not `name` or `name(N)` | `[get_data(x)]` |
//! | `E0012` | `args` does not fit the stanza | `[f(2)]` with `args = a` (one name for two arguments), or `args = a, a` |
//! | `E0013` | a boolean setting is not a boolean | `iseval = maybe` |
//! | `E0100` | the SPL text is not valid SPL | `` `get_endpoint_data` "cmd.exe `` (unterminated quoted string) |
//! | `E0201` | a macro is called that has no definition | `` `group_events("user", 10m)` `` without a `[group_events(2)]` stanza |
//! | `E0202` | a macro is called with a number of arguments it is not defined for | `` `group_events(user)` `` when only `[group_events(2)]` exists |
//! | `E0203` | macro expansion does not terminate | `[a]` defined as `` `b` `` and `[b]` defined as `` `a` `` |
//! | `E0204` | a macro with `iseval = true` is called | `` `fooeval(1, 2)` `` with `iseval = true` in its stanza |
//! | `E0205` | a called macro's stanza has no `definition` | `[f]` with only `description = ...` |
//! | `E0206` | macro expansion grows past 1 MiB | `[a]` defined as `` `b` `b` `b` ``, `[b]` as `` `c` `c` `c` ``, ... twenty levels deep |
//! | `N0201` | a data-source macro (`get_*_data*`) has no definition and matches every event | `` `get_endpoint_data` `` without a `macros.conf` |
//! | `W0202` | an undefined macro expands to nothing, because the caller asked for that | `` `apply_al(x)` `` with [`MacroTable::set_undefined_as_empty`](crate::macros::MacroTable::set_undefined_as_empty) |
//! | `W0203` | a macro's `validation` expression is not checked | `` `f(3)` `` with `validation = x > 15` in `[f(1)]` |

use std::fmt;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::parse::ParseError;
use crate::span::{LineCol, LineIndex, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something worth knowing, that changes nothing.
    Note,
    /// Probably a mistake; the rule still compiles.
    Warning,
    /// The rule cannot be used.
    Error,
}

impl Severity {
    /// The lower-case word used in renderings (`error`, `warning`, `note`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable diagnostic code such as `E0201`; see the [module docs](self) for the table.
///
/// Codes are plain strings so that other crates (the compiler) can define their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(pub &'static str);

impl Code {
    /// A file cannot be read.
    pub const IO: Code = Code("E0001");
    /// A rule file is not valid YAML.
    pub const YAML: Code = Code("E0002");
    /// A rule file has no `logic` string.
    pub const NO_LOGIC: Code = Code("E0003");
    /// A field of a rule file has the wrong type.
    pub const FIELD_TYPE: Code = Code("E0004");
    /// The rule's `logic_format` is not Splunk.
    pub const LOGIC_FORMAT: Code = Code("E0005");
    /// A `macros.conf` line is neither stanza, setting nor comment.
    pub const CONF_SYNTAX: Code = Code("E0010");
    /// A `macros.conf` stanza name is malformed.
    pub const CONF_STANZA: Code = Code("E0011");
    /// A macro's `args` does not fit its stanza.
    pub const CONF_ARGS: Code = Code("E0012");
    /// A boolean setting is not a boolean.
    pub const CONF_BOOL: Code = Code("E0013");
    /// The SPL text is not valid SPL.
    pub const SYNTAX: Code = Code("E0100");
    /// A called macro has no definition.
    pub const UNDEFINED_MACRO: Code = Code("E0201");
    /// A macro is called with a number of arguments it is not defined for.
    pub const MACRO_ARITY: Code = Code("E0202");
    /// Macro expansion does not terminate.
    pub const MACRO_RECURSION: Code = Code("E0203");
    /// A macro with `iseval = true` is called.
    pub const MACRO_ISEVAL: Code = Code("E0204");
    /// A called macro has no `definition`.
    pub const MACRO_NO_DEFINITION: Code = Code("E0205");
    /// Macro expansion grows too large.
    pub const MACRO_TOO_LARGE: Code = Code("E0206");
    /// A data-source macro without definition matches every event.
    pub const DATA_SOURCE_DEFAULT: Code = Code("N0201");
    /// An undefined macro expands to nothing, as asked.
    pub const UNDEFINED_AS_EMPTY: Code = Code("W0202");
    /// A macro's `validation` is not checked.
    pub const MACRO_VALIDATION: Code = Code("W0203");

    /// The code as written (`E0201`).
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A text the spans of a diagnostic point into: a rule file, a `macros.conf`, or SPL given
/// as a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in renderings: the path as given, or a placeholder such as `<input>`.
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A source named `name` with text `text`.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The 1-based line and column of byte `offset`.
    pub fn line_col(&self, offset: usize) -> LineCol {
        LineIndex::new(&self.text).line_col(&self.text, offset)
    }
}

/// A span with a short text shown under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The bytes it marks, in the diagnostic's source.
    pub span: Span,
    /// What to say about them (may be empty).
    pub message: String,
}

impl Label {
    /// A label on `span` saying `message`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One message for the user: severity, code, message, where, and why.
///
/// Build one with [`Diagnostic::error`] (or [`warning`](Diagnostic::warning),
/// [`note`](Diagnostic::note)) and the `with_*` methods:
///
/// ```
/// use spl_grammar::diagnostic::{Code, Diagnostic, SourceFile};
/// use spl_grammar::Span;
///
/// let d = Diagnostic::error(Code::UNDEFINED_MACRO, "undefined macro `foo`")
///     .with_primary(Span::new(7, 12), "not defined")
///     .with_note("define it in a macros.conf stanza `[foo]`")
///     .with_source(SourceFile::new("q.spl", "search `foo` | table host"));
/// let text = d.render_plain();
/// assert!(text.starts_with("error[E0201]: undefined macro `foo`\n --> q.spl:1:8\n"));
/// assert_eq!(d.line_col().map(|lc| (lc.line, lc.column)), Some((1, 8)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// What is wrong, in one line.
    pub message: String,
    /// Where it is, with a short label; `None` when no place can be named.
    pub primary: Option<Label>,
    /// Other places that help to understand it.
    pub secondary: Vec<Label>,
    /// Extra lines (`note: ...`).
    pub notes: Vec<String>,
    /// The text the spans point into; `None` until it is known.
    pub source: Option<Arc<SourceFile>>,
}

impl Diagnostic {
    /// A diagnostic of any severity.
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            source: None,
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// A note.
    pub fn note(code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Note, code, message)
    }

    /// The same with the primary label set.
    pub fn with_primary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label::new(span, label));
        self
    }

    /// The same with one more secondary label.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, label));
        self
    }

    /// The same with one more note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The same pointing into `source`.
    pub fn with_source(mut self, source: impl Into<Arc<SourceFile>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A syntax error (`E0100`) from the parser, with spans into the parsed text.
    pub fn from_parse_error(err: &ParseError) -> Self {
        let mut d = Diagnostic::error(Code::SYNTAX, err.message.clone())
            .with_primary(err.span, err.label.clone());
        d.notes.extend(err.notes.iter().cloned());
        d
    }

    /// Apply `f` to every span (primary and secondary), e.g. to move them from one text
    /// into another.
    pub fn map_spans(mut self, mut f: impl FnMut(Span) -> Span) -> Self {
        if let Some(label) = &mut self.primary {
            label.span = f(label.span);
        }
        for label in &mut self.secondary {
            label.span = f(label.span);
        }
        self
    }

    /// The 1-based line and column where the primary span starts, when there is one and
    /// the source is known.
    pub fn line_col(&self) -> Option<LineCol> {
        let source = self.source.as_ref()?;
        let label = self.primary.as_ref()?;
        Some(source.line_col(label.span.start))
    }

    /// `path:line:col` of the primary span, when known.
    pub fn location(&self) -> Option<String> {
        let source = self.source.as_ref()?;
        let lc = self.line_col()?;
        Some(format!("{}:{}:{}", source.name, lc.line, lc.column))
    }

    /// Render without colour (for tests, logs and `Display`).
    pub fn render_plain(&self) -> String {
        self.render(false)
    }

    /// Render with ANSI colours (for terminals).
    pub fn render_color(&self) -> String {
        self.render(true)
    }

    /// Render as text, with ANSI colours when `color` is true.
    ///
    /// The layout: `error[CODE]: message`, then ` --> path:line:col`, the source lines
    /// with a caret under each span and its label, then one `= note: ...` line per note.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let title = level
            .primary_title(self.message.as_str())
            .id(self.code.as_str());
        let mut group: Group<'_> = Group::with_title(title);
        if let Some(source) = &self.source {
            let len = source.text.len();
            let clamp = |span: Span| {
                let start = floor_char_boundary(&source.text, span.start.min(len));
                let end = ceil_char_boundary(&source.text, span.end.clamp(start, len));
                start..end
            };
            let mut snippet = Snippet::source(&*source.text).path(source.name.as_str());
            let mut any = false;
            if let Some(label) = &self.primary {
                snippet = snippet.annotation(
                    AnnotationKind::Primary
                        .span(clamp(label.span))
                        .label(non_empty(&label.message)),
                );
                any = true;
            }
            for label in &self.secondary {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(label.span))
                        .label(non_empty(&label.message)),
                );
                any = true;
            }
            if any {
                group = group.element(snippet);
            }
        }
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        renderer.render(&[group])
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    /// The plain rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_plain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile::new("rules/r.yml", text)
    }

    #[test]
    fn plain_rendering_has_code_location_caret_and_notes() {
        let text = "id: x\nlogic: 'search \"cmd.exe\n  | table host'\n";
        let at = text.find('"').unwrap_or(0);
        let d = Diagnostic::error(Code::SYNTAX, "unterminated quoted string")
            .with_primary(Span::new(at, at + 1), "this quote is never closed")
            .with_note("close it with `\"`")
            .with_source(source(text));
        let expected = "\
error[E0100]: unterminated quoted string
 --> rules/r.yml:2:16
  |
2 | logic: 'search \"cmd.exe
  |                ^ this quote is never closed
  |
  = note: close it with `\"`";
        assert_eq!(d.render_plain(), expected);
        assert_eq!(d.to_string(), expected);
        assert_eq!(
            d.line_col(),
            Some(LineCol {
                line: 2,
                column: 16
            })
        );
        assert_eq!(d.location().as_deref(), Some("rules/r.yml:2:16"));
    }

    #[test]
    fn color_rendering_has_escapes_and_the_same_words() {
        let d = Diagnostic::warning(
            Code::UNDEFINED_AS_EMPTY,
            "undefined macro `x` expands to nothing",
        )
        .with_primary(Span::new(0, 3), "here")
        .with_source(source("`x` foo"));
        let colored = d.render_color();
        assert!(colored.contains('\u{1b}'));
        assert!(colored.contains("undefined macro `x` expands to nothing"));
        assert!(d.render_plain().starts_with("warning[W0202]: "));
    }

    #[test]
    fn without_source_only_title_and_notes() {
        let d = Diagnostic::note(Code::DATA_SOURCE_DEFAULT, "n").with_note("more");
        let text = d.render_plain();
        assert!(text.starts_with("note[N0201]: n"));
        assert!(text.contains("= note: more"));
        assert_eq!(d.line_col(), None);
    }

    #[test]
    fn spans_past_the_end_or_inside_a_character_are_clamped() {
        let d = Diagnostic::error(Code::SYNTAX, "x")
            .with_primary(Span::new(2, 99), "")
            .with_source(source("aé"));
        // Must not panic; the caret goes under the 'é'.
        let text = d.render_plain();
        assert!(text.contains(" --> rules/r.yml:1:2"), "{text}");
    }

    #[test]
    fn parse_errors_become_syntax_diagnostics() {
        let err = ParseError {
            span: Span::new(3, 4),
            message: "expected a closing parenthesis".into(),
            label: "this parenthesis".into(),
            notes: vec!["a note".into()],
        };
        let d = Diagnostic::from_parse_error(&err);
        assert_eq!(d.code, Code::SYNTAX);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(
            d.primary,
            Some(Label::new(Span::new(3, 4), "this parenthesis"))
        );
        assert_eq!(d.notes, vec!["a note".to_string()]);
    }
}
