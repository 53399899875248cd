//! The canonical printer: the spelling it chooses, and that printing then parsing gives
//! the same tree back (spans aside).

#![allow(clippy::unwrap_used)]

mod common;

use common::parse;
use spl_grammar::ast::{print, Expr, ExprKind, Ident};
use spl_grammar::Span;

/// Parse, print, parse again: the trees must be equal once spans are cleared.
fn round_trip(src: &str) -> String {
    let mut first = parse(src);
    let printed = print(&first);
    let mut second = parse(&printed);
    first.clear_spans();
    second.clear_spans();
    assert_eq!(first, second, "\n  source:  {src}\n  printed: {printed}");
    printed
}

#[test]
fn search_groups_are_parenthesised_inside_boolean_nodes() {
    assert_eq!(round_trip("A OR B C"), "(A OR B) AND C");
    assert_eq!(round_trip("a b OR c"), "a AND (b OR c)");
    assert_eq!(round_trip("NOT (a b) OR NOT c"), "NOT (a AND b) OR NOT c");
    assert_eq!(round_trip("(a b) c"), "(a AND b) AND c");
    assert_eq!(round_trip("NOT NOT a"), "NOT NOT a");
}

#[test]
fn strings_are_re_escaped_and_bare_values_stay_bare() {
    assert_eq!(
        round_trip(r#""C:\\Users\\*" "a\"b" "a\|b" "\s""#),
        r#""C:\\Users\\*" AND "a\"b" AND "a|b" AND "\\s""#
    );
    assert_eq!(
        round_trip(r#"f=bare g="quoted" h IN (a, "b")"#),
        r#"f=bare AND g="quoted" AND h IN (a, "b")"#
    );
    assert_eq!(
        round_trip(r#"TERM(a=b) TERM("c d") zTERM(x)"#),
        r#"TERM(a=b) AND TERM("c d") AND zTERM(x)"#
    );
    assert_eq!(round_trip(r"C:\x\*"), r"C:\x\*");
}

#[test]
fn quotes_in_bare_values_print_escaped() {
    // `\"` in an unquoted token is a quote character; it prints back as `\"`, and every
    // other backslash as written.
    assert_eq!(
        round_trip(r#"f=*\"privileged\":true* *\"x\"* TERM(a\"b) g IN (a\"b) h=a\\"b"#),
        r#"f=*\"privileged\":true* AND *\"x\"* AND TERM(a\"b) AND g IN (a\"b) AND h=a\\"b"#
    );
    // Words and option values of other commands alike.
    assert_eq!(
        round_trip(r#"x | avlbase64 f=b\"c w\"x"#),
        r#"x | avlbase64 f=b\"c w\"x"#
    );
}

#[test]
fn regex_spaces_around_the_operator_print_without_them() {
    assert_eq!(
        round_trip(r#"x | regex file_name =  "\\x{202E}""#),
        r#"x | regex file_name="\\x{202E}""#
    );
    assert_eq!(
        round_trip(r#"x | regex process != "a""#),
        r#"x | regex process!="a""#
    );
}

#[test]
fn eval_operands_are_parenthesised_only_where_precedence_needs_it() {
    assert_eq!(
        round_trip("x | where a AND b OR c"),
        "x | where a AND b OR c"
    );
    assert_eq!(
        round_trip("x | where a AND (b OR c)"),
        "x | where a AND (b OR c)"
    );
    assert_eq!(round_trip("x | where a - (b - c)"), "x | where a - (b - c)");
    assert_eq!(round_trip("x | where (a - b) - c"), "x | where a - b - c");
    assert_eq!(
        round_trip("x | where -(a + b) * c"),
        "x | where -(a + b) * c"
    );
    assert_eq!(
        round_trip("x | where NOT (a AND b)"),
        "x | where NOT (a AND b)"
    );
    assert_eq!(
        round_trip("x | where !match(a, \"b\")"),
        "x | where NOT match(a, \"b\")"
    );
    assert_eq!(round_trip("x | where a . (b + c)"), "x | where a . b + c");
    assert_eq!(round_trip("x | where (a . b) + c"), "x | where (a . b) + c");
    assert_eq!(
        round_trip("x | where (a = b) IN (c)"),
        "x | where a = b IN (c)"
    );
    assert_eq!(
        round_trip("x | where a = (b IN (c))"),
        "x | where a = (b IN (c))"
    );
}

#[test]
fn eval_field_names_are_quoted_when_they_must_be() {
    assert_eq!(
        round_trip("x | eval a='b{}.c', 'd-e'=f"),
        "x | eval a='b{}.c', 'd-e'=f"
    );
    assert_eq!(round_trip("x | eval 'plain'=1"), "x | eval plain=1");
    assert_eq!(
        round_trip("x | eval <<FIELD>>_y=<<FIELD>>"),
        "x | eval <<FIELD>>_y=<<FIELD>>"
    );
    // A field named like a keyword must be quoted to stay a field.
    let e = Expr {
        kind: ExprKind::Field(Ident {
            name: "and".into(),
            span: Span::default(),
        }),
        span: Span::default(),
    };
    assert_eq!(e.to_string(), "'and'");
}

#[test]
fn commands_print_canonically() {
    let src = concat!(
        "`m` a | regex p!=\"x\\\"y\" | rex field=f max_match=0 \"(?<a>.)\" ",
        "| rex field=g mode=sed \"s/a/b/g\" | table a, `eoi` b | fields - c d ",
        "| rename e as f, \"g h\" AS i | fillnull j value=0 | sort 10 -k, l ",
        "| dedup 2 m keepempty=true | head 3 | bin span=1s | bucket n span=5m as o ",
        "| streamstats window=1 current=f values(_time) as t by u global=f ",
        "| stats count, sum(eval(if(a=\"x\",1,0))) as s by _time, host ",
        "| transaction dvc maxspan=30s | lookup dnslookup clientip as src_ip OUTPUT clienthost as src_dns ",
        "| iplocation prefix=\"src_\" src_ip | join type=left u [ search v | stats count by u ] ",
        "| foreach *l [ | eval <<FIELD>>=1 ] | avlbase64 type=decode field=b \"w\" | `ut(q)` `hec_collect`",
    );
    assert_eq!(
        round_trip(src),
        concat!(
            "`m` AND a | regex p!=\"x\\\"y\" | rex field=f max_match=0 \"(?<a>.)\" ",
            "| rex field=g mode=sed \"s/a/b/g\" | table a, `eoi`, b | fields - c, d ",
            "| rename e AS f, \"g h\" AS i | fillnull value=0 j | sort 10 -k, l ",
            "| dedup 2 m keepempty=true | head 3 | bin span=1s | bucket span=5m n AS o ",
            "| streamstats values(_time) AS t BY u window=1 current=f global=f ",
            "| stats count, sum(eval(if(a = \"x\", 1, 0))) AS s BY _time, host ",
            "| transaction dvc maxspan=30s | lookup dnslookup clientip AS src_ip OUTPUT clienthost AS src_dns ",
            "| iplocation prefix=\"src_\" src_ip | join type=left u [ search v | stats count BY u ] ",
            "| foreach *l [ | eval <<FIELD>>=1 ] | avlbase64 type=decode field=b \"w\" | `ut(q)` `hec_collect`",
        )
    );
}

#[test]
fn stats_options_follow_the_by_list_so_its_macros_stay_in_it() {
    assert_eq!(
        round_trip("x | stats window=1 count"),
        "x | stats window=1 count"
    );
    assert_eq!(
        round_trip("x | streamstats count by u `m` global=f"),
        "x | streamstats count BY u, `m` global=f"
    );
    assert_eq!(
        round_trip("x | streamstats global=f count by u `m`"),
        "x | streamstats count BY u global=f `m`"
    );
}

#[test]
fn field_names_that_would_read_as_keywords_or_counts_are_quoted() {
    assert_eq!(
        round_trip(r#"x | rename "as" AS "by""#),
        r#"x | rename "as" AS "by""#
    );
    assert_eq!(round_trip(r#"x | sort "0""#), r#"x | sort "0""#);
    assert_eq!(
        round_trip(r#"x | rex field="a b" "c""#),
        r#"x | rex field="a b" "c""#
    );
}

#[test]
fn lists_print_with_commas_that_parse_back() {
    assert_eq!(
        round_trip("x | foreach a b fieldstr=f [ eval <<FIELD>>=1 ] | transaction p q | dedup r s"),
        "x | foreach a, b fieldstr=f [ eval <<FIELD>>=1 ] | transaction p, q | dedup r, s"
    );
    assert_eq!(
        round_trip("x | join a b [ search y ]"),
        "x | join a, b [ search y ]"
    );
}

#[test]
fn empty_first_stages_print_as_a_leading_pipe() {
    assert_eq!(round_trip("| eval x=1"), "| eval x=1");
    assert_eq!(round_trip(""), "");
    assert_eq!(round_trip("search"), "search");
}

#[test]
fn a_bare_value_that_starts_like_an_operator_stays_apart_from_it() {
    // `a> =b` compares with `>` against "=b"; `a>=b` would be `>=` against "b".
    assert_eq!(round_trip("a>  =b"), "a> =b");
    assert_eq!(round_trip("a< >b"), "a< >b");
    assert_eq!(round_trip("a>=b"), "a>=b");
    assert_eq!(round_trip(r#"a>"=b""#), r#"a>"=b""#);
}
