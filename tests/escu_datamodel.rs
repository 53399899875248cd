//! Three ESCU detections that `tstats` over `Endpoint.Processes`, run end to end on
//! hand-written Sysmon events: their `search` read from the catalog (`../shared/escu`),
//! the macros they need expanded from its `macros/*.yml` (see `src/escu_dm.rs`), through
//! the evaluator and through the code `build.rs` generated; both give the rows of
//! `data/datamodel/escu_expected.yml`, written by hand.

use std::collections::BTreeMap;

use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::{run, Rule};
use splc_tests::escu_dm::{escu_dm_macros_conf, escu_dm_searches};
use splc_tests::yaml::fields;
use splc_tests::Row;

mod escu_pack {
    include!(concat!(env!("OUT_DIR"), "/escu_datamodel_rules.rs"));
}

fn expected() -> BTreeMap<String, Vec<Row>> {
    let path = splc_tests::data("datamodel/escu_expected.yml");
    let text = std::fs::read_to_string(&path).expect("the expected rows read");
    let yaml: BTreeMap<String, Vec<serde_norway::Value>> =
        serde_norway::from_str(&text).expect("the expected rows parse");
    yaml.into_iter()
        .map(|(k, rows)| {
            (
                k,
                rows.iter()
                    .map(|r| fields(r).into_iter().collect())
                    .collect(),
            )
        })
        .collect()
}

fn rows_of(rule: &mut dyn Rule) -> Vec<Row> {
    let events = splc_tests::events(&splc_tests::data("datamodel/escu_sysmon.xml"), None);
    splc_tests::rows(&run(rule, &events).expect("the rule gives its rows"))
}

#[test]
fn escu_process_detections_give_the_same_rows_in_both_back_ends() {
    let Some(escu) = splc_tests::corpus("escu", "escu_process_detections") else {
        return;
    };
    let searches = escu_dm_searches(&escu).expect("the detections read");
    let names: Vec<String> = searches.iter().map(|(n, _)| n.clone()).collect();
    let mut macros = MacroTable::new();
    macros
        .add_conf_str(
            &escu_dm_macros_conf(&escu, &names).expect("the macros read"),
            "escu macros",
        )
        .expect("the macros parse");
    let expected = expected();
    let mut generated: BTreeMap<String, Box<dyn Rule>> =
        escu_pack::all_rules_with(&RunOptions::default())
            .into_iter()
            .map(|r| (r.info().id.into_owned(), r))
            .collect();
    assert_eq!(escu_pack::all_rules().len(), names.len());
    assert_eq!(escu_pack::RULES.len(), names.len());
    for (name, search) in &searches {
        let compiled = spl_compiler::compile_spl(search, name, &macros)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut eval = EvalRule::from_compiled_with(&compiled, RunOptions::default());
        let by_eval = rows_of(&mut eval);
        let mut code = generated
            .remove(name)
            .unwrap_or_else(|| panic!("{name} was not generated"));
        let by_code = rows_of(code.as_mut());
        assert_eq!(by_eval, by_code, "{name}: the back ends differ");
        assert_eq!(Some(&by_eval), expected.get(name), "{name}");
    }
}

/// How many of the catalog's `tstats` detections compile (with the catalog's macros, the
/// CIM add-on's `drop_dm_object_name` and empty `_filter` macros); the first error of the
/// others, counted, is printed. A floor guards against regressions.
#[test]
fn escu_tstats_detections_compile() {
    let Some(escu) = splc_tests::corpus("escu", "escu_tstats_detections") else {
        return;
    };
    let mut files = Vec::new();
    collect_yml(&escu.join("detections"), &mut files);
    files.sort();
    let mut searches = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(yaml) = serde_norway::from_str::<serde_norway::Value>(&text) else {
            continue;
        };
        let Some(search) = yaml.get("search").and_then(|v| v.as_str()) else {
            continue;
        };
        if !search.contains("tstats") {
            continue;
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        searches.push((name, search.to_owned()));
    }
    let names: Vec<String> = searches.iter().map(|(n, _)| n.clone()).collect();
    let mut macros = MacroTable::new();
    macros
        .add_conf_str(
            &escu_dm_macros_conf(&escu, &names).expect("the macros read"),
            "escu macros",
        )
        .expect("the macros parse");
    let mut ok = 0;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (name, search) in &searches {
        match spl_compiler::compile_spl(search, name, &macros) {
            Ok(_) => ok += 1,
            Err(e) => {
                let text = e.to_string();
                let first = text.lines().next().unwrap_or_default().to_owned();
                *reasons.entry(first).or_default() += 1;
            }
        }
    }
    let mut top: Vec<_> = reasons.into_iter().collect();
    top.sort_by_key(|b| std::cmp::Reverse(b.1));
    let summary: Vec<String> = top
        .iter()
        .take(15)
        .map(|(r, n)| format!("{n:5} {r}"))
        .collect();
    println!(
        "{ok} of {} tstats detections compile; first errors of the others:\n{}",
        searches.len(),
        summary.join("\n")
    );
    assert!(searches.len() > 700, "{} tstats detections", searches.len());
    assert!(ok >= 1, "{ok} compile");
}

fn collect_yml(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_yml(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml") {
            out.push(p);
        }
    }
}
