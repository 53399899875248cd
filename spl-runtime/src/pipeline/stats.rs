//! `stats`, `eventstats` and `streamstats` as stages (`docs/semantics.md`, "Transforming
//! commands").
//!
//! - `stats`: one row per group of BY values, holding only the BY fields and the
//!   aggregates; groups come out sorted by their BY values. Rows missing a BY field are
//!   left out; a multivalued BY field puts the row in the group of each of its values.
//!   Without BY and without input, a row comes out only when an aggregate is a count
//!   (`count` = 0).
//! - `eventstats`: every row comes out, in input order, with the aggregates of its group
//!   added (a row missing a BY field gets none). The rows wait in memory up to the memory
//!   budget ([`RunOptions::memory_budget`]), and past it in a temporary file; the
//!   aggregates of the groups stay in memory.
//! - `streamstats`: every row comes out at once with the aggregates of the rows so far
//!   (`current=false` leaves the row itself out; `window=N` keeps the last N rows, over all
//!   groups when `global=true`, per group otherwise).
//!
//! A wildcard input (`values(*) as *`) aggregates every field whose name matches, except
//! the BY fields and internal fields (names starting with `_`), each under its own output
//! name; it is supported by `stats` only.

use std::collections::VecDeque;

use super::spill::Spool;
use super::{Compile, ExprFn, FieldGlob, PerField, RunOptions, Step, StepError};
use crate::aggregate::{for_each_key, Accumulator, GroupKey, GroupTable, PRESENT};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{AggFunc, AggInput, Code, StatsKind, StatsStage};
use crate::value::Value;

/// What an aggregation reads.
enum Input {
    /// Nothing (`count`): every row gives [`PRESENT`].
    None,
    /// One field.
    Field(FieldId),
    /// Every field matching a pattern, each written to the output pattern (`values(*) as *`).
    Pattern(FieldGlob),
    /// `eval(expr)`.
    Eval(ExprFn),
}

/// Which stats command, with streamstats' options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Stats,
    Eventstats,
    Streamstats {
        window: usize,
        current: bool,
        global: bool,
    },
}

struct Prepared {
    func: AggFunc,
    percentile: f64,
    input: Input,
    output: FieldId,
    output_glob: FieldGlob,
}

impl Prepared {
    /// A fresh accumulator of the aggregation.
    fn accumulator(&self) -> Accumulator {
        Accumulator::with_percentile(self.func, self.percentile)
    }
}

/// Per-group state: one accumulator per fixed aggregation, and per wildcard aggregation
/// one accumulator per matched field (kept by output field, in the order first met).
struct GroupState {
    fixed: Vec<Option<Accumulator>>,
    dynamic: Vec<Vec<(FieldId, Accumulator)>>,
}

/// One row as a `streamstats` window keeps it: the aggregation inputs and the time.
type Entry = (Vec<Option<Value>>, Option<f64>);

/// The stats stage.
pub struct Stats {
    mode: Mode,
    aggs: Vec<Prepared>,
    by: Vec<FieldId>,
    groups: GroupTable<GroupState>,
    /// `eventstats`: the rows, in input order.
    held: Spool,
    options: RunOptions,
    /// Why `eventstats` stopped (rows that come after it are dropped).
    failed: Option<StepError>,
    window: VecDeque<(GroupKey, Entry)>,
    per_group_windows: GroupTable<VecDeque<Entry>>,
    running: GroupTable<Vec<Accumulator>>,
    saw_input: bool,
    /// Per aggregation (by index; used by wildcard inputs only): per field, the output
    /// field it is aggregated into, or `None` when the pattern leaves it out.
    outputs: Vec<PerField<Option<FieldId>>>,
}

impl Stats {
    /// The step of a stats command, its `eval(...)` inputs compiled by `code`, with the
    /// default [`RunOptions`].
    pub fn new<C: Code>(stage: StatsStage<C>, code: &mut impl Compile<C>) -> Self {
        Stats::with_options(stage, code, RunOptions::default())
    }

    /// The step of a stats command, its `eval(...)` inputs compiled by `code`;
    /// `eventstats` holds its rows within the memory budget of `options`.
    pub fn with_options<C: Code>(
        stage: StatsStage<C>,
        code: &mut impl Compile<C>,
        options: RunOptions,
    ) -> Self {
        let mode = match stage.kind {
            StatsKind::Stats => Mode::Stats,
            StatsKind::Eventstats => Mode::Eventstats,
            StatsKind::Streamstats => Mode::Streamstats {
                window: usize::try_from(stage.window).unwrap_or(usize::MAX),
                current: stage.current,
                global: stage.global,
            },
        };
        let aggs: Vec<Prepared> = stage
            .aggs
            .into_iter()
            .map(|a| Prepared {
                func: a.func,
                percentile: a.percentile.unwrap_or(50.0),
                output: FieldId::intern(&a.output),
                output_glob: FieldGlob::new(&a.output),
                input: match a.input {
                    AggInput::None => Input::None,
                    AggInput::Field(f) => Input::Field(FieldId::intern(&f)),
                    AggInput::Pattern(p) => Input::Pattern(FieldGlob::new(p.as_str())),
                    AggInput::Eval(e) => Input::Eval(code.expr(e)),
                },
            })
            .collect();
        let by = &stage.by;
        let outputs = (0..aggs.len()).map(|_| PerField::default()).collect();
        Stats {
            mode,
            aggs,
            outputs,
            by: by.iter().map(|f| FieldId::intern(f)).collect(),
            groups: GroupTable::new(),
            held: Spool::default(),
            options,
            failed: None,
            window: VecDeque::new(),
            per_group_windows: GroupTable::new(),
            running: GroupTable::new(),
            saw_input: false,
        }
    }

    /// The bytes of the rows `eventstats` holds in memory (as
    /// [`RunOptions::memory_budget`] counts them).
    pub fn held_bytes(&self) -> usize {
        self.held.held_bytes()
    }

    fn new_state(&self) -> GroupState {
        GroupState {
            fixed: self
                .aggs
                .iter()
                .map(|a| (!matches!(a.input, Input::Pattern(_))).then(|| a.accumulator()))
                .collect(),
            dynamic: self.aggs.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// The input value of each fixed aggregation for `row`.
    fn inputs(&self, row: &Record) -> Vec<Option<Value>> {
        self.aggs
            .iter()
            .map(|a| match &a.input {
                Input::None => Some(PRESENT),
                Input::Field(f) => row.get(*f).cloned(),
                Input::Eval(f) => f.eval(row),
                Input::Pattern(_) => None,
            })
            .collect()
    }

    fn by_values<'r>(&self, row: &'r Record) -> Vec<Option<&'r Value>> {
        self.by.iter().map(|f| row.get(*f)).collect()
    }

    /// The output field of a wildcard aggregation for input `field`, or `None` when the
    /// field is left out (internal, a BY field, or not matching the pattern).
    fn pattern_output(
        by: &[FieldId],
        a: &Prepared,
        glob: &FieldGlob,
        field: FieldId,
    ) -> Option<FieldId> {
        let name = field.name();
        if name.starts_with('_') || by.contains(&field) {
            return None;
        }
        let caps = glob.captures(name)?;
        Some(if a.output_glob.is_wildcard() {
            FieldId::intern(&a.output_glob.substitute(&caps))
        } else {
            a.output
        })
    }

    fn update(
        by: &[FieldId],
        aggs: &[Prepared],
        outputs: &mut [PerField<Option<FieldId>>],
        state: &mut GroupState,
        row: &Record,
    ) {
        let time = row.time();
        for (i, a) in aggs.iter().enumerate() {
            match &a.input {
                Input::Pattern(glob) => {
                    let outputs = &mut outputs[i];
                    let slot = &mut state.dynamic[i];
                    if slot.is_empty() {
                        // At most one accumulator per field of the row: grow once.
                        slot.reserve(row.len());
                    }
                    // Rows of one source list their fields in the same order, so the
                    // accumulator after the last one used is most often the next one.
                    let mut next = 0;
                    for (f, v) in row.iter() {
                        let Some(out) =
                            outputs.get_or(f, |f| Stats::pattern_output(by, a, glob, f))
                        else {
                            continue;
                        };
                        let j = match slot.get(next) {
                            Some((o, _)) if *o == out => next,
                            _ => match slot.iter().position(|(o, _)| *o == out) {
                                Some(j) => j,
                                None => {
                                    slot.push((out, a.accumulator()));
                                    slot.len() - 1
                                }
                            },
                        };
                        slot[j].1.update_at(Some(v), time);
                        next = j + 1;
                    }
                }
                Input::None => {
                    if let Some(acc) = &mut state.fixed[i] {
                        acc.update_at(Some(&PRESENT), time);
                    }
                }
                Input::Field(f) => {
                    if let Some(acc) = &mut state.fixed[i] {
                        acc.update_at(row.get(*f), time);
                    }
                }
                Input::Eval(func) => {
                    let v = func.eval(row);
                    if let Some(acc) = &mut state.fixed[i] {
                        acc.update_at(v.as_ref(), time);
                    }
                }
            }
        }
    }

    /// Per output field of the wildcard aggregations, its rank in name order: fields
    /// aggregated by a pattern are written sorted by name, and ranking the names once
    /// spares sorting by name (a lookup each) in every group.
    fn output_ranks(&self) -> PerField<u32> {
        let mut ids: Vec<FieldId> = self
            .outputs
            .iter()
            .flat_map(|o| o.values().flatten())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.sort_by_key(|f| f.name());
        let mut ranks = PerField::default();
        for (rank, f) in ids.into_iter().enumerate() {
            ranks.get_or(f, |_| u32::try_from(rank).unwrap_or(u32::MAX));
        }
        ranks
    }

    /// Write the aggregates of `state` into `row`. With `take`, the accumulators are
    /// emptied into the row (the group is done with); else their results are copied.
    fn write(
        aggs: &[Prepared],
        ranks: &PerField<u32>,
        state: &mut GroupState,
        row: &mut Record,
        take: bool,
    ) {
        let result = |acc: &mut Accumulator| if take { acc.take() } else { acc.finish() };
        for (i, a) in aggs.iter().enumerate() {
            if let Some(acc) = &mut state.fixed[i] {
                match result(acc) {
                    Some(v) => row.set(a.output, v),
                    None => {
                        row.remove(a.output);
                    }
                }
            }
            let dynamic = &mut state.dynamic[i];
            dynamic.sort_by_key(|(f, _)| ranks.get(*f).unwrap_or(u32::MAX));
            for (f, acc) in dynamic.iter_mut() {
                if let Some(v) = result(acc) {
                    row.set(*f, v);
                }
            }
        }
    }

    fn key_value(field: FieldId, text: &str) -> Value {
        if field == FieldId::TIME {
            if let Ok(n) = text.parse::<f64>() {
                return Value::Num(n);
            }
        }
        Value::Str(text.to_owned())
    }

    fn push_stream(
        &mut self,
        mut row: Record,
        out: &mut Vec<Record>,
        window: usize,
        current: bool,
        global: bool,
    ) {
        let values = self.inputs(&row);
        let time = row.time();
        let by_vals = self.by_values(&row);
        let mut key: Option<GroupKey> = None;
        for_each_key(&by_vals, |parts| {
            if key.is_none() {
                key = Some(GroupKey::from_parts(parts));
            }
        });
        let Some(key) = key else {
            out.push(row);
            return;
        };
        // Gather the entries the aggregate covers.
        let mut accs: Vec<Accumulator> = self.aggs.iter().map(|a| a.accumulator()).collect();
        let feed = |accs: &mut Vec<Accumulator>, vals: &[Option<Value>], t: Option<f64>| {
            for (acc, v) in accs.iter_mut().zip(vals) {
                acc.update_at(v.as_ref(), t);
            }
        };
        if window == 0 {
            // Running totals per group: one set of accumulators per group.
            let aggs = &self.aggs;
            let running = self
                .running
                .get_or_insert_key(&key, || aggs.iter().map(|a| a.accumulator()).collect());
            if current {
                feed(running, &values, time);
            }
            for (slot, acc) in accs.iter_mut().zip(running.iter()) {
                *slot = acc.clone();
            }
            if !current {
                feed(running, &values, time);
            }
        } else if global {
            if current {
                self.window.push_back((key.clone(), (values.clone(), time)));
                while self.window.len() > window {
                    self.window.pop_front();
                }
            }
            for (k, (vals, t)) in &self.window {
                if *k == key {
                    feed(&mut accs, vals, *t);
                }
            }
            if !current {
                self.window.push_back((key.clone(), (values, time)));
                while self.window.len() > window {
                    self.window.pop_front();
                }
            }
        } else {
            let state = self
                .per_group_windows
                .get_or_insert_key(&key, VecDeque::new);
            if current {
                state.push_back((values.clone(), time));
                while state.len() > window {
                    state.pop_front();
                }
            }
            for (vals, t) in state.iter() {
                feed(&mut accs, vals, *t);
            }
            if !current {
                state.push_back((values, time));
                while state.len() > window {
                    state.pop_front();
                }
            }
        }
        for (a, acc) in self.aggs.iter().zip(&accs) {
            if let Some(v) = acc.finish() {
                row.set(a.output, v);
            }
        }
        out.push(row);
    }
}

impl Step for Stats {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        self.saw_input = true;
        match self.mode {
            Mode::Stats => {
                let by_vals: Vec<Option<&Value>> = self.by.iter().map(|f| row.get(*f)).collect();
                let (by, aggs) = (&self.by, &self.aggs);
                let (groups, outputs) = (&mut self.groups, &mut self.outputs);
                let fresh = || GroupState {
                    fixed: aggs
                        .iter()
                        .map(|a| (!matches!(a.input, Input::Pattern(_))).then(|| a.accumulator()))
                        .collect(),
                    dynamic: aggs.iter().map(|_| Vec::new()).collect(),
                };
                for_each_key(&by_vals, |parts| {
                    let state = groups.get_or_insert_with(parts, fresh);
                    Stats::update(by, aggs, outputs, state, &row);
                });
            }
            Mode::Eventstats => {
                if self.failed.is_some() {
                    return;
                }
                let by_vals: Vec<Option<&Value>> = self.by.iter().map(|f| row.get(*f)).collect();
                let (by, aggs) = (&self.by, &self.aggs);
                let (groups, outputs) = (&mut self.groups, &mut self.outputs);
                let fresh = || GroupState {
                    fixed: aggs.iter().map(|a| Some(a.accumulator())).collect(),
                    dynamic: aggs.iter().map(|_| Vec::new()).collect(),
                };
                for_each_key(&by_vals, |parts| {
                    let state = groups.get_or_insert_with(parts, fresh);
                    Stats::update(by, aggs, outputs, state, &row);
                });
                if let Err(e) = self.held.push(row, &self.options) {
                    self.failed = Some(StepError::spill("eventstats", &self.options, e));
                    self.held.clear();
                }
            }
            Mode::Streamstats {
                window,
                current,
                global,
            } => {
                self.push_stream(row, out, window, current, global);
            }
        }
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        match self.mode {
            Mode::Stats => {
                if self.groups.is_empty() && self.by.is_empty() {
                    let counts = self
                        .aggs
                        .iter()
                        .any(|a| matches!(a.func, AggFunc::Count | AggFunc::DistinctCount));
                    if counts || self.saw_input {
                        let mut state = self.new_state();
                        let mut row = Record::new();
                        Stats::write(&self.aggs, &PerField::default(), &mut state, &mut row, true);
                        out(row);
                    }
                    return Ok(());
                }
                let ranks = self.output_ranks();
                let groups = std::mem::take(&mut self.groups);
                for (key, mut state) in groups.into_sorted_entries() {
                    let width = self.by.len()
                        + state.fixed.iter().flatten().count()
                        + state.dynamic.iter().map(Vec::len).sum::<usize>();
                    let mut row = Record::with_capacity(width);
                    for (f, text) in self.by.iter().zip(key.parts()) {
                        row.set(*f, Stats::key_value(*f, text));
                    }
                    Stats::write(&self.aggs, &ranks, &mut state, &mut row, true);
                    out(row);
                }
            }
            Mode::Eventstats => {
                if let Some(e) = self.failed.take() {
                    return Err(e);
                }
                let ranks = self.output_ranks();
                let (by, aggs, groups) = (&self.by, &self.aggs, &mut self.groups);
                let annotated = self.held.drain(|mut row| {
                    // The row's group: the first of its BY values' combinations.
                    let by_vals: Vec<Option<&Value>> = by.iter().map(|f| row.get(*f)).collect();
                    let mut key = None;
                    for_each_key(&by_vals, |parts| {
                        key = key.take().or_else(|| Some(GroupKey::from_parts(parts)));
                    });
                    if let Some(state) = key.and_then(|key| groups.get_key_mut(&key)) {
                        Stats::write(aggs, &ranks, state, &mut row, false);
                    }
                    out(row);
                });
                if let Err(e) = annotated {
                    return Err(StepError::spill("eventstats", &self.options, e));
                }
            }
            Mode::Streamstats { .. } => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Agg, FieldPattern};
    use crate::pipeline::Compiled;

    /// A stats step of `mode` over `aggs`, grouped by `by`.
    fn stats(mode: Mode, aggs: Vec<Agg<Compiled>>, by: &[&str]) -> Stats {
        stats_with(mode, aggs, by, RunOptions::default())
    }

    /// [`stats`] with `options`.
    fn stats_with(mode: Mode, aggs: Vec<Agg<Compiled>>, by: &[&str], options: RunOptions) -> Stats {
        let (kind, window, current, global) = match mode {
            Mode::Stats => (StatsKind::Stats, 0, true, true),
            Mode::Eventstats => (StatsKind::Eventstats, 0, true, true),
            Mode::Streamstats {
                window,
                current,
                global,
            } => (StatsKind::Streamstats, window as u64, current, global),
        };
        let stage = StatsStage {
            kind,
            aggs,
            by: by.iter().map(|b| (*b).to_owned()).collect(),
            window,
            current,
            global,
        };
        Stats::with_options(stage, &mut (), options)
    }

    fn agg(func: AggFunc, input: AggInput<Compiled>, output: &str) -> Agg<Compiled> {
        Agg {
            func,
            input,
            output: output.to_owned(),
            percentile: None,
        }
    }

    fn rec(time: f64, pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::new();
        r.set_time(time);
        for (k, v) in pairs {
            r.push_named(k, *v);
        }
        r
    }

    fn run(stage: &mut Stats, rows: Vec<Record>) -> Vec<Record> {
        let mut out = Vec::new();
        for r in rows {
            stage.push(r, &mut out);
        }
        stage.finish(&mut |r| out.push(r)).expect("no spill");
        out
    }

    fn get<'a>(r: &'a Record, f: &str) -> Option<&'a Value> {
        r.get_named(f)
    }

    #[test]
    fn stats_values_star_by_time_host() {
        // `values` gives distinct values sorted by bytes.
        let rows = vec![
            rec(5.0, &[("host", "h1"), ("p", "b")]),
            rec(5.0, &[("host", "h1"), ("p", "a")]),
            rec(5.0, &[("host", "h1"), ("p", "b")]),
            rec(6.0, &[("host", "h1"), ("p", "c")]),
            rec(5.0, &[("p", "no host")]),
        ];
        let mut s = stats(
            Mode::Stats,
            vec![agg(
                AggFunc::Values,
                AggInput::Pattern(FieldPattern::new("*")),
                "*",
            )],
            &["_time", "host"],
        );
        let out = run(&mut s, rows);
        assert_eq!(out.len(), 2, "the host-less row is dropped");
        assert_eq!(get(&out[0], "_time"), Some(&Value::Num(5.0)));
        assert_eq!(
            get(&out[0], "p"),
            Some(&Value::Multi(vec!["a".into(), "b".into()]))
        );
        assert_eq!(get(&out[1], "p"), Some(&Value::Str("c".into())));
        assert_eq!(
            get(&out[0], "host"),
            Some(&Value::Str("h1".into())),
            "BY field kept once"
        );
    }

    #[test]
    fn values_star_over_rows_of_varied_shape() {
        let rows = vec![
            rec(
                5.0,
                &[("host", "h1"), ("b", "2"), ("a", "1"), ("_x", "hidden")],
            ),
            rec(5.0, &[("a", "3"), ("host", "h1"), ("c", "9"), ("b", "2")]),
            rec(6.0, &[("c", "1"), ("host", "h2")]),
            rec(5.0, &[("host", "h1"), ("c", "0")]),
        ];
        let mut s = stats(
            Mode::Stats,
            vec![
                agg(
                    AggFunc::Values,
                    AggInput::Pattern(FieldPattern::new("*")),
                    "*",
                ),
                agg(
                    AggFunc::DistinctCount,
                    AggInput::Pattern(FieldPattern::new("*")),
                    "dc_*",
                ),
                agg(
                    AggFunc::List,
                    AggInput::Pattern(FieldPattern::new("[ab]")),
                    "none",
                ),
                agg(
                    AggFunc::Values,
                    AggInput::Pattern(FieldPattern::new("?")),
                    "one",
                ),
            ],
            &["_time", "host"],
        );
        let out = run(&mut s, rows);
        let names: Vec<Vec<&str>> = out
            .iter()
            .map(|r| r.iter().map(|(f, _)| f.name()).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["_time", "host", "a", "b", "c", "dc_a", "dc_b", "dc_c"],
                vec!["_time", "host", "c", "dc_c"],
            ]
        );
        let multi = |v: &[&str]| Value::Multi(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(get(&out[0], "a"), Some(&multi(&["1", "3"])));
        assert_eq!(get(&out[0], "b"), Some(&Value::from("2")));
        assert_eq!(get(&out[0], "c"), Some(&multi(&["0", "9"])));
        assert_eq!(get(&out[0], "dc_c"), Some(&Value::Num(2.0)));
        assert_eq!(get(&out[0], "_x"), None, "internal fields are left out");
        assert_eq!(get(&out[1], "c"), Some(&Value::from("1")));
    }

    #[test]
    fn a_literal_output_merges_every_matching_field() {
        let rows = vec![
            rec(
                1.0,
                &[("src_ip", "10.0.0.2"), ("src_host", "a"), ("dest", "x")],
            ),
            rec(2.0, &[("src_host", "b"), ("src_ip", "10.0.0.1")]),
        ];
        let mut s = stats(
            Mode::Stats,
            vec![agg(
                AggFunc::Values,
                AggInput::Pattern(FieldPattern::new("src_*")),
                "sources",
            )],
            &[],
        );
        let out = run(&mut s, rows);
        assert_eq!(out.len(), 1);
        assert_eq!(
            get(&out[0], "sources"),
            Some(&Value::Multi(
                ["10.0.0.1", "10.0.0.2", "a", "b"]
                    .map(String::from)
                    .to_vec()
            ))
        );
    }

    #[test]
    fn stats_count_and_dc_without_by() {
        let rows = vec![
            rec(1.0, &[("p", "x")]),
            rec(2.0, &[("p", "x")]),
            rec(3.0, &[]),
            rec(4.0, &[("p", "y")]),
        ];
        let mut s = stats(
            Mode::Stats,
            vec![
                agg(AggFunc::Count, AggInput::None, "count"),
                agg(AggFunc::Count, AggInput::Field("p".into()), "count(p)"),
                agg(AggFunc::DistinctCount, AggInput::Field("p".into()), "dc(p)"),
            ],
            &[],
        );
        let out = run(&mut s, rows);
        assert_eq!(out.len(), 1);
        assert_eq!(get(&out[0], "count"), Some(&Value::Num(4.0)));
        assert_eq!(get(&out[0], "count(p)"), Some(&Value::Num(3.0)));
        assert_eq!(get(&out[0], "dc(p)"), Some(&Value::Num(2.0)));
        let mut empty = stats(
            Mode::Stats,
            vec![agg(AggFunc::Count, AggInput::None, "count")],
            &[],
        );
        let out = run(&mut empty, vec![]);
        assert_eq!(get(&out[0], "count"), Some(&Value::Num(0.0)));
    }

    #[test]
    fn eventstats_adds_group_aggregate_to_every_row() {
        // eventstats: the Seattle row without age still gets the Seattle average.
        let rows = vec![
            rec(1.0, &[("city", "SF"), ("age", "25")]),
            rec(2.0, &[("city", "SEA"), ("age", "39")]),
            rec(3.0, &[("city", "SF"), ("age", "31")]),
            rec(4.0, &[("city", "SEA")]),
            rec(5.0, &[("age", "1")]),
        ];
        let mut s = stats(
            Mode::Eventstats,
            vec![agg(AggFunc::Avg, AggInput::Field("age".into()), "avg(age)")],
            &["city"],
        );
        let out = run(&mut s, rows);
        let avgs: Vec<_> = out.iter().map(|r| get(r, "avg(age)").cloned()).collect();
        assert_eq!(
            avgs,
            vec![
                Some(Value::Num(28.0)),
                Some(Value::Num(39.0)),
                Some(Value::Num(28.0)),
                Some(Value::Num(39.0)),
                None
            ]
        );
    }

    /// Rows of varied hosts (some missing, some multivalued), users and sizes.
    fn many_rows(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| {
                let mut r = rec(i as f64, &[("user", &format!("u{}", i % 7))]);
                match i % 11 {
                    0 => {}
                    1 => {
                        r.push_named("host", format!("h{}", i % 5));
                        r.push_named("host", format!("h{}", i % 3));
                    }
                    _ => r.push_named("host", format!("h{}", (i * 31) % 13)),
                }
                r.set_named("bytes", (i * 37 % 1000).to_string());
                r.set_raw(format!("event {i} {}", "x".repeat(i % 50)));
                r
            })
            .collect()
    }

    fn eventstats(options: RunOptions) -> Stats {
        stats_with(
            Mode::Eventstats,
            vec![
                agg(AggFunc::Count, AggInput::None, "count"),
                agg(AggFunc::Avg, AggInput::Field("bytes".into()), "avg"),
                agg(AggFunc::Values, AggInput::Field("user".into()), "users"),
                agg(AggFunc::DistinctCount, AggInput::Field("user".into()), "dc"),
            ],
            &["host"],
            options,
        )
    }

    #[test]
    fn eventstats_over_its_budget_gives_the_rows_it_gives_in_memory() {
        let rows = many_rows(2000);
        let want = run(&mut eventstats(RunOptions::default()), rows.clone());
        assert_eq!(want.len(), rows.len());
        // Row 1 is in group h1 (its host is h1 twice): the count is of the rows with h1.
        let h1 = rows
            .iter()
            .filter(|r| get(r, "host").is_some_and(|v| v.iter_str().any(|h| h == "h1")))
            .count();
        assert_eq!(get(&want[1], "count"), Some(&Value::Num(h1 as f64)));
        assert_eq!(get(&want[0], "count"), None, "row 0 has no host");
        for budget in [0, 3000, 100_000] {
            let options = RunOptions {
                memory_budget: budget,
                temp_dir: None,
                ..RunOptions::default()
            };
            let mut s = eventstats(options);
            let mut out = Vec::new();
            for r in rows.clone() {
                s.push(r, &mut out);
                assert!(s.held_bytes() <= budget, "{} > {budget}", s.held_bytes());
            }
            assert!(out.is_empty());
            assert_eq!(s.groups.len(), 13, "the groups stay in memory");
            s.finish(&mut |r| out.push(r))
                .expect("spills to the temporary directory");
            assert_eq!(out, want, "budget {budget}");
        }
    }

    #[test]
    fn eventstats_that_cannot_spill_fails_with_its_budget() {
        let options = RunOptions {
            memory_budget: 2048,
            temp_dir: Some(std::env::temp_dir().join("splc-no-such-directory")),
            ..RunOptions::default()
        };
        let mut s = eventstats(options);
        let mut out = Vec::new();
        for r in many_rows(100) {
            s.push(r, &mut out);
        }
        assert_eq!(s.held_bytes(), 0, "the rows are dropped");
        let err = s.finish(&mut |r| out.push(r)).expect_err("no directory");
        assert!(out.is_empty());
        assert_eq!((err.command(), err.budget()), ("eventstats", 2048));
        assert!(
            err.to_string()
                .starts_with("`eventstats` went over its memory budget of 2 KiB"),
            "{err}"
        );
    }

    #[test]
    fn streamstats_previous_value_per_user() {
        // streamstats window=1 current=f values(_time) by user over (a,1),(a,5),(b,7).
        let rows = vec![
            rec(1.0, &[("user", "a")]),
            rec(5.0, &[("user", "a")]),
            rec(7.0, &[("user", "b")]),
        ];
        let mut s = stats(
            Mode::Streamstats {
                window: 1,
                current: false,
                global: true,
            },
            vec![agg(
                AggFunc::Values,
                AggInput::Field("_time".into()),
                "last_time",
            )],
            &["user"],
        );
        let out = run(&mut s, rows);
        let last: Vec<_> = out.iter().map(|r| get(r, "last_time").cloned()).collect();
        assert_eq!(last, vec![None, Some(Value::Str("1".into())), None]);
    }

    #[test]
    fn streamstats_window_range() {
        // streamstats window=2 range(_time) by user over (a,1),(a,5),(a,9) gives 0,4,4.
        let rows = vec![
            rec(1.0, &[("user", "a")]),
            rec(5.0, &[("user", "a")]),
            rec(9.0, &[("user", "a")]),
        ];
        let mut s = stats(
            Mode::Streamstats {
                window: 2,
                current: true,
                global: true,
            },
            vec![agg(AggFunc::Range, AggInput::Field("_time".into()), "d")],
            &["user"],
        );
        let out = run(&mut s, rows);
        let d: Vec<_> = out.iter().map(|r| get(r, "d").cloned()).collect();
        assert_eq!(
            d,
            vec![
                Some(Value::Num(0.0)),
                Some(Value::Num(4.0)),
                Some(Value::Num(4.0))
            ]
        );
    }

    #[test]
    fn streamstats_running_count_without_window() {
        let rows = vec![
            rec(1.0, &[("u", "a")]),
            rec(2.0, &[("u", "b")]),
            rec(3.0, &[("u", "a")]),
        ];
        let mut s = stats(
            Mode::Streamstats {
                window: 0,
                current: true,
                global: true,
            },
            vec![agg(AggFunc::Count, AggInput::None, "n")],
            &["u"],
        );
        let out = run(&mut s, rows);
        let n: Vec<_> = out.iter().map(|r| get(r, "n").cloned()).collect();
        assert_eq!(
            n,
            vec![
                Some(Value::Num(1.0)),
                Some(Value::Num(1.0)),
                Some(Value::Num(2.0))
            ]
        );
    }
}
