//! A search holding subsearches (`x [search y | fields f]`): the subsearches' rows, by
//! `format`'s rules, stand for a search that the rule's rows are tested against.

use super::{CondFn, Pipeline, RunOptions, Step, StepError};
use crate::compare::FieldMatcher;
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{subsearch_marker, CmpOp};
use crate::search::Term;

/// The most rows a subsearch gives to the search it stands in (Splunk's `maxout` of
/// `[subsearch]` in `limits.conf`); the rest are dropped, and [`Formatted::truncated`]
/// says how many.
pub const SUBSEARCH_MAXOUT: usize = 10_000;

/// The search that a subsearch's rows stand for, with `format`'s defaults: the rows
/// joined by `OR`, each row the `AND` of its fields, each field `field="value"` (a
/// multivalue field the `OR` of its values). Fields whose name begins with `_` are left
/// out; the values of a field named `search` or `query` are searched as they are written
/// (here: each word as a search term of `_raw`). No row stands for `NOT ()`: nothing
/// matches. A row with no field left stands for `()`: everything matches.
///
/// A value is compared as `field="value"` is in a search: ignoring case, `*` a wildcard.
pub struct Formatted {
    rows: Vec<Vec<Clause>>,
    truncated: usize,
}

/// One field of one subsearch row.
enum Clause {
    /// `field="value"` (or the `OR` of several).
    Field(FieldId, FieldMatcher),
    /// A `search`/`query` value: every term must be in `_raw`.
    Terms(Vec<Term>),
}

impl Formatted {
    /// The search that `rows` stand for (at most [`SUBSEARCH_MAXOUT`] of them).
    pub fn new(rows: &[Record]) -> Formatted {
        let truncated = rows.len().saturating_sub(SUBSEARCH_MAXOUT);
        let kept = &rows[..rows.len().min(SUBSEARCH_MAXOUT)];
        let rows = kept
            .iter()
            .map(|row| {
                row.iter()
                    .filter(|(f, _)| !f.name().starts_with('_'))
                    .map(|(f, v)| match f.name() {
                        "search" | "query" => Clause::Terms(
                            v.iter_str()
                                .flat_map(|s| {
                                    s.split_whitespace().map(Term::new).collect::<Vec<_>>()
                                })
                                .collect(),
                        ),
                        _ => {
                            let values: Vec<String> =
                                v.iter_str().map(|s| s.into_owned()).collect();
                            let matcher = match values.as_slice() {
                                [one] => FieldMatcher::new(CmpOp::Eq, one),
                                many => FieldMatcher::in_list(many.iter().map(String::as_str)),
                            };
                            Clause::Field(f, matcher)
                        }
                    })
                    .collect()
            })
            .collect();
        Formatted { rows, truncated }
    }

    /// How many rows past [`SUBSEARCH_MAXOUT`] were left out.
    pub fn truncated(&self) -> usize {
        self.truncated
    }

    /// Whether `row` matches the search.
    pub fn matches(&self, row: &Record) -> bool {
        self.rows.iter().any(|clauses| {
            clauses.iter().all(|c| match c {
                Clause::Field(f, m) => m.matches(row.get(*f)),
                Clause::Terms(terms) => {
                    let raw = row.raw();
                    terms.iter().all(|t| t.is_match(raw))
                }
            })
        })
    }
}

/// The step of [`crate::ir::SubsearchFilterStage`]: it takes the rule's events, runs each
/// through the commands before the search (the rule's own search first) and through each
/// subsearch; at the end of the events it marks each held row with the subsearches whose
/// rows match it, keeps the rows that pass the test, and passes them on without the marks.
///
/// The first side's rows are held until the end of the events.
pub struct SubsearchFilter {
    main: Pipeline,
    subs: Vec<Pipeline>,
    test: CondFn,
    rows: Vec<Record>,
    subrows: Vec<Vec<Record>>,
    markers: Vec<FieldId>,
    options: RunOptions,
}

impl SubsearchFilter {
    /// The step testing the rows of `main` with `test`, whose `i`th subsearch is `subs[i]`.
    /// A subsearch cut at [`SUBSEARCH_MAXOUT`] rows is a warning of `options.lookups`
    /// (the run's warnings about data outside the events).
    pub fn new(
        main: Pipeline,
        subs: Vec<Pipeline>,
        test: CondFn,
        options: RunOptions,
    ) -> SubsearchFilter {
        let markers = (0..subs.len())
            .map(|i| FieldId::intern(&subsearch_marker(i)))
            .collect();
        SubsearchFilter {
            subrows: subs.iter().map(|_| Vec::new()).collect(),
            main,
            subs,
            test,
            rows: Vec::new(),
            markers,
            options,
        }
    }
}

impl Step for SubsearchFilter {
    fn push(&mut self, row: Record, _: &mut Vec<Record>) {
        for (sub, out) in self.subs.iter_mut().zip(&mut self.subrows) {
            sub.push(row.clone(), out);
        }
        self.main.push(row, &mut self.rows);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let rows = &mut self.rows;
        self.main.finish(&mut |r| rows.push(r))?;
        let mut formatted = Vec::with_capacity(self.subs.len());
        for (sub, subrows) in self.subs.iter_mut().zip(&mut self.subrows) {
            sub.finish(&mut |r| subrows.push(r))?;
            let f = Formatted::new(subrows);
            if f.truncated() > 0 {
                self.options.lookups.warn(format!(
                    "a subsearch gave {} rows; the search it stands in takes the first {SUBSEARCH_MAXOUT}, as Splunk's `maxout` does",
                    subrows.len()
                ));
            }
            formatted.push(f);
            subrows.clear();
        }
        for mut row in std::mem::take(&mut self.rows) {
            for (f, &marker) in formatted.iter().zip(&self.markers) {
                if f.matches(&row) {
                    row.set(marker, "1".into());
                }
            }
            let keep = self.test.test(&row);
            for &marker in &self.markers {
                row.remove(marker);
            }
            if keep {
                out(row);
            }
        }
        Ok(())
    }
}
