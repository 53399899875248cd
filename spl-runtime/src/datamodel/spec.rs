//! How one CIM field is computed from an event's fields (the right-hand side of a
//! mapping's `fields`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::value::Value;

/// A computation as written in YAML: a field name, or a one-key map naming a function.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum SpecDe {
    Field(String),
    Map(MapDe),
    Func(FuncDe),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MapDe {
    map: Box<SpecDe>,
    values: BTreeMap<String, String>,
    #[serde(default)]
    default: Option<Box<SpecDe>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum FuncDe {
    Value(String),
    Basename(Box<SpecDe>),
    Dirname(Box<SpecDe>),
    Lower(Box<SpecDe>),
    First(Box<SpecDe>),
    Last(Box<SpecDe>),
    FirstOf(Vec<SpecDe>),
}

/// A computation, ready to run.
#[derive(Debug)]
pub(super) enum Spec {
    Field(FieldId),
    Value(String),
    Basename(Box<Spec>),
    Dirname(Box<Spec>),
    Lower(Box<Spec>),
    First(Box<Spec>),
    Last(Box<Spec>),
    FirstOf(Vec<Spec>),
    Map {
        input: Box<Spec>,
        /// Keys lower-cased (ASCII).
        values: Vec<(String, String)>,
        default: Option<Box<Spec>>,
    },
}

impl Spec {
    /// Check and build a computation.
    pub(super) fn build(de: SpecDe) -> Result<Spec, String> {
        let boxed = |d: Box<SpecDe>| Spec::build(*d).map(Box::new);
        Ok(match de {
            SpecDe::Field(name) if name.is_empty() => return Err("an empty field name".into()),
            SpecDe::Field(name) => Spec::Field(FieldId::intern(&name)),
            SpecDe::Map(m) => Spec::Map {
                input: boxed(m.map)?,
                values: m
                    .values
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect(),
                default: m.default.map(boxed).transpose()?,
            },
            SpecDe::Func(FuncDe::Value(v)) => Spec::Value(v),
            SpecDe::Func(FuncDe::Basename(d)) => Spec::Basename(boxed(d)?),
            SpecDe::Func(FuncDe::Dirname(d)) => Spec::Dirname(boxed(d)?),
            SpecDe::Func(FuncDe::Lower(d)) => Spec::Lower(boxed(d)?),
            SpecDe::Func(FuncDe::First(d)) => Spec::First(boxed(d)?),
            SpecDe::Func(FuncDe::Last(d)) => Spec::Last(boxed(d)?),
            SpecDe::Func(FuncDe::FirstOf(items)) if items.is_empty() => {
                return Err("`first_of` needs at least one item".into())
            }
            SpecDe::Func(FuncDe::FirstOf(items)) => Spec::FirstOf(
                items
                    .into_iter()
                    .map(Spec::build)
                    .collect::<Result<_, _>>()?,
            ),
        })
    }

    /// The value for `record`, or `None` when the computation gives none.
    pub(super) fn eval(&self, record: &Record) -> Option<Value> {
        match self {
            Spec::Field(f) => record.get(*f).cloned(),
            Spec::Value(v) => Some(Value::Str(v.clone())),
            Spec::Basename(s) => each(s.eval(record)?, |v| Some(basename(v).to_owned())),
            Spec::Dirname(s) => each(s.eval(record)?, |v| dirname(v).map(str::to_owned)),
            Spec::Lower(s) => each(s.eval(record)?, |v| Some(v.to_lowercase())),
            Spec::First(s) => Some(Value::Str(s.eval(record)?.first_str().into_owned())),
            Spec::Last(s) => s
                .eval(record)?
                .iter_str()
                .last()
                .map(|v| Value::Str(v.into_owned())),
            Spec::FirstOf(items) => items
                .iter()
                .filter_map(|s| s.eval(record))
                .find(|v| v.iter_str().any(|x| !x.is_empty())),
            Spec::Map {
                input,
                values,
                default,
            } => {
                let value = input.eval(record)?;
                let mut out = Vec::new();
                for v in value.iter_str() {
                    let key = v.to_ascii_lowercase();
                    if let Some((_, to)) = values.iter().find(|(k, _)| *k == key) {
                        out.push(to.clone());
                    }
                }
                match Value::from_strings(out) {
                    Some(v) => Some(v),
                    None => default.as_ref().and_then(|d| d.eval(record)),
                }
            }
        }
    }
}

/// `f` over each value of `value`; values it gives none for are dropped.
fn each(value: Value, f: impl Fn(&str) -> Option<String>) -> Option<Value> {
    Value::from_strings(value.iter_str().filter_map(|v| f(&v)).collect())
}

/// The text after the last `\` or `/`.
pub(super) fn basename(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// The text before the last `\` or `/`; `None` when there is none.
pub(super) fn dirname(path: &str) -> Option<&str> {
    path.rfind(['\\', '/']).map(|i| &path[..i])
}
