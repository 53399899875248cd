//! Warnings: TERM that can never match, lowercase boolean words, OR mixed with AND, fields
//! read where nothing makes them, regex escapes that collapse in quoted strings.

use spl_compiler::compile_spl;
use spl_compiler::lint::{
    COLLAPSING_ESCAPE, FIELD_NEVER_PRODUCED, LOWERCASE_OPERATOR, MIXED_AND_OR, TERM_NEVER_MATCHES,
};
use spl_grammar::{MacroTable, Severity};

/// `(code, line, column)` of each warning of a rule.
fn warnings(spl: &str) -> Vec<(&'static str, usize, usize)> {
    let compiled = compile_spl(spl, "rule.spl", &MacroTable::new()).expect("compiles");
    compiled
        .warnings
        .iter()
        .map(|d| {
            assert_eq!(d.severity, Severity::Warning);
            let lc = d.line_col().expect("located");
            (d.code.as_str(), lc.line, lc.column)
        })
        .collect()
}

#[test]
fn term_with_a_space_warns_at_the_term() {
    assert_eq!(
        warnings("index=x TERM(BEGIN RSA) | table _raw"),
        vec![(TERM_NEVER_MATCHES.as_str(), 1, 9)]
    );
    assert_eq!(
        warnings("x\n  NOT TERM(a%20b)"),
        vec![(TERM_NEVER_MATCHES.as_str(), 2, 7)]
    );
    assert!(warnings("TERM(EventCode=4104) TERM(--dns) TERM(*.exe)").is_empty());
}

#[test]
fn lowercase_operators_warn_but_uppercase_and_quoted_do_not() {
    assert_eq!(
        warnings("a or b"),
        vec![(LOWERCASE_OPERATOR.as_str(), 1, 3)]
    );
    assert_eq!(
        warnings("a Not b | search c and d"),
        vec![
            (LOWERCASE_OPERATOR.as_str(), 1, 3),
            (LOWERCASE_OPERATOR.as_str(), 1, 20)
        ]
    );
    assert!(warnings("(a OR b) NOT c AND d \"or\" orange").is_empty());
}

#[test]
fn or_beside_and_without_parentheses_warns_at_the_or() {
    let mixed = MIXED_AND_OR.as_str();
    // Juxtaposition and AND are the same conjunction.
    assert_eq!(warnings("a OR b c"), vec![(mixed, 1, 1)]);
    assert_eq!(warnings("x=1 AND y=2 OR z=3"), vec![(mixed, 1, 9)]);
    // Inside a group, around a NOT, in a later search, on a later line.
    assert_eq!(warnings("(a b OR c)"), vec![(mixed, 1, 4)]);
    assert_eq!(warnings("NOT (a OR b c)"), vec![(mixed, 1, 6)]);
    assert_eq!(warnings("x | search a\n  OR b c"), vec![(mixed, 1, 12)]);
    // Parentheses around the OR say what is meant; an OR alone mixes nothing.
    for clear in [
        "(a OR b) c",
        "c ( a OR b )",
        "((a OR b)) c",
        "a OR b OR c",
        "a OR (b c)",
        "NOT a OR b",
        "(a OR b) (c OR d)",
    ] {
        assert!(warnings(clear).is_empty(), "{clear}");
    }
}

#[test]
fn warnings_do_not_stop_compiling() {
    let compiled = compile_spl("TERM(a b)", "r.spl", &MacroTable::new()).expect("compiles");
    assert_eq!(compiled.warnings.len(), 1);
    let text = compiled.warnings[0].render_plain();
    assert!(text.contains("warning"), "{text}");
    assert!(text.contains("`TERM(a b)` can never match"), "{text}");
}

#[test]
fn a_field_a_letter_away_from_one_made_before_warns_where_it_is_read() {
    // The catalog's own rule: `eval keywords=...` then `table ... keyword`.
    let w = FIELD_NEVER_PRODUCED.as_str();
    assert_eq!(
        warnings("x | eval keywords=mvappend(a, b) | table _time keyword"),
        vec![(w, 1, 48)]
    );
    // Made before under its own name, compared in the first search, or made only after
    // the read: no warning.
    assert!(warnings("x | eval keyword=1, keywords=2 | table keyword").is_empty());
    assert!(warnings("keyword=* | eval keywords=1 | table keyword").is_empty());
    assert!(warnings("x | table user | eventstats dc(user) as users by user").is_empty());
    assert!(warnings("x | eval Name=lower(name) | table name").is_empty());
}

#[test]
fn a_field_no_row_can_hold_after_table_fields_or_stats_warns() {
    let w = FIELD_NEVER_PRODUCED.as_str();
    assert_eq!(
        warnings("x | table _time host | stats count by _time, user"),
        vec![(w, 1, 46)]
    );
    assert_eq!(
        warnings("x | stats count by host | where user=\"a\""),
        vec![(w, 1, 33)]
    );
    assert_eq!(warnings("x | fields host | sort user"), vec![(w, 1, 24)]);
    // What the restricting command keeps or makes, what later commands make, wildcards,
    // and internal fields are fine.
    assert!(warnings("x | table process_* host | stats count by process_name, host").is_empty());
    assert!(
        warnings("x | stats count by host | eval n=count | where n>1 AND host=\"a\"").is_empty()
    );
    assert!(
        warnings("x | table host | rex field=host \"(?<short>[^.]+)\" | table short").is_empty()
    );
    assert!(warnings("x | stats values(*) as * by host | table user").is_empty());
    assert!(warnings("x | table host | bin span=1s | stats count by _time, host").is_empty());
    assert!(warnings("x | fields - user | table host").is_empty());
}

#[test]
fn a_doubled_backslash_before_an_escape_letter_and_a_word_warns() {
    let w = COLLAPSING_ESCAPE.as_str();
    // `\\A` in the rule text: SPL makes it `\A`, a start-of-text anchor.
    assert_eq!(
        warnings(r#"x | regex path!="(?i)Program\sFiles\\AnyDesk""#),
        vec![(w, 1, 36)]
    );
    assert_eq!(
        warnings(r#"x | where match(p, "C:\\\\Windows") OR match(p, "C:\\Windows")"#),
        vec![(w, 1, 52)]
    );
    assert_eq!(
        warnings(r#"x | rex field=p "\\system32\\\\(?<exe>\w+)""#).len(),
        1
    );
    // Escapes plainly meant, a word boundary, quadrupled backslashes and unquoted
    // patterns: no warning.
    assert!(warnings(r#"x | regex p="\\d+\\s*x" | regex p="\\bcmd\\b""#).is_empty());
    assert!(warnings(r#"x | regex p="C:\\\\Windows""#).is_empty());
    assert!(warnings(r#"x | eval y=replace(p, "\\w+", "") | regex p=\\Windows"#).is_empty());
}

#[test]
fn the_builder_gives_the_same_warnings_located_in_the_rule() {
    let builder = spl_compiler::Builder::new()
        .emit_rerun_if_changed(false)
        .rule_spl(
            "seed.spl",
            "x | eval keywords=mvappend(a, b)\n| table _time keyword",
        );
    let lines = builder.warnings().expect("compiles");
    assert_eq!(
        lines,
        ["seed.spl:2:15: warning[W0304]: `keyword` is read here, but no command of the rule makes it"]
    );
}
