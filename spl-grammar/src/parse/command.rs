//! Commands of the pipeline: one builder per command rule.

use pest::iterators::Pair;

use super::eval::{assignment, eval_expr};
use super::grammar::Rule;
use super::pipeline::{macro_call, subsearch};
use super::search::search_expr;
use super::text::{field_name, ident, literal, span};
use super::{error, PResult};
use crate::ast::{
    AggArg, Aggregation, BinCommand, Command, DedupCommand, FieldItem, FieldsCommand,
    FillnullCommand, ForeachCommand, GenericArg, GenericCommand, HeadCommand, Ident,
    IplocationCommand, JoinCommand, LookupCommand, LookupField, LookupOutput, OptionArg,
    RegexCommand, RenamePair, RexCommand, SearchCommand, SortCommand, SortKey, StatsCommand,
    StatsKind, TransactionCommand, TstatsCommand,
};

/// Any command rule.
pub(crate) fn command(pair: Pair<'_, Rule>) -> PResult<Command> {
    Ok(match pair.as_rule() {
        Rule::macro_stage => {
            let call = pair
                .into_inner()
                .next()
                .expect("grammar guarantees a macro stage holds a call");
            Command::Macro(macro_call(call))
        }
        Rule::cmd_search => search_command(pair)?,
        Rule::cmd_where => {
            let expr = pair
                .into_inner()
                .nth(1)
                .expect("grammar guarantees `where` has an expression");
            Command::Where(eval_expr(expr)?)
        }
        Rule::cmd_eval => Command::Eval(
            pair.into_inner()
                .skip(1)
                .map(assignment)
                .collect::<PResult<_>>()?,
        ),
        Rule::cmd_regex => Command::Regex(regex(pair)),
        Rule::cmd_rex => Command::Rex(rex(pair)?),
        Rule::cmd_table => {
            let list = pair
                .into_inner()
                .nth(1)
                .expect("grammar guarantees `table` has a field list");
            Command::Table(field_list(list))
        }
        Rule::cmd_fields => Command::Fields(fields(pair)),
        Rule::cmd_rename => Command::Rename(
            pair.into_inner()
                .filter(|p| p.as_rule() == Rule::rename_pair)
                .map(rename_pair)
                .collect(),
        ),
        Rule::cmd_fillnull => Command::Fillnull(fillnull(pair)?),
        Rule::cmd_sort => Command::Sort(sort(pair)?),
        Rule::cmd_dedup => Command::Dedup(dedup(pair)?),
        Rule::cmd_head => Command::Head(head(pair)?),
        Rule::cmd_bin => Command::Bin(bin(pair)?),
        Rule::cmd_stats => Command::Stats(stats(pair)?),
        Rule::cmd_timechart => Command::Timechart(stats(pair)?),
        Rule::cmd_tstats => Command::Tstats(tstats(pair)?),
        Rule::cmd_transaction => Command::Transaction(transaction(pair)),
        Rule::cmd_lookup => Command::Lookup(lookup(pair)),
        Rule::cmd_iplocation => Command::Iplocation(iplocation(pair)?),
        Rule::cmd_join => Command::Join(join(pair)?),
        Rule::cmd_foreach => Command::Foreach(foreach(pair)?),
        Rule::cmd_generic => Command::Generic(generic(pair)?),
        rule => unreachable!("grammar guarantees no {rule:?} as a command"),
    })
}

/// `cmd_search`: `search [expr]`.
pub(crate) fn search_command(pair: Pair<'_, Rule>) -> PResult<Command> {
    let expr = pair.into_inner().nth(1).map(search_expr).transpose()?;
    Ok(Command::Search(SearchCommand {
        explicit: true,
        expr,
    }))
}

/// `option` or `generic_option`: `key=value`.
fn option(pair: Pair<'_, Rule>) -> OptionArg {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let key = ident(
        &inner
            .next()
            .expect("grammar guarantees an option has a key"),
    );
    let value = literal(
        inner
            .next()
            .expect("grammar guarantees an option has a value"),
    );
    OptionArg {
        key,
        value,
        span: whole,
    }
}

/// `count`: a whole number.
fn count(pair: &Pair<'_, Rule>) -> PResult<u64> {
    pair.as_str().parse().map_err(|_| {
        error(
            span(pair),
            "this number is too large",
            "more than a 64-bit count",
        )
    })
}

/// A whole number given as an option value (`max_match=10`, `limit=5`).
fn option_count(option: &OptionArg) -> PResult<u64> {
    option.value.value.parse().map_err(|_| {
        error(
            option.value.span,
            format!("`{}` needs a whole number", option.key.name),
            "not a whole number",
        )
    })
}

/// `field_list`: field names and macro calls.
fn field_list(pair: Pair<'_, Rule>) -> Vec<FieldItem> {
    pair.into_inner().map(field_item).collect()
}

/// A `field_name` or `macro_call` pair as a field-list item.
fn field_item(pair: Pair<'_, Rule>) -> FieldItem {
    match pair.as_rule() {
        Rule::macro_call => FieldItem::Macro(macro_call(pair)),
        _ => FieldItem::Field(field_name(pair)),
    }
}

/// `cmd_regex`: `regex [field(=|!=)]<word>`.
fn regex(pair: Pair<'_, Rule>) -> RegexCommand {
    let arg = pair
        .into_inner()
        .nth(1)
        .expect("grammar guarantees `regex` has an argument");
    let mut inner = arg.into_inner();
    let first = inner.next().expect("grammar guarantees a regex argument");
    if first.as_rule() == Rule::regex_field {
        let op = inner.next().expect("grammar guarantees a regex operator");
        let pattern = literal(inner.next().expect("grammar guarantees a regex pattern"));
        RegexCommand {
            field: Some(ident(&first)),
            negated: op.as_str() == "!=",
            pattern,
        }
    } else {
        RegexCommand {
            field: None,
            negated: false,
            pattern: literal(first),
        }
    }
}

/// `cmd_rex`: options and exactly one pattern.
fn rex(pair: Pair<'_, Rule>) -> PResult<RexCommand> {
    let whole = span(&pair);
    let mut field = None;
    let mut max_match = None;
    let mut sed = false;
    let mut options = Vec::new();
    let mut pattern = None;
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => {
                let opt = option(child);
                match opt.key.name.as_str() {
                    "field" if field.is_none() => {
                        field = Some(Ident {
                            name: opt.value.value.clone(),
                            span: opt.value.span,
                        })
                    }
                    "max_match" if max_match.is_none() => max_match = Some(option_count(&opt)?),
                    "mode" if opt.value.value == "sed" && !sed => sed = true,
                    _ => options.push(opt),
                }
            }
            _ => {
                let word = literal(child);
                if pattern.is_some() {
                    return Err(error(
                        word.span,
                        "`rex` takes one regular expression",
                        "a second one",
                    )
                    .with_note("quote the whole pattern: `rex field=f \"(?<name>...)\"`"));
                }
                pattern = Some(word);
            }
        }
    }
    let pattern = pattern.ok_or_else(|| {
        error(
            crate::span::Span::point(whole.end),
            "expected a quoted regular expression for `rex`",
            "the pattern is missing",
        )
    })?;
    Ok(RexCommand {
        field,
        max_match,
        sed,
        options,
        pattern,
    })
}

/// `cmd_fields`: `fields [+|-] list`.
fn fields(pair: Pair<'_, Rule>) -> FieldsCommand {
    let mut remove = false;
    let mut items = Vec::new();
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::fields_sign => remove = child.as_str() == "-",
            _ => items = field_list(child),
        }
    }
    FieldsCommand {
        remove,
        fields: items,
    }
}

/// `rename_pair`: `from AS to`.
fn rename_pair(pair: Pair<'_, Rule>) -> RenamePair {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let from = field_name(inner.next().expect("grammar guarantees a rename source"));
    let to = field_name(inner.nth(1).expect("grammar guarantees a rename target"));
    RenamePair {
        from,
        to,
        span: whole,
    }
}

/// `cmd_fillnull`: `value=v` (before or after) and fields.
fn fillnull(pair: Pair<'_, Rule>) -> PResult<FillnullCommand> {
    let mut value = None;
    let mut items = Vec::new();
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => {
                let opt = option(child);
                if opt.key.name != "value" {
                    return Err(error(
                        opt.key.span,
                        format!("unknown `fillnull` option `{}`", opt.key.name),
                        "not an option of `fillnull`",
                    )
                    .with_note("`fillnull` takes `value=` and a list of fields"));
                }
                if value.is_some() {
                    return Err(error(
                        opt.span,
                        "`value=` is given twice",
                        "second `value=`",
                    ));
                }
                value = Some(opt.value);
            }
            _ => items.push(field_item(child)),
        }
    }
    Ok(FillnullCommand {
        value,
        fields: items,
    })
}

/// `cmd_sort`: `sort [N] [+|-]field, ...`.
fn sort(pair: Pair<'_, Rule>) -> PResult<SortCommand> {
    let mut limit = None;
    let mut keys = Vec::new();
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::count => limit = Some(count(&child)?),
            _ => {
                let whole = span(&child);
                let mut descending = false;
                let mut field = None;
                for part in child.into_inner() {
                    match part.as_rule() {
                        Rule::sort_sign => descending = part.as_str() == "-",
                        _ => field = Some(field_name(part)),
                    }
                }
                let field = field.expect("grammar guarantees a sort key has a field");
                keys.push(SortKey {
                    descending,
                    field,
                    span: whole,
                });
            }
        }
    }
    Ok(SortCommand { limit, keys })
}

/// `cmd_dedup`: `dedup [N] fields [options]`.
fn dedup(pair: Pair<'_, Rule>) -> PResult<DedupCommand> {
    let mut cmd = DedupCommand {
        count: None,
        fields: Vec::new(),
        options: Vec::new(),
    };
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::count => cmd.count = Some(count(&child)?),
            Rule::option => cmd.options.push(option(child)),
            _ => cmd.fields.push(field_name(child)),
        }
    }
    Ok(cmd)
}

/// `cmd_head`: `head [N]` or `head limit=N`.
fn head(pair: Pair<'_, Rule>) -> PResult<HeadCommand> {
    let mut limit = None;
    if let Some(child) = pair.into_inner().nth(1) {
        if child.as_rule() == Rule::count {
            limit = Some(count(&child)?);
        } else {
            let opt = option(child);
            if opt.key.name != "limit" {
                return Err(error(
                    opt.key.span,
                    format!("unknown `head` option `{}`", opt.key.name),
                    "not an option of `head`",
                )
                .with_note("`head` takes a number or `limit=N`"));
            }
            limit = Some(option_count(&opt)?);
        }
    }
    Ok(HeadCommand { limit })
}

/// `cmd_bin`: options, at most one field, at most one `AS name`, in any order.
fn bin(pair: Pair<'_, Rule>) -> PResult<BinCommand> {
    let mut inner = pair.into_inner();
    let keyword = ident(
        &inner
            .next()
            .expect("grammar guarantees `bin` has a keyword"),
    );
    let mut cmd = BinCommand {
        keyword,
        options: Vec::new(),
        field: None,
        alias: None,
    };
    for child in inner {
        match child.as_rule() {
            Rule::option => cmd.options.push(option(child)),
            Rule::bin_alias => {
                let name = field_name(
                    child
                        .into_inner()
                        .nth(1)
                        .expect("grammar guarantees AS has a name"),
                );
                if cmd.alias.is_some() {
                    return Err(error(
                        name.span,
                        "`bin` takes one `AS` name",
                        "a second name",
                    ));
                }
                cmd.alias = Some(name);
            }
            _ => {
                let name = field_name(child);
                if cmd.field.is_some() {
                    return Err(error(
                        name.span,
                        format!("`{}` takes one field", cmd.keyword.name),
                        "a second field",
                    ));
                }
                cmd.field = Some(name);
            }
        }
    }
    Ok(cmd)
}

/// `cmd_stats`: options, aggregations, `BY` fields, options.
fn stats(pair: Pair<'_, Rule>) -> PResult<StatsCommand> {
    let mut inner = pair.into_inner();
    let keyword = inner.next().expect("grammar guarantees a stats keyword");
    let kind = match keyword.as_str().to_ascii_lowercase().as_str() {
        "stats" | "timechart" => StatsKind::Stats,
        "eventstats" => StatsKind::Eventstats,
        _ => StatsKind::Streamstats,
    };
    let mut cmd = StatsCommand {
        kind,
        options: Vec::new(),
        aggs: Vec::new(),
        by: Vec::new(),
    };
    for child in inner {
        match child.as_rule() {
            Rule::option => cmd.options.push(option(child)),
            Rule::aggregation => cmd.aggs.push(aggregation(child)?),
            Rule::by_list => cmd.by = child.into_inner().map(field_item).collect(),
            _ => {} // the BY keyword
        }
    }
    Ok(cmd)
}

/// `cmd_tstats`: options and aggregations, `FROM datamodel=...`, `WHERE <search>`, `BY`
/// fields and options.
fn tstats(pair: Pair<'_, Rule>) -> PResult<TstatsCommand> {
    let mut cmd = TstatsCommand {
        options: Vec::new(),
        macros: Vec::new(),
        macro_options: Vec::new(),
        aggs: Vec::new(),
        from: None,
        filter: None,
        by: Vec::new(),
    };
    let mut after_from = false;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::kw_from => after_from = true,
            Rule::option if after_from && cmd.from.is_none() => cmd.from = Some(option(child)),
            Rule::option => cmd.options.push(option(child)),
            Rule::macro_call => cmd.macros.push(macro_call(child)),
            Rule::macro_option => {
                let mut inner = child.into_inner();
                let key = ident(&inner.next().expect("grammar guarantees a key"));
                let call = macro_call(inner.next().expect("grammar guarantees a macro call"));
                cmd.macro_options.push((key, call));
            }
            Rule::aggregation => cmd.aggs.push(aggregation(child)?),
            Rule::tstats_where => {
                cmd.filter = child.into_inner().next().map(search_expr).transpose()?;
            }
            Rule::tstats_by => {
                for item in child.into_inner() {
                    match item.as_rule() {
                        Rule::option => cmd.options.push(option(item)),
                        _ => cmd.by.push(field_item(item)),
                    }
                }
            }
            _ => {} // keywords
        }
    }
    Ok(cmd)
}

/// `aggregation`: `func[(arg)] [AS name]`.
fn aggregation(pair: Pair<'_, Rule>) -> PResult<Aggregation> {
    let whole = span(&pair);
    let mut agg = Aggregation {
        func: Ident {
            name: String::new(),
            span: whole,
        },
        arg: None,
        alias: None,
        span: whole,
    };
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::agg_func => agg.func = ident(&child),
            Rule::agg_paren => {
                agg.arg = match child.into_inner().next() {
                    Some(arg) if arg.as_rule() == Rule::agg_eval => {
                        let expr = arg
                            .into_inner()
                            .nth(1)
                            .expect("grammar guarantees eval() holds an expression");
                        Some(AggArg::Eval(eval_expr(expr)?))
                    }
                    Some(arg) => Some(AggArg::Field(field_name(arg))),
                    None => None,
                };
            }
            Rule::agg_alias => agg.alias = Some(field_name(child)),
            _ => {} // AS
        }
    }
    Ok(agg)
}

/// `cmd_transaction`: fields and options.
fn transaction(pair: Pair<'_, Rule>) -> TransactionCommand {
    let mut cmd = TransactionCommand {
        fields: Vec::new(),
        options: Vec::new(),
    };
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => cmd.options.push(option(child)),
            _ => cmd.fields.push(field_name(child)),
        }
    }
    cmd
}

/// `cmd_lookup`: `lookup [options] table in [AS f] ... [OUTPUT|OUTPUTNEW out [AS f] ...]`.
fn lookup(pair: Pair<'_, Rule>) -> LookupCommand {
    let mut options = Vec::new();
    let mut table = None;
    let mut inputs = Vec::new();
    let mut output_mode = None;
    let mut outputs = Vec::new();
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => options.push(option(child)),
            Rule::field_name => table = Some(field_name(child)),
            Rule::kw_output => {
                output_mode = Some(if child.as_str().eq_ignore_ascii_case("outputnew") {
                    LookupOutput::OutputNew
                } else {
                    LookupOutput::Output
                });
            }
            _ => {
                let field = lookup_field(child);
                if output_mode.is_some() {
                    outputs.push(field);
                } else {
                    inputs.push(field);
                }
            }
        }
    }
    let table = table.expect("grammar guarantees `lookup` names a table");
    LookupCommand {
        options,
        table,
        inputs,
        output_mode,
        outputs,
    }
}

/// `lookup_field`: `column [AS field]`.
fn lookup_field(pair: Pair<'_, Rule>) -> LookupField {
    let whole = span(&pair);
    let mut names = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::field_name)
        .map(field_name);
    let column = names.next().expect("grammar guarantees a lookup column");
    LookupField {
        column,
        alias: names.next(),
        span: whole,
    }
}

/// `cmd_iplocation`: options and one field.
fn iplocation(pair: Pair<'_, Rule>) -> PResult<IplocationCommand> {
    let whole = span(&pair);
    let mut options = Vec::new();
    let mut field = None;
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => options.push(option(child)),
            _ => {
                let name = field_name(child);
                if field.is_some() {
                    return Err(error(
                        name.span,
                        "`iplocation` takes one field",
                        "a second field",
                    ));
                }
                field = Some(name);
            }
        }
    }
    let field = field.ok_or_else(|| {
        error(
            crate::span::Span::point(whole.end),
            "expected the IP address field of `iplocation`",
            "the field is missing",
        )
    })?;
    Ok(IplocationCommand { options, field })
}

/// `cmd_join`: options, fields and a subsearch.
fn join(pair: Pair<'_, Rule>) -> PResult<JoinCommand> {
    let mut options = Vec::new();
    let mut fields = Vec::new();
    let mut sub = None;
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => options.push(option(child)),
            Rule::subsearch => sub = Some(subsearch(child)?),
            _ => fields.push(field_name(child)),
        }
    }
    let subsearch = sub.expect("grammar guarantees `join` has a subsearch");
    Ok(JoinCommand {
        options,
        fields,
        subsearch,
    })
}

/// `cmd_foreach`: field patterns, options and a template.
fn foreach(pair: Pair<'_, Rule>) -> PResult<ForeachCommand> {
    let mut options = Vec::new();
    let mut fields = Vec::new();
    let mut template = None;
    for child in pair.into_inner().skip(1) {
        match child.as_rule() {
            Rule::option => options.push(option(child)),
            Rule::template => template = Some(subsearch(child)?),
            _ => fields.push(field_name(child)),
        }
    }
    let template = template.expect("grammar guarantees `foreach` has a template");
    Ok(ForeachCommand {
        fields,
        options,
        template,
    })
}

/// `cmd_generic`: any other command.
fn generic(pair: Pair<'_, Rule>) -> PResult<GenericCommand> {
    let mut inner = pair.into_inner();
    let name = ident(&inner.next().expect("grammar guarantees a command name"));
    let mut args = Vec::new();
    for child in inner {
        args.push(match child.as_rule() {
            Rule::subsearch => GenericArg::Subsearch(subsearch(child)?),
            Rule::macro_call => GenericArg::Macro(macro_call(child)),
            Rule::generic_option => GenericArg::Option(option(child)),
            _ => GenericArg::Word(literal(child)),
        });
    }
    Ok(GenericCommand { name, args })
}
