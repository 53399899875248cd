//! `lookup` and `iplocation`: fields from data outside the event.

use super::{Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::geoip::{GeoFields, GeoIp};
use crate::ir::{InputlookupStage, IplocationStage, LookupStage};
use crate::lookup::{Lookups, Prepared};
use crate::value::Value;

/// Input values combined per row at most: a row whose multivalue inputs make more
/// combinations looks up only the first ones.
const MAX_COMBINATIONS: usize = 1000;

/// `| lookup table in [AS f] ... [OUTPUT|OUTPUTNEW out [AS f] ...]`.
///
/// Each value of a multivalue input is looked up; the output fields get the values of
/// every matching row, in order (a multivalue for several), at most `max_matches` rows
/// per input value. With `OUTPUT` (or no output clause) the output fields are replaced,
/// and removed when nothing matches; with `OUTPUTNEW` a field the row already has keeps
/// its value, and a row that has every output field is left alone. A row without an
/// input field matches nothing. When fewer than `min_matches` rows match, each output
/// field gets `default_match`. A lookup without data passes rows on unchanged.
pub struct Lookup {
    prepared: Option<Prepared>,
    inputs: Vec<FieldId>,
    outputs: Vec<FieldId>,
    new_only: bool,
    key: String,
    found: Vec<Vec<String>>,
}

impl Lookup {
    /// The step of `stage`, with its table from `lookups` (a warning there when it
    /// cannot run).
    pub fn new(stage: &LookupStage, lookups: &Lookups) -> Lookup {
        let inputs: Vec<&str> = stage.inputs.iter().map(|c| c.column.as_str()).collect();
        let outputs: Vec<&str> = stage.outputs.iter().map(|c| c.column.as_str()).collect();
        let prepared = match lookups.prepare(&stage.table, &inputs, &outputs) {
            Ok(p) => Some(p),
            Err(warning) => {
                lookups.warn(warning);
                None
            }
        };
        let output_fields = match &prepared {
            Some(p) if stage.outputs.is_empty() => {
                p.outputs.iter().map(|c| FieldId::intern(c)).collect()
            }
            _ => stage
                .outputs
                .iter()
                .map(|c| FieldId::intern(&c.field))
                .collect(),
        };
        let found = vec![Vec::new(); prepared.as_ref().map_or(0, |p| p.outputs.len())];
        Lookup {
            prepared,
            inputs: stage
                .inputs
                .iter()
                .map(|c| FieldId::intern(&c.field))
                .collect(),
            outputs: output_fields,
            new_only: stage.new_only,
            key: String::new(),
            found,
        }
    }

    /// Look the row's input values up; the number of rows that matched.
    fn find(&mut self, row: &Record) -> usize {
        let Some(prepared) = &self.prepared else {
            return 0;
        };
        let mut values: Vec<Vec<std::borrow::Cow<'_, str>>> = Vec::with_capacity(self.inputs.len());
        for &f in &self.inputs {
            match row.get(f) {
                Some(v) => values.push(v.iter_str().collect()),
                None => return 0,
            }
        }
        let found = &mut self.found;
        let mut hit = |i: usize, cell: &str| {
            if !cell.is_empty() {
                found[i].push(cell.to_owned());
            }
        };
        let mut matched = 0;
        let mut combo: Vec<&str> = Vec::with_capacity(values.len());
        let total: usize = values.iter().map(Vec::len).product();
        for n in 0..total.min(MAX_COMBINATIONS) {
            combo.clear();
            let mut rest = n;
            for vs in &values {
                combo.push(&vs[rest % vs.len()]);
                rest /= vs.len();
            }
            matched += prepared.finder.find(&combo, &mut self.key, &mut hit);
        }
        matched
    }
}

impl Step for Lookup {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        if self.prepared.is_none()
            || (self.new_only && self.outputs.iter().all(|&f| row.get(f).is_some()))
        {
            out.push(row);
            return;
        }
        let matched = self.find(&row);
        let default = self
            .prepared
            .as_ref()
            .and_then(|p| p.default.as_ref())
            .filter(|(min, _)| matched < *min)
            .map(|(_, d)| d.clone());
        for (&field, found) in self.outputs.iter().zip(&mut self.found) {
            let values = std::mem::take(found);
            if self.new_only && row.get(field).is_some() {
                continue;
            }
            match Value::from_strings(values) {
                Some(v) => row.set(field, v),
                None => match &default {
                    Some(d) => row.set(field, Value::Str(d.clone())),
                    None => {
                        row.remove(field);
                    }
                },
            }
        }
        out.push(row);
    }
}

/// `| iplocation [prefix=..] [allfields=..] [lang=..] field`: the location of the
/// address in the field (its first value), from the GeoIP database of the run's lookups
/// (see [`GeoIp::locate`] for which fields, and when). Without a database, rows pass
/// unchanged (with a warning).
pub struct Iplocation {
    field: FieldId,
    fields: GeoFields,
    /// The ids of `fields`' names, in the order `locate` gives them.
    ids: Vec<FieldId>,
    geoip: Option<GeoIp>,
    /// The fields found for the current row (room kept between rows).
    found: Vec<(FieldId, String)>,
}

impl Iplocation {
    /// The step of `stage`, locating with the database of `lookups`.
    pub fn new(stage: &IplocationStage, lookups: &Lookups) -> Iplocation {
        let geoip = lookups.geoip().cloned();
        if geoip.is_none() {
            lookups.warn(
                "iplocation: no GeoIP database given (`--geoip FILE`); its location fields stay absent"
                    .to_owned(),
            );
        }
        let fields = GeoFields::new(&stage.prefix, stage.allfields, &stage.lang);
        Iplocation {
            field: FieldId::intern(&stage.field),
            ids: fields.names().map(FieldId::intern).collect(),
            fields,
            geoip,
            found: Vec::new(),
        }
    }
}

impl Step for Iplocation {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        if let (Some(geoip), Some(value)) = (&self.geoip, row.get(self.field)) {
            let (ids, found) = (&self.ids, &mut self.found);
            let mut next = ids.iter();
            geoip.locate(&self.fields, &value.first_str(), &mut |name, value| {
                let field = next
                    .next()
                    .copied()
                    .unwrap_or_else(|| FieldId::intern(name));
                found.push((field, value));
            });
        }
        for (field, value) in self.found.drain(..) {
            row.set(field, Value::Str(value));
        }
        out.push(row);
    }
}

/// `inputlookup [append=t] [start=N] [max=N] table`: the rows pass, then, at the end of
/// the input, each row of the table (from `start`, at most `max`) as a row of its
/// columns; an empty cell is an absent field. A table that cannot be read gives no rows
/// and a warning (in `Lookups::warnings`).
pub struct Inputlookup {
    table: Option<std::sync::Arc<crate::lookup::Table>>,
    start: usize,
    max: usize,
}

impl Inputlookup {
    /// The step of `stage`, with its table from `lookups`.
    pub fn new(stage: InputlookupStage, lookups: &Lookups) -> Inputlookup {
        let table = match lookups.table(&stage.table) {
            Ok(t) => Some(t),
            Err(warning) => {
                lookups.warn(warning);
                None
            }
        };
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        Inputlookup {
            table,
            start: size(stage.start),
            max: stage.max.map_or(usize::MAX, size),
        }
    }
}

impl Step for Inputlookup {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        out.push(row);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let Some(table) = &self.table else {
            return Ok(());
        };
        let columns: Vec<FieldId> = table.columns().iter().map(|c| FieldId::intern(c)).collect();
        for cells in table.rows().iter().skip(self.start).take(self.max) {
            let mut row = Record::with_capacity(columns.len());
            for (id, cell) in columns.iter().zip(cells) {
                if !cell.is_empty() {
                    row.set(*id, Value::Str(cell.clone()));
                }
            }
            out(row);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::LookupColumn;
    use crate::lookup::{MatchRules, Table};
    use crate::pipeline::testing::{rec, run};

    fn table(csv: &str, rules: MatchRules) -> Table {
        Table::from_csv(csv.as_bytes(), rules, "test").expect("a table")
    }

    fn stage(
        table: &str,
        inputs: &[(&str, &str)],
        outputs: &[(&str, &str)],
        new_only: bool,
    ) -> LookupStage {
        let cols = |items: &[(&str, &str)]| {
            items
                .iter()
                .map(|(c, f)| LookupColumn::new(*c, *f))
                .collect()
        };
        LookupStage {
            table: table.to_owned(),
            inputs: cols(inputs),
            outputs: cols(outputs),
            new_only,
        }
    }

    fn get(row: &Record, name: &str) -> Option<Value> {
        row.get_named(name).cloned()
    }

    const USERS: &str = "user,team,floor\nalice,red,3\nbob,blue,\nAlice,green,1\n";

    fn users(rules: MatchRules) -> Lookups {
        Lookups::builder()
            .table("users", table(USERS, rules))
            .build()
    }

    #[test]
    fn output_sets_the_named_columns_from_the_matching_row() {
        let lookups = users(MatchRules::default());
        let mut step = Lookup::new(
            &stage("users", &[("user", "u")], &[("team", "t")], false),
            &lookups,
        );
        let rows = run(
            &mut step,
            vec![rec(&[("u", "alice")]), rec(&[("u", "carol"), ("t", "old")])],
        );
        assert_eq!(get(&rows[0], "t"), Some(Value::from("red")));
        assert_eq!(get(&rows[0], "floor"), None, "only the named output");
        // OUTPUT replaces: no match leaves the field absent.
        assert_eq!(get(&rows[1], "t"), None);
        assert!(lookups.warnings().is_empty());
    }

    #[test]
    fn no_output_clause_gives_every_other_column_and_empty_cells_give_nothing() {
        let lookups = users(MatchRules::default());
        let mut step = Lookup::new(&stage("users", &[("user", "user")], &[], false), &lookups);
        let rows = run(&mut step, vec![rec(&[("user", "bob"), ("floor", "9")])]);
        assert_eq!(get(&rows[0], "team"), Some(Value::from("blue")));
        assert_eq!(get(&rows[0], "floor"), None, "an empty cell is no value");
    }

    #[test]
    fn values_compare_case_unless_the_table_says_otherwise() {
        let sensitive = users(MatchRules::default());
        let mut step = Lookup::new(
            &stage("users", &[("user", "user")], &[("team", "team")], false),
            &sensitive,
        );
        let rows = run(
            &mut step,
            vec![rec(&[("user", "ALICE")]), rec(&[("user", "Alice")])],
        );
        assert_eq!(get(&rows[0], "team"), None);
        assert_eq!(get(&rows[1], "team"), Some(Value::from("green")));
        let insensitive = users(MatchRules {
            case_sensitive: false,
            ..MatchRules::default()
        });
        let mut step = Lookup::new(
            &stage("users", &[("user", "user")], &[("team", "team")], false),
            &insensitive,
        );
        let rows = run(&mut step, vec![rec(&[("user", "ALICE")])]);
        assert_eq!(
            get(&rows[0], "team"),
            Some(Value::Multi(vec!["red".into(), "green".into()])),
            "both rows, in file order"
        );
    }

    #[test]
    fn max_matches_keeps_the_first_rows_and_min_matches_gives_the_default() {
        let rules = MatchRules {
            case_sensitive: false,
            max_matches: 1,
            min_matches: 1,
            default_match: Some("none".into()),
            ..MatchRules::default()
        };
        let lookups = users(rules);
        let mut step = Lookup::new(
            &stage("users", &[("user", "user")], &[("team", "team")], false),
            &lookups,
        );
        let rows = run(
            &mut step,
            vec![rec(&[("user", "ALICE")]), rec(&[("user", "zed")]), rec(&[])],
        );
        assert_eq!(get(&rows[0], "team"), Some(Value::from("red")));
        assert_eq!(get(&rows[1], "team"), Some(Value::from("none")));
        assert_eq!(
            get(&rows[2], "team"),
            Some(Value::from("none")),
            "no input, no match"
        );
    }

    #[test]
    fn outputnew_keeps_fields_the_row_has() {
        let lookups = users(MatchRules::default());
        let st = stage(
            "users",
            &[("user", "user")],
            &[("team", "team"), ("floor", "floor")],
            true,
        );
        let mut step = Lookup::new(&st, &lookups);
        let rows = run(
            &mut step,
            vec![
                rec(&[("user", "alice"), ("team", "mine")]),
                rec(&[("user", "carol"), ("team", "kept")]),
            ],
        );
        assert_eq!(get(&rows[0], "team"), Some(Value::from("mine")));
        assert_eq!(get(&rows[0], "floor"), Some(Value::from("3")));
        assert_eq!(
            get(&rows[1], "team"),
            Some(Value::from("kept")),
            "not removed"
        );
    }

    #[test]
    fn each_value_of_a_multivalue_input_is_looked_up() {
        let lookups = users(MatchRules::default());
        let mut step = Lookup::new(
            &stage("users", &[("user", "user")], &[("team", "team")], false),
            &lookups,
        );
        let rows = run(
            &mut step,
            vec![rec(&[
                ("user", "bob"),
                ("user", "nobody"),
                ("user", "alice"),
            ])],
        );
        assert_eq!(
            get(&rows[0], "team"),
            Some(Value::Multi(vec!["blue".into(), "red".into()]))
        );
    }

    #[test]
    fn several_inputs_must_all_match_and_the_empty_string_is_a_value() {
        let t = table("a,b,out\nx,,empty b\nx,y,both\n", MatchRules::default());
        let lookups = Lookups::builder().table("t", t).build();
        let st = stage("t", &[("a", "a"), ("b", "b")], &[("out", "out")], false);
        let mut step = Lookup::new(&st, &lookups);
        let rows = run(
            &mut step,
            vec![
                rec(&[("a", "x"), ("b", "y")]),
                rec(&[("a", "x"), ("b", "")]),
                rec(&[("a", "x")]),
            ],
        );
        assert_eq!(get(&rows[0], "out"), Some(Value::from("both")));
        assert_eq!(get(&rows[1], "out"), Some(Value::from("empty b")));
        assert_eq!(get(&rows[2], "out"), None);
    }

    #[test]
    fn wildcard_and_cidr_columns() {
        let rules = MatchRules {
            case_sensitive: false,
            wildcard: vec!["host".into()],
            cidr: vec!["net".into()],
            ..MatchRules::default()
        };
        let t = table("host,role\n*-dc*,controller\nweb*,server\n", rules.clone());
        let nets = table(
            "net,zone\n10.0.0.0/8,inside\n2001:db8::/32,lab\n192.168.1.7,one\n",
            rules,
        );
        let lookups = Lookups::builder()
            .table("hosts", t)
            .table("nets", nets)
            .build();
        let mut step = Lookup::new(
            &stage("hosts", &[("host", "host")], &[("role", "role")], false),
            &lookups,
        );
        let rows = run(
            &mut step,
            vec![rec(&[("host", "CORP-DC01")]), rec(&[("host", "db1")])],
        );
        assert_eq!(get(&rows[0], "role"), Some(Value::from("controller")));
        assert_eq!(get(&rows[1], "role"), None);
        let mut step = Lookup::new(
            &stage("nets", &[("net", "ip")], &[("zone", "zone")], false),
            &lookups,
        );
        let rows = run(
            &mut step,
            vec![
                rec(&[("ip", "10.1.2.3")]),
                rec(&[("ip", "2001:db8::1")]),
                rec(&[("ip", "192.168.1.7")]),
                rec(&[("ip", "192.168.1.8")]),
                rec(&[("ip", "not an address")]),
            ],
        );
        let zones: Vec<_> = rows.iter().map(|r| get(r, "zone")).collect();
        assert_eq!(
            zones,
            [Some("inside"), Some("lab"), Some("one"), None, None].map(|z| z.map(Value::from))
        );
    }

    #[test]
    fn a_missing_lookup_passes_rows_and_warns_once() {
        let lookups = Lookups::none();
        let st = stage("nowhere", &[("user", "user")], &[("team", "team")], false);
        let mut a = Lookup::new(&st, &lookups);
        let _b = Lookup::new(&st, &lookups);
        let rows = run(&mut a, vec![rec(&[("user", "alice"), ("team", "kept")])]);
        assert_eq!(get(&rows[0], "team"), Some(Value::from("kept")));
        let w = lookups.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("`nowhere`"), "{w:?}");
    }

    #[test]
    fn an_unknown_column_warns_and_passes_rows() {
        let lookups = users(MatchRules::default());
        let mut step = Lookup::new(&stage("users", &[("login", "user")], &[], false), &lookups);
        let rows = run(&mut step, vec![rec(&[("user", "alice")])]);
        assert_eq!(rows[0].len(), 1);
        let w = lookups.warnings();
        assert!(w[0].contains("no column `login`"), "{w:?}");
    }

    #[test]
    fn dnslookup_answers_from_a_resolver_both_ways() {
        let t = table(
            "clienthost,clientip\nhost1.example.com,10.0.0.1\n",
            MatchRules::default(),
        );
        let resolver = crate::lookup::TableResolver::new(&t).expect("columns");
        let lookups = Lookups::builder()
            .resolver(std::sync::Arc::new(resolver))
            .build();
        let by_ip = stage(
            "dnslookup",
            &[("clientip", "src_ip")],
            &[("clienthost", "src_dns")],
            false,
        );
        let mut step = Lookup::new(&by_ip, &lookups);
        let rows = run(
            &mut step,
            vec![
                rec(&[("src_ip", "10.0.0.1")]),
                rec(&[("src_ip", "10.0.0.2")]),
            ],
        );
        assert_eq!(
            get(&rows[0], "src_dns"),
            Some(Value::from("host1.example.com"))
        );
        assert_eq!(get(&rows[1], "src_dns"), None);
        // No output clause: every column but the input, under its own name.
        let mut step = Lookup::new(
            &stage("dnslookup", &[("clienthost", "h")], &[], false),
            &lookups,
        );
        let rows = run(&mut step, vec![rec(&[("h", "HOST1.example.com")])]);
        assert_eq!(get(&rows[0], "clientip"), Some(Value::from("10.0.0.1")));
    }

    #[test]
    fn ut_shannon_lookup_gives_the_entropy_of_a_word() {
        let lookups = Lookups::none();
        let st = stage("ut_shannon_lookup", &[("word", "q")], &[], false);
        let mut step = Lookup::new(&st, &lookups);
        let rows = run(&mut step, vec![rec(&[("q", "aabb")]), rec(&[("q", "")])]);
        assert_eq!(get(&rows[0], "ut_shannon"), Some(Value::from("1")));
        assert_eq!(get(&rows[1], "ut_shannon"), Some(Value::from("0")));
        assert!(lookups.warnings().is_empty());
    }

    fn database() -> GeoIp {
        let mut w = crate::geoip::DatabaseWriter::new();
        w.insert(
            "81.2.69.0/24",
            crate::geoip::CityRecord::default()
                .city("en", "London")
                .country("GB", "en", "United Kingdom")
                .time_zone("Europe/London"),
        )
        .expect("a network");
        GeoIp::from_bytes(w.to_bytes().expect("a database")).expect("reads back")
    }

    #[test]
    fn iplocation_sets_prefixed_fields_from_the_database() {
        let lookups = Lookups::builder().geoip(database()).build();
        let st = IplocationStage {
            field: "src_ip".into(),
            prefix: "src_".into(),
            allfields: true,
            lang: "en".into(),
        };
        let mut step = Iplocation::new(&st, &lookups);
        let rows = run(
            &mut step,
            vec![
                rec(&[("src_ip", "81.2.69.160")]),
                rec(&[("src_ip", "10.0.0.1")]),
                rec(&[]),
            ],
        );
        assert_eq!(get(&rows[0], "src_City"), Some(Value::from("London")));
        assert_eq!(
            get(&rows[0], "src_Country"),
            Some(Value::from("United Kingdom"))
        );
        assert_eq!(
            get(&rows[0], "src_Timezone"),
            Some(Value::from("Europe/London"))
        );
        assert_eq!(
            get(&rows[0], "src_Region"),
            Some(Value::from("")),
            "found, but not known"
        );
        assert_eq!(get(&rows[0], "City"), None);
        assert_eq!(
            rows[1].len(),
            1,
            "an address not in the database adds nothing"
        );
        assert_eq!(rows[2].len(), 0);
        assert!(lookups.warnings().is_empty());
    }

    #[test]
    fn iplocation_without_a_database_warns_and_passes_rows() {
        let lookups = Lookups::none();
        let st = IplocationStage {
            field: "ip".into(),
            prefix: String::new(),
            allfields: false,
            lang: "en".into(),
        };
        let mut step = Iplocation::new(&st, &lookups);
        let rows = run(&mut step, vec![rec(&[("ip", "81.2.69.160")])]);
        assert_eq!(rows[0].len(), 1);
        assert_eq!(lookups.warnings().len(), 1);
    }
}
