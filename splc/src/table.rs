//! Result rows as text: an aligned table whose cells may hold several lines (multivalue
//! fields), or, when aligning would make the output much larger than the rows, one block
//! of `field value` lines per row.
//!
//! Output is linear in the rows: an aligned table pads every cell of a column to the
//! widest one, so one long value, a field of many values or many sparse columns could
//! otherwise multiply the output by the number of lines or columns. The table is aligned
//! only while its size stays within [`GRID_FACTOR`] times the text of the rows (or
//! [`GRID_FLOOR`] bytes, whichever is larger).

use std::collections::HashMap;
use std::io::Write;

use spl_runtime::{FieldId, Record};

/// An aligned table may be this many times larger than the text it shows.
pub const GRID_FACTOR: usize = 16;
/// An aligned table of at most this many bytes is always fine.
pub const GRID_FLOOR: usize = 1 << 20;
/// In the block layout, field names are padded to align their values up to this width.
const BLOCK_NAME_WIDTH: usize = 32;

/// Rows collected for printing; columns in order of first appearance.
#[derive(Default)]
pub struct Table {
    /// Column names, as shown.
    names: Vec<String>,
    /// Where each field's column is.
    columns: HashMap<FieldId, usize>,
    /// Each row's cells, by column, in column order; each cell its values as shown.
    rows: Vec<Vec<(usize, Vec<String>)>>,
}

impl Table {
    /// Add a row.
    pub fn push(&mut self, row: &Record) {
        let mut cells = Vec::with_capacity(row.len());
        for (field, value) in row.iter() {
            let column = *self.columns.entry(field).or_insert_with(|| {
                self.names.push(shown(field.name()));
                self.names.len() - 1
            });
            let values = crate::output::cell_values(field, value)
                .iter()
                .map(|v| shown(v))
                .collect();
            cells.push((column, values));
        }
        cells.sort_by_key(|(column, _)| *column);
        self.rows.push(cells);
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Write the table: aligned (a header, a rule, then each row, a multivalue cell taking
    /// one line per value) when that stays small, else one block per row. Text is shown as
    /// it is, except that control characters are escaped so that they cannot break the
    /// layout.
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut widths: Vec<usize> = self.names.iter().map(|n| width(n)).collect();
        let mut text = widths.iter().sum::<usize>();
        let mut lines = 2usize;
        for row in &self.rows {
            let mut height = 1;
            for (column, values) in row {
                height = height.max(values.len());
                for v in values {
                    let w = width(v);
                    widths[*column] = widths[*column].max(w);
                    text += w + 1;
                }
            }
            lines += height;
        }
        let line_width = widths.iter().map(|w| w + 2).sum::<usize>();
        if lines.saturating_mul(line_width) <= text.saturating_mul(GRID_FACTOR).max(GRID_FLOOR) {
            self.write_grid(out, &widths)
        } else {
            self.write_blocks(out)
        }
    }

    fn write_grid(&self, out: &mut impl Write, widths: &[usize]) -> std::io::Result<()> {
        let mut text = String::new();
        // One line: `cells[i]` for the columns it has, padded, up to its last one.
        let mut line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = (usize, &str)>| {
            text.clear();
            let mut at = 0;
            for (column, cell) in cells {
                for w in &widths[at..column] {
                    text.push_str(&" ".repeat(w + 2));
                }
                text.push_str(cell);
                let pad = widths[column].saturating_sub(width(cell));
                text.push_str(&" ".repeat(pad + 2));
                at = column + 1;
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(
            out,
            &mut self.names.iter().enumerate().map(|(i, n)| (i, n.as_str())),
        )?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(
            out,
            &mut rule.iter().enumerate().map(|(i, r)| (i, r.as_str())),
        )?;
        for row in &self.rows {
            let height = row.iter().map(|(_, v)| v.len()).max().unwrap_or(0).max(1);
            for k in 0..height {
                line(
                    out,
                    &mut row
                        .iter()
                        .filter_map(|(column, values)| Some((*column, values.get(k)?.as_str()))),
                )?;
            }
        }
        Ok(())
    }

    fn write_blocks(&self, out: &mut impl Write) -> std::io::Result<()> {
        for (i, row) in self.rows.iter().enumerate() {
            writeln!(out, "-- row {}", i + 1)?;
            let name_width = row
                .iter()
                .map(|(column, _)| width(&self.names[*column]))
                .max()
                .unwrap_or(0)
                .min(BLOCK_NAME_WIDTH);
            let indent = " ".repeat(name_width + 2);
            for (column, values) in row {
                let name = &self.names[*column];
                let pad = name_width.saturating_sub(width(name));
                let mut values = values.iter();
                let first = values.next().map_or("", String::as_str);
                writeln!(out, "{name}{}  {first}", " ".repeat(pad))?;
                for v in values {
                    writeln!(out, "{indent}{v}")?;
                }
            }
        }
        Ok(())
    }
}

/// Text as shown in a table: control characters escaped.
fn shown(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The width of shown text, in characters.
fn width(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use spl_runtime::Value;

    fn row(fields: &[(&str, Value)]) -> Record {
        let mut r = Record::new();
        for (name, value) in fields {
            r.set_named(name, value.clone());
        }
        r
    }

    fn written(table: &Table) -> String {
        let mut out = Vec::new();
        table.write(&mut out).expect("in memory");
        String::from_utf8(out).expect("UTF-8")
    }

    fn multi(values: &[&str]) -> Value {
        Value::Multi(values.iter().map(|v| (*v).to_owned()).collect())
    }

    #[test]
    fn small_tables_are_aligned_with_multivalues_stacked() {
        let mut t = Table::default();
        t.push(&row(&[
            ("host", "h1".into()),
            ("user", multi(&["alice", "bob"])),
        ]));
        t.push(&row(&[("user", "carol".into()), ("note", "a\tb".into())]));
        assert_eq!(
            written(&t),
            "host  user   note\n\
             ----  -----  ----\n\
             h1    alice\n      \
             bob\n      \
             carol  a\\tb\n"
        );
    }

    #[test]
    fn output_stays_linear_in_the_rows() {
        // One long value and one field of many values: aligned, every line of the field
        // would be padded to the long value.
        let values: Vec<String> = (0..2_000).map(|i| format!("v{i}")).collect();
        let mut t = Table::default();
        t.push(&row(&[
            ("process", "x".repeat(100_000).into()),
            ("vals", Value::Multi(values.clone())),
        ]));
        let text = written(&t);
        let input = 100_000 + values.iter().map(|v| v.len() + 1).sum::<usize>();
        assert!(text.len() < 2 * input, "{} bytes for {input}", text.len());
        assert!(
            text.starts_with("-- row 1\nprocess  xxx"),
            "{}",
            &text[..40]
        );
        assert!(
            text.contains("\nvals     v0\n         v1\n"),
            "values one per line"
        );
        assert!(text.ends_with("         v1999\n"));

        // Many rows, each with a field of its own: aligned, every row would hold every
        // column.
        let mut t = Table::default();
        let mut input = 0;
        for i in 0..5_000 {
            let name = format!("field_{i}");
            input += name.len() + 8;
            t.push(&row(&[(&name, format!("value{i}").into())]));
        }
        let text = written(&t);
        assert!(text.len() < 4 * input, "{} bytes for {input}", text.len());
        assert!(text.contains("-- row 5000\nfield_4999  value4999\n"));
    }
}
