//! `join`: rows joined with the rows of a subsearch over the same events.

use std::collections::HashMap;

use super::{Pipeline, Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::value::Value;

/// `| join [type=..] [max=..] [overwrite=..] f... [ search ... ]`.
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
/// Both sides' rows are held until the end of the events.
pub struct Join {
    main: Pipeline,
    sub: Pipeline,
    fields: Vec<FieldId>,
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
        fields: &[String],
        left: bool,
        max: u64,
        overwrite: bool,
    ) -> Join {
        Join {
            main,
            sub,
            fields: fields.iter().map(|f| FieldId::intern(f)).collect(),
            left,
            max,
            overwrite,
            rows: Vec::new(),
            subrows: Vec::new(),
        }
    }

    /// The join key of a row: each field's values, `None` when one is missing.
    fn key(&self, row: &Record) -> Option<Vec<Value>> {
        self.fields.iter().map(|&f| row.get(f).cloned()).collect()
    }
}

/// Values compared as text (a number as eval prints it).
fn text_key(values: Vec<Value>) -> Vec<Vec<String>> {
    values
        .into_iter()
        .map(|v| v.iter_str().map(|s| s.into_owned()).collect())
        .collect()
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
        let subrows = std::mem::take(&mut self.subrows);
        let mut index: HashMap<Vec<Vec<String>>, Vec<usize>> = HashMap::new();
        for (i, r) in subrows.iter().enumerate() {
            if let Some(k) = self.key(r) {
                index.entry(text_key(k)).or_default().push(i);
            }
        }
        for row in std::mem::take(&mut self.rows) {
            let found = self
                .key(&row)
                .and_then(|k| index.get(&text_key(k)))
                .map_or(&[][..], Vec::as_slice);
            let take = if self.max == 0 {
                found.len()
            } else {
                found
                    .len()
                    .min(usize::try_from(self.max).unwrap_or(usize::MAX))
            };
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
