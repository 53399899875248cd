//! Where `splc run`'s rows go: JSON lines as they come, or, for a table or CSV, collected
//! and written at the end.
//!
//! JSON keeps `_time` as the number it is (epoch seconds); the table and CSV show it as
//! ISO 8601 in UTC (`2026-12-03T23:32:32.000Z`), the form a person reads and a
//! spreadsheet parses.

use std::collections::HashMap;
use std::io::Write;

use spl_runtime::json::{rule_head, RowWriter};
use spl_runtime::{FieldId, Record, Value};

use crate::table::Table;
use crate::OutputFormat;

/// What names a rule in its rows.
pub struct RuleLabel {
    /// The rule file's stem (or `spl-N`): `_rule`.
    pub name: String,
    /// The rule's `id` (the name when it has none): `_rule_id`.
    pub id: String,
    /// The rule's `title` (the id when it has none): `_rule_title`.
    pub title: String,
    /// The three as the first JSON members of a row.
    head: Vec<u8>,
}

impl RuleLabel {
    /// The label of a rule named `name`, with this id and title.
    pub fn new(name: String, id: String, title: String) -> Self {
        let head = rule_head(&name, &id, &title);
        RuleLabel {
            name,
            id,
            title,
            head,
        }
    }
}

/// Rows collected or written, in the chosen format. Every row names its rule: JSON and
/// CSV rows by `_rule`, `_rule_id` and `_rule_title`; a table has a heading per rule.
pub struct Sink {
    format: OutputFormat,
    labels: Vec<RuleLabel>,
    json: RowWriter,
    /// By rule, in the order of each rule's first row.
    tables: Vec<(usize, Table)>,
    csv: Csv,
}

impl Sink {
    /// A sink for `format`, for the rules of `labels` (a row's rule is its index there).
    pub fn new(format: OutputFormat, labels: Vec<RuleLabel>) -> Self {
        Sink {
            format,
            labels,
            json: RowWriter::default(),
            tables: Vec::new(),
            csv: Csv::default(),
        }
    }

    /// The labels of the rules.
    pub fn labels(&self) -> &[RuleLabel] {
        &self.labels
    }

    /// A row of rule `rule`: written now (JSON lines) or kept for [`Sink::finish`].
    pub fn row(&mut self, out: &mut impl Write, rule: usize, row: Record) -> anyhow::Result<()> {
        match self.format {
            OutputFormat::Jsonl => self.json.write_after(out, &self.labels[rule].head, &row)?,
            OutputFormat::Table => {
                let i = match self.tables.iter().position(|(r, _)| *r == rule) {
                    Some(i) => i,
                    None => {
                        self.tables.push((rule, Table::default()));
                        self.tables.len() - 1
                    }
                };
                self.tables[i].1.push(&row);
            }
            OutputFormat::Csv => self.csv.push(rule, &row),
        }
        Ok(())
    }

    /// Write what was kept: a table per rule, or the CSV document.
    pub fn finish(&mut self, out: &mut impl Write) -> anyhow::Result<()> {
        for (i, (rule, table)) in self.tables.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let label = &self.labels[*rule];
            writeln!(out, "== {} ({} rows)", label.name, table.len())?;
            if label.title != label.name {
                writeln!(out, "   {} (id {})", label.title, label.id)?;
            }
            table.write(out)?;
        }
        if self.format == OutputFormat::Csv {
            self.csv.write(out, &self.labels)?;
        }
        Ok(())
    }
}

/// `_time` as shown in tables and CSV: ISO 8601 in UTC, with milliseconds (microseconds
/// when the time has them). A time out of range is shown as its number.
pub fn iso_time(t: f64) -> String {
    let micros = (t * 1e6).round();
    let format = if micros % 1000.0 == 0.0 {
        "%Y-%m-%dT%H:%M:%S.%3QZ"
    } else {
        "%Y-%m-%dT%H:%M:%S.%6QZ"
    };
    spl_runtime::time::strftime(t, format).unwrap_or_else(|| Value::Num(t).to_string())
}

/// The text of a cell: a field's values, `_time` as [`iso_time`].
pub fn cell_values(field: FieldId, value: &Value) -> Vec<String> {
    match value {
        Value::Num(t) if field == FieldId::TIME => vec![iso_time(*t)],
        Value::Multi(values) => values.clone(),
        other => vec![other.to_string()],
    }
}

/// Rows of every rule as one CSV document: a header of `_rule`, `_rule_id`, `_rule_title`
/// and every field met, in
/// the order first met; a row leaves the fields it lacks empty; the values of a
/// multivalue field are one cell, one value per line (as Splunk exports them).
#[derive(Default)]
struct Csv {
    /// Column names after `_rule`.
    names: Vec<String>,
    columns: HashMap<FieldId, usize>,
    /// Each row: its rule, then its cells by column.
    rows: Vec<(usize, Vec<(usize, String)>)>,
}

impl Csv {
    fn push(&mut self, rule: usize, row: &Record) {
        let mut cells = Vec::with_capacity(row.len());
        for (field, value) in row.iter() {
            if matches!(field.name(), "_rule" | "_rule_id" | "_rule_title") {
                continue;
            }
            let column = *self.columns.entry(field).or_insert_with(|| {
                self.names.push(field.name().to_owned());
                self.names.len() - 1
            });
            cells.push((column, cell_values(field, value).join("\n")));
        }
        self.rows.push((rule, cells));
    }

    fn write(&self, out: &mut impl Write, labels: &[RuleLabel]) -> anyhow::Result<()> {
        const LEAD: usize = 3;
        let mut w = csv::WriterBuilder::new().flexible(false).from_writer(out);
        let width = self.names.len() + LEAD;
        let mut record: Vec<&str> = Vec::with_capacity(width);
        record.extend(["_rule", "_rule_id", "_rule_title"]);
        record.extend(self.names.iter().map(String::as_str));
        w.write_record(&record)?;
        for (rule, cells) in &self.rows {
            record.clear();
            record.resize(width, "");
            let label = &labels[*rule];
            record[..LEAD].copy_from_slice(&[&label.name, &label.id, &label.title]);
            for (column, text) in cells {
                record[column + LEAD] = text;
            }
            w.write_record(&record)?;
        }
        w.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_as_iso_8601_utc() {
        // 1,700,000,000 s after the epoch is 2023-11-14 22:13:20 UTC.
        assert_eq!(iso_time(1_700_000_000.0), "2023-11-14T22:13:20.000Z");
        assert_eq!(iso_time(1_700_000_000.25), "2023-11-14T22:13:20.250Z");
        assert_eq!(
            iso_time(1_700_000_000.000_125),
            "2023-11-14T22:13:20.000125Z"
        );
        assert_eq!(iso_time(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(-1.0), "1969-12-31T23:59:59.000Z");
    }
}
