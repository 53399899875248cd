//! The literals an event's `_raw` must contain for a predicate to hold.
//!
//! A [`Prefilter`] is a conjunction of clauses; each clause is a set of lowercase literals
//! of which `_raw` (compared ignoring ASCII case) must contain at least one. Only atoms that
//! search `_raw` contribute: a field value need not appear verbatim in `_raw` (JSON and XML
//! escape characters, aliases derive values), so field atoms constrain nothing. A negated
//! atom constrains nothing either.
//!
//! The prefilter is a necessary condition, never a sufficient one: an event that fails it
//! cannot match, an event that passes it still goes through the full predicate.
//!
//! The IR keeps every clause. The runtime (`spl_runtime::prefilter::Prefilter`, used by
//! the generated code and the evaluator alike) checks only the one it scores most
//! selective and leaves the others to the predicate.

use super::{AtomKind, Pred};

/// A necessary condition on `_raw`: every clause needs one of its literals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefilter {
    /// The clauses (each: lowercase literals, at least one must occur).
    pub clauses: Vec<Vec<String>>,
}

impl Prefilter {
    /// The prefilter of `pred`.
    pub fn of(pred: &Pred) -> Prefilter {
        Prefilter {
            clauses: clauses(pred).unwrap_or_default(),
        }
    }

    /// True when the prefilter constrains nothing.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// True when `raw` satisfies every clause (a reference implementation; the back ends
    /// check one chosen clause only).
    pub fn admits(&self, raw: &str) -> bool {
        let lower = raw.to_ascii_lowercase();
        self.clauses
            .iter()
            .all(|clause| clause.iter().any(|lit| lower.contains(lit.as_str())))
    }
}

/// The clauses a predicate implies; `None` when it implies nothing.
fn clauses(pred: &Pred) -> Option<Vec<Vec<String>>> {
    match pred {
        Pred::True | Pred::Not(_) => None,
        Pred::False => None,
        Pred::Atom(atom) => {
            let text = match &atom.kind {
                AtomKind::Term(t)
                | AtomKind::Phrase(t)
                | AtomKind::TermExact(t)
                | AtomKind::CaseTerm(t) => t,
                AtomKind::Compare { .. } | AtomKind::In { .. } => return None,
            };
            longest_piece(text).map(|lit| vec![vec![lit]])
        }
        Pred::And(items) => {
            let all: Vec<Vec<String>> = items.iter().filter_map(clauses).flatten().collect();
            (!all.is_empty()).then_some(all)
        }
        Pred::Or(items) => {
            // Each alternative must contribute; take its most selective clause (the one
            // whose shortest literal is longest) and join them into one clause.
            let mut joined = Vec::new();
            for item in items {
                let best = clauses(item)?
                    .into_iter()
                    .max_by_key(|c| c.iter().map(String::len).min().unwrap_or(0))?;
                for lit in best {
                    if !joined.contains(&lit) {
                        joined.push(lit);
                    }
                }
            }
            Some(vec![joined])
        }
    }
}

/// The longest run of the text between `*` wildcards, lowercased (ASCII); `None` when
/// the text is only wildcards.
fn longest_piece(text: &str) -> Option<String> {
    text.split('*')
        .max_by_key(|piece| piece.len())
        .filter(|piece| !piece.is_empty())
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Atom, CmpOp};
    use spl_grammar::Span;

    fn term(t: &str) -> Pred {
        Pred::atom(Atom {
            kind: AtomKind::TermExact(t.into()),
            span: Span::default(),
        })
    }

    fn field() -> Pred {
        Pred::atom(Atom {
            kind: AtomKind::Compare {
                field: "f".into(),
                op: CmpOp::Eq,
                value: "x".into(),
            },
            span: Span::default(),
        })
    }

    #[test]
    fn and_of_terms_requires_each() {
        let p = Pred::and([term("Install"), Pred::or([term("npm"), term("pip")])]);
        let pf = Prefilter::of(&p);
        assert_eq!(
            pf.clauses,
            vec![
                vec!["install".to_string()],
                vec!["npm".into(), "pip".into()]
            ]
        );
        assert!(pf.admits("pip INSTALL x"));
        assert!(!pf.admits("pip uninstal"));
    }

    #[test]
    fn or_with_an_unconstrained_branch_constrains_nothing() {
        let p = Pred::or([term("a"), field()]);
        assert!(Prefilter::of(&p).is_empty());
        let p = Pred::not(term("a"));
        assert!(Prefilter::of(&p).is_empty());
    }

    #[test]
    fn wildcards_keep_the_longest_piece() {
        assert_eq!(
            longest_piece("C:\\Users\\*\\Downloads\\*"),
            Some("\\downloads\\".into())
        );
        assert_eq!(longest_piece("**"), None);
    }
}
