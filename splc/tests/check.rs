//! `splc check` end to end: text and JSON reports, phases, exit status.

use std::path::Path;
use std::process::Command;

fn splc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_splc"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write test file");
}

/// A scratch directory under the target dir, fresh for each test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn rules_dir(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    write(
        &dir,
        "a_good.yml",
        "id: '1'\ntitle: Good\nlogic_format: Splunk\nlogic: '`get_endpoint_data` TERM(install) | table _time, host'\n",
    );
    write(&dir, "b_unclosed.spl", "a (b OR c\n");
    write(&dir, "c_macro.spl", "`nosuch_macro(1)` x\n");
    write(&dir, "d_lower.spl", "x | where match(a)\n");
    dir
}

#[test]
fn text_report_lists_each_rule_and_a_summary() {
    let dir = rules_dir("check_text");
    let out = splc().arg("check").arg(&dir).output().expect("run splc");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failing rule makes exit status 1"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("ok {}", dir.join("a_good.yml").display())),
        "{text}"
    );
    // The unclosed parenthesis is reported at the opening `(`: line 1, column 3.
    assert!(
        text.contains(&format!("{}:1:3", dir.join("b_unclosed.spl").display())),
        "{text}"
    );
    assert!(text.contains("undefined macro `nosuch_macro(1)`"), "{text}");
    assert!(
        text.contains("`match` takes 2 arguments, 1 given"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("4 rules: 1 ok, 3 failed (lower: 1, macro: 1, parse: 1)"),
        "{text}"
    );
}

#[test]
fn json_report_has_one_object_per_rule() {
    let dir = rules_dir("check_json");
    let out = splc()
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run splc");
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    assert_eq!(rows.len(), 4);
    let by_file = |f: &str| {
        rows.iter()
            .find(|r| r["path"].as_str().is_some_and(|p| p.ends_with(f)))
            .unwrap_or_else(|| panic!("no row for {f}"))
    };
    assert_eq!(by_file("a_good.yml")["status"], "ok");
    let parse = by_file("b_unclosed.spl");
    assert_eq!(parse["status"], "error");
    assert_eq!(parse["phase"], "parse");
    assert_eq!(
        (parse["line"].as_u64(), parse["column"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(by_file("c_macro.spl")["phase"], "macro");
    let lower = by_file("d_lower.spl");
    assert_eq!(lower["phase"], "lower");
    assert_eq!(
        (lower["line"].as_u64(), lower["column"].as_u64()),
        (Some(1), Some(11))
    );
}

#[test]
fn all_good_exits_zero_and_macros_file_is_used() {
    let dir = scratch("check_macros");
    write(&dir, "rule.spl", "`my_source` TERM(x) | table a\n");
    let conf = dir.join("macros.conf");
    std::fs::write(
        &conf,
        "[my_source]\ndefinition = index=main sourcetype=\"x\"\n",
    )
    .expect("write conf");
    let out = splc()
        .arg("check")
        .arg(dir.join("rule.spl"))
        .output()
        .expect("run splc");
    assert_eq!(
        out.status.code(),
        Some(1),
        "undefined without the macros file"
    );
    let out = splc()
        .args(["check", "--macros"])
        .arg(&conf)
        .arg(dir.join("rule.spl"))
        .output()
        .expect("run splc");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = splc()
        .args(["check", "--undefined-macros-empty"])
        .arg(dir.join("rule.spl"))
        .output()
        .expect("run splc");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn missing_path_is_an_error_not_a_crash() {
    let out = splc()
        .args(["check", "/nonexistent/splc/rules.yml"])
        .output()
        .expect("run splc");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/nonexistent/splc/rules.yml"));
}

#[test]
fn warnings_are_reported_but_the_rule_passes() {
    let dir = scratch("check_warnings");
    // In a YAML rule the caret must land in the file, on the logic's line.
    write(
        &dir,
        "w.yml",
        "id: '9'\ntitle: W\nlogic_format: Splunk\nlogic: |\n  EventCode=1 TERM(pip install)\n",
    );
    let out = splc().arg("check").arg(&dir).output().expect("run splc");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("warning[W0301]: `TERM(pip install)` can never match"),
        "{text}"
    );
    assert!(text.contains("w.yml:5:15"), "{text}");
    assert!(
        text.trim_end()
            .ends_with("1 rules: 1 ok (1 with warnings), 0 failed"),
        "{text}"
    );
    let out = splc()
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run splc");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(line["status"], "ok");
    assert_eq!(line["warnings"][0]["code"], "W0301");
    assert_eq!(line["warnings"][0]["line"], 5);
    assert_eq!(line["warnings"][0]["column"], 15);
}
