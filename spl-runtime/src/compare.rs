//! Field comparisons of the `search` command: `f=v`, `f!=v`, `f<v`, `f IN (...)`
//! (`docs/semantics.md`, "Search command").
//!
//! - `=` matches the **whole** value, ignoring ASCII case; `*` in the literal matches any
//!   run of characters (breakers too). `f=*` is true for any present value, the empty
//!   string included.
//! - A literal in CIDR notation (`10.0.0.0/8`, `fe80::/10`) matches the addresses of that
//!   subnet; values that are not addresses never match it.
//! - `!=` is "the field exists and no value equals": a missing field gives false, and
//!   `f!=*` is never true. `NOT f=v` is a negation the caller builds (missing gives true).
//! - `< <= > >=` compare numerically when both sides are numbers, else by UTF-8 byte
//!   order (case-sensitive: `"Z" < "a"`, `"10" < "9"` when one side is not numeric).
//! - A multivalue field matches `=` and the ordering operators when any value does.
//! - `f IN (a, b*, 10.0.0.0/8)` is one matcher: OR of `=` over the list. Exact literals go
//!   into a sorted table searched without allocating.
//!
//! [`Wildcard`] (whole-string `*` globbing) is also used by `TERM(...)`.

use std::cmp::Ordering;

use crate::cidr::Cidr;
use crate::ir::CmpOp;
use crate::search::Finder;
use crate::texts::TextSet;
use crate::value::{format_number, parse_number, Value};

#[derive(Clone, Debug)]
struct WildPiece {
    /// Lowercased unless the pattern is case-sensitive.
    text: Box<[u8]>,
    finder: Finder,
}

/// A whole-string pattern where `*` matches any run of characters (including none).
/// Built once; `is_match` does not allocate.
#[derive(Clone, Debug)]
pub struct Wildcard {
    pieces: Vec<WildPiece>,
    leading: bool,
    trailing: bool,
    /// At least one `*` in the pattern.
    has_star: bool,
    case_sensitive: bool,
}

impl Wildcard {
    /// A pattern from `text`; `case_sensitive` false folds ASCII case.
    pub fn new(text: &str, case_sensitive: bool) -> Wildcard {
        let pieces = text
            .split('*')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let bytes = if case_sensitive {
                    p.as_bytes().to_vec()
                } else {
                    p.as_bytes().to_ascii_lowercase()
                };
                WildPiece {
                    finder: Finder::new(&bytes, case_sensitive),
                    text: bytes.into_boxed_slice(),
                }
            })
            .collect();
        Wildcard {
            pieces,
            leading: text.starts_with('*'),
            trailing: text.ends_with('*'),
            has_star: text.contains('*'),
            case_sensitive,
        }
    }

    /// True when the pattern has a `*`.
    pub fn has_wildcard(&self) -> bool {
        self.has_star
    }

    /// The literal pieces between wildcards, ASCII-lowercased.
    pub fn literals(&self) -> Vec<&str> {
        // Pieces come from splitting a `&str` at an ASCII byte, so they are UTF-8; an
        // ASCII lowercase keeps that.
        self.pieces
            .iter()
            .filter_map(|p| std::str::from_utf8(&p.text).ok())
            .collect()
    }

    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        self.is_match_bytes(value.as_bytes())
    }

    fn eq(&self, value: &[u8], piece: &[u8]) -> bool {
        if self.case_sensitive {
            value == piece
        } else {
            value.eq_ignore_ascii_case(piece)
        }
    }

    /// Whether the whole of `value` matches (bytes).
    pub(crate) fn is_match_bytes(&self, value: &[u8]) -> bool {
        if !self.has_star {
            return match self.pieces.first() {
                None => value.is_empty(),
                Some(p) => self.eq(value, &p.text),
            };
        }
        let n = self.pieces.len();
        let mut lo = 0;
        let mut hi = value.len();
        let mut first_mid = 0;
        let mut end_mid = n;
        if !self.leading {
            let Some(p) = self.pieces.first() else {
                return true;
            };
            if value.len() < p.text.len() || !self.eq(&value[..p.text.len()], &p.text) {
                return false;
            }
            lo = p.text.len();
            first_mid = 1;
        }
        if !self.trailing && end_mid > first_mid {
            let Some(p) = self.pieces.last() else {
                return true;
            };
            if value.len() < lo + p.text.len()
                || !self.eq(&value[value.len() - p.text.len()..], &p.text)
            {
                return false;
            }
            hi = value.len() - p.text.len();
            end_mid = n - 1;
        }
        let window = &value[..hi];
        for p in &self.pieces[first_mid..end_mid] {
            match p.finder.find_at(window, lo) {
                Some(s) => lo = s + p.text.len(),
                None => return false,
            }
        }
        true
    }
}

/// Wildcard patterns tried together: a value is tried only against the patterns whose
/// longest literal piece it contains, found for all of them in one multi-text search
/// ([`TextSet`]). Built for sets of [`GlobSet::MIN`] patterns or more; smaller sets loop.
#[derive(Clone, Debug, Default)]
struct GlobSet {
    /// Patterns `*<c>text` answered by what follows the value's last `c` (see [`Tails`]).
    tails: Vec<Tails>,
    /// The other patterns.
    globs: Vec<Wildcard>,
    /// Over the distinct longest pieces; per piece, the patterns (indexes in `globs`)
    /// whose longest piece it is.
    pieces: Option<(TextSet, Vec<Vec<u32>>)>,
}

thread_local! {
    /// The pieces already tried for the value at hand (one bit each), so that a piece
    /// found many times in a value has its patterns tried once: time stays linear in the
    /// value's length.
    static TRIED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl GlobSet {
    /// The fewest patterns for which the pieces are searched for together.
    const MIN: usize = 4;

    fn new(globs: Vec<Wildcard>, case_sensitive: bool) -> GlobSet {
        let (tails, globs) = if globs.len() >= Self::MIN {
            Tails::split(globs, case_sensitive)
        } else {
            (Vec::new(), globs)
        };
        let mut set = GlobSet {
            tails,
            globs,
            pieces: None,
        };
        // Every pattern of a set has a piece: a pattern of `*` alone is `ValueSet::any`.
        if set.globs.len() < Self::MIN || set.globs.iter().any(|g| g.pieces.is_empty()) {
            return set;
        }
        let mut texts: Vec<&[u8]> = Vec::new();
        let mut owners: Vec<Vec<u32>> = Vec::new();
        let mut index: std::collections::HashMap<&[u8], usize> = Default::default();
        for (i, glob) in set.globs.iter().enumerate() {
            let longest = glob
                .pieces
                .iter()
                .map(|p| &*p.text)
                .max_by_key(|t| t.len())
                .unwrap_or_default();
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match index.get(longest) {
                Some(&k) => owners[k].push(i),
                None => {
                    index.insert(longest, texts.len());
                    texts.push(longest);
                    owners.push(vec![i]);
                }
            }
        }
        set.pieces = Some((TextSet::new(&texts, !case_sensitive), owners));
        set
    }

    fn is_empty(&self) -> bool {
        self.globs.is_empty() && self.tails.is_empty()
    }

    fn any_match(&self, value: &str) -> bool {
        if self.tails.iter().any(|t| t.matches(value.as_bytes())) {
            return true;
        }
        let Some((pieces, owners)) = &self.pieces else {
            return self.globs.iter().any(|g| g.is_match(value));
        };
        TRIED.with_borrow_mut(|tried| {
            tried.clear();
            tried.resize(owners.len().div_ceil(64), 0);
            pieces.find(value.as_bytes(), |k| {
                let (word, bit) = (k / 64, 1u64 << (k % 64));
                if tried[word] & bit != 0 {
                    return false;
                }
                tried[word] |= bit;
                owners[k]
                    .iter()
                    .any(|&i| self.globs[i as usize].is_match(value))
            })
        })
    }
}

/// Patterns of one shape, `*<c>text` where `c` is an ASCII punctuation byte that `text`
/// does not hold (`*\\cmd.exe`, `*.dll`): a value ends with `c` then `text` exactly when
/// what follows its last `c` is `text` (the last `c` of such a value is the one before
/// `text`, which has none). One backward search for `c` and one lookup in the sorted
/// texts answer all the patterns of a `c`, where each would compare the value's end.
#[derive(Clone, Debug)]
struct Tails {
    sep: u8,
    /// The texts after `c`, sorted (ASCII lowercase unless case-sensitive).
    texts: Vec<Box<[u8]>>,
    case_sensitive: bool,
}

impl Tails {
    /// The fewest patterns of one `c` worth a lookup of their own.
    const MIN: usize = 2;

    /// The patterns of `globs` taken by `Tails` (grouped by their `c`) and the others.
    fn split(globs: Vec<Wildcard>, case_sensitive: bool) -> (Vec<Tails>, Vec<Wildcard>) {
        let shape = |g: &Wildcard| -> Option<(u8, Box<[u8]>)> {
            let [piece] = g.pieces.as_slice() else {
                return None;
            };
            let (&sep, text) = piece.text.split_first()?;
            (g.leading
                && !g.trailing
                && sep.is_ascii_punctuation()
                && sep != b'*'
                && !text.contains(&sep))
            .then(|| (sep, text.into()))
        };
        let mut by_sep: Vec<(u8, Vec<Box<[u8]>>)> = Vec::new();
        for (sep, text) in globs.iter().filter_map(shape) {
            match by_sep.iter_mut().find(|(s, _)| *s == sep) {
                Some((_, texts)) => texts.push(text),
                None => by_sep.push((sep, vec![text])),
            }
        }
        by_sep.retain(|(_, texts)| texts.len() >= Tails::MIN);
        let rest = globs
            .into_iter()
            .filter(|g| !shape(g).is_some_and(|(sep, _)| by_sep.iter().any(|(s, _)| *s == sep)))
            .collect();
        let tails = by_sep
            .into_iter()
            .map(|(sep, mut texts)| {
                texts.sort();
                texts.dedup();
                Tails {
                    sep,
                    texts,
                    case_sensitive,
                }
            })
            .collect();
        (tails, rest)
    }

    fn matches(&self, value: &[u8]) -> bool {
        let Some(at) = memchr::memrchr(self.sep, value) else {
            return false;
        };
        sorted_holds(&self.texts, &value[at + 1..], self.case_sensitive)
    }
}

/// The right-hand side of `=`/`!=`/`IN`: a set of literals, wildcard patterns and subnets.
#[derive(Clone, Debug, Default)]
struct ValueSet {
    /// Exact literals, sorted (lowercased unless case-sensitive).
    exact: Vec<Box<[u8]>>,
    globs: Box<GlobSet>,
    cidrs: Vec<Cidr>,
    /// `*` alone is in the set.
    any: bool,
    case_sensitive: bool,
}

impl ValueSet {
    fn new<'a>(literals: impl IntoIterator<Item = &'a str>, case_sensitive: bool) -> ValueSet {
        let mut set = ValueSet {
            case_sensitive,
            ..ValueSet::default()
        };
        let mut globs = Vec::new();
        for lit in literals {
            if !lit.is_empty() && lit.bytes().all(|b| b == b'*') {
                set.any = true;
            } else if lit.contains('*') {
                globs.push(Wildcard::new(lit, case_sensitive));
            } else if let Some(c) = lit.contains('/').then(|| Cidr::parse(lit)).flatten() {
                set.cidrs.push(c);
            } else if case_sensitive {
                set.exact.push(lit.as_bytes().into());
            } else {
                set.exact
                    .push(lit.as_bytes().to_ascii_lowercase().into_boxed_slice());
            }
        }
        set.exact.sort();
        set.exact.dedup();
        set.globs = Box::new(GlobSet::new(globs, case_sensitive));
        set
    }

    fn contains(&self, value: &str) -> bool {
        if self.any {
            return true;
        }
        if sorted_holds(&self.exact, value.as_bytes(), self.case_sensitive) {
            return true;
        }
        if !self.cidrs.is_empty() {
            // Parse the address once for every subnet of the list.
            if let Ok(addr) = value.trim_ascii().parse::<std::net::IpAddr>() {
                if self.cidrs.iter().any(|c| c.contains_addr(addr)) {
                    return true;
                }
            }
        }
        !self.globs.is_empty() && self.globs.any_match(value)
    }
}

/// Whether the sorted `texts` (ASCII lowercase unless `case_sensitive`) hold `value`
/// (ignoring its ASCII case unless `case_sensitive`).
#[inline]
fn sorted_holds(texts: &[Box<[u8]>], value: &[u8], case_sensitive: bool) -> bool {
    if case_sensitive {
        texts.binary_search_by(|t| (**t).cmp(value)).is_ok()
    } else {
        texts.binary_search_by(|t| cmp_folded(t, value)).is_ok()
    }
}

/// Compare a lowercased `stored` string with `value` folded to ASCII lowercase on the fly.
fn cmp_folded(stored: &[u8], value: &[u8]) -> Ordering {
    let n = stored.len().min(value.len());
    for i in 0..n {
        match stored[i].cmp(&value[i].to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    stored.len().cmp(&value.len())
}

#[derive(Clone, Debug)]
enum Kind {
    /// `=` (negate false) or `!=` (negate true) against a set of patterns.
    Set { set: ValueSet, negate: bool },
    /// An ordering operator against one literal.
    Order {
        op: CmpOp,
        text: Box<str>,
        num: Option<f64>,
    },
}

/// A field comparison of the search command, built once from its literal(s).
///
/// ```
/// use spl_runtime::compare::FieldMatcher;
/// use spl_runtime::ir::CmpOp;
/// use spl_runtime::Value;
/// let m = FieldMatcher::new(CmpOp::Eq, r"C:\Program Files*");
/// assert!(m.matches(Some(&Value::from(r"c:\program files\x.exe"))));
/// assert!(!m.matches(None));
/// let ne = FieldMatcher::new(CmpOp::Ne, "0");
/// assert!(ne.matches(Some(&Value::from("0.0"))));
/// assert!(!ne.matches(None));
/// ```
#[derive(Clone, Debug)]
pub struct FieldMatcher {
    kind: Kind,
}

impl FieldMatcher {
    /// `field <op> literal`, with the search command's case rule (values ignore case).
    pub fn new(op: CmpOp, literal: &str) -> FieldMatcher {
        FieldMatcher::with_case(op, literal, false)
    }

    /// `field <op> literal`; `case_sensitive` for `field=CASE(literal)`.
    pub fn with_case(op: CmpOp, literal: &str, case_sensitive: bool) -> FieldMatcher {
        let kind = match op {
            CmpOp::Eq | CmpOp::Ne => Kind::Set {
                set: ValueSet::new([literal], case_sensitive),
                negate: op == CmpOp::Ne,
            },
            _ => Kind::Order {
                op,
                text: literal.into(),
                num: parse_number(literal),
            },
        };
        FieldMatcher { kind }
    }

    /// `field IN (v1, v2, ...)`: true when some value equals (by the rules of `=`) some
    /// literal of the list. An empty list matches nothing.
    pub fn in_list<'a>(literals: impl IntoIterator<Item = &'a str>) -> FieldMatcher {
        FieldMatcher {
            kind: Kind::Set {
                set: ValueSet::new(literals, false),
                negate: false,
            },
        }
    }

    /// Test a field: `None` (absent) never matches any operator.
    pub fn matches(&self, value: Option<&Value>) -> bool {
        value.is_some_and(|v| self.matches_value(v))
    }

    /// Test a present field value (multivalues: see the module docs).
    pub fn matches_value(&self, value: &Value) -> bool {
        match value {
            Value::Str(s) => self.matches_str(s),
            Value::Multi(values) => match &self.kind {
                Kind::Set { set, negate: true } => !values.iter().any(|s| set.contains(s)),
                _ => values.iter().any(|s| self.matches_str(s)),
            },
            Value::Num(n) => match &self.kind {
                Kind::Order {
                    op, num: Some(lit), ..
                } => n.partial_cmp(lit).is_some_and(|o| op.holds(o)),
                _ => self.matches_str(&format_number(*n)),
            },
        }
    }

    /// Test one present single value.
    pub fn matches_str(&self, value: &str) -> bool {
        match &self.kind {
            Kind::Set { set, negate } => set.contains(value) != *negate,
            Kind::Order { op, text, num } => {
                let ord = match (num, parse_number(value)) {
                    (Some(lit), Some(v)) => match v.partial_cmp(lit) {
                        Some(o) => o,
                        None => return false,
                    },
                    _ => value.as_bytes().cmp(text.as_bytes()),
                };
                op.holds(ord)
            }
        }
    }
}

/// Compare two values for display ordering (sort, group order): numerically when both are
/// numbers, else by byte order.
pub fn compare_values(a: &str, b: &str) -> Ordering {
    match (parse_number(a), parse_number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_compare_orders_like_lowercase() {
        assert_eq!(cmp_folded(b"abc", b"ABC"), Ordering::Equal);
        assert_eq!(cmp_folded(b"abc", b"ABD"), Ordering::Less);
        assert_eq!(cmp_folded(b"ab", b"ABC"), Ordering::Less);
        assert_eq!(cmp_folded(b"b", b"A"), Ordering::Greater);
    }

    /// The set of `patterns`, checked against the loop over them on each of `values`.
    fn set_as_the_loop(patterns: &[&str], values: &[&str], case_sensitive: bool) -> GlobSet {
        let globs: Vec<Wildcard> = patterns
            .iter()
            .map(|p| Wildcard::new(p, case_sensitive))
            .collect();
        let set = GlobSet::new(globs.clone(), case_sensitive);
        for v in values {
            let want = globs.iter().any(|g| g.is_match(v));
            assert_eq!(
                set.any_match(v),
                want,
                "{v:?} (case-sensitive: {case_sensitive})"
            );
        }
        set
    }

    #[test]
    fn many_wildcards_match_as_the_loop_over_them_does() {
        let patterns = [
            r"*\cmd.exe",
            r"*\POWERSHELL.exe",
            "*-enc *",
            "a*b*a",
            "*aa*",
            "x*",
            "*y",
            "*cmd*",
            "*é*",
        ];
        let values = [
            r"C:\Windows\System32\CMD.EXE",
            r"c:\windows\powershell.exe",
            "powershell -ENC abc",
            "abba",
            "aba",
            "ab",
            "aaaaaaaaaaaaaaaa",
            "xylophone",
            "toy",
            "",
            "É",
            "é",
            "cmdcmdcmd",
            "nothing here",
        ];
        for case_sensitive in [false, true] {
            let set = set_as_the_loop(&patterns, &values, case_sensitive);
            assert!(
                set.pieces.is_some(),
                "the patterns search for their pieces together"
            );
        }
        let set = GlobSet::new(
            patterns.iter().map(|p| Wildcard::new(p, false)).collect(),
            false,
        );
        assert!(set.any_match("CMD.EXE /c"), "*cmd* ignores case");
        assert!(!set.any_match("ÉTÉ"), "only ASCII case folds");
        assert!(!set.any_match("a"), "a*b*a needs a b");
    }

    #[test]
    fn endings_after_a_separator_match_as_the_loop_over_them_does() {
        let patterns = [
            r"*\cmd.exe",
            r"*\PowerShell.exe",
            r"*\x",
            r"*\sub\dir.exe",
            "*.dll",
            "*.exe",
            "*.tar.gz",
            "*-",
            "a*.exe",
            "*.exe*",
        ];
        let values = [
            r"C:\Windows\System32\CMD.EXE",
            r"C:\Windows\System32\cmd.exe ",
            r"cmd.exe",
            r"\cmd.exe",
            r"C:\a\powershell.EXE",
            r"C:\sub\dir.exe",
            r"C:\sub\dir.exe\",
            r"D:\x",
            r"D:\x\",
            "lib.DLL",
            "a.b.dll",
            "dll",
            "archive.tar.gz",
            "archive.gz",
            "",
            ".",
            r"\",
            "x-",
            "a.exe",
            "é.exe",
        ];
        for case_sensitive in [false, true] {
            let set = set_as_the_loop(&patterns, &values, case_sensitive);
            let seps: Vec<u8> = set.tails.iter().map(|t| t.sep).collect();
            // `*\sub\dir.exe` and `*.tar.gz` hold their separator twice, `*-` is alone.
            assert_eq!(seps, [b'\\', b'.'], "the endings grouped by separator");
            assert_eq!(set.tails.iter().map(|t| t.texts.len()).sum::<usize>(), 5);
        }
    }

    #[test]
    fn a_value_full_of_one_piece_tries_its_patterns_once() {
        // 64 patterns whose longest piece is "aaa": each occurrence of it in a long value
        // would try them all again without the record of pieces tried.
        let globs: Vec<Wildcard> = (0..64)
            .map(|i| Wildcard::new(&format!("*aaa*{i}"), false))
            .collect();
        let set = GlobSet::new(globs, false);
        assert_eq!(set.pieces.as_ref().map(|(_, owners)| owners.len()), Some(1));
        let value = "a".repeat(200_000);
        assert!(!set.any_match(&value));
        assert!(set.any_match(&format!("{value}63")));
    }

    #[test]
    fn wildcard_shapes() {
        let w = Wildcard::new("a*b*c", false);
        assert!(
            w.is_match("abc") && w.is_match("AxxBxxC") && !w.is_match("ab") && !w.is_match("acb")
        );
        let w = Wildcard::new("ab*ba", false);
        assert!(!w.is_match("aba"), "prefix and suffix must not overlap");
        assert!(w.is_match("abba"));
        assert!(Wildcard::new("*", false).is_match(""));
        assert!(Wildcard::new("", false).is_match(""));
        assert!(!Wildcard::new("", false).is_match("x"));
        assert!(Wildcard::new("**x**", false).is_match("aXa"));
        assert!(!Wildcard::new("X*", true).is_match("xa"));
    }
}
