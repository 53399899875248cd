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
