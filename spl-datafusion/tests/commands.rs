//! The commands after the search (`rex`, `eval`, `where`, `table`, `fields`, `rename`,
//! `bin`, `stats`, `eventstats`, `streamstats`) give the evaluator's rows on DataFusion, over an in-memory table of two
//! partitions and over the same events in Parquet: missing fields, multivalue fields,
//! case, empty strings, a `rex` that does not match, `stats` over no rows; `sort`, `dedup`,
//! `head`. Rows are compared in order: the events' order, or the order `stats` and `sort`
//! give.

mod common;

use std::sync::Arc;

use common::{df_rows, df_rows_each, eval_rows, events_from_text, row};
use spl_datafusion::{input, DfRule, Error, LowerError};

const EVENTS: &str = r#"{"_time":"1700000000.25","host":"WS01","user":"alice","process":"pip install -r Requirements.TXT","n":"10","tags":["a","B"],"empty":""}
{"_time":"1700000000.9","host":"WS01","user":"bob","process":"gem install rails --source https://x.example","n":"9","tags":["c"]}
{"_time":"1700000001.1","host":"WS02","user":"alice","process":"npm install --extra-index-url http://e.example pkg","n":"abc","empty":"x"}
{"_time":"1700000002","host":"ws01","process":"pip install","n":"-3.5","tags":["a","a","d"]}
{"_time":"1700000002.5","host":"WS02","user":"","n":"1e3","src":"10.1.2.3"}
{"_time":"1700000003","user":"carol","process":"PIP INSTALL --extra-index-url  https://i.example --source s","tags":["B"]}
"#;

/// Rules covering each command and its edges.
const RULES: &[&str] = &[
    // rex
    r#"* | rex field=process "(?<verb>install)""#,
    r#"* | rex field=process "(?<reqs>(?i)requirements\.txt)""#,
    r#"* | rex field=process "(?<extra>(?i)(\-{2}extra)?\-index\-url(\s+\S+))""#,
    r#"* | rex field=process "(?<tool>\w+) (?<verb>\w+)""#,
    r#"* | rex field=missing "(?<m>.)""#,
    r#"* | rex field=process "(?<user>z+)""#,
    r#"* | rex field=process "(?<user>^\w+)""#,
    r#"* | rex field="tags{}" "(?<t>.)""#,
    r#"* | rex field=process max_match=0 "(?<word>\w+)""#,
    r#"* | rex field=process max_match=2 "(?<word>\w+)""#,
    r#"* | rex "(?<h>WS\d+)""#,
    // eval
    "* | eval x=\"lit\"",
    "* | eval x=5, y=1.5",
    "* | eval x=user",
    "* | eval x=missing",
    "* | eval user=null()",
    "* | eval c=if(isnotnull(user), \"true\", \"false\")",
    "* | eval c=if(isnull(user) OR isnull(n), \"some missing\", user)",
    "* | eval x=n+1",
    "* | eval x=n*2, y=x+1",
    "* | eval x=user.\"@\".host",
    "* | eval x=lower(host), y=upper(user)",
    "* | eval x=len(process)",
    "* | eval x=mvappend(user, host, missing)",
    "* | eval x=mvcount('tags{}')",
    "* | eval x=if(n>5, \"big\", \"small\")",
    "* | eval x=coalesce(missing, user, host)",
    "* | eval x=case(n>100, \"huge\", n>5, \"big\", true(), \"other\")",
    "* | eval x=replace(process, \"install\", \"INSTALL\")",
    "* | eval x=split(process, \" \")",
    "* | eval x=mvindex('tags{}', 0)",
    "* | eval x='tags{}'",
    "* | eval x=_time+1",
    "* | eval _time=_time+60",
    "* | eval x=substr(user, 1, 2)",
    "* | eval x=if(match(process, \"(?i)pip\"), \"pip\", null())",
    "* | eval x=if(user=\"alice\", 1, 0)",
    "* | eval x=if(searchmatch(\"host=ws01\"), \"y\", \"n\")",
    // where
    "* | where n>5",
    "* | where n<5",
    "* | where user=\"alice\"",
    "* | where isnotnull(user)",
    "* | where isnull(user) OR isnull('tags{}')",
    "* | where NOT isnull(user)",
    "* | where like(process, \"pip%\")",
    "* | where 'tags{}'=\"a\"",
    "* | where missing>1",
    "* | where user!=\"alice\"",
    // table, fields, rename
    "* | table user, host",
    "* | table host, missing, user",
    "* | table _time, process_*, user",
    "* | table t*, *e",
    "* | table missing",
    "* | fields user, host",
    "* | fields + user",
    "* | fields - user, _raw",
    "* | fields - *s*",
    "* | rename user AS account",
    "* | rename user AS host",
    "* | rename missing AS host",
    "* | rename *s* AS x*y",
    "* | rename user AS u, u AS v",
    // bin
    "* | bin span=1s _time",
    "* | bin _time span=2s",
    "* | bin span=1s _time AS t",
    "* | bin span=5 n",
    "* | bin span=5 n AS host",
    "* | bin span=1h _time",
    // stats
    "* | stats count",
    "* | stats count by host",
    "* | stats count(user) by host",
    "* | stats count, dc(user) AS users by host",
    "* | stats values(user) by host",
    "* | stats min(n), max(n), sum(n), avg(n) by host",
    "* | stats earliest(user), latest(user) by host",
    "* | stats list(user) by host",
    "* | stats first(user), last(user), list(n) by host",
    "* | stats list(*) AS * by host",
    "* | stats values(*) AS * by host",
    "* | stats values(*) AS * by _time, host",
    "* | stats count by tags{}",
    "* | stats count by tags{}, host",
    "* | stats count by missing",
    "* | stats values(user)",
    "* | stats values(missing)",
    "missing=x | stats count",
    "missing=x | stats values(user)",
    "missing=x | stats count by host",
    "* | stats sum(eval(n*2)) AS s by host",
    "* | stats count by n",
    "* | stats range(n), stdev(n), median(n), perc90(n) by host",
    "* | stats dc(tags{}), values(tags{}) by user",
    // eventstats
    "* | eventstats count by host",
    "* | eventstats count",
    "* | eventstats dc(user) AS users, values(user) AS names by host",
    "* | eventstats count by host, user",
    "* | eventstats count by missing",
    "* | eventstats max(n) AS n by host",
    "* | eventstats values(missing) AS user by host",
    "* | eventstats first(user), last(user), list(n) by host",
    "* | eventstats earliest(user), latest(user)",
    "* | eventstats sum(eval(n*2)) AS s by host",
    "* | eventstats values(tags{}) AS t by host",
    "* | eventstats count by host | where count>1 | table host, user, count",
    "missing=x | eventstats count",
    // streamstats
    "* | streamstats count",
    "* | streamstats count by host",
    "* | streamstats current=false count by host",
    "* | streamstats current=false last(user) AS previous by host",
    "* | streamstats window=2 values(user) AS recent",
    "* | streamstats window=2 current=false values(user) AS recent",
    "* | streamstats window=2 global=false count, values(n) AS ns by host",
    "* | streamstats window=1 current=false global=false last(n) AS before by host",
    "* | streamstats dc(user) AS users, list(tags{}) AS t by host",
    "* | streamstats max(n) AS n",
    "* | streamstats values(missing) AS user",
    "* | streamstats count by missing",
    "* | streamstats sum(eval(n*2)) AS s by host",
    "* | sort -n | streamstats count AS rank",
    // sort, dedup, head
    "* | sort host",
    "* | sort -host, user",
    "* | sort n",
    "* | sort -n",
    "* | sort 2 _time",
    "* | sort - _time",
    "* | sort missing",
    "* | sort tags{}",
    "* | dedup host",
    "* | dedup 2 host",
    "* | dedup host, user",
    "* | dedup tags{}",
    "* | dedup missing",
    "* | head 3",
    "* | head 0",
    "* | head 100",
    "* | sort -n | head 2",
    "* | stats count by host | sort -count, host | head 1",
    "* | stats count by host | head 2",
    "* | dedup host | stats count",
    // several commands
    r#"* | rex field=process "(?<reqs>(?i)requirements\.txt)" | rex field=process "(?<source1>(?i)\-{2}source(\s+\S+))" | eval keywords=mvappend(reqs, source1) | table _time, host, user, process, keywords | bin span=1s | stats values(*) as * by _time, host"#,
    r#"* | rex field=process "(?<m>(?i)pip)" | eval c=if(isnotnull(m), "true", "false") | search c="true""#,
    "* | eval x=n*2 | where x>10 | table host, x",
    "* | stats count by host | where count>1",
    "* | stats count by host | eval label=host.\":\".count | table label",
    "* | stats values(user) AS users by host | rename users AS accounts",
];

async fn agreement(events_text: &str, rules_text: &[&str]) {
    let events = events_from_text(events_text);
    let rules: Vec<DfRule> = rules_text
        .iter()
        .map(|s| DfRule::from_spl(s, s, &Default::default()).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect();
    let want: Vec<Vec<common::Canon>> = rules_text.iter().map(|s| eval_rows(s, &events)).collect();

    let ctx = input::session();
    let table = input::events_table(&events, 2).expect("a table");
    ctx.register_table("events", Arc::new(table))
        .expect("registered");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.parquet");
    input::write_parquet(&events, &path, 2).expect("written");
    input::register_parquet(&ctx, "parquet", &path)
        .await
        .expect("registered");

    for table in ["events", "parquet"] {
        // The pack in one scan, and one plan and scan per rule.
        let shared = df_rows(&ctx, table, &rules).await;
        let each = df_rows_each(&ctx, table, &rules).await;
        let mut differ = Vec::new();
        for (i, spl) in rules_text.iter().enumerate() {
            for (how, got) in [("one scan", &shared), ("a scan per rule", &each)] {
                if got[i] != want[i] {
                    differ.push(format!(
                        "{table}, {how}: {spl}\n evaluator: {:?}\n datafusion: {:?}",
                        want[i], got[i]
                    ));
                }
            }
        }
        assert!(differ.is_empty(), "{}", differ.join("\n"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_gives_the_evaluators_rows() {
    agreement(EVENTS, RULES).await;
}

/// Derived by hand: what the evaluator gives must be what Splunk means.
#[tokio::test(flavor = "multi_thread")]
async fn hand_derived_rows() {
    let events = events_from_text(EVENTS);
    let ctx = input::session();
    ctx.register_table(
        "events",
        Arc::new(input::events_table(&events, 2).expect("a table")),
    )
    .expect("registered");
    let rows = |spl: &'static str| {
        let ctx = ctx.clone();
        async move {
            let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
            df_rows(&ctx, "events", &[rule]).await.remove(0)
        }
    };
    // Groups sorted by bytes ("WS01" < "WS02" < "ws01"); the event without `host` joins
    // none.
    assert_eq!(
        rows("* | stats count by host").await,
        vec![
            row(&[("host", &["WS01"]), ("count", &["2"])]),
            row(&[("host", &["WS02"]), ("count", &["2"])]),
            row(&[("host", &["ws01"]), ("count", &["1"])]),
        ]
    );
    // A multivalued BY field puts the row in each of its distinct values' groups.
    assert_eq!(
        rows("* | stats count by tags{}").await,
        vec![
            row(&[("tags{}", &["B"]), ("count", &["2"])]),
            row(&[("tags{}", &["a"]), ("count", &["2"])]),
            row(&[("tags{}", &["c"]), ("count", &["1"])]),
            row(&[("tags{}", &["d"]), ("count", &["1"])]),
        ]
    );
    // Numbers compare as numbers (10, 9 and 1e3 pass, -3.5 does not); "abc" is not a
    // number, so it is compared with "5" as text, and passes.
    assert_eq!(
        rows("* | where n>5 | table n").await.len(),
        4,
        "10, 9, 1e3 and abc"
    );
    // `count` over no rows is 0; `values` over no rows gives no row at all.
    assert_eq!(
        rows("missing=x | stats count").await,
        vec![row(&[("count", &["0"])])]
    );
    assert_eq!(
        rows("missing=x | stats values(user)").await,
        Vec::<common::Canon>::new()
    );
    // `eventstats` adds each group's aggregate to every row of the group, rows in their
    // order; the row without `host` is in no group and gets no `count`.
    assert_eq!(
        rows("* | eventstats count by host | where isnotnull(count) | table host count").await,
        vec![
            row(&[("host", &["WS01"]), ("count", &["2"])]),
            row(&[("host", &["WS01"]), ("count", &["2"])]),
            row(&[("host", &["WS02"]), ("count", &["2"])]),
            row(&[("host", &["ws01"]), ("count", &["1"])]),
            row(&[("host", &["WS02"]), ("count", &["2"])]),
        ]
    );
    assert_eq!(
        rows("* | eventstats count by host | where isnull(count) | table user").await,
        vec![row(&[("user", &["carol"])])]
    );
    // `streamstats`: a running count per group, in the events' order.
    assert_eq!(
        rows("* | streamstats count by host | where isnotnull(host) | table host count").await,
        vec![
            row(&[("host", &["WS01"]), ("count", &["1"])]),
            row(&[("host", &["WS01"]), ("count", &["2"])]),
            row(&[("host", &["WS02"]), ("count", &["1"])]),
            row(&[("host", &["ws01"]), ("count", &["1"])]),
            row(&[("host", &["WS02"]), ("count", &["2"])]),
        ]
    );
    // `window=1 current=false global=false`: the previous row of the same group; the
    // first of each group has none.
    assert_eq!(
        rows(
            "* | streamstats window=1 current=false global=false last(user) AS prev by host \
             | where isnotnull(prev) | table host prev"
        )
        .await,
        vec![
            row(&[("host", &["WS01"]), ("prev", &["alice"])]),
            row(&[("host", &["WS02"]), ("prev", &["alice"])]),
        ]
    );
    // A `rex` that does not match leaves the field absent, and an existing one as it was.
    let got = rows(r#"* | rex field=process "(?<user>zzz)" | where user="bob" | table user"#).await;
    assert_eq!(got, vec![row(&[("user", &["bob"])])]);
}

#[tokio::test]
async fn a_command_not_lowered_is_refused_by_name() {
    let ctx = input::session();
    let events = events_from_text(EVENTS);
    ctx.register_table(
        "events",
        Arc::new(input::events_table(&events, 1).expect("a table")),
    )
    .expect("registered");
    for (spl, command) in [
        ("* | transaction host", "transaction"),
        ("* | rex field=process mode=sed \"s/a/b/\"", "rex"),
        ("* | lookup t a", "lookup"),
    ] {
        let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
        let err = rule.frame(&ctx, "events").await.expect_err("refused");
        assert!(
            matches!(&err, Error::Lower { source: LowerError::Command { command: c }, .. } if *c == command),
            "{spl}: {err:?}"
        );
    }
    for (spl, command) in [
        ("* | eval {host}=1", "eval"),
        ("* | eventstats count by tags{}", "eventstats"),
        ("* | eventstats values(*) AS * by host", "eventstats"),
        ("* | streamstats count by tags{}", "streamstats"),
        ("* | streamstats window=2 count by host", "streamstats"),
    ] {
        let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
        let err = rule.frame(&ctx, "events").await.expect_err("refused");
        assert!(
            matches!(&err, Error::Lower { source: LowerError::Form { command: c, .. }, .. } if *c == command),
            "{spl}: {err:?}"
        );
    }
}

/// A table without the order column (a Parquet file from elsewhere): rules run, but the
/// commands that need the events' order are refused by name.
#[tokio::test(flavor = "multi_thread")]
async fn a_table_without_the_events_order() {
    use datafusion::arrow::datatypes::Schema;
    use datafusion::parquet::arrow::ArrowWriter;

    let events = events_from_text(EVENTS);
    let full = spl_datafusion::columns::schema_of(&events);
    let fields: Vec<_> = full
        .fields()
        .iter()
        .filter(|f| f.name() != spl_datafusion::columns::SEQ)
        .cloned()
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = spl_datafusion::columns::to_batch(&schema, &events).expect("a batch");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("other.parquet");
    let file = std::fs::File::create(&path).expect("created");
    let mut writer = ArrowWriter::try_new(file, schema, None).expect("a writer");
    writer.write(&batch).expect("written");
    writer.close().expect("closed");
    let ctx = input::session();
    input::register_parquet(&ctx, "other", &path)
        .await
        .expect("registered");

    let spl = "* | stats count by host";
    let rule = DfRule::from_spl(spl, spl, &Default::default()).expect("compiles");
    assert_eq!(
        df_rows(&ctx, "other", &[rule]).await[0],
        eval_rows(spl, &events)
    );
    // `eventstats` does not need the order: each group's aggregate is the same whatever
    // the order (`count`).
    let spl = "* | eventstats count by host";
    let rule = DfRule::from_spl(spl, spl, &Default::default()).expect("compiles");
    let mut got = df_rows(&ctx, "other", &[rule]).await.remove(0);
    let mut want = eval_rows(spl, &events);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    for (spl, command) in [
        ("* | head 1", "head"),
        ("* | streamstats count", "streamstats"),
    ] {
        let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
        let err = rule.frame(&ctx, "other").await.expect_err("refused");
        assert!(
            matches!(&err, Error::Lower { source: LowerError::Form { command: c, .. }, .. } if *c == command),
            "{spl}: {err:?}"
        );
    }
}
