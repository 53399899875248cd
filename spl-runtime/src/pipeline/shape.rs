//! Stages that reshape rows: `table`, `fields`, `rename`, `fillnull`, `bin`.

use super::{FieldGlob, PerField, RunOptions, Step, StepError};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{BinSpan, FieldPattern};
use crate::time::{civil_from_days, days_from_civil};
use crate::value::Value;

/// `table f1, f2*, ...`: keep only the listed fields, in the listed order (fields matching
/// one wildcard keep their order in the row). `_raw` goes unless listed; a listed field
/// that is missing stays missing.
///
/// A field goes to the first item that lists it (by name or pattern), so the output is the
/// row's listed fields sorted (stably) by that item's place in the list; which item that is
/// is decided once per field id.
pub struct Table {
    items: Vec<Item>,
    /// Per field: the index of the first item that lists it, or `None` when none does.
    places: PerField<Option<u32>>,
}

enum Item {
    Exact(FieldId),
    Glob(FieldGlob),
}

impl Item {
    fn new(pattern: &str) -> Item {
        let glob = FieldGlob::new(pattern);
        match glob.literal() {
            Some(name) => Item::Exact(FieldId::intern(name)),
            None => Item::Glob(glob),
        }
    }

    fn matches(&self, id: FieldId) -> bool {
        match self {
            Item::Exact(f) => *f == id,
            Item::Glob(g) => g.matches(id.name()),
        }
    }
}

/// The index of the first of `items` that lists `id`.
fn first_listing(items: &[Item], id: FieldId) -> Option<u32> {
    let i = items.iter().position(|item| item.matches(id))?;
    Some(u32::try_from(i).unwrap_or(u32::MAX))
}

impl Table {
    /// A table of these field patterns.
    pub fn new(patterns: &[FieldPattern]) -> Self {
        Table {
            items: patterns.iter().map(|p| Item::new(p.as_str())).collect(),
            places: PerField::default(),
        }
    }
}

impl Step for Table {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        let Table { items, places } = self;
        let mut fields = row.into_fields();
        fields.retain(|(f, _)| places.get_or(*f, |f| first_listing(items, f)).is_some());
        // Every field left has its place decided.
        let place = |f: FieldId| places.get(f).flatten().unwrap_or(u32::MAX);
        if !fields.windows(2).all(|w| place(w[0].0) <= place(w[1].0)) {
            fields.sort_by_key(|(f, _)| place(*f));
        }
        out.push(Record::from_fields(fields));
    }
}

/// `fields [+] list` keeps the listed fields (and `_raw`, `_time` unless removed
/// explicitly); `fields - list` removes them.
pub struct Fields {
    remove: bool,
    items: Vec<Item>,
    /// Per field: whether an item lists it.
    listed: PerField<bool>,
}

impl Fields {
    /// Keep (`remove == false`) or remove the fields matching `patterns`.
    pub fn new(remove: bool, patterns: &[FieldPattern]) -> Self {
        Fields {
            remove,
            items: patterns.iter().map(|p| Item::new(p.as_str())).collect(),
            listed: PerField::default(),
        }
    }
}

impl Step for Fields {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let Fields {
            remove,
            items,
            listed,
        } = self;
        let mut listed = |f: FieldId| listed.get_or(f, |f| items.iter().any(|i| i.matches(f)));
        if *remove {
            row.retain(|f, _| !listed(f));
        } else {
            row.retain(|f, _| listed(f) || f == FieldId::RAW || f == FieldId::TIME);
        }
        out.push(row);
    }
}

/// `rename a AS b, x* AS y*`: move values to new names, overwriting; a missing source does
/// nothing.
pub struct Rename {
    /// Each (from, to) pair, with per field the new name it gives (`None`: no match).
    pairs: Vec<(FieldGlob, FieldGlob, PerField<Option<FieldId>>)>,
    /// The moves of one pair over one row (kept to reuse its buffer).
    moves: Vec<(FieldId, FieldId)>,
}

impl Rename {
    /// Rename by these (from, to) patterns, applied in order.
    pub fn new(pairs: &[(FieldPattern, FieldPattern)]) -> Self {
        Rename {
            pairs: pairs
                .iter()
                .map(|(a, b)| {
                    (
                        FieldGlob::new(a.as_str()),
                        FieldGlob::new(b.as_str()),
                        PerField::default(),
                    )
                })
                .collect(),
            moves: Vec::new(),
        }
    }
}

impl Step for Rename {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        for (from, to, targets) in &mut self.pairs {
            self.moves.clear();
            for (f, _) in row.iter() {
                let target = targets.get_or(f, |f| {
                    from.captures(f.name())
                        .map(|caps| FieldId::intern(&to.substitute(&caps)))
                });
                if let Some(new) = target {
                    self.moves.push((f, new));
                }
            }
            for &(f, new) in &self.moves {
                if let Some(v) = row.remove(f) {
                    row.set(new, v);
                }
            }
        }
        out.push(row);
    }
}

/// `fillnull [value=v] [fields]`: give missing fields the value. With no field list, the
/// fields are every field seen in any row, so the stage holds rows until the end.
pub struct Fillnull {
    value: String,
    fields: Vec<FieldId>,
    held: Vec<Record>,
}

impl Fillnull {
    /// Fill `fields` (or, when empty, every field of any row) with `value`.
    pub fn new<S: AsRef<str>>(value: &str, fields: &[S]) -> Self {
        Fillnull {
            value: value.to_owned(),
            fields: fields.iter().map(|f| FieldId::intern(f.as_ref())).collect(),
            held: Vec::new(),
        }
    }
}

impl Step for Fillnull {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        if self.fields.is_empty() {
            self.held.push(row);
            return;
        }
        for f in &self.fields {
            if row.get(*f).is_none() {
                row.set(*f, Value::Str(self.value.clone()));
            }
        }
        out.push(row);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let mut all: Vec<FieldId> = Vec::new();
        for row in &self.held {
            for (f, _) in row.iter() {
                if !all.contains(&f) {
                    all.push(f);
                }
            }
        }
        for mut row in self.held.drain(..) {
            for f in &all {
                if row.get(*f).is_none() {
                    row.set(*f, Value::Str(self.value.clone()));
                }
            }
            out(row);
        }
        Ok(())
    }
}

/// `bin span=S field [AS out]`: round numeric values down to a multiple of the span
/// (aligned to 0, so time bins align to the epoch in UTC). Non-numeric values pass as is.
pub struct Bin {
    field: FieldId,
    output: FieldId,
    span: BinSpan,
}

impl Bin {
    /// Bin `field` into `output` by `span`.
    pub fn new(field: &str, output: &str, span: BinSpan) -> Self {
        Bin {
            field: FieldId::intern(field),
            output: FieldId::intern(output),
            span,
        }
    }

    /// The bin of one number.
    pub fn floor(&self, x: f64) -> f64 {
        if !x.is_finite() {
            return x;
        }
        match self.span {
            BinSpan::Seconds(s) if s >= 1.0 && s.fract() == 0.0 => (x / s).floor() * s,
            BinSpan::Seconds(s) => {
                // Sub-second and fractional spans: a quotient a hair below a whole number
                // is float noise at the edge of a bin, not the bin before it.
                let k = x / s;
                let r = k.round();
                let k = if (k - r).abs() < 1e-6 { r } else { k.floor() };
                k * s
            }
            BinSpan::Months(m) => month_floor(x, m),
        }
    }
}

impl Bin {
    /// The start of the bin after the one starting at `start`.
    pub fn next(&self, start: f64) -> f64 {
        match self.span {
            BinSpan::Seconds(s) => self.floor(start + s),
            // Every run of `m` months is at most `31 m` days and over `29 m` days long, so
            // `31 m` days on lands inside the next bin.
            BinSpan::Months(m) => month_floor(start + f64::from(m.max(1)) * 31.0 * 86_400.0, m),
        }
    }
}

/// The most rows [`Timefill`] adds for empty bins; past it, it adds none and warns.
pub const TIMEFILL_LIMIT: usize = 1_000_000;

/// `timechart`'s continuous time axis (`cont=true`, its default): the rows in `_time`
/// order, and between the first and the last bin a row for each empty bin, with `_time`
/// and the `zero` fields (counts) 0. Rows without a numeric `_time` follow, in their order.
pub struct Timefill {
    bin: Bin,
    zero: Vec<FieldId>,
    rows: Vec<Record>,
    options: RunOptions,
}

impl Timefill {
    /// Fill the bins of `span` between the rows, with 0 in `zero`; more than
    /// [`TIMEFILL_LIMIT`] empty bins is a warning of `options.lookups` (the run's
    /// warnings), and none is added.
    pub fn new(span: BinSpan, zero: &[String], options: RunOptions) -> Self {
        Timefill {
            bin: Bin::new("_time", "_time", span),
            zero: zero.iter().map(|f| FieldId::intern(f)).collect(),
            rows: Vec::new(),
            options,
        }
    }

    fn time(row: &Record) -> Option<f64> {
        match row.get(FieldId::TIME) {
            Some(Value::Num(n)) => Some(*n),
            Some(v @ Value::Str(_)) => v.first_str().trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|t| t.is_finite())
    }
}

impl Step for Timefill {
    fn push(&mut self, row: Record, _: &mut Vec<Record>) {
        self.rows.push(row);
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        let mut timed: Vec<(f64, Record)> = Vec::new();
        let mut untimed = Vec::new();
        for row in std::mem::take(&mut self.rows) {
            match Timefill::time(&row) {
                Some(t) => timed.push((t, row)),
                None => untimed.push(row),
            }
        }
        timed.sort_by(|a, b| a.0.total_cmp(&b.0));
        // The empty bins first, to know whether they are too many.
        let mut empty = Vec::new();
        let mut too_many = false;
        for pair in timed.windows(2) {
            let mut b = self.bin.next(self.bin.floor(pair[0].0));
            while b < pair[1].0 && !too_many {
                if empty.len() == TIMEFILL_LIMIT {
                    too_many = true;
                } else {
                    empty.push(b);
                    b = self.bin.next(b);
                }
            }
        }
        if too_many {
            self.options.lookups.warn(format!(
                "timechart: more than {TIMEFILL_LIMIT} empty time bins between the rows; none was added"
            ));
            empty.clear();
        }
        let mut empty = empty.into_iter().peekable();
        for (t, row) in timed {
            while let Some(b) = empty.next_if(|b| *b < t) {
                let mut filler = Record::new();
                filler.set(FieldId::TIME, Value::Num(b));
                for &f in &self.zero {
                    filler.set(f, Value::Num(0.0));
                }
                out(filler);
            }
            out(row);
        }
        for row in untimed {
            out(row);
        }
        Ok(())
    }
}

impl Step for Bin {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let n = match row.get(self.field) {
            Some(Value::Num(n)) => Some(*n),
            Some(v @ Value::Str(_)) => v.first_str().trim().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(n) = n.filter(|n| n.is_finite()) {
            row.set(self.output, Value::Num(self.floor(n)));
        } else if self.output != self.field {
            if let Some(v) = row.get(self.field).cloned() {
                row.set(self.output, v);
            }
        }
        out.push(row);
    }
}

/// The start (epoch seconds, UTC) of the `months`-month bin holding `t`; months count from
/// January 1970.
fn month_floor(t: f64, months: u32) -> f64 {
    // Beyond about 300,000 years a calendar date means nothing; leave such times as they are.
    if t.abs() > 1e13 {
        return t;
    }
    let days = (t / 86_400.0).floor() as i64;
    let (y, m, _) = civil_from_days(days);
    let index = (y - 1970) * 12 + i64::from(m) - 1;
    let binned = index.div_euclid(i64::from(months.max(1))) * i64::from(months.max(1));
    let (by, bm) = (1970 + binned.div_euclid(12), binned.rem_euclid(12) + 1);
    days_from_civil(by, bm as u32, 1) as f64 * 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{rec, run};

    fn pats(patterns: &[&str]) -> Vec<FieldPattern> {
        patterns.iter().map(|p| FieldPattern::new(*p)).collect()
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(FieldPattern, FieldPattern)> {
        pairs
            .iter()
            .map(|(a, b)| (FieldPattern::new(*a), FieldPattern::new(*b)))
            .collect()
    }

    fn names(r: &Record) -> Vec<&'static str> {
        r.iter().map(|(f, _)| f.name()).collect()
    }

    #[test]
    fn table_keeps_listed_fields_in_order_and_drops_raw() {
        let mut r = rec(&[
            ("process_name", "a"),
            ("user", "u"),
            ("other", "x"),
            ("process_path", "p"),
        ]);
        r.set_raw("raw text");
        r.set_time(5.0);
        let out = run(
            &mut Table::new(&pats(&["_time", "user", "process_*", "missing"])),
            vec![r],
        );
        assert_eq!(
            names(&out[0]),
            vec!["_time", "user", "process_name", "process_path"]
        );
    }

    /// `table` as a list of removals, item by item (what the stage must agree with).
    fn table_by_removal(patterns: &[&str], mut row: Record) -> Record {
        let mut kept = Record::new();
        for p in patterns {
            let glob = FieldGlob::new(p);
            let names: Vec<FieldId> = row
                .iter()
                .map(|(f, _)| f)
                .filter(|f| glob.matches(f.name()))
                .collect();
            for f in names {
                if let Some(v) = row.remove(f) {
                    kept.set(f, v);
                }
            }
        }
        kept
    }

    #[test]
    fn table_gives_each_field_to_the_first_item_listing_it() {
        let patterns = [
            "_time",
            "host",
            "user",
            "process",
            "process_*",
            "parent_*",
            "keyword",
            "user",
            "parent_a",
            "*_x",
        ];
        let mut a = rec(&[
            ("parent_b", "1"),
            ("process_x", "2"),
            ("user", "3"),
            ("parent_a", "4"),
            ("process", "5"),
            ("keyword", "6"),
            ("other", "7"),
            ("other_x", "8"),
        ]);
        a.set_raw("raw");
        a.set_time(1.0);
        let mut b = rec(&[("keyword", "1"), ("process_y", "2"), ("host", "3")]);
        b.set_time(2.0);
        b.set_raw("raw");
        let c = rec(&[("process", "1"), ("user", "2")]);
        let mut table = Table::new(&pats(&patterns));
        let rows = vec![a, b, c];
        let expected: Vec<Record> = rows
            .iter()
            .map(|r| table_by_removal(&patterns, r.clone()))
            .collect();
        let out = run(&mut table, rows.clone());
        assert_eq!(out, expected);
        assert_eq!(
            names(&out[0]),
            vec![
                "_time",
                "user",
                "process",
                "process_x",
                "parent_b",
                "parent_a",
                "keyword",
                "other_x"
            ]
        );
        assert_eq!(out[0].raw(), "", "_raw goes");
        assert_eq!(out[1].time(), Some(2.0));
        // Again, with every decision already made.
        assert_eq!(run(&mut table, rows), expected);
    }

    #[test]
    fn fields_keep_and_remove() {
        let mut r = rec(&[("a", "1"), ("b", "2"), ("dc_x", "3")]);
        r.set_raw("raw");
        let out = run(&mut Fields::new(false, &pats(&["a"])), vec![r.clone()]);
        assert_eq!(names(&out[0]), vec!["a", "_raw"]);
        let out = run(&mut Fields::new(true, &pats(&["dc_*", "_raw"])), vec![r]);
        assert_eq!(names(&out[0]), vec!["a", "b"]);
    }

    #[test]
    fn rename_overwrites_and_ignores_missing() {
        let r = rec(&[("src_Country", "FR"), ("src_country", "old")]);
        let out = run(
            &mut Rename::new(&pairs(&[("src_Country", "src_country"), ("nope", "x")])),
            vec![r],
        );
        assert_eq!(out[0].get_named("src_country"), Some(&Value::from("FR")));
        assert_eq!(out[0].get_named("src_Country"), None);
        assert_eq!(out[0].get_named("x"), None);
        let out = run(
            &mut Rename::new(&pairs(&[("src_*", "source_*")])),
            vec![rec(&[("src_ip", "1")])],
        );
        assert_eq!(out[0].get_named("source_ip"), Some(&Value::from("1")));
    }

    #[test]
    fn rename_pairs_chain_over_rows() {
        let mut stage = Rename::new(&pairs(&[("a*", "b*"), ("b*", "c*")]));
        let rows = vec![
            rec(&[("a1", "x"), ("b2", "y"), ("d", "z")]),
            rec(&[("b2", "y"), ("a1", "x")]),
        ];
        let out = run(&mut stage, rows);
        assert_eq!(names(&out[0]), vec!["d", "c2", "c1"]);
        assert_eq!(names(&out[1]), vec!["c2", "c1"]);
        assert_eq!(out[1].get_named("c1"), Some(&Value::from("x")));
    }

    #[test]
    fn fillnull_with_and_without_fields() {
        let out = run(
            &mut Fillnull::new("-", &["uri_path"]),
            vec![rec(&[("a", "")])],
        );
        assert_eq!(out[0].get_named("uri_path"), Some(&Value::from("-")));
        assert_eq!(
            out[0].get_named("a"),
            Some(&Value::from("")),
            "empty is not null"
        );
        let out = run(
            &mut Fillnull::new("0", &[] as &[&str]),
            vec![rec(&[("a", "1")]), rec(&[("b", "2")])],
        );
        assert_eq!(out[0].get_named("b"), Some(&Value::from("0")));
        assert_eq!(out[1].get_named("a"), Some(&Value::from("0")));
    }

    #[test]
    fn bin_floors_time_to_epoch_aligned_spans() {
        let b = Bin::new("_time", "_time", BinSpan::Seconds(1.0));
        assert_eq!(b.floor(1_700_000_003.742), 1_700_000_003.0);
        let b = Bin::new("_time", "_time", BinSpan::Seconds(300.0));
        assert_eq!(b.floor(1_700_000_123.0), 1_700_000_100.0);
        let b = Bin::new("_time", "_time", BinSpan::Seconds(3600.0));
        assert_eq!(b.floor(1_700_000_123.0), 1_699_999_200.0);
        // 2023-11-14T22:13:20Z -> 2023-11-01T00:00:00Z = 1698796800
        let b = Bin::new("_time", "_time", BinSpan::Months(1));
        assert_eq!(b.floor(1_700_000_000.0), 1_698_796_800.0);
        assert_eq!(b.floor(-1.0), -31.0 * 86_400.0, "December 1969");
    }

    #[test]
    fn bin_passes_non_numeric_values() {
        let mut r = rec(&[("x", "abc")]);
        r.set_time(65.5);
        let out = run(
            &mut Bin::new("x", "x", BinSpan::Seconds(10.0)),
            vec![r.clone()],
        );
        assert_eq!(out[0].get_named("x"), Some(&Value::from("abc")));
        let out = run(&mut Bin::new("_time", "t", BinSpan::Seconds(60.0)), vec![r]);
        assert_eq!(out[0].get_named("t"), Some(&Value::Num(60.0)));
        assert_eq!(out[0].time(), Some(65.5));
    }

    #[test]
    fn civil_round_trip() {
        for d in [-800_000, -1, 0, 59, 60, 365, 11_016, 19_675, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
