//! Eval expressions (`where`, `eval`, `stats ... eval(...)`). Precedence, loosest first:
//! `XOR`, `OR`, `AND`, `NOT`/`!`, comparisons with `LIKE` and `IN`, `.`, `+ -`, `* / %`,
//! unary `-`. Binary operators associate to the left.

use pest::iterators::Pair;

use super::grammar::Rule;
use super::text::{ident, quoted_value, span};
use super::{error, PResult};
use crate::ast::{Assignment, BinOp, CmpOp, Expr, ExprKind, Ident};
use crate::span::Span;

/// The deepest expression tree accepted. Trees are walked recursively (printing,
/// comparing, dropping), so an absurdly deep one (`a+a+...` ten thousand times) is refused
/// here rather than overflowing the stack later.
const MAX_DEPTH: usize = 400;

/// `eval_expr`.
pub(crate) fn eval_expr(pair: Pair<'_, Rule>) -> PResult<Expr> {
    expr_at(pair, 0)
}

/// `eval_expr` for a node `depth` levels below the root of its tree.
fn expr_at(pair: Pair<'_, Rule>, depth: usize) -> PResult<Expr> {
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees an eval expression has a body");
    level(inner, depth)
}

/// `assignment`: `field = expr`.
pub(crate) fn assignment(pair: Pair<'_, Rule>) -> PResult<Assignment> {
    let whole = span(&pair);
    let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::assign_op);
    let target = inner
        .next()
        .expect("grammar guarantees an assignment has a target");
    let dynamic = target.as_rule() == Rule::dynamic_target;
    let field = match target.as_rule() {
        Rule::quoted => Ident {
            span: span(&target),
            name: quoted_value(target),
        },
        // `{name}` reads like a field reference inside its braces.
        _ => field_ref(target),
    };
    let value = eval_expr(
        inner
            .next()
            .expect("grammar guarantees an assignment has a value"),
    )?;
    Ok(Assignment {
        field,
        dynamic,
        value,
        span: whole,
    })
}

/// Any precedence level of the expression grammar, for a node at `depth`.
fn level(pair: Pair<'_, Rule>, depth: usize) -> PResult<Expr> {
    if depth > MAX_DEPTH {
        return Err(error(
            span(&pair),
            format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
            "too deep",
        ));
    }
    match pair.as_rule() {
        Rule::eval_xor
        | Rule::eval_or
        | Rule::eval_and
        | Rule::eval_cmp
        | Rule::eval_concat
        | Rule::eval_add
        | Rule::eval_mul => chain(pair, depth),
        Rule::eval_not => not(pair, depth),
        Rule::eval_unary => unary(pair, depth),
        Rule::eval_expr => expr_at(pair, depth),
        _ => atom(pair, depth),
    }
}

/// An operand followed by `(op operand)*` (comparisons, `LIKE` and `IN (...)` included),
/// folded to the left. With `n` operators the first operand ends up `n` levels down.
fn chain(pair: Pair<'_, Rule>, depth: usize) -> PResult<Expr> {
    let operators = pair
        .clone()
        .into_inner()
        .filter(|p| is_operator(p.as_rule()))
        .count();
    let mut inner = pair.into_inner();
    let first = inner.next().expect("grammar guarantees an operand");
    let start = span(&first).start;
    let mut acc = level(first, depth + operators)?;
    let mut below = operators;
    while let Some(op) = inner.next() {
        below -= 1;
        let rhs_pair = inner
            .next()
            .expect("grammar guarantees an operand after an operator");
        let at = Span::new(start, span(&rhs_pair).end);
        acc = if op.as_rule() == Rule::kw_e_in {
            let list = match rhs_pair.into_inner().next() {
                Some(args) => args
                    .into_inner()
                    .map(|a| expr_at(a, depth + below + 1))
                    .collect::<PResult<_>>()?,
                None => Vec::new(),
            };
            Expr {
                kind: ExprKind::In {
                    expr: Box::new(acc),
                    list,
                },
                span: at,
            }
        } else {
            let rhs = level(rhs_pair, depth + below + 1)?;
            let kind = ExprKind::Binary {
                op: binary_op(&op),
                lhs: Box::new(acc),
                rhs: Box::new(rhs),
            };
            Expr { kind, span: at }
        };
    }
    Ok(acc)
}

/// Whether a child of a chain rule is an operator (the others are operands).
fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_xor
            | Rule::kw_e_or
            | Rule::kw_e_and
            | Rule::kw_like
            | Rule::kw_e_in
            | Rule::eval_cmp_op
            | Rule::concat_op
            | Rule::add_op
            | Rule::mul_op
    )
}

/// The operator a pair stands for.
fn binary_op(pair: &Pair<'_, Rule>) -> BinOp {
    match pair.as_rule() {
        Rule::kw_xor => BinOp::Xor,
        Rule::kw_e_or => BinOp::Or,
        Rule::kw_e_and => BinOp::And,
        Rule::kw_like => BinOp::Like,
        Rule::concat_op => BinOp::Concat,
        _ => match pair.as_str() {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Mod,
            other => BinOp::Cmp(
                CmpOp::from_text(other)
                    .unwrap_or_else(|| unreachable!("grammar guarantees no operator {other:?}")),
            ),
        },
    }
}

/// `eval_not`: `NOT x`, `!x`, or a comparison.
fn not(pair: Pair<'_, Rule>, depth: usize) -> PResult<Expr> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let first = inner
        .next()
        .expect("grammar guarantees eval_not has a body");
    match first.as_rule() {
        Rule::kw_e_not | Rule::bang => {
            let operand = inner.next().expect("grammar guarantees NOT has an operand");
            Ok(Expr {
                kind: ExprKind::Not(Box::new(level(operand, depth + 1)?)),
                span: whole,
            })
        }
        _ => level(first, depth),
    }
}

/// `eval_unary`: `-x` or an atom.
fn unary(pair: Pair<'_, Rule>, depth: usize) -> PResult<Expr> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let first = inner
        .next()
        .expect("grammar guarantees eval_unary has a body");
    if first.as_rule() == Rule::neg {
        let operand = inner.next().expect("grammar guarantees `-` has an operand");
        Ok(Expr {
            kind: ExprKind::Neg(Box::new(level(operand, depth + 1)?)),
            span: whole,
        })
    } else {
        atom(first, depth)
    }
}

/// Numbers, strings, parentheses, calls and fields.
fn atom(pair: Pair<'_, Rule>, depth: usize) -> PResult<Expr> {
    let whole = span(&pair);
    let kind = match pair.as_rule() {
        Rule::number => ExprKind::Number(pair.as_str().to_string()),
        Rule::eval_string => {
            let quoted = pair
                .into_inner()
                .next()
                .expect("grammar guarantees a string is quoted");
            ExprKind::Str(quoted_value(quoted))
        }
        Rule::eval_paren => {
            let inner = pair
                .into_inner()
                .next()
                .expect("grammar guarantees parentheses hold an expression");
            return expr_at(inner, depth);
        }
        Rule::macro_call => ExprKind::Macro(super::pipeline::macro_call(pair)),
        Rule::eval_call => {
            let mut inner = pair.into_inner();
            let name = ident(&inner.next().expect("grammar guarantees a call has a name"));
            let args = match inner.next() {
                Some(args) => args
                    .into_inner()
                    .map(|a| expr_at(a, depth + 1))
                    .collect::<PResult<_>>()?,
                None => Vec::new(),
            };
            ExprKind::Call { name, args }
        }
        Rule::field_ref => ExprKind::Field(field_ref(pair)),
        rule => unreachable!("grammar guarantees no {rule:?} as an eval atom"),
    };
    Ok(Expr { kind, span: whole })
}

/// `field_ref`: a bare or single-quoted field name (the quotes are not part of the name).
pub(crate) fn field_ref(pair: Pair<'_, Rule>) -> Ident {
    let whole = span(&pair);
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees a field reference has a name");
    let name = match inner.as_rule() {
        Rule::squoted_field => inner
            .into_inner()
            .next()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        _ => inner.as_str().to_string(),
    };
    Ident { name, span: whole }
}
