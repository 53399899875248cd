//! CIM data models over raw events.
//!
//! Splunk's Common Information Model names what detections search: `| tstats ... from
//! datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest`.
//! In a Splunk deployment, a dataset's events are those its constraint (mostly tags)
//! selects, and its fields are what the add-ons' aliases and calculated fields make of
//! the vendor's fields. Here both are data: a **mapping** says which events belong to a
//! dataset (its `when`) and how each CIM field is computed from the event's own fields
//! (its `fields`). [`DataModels`] holds the mappings (the built-in ones, [`BUILTIN_MAPPINGS`],
//! and a user's file) and the catalog of CIM datasets and their fields ([`CIM_CATALOG`]).
//!
//! An event is in a root dataset when the `when` of one of the dataset's mappings holds;
//! the first such mapping (in file order, user mappings first) computes its fields. An
//! event is in a child dataset (`Authentication.Failed_Authentication`) when it is in the
//! root and the child's constraint holds on the computed fields (`action=failure`).
//!
//! # Mapping file format (YAML)
//!
//! ```yaml
//! mappings:
//!   - name: sysmon_process_creation        # a mapping of the same name replaces it
//!     dataset: Endpoint.Processes          # Model.RootDataset, or the model alone
//!     when:                                # any one of these holds ...
//!       - {EventID: "1", Channel: Microsoft-Windows-Sysmon/Operational}
//!       - {EventCode: ["1"], SourceName: Microsoft-Windows-Sysmon}   # ... when all its fields do
//!     fields:
//!       process: CommandLine               # a copy of the field
//!       process_name: {basename: Image}    # the text after the last `\` or `/`
//!       registry_key_name: {basename: {dirname: TargetObject}}   # before the last `\` or `/`
//!       dest: {first_of: [Computer, ComputerName]}                # the first not empty
//!       user: {first: Account_Name}        # the first value of a multivalue field (`last`: the last)
//!       transport: {lower: Protocol}       # lower case
//!       action: {value: allowed}           # a constant
//!       direction: {map: Initiated, values: {"true": outbound, "false": inbound}, default: Initiated}
//! ```
//!
//! - A `when` entry maps a field to a value or a list of values: the field holds when any
//!   of its values equals one of them, ignoring ASCII case (as `search` compares); `"*"`
//!   means the field is present. An empty `when` list never holds.
//! - The functions apply to each value of a multivalue field. A field whose computation
//!   gives no value is not set. `map` looks each value up ignoring ASCII case; a value
//!   not in the table gives `default` (any computation) or nothing.
//! - Field names on the left must be the dataset's CIM fields (for a dataset of the
//!   catalog); a mapping for a dataset the catalog does not know (`Risk.All_Risk`) may
//!   name any field, and makes the dataset known.
//! - YAML anchors and merge keys (`<<: *common`) may share field lists between mappings.

mod spec;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::event::{Event, Record};
use crate::field::FieldId;
use spec::{Spec, SpecDe};

/// The catalog of CIM data models: models, their root datasets with their fields, child
/// datasets with their constraints.
pub const CIM_CATALOG: &str = include_str!("cim.yml");

/// The built-in mappings (Sysmon, Windows Security, PowerShell), in the mapping file
/// format.
pub const BUILTIN_MAPPINGS: &str = include_str!("builtin.yml");

/// A mapping file that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum DataModelError {
    /// The file could not be read.
    #[error("cannot read data-model mapping file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not a valid mapping file.
    #[error("invalid data-model mappings{at}: {message}")]
    Invalid {
        /// ` in <file>` or empty.
        at: String,
        /// What is wrong.
        message: String,
    },
}

/// A root dataset of the catalog.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RootDe {
    fields: Vec<String>,
    #[serde(default)]
    children: BTreeMap<String, BTreeMap<String, String>>,
}

type CatalogDe = BTreeMap<String, BTreeMap<String, RootDe>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    mappings: Vec<MappingDe>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingDe {
    name: String,
    dataset: String,
    when: Vec<BTreeMap<String, OneOrMany>>,
    fields: BTreeMap<String, serde_norway::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// One mapping: which events it takes into its dataset and how it computes the fields.
#[derive(Debug)]
struct Mapping {
    name: String,
    /// `Model.Root`.
    dataset: String,
    /// Any of these holds when all of its conditions do.
    when: Vec<Vec<Condition>>,
    /// CIM field name and its computation, in name order.
    fields: Vec<(String, Spec)>,
}

#[derive(Debug)]
struct Condition {
    field: FieldId,
    /// `None`: present; otherwise any of these values (ASCII case ignored).
    values: Option<Vec<String>>,
}

impl Condition {
    fn holds(&self, record: &Record) -> bool {
        let Some(value) = record.get(self.field) else {
            return false;
        };
        match &self.values {
            None => true,
            Some(want) => value
                .iter_str()
                .any(|v| want.iter().any(|w| v.eq_ignore_ascii_case(w))),
        }
    }
}

impl Mapping {
    fn takes(&self, record: &Record) -> bool {
        self.when
            .iter()
            .any(|all| all.iter().all(|c| c.holds(record)))
    }
}

/// A root dataset: its prefix (the root's name), its CIM fields (empty when the catalog
/// does not know it) and its children's constraints.
#[derive(Debug, Default)]
struct Root {
    fields: Vec<String>,
    children: BTreeMap<String, Vec<(String, String)>>,
}

/// Data models for `tstats`, `from datamodel` and `datamodel`: the catalog and the
/// mappings. Cheap to clone: clones share the mappings and the warnings.
#[derive(Clone)]
pub struct DataModels(Arc<Inner>);

struct Inner {
    /// `Model` → `Root` → root dataset.
    catalog: BTreeMap<String, BTreeMap<String, Root>>,
    mappings: Vec<Arc<Mapping>>,
    warnings: Mutex<Vec<String>>,
}

impl std::fmt::Debug for DataModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataModels")
            .field("mappings", &self.0.mappings.len())
            .finish()
    }
}

/// Two are equal when they share their data.
impl PartialEq for DataModels {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for DataModels {}

impl Default for DataModels {
    /// The built-in mappings.
    fn default() -> Self {
        DataModels::builtin()
    }
}

/// The events of one dataset as a step reads them: the mappings that take events into
/// its root, with their fields' output names, and the child constraint.
#[derive(Debug)]
pub struct DatasetView {
    mappings: Vec<(Arc<Mapping>, Vec<FieldId>)>,
    /// Conditions on computed fields (child datasets): output name and value.
    constraint: Vec<(FieldId, String)>,
}

impl DatasetView {
    /// True when no mapping takes any event into the dataset.
    pub fn is_empty(&self) -> bool {
        self.mappings.is_empty()
    }

    /// Give `record` the dataset's fields; false (and the record unchanged, or partly
    /// changed) when the event is not in the dataset.
    pub fn apply(&self, record: &mut Record) -> bool {
        let Some((mapping, names)) = self.mappings.iter().find(|(m, _)| m.takes(record)) else {
            return false;
        };
        let values: Vec<_> = mapping
            .fields
            .iter()
            .map(|(_, spec)| spec.eval(record))
            .collect();
        for (name, value) in names.iter().zip(values) {
            match value {
                Some(v) => record.set(*name, v),
                None => {
                    record.remove(*name);
                }
            }
        }
        self.constraint.iter().all(|(field, want)| {
            record
                .get(*field)
                .is_some_and(|v| v.iter_str().any(|x| x.eq_ignore_ascii_case(want)))
        })
    }
}

impl DataModels {
    /// The catalog and the built-in mappings.
    pub fn builtin() -> DataModels {
        DataModels::from_texts(&[(BUILTIN_MAPPINGS, "built-in mappings")])
            .expect("the built-in mappings are valid")
    }

    /// The catalog and no mapping: every dataset is empty.
    pub fn none() -> DataModels {
        DataModels::from_texts(&[]).expect("the catalog is valid")
    }

    /// The built-in mappings with the mappings of `text` (a mapping file) added; a
    /// mapping of the same name as a built-in one replaces it, and the file's mappings
    /// are tried before the built-in ones.
    pub fn with_user_text(text: &str) -> Result<DataModels, DataModelError> {
        DataModels::from_texts(&[(text, ""), (BUILTIN_MAPPINGS, "built-in mappings")])
    }

    /// [`DataModels::with_user_text`] from a file.
    pub fn with_user_file(path: &Path) -> Result<DataModels, DataModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataModelError::Io {
            path: path.display().to_string(),
            source,
        })?;
        DataModels::from_texts(&[
            (&text, &path.display().to_string()),
            (BUILTIN_MAPPINGS, "built-in mappings"),
        ])
    }

    /// Mapping texts in priority order (a later mapping of a name already seen is
    /// dropped).
    fn from_texts(texts: &[(&str, &str)]) -> Result<DataModels, DataModelError> {
        let catalog = catalog()?;
        let mut inner = Inner {
            catalog,
            mappings: Vec::new(),
            warnings: Mutex::new(Vec::new()),
        };
        for (text, origin) in texts {
            let invalid = |message: String| DataModelError::Invalid {
                at: if origin.is_empty() {
                    String::new()
                } else {
                    format!(" in {origin}")
                },
                message,
            };
            let mut value: serde_norway::Value =
                serde_norway::from_str(text).map_err(|e| invalid(e.to_string()))?;
            value.apply_merge().map_err(|e| invalid(e.to_string()))?;
            let file: FileDe =
                serde_norway::from_value(value).map_err(|e| invalid(e.to_string()))?;
            for m in file.mappings {
                if inner.mappings.iter().any(|x| x.name == m.name) {
                    continue;
                }
                let mapping = inner.mapping(m).map_err(invalid)?;
                inner.mappings.push(Arc::new(mapping));
            }
        }
        Ok(DataModels(Arc::new(inner)))
    }

    /// The names of the mappings, in the order they are tried.
    pub fn mapping_names(&self) -> Vec<&str> {
        self.0.mappings.iter().map(|m| m.name.as_str()).collect()
    }

    /// The dataset `model` / `dataset` (as written after `datamodel=`: `Processes`,
    /// `Authentication.Failed_Authentication`, or `None` for the model alone), its fields
    /// named `Root.field` when `prefixed`, else `field`. A dataset no mapping covers is
    /// empty, with a warning (once).
    pub fn view(&self, model: &str, dataset: Option<&str>, prefixed: bool) -> DatasetView {
        let written = match dataset {
            Some(d) => format!("{model}.{d}"),
            None => model.to_owned(),
        };
        let (root, constraint) = match self.0.resolve(model, dataset) {
            Ok(found) => found,
            Err(why) => {
                self.warn(format!(
                    "data model dataset `{written}`: {why}; no event is in it"
                ));
                return DatasetView {
                    mappings: Vec::new(),
                    constraint: Vec::new(),
                };
            }
        };
        let name = |field: &str| {
            if prefixed {
                FieldId::intern(&format!("{root}.{field}"))
            } else {
                FieldId::intern(field)
            }
        };
        let full = format!("{model}.{root}");
        let mappings: Vec<_> = self
            .0
            .mappings
            .iter()
            .filter(|m| m.dataset == full)
            .map(|m| {
                let names = m.fields.iter().map(|(f, _)| name(f)).collect();
                (Arc::clone(m), names)
            })
            .collect();
        if mappings.is_empty() {
            self.warn(format!(
                "data model dataset `{written}`: no mapping takes events into `{full}`, so it is empty (give a mapping file)"
            ));
        }
        DatasetView {
            mappings,
            constraint: constraint.into_iter().map(|(f, v)| (name(&f), v)).collect(),
        }
    }

    /// The warnings so far, each once, in the order they arose.
    pub fn warnings(&self) -> Vec<String> {
        self.0
            .warnings
            .lock()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    fn warn(&self, message: String) {
        if let Ok(mut w) = self.0.warnings.lock() {
            if !w.contains(&message) {
                w.push(message);
            }
        }
    }
}

fn catalog() -> Result<BTreeMap<String, BTreeMap<String, Root>>, DataModelError> {
    let de: CatalogDe =
        serde_norway::from_str(CIM_CATALOG).map_err(|e| DataModelError::Invalid {
            at: " in the CIM catalog".to_owned(),
            message: e.to_string(),
        })?;
    Ok(de
        .into_iter()
        .map(|(model, roots)| {
            let roots = roots
                .into_iter()
                .map(|(name, r)| {
                    let children = r
                        .children
                        .into_iter()
                        .map(|(child, c)| (child, c.into_iter().collect()))
                        .collect();
                    (
                        name,
                        Root {
                            fields: r.fields,
                            children,
                        },
                    )
                })
                .collect();
            (model, roots)
        })
        .collect())
}

impl Inner {
    /// The root dataset's name and the child constraint (CIM field, value) of `dataset`.
    fn resolve(
        &self,
        model: &str,
        dataset: Option<&str>,
    ) -> Result<(String, Vec<(String, String)>), String> {
        let Some(roots) = self.catalog.get(model) else {
            // A dataset only user mappings know.
            if let Some(d) = dataset {
                let full = format!("{model}.{d}");
                if self.mappings.iter().any(|m| m.dataset == full) {
                    return Ok((d.to_owned(), Vec::new()));
                }
            }
            return Err(format!("splc knows no data model `{model}`"));
        };
        let Some(dataset) = dataset else {
            return match roots.keys().collect::<Vec<_>>().as_slice() {
                [one] => Ok(((*one).clone(), Vec::new())),
                _ if roots.contains_key(model) => Ok((model.to_owned(), Vec::new())),
                _ => Err(format!(
                    "the data model `{model}` has several root datasets; name one ({})",
                    roots.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            };
        };
        let parts: Vec<&str> = dataset.split('.').collect();
        // `Root`, `Root.Child`, or `Child` alone.
        let (root, child) = match parts.as_slice() {
            [root] if roots.contains_key(*root) => (*root, None),
            [child] => match roots.iter().find(|(_, r)| r.children.contains_key(*child)) {
                Some((root, _)) => (root.as_str(), Some(*child)),
                None => return Err(format!("`{model}` has no dataset `{child}`")),
            },
            [root, child] if roots.contains_key(*root) => (*root, Some(*child)),
            _ => return Err(format!("`{model}` has no dataset `{dataset}`")),
        };
        let constraint = match child {
            None => Vec::new(),
            Some(c) => roots
                .get(root)
                .and_then(|r| r.children.get(c))
                .cloned()
                .ok_or_else(|| format!("`{model}.{root}` has no child dataset `{c}`"))?,
        };
        Ok((root.to_owned(), constraint))
    }

    /// Check and build one mapping.
    fn mapping(&self, m: MappingDe) -> Result<Mapping, String> {
        let at = |what: String| format!("mapping `{}`: {what}", m.name);
        let (model, root) = match m.dataset.split_once('.') {
            Some((model, root)) => (model.to_owned(), Some(root.to_owned())),
            None => (m.dataset.clone(), None),
        };
        let known = self.catalog.get(&model);
        let root = match (known, root) {
            (Some(_), r) => {
                let (root, constraint) = self.resolve(&model, r.as_deref()).map_err(at)?;
                if !constraint.is_empty() {
                    return Err(at(format!(
                        "map events into the root dataset `{model}.{root}`; the child datasets take theirs from it"
                    )));
                }
                root
            }
            (None, Some(r)) if !r.contains('.') => r,
            (None, _) => {
                return Err(at(format!(
                    "the dataset `{}` must be written `Model.Dataset`",
                    m.dataset
                )))
            }
        };
        let cim_fields = known
            .and_then(|roots| roots.get(&root))
            .map(|r| r.fields.as_slice());
        let mut fields = Vec::new();
        for (name, value) in m.fields {
            if let Some(cim) = cim_fields {
                if !cim.contains(&name) {
                    return Err(at(format!(
                        "`{name}` is not a field of the CIM dataset `{model}.{root}`"
                    )));
                }
            }
            let de: SpecDe =
                serde_norway::from_value(value).map_err(|e| at(format!("field `{name}`: {e}")))?;
            let spec = Spec::build(de).map_err(|e| at(format!("field `{name}`: {e}")))?;
            fields.push((name, spec));
        }
        let when = m
            .when
            .into_iter()
            .map(|all| {
                all.into_iter()
                    .map(|(field, v)| Condition {
                        field: FieldId::intern(&field),
                        values: match v {
                            OneOrMany::One(s) if s == "*" => None,
                            OneOrMany::One(s) => Some(vec![s]),
                            OneOrMany::Many(v) => Some(v),
                        },
                    })
                    .collect()
            })
            .collect();
        Ok(Mapping {
            name: m.name,
            dataset: format!("{model}.{root}"),
            when,
            fields,
        })
    }
}

/// What each root dataset of the catalog is and which mappings cover it, for
/// documentation and `splc` listings: `(Model.Root, [mapping names])`.
pub fn coverage(models: &DataModels) -> Vec<(String, Vec<String>)> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (model, roots) in &models.0.catalog {
        for root in roots.keys() {
            out.entry(format!("{model}.{root}")).or_default();
        }
    }
    for m in &models.0.mappings {
        out.entry(m.dataset.clone())
            .or_default()
            .push(m.name.clone());
    }
    let mut out: Vec<_> = out.into_iter().collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests;
