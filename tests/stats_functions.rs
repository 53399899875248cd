//! The stats corpus (`data/stats/cases.yml`) and the syntax corpus
//! (`data/syntax/cases.yml`: what Splunk's content catalog writes): each case's pipeline
//! over its events gives the rows written by hand from Splunk's search reference, in the
//! evaluator and in the code `build.rs` generated for the same rule.

use std::collections::BTreeMap;

use serde_norway::Value as Yaml;
use spl_engine::EvalRule;
use spl_runtime::rule::{run, Rule};
use spl_runtime::{Record, Value};
use splc_tests::yaml::{fields, text};

/// The cases compiled by `build.rs` (one rule per case, named after it).
mod stats_pack {
    include!(concat!(env!("OUT_DIR"), "/stats_rules.rs"));
}

/// One row: field name to its texts (a multivalue has several).
type Row = BTreeMap<String, Vec<String>>;

/// One case of `cases.yml`.
struct Case {
    name: String,
    spl: String,
    events: Vec<Record>,
    expect: Vec<Row>,
}

fn cases() -> Vec<Case> {
    let mut items = splc_tests::yaml::cases("stats/cases.yml");
    items.extend(splc_tests::yaml::cases("syntax/cases.yml"));
    let list = |item: &Yaml, key: &str| -> Vec<Yaml> {
        match item.get(key) {
            Some(Yaml::Sequence(items)) => items.clone(),
            other => panic!("{key} is not a list: {other:?}"),
        }
    };
    items
        .iter()
        .map(|item| {
            let field = |k: &str| {
                item.get(k)
                    .unwrap_or_else(|| panic!("{k} missing in {item:?}"))
            };
            let events = list(item, "events")
                .iter()
                .map(|e| {
                    let mut event = Record::new();
                    event.set_raw("event");
                    for (k, v) in fields(e) {
                        if k == "_time" {
                            let t = v[0].parse().expect("_time is a number");
                            event.set_time(t);
                        } else if v.len() == 1 {
                            event.set_named(&k, Value::Str(v[0].clone()));
                        } else {
                            event.set_named(&k, Value::Multi(v));
                        }
                    }
                    event
                })
                .collect();
            Case {
                name: text(field("name")),
                spl: text(field("spl")),
                events,
                expect: list(item, "expect")
                    .iter()
                    .map(|r| fields(r).into_iter().collect())
                    .collect(),
            }
        })
        .collect()
}

fn row_texts(row: &Record) -> Row {
    row.iter()
        .filter(|(f, _)| !f.name().starts_with('_'))
        .map(|(f, v)| {
            let texts = match v {
                Value::Multi(values) => values.clone(),
                other => vec![other.to_string()],
            };
            (f.name().to_owned(), texts)
        })
        .collect()
}

/// Check every case with `rule_of`, reporting every disagreement at once.
fn check(engine: &str, mut rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
    let cases = cases();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let mut rule = rule_of(case);
            let rows = run(rule.as_mut(), case.events.iter()).expect("the rule gives its rows");
            let got: Vec<Row> = rows.iter().map(row_texts).collect();
            (got != case.expect).then(|| {
                format!(
                    "{} `{}`:\n  expected {:?}\n  got      {got:?}",
                    case.name, case.spl, case.expect
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{engine}:\n{}", failures.join("\n"));
}

#[test]
fn evaluator_gives_the_expected_rows() {
    check("evaluator", |case| {
        let spl = format!("* | {}", case.spl);
        let rule = EvalRule::from_spl(&spl, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        Box::new(rule)
    });
}

#[test]
fn generated_code_gives_the_expected_rows() {
    let mut rules: BTreeMap<String, Box<dyn Rule>> = stats_pack::all_rules()
        .into_iter()
        .map(|r| (r.info().id.into_owned(), r))
        .collect();
    assert_eq!(
        stats_pack::RULES.len(),
        cases().len(),
        "one generated type per case"
    );
    check("generated code", |case| {
        rules
            .remove(&case.name)
            .unwrap_or_else(|| panic!("{} was not generated", case.name))
    });
}
