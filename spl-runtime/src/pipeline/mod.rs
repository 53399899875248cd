//! The commands after a rule's filter, as a chain of steps over result rows.
//!
//! A [`Step`] takes rows in and pushes rows out. Streaming steps (`regex`, `rex`, `eval`,
//! `where`, `table`, `bin`, ...) answer each row at once; blocking ones (`stats`, `sort`,
//! `eventstats`) keep what they need and answer in [`Step::finish`]. A [`Pipeline`] chains
//! steps and reuses one buffer per step, so a row costs no allocation for the plumbing.
//!
//! # Memory
//!
//! `sort N` holds at most N rows. `sort` without a count (`sort 0`) and `eventstats` hold
//! every row; each holds at most [`RunOptions::memory_budget`] bytes of them in memory
//! and spills the rest to temporary files (the `spill` module). A step that cannot spill
//! fails with a [`StepError`], which [`Pipeline::finish`] returns. At the end, a blocking
//! step hands its rows on one at a time, so that the steps after it (`head`, `stats`, ...)
//! see them without all of them being held at once.
//!
//! # One table from stages to steps
//!
//! The IR's [`Stage`]s say what each command means; [`step`] is the one place that says
//! which step runs each of them. It takes a stage over any [`Code`] and a [`Compile`] that
//! turns the stage's code into closures over a row: generated code hands it stages whose
//! code is already compiled Rust ([`Compiled`], through [`Pipeline::with`]); the in-process
//! evaluator hands it the compiler's stages and an interpreter. Both back ends therefore
//! build the very same steps.
//!
//! ```
//! use spl_runtime::ir::{FieldPattern, Stage};
//! use spl_runtime::pipeline::{CondFn, Pipeline};
//! use spl_runtime::{Event, Record};
//!
//! let mut pipeline = Pipeline::new()
//!     .with(Stage::Where(CondFn::new(|row: &Record| row.get_named("user").is_some())))
//!     .with(Stage::Table(vec![FieldPattern::new("user")]));
//! let mut row = Record::new();
//! row.set_named("user", "alice");
//! row.set_named("host", "h1");
//! let mut out = Vec::new();
//! pipeline.push(row, &mut out);
//! pipeline.finish(&mut |row| out.push(row))?;
//! assert_eq!(out.len(), 1);
//! assert_eq!(out[0].get_named("host"), None);
//! # Ok::<(), spl_runtime::pipeline::StepError>(())
//! ```

mod datamodel;
mod eval;
mod fieldcmd;
mod filter;
mod foreach;
mod glob;
mod join;
mod lookup;
mod order;
mod rex;
mod shape;
mod sort;
mod spill;
mod stats;
mod subsearch;
mod top;
mod transaction;

use std::fmt;
use std::sync::Arc;

pub use datamodel::Datamodel;
pub use eval::{Eval, Target};
pub use fieldcmd::{
    Addtotals, Convert, Fromjson, Makemv, MakemvSplitter, Mvexpand, Replace, Spath, Xmlkv,
};
pub use filter::{Filter, RegexFilter};
pub use foreach::Foreach;
pub use glob::FieldGlob;
pub use join::{Append, Appendpipe, Join};
pub use lookup::{Inputlookup, Iplocation, Lookup};
pub use order::{compare_values, Dedup, Head};
pub use rex::{Rex, RexSed};
pub use shape::{Bin, Fields, Fillnull, Rename, Table, Timefill, TIMEFILL_LIMIT};
pub use sort::Sort;
pub use spill::{RunOptions, StepError};
pub use stats::Stats;
pub use subsearch::{Formatted, SubsearchFilter, SUBSEARCH_MAXOUT};
pub use top::Top;
pub use transaction::{Transaction, TransactionOptions};

use crate::event::Record;
use crate::field::FieldId;
use crate::ir::{Code, MakemvSplit, Stage, TxnFilter};
use crate::regex::Regex;
use crate::value::Value;

/// One command of a pipeline.
pub trait Step: Send + Sync {
    /// Take one row; push the rows it gives (none, one, or several) to `out`.
    fn push(&mut self, row: Record, out: &mut Vec<Record>);

    /// The input has ended: hand what is still held to `out`, one row at a time.
    ///
    /// An error means that the step could not give its rows (a blocking step over its
    /// memory budget that could not spill them to disk); the rows it gave before the error
    /// are all it gives.
    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let _ = out;
        Ok(())
    }
}

/// The closure inside an [`ExprFn`].
type ValueOf = dyn Fn(&Record) -> Option<Value> + Send + Sync;

/// A compiled value expression: the value it computes from a row (`None` = null).
#[derive(Clone)]
pub struct ExprFn(Arc<ValueOf>);

impl ExprFn {
    /// Wrap a closure.
    pub fn new(f: impl Fn(&Record) -> Option<Value> + Send + Sync + 'static) -> ExprFn {
        ExprFn(Arc::new(f))
    }

    /// The value for `row`.
    #[inline]
    pub fn eval(&self, row: &Record) -> Option<Value> {
        (self.0)(row)
    }
}

/// A compiled condition or search predicate: whether it holds for a row.
#[derive(Clone)]
pub struct CondFn(Arc<dyn Fn(&Record) -> bool + Send + Sync>);

impl CondFn {
    /// Wrap a closure.
    pub fn new(f: impl Fn(&Record) -> bool + Send + Sync + 'static) -> CondFn {
        CondFn(Arc::new(f))
    }

    /// Whether it holds for `row`.
    #[inline]
    pub fn test(&self, row: &Record) -> bool {
        (self.0)(row)
    }
}

macro_rules! compiled_code_traits {
    ($($ty:ident),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(..)"))
            }
        }

        /// Compiled code has no structure to compare: two are equal when they are the same.
        impl PartialEq for $ty {
            fn eq(&self, other: &$ty) -> bool {
                Arc::ptr_eq(&self.0, &other.0)
            }
        }
    )*};
}

compiled_code_traits!(ExprFn, CondFn);

/// Code compiled to Rust: closures over a row, compiled regexes. What generated code puts
/// in the stages it hands to [`Pipeline::with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compiled {}

impl Code for Compiled {
    type Expr = ExprFn;
    type Cond = CondFn;
    type Pred = CondFn;
    type Regex = Regex;
}

/// Turns the code of stages over `C` into what steps run.
pub trait Compile<C: Code> {
    /// A value expression.
    fn expr(&mut self, expr: C::Expr) -> ExprFn;
    /// A condition (`where`).
    fn cond(&mut self, cond: C::Cond) -> CondFn;
    /// A search predicate (`| search`).
    fn pred(&mut self, pred: C::Pred) -> CondFn;
    /// A regex.
    fn regex(&mut self, regex: C::Regex) -> Regex;
}

/// Compiled code needs no more compiling.
impl Compile<Compiled> for () {
    fn expr(&mut self, expr: ExprFn) -> ExprFn {
        expr
    }

    fn cond(&mut self, cond: CondFn) -> CondFn {
        cond
    }

    fn pred(&mut self, pred: CondFn) -> CondFn {
        pred
    }

    fn regex(&mut self, regex: Regex) -> Regex {
        regex
    }
}

/// The step that runs `stage`, its code compiled by `code`, its blocking steps within the
/// budget of `options`. This is the one table from the IR's commands to the runtime's
/// steps.
pub fn step<C: Code>(
    stage: Stage<C>,
    code: &mut impl Compile<C>,
    options: &RunOptions,
) -> Box<dyn Step> {
    match stage {
        Stage::Search(pred) => Box::new(Filter::new(code.pred(pred))),
        Stage::Where(cond) => Box::new(Filter::new(code.cond(cond))),
        Stage::Eval(assigns) => Box::new(Eval::with_targets(
            assigns
                .into_iter()
                .map(|a| {
                    let field = FieldId::intern(&a.field);
                    let target = if a.dynamic {
                        Target::NamedBy(field)
                    } else {
                        Target::Field(field)
                    };
                    (target, code.expr(a.value))
                })
                .collect(),
        )),
        Stage::Regex(r) => Box::new(RegexFilter::new(&r.field, code.regex(r.regex), r.negated)),
        Stage::Rex(r) => Box::new(Rex::new(&r.field, code.regex(r.regex), r.max_match)),
        Stage::Sed(s) => Box::new(RexSed::new(&s.field, s.edit, code)),
        Stage::Table(patterns) => Box::new(Table::new(&patterns)),
        Stage::Fields { remove, patterns } => Box::new(Fields::new(remove, &patterns)),
        Stage::Rename(pairs) => Box::new(Rename::new(&pairs)),
        Stage::Fillnull { value, fields } => Box::new(Fillnull::new(&value, &fields)),
        Stage::Bin(b) => Box::new(Bin::new(&b.field, &b.output, b.span)),
        Stage::Timefill { span, zero } => Box::new(Timefill::new(span, &zero, options.clone())),
        Stage::Stats(s) => Box::new(Stats::with_options(s, code, options.clone())),
        Stage::Sort { limit, keys } => Box::new(Sort::with_options(&keys, limit, options.clone())),
        Stage::Dedup { count, fields } => Box::new(Dedup::new(&fields, count)),
        Stage::Head(n) => Box::new(Head::new(n)),
        Stage::Append(a) => {
            let a = *a;
            let main = Pipeline::of(a.main, code, options.clone());
            let sub = subsearch(a.filter, a.stages, code, options);
            Box::new(Append::new(main, sub))
        }
        Stage::Appendpipe(stages) => {
            Box::new(Appendpipe::new(Pipeline::of(stages, code, options.clone())))
        }
        Stage::SubsearchFilter(s) => {
            let s = *s;
            let main = Pipeline::of(s.main, code, options.clone());
            let subs = s
                .subsearches
                .into_iter()
                .map(|sub| subsearch(sub.filter, sub.stages, code, options))
                .collect();
            Box::new(SubsearchFilter::new(
                main,
                subs,
                code.pred(s.test),
                options.clone(),
            ))
        }
        Stage::Join(j) => {
            let j = *j;
            let main = Pipeline::of(j.main, code, options.clone());
            let sub = subsearch(j.filter, j.stages, code, options);
            Box::new(Join::new(main, sub, &j.fields, j.left, j.max, j.overwrite))
        }
        Stage::Lookup(l) => Box::new(Lookup::new(&l, &options.lookups)),
        Stage::Iplocation(i) => Box::new(Iplocation::new(&i, &options.lookups)),
        Stage::Transaction(t) => {
            let mut filter = |f: Option<TxnFilter<C>>| match f? {
                TxnFilter::Search(p) => Some(code.pred(p)),
                TxnFilter::Eval(c) => Some(code.cond(c)),
            };
            let txn = TransactionOptions {
                starts_with: filter(t.starts_with),
                ends_with: filter(t.ends_with),
                fields: t.fields,
                max_span: t.max_span,
                max_pause: t.max_pause,
                max_events: t.max_events,
                keep_evicted: t.keep_evicted,
                connected: t.connected,
                closes: t.closes,
            };
            Box::new(Transaction::new(txn, options.clone()))
        }
        Stage::Foreach(f) => Box::new(Foreach::new(f, code, options)),
        Stage::Convert(c) => Box::new(Convert::new(&c)),
        Stage::Spath(s) => Box::new(Spath::new(&s)),
        Stage::Mvexpand { field, limit } => Box::new(Mvexpand::new(&field, limit)),
        Stage::Makemv(m) => {
            let split = match m.split {
                MakemvSplit::Delim(d) => MakemvSplitter::Delim(d),
                MakemvSplit::Tokenizer(r) => MakemvSplitter::Tokenizer(code.regex(r)),
            };
            Box::new(Makemv::new(&m.field, split, m.allowempty))
        }
        Stage::Replace(r) => Box::new(Replace::new(&r)),
        Stage::Addtotals(a) => Box::new(Addtotals::new(&a)),
        Stage::Top(t) => Box::new(Top::new(t)),
        Stage::Inputlookup(i) => Box::new(Inputlookup::new(i, &options.lookups)),
        Stage::Xmlkv(field) => Box::new(Xmlkv::new(&field)),
        Stage::Fromjson { field, prefix } => Box::new(Fromjson::new(&field, &prefix)),
        Stage::Datamodel(d) => Box::new(Datamodel::new(&d, &options.datamodels)),
    }
}

/// The pipeline of a subsearch over the rule's events: its search, then its commands.
fn subsearch<C: Code>(
    filter: C::Pred,
    stages: Vec<Stage<C>>,
    code: &mut impl Compile<C>,
    options: &RunOptions,
) -> Pipeline {
    let search: Box<dyn Step> = Box::new(Filter::new(code.pred(filter)));
    stages.into_iter().fold(
        Pipeline::with_options(options.clone()).with_step(search),
        |p, s| {
            let step = step(s, code, options);
            p.with_step(step)
        },
    )
}

/// Steps chained in order.
#[derive(Default)]
pub struct Pipeline {
    steps: Vec<(Box<dyn Step>, Vec<Record>)>,
    /// What the blocking steps of stages added by [`Pipeline::with`] and
    /// [`Pipeline::of`] get.
    options: RunOptions,
}

impl Pipeline {
    /// An empty pipeline (rows pass unchanged), with the default [`RunOptions`].
    pub fn new() -> Self {
        Pipeline::default()
    }

    /// An empty pipeline whose blocking steps will run with `options`.
    pub fn with_options(options: RunOptions) -> Self {
        Pipeline {
            steps: Vec::new(),
            options,
        }
    }

    /// The pipeline of `stages`, their code compiled by `code`, with `options`.
    pub fn of<C: Code>(
        stages: impl IntoIterator<Item = Stage<C>>,
        code: &mut impl Compile<C>,
        options: RunOptions,
    ) -> Self {
        stages
            .into_iter()
            .fold(Pipeline::with_options(options), |p, s| {
                let step = step(s, code, &p.options);
                p.with_step(step)
            })
    }

    /// Append the step of a stage whose code is compiled (builder style).
    #[must_use]
    pub fn with(self, stage: Stage<Compiled>) -> Self {
        let step = step(stage, &mut (), &self.options);
        self.with_step(step)
    }

    /// Append a step (builder style).
    #[must_use]
    pub fn with_step(mut self, step: Box<dyn Step>) -> Self {
        self.steps.push((step, Vec::new()));
        self
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when there is no step.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Run one row through every step; finished rows go to `out`.
    pub fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        feed(&mut self.steps, row, out);
    }

    /// End of input: flush every step in order, feeding each row it releases through the
    /// steps after it; finished rows go to `out`, one at a time.
    ///
    /// A step that fails ([`Step::finish`]) ends the flush: its error is returned, and
    /// the rows given to `out` before it are all the pipeline gives.
    pub fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let mut rows = Vec::new();
        for i in 0..self.steps.len() {
            let (head, tail) = self.steps.split_at_mut(i + 1);
            head[i].0.finish(&mut |row| {
                feed(tail, row, &mut rows);
                rows.drain(..).for_each(&mut *out);
            })?;
        }
        Ok(())
    }
}

fn feed(steps: &mut [(Box<dyn Step>, Vec<Record>)], row: Record, out: &mut Vec<Record>) {
    let Some(((step, buf), rest)) = steps.split_first_mut() else {
        out.push(row);
        return;
    };
    step.push(row, buf);
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

/// What a step decided about each field id, decided once per id.
///
/// Steps that pick fields by name (`table` with wildcards, `values(*)`, `rename`) would
/// otherwise look up every field's name (a lock) and match it, row after row. Field ids
/// are small integers handed out in order, so a vector indexed by id holds the decisions
/// and grows to the largest id the step has met.
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

/// What the steps' unit tests share.
#[cfg(test)]
pub(crate) mod testing {
    use super::Step;
    use crate::event::Record;

    /// A row of these fields (a name given twice makes a multivalue).
    pub(crate) fn rec(pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::new();
        for (k, v) in pairs {
            r.push_named(k, *v);
        }
        r
    }

    /// Every row through `step`, then the end of input.
    pub(crate) fn run(step: &mut dyn Step, rows: Vec<Record>) -> Vec<Record> {
        let mut out = Vec::new();
        for r in rows {
            step.push(r, &mut out);
        }
        step.finish(&mut |r| out.push(r))
            .expect("the step gives its rows");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::ir::SortKey;

    fn row(n: &str) -> Record {
        let mut r = Record::new();
        r.set_named("n", n);
        r
    }

    #[test]
    fn steps_chain_in_order_and_flush_through() {
        let mut p = Pipeline::new()
            .with(Stage::Where(CondFn::new(|r: &Record| {
                r.get_named("n") != Some(&Value::from("b"))
            })))
            .with(Stage::Head(2));
        let mut out = Vec::new();
        for n in ["a", "b", "c", "d"] {
            p.push(row(n), &mut out);
        }
        p.finish(&mut |r| out.push(r)).expect("nothing to spill");
        let names: Vec<_> = out.iter().map(|r| r.get_named("n").cloned()).collect();
        assert_eq!(names, vec![Some(Value::from("a")), Some(Value::from("c"))]);
    }

    #[test]
    fn blocking_step_output_feeds_later_steps() {
        let keys = vec![SortKey {
            field: "n".into(),
            descending: true,
        }];
        let mut p = Pipeline::new()
            .with(Stage::Sort { limit: None, keys })
            .with(Stage::Head(1));
        let mut out = Vec::new();
        for n in ["a", "c", "b"] {
            p.push(row(n), &mut out);
        }
        assert!(out.is_empty());
        p.finish(&mut |r| out.push(r)).expect("nothing to spill");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].get(FieldId::intern("n")), Some(&Value::from("c")));
    }

    /// Passes rows on, counting them.
    struct Probe(Arc<std::sync::atomic::AtomicUsize>);

    impl Step for Probe {
        fn push(&mut self, row: Record, out: &mut Vec<Record>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            out.push(row);
        }
    }

    fn sort_by_n(limit: Option<u64>) -> Stage<Compiled> {
        Stage::Sort {
            limit,
            keys: vec![SortKey {
                field: "n".into(),
                descending: false,
            }],
        }
    }

    fn numbered(n: usize) -> Vec<Record> {
        (0..n).map(|i| row(&((i * 7) % n).to_string())).collect()
    }

    #[test]
    fn a_blocking_step_releases_its_rows_one_at_a_time() {
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let options = RunOptions {
            memory_budget: 2048,
            temp_dir: None,
            ..RunOptions::default()
        };
        let mut p = Pipeline::with_options(options)
            .with(sort_by_n(None))
            .with_step(Box::new(Probe(Arc::clone(&seen))))
            .with(Stage::Head(3));
        let mut out = Vec::new();
        for r in numbered(1000) {
            p.push(r, &mut out);
        }
        let mut given = 0;
        p.finish(&mut |r| {
            given += 1;
            // Each row has gone through the steps after `sort` before the next comes.
            assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), given);
            out.push(r);
        })
        .expect("spills to the temporary directory");
        let n: Vec<_> = out.iter().map(|r| r.get_named("n").cloned()).collect();
        assert_eq!(n, ["0", "1", "2"].map(|n| Some(Value::from(n))));
    }

    #[test]
    fn a_step_that_fails_ends_the_flush_with_its_error() {
        let options = RunOptions {
            memory_budget: 1024,
            temp_dir: Some(std::env::temp_dir().join("splc-no-such-directory")),
            ..RunOptions::default()
        };
        let count = crate::ir::StatsStage {
            kind: crate::ir::StatsKind::Stats,
            aggs: vec![crate::ir::Agg {
                func: crate::ir::AggFunc::Count,
                input: crate::ir::AggInput::None,
                output: "count".into(),
                percentile: None,
            }],
            by: Vec::new(),
            window: 0,
            current: true,
            global: true,
        };
        let mut p = Pipeline::with_options(options)
            .with(sort_by_n(None))
            .with(Stage::Stats(count));
        let mut out = Vec::new();
        for r in numbered(100) {
            p.push(r, &mut out);
        }
        let err = p.finish(&mut |r| out.push(r)).expect_err("cannot spill");
        assert_eq!(err.command(), "sort");
        assert!(
            out.is_empty(),
            "no `count=0` row after a failed sort: {out:?}"
        );
    }

    #[test]
    fn compiled_code_compares_by_identity() {
        let a = CondFn::new(|_: &Record| true);
        assert_eq!(a, a.clone());
        assert_ne!(a, CondFn::new(|_: &Record| true));
        assert_eq!(format!("{a:?}"), "CondFn(..)");
    }
}
