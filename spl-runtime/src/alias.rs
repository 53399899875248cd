//! Field aliases: vendor field names mapped to the CIM names detection rules read.
//!
//! Rules say `process`, `process_name`, `parent_process_path`, `user`, `host`,
//! `signature_id`; Sysmon says `CommandLine`, `Image`, `ParentImage`, `User`, `Computer`;
//! Windows Security says `NewProcessName`, `SubjectUserName`, or in classic records
//! `Process_Command_Line`, `Account_Name`. An [`AliasMap`] copies the vendor fields to the
//! rule names after an event is read, as Splunk's field aliases and calculated fields do
//! at search time.
//!
//! The mapping is data: a small text table, parsed once into field ids, so applying it
//! to an event compares integers and never hashes a name. The built-in table
//! ([`BUILTIN_TABLE`], used by [`AliasMap::builtin`]) covers Sysmon event 1, Security
//! 4688 and PowerShell 4104, in event XML and classic `WinEventLog` form, plus `host`,
//! `dest` and `signature_id` for every Windows event. [`AliasMap::from_file`] replaces
//! it; [`AliasMap::none`] turns aliasing off.
//!
//! # Table format
//!
//! ```text
//! # A comment (a line starting with `#` or `;`).
//! [EventCode=1 Provider=Microsoft-Windows-Sysmon]
//! [EventCode=1 SourceName=Microsoft-Windows-Sysmon]
//! process_path = Image
//! process_name = basename(Image)
//!
//! [*]
//! host = Computer
//! host = ComputerName
//! ```
//!
//! - A **section** is one or more header lines in a row, then its alias lines. A header
//!   `[cond cond ...]` holds when every condition in it holds; a section applies to an
//!   event when any of its headers holds. `[*]` always holds.
//! - A **condition** is `field=value` (the field has a value equal to `value`, ignoring
//!   ASCII case, as the search command compares; any value of a multivalue field counts),
//!   `field="value with spaces"`, or `field=*` (the field is present).
//! - An **alias line** is `target = source` or `target = function(source)`; functions
//!   nest (`basename(first(x))`) and apply to each value of a multivalue field:
//!   - `basename(x)`: the text after the last `\` or `/` (a path's file name);
//!   - `first(x)`: the first value only;
//!   - `script_block(x)`: a PowerShell 4104 message's script: the lines after the first,
//!     up to a line starting with `ScriptBlock ID:`, trimmed (the classic record has no
//!     `ScriptBlockText` field; its `Message` reads `Creating Scriptblock text (1 of 1):`,
//!     the script, then `ScriptBlock ID: ...` and `Path: ...`).
//! - Field names are written bare and may hold any character but whitespace and
//!   `=()[]"`; they are case-sensitive.
//! - **Never overwrite**: an alias line sets its target only when the event does not have
//!   that field yet (whether read or set by an earlier line) and the source is present
//!   (and, through a function, gives a value). So lines with the same target are
//!   fallbacks, tried in order.
//! - Sections apply in table order, each tested against the event as the sections before
//!   it left it.
//!
//! Errors in a table name the line (and file) and what is wrong.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::value::Value;

/// The text of the built-in alias table (see the [module docs](self) for its format).
pub const BUILTIN_TABLE: &str = include_str!("alias/builtin.conf");

/// A parsed alias table, ready to apply to events. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AliasMap {
    sections: Arc<[Section]>,
}

#[derive(Debug)]
struct Section {
    /// Any one of these must hold; each is a list of conditions that must all hold.
    when: Vec<Vec<Condition>>,
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Condition {
    field: FieldId,
    test: Test,
}

#[derive(Debug)]
enum Test {
    Present,
    Equals(String),
}

#[derive(Debug)]
struct Rule {
    target: FieldId,
    source: FieldId,
    /// Applied innermost first.
    functions: Vec<Function>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Function {
    Basename,
    First,
    ScriptBlock,
}

impl Function {
    fn name(self) -> &'static str {
        match self {
            Function::Basename => "basename",
            Function::First => "first",
            Function::ScriptBlock => "script_block",
        }
    }

    fn from_name(name: &str) -> Option<Function> {
        match name {
            "basename" => Some(Function::Basename),
            "first" => Some(Function::First),
            "script_block" => Some(Function::ScriptBlock),
            _ => None,
        }
    }
}

/// An alias table that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum AliasError {
    /// The file could not be read.
    #[error("cannot read alias table {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A line of the table is wrong.
    #[error("{}line {line}: {message}", Location(path.as_deref()))]
    Syntax {
        /// The file, when the table came from one.
        path: Option<PathBuf>,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

struct Location<'a>(Option<&'a Path>);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(path) => write!(f, "{}: ", path.display()),
            None => Ok(()),
        }
    }
}

impl AliasMap {
    /// The built-in table ([`BUILTIN_TABLE`]), parsed once per process.
    pub fn builtin() -> AliasMap {
        static BUILTIN: OnceLock<AliasMap> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                AliasMap::parse(BUILTIN_TABLE).expect("the built-in alias table parses (tested)")
            })
            .clone()
    }

    /// No aliases: [`AliasMap::apply`] leaves events as they are.
    pub fn none() -> AliasMap {
        AliasMap {
            sections: Arc::new([]),
        }
    }

    /// Parse a table (see the [module docs](self)).
    pub fn parse(text: &str) -> Result<AliasMap, AliasError> {
        parse(text).map_err(|(line, message)| AliasError::Syntax {
            path: None,
            line,
            message,
        })
    }

    /// Read and parse a table file; it replaces the built-in table.
    pub fn from_file(path: &Path) -> Result<AliasMap, AliasError> {
        let text = std::fs::read_to_string(path).map_err(|source| AliasError::Io {
            path: path.to_owned(),
            source,
        })?;
        parse(&text).map_err(|(line, message)| AliasError::Syntax {
            path: Some(path.to_owned()),
            line,
            message,
        })
    }

    /// True when the table has no section (applying it does nothing).
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The fields the table reads and the fields it may write, each once, in the table's
    /// order: it reads its conditions' fields, its sources and its targets (a target an
    /// event has is never replaced), and writes its targets. What [`AliasMap::apply`]
    /// does to an event depends on the read fields alone.
    pub fn fields(&self) -> (Vec<FieldId>, Vec<FieldId>) {
        let mut read: Vec<FieldId> = Vec::new();
        let mut written: Vec<FieldId> = Vec::new();
        let add = |list: &mut Vec<FieldId>, field: FieldId| {
            if !list.contains(&field) {
                list.push(field);
            }
        };
        for section in self.sections.iter() {
            for condition in section.when.iter().flatten() {
                add(&mut read, condition.field);
            }
            for rule in &section.rules {
                add(&mut read, rule.source);
                add(&mut read, rule.target);
                add(&mut written, rule.target);
            }
        }
        (read, written)
    }

    /// Add the aliased fields to `record` (never replacing a field it has).
    pub fn apply(&self, record: &mut Record) {
        for section in self.sections.iter() {
            if section
                .when
                .iter()
                .any(|all| all.iter().all(|c| c.holds(record)))
            {
                for rule in &section.rules {
                    rule.apply(record);
                }
            }
        }
    }
}

/// The table in its text format (see the [module docs](self)), one header per line:
/// parsing it gives the same table.
impl fmt::Display for AliasMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for section in self.sections.iter() {
            for all in &section.when {
                if all.is_empty() {
                    writeln!(f, "[*]")?;
                    continue;
                }
                let mut sep = "[";
                for condition in all {
                    write!(f, "{sep}{}=", condition.field.name())?;
                    match &condition.test {
                        Test::Present => write!(f, "*")?,
                        Test::Equals(v) if v.contains(char::is_whitespace) => write!(f, "\"{v}\"")?,
                        Test::Equals(v) => write!(f, "{v}")?,
                    }
                    sep = " ";
                }
                writeln!(f, "]")?;
            }
            for rule in &section.rules {
                write!(f, "{} = ", rule.target.name())?;
                for function in rule.functions.iter().rev() {
                    write!(f, "{}(", function.name())?;
                }
                write!(f, "{}", rule.source.name())?;
                for _ in &rule.functions {
                    write!(f, ")")?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

impl Default for AliasMap {
    /// The built-in table.
    fn default() -> Self {
        AliasMap::builtin()
    }
}

impl Condition {
    fn holds(&self, record: &Record) -> bool {
        match (&self.test, record.get(self.field)) {
            (_, None) => false,
            (Test::Present, Some(_)) => true,
            (Test::Equals(want), Some(value)) => {
                value.iter_str().any(|v| v.eq_ignore_ascii_case(want))
            }
        }
    }
}

impl Rule {
    fn apply(&self, record: &mut Record) {
        if record.get(self.target).is_some() {
            return;
        }
        let Some(value) = record.get(self.source) else {
            return;
        };
        let value = if self.functions.is_empty() {
            Some(value.clone())
        } else {
            let mut values: Vec<String> = value.iter_str().map(|v| v.into_owned()).collect();
            for function in &self.functions {
                values = match function {
                    Function::Basename => values.iter().map(|v| basename(v).to_owned()).collect(),
                    Function::First => values.into_iter().take(1).collect(),
                    Function::ScriptBlock => {
                        values.iter().filter_map(|v| script_block(v)).collect()
                    }
                };
            }
            Value::from_strings(values)
        };
        if let Some(value) = value {
            record.set(self.target, value);
        }
    }
}

/// The text after the last `\` or `/`.
fn basename(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// A 4104 message's script text (see the module docs), or `None` when empty.
fn script_block(message: &str) -> Option<String> {
    let mut lines = message.lines();
    lines.next();
    let mut script = String::new();
    for line in lines {
        if line.trim_start().starts_with("ScriptBlock ID:") {
            break;
        }
        script.push_str(line);
        script.push('\n');
    }
    let script = script.trim();
    (!script.is_empty()).then(|| script.to_owned())
}

type ParseError = (usize, String);

fn parse(text: &str) -> Result<AliasMap, ParseError> {
    let mut sections: Vec<Section> = Vec::new();
    // True while the current section is still reading headers.
    let mut in_headers = false;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let inner = header
                .strip_suffix(']')
                .ok_or_else(|| (number, "a section header must end with `]`".to_owned()))?;
            let conditions = parse_header(inner).map_err(|m| (number, m))?;
            match sections.last_mut() {
                Some(section) if in_headers => section.when.push(conditions),
                _ => sections.push(Section {
                    when: vec![conditions],
                    rules: Vec::new(),
                }),
            }
            in_headers = true;
            continue;
        }
        let section = sections.last_mut().ok_or_else(|| {
            (
                number,
                "an alias line must follow a section header such as `[*]`".to_owned(),
            )
        })?;
        section
            .rules
            .push(parse_rule(line).map_err(|m| (number, m))?);
        in_headers = false;
    }
    Ok(AliasMap {
        sections: sections.into(),
    })
}

fn parse_header(inner: &str) -> Result<Vec<Condition>, String> {
    let mut conditions = Vec::new();
    let mut rest = inner.trim();
    if rest == "*" {
        return Ok(conditions);
    }
    if rest.is_empty() {
        return Err("empty section header (write `[*]` for every event)".to_owned());
    }
    while !rest.is_empty() {
        let (field, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("expected `field=value` in the header, found `{rest}`"))?;
        check_name(field)?;
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted
                    .find('"')
                    .ok_or_else(|| format!("unterminated quote after `{field}=`"))?;
                (&quoted[..end], &quoted[end + 1..])
            }
            None => after.split_at(after.find(char::is_whitespace).unwrap_or(after.len())),
        };
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return Err(format!("expected a space after the value of `{field}`"));
        }
        let test = match value {
            "*" => Test::Present,
            "" => {
                return Err(format!(
                    "missing value after `{field}=` (write `{field}=*` for present)"
                ))
            }
            value => Test::Equals(value.to_owned()),
        };
        conditions.push(Condition {
            field: FieldId::intern(field),
            test,
        });
        rest = after.trim_start();
    }
    Ok(conditions)
}

fn parse_rule(line: &str) -> Result<Rule, String> {
    let (target, expr) = line
        .split_once('=')
        .ok_or_else(|| format!("expected `target = source`, found `{line}`"))?;
    let target = target.trim();
    check_name(target)?;
    let mut expr = expr.trim();
    let mut functions = Vec::new();
    while let Some(open) = expr.find('(') {
        let name = expr[..open].trim();
        let function = Function::from_name(name).ok_or_else(|| {
            format!("unknown function `{name}` (expected basename, first or script_block)")
        })?;
        let inner = expr[open + 1..]
            .trim_end()
            .strip_suffix(')')
            .ok_or_else(|| format!("missing `)` after `{name}(`"))?;
        functions.push(function);
        expr = inner.trim();
    }
    check_name(expr)?;
    functions.reverse();
    Ok(Rule {
        target: FieldId::intern(target),
        source: FieldId::intern(expr),
        functions,
    })
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("missing field name".to_owned());
    }
    match name
        .chars()
        .find(|c| c.is_whitespace() || "=()[]\"".contains(*c))
    {
        Some(c) => Err(format!("`{name}` is not a field name (it holds `{c}`)")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_written_back_parses_to_the_same_table() {
        let builtin = AliasMap::builtin();
        let text = builtin.to_string();
        let again = AliasMap::parse(&text).expect("the written table parses");
        assert_eq!(again.to_string(), text);
        let small = AliasMap::parse(
            "[EventCode=1 Provider=\"A B\"]\n[Image=*]\nname = basename(first(Image))\n[*]\nhost = Computer\n",
        )
        .expect("parses");
        assert_eq!(
            small.to_string(),
            "[EventCode=1 Provider=\"A B\"]\n[Image=*]\nname = basename(first(Image))\n[*]\nhost = Computer\n"
        );
    }

    #[test]
    fn the_fields_a_table_reads_and_writes() {
        let map = AliasMap::parse(
            "[EventCode=1]\nprocess = CommandLine\nprocess_name = basename(Image)\n[*]\nhost = Computer\nprocess = Cmd\n",
        )
        .expect("parses");
        let (read, written) = map.fields();
        let names = |ids: Vec<FieldId>| ids.iter().map(|f| f.name().to_owned()).collect::<Vec<_>>();
        assert_eq!(
            names(read),
            [
                "EventCode",
                "CommandLine",
                "process",
                "Image",
                "process_name",
                "Computer",
                "host",
                "Cmd"
            ]
        );
        assert_eq!(names(written), ["process", "process_name", "host"]);
        let (read, written) = AliasMap::none().fields();
        assert!(read.is_empty() && written.is_empty());
    }

    #[test]
    fn builtin_parses() {
        assert!(!AliasMap::builtin().is_empty());
        assert!(AliasMap::none().is_empty());
    }

    #[test]
    fn basenames() {
        assert_eq!(basename(r"C:\Windows\System32\cmd.exe"), "cmd.exe");
        assert_eq!(basename("/usr/bin/pip"), "pip");
        assert_eq!(basename("pip"), "pip");
        assert_eq!(basename(r"C:\dir\"), "");
    }

    #[test]
    fn script_blocks() {
        let message =
            "Creating Scriptblock text (1 of 1):\r\npip install x\n\nScriptBlock ID: 1-2\nPath: ";
        assert_eq!(script_block(message), Some("pip install x".to_owned()));
        assert_eq!(
            script_block("Creating Scriptblock text (1 of 1):\n\nScriptBlock ID: 1"),
            None
        );
        assert_eq!(script_block("one line"), None);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let cases = [
            ("process = Image", 1, "must follow a section header"),
            ("[EventCode=1\nx = y", 1, "must end with `]`"),
            ("[]", 1, "empty section header"),
            ("[EventCode]", 1, "expected `field=value`"),
            ("[EventCode=]", 1, "missing value"),
            ("[a=\"x]", 1, "unterminated quote"),
            ("[*]\n\n# c\nprocess Image", 4, "expected `target = source`"),
            ("[*]\nprocess = lower(Image)", 2, "unknown function `lower`"),
            ("[*]\nprocess = basename(Image", 2, "missing `)`"),
            ("[*]\nprocess = Image Path", 2, "not a field name"),
            ("[*]\n = Image", 2, "missing field name"),
        ];
        for (text, line, want) in cases {
            match AliasMap::parse(text) {
                Err(AliasError::Syntax {
                    line: got,
                    message,
                    path: None,
                }) => {
                    assert_eq!(got, line, "{text:?}: {message}");
                    assert!(message.contains(want), "{text:?}: {message}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn nested_functions_apply_innermost_first() {
        let map = AliasMap::parse("[*]\nname = basename(first(Path))").expect("valid");
        let mut r = Record::new();
        r.push_named("Path", r"C:\a\one.exe");
        r.push_named("Path", r"C:\b\two.exe");
        map.apply(&mut r);
        assert_eq!(r.get_named("name"), Some(&Value::Str("one.exe".into())));
    }
}
