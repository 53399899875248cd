//! Interpreting eval expressions: the IR tree with field ids resolved and literal regexes,
//! `LIKE` patterns and replacements built once.
//!
//! Catalog functions are called through the runtime's dispatch ([`spl_runtime::eval::call`],
//! generated from the one function table); only the special forms are interpreted here.

use std::borrow::Cow;

use spl_compiler::ir::{BinOp, Calling, Expr, ExprKind, Func};
use spl_runtime::eval::{self, func as f, Args, EvalValue, LikePattern};
use spl_runtime::event::{Event, Record};
use spl_runtime::field::FieldId;
use spl_runtime::regex::{Regex, Replacement};

/// The value `mvfilter` is testing: the filtered field and its current value.
type Bound<'b, 'a> = Option<(FieldId, &'b EvalValue<'a>)>;

/// A prepared expression.
pub(crate) enum CExpr {
    Field(FieldId),
    Str(String),
    Num(f64),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    /// `searchmatch("...")`: the search, as the search command tests it.
    Search(Box<crate::filter::Filter>),
    /// `x LIKE "literal"` / `like(x, "literal")`.
    Like(Box<CExpr>, LikePattern),
    Call {
        func: Func,
        args: Vec<CExpr>,
        /// The compiled pattern of `match`/`mvfind`/`replace` when it was a literal.
        regex: Option<Regex>,
        /// The compiled replacement of `replace` when it was a literal.
        replacement: Option<Replacement>,
        /// The field `mvfilter` filters.
        filtered: Option<FieldId>,
        /// `now()`: when the rule was built.
        now: f64,
    },
}

/// The literal text of an expression, if it is a string literal.
fn literal(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Str(s) => Some(s),
        _ => None,
    }
}

impl CExpr {
    pub(crate) fn build(e: &Expr) -> CExpr {
        let boxed = |e: &Expr| Box::new(CExpr::build(e));
        match &e.kind {
            ExprKind::Field(name) => CExpr::Field(FieldId::intern(name)),
            ExprKind::Str(s) => CExpr::Str(s.clone()),
            ExprKind::Num(n) => CExpr::Num(*n),
            ExprKind::Search(pred) => CExpr::Search(Box::new(crate::filter::Filter::new(pred))),
            ExprKind::Not(x) => CExpr::Not(boxed(x)),
            ExprKind::Neg(x) => CExpr::Neg(boxed(x)),
            ExprKind::Binary { op, lhs, rhs } => match (op, literal(rhs)) {
                (BinOp::Like, Some(p)) => CExpr::Like(boxed(lhs), LikePattern::new(p)),
                _ => CExpr::Binary(*op, boxed(lhs), boxed(rhs)),
            },
            ExprKind::Call { func, args, regex } => {
                if let (Func::Like, Some(p)) = (func, args.get(1).and_then(literal)) {
                    return CExpr::Like(boxed(&args[0]), LikePattern::new(p));
                }
                let replacement = match (func, args.get(2).and_then(literal)) {
                    (Func::Replace, Some(text)) => Some(Replacement::eval(text)),
                    _ => None,
                };
                let filtered = matches!(func, Func::MvFilter | Func::MvMap)
                    .then(|| args[0].fields().first().map(|f| FieldId::intern(f)))
                    .flatten();
                CExpr::Call {
                    func: *func,
                    args: args.iter().map(CExpr::build).collect(),
                    regex: regex.as_ref().map(|r| Regex::checked(&r.translated)),
                    replacement,
                    filtered,
                    now: spl_runtime::generated::search_start(),
                }
            }
        }
    }

    /// The value on `row`; `bound` gives the value a field has inside `mvfilter`.
    pub(crate) fn eval<'a>(&'a self, row: &'a Record, bound: Bound<'_, 'a>) -> EvalValue<'a> {
        match self {
            CExpr::Field(id) => match bound {
                Some((b, v)) if b == *id => v.clone(),
                _ => EvalValue::from_value(row.get(*id)),
            },
            CExpr::Str(s) => EvalValue::Str(Cow::Borrowed(s)),
            CExpr::Num(n) => EvalValue::Num(*n),
            CExpr::Search(filter) => EvalValue::Bool(filter.test(row, row.raw())),
            CExpr::Not(x) => eval::from_truth(eval::not(x.eval(row, bound).truth())),
            CExpr::Neg(x) => eval::neg(&x.eval(row, bound)),
            CExpr::Like(x, p) => eval::like(&x.eval(row, bound), p),
            CExpr::Binary(op, l, r) => binary(*op, l, r, row, bound),
            CExpr::Call {
                func,
                args,
                regex,
                replacement,
                filtered,
                now,
            } => {
                if func.calling() == Calling::Plain {
                    let mut cursor = Cursor {
                        args,
                        next: 0,
                        row,
                        bound,
                    };
                    return eval::call(*func, &mut cursor).unwrap_or(EvalValue::Null);
                }
                special(
                    *func,
                    args,
                    regex.as_ref(),
                    replacement.as_ref(),
                    *filtered,
                    *now,
                    row,
                    bound,
                )
            }
        }
    }
}

/// The arguments of a plain call, evaluated as the function asks for them.
struct Cursor<'a, 'b> {
    args: &'a [CExpr],
    next: usize,
    row: &'a Record,
    bound: Bound<'b, 'a>,
}

impl<'a> Args<'a> for Cursor<'a, '_> {
    fn next(&mut self) -> EvalValue<'a> {
        self.next_opt().unwrap_or(EvalValue::Null)
    }

    fn next_opt(&mut self) -> Option<EvalValue<'a>> {
        let arg = self.args.get(self.next)?;
        self.next += 1;
        Some(arg.eval(self.row, self.bound))
    }

    fn rest(&mut self) -> impl Iterator<Item = EvalValue<'a>> {
        let (row, bound) = (self.row, self.bound);
        let rest = &self.args[self.next.min(self.args.len())..];
        self.next = self.args.len();
        rest.iter().map(move |a| a.eval(row, bound))
    }
}

fn binary<'a>(
    op: BinOp,
    l: &'a CExpr,
    r: &'a CExpr,
    row: &'a Record,
    bound: Bound<'_, 'a>,
) -> EvalValue<'a> {
    let (lv, rv) = (|| l.eval(row, bound), || r.eval(row, bound));
    match op {
        // Short-circuit where three-valued logic allows it.
        BinOp::And => match lv().truth() {
            Some(false) => EvalValue::Bool(false),
            a => eval::from_truth(eval::and(a, rv().truth())),
        },
        BinOp::Or => match lv().truth() {
            Some(true) => EvalValue::Bool(true),
            a => eval::from_truth(eval::or(a, rv().truth())),
        },
        BinOp::Xor => eval::from_truth(eval::xor(lv().truth(), rv().truth())),
        BinOp::Cmp(op) => eval::compare(op, &lv(), &rv()),
        BinOp::Like => eval::like(&lv(), &LikePattern::new(&rv().text().unwrap_or_default())),
        BinOp::Concat => eval::concat(&lv(), &rv()),
        BinOp::Add => eval::add(&lv(), &rv()),
        BinOp::Sub => eval::sub(&lv(), &rv()),
        BinOp::Mul => eval::mul(&lv(), &rv()),
        BinOp::Div => eval::div(&lv(), &rv()),
        BinOp::Mod => eval::rem(&lv(), &rv()),
    }
}

/// The special forms of the catalog (see `spl_ir::for_each_function!`).
#[allow(clippy::too_many_arguments)]
fn special<'a>(
    func: Func,
    args: &'a [CExpr],
    regex: Option<&Regex>,
    replacement: Option<&Replacement>,
    filtered: Option<FieldId>,
    now: f64,
    row: &'a Record,
    bound: Bound<'_, 'a>,
) -> EvalValue<'a> {
    let a = |i: usize| args[i].eval(row, bound);
    // The regex of argument 1: the literal one compiled at build time, or one compiled now
    // from the computed text.
    let with_regex = |body: &dyn Fn(&Regex) -> EvalValue<'a>| match regex {
        Some(re) => body(re),
        None => eval::computed_regex(&a(1)).map_or(EvalValue::Null, |re| body(&re)),
    };
    match func {
        Func::If => {
            if a(0).is_true() {
                a(1)
            } else {
                a(2)
            }
        }
        Func::Case => {
            for pair in args.chunks(2) {
                if pair[0].eval(row, bound).is_true() {
                    return pair.get(1).map_or(EvalValue::Null, |v| v.eval(row, bound));
                }
            }
            EvalValue::Null
        }
        Func::Match => with_regex(&|re| f::match_(a(0), re)),
        Func::MvFind => with_regex(&|re| f::mvfind(a(0), re)),
        Func::Replace => {
            let computed;
            let repl = match replacement {
                Some(r) => r,
                None => {
                    computed = Replacement::eval(&a(2).text().unwrap_or_default());
                    &computed
                }
            };
            with_regex(&|re| f::replace(a(0), re, repl).into_owned())
        }
        Func::Like => f::like(a(0), &LikePattern::new(&a(1).text().unwrap_or_default())),
        Func::MvFilter => {
            let Some(field) = filtered else {
                return EvalValue::Null;
            };
            let pred = &args[0];
            f::mvfilter(EvalValue::from_value(row.get(field)), |value| {
                let value = value.into_owned();
                pred.eval(row, Some((field, &value))).is_true()
            })
        }
        Func::MvMap => {
            let Some(field) = filtered else {
                return EvalValue::Null;
            };
            let expression = &args[1];
            f::mvmap(EvalValue::from_value(row.get(field)), |value| {
                let value = value.into_owned();
                expression.eval(row, Some((field, &value))).into_owned()
            })
        }
        Func::Now => f::now(now),
        // Lowering rejects what no back end runs (`searchmatch`); plain functions never
        // come here.
        _ => EvalValue::Null,
    }
}
