//! The literal prefilter: cheap rejection of events that cannot match.
//!
//! A rule's search implies literals its `_raw` must contain (`TERM(install)` needs
//! `install`). The compiler gathers them into clauses and chooses the one clause worth
//! checking first ([`spl_ir::Prefilter::chosen`], which says how): each of its literals is a
//! way for an event to pass, and an event that contains none of them cannot match. This
//! module checks that clause, fast; the full predicate still runs on every event that
//! passes.
//!
//! The literals are searched with a SIMD multi-pattern searcher (Teddy, from the
//! `aho-corasick` crate's `packed` module) for every ASCII case variant of a short window
//! of each literal (up to four bytes, at the literal's rarest offset, at most 64 variants
//! in all); each hit is verified against the whole literals, ignoring ASCII case, and the
//! search stops at the first verified one. When Teddy is not available (no SIMD, or too
//! many variants), one literal falls back to the rare-byte case-insensitive `Finder` of
//! the `search` module, several to an ASCII-case-insensitive Aho-Corasick automaton that
//! stops at its first match.

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, Span};

use crate::ir::byte_rarity;
use crate::search::Finder;

/// The longest window of a literal searched for with Teddy (Teddy's fingerprint is at
/// most four bytes long).
const MAX_WINDOW: usize = 4;

/// Teddy's limit on the number of patterns.
const MAX_VARIANTS: usize = 64;

/// A necessary condition on `_raw`: one clause of literals, checked fast.
#[derive(Clone, Debug)]
pub struct Prefilter {
    check: Check,
    /// The literals of the checked clause (lowercase); empty when everything passes.
    literals: Vec<String>,
}

/// How the chosen clause is tested.
#[derive(Clone, Debug)]
enum Check {
    /// Nothing to test: every event passes.
    All,
    /// Teddy over the case variants of one window per literal, then verification.
    Packed {
        searcher: packed::Searcher,
        /// For each literal (lowercase bytes), the offset of its window.
        literals: Vec<(Box<[u8]>, usize)>,
    },
    /// One literal, no Teddy: the rare-byte case-insensitive finder.
    One(Finder),
    /// Several literals, no Teddy: an ASCII-case-insensitive automaton.
    Any(AhoCorasick),
}

impl Prefilter {
    /// A prefilter that admits `_raw` when it contains one of `literals`, ignoring ASCII
    /// case. No literal, or an empty one, admits every event.
    pub fn new<S: AsRef<str>>(literals: &[S]) -> Prefilter {
        let literals: Vec<String> = literals
            .iter()
            .map(|l| l.as_ref().to_ascii_lowercase())
            .collect();
        if literals.is_empty() || literals.iter().any(String::is_empty) {
            return Prefilter::none();
        }
        Prefilter {
            check: Check::build(&literals),
            literals,
        }
    }

    /// The prefilter of a lowered program: its chosen clause.
    pub fn of(prefilter: &crate::ir::Prefilter) -> Prefilter {
        prefilter
            .chosen()
            .map_or_else(Prefilter::none, Prefilter::new)
    }

    /// A prefilter that admits every event.
    pub fn none() -> Prefilter {
        Prefilter {
            check: Check::All,
            literals: Vec::new(),
        }
    }

    /// The literals this prefilter checks (lowercase); empty when it admits every event.
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// True when `raw` contains one of the literals (ignoring ASCII case).
    pub fn admits(&self, raw: &str) -> bool {
        let hay = raw.as_bytes();
        match &self.check {
            Check::All => true,
            Check::Packed { searcher, literals } => packed_admits(searcher, literals, hay),
            Check::One(finder) => finder.find_at(hay, 0).is_some(),
            Check::Any(ac) => ac.is_match(hay),
        }
    }
}

impl Check {
    /// The test for a simplified, non-empty clause.
    fn build(literals: &[String]) -> Check {
        if let Some(check) = Check::packed(literals) {
            return check;
        }
        if let [lit] = literals {
            return Check::One(Finder::new(lit.as_bytes(), false));
        }
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(literals)
            .map(Check::Any)
            // An automaton that cannot be built must not reject anything.
            .unwrap_or(Check::All)
    }

    /// Teddy over case variants of one window per literal, when it can be built.
    fn packed(literals: &[String]) -> Option<Check> {
        let shortest = literals.iter().map(String::len).min()?;
        for width in (1..=shortest.min(MAX_WINDOW)).rev() {
            let windows: Vec<(Box<[u8]>, usize)> = literals
                .iter()
                .map(|lit| {
                    let lit = lit.as_bytes();
                    (lit.into(), rarest_window(lit, width))
                })
                .collect();
            let mut variants: Vec<Vec<u8>> = Vec::new();
            for (lit, offset) in &windows {
                case_variants(&lit[*offset..*offset + width], &mut variants);
                if variants.len() > MAX_VARIANTS {
                    break;
                }
            }
            variants.sort();
            variants.dedup();
            if variants.len() > MAX_VARIANTS {
                continue;
            }
            let mut config = packed::Config::new();
            config.match_kind(packed::MatchKind::LeftmostFirst);
            let mut builder = config.builder();
            builder.extend(&variants);
            return builder.build().map(|searcher| Check::Packed {
                searcher,
                literals: windows,
            });
        }
        None
    }
}

/// Whether one of `literals` (lowercase, each with the offset of its window) occurs in
/// `hay`, ignoring ASCII case. Every position where some window matches is visited in
/// order, and every literal is tried at each: a literal occurring at `s` has its window
/// at `s + offset`, which is visited.
fn packed_admits(searcher: &packed::Searcher, literals: &[(Box<[u8]>, usize)], hay: &[u8]) -> bool {
    let mut at = 0;
    while at < hay.len() {
        let Some(m) = searcher.find_in(hay, Span::from(at..hay.len())) else {
            return false;
        };
        let w = m.start();
        let found = literals.iter().any(|(lit, offset)| {
            w.checked_sub(*offset)
                .and_then(|s| hay.get(s..s + lit.len()))
                .is_some_and(|window| window.eq_ignore_ascii_case(lit))
        });
        if found {
            return true;
        }
        at = w + 1;
    }
    false
}

/// The offset of the `width`-byte window of `lit` with the rarest bytes (the first one
/// on ties).
fn rarest_window(lit: &[u8], width: usize) -> usize {
    (0..=lit.len() - width)
        .max_by_key(|&o| {
            let rarity: u32 = lit[o..o + width].iter().map(|&b| byte_rarity(b)).sum();
            (rarity, std::cmp::Reverse(o))
        })
        .unwrap_or(0)
}

/// Push every ASCII case variant of `window` to `out` (2 to the number of letters).
fn case_variants(window: &[u8], out: &mut Vec<Vec<u8>>) {
    let start = out.len();
    out.push(Vec::with_capacity(window.len()));
    for &b in window {
        let (lower, upper) = (b.to_ascii_lowercase(), b.to_ascii_uppercase());
        let n = out.len();
        for i in start..n {
            if lower != upper {
                let mut other = out[i].clone();
                other.push(upper);
                out.push(other);
            }
            out[i].push(lower);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_literal_of_the_clause_admits() {
        let p = Prefilter::new(&["npm", "PIP", "gem"]);
        assert!(p.admits("pip INSTALL requests"));
        assert!(p.admits("x.GEM"), "a prefilter is a substring test only");
        assert!(!p.admits("pi p"));
        assert!(!p.admits(""));
        assert_eq!(p.literals(), ["npm", "pip", "gem"]);
    }

    #[test]
    fn empty_prefilter_admits_all() {
        assert!(Prefilter::none().admits(""));
        assert!(Prefilter::new::<&str>(&[]).admits("x"));
        assert!(Prefilter::new(&[""]).admits("x"));
        assert!(Prefilter::new(&["a", ""]).admits("x"));
        assert!(Prefilter::none().literals().is_empty());
    }

    #[test]
    fn the_program_s_chosen_clause_is_checked() {
        let chosen = crate::ir::Prefilter::from_clauses(vec![
            vec!["eventcode=1".into(), "<eventid>1<".into()],
            vec!["install".into()],
        ]);
        let p = Prefilter::of(&chosen);
        assert_eq!(p.literals(), ["install"]);
        assert!(p.admits("EventCode=4688 pip INSTALL"));
        assert!(!p.admits("EventCode=1 pip"));
        assert!(Prefilter::of(&crate::ir::Prefilter::default()).admits(""));
    }

    #[test]
    fn overlapping_and_case_variants_are_found() {
        let p = Prefilter::new(&["abc", "bcd"]);
        assert!(p.admits("xaBCDx"));
        assert!(p.admits("xxbcD"));
        assert!(!p.admits("xab cd"));
        // A window hit that fails verification does not hide a later occurrence.
        let p = Prefilter::new(&["aab"]);
        assert!(p.admits("aaaab"));
        assert!(p.admits("AAAAB"));
        assert!(!p.admits("aaaa"));
    }

    #[test]
    fn case_variants_cover_letters_only() {
        let mut out = Vec::new();
        case_variants(b"a1b", &mut out);
        out.sort();
        assert_eq!(out, [b"A1B", b"A1b", b"a1B", b"a1b"]);
    }

    #[test]
    fn too_many_variants_fall_back_to_the_automaton() {
        // 26 one-letter literals: 52 one-byte variants, more than Teddy takes.
        let lits: Vec<String> = ('a'..='z').map(String::from).collect();
        let p = Prefilter::new(&lits);
        assert!(matches!(p.check, Check::Any(_)), "{:?}", p.check);
        for lit in &lits {
            assert!(p.admits(&format!("x {} y", lit.to_ascii_uppercase())));
        }
        assert!(!p.admits("12 - 34"));
    }

    #[test]
    fn every_check_agrees() {
        let lits = vec!["install".to_string(), "pip".into()];
        let mut checks: Vec<Check> = Check::packed(&lits).into_iter().collect();
        checks.push(Check::Any(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&lits)
                .unwrap_or_else(|e| panic!("{e}")),
        ));
        let one = Check::One(Finder::new(b"install", false));
        for hay in ["", "x PIP y", "Install", "instal pi", "xxINSTALLxx"] {
            let want = hay.to_ascii_lowercase().contains("install")
                || hay.to_ascii_lowercase().contains("pip");
            for check in &checks {
                let p = Prefilter {
                    check: check.clone(),
                    literals: lits.clone(),
                };
                assert_eq!(p.admits(hay), want, "{check:?} on {hay:?}");
            }
            let p = Prefilter {
                check: one.clone(),
                literals: vec!["install".into()],
            };
            assert_eq!(p.admits(hay), hay.to_ascii_lowercase().contains("install"));
        }
    }
}
