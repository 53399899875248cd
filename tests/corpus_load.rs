//! Every armory rule file loads with every key kept, and positions in its `logic` map back
//! onto the file (needs `../shared/armory`; skipped without it).

use serde_norway::Mapping;
use spl_grammar::macros::MacroTable;
use spl_grammar::rule::Value;
use spl_grammar::{load_rule, load_rules_dir, parse_rule, Phase, Span};

/// Whether `value` is what a typed field holds for it.
fn same_list(field: &[String], value: &Value) -> bool {
    let expected: Vec<String> = match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items
            .iter()
            .flat_map(|v| match v {
                Value::Sequence(inner) => inner
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                other => other
                    .as_str()
                    .map(str::to_string)
                    .into_iter()
                    .collect::<Vec<_>>(),
            })
            .collect(),
        _ => return false,
    };
    field == expected.as_slice()
}

#[test]
fn every_armory_rule_loads_with_every_key_kept() {
    let Some(dir) = splc_tests::corpus("armory", "every_armory_rule_loads_with_every_key_kept")
    else {
        return;
    };
    let loaded = load_rules_dir(&dir).expect("armory readable");
    let yml = loaded
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "yml"))
        .count();
    assert_eq!(yml, 1161);
    let mut inexact = Vec::new();
    for (path, result) in &loaded {
        let rule = match result {
            Ok(rule) => rule,
            Err(e) => panic!("{} does not load:\n{e}", path.display()),
        };
        let text = std::fs::read_to_string(path).expect("readable");
        let raw: Mapping = serde_norway::from_str(&text).expect("a mapping");
        for (key, value) in &raw {
            let k = key.as_str().unwrap_or_default();
            let kept = match k {
                "id" => value.as_str().is_some_and(|v| v == rule.id),
                "title" => value.as_str().is_some_and(|v| v == rule.title),
                "description" => value.as_str().map(str::to_string) == rule.description,
                "logic_format" => value.as_str().map(str::to_string) == rule.logic_format,
                "logic" => value.as_str() == Some(rule.logic.as_str()),
                "techniques" => same_list(&rule.techniques, value),
                "technique_id" => same_list(&rule.technique_id, value),
                "data_category" => same_list(&rule.data_category, value),
                "references" => same_list(&rule.references, value),
                _ => rule.extra.get(key) == Some(value),
            };
            assert!(kept, "{}: key `{k}` not kept", path.display());
        }
        if !rule.source().is_exact() {
            inexact.push(path.display().to_string());
        }
        // Spot-check the position map: each non-blank byte maps onto itself in the file.
        for (i, c) in rule
            .logic
            .char_indices()
            .filter(|(_, c)| !c.is_whitespace())
        {
            let span = rule.source().logic_to_file(Span::new(i, i + c.len_utf8()));
            let got = span.slice(&rule.source().file().text);
            let want = if c == '\'' {
                "''".to_string()
            } else {
                c.to_string()
            };
            assert_eq!(got, want, "{}: logic byte {i}", path.display());
        }
    }
    assert!(inexact.is_empty(), "positions fall back in: {inexact:?}");
}

#[test]
fn armory_rules_that_cannot_parse_point_into_their_file() {
    let Some(armory) = splc_tests::corpus(
        "armory",
        "armory_rules_that_cannot_parse_point_into_their_file",
    ) else {
        return;
    };
    let rule =
        load_rule(armory.join(
            "endpoint/wuauclt_network_connection/wuauclt_network_connection-splunk-sysmon.yml",
        ))
        .expect("loads");
    let err =
        parse_rule(&rule, &MacroTable::new()).expect_err("`group_events(\"host,1)` is broken");
    assert_eq!(err.phase(), Phase::Parse);
    let lc = err.diagnostic().line_col().expect("position");
    let file = &rule.source().file().text;
    let line = file.lines().nth(lc.line - 1).unwrap_or_default();
    assert!(
        line.contains("`group_events(\"host,1)`"),
        "points at line {}: {line}",
        lc.line
    );
}
