//! What a rule looks for, read off its IR: indicators (field, kind, value) and bare search
//! terms, the way a detection catalog shows a rule.
//!
//! `TERM(npm)` is one term of kind `TERM`, not the two words `TERM` and `npm`; a field
//! compare is an indicator, not a search term; regexes and LIKE patterns applied to a
//! field (`regex`, `where match(...)`, `like(...)`) are indicators of their field.

use crate::ir::{AtomKind, BinOp, CmpOp, Expr, ExprKind, Func, Pred, Program, Stage};

/// One thing a rule tests a field for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Indicator {
    /// The field.
    pub field: String,
    /// What kind of test (`=`, `!=`, `<`, `in`, `regex_match`, `regex_not_match`, `like`).
    pub kind: &'static str,
    /// The value, pattern or regex.
    pub value: String,
    /// True when the test sits under a `NOT` (the rule looks for its absence).
    pub negated: bool,
    /// The 1-based stage it is in (1 = the first search).
    pub stage: usize,
}

/// A bare search term: matched against `_raw`, not a field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SearchTerm {
    /// `term`, `phrase`, `TERM` or `CASE`.
    pub kind: &'static str,
    /// The text.
    pub text: String,
    /// True when the term sits under a `NOT`.
    pub negated: bool,
    /// The 1-based stage it is in.
    pub stage: usize,
}

/// The indicators of a program, in rule order.
pub fn indicators(program: &Program) -> Vec<Indicator> {
    let mut out = Vec::new();
    pred_indicators(&program.filter, 1, &mut out);
    for (i, stage) in program.stages.iter().enumerate() {
        let n = i + 2;
        match stage {
            Stage::Search(p) => pred_indicators(p, n, &mut out),
            Stage::Regex(r) => out.push(Indicator {
                field: r.field.clone(),
                kind: if r.negated { "regex_not_match" } else { "regex_match" },
                value: r.regex.source.clone(),
                negated: false,
                stage: n,
            }),
            Stage::Where(e) => expr_indicators(e, false, n, &mut out),
            _ => {}
        }
    }
    out
}

/// The bare search terms of a program, in rule order.
pub fn search_terms(program: &Program) -> Vec<SearchTerm> {
    let mut out = Vec::new();
    pred_terms(&program.filter, 1, &mut out);
    for (i, stage) in program.stages.iter().enumerate() {
        if let Stage::Search(p) = stage {
            pred_terms(p, i + 2, &mut out);
        }
    }
    out
}

fn atoms(pred: &Pred) -> Vec<(&crate::ir::Atom, bool)> {
    fn walk<'a>(p: &'a Pred, out: &mut Vec<(&'a crate::ir::Atom, bool)>) {
        match p {
            Pred::True | Pred::False => {}
            Pred::And(items) | Pred::Or(items) => items.iter().for_each(|i| walk(i, out)),
            Pred::Atom(a) => out.push((a, false)),
            Pred::Not(a) => out.push((a, true)),
        }
    }
    let mut out = Vec::new();
    walk(pred, &mut out);
    out
}

fn pred_indicators(pred: &Pred, stage: usize, out: &mut Vec<Indicator>) {
    for (atom, negated) in atoms(pred) {
        match &atom.kind {
            AtomKind::Compare { field, op, value } => out.push(Indicator {
                field: field.clone(),
                kind: match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                },
                value: value.clone(),
                negated,
                stage,
            }),
            AtomKind::In { field, values } => {
                for v in values {
                    out.push(Indicator {
                        field: field.clone(),
                        kind: "in",
                        value: v.clone(),
                        negated,
                        stage,
                    });
                }
            }
            _ => {}
        }
    }
}

fn pred_terms(pred: &Pred, stage: usize, out: &mut Vec<SearchTerm>) {
    for (atom, negated) in atoms(pred) {
        let (kind, text) = match &atom.kind {
            AtomKind::Term(t) => ("term", t),
            AtomKind::Phrase(t) => ("phrase", t),
            AtomKind::TermExact(t) => ("TERM", t),
            AtomKind::CaseTerm(t) => ("CASE", t),
            _ => continue,
        };
        out.push(SearchTerm { kind, text: text.clone(), negated, stage });
    }
}

fn expr_indicators(e: &Expr, negated: bool, stage: usize, out: &mut Vec<Indicator>) {
    match &e.kind {
        ExprKind::Not(x) => expr_indicators(x, !negated, stage, out),
        ExprKind::Binary { op: BinOp::Like, lhs, rhs } => {
            if let (ExprKind::Field(f), ExprKind::Str(p)) = (&lhs.kind, &rhs.kind) {
                out.push(Indicator { field: f.clone(), kind: "like", value: p.clone(), negated, stage });
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_indicators(lhs, negated, stage, out);
            expr_indicators(rhs, negated, stage, out);
        }
        ExprKind::Call { func, args, regex } => {
            let field = args.first().and_then(|a| match &a.kind {
                ExprKind::Field(f) => Some(f.clone()),
                _ => None,
            });
            match (func, field) {
                (Func::Match, Some(field)) => {
                    if let Some(re) = regex {
                        out.push(Indicator {
                            field,
                            kind: "regex_match",
                            value: re.source.clone(),
                            negated,
                            stage,
                        });
                    }
                }
                (Func::Like, Some(field)) => {
                    if let Some(ExprKind::Str(p)) = args.get(1).map(|a| &a.kind) {
                        out.push(Indicator { field, kind: "like", value: p.clone(), negated, stage });
                    }
                }
                _ => args.iter().for_each(|a| expr_indicators(a, negated, stage, out)),
            }
        }
        _ => {}
    }
}
