//! Reading macro definitions in the YAML form of Splunk's content catalog (ESCU's
//! `macros/*.yml`), one macro per file:
//!
//! ```yaml
//! name: security_content_ctime
//! arguments:
//! - field
//! definition: convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)
//! description: convert epoch time to string
//! ```
//!
//! - `name` (required): the macro's name, without arity;
//! - `arguments`: the argument names, in order (a list, one string, or absent for none);
//!   the arity is their number;
//! - `definition`: the expansion text (absent: a macro with no definition, an error when
//!   called, as in `macros.conf`);
//! - `description`, `validation`, `errormsg`, `iseval`: as in `macros.conf`; any other
//!   scalar key is kept in [`MacroDef::other`](super::MacroDef::other).

use std::sync::Arc;

use serde_norway::Value;

use super::MacroDef;
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::error::{Error, Phase};
use crate::span::Span;

/// Read one YAML macro file; `origin` (usually its path) names it in diagnostics and in
/// [`MacroDef::defined_at`](super::MacroDef::defined_at).
pub fn parse_macro_yaml(text: &str, origin: &str) -> Result<MacroDef, Error> {
    let source = Arc::new(SourceFile::new(origin, text));
    let fail = |code: Code, message: String| {
        Error::new(
            Phase::Load,
            Diagnostic::error(code, message)
                .with_primary(Span::point(0), "in this macro file")
                .with_source(source.clone()),
        )
    };
    let value: Value = serde_norway::from_str(text)
        .map_err(|e| fail(Code::YAML, format!("not a YAML macro file: {e}")))?;
    let Value::Mapping(map) = value else {
        return Err(fail(
            Code::FIELD_TYPE,
            "a macro file must be a mapping with `name` and `definition`".into(),
        ));
    };
    let mut def = MacroDef::new("", &[], "");
    def.definition = None;
    def.defined_at = Some(format!("{origin}:1"));
    for (key, value) in &map {
        let Some(key) = key.as_str() else { continue };
        let text_of = || {
            scalar(value).ok_or_else(|| fail(Code::FIELD_TYPE, format!("`{key}` must be a string")))
        };
        match key {
            "name" => def.name = text_of()?,
            "definition" => {
                def.definition = Some(text_of()?);
                def.defined_at = Some(format!("{origin}:{}", key_line(text, "definition")));
            }
            "arguments" | "args" => {
                def.args = match value {
                    Value::Null => Vec::new(),
                    Value::Sequence(items) => items
                        .iter()
                        .map(|v| scalar(v).map(|s| s.trim().to_string()))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| {
                            fail(
                                Code::CONF_ARGS,
                                "`arguments` must be a list of names".into(),
                            )
                        })?,
                    v => super::conf::parse_args(&scalar(v).unwrap_or_default()).map_err(
                        |label| fail(Code::CONF_ARGS, format!("invalid `arguments`: {label}")),
                    )?,
                };
            }
            "iseval" => {
                let v = text_of()?;
                def.iseval = super::conf::parse_bool(&v).ok_or_else(|| {
                    fail(Code::CONF_BOOL, format!("`iseval: {v}` is not a boolean"))
                })?;
            }
            "description" => def.description = Some(text_of()?),
            "validation" => def.validation = Some(text_of()?),
            "errormsg" => def.errormsg = Some(text_of()?),
            other => {
                if let Some(v) = scalar(value) {
                    def.other.push((other.to_string(), v));
                }
            }
        }
    }
    if def.name.trim().is_empty() {
        return Err(fail(
            Code::CONF_STANZA,
            "this macro file has no `name`".into(),
        ));
    }
    def.name = def.name.trim().to_string();
    def.arity = def.args.len();
    Ok(def)
}

/// A string, number or boolean as text.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// The 1-based line of the top-level `key:` in `text` (1 when not found).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_arguments_definition_and_description() {
        let text = "arguments:\n  - field\ndefinition: 'convert ctime($field$)'\n\
                    description: convert epoch time\nname: security_content_ctime\n";
        let def = parse_macro_yaml(text, "m/ctime.yml").expect("valid");
        assert_eq!(def.name, "security_content_ctime");
        assert_eq!(
            (def.arity, def.args.clone()),
            (1, vec!["field".to_string()])
        );
        assert_eq!(def.definition.as_deref(), Some("convert ctime($field$)"));
        assert_eq!(def.description.as_deref(), Some("convert epoch time"));
        assert_eq!(def.defined_at.as_deref(), Some("m/ctime.yml:3"));
        assert!(!def.iseval);
    }

    #[test]
    fn no_arguments_and_no_definition() {
        let def = parse_macro_yaml("name: admon\ndescription: d\n", "a.yml").expect("valid");
        assert_eq!((def.arity, def.definition.clone()), (0, None));
        let def = parse_macro_yaml(
            "name: m\narguments: a, b\ndefinition: $a$ $b$\nowner: me\n",
            "a.yml",
        )
        .expect("valid");
        assert_eq!(def.args, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(def.other, vec![("owner".to_string(), "me".to_string())]);
    }

    #[test]
    fn bad_files_are_load_errors() {
        for (text, code) in [
            ("definition: x\n", Code::CONF_STANZA),
            ("- a\n", Code::FIELD_TYPE),
            ("name: [a]\n", Code::FIELD_TYPE),
            ("name: m\narguments: [[a]]\n", Code::CONF_ARGS),
            ("name: m\niseval: perhaps\n", Code::CONF_BOOL),
            ("name: 'm\n", Code::YAML),
        ] {
            let err = parse_macro_yaml(text, "bad.yml").expect_err(text);
            assert_eq!((err.code(), err.phase()), (code, Phase::Load), "{text}");
        }
    }
}
