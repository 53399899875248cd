//! The lookup corpus (`data/lookup/cases.yml`: `lookup`, `iplocation`, `join`): each
//! case's rule over its events gives the rows written by hand from Splunk's
//! documentation, in the evaluator and in the code `build.rs` generated for the same rule,
//! with the same lookup data.

use std::collections::BTreeMap;

use serde_norway::Value as Yaml;
use spl_engine::EvalRule;
use spl_runtime::geoip::{CityRecord, DatabaseWriter, GeoIp};
use spl_runtime::lookup::Lookups;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::{run, Rule};
use spl_runtime::{Record, Value};
use splc_tests::yaml::{fields, text};

/// The cases compiled by `build.rs` (one rule per case, named after it).
mod lookup_pack {
    include!(concat!(env!("OUT_DIR"), "/lookup_rules.rs"));
}

struct Case {
    name: String,
    spl: String,
    events: Vec<Record>,
    rows: Vec<BTreeMap<String, Vec<String>>>,
}

fn cases() -> Vec<Case> {
    let items = splc_tests::yaml::cases("lookup/cases.yml");
    items
        .iter()
        .map(|item| {
            let list = |k: &str| match item.get(k) {
                Some(Yaml::Sequence(s)) => s.clone(),
                other => panic!("{k}: {other:?}"),
            };
            Case {
                name: text(&item["name"]),
                spl: text(&item["spl"]),
                events: list("events")
                    .iter()
                    .map(|e| {
                        let mut r = Record::new();
                        for (k, vs) in fields(e) {
                            for v in vs {
                                r.push_named(&k, v);
                            }
                        }
                        r
                    })
                    .collect(),
                rows: list("rows")
                    .iter()
                    .map(|r| fields(r).into_iter().collect())
                    .collect(),
            }
        })
        .collect()
}

/// The GeoIP database the `iplocation` cases read (described in `cases.yml`).
fn database() -> GeoIp {
    let mut writer = DatabaseWriter::new();
    writer
        .insert(
            "81.2.69.0/24",
            CityRecord::new()
                .city("en", "London")
                .country("GB", "en", "United Kingdom")
                .region("ENG", "en", "England")
                .continent("EU", "en", "Europe")
                .location(51.5142, -0.0931)
                .time_zone("Europe/London"),
        )
        .expect("a network");
    writer
        .insert(
            "2001:db8::/32",
            CityRecord::new().country("XL", "en", "Lab"),
        )
        .expect("a network");
    GeoIp::from_bytes(writer.to_bytes().expect("a database")).expect("the database reads")
}

fn options() -> (RunOptions, Lookups) {
    let dir = splc_tests::data("lookup");
    let lookups = Lookups::builder()
        .dir(dir.join("tables"))
        .transforms_file(&dir.join("transforms.conf"))
        .expect("the test definitions read")
        .geoip(database())
        .build();
    let options = RunOptions {
        lookups: lookups.clone(),
        ..RunOptions::default()
    };
    (options, lookups)
}

fn rows_of(rule: &mut dyn Rule, case: &Case) -> Vec<BTreeMap<String, Vec<String>>> {
    run(rule, &case.events)
        .expect("the rule gives its rows")
        .iter()
        .map(|row| {
            row.iter()
                .map(|(f, v)| {
                    let values = match v {
                        Value::Multi(vs) => vs.clone(),
                        other => vec![other.to_string()],
                    };
                    (f.name().to_owned(), values)
                })
                .collect()
        })
        .collect()
}

fn check(engine: &str, lookups: &Lookups, mut rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
    let cases = cases();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = rows_of(rule_of(case).as_mut(), case);
            (got != case.rows).then(|| {
                format!(
                    "{} `{}`:\n  expected {:?}\n  got      {got:?}",
                    case.name, case.spl, case.rows
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{engine}:\n{}", failures.join("\n"));
    // The one lookup without data says so, once.
    let warnings = lookups.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`no_such_table`"), "{warnings:?}");
}

#[test]
fn evaluator_gives_the_expected_rows() {
    let (options, lookups) = options();
    check("evaluator", &lookups, |case| {
        let compiled = spl_compiler::compile_spl(&case.spl, &case.name, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        Box::new(EvalRule::from_compiled_with(&compiled, options.clone()))
    });
}

#[test]
fn generated_code_gives_the_expected_rows() {
    let (options, lookups) = options();
    let mut rules: BTreeMap<String, Box<dyn Rule>> = lookup_pack::all_rules_with(&options)
        .into_iter()
        .map(|r| (r.info().id.into_owned(), r))
        .collect();
    assert_eq!(lookup_pack::RULES.len(), cases().len());
    assert_eq!(lookup_pack::all_rules().len(), cases().len());
    check("generated code", &lookups, |case| {
        rules
            .remove(&case.name)
            .unwrap_or_else(|| panic!("{} was not generated", case.name))
    });
}
