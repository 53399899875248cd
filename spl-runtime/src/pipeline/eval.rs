//! The `eval` step.

use super::{ExprFn, Step};
use crate::event::Record;
use crate::field::FieldId;

/// `| eval a=x, b=y`: assignments run left to right and see the results of earlier ones;
/// a null result removes the field.
pub struct Eval {
    assigns: Vec<(FieldId, ExprFn)>,
}

impl Eval {
    /// Assign each field the value of its function, in order.
    pub fn new(assigns: Vec<(FieldId, ExprFn)>) -> Self {
        Eval { assigns }
    }
}

impl Step for Eval {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        for (field, f) in &self.assigns {
            match f.eval(&row) {
                Some(v) => row.set(*field, v),
                None => {
                    row.remove(*field);
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
