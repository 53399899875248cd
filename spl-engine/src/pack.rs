//! Rule packs for programs that embed splc: load many rules at once, feed events, get rows
//! tagged with their rule, and swap a pack for another while events flow.
//!
//! ```
//! use spl_engine::pack::Pack;
//! use spl_runtime::Record;
//!
//! let mut pack = Pack::builder()
//!     .spl("installs", "TERM(install) | table host")
//!     .spl("per_host", "* | stats count by host")
//!     .build()?;
//! let mut rows = Vec::new();
//! for (raw, host) in [("pip install x", "h1"), ("ls", "h1"), ("npm install y", "h2")] {
//!     let mut e = Record::new();
//!     e.set_raw(raw);
//!     e.set_named("host", host);
//!     pack.push(e, &mut |row| rows.push(row));
//! }
//! // `installs` answers each event at once; `per_host` at the end of the input.
//! assert_eq!(rows.len(), 2);
//! pack.finish(&mut |row| rows.push(row))?;
//! assert_eq!(rows.len(), 4);
//! assert_eq!(rows[2].rule.name, "per_host");
//! # Ok::<(), spl_engine::pack::PackError>(())
//! ```
//!
//! [`Pack`] is `Send` (move it to the thread that feeds it) and `Sync`; feeding takes
//! `&mut self`. [`LivePack`] is a pack that many threads feed through `&self` and that can
//! be replaced at any moment: every event goes through exactly one pack, the old pack's
//! held rows (its `stats` groups and the like) are delivered when it is replaced, and no
//! event is lost or seen twice.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use spl_compiler::{compile_rule, CompileErrors};
use spl_grammar::{MacroTable, RuleFile};
use spl_runtime::lookup::Lookups;
use spl_runtime::pack::RulePack;
use spl_runtime::pipeline::{RunOptions, StepError};
use spl_runtime::rule::{Rule, RuleInfo};
use spl_runtime::Record;

use crate::EvalRule;

/// A result row, with the rule that gave it.
#[derive(Clone, Debug)]
pub struct Row {
    /// The rule (shared by all its rows).
    pub rule: Arc<RuleInfo>,
    /// The row.
    pub record: Record,
}

/// Why a pack could not be built or did not give all its rows.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// Some rules did not compile: each with its diagnostics (which point into the rule
    /// text). No pack is built.
    #[error("{} rule(s) did not compile:{}", .0.len(), list(.0))]
    Rules(Vec<(String, CompileErrors)>),
    /// A macros file could not be read.
    #[error("reading macros from {}: {message}", path.display())]
    Macros {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Rules stopped before giving all their rows (a blocking command could not spill
    /// rows to disk): each rule's name and error. The other rules' rows were all given.
    #[error("{} rule(s) stopped, their results are incomplete:{}", .0.len(), list(.0))]
    Stopped(Vec<(String, StepError)>),
}

/// `name: error` lines, for the error messages.
fn list<E: std::fmt::Display>(items: &[(String, E)]) -> String {
    items.iter().map(|(n, e)| format!("\n{n}: {e}")).collect()
}

/// What to build a [`Pack`] of: rule files and directories, rule texts, macros and run
/// options.
#[derive(Default)]
pub struct PackBuilder {
    macros: MacroTable,
    options: RunOptions,
    sources: Vec<Source>,
    index: bool,
    error: Option<PackError>,
}

enum Source {
    Path(PathBuf),
    Spl { name: String, text: String },
}

impl PackBuilder {
    /// Use `macros` (replacing those given so far).
    pub fn macros(mut self, macros: MacroTable) -> Self {
        self.macros = macros;
        self
    }

    /// Add the macros of a `macros.conf` file (later definitions win). A file that cannot
    /// be read makes [`PackBuilder::build`] fail.
    pub fn macros_file(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        if let Err(e) = self.macros.add_conf_file(path) {
            self.error.get_or_insert(PackError::Macros {
                path: path.to_owned(),
                message: e.to_string(),
            });
        }
        self
    }

    /// The data of `lookup` and `iplocation`.
    pub fn lookups(mut self, lookups: Lookups) -> Self {
        self.options.lookups = lookups;
        self
    }

    /// Run options (memory budget, temporary directory, lookups).
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// Add a rule file (`.yml`, `.yaml`, `.spl`) or every rule file of a directory,
    /// recursively, in path order. A rule is named by its file stem.
    pub fn rules(mut self, path: impl Into<PathBuf>) -> Self {
        self.sources.push(Source::Path(path.into()));
        self
    }

    /// Add a rule given as SPL text, named `name` (its id and title too).
    pub fn spl(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.sources.push(Source::Spl {
            name: name.into(),
            text: text.into(),
        });
        self
    }

    /// Try every rule on every event, without the pack-wide index (for comparison: the
    /// rows are the same).
    pub fn without_index(mut self) -> Self {
        self.index = false;
        self
    }

    /// Compile every rule; the pack, or every rule that did not compile.
    pub fn build(self) -> Result<Pack, PackError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut files = Vec::new();
        for source in self.sources {
            match source {
                Source::Path(path) => {
                    for (path, loaded) in spl_grammar::load_rule_paths(&[path]) {
                        files.push((path.display().to_string(), loaded));
                    }
                }
                Source::Spl { name, text } => {
                    let rule = RuleFile::from_spl_str(&text, &name);
                    files.push((name, Ok(rule)));
                }
            }
        }
        let mut rules: Vec<Box<dyn Rule>> = Vec::with_capacity(files.len());
        let mut infos = Vec::with_capacity(files.len());
        let mut failed = Vec::new();
        for (shown, loaded) in files {
            let compiled = loaded
                .map_err(CompileErrors::from)
                .and_then(|rule| compile_rule(rule, &self.macros));
            match compiled {
                Ok(c) => {
                    let rule = EvalRule::from_compiled_with(&c, self.options.clone());
                    infos.push(Arc::new(rule.info()));
                    rules.push(Box::new(rule));
                }
                Err(e) => failed.push((shown, e)),
            }
        }
        if !failed.is_empty() {
            return Err(PackError::Rules(failed));
        }
        let rules = if self.index {
            RulePack::new(rules)
        } else {
            RulePack::without_index(rules)
        };
        Ok(Pack {
            rules,
            infos,
            out: Vec::new(),
        })
    }
}

/// Rules run together over one stream of events (see the [module documentation](self)).
pub struct Pack {
    rules: RulePack,
    infos: Vec<Arc<RuleInfo>>,
    out: Vec<(spl_runtime::pack::RuleIndex, Record)>,
}

impl std::fmt::Debug for Pack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pack")
            .field("rules", &self.infos.len())
            .finish_non_exhaustive()
    }
}

impl Pack {
    /// What to build a pack of.
    pub fn builder() -> PackBuilder {
        PackBuilder {
            index: true,
            ..PackBuilder::default()
        }
    }

    /// How many rules the pack has.
    pub fn len(&self) -> usize {
        self.infos.len()
    }

    /// True when the pack has no rule.
    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }

    /// The rules' metadata, in pack order.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.infos.iter().map(|i| &**i)
    }

    /// Run one event through the rules it matches; each row they give now goes to `out`
    /// (rules in pack order). Returns how many rules matched.
    pub fn push(&mut self, event: Record, out: &mut dyn FnMut(Row)) -> usize {
        let matched = self.rules.push(event, &mut self.out);
        for (rule, record) in self.out.drain(..) {
            out(Row {
                rule: Arc::clone(&self.infos[rule as usize]),
                record,
            });
        }
        matched
    }

    /// Run events through the pack in order, as [`Pack::push`] does each.
    pub fn push_all(&mut self, events: impl IntoIterator<Item = Record>, out: &mut dyn FnMut(Row)) {
        for event in events {
            self.push(event, out);
        }
    }

    /// The end of the input: every rule's held rows (`stats` groups, `sort`ed rows, ...),
    /// in pack order. An error names the rules that could not give all their rows; the
    /// others' were all given.
    pub fn finish(mut self, out: &mut dyn FnMut(Row)) -> Result<(), PackError> {
        let infos = &self.infos;
        let stopped = self.rules.finish(&mut |rule, record| {
            out(Row {
                rule: Arc::clone(&infos[rule as usize]),
                record,
            });
        });
        if stopped.is_empty() {
            return Ok(());
        }
        Err(PackError::Stopped(
            stopped
                .into_iter()
                .map(|(rule, e)| (infos[rule as usize].name.to_string(), e))
                .collect(),
        ))
    }
}

/// A pack that threads feed through a shared reference, and that can be replaced while
/// they do (for rules reloaded from disk): each event goes through the pack in place
/// when it is pushed, exactly once; [`LivePack::replace`] finishes the old pack (its held
/// rows go to the caller) and every later event goes to the new one.
///
/// Events are run one at a time (a lock is held for each); to use several cores, give
/// each thread a pack of its own, or batch events before pushing.
#[derive(Debug)]
pub struct LivePack {
    pack: Mutex<Pack>,
}

impl LivePack {
    /// Start with `pack`.
    pub fn new(pack: Pack) -> Self {
        LivePack {
            pack: Mutex::new(pack),
        }
    }

    /// Run one event through the current pack ([`Pack::push`]).
    pub fn push(&self, event: Record, out: &mut dyn FnMut(Row)) -> usize {
        self.lock().push(event, out)
    }

    /// Run events through the current pack, all through the same one.
    pub fn push_all(&self, events: impl IntoIterator<Item = Record>, out: &mut dyn FnMut(Row)) {
        self.lock().push_all(events, out);
    }

    /// Put `pack` in place of the current one, which is finished: its held rows go to
    /// `out` before any event reaches `pack`. An error is the old pack's
    /// ([`Pack::finish`]); the new one is in place either way.
    pub fn replace(&self, pack: Pack, out: &mut dyn FnMut(Row)) -> Result<(), PackError> {
        let mut current = self.lock();
        let old = std::mem::replace(&mut *current, pack);
        old.finish(out)
    }

    /// The end of the input: finish the current pack.
    pub fn finish(self, out: &mut dyn FnMut(Row)) -> Result<(), PackError> {
        self.pack
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .finish(out)
    }

    /// The current pack. A thread that panicked while holding it left it whole (pushing
    /// an event changes it only through the rules' own steps), so it is used on.
    fn lock(&self) -> std::sync::MutexGuard<'_, Pack> {
        self.pack.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_live_packs_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Pack>();
        send_sync::<LivePack>();
        send_sync::<Row>();
        send_sync::<PackError>();
    }

    #[test]
    fn rules_that_do_not_compile_are_all_reported() {
        let err = Pack::builder()
            .spl("good", "x=1")
            .spl("bad1", "x=(")
            .spl("bad2", "| nosuchcommand")
            .build()
            .expect_err("two rules do not compile");
        let PackError::Rules(failed) = &err else {
            panic!("{err}");
        };
        let names: Vec<&str> = failed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["bad1", "bad2"]);
        assert!(
            err.to_string().starts_with("2 rule(s) did not compile:"),
            "{err}"
        );
        let err = Pack::builder()
            .macros_file("/nonexistent/macros.conf")
            .spl("good", "x=1")
            .build()
            .expect_err("no macros file");
        assert!(matches!(err, PackError::Macros { .. }), "{err}");
    }
}
