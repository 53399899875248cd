//! The `eval` step.

use super::{ExprFn, Step};
use crate::event::{Event, Record};
use crate::field::FieldId;

/// `| eval a=x, b=y`: assignments run left to right and see the results of earlier ones;
/// a null result removes the field.
pub struct Eval {
    assigns: Vec<(Target, ExprFn)>,
}

/// The field an assignment sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// This field.
    Field(FieldId),
    /// `{field}`: the field named by this field's value in the row (its first value, as
    /// text); a row without it (or with an empty name) gets no assignment.
    NamedBy(FieldId),
}

impl Eval {
    /// Assign each field the value of its function, in order.
    pub fn new(assigns: Vec<(FieldId, ExprFn)>) -> Self {
        Eval::with_targets(
            assigns
                .into_iter()
                .map(|(f, e)| (Target::Field(f), e))
                .collect(),
        )
    }

    /// Assign each target the value of its function, in order.
    pub fn with_targets(assigns: Vec<(Target, ExprFn)>) -> Self {
        Eval { assigns }
    }
}

/// The field a `{field}` target names in `row`. The name is known only per row, so it is
/// interned here (a look-up in the table of names; a new name is added once).
fn named_by(row: &Record, field: FieldId) -> Option<FieldId> {
    let value = row.get(field)?;
    let name = value.first_str();
    (!name.is_empty()).then(|| FieldId::intern(&name))
}

impl Step for Eval {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        for (target, f) in &self.assigns {
            let field = match *target {
                Target::Field(field) => field,
                Target::NamedBy(by) => match named_by(&row, by) {
                    Some(field) => field,
                    None => continue,
                },
            };
            match f.eval(&row) {
                Some(v) => row.set(field, v),
                None => {
                    row.remove(field);
                }
            }
        }
        out.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::pipeline::testing::{rec, run};
    use crate::value::Value;

    #[test]
    fn a_dynamic_target_is_named_by_the_row() {
        let key = FieldId::intern("key");
        let mut stage = Eval::with_targets(vec![(
            Target::NamedBy(key),
            ExprFn::new(|_: &Record| Some(Value::from("v"))),
        )]);
        let mut multi = rec(&[]);
        multi.set(key, Value::Multi(vec!["first".into(), "second".into()]));
        let out = run(
            &mut stage,
            vec![
                rec(&[("key", "user")]),
                rec(&[]),
                rec(&[("key", "")]),
                multi,
            ],
        );
        assert_eq!(out[0].get_named("user"), Some(&Value::from("v")));
        assert_eq!(out[0].get_named("key"), Some(&Value::from("user")));
        assert_eq!(out[1].get_named("v"), None, "no `key`: nothing assigned");
        assert_eq!(
            out[2].get_named(""),
            None,
            "an empty name: nothing assigned"
        );
        assert_eq!(out[3].get_named("first"), Some(&Value::from("v")));
        assert_eq!(out[3].get_named("second"), None);
    }

    #[test]
    fn eval_sees_earlier_assignments_and_null_removes() {
        let a = FieldId::intern("a");
        let b = FieldId::intern("b");
        let mut stage = Eval::new(vec![
            (a, ExprFn::new(|_: &Record| Some(Value::from("1")))),
            (b, ExprFn::new(move |r: &Record| r.get(a).cloned())),
            (a, ExprFn::new(|_: &Record| None)),
        ]);
        let out = run(&mut stage, vec![rec(&[("a", "0")])]);
        assert_eq!(out[0].get_named("a"), None);
        assert_eq!(out[0].get_named("b"), Some(&Value::from("1")));
    }
}
