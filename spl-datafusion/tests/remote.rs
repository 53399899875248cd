//! Plans through bytes (DataFusion's protobuf codecs), as a distributed engine ships
//! them: every query of the search-language corpus and a set of rules with commands,
//! planned by one session over a Parquet file, encoded, decoded by a second session that
//! registered the same rules' functions, and run there, give the evaluator's rows, for the
//! logical plan and for the physical plan. A session without those functions refuses the
//! plan, naming the function.

mod common;

use common::{batch_rows as rows, corpus_with_commands, eval_rows};
use datafusion::prelude::SessionContext;
use spl_datafusion::remote::{
    logical_from_bytes, logical_to_bytes, physical_from_bytes, physical_to_bytes, plan_udfs,
    register_udfs,
};
use spl_datafusion::{input, DfRule};

#[tokio::test]
async fn plans_through_bytes_give_the_evaluators_rows() {
    let (events, queries, rules) = corpus_with_commands();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.parquet");
    input::write_parquet(&events, &path, 16).expect("written");

    // The sending side plans; the receiving side has the same rules and the same table.
    let sender = input::session();
    input::register_parquet(&sender, "events", &path)
        .await
        .expect("registered");
    let receiver = input::session();
    input::register_parquet(&receiver, "events", &path)
        .await
        .expect("registered");
    let registered = register_udfs(&receiver, "events", &rules)
        .await
        .expect("functions registered");
    assert!(registered > 50, "{registered} functions registered");

    let mut with_rows = 0;
    for ((name, spl), rule) in queries.iter().zip(&rules) {
        let want = eval_rows(spl, &events);
        let frame = rule.frame(&sender, "events").await.expect("a plan");

        let bytes = logical_to_bytes(frame.logical_plan()).expect("encoded");
        let plan = logical_from_bytes(&bytes, &receiver).expect("decoded");
        let got = receiver
            .execute_logical_plan(plan)
            .await
            .expect("planned")
            .collect()
            .await
            .expect("run");
        assert_eq!(
            rows(&got),
            want,
            "{name}: {spl} (logical plan through bytes)"
        );

        let physical = frame.create_physical_plan().await.expect("a physical plan");
        let bytes = physical_to_bytes(physical).expect("encoded");
        let plan = physical_from_bytes(&bytes, &receiver).expect("decoded");
        let got = datafusion::physical_plan::collect(plan, receiver.task_ctx())
            .await
            .expect("run");
        assert_eq!(
            rows(&got),
            want,
            "{name}: {spl} (physical plan through bytes)"
        );
        with_rows += usize::from(!want.is_empty());
    }
    println!(
        "{} rules through bytes, logical and physical; {with_rows} with rows",
        rules.len()
    );
    assert!(with_rows > 40, "{with_rows} rules with rows");
}

#[tokio::test]
async fn a_session_without_the_rules_functions_refuses_their_plans() {
    let events = common::events_from_text(r#"{"Image":"C:\\Windows\\cmd.exe"}"#);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.parquet");
    input::write_parquet(&events, &path, 16).expect("written");
    let rule =
        DfRule::from_spl("cmd", r#"Image="*\\cmd.exe""#, &Default::default()).expect("a rule");
    let sender = input::session();
    input::register_parquet(&sender, "events", &path)
        .await
        .expect("registered");
    let frame = rule.frame(&sender, "events").await.expect("a plan");
    let udfs = plan_udfs(frame.logical_plan()).expect("its functions");
    let name = udfs
        .scalar
        .iter()
        .map(|f| f.name().to_owned())
        .find(|n| n.starts_with("spl_"))
        .expect("a wildcard value needs a matcher function");
    let bytes = logical_to_bytes(frame.logical_plan()).expect("encoded");

    let bare = SessionContext::new();
    let err = logical_from_bytes(&bytes, &bare).expect_err("the function is unknown there");
    // DataFusion quotes the name as Rust's `Debug` does.
    let quoted = format!("{name:?}");
    let quoted = quoted.trim_matches('"');
    assert!(err.to_string().contains(quoted), "{err} names {name}");
}
