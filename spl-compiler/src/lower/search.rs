//! Lowering search-command expressions to predicates.

use spl_grammar::ast::{SearchExpr, SearchKind};

use super::{unexpanded, Lowerer};
use crate::ir::{Atom, AtomKind, Pred};

/// Lower a search expression (first stage or `| search`).
pub(crate) fn lower_search(cx: &mut Lowerer, expr: &SearchExpr) -> Pred {
    let span = expr.span;
    let atom = |kind| Pred::atom(Atom { kind, span });
    match &expr.kind {
        SearchKind::And(items) => Pred::and(items.iter().map(|e| lower_search(cx, e))),
        SearchKind::Or(items) => Pred::or(items.iter().map(|e| lower_search(cx, e))),
        SearchKind::Not(inner) => Pred::not(lower_search(cx, inner)),
        SearchKind::Term(lit) => {
            if lit.value.chars().all(|c| c == '*') {
                // A bare `*` matches every event.
                Pred::constant(true)
            } else {
                atom(AtomKind::Term(lit.value.clone()))
            }
        }
        SearchKind::Phrase(lit) => {
            if lit.value.chars().all(|c| c == '*') {
                Pred::constant(true)
            } else {
                atom(AtomKind::Phrase(lit.value.clone()))
            }
        }
        SearchKind::TermCall(lit) => atom(AtomKind::TermExact(lit.value.clone())),
        SearchKind::CaseCall(lit) => atom(AtomKind::CaseTerm(lit.value.clone())),
        SearchKind::Compare(c) => atom(AtomKind::Compare {
            field: c.field.name.clone(),
            op: c.op,
            value: c.value.value.clone(),
        }),
        SearchKind::In(list) => atom(AtomKind::In {
            field: list.field.name.clone(),
            values: list.values.iter().map(|v| v.value.clone()).collect(),
        }),
        SearchKind::Macro(m) => {
            cx.error(unexpanded(m));
            Pred::constant(true)
        }
    }
}
