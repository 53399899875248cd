//! A pack of rules over one stream of events, with a pack-wide index so that each event
//! goes only to the rules it can match.
//!
//! Each rule says what an event must have for it to match at all (its
//! [`Witness`](crate::ir::Witness): `_raw` containing a text, a field equal to or containing
//! a text, a field being present). [`Index`] gathers the witnesses of the whole pack into a
//! few structures built once: one case-insensitive set of texts searched for together in
//! `_raw`, and per field a hash of folded values, a set of texts and a list of rules that
//! only need the field. For each event one pass over its fields and its `_raw` gives the
//! *candidate* rules; only those run their exact search. A rule without a witness is a
//! candidate for every event. The index only ever leaves out rules that cannot match: the
//! rows of a pack are the same with and without it (the workspace tests check that on the
//! whole benchmark pack).
//!
//! ```
//! use spl_runtime::pack::RulePack;
//! use spl_runtime::rule::{Rule, RuleInfo};
//! use spl_runtime::{Event, Record};
//! # use spl_runtime::ir::{Need, Witness};
//! # struct Term(&'static str);
//! # impl Rule for Term {
//! #     fn info(&self) -> RuleInfo { RuleInfo::new("t", "t", "t", &[], "") }
//! #     fn matches(&self, e: &dyn Event) -> bool { e.raw().contains(self.0) }
//! #     fn process(&mut self, row: Record, out: &mut Vec<Record>) { out.push(row) }
//! #     fn finish(&mut self, _: &mut dyn FnMut(Record)) -> Result<(), spl_runtime::pipeline::StepError> { Ok(()) }
//! #     fn is_transforming(&self) -> bool { false }
//! #     fn witness(&self) -> Option<Witness> { Some(Witness::new(vec![Need::Raw(self.0.into())])) }
//! # }
//! let mut pack = RulePack::new(vec![Box::new(Term("cmd")), Box::new(Term("pwsh"))]);
//! let mut event = Record::new();
//! event.set_raw("a cmd b");
//! let mut rows = Vec::new();
//! pack.push(event, &mut rows);
//! assert_eq!(rows.len(), 1);
//! assert_eq!(rows[0].0, 0, "rows name the rule (its index in the pack)");
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{Need, Witness};
use crate::pipeline::StepError;
use crate::rule::Rule;
use crate::texts::TextSet;
use crate::value::{write_number, Value};

/// The index of a rule in its pack.
pub type RuleIndex = u32;

/// A rule and which clause of its witness a need belongs to (the clause in the low two
/// bits: a witness has at most four; the rule in the other 30, so a pack holds fewer than
/// 2^30 rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Hit(u32);

impl Hit {
    /// The most clauses of one witness the index checks.
    const MAX_CLAUSES: usize = 4;

    fn new(rule: RuleIndex, clause: usize) -> Hit {
        debug_assert!(clause < Hit::MAX_CLAUSES);
        Hit(rule << 2 | clause as u32)
    }

    fn rule(self) -> RuleIndex {
        self.0 >> 2
    }

    fn bit(self) -> u8 {
        1 << (self.0 & 3)
    }
}

// A witness's clauses all fit in a hit.
const _: () = assert!(Witness::MAX_ALSO < Hit::MAX_CLAUSES);

/// The candidate rules of each event, from the witnesses of a pack.
#[derive(Debug)]
pub struct Index {
    /// This index among all of the process (tells [`Candidates`] of another apart).
    id: u64,
    /// Per rule, the bits of all the clauses of its witness (one bit for a rule without
    /// one).
    clauses: Vec<u8>,
    /// Rules with no witness: candidates for every event.
    always: Vec<Hit>,
    /// How many rules have no witness.
    unindexed: usize,
    /// Texts `_raw` may contain, and the rules each one is a need of.
    raw: Option<Patterns>,
    /// Per field (by id), what its values may be.
    fields: Vec<Option<FieldNeeds>>,
}

/// A set of texts searched for together, ignoring ASCII case.
#[derive(Debug)]
struct Patterns {
    texts: TextSet,
    /// Per pattern, the rules (and clauses) it is a need of.
    rules: Vec<Vec<Hit>>,
}

impl Patterns {
    /// These texts and the hits of each; `None` when there are none.
    fn new(texts: Vec<(String, Vec<Hit>)>) -> Option<Patterns> {
        if texts.is_empty() {
            return None;
        }
        let (patterns, rules): (Vec<String>, Vec<Vec<Hit>>) = texts.into_iter().unzip();
        Some(Patterns {
            texts: TextSet::new(&patterns, true),
            rules,
        })
    }

    /// Mark the rules of every pattern that occurs in `hay`.
    fn mark(&self, hay: &[u8], marks: &mut Marks, clauses: &[u8]) {
        self.texts.find(hay, |pattern| {
            marks.mark_all(&self.rules[pattern], clauses);
            false
        });
    }
}

/// What the values of one field may be, for the rules whose witness is about it.
#[derive(Debug, Default)]
struct FieldNeeds {
    present: Vec<Hit>,
    /// Folded (ASCII lowercase) whole values.
    equals: HashMap<Box<[u8]>, Vec<Hit>, foldhash::fast::RandomState>,
    contains: Option<Patterns>,
}

impl Index {
    /// The index of a pack whose rules have these witnesses (`None`: the rule must see
    /// every event).
    pub fn new(witnesses: &[Option<Witness>]) -> Index {
        let mut clause_bits = Vec::with_capacity(witnesses.len());
        let mut always = Vec::new();
        let mut raw: HashMap<String, Vec<Hit>> = HashMap::new();
        let mut present: HashMap<&str, Vec<Hit>> = HashMap::new();
        let mut equals: HashMap<&str, HashMap<Box<[u8]>, Vec<Hit>, _>> = HashMap::new();
        let mut contains: HashMap<&str, HashMap<String, Vec<Hit>>> = HashMap::new();
        for (i, witness) in witnesses.iter().enumerate() {
            let rule = RuleIndex::try_from(i).unwrap_or(RuleIndex::MAX);
            let Some(witness) = witness.as_ref().filter(|w| !w.needs.is_empty()) else {
                always.push(Hit::new(rule, 0));
                clause_bits.push(1);
                continue;
            };
            // The first clause, then the others that have needs (an empty one would
            // never be met).
            let clauses: Vec<&Vec<Need>> = std::iter::once(&witness.needs)
                .chain(witness.also.iter().filter(|c| !c.is_empty()))
                .take(Hit::MAX_CLAUSES)
                .collect();
            clause_bits.push(((1u16 << clauses.len()) - 1) as u8);
            for (clause, need) in clauses
                .iter()
                .enumerate()
                .flat_map(|(c, needs)| needs.iter().map(move |n| (c, n)))
            {
                let hit = Hit::new(rule, clause);
                let list = match need {
                    Need::Raw(text) => raw.entry(text.clone()).or_default(),
                    Need::Present(field) => present.entry(field).or_default(),
                    Need::Equals { field, value } => equals
                        .entry(field)
                        .or_default()
                        .entry(value.as_bytes().to_ascii_lowercase().into())
                        .or_default(),
                    Need::Contains { field, text } => contains
                        .entry(field)
                        .or_default()
                        .entry(text.to_ascii_lowercase())
                        .or_default(),
                };
                if list.last() != Some(&hit) {
                    list.push(hit);
                }
            }
        }
        let unindexed = always.len();
        let mut by_field: HashMap<&str, FieldNeeds> = HashMap::new();
        for (field, rules) in present {
            by_field.entry(field).or_default().present = rules;
        }
        for (field, values) in equals {
            by_field.entry(field).or_default().equals = values;
        }
        for (field, texts) in contains {
            let mut texts: Vec<(String, Vec<Hit>)> = texts.into_iter().collect();
            texts.sort();
            by_field.entry(field).or_default().contains = Patterns::new(texts);
        }
        let mut fields: Vec<Option<FieldNeeds>> = Vec::new();
        for (field, needs) in by_field {
            let i = FieldId::intern(field).index() as usize;
            if fields.len() <= i {
                fields.resize_with(i + 1, || None);
            }
            fields[i] = Some(needs);
        }
        let mut raw: Vec<(String, Vec<Hit>)> = raw.into_iter().collect();
        raw.sort();
        let raw = Patterns::new(raw);
        static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Index {
            id: IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            clauses: clause_bits,
            always,
            unindexed,
            raw,
            fields,
        }
    }

    /// How many rules are candidates for every event (they have no witness).
    pub fn unindexed(&self) -> usize {
        self.unindexed
    }

    /// The candidate rules for `event`, in pack order, into `marks`.
    pub fn candidates<'m>(&self, event: &Record, marks: &'m mut Marks) -> &'m [RuleIndex] {
        let clauses = self.clauses.as_slice();
        marks.start(clauses.len());
        marks.mark_all(&self.always, clauses);
        if let Some(raw) = &self.raw {
            raw.mark(event.raw().as_bytes(), marks, clauses);
        }
        for (field, value) in event.iter() {
            let Some(Some(needs)) = self.fields.get(field.index() as usize) else {
                continue;
            };
            marks.mark_all(&needs.present, clauses);
            let each = |text: &str, marks: &mut Marks| {
                if !needs.equals.is_empty() {
                    marks.fold(text);
                    if let Some(rules) = needs.equals.get(marks.folded.as_slice()) {
                        marks.mark_all(rules, clauses);
                    }
                }
                if let Some(contains) = &needs.contains {
                    contains.mark(text.as_bytes(), marks, clauses);
                }
            };
            match value {
                Value::Str(s) => each(s, marks),
                Value::Multi(values) => values.iter().for_each(|s| each(s, marks)),
                Value::Num(n) => {
                    let mut number = std::mem::take(&mut marks.number);
                    number.clear();
                    // Writing to a `String` does not fail.
                    let _ = write_number(*n, &mut number);
                    each(&number, marks);
                    marks.number = number;
                }
            }
        }
        marks.finish()
    }
}

/// The rules an event is a candidate for, kept between events (no allocation per event).
#[derive(Debug, Default)]
pub struct Marks {
    /// Per rule, the event (epoch) it was last marked for.
    seen: Vec<u32>,
    /// Per rule, the clauses of its witness met so far by that event.
    met: Vec<u8>,
    epoch: u32,
    list: Vec<RuleIndex>,
    folded: Vec<u8>,
    /// A number's text.
    number: String,
}

impl Marks {
    fn start(&mut self, rules: usize) {
        if self.seen.len() != rules {
            self.seen = vec![0; rules];
            self.met = vec![0; rules];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.seen.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        self.list.clear();
    }

    /// Mark that each hit's clause is met; a rule all of whose clauses are met becomes a
    /// candidate.
    fn mark_all(&mut self, hits: &[Hit], clauses: &[u8]) {
        for &hit in hits {
            let r = hit.rule() as usize;
            let met = &mut self.met[r];
            if self.seen[r] != self.epoch {
                self.seen[r] = self.epoch;
                *met = 0;
            }
            let all = clauses[r];
            if *met != all {
                *met |= hit.bit();
                if *met == all {
                    self.list.push(hit.rule());
                }
            }
        }
    }

    fn fold(&mut self, text: &str) {
        self.folded.clear();
        self.folded
            .extend(text.bytes().map(|b| b.to_ascii_lowercase()));
    }

    fn finish(&mut self) -> &[RuleIndex] {
        self.list.sort_unstable();
        &self.list
    }
}

/// The candidate rules of a run of events, worked out ahead of the pack (by the thread
/// that reads them, say) for [`RulePack::push_batch_with`]: one list per event, in
/// order.
#[derive(Debug, Default)]
pub struct Candidates {
    rules: Vec<RuleIndex>,
    /// Where each event's list ends in `rules`.
    ends: Vec<usize>,
    /// The index they come from (0 before the first event).
    from: u64,
}

impl Candidates {
    /// Append the candidates of `event` in `index` (`marks` kept between calls, so that
    /// nothing is allocated per event).
    pub fn push(&mut self, index: &Index, event: &Record, marks: &mut Marks) {
        if self.from != index.id {
            self.clear();
            self.from = index.id;
        }
        self.rules.extend_from_slice(index.candidates(event, marks));
        self.ends.push(self.rules.len());
    }

    /// How many events have their candidates here.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no event has.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Forget the events (keeping the room).
    pub fn clear(&mut self) {
        self.rules.clear();
        self.ends.clear();
    }

    /// The candidates of the `i`th event.
    fn of(&self, i: usize) -> &[RuleIndex] {
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j]);
        &self.rules[start..self.ends[i]]
    }
}

/// Rules run together over one stream of events: each event goes to the rules it can
/// match (see the [module documentation](self)), and the rows each gives are tagged with
/// the rule's index.
pub struct RulePack {
    rules: Vec<Box<dyn Rule>>,
    index: Option<Arc<Index>>,
    all: Vec<RuleIndex>,
    /// One per thread that matches events.
    matchers: Vec<Matcher>,
    buffer: Vec<Record>,
}

/// What one thread keeps between the events it matches: the index's marks, and the rules
/// each event of its share of a batch matched (all in one list, with where each event's
/// part ends).
#[derive(Debug, Default)]
struct Matcher {
    marks: Marks,
    matched: Vec<RuleIndex>,
    ends: Vec<usize>,
}

impl Matcher {
    /// Append the rules `event` matches, in pack order: of `ahead` when given, else of
    /// the index's candidates, else of all.
    fn match_event(
        &mut self,
        rules: &[Box<dyn Rule>],
        index: Option<&Index>,
        all: &[RuleIndex],
        ahead: Option<&[RuleIndex]>,
        event: &Record,
    ) {
        let candidates: &[RuleIndex] = match (ahead, index) {
            (Some(ahead), _) => ahead,
            (None, Some(index)) => index.candidates(event, &mut self.marks),
            (None, None) => all,
        };
        self.matched.extend(
            candidates
                .iter()
                .copied()
                .filter(|&r| rules[r as usize].matches(event)),
        );
        self.ends.push(self.matched.len());
    }

    fn clear(&mut self) {
        self.matched.clear();
        self.ends.clear();
    }
}

impl RulePack {
    /// A pack of `rules`, indexed by their witnesses.
    pub fn new(rules: Vec<Box<dyn Rule>>) -> RulePack {
        let witnesses: Vec<Option<Witness>> = rules.iter().map(|r| r.witness()).collect();
        let index = Index::new(&witnesses);
        RulePack::build(rules, Some(Arc::new(index)))
    }

    /// A pack of `rules` that tries every rule on every event (the reference the index
    /// must agree with).
    pub fn without_index(rules: Vec<Box<dyn Rule>>) -> RulePack {
        RulePack::build(rules, None)
    }

    fn build(rules: Vec<Box<dyn Rule>>, index: Option<Arc<Index>>) -> RulePack {
        let all = (0..rules.len())
            .map(|i| RuleIndex::try_from(i).unwrap_or(RuleIndex::MAX))
            .collect();
        RulePack {
            rules,
            index,
            all,
            matchers: vec![Matcher::default()],
            buffer: Vec::new(),
        }
    }

    /// The rules, in pack order.
    pub fn rules(&self) -> &[Box<dyn Rule>] {
        &self.rules
    }

    /// The index, when the pack has one.
    pub fn index(&self) -> Option<&Index> {
        self.index.as_deref()
    }

    /// The index, to share with a thread that works out the candidates of events ahead
    /// ([`Candidates`], [`RulePack::push_batch_with`]).
    pub fn shared_index(&self) -> Option<Arc<Index>> {
        self.index.clone()
    }

    /// Run one event through every rule that matches it; each row goes to `out` with the
    /// index of the rule that gave it, rules in pack order. Returns how many rules
    /// matched.
    pub fn push(&mut self, event: Record, out: &mut Vec<(RuleIndex, Record)>) -> usize {
        let matcher = &mut self.matchers[0];
        matcher.clear();
        matcher.match_event(&self.rules, self.index.as_deref(), &self.all, None, &event);
        let matched = std::mem::take(&mut matcher.matched);
        let count = matched.len();
        self.deliver(event, &matched, &mut |rule, row| out.push((rule, row)));
        self.matchers[0].matched = matched;
        count
    }

    /// How many events a batch for [`RulePack::push_batch`] on `threads` threads should
    /// hold: enough that each thread's share is worth starting it for, few enough that
    /// the batch's events stay in the processor's cache from matching to delivery (on the
    /// benchmark pack, one thread takes 13–17% less time with batches of 128 events than
    /// of 1,024).
    pub fn batch_len(threads: std::num::NonZeroUsize) -> usize {
        128 * threads.get()
    }

    /// Run a batch of events through the pack: which rules each event matches is worked
    /// out on `threads` threads at once (each takes a contiguous share of the batch; the
    /// rules' searches are read-only), then the matching events go through the rules'
    /// pipelines one after the other, in the batch's order. `out` receives each row with
    /// the position in the batch of the event it came from and the index of the rule that
    /// gave it: the same rows, in the same order, as [`RulePack::push`] on each event in
    /// turn. `events` is left empty (its room kept for the next batch).
    pub fn push_batch(
        &mut self,
        events: &mut Vec<Record>,
        threads: std::num::NonZeroUsize,
        out: &mut dyn FnMut(usize, RuleIndex, Record),
    ) {
        self.run_batch(events, None, threads, out);
    }

    /// [`RulePack::push_batch`] with the candidates of the events worked out already
    /// (on another thread, usually the one that read them): only the rules' exact
    /// searches and pipelines run here. Candidates that are not those of this pack's
    /// index (another index, or another number of events than `events`) are not used:
    /// the candidates are worked out again, and the rows are the same.
    pub fn push_batch_with(
        &mut self,
        events: &mut Vec<Record>,
        candidates: &Candidates,
        threads: std::num::NonZeroUsize,
        out: &mut dyn FnMut(usize, RuleIndex, Record),
    ) {
        let usable = candidates.len() == events.len()
            && self
                .index
                .as_ref()
                .is_some_and(|index| candidates.from == index.id);
        self.run_batch(events, usable.then_some(candidates), threads, out);
    }

    fn run_batch(
        &mut self,
        events: &mut Vec<Record>,
        ahead: Option<&Candidates>,
        threads: std::num::NonZeroUsize,
        out: &mut dyn FnMut(usize, RuleIndex, Record),
    ) {
        let threads = threads.get().min(events.len().max(1));
        if self.matchers.len() < threads {
            self.matchers.resize_with(threads, Matcher::default);
        }
        let share = events.len().div_ceil(threads).max(1);
        let (rules, index, all) = (&self.rules, self.index.as_deref(), &self.all);
        let work = |(matcher, (k, part)): (&mut Matcher, (usize, &[Record]))| {
            matcher.clear();
            for (i, event) in part.iter().enumerate() {
                let ahead = ahead.map(|c| c.of(k * share + i));
                matcher.match_event(rules, index, all, ahead, event);
            }
        };
        let parts = self
            .matchers
            .iter_mut()
            .zip(events.chunks(share).enumerate());
        if threads == 1 {
            parts.for_each(work);
        } else {
            std::thread::scope(|scope| {
                let mut parts = parts;
                let first = parts.next();
                for part in parts {
                    scope.spawn(move || work(part));
                }
                // This thread takes the first share.
                if let Some(part) = first {
                    work(part);
                }
            });
        }
        let mut matchers = std::mem::take(&mut self.matchers);
        let mut events = events.drain(..).enumerate();
        for matcher in &matchers[..threads] {
            let mut start = 0;
            for (&end, (position, event)) in matcher.ends.iter().zip(events.by_ref()) {
                let matched = &matcher.matched[start..end];
                start = end;
                self.deliver(event, matched, &mut |rule, row| out(position, rule, row));
            }
        }
        matchers.iter_mut().for_each(Matcher::clear);
        self.matchers = matchers;
    }

    /// Give `event` to the pipelines of the rules it matched, in pack order; the last
    /// takes the event itself, the others a copy (which shares its fields until changed).
    fn deliver(
        &mut self,
        event: Record,
        matched: &[RuleIndex],
        out: &mut dyn FnMut(RuleIndex, Record),
    ) {
        let Some((&last, others)) = matched.split_last() else {
            return;
        };
        for &r in others {
            self.rules[r as usize].process(event.clone(), &mut self.buffer);
            self.buffer.drain(..).for_each(|row| out(r, row));
        }
        self.rules[last as usize].process(event, &mut self.buffer);
        self.buffer.drain(..).for_each(|row| out(last, row));
    }

    /// The end of the input: every rule's held rows (`stats` groups and the like), in pack
    /// order, each handed to `out` as it comes. Returns the rules that stopped, each with
    /// the error of the command that could not give its rows ([`Rule::finish`]); their
    /// results are incomplete, the other rules' are not.
    pub fn finish(
        &mut self,
        out: &mut dyn FnMut(RuleIndex, Record),
    ) -> Vec<(RuleIndex, StepError)> {
        let mut stopped = Vec::new();
        for (i, rule) in self.rules.iter_mut().enumerate() {
            let i = RuleIndex::try_from(i).unwrap_or(RuleIndex::MAX);
            if let Err(e) = rule.finish(&mut |row| out(i, row)) {
                stopped.push((i, e));
            }
        }
        stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need_eq(field: &str, value: &str) -> Need {
        Need::Equals {
            field: field.into(),
            value: value.into(),
        }
    }

    fn witness(needs: Vec<Need>) -> Option<Witness> {
        Some(Witness::new(needs))
    }

    fn event(raw: &str, fields: &[(&str, &str)]) -> Record {
        let mut r = Record::new();
        r.set_raw(raw);
        for (k, v) in fields {
            r.push_named(k, *v);
        }
        r
    }

    #[test]
    fn candidates_follow_each_kind_of_need() {
        let index = Index::new(&[
            witness(vec![Need::Raw("install".into())]),
            witness(vec![
                need_eq("pack_EventID", "4688"),
                need_eq("pack_EventID", "1"),
            ]),
            witness(vec![Need::Contains {
                field: "pack_Image".into(),
                text: "\\cmd.exe".into(),
            }]),
            witness(vec![Need::Present("pack_User".into())]),
            None,
        ]);
        assert_eq!(index.unindexed(), 1);
        let mut marks = Marks::default();
        let mut cands = |e: &Record| index.candidates(e, &mut marks).to_vec();
        assert_eq!(cands(&event("nothing", &[])), [4]);
        assert_eq!(cands(&event("pip INSTALL x", &[])), [0, 4]);
        assert_eq!(cands(&event("x", &[("pack_EventID", "1")])), [1, 4]);
        assert_eq!(
            cands(&event("x", &[("pack_EventID", "10")])),
            [4],
            "whole values only"
        );
        assert_eq!(
            cands(&event("x", &[("pack_Image", "C:\\Windows\\CMD.EXE")])),
            [2, 4],
            "texts ignore case"
        );
        assert_eq!(
            cands(&event(
                "x",
                &[("pack_EventID", "7"), ("pack_EventID", "4688")]
            )),
            [1, 4],
            "any value of a multivalue"
        );
        assert_eq!(
            cands(&event(
                "install",
                &[("pack_User", ""), ("pack_EventID", "1")]
            )),
            [0, 1, 3, 4]
        );
    }

    #[test]
    fn a_rule_with_several_clauses_is_a_candidate_when_each_is_met() {
        let contains = |text: &str| Need::Contains {
            field: "pack_Image".into(),
            text: text.into(),
        };
        let index = Index::new(&[
            Some(Witness {
                needs: vec![contains("\\csi.exe"), contains("\\rcsi.exe")],
                also: vec![
                    vec![need_eq("pack_Company", "microsoft corporation")],
                    vec![Need::Raw("csi".into())],
                ],
            }),
            // The same need in two clauses, and an empty clause (never met: left out).
            Some(Witness {
                needs: vec![need_eq("pack_EventID", "1")],
                also: vec![vec![need_eq("pack_EventID", "1")], vec![]],
            }),
        ]);
        let mut marks = Marks::default();
        let mut cands = |e: &Record| index.candidates(e, &mut marks).to_vec();
        let csi = "C:\\x\\csi.exe";
        let ms = "Microsoft Corporation";
        assert_eq!(cands(&event(csi, &[("pack_Image", csi)])), [] as [u32; 0]);
        assert_eq!(cands(&event(ms, &[("pack_Company", ms)])), [] as [u32; 0]);
        assert_eq!(
            cands(&event(csi, &[("pack_Image", csi), ("pack_Company", ms)])),
            [0]
        );
        assert_eq!(
            cands(&event("x", &[("pack_Image", csi), ("pack_Company", ms)])),
            [] as [u32; 0],
            "every clause, _raw's too"
        );
        assert_eq!(cands(&event("x", &[("pack_EventID", "1")])), [1]);
        // Marks start again with each event.
        assert_eq!(cands(&event(csi, &[("pack_Image", csi)])), [] as [u32; 0]);
    }

    #[test]
    fn numbers_are_matched_as_their_text() {
        let index = Index::new(&[witness(vec![need_eq("pack_Code", "4688")])]);
        let mut marks = Marks::default();
        let mut r = event("x", &[]);
        r.set(FieldId::intern("pack_Code"), Value::Num(4688.0));
        assert_eq!(index.candidates(&r, &mut marks), [0]);
        r.set(FieldId::intern("pack_Code"), Value::Num(4688.5));
        assert!(index.candidates(&r, &mut marks).is_empty());
    }

    /// A rule with state: numbers the events it matched, and counts them at the end.
    struct Counting {
        term: &'static str,
        seen: usize,
    }

    impl Rule for Counting {
        fn info(&self) -> crate::rule::RuleInfo {
            crate::rule::RuleInfo::new("t", "t", "t", &[], "")
        }
        fn matches(&self, event: &dyn Event) -> bool {
            event.raw().contains(self.term)
        }
        fn process(&mut self, mut row: Record, out: &mut Vec<Record>) {
            self.seen += 1;
            row.set_named("n", self.seen.to_string());
            out.push(row);
        }
        fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
            out(event(&format!("{} events", self.seen), &[]));
            Ok(())
        }
        fn is_transforming(&self) -> bool {
            false
        }
        fn witness(&self) -> Option<Witness> {
            witness(vec![Need::Raw(self.term.into())])
        }
    }

    fn counting_pack() -> RulePack {
        RulePack::new(vec![
            Box::new(Counting { term: "a", seen: 0 }),
            Box::new(Counting { term: "b", seen: 0 }),
            Box::new(Counting {
                term: "ab",
                seen: 0,
            }),
        ])
    }

    /// Fifty events whose `_raw` holds `a`, `b`, both or neither, in a cycle of nine.
    fn fifty_events() -> Vec<Record> {
        let raws = ["a", "b", "ab", "c", "ba", "abab", "", "b", "a"];
        (0..50)
            .map(|i| event(raws[i % raws.len()], &[("i", &i.to_string())]))
            .collect()
    }

    #[test]
    fn batches_on_several_threads_give_the_rows_of_one_event_at_a_time() {
        let events = fifty_events();
        let mut one_at_a_time = counting_pack();
        let mut expected = Vec::new();
        for (position, e) in events.iter().enumerate() {
            let mut rows = Vec::new();
            one_at_a_time.push(e.clone(), &mut rows);
            expected.extend(rows.into_iter().map(|(rule, row)| (position, rule, row)));
        }
        assert!(expected.len() > 50, "most events match a rule or more");
        for threads in [1, 2, 3, 64] {
            for batch in [1, 7, 50] {
                let mut pack = counting_pack();
                let mut got = Vec::new();
                for (n, chunk) in events.chunks(batch).enumerate() {
                    let mut events = chunk.to_vec();
                    pack.push_batch(
                        &mut events,
                        std::num::NonZeroUsize::new(threads).expect("threads"),
                        &mut |position, rule, row| got.push((n * batch + position, rule, row)),
                    );
                    assert!(events.is_empty());
                }
                assert_eq!(got, expected, "{threads} threads, batches of {batch}");
                let mut totals = Vec::new();
                pack.finish(&mut |rule, row| totals.push((rule, row.raw().to_owned())));
                // Every 9 events: 5 have an `a`, 5 a `b`, 2 an `ab`; 50 events are 5 times
                // those and `a`, `b`, `ab`, `c`, `ba`.
                assert_eq!(
                    totals,
                    [
                        (0, "28 events".to_owned()),
                        (1, "28 events".to_owned()),
                        (2, "11 events".to_owned())
                    ]
                );
            }
        }
    }

    #[test]
    fn candidates_worked_out_ahead_give_the_same_rows() {
        let events = fifty_events();
        let rows = |pack: &mut RulePack, ahead: &dyn Fn(&[Record]) -> Candidates| {
            let mut got = Vec::new();
            for (n, chunk) in events.chunks(7).enumerate() {
                let candidates = ahead(chunk);
                let mut events = chunk.to_vec();
                pack.push_batch_with(
                    &mut events,
                    &candidates,
                    std::num::NonZeroUsize::new(2).expect("threads"),
                    &mut |position, rule, row| got.push((n * 7 + position, rule, row)),
                );
            }
            got
        };
        let mut reference = counting_pack();
        let expected = rows(&mut reference, &|_| Candidates::default());
        assert!(expected.len() > 50, "most events match a rule or more");

        /// The candidates of each event of `chunk` in `index`, the last left out when
        /// `drop_last`.
        fn ahead(index: &Index, chunk: &[Record], drop_last: bool) -> Candidates {
            let mut c = Candidates::default();
            let mut marks = Marks::default();
            let n = chunk.len() - usize::from(drop_last && chunk.len() > 1);
            chunk[..n].iter().for_each(|e| c.push(index, e, &mut marks));
            c
        }

        // From the pack's own index: used.
        let mut pack = counting_pack();
        let index = pack.shared_index().expect("an index");
        assert_eq!(
            rows(&mut pack, &|chunk| ahead(&index, chunk, false)),
            expected
        );
        // Some left out: not used, the rows are the same.
        let mut pack = counting_pack();
        let index = pack.shared_index().expect("an index");
        assert_eq!(
            rows(&mut pack, &|chunk| ahead(&index, chunk, true)),
            expected
        );

        // From another pack's index (where no event has a candidate): not used, the rows
        // are the same.
        let other = RulePack::new(vec![Box::new(Counting {
            term: "zzz",
            seen: 0,
        })]);
        let other = other.shared_index().expect("an index");
        let foreign = |chunk: &[Record]| {
            let c = ahead(&other, chunk, false);
            assert!((0..c.len()).all(|i| c.of(i).is_empty()));
            c
        };
        assert_eq!(rows(&mut counting_pack(), &foreign), expected);
    }
}
