//! Lowering search-command expressions to predicates.

use spl_grammar::ast::{SearchExpr, SearchKind};

use super::{codes, unexpanded, LowerError, Lowerer};
use crate::ir::{subsearch_marker, Atom, AtomKind, CmpOp, Pred, PredKind, Subsearch};

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
        SearchKind::Subsearch(sub) => {
            if !cx.subsearch_ok && !cx.in_subsearch {
                cx.error(
                    LowerError::new(
                        codes::UNSUPPORTED,
                        span,
                        "a subsearch here is not supported: splc runs subsearches in `search` only",
                    )
                    .label("subsearch"),
                );
                return Pred::constant(true);
            }
            match super::command::lower_subsearch(cx, sub, span, "search") {
                Some((filter, stages)) => {
                    let index = cx.subsearches.len();
                    cx.subsearches.push(Subsearch { filter, stages });
                    atom(AtomKind::Compare {
                        field: subsearch_marker(index),
                        op: CmpOp::Eq,
                        value: "*".into(),
                    })
                }
                None => Pred::constant(true),
            }
        }
    }
}

/// A search command's expression, where subsearches may stand (they are left in
/// `cx.subsearches`, each as its marker's presence in the predicate).
pub(crate) fn lower_search_command(cx: &mut Lowerer, expr: &SearchExpr) -> Pred {
    let outer = std::mem::replace(&mut cx.subsearch_ok, !cx.in_subsearch);
    let pred = lower_search(cx, expr);
    cx.subsearch_ok = outer;
    pred
}

/// The parts of `pred` that hold no subsearch: its conjuncts without one (or `true`).
/// An event that fails them fails `pred`.
pub(crate) fn without_subsearches(pred: &Pred) -> Pred {
    let has = |p: &Pred| {
        p.atoms()
            .iter()
            .any(|(a, _)| a.kind.field().is_some_and(|f| f.starts_with('\0')))
    };
    match pred.kind() {
        PredKind::And(items) => Pred::and(items.iter().filter(|p| !has(p)).cloned()),
        _ if has(pred) => Pred::constant(true),
        _ => pred.clone(),
    }
}
