//! Shared helpers of the workspace tests: the armory location, the compiled rule pack, and
//! running one rule through all three entry points.

pub mod evtx_writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spl_runtime::read::{self, InputFormat, ReadOptions};
use spl_runtime::rule::{run, Rule};
use spl_runtime::{Record, Value};

/// The armory's package-installation rules compiled by `build.rs` with `spl_compiler::Builder`
/// (when the armory is beside the repository: cfg `splc_armory`).
#[cfg(splc_armory)]
#[allow(missing_docs)]
pub mod pack {
    include!(concat!(env!("OUT_DIR"), "/package_installation.rs"));
}

/// The shared armory of real rules, beside the repository (`../shared/armory`).
pub fn armory_dir() -> PathBuf {
    shared_dir("armory")
}

/// `../shared/<name>` beside the repository: the external corpora (test data the
/// repository does not hold).
pub fn shared_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(name)
}

/// The external corpus `../shared/<name>`, or `None` after printing one line saying that
/// `test` is skipped because the corpus is not there. When `SPLC_REQUIRE_CORPUS` is set
/// (as `.ci/run` sets it), a missing corpus fails the test instead.
pub fn corpus(name: &str, test: &str) -> Option<PathBuf> {
    let dir = shared_dir(name);
    if dir.is_dir() {
        return Some(dir);
    }
    skipped(test, &format!("../shared/{name}"));
    None
}

/// Every rule file (`*.yml`) of the armory, sorted, with its path relative to the armory
/// (`/`-separated) and its `logic` as the YAML holds it (read here with a YAML parser, not
/// with the loader under test); `None` when the armory is missing (the test is skipped).
pub fn armory_rules(test: &str) -> Option<Vec<(String, String)>> {
    let root = corpus("armory", test)?;
    let mut files = Vec::new();
    yml_files(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 1000,
        "expected the armory at {}",
        root.display()
    );
    Some(
        files
            .iter()
            .filter_map(|f| {
                let text = std::fs::read_to_string(f).ok()?;
                let value: serde_norway::Value = serde_norway::from_str(&text).ok()?;
                let logic = value.get("logic")?.as_str()?.to_owned();
                let rel = f
                    .strip_prefix(&root)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/");
                Some((rel, logic))
            })
            .collect(),
    )
}

/// Every `*.yml` below `dir`.
fn yml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            yml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml") {
            out.push(path);
        }
    }
}

/// Say that `test` is skipped because `corpus` is not beside the repository (or fail when
/// `SPLC_REQUIRE_CORPUS` is set).
pub fn skipped(test: &str, corpus: &str) {
    assert!(
        std::env::var_os("SPLC_REQUIRE_CORPUS").is_none(),
        "{test}: {corpus} is missing and SPLC_REQUIRE_CORPUS is set"
    );
    // Written to stderr directly, past the test harness's capture of `eprintln!`, so that
    // `cargo test` shows the line for a test that passes.
    let line = format!("skipped: {test} needs {corpus}, which is not beside the repository\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
}

/// A file of this crate's test data (`tests/data/...`).
pub fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(path)
}

/// Read every event of a file (the format from its extension, or `format`), failing on
/// any skipped event: test data must be clean.
pub fn events(path: &Path, format: Option<InputFormat>) -> Vec<Record> {
    let reader = read::open(path, format, ReadOptions::default())
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    reader
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .record
        })
        .collect()
}

/// A row as a sorted map from field name to its values as text, for comparisons that do
/// not depend on field order.
pub type Row = BTreeMap<String, Vec<String>>;

/// Rows as sorted maps.
pub fn rows(records: &[Record]) -> Vec<Row> {
    records
        .iter()
        .map(|r| {
            r.iter()
                .map(|(f, v)| {
                    let values = match v {
                        Value::Multi(m) => m.clone(),
                        other => vec![other.to_string()],
                    };
                    (f.name().to_owned(), values)
                })
                .collect()
        })
        .collect()
}

/// A row from `(field, values)` pairs (for writing expected rows by hand).
pub fn row(pairs: &[(&str, &[&str])]) -> Row {
    pairs
        .iter()
        .map(|(k, vs)| {
            (
                (*k).to_owned(),
                vs.iter().map(|v| (*v).to_owned()).collect(),
            )
        })
        .collect()
}

/// Run a rule over events.
pub fn run_rule(rule: &mut dyn Rule, events: &[Record]) -> Vec<Record> {
    run(rule, events.iter()).expect("the rule gives its rows")
}

/// The search-language corpus's expectations (`data/search/expected.txt`): query file
/// stem → the 0-based lines of the events it passes. Panics on a malformed or repeated
/// entry, naming its line.
pub fn search_expected() -> BTreeMap<String, Vec<usize>> {
    let path = data("search/expected.txt");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (stem, lines) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("expected.txt:{}: no `:` in {line:?}", n + 1));
        let lines = lines
            .split_whitespace()
            .map(|l| {
                l.parse()
                    .unwrap_or_else(|e| panic!("expected.txt:{}: {l:?}: {e}", n + 1))
            })
            .collect();
        let previous = out.insert(stem.trim().to_owned(), lines);
        assert!(
            previous.is_none(),
            "expected.txt:{}: {stem} listed twice",
            n + 1
        );
    }
    out
}

/// Reading the YAML corpora of `data/` (eval, stats and lookup cases).
pub mod yaml {
    use serde_norway::Value as Yaml;

    /// The items of the YAML list in `data/<path>`.
    pub fn cases(path: &str) -> Vec<Yaml> {
        let path = super::data(path);
        let body =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_norway::from_str(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A YAML scalar as text (numbers as written).
    pub fn text(v: &Yaml) -> String {
        match v {
            Yaml::String(s) => s.clone(),
            Yaml::Number(n) => n.to_string(),
            Yaml::Bool(b) => b.to_string(),
            other => panic!("not a scalar: {other:?}"),
        }
    }

    /// A field's texts: a list is a multivalue, a scalar one text.
    pub fn texts(v: &Yaml) -> Vec<String> {
        match v {
            Yaml::Sequence(items) => items.iter().map(text).collect(),
            scalar => vec![text(scalar)],
        }
    }

    /// The fields of a YAML map, each with its texts, in order.
    pub fn fields(v: &Yaml) -> Vec<(String, Vec<String>)> {
        match v {
            Yaml::Mapping(m) => m.iter().map(|(k, v)| (text(k), texts(v))).collect(),
            other => panic!("not a map: {other:?}"),
        }
    }
}

/// Corpora of rules with their events and the rows written by hand (`name`, `spl`,
/// `events`, `rows` in each YAML item), checked in the evaluator and in generated code.
pub mod row_cases {
    use std::collections::BTreeMap;

    use serde_norway::Value as Yaml;
    use spl_runtime::rule::{run, Rule};
    use spl_runtime::{Record, Value};

    use super::yaml::{fields, text};

    /// A row: each field with its values.
    pub type Fields = BTreeMap<String, Vec<String>>;

    /// One case: a rule, its events, the rows it must give.
    pub struct Case {
        /// The case's name (the generated rule's id).
        pub name: String,
        /// The rule.
        pub spl: String,
        /// The events, in order.
        pub events: Vec<Record>,
        /// The rows, in order.
        pub rows: Vec<Fields>,
    }

    /// The cases of `data/<path>`.
    pub fn cases(path: &str) -> Vec<Case> {
        super::yaml::cases(path)
            .iter()
            .map(|item| {
                let list = |k: &str| match item.get(k) {
                    Some(Yaml::Sequence(s)) => s.clone(),
                    other => panic!("{k}: {other:?}"),
                };
                Case {
                    name: text(&item["name"]),
                    spl: text(&item["spl"]),
                    events: list("events")
                        .iter()
                        .map(|e| {
                            let mut r = Record::new();
                            for (k, vs) in fields(e) {
                                for v in vs {
                                    r.push_named(&k, v);
                                }
                            }
                            r
                        })
                        .collect(),
                    rows: list("rows")
                        .iter()
                        .map(|r| fields(r).into_iter().collect())
                        .collect(),
                }
            })
            .collect()
    }

    /// The rows `rule` gives over `events`.
    pub fn rows_of(rule: &mut dyn Rule, events: &[Record]) -> Vec<Fields> {
        run(rule, events)
            .expect("the rule gives its rows")
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(f, v)| {
                        let values = match v {
                            Value::Multi(vs) => vs.clone(),
                            other => vec![other.to_string()],
                        };
                        (f.name().to_owned(), values)
                    })
                    .collect()
            })
            .collect()
    }

    /// Every case's rule (from `rule_of`) gives the case's rows; the failures of
    /// `engine` listed together.
    pub fn check(engine: &str, cases: &[Case], mut rule_of: impl FnMut(&Case) -> Box<dyn Rule>) {
        assert!(!cases.is_empty());
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|case| {
                let got = rows_of(rule_of(case).as_mut(), &case.events);
                (got != case.rows).then(|| {
                    format!(
                        "{} `{}`:\n  expected {:?}\n  got      {got:?}",
                        case.name, case.spl, case.rows
                    )
                })
            })
            .collect();
        assert!(failures.is_empty(), "{engine}:\n{}", failures.join("\n"));
    }
}

/// ESCU detections over CIM data models and the macros they need (shared with `build.rs`).
pub mod escu_dm {
    include!("escu_dm.rs");
}
