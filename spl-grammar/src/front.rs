//! The front-end driver: load → parse → macro expansion.
//!
//! ```text
//! rule.yml ──load──► RuleFile ──parse──► Query (macro calls as nodes)
//!                                 ──macro──► expanded text ──parse──► Query (no macros left)
//! ```
//!
//! The phases run in order and an error names the phase that failed ([`Phase`]): a rule
//! that fails at [`Phase::Macro`] has parsed. Every diagnostic, whatever its phase, points
//! into the rule *file* (`path:line:col` of the YAML file, a caret under the right
//! character), through two maps: the [`SourceMap`] from the expanded text to the logic as
//! written, and the rule's [`RuleSource`] from the logic to the file.
//!
//! ```no_run
//! use spl_grammar::front::parse_rule;
//! use spl_grammar::macros::MacroTable;
//! use spl_grammar::rule::load_rule;
//!
//! let macros = MacroTable::from_conf_files(["macros.conf"])?;
//! let rule = load_rule("rules/masscan.yml")?;
//! match parse_rule(&rule, &macros) {
//!     Ok(parsed) => {
//!         for note in &parsed.notes {
//!             eprintln!("{}", note.render_plain());
//!         }
//!         println!("{}", parsed.expanded_text);
//!     }
//!     Err(err) => eprintln!("{err}"),
//! }
//! # Ok::<(), spl_grammar::error::Error>(())
//! ```

use std::path::Path;

use crate::ast::{visit_macro_calls, MacroCall, MacroPosition, Query};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Phase};
use crate::macros::{expand, MacroTable, SourceMap};
use crate::parse::{parse_query, ParseError};
use crate::rule::{load_rule, RuleFile, RuleSource};
use crate::span::Span;

/// A rule after the front end: both trees, the expanded text, and the maps back to the
/// file.
#[derive(Clone, Debug)]
pub struct ParsedRule {
    /// The tree of the logic as written: macro calls are nodes; spans point into the logic.
    pub original: Query,
    /// The logic after macro expansion.
    pub expanded_text: String,
    /// The tree of [`expanded_text`](Self::expanded_text): no macro calls; spans point
    /// into the expanded text (map them with [`file_span`](Self::file_span) or
    /// [`locate`](Self::locate)).
    pub expanded: Query,
    /// From the expanded text to the logic as written.
    pub source_map: SourceMap,
    /// Notes and warnings of the front end (a data-source macro that matches every event,
    /// an undefined macro expanded to nothing, ...), pointing into the rule file.
    pub notes: Vec<Diagnostic>,
    source: RuleSource,
}

impl ParsedRule {
    /// The rule's file and the map from its logic to the file.
    pub fn source(&self) -> &RuleSource {
        &self.source
    }

    /// Map a span of the expanded text (as in [`expanded`](Self::expanded)) to the file.
    pub fn file_span(&self, expanded: Span) -> Span {
        self.source
            .logic_to_file(self.source_map.map_span(expanded).span)
    }

    /// Map a span of the logic as written (as in [`original`](Self::original)) to the
    /// file.
    pub fn original_file_span(&self, original: Span) -> Span {
        self.source.logic_to_file(original)
    }

    /// Move a diagnostic whose spans point into the expanded text to the rule file; when
    /// its primary span falls inside a macro expansion, it points at the macro call and
    /// gains a note per expansion level.
    pub fn locate(&self, diagnostic: Diagnostic) -> Diagnostic {
        self.source
            .relocate(crate::macros::expand::locate(&self.source_map, diagnostic))
    }

    /// Move a diagnostic whose spans point into the logic as written to the rule file.
    pub fn locate_original(&self, diagnostic: Diagnostic) -> Diagnostic {
        self.source.relocate(diagnostic)
    }

    /// An error of `phase` (for the compiler: [`Phase::Lower`]) from a diagnostic whose
    /// spans point into the expanded text.
    pub fn error(&self, phase: Phase, diagnostic: Diagnostic) -> Error {
        Error::new(phase, self.locate(diagnostic))
    }
}

/// Run the front end on a rule: check it is SPL, parse its logic, expand its macros with
/// `macros` and parse the result.
pub fn parse_rule(rule: &RuleFile, macros: &MacroTable) -> Result<ParsedRule, Error> {
    let source = rule.current_source();
    if let Some(format) = rule.logic_format.as_deref() {
        if !is_splunk_format(format) {
            return Err(Error::new(
                Phase::Load,
                Diagnostic::error(
                    Code::LOGIC_FORMAT,
                    format!("the rule's logic is `{format}`, not Splunk SPL"),
                )
                .with_note("splc compiles rules whose `logic_format` is `Splunk`")
                .with_source(source.file().clone()),
            ));
        }
    }
    run(&rule.logic, source, macros)
}

/// Run the front end on SPL text (named `<input>` in diagnostics).
pub fn parse_spl(text: &str, macros: &MacroTable) -> Result<ParsedRule, Error> {
    let rule = RuleFile::from_spl_str(text, "<input>");
    run(&rule.logic, rule.current_source(), macros)
}

/// Load a rule file and run the front end on it.
pub fn parse_rule_file(
    path: impl AsRef<Path>,
    macros: &MacroTable,
) -> Result<(RuleFile, ParsedRule), Error> {
    let rule = load_rule(path)?;
    let parsed = parse_rule(&rule, macros)?;
    Ok((rule, parsed))
}

fn run(logic: &str, source: RuleSource, macros: &MacroTable) -> Result<ParsedRule, Error> {
    let expanded = expand(logic, macros, parse_with_calls)
        .map_err(|err| Error::new(err.phase, source.relocate(*err.diagnostic)))?;
    let notes = expanded
        .notes
        .into_iter()
        .map(|n| source.relocate(n))
        .collect();
    Ok(ParsedRule {
        original: expanded.original,
        expanded_text: expanded.text,
        expanded: expanded.expanded,
        source_map: expanded.source_map,
        notes,
        source,
    })
}

/// Parse a text and list the macro calls in its tree.
#[allow(clippy::type_complexity)]
fn parse_with_calls(text: &str) -> Result<(Query, Vec<(MacroCall, MacroPosition)>), ParseError> {
    let query = parse_query(text)?;
    let mut calls = Vec::new();
    visit_macro_calls(&query, &mut |call, position| {
        calls.push((call.clone(), position))
    });
    Ok((query, calls))
}

fn is_splunk_format(format: &str) -> bool {
    let f = format.trim();
    f.eq_ignore_ascii_case("splunk") || f.eq_ignore_ascii_case("spl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_logic_formats_fail_at_load() {
        let rule =
            RuleFile::from_yaml_str("logic_format: KQL\nlogic: x\n", "r.yml").expect("loads");
        let err = parse_rule(&rule, &MacroTable::new()).expect_err("not SPL");
        assert_eq!(err.phase(), Phase::Load);
        assert_eq!(err.code(), Code::LOGIC_FORMAT);
        assert!(is_splunk_format(" Splunk"));
    }
}
