//! Names in generated code: rule types, and the members and locals of one rule.
//!
//! Every name is made from what it stands for (a rule file's stem, a search term, a field),
//! reduced to identifier characters, kept clear of keywords and of the names generated code
//! itself uses, and made unique with a number.

use std::collections::HashSet;

use proc_macro2::{Ident, Span};

/// Rust's keywords, strict, reserved and contextual ones that would confuse a reader.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield", "union", "raw", "safe",
];

/// Names a rule type must not take: `Self`, and what the prelude and generated code name.
const TYPE_RESERVED: &[&str] = &[
    "Self",
    "Sized",
    "Send",
    "Sync",
    "Copy",
    "Clone",
    "Default",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "ToString",
    "ToOwned",
    "Iterator",
    "IntoIterator",
    "Extend",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "FromIterator",
    "Unpin",
    "RULES",
];

/// Names a member or local must not take: what the generated functions name themselves.
const VALUE_RESERVED: &[&str] = &[
    "row",
    "event",
    "raw",
    "value",
    "func",
    "eval",
    "now",
    "new",
    "matches",
    "info",
    "process",
    "finish",
    "prefilter",
    "pipeline",
    "options",
];

/// The names given so far in one piece of generated code; each new one is unique.
///
/// ```
/// use spl_compiler::codegen::Names;
///
/// let mut names = Names::default();
/// assert_eq!(names.type_name("package_installation-sysmon"), "PackageInstallationSysmon");
/// assert_eq!(names.type_name("package-installation_sysmon"), "PackageInstallationSysmon2");
/// assert_eq!(names.type_name("self"), "SelfRule");
/// ```
#[derive(Debug, Default)]
pub struct Names {
    used: HashSet<String>,
}

impl Names {
    /// A fresh `snake_case` name for `hint` (`fallback` when the hint has no letters or
    /// digits, or starts with a digit: `term_4688`).
    pub fn value(&mut self, hint: &str, fallback: &str) -> Ident {
        let mut base = snake(hint);
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base = if base.is_empty() {
                fallback.to_owned()
            } else {
                format!("{fallback}_{base}")
            };
        }
        if KEYWORDS.contains(&base.as_str()) || VALUE_RESERVED.contains(&base.as_str()) {
            base.push('_');
        }
        Ident::new(&self.unique(base, "_"), Span::call_site())
    }

    /// A fresh `CamelCase` type name for a rule file stem or title.
    pub fn type_name(&mut self, stem: &str) -> String {
        let mut base = camel(stem);
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert_str(0, "Rule");
        }
        if TYPE_RESERVED.contains(&base.as_str()) {
            base.push_str("Rule");
        }
        self.unique(base, "")
    }

    /// `base`, or `base` + separator + the first number that makes it new.
    fn unique(&mut self, base: String, sep: &str) -> String {
        let sep = if base.ends_with('_') { "" } else { sep };
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&name) {
            name = format!("{base}{sep}{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

/// The longest a name made from a hint gets.
const MAX_LEN: usize = 32;

/// Lowercase ASCII letters and digits of `hint`, runs of anything else as one `_`.
fn snake(hint: &str) -> String {
    let mut out = String::new();
    for c in hint.chars() {
        if c.is_ascii_alphanumeric() {
            if out.len() >= MAX_LEN {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// `CamelCase` of the ASCII letter-and-digit words of `hint`.
fn camel(hint: &str) -> String {
    let mut out = String::new();
    for word in hint
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_names_are_readable_unique_and_never_keywords() {
        let mut names = Names::default();
        assert_eq!(names.value("EventCode=1", "term"), "eventcode_1");
        assert_eq!(names.value("<EventID>1<", "term"), "eventid_1");
        assert_eq!(names.value("pip", "term"), "pip");
        assert_eq!(names.value("pip", "term"), "pip_2");
        assert_eq!(names.value("4688", "term"), "term_4688");
        assert_eq!(names.value("***", "term"), "term");
        assert_eq!(names.value("type", "field"), "type_");
        assert_eq!(names.value("row", "field"), "row_");
        assert_eq!(names.value("row", "field"), "row_2");
        assert_eq!(names.value("Self", "field"), "self_");
        assert_eq!(
            names.value(&"a".repeat(100), "x").to_string().len(),
            MAX_LEN
        );
    }

    #[test]
    fn type_names_avoid_collisions_and_prelude_names() {
        let mut names = Names::default();
        assert_eq!(names.type_name("foo-"), "Foo");
        assert_eq!(names.type_name("foo"), "Foo2");
        assert_eq!(names.type_name("foo2"), "Foo22");
        assert_eq!(
            names.type_name("package_installation-sysmon"),
            "PackageInstallationSysmon"
        );
        assert_eq!(names.type_name("self"), "SelfRule");
        assert_eq!(names.type_name("sized"), "SizedRule");
        assert_eq!(names.type_name("option"), "OptionRule");
        assert_eq!(names.type_name("0001"), "Rule0001");
        assert_eq!(names.type_name("---"), "Rule");
        assert_eq!(names.type_name("é"), "Rule2");
    }
}
