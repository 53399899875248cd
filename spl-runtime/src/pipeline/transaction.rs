//! `| transaction`: events grouped into transactions.
//!
//! Splunk's `transaction` reads events newest first, as a search returns them; splc's
//! readers give them in file order. So the step puts the events in time order itself
//! (oldest first, through a [`Sort`] of its own, which spills to disk past the memory
//! budget) and then sweeps them forward: the rows it gives do not depend on the order the
//! events came in. Events with equal `_time` keep their input order.
//!
//! In time order, `startswith` begins a transaction and `endswith` ends one; `maxspan`,
//! `maxpause` and `maxevents` close a transaction when the next event of its by-values
//! would break them. Because time only moves forward in the sweep, a transaction that no
//! later event can join (past its `maxspan` or `maxpause`) is closed and given at once:
//! the open transactions held are those still within reach of the current time (with
//! neither limit, one per combination of by-values).
//!
//! A transaction's row has `_time` of its earliest event, `_raw` of its events joined by
//! newlines (oldest first), every other field with the distinct values of its events
//! sorted by bytes (`mvlist=false`), and `duration` (last `_time` less first),
//! `eventcount` and `closed_txn`. Rows come in the order transactions close.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::{CondFn, Sort, Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::SortKey;
use crate::pipeline::RunOptions;
use crate::value::Value;

/// The values of the by-fields of an event (`None` for a field it lacks).
type Key = Vec<Option<Vec<String>>>;

/// What a transaction step is told: the IR's `TransactionStage` with its conditions
/// compiled.
pub struct TransactionOptions {
    /// The by-fields.
    pub fields: Vec<String>,
    /// `maxspan` in seconds.
    pub max_span: Option<f64>,
    /// `maxpause` in seconds.
    pub max_pause: Option<f64>,
    /// `maxevents`.
    pub max_events: Option<u64>,
    /// `startswith`.
    pub starts_with: Option<CondFn>,
    /// `endswith`.
    pub ends_with: Option<CondFn>,
    /// `keepevicted`.
    pub keep_evicted: bool,
    /// The `closed_txn` of a complete transaction.
    pub closes: bool,
    /// `connected`.
    pub connected: bool,
}

/// `| transaction f... [maxspan=] [maxpause=] [maxevents=] [startswith=] [endswith=]`.
///
/// See the module documentation for what it gives and in which order.
pub struct Transaction {
    sort: Sort,
    sweep: Sweep,
}

impl Transaction {
    /// The step, holding events within the budget of `options`.
    pub fn new(txn: TransactionOptions, options: RunOptions) -> Self {
        let by_time = [SortKey {
            field: "_time".into(),
            descending: false,
        }];
        Transaction {
            sort: Sort::with_options(&by_time, None, options),
            sweep: Sweep {
                by: txn.fields.iter().map(|f| FieldId::intern(f)).collect(),
                txn,
                open: HashMap::new(),
                by_key: HashMap::new(),
                partial: 0,
                deadlines: BinaryHeap::new(),
                seq: 0,
                clock: 0,
                duration: FieldId::intern("duration"),
                eventcount: FieldId::intern("eventcount"),
                closed_txn: FieldId::intern("closed_txn"),
            },
        }
    }
}

impl Step for Transaction {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        self.sort.push(row, out);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let Transaction { sort, sweep } = self;
        sort.finish(&mut |row| sweep.add(row, out))
            .map_err(|e| e.of_command("transaction"))?;
        sweep.close_all(out);
        Ok(())
    }
}

/// An open transaction.
struct Open {
    key: Key,
    first: f64,
    last: f64,
    count: u64,
    /// Its first event met `startswith`.
    started: bool,
    /// Its last event met `endswith`.
    ended: bool,
    /// Each field's distinct values, sorted; fields in the order first met.
    fields: Vec<(FieldId, Vec<String>)>,
    raw: Option<String>,
    /// When it was last added to (the sweep's clock).
    touched: u64,
    /// Which of its deadlines in the heap is the current one.
    generation: u64,
}

/// A time after which no event can join a transaction.
struct Deadline {
    at: f64,
    seq: u64,
    generation: u64,
}

impl PartialEq for Deadline {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Deadline {}

impl PartialOrd for Deadline {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Reversed, so that the heap's top is the earliest deadline (then the oldest).
impl Ord for Deadline {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .total_cmp(&self.at)
            .then(other.seq.cmp(&self.seq))
            .then(other.generation.cmp(&self.generation))
    }
}

/// The forward sweep over events in time order.
struct Sweep {
    txn: TransactionOptions,
    by: Vec<FieldId>,
    /// Open transactions by the order they were opened.
    open: HashMap<u64, Open>,
    /// Open transactions whose key has every by-field.
    by_key: HashMap<Key, u64>,
    /// How many open transactions lack a by-field.
    partial: usize,
    deadlines: BinaryHeap<Deadline>,
    seq: u64,
    clock: u64,
    duration: FieldId,
    eventcount: FieldId,
    closed_txn: FieldId,
}

/// True when no by-field has different values in the two keys.
fn agree(a: &Key, b: &Key) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x.is_none() || y.is_none() || x == y)
}

/// True when an event of key `event` is connected to a transaction of key `txn`: it has
/// no by-field, or one of its by-fields has the same values in the transaction.
fn connects(txn: &Key, event: &Key) -> bool {
    event.iter().all(Option::is_none) || txn.iter().zip(event).any(|(x, y)| x.is_some() && x == y)
}

impl Sweep {
    fn add(&mut self, row: Record, out: &mut dyn FnMut(Record)) {
        // An event without a (finite) time cannot be placed in a transaction.
        let Some(t) = row.time().filter(|t| t.is_finite()) else {
            return;
        };
        self.expire(t, out);
        let key: Key = self
            .by
            .iter()
            .map(|f| {
                row.get(*f)
                    .map(|v| v.iter_str().map(|s| s.into_owned()).collect())
            })
            .collect();
        let whole = key.iter().all(Option::is_some);
        let is_start = self.txn.starts_with.as_ref().is_some_and(|c| c.test(&row));
        let is_end = self.txn.ends_with.as_ref().is_some_and(|c| c.test(&row));
        let seq = match self.matching(&key, whole) {
            Some(seq) if !self.breaks(seq, t, is_start) => {
                self.widen(seq, &key);
                seq
            }
            // The event cannot join the transaction it would have: that one ends here,
            // and the event begins the next.
            Some(old) => {
                self.close(old, out);
                self.begin(key, t, is_start)
            }
            None => self.begin(key, t, is_start),
        };
        self.clock += 1;
        let clock = self.clock;
        let Some(o) = self.open.get_mut(&seq) else {
            return;
        };
        o.touched = clock;
        o.last = t;
        o.count += 1;
        o.ended = is_end;
        merge(o, &row);
        let full = self.txn.max_events.is_some_and(|n| o.count >= n);
        if is_end || full {
            self.close(seq, out);
            return;
        }
        let deadline = [
            self.txn.max_span.map(|s| o.first + s),
            self.txn.max_pause.map(|p| o.last + p),
        ]
        .into_iter()
        .flatten()
        .min_by(f64::total_cmp);
        if let Some(at) = deadline {
            o.generation += 1;
            self.deadlines.push(Deadline {
                at,
                seq,
                generation: o.generation,
            });
        }
    }

    /// True when an event at `t` cannot join the open transaction `seq`.
    fn breaks(&self, seq: u64, t: f64, is_start: bool) -> bool {
        let Some(o) = self.open.get(&seq) else {
            return true;
        };
        is_start
            || self.txn.max_span.is_some_and(|s| t - o.first > s)
            || self.txn.max_pause.is_some_and(|p| t - o.last > p)
    }

    /// The open transaction an event of `key` joins unless a constraint stops it: the one
    /// of its by-values, or else, when by-values are missing on either side, the one most
    /// recently added to among those whose by-values do not differ from the event's.
    fn matching(&self, key: &Key, whole: bool) -> Option<u64> {
        if whole {
            if let Some(seq) = self.by_key.get(key) {
                return Some(*seq);
            }
            if self.partial == 0 {
                return None;
            }
        }
        self.open
            .iter()
            .filter(|(_, o)| agree(&o.key, key) && (!self.txn.connected || connects(&o.key, key)))
            .max_by_key(|(_, o)| o.touched)
            .map(|(seq, _)| *seq)
    }

    /// Give the transaction the by-values it lacked that the event has.
    fn widen(&mut self, seq: u64, key: &Key) {
        let Some(o) = self.open.get_mut(&seq) else {
            return;
        };
        let was_whole = o.key.iter().all(Option::is_some);
        if was_whole {
            return;
        }
        let mut changed = false;
        for (mine, theirs) in o.key.iter_mut().zip(key) {
            if mine.is_none() && theirs.is_some() {
                mine.clone_from(theirs);
                changed = true;
            }
        }
        if changed && o.key.iter().all(Option::is_some) {
            self.partial -= 1;
            let key = o.key.clone();
            self.by_key.entry(key).or_insert(seq);
        }
    }

    fn begin(&mut self, key: Key, t: f64, started: bool) -> u64 {
        self.seq += 1;
        let seq = self.seq;
        if key.iter().all(Option::is_some) {
            self.by_key.insert(key.clone(), seq);
        } else {
            self.partial += 1;
        }
        self.open.insert(
            seq,
            Open {
                key,
                first: t,
                last: t,
                count: 0,
                started,
                ended: false,
                fields: Vec::new(),
                raw: None,
                touched: 0,
                generation: 0,
            },
        );
        seq
    }

    /// Close the transactions no event at `t` or later can join.
    fn expire(&mut self, t: f64, out: &mut dyn FnMut(Record)) {
        while let Some(top) = self.deadlines.peek() {
            if top.at >= t {
                break;
            }
            let Some(d) = self.deadlines.pop() else { break };
            if self
                .open
                .get(&d.seq)
                .is_some_and(|o| o.generation == d.generation)
            {
                self.close(d.seq, out);
            }
        }
    }

    fn close_all(&mut self, out: &mut dyn FnMut(Record)) {
        let mut left: Vec<u64> = self.open.keys().copied().collect();
        left.sort_unstable();
        for seq in left {
            self.close(seq, out);
        }
        self.deadlines.clear();
    }

    fn close(&mut self, seq: u64, out: &mut dyn FnMut(Record)) {
        let Some(o) = self.open.remove(&seq) else {
            return;
        };
        if o.key.iter().all(Option::is_some) {
            if self.by_key.get(&o.key) == Some(&seq) {
                self.by_key.remove(&o.key);
            }
        } else {
            self.partial -= 1;
        }
        let complete = (self.txn.starts_with.is_none() || o.started)
            && (self.txn.ends_with.is_none() || o.ended);
        if !complete && !self.txn.keep_evicted {
            return;
        }
        let closed = complete && self.txn.closes;
        let mut row = Record::with_capacity(o.fields.len() + 5);
        row.set(FieldId::TIME, Value::Num(o.first));
        if let Some(raw) = o.raw {
            row.set(FieldId::RAW, Value::Str(raw));
        }
        for (field, values) in o.fields {
            if let Some(v) = Value::from_strings(values) {
                row.set(field, v);
            }
        }
        row.set(self.duration, Value::Num(o.last - o.first));
        row.set(self.eventcount, Value::Num(o.count as f64));
        row.set(self.closed_txn, Value::Num(if closed { 1.0 } else { 0.0 }));
        out(row);
    }
}

/// Add an event's fields to a transaction.
fn merge(o: &mut Open, row: &Record) {
    for (field, value) in row.iter() {
        if field == FieldId::TIME {
            continue;
        }
        if field == FieldId::RAW {
            let text = row.raw();
            match &mut o.raw {
                Some(raw) => {
                    raw.push('\n');
                    raw.push_str(text);
                }
                None => o.raw = Some(text.to_owned()),
            }
            continue;
        }
        let i = match o.fields.iter().position(|(f, _)| *f == field) {
            Some(i) => i,
            None => {
                o.fields.push((field, Vec::new()));
                o.fields.len() - 1
            }
        };
        let values = &mut o.fields[i].1;
        for v in value.iter_str() {
            if let Err(at) = values.binary_search_by(|x| x.as_str().cmp(&v)) {
                values.insert(at, v.into_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::run;

    fn event(time: f64, pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::new();
        r.set_time(time);
        for (k, v) in pairs {
            r.push_named(k, *v);
        }
        r
    }

    fn options(fields: &[&str]) -> TransactionOptions {
        TransactionOptions {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            max_span: None,
            max_pause: None,
            max_events: Some(1000),
            starts_with: None,
            ends_with: None,
            keep_evicted: false,
            connected: true,
            closes: false,
        }
    }

    fn num(row: &Record, name: &str) -> Option<f64> {
        match row.get_named(name)? {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    #[test]
    fn groups_by_field_in_time_order_whatever_the_input_order() {
        let rows = vec![
            event(30.0, &[("host", "a"), ("_raw", "three")]),
            event(10.0, &[("host", "a"), ("_raw", "one")]),
            event(20.0, &[("host", "b"), ("_raw", "two")]),
        ];
        let mut step = Transaction::new(options(&["host"]), RunOptions::default());
        let out = run(&mut step, rows);
        assert_eq!(out.len(), 2);
        let a = &out[0];
        assert_eq!(a.get_named("host"), Some(&Value::from("a")));
        assert_eq!(a.raw(), "one\nthree");
        assert_eq!(a.time(), Some(10.0));
        assert_eq!(num(a, "duration"), Some(20.0));
        assert_eq!(num(a, "eventcount"), Some(2.0));
        assert_eq!(num(a, "closed_txn"), Some(0.0));
    }

    #[test]
    fn maxspan_is_inclusive_and_expired_transactions_close_as_time_moves() {
        let mut o = options(&["host"]);
        o.max_span = Some(10.0);
        o.closes = true;
        let rows = vec![
            event(0.0, &[("host", "a")]),
            event(10.0, &[("host", "a")]),
            event(10.5, &[("host", "a")]),
        ];
        let mut step = Transaction::new(o, RunOptions::default());
        let out = run(&mut step, rows);
        let counts: Vec<_> = out.iter().map(|r| num(r, "eventcount")).collect();
        assert_eq!(counts, vec![Some(2.0), Some(1.0)]);
        assert_eq!(num(&out[0], "closed_txn"), Some(1.0));
    }

    fn many(n: usize) -> Vec<Record> {
        // Times in a scrambled order; hosts cycle through five values.
        (0..n)
            .map(|i| {
                let at = ((i * 7919) % n) as f64;
                let host = format!("h{}", i % 5);
                let raw = format!("event {i} of host {host} with some text to take room");
                event(at, &[("host", host.as_str()), ("_raw", raw.as_str())])
            })
            .collect()
    }

    fn spanned() -> TransactionOptions {
        let mut o = options(&["host"]);
        o.max_span = Some(40.0);
        o.max_pause = Some(12.0);
        o.closes = true;
        o
    }

    #[test]
    fn the_rows_do_not_depend_on_input_order_or_spilling() {
        let rows = many(500);
        let mut reversed = rows.clone();
        reversed.reverse();
        let in_memory = run(
            &mut Transaction::new(spanned(), RunOptions::default()),
            rows.clone(),
        );
        let tight = RunOptions {
            memory_budget: 2048,
            temp_dir: None,
            ..RunOptions::default()
        };
        let spilled = run(&mut Transaction::new(spanned(), tight), reversed);
        assert_eq!(in_memory, spilled);
        let total: f64 = in_memory.iter().filter_map(|r| num(r, "eventcount")).sum();
        assert_eq!(total, 500.0);
        assert!(in_memory.iter().all(|r| num(r, "duration") <= Some(40.0)));
    }

    #[test]
    fn a_transaction_that_cannot_spill_fails_with_its_name() {
        let options = RunOptions {
            memory_budget: 1024,
            temp_dir: Some(std::env::temp_dir().join("splc-no-such-directory")),
            ..RunOptions::default()
        };
        let mut step = Transaction::new(spanned(), options);
        let mut out = Vec::new();
        for r in many(100) {
            step.push(r, &mut out);
        }
        let err = step.finish(&mut |r| out.push(r)).expect_err("cannot spill");
        assert_eq!(err.command(), "transaction");
        assert!(out.is_empty());
    }

    #[test]
    fn events_without_time_are_left_out() {
        let mut timeless = Record::new();
        timeless.set_named("host", "a");
        let rows = vec![timeless, event(1.0, &[("host", "a")])];
        let out = run(
            &mut Transaction::new(options(&["host"]), RunOptions::default()),
            rows,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(num(&out[0], "eventcount"), Some(1.0));
    }
}
