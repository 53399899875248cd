//! The lookup corpus (`data/lookup/cases.yml`: `lookup`, `iplocation`, `join`): each
//! case's rule over its events gives the rows written by hand from Splunk's
//! documentation, in the evaluator and in the code `build.rs` generated for the same rule,
//! with the same lookup data.

use std::collections::BTreeMap;

use spl_engine::EvalRule;
use spl_runtime::geoip::{CityRecord, DatabaseWriter, GeoIp};
use spl_runtime::lookup::Lookups;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::Rule;
use splc_tests::row_cases::{self, Case};

/// The cases compiled by `build.rs` (one rule per case, named after it).
mod lookup_pack {
    include!(concat!(env!("OUT_DIR"), "/lookup_rules.rs"));
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

fn cases() -> Vec<Case> {
    row_cases::cases("lookup/cases.yml")
}

fn check(engine: &str, lookups: &Lookups, rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
    row_cases::check(engine, &cases(), rule_of);
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
