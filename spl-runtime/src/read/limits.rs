//! Bounds on what one event may hold, so that no input can exhaust memory or time.
//!
//! Every reader applies the same [`Limits`] (`docs/limits.md` lists them with what happens
//! at each). An event over a limit is skipped: the reader yields a
//! [`ReadError::Event`](super::ReadError::Event) whose reason,
//! [`EventError::OverLimit`](super::EventError::OverLimit), names the limit, and reading
//! goes on with the next event. The two limits on field *names* work differently, because
//! the table of names is shared by the whole process rather than owned by one event: a
//! field whose name would pass them is not stored, the event is kept (its `_raw` still
//! holds the text), and [`ReadEvent::dropped`](super::ReadEvent::dropped) says how many
//! fields were left out and why.

use std::fmt;

use super::EventError;
use crate::event::{Draft, Record};
use crate::field::{FieldId, NameCache, Refused};

/// Bounds on events, with defaults that keep a laptop safe from any input.
///
/// ```
/// use spl_runtime::read::{Limits, ReadOptions};
///
/// let options = ReadOptions {
///     limits: Limits { max_fields: 500, ..Limits::default() },
///     ..ReadOptions::default()
/// };
/// assert_eq!(options.limits.max_depth, 100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest event, in bytes: a JSON or text line (without its line break), an
    /// `<Event>` element, a classic `WinEventLog` record. Also bounds, in event XML, a
    /// comment, CDATA section, processing instruction or tag outside any `<Event>`.
    /// Reading never holds much more than this in memory. Default 128 MiB.
    pub max_event_bytes: usize,
    /// The most fields one event may have, `_raw` and `_time` included. Default 10,000.
    pub max_fields: usize,
    /// The deepest nesting: JSON objects and arrays (the line's object is level 1), XML
    /// elements (`<Event>` is level 1). Default 100.
    pub max_depth: usize,
    /// The most values one event may have, all fields together, `_raw` and `_time`
    /// included: each value of a multivalue field counts, a single value counts one. In
    /// event XML, also the most nodes (elements, text, comments) one `<Event>` may parse
    /// into. Default 100,000.
    pub max_values: usize,
    /// In event XML, the most attributes one element may have (the XML parser checks
    /// each attribute against the others of its element). Default 256.
    pub max_attributes: usize,
    /// The most distinct field names the process-wide table may hold before readers stop
    /// adding to it (names rules use are always there). Default 100,000.
    pub max_field_names: usize,
    /// The longest field name, in bytes, a reader adds to the table. Default 512.
    pub max_field_name_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_event_bytes: 128 << 20,
            max_fields: 10_000,
            max_depth: 100,
            max_values: 100_000,
            max_attributes: 256,
            max_field_names: 100_000,
            max_field_name_bytes: 512,
        }
    }
}

impl Limits {
    /// The limit on fields or values a finished event is over, if any: every field and
    /// value of `record` counts, `_raw` and `_time` included.
    pub(crate) fn passed_by(&self, record: &Record) -> Option<Limit> {
        if record.len() > self.max_fields {
            return Some(Limit::Fields);
        }
        let values: usize = record.iter().map(|(_, value)| value.count()).sum();
        (values > self.max_values).then_some(Limit::Values)
    }
}

/// One of the [`Limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`Limits::max_event_bytes`].
    EventBytes,
    /// [`Limits::max_fields`].
    Fields,
    /// [`Limits::max_depth`].
    Depth,
    /// [`Limits::max_values`].
    Values,
    /// [`Limits::max_attributes`].
    Attributes,
    /// [`Limits::max_field_names`].
    FieldNames,
    /// [`Limits::max_field_name_bytes`].
    FieldNameBytes,
}

impl Limit {
    /// The name of the limit: the [`Limits`] field (`max_fields`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Limit::EventBytes => "max_event_bytes",
            Limit::Fields => "max_fields",
            Limit::Depth => "max_depth",
            Limit::Values => "max_values",
            Limit::Attributes => "max_attributes",
            Limit::FieldNames => "max_field_names",
            Limit::FieldNameBytes => "max_field_name_bytes",
        }
    }

    /// The value of this limit in `limits`.
    pub fn of(self, limits: &Limits) -> usize {
        match self {
            Limit::EventBytes => limits.max_event_bytes,
            Limit::Fields => limits.max_fields,
            Limit::Depth => limits.max_depth,
            Limit::Values => limits.max_values,
            Limit::Attributes => limits.max_attributes,
            Limit::FieldNames => limits.max_field_names,
            Limit::FieldNameBytes => limits.max_field_name_bytes,
        }
    }

    /// What passing the limit means, for messages: `more than 10000 fields`.
    pub fn describe(self, max: usize) -> String {
        match self {
            Limit::EventBytes => format!("larger than {max} bytes"),
            Limit::Fields => format!("more than {max} fields"),
            Limit::Depth => format!("nested more than {max} levels deep"),
            Limit::Values => format!("more than {max} values"),
            Limit::Attributes => format!("an element with more than {max} attributes"),
            Limit::FieldNames => format!("the table of field names is full at {max} names"),
            Limit::FieldNameBytes => format!("a field name longer than {max} bytes"),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Fields of an event that were not stored because of a limit on field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DroppedFields {
    /// How many fields (values) were left out.
    pub count: usize,
    /// Why: [`Limit::FieldNames`] or [`Limit::FieldNameBytes`] (the first met).
    pub limit: Limit,
    /// The value of that limit.
    pub max: usize,
}

impl fmt::Display for DroppedFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} field value(s) not stored: {} (limit {})",
            self.count,
            self.limit.describe(self.max),
            self.limit
        )
    }
}

/// What every reader uses to add fields to the event it builds: names go through the
/// reader's [`NameCache`], and the counts of the limits are kept as fields are added.
#[derive(Debug)]
pub(crate) struct FieldSink {
    names: NameCache,
    limits: Limits,
    /// Values added to the current event.
    values: usize,
    /// Per field id, the event it was last added to (`event`): a field not added to the
    /// current event yet is appended without looking for it in the record.
    added: Vec<u32>,
    /// The current event, counted from 1 (wrapping; `added` is cleared when it wraps).
    event: u32,
    /// Fields of the current event left out, and the first reason.
    dropped: usize,
    dropped_by: Option<Limit>,
}

impl FieldSink {
    pub(crate) fn new(limits: Limits) -> Self {
        FieldSink {
            names: NameCache::new(limits.max_field_names, limits.max_field_name_bytes),
            limits,
            values: 0,
            added: Vec::new(),
            event: 0,
            dropped: 0,
            dropped_by: None,
        }
    }

    /// The limits in force.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Start a new event.
    pub(crate) fn start(&mut self) {
        self.values = 0;
        self.event = self.event.wrapping_add(1);
        if self.event == 0 {
            self.added.iter_mut().for_each(|e| *e = 0);
            self.event = 1;
        }
        self.dropped = 0;
        self.dropped_by = None;
    }

    /// The fields of the current event left out so far.
    pub(crate) fn dropped(&self) -> Option<DroppedFields> {
        self.dropped_by.map(|limit| DroppedFields {
            count: self.dropped,
            limit,
            max: limit.of(&self.limits),
        })
    }

    /// The error for passing `limit`.
    pub(crate) fn over(&self, limit: Limit) -> EventError {
        EventError::OverLimit {
            limit,
            max: limit.of(&self.limits),
        }
    }

    /// Add one value to the field `name` of `record` (see [`Record::push`]). A name the
    /// table refuses leaves the field out; an event that passes `max_values` or
    /// `max_fields` is an error.
    #[inline]
    pub(crate) fn push(
        &mut self,
        record: &mut Draft,
        name: &str,
        value: String,
    ) -> Result<(), EventError> {
        match self.names.get_at(self.values, name) {
            Ok(id) => self.push_id(record, id, value),
            Err(refused) => {
                self.dropped += 1;
                self.dropped_by.get_or_insert(match refused {
                    Refused::Full => Limit::FieldNames,
                    Refused::TooLong => Limit::FieldNameBytes,
                });
                Ok(())
            }
        }
    }

    /// [`FieldSink::push`] with the field's id already known.
    #[inline]
    pub(crate) fn push_id(
        &mut self,
        record: &mut Draft,
        id: FieldId,
        value: String,
    ) -> Result<(), EventError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(self.over(Limit::Values));
        }
        // Readers set `_raw` and `_time` themselves, some before the fields are read: only
        // the record knows whether it has them.
        let i = id.index() as usize;
        if id == FieldId::RAW || id == FieldId::TIME {
            record.push(id, value);
        } else {
            if self.added.len() <= i {
                // Ids are dense and bounded by the name table's limit.
                self.added.resize(i + 1, 0);
            }
            if self.added[i] == self.event {
                record.push(id, value);
            } else {
                self.added[i] = self.event;
                record.push_absent(id, value);
            }
        }
        if record.len() > self.limits.max_fields {
            return Err(self.over(Limit::Fields));
        }
        Ok(())
    }
}
