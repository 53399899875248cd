//! Eval expressions (`where`, `eval`, `stats ... eval(...)`). Precedence, loosest first:
//! `XOR`, `OR`, `AND`, `NOT`/`!`, comparisons with `LIKE` and `IN`, `.`, `+ -`, `* / %`,
//! unary `-`. Binary operators associate to the left.

use pest::iterators::Pair;

use super::grammar::Rule;
use super::text::{ident, quoted_value, span};
use crate::ast::{Assignment, BinaryOp, Expr, ExprKind, Ident};
use crate::span::Span;

/// `eval_expr`.
pub(crate) fn eval_expr(pair: Pair<'_, Rule>) -> Expr {
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees an eval expression has a body");
    level(inner)
}

/// `assignment`: `field = expr`.
pub(crate) fn assignment(pair: Pair<'_, Rule>) -> Assignment {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let field = field_ref(
        inner
            .next()
            .expect("grammar guarantees an assignment has a target"),
    );
    let value = eval_expr(
        inner
            .next()
            .expect("grammar guarantees an assignment has a value"),
    );
    Assignment {
        field,
        value,
        span: whole,
    }
}

/// Any precedence level of the expression grammar.
fn level(pair: Pair<'_, Rule>) -> Expr {
    match pair.as_rule() {
        Rule::eval_xor
        | Rule::eval_or
        | Rule::eval_and
        | Rule::eval_concat
        | Rule::eval_add
        | Rule::eval_mul => binary_chain(pair),
        Rule::eval_cmp => comparison_chain(pair),
        Rule::eval_not => not(pair),
        Rule::eval_unary => unary(pair),
        Rule::eval_expr => eval_expr(pair),
        _ => atom(pair),
    }
}

/// An operand followed by `(op operand)*`, folded to the left.
fn binary_chain(pair: Pair<'_, Rule>) -> Expr {
    let mut inner = pair.into_inner();
    let first = inner.next().expect("grammar guarantees an operand");
    let start = span(&first).start;
    let mut acc = level(first);
    while let Some(op) = inner.next() {
        let rhs_pair = inner
            .next()
            .expect("grammar guarantees an operand after an operator");
        let end = span(&rhs_pair).end;
        let rhs = level(rhs_pair);
        acc = binary(binary_op(&op), acc, rhs, Span::new(start, end));
    }
    acc
}

/// Comparisons, `LIKE` and `IN (...)`, folded to the left.
fn comparison_chain(pair: Pair<'_, Rule>) -> Expr {
    let mut inner = pair.into_inner();
    let first = inner.next().expect("grammar guarantees an operand");
    let start = span(&first).start;
    let mut acc = level(first);
    while let Some(op) = inner.next() {
        if op.as_rule() == Rule::kw_e_in {
            let list_pair = inner.next().expect("grammar guarantees IN has a list");
            let end = span(&list_pair).end;
            let list = list_pair
                .into_inner()
                .next()
                .map(|args| args.into_inner().map(eval_expr).collect())
                .unwrap_or_default();
            acc = Expr {
                kind: ExprKind::In {
                    expr: Box::new(acc),
                    list,
                },
                span: Span::new(start, end),
            };
        } else {
            let rhs_pair = inner
                .next()
                .expect("grammar guarantees an operand after an operator");
            let end = span(&rhs_pair).end;
            let rhs = level(rhs_pair);
            acc = binary(binary_op(&op), acc, rhs, Span::new(start, end));
        }
    }
    acc
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

/// The operator a pair stands for.
fn binary_op(pair: &Pair<'_, Rule>) -> BinaryOp {
    match pair.as_rule() {
        Rule::kw_xor => BinaryOp::Xor,
        Rule::kw_e_or => BinaryOp::Or,
        Rule::kw_e_and => BinaryOp::And,
        Rule::kw_like => BinaryOp::Like,
        Rule::concat_op => BinaryOp::Concat,
        _ => match pair.as_str() {
            "=" | "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "*" => BinaryOp::Mul,
            "/" => BinaryOp::Div,
            "%" => BinaryOp::Mod,
            other => unreachable!("grammar guarantees no operator {other:?}"),
        },
    }
}

/// `eval_not`: `NOT x`, `!x`, or a comparison.
fn not(pair: Pair<'_, Rule>) -> Expr {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let first = inner
        .next()
        .expect("grammar guarantees eval_not has a body");
    match first.as_rule() {
        Rule::kw_e_not | Rule::bang => {
            let operand = inner.next().expect("grammar guarantees NOT has an operand");
            Expr {
                kind: ExprKind::Not(Box::new(level(operand))),
                span: whole,
            }
        }
        _ => level(first),
    }
}

/// `eval_unary`: `-x` or an atom.
fn unary(pair: Pair<'_, Rule>) -> Expr {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let first = inner
        .next()
        .expect("grammar guarantees eval_unary has a body");
    if first.as_rule() == Rule::neg {
        let operand = inner.next().expect("grammar guarantees `-` has an operand");
        Expr {
            kind: ExprKind::Neg(Box::new(level(operand))),
            span: whole,
        }
    } else {
        atom(first)
    }
}

/// Numbers, strings, parentheses, calls and fields.
fn atom(pair: Pair<'_, Rule>) -> Expr {
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
            return eval_expr(inner);
        }
        Rule::eval_call => {
            let mut inner = pair.into_inner();
            let name = ident(&inner.next().expect("grammar guarantees a call has a name"));
            let args = inner
                .next()
                .map(|args| args.into_inner().map(eval_expr).collect())
                .unwrap_or_default();
            ExprKind::Call { name, args }
        }
        Rule::field_ref => ExprKind::Field(field_ref(pair)),
        rule => unreachable!("grammar guarantees no {rule:?} as an eval atom"),
    };
    Expr { kind, span: whole }
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
