//! Texts every match of a pattern holds: what a pack-wide index can look for before it
//! runs the regex.
//!
//! The texts a match *starts* with (`regex-syntax`'s prefix extraction) say nothing of a
//! pattern that starts with `\w+` or `.*`, yet most patterns hold a literal run somewhere
//! (`\w+` + "`" + `...`). [`needed`] walks the pattern's syntax tree and keeps, for each
//! part, the few texts it matches exactly (when it is a literal, a small class, or a
//! short alternation or concatenation of those) and the best set of texts every match of
//! it holds:
//!
//! | part | exactly one of | every match holds one of |
//! |---|---|---|
//! | literal `abc` | `abc` | `abc` |
//! | class of at most [`MAX_CLASS`] characters | each of them | each of them |
//! | empty, `^`, `\b` (no width) | the empty text | nothing known |
//! | `x?`, `x{0,1}` | the empty text and those of `x` | nothing known |
//! | `x{n}`, `n` ≤ [`MAX_REPEAT`] | those of `x`, `n` times | as for `x` |
//! | `x+`, `x{n,m}`, `n` ≥ 1 | unknown | as for `x` |
//! | `x*`, `x{0,m}` | unknown | nothing known |
//! | `x\|y` | those of `x` and of `y` | those of `x` and of `y` (each must give some) |
//! | `xy...` | every text of `x` followed by every text of `y`... | the best of: each run of exact parts taken together, and each part's own |
//!
//! Texts are folded to ASCII lowercase (the index ignores ASCII case, so a set that
//! differed only in case would be larger, not more exact), and sets are kept to at most
//! [`MAX_TEXTS`] texts: a longer set is dropped (a run of exact parts is cut where it would
//! grow past it). "Best" is the set whose weakest text is rarest in logs, less the
//! logarithm of how many texts it has (as the index scores a clause).

use regex_syntax::hir::{Class, Hir, HirKind};

/// The most texts a set holds.
pub const MAX_TEXTS: usize = super::MAX_LITERALS;
/// The most characters a class may have for its characters to count as texts.
pub const MAX_CLASS: u32 = 8;
/// The most times a repeated part is written out in a text (`x{3}` is `xxx`).
pub const MAX_REPEAT: u32 = 8;

/// A set of texts, folded to ASCII lowercase, sorted, without duplicates.
pub(super) type Texts = Vec<Vec<u8>>;

/// The best set of texts every match of `hir` holds (none of them empty); `None` when
/// no such set is known.
pub fn needed(hir: &Hir) -> Option<Texts> {
    let part = Part::of(hir);
    best([part.needed, part.exact].into_iter().flatten())
}

/// The score of a set of texts as a logarithm of how few values hold one (higher is
/// narrower), in 1/1024 units; `None` for a set that holds the empty text (every value
/// holds it).
fn score(texts: &[Vec<u8>]) -> Option<i64> {
    if texts.is_empty() || texts.iter().any(Vec::is_empty) {
        return None;
    }
    let weakest = texts
        .iter()
        .map(|t| {
            t.iter()
                .map(|&b| spl_ir::byte_rarity(b))
                .sum::<u32>()
                .min(64)
        })
        .min()
        .unwrap_or(0);
    let count = texts.len() as f64;
    Some(((f64::from(weakest) - count.log2()) * 1024.0) as i64)
}

/// Of these sets, the one with the best [`score`] (the first of equals).
pub(super) fn best(sets: impl IntoIterator<Item = Texts>) -> Option<Texts> {
    let mut best: Option<(i64, Texts)> = None;
    for set in sets {
        if let Some(s) = score(&set) {
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                best = Some((s, set));
            }
        }
    }
    best.map(|(_, set)| set)
}

/// What one part of a pattern says of its matches.
struct Part {
    /// The part matches exactly one of these texts, when they are few.
    exact: Option<Texts>,
    /// The best set of texts (none empty) of which every match holds one, when known.
    needed: Option<Texts>,
}

impl Part {
    fn exactly(texts: Option<Texts>) -> Part {
        Part {
            needed: texts.clone().filter(|t| score(t).is_some()),
            exact: texts,
        }
    }

    fn unknown() -> Part {
        Part {
            exact: None,
            needed: None,
        }
    }

    fn of(hir: &Hir) -> Part {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Part::exactly(Some(vec![Vec::new()])),
            HirKind::Literal(lit) => Part::exactly(Some(vec![lit.0.to_ascii_lowercase()])),
            HirKind::Class(class) => Part::exactly(class_texts(class)),
            HirKind::Capture(capture) => Part::of(&capture.sub),
            HirKind::Repetition(rep) => {
                let sub = Part::of(&rep.sub);
                match (rep.min, rep.max) {
                    (_, Some(0)) => Part::exactly(Some(vec![Vec::new()])),
                    (0, Some(1)) => Part {
                        exact: sub.exact.and_then(|e| union([vec![Vec::new()], e])),
                        needed: None,
                    },
                    (0, _) => Part::unknown(),
                    (n, Some(m)) if n == m && n <= MAX_REPEAT => {
                        let exact = sub
                            .exact
                            .and_then(|e| (1..n).try_fold(e.clone(), |acc, _| cross(&acc, &e)));
                        Part {
                            needed: best([sub.needed, exact.clone()].into_iter().flatten()),
                            exact,
                        }
                    }
                    _ => Part {
                        exact: None,
                        needed: best([sub.needed, sub.exact].into_iter().flatten()),
                    },
                }
            }
            HirKind::Alternation(alts) => {
                let parts: Vec<Part> = alts.iter().map(Part::of).collect();
                let exact = parts
                    .iter()
                    .map(|p| p.exact.clone())
                    .collect::<Option<Vec<Texts>>>()
                    .and_then(union);
                // Every match is a match of one alternative: it holds a text of that one.
                let needed = parts
                    .into_iter()
                    .map(|p| best([p.needed, p.exact].into_iter().flatten()))
                    .collect::<Option<Vec<Texts>>>()
                    .and_then(union);
                Part { exact, needed }
            }
            HirKind::Concat(items) => {
                let mut found: Vec<Texts> = Vec::new();
                // The texts of the run of exact parts so far (`None`: the last part was not
                // exact), and whether every part was.
                let mut run: Option<Texts> = Some(vec![Vec::new()]);
                let mut all_exact = true;
                for item in items {
                    let part = Part::of(item);
                    found.extend(part.needed);
                    match part.exact {
                        Some(exact) => {
                            run = match run.take().map(|r| (cross(&r, &exact), r)) {
                                Some((Some(longer), _)) => Some(longer),
                                // Too many texts: the run so far is one candidate, and a
                                // new run starts at this part (the whole is no longer exact).
                                Some((None, r)) => {
                                    found.push(r);
                                    all_exact = false;
                                    Some(exact)
                                }
                                None => Some(exact),
                            };
                        }
                        None => {
                            found.extend(run.take());
                            all_exact = false;
                        }
                    }
                }
                let exact = if all_exact { run.clone() } else { None };
                found.extend(run);
                Part {
                    exact,
                    needed: best(found),
                }
            }
        }
    }
}

/// The characters of a small class, each as a folded text.
fn class_texts(class: &Class) -> Option<Texts> {
    // Ranges as code points (of characters, or of bytes past Unicode mode).
    let ranges: Vec<(u32, u32)> = match class {
        Class::Unicode(c) => c
            .iter()
            .map(|r| (r.start().into(), r.end().into()))
            .collect(),
        Class::Bytes(c) => c
            .iter()
            .map(|r| (r.start().into(), r.end().into()))
            .collect(),
    };
    if ranges.iter().map(|(s, e)| e - s + 1).sum::<u32>() > MAX_CLASS {
        return None;
    }
    let text = |c: u32| match class {
        Class::Unicode(_) => char::from_u32(c).map(|c| c.to_string().into_bytes()),
        Class::Bytes(_) => u8::try_from(c).ok().map(|b| vec![b]),
    };
    let texts = ranges
        .into_iter()
        .flat_map(|(s, e)| s..=e)
        .filter_map(text)
        .map(|t| t.to_ascii_lowercase())
        .collect();
    union([texts])
}

/// Every text of `a` followed by every text of `b`; `None` past [`MAX_TEXTS`].
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Texts> {
    if a.len() * b.len() > MAX_TEXTS {
        return None;
    }
    let texts = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y.as_slice()].concat()))
        .collect();
    union([texts])
}

/// The texts of all the sets, sorted and without duplicates; `None` past [`MAX_TEXTS`].
pub(super) fn union(sets: impl IntoIterator<Item = Texts>) -> Option<Texts> {
    let mut all: Texts = sets.into_iter().flatten().collect();
    all.sort();
    all.dedup();
    (all.len() <= MAX_TEXTS).then_some(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::parse(pattern).expect("a valid pattern");
        needed(&hir).map(|texts| {
            texts
                .into_iter()
                .map(|t| String::from_utf8(t).expect("UTF-8"))
                .collect()
        })
    }

    fn some(texts: &[&str]) -> Option<Vec<String>> {
        Some(texts.iter().map(|t| t.to_string()).collect())
    }

    #[test]
    fn a_literal_run_anywhere_in_the_pattern_is_needed() {
        assert_eq!(of(r"\w+`(?:\w+|-|.)`[\w+|\s]"), some(&["`"]));
        assert_eq!(of(r"cmd.{0,5}(?:/c|/r)\s*set\s"), some(&["cmd"]));
        assert_eq!(of(r"^[A-Za-z0-9]{16}$"), None);
        assert_eq!(of(r".*"), None);
        assert_eq!(of(r"a?b*"), None);
    }

    #[test]
    fn case_and_classes_fold_into_the_texts() {
        // Optional backticks: each way of writing the run is a text.
        assert_eq!(
            of(r"(?i)\$\{`?e`?n`?v"),
            some(&[
                "${`e`n`v", "${`e`nv", "${`en`v", "${`env", "${e`n`v", "${e`nv", "${en`v", "${env"
            ])
        );
        // Of two runs, the rarer (`v` is rarer than `n`, `e`, `t`).
        assert_eq!(of(r"(?i)net\s+view"), some(&["view"]));
        assert_eq!(of(r"[Ee]xec"), some(&["exec"]));
        // A small class in the middle of a run multiplies the texts.
        assert_eq!(of(r"ab[xy]cd"), some(&["abxcd", "abycd"]));
    }

    #[test]
    fn alternatives_each_give_texts_or_none_is_known() {
        assert_eq!(of(r"\d+(?:foo|bar)\d"), some(&["bar", "foo"]));
        assert_eq!(of(r"\d+(?:foo|\w)\d"), None);
        // Optional and zero-width parts join the run around them.
        assert_eq!(of(r"\s+ab\bcd"), some(&["abcd"]));
        assert_eq!(of(r"\s+abc?d"), some(&["abcd", "abd"]));
        assert_eq!(of(r"\s(?:ab){2}"), some(&["abab"]));
        assert_eq!(of(r"\s(?:ab)+c"), some(&["ab"]));
    }

    #[test]
    fn too_many_texts_cut_the_run() {
        // 9 × 9 alternatives exceed the cap: the run is cut, and the literal wins.
        let p = r"[a-i][a-i]\s*xylophone";
        assert_eq!(of(p), some(&["xylophone"]));
    }

    #[test]
    fn every_match_holds_a_needed_text() {
        // Checked against the regex itself on values built from pieces of the patterns.
        let cases = [
            (r"\w+`(?:\w+|-|.)`[\w+|\s]", "x`-`y", true),
            (r"(?i)NET\s+VIEW", "Net View", true),
            (r"\d+(?:foo|bar)\d", "1bar2", true),
            (r"\s+abc?d", " abd", true),
            (r"(?i)k", "\u{212a}", true),
        ];
        for (pattern, value, matches) in cases {
            let re = regex_automata::meta::Regex::new(pattern).expect("compiles");
            assert_eq!(re.is_match(value), matches, "{pattern} on {value}");
            let Some(texts) = of(pattern) else {
                panic!("{pattern}: no texts known");
            };
            let folded = value.to_ascii_lowercase();
            assert!(
                texts.iter().any(|t| folded.contains(t.as_str())),
                "{pattern}: {value} holds none of {texts:?}"
            );
        }
    }
}
