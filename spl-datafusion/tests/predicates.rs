//! Each form of the search predicate gives the evaluator's rows on DataFusion, over an
//! in-memory table and over the same events in Parquet: missing fields, multivalue
//! fields, case, empty strings, escapes, wildcards, CIDR, numbers, terms on `_raw`.

mod common;

use common::{df_rows, eval_rows, events_from_text};
use spl_datafusion::{input, DfRule, Error, LowerError};

const EVENTS: &str = r#"{"EventID":"4688","Image":"C:\\Windows\\System32\\cmd.exe","user":"Admin","count":"10","empty":"","src":"10.1.2.3","tags":["a","B"],"a":{"b":"x"},"_time":"1700000000"}
{"EventID":4624,"Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","user":"guest","count":9,"src":"192.168.1.1","tags":["c"],"quote":"a\"b"}
{"EventID":"4688","Image":"C:\\temp\\CMD.EXE","user":"ADMIN","count":"abc","src":"not an ip","arr":[{"k":"v1"},{"k":"v2"}],"name":"É"}
{"EventID":"1","user":"bob","count":"-3.5","empty":"x","name":"é","path":"a*b","msg":"login failed for 10.0.0.5 port=22"}
{"other":"nothing here","_time":1700000100.5}
{"EventID":"","user":"","tags":["a"],"Image":"cmd.exe","count":"1e3"}
"#;

/// Searches covering each form of atom and their negations.
const SEARCHES: &[&str] = &[
    "*",
    "EventID=4688",
    "EventID!=4688",
    "NOT EventID=4688",
    "EventID=4*",
    "EventID=\"\"",
    "EventID!=\"\"",
    "EventID=*",
    "EventID!=*",
    "NOT EventID=*",
    r#"Image="*\\cmd.exe""#,
    "Image=*cmd.exe",
    "Image=cmd.exe",
    "Image=*POWERSHELL*",
    "NOT Image=*cmd.exe",
    "user=admin",
    "user=ADMIN",
    "user!=admin",
    "NOT user=admin",
    "user=ad*n",
    "user=*",
    "user=\"\"",
    "missing=x",
    "missing!=x",
    "NOT missing=x",
    "missing=*",
    "NOT missing=*",
    "missing>1",
    "NOT missing<1",
    "empty=\"\"",
    "empty=*",
    "empty!=\"\"",
    "NOT empty=\"\"",
    "count>5",
    "count>=10",
    "count<9",
    "count<=9",
    "count<\"9\"",
    "count>1000",
    "count>=1e3",
    "user>B",
    "user<b",
    "count=10.0",
    "count!=10.0",
    "count=10",
    "tags=a",
    "tags=b",
    "tags!=a",
    "tags!=c",
    "NOT tags=a",
    "tags=*",
    "tags IN (x, b)",
    "tags>A",
    "src=10.0.0.0/8",
    "src!=10.0.0.0/8",
    "NOT src=10.0.0.0/8",
    "src IN (10.0.0.0/8, 192.168.1.1)",
    "src IN (192.168.1.*)",
    "EventID IN (4688, 4624)",
    "EventID IN (4688, abc*)",
    "EventID IN (\"\", 1)",
    "NOT EventID IN (4688, 1)",
    "user IN (admin, GUEST)",
    "missing IN (a, b)",
    "NOT missing IN (a, b)",
    "a.b=x",
    "a.b=X",
    "\"arr{}.k\"=v1",
    "\"arr{}.k\"!=v1",
    "\"arr{}.k\"=V*",
    "quote=\"a\\\"b\"",
    "path=a*b",
    "name=é",
    "name=É",
    "cmd.exe",
    "CMD.EXE",
    "\"system32\\\\cmd.exe\"",
    "system32",
    "TERM(10.0.0.5)",
    "TERM(port=22)",
    "CASE(Admin)",
    "CASE(admin)",
    "cmd*",
    "*shell*",
    "login failed",
    "\"login failed\"",
    "NOT login",
    "(EventID=4688 OR user=guest) NOT Image=*powershell*",
    "EventID=4688 OR count>5 OR tags=c",
    "NOT (EventID=4688 user=admin)",
    "_time>1700000050",
    "_time=1700000000",
    r#"EventID=4688 | regex Image="(?i)cmd\.exe$""#,
    r#"* | regex user!="^adm""#,
    r#"* | regex missing="x""#,
    r#"* | regex missing!="x""#,
    r#"* | regex tags="^[aB]$""#,
    r#"* | regex tags!="^a$""#,
    r#"* | regex "10\.0\.0\.5""#,
    "EventID=* | search user=admin",
    "* | search NOT tags=a | search count>0",
];

#[tokio::test]
async fn every_predicate_form_gives_the_evaluators_rows() {
    let events = events_from_text(EVENTS);
    assert_eq!(events.len(), 6);
    let rules: Vec<DfRule> = SEARCHES
        .iter()
        .map(|s| DfRule::from_spl(s, s, &Default::default()).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect();
    let want: Vec<_> = SEARCHES.iter().map(|s| eval_rows(s, &events)).collect();

    let ctx = input::session();
    let table = input::events_table(&events, 2).expect("a table");
    ctx.register_table("events", std::sync::Arc::new(table))
        .expect("registered");
    let memory = df_rows(&ctx, "events", &rules).await;

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("events.parquet");
    input::write_parquet(&events, &path, 2).expect("written");
    input::register_parquet(&ctx, "parquet", &path)
        .await
        .expect("registered");
    let parquet = df_rows(&ctx, "parquet", &rules).await;

    let mut matched = 0;
    for (i, search) in SEARCHES.iter().enumerate() {
        assert_eq!(memory[i], want[i], "memory: {search}");
        assert_eq!(parquet[i], want[i], "parquet: {search}");
        matched += usize::from(!want[i].is_empty());
    }
    // The cases are not vacuous: most searches match some event, some match none.
    assert!(
        matched > SEARCHES.len() * 2 / 3,
        "{matched} of {}",
        SEARCHES.len()
    );
    assert!(matched < SEARCHES.len());
}

#[tokio::test]
async fn a_command_after_the_search_is_refused_by_name() {
    let ctx = input::session();
    let events = events_from_text(EVENTS);
    ctx.register_table(
        "events",
        std::sync::Arc::new(input::events_table(&events, 1).expect("a table")),
    )
    .expect("registered");
    let rule = DfRule::from_spl("r", "EventID=4688 | transaction user", &Default::default())
        .expect("compiles");
    let err = rule.frame(&ctx, "events").await.expect_err("refused");
    assert!(
        matches!(
            &err,
            Error::Lower { rule, source: LowerError::Command { command: "transaction" } } if rule == "r"
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "rule r: `transaction` is not supported by the DataFusion back end"
    );
}

#[tokio::test]
async fn plain_comparisons_are_plain_expressions() {
    let ctx = input::session();
    let events = events_from_text(EVENTS);
    ctx.register_table(
        "events",
        std::sync::Arc::new(input::events_table(&events, 1).expect("a table")),
    )
    .expect("registered");
    let plan = |spl: &'static str| {
        let ctx = ctx.clone();
        async move {
            let rule = DfRule::from_spl("r", spl, &Default::default()).expect("compiles");
            let frame = rule.frame(&ctx, "events").await.expect("planned");
            let text = frame.logical_plan().display_indent().to_string();
            text
        }
    };
    let p = plan("EventID=4688 NOT EventID=1 EventID IN (4624, 4625)").await;
    assert!(!p.contains("spl_"), "{p}");
    assert!(p.contains("events.EventID = Utf8(\"4688\")"), "{p}");
    let p = plan("user=admin").await;
    assert!(
        p.contains(r#"spl_field["user"="admin"](events.user)"#),
        "{p}"
    );
    let p = plan("EventID IN (4688, abc*)").await;
    assert!(
        p.contains("IN ([Utf8(\"4688\")])") && p.contains("spl_field"),
        "{p}"
    );
    let p = plan("missing=x").await;
    assert!(!p.contains("missing"), "{p}");
}
