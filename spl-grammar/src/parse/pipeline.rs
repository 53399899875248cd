//! Pipelines, stages, subsearches and macro calls.

use pest::iterators::Pair;

use super::grammar::Rule;
use super::text::span;
use super::{command, search, PResult};
use crate::ast::{
    Command, FieldItem, GenericArg, Ident, MacroArg, MacroCall, Query, SearchCommand, Stage,
    Subsearch,
};
use crate::span::Span;

/// `query`: the whole input.
pub(crate) fn query(pair: Pair<'_, Rule>) -> PResult<Query> {
    let pipeline = pair
        .into_inner()
        .find(|p| p.as_rule() == Rule::pipeline)
        .expect("grammar guarantees a query holds a pipeline");
    self::pipeline(pipeline)
}

/// `pipeline`: a first (search) stage and further stages.
pub(crate) fn pipeline(pair: Pair<'_, Rule>) -> PResult<Query> {
    let query_span = span(&pair);
    let mut stages = Vec::new();
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::first_stage => stages.push(first_stage(child)?),
            Rule::stage => stages.push(stage(child)?),
            rule => unreachable!("grammar guarantees no {rule:?} in a pipeline"),
        }
    }
    Ok(Query {
        stages,
        span: query_span,
    })
}

/// `template_pipeline`: like a pipeline, but the first stage is a command, or empty when
/// the template begins with `|`.
pub(crate) fn template_pipeline(pair: Pair<'_, Rule>) -> PResult<Query> {
    let query_span = span(&pair);
    let mut stages = Vec::new();
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::lead_pipe => stages.push(empty_search(span(&child).start)),
            Rule::stage => stages.push(stage(child)?),
            rule => unreachable!("grammar guarantees no {rule:?} in a template"),
        }
    }
    Ok(Query {
        stages,
        span: query_span,
    })
}

/// An empty implicit search at byte `at`.
fn empty_search(at: usize) -> Stage {
    Stage {
        command: Command::Search(SearchCommand {
            explicit: false,
            expr: None,
        }),
        trailing_macros: Vec::new(),
        span: Span::point(at),
    }
}

/// `first_stage`: `search ...` or an implicit search, possibly empty.
fn first_stage(pair: Pair<'_, Rule>) -> PResult<Stage> {
    let stage_span = span(&pair);
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees a first stage has a body");
    let command = match inner.as_rule() {
        Rule::cmd_search => command::search_command(inner)?,
        Rule::implicit_search => {
            let expr = inner
                .into_inner()
                .next()
                .map(search::search_expr)
                .transpose()?;
            Command::Search(SearchCommand {
                explicit: false,
                expr,
            })
        }
        rule => unreachable!("grammar guarantees no {rule:?} as a first stage"),
    };
    Ok(Stage {
        command,
        trailing_macros: Vec::new(),
        span: stage_span,
    })
}

/// `stage`: a command and the macro calls written after it.
///
/// Macro calls that end a field list or a generic command's arguments, after at least one
/// other item, are moved to [`Stage::trailing_macros`] as well, so that "a macro after the
/// arguments" has one place whatever the command. A list made of macro calls only keeps
/// them (`` table `fields_macro` ``, `` stats count by `by_macro` ``).
fn stage(pair: Pair<'_, Rule>) -> PResult<Stage> {
    let stage_span = span(&pair);
    let mut inner = pair.into_inner();
    let command_pair = inner
        .next()
        .expect("grammar guarantees a stage has a command");
    let mut command = command::command(command_pair)?;
    let mut trailing: Vec<MacroCall> = inner.map(macro_call).collect();
    let mut moved = take_trailing(&mut command);
    moved.append(&mut trailing);
    Ok(Stage {
        command,
        trailing_macros: moved,
        span: stage_span,
    })
}

/// Remove the macro calls that end the command's arguments, in order.
fn take_trailing(command: &mut Command) -> Vec<MacroCall> {
    fn from_items(items: &mut Vec<FieldItem>) -> Vec<MacroCall> {
        let Some(last_field) = items
            .iter()
            .rposition(|i| !matches!(i, FieldItem::Macro(_)))
        else {
            return Vec::new();
        };
        items
            .drain(last_field + 1..)
            .map(|item| match item {
                FieldItem::Macro(m) => m,
                FieldItem::Field(_) => unreachable!("only macro items are drained"),
            })
            .collect()
    }
    match command {
        Command::Table(items) => from_items(items),
        Command::Fields(f) => from_items(&mut f.fields),
        Command::Fillnull(f) => from_items(&mut f.fields),
        Command::Stats(s) => {
            // Options written after the BY list keep its macros inside it.
            let by_end = s.by.last().map(|b| field_item_span(b).end);
            let options_after = s
                .options
                .iter()
                .any(|o| by_end.is_some_and(|end| o.span.start > end));
            if options_after {
                Vec::new()
            } else {
                from_items(&mut s.by)
            }
        }
        Command::Tstats(t) => {
            let by_end = t.by.last().map(|b| field_item_span(b).end);
            let options_after = t
                .options
                .iter()
                .any(|o| by_end.is_some_and(|end| o.span.start > end));
            if options_after {
                Vec::new()
            } else {
                from_items(&mut t.by)
            }
        }
        Command::Generic(g) => {
            let Some(last_other) = g
                .args
                .iter()
                .rposition(|a| !matches!(a, GenericArg::Macro(_)))
            else {
                return Vec::new();
            };
            g.args
                .drain(last_other + 1..)
                .map(|arg| match arg {
                    GenericArg::Macro(m) => m,
                    _ => unreachable!("only macro arguments are drained"),
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn field_item_span(item: &FieldItem) -> Span {
    match item {
        FieldItem::Field(f) => f.span,
        FieldItem::Macro(m) => m.span,
    }
}

/// `subsearch`: `[ pipeline ]`.
pub(crate) fn subsearch(pair: Pair<'_, Rule>) -> PResult<Subsearch> {
    let sub_span = span(&pair);
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar guarantees a subsearch holds a pipeline");
    let query = match inner.as_rule() {
        Rule::pipeline => pipeline(inner)?,
        _ => template_pipeline(inner)?,
    };
    Ok(Subsearch {
        query,
        span: sub_span,
    })
}

/// `macro_call`: `` `name` `` or `` `name(args)` ``.
pub(crate) fn macro_call(pair: Pair<'_, Rule>) -> MacroCall {
    let call_span = span(&pair);
    let mut inner = pair.into_inner();
    let name_pair = inner
        .next()
        .expect("grammar guarantees a macro call has a name");
    let name = Ident {
        name: name_pair.as_str().to_string(),
        span: span(&name_pair),
    };
    let args = inner.next().map(|args| {
        let body = args
            .into_inner()
            .next()
            .expect("grammar guarantees macro arguments have a body");
        split_macro_args(body.as_str(), span(&body).start)
    });
    MacroCall {
        name,
        args,
        span: call_span,
    }
}

/// Split macro arguments on commas outside quotes and parentheses; trim each.
/// Only white space between the parentheses means no argument at all.
fn split_macro_args(body: &str, offset: usize) -> Vec<MacroArg> {
    if body.trim().is_empty() {
        return Vec::new();
    }
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut in_quote = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if in_quote {
            if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quote = false;
            }
            continue;
        }
        match c {
            // `\"` outside quotes is a quote character, not the start of a string.
            '\\' if body[i + 1..].starts_with('"') => escaped = true,
            '"' => in_quote = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(macro_arg(body, start, i, offset));
                start = i + 1;
            }
            _ => {}
        }
    }
    args.push(macro_arg(body, start, body.len(), offset));
    args
}

fn macro_arg(body: &str, start: usize, end: usize, offset: usize) -> MacroArg {
    let raw = &body[start..end];
    let lead = raw.len() - raw.trim_start().len();
    let text = raw.trim();
    let from = offset + start + lead;
    MacroArg {
        text: text.to_string(),
        span: Span::new(from, from + text.len()),
    }
}
