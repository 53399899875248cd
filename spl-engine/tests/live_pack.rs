//! A live pack replaced again and again while threads feed it: every event goes through
//! exactly one pack, once, and every pack's held rows come out.

use std::collections::BTreeMap;
use std::sync::Mutex;

use spl_engine::pack::{LivePack, Pack, Row};
use spl_runtime::{Record, Value};

fn pack() -> Pack {
    Pack::builder()
        .spl("each", "seq=* | table seq")
        .spl("counts", "seq=* | stats count, dc(seq) as distinct")
        .build()
        .expect("the rules compile")
}

fn event(seq: u64) -> Record {
    let mut e = Record::new();
    e.set_raw(format!("seq={seq}"));
    e.set_named("seq", seq.to_string());
    e
}

fn number(row: &Row, field: &str) -> u64 {
    match row.record.get_named(field) {
        Some(Value::Num(n)) => *n as u64,
        Some(Value::Str(s)) => s.parse().expect("a number"),
        other => panic!("{field}: {other:?}"),
    }
}

#[test]
fn events_are_neither_lost_nor_seen_twice_across_replacements() {
    const FEEDERS: u64 = 3;
    const EVENTS: u64 = 3000;
    const REPLACEMENTS: usize = 40;
    let live = LivePack::new(pack());
    let rows: Mutex<Vec<Row>> = Mutex::new(Vec::new());
    let collect = |row: Row| rows.lock().expect("rows").push(row);
    std::thread::scope(|scope| {
        for t in 0..FEEDERS {
            let live = &live;
            let mut collect = collect;
            scope.spawn(move || {
                for i in 0..EVENTS {
                    live.push(event(t * 1_000_000 + i), &mut collect);
                }
            });
        }
        let live = &live;
        let mut collect = collect;
        scope.spawn(move || {
            for _ in 0..REPLACEMENTS {
                let next = pack();
                live.replace(next, &mut collect)
                    .expect("the old pack finishes");
                std::thread::yield_now();
            }
        });
    });
    let mut collect = collect;
    live.finish(&mut collect).expect("the last pack finishes");
    let rows = rows.into_inner().expect("rows");
    // The streaming rule: one row per event, whichever pack ran it.
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.rule.name == "each") {
        *seen.entry(number(row, "seq")).or_default() += 1;
    }
    assert_eq!(seen.len() as u64, FEEDERS * EVENTS, "every event once");
    assert!(seen.values().all(|&n| n == 1), "no event twice");
    // The transforming rule: one row per pack (the first and each replacement), whose
    // counts add up to the events, each event counted by one pack only.
    let counts: Vec<&Row> = rows.iter().filter(|r| r.rule.name == "counts").collect();
    assert_eq!(counts.len(), REPLACEMENTS + 1);
    let total: u64 = counts.iter().map(|r| number(r, "count")).sum();
    let distinct: u64 = counts.iter().map(|r| number(r, "distinct")).sum();
    assert_eq!(total, FEEDERS * EVENTS);
    assert_eq!(distinct, FEEDERS * EVENTS);
}

#[test]
fn a_replaced_pack_gives_its_held_rows_before_the_new_one_sees_an_event() {
    let live = LivePack::new(pack());
    let mut rows: Vec<Row> = Vec::new();
    live.push(event(1), &mut |r| rows.push(r));
    live.push(event(2), &mut |r| rows.push(r));
    live.replace(pack(), &mut |r| rows.push(r))
        .expect("finishes");
    live.push(event(3), &mut |r| rows.push(r));
    live.finish(&mut |r| rows.push(r)).expect("finishes");
    let shown: Vec<String> = rows
        .iter()
        .map(|r| match &*r.rule.name {
            "each" => format!("each {}", number(r, "seq")),
            _ => format!("counts {}", number(r, "count")),
        })
        .collect();
    assert_eq!(
        shown,
        ["each 1", "each 2", "counts 2", "each 3", "counts 1"]
    );
}
