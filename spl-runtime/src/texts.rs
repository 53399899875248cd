//! Many texts searched for in one pass, reporting every text that occurs.
//!
//! The pack index and wildcard sets ask one question of a value: which of these texts
//! occur in it (anywhere, overlapping one another)? [`TextSet`] answers it two ways.
//!
//! - An Aho-Corasick automaton, walked byte by byte here rather than through the crate's
//!   overlapping iterator: the walk keeps its state in a register, has no per-match
//!   resumption, and the automaton's type is known at the call, so each step is a table
//!   lookup. But each step waits for the one before, and the table of thousands of texts
//!   is megabytes: most steps wait for memory.
//! - For many texts, [`Grams`]: each text of four bytes or more is known by one of its
//!   four-byte pieces (the one fewest other texts share); every four bytes of the value
//!   are looked up in a bit table of those pieces small enough to stay in the nearest
//!   cache, and only a piece whose bit is set is looked up exactly and its texts
//!   compared. The positions do not depend on one another, so the processor overlaps
//!   them. The texts shorter than four bytes (few, in practice) keep an automaton.

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, Anchored, MatchKind, StartKind};

/// Texts searched for together.
#[derive(Clone, Debug)]
pub(crate) struct TextSet {
    /// The texts of four bytes or more, by their pieces, when there are many.
    grams: Option<Box<Grams>>,
    /// The other texts (all of them, when there are few), and the index in the whole
    /// set of each of its texts.
    automaton: Option<Box<(Kind, Vec<usize>)>>,
}

/// A DFA is the fastest to walk but costs time and memory to build in proportion to the
/// texts' bytes times the alphabet; the contiguous NFA is small and quick to build.
#[derive(Clone, Debug)]
enum Kind {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

impl TextSet {
    /// The set of `texts` (matched ignoring ASCII case when `fold`). Texts of
    /// [`Grams::LEN`] bytes or more go by their pieces when there are [`Grams::FROM`] of
    /// them; the others go into an automaton: a DFA when they are at most `dfa_up_to`
    /// bytes in all, else (or when the DFA cannot be built) a contiguous NFA. `None` when
    /// that automaton cannot be built (more states than its ids can number).
    pub(crate) fn new<T: AsRef<[u8]>>(
        texts: &[T],
        fold: bool,
        dfa_up_to: usize,
    ) -> Option<TextSet> {
        let long = texts
            .iter()
            .filter(|t| t.as_ref().len() >= Grams::LEN)
            .count();
        let (grams, rest): (Option<Box<Grams>>, Vec<usize>) = if long >= Grams::FROM {
            let rest = (0..texts.len())
                .filter(|&i| texts[i].as_ref().len() < Grams::LEN)
                .collect();
            (Some(Box::new(Grams::new(texts, fold))), rest)
        } else {
            (None, (0..texts.len()).collect())
        };
        if rest.is_empty() {
            return Some(TextSet {
                grams,
                automaton: None,
            });
        }
        let rest_texts: Vec<&[u8]> = rest.iter().map(|&i| texts[i].as_ref()).collect();
        let automaton = automaton(&rest_texts, fold, dfa_up_to)?;
        Some(TextSet {
            grams,
            automaton: Some(Box::new((automaton, rest))),
        })
    }

    /// Call `found` with the index of each text that occurs in `hay` (at least once per
    /// place it occurs; a text found twice may be reported twice), until `found` returns
    /// `true`. Returns whether it did.
    #[inline]
    pub(crate) fn find(&self, hay: &[u8], mut found: impl FnMut(usize) -> bool) -> bool {
        if let Some(grams) = &self.grams {
            if grams.find(hay, &mut found) {
                return true;
            }
        }
        let Some((automaton, indexes)) = self.automaton.as_deref() else {
            return false;
        };
        let found = |i: usize| found(indexes[i]);
        match automaton {
            Kind::Dfa(a) => walk(a, hay, found),
            Kind::Nfa(a) => walk(a, hay, found),
        }
    }

    /// The heap memory of the automaton, in bytes.
    #[cfg(test)]
    fn memory(&self) -> usize {
        match self.automaton.as_deref() {
            Some((Kind::Dfa(a), _)) => a.memory_usage(),
            Some((Kind::Nfa(a), _)) => a.memory_usage(),
            None => 0,
        }
    }
}

/// The automaton of `texts`: a DFA when they are at most `dfa_up_to` bytes in all, else
/// (or when the DFA cannot be built) a contiguous NFA.
fn automaton(texts: &[&[u8]], fold: bool, dfa_up_to: usize) -> Option<Kind> {
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
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
    if bytes <= dfa_up_to {
        as_dfa().or_else(as_nfa)
    } else {
        as_nfa()
    }
}

/// Texts of [`Grams::LEN`] bytes or more, each known by one of its pieces of that length.
#[derive(Clone, Debug)]
struct Grams {
    /// Bit `hash(key(piece))` is set for each text's piece.
    bits: Box<[u64]>,
    /// How far `hash` shifts: 32 less the log2 of the number of bits.
    shift: u32,
    /// Per bit, where the texts whose piece has it start in `anchors` (and one more
    /// entry: the end).
    slots: Box<[u32]>,
    /// The texts by the bit of their piece.
    anchors: Vec<Anchor>,
    /// The texts (folded when `fold`), by index in the whole set; the short ones empty.
    texts: Vec<Box<[u8]>>,
    fold: bool,
}

/// A text and its piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Anchor {
    /// The piece (folded when the set ignores case).
    piece: u32,
    /// The text's index in the whole set.
    text: u32,
    /// Where the piece starts in the text.
    at: u32,
}

impl Grams {
    /// The length of a piece.
    const LEN: usize = 4;
    /// The fewest texts of `LEN` bytes or more for which a set uses pieces (below, one
    /// automaton small enough to stay in cache is as fast).
    const FROM: usize = 64;
    /// Bits in the table per piece: when full, about one in sixteen of the places of a
    /// value that hold no text's piece still pass the table.
    const BITS_PER_PIECE: usize = 16;

    fn new<T: AsRef<[u8]>>(texts: &[T], fold: bool) -> Grams {
        let texts: Vec<Box<[u8]>> = texts
            .iter()
            .map(|t| {
                let t = t.as_ref();
                if t.len() < Grams::LEN {
                    Box::default()
                } else if fold {
                    t.to_ascii_lowercase().into()
                } else {
                    t.into()
                }
            })
            .collect();
        // How many texts have each piece: a text is known by its least shared one, so a
        // piece found in a value has few texts to compare.
        let mut shared: HashMap<u32, u32> = HashMap::new();
        for text in &texts {
            let mut pieces: Vec<u32> = text.windows(Grams::LEN).map(gram).collect();
            pieces.sort_unstable();
            pieces.dedup();
            for g in pieces {
                *shared.entry(g).or_default() += 1;
            }
        }
        let mut anchors: Vec<Anchor> = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let best = text
                .windows(Grams::LEN)
                .enumerate()
                .min_by_key(|&(_, w)| shared.get(&gram(w)).copied().unwrap_or(0));
            if let Some((at, w)) = best {
                anchors.push(Anchor {
                    piece: gram(w),
                    text: u32::try_from(i).unwrap_or(u32::MAX),
                    at: u32::try_from(at).unwrap_or(u32::MAX),
                });
            }
        }
        let bits_len = (anchors.len() * Grams::BITS_PER_PIECE)
            .next_power_of_two()
            .clamp(1 << 10, 1 << 18);
        let shift = 32 - bits_len.trailing_zeros();
        let bit = |a: &Anchor| hash(key(a.piece, fold), shift);
        anchors.sort_unstable_by_key(|a| (bit(a), *a));
        let mut bits = vec![0u64; bits_len / 64].into_boxed_slice();
        let mut slots = vec![0u32; bits_len + 1].into_boxed_slice();
        for a in &anchors {
            let h = bit(a);
            bits[h / 64] |= 1 << (h % 64);
            slots[h + 1] += 1;
        }
        // Counts to starts.
        for h in 1..slots.len() {
            slots[h] += slots[h - 1];
        }
        Grams {
            bits,
            shift,
            slots,
            anchors,
            texts,
            fold,
        }
    }

    /// Report the texts found in `hay`, until `found` returns `true`; whether it did.
    #[inline]
    fn find(&self, hay: &[u8], found: &mut impl FnMut(usize) -> bool) -> bool {
        for (p, w) in hay.windows(Grams::LEN).enumerate() {
            let g = gram(w);
            let h = hash(key(g, self.fold), self.shift);
            if self.bits[h / 64] & (1 << (h % 64)) != 0 && self.check(hay, p, g, h, found) {
                return true;
            }
        }
        false
    }

    /// The bit `h` of the piece `g`, at `p` in `hay`, is set: report the texts whose
    /// piece it is and that are there.
    #[cold]
    #[inline(never)]
    fn check(
        &self,
        hay: &[u8],
        p: usize,
        g: u32,
        h: usize,
        found: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        let g = if self.fold {
            u32::from_le_bytes(g.to_le_bytes().map(|b| b.to_ascii_lowercase()))
        } else {
            g
        };
        let (start, end) = (self.slots[h] as usize, self.slots[h + 1] as usize);
        self.anchors[start..end]
            .iter()
            .filter(|a| a.piece == g)
            .any(|a| {
                let want = &self.texts[a.text as usize];
                let there = p
                    .checked_sub(a.at as usize)
                    .and_then(|start| hay.get(start..start + want.len()));
                let same = match there {
                    Some(there) if self.fold => there.eq_ignore_ascii_case(want),
                    Some(there) => there == &**want,
                    None => false,
                };
                same && found(a.text as usize)
            })
    }
}

/// Four bytes as one number.
#[inline(always)]
fn gram(w: &[u8]) -> u32 {
    u32::from_le_bytes([w[0], w[1], w[2], w[3]])
}

/// What the bit table knows a piece by. Ignoring case, each byte with bit 5 set: the
/// same for both cases of an ASCII letter (and for a few pairs of other bytes, which
/// only costs an exact look).
#[inline(always)]
fn key(g: u32, fold: bool) -> u32 {
    if fold {
        g | 0x2020_2020
    } else {
        g
    }
}

/// Where a piece's bit is, in a table of `2^(32 - shift)` bits.
#[inline(always)]
fn hash(g: u32, shift: u32) -> usize {
    (g.wrapping_mul(0x9E37_79B1) >> shift) as usize
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
                let set = TextSet::new(&texts, fold, dfa_up_to).expect("small sets build");
                assert_eq!(
                    matches!(set.automaton.as_deref(), Some((Kind::Dfa(_), _))),
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
        let set = TextSet::new(&["a", "b"], false, usize::MAX).expect("small sets build");
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
        let set = TextSet::new(&["", "zz"], false, usize::MAX).expect("small sets build");
        assert!(set.find(b"", |i| i == 0));
        assert!(set.find(b"abc", |i| i == 0));
    }

    #[test]
    fn large_text_sets_fall_back_to_the_small_automaton() {
        // Short texts, so that the automaton holds them all.
        let texts: Vec<String> = (0..200).map(|i| format!("{i}")).collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        let nfa = TextSet::new(&texts, true, bytes - 1).expect("small sets build");
        let dfa = TextSet::new(&texts, true, bytes).expect("small sets build");
        assert!(nfa.grams.is_none() && dfa.grams.is_none());
        assert!(matches!(nfa.automaton.as_deref(), Some((Kind::Nfa(_), _))));
        assert!(matches!(dfa.automaton.as_deref(), Some((Kind::Dfa(_), _))));
        assert!(nfa.memory() < dfa.memory());
        let hay = "n 17 and 199";
        assert_eq!(found(&nfa, hay), found(&dfa, hay));
        assert_eq!(found(&dfa, hay), vec![1, 1, 7, 9, 9, 17, 19, 99, 199]);
    }

    /// Texts like a pack's: many sharing pieces, a few short ones, one twice as a piece
    /// of others, non-ASCII bytes.
    fn many_texts() -> Vec<String> {
        let mut texts: Vec<String> = (0..150)
            .map(|i| format!("\\windows\\tool{i}.exe"))
            .collect();
        texts.extend((0..40).map(|i| format!("-flag{i} ")));
        texts.extend(["/c", "-e", "x", "tool1", "ÄRGER", "[at]", "{AT}"].map(String::from));
        texts
    }

    #[test]
    fn many_texts_are_found_by_their_pieces_as_the_automaton_finds_them() {
        let texts = many_texts();
        let hays = [
            "C:\\WINDOWS\\TOOL12.EXE /c -flag3 -flag39 x",
            "\\windows\\tool149.exe\\windows\\tool1.exe",
            "tool1tool1 -e ärger ÄRGER [AT] {at}",
            "",
            "abc",
            "\\windows\\tool",
            "@at] {AT} [at]",
        ];
        for fold in [false, true] {
            let set = TextSet::new(&texts, fold, usize::MAX).expect("small sets build");
            assert!(set.grams.is_some(), "{} long texts", texts.len());
            let all: Vec<&str> = texts.iter().map(String::as_str).collect();
            for hay in hays {
                let want: Vec<usize> = naive(&all, hay, fold).into_iter().map(|(i, _)| i).collect();
                assert_eq!(found(&set, hay), want, "{hay:?} fold={fold}");
            }
        }
    }

    #[test]
    fn pieces_that_differ_only_in_bit_5_are_told_apart() {
        // '[' and '{', '@' and '`' differ only in bit 5, as 'A' and 'a' do: the table
        // cannot tell them apart, the exact look must.
        let texts = many_texts();
        let set = TextSet::new(&texts, true, usize::MAX).expect("small sets build");
        let at = texts.iter().position(|t| t == "[at]").expect("in the set");
        let braces = texts.iter().position(|t| t == "{AT}").expect("in the set");
        assert_eq!(found(&set, "{at}"), vec![braces]);
        assert_eq!(found(&set, "[AT]"), vec![at]);
        assert_eq!(found(&set, "`at]"), Vec::<usize>::new());
    }
}
