//! Steps that extract or edit text with regexes: `rex`, `rex mode=sed`.

use super::{Compile, Step};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{Code, SedEdit};
use crate::regex::{Regex, Sed};
use crate::value::Value;

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

impl Step for Rex {
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
pub struct RexSed {
    field: FieldId,
    sed: Sed,
}

impl RexSed {
    /// Apply `edit` to `field`, its regex compiled by `code`.
    pub fn new<C: Code>(field: &str, edit: SedEdit<C>, code: &mut impl Compile<C>) -> Self {
        let edit = match edit {
            SedEdit::Substitute {
                regex,
                replacement,
                occurrence,
            } => SedEdit::Substitute {
                regex: code.regex(regex),
                replacement,
                occurrence,
            },
            SedEdit::Transliterate { from, to } => SedEdit::Transliterate { from, to },
        };
        RexSed {
            field: FieldId::intern(field),
            sed: Sed::new(edit),
        }
    }
}

impl Step for RexSed {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{rec, run};

    fn re(p: &str) -> Regex {
        Regex::new(p).expect("valid test regex")
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
}
