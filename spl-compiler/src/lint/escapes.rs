//! `W0305`: a regex in a quoted string whose `\\` collapses into a regex escape.
//!
//! SPL unescapes `\\` to `\` in double-quoted strings before the regex sees the text, so
//! `"C:\\Windows"` reaches PCRE as `C:\Windows`, where `\W` is "a character that is not a
//! word character" and the pattern no longer holds a backslash. The lint looks for `\\`
//! followed by a letter that makes a regex escape (`\A`, `\d`, `\s`, `\W`, ...) and then
//! by another letter, the shape of a path or word (`\\Windows`, `\\system32`); `\\d+` or
//! `\\s*`, where the escape is plainly meant, are left alone, and so is `\\b` (a word
//! boundary is what `\\bword` usually means).

use spl_grammar::ast::{Command, Expr, ExprKind, Literal, Query};
use spl_grammar::{Diagnostic, Span};

use super::COLLAPSING_ESCAPE;

/// The regex escapes that a letter after a backslash makes, other than `\b`.
const ESCAPE_LETTERS: &str = "ADGHKNRSVWXZdhsvwz";

fn meaning(letter: char) -> &'static str {
    match letter {
        'A' => "the start of the text",
        'Z' | 'z' => "the end of the text",
        'G' => "the end of the previous match",
        'd' => "a digit",
        'D' => "a character that is not a digit",
        's' => "a space character",
        'S' => "a character that is not a space",
        'w' => "a word character",
        'W' => "a character that is not a word character",
        'h' => "a horizontal space",
        'H' => "a character that is not a horizontal space",
        'v' => "a vertical space",
        'V' => "a character that is not a vertical space",
        'K' => "a reset of the match start",
        'N' => "a character that is not a newline",
        'R' => "a line break",
        'X' => "a grapheme cluster",
        _ => "a regex escape",
    }
}

/// Check the source text of a quoted regex at `span` of `text`.
fn check(text: &str, span: Span, found: &mut Vec<Diagnostic>) {
    let Some(source) = text.get(span.start..span.end) else {
        return;
    };
    if !source.starts_with('"') {
        return;
    }
    let bytes = source.as_bytes();
    let mut i = 1;
    while i + 3 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        // `\\\\` is an escaped backslash pair: a literal backslash reaches the regex.
        if bytes[i + 1] == b'\\' && bytes.get(i + 2) == Some(&b'\\') {
            i += 4;
            continue;
        }
        if bytes[i + 1] == b'\\' {
            let (letter, next) = (bytes[i + 2] as char, bytes[i + 3] as char);
            if ESCAPE_LETTERS.contains(letter) && next.is_ascii_alphabetic() {
                let at = span.start + i;
                found.push(
                    Diagnostic::warning(
                        COLLAPSING_ESCAPE,
                        format!(
                            "`\\\\{letter}` reaches the regex as `\\{letter}`, {}",
                            meaning(letter)
                        ),
                    )
                    .with_primary(Span::new(at, at + 3), "SPL unescapes `\\\\` to `\\` first")
                    .with_note(format!(
                        "in a quoted string `\\\\` is one backslash, so the regex sees the escape \
                         `\\{letter}`, not a backslash and `{letter}`; for a backslash write \
                         `\\\\\\\\{letter}` or `\\x5c{letter}`"
                    )),
                );
            }
            i += 2;
            continue;
        }
        i += 2;
    }
}

fn literal(lit: &Literal, text: &str, found: &mut Vec<Diagnostic>) {
    if lit.quoted {
        check(text, lit.span, found);
    }
}

/// The regex arguments of eval functions: `match(s, re)`, `replace(s, re, r)`,
/// `mvfind(mv, re)`.
fn expr(e: &Expr, text: &str, found: &mut Vec<Diagnostic>) {
    if let ExprKind::Call { name, args } = &e.kind {
        let lower = name.name.to_ascii_lowercase();
        if matches!(lower.as_str(), "match" | "replace" | "mvfind") {
            if let Some(Expr {
                kind: ExprKind::Str(_),
                span,
            }) = args.get(1)
            {
                check(text, *span, found);
            }
        }
    }
    for child in e.children() {
        expr(child, text, found);
    }
}

/// The warnings of `query`, whose spans point into `text`.
pub(super) fn lint_escapes(query: &Query, text: &str, found: &mut Vec<Diagnostic>) {
    for stage in &query.stages {
        match &stage.command {
            Command::Regex(r) => literal(&r.pattern, text, found),
            Command::Rex(r) if !r.sed => literal(&r.pattern, text, found),
            Command::Where(e) => expr(e, text, found),
            Command::Eval(assigns) => {
                for a in assigns {
                    expr(&a.value, text, found);
                }
            }
            Command::Join(j) => lint_escapes(&j.subsearch.query, text, found),
            Command::Foreach(f) => lint_escapes(&f.template.query, text, found),
            _ => {}
        }
    }
}
