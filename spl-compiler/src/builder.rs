//! [`Builder`]: compile a pack of rule files into Rust from a build script.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     spl_compiler::Builder::new()
//!         .rules_dir("rules")
//!         .macros_file("rules/macros.conf")
//!         .compile()?;
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! include!(concat!(env!("OUT_DIR"), "/spl_rules.rs"));
//! // one type per rule (`PackageInstallationSysmon`, ...), plus:
//! // pub const RULES: &[spl_runtime::rule::RuleInfo];
//! // pub fn all_rules() -> Vec<Box<dyn spl_runtime::rule::Rule>>;
//! ```
//!
//! Each rule file becomes one type, named from the file stem in CamelCase
//! (`package_installation-sysmon.yml` → `PackageInstallationSysmon`). Every input gets a
//! `cargo:rerun-if-changed` line; the output file is written only when its content
//! changes; a rule that does not compile fails the build with its rendered diagnostics.

use std::fmt;
use std::path::{Path, PathBuf};

use spl_grammar::MacroTable;

use crate::codegen::{generate_pack, to_source};
use crate::compile::{compile_rule, CompileErrors};

/// Configures and runs the compilation of a rule pack (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Builder {
    rule_dirs: Vec<PathBuf>,
    rule_files: Vec<PathBuf>,
    rule_texts: Vec<(String, String)>,
    macro_files: Vec<PathBuf>,
    content_dirs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    file_name: Option<String>,
    undefined_macros_empty: bool,
    rerun: bool,
    warn: bool,
    /// The event type the rules are checked against, as Rust source.
    event_type: Option<String>,
}

/// Why a rule pack did not compile.
#[derive(Debug)]
pub enum BuildError {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// `OUT_DIR` is not set and no output directory was given.
    NoOutDir,
    /// Rules that did not compile, each with its diagnostics.
    Rules(Vec<(PathBuf, CompileErrors)>),
    /// A macros file that could not be read.
    Macros(spl_grammar::Error),
    /// The event type given to [`Builder::event_type`] is not a Rust type.
    EventType(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            BuildError::NoOutDir => {
                f.write_str("OUT_DIR is not set: call out_dir() outside a build script")
            }
            BuildError::Rules(errors) => {
                writeln!(f, "{} rule(s) did not compile:", errors.len())?;
                for (_, e) in errors {
                    writeln!(f, "{e}")?;
                }
                Ok(())
            }
            BuildError::Macros(e) => write!(f, "{e}"),
            BuildError::EventType(t) => write!(f, "event_type: `{t}` is not a Rust type"),
        }
    }
}

impl std::error::Error for BuildError {}

impl Builder {
    /// A builder with no rules yet.
    pub fn new() -> Self {
        Builder {
            rerun: true,
            warn: true,
            ..Builder::default()
        }
    }

    /// Compile every rule file (`.yml`, `.yaml`, `.spl`) under `dir`, recursively.
    #[must_use]
    pub fn rules_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.rule_dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Compile one rule file.
    #[must_use]
    pub fn rule_file(mut self, file: impl AsRef<Path>) -> Self {
        self.rule_files.push(file.as_ref().to_path_buf());
        self
    }

    /// Compile SPL text as a rule named `name` (its id, title and type name).
    #[must_use]
    pub fn rule_spl(mut self, name: impl Into<String>, spl: impl Into<String>) -> Self {
        self.rule_texts.push((name.into(), spl.into()));
        self
    }

    /// Read macro definitions from a Splunk `macros.conf` (later files win).
    #[must_use]
    pub fn macros_file(mut self, file: impl AsRef<Path>) -> Self {
        self.macro_files.push(file.as_ref().to_path_buf());
        self
    }

    /// Read the macros of a content directory: a checkout of Splunk's content catalog
    /// (`macros/*.yml`) or a Splunk app (`default/macros.conf`), with the content defaults
    /// (`*_filter` macros and `drop_dm_object_name`; see
    /// [`MacroTable::add_content_dir`]). Content directories are read before the
    /// [`macros_file`](Self::macros_file)s, which override them. The lookups of the
    /// directory are a runtime matter: `spl_runtime::lookup::LookupsBuilder::content_dir`.
    #[must_use]
    pub fn content_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.content_dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Expand macros with no definition to nothing instead of failing.
    #[must_use]
    pub fn undefined_macros_empty(mut self, on: bool) -> Self {
        self.undefined_macros_empty = on;
        self
    }

    /// Write to `dir` instead of `OUT_DIR`.
    #[must_use]
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The output file name (default `spl_rules.rs`).
    #[must_use]
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines (default: yes).
    #[must_use]
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.rerun = on;
        self
    }

    /// Whether to print each rule's warnings (`splc check`'s lints) as `cargo:warning`
    /// lines, `path:line:col: warning[code]: message` (default: yes).
    #[must_use]
    pub fn emit_warnings(mut self, on: bool) -> Self {
        self.warn = on;
        self
    }

    /// Check every rule against an event type of the program (a path as the generated
    /// file sees it, e.g. `crate::events::Process`), which implements
    /// `spl_runtime::typed::TypedEvent` (`#[derive(spl_runtime::Event)]`): a rule that
    /// reads a field the type does not have makes the build fail, with the rule's
    /// position and a caret in the message (see [`crate::typed`]).
    #[must_use]
    pub fn event_type(mut self, path: impl Into<String>) -> Self {
        self.event_type = Some(path.into());
        self
    }

    /// The warnings of the rules (the lints `splc check` prints), located in their rule
    /// files, one line each: `path:line:col: warning[code]: message`. Rules that do not
    /// compile are the error, as for [`Builder::generate`].
    pub fn warnings(&self) -> Result<Vec<String>, BuildError> {
        crate::compile::with_stack_for_many(|| Ok(self.compile_all()?.1))
    }

    /// Compile the rules and return the generated Rust source.
    pub fn generate(&self) -> Result<String, BuildError> {
        crate::compile::with_stack_for_many(|| self.generate_here())
    }

    fn generate_here(&self) -> Result<String, BuildError> {
        let (compiled, warnings) = self.compile_all()?;
        if self.warn && self.rerun {
            for w in &warnings {
                println!("cargo:warning={w}");
            }
        }
        let mut pack = generate_pack(&compiled);
        if let Some(t) = &self.event_type {
            let ty: syn::Type = syn::parse_str(t).map_err(|_| BuildError::EventType(t.clone()))?;
            let ty = quote::quote!(#ty);
            for c in &compiled {
                pack.extend(crate::typed::field_checks(
                    &c.parsed,
                    &ty,
                    t,
                    proc_macro2::Span::call_site(),
                ));
            }
        }
        Ok(to_source(&pack))
    }

    /// The macro table and the rule paths, each input named in a `cargo:rerun-if-changed`
    /// line; then every rule compiled, with the warnings.
    fn compile_all(&self) -> Result<(Vec<crate::CompiledRule>, Vec<String>), BuildError> {
        let mut macros = MacroTable::new();
        for dir in &self.content_dirs {
            self.rerun_if_changed(dir);
            macros.add_content_dir(dir).map_err(BuildError::Macros)?;
        }
        for path in &self.macro_files {
            self.rerun_if_changed(path);
            macros.add_conf_file(path).map_err(BuildError::Macros)?;
        }
        macros.set_undefined_as_empty(self.undefined_macros_empty);
        for dir in &self.rule_dirs {
            self.rerun_if_changed(dir);
        }
        let paths: Vec<PathBuf> = self
            .rule_files
            .iter()
            .chain(&self.rule_dirs)
            .cloned()
            .collect();
        self.compile_all_with(&macros, &paths)
    }

    /// Every rule compiled, with the warnings of all of them; the rules that fail are the
    /// error.
    fn compile_all_with(
        &self,
        macros: &MacroTable,
        paths: &[PathBuf],
    ) -> Result<(Vec<crate::CompiledRule>, Vec<String>), BuildError> {
        let mut compiled = Vec::new();
        let mut failed = Vec::new();
        let mut warnings = Vec::new();
        let mut loaded = spl_grammar::load_rule_paths(paths);
        for (path, _) in &loaded {
            self.rerun_if_changed(path);
        }
        loaded.extend(self.rule_texts.iter().map(|(name, spl)| {
            (
                PathBuf::from(name),
                Ok(spl_grammar::RuleFile::from_spl_str(spl, name)),
            )
        }));
        for (path, rule) in loaded {
            match rule
                .map_err(CompileErrors::from)
                .and_then(|r| compile_rule(r, macros))
            {
                Ok(c) => {
                    let lints = c
                        .parsed
                        .notes
                        .iter()
                        .filter(|d| d.severity == spl_grammar::Severity::Warning)
                        .chain(&c.warnings);
                    for d in lints {
                        let at = d
                            .line_col()
                            .map_or_else(String::new, |lc| format!(":{}:{}", lc.line, lc.column));
                        warnings.push(format!(
                            "{}{at}: warning[{}]: {}",
                            path.display(),
                            d.code.as_str(),
                            d.message
                        ));
                    }
                    compiled.push(c);
                }
                Err(e) => failed.push((path, e)),
            }
        }
        if !failed.is_empty() {
            return Err(BuildError::Rules(failed));
        }
        Ok((compiled, warnings))
    }

    /// Compile the rules and write the source to the output directory (only when it
    /// changed). Returns the path of the written file.
    pub fn compile(&self) -> Result<PathBuf, BuildError> {
        let source = self.generate()?;
        let dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        let path = dir.join(self.file_name.as_deref().unwrap_or("spl_rules.rs"));
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == source);
        if !unchanged {
            std::fs::write(&path, source).map_err(|source| BuildError::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(path)
    }

    fn rerun_if_changed(&self, path: &Path) {
        if self.rerun {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
