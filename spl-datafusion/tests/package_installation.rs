//! The armory's five "Package installation" rules (`../shared/armory/endpoint/
//! package_installation/*.yml`: the search, `regex`, three `rex`, `eval mvappend`,
//! `table` with wildcards, `bin span=1s`, `stats values(*) as * by _time, host`, and for
//! one of them `fields -`) give the evaluator's rows on DataFusion, in its order, over
//! the events of the main workspace's test (`tests/data/package_installation/`, read with
//! splc's readers and built-in field aliases) in memory and in Parquet. Skipped with one
//! `skipped:` line when `../shared` is absent.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{canon, df_rows, shared, Canon};
use spl_compiler::compile_file;
use spl_datafusion::{input, DfRule};
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::rule::{run, Rule};
use spl_runtime::Record;

/// Each variant and the files of its events, as the main workspace's test reads them.
const VARIANTS: &[(&str, &[&str])] = &[
    ("sysmon", &["sysmon.xml", "sysmon.log"]),
    ("winevent", &["winevent.xml", "winevent.log"]),
    ("edr", &["edr.jsonl"]),
    ("powershell", &["powershell.log", "powershell.xml"]),
    ("unix", &["unix.jsonl"]),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_package_installation_rules_give_the_evaluators_rows() {
    let test = "the_package_installation_rules_give_the_evaluators_rows";
    let Some(armory) = shared("armory", test) else {
        return;
    };
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/package_installation");
    let mut total = 0;
    for (variant, files) in VARIANTS {
        let path = armory.join(format!(
            "endpoint/package_installation/package_installation-splunk-{variant}.yml"
        ));
        let compiled = compile_file(&path, &MacroTable::new())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut events: Vec<Record> = Vec::new();
        for file in *files {
            let read = input::read_events(&data.join(file), Default::default())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(read.skipped, 0, "{file}");
            events.extend(read.records);
        }

        let mut evaluator = EvalRule::from_compiled(&compiled);
        let want: Vec<Canon> = run(&mut evaluator as &mut dyn Rule, events.iter())
            .expect("the evaluator runs")
            .iter()
            .map(canon)
            .collect();
        assert!(!want.is_empty(), "{variant}: the evaluator gives rows");

        let rule = DfRule::from_compiled(&compiled);
        let ctx = input::session();
        ctx.register_table(
            "events",
            Arc::new(input::events_table(&events, 2).expect("a table")),
        )
        .expect("registered");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let parquet = dir.path().join("events.parquet");
        input::write_parquet(&events, &parquet, 3).expect("written");
        input::register_parquet(&ctx, "parquet", &parquet)
            .await
            .expect("registered");
        for table in ["events", "parquet"] {
            let got = df_rows(&ctx, table, std::slice::from_ref(&rule))
                .await
                .remove(0);
            assert_eq!(got, want, "{variant} over {table}");
        }
        // What the rule means, by hand: one row per second and host, in `_time` order,
        // with no field but those the `table` listed.
        for row in &want {
            assert!(row.iter().any(|(f, _)| f == "_time"), "{variant}: {row:?}");
            assert!(row.iter().any(|(f, _)| f == "host"), "{variant}: {row:?}");
            assert!(
                !row.iter().any(|(f, _)| f == "reqs" || f == "_raw"),
                "{variant}: {row:?}"
            );
        }
        let times: Vec<f64> = want
            .iter()
            .filter_map(|row| row.iter().find(|(f, _)| f == "_time"))
            .filter_map(|(_, v)| v.first()?.parse().ok())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "{variant}: {times:?}"
        );
        assert!(
            times.iter().all(|t| t.fract() == 0.0),
            "{variant}: {times:?}"
        );
        println!(
            "{variant}: {} events, {} rows agree",
            events.len(),
            want.len()
        );
        total += want.len();
    }
    println!("package installation: {total} rows from 5 rules agree, in memory and in Parquet");
}
