//! Warnings: TERM that can never match, lowercase boolean words, OR mixed with AND.

use spl_compiler::compile_spl;
use spl_compiler::lint::{LOWERCASE_OPERATOR, MIXED_AND_OR, TERM_NEVER_MATCHES};
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
