//! Macro definitions and expansion, end to end: `macros.conf` text in, SPL through the
//! parser, expanded text and diagnostics out.
//!
//! Expected values come from Splunk's `macros.conf` spec and search-macro documentation:
//! stanzas `[name]` / `[name(N)]` overloaded by arity, `$arg$` replaced everywhere (also
//! inside quotes), macros inside quoted strings not expanded, definitions calling macros.

use spl_grammar::ast::visit_macro_calls;
use spl_grammar::macros::MacroTable;
use spl_grammar::{parse_query, parse_rule, parse_spl, Code, Phase, Rule, Severity, Span};

fn table(conf: &str) -> MacroTable {
    let mut t = MacroTable::new();
    if let Err(e) = t.add_conf_str(conf, "macros.conf") {
        panic!("invalid conf:\n{e}");
    }
    t
}

fn expanded(src: &str, t: &MacroTable) -> String {
    match parse_spl(src, t) {
        Ok(p) => p.expanded_text,
        Err(e) => panic!("front end failed on {src:?}:\n{e}"),
    }
}

#[test]
fn conf_overloads_continuations_comments_and_args() {
    let t = table(
        "# data sources\n\
         [get_endpoint_data]\n\
         definition = index=edr\n\
         \n\
         [group_events]\n\
         definition = | stats count by host\n\
         \n\
         # two arguments, the definition spread over two lines\n\
         [group_events(2)]\n\
         args = fields, span\n\
         definition = | bin span=$span$ \\\n\
         \x20 | stats values(*) as * by _time, $fields$\n\
         description = group by time bucket\n",
    );
    assert_eq!(
        t.get("group_events", 0)
            .and_then(|d| d.definition.as_deref()),
        Some("| stats count by host")
    );
    let two = t.get("group_events", 2).expect("group_events(2)");
    assert_eq!(two.args, vec!["fields".to_string(), "span".to_string()]);
    assert_eq!(
        two.definition.as_deref(),
        Some("| bin span=$span$ \n  | stats values(*) as * by _time, $fields$")
    );
    assert_eq!(two.description.as_deref(), Some("group by time bucket"));

    let text = expanded(
        "`get_endpoint_data` foo | table host, user `group_events(user, 10m)`",
        &t,
    );
    assert_eq!(
        text,
        "index=edr foo | table host, user | bin span=10m \n  | stats values(*) as * by _time, user"
    );
    let text = expanded("foo | table host `group_events`", &t);
    assert_eq!(text, "foo | table host | stats count by host");
}

#[test]
fn quoted_arguments_with_commas_are_one_argument() {
    let q = parse_query(r#"x | table a `group_events("user, src_ip",10min)`"#).expect("parses");
    let mut calls = Vec::new();
    visit_macro_calls(&q, &mut |call, _| calls.push(call.clone()));
    assert_eq!(calls.len(), 1);
    let args = calls[0].args.as_ref().expect("has arguments");
    let texts: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, vec!["\"user, src_ip\"", "10min"]);
}

#[test]
fn arguments_are_substituted_inside_quotes_with_their_quotes() {
    let t = table(
        "[tag(2)]\nargs = field, value\ndefinition = | eval $field$=\"seen $value$\" | search $field$=$value$\n\
         [find(1)]\nargs = value\ndefinition = | search marker=$value$\n",
    );
    // `$value$` is replaced inside the double quotes of the definition too.
    let text = expanded("x | table a `tag(marker, ab)`", &t);
    assert_eq!(
        text,
        "x | table a | eval marker=\"seen ab\" | search marker=ab"
    );
    // A quoted argument arrives with its quotes.
    let text = expanded("x | table a `find(\"a, b\")`", &t);
    assert_eq!(text, "x | table a | search marker=\"a, b\"");
}

#[test]
fn macros_inside_quoted_strings_are_not_expanded() {
    let t = MacroTable::new();
    let p = parse_spl(r#"search "audit`users`local" | table a"#, &t).expect("no macro to expand");
    assert_eq!(p.expanded_text, r#"search "audit`users`local" | table a"#);
    assert!(p.source_map.is_identity());
}

#[test]
fn nested_definitions_expand_until_no_call_is_left() {
    let t = table(
        "[proc_search(1)]\nargs = name\ndefinition = `src` process_name=$name$\n\
         [src]\ndefinition = `get_endpoint_data` index=edr\n\
         [get_endpoint_data]\ndefinition = sourcetype=sysmon\n",
    );
    let p = parse_spl("`proc_search(\"cmd.exe\")` | table host", &t).expect("expands");
    assert_eq!(
        p.expanded_text,
        "sourcetype=sysmon index=edr process_name=\"cmd.exe\" | table host"
    );
    assert!(p.notes.is_empty());
}

#[test]
fn recursion_is_an_error_naming_the_cycle() {
    let t = table("[a]\ndefinition = x `b`\n[b]\ndefinition = y `a`\n");
    let err = parse_spl("search `a` | table x", &t).expect_err("does not terminate");
    assert_eq!(err.phase(), Phase::Macro);
    assert_eq!(err.code(), Code::MACRO_RECURSION);
    assert_eq!(
        err.diagnostic().message,
        "macro expansion does not terminate: `a` -> `b` -> `a`"
    );
    assert_eq!(err.diagnostic().location().as_deref(), Some("<input>:1:8"));
}

#[test]
fn undefined_macros_are_errors_that_name_them_and_point_at_the_call() {
    let src = "`get_endpoint_data` foo | table host, user `group_events(\"user, src_ip\",10min)`";
    let err = parse_spl(src, &MacroTable::new()).expect_err("undefined");
    assert_eq!(err.phase(), Phase::Macro);
    assert_eq!(err.code(), Code::UNDEFINED_MACRO);
    let col = src.find("`group_events").map_or(0, |i| i + 1);
    let rendered = err.to_string();
    let caret_line = format!(
        "  |{}{}",
        " ".repeat(col),
        "^".repeat("`group_events(\"user, src_ip\",10min)`".len())
    );
    let expected_head = format!(
        "error[E0201]: undefined macro `group_events(2)`\n --> <input>:1:{col}\n  |\n1 | {src}\n{caret_line} no definition for this macro\n"
    );
    assert!(
        rendered.starts_with(&expected_head),
        "got:\n{rendered}\nexpected to start with:\n{expected_head}"
    );
    assert!(rendered.contains("= note: define it in a macros.conf stanza `[group_events(2)]`"));
}

#[test]
fn builtin_defaults_for_data_sources_and_hec_collect() {
    let src =
        "`get_endpoint_data` `get_endpoint_data_sysmon` \"cmd.exe\" | table host `hec_collect`";
    let p = parse_spl(src, &MacroTable::new()).expect("built-ins");
    assert_eq!(p.expanded_text, "  \"cmd.exe\" | table host ");
    assert_eq!(
        p.notes.len(),
        2,
        "one note per data-source call, none for hec_collect"
    );
    let note = &p.notes[0];
    assert_eq!(note.severity, Severity::Note);
    assert_eq!(note.code, Code::DATA_SOURCE_DEFAULT);
    assert_eq!(
        note.message,
        "data-source macro `get_endpoint_data` has no definition; it matches every event \u{2014} give a macros.conf to restrict it"
    );
    assert_eq!(note.location().as_deref(), Some("<input>:1:1"));
    assert_eq!(p.notes[1].location().as_deref(), Some("<input>:1:21"));
}

#[test]
fn user_definitions_override_builtins_and_undefined_can_be_empty() {
    let t = table("[hec_collect]\ndefinition = | collect index=alerts\n");
    assert_eq!(
        expanded("x | table a `hec_collect`", &t),
        "x | table a | collect index=alerts"
    );

    let t = MacroTable::new().with_undefined_as_empty(true);
    let p = parse_spl("x | table a `add_fields_eoi` b", &t).expect("expands to nothing");
    assert_eq!(p.expanded_text, "x | table a  b");
    assert_eq!(p.notes.len(), 1);
    assert_eq!(p.notes[0].severity, Severity::Warning);
    assert_eq!(
        p.notes[0].message,
        "undefined macro `add_fields_eoi` expands to nothing"
    );
}

#[test]
fn a_whole_stage_that_expands_to_nothing_takes_its_pipe() {
    let t = table("[noop]\ndefinition =\n");
    let p = parse_spl("foo | `noop` | stats count by host", &t).expect("still parses");
    assert_eq!(p.expanded_text, "foo | stats count by host");
    assert_eq!(p.expanded.stages.len(), 2);
    let p = parse_spl("foo | stats count by host | `noop`", &t).expect("still parses");
    assert_eq!(p.expanded_text, "foo | stats count by host");
}

#[test]
fn wrong_arity_is_an_error_at_the_call() {
    let t = table("[group_events(2)]\nargs = a, b\ndefinition = | stats count by $a$\n");
    let src = "x | table a `group_events(user)`";
    let err = parse_spl(src, &t).expect_err("arity");
    assert_eq!(err.code(), Code::MACRO_ARITY);
    let at = err
        .diagnostic()
        .primary
        .as_ref()
        .map(|l| l.span)
        .unwrap_or_default();
    assert_eq!(at.slice(src), "`group_events(user)`");
}

#[test]
fn iseval_macros_fail_only_when_called() {
    let t = table("[fooeval(2)]\nargs = foo, bar\ndefinition = if (bar > 0, \"$foo$ + $bar$\", \"$foo$ - $bar$\")\niseval = true\n");
    assert!(parse_spl("x | table a", &t).is_ok());
    let err = parse_spl("x | table a `fooeval(1, 2)`", &t).expect_err("iseval");
    assert_eq!(err.code(), Code::MACRO_ISEVAL);
    assert_eq!(err.diagnostic().message, "iseval macros are not supported");
}

#[test]
fn an_error_inside_an_expansion_points_at_the_call_with_a_note() {
    // The definition has an unterminated quoted string.
    let t = table("[broken]\ndefinition = process=\"cmd.exe\n");
    let src = "foo `broken` | table host";
    let err = parse_spl(src, &t).expect_err("the expansion does not parse");
    assert_eq!(err.phase(), Phase::Macro, "the rule itself parsed");
    let d = err.diagnostic();
    let at = d.primary.as_ref().map(|l| l.span).unwrap_or_default();
    assert_eq!(at.slice(src), "`broken`");
    assert_eq!(d.location().as_deref(), Some("<input>:1:5"));
    assert!(
        d.notes.iter().any(|n| n == "in the expansion of macro `broken` (defined at macros.conf:2): definition = process=\"cmd.exe"),
        "{:?}",
        d.notes
    );
    let rendered = err.to_string();
    assert!(
        rendered.contains("\n1 | foo `broken` | table host\n  |     ^^^^^^^^"),
        "{rendered}"
    );
}

#[test]
fn spans_of_the_expanded_tree_map_back_into_the_original() {
    let t = table("[src]\ndefinition = index=edr sourcetype=sysmon\n");
    let src = "`src` \"cmd.exe\" | table host";
    let p = parse_spl(src, &t).expect("expands");
    let at = p.expanded_text.find("\"cmd.exe\"").expect("kept");
    let span = Span::new(at, at + "\"cmd.exe\"".len());
    assert_eq!(p.file_span(span).slice(src), "\"cmd.exe\"");
    let at = p.expanded_text.find("sourcetype").expect("expanded");
    assert_eq!(p.file_span(Span::new(at, at + 10)).slice(src), "`src`");
    // A later-phase diagnostic on definition text gets the expansion note.
    let d = p.locate(
        spl_grammar::Diagnostic::error(Code("E0301"), "unknown field")
            .with_primary(Span::new(at, at + 10), "here"),
    );
    assert_eq!(d.location().as_deref(), Some("<input>:1:1"));
    assert!(d.notes[0].starts_with("in the expansion of macro `src`"));
}

#[test]
fn rules_carry_their_macro_errors_into_the_rule_file() {
    let yaml = "id: '1'\ntitle: t\nlogic_format: Splunk\nlogic: '`get_endpoint_data` \"cmd.exe\" | table host,\n  user `nope(1,2)`'\n";
    let rule = Rule::from_yaml_str(yaml, "rules/r.yml").expect("loads");
    let err = parse_rule(&rule, &MacroTable::new()).expect_err("undefined macro");
    assert_eq!(err.phase(), Phase::Macro);
    assert_eq!(err.diagnostic().message, "undefined macro `nope(2)`");
    assert_eq!(
        err.diagnostic().location().as_deref(),
        Some("rules/r.yml:5:8")
    );
    let rendered = err.to_string();
    assert!(
        rendered.contains(
            "5 |   user `nope(1,2)`'\n  |        ^^^^^^^^^^^ no definition for this macro"
        ),
        "{rendered}"
    );
}
