//! The crate's error type: a [`Diagnostic`] and the [`Phase`] that produced it.

use crate::diagnostic::{Code, Diagnostic, SourceFile};

/// The phase of the front end (or of the compiler after it) that found a problem.
///
/// The phases run in this order; a rule that fails in a phase has passed all earlier ones
/// (a rule that fails at [`Phase::Macro`] has parsed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Reading a rule file or a `macros.conf`.
    Load,
    /// Parsing the SPL text as written (macro calls are nodes).
    Parse,
    /// Expanding macros and parsing the expanded text.
    Macro,
    /// Lowering the syntax tree to the IR (in `spl-compiler`).
    Lower,
}

impl Phase {
    /// The lower-case name (`load`, `parse`, `macro`, `lower`).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Parse => "parse",
            Phase::Macro => "macro",
            Phase::Lower => "lower",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of the front end: which phase failed, and the diagnostic to show.
///
/// `Display` renders the diagnostic in plain text (`error[E0201]: ...`, ` --> path:line:col`,
/// the source line with a caret, notes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .diagnostic.render_plain())]
pub struct Error {
    /// The phase that failed.
    pub phase: Phase,
    /// What to tell the user.
    pub diagnostic: Box<Diagnostic>,
}

impl Error {
    /// An error of `phase`.
    pub fn new(phase: Phase, diagnostic: Diagnostic) -> Self {
        Error {
            phase,
            diagnostic: Box::new(diagnostic),
        }
    }

    /// The phase that failed.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The diagnostic.
    pub fn diagnostic(&self) -> &Diagnostic {
        &self.diagnostic
    }

    /// The diagnostic's code.
    pub fn code(&self) -> Code {
        self.diagnostic.code
    }

    /// The diagnostic rendered with ANSI colours.
    pub fn render_color(&self) -> String {
        self.diagnostic.render_color()
    }

    /// A load error (`E0001`) for a file that cannot be read.
    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        Error::new(
            Phase::Load,
            Diagnostic::error(Code::IO, format!("cannot read `{}`: {err}", path.display()))
                .with_source(SourceFile::new(path.display().to_string(), "")),
        )
    }
}

impl From<Error> for Diagnostic {
    fn from(err: Error) -> Diagnostic {
        *err.diagnostic
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    #[test]
    fn display_is_the_plain_rendering() {
        let d = Diagnostic::error(Code::UNDEFINED_MACRO, "undefined macro `x`")
            .with_primary(Span::new(0, 3), "")
            .with_source(SourceFile::new("a.spl", "`x`"));
        let err = Error::new(Phase::Macro, d.clone());
        assert_eq!(err.to_string(), d.render_plain());
        assert_eq!(err.phase(), Phase::Macro);
        assert_eq!(err.code(), Code::UNDEFINED_MACRO);
        assert!(Phase::Load < Phase::Parse && Phase::Macro < Phase::Lower);
    }

    #[test]
    fn io_errors_name_the_path() {
        let e = std::io::Error::new(std::io::ErrorKind::NotFound, "not found");
        let err = Error::io(std::path::Path::new("rules/x.yml"), &e);
        assert_eq!(err.phase(), Phase::Load);
        assert!(err
            .to_string()
            .starts_with("error[E0001]: cannot read `rules/x.yml`"));
    }
}
