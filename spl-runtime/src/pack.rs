//! A pack of rules over one stream of events, with a pack-wide index so that each event
//! goes only to the rules it can match.
//!
//! Each rule says what an event must have for it to match at all (its
//! [`Witness`](crate::ir::Witness): `_raw` containing a text, a field equal to or containing
//! a text, a field being present). [`Index`] gathers the witnesses of the whole pack into a
//! few structures built once: one case-insensitive multi-pattern automaton over `_raw`, and
//! per field a hash of folded values, an automaton of texts and a list of rules that only
//! need the field. For each event one pass over its fields and its `_raw` gives the
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
//! #     fn witness(&self) -> Option<Witness> { Some(Witness { needs: vec![Need::Raw(self.0.into())] }) }
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

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{Need, Witness};
use crate::pipeline::StepError;
use crate::rule::Rule;
use crate::value::{format_number, Value};

/// The index of a rule in its pack.
pub type RuleIndex = u32;

/// The candidate rules of each event, from the witnesses of a pack.
#[derive(Debug)]
pub struct Index {
    rules: usize,
    /// Rules with no witness: candidates for every event.
    always: Vec<RuleIndex>,
    /// Texts `_raw` may contain, and the rules each one is a need of.
    raw: Option<Patterns>,
    /// Per field (by id), what its values may be.
    fields: Vec<Option<FieldNeeds>>,
}

/// A set of texts searched for together, ignoring ASCII case.
#[derive(Debug)]
struct Patterns {
    automaton: AhoCorasick,
    /// Per pattern, the rules it is a need of.
    rules: Vec<Vec<RuleIndex>>,
}

impl Patterns {
    fn new(texts: Vec<(String, Vec<RuleIndex>)>) -> Option<Patterns> {
        if texts.is_empty() {
            return None;
        }
        let (patterns, rules): (Vec<String>, Vec<Vec<RuleIndex>>) = texts.into_iter().unzip();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok()?;
        Some(Patterns { automaton, rules })
    }

    /// Mark the rules of every pattern that occurs in `hay`.
    fn mark(&self, hay: &[u8], marks: &mut Marks) {
        for m in self.automaton.find_overlapping_iter(hay) {
            marks.mark_all(&self.rules[m.pattern().as_usize()]);
        }
    }
}

/// What the values of one field may be, for the rules whose witness is about it.
#[derive(Debug, Default)]
struct FieldNeeds {
    present: Vec<RuleIndex>,
    /// Folded (ASCII lowercase) whole values.
    equals: HashMap<Box<[u8]>, Vec<RuleIndex>>,
    contains: Option<Patterns>,
}

impl Index {
    /// The index of a pack whose rules have these witnesses (`None`: the rule must see
    /// every event).
    pub fn new(witnesses: &[Option<Witness>]) -> Index {
        let mut always = Vec::new();
        let mut raw: HashMap<String, Vec<RuleIndex>> = HashMap::new();
        let mut present: HashMap<&str, Vec<RuleIndex>> = HashMap::new();
        let mut equals: HashMap<&str, HashMap<Box<[u8]>, Vec<RuleIndex>>> = HashMap::new();
        let mut contains: HashMap<&str, HashMap<String, Vec<RuleIndex>>> = HashMap::new();
        for (i, witness) in witnesses.iter().enumerate() {
            let rule = RuleIndex::try_from(i).unwrap_or(RuleIndex::MAX);
            let Some(witness) = witness.as_ref().filter(|w| !w.needs.is_empty()) else {
                always.push(rule);
                continue;
            };
            for need in &witness.needs {
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
                if list.last() != Some(&rule) {
                    list.push(rule);
                }
            }
        }
        let mut by_field: HashMap<&str, FieldNeeds> = HashMap::new();
        for (field, rules) in present {
            by_field.entry(field).or_default().present = rules;
        }
        for (field, values) in equals {
            by_field.entry(field).or_default().equals = values;
        }
        for (field, texts) in contains {
            let mut texts: Vec<(String, Vec<RuleIndex>)> = texts.into_iter().collect();
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
        let mut raw: Vec<(String, Vec<RuleIndex>)> = raw.into_iter().collect();
        raw.sort();
        Index {
            rules: witnesses.len(),
            always,
            raw: Patterns::new(raw),
            fields,
        }
    }

    /// How many rules are candidates for every event (they have no witness).
    pub fn unindexed(&self) -> usize {
        self.always.len()
    }

    /// The candidate rules for `event`, in pack order, into `marks`.
    pub fn candidates<'m>(&self, event: &Record, marks: &'m mut Marks) -> &'m [RuleIndex] {
        marks.start(self.rules);
        marks.mark_all(&self.always);
        if let Some(raw) = &self.raw {
            raw.mark(event.raw().as_bytes(), marks);
        }
        for (field, value) in event.iter() {
            let Some(Some(needs)) = self.fields.get(field.index() as usize) else {
                continue;
            };
            marks.mark_all(&needs.present);
            let mut each = |text: &str| {
                if !needs.equals.is_empty() {
                    marks.fold(text);
                    if let Some(rules) = needs.equals.get(marks.folded.as_slice()) {
                        marks.mark_all(rules);
                    }
                }
                if let Some(contains) = &needs.contains {
                    contains.mark(text.as_bytes(), marks);
                }
            };
            match value {
                Value::Str(s) => each(s),
                Value::Multi(values) => values.iter().for_each(|s| each(s)),
                Value::Num(n) => each(&format_number(*n)),
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
    epoch: u32,
    list: Vec<RuleIndex>,
    folded: Vec<u8>,
}

impl Marks {
    fn start(&mut self, rules: usize) {
        if self.seen.len() != rules {
            self.seen = vec![0; rules];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.seen.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        self.list.clear();
    }

    fn mark_all(&mut self, rules: &[RuleIndex]) {
        for &r in rules {
            let slot = &mut self.seen[r as usize];
            if *slot != self.epoch {
                *slot = self.epoch;
                self.list.push(r);
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

/// Rules run together over one stream of events: each event goes to the rules it can
/// match (see the [module documentation](self)), and the rows each gives are tagged with
/// the rule's index.
pub struct RulePack {
    rules: Vec<Box<dyn Rule>>,
    index: Option<Index>,
    marks: Marks,
    all: Vec<RuleIndex>,
    buffer: Vec<Record>,
}

impl RulePack {
    /// A pack of `rules`, indexed by their witnesses.
    pub fn new(rules: Vec<Box<dyn Rule>>) -> RulePack {
        let witnesses: Vec<Option<Witness>> = rules.iter().map(|r| r.witness()).collect();
        let index = Index::new(&witnesses);
        RulePack::build(rules, Some(index))
    }

    /// A pack of `rules` that tries every rule on every event (the reference the index
    /// must agree with).
    pub fn without_index(rules: Vec<Box<dyn Rule>>) -> RulePack {
        RulePack::build(rules, None)
    }

    fn build(rules: Vec<Box<dyn Rule>>, index: Option<Index>) -> RulePack {
        let all = (0..rules.len())
            .map(|i| RuleIndex::try_from(i).unwrap_or(RuleIndex::MAX))
            .collect();
        RulePack {
            rules,
            index,
            marks: Marks::default(),
            all,
            buffer: Vec::new(),
        }
    }

    /// The rules, in pack order.
    pub fn rules(&self) -> &[Box<dyn Rule>] {
        &self.rules
    }

    /// The index, when the pack has one.
    pub fn index(&self) -> Option<&Index> {
        self.index.as_ref()
    }

    /// Run one event through every rule that matches it; each row goes to `out` with the
    /// index of the rule that gave it, rules in pack order. Returns how many rules
    /// matched.
    pub fn push(&mut self, event: Record, out: &mut Vec<(RuleIndex, Record)>) -> usize {
        let RulePack {
            rules,
            index,
            marks,
            all,
            buffer,
        } = self;
        let candidates: &[RuleIndex] = match index {
            Some(index) => index.candidates(&event, marks),
            None => all,
        };
        // The last matching rule takes the event itself; the others a copy.
        let mut matched: Option<RuleIndex> = None;
        let mut count = 0;
        for &r in candidates {
            if !rules[r as usize].matches(&event) {
                continue;
            }
            count += 1;
            if let Some(previous) = matched.replace(r) {
                rules[previous as usize].process(event.clone(), buffer);
                out.extend(buffer.drain(..).map(|row| (previous, row)));
            }
        }
        if let Some(last) = matched {
            rules[last as usize].process(event, buffer);
            out.extend(buffer.drain(..).map(|row| (last, row)));
        }
        count
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
        Some(Witness { needs })
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
}
