//! Lowering: the IR a query gives, and the meaning errors it reports.

use spl_compiler::ir::{
    AtomKind, CmpOp, FieldPattern, JoinFields, Pred, PredKind, Program, Stage, TxnFilter,
};
use spl_compiler::lower::{codes, lower, lower_with_source, LowerError};
use spl_grammar::{LineCol, LineIndex};

fn program(spl: &str) -> Program {
    let q = spl_grammar::parse_query(spl).unwrap_or_else(|e| panic!("parse {spl:?}: {e:?}"));
    lower(&q).unwrap_or_else(|e| panic!("lower {spl:?}: {e:?}"))
}

fn errors(spl: &str) -> Vec<LowerError> {
    let q = spl_grammar::parse_query(spl).unwrap_or_else(|e| panic!("parse {spl:?}: {e:?}"));
    lower(&q).expect_err("lowering must fail")
}

#[test]
fn search_precedence_reaches_the_ir() {
    // OR binds tighter than AND in the search command.
    let p = program("a OR b c");
    let PredKind::And(items) = p.filter().kind() else {
        panic!("expected and: {}", p.filter())
    };
    assert_eq!(items.len(), 2);
    assert!(matches!(items[0].kind(), PredKind::Or(o) if o.len() == 2));
    assert!(matches!(items[1].kind(), PredKind::Atom(a) if a.kind == AtomKind::Term("c".into())));
}

#[test]
fn not_is_pushed_to_atoms() {
    let p = program("NOT (a OR f=1)");
    let PredKind::And(items) = p.filter().kind() else {
        panic!("expected and: {}", p.filter())
    };
    assert!(matches!(items[0].kind(), PredKind::Not(a) if a.kind == AtomKind::Term("a".into())));
    assert!(
        matches!(items[1].kind(), PredKind::Not(a) if matches!(&a.kind, AtomKind::Compare { op: CmpOp::Eq, .. }))
    );
    // NOT NOT x is x.
    assert!(matches!(
        program("NOT NOT x").filter().kind(),
        PredKind::Atom(_)
    ));
}

#[test]
fn empty_search_is_true_and_star_is_true() {
    assert_eq!(program("| table a").filter(), &Pred::constant(true));
    assert_eq!(program("*").filter(), &Pred::constant(true));
}

#[test]
fn prefilter_collects_raw_literals() {
    let p = program(
        r#"(TERM(EventCode=1) OR "<EventID>1<") (TERM(npm) OR TERM(pip)) TERM(install) process=x"#,
    );
    assert_eq!(
        p.prefilter().clauses(),
        [
            vec!["eventcode=1".to_string(), "<eventid>1<".into()],
            vec!["npm".into(), "pip".into()],
            vec!["install".into()],
        ]
    );
}

#[test]
fn package_installation_pipeline_lowers() {
    let p = program(
        r#"("EventCode=1" OR "<EventID>1<") (TERM(npm) OR TERM(pip) OR TERM(gem)) TERM(install) | regex process="(?i)install\s" | rex field=process "(?<reqs>(?i)requirements\.txt") | eval keywords=mvappend(reqs, extra, source1) | table _time, host, user, signature_id, process, process_*, parent_*, keyword | bin span=1s | stats values(*) as * by _time, host"#,
    );
    let kinds: Vec<&str> = p
        .stages()
        .iter()
        .map(|s| match s {
            Stage::Regex(_) => "regex",
            Stage::Rex(_) => "rex",
            Stage::Eval(_) => "eval",
            Stage::Table(_) => "table",
            Stage::Bin(_) => "bin",
            Stage::Stats(_) => "stats",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["regex", "rex", "eval", "table", "bin", "stats"]);
    assert!(p.is_transforming());
    let Stage::Bin(b) = &p.stages()[4] else {
        unreachable!()
    };
    assert_eq!(b.field, "_time", "bin with no field bins _time");
}

#[test]
fn meaning_errors_have_codes_and_spans() {
    let src = r#"x | where match(event_type = "(?i)a")"#;
    let e = errors(src);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code, codes::ARITY);
    assert_eq!(
        &src[e[0].span.start..e[0].span.end],
        r#"match(event_type = "(?i)a")"#
    );

    let src = "x | frobnicate a=1";
    let e = errors(src);
    assert_eq!(e[0].code, codes::UNKNOWN_COMMAND);
    assert_eq!(&src[e[0].span.start..e[0].span.end], "frobnicate");

    let src = r#"x | where nosuch(a)"#;
    assert_eq!(errors(src)[0].code, codes::UNKNOWN_FUNCTION);

    let src = r#"x | regex process="(?>a)b""#;
    assert_eq!(errors(src)[0].code, codes::BAD_REGEX);

    let src = "x | eval y = a > 1";
    assert_eq!(
        errors(src)[0].code,
        codes::TYPE,
        "a boolean cannot be assigned"
    );

    let src = "x | bin span=fast";
    assert_eq!(errors(src)[0].code, codes::BAD_VALUE);

    // Every error of a query is reported, not only the first.
    let e = errors(r#"x | where nosuch(a) | eval y = a > 1"#);
    assert_eq!(e.len(), 2);
}

#[test]
fn glued_keyword_gets_a_hint() {
    let e = errors(r#"x | where ormatch(a, "b")"#);
    assert!(
        e[0].notes.iter().any(|n| n.contains("space missing")),
        "{e:?}"
    );
}

#[test]
fn leading_lookbehind_only_where_match_spans_do_not_matter() {
    // Tested or first-match captures: the rewrite to a consumed prefix keeps the meaning.
    program(r#"x | rex field=p "(?<=icacls\.exe\s)(?<file_path>\S+)""#);
    program(r#"x | where match(p, "(?<=a)b")"#);
    // A replacement or repeated extraction would see a different match span.
    let e = errors(r#"x | rex field=p max_match=0 "(?<=a)(?<b>b)""#);
    assert_eq!(e[0].code, codes::BAD_REGEX);
    let e = errors(r#"x | eval y = replace(p, "(?<=a)b", "c")"#);
    assert_eq!(e[0].code, codes::BAD_REGEX);
    let e = errors(r#"x | rex field=p mode=sed "s/(?<=a)b/c/g""#);
    assert_eq!(e[0].code, codes::BAD_REGEX);
}

/// The one error of `src` lowered with its text, its caret's line and column, and the text
/// under the caret.
fn regex_error(src: &str) -> (LowerError, LineCol, &str) {
    let q = spl_grammar::parse_query(src).unwrap_or_else(|e| panic!("parse {src:?}: {e:?}"));
    let mut e = lower_with_source(&q, src).expect_err("lowering must fail");
    assert_eq!(e.len(), 1, "{e:?}");
    let e = e.remove(0);
    assert_eq!(e.code, codes::BAD_REGEX, "{e:?}");
    let at = LineIndex::new(src).line_col(src, e.span.start);
    let text = e.span.slice(src);
    (e, at, text)
}

#[test]
fn an_unclosed_group_is_pointed_at_in_the_source() {
    let src = "x\n| regex process=\"(?i)ngen(\\.exe\"";
    let (e, at, text) = regex_error(src);
    assert_eq!(
        e.message,
        "invalid regex: missing `)` for the group opened here"
    );
    // `| regex process="(?i)ngen` is 25 characters: the `(` is column 26.
    assert_eq!(
        at,
        LineCol {
            line: 2,
            column: 26
        }
    );
    assert_eq!(text, "(");
    assert_eq!(e.label, "here");
    // Nothing was unescaped, so no note about it.
    assert!(e.notes.is_empty(), "{e:?}");
}

/// Lookaround runs (on the backtracking engine); a lookbehind PCRE would refuse, one whose
/// alternative varies in length, is an error under the lookbehind.
#[test]
fn lookaround_lowers_and_a_variable_lookbehind_is_pointed_at() {
    program(r#"x | regex p="(?<!\/)\bx(?=y)" | rex field=p max_match=0 "(?<f>\w)(?<=-\w)""#);
    program(r#"x | eval y = replace(p, "a(?!b)", "c")"#);
    let src = r#"x | where match(p, "ab|(?<=c|d+)e")"#;
    let (e, at, text) = regex_error(src);
    assert!(e.message.contains("fixed length"), "{e:?}");
    assert!(e.message.contains("top-level alternatives"), "{e:?}");
    assert_eq!(text, "(?<=c|d+)");
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 24
        }
    );
}

#[test]
fn the_caret_skips_escapes_written_before_the_bad_character() {
    // `\"` is one character of the pattern but two of the source: the unknown escape `\y`
    // is at byte 6 of the pattern `name="\y` and at byte 7 of the string's content.
    let src = "x | regex p=\"name=\\\"\\y\"";
    assert_eq!(src, r#"x | regex p="name=\"\y""#);
    let (e, at, text) = regex_error(src);
    assert_eq!(e.message, "invalid regex: unknown escape `\\y`");
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 21
        }
    );
    assert_eq!(text, r"\y");
    assert!(
        e.notes.iter().any(|n| n.contains(r#"`name="\y`"#)),
        "the note shows the pattern the engine saw: {e:?}"
    );

    // `\\` and `\|` in a `match()` string: the pattern is `a\|b|(`.
    let src = r#"x | where match(p, "a\\|b\|(")"#;
    let (e, at, text) = regex_error(src);
    assert_eq!(
        e.message,
        "invalid regex: missing `)` for the group opened here"
    );
    assert_eq!(text, "(");
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 28
        }
    );

    // An escaped quote that is itself part of the bad text is marked with both of its
    // source bytes: the group name `"a` of `(?<"a>.)`.
    let src = r#"x | rex field=p "(?<\"a>.)""#;
    let (e, _, text) = regex_error(src);
    assert!(
        e.message
            .starts_with("invalid regex: invalid group name `\"a`"),
        "{e:?}"
    );
    assert_eq!(text, r#"\"a"#);
}

#[test]
fn unquoted_and_spliced_patterns_are_pointed_at_too() {
    // The grammar allows an unquoted pattern (the armory writes `regex auid=^\d+`).
    let src = r"x | regex auid=^\d+(";
    let (e, at, text) = regex_error(src);
    assert_eq!(
        e.message,
        "invalid regex: missing `)` for the group opened here"
    );
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 20
        }
    );
    assert_eq!(text, "(");
    assert!(e.notes.is_empty(), "{e:?}");

    // Quoted and unquoted pieces of one word are joined, as the armory writes them:
    // `(?<u>a"b\y)`.
    let src = r#"x | rex field=p (?<u>"a\"b"\y)"#;
    let (e, at, text) = regex_error(src);
    assert_eq!(e.message, "invalid regex: unknown escape `\\y`");
    assert_eq!(text, r"\y");
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 28
        }
    );
}

#[test]
fn sed_regexes_map_through_the_delimiters_and_the_quotes() {
    // The value is `s/"\/(/x/g`; the regex of `s` is `"/(`.
    let src = r#"x | rex field=p mode=sed "s/\"\/(/x/g""#;
    let (e, at, text) = regex_error(src);
    assert_eq!(
        e.message,
        "invalid regex: missing `)` for the group opened here"
    );
    assert_eq!(text, "(");
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 33
        }
    );
    // A lookbehind refused for sed points at the lookbehind itself.
    let src = r#"x | rex field=p mode=sed "s/(?<=a)b/c/g""#;
    let (e, _, text) = regex_error(src);
    assert!(e.message.contains("lookbehind"), "{e:?}");
    assert_eq!(text, "(?<=");
}

#[test]
fn without_the_text_or_past_the_translation_the_whole_pattern_is_marked() {
    // `lower` is not given the text: a quoted pattern cannot be read back, so the caret
    // covers the literal and a note gives the position in the pattern.
    let src = r#"x | regex p="a\"(""#;
    let e = errors(src);
    assert_eq!(
        e[0].message,
        "invalid regex: missing `)` for the group opened here"
    );
    assert_eq!(e[0].span.slice(src), r#""a\"(""#);
    assert_eq!(e[0].notes, [r#"`(` at byte 2 of the pattern `a"(`"#]);
    // An unquoted pattern is its own text.
    let src = r"x | regex auid=^\d+(";
    assert_eq!(errors(src)[0].span.slice(src), "(");

    // A pattern that only fails once translated (too big for the engine) cannot be traced
    // to one character, with or without the text.
    let src = r#"x | regex p="(?:a{1000}){1000}""#;
    let (e, at, text) = regex_error(src);
    assert!(
        e.message
            .starts_with("invalid regex: the translated pattern does not compile"),
        "{e:?}"
    );
    assert_eq!(text, r#""(?:a{1000}){1000}""#);
    // The start of the literal: its opening quote.
    assert_eq!(
        at,
        LineCol {
            line: 1,
            column: 13
        }
    );
    assert!(
        e.notes[0].contains("cannot be traced to one character"),
        "{e:?}"
    );
}

#[test]
fn a_regex_gives_the_witness_a_literal_from_anywhere_in_it() {
    use spl_compiler::ir::Need;
    let contains = |text: &str| Need::Contains {
        field: "CommandLine".into(),
        text: text.into(),
    };
    // The shape rules converted from Sigma take: the match of a `rex` group, turned into
    // a flag by `eval`, searched for. `\w+` starts the pattern: no text every match starts
    // with, but every match holds the backtick.
    let p = program(
        r#"| rex field=CommandLine "(?<m>\\w+`(?:\\w+|-|.)`[\\w+|\\s])"
           | eval c=if(isnotnull(m), "true", "false") | search c="true""#,
    );
    let w = p.witness().expect("a witness");
    assert_eq!(w.needs, [contains("`")]);
    // `| regex` on a field: the rarest run, folded.
    let p = program(r#"* | regex CommandLine="cmd\s+/c\s+\w+\s+-EncodedCommand""#);
    let w = p.witness().expect("a witness");
    assert_eq!(w.needs, [contains("-encodedcommand")]);
    // Nothing every match holds: the field's presence only.
    let p = program(r#"* | regex CommandLine="^[A-Za-z0-9]{16}$""#);
    let w = p.witness().expect("a witness");
    assert_eq!(w.needs, [Need::Present("CommandLine".into())]);
}

/// The text an error points at.
fn at<'a>(src: &'a str, e: &LowerError) -> &'a str {
    &src[e.span.start..e.span.end]
}

#[test]
fn transaction_options_lower_to_the_stage() {
    let p = program(
        r#"x | transaction dvc, host startswith="signature_id=5156" maxspan=30s maxpause=-1 maxevents=5 endswith=eval(a == "b c") keepevicted=t"#,
    );
    let [Stage::Transaction(t)] = p.stages() else {
        panic!("one transaction: {p}")
    };
    assert_eq!(t.fields, ["dvc", "host"]);
    assert_eq!(t.max_span, Some(30.0));
    assert_eq!(t.max_pause, None);
    assert_eq!(t.max_events, Some(5));
    assert!(t.keep_evicted && t.closes);
    assert!(matches!(t.starts_with, Some(TxnFilter::Search(_))));
    assert!(matches!(t.ends_with, Some(TxnFilter::Eval(_))));
    let default = program("x | transaction dvc");
    let [Stage::Transaction(t)] = default.stages() else {
        panic!("one transaction: {default}")
    };
    assert_eq!(t.max_events, Some(1000));
    assert!(
        !t.closes,
        "no maxevents, maxspan, maxpause or startswith written"
    );
}

#[test]
fn percentile_names_carry_their_percentile() {
    let p = program("x | stats perc95(a) p50(a) exactperc99.9(a) upperperc5(a) sumsq(a)");
    let Some(Stage::Stats(s)) = p.stages().first() else {
        panic!("a stats stage: {p:?}");
    };
    let got: Vec<(&str, Option<f64>)> = s
        .aggs
        .iter()
        .map(|a| (a.func.name(), a.percentile))
        .collect();
    assert_eq!(
        got,
        [
            ("perc", Some(95.0)),
            ("perc", Some(50.0)),
            ("exactperc", Some(99.9)),
            ("upperperc", Some(5.0)),
            ("sumsq", None)
        ]
    );
    assert_eq!(s.aggs[2].output, "exactperc99.9(a)");
}

#[test]
fn timechart_and_metric_aggregations_are_rejected_with_the_reason() {
    for name in [
        "per_second",
        "per_minute",
        "per_hour",
        "per_day",
        "rate_avg",
        "rate_sum",
    ] {
        let src = format!("x | stats {name}(a)");
        let e = errors(&src);
        assert_eq!(e.len(), 1, "{name}");
        assert_eq!(e[0].code, codes::UNSUPPORTED, "{name}");
        assert_eq!(&src[e[0].span.start..e[0].span.end], name);
    }
    assert_eq!(errors("x | stats perc(a)")[0].code, codes::UNKNOWN_FUNCTION);
    assert_eq!(
        errors("x | stats perc101(a)")[0].code,
        codes::UNKNOWN_FUNCTION
    );
}

#[test]
fn transaction_errors_point_at_the_option() {
    let src = "x | transaction dvc maxspan=fast";
    let e = errors(src);
    assert_eq!(e[0].code, codes::BAD_VALUE);
    assert_eq!(at(src, &e[0]), "fast");

    let src = "x | transaction dvc maxspan=2mon";
    assert_eq!(at(src, &errors(src)[0]), "2mon");

    let src = "x | transaction dvc maxevents=0";
    assert_eq!(at(src, &errors(src)[0]), "0");

    let src = "x | transaction dvc mvlist=t";
    let e = errors(src);
    assert_eq!(e[0].code, codes::UNSUPPORTED);
    assert_eq!(at(src, &e[0]), "mvlist=t");

    let src = "x | transaction d* maxspan=1m";
    assert_eq!(at(src, &errors(src)[0]), "d*");

    let src = r#"x | transaction dvc startswith="a=(b""#;
    let e = errors(src);
    assert_eq!(e[0].code, codes::BAD_VALUE);
    assert!(
        e[0].message.starts_with("bad `startswith` expression"),
        "{e:?}"
    );
    // At the parenthesis inside the quoted expression.
    assert_eq!(at(src, &e[0]), "(");
    assert!(src[..e[0].span.start].ends_with("startswith=\"a="), "{e:?}");

    let src = r#"x | transaction dvc endswith=eval(nosuch(a))"#;
    let e = errors(src);
    assert_eq!(e[0].code, codes::UNKNOWN_FUNCTION);
    assert_eq!(at(src, &e[0]), "nosuch");

    let src = r#"x | transaction dvc startswith="a | b""#;
    assert_eq!(errors(src)[0].code, codes::BAD_VALUE);
}

#[test]
fn foreach_lowers_its_template_with_placeholders_kept() {
    let p = program(
        r#"x | foreach *location [ | eval <<FIELD>> = replace(<<FIELD>>, "^\s*,\s*", ""), t = "<<MATCHSTR>>!" ]"#,
    );
    let [Stage::Foreach(f)] = p.stages() else {
        panic!("one foreach: {p}")
    };
    assert_eq!(f.patterns, [FieldPattern::new("*location")]);
    assert_eq!(f.template.len(), 1);
    assert_eq!(f.names, ["<<FIELD>>", "\"<<MATCHSTR>>!\""]);
}

#[test]
fn foreach_errors_are_located() {
    let src = "x | foreach a* mode=multivalue [ eval x = 1 ]";
    let e = errors(src);
    assert_eq!(e[0].code, codes::UNSUPPORTED);
    assert_eq!(at(src, &e[0]), "mode=multivalue");

    let src = "x | foreach a* [ eval x = 1 | stats count ]";
    let e = errors(src);
    assert_eq!(e[0].code, codes::UNSUPPORTED);
    assert_eq!(at(src, &e[0]), "stats count");

    let src = r#"x | foreach a* [ rex field=b "(?<x><<FIELD>>)" ]"#;
    let e = errors(src);
    assert_eq!(e[0].code, codes::UNSUPPORTED);
    assert!(e[0].message.contains("inside a regex"), "{e:?}");

    let src = "x | foreach a* itemstr=X [ eval x = 1 ]";
    assert_eq!(at(src, &errors(src)[0]), "itemstr=X");

    let src = r#"x | foreach a* fieldstr="" [ eval x = 1 ]"#;
    assert_eq!(at(src, &errors(src)[0]), r#""""#);
}

#[test]
fn mvmap_needs_a_field_to_map() {
    let src = r#"x | eval y = mvmap(lower(a), a . "x")"#;
    let e = errors(src);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code, codes::BAD_VALUE);
    assert_eq!(&src[e[0].span.start..e[0].span.end], "lower(a)");
}

#[test]
fn functions_without_a_meaning_here_are_rejected_with_the_reason() {
    for (src, word) in [
        (
            r#"x | eval y = lookup("users.csv", json_object("id", id))"#,
            "lookup",
        ),
        ("x | eval y = sigfig(1.00 * 1111)", "sigfig"),
        (r#"x | where searchmatch(s)"#, "searchmatch"),
    ] {
        let e = errors(src);
        assert_eq!(e.len(), 1, "{src}");
        assert_eq!(e[0].code, codes::UNSUPPORTED, "{src}");
        assert!(e[0].message.contains(word), "{}", e[0].message);
    }
}

#[test]
fn searchmatch_lowers_its_search() {
    let p = program(r#"x | where searchmatch("user=admin* NOT status=200")"#);
    let text = p.to_string();
    assert!(text.contains("searchmatch("), "{text}");
    let e = errors(r#"x | where searchmatch("a | stats count")"#);
    assert_eq!(e[0].code, codes::BAD_VALUE);
    let e = errors(r#"x | where searchmatch("a=(")"#);
    assert_eq!(e[0].code, codes::BAD_VALUE);
}

#[test]
fn join_takes_the_events_of_both_searches_and_holds_the_commands_before_it() {
    let p = program("user=* | eval a=1 | join type=left max=0 host [search role=* | table host role] | table user");
    // The rule takes the events of its search and of the subsearch's.
    let text = p.filter().to_string();
    assert!(text.contains("user") && text.contains("role"), "{text}");
    let [Stage::Join(j), Stage::Table(_)] = p.stages() else {
        panic!("the join first: {p}")
    };
    assert!(
        matches!(&j.main[..], [Stage::Search(_), Stage::Eval(_)]),
        "{p}"
    );
    assert!(matches!(&j.stages[..], [Stage::Table(_)]), "{p}");
    assert_eq!(j.fields, JoinFields::Named(vec!["host".to_owned()]));
    assert!(j.left && j.max == 0 && j.overwrite);
}

#[test]
fn join_without_fields_joins_on_the_fields_both_sides_share() {
    // ESCU `suspicious_changes_to_file_associations`: `join [| tstats ... | table ...]`.
    let p = program("user=* | join type=left max=0 [search role=* | table host role] | table user");
    let [Stage::Join(j), Stage::Table(_)] = p.stages() else {
        panic!("the join first: {p}")
    };
    assert_eq!(j.fields, JoinFields::Common);
    // The options keep their meaning.
    assert!(j.left && j.max == 0 && j.overwrite);
    assert!(
        p.to_string().contains("join (common fields) left=true"),
        "{p}"
    );
}

#[test]
fn join_forms_splc_cannot_run_are_errors_at_their_place() {
    for (src, code, word) in [
        (
            "x | join h [| makeresults count=3]",
            codes::UNSUPPORTED,
            "must start with a search",
        ),
        (
            "x | join h [search y | join h [search z]]",
            codes::UNSUPPORTED,
            "inside a subsearch",
        ),
        (
            "x | join type=cross h [search y]",
            codes::BAD_VALUE,
            "inner, left or outer",
        ),
        (
            "x | join usetime=t h [search y]",
            codes::UNSUPPORTED,
            "usetime",
        ),
    ] {
        let e = errors(src);
        assert!(!e.is_empty(), "{src}");
        assert_eq!(e[0].code, code, "{src}: {:?}", e[0]);
        assert!(e[0].message.contains(word), "{src}: {}", e[0].message);
    }
}

#[test]
fn append_holds_the_commands_before_it_and_appendpipe_its_own() {
    let p = program(
        "user=* | table user | append [search role=* | table role] | appendpipe [| stats count]",
    );
    let [Stage::Append(a), Stage::Appendpipe(pipe)] = p.stages() else {
        panic!("append first, then appendpipe: {p}")
    };
    assert!(
        matches!(&a.main[..], [Stage::Search(_), Stage::Table(_)]),
        "{p}"
    );
    assert!(matches!(&a.stages[..], [Stage::Table(_)]), "{p}");
    assert!(matches!(&pipe[..], [Stage::Stats(_)]), "{p}");
    for (src, word) in [
        ("x | append", "needs a subsearch"),
        ("x | append [search y] [search z]", "one subsearch"),
        ("x | append maxout=10 [search y]", "maxout"),
        (
            "x | append [| makeresults count=3]",
            "must start with a search",
        ),
        ("x | appendpipe [stats count]", "must start with `|`"),
    ] {
        let e = errors(src);
        assert!(!e.is_empty(), "{src}");
        assert!(e[0].message.contains(word), "{src}: {}", e[0].message);
    }
}

#[test]
fn a_search_with_subsearches_holds_the_commands_before_it() {
    // In the first search: the rule's own search keeps the parts without a subsearch, and
    // the rule takes the subsearch's events too.
    let p = program("a=1 b=2 [search c=3 | fields d]");
    let [Stage::SubsearchFilter(s)] = p.stages() else {
        panic!("one search with its subsearch: {p}")
    };
    let own = s.main.first().expect("the rule's own search first");
    assert_eq!(format!("{}", p.filter()).matches("field").count(), 3, "{p}");
    assert!(matches!(own, Stage::Search(_)), "{p}");
    assert_eq!(s.subsearches.len(), 1);
    assert!(
        matches!(&s.subsearches[0].stages[..], [Stage::Fields { .. }]),
        "{p}"
    );
    assert!(format!("{}", s.test).contains("[subsearch 0]"), "{p}");
    // In a later search, with two subsearches, the commands before it are held.
    let p = program("x | eval y=1 | search [search a=1 | fields b] OR NOT [search c=1 | fields d]");
    let [Stage::SubsearchFilter(s)] = p.stages() else {
        panic!("{p}")
    };
    assert!(
        matches!(&s.main[..], [Stage::Search(_), Stage::Eval(_)]),
        "{p}"
    );
    assert_eq!(s.subsearches.len(), 2);
    for (src, word) in [
        ("x [search y [search z]]", "inside a subsearch"),
        ("x | join f [search y [search z]]", "inside a subsearch"),
        (
            "x | transaction f startswith=\"y [search z]\"",
            "not supported: splc runs subsearches in `search` only",
        ),
        ("x [| makeresults]", "must start with a search"),
    ] {
        let e = errors(src);
        assert!(!e.is_empty(), "{src}");
        let all: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
        assert!(all.iter().any(|m| m.contains(word)), "{src}: {all:?}");
    }
}

#[test]
fn timechart_is_bin_stats_and_a_filled_time_axis() {
    let p = program("x | timechart span=5m limit=0 count");
    assert!(
        matches!(
            p.stages(),
            [Stage::Bin(_), Stage::Stats(_), Stage::Timefill { zero, .. }] if zero == &["count".to_owned()]
        ),
        "{p}"
    );
    let p = program("x | timechart span=5m cont=false avg(n)");
    assert!(
        matches!(p.stages(), [Stage::Bin(_), Stage::Stats(_)]),
        "{p}"
    );
    for (src, word) in [
        ("x | timechart count", "needs `span=`"),
        ("x | timechart span=1h count by host", "BY"),
        ("x | timechart span=1h avg(n)", "cont=true"),
        ("x | timechart span=1h bins=10 count", "bins"),
    ] {
        let e = errors(src);
        assert!(!e.is_empty(), "{src}");
        assert!(e[0].message.contains(word), "{src}: {}", e[0].message);
    }
}
