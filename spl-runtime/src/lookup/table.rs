//! A lookup table held in memory, and what one `lookup` command finds in it.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::conf::MatchRules;
use super::{Finder, LookupError};
use crate::cidr::Cidr;
use crate::compare::Wildcard;

/// A lookup table: named columns and rows of text, in file order, with its matching
/// rules. An empty cell is no value (the output field gets nothing from that row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    rules: MatchRules,
}

impl Table {
    /// A table of these columns and rows (each row as long as `columns`; shorter rows
    /// are filled with empty cells, longer ones cut), matched by `rules`.
    pub fn new(columns: Vec<String>, rows: Vec<Vec<String>>, rules: MatchRules) -> Table {
        let width = columns.len();
        let rows = rows
            .into_iter()
            .map(|mut r| {
                r.resize(width, String::new());
                r
            })
            .collect();
        Table {
            columns,
            rows,
            rules,
        }
    }

    /// A table read from CSV text: the first record names the columns.
    ///
    /// ```
    /// use spl_runtime::lookup::{MatchRules, Table};
    ///
    /// let t = Table::from_csv("user,team\nalice,red\n".as_bytes(), MatchRules::default(), "t.csv")?;
    /// assert_eq!(t.columns(), ["user", "team"]);
    /// assert_eq!(t.len(), 1);
    /// # Ok::<(), spl_runtime::lookup::LookupError>(())
    /// ```
    pub fn from_csv(
        input: impl Read,
        rules: MatchRules,
        origin: &str,
    ) -> Result<Table, LookupError> {
        let bad = |e: csv::Error| LookupError::Csv {
            origin: origin.to_owned(),
            message: e.to_string(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let columns: Vec<String> = reader
            .headers()
            .map_err(bad)?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = if i == 0 {
                    c.trim_start_matches('\u{feff}')
                } else {
                    c
                };
                c.trim().to_owned()
            })
            .collect();
        if columns.iter().all(String::is_empty) {
            return Err(LookupError::Csv {
                origin: origin.to_owned(),
                message: "no column names on the first line".to_owned(),
            });
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(bad)?;
            rows.push(record.iter().map(str::to_owned).collect());
        }
        Ok(Table::new(columns, rows, rules))
    }

    /// A table read from a CSV file.
    pub fn from_path(path: &Path, rules: MatchRules) -> Result<Table, LookupError> {
        let origin = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| LookupError::Io {
            path: origin.clone(),
            message: e.to_string(),
        })?;
        Table::from_csv(std::io::BufReader::new(file), rules, &origin)
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The rows, in file order (each as long as the columns).
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How rows match.
    pub fn rules(&self) -> &MatchRules {
        &self.rules
    }

    /// The same table with other matching rules.
    #[must_use]
    pub fn with_rules(mut self, rules: MatchRules) -> Table {
        self.rules = rules;
        self
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// How one input column compares an event's value with its cells.
enum Column {
    /// Equal text (folded when the table ignores case): part of the hashed key.
    Exact,
    /// Each row's cell as a pattern.
    Wildcard(Vec<Wildcard>),
    /// Each row's cell as a network (`None`: a cell that is not one never matches).
    Cidr(Vec<Option<Cidr>>),
}

/// A table prepared for one `lookup` command: its input columns, output columns, and an
/// index of the rows by their exact input cells.
pub(crate) struct TableFinder {
    table: std::sync::Arc<Table>,
    inputs: Vec<(usize, Column)>,
    outputs: Vec<usize>,
    /// Row numbers (in file order) by the key of their exact input cells.
    index: HashMap<String, Vec<u32>, foldhash::fast::RandomState>,
    /// Whether any input column is exact (otherwise every row is a candidate).
    keyed: bool,
}

impl TableFinder {
    /// The finder for these input and output columns; an unknown column is an error.
    pub(crate) fn new(
        table: std::sync::Arc<Table>,
        inputs: &[&str],
        outputs: &[&str],
    ) -> Result<TableFinder, String> {
        let find = |name: &str| {
            table.column(name).ok_or_else(|| {
                format!(
                    "has no column `{name}` (its columns: {})",
                    table.columns.join(", ")
                )
            })
        };
        let rules = &table.rules;
        let mut cols = Vec::new();
        for name in inputs {
            let at = find(name)?;
            let column = if rules.wildcard.iter().any(|c| c == name) {
                Column::Wildcard(
                    table
                        .rows
                        .iter()
                        .map(|r| Wildcard::new(&r[at], rules.case_sensitive))
                        .collect(),
                )
            } else if rules.cidr.iter().any(|c| c == name) {
                Column::Cidr(table.rows.iter().map(|r| Cidr::parse(&r[at])).collect())
            } else {
                Column::Exact
            };
            cols.push((at, column));
        }
        let outputs = outputs
            .iter()
            .map(|n| find(n))
            .collect::<Result<Vec<_>, _>>()?;
        let keyed = cols.iter().any(|(_, c)| matches!(c, Column::Exact));
        let mut index: HashMap<String, Vec<u32>, _> = HashMap::default();
        if keyed {
            let mut key = String::new();
            for (n, row) in table.rows.iter().enumerate() {
                key.clear();
                for (at, c) in &cols {
                    if matches!(c, Column::Exact) {
                        push_key(&mut key, &row[*at], rules.case_sensitive);
                    }
                }
                index.entry(key.clone()).or_default().push(n as u32);
            }
        }
        Ok(TableFinder {
            table,
            inputs: cols,
            outputs,
            index,
            keyed,
        })
    }

    fn row_matches(&self, row: u32, values: &[&str]) -> bool {
        self.inputs.iter().zip(values).all(|((_, c), v)| match c {
            Column::Exact => true,
            Column::Wildcard(w) => w[row as usize].is_match(v),
            Column::Cidr(n) => n[row as usize].is_some_and(|n| n.contains(v)),
        })
    }
}

/// Append one exact cell to a key: folded when case does not count, then a separator no
/// text holds.
fn push_key(key: &mut String, cell: &str, case_sensitive: bool) {
    if case_sensitive {
        key.push_str(cell);
    } else {
        key.extend(cell.chars().map(|c| c.to_ascii_lowercase()));
    }
    key.push('\u{0}');
}

impl Finder for TableFinder {
    fn find(&self, values: &[&str], key: &mut String, hit: &mut dyn FnMut(usize, &str)) -> usize {
        let rules = &self.table.rules;
        let mut found = 0;
        let mut take = |row: u32, found: &mut usize| {
            if *found >= rules.max_matches || !self.row_matches(row, values) {
                return;
            }
            *found += 1;
            let r = &self.table.rows[row as usize];
            for (i, &at) in self.outputs.iter().enumerate() {
                hit(i, &r[at]);
            }
        };
        if self.keyed {
            key.clear();
            for ((_, c), v) in self.inputs.iter().zip(values) {
                if matches!(c, Column::Exact) {
                    push_key(key, v, rules.case_sensitive);
                }
            }
            if let Some(rows) = self.index.get(key.as_str()) {
                for &row in rows {
                    take(row, &mut found);
                }
            }
        } else {
            for row in 0..self.table.rows.len() as u32 {
                take(row, &mut found);
            }
        }
        found
    }
}
