//! Macro calls: arguments, the places they stand, and the order they are visited in.

#![allow(clippy::unwrap_used)]

mod common;

use common::{items, parse, stage};
use spl_grammar::ast::{visit_macro_calls, Command, MacroPosition, Query};

fn visited(q: &Query) -> Vec<(String, MacroPosition)> {
    let mut out = Vec::new();
    visit_macro_calls(q, &mut |m, pos| out.push((m.name.name.clone(), pos)));
    out
}

#[test]
fn arguments_split_on_top_level_commas_and_keep_quotes() {
    let src = r#"x | table a `group_events("user, src_ip",10min)`"#;
    let s = stage(src, 1);
    let m = &s.trailing_macros[0];
    let args: Vec<&str> = m
        .args
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(args, [r#""user, src_ip""#, "10min"]);
    assert_eq!(m.args.as_ref().unwrap()[1].span.slice(src), "10min");
    assert_eq!(m.span.slice(src), r#"`group_events("user, src_ip",10min)`"#);
}

#[test]
fn arguments_with_parentheses_empty_lists_and_no_list() {
    let q = parse(r#"`a` `b()` `c( x , f(1,2) ,"q)" )`"#);
    let mut calls = Vec::new();
    visit_macro_calls(&q, &mut |m, _| calls.push(m.clone()));
    assert_eq!(calls[0].args, None);
    assert_eq!(calls[1].args, Some(vec![]));
    let args: Vec<&str> = calls[2]
        .args
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(args, ["x", "f(1,2)", r#""q)""#]);
}

#[test]
fn a_backtick_inside_a_quoted_string_is_literal() {
    let q = parse(r#"a "x`y" | eval z="`" "#);
    assert!(visited(&q).is_empty());
}

#[test]
fn macros_trailing_a_stage_even_when_glued() {
    let src = r#"x | table a, vendor_product`group_events("src_ip", 1)``hec_collect` | where isnotnull(user) `hec_collect`"#;
    let q = parse(src);
    match &q.stages[1].command {
        Command::Table(list) => assert_eq!(items(list), ["a", "vendor_product"]),
        other => panic!("{other:?}"),
    }
    let trailing: Vec<&str> = q.stages[1]
        .trailing_macros
        .iter()
        .map(|m| m.name.name.as_str())
        .collect();
    assert_eq!(trailing, ["group_events", "hec_collect"]);
    assert_eq!(q.stages[2].trailing_macros[0].name.name, "hec_collect");
    assert_eq!(
        q.stages[2].span.slice(src),
        "where isnotnull(user) `hec_collect`"
    );
}

#[test]
fn macros_inside_a_field_list_stay_in_it() {
    let q = parse("x | table `add_fields_eoi` session_id, user | stats count by `f`, host");
    match &q.stages[1].command {
        Command::Table(list) => assert_eq!(items(list), ["`add_fields_eoi`", "session_id", "user"]),
        other => panic!("{other:?}"),
    }
    match &q.stages[2].command {
        Command::Stats(s) => assert_eq!(items(&s.by), ["`f`", "host"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn positions_in_source_order_including_subsearches_and_templates() {
    let q = parse(concat!(
        "`get_data` x | table `eoi` a `ge(1)` | `ut_shannon(q)` `after` ",
        "| join u [ search `inner` | stats count by u `sub_trailing` ] ",
        "| foreach f [ | eval <<FIELD>>=1 `tmpl` ] ",
        "| mycmd `arg` word `last`",
    ));
    assert_eq!(
        visited(&q),
        [
            ("get_data".to_string(), MacroPosition::SearchTerm),
            ("eoi".to_string(), MacroPosition::FieldList),
            ("ge".to_string(), MacroPosition::Trailing),
            ("ut_shannon".to_string(), MacroPosition::Stage),
            ("after".to_string(), MacroPosition::Trailing),
            ("inner".to_string(), MacroPosition::SearchTerm),
            ("sub_trailing".to_string(), MacroPosition::Trailing),
            ("tmpl".to_string(), MacroPosition::Trailing),
            ("arg".to_string(), MacroPosition::GenericArg),
            ("last".to_string(), MacroPosition::Trailing),
        ]
    );
}

#[test]
fn a_list_of_macros_only_keeps_them() {
    let s = stage("x | table `eoi`", 1);
    assert!(s.trailing_macros.is_empty());
    assert!(matches!(&s.command, Command::Table(list) if items(list) == ["`eoi`"]));
    let s = stage("x | stats count by `by_fields`", 1);
    assert!(s.trailing_macros.is_empty());
    assert!(matches!(&s.command, Command::Stats(st) if items(&st.by) == ["`by_fields`"]));
    let s = stage("x | mycmd `m`", 1);
    assert!(s.trailing_macros.is_empty());
}

#[test]
fn options_after_by_keep_macros_in_the_list() {
    let s = stage("x | streamstats count by u `m` global=f", 1);
    assert!(s.trailing_macros.is_empty());
    match &s.command {
        Command::Stats(st) => assert_eq!(items(&st.by), ["u", "`m`"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn clearing_spans_makes_spellings_compare_equal() {
    let mut a = parse(r#"a   b OR c | where x=1  and  y<2 | table  p,q"#);
    let mut b = parse(r#"a AND (b OR c) | where (x=1) AND y < 2 | table p q"#);
    assert_ne!(a, b);
    a.clear_spans();
    b.clear_spans();
    assert_eq!(a, b);
}

#[test]
fn quoted_commas_and_escaped_quotes_do_not_split_arguments() {
    // Arguments split on commas at the top level only; quotes are kept (`docs/semantics.md`,
    // "Macros").
    let args = |src: &str| -> Vec<String> {
        let q = parse(src);
        let mut calls = Vec::new();
        visit_macro_calls(&q, &mut |m, _| calls.push(m.clone()));
        calls[0]
            .args
            .as_ref()
            .unwrap()
            .iter()
            .map(|a| a.text.clone())
            .collect()
    };
    assert_eq!(args(r#"`m("a,b", c)`"#), [r#""a,b""#, "c"]);
    assert_eq!(args(r#"`m("a\",b", c)`"#), [r#""a\",b""#, "c"]);
    assert_eq!(args(r#"`m("a)b", "")`"#), [r#""a)b""#, r#""""#]);
    assert_eq!(args(r#"`group_events("user, src_ip", 10min)`"#).len(), 2);
    assert_eq!(args("`group_events(user, 1)`"), ["user", "1"]);
}

#[test]
fn macros_in_eval_expressions_are_values_and_expand_in_place() {
    let q = parse("x | where t > relative_time(now(), `window`) | eval y = `twice(n)` + 1 | stats count(eval(`big(y)`)) as c");
    assert_eq!(
        visited(&q),
        [
            ("window".to_owned(), MacroPosition::Expression),
            ("twice".to_owned(), MacroPosition::Expression),
            ("big".to_owned(), MacroPosition::Expression),
        ]
    );
    let mut macros = spl_grammar::MacroTable::new();
    macros
        .add_conf_str(
            "[window]\ndefinition = \"-30d@d\"\n\n[twice(1)]\nargs = v\ndefinition = ($v$ * 2)\n\n[big(1)]\nargs = v\ndefinition = $v$ > 3\n",
            "test.conf",
        )
        .unwrap();
    let parsed = spl_grammar::parse_spl(
        "x | where t > relative_time(now(), `window`) | eval y = `twice(n)` + 1 | stats count(eval(`big(y)`)) as c",
        &macros,
    )
    .unwrap();
    assert_eq!(
        parsed.expanded_text,
        r#"x | where t > relative_time(now(), "-30d@d") | eval y = (n * 2) + 1 | stats count(eval(y > 3)) as c"#
    );
}
