//! `top` and `rare`: the most and least common combinations of values.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{compare_values, Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::TopStage;
use crate::value::Value;

/// The counts of one `by` group.
#[derive(Default)]
struct Group {
    /// Rows of the group that have every counted field.
    rows: u64,
    /// Each combination's index in `combos`.
    index: HashMap<Vec<String>, usize>,
    /// Combinations and their counts, in order of first appearance.
    combos: Vec<(Vec<String>, u64)>,
}

/// `top` / `rare`: per group of the `by` fields (groups ordered as `stats` orders them,
/// rows without a `by` field left out), the combinations of the fields' values (each value
/// of a multivalue counts; rows without one of the fields are left out), most common first
/// for `top`, least common first for `rare`, ties in order of first appearance; at most
/// `limit` of them (0: all). Each gives a row of the `by` fields, the fields, the count and
/// the percent of the group's rows (six decimals); with `useother`, one more row of the
/// other combinations, their fields set to the label.
pub struct Top {
    stage: TopStage,
    fields: Vec<FieldId>,
    by: Vec<FieldId>,
    groups: HashMap<Vec<String>, Group>,
}

impl Top {
    /// The step of a `top` or `rare` stage.
    pub fn new(stage: TopStage) -> Self {
        Top {
            fields: stage.fields.iter().map(|f| FieldId::intern(f)).collect(),
            by: stage.by.iter().map(|f| FieldId::intern(f)).collect(),
            stage,
            groups: HashMap::new(),
        }
    }

    /// Each value of each field of `ids` in `row`, or `None` when one is missing.
    fn values(row: &Record, ids: &[FieldId]) -> Option<Vec<Vec<String>>> {
        ids.iter()
            .map(|id| Some(row.get(*id)?.iter_str().map(|s| s.into_owned()).collect()))
            .collect()
    }

    fn row(&self, key: &[String], combo: &[String], count: u64, rows: u64) -> Record {
        let mut out = Record::with_capacity(key.len() + combo.len() + 2);
        for (name, v) in self.stage.by.iter().zip(key) {
            out.set_named(name, v.as_str());
        }
        for (name, v) in self.stage.fields.iter().zip(combo) {
            out.set_named(name, v.as_str());
        }
        if let Some(c) = &self.stage.countfield {
            out.set_named(c, Value::Num(count as f64));
        }
        if let Some(p) = &self.stage.percentfield {
            let percent = if rows == 0 {
                0.0
            } else {
                count as f64 * 100.0 / rows as f64
            };
            out.set_named(p, format!("{percent:.6}"));
        }
        out
    }
}

/// Every combination of one value from each list.
fn product(lists: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    for list in lists {
        out = out
            .iter()
            .flat_map(|prefix| {
                list.iter().map(move |v| {
                    let mut c = prefix.clone();
                    c.push(v.clone());
                    c
                })
            })
            .collect();
    }
    out
}

impl Step for Top {
    fn push(&mut self, row: Record, _out: &mut Vec<Record>) {
        let (Some(key), Some(values)) = (
            Self::values(&row, &self.by),
            Self::values(&row, &self.fields),
        ) else {
            return;
        };
        let key: Vec<String> = key
            .into_iter()
            .filter_map(|v| v.into_iter().next())
            .collect();
        let group = self.groups.entry(key).or_default();
        group.rows += 1;
        for combo in product(&values) {
            match group.index.get(&combo) {
                Some(&i) => group.combos[i].1 += 1,
                None => {
                    group.index.insert(combo.clone(), group.combos.len());
                    group.combos.push((combo, 1));
                }
            }
        }
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let mut groups: Vec<(Vec<String>, Group)> =
            std::mem::take(&mut self.groups).into_iter().collect();
        groups.sort_by(|(a, _), (b, _)| {
            a.iter()
                .zip(b)
                .map(|(x, y)| {
                    compare_values(Some(&Value::Str(x.clone())), Some(&Value::Str(y.clone())))
                })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
        let rare = self.stage.rare;
        for (key, group) in groups {
            let mut combos = group.combos;
            // A stable sort keeps ties in order of first appearance.
            combos.sort_by(|a, b| if rare { a.1.cmp(&b.1) } else { b.1.cmp(&a.1) });
            let limit = match self.stage.limit {
                0 => combos.len(),
                n => usize::try_from(n).unwrap_or(usize::MAX).min(combos.len()),
            };
            for (combo, count) in &combos[..limit] {
                out(self.row(&key, combo, *count, group.rows));
            }
            if let Some(label) = &self.stage.other {
                let rest: u64 = combos[limit..].iter().map(|(_, c)| c).sum();
                if rest > 0 {
                    let combo = vec![label.clone(); self.fields.len()];
                    out(self.row(&key, &combo, rest, group.rows));
                }
            }
        }
        Ok(())
    }
}
