//! Walks over the tree: collecting macro calls, clearing spans.
//!
//! (Being written: the parser work fills these in.)

use super::{MacroCall, Query};

/// Call `f` on every macro call in `query`, in source order (subsearches included).
pub fn visit_macro_calls(_query: &Query, _f: &mut dyn FnMut(&MacroCall)) {}

/// Set every span in a tree to `Span::default()`, so that trees parsed from different
/// spellings compare equal.
pub trait SpanMut {
    /// Clear all spans below and including `self`.
    fn clear_spans(&mut self);
}
