//! The literal prefilter: cheap rejection of events that cannot match.
//!
//! A rule's search implies literals its `_raw` must contain (`TERM(install)` needs
//! `install`). The compiler hands them over as clauses — each clause is satisfied when
//! `_raw` contains any one of its literals, ignoring ASCII case, and a matching event
//! satisfies every clause.
//!
//! Checking every clause costs about as much as the search it is meant to spare: a scan
//! for all literals of all clauses, overlapping, over the whole event. The prefilter
//! therefore checks **one** clause, the one that looks most selective, and leaves the
//! rest to the predicate (which tests them anyway). It stays a necessary condition: an
//! event that contains no literal of the chosen clause cannot match, and an event that
//! passes still goes through the full predicate.
//!
//! # Choosing the clause
//!
//! Without statistics about the events, the choice is a static score
//! (`clause_rank`). The *rarity* of a literal is the sum, over its bytes, of `6 - rank`
//! where `rank` is the byte's commonness in log text (1 for `q z j x k v` up to 5 for
//! spaces and `= . : / - "`; the table the substring searchers use), capped at
//! [`RARITY_CAP`]. A clause scores the rarity of its weakest (least rare) literal divided
//! by its number of literals; the highest score wins, then fewer literals, then the
//! longer shortest literal, then the earlier clause. So:
//!
//! - fewer literals win: every alternative is one more way to pass, a clause of
//!   alternatives is often a data-source selector that most events of that source pass
//!   (`"EventCode=1" OR "<EventID>1<"`), and one literal is found with a cheaper scan;
//! - among clauses of as many literals, the one whose shortest literal is longer and
//!   made of rarer bytes wins;
//! - the cap: past about eight common bytes, a longer literal is usually boilerplate of
//!   the format (an XML tag, a field name) that every event of the source contains, so
//!   more length earns nothing more.
//!
//! For the Sysmon rule `("EventCode=1" OR "<EventID>1<") (TERM(npm) OR TERM(pip) OR
//! TERM(gem)) TERM(install)` the clause `install` (score 16) wins over
//! `eventcode=1 | <eventid>1<` (24 / 2 = 12) and `npm | pip | gem` (10 / 3).
//!
//! Before scoring, a clause is simplified: literals are lowercased and deduplicated, and
//! a literal that contains another literal of the same clause is dropped (wherever it
//! occurs, the shorter one does too). A clause with an empty literal, or with no literal
//! at all, constrains nothing here and is never chosen.
//!
//! # Checking the clause
//!
//! The chosen literals are searched with a SIMD multi-pattern searcher (Teddy, from the
//! `aho-corasick` crate's `packed` module) for every ASCII case variant of a short window
//! of each literal (up to four bytes, at the literal's rarest offset, at most 64 variants
//! in all); each hit is verified against the whole literals, ignoring ASCII case, and the
//! search stops at the first verified one. When Teddy is not available (no SIMD, or too
//! many variants), one literal falls back to the rare-byte case-insensitive `Finder` of
//! the `search` module, several to an ASCII-case-insensitive Aho-Corasick automaton that
//! stops at its first match.

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, Span};

use crate::search::{byte_rank, Finder};

/// The rarity a literal can earn at most (see the module documentation).
pub const RARITY_CAP: u32 = 24;

/// The longest window of a literal searched for with Teddy (Teddy's fingerprint is at
/// most four bytes long).
const MAX_WINDOW: usize = 4;

/// Teddy's limit on the number of patterns.
const MAX_VARIANTS: usize = 64;

/// A necessary condition on `_raw`: one chosen clause of literals, checked fast.
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
    /// A prefilter for clauses (each a list of literals, at least one of which a matching
    /// `_raw` contains, ignoring ASCII case). Only the most selective clause is kept (see
    /// the module documentation); the others are left to the predicate.
    pub fn new<C, S>(clauses: &[C]) -> Prefilter
    where
        C: AsRef<[S]>,
        S: AsRef<str>,
    {
        let chosen = clauses
            .iter()
            .filter_map(|c| simplify(c.as_ref()))
            .enumerate()
            .max_by(|(i, a), (j, b)| clause_rank(a).cmp(&clause_rank(b)).then(j.cmp(i)))
            .map(|(_, c)| c);
        match chosen {
            Some(literals) => Prefilter {
                check: Check::build(&literals),
                literals,
            },
            None => Prefilter::none(),
        }
    }

    /// A prefilter that admits every event.
    pub fn none() -> Prefilter {
        Prefilter {
            check: Check::All,
            literals: Vec::new(),
        }
    }

    /// The literals of the clause this prefilter checks (lowercase); empty when it
    /// admits every event.
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// True when `raw` contains a literal of the chosen clause (ignoring ASCII case).
    /// False only when `raw` cannot satisfy every clause.
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

/// How much one byte says about an event: 5 for the rarest letters, 1 for the
/// commonest punctuation (`6 -` the searchers' byte rank).
fn byte_rarity(b: u8) -> u32 {
    6 - u32::from(byte_rank(b))
}

/// The rarity of a literal: its bytes' rarities summed, capped at [`RARITY_CAP`].
pub fn literal_rarity(lit: &str) -> u32 {
    lit.bytes().map(byte_rarity).sum::<u32>().min(RARITY_CAP)
}

/// The static score of a simplified clause, compared with `Ord` (greater is more
/// selective): the weakest literal's rarity per literal, then fewer literals, then the
/// longer shortest literal.
fn clause_rank(literals: &[String]) -> ClauseRank {
    ClauseRank {
        weakest: literals
            .iter()
            .map(|l| literal_rarity(l))
            .min()
            .unwrap_or(0),
        count: literals.len().max(1) as u32,
        shortest: literals.iter().map(String::len).min().unwrap_or(0),
    }
}

/// See [`clause_rank`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ClauseRank {
    weakest: u32,
    count: u32,
    shortest: usize,
}

impl Ord for ClauseRank {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // weakest / count, compared without division.
        let (a, b) = (
            u64::from(self.weakest) * u64::from(other.count),
            u64::from(other.weakest) * u64::from(self.count),
        );
        a.cmp(&b)
            .then(other.count.cmp(&self.count))
            .then(self.shortest.cmp(&other.shortest))
    }
}

impl PartialOrd for ClauseRank {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A clause lowercased, deduplicated and without literals that contain another of its
/// literals; `None` when it constrains nothing (an empty literal, or no literal).
fn simplify<S: AsRef<str>>(clause: &[S]) -> Option<Vec<String>> {
    let mut lits: Vec<String> = clause
        .iter()
        .map(|l| l.as_ref().to_ascii_lowercase())
        .collect();
    if lits.is_empty() || lits.iter().any(String::is_empty) {
        return None;
    }
    // Shortest first, so that each literal is only compared with those kept before it.
    lits.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    lits.dedup();
    let mut kept: Vec<String> = Vec::with_capacity(lits.len());
    for lit in lits {
        if !kept.iter().any(|k| lit.contains(k.as_str())) {
            kept.push(lit);
        }
    }
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(clauses: &[&[&str]]) -> Vec<String> {
        Prefilter::new(clauses).literals().to_vec()
    }

    #[test]
    fn every_clause_needs_one_literal() {
        let p = Prefilter::new(&[vec!["install"], vec!["npm", "pip", "gem"]]);
        assert!(p.admits("PIP INSTALL requests"));
        assert!(
            p.admits("npm.cmd install x"),
            "a prefilter is a substring test only"
        );
        assert!(!p.admits("pip uninstal"));
        assert!(!p.admits(""));
    }

    #[test]
    fn empty_prefilter_admits_all() {
        assert!(Prefilter::none().admits(""));
        assert!(Prefilter::new::<Vec<&str>, &str>(&[]).admits("x"));
        assert!(Prefilter::new(&[vec![""]]).admits("x"));
        assert!(Prefilter::new(&[vec!["a", ""]]).admits("x"));
        assert!(Prefilter::new::<Vec<&str>, &str>(&[vec![]]).admits("x"));
        assert!(Prefilter::none().literals().is_empty());
    }

    #[test]
    fn the_sysmon_rule_checks_install() {
        assert_eq!(
            chosen(&[
                &["eventcode=1", "<eventid>1<"],
                &["npm", "pip", "gem"],
                &["install"],
            ]),
            ["install"]
        );
    }

    #[test]
    fn selection_prefers_fewer_longer_rarer_literals() {
        // Fewer literals.
        assert_eq!(chosen(&[&["abcd", "efgh"], &["abcd"]]), ["abcd"]);
        // The longer shortest literal.
        assert_eq!(chosen(&[&["cmd"], &["cmd.exe"]]), ["cmd.exe"]);
        assert_eq!(
            chosen(&[&["ab", "cdefgh"], &["abc", "def"]]),
            ["abc", "def"]
        );
        // Rarer bytes: `zqx` beats the longer but common `aeio`.
        assert_eq!(chosen(&[&["aeio"], &["zqx"]]), ["zqx"]);
        // A very short single literal loses to a pair of long ones.
        assert_eq!(
            chosen(&[&["a"], &["powershell.exe", "pwsh.exe"]]),
            ["pwsh.exe", "powershell.exe"]
        );
        // Ties keep the first clause.
        assert_eq!(chosen(&[&["abc"], &["bca"]]), ["abc"]);
        // Clauses that constrain nothing are never chosen.
        assert_eq!(chosen(&[&["a", ""], &["b"]]), ["b"]);
    }

    #[test]
    fn rarity_is_capped() {
        assert_eq!(literal_rarity("zzzzzzzzzzzz"), RARITY_CAP);
        assert_eq!(literal_rarity("e"), 2);
        assert_eq!(literal_rarity("z"), 5);
        assert_eq!(literal_rarity(" "), 1);
        assert_eq!(literal_rarity(""), 0);
    }

    #[test]
    fn simplify_drops_redundant_literals() {
        assert_eq!(
            simplify(&["CMD.exe", "cmd", "powershell", "CMD"]),
            Some(vec!["cmd".to_string(), "powershell".into()])
        );
        assert_eq!(simplify(&["a", ""]), None);
        assert_eq!(simplify::<&str>(&[]), None);
    }

    #[test]
    fn overlapping_and_case_variants_are_found() {
        let p = Prefilter::new(&[vec!["abc", "bcd"]]);
        assert!(p.admits("xaBCDx"));
        assert!(p.admits("xxbcD"));
        assert!(!p.admits("xab cd"));
        // A window hit that fails verification does not hide a later occurrence.
        let p = Prefilter::new(&[vec!["aab"]]);
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
        let p = Prefilter::new(std::slice::from_ref(&lits));
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
