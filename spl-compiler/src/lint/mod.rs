//! Warnings about rules that compile but probably do not mean what their author meant.
//!
//! | code | warns about |
//! |---|---|
//! | `W0301` | `TERM(x)` where `x` holds a major breaker (a space, a comma, `%20`, ...): one segment of `_raw` can never hold it, so the `TERM` matches nothing |
//! | `W0302` | a lowercase (or mixed-case) `and`, `or` or `not` in a search: Splunk's boolean operators are uppercase, so the word is searched for as a term |
//! | `W0304` | a field read where no row can hold it (after `table`, `fields` or `stats` kept other fields), or read though no command makes it while one makes a name a letter away (`keyword` and `keywords`) |
//! | `W0305` | `\\W`, `\\s`, ... in a quoted regex followed by more letters (`"C:\\Windows"`): SPL unescapes `\\` first, so the regex sees an escape, not a backslash |
//! | `W0303` | `OR` beside `AND` (or terms side by side) without parentheses around the `OR`: in the search command `OR` binds tighter, so `a OR b c` is `(a OR b) c`, which readers of other languages take for `a OR (b c)` |
//!
//! Warnings point into the rule file (through macro expansions, like errors do) and never
//! stop a rule from compiling.

mod escapes;
pub(crate) mod fields;

use spl_grammar::ast::{Command, Query, SearchExpr, SearchKind};
use spl_grammar::{Code, Diagnostic, ParsedRule};
use spl_ir::breaker::term_can_match;

/// `TERM(x)` that can never match.
pub const TERM_NEVER_MATCHES: Code = Code("W0301");
/// A lowercase boolean word searched as a term.
pub const LOWERCASE_OPERATOR: Code = Code("W0302");
/// `OR` and `AND` mixed without parentheses.
pub const MIXED_AND_OR: Code = Code("W0303");
/// A field read where no row can hold it, or that no command makes.
pub const FIELD_NEVER_PRODUCED: Code = Code("W0304");
/// `\\` before a letter in a quoted regex, collapsing into a regex escape.
pub const COLLAPSING_ESCAPE: Code = Code("W0305");

/// The warnings of a parsed rule, in source order, located in the rule file.
pub fn lint(parsed: &ParsedRule) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    lint_query(&parsed.expanded, &parsed.expanded_text, &mut found);
    fields::lint_fields(&parsed.expanded, &mut found);
    escapes::lint_escapes(&parsed.expanded, &parsed.expanded_text, &mut found);
    found.sort_by_key(|d| d.primary.as_ref().map(|l| l.span.start));
    found.into_iter().map(|d| parsed.locate(d)).collect()
}

/// The warnings of `query`, whose spans point into `text`.
fn lint_query(query: &Query, text: &str, found: &mut Vec<Diagnostic>) {
    for stage in &query.stages {
        match &stage.command {
            Command::Search(search) => {
                if let Some(expr) = &search.expr {
                    lint_search(expr, text, found);
                }
            }
            Command::Join(join) => lint_query(&join.subsearch.query, text, found),
            Command::Foreach(foreach) => lint_query(&foreach.template.query, text, found),
            _ => {}
        }
    }
}

/// Whether the expression at `span` of `text` is inside parentheses of its own.
fn parenthesized(text: &str, span: spl_grammar::Span) -> bool {
    let before = text.get(..span.start).map(str::trim_end);
    let after = text.get(span.end..).map(str::trim_start);
    before.is_some_and(|b| b.ends_with('(')) && after.is_some_and(|a| a.starts_with(')'))
}

fn lint_search(expr: &SearchExpr, text: &str, found: &mut Vec<Diagnostic>) {
    match &expr.kind {
        SearchKind::And(items) => {
            for item in items {
                if matches!(item.kind, SearchKind::Or(_)) && !parenthesized(text, item.span) {
                    found.push(
                        Diagnostic::warning(
                            MIXED_AND_OR,
                            "`OR` beside `AND` without parentheses: the `OR` is taken first",
                        )
                        .with_primary(item.span, "these are one alternative, tested together")
                        .with_note(
                            "in the search command OR binds tighter than AND (and than terms \
                             side by side): `a OR b c` means `(a OR b) c`; put parentheses \
                             around the OR to say so",
                        ),
                    );
                }
                lint_search(item, text, found);
            }
        }
        SearchKind::Or(items) => {
            for item in items {
                lint_search(item, text, found);
            }
        }
        SearchKind::Not(inner) => lint_search(inner, text, found),
        SearchKind::TermCall(lit) if !term_can_match(&lit.value) => {
            found.push(
                Diagnostic::warning(
                    TERM_NEVER_MATCHES,
                    format!("`TERM({})` can never match", lit.value),
                )
                .with_primary(expr.span, "this holds a major breaker")
                .with_note(
                    "TERM matches one whole segment of _raw between major breakers (spaces, \
                     commas, brackets, quotes, their URL-encoded forms, ...); use a quoted \
                     phrase to match text with breakers inside",
                ),
            );
        }
        SearchKind::Term(lit) if !lit.quoted => {
            let word = lit.value.as_str();
            let upper = word.to_ascii_uppercase();
            if matches!(upper.as_str(), "AND" | "OR" | "NOT") && word != upper {
                found.push(
                    Diagnostic::warning(
                        LOWERCASE_OPERATOR,
                        format!("`{word}` is searched for as a word, not used as `{upper}`"),
                    )
                    .with_primary(lit.span, "a search term")
                    .with_note(
                        "Splunk's boolean operators are uppercase; write the operator in \
                         capitals, or quote the word to make the search for it explicit",
                    ),
                );
            }
        }
        _ => {}
    }
}
