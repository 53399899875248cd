//! Aggregators and BY groups (`docs/semantics.md`, "Transforming commands").

use spl_runtime::aggregate::{
    for_each_key, Accumulator, GroupKey, GroupTable, KeyPart, LIST_LIMIT, PRESENT,
};
use spl_runtime::ir::AggFunc;
use spl_runtime::Value;

fn s(v: &str) -> Value {
    Value::from(v)
}

fn mv(v: &[&str]) -> Value {
    Value::Multi(v.iter().map(|s| s.to_string()).collect())
}

fn run(func: AggFunc, inputs: &[Option<Value>]) -> Option<Value> {
    let mut acc = Accumulator::new(func);
    for v in inputs {
        acc.update(v.as_ref());
    }
    acc.finish()
}

fn num(n: f64) -> Option<Value> {
    Some(Value::Num(n))
}

#[test]
fn counts() {
    // 4 events, p in 3 of them: `count` reads PRESENT from each, `count(p)` reads p.
    let p = [Some(s("a")), None, Some(s("b")), Some(s("a"))];
    assert_eq!(
        run(
            AggFunc::Count,
            &[Some(PRESENT), Some(PRESENT), Some(PRESENT), Some(PRESENT)]
        ),
        num(4.0)
    );
    assert_eq!(run(AggFunc::Count, &p), num(3.0));
    assert_eq!(run(AggFunc::DistinctCount, &p), num(2.0));
    assert_eq!(run(AggFunc::DistinctCount, &[]), num(0.0));
    assert_eq!(
        run(
            AggFunc::DistinctCount,
            &[Some(mv(&["x", "y"])), Some(s("x"))]
        ),
        num(2.0),
        "over all values"
    );
    assert_eq!(
        run(AggFunc::Count, &[Some(mv(&["x", "y"]))]),
        num(1.0),
        "events, not values"
    );
    assert_eq!(
        run(AggFunc::DistinctCount, &[Some(s("A")), Some(s("a"))]),
        num(2.0),
        "case-sensitive"
    );
}

#[test]
fn values_sorted_distinct_by_bytes() {
    let p = [Some(s("b")), Some(s("a")), Some(s("b")), Some(s("c"))];
    assert_eq!(run(AggFunc::Values, &p), Some(mv(&["a", "b", "c"])));
    assert_eq!(
        run(
            AggFunc::Values,
            &[Some(s("10")), Some(s("9")), Some(s("100")), Some(s("70"))]
        ),
        Some(mv(&["10", "100", "70", "9"]))
    );
    assert_eq!(
        run(AggFunc::Values, &[Some(s("b")), Some(s("B")), Some(s("a"))]),
        Some(mv(&["B", "a", "b"]))
    );
    assert_eq!(run(AggFunc::Values, &[Some(s("x"))]), Some(s("x")));
    assert_eq!(run(AggFunc::Values, &[None]), None);
    assert_eq!(
        run(
            AggFunc::Values,
            &[Some(mv(&["y", "x"])), Some(Value::Num(5.0))]
        ),
        Some(mv(&["5", "x", "y"]))
    );
    assert_eq!(
        run(AggFunc::Values, &[Some(s(""))]),
        Some(s("")),
        "an empty value is a value"
    );
}

#[test]
fn list_keeps_order_and_limit() {
    assert_eq!(
        run(AggFunc::List, &[Some(s("b")), Some(s("a")), Some(s("b"))]),
        Some(mv(&["b", "a", "b"]))
    );
    let many: Vec<Option<Value>> = (0..150).map(|i| Some(s(&i.to_string()))).collect();
    match run(AggFunc::List, &many) {
        Some(Value::Multi(v)) => {
            assert_eq!(v.len(), LIST_LIMIT);
            assert_eq!(v[99], "99");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn numeric_functions_ignore_text() {
    let p = [Some(s("1")), Some(s("test")), Some(s("3")), None];
    assert_eq!(run(AggFunc::Sum, &p), num(4.0));
    assert_eq!(run(AggFunc::Avg, &p), num(2.0));
    assert_eq!(run(AggFunc::Range, &p), num(2.0));
    assert_eq!(run(AggFunc::Sum, &[Some(s("x"))]), None);
    assert_eq!(run(AggFunc::Avg, &[]), None);
    assert_eq!(
        run(
            AggFunc::Sum,
            &[Some(mv(&["1", "2"])), Some(Value::Num(0.5))]
        ),
        num(3.5)
    );
    // eventstats example: avg(age) of SF = (25+31)/2.
    assert_eq!(
        run(AggFunc::Avg, &[Some(s("25")), Some(s("31"))]),
        num(28.0)
    );
}

#[test]
fn spread() {
    let p: Vec<Option<Value>> = ["2", "4", "4", "4", "5", "5", "7", "9"]
        .iter()
        .map(|v| Some(s(v)))
        .collect();
    assert_eq!(run(AggFunc::Stdevp, &p), num(2.0));
    assert_eq!(run(AggFunc::Varp, &p), num(4.0));
    match run(AggFunc::Var, &p) {
        Some(Value::Num(v)) => assert!((v - 32.0 / 7.0).abs() < 1e-12),
        other => panic!("{other:?}"),
    }
    match run(AggFunc::Stdev, &p) {
        Some(Value::Num(v)) => assert!((v - (32.0f64 / 7.0).sqrt()).abs() < 1e-12),
        other => panic!("{other:?}"),
    }
    assert_eq!(run(AggFunc::Stdev, &[Some(s("3"))]), num(0.0));
    assert_eq!(run(AggFunc::Stdev, &[Some(s("x"))]), None);
}

#[test]
fn min_max() {
    assert_eq!(
        run(AggFunc::Min, &[Some(s("10")), Some(s("9")), Some(s("100"))]),
        num(9.0),
        "numeric"
    );
    assert_eq!(
        run(AggFunc::Max, &[Some(s("10")), Some(s("9")), Some(s("100"))]),
        num(100.0)
    );
    assert_eq!(
        run(AggFunc::Max, &[Some(s("10")), Some(s("9")), Some(s("abc"))]),
        Some(s("abc")),
        "mixed: text"
    );
    assert_eq!(
        run(AggFunc::Min, &[Some(s("10")), Some(s("9")), Some(s("abc"))]),
        Some(s("10"))
    );
    assert_eq!(run(AggFunc::Min, &[Some(mv(&["b", "a"]))]), Some(s("a")));
    assert_eq!(run(AggFunc::Min, &[None]), None);
    assert_eq!(run(AggFunc::Range, &[Some(s("x"))]), None);
}

#[test]
fn order_functions() {
    let p = [
        None,
        Some(s("a")),
        Some(mv(&["b", "c"])),
        Some(s("d")),
        None,
    ];
    assert_eq!(run(AggFunc::First, &p), Some(s("a")));
    assert_eq!(run(AggFunc::Last, &p), Some(s("d")));
    assert_eq!(run(AggFunc::Last, &[Some(mv(&["b", "c"]))]), Some(s("c")));
    assert_eq!(run(AggFunc::First, &[None]), None);
}

#[test]
fn earliest_latest_by_time() {
    let mut e = Accumulator::new(AggFunc::Earliest);
    let mut l = Accumulator::new(AggFunc::Latest);
    for (v, t) in [("mid", 5.0), ("late", 9.0), ("early", 1.0), ("late2", 9.0)] {
        e.update_at(Some(&s(v)), Some(t));
        l.update_at(Some(&s(v)), Some(t));
    }
    e.update_at(Some(&s("untimed")), None);
    assert_eq!(e.finish(), Some(s("early")));
    assert_eq!(l.finish(), Some(s("late2")), "ties go to the later event");
    assert!(AggFunc::Earliest.needs_time() && !AggFunc::First.needs_time());
}

#[test]
fn median_and_mode() {
    assert_eq!(
        run(AggFunc::Median, &[Some(s("3")), Some(s("1")), Some(s("2"))]),
        num(2.0)
    );
    assert_eq!(
        run(
            AggFunc::Median,
            &[Some(s("4")), Some(s("1")), Some(s("3")), Some(s("2"))]
        ),
        num(3.0)
    );
    assert_eq!(run(AggFunc::Median, &[Some(s("x"))]), None);
    assert_eq!(
        run(
            AggFunc::Mode,
            &[Some(s("a")), Some(s("b")), Some(s("b")), Some(s("a"))]
        ),
        Some(s("a")),
        "tie: first seen"
    );
    assert_eq!(
        run(AggFunc::Mode, &[Some(s("a")), Some(mv(&["b", "b"]))]),
        Some(s("b"))
    );
}

#[test]
fn reset_forgets_everything() {
    let mut acc = Accumulator::new(AggFunc::Sum);
    acc.update(Some(&s("2")));
    acc.reset();
    assert_eq!(acc.finish(), None);
    assert_eq!(acc.func(), AggFunc::Sum);
}

#[test]
fn group_table() {
    // stats values(p) by _time, host over (5,h1,b),(5,h1,a),(5,h1,b),(6,h1,c).
    let events = [
        (5.0, "h1", "b"),
        (5.0, "h1", "a"),
        (5.0, "h1", "b"),
        (6.0, "h1", "c"),
    ];
    let mut t: GroupTable<Accumulator> = GroupTable::new();
    for (time, host, p) in events {
        let time = Value::Num(time);
        let host = s(host);
        let p = s(p);
        for_each_key(&[Some(&time), Some(&host)], |key| {
            t.get_or_insert_with(key, || Accumulator::new(AggFunc::Values))
                .update(Some(&p));
        });
    }
    let rows: Vec<(Vec<String>, Option<Value>)> = t
        .into_sorted_entries()
        .into_iter()
        .map(|(k, a)| (k.parts().to_vec(), a.finish()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                vec!["5".to_string(), "h1".to_string()],
                Some(mv(&["a", "b"]))
            ),
            (vec!["6".to_string(), "h1".to_string()], Some(s("c"))),
        ]
    );
}

#[test]
fn group_keys_numbers_and_text_agree() {
    let mut t: GroupTable<u32> = GroupTable::new();
    *t.get_or_insert_with(&[KeyPart::Num(1700000000.0)], || 0) += 1;
    *t.get_or_insert_with(&[KeyPart::Str("1700000000")], || 0) += 1;
    *t.get_or_insert_with(&[KeyPart::Num(0.5)], || 0) += 1;
    assert_eq!(t.len(), 2);
    assert_eq!(t.get(&[KeyPart::Str("0.5")]), Some(&1));
    assert_eq!(t.get(&[KeyPart::Str("x")]), None);
    // Keys of different arity or order are different groups.
    *t.get_or_insert_with(&[KeyPart::Str("a"), KeyPart::Str("b")], || 0) += 1;
    *t.get_or_insert_with(&[KeyPart::Str("b"), KeyPart::Str("a")], || 0) += 1;
    *t.get_or_insert_with(&[KeyPart::Str("ab")], || 0) += 1;
    assert_eq!(t.len(), 5);
    let order: Vec<String> = t.iter().map(|(k, _)| k.parts().join("|")).collect();
    assert_eq!(
        order,
        ["1700000000", "0.5", "a|b", "b|a", "ab"],
        "first appearance"
    );
}

#[test]
fn owned_keys_find_the_same_groups() {
    let mut t: GroupTable<u32> = GroupTable::new();
    *t.get_or_insert_with(&[KeyPart::Num(5.0), KeyPart::Str("h1")], || 0) += 1;
    let key = GroupKey::from_parts(&[KeyPart::Str("5"), KeyPart::Str("h1")]);
    assert_eq!(key.parts(), ["5", "h1"]);
    assert_eq!(t.get_key(&key), Some(&1));
    *t.get_or_insert_key(&key, || 0) += 1;
    assert_eq!(t.len(), 1);
    *t.get_or_insert_key(&GroupKey::from_parts(&[KeyPart::Str("6")]), || 7) += 1;
    assert_eq!(t.get(&[KeyPart::Num(6.0)]), Some(&8));
    assert_eq!(t.len(), 2);
}

#[test]
fn many_groups() {
    let mut t: GroupTable<usize> = GroupTable::new();
    for i in 0..5000 {
        let k = format!("k{}", i % 1000);
        *t.get_or_insert_with(&[KeyPart::Str(&k)], || 0) += 1;
    }
    assert_eq!(t.len(), 1000);
    assert!(t.iter().all(|(_, n)| *n == 5));
}

#[test]
fn by_fields_missing_and_multivalued() {
    let mut seen = Vec::new();
    let host = s("h1");
    for_each_key(&[Some(&host), None], |k| seen.push(format!("{k:?}")));
    assert!(seen.is_empty(), "an event without a BY field is dropped");
    let users = mv(&["u1", "u2", "u1"]);
    let hosts = mv(&["h1", "h2"]);
    let mut keys = Vec::new();
    for_each_key(&[Some(&users), Some(&hosts)], |k| {
        keys.push(
            k.iter()
                .map(|p| match p {
                    KeyPart::Str(s) => s.to_string(),
                    KeyPart::Num(n) => n.to_string(),
                })
                .collect::<Vec<_>>()
                .join("|"),
        );
    });
    assert_eq!(keys, ["u1|h1", "u1|h2", "u2|h1", "u2|h2"]);
    let mut count = 0;
    for_each_key(&[], |k| {
        assert!(k.is_empty());
        count += 1;
    });
    assert_eq!(count, 1, "no BY fields: one group");
}

#[test]
fn percentiles_keep_their_percentile_through_take_and_reset() {
    // Nearest rank over 15 20 35 40 50: the 30th percentile is rank ceil(1.5) = 2.
    let mut acc = Accumulator::with_percentile(AggFunc::Perc, 30.0);
    for v in ["40", "15", "50", "35", "20"] {
        acc.update(Some(&s(v)));
    }
    assert_eq!(acc.take(), num(20.0));
    for v in ["1", "2", "3", "4"] {
        acc.update(Some(&s(v)));
    }
    assert_eq!(acc.finish(), num(2.0), "rank ceil(1.2) = 2 after take");
    acc.reset();
    acc.update(Some(&s("9")));
    assert_eq!(acc.finish(), num(9.0));
    assert_eq!(run(AggFunc::ExactPerc, &[Some(s("x"))]), None);
}

#[test]
fn time_functions_read_the_event_time() {
    let mut first = Accumulator::new(AggFunc::EarliestTime);
    let mut last = Accumulator::new(AggFunc::LatestTime);
    let mut rate = Accumulator::new(AggFunc::Rate);
    for (v, t) in [("10", 100.0), ("40", 110.0), ("20", 105.0)] {
        first.update_at(Some(&s(v)), Some(t));
        last.update_at(Some(&s(v)), Some(t));
        rate.update_at(Some(&s(v)), Some(t));
    }
    assert_eq!(first.take(), num(100.0));
    assert_eq!(last.finish(), num(110.0));
    assert_eq!(rate.finish(), num(3.0), "(40 - 10) / (110 - 100)");
    assert!(AggFunc::Rate.needs_time() && AggFunc::LatestTime.needs_time());
}

#[test]
fn sums_of_squares_and_estimates() {
    assert_eq!(
        run(AggFunc::Sumsq, &[Some(s("3")), Some(s("x")), Some(s("-4"))]),
        num(25.0)
    );
    assert_eq!(run(AggFunc::Sumsq, &[]), None);
    let values = [Some(s("a")), Some(s("b")), Some(s("a"))];
    assert_eq!(run(AggFunc::Estdc, &values), num(2.0));
    assert_eq!(run(AggFunc::EstdcError, &values), num(0.0));
}
