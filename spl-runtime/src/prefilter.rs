//! The literal prefilter: cheap rejection of events that cannot match.
//!
//! A rule's search implies literals its `_raw` must contain (`TERM(install)` needs
//! `install`). The prefilter holds them as clauses — each clause is satisfied when `_raw`
//! contains any one of its literals, ignoring ASCII case — and checks all clauses with one
//! pass of a multi-pattern automaton before any field is read.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Clauses of literals checked with one automaton.
#[derive(Clone, Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each pattern of the automaton, the clauses it satisfies (bit set).
    pattern_clauses: Vec<u64>,
    all: u64,
}

impl Prefilter {
    /// A prefilter of clauses (each a list of literals). At most 64 clauses are checked;
    /// any further ones are dropped (the prefilter is only a necessary condition).
    pub fn new<C, S>(clauses: &[C]) -> Prefilter
    where
        C: AsRef<[S]>,
        S: AsRef<str>,
    {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_clauses: Vec<u64> = Vec::new();
        let mut all = 0u64;
        for (i, clause) in clauses.iter().take(64).enumerate() {
            let bit = 1u64 << i;
            all |= bit;
            for lit in clause.as_ref() {
                let lit = lit.as_ref().to_ascii_lowercase();
                if lit.is_empty() {
                    // An empty literal is always present: the clause holds.
                    all &= !bit;
                    continue;
                }
                match patterns.iter().position(|p| *p == lit) {
                    Some(j) => pattern_clauses[j] |= bit,
                    None => {
                        patterns.push(lit);
                        pattern_clauses.push(bit);
                    }
                }
            }
        }
        let automaton = if all == 0 {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .ok()
        };
        // If the automaton cannot be built, admit everything (never reject wrongly).
        let all = if automaton.is_some() { all } else { 0 };
        Prefilter {
            automaton,
            pattern_clauses,
            all,
        }
    }

    /// A prefilter that admits every event.
    pub fn none() -> Prefilter {
        Prefilter {
            automaton: None,
            pattern_clauses: Vec::new(),
            all: 0,
        }
    }

    /// True when `raw` contains a literal of every clause (ignoring ASCII case).
    pub fn admits(&self, raw: &str) -> bool {
        let Some(ac) = &self.automaton else {
            return true;
        };
        let mut seen = 0u64;
        for m in ac.find_overlapping_iter(raw) {
            seen |= self.pattern_clauses[m.pattern().as_usize()];
            if seen & self.all == self.all {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clause_needs_one_literal() {
        let p = Prefilter::new(&[vec!["install"], vec!["npm", "pip", "gem"]]);
        assert!(p.admits("PIP INSTALL requests"));
        assert!(
            p.admits("npm.cmd install x"),
            "a prefilter is a substring test only"
        );
        assert!(!p.admits("pip uninstal"));
        assert!(!p.admits("install only"));
        assert!(!p.admits(""));
    }

    #[test]
    fn empty_prefilter_admits_all() {
        assert!(Prefilter::none().admits(""));
        assert!(Prefilter::new::<Vec<&str>, &str>(&[]).admits("x"));
        assert!(Prefilter::new(&[vec![""]]).admits("x"));
    }

    #[test]
    fn overlapping_literals_are_all_seen() {
        let p = Prefilter::new(&[vec!["abc"], vec!["bcd"]]);
        assert!(p.admits("xabcdx"));
    }
}
