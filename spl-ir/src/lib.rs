//! The shared vocabulary of splc, and the IR of a lowered SPL query.
//!
//! Every concept that more than one part of splc needs is defined here, once: the parser
//! (`spl-grammar`) uses the operators and [`Span`]; the compiler (`spl-compiler`) builds the
//! IR; the runtime (`spl-runtime`, which generated code and the in-process evaluator both
//! run on) reads the IR's stages, the function and aggregation catalogs and the breaker
//! tables. The crate has no dependencies, so putting it under generated code costs nothing.
//!
//! - [`Span`]: a byte range into SPL text.
//! - Operators: [`CmpOp`] (the search command's comparisons), [`BinOp`] (eval's binary
//!   operators), [`StatsKind`] (`stats`, `eventstats`, `streamstats`).
//! - Catalogs: [`Func`] (every eval function, its arity and how its arguments reach the
//!   runtime; defined by [`for_each_function!`]) and [`AggFunc`] (the aggregations).
//! - [`breaker`]: Splunk's major and minor breakers, single-byte and URL-encoded.
//! - The IR: a [`Program`] is one filter predicate ([`Pred`], over [`Atom`]s, in negation
//!   normal form by construction) plus a list of [`Stage`]s, with a [`Prefilter`] derived
//!   from the filter. Stages are generic over how they hold code ([`Code`]): the compiler
//!   builds them with expression trees ([`Tree`]); the runtime builds them with compiled
//!   closures.
//!
//! ```
//! use spl_ir::{Atom, AtomKind, Pred, Program, Span};
//!
//! let term = |t: &str| Pred::atom(Atom::new(AtomKind::TermExact(t.into()), Span::default()));
//! let filter = Pred::and([term("install"), Pred::or([term("npm"), term("pip")])]);
//! let program = Program::new(filter, Vec::new());
//! // `install` is in every match: the prefilter checks it before anything else.
//! assert_eq!(program.prefilter().chosen(), Some(&["install".to_string()][..]));
//! ```

#![forbid(unsafe_code)]

pub mod breaker;

mod agg;
mod expr;
mod fieldcmd;
mod func;
mod op;
mod prefilter;
mod print;
mod program;
mod span;
mod stage;
mod witness;

pub use agg::AggFunc;
pub use expr::{Expr, ExprKind, RegexLit};
pub use fieldcmd::{
    AddtotalsStage, ConvertFunc, ConvertItem, ConvertStage, InputlookupStage, MakemvSplit,
    MakemvStage, ReplaceStage, SpathStage, TopStage, CONVERT_TIMEFORMAT,
};
pub use func::{Calling, Func, Returns};
pub use op::{BinOp, CmpOp, StatsKind};
pub use prefilter::{byte_rank, byte_rarity, literal_rarity, Prefilter, RARITY_CAP};
pub use program::{Atom, AtomKind, Pred, PredKind, Program};
pub use span::Span;
pub use stage::{subsearch_marker, Subsearch, SubsearchFilterStage};
pub use stage::{
    Agg, AggInput, Assignment, BinSpan, BinStage, Code, FieldPattern, IplocationStage,
    LookupColumn, LookupStage, RegexStage, RexStage, SedEdit, SedOccurrence, SedStage, SortKey,
    Stage, StatsStage, Tree,
};
pub use stage::{
    AppendStage, DatamodelCommand, DatamodelStage, ForeachPlaceholders, ForeachStage, JoinFields,
    JoinStage, TransactionStage, TxnFilter,
};
pub use witness::{Need, Witness};
