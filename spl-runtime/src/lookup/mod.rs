//! What `lookup` and `iplocation` read: lookup tables, external lookups, a GeoIP
//! database.
//!
//! A [`Lookups`] is handed to a rule's pipeline in its
//! [`RunOptions`](crate::pipeline::RunOptions); both back ends build their `lookup` and
//! `iplocation` steps from it, so they find the same data. It holds:
//!
//! - directories searched for lookup files by name (`name`, then `name.csv`), as
//!   `splc run --lookups DIR` gives them;
//! - lookup definitions from a `transforms.conf` ([`parse_transforms`]): a name that
//!   stands for a file, with its match rules (`WILDCARD`, `CIDR`, case, `max_matches`,
//!   `min_matches`, `default_match`);
//! - the definitions and files of a content directory ([`LookupsBuilder::content_dir`]):
//!   Splunk's content catalog (`lookups/*.yml` beside their CSV files) or a Splunk app
//!   (`default/transforms.conf`, `lookups/`), as `--content DIR` gives it;
//! - tables the embedding program gives by name ([`LookupsBuilder::table`]);
//! - a [`Resolver`] for Splunk's external lookup `dnslookup`; without one, a table named
//!   `dnslookup` (a `dnslookup.csv` in a lookup directory, columns `clienthost` and
//!   `clientip`) answers it through [`TableResolver`]. splc never asks the network unless
//!   the program supplies a resolver that does;
//! - `ut_shannon_lookup`, the external lookup behind URL Toolbox's `ut_shannon` macro,
//!   built in: the Shannon entropy of a word ([`shannon_entropy`]);
//! - a GeoIP database ([`GeoIp`](crate::geoip::GeoIp)) for `iplocation`.
//!
//! A lookup whose data is missing does not stop a rule: its step passes rows on unchanged
//! (the output fields stay absent, so `isnull(...)` keeps its meaning) and one warning
//! naming the lookup is kept in [`Lookups::warnings`].

mod conf;
mod table;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use conf::{parse_lookup_yaml, parse_transforms, Definition, MatchRules};
pub use table::Table;

use crate::geoip::GeoIp;
use crate::value::format_number;
use table::TableFinder;

/// An error reading lookup data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A CSV table is malformed.
    #[error("{origin}: {message}")]
    Csv {
        /// The file or name of the table.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A `transforms.conf` line is malformed.
    #[error("{origin}:{line}: {message}")]
    Conf {
        /// The file.
        origin: String,
        /// The line (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Resolves names and addresses for the external lookup `dnslookup`.
pub trait Resolver: Send + Sync {
    /// The host name of an address (`clientip` → `clienthost`).
    fn host_of(&self, ip: &str) -> Option<String>;
    /// The address of a host name (`clienthost` → `clientip`).
    fn address_of(&self, host: &str) -> Option<String>;
}

/// A [`Resolver`] answering from a table with columns `clienthost` and `clientip`
/// (the first row that matches; names compare without case, addresses exactly).
#[derive(Debug, Default)]
pub struct TableResolver {
    hosts: HashMap<String, String>,
    addresses: HashMap<String, String>,
}

impl TableResolver {
    /// The resolver of `table`; an error names a missing column.
    pub fn new(table: &Table) -> Result<TableResolver, LookupError> {
        let column = |name: &str| {
            table
                .columns()
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| LookupError::Csv {
                    origin: "dnslookup".to_owned(),
                    message: format!("a resolver table needs a `{name}` column"),
                })
        };
        let (host, ip) = (column("clienthost")?, column("clientip")?);
        let mut resolver = TableResolver::default();
        for row in table.rows() {
            let (h, a) = (&row[host], &row[ip]);
            if h.is_empty() || a.is_empty() {
                continue;
            }
            resolver
                .hosts
                .entry(a.trim().to_owned())
                .or_insert_with(|| h.clone());
            resolver
                .addresses
                .entry(h.trim().to_ascii_lowercase())
                .or_insert_with(|| a.clone());
        }
        Ok(resolver)
    }
}

impl Resolver for TableResolver {
    fn host_of(&self, ip: &str) -> Option<String> {
        self.hosts.get(ip.trim()).cloned()
    }

    fn address_of(&self, host: &str) -> Option<String> {
        self.addresses
            .get(&host.trim().to_ascii_lowercase())
            .cloned()
    }
}

/// The Shannon entropy of `word` in bits per character: `-Σ p·log2(p)` over its
/// distinct characters, `p` being each one's share of the characters; 0 for an empty
/// word. What URL Toolbox's `ut_shannon` computes.
///
/// ```
/// use spl_runtime::lookup::shannon_entropy;
/// assert_eq!(shannon_entropy("aaaa"), 0.0);
/// assert_eq!(shannon_entropy("ab"), 1.0);
/// assert_eq!(shannon_entropy("abcd"), 2.0);
/// ```
pub fn shannon_entropy(word: &str) -> f64 {
    let mut counts: Vec<(char, u32)> = Vec::new();
    let mut n = 0u32;
    for c in word.chars() {
        n += 1;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, k)) => *k += 1,
            None => counts.push((c, 1)),
        }
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    let h: f64 = counts
        .iter()
        .map(|&(_, k)| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum();
    // -0.0 for a single repeated character.
    h + 0.0
}

/// Finds the rows of one lookup for one combination of input values.
pub(crate) trait Finder: Send + Sync {
    /// Give `hit(i, value)` for output `i` of each matching row, rows in order; returns
    /// the number of rows that matched. `key` is scratch room.
    fn find(&self, values: &[&str], key: &mut String, hit: &mut dyn FnMut(usize, &str)) -> usize;
}

/// A lookup ready for one command: its finder and the columns it gives.
pub(crate) struct Prepared {
    pub(crate) finder: Box<dyn Finder>,
    /// The output columns, in order (the command's, or every column but the inputs).
    pub(crate) outputs: Vec<String>,
    /// `min_matches` and `default_match`.
    pub(crate) default: Option<(usize, String)>,
}

/// Where one lookup's rows come from.
enum Source {
    Table(Arc<Table>),
    Dns(Arc<dyn Resolver>),
    Entropy,
}

impl Source {
    fn columns(&self) -> Vec<String> {
        match self {
            Source::Table(t) => t.columns().to_vec(),
            Source::Dns(_) => vec!["clienthost".to_owned(), "clientip".to_owned()],
            Source::Entropy => vec!["word".to_owned(), "ut_shannon".to_owned()],
        }
    }
}

/// Lookup data for the `lookup` and `iplocation` steps (see the module docs). Cheap to
/// clone: clones share the data, the tables read so far and the warnings.
#[derive(Clone, Default)]
pub struct Lookups(Arc<Inner>);

#[derive(Default)]
struct Inner {
    dirs: Vec<PathBuf>,
    definitions: HashMap<String, Definition>,
    given: HashMap<String, Arc<Table>>,
    resolver: Option<Arc<dyn Resolver>>,
    geoip: Option<GeoIp>,
    /// Files read so far, by path (an error is kept as its message).
    loaded: Mutex<HashMap<PathBuf, Result<Arc<Table>, String>>>,
    warnings: Mutex<Vec<String>>,
}

impl fmt::Debug for Lookups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lookups")
            .field("dirs", &self.0.dirs)
            .field("definitions", &self.0.definitions.len())
            .field("tables", &self.0.given.len())
            .field("resolver", &self.0.resolver.is_some())
            .field("geoip", &self.0.geoip.is_some())
            .finish()
    }
}

/// Two are equal when they share their data.
impl PartialEq for Lookups {
    fn eq(&self, other: &Lookups) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Lookups {}

/// Builds a [`Lookups`].
#[derive(Default)]
pub struct LookupsBuilder {
    inner: Inner,
}

impl LookupsBuilder {
    /// Search `dir` for lookup files (after the directories given before).
    #[must_use]
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.inner.dirs.push(dir.into());
        self
    }

    /// Add the lookup definitions of a `transforms.conf` file (later ones win).
    pub fn transforms_file(self, path: &Path) -> Result<Self, LookupError> {
        let text = std::fs::read_to_string(path).map_err(|e| LookupError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.transforms(&text, &path.display().to_string())
    }

    /// Add the lookup definitions of `transforms.conf` text; `origin` names it in errors.
    pub fn transforms(mut self, text: &str, origin: &str) -> Result<Self, LookupError> {
        let defs = parse_transforms(text, origin)?;
        self.inner.definitions.extend(conf::by_name(defs));
        Ok(self)
    }

    /// Add the lookups of a content directory: a checkout of Splunk's content catalog
    /// (every `lookups/*.yml` definition, in name order, see
    /// [`parse_lookup_yaml`]) or a Splunk app
    /// (`default/transforms.conf`, then `local/transforms.conf`); in both, the files
    /// are in `lookups/`, which becomes a lookup directory.
    pub fn content_dir(mut self, dir: &Path) -> Result<Self, LookupError> {
        let io = |path: &Path, e: std::io::Error| LookupError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let lookups = dir.join("lookups");
        if lookups.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&lookups)
                .map_err(|e| io(&lookups, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
                .collect();
            files.sort();
            for path in files {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                let def = conf::parse_lookup_yaml(&text, &path.display().to_string())?;
                self.inner.definitions.insert(def.name.clone(), def);
            }
            self = self.dir(lookups);
        }
        for conf in ["default", "local"] {
            let path = dir.join(conf).join("transforms.conf");
            if path.is_file() {
                self = self.transforms_file(&path)?;
            }
        }
        Ok(self)
    }

    /// Give a table by name: `lookup NAME ...` uses it before any file.
    #[must_use]
    pub fn table(mut self, name: impl Into<String>, table: Table) -> Self {
        self.inner.given.insert(name.into(), Arc::new(table));
        self
    }

    /// Answer `dnslookup` with `resolver`.
    #[must_use]
    pub fn resolver(mut self, resolver: Arc<dyn Resolver>) -> Self {
        self.inner.resolver = Some(resolver);
        self
    }

    /// Answer `iplocation` from `geoip`.
    #[must_use]
    pub fn geoip(mut self, geoip: GeoIp) -> Self {
        self.inner.geoip = Some(geoip);
        self
    }

    /// The lookups.
    pub fn build(self) -> Lookups {
        Lookups(Arc::new(self.inner))
    }
}

/// The external lookups splc provides.
const DNSLOOKUP: &str = "dnslookup";
const UT_SHANNON: &str = "ut_shannon_lookup";

impl Lookups {
    /// No lookup data: every `lookup` and `iplocation` passes rows on unchanged, with a
    /// warning.
    pub fn none() -> Lookups {
        Lookups::default()
    }

    /// A builder.
    pub fn builder() -> LookupsBuilder {
        LookupsBuilder::default()
    }

    /// The warnings so far, each once, in the order they arose (a lookup without data, a
    /// table without a column a command names, ...).
    pub fn warnings(&self) -> Vec<String> {
        self.0
            .warnings
            .lock()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    /// Keep a warning (once).
    pub(crate) fn warn(&self, message: String) {
        if let Ok(mut w) = self.0.warnings.lock() {
            if !w.contains(&message) {
                w.push(message);
            }
        }
    }

    /// The GeoIP database of `iplocation`, if any.
    pub(crate) fn geoip(&self) -> Option<&GeoIp> {
        self.0.geoip.as_ref()
    }

    /// The lookup `name` prepared for these input columns and output columns (empty:
    /// every column but the inputs); `Err` is the warning to give when it cannot run.
    pub(crate) fn prepare(
        &self,
        name: &str,
        inputs: &[&str],
        outputs: &[&str],
    ) -> Result<Prepared, String> {
        let source = self.source(name)?;
        let outputs: Vec<String> = if outputs.is_empty() {
            source
                .columns()
                .into_iter()
                .filter(|c| !inputs.contains(&c.as_str()))
                .collect()
        } else {
            outputs.iter().map(|s| (*s).to_owned()).collect()
        };
        let out_refs: Vec<&str> = outputs.iter().map(String::as_str).collect();
        let in_lookup = |m: String| format!("lookup `{name}` {m}");
        let (finder, default): (Box<dyn Finder>, _) = match source {
            Source::Table(t) => {
                let rules = t.rules();
                let default = rules
                    .default_match
                    .clone()
                    .filter(|_| rules.min_matches > 0)
                    .map(|d| (rules.min_matches, d));
                let finder =
                    TableFinder::new(Arc::clone(&t), inputs, &out_refs).map_err(in_lookup)?;
                (Box::new(finder), default)
            }
            Source::Dns(r) => (
                Box::new(DnsFinder::new(r, inputs, &out_refs).map_err(in_lookup)?),
                None,
            ),
            Source::Entropy => (
                Box::new(EntropyFinder::new(inputs, &out_refs).map_err(in_lookup)?),
                None,
            ),
        };
        Ok(Prepared {
            finder,
            outputs,
            default,
        })
    }

    /// The rows of the table `name` (`inputlookup`); `Err` is the warning to give when
    /// there is no such table.
    pub(crate) fn table(&self, name: &str) -> Result<Arc<Table>, String> {
        match self.source(name)? {
            Source::Table(t) => Ok(t),
            Source::Dns(_) | Source::Entropy => Err(format!(
                "`inputlookup {name}`: not a table (a built-in lookup); it gives no rows"
            )),
        }
    }

    fn source(&self, name: &str) -> Result<Source, String> {
        let inner = &self.0;
        if let Some(t) = inner.given.get(name) {
            return Ok(Source::Table(Arc::clone(t)));
        }
        let definition = inner.definitions.get(name);
        let file = match definition {
            Some(d) => d.filename.clone(),
            None => None,
        };
        let builtin = definition.is_none_or(|d| d.external.is_some());
        if builtin && name == UT_SHANNON {
            return Ok(Source::Entropy);
        }
        if builtin && name == DNSLOOKUP {
            if let Some(r) = &inner.resolver {
                return Ok(Source::Dns(Arc::clone(r)));
            }
            let table = self.file(name, None, &MatchRules::default())?.ok_or_else(|| {
                format!(
                    "lookup `{name}` has no resolver: give one in the library, or a `{name}.csv` \
                     (columns clienthost, clientip) in a lookup directory; its output fields stay absent"
                )
            })?;
            let resolver =
                TableResolver::new(&table).map_err(|e| format!("lookup `{name}`: {e}"))?;
            return Ok(Source::Dns(Arc::new(resolver)));
        }
        if let Some(d) = definition {
            if d.external.is_some() {
                return Err(format!(
                    "lookup `{name}` is an external lookup that splc does not provide; its output fields stay absent"
                ));
            }
        }
        let rules = definition.map(|d| d.rules.clone()).unwrap_or_default();
        match self.file(name, file.as_deref(), &rules)? {
            Some(t) => Ok(Source::Table(t)),
            None => Err(format!(
                "lookup `{name}`: no table of that name{}; its output fields stay absent",
                if inner.dirs.is_empty() {
                    " (no lookup directory given)".to_owned()
                } else {
                    format!(
                        " in {}",
                        inner
                            .dirs
                            .iter()
                            .map(|d| d.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            )),
        }
    }

    /// The table in the file `filename` (or `name`, then `name.csv`) of the first lookup
    /// directory that has it; `Ok(None)` when none has.
    fn file(
        &self,
        name: &str,
        filename: Option<&str>,
        rules: &MatchRules,
    ) -> Result<Option<Arc<Table>>, String> {
        let candidates: Vec<String> = match filename {
            Some(f) => vec![f.to_owned()],
            None if name.ends_with(".csv") => vec![name.to_owned()],
            None => vec![name.to_owned(), format!("{name}.csv")],
        };
        for file in &candidates {
            if file.contains(['/', '\\']) || file.starts_with('.') || file.is_empty() {
                return Err(format!(
                    "lookup `{name}`: `{file}` is not a file name (a lookup file is found by name in the lookup directories)"
                ));
            }
        }
        for dir in &self.0.dirs {
            for file in &candidates {
                let path = dir.join(file);
                if !path.is_file() {
                    continue;
                }
                let mut loaded = self
                    .0
                    .loaded
                    .lock()
                    .map_err(|_| format!("lookup `{name}`: the table cache is unusable"))?;
                let entry = loaded.entry(path.clone()).or_insert_with(|| {
                    Table::from_path(&path, rules.clone())
                        .map(Arc::new)
                        .map_err(|e| e.to_string())
                });
                return match entry {
                    Ok(t) if t.rules() == rules => Ok(Some(Arc::clone(t))),
                    Ok(t) => Ok(Some(Arc::new((**t).clone().with_rules(rules.clone())))),
                    Err(e) => Err(format!(
                        "lookup `{name}`: {e}; its output fields stay absent"
                    )),
                };
            }
        }
        Ok(None)
    }
}

/// `dnslookup`: `clientip` → `clienthost`, or `clienthost` → `clientip`.
struct DnsFinder {
    resolver: Arc<dyn Resolver>,
    /// True when the input is `clientip`.
    by_ip: bool,
    /// For each output: true for `clienthost`.
    outputs: Vec<bool>,
}

impl DnsFinder {
    fn new(
        resolver: Arc<dyn Resolver>,
        inputs: &[&str],
        outputs: &[&str],
    ) -> Result<DnsFinder, String> {
        let by_ip = match inputs {
            ["clientip"] => true,
            ["clienthost"] => false,
            _ => return Err("matches one column, `clientip` or `clienthost`".to_owned()),
        };
        let outputs = outputs
            .iter()
            .map(|o| match *o {
                "clienthost" => Ok(true),
                "clientip" => Ok(false),
                other => Err(format!(
                    "has no column `{other}` (its columns: clienthost, clientip)"
                )),
            })
            .collect::<Result<_, _>>()?;
        Ok(DnsFinder {
            resolver,
            by_ip,
            outputs,
        })
    }
}

impl Finder for DnsFinder {
    fn find(&self, values: &[&str], _: &mut String, hit: &mut dyn FnMut(usize, &str)) -> usize {
        let Some(value) = values.first() else {
            return 0;
        };
        let other = if self.by_ip {
            self.resolver.host_of(value)
        } else {
            self.resolver.address_of(value)
        };
        let Some(other) = other else { return 0 };
        for (i, &host) in self.outputs.iter().enumerate() {
            hit(i, if host == self.by_ip { &other } else { value });
        }
        1
    }
}

/// `ut_shannon_lookup`: `word` → `ut_shannon`.
struct EntropyFinder {
    /// For each output: true for `ut_shannon`.
    outputs: Vec<bool>,
}

impl EntropyFinder {
    fn new(inputs: &[&str], outputs: &[&str]) -> Result<EntropyFinder, String> {
        if inputs != ["word"] {
            return Err("matches one column, `word`".to_owned());
        }
        let outputs = outputs
            .iter()
            .map(|o| match *o {
                "ut_shannon" => Ok(true),
                "word" => Ok(false),
                other => Err(format!(
                    "has no column `{other}` (its columns: word, ut_shannon)"
                )),
            })
            .collect::<Result<_, _>>()?;
        Ok(EntropyFinder { outputs })
    }
}

impl Finder for EntropyFinder {
    fn find(&self, values: &[&str], _: &mut String, hit: &mut dyn FnMut(usize, &str)) -> usize {
        let Some(word) = values.first() else { return 0 };
        let h = format_number(shannon_entropy(word));
        for (i, &entropy) in self.outputs.iter().enumerate() {
            hit(i, if entropy { &h } else { word });
        }
        1
    }
}
