//! What an event must have for a rule to possibly match: the *witness* a pack-wide index
//! looks for before it runs the rule at all.
//!
//! A [`Witness`] is a list of [`Need`]s of which every matching event satisfies at least one
//! (a necessary condition, never a sufficient one). It comes from one clause of the rule's
//! filter that every match must satisfy — a conjunct of the top-level `AND`, or the whole
//! filter — and is chosen, among the clauses that give one, as the most selective by a
//! static score ([`Witness::score`], a logarithm of how few events a clause lets through,
//! from how rare the bytes of its texts are in logs and how many alternatives it has).
//! The next most selective clauses, when they score high enough, come with it
//! ([`Witness::also`]): every match satisfies them too, so the index asks for all of them
//! (a rule on `EventID=4688 Company="Microsoft Corporation" Image="*\\csi.exe"` waits
//! for the company name, the image and the event id, not only for the rarest of the three).
//! Atoms give needs this way, by the search command's rules (`docs/semantics.md`, "Search
//! command"):
//!
//! | atom | need |
//! |---|---|
//! | `f=v`, `f IN (.., v, ..)` with `v` plain text | a value of `f` equals `v`, ignoring ASCII case |
//! | `f=*a*b*` (wildcards) | a value of `f` contains the longest piece (`a` or `b`), ignoring case |
//! | `f=*`, `f=10.0.0.0/8` (CIDR), `f!=v`, `f<v`, ... | `f` is present |
//! | a term, phrase, `TERM(x)`, `CASE(x)` | `_raw` contains its longest piece, ignoring case |
//! | `NOT ...` | nothing (a negation holds when the field is missing) |
//!
//! An `OR` gives the needs of all its items (each must give at least one); an `AND` inside
//! an `OR` gives the needs of its best item.

use crate::expr::{Expr, ExprKind};
use crate::func::Func;
use crate::op::CmpOp;
use crate::prefilter::rarity_up_to;
use crate::program::{Atom, AtomKind, Pred, PredKind};
use crate::stage::Stage;

/// One thing an event may have; see the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// `_raw` contains the text, ignoring ASCII case (the text is lowercase).
    Raw(String),
    /// A value of the field equals the text, ignoring ASCII case (the text is lowercase).
    Equals {
        /// The field (case-sensitive).
        field: String,
        /// The value, lowercase.
        value: String,
    },
    /// A value of the field contains the text, ignoring ASCII case (the text is lowercase,
    /// never empty).
    Contains {
        /// The field (case-sensitive).
        field: String,
        /// The text, lowercase.
        text: String,
    },
    /// The field is present.
    Present(String),
}

impl Need {
    /// How much the need narrows the events down, higher is narrower: the rarity of its
    /// text (its bytes' rarities summed, as the prefilter scores literals, up to
    /// [`Need::RARITY_CAP`]), a whole-value equality more than a substring, a field's mere
    /// presence least. The score reads as a logarithm: one more unit, about half as many
    /// events.
    pub fn score(&self) -> u32 {
        let rarity = |text: &str| rarity_up_to(text, Need::RARITY_CAP);
        match self {
            Need::Equals { value, .. } => 8 + rarity(value),
            Need::Contains { text, .. } => 4 + rarity(text),
            Need::Raw(text) => rarity(text),
            Need::Present(_) => 1,
        }
    }

    /// The highest rarity a text scores: past it, a longer text is not taken to be rarer.
    pub const RARITY_CAP: u32 = 64;
}

/// Needs of which every matching event satisfies at least one, and, optionally, further
/// such lists that every matching event satisfies too.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Witness {
    /// The alternatives (at least one) of the most selective clause.
    pub needs: Vec<Need>,
    /// Other clauses that every match satisfies as well, each a list of alternatives (at
    /// least one), the more selective first: at most [`Witness::MAX_ALSO`] of them, each
    /// scoring at least [`Witness::ALSO_FROM`] (a clause that most events pass would cost
    /// the index more than the rule runs it saves). An event is a candidate when it
    /// satisfies `needs` and each of these.
    pub also: Vec<Vec<Need>>,
}

impl Witness {
    /// How many clauses a witness holds besides its first.
    pub const MAX_ALSO: usize = 3;

    /// The least score ([`Witness::score`]) of a clause in [`Witness::also`]: 16 units,
    /// which an equality reaches with a text of rarity 8 (`4688`), a substring with one
    /// of rarity 12 (`\\cmd.`); see [`Need::score`].
    pub const ALSO_FROM: u64 = 16 * 1024;

    /// A witness with one clause.
    pub fn new(needs: Vec<Need>) -> Witness {
        Witness {
            needs,
            also: Vec::new(),
        }
    }

    /// The witness of a filter predicate: its most selective clause that gives one, then
    /// the next most selective ones worth checking; `None` when no clause gives one (the
    /// rule must then see every event).
    pub fn of(pred: &Pred) -> Option<Witness> {
        Witness::of_clauses(clauses(pred, &atom_needs))
    }

    /// The witness made of the best of these clauses (each one that every match
    /// satisfies).
    fn of_clauses(found: Vec<Vec<Need>>) -> Option<Witness> {
        // A clause found twice (the filter's and a later `| search`'s) counts once.
        let mut clauses: Vec<Vec<Need>> = Vec::with_capacity(found.len());
        for clause in found {
            if !clauses.contains(&clause) {
                clauses.push(clause);
            }
        }
        // Stable: of equally selective clauses, the first found comes first.
        clauses.sort_by_key(|c| std::cmp::Reverse(clause_score(c)));
        let mut clauses = clauses.into_iter();
        let needs = clauses.next()?;
        let also = clauses
            .filter(|c| clause_score(c) >= Witness::ALSO_FROM)
            .take(Witness::MAX_ALSO)
            .collect();
        Some(Witness { needs, also })
    }

    /// The witness of a whole program: the best of its filter's and of those that the
    /// commands right after it give.
    ///
    /// A rule first runs commands that work on one row at a time and keep no state
    /// (`eval`, `rex`, `regex`, `where`, `| search`); an event that one of them drops gives
    /// no row and changes nothing, so what a `| search` or a `| regex field=...` among them
    /// needs is needed too. An atom on a field those commands write gives a need only
    /// through what the field is known to come from: a `rex` group has a value only when
    /// the source field is present, and `eval c=if(isnotnull(group), "true", "false")`
    /// makes `c="true"` need what `group` needs (the shape rules converted from Sigma take).
    pub fn of_program(filter: &Pred, stages: &[Stage]) -> Option<Witness> {
        let mut found = clauses(filter, &atom_needs);
        let mut flow = Flow::default();
        for stage in stages {
            match stage {
                // `{field}=...` may write any field: what comes after is not looked at.
                Stage::Eval(assigns) if assigns.iter().any(|a| a.dynamic) => break,
                Stage::Eval(assigns) => {
                    assigns.iter().for_each(|a| flow.assign(&a.field, &a.value));
                }
                Stage::Rex(r) => {
                    // A group has a value only when the regex matched the source field.
                    let source = match (flow.written(&r.field), literal_needs(&r.field, &r.regex)) {
                        (false, Some(needs)) => Some(needs),
                        _ => flow.any_value(&r.field),
                    };
                    for group in &r.regex.names {
                        flow.write(group, None, source.clone());
                    }
                }
                Stage::Sed(s) => flow.write(&s.field, None, None),
                Stage::Where(_) => {}
                Stage::Regex(r) => {
                    if !r.negated && !flow.written(&r.field) {
                        found.push(
                            literal_needs(&r.field, &r.regex)
                                .unwrap_or_else(|| vec![Need::Present(r.field.clone())]),
                        );
                    }
                }
                Stage::Search(pred) => found.extend(clauses(pred, &|atom| flow.needs(atom))),
                _ => break,
            }
        }
        Witness::of_clauses(found)
    }

    /// The score of the first clause ([`Witness::needs`]); see [`clause_score`].
    pub fn score(&self) -> u64 {
        clause_score(&self.needs)
    }
}

/// A clause's score, higher is narrower: as a logarithm of how few events pass it, its
/// weakest need's score less the logarithm of how many alternatives it has (each doubling
/// of the alternatives about doubles the events that pass), in 1/1024 units.
fn clause_score(needs: &[Need]) -> u64 {
    let weakest = needs.iter().map(Need::score).min().unwrap_or(0);
    let count = needs.len().max(1) as f64;
    let score = (f64::from(weakest) - count.log2()) * 1024.0;
    // Scores below zero (very many weak alternatives) are all as bad as each other.
    score.max(0.0) as u64
}

/// The needs of each clause of `pred` (a conjunct of its top-level `AND`, or the whole)
/// that gives some, in order.
fn clauses(pred: &Pred, needs: &dyn Fn(&Atom) -> Option<Vec<Need>>) -> Vec<Vec<Need>> {
    let items: Vec<&Pred> = match pred.kind() {
        PredKind::And(items) => items.iter().collect(),
        _ => vec![pred],
    };
    items
        .into_iter()
        .filter_map(|c| clause_needs(c, needs))
        .collect()
}

/// What the fields the commands after the first search write are known to come from.
#[derive(Default)]
struct Flow {
    /// Per written field: the needs of any value of it (`None` in the value slot), or of
    /// one value (lowercase), when they are known (`None` in the needs slot: nothing known).
    written: Vec<(String, Option<String>, Option<Vec<Need>>)>,
}

impl Flow {
    fn written(&self, field: &str) -> bool {
        self.written.iter().any(|(f, _, _)| f == field)
    }

    /// `field` is written anew: forget what was known of it, then know `need` (for `value`).
    fn write(&mut self, field: &str, value: Option<String>, need: Option<Vec<Need>>) {
        self.written.retain(|(f, _, _)| f != field);
        self.written.push((field.to_owned(), value, need));
    }

    /// `eval field = value`.
    fn assign(&mut self, field: &str, value: &Expr) {
        // `if(isnotnull(g), "a", "b")`: the value is `a` only when `g` has a value.
        if let ExprKind::Call {
            func: Func::If,
            args,
            ..
        } = &value.kind
        {
            if let [cond, then, otherwise] = args.as_slice() {
                if let (
                    ExprKind::Call {
                        func: Func::IsNotNull,
                        args: tested,
                        ..
                    },
                    ExprKind::Str(a),
                    ExprKind::Str(b),
                ) = (&cond.kind, &then.kind, &otherwise.kind)
                {
                    if let [Expr {
                        kind: ExprKind::Field(g),
                        ..
                    }] = tested.as_slice()
                    {
                        if !a.eq_ignore_ascii_case(b) {
                            let need = self.any_value(g);
                            self.write(field, Some(a.to_ascii_lowercase()), need);
                            return;
                        }
                    }
                }
            }
        }
        self.write(field, None, None);
    }

    /// What any value of `field` needs, when known (a field not written needs itself).
    fn any_value(&self, field: &str) -> Option<Vec<Need>> {
        match self.written.iter().find(|(f, _, _)| f == field) {
            None => Some(vec![Need::Present(field.to_owned())]),
            Some((_, None, need)) => need.clone(),
            Some((_, Some(_), _)) => None,
        }
    }

    /// The needs of a `| search` atom after the commands seen so far.
    fn needs(&self, atom: &Atom) -> Option<Vec<Need>> {
        let field = atom.kind.field().unwrap_or("_raw");
        let Some((_, value, need)) = self.written.iter().find(|(f, _, _)| f == field) else {
            return atom_needs(atom);
        };
        let need = need.clone()?;
        match (&atom.kind, value) {
            (
                AtomKind::Compare {
                    op: CmpOp::Eq,
                    value: v,
                    ..
                },
                Some(known),
            ) if v.eq_ignore_ascii_case(known) => Some(need),
            (
                AtomKind::Compare {
                    op: CmpOp::Eq,
                    value: v,
                    ..
                },
                None,
            ) if !v.is_empty() => Some(need),
            _ => None,
        }
    }
}

/// The needs one clause gives, when every match of it satisfies one of them.
fn clause_needs(pred: &Pred, atom: &dyn Fn(&Atom) -> Option<Vec<Need>>) -> Option<Vec<Need>> {
    match pred.kind() {
        PredKind::True | PredKind::False | PredKind::Not(_) => None,
        PredKind::Atom(a) => atom(a),
        PredKind::Or(items) => {
            let mut needs = Vec::new();
            for item in items {
                needs.extend(clause_needs(item, atom)?);
            }
            needs.sort();
            needs.dedup();
            Some(needs)
        }
        PredKind::And(items) => items
            .iter()
            .filter_map(|item| clause_needs(item, atom))
            .max_by_key(|needs| clause_score(needs)),
    }
}

fn atom_needs(atom: &Atom) -> Option<Vec<Need>> {
    if let Some(text) = atom.kind.raw_text() {
        return longest_piece(text).map(|t| vec![Need::Raw(t)]);
    }
    let value_need = |field: &str, value: &str| -> Need {
        let present = Need::Present(field.to_owned());
        if value.contains('*') {
            return match longest_piece(value) {
                Some(text) => Need::Contains {
                    field: field.to_owned(),
                    text,
                },
                None => present,
            };
        }
        // A literal with `/` may be a CIDR network, which matches addresses, not text.
        if value.contains('/') {
            return present;
        }
        Need::Equals {
            field: field.to_owned(),
            value: value.to_ascii_lowercase(),
        }
    };
    match &atom.kind {
        AtomKind::Compare {
            field,
            op: CmpOp::Eq,
            value,
        } => Some(vec![value_need(field, value)]),
        AtomKind::Compare { field, .. } => Some(vec![Need::Present(field.clone())]),
        AtomKind::In { field, values } => {
            if values.is_empty() {
                // An empty list matches nothing; any need is necessary.
                return Some(vec![Need::Present(field.clone())]);
            }
            let mut needs: Vec<Need> = values.iter().map(|v| value_need(field, v)).collect();
            needs.sort();
            needs.dedup();
            Some(needs)
        }
        _ => None,
    }
}

/// What a match of `regex` against `field` needs: that the field holds one of the texts
/// every match holds (`RegexLit::literals`), when they are known.
fn literal_needs(field: &str, regex: &crate::RegexLit) -> Option<Vec<Need>> {
    let mut needs: Vec<Need> = regex
        .literals
        .as_ref()?
        .iter()
        .map(|l| {
            let text = l.to_ascii_lowercase();
            if field == "_raw" {
                Need::Raw(text)
            } else {
                Need::Contains {
                    field: field.to_owned(),
                    text,
                }
            }
        })
        .collect();
    needs.sort();
    needs.dedup();
    (!needs.is_empty()).then_some(needs)
}

/// The longest run of `text` between `*` wildcards, lowercased; `None` when there is none.
fn longest_piece(text: &str) -> Option<String> {
    text.split('*')
        .max_by_key(|piece| piece.len())
        .filter(|piece| !piece.is_empty())
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn atom(kind: AtomKind) -> Pred {
        Pred::atom(Atom::new(kind, Span::default()))
    }

    fn cmp(field: &str, op: CmpOp, value: &str) -> Pred {
        atom(AtomKind::Compare {
            field: field.into(),
            op,
            value: value.into(),
        })
    }

    fn eq(field: &str, value: &str) -> Need {
        Need::Equals {
            field: field.into(),
            value: value.into(),
        }
    }

    #[test]
    fn the_most_selective_conjunct_is_the_witness() {
        // EventID=1 Image="*\\cmd.exe" CommandLine="*whoami*": the rarest text wins.
        let p = Pred::and([
            cmp("EventID", CmpOp::Eq, "1"),
            cmp("Image", CmpOp::Eq, "*\\cmd.exe"),
            cmp("CommandLine", CmpOp::Eq, "*WhoAmI*"),
        ]);
        let w = Witness::of(&p).expect("a witness");
        assert_eq!(
            w.needs,
            [Need::Contains {
                field: "Image".into(),
                text: "\\cmd.exe".into()
            }]
        );
    }

    #[test]
    fn the_next_selective_clauses_come_along_weak_ones_do_not() {
        // Four selective clauses and two weak ones (a one-digit value, a presence).
        let p = Pred::and([
            cmp("EventID", CmpOp::Eq, "1"),
            cmp("Company", CmpOp::Eq, "Microsoft Corporation"),
            cmp("Image", CmpOp::Eq, "*\\csi.exe"),
            cmp("User", CmpOp::Ne, "x"),
            cmp("Product", CmpOp::Eq, "Visual C# Compiler"),
            cmp("CommandLine", CmpOp::Eq, "*-install-module*"),
        ]);
        let w = Witness::of(&p).expect("a witness");
        let scores: Vec<u64> = std::iter::once(&w.needs)
            .chain(&w.also)
            .map(|c| clause_score(c))
            .collect();
        assert!(scores.windows(2).all(|s| s[0] >= s[1]), "{scores:?}");
        assert_eq!(w.also.len(), Witness::MAX_ALSO);
        let all: Vec<&Need> = std::iter::once(&w.needs).chain(&w.also).flatten().collect();
        assert!(!all.contains(&&eq("EventID", "1")), "{w:?}");
        assert!(!all.contains(&&Need::Present("User".into())), "{w:?}");
        assert!(
            all.contains(&&eq("Company", "microsoft corporation")),
            "{w:?}"
        );
        // With only weak clauses besides the best, the witness has one clause.
        let p = Pred::and([
            cmp("EventID", CmpOp::Eq, "1"),
            cmp("CommandLine", CmpOp::Eq, "*mimikatz*"),
        ]);
        let w = Witness::of(&p).expect("a witness");
        assert_eq!(
            (w.needs, w.also),
            (
                vec![Need::Contains {
                    field: "CommandLine".into(),
                    text: "mimikatz".into()
                }],
                vec![]
            )
        );
    }

    #[test]
    fn a_clause_found_twice_takes_one_place() {
        // Two equally selective clauses, the first found again by a later `| search`.
        let a = cmp("pack_a", CmpOp::Eq, "zqzq");
        let b = cmp("pack_b", CmpOp::Eq, "zqzq");
        let w = Witness::of_program(&Pred::and([a.clone(), b]), &[Stage::Search(a)])
            .expect("a witness");
        assert_eq!(w.needs, [eq("pack_a", "zqzq")]);
        assert_eq!(w.also, [vec![eq("pack_b", "zqzq")]]);
    }

    #[test]
    fn more_alternatives_score_lower_by_their_logarithm() {
        let c = |t: &str| Need::Contains {
            field: "f".into(),
            text: t.into(),
        };
        // Two rare alternatives beat one common text; a thousand do not beat one rare.
        assert!(clause_score(&[c("\\edrfreeze"), c("\\edr-freeze")]) > clause_score(&[c(".exe")]));
        let many: Vec<Need> = (0..1024).map(|i| c(&format!("zq{i}"))).collect();
        assert!(clause_score(&many) < clause_score(&[c("zqzq")]));
        assert_eq!(
            clause_score(&[
                Need::Present("f".into()),
                Need::Present("g".into()),
                Need::Present("h".into())
            ]),
            0
        );
    }

    #[test]
    fn alternatives_of_an_or_are_all_needs() {
        let p = Pred::or([
            cmp("Channel", CmpOp::Eq, "Security"),
            atom(AtomKind::In {
                field: "EventID".into(),
                values: vec!["4688".into(), "1".into(), "*".into()],
            }),
        ]);
        let w = Witness::of(&p).expect("a witness");
        assert_eq!(
            w.needs,
            [
                eq("Channel", "security"),
                eq("EventID", "1"),
                eq("EventID", "4688"),
                Need::Present("EventID".into()),
            ]
        );
    }

    #[test]
    fn negations_and_unconstrained_alternatives_give_none() {
        assert_eq!(Witness::of(&Pred::not(cmp("a", CmpOp::Eq, "1"))), None);
        assert_eq!(Witness::of(&Pred::constant(true)), None);
        let p = Pred::or([
            cmp("a", CmpOp::Eq, "1"),
            Pred::not(cmp("b", CmpOp::Eq, "2")),
        ]);
        assert_eq!(Witness::of(&p), None);
        // ...but another conjunct can still give one.
        let p = Pred::and([p, cmp("c", CmpOp::Gt, "5")]);
        assert_eq!(
            Witness::of(&p).map(|w| w.needs),
            Some(vec![Need::Present("c".into())])
        );
    }

    fn program(spl_stages: Vec<Stage>) -> Option<Vec<Need>> {
        Witness::of_program(&Pred::constant(true), &spl_stages).map(|w| w.needs)
    }

    fn rex(field: &str, group: &str) -> Stage {
        Stage::Rex(crate::RexStage::new(
            field,
            crate::RegexLit {
                source: String::new(),
                translated: String::new(),
                names: vec![group.into()],
                literals: None,
            },
            1,
        ))
    }

    fn condition(target: &str, group: &str) -> Stage {
        let e = |kind| Expr::new(kind, Span::default());
        let isnotnull = e(ExprKind::Call {
            func: Func::IsNotNull,
            args: vec![e(ExprKind::Field(group.into()))],
            regex: None,
        });
        let value = e(ExprKind::Call {
            func: Func::If,
            args: vec![
                isnotnull,
                e(ExprKind::Str("true".into())),
                e(ExprKind::Str("false".into())),
            ],
            regex: None,
        });
        Stage::Eval(vec![crate::Assignment::new(target, value)])
    }

    #[test]
    fn a_later_search_gives_needs_through_rex_and_eval() {
        // `| rex field=PipeName "(?<m>...)" | eval c=if(isnotnull(m), "true", "false")
        //  | search c="true" OR d=x`
        let search = Stage::Search(Pred::or([
            cmp("c", CmpOp::Eq, "TRUE"),
            cmp("d", CmpOp::Eq, "x"),
        ]));
        assert_eq!(
            program(vec![
                rex("PipeName", "m"),
                condition("c", "m"),
                search.clone()
            ]),
            Some(vec![eq("d", "x"), Need::Present("PipeName".into())])
        );
        // `c="false"` is the else branch: nothing is known of it.
        let search_false = Stage::Search(cmp("c", CmpOp::Eq, "false"));
        assert_eq!(
            program(vec![
                rex("PipeName", "m"),
                condition("c", "m"),
                search_false
            ]),
            None
        );
        // A field the first commands write without a known source gives nothing.
        let eval = Stage::Eval(vec![crate::Assignment::new(
            "d",
            Expr::new(ExprKind::Str("x".into()), Span::default()),
        )]);
        assert_eq!(program(vec![eval, search.clone()]), None);
        // A blocking command ends what the later stages can say.
        assert_eq!(program(vec![Stage::Head(1), search]), None);
        // `| regex f=...` needs `f`.
        let regex = Stage::Regex(crate::RegexStage::new(
            "Payload",
            false,
            crate::RegexLit {
                source: "x".into(),
                translated: "x".into(),
                names: vec![],
                literals: None,
            },
        ));
        assert_eq!(
            program(vec![regex]),
            Some(vec![Need::Present("Payload".into())])
        );
        // ...and, when every match holds one of a few texts, one of them.
        let regex = Stage::Regex(crate::RegexStage::new(
            "Payload",
            false,
            crate::RegexLit {
                source: "(?i)(Invoke|IEX)".into(),
                translated: "(?i)(Invoke|IEX)".into(),
                names: vec![],
                literals: Some(vec!["INVOKE".into(), "invoke".into(), "iex".into()]),
            },
        ));
        let contains = |t: &str| Need::Contains {
            field: "Payload".into(),
            text: t.into(),
        };
        assert_eq!(
            program(vec![regex]),
            Some(vec![contains("iex"), contains("invoke")])
        );
        // A negated `| regex` needs nothing.
        let negated = Stage::Regex(crate::RegexStage::new(
            "Payload",
            true,
            crate::RegexLit {
                source: "x".into(),
                translated: "x".into(),
                names: vec![],
                literals: Some(vec!["x".into()]),
            },
        ));
        assert_eq!(program(vec![negated]), None);
    }

    #[test]
    fn raw_atoms_cidr_and_wildcards() {
        let term = |t: &str| atom(AtomKind::TermExact(t.into()));
        assert_eq!(
            Witness::of(&term("Install")).map(|w| w.needs),
            Some(vec![Need::Raw("install".into())])
        );
        assert_eq!(
            Witness::of(&cmp("ip", CmpOp::Eq, "10.0.0.0/8")).map(|w| w.needs),
            Some(vec![Need::Present("ip".into())])
        );
        assert_eq!(
            Witness::of(&cmp("p", CmpOp::Eq, "**")).map(|w| w.needs),
            Some(vec![Need::Present("p".into())])
        );
        // An AND inside an OR gives its best item.
        let p = Pred::or([
            Pred::and([cmp("a", CmpOp::Eq, "x"), cmp("b", CmpOp::Eq, "*longer*")]),
            term("zz"),
        ]);
        let needs = Witness::of(&p).map(|w| w.needs).unwrap_or_default();
        assert_eq!(needs.len(), 2);
        assert!(needs.contains(&Need::Raw("zz".into())));
    }
}
