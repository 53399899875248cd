//! An aligned text table whose cells may hold several lines (multivalue fields).

use std::io::Write;

use spl_runtime::{Record, Value};

/// Rows collected for printing; columns in order of first appearance.
#[derive(Default)]
pub struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<Vec<String>>>,
}

impl Table {
    /// Add a row.
    pub fn push(&mut self, row: &Record) {
        let mut cells = vec![Vec::new(); self.columns.len()];
        for (field, value) in row.iter() {
            let i = match self.columns.iter().position(|c| c == field.name()) {
                Some(i) => i,
                None => {
                    self.columns.push(field.name().to_owned());
                    cells.push(Vec::new());
                    self.columns.len() - 1
                }
            };
            cells[i] = match value {
                Value::Multi(vs) => vs.clone(),
                other => vec![other.to_string()],
            };
        }
        self.rows.push(cells);
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Write the table: a header, a rule, then each row (a multivalue cell takes one line
    /// per value). Text is shown as it is, except that control characters are escaped so
    /// that they cannot break the layout.
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let shown = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        };
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                for v in cell {
                    widths[i] = widths[i].max(shown(v).chars().count());
                }
            }
        }
        let line = |out: &mut dyn Write, cells: &[String]| -> std::io::Result<()> {
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(c);
                if i + 1 < cells.len() {
                    text.push_str(&" ".repeat(widths[i].saturating_sub(c.chars().count())));
                }
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(out, &self.columns)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(out, &rule)?;
        for row in &self.rows {
            let height = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
            for k in 0..height {
                let cells: Vec<String> = (0..self.columns.len())
                    .map(|i| {
                        row.get(i)
                            .and_then(|c| c.get(k))
                            .map_or_else(String::new, |v| shown(v))
                    })
                    .collect();
                line(out, &cells)?;
            }
        }
        Ok(())
    }
}
