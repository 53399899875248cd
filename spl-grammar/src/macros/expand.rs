//! Macro expansion, done as Splunk does it: on the text.
//!
//! Each round takes the macro calls found in the parsed text (with their
//! [`MacroPosition`]), replaces each call's span by its definition, and parses the result
//! again; rounds repeat until no call remains, since definitions may call macros.
//!
//! # Arguments
//!
//! In a definition, every `$name$` whose `name` is one of the macro's `args` is replaced
//! by the argument text, everywhere, also inside quotation marks (the `macros.conf` spec:
//! the pattern is replaced globally, even inside quotes). Text between `$` signs that is
//! not an argument name stays as it is (`$$$$` in a `foreach` template is safe). The
//! substitution is one pass over the definition: an argument value that itself contains
//! `$other$` is not substituted again.
//!
//! The argument text is substituted *as written* between the commas, trimmed of white
//! space, **quotes kept**: `` `group_events("user, src_ip", 10min)` `` substitutes
//! `"user, src_ip"` (with the quotation marks) for `$fields$` and `10min` for `$span$`.
//! Splunk's documentation describes the substitution as plain text replacement and never
//! says that quotes around an argument are removed; its own `macros.conf.example` puts the
//! quotes it wants into the *definition* (`definition = "foo = $foo$"`), which only makes
//! sense when arguments arrive unquoted as written. So a definition decides the quoting
//! and a call's quotes only protect commas; a definition that wants a bare list writes
//! `by $fields$` and is called with an unquoted argument, or handles the quotes itself.
//!
//! Arguments may also be given by name, `` `iis_search(fragment=TM)` `` (Splunk's
//! documentation shows this form): when *every* argument of a call is `name=value` with a
//! distinct `name` out of the macro's `args`, values bind by name (`value` trimmed, quotes
//! kept); otherwise arguments bind by position.
//!
//! # Removing a whole stage
//!
//! A macro that stands for a whole stage ([`MacroPosition::Stage`]) and expands to nothing
//! (or only white space) takes the `|` before it along (`a | `m` | b` becomes `a | b`), so
//! that the result still parses. Elsewhere an empty expansion just leaves the white space
//! around the call.
//!
//! A built-in default or an undefined macro that expands to nothing
//! ([`MacroTable::set_undefined_as_empty`]) as a search term next to `AND`, `OR` or `NOT`
//! (or alone in parentheses) would leave that operator without an operand: there it
//! expands to `*` instead, which matches every event, as nothing would. The armory has
//! such rules: `` `get_endpoint_data` `get_endpoint_data_winevent` AND (...) ``.
//!
//! # Termination
//!
//! A call written in the definition of macro `a` is *inside* `a`; a call that arrives
//! through an argument is where the argument was written. A call of a macro that is
//! already being expanded around it (same name and number of arguments) is an error
//! (`macro expansion does not terminate: `a` -> `b` -> `a``), and so is nesting deeper
//! than [`MAX_DEPTH`].
//!
//! # Positions
//!
//! The [`SourceMap`] built along the way maps every byte of the expanded text to the
//! original text; errors found in an expansion point at the outermost call in the original
//! and carry a note per expansion level (`in the expansion of macro ...`).

use crate::ast::{MacroCall, MacroPosition};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Phase};
use crate::parse::ParseError;
use crate::span::Span;

use super::source_map::{one_line, ExpansionId, ExpansionRecord, MapBuilder, Origin};
use super::{display_name, MacroDef, MacroTable, Resolution, SourceMap};

/// The deepest nesting of macro calls allowed (a call in a definition in a definition ...).
pub const MAX_DEPTH: usize = 20;

/// The longest expanded text allowed (1 MiB): definitions that call several macros each
/// can grow a text exponentially within [`MAX_DEPTH`].
pub const MAX_EXPANDED_LEN: usize = 1 << 20;

/// The result of [`expand`]: both trees, the expanded text and the map between texts.
#[derive(Clone, Debug)]
pub struct Expanded<T> {
    /// The tree of the original text (macro calls as nodes).
    pub original: T,
    /// The tree of the expanded text (no macro calls left).
    pub expanded: T,
    /// The expanded text.
    pub text: String,
    /// From the expanded text to the original.
    pub source_map: SourceMap,
    /// Notes and warnings (data-source defaults, undefined macros expanded to nothing, ...),
    /// with spans into the original text.
    pub notes: Vec<Diagnostic>,
}

/// Parse `source`, expand its macros and parse again until no call remains.
///
/// `parse` parses a text and returns its tree with the macro calls in it (for SPL:
/// [`parse_query`](crate::parse_query) and [`visit_macro_calls`](crate::ast::visit_macro_calls)).
/// A failure of the first parse is a [`Phase::Parse`] error; anything after it is
/// [`Phase::Macro`]. Diagnostics have spans into `source` and no source file attached.
pub fn expand<T: Clone>(
    source: &str,
    table: &MacroTable,
    mut parse: impl FnMut(&str) -> Result<(T, Vec<(MacroCall, MacroPosition)>), ParseError>,
) -> Result<Expanded<T>, Error> {
    let (original, mut calls) =
        parse(source).map_err(|e| Error::new(Phase::Parse, Diagnostic::from_parse_error(&e)))?;
    let mut expander = Expander::new(source, table);
    let mut expanded = None;
    let mut rounds = 0;
    while expander
        .expand_calls(&calls)
        .map_err(|d| Error::new(Phase::Macro, *d))?
    {
        rounds += 1;
        let (tree, next) = parse(expander.text()).map_err(|e| {
            let d = expander
                .locate(Diagnostic::from_parse_error(&e))
                .with_note(format!(
                    "after macro expansion the query reads: {}",
                    one_line(expander.text(), 300)
                ));
            Error::new(Phase::Macro, d)
        })?;
        expanded = Some(tree);
        calls = next;
        if rounds > MAX_DEPTH && !calls.is_empty() {
            let span = expander.source_map().map_span(calls[0].0.span).span;
            return Err(Error::new(
                Phase::Macro,
                Diagnostic::error(Code::MACRO_RECURSION, "macro expansion does not terminate")
                    .with_primary(span, format!("still expanding after {MAX_DEPTH} rounds")),
            ));
        }
    }
    let expanded = expanded.unwrap_or_else(|| original.clone());
    let (text, source_map, notes) = expander.into_parts();
    Ok(Expanded {
        original,
        expanded,
        text,
        source_map,
        notes,
    })
}

/// One expansion in progress: the current text, its map to the original, and the notes
/// so far. [`expand`] drives it; use it directly to drive parsing yourself.
#[derive(Clone, Debug)]
pub struct Expander<'t> {
    table: &'t MacroTable,
    text: String,
    map: SourceMap,
    notes: Vec<Diagnostic>,
}

/// A piece of an expansion.
enum Piece {
    /// Bytes `start..end` of the definition.
    Def(usize, usize),
    /// An argument copied from the current text.
    Arg(Span),
    /// An argument whose place in the current text is unknown.
    Text(String),
}

/// An argument value bound to a name.
#[derive(Clone)]
struct ArgValue {
    text: String,
    span: Option<Span>,
}

impl<'t> Expander<'t> {
    /// Start from the original text.
    pub fn new(source: &str, table: &'t MacroTable) -> Self {
        Expander {
            table,
            text: source.to_string(),
            map: SourceMap::identity(source.len()),
            notes: Vec::new(),
        }
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The map from the current text to the original.
    pub fn source_map(&self) -> &SourceMap {
        &self.map
    }

    /// The notes and warnings so far (spans into the original).
    pub fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }

    /// Replace `calls` (found by parsing [`text`](Self::text)) by their expansions. Returns
    /// `false` when there was nothing to replace. Errors (spans into the original) point
    /// at the call.
    pub fn expand_calls(
        &mut self,
        calls: &[(MacroCall, MacroPosition)],
    ) -> Result<bool, Box<Diagnostic>> {
        let mut sorted: Vec<&(MacroCall, MacroPosition)> = calls
            .iter()
            .filter(|(c, _)| {
                c.span.start < c.span.end && self.text.get(c.span.start..c.span.end).is_some()
            })
            .collect();
        sorted.sort_by_key(|(c, _)| (c.span.start, c.span.end));
        if sorted.is_empty() {
            return Ok(false);
        }
        let mut out = String::with_capacity(self.text.len());
        let mut builder = MapBuilder::default();
        let known = self.map.expansions.len();
        let mut added: Vec<ExpansionRecord> = Vec::new();
        let mut cursor = 0;
        for (call, position) in sorted {
            if call.span.start < cursor {
                continue; // overlaps a call already replaced
            }
            let name = call.name.name.as_str();
            let arity = call.args.as_ref().map_or(0, Vec::len);
            let parent = self.map.expansion_at(call.span.start);
            self.check_depth(call, arity, parent)?;
            // The text before the call once the calls before it are replaced: an empty
            // expansion just before counts as gone.
            let gap = &self.text[cursor..call.span.start];
            let before = if gap.trim().is_empty() {
                format!("{out}{gap}")
            } else {
                gap.to_string()
            };
            let (pieces, definition, defined_at) = self.resolve(call, arity, *position, &before)?;
            let blank = pieces.iter().all(|p| match p {
                Piece::Def(a, b) => definition[*a..*b].trim().is_empty(),
                Piece::Arg(s) => s.slice(&self.text).trim().is_empty(),
                Piece::Text(t) => t.trim().is_empty(),
            });
            let mut range = call.span;
            if blank && *position == MacroPosition::Stage {
                range.start = self
                    .stage_pipe_before(range.start)
                    .unwrap_or(range.start)
                    .max(cursor);
            }
            out.push_str(&self.text[cursor..range.start]);
            self.map
                .copy_range(Span::new(cursor, range.start), &mut builder);
            let id = ExpansionId(known + added.len());
            added.push(ExpansionRecord {
                name: name.to_string(),
                arity,
                definition: definition.clone(),
                defined_at,
                call_text: call.span.slice(&self.text).to_string(),
                call_span: self.map.map_span(call.span).span,
                parent,
            });
            if !(blank && *position == MacroPosition::Stage) {
                for piece in pieces {
                    match piece {
                        Piece::Def(a, b) => {
                            out.push_str(&definition[a..b]);
                            builder.push(b - a, Origin::Expansion(id));
                        }
                        Piece::Arg(span) => {
                            out.push_str(span.slice(&self.text));
                            self.map.copy_range(span, &mut builder);
                        }
                        Piece::Text(text) => {
                            out.push_str(&text);
                            builder.push(text.len(), Origin::Expansion(id));
                        }
                    }
                }
            }
            cursor = range.end;
            if out.len() > MAX_EXPANDED_LEN {
                return Err(self.at_call(
                    Diagnostic::error(
                        Code::MACRO_TOO_LARGE,
                        format!("macro expansion grows past {MAX_EXPANDED_LEN} bytes"),
                    ),
                    call,
                    "the expansion grows too large here",
                ));
            }
        }
        out.push_str(&self.text[cursor..]);
        self.map
            .copy_range(Span::new(cursor, self.text.len()), &mut builder);
        let mut expansions = std::mem::take(&mut self.map.expansions);
        expansions.append(&mut added);
        self.map = SourceMap {
            segments: builder.segments,
            expansions,
            original_len: self.map.original_len,
            expanded_len: out.len(),
        };
        self.text = out;
        Ok(true)
    }

    /// Move a diagnostic's spans from the current text to the original, adding a note per
    /// expansion level when its primary span falls in an expansion.
    pub fn locate(&self, diagnostic: Diagnostic) -> Diagnostic {
        locate(&self.map, diagnostic)
    }

    /// The current text, its map, and the notes.
    pub fn into_parts(self) -> (String, SourceMap, Vec<Diagnostic>) {
        (self.text, self.map, self.notes)
    }

    /// Where the `|` that opens the stage starting at `at` begins, white space before it
    /// included, if there is one.
    fn stage_pipe_before(&self, at: usize) -> Option<usize> {
        let before = self.text[..at].trim_end();
        let before_pipe = before.strip_suffix('|')?;
        Some(before_pipe.trim_end().len())
    }

    /// A diagnostic about `call`: the primary span is the call (mapped to the original),
    /// with expansion notes when the call is itself in an expansion.
    fn at_call(
        &self,
        diagnostic: Diagnostic,
        call: &MacroCall,
        label: impl Into<String>,
    ) -> Box<Diagnostic> {
        let mapped = self.map.map_span(call.span);
        let mut d = diagnostic.with_primary(mapped.span, label);
        if let Some(id) = mapped.expansion {
            d.notes.extend(self.map.expansion_notes(id));
        }
        Box::new(d)
    }

    /// What a macro that "expands to nothing" leaves: nothing, except for a search term
    /// that an operator needs as its operand (`` `a` AND b ``, `` NOT `a` ``, `` (`a`) ``),
    /// where it leaves `*`, which matches every event too, so that the result parses.
    fn empty_term(
        &self,
        call: &MacroCall,
        position: MacroPosition,
        before: &str,
    ) -> (Vec<Piece>, &'static str) {
        if position == MacroPosition::SearchTerm && self.needs_operand(before, call.span.end) {
            (
                vec![Piece::Text("*".to_string())],
                "expands to `*` (every event)",
            )
        } else {
            (Vec::new(), "expands to nothing")
        }
    }

    /// True when removing a search term (with `before` the text before it, and the text
    /// after it starting at `end`) would leave an operator (`AND`, `OR`, `NOT`) or a pair
    /// of parentheses without operand.
    fn needs_operand(&self, before: &str, end: usize) -> bool {
        let before = before.trim_end();
        let after = self.text[end..].trim_start();
        let boundary = |c: char| c.is_whitespace() || c == '(' || c == ')';
        let word_before = |w: &str| {
            before
                .strip_suffix(w)
                .is_some_and(|b| b.is_empty() || b.ends_with(boundary))
        };
        let word_after = |w: &str| {
            after
                .strip_prefix(w)
                .is_some_and(|a| a.is_empty() || a.starts_with(boundary))
        };
        ["AND", "OR", "NOT"].into_iter().any(word_before)
            || ["AND", "OR"].into_iter().any(word_after)
            || (before.ends_with('(') && after.starts_with(')'))
    }

    fn check_depth(
        &self,
        call: &MacroCall,
        arity: usize,
        parent: Option<ExpansionId>,
    ) -> Result<(), Box<Diagnostic>> {
        let chain = parent.map(|p| self.map.chain(p)).unwrap_or_default();
        let name = call.name.name.as_str();
        let cycle = chain.iter().any(|r| r.name == name && r.arity == arity);
        if !cycle && chain.len() < MAX_DEPTH {
            return Ok(());
        }
        let mut names: Vec<String> = chain
            .iter()
            .rev()
            .map(|r| format!("`{}`", r.display_name()))
            .collect();
        names.push(format!("`{}`", display_name(name, arity)));
        let label = if cycle {
            "this call is inside its own expansion".to_string()
        } else {
            format!("macro calls nested more than {MAX_DEPTH} deep")
        };
        Err(self.at_call(
            Diagnostic::error(
                Code::MACRO_RECURSION,
                format!("macro expansion does not terminate: {}", names.join(" -> ")),
            ),
            call,
            label,
        ))
    }

    /// The pieces a call expands to, its definition text, and where that was defined.
    #[allow(clippy::type_complexity)]
    fn resolve(
        &mut self,
        call: &MacroCall,
        arity: usize,
        position: MacroPosition,
        before: &str,
    ) -> Result<(Vec<Piece>, String, Option<String>), Box<Diagnostic>> {
        let name = call.name.name.as_str();
        let shown = display_name(name, arity);
        match self.table.resolve(name, arity) {
            Resolution::Defined(def) => {
                if def.iseval {
                    return Err(self.at_call(
                        Diagnostic::error(Code::MACRO_ISEVAL, "iseval macros are not supported")
                            .with_note(format!(
                                "`{shown}` has `iseval = true`: its definition is an eval expression that computes the expansion"
                            )),
                        call,
                        format!("`{shown}` is an iseval macro"),
                    ));
                }
                let Some(definition) = def.definition.clone() else {
                    return Err(self.at_call(
                        Diagnostic::error(
                            Code::MACRO_NO_DEFINITION,
                            format!("macro `{shown}` has no definition"),
                        )
                        .with_note(format!(
                            "its stanza `[{shown}]` has no `definition` setting"
                        )),
                        call,
                        "this macro has no definition",
                    ));
                };
                if def.validation.is_some() {
                    let note = self.at_call(
                        Diagnostic::warning(
                            Code::MACRO_VALIDATION,
                            format!("the `validation` of macro `{shown}` is not checked"),
                        ),
                        call,
                        "arguments not validated",
                    );
                    self.notes.push(*note);
                }
                let values = bind_args(def, call, &self.text);
                let pieces = substitute(&definition, &def.args, &values);
                Ok((pieces, definition, def.defined_at.clone()))
            }
            Resolution::DataSource => {
                let (pieces, label) = self.empty_term(call, position, before);
                let note = self.at_call(
                    Diagnostic::note(
                        Code::DATA_SOURCE_DEFAULT,
                        format!(
                            "data-source macro `{shown}` has no definition; it matches every event \u{2014} give a macros.conf to restrict it"
                        ),
                    ),
                    call,
                    label,
                );
                self.notes.push(*note);
                Ok((pieces, String::new(), None))
            }
            Resolution::OutputSink => Ok((Vec::new(), String::new(), None)),
            Resolution::UndefinedEmpty => {
                let (pieces, label) = self.empty_term(call, position, before);
                let note = self.at_call(
                    Diagnostic::warning(
                        Code::UNDEFINED_AS_EMPTY,
                        format!("undefined macro `{shown}` expands to nothing"),
                    ),
                    call,
                    label,
                );
                self.notes.push(*note);
                Ok((pieces, String::new(), None))
            }
            Resolution::Undefined => {
                let arities = self.table.arities(name);
                let d = if arities.is_empty() {
                    self.at_call(
                        Diagnostic::error(Code::UNDEFINED_MACRO, format!("undefined macro `{shown}`")).with_note(
                            format!(
                                "define it in a macros.conf stanza `[{shown}]`, or let undefined macros expand to nothing"
                            ),
                        ),
                        call,
                        "no definition for this macro",
                    )
                } else {
                    let defined: Vec<String> = arities
                        .iter()
                        .map(|a| format!("`[{}]`", display_name(name, *a)))
                        .collect();
                    self.at_call(
                        Diagnostic::error(
                            Code::MACRO_ARITY,
                            format!(
                                "macro `{name}` is called with {arity} argument{}, but is not defined for that",
                                if arity == 1 { "" } else { "s" }
                            ),
                        )
                        .with_note(format!("`{name}` is defined as {}", defined.join(", "))),
                        call,
                        format!("undefined macro `{shown}`"),
                    )
                };
                Err(d)
            }
        }
    }
}

/// Move a diagnostic's spans through `map`, adding expansion notes for its primary span.
pub(crate) fn locate(map: &SourceMap, mut diagnostic: Diagnostic) -> Diagnostic {
    let mut expansion = None;
    if let Some(label) = &mut diagnostic.primary {
        let mapped = map.map_span(label.span);
        label.span = mapped.span;
        expansion = mapped.expansion;
    }
    for label in &mut diagnostic.secondary {
        let mapped = map.map_span(label.span);
        label.span = mapped.span;
        expansion = expansion.or(mapped.expansion);
    }
    if let Some(id) = expansion {
        diagnostic.notes.extend(map.expansion_notes(id));
    }
    diagnostic
}

/// Bind a call's arguments to the definition's names: by name when every argument is
/// `name=value` with distinct known names, else by position.
fn bind_args(def: &MacroDef, call: &MacroCall, text: &str) -> Vec<ArgValue> {
    let Some(args) = &call.args else {
        return Vec::new();
    };
    let positional: Vec<ArgValue> = args
        .iter()
        .map(|a| ArgValue {
            text: a.text.clone(),
            span: (a.span.slice(text) == a.text && !a.text.is_empty()).then_some(a.span),
        })
        .collect();
    let mut named: Vec<Option<ArgValue>> = vec![None; def.args.len()];
    for arg in &positional {
        let Some(eq) = arg.text.find('=') else {
            return positional;
        };
        let key = arg.text[..eq].trim();
        let Some(k) = def.args.iter().position(|n| n == key) else {
            return positional;
        };
        if named[k].is_some() {
            return positional;
        }
        let raw = &arg.text[eq + 1..];
        let value = raw.trim();
        let offset = eq + 1 + (raw.len() - raw.trim_start().len());
        named[k] = Some(ArgValue {
            text: value.to_string(),
            span: arg
                .span
                .filter(|_| !value.is_empty())
                .map(|s| Span::new(s.start + offset, s.start + offset + value.len())),
        });
    }
    named
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .unwrap_or(positional)
}

/// Split a definition into pieces, substituting `$name$` by the bound values.
fn substitute(definition: &str, names: &[String], values: &[ArgValue]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut literal = 0;
    let mut i = 0;
    while i < definition.len() {
        if definition.as_bytes()[i] == b'$' {
            if let Some(rel) = definition[i + 1..].find('$') {
                let name = &definition[i + 1..i + 1 + rel];
                if let Some(value) = names
                    .iter()
                    .position(|n| n == name)
                    .and_then(|k| values.get(k))
                {
                    if literal < i {
                        pieces.push(Piece::Def(literal, i));
                    }
                    pieces.push(match value.span {
                        Some(span) => Piece::Arg(span),
                        None => Piece::Text(value.text.clone()),
                    });
                    i += rel + 2;
                    literal = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    if literal < definition.len() {
        pieces.push(Piece::Def(literal, definition.len()));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Ident, MacroArg};
    use crate::diagnostic::Severity;
    use crate::macros::MacroDef;

    /// A stand-in for the parser: finds `` `name` `` and `` `name(args)` `` outside double
    /// quotes; a call between `|` (or `|` and the end) is a whole stage.
    fn scan(text: &str) -> Vec<(MacroCall, MacroPosition)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        let mut in_quotes = false;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if in_quotes => i += 1,
                b'"' => in_quotes = !in_quotes,
                b'`' if !in_quotes => {
                    let Some(rel) = text[i + 1..].find('`') else {
                        break;
                    };
                    let end = i + 1 + rel;
                    let inner = &text[i + 1..end];
                    let (name, args) = match inner.find('(') {
                        Some(open) if inner.ends_with(')') => {
                            let args_start = i + 1 + open + 1;
                            (
                                &inner[..open],
                                Some(split_args(&text[args_start..end - 1], args_start)),
                            )
                        }
                        _ => (inner, None),
                    };
                    let span = Span::new(i, end + 1);
                    let before = text[..i].trim_end();
                    let after = text[end + 1..].trim_start();
                    let stage =
                        before.ends_with('|') && (after.is_empty() || after.starts_with('|'));
                    let position = if stage {
                        MacroPosition::Stage
                    } else {
                        MacroPosition::SearchTerm
                    };
                    let name = Ident {
                        name: name.to_string(),
                        span: Span::new(i + 1, i + 1 + name.len()),
                    };
                    out.push((MacroCall { name, args, span }, position));
                    i = end;
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    fn split_args(text: &str, base: usize) -> Vec<MacroArg> {
        let mut args = Vec::new();
        let mut start = 0;
        let mut in_quotes = false;
        let push = |from: usize, to: usize, args: &mut Vec<MacroArg>| {
            let raw = &text[from..to];
            let lead = raw.len() - raw.trim_start().len();
            let t = raw.trim();
            let s = base + from + lead;
            args.push(MacroArg {
                text: t.to_string(),
                span: Span::new(s, s + t.len()),
            });
        };
        for (i, c) in text.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes => {
                    push(start, i, &mut args);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if !text.trim().is_empty() || !args.is_empty() {
            push(start, text.len(), &mut args);
        }
        args
    }

    fn run(src: &str, table: &MacroTable) -> Result<Expanded<()>, Error> {
        expand(src, table, |t| Ok(((), scan(t))))
    }

    fn table(conf: &str) -> MacroTable {
        let mut t = MacroTable::new();
        t.add_conf_str(conf, "macros.conf").expect("valid conf");
        t
    }

    fn primary(err: &Error) -> Span {
        err.diagnostic()
            .primary
            .as_ref()
            .map(|l| l.span)
            .unwrap_or_default()
    }

    #[test]
    fn the_scanner_stand_in_splits_quoted_commas() {
        let calls = scan("a | `group_events(\"user, src_ip\",10min)`");
        let args = calls[0].0.args.as_ref().expect("args");
        assert_eq!(args.len(), 2);
        assert_eq!(args[0].text, "\"user, src_ip\"");
        assert_eq!(args[1].text, "10min");
        assert_eq!(calls[0].1, MacroPosition::Stage);
    }

    #[test]
    fn arguments_are_substituted_everywhere_quotes_kept() {
        let t = table("[m(2)]\nargs = fields, span\ndefinition = bin span=$span$ | eval x=\"$span$\" | stats count by $fields$\n");
        let src = "x | `m(\"user, src_ip\", 10min)`";
        let e = run(src, &t).expect("expands");
        assert_eq!(
            e.text,
            "x | bin span=10min | eval x=\"10min\" | stats count by \"user, src_ip\""
        );
    }

    #[test]
    fn unknown_dollar_names_and_dollar_runs_stay() {
        let t = table("[m(1)]\nargs = a\ndefinition = $$$$ $b$ $a$$a$ $\n");
        let e = run("`m(X)`", &t).expect("expands");
        assert_eq!(e.text, "$$$$ $b$ XX $");
    }

    #[test]
    fn named_arguments_bind_by_name() {
        let t = table("[m(2)]\nargs = a, b\ndefinition = $a$-$b$\n");
        assert_eq!(run("`m(b=2, a = 1)`", &t).expect("named").text, "1-2");
        assert_eq!(run("`m(1, 2)`", &t).expect("positional").text, "1-2");
        // Not all named with known names: positional, as written.
        assert_eq!(run("`m(c=1, 2)`", &t).expect("positional").text, "c=1-2");
    }

    #[test]
    fn nested_macros_expand_round_by_round() {
        let t = table("[outer(1)]\nargs = x\ndefinition = `inner($x$)` | `tail`\n[inner(1)]\nargs = y\ndefinition = f=$y$\n[tail]\ndefinition = stats count\n");
        let e = run("search `outer(\"a b\")`", &t).expect("expands");
        assert_eq!(e.text, "search f=\"a b\" | stats count");
        assert_eq!(e.source_map.expansions().len(), 3);
        // The argument text still maps to where it was written.
        let at = e.text.find("\"a b\"").unwrap_or(0);
        let mapped = e.source_map.map_span(Span::new(at, at + 5));
        assert_eq!(mapped.span.slice("search `outer(\"a b\")`"), "\"a b\"");
        assert_eq!(mapped.expansion, None);
        // Definition text maps to the outermost call.
        let at = e.text.find("stats").unwrap_or(0);
        let mapped = e.source_map.map_span(Span::new(at, at + 5));
        assert_eq!(mapped.span, Span::new(7, 21));
        let chain: Vec<String> = mapped
            .expansion
            .map(|id| {
                e.source_map
                    .chain(id)
                    .iter()
                    .map(|r| r.display_name())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(chain, vec!["tail".to_string(), "outer(1)".to_string()]);
    }

    #[test]
    fn recursion_is_detected_with_the_chain() {
        let t = table("[a]\ndefinition = x `b`\n[b]\ndefinition = y `a`\n");
        let err = run("search `a` z", &t).expect_err("cycle");
        assert_eq!(err.phase(), Phase::Macro);
        assert_eq!(err.code(), Code::MACRO_RECURSION);
        assert_eq!(
            err.diagnostic().message,
            "macro expansion does not terminate: `a` -> `b` -> `a`"
        );
        assert_eq!(primary(&err), Span::new(7, 10));
        let notes = &err.diagnostic().notes;
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("in the expansion of macro `b`")),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("in the expansion of macro `a`")),
            "{notes:?}"
        );

        let t = table("[self(1)]\nargs = x\ndefinition = `self($x$ $x$)`\n");
        let err = run("`self(1)`", &t).expect_err("self");
        assert_eq!(
            err.diagnostic().message,
            "macro expansion does not terminate: `self(1)` -> `self(1)`"
        );
    }

    #[test]
    fn a_call_passed_as_an_argument_is_not_a_cycle() {
        let t = table("[id(1)]\nargs = x\ndefinition = $x$\n");
        let src = "`id(q)`";
        let mut ex = Expander::new(src, &t);
        let name = Ident {
            name: "id".into(),
            span: Span::new(1, 3),
        };
        let call = MacroCall {
            name: name.clone(),
            args: Some(vec![MacroArg {
                text: "q".into(),
                span: Span::new(4, 5),
            }]),
            span: Span::new(0, 7),
        };
        assert!(ex
            .expand_calls(&[(call, MacroPosition::SearchTerm)])
            .expect("first"));
        assert_eq!(ex.text(), "q");
        // The 'q' came from the argument: a call there is outside `id`, so `id` again is fine.
        let again = MacroCall {
            name: Ident {
                name: "id".into(),
                span: Span::new(0, 1),
            },
            args: Some(vec![MacroArg {
                text: "q".into(),
                span: Span::new(0, 1),
            }]),
            span: Span::new(0, 1),
        };
        assert!(ex
            .expand_calls(&[(again, MacroPosition::SearchTerm)])
            .is_ok());
    }

    #[test]
    fn depth_limit() {
        let mut conf = String::new();
        for i in 0..25 {
            conf.push_str(&format!("[m{i}]\ndefinition = `m{}`\n", i + 1));
        }
        conf.push_str("[m25]\ndefinition = end\n");
        let err = run("`m0`", &table(&conf)).expect_err("too deep");
        assert_eq!(err.code(), Code::MACRO_RECURSION);
        assert!(err
            .diagnostic()
            .message
            .starts_with("macro expansion does not terminate: `m0` -> `m1`"));
        let mut conf = String::new();
        for i in 0..MAX_DEPTH - 1 {
            conf.push_str(&format!("[m{i}]\ndefinition = `m{}`\n", i + 1));
        }
        conf.push_str(&format!("[m{}]\ndefinition = end\n", MAX_DEPTH - 1));
        assert_eq!(
            run("`m0`", &table(&conf)).expect("20 deep is fine").text,
            "end"
        );
    }

    #[test]
    fn exponential_growth_is_stopped() {
        let mut conf = String::new();
        for i in 0..19 {
            let filler = "x".repeat(1000);
            conf.push_str(&format!(
                "[m{i}]\ndefinition = `m{n}` `m{n}` `m{n}` {filler}\n",
                n = i + 1
            ));
        }
        conf.push_str("[m19]\ndefinition = abcdefgh\n");
        let err = run("`m0`", &table(&conf)).expect_err("too large");
        assert_eq!(err.code(), Code::MACRO_TOO_LARGE);
        assert_eq!(primary(&err), Span::new(0, 4));
    }

    #[test]
    fn undefined_macros_name_their_arity_and_point_at_the_call() {
        let t = MacroTable::new();
        let src = "a | table x `group_events(\"user, src_ip\",10min)`";
        let err = run(src, &t).expect_err("undefined");
        assert_eq!(err.phase(), Phase::Macro);
        assert_eq!(err.code(), Code::UNDEFINED_MACRO);
        assert_eq!(
            err.diagnostic().message,
            "undefined macro `group_events(2)`"
        );
        assert_eq!(
            primary(&err).slice(src),
            "`group_events(\"user, src_ip\",10min)`"
        );

        let t = table("[group_events(2)]\nargs = a, b\ndefinition = x\n");
        let err = run("`group_events(user)`", &t).expect_err("arity");
        assert_eq!(err.code(), Code::MACRO_ARITY);
        assert_eq!(
            err.diagnostic().message,
            "macro `group_events` is called with 1 argument, but is not defined for that"
        );
        assert_eq!(
            err.diagnostic().notes,
            vec!["`group_events` is defined as `[group_events(2)]`".to_string()]
        );
    }

    #[test]
    fn undefined_inside_an_expansion_points_at_the_outer_call() {
        let t = table("[a]\ndefinition = x `nope(1)`\n");
        let src = "search `a` y";
        let err = run(src, &t).expect_err("undefined");
        assert_eq!(err.diagnostic().message, "undefined macro `nope(1)`");
        assert_eq!(primary(&err).slice(src), "`a`");
        assert!(err.diagnostic().notes.iter().any(|n| n.contains(
            "in the expansion of macro `a` (defined at macros.conf:2): definition = x `nope(1)`"
        )));
    }

    #[test]
    fn builtins_expand_to_nothing_with_a_note_for_data_sources() {
        let t = MacroTable::new();
        let src = "`get_endpoint_data` `get_endpoint_data_sysmon` foo | table a `hec_collect`";
        let e = run(src, &t).expect("expands");
        assert_eq!(e.text, "  foo | table a ");
        assert_eq!(e.notes.len(), 2);
        assert_eq!(e.notes[0].severity, Severity::Note);
        assert_eq!(e.notes[0].code, Code::DATA_SOURCE_DEFAULT);
        assert_eq!(
            e.notes[0].message,
            "data-source macro `get_endpoint_data` has no definition; it matches every event \u{2014} give a macros.conf to restrict it"
        );
        assert_eq!(
            e.notes[1].primary.as_ref().map(|l| l.span.slice(src)),
            Some("`get_endpoint_data_sysmon`")
        );
        // The rest still maps exactly.
        let at = e.text.find("foo").unwrap_or(0);
        assert_eq!(
            e.source_map.map_span(Span::new(at, at + 3)).span.slice(src),
            "foo"
        );
    }

    #[test]
    fn an_empty_term_next_to_an_operator_becomes_a_star() {
        let t = MacroTable::new();
        let e = run(
            "`get_endpoint_data` `get_endpoint_data_winevent` AND (a OR b)",
            &t,
        )
        .expect("ok");
        assert_eq!(e.text, " * AND (a OR b)");
        assert_eq!(
            e.notes[1].primary.as_ref().map(|l| l.message.as_str()),
            Some("expands to `*` (every event)")
        );
        assert_eq!(run("a OR(`get_x_data`)", &t).expect("ok").text, "a OR(*)");
        assert_eq!(run("NOT `get_x_data` b", &t).expect("ok").text, "NOT * b");
        assert_eq!(
            run("x `get_x_data` ORACLE", &t).expect("ok").text,
            "x  ORACLE"
        );
        let t = MacroTable::new().with_undefined_as_empty(true);
        assert_eq!(run("a OR `u`", &t).expect("ok").text, "a OR *");
    }

    #[test]
    fn user_definitions_override_builtins() {
        let t = table("[get_endpoint_data]\ndefinition = index=edr\n");
        let e = run("`get_endpoint_data` foo", &t).expect("expands");
        assert_eq!(e.text, "index=edr foo");
        assert!(e.notes.is_empty());
    }

    #[test]
    fn undefined_as_empty_warns_each_use() {
        let t = MacroTable::new().with_undefined_as_empty(true);
        let e = run("a `x` `y(1)`", &t).expect("expands");
        assert_eq!(e.text, "a  ");
        let messages: Vec<&str> = e.notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "undefined macro `x` expands to nothing",
                "undefined macro `y(1)` expands to nothing"
            ]
        );
        assert!(e.notes.iter().all(|n| n.severity == Severity::Warning));
    }

    #[test]
    fn an_empty_whole_stage_takes_its_pipe_along() {
        let mut t = table("[nothing]\ndefinition = \n[blank]\ndefinition = \"\"\n");
        t.define(MacroDef::new("spaces", &[], "   "));
        assert_eq!(
            run("a | `nothing` | stats count", &t).expect("ok").text,
            "a | stats count"
        );
        assert_eq!(
            run("a | stats count | `spaces`", &t).expect("ok").text,
            "a | stats count"
        );
        assert_eq!(run("a | `hec_collect`", &t).expect("ok").text, "a");
        // Not a whole stage: only the call goes.
        assert_eq!(run("a `nothing` b", &t).expect("ok").text, "a  b");
        // A non-empty expansion keeps the pipe.
        assert_eq!(run("a | `blank`", &t).expect("ok").text, "a | \"\"");
    }

    #[test]
    fn iseval_and_missing_definitions_fail_when_used() {
        let t = table(
            "[e(1)]\nargs = a\ndefinition = \"x\".$a$\niseval = true\n[d]\ndescription = only\n",
        );
        let err = run("x `e(1)`", &t).expect_err("iseval");
        assert_eq!(err.code(), Code::MACRO_ISEVAL);
        assert_eq!(err.diagnostic().message, "iseval macros are not supported");
        assert_eq!(primary(&err), Span::new(2, 8));
        let err = run("x `d`", &t).expect_err("no definition");
        assert_eq!(err.code(), Code::MACRO_NO_DEFINITION);
        // Unused, they are no trouble.
        assert_eq!(run("x", &t).expect("fine").text, "x");
    }

    #[test]
    fn validation_is_reported_as_unchecked() {
        let t = table("[v(1)]\nargs = x\ndefinition = $x$\nvalidation = x > 15\n");
        let e = run("`v(3)`", &t).expect("expands");
        assert_eq!(e.notes[0].code, Code::MACRO_VALIDATION);
    }

    #[test]
    fn parse_errors_after_expansion_map_back_with_notes() {
        let t = table("[bad]\ndefinition = x ( y\n");
        let src = "a `bad` b";
        // A fake parser that rejects an unbalanced '(' and reports its position.
        let result = expand(src, &t, |text| match text.find('(') {
            Some(at) if !text.contains(')') => Err(ParseError {
                span: Span::new(at, at + 1),
                message: "unbalanced parenthesis".into(),
                label: "never closed".into(),
                notes: vec![],
            }),
            _ => Ok(((), scan(text))),
        });
        let err = result.expect_err("fails after expansion");
        assert_eq!(err.phase(), Phase::Macro);
        assert_eq!(err.code(), Code::SYNTAX);
        assert_eq!(primary(&err).slice(src), "`bad`");
        let notes = &err.diagnostic().notes;
        assert!(
            notes[0].starts_with("in the expansion of macro `bad`"),
            "{notes:?}"
        );
        assert_eq!(notes[1], "after macro expansion the query reads: a x ( y b");

        // The same error in the original text is a parse-phase error.
        let err = expand("a ( b", &t, |text| match text.find('(') {
            Some(at) => Err(ParseError {
                span: Span::new(at, at + 1),
                message: "unbalanced parenthesis".into(),
                label: String::new(),
                notes: vec![],
            }),
            None => Ok(((), scan(text))),
        })
        .expect_err("fails first");
        assert_eq!(err.phase(), Phase::Parse);
    }

    #[test]
    fn expansion_is_byte_exact_for_multibyte_text() {
        let t = table("[m]\ndefinition = é=1\n");
        let src = "ü `m` ö";
        let e = run(src, &t).expect("ok");
        assert_eq!(e.text, "ü é=1 ö");
        let at = e.text.find('ö').unwrap_or(0);
        assert_eq!(
            e.source_map.map_span(Span::new(at, at + 2)).span.slice(src),
            "ö"
        );
    }
}
