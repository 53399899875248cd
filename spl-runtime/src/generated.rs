//! What generated rule code uses, in one place (`use ::spl_runtime::generated::*;`).
//!
//! Code that `spl_compiler::Builder` and `detect!` generate imports this module inside its
//! functions, so that it can name runtime items briefly. It is public for that code only;
//! its content follows the code generator and is not a stable API.

pub use std::borrow::Cow;

pub use crate::compare::FieldMatcher;
pub use crate::eval::{self, func, EvalValue, LikePattern};
pub use crate::event::{Event, Record};
pub use crate::field::FieldId;
pub use crate::ir::{
    AddtotalsStage, ConvertFunc, ConvertItem, ConvertStage, InputlookupStage, MakemvSplit,
    MakemvStage, ReplaceStage, SpathStage, TopStage,
};
pub use crate::ir::{
    Agg, AggFunc, AggInput, Assignment, BinSpan, BinStage, CmpOp, FieldPattern, IplocationStage,
    LookupColumn, LookupStage, Need, RegexStage, RexStage, SedEdit, SedOccurrence, SedStage,
    SortKey, Stage, StatsKind, StatsStage, Witness,
};
pub use crate::ir::{
    AppendStage, DatamodelCommand, DatamodelStage, ForeachPlaceholders, ForeachStage, JoinFields,
    JoinStage, Subsearch, SubsearchFilterStage, TransactionStage, TxnFilter,
};
pub use crate::pipeline::{CondFn, ExprFn, Pipeline};
pub use crate::prefilter::Prefilter;
pub use crate::regex::{Regex, Replacement};
pub use crate::rule::{Rule, RuleInfo};
pub use crate::search::{CaseTerm, Term, TermExact};
pub use crate::value::Value;

/// A constructor of one rule of a generated pack, within the budget of the options.
pub type NewRule = fn(&crate::pipeline::RunOptions) -> Box<dyn Rule>;

/// A field of a row as an eval value: `row.value(field)`.
pub trait RowValue {
    /// The field's value, borrowed; null when absent.
    fn value(&self, field: FieldId) -> EvalValue<'_>;
}

impl<E: Event + ?Sized> RowValue for E {
    #[inline]
    fn value(&self, field: FieldId) -> EvalValue<'_> {
        EvalValue::from_value(self.get(field))
    }
}

/// Field patterns from their text.
pub fn patterns(texts: &[&str]) -> Vec<FieldPattern> {
    texts.iter().map(|t| FieldPattern::new(*t)).collect()
}

/// Owned strings.
pub fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| (*t).to_owned()).collect()
}

/// The time the search started (when the rule was built), in epoch seconds: what `now()`
/// returns.
pub fn search_start() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
