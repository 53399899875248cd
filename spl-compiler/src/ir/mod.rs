//! The intermediate representation: one filter predicate plus a list of stages.
//!
//! The IR is the contract between the front end and both back ends (generated Rust code
//! and the in-process evaluator). It is small and explicit:
//!
//! - [`Pred`] is the search predicate, a boolean tree over [`Atom`]s, kept in negation
//!   normal form by its constructors ([`Pred::and`], [`Pred::or`], [`Pred::not`]): nested
//!   `And`/`Or` are flattened, `NOT` is pushed down to atoms, constants are folded.
//! - [`Stage`]s are the commands after the first search, each with the fields it reads and
//!   writes already resolved to names.
//! - [`Program`] holds both, plus the [`Prefilter`]: the literals an event's `_raw` must
//!   contain for the predicate to be true, checked before any field is read.
//!
//! Every predicate atom and expression keeps the [`Span`] of the SPL it came from.
//! [`Program`] prints (its `Display`) as a stable text form used by snapshot
//! tests and `splc explain`.

mod expr;
mod prefilter;
mod print;

pub use expr::{AggFunc, BinOp, Expr, ExprKind, Func, RegexLit};
pub use prefilter::Prefilter;

use spl_grammar::Span;

/// A lowered query.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The predicate of the first (implicit) search.
    pub filter: Pred,
    /// What `_raw` must contain for `filter` to hold.
    pub prefilter: Prefilter,
    /// The commands after the first search, in order.
    pub stages: Vec<Stage>,
}

impl Program {
    /// A program from its filter and stages; the prefilter is derived from the filter.
    pub fn new(filter: Pred, stages: Vec<Stage>) -> Program {
        let prefilter = Prefilter::of(&filter);
        Program {
            filter,
            prefilter,
            stages,
        }
    }

    /// True when every stage answers each row at once (no stage holds rows until the end
    /// of the input), so that each output row comes from the event just given.
    pub fn is_streaming(&self) -> bool {
        self.stages.iter().all(|s| match s {
            Stage::Stats(st) => st.kind == StatsKind::Streamstats,
            Stage::Sort { .. } => false,
            Stage::Fillnull { fields, .. } => !fields.is_empty(),
            _ => true,
        })
    }

    /// True when the program ends with a transforming command (`stats`), so that its output
    /// rows are not events.
    pub fn is_transforming(&self) -> bool {
        self.stages
            .iter()
            .any(|s| matches!(s, Stage::Stats(st) if st.kind == StatsKind::Stats))
    }
}

/// A boolean predicate over an event, in negation normal form.
#[derive(Clone, Debug, PartialEq)]
pub enum Pred {
    /// Always true (an empty search).
    True,
    /// Always false.
    False,
    /// All hold; at least two items, none of them `And`, `True` or `False`.
    And(Vec<Pred>),
    /// Any holds; at least two items, none of them `Or`, `True` or `False`.
    Or(Vec<Pred>),
    /// The atom does not hold (negation sits on atoms only).
    Not(Atom),
    /// The atom holds.
    Atom(Atom),
}

impl Pred {
    /// A single atom.
    pub fn atom(atom: Atom) -> Pred {
        Pred::Atom(atom)
    }

    /// Conjunction, normalised: flattened, `True` dropped, `False` absorbing.
    pub fn and(items: impl IntoIterator<Item = Pred>) -> Pred {
        let mut out = Vec::new();
        for item in items {
            match item {
                Pred::True => {}
                Pred::False => return Pred::False,
                Pred::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Pred::True,
            1 => out.pop().expect("one item"),
            _ => Pred::And(out),
        }
    }

    /// Disjunction, normalised: flattened, `False` dropped, `True` absorbing.
    pub fn or(items: impl IntoIterator<Item = Pred>) -> Pred {
        let mut out = Vec::new();
        for item in items {
            match item {
                Pred::False => {}
                Pred::True => return Pred::True,
                Pred::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Pred::False,
            1 => out.pop().expect("one item"),
            _ => Pred::Or(out),
        }
    }

    /// Negation, pushed down to the atoms (De Morgan), double negation removed.
    #[allow(clippy::should_implement_trait)]
    pub fn not(pred: Pred) -> Pred {
        match pred {
            Pred::True => Pred::False,
            Pred::False => Pred::True,
            Pred::Atom(a) => Pred::Not(a),
            Pred::Not(a) => Pred::Atom(a),
            Pred::And(items) => Pred::or(items.into_iter().map(Pred::not)),
            Pred::Or(items) => Pred::and(items.into_iter().map(Pred::not)),
        }
    }

    /// Every atom of the predicate, in order.
    pub fn atoms(&self) -> Vec<&Atom> {
        let mut out = Vec::new();
        self.collect_atoms(&mut out);
        out
    }

    fn collect_atoms<'a>(&'a self, out: &mut Vec<&'a Atom>) {
        match self {
            Pred::True | Pred::False => {}
            Pred::And(items) | Pred::Or(items) => items.iter().for_each(|p| p.collect_atoms(out)),
            Pred::Not(a) | Pred::Atom(a) => out.push(a),
        }
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

/// The kinds of [`Atom`].
#[derive(Clone, Debug, PartialEq)]
pub enum AtomKind {
    /// A bare keyword in `_raw`: token-aligned, ignoring case, `*` wildcards.
    Term(String),
    /// A quoted phrase in `_raw`: token-aligned, ignoring case, `*` wildcards.
    Phrase(String),
    /// `TERM(x)`: bounded by major breakers, ignoring case.
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

/// Comparison operators of the search command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`: some value matches (ignoring case, wildcards, CIDR).
    Eq,
    /// `!=`: the field exists and no value matches.
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written in SPL.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A field-name pattern of `table`, `fields`, `rename`, `stats values(*)`: `*` matches any
/// run of characters; names are case-sensitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPattern(pub String);

impl FieldPattern {
    /// True when the pattern has a `*`.
    pub fn is_wildcard(&self) -> bool {
        self.0.contains('*')
    }
}

/// A command after the first search.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// `| search <expr>`: keep events for which the predicate holds.
    Search(Pred),
    /// `| where <expr>`: keep results for which the expression is true (null drops).
    Where(Expr),
    /// `| eval a=x, b=y`: assignments left to right; a null result removes the field.
    Eval(Vec<Assignment>),
    /// `| regex field=re` / `field!=re`.
    Regex(RegexStage),
    /// `| rex field=f "re"`: named groups become fields.
    Rex(RexStage),
    /// `| rex field=f mode=sed "s/re/repl/flags"`.
    Sed(SedStage),
    /// `| table f...`: keep only these, in this order.
    Table(Vec<FieldPattern>),
    /// `| fields [+|-] f...`.
    Fields {
        /// True for `fields -`.
        remove: bool,
        /// The patterns.
        patterns: Vec<FieldPattern>,
    },
    /// `| rename a AS b, ...`.
    Rename(Vec<(FieldPattern, FieldPattern)>),
    /// `| fillnull [value=v] [fields]`.
    Fillnull {
        /// The fill value.
        value: String,
        /// The fields; empty means every field seen in any result.
        fields: Vec<String>,
    },
    /// `| bin [span=..] field [AS new]`.
    Bin(BinStage),
    /// `| stats`, `| eventstats`, `| streamstats`.
    Stats(StatsStage),
    /// `| sort [N] [+|-]f, ...`.
    Sort {
        /// Row limit; `None` = no limit.
        limit: Option<u64>,
        /// (field, descending).
        keys: Vec<(String, bool)>,
    },
    /// `| dedup [N] f...`.
    Dedup {
        /// How many results per combination.
        count: u64,
        /// The fields.
        fields: Vec<String>,
    },
    /// `| head N`.
    Head(u64),
}

/// One `field = expr` of `eval`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The target field.
    pub field: String,
    /// The value.
    pub value: Expr,
}

/// `| regex`.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexStage {
    /// The tested field (`_raw` by default).
    pub field: String,
    /// True for `!=`: keep results that do not match (and results without the field).
    pub negated: bool,
    /// The pattern.
    pub regex: RegexLit,
}

/// `| rex` (extraction).
#[derive(Clone, Debug, PartialEq)]
pub struct RexStage {
    /// The source field (`_raw` by default).
    pub field: String,
    /// The pattern; its named groups are the extracted fields.
    pub regex: RegexLit,
    /// How many matches (1 by default; 0 = unlimited).
    pub max_match: u64,
}

/// `| rex mode=sed`.
#[derive(Clone, Debug, PartialEq)]
pub struct SedStage {
    /// The field edited in place (`_raw` by default).
    pub field: String,
    /// The edit.
    pub edit: SedEdit,
}

/// A sed expression of `rex mode=sed`.
#[derive(Clone, Debug, PartialEq)]
pub enum SedEdit {
    /// `s/re/replacement/flags`.
    Substitute {
        /// The pattern.
        regex: RegexLit,
        /// The replacement (`\1` back-references).
        replacement: String,
        /// `g` (all matches) or the 1-based occurrence to replace.
        occurrence: SedOccurrence,
    },
    /// `y/from/to/`: character transliteration.
    Transliterate {
        /// Source characters.
        from: Vec<char>,
        /// Target characters (same length).
        to: Vec<char>,
    },
}

/// Which matches `s///` replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SedOccurrence {
    /// `g`: every match.
    All,
    /// `N`: the Nth match (1-based); no flag means the first.
    Nth(u64),
    /// `Ng`: the Nth match and every later one.
    FromNth(u64),
}

/// `| bin`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinStage {
    /// The binned field (`_time` by default).
    pub field: String,
    /// The bin width.
    pub span: BinSpan,
    /// The output field (the same field unless `AS` is given).
    pub output: String,
}

/// The width of a bin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BinSpan {
    /// A span in seconds (sub-second allowed); time bins align to epoch 0 (UTC).
    Seconds(f64),
    /// Calendar months.
    Months(u32),
}

/// Which stats command.
pub use spl_grammar::ast::StatsKind;

/// `| stats`, `| eventstats`, `| streamstats`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsStage {
    /// Which command.
    pub kind: StatsKind,
    /// The aggregations.
    pub aggs: Vec<Agg>,
    /// The BY fields.
    pub by: Vec<String>,
    /// streamstats `window=` (0 = unlimited).
    pub window: u64,
    /// streamstats `current=` (default true).
    pub current: bool,
    /// streamstats `global=` (default true).
    pub global: bool,
}

/// One aggregation.
#[derive(Clone, Debug, PartialEq)]
pub struct Agg {
    /// The function.
    pub func: AggFunc,
    /// The input.
    pub input: AggInput,
    /// The output field name (a pattern when the input is a wildcard: `values(*) as *`).
    pub output: String,
}

/// The input of an aggregation.
#[derive(Clone, Debug, PartialEq)]
pub enum AggInput {
    /// No argument (`count`).
    None,
    /// A field.
    Field(String),
    /// A wildcard pattern applied to every matching field (`values(*) as *`).
    Pattern(FieldPattern),
    /// `eval(expr)`.
    Eval(Expr),
}
