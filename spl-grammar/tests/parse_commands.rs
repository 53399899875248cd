//! Pipeline commands: one test per command and per argument form the armory uses.

#![allow(clippy::unwrap_used)]

mod common;

use common::{command, expr_sexp, items, parse, parse_err, search_sexp, stage};
use spl_grammar::ast::{AggArg, Command, GenericArg, LookupOutput, StatsKind};

#[test]
fn regex_forms() {
    let regex = |src: &str| match command(src, 1) {
        Command::Regex(r) => (
            r.field.map(|f| f.name),
            r.negated,
            r.pattern.value,
            r.pattern.quoted,
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        regex(r#"x | regex process="(?i)ngen(\.exe(\"|\')?)?\s+""#),
        (
            Some("process".into()),
            false,
            r#"(?i)ngen(\.exe("|\')?)?\s+"#.into(),
            true
        )
    );
    assert_eq!(
        regex(r#"x | regex p!="a""#),
        (Some("p".into()), true, "a".into(), true)
    );
    assert_eq!(
        regex(r#"x | regex "(?i)a|b""#),
        (None, false, "(?i)a|b".into(), true)
    );
    assert_eq!(
        regex(r"x | regex auid=^\d+"),
        (Some("auid".into()), false, r"^\d+".into(), false)
    );
    // Spliced pieces are joined (the extra `)` belongs to the pattern).
    assert_eq!(
        regex(r#"x | regex p="(a|b")"#),
        (Some("p".into()), false, "(a|b)".into(), true)
    );
}

#[test]
fn regex_spaces_around_the_operator() {
    // Splunk's catalog runs `regex file_name =  "\\x{202E}"` (detect_rtlo_in_file_name)
    // and `regex process = "(/d\s+2)"` (reg_exe_used_to_hide_files_directories_via_
    // registry_keys): white space around `=` or `!=` changes nothing.
    let regex = |src: &str| match command(src, 1) {
        Command::Regex(r) => (
            r.field.map(|f| f.name),
            r.negated,
            r.pattern.value,
            r.pattern.span,
        ),
        other => panic!("{other:?}"),
    };
    let src = r#"x | regex file_name =  "\\x{202E}" | table file_name"#;
    let (field, negated, pattern, span) = regex(src);
    assert_eq!(field.as_deref(), Some("file_name"));
    assert!(!negated);
    assert_eq!(pattern, r"\x{202E}");
    // The pattern's span is its literal, without the spaces before it.
    assert_eq!(span.slice(src), r#""\\x{202E}""#);
    assert_eq!(regex(r#"x | regex process = "(/d\s+2)""#).2, r"(/d\s+2)");
    for src in [
        r#"x | regex process != "a""#,
        r#"x | regex process  !="a""#,
        r#"x | regex process!=  "a""#,
        "x | regex process\t!=\n\"a\"",
    ] {
        let (field, negated, pattern, _) = regex(src);
        assert_eq!(
            (field.as_deref(), negated, pattern.as_str()),
            (Some("process"), true, "a"),
            "{src}"
        );
    }
    // The quoted-pattern form and bare patterns are unchanged.
    assert_eq!(regex(r#"x | regex "a b""#).0, None);
    assert_eq!(regex(r"x | regex auid = ^\d+").2, r"^\d+");
}

#[test]
fn rex_options_and_spliced_patterns() {
    let rex = |src: &str| match command(src, 1) {
        Command::Rex(r) => r,
        other => panic!("{other:?}"),
    };
    let r = rex(r#"x | rex field=process "(?i)user(?<u>\S+")"#);
    assert_eq!(r.field.unwrap().name, "process");
    assert_eq!(r.pattern.value, r"(?i)user(?<u>\S+)");
    assert!(r.pattern.quoted);
    let r = rex(r#"x | rex field=_raw (?<s>"(?i)jndi")"#);
    assert_eq!(r.pattern.value, "(?<s>(?i)jndi)");
    let r = rex(r#"x | rex field=p max_match=0 mode=sed offset_field=o "s/a/b/g""#);
    assert_eq!(
        (r.max_match, r.sed, r.pattern.value.as_str()),
        (Some(0), true, "s/a/b/g")
    );
    assert_eq!(r.options.len(), 1);
    assert_eq!(r.options[0].key.name, "offset_field");
    let r = rex(r#"x | rex "(?<a>.)""#);
    assert!(r.field.is_none() && r.max_match.is_none() && !r.sed);
    let r = rex(r#"x | rex field=<<FIELD>> mode=sed "s/(\,|\])//g""#);
    assert_eq!(r.field.unwrap().name, "<<FIELD>>");
    assert_eq!(r.pattern.value, r"s/(\,|\])//g");
}

#[test]
fn rex_needs_exactly_one_pattern() {
    let e = parse_err(r#"x | rex field=a "x" "y""#);
    assert_eq!(e.message, "`rex` takes one regular expression");
    let e = parse_err("x | rex field=a");
    assert_eq!(e.message, "expected a quoted regular expression for `rex`");
    let e = parse_err(r#"x | rex max_match=ten "x""#);
    assert_eq!(e.message, "`max_match` needs a whole number");
}

#[test]
fn table_and_fields_lists() {
    match command(
        "x | table _time, host, user process, process_*, parent_process_*t",
        1,
    ) {
        Command::Table(list) => assert_eq!(
            items(&list),
            [
                "_time",
                "host",
                "user",
                "process",
                "process_*",
                "parent_process_*t"
            ]
        ),
        other => panic!("{other:?}"),
    }
    match command("x | fields - dc_* object_count", 1) {
        Command::Fields(f) => {
            assert!(f.remove);
            assert_eq!(items(&f.fields), ["dc_*", "object_count"]);
        }
        other => panic!("{other:?}"),
    }
    // Names with parenthesised groups, as stats and MLTK's `apply` give them (ESCU:
    // `fields - unusual_cmdline* predicted(unusual_cmdline_logits)`).
    match command("x | fields - a* predicted(b) values(c)d", 1) {
        Command::Fields(f) => assert_eq!(items(&f.fields), ["a*", "predicted(b)", "values(c)d"]),
        other => panic!("{other:?}"),
    }
    match command("x | fields + a, b", 1) {
        Command::Fields(f) => assert!(!f.remove && f.fields.len() == 2),
        other => panic!("{other:?}"),
    }
    match command(r#"x | table "odd name", a"#, 1) {
        Command::Table(list) => assert_eq!(items(&list), ["odd name", "a"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rename_pairs() {
    match command(
        r#"x | rename a as b, c AS d e As "f g", src_* as dest_*"#,
        1,
    ) {
        Command::Rename(pairs) => {
            let text: Vec<String> = pairs
                .iter()
                .map(|p| format!("{}>{}", p.from.name, p.to.name))
                .collect();
            assert_eq!(text, ["a>b", "c>d", "e>f g", "src_*>dest_*"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fillnull_value_before_or_after_the_fields() {
    let fill = |src: &str| match command(src, 1) {
        Command::Fillnull(f) => (f.value.map(|v| (v.value, v.quoted)), items(&f.fields)),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        fill("x | fillnull value=-"),
        (Some(("-".into(), false)), vec![])
    );
    assert_eq!(
        fill(r#"x | fillnull uri_path value="-""#),
        (Some(("-".into(), true)), vec!["uri_path".into()])
    );
    assert_eq!(
        fill(r#"x | fillnull value="false" transfer dest_ip"#),
        (
            Some(("false".into(), true)),
            vec!["transfer".into(), "dest_ip".into()]
        )
    );
    assert_eq!(fill("x | fillnull"), (None, vec![]));
}

#[test]
fn sort_limits_and_directions() {
    let sort = |src: &str| match command(src, 1) {
        Command::Sort(s) => (
            s.limit,
            s.keys
                .iter()
                .map(|k| format!("{}{}", if k.descending { "-" } else { "+" }, k.field.name))
                .collect::<Vec<_>>(),
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        sort("x | sort 0 user, _time"),
        (Some(0), vec!["+user".into(), "+_time".into()])
    );
    assert_eq!(
        sort("x | sort - distance_miles"),
        (None, vec!["-distance_miles".into()])
    );
    assert_eq!(
        sort("x | sort -f, +g h"),
        (None, vec!["-f".into(), "+g".into(), "+h".into()])
    );
}

#[test]
fn dedup_and_head() {
    match command("x | dedup 2 a, b keepempty=true", 1) {
        Command::Dedup(d) => {
            assert_eq!(d.count, Some(2));
            assert_eq!(
                d.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
                ["a", "b"]
            );
            assert_eq!(d.options[0].key.name, "keepempty");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(command("x | head 5", 1), Command::Head(h) if h.limit == Some(5)));
    assert!(matches!(command("x | head limit=7", 1), Command::Head(h) if h.limit == Some(7)));
    assert!(matches!(command("x | head", 1), Command::Head(h) if h.limit.is_none()));
}

#[test]
fn bin_and_bucket() {
    let bin = |src: &str| match command(src, 1) {
        Command::Bin(b) => (
            b.keyword.name,
            b.options
                .iter()
                .map(|o| format!("{}={}", o.key.name, o.value.value))
                .collect::<Vec<_>>(),
            b.field.map(|f| f.name),
            b.alias.map(|f| f.name),
        ),
        other => panic!("{other:?}"),
    };
    // `span=` with no field means `_time`, and the AST keeps `None`.
    assert_eq!(
        bin("x | bin span=1s"),
        ("bin".into(), vec!["span=1s".into()], None, None)
    );
    assert_eq!(bin("x | bin _time span=5m").2, Some("_time".into()));
    assert_eq!(bin("x | bucket span=5m _time").0, "bucket");
    assert_eq!(bin("x | bin span=1h t AS hour").3, Some("hour".into()));
    assert!(parse_err("x | bin a b").message.contains("one field"));
}

#[test]
fn stats_variants() {
    let stats = |src: &str| match command(src, 1) {
        Command::Stats(s) => s,
        other => panic!("{other:?}"),
    };
    let s = stats("x | stats values(*) as * by _time, host");
    assert_eq!(s.kind, StatsKind::Stats);
    assert_eq!(s.aggs.len(), 1);
    assert_eq!(s.aggs[0].func.name, "values");
    assert!(matches!(&s.aggs[0].arg, Some(AggArg::Field(f)) if f.name == "*"));
    assert_eq!(s.aggs[0].alias.as_ref().unwrap().name, "*");
    assert_eq!(items(&s.by), ["_time", "host"]);

    let s = stats("x | stats count, c, count() dc(x) AS n values(*src_ip) as *src_ip BY a");
    let aggs: Vec<String> = s
        .aggs
        .iter()
        .map(|a| {
            format!(
                "{}:{}:{}",
                a.func.name,
                a.arg.as_ref().map_or(String::new(), |x| match x {
                    AggArg::Field(f) => f.name.clone(),
                    AggArg::Eval(e) => expr_sexp(e),
                }),
                a.alias.as_ref().map_or("", |x| x.name.as_str())
            )
        })
        .collect();
    assert_eq!(
        aggs,
        [
            "count::",
            "c::",
            "count::",
            "dc:x:n",
            "values:*src_ip:*src_ip"
        ]
    );

    // A name after AS may hold parenthesised groups, as stats' own names do (ESCU:
    // `values(aceFlags) as aceFlags(inheritance)`).
    let s = stats(r#"x | stats values(f) as f(inheritance) count as "a b"(x)y by h"#);
    let aliases: Vec<&str> = s
        .aggs
        .iter()
        .map(|a| a.alias.as_ref().map_or("", |x| x.name.as_str()))
        .collect();
    assert_eq!(aliases, ["f(inheritance)", "a b(x)y"]);
    assert_eq!(items(&s.by), ["h"]);

    let s =
        stats(r#"x | eventstats sum(eval(if(a="x",1,0))) as n, values(eval(lower(u))) as l by u"#);
    assert_eq!(s.kind, StatsKind::Eventstats);
    assert!(
        matches!(&s.aggs[0].arg, Some(AggArg::Eval(e)) if expr_sexp(e) == r#"(if (= a "x") 1 0)"#)
    );
    assert!(matches!(&s.aggs[1].arg, Some(AggArg::Eval(e)) if expr_sexp(e) == "(lower u)"));

    let s = stats("x | streamstats window=1 current=f values(_time) as last_time by user global=f");
    assert_eq!(s.kind, StatsKind::Streamstats);
    let opts: Vec<String> = s
        .options
        .iter()
        .map(|o| format!("{}={}", o.key.name, o.value.value))
        .collect();
    assert_eq!(opts, ["window=1", "current=f", "global=f"]);
    assert_eq!(items(&s.by), ["user"]);

    assert!(stats("x | eventstats dc(host) as dc_host").by.is_empty());
    assert!(parse_err("x | stats count by")
        .message
        .contains("field name"));
}

#[test]
fn transaction_lookup_iplocation() {
    match command(
        r#"x | transaction dvc startswith="signature_id=5156" maxspan=30s"#,
        1,
    ) {
        Command::Transaction(t) => {
            assert_eq!(t.fields[0].name, "dvc");
            assert_eq!(t.options[0].value.value, "signature_id=5156");
            assert_eq!(t.options[1].key.name, "maxspan");
        }
        other => panic!("{other:?}"),
    }
    match command(
        "x | lookup dnslookup clientip as src_ip OUTPUT clienthost as src_dns",
        1,
    ) {
        Command::Lookup(l) => {
            assert_eq!(l.table.name, "dnslookup");
            assert_eq!(l.inputs[0].column.name, "clientip");
            assert_eq!(l.inputs[0].alias.as_ref().unwrap().name, "src_ip");
            assert_eq!(l.output_mode, Some(LookupOutput::Output));
            assert_eq!(l.outputs[0].column.name, "clienthost");
            assert_eq!(l.outputs[0].alias.as_ref().unwrap().name, "src_dns");
        }
        other => panic!("{other:?}"),
    }
    match command("x | lookup local=true t.csv a, b AS c outputnew d", 1) {
        Command::Lookup(l) => {
            assert_eq!(l.options[0].key.name, "local");
            assert_eq!(l.table.name, "t.csv");
            assert_eq!(l.inputs.len(), 2);
            assert_eq!(l.output_mode, Some(LookupOutput::OutputNew));
            assert!(l.outputs[0].alias.is_none());
        }
        other => panic!("{other:?}"),
    }
    match command(r#"x | iplocation prefix="src_" src_ip"#, 1) {
        Command::Iplocation(i) => {
            assert_eq!(i.options[0].value.value, "src_");
            assert_eq!(i.field.name, "src_ip");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(command("x | iplocation dest_ip", 1), Command::Iplocation(i) if i.options.is_empty())
    );
}

#[test]
fn join_with_a_subsearch_holding_pipes() {
    let src = "x | join type=left user [ search `auth0` a=1 | stats values(*) as * by user, Country | where isnotnull(Country) ] | table user";
    let q = parse(src);
    assert_eq!(q.stages.len(), 3);
    match &q.stages[1].command {
        Command::Join(j) => {
            assert_eq!(j.options[0].value.value, "left");
            assert_eq!(j.fields[0].name, "user");
            let sub = &j.subsearch.query;
            assert_eq!(sub.stages.len(), 3);
            match &sub.stages[0].command {
                Command::Search(s) => {
                    assert!(s.explicit);
                    assert_eq!(search_sexp(s.expr.as_ref().unwrap()), "(and `auth0` a=1)");
                }
                other => panic!("{other:?}"),
            }
            assert!(
                j.subsearch.span.slice(src).starts_with('[')
                    && j.subsearch.span.slice(src).ends_with(']')
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn foreach_templates_with_a_leading_pipe_or_a_command() {
    let src = r#"x | foreach *location [ | eval <<FIELD>> = replace(<<FIELD>>, "a", "b") ]"#;
    match command(src, 1) {
        Command::Foreach(f) => {
            assert_eq!(f.fields[0].name, "*location");
            let t = &f.template.query;
            assert_eq!(t.stages.len(), 2);
            assert!(matches!(&t.stages[0].command, Command::Search(s) if s.expr.is_none()));
            match &t.stages[1].command {
                Command::Eval(a) => {
                    assert_eq!(a[0].field.name, "<<FIELD>>");
                    assert_eq!(expr_sexp(&a[0].value), r#"(replace <<FIELD>> "a" "b")"#);
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    match command(
        r#"x | foreach old_key_* [ rex field=<<FIELD>> mode=sed "s/(\,|\])//g"]"#,
        1,
    ) {
        Command::Foreach(f) => {
            assert_eq!(f.template.query.stages.len(), 1);
            assert!(matches!(&f.template.query.stages[0].command, Command::Rex(r) if r.sed));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_commands_are_generic() {
    match command(
        r#"x | avlbase64 type=decode field=base64_cmd word "q w" `m` [ search a ]"#,
        1,
    ) {
        Command::Generic(g) => {
            assert_eq!(g.name.name, "avlbase64");
            assert!(matches!(&g.args[0], GenericArg::Option(o) if o.key.name == "type"));
            assert!(matches!(&g.args[2], GenericArg::Word(w) if w.value == "word" && !w.quoted));
            assert!(matches!(&g.args[3], GenericArg::Word(w) if w.value == "q w" && w.quoted));
            assert!(matches!(&g.args[4], GenericArg::Macro(m) if m.name.name == "m"));
            assert!(matches!(&g.args[5], GenericArg::Subsearch(_)));
        }
        other => panic!("{other:?}"),
    }
    // A known command never falls back to a generic one.
    assert!(parse_err("x | stats values(")
        .message
        .starts_with("unclosed"));
}

#[test]
fn command_names_ignore_case_and_need_a_word_boundary() {
    assert!(matches!(command("x | TABLE a", 1), Command::Table(_)));
    assert!(matches!(command("x | tables a", 1), Command::Generic(g) if g.name.name == "tables"));
}

#[test]
fn a_stage_may_be_just_a_macro() {
    let s = stage("x | `ut_shannon(process)` `hec_collect`", 1);
    assert!(matches!(&s.command, Command::Macro(m) if m.name.name == "ut_shannon"));
    assert_eq!(s.trailing_macros[0].name.name, "hec_collect");
}

#[test]
fn command_node_spans_cover_their_text() {
    let src = r#"x | eval a = b + 1 , c=2 | stats values(*) as * , dc(u) by h | rename p as q , r AS s | sort - k | lookup t i AS j OUTPUT o | rex field=f "(?<n>.)""#;
    let q = parse(src);
    match &q.stages[1].command {
        Command::Eval(a) => {
            let spans: Vec<&str> = a.iter().map(|a| a.span.slice(src)).collect();
            assert_eq!(spans, ["a = b + 1", "c=2"]);
            assert_eq!(a[0].value.span.slice(src), "b + 1");
        }
        other => panic!("{other:?}"),
    }
    match &q.stages[2].command {
        Command::Stats(s) => {
            let spans: Vec<&str> = s.aggs.iter().map(|a| a.span.slice(src)).collect();
            assert_eq!(spans, ["values(*) as *", "dc(u)"]);
        }
        other => panic!("{other:?}"),
    }
    match &q.stages[3].command {
        Command::Rename(pairs) => {
            let spans: Vec<&str> = pairs.iter().map(|p| p.span.slice(src)).collect();
            assert_eq!(spans, ["p as q", "r AS s"]);
        }
        other => panic!("{other:?}"),
    }
    match &q.stages[4].command {
        Command::Sort(s) => assert_eq!(s.keys[0].span.slice(src), "- k"),
        other => panic!("{other:?}"),
    }
    match &q.stages[5].command {
        Command::Lookup(l) => {
            assert_eq!(l.inputs[0].span.slice(src), "i AS j");
            assert_eq!(l.outputs[0].span.slice(src), "o");
        }
        other => panic!("{other:?}"),
    }
    match &q.stages[6].command {
        Command::Rex(r) => {
            assert_eq!(r.field.as_ref().unwrap().span.slice(src), "f");
            assert_eq!(r.pattern.span.slice(src), r#""(?<n>.)""#);
        }
        other => panic!("{other:?}"),
    }
    let stage_texts: Vec<&str> = q.stages.iter().map(|s| s.span.slice(src)).collect();
    assert_eq!(stage_texts[1], "eval a = b + 1 , c=2");
    assert_eq!(stage_texts[6], r#"rex field=f "(?<n>.)""#);
}

#[test]
fn generic_option_values_may_hold_commas() {
    match command(r#"x | makemv delim="," f | mycmd fields=a,b"#, 1) {
        Command::Generic(g) => {
            assert!(
                matches!(&g.args[0], GenericArg::Option(o) if o.value.value == "," && o.value.quoted)
            );
            assert!(matches!(&g.args[1], GenericArg::Word(w) if w.value == "f"));
        }
        other => panic!("{other:?}"),
    }
    match command(r#"x | mycmd fields=a,b"#, 1) {
        Command::Generic(g) => {
            assert!(matches!(&g.args[0], GenericArg::Option(o) if o.value.value == "a,b"));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Traps: forms the armory writes whose reading is easy to get wrong.

#[test]
fn spliced_patterns_join_quoted_and_unquoted_pieces() {
    // Quoted and unquoted pieces of one word are concatenated; only the quoted pieces are
    // unescaped.
    let pattern = |src: &str| match command(src, 1) {
        Command::Rex(r) => (r.pattern.value, r.pattern.quoted, r.pattern.span),
        Command::Regex(r) => (r.pattern.value, r.pattern.quoted, r.pattern.span),
        other => panic!("{other:?}"),
    };
    let src = r#"x | rex field=x "a"+"b""#;
    let (value, quoted, span) = pattern(src);
    assert_eq!((value.as_str(), quoted), ("a+b", true));
    assert_eq!(span.slice(src), r#""a"+"b""#);
    // An unquoted piece between quoted ones keeps its backslashes.
    assert_eq!(
        pattern(r#"x | rex field=p "(?<u>\S+)"\s"(?<v>.)""#).0,
        r"(?<u>\S+)\s(?<v>.)"
    );
    // The quoted pieces are unescaped piece by piece (`\"` and `\|` inside quotes).
    assert_eq!(pattern(r#"x | regex p="a\"b"c"d\|e""#).0, r#"a"bcd|e"#);
    // A `|` inside a quoted piece belongs to the pattern, not to the pipeline.
    let src = r#"x | regex p=(?i)"a|b"c | table p"#;
    assert_eq!(parse(src).stages.len(), 3);
    assert_eq!(pattern(src).0, "(?i)a|bc");
    // nircmd_execution-powershell: the spliced pattern is joined as written even when the
    // result has one `)` too many; the regex layer rejects it.
    assert_eq!(
        pattern(r#"x | regex process="(?i)nircmd(\.exe)?|(script|shexec)")"#).0,
        r"(?i)nircmd(\.exe)?|(script|shexec))"
    );
    // A wholly unquoted pattern is allowed and is not quoted.
    let (value, quoted, _) = pattern(r"x | rex field=uri_path (?<command_type>\w+)");
    assert_eq!((value.as_str(), quoted), (r"(?<command_type>\w+)", false));
}

#[test]
fn subsearch_brackets_ignore_pipes_and_brackets_inside_quotes() {
    // `|` inside quotes or `[ ... ]` does not split stages; a `]` in a quoted string does
    // not close the subsearch.
    let src = r#"x | join type=left user [ search a="x]y|z" | where match(b, "[|]") | eval c="[" ] | table user"#;
    let q = parse(src);
    assert_eq!(q.stages.len(), 3);
    assert!(matches!(&q.stages[2].command, Command::Table(t) if items(t) == ["user"]));
    let Command::Join(j) = &q.stages[1].command else {
        panic!("{:?}", q.stages[1].command)
    };
    let sub = &j.subsearch.query;
    assert_eq!(sub.stages.len(), 3);
    match &sub.stages[0].command {
        Command::Search(s) => {
            assert_eq!(search_sexp(s.expr.as_ref().unwrap()), r#"a="x]y|z""#);
        }
        other => panic!("{other:?}"),
    }
    match &sub.stages[1].command {
        Command::Where(e) => assert_eq!(expr_sexp(e), r#"(match b "[|]")"#),
        other => panic!("{other:?}"),
    }
    match &sub.stages[2].command {
        Command::Eval(a) => assert_eq!(expr_sexp(&a[0].value), r#""[""#),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        j.subsearch.span.slice(src),
        r#"[ search a="x]y|z" | where match(b, "[|]") | eval c="[" ]"#
    );
    // A subsearch inside a subsearch.
    let q = parse("x | join a [ search b | join c [ search d ] ] | table a");
    assert_eq!(q.stages.len(), 3);
    let Command::Join(outer) = &q.stages[1].command else {
        panic!()
    };
    assert!(matches!(
        &outer.subsearch.query.stages[1].command,
        Command::Join(inner) if inner.subsearch.query.stages.len() == 1
    ));
}

#[test]
fn foreach_template_strings_and_brackets_stay_in_the_template() {
    // `foreach`: `"\s*,\s*$$$$"` reaches the template as written (`$` is not an SPL escape),
    // and `<<FIELD>>` is a placeholder on both sides of `=`.
    let src = r#"x | foreach *location [ | eval <<FIELD>>=replace(<<FIELD>>,"\s*,\s*$$$$","") ] | table a"#;
    let q = parse(src);
    assert_eq!(q.stages.len(), 3);
    let Command::Foreach(f) = &q.stages[1].command else {
        panic!("{:?}", q.stages[1].command)
    };
    let Command::Eval(a) = &f.template.query.stages[1].command else {
        panic!()
    };
    assert_eq!(a[0].field.name, "<<FIELD>>");
    assert_eq!(
        expr_sexp(&a[0].value),
        r#"(replace <<FIELD>> "\s*,\s*$$$$" "")"#
    );
    // A `]` inside a quoted string does not end the template.
    let src = r#"x | foreach f* [ eval <<FIELD>>=replace(<<FIELD>>, "[\]]", "") ]"#;
    let Command::Foreach(f) = command(src, 1) else {
        panic!()
    };
    let Command::Eval(a) = &f.template.query.stages[0].command else {
        panic!()
    };
    assert_eq!(expr_sexp(&a[0].value), r#"(replace <<FIELD>> "[\]]" "")"#);
}

#[test]
fn bin_with_only_a_span_has_no_field_even_before_another_stage() {
    // `bin span=1s` with no field bins `_time` (`docs/semantics.md`, "Transforming
    // commands"); the tree keeps `None` (lowering supplies `_time`), and the next stage is
    // not read as a field.
    let q = parse("x | bin span=1s | stats values(*) as * by _time, host");
    assert_eq!(q.stages.len(), 3);
    match &q.stages[1].command {
        Command::Bin(b) => {
            assert!(b.field.is_none() && b.alias.is_none());
            assert_eq!(b.options.len(), 1);
            assert_eq!(
                (
                    b.options[0].key.name.as_str(),
                    b.options[0].value.value.as_str()
                ),
                ("span", "1s")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stats_eval_arguments_in_corpus_forms() {
    let aggs = |src: &str| match command(src, 1) {
        Command::Stats(s) => s
            .aggs
            .iter()
            .map(|a| {
                let arg = match &a.arg {
                    Some(AggArg::Eval(e)) => format!("eval:{}", expr_sexp(e)),
                    Some(AggArg::Field(f)) => f.name.clone(),
                    None => String::new(),
                };
                let alias = a.alias.as_ref().map_or("", |x| x.name.as_str()).to_owned();
                format!("{}({arg}) as {alias}", a.func.name)
            })
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    // `count(eval(status="404"))`, and `IN` inside `sum(eval(if(...)))`.
    assert_eq!(
        aggs(r#"x | stats count(eval(status="404")) as n"#),
        [r#"count(eval:(= status "404")) as n"#]
    );
    assert_eq!(
        aggs(r#"x | eventstats sum(eval(if(event_type IN ("a","b"),1,0))) as hits by host"#),
        [r#"sum(eval:(if (IN event_type "a" "b") 1 0)) as hits"#]
    );
    // A stats `eval(...)` with a single-quoted field, AND and LIKE.
    assert_eq!(
        aggs(
            r#"x | stats count(eval(eventType="x" AND 'action'="SUCCESS" AND user LIKE "%adm%")) as c"#
        ),
        [
            r#"count(eval:(AND (AND (= eventType "x") (= action "SUCCESS")) (LIKE user "%adm%"))) as c"#
        ]
    );
    // `values(*) as *` keeps the wildcard on both sides.
    assert_eq!(aggs("x | stats values(*) as *"), ["values(*) as *"]);
}

#[test]
fn unknown_commands_keep_their_arguments_and_do_not_swallow_stages() {
    let q = parse(r#"x | mycmd | other "a|b" c=d | table e"#);
    assert_eq!(q.stages.len(), 4);
    match &q.stages[1].command {
        Command::Generic(g) => assert!(g.name.name == "mycmd" && g.args.is_empty()),
        other => panic!("{other:?}"),
    }
    match &q.stages[2].command {
        Command::Generic(g) => {
            assert_eq!(g.name.name, "other");
            assert!(matches!(&g.args[0], GenericArg::Word(w) if w.value == "a|b" && w.quoted));
        }
        other => panic!("{other:?}"),
    }
    // The armory's `avlbase64` (a custom command) is a generic command.
    assert!(matches!(
        command("x | avlbase64 field=process", 1),
        Command::Generic(g) if g.name.name == "avlbase64"
    ));
}

#[test]
fn regex_patterns_are_unescaped_left_to_right() {
    // cve-2024-24919-…-waf: `\.\.\\|` becomes `\.\.\|`, an escaped pipe, because `\\` is
    // read first; and `"([\.\\\]+)?"` gives `([\.\\]+)?`.
    let pattern = |src: &str| match command(src, 1) {
        Command::Regex(r) => r.pattern.value,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        pattern(r#"x | regex uri="(\.\.\/|\.\.\\|\.\.%2F)""#),
        r"(\.\.\/|\.\.\|\.\.%2F)"
    );
    assert_eq!(pattern(r#"x | regex p="([\.\\\]+)?""#), r"([\.\\]+)?");
    // `Files\\AnyDesk` gives `Files\AnyDesk` (anydesk_execution_from_suspicious_folder).
    assert_eq!(
        pattern(r#"x | regex p!="Program\sFiles\\AnyDesk""#),
        r"Program\sFiles\AnyDesk"
    );
}

#[test]
fn eval_option_values_are_kept_as_written() {
    // `endswith=eval(...)`: quotes, spaces and parentheses stay, and the option ends at
    // the closing parenthesis.
    match command(
        r#"x | transaction user endswith=eval(action == "log out" AND (n > 1)) maxspan=1m"#,
        1,
    ) {
        Command::Transaction(t) => {
            assert_eq!(
                t.options[0].value.value,
                r#"eval(action == "log out" AND (n > 1))"#
            );
            assert!(!t.options[0].value.quoted);
            assert_eq!(t.options[1].key.name, "maxspan");
        }
        other => panic!("{other:?}"),
    }
}

/// What Splunk's content catalog writes: comments, glued field names, `/` in names, quoted
/// and `{field}` eval targets.
#[test]
fn content_catalog_forms() {
    // A triple-backtick comment is white space, wherever white space may stand; spans of
    // what follows stay where they were written.
    let q = parse("```lead``` x ```mid``` | ```before``` table a ```after```");
    assert_eq!(q.stages.len(), 2);
    let Command::Table(items) = &q.stages[1].command else {
        panic!("{:?}", q.stages[1].command);
    };
    assert_eq!(items.len(), 1);
    let src = "x | eval a=\"```kept```\" ```gone```";
    let Command::Eval(assigns) = command(src, 1) else {
        panic!("eval");
    };
    assert_eq!(format!("{}", assigns[0].value), "\"```kept```\"");
    assert_eq!(
        &src[assigns[0].field.span.start..assigns[0].field.span.end],
        "a"
    );
    // An unclosed comment is a backtick error, not a silent truncation.
    let err = parse_err("x ```open");
    assert!(err.message.contains("unterminated"), "{}", err.message);

    // Quoted and bare pieces glued together are one name.
    let Command::Rename(pairs) = command(r#"x | rename "Web".* as *, "All_Traffic".dest AS d"#, 1)
    else {
        panic!("rename");
    };
    let names: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.from.name.as_str(), p.to.name.as_str()))
        .collect();
    assert_eq!(names, [("Web.*", "*"), ("All_Traffic.dest", "d")]);

    // `/` in field lists.
    let Command::Table(items) = command("x | table k8s.io/reason a:b c{}.d", 1) else {
        panic!("table");
    };
    assert_eq!(items.len(), 3);

    // Quoted and dynamic eval targets.
    let Command::Eval(assigns) = command(r#"x | eval "a b"=1, {key} = value, {'k k'}=2"#, 1) else {
        panic!("eval");
    };
    let targets: Vec<(&str, bool)> = assigns
        .iter()
        .map(|a| (a.field.name.as_str(), a.dynamic))
        .collect();
    assert_eq!(targets, [("a b", false), ("key", true), ("k k", true)]);
    assert_eq!(format!("{}", assigns[1]), "{key}=value");
}
