//! Search-command expressions: `NOT` binds tightest, then `OR`, then `AND` (explicit or
//! by juxtaposition).

use pest::iterators::Pair;

use super::grammar::Rule;
use super::pipeline::{macro_call, subsearch};
use super::text::{bare_literal, ident, literal, quoted_literal, span};
use super::PResult;
use crate::ast::{CmpOp, Compare, InList, Literal, SearchExpr, SearchKind};
use crate::span::Span;

/// `search_expr`.
pub(crate) fn search_expr(pair: Pair<'_, Rule>) -> PResult<SearchExpr> {
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees a search expression has a body");
    search_and(inner)
}

/// `search_and`: one or more `search_or`, joined by `AND` or juxtaposition.
fn search_and(pair: Pair<'_, Rule>) -> PResult<SearchExpr> {
    let whole = span(&pair);
    let mut items: Vec<SearchExpr> = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::search_or)
        .map(search_or)
        .collect::<PResult<_>>()?;
    Ok(if items.len() == 1 {
        items.pop().expect("grammar guarantees one item")
    } else {
        SearchExpr {
            kind: SearchKind::And(items),
            span: whole,
        }
    })
}

/// `search_or`: one or more `search_not` joined by `OR`.
fn search_or(pair: Pair<'_, Rule>) -> PResult<SearchExpr> {
    let whole = span(&pair);
    let mut items: Vec<SearchExpr> = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::search_not)
        .map(search_not)
        .collect::<PResult<_>>()?;
    Ok(if items.len() == 1 {
        items.pop().expect("grammar guarantees one item")
    } else {
        SearchExpr {
            kind: SearchKind::Or(items),
            span: whole,
        }
    })
}

/// `search_not`: `NOT x` or an atom.
fn search_not(pair: Pair<'_, Rule>) -> PResult<SearchExpr> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let first = inner
        .next()
        .expect("grammar guarantees a search_not has a body");
    if first.as_rule() == Rule::kw_not {
        let operand = inner.next().expect("grammar guarantees NOT has an operand");
        Ok(SearchExpr {
            kind: SearchKind::Not(Box::new(search_not(operand)?)),
            span: whole,
        })
    } else {
        search_atom(first)
    }
}

/// One atom of a search expression.
fn search_atom(pair: Pair<'_, Rule>) -> PResult<SearchExpr> {
    let whole = span(&pair);
    let kind = match pair.as_rule() {
        Rule::search_group => {
            let inner = pair
                .into_inner()
                .next()
                .expect("grammar guarantees a group holds an expression");
            return search_expr(inner);
        }
        Rule::term_call => SearchKind::TermCall(call_body(pair)),
        Rule::case_call => SearchKind::CaseCall(call_body(pair)),
        Rule::search_in => SearchKind::In(search_in(pair)),
        Rule::search_compare => SearchKind::Compare(search_compare(pair)),
        Rule::macro_call => SearchKind::Macro(macro_call(pair)),
        Rule::subsearch => SearchKind::Subsearch(Box::new(subsearch(pair)?)),
        Rule::phrase => {
            let quoted = pair
                .into_inner()
                .next()
                .expect("grammar guarantees a phrase is quoted");
            SearchKind::Phrase(quoted_literal(quoted))
        }
        Rule::bare_term => SearchKind::Term(bare_literal(&pair)),
        rule => unreachable!("grammar guarantees no {rule:?} as a search atom"),
    };
    Ok(SearchExpr { kind, span: whole })
}

/// The text inside `TERM(...)` / `CASE(...)`: unescaped when it is one quoted string,
/// otherwise as written.
fn call_body(pair: Pair<'_, Rule>) -> Literal {
    let whole = span(&pair);
    match pair.into_inner().next() {
        Some(body) if body.as_rule() == Rule::quoted => quoted_literal(body),
        Some(body) => bare_literal(&body),
        // `TERM()`: an empty body just before the closing parenthesis.
        None => Literal {
            value: String::new(),
            quoted: false,
            span: Span::point(whole.end - 1),
        },
    }
}

/// `search_compare`: `field op value`.
fn search_compare(pair: Pair<'_, Rule>) -> Compare {
    let mut inner = pair.into_inner();
    let field = ident(
        &inner
            .next()
            .expect("grammar guarantees a comparison has a field"),
    );
    let op = compare_op(
        inner
            .next()
            .expect("grammar guarantees a comparison has an operator")
            .as_str(),
    );
    let value = literal(
        inner
            .next()
            .expect("grammar guarantees a comparison has a value"),
    );
    Compare { field, op, value }
}

/// The comparison operator as written.
pub(crate) fn compare_op(text: &str) -> CmpOp {
    CmpOp::from_text(text)
        .filter(|_| text != "==")
        .unwrap_or_else(|| unreachable!("grammar guarantees no comparison operator {text:?}"))
}

/// `search_in`: `field IN (v, ...)`.
fn search_in(pair: Pair<'_, Rule>) -> InList {
    let mut inner = pair.into_inner();
    let field = ident(&inner.next().expect("grammar guarantees IN has a field"));
    let values = inner
        .filter(|p| p.as_rule() == Rule::in_value)
        .map(literal)
        .collect();
    InList { field, values }
}
