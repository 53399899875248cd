//! Lexical checks made before the grammar runs, and a lexical view of stages used to
//! explain grammar failures.
//!
//! The grammar alone would report an unterminated quote or an unclosed parenthesis where it
//! gave up, which is usually far from the mistake. These checks find the quote, backtick,
//! bracket or parenthesis that is at fault.
//!
//! Outside double-quoted strings, `\"` is a quote character of an unquoted token and opens
//! no string (`escaped_quote`); the grammar reads it the same way.

use super::{error, ParseError};
use crate::span::Span;

/// One stage of a pipeline as the lexer sees it.
#[derive(Clone, Debug)]
pub(crate) struct Segment {
    /// The stage text, from after its `|` (or the pipeline start) to before the next `|`.
    pub span: Span,
    /// What kind of text the stage holds, for parenthesis checks.
    pub kind: SegmentKind,
}

/// How the parentheses of a stage are to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegmentKind {
    /// A search expression (the first stage, or `search`).
    Search,
    /// An eval expression (`where`, `eval`) or a stats command.
    Eval,
    /// Anything else: parentheses are not structural.
    Other,
}

/// Whether the two bytes at `i` outside a quoted string are `\"`: a literal quote in an
/// unquoted token (`f=*\"x\"*`), not the start of a string. Splunk's own catalog writes
/// it (`last-applied-configuration=*\"privileged\":true*`); read as a string opener, such
/// a quote would never close.
pub(crate) fn escaped_quote(bytes: &[u8], i: usize) -> bool {
    bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'"')
}

/// The most parentheses and brackets that may be open at once.
///
/// Parsing and every later walk over the tree recurse once per level, so input nested
/// deeper than any real rule is refused before it can exhaust the stack.
const MAX_NESTING: usize = 64;

/// The longest run of prefix operators (`NOT`, `!`, `-`) accepted, for the same reason.
const MAX_PREFIX_RUN: usize = 256;

/// The text with every comment blanked out: from three backticks to the next three
/// backticks (```` ```like this``` ````), outside double-quoted strings, every byte of the
/// comment becomes a space, so the text keeps its length and every span stays valid. A
/// comment may stand anywhere white space may. An unclosed ```` ``` ```` is left as it is
/// (the backtick check reports it).
pub(crate) fn blank_comments(src: &str) -> std::borrow::Cow<'_, str> {
    if !src.contains("```") {
        return std::borrow::Cow::Borrowed(src);
    }
    let bytes = src.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let mut in_quote = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_quote || escaped_quote(bytes, i) => i += 1,
            b'"' => in_quote = !in_quote,
            b'`' if !in_quote && bytes[i..].starts_with(b"```") => {
                let Some(len) = src[i + 3..].find("```") else {
                    break;
                };
                let end = i + 3 + len + 3;
                out[i..end].fill(b' ');
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Whole comments, between ASCII backticks, became spaces: the text is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Check quotes, backticks (macro calls) and brackets of the whole text, and that it is
/// not nested absurdly deep.
pub(crate) fn precheck(src: &str) -> Result<(), ParseError> {
    let bytes = src.as_bytes();
    let mut i = 0;
    let mut quote_open: Option<usize> = None;
    let mut macro_open: Option<usize> = None;
    let mut macros = Vec::new();
    let mut brackets: Vec<usize> = Vec::new();
    let mut depth = Depth::default();
    while i < bytes.len() {
        let c = bytes[i];
        if quote_open.is_some() {
            match c {
                b'\\' => i += 1,
                b'"' => quote_open = None,
                _ => {}
            }
        } else {
            if macro_open.is_none() {
                depth.step(src, i)?;
            }
            match c {
                b'\\' if escaped_quote(bytes, i) => i += 1,
                b'"' => quote_open = Some(i),
                b'`' => match macro_open.take() {
                    Some(start) => macros.push(Span::new(start, i + 1)),
                    None => macro_open = Some(i),
                },
                b'[' if macro_open.is_none() => brackets.push(i),
                // The guard pops the matching `[`; only a `]` with none left is an error.
                b']' if macro_open.is_none() && brackets.pop().is_none() => {
                    return Err(
                        error(Span::new(i, i + 1), "unexpected `]`", "no `[` opens this")
                            .with_note("`[` ... `]` encloses a subsearch or a foreach template"),
                    );
                }
                _ => {}
            }
        }
        i += 1;
    }
    if let Some(open) = quote_open {
        let at = stray_quote(src).unwrap_or(open);
        return Err(error(
            Span::new(at, at + 1),
            "unterminated quoted string",
            "this quote is never closed",
        )
        .with_note("close the string with `\"`, or write `\\\"` for a quote inside it"));
    }
    if let Some(open) = macro_open {
        return Err(error(
            Span::new(open, open + 1),
            "unterminated macro call",
            "this backtick is never closed",
        )
        .with_note("a macro call is written `` `name` `` or `` `name(arg, ...)` ``"));
    }
    if let Some(&open) = brackets.first() {
        return Err(error(
            Span::new(open, open + 1),
            "unclosed bracket",
            "this `[` is never closed",
        ));
    }
    for call in macros {
        check_macro(src, call)?;
    }
    Ok(())
}

/// How deep the text outside quotes and macro calls is nested so far.
#[derive(Default)]
struct Depth {
    /// Open parentheses and brackets.
    open: usize,
    /// Prefix operators in a row (white space and `(` between them do not break a run).
    prefix_run: usize,
    /// The end of a `NOT` already counted.
    word_end: usize,
}

impl Depth {
    /// Account for the byte at `i`.
    fn step(&mut self, src: &str, i: usize) -> Result<(), ParseError> {
        let bytes = src.as_bytes();
        let c = bytes[i];
        if i < self.word_end {
            // Inside a `NOT` already counted.
        } else if is_prefix_operator(bytes, i) {
            self.prefix_run += 1;
            if c.is_ascii_alphabetic() {
                self.word_end = i + 3;
            }
            if self.prefix_run > MAX_PREFIX_RUN {
                return Err(error(
                    point(src, i),
                    format!("more than {MAX_PREFIX_RUN} `NOT`, `!` or `-` in a row"),
                    "too many",
                ));
            }
        } else if !c.is_ascii_whitespace() && c != b'(' {
            self.prefix_run = 0;
        }
        match c {
            b'(' | b'[' => {
                self.open += 1;
                if self.open > MAX_NESTING {
                    return Err(error(
                        Span::new(i, i + 1),
                        format!(
                            "nested too deeply (more than {MAX_NESTING} levels of parentheses and brackets)"
                        ),
                        "too deep",
                    ));
                }
            }
            b')' | b']' => self.open = self.open.saturating_sub(1),
            _ => {}
        }
        Ok(())
    }
}

/// Whether a prefix operator starts at `i`: `-`, `!` not followed by `=`, or the word
/// `NOT` in any case.
fn is_prefix_operator(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'-' => true,
        b'!' => bytes.get(i + 1) != Some(&b'='),
        b'n' | b'N' => {
            let word = |j: usize| {
                bytes
                    .get(j)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            };
            bytes.len() >= i + 3
                && bytes[i..i + 3].eq_ignore_ascii_case(b"not")
                && (i == 0 || !word(i - 1))
                && !word(i + 3)
        }
        _ => false,
    }
}

/// Which quote is most likely the one without a partner, when their number is odd.
///
/// Reading left to right pairs each quote with the next, so one stray quote early in the
/// text turns every later string inside out, and the quote left over is near the end.
/// Every quote at an even index could be the stray one; the choice is the one whose
/// removal pairs the others most naturally (no string glued to a letter or digit on the
/// outside), preferring the later one on a tie.
fn stray_quote(src: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    // The quotes that open or close a string, read as `precheck` reads them.
    let mut quotes = Vec::new();
    let mut in_quote = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_quote || escaped_quote(bytes, i) => i += 1,
            b'"' => {
                quotes.push(i);
                in_quote = !in_quote;
            }
            _ => {}
        }
        i += 1;
    }
    if quotes.len() % 2 == 0 {
        return None;
    }
    // How unnatural the string between quotes `open` and `close` looks from outside.
    let word = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_alphanumeric());
    let bad = |open: usize, close: usize| {
        usize::from(open > 0 && word(bytes.get(open - 1))) + usize::from(word(bytes.get(close + 1)))
    };
    // Without quote 2m, the quotes before it pair as (0,1), (2,3), ... and those after it
    // as (2m+1, 2m+2), ...: a prefix of one pairing and a suffix of the other.
    let pairs = quotes.len() / 2;
    let mut before = vec![0usize; pairs + 1];
    for j in 0..pairs {
        before[j + 1] = before[j] + bad(quotes[2 * j], quotes[2 * j + 1]);
    }
    let mut after = vec![0usize; pairs + 1];
    for j in (0..pairs).rev() {
        after[j] = after[j + 1] + bad(quotes[2 * j + 1], quotes[2 * j + 2]);
    }
    (0..=pairs)
        .map(|m| (before[m] + after[m], m))
        .min_by_key(|&(score, m)| (score, std::cmp::Reverse(m)))
        .map(|(_, m)| quotes[2 * m])
}

/// Check the inside of one macro call: a name, then optionally `( args )`.
fn check_macro(src: &str, call: Span) -> Result<(), ParseError> {
    let inner = &src[call.start + 1..call.end - 1];
    let base = call.start + 1;
    let name_len = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
        .count();
    if name_len == 0 {
        return Err(error(
            Span::new(call.start, call.start + 1),
            "expected a macro name after the backtick",
            "no macro name here",
        )
        .with_note("a macro call is written `` `name` `` or `` `name(arg, ...)` ``"));
    }
    let rest = &inner[name_len..];
    if rest.is_empty() {
        return Ok(());
    }
    let rest_at = base + name_len;
    if !rest.starts_with('(') {
        return Err(error(
            point(src, rest_at),
            "unexpected character in a macro call",
            "a macro name ends before this",
        )
        .with_note("a macro call is written `` `name` `` or `` `name(arg, ...)` ``"));
    }
    let close = matching_paren(rest.as_bytes(), 0);
    match close {
        None => Err(error(
            Span::new(rest_at, rest_at + 1),
            "unclosed parenthesis in a macro call",
            "this `(` is never closed",
        )
        .with_note("the arguments of a macro call end with `)` before the closing backtick")),
        Some(end) if end + 1 != rest.len() => Err(error(
            point(src, rest_at + end + 1),
            "unexpected text after the arguments of a macro call",
            "the macro call should end here",
        )),
        Some(_) => Ok(()),
    }
}

/// The index of the `)` matching the `(` at `open`, skipping double-quoted strings.
fn matching_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escaped_quote(bytes, i) => i += 1,
            b'"' => i = skip_quoted(bytes, i),
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// From an opening `"` at `i`, the index of its closing quote (or the last byte).
fn skip_quoted(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len().saturating_sub(1)
}

/// From a backtick at `i`, the index of the closing backtick (or the last byte), skipping
/// quoted strings.
fn skip_macro(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escaped_quote(bytes, i) => i += 1,
            b'"' => i = skip_quoted(bytes, i),
            b'`' => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len().saturating_sub(1)
}

/// A one-character span at byte `at` (empty at the end of the text).
pub(crate) fn point(src: &str, at: usize) -> Span {
    let len = src[at.min(src.len())..]
        .chars()
        .next()
        .map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

/// The stages of `src` (and of its subsearches and templates), in source order.
pub(crate) fn segments(src: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    pipeline_segments(src.as_bytes(), 0, src.len(), true, &mut out);
    out.sort_by_key(|s| s.span.start);
    out
}

/// Split `bytes[start..end]` into stages; `first_is_search` tells whether the first stage
/// is a search (a pipeline) or a command (a foreach template).
fn pipeline_segments(
    bytes: &[u8],
    start: usize,
    end: usize,
    first_is_search: bool,
    out: &mut Vec<Segment>,
) {
    let mut stage_start = start;
    let mut first = true;
    let mut i = start;
    let push = |from: usize, to: usize, first: bool, out: &mut Vec<Segment>| {
        let kind = if first && first_is_search {
            SegmentKind::Search
        } else {
            let word: String = bytes[from..to]
                .iter()
                .skip_while(|b| b.is_ascii_whitespace())
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .map(|b| b.to_ascii_lowercase() as char)
                .collect();
            match word.as_str() {
                "search" => SegmentKind::Search,
                "where" | "eval" | "stats" | "eventstats" | "streamstats" => SegmentKind::Eval,
                _ => SegmentKind::Other,
            }
        };
        out.push(Segment {
            span: Span::new(from, to),
            kind,
        });
    };
    while i < end {
        match bytes[i] {
            b'\\' if escaped_quote(bytes, i) => i += 1,
            b'"' => i = skip_quoted(bytes, i),
            b'`' => i = skip_macro(bytes, i),
            b'[' => {
                let close = matching_bracket(bytes, i, end);
                let stage_word: Vec<u8> = bytes[stage_start..i]
                    .iter()
                    .skip_while(|b| b.is_ascii_whitespace() || **b == b'|')
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .map(u8::to_ascii_lowercase)
                    .collect();
                let inner_first_is_search = stage_word != b"foreach";
                pipeline_segments(bytes, i + 1, close, inner_first_is_search, out);
                i = close;
            }
            b'|' => {
                push(stage_start, i, first, out);
                first = false;
                stage_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push(stage_start, end, first, out);
}

/// The index of the `]` matching the `[` at `open` (or `end`).
fn matching_bracket(bytes: &[u8], open: usize, end: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < end {
        match bytes[i] {
            b'\\' if escaped_quote(bytes, i) => i += 1,
            b'"' => i = skip_quoted(bytes, i),
            b'`' => i = skip_macro(bytes, i),
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    end
}

/// Check the parentheses of one stage: the first `(` never closed, or the first `)`
/// closing nothing. Quoted strings, macro calls and bracketed parts are skipped; in eval
/// stages single-quoted field names are skipped too.
pub(crate) fn check_parens(src: &str, segment: &Segment) -> Result<(), ParseError> {
    let bytes = src.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = segment.span.start;
    let end = segment.span.end;
    while i < end {
        match bytes[i] {
            b'\\' if escaped_quote(bytes, i) => i += 1,
            b'"' => i = skip_quoted(bytes, i),
            b'`' => i = skip_macro(bytes, i),
            b'[' => i = matching_bracket(bytes, i, end),
            b'\'' if segment.kind == SegmentKind::Eval => {
                i = (i + 1..end).find(|&j| bytes[j] == b'\'').unwrap_or(end);
            }
            b'(' => open.push(i),
            // The guard pops the matching `(`; only a `)` with none left is an error.
            b')' if open.pop().is_none() => {
                return Err(
                    error(Span::new(i, i + 1), "unexpected `)`", "no `(` opens this")
                        .with_note("remove it, or add the `(` it was meant to close"),
                );
            }
            _ => {}
        }
        i += 1;
    }
    match open.first() {
        Some(&at) => Err(error(
            Span::new(at, at + 1),
            "unclosed parenthesis",
            "this `(` is never closed",
        )
        .with_note("add the `)` that closes it")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg_texts(src: &str) -> Vec<(&str, SegmentKind)> {
        segments(src)
            .iter()
            .map(|s| (s.span.slice(src).trim(), s.kind))
            .collect()
    }

    #[test]
    fn stages_split_outside_quotes_macros_and_brackets() {
        let src = r#"a "x|y" `m("|")` | where b | join u [ search c | stats count ] | foreach f [ eval x=1 ]"#;
        let got = seg_texts(src);
        assert_eq!(
            got,
            vec![
                (r#"a "x|y" `m("|")`"#, SegmentKind::Search),
                ("where b", SegmentKind::Eval),
                ("join u [ search c | stats count ]", SegmentKind::Other),
                ("search c", SegmentKind::Search),
                ("stats count", SegmentKind::Eval),
                ("foreach f [ eval x=1 ]", SegmentKind::Other),
                ("eval x=1", SegmentKind::Eval),
            ]
        );
    }

    #[test]
    fn the_stray_quote_is_the_one_that_turns_strings_inside_out() {
        let src = r#""`m` ("a" OR "b") "c" | table x"#;
        assert_eq!(stray_quote(src), Some(0));
        let src = r#"x "a" "b | table x "c""#;
        assert_eq!(stray_quote(src), Some(src.find("\"b").unwrap_or(0)));
    }
}
