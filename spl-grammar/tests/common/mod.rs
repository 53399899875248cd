//! Helpers shared by the parse tests: parse one stage, and write trees as compact
//! s-expressions so that expected shapes read at a glance.

#![allow(dead_code, clippy::unwrap_used)]

use spl_grammar::ast::{
    Command, Expr, ExprKind, FieldItem, Literal, MacroCall, Query, SearchExpr, SearchKind, Stage,
};
use spl_grammar::{parse_query, ParseError};

/// Parse, panicking with the error on failure.
pub fn parse(src: &str) -> Query {
    match parse_query(src) {
        Ok(q) => q,
        Err(e) => panic!("{src:?} does not parse: {e:?}"),
    }
}

/// Parse, panicking when it succeeds.
pub fn parse_err(src: &str) -> ParseError {
    match parse_query(src) {
        Ok(q) => panic!("{src:?} parses, but should not: {q:?}"),
        Err(e) => e,
    }
}

/// The stage `n` of `src`.
pub fn stage(src: &str, n: usize) -> Stage {
    parse(src).stages.swap_remove(n)
}

/// The command of stage `n`.
pub fn command(src: &str, n: usize) -> Command {
    stage(src, n).command
}

/// The expression of the first (search) stage.
pub fn search_expr(src: &str) -> SearchExpr {
    match command(src, 0) {
        Command::Search(s) => s.expr.expect("an expression"),
        other => panic!("not a search: {other:?}"),
    }
}

/// The first stage as an s-expression.
pub fn search(src: &str) -> String {
    search_sexp(&search_expr(src))
}

/// The expression of `| where <expr>` as an s-expression.
pub fn where_(expr: &str) -> String {
    match command(&format!("x | where {expr}"), 1) {
        Command::Where(e) => expr_sexp(&e),
        other => panic!("not a where: {other:?}"),
    }
}

fn lit(l: &Literal) -> String {
    if l.quoted {
        format!("\"{}\"", l.value)
    } else {
        l.value.clone()
    }
}

pub fn macro_text(m: &MacroCall) -> String {
    match &m.args {
        None => format!("`{}`", m.name.name),
        Some(args) => {
            let args: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
            format!("`{}({})`", m.name.name, args.join("|"))
        }
    }
}

/// `(and ...)`, `(or ...)`, `(not x)`, bare terms as written, phrases in quotes,
/// `TERM[x]`, `CASE[x]`, `field=value`, `(in field v ...)`, macros in backticks with
/// arguments separated by `|`, `(subsearch QUERY)`.
pub fn search_sexp(e: &SearchExpr) -> String {
    let list = |head: &str, items: &[SearchExpr]| {
        let inner: Vec<String> = items.iter().map(search_sexp).collect();
        format!("({head} {})", inner.join(" "))
    };
    match &e.kind {
        SearchKind::And(items) => list("and", items),
        SearchKind::Or(items) => list("or", items),
        SearchKind::Not(inner) => format!("(not {})", search_sexp(inner)),
        SearchKind::Term(l) => l.value.clone(),
        SearchKind::Phrase(l) => format!("\"{}\"", l.value),
        SearchKind::TermCall(l) => format!("TERM[{}]", lit(l)),
        SearchKind::CaseCall(l) => format!("CASE[{}]", lit(l)),
        SearchKind::Compare(c) => format!("{}{}{}", c.field.name, c.op.as_str(), lit(&c.value)),
        SearchKind::In(i) => {
            let values: Vec<String> = i.values.iter().map(lit).collect();
            format!("(in {} {})", i.field.name, values.join(" "))
        }
        SearchKind::Macro(m) => macro_text(m),
        SearchKind::Subsearch(sub) => format!("(subsearch {})", sub.query),
    }
}

/// `(OP lhs rhs)`, `(NOT x)`, `(neg x)`, `(IN x a ...)`, `(f args ...)`, fields bare,
/// strings in quotes, numbers as written, macros in backticks.
pub fn expr_sexp(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Field(f) => f.name.clone(),
        ExprKind::Str(s) => format!("\"{s}\""),
        ExprKind::Number(n) => n.clone(),
        ExprKind::Not(x) => format!("(NOT {})", expr_sexp(x)),
        ExprKind::Neg(x) => format!("(neg {})", expr_sexp(x)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.as_str(), expr_sexp(lhs), expr_sexp(rhs))
        }
        ExprKind::In { expr, list } => {
            let items: Vec<String> = list.iter().map(expr_sexp).collect();
            format!("(IN {} {})", expr_sexp(expr), items.join(" "))
        }
        ExprKind::Call { name, args } => {
            let items: Vec<String> = args.iter().map(expr_sexp).collect();
            if items.is_empty() {
                format!("({})", name.name)
            } else {
                format!("({} {})", name.name, items.join(" "))
            }
        }
        ExprKind::Macro(m) => macro_text(m),
    }
}

/// A field list as text: names, macros in backticks.
pub fn items(list: &[FieldItem]) -> Vec<String> {
    list.iter()
        .map(|i| match i {
            FieldItem::Field(f) => f.name.clone(),
            FieldItem::Macro(m) => macro_text(m),
        })
        .collect()
}
