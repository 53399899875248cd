//! Interpreting eval expressions: the IR tree with field ids resolved and literal regexes
//! and LIKE patterns compiled once.

use std::borrow::Cow;

use spl_compiler::ir::{BinOp, Expr, ExprKind, Func};

use crate::compare::CompareOp;
use crate::eval::{self, func as f, EvalValue, LikePattern};
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::regex::{Regex, Replacement};

/// A prepared expression.
pub(super) enum CExpr {
    Field(FieldId),
    Str(String),
    Num(f64),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
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
        bound: Option<FieldId>,
        /// `now()`: when the rule was built.
        now: f64,
    },
}

impl CExpr {
    pub(super) fn build(e: &Expr) -> CExpr {
        match &e.kind {
            ExprKind::Field(name) => CExpr::Field(FieldId::intern(name)),
            ExprKind::Str(s) => CExpr::Str(s.clone()),
            ExprKind::Num(n) => CExpr::Num(*n),
            ExprKind::Not(x) => CExpr::Not(Box::new(CExpr::build(x))),
            ExprKind::Neg(x) => CExpr::Neg(Box::new(CExpr::build(x))),
            ExprKind::Binary {
                op: BinOp::Like,
                lhs,
                rhs,
            } => match &rhs.kind {
                ExprKind::Str(p) => CExpr::Like(Box::new(CExpr::build(lhs)), LikePattern::new(p)),
                _ => CExpr::Binary(
                    BinOp::Like,
                    Box::new(CExpr::build(lhs)),
                    Box::new(CExpr::build(rhs)),
                ),
            },
            ExprKind::Binary { op, lhs, rhs } => CExpr::Binary(
                *op,
                Box::new(CExpr::build(lhs)),
                Box::new(CExpr::build(rhs)),
            ),
            ExprKind::Call {
                func: Func::Like,
                args,
                ..
            } if matches!(args[1].kind, ExprKind::Str(_)) => {
                let ExprKind::Str(p) = &args[1].kind else {
                    unreachable!("matched above")
                };
                CExpr::Like(Box::new(CExpr::build(&args[0])), LikePattern::new(p))
            }
            ExprKind::Call { func, args, regex } => {
                let replacement = match (func, args.get(2).map(|a| &a.kind)) {
                    (Func::Replace, Some(ExprKind::Str(text))) => Some(Replacement::eval(text)),
                    _ => None,
                };
                let bound = (*func == Func::MvFilter)
                    .then(|| args[0].fields().first().map(|f| FieldId::intern(f)))
                    .flatten();
                CExpr::Call {
                    func: *func,
                    args: args.iter().map(CExpr::build).collect(),
                    regex: regex.as_ref().and_then(|r| Regex::new(&r.translated).ok()),
                    replacement,
                    bound,
                    now: std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64()),
                }
            }
        }
    }

    /// The value on `row`; `bound` gives the value a field has inside `mvfilter`.
    pub(super) fn eval<'a>(
        &'a self,
        row: &'a Record,
        bound: Option<(FieldId, &EvalValue<'a>)>,
    ) -> EvalValue<'a> {
        match self {
            CExpr::Field(id) => match bound {
                Some((b, v)) if b == *id => v.clone(),
                _ => EvalValue::from_value(row.get(*id)),
            },
            CExpr::Str(s) => EvalValue::Str(Cow::Borrowed(s)),
            CExpr::Num(n) => EvalValue::Num(*n),
            CExpr::Not(x) => eval::from_truth(eval::not(x.eval(row, bound).truth())),
            CExpr::Neg(x) => eval::neg(&x.eval(row, bound)),
            CExpr::Like(x, p) => eval::like(&x.eval(row, bound), p),
            CExpr::Binary(op, l, r) => binary(*op, l, r, row, bound),
            CExpr::Call {
                func,
                args,
                regex,
                replacement,
                bound: filtered,
                now,
            } => call(
                *func,
                args,
                regex.as_ref(),
                replacement.as_ref(),
                *filtered,
                *now,
                row,
                bound,
            ),
        }
    }
}

fn binary<'a>(
    op: BinOp,
    l: &'a CExpr,
    r: &'a CExpr,
    row: &'a Record,
    bound: Option<(FieldId, &EvalValue<'a>)>,
) -> EvalValue<'a> {
    let cmp = |op| eval::compare(op, &l.eval(row, bound), &r.eval(row, bound));
    match op {
        BinOp::And => {
            let a = l.eval(row, bound).truth();
            if a == Some(false) {
                EvalValue::Bool(false)
            } else {
                eval::from_truth(eval::and(a, r.eval(row, bound).truth()))
            }
        }
        BinOp::Or => {
            let a = l.eval(row, bound).truth();
            if a == Some(true) {
                EvalValue::Bool(true)
            } else {
                eval::from_truth(eval::or(a, r.eval(row, bound).truth()))
            }
        }
        BinOp::Xor => eval::from_truth(eval::xor(
            l.eval(row, bound).truth(),
            r.eval(row, bound).truth(),
        )),
        BinOp::Eq => cmp(CompareOp::Eq),
        BinOp::Ne => cmp(CompareOp::Ne),
        BinOp::Lt => cmp(CompareOp::Lt),
        BinOp::Le => cmp(CompareOp::Le),
        BinOp::Gt => cmp(CompareOp::Gt),
        BinOp::Ge => cmp(CompareOp::Ge),
        BinOp::Like => {
            let p = r.eval(row, bound);
            eval::like(
                &l.eval(row, bound),
                &LikePattern::new(&p.text().unwrap_or_default()),
            )
        }
        BinOp::Concat => eval::concat(&l.eval(row, bound), &r.eval(row, bound)),
        BinOp::Add => eval::add(&l.eval(row, bound), &r.eval(row, bound)),
        BinOp::Sub => eval::sub(&l.eval(row, bound), &r.eval(row, bound)),
        BinOp::Mul => eval::mul(&l.eval(row, bound), &r.eval(row, bound)),
        BinOp::Div => eval::div(&l.eval(row, bound), &r.eval(row, bound)),
        BinOp::Mod => eval::rem(&l.eval(row, bound), &r.eval(row, bound)),
    }
}

/// Run `body` with the regex of argument 1: the literal one compiled at build time, or
/// one compiled now from the computed text (null when it does not compile).
fn with_regex<'a>(
    compiled: Option<&Regex>,
    args: &'a [CExpr],
    row: &'a Record,
    bound: Option<(FieldId, &EvalValue<'a>)>,
    body: impl FnOnce(&Regex) -> EvalValue<'a>,
) -> EvalValue<'a> {
    match compiled {
        Some(re) => body(re),
        None => match Regex::new(&args[1].eval(row, bound).text().unwrap_or_default()) {
            Ok(re) => body(&re),
            Err(_) => EvalValue::Null,
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn call<'a>(
    func: Func,
    args: &'a [CExpr],
    regex: Option<&Regex>,
    replacement: Option<&Replacement>,
    filtered: Option<FieldId>,
    now: f64,
    row: &'a Record,
    bound: Option<(FieldId, &EvalValue<'a>)>,
) -> EvalValue<'a> {
    let a = |i: usize| args[i].eval(row, bound);
    let opt = |i: usize| args.get(i).map(|x| x.eval(row, bound));
    let all = || args.iter().map(|x| x.eval(row, bound));
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
        Func::Coalesce => f::coalesce(all()),
        Func::MvAppend => f::mvappend(all()),
        Func::In => f::in_(a(0), args[1..].iter().map(|x| x.eval(row, bound))),
        Func::IsNull => f::isnull(a(0)),
        Func::IsNotNull => f::isnotnull(a(0)),
        Func::Null | Func::SearchMatch => f::null(),
        Func::True => f::true_(),
        Func::False => f::false_(),
        Func::NullIf => f::nullif(a(0), a(1)),
        Func::Match => {
            let v = a(0);
            with_regex(regex, args, row, bound, |re| f::match_(v, re))
        }
        Func::MvFind => {
            let v = a(0);
            with_regex(regex, args, row, bound, |re| f::mvfind(v, re))
        }
        Func::Replace => {
            let v = a(0);
            let computed;
            let repl = match replacement {
                Some(r) => r,
                None => {
                    computed = Replacement::eval(&a(2).text().unwrap_or_default());
                    &computed
                }
            };
            with_regex(regex, args, row, bound, |re| {
                f::replace(v, re, repl).into_owned()
            })
        }
        Func::Like => f::like(a(0), &LikePattern::new(&a(1).text().unwrap_or_default())),
        Func::CidrMatch => f::cidrmatch(a(0), a(1)),
        Func::MvCount => f::mvcount(a(0)),
        Func::MvIndex => f::mvindex(a(0), a(1), opt(2)),
        Func::MvFilter => {
            let Some(field) = filtered else {
                return EvalValue::Null;
            };
            let source = EvalValue::from_value(row.get(field));
            let pred = &args[0];
            f::mvfilter(source, |value| {
                let value = value.into_owned();
                pred.eval(row, Some((field, &value))).into_owned()
            })
        }
        Func::MvDedup => f::mvdedup(a(0)),
        Func::MvJoin => f::mvjoin(a(0), a(1)),
        Func::Split => f::split(a(0), a(1)),
        Func::Len => f::len(a(0)),
        Func::Lower => f::lower(a(0)),
        Func::Upper => f::upper(a(0)),
        Func::Trim => f::trim(a(0), opt(1)),
        Func::Ltrim => f::ltrim(a(0), opt(1)),
        Func::Rtrim => f::rtrim(a(0), opt(1)),
        Func::Substr => f::substr(a(0), a(1), opt(2)),
        Func::ToNumber => f::tonumber(a(0), opt(1)),
        Func::ToString => f::tostring(a(0), opt(1)),
        Func::Round => f::round(a(0), opt(1)),
        Func::Abs => f::abs(a(0)),
        Func::Floor => f::floor(a(0)),
        Func::Ceiling => f::ceiling(a(0)),
        Func::Sqrt => f::sqrt(a(0)),
        Func::Pow => f::pow(a(0), a(1)),
        Func::Exp => f::exp(a(0)),
        Func::Ln => f::ln(a(0)),
        Func::Log => f::log(a(0), opt(1)),
        Func::Pi => f::pi(),
        Func::Sin => f::sin(a(0)),
        Func::Cos => f::cos(a(0)),
        Func::Tan => f::tan(a(0)),
        Func::Asin => f::asin(a(0)),
        Func::Acos => f::acos(a(0)),
        Func::Atan => f::atan(a(0)),
        Func::Atan2 => f::atan2(a(0), a(1)),
        Func::Strftime => f::strftime(a(0), a(1)),
        Func::Strptime => f::strptime(a(0), a(1)),
        Func::Now => f::now(now),
        Func::UrlDecode => f::urldecode(a(0)),
        Func::TypeOf => f::typeof_(a(0)),
    }
}
