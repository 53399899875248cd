//! Lowering the commands that read CIM data models: `tstats ... from datamodel=...`,
//! `from datamodel:...` and `datamodel <model> <dataset> search|flat`.
//!
//! Each is a generating command: it must start the rule (`| tstats ...`). Over raw events
//! it is the events of the dataset (a `Datamodel` stage: membership and fields, from the
//! runtime's mappings), then, for `tstats`, its `where` as a `| search`, `fillnull_value`
//! as a `fillnull` of the `by` fields, `span` as a `bin _time`, and its aggregations as
//! `stats`. The rule's own filter stays `true`: every event reaches the dataset stage,
//! and the pack index's witness stops at it (the rule is always a candidate).

use spl_grammar::ast::{self, FieldItem, GenericArg, SearchKind};
use spl_grammar::Span;

use super::command::{bad_option, parse_bool, parse_span, unsupported_option};
use super::{codes, unexpanded, LowerError, Lowerer};
use crate::ir::{BinStage, DatamodelCommand, DatamodelStage, Pred, Stage, StatsKind};

/// True when a generating command at this point would start the rule, or a subsearch
/// written `[| command ...]`.
fn at_start(cx: &Lowerer) -> bool {
    cx.stages.is_empty()
        && (cx.subsearch_start
            || !cx.in_subsearch
                && cx
                    .filter
                    .as_ref()
                    .is_none_or(|f| *f == Pred::constant(true)))
}

/// True when `command` reads a data model (`tstats`, `from`, `datamodel`).
pub(crate) fn is_datamodel_command(command: &ast::Command) -> bool {
    match command {
        ast::Command::Tstats(_) => true,
        ast::Command::Generic(g) => {
            let n = g.name.name.to_ascii_lowercase();
            n == "from" || n == "datamodel"
        }
        _ => false,
    }
}

fn not_first(name: &str, span: Span) -> LowerError {
    LowerError::new(
        codes::UNSUPPORTED,
        span,
        format!("`{name}` must be the first command of the search"),
    )
    .label("not at the start")
    .note(format!(
        "`{name}` generates events from a data model: write `| {name} ...` with nothing before it"
    ))
}

/// `Model.Dataset...` split at its first dot; `None` for an empty name.
fn split_dataset(name: &str) -> Option<(String, Option<String>)> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some(match name.split_once('.') {
        Some((m, d)) if !m.is_empty() && !d.is_empty() => (m.to_owned(), Some(d.to_owned())),
        Some(_) => return None,
        None => (name.to_owned(), None),
    })
}

/// `tstats`.
pub(crate) fn lower_tstats(cx: &mut Lowerer, t: &ast::TstatsCommand, span: Span) {
    if !at_start(cx) {
        cx.error(not_first("tstats", span));
        return;
    }
    for m in t
        .macros
        .iter()
        .chain(t.macro_options.iter().map(|(_, m)| m))
    {
        cx.error(unexpanded(m));
    }
    let mut fill = None;
    let mut bin = None;
    for o in &t.options {
        let v = o.value.value.as_str();
        match o.key.name.to_ascii_lowercase().as_str() {
            // Over raw events there are no summaries: every event is read either way.
            "summariesonly" | "allow_old_summaries" | "include_reduced_buckets" => {
                if parse_bool(v).is_none() {
                    cx.error(bad_option(o, "true or false"));
                }
            }
            "chunk_size" => {
                if v.parse::<u64>().is_err() {
                    cx.error(bad_option(o, "a whole number"));
                }
            }
            "fillnull_value" => fill = Some(v.to_owned()),
            "span" => match parse_span(v) {
                Some(s) => bin = Some(s),
                None => cx.error(bad_option(o, "a time span such as `1h` or `5m`")),
            },
            _ => cx.error(unsupported_option(o, "tstats")),
        }
    }
    let Some(from) = &t.from else {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                span,
                "`tstats` without `from datamodel=...` is not supported",
            )
            .label("no data model")
            .note("splc runs tstats over a CIM data model's events (`from datamodel=Endpoint.Processes`); indexed fields of an index are a Splunk server's"),
        );
        return;
    };
    if !from.key.name.eq_ignore_ascii_case("datamodel") {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                from.span,
                format!("`tstats ... from {}=` is not supported", from.key.name),
            )
            .label("expected `datamodel=`"),
        );
        return;
    }
    let Some((model, mut dataset)) = split_dataset(&from.value.value) else {
        cx.error(bad_option(
            from,
            "a data model and dataset such as `Endpoint.Processes`",
        ));
        return;
    };
    // `where nodename=Root.Child` names a child dataset.
    let filter = t.filter.as_ref().and_then(|f| {
        let (node, rest) = take_nodename(f);
        if let Some(node) = node {
            dataset = Some(node);
        }
        rest
    });
    cx.stages.push(Stage::Datamodel(DatamodelStage {
        model,
        dataset,
        prefixed: true,
        command: DatamodelCommand::Tstats,
    }));
    if let Some(f) = &filter {
        let pred = super::search::lower_search_command(cx, f);
        if cx.subsearches.is_empty() {
            cx.stages.push(Stage::Search(pred));
        } else {
            super::command::push_subsearch_filter(cx, pred);
        }
    }
    let by_fields: Vec<String> =
        t.by.iter()
            .filter_map(|b| match b {
                FieldItem::Field(f) => Some(f.name.clone()),
                FieldItem::Macro(m) => {
                    cx.error(unexpanded(m));
                    None
                }
            })
            .collect();
    if let Some(value) = fill {
        let fields: Vec<String> = by_fields
            .iter()
            .filter(|f| *f != "_time")
            .cloned()
            .collect();
        if !fields.is_empty() {
            cx.stages.push(Stage::Fillnull { value, fields });
        }
    }
    if let Some(span) = bin {
        cx.stages
            .push(Stage::Bin(BinStage::new("_time", span, "_time")));
    }
    let stats = ast::StatsCommand {
        kind: StatsKind::Stats,
        options: Vec::new(),
        aggs: t.aggs.clone(),
        by: t.by.clone(),
    };
    if let Some(stage) = super::command::lower_stats(cx, &stats) {
        cx.stages.push(stage);
    }
}

/// Take a top-level `nodename=X` out of a `tstats` search: the dataset it names and the
/// rest of the search (`None` when nothing is left).
fn take_nodename(expr: &ast::SearchExpr) -> (Option<String>, Option<ast::SearchExpr>) {
    let node = |e: &ast::SearchExpr| match &e.kind {
        SearchKind::Compare(c)
            if c.field.name.eq_ignore_ascii_case("nodename") && c.op == crate::ir::CmpOp::Eq =>
        {
            Some(c.value.value.clone())
        }
        _ => None,
    };
    if let Some(n) = node(expr) {
        return (Some(n), None);
    }
    if let SearchKind::And(items) = &expr.kind {
        if let Some(i) = items.iter().position(|e| node(e).is_some()) {
            let n = node(&items[i]);
            let mut rest = items.clone();
            rest.remove(i);
            let rest = match rest.len() {
                1 => rest.pop(),
                _ => Some(ast::SearchExpr {
                    kind: SearchKind::And(rest),
                    span: expr.span,
                }),
            };
            return (n, rest);
        }
    }
    (None, Some(expr.clone()))
}

/// The words of a generic command, or an error for an argument that is not a word.
fn words<'a>(cx: &mut Lowerer, g: &'a ast::GenericCommand) -> Vec<&'a ast::Literal> {
    let mut out = Vec::new();
    for arg in &g.args {
        match arg {
            GenericArg::Word(w) => out.push(w),
            GenericArg::Option(_) => {}
            GenericArg::Macro(m) => cx.error(unexpanded(m)),
            GenericArg::Subsearch(s) => cx.error(super::fieldcmd::no_subsearch(g, s)),
        }
    }
    out
}

/// `from datamodel:X` and `datamodel X Y search|flat`; `None` for other commands.
pub(crate) fn lower_generic(cx: &mut Lowerer, g: &ast::GenericCommand) -> Option<()> {
    let name = g.name.name.to_ascii_lowercase();
    if name != "from" && name != "datamodel" {
        return None;
    }
    if !at_start(cx) {
        cx.error(not_first(&name, g.name.span));
        return Some(());
    }
    if name == "from" {
        lower_from(cx, g);
    } else {
        lower_datamodel(cx, g);
    }
    Some(())
}

fn lower_from(cx: &mut Lowerer, g: &ast::GenericCommand) {
    for arg in &g.args {
        if let GenericArg::Option(o) = arg {
            cx.error(unsupported_option(o, "from"));
        }
    }
    let words = words(cx, g);
    // `datamodel:X`, `datamodel X` or `datamodel:"X"` (spliced into one word).
    let (kind, target, at) = match words.as_slice() {
        [one] => match one.value.split_once(':') {
            Some((k, t)) => (k.to_owned(), t.to_owned(), one.span),
            None => (one.value.clone(), String::new(), one.span),
        },
        [k, t] => (
            k.value.trim_end_matches(':').to_owned(),
            t.value.clone(),
            t.span,
        ),
        _ => (String::new(), String::new(), g.name.span),
    };
    if !kind.eq_ignore_ascii_case("datamodel") {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                at,
                "only `from datamodel:<Model.Dataset>` is supported",
            )
            .label("not a data model")
            .note("lookups and saved searches as datasets are a Splunk server's"),
        );
        return;
    }
    let Some((model, dataset)) = split_dataset(&target) else {
        cx.error(
            LowerError::new(
                codes::BAD_VALUE,
                at,
                "`from datamodel:` needs a dataset name",
            )
            .label("such as `Endpoint.Processes`"),
        );
        return;
    };
    cx.stages.push(Stage::Datamodel(DatamodelStage {
        model,
        dataset,
        prefixed: false,
        command: DatamodelCommand::From,
    }));
}

fn lower_datamodel(cx: &mut Lowerer, g: &ast::GenericCommand) {
    for arg in &g.args {
        if let GenericArg::Option(o) = arg {
            match o.key.name.to_ascii_lowercase().as_str() {
                "summariesonly" | "allow_old_summaries" | "strict_fields" => {
                    if parse_bool(&o.value.value).is_none() {
                        cx.error(bad_option(o, "true or false"));
                    }
                }
                _ => cx.error(unsupported_option(o, "datamodel")),
            }
        }
    }
    let words = words(cx, g);
    let [model, dataset, mode] = words.as_slice() else {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                g.name.span,
                "`datamodel` is supported as `datamodel <model> <dataset> search` (or `flat`)",
            )
            .label("needs a model, a dataset and a search mode")
            .note("without a search mode, `datamodel` returns the model's JSON description, which is a Splunk server's"),
        );
        return;
    };
    let prefixed = match mode.value.to_ascii_lowercase().as_str() {
        "search" => true,
        "flat" => false,
        _ => {
            cx.error(
                LowerError::new(
                    codes::UNSUPPORTED,
                    mode.span,
                    format!("`datamodel` search mode `{}` is not supported", mode.value),
                )
                .label("expected `search` or `flat`"),
            );
            return;
        }
    };
    cx.stages.push(Stage::Datamodel(DatamodelStage {
        model: model.value.clone(),
        dataset: Some(dataset.value.clone()),
        prefixed,
        command: DatamodelCommand::Datamodel,
    }));
}
