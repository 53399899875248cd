//! Search macros: definitions ([`MacroTable`], read from `macros.conf` by [`conf`]) and
//! their expansion ([`expand`](mod@expand)), with a [`SourceMap`] from the expanded text back to the
//! text as written.
//!
//! # Which definition a call gets
//!
//! A call `` `name` `` or `` `name(a, b)` `` is looked up by name *and* number of
//! arguments (`name(2)` is another macro than `name`), in this order:
//!
//! 1. a user definition (from the `macros.conf` files given, later files overriding
//!    earlier ones setting by setting, as Splunk layers `.conf` files; or from
//!    [`MacroTable::define`]);
//! 2. the built-in defaults, unless turned off ([`MacroTable::set_builtins`]):
//!    - a data-source macro, any name matching `get_*_data*` called without arguments,
//!      expands to nothing, so it matches every event; each use earns a note (`N0201`);
//!    - `hec_collect` (an output sink: it sends results elsewhere) expands to nothing;
//!    - with content defaults on ([`MacroTable::set_content_builtins`], which
//!      [`MacroTable::add_content_dir`] turns on): a macro without arguments whose name
//!      ends in `_filter` is `search *` (Splunk's content tooling generates one such
//!      filter per detection, for users to edit), and `drop_dm_object_name(1)` is
//!      `rename $object$.* AS *` (its definition in Splunk's CIM add-on);
//! 3. when [`MacroTable::set_undefined_as_empty`] is on, any other macro expands to
//!    nothing, with a warning (`W0202`) for each use;
//! 4. otherwise the call is an error: `undefined macro `name(2)`` (`E0201`), or, when the
//!    name is defined for other numbers of arguments, `E0202`.
//!
//! Macros with `iseval = true` load, but calling one is an error (`E0204`): their
//! definition is an eval expression whose value is the expansion, and splc does not
//! evaluate eval expressions while parsing.

pub mod conf;
pub mod expand;
pub mod source_map;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

pub use expand::{expand, Expanded, Expander, MAX_DEPTH, MAX_EXPANDED_LEN};
pub use source_map::{ExpansionId, ExpansionRecord, MappedSpan, SourceMap};

use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::error::{Error, Phase};
use crate::span::{LineIndex, Span};

/// One macro definition: a `macros.conf` stanza after merging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDef {
    /// The name, without arity.
    pub name: String,
    /// The number of arguments (`N` of `[name(N)]`; 0 for `[name]`).
    pub arity: usize,
    /// The argument names (`args`), in order; as many as `arity`.
    pub args: Vec<String>,
    /// The expansion text (`definition`); `None` when no stanza gave one.
    pub definition: Option<String>,
    /// `iseval = true`: the definition is an eval expression (not supported when called).
    pub iseval: bool,
    /// `description`.
    pub description: Option<String>,
    /// `validation`: an eval expression over the arguments (kept, not checked).
    pub validation: Option<String>,
    /// `errormsg`: the message for a failed validation.
    pub errormsg: Option<String>,
    /// Every other setting, in file order (a later file's value replaces an earlier one).
    pub other: Vec<(String, String)>,
    /// Where the definition was given (`path:line` of the `definition` setting, or of the
    /// stanza), when it comes from a file.
    pub defined_at: Option<String>,
}

impl MacroDef {
    /// A definition of `name` with argument names `args` (its arity is their number) that
    /// expands to `definition`.
    pub fn new(name: impl Into<String>, args: &[&str], definition: impl Into<String>) -> Self {
        MacroDef {
            name: name.into(),
            arity: args.len(),
            args: args.iter().map(|a| a.to_string()).collect(),
            definition: Some(definition.into()),
            iseval: false,
            description: None,
            validation: None,
            errormsg: None,
            other: Vec::new(),
            defined_at: None,
        }
    }

    fn empty(name: &str, arity: usize) -> Self {
        MacroDef {
            definition: None,
            arity,
            ..MacroDef::new(name, &[], "")
        }
    }

    /// The macro as `name` or `name(N)`.
    pub fn display_name(&self) -> String {
        display_name(&self.name, self.arity)
    }
}

/// `name` for no arguments, `name(N)` otherwise: how `macros.conf` names a macro.
pub fn display_name(name: &str, arity: usize) -> String {
    if arity == 0 {
        name.to_string()
    } else {
        format!("{name}({arity})")
    }
}

/// True for the names of data-source macros: `get_*_data*` (`get_endpoint_data`,
/// `get_web_data_proxy`, ...).
pub fn is_data_source_name(name: &str) -> bool {
    name.strip_prefix("get_")
        .is_some_and(|rest| rest.contains("_data"))
}

/// The name of the built-in output-sink macro.
pub const OUTPUT_SINK: &str = "hec_collect";

/// What a `*_filter` macro without a definition expands to, with content defaults on.
pub static CONTENT_FILTER: LazyLock<MacroDef> = LazyLock::new(|| MacroDef {
    description: Some(
        "a detection's filter macro, as Splunk's content tooling generates it".into(),
    ),
    defined_at: Some("built-in (content default)".into()),
    ..MacroDef::new("<detection>_filter", &[], "search *")
});

/// `drop_dm_object_name(1)`, as Splunk's CIM add-on defines it, with content defaults on.
pub static DROP_DM_OBJECT_NAME: LazyLock<MacroDef> = LazyLock::new(|| MacroDef {
    description: Some("drop the data-model object prefix of field names (CIM add-on)".into()),
    defined_at: Some("built-in (CIM add-on)".into()),
    ..MacroDef::new("drop_dm_object_name", &["object"], "rename $object$.* AS *")
});

/// What a call resolves to; see the [module docs](self) for the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// A user definition.
    Defined(&'a MacroDef),
    /// A built-in data-source default: expands to nothing, with a note.
    DataSource,
    /// The built-in output sink: expands to nothing.
    OutputSink,
    /// Undefined, and the table asks for undefined macros to expand to nothing.
    UndefinedEmpty,
    /// Undefined.
    Undefined,
}

/// Macro definitions and the policy for calls without one. See the [module docs](self).
///
/// ```
/// use spl_grammar::macros::{MacroTable, Resolution};
///
/// let mut table = MacroTable::new();
/// table.add_conf_str("[group_events(2)]\nargs = fields, span\ndefinition = | stats count by $fields$\n", "macros.conf")?;
/// assert!(matches!(table.resolve("group_events", 2), Resolution::Defined(_)));
/// assert_eq!(table.resolve("get_endpoint_data", 0), Resolution::DataSource);
/// assert_eq!(table.resolve("group_events", 1), Resolution::Undefined);
/// # Ok::<(), spl_grammar::error::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroTable {
    defs: BTreeMap<(String, usize), MacroDef>,
    builtins: bool,
    content_builtins: bool,
    undefined_as_empty: bool,
}

impl Default for MacroTable {
    fn default() -> Self {
        MacroTable::new()
    }
}

impl MacroTable {
    /// No user definitions; built-in defaults on; undefined macros are errors.
    pub fn new() -> Self {
        MacroTable {
            defs: BTreeMap::new(),
            builtins: true,
            content_builtins: false,
            undefined_as_empty: false,
        }
    }

    /// Read one `macros.conf` file and add its definitions (see [`add_conf_str`](Self::add_conf_str)).
    pub fn add_conf_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        self.add_conf_str(&text, &path.display().to_string())
    }

    /// A table from `macros.conf` files, later files overriding earlier ones.
    pub fn from_conf_files<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Self, Error> {
        let mut table = MacroTable::new();
        for path in paths {
            table.add_conf_file(path)?;
        }
        Ok(table)
    }

    /// Add the definitions of a `macros.conf` text; `name` names it in diagnostics
    /// (usually its path). Settings of a stanza that is already defined replace the
    /// earlier values one by one, as Splunk layers `.conf` files. On error (with the
    /// file's line and column) the table is left unchanged.
    pub fn add_conf_str(&mut self, text: &str, name: &str) -> Result<(), Error> {
        let source = Arc::new(SourceFile::new(name, text));
        let fail = |d: Diagnostic| Error::new(Phase::Load, d.with_source(source.clone()));
        let stanzas = conf::parse_conf(text).map_err(|d| fail(*d))?;
        let lines = LineIndex::new(text);
        let line_of = |span: Span| lines.line_col(text, span.start).line;
        let mut defs = self.defs.clone();
        for stanza in &stanzas {
            if stanza.name == "default" {
                continue;
            }
            let Some((macro_name, arity)) = conf::split_stanza_name(&stanza.name) else {
                return Err(fail(
                    Diagnostic::error(
                        Code::CONF_STANZA,
                        format!("invalid macro stanza `[{}]`", stanza.name),
                    )
                    .with_primary(stanza.span, "expected `[name]` or `[name(N)]`"),
                ));
            };
            let def = defs
                .entry((macro_name.to_string(), arity))
                .or_insert_with(|| MacroDef::empty(macro_name, arity));
            if def.defined_at.is_none() {
                def.defined_at = Some(format!("{name}:{}", line_of(stanza.span)));
            }
            for setting in &stanza.settings {
                let value = setting.value.clone();
                match setting.key.as_str() {
                    "definition" => {
                        def.definition = Some(value);
                        def.defined_at = Some(format!("{name}:{}", line_of(setting.span)));
                    }
                    "args" => {
                        def.args = conf::parse_args(&value).map_err(|label| {
                            fail(
                                Diagnostic::error(Code::CONF_ARGS, "invalid `args`")
                                    .with_primary(setting.span, label),
                            )
                        })?;
                    }
                    "iseval" => {
                        def.iseval = conf::parse_bool(&value).ok_or_else(|| {
                            fail(
                                Diagnostic::error(
                                    Code::CONF_BOOL,
                                    format!("`iseval = {value}` is not a boolean"),
                                )
                                .with_primary(setting.span, "expected `true` or `false`"),
                            )
                        })?;
                    }
                    "description" => def.description = Some(value),
                    "validation" => def.validation = Some(value),
                    "errormsg" => def.errormsg = Some(value),
                    key => match def.other.iter_mut().find(|(k, _)| k == key) {
                        Some(slot) => slot.1 = value,
                        None => def.other.push((key.to_string(), value)),
                    },
                }
            }
            if arity > 0 && def.args.len() != arity {
                let (span, label) = match stanza.settings.iter().rev().find(|s| s.key == "args") {
                    Some(s) => (s.span, format!("{} name(s) given", def.args.len())),
                    None => (stanza.span, "no `args` setting".to_string()),
                };
                return Err(fail(
                    Diagnostic::error(
                        Code::CONF_ARGS,
                        format!(
                            "macro `{}` takes {arity} argument(s), so `args` must name {arity}",
                            def.display_name()
                        ),
                    )
                    .with_primary(span, label),
                ));
            }
        }
        self.defs = defs;
        Ok(())
    }

    /// Add the definition of one YAML macro file of Splunk's content catalog (see
    /// [`yaml`]); `name` names it in diagnostics. It replaces an earlier definition of the
    /// same name and arity.
    pub fn add_yaml_str(&mut self, text: &str, name: &str) -> Result<(), Error> {
        let def = yaml::parse_macro_yaml(text, name)?;
        self.define(def);
        Ok(())
    }

    /// Read one YAML macro file (see [`add_yaml_str`](Self::add_yaml_str)).
    pub fn add_yaml_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        self.add_yaml_str(&text, &path.display().to_string())
    }

    /// Add the macros of a content directory and turn the content defaults on
    /// ([`set_content_builtins`](Self::set_content_builtins)). `dir` is a checkout of
    /// Splunk's content catalog (every `macros/*.yml`, in name order) or a Splunk app
    /// (`default/macros.conf`, then `local/macros.conf`); both are read when present.
    pub fn add_content_dir(&mut self, dir: impl AsRef<Path>) -> Result<(), Error> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                &std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            ));
        }
        for path in yaml_files(&dir.join("macros"))? {
            self.add_yaml_file(&path)?;
        }
        for conf in ["default", "local"] {
            let path = dir.join(conf).join("macros.conf");
            if path.is_file() {
                self.add_conf_file(&path)?;
            }
        }
        self.content_builtins = true;
        Ok(())
    }

    /// Turn the content defaults on or off (default off; see the [module docs](self)).
    pub fn set_content_builtins(&mut self, on: bool) -> &mut Self {
        self.content_builtins = on;
        self
    }

    /// Whether the content defaults apply.
    pub fn content_builtins(&self) -> bool {
        self.content_builtins
    }

    /// Add (or replace) one definition.
    pub fn define(&mut self, def: MacroDef) {
        self.defs.insert((def.name.clone(), def.arity), def);
    }

    /// Turn the built-in defaults (`get_*_data*`, `hec_collect`) on or off (default on).
    pub fn set_builtins(&mut self, on: bool) -> &mut Self {
        self.builtins = on;
        self
    }

    /// Let undefined macros expand to nothing, with a warning each (default off: they are
    /// errors).
    pub fn set_undefined_as_empty(&mut self, on: bool) -> &mut Self {
        self.undefined_as_empty = on;
        self
    }

    /// The same table with [`set_undefined_as_empty`](Self::set_undefined_as_empty).
    pub fn with_undefined_as_empty(mut self, on: bool) -> Self {
        self.undefined_as_empty = on;
        self
    }

    /// Whether the built-in defaults apply.
    pub fn builtins(&self) -> bool {
        self.builtins
    }

    /// Whether undefined macros expand to nothing.
    pub fn undefined_as_empty(&self) -> bool {
        self.undefined_as_empty
    }

    /// The user definition of `name` with `arity` arguments.
    pub fn get(&self, name: &str, arity: usize) -> Option<&MacroDef> {
        self.defs.get(&(name.to_string(), arity))
    }

    /// All user definitions, by name then arity.
    pub fn iter(&self) -> impl Iterator<Item = &MacroDef> {
        self.defs.values()
    }

    /// The arities `name` has user definitions for.
    pub fn arities(&self, name: &str) -> Vec<usize> {
        self.defs
            .keys()
            .filter(|(n, _)| n == name)
            .map(|(_, a)| *a)
            .collect()
    }

    /// What a call of `name` with `arity` arguments expands to.
    pub fn resolve(&self, name: &str, arity: usize) -> Resolution<'_> {
        if let Some(def) = self.get(name, arity) {
            return Resolution::Defined(def);
        }
        if self.builtins && arity == 0 {
            if is_data_source_name(name) {
                return Resolution::DataSource;
            }
            if name == OUTPUT_SINK {
                return Resolution::OutputSink;
            }
        }
        if self.builtins && self.content_builtins {
            if arity == 0 && name.ends_with("_filter") {
                return Resolution::Defined(&CONTENT_FILTER);
            }
            if arity == 1 && name == DROP_DM_OBJECT_NAME.name {
                return Resolution::Defined(&DROP_DM_OBJECT_NAME);
            }
        }
        if self.undefined_as_empty {
            Resolution::UndefinedEmpty
        } else {
            Resolution::Undefined
        }
    }
}

/// The `.yml` and `.yaml` files directly in `dir`, in name order (none when `dir` does not
/// exist).
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, &e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_defaults_filter_and_drop_dm_object_name() {
        let mut t = MacroTable::new();
        assert_eq!(t.resolve("x_filter", 0), Resolution::Undefined);
        assert_eq!(t.resolve("drop_dm_object_name", 1), Resolution::Undefined);
        t.set_content_builtins(true);
        let Resolution::Defined(filter) = t.resolve("some_detection_filter", 0) else {
            panic!("a `_filter` macro resolves with content defaults");
        };
        assert_eq!(filter.definition.as_deref(), Some("search *"));
        // Only without arguments, and only names ending in `_filter`.
        assert_eq!(t.resolve("some_detection_filter", 1), Resolution::Undefined);
        assert_eq!(t.resolve("filter_x", 0), Resolution::Undefined);
        let Resolution::Defined(drop) = t.resolve("drop_dm_object_name", 1) else {
            panic!("drop_dm_object_name(1) resolves with content defaults");
        };
        assert_eq!(drop.definition.as_deref(), Some("rename $object$.* AS *"));
        assert_eq!(drop.args, vec!["object".to_string()]);
        assert_eq!(t.resolve("drop_dm_object_name", 0), Resolution::Undefined);
        // A user definition wins; built-ins off turns them off.
        t.define(MacroDef::new("mine_filter", &[], "search user!=svc"));
        let Resolution::Defined(mine) = t.resolve("mine_filter", 0) else {
            panic!("defined");
        };
        assert_eq!(mine.definition.as_deref(), Some("search user!=svc"));
        t.set_builtins(false);
        assert_eq!(t.resolve("other_filter", 0), Resolution::Undefined);
    }

    #[test]
    fn content_dirs_read_yaml_macros_and_app_confs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let macros = dir.path().join("macros");
        std::fs::create_dir(&macros).expect("mkdir");
        std::fs::write(macros.join("a.yml"), "name: a\ndefinition: index=a\n").expect("write");
        std::fs::write(
            macros.join("b.yml"),
            "name: b\narguments:\n- x\ndefinition: eval y=$x$\n",
        )
        .expect("write");
        std::fs::write(macros.join("notes.txt"), "ignored").expect("write");
        let default = dir.path().join("default");
        std::fs::create_dir(&default).expect("mkdir");
        std::fs::write(default.join("macros.conf"), "[a]\ndefinition = index=app\n")
            .expect("write");
        let mut t = MacroTable::new();
        t.add_content_dir(dir.path()).expect("reads");
        assert!(t.content_builtins());
        assert_eq!(
            t.get("a", 0).and_then(|d| d.definition.as_deref()),
            Some("index=app"),
            "the app's macros.conf comes after the YAML files"
        );
        assert_eq!(
            t.get("b", 1).map(|d| d.args.clone()),
            Some(vec!["x".to_string()])
        );
        let mut t = MacroTable::new();
        assert!(t.add_content_dir(dir.path().join("missing")).is_err());
        std::fs::write(macros.join("c.yml"), "definition: x\n").expect("write");
        let err = MacroTable::new()
            .add_content_dir(dir.path())
            .expect_err("no name");
        assert_eq!(err.code(), Code::CONF_STANZA);
    }

    #[test]
    fn data_source_names() {
        for name in [
            "get_endpoint_data",
            "get_endpoint_data_sysmon",
            "get_web_data_proxy",
            "get_cloud_data",
        ] {
            assert!(is_data_source_name(name), "{name}");
        }
        for name in ["get_data", "hec_collect", "endpoint_data", "get_endpoint"] {
            assert!(!is_data_source_name(name), "{name}");
        }
    }

    #[test]
    fn overloads_by_arity_and_file_layering() {
        let mut t = MacroTable::new();
        t.add_conf_str(
            "[f]\ndefinition = zero\n[f(1)]\nargs = a\ndefinition = one $a$\ndescription = first\n",
            "a.conf",
        )
        .expect("valid");
        t.add_conf_str("[f(1)]\ndefinition = ONE $a$\nowner = me\n", "b.conf")
            .expect("valid");
        let f0 = t.get("f", 0).expect("f");
        assert_eq!(f0.definition.as_deref(), Some("zero"));
        assert_eq!(f0.defined_at.as_deref(), Some("a.conf:2"));
        let f1 = t.get("f", 1).expect("f(1)");
        assert_eq!(f1.definition.as_deref(), Some("ONE $a$"));
        assert_eq!(f1.args, vec!["a".to_string()]);
        assert_eq!(f1.description.as_deref(), Some("first"));
        assert_eq!(f1.other, vec![("owner".to_string(), "me".to_string())]);
        assert_eq!(f1.defined_at.as_deref(), Some("b.conf:2"));
        assert_eq!(t.arities("f"), vec![0, 1]);
    }

    #[test]
    fn keeps_every_known_and_unknown_setting() {
        let mut t = MacroTable::new();
        t.add_conf_str(
            "[v(1)]\nargs = x\ndefinition = \"v=$x$\"\nvalidation = x > 15\nerrormsg = x must be > 15\niseval = false\nfoo = bar\n",
            "m.conf",
        )
        .expect("valid");
        let v = t.get("v", 1).expect("v(1)");
        assert_eq!(v.validation.as_deref(), Some("x > 15"));
        assert_eq!(v.errormsg.as_deref(), Some("x must be > 15"));
        assert!(!v.iseval);
        assert_eq!(v.other, vec![("foo".to_string(), "bar".to_string())]);
    }

    #[test]
    fn iseval_loads_without_error() {
        let mut t = MacroTable::new();
        t.add_conf_str(
            "[e(2)]\nargs = a, b\ndefinition = if(b>0, \"x\", \"y\")\niseval = 1\n",
            "m.conf",
        )
        .expect("iseval macros load");
        assert!(t.get("e", 2).is_some_and(|d| d.iseval));
    }

    #[test]
    fn load_errors_carry_the_file_line_and_leave_the_table_alone() {
        let mut t = MacroTable::new();
        t.define(MacroDef::new("keep", &[], "x"));
        let err = t
            .add_conf_str(
                "[ok]\ndefinition = x\n\n[g(2)]\nargs = a\ndefinition = $a$\n",
                "m.conf",
            )
            .expect_err("one name for two arguments");
        assert_eq!(err.phase(), Phase::Load);
        assert_eq!(err.code(), Code::CONF_ARGS);
        assert_eq!(err.diagnostic().location().as_deref(), Some("m.conf:5:1"));
        assert!(t.get("ok", 0).is_none());
        assert!(t.get("keep", 0).is_some());

        let err = t
            .add_conf_str("[h(x)]\n", "m.conf")
            .expect_err("bad stanza");
        assert_eq!(err.code(), Code::CONF_STANZA);
        let err = t
            .add_conf_str("[h]\niseval = perhaps\n", "m.conf")
            .expect_err("bad bool");
        assert_eq!(err.code(), Code::CONF_BOOL);
        assert_eq!(err.diagnostic().location().as_deref(), Some("m.conf:2:1"));
        let err = t
            .add_conf_str("[h]\n\ndefinition index\n", "m.conf")
            .expect_err("no =");
        assert_eq!(err.diagnostic().location().as_deref(), Some("m.conf:3:1"));
    }

    #[test]
    fn resolution_order() {
        let mut t = MacroTable::new();
        assert_eq!(t.resolve("get_endpoint_data", 0), Resolution::DataSource);
        assert_eq!(t.resolve("get_endpoint_data", 1), Resolution::Undefined);
        assert_eq!(t.resolve("hec_collect", 0), Resolution::OutputSink);
        assert_eq!(t.resolve("other", 0), Resolution::Undefined);
        t.define(MacroDef::new("get_endpoint_data", &[], "index=edr"));
        assert!(matches!(
            t.resolve("get_endpoint_data", 0),
            Resolution::Defined(_)
        ));
        t.set_undefined_as_empty(true);
        assert_eq!(t.resolve("other", 2), Resolution::UndefinedEmpty);
        t.set_builtins(false);
        assert_eq!(t.resolve("hec_collect", 0), Resolution::UndefinedEmpty);
    }
}
