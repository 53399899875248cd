//! Where each byte of a regex pattern was written in the query text.
//!
//! A pattern reaches the regex translator after SPL has read it: the pieces of a word are
//! joined (`"a"+"b"` is `a+b`), and inside double quotes `\\`, `\"` and `\|` lose their
//! backslash while every other backslash stays (`docs/semantics.md`, "Search command" and
//! "Regular expressions"). A `rex mode=sed`
//! expression is cut once more at its delimiters. An error offset in the pattern is
//! therefore not an offset in the query; [`Origin`] maps one to the other, so that a caret
//! lands under the very character the author wrote.

use spl_grammar::Span;

/// For each byte of a pattern, the bytes of the query text it was read from.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    /// The literal the pattern was written as, quotes included.
    literal: Span,
    /// The exact map, when the query text was available and agrees with the pattern.
    map: Option<ByteMap>,
}

/// `from[i]` holds the source bytes of pattern byte `i`: one byte, or two for an escape
/// pair (`\"` gives `"`). `end` is where the pattern ends in the source (before a closing
/// quote).
#[derive(Clone, Debug)]
struct ByteMap {
    from: Vec<Span>,
    end: usize,
    /// Whether reading the source changed anything: an escape undone, quotes dropped.
    rewritten: bool,
}

impl Origin {
    /// The origin of `value`, read from the word (quoted and unquoted pieces) at `literal`
    /// in `source`. Without the source, or when the source does not read as `value`, only
    /// the literal's span is known, except for a word with no quotes and no escapes, whose
    /// text is the value itself.
    pub(crate) fn of_word(value: &str, literal: Span, source: Option<&str>) -> Origin {
        let map = match source.and_then(|s| s.get(literal.start..literal.end)) {
            Some(raw) => read_word(raw, literal.start).filter(|(text, _)| text == value),
            // No quote or escape can be in a value as long as its literal: each would make
            // the literal longer than the value.
            None if value.len() == literal.len() => read_word(value, literal.start),
            None => None,
        };
        Origin {
            literal,
            map: map.map(|(_, map)| map),
        }
    }

    /// The origin of a text cut out of this pattern: `pieces[i]` is the span, in this
    /// pattern, that byte `i` of the text was read from, and `end` is where the text ends.
    pub(crate) fn part(&self, pieces: &[Span], end: usize) -> Origin {
        let map = self.map.as_ref().map(|_| ByteMap {
            from: pieces.iter().map(|&p| self.locate(p)).collect(),
            end: self.locate(Span::point(end)).start,
            rewritten: true,
        });
        Origin {
            literal: self.literal,
            map,
        }
    }

    /// The literal the pattern was written as.
    pub(crate) fn literal(&self) -> Span {
        self.literal
    }

    /// Whether [`locate`](Self::locate) gives exact source bytes.
    pub(crate) fn is_exact(&self) -> bool {
        self.map.is_some()
    }

    /// Whether the pattern differs from the text written between the quotes (escapes
    /// undone, pieces joined, sed delimiters removed).
    pub(crate) fn is_rewritten(&self) -> bool {
        self.map.as_ref().is_some_and(|m| m.rewritten)
    }

    /// The source span of the pattern bytes `span`: from the first byte's source to the
    /// last byte's; an empty span stays empty (at the end of the pattern: before the
    /// closing quote). Without an exact map, the whole literal.
    pub(crate) fn locate(&self, span: Span) -> Span {
        let Some(map) = &self.map else {
            return self.literal;
        };
        let at = |i: usize| map.from.get(i).map_or(map.end, |s| s.start);
        let start = at(span.start);
        if span.is_empty() {
            return Span::point(start);
        }
        let end = span
            .end
            .checked_sub(1)
            .and_then(|last| map.from.get(last))
            .map_or(map.end, |s| s.end);
        Span::new(start, end.max(start))
    }
}

/// Read a word as the grammar does: quoted pieces unescaped, unquoted pieces as written
/// but for `\"`, a literal `"`.
/// Returns the text and where each of its bytes came from (offsets shifted by `base`);
/// `None` when the word is not well formed (an unterminated quote).
fn read_word(raw: &str, base: usize) -> Option<(String, ByteMap)> {
    let bytes = raw.as_bytes();
    let mut text = Vec::with_capacity(bytes.len());
    let mut from = Vec::with_capacity(bytes.len());
    let mut quoted = false;
    let mut rewritten = false;
    let mut end = base + raw.len();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            quoted = !quoted;
            rewritten |= i != 0 && i + 1 != bytes.len();
            if !quoted && i + 1 == bytes.len() {
                end = base + i;
            }
            i += 1;
            continue;
        }
        if !quoted && b == b'\\' && bytes.get(i + 1) == Some(&b'"') {
            text.push(b'"');
            from.push(Span::new(base + i, base + i + 2));
            rewritten = true;
            i += 2;
            continue;
        }
        if quoted && b == b'\\' {
            if let Some(&next @ (b'\\' | b'"' | b'|')) = bytes.get(i + 1) {
                text.push(next);
                from.push(Span::new(base + i, base + i + 2));
                rewritten = true;
                i += 2;
                continue;
            }
        }
        text.push(b);
        from.push(Span::new(base + i, base + i + 1));
        i += 1;
    }
    if quoted {
        return None;
    }
    let text = String::from_utf8(text).ok()?;
    Some((
        text,
        ByteMap {
            from,
            end,
            rewritten,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source text a pattern span maps to.
    fn at<'a>(src: &'a str, value: &str, span: Span) -> &'a str {
        let literal = Span::new(0, src.len());
        Origin::of_word(value, literal, Some(src))
            .locate(span)
            .slice(src)
    }

    #[test]
    fn escapes_map_to_both_source_bytes() {
        let src = r#""a\"b\\c\|d\s""#;
        // The pattern is `a"b\c|d\s`.
        assert_eq!(at(src, r#"a"b\c|d\s"#, Span::new(1, 2)), r#"\""#);
        assert_eq!(at(src, r#"a"b\c|d\s"#, Span::new(2, 3)), "b");
        assert_eq!(at(src, r#"a"b\c|d\s"#, Span::new(3, 4)), r"\\");
        assert_eq!(at(src, r#"a"b\c|d\s"#, Span::new(5, 6)), r"\|");
        assert_eq!(at(src, r#"a"b\c|d\s"#, Span::new(7, 9)), r"\s");
        assert_eq!(
            at(src, r#"a"b\c|d\s"#, Span::new(0, 9)),
            &src[1..src.len() - 1]
        );
    }

    #[test]
    fn an_unquoted_escaped_quote_maps_to_both_source_bytes() {
        // `regex f=a\"b\\c`: the pattern is `a"b\\c`, the other backslashes as written.
        let src = r#"a\"b\\c"#;
        let value = r#"a"b\\c"#;
        assert_eq!(at(src, value, Span::new(1, 2)), r#"\""#);
        assert_eq!(at(src, value, Span::new(3, 4)), r"\");
        let o = Origin::of_word(value, Span::new(0, src.len()), Some(src));
        assert!(o.is_exact() && o.is_rewritten());
    }

    #[test]
    fn the_end_of_the_pattern_is_the_closing_quote() {
        let src = r#""ab""#;
        let o = Origin::of_word("ab", Span::new(0, 4), Some(src));
        assert_eq!(o.locate(Span::point(2)), Span::point(3));
        assert!(!o.is_rewritten());
    }

    #[test]
    fn spliced_pieces_keep_their_own_positions() {
        let src = r#"x "a"+"\"" y"#;
        let literal = Span::new(2, 10);
        assert_eq!(literal.slice(src), r#""a"+"\"""#);
        let o = Origin::of_word(r#"a+""#, literal, Some(src));
        assert!(o.is_exact() && o.is_rewritten());
        assert_eq!(o.locate(Span::new(1, 2)).slice(src), "+");
        assert_eq!(o.locate(Span::new(2, 3)).slice(src), r#"\""#);
    }

    #[test]
    fn without_the_source_only_an_unquoted_word_is_exact() {
        let bare = Origin::of_word(r"^\d+(", Span::new(10, 15), None);
        assert_eq!(bare.locate(Span::new(4, 5)), Span::new(14, 15));
        let quoted = Origin::of_word("a(", Span::new(10, 14), None);
        assert!(!quoted.is_exact());
        assert_eq!(quoted.locate(Span::new(1, 2)), Span::new(10, 14));
        // A source that does not read as the value is not trusted.
        let wrong = Origin::of_word("zz", Span::new(0, 4), Some(r#""ab""#));
        assert!(!wrong.is_exact());
    }

    #[test]
    fn a_part_maps_through_both_readings() {
        // `s/a\/(/x/` inside quotes with an escaped quote before it.
        let src = r#""s/\"\/(/x/""#;
        let value = r#"s/"\/(/x/"#;
        let whole = Origin::of_word(value, Span::new(0, src.len()), Some(src));
        // The sed regex is `"/(`: bytes 2, 3..5 and 5 of the value.
        let part = whole.part(&[Span::new(2, 3), Span::new(3, 5), Span::new(5, 6)], 6);
        assert_eq!(part.locate(Span::new(0, 1)).slice(src), r#"\""#);
        assert_eq!(part.locate(Span::new(1, 2)).slice(src), r"\/");
        assert_eq!(part.locate(Span::new(2, 3)).slice(src), "(");
    }
}
