//! Rules over a typed event (`#[derive(spl_runtime::Event)]`): the same rows as over a
//! `Record` with the same fields; the compile-time check is in `ui/typed_missing_field.rs`.

use spl_runtime::rule::run;
use spl_runtime::typed::TypedEvent;
use spl_runtime::{Record, Value};

/// A process start, as a program of its own might hold it.
#[derive(spl_runtime::Event)]
struct Process {
    #[spl(name = "_raw")]
    raw: Value,
    process: Value,
    #[spl(name = "user")]
    account: Option<Value>,
    parent_process: Option<Value>,
}

spl_runtime::detect! {
    /// Reads fields the type has (one under another Rust name).
    struct Whoami = r#"process="*whoami*" | where isnull(parent_process) OR user="root" | table user process"#,
        event Process;
}

spl_runtime::detect! {
    /// Reads only `_raw`: fine for any event type.
    struct RawOnly = r#"TERM(whoami)"#, event Process;
}

fn process(raw: &str, user: Option<&str>, parent: Option<&str>) -> Process {
    Process {
        raw: Value::from(raw),
        process: Value::from(raw),
        account: user.map(Value::from),
        parent_process: parent.map(Value::from),
    }
}

fn record(p: &Process) -> Record {
    let mut r = Record::new();
    r.set_raw(p.raw.to_string());
    r.set_named("process", p.process.clone());
    if let Some(u) = &p.account {
        r.set_named("user", u.clone());
    }
    if let Some(pp) = &p.parent_process {
        r.set_named("parent_process", pp.clone());
    }
    r
}

#[test]
fn typed_events_name_their_fields() {
    assert_eq!(
        Process::FIELDS,
        ["_raw", "process", "user", "parent_process"]
    );
}

#[test]
fn rules_over_typed_events_match_as_over_records() {
    let events = [
        process("cmd /c whoami", Some("alice"), None),
        process("cmd /c whoami /all", Some("root"), Some("explorer.exe")),
        process("cmd /c whoami", Some("bob"), Some("explorer.exe")),
        process("cmd /c hostname", None, None),
        process("WHOAMI", None, None),
    ];
    let mut rule = Whoami::new();
    let typed: Vec<bool> = events.iter().map(|e| rule.matches(e)).collect();
    let records: Vec<Record> = events.iter().map(record).collect();
    let untyped: Vec<bool> = records.iter().map(|r| rule.matches(r)).collect();
    // The search: `*whoami*` in any case (values compare ignoring case).
    assert_eq!(typed, [true, true, true, false, true]);
    assert_eq!(typed, untyped);
    // The rows: no parent, or root.
    let rows = run(&mut rule, records.iter()).expect("runs");
    let users: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.get_named("user").map(ToString::to_string))
        .collect();
    assert_eq!(users, [Some("alice".into()), Some("root".into()), None]);
    let raw = RawOnly::new();
    let hits: Vec<bool> = events.iter().map(|e| raw.matches(e)).collect();
    assert_eq!(hits, [true, true, true, false, true]);
}
