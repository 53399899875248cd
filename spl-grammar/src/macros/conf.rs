//! Reading Splunk's `macros.conf`.
//!
//! The format, as the `macros.conf` spec describes it:
//!
//! ```text
//! # a comment line
//! [get_endpoint_data]
//! definition = index=endpoint sourcetype=sysmon
//!
//! [group_events(2)]
//! args = fields, span
//! definition = | bin span=$span$ \
//!   | stats values(*) as * by _time, $fields$
//! description = group events per time bucket
//! ```
//!
//! - A stanza `[name]` defines a macro without arguments; `[name(N)]` one with `N`
//!   arguments. The same name may have several arities (overloading).
//! - Settings are `key = value` (white space around both trimmed). Known keys:
//!   `definition`, `args` (comma-separated argument names), `iseval`, `description`,
//!   `validation`, `errormsg`; other keys are kept as they are.
//! - A line whose first non-blank character is `#` is a comment (only whole lines: a `#`
//!   inside a value is part of the value).
//! - A value continues on the next line when its line ends with a backslash; the backslash
//!   is dropped and the line break kept, and the next line is taken as it is (a `#` there
//!   is part of the value).
//! - Settings before the first stanza belong to `[default]`, which defines no macro.
//!
//! [`parse_conf`] reads the text into [`ConfStanza`]s with spans; turning stanzas into
//! macro definitions (and merging several files) is [`MacroTable`](super::MacroTable)'s
//! job.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// One `[stanza]` of a `.conf` file with its settings in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfStanza {
    /// The name between the brackets, trimmed (`group_events(2)`); `default` for settings
    /// written before any stanza.
    pub name: String,
    /// The `[...]` header (empty at offset 0 for the implicit `default`).
    pub span: Span,
    /// The settings, in file order.
    pub settings: Vec<ConfSetting>,
}

/// One `key = value` setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfSetting {
    /// The key, trimmed.
    pub key: String,
    /// The value, trimmed, with continuation backslashes removed (their line breaks kept).
    pub value: String,
    /// The key as written.
    pub key_span: Span,
    /// The whole setting, from the key to the end of its last line.
    pub span: Span,
}

/// Read a `.conf` text into stanzas. Errors (`E0010`) have spans into `text` and no
/// source attached.
pub fn parse_conf(text: &str) -> Result<Vec<ConfStanza>, Box<Diagnostic>> {
    parse_stanzas(text).map_err(Box::new)
}

#[allow(clippy::result_large_err)]
fn parse_stanzas(text: &str) -> Result<Vec<ConfStanza>, Diagnostic> {
    let mut stanzas: Vec<ConfStanza> = Vec::new();
    let mut lines = Lines::new(text);
    while let Some((start, line)) = lines.next() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let body_start = start + indent;
        if body.starts_with('[') {
            let Some(close) = body.rfind(']') else {
                return Err(syntax(
                    Span::new(body_start, start + line.len()),
                    "this stanza header has no closing `]`",
                ));
            };
            if !body[close + 1..].trim().is_empty() {
                return Err(syntax(
                    Span::new(body_start + close + 1, body_start + body.len()),
                    "unexpected text after the stanza header",
                ));
            }
            stanzas.push(ConfStanza {
                name: body[1..close].trim().to_string(),
                span: Span::new(body_start, body_start + close + 1),
                settings: Vec::new(),
            });
            continue;
        }
        let Some(eq) = line.find('=') else {
            return Err(syntax(
                Span::new(body_start, body_start + body.len()),
                "expected `key = value`",
            )
            .with_note(
                "a line of a .conf file is a `[stanza]`, a `key = value` setting, or a `# comment`",
            ));
        };
        let key = line[..eq].trim();
        if key.is_empty() {
            return Err(syntax(
                Span::new(start + eq, start + eq + 1),
                "this setting has no key",
            ));
        }
        let key_start = start + line[..eq].find(key).unwrap_or(0);
        if key
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '[' | ']' | ':'))
        {
            return Err(syntax(
                Span::new(key_start, key_start + key.len()),
                "not a setting name",
            )
            .with_note("a setting is written `key = value`"));
        }
        let mut raw = line[eq + 1..].to_string();
        let mut end = start + line.len();
        while raw.ends_with('\\') {
            raw.pop();
            raw.push('\n');
            match lines.next() {
                Some((next_start, next)) => {
                    raw.push_str(next);
                    end = next_start + next.len();
                }
                None => break,
            }
        }
        if stanzas.is_empty() {
            stanzas.push(ConfStanza {
                name: "default".into(),
                span: Span::point(0),
                settings: Vec::new(),
            });
        }
        if let Some(stanza) = stanzas.last_mut() {
            stanza.settings.push(ConfSetting {
                key: key.to_string(),
                value: raw.trim().to_string(),
                key_span: Span::new(key_start, key_start + key.len()),
                span: Span::new(key_start, end),
            });
        }
    }
    Ok(stanzas)
}

fn syntax(span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(Code::CONF_SYNTAX, "invalid line in macros.conf").with_primary(span, label)
}

/// Lines with their start offsets, without the line break (`\n` or `\r\n`).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines { text, pos: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

/// Split a stanza name into macro name and arity: `name` is `(name, 0)`, `name(N)` is
/// `(name, N)`. `None` when the name is not of that form.
pub fn split_stanza_name(stanza: &str) -> Option<(&str, usize)> {
    let stanza = stanza.trim();
    let (name, arity) = match stanza.strip_suffix(')') {
        Some(head) => {
            let open = head.rfind('(')?;
            let digits = head[open + 1..].trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (head[..open].trim_end(), digits.parse().ok()?)
        }
        None => (stanza, 0),
    };
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']' | '`' | '$' | ','));
    valid.then_some((name, arity))
}

/// Parse `args = a, b, c` into names. Names are made of letters, digits, `_` and `-`, and
/// may not repeat. Errors are labels for the setting.
pub fn parse_args(value: &str) -> Result<Vec<String>, String> {
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = Vec::new();
    for part in value.split(',') {
        let name = part.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "`{name}` is not an argument name (letters, digits, `_` and `-` only)"
            ));
        }
        if names.iter().any(|n| n == name) {
            return Err(format!("argument `{name}` is named twice"));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// Parse a `.conf` boolean (`true`/`false`, `t`/`f`, `yes`/`no`, `1`/`0`, any case).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" => Some(true),
        "false" | "f" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_settings_comments_and_continuations() {
        let text = "# header comment\n\
                    [a]\n\
                    definition = index=x   \n\
                    \n\
                    [b(2)]\r\n\
                    \x20 args = x, y\n\
                    definition = | bin span=$y$ \\\n\
                    # not a comment here\\\n\
                    \x20 | stats count by $x$\n\
                    custom = kept # not a comment\n";
        let stanzas = parse_conf(text).expect("valid conf");
        assert_eq!(stanzas.len(), 2);
        assert_eq!(stanzas[0].name, "a");
        assert_eq!(stanzas[0].span.slice(text), "[a]");
        assert_eq!(stanzas[0].settings[0].key, "definition");
        assert_eq!(stanzas[0].settings[0].value, "index=x");
        let b = &stanzas[1];
        assert_eq!(b.name, "b(2)");
        assert_eq!(b.settings[0].key, "args");
        assert_eq!(b.settings[0].key_span.slice(text), "args");
        assert_eq!(
            b.settings[1].value,
            "| bin span=$y$ \n# not a comment here\n  | stats count by $x$"
        );
        assert!(b.settings[1].span.slice(text).ends_with("by $x$"));
        assert_eq!(b.settings[2].value, "kept # not a comment");
    }

    #[test]
    fn settings_before_any_stanza_go_to_default() {
        let stanzas = parse_conf("k = v\n[m]\n").expect("valid");
        assert_eq!(stanzas[0].name, "default");
        assert_eq!(stanzas[0].settings[0].value, "v");
        assert_eq!(stanzas[1].name, "m");
    }

    #[test]
    fn bad_lines_are_errors_with_their_position() {
        let text = "[a]\ndefinition: index=x\n";
        let err = parse_conf(text).expect_err("no `=`");
        assert_eq!(err.code, Code::CONF_SYNTAX);
        let span = err.primary.as_ref().map(|l| l.span).unwrap_or_default();
        assert_eq!(span.slice(text), "definition: index");
        assert!(parse_conf("[a]\ndefinition index\n").is_err());
        assert!(parse_conf("[a\n").is_err());
        assert!(parse_conf("[a] x\n").is_err());
        assert!(parse_conf(" = v\n").is_err());
    }

    #[test]
    fn stanza_names_and_arity() {
        assert_eq!(
            split_stanza_name("get_endpoint_data"),
            Some(("get_endpoint_data", 0))
        );
        assert_eq!(
            split_stanza_name("group_events(2)"),
            Some(("group_events", 2))
        );
        assert_eq!(split_stanza_name("f( 1 )"), Some(("f", 1)));
        assert_eq!(split_stanza_name("f(x)"), None);
        assert_eq!(split_stanza_name("f()"), None);
        assert_eq!(split_stanza_name("(2)"), None);
        assert_eq!(split_stanza_name("a b"), None);
    }

    #[test]
    fn args_and_booleans() {
        assert_eq!(
            parse_args(" fields , span"),
            Ok(vec!["fields".to_string(), "span".to_string()])
        );
        assert_eq!(parse_args(""), Ok(vec![]));
        assert!(parse_args("a, a").is_err());
        assert!(parse_args("a b").is_err());
        assert!(parse_args("a,,b").is_err());
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
