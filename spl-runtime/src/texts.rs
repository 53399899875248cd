//! Many texts searched for in one pass, reporting every text that occurs.
//!
//! The pack index and wildcard sets ask one question of a value: which of these texts
//! occur in it (anywhere, overlapping one another)? An Aho-Corasick automaton answers it
//! in one walk, but each step of the walk waits for the one before, and the table of
//! thousands of texts is megabytes: most steps wait for memory. [`TextSet`] looks at
//! each place of the value on its own instead, so the processor overlaps the places:
//!
//! - each text of four bytes or more is known by one of its four-byte pieces (the one
//!   fewest other texts share); the four bytes at each place are looked up in a bit
//!   table of those pieces, small enough to stay in the nearest cache, and only where
//!   the piece's bits are set are the texts of that piece compared. When every text has
//!   eight bytes, pieces are eight bytes long: four hex digits of a hash are somewhere in
//!   most hex values, eight are not. When the texts are long enough, each is known by
//!   two to four pieces in a row instead, and the table is looked up at every second to
//!   fourth place only: wherever a text is, one of its pieces starts at a place looked
//!   at. A few texts too short for that (at most eight) go by their first byte.
//! - a shorter text is known by its first byte: the byte at each place is looked up in a
//!   table of those bytes, then the pair of it and the next in a table of the texts'
//!   first two bytes, and only where both are set are the texts starting with it
//!   compared.
//!
//! A few texts whose rarest bytes are at most three (a search term of `_raw`, one or two
//! values of a field) are found faster still: `memchr` jumps to each place of one of
//! those bytes, and only there are the texts compared.

/// Texts searched for together.
#[derive(Clone, Debug, Default)]
pub(crate) struct TextSet {
    /// The texts (folded when `fold`), by index; compared where their piece or first byte
    /// is found.
    texts: Vec<Box<[u8]>>,
    /// The empty texts: they occur in every value.
    empty: Vec<u32>,
    /// The texts of four bytes or more, by a piece of each.
    long: Option<Box<Grams>>,
    /// The texts of one to three bytes, by their first byte.
    short: Option<Box<Short>>,
    /// All the texts by their rarest bytes, when those are at most three (then `long`
    /// and `short` are `None`).
    rare: Option<Rare>,
    fold: bool,
}

impl TextSet {
    /// The set of `texts`, matched ignoring ASCII case when `fold`.
    pub(crate) fn new<T: AsRef<[u8]>>(texts: &[T], fold: bool) -> TextSet {
        let texts: Vec<Box<[u8]>> = texts
            .iter()
            .map(|t| {
                let t = t.as_ref();
                if fold {
                    t.to_ascii_lowercase().into()
                } else {
                    t.into()
                }
            })
            .collect();
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let empty = (0..texts.len())
            .filter(|&i| texts[i].is_empty())
            .map(index)
            .collect();
        if let Some(rare) = Rare::new(&texts, fold) {
            return TextSet {
                texts,
                empty,
                long: None,
                short: None,
                rare: Some(rare),
                fold,
            };
        }
        // Pieces of eight bytes when every text has eight (a second pass for the texts
        // of eight or more costs more than it saves).
        let len = if texts.iter().all(|t| t.is_empty() || t.len() >= 8) {
            8
        } else {
            4
        };
        let step = Grams::step(&texts, len);
        // Texts too short for the step go by their first byte, with those under four.
        let shortest = if step == 1 { 4 } else { len + step - 1 };
        let long = Grams::new(&texts, fold, len, step).map(Box::new);
        let short = Short::new(&texts, fold, shortest).map(Box::new);
        TextSet {
            texts,
            empty,
            long,
            short,
            rare: None,
            fold,
        }
    }

    /// Call `found` with the index of each text that occurs in `hay` (a text found in
    /// several places may be reported once for each), until `found` returns `true`.
    /// Returns whether it did.
    #[inline]
    pub(crate) fn find(&self, hay: &[u8], mut found: impl FnMut(usize) -> bool) -> bool {
        if self.empty.iter().any(|&i| found(i as usize)) {
            return true;
        }
        if let Some(rare) = &self.rare {
            return self.find_rare(rare, hay, &mut found);
        }
        if let Some(short) = &self.short {
            for (p, &b) in hay.iter().enumerate() {
                if short.firsts.has(b)
                    && short.admits(hay, p, b)
                    && self.check(&short.texts[b as usize], hay, p, &mut found)
                {
                    return true;
                }
            }
        }
        match &self.long {
            Some(long) if long.step > 1 => match long.len {
                4 => self.search(long, pieces::<4>(hay).step_by(long.step), hay, &mut found),
                _ => self.search(long, pieces::<8>(hay).step_by(long.step), hay, &mut found),
            },
            Some(long) if long.len == 4 => self.search(long, pieces::<4>(hay), hay, &mut found),
            Some(long) => self.search(long, pieces::<8>(hay), hay, &mut found),
            None => false,
        }
    }

    /// Look up each of `pieces` (with their places in `hay`) in the table of `grams`.
    #[inline(always)]
    fn search(
        &self,
        grams: &Grams,
        pieces: impl Iterator<Item = (usize, u64)>,
        hay: &[u8],
        found: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        for (p, g) in pieces {
            if let Some(first) = grams.passes(g, self.fold) {
                if self.check_piece(grams, hay, p, g, first, found) {
                    return true;
                }
            }
        }
        false
    }

    /// The bits of the piece `g`, at `p` in `hay`, are set (the first is `first`):
    /// report the texts whose piece it is and that are there.
    #[cold]
    #[inline(never)]
    fn check_piece(
        &self,
        grams: &Grams,
        hay: &[u8],
        p: usize,
        g: u64,
        first: usize,
        found: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        let g = if self.fold {
            u64::from_le_bytes(g.to_le_bytes().map(|b| b.to_ascii_lowercase()))
        } else {
            g
        };
        let word = first / 64;
        let (start, end) = (grams.slots[word] as usize, grams.slots[word + 1] as usize);
        grams.anchors[start..end]
            .iter()
            .filter(|a| a.piece == g)
            .any(|a| {
                p.checked_sub(a.at as usize)
                    .is_some_and(|start| self.is_at(a.text, hay, start))
                    && found(a.text as usize)
            })
    }

    /// Jump to each place of one of the rare bytes; compare there the texts that have it.
    fn find_rare(&self, rare: &Rare, hay: &[u8], found: &mut impl FnMut(usize) -> bool) -> bool {
        let check = |q: usize, found: &mut dyn FnMut(usize) -> bool| {
            let b = hay[q];
            rare.anchors.iter().any(|a| {
                a.bytes.contains(&b)
                    && q.checked_sub(a.at as usize)
                        .is_some_and(|start| self.is_at(a.text, hay, start))
                    && found(a.text as usize)
            })
        };
        match rare.bytes[..] {
            [a] => memchr::memchr_iter(a, hay).any(|q| check(q, found)),
            [a, b] => memchr::memchr2_iter(a, b, hay).any(|q| check(q, found)),
            [a, b, c] => memchr::memchr3_iter(a, b, c, hay).any(|q| check(q, found)),
            _ => false,
        }
    }

    /// Report the texts of `candidates` that are at `p` in `hay`.
    #[cold]
    #[inline(never)]
    fn check(
        &self,
        candidates: &[u32],
        hay: &[u8],
        p: usize,
        found: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        candidates
            .iter()
            .any(|&text| self.is_at(text, hay, p) && found(text as usize))
    }

    /// Whether text `text` is at `start` in `hay`.
    #[inline]
    fn is_at(&self, text: u32, hay: &[u8], start: usize) -> bool {
        let want = &self.texts[text as usize];
        match hay.get(start..start + want.len()) {
            Some(there) if self.fold => there.eq_ignore_ascii_case(want),
            Some(there) => there == &**want,
            None => false,
        }
    }
}

/// A few texts, each known by its rarest byte.
#[derive(Clone, Debug)]
struct Rare {
    /// The bytes searched for: each text's rarest byte, both cases when the set ignores
    /// case (one to three bytes).
    bytes: Vec<u8>,
    anchors: Vec<RareAnchor>,
}

/// A text and its rarest byte.
#[derive(Clone, Copy, Debug)]
struct RareAnchor {
    text: u32,
    /// The byte (and its other case when the set ignores case).
    bytes: [u8; 2],
    /// Where it is in the text.
    at: u32,
}

impl Rare {
    /// The most bytes searched for at once.
    const MAX: usize = 3;
    /// The most texts: each place of a rare byte compares all the texts that have it.
    const MAX_TEXTS: usize = 8;

    /// The rarest bytes of the (already folded) non-empty `texts`, when they are at most
    /// [`Rare::MAX`] (counting both cases of a letter when `fold`) and the texts at most
    /// [`Rare::MAX_TEXTS`].
    fn new(texts: &[Box<[u8]>], fold: bool) -> Option<Rare> {
        if texts.len() > Rare::MAX_TEXTS {
            return None;
        }
        let mut rare = Rare {
            bytes: Vec::new(),
            anchors: Vec::new(),
        };
        for (i, text) in texts.iter().enumerate() {
            let Some((at, &b)) = text
                .iter()
                .enumerate()
                .min_by_key(|&(_, &b)| crate::ir::byte_rank(b))
            else {
                continue;
            };
            let bytes = if fold {
                [b.to_ascii_lowercase(), b.to_ascii_uppercase()]
            } else {
                [b, b]
            };
            for b in bytes {
                if !rare.bytes.contains(&b) {
                    rare.bytes.push(b);
                }
            }
            if rare.bytes.len() > Rare::MAX {
                return None;
            }
            rare.anchors.push(RareAnchor {
                text: u32::try_from(i).unwrap_or(u32::MAX),
                bytes,
                at: u32::try_from(at).unwrap_or(u32::MAX),
            });
        }
        (!rare.anchors.is_empty()).then_some(rare)
    }
}

/// A table of bits.
#[derive(Clone, Debug, Default)]
struct Bits(Box<[u64]>);

impl Bits {
    fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)].into_boxed_slice())
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    #[inline(always)]
    fn has(&self, i: impl Into<usize>) -> bool {
        let i = i.into();
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// Texts too short for the pieces' search, by their first byte, and their first two.
#[derive(Clone, Debug)]
struct Short {
    /// The first bytes of the texts (both cases when the set ignores case).
    firsts: Bits,
    /// The bytes that are texts by themselves (both cases when the set ignores case).
    ones: Bits,
    /// The first two bytes of the longer texts, hashed ([`Short::pair`]) into a table
    /// small enough to stay in the nearest cache, every case of them when the set ignores
    /// case: a common first byte (`c` of `cmd`) is compared only where the second
    /// could follow.
    pairs: Bits,
    /// Per byte, the texts that start with it (or with its other case).
    texts: Vec<Vec<u32>>,
}

impl Short {
    /// The bits of [`Short::pairs`].
    const PAIR_BITS: usize = 4096;

    /// The bit of two bytes in [`Short::pairs`].
    #[inline(always)]
    fn pair(a: u8, b: u8) -> usize {
        ((usize::from(a) << 5) ^ usize::from(b)) % Short::PAIR_BITS
    }

    /// Whether a text may start at `p` of `hay`, whose byte `b` is one of the firsts.
    #[inline(always)]
    fn admits(&self, hay: &[u8], p: usize, b: u8) -> bool {
        self.ones.has(b)
            || hay
                .get(p + 1)
                .is_some_and(|&c| self.pairs.has(Short::pair(b, c)))
    }

    /// The non-empty texts shorter than `shortest` bytes.
    fn new(texts: &[Box<[u8]>], fold: bool, shortest: usize) -> Option<Short> {
        let mut short = Short {
            firsts: Bits::new(256),
            ones: Bits::new(256),
            pairs: Bits::new(Short::PAIR_BITS),
            texts: vec![Vec::new(); 256],
        };
        let cases_of = |b: u8| {
            if fold {
                [b.to_ascii_lowercase(), b.to_ascii_uppercase()]
            } else {
                [b, b]
            }
        };
        let mut any = false;
        for (i, text) in texts.iter().enumerate() {
            if text.is_empty() || text.len() >= shortest {
                continue;
            }
            any = true;
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let cases = cases_of(text[0]);
            for (k, b) in cases.into_iter().enumerate() {
                if k == 0 || b != cases[0] {
                    short.firsts.set(b.into());
                    short.texts[b as usize].push(i);
                }
            }
            match text.get(1) {
                None => cases.into_iter().for_each(|b| short.ones.set(b.into())),
                Some(&second) => {
                    for a in cases {
                        for b in cases_of(second) {
                            short.pairs.set(Short::pair(a, b));
                        }
                    }
                }
            }
        }
        any.then_some(short)
    }
}

/// Texts known by one of their pieces of four or eight bytes.
#[derive(Clone, Debug)]
struct Grams {
    /// The length of the pieces.
    len: usize,
    /// Every how many places of a value a piece is looked up: each text is known by this
    /// many pieces, at consecutive places, so that one of them starts at a place looked
    /// at wherever the text is.
    step: usize,
    /// For each text's piece, the two bits of [`Grams::bits_of`] are set.
    bits: Bits,
    /// How far the hash shifts to give a bit: 64 less the log2 of the number of bits.
    shift: u32,
    /// Per word of 64 bits of the table, where the texts whose piece's first bit is in
    /// that word start in `anchors` (and one more entry: the end). A word rather than a
    /// bit: the table of starts stays a sixteenth of the size of the bit table, where one
    /// per bit made it thirty-two times bigger (for a pack, megabytes to build and to clear
    /// at load time).
    slots: Box<[u32]>,
    /// The texts by the first bit of their piece.
    anchors: Vec<Anchor>,
}

/// A text and its piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Anchor {
    /// The piece (folded when the set ignores case).
    piece: u64,
    /// The text's index in the set.
    text: u32,
    /// Where the piece starts in the text.
    at: u32,
}

impl Grams {
    /// Bits in the table per piece: with two bits a piece, when full, about one in seventy
    /// of the places of a value that hold no text's piece still pass the table.
    const BITS_PER_PIECE: usize = 16;

    /// The most places a piece search steps over.
    const MAX_STEP: usize = 4;
    /// The most texts left to the search by first byte so that the others can be
    /// looked up at fewer places (each place of their first byte compares them).
    const MAX_LEFT: usize = 8;

    /// Every how many places pieces of `len` bytes of `texts` are looked up: the largest
    /// step (up to [`Grams::MAX_STEP`]) for which at most [`Grams::MAX_LEFT`] of the
    /// texts of four bytes or more are too short (a text of `n` bytes has `n - len + 1`
    /// pieces, and needs as many as the step).
    fn step(texts: &[Box<[u8]>], len: usize) -> usize {
        (2..=Grams::MAX_STEP)
            .rev()
            .find(|step| {
                let shortest = len + step - 1;
                texts
                    .iter()
                    .filter(|t| t.len() >= 4 && t.len() < shortest)
                    .count()
                    <= Grams::MAX_LEFT
            })
            .unwrap_or(1)
    }

    /// The pieces of `len` bytes of the (already folded) `texts` long enough for `step`
    /// (four bytes or more when it is 1); `None` when there are none.
    fn new(texts: &[Box<[u8]>], fold: bool, len: usize, step: usize) -> Option<Grams> {
        let shortest = (len + step - 1).max(4);
        let texts = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| t.len() >= shortest);
        // How many texts have each piece: a text is known by its least shared one, so a
        // piece found in a value has few texts to compare.
        let mut shared: std::collections::HashMap<u64, u32, foldhash::fast::FixedState> =
            Default::default();
        for (_, text) in texts.clone() {
            let mut pieces: Vec<u64> = text.windows(len).map(piece).collect();
            pieces.sort_unstable();
            pieces.dedup();
            for g in pieces {
                *shared.entry(g).or_default() += 1;
            }
        }
        let mut anchors: Vec<Anchor> = Vec::new();
        let count = |w: &[u8]| u64::from(shared.get(&piece(w)).copied().unwrap_or(0));
        for (i, text) in texts {
            // The `step` pieces in a row that fewest other texts share, together.
            let pieces: Vec<&[u8]> = text.windows(len).collect();
            let best = pieces
                .windows(step)
                .enumerate()
                .min_by_key(|(_, run)| run.iter().map(|w| count(w)).sum::<u64>());
            if let Some((start, run)) = best {
                for (k, w) in run.iter().enumerate() {
                    anchors.push(Anchor {
                        piece: piece(w),
                        text: u32::try_from(i).unwrap_or(u32::MAX),
                        at: u32::try_from(start + k).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        if anchors.is_empty() {
            return None;
        }
        let bits = (anchors.len() * Grams::BITS_PER_PIECE)
            .next_power_of_two()
            .clamp(1 << 10, 1 << 18);
        let mut grams = Grams {
            len,
            step,
            bits: Bits::new(bits),
            shift: 64 - bits.trailing_zeros(),
            slots: vec![0u32; bits / 64 + 1].into_boxed_slice(),
            anchors: Vec::new(),
        };
        anchors.sort_unstable_by_key(|a| (grams.bits_of(a.piece, fold).0, *a));
        for a in &anchors {
            let (first, second) = grams.bits_of(a.piece, fold);
            grams.bits.set(first);
            grams.bits.set(second);
            grams.slots[first / 64 + 1] += 1;
        }
        // Counts to starts.
        for h in 1..grams.slots.len() {
            grams.slots[h] += grams.slots[h - 1];
        }
        grams.anchors = anchors;
        Some(grams)
    }

    /// The two bits of piece `g`, from the high bits of one product. Ignoring case, each
    /// byte of the piece with bit 5 set first: the same for both cases of an ASCII
    /// letter (and for a few pairs of other bytes, which only costs an exact look).
    #[inline(always)]
    fn bits_of(&self, g: u64, fold: bool) -> (usize, usize) {
        let g = if fold { g | 0x2020_2020_2020_2020 } else { g };
        let h = g.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let first = (h >> self.shift) as usize;
        let second = ((h << (64 - self.shift)) >> self.shift) as usize;
        (first, second)
    }

    /// Whether both bits of piece `g` are set; its first bit.
    #[inline(always)]
    fn passes(&self, g: u64, fold: bool) -> Option<usize> {
        let (first, second) = self.bits_of(g, fold);
        (self.bits.has(first) && self.bits.has(second)).then_some(first)
    }
}

/// The bytes of a piece (four or eight) as one number.
#[inline(always)]
fn piece(w: &[u8]) -> u64 {
    match *w {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]).into(),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => unreachable!("pieces are four or eight bytes"),
    }
}

/// The piece of `LEN` bytes at each place of `hay`.
#[inline(always)]
fn pieces<const LEN: usize>(hay: &[u8]) -> impl Iterator<Item = (usize, u64)> + '_ {
    hay.windows(LEN).enumerate().map(|(p, w)| (p, piece(w)))
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
                if !t.is_empty() && t.len() <= end {
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

    /// `found` agrees with `naive` for each of `hays`, ignoring case and not.
    fn agrees(texts: &[&str], hays: &[&str]) {
        for fold in [false, true] {
            let set = TextSet::new(texts, fold);
            for hay in hays {
                let want: Vec<usize> = naive(texts, hay, fold)
                    .into_iter()
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(found(&set, hay), want, "{hay:?} fold={fold}");
            }
        }
    }

    #[test]
    fn every_occurrence_of_every_text_is_reported() {
        agrees(
            &["he", "she", "his", "hers", "e", "HE", "\\cmd.exe", "cmd"],
            &[
                "ushers",
                "",
                "C:\\Windows\\System32\\CMD.EXE /c whoami",
                "hehehe",
                "shEsHe",
                "no match here?",
            ],
        );
    }

    /// Texts like a pack's: many sharing pieces, some short ones (ASCII and not), one that
    /// is also a piece of others, non-ASCII bytes, bytes that differ only in bit 5.
    fn many_texts() -> Vec<String> {
        let mut texts: Vec<String> = (0..150)
            .map(|i| format!("\\windows\\tool{i}.exe"))
            .collect();
        texts.extend((0..40).map(|i| format!("-flag{i} ")));
        let others = [
            "/c", "-e", "x", "tool1", "ÄRGER", "[at]", "{AT}", "→", "Ѕ", "^^",
        ];
        texts.extend(others.map(String::from));
        texts
    }

    #[test]
    fn many_texts_are_found_as_the_slow_way_finds_them() {
        let texts = many_texts();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        agrees(
            &texts,
            &[
                "C:\\WINDOWS\\TOOL12.EXE /c -flag3 -flag39 x",
                "\\windows\\tool149.exe\\windows\\tool1.exe",
                "tool1tool1 -e ärger ÄRGER [AT] {at}",
                "",
                "a",
                "abc",
                "\\windows\\tool",
                "@at] {AT} [at] `AT]",
                "a → b ⇒ Ѕѕ ^^^",
                "X/C-E",
            ],
        );
    }

    #[test]
    fn a_few_texts_are_found_by_their_rarest_bytes() {
        for texts in [
            &["zzqq_no_event_has_this"][..],
            &["Power", "power", "-p"][..],
            &["x", "X.exe", ".EXE"][..],
            &["Ѕ"][..],
        ] {
            for fold in [false, true] {
                let set = TextSet::new(texts, fold);
                assert!(set.rare.is_some(), "{texts:?} fold={fold}");
                assert!(set.long.is_none() && set.short.is_none());
            }
            agrees(
                texts,
                &[
                    "",
                    "x",
                    "ZZQQ_NO_EVENT_HAS_THIS zzqq_no_event_has_this",
                    "powershell -P hidden POWERSHELL.EXE -p",
                    "a.exe x.EXE X.exe",
                    "ЅЅ",
                    "zzqq_no_event_has_thi",
                ],
            );
        }
        // Too many rare bytes, or texts: pieces instead.
        assert!(TextSet::new(&["qa", "zb"], true).rare.is_none());
        let nine: Vec<String> = (0..9).map(|i| format!("zz{i}")).collect();
        assert!(TextSet::new(&nine, true).rare.is_none());
    }

    #[test]
    fn texts_of_eight_bytes_or_more_are_known_by_eight() {
        // Hashes: any four hex digits of one are likely somewhere in a list of others.
        let texts: Vec<String> = (0u64..100)
            .map(|i| format!("IMPHASH={:016X}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            .collect();
        let set = TextSet::new(&texts, true);
        assert_eq!(set.long.as_ref().map(|g| g.len), Some(8));
        let mixed = TextSet::new(&[texts[0].as_str(), "abcd"], true);
        assert_eq!(mixed.long.as_ref().map(|g| g.len), Some(4));
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let list = format!(
            "MD5=0123,SHA1=ABCD,{},{}",
            texts[7],
            texts[42].to_lowercase()
        );
        agrees(
            &texts,
            &[
                &list,
                "IMPHASH=",
                &texts[99][..texts[99].len() - 1],
                &texts[3][1..],
                texts[5],
            ],
        );
    }

    #[test]
    fn long_texts_are_looked_up_every_few_places_and_found_at_any() {
        let texts = [
            "powershell",
            "\\rundll32.exe",
            "certutil -urlcache",
            "whoami /all",
            "psexec",
        ];
        let set = TextSet::new(&texts, true);
        // Four places a step; "psexec" (three pieces) goes by its first byte instead.
        assert_eq!(set.long.as_ref().map(|g| g.step), Some(4));
        assert!(set
            .short
            .as_ref()
            .is_some_and(|s| s.texts[b'p' as usize] == [4]));
        // Each text at each place of a value, alone, twice, and next to another.
        let mut hays = Vec::new();
        for text in texts {
            for at in 0..9 {
                let pad = "x".repeat(at);
                hays.push(format!("{pad}{text}"));
                hays.push(format!("{pad}{}{pad}", text.to_uppercase()));
                hays.push(format!("{pad}{text}{text}"));
                hays.push(format!("{pad}{text} powershell.exe"));
                hays.push(format!("{pad}{}", &text[1..]));
            }
        }
        let hays: Vec<&str> = hays.iter().map(String::as_str).collect();
        agrees(&texts, &hays);
        // Eight-byte pieces step too.
        let hashes: Vec<String> = (0u64..20)
            .map(|i| format!("{:016x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            .collect();
        let set = TextSet::new(&hashes, true);
        assert_eq!(set.long.as_ref().map(|g| (g.len, g.step)), Some((8, 4)));
        let hays: Vec<String> = (0..9)
            .map(|at| {
                format!(
                    "{}{}-{}",
                    "0".repeat(at),
                    hashes[3],
                    hashes[19].to_uppercase()
                )
            })
            .collect();
        let hays: Vec<&str> = hays.iter().map(String::as_str).collect();
        let hashes: Vec<&str> = hashes.iter().map(String::as_str).collect();
        agrees(&hashes, &hays);
    }

    #[test]
    fn pieces_that_differ_only_in_bit_5_are_told_apart() {
        // '[' and '{', '@' and '`' differ only in bit 5, as 'A' and 'a' do: the bit table
        // cannot tell them apart, the exact look must.
        let texts = many_texts();
        let set = TextSet::new(&texts, true);
        let at = texts.iter().position(|t| t == "[at]").expect("in the set");
        let braces = texts.iter().position(|t| t == "{AT}").expect("in the set");
        assert_eq!(found(&set, "{at}"), vec![braces]);
        assert_eq!(found(&set, "[AT]"), vec![at]);
        assert_eq!(found(&set, "`at]"), Vec::<usize>::new());
    }

    #[test]
    fn the_search_stops_when_asked() {
        for texts in [["a", "b"], ["aaaa", "bbbb"]] {
            let set = TextSet::new(&texts, false);
            let mut seen = Vec::new();
            assert!(set.find(b"xxbbbbxaaaa", |i| {
                seen.push(i);
                true
            }));
            assert_eq!(seen.len(), 1, "the first text found ends the search");
            assert!(!set.find(b"xyz", |_| true));
        }
    }

    #[test]
    fn an_empty_text_occurs_in_every_value() {
        let set = TextSet::new(&["", "zz"], false);
        assert_eq!(found(&set, ""), vec![0]);
        assert_eq!(found(&set, "abc"), vec![0]);
        assert_eq!(found(&set, "zz"), vec![0, 1]);
    }

    #[test]
    fn an_empty_set_finds_nothing() {
        let set = TextSet::new::<&str>(&[], true);
        assert!(!set.find(b"anything", |_| true));
    }
}
