//! `| foreach <patterns> [ template ]` (`mode=multifield`).
//!
//! Splunk substitutes the placeholders (`<<FIELD>>`, `<<MATCHSTR>>`, `<<MATCHSEG1>>`...)
//! into the template's text once per matched field. Field names are known only at run
//! time, so the template is compiled once with the placeholders left in its field names
//! and string literals, and each run fills them in:
//!
//! - a field of the template whose name holds a placeholder (`<<FIELD>>`, `x_<<MATCHSTR>>`)
//!   is set, before the template runs, to the field its substituted name names; when no
//!   such field exists and the substituted name is a number (`<<MATCHSTR>>` of `test1` is
//!   `1`), to that number, as the substituted text would read;
//! - a string literal holding a placeholder is compiled as a field whose name is the
//!   literal in double quotes; it is set to the substituted text;
//! - after the template, each such field that the template changed is moved to its
//!   substituted name (or that field is removed when the template removed it); the
//!   others, and the literal fields, are removed.
//!
//! The fields matched are those of the row when `foreach` begins with it, and those named
//! by a pattern without a wildcard whether the row has them or not (Splunk's
//! `foreach name price [eval <<FIELD>> = "<<FIELD>>"]` makes both fields), in byte order
//! of their names, each once; a wildcard does not match names starting with `_` unless the
//! pattern starts with `_` itself.

use super::{Compile, FieldGlob, PerField, Pipeline, RunOptions, Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{Code, ForeachPlaceholders, ForeachStage};
use crate::value::{parse_number, Value};

/// A field of the template whose name holds a placeholder.
struct Slot {
    /// The field, as the template names it.
    id: FieldId,
    /// Its name (for a literal, the literal's text without the quotes).
    name: String,
    /// True for a string literal: the slot holds the substituted text.
    literal: bool,
}

/// What to put in a slot for one matched field, and where it goes back.
enum Fill {
    /// The value of this field (the substituted name), or else this number.
    Field(FieldId, Option<f64>),
    /// This text.
    Text(String),
}

/// What the template gets for one matched field.
struct Matched {
    name: Box<str>,
    fills: Vec<Fill>,
}

/// `| foreach` in `mode=multifield`; see the module documentation.
pub struct Foreach {
    globs: Vec<(FieldGlob, bool)>,
    placeholders: ForeachPlaceholders,
    slots: Vec<Slot>,
    template: Pipeline,
    /// For each field id: its index in `matched`, or `u32::MAX` when no pattern matches.
    decided: PerField<u32>,
    matched: Vec<Matched>,
    /// The fields named by patterns without a wildcard: the template runs for them
    /// whether the row has them or not.
    named: Vec<FieldId>,
    /// The fields of the current row (reused).
    ids: Vec<FieldId>,
    /// The fields of the current row to run the template for (reused).
    todo: Vec<u32>,
    /// The template's output (reused).
    buf: Vec<Record>,
    /// What each slot was given for the current run (reused).
    filled: Vec<Option<Value>>,
}

const NO_MATCH: u32 = u32::MAX;

impl Foreach {
    /// The step of `stage`, its template's code compiled by `code`.
    pub fn new<C: Code>(
        stage: ForeachStage<C>,
        code: &mut impl Compile<C>,
        options: &RunOptions,
    ) -> Self {
        let slots = stage
            .names
            .iter()
            .map(
                |n| match n.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    Some(inner) => Slot {
                        id: FieldId::intern(n),
                        name: inner.to_owned(),
                        literal: true,
                    },
                    None => Slot {
                        id: FieldId::intern(n),
                        name: n.clone(),
                        literal: false,
                    },
                },
            )
            .collect();
        let named = stage
            .patterns
            .iter()
            .filter(|p| !p.is_wildcard())
            .map(|p| FieldId::intern(p.as_str()))
            .collect();
        Foreach {
            named,
            globs: stage
                .patterns
                .iter()
                .map(|p| (FieldGlob::new(p.as_str()), p.as_str().starts_with('_')))
                .collect(),
            placeholders: stage.placeholders,
            slots,
            template: Pipeline::of(stage.template, code, options.clone()),
            decided: PerField::default(),
            matched: Vec::new(),
            ids: Vec::new(),
            todo: Vec::new(),
            buf: Vec::new(),
            filled: Vec::new(),
        }
    }

    /// What `field` gets, decided once per field id.
    fn decide(&mut self, field: FieldId) -> u32 {
        let Foreach {
            globs,
            placeholders,
            slots,
            decided,
            matched,
            ..
        } = self;
        decided.get_or(field, |field| {
            let name = field.name();
            if slots.iter().any(|s| s.id == field) {
                return NO_MATCH;
            }
            let caps = globs.iter().find_map(|(glob, internal)| {
                (*internal || !glob.is_wildcard() || !name.starts_with('_'))
                    .then(|| glob.captures(name))
                    .flatten()
            });
            let Some(caps) = caps else {
                return NO_MATCH;
            };
            let fills = slots
                .iter()
                .map(|slot| {
                    let text = substitute(&slot.name, placeholders, name, &caps);
                    if slot.literal {
                        Fill::Text(text)
                    } else {
                        let number = parse_number(&text);
                        Fill::Field(FieldId::intern(&text), number)
                    }
                })
                .collect();
            matched.push(Matched {
                name: name.into(),
                fills,
            });
            u32::try_from(matched.len() - 1).unwrap_or(NO_MATCH)
        })
    }

    /// Run the template for one matched field; `None` when it dropped the row.
    fn run(&mut self, mut row: Record, which: u32) -> Option<Record> {
        let m = &self.matched[which as usize];
        self.filled.clear();
        for (slot, fill) in self.slots.iter().zip(&m.fills) {
            let value = match fill {
                Fill::Text(text) => Some(Value::Str(text.clone())),
                Fill::Field(f, number) => row.get(*f).cloned().or_else(|| number.map(Value::Num)),
            };
            match &value {
                Some(v) => row.set(slot.id, v.clone()),
                None => {
                    row.remove(slot.id);
                }
            }
            self.filled.push(value);
        }
        self.template.push(row, &mut self.buf);
        let mut row = self.buf.pop()?;
        self.buf.clear();
        for ((slot, fill), before) in self.slots.iter().zip(&m.fills).zip(&self.filled) {
            let value = row.remove(slot.id);
            // Only what the template changed goes back: a name only read, or read through
            // two placeholders, leaves the field as the template left it.
            let Fill::Field(target, _) = fill else {
                continue;
            };
            if value == *before {
                continue;
            }
            match value {
                Some(v) => row.set(*target, v),
                None => {
                    row.remove(*target);
                }
            }
        }
        Some(row)
    }
}

/// `text` with the placeholders replaced for the field `name`, whose wildcards matched
/// `caps`.
fn substitute(text: &str, p: &ForeachPlaceholders, name: &str, caps: &[&str]) -> String {
    let matchstr = caps.concat();
    let seg = |i: usize| caps.get(i).copied().unwrap_or("");
    let mut out = text.to_owned();
    for (placeholder, with) in [
        (p.field.as_str(), name),
        (p.matchstr.as_str(), matchstr.as_str()),
        (p.matchseg[0].as_str(), seg(0)),
        (p.matchseg[1].as_str(), seg(1)),
        (p.matchseg[2].as_str(), seg(2)),
    ] {
        if !placeholder.is_empty() {
            out = out.replace(placeholder, with);
        }
    }
    out
}

impl Step for Foreach {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        let mut todo = std::mem::take(&mut self.todo);
        todo.clear();
        let mut ids = std::mem::take(&mut self.ids);
        ids.clear();
        ids.extend_from_slice(&self.named);
        ids.extend(row.iter().map(|(f, _)| f));
        for f in &ids {
            let which = self.decide(*f);
            if which != NO_MATCH {
                todo.push(which);
            }
        }
        self.ids = ids;
        todo.sort_unstable_by(|a, b| {
            self.matched[*a as usize]
                .name
                .cmp(&self.matched[*b as usize].name)
        });
        todo.dedup();
        let mut row = Some(row);
        for which in &todo {
            let Some(r) = row.take() else { break };
            row = self.run(r, *which);
        }
        self.todo = todo;
        if let Some(r) = row {
            out.push(r);
        }
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        self.template.finish(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_every_placeholder() {
        let p = ForeachPlaceholders::default();
        let caps = ["1", "2"];
        assert_eq!(
            substitute("<<FIELD>>-<<MATCHSTR>>-<<MATCHSEG2>>", &p, "t1a2", &caps),
            "t1a2-12-2"
        );
    }
}
