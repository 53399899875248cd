//! Walks over the tree: collecting macro calls, clearing spans.

use super::{MacroCall, Query};

/// Where a macro call stands; expansion needs it (an empty whole-stage expansion also
/// removes the stage's `|`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacroPosition {
    /// As a term of a search expression.
    SearchTerm,
    /// As a whole stage (`| `name` |`).
    Stage,
    /// As an item of a field list (`table`, `fields`, `stats ... by`, ...).
    FieldList,
    /// After a stage's arguments ([`Stage::trailing_macros`](super::Stage::trailing_macros)).
    Trailing,
    /// As an argument of a generic command.
    GenericArg,
}

/// Call `f` on every macro call in `query` with its position, in source order
/// (subsearches and foreach templates included).
pub fn visit_macro_calls(_query: &Query, _f: &mut dyn FnMut(&MacroCall, MacroPosition)) {
    // Filled in with the parser.
}

/// Set every span in a tree to `Span::default()`, so that trees parsed from different
/// spellings compare equal.
pub trait SpanMut {
    /// Clear all spans below and including `self`.
    fn clear_spans(&mut self);
}
