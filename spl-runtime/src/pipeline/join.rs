//! `join`: rows joined with the rows of a subsearch over the same events.

use std::collections::{HashMap, HashSet};

use super::{Pipeline, Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::JoinFields;
use crate::value::Value;

/// `| join [type=..] [max=..] [overwrite=..] [f...] [ search ... ]`.
///
/// The step takes the rule's events: each goes through the commands before the join (the
/// rule's own search first) and through the subsearch (its search first). At the end of
/// the events both give their rows, and each row of the first is joined with the
/// subsearch rows that have every join field with the same values (compared as text,
/// with case; a multivalue as all its values in order): at most `max` of them (0 = all),
/// in the subsearch's order, one output row each, the subsearch row's fields added
/// (replacing the row's with `overwrite`, else only where the row has none). A row without
/// a match is dropped (`type=inner`) or kept as it is (`type=left`).
///
/// Without join fields ([`JoinFields::Common`]) the join fields are those both sides
/// share, found once both sides' rows are known (`common_fields`); when they share none,
/// no row has a match.
///
/// Both sides' rows are held until the end of the events.
pub struct Join {
    main: Pipeline,
    sub: Pipeline,
    /// The join fields written, `None` for the fields both sides share.
    fields: Option<Vec<FieldId>>,
    left: bool,
    max: u64,
    overwrite: bool,
    rows: Vec<Record>,
    subrows: Vec<Record>,
}

impl Join {
    /// The step of a join between the rows of `main` and of `sub`.
    pub fn new(
        main: Pipeline,
        sub: Pipeline,
        fields: &JoinFields,
        left: bool,
        max: u64,
        overwrite: bool,
    ) -> Join {
        let fields = match fields {
            JoinFields::Named(names) => Some(names.iter().map(|f| FieldId::intern(f)).collect()),
            JoinFields::Common => None,
        };
        Join {
            main,
            sub,
            fields,
            left,
            max,
            overwrite,
            rows: Vec::new(),
            subrows: Vec::new(),
        }
    }

    /// How many of `found` matching subsearch rows a row joins with.
    fn take(&self, found: usize) -> usize {
        if self.max == 0 {
            found
        } else {
            found.min(usize::try_from(self.max).unwrap_or(usize::MAX))
        }
    }
}

/// The fields both sides of a join without join fields share: every name that at least
/// one row of `rows` and at least one row of `subrows` has, except names starting with
/// `_` (`_time`, `_raw`, which say where and when an event was, not what it is about), in
/// byte order of the names.
fn common_fields(rows: &[Record], subrows: &[Record]) -> Vec<FieldId> {
    let named = |rows: &[Record]| -> HashSet<FieldId> {
        rows.iter()
            .flat_map(|r| r.iter().map(|(f, _)| f))
            .filter(|f| !f.name().starts_with('_'))
            .collect()
    };
    let ours = named(rows);
    let mut shared: Vec<FieldId> = named(subrows).intersection(&ours).copied().collect();
    shared.sort_by_key(|f| f.name());
    shared
}

/// The join key of a row: each field's values as text (a number as eval prints it),
/// `None` when one is missing.
fn key(fields: &[FieldId], row: &Record) -> Option<Vec<Vec<String>>> {
    fields
        .iter()
        .map(|&f| row.get(f).map(text_values))
        .collect()
}

/// A value's texts, one per value of a multivalue.
fn text_values(value: &Value) -> Vec<String> {
    value.iter_str().map(|s| s.into_owned()).collect()
}

impl Step for Join {
    fn push(&mut self, row: Record, _: &mut Vec<Record>) {
        self.sub.push(row.clone(), &mut self.subrows);
        self.main.push(row, &mut self.rows);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let (rows, subrows) = (&mut self.rows, &mut self.subrows);
        self.main.finish(&mut |r| rows.push(r))?;
        self.sub.finish(&mut |r| subrows.push(r))?;
        let rows = std::mem::take(&mut self.rows);
        let subrows = std::mem::take(&mut self.subrows);
        let fields = match &self.fields {
            Some(fields) => fields.clone(),
            None => common_fields(&rows, &subrows),
        };
        // With no join field there is nothing to compare: no row has a match.
        let mut index: HashMap<Vec<Vec<String>>, Vec<usize>> = HashMap::new();
        if !fields.is_empty() {
            for (i, r) in subrows.iter().enumerate() {
                if let Some(k) = key(&fields, r) {
                    index.entry(k).or_default().push(i);
                }
            }
        }
        for row in rows {
            let found = key(&fields, &row)
                .and_then(|k| index.get(&k))
                .map_or(&[][..], Vec::as_slice);
            let take = self.take(found.len());
            if take == 0 {
                if self.left {
                    out(row);
                }
                continue;
            }
            for &i in &found[..take] {
                let mut joined = row.clone();
                for (f, v) in subrows[i].iter() {
                    if self.overwrite || joined.get(f).is_none() {
                        joined.set(f, v.clone());
                    }
                }
                out(joined);
            }
        }
        Ok(())
    }
}

/// `| append [ search ... ]`: the rows of the commands before it, then, at the end of the
/// events, the rows of the subsearch over the same events. Like [`Join`], the step takes
/// the rule's events and runs both sides; the first side's rows pass on at once.
pub struct Append {
    main: Pipeline,
    sub: Pipeline,
    subrows: Vec<Record>,
}

impl Append {
    /// The step appending the rows of `sub` to those of `main`.
    pub fn new(main: Pipeline, sub: Pipeline) -> Append {
        Append {
            main,
            sub,
            subrows: Vec::new(),
        }
    }
}

impl Step for Append {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        self.sub.push(row.clone(), &mut self.subrows);
        self.main.push(row, out);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        self.main.finish(out)?;
        for row in std::mem::take(&mut self.subrows) {
            out(row);
        }
        self.sub.finish(out)
    }
}

/// `| appendpipe [ ... ]`: the rows, then the rows the commands give when run over them
/// (held until the end of the input).
pub struct Appendpipe {
    sub: Pipeline,
    rows: Vec<Record>,
}

impl Appendpipe {
    /// The step appending what `sub` gives from the rows.
    pub fn new(sub: Pipeline) -> Appendpipe {
        Appendpipe {
            sub,
            rows: Vec::new(),
        }
    }
}

impl Step for Appendpipe {
    fn push(&mut self, row: Record, _: &mut Vec<Record>) {
        self.rows.push(row);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let mut made = Vec::new();
        for row in std::mem::take(&mut self.rows) {
            self.sub.push(row.clone(), &mut made);
            out(row);
        }
        for row in made {
            out(row);
        }
        self.sub.finish(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::new();
        for (k, v) in pairs {
            r.push_named(k, *v);
        }
        r
    }

    fn names(fields: &[FieldId]) -> Vec<&'static str> {
        fields.iter().map(|f| f.name()).collect()
    }

    #[test]
    fn common_fields_are_names_some_row_of_each_side_has() {
        // `b` is on one row of each side only; `c` and `d` on one side only.
        let rows = [row(&[("a", "1"), ("c", "x")]), row(&[("b", "2")])];
        let subrows = [row(&[("b", "2"), ("d", "y")]), row(&[("a", "1")])];
        assert_eq!(names(&common_fields(&rows, &subrows)), ["a", "b"]);
    }

    #[test]
    fn common_fields_leave_out_internal_fields_and_may_be_none() {
        let rows = [row(&[("_time", "1"), ("_raw", "x"), ("host", "h")])];
        let subrows = [row(&[("_time", "1"), ("_raw", "x"), ("user", "u")])];
        assert!(common_fields(&rows, &subrows).is_empty());
        assert!(common_fields(&rows, &[]).is_empty());
        assert!(common_fields(&[], &subrows).is_empty());
    }

    #[test]
    fn common_field_names_are_case_sensitive() {
        let rows = [row(&[("Host", "h")])];
        let subrows = [row(&[("host", "h")])];
        assert!(common_fields(&rows, &subrows).is_empty());
    }
}
