//! Rule files: YAML detection rules (the armory format) and bare `.spl` files.
//!
//! A YAML rule is a mapping with the keys `id`, `title`, `description`, `logic_format`,
//! `logic` (the SPL text), `techniques`, `technique_id`, `data_category` and `references`.
//! A detection of Splunk's content catalog (ESCU) loads too: its SPL is the `search` key
//! (used when there is no `logic`), its title the `name` key, its ATT&CK ids
//! `tags.mitre_attack_id`; those keys, `type`, `data_source` and the rest stay in
//! [`RuleFile::extra`].
//! Lists may be a list, a single string, `null`, empty, or absent. Every other key is kept,
//! in file order, in [`RuleFile::extra`]. A `.spl` file is the logic alone; its id and title
//! are the file stem.
//!
//! # Positions
//!
//! Diagnostics point into the *file*, not into the `logic` string: a caret must sit under
//! the right character on the right line of the YAML file. The YAML parser
//! (`serde_norway`) gives values but not their positions, so the loader finds the `logic`
//! scalar in the file itself (a top-level `logic:` key) and decodes it again with YAML's
//! rules for its style, recording for every byte of the decoded string the bytes of the
//! file it came from:
//!
//! - plain scalars and single-quoted scalars (`''` is one quote), double-quoted scalars
//!   (with every escape, `\` line continuations), literal (`|`) and folded (`>`) block
//!   scalars with their chomping and indentation indicators;
//! - line folding: a single line break between two lines becomes a space, which maps to
//!   that line break; `n` breaks become `n - 1` newlines; indentation and trailing blanks
//!   of folded lines map nowhere.
//!
//! The decoded string must equal the value the YAML parser gave; if it does not (an
//! unusual style such as a tagged or aliased scalar, or a flow mapping), every position
//! falls back to the start of the scalar (or of the file when the key cannot be found).
//! [`RuleSource`] holds the map.
//!
//! # Nesting
//!
//! The YAML parser's time grows with the number of tokens times the nesting depth of flow
//! collections (`[...]`, `{...}`): a 500 KB file nested 100,000 deep would take about a
//! minute before failing. So before parsing, the loader counts the `[` and `{` of the
//! file, which bound that depth whatever the quoting, and rejects a file with more than
//! [`MAX_YAML_BRACKETS`] of them, pointing at the first one past the limit. Rule files
//! hold a few dozen.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use serde_norway::{Mapping, Value};

use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::error::{Error, Phase};
use crate::span::{LineIndex, Span};

/// The most `[` and `{` characters a YAML rule file may hold (see the
/// [module docs](self#nesting)).
pub const MAX_YAML_BRACKETS: usize = 1000;

/// A detection rule: its metadata and its SPL `logic`.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFile {
    /// `id`; for a `.spl` file (or a YAML file without one) the file stem.
    pub id: String,
    /// `title`; defaults to the id.
    pub title: String,
    /// `description`.
    pub description: Option<String>,
    /// `logic_format` (`Splunk` in the armory).
    pub logic_format: Option<String>,
    /// The SPL text.
    pub logic: String,
    /// `techniques` (`tactic:technique name` strings).
    pub techniques: Vec<String>,
    /// `technique_id` (MITRE ATT&CK ids such as `T1046`).
    pub technique_id: Vec<String>,
    /// `data_category`.
    pub data_category: Vec<String>,
    /// `references` (URLs).
    pub references: Vec<String>,
    /// Every other top-level key, in file order.
    pub extra: Mapping,
    /// The file it was loaded from, if any.
    pub path: Option<PathBuf>,
    source: RuleSource,
}

impl RuleFile {
    /// A rule from bare SPL text; `name` is its id and title, and names it in diagnostics.
    pub fn from_spl_str(text: &str, name: &str) -> RuleFile {
        let (logic, offset) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest, '\u{feff}'.len_utf8()),
            None => (text, 0),
        };
        RuleFile {
            id: name.to_string(),
            title: name.to_string(),
            description: None,
            logic_format: None,
            logic: logic.to_string(),
            techniques: Vec::new(),
            technique_id: Vec::new(),
            data_category: Vec::new(),
            references: Vec::new(),
            extra: Mapping::new(),
            path: None,
            source: RuleSource {
                file: Arc::new(SourceFile::new(name, text)),
                logic: logic.into(),
                map: LogicMap::Shifted(offset),
            },
        }
    }

    /// A rule from the text of a YAML rule file; `name` (usually the path) names it in
    /// diagnostics and gives the default id.
    pub fn from_yaml_str(text: &str, name: &str) -> Result<RuleFile, Error> {
        let file = Arc::new(SourceFile::new(name, text));
        let fail = |d: Diagnostic| Error::new(Phase::Load, d.with_source(file.clone()));
        if let Some(diagnostic) = too_many_brackets(text) {
            return Err(fail(diagnostic));
        }
        let value: Value = serde_norway::from_str(text).map_err(|e| fail(yaml_error(text, &e)))?;
        let Value::Mapping(mapping) = untag(value) else {
            return Err(fail(
                Diagnostic::error(
                    Code::FIELD_TYPE,
                    "a rule file must be a mapping of keys to values",
                )
                .with_primary(Span::point(0), "expected `id: ...`, `logic: ...`, ..."),
            ));
        };
        let stem = Path::new(name)
            .file_stem()
            .map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
        let mut rule = RuleFile {
            path: None,
            ..RuleFile::from_spl_str("", &stem)
        };
        let mut logic = None;
        let mut title = None;
        let mut escu = EscuKeys::default();
        for (key, value) in mapping {
            let Some(k) = key.as_str().map(str::to_string) else {
                rule.extra.insert(key, value);
                continue;
            };
            let wrong = |expected: &str| {
                fail(
                    Diagnostic::error(Code::FIELD_TYPE, format!("`{k}` must be {expected}"))
                        .with_primary(key_span(text, &k), format!("expected {expected}")),
                )
            };
            match k.as_str() {
                "id" => {
                    if let Some(id) = scalar_string(&value).map_err(|()| wrong("a string"))? {
                        rule.id = id;
                    }
                }
                "title" => title = scalar_string(&value).map_err(|()| wrong("a string"))?,
                "description" => {
                    rule.description = scalar_string(&value).map_err(|()| wrong("a string"))?
                }
                "logic_format" => {
                    rule.logic_format = scalar_string(&value).map_err(|()| wrong("a string"))?
                }
                "logic" => match untag(value) {
                    Value::String(s) => logic = Some(s),
                    _ => {
                        return Err(fail(
                            Diagnostic::error(Code::NO_LOGIC, "`logic` must be a string of SPL")
                                .with_primary(
                                    key_span(text, "logic"),
                                    "expected the SPL text here",
                                ),
                        ))
                    }
                },
                "techniques" => {
                    rule.techniques =
                        string_list(&value).map_err(|()| wrong("a list of strings"))?
                }
                "technique_id" => {
                    rule.technique_id =
                        string_list(&value).map_err(|()| wrong("a list of strings"))?
                }
                "data_category" => {
                    rule.data_category =
                        string_list(&value).map_err(|()| wrong("a list of strings"))?;
                }
                "references" => {
                    rule.references =
                        string_list(&value).map_err(|()| wrong("a list of strings"))?
                }
                _ => {
                    escu.note(&k, &value);
                    rule.extra.insert(key, value);
                }
            }
        }
        let logic_key = if logic.is_some() { "logic" } else { "search" };
        let logic = logic.or(escu.search);
        if title.is_none() {
            title = escu.name;
        }
        if rule.technique_id.is_empty() {
            rule.technique_id = escu.mitre_attack_id;
        }
        let Some(logic) = logic else {
            return Err(fail(
                Diagnostic::error(Code::NO_LOGIC, "this rule file has no `logic`")
                    .with_primary(Span::point(0), "")
                    .with_note(
                        "the SPL text of a rule is the value of its top-level `logic` key \
                         (or `search`, in Splunk's content format)",
                    ),
            ));
        };
        rule.title = title.unwrap_or_else(|| rule.id.clone());
        rule.source = RuleSource {
            map: locate_logic(text, logic_key, &logic),
            file,
            logic: logic.as_str().into(),
        };
        rule.logic = logic;
        Ok(rule)
    }

    /// A top-level key of [`extra`](Self::extra) as a string (a string, number or boolean).
    pub fn extra_string(&self, key: &str) -> Option<String> {
        self.extra
            .get(key)
            .and_then(|v| scalar_string(v).ok().flatten())
    }

    /// A top-level key of [`extra`](Self::extra) as a list of strings (a single string is
    /// a list of one; anything else, or no such key, is empty).
    pub fn extra_list(&self, key: &str) -> Vec<String> {
        self.extra
            .get(key)
            .and_then(|v| string_list(v).ok())
            .unwrap_or_default()
    }

    /// Where the rule came from, and how its `logic` maps into that file.
    pub fn source(&self) -> &RuleSource {
        &self.source
    }

    /// The rule's source if it still matches [`logic`](Self::logic); after `logic` was
    /// changed, a source of the logic text alone (named by the path or id).
    pub fn current_source(&self) -> RuleSource {
        if *self.source.logic == *self.logic {
            return self.source.clone();
        }
        let name = self
            .path
            .as_ref()
            .map_or_else(|| self.id.clone(), |p| p.display().to_string());
        RuleFile::from_spl_str(&self.logic, &name).source
    }
}

/// What the loader takes from the keys of Splunk's content format (ESCU detections): the
/// SPL is `search` when there is no `logic`, the title is `name` when there is no
/// `title`, and `tags.mitre_attack_id` gives the ATT&CK ids when there is no
/// `technique_id`. The keys themselves stay in [`RuleFile::extra`].
#[derive(Default)]
struct EscuKeys {
    search: Option<String>,
    name: Option<String>,
    mitre_attack_id: Vec<String>,
}

impl EscuKeys {
    /// Take what this top-level key gives, if anything.
    fn note(&mut self, key: &str, value: &Value) {
        match key {
            "search" => {
                if let Value::String(s) = untag(value.clone()) {
                    self.search = Some(s);
                }
            }
            "name" => self.name = scalar_string(value).ok().flatten(),
            "tags" => {
                if let Some(ids) = value.get("mitre_attack_id") {
                    self.mitre_attack_id = string_list(ids).unwrap_or_default();
                }
            }
            _ => {}
        }
    }
}

/// The file a rule's `logic` is in, and the map from logic offsets to file offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSource {
    file: Arc<SourceFile>,
    logic: Arc<str>,
    map: LogicMap,
}

#[derive(Clone, PartialEq, Eq)]
enum LogicMap {
    /// The logic is the file from this offset on (a `.spl` file, after a byte-order mark).
    Shifted(usize),
    /// Per logic byte, the file range it was decoded from; `starts` has one more entry (the
    /// end of the scalar's content).
    Exact {
        starts: Vec<usize>,
        ends: Vec<usize>,
    },
    /// Unknown inside the scalar: everything maps to this offset.
    Fallback(usize),
}

impl fmt::Debug for LogicMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogicMap::Shifted(o) => write!(f, "Shifted({o})"),
            LogicMap::Exact { starts, .. } => {
                write!(f, "Exact({} bytes)", starts.len().saturating_sub(1))
            }
            LogicMap::Fallback(o) => write!(f, "Fallback({o})"),
        }
    }
}

impl RuleSource {
    /// The file (path as given and whole text).
    pub fn file(&self) -> &Arc<SourceFile> {
        &self.file
    }

    /// The logic text this source maps.
    pub fn logic(&self) -> &str {
        &self.logic
    }

    /// True when every byte of the logic maps to its own place in the file (false when
    /// positions fall back to the start of the scalar).
    pub fn is_exact(&self) -> bool {
        !matches!(self.map, LogicMap::Fallback(_))
    }

    /// Map a span of the logic text to the file.
    pub fn logic_to_file(&self, span: Span) -> Span {
        let len = self.logic.len();
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        match &self.map {
            LogicMap::Shifted(o) => Span::new(start + o, end + o),
            LogicMap::Fallback(o) => Span::point(*o),
            LogicMap::Exact { starts, ends } => {
                let s = starts.get(start).copied().unwrap_or(0);
                if end == start {
                    return Span::point(s);
                }
                let e = ends.get(end - 1).copied().unwrap_or(s);
                Span::new(s, e.max(s))
            }
        }
    }

    /// Move a diagnostic whose spans point into the logic text to this file.
    pub fn relocate(&self, diagnostic: Diagnostic) -> Diagnostic {
        diagnostic
            .map_spans(|s| self.logic_to_file(s))
            .with_source(self.file.clone())
    }
}

/// A file found by [`load_rules_dir`] and what loading it gave.
pub type LoadedRule = (PathBuf, Result<RuleFile, Error>);

/// Load one rule file: `.spl` as bare SPL, anything else as YAML.
pub fn load_rule(path: impl AsRef<Path>) -> Result<RuleFile, Error> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
    let name = path.display().to_string();
    let mut rule = if path.extension().is_some_and(|e| e == "spl") {
        let stem = path
            .file_stem()
            .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
        let mut rule = RuleFile::from_spl_str(&text, &stem);
        rule.source.file = Arc::new(SourceFile::new(name, text.as_str()));
        rule
    } else {
        RuleFile::from_yaml_str(&text, &name)?
    };
    rule.path = Some(path.to_path_buf());
    Ok(rule)
}

/// Load the rule files `paths` names: each file, and every rule file under each directory
/// (see [`load_rules_dir`]), in the order given. A directory that cannot be read is one
/// failed entry.
pub fn load_rule_paths(paths: &[PathBuf]) -> Vec<LoadedRule> {
    list_rule_paths(paths)
        .into_iter()
        .map(|(path, listed)| {
            let rule = listed.and_then(|()| load_rule(&path));
            (path, rule)
        })
        .collect()
}

/// A rule file to load (`Ok`), or an entry that could not be listed (`Err`).
pub type ListedPath = (PathBuf, Result<(), Error>);

/// The rule files [`load_rule_paths`] would load, in its order, without reading them: `Ok`
/// for a file to load (with [`load_rule`], on any thread), `Err` for an entry that could
/// not be listed.
pub fn list_rule_paths(paths: &[PathBuf]) -> Vec<ListedPath> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            match list_rules_dir(path) {
                Ok(files) => out.extend(files),
                Err(e) => out.push((path.clone(), Err(e))),
            }
        } else {
            out.push((path.clone(), Ok(())));
        }
    }
    out
}

/// Load every rule file (`.yml`, `.yaml`, `.spl`) under `dir`, recursively, in path order.
/// Each file gets its own result: a bad file never stops the others. Hidden files and
/// directories (names starting with `.`) are skipped; symbolic links to directories are
/// not followed. The outer error is for a `dir` that cannot be read at all.
pub fn load_rules_dir(dir: impl AsRef<Path>) -> Result<Vec<LoadedRule>, Error> {
    Ok(list_rules_dir(dir.as_ref())?
        .into_iter()
        .map(|(path, listed)| {
            let rule = listed.and_then(|()| load_rule(&path));
            (path, rule)
        })
        .collect())
}

/// The rule files under `dir` in path order, with the entries that could not be read.
fn list_rules_dir(dir: &Path) -> Result<Vec<ListedPath>, Error> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let top = std::fs::read_dir(dir).map_err(|e| Error::io(dir, &e))?;
    walk(dir, top, &mut files, &mut problems);
    let mut out: Vec<ListedPath> = files.into_iter().map(|path| (path, Ok(()))).collect();
    out.extend(problems.into_iter().map(|(path, err)| (path, Err(err))));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn walk(
    dir: &Path,
    entries: std::fs::ReadDir,
    files: &mut Vec<PathBuf>,
    problems: &mut Vec<(PathBuf, Error)>,
) {
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push((dir.to_path_buf(), Error::io(dir, &e)));
                continue;
            }
        };
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            match std::fs::read_dir(&path) {
                Ok(inner) => walk(&path, inner, files, problems),
                Err(e) => {
                    let err = Error::io(&path, &e);
                    problems.push((path, err));
                }
            }
        } else if is_rule_file(&path) && (kind.is_file() || path.is_file()) {
            files.push(path);
        }
    }
}

fn is_rule_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yml" | "yaml" | "spl"))
}

fn untag(value: Value) -> Value {
    match value {
        Value::Tagged(tagged) => untag(tagged.value),
        v => v,
    }
}

/// A scalar as a string (`null` is `None`); lists and mappings are errors.
fn scalar_string(value: &Value) -> Result<Option<String>, ()> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Tagged(t) => scalar_string(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => Err(()),
    }
}

/// A list of strings: a list of scalars (nulls skipped, nested lists flattened: the
/// armory has one `- - T1185`), a single scalar, or `null`.
fn string_list(value: &Value) -> Result<Vec<String>, ()> {
    match value {
        Value::Sequence(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(string_list(item)?);
            }
            Ok(out)
        }
        Value::Tagged(t) => string_list(&t.value),
        other => Ok(scalar_string(other)?.into_iter().collect()),
    }
}

/// The error for a file with more than [`MAX_YAML_BRACKETS`] `[` and `{`, at the first one
/// past the limit.
fn too_many_brackets(text: &str) -> Option<Diagnostic> {
    let (at, _) = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| matches!(b, b'[' | b'{'))
        .nth(MAX_YAML_BRACKETS)?;
    Some(Diagnostic::error(
        Code::YAML,
        format!(
            "too many `[` and `{{` for a rule file (more than {MAX_YAML_BRACKETS}): flow collections nested this deep would make YAML parsing slow"
        ),
    )
    .with_primary(Span::point(at), format!("bracket number {}", MAX_YAML_BRACKETS + 1)))
}

/// A YAML syntax error as a diagnostic at the position the parser gave.
fn yaml_error(text: &str, err: &serde_norway::Error) -> Diagnostic {
    let message = strip_positions(&err.to_string());
    let at = err
        .location()
        .map_or(0, |loc| offset_of(text, loc.line(), loc.column()));
    Diagnostic::error(Code::YAML, format!("invalid YAML: {message}"))
        .with_primary(Span::point(at), "")
}

/// The byte offset of 1-based `line` and `column` (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let index = LineIndex::new(text);
    let line_span = index.line_span(text, line.max(1));
    let rest = &text[line_span.start..];
    let col = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    (line_span.start + col).min(text.len())
}

/// Remove ` at line N column M` from a YAML error message (the diagnostic shows the place).
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + " at line ".len()..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let after = &tail[digits..];
        match after.strip_prefix(" column ") {
            Some(col) if digits > 0 => {
                let d = col.bytes().take_while(u8::is_ascii_digit).count();
                rest = &col[d..];
            }
            _ => {
                out.push_str(" at line ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Top-level occurrences of `key:` (at column 0, plain or quoted): the key's span and the
/// offset just after the colon.
fn top_level_keys(text: &str, key: &str) -> Vec<(Span, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let mut body = line;
        let mut offset = start;
        if start == 0 {
            if let Some(rest) = body.strip_prefix('\u{feff}') {
                offset += '\u{feff}'.len_utf8();
                body = rest;
            }
        }
        for quoted in [key.to_string(), format!("'{key}'"), format!("\"{key}\"")] {
            if let Some(rest) = body.strip_prefix(quoted.as_str()) {
                let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                let after = &rest[spaces..];
                if let Some(value) = after.strip_prefix(':') {
                    if value.is_empty() || value.starts_with([' ', '\t', '\r', '\n']) {
                        let colon_end = offset + quoted.len() + spaces + 1;
                        out.push((Span::new(offset, offset + quoted.len()), colon_end));
                    }
                }
            }
        }
        start += line.len();
    }
    out
}

/// The span of top-level key `key`, or the start of the file.
fn key_span(text: &str, key: &str) -> Span {
    top_level_keys(text, key)
        .first()
        .map_or(Span::point(0), |(span, _)| *span)
}

/// Find the `logic` scalar that decodes to `logic` and map it; else fall back.
fn locate_logic(text: &str, logic_key: &str, logic: &str) -> LogicMap {
    let mut fallback = None;
    for (key, after_colon) in top_level_keys(text, logic_key) {
        let mut decoder = Decoder::new(text, after_colon);
        let Some(start) = decoder.value_start() else {
            fallback.get_or_insert(key.start);
            continue;
        };
        fallback.get_or_insert(start);
        if decoder.decode() && decoder.out == logic {
            return LogicMap::Exact {
                starts: decoder.starts,
                ends: decoder.ends,
            };
        }
    }
    LogicMap::Fallback(fallback.unwrap_or(0))
}

/// Decodes one YAML scalar (the value of a top-level key) and records, for each byte of
/// the result, the file bytes it came from. It follows libyaml's scanner, which
/// `serde_norway` uses, so that both agree on the value.
struct Decoder<'a> {
    text: &'a str,
    pos: usize,
    out: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
}

/// A character waiting to be emitted, with its file range.
type Pending = Vec<(char, usize, usize)>;

impl<'a> Decoder<'a> {
    fn new(text: &'a str, pos: usize) -> Self {
        Decoder {
            text,
            pos,
            out: String::new(),
            starts: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.text[self.pos..].chars().nth(n)
    }

    fn column(&self) -> usize {
        self.pos - self.text[..self.pos].rfind('\n').map_or(0, |i| i + 1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn emit(&mut self, c: char, start: usize, end: usize) {
        self.out.push(c);
        for _ in 0..c.len_utf8() {
            self.starts.push(start);
            self.ends.push(end);
        }
    }

    fn emit_all(&mut self, pending: &mut Pending) {
        for (c, s, e) in pending.drain(..) {
            self.emit(c, s, e);
        }
    }

    /// Consume a line break (`\n`, `\r\n` or `\r`), returning its range.
    fn line_break(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        match self.peek()? {
            '\r' => {
                self.pos += 1;
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
            }
            '\n' => self.pos += 1,
            _ => return None,
        }
        Some((start, self.pos))
    }

    /// Skip to the first character of the value: blanks, a comment, empty lines (for a
    /// value on the next lines), tags and anchors. `None` for an empty value.
    fn value_start(&mut self) -> Option<usize> {
        loop {
            while matches!(self.peek(), Some(' ' | '\t')) {
                self.bump();
            }
            match self.peek() {
                None => return None,
                Some('#') => {
                    while !matches!(self.peek(), None | Some('\n' | '\r')) {
                        self.bump();
                    }
                }
                Some('\n' | '\r') => {
                    self.line_break();
                    let line = &self.text[self.pos..];
                    let blank = line
                        .split('\n')
                        .next()
                        .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
                    if !blank && !line.starts_with([' ', '\t']) {
                        return None; // the next key: the value is empty
                    }
                }
                Some('!' | '&') => {
                    while !matches!(self.peek(), None | Some(' ' | '\t' | '\n' | '\r')) {
                        self.bump();
                    }
                }
                Some(_) => return Some(self.pos),
            }
        }
    }

    /// Decode the scalar at the current position; false when it cannot be decoded.
    fn decode(&mut self) -> bool {
        let result = match self.peek() {
            Some('\'') => self.flow_scalar(true),
            Some('"') => self.flow_scalar(false),
            Some('|') => self.block_scalar(true),
            Some('>') => self.block_scalar(false),
            Some('*' | '[' | '{') | None => None,
            Some(_) => self.plain_scalar(),
        };
        match result {
            Some(end) => {
                self.starts.push(end);
                true
            }
            None => false,
        }
    }

    /// Blanks and line breaks between the words of a flow or plain scalar, collected for
    /// line folding: blanks before the first break go to `whitespaces`; the first break
    /// sets `leading_break` (and `leading_blanks`), later ones go to `trailing_breaks`.
    fn blanks(
        &mut self,
        whitespaces: &mut Pending,
        leading_blanks: &mut bool,
        leading_break: &mut Option<(usize, usize)>,
        trailing_breaks: &mut Pending,
    ) -> Option<()> {
        loop {
            match self.peek() {
                Some(c @ (' ' | '\t')) => {
                    let at = self.pos;
                    self.bump();
                    if !*leading_blanks {
                        whitespaces.push((c, at, self.pos));
                    }
                }
                Some('\n' | '\r') => {
                    let (s, e) = self.line_break()?;
                    if !*leading_blanks {
                        whitespaces.clear();
                        *leading_break = Some((s, e));
                        *leading_blanks = true;
                    } else {
                        trailing_breaks.push(('\n', s, e));
                    }
                }
                _ => return Some(()),
            }
        }
    }

    /// A single- or double-quoted scalar. Returns the offset of the closing quote.
    fn flow_scalar(&mut self, single: bool) -> Option<usize> {
        let quote = if single { '\'' } else { '"' };
        self.bump();
        let mut whitespaces: Pending = Vec::new();
        loop {
            let mut leading_blanks = false;
            // Non-blank characters.
            loop {
                let c = self.peek()?;
                if matches!(c, ' ' | '\t' | '\n' | '\r') {
                    break;
                }
                let at = self.pos;
                if single && c == '\'' && self.peek_at(1) == Some('\'') {
                    self.pos += 2;
                    self.emit('\'', at, self.pos);
                } else if c == quote {
                    break;
                } else if !single && c == '\\' && matches!(self.peek_at(1), Some('\n' | '\r')) {
                    self.bump();
                    self.line_break();
                    leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    self.bump();
                    let decoded = self.escape()?;
                    self.emit(decoded, at, self.pos);
                } else {
                    self.bump();
                    self.emit(c, at, self.pos);
                }
            }
            if self.peek() == Some(quote) {
                let end = self.pos;
                self.emit_all(&mut whitespaces);
                self.bump();
                return Some(end);
            }
            // Blanks and line breaks.
            let mut leading_break: Option<(usize, usize)> = None;
            let mut trailing_breaks: Pending = Vec::new();
            self.blanks(
                &mut whitespaces,
                &mut leading_blanks,
                &mut leading_break,
                &mut trailing_breaks,
            )?;
            if leading_blanks {
                match leading_break {
                    Some((s, e)) if trailing_breaks.is_empty() => self.emit(' ', s, e),
                    _ => self.emit_all(&mut trailing_breaks),
                }
            } else {
                self.emit_all(&mut whitespaces);
            }
        }
    }

    /// The character of an escape sequence after `\` in a double-quoted scalar.
    fn escape(&mut self) -> Option<char> {
        let c = self.bump()?;
        let simple = match c {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' | '\t' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\'' => '\'',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' | 'u' | 'U' => {
                let len = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex = self.text.get(self.pos..self.pos + len)?;
                let code = u32::from_str_radix(hex, 16).ok()?;
                self.pos += len;
                return char::from_u32(code);
            }
            _ => return None,
        };
        Some(simple)
    }

    /// A plain scalar as the value of a top-level key (continuation lines indented).
    /// Returns the offset after its last character.
    fn plain_scalar(&mut self) -> Option<usize> {
        let mut end = self.pos;
        let mut whitespaces: Pending = Vec::new();
        let mut leading_break: Option<(usize, usize)> = None;
        let mut trailing_breaks: Pending = Vec::new();
        let mut leading_blanks = false;
        loop {
            if self.column() == 0 {
                let rest = &self.text[self.pos..];
                let marker = rest.starts_with("---") || rest.starts_with("...");
                if marker
                    && matches!(
                        rest[3..].chars().next(),
                        None | Some(' ' | '\t' | '\n' | '\r')
                    )
                {
                    break;
                }
            }
            if self.peek() == Some('#') {
                break;
            }
            while let Some(c) = self.peek() {
                if matches!(c, ' ' | '\t' | '\n' | '\r') {
                    break;
                }
                if c == ':' && matches!(self.peek_at(1), None | Some(' ' | '\t' | '\n' | '\r')) {
                    break;
                }
                if leading_blanks {
                    match leading_break.take() {
                        Some((s, e)) if trailing_breaks.is_empty() => self.emit(' ', s, e),
                        _ => self.emit_all(&mut trailing_breaks),
                    }
                    trailing_breaks.clear();
                    leading_blanks = false;
                } else {
                    self.emit_all(&mut whitespaces);
                }
                let at = self.pos;
                self.bump();
                self.emit(c, at, self.pos);
                end = self.pos;
            }
            if !matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
                break;
            }
            self.blanks(
                &mut whitespaces,
                &mut leading_blanks,
                &mut leading_break,
                &mut trailing_breaks,
            )?;
            if leading_blanks && self.column() < 1 {
                break;
            }
        }
        Some(end)
    }

    /// A literal (`|`) or folded (`>`) block scalar under a top-level key. Returns the
    /// offset after its content.
    fn block_scalar(&mut self, literal: bool) -> Option<usize> {
        self.bump();
        let mut chomping = 0i8;
        let mut increment = 0usize;
        for _ in 0..2 {
            match self.peek() {
                Some('+') if chomping == 0 => chomping = 1,
                Some('-') if chomping == 0 => chomping = -1,
                Some(d @ '1'..='9') if increment == 0 => increment = d as usize - '0' as usize,
                _ => break,
            }
            self.bump();
        }
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        if self.peek() == Some('#') {
            while !matches!(self.peek(), None | Some('\n' | '\r')) {
                self.bump();
            }
        }
        if self.peek().is_some() && self.line_break().is_none() {
            return None;
        }
        let mut indent = increment;
        let mut trailing_breaks: Pending = Vec::new();
        self.block_breaks(&mut indent, &mut trailing_breaks)?;
        let mut leading_break: Option<(usize, usize)> = None;
        let mut leading_blank = false;
        let mut end = self.pos;
        while self.column() == indent && self.peek().is_some() {
            let trailing_blank = matches!(self.peek(), Some(' ' | '\t'));
            let fold = !literal && !leading_blank && !trailing_blank;
            match leading_break.take() {
                // Folded: one break becomes a space; with empty lines, only those count.
                Some((s, e)) if fold && trailing_breaks.is_empty() => self.emit(' ', s, e),
                Some(_) if fold => {}
                Some((s, e)) => self.emit('\n', s, e),
                None => {}
            }
            self.emit_all(&mut trailing_breaks);
            leading_blank = trailing_blank;
            while let Some(c) = self.peek() {
                if matches!(c, '\n' | '\r') {
                    break;
                }
                let at = self.pos;
                self.bump();
                self.emit(c, at, self.pos);
            }
            end = self.pos;
            if self.peek().is_none() {
                break;
            }
            leading_break = self.line_break();
            self.block_breaks(&mut indent, &mut trailing_breaks)?;
        }
        if chomping != -1 {
            if let Some((s, e)) = leading_break {
                self.emit('\n', s, e);
            }
        }
        if chomping == 1 {
            self.emit_all(&mut trailing_breaks);
        }
        Some(end)
    }

    /// Eat indentation and empty lines before a block scalar's next content line, setting
    /// `indent` when it is not known yet.
    fn block_breaks(&mut self, indent: &mut usize, breaks: &mut Pending) -> Option<()> {
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || self.column() < *indent) && self.peek() == Some(' ') {
                self.bump();
            }
            max_indent = max_indent.max(self.column());
            if (*indent == 0 || self.column() < *indent) && self.peek() == Some('\t') {
                return None;
            }
            match self.line_break() {
                Some((s, e)) => breaks.push(('\n', s, e)),
                None => break,
            }
        }
        if *indent == 0 {
            *indent = max_indent.max(1);
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decode the `logic` of `yaml` and check it against serde's value and the map.
    fn exact(yaml: &str) -> (String, RuleFile) {
        let rule = RuleFile::from_yaml_str(yaml, "t.yml").expect("valid rule");
        assert!(
            rule.source().is_exact(),
            "not exact: {yaml:?} -> {:?}",
            rule.logic
        );
        (rule.logic.clone(), rule)
    }

    /// The file text a logic span maps to.
    fn file_text(rule: &RuleFile, span: Span) -> String {
        rule.source()
            .logic_to_file(span)
            .slice(&rule.source().file().text)
            .to_string()
    }

    fn span_of(rule: &RuleFile, needle: &str) -> Span {
        let at = rule.logic.find(needle).unwrap_or(usize::MAX);
        Span::new(at, at + needle.len())
    }

    #[test]
    fn single_quoted_folded_lines_and_doubled_quotes() {
        let yaml = "id: '1'\nlogic: '`m` \"a\" | eval x=\"can''t\"\n  | stats count   \n\n  by host '\ntitle: t\n";
        let (logic, rule) = exact(yaml);
        assert_eq!(
            logic,
            "`m` \"a\" | eval x=\"can't\" | stats count\nby host "
        );
        assert_eq!(file_text(&rule, span_of(&rule, "can't")), "can''t");
        assert_eq!(file_text(&rule, span_of(&rule, "stats")), "stats");
        assert_eq!(file_text(&rule, span_of(&rule, "by host")), "by host");
        // The folded space maps to the line break it came from.
        let space = span_of(&rule, "\" | stats").start + 1;
        assert_eq!(file_text(&rule, Span::new(space, space + 1)), "\n");
    }

    #[test]
    fn double_quoted_escapes_and_continuations() {
        let yaml = "logic: \"a\\tb \\\"q\\\" \\x41\\u00e9 \\\n   c\n  d\\\\e\"\n";
        let (logic, rule) = exact(yaml);
        assert_eq!(logic, "a\tb \"q\" Aé c d\\e");
        assert_eq!(file_text(&rule, span_of(&rule, "\"q\"")), "\\\"q\\\"");
        assert_eq!(file_text(&rule, span_of(&rule, "é")), "\\u00e9");
        assert_eq!(file_text(&rule, span_of(&rule, "c")), "c");
        assert_eq!(file_text(&rule, span_of(&rule, "\\")), "\\\\");
    }

    #[test]
    fn plain_multi_line_scalars() {
        let yaml = "logic: search a=1\n  b=2   # comment\nid: x\n";
        let (logic, rule) = exact(yaml);
        assert_eq!(logic, "search a=1 b=2");
        assert_eq!(file_text(&rule, span_of(&rule, "b=2")), "b=2");
        let yaml = "logic:\n  search a\n\n  b\nid: x\n";
        let (logic, _) = exact(yaml);
        assert_eq!(logic, "search a\nb");
    }

    #[test]
    fn literal_and_folded_block_scalars() {
        let yaml = "logic: |\n  search a\n    | stats count\n\n  | table x\nid: y\n";
        let (logic, rule) = exact(yaml);
        assert_eq!(logic, "search a\n  | stats count\n\n| table x\n");
        assert_eq!(file_text(&rule, span_of(&rule, "table")), "table");

        let yaml = "logic: >-\n  search a\n  b\n\n  c\n     d\n  e\nid: y\n";
        let (logic, rule) = exact(yaml);
        assert_eq!(logic, "search a b\nc\n   d\ne");
        assert_eq!(file_text(&rule, span_of(&rule, "e")), "e");

        let yaml = "logic: |2+ # keep\n    indented\n\n\nid: y\n";
        let (logic, _) = exact(yaml);
        assert_eq!(logic, "  indented\n\n\n");
    }

    #[test]
    fn crlf_files_map_too() {
        let yaml = "id: x\r\nlogic: 'a\r\n  b'\r\n";
        let (logic, rule) = exact(yaml);
        assert_eq!(logic, "a b");
        assert_eq!(file_text(&rule, span_of(&rule, "b")), "b");
    }

    #[test]
    fn unmappable_styles_fall_back_to_the_scalar_start() {
        let yaml = "base: &b 'x'\nlogic: *b\n";
        let rule = RuleFile::from_yaml_str(yaml, "t.yml").expect("valid");
        assert!(!rule.source().is_exact());
        assert_eq!(
            rule.source().logic_to_file(Span::new(0, 1)),
            Span::point(yaml.find("*b").unwrap_or(0))
        );
    }

    #[test]
    fn fields_lists_nulls_and_extra_keys() {
        let yaml = "id: 36614.64221\ntitle: T\ndescription: null\nlogic_format: Splunk\nlogic: x\n\
                    techniques:\n- a\ntechnique_id: \n- T1046\n- - T1185\ndata_category: Web\nreferences: null\n\
                    zeta: 1\nalpha: [1, 2]\n";
        let rule = RuleFile::from_yaml_str(yaml, "dir/r.yml").expect("valid");
        assert_eq!(rule.id, "36614.64221");
        assert_eq!(rule.title, "T");
        assert_eq!(rule.description, None);
        assert_eq!(rule.logic_format.as_deref(), Some("Splunk"));
        assert_eq!(rule.techniques, vec!["a".to_string()]);
        assert_eq!(
            rule.technique_id,
            vec!["T1046".to_string(), "T1185".to_string()]
        );
        assert_eq!(rule.data_category, vec!["Web".to_string()]);
        assert!(rule.references.is_empty());
        let keys: Vec<&str> = rule.extra.keys().filter_map(Value::as_str).collect();
        assert_eq!(keys, vec!["zeta", "alpha"]);

        let rule = RuleFile::from_yaml_str("logic: x\n", "dir/r.yml").expect("valid");
        assert_eq!((rule.id.as_str(), rule.title.as_str()), ("r", "r"));
    }

    #[test]
    fn escu_detections_load_from_search_name_and_tags() {
        let yaml = "name: Crush It\nid: ccf6-1\ntype: TTP\ndata_source:\n- CrushFTP\n\
                    search: '`crushftp` | eval x=\"it''s\"\n  | stats count'\n\
                    tags:\n  mitre_attack_id:\n  - T1190\n  confidence: 80\n";
        let rule = RuleFile::from_yaml_str(yaml, "d/crush.yml").expect("valid");
        assert_eq!(rule.id, "ccf6-1");
        assert_eq!(rule.title, "Crush It");
        assert_eq!(rule.logic, "`crushftp` | eval x=\"it's\" | stats count");
        assert_eq!(rule.technique_id, vec!["T1190".to_string()]);
        assert_eq!(rule.extra_string("type").as_deref(), Some("TTP"));
        assert_eq!(rule.extra_list("data_source"), vec!["CrushFTP".to_string()]);
        let keys: Vec<&str> = rule.extra.keys().filter_map(Value::as_str).collect();
        assert_eq!(keys, vec!["name", "type", "data_source", "search", "tags"]);
        // Positions point into the `search` scalar.
        assert!(rule.source().is_exact());
        assert_eq!(file_text(&rule, span_of(&rule, "it's")), "it''s");
        assert_eq!(file_text(&rule, span_of(&rule, "stats")), "stats");

        // `logic` wins over `search`, `title` over `name`.
        let yaml = "name: N\ntitle: T\nsearch: a\nlogic: b\n";
        let rule = RuleFile::from_yaml_str(yaml, "r.yml").expect("valid");
        assert_eq!((rule.title.as_str(), rule.logic.as_str()), ("T", "b"));
        // A `search` that is not a string is no SPL.
        let err = RuleFile::from_yaml_str("search: [a]\n", "r.yml").expect_err("no logic");
        assert_eq!(err.code(), Code::NO_LOGIC);
    }

    #[test]
    fn load_errors() {
        let err = RuleFile::from_yaml_str("id: x\ntitle: y\n", "r.yml").expect_err("no logic");
        assert_eq!(err.code(), Code::NO_LOGIC);
        assert_eq!(err.phase(), Phase::Load);
        let err =
            RuleFile::from_yaml_str("id: x\nlogic: [a]\n", "r.yml").expect_err("not a string");
        assert_eq!(err.code(), Code::NO_LOGIC);
        assert_eq!(err.diagnostic().location().as_deref(), Some("r.yml:2:1"));
        let err =
            RuleFile::from_yaml_str("logic: x\ntechniques: {a: b}\n", "r.yml").expect_err("map");
        assert_eq!(err.code(), Code::FIELD_TYPE);
        assert_eq!(err.diagnostic().location().as_deref(), Some("r.yml:2:1"));
        let err = RuleFile::from_yaml_str("id: x\nlogic: 'abc\n", "r.yml").expect_err("bad yaml");
        assert_eq!(err.code(), Code::YAML);
        assert!(
            !err.diagnostic().message.contains(" at line "),
            "{}",
            err.diagnostic().message
        );
        assert!(err.diagnostic().line_col().is_some());
        let err = RuleFile::from_yaml_str("- a\n", "r.yml").expect_err("a list");
        assert_eq!(err.code(), Code::FIELD_TYPE);
    }

    #[test]
    fn deep_nesting_is_rejected_before_parsing_with_a_place() {
        let depth = 100_000;
        let yaml = format!(
            "logic: x\nextra: {}1{}\n",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        );
        let err = RuleFile::from_yaml_str(&yaml, "deep.yml").expect_err("too deep");
        assert_eq!(err.code(), Code::YAML);
        assert_eq!(err.phase(), Phase::Load);
        // The 1001st `{` is on line 2, after `extra: ` and 1000 `{a: `.
        let column = "extra: ".len() + 4 * MAX_YAML_BRACKETS + 1;
        let want = format!("deep.yml:2:{column}");
        assert_eq!(err.diagnostic().location().as_deref(), Some(want.as_str()));
        // Within the limit, the parser's own rules apply.
        let yaml = format!("logic: x\nextra: {}1{}\n", "[".repeat(50), "]".repeat(50));
        assert!(RuleFile::from_yaml_str(&yaml, "ok.yml").is_ok());
        // Exactly the limit: the list and its items.
        let items = vec!["[]"; MAX_YAML_BRACKETS - 1].join(", ");
        let yaml = format!("logic: x\nextra: [{items}]\n");
        assert!(RuleFile::from_yaml_str(&yaml, "flat.yml").is_ok());
        let yaml = format!("logic: x\nextra: [{items}, []]\n");
        assert!(RuleFile::from_yaml_str(&yaml, "flat.yml").is_err());
    }

    #[test]
    fn spl_rules_map_one_to_one() {
        let rule = RuleFile::from_spl_str("\u{feff}search x", "q");
        assert_eq!(rule.logic, "search x");
        let span = rule.source().logic_to_file(Span::new(7, 8));
        assert_eq!(span.slice(&rule.source().file().text), "x");
    }

    #[test]
    fn a_changed_logic_gets_its_own_source() {
        let mut rule = RuleFile::from_yaml_str("logic: 'a\n  b'\n", "r.yml").expect("valid");
        assert_eq!(rule.current_source(), rule.source().clone());
        rule.logic = "other".into();
        let src = rule.current_source();
        assert_eq!(&*src.file().text, "other");
    }

    #[test]
    fn strip_positions_removes_only_positions() {
        assert_eq!(
            strip_positions(
                "did not find expected ',' at line 3 column 1, while parsing at line 2 column 4"
            ),
            "did not find expected ',', while parsing"
        );
        assert_eq!(strip_positions("at line x"), "at line x");
    }
}
