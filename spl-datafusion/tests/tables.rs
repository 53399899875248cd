//! Tables from elsewhere: Arrow IPC, Parquet, CSV and JSON-lines files read by DataFusion
//! (typed columns, structs, lists), and an embedding program's table, projected to the
//! column model. Rows derived by hand from the values written; JSON lines also against
//! the evaluator over the same file read by splc's own reader, with and without the
//! built-in field aliases.

mod common;

use std::sync::Arc;

use common::{batch_rows, eval_rows, events_from_text, row, Canon};
use datafusion::arrow::array::{
    ArrayRef, BinaryArray, BooleanArray, Float64Array, Int32Array, Int64Array, Int64Builder,
    ListBuilder, RecordBatch, StringArray, StructArray, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::ipc::writer::FileWriter;
use datafusion::datasource::MemTable;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;
use spl_datafusion::tables::{register_provider, register_table_path, FileKind};
use spl_datafusion::{input, DfRule};
use spl_runtime::alias::AliasMap;

/// Three events of typed columns: a struct, a list of integers, a timestamp, and a
/// binary column that has no field form.
fn typed_batch() -> RecordBatch {
    let proc_fields = vec![
        Field::new("name", DataType::Utf8, true),
        Field::new("pid", DataType::Int32, true),
    ];
    let proc = StructArray::new(
        proc_fields.clone().into(),
        vec![
            Arc::new(StringArray::from(vec![
                Some("cmd.exe"),
                Some("CMD.EXE"),
                None,
            ])) as ArrayRef,
            Arc::new(Int32Array::from(vec![Some(200), Some(50), Some(7)])),
        ],
        None,
    );
    let mut tags = ListBuilder::new(Int64Builder::new());
    tags.values().append_value(7);
    tags.values().append_value(8);
    tags.append(true);
    tags.append(false);
    tags.values().append_value(9);
    tags.append(true);
    let schema = Arc::new(Schema::new(vec![
        Field::new("EventID", DataType::Int64, true),
        Field::new("score", DataType::Float64, true),
        Field::new("ok", DataType::Boolean, true),
        Field::new(
            "_time",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            true,
        ),
        Field::new("proc", DataType::Struct(proc_fields.into()), true),
        Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
            true,
        ),
        Field::new("blob", DataType::Binary, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(vec![4688, 4624, 4688])),
            Arc::new(Float64Array::from(vec![Some(1.5), Some(3.0), None])),
            Arc::new(BooleanArray::from(vec![true, false, true])),
            Arc::new(TimestampMillisecondArray::from(vec![
                1_700_000_000_500,
                1_700_000_001_000,
                1_700_000_002_000,
            ])),
            Arc::new(proc),
            Arc::new(tags.finish()),
            Arc::new(BinaryArray::from(vec![
                b"a".as_ref(),
                b"b".as_ref(),
                b"c".as_ref(),
            ])),
        ],
    )
    .expect("a batch")
}

async fn rows(ctx: &SessionContext, table: &str, spl: &str) -> Vec<Canon> {
    let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
    let frame = rule.frame(ctx, table).await.expect("a plan");
    let mut got = batch_rows(&frame.collect().await.expect("run"));
    // A table from elsewhere has no order column: rows in the order of their `_time`.
    got.sort_by(|a, b| {
        let time = |r: &Canon| r.iter().find(|(f, _)| f == "_time").map(|(_, v)| v.clone());
        time(a).cmp(&time(b))
    });
    got
}

/// What every form of the typed table gives.
async fn check_typed(ctx: &SessionContext, table: &str) {
    assert_eq!(
        rows(ctx, table, "EventID=4688 | table _time EventID score ok").await,
        vec![
            row(&[
                ("_time", &["1700000000.5"]),
                ("EventID", &["4688"]),
                ("score", &["1.5"]),
                ("ok", &["true"]),
            ]),
            // A null float is a missing field.
            row(&[
                ("_time", &["1700000002"]),
                ("EventID", &["4688"]),
                ("ok", &["true"]),
            ]),
        ],
        "{table}"
    );
    // Struct fields as `a.b`, compared as Splunk compares values: case-insensitively,
    // numbers as numbers.
    assert_eq!(
        rows(
            ctx,
            table,
            "proc.name=cmd.exe proc.pid>100 | table proc.name proc.pid"
        )
        .await,
        vec![row(&[("proc.name", &["cmd.exe"]), ("proc.pid", &["200"])])],
        "{table}"
    );
    assert_eq!(
        rows(ctx, table, "proc.name=cmd.exe | stats count").await,
        vec![row(&[("count", &["2"])])],
        "{table}"
    );
    // A list as the multivalue `a{}`; an empty list is no field.
    assert_eq!(
        rows(ctx, table, "tags{}=8 | table tags{}").await,
        vec![row(&[("tags{}", &["7", "8"])])],
        "{table}"
    );
    assert_eq!(
        rows(ctx, table, "NOT tags{}=* | table EventID").await,
        vec![row(&[("EventID", &["4624"])])],
        "{table}"
    );
    // A float that is a whole number prints as splc prints it.
    assert_eq!(
        rows(ctx, table, "score=3 | table score").await,
        vec![row(&[("score", &["3"])])],
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_columns_in_arrow_ipc_and_parquet_files_and_in_memory() {
    let batch = typed_batch();
    let dir = tempfile::tempdir().expect("a temporary directory");

    let ipc = dir.path().join("events.arrow");
    let mut writer = FileWriter::try_new(
        std::fs::File::create(&ipc).expect("created"),
        &batch.schema(),
    )
    .expect("a writer");
    writer.write(&batch).expect("written");
    writer.finish().expect("finished");

    let parquet = dir.path().join("events.parquet");
    let mut writer = ArrowWriter::try_new(
        std::fs::File::create(&parquet).expect("created"),
        batch.schema(),
        None,
    )
    .expect("a writer");
    writer.write(&batch).expect("written");
    writer.close().expect("closed");

    let ctx = input::session();
    let left = register_table_path(&ctx, "ipc", &ipc, None, &AliasMap::none())
        .await
        .expect("registered");
    assert_eq!(left, vec![("blob".to_owned(), DataType::Binary)]);
    let left = register_table_path(&ctx, "parquet", &parquet, None, &AliasMap::none())
        .await
        .expect("registered");
    // A Parquet scan reads binary as a view.
    assert_eq!(left, vec![("blob".to_owned(), DataType::BinaryView)]);
    let memory = MemTable::try_new(batch.schema(), vec![vec![batch]]).expect("a table");
    let left =
        register_provider(&ctx, "memory", Arc::new(memory), &AliasMap::none()).expect("registered");
    assert_eq!(left, vec![("blob".to_owned(), DataType::Binary)]);

    for table in ["ipc", "parquet", "memory"] {
        check_typed(&ctx, table).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_columns_are_text() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.csv");
    std::fs::write(
        &path,
        "EventID,Image,CommandLine\n\
         4688,C:\\Windows\\System32\\cmd.exe,cmd /c whoami\n\
         4688,C:\\Windows\\explorer.exe,explorer.exe\n\
         0042,C:\\Windows\\System32\\CMD.EXE,\n",
    )
    .expect("written");
    let ctx = input::session();
    let left = register_table_path(&ctx, "csv", &path, Some(FileKind::Csv), &AliasMap::none())
        .await
        .expect("registered");
    assert!(left.is_empty(), "{left:?}");
    let got = {
        let rule = DfRule::from_spl(
            "r",
            r#"Image="*\\cmd.exe" | table EventID CommandLine"#,
            &Default::default(),
        )
        .expect("compiles");
        let frame = rule.frame(&ctx, "csv").await.expect("a plan");
        let mut rows = batch_rows(&frame.collect().await.expect("run"));
        rows.sort();
        rows
    };
    // Text as written (`0042` stays `0042`); an empty cell is a missing field.
    let mut want = vec![
        row(&[("EventID", &["0042"])]),
        row(&[("EventID", &["4688"]), ("CommandLine", &["cmd /c whoami"])]),
    ];
    want.sort();
    assert_eq!(got, want);
}

/// JSON lines read by DataFusion (types inferred) give the evaluator's rows over the same
/// file read by splc's reader, for fields whose text is the same both ways.
#[tokio::test(flavor = "multi_thread")]
async fn json_lines_read_by_datafusion_agree_with_the_evaluator() {
    let text = r#"{"EventID":4688,"host":"WS01","proc":{"name":"cmd.exe","pid":200},"ports":[80,443],"ok":true}
{"EventID":4624,"host":"ws01","proc":{"name":"lsass.exe","pid":50},"ports":[],"ok":false}
{"EventID":4688,"host":"WS02","proc":{"name":"CMD.EXE","pid":7},"ports":[22],"ok":true}
"#;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, text).expect("written");
    let events = events_from_text(text);
    let ctx = input::session();
    let left = register_table_path(&ctx, "json", &path, None, &AliasMap::none())
        .await
        .expect("registered");
    assert!(left.is_empty(), "{left:?}");
    for spl in [
        "EventID=4688 | table host proc.name proc.pid",
        "proc.name=cmd.exe | table host",
        "ports{}=443 OR ports{}=22 | table host ports{}",
        "proc.pid>=50 | stats count by EventID",
        "ok=true | table host ok",
        "host=ws01 | stats values(proc.name) AS names",
        "NOT ports{}=* | table host",
    ] {
        let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
        let frame = rule.frame(&ctx, "json").await.expect("a plan");
        let mut got = batch_rows(&frame.collect().await.expect("run"));
        let mut want = eval_rows(spl, &events);
        got.sort();
        want.sort();
        assert_eq!(got, want, "{spl}");
        assert!(!want.is_empty(), "{spl} has rows");
    }
}

/// The built-in field aliases apply to a table read by DataFusion as splc's reader
/// applies them to its events: Sysmon's `Image` gives `process_name`, Security 4688's
/// `NewProcessName` too, and a field an event has is never replaced.
#[tokio::test(flavor = "multi_thread")]
async fn field_aliases_apply_to_tables_as_to_events() {
    let text = r#"{"EventCode":1,"Provider":"Microsoft-Windows-Sysmon","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","Computer":"WS01"}
{"EventCode":4688,"NewProcessName":"C:\\Windows\\System32\\certutil.exe","CommandLine":"certutil -urlcache","Computer":"WS02"}
{"EventCode":1,"Provider":"Other","Image":"C:\\x\\cmd.exe","Computer":"WS03"}
{"EventCode":1,"Provider":"Microsoft-Windows-Sysmon","Image":"C:\\y\\cmd.exe","process_name":"given.exe","Computer":"WS04"}
"#;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, text).expect("written");
    let with = |aliases: AliasMap| {
        let path = path.clone();
        async move {
            let read = input::read_events(
                &path,
                spl_runtime::read::ReadOptions {
                    aliases: aliases.clone(),
                    ..Default::default()
                },
            )
            .expect("the events");
            let ctx = input::session();
            register_table_path(&ctx, "json", &path, Some(FileKind::JsonLines), &aliases)
                .await
                .expect("registered");
            (read.records, ctx)
        }
    };
    let (events, ctx) = with(AliasMap::builtin()).await;
    let mut checked = 0;
    for (spl, hand) in [
        (
            "process_name=cmd.exe | table host process_name process",
            vec![row(&[
                ("host", &["WS01"]),
                ("process_name", &["cmd.exe"]),
                ("process", &["cmd /c whoami"]),
            ])],
        ),
        (
            "process_name=certutil.exe | table host process_path",
            vec![row(&[
                ("host", &["WS02"]),
                ("process_path", &["C:\\Windows\\System32\\certutil.exe"]),
            ])],
        ),
        (
            "host=WS04 | table process_name",
            vec![row(&[("process_name", &["given.exe"])])],
        ),
        ("host=WS03 process_name=*", vec![]),
    ] {
        let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
        let frame = rule.frame(&ctx, "json").await.expect("a plan");
        let mut got = batch_rows(&frame.collect().await.expect("run"));
        got.sort();
        let mut want = eval_rows(spl, &events);
        want.sort();
        assert_eq!(got, want, "{spl}: against the evaluator");
        assert_eq!(got, hand, "{spl}: by hand");
        checked += 1;
    }
    assert_eq!(checked, 4);
    // Without aliases, no `process_name` but the one an event has (and no `host`).
    let (_, bare) = with(AliasMap::none()).await;
    let rule = DfRule::from_spl(
        "r",
        "process_name=* | table Computer host",
        &Default::default(),
    )
    .expect("compiles");
    let frame = rule.frame(&bare, "json").await.expect("a plan");
    assert_eq!(
        batch_rows(&frame.collect().await.expect("run")),
        vec![row(&[("Computer", &["WS04"])])]
    );
}
