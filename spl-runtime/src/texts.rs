//! Many texts searched for in one pass, reporting every text that occurs.
//!
//! The pack index and wildcard sets ask one question of a value: which of these texts
//! occur in it (anywhere, overlapping one another)? [`TextSet`] answers it with one
//! Aho-Corasick automaton, walked byte by byte here rather than through the crate's
//! overlapping iterator: the walk keeps its state in a register, has no per-match
//! resumption, and the automaton's type is known at the call, so each step is a table
//! lookup.

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, Anchored, MatchKind, StartKind};

/// Texts searched for together.
#[derive(Clone, Debug)]
pub(crate) struct TextSet {
    automaton: Kind,
}

/// A DFA is the fastest to walk but costs time and memory to build in proportion to the
/// texts' bytes times the alphabet; the contiguous NFA is small and quick to build.
#[derive(Clone, Debug)]
enum Kind {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

impl TextSet {
    /// The automaton of `texts` (matched ignoring ASCII case when `fold`): a DFA when the
    /// texts are at most `dfa_up_to` bytes in all, else (or when the DFA cannot be built)
    /// a contiguous NFA. `None` when no automaton can be built (more states than its ids
    /// can number).
    pub(crate) fn new<T: AsRef<[u8]>>(
        texts: &[T],
        fold: bool,
        dfa_up_to: usize,
    ) -> Option<TextSet> {
        let bytes: usize = texts.iter().map(|t| t.as_ref().len()).sum();
        let as_dfa = || {
            dfa::Builder::new()
                .ascii_case_insensitive(fold)
                .match_kind(MatchKind::Standard)
                .start_kind(StartKind::Unanchored)
                .prefilter(false)
                .build(texts)
                .ok()
                .map(Kind::Dfa)
        };
        let as_nfa = || {
            nfa::contiguous::Builder::new()
                .ascii_case_insensitive(fold)
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(texts)
                .ok()
                .map(Kind::Nfa)
        };
        let automaton = if bytes <= dfa_up_to {
            as_dfa().or_else(as_nfa)
        } else {
            as_nfa()
        }?;
        Some(TextSet { automaton })
    }

    /// Call `found` with the index of each text that occurs in `hay` (once per place it
    /// ends, so a text found twice is reported twice), until `found` returns `true`.
    /// Returns whether it did.
    #[inline]
    pub(crate) fn find(&self, hay: &[u8], found: impl FnMut(usize) -> bool) -> bool {
        match &self.automaton {
            Kind::Dfa(a) => walk(a, hay, found),
            Kind::Nfa(a) => walk(a, hay, found),
        }
    }

    /// The heap memory of the automaton, in bytes.
    #[cfg(test)]
    fn memory(&self) -> usize {
        match &self.automaton {
            Kind::Dfa(a) => a.memory_usage(),
            Kind::Nfa(a) => a.memory_usage(),
        }
    }
}

/// Walk `hay` through `automaton` from its unanchored start, reporting the texts of every
/// match state reached (a match state holds every text that ends at that byte).
#[inline(always)]
fn walk<A: Automaton>(automaton: &A, hay: &[u8], mut found: impl FnMut(usize) -> bool) -> bool {
    // Both kinds are built with an unanchored start, so this cannot fail.
    let Ok(mut state) = automaton.start_state(Anchored::No) else {
        return false;
    };
    let mut report = |state| {
        (0..automaton.match_len(state)).any(|i| found(automaton.match_pattern(state, i).as_usize()))
    };
    // An empty text makes the start state a match state.
    if automaton.is_match(state) && report(state) {
        return true;
    }
    for &byte in hay {
        state = automaton.next_state(Anchored::No, state, byte);
        // Without a prefilter, only dead and match states are special; an unanchored
        // search never dies.
        if automaton.is_special(state) {
            if automaton.is_dead(state) {
                return false;
            }
            if report(state) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (text, end) pair, the slow way.
    fn naive(texts: &[&str], hay: &str, fold: bool) -> Vec<(usize, usize)> {
        let hay = hay.as_bytes();
        let mut all = Vec::new();
        for end in 0..=hay.len() {
            for (i, t) in texts.iter().enumerate() {
                let t = t.as_bytes();
                if t.len() <= end {
                    let piece = &hay[end - t.len()..end];
                    if piece == t || (fold && piece.eq_ignore_ascii_case(t)) {
                        all.push((i, end));
                    }
                }
            }
        }
        all.sort();
        all
    }

    fn found(set: &TextSet, hay: &str) -> Vec<usize> {
        let mut all = Vec::new();
        set.find(hay.as_bytes(), |i| {
            all.push(i);
            false
        });
        all.sort();
        all
    }

    #[test]
    fn every_occurrence_of_every_text_is_reported_by_both_kinds() {
        let texts = ["he", "she", "his", "hers", "e", "HE", "\\cmd.exe", "cmd"];
        let hays = [
            "ushers",
            "",
            "C:\\Windows\\System32\\CMD.EXE /c whoami",
            "hehehe",
            "shEsHe",
            "no match here?",
        ];
        for fold in [false, true] {
            for dfa_up_to in [0, usize::MAX] {
                let set = TextSet::new(&texts, fold, dfa_up_to).unwrap();
                assert_eq!(
                    matches!(set.automaton, Kind::Dfa(_)),
                    dfa_up_to == usize::MAX
                );
                for hay in hays {
                    let want: Vec<usize> = naive(&texts, hay, fold)
                        .into_iter()
                        .map(|(i, _)| i)
                        .collect();
                    assert_eq!(
                        found(&set, hay),
                        want,
                        "{hay:?} fold={fold} dfa<={dfa_up_to}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_walk_stops_when_asked() {
        let set = TextSet::new(&["a", "b"], false, usize::MAX).unwrap();
        let mut seen = Vec::new();
        assert!(set.find(b"xxbxa", |i| {
            seen.push(i);
            true
        }));
        assert_eq!(seen, vec![1], "the first match ends the walk");
        assert!(!set.find(b"xyz", |_| true));
    }

    #[test]
    fn an_empty_text_occurs_in_every_value() {
        let set = TextSet::new(&["", "zz"], false, usize::MAX).unwrap();
        assert!(set.find(b"", |i| i == 0));
        assert!(set.find(b"abc", |i| i == 0));
    }

    #[test]
    fn large_text_sets_fall_back_to_the_small_automaton() {
        let texts: Vec<String> = (0..200).map(|i| format!("text number {i}")).collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        let nfa = TextSet::new(&texts, true, bytes - 1).unwrap();
        let dfa = TextSet::new(&texts, true, bytes).unwrap();
        assert!(matches!(nfa.automaton, Kind::Nfa(_)));
        assert!(matches!(dfa.automaton, Kind::Dfa(_)));
        assert!(nfa.memory() < dfa.memory());
        let hay = "TEXT NUMBER 17 and text number 199";
        assert_eq!(found(&nfa, hay), found(&dfa, hay));
        assert_eq!(found(&dfa, hay), vec![1, 1, 17, 19, 199]);
    }
}
