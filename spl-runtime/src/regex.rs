//! Regular expressions for `regex`, `rex`, `match()`, `replace()`, `mvfind()`.
//!
//! SPL regexes are PCRE. The compiler translates them to the syntax of `regex-automata`
//! (`spl_compiler::regex`; `docs/semantics.md`, "Regular expressions"); this module only compiles the translated text, once per rule,
//! and runs it. Matching is unanchored. Searches reuse the engine's cache pool, so a test
//! that does not match allocates nothing.
//!
//! A pattern with lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), which `regex-automata` cannot
//! run, is compiled by the backtracking engine of `fancy-regex` instead; the compiler writes
//! such patterns in its syntax. [`Regex`] behaves the same with either engine, except that a
//! backtracking search can give up: one that exceeds [`BACKTRACK_LIMIT`] steps (or the
//! engine's stack) counts as no match (see [`Regex::is_match`]).
//!
//! Also here: replacement strings with `\1` back-references ([`Replacement`]) and the
//! `rex mode=sed` expressions `s/re/repl/flags` and `y/abc/xyz/` ([`Sed`]).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use regex_automata::meta;
use regex_automata::util::captures::Captures as RawCaptures;
use regex_automata::util::syntax;
use regex_automata::{Input, PatternID};

use crate::ir::{SedEdit, SedOccurrence};
use crate::pipeline::Compiled;

/// The compiled-program size limit: large enough for the corpus's `\w{20,1000}` with
/// Unicode classes (a default-size engine rejects it).
const SIZE_LIMIT: usize = 256 << 20;

/// The most backtracking steps one search of the backtracking engine may take (ten times
/// fancy-regex's default): a search that needs more finds no match. Detection patterns
/// with lookaround over event fields take a few steps per character; the limit only stops
/// runaway patterns.
pub const BACKTRACK_LIMIT: usize = 10_000_000;

/// A regex that does not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RegexError {
    message: String,
}

impl RegexError {
    fn new(message: impl Into<String>) -> RegexError {
        RegexError {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A compiled regex. Cheap to clone (the program is shared).
#[derive(Clone)]
pub struct Regex {
    engine: Engine,
    pattern: Box<str>,
    /// `(group index, name)` for each named group, in group order.
    names: Names,
}

/// `(group index, name)` for each named group, in group order.
type Names = Arc<[(usize, Box<str>)]>;

/// The engine that runs a pattern.
#[derive(Clone)]
enum Engine {
    /// `regex-automata`: every pattern without lookaround.
    Automata(meta::Regex),
    /// fancy-regex's backtracking engine: patterns with lookaround.
    Backtracking(Arc<fancy_regex::Regex>),
}

/// Whether `pattern` has a lookaround group (`(?=`, `(?!`, `(?<=`, `(?<!`) outside
/// escapes and bracket classes: such a pattern runs on the backtracking engine.
pub fn has_lookaround(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    // Depth of nested bracket classes (`regex-syntax` nests them: `[a[b]]`).
    let mut class = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 1,
            b'[' => {
                class += 1;
                // A `]` right after `[` or `[^` is a literal.
                if bytes.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if bytes.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if class > 0 => class -= 1,
            b'(' if class == 0 => {
                let rest = bytes.get(i + 1..).unwrap_or_default();
                if [&b"?="[..], b"?!", b"?<=", b"?<!"]
                    .iter()
                    .any(|opener| rest.starts_with(opener))
                {
                    return true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Regex").field(&self.pattern).finish()
    }
}

/// Two regexes are equal when their patterns are.
impl PartialEq for Regex {
    fn eq(&self, other: &Regex) -> bool {
        self.pattern == other.pattern
    }
}

impl Regex {
    /// Compile a pattern the compiler has already translated and checked (generated code
    /// and the evaluator build their regexes this way). Should it fail all the same, the
    /// regex matches nothing: a rule that cannot run finds nothing rather than stopping
    /// every other rule.
    pub fn checked(pattern: &str) -> Regex {
        Regex::new(pattern).unwrap_or_else(|_| Regex::never())
    }

    /// A regex that matches nothing.
    pub fn never() -> Regex {
        Regex::new(r"[^\s\S]").unwrap_or_else(|e| unreachable!("the empty class compiles: {e}"))
    }

    /// Compile a pattern in regex-automata syntax (already translated from PCRE), or, when
    /// it has lookaround ([`has_lookaround`]), in fancy-regex syntax for the backtracking
    /// engine.
    pub fn new(pattern: &str) -> Result<Regex, RegexError> {
        let invalid = |e: &dyn fmt::Display| {
            RegexError::new(format!("invalid regular expression {pattern:?}: {e}"))
        };
        let (engine, names): (Engine, Names) = if has_lookaround(pattern) {
            let re = fancy_regex::RegexBuilder::new(pattern)
                .backtrack_limit(BACKTRACK_LIMIT)
                .delegate_size_limit(SIZE_LIMIT)
                .build()
                .map_err(|e| invalid(&e))?;
            let names = re
                .capture_names()
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (i, n.into())))
                .collect();
            (Engine::Backtracking(Arc::new(re)), names)
        } else {
            let re = meta::Regex::builder()
                .configure(
                    meta::Config::new()
                        .nfa_size_limit(Some(SIZE_LIMIT))
                        .onepass_size_limit(Some(SIZE_LIMIT)),
                )
                .syntax(syntax::Config::new().nest_limit(500))
                .build(pattern)
                .map_err(|e| invalid(&e))?;
            let names = re
                .group_info()
                .pattern_names(PatternID::ZERO)
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (i, n.into())))
                .collect();
            (Engine::Automata(re), names)
        };
        Ok(Regex {
            engine,
            pattern: pattern.into(),
            names,
        })
    }

    /// True when the pattern runs on the backtracking engine (it has lookaround).
    pub fn is_backtracking(&self) -> bool {
        matches!(self.engine, Engine::Backtracking(_))
    }

    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the regex matches somewhere in `haystack`.
    ///
    /// On the backtracking engine, a search that exceeds [`BACKTRACK_LIMIT`] steps or the
    /// engine's stack finds no match, here and in every other method (repeated matching
    /// stops there, keeping the matches found before).
    pub fn is_match(&self, haystack: &str) -> bool {
        match &self.engine {
            Engine::Automata(re) => re.is_match(haystack),
            Engine::Backtracking(re) => re.is_match(haystack).unwrap_or(false),
        }
    }

    /// The byte range of the leftmost match.
    pub fn find(&self, haystack: &str) -> Option<(usize, usize)> {
        match &self.engine {
            Engine::Automata(re) => re.find(haystack).map(|m| (m.start(), m.end())),
            Engine::Backtracking(re) => re
                .find(haystack)
                .ok()
                .flatten()
                .map(|m| (m.start(), m.end())),
        }
    }

    /// The number of groups, group 0 (the whole match) included.
    pub fn group_len(&self) -> usize {
        match &self.engine {
            Engine::Automata(re) => re.group_info().group_len(PatternID::ZERO),
            Engine::Backtracking(re) => re.captures_len(),
        }
    }

    /// The named groups as `(group index, name)`, in the order they open.
    pub fn named_groups(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.names.iter().map(|(i, n)| (*i, &**n))
    }

    /// The groups of the leftmost match.
    pub fn captures<'h>(&self, haystack: &'h str) -> Option<Captures<'h>> {
        let re = match &self.engine {
            Engine::Automata(re) => re,
            Engine::Backtracking(re) => {
                let caps = re.captures(haystack).ok().flatten()?;
                return Some(Captures {
                    haystack,
                    groups: self.spans(&caps),
                });
            }
        };
        let m = re.find(haystack)?;
        let mut caps = re.create_captures();
        // Search again from the known start (the fast engines found it); look-around
        // assertions still see the text before it.
        re.search_captures(
            &Input::new(haystack).span(m.start()..haystack.len()),
            &mut caps,
        );
        caps.is_match().then_some(Captures {
            haystack,
            groups: Groups::Automata(caps),
        })
    }

    /// The groups of one backtracking match, as spans.
    fn spans(&self, caps: &fancy_regex::Captures<'_, str>) -> Groups {
        Groups::Spans {
            spans: (0..caps.len())
                .map(|i| caps.get(i).map(|m| (m.start(), m.end())))
                .collect(),
            names: Arc::clone(&self.names),
        }
    }

    /// Every match of the regex from the leftmost one on (non-overlapping, an empty match
    /// right after a match skipped), with its groups; `None` when there is no match.
    fn matches<'a, 'h>(&'a self, haystack: &'h str) -> Option<Box<dyn Iterator<Item = Groups> + 'a>>
    where
        'h: 'a,
    {
        match &self.engine {
            Engine::Automata(re) => {
                let first = re.find(haystack)?;
                let input = Input::new(haystack).span(first.start()..haystack.len());
                Some(Box::new(re.captures_iter(input).map(Groups::Automata)))
            }
            Engine::Backtracking(re) => {
                let mut iter = re.captures_iter(haystack).map_while(Result::ok).peekable();
                iter.peek()?;
                Some(Box::new(iter.map(move |caps| self.spans(&caps))))
            }
        }
    }

    /// `rex` extraction: apply the regex up to `max_match` times (0 = no limit), left to
    /// right, and collect for each named group the values it captured, in order. A group
    /// that did not take part in a match adds nothing for that match. Empty result (and no
    /// allocation) when nothing matches.
    ///
    /// Returns `(name, values)` for the named groups that captured at least once.
    pub fn extract_named<'h>(
        &self,
        haystack: &'h str,
        max_match: usize,
    ) -> Vec<(&str, Vec<&'h str>)> {
        let Some(matches) = self.matches(haystack) else {
            return Vec::new();
        };
        let mut out: Vec<(&str, Vec<&'h str>)> =
            self.names.iter().map(|(_, n)| (&**n, Vec::new())).collect();
        let limit = if max_match == 0 {
            usize::MAX
        } else {
            max_match
        };
        for caps in matches.take(limit) {
            for ((idx, _), (_, values)) in self.names.iter().zip(out.iter_mut()) {
                if let Some((start, end)) = caps.span(*idx) {
                    if let Some(s) = haystack.get(start..end) {
                        values.push(s);
                    }
                }
            }
        }
        out.retain(|(_, v)| !v.is_empty());
        out
    }

    /// Replace every match (eval `replace`, sed `g`). Returns the input unchanged (no
    /// allocation) when nothing matches.
    pub fn replace_all<'h>(&self, haystack: &'h str, repl: &Replacement) -> Cow<'h, str> {
        self.replace_from(haystack, repl, 1, true)
    }

    /// Replace only the `n`-th match (1-based; sed's numeric flag). `n = 0` replaces
    /// nothing.
    pub fn replace_nth<'h>(&self, haystack: &'h str, repl: &Replacement, n: usize) -> Cow<'h, str> {
        if n == 0 {
            return Cow::Borrowed(haystack);
        }
        self.replace_from(haystack, repl, n, false)
    }

    /// Replace the `n`-th match and, when `rest`, every later one.
    fn replace_from<'h>(
        &self,
        haystack: &'h str,
        repl: &Replacement,
        n: usize,
        rest: bool,
    ) -> Cow<'h, str> {
        let Some(matches) = self.matches(haystack) else {
            return Cow::Borrowed(haystack);
        };
        let mut out = String::new();
        let mut last = 0;
        let mut replaced = false;
        for (i, caps) in matches.enumerate() {
            if i + 1 < n {
                continue;
            }
            let Some((start, end)) = caps.span(0) else {
                continue;
            };
            if !replaced {
                out.reserve(haystack.len());
                replaced = true;
            }
            out.push_str(haystack.get(last..start).unwrap_or(""));
            repl.expand(haystack, &caps, &mut out);
            last = end;
            if !rest {
                break;
            }
        }
        if !replaced {
            return Cow::Borrowed(haystack);
        }
        out.push_str(haystack.get(last..).unwrap_or(""));
        Cow::Owned(out)
    }
}

/// The groups of one match.
#[derive(Clone, Debug)]
pub struct Captures<'h> {
    haystack: &'h str,
    groups: Groups,
}

/// The group spans of one match, as the engine gives them.
#[derive(Clone, Debug)]
enum Groups {
    Automata(RawCaptures),
    /// The backtracking engine's: each group's byte range, when it took part.
    Spans {
        spans: Vec<Option<(usize, usize)>>,
        names: Names,
    },
}

impl Groups {
    /// The byte range of group `i`, when it took part in the match.
    fn span(&self, i: usize) -> Option<(usize, usize)> {
        match self {
            Groups::Automata(caps) => caps.get_group(i).map(|s| (s.start, s.end)),
            Groups::Spans { spans, .. } => spans.get(i).copied().flatten(),
        }
    }

    /// The byte range of the group named `name`, when it took part in the match.
    fn named(&self, name: &str) -> Option<(usize, usize)> {
        match self {
            Groups::Automata(caps) => caps.get_group_by_name(name).map(|s| (s.start, s.end)),
            Groups::Spans { names, .. } => {
                let (i, _) = names.iter().find(|(_, n)| &**n == name)?;
                self.span(*i)
            }
        }
    }
}

impl<'h> Captures<'h> {
    /// Group `i` (0 is the whole match), when it took part in the match.
    pub fn get(&self, i: usize) -> Option<&'h str> {
        self.groups
            .span(i)
            .and_then(|(start, end)| self.haystack.get(start..end))
    }

    /// The group named `name`, when it took part in the match.
    pub fn name(&self, name: &str) -> Option<&'h str> {
        self.groups
            .named(name)
            .and_then(|(start, end)| self.haystack.get(start..end))
    }

    /// The byte range of the whole match.
    pub fn range(&self) -> Option<(usize, usize)> {
        self.groups.span(0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ReplPart {
    Lit(String),
    Group(usize),
}

/// A replacement string, parsed once: literal text and group references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    parts: Vec<ReplPart>,
}

impl Replacement {
    /// A replacement for eval `replace(s, re, repl)`: `\0`–`\9` insert a group (an unset
    /// or missing group inserts nothing), `\\` is one backslash; everything else (other
    /// escapes, `&`, `$`) is literal.
    pub fn eval(text: &str) -> Replacement {
        let mut b = ReplBuilder::default();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                b.lit(c);
                continue;
            }
            match chars.peek().copied() {
                Some(d @ '0'..='9') => {
                    chars.next();
                    b.group(d as usize - '0' as usize);
                }
                Some('\\') => {
                    chars.next();
                    b.lit('\\');
                }
                _ => b.lit('\\'),
            }
        }
        b.finish()
    }

    /// A replacement for sed's `s` command with delimiter `delim`: `\1`–`\9` and `&`
    /// insert groups (`&` is the whole match), `\&`, `\\` and `\<delim>` are literal,
    /// `\n` and `\t` are a newline and a tab, any other `\c` is `c`.
    pub fn sed(text: &str, delim: char) -> Replacement {
        let mut b = ReplBuilder::default();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '&' => b.group(0),
                '\\' => match chars.next() {
                    Some(d @ '0'..='9') => b.group(d as usize - '0' as usize),
                    Some('n') if delim != 'n' => b.lit('\n'),
                    Some('t') if delim != 't' => b.lit('\t'),
                    Some(other) => b.lit(other),
                    None => b.lit('\\'),
                },
                other => b.lit(other),
            }
        }
        b.finish()
    }

    /// Literal text only (no group references).
    pub fn literal(text: &str) -> Replacement {
        Replacement {
            parts: vec![ReplPart::Lit(text.to_owned())],
        }
    }

    fn expand(&self, haystack: &str, caps: &Groups, out: &mut String) {
        for part in &self.parts {
            match part {
                ReplPart::Lit(s) => out.push_str(s),
                ReplPart::Group(i) => {
                    if let Some(s) = caps.span(*i).and_then(|(a, b)| haystack.get(a..b)) {
                        out.push_str(s);
                    }
                }
            }
        }
    }
}

#[derive(Default)]
struct ReplBuilder {
    parts: Vec<ReplPart>,
    lit: String,
}

impl ReplBuilder {
    fn lit(&mut self, c: char) {
        self.lit.push(c);
    }

    fn group(&mut self, i: usize) {
        if !self.lit.is_empty() {
            self.parts
                .push(ReplPart::Lit(std::mem::take(&mut self.lit)));
        }
        self.parts.push(ReplPart::Group(i));
    }

    fn finish(mut self) -> Replacement {
        if !self.lit.is_empty() {
            self.parts.push(ReplPart::Lit(self.lit));
        }
        Replacement { parts: self.parts }
    }
}

/// A compiled `rex mode=sed` expression: `s/re/repl/flags` or `y/abc/xyz/`.
#[derive(Clone, Debug)]
pub enum Sed {
    /// `s/re/repl/flags`
    Substitute {
        /// The compiled regex.
        regex: Regex,
        /// The replacement.
        replacement: Replacement,
        /// Which matches to replace.
        occurrence: SedOccurrence,
    },
    /// `y/abc/xyz/`: `(from, to)` pairs; the first pair for a character wins.
    Transliterate(Vec<(char, char)>),
}

impl Sed {
    /// The edit of a lowered `rex mode=sed` (its replacement text in sed's syntax, see
    /// [`Replacement::sed`]).
    pub fn new(edit: SedEdit<Compiled>) -> Sed {
        match edit {
            SedEdit::Substitute {
                regex,
                replacement,
                occurrence,
            } => Sed::Substitute {
                regex,
                replacement: Replacement::sed(&replacement, '/'),
                occurrence,
            },
            SedEdit::Transliterate { from, to } => {
                Sed::Transliterate(from.into_iter().zip(to).collect())
            }
        }
    }

    /// Apply to one value. Unchanged input is returned borrowed.
    pub fn apply<'h>(&self, text: &'h str) -> Cow<'h, str> {
        let index = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        match self {
            Sed::Substitute {
                regex,
                replacement,
                occurrence,
            } => match *occurrence {
                SedOccurrence::All => regex.replace_all(text, replacement),
                SedOccurrence::Nth(n) => regex.replace_nth(text, replacement, index(n)),
                SedOccurrence::FromNth(n) => regex.replace_from(text, replacement, index(n), true),
            },
            Sed::Transliterate(map) => {
                if !text.chars().any(|c| map.iter().any(|(f, _)| *f == c)) {
                    return Cow::Borrowed(text);
                }
                Cow::Owned(
                    text.chars()
                        .map(|c| map.iter().find(|(f, _)| *f == c).map_or(c, |(_, t)| *t))
                        .collect(),
                )
            }
        }
    }
}
