//! Tokens shared by every builder: spans, quoted strings, spliced words, names.

use std::borrow::Cow;

use pest::iterators::Pair;

use super::grammar::Rule;
use crate::ast::{Ident, Literal};
use crate::span::Span;

/// The byte span of a pair, without trailing white space.
///
/// A rule that ends in an optional or repeated part also takes the white space that pest
/// skips before trying that part; nodes should not.
pub(crate) fn span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    let text = pair.as_str();
    let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n']);
    Span::new(s.start(), s.start() + trimmed.len())
}

/// The byte span of a pair exactly as matched (for token rules whose text may end in
/// white space, such as the raw body of `TERM( x )`).
pub(crate) fn raw_span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// Undo SPL's escapes inside double quotes: `\\` → `\`, `\"` → `"`, `\|` → `|`. Every
/// other backslash stays as written (`\s` is a backslash and an `s`).
pub(crate) fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next @ ('\\' | '"' | '|')) => out.push(next),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of an unquoted token: `\"` is a literal `"` (the grammar's `bare_quote`:
/// `*\"privileged\":true*` is `*"privileged":true*`); every other backslash stays as
/// written (`C:\\Windows` keeps both). Double-quoted parts that a token keeps as written
/// (the body of `TERM(a "b c")`) are left as they are, escapes and all.
pub(crate) fn bare_text(text: &str) -> Cow<'_, str> {
    if !text.contains("\\\"") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quote => {
                out.push(c);
                out.extend(chars.next());
            }
            '\\' if chars.as_str().starts_with('"') => {
                out.push('"');
                chars.next();
            }
            '"' => {
                in_quote = !in_quote;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The unescaped content of a `quoted` pair.
pub(crate) fn quoted_value(pair: Pair<'_, Rule>) -> String {
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees a quoted string has an inner part");
    unescape(inner.as_str())
}

/// A literal from a pair whose children are quoted strings and unquoted pieces written
/// with no space between (`word`, `option_value`, `search_value`, `in_value`): the pieces
/// joined, quoted ones unescaped, unquoted ones read by [`bare_text`] (an option's
/// `eval(...)` or `(...)` value is kept as written).
pub(crate) fn literal(pair: Pair<'_, Rule>) -> Literal {
    let span = span(&pair);
    let mut value = String::new();
    let mut quoted = false;
    for piece in pair.into_inner() {
        match piece.as_rule() {
            Rule::quoted => {
                quoted = true;
                value.push_str(&quoted_value(piece));
            }
            Rule::eval_value | Rule::paren_value => value.push_str(piece.as_str()),
            _ => value.push_str(&bare_text(piece.as_str())),
        }
    }
    Literal {
        value,
        quoted,
        span,
    }
}

/// A literal from a single `quoted` pair.
pub(crate) fn quoted_literal(pair: Pair<'_, Rule>) -> Literal {
    let span = span(&pair);
    Literal {
        value: quoted_value(pair),
        quoted: true,
        span,
    }
}

/// A bare literal: the pair's text as written, read by [`bare_text`].
pub(crate) fn bare_literal(pair: &Pair<'_, Rule>) -> Literal {
    Literal {
        value: bare_text(pair.as_str()).into_owned(),
        quoted: false,
        span: raw_span(pair),
    }
}

/// A name written as the pair's text.
pub(crate) fn ident(pair: &Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span(pair),
    }
}

/// A `field_name` pair (bare or double-quoted pieces, glued) as an identifier: the pieces
/// joined, quoted ones unescaped.
pub(crate) fn field_name(pair: Pair<'_, Rule>) -> Ident {
    let span = span(&pair);
    let mut name = String::new();
    for piece in pair.into_inner() {
        match piece.as_rule() {
            Rule::quoted => name.push_str(&quoted_value(piece)),
            _ => name.push_str(piece.as_str()),
        }
    }
    Ident { name, span }
}

#[cfg(test)]
mod tests {
    use super::{bare_text, unescape};

    #[test]
    fn bare_text_reads_only_the_escaped_quote() {
        assert_eq!(
            bare_text(r#"*\"privileged\":true*"#),
            r#"*"privileged":true*"#
        );
        assert_eq!(bare_text(r"C:\\Windows\x\*"), r"C:\\Windows\x\*");
        // `\\"`: a backslash, then the escaped quote.
        assert_eq!(bare_text(r#"a\\"b"#), r#"a\"b"#);
        assert_eq!(bare_text("end\\"), "end\\");
        // A quoted part of a TERM body stays as written.
        assert_eq!(bare_text(r#"\"a "b\"c" d\""#), r#""a "b\"c" d""#);
    }

    #[test]
    fn only_three_escapes_are_undone() {
        assert_eq!(unescape(r"a\\b"), r"a\b");
        assert_eq!(unescape(r#"a\"b"#), r#"a"b"#);
        assert_eq!(unescape(r"a\|b"), "a|b");
        assert_eq!(unescape(r"\s\x5c\$"), r"\s\x5c\$");
        assert_eq!(unescape(r"C:\\Users\\*"), r"C:\Users\*");
        assert_eq!(unescape("end\\"), "end\\");
    }
}
