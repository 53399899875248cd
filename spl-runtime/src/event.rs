//! The event model: what rules read.

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
/// has, that beats hashing. Field order is insertion order (what a reader met first).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    fields: Vec<(FieldId, Value)>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Record::default()
    }

    /// An empty record with room for `n` fields.
    pub fn with_capacity(n: usize) -> Self {
        Record {
            fields: Vec::with_capacity(n),
        }
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
        match self.fields.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((field, value)),
        }
    }

    /// Set a field by name.
    pub fn set_named(&mut self, name: &str, value: impl Into<Value>) {
        self.set(FieldId::intern(name), value.into());
    }

    /// Add one more value to a field: a missing field becomes single-valued, a present one
    /// becomes (or stays) multivalued, in the order of the calls.
    pub fn push(&mut self, field: FieldId, value: String) {
        match self.fields.iter_mut().find(|(f, _)| *f == field) {
            None => self.fields.push((field, Value::Str(value))),
            Some((_, slot)) => {
                let old = std::mem::replace(slot, Value::Multi(Vec::new()));
                let mut values = match old {
                    Value::Multi(v) => v,
                    other => vec![other.first_str().into_owned()],
                };
                values.push(value);
                *slot = Value::Multi(values);
            }
        }
    }

    /// Add one more value to a field named `name` (see [`Record::push`]).
    pub fn push_named(&mut self, name: &str, value: impl Into<String>) {
        self.push(FieldId::intern(name), value.into());
    }

    /// Remove a field, returning its value.
    pub fn remove(&mut self, field: FieldId) -> Option<Value> {
        let i = self.fields.iter().position(|(f, _)| *f == field)?;
        Some(self.fields.remove(i).1)
    }

    /// The value of a field by name (no new id is interned).
    pub fn get_named(&self, name: &str) -> Option<&Value> {
        self.get(FieldId::lookup(name)?)
    }

    /// Iterate over fields in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (FieldId, &Value)> {
        self.fields.iter().map(|(f, v)| (*f, v))
    }

    /// Keep only the fields for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(FieldId, &Value) -> bool) {
        self.fields.retain(|(f, v)| keep(*f, v));
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the record has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl Event for Record {
    fn get(&self, field: FieldId) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
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
}
