//! Run SPL rules loaded at run time, without rustc.
//!
//! `spl-engine` sits on top of the compiler and the runtime: it parses a rule, lowers it to
//! the IR (`spl-compiler`) and evaluates the IR in process. [`EvalRule`] implements the
//! runtime's [`Rule`], like the types `spl_compiler::Builder` and `detect!` generate, and
//! builds its pipeline with the runtime's own table from stages to steps
//! ([`spl_runtime::pipeline::Pipeline::of`]); only the code inside the stages is
//! interpreted here (the filter predicate, `where`, `eval`) instead of compiled. The
//! workspace tests check that both back ends give the same rows.
//!
//! ```
//! use spl_engine::EvalRule;
//! use spl_runtime::rule::{run, Rule};
//! use spl_runtime::Record;
//!
//! let mut rule = EvalRule::from_spl("TERM(install) | table host", &Default::default())?;
//! let mut e = Record::new();
//! e.set_raw("pip install x");
//! e.set_named("host", "h1");
//! let rows = run(&mut rule, [&e])?;
//! assert_eq!(rows.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors: a rule that does not load, parse, expand or lower is a
//! [`spl_compiler::CompileErrors`] whose diagnostics point into the rule text.

#![forbid(unsafe_code)]

mod expr;
mod filter;
pub mod pack;

use std::borrow::Cow;
use std::path::Path;

use spl_compiler::ir::{Code, Expr, Pred, Program, RegexLit, Tree, Witness};
use spl_compiler::{compile_file, compile_rule, CompileErrors, CompiledRule};
use spl_grammar::{MacroTable, RuleFile};
use spl_runtime::event::{Event, Record};
use spl_runtime::pipeline::{Compile, CondFn, ExprFn, Pipeline, RunOptions, StepError};
use spl_runtime::prefilter::Prefilter;
use spl_runtime::regex::Regex;
use spl_runtime::rule::{Rule, RuleInfo};

use self::expr::CExpr;
use self::filter::Filter;

/// A rule compiled at run time and evaluated in process.
pub struct EvalRule {
    info: RuleInfo,
    prefilter: Prefilter,
    filter: Filter,
    pipeline: Pipeline,
    transforming: bool,
    witness: Option<Witness>,
}

impl std::fmt::Debug for EvalRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvalRule")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl EvalRule {
    /// Build a runnable rule from a lowered program, with the default [`RunOptions`].
    pub fn new(info: RuleInfo, program: &Program) -> EvalRule {
        EvalRule::with_options(info, program, RunOptions::default())
    }

    /// Build a runnable rule from a lowered program; its blocking commands (`sort`,
    /// `eventstats`) run within the memory budget of `options`.
    pub fn with_options(info: RuleInfo, program: &Program, options: RunOptions) -> EvalRule {
        // Building the interpreted trees recurses along the rule's nesting: the compiler's
        // stack, as its passes have.
        spl_compiler::compile::on_compiler_stack(|| EvalRule {
            info,
            prefilter: Prefilter::of(program.prefilter()),
            filter: Filter::new(program.filter()),
            pipeline: Pipeline::of(program.stages().iter().cloned(), &mut Interpreter, options),
            transforming: program.is_transforming(),
            witness: program.witness(),
        })
    }

    /// From a rule the compiler accepted, with the default [`RunOptions`].
    pub fn from_compiled(compiled: &CompiledRule) -> EvalRule {
        EvalRule::from_compiled_with(compiled, RunOptions::default())
    }

    /// From a rule the compiler accepted, with `options`.
    pub fn from_compiled_with(compiled: &CompiledRule, options: RunOptions) -> EvalRule {
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
        EvalRule::with_options(info, &compiled.program, options)
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
        self.prefilter.admits(raw) && self.filter.test(event, raw)
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

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        self.pipeline.finish(out)
    }

    fn is_transforming(&self) -> bool {
        self.transforming
    }

    fn witness(&self) -> Option<Witness> {
        self.witness.clone()
    }
}

/// Compiles the code of the compiler's stages into closures that interpret it.
struct Interpreter;

impl Compile<Tree> for Interpreter {
    fn expr(&mut self, expr: <Tree as Code>::Expr) -> ExprFn {
        let e = CExpr::build(&expr);
        ExprFn::new(move |row: &Record| e.eval(row, None).into_value())
    }

    fn cond(&mut self, cond: Expr) -> CondFn {
        let e = CExpr::build(&cond);
        CondFn::new(move |row: &Record| e.eval(row, None).is_true())
    }

    fn pred(&mut self, pred: Pred) -> CondFn {
        let filter = Filter::new(&pred);
        CondFn::new(move |row: &Record| filter.test(row, row.raw()))
    }

    fn regex(&mut self, regex: RegexLit) -> Regex {
        Regex::checked(&regex.translated)
    }
}
