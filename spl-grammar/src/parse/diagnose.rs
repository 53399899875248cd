//! Turning a grammar failure into a [`ParseError`] that names the mistake in words and
//! points at it.

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::Rule;
use super::lex::{check_parens, point, segments, SegmentKind};
use super::{error, ParseError};
use crate::span::Span;

/// Explain why the grammar rejected `src`.
pub(crate) fn explain(src: &str, err: &pest::error::Error<Rule>) -> ParseError {
    let at = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    let segs = segments(src);

    // Parentheses of search, where, eval and stats stages up to the failure.
    for seg in segs
        .iter()
        .filter(|s| s.kind != SegmentKind::Other && s.span.start <= at)
    {
        if let Err(e) = check_parens(src, seg) {
            return e;
        }
    }

    // The stage the failure is in.
    let seg = segs
        .iter()
        .rev()
        .find(|s| s.span.start <= at && at <= s.span.end);

    // A missing operator between two eval operands (`x) ANDmatch(y)`).
    if positives.iter().any(|r| {
        matches!(
            r,
            Rule::kw_e_and | Rule::kw_e_or | Rule::kw_xor | Rule::eval_cmp_op
        )
    }) {
        if let Some(e) = missing_operator(src, at) {
            let in_eval = seg.is_some_and(|seg| {
                let text = seg.span.slice(src).trim_start();
                text.get(..4)
                    .is_some_and(|w| w.eq_ignore_ascii_case("eval"))
            });
            return if in_eval {
                e.with_note("in `eval`, separate assignments with a comma: `eval a=1, b=2`")
            } else {
                e
            };
        }
    }

    generic(src, at, positives)
}

/// An operand where an operator was expected in an eval expression.
fn missing_operator(src: &str, at: usize) -> Option<ParseError> {
    let bytes = src.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut start = at.min(bytes.len());
    while start > 0 && is_ident(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at.min(bytes.len());
    while end < bytes.len() && is_ident(bytes[end]) {
        end += 1;
    }
    if start == end {
        return None;
    }
    let word = &src[start..end];
    let lower = word.to_ascii_lowercase();
    let glued = ["and", "or", "xor"]
        .into_iter()
        .find(|k| lower.starts_with(k) && lower.len() > k.len());
    let mut e = error(
        Span::new(start, end),
        "expected an operator such as AND or OR between expressions",
        match glued {
            Some(_) => format!("`{word}` is not an operator"),
            None => "another expression starts here".to_string(),
        },
    );
    if let Some(k) = glued {
        let (kw, rest) = word.split_at(k.len());
        e = e.with_note(format!("put a space between `{kw}` and `{rest}`"));
    }
    Some(e)
}

/// A message from what the grammar expected.
fn generic(src: &str, at: usize, positives: &[Rule]) -> ParseError {
    let mut expected: Vec<&str> = Vec::new();
    for rule in positives {
        let phrase = phrase(*rule);
        if !expected.contains(&phrase) {
            expected.push(phrase);
        }
    }
    let found = match src[at.min(src.len())..].chars().next() {
        None => "the end of the query".to_string(),
        Some(c) if c.is_whitespace() => "white space".to_string(),
        Some(c) => format!("`{c}`"),
    };
    let span = point(src, at);
    if expected.is_empty() {
        return error(span, format!("unexpected {found}"), "not expected here");
    }
    let list = match expected.as_slice() {
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => unreachable!("checked above"),
    };
    error(
        span,
        format!("expected {list}, found {found}"),
        format!("expected {}", expected[0]),
    )
}

/// A grammar rule in words.
fn phrase(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the query",
        Rule::pipeline | Rule::stage | Rule::template_pipeline => "a command",
        Rule::cmd_generic | Rule::name => "a name",
        Rule::quoted | Rule::quoted_inner | Rule::phrase | Rule::eval_string => "a quoted string",
        Rule::macro_call
        | Rule::macro_stage
        | Rule::macro_name
        | Rule::macro_args
        | Rule::macro_args_body => "a macro call",
        Rule::field_name
        | Rule::agg_alias
        | Rule::list_field
        | Rule::alias_group
        | Rule::field_word
        | Rule::field_tail
        | Rule::field_list
        | Rule::search_field
        | Rule::regex_field => "a field name",
        Rule::field_ref
        | Rule::bare_field
        | Rule::squoted_field
        | Rule::squoted_inner
        | Rule::dynamic_target
        | Rule::dynamic_bare
        | Rule::target_field
        | Rule::target_bare => "a field name",
        Rule::word | Rule::bare_piece => "an argument",
        Rule::option
        | Rule::generic_option
        | Rule::option_key
        | Rule::option_value
        | Rule::value_piece
        | Rule::eval_value
        | Rule::paren_value => "an option `name=value`",
        Rule::count => "a number",
        Rule::number => "a number",
        Rule::kw_as => "`AS`",
        Rule::kw_by => "`BY`",
        Rule::kw_output => "`OUTPUT`",
        Rule::search_expr
        | Rule::search_and
        | Rule::search_or
        | Rule::search_not
        | Rule::search_group
        | Rule::bare_term
        | Rule::term_call
        | Rule::case_call
        | Rule::search_compare
        | Rule::search_in
        | Rule::implicit_search
        | Rule::first_stage => "a search term",
        Rule::raw_body => "the text of the term",
        Rule::compare_op => "a comparison operator",
        Rule::regex_op => "`=` or `!=`",
        Rule::assign_op => "`=`",
        Rule::search_value | Rule::bare_value => "a value",
        Rule::in_value | Rule::in_bare => "a value",
        Rule::kw_in | Rule::kw_e_in => "`IN`",
        Rule::kw_and | Rule::kw_e_and => "`AND`",
        Rule::kw_or | Rule::kw_e_or => "`OR`",
        Rule::kw_not | Rule::kw_e_not | Rule::bang => "`NOT`",
        Rule::kw_xor => "`XOR`",
        Rule::kw_like => "`LIKE`",
        Rule::eval_cmp_op => "a comparison operator",
        Rule::concat_op | Rule::add_op | Rule::mul_op => "an operator",
        Rule::neg => "`-`",
        Rule::eval_expr
        | Rule::eval_xor
        | Rule::eval_or
        | Rule::eval_and
        | Rule::eval_not
        | Rule::eval_cmp
        | Rule::eval_concat
        | Rule::eval_add
        | Rule::eval_mul
        | Rule::eval_unary
        | Rule::eval_paren
        | Rule::eval_call
        | Rule::eval_args => "an expression",
        Rule::eval_in_list => "a parenthesised list",
        Rule::assignment => "an assignment `field=expression`",
        Rule::regex_arg => "`field=\"regex\"`, `field!=\"regex\"` or a quoted regex",
        Rule::subsearch | Rule::template => "a bracketed subsearch `[ ... ]`",
        Rule::lead_pipe => "`|`",
        Rule::fields_sign | Rule::sort_sign => "`+` or `-`",
        Rule::sort_key => "a field to sort by",
        Rule::rename_pair => "a rename `old AS new`",
        Rule::aggregation | Rule::agg_func | Rule::agg_paren | Rule::agg_eval => {
            "an aggregation such as `count` or `values(field)`"
        }
        Rule::by_list => "a field name",
        Rule::bin_alias => "`AS`",
        Rule::lookup_field => "a lookup field",
        _ => "a command",
    }
}
