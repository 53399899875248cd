//! Eval expressions in `where`, `eval` and `stats ... eval(...)`: precedence (`NOT`, then
//! `AND`, `OR`, `XOR`, unlike search; `docs/semantics.md`, "`eval` and `where`"),
//! case-insensitive keywords, field names.

#![allow(clippy::unwrap_used)]

mod common;

use common::{command, expr_sexp, parse_err, where_};
use spl_grammar::ast::{Command, ExprKind};

#[test]
fn and_binds_tighter_than_or_in_where() {
    // `a AND b OR c` is `(a AND b) OR c` in where (in a search it is `a AND (b OR c)`).
    assert_eq!(where_("a AND b OR c"), "(OR (AND a b) c)");
    assert_eq!(where_("a OR b AND c"), "(OR a (AND b c))");
    assert_eq!(where_("a XOR b OR c"), "(XOR a (OR b c))");
    assert_eq!(where_("NOT a AND b"), "(AND (NOT a) b)");
}

#[test]
fn keywords_ignore_case_in_eval() {
    assert_eq!(where_("a and b or not c"), "(OR (AND a b) (NOT c))");
    assert_eq!(where_("a And b"), where_("a AND b"));
    assert_eq!(where_(r#"x like "%a%""#), r#"(LIKE x "%a%")"#);
    assert_eq!(where_(r#"x in ("a", "b")"#), r#"(IN x "a" "b")"#);
    assert_eq!(where_(r#"x IN("a")"#), r#"(IN x "a")"#);
}

#[test]
fn keyword_prefixes_are_names() {
    assert_eq!(where_("ORDER > 1 AND android"), "(AND (> ORDER 1) android)");
    assert_eq!(where_("notes = index"), "(= notes index)");
}

#[test]
fn bang_is_not_and_not_applies_to_a_comparison() {
    assert_eq!(where_(r#"!match(a, "x")"#), r#"(NOT (match a "x"))"#);
    assert_eq!(
        where_(r#"not match(a, "x") and b!=1"#),
        r#"(AND (NOT (match a "x")) (!= b 1))"#
    );
    assert_eq!(where_("NOT a = b"), "(NOT (= a b))");
}

#[test]
fn arithmetic_and_concatenation_precedence() {
    assert_eq!(where_("a + b * c"), "(+ a (* b c))");
    assert_eq!(where_("(a + b) * c"), "(* (+ a b) c)");
    assert_eq!(where_("a - b - c"), "(- (- a b) c)");
    assert_eq!(where_("a . b + c"), "(. a (+ b c))");
    assert_eq!(where_("-a * b"), "(* (neg a) b)");
    assert_eq!(where_("a % 2 = 0"), "(= (% a 2) 0)");
    assert_eq!(
        where_("count > 3 AND x <= 1.5e3"),
        "(AND (> count 3) (<= x 1.5e3))"
    );
    assert_eq!(where_("a == b"), where_("a = b"));
}

#[test]
fn comparisons_bind_tighter_than_and() {
    assert_eq!(
        where_(r#"event_count < 5 AND (a > 1) OR (b like "x")"#),
        r#"(OR (AND (< event_count 5) (> a 1)) (LIKE b "x"))"#
    );
}

#[test]
fn function_calls_and_arity_is_not_checked_here() {
    assert_eq!(where_("pi()"), "(pi)");
    assert_eq!(where_(r#"if(a="x",1,0)"#), r#"(if (= a "x") 1 0)"#);
    assert_eq!(where_("round(sqrt(x), 2)"), "(round (sqrt x) 2)");
    // One argument where two are needed parses; the compiler checks arity.
    assert_eq!(
        where_(r#"match(event_type = "(?i)x")"#),
        r#"(match (= event_type "(?i)x"))"#
    );
    // `like` and `in` are also function names.
    assert_eq!(where_(r#"like(process, "%a%")"#), r#"(like process "%a%")"#);
    assert_eq!(where_(r#"in(x, "a")"#), r#"(in x "a")"#);
}

#[test]
fn strings_unescape_like_search_strings() {
    assert_eq!(where_(r#"match(p, "\\x\"\s")"#), r#"(match p "\x"\s")"#);
}

#[test]
fn single_quoted_field_names_lose_their_quotes() {
    assert_eq!(
        where_("'target{}.alternateId' = x"),
        "(= target{}.alternateId x)"
    );
    match command("x | eval dest_user='target{}.alternateId'", 1) {
        Command::Eval(a) => {
            assert_eq!(a[0].field.name, "dest_user");
            assert!(
                matches!(&a[0].value.kind, ExprKind::Field(f) if f.name == "target{}.alternateId")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn eval_assignments_and_foreach_templates() {
    match command("x | eval a=1, b = a * 2 , c=mvindex('site{}',0)", 1) {
        Command::Eval(a) => {
            let text: Vec<String> = a
                .iter()
                .map(|a| format!("{}={}", a.field.name, expr_sexp(&a.value)))
                .collect();
            assert_eq!(text, ["a=1", "b=(* a 2)", "c=(mvindex site{} 0)"]);
        }
        other => panic!("{other:?}"),
    }
    match command("x | eval <<FIELD>>_x = <<FIELD>> . \"!\"", 1) {
        Command::Eval(a) => {
            assert_eq!(a[0].field.name, "<<FIELD>>_x");
            assert_eq!(expr_sexp(&a[0].value), r#"(. <<FIELD>> "!")"#);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_assigned_name_may_hold_a_dash_but_a_value_may_not() {
    // Before `=` there is no expression: the dash is part of the name (as in the catalog
    // macro `unusual_cmdline_feature_-value=...`). After `=` it stays subtraction.
    match command("x | eval feature_-value=a-b, set-mp = 1", 1) {
        Command::Eval(a) => {
            let text: Vec<String> = a
                .iter()
                .map(|a| format!("{}={}", a.field.name, expr_sexp(&a.value)))
                .collect();
            assert_eq!(text, ["feature_-value=(- a b)", "set-mp=1"]);
        }
        other => panic!("{other:?}"),
    }
    // A name cannot start with a dash.
    let e = parse_err("x | eval -a=1");
    assert_eq!(e.span.start, 9, "{}", e.message);
}

#[test]
fn a_keyword_glued_to_a_function_name_is_an_error_at_the_word() {
    let src = r#"x | where match(a,"b") ANDmatch(c,"d")"#;
    let e = parse_err(src);
    assert_eq!(e.span.slice(src), "ANDmatch");
    assert_eq!(
        e.message,
        "expected an operator such as AND or OR between expressions"
    );
    let src = r#"x | where like(a,"b") ORlike(c,"d")"#;
    assert_eq!(parse_err(src).span.slice(src), "ORlike");
    // Two operands with nothing between them.
    let src = r#"x | where process contains "dscl""#;
    let e = parse_err(src);
    assert_eq!(e.span.slice(src), "contains");
    assert_eq!(
        e.message,
        "expected an operator such as AND or OR between expressions"
    );
}

#[test]
fn where_glued_to_a_parenthesis() {
    assert_eq!(
        match command(r#"x | where(match(a,"b") AND c)"#, 1) {
            Command::Where(e) => expr_sexp(&e),
            other => panic!("{other:?}"),
        },
        r#"(AND (match a "b") c)"#
    );
}

// ---------------------------------------------------------------------------------------
// Traps: forms the armory writes whose reading is easy to get wrong.

#[test]
fn concatenation_sits_between_arithmetic_and_comparison() {
    // `* / %` > `+ -` > `.` > comparisons/LIKE > AND > OR > XOR.
    assert_eq!(where_("a . b = c"), "(= (. a b) c)");
    assert_eq!(where_("a + 1 . b * 2"), "(. (+ a 1) (* b 2))");
    assert_eq!(where_(r#"a . "x" . b"#), r#"(. (. a "x") b)"#);
    assert_eq!(
        where_(r#"a . b LIKE "x%" AND c"#),
        r#"(AND (LIKE (. a b) "x%") c)"#
    );
    // A dot between digits is a decimal point, not concatenation.
    assert_eq!(where_("x > 1.5"), "(> x 1.5)");
    // Field names with `.` must be single-quoted in eval, so a bare `a.b` is a
    // concatenation.
    assert_eq!(where_("a.b"), "(. a b)");
    assert_eq!(where_("'a.b'"), "a.b");
}

#[test]
fn the_location_idiom() {
    // The `location` idiom the armory writes: two `if`s joined with `.`.
    match command(
        r#"x | eval location = if(isnotnull(City) AND City!="", City . ", ", "") . if(isnotnull(Country), Country, "")"#,
        1,
    ) {
        Command::Eval(a) => {
            assert_eq!(a[0].field.name, "location");
            assert_eq!(
                expr_sexp(&a[0].value),
                r#"(. (if (AND (isnotnull City) (!= City "")) (. City ", ") "") (if (isnotnull Country) Country ""))"#
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn like_in_any_case_as_operator_and_as_function() {
    // The operator `str LIKE "a%b_"`; the armory also writes the infix form in lowercase.
    assert_eq!(where_(r#"p LIKE "a%b_""#), r#"(LIKE p "a%b_")"#);
    assert_eq!(where_(r#"p like "%x%""#), where_(r#"p LIKE "%x%""#));
    // LIKE binds tighter than NOT and AND.
    assert_eq!(
        where_(r#"NOT p LIKE "a%" AND q"#),
        r#"(AND (NOT (LIKE p "a%")) q)"#
    );
    assert_eq!(
        where_(r#"like(p, "%[Char][System.Convert]::ToInt16($_,16)%")"#),
        r#"(like p "%[Char][System.Convert]::ToInt16($_,16)%")"#
    );
}

#[test]
fn bang_before_a_group_and_next_to_other_operators() {
    // The armory writes `!match(...)` and `!like(...)`; `!` is taken as NOT.
    assert_eq!(
        where_(r#"!(match(a, "x") OR b)"#),
        r#"(NOT (OR (match a "x") b))"#
    );
    assert_eq!(
        where_(r#"a and !like(b, "%c%")"#),
        r#"(AND a (NOT (like b "%c%")))"#
    );
    // `!=` is a comparison, never `!` then `=`.
    assert_eq!(where_("a!=b"), "(!= a b)");
}

#[test]
fn single_quoted_names_hold_any_character_but_a_quote() {
    // Single quotes name any field: `'5minutes'`, `'server-1'`, flattened JSON names.
    assert_eq!(where_("'5minutes' > 'server-1'"), "(> 5minutes server-1)");
    assert_eq!(
        where_(r#"'debugContext.debugData.suspiciousActivityEventType' = "x""#),
        r#"(= debugContext.debugData.suspiciousActivityEventType "x")"#
    );
    // A single-quoted name is a field, a double-quoted text is a string.
    let Command::Where(e) = command(r#"x | where 'a b' = "a b""#, 1) else {
        panic!()
    };
    let ExprKind::Binary { lhs, rhs, .. } = &e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(&lhs.kind, ExprKind::Field(f) if f.name == "a b"));
    assert!(matches!(&rhs.kind, ExprKind::Str(s) if s == "a b"));
}

#[test]
fn eval_strings_keep_non_escape_backslashes() {
    // As in the search command, only `\\`, `\"` and `\|` unescape in every quoted string:
    // `\s` and `\x5c` stay as written.
    assert_eq!(
        where_(r#"match(p, "C:\Windows\n\x5c\\")"#),
        r#"(match p "C:\Windows\n\x5c\")"#
    );
}
