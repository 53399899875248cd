//! The event model: what rules read.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::field::FieldId;
use crate::value::Value;

/// Something a rule can be evaluated against: `_raw`, `_time` and named fields.
///
/// Implemented by [`Record`]; users with their own event type can implement it too.
pub trait Event {
    /// The value of a field, or `None` when absent. `_raw` and `_time` are fields too
    /// ([`FieldId::RAW`], [`FieldId::TIME`]).
    fn get(&self, field: FieldId) -> Option<&Value>;

    /// The event text (`_raw`), or `""` when the event has none.
    fn raw(&self) -> &str {
        match self.get(FieldId::RAW) {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }

    /// `_time` in epoch seconds, when present and numeric.
    fn time(&self) -> Option<f64> {
        match self.get(FieldId::TIME)? {
            Value::Num(n) => Some(*n),
            Value::Str(s) => s.trim().parse().ok(),
            Value::Multi(v) => v.first()?.trim().parse().ok(),
        }
    }
}

/// An owned event or result row: an ordered list of fields.
///
/// Lookups scan a short vector comparing integer ids: for the tens of fields an event
/// has, that beats hashing. A record that grows past [`Record::INDEXED_FROM`] fields also
/// keeps a hash index from field to position, so that adding or finding a field stays
/// O(1) however many fields it has (an event with a hundred thousand distinct keys costs
/// time in proportion to its size, not to its square). Field order is insertion order
/// (what a reader met first).
///
/// `_raw` and `_time` are read for every event (the search reads `_raw`, `bin` and `stats`
/// read `_time`), so the record also keeps where in the list they are: looking either up
/// costs no scan, wherever a reader put it. The positions are derived from the list and
/// kept in step by every method that changes it; equality and `Debug` look at the fields
/// only.
///
/// A record is copy-on-write: cloning one shares its fields (a pointer and a count), and
/// the first change to a shared record copies them. A pack of rules hands the same event
/// to every rule that matches it without copying it for each.
#[derive(Clone, Default)]
pub struct Record(Arc<Fields>);

/// The fields of a record, with what makes looking them up fast.
#[derive(Clone, Default)]
struct Fields {
    fields: Vec<(FieldId, Value)>,
    /// Where `_raw` is in `fields`.
    raw: Pos,
    /// Where `_time` is in `fields`.
    time: Pos,
    /// Where each field is in `fields`, once there are more than `INDEXED_FROM` (boxed:
    /// a record without one stays small).
    index: Option<Box<FieldIndex>>,
}

/// Positions of the fields of a large record.
#[derive(Clone, Default)]
struct FieldIndex {
    positions: HashMap<FieldId, usize, foldhash::fast::RandomState>,
}

/// A position in a record's field list, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos(usize);

impl Pos {
    /// No vector of fields can hold `usize::MAX` elements, so this is never an index.
    const NONE: Pos = Pos(usize::MAX);

    fn at(i: usize) -> Pos {
        Pos(i)
    }

    fn get(self) -> Option<usize> {
        (self != Pos::NONE).then_some(self.0)
    }

    /// Follow the removal of the field at `removed`.
    fn removed(&mut self, removed: usize) {
        match self.get() {
            Some(i) if i == removed => *self = Pos::NONE,
            Some(i) if i > removed => self.0 -= 1,
            _ => {}
        }
    }
}

impl Default for Pos {
    fn default() -> Self {
        Pos::NONE
    }
}

/// A record being read: its reader's alone until [`Draft::finish`], so its fields are
/// added without the check for sharing a [`Record`] makes at each change (an atomic
/// operation per field, in the loop every event goes through).
#[derive(Default)]
pub(crate) struct Draft(Fields);

impl Draft {
    /// An empty draft with room for `n` fields.
    pub(crate) fn with_capacity(n: usize) -> Draft {
        Draft(Fields {
            fields: Vec::with_capacity(n),
            ..Fields::default()
        })
    }

    /// Set `_raw` (see [`Record::set_raw`]).
    pub(crate) fn set_raw(&mut self, raw: impl Into<String>) {
        self.0.set(FieldId::RAW, Value::Str(raw.into()));
    }

    /// Set `_time` (see [`Record::set_time`]).
    pub(crate) fn set_time(&mut self, time: f64) {
        self.0.set(FieldId::TIME, Value::Num(time));
    }

    /// Add one more value to a field (see [`Record::push`]).
    pub(crate) fn push(&mut self, field: FieldId, value: String) {
        self.0.push(field, value);
    }

    /// [`Draft::push`] for a field the caller knows the draft does not have: appended
    /// without looking for it.
    pub(crate) fn push_absent(&mut self, field: FieldId, value: String) {
        debug_assert!(self.0.position(field).is_none(), "the field is present");
        self.0.append(field, Value::Str(value));
    }

    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.0.fields.len()
    }

    /// The record of these fields.
    pub(crate) fn finish(self) -> Record {
        Record(Arc::new(self.0))
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.0.fields == other.0.fields
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("fields", &self.0.fields)
            .finish()
    }
}

impl Record {
    /// The number of fields past which a record indexes its fields by a hash map instead
    /// of scanning them.
    pub const INDEXED_FROM: usize = 64;

    /// An empty record.
    pub fn new() -> Self {
        Record::default()
    }

    /// An empty record with room for `n` fields.
    pub fn with_capacity(n: usize) -> Self {
        Record(Arc::new(Fields {
            fields: Vec::with_capacity(n),
            ..Fields::default()
        }))
    }

    /// A record of these fields, in this order; each id must appear once.
    pub(crate) fn from_fields(fields: Vec<(FieldId, Value)>) -> Self {
        debug_assert!(
            fields
                .iter()
                .enumerate()
                .all(|(i, (f, _))| fields[..i].iter().all(|(g, _)| g != f)),
            "a field appears twice"
        );
        let mut inner = Fields {
            fields,
            ..Fields::default()
        };
        inner.locate();
        inner.reindex();
        Record(Arc::new(inner))
    }

    /// The fields, in order (copied when the record is shared).
    pub(crate) fn into_fields(self) -> Vec<(FieldId, Value)> {
        Arc::try_unwrap(self.0)
            .map(|inner| inner.fields)
            .unwrap_or_else(|shared| shared.fields.clone())
    }

    /// The fields to change: this record's own, copied first when shared.
    fn own(&mut self) -> &mut Fields {
        Arc::make_mut(&mut self.0)
    }

    /// Set `_raw`.
    pub fn set_raw(&mut self, raw: impl Into<String>) {
        self.set(FieldId::RAW, Value::Str(raw.into()));
    }

    /// Set `_time` (epoch seconds).
    pub fn set_time(&mut self, time: f64) {
        self.set(FieldId::TIME, Value::Num(time));
    }

    /// Set a field, replacing any value it had.
    pub fn set(&mut self, field: FieldId, value: Value) {
        self.own().set(field, value);
    }

    /// Set a field by name.
    pub fn set_named(&mut self, name: &str, value: impl Into<Value>) {
        self.set(FieldId::intern(name), value.into());
    }

    /// Add one more value to a field: a missing field becomes single-valued, a present one
    /// becomes (or stays) multivalued, in the order of the calls.
    pub fn push(&mut self, field: FieldId, value: String) {
        self.own().push(field, value);
    }

    /// Add one more value to a field named `name` (see [`Record::push`]).
    pub fn push_named(&mut self, name: &str, value: impl Into<String>) {
        self.push(FieldId::intern(name), value.into());
    }

    /// Remove a field, returning its value.
    pub fn remove(&mut self, field: FieldId) -> Option<Value> {
        self.0.position(field)?;
        self.own().remove(field)
    }

    /// The value of a field by name (no new id is interned).
    pub fn get_named(&self, name: &str) -> Option<&Value> {
        self.get(FieldId::lookup(name)?)
    }

    /// Iterate over fields in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (FieldId, &Value)> {
        self.0.fields.iter().map(|(f, v)| (*f, v))
    }

    /// Keep only the fields for which `keep` returns true (`keep` may be asked twice about
    /// a field: a shared record is copied only when a field goes).
    pub fn retain(&mut self, mut keep: impl FnMut(FieldId, &Value) -> bool) {
        if Arc::get_mut(&mut self.0).is_none() && self.iter().all(|(f, v)| keep(f, v)) {
            return;
        }
        self.own().retain(keep);
    }

    /// True when the two records share their fields (one is a copy of the other that
    /// neither has changed since): then they are equal without comparing a field.
    pub fn shares_fields(&self, other: &Record) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.fields.len()
    }

    /// True when the record has no field.
    pub fn is_empty(&self) -> bool {
        self.0.fields.is_empty()
    }

    /// About how many bytes of memory the record takes: itself, its list of fields, its
    /// values' text and its index, counting each allocation's bookkeeping as 16 bytes (a
    /// record that shares its fields with clones counts them whole). What a blocking step
    /// counts against its memory budget.
    pub(crate) fn memory_size(&self) -> usize {
        std::mem::size_of::<Record>() + self.0.memory_size()
    }
}

/// What the allocator keeps beside each allocation, as [`Record::memory_size`] counts it.
const BLOCK: usize = 16;

/// The bytes an allocation of `capacity` bytes takes, as [`Record::memory_size`] counts it.
fn block(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else {
        capacity + BLOCK
    }
}

impl Fields {
    /// Find `_raw` and `_time` again after the list changed wholesale.
    fn locate(&mut self) {
        self.raw = Pos::NONE;
        self.time = Pos::NONE;
        for (i, (f, _)) in self.fields.iter().enumerate() {
            if *f == FieldId::RAW {
                self.raw = Pos::at(i);
            } else if *f == FieldId::TIME {
                self.time = Pos::at(i);
            }
        }
    }

    /// Build the index again after the list changed wholesale (or drop it when the
    /// record is small again).
    fn reindex(&mut self) {
        self.index = (self.fields.len() > Record::INDEXED_FROM).then(|| {
            let positions = self.fields.iter().enumerate().map(|(i, (f, _))| (*f, i));
            Box::new(FieldIndex {
                positions: positions.collect(),
            })
        });
    }

    /// Where `field` is in the list.
    #[inline]
    fn position(&self, field: FieldId) -> Option<usize> {
        match field {
            FieldId::RAW => self.raw.get(),
            FieldId::TIME => self.time.get(),
            _ => match &self.index {
                None => self.fields.iter().position(|(f, _)| *f == field),
                Some(index) => index.positions.get(&field).copied(),
            },
        }
    }

    /// Append a field known to be absent.
    fn append(&mut self, field: FieldId, value: Value) {
        let at = self.fields.len();
        match field {
            FieldId::RAW => self.raw = Pos::at(at),
            FieldId::TIME => self.time = Pos::at(at),
            _ => {}
        }
        self.fields.push((field, value));
        match &mut self.index {
            Some(index) => {
                index.positions.insert(field, at);
            }
            None if at >= Record::INDEXED_FROM => self.reindex(),
            None => {}
        }
    }

    fn set(&mut self, field: FieldId, value: Value) {
        match self.position(field) {
            Some(i) => self.fields[i].1 = value,
            None => self.append(field, value),
        }
    }

    fn push(&mut self, field: FieldId, value: String) {
        match self.position(field) {
            None => self.append(field, Value::Str(value)),
            Some(i) => {
                let slot = &mut self.fields[i].1;
                match slot {
                    Value::Multi(values) => values.push(value),
                    other => {
                        let first = other.first_str().into_owned();
                        *other = Value::Multi(vec![first, value]);
                    }
                }
            }
        }
    }

    fn remove(&mut self, field: FieldId) -> Option<Value> {
        let i = self.position(field)?;
        let (_, value) = self.fields.remove(i);
        self.raw.removed(i);
        self.time.removed(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(value)
    }

    fn retain(&mut self, mut keep: impl FnMut(FieldId, &Value) -> bool) {
        let before = self.fields.len();
        self.fields.retain(|(f, v)| keep(*f, v));
        if self.fields.len() != before {
            self.locate();
            self.reindex();
        }
    }

    /// See [`Record::memory_size`].
    fn memory_size(&self) -> usize {
        let values: usize = self
            .fields
            .iter()
            .map(|(_, v)| match v {
                Value::Str(s) => block(s.capacity()),
                Value::Num(_) => 0,
                Value::Multi(vs) => {
                    block(vs.capacity() * std::mem::size_of::<String>())
                        + vs.iter().map(|s| block(s.capacity())).sum::<usize>()
                }
            })
            .sum();
        let index = self.index.as_ref().map_or(0, |index| {
            // A hash table's slot holds the entry and a control byte.
            block(index.positions.capacity() * (std::mem::size_of::<(FieldId, usize)>() + 1))
        });
        // The shared allocation holds the two reference counts and the fields.
        block(2 * std::mem::size_of::<usize>() + std::mem::size_of::<Fields>())
            + block(self.fields.capacity() * std::mem::size_of::<(FieldId, Value)>())
            + values
            + index
    }
}

impl Event for Record {
    #[inline]
    fn get(&self, field: FieldId) -> Option<&Value> {
        let inner = &*self.0;
        inner.position(field).map(|i| &inner.fields[i].1)
    }

    #[inline]
    fn raw(&self) -> &str {
        let inner = &*self.0;
        match inner.raw.get().map(|i| &inner.fields[i].1) {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_builds_multivalues_in_order() {
        let mut r = Record::new();
        r.push_named("ip", "1.1.1.1");
        assert_eq!(r.get_named("ip"), Some(&Value::Str("1.1.1.1".into())));
        r.push_named("ip", "2.2.2.2");
        assert_eq!(
            r.get_named("ip"),
            Some(&Value::Multi(vec!["1.1.1.1".into(), "2.2.2.2".into()]))
        );
    }

    #[test]
    fn raw_and_time_accessors() {
        let mut r = Record::new();
        assert_eq!(r.raw(), "");
        assert_eq!(r.time(), None);
        r.set_raw("a b");
        r.set_time(12.5);
        assert_eq!(r.raw(), "a b");
        assert_eq!(r.time(), Some(12.5));
        r.set_named("_time", "7");
        assert_eq!(r.time(), Some(7.0));
    }

    #[test]
    fn clones_share_until_one_changes() {
        let mut a = Record::new();
        a.set_raw("x");
        a.set_named("f", "1");
        let mut b = a.clone();
        assert!(Arc::ptr_eq(&a.0, &b.0), "a clone shares the fields");
        b.retain(|_, _| true);
        assert!(
            Arc::ptr_eq(&a.0, &b.0),
            "keeping every field copies nothing"
        );
        b.set_named("f", "2");
        assert!(!Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(
            a.get_named("f"),
            Some(&Value::from("1")),
            "the original is unchanged"
        );
        assert_eq!(b.get_named("f"), Some(&Value::from("2")));
        let c = b.clone();
        assert_eq!(b.remove(FieldId::intern("nothing-here")), None);
        assert!(
            Arc::ptr_eq(&b.0, &c.0),
            "removing an absent field copies nothing"
        );
        assert_eq!(c.clone().into_fields().len(), 2);
    }

    /// The cached positions and the index agree with a scan of the fields.
    fn check(record: &Record) {
        let r = &*record.0;
        let scan = |id: FieldId| r.fields.iter().position(|(f, _)| *f == id);
        assert_eq!(r.raw.get(), scan(FieldId::RAW), "{record:?}");
        assert_eq!(r.time.get(), scan(FieldId::TIME), "{record:?}");
        assert_eq!(r.index.is_some(), record.len() > Record::INDEXED_FROM);
        if let Some(index) = &r.index {
            assert_eq!(index.positions.len(), record.len());
            for (i, (f, _)) in r.fields.iter().enumerate() {
                assert_eq!(index.positions.get(f), Some(&i));
            }
        }
        let raw = match scan(FieldId::RAW).map(|i| &r.fields[i].1) {
            Some(Value::Str(s)) => s.as_str(),
            _ => "",
        };
        assert_eq!(record.raw(), raw);
    }

    #[test]
    fn raw_and_time_positions_follow_every_change() {
        let mut r = Record::with_capacity(4);
        r.set_named("a", "1");
        check(&r);
        r.set_time(3.0);
        r.push_named("b", "2");
        r.set_raw("text");
        check(&r);
        let order: Vec<_> = r.iter().map(|(f, _)| f.name()).collect();
        assert_eq!(
            order,
            ["a", "_time", "b", "_raw"],
            "insertion order is kept"
        );
        r.set_raw("other");
        r.push(FieldId::TIME, "4".into());
        check(&r);
        assert_eq!(r.raw(), "other");
        assert_eq!(r.time(), Some(3.0), "the first of a multivalue");
        assert_eq!(r.remove(FieldId::intern("a")), Some(Value::from("1")));
        check(&r);
        assert_eq!(
            r.get(FieldId::TIME),
            Some(&Value::Multi(vec!["3".into(), "4".into()]))
        );
        r.retain(|f, _| f != FieldId::intern("b"));
        check(&r);
        assert_eq!(r.raw(), "other");
        assert!(r.remove(FieldId::TIME).is_some());
        check(&r);
        assert_eq!(r.time(), None);
        r.set_time(9.0);
        check(&r);
        assert!(r.remove(FieldId::RAW).is_some());
        check(&r);
        assert_eq!(r.raw(), "");
        r.push(FieldId::RAW, "again".into());
        check(&r);
        r.retain(|_, _| false);
        check(&r);
        assert!(r.is_empty());
        let rebuilt = Record::from_fields(vec![
            (FieldId::intern("x"), Value::from("1")),
            (FieldId::TIME, Value::Num(2.0)),
            (FieldId::RAW, Value::from("r")),
        ]);
        check(&rebuilt);
        assert_eq!(rebuilt.raw(), "r");
        assert_eq!(rebuilt.time(), Some(2.0));
    }

    #[test]
    fn the_index_follows_every_change_of_a_large_record() {
        let ids: Vec<FieldId> = (0..Record::INDEXED_FROM * 2)
            .map(|i| FieldId::intern(&format!("indexed{i}")))
            .collect();
        let mut r = Record::new();
        for (i, id) in ids.iter().enumerate() {
            r.push(*id, i.to_string());
            check(&r);
        }
        r.set_raw("x");
        r.push(ids[3], "again".into());
        check(&r);
        assert_eq!(r.remove(ids[0]), Some(Value::from("0")));
        check(&r);
        assert_eq!(r.get(ids[1]), Some(&Value::from("1")));
        r.retain(|f, _| f != ids[9]);
        check(&r);
        assert_eq!(r.get(ids[9]), None);
        assert_eq!(r.get(ids[10]), Some(&Value::from("10")));
        r.retain(|f, _| f == FieldId::RAW || f == ids[100]);
        check(&r);
        assert_eq!(r.get(ids[100]), Some(&Value::from("100")));
        let clone = r.clone();
        check(&clone);
        let rebuilt =
            Record::from_fields(ids.iter().map(|id| (*id, Value::from(id.name()))).collect());
        check(&rebuilt);
        assert_eq!(rebuilt.get(ids[77]), Some(&Value::from("indexed77")));
    }

    #[test]
    fn memory_size_counts_the_text_a_record_holds() {
        let empty = Record::new().memory_size();
        assert_eq!(
            empty,
            std::mem::size_of::<Record>()
                + 2 * std::mem::size_of::<usize>()
                + std::mem::size_of::<Fields>()
                + 16
        );
        let mut r = Record::new();
        r.set_raw("x".repeat(1000));
        let one = r.memory_size();
        assert!(one >= empty + 1000, "{one}");
        r.set(
            FieldId::intern("ips"),
            Value::Multi(vec!["y".repeat(300), "z".repeat(300)]),
        );
        assert!(r.memory_size() >= one + 600 + 2 * std::mem::size_of::<String>());
        let wide = Record::from_fields(
            (0..Record::INDEXED_FROM * 2)
                .map(|i| (FieldId::intern(&format!("indexed{i}")), Value::Num(1.0)))
                .collect(),
        );
        let fields = Record::INDEXED_FROM * 2 * std::mem::size_of::<(FieldId, Value)>();
        assert!(
            wide.memory_size() > fields + Record::INDEXED_FROM * 2 * 16,
            "and the index"
        );
    }

    #[test]
    fn equality_and_debug_see_fields_only() {
        let mut a = Record::new();
        a.set_raw("x");
        a.set_named("f", "1");
        let mut b = Record::new();
        b.set_raw("x");
        b.set_named("f", "1");
        b.set_named("g", "2");
        b.remove(FieldId::intern("g"));
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(format!("{a:?}").starts_with("Record { fields: ["));
    }
}
