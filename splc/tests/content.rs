//! `--content DIR` end to end: a directory laid out like Splunk's content catalog (YAML
//! macros and lookups, detections with their SPL under `search`) and one laid out like a
//! Splunk app (`default/macros.conf`, `default/transforms.conf`, `lookups/`), through
//! `check`, `explain` and `run`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{scratch, splc};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write test file");
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A detection in the catalog's format: a data-source macro, a comment, the CIM add-on's
/// `drop_dm_object_name`, a wildcard lookup that ignores case, and the generated filter.
const DETECTION: &str = r#"name: Bad Domain Visited
id: 0a1b2c3d-0000-4000-8000-000000000001
version: 1
type: TTP
data_source:
- Proxy Logs
description: A user visits a known bad domain.
search: '`proxy_logs` ```only web traffic``` | `drop_dm_object_name("Web")`
  | lookup bad_domains domain OUTPUT verdict | where verdict="bad"
  | table user domain verdict | `bad_domain_visited_filter`'
tags:
  analytic_story:
  - Bad Things
  mitre_attack_id:
  - T1071.001
  - T1189
"#;

/// Events: a bad domain in other case (matches), a good one, and another source type.
const EVENTS: &str = r#"{"sourcetype": "proxy", "Web.user": "bob", "Web.domain": "WWW.EVIL.example"}
{"sourcetype": "proxy", "Web.user": "carol", "Web.domain": "good.example"}
{"sourcetype": "other", "Web.user": "dave", "Web.domain": "www.evil.example"}
"#;

const TABLE: &str = "domain,verdict\n*.evil.example,bad\n";

/// A content directory in the catalog's layout, with the detection under `detections/`.
fn catalog(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(
        &dir.join("macros/proxy_logs.yml"),
        "definition: sourcetype=proxy\ndescription: the proxy logs\nname: proxy_logs\n",
    );
    write(
        &dir.join("lookups/bad_domains.yml"),
        "description: bad domains\nfilename: bad_domains.csv\nname: bad_domains\n\
         match_type: WILDCARD(domain)\nmin_matches: 1\ncase_sensitive_match: 'false'\n",
    );
    write(&dir.join("lookups/bad_domains.csv"), TABLE);
    write(
        &dir.join("detections/web/bad_domain_visited.yml"),
        DETECTION,
    );
    write(&dir.join("events.jsonl"), EVENTS);
    dir
}

/// The same content as a Splunk app.
fn app(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(
        &dir.join("default/macros.conf"),
        "[proxy_logs]\ndefinition = sourcetype=proxy\n",
    );
    write(
        &dir.join("default/transforms.conf"),
        "[bad_domains]\nfilename = bad_domains.csv\nmatch_type = WILDCARD(domain)\n\
         case_sensitive_match = false\n",
    );
    write(&dir.join("lookups/bad_domains.csv"), TABLE);
    write(&dir.join("detections/bad_domain_visited.yml"), DETECTION);
    write(&dir.join("events.jsonl"), EVENTS);
    dir
}

#[test]
fn check_with_content_is_a_whole_command() {
    let dir = catalog("content_check");
    let detections = dir.join("detections");
    let out = splc(&["check", "--content"], &[&dir, &detections]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.trim_end().ends_with("1 rules: 1 ok, 0 failed"),
        "{text}"
    );

    // Without the content, the catalog's macros are undefined.
    let out = splc(&["check"], &[&detections]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("undefined macro `proxy_logs`"), "{text}");
    assert!(text.contains("(macro: 1)"), "{text}");
}

#[test]
fn check_counts_commands_that_need_what_splc_does_not_provide() {
    let dir = catalog("content_outside");
    write(
        &dir.join("detections/metrics.yml"),
        "name: Metrics\nsearch: '| mstats avg(cpu) where index=m'\n",
    );
    write(
        &dir.join("detections/rest.yml"),
        "name: Rest\nsearch: '| rest /services/apps/local'\n",
    );
    write(
        &dir.join("detections/rest2.yml"),
        "name: Rest again\nsearch: '| rest /services/server/info'\n",
    );
    let out = splc(&["check", "--content"], &[&dir, &dir.join("detections")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("4 rules: 1 ok, 3 failed (lower: 3)"),
        "{text}"
    );
    assert!(
        text.contains("rules needing what splc does not provide, by command: rest: 2, mstats: 1"),
        "{text}"
    );
}

#[test]
fn explain_shows_the_detection_metadata() {
    let dir = catalog("content_explain");
    let rule = dir.join("detections/web/bad_domain_visited.yml");
    let out = splc(&["explain", "--content"], &[&dir, &rule]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for line in [
        "id:         0a1b2c3d-0000-4000-8000-000000000001",
        "title:      Bad Domain Visited",
        "rule type:  TTP",
        "sources:    Proxy Logs",
        "techniques: T1071.001, T1189",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
}

/// `splc run --content DIR --rule DETECTION events` gives bob's row alone.
fn run_gives_the_bad_domain(dir: &Path, rule: &Path) {
    let events = dir.join("events.jsonl");
    let out = splc(
        &["run", "--content"],
        &[dir, Path::new("--rule"), rule, &events],
    );
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(rows[0]["user"], "bob", "{text}");
    assert_eq!(rows[0]["domain"], "WWW.EVIL.example", "{text}");
    assert_eq!(rows[0]["verdict"], "bad", "{text}");
}

#[test]
fn run_reads_the_catalog_lookups() {
    let dir = catalog("content_run_catalog");
    run_gives_the_bad_domain(&dir, &dir.join("detections/web/bad_domain_visited.yml"));
}

#[test]
fn run_reads_an_app_dir() {
    let dir = app("content_run_app");
    run_gives_the_bad_domain(&dir, &dir.join("detections/bad_domain_visited.yml"));
}

#[test]
fn a_bad_content_dir_is_an_error() {
    let dir = scratch("content_bad");
    let out = splc(&["check", "--content"], &[&dir.join("missing"), &dir]);
    assert_eq!(out.status.code(), Some(2));
    write(&dir.join("macros/bad.yml"), "definition: x\n");
    let out = splc(&["check", "--content"], &[&dir, &dir]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no `name`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
