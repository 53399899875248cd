//! Stages: what runs after a rule's filter, one result row at a time.
//!
//! A [`Stage`] takes rows in and pushes rows out. Streaming stages (`regex`, `rex`, `eval`,
//! `where`, `table`, `bin`, ...) answer each row at once; blocking ones (`stats`, `sort`,
//! `eventstats`) keep what they need and answer in [`Stage::finish`]. A [`Pipeline`] chains
//! stages and reuses one buffer per stage, so a row costs no allocation for the plumbing.
//!
//! Generated rule code and the in-process evaluator build the same stage types; only the
//! closures inside `eval` and `where` differ (compiled Rust vs an interpreted tree).

mod filter;
mod glob;
mod order;
mod shape;
mod stats;

pub use filter::{Eval, EvalFn, Filter, RegexFilter, Rex, SedStage};
pub use glob::FieldGlob;
pub use order::{Dedup, Head, Sort};
pub use shape::{Bin, BinWidth, Fields, Fillnull, Rename, Table};
pub use stats::{AggInput, AggSpec, Stats, StatsMode};

use crate::event::Record;
use crate::field::FieldId;

/// One command of a pipeline.
pub trait Stage: Send {
    /// Take one row; push the rows it gives (none, one, or several) to `out`.
    fn push(&mut self, row: Record, out: &mut Vec<Record>);

    /// The input has ended: push what is still held.
    fn finish(&mut self, out: &mut Vec<Record>) {
        let _ = out;
    }
}

/// Stages chained in order.
#[derive(Default)]
pub struct Pipeline {
    stages: Vec<(Box<dyn Stage>, Vec<Record>)>,
}

impl Pipeline {
    /// An empty pipeline (rows pass unchanged).
    pub fn new() -> Self {
        Pipeline::default()
    }

    /// Append a stage.
    pub fn push_stage(&mut self, stage: Box<dyn Stage>) {
        self.stages.push((stage, Vec::new()));
    }

    /// Append a stage (builder style).
    #[must_use]
    pub fn with(mut self, stage: impl Stage + 'static) -> Self {
        self.push_stage(Box::new(stage));
        self
    }

    /// The number of stages.
    pub fn len(&self) -> usize {
        self.stages.len()
    }

    /// True when there is no stage.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Run one row through every stage; finished rows go to `out`.
    pub fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        feed(&mut self.stages, row, out);
    }

    /// End of input: flush every stage in order, feeding what each releases to the next.
    pub fn finish(&mut self, out: &mut Vec<Record>) {
        for i in 0..self.stages.len() {
            let (head, tail) = self.stages.split_at_mut(i + 1);
            let (stage, buf) = &mut head[i];
            stage.finish(buf);
            let mut released = std::mem::take(buf);
            for row in released.drain(..) {
                feed(tail, row, out);
            }
            *buf = released;
        }
    }
}

fn feed(stages: &mut [(Box<dyn Stage>, Vec<Record>)], row: Record, out: &mut Vec<Record>) {
    let Some(((stage, buf), rest)) = stages.split_first_mut() else {
        out.push(row);
        return;
    };
    stage.push(row, buf);
    if rest.is_empty() {
        out.append(buf);
        return;
    }
    let mut taken = std::mem::take(buf);
    for r in taken.drain(..) {
        feed(rest, r, out);
    }
    *buf = taken;
}

/// What a stage decided about each field id, decided once per id.
///
/// Stages that pick fields by name (`table` with wildcards, `values(*)`, `rename`) would
/// otherwise look up every field's name (a lock) and match it, row after row. Field ids
/// are small integers handed out in order, so a vector indexed by id holds the decisions
/// and grows to the largest id the stage has met.
pub(crate) struct PerField<T> {
    slots: Vec<Option<T>>,
}

impl<T> Default for PerField<T> {
    fn default() -> Self {
        PerField { slots: Vec::new() }
    }
}

impl<T: Copy> PerField<T> {
    /// The decision for `field`, made by `decide` the first time the field is met.
    #[inline]
    pub(crate) fn get_or(&mut self, field: FieldId, decide: impl FnOnce(FieldId) -> T) -> T {
        let i = field.index() as usize;
        if let Some(Some(known)) = self.slots.get(i) {
            return *known;
        }
        let value = decide(field);
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        self.slots[i] = Some(value);
        value
    }

    /// The decision for `field`, if one was made.
    #[inline]
    pub(crate) fn get(&self, field: FieldId) -> Option<T> {
        self.slots.get(field.index() as usize).copied().flatten()
    }

    /// Every decision made so far.
    pub(crate) fn values(&self) -> impl Iterator<Item = T> + '_ {
        self.slots.iter().filter_map(|v| *v)
    }
}

/// A stage from a closure over one row: return `Some(row)` to pass it on, `None` to drop it.
pub struct MapStage<F>(pub F);

impl<F> Stage for MapStage<F>
where
    F: FnMut(Record) -> Option<Record> + Send,
{
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        if let Some(r) = (self.0)(row) {
            out.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn row(n: &str) -> Record {
        let mut r = Record::new();
        r.set_named("n", n);
        r
    }

    #[test]
    fn stages_chain_in_order_and_flush_through() {
        let mut p = Pipeline::new()
            .with(MapStage(|r: Record| {
                (r.get_named("n") != Some(&Value::from("b"))).then_some(r)
            }))
            .with(Head::new(2));
        let mut out = Vec::new();
        for n in ["a", "b", "c", "d"] {
            p.push(row(n), &mut out);
        }
        p.finish(&mut out);
        let names: Vec<_> = out.iter().map(|r| r.get_named("n").cloned()).collect();
        assert_eq!(names, vec![Some(Value::from("a")), Some(Value::from("c"))]);
    }

    #[test]
    fn blocking_stage_output_feeds_later_stages() {
        let mut p = Pipeline::new()
            .with(Sort::new(vec![("n".into(), true)], None))
            .with(Head::new(1));
        let mut out = Vec::new();
        for n in ["a", "c", "b"] {
            p.push(row(n), &mut out);
        }
        assert!(out.is_empty());
        p.finish(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].get_named("n"), Some(&Value::from("c")));
    }
}
