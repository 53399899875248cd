//! A lowered query: one filter predicate, in negation normal form, plus its stages.

use crate::op::CmpOp;
use crate::prefilter::Prefilter;
use crate::span::Span;
use crate::stage::{Stage, Tree};

/// A lowered query: the predicate of the first (implicit) search, the prefilter derived
/// from it, and the commands after it.
///
/// The fields are private so that the prefilter always belongs to the filter: a program is
/// built with [`Program::new`] and read with its accessors.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    filter: Pred,
    prefilter: Prefilter,
    stages: Vec<Stage<Tree>>,
}

impl Program {
    /// A program from its filter and stages; the prefilter is derived from the filter.
    pub fn new(filter: Pred, stages: Vec<Stage<Tree>>) -> Program {
        let prefilter = Prefilter::of(&filter);
        Program {
            filter,
            prefilter,
            stages,
        }
    }

    /// The predicate of the first search.
    pub fn filter(&self) -> &Pred {
        &self.filter
    }

    /// What `_raw` must contain for the filter to hold.
    pub fn prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    /// The commands after the first search, in order.
    pub fn stages(&self) -> &[Stage<Tree>] {
        &self.stages
    }

    /// The filter and the stages.
    pub fn into_parts(self) -> (Pred, Vec<Stage<Tree>>) {
        (self.filter, self.stages)
    }

    /// What an event must have for the filter to hold (see [`Witness`]); `None` when
    /// nothing narrows the events down.
    pub fn witness(&self) -> Option<crate::Witness> {
        crate::Witness::of_program(&self.filter, &self.stages)
    }

    /// True when every stage answers each row at once (no stage holds rows until the end
    /// of the input), so that each output row comes from the event just given.
    pub fn is_streaming(&self) -> bool {
        self.stages.iter().all(Stage::is_streaming)
    }

    /// True when the program has a transforming command (`stats`), so that its output
    /// rows are not events.
    pub fn is_transforming(&self) -> bool {
        self.stages.iter().any(Stage::is_transforming)
    }
}

/// A boolean predicate over an event, in negation normal form.
///
/// The representation is private: a predicate is built only with [`Pred::atom`],
/// [`Pred::and`], [`Pred::or`], [`Pred::not`] and [`Pred::constant`], which keep it
/// normal — `And`/`Or` have at least two items, none of them a constant or a node of the
/// same kind; negation sits on atoms only. Read it with [`Pred::kind`].
#[derive(Clone, Debug, PartialEq)]
pub struct Pred(PredKind);

/// What a [`Pred`] is.
#[derive(Clone, Debug, PartialEq)]
pub enum PredKind {
    /// Always true (an empty search).
    True,
    /// Always false.
    False,
    /// All hold.
    And(Vec<Pred>),
    /// Any holds.
    Or(Vec<Pred>),
    /// The atom does not hold.
    Not(Atom),
    /// The atom holds.
    Atom(Atom),
}

impl Pred {
    /// A single atom.
    pub fn atom(atom: Atom) -> Pred {
        Pred(PredKind::Atom(atom))
    }

    /// A constant.
    pub fn constant(value: bool) -> Pred {
        Pred(if value {
            PredKind::True
        } else {
            PredKind::False
        })
    }

    /// Conjunction: flattened, `True` dropped, `False` absorbing.
    pub fn and(items: impl IntoIterator<Item = Pred>) -> Pred {
        Pred::join(items, true)
    }

    /// Disjunction: flattened, `False` dropped, `True` absorbing.
    pub fn or(items: impl IntoIterator<Item = Pred>) -> Pred {
        Pred::join(items, false)
    }

    /// `and` (`conjunction`) or `or`: the identity constant is dropped, the other one
    /// absorbs, nested nodes of the same kind are flattened.
    fn join(items: impl IntoIterator<Item = Pred>, conjunction: bool) -> Pred {
        let mut out = Vec::new();
        for Pred(item) in items {
            match (item, conjunction) {
                (PredKind::True, true) | (PredKind::False, false) => {}
                (PredKind::False, true) | (PredKind::True, false) => {
                    return Pred::constant(!conjunction)
                }
                (PredKind::And(inner), true) | (PredKind::Or(inner), false) => out.extend(inner),
                (other, _) => out.push(Pred(other)),
            }
        }
        match out.len() {
            0 => Pred::constant(conjunction),
            1 => out.pop().unwrap_or_else(|| Pred::constant(conjunction)),
            _ if conjunction => Pred(PredKind::And(out)),
            _ => Pred(PredKind::Or(out)),
        }
    }

    /// Negation, pushed down to the atoms (De Morgan), double negation removed.
    #[allow(clippy::should_implement_trait)]
    pub fn not(pred: Pred) -> Pred {
        match pred.0 {
            PredKind::True => Pred::constant(false),
            PredKind::False => Pred::constant(true),
            PredKind::Atom(a) => Pred(PredKind::Not(a)),
            PredKind::Not(a) => Pred(PredKind::Atom(a)),
            PredKind::And(items) => Pred::or(items.into_iter().map(Pred::not)),
            PredKind::Or(items) => Pred::and(items.into_iter().map(Pred::not)),
        }
    }

    /// What the predicate is.
    pub fn kind(&self) -> &PredKind {
        &self.0
    }

    /// Every atom of the predicate, in order, with whether it is negated.
    pub fn atoms(&self) -> Vec<(&Atom, bool)> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(p) = stack.pop() {
            match &p.0 {
                PredKind::True | PredKind::False => {}
                PredKind::And(items) | PredKind::Or(items) => stack.extend(items.iter().rev()),
                PredKind::Atom(a) => out.push((a, false)),
                PredKind::Not(a) => out.push((a, true)),
            }
        }
        out
    }
}

/// A test on one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    /// What is tested.
    pub kind: AtomKind,
    /// The SPL it came from.
    pub span: Span,
}

impl Atom {
    /// An atom.
    pub fn new(kind: AtomKind, span: Span) -> Atom {
        Atom { kind, span }
    }
}

/// The kinds of [`Atom`].
#[derive(Clone, Debug, PartialEq)]
pub enum AtomKind {
    /// A bare keyword in `_raw`: token-aligned, ignoring case, `*` wildcards.
    Term(String),
    /// A quoted phrase in `_raw`: token-aligned, ignoring case, `*` wildcards.
    Phrase(String),
    /// `TERM(x)`: one whole segment between major breakers, ignoring case.
    TermExact(String),
    /// `CASE(x)`: token-aligned, case-sensitive.
    CaseTerm(String),
    /// `field op value` (value: wildcards, CIDR, numeric or lexicographic order).
    Compare {
        /// The field name (case-sensitive).
        field: String,
        /// The operator.
        op: CmpOp,
        /// The literal right-hand side.
        value: String,
    },
    /// `field IN (values...)`: any value equals any listed value (wildcards, CIDR).
    In {
        /// The field name.
        field: String,
        /// The listed values.
        values: Vec<String>,
    },
}

impl AtomKind {
    /// The text searched in `_raw`, for the atoms that search it.
    pub fn raw_text(&self) -> Option<&str> {
        match self {
            AtomKind::Term(t)
            | AtomKind::Phrase(t)
            | AtomKind::TermExact(t)
            | AtomKind::CaseTerm(t) => Some(t),
            AtomKind::Compare { .. } | AtomKind::In { .. } => None,
        }
    }

    /// The field tested, for the atoms that test one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AtomKind::Compare { field, .. } | AtomKind::In { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(t: &str) -> Pred {
        Pred::atom(Atom::new(AtomKind::Term(t.into()), Span::default()))
    }

    #[test]
    fn constructors_keep_negation_normal_form() {
        let (a, b, c) = (term("a"), term("b"), term("c"));
        let p = Pred::and([a.clone(), Pred::and([b.clone(), c.clone()])]);
        assert!(matches!(p.kind(), PredKind::And(items) if items.len() == 3));
        assert_eq!(Pred::and([a.clone(), Pred::constant(true)]), a);
        assert_eq!(
            Pred::and([a.clone(), Pred::constant(false)]),
            Pred::constant(false)
        );
        assert_eq!(
            Pred::or([a.clone(), Pred::constant(true)]),
            Pred::constant(true)
        );
        assert_eq!(Pred::or(Vec::new()), Pred::constant(false));
        assert_eq!(Pred::and(Vec::new()), Pred::constant(true));
        // NOT (a AND (b OR NOT c)) = NOT a OR (NOT b AND c)
        let p = Pred::not(Pred::and([
            a.clone(),
            Pred::or([b.clone(), Pred::not(c.clone())]),
        ]));
        let PredKind::Or(items) = p.kind() else {
            panic!("{p:?}")
        };
        assert!(matches!(items[0].kind(), PredKind::Not(_)));
        let PredKind::And(inner) = items[1].kind() else {
            panic!("{p:?}")
        };
        assert!(matches!(inner[0].kind(), PredKind::Not(_)));
        assert_eq!(inner[1], c);
        assert_eq!(Pred::not(Pred::not(a.clone())), a);
    }

    #[test]
    fn atoms_in_order_with_polarity() {
        let p = Pred::and([term("a"), Pred::or([Pred::not(term("b")), term("c")])]);
        let atoms: Vec<_> = p
            .atoms()
            .into_iter()
            .map(|(a, neg)| (a.kind.raw_text().unwrap_or(""), neg))
            .collect();
        assert_eq!(atoms, [("a", false), ("b", true), ("c", false)]);
    }
}
