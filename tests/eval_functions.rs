//! The eval corpus (`data/eval/cases.yml`): each case's expression over its event gives the
//! value written by hand from Splunk's search reference, in the evaluator and in the code
//! `build.rs` generated for the same rule.

use std::collections::BTreeMap;

use serde_norway::Value as Yaml;
use spl_engine::EvalRule;
use spl_runtime::rule::{run, Rule};
use spl_runtime::{Record, Value};
use splc_tests::yaml::text;

/// The cases compiled by `build.rs` (one rule per case, named after it).
mod eval_pack {
    include!(concat!(env!("OUT_DIR"), "/eval_rules.rs"));
}

/// One case of `cases.yml`.
struct Case {
    name: String,
    eval: String,
    event: Record,
    expect: Option<Value>,
}

/// A field value from YAML: a list is a multivalue.
fn value(v: &Yaml) -> Value {
    match v {
        Yaml::Sequence(items) => Value::Multi(items.iter().map(text).collect()),
        scalar => Value::Str(text(scalar)),
    }
}

fn cases() -> Vec<Case> {
    let items = splc_tests::yaml::cases("eval/cases.yml");
    items
        .iter()
        .map(|item| {
            let field = |k: &str| {
                item.get(k)
                    .unwrap_or_else(|| panic!("{k} missing in {item:?}"))
            };
            let mut event = Record::new();
            event.set_raw("event");
            if let Some(Yaml::Mapping(fields)) = item.get("event") {
                for (k, v) in fields {
                    event.set_named(&text(k), value(v));
                }
            }
            Case {
                name: text(field("name")),
                eval: text(field("eval")),
                event,
                expect: match field("expect") {
                    Yaml::Null => None,
                    v => Some(value(v)),
                },
            }
        })
        .collect()
}

/// The value of `out` the rule gives for the case's event, as texts (numbers as eval
/// prints them).
fn out(rule: &mut dyn Rule, case: &Case) -> Option<Vec<String>> {
    let rows = run(rule, [&case.event]).expect("the rule gives its rows");
    assert_eq!(rows.len(), 1, "{}: one row", case.name);
    rows[0].get_named("out").map(texts)
}

fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::Multi(values) => values.clone(),
        other => vec![other.to_string()],
    }
}

/// Check every case with `rule_of`, reporting every disagreement at once.
fn check(engine: &str, mut rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
    let cases = cases();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = out(rule_of(case).as_mut(), case);
            (got != case.expect.as_ref().map(texts)).then(|| {
                format!(
                    "{} `{}`: expected {:?}, got {got:?}",
                    case.name, case.eval, case.expect
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{engine}:\n{}", failures.join("\n"));
}

#[test]
fn evaluator_gives_the_expected_values() {
    check("evaluator", |case| {
        let spl = format!("* | eval out={} | table out", case.eval);
        let rule = EvalRule::from_spl(&spl, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        Box::new(rule)
    });
}

#[test]
fn generated_code_gives_the_expected_values() {
    let mut rules: BTreeMap<String, Box<dyn Rule>> = eval_pack::all_rules()
        .into_iter()
        .map(|r| (r.info().id.into_owned(), r))
        .collect();
    assert_eq!(
        eval_pack::RULES.len(),
        cases().len(),
        "one generated type per case"
    );
    check("generated code", |case| {
        rules
            .remove(&case.name)
            .unwrap_or_else(|| panic!("{} was not generated", case.name))
    });
}
