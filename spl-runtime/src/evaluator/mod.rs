//! The in-process evaluator: rules loaded at run time, no rustc (feature `evaluator`).
//!
//! [`EvalRule`] runs a lowered program ([`spl_compiler::ir::Program`]) directly: the filter
//! predicate becomes a tree of the same matchers generated code uses, and the stages are
//! the same [`pipeline`] stages, with `eval`/`where` expressions
//! interpreted. Generated code and the evaluator must give the same rows; the workspace
//! tests check that.
//!
//! ```
//! use spl_runtime::evaluator::EvalRule;
//! use spl_runtime::rule::{run, Rule};
//! use spl_runtime::Record;
//!
//! let mut rule = EvalRule::from_spl("TERM(install) | table host", &Default::default())?;
//! let mut e = Record::new();
//! e.set_raw("pip install x");
//! e.set_named("host", "h1");
//! let rows = run(&mut rule, [&e]);
//! assert_eq!(rows.len(), 1);
//! # Ok::<(), spl_compiler::CompileErrors>(())
//! ```

mod expr;

use std::borrow::Cow;
use std::path::Path;

use spl_compiler::ir::{
    AggFunc as IrAgg, AggInput as IrAggInput, Atom, AtomKind, BinSpan, CmpOp, Pred, Program,
    SedEdit, SedOccurrence, Stage as IrStage, StatsKind,
};
use spl_compiler::{compile_file, compile_rule, CompileErrors, CompiledRule};
use spl_grammar::{MacroTable, Rule as RuleFile};

use crate::compare::{CompareOp, FieldMatcher};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::pipeline::{self, Pipeline};
use crate::prefilter::Prefilter;
use crate::regex::{Occurrence, Regex, Replacement, Sed, SedSyntax};
use crate::rule::{Rule, RuleInfo};
use crate::search::{CaseTerm, Term, TermExact};
use crate::stats::AggFunc;

use self::expr::CExpr;

/// A rule compiled at run time.
pub struct EvalRule {
    info: RuleInfo,
    prefilter: Prefilter,
    pred: Node,
    pipeline: Pipeline,
    transforming: bool,
}

impl std::fmt::Debug for EvalRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvalRule")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// The filter predicate, with its matchers built.
enum Node {
    True,
    False,
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Term(Term),
    TermExact(TermExact),
    Case(CaseTerm),
    Field(FieldId, FieldMatcher),
}

impl Node {
    fn build(pred: &Pred) -> Node {
        match pred {
            Pred::True => Node::True,
            Pred::False => Node::False,
            Pred::And(items) => Node::And(items.iter().map(Node::build).collect()),
            Pred::Or(items) => Node::Or(items.iter().map(Node::build).collect()),
            Pred::Atom(a) => Node::atom(a),
            Pred::Not(a) => Node::Not(Box::new(Node::atom(a))),
        }
    }

    fn atom(atom: &Atom) -> Node {
        match &atom.kind {
            AtomKind::Term(t) | AtomKind::Phrase(t) => Node::Term(Term::new(t)),
            AtomKind::TermExact(t) => Node::TermExact(TermExact::new(t)),
            AtomKind::CaseTerm(t) => Node::Case(CaseTerm::new(t)),
            AtomKind::Compare { field, op, value } => Node::Field(
                FieldId::intern(field),
                FieldMatcher::new(compare_op(*op), value),
            ),
            AtomKind::In { field, values } => Node::Field(
                FieldId::intern(field),
                FieldMatcher::in_list(values.iter().map(String::as_str)),
            ),
        }
    }

    fn test(&self, event: &(impl Event + ?Sized), raw: &str) -> bool {
        match self {
            Node::True => true,
            Node::False => false,
            Node::And(items) => items.iter().all(|n| n.test(event, raw)),
            Node::Or(items) => items.iter().any(|n| n.test(event, raw)),
            Node::Not(n) => !n.test(event, raw),
            Node::Term(m) => m.is_match(raw),
            Node::TermExact(m) => m.is_match(raw),
            Node::Case(m) => m.is_match(raw),
            Node::Field(f, m) => m.matches(event.get(*f)),
        }
    }
}

fn compare_op(op: CmpOp) -> CompareOp {
    match op {
        CmpOp::Eq => CompareOp::Eq,
        CmpOp::Ne => CompareOp::Ne,
        CmpOp::Lt => CompareOp::Lt,
        CmpOp::Le => CompareOp::Le,
        CmpOp::Gt => CompareOp::Gt,
        CmpOp::Ge => CompareOp::Ge,
    }
}

/// A regex the compiler already translated and checked; failing here is a bug in one of
/// the two, reported as a rule that matches nothing rather than a panic.
fn checked_regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|_| {
        Regex::new("[^\\s\\S]").unwrap_or_else(|e| unreachable!("the empty class compiles: {e}"))
    })
}

impl EvalRule {
    /// Build a runnable rule from a lowered program.
    pub fn new(info: RuleInfo, program: &Program) -> EvalRule {
        let mut p = Pipeline::new();
        for stage in &program.stages {
            p.push_stage(build_stage(stage));
        }
        EvalRule {
            info,
            prefilter: Prefilter::new(&program.prefilter.clauses),
            pred: Node::build(&program.filter),
            pipeline: p,
            transforming: program.is_transforming(),
        }
    }

    /// From a rule the compiler accepted.
    pub fn from_compiled(compiled: &CompiledRule) -> EvalRule {
        let rule = &compiled.rule;
        let name = rule
            .path
            .as_deref()
            .and_then(Path::file_stem)
            .map_or_else(|| rule.id.clone(), |s| s.to_string_lossy().into_owned());
        let info = RuleInfo {
            name: Cow::Owned(name),
            id: Cow::Owned(rule.id.clone()),
            title: Cow::Owned(rule.title.clone()),
            technique_ids: Cow::Owned(rule.technique_id.iter().cloned().map(Cow::Owned).collect()),
            spl: Cow::Owned(rule.logic.clone()),
        };
        EvalRule::new(info, &compiled.program)
    }

    /// Compile SPL text.
    pub fn from_spl(spl: &str, macros: &MacroTable) -> Result<EvalRule, CompileErrors> {
        let compiled = compile_rule(RuleFile::from_spl_str(spl, "<spl>"), macros)?;
        Ok(EvalRule::from_compiled(&compiled))
    }

    /// Load and compile a rule file.
    pub fn from_file(
        path: impl AsRef<Path>,
        macros: &MacroTable,
    ) -> Result<EvalRule, CompileErrors> {
        Ok(EvalRule::from_compiled(&compile_file(path, macros)?))
    }

    /// True when the event passes the rule's search (the same as [`Rule::matches`], for
    /// any event type).
    pub fn matches_event(&self, event: &(impl Event + ?Sized)) -> bool {
        let raw = event.raw();
        self.prefilter.admits(raw) && self.pred.test(event, raw)
    }
}

impl Rule for EvalRule {
    fn info(&self) -> RuleInfo {
        self.info.clone()
    }

    fn matches(&self, event: &dyn Event) -> bool {
        self.matches_event(event)
    }

    fn process(&mut self, row: Record, out: &mut Vec<Record>) {
        self.pipeline.push(row, out);
    }

    fn finish(&mut self, out: &mut Vec<Record>) {
        self.pipeline.finish(out);
    }

    fn is_transforming(&self) -> bool {
        self.transforming
    }
}

fn eval_fn(e: &spl_compiler::ir::Expr) -> pipeline::EvalFn {
    let e = CExpr::build(e);
    Box::new(move |row: &Record| e.eval(row, None).into_value())
}

fn build_stage(stage: &IrStage) -> Box<dyn pipeline::Stage> {
    match stage {
        IrStage::Search(pred) => {
            let node = Node::build(pred);
            Box::new(pipeline::Filter::new(move |row: &Record| {
                node.test(row, row.raw())
            }))
        }
        IrStage::Where(e) => {
            let e = CExpr::build(e);
            Box::new(pipeline::Filter::new(move |row: &Record| {
                e.eval(row, None).is_true()
            }))
        }
        IrStage::Eval(assigns) => Box::new(pipeline::Eval::new(
            assigns
                .iter()
                .map(|a| (FieldId::intern(&a.field), eval_fn(&a.value)))
                .collect(),
        )),
        IrStage::Regex(r) => Box::new(pipeline::RegexFilter::new(
            &r.field,
            checked_regex(&r.regex.translated),
            r.negated,
        )),
        IrStage::Rex(r) => Box::new(pipeline::Rex::new(
            &r.field,
            checked_regex(&r.regex.translated),
            r.max_match,
        )),
        IrStage::Sed(s) => {
            let syntax = match &s.edit {
                SedEdit::Substitute {
                    regex,
                    replacement,
                    occurrence,
                } => SedSyntax::Substitute {
                    pattern: regex.translated.clone(),
                    replacement: Replacement::sed(replacement, '/'),
                    occurrence: match occurrence {
                        SedOccurrence::All => Occurrence::All,
                        SedOccurrence::Nth(n) => {
                            Occurrence::Nth(usize::try_from(*n).unwrap_or(usize::MAX))
                        }
                        SedOccurrence::FromNth(n) => {
                            Occurrence::FromNth(usize::try_from(*n).unwrap_or(usize::MAX))
                        }
                    },
                },
                SedEdit::Transliterate { from, to } => SedSyntax::Transliterate {
                    from: from.clone(),
                    to: to.clone(),
                },
            };
            match Sed::new(syntax) {
                Ok(sed) => Box::new(pipeline::SedStage::new(&s.field, sed)),
                // Checked by the compiler; a failure leaves rows unchanged.
                Err(_) => Box::new(pipeline::MapStage(Some)),
            }
        }
        IrStage::Table(p) => Box::new(pipeline::Table::new(&patterns(p))),
        IrStage::Fields {
            remove,
            patterns: p,
        } => Box::new(pipeline::Fields::new(*remove, &patterns(p))),
        IrStage::Rename(pairs) => {
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(a, b)| (a.0.as_str(), b.0.as_str()))
                .collect();
            Box::new(pipeline::Rename::new(&pairs))
        }
        IrStage::Fillnull { value, fields } => Box::new(pipeline::Fillnull::new(value, fields)),
        IrStage::Bin(b) => Box::new(pipeline::Bin::new(
            &b.field,
            &b.output,
            match b.span {
                BinSpan::Seconds(s) => pipeline::BinWidth::Seconds(s),
                BinSpan::Months(m) => pipeline::BinWidth::Months(m),
            },
        )),
        IrStage::Stats(s) => {
            let mode = match s.kind {
                StatsKind::Stats => pipeline::StatsMode::Stats,
                StatsKind::Eventstats => pipeline::StatsMode::Eventstats,
                StatsKind::Streamstats => pipeline::StatsMode::Streamstats {
                    window: usize::try_from(s.window).unwrap_or(usize::MAX),
                    current: s.current,
                    global: s.global,
                },
            };
            let aggs = s
                .aggs
                .iter()
                .map(|a| {
                    let input = match &a.input {
                        IrAggInput::None => pipeline::AggInput::None,
                        IrAggInput::Field(f) => pipeline::AggInput::Field(FieldId::intern(f)),
                        IrAggInput::Pattern(p) => {
                            pipeline::AggInput::Pattern(pipeline::FieldGlob::new(&p.0))
                        }
                        IrAggInput::Eval(e) => pipeline::AggInput::Eval(eval_fn(e)),
                    };
                    pipeline::AggSpec::new(agg_func(a.func, &a.input), input, &a.output)
                })
                .collect();
            let by: Vec<&str> = s.by.iter().map(String::as_str).collect();
            Box::new(pipeline::Stats::new(mode, aggs, &by))
        }
        IrStage::Sort { limit, keys } => Box::new(pipeline::Sort::new(keys.clone(), *limit)),
        IrStage::Dedup { count, fields } => Box::new(pipeline::Dedup::new(fields, *count)),
        IrStage::Head(n) => Box::new(pipeline::Head::new(*n)),
    }
}

fn patterns(p: &[spl_compiler::ir::FieldPattern]) -> Vec<&str> {
    p.iter().map(|p| p.0.as_str()).collect()
}

fn agg_func(func: IrAgg, input: &IrAggInput) -> AggFunc {
    match func {
        IrAgg::Count if matches!(input, IrAggInput::None) => AggFunc::Count,
        IrAgg::Count => AggFunc::CountField,
        IrAgg::DistinctCount => AggFunc::DistinctCount,
        IrAgg::Values => AggFunc::Values,
        IrAgg::List => AggFunc::List,
        IrAgg::Sum => AggFunc::Sum,
        IrAgg::Avg => AggFunc::Avg,
        IrAgg::Min => AggFunc::Min,
        IrAgg::Max => AggFunc::Max,
        IrAgg::Range => AggFunc::Range,
        IrAgg::Stdev => AggFunc::Stdev,
        IrAgg::Stdevp => AggFunc::Stdevp,
        IrAgg::Var => AggFunc::Var,
        IrAgg::Varp => AggFunc::Varp,
        IrAgg::First => AggFunc::First,
        IrAgg::Last => AggFunc::Last,
        IrAgg::Earliest => AggFunc::Earliest,
        IrAgg::Latest => AggFunc::Latest,
        IrAgg::Median => AggFunc::Median,
        IrAgg::Mode => AggFunc::Mode,
    }
}
