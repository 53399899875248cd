//! Lookup definitions from a Splunk `transforms.conf`.
//!
//! A stanza defines a lookup by name. The settings read:
//!
//! - `filename`: the CSV file (found in the lookup directories);
//! - `match_type = WILDCARD(col), CIDR(col)`: columns whose cells are `*` patterns or
//!   networks instead of exact values;
//! - `case_sensitive_match` (default true): whether exact and wildcard columns compare
//!   case;
//! - `max_matches` (1 to 1000, default 1000), `min_matches` (default 0) and
//!   `default_match`: how many table rows one input value may match, and the value each
//!   output field gets when fewer than `min_matches` rows match;
//! - `external_cmd`, `external_type`, `fields_list`: an external lookup (only the ones
//!   splc provides, such as `dnslookup`, can run).
//!
//! Other settings are kept out of the way: they do not change which rows match.

use std::collections::HashMap;

use super::LookupError;

/// The matching rules of one lookup table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchRules {
    /// Whether values compare case (`case_sensitive_match`).
    pub case_sensitive: bool,
    /// Columns whose cells are wildcard patterns.
    pub wildcard: Vec<String>,
    /// Columns whose cells are networks in CIDR form (or single addresses).
    pub cidr: Vec<String>,
    /// How many rows one input value may match, first ones in file order.
    pub max_matches: usize,
    /// Fewer matching rows than this give `default_match` (when set).
    pub min_matches: usize,
    /// The value of each output field when fewer than `min_matches` rows match.
    pub default_match: Option<String>,
}

impl Default for MatchRules {
    fn default() -> Self {
        MatchRules {
            case_sensitive: true,
            wildcard: Vec::new(),
            cidr: Vec::new(),
            max_matches: MatchRules::MAX_MATCHES,
            min_matches: 0,
            default_match: None,
        }
    }
}

impl MatchRules {
    /// The largest `max_matches` Splunk allows, and its default.
    pub const MAX_MATCHES: usize = 1000;
}

/// One `transforms.conf` stanza that defines a lookup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Definition {
    /// The stanza's name: the lookup's name in searches.
    pub name: String,
    /// `filename`: the CSV file of the table.
    pub filename: Option<String>,
    /// `external_cmd` (or `external_type`): set for an external lookup.
    pub external: Option<String>,
    /// How rows match.
    pub rules: MatchRules,
}

/// The lookup definitions of a `transforms.conf` text; `origin` names it in errors.
pub fn parse_transforms(text: &str, origin: &str) -> Result<Vec<Definition>, LookupError> {
    let mut out: Vec<Definition> = Vec::new();
    let mut pending = String::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        // A line ending in a backslash continues on the next.
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push('\n');
            continue;
        }
        pending.push_str(line);
        let whole = std::mem::take(&mut pending);
        let trimmed = whole.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(bad(origin, line_no, "a stanza name must end with `]`"));
            };
            out.push(Definition {
                name: name.trim().to_owned(),
                ..Definition::default()
            });
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(bad(origin, line_no, "expected `key = value`"));
        };
        let Some(def) = out.last_mut() else {
            return Err(bad(origin, line_no, "a setting before the first stanza"));
        };
        let (key, value) = (key.trim(), value.trim());
        set(def, key, value).map_err(|m| bad(origin, line_no, &m))?;
    }
    Ok(out)
}

/// The lookup definition of one YAML lookup file of Splunk's content catalog (ESCU's
/// `lookups/*.yml`): `name` (required) and the same settings as a `transforms.conf`
/// stanza (`filename`, `match_type`, `case_sensitive_match`, `min_matches`,
/// `max_matches`, `default_match`, ...), as YAML scalars (strings, numbers or
/// booleans). A definition with `collection` instead of `filename` names a KV store
/// collection, which splc does not have: it stays without a file. `origin` names the file
/// in errors.
pub fn parse_lookup_yaml(text: &str, origin: &str) -> Result<Definition, LookupError> {
    let value: serde_norway::Value = serde_norway::from_str(text)
        .map_err(|e| bad(origin, 1, &format!("not a YAML lookup definition: {e}")))?;
    let serde_norway::Value::Mapping(map) = value else {
        return Err(bad(
            origin,
            1,
            "a lookup file must be a mapping with `name`",
        ));
    };
    let mut def = Definition::default();
    for (key, value) in &map {
        let (Some(key), Some(value)) = (key.as_str(), yaml_scalar(value)) else {
            continue;
        };
        if key == "name" {
            def.name = value.trim().to_owned();
        } else {
            set(&mut def, key, value.trim()).map_err(|m| bad(origin, key_line(text, key), &m))?;
        }
    }
    if def.name.is_empty() {
        return Err(bad(origin, 1, "this lookup file has no `name`"));
    }
    Ok(def)
}

/// A YAML string, number or boolean as text.
fn yaml_scalar(value: &serde_norway::Value) -> Option<String> {
    match value {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 1-based line of the top-level `key:` in `text` (1 when not found).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
        .map_or(1, |i| i + 1)
}

fn set(def: &mut Definition, key: &str, value: &str) -> Result<(), String> {
    let rules = &mut def.rules;
    match key {
        "filename" => def.filename = Some(value.to_owned()),
        "external_cmd" => def.external = Some(value.to_owned()),
        "external_type" if def.external.is_none() => def.external = Some(value.to_owned()),
        "case_sensitive_match" => {
            rules.case_sensitive = parse_bool(value)
                .ok_or_else(|| format!("`case_sensitive_match = {value}` is not a boolean"))?;
        }
        "max_matches" => {
            rules.max_matches = value
                .parse()
                .ok()
                .filter(|n| (1..=MatchRules::MAX_MATCHES).contains(n))
                .ok_or_else(|| format!("`max_matches = {value}` is not a number from 1 to 1000"))?;
        }
        "min_matches" => {
            rules.min_matches = value
                .parse()
                .map_err(|_| format!("`min_matches = {value}` is not a whole number"))?;
        }
        "default_match" => rules.default_match = Some(value.to_owned()),
        "match_type" => {
            for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (kind, column) = item
                    .strip_suffix(')')
                    .and_then(|s| s.split_once('('))
                    .ok_or_else(|| {
                        format!("`{item}` in match_type is not `WILDCARD(field)` or `CIDR(field)`")
                    })?;
                let column = column.trim().to_owned();
                match kind.trim().to_ascii_uppercase().as_str() {
                    "WILDCARD" => rules.wildcard.push(column),
                    "CIDR" => rules.cidr.push(column),
                    "EXACT" => {}
                    other => return Err(format!("unknown match type `{other}`")),
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "f" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

fn bad(origin: &str, line: usize, message: &str) -> LookupError {
    LookupError::Conf {
        origin: origin.to_owned(),
        line,
        message: message.to_owned(),
    }
}

/// Definitions by name (a later stanza of the same name wins).
pub(crate) fn by_name(defs: Vec<Definition>) -> HashMap<String, Definition> {
    defs.into_iter().map(|d| (d.name.clone(), d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_lookup_files_give_the_same_definitions() {
        let text = "description: IOC domains\nfilename: iocs.csv\nname: iocs\n\
                    default_match: 'false'\nmatch_type: WILDCARD(domain), CIDR(ip)\n\
                    min_matches: 1\nmax_matches: 5\ncase_sensitive_match: 'false'\n";
        let def = parse_lookup_yaml(text, "iocs.yml").expect("valid");
        assert_eq!(def.name, "iocs");
        assert_eq!(def.filename.as_deref(), Some("iocs.csv"));
        assert_eq!(def.rules.wildcard, ["domain"]);
        assert_eq!(def.rules.cidr, ["ip"]);
        assert!(!def.rules.case_sensitive);
        assert_eq!((def.rules.min_matches, def.rules.max_matches), (1, 5));
        assert_eq!(def.rules.default_match.as_deref(), Some("false"));

        // A KV store collection has no file; case is compared by default.
        let def = parse_lookup_yaml("name: kv\ncollection: kv\nfields_list: a, b\n", "kv.yml")
            .expect("valid");
        assert_eq!((def.filename, def.rules.case_sensitive), (None, true));

        let err = parse_lookup_yaml("filename: x.csv\n", "x.yml").expect_err("no name");
        assert!(err.to_string().contains("no `name`"), "{err}");
        let err = parse_lookup_yaml("name: x\nmax_matches: 0\n", "x.yml").expect_err("range");
        assert_eq!(
            err.to_string(),
            "x.yml:2: `max_matches = 0` is not a number from 1 to 1000"
        );
    }

    #[test]
    fn stanzas_give_files_and_match_rules() {
        let text = "# lookups\n[hosts]\nfilename = hosts.csv\nmatch_type = WILDCARD(host), CIDR(ip)\n\
                    case_sensitive_match = false\nmax_matches = 2\nmin_matches = 1\ndefault_match = unknown\n\
                    batch_index_query = 0\n\n[dnslookup]\nexternal_cmd = external_lookup.py clienthost clientip\n\
                    fields_list = clienthost, clientip\n";
        let defs = parse_transforms(text, "t.conf").expect("parses");
        assert_eq!(defs.len(), 2);
        let hosts = &defs[0];
        assert_eq!(hosts.filename.as_deref(), Some("hosts.csv"));
        assert_eq!(hosts.rules.wildcard, ["host"]);
        assert_eq!(hosts.rules.cidr, ["ip"]);
        assert!(!hosts.rules.case_sensitive);
        assert_eq!(hosts.rules.max_matches, 2);
        assert_eq!(hosts.rules.min_matches, 1);
        assert_eq!(hosts.rules.default_match.as_deref(), Some("unknown"));
        assert!(defs[1].external.is_some());
        assert!(defs[1].rules.case_sensitive, "the default compares case");
        assert_eq!(defs[1].rules.max_matches, 1000);
    }

    #[test]
    fn bad_settings_name_their_line() {
        for (text, line) in [
            ("[a]\nmax_matches = 0\n", 2),
            ("[a]\nmax_matches = 1001\n", 2),
            ("[a]\n\ncase_sensitive_match = maybe\n", 3),
            ("filename = x.csv\n", 1),
            ("[a\n", 1),
            ("[a]\nmatch_type = FUZZY(x)\n", 2),
            ("[a]\nno equals sign\n", 2),
        ] {
            match parse_transforms(text, "t.conf") {
                Err(LookupError::Conf { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_backslash_continues_a_line() {
        let defs =
            parse_transforms("[a]\nmatch_type = WILDCARD(x),\\\n CIDR(y)\n", "t").expect("parses");
        assert_eq!(defs[0].rules.wildcard, ["x"]);
        assert_eq!(defs[0].rules.cidr, ["y"]);
    }
}
