//! `transaction` and `foreach` through both back ends: each rule is a `detect!` type
//! (generated code) and an `EvalRule` (the evaluator) of the same SPL; both must give the
//! rows written here by hand from Splunk's documentation and `docs/semantics.md`.

use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::rule::Rule;
use spl_runtime::Record;
use splc_tests::{row, rows, run_rule, Row};

/// An event at `time` (none when `None`) with these fields (a name given twice makes a
/// multivalue).
fn event(time: Option<f64>, pairs: &[(&str, &str)]) -> Record {
    let mut r = Record::new();
    if let Some(t) = time {
        r.set_time(t);
    }
    for (k, v) in pairs {
        r.push_named(k, *v);
    }
    r
}

/// The rows of `spl` over `events` from the generated type and from the evaluator, which
/// must agree.
fn both(spl: &str, generated: &mut dyn Rule, events: &[Record]) -> Vec<Row> {
    let mut evaluated = EvalRule::from_spl(spl, &MacroTable::new())
        .unwrap_or_else(|e| panic!("{spl} compiles: {e:?}"));
    let from_code = rows(&run_rule(generated, events));
    let from_eval = rows(&run_rule(&mut evaluated, events));
    assert_eq!(from_code, from_eval, "the back ends differ on {spl}");
    from_code
}

/// Defines a `detect!` type for each SPL text and a test comparing its rows.
macro_rules! case {
    ($(#[$doc:meta])* $test:ident, $ty:ident, $spl:literal, $events:expr, $expected:expr) => {
        spl_runtime::detect! {
            $(#[$doc])*
            struct $ty = $spl;
        }

        #[test]
        fn $test() {
            let events: Vec<Record> = $events;
            let expected: Vec<Row> = $expected;
            assert_eq!(both($spl, &mut $ty::new(), &events), expected);
        }
    };
}

fn t(n: f64) -> Option<f64> {
    Some(n)
}

case!(
    /// Events out of time order: the step orders them itself; fields become the distinct
    /// values sorted by bytes; `_raw` lines come oldest first.
    transaction_groups_in_time_order,
    GroupsInTimeOrder,
    "* | transaction host",
    vec![
        event(t(30.0), &[("host", "a"), ("_raw", "three"), ("n", "9")]),
        event(t(10.0), &[("host", "a"), ("_raw", "one"), ("n", "10")]),
        event(t(20.0), &[("host", "b"), ("_raw", "two"), ("n", "")]),
        event(t(25.0), &[("host", "a"), ("_raw", "between"), ("n", "9"), ("tag", "y"), ("tag", "x")]),
    ],
    vec![
        row(&[
            ("_time", &["10"]),
            ("_raw", &["one\nbetween\nthree"]),
            ("host", &["a"]),
            ("n", &["10", "9"]),
            ("tag", &["x", "y"]),
            ("duration", &["20"]),
            ("eventcount", &["3"]),
            ("closed_txn", &["0"]),
        ]),
        row(&[
            ("_time", &["20"]),
            ("_raw", &["two"]),
            ("host", &["b"]),
            ("n", &[""]),
            ("duration", &["0"]),
            ("eventcount", &["1"]),
            ("closed_txn", &["0"]),
        ]),
    ]
);

/// The transactions of `rows` as (`_time`, `eventcount`) pairs.
fn spans(rows: &[Row]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| {
            let one = |k: &str| r.get(k).map(|v| v.join(",")).unwrap_or_default();
            (one("_time"), one("eventcount"))
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

spl_runtime::detect! {
    /// `maxspan` at its boundary.
    struct MaxSpan = "* | transaction host maxspan=10s";
}

#[test]
fn transaction_maxspan_includes_its_boundary() {
    let events = vec![
        event(t(10.5), &[("host", "a")]),
        event(t(0.0), &[("host", "a")]),
        event(t(10.0), &[("host", "a")]),
        event(t(5.0), &[("host", "b")]),
    ];
    let out = both(
        "* | transaction host maxspan=10s",
        &mut MaxSpan::new(),
        &events,
    );
    // `a` at 0 and 10 (a span of exactly 10 s), then 10.5 alone; `b` closes when time
    // passes 15, before the 10.5 event's transaction ends at the end of input.
    assert_eq!(spans(&out), pairs(&[("0", "2"), ("5", "1"), ("10.5", "1")]));
    assert!(out.iter().all(|r| r["closed_txn"] == ["1"]));
}

spl_runtime::detect! {
    /// `maxpause`.
    struct MaxPause = "* | transaction maxpause=5s";
}

#[test]
fn transaction_maxpause_without_fields() {
    let events: Vec<Record> = [0.0, 5.0, 11.0, 12.0, 17.0]
        .iter()
        .map(|s| event(t(*s), &[("x", "1")]))
        .collect();
    let out = both("* | transaction maxpause=5s", &mut MaxPause::new(), &events);
    assert_eq!(spans(&out), pairs(&[("0", "2"), ("11", "3")]));
}

spl_runtime::detect! {
    /// `maxevents`.
    struct MaxEvents = "* | transaction host maxevents=2";
}

#[test]
fn transaction_maxevents_closes_full_transactions() {
    let events: Vec<Record> = [0.0, 1.0, 2.0]
        .iter()
        .map(|s| event(t(*s), &[("host", "a")]))
        .collect();
    let out = both(
        "* | transaction host maxevents=2",
        &mut MaxEvents::new(),
        &events,
    );
    assert_eq!(spans(&out), pairs(&[("0", "2"), ("2", "1")]));
}

/// The corpus's `transaction dvc startswith="signature_id=5156" maxspan=30s`.
fn start_events() -> Vec<Record> {
    vec![
        event(t(0.0), &[("dvc", "d1"), ("signature_id", "4625")]),
        event(t(15.0), &[("dvc", "d1"), ("signature_id", "5140")]),
        event(t(10.0), &[("dvc", "d1"), ("signature_id", "5156")]),
        event(t(20.0), &[("dvc", "d1"), ("signature_id", "5156")]),
        event(t(60.0), &[("dvc", "d1"), ("signature_id", "4625")]),
        event(t(12.0), &[("dvc", "d2"), ("signature_id", "5156")]),
    ]
}

spl_runtime::detect! {
    /// `startswith` and `maxspan`, as the corpus writes them.
    struct StartsWith = r#"* | transaction dvc startswith="signature_id=5156" maxspan=30s"#;
}

#[test]
fn transaction_startswith_begins_transactions() {
    let out = both(
        r#"* | transaction dvc startswith="signature_id=5156" maxspan=30s"#,
        &mut StartsWith::new(),
        &start_events(),
    );
    // The events before the first start (0) and past the last one's span (60) are in no
    // complete transaction. Rows come as transactions close: `d2`'s (12) when time
    // passes 42, before `d1`'s second (20) at the end.
    assert_eq!(spans(&out), pairs(&[("10", "2"), ("12", "1"), ("20", "1")]));
    assert_eq!(out[0]["signature_id"], ["5140", "5156"]);
    assert!(out.iter().all(|r| r["closed_txn"] == ["1"]));
}

spl_runtime::detect! {
    /// `startswith` as a parenthesised search with spaces (ESCU:
    /// `startswith=(EventCode=5136 OperationType="%%14674")`).
    struct StartsWithGroup = r#"* | transaction dvc startswith=(signature_id=5156 dvc="D*") maxspan=30s"#;
}

#[test]
fn transaction_startswith_in_parentheses_with_spaces() {
    let out = both(
        r#"* | transaction dvc startswith=(signature_id=5156 dvc="D*") maxspan=30s"#,
        &mut StartsWithGroup::new(),
        &start_events(),
    );
    // The same transactions as the quoted form: both conditions hold on the same events.
    assert_eq!(spans(&out), pairs(&[("10", "2"), ("12", "1"), ("20", "1")]));
}

spl_runtime::detect! {
    /// `keepevicted=true` also gives the incomplete transactions.
    struct KeepEvicted = r#"* | transaction dvc startswith="signature_id=5156" maxspan=30s keepevicted=true"#;
}

#[test]
fn transaction_keepevicted_gives_incomplete_transactions_as_not_closed() {
    let out = both(
        r#"* | transaction dvc startswith="signature_id=5156" maxspan=30s keepevicted=true"#,
        &mut KeepEvicted::new(),
        &start_events(),
    );
    let closed: Vec<(String, String)> = out
        .iter()
        .map(|r| (r["_time"].join(","), r["closed_txn"].join(",")))
        .collect();
    assert_eq!(
        closed,
        pairs(&[
            ("0", "0"),
            ("10", "1"),
            ("12", "1"),
            ("20", "1"),
            ("60", "0")
        ])
    );
}

spl_runtime::detect! {
    /// `endswith` in the eval form.
    struct EndsWithEval = r#"* | transaction user endswith=eval(action == "logout")"#;
}

#[test]
fn transaction_endswith_eval_ends_transactions() {
    let events = vec![
        event(t(0.0), &[("user", "u"), ("action", "login")]),
        event(t(1.0), &[("user", "u"), ("action", "view")]),
        event(t(2.0), &[("user", "u"), ("action", "logout")]),
        event(t(3.0), &[("user", "u"), ("action", "view")]),
    ];
    let out = both(
        r#"* | transaction user endswith=eval(action == "logout")"#,
        &mut EndsWithEval::new(),
        &events,
    );
    // The view at 3 never ends; `endswith` alone does not set `closed_txn`.
    assert_eq!(spans(&out), pairs(&[("0", "3")]));
    assert_eq!(out[0]["closed_txn"], ["0"]);
    assert_eq!(out[0]["action"], ["login", "logout", "view"]);
}

spl_runtime::detect! {
    /// Two by-fields, events lacking some of them, an event without `_time`.
    struct SeveralFields = "* | transaction host user";
}

#[test]
fn transaction_events_missing_by_fields_join_the_latest_agreeing_transaction() {
    let events = vec![
        event(t(0.0), &[("host", "a"), ("user", "u1")]),
        event(t(1.0), &[("host", "a"), ("user", "u2")]),
        event(t(2.0), &[("host", "a"), ("user", "u1"), ("k", "x")]),
        event(t(3.0), &[("host", "a"), ("k", "y")]),
        event(t(4.0), &[("k", "z")]),
        event(t(5.0), &[("host", "b"), ("k", "w")]),
        event(None, &[("host", "a"), ("user", "u1"), ("k", "timeless")]),
    ];
    let out = both(
        "* | transaction host user",
        &mut SeveralFields::new(),
        &events,
    );
    let groups: Vec<(Vec<String>, Vec<String>, Vec<String>)> = out
        .iter()
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            (get("host"), get("user"), get("k"))
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        groups,
        vec![
            (s(&["a"]), s(&["u1"]), s(&["x", "y", "z"])),
            (s(&["a"]), s(&["u2"]), s(&[])),
            (s(&["b"]), s(&[]), s(&["w"])),
        ]
    );
}

spl_runtime::detect! {
    /// `connected=true`, Splunk's default, written out.
    struct Connected = "* | transaction host user connected=true";
}

spl_runtime::detect! {
    /// `connected=false` (ESCU: `transaction src_user connected=false maxspan=180m`).
    struct Unconnected = "* | transaction host user connected=false";
}

/// `connected`: with true (the default), an event that has by-fields joins a transaction
/// only when one of them has the same values there ("if an event contains fields required
/// by the transaction, but none of these fields have been instantiated in the
/// transaction, a new transaction is opened"); with false it joins the latest transaction
/// none of whose values differ.
#[test]
fn transaction_connected_decides_where_partial_events_go() {
    let events = vec![
        event(t(0.0), &[("k", "z")]),
        event(t(1.0), &[("host", "a")]),
        event(t(2.0), &[("user", "u1")]),
        event(t(3.0), &[("host", "a"), ("user", "u1")]),
    ];
    // host, user, k and eventcount of each transaction.
    type Summary = (Vec<String>, Vec<String>, Vec<String>, Vec<String>);
    let summary = |out: Vec<Row>| -> Vec<Summary> {
        out.iter()
            .map(|r| {
                let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                (get("host"), get("user"), get("k"), get("eventcount"))
            })
            .collect()
    };
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let connected = vec![
        (s(&[]), s(&[]), s(&["z"]), s(&["1"])),
        (s(&["a"]), s(&[]), s(&[]), s(&["1"])),
        (s(&["a"]), s(&["u1"]), s(&[]), s(&["2"])),
    ];
    assert_eq!(
        summary(both(
            "* | transaction host user connected=true",
            &mut Connected::new(),
            &events
        )),
        connected
    );
    assert_eq!(
        summary(both(
            "* | transaction host user",
            &mut SeveralFields::new(),
            &events
        )),
        connected,
        "true is the default"
    );
    assert_eq!(
        summary(both(
            "* | transaction host user connected=false",
            &mut Unconnected::new(),
            &events
        )),
        vec![(s(&["a"]), s(&["u1"]), s(&["z"]), s(&["4"]))]
    );
}

case!(
    /// The corpus's `transaction dvc maxspan=1m` and what follows it.
    transaction_corpus_pipeline,
    CorpusTransaction,
    "* | transaction dvc maxspan=1m | fields - _raw closed_txn duration eventcount | stats values(*) as * by dvc _time",
    vec![
        event(t(100.0), &[("dvc", "fw"), ("_raw", "b"), ("src", "2.2.2.2")]),
        event(t(70.0), &[("dvc", "fw"), ("_raw", "a"), ("src", "1.1.1.1")]),
        event(t(200.0), &[("dvc", "fw"), ("_raw", "c"), ("src", "1.1.1.1")]),
    ],
    vec![
        row(&[("_time", &["70"]), ("dvc", &["fw"]), ("src", &["1.1.1.1", "2.2.2.2"])]),
        row(&[("_time", &["200"]), ("dvc", &["fw"]), ("src", &["1.1.1.1"])]),
    ]
);

case!(
    /// Splunk's example: a total over the fields matching `test*`.
    foreach_total_over_fields,
    ForeachTotal,
    "* | eval total=0 | foreach test* [eval total=total + <<FIELD>>]",
    vec![event(t(1.0), &[("test1", "1"), ("test2", "2"), ("test3", "3"), ("Test4", "40")])],
    vec![row(&[
        ("_time", &["1"]),
        ("test1", &["1"]),
        ("test2", &["2"]),
        ("test3", &["3"]),
        ("Test4", &["40"]),
        ("total", &["6"]),
    ])]
);

case!(
    /// Splunk's example: `<<MATCHSTR>>` reads as the number it is.
    foreach_matchstr,
    ForeachMatchstr,
    "* | foreach test* [eval <<FIELD>> = <<FIELD>> + <<MATCHSTR>>]",
    vec![event(t(1.0), &[("test1", "5"), ("test2", "10")])],
    vec![row(&[("_time", &["1"]), ("test1", &["6"]), ("test2", &["12"])])]
);

case!(
    /// Splunk's example: custom placeholders and two wildcard segments.
    foreach_matchseg,
    ForeachMatchseg,
    "* | foreach test*ab* fieldstr=MYFIELD matchseg1=SEG1 matchseg2=SEG2 [eval MYFIELD = MYFIELD + SEG1 + SEG2]",
    vec![event(t(1.0), &[("test1ab2", "5"), ("test2ab3", "10")])],
    vec![row(&[("_time", &["1"]), ("test1ab2", &["8"]), ("test2ab3", &["15"])])]
);

case!(
    /// Splunk's example: named fields run whether present or not, and a placeholder in a
    /// string literal is the text.
    foreach_named_fields_and_literals,
    ForeachNamed,
    r#"* | eval seen="" | foreach name price [eval <<FIELD>> = "<<FIELD>>", seen = seen . "<<MATCHSTR>>|"]"#,
    vec![event(t(1.0), &[("price", "3")])],
    vec![row(&[
        ("_time", &["1"]),
        ("name", &["name"]),
        ("price", &["price"]),
        ("seen", &["||"]),
    ])]
);

case!(
    /// The corpus's template with a leading `|` and `$$$$` (four end anchors, one in effect).
    foreach_corpus_location,
    ForeachLocation,
    r#"* | foreach *location [ | eval <<FIELD>> = replace(replace(<<FIELD>>, "^\s*,\s*", ""), "\s*,\s*$$$$", "")]"#,
    vec![event(
        t(1.0),
        &[("location", ", Paris, FR, "), ("last_location", "Berlin, DE , "), ("city", ", x, ")],
    )],
    vec![row(&[
        ("_time", &["1"]),
        ("location", &["Paris, FR"]),
        ("last_location", &["Berlin, DE"]),
        ("city", &[", x, "]),
    ])]
);

case!(
    /// The corpus's `rex mode=sed` template.
    foreach_corpus_sed,
    ForeachSed,
    r#"* | foreach old_key_* [ rex field=<<FIELD>> mode=sed "s/(\,|\])//g"]"#,
    vec![event(
        t(1.0),
        &[("old_key_id", "abc,"), ("old_key_name", "[x]]"), ("old_key", "k,")],
    )],
    vec![row(&[
        ("_time", &["1"]),
        ("old_key_id", &["abc"]),
        ("old_key_name", &["[x"]),
        ("old_key", &["k,"]),
    ])]
);

case!(
    /// A null result removes the field; `*` leaves `_raw` and `_time` alone; multivalues.
    foreach_null_internal_multivalue,
    ForeachNull,
    r#"* | foreach * [eval <<FIELD>> = if(<<FIELD>>=="", null(), mvcount(<<FIELD>>))]"#,
    vec![event(t(1.0), &[("_raw", "r"), ("a", ""), ("m", "x"), ("m", "y"), ("n", "7")])],
    vec![row(&[("_time", &["1"]), ("_raw", &["r"]), ("m", &["2"]), ("n", &["1"])])]
);

case!(
    /// A `where` in the template drops the row.
    foreach_where_drops,
    ForeachWhere,
    "* | foreach n* [where <<FIELD>> > 1]",
    vec![
        event(t(1.0), &[("n1", "2"), ("n2", "3")]),
        event(t(2.0), &[("n1", "2"), ("n2", "0")]),
        event(t(3.0), &[("other", "0")]),
    ],
    vec![
        row(&[("_time", &["1"]), ("n1", &["2"]), ("n2", &["3"])]),
        row(&[("_time", &["3"]), ("other", &["0"])]),
    ]
);

case!(
    /// Two names for one field: what the template wrote wins over what it only read.
    foreach_two_names_for_one_field,
    ForeachTwoNames,
    r#"* | foreach x* [eval <<FIELD>> = 'x<<MATCHSTR>>' . "!"]"#,
    vec![event(t(1.0), &[("x1", "a"), ("x2", "b")])],
    vec![row(&[("_time", &["1"]), ("x1", &["a!"]), ("x2", &["b!"])])]
);
