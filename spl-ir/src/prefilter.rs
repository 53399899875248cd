//! The literals an event's `_raw` must contain for a predicate to hold, and the one clause
//! of them worth checking first.
//!
//! A [`Prefilter`] is a conjunction of clauses; each clause is a set of lowercase literals
//! of which `_raw` (compared ignoring ASCII case) must contain at least one. Only atoms that
//! search `_raw` contribute: a field value need not appear verbatim in `_raw` (JSON and XML
//! escape characters, aliases derive values), so field atoms constrain nothing. A negated
//! atom constrains nothing either.
//!
//! The prefilter is a necessary condition, never a sufficient one: an event that fails it
//! cannot match, an event that passes it still goes through the full predicate.
//!
//! # The chosen clause
//!
//! Checking every clause costs about as much as the search it is meant to spare, so the
//! back ends check **one** clause ([`Prefilter::chosen`]), picked here, when the rule is
//! compiled, and leave the others to the predicate (which tests them anyway).
//!
//! Without statistics about the events, the choice is a static score. The *rarity* of a
//! literal is the sum, over its bytes, of `6 - rank` where `rank` is the byte's commonness
//! in log text ([`byte_rank`]: 1 for `q z j x k v` up to 5 for spaces and `= . : / - "`),
//! capped at [`RARITY_CAP`]. A clause scores the rarity of its weakest (least rare) literal
//! divided by its number of literals; the highest score wins, then fewer literals, then the
//! longer shortest literal, then the earlier clause. So:
//!
//! - fewer literals win: every alternative is one more way to pass, a clause of
//!   alternatives is often a data-source selector that most events of that source pass
//!   (`"EventCode=1" OR "<EventID>1<"`), and one literal is found with a cheaper scan;
//! - among clauses of as many literals, the one whose shortest literal is longer and made
//!   of rarer bytes wins;
//! - the cap: past about eight common bytes, a longer literal is usually boilerplate of
//!   the format (an XML tag, a field name) that every event of the source contains, so more
//!   length earns nothing more.
//!
//! For the Sysmon rule `("EventCode=1" OR "<EventID>1<") (TERM(npm) OR TERM(pip) OR
//! TERM(gem)) TERM(install)` the clause `install` (score 16) wins over
//! `eventcode=1 | <eventid>1<` (24 / 2 = 12) and `npm | pip | gem` (10 / 3).
//!
//! Before scoring, a clause is simplified: literals are lowercased and deduplicated, and a
//! literal that contains another literal of the same clause is dropped (wherever it occurs,
//! the shorter one does too). A clause with an empty literal, or with no literal at all,
//! constrains nothing and is never chosen.

use std::collections::HashSet;

use crate::program::{Pred, PredKind};

/// The rarity a literal can earn at most (see the module documentation).
pub const RARITY_CAP: u32 = 24;

/// Past this many literals, a clause is deduplicated but not searched for literals that
/// contain others (that search compares every pair). Such a clause scores low anyway.
const CONTAINMENT_LIMIT: usize = 256;

/// A necessary condition on `_raw`: every clause needs one of its literals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefilter {
    clauses: Vec<Vec<String>>,
    chosen: Option<Vec<String>>,
}

impl Prefilter {
    /// The prefilter of `pred`.
    pub fn of(pred: &Pred) -> Prefilter {
        Prefilter::from_clauses(clauses(pred).unwrap_or_default())
    }

    /// A prefilter from its clauses (each a list of literals, at least one of which a
    /// matching `_raw` contains, ignoring ASCII case).
    pub fn from_clauses(clauses: Vec<Vec<String>>) -> Prefilter {
        let chosen = clauses
            .iter()
            .filter_map(|c| simplify(c))
            .enumerate()
            .max_by(|(i, a), (j, b)| clause_rank(a).cmp(&clause_rank(b)).then(j.cmp(i)))
            .map(|(_, c)| c);
        Prefilter { clauses, chosen }
    }

    /// Every clause (lowercase literals).
    pub fn clauses(&self) -> &[Vec<String>] {
        &self.clauses
    }

    /// The clause the back ends check, simplified: lowercase literals, none containing
    /// another. `None` when no clause constrains anything (every event passes).
    pub fn chosen(&self) -> Option<&[String]> {
        self.chosen.as_deref()
    }

    /// True when the prefilter constrains nothing.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// True when `raw` satisfies every clause (a reference implementation; the back ends
    /// check the chosen clause only, with a fast searcher).
    pub fn admits(&self, raw: &str) -> bool {
        let lower = raw.to_ascii_lowercase();
        self.clauses
            .iter()
            .all(|clause| clause.iter().any(|lit| lower.contains(lit.as_str())))
    }
}

/// The clauses a predicate implies; `None` when it implies nothing.
fn clauses(pred: &Pred) -> Option<Vec<Vec<String>>> {
    match pred.kind() {
        PredKind::True | PredKind::False | PredKind::Not(_) => None,
        PredKind::Atom(atom) => longest_piece(atom.kind.raw_text()?).map(|lit| vec![vec![lit]]),
        PredKind::And(items) => {
            let all: Vec<Vec<String>> = items.iter().filter_map(clauses).flatten().collect();
            (!all.is_empty()).then_some(all)
        }
        PredKind::Or(items) => {
            // Each alternative must contribute; take its most selective clause (the one
            // whose shortest literal is longest) and join them into one clause.
            let mut joined = Vec::new();
            let mut seen = HashSet::new();
            for item in items {
                let best = clauses(item)?
                    .into_iter()
                    .max_by_key(|c| c.iter().map(String::len).min().unwrap_or(0))?;
                for lit in best {
                    if seen.insert(lit.clone()) {
                        joined.push(lit);
                    }
                }
            }
            Some(vec![joined])
        }
    }
}

/// The longest run of the text between `*` wildcards, lowercased (ASCII); `None` when the
/// text is only wildcards.
fn longest_piece(text: &str) -> Option<String> {
    text.split('*')
        .max_by_key(|piece| piece.len())
        .filter(|piece| !piece.is_empty())
        .map(str::to_ascii_lowercase)
}

/// How common a byte is in log text, from 1 (`q z j x k v`) to 5 (spaces and
/// `\ = . : / - " ,`). Substring searchers scan for a needle's least common byte.
pub fn byte_rank(b: u8) -> u8 {
    match b.to_ascii_lowercase() {
        b'q' | b'z' | b'j' | b'x' | b'k' | b'v' => 1,
        b'b' | b'p' | b'y' | b'g' | b'f' | b'w' | b'm' | b'u' => 2,
        b'c' | b'l' | b'd' | b'h' | b'r' => 3,
        b's' | b'n' | b'i' | b'o' | b'a' | b't' | b'e' | b'0'..=b'9' => 4,
        b' ' | b'\n' | b'\r' | b'\t' | b'\\' | b'=' | b'.' | b':' | b'/' | b'-' | b'"' | b',' => 5,
        0x80..=0xff => 3,
        _ => 2,
    }
}

/// How much one byte says about an event: 5 for the rarest letters, 1 for the commonest
/// punctuation.
pub fn byte_rarity(b: u8) -> u32 {
    6 - u32::from(byte_rank(b))
}

/// The rarity of a literal: its bytes' rarities summed, capped at [`RARITY_CAP`].
pub fn literal_rarity(lit: &str) -> u32 {
    rarity_up_to(lit, RARITY_CAP)
}

/// A text's bytes' rarities summed, capped at `cap`.
pub(crate) fn rarity_up_to(text: &str, cap: u32) -> u32 {
    text.bytes().map(byte_rarity).sum::<u32>().min(cap)
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
        count: u32::try_from(literals.len().max(1)).unwrap_or(u32::MAX),
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
    if lits.len() > CONTAINMENT_LIMIT {
        return Some(lits);
    }
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
    use crate::program::{Atom, AtomKind};
    use crate::{CmpOp, Span};

    fn term(t: &str) -> Pred {
        Pred::atom(Atom::new(AtomKind::TermExact(t.into()), Span::default()))
    }

    fn field() -> Pred {
        Pred::atom(Atom::new(
            AtomKind::Compare {
                field: "f".into(),
                op: CmpOp::Eq,
                value: "x".into(),
            },
            Span::default(),
        ))
    }

    fn chosen(clauses: &[&[&str]]) -> Vec<String> {
        let clauses = clauses
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect();
        Prefilter::from_clauses(clauses)
            .chosen()
            .unwrap_or_default()
            .to_vec()
    }

    #[test]
    fn and_of_terms_requires_each() {
        let p = Pred::and([term("Install"), Pred::or([term("npm"), term("pip")])]);
        let pf = Prefilter::of(&p);
        assert_eq!(
            pf.clauses(),
            [
                vec!["install".to_string()],
                vec!["npm".into(), "pip".into()]
            ]
        );
        assert!(pf.admits("pip INSTALL x"));
        assert!(!pf.admits("pip uninstal"));
    }

    #[test]
    fn or_with_an_unconstrained_branch_constrains_nothing() {
        assert!(Prefilter::of(&Pred::or([term("a"), field()])).is_empty());
        assert!(Prefilter::of(&Pred::not(term("a"))).is_empty());
        assert_eq!(Prefilter::of(&Pred::not(term("a"))).chosen(), None);
    }

    #[test]
    fn wildcards_keep_the_longest_piece() {
        assert_eq!(
            longest_piece("C:\\Users\\*\\Downloads\\*"),
            Some("\\downloads\\".into())
        );
        assert_eq!(longest_piece("**"), None);
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
        assert_eq!(chosen(&[&[]]), Vec::<String>::new());
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
    fn a_huge_or_of_terms_is_one_deduplicated_clause() {
        // Linear in the number of terms: 100k distinct terms and their repeats.
        let terms: Vec<Pred> = (0..100_000)
            .chain(0..1_000)
            .map(|i| term(&format!("t{i}")))
            .collect();
        let pf = Prefilter::of(&Pred::or(terms));
        assert_eq!(pf.clauses().len(), 1);
        assert_eq!(pf.clauses()[0].len(), 100_000);
        assert_eq!(pf.chosen().map(<[String]>::len), Some(100_000));
    }
}
