//! Field alias tables: format, conditions, never-overwrite, files, the built-in table.

use std::io::Write;

use spl_runtime::alias::{AliasError, AliasMap, BUILTIN_TABLE};
use spl_runtime::{Record, Value};

fn s(v: &str) -> Value {
    Value::Str(v.to_owned())
}

fn record(fields: &[(&str, &str)]) -> Record {
    let mut r = Record::new();
    for (name, value) in fields {
        r.push_named(name, *value);
    }
    r
}

const TABLE: &str = r#"
; a comment
# another comment
[EventCode=1 Provider=Microsoft-Windows-Sysmon]
[EventCode=1 SourceName="Microsoft Windows Sysmon"]
process = CommandLine
process_name = basename(Image)

[Channel=*]
channel_seen = Channel

[*]
host = Computer
host = ComputerName
"#;

#[test]
fn a_section_applies_when_any_header_holds() {
    let map = AliasMap::parse(TABLE).expect("valid table");
    // The first header: both conditions hold (values compare ignoring ASCII case).
    let mut r = record(&[
        ("EventCode", "1"),
        ("Provider", "microsoft-windows-sysmon"),
        ("CommandLine", "pip install x"),
        ("Image", r"C:\Python\pip.exe"),
    ]);
    map.apply(&mut r);
    assert_eq!(r.get_named("process"), Some(&s("pip install x")));
    assert_eq!(r.get_named("process_name"), Some(&s("pip.exe")));
    // The second header, with a quoted value.
    let mut r = record(&[
        ("EventCode", "1"),
        ("SourceName", "Microsoft Windows Sysmon"),
        ("CommandLine", "x"),
    ]);
    map.apply(&mut r);
    assert_eq!(r.get_named("process"), Some(&s("x")));
    // Only one condition of a header holds: the section does not apply.
    let mut r = record(&[
        ("EventCode", "10"),
        ("Provider", "Microsoft-Windows-Sysmon"),
        ("CommandLine", "x"),
    ]);
    map.apply(&mut r);
    assert_eq!(r.get_named("process"), None);
}

#[test]
fn conditions_on_multivalue_and_presence() {
    let map = AliasMap::parse(TABLE).expect("valid table");
    let mut r = record(&[
        ("EventCode", "4"),
        ("EventCode", "1"),
        ("Provider", "Microsoft-Windows-Sysmon"),
    ]);
    r.push_named("CommandLine", "y");
    r.push_named("Channel", "");
    map.apply(&mut r);
    assert_eq!(r.get_named("process"), Some(&s("y")));
    // `Channel=*` holds for a present field, also an empty one.
    assert_eq!(r.get_named("channel_seen"), Some(&s("")));
}

#[test]
fn never_overwrites_and_falls_back_in_order() {
    let map = AliasMap::parse(TABLE).expect("valid table");
    let mut r = record(&[("ComputerName", "WS02")]);
    map.apply(&mut r);
    assert_eq!(r.get_named("host"), Some(&s("WS02")));
    let mut r = record(&[("Computer", "WS01"), ("ComputerName", "WS02")]);
    map.apply(&mut r);
    assert_eq!(r.get_named("host"), Some(&s("WS01")));
    let mut r = record(&[("host", "collector"), ("Computer", "WS01")]);
    map.apply(&mut r);
    assert_eq!(r.get_named("host"), Some(&s("collector")));
    // Nothing to copy: no field appears.
    let mut r = record(&[("other", "x")]);
    map.apply(&mut r);
    assert_eq!(r.get_named("host"), None);
    assert_eq!(r.len(), 1);
}

#[test]
fn multivalues_are_copied_and_functions_map_each_value() {
    let map = AliasMap::parse("[*]\nall = Path\nnames = basename(Path)\none = first(Path)")
        .expect("valid");
    let mut r = record(&[("Path", r"C:\a\one.exe"), ("Path", "/usr/bin/two")]);
    map.apply(&mut r);
    let both = Value::Multi(vec![r"C:\a\one.exe".into(), "/usr/bin/two".into()]);
    assert_eq!(r.get_named("all"), Some(&both));
    assert_eq!(
        r.get_named("names"),
        Some(&Value::Multi(vec!["one.exe".into(), "two".into()]))
    );
    assert_eq!(r.get_named("one"), Some(&s(r"C:\a\one.exe")));
}

#[test]
fn none_does_nothing() {
    let map = AliasMap::none();
    assert!(map.is_empty());
    let mut r = record(&[("Computer", "WS01"), ("EventCode", "4688")]);
    let before = r.clone();
    map.apply(&mut r);
    assert_eq!(r, before);
}

#[test]
fn builtin_table_text_is_exported_and_is_the_default() {
    assert!(BUILTIN_TABLE.contains("[EventCode=4688]"));
    let mut a = record(&[("EventCode", "4688"), ("NewProcessName", r"C:\x\y.exe")]);
    let mut b = a.clone();
    AliasMap::builtin().apply(&mut a);
    AliasMap::default().apply(&mut b);
    assert_eq!(a, b);
    assert_eq!(a.get_named("process_name"), Some(&s("y.exe")));
}

#[test]
fn builtin_sysmon_needs_the_sysmon_provider() {
    // EventCode 1 from another provider is not Sysmon's process creation.
    let mut r = record(&[
        ("EventCode", "1"),
        ("Provider", "Microsoft-Windows-Kernel-General"),
        ("Image", "x"),
    ]);
    AliasMap::builtin().apply(&mut r);
    assert_eq!(r.get_named("process_path"), None);
    assert_eq!(r.get_named("signature_id"), Some(&s("1")));
}

#[test]
fn from_file_replaces_and_reports_errors_with_the_path() {
    let dir = std::env::temp_dir();
    let good = dir.join(format!(
        "spl-runtime-alias-{}-good.conf",
        std::process::id()
    ));
    let bad = dir.join(format!("spl-runtime-alias-{}-bad.conf", std::process::id()));
    std::fs::File::create(&good)
        .and_then(|mut f| f.write_all(b"[vendor=acme]\nuser = acme_user\n"))
        .expect("write table");
    std::fs::File::create(&bad)
        .and_then(|mut f| f.write_all(b"[*]\nuser = acme_user\nprocess = upper(cmd)\n"))
        .expect("write table");

    let map = AliasMap::from_file(&good).expect("valid table");
    let mut r = record(&[
        ("vendor", "ACME"),
        ("acme_user", "bob"),
        ("Computer", "WS01"),
    ]);
    map.apply(&mut r);
    assert_eq!(r.get_named("user"), Some(&s("bob")));
    // The file replaces the built-in table: no `host` from `Computer`.
    assert_eq!(r.get_named("host"), None);

    match AliasMap::from_file(&bad) {
        Err(e @ AliasError::Syntax { line: 3, .. }) => {
            let text = e.to_string();
            assert!(
                text.starts_with(&format!(
                    "{}: line 3: unknown function `upper`",
                    bad.display()
                )),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    let missing = dir.join("spl-runtime-alias-no-such-file.conf");
    assert!(matches!(
        AliasMap::from_file(&missing),
        Err(AliasError::Io { .. })
    ));
    std::fs::remove_file(&good).expect("remove");
    std::fs::remove_file(&bad).expect("remove");
}
