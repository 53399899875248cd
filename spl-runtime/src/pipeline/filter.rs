//! Steps that keep or drop rows: `search`, `where`, `regex`.

use super::{CondFn, Step};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::regex::Regex;

/// `| search <expr>` and `| where <expr>`: keep the rows for which the test holds.
pub struct Filter {
    test: CondFn,
}

impl Filter {
    /// Keep rows for which `test` holds.
    pub fn new(test: CondFn) -> Self {
        Filter { test }
    }
}

impl Step for Filter {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        if self.test.test(&row) {
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

impl Step for RegexFilter {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        let matched = row
            .get(self.field)
            .is_some_and(|v| v.iter_str().any(|s| self.regex.is_match(&s)));
        if matched != self.negated {
            out.push(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{rec, run};

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
}
