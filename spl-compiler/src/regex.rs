//! Translation of PCRE patterns (as Splunk runs them) into patterns for `regex-automata`
//! (or, for a pattern with lookaround, for `fancy-regex`).
//!
//! SPL's `regex`, `rex`, `match()` and `replace()` take PCRE patterns. splc runs them with
//! `regex_automata::meta::Regex` (default syntax: Unicode on, UTF-8 mode), whose dialect
//! differs from PCRE in ways that would silently change what a rule finds (`\<` is a word
//! boundary there, `\w` is Unicode there, `\Q...\E` does not exist there). [`translate`]
//! reads a PCRE pattern, **after** SPL string unescaping (`\\` → `\`, `\"` → `"`), and
//! writes a pattern with the same meaning, or returns a [`RegexError`] that says why and
//! where. A pattern that cannot be carried out exactly is an error, never a silent change of
//! meaning, except for the documented deviations below.
//!
//! ```
//! use spl_compiler::regex::translate;
//!
//! let t = translate(r"(?i)\<Command\>\s+(?<arg>\w+)").expect("translates");
//! assert_eq!(t.names, ["arg"]);
//! let re = regex_automata::meta::Regex::new(&t.pattern).expect("compiles");
//! assert!(re.is_match("x <command> Yes"));
//! assert!(!re.is_match("x command yes"));
//! ```
//!
//! # What is translated, and how
//!
//! (`docs/semantics.md`, "Regular expressions". Every regex of the armory goes through
//! this translation in `tests/regex_corpus.rs`.)
//!
//! | PCRE | translation | why |
//! |---|---|---|
//! | `\<`, `\>` | `<`, `>` | literal in PCRE, word boundaries in Rust |
//! | `\Q...\E` | each character as an escaped literal (to the end if no `\E`) | not in Rust |
//! | `\d \w \s` and negations | explicit ASCII classes, e.g. `[0-9A-Z_a-z]` | PCRE without UCP is ASCII |
//! | the same inside `[...]` | the class is computed as a set and printed | e.g. `[\w.-]`, `[^\s]` |
//! | `\h \H \v \V` | PCRE's fixed sets (`\v` is *not* a vertical tab) | |
//! | `[[:alpha:]]` and the other POSIX classes | ASCII sets | |
//! | `\b \B` | `(?-u:\b)`, `(?-u:\B)` (ASCII word boundary, allowed in UTF-8 mode) | |
//! | `.` | `.`, or `(?s:.)` under `(?s)` | |
//! | `^` / `\A` | `^` / `\A`; under `(?m)`: `(?m:^)` | |
//! | `$` / `\Z` (not multiline) | `(?:\n?\z)`, only where nothing but end anchors follows | see below |
//! | `$` under `(?m)` | `(?m:$)` | same meaning in both |
//! | `\z` | `\z` | |
//! | `(?i)`, `(?i:...)`, `(?-i)` | kept as Rust `(?i)` switches where cased letters need them | |
//! | `(?m) (?s) (?x) (?xx) (?n) (?U) (?^)` | carried out by the translator itself | no flag but `i` reaches Rust |
//! | `(?<n>...)`, `(?P<n>...)`, `(?'n'...)` | `(?P<n>...)` | names: `[A-Za-z_][A-Za-z0-9_]*`, unique |
//! | `\xHH \x{H..} \o{..} \0nn \t \n \r \f \e \a \cX` | the character | `\x` alone is NUL, as in PCRE |
//! | `\N` | `[^\n]` | |
//! | `\` + any other non-alphanumeric character | that character, escaped if Rust needs it | `\/ \: \_ \' \%` ... |
//! | `\p{..}`, `\P{..}`, `\pL` | Rust's property, not case-folded (as in PCRE) | |
//! | `(?<=...)` at the very start, the only lookaround | `(?:...)`, with [`Translated::lookbehind_prefix_consumed`] | see below |
//! | `(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)` anywhere else | the same, for fancy-regex, with [`Translated::backtracking`] | see below |
//! | `(?#...)`, `(?)` | nothing | |
//!
//! Rejected with an error (offset and length of the construct): a lookbehind that is not of
//! fixed length, backreferences (`\1`,
//! `\g..`, `\k..`, `(?P=n)`), atomic groups `(?>`, possessive quantifiers (`*+ ++ ?+ {n}+`),
//! `\K`, `\G`, `\C`, `\R`, `\X`, `\N{..}`, recursion and subroutine calls, conditionals,
//! callouts, branch reset `(?|`, `(*VERB)`s, `[[:<:]]`, POSIX collating elements, unknown
//! letter escapes, unbalanced parentheses and brackets, duplicate group names, quantifiers
//! that follow nothing repeatable (also `a**`, `^*`), and constructs whose meaning differs
//! between PCRE versions: `x{,3}` and `x{1, 3}` (a quantifier since PCRE2 10.43, literal
//! text before), `[\d-z]` and `[\Qa\E-z]` (a range or not), a space between a quantifier
//! and `?`/`+` under `(?x)`, and a class mixing `\D \S \W [:^name:]` with a POSIX class or
//! `\p{..}` (PCRE2 10.42 gives such classes a wrong meaning above U+00FF).
//!
//! # Decisions and deviations
//!
//! * **Case-insensitivity.** Rust's `(?i)` uses Unicode simple case folding. PCRE2 in UTF
//!   mode folds with the same Unicode data (so `(?i)k` also matches the Kelvin sign in both).
//!   Differences can only come from differing Unicode versions. What must *not* be folded is
//!   not: `\w`, `\d`, `\s`, POSIX classes and `\p{..}` keep their exact sets under `(?i)`
//!   (PCRE's rule), via a local `(?-i:...)` where Rust would otherwise fold them. Under
//!   `(?i)`, `[[:upper:]]` and `[[:lower:]]` mean `[[:alpha:]]`, as in PCRE.
//! * **`$` without `(?m)`** means "at the very end, or before a newline that ends the
//!   subject" in PCRE, which needs lookahead. splc translates it to `(?:\n?\z)` when nothing
//!   that can consume input follows it (so `foo$`, `(a|b)$`, `(\s|$)` at the end, and
//!   `\s*,\s*$$$$` all work; `$$$$` from Splunk's saved-search `$$` escaping reaches the
//!   engine as four end anchors, which is harmless). Whether a match exists is then exactly
//!   as in PCRE, and so are captures that do not contain the `$`; a capture group that ends
//!   with the `$` (e.g. `(?<d>.+$)`) is rewritten so the newline stays outside it. What can
//!   differ, only for a subject that ends with `\n`: the overall match span (it then
//!   includes that final newline, which matters to `replace()` and `rex mode=sed`), and a
//!   capture group that encloses a `$` in one alternative only (`(a|$)`). A `$` followed by
//!   something that can consume input (`a$\n`) is an error. `\Z` is treated like `$`.
//! * **`^` under `(?m)`** in PCRE does not match after a newline that ends the subject;
//!   Rust's does. This only matters for a pattern that can match the empty string there.
//! * **Lookbehind at the start.** For consumers that need only "is there a match" and the
//!   named captures (`regex`, `match()`, `rex` with `max_match=1`), `(?<=L)R` is the same as
//!   `(?:L)R` when `L` always matches the same number of characters and `R` is the whole rest
//!   of the pattern (no top-level `|`). splc rewrites it so and sets
//!   [`Translated::lookbehind_prefix_consumed`]; the overall match span then starts where
//!   `L` starts. It is wrong for repeated matching (`rex max_match>1`, `replace()`, sed).
//!   A lookbehind whose length varies is an error.
//! * **Lookaround.** `regex-automata` has none. A pattern with any other lookaround
//!   (lookahead, negative lookbehind, a lookbehind not at the start or beside a top-level
//!   `|`, or more than one) is written for `fancy_regex::Regex`, a backtracking engine, and
//!   marked [`Translated::backtracking`]; the runtime runs it there with PCRE's meaning,
//!   match spans included. fancy-regex reads the syntax written for everything else alike,
//!   except for three constructs written differently: the ASCII `\b` and `\B` become
//!   lookaround over `[0-9A-Z_a-z]` (fancy-regex's `\b` is Unicode and it refuses
//!   `(?-u:`), and PCRE's `$` and multiline `^` are written exactly as `(?=\n?\z)` and
//!   `(?:\A|(?<=\n)(?!\z))` (so the restrictions on `$` above do not apply there). As in
//!   PCRE, each top-level alternative of a lookbehind must always match the same number of
//!   characters (`(?<=ab|c)` is fine, `(?<=a+)` and `(?<=a(b|cd))` are errors). A
//!   lookaround cannot be repeated (an error, as before).
//! * **`.`** excludes only `\n`, as PCRE with its default newline convention (LF).
//! * **Engine, not dialect:** when a repeated group can match the empty string, PCRE
//!   records a final empty iteration in its captures and regex-automata does not
//!   (`(?<n>[a-z]|)+` on `"s1"`: PCRE `n=""`, here `n="s"`); the match itself is the same.
//! * The result must compile with `regex_automata::meta::Regex::new` (or
//!   `fancy_regex::Regex::new`, for a pattern with lookaround) and default configuration:
//!   [`translate`] checks that, so a pattern too big for the default size limits is
//!   reported as an error too. With ASCII `\w`, the corpus's largest pattern
//!   (`(?<base64_cmd>\w{20,1000}=?)`) fits the default limits.
//!
//! `spl-compiler/tests/regex_translate.rs` pins each rule above with patterns and subjects
//! whose PCRE meaning is written out by hand; `tests/regex_corpus.rs` translates every regex
//! of the armory.

mod ast;
mod class;
mod emit;
mod needed;
mod parse;

use std::fmt;

use regex_automata::nfa::thompson;
use regex_automata::PatternID;

/// A PCRE pattern translated for `regex-automata`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translated {
    /// The pattern in `regex-syntax` 0.8 syntax, for `regex_automata::meta::Regex::new`.
    pub pattern: String,
    /// The named capture groups, in the order they open in the pattern.
    pub names: Vec<String>,
    /// True when a lookbehind at the start of the pattern was turned into a consumed prefix:
    /// match existence and captures are PCRE's, but the overall match span starts earlier.
    pub lookbehind_prefix_consumed: bool,
    /// True when the pattern has lookaround and is written for the backtracking engine
    /// (`fancy_regex::Regex`, default configuration) instead of `regex-automata`. The
    /// runtime's `Regex` recognises such a pattern by a lookaround group in its text.
    pub backtracking: bool,
}

/// Why a PCRE pattern cannot be translated, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError {
    /// Byte offset into the PCRE pattern given to [`translate`].
    pub offset: usize,
    /// Length in bytes of the offending construct (at least 1 unless the pattern is empty).
    pub len: usize,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl RegexError {
    fn new(span: spl_grammar::Span, message: impl Into<String>) -> Self {
        RegexError {
            offset: span.start,
            len: span.len(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for RegexError {}

/// The NFA size limit of `regex_automata::meta::Regex`'s default configuration.
const NFA_SIZE_LIMIT: usize = 10 * (1 << 20);

/// Translates a PCRE pattern (after SPL string unescaping) into an equivalent pattern for
/// `regex_automata::meta::Regex` with its default configuration.
///
/// The result is checked: it compiles (to the NFA `Regex::new` builds first, within its
/// default size limit), and its named groups are
/// [`Translated::names`]. See the [module documentation](self) for what is translated,
/// what is rejected, and the documented deviations.
pub fn translate(pcre: &str) -> Result<Translated, RegexError> {
    let parsed = parse::parse(pcre)?;
    let emitted = emit::emit(&parsed.root)?;
    let whole = spl_grammar::Span::new(0, pcre.len());
    if emitted.backtracking {
        let re = fancy_regex::Regex::new(&emitted.pattern).map_err(|e| {
            RegexError::new(
                whole,
                format!("the translated pattern does not compile: {e}"),
            )
        })?;
        let compiled_names: Vec<&str> = re.capture_names().flatten().collect();
        if compiled_names != parsed.names {
            return Err(RegexError::new(
                whole,
                "the translated pattern's named groups differ from the original's",
            ));
        }
        return Ok(Translated {
            pattern: emitted.pattern,
            names: parsed.names,
            lookbehind_prefix_consumed: false,
            backtracking: true,
        });
    }
    // The NFA is what `Regex::new` builds first, under the same syntax and size limits;
    // a pattern it accepts, the runtime compiles (the rest of `Regex::new` is search
    // strategy, not checks), at a fraction of the cost.
    let nfa = thompson::Compiler::new()
        .syntax(regex_automata::util::syntax::Config::default())
        .configure(thompson::Config::new().nfa_size_limit(Some(NFA_SIZE_LIMIT)))
        .build(&emitted.pattern)
        .map_err(|e| {
            RegexError::new(
                whole,
                format!("the translated pattern does not compile: {e}"),
            )
        })?;
    let compiled_names: Vec<&str> = nfa
        .group_info()
        .pattern_names(PatternID::ZERO)
        .flatten()
        .collect();
    if compiled_names != parsed.names {
        return Err(RegexError::new(
            whole,
            "the translated pattern's named groups differ from the original's",
        ));
    }
    Ok(Translated {
        pattern: emitted.pattern,
        names: parsed.names,
        lookbehind_prefix_consumed: emitted.lookbehind_prefix_consumed,
        backtracking: false,
    })
}

/// Texts of which every match of `pattern` (translated syntax) holds one, folded to ASCII
/// lowercase: those every match starts with, or those of a part every match goes through
/// ([`needed`](needed::needed)), whichever narrows the values down more; at most
/// [`MAX_LITERALS`] of them, none empty. `None` when no such texts are known.
pub fn literals(pattern: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(500)
        .build()
        .parse(pattern)
        .ok()?;
    let mut seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    seq.optimize_for_prefix_by_preference();
    // Folded, sorted, at most `MAX_LITERALS` (`union`); a set with the empty text is never
    // the best, nor is an empty set.
    let prefixes = seq.literals().and_then(|l| {
        needed::union([l
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect()])
    });
    // Of equally narrow sets, the prefixes.
    let best = needed::best(prefixes.into_iter().chain(needed::needed(&hir)))?;
    best.into_iter()
        .map(|t| String::from_utf8(t).ok())
        .collect()
}

/// The most texts [`literals`] gives.
pub const MAX_LITERALS: usize = 64;
