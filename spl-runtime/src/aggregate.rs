//! Aggregators for `stats`, `eventstats` and `streamstats`, and the group table for
//! their `BY` clause (`docs/semantics.md`, "Transforming commands").
//!
//! An [`Accumulator`] is built once per (group, function) and fed one event at a time
//! with [`Accumulator::update`] (or [`Accumulator::update_at`] when the function needs
//! `_time`); [`Accumulator::finish`] reads the result at any point.
//!
//! - Every value of a multivalue input counts on its own (`dc`, `values`, `sum`, ...).
//! - Numeric functions (`sum avg range stdev stdevp var varp median`) ignore values
//!   that are not numbers; with no number at all their result is null.
//! - `min`/`max` compare numerically when every value is a number, else as text by byte
//!   order.
//! - Results print like eval numbers ([`crate::value::format_number`]).
//!
//! [`GroupTable`] maps BY-field values to per-group state. A lookup hashes the borrowed
//! values of the event once and allocates only when it creates a new group.

use std::cmp::Ordering;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hasher};

use crate::ir::AggFunc;
use crate::value::{format_number, parse_number, Value};

/// The value an aggregation without input (`count`) reads from every event.
pub const PRESENT: Value = Value::Num(1.0);

/// The most values `list()` keeps.
pub const LIST_LIMIT: usize = 100;

#[derive(Clone, Debug)]
enum State {
    Count(u64),
    Distinct(HashSet<String>),
    Values(SortedSet),
    List(Vec<String>),
    Sum {
        sum: f64,
        n: u64,
    },
    Extremes(Extremes),
    /// Welford's running mean and sum of squared deviations.
    Moments {
        n: u64,
        mean: f64,
        m2: f64,
    },
    Edge(Option<String>),
    Timed(Option<(f64, Value)>),
    /// `rate`: the (time, number) of the earliest and of the latest event.
    Span {
        earliest: Option<(f64, f64)>,
        latest: Option<(f64, f64)>,
    },
    Numbers(Vec<f64>),
    Mode {
        counts: HashMap<String, (u64, u64)>,
        seen: u64,
    },
}

/// Distinct strings in byte order (what `values` keeps). Most groups see a handful of
/// values: a sorted vector holds those in one allocation and hands them over without
/// copying; past [`SortedSet::SMALL`] values a B-tree keeps insertion cheap.
#[derive(Clone, Debug)]
enum SortedSet {
    Small(Vec<String>),
    Large(BTreeSet<String>),
}

impl Default for SortedSet {
    fn default() -> Self {
        SortedSet::Small(Vec::new())
    }
}

impl SortedSet {
    /// The most values kept in a vector.
    const SMALL: usize = 32;

    /// Add `s` unless present.
    fn insert(&mut self, s: &str) {
        match self {
            SortedSet::Small(v) => {
                // `String`'s order is byte order, as `str`'s.
                let Err(at) = v.binary_search_by(|x| x.as_str().cmp(s)) else {
                    return;
                };
                if v.len() < SortedSet::SMALL {
                    v.insert(at, s.to_owned());
                } else {
                    let mut set: BTreeSet<String> = std::mem::take(v).into_iter().collect();
                    set.insert(s.to_owned());
                    *self = SortedSet::Large(set);
                }
            }
            SortedSet::Large(set) => {
                if !set.contains(s) {
                    set.insert(s.to_owned());
                }
            }
        }
    }

    /// The values, in order.
    fn into_vec(self) -> Vec<String> {
        match self {
            SortedSet::Small(v) => v,
            SortedSet::Large(set) => set.into_iter().collect(),
        }
    }

    /// A copy of the values, in order.
    fn to_vec(&self) -> Vec<String> {
        match self {
            SortedSet::Small(v) => v.clone(),
            SortedSet::Large(set) => set.iter().cloned().collect(),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Extremes {
    any: bool,
    all_numeric: bool,
    num_min: f64,
    num_max: f64,
    numbers: u64,
    str_min: Option<String>,
    str_max: Option<String>,
}

/// The running state of one aggregation function.
///
/// ```
/// use spl_runtime::aggregate::Accumulator;
/// use spl_runtime::ir::AggFunc;
/// use spl_runtime::Value;
/// let mut acc = Accumulator::new(AggFunc::Values);
/// for v in ["b", "a", "b", "10", "9"] {
///     acc.update(Some(&Value::from(v)));
/// }
/// acc.update(None);
/// assert_eq!(acc.finish(), Some(Value::Multi(vec!["10".into(), "9".into(), "a".into(), "b".into()])));
/// ```
#[derive(Clone, Debug)]
pub struct Accumulator {
    func: AggFunc,
    /// The percentile of `perc`, `exactperc` and `upperperc`.
    percentile: f64,
    state: State,
}

/// A value's texts, one per value; numbers in printed form.
fn each_text(v: &Value, mut f: impl FnMut(&str)) {
    match v {
        Value::Str(s) => f(s),
        Value::Num(n) => f(&format_number(*n)),
        Value::Multi(vs) => vs.iter().for_each(|s| f(s)),
    }
}

/// A value's numbers, skipping values that are not numbers.
fn each_number(v: &Value, mut f: impl FnMut(f64)) {
    match v {
        Value::Num(n) => {
            if n.is_finite() {
                f(*n)
            }
        }
        Value::Str(s) => {
            if let Some(n) = parse_number(s) {
                f(n)
            }
        }
        Value::Multi(vs) => vs.iter().filter_map(|s| parse_number(s)).for_each(f),
    }
}

/// Replace the content of `slot` with `s`, reusing its buffer.
fn store(slot: &mut Option<String>, s: &str) {
    match slot {
        Some(buf) => {
            buf.clear();
            buf.push_str(s);
        }
        None => *slot = Some(s.to_owned()),
    }
}

impl Accumulator {
    /// A fresh accumulator (a percentile function computes the median: see
    /// [`Accumulator::with_percentile`]).
    pub fn new(func: AggFunc) -> Accumulator {
        Accumulator::with_percentile(func, 50.0)
    }

    /// A fresh accumulator of a percentile function (`perc95` is `(Perc, 95.0)`).
    pub fn with_percentile(func: AggFunc, percentile: f64) -> Accumulator {
        let state = match func {
            AggFunc::Count => State::Count(0),
            AggFunc::DistinctCount | AggFunc::Estdc | AggFunc::EstdcError => {
                State::Distinct(HashSet::new())
            }
            AggFunc::Values => State::Values(SortedSet::default()),
            AggFunc::List => State::List(Vec::new()),
            AggFunc::Sum | AggFunc::Avg | AggFunc::Sumsq => State::Sum { sum: 0.0, n: 0 },
            AggFunc::Min | AggFunc::Max | AggFunc::Range => State::Extremes(Extremes {
                all_numeric: true,
                ..Extremes::default()
            }),
            AggFunc::Stdev | AggFunc::Stdevp | AggFunc::Var | AggFunc::Varp => State::Moments {
                n: 0,
                mean: 0.0,
                m2: 0.0,
            },
            AggFunc::First | AggFunc::Last => State::Edge(None),
            AggFunc::Earliest | AggFunc::Latest | AggFunc::EarliestTime | AggFunc::LatestTime => {
                State::Timed(None)
            }
            AggFunc::Rate => State::Span {
                earliest: None,
                latest: None,
            },
            AggFunc::Median | AggFunc::Perc | AggFunc::ExactPerc | AggFunc::UpperPerc => {
                State::Numbers(Vec::new())
            }
            AggFunc::Mode => State::Mode {
                counts: HashMap::new(),
                seen: 0,
            },
        };
        Accumulator {
            func,
            percentile,
            state,
        }
    }

    /// The function.
    pub fn func(&self) -> AggFunc {
        self.func
    }

    /// Forget everything seen.
    pub fn reset(&mut self) {
        *self = Accumulator::with_percentile(self.func, self.percentile);
    }

    /// Add one event's value of the field (`None`: absent). [`AggFunc::Count`] counts the
    /// calls with a value (a `count` without a field gives every event a value: see
    /// [`PRESENT`]). `earliest`/`latest` ignore this call: use [`Accumulator::update_at`].
    pub fn update(&mut self, value: Option<&Value>) {
        self.update_at(value, None);
    }

    /// Add one event's value with the event's `_time`.
    pub fn update_at(&mut self, value: Option<&Value>, time: Option<f64>) {
        if let State::Count(n) = &mut self.state {
            if value.is_some() {
                *n += 1;
            }
            return;
        }
        let Some(v) = value else { return };
        let func = self.func;
        match &mut self.state {
            State::Count(_) => {}
            State::Distinct(set) => each_text(v, |s| {
                if !set.contains(s) {
                    set.insert(s.to_owned());
                }
            }),
            State::Values(set) => each_text(v, |s| set.insert(s)),
            State::List(list) => each_text(v, |s| {
                if list.len() < LIST_LIMIT {
                    list.push(s.to_owned());
                }
            }),
            State::Sum { sum, n } => each_number(v, |x| {
                *sum += if func == AggFunc::Sumsq { x * x } else { x };
                *n += 1;
            }),
            State::Extremes(e) => {
                each_text(v, |s| {
                    match parse_number(s) {
                        Some(x) => {
                            if e.numbers == 0 || x < e.num_min {
                                e.num_min = x;
                            }
                            if e.numbers == 0 || x > e.num_max {
                                e.num_max = x;
                            }
                            e.numbers += 1;
                        }
                        None => e.all_numeric = false,
                    }
                    if func != AggFunc::Range {
                        if e.str_min
                            .as_deref()
                            .is_none_or(|m| s.as_bytes() < m.as_bytes())
                        {
                            store(&mut e.str_min, s);
                        }
                        if e.str_max
                            .as_deref()
                            .is_none_or(|m| s.as_bytes() > m.as_bytes())
                        {
                            store(&mut e.str_max, s);
                        }
                    }
                    e.any = true;
                });
            }
            State::Moments { n, mean, m2 } => each_number(v, |x| {
                *n += 1;
                let d = x - *mean;
                *mean += d / *n as f64;
                *m2 += d * (x - *mean);
            }),
            State::Edge(slot) => {
                let mut first_seen = slot.is_some();
                each_text(v, |s| {
                    if func == AggFunc::Last {
                        store(slot, s);
                    } else if !first_seen {
                        *slot = Some(s.to_owned());
                        first_seen = true;
                    }
                });
            }
            State::Timed(best) => {
                let Some(t) = time.filter(|t| !t.is_nan()) else {
                    return;
                };
                let better = match best {
                    None => true,
                    Some((bt, _)) => {
                        if matches!(func, AggFunc::Earliest | AggFunc::EarliestTime) {
                            t < *bt
                        } else {
                            t >= *bt
                        }
                    }
                };
                if better {
                    *best = Some((t, v.clone()));
                }
            }
            State::Span { earliest, latest } => {
                let Some(t) = time.filter(|t| !t.is_nan()) else {
                    return;
                };
                let mut number = None;
                each_number(v, |x| {
                    number.get_or_insert(x);
                });
                let x = number.unwrap_or(f64::NAN);
                if earliest.is_none_or(|(et, _)| t < et) {
                    *earliest = Some((t, x));
                }
                if latest.is_none_or(|(lt, _)| t >= lt) {
                    *latest = Some((t, x));
                }
            }
            State::Numbers(list) => each_number(v, |x| list.push(x)),
            State::Mode { counts, seen } => each_text(v, |s| {
                *seen += 1;
                match counts.get_mut(s) {
                    Some((c, _)) => *c += 1,
                    None => {
                        counts.insert(s.to_owned(), (1, *seen));
                    }
                }
            }),
        }
    }

    /// The result so far, as [`Accumulator::finish`] gives it, and start again: what was
    /// seen moves into the result instead of being copied.
    pub fn take(&mut self) -> Option<Value> {
        let fresh = Accumulator::with_percentile(self.func, self.percentile);
        let done = std::mem::replace(self, fresh);
        match done.state {
            State::Values(set) => Value::from_strings(set.into_vec()),
            State::List(list) => Value::from_strings(list),
            State::Edge(slot) => slot.map(Value::Str),
            State::Timed(best) if matches!(done.func, AggFunc::Earliest | AggFunc::Latest) => {
                best.map(|(_, v)| v)
            }
            _ => done.finish(),
        }
    }

    /// The result so far; `None` when the function has nothing to report (no value seen,
    /// or no number for a numeric function). `count` and `dc` report 0.
    pub fn finish(&self) -> Option<Value> {
        match &self.state {
            State::Count(n) => Some(Value::Num(*n as f64)),
            // The distinct count is exact, so the estimate's error is 0.
            State::Distinct(_) if self.func == AggFunc::EstdcError => Some(Value::Num(0.0)),
            State::Distinct(set) => Some(Value::Num(set.len() as f64)),
            State::Values(set) => Value::from_strings(set.to_vec()),
            State::List(list) => Value::from_strings(list.clone()),
            State::Sum { sum, n } => match (self.func, *n) {
                (_, 0) => None,
                (AggFunc::Avg, n) => Some(Value::Num(*sum / n as f64)),
                _ => Some(Value::Num(*sum)),
            },
            State::Extremes(e) => {
                if !e.any {
                    return None;
                }
                match self.func {
                    AggFunc::Range => (e.numbers > 0).then_some(Value::Num(e.num_max - e.num_min)),
                    AggFunc::Min if e.all_numeric => Some(Value::Num(e.num_min)),
                    AggFunc::Max if e.all_numeric => Some(Value::Num(e.num_max)),
                    AggFunc::Min => e.str_min.clone().map(Value::Str),
                    _ => e.str_max.clone().map(Value::Str),
                }
            }
            State::Moments { n, m2, .. } => {
                let n = *n;
                if n == 0 {
                    return None;
                }
                let var = match self.func {
                    AggFunc::Stdev | AggFunc::Var => {
                        if n < 2 {
                            0.0
                        } else {
                            m2 / (n - 1) as f64
                        }
                    }
                    _ => m2 / n as f64,
                };
                let var = var.max(0.0);
                Some(Value::Num(match self.func {
                    AggFunc::Stdev | AggFunc::Stdevp => var.sqrt(),
                    _ => var,
                }))
            }
            State::Edge(slot) => slot.clone().map(Value::Str),
            State::Timed(best) => match self.func {
                AggFunc::EarliestTime | AggFunc::LatestTime => {
                    best.as_ref().map(|(t, _)| Value::Num(*t))
                }
                _ => best.as_ref().map(|(_, v)| v.clone()),
            },
            State::Span { earliest, latest } => {
                let ((t0, x0), (t1, x1)) = ((*earliest)?, (*latest)?);
                let rate = (x1 - x0) / (t1 - t0);
                (t1 != t0 && rate.is_finite()).then_some(Value::Num(rate))
            }
            State::Numbers(list) => {
                if list.is_empty() {
                    return None;
                }
                let mut sorted = list.clone();
                sorted.sort_by(f64::total_cmp);
                if self.func != AggFunc::Median {
                    return nearest_rank(&sorted, self.percentile).map(Value::Num);
                }
                // An even count takes the higher of the two middle values.
                sorted.get(sorted.len() / 2).map(|m| Value::Num(*m))
            }
            State::Mode { counts, .. } => counts
                .iter()
                .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
                .map(|(s, _)| Value::Str(s.clone())),
        }
    }
}

/// The `p`th percentile of sorted numbers by nearest rank: the value at rank
/// `ceil(p / 100 * n)` (at least the first).
fn nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((p / 100.0) * n as f64).ceil().clamp(1.0, n as f64) as usize;
    sorted.get(rank - 1).copied()
}

/// One BY-field value of an event, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyPart<'a> {
    /// A string value.
    Str(&'a str),
    /// A number (grouped by its printed form, so `Num(5.0)` and `Str("5")` are one group).
    Num(f64),
}

impl KeyPart<'_> {
    /// Run `f` with the text of this part, without allocating for ordinary numbers.
    fn with_text<R>(self, f: impl FnOnce(&str) -> R) -> R {
        match self {
            KeyPart::Str(s) => f(s),
            KeyPart::Num(n) => {
                let mut buf = StackText::default();
                if write_number(&mut buf, n).is_ok() {
                    f(buf.as_str())
                } else {
                    f(&format_number(n))
                }
            }
        }
    }
}

/// A small fixed buffer implementing `fmt::Write` (fails when full).
struct StackText {
    buf: [u8; 48],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            buf: [0; 48],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The same text as [`format_number`], written into `w`.
fn write_number(w: &mut impl fmt::Write, n: f64) -> fmt::Result {
    if n.is_nan() {
        w.write_str("nan")
    } else if n.is_infinite() {
        w.write_str(if n > 0.0 { "inf" } else { "-inf" })
    } else if n == n.trunc() && n.abs() < 1e17 {
        write!(w, "{}", n as i64)
    } else {
        write!(w, "{n}")
    }
}

/// The owned BY-field values of a group, in BY order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey(Box<[String]>);

impl GroupKey {
    /// The values, in BY order.
    pub fn parts(&self) -> &[String] {
        &self.0
    }

    /// An owned key from borrowed parts (numbers in printed form).
    pub fn from_parts(parts: &[KeyPart<'_>]) -> GroupKey {
        GroupKey(parts.iter().map(|p| p.with_text(str::to_owned)).collect())
    }

    /// Whether this key equals the borrowed parts.
    fn matches(&self, parts: &[KeyPart<'_>]) -> bool {
        self.0.len() == parts.len()
            && self
                .0
                .iter()
                .zip(parts)
                .all(|(own, p)| p.with_text(|t| t == own))
    }
}

#[derive(Clone, Debug)]
struct Entry<T> {
    key: GroupKey,
    /// The next entry with the same hash.
    next: Option<usize>,
    value: T,
}

/// Per-group state keyed by BY-field values, in order of first appearance.
///
/// ```
/// use spl_runtime::aggregate::{GroupTable, KeyPart};
/// let mut t: GroupTable<u32> = GroupTable::new();
/// *t.get_or_insert_with(&[KeyPart::Num(5.0), KeyPart::Str("h1")], || 0) += 1;
/// *t.get_or_insert_with(&[KeyPart::Str("5"), KeyPart::Str("h1")], || 0) += 1;
/// assert_eq!(t.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct GroupTable<T> {
    hasher: RandomState,
    /// Hash of a key → its first entry.
    index: HashMap<u64, usize>,
    entries: Vec<Entry<T>>,
}

impl<T> Default for GroupTable<T> {
    fn default() -> Self {
        GroupTable::new()
    }
}

impl<T> GroupTable<T> {
    /// An empty table.
    pub fn new() -> GroupTable<T> {
        GroupTable {
            hasher: RandomState::new(),
            index: HashMap::new(),
            entries: Vec::new(),
        }
    }

    fn hash(&self, parts: &[KeyPart<'_>]) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write_usize(parts.len());
        for p in parts {
            p.with_text(|t| {
                h.write_usize(t.len());
                h.write(t.as_bytes());
            });
        }
        h.finish()
    }

    /// The same hash as [`GroupTable::hash`] of the parts the key was made from.
    fn hash_key(&self, key: &GroupKey) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write_usize(key.0.len());
        for t in key.0.iter() {
            h.write_usize(t.len());
            h.write(t.as_bytes());
        }
        h.finish()
    }

    fn find_key(&self, hash: u64, key: &GroupKey) -> Option<usize> {
        let mut at = self.index.get(&hash).copied();
        while let Some(i) = at {
            let e = self.entries.get(i)?;
            if e.key == *key {
                return Some(i);
            }
            at = e.next;
        }
        None
    }

    /// The state of the group with an owned key, if it exists.
    pub fn get_key(&self, key: &GroupKey) -> Option<&T> {
        let i = self.find_key(self.hash_key(key), key)?;
        self.entries.get(i).map(|e| &e.value)
    }

    /// The mutable state of the group with an owned key, if it exists.
    pub fn get_key_mut(&mut self, key: &GroupKey) -> Option<&mut T> {
        let i = self.find_key(self.hash_key(key), key)?;
        self.entries.get_mut(i).map(|e| &mut e.value)
    }

    /// The state of the group with an owned key, created with `make` when new.
    pub fn get_or_insert_key(&mut self, key: &GroupKey, make: impl FnOnce() -> T) -> &mut T {
        let hash = self.hash_key(key);
        let i = match self.find_key(hash, key) {
            Some(i) => i,
            None => self.push_entry(hash, key.clone(), make()),
        };
        &mut self.entries[i].value
    }

    fn push_entry(&mut self, hash: u64, key: GroupKey, value: T) -> usize {
        let i = self.entries.len();
        let next = self.index.insert(hash, i);
        self.entries.push(Entry { key, next, value });
        i
    }

    fn find(&self, hash: u64, parts: &[KeyPart<'_>]) -> Option<usize> {
        let mut at = self.index.get(&hash).copied();
        while let Some(i) = at {
            let e = self.entries.get(i)?;
            if e.key.matches(parts) {
                return Some(i);
            }
            at = e.next;
        }
        None
    }

    /// The state of the group `parts`, if it exists.
    pub fn get(&self, parts: &[KeyPart<'_>]) -> Option<&T> {
        let i = self.find(self.hash(parts), parts)?;
        self.entries.get(i).map(|e| &e.value)
    }

    /// The state of the group `parts`, created with `make` (and the key copied) when new.
    pub fn get_or_insert_with(
        &mut self,
        parts: &[KeyPart<'_>],
        make: impl FnOnce() -> T,
    ) -> &mut T {
        let hash = self.hash(parts);
        let i = match self.find(hash, parts) {
            Some(i) => i,
            None => self.push_entry(hash, GroupKey::from_parts(parts), make()),
        };
        // `i` is a valid index: found in the table or just pushed.
        &mut self.entries[i].value
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no group.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Groups in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (&GroupKey, &T)> {
        self.entries.iter().map(|e| (&e.key, &e.value))
    }

    /// Groups in order of first appearance, mutable state.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&GroupKey, &mut T)> {
        self.entries.iter_mut().map(|e| (&e.key, &mut e.value))
    }

    /// Take the groups, in order of first appearance.
    pub fn into_entries(self) -> Vec<(GroupKey, T)> {
        self.entries.into_iter().map(|e| (e.key, e.value)).collect()
    }

    /// Take the groups sorted by key, field by field: numerically when both values are
    /// numbers, else by byte order (the order `stats ... by` output comes in).
    ///
    /// Each value is read as a number once, not at every comparison; the order is the
    /// one [`crate::compare::compare_values`] gives, value by value.
    pub fn into_sorted_entries(self) -> Vec<(GroupKey, T)> {
        let entries = self.into_entries();
        let width = entries.first().map_or(0, |(k, _)| k.0.len());
        // The keys' numbers, `width` per entry (every key of a table has one part per BY
        // field), and the entries' order to sort.
        if entries.iter().any(|(k, _)| k.0.len() != width) {
            // Keys of different widths: compare them as they are.
            let mut v = entries;
            v.sort_by(|a, b| compare_keys(a.0.parts(), b.0.parts()));
            return v;
        }
        let numbers: Vec<Option<f64>> = entries
            .iter()
            .flat_map(|(k, _)| k.0.iter().map(|p| parse_number(p)))
            .collect();
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            let (ka, kb) = (entries[a].0.parts(), entries[b].0.parts());
            let (na, nb) = (
                &numbers[a * width..(a + 1) * width],
                &numbers[b * width..(b + 1) * width],
            );
            (0..width)
                .map(|i| compare_parsed(&ka[i], na[i], &kb[i], nb[i]))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
        let mut slots: Vec<Option<(GroupKey, T)>> = entries.into_iter().map(Some).collect();
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take))
            .collect()
    }
}

/// [`crate::compare::compare_values`] over two keys, value by value.
fn compare_keys(a: &[String], b: &[String]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| crate::compare::compare_values(x, y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// [`crate::compare::compare_values`] of `a` and `b`, given what [`parse_number`] makes of
/// each.
fn compare_parsed(a: &str, na: Option<f64>, b: &str, nb: Option<f64>) -> Ordering {
    match (na, nb) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// Call `f` with each combination of the BY-field values of one event: nothing when a
/// field is absent (the event is dropped), once for single values, once per combination
/// when fields are multivalued (an event joins every group of its values; repeated values
/// of one field count once).
pub fn for_each_key(fields: &[Option<&Value>], mut f: impl FnMut(&[KeyPart<'_>])) {
    if fields.iter().any(Option::is_none) {
        return;
    }
    let single = fields
        .iter()
        .all(|v| !matches!(v, Some(Value::Multi(m)) if m.len() != 1));
    const INLINE: usize = 8;
    if single && fields.len() <= INLINE {
        let mut parts = [KeyPart::Str(""); INLINE];
        for (slot, v) in parts.iter_mut().zip(fields) {
            *slot = match v {
                Some(Value::Str(s)) => KeyPart::Str(s),
                Some(Value::Num(n)) => KeyPart::Num(*n),
                Some(Value::Multi(m)) => KeyPart::Str(m.first().map_or("", String::as_str)),
                None => return,
            };
        }
        f(&parts[..fields.len()]);
        return;
    }
    // General case: the product of the distinct values of each field.
    let lists: Vec<Vec<KeyPart<'_>>> = fields
        .iter()
        .map(|v| match v {
            Some(Value::Str(s)) => vec![KeyPart::Str(s)],
            Some(Value::Num(n)) => vec![KeyPart::Num(*n)],
            Some(Value::Multi(m)) => {
                let mut out: Vec<KeyPart<'_>> = Vec::with_capacity(m.len());
                for s in m {
                    if !out.contains(&KeyPart::Str(s)) {
                        out.push(KeyPart::Str(s));
                    }
                }
                out
            }
            None => Vec::new(),
        })
        .collect();
    if lists.iter().any(Vec::is_empty) {
        return;
    }
    let mut idx = vec![0usize; lists.len()];
    let mut parts: Vec<KeyPart<'_>> = lists.iter().filter_map(|l| l.first().copied()).collect();
    loop {
        f(&parts);
        // Advance the odometer.
        let mut k = lists.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < lists[k].len() {
                parts[k] = lists[k][idx[k]];
                break;
            }
            idx[k] = 0;
            parts[k] = lists[k][0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_text_matches_format_number() {
        for n in [
            0.0,
            -3.0,
            1.5,
            1e20,
            1700000000.0,
            f64::NAN,
            f64::INFINITY,
            1e-7,
        ] {
            let mut b = StackText::default();
            let direct = format_number(n);
            match write_number(&mut b, n) {
                Ok(()) => assert_eq!(b.as_str(), direct),
                Err(_) => assert!(direct.len() > 48),
            }
        }
    }

    #[test]
    fn sorted_entries_order_as_compare_values() {
        let texts = [
            "10", "9", "a", "-1", "1e1", " 2", "B", "", "2.5", "x9", "09",
        ];
        let mut t: GroupTable<usize> = GroupTable::new();
        let mut n = 0;
        for a in texts {
            for b in texts.iter().rev().take(4) {
                *t.get_or_insert_with(&[KeyPart::Str(a), KeyPart::Str(b)], || {
                    n += 1;
                    n
                }) += 0;
            }
        }
        let mut expected = t.clone().into_entries();
        expected.sort_by(|a, b| compare_keys(a.0.parts(), b.0.parts()));
        let got = t.into_sorted_entries();
        assert_eq!(got.len(), texts.len() * 4);
        let keys =
            |v: &[(GroupKey, usize)]| v.iter().map(|(k, n)| (k.clone(), *n)).collect::<Vec<_>>();
        assert_eq!(keys(&got), keys(&expected));
    }

    #[test]
    fn take_gives_the_result_and_starts_again() {
        for func in [
            AggFunc::Values,
            AggFunc::List,
            AggFunc::First,
            AggFunc::Last,
            AggFunc::Min,
            AggFunc::Mode,
            AggFunc::Latest,
            AggFunc::Count,
        ] {
            let mut acc = Accumulator::new(func);
            for (i, v) in ["b", "a", "b"].into_iter().enumerate() {
                acc.update_at(Some(&Value::from(v)), Some(i as f64));
            }
            let expected = acc.finish();
            assert_eq!(acc.take(), expected, "{func:?}");
            assert_eq!(acc.finish(), Accumulator::new(func).finish(), "{func:?}");
        }
    }

    #[test]
    fn values_stay_distinct_and_sorted_past_the_small_set() {
        let mut acc = Accumulator::new(AggFunc::Values);
        let mut expected = BTreeSet::new();
        // More than SortedSet::SMALL distinct values, in a scrambled order, with repeats.
        for i in 0..200u32 {
            let text = format!("v{}", (i * 37) % 71);
            acc.update(Some(&Value::Str(text.clone())));
            expected.insert(text);
            let want = Value::from_strings(expected.iter().cloned().collect());
            assert_eq!(acc.finish(), want, "after {i}");
        }
        let want = Value::from_strings(expected.into_iter().collect());
        assert_eq!(acc.take(), want);
        assert_eq!(acc.finish(), None);
        let mut small = Accumulator::new(AggFunc::Values);
        for v in ["b", "B", "a", "b", "é", "10", "9"] {
            small.update(Some(&Value::from(v)));
        }
        assert_eq!(
            small.take(),
            Some(Value::Multi(
                ["10", "9", "B", "a", "b", "é"].map(String::from).to_vec()
            ))
        );
    }
}
