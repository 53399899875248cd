//! Lowering the commands after the first search.

use spl_grammar::ast::{self, Command, FieldItem, OptionArg};
use spl_grammar::Span;

use super::eval::{lower_condition, lower_value};
use super::search::lower_search;
use super::{codes, unexpanded, LowerError, Lowerer};
use crate::ir::{
    Agg, AggFunc, AggInput, AppendStage, Assignment, BinSpan, BinStage, FieldPattern,
    IplocationStage, JoinFields, JoinStage, LookupColumn, LookupStage, Pred, RegexStage, RexStage,
    SedEdit, SedOccurrence, SedStage, SortKey, Stage, StatsKind, StatsStage, SubsearchFilterStage,
};

pub(crate) fn lower_command(cx: &mut Lowerer, command: &Command, span: Span) {
    let stage = match command {
        Command::Search(s) => {
            let pred = match &s.expr {
                Some(e) => super::search::lower_search_command(cx, e),
                None => Pred::constant(true),
            };
            if cx.subsearches.is_empty() {
                Some(Stage::Search(pred))
            } else {
                push_subsearch_filter(cx, pred);
                None
            }
        }
        Command::Where(e) => Some(Stage::Where(lower_condition(cx, e))),
        Command::Eval(assigns) => Some(Stage::Eval(
            assigns
                .iter()
                .map(|a| Assignment {
                    field: a.field.name.clone(),
                    dynamic: a.dynamic,
                    value: lower_value(cx, &a.value),
                })
                .collect(),
        )),
        Command::Regex(r) => cx
            .regex(
                &r.pattern.value,
                &cx.origin(&r.pattern.value, r.pattern.span),
                false,
            )
            .map(|regex| {
                Stage::Regex(RegexStage {
                    field: r
                        .field
                        .as_ref()
                        .map_or_else(|| "_raw".to_owned(), |f| f.name.clone()),
                    negated: r.negated,
                    regex,
                })
            }),
        Command::Rex(r) => lower_rex(cx, r),
        Command::Table(items) => Some(Stage::Table(patterns(cx, items))),
        Command::Fields(f) => Some(Stage::Fields {
            remove: f.remove,
            patterns: patterns(cx, &f.fields),
        }),
        Command::Rename(pairs) => Some(Stage::Rename(
            pairs
                .iter()
                .map(|p| {
                    (
                        FieldPattern(p.from.name.clone()),
                        FieldPattern(p.to.name.clone()),
                    )
                })
                .collect(),
        )),
        Command::Fillnull(f) => Some(Stage::Fillnull {
            value: f
                .value
                .as_ref()
                .map_or_else(|| "0".to_owned(), |v| v.value.clone()),
            fields: patterns(cx, &f.fields).into_iter().map(|p| p.0).collect(),
        }),
        Command::Sort(s) => Some(Stage::Sort {
            limit: match s.limit {
                Some(0) => None,
                Some(n) => Some(n),
                None => Some(10_000),
            },
            keys: s
                .keys
                .iter()
                .map(|k| SortKey {
                    field: k.field.name.clone(),
                    descending: k.descending,
                })
                .collect(),
        }),
        Command::Dedup(d) => {
            for o in &d.options {
                cx.error(unsupported_option(o, "dedup"));
            }
            Some(Stage::Dedup {
                count: d.count.unwrap_or(1),
                fields: d.fields.iter().map(|f| f.name.clone()).collect(),
            })
        }
        Command::Head(h) => Some(Stage::Head(h.limit.unwrap_or(10))),
        Command::Bin(b) => lower_bin(cx, b, span),
        Command::Stats(s) => lower_stats(cx, s),
        Command::Timechart(t) => {
            lower_timechart(cx, t, span);
            None
        }
        Command::Tstats(t) => {
            super::datamodel::lower_tstats(cx, t, span);
            None
        }
        Command::Macro(m) => {
            cx.error(unexpanded(m));
            None
        }
        Command::Lookup(l) => Some(lower_lookup(cx, l)),
        Command::Iplocation(i) => Some(lower_iplocation(cx, i)),
        Command::Transaction(t) => super::txn::lower_transaction(cx, t),
        Command::Foreach(f) => super::txn::lower_foreach(cx, f, span),
        Command::Join(j) => lower_join(cx, j, span),
        Command::Generic(g) => {
            if let Some(stage) = super::fieldcmd::lower_field_command(cx, g) {
                if let Some(stage) = stage {
                    cx.stages.push(stage);
                }
                return;
            }
            if super::datamodel::lower_generic(cx, g).is_some() {
                return;
            }
            if let Some(stage) = lower_append(cx, g) {
                if let Some(stage) = stage {
                    cx.stages.push(stage);
                }
                return;
            }
            let error = match needs_outside(&g.name.name) {
                Some(needs) => LowerError::new(
                    codes::UNKNOWN_COMMAND,
                    g.name.span,
                    format!(
                        "`{}` needs {needs}, which splc does not provide",
                        g.name.name
                    ),
                )
                .label("runs outside a search over events"),
                None => LowerError::new(
                    codes::UNKNOWN_COMMAND,
                    g.name.span,
                    format!("unknown command `{}`", g.name.name),
                )
                .label("splc does not know this command"),
            };
            cx.error(error);
            None
        }
    };
    if let Some(stage) = stage {
        cx.stages.push(stage);
    }
}

/// What a command splc does not run needs, for the commands whose meaning lies outside
/// a search over events: a vendor's private command, a Splunk server's stores or actions.
/// `None` for every other command name (known or not).
pub fn needs_outside(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "avlbase64" => {
            "the vendor's command `avlbase64` (a private command of the catalog's vendor)"
        }
        "outputlookup" => "a lookup table to write to (a Splunk server's lookup store)",
        "collect" | "mcollect" => "a summary index to write to",
        "sendalert" | "sendemail" => "a Splunk server's alert actions",
        "apply" | "fit" => "the Machine Learning Toolkit's models",
        "mstats" => "metric indexes",
        "map" => "a Splunk server to run one search per result",
        "cyberchef" => "the CyberChef add-on",
        "rest" => "a Splunk server's REST API",
        "dbxquery" => "a database connection (DB Connect)",
        _ => return None,
    })
}

pub(super) fn unsupported_option(o: &OptionArg, command: &str) -> LowerError {
    LowerError::new(
        codes::UNSUPPORTED,
        o.span,
        format!("option `{}` of `{command}` is not supported", o.key.name),
    )
    .label("unsupported option")
}

fn patterns(cx: &mut Lowerer, items: &[FieldItem]) -> Vec<FieldPattern> {
    let mut out = Vec::new();
    for item in items {
        match item {
            FieldItem::Field(id) => {
                if !out.iter().any(|p: &FieldPattern| p.0 == id.name) {
                    out.push(FieldPattern(id.name.clone()));
                }
            }
            FieldItem::Macro(m) => cx.error(unexpanded(m)),
        }
    }
    out
}

fn lower_rex(cx: &mut Lowerer, r: &ast::RexCommand) -> Option<Stage> {
    for o in &r.options {
        cx.error(unsupported_option(o, "rex"));
    }
    let field = r
        .field
        .as_ref()
        .map_or_else(|| "_raw".to_owned(), |f| f.name.clone());
    if r.sed {
        let edit = parse_sed(cx, &r.pattern.value, r.pattern.span)?;
        return Some(Stage::Sed(SedStage { field, edit }));
    }
    let max_match = r.max_match.unwrap_or(1);
    let origin = cx.origin(&r.pattern.value, r.pattern.span);
    let regex = cx.regex(&r.pattern.value, &origin, max_match != 1)?;
    if regex.names.is_empty() {
        cx.error(
            LowerError::new(
                codes::BAD_VALUE,
                r.pattern.span,
                "rex pattern has no named group",
            )
            .label("nothing to extract")
            .note("name the groups to extract: `(?<name>...)`"),
        );
        return None;
    }
    Some(Stage::Rex(RexStage {
        field,
        regex,
        max_match: r.max_match.unwrap_or(1),
    }))
}

/// Parse `s/re/repl/flags` or `y/from/to/`. The delimiter is the character after `s`/`y`;
/// a backslash before it makes it a literal character of the part it is in.
fn parse_sed(cx: &mut Lowerer, text: &str, span: Span) -> Option<SedEdit> {
    let bad = |msg: &str| {
        LowerError::new(
            codes::UNSUPPORTED,
            span,
            format!("bad sed expression: {msg}"),
        )
        .label("in this sed expression")
        .note("the forms are `s/<regex>/<replacement>/<flags>` and `y/<chars>/<chars>/`")
    };
    let mut chars = text.char_indices();
    let cmd = chars.next().map(|(_, c)| c);
    let Some((_, delim)) = chars.next() else {
        cx.error(bad("too short"));
        return None;
    };
    let mut parts = vec![String::new()];
    // Where each byte of the first part (the regex of `s`) is in `text`, and where that
    // part ends: errors in the regex point into the rule through them.
    let mut regex_bytes: Vec<Span> = Vec::new();
    let mut regex_end = text.len();
    let mut push = |parts: &mut Vec<String>, c: char, from: Span| {
        if parts.len() == 1 {
            regex_bytes.extend(std::iter::repeat_n(from, c.len_utf8()));
        }
        parts.last_mut().expect("one part").push(c);
    };
    let mut escaped: Option<usize> = None;
    for (i, c) in chars {
        let here = Span::new(i, i + c.len_utf8());
        if let Some(backslash) = escaped.take() {
            if c == delim {
                // An escaped delimiter is that character, literally: in the regex, a
                // delimiter that is a regex metacharacter (`s|a\|b|c|`) stays escaped.
                let from = Span::new(backslash, here.end);
                if parts.len() == 1 && "\\.^$|?*+()[]{}".contains(c) {
                    push(&mut parts, '\\', from);
                }
                push(&mut parts, c, from);
            } else {
                push(&mut parts, '\\', Span::new(backslash, i));
                push(&mut parts, c, here);
            }
        } else if c == '\\' {
            escaped = Some(i);
        } else if c == delim {
            if parts.len() == 1 {
                regex_end = i;
            }
            parts.push(String::new());
        } else {
            push(&mut parts, c, here);
        }
    }
    if let Some(backslash) = escaped {
        push(&mut parts, '\\', Span::new(backslash, text.len()));
    }
    match (cmd, parts.len()) {
        (Some('s'), 3) => {
            let flags = &parts[2];
            let occurrence = if flags.is_empty() {
                SedOccurrence::Nth(1)
            } else if flags == "g" {
                SedOccurrence::All
            } else if let Ok(n) = flags.trim_end_matches('g').parse::<u64>() {
                if n == 0 {
                    cx.error(bad("occurrence numbers start at 1"));
                    return None;
                }
                if flags.ends_with('g') {
                    SedOccurrence::FromNth(n)
                } else {
                    SedOccurrence::Nth(n)
                }
            } else {
                cx.error(bad(&format!(
                    "unknown flags `{flags}` (use `g` or a number)"
                )));
                return None;
            };
            let origin = cx.origin(text, span).part(&regex_bytes, regex_end);
            let regex = cx.regex(&parts[0], &origin, true)?;
            Some(SedEdit::Substitute {
                regex,
                replacement: parts[1].clone(),
                occurrence,
            })
        }
        (Some('y'), 3) if parts[2].is_empty() => {
            let from: Vec<char> = parts[0].chars().collect();
            let to: Vec<char> = parts[1].chars().collect();
            if from.len() != to.len() {
                cx.error(bad("`y` needs two lists of the same length"));
                return None;
            }
            Some(SedEdit::Transliterate { from, to })
        }
        _ => {
            cx.error(bad("expected `s/…/…/` or `y/…/…/`"));
            None
        }
    }
}

fn lower_bin(cx: &mut Lowerer, b: &ast::BinCommand, span: Span) -> Option<Stage> {
    let mut bin_span = None;
    for o in &b.options {
        if o.key.name == "span" {
            match parse_span(&o.value.value) {
                Some(s) => bin_span = Some(s),
                None => cx.error(
                    LowerError::new(
                        codes::BAD_VALUE,
                        o.value.span,
                        format!("bad span `{}`", o.value.value),
                    )
                    .label("not a time span")
                    .note("a span is a number and a unit: `1s`, `5m`, `1h`, `1d`, `1mon`, `500ms`"),
                ),
            }
        } else {
            cx.error(unsupported_option(o, b.keyword.name.as_str()));
        }
    }
    let Some(bin_span) = bin_span else {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                span,
                "`bin` without `span=` is not supported",
            )
            .label("needs span=")
            .note("automatic bins (`bins=N`) depend on the whole result set"),
        );
        return None;
    };
    let field = b
        .field
        .as_ref()
        .map_or_else(|| "_time".to_owned(), |f| f.name.clone());
    let output = b
        .alias
        .as_ref()
        .map_or_else(|| field.clone(), |a| a.name.clone());
    Some(Stage::Bin(BinStage {
        field,
        span: bin_span,
        output,
    }))
}

/// A bin span: a number (default unit: seconds) and a unit of Splunk's time-scale table.
pub(crate) fn parse_span(text: &str) -> Option<BinSpan> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let n: f64 = num.parse().ok()?;
    if !(n > 0.0 && n.is_finite()) {
        return None;
    }
    let seconds = match unit.to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 7.0 * 86_400.0,
        "ms" => 1e-3,
        "us" => 1e-6,
        "cs" => 1e-2,
        "ds" => 1e-1,
        "mon" | "month" | "months" => {
            return (n.fract() == 0.0 && n <= f64::from(u32::MAX))
                .then_some(BinSpan::Months(n as u32));
        }
        _ => return None,
    };
    Some(BinSpan::Seconds(n * seconds))
}

pub(super) fn lower_stats(cx: &mut Lowerer, s: &ast::StatsCommand) -> Option<Stage> {
    let mut stage = StatsStage {
        kind: s.kind,
        aggs: Vec::new(),
        by: Vec::new(),
        window: 0,
        current: true,
        global: true,
    };
    for o in &s.options {
        let v = o.value.value.as_str();
        match (s.kind, o.key.name.as_str()) {
            (StatsKind::Streamstats, "window") => match v.parse() {
                Ok(n) => stage.window = n,
                Err(_) => cx.error(bad_option(o, "a whole number")),
            },
            (StatsKind::Streamstats, "current") => match parse_bool(v) {
                Some(b) => stage.current = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            (StatsKind::Streamstats, "global") => match parse_bool(v) {
                Some(b) => stage.global = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            _ => cx.error(unsupported_option(o, s.kind.as_str())),
        }
    }
    for agg in &s.aggs {
        if let Some(reason) = unsupported_aggregation(&agg.func.name) {
            cx.error(
                LowerError::new(
                    codes::UNSUPPORTED,
                    agg.func.span,
                    format!("`{}` is not supported: {reason}", agg.func.name),
                )
                .label("unsupported aggregation"),
            );
            continue;
        }
        let Some((func, percentile)) = AggFunc::parse(&agg.func.name) else {
            cx.error(
                LowerError::new(
                    codes::UNKNOWN_FUNCTION,
                    agg.func.span,
                    format!("unknown aggregation `{}`", agg.func.name),
                )
                .label("not a stats function"),
            );
            continue;
        };
        let (input, default_name) = match &agg.arg {
            None => {
                if func != AggFunc::Count {
                    cx.error(
                        LowerError::new(
                            codes::ARITY,
                            agg.span,
                            format!("`{}` needs a field", agg.func.name),
                        )
                        .label("missing argument"),
                    );
                }
                (AggInput::None, "count".to_owned())
            }
            Some(ast::AggArg::Field(f)) if f.name.contains('*') => (
                AggInput::Pattern(FieldPattern(f.name.clone())),
                format!("{}({})", agg.func.name, f.name),
            ),
            Some(ast::AggArg::Field(f)) => (
                AggInput::Field(f.name.clone()),
                format!("{}({})", agg.func.name, f.name),
            ),
            Some(ast::AggArg::Eval(e)) => (
                AggInput::Eval(lower_agg_eval(cx, &agg.func.name, e)),
                format!("{}(eval)", agg.func.name),
            ),
        };
        let output = agg.alias.as_ref().map_or(default_name, |a| a.name.clone());
        if let AggInput::Pattern(p) = &input {
            if output.matches('*').count() != p.0.matches('*').count() && output.contains('*') {
                cx.error(
                    LowerError::new(
                        codes::BAD_VALUE,
                        agg.span,
                        "the output name must have as many `*` as the input pattern",
                    )
                    .label("wildcard count differs"),
                );
            }
        }
        stage.aggs.push(Agg {
            func,
            input,
            output,
            percentile,
        });
    }
    for item in &s.by {
        match item {
            FieldItem::Field(f) => stage.by.push(f.name.clone()),
            FieldItem::Macro(m) => cx.error(unexpanded(m)),
        }
    }
    Some(Stage::Stats(stage))
}

fn lower_lookup(cx: &mut Lowerer, l: &ast::LookupCommand) -> Stage {
    for o in &l.options {
        match o.key.name.as_str() {
            // Where the lookup runs, and whether a real-time search rereads a changed
            // file: neither changes the rows of a search over files.
            "local" | "update" => {
                if parse_bool(&o.value.value).is_none() {
                    cx.error(bad_option(o, "true or false"));
                }
            }
            _ => cx.error(unsupported_option(o, "lookup")),
        }
    }
    let columns = |items: &[ast::LookupField]| -> Vec<LookupColumn> {
        items
            .iter()
            .map(|c| {
                LookupColumn::new(
                    c.column.name.clone(),
                    c.alias.as_ref().unwrap_or(&c.column).name.clone(),
                )
            })
            .collect()
    };
    Stage::Lookup(LookupStage {
        table: l.table.name.clone(),
        inputs: columns(&l.inputs),
        outputs: columns(&l.outputs),
        new_only: l.output_mode == Some(ast::LookupOutput::OutputNew),
    })
}

fn lower_iplocation(cx: &mut Lowerer, i: &ast::IplocationCommand) -> Stage {
    let mut stage = IplocationStage {
        field: i.field.name.clone(),
        prefix: String::new(),
        allfields: false,
        lang: "en".to_owned(),
    };
    for o in &i.options {
        let v = &o.value.value;
        match o.key.name.as_str() {
            "prefix" => stage.prefix.clone_from(v),
            "allfields" => match parse_bool(v) {
                Some(b) => stage.allfields = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            "lang" => stage.lang.clone_from(v),
            _ => cx.error(unsupported_option(o, "iplocation")),
        }
    }
    Stage::Iplocation(stage)
}

fn lower_join(cx: &mut Lowerer, j: &ast::JoinCommand, span: Span) -> Option<Stage> {
    let mut stage = JoinStage {
        main: Vec::new(),
        fields: join_fields(j),
        left: false,
        max: 1,
        overwrite: true,
        filter: Pred::constant(true),
        stages: Vec::new(),
    };
    for o in &j.options {
        let v = o.value.value.as_str();
        match o.key.name.as_str() {
            "type" => match v.to_ascii_lowercase().as_str() {
                "inner" => stage.left = false,
                "left" | "outer" => stage.left = true,
                _ => cx.error(bad_option(o, "inner, left or outer")),
            },
            "max" => match v.parse() {
                Ok(n) => stage.max = n,
                Err(_) => cx.error(bad_option(o, "a whole number")),
            },
            "overwrite" => match parse_bool(v) {
                Some(b) => stage.overwrite = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            _ => cx.error(unsupported_option(o, "join")),
        }
    }
    let (filter, stages) = lower_subsearch(cx, &j.subsearch, span, "join")?;
    stage.filter = filter;
    stage.stages = stages;
    stage.main = take_main(cx);
    cx.join_filters.push(stage.filter.clone());
    // The join takes the events first: the commands before it are its own.
    cx.stages.push(Stage::Join(Box::new(stage)));
    None
}

/// The fields a join compares: those written, else every field both sides share (the
/// join reference: "If no fields are specified, all of the fields that are common to both
/// result sets are used"), which the step finds once it has both sides' rows.
fn join_fields(j: &ast::JoinCommand) -> JoinFields {
    if j.fields.is_empty() {
        JoinFields::Common
    } else {
        JoinFields::Named(j.fields.iter().map(|f| f.name.clone()).collect())
    }
}

/// `timechart span=S [cont=bool] [limit=N] [partial=bool] aggregations`: `bin _time span=S
/// | stats aggregations BY _time`, then, with `cont=true` (the default), a row for each
/// empty bin between the first and the last. Without a search time range splc cannot pick
/// a span, so `span` is required; `BY` (one column per value) is not supported.
fn lower_timechart(cx: &mut Lowerer, t: &ast::StatsCommand, span: Span) {
    let mut bin = None;
    let mut cont = true;
    for o in &t.options {
        let v = o.value.value.as_str();
        match o.key.name.to_ascii_lowercase().as_str() {
            "span" => match parse_span(v) {
                Some(s) => bin = Some(s),
                None => cx.error(bad_option(o, "a time span such as `5m`, `1h` or `1mon`")),
            },
            "cont" => match parse_bool(v) {
                Some(b) => cont = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            // `limit` ranks the series of `BY`; `partial` marks bins cut by the search's
            // time range: with neither, they change nothing.
            "limit" | "partial" => {}
            _ => cx.error(unsupported_option(o, "timechart")),
        }
    }
    if let Some(first) = t.by.first() {
        let at = match first {
            FieldItem::Field(f) => f.span,
            FieldItem::Macro(m) => m.span,
        };
        cx.error(
            LowerError::new(codes::UNSUPPORTED, at, "`timechart ... BY` is not supported")
                .label("one column per value")
                .note("write `bin _time span=... | stats ... BY _time, field`: the same numbers, one row per value"),
        );
        return;
    }
    let Some(bin) = bin else {
        cx.error(
            LowerError::new(codes::UNSUPPORTED, span, "`timechart` needs `span=`")
                .label("no span")
                .note("Splunk picks a span from the search's time range, which a rule run over files does not have"),
        );
        return;
    };
    let mut stats = t.clone();
    stats.options.clear();
    stats.by = vec![FieldItem::Field(ast::Ident {
        name: "_time".to_owned(),
        span,
    })];
    cx.stages
        .push(Stage::Bin(BinStage::new("_time", bin, "_time")));
    let Some(Stage::Stats(stage)) = lower_stats(cx, &stats) else {
        return;
    };
    let mut zero = Vec::new();
    if cont {
        for agg in &stage.aggs {
            if matches!(agg.func, AggFunc::Count | AggFunc::DistinctCount) {
                zero.push(agg.output.clone());
            } else {
                cx.error(
                    LowerError::new(
                        codes::UNSUPPORTED,
                        span,
                        format!("`timechart` with `cont=true` fills empty bins for `count` and `dc` only, not `{}`", agg.output),
                    )
                    .label("continuous time axis")
                    .note("write `cont=false` to give only the bins that have events"),
                );
                return;
            }
        }
    }
    cx.stages.push(Stage::Stats(stage));
    if cont {
        cx.stages.push(Stage::Timefill { span: bin, zero });
    }
}

/// The expression of `func(eval(e))`. `count(eval(<condition>))`, the idiom of Splunk's
/// `stats` reference (`count(eval(method="GET")) AS GET`), counts the rows for which the
/// condition holds: it is read as `if(<condition>, 1, null())`. Other functions take values.
fn lower_agg_eval(cx: &mut Lowerer, func: &str, e: &ast::Expr) -> crate::ir::Expr {
    if func.eq_ignore_ascii_case("count") && super::eval::is_condition(e) {
        let ident = |name: &str| ast::Ident {
            name: name.to_owned(),
            span: e.span,
        };
        let expr = |kind| ast::Expr { kind, span: e.span };
        let wrapped = expr(ast::ExprKind::Call {
            name: ident("if"),
            args: vec![
                e.clone(),
                expr(ast::ExprKind::Number("1".to_owned())),
                expr(ast::ExprKind::Call {
                    name: ident("null"),
                    args: Vec::new(),
                }),
            ],
        });
        return lower_value(cx, &wrapped);
    }
    lower_value(cx, e)
}

/// A search whose subsearches are in `cx.subsearches`: the stage that holds the commands
/// so far and tests their rows once the subsearches have run.
pub(super) fn push_subsearch_filter(cx: &mut Lowerer, test: Pred) {
    let subsearches = std::mem::take(&mut cx.subsearches);
    let main = take_main(cx);
    cx.join_filters
        .extend(subsearches.iter().map(|s| s.filter.clone()));
    cx.stages
        .push(Stage::SubsearchFilter(Box::new(SubsearchFilterStage {
            main,
            subsearches,
            test,
        })));
}

/// The commands lowered so far, for a join or append to hold: the rule's own search first
/// when it is the first such command (a later one holds the earlier).
fn take_main(cx: &mut Lowerer) -> Vec<Stage> {
    let mut main = std::mem::take(&mut cx.stages);
    if cx.join_filters.is_empty() {
        let own = cx.filter.clone().unwrap_or_else(|| Pred::constant(true));
        main.insert(0, Stage::Search(own));
    }
    main
}

/// A subsearch over the rule's events (`[search ...]`): its search and its commands.
pub(super) fn lower_subsearch(
    cx: &mut Lowerer,
    subsearch: &ast::Subsearch,
    span: Span,
    command: &str,
) -> Option<(Pred, Vec<Stage>)> {
    if cx.in_subsearch {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                span,
                format!("a `{command}` inside a subsearch is not supported"),
            )
            .label("nested subsearch"),
        );
        return None;
    }
    // Its search too is inside the subsearch: a subsearch in it is nested.
    cx.in_subsearch = true;
    let lowered = lower_subsearch_body(cx, subsearch, command);
    cx.in_subsearch = false;
    lowered
}

/// [`lower_subsearch`] once it is known not to be nested.
fn lower_subsearch_body(
    cx: &mut Lowerer,
    subsearch: &ast::Subsearch,
    command: &str,
) -> Option<(Pred, Vec<Stage>)> {
    let mut sub = subsearch.query.stages.iter().peekable();
    let not_a_search = |at: Span| {
        LowerError::new(
            codes::UNSUPPORTED,
            at,
            format!("a `{command}` subsearch must start with a search over the events"),
        )
        .label("not a search")
        .note("splc runs a subsearch over the rule's own events; a generating command (`tstats`, `inputlookup`, ...) needs data splc does not have here")
    };
    // `[| tstats ...]`: an empty search, then a generating command.
    let empty_search = sub
        .next_if(|st| matches!(&st.command, Command::Search(s) if !s.explicit && s.expr.is_none()))
        .is_some();
    let mut filter = Pred::constant(true);
    let mut generated = None;
    let mut generating = None;
    if empty_search {
        match sub.next() {
            // `[| inputlookup t ...]`: no event, the table's rows.
            Some(st) if matches!(&st.command, Command::Generic(g) if g.name.name.eq_ignore_ascii_case("inputlookup")) =>
            {
                let Command::Generic(g) = &st.command else {
                    return None;
                };
                filter = Pred::constant(false);
                generated = Some(super::fieldcmd::lower_inputlookup_first(cx, g)?);
            }
            // `[| search ...]`: the same as `[search ...]`.
            Some(st) if matches!(&st.command, Command::Search(_)) => {
                if let Command::Search(ast::SearchCommand { expr: Some(e), .. }) = &st.command {
                    filter = lower_search(cx, e);
                }
            }
            // `[| tstats ...]` and the other data-model commands read the rule's events too.
            Some(next) if super::datamodel::is_datamodel_command(&next.command) => {
                generating = Some(next);
            }
            Some(next) => {
                cx.error(not_a_search(next.span));
                return None;
            }
            None => {}
        }
    } else {
        match sub.next().map(|st| (&st.command, st.span)) {
            Some((Command::Search(s), _)) => {
                if let Some(e) = &s.expr {
                    filter = lower_search(cx, e);
                }
            }
            Some((_, at)) => {
                cx.error(not_a_search(at));
                return None;
            }
            None => {}
        }
    }
    let outer = std::mem::take(&mut cx.stages);
    cx.stages.extend(generated);
    if let Some(first) = generating {
        cx.subsearch_start = true;
        cx.stage(first);
        cx.subsearch_start = false;
    }
    for st in sub {
        cx.stage(st);
    }
    Some((filter, std::mem::replace(&mut cx.stages, outer)))
}

/// `append [search ...]` and `appendpipe [...]`, parsed as generic commands: `None` for
/// another command, else the stage to add (if any).
fn lower_append(cx: &mut Lowerer, g: &ast::GenericCommand) -> Option<Option<Stage>> {
    let name = g.name.name.to_ascii_lowercase();
    if name != "append" && name != "appendpipe" {
        return None;
    }
    let mut subsearch = None;
    for arg in &g.args {
        match arg {
            ast::GenericArg::Subsearch(s) if subsearch.is_none() => subsearch = Some(s),
            ast::GenericArg::Option(o) => cx.error(unsupported_option(o, &name)),
            ast::GenericArg::Macro(m) => cx.error(unexpanded(m)),
            ast::GenericArg::Subsearch(s) => cx.error(one_subsearch(&name, s.span)),
            ast::GenericArg::Word(w) => cx.error(one_subsearch(&name, w.span)),
        }
    }
    let Some(subsearch) = subsearch else {
        cx.error(
            LowerError::new(
                codes::BAD_VALUE,
                g.name.span,
                format!("`{name}` needs a subsearch `[...]`"),
            )
            .label("no subsearch"),
        );
        return Some(None);
    };
    if name == "appendpipe" {
        if cx.in_subsearch {
            cx.error(
                LowerError::new(
                    codes::UNSUPPORTED,
                    g.name.span,
                    "an `appendpipe` inside a subsearch is not supported",
                )
                .label("nested subsearch"),
            );
            return Some(None);
        }
        // The commands run over the rows so far: no search of events first. A first word
        // without a `|` is read as a search by the parser.
        if let Some(first) = subsearch.query.stages.first() {
            if matches!(&first.command, Command::Search(s) if !s.explicit && s.expr.is_some()) {
                cx.error(
                    LowerError::new(
                        codes::UNSUPPORTED,
                        first.span,
                        "an `appendpipe` subpipeline must start with `|`",
                    )
                    .label("read as a search")
                    .note("write `appendpipe [| stats ...]`: splc reads a subsearch's first words as a search"),
                );
                return Some(None);
            }
        }
        let outer = std::mem::take(&mut cx.stages);
        cx.in_subsearch = true;
        for (i, st) in subsearch.query.stages.iter().enumerate() {
            let empty =
                matches!(&st.command, Command::Search(s) if !s.explicit && s.expr.is_none());
            if i == 0 && empty {
                continue;
            }
            cx.stage(st);
        }
        cx.in_subsearch = false;
        let stages = std::mem::replace(&mut cx.stages, outer);
        return Some(Some(Stage::Appendpipe(stages)));
    }
    let (filter, stages) = lower_subsearch(cx, subsearch, g.name.span, "append")?;
    let main = take_main(cx);
    cx.join_filters.push(filter.clone());
    cx.stages.push(Stage::Append(Box::new(AppendStage {
        main,
        filter,
        stages,
    })));
    Some(None)
}

fn one_subsearch(name: &str, at: Span) -> LowerError {
    LowerError::new(
        codes::BAD_VALUE,
        at,
        format!("`{name}` takes one subsearch"),
    )
    .label("unexpected")
}

pub(super) fn bad_option(o: &OptionArg, expected: &str) -> LowerError {
    LowerError::new(
        codes::BAD_VALUE,
        o.value.span,
        format!(
            "`{}` expects {expected}, found `{}`",
            o.key.name, o.value.value
        ),
    )
    .label("bad value")
}

pub(super) fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "t" | "true" | "1" | "yes" => Some(true),
        "f" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Why a documented stats function that splc does not run is left out; `None` for the
/// others.
fn unsupported_aggregation(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "per_second" | "per_minute" | "per_hour" | "per_day" => {
            Some("it divides by the span of a `timechart` bucket, and only `timechart` has one")
        }
        "rate_avg" | "rate_sum" => Some(
            "it reads the time series of metric counters, which only `mstats` and `tstats` have",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_in_seconds_and_months() {
        assert_eq!(parse_span("1s"), Some(BinSpan::Seconds(1.0)));
        assert_eq!(parse_span("5m"), Some(BinSpan::Seconds(300.0)));
        assert_eq!(parse_span("10min"), Some(BinSpan::Seconds(600.0)));
        assert_eq!(parse_span("1h"), Some(BinSpan::Seconds(3600.0)));
        assert_eq!(parse_span("86400"), Some(BinSpan::Seconds(86_400.0)));
        assert_eq!(parse_span("500ms"), Some(BinSpan::Seconds(0.5)));
        assert_eq!(parse_span("2mon"), Some(BinSpan::Months(2)));
        assert_eq!(parse_span("60s"), Some(BinSpan::Seconds(60.0)));
        assert_eq!(parse_span("10sec"), Some(BinSpan::Seconds(10.0)));
        assert_eq!(parse_span("2hours"), Some(BinSpan::Seconds(7200.0)));
        assert_eq!(parse_span("1d"), Some(BinSpan::Seconds(86_400.0)));
        assert_eq!(
            parse_span("5M"),
            Some(BinSpan::Seconds(300.0)),
            "units ignore case"
        );
        assert_eq!(parse_span("3months"), Some(BinSpan::Months(3)));
        for bad in [
            "", "s", "fast", "0s", "-1s", "-5m", "5x", "1.5mon", "5 m m", "nan",
        ] {
            assert_eq!(parse_span(bad), None, "{bad:?}");
        }
    }
}
