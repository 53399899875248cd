//! Rules over a typed event: a Rust type of the program's own, with a fixed set of fields
//! (`#[derive(spl_runtime::Event)]`), instead of the runtime's open `Record`.
//!
//! A rule that reads a field the type does not have would read null there on every
//! event; with a type named (`detect!`'s `event` clause, [`crate::Builder::event_type`]),
//! that is a compile error instead. The fields a rule reads from its events are those
//! [`event_fields`] lists: what its first search compares, then what later commands read
//! before any command made a field of that name, while rows are still whole events.
//! `_raw` and `_time` are always there (empty and absent when the type has none), and so
//! are rules that read only `_raw` (terms and phrases): they compile for any type.
//!
//! The check itself is in the generated code, a constant evaluated by rustc against the
//! type's field list (`spl_runtime::typed::TypedEvent::FIELDS`), so that a change to the
//! type re-checks every rule. Its message is the rendered diagnostic, with line, column
//! and a caret into the SPL.

use spl_grammar::{Code, Diagnostic, ParsedRule, Span};

/// A rule reads a field that its event type does not have.
pub const FIELD_NOT_IN_EVENT_TYPE: Code = Code("E0401");

/// A field a rule reads from its events, and where it first does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventField {
    /// The field name.
    pub name: String,
    /// Where, in the expanded text of the rule.
    span: Span,
}

impl EventField {
    /// The error for an event type `type_name` that has no such field, located in the
    /// rule file (through macro expansions).
    pub fn missing_in(&self, parsed: &ParsedRule, type_name: &str) -> Diagnostic {
        parsed.locate(
            Diagnostic::error(
                FIELD_NOT_IN_EVENT_TYPE,
                format!(
                    "the rule reads `{}`, a field the event type `{type_name}` does not have",
                    self.name
                ),
            )
            .with_primary(self.span, "read from each event here")
            .with_note(format!(
                "add the field to `{type_name}` (or rename one with #[spl(name = \"{}\")]), \
                 or run the rule over `spl_runtime::Record`",
                self.name
            )),
        )
    }
}

/// The checks that make a rule over event type `event_type` (a Rust type, shown in
/// messages as `shown`) a compile error when it reads a field the type does not have: one
/// constant per field read, asserting it is among the type's
/// `spl_runtime::typed::TypedEvent::FIELDS`, with the rendered diagnostic as the message.
pub fn field_checks(
    parsed: &ParsedRule,
    event_type: &proc_macro2::TokenStream,
    shown: &str,
    span: proc_macro2::Span,
) -> proc_macro2::TokenStream {
    let checks = event_fields(parsed).into_iter().map(|field| {
        let rendered = field.missing_in(parsed, shown).render(false);
        // The message is a format string without arguments.
        let message = format!("\n{rendered}")
            .replace('{', "{{")
            .replace('}', "}}");
        let name = &field.name;
        quote::quote_spanned! {span=>
            const _: () = ::core::assert!(
                ::spl_runtime::typed::has_field(
                    <#event_type as ::spl_runtime::typed::TypedEvent>::FIELDS,
                    #name,
                ),
                #message
            );
        }
    });
    quote::quote!(#(#checks)*)
}

/// The fields `parsed` reads from its events, in order of first read (see the
/// [module documentation](self)).
pub fn event_fields(parsed: &ParsedRule) -> Vec<EventField> {
    crate::lint::fields::event_fields(&parsed.expanded)
        .into_iter()
        .map(|(name, span)| EventField { name, span })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use spl_grammar::{MacroTable, RuleFile};

    fn fields(spl: &str) -> Vec<String> {
        let compiled = crate::compile_rule(RuleFile::from_spl_str(spl, "t"), &MacroTable::new())
            .unwrap_or_else(|e| panic!("{spl}: {e}"));
        event_fields(&compiled.parsed)
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn reads_of_events_are_the_search_then_reads_before_any_command_makes_the_field() {
        assert_eq!(fields("TERM(install) \"pip\""), Vec::<String>::new());
        assert_eq!(
            fields("process=x* NOT user IN (a, b) | where len(cmd) > 3 | table host, process"),
            ["process", "user", "cmd", "host"]
        );
        // `n` is made by eval before `where` reads it; `m` is not.
        assert_eq!(
            fields("a=1 | eval n=len(b) | where n > 2 AND m < 1"),
            ["a", "b", "m"]
        );
        // After `stats` rows are no longer events: `count` is not an event field.
        assert_eq!(
            fields("a=1 | stats count by host | where count > 2"),
            ["a", "host"]
        );
        // `_raw`, `_time` and wildcard patterns are left out.
        assert_eq!(
            fields("_raw=*x* | bin _time span=1h | table _time, process_*"),
            Vec::<String>::new()
        );
        // rex makes its named groups.
        assert_eq!(
            fields(r#"a=1 | rex field=cmd "(?<exe>\w+)" | where exe="x""#),
            ["a", "cmd"]
        );
    }

    #[test]
    fn the_error_points_at_the_read_in_the_rule() {
        let spl = "process=x* | where len(cmd) > 3";
        let compiled =
            crate::compile_rule(RuleFile::from_spl_str(spl, "t.spl"), &MacroTable::new())
                .expect("compiles");
        let reads = event_fields(&compiled.parsed);
        let text = reads[1].missing_in(&compiled.parsed, "Proc").render(false);
        assert!(
            text.contains(
                "error[E0401]: the rule reads `cmd`, a field the event type `Proc` does not have"
            ),
            "{text}"
        );
        assert!(text.contains("t.spl:1:24"), "{text}");
    }
}
