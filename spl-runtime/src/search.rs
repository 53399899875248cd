//! Matching `_raw` the way Splunk's `search` command does: bare terms, quoted phrases,
//! `TERM(...)` and `CASE(...)`.
//!
//! Splunk cuts event text into tokens at *breakers* ([`crate::ir::breaker`]). splc does not
//! build an index; it checks the raw text directly (`docs/semantics.md`, "Search command"):
//!
//! - A bare term or quoted phrase ([`Term`], [`Phrase`]) matches when its text occurs in
//!   `_raw`, ignoring ASCII case, at a place aligned to token boundaries: the character
//!   before is the start of the text or a breaker (major or minor), or the term itself
//!   starts with a breaker; the character after is the end of the text or a breaker, or
//!   the term ends with one. `"md.exe"` does not match `cmd.exe`; `exe` does.
//! - `TERM(x)` ([`TermExact`]) must be one whole major segment: a major breaker or the
//!   start/end of the text on both sides. A `TERM` with a major breaker inside (a space,
//!   a comma, ...) matches nothing.
//! - `CASE(x)` ([`CaseTerm`]) is a term or phrase that respects case.
//!
//! `*` is a wildcard everywhere, never escaped (`\*` is a backslash, then a wildcard): it
//! matches any run of characters, and token boundaries are checked only at the two ends of
//! the whole match. A leading `*` lifts the check at the start, a trailing one the check at
//! the end. Inside `TERM`, `*` stays within the one major segment.
//!
//! Case folding is ASCII only: `É` and `é` are different characters to every matcher here.
//!
//! Every matcher is built once (its constructor does all the work: lowercasing, splitting
//! at wildcards, building searchers) and then tested against many events with
//! `is_match`, which never allocates. `required_literals` gives the lowercase pieces an
//! event must contain for a match, for a prefilter that rejects events early.

use memchr::memmem;

use crate::compare::Wildcard;

use crate::ir::breaker::{encoded_major_ends_at, encoded_major_len_at, ENCODED_MAJOR};
pub use crate::ir::breaker::{
    is_breaker, is_major as is_major_breaker, is_minor as is_minor_breaker,
};
use crate::ir::byte_rank;

/// Whether a token may start at `pos` of `hay`: the start of the text, a breaker before
/// it, or an URL-encoded major breaker ending right before it.
fn token_start_at(hay: &[u8], pos: usize) -> bool {
    if pos == 0 {
        return true;
    }
    let Some(&before) = hay.get(pos - 1) else {
        return false;
    };
    is_breaker(before) || encoded_major_ends_at(hay, pos)
}

/// Whether an URL-encoded major breaker starts at `pos` of `hay`.
fn encoded_major_at(hay: &[u8], pos: usize) -> bool {
    encoded_major_len_at(hay, pos).is_some()
}

/// Whether a major segment may start at `pos > 0`: a single-character major breaker or an
/// URL-encoded one ends right before it.
fn major_boundary_before(hay: &[u8], pos: usize) -> bool {
    is_major_breaker(hay[pos - 1]) || encoded_major_ends_at(hay, pos)
}

/// Whether a major segment ends at `pos < hay.len()`: a major breaker, single-character or
/// URL-encoded, starts there.
fn major_boundary_at(hay: &[u8], pos: usize) -> bool {
    is_major_breaker(hay[pos]) || encoded_major_at(hay, pos)
}

/// Whether `pos` lies inside (not at the start of) an URL-encoded major breaker of `hay`.
fn inside_encoded_major(hay: &[u8], pos: usize) -> bool {
    (pos.saturating_sub(4)..pos).any(|q| {
        ENCODED_MAJOR.iter().any(|enc| {
            q + enc.len() > pos
                && hay
                    .get(q..q + enc.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(enc.as_bytes()))
        })
    })
}

/// Whether `hay` has a non-empty major segment: a byte that is neither a major breaker
/// nor part of an URL-encoded one.
fn has_segment(hay: &[u8]) -> bool {
    let mut i = 0;
    while i < hay.len() {
        if is_major_breaker(hay[i]) {
            i += 1;
            continue;
        }
        // Only the first byte of an encoded breaker is `%`, so skipping the longest one
        // starting here skips no byte that another one starts at.
        match encoded_major_len_at(hay, i) {
            Some(len) => i += len,
            None => return true,
        }
    }
    false
}

/// Whether a token may end at `pos` of `hay`: the end of the text or a breaker after it
/// (every encoded major breaker starts with the minor breaker `%` or `-`).
fn token_end_at(hay: &[u8], pos: usize) -> bool {
    match hay.get(pos) {
        None => true,
        Some(&b) => is_breaker(b),
    }
}

/// A substring searcher for one literal piece, built once.
#[derive(Clone, Debug)]
pub(crate) enum Finder {
    /// ASCII case-insensitive: scan for the rarest byte of the needle (both cases) with
    /// `memchr`, then compare the window around each candidate.
    Ci {
        /// The needle, ASCII-lowercased.
        needle: Box<[u8]>,
        /// The offset of the rare byte in the needle.
        offset: usize,
        /// The rare byte in lower and upper case (equal when it is not a letter).
        lower: u8,
        upper: u8,
    },
    /// Case-sensitive.
    Cs(Box<memmem::Finder<'static>>),
}

impl Finder {
    /// A searcher for `needle` (lowercased first when `case_sensitive` is false).
    pub(crate) fn new(needle: &[u8], case_sensitive: bool) -> Finder {
        if case_sensitive {
            return Finder::Cs(Box::new(memmem::Finder::new(needle).into_owned()));
        }
        let needle: Box<[u8]> = needle.to_ascii_lowercase().into_boxed_slice();
        let offset = (0..needle.len())
            .min_by_key(|&i| byte_rank(needle[i]))
            .unwrap_or(0);
        let lower = needle.get(offset).copied().unwrap_or(0);
        Finder::Ci {
            lower,
            upper: lower.to_ascii_uppercase(),
            offset,
            needle,
        }
    }

    /// The start of the first occurrence at or after `start`.
    pub(crate) fn find_at(&self, hay: &[u8], start: usize) -> Option<usize> {
        if start > hay.len() {
            return None;
        }
        match self {
            Finder::Cs(f) => f.find(&hay[start..]).map(|i| i + start),
            Finder::Ci {
                needle,
                offset,
                lower,
                upper,
            } => {
                if needle.is_empty() {
                    return Some(start);
                }
                let mut pos = start + offset;
                while pos < hay.len() {
                    let rest = &hay[pos..];
                    let found = if lower == upper {
                        memchr::memchr(*lower, rest)
                    } else {
                        memchr::memchr2(*lower, *upper, rest)
                    };
                    let i = found? + pos;
                    let s = i - offset;
                    if hay
                        .get(s..s + needle.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(needle))
                    {
                        return Some(s);
                    }
                    pos = i + 1;
                }
                None
            }
        }
    }
}

/// One literal piece of a pattern, between wildcards.
#[derive(Clone, Debug)]
struct Piece {
    /// ASCII-lowercased text (for the prefilter; for case-sensitive patterns the finder
    /// keeps the original case).
    lower: Box<str>,
    len: usize,
    finder: Finder,
}

impl Piece {
    fn new(text: &str, case_sensitive: bool) -> Piece {
        Piece {
            lower: text.to_ascii_lowercase().into_boxed_str(),
            len: text.len(),
            finder: Finder::new(text.as_bytes(), case_sensitive),
        }
    }
}

/// A pattern split at `*`, matched as a token-aligned substring of `_raw`.
#[derive(Clone, Debug)]
struct TokenPattern {
    pieces: Vec<Piece>,
    /// The pattern starts with `*` (or with a breaker): no boundary check at the start.
    free_start: bool,
    /// The pattern ends with `*` (or with a breaker): no boundary check at the end.
    free_end: bool,
    /// The pattern is made of wildcards only (and is not empty): it matches anything.
    any: bool,
}

impl TokenPattern {
    fn new(text: &str, case_sensitive: bool) -> TokenPattern {
        let pieces: Vec<Piece> = text
            .split('*')
            .filter(|p| !p.is_empty())
            .map(|p| Piece::new(p, case_sensitive))
            .collect();
        let bytes = text.as_bytes();
        let free_start = bytes.first().is_some_and(|&b| b == b'*' || is_breaker(b));
        let free_end = bytes.last().is_some_and(|&b| b == b'*' || is_breaker(b));
        TokenPattern {
            any: pieces.is_empty() && !text.is_empty(),
            pieces,
            free_start,
            free_end,
        }
    }

    fn is_match(&self, hay: &[u8]) -> bool {
        let (Some(first), Some(last)) = (self.pieces.first(), self.pieces.last()) else {
            return self.any;
        };
        let start_ok = |s: usize| self.free_start || token_start_at(hay, s);
        let end_ok = |e: usize| self.free_end || token_end_at(hay, e);

        if self.pieces.len() == 1 {
            let mut from = 0;
            while let Some(s) = first.finder.find_at(hay, from) {
                if start_ok(s) && end_ok(s + first.len) {
                    return true;
                }
                from = s + 1;
            }
            return false;
        }

        // The earliest acceptable start leaves the most room for the rest; middle pieces
        // have no boundary condition, so their leftmost occurrence is best; the last piece
        // may be any occurrence after them whose end is aligned.
        let mut from = 0;
        let mut pos = loop {
            let s = match first.finder.find_at(hay, from) {
                Some(s) => s,
                None => return false,
            };
            if start_ok(s) {
                break s + first.len;
            }
            from = s + 1;
        };
        for piece in &self.pieces[1..self.pieces.len() - 1] {
            match piece.finder.find_at(hay, pos) {
                Some(s) => pos = s + piece.len,
                None => return false,
            }
        }
        while let Some(s) = last.finder.find_at(hay, pos) {
            if end_ok(s + last.len) {
                return true;
            }
            pos = s + 1;
        }
        false
    }

    fn required_literals(&self) -> Vec<&str> {
        self.pieces.iter().map(|p| &*p.lower).collect()
    }
}

/// A bare search keyword: case-insensitive, aligned to token boundaries, `*` wildcards.
///
/// ```
/// use spl_runtime::search::Term;
/// let t = Term::new("cmd.exe");
/// assert!(t.is_match(r"C:\Windows\System32\CMD.EXE /c dir"));
/// assert!(!Term::new("md.exe").is_match(r"C:\x\cmd.exe"));
/// ```
#[derive(Clone, Debug)]
pub struct Term {
    text: Box<str>,
    pattern: TokenPattern,
}

/// A quoted search phrase. splc matches a phrase and a bare term by the same rule (a
/// substring aligned to token boundaries at both ends), so this is the same type as
/// [`Term`].
pub type Phrase = Term;

impl Term {
    /// A matcher for `text` (the search string after escape processing; `*` is a
    /// wildcard). An empty text matches nothing; a text of wildcards only matches every
    /// event.
    pub fn new(text: &str) -> Term {
        Term {
            text: text.into(),
            pattern: TokenPattern::new(text, false),
        }
    }

    /// Whether `raw` contains the term at token boundaries, ignoring ASCII case.
    pub fn is_match(&self, raw: &str) -> bool {
        self.pattern.is_match(raw.as_bytes())
    }

    /// The text the matcher was built from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The lowercase literal pieces (between wildcards) that a matching `_raw` contains.
    pub fn required_literals(&self) -> Vec<&str> {
        self.pattern.required_literals()
    }
}

/// `CASE(x)`: a term or phrase that matches with case respected (same boundaries and
/// wildcards as [`Term`]).
#[derive(Clone, Debug)]
pub struct CaseTerm {
    text: Box<str>,
    pattern: TokenPattern,
}

impl CaseTerm {
    /// A case-sensitive matcher for `text`.
    pub fn new(text: &str) -> CaseTerm {
        CaseTerm {
            text: text.into(),
            pattern: TokenPattern::new(text, true),
        }
    }

    /// Whether `raw` contains the text, same case, at token boundaries.
    pub fn is_match(&self, raw: &str) -> bool {
        self.pattern.is_match(raw.as_bytes())
    }

    /// The text the matcher was built from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The lowercase literal pieces that a matching `_raw` contains (in some case).
    pub fn required_literals(&self) -> Vec<&str> {
        self.pattern.required_literals()
    }
}

/// `TERM(x)`: `x` must be one whole major segment of `_raw` (major breakers or the start
/// or end of the text on both sides), ignoring ASCII case.
///
/// The single-character major breakers and their URL-encoded forms (`%20`, `%2c`, ...)
/// bound a segment; `--` does not: `TERM(--dns)` is bounded by the spaces around `--dns`.
/// A `TERM` whose text contains a major breaker other than `*` matches nothing
/// ([`TermExact::is_never`] tells, for a lint). `*` matches any run of characters inside
/// the one segment.
#[derive(Clone, Debug)]
pub struct TermExact {
    text: Box<str>,
    whole: Wildcard,
    /// The piece searched for to find candidate segments.
    anchor: Option<Piece>,
    /// The text has no `*`: the anchor is the whole text.
    literal: bool,
    never: bool,
}

impl TermExact {
    /// A matcher for `TERM(text)`.
    pub fn new(text: &str) -> TermExact {
        let never = !crate::ir::breaker::term_can_match(text);
        let anchor = text
            .split('*')
            .max_by_key(|p| p.len())
            .filter(|p| !p.is_empty())
            .map(|p| Piece::new(p, false));
        TermExact {
            text: text.into(),
            whole: Wildcard::new(text, false),
            anchor,
            literal: !text.contains('*'),
            never,
        }
    }

    /// True when the text can never be one term (it contains a major breaker).
    pub fn is_never(&self) -> bool {
        self.never
    }

    /// The text the matcher was built from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether one major segment of `raw` equals the text (wildcards expanded).
    pub fn is_match(&self, raw: &str) -> bool {
        if self.never {
            return false;
        }
        let hay = raw.as_bytes();
        let Some(anchor) = &self.anchor else {
            // Wildcards only: any non-empty segment.
            return has_segment(hay);
        };
        if self.literal {
            return Self::literal_match(anchor, hay);
        }
        let mut from = 0;
        while let Some(s) = anchor.finder.find_at(hay, from) {
            if inside_encoded_major(hay, s) {
                // Part of a breaker, in no segment.
                from = s + 1;
                continue;
            }
            let start = (1..=s)
                .rev()
                .find(|&pos| major_boundary_before(hay, pos))
                .unwrap_or(0);
            let end = (s..hay.len())
                .find(|&pos| major_boundary_at(hay, pos))
                .unwrap_or(hay.len());
            if self.whole.is_match_bytes(&hay[start..end]) {
                return true;
            }
            // Every other occurrence inside this segment names the same segment.
            from = end.max(s + 1);
        }
        false
    }

    /// A `TERM` without wildcards: some occurrence of the text with a major boundary (or
    /// the end of the text) right before and right after it.
    ///
    /// That is the whole-segment test: the text holds no major breaker, single-byte or
    /// URL-encoded, so no boundary can fall inside an occurrence bounded this way. (An
    /// encoded breaker reaching into the occurrence from outside would have to overlap
    /// the encoded breaker or major byte that bounds it; every encoded breaker has its
    /// only `%` first, and none is a prefix of another, so that cannot happen.)
    fn literal_match(anchor: &Piece, hay: &[u8]) -> bool {
        let mut from = 0;
        while let Some(s) = anchor.finder.find_at(hay, from) {
            let e = s + anchor.len;
            if (s == 0 || major_boundary_before(hay, s))
                && (e == hay.len() || major_boundary_at(hay, e))
            {
                return true;
            }
            from = s + 1;
        }
        false
    }

    /// The lowercase literal pieces that a matching `_raw` contains.
    pub fn required_literals(&self) -> Vec<&str> {
        if self.never {
            return Vec::new();
        }
        self.whole.literals()
    }
}

/// Any of the raw-text matchers, for code that holds them in one list.
#[derive(Clone, Debug)]
pub enum RawMatcher {
    /// A bare term or quoted phrase.
    Term(Term),
    /// `TERM(...)`.
    TermExact(TermExact),
    /// `CASE(...)`.
    Case(CaseTerm),
}

impl RawMatcher {
    /// Whether `raw` matches.
    pub fn is_match(&self, raw: &str) -> bool {
        match self {
            RawMatcher::Term(m) => m.is_match(raw),
            RawMatcher::TermExact(m) => m.is_match(raw),
            RawMatcher::Case(m) => m.is_match(raw),
        }
    }

    /// The lowercase literal pieces that a matching `_raw` contains.
    pub fn required_literals(&self) -> Vec<&str> {
        match self {
            RawMatcher::Term(m) => m.required_literals(),
            RawMatcher::TermExact(m) => m.required_literals(),
            RawMatcher::Case(m) => m.required_literals(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_classes() {
        for b in b"[]<>(){}|!;,'\"*\n\r \t&?+" {
            assert!(is_major_breaker(*b), "{}", *b as char);
        }
        for b in b"/:=@.-$#%\\_" {
            assert!(
                is_minor_breaker(*b) && !is_major_breaker(*b),
                "{}",
                *b as char
            );
        }
        assert!(!is_breaker(b'a') && !is_breaker(b'0') && !is_breaker(0xc3));
    }

    #[test]
    fn encoded_major_breaker_starts_a_token() {
        assert!(token_start_at(b"a%20cmd", 4));
        assert!(token_start_at(b"a%3bcmd", 4));
        assert!(!token_start_at(b"a%2Fcmd", 4));
        assert!(!token_start_at(b"abcmd", 2));
    }

    #[test]
    fn finder_ci_and_cs() {
        let f = Finder::new(b"ExE", false);
        assert_eq!(f.find_at(b"a.EXE b.exe", 0), Some(2));
        assert_eq!(f.find_at(b"a.EXE b.exe", 3), Some(8));
        assert_eq!(f.find_at(b"a.EXE", 9), None);
        let f = Finder::new(b"ExE", true);
        assert_eq!(f.find_at(b"a.EXE b.ExE", 0), Some(8));
    }
}
