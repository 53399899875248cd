//! Rule files: loading YAML and `.spl` rules, keeping every key, and mapping positions in
//! the `logic` string back to the file so that a caret lands on the right character.

use std::path::{Path, PathBuf};

use spl_grammar::macros::MacroTable;
use spl_grammar::{load_rule, load_rules_dir, parse_rule, Code, Phase, RuleFile, Span};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rules-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}

/// A rule whose single-quoted logic is folded over three lines, with an unterminated
/// double-quoted string opened on its second line.
const FOLDED: &str = "id: '42.1'\n\
title: Folded logic\n\
logic_format: Splunk\n\
logic: '`get_endpoint_data` (TERM(EventCode=1) OR \"<EventID>1<\")\n  \"can''t\" | where process=\"cmd.exe\n  | table host'\n\
techniques:\n\
- execution:command\n";

#[test]
fn a_folded_single_quoted_logic_maps_each_byte_to_the_file() {
    let rule = RuleFile::from_yaml_str(FOLDED, "rules/folded.yml").expect("loads");
    assert_eq!(
        rule.logic,
        "`get_endpoint_data` (TERM(EventCode=1) OR \"<EventID>1<\") \"can't\" | where process=\"cmd.exe | table host"
    );
    assert!(rule.source().is_exact());
    let file = &rule.source().file().text;
    // Every non-blank character of the logic comes from the same character in the file
    // (a quote from the doubled quote).
    for (i, c) in rule.logic.char_indices() {
        let span = rule.source().logic_to_file(Span::new(i, i + c.len_utf8()));
        let expected = if c == '\'' {
            "''".to_string()
        } else {
            c.to_string()
        };
        if c == ' ' && span.slice(file) == "\n" {
            continue; // a folded line break
        }
        assert_eq!(span.slice(file), expected, "logic byte {i}");
    }
}

#[test]
fn an_error_on_the_second_line_of_folded_logic_renders_at_its_file_position() {
    let rule = RuleFile::from_yaml_str(FOLDED, "rules/folded.yml").expect("loads");
    let err = parse_rule(&rule, &MacroTable::new()).expect_err("unterminated string");
    assert_eq!(err.phase(), Phase::Parse);
    // The opening quote of "cmd.exe is on file line 5: `  "can''t" | where process="cmd.exe`.
    let line5 = "  \"can''t\" | where process=\"cmd.exe";
    let col = line5.rfind('"').map_or(0, |i| i + 1);
    assert_eq!(col, 28);
    let d = err.diagnostic();
    assert_eq!(d.location().as_deref(), Some("rules/folded.yml:5:28"));
    let lc = d.line_col().expect("has a position");
    assert_eq!((lc.line, lc.column), (5, 28));
    let rendered = err.to_string();
    let expected = format!(
        " --> rules/folded.yml:5:28\n  |\n5 | {line5}\n  | {}^",
        " ".repeat(col - 1)
    );
    assert!(
        rendered.contains(&expected),
        "got:\n{rendered}\nexpected to contain:\n{expected}"
    );
}

#[test]
fn spl_files_are_the_whole_logic() {
    let dir = scratch("spl");
    let path = dir.join("suspicious_cmd.spl");
    write(
        &path,
        "`get_endpoint_data` \"cmd.exe\"\n| table host, user \"x\n",
    );
    let rule = load_rule(&path).expect("loads");
    assert_eq!(rule.id, "suspicious_cmd");
    assert_eq!(rule.title, "suspicious_cmd");
    assert_eq!(
        rule.logic,
        "`get_endpoint_data` \"cmd.exe\"\n| table host, user \"x\n"
    );
    assert_eq!(rule.path.as_deref(), Some(path.as_path()));
    let err = parse_rule(&rule, &MacroTable::new()).expect_err("unterminated string");
    assert_eq!(
        err.diagnostic().location(),
        Some(format!("{}:2:20", path.display()))
    );
}

#[test]
fn load_rules_dir_walks_sorts_and_reports_each_file() {
    let dir = scratch("dir");
    write(&dir.join("b/second.yml"), "id: b\nlogic: 'search b'\n");
    write(&dir.join("a.spl"), "search a\n");
    write(&dir.join("c/bad.yaml"), "id: c\nlogic: 'never closed\n");
    write(&dir.join("c/no_logic.yml"), "id: d\ntitle: x\n");
    write(&dir.join("notes.txt"), "not a rule\n");
    write(&dir.join(".hidden/skip.yml"), "logic: x\n");
    let loaded = load_rules_dir(&dir).expect("dir readable");
    let names: Vec<String> = loaded
        .iter()
        .map(|(p, _)| p.strip_prefix(&dir).unwrap_or(p).display().to_string())
        .collect();
    assert_eq!(
        names,
        vec!["a.spl", "b/second.yml", "c/bad.yaml", "c/no_logic.yml"]
    );
    let codes: Vec<Option<Code>> = loaded
        .iter()
        .map(|(_, r)| r.as_ref().err().map(|e| e.code()))
        .collect();
    assert_eq!(
        codes,
        vec![None, None, Some(Code::YAML), Some(Code::NO_LOGIC)]
    );
    let bad = loaded[2].1.as_ref().expect_err("bad yaml");
    assert!(bad.to_string().contains("c/bad.yaml:"), "{bad}");
    assert!(load_rules_dir(dir.join("missing")).is_err());
}

#[test]
fn missing_files_are_load_errors() {
    let err = load_rule("/nonexistent/rule.yml").expect_err("no file");
    assert_eq!(err.phase(), Phase::Load);
    assert_eq!(err.code(), Code::IO);
}

/// A catalog detection (ESCU) whose search holds `\"` in unquoted values, then a string
/// opened on its third line that never closes.
const ESCU_UNTERMINATED: &str = "name: Escaped quotes, then a stray one\n\
id: 3c9b2a1e-0000-4000-8000-000000000001\n\
search: '`kube_audit` verb=create x=*\\\"privileged\\\":true*\n  | where user=\"admin\n  | table x'\n";

#[test]
fn an_unterminated_quote_after_escaped_ones_renders_at_its_file_position() {
    let rule = RuleFile::from_yaml_str(ESCU_UNTERMINATED, "detections/k.yml").expect("loads");
    assert!(
        rule.logic.contains(r#"x=*\"privileged\":true*"#),
        "{}",
        rule.logic
    );
    let err = parse_rule(&rule, &MacroTable::new()).expect_err("unterminated string");
    assert_eq!(err.phase(), Phase::Parse);
    // The quote after `user=` on file line 4, not one of the escaped quotes on line 3.
    let line4 = "  | where user=\"admin";
    let col = line4.find('"').map_or(0, |i| i + 1);
    assert_eq!(col, 16);
    let d = err.diagnostic();
    assert_eq!(d.location().as_deref(), Some("detections/k.yml:4:16"));
    let rendered = err.to_string();
    let expected = format!(
        " --> detections/k.yml:4:16\n  |\n4 | {line4}\n  | {}^ this quote is never closed",
        " ".repeat(col - 1)
    );
    assert!(
        rendered.contains(&expected),
        "got:\n{rendered}\nexpected to contain:\n{expected}"
    );
}
