//! Stages that test or compute per row: `search`, `where`, `regex`, `eval`, `rex`.

use super::Stage;
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::regex::{Regex, Sed};
use crate::value::Value;

/// `| search <expr>` and `| where <expr>`: keep the rows for which the test is true.
pub struct Filter<F> {
    test: F,
}

impl<F> Filter<F>
where
    F: Fn(&Record) -> bool + Send,
{
    /// Keep rows for which `test` returns true.
    pub fn new(test: F) -> Self {
        Filter { test }
    }
}

impl<F> Stage for Filter<F>
where
    F: Fn(&Record) -> bool + Send,
{
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        if (self.test)(&row) {
            out.push(row);
        }
    }
}

/// `| regex field=re` / `field!=re`: with `=`, keep rows where some value of the field
/// matches (a missing field drops the row); with `!=`, keep rows where no value matches
/// (a missing field keeps the row).
pub struct RegexFilter {
    field: FieldId,
    regex: Regex,
    negated: bool,
}

impl RegexFilter {
    /// Test `field` against `regex`; `negated` for `!=`.
    pub fn new(field: &str, regex: Regex, negated: bool) -> Self {
        RegexFilter {
            field: FieldId::intern(field),
            regex,
            negated,
        }
    }
}

impl Stage for RegexFilter {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        let matched = row
            .get(self.field)
            .is_some_and(|v| v.iter_str().any(|s| self.regex.is_match(&s)));
        if matched != self.negated {
            out.push(row);
        }
    }
}

/// `| rex field=f "re"`: the named groups of the regex become fields. The first value of
/// the source field is searched (a multivalue source uses its first value); with
/// `max_match` above 1 (0 = unlimited) a group that matched several times gives a
/// multivalue. A group that captured nothing leaves its field as it was; a missing source
/// field changes nothing.
pub struct Rex {
    field: FieldId,
    regex: Regex,
    max_match: usize,
    outputs: Vec<(Box<str>, FieldId)>,
}

impl Rex {
    /// Extract from `field` with `regex`, applying it up to `max_match` times.
    pub fn new(field: &str, regex: Regex, max_match: u64) -> Self {
        let outputs = regex
            .named_groups()
            .map(|(_, name)| (Box::from(name), FieldId::intern(name)))
            .collect();
        Rex {
            field: FieldId::intern(field),
            regex,
            max_match: usize::try_from(max_match).unwrap_or(usize::MAX),
            outputs,
        }
    }
}

impl Stage for Rex {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let extracted: Vec<(FieldId, Value)> = match row.get(self.field) {
            None => Vec::new(),
            Some(v) => {
                let text = v.first_str();
                self.regex
                    .extract_named(&text, self.max_match)
                    .into_iter()
                    .filter_map(|(name, values)| {
                        let id = self.outputs.iter().find(|(n, _)| &**n == name)?.1;
                        let values: Vec<String> = values.into_iter().map(str::to_owned).collect();
                        Value::from_strings(values).map(|v| (id, v))
                    })
                    .collect()
            }
        };
        for (id, v) in extracted {
            row.set(id, v);
        }
        out.push(row);
    }
}

/// `| rex field=f mode=sed "s/re/repl/flags"`: edit the field in place (every value of a
/// multivalue field); a missing field changes nothing.
pub struct SedStage {
    field: FieldId,
    sed: Sed,
}

impl SedStage {
    /// Apply `sed` to `field`.
    pub fn new(field: &str, sed: Sed) -> Self {
        SedStage {
            field: FieldId::intern(field),
            sed,
        }
    }
}

impl Stage for SedStage {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let edited = match row.get(self.field) {
            None => None,
            Some(Value::Multi(values)) => Some(Value::Multi(
                values
                    .iter()
                    .map(|v| self.sed.apply(v).into_owned())
                    .collect(),
            )),
            Some(v) => Some(Value::Str(self.sed.apply(&v.first_str()).into_owned())),
        };
        if let Some(v) = edited {
            row.set(self.field, v);
        }
        out.push(row);
    }
}

/// A compiled eval assignment: computes a value from the row (`None` = null).
pub type EvalFn = Box<dyn Fn(&Record) -> Option<Value> + Send>;

/// `| eval a=x, b=y`: assignments run left to right and see the results of earlier ones;
/// a null result removes the field.
pub struct Eval {
    assigns: Vec<(FieldId, EvalFn)>,
}

impl Eval {
    /// Assign each field the value of its function, in order.
    pub fn new(assigns: Vec<(FieldId, EvalFn)>) -> Self {
        Eval { assigns }
    }
}

impl Stage for Eval {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        for (field, f) in &self.assigns {
            match f(&row) {
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

    fn rec(pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::new();
        for (k, v) in pairs {
            r.push_named(k, *v);
        }
        r
    }

    fn run(stage: &mut dyn Stage, rows: Vec<Record>) -> Vec<Record> {
        let mut out = Vec::new();
        for r in rows {
            stage.push(r, &mut out);
        }
        stage.finish(&mut out);
        out
    }

    fn re(p: &str) -> Regex {
        Regex::new(p).expect("valid test regex")
    }

    #[test]
    fn regex_filter_missing_field_rules() {
        let rows = || {
            vec![
                rec(&[("p", "pip install x")]),
                rec(&[("q", "x")]),
                rec(&[("p", "ls")]),
            ]
        };
        let kept = run(
            &mut RegexFilter::new("p", re("(?i)install\\s"), false),
            rows(),
        );
        assert_eq!(kept.len(), 1, "= drops the missing field and the non-match");
        let kept = run(
            &mut RegexFilter::new("p", re("(?i)install\\s"), true),
            rows(),
        );
        assert_eq!(
            kept.len(),
            2,
            "!= keeps the missing field and the non-match"
        );
    }

    #[test]
    fn regex_filter_multivalue_any_value() {
        let row = rec(&[("p", "a"), ("p", "install x")]);
        assert_eq!(
            run(
                &mut RegexFilter::new("p", re("install"), false),
                vec![row.clone()]
            )
            .len(),
            1
        );
        assert_eq!(
            run(&mut RegexFilter::new("p", re("install"), true), vec![row]).len(),
            0
        );
    }

    #[test]
    fn rex_extracts_named_groups_and_keeps_unmatched() {
        let mut stage = Rex::new(
            "process",
            re("(?i)(?P<reqs>requirements\\.txt)|(?P<other>zzz)"),
            1,
        );
        let out = run(
            &mut stage,
            vec![rec(&[
                ("process", "pip install -r Requirements.txt"),
                ("other", "keep"),
            ])],
        );
        assert_eq!(
            out[0].get_named("reqs"),
            Some(&Value::from("Requirements.txt"))
        );
        assert_eq!(out[0].get_named("other"), Some(&Value::from("keep")));
        let out = run(&mut stage, vec![rec(&[("nothing", "x")])]);
        assert_eq!(out[0].get_named("reqs"), None);
    }

    #[test]
    fn rex_max_match_gives_multivalue() {
        let mut stage = Rex::new("p", re("(?P<f>[^ ]+)"), 10);
        let out = run(&mut stage, vec![rec(&[("p", "/tmp/a /tmp/b")])]);
        assert_eq!(
            out[0].get_named("f"),
            Some(&Value::Multi(vec!["/tmp/a".into(), "/tmp/b".into()]))
        );
        let mut once = Rex::new("p", re("(?P<f>[^ ]+)"), 1);
        let out = run(&mut once, vec![rec(&[("p", "/tmp/a /tmp/b")])]);
        assert_eq!(out[0].get_named("f"), Some(&Value::from("/tmp/a")));
    }

    #[test]
    fn eval_sees_earlier_assignments_and_null_removes() {
        let a = FieldId::intern("a");
        let b = FieldId::intern("b");
        let mut stage = Eval::new(vec![
            (a, Box::new(|_: &Record| Some(Value::from("1")))),
            (b, Box::new(move |r: &Record| r.get(a).cloned())),
            (a, Box::new(|_: &Record| None)),
        ]);
        let out = run(&mut stage, vec![rec(&[("a", "0")])]);
        assert_eq!(out[0].get_named("a"), None);
        assert_eq!(out[0].get_named("b"), Some(&Value::from("1")));
    }
}
