//! Error positions and messages for each class of malformed rule in the armory (unbalanced
//! quotes and parentheses, keywords glued to a name, ...), and that no input makes the
//! parser panic.

#![allow(clippy::unwrap_used)]

mod common;

use common::parse_err;
use spl_grammar::parse_query;

/// The error's message and the text its span covers.
fn err(src: &str) -> (String, &str) {
    let e = parse_err(src);
    assert!(!e.label.is_empty(), "an error has a caret label: {e:?}");
    (e.message, &src[e.span.start..e.span.end])
}

/// The byte offset of the `n`-th occurrence of `pat` in `src`.
fn nth(src: &str, pat: &str, n: usize) -> usize {
    src.match_indices(pat).nth(n).map(|(i, _)| i).unwrap()
}

#[test]
fn unterminated_quote_points_at_the_opening_quote() {
    let src = r#"`m` "cmd.exe | table x"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unterminated quoted string");
    assert_eq!(e.span.start, nth(src, "\"", 0));
    // An escaped quote does not close the string.
    let src = r#"a "C:\" | table x"#;
    assert_eq!(parse_err(src).span.start, 2);
}

#[test]
fn a_stray_quote_at_the_start_is_the_one_reported() {
    // windows_firewall_rule_creation-sysmon: reading left to right would blame the last
    // quote; the stray one is the first.
    let src = r#""`m` ("EventCode=1" OR "<EventID>1<") ((TERM(netsh) OR "netsh.exe") TERM(add)) OR "New-NetFirewallRule" | table host"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unterminated quoted string");
    assert_eq!(e.span.start, 0);
}

#[test]
fn unterminated_quote_inside_macro_arguments() {
    // wuauclt_network_connection-*: `group_events("host,1)`.
    let src = r#"x | table a `group_events("host,1)` "#;
    let e = parse_err(src);
    assert_eq!(e.message, "unterminated quoted string");
    assert_eq!(e.span.start, nth(src, "\"", 0));
}

#[test]
fn unclosed_parenthesis_in_search_points_at_it() {
    // domain_trust_discovery_commands-windows-sysmon.
    let src = r#"`m` (TERM(EventCode=1 OR "<EventID>1<") ("/a" OR "/b") | table x"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unclosed parenthesis");
    assert_eq!(e.span.start, nth(src, "(", 0));
    // iso_image_mounted-windows-powershell: TERM's body runs to its matching `)`.
    let src = "x (TERM(Mount-DiskImage OR TERM(mdisk)) | table y";
    assert_eq!(parse_err(src).span.start, 2);
    // suspicious_cupsd_child_process-nix-edr.
    let src = r#"`m` ("cupsd" "root" (("bash" OR "sh") "-c") OR "cupsd" | where a"#;
    assert_eq!(parse_err(src).span.start, 4);
}

#[test]
fn extra_closing_parenthesis_points_at_it() {
    // potential_cve-2023-2640_or_cve-2023-32629-overlay-unix.
    let src = r#"TERM(unshare) OR (TERM(setcap) "cap_sys_admin")) OR (TERM(mount)) | table x"#;
    assert_eq!(err(src), ("unexpected `)`".into(), ")"));
    assert_eq!(parse_err(src).span.start, nth(src, "))", 0) + 1);
}

#[test]
fn parentheses_in_where_are_checked_too() {
    // certificate_enumeration-windows-sysmon: one `)` too many.
    let src = r#"x | where match(p, "(a|b)\s") and !match(n, "(?i)find\.exe")) or match(n, "c") | table y"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unexpected `)`");
    assert_eq!(e.span.start, nth(src, "\")) or", 0) + 2);
    // visual_studio_code_tunnel_execution-powershell: one `(` never closed.
    let src = r#"x | where match(p, "a") or ((match(p, "b") and like(p, "%c%")) or like(p, "%d%") | table y"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unclosed parenthesis");
    assert_eq!(e.span.start, nth(src, "((", 0));
}

#[test]
fn parentheses_inside_strings_and_quoted_names_do_not_count() {
    assert!(parse_query(r#"x | where match(p, "((((") AND 'a(b' = 1"#).is_ok());
    assert!(parse_query(r#"x ")))" | regex p="(a""#).is_ok());
}

#[test]
fn broken_macro_calls() {
    // suspicious_recaptcha_command_line-sysmon: `apply_al(AVL_R76907` with no `)`.
    let src = "x | search `apply_al(AVL_R76907` | table y";
    let e = parse_err(src);
    assert_eq!(e.message, "unclosed parenthesis in a macro call");
    assert_eq!(e.span.start, nth(src, "(", 0));
    let src = "x `get_data";
    assert_eq!(err(src), ("unterminated macro call".into(), "`"));
    let src = "x `` y";
    assert_eq!(err(src).0, "expected a macro name after the backtick");
    let src = "x `m(a) b` y";
    assert_eq!(
        err(src).0,
        "unexpected text after the arguments of a macro call"
    );
}

#[test]
fn keyword_glued_to_a_function() {
    // create_add_local_domain_user-edr: `ANDmatch(`.
    let src = r#"x | where(match(process,"(?i).add") ANDmatch(process,"(?i)user"))"#;
    assert_eq!(
        err(src),
        (
            "expected an operator such as AND or OR between expressions".into(),
            "ANDmatch"
        )
    );
    let e = parse_err(src);
    assert_eq!(e.notes, ["put a space between `AND` and `match`"]);
}

#[test]
fn regex_without_an_operator() {
    // `regex uri_path-"..."` has no operator at all; white space around one is fine
    // (`parse_commands.rs`, `regex_spaces_around_the_operator`).
    let src = r#"x | regex uri_path-"(?i)Internal(Dir|File)""#;
    let (message, at) = err(src);
    assert_eq!(message, "expected `=` or `!=`, found `\"`");
    assert_eq!(at, "\"");
    let e = parse_err(src);
    assert_eq!(e.span.start, nth(src, "\"", 0));
}

#[test]
fn brackets_and_empty_stages() {
    assert_eq!(
        err("x | join a [ search y | table z"),
        ("unclosed bracket".into(), "[")
    );
    assert_eq!(err("x ] y"), ("unexpected `]`".into(), "]"));
    assert_eq!(err("x | | y").0, "expected a command, found `|`");
}

#[test]
fn trailing_text_is_never_dropped() {
    assert!(parse_query("x | table a b | ").is_err());
    assert!(parse_query("x | head 10 20").is_err());
    assert!(parse_query("x | where a = ").is_err());
    assert!(parse_query("x | eval x").is_err());
}

#[test]
fn absurd_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
    assert!(parse_err(&deep).message.contains("nested too deeply"));
    let chain = format!("x | where a{}", " + a".repeat(5000));
    assert!(parse_err(&chain).message.contains("nested too deeply"));
    let nots = format!("{}a", "NOT ".repeat(5000));
    assert!(parse_err(&nots).message.contains("in a row"));
    // Many NOTs that are not nested are fine.
    assert!(parse_query(&"NOT a ".repeat(2000)).is_ok());
}

/// Every prefix, and every text with one character removed, of a few representative rules
/// gives a result or an error, never a panic; errors point inside the text.
#[test]
fn no_input_makes_the_parser_panic() {
    let rules = [
        r#"`get_endpoint_data` `m_sysmon` (TERM(EventCode=1) OR "<EventID>1<") "cmd.exe" NOT x IN (10.0.0.0/8, "::1") | regex parent_process_name="(?i)(cmd\.exe)" | rex field=p "(?<a>\S+")"#,
        r#"x | where match(a, "(?i)b") and !like(c, "%d%") OR e >= -1.5 . "f" | eval g='h{}.i', j=if(k="l", 1, 0) | stats sum(eval(m="n")) as o, values(*) as * by _time, host `hec_collect`"#,
        r#"x | join type=left u [ search `a(b, "c,d")` | stats count by u ] | foreach *l [ | eval <<FIELD>>=replace(<<FIELD>>, "\"", "") ] | lookup t a AS b OUTPUT c AS d | sort - e | fillnull value="-" f"#,
    ];
    for rule in rules {
        assert!(parse_query(rule).is_ok(), "{rule}");
        let boundaries: Vec<usize> = rule.char_indices().map(|(i, _)| i).collect();
        for &cut in &boundaries {
            check(&rule[..cut]);
            let next = rule[cut..].chars().next().map_or(0, char::len_utf8);
            check(&format!("{}{}", &rule[..cut], &rule[cut + next..]));
        }
    }
    for odd in [
        "\"",
        "`",
        "(",
        ")",
        "[",
        "]",
        "|",
        "\\",
        "'",
        "=",
        "!",
        "<<",
        "é\"",
        "`é(",
        "TERM(",
        "x | where 'a",
    ] {
        check(odd);
    }
}

fn check(src: &str) {
    match std::panic::catch_unwind(|| parse_query(src)) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            assert!(
                e.span.start <= e.span.end && e.span.end <= src.len(),
                "{src:?}: {e:?}"
            );
            assert!(
                src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end),
                "{src:?}: {e:?}"
            );
            assert!(
                !e.message.is_empty() && !e.message.contains("Rule::"),
                "{src:?}: {e:?}"
            );
        }
        Err(_) => panic!("the parser panicked on {src:?}"),
    }
}

#[test]
fn trailing_text_is_reported_where_it_starts() {
    // The whole input must be consumed: text after a complete command is an error at that
    // text, never dropped. `(src, where the leftover starts)`.
    let cases = [
        ("x | head 10 20", "20"),
        ("x | table a ) b", ") b"),
        ("x | bin span=1s )", ")"),
        ("x | stats count by host )", ")"),
        ("x | where a=1 )", ")"),
        ("x | where a=1 b", "b"),
        ("x | eval a=1 b=2", "b=2"),
        ("x | sort - a )", ")"),
        ("x | table a ]", "]"),
        ("x | iplocation a b", "b"),
        ("x | fields - a )", ")"),
        (r#"x | regex a="b" c"#, "c"),
        ("x | join a [ search b ] c", "c"),
        ("x | foreach a [ eval b=1 ] c", "c"),
        ("TERM(a) )", ")"),
        ("a ) b", ") b"),
    ];
    for (src, rest) in cases {
        let e = parse_err(src);
        assert_eq!(
            e.span.start,
            src.rfind(rest).unwrap(),
            "{src:?}: {} at {:?}",
            e.message,
            e.span.slice(src)
        );
    }
    // A missing last piece is an error at the end of the text.
    for src in ["x | eval a=1,", "x | rename a as b c"] {
        assert_eq!(
            parse_err(src).span,
            spl_grammar::Span::point(src.len()),
            "{src:?}"
        );
    }
}

#[test]
fn an_unterminated_quote_after_escaped_quotes_is_still_found() {
    // `\"` in an unquoted value opens no string, so the quote that opens one and never
    // closes is the one reported, with its own position.
    let src = r#"f=*\"privileged\":true* | where process="cmd.exe | table x"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unterminated quoted string");
    assert_eq!(e.span.start, nth(src, "=\"", 0) + 1);
    assert_eq!(e.span.slice(src), "\"");
    // A quote that opens a string before the `\"`: the `\"` is inside it, escaped.
    let src = r#"x "abc f=\"y | table x"#;
    let e = parse_err(src);
    assert_eq!(e.message, "unterminated quoted string");
    assert_eq!(e.span.start, 2);
    // A bare `"` right after `\"` opens a string.
    let src = r#"f=\"" x"#;
    assert_eq!(parse_err(src).span.start, 4);
}
