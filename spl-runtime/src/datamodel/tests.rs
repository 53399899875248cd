use super::*;

fn record(fields: &[(&str, &str)]) -> Record {
    let mut r = Record::new();
    for (k, v) in fields {
        r.set_named(k, *v);
    }
    r
}

#[test]
fn builtin_mappings_load_and_cover_the_datasets() {
    let models = DataModels::builtin();
    let coverage = coverage(&models);
    for dataset in [
        "Endpoint.Processes",
        "Endpoint.Filesystem",
        "Endpoint.Registry",
        "Network_Traffic.All_Traffic",
        "Network_Resolution.DNS",
        "Authentication.Authentication",
        "Change.All_Changes",
    ] {
        let (_, names) = coverage
            .iter()
            .find(|(d, _)| d == dataset)
            .expect("dataset in catalog");
        assert!(!names.is_empty(), "{dataset} has a mapping");
    }
    assert!(models.warnings().is_empty());
}

#[test]
fn a_child_dataset_filters_on_computed_fields() {
    let models = DataModels::builtin();
    let failed = models.view("Authentication", Some("Failed_Authentication"), true);
    let mut ok = record(&[
        ("EventID", "4624"),
        ("Channel", "Security"),
        ("TargetUserName", "bob"),
    ]);
    let mut bad = record(&[
        ("EventID", "4625"),
        ("Channel", "security"),
        ("TargetUserName", "eve"),
    ]);
    assert!(!failed.apply(&mut ok));
    assert!(failed.apply(&mut bad));
    assert_eq!(
        bad.get_named("Authentication.user").map(|v| v.to_string()),
        Some("eve".to_owned())
    );
}

#[test]
fn unknown_datasets_and_uncovered_ones_warn_once() {
    let models = DataModels::builtin();
    assert!(models.view("Endpoint", Some("Services"), true).is_empty());
    assert!(models.view("Endpoint", Some("Services"), true).is_empty());
    assert!(models.view("Risk", Some("All_Risk"), true).is_empty());
    assert!(models.view("Endpoint", None, true).is_empty());
    let w = models.warnings();
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].contains("Endpoint.Services"), "{w:?}");
    assert!(w[1].contains("no data model `Risk`"), "{w:?}");
    assert!(w[2].contains("several root datasets"), "{w:?}");
}

#[test]
fn user_mappings_replace_and_add() {
    let text = r#"
mappings:
  - name: sysmon_process_creation
    dataset: Endpoint.Processes
    when: [{EventID: "1"}]
    fields: {process_name: {lower: {basename: Image}}}
  - name: risk
    dataset: Risk.All_Risk
    when: [{risk_score: "*"}]
    fields: {risk_object: user}
"#;
    let models = DataModels::with_user_text(text).expect("valid");
    let names = models.mapping_names();
    assert_eq!(names[..2], ["sysmon_process_creation", "risk"]);
    assert_eq!(
        names
            .iter()
            .filter(|n| **n == "sysmon_process_creation")
            .count(),
        1
    );
    let view = models.view("Endpoint", Some("Processes"), false);
    let mut r = record(&[("EventID", "1"), ("Image", r"C:\Windows\CMD.EXE")]);
    assert!(view.apply(&mut r));
    assert_eq!(
        r.get_named("process_name").map(|v| v.to_string()),
        Some("cmd.exe".to_owned())
    );
    let risk = models.view("Risk", Some("All_Risk"), true);
    let mut r = record(&[("risk_score", "10"), ("user", "bob")]);
    assert!(risk.apply(&mut r));
    assert_eq!(
        r.get_named("All_Risk.risk_object").map(|v| v.to_string()),
        Some("bob".to_owned())
    );
}

#[test]
fn bad_files_say_what_is_wrong() {
    let err = |text: &str| {
        DataModels::with_user_text(text)
            .expect_err("invalid")
            .to_string()
    };
    let e = err("mappings:\n  - name: x\n    dataset: Endpoint.Processes\n    when: []\n    fields: {proces: Image}\n");
    assert!(
        e.contains("`proces` is not a field of the CIM dataset `Endpoint.Processes`"),
        "{e}"
    );
    let e =
        err("mappings:\n  - name: x\n    dataset: Endpoint.Nope\n    when: []\n    fields: {}\n");
    assert!(e.contains("`Endpoint` has no dataset `Nope`"), "{e}");
    let e = err("mappings:\n  - name: x\n    dataset: Authentication.Failed_Authentication\n    when: []\n    fields: {}\n");
    assert!(e.contains("root dataset"), "{e}");
    let e = err("mappings:\n  - name: x\n    dataset: Endpoint.Processes\n    when: []\n    fields: {user: {upper: User}}\n");
    assert!(e.contains("field `user`"), "{e}");
    let e = err("nope: 1\n");
    assert!(e.contains("invalid data-model mappings"), "{e}");
}

#[test]
fn paths_split_on_either_slash() {
    assert_eq!(spec::basename(r"C:\a\b.exe"), "b.exe");
    assert_eq!(spec::basename("/usr/bin/ls"), "ls");
    assert_eq!(spec::basename("plain"), "plain");
    assert_eq!(spec::dirname(r"HKLM\Run\x"), Some(r"HKLM\Run"));
    assert_eq!(spec::dirname("plain"), None);
}

#[test]
fn computations_apply_to_each_value() {
    let text = r#"
mappings:
  - name: t
    dataset: Endpoint.Processes
    when: [{kind: p}]
    fields:
      process_name: {basename: Image}
      user: {last: User}
      dest: {first_of: [Host, Computer]}
      action: {map: Verdict, values: {OK: allowed, bad: blocked}, default: {value: unknown}}
      process_path: {dirname: Image}
      os: {lower: Os}
"#;
    let models = DataModels::with_user_text(text).expect("valid");
    let view = models.view("Endpoint", Some("Processes"), false);
    let mut r = Record::new();
    r.set_named("kind", "P");
    r.set(
        FieldId::intern("Image"),
        crate::value::Value::Multi(vec![r"C:\a\x.exe".into(), "/usr/bin/y".into(), "z".into()]),
    );
    r.set(
        FieldId::intern("User"),
        crate::value::Value::Multi(vec!["NOT_TRANSLATED".into(), r"CORP\carol".into()]),
    );
    r.set_named("Host", "");
    r.set_named("Computer", "ws1");
    r.set_named("Verdict", "ok");
    r.set_named("Os", "Windows");
    assert!(view.apply(&mut r));
    let get = |f: &str| {
        r.get_named(f)
            .map(|v| v.iter_str().map(|s| s.into_owned()).collect::<Vec<_>>())
    };
    assert_eq!(
        get("process_name"),
        Some(vec!["x.exe".into(), "y".into(), "z".into()])
    );
    assert_eq!(
        get("process_path"),
        Some(vec![r"C:\a".into(), "/usr/bin".into()])
    );
    assert_eq!(get("user"), Some(vec![r"CORP\carol".into()]));
    assert_eq!(
        get("dest"),
        Some(vec!["ws1".into()]),
        "an empty value is passed over"
    );
    assert_eq!(get("action"), Some(vec!["allowed".into()]));
    assert_eq!(get("os"), Some(vec!["windows".into()]));
    r.set_named("Verdict", "maybe");
    r.remove(FieldId::intern("Os"));
    assert!(view.apply(&mut r));
    assert_eq!(
        r.get_named("action").map(|v| v.to_string()),
        Some("unknown".to_owned())
    );
    assert_eq!(r.get_named("os"), None, "no value: the field is unset");
}
