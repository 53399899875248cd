//! The rules' plans on a Ballista cluster: a scheduler and two executors started in this
//! process, on loopback, all three from one session that holds the rule pack's functions
//! (as every process of a real cluster would load the same pack). Every query of the
//! search-language corpus and a set of rules with commands, over a Parquet file, give the
//! evaluator's rows, in its order; so do the same plans on local DataFusion.

mod common;

use std::time::Duration;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use common::{batch_rows, corpus_with_commands, eval_rows};
use datafusion::prelude::{SessionConfig, SessionContext};
use spl_datafusion::input;
use spl_datafusion::remote::register_udfs;

/// Executors in the cluster.
const EXECUTORS: usize = 2;

/// Tasks each executor runs at once.
const TASKS_PER_EXECUTOR: usize = 2;

/// A client of the scheduler at `url`, once it accepts connections.
async fn scheduler_client(url: &str) -> SchedulerGrpcClient<tonic::transport::Channel> {
    let mut last = None;
    for _ in 0..100 {
        match SchedulerGrpcClient::connect(url.to_owned()).await {
            Ok(client) => return client,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the scheduler at {url} did not accept a connection: {last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ballista_cluster_gives_the_evaluators_rows() {
    let (events, queries, rules) = corpus_with_commands();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.parquet");
    // Small row groups, so that the scan is split among tasks.
    input::write_parquet(&events, &path, 8).expect("written");

    let local = input::session();
    input::register_parquet(&local, "events", &path)
        .await
        .expect("registered");

    // One session state with every function of the pack, from which the scheduler, the
    // executors and the client are all made.
    let config = SessionConfig::new_with_ballista().with_target_partitions(4);
    let pack = input::session_with_config(config);
    input::register_parquet(&pack, "events", &path)
        .await
        .expect("registered");
    let registered = register_udfs(&pack, "events", &rules)
        .await
        .expect("functions registered");
    assert!(registered > 50, "{registered} functions registered");
    let state = pack.state();

    let addr = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
        .await
        .expect("a scheduler");
    let scheduler = scheduler_client(&format!("http://localhost:{}", addr.port())).await;
    for _ in 0..EXECUTORS {
        ballista_executor::new_standalone_executor_from_state(
            scheduler.clone(),
            TASKS_PER_EXECUTOR,
            &state,
        )
        .await
        .expect("an executor");
    }
    let cluster =
        SessionContext::remote_with_state(&format!("df://localhost:{}", addr.port()), state)
            .await
            .expect("a client of the cluster");
    if !cluster.table_exist("events").expect("a table name") {
        input::register_parquet(&cluster, "events", &path)
            .await
            .expect("registered");
    }

    let mut with_rows = 0;
    let mut on_cluster = 0;
    for ((name, spl), rule) in queries.iter().zip(&rules) {
        let want = eval_rows(spl, &events);
        let frame = rule.frame(&local, "events").await.expect("a local plan");
        let got = batch_rows(&frame.collect().await.expect("run locally"));
        assert_eq!(got, want, "{name}: {spl} (local DataFusion)");

        let frame = rule.frame(&cluster, "events").await.expect("a plan");
        // The client's plan is one node that hands the query to the scheduler (or, for a
        // plan that the optimizer knows gives no row, an empty one).
        let plan = frame.clone().create_physical_plan().await.expect("planned");
        let distributed = plan.name() == "DistributedQueryExec";
        if !want.is_empty() {
            assert!(distributed, "{name}: {}", plan.name());
        }
        on_cluster += usize::from(distributed);
        let batches = frame
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{name}: {spl}: run on the cluster: {e}"));
        assert_eq!(batch_rows(&batches), want, "{name}: {spl} (Ballista)");
        with_rows += usize::from(!want.is_empty());
    }
    println!(
        "{} rules, {on_cluster} run on a Ballista scheduler and {EXECUTORS} executors, \
         {with_rows} with rows",
        rules.len()
    );
    assert!(with_rows > 40, "{with_rows} rules with rows");
}
