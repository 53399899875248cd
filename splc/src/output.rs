//! Where `splc run`'s rows go: JSON lines as they come, or, for a table or CSV, collected
//! and written at the end.
//!
//! JSON keeps `_time` as the number it is (epoch seconds); the table and CSV show it as
//! ISO 8601 in UTC (`2026-12-03T23:32:32.000Z`), the form a person reads and a
//! spreadsheet parses.

use std::collections::HashMap;
use std::io::Write;

use spl_runtime::json::RowWriter;
use spl_runtime::{FieldId, Record, Value};

use crate::table::Table;
use crate::OutputFormat;

/// Rows collected or written, in the chosen format.
pub struct Sink {
    format: OutputFormat,
    json: RowWriter,
    tables: Vec<(String, Table)>,
    csv: Csv,
}

impl Sink {
    /// A sink for `format`.
    pub fn new(format: OutputFormat) -> Self {
        Sink {
            format,
            json: RowWriter::default(),
            tables: Vec::new(),
            csv: Csv::default(),
        }
    }

    /// A row of `rule`: written now (JSON lines) or kept for [`Sink::finish`].
    pub fn row(&mut self, out: &mut impl Write, rule: &str, row: Record) -> anyhow::Result<()> {
        match self.format {
            OutputFormat::Jsonl => self.json.write(out, rule, &row)?,
            OutputFormat::Table => {
                let i = match self.tables.iter().position(|(n, _)| n == rule) {
                    Some(i) => i,
                    None => {
                        self.tables.push((rule.to_owned(), Table::default()));
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
            writeln!(out, "== {rule} ({} rows)", table.len())?;
            table.write(out)?;
        }
        if self.format == OutputFormat::Csv {
            self.csv.write(out)?;
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

/// Rows of every rule as one CSV document: a header of `_rule` and every field met, in
/// the order first met; a row leaves the fields it lacks empty; the values of a
/// multivalue field are one cell, one value per line (as Splunk exports them).
#[derive(Default)]
struct Csv {
    /// Column names after `_rule`.
    names: Vec<String>,
    columns: HashMap<FieldId, usize>,
    /// Each row: its rule, then its cells by column.
    rows: Vec<(String, Vec<(usize, String)>)>,
}

impl Csv {
    fn push(&mut self, rule: &str, row: &Record) {
        let mut cells = Vec::with_capacity(row.len());
        for (field, value) in row.iter() {
            let column = *self.columns.entry(field).or_insert_with(|| {
                self.names.push(field.name().to_owned());
                self.names.len() - 1
            });
            cells.push((column, cell_values(field, value).join("\n")));
        }
        self.rows.push((rule.to_owned(), cells));
    }

    fn write(&self, out: &mut impl Write) -> anyhow::Result<()> {
        let mut w = csv::WriterBuilder::new().flexible(false).from_writer(out);
        let width = self.names.len() + 1;
        let mut record: Vec<&str> = Vec::with_capacity(width);
        record.push("_rule");
        record.extend(self.names.iter().map(String::as_str));
        w.write_record(&record)?;
        for (rule, cells) in &self.rows {
            record.clear();
            record.resize(width, "");
            record[0] = rule;
            for (column, text) in cells {
                record[column + 1] = text;
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
        assert_eq!(iso_time(1_700_000_000.000_125), "2023-11-14T22:13:20.000125Z");
        assert_eq!(iso_time(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(-1.0), "1969-12-31T23:59:59.000Z");
    }
}
