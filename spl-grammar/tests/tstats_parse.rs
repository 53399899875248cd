//! `tstats`: its parts, its `WHERE` search ending before `BY`, and the printer's round trip.

use spl_grammar::ast::{Command, FieldItem, SearchKind};

fn tstats(src: &str) -> spl_grammar::ast::TstatsCommand {
    let q = spl_grammar::parse_query(src).expect("parses");
    match &q.stages[1].command {
        Command::Tstats(t) => t.clone(),
        other => panic!("not tstats: {other:?}"),
    }
}

#[test]
fn parts_of_an_escu_search() {
    let t = tstats(
        "| tstats `security_content_summariesonly` count min(_time) as firstTime values(Processes.process) as process from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe OR (Processes.process=\"*by*\" OR Processes.process=by) by Processes.dest Processes.user, _time span=1h",
    );
    assert_eq!(t.macros.len(), 1);
    assert_eq!(t.aggs.len(), 3);
    let from = t.from.as_ref().expect("from");
    assert_eq!(from.key.name, "datamodel");
    assert_eq!(from.value.value, "Endpoint.Processes");
    let Some(filter) = &t.filter else {
        panic!("no where")
    };
    assert!(matches!(filter.kind, SearchKind::Or(_)), "{filter:?}");
    let by: Vec<&str> =
        t.by.iter()
            .map(|b| match b {
                FieldItem::Field(f) => f.name.as_str(),
                FieldItem::Macro(m) => m.name.name.as_str(),
            })
            .collect();
    assert_eq!(by, ["Processes.dest", "Processes.user", "_time"]);
    assert_eq!(t.options.len(), 1);
    assert_eq!(t.options[0].key.name, "span");
}

#[test]
fn outside_tstats_by_is_a_term() {
    let q = spl_grammar::parse_query("index=main by foo").expect("parses");
    let Command::Search(s) = &q.stages[0].command else {
        panic!("search")
    };
    let Some(e) = &s.expr else { panic!("expr") };
    let SearchKind::And(items) = &e.kind else {
        panic!("and: {e:?}")
    };
    assert_eq!(items.len(), 3);
}

#[test]
fn the_printer_round_trips() {
    for src in [
        "| tstats summariesonly=false count from datamodel=Endpoint.Processes where Processes.process_name IN (\"a.exe\", b.exe) by Processes.dest span=1h",
        "| tstats count",
        "| tstats summariesonly=`a` allow_old_summaries=`b(1)` count from datamodel=Endpoint.Processes",
        "| tstats count from datamodel=Web by Web.src",
        "| tstats dc(All_Traffic.dest) as n from datamodel=Network_Traffic where NOT All_Traffic.dest_port=443",
    ] {
        let mut a = spl_grammar::parse_query(src).expect("parses");
        let printed = spl_grammar::ast::print(&a);
        let mut b = spl_grammar::parse_query(&printed).expect("printed text parses");
        a.clear_spans();
        b.clear_spans();
        assert_eq!(a, b, "{printed}");
    }
}

#[test]
fn a_malformed_tstats_is_a_parse_error() {
    assert!(spl_grammar::parse_query("| tstats count from datamodel=X where (a").is_err());
}

#[test]
fn a_quoted_piece_splices_with_what_follows_in_a_field_name() {
    let q = spl_grammar::parse_query(r#"| rename "Web".* AS *, "a""b" AS c"#).expect("parses");
    let Command::Rename(pairs) = &q.stages[1].command else {
        panic!("rename")
    };
    assert_eq!(pairs[0].from.name, "Web.*");
    assert_eq!(pairs[1].from.name, "ab");
    let printed = spl_grammar::ast::print(&q);
    let mut again = spl_grammar::parse_query(&printed).expect("printed text parses");
    let mut q = q;
    q.clear_spans();
    again.clear_spans();
    assert_eq!(q, again, "{printed}");
}
