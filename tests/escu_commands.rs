//! The field commands of Splunk's ESCU catalog (`data/escu/cases.yml`: `convert`, `spath`,
//! `mvexpand`, `makemv`, `replace`, `addtotals`, `top`, `rare`, `xmlkv`, `fromjson`): each case's rule over its
//! events gives the rows written by hand from Splunk's documentation, in the evaluator and
//! in the code `build.rs` generated for the same rule.

use std::collections::BTreeMap;

use spl_engine::EvalRule;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::Rule;
use splc_tests::row_cases::{self, Case};

/// The cases compiled by `build.rs` (one rule per case, named after it).
mod escu_pack {
    include!(concat!(env!("OUT_DIR"), "/escu_rules.rs"));
}

fn cases() -> Vec<Case> {
    row_cases::cases("escu/cases.yml")
}

fn check(engine: &str, rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
    row_cases::check(engine, &cases(), rule_of);
}

#[test]
fn evaluator_gives_the_expected_rows() {
    check("evaluator", |case| {
        let compiled = spl_compiler::compile_spl(&case.spl, &case.name, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        Box::new(EvalRule::from_compiled_with(
            &compiled,
            RunOptions::default(),
        ))
    });
}

#[test]
fn generated_code_gives_the_expected_rows() {
    let mut rules: BTreeMap<String, Box<dyn Rule>> =
        escu_pack::all_rules_with(&RunOptions::default())
            .into_iter()
            .map(|r| (r.info().id.into_owned(), r))
            .collect();
    assert_eq!(escu_pack::RULES.len(), cases().len());
    assert_eq!(escu_pack::all_rules().len(), cases().len());
    check("generated code", |case| {
        rules
            .remove(&case.name)
            .unwrap_or_else(|| panic!("{} was not generated", case.name))
    });
}

/// Bad uses of the commands are lowering errors with a span, not panics.
#[test]
fn bad_arguments_are_errors() {
    for spl in [
        "* | convert",
        "* | convert ctime(a) AS",
        "* | convert auto(a)",
        "* | convert frob(a)",
        "* | convert ctime()",
        "* | convert ctime",
        "* | convert ctime(a*) AS b",
        "* | spath output=x",
        "* | spath a b",
        "* | mvexpand",
        "* | mvexpand a b",
        "* | mvexpand a limit=x",
        "* | makemv delim=\",\"",
        "* | makemv tokenizer=\"(\" a",
        "* | makemv allowempty=maybe a",
        "* | replace a",
        "* | replace a WITH",
        "* | replace a TO b",
        "* | replace IN f",
        "* | addtotals col=t",
        "* | addtotals row=f a",
        "* | top",
        "* | top limit=x a",
        "* | rare by host",
        "* | top a bogus=1",
        "* | xmlkv a b",
        "* | xmlkv maxinputs=x",
        "* | fromjson",
        "* | fromjson a bogus=1",
        "* | convert ctime(a) [search b]",
        "* | inputlookup users",
        "* | inputlookup append=t",
        "* | inputlookup append=t users where user=a",
        "* | inputlookup append=maybe users",
        "* | join user [| inputlookup]",
        "* | join user [| inputlookup users WHERE a=b]",
    ] {
        let err = spl_compiler::compile_spl(spl, "bad", &Default::default());
        assert!(err.is_err(), "{spl} should not compile");
    }
}
