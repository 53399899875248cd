//! Events of very many fields: time linear in their number, and the bound on the
//! process-wide table of field names.
//!
//! These tests add hundreds of thousands of names to the table that every reader in the
//! process shares, so they run in a process of their own (this file); each either raises
//! `max_field_names` or depends on nothing the others add. `scaled_up` (ignored) prints
//! timings at the sizes the defects were found with:
//! `cargo test --release -p spl-runtime --test wide_events -- --ignored --nocapture`.

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{
    EventError, InputFormat, Limit, Limits, ReadError, ReadEvent, ReadOptions, ReadStats, Reader,
};
use spl_runtime::{Event, FieldId, Record, Value};

/// Limits that never refuse a name.
fn roomy() -> Limits {
    Limits {
        max_field_names: usize::MAX,
        ..Limits::default()
    }
}

fn read(input: &[u8], format: InputFormat, limits: Limits) -> Vec<Result<ReadEvent, ReadError>> {
    let options = ReadOptions {
        aliases: AliasMap::none(),
        limits,
        ..ReadOptions::default()
    };
    Reader::new(input, format, options).collect()
}

fn stats(items: &[Result<ReadEvent, ReadError>]) -> ReadStats {
    let mut stats = ReadStats::default();
    items.iter().for_each(|i| stats.count(i));
    stats
}

fn get<'r>(event: &'r ReadEvent, name: &str) -> Option<&'r Value> {
    event.record.get_named(name)
}

// 3. Time per event was quadratic in its number of distinct fields.

#[test]
fn an_event_of_many_distinct_fields_reads_in_linear_time() {
    // 200,000 distinct keys: a linear field lookup per insert made that 2 * 10^10
    // comparisons.
    let n = 200_000;
    let keys: Vec<String> = (0..n).map(|i| format!("\"wide{i}\":{i}")).collect();
    let line = format!("{{{}}}\n", keys.join(","));
    // The keys and `_raw`.
    let limits = Limits {
        max_fields: n + 1,
        max_values: n + 1,
        ..roomy()
    };
    let got = read(line.as_bytes(), InputFormat::JsonLines, limits);
    let event = got[0].as_ref().expect("within the raised limits");
    assert_eq!(event.record.len(), n + 1);
    assert_eq!(get(event, "wide123456"), Some(&Value::Str("123456".into())));
    // One more field than allowed is a skip.
    let limits = Limits {
        max_fields: n,
        ..limits
    };
    let got = read(line.as_bytes(), InputFormat::JsonLines, limits);
    assert!(
        matches!(
            &got[0],
            Err(ReadError::Event { reason: EventError::OverLimit { limit: Limit::Fields, max }, .. }) if *max == n
        ),
        "{:?}",
        got[0].as_ref().err()
    );
}

#[test]
fn a_record_of_many_fields_stays_consistent_as_it_changes() {
    let n = 100_000;
    let ids: Vec<FieldId> = (0..n)
        .map(|i| FieldId::intern(&format!("rec{i}")))
        .collect();
    let mut record = Record::new();
    for (i, id) in ids.iter().enumerate() {
        record.push(*id, i.to_string());
    }
    record.set_raw("text");
    for (i, id) in ids.iter().enumerate().step_by(997) {
        assert_eq!(record.get(*id), Some(&Value::Str(i.to_string())));
    }
    record.push(ids[5], "again".into());
    assert_eq!(
        record.get(ids[5]),
        Some(&Value::Multi(vec!["5".into(), "again".into()]))
    );
    assert_eq!(record.remove(ids[0]), Some(Value::Str("0".into())));
    assert_eq!(record.get(ids[0]), None);
    assert_eq!(record.get(ids[1]), Some(&Value::Str("1".into())));
    assert_eq!(record.raw(), "text");
    record.retain(|f, _| f == FieldId::RAW || f.index() % 2 == 0);
    for id in &ids[1..] {
        let want = (id.index() % 2 == 0).then_some(*id);
        assert_eq!(record.get(*id).map(|_| *id), want);
    }
    let mut even = ids[1..].iter().copied().filter(|id| id.index() % 2 == 0);
    let (kept, gone) = (even.next().expect("even ids"), even.next().expect("two"));
    record.retain(|f, _| f == FieldId::RAW || f == kept);
    assert_eq!(record.len(), 2);
    assert!(record.get(kept).is_some());
    assert_eq!(record.get(gone), None);
}

#[test]
fn an_xml_element_of_many_attributes_is_a_skip_not_a_long_parse() {
    let attributes: String = (0..200_000).map(|i| format!(" x{i}='{i}'")).collect();
    let xml = format!("<Event><System><Execution{attributes}/></System></Event>\n<Event/>\n");
    let got = read(xml.as_bytes(), InputFormat::WinEventXml, roomy());
    assert_eq!((stats(&got).events, stats(&got).skipped), (1, 1));
    let max = Limits::default().max_attributes;
    assert!(
        matches!(
            &got[0],
            Err(ReadError::Event { reason: EventError::OverLimit { limit: Limit::Attributes, max: m }, .. }) if *m == max
        ),
        "{:?}",
        got[0].as_ref().err()
    );
}

#[test]
fn new_names_past_a_full_table_are_left_out_and_reported() {
    // A table full for this reader: no name it has not met is added (whatever the other
    // tests of this process added), names already there (as a rule's) still are stored.
    let limits = Limits {
        max_field_names: 0,
        ..Limits::default()
    };
    let known = FieldId::intern("known_to_the_rule");
    let input: String = (0..1_000)
        .map(|i| format!("{{\"known_to_the_rule\":\"k{i}\",\"unique_key_{i}\":\"v\"}}\n"))
        .collect();
    let got = read(input.as_bytes(), InputFormat::JsonLines, limits);
    assert_eq!(stats(&got).events, 1_000);
    assert_eq!(stats(&got).fields_dropped, 1_000);
    for (i, item) in got.iter().enumerate() {
        let event = item.as_ref().expect("kept");
        assert_eq!(event.record.get(known), Some(&Value::Str(format!("k{i}"))));
        let dropped = event.dropped.expect("reported");
        assert_eq!(
            (dropped.count, dropped.limit, dropped.max),
            (1, Limit::FieldNames, 0)
        );
        assert!(event.record.raw().contains(&format!("unique_key_{i}\"")));
    }
    assert_eq!(FieldId::lookup("unique_key_7"), None);
}

/// The sizes the defects were found with; prints timings (run with `--release`).
#[test]
#[ignore = "measurements at full size; run with --release -- --ignored --nocapture"]
fn scaled_up() {
    use std::time::Instant;
    let time = |label: &str, input: &[u8], format: InputFormat, limits: Limits| {
        let start = Instant::now();
        let got = read(input, format, limits);
        let s = stats(&got);
        println!(
            "{label}: {:.3} s ({} events, {} skipped)",
            start.elapsed().as_secs_f64(),
            s.events,
            s.skipped
        );
    };
    let depth = 10_000;
    let deep = format!(
        "{}\"{}\"{}\n",
        "{\"a\":".repeat(depth),
        "x".repeat(10_000_000),
        "}".repeat(depth)
    );
    let raised = Limits {
        max_depth: depth,
        max_fields: 2_000_000,
        max_values: 2_000_000,
        max_field_name_bytes: 2 * depth,
        ..roomy()
    };
    time(
        "depth 10,000 with a 10 MB value",
        deep.as_bytes(),
        InputFormat::JsonLines,
        raised,
    );
    let keys: Vec<String> = (0..1_000_000).map(|i| format!("\"big{i}\":{i}")).collect();
    let wide = format!("{{{}}}\n", keys.join(","));
    time(
        "1M distinct keys",
        wide.as_bytes(),
        InputFormat::JsonLines,
        raised,
    );
    let attributes: String = (0..200_000).map(|i| format!(" a{i}='{i}'")).collect();
    let xml = format!("<Event><System><Execution{attributes}/></System></Event>\n");
    // Skipped at `max_attributes`: the XML parser checks each attribute of an element
    // against the others, so raising that limit this far would take its quadratic time.
    time(
        "200k attributes on one element",
        xml.as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
    );
    let xml = format!(
        "<Event><System><Execution a='{}'/></System></Event>\n",
        "x".repeat(50_000_000)
    );
    time(
        "50 MB attribute",
        xml.as_bytes(),
        InputFormat::WinEventXml,
        Limits::default(),
    );
    let unique: String = (0..4_000_000)
        .map(|i| format!("{{\"k{i}\":\"v\"}}\n"))
        .collect();
    time(
        "4M events with a unique key each",
        unique.as_bytes(),
        InputFormat::JsonLines,
        Limits::default(),
    );
}
