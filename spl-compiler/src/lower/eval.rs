//! Lowering eval expressions, with their checks: functions, arity, boolean vs value.

use spl_grammar::ast;

use super::{codes, LowerError, Lowerer};
use crate::ir::{BinOp, Expr, ExprKind, Func, Returns};

/// Whether an expression gives a boolean (a condition) or a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Value,
    /// After an error: either, so that one mistake is reported once.
    Unknown,
}

/// Lower a condition (`where`, `if(...)` first argument): it must be boolean.
pub(crate) fn lower_condition(cx: &mut Lowerer, e: &ast::Expr) -> Expr {
    let (out, kind) = lower_expr(cx, e);
    if kind == Kind::Value {
        cx.error(
            LowerError::new(codes::TYPE, e.span, "expected a true/false condition, found a value")
                .label("this is a value, not a condition")
                .note("compare it (`x=\"a\"`), test it (`isnotnull(x)`), or match it (`match(x, \"re\")`)"),
        );
    }
    out
}

/// True when `e` is a true/false condition (lowered apart, its errors dropped).
pub(crate) fn is_condition(e: &ast::Expr) -> bool {
    let mut scratch = Lowerer::default();
    lower_expr(&mut scratch, e).1 == Kind::Bool
}

/// Lower a value (`eval` right side, function arguments): it must not be boolean.
pub(crate) fn lower_value(cx: &mut Lowerer, e: &ast::Expr) -> Expr {
    let (out, kind) = lower_expr(cx, e);
    if kind == Kind::Bool {
        cx.error(
            LowerError::new(codes::TYPE, e.span, "a boolean cannot be used as a value")
                .label("this is a condition")
                .note("wrap it: `if(<condition>, 1, 0)`"),
        );
    }
    out
}

fn lower_expr(cx: &mut Lowerer, e: &ast::Expr) -> (Expr, Kind) {
    let span = e.span;
    let mk = |kind| Expr { kind, span };
    match &e.kind {
        ast::ExprKind::Macro(m) => {
            cx.error(super::unexpanded(m));
            (mk(ExprKind::Str(String::new())), Kind::Unknown)
        }
        ast::ExprKind::Field(id) => (mk(ExprKind::Field(id.name.clone())), Kind::Value),
        ast::ExprKind::Str(s) => (mk(ExprKind::Str(s.clone())), Kind::Value),
        ast::ExprKind::Number(text) => match text.parse::<f64>() {
            Ok(n) => (mk(ExprKind::Num(n)), Kind::Value),
            Err(_) => {
                cx.error(LowerError::new(
                    codes::BAD_VALUE,
                    span,
                    format!("bad number `{text}`"),
                ));
                (mk(ExprKind::Num(f64::NAN)), Kind::Value)
            }
        },
        ast::ExprKind::Not(inner) => {
            let inner = lower_condition(cx, inner);
            (mk(ExprKind::Not(Box::new(inner))), Kind::Bool)
        }
        ast::ExprKind::Neg(inner) => {
            let inner = lower_value(cx, inner);
            (mk(ExprKind::Neg(Box::new(inner))), Kind::Value)
        }
        ast::ExprKind::Binary { op, lhs, rhs } => {
            let op = *op;
            let (l, r) = if matches!(op, BinOp::And | BinOp::Or | BinOp::Xor) {
                (lower_condition(cx, lhs), lower_condition(cx, rhs))
            } else {
                (lower_value(cx, lhs), lower_value(cx, rhs))
            };
            let kind = if op.is_boolean() {
                Kind::Bool
            } else {
                Kind::Value
            };
            (
                mk(ExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                }),
                kind,
            )
        }
        ast::ExprKind::In { expr, list } => {
            let mut args = vec![lower_value(cx, expr)];
            args.extend(list.iter().map(|x| lower_value(cx, x)));
            (
                mk(ExprKind::Call {
                    func: Func::In,
                    args,
                    regex: None,
                }),
                Kind::Bool,
            )
        }
        ast::ExprKind::Call { name, args } => lower_call(cx, name, args, span),
    }
}

fn lower_call(
    cx: &mut Lowerer,
    name: &ast::Ident,
    args: &[ast::Expr],
    span: spl_grammar::Span,
) -> (Expr, Kind) {
    let Some(func) = Func::from_name(&name.name) else {
        let mut err = LowerError::new(
            codes::UNKNOWN_FUNCTION,
            name.span,
            format!("unknown function `{}`", name.name),
        )
        .label("not an eval function");
        let lower = name.name.to_ascii_lowercase();
        for kw in ["and", "or", "xor", "not"] {
            if let Some(rest) = lower.strip_prefix(kw) {
                if Func::from_name(rest).is_some() {
                    err = err.note(format!(
                        "is a space missing? `{}` reads as one name; `{} {}(` would be the operator `{}` and the function `{rest}`",
                        name.name,
                        &name.name[..kw.len()],
                        rest,
                        kw.to_ascii_uppercase()
                    ));
                }
            }
        }
        cx.error(err);
        return (null_expr(span), Kind::Unknown);
    };
    let (min, max) = func.arity();
    if args.len() < min || max.is_some_and(|max| args.len() > max) {
        let expected = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        cx.error(
            LowerError::new(
                codes::ARITY,
                span,
                format!(
                    "`{}` takes {expected} argument{}, {} given",
                    func.name(),
                    if expected == "1" { "" } else { "s" },
                    args.len()
                ),
            )
            .label("wrong number of arguments"),
        );
        return (null_expr(span), Kind::Unknown);
    }
    let mut regex = None;
    let lowered: Vec<Expr> = args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if func == Func::IsBool
                || (func == Func::ToString && i == 0)
                || (matches!(func, Func::JsonArrayToMv | Func::MvToJsonArray) && i == 1)
            {
                // `isbool` tests whether its argument is a condition or a value, `tostring`
                // prints either, and the flags of the JSON functions are either.
                lower_expr(cx, a).0
            } else if condition_arg(func, i) {
                lower_condition(cx, a)
            } else {
                lower_value(cx, a)
            }
        })
        .collect();
    if let Some(i) = regex_arg(func) {
        if let ast::ExprKind::Str(pattern) = &args[i].kind {
            let origin = cx.origin(pattern, args[i].span);
            regex = cx.regex(pattern, &origin, func == Func::Replace);
        }
    }
    if func == Func::MvFilter {
        let fields = lowered[0].fields();
        if fields.len() != 1 {
            cx.error(
                LowerError::new(
                    codes::BAD_VALUE,
                    span,
                    format!(
                        "`mvfilter` needs a condition on exactly one field, found {}",
                        if fields.is_empty() {
                            "none".to_owned()
                        } else {
                            fields.join(", ")
                        }
                    ),
                )
                .label("the filtered field must be the only field in the condition"),
            );
        }
    }
    if func == Func::MvMap && !matches!(args[0].kind, ast::ExprKind::Field(_)) {
        cx.error(
            LowerError::new(
                codes::BAD_VALUE,
                args[0].span,
                "`mvmap` maps the values of a field: its first argument must be a field name",
            )
            .label("not a field"),
        );
    }
    if func == Func::SearchMatch {
        return (lower_searchmatch(cx, &args[0], span), Kind::Bool);
    }
    let unsupported = match func {
        Func::Lookup => Some(
            "`lookup` is not supported: compiled rules carry no lookup tables",
        ),
        Func::Sigfig => Some(
            "`sigfig` is not supported: it needs the written precision of each operand, which compiled expressions do not keep",
        ),
        _ => None,
    };
    if let Some(message) = unsupported {
        cx.error(LowerError::new(codes::UNSUPPORTED, span, message).label("unsupported function"));
    }
    let kind = if func.returns() == Returns::Bool {
        Kind::Bool
    } else {
        Kind::Value
    };
    (
        Expr {
            kind: ExprKind::Call {
                func,
                args: lowered,
                regex,
            },
            span,
        },
        kind,
    )
}

/// Which argument positions of `func` are conditions rather than values.
fn condition_arg(func: Func, i: usize) -> bool {
    match func {
        Func::If => i == 0,
        Func::Case | Func::Validate => i % 2 == 0,
        Func::MvFilter => true,
        _ => false,
    }
}

/// The position of the regex argument of `func`, if it has one.
fn regex_arg(func: Func) -> Option<usize> {
    match func {
        Func::Match | Func::MvFind | Func::Replace => Some(1),
        _ => None,
    }
}

/// A placeholder after an error (lowering goes on to find more errors).
fn null_expr(span: spl_grammar::Span) -> Expr {
    Expr {
        kind: ExprKind::Call {
            func: Func::Null,
            args: Vec::new(),
            regex: None,
        },
        span,
    }
}

/// `searchmatch("search")`: the literal search string parsed and lowered as the search
/// command's expression.
fn lower_searchmatch(cx: &mut Lowerer, arg: &ast::Expr, span: spl_grammar::Span) -> Expr {
    let pred = match &arg.kind {
        ast::ExprKind::Str(text) => match spl_grammar::parse_query(text) {
            Ok(query) => match query.stages.first().map(|s| &s.command) {
                Some(ast::Command::Search(s)) if query.stages.len() == 1 => match &s.expr {
                    Some(e) => Some(super::search::lower_search(cx, e)),
                    None => Some(crate::ir::Pred::constant(true)),
                },
                _ => {
                    cx.error(
                        LowerError::new(
                            codes::BAD_VALUE,
                            arg.span,
                            "`searchmatch` takes a search expression, without commands",
                        )
                        .label("not a search expression"),
                    );
                    None
                }
            },
            Err(e) => {
                cx.error(
                    LowerError::new(
                        codes::BAD_VALUE,
                        arg.span,
                        format!("`searchmatch`: the search does not parse: {e}"),
                    )
                    .label("bad search"),
                );
                None
            }
        },
        _ => {
            cx.error(
                LowerError::new(
                    codes::UNSUPPORTED,
                    arg.span,
                    "`searchmatch` needs its search as a string literal",
                )
                .label("computed search"),
            );
            None
        }
    };
    let pred = pred.unwrap_or_else(|| crate::ir::Pred::constant(false));
    Expr {
        kind: ExprKind::Search(Box::new(pred)),
        span,
    }
}
