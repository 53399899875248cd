//! The search predicate as a tree of the runtime's matchers.

use spl_compiler::ir::{Atom, AtomKind, Pred, PredKind};
use spl_runtime::compare::FieldMatcher;
use spl_runtime::event::Event;
use spl_runtime::field::FieldId;
use spl_runtime::search::{CaseTerm, Term, TermExact};

/// A predicate with its matchers built: the same matchers generated code uses.
pub(crate) enum Filter {
    Const(bool),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Term(Term),
    TermExact(TermExact),
    Case(CaseTerm),
    Field(FieldId, FieldMatcher),
}

impl Filter {
    pub(crate) fn new(pred: &Pred) -> Filter {
        match pred.kind() {
            PredKind::True => Filter::Const(true),
            PredKind::False => Filter::Const(false),
            PredKind::And(items) => Filter::And(items.iter().map(Filter::new).collect()),
            PredKind::Or(items) => Filter::Or(items.iter().map(Filter::new).collect()),
            PredKind::Atom(a) => Filter::atom(a),
            PredKind::Not(a) => Filter::Not(Box::new(Filter::atom(a))),
        }
    }

    fn atom(atom: &Atom) -> Filter {
        match &atom.kind {
            AtomKind::Term(t) | AtomKind::Phrase(t) => Filter::Term(Term::new(t)),
            AtomKind::TermExact(t) => Filter::TermExact(TermExact::new(t)),
            AtomKind::CaseTerm(t) => Filter::Case(CaseTerm::new(t)),
            AtomKind::Compare { field, op, value } => {
                Filter::Field(FieldId::intern(field), FieldMatcher::new(*op, value))
            }
            AtomKind::In { field, values } => Filter::Field(
                FieldId::intern(field),
                FieldMatcher::in_list(values.iter().map(String::as_str)),
            ),
        }
    }

    /// Whether `event` (whose `_raw` is `raw`) passes.
    pub(crate) fn test(&self, event: &(impl Event + ?Sized), raw: &str) -> bool {
        match self {
            Filter::Const(b) => *b,
            Filter::And(items) => items.iter().all(|n| n.test(event, raw)),
            Filter::Or(items) => items.iter().any(|n| n.test(event, raw)),
            Filter::Not(n) => !n.test(event, raw),
            Filter::Term(m) => m.is_match(raw),
            Filter::TermExact(m) => m.is_match(raw),
            Filter::Case(m) => m.is_match(raw),
            Filter::Field(f, m) => m.matches(event.get(*f)),
        }
    }
}
