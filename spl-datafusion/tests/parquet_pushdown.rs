//! A plain comparison reaches the Parquet scan: `EventID=4688` over a file of small row
//! groups is a pruning predicate of the scan, and the row groups whose statistics rule
//! it out are not read.

mod common;

use common::options;
use datafusion::physical_plan::display::DisplayableExecutionPlan;
use datafusion::physical_plan::metrics::MetricValue;
use datafusion::physical_plan::{collect, displayable};
use spl_datafusion::{input, DfRule};

/// 40 events, `EventID` sorted into runs of ten: with row groups of ten rows, one row
/// group holds the 4688 events and three do not.
fn events_text() -> String {
    let mut text = String::new();
    for (id, name) in [
        (4624, "logon"),
        (4688, "process"),
        (4689, "exit"),
        (5156, "wfp"),
    ] {
        for i in 0..10 {
            text.push_str(&format!(
                "{{\"EventID\":\"{id}\",\"Image\":\"C:\\\\x\\\\{name}{i}.exe\",\"n\":\"{i}\"}}\n"
            ));
        }
    }
    text
}

#[tokio::test]
async fn event_id_prunes_row_groups_of_a_parquet_scan() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let jsonl = dir.path().join("events.jsonl");
    std::fs::write(&jsonl, events_text()).expect("the events");
    let path = dir.path().join("events.parquet");
    let (written, skipped) =
        input::convert_to_parquet(&jsonl, &path, 10, options()).expect("converted");
    assert_eq!((written, skipped), (40, 0));

    let ctx = input::session();
    input::register_parquet(&ctx, "events", &path)
        .await
        .expect("registered");
    let rule = DfRule::from_spl("r", "EventID=4688", &Default::default()).expect("compiles");
    let explained = rule.explain(&ctx, "events").await.expect("explained");
    println!("{explained}");
    // The logical plan hands the comparison to the scan (`partial_filters`: the scan
    // prunes with it, the filter above rechecks), the physical plan holds it in the scan.
    assert!(
        explained.contains(r#"partial_filters=[events.EventID = Utf8View("4688")]"#),
        "{explained}"
    );
    assert!(explained.contains("pruning_predicate="), "{explained}");
    let frame = rule.frame(&ctx, "events").await.expect("planned");
    let plan = frame.create_physical_plan().await.expect("a physical plan");

    let before = displayable(plan.as_ref()).indent(true).to_string();
    println!("{before}");
    // The predicate is in the scan, as a filter on rows and as a pruning predicate over
    // the row groups' statistics.
    let scan = before
        .lines()
        .find(|l| l.contains("DataSourceExec") && l.contains("parquet"))
        .expect("a Parquet scan");
    assert!(scan.contains("predicate=EventID@"), "{scan}");
    assert!(scan.contains("= 4688"), "{scan}");
    assert!(scan.contains("pruning_predicate="), "{scan}");
    assert!(
        scan.contains("EventID_min@") && scan.contains("EventID_max@"),
        "{scan}"
    );

    let ctx_task = ctx.task_ctx();
    let batches = collect(plan.clone(), ctx_task).await.expect("the rows");
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 10);

    // After the run, the scan's metrics count the row groups its statistics pruned.
    let mut pruning = None;
    let mut stack = vec![plan.clone()];
    while let Some(p) = stack.pop() {
        if let Some(MetricValue::PruningMetrics {
            pruning_metrics, ..
        }) = p
            .metrics()
            .and_then(|m| m.sum_by_name("row_groups_pruned_statistics"))
        {
            pruning = Some((pruning_metrics.pruned(), pruning_metrics.matched()));
        }
        stack.extend(p.children().into_iter().cloned());
    }
    let after = DisplayableExecutionPlan::with_metrics(plan.as_ref())
        .indent(true)
        .to_string();
    println!("{after}");
    assert_eq!(
        pruning,
        Some((3, 1)),
        "row groups (pruned, matched) by statistics"
    );
}
