//! The search command: precedence, terms, phrases, escapes, TERM/CASE, comparisons, IN.
//! Expected shapes follow `docs/semantics.md`, "Search command" (`NOT`, then `OR`, then
//! `AND`; operators uppercase only).

#![allow(clippy::unwrap_used)]

mod common;

use common::{parse, search, search_expr};
use spl_grammar::ast::{CmpOp, Command, SearchKind};

#[test]
fn or_binds_tighter_than_juxtaposition() {
    // `"x" OR "y" "z"` is `("x" OR "y") AND "z"`.
    assert_eq!(search("A OR B C"), "(and (or A B) C)");
    assert_eq!(search("a b OR c"), "(and a (or b c))");
    assert_eq!(search("A B OR C D"), "(and A (or B C) D)");
}

#[test]
fn explicit_and_is_the_same_as_juxtaposition() {
    assert_eq!(search("A AND B OR C"), search("A B OR C"));
    assert_eq!(search("A AND B OR C"), "(and A (or B C))");
    assert_eq!(search("a AND b AND c"), "(and a b c)");
}

#[test]
fn not_binds_tightest() {
    assert_eq!(search("NOT a OR b"), "(or (not a) b)");
    assert_eq!(search("NOT a b"), "(and (not a) b)");
    assert_eq!(search("NOT NOT a"), "(not (not a))");
    assert_eq!(search("NOT (a OR b) c"), "(and (not (or a b)) c)");
}

#[test]
fn parentheses_group_and_are_kept_as_nesting() {
    assert_eq!(search("(a b) c"), "(and (and a b) c)");
    assert_eq!(search("((a))"), "a");
    assert_eq!(search("(A OR B) (C OR D)"), "(and (or A B) (or C D))");
}

#[test]
fn lowercase_operators_are_plain_terms() {
    // The operators must be capitalised.
    assert_eq!(search("a or b"), "(and a or b)");
    assert_eq!(search("a and not b"), "(and a and not b)");
    assert_eq!(
        search(r#"("--init" OR "rm" or TERM(chmod) OR TERM(touch))"#),
        r#"(and (or "--init" "rm") or (or TERM[chmod] TERM[touch]))"#
    );
}

#[test]
fn keywords_count_only_as_whole_words() {
    assert_eq!(search("ORACLE NOTE ANDROID"), "(and ORACLE NOTE ANDROID)");
    assert_eq!(search("a OR(b)"), "(or a b)");
    assert_eq!(search("NOT(a)"), "(not a)");
    assert_eq!(search("INDEX IN"), "(and INDEX IN)");
}

#[test]
fn quoted_phrases_unescape_only_three_sequences() {
    let phrase = |src: &str| match search_expr(src).kind {
        SearchKind::Phrase(l) => {
            assert!(l.quoted);
            l.value
        }
        other => panic!("not a phrase: {other:?}"),
    };
    assert_eq!(phrase(r#""a\\b""#), r"a\b");
    assert_eq!(phrase(r#""a\"b""#), r#"a"b"#);
    assert_eq!(phrase(r#""a\|b""#), "a|b");
    // Any other backslash stays.
    assert_eq!(phrase(r#""\s""#), r"\s");
    assert_eq!(phrase(r#""C:\\Users\\*""#), r"C:\Users\*");
    assert_eq!(
        phrase(r#""HKLM\SYSTEM\CurrentControlSet""#),
        r"HKLM\SYSTEM\CurrentControlSet"
    );
    // A pipe inside quotes does not end the stage.
    assert_eq!(phrase(r#""a|b""#), "a|b");
}

#[test]
fn bare_terms_keep_backslashes_and_punctuation() {
    assert_eq!(
        search(r"HKLM\Software\Microsoft\Windows cmd.exe C:\x\*"),
        r"(and HKLM\Software\Microsoft\Windows cmd.exe C:\x\*)"
    );
    // A lone comma after a phrase is a term of its own (suspicious_email_attachment):
    // `A OR B , OR C` is `(A OR B) AND (, OR C)`.
    assert_eq!(
        search(r#"(".exe*" OR ".rar", OR ".zip")"#),
        r#"(and (or ".exe*" ".rar") (or , ".zip"))"#
    );
}

#[test]
fn term_call_body_is_raw_text_up_to_the_matching_parenthesis() {
    assert_eq!(search("TERM(EventCode=4688)"), "TERM[EventCode=4688]");
    assert_eq!(search("TERM(3CX Desktop App)"), "TERM[3CX Desktop App]");
    assert_eq!(search("TERM(a.b(c)d)"), "TERM[a.b(c)d]");
    assert_eq!(search("TERM(*.war)"), "TERM[*.war]");
    assert_eq!(search("CASE(%ASA-1*)"), "CASE[%ASA-1*]");
}

#[test]
fn term_call_with_one_quoted_string_is_unescaped() {
    assert_eq!(search(r#"TERM("hh.exe")"#), r#"TERM["hh.exe"]"#);
    assert_eq!(search(r#"TERM("a\"b")"#), r#"TERM["a"b"]"#);
    // A quoted string followed by more text is raw.
    match search_expr(r#"TERM("a" b)"#).kind {
        SearchKind::TermCall(l) => {
            assert!(!l.quoted);
            assert_eq!(l.value, r#""a" b"#);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_word_glued_to_parentheses_is_one_term() {
    // command_line_homoglyphs-windows-powershell writes `zTERM(EventCode=4104)`.
    assert_eq!(
        search(r#"(TERM(EventCode=4103) OR zTERM(EventCode=4104) OR "<EventID>4104<")"#),
        r#"(or TERM[EventCode=4103] zTERM(EventCode=4104) "<EventID>4104<")"#
    );
}

#[test]
fn items_may_be_glued_without_spaces() {
    assert_eq!(
        search(r#"(TERM(EventCode=1) OR "<EventID>1<"((TERM(reg) OR "reg.exe") TERM(add)))"#),
        r#"(and (or TERM[EventCode=1] "<EventID>1<") (and (or TERM[reg] "reg.exe") TERM[add]))"#
    );
    assert_eq!(search(r#"TERM(a)OR TERM(b)"#), "(or TERM[a] TERM[b])");
}

#[test]
fn comparisons_with_every_operator_and_optional_spaces() {
    assert_eq!(
        search("a=1 b!=2 c<3 d<=4 e>5 f>=6"),
        "(and a=1 b!=2 c<3 d<=4 e>5 f>=6)"
    );
    assert_eq!(search(r#"eventType= "x""#), r#"eventType="x""#);
    assert_eq!(
        search(r#"dest != "*amazonaws.com""#),
        r#"dest!="*amazonaws.com""#
    );
    assert_eq!(
        search("ratio < 1.5 AND total >= 2"),
        "(and ratio<1.5 total>=2)"
    );
    match search_expr(r#"Image="*\msdt.exe""#).kind {
        SearchKind::Compare(c) => {
            assert_eq!(c.field.name, "Image");
            assert_eq!(c.op, CmpOp::Eq);
            assert_eq!(c.value.value, r"*\msdt.exe");
            assert!(c.value.quoted);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn comparison_values_are_literals_even_when_they_look_like_fields() {
    // The right side is always a literal, never another field.
    assert_eq!(search("last_Country!=Country"), "last_Country!=Country");
    match search_expr("distance_miles!=0").kind {
        SearchKind::Compare(c) => assert!(!c.value.quoted),
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_field_names() {
    assert_eq!(search(r#"target{}.type="User""#), r#"target{}.type="User""#);
    assert_eq!(
        search("class.module.classLoader.resources.context.parent.pipeline.first.pattern=*"),
        "class.module.classLoader.resources.context.parent.pipeline.first.pattern=*"
    );
    assert_eq!(
        search("requestParameters.roleName=SSM"),
        "requestParameters.roleName=SSM"
    );
}

#[test]
fn in_lists_with_and_without_space_and_with_cidrs() {
    assert_eq!(search(r#"f IN ("a", b)"#), r#"(in f "a" b)"#);
    assert_eq!(search(r#"f IN("a","b")"#), r#"(in f "a" "b")"#);
    assert_eq!(
        search(r#"NOT dest_ip IN ( 10.0.0.0/8, 172.16.0.0/12, "::1", FE80::/10, ::1 )"#),
        r#"(not (in dest_ip 10.0.0.0/8 172.16.0.0/12 "::1" FE80::/10 ::1))"#
    );
    assert_eq!(
        search("uri_path IN (TERM(/_layouts/15/Picker.aspx),TERM(/x.aspx))"),
        "(in uri_path TERM(/_layouts/15/Picker.aspx) TERM(/x.aspx))"
    );
    // Lowercase `in` is a term.
    assert_eq!(search("f in x"), "(and f in x)");
}

#[test]
fn macro_calls_are_search_terms() {
    assert_eq!(
        search(r#"`get_endpoint_data` `get_endpoint_data_sysmon` "cmd.exe""#),
        r#"(and `get_endpoint_data` `get_endpoint_data_sysmon` "cmd.exe")"#
    );
    assert_eq!(search("(`a` `b`) NOT x"), "(and (and `a` `b`) (not x))");
}

#[test]
fn subsearches_are_search_terms() {
    assert_eq!(
        search("a [search b | fields c] OR NOT [| inputlookup t]"),
        "(and a (or (subsearch search b | fields c) (not (subsearch | inputlookup t))))"
    );
    // Glued to the words around it, a bracket still opens a subsearch.
    assert_eq!(search("x[search y]z"), "(and x (subsearch search y) z)");
}

#[test]
fn explicit_and_implicit_search_stages() {
    let q = parse("a | search b=1 | search");
    let explicit: Vec<bool> = q
        .stages
        .iter()
        .map(|s| match &s.command {
            Command::Search(c) => c.explicit,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(explicit, [false, true, true]);
    assert!(matches!(&q.stages[2].command, Command::Search(c) if c.expr.is_none()));
    // A first stage beginning with the word `search` is explicit.
    assert!(matches!(&parse("search a").stages[0].command, Command::Search(c) if c.explicit));
}

#[test]
fn empty_first_stage_and_white_space_around_the_query() {
    let q = parse("\n  | eval x=1 \n");
    assert_eq!(q.stages.len(), 2);
    assert!(matches!(&q.stages[0].command, Command::Search(c) if c.expr.is_none() && !c.explicit));
    assert!(parse("").stages.len() == 1);
    assert!(parse(" \t\n").stages.len() == 1);
}

#[test]
fn spans_point_into_the_source() {
    let src = r#"`m` (a OR "b c") x=1 | table y"#;
    let q = parse(src);
    assert_eq!(q.span.slice(src), src);
    assert_eq!(q.stages[0].span.slice(src), r#"`m` (a OR "b c") x=1"#);
    assert_eq!(q.stages[1].span.slice(src), "table y");
    let SearchKind::And(items) = search_expr(src).kind else {
        panic!()
    };
    let texts: Vec<&str> = items.iter().map(|i| i.span.slice(src)).collect();
    // Parentheses are not part of the group's span.
    assert_eq!(texts, ["`m`", r#"a OR "b c""#, "x=1"]);
    let SearchKind::Or(or) = &items[1].kind else {
        panic!()
    };
    let SearchKind::Phrase(p) = &or[1].kind else {
        panic!()
    };
    assert_eq!(p.span.slice(src), r#""b c""#);
    let SearchKind::Compare(c) = &items[2].kind else {
        panic!()
    };
    assert_eq!(c.field.span.slice(src), "x");
    assert_eq!(c.value.span.slice(src), "1");
}

// ---------------------------------------------------------------------------------------
// Traps: forms the armory writes whose reading is easy to get wrong.

#[test]
fn corpus_shapes_of_or_next_to_implicit_and() {
    // A prefix AND before an OR chain binds to the whole chain (`P Q A OR B` is
    // `P Q (A OR B)`), never `(P Q A) OR B`.
    assert_eq!(
        search(r#"`get_application_data` eventType="a" OR eventType="b""#),
        r#"(and `get_application_data` (or eventType="a" eventType="b"))"#
    );
    // A parenthesised group followed by an OR chain.
    assert_eq!(
        search(r#"(TERM(x) OR "y") "radmin.exe" OR "/connect:*""#),
        r#"(and (or TERM[x] "y") (or "radmin.exe" "/connect:*"))"#
    );
    // An explicit AND between two OR chains splits them; it does not bind tighter.
    assert_eq!(search("A OR B AND C OR D"), "(and (or A B) (or C D))");
    assert_eq!(search("A OR B AND C"), search("A OR B C"));
}

#[test]
fn not_applies_only_to_the_item_after_it() {
    // `NOT` applies only to the item that follows it, and binds tighter than OR.
    assert_eq!(search("a OR NOT b c"), "(and (or a (not b)) c)");
    assert_eq!(search("NOT f=1 OR g=2"), "(or (not f=1) g=2)");
    assert_eq!(
        search(r#"NOT dest_ip IN (10.0.0.0/8) x"#),
        "(and (not (in dest_ip 10.0.0.0/8)) x)"
    );
}

#[test]
fn a_whole_detection_pipeline() {
    // The first search of the most common rule shape: data-source macros, a
    // `TERM`-or-phrase event code selector, then a phrase.
    assert_eq!(
        search(
            r#"`get_endpoint_data` `get_endpoint_data_sysmon` (TERM(EventCode=1) OR "<EventID>1<") "cmd.exe""#
        ),
        r#"(and `get_endpoint_data` `get_endpoint_data_sysmon` (or TERM[EventCode=1] "<EventID>1<") "cmd.exe")"#
    );
}

#[test]
fn quoted_strings_keep_every_backslash_that_is_not_an_escape() {
    let phrase = |src: &str| match search_expr(src).kind {
        SearchKind::Phrase(l) => l.value,
        other => panic!("not a phrase: {other:?}"),
    };
    // Only `\\`, `\"` and `\|` unescape; `\W` and `\n` are not escapes, so both
    // backslashes stay and `\n` is not a newline.
    assert_eq!(phrase(r#""C:\Windows\n""#), r"C:\Windows\n");
    // `\\s` also reaches the command as `\s`.
    assert_eq!(phrase(r#""\\s""#), r"\s");
    // `"\\$Recycle.bin\\"` means `\$Recycle.bin\`.
    assert_eq!(phrase(r#""\\$Recycle.bin\\""#), r"\$Recycle.bin\");
    // `*` cannot be escaped: `\*` stays a backslash and a wildcard.
    assert_eq!(phrase(r#""a\*b""#), r"a\*b");
    // `\x5c` is four characters for the regex engine, not a backslash.
    assert_eq!(phrase(r#""\x5c""#), r"\x5c");
    // A backslash at the end of the content followed by an escaped quote.
    assert_eq!(phrase(r#""a\\\"""#), r#"a\""#);
}

#[test]
fn escapes_are_undone_in_field_values_in_lists_and_in_term() {
    match search_expr(r#"process_path="C:\\Program Files*""#).kind {
        SearchKind::Compare(c) => {
            assert_eq!(c.value.value, r"C:\Program Files*");
            assert!(c.value.quoted);
        }
        other => panic!("{other:?}"),
    }
    // `NOT (f IN (...) OR g IN (...))` with quoted values holding escapes and wildcards.
    assert_eq!(
        search(
            r#"NOT (process_path IN ("C:\\Program Files*", "a\"b") OR parent_process_path IN ("x\|y"))"#
        ),
        r#"(not (or (in process_path "C:\Program Files*" "a"b") (in parent_process_path "x|y")))"#
    );
    assert_eq!(search(r#"TERM("a\\b")"#), r#"TERM["a\b"]"#);
}

#[test]
fn term_with_an_equals_sign_is_one_term_call_not_a_comparison() {
    // `TERM(EventCode=4688)` is one indexed term holding `=`.
    for src in ["TERM(EventCode=4104)", "TERM(EventCode=4104) "] {
        match search_expr(src).kind {
            SearchKind::TermCall(l) => {
                assert_eq!(l.value, "EventCode=4104");
                assert!(!l.quoted);
                assert_eq!(l.span.slice(src), "EventCode=4104");
            }
            other => panic!("{src}: {other:?}"),
        }
    }
    assert_eq!(
        search(r#"TERM(EventCode=4104) OR "<EventID>4104<" TERM(a=b=c)"#),
        r#"(and (or TERM[EventCode=4104] "<EventID>4104<") TERM[a=b=c])"#
    );
    // `TERM(...)` of the form `key="value"` keeps the quotes: the body is not one string.
    match search_expr(r#"TERM(a="b")"#).kind {
        SearchKind::TermCall(l) => {
            assert_eq!(l.value, r#"a="b""#);
            assert!(!l.quoted);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lowercase_boolean_words_in_the_corpus_are_terms() {
    // `(eventType="a" or eventType="b") and action="SUCCESS"` means
    // `eventType="a" AND or AND eventType="b" AND and AND action="SUCCESS"`.
    assert_eq!(
        search(r#"(eventType="a" or eventType="b") and action="SUCCESS""#),
        r#"(and (and eventType="a" or eventType="b") and action="SUCCESS")"#
    );
    // As okta_multiple_invalid_credentials_from_same_ip-okta writes it.
    assert_eq!(
        search(r#""INVALID_CREDENTIALS" and not eventType=x"#),
        r#"(and "INVALID_CREDENTIALS" and not eventType=x)"#
    );
    // The words are bare terms, not operators in disguise.
    let SearchKind::And(items) = search_expr("a or b").kind else {
        panic!()
    };
    assert!(matches!(&items[1].kind, SearchKind::Term(l) if l.value == "or" && !l.quoted));
    // Mixed case is not an operator either.
    assert_eq!(search("a Or b NoT c And d"), "(and a Or b NoT c And d)");
}

#[test]
fn in_lists_glued_to_the_parenthesis_and_spread_over_spaces() {
    // The armory often writes `IN(` with no space.
    let src = "dest_ip IN(10.0.0.0/8,172.16.0.0/12) user IN ( a , b )";
    assert_eq!(
        search(src),
        "(and (in dest_ip 10.0.0.0/8 172.16.0.0/12) (in user a b))"
    );
    let SearchKind::And(items) = search_expr(src).kind else {
        panic!()
    };
    let SearchKind::In(list) = &items[0].kind else {
        panic!()
    };
    assert_eq!(list.field.name, "dest_ip");
    assert_eq!(list.values[1].span.slice(src), "172.16.0.0/12");
    // Wildcards stay in the values.
    assert_eq!(search(r#"f IN (a*, "*b")"#), r#"(in f a* "*b")"#);
}

#[test]
fn an_escaped_quote_in_an_unquoted_value_is_a_quote() {
    // ESCU kubernetes_create_or_update_privileged_pod: `\"` inside an unquoted token is a
    // literal `"` and opens no string.
    let src = r#"objectRef.resource=pods requestObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration=*\"privileged\":true* | fillnull"#;
    assert_eq!(
        search(src),
        r#"(and objectRef.resource=pods requestObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration=*"privileged":true*)"#
    );
    let SearchKind::And(items) = search_expr(src).kind else {
        panic!("an and")
    };
    let SearchKind::Compare(c) = &items[1].kind else {
        panic!("a comparison")
    };
    assert!(!c.value.quoted, "still an unquoted (wildcard) value");
    assert_eq!(c.value.value, r#"*"privileged":true*"#);
    // The value's span is the text as written, backslashes included.
    assert_eq!(c.value.span.slice(src), r#"*\"privileged\":true*"#);
}

#[test]
fn an_escaped_quote_in_a_bare_term_is_a_quote() {
    assert_eq!(
        search(r#"*\"privileged\":true* x"#),
        r#"(and *"privileged":true* x)"#
    );
    // In IN lists, TERM bodies and words glued to a group too; a real string after it
    // still opens and closes as usual.
    assert_eq!(search(r#"f IN (a\"b, "c")"#), r#"(in f a"b "c")"#);
    assert_eq!(search(r#"TERM(a\"b)"#), r#"TERM[a"b]"#);
    assert_eq!(search(r#"f=\"b "c d""#), r#"(and f="b "c d")"#);
    assert_eq!(search(r#"x(\"y\")"#), r#"x("y")"#);
    // `\\"`: the first backslash stays, the second escapes the quote.
    assert_eq!(search(r#"f=a\\"b"#), r#"f=a\"b"#);
}

#[test]
fn other_backslashes_of_unquoted_values_stay_as_written() {
    // Only `\"` changes: `C:\\Windows` unquoted keeps both backslashes, `\*` is a
    // backslash and a wildcard, a trailing backslash stays.
    assert_eq!(search(r"path=C:\\Windows\\*"), r"path=C:\\Windows\\*");
    assert_eq!(search(r"path=C:\Windows\*"), r"path=C:\Windows\*");
    assert_eq!(search(r"C:\\Windows\ end\"), r"(and C:\\Windows\ end\)");
    // Inside quotes, as before: `\\` and `\"` unescape.
    assert_eq!(search(r#"path="C:\\Windows\\*""#), r#"path="C:\Windows\*""#);
}

#[test]
fn search_fields_may_hold_a_slash() {
    // ESCU kubernetes detections: `annotations.authorization.k8s.io/decision=allow`.
    assert_eq!(
        search("annotations.authorization.k8s.io/decision=allow /bin/sh"),
        "(and annotations.authorization.k8s.io/decision=allow /bin/sh)"
    );
    assert_eq!(
        search("data.labels.authorization.k8s.io/reason IN (a, b)"),
        "(in data.labels.authorization.k8s.io/reason a b)"
    );
}
