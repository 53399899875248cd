//! The data-model corpus (`data/datamodel/cases.yml`: `tstats`, `from datamodel`,
//! `datamodel ... search`): each case's rule over the events of its files gives the rows
//! written by hand from the CIM's field definitions and Splunk's documentation, in the
//! evaluator and in the code `build.rs` generated for the same rule, with the built-in
//! mappings and the test's mapping file.

use std::collections::BTreeMap;

use serde_norway::Value as Yaml;
use spl_engine::EvalRule;
use spl_runtime::datamodel::DataModels;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::{run, Rule};
use spl_runtime::Record;
use splc_tests::yaml::{fields, text};
use splc_tests::Row;

/// The cases compiled by `build.rs` (one rule per case, named after it).
mod datamodel_pack {
    include!(concat!(env!("OUT_DIR"), "/datamodel_rules.rs"));
}

struct Case {
    name: String,
    spl: String,
    events: Vec<Record>,
    rows: Vec<Row>,
}

fn cases() -> Vec<Case> {
    splc_tests::yaml::cases("datamodel/cases.yml")
        .iter()
        .map(|item| {
            let list = |k: &str| match item.get(k) {
                Some(Yaml::Sequence(s)) => s.clone(),
                other => panic!("{k}: {other:?}"),
            };
            Case {
                name: text(&item["name"]),
                spl: text(&item["spl"]),
                events: list("files")
                    .iter()
                    .flat_map(|f| {
                        splc_tests::events(
                            &splc_tests::data(&format!("datamodel/{}", text(f))),
                            None,
                        )
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

fn options() -> (RunOptions, DataModels) {
    let models = DataModels::with_user_file(&splc_tests::data("datamodel/mappings.yml"))
        .expect("the test mappings read");
    let options = RunOptions {
        datamodels: models.clone(),
        ..RunOptions::default()
    };
    (options, models)
}

fn rows_of(rule: &mut dyn Rule, events: &[Record]) -> Vec<Row> {
    splc_tests::rows(&run(rule, events).expect("the rule gives its rows"))
}

fn check(engine: &str, models: &DataModels, mut rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
    let cases = cases();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = rows_of(rule_of(case).as_mut(), &case.events);
            (got != case.rows).then(|| {
                format!(
                    "{} `{}`:\n  expected {:?}\n  got      {got:?}",
                    case.name, case.spl, case.rows
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{engine}:\n{}", failures.join("\n"));
    let warnings = models.warnings();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn evaluator_gives_the_expected_rows() {
    let (options, models) = options();
    check("evaluator", &models, |case| {
        let compiled = spl_compiler::compile_spl(&case.spl, &case.name, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        Box::new(EvalRule::from_compiled_with(&compiled, options.clone()))
    });
}

#[test]
fn generated_code_gives_the_expected_rows() {
    let (options, models) = options();
    let mut rules: BTreeMap<String, Box<dyn Rule>> = datamodel_pack::all_rules_with(&options)
        .into_iter()
        .map(|r| (r.info().id.into_owned(), r))
        .collect();
    assert_eq!(datamodel_pack::RULES.len(), cases().len());
    assert_eq!(datamodel_pack::all_rules().len(), cases().len());
    check("generated code", &models, |case| {
        rules
            .remove(&case.name)
            .unwrap_or_else(|| panic!("{} was not generated", case.name))
    });
}

/// A rule over a dataset is a candidate for every event: the pack index must not skip it
/// for lacking the text of its `where` (which names the dataset's fields, not the event's).
#[test]
fn a_tstats_rule_has_no_witness() {
    let compiled = spl_compiler::compile_spl(
        "| tstats count from datamodel=Endpoint.Processes where Processes.process_name=net.exe by Processes.dest",
        "w",
        &Default::default(),
    )
    .expect("compiles");
    let rule = EvalRule::from_compiled_with(&compiled, RunOptions::default());
    assert_eq!(rule.witness(), None);
    assert!(compiled.program.prefilter().is_empty());
    assert_eq!(
        *compiled.program.filter(),
        spl_runtime::ir::Pred::constant(true)
    );
}

/// A dataset no mapping covers gives no events and one warning; so does a model splc
/// does not know.
#[test]
fn an_uncovered_dataset_warns_once() {
    let events = splc_tests::events(&splc_tests::data("datamodel/sysmon.xml"), None);
    for spl in [
        "| tstats count from datamodel=Endpoint.Services by Services.service_name",
        "| from datamodel:Risk.All_Risk",
    ] {
        let models = DataModels::builtin();
        let options = RunOptions {
            datamodels: models.clone(),
            ..RunOptions::default()
        };
        let compiled = spl_compiler::compile_spl(spl, "w", &Default::default()).expect("compiles");
        let mut rule = EvalRule::from_compiled_with(&compiled, options);
        assert_eq!(rows_of(&mut rule, &events), Vec::<Row>::new(), "{spl}");
        let warnings = models.warnings();
        assert_eq!(warnings.len(), 1, "{spl}: {warnings:?}");
    }
}

/// Lowering errors: position, missing `from`, unsupported options and forms.
#[test]
fn bad_uses_are_lowering_errors() {
    for (spl, message) in [
        (
            "index=x | tstats count from datamodel=Endpoint.Processes",
            "must be the first command",
        ),
        (
            "| tstats count where index=main by host",
            "without `from datamodel=...`",
        ),
        (
            "| tstats prestats=t count from datamodel=Endpoint.Processes",
            "option `prestats`",
        ),
        (
            "| tstats summariesonly=maybe count from datamodel=Endpoint.Processes",
            "true or false",
        ),
        (
            "| tstats count from datamodel=Endpoint.Processes by _time span=fast",
            "time span",
        ),
        ("| from lookup:users", "only `from datamodel:"),
        ("| datamodel Endpoint", "datamodel <model> <dataset> search"),
        (
            "| datamodel Endpoint Processes acceleration_search",
            "search mode",
        ),
        (
            "| stats count | from datamodel:Endpoint.Processes",
            "must be the first command",
        ),
    ] {
        let err = spl_compiler::compile_spl(spl, "bad", &Default::default())
            .err()
            .unwrap_or_else(|| panic!("`{spl}` compiled"));
        let text = err.to_string();
        assert!(text.contains(message), "`{spl}`: {text}");
    }
}

/// In a pack with a rule the index can narrow, the data-model rules are unindexed and
/// give the same rows with the index as without it.
#[test]
fn the_pack_index_never_skips_a_data_model_rule() {
    use spl_runtime::pack::RulePack;
    let cases = cases();
    let rules = |cases: &[Case]| -> Vec<Box<dyn Rule>> {
        let mut rules: Vec<Box<dyn Rule>> = cases
            .iter()
            .map(|c| {
                let compiled = spl_compiler::compile_spl(&c.spl, &c.name, &Default::default())
                    .expect("compiles");
                Box::new(EvalRule::from_compiled_with(&compiled, options().0)) as Box<dyn Rule>
            })
            .collect();
        let narrow =
            spl_compiler::compile_spl("EventID=4688 whoami", "narrow", &Default::default())
                .expect("compiles");
        rules.push(Box::new(EvalRule::from_compiled_with(
            &narrow,
            RunOptions::default(),
        )));
        rules
    };
    let events: Vec<Record> = ["sysmon.xml", "security.xml", "events.jsonl"]
        .iter()
        .flat_map(|f| splc_tests::events(&splc_tests::data(&format!("datamodel/{f}")), None))
        .collect();
    let run_pack = |mut pack: RulePack| {
        let mut out = Vec::new();
        for e in &events {
            pack.push(e.clone(), &mut out);
        }
        let mut rows: Vec<(u32, Row)> = out
            .into_iter()
            .map(|(i, r)| (i, splc_tests::rows(&[r]).remove(0)))
            .collect();
        let stopped = pack.finish(&mut |i, r| rows.push((i, splc_tests::rows(&[r]).remove(0))));
        assert!(stopped.is_empty());
        rows
    };
    let indexed = RulePack::new(rules(&cases));
    let index = indexed.index().expect("an index");
    assert_eq!(index.unindexed(), cases.len());
    let with_index = run_pack(indexed);
    let without = run_pack(RulePack::without_index(rules(&cases)));
    assert!(with_index.len() > cases.len(), "{} rows", with_index.len());
    assert_eq!(with_index, without);
}
