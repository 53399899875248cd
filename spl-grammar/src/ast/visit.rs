//! Walks over the tree: collecting macro calls, clearing spans.

use super::{
    AggArg, Aggregation, Assignment, BinCommand, Command, Compare, DedupCommand, Expr, ExprKind,
    FieldItem, FieldsCommand, FillnullCommand, ForeachCommand, GenericArg, GenericCommand,
    HeadCommand, Ident, InList, IplocationCommand, JoinCommand, Literal, LookupCommand,
    LookupField, MacroArg, MacroCall, OptionArg, Query, RegexCommand, RenamePair, RexCommand,
    SearchCommand, SearchExpr, SearchKind, SortCommand, SortKey, Stage, StatsCommand, Subsearch,
    TransactionCommand, TstatsCommand,
};
use crate::span::Span;

/// Where a macro call stands; expansion needs it (an empty whole-stage expansion also
/// removes the stage's `|`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacroPosition {
    /// As a term of a search expression.
    SearchTerm,
    /// As a whole stage (`| `name` |`).
    Stage,
    /// As an item of a field list (`table`, `fields`, `stats ... by`, ...).
    FieldList,
    /// After a stage's arguments ([`Stage::trailing_macros`](super::Stage::trailing_macros)).
    Trailing,
    /// As an argument of a generic command.
    GenericArg,
    /// As a value in an eval expression (`where`, `eval`, `stats ... eval(...)`).
    Expression,
}

/// Call `f` on every macro call in `query` with its position, in source order
/// (subsearches and foreach templates included).
pub fn visit_macro_calls(query: &Query, f: &mut dyn FnMut(&MacroCall, MacroPosition)) {
    for stage in &query.stages {
        visit_stage(stage, f);
    }
}

fn visit_stage(stage: &Stage, f: &mut dyn FnMut(&MacroCall, MacroPosition)) {
    let items = |items: &[FieldItem], f: &mut dyn FnMut(&MacroCall, MacroPosition)| {
        for item in items {
            if let FieldItem::Macro(m) = item {
                f(m, MacroPosition::FieldList);
            }
        }
    };
    match &stage.command {
        Command::Search(SearchCommand {
            expr: Some(expr), ..
        }) => visit_search(expr, f),
        Command::Table(list) => items(list, f),
        Command::Fields(c) => items(&c.fields, f),
        Command::Fillnull(c) => items(&c.fields, f),
        Command::Stats(c) | Command::Timechart(c) => {
            for agg in &c.aggs {
                if let Some(AggArg::Eval(e)) = &agg.arg {
                    visit_expr(e, f);
                }
            }
            items(&c.by, f);
        }
        Command::Where(e) => visit_expr(e, f),
        Command::Eval(assigns) => {
            for a in assigns {
                visit_expr(&a.value, f);
            }
        }
        Command::Tstats(c) => {
            for m in c
                .macros
                .iter()
                .chain(c.macro_options.iter().map(|(_, m)| m))
            {
                f(m, MacroPosition::GenericArg);
            }
            if let Some(expr) = &c.filter {
                visit_search(expr, f);
            }
            items(&c.by, f);
        }
        Command::Join(c) => visit_macro_calls(&c.subsearch.query, f),
        Command::Foreach(c) => visit_macro_calls(&c.template.query, f),
        Command::Macro(m) => f(m, MacroPosition::Stage),
        Command::Generic(c) => {
            for arg in &c.args {
                match arg {
                    GenericArg::Macro(m) => f(m, MacroPosition::GenericArg),
                    GenericArg::Subsearch(s) => visit_macro_calls(&s.query, f),
                    GenericArg::Option(_) | GenericArg::Word(_) => {}
                }
            }
        }
        _ => {}
    }
    for m in &stage.trailing_macros {
        f(m, MacroPosition::Trailing);
    }
}

fn visit_expr(expr: &Expr, f: &mut dyn FnMut(&MacroCall, MacroPosition)) {
    if let ExprKind::Macro(m) = &expr.kind {
        f(m, MacroPosition::Expression);
    }
    for child in expr.children() {
        visit_expr(child, f);
    }
}

fn visit_search(expr: &SearchExpr, f: &mut dyn FnMut(&MacroCall, MacroPosition)) {
    match &expr.kind {
        SearchKind::And(items) | SearchKind::Or(items) => {
            for item in items {
                visit_search(item, f);
            }
        }
        SearchKind::Not(inner) => visit_search(inner, f),
        SearchKind::Macro(m) => f(m, MacroPosition::SearchTerm),
        SearchKind::Subsearch(sub) => visit_macro_calls(&sub.query, f),
        _ => {}
    }
}

/// Set every span in a tree to `Span::default()`, so that trees parsed from different
/// spellings compare equal.
pub trait SpanMut {
    /// Clear all spans below and including `self`.
    fn clear_spans(&mut self);
}

impl Query {
    /// Clear every span of the tree (see [`SpanMut`]), so that it compares equal to the
    /// tree of another spelling of the same query.
    pub fn clear_spans(&mut self) {
        SpanMut::clear_spans(self);
    }
}

fn clear(span: &mut Span) {
    *span = Span::default();
}

impl<T: SpanMut> SpanMut for Vec<T> {
    fn clear_spans(&mut self) {
        for item in self {
            item.clear_spans();
        }
    }
}

impl<T: SpanMut> SpanMut for Option<T> {
    fn clear_spans(&mut self) {
        if let Some(item) = self {
            item.clear_spans();
        }
    }
}

impl<T: SpanMut> SpanMut for Box<T> {
    fn clear_spans(&mut self) {
        (**self).clear_spans();
    }
}

impl SpanMut for Query {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.stages.clear_spans();
    }
}

impl SpanMut for Stage {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.command.clear_spans();
        self.trailing_macros.clear_spans();
    }
}

impl SpanMut for MacroCall {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.name.clear_spans();
        self.args.clear_spans();
    }
}

impl SpanMut for MacroArg {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
    }
}

impl SpanMut for Ident {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
    }
}

impl SpanMut for Literal {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
    }
}

impl SpanMut for Command {
    fn clear_spans(&mut self) {
        match self {
            Command::Search(c) => c.clear_spans(),
            Command::Where(e) => e.clear_spans(),
            Command::Eval(a) => a.clear_spans(),
            Command::Regex(c) => c.clear_spans(),
            Command::Rex(c) => c.clear_spans(),
            Command::Table(items) => items.clear_spans(),
            Command::Fields(c) => c.clear_spans(),
            Command::Rename(pairs) => pairs.clear_spans(),
            Command::Fillnull(c) => c.clear_spans(),
            Command::Sort(c) => c.clear_spans(),
            Command::Dedup(c) => c.clear_spans(),
            Command::Head(c) => c.clear_spans(),
            Command::Bin(c) => c.clear_spans(),
            Command::Stats(c) | Command::Timechart(c) => c.clear_spans(),
            Command::Tstats(c) => c.clear_spans(),
            Command::Transaction(c) => c.clear_spans(),
            Command::Lookup(c) => c.clear_spans(),
            Command::Iplocation(c) => c.clear_spans(),
            Command::Join(c) => c.clear_spans(),
            Command::Foreach(c) => c.clear_spans(),
            Command::Macro(m) => m.clear_spans(),
            Command::Generic(c) => c.clear_spans(),
        }
    }
}

impl SpanMut for SearchCommand {
    fn clear_spans(&mut self) {
        self.expr.clear_spans();
    }
}

impl SpanMut for SearchExpr {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        match &mut self.kind {
            SearchKind::And(items) | SearchKind::Or(items) => items.clear_spans(),
            SearchKind::Not(inner) => inner.clear_spans(),
            SearchKind::Term(l)
            | SearchKind::Phrase(l)
            | SearchKind::TermCall(l)
            | SearchKind::CaseCall(l) => l.clear_spans(),
            SearchKind::Compare(c) => c.clear_spans(),
            SearchKind::In(list) => list.clear_spans(),
            SearchKind::Macro(m) => m.clear_spans(),
            SearchKind::Subsearch(sub) => sub.clear_spans(),
        }
    }
}

impl SpanMut for Compare {
    fn clear_spans(&mut self) {
        self.field.clear_spans();
        self.value.clear_spans();
    }
}

impl SpanMut for InList {
    fn clear_spans(&mut self) {
        self.field.clear_spans();
        self.values.clear_spans();
    }
}

impl SpanMut for Expr {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        match &mut self.kind {
            ExprKind::Field(name) => name.clear_spans(),
            ExprKind::Str(_) | ExprKind::Number(_) => {}
            ExprKind::Not(inner) | ExprKind::Neg(inner) => inner.clear_spans(),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.clear_spans();
                rhs.clear_spans();
            }
            ExprKind::In { expr, list } => {
                expr.clear_spans();
                list.clear_spans();
            }
            ExprKind::Call { name, args } => {
                name.clear_spans();
                args.clear_spans();
            }
            ExprKind::Macro(m) => m.clear_spans(),
        }
    }
}

impl SpanMut for Assignment {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.field.clear_spans();
        self.value.clear_spans();
    }
}

impl SpanMut for RegexCommand {
    fn clear_spans(&mut self) {
        self.field.clear_spans();
        self.pattern.clear_spans();
    }
}

impl SpanMut for RexCommand {
    fn clear_spans(&mut self) {
        self.field.clear_spans();
        self.options.clear_spans();
        self.pattern.clear_spans();
    }
}

impl SpanMut for OptionArg {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.key.clear_spans();
        self.value.clear_spans();
    }
}

impl SpanMut for FieldItem {
    fn clear_spans(&mut self) {
        match self {
            FieldItem::Field(name) => name.clear_spans(),
            FieldItem::Macro(m) => m.clear_spans(),
        }
    }
}

impl SpanMut for FieldsCommand {
    fn clear_spans(&mut self) {
        self.fields.clear_spans();
    }
}

impl SpanMut for RenamePair {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.from.clear_spans();
        self.to.clear_spans();
    }
}

impl SpanMut for FillnullCommand {
    fn clear_spans(&mut self) {
        self.value.clear_spans();
        self.fields.clear_spans();
    }
}

impl SpanMut for SortCommand {
    fn clear_spans(&mut self) {
        self.keys.clear_spans();
    }
}

impl SpanMut for SortKey {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.field.clear_spans();
    }
}

impl SpanMut for DedupCommand {
    fn clear_spans(&mut self) {
        self.fields.clear_spans();
        self.options.clear_spans();
    }
}

impl SpanMut for HeadCommand {
    fn clear_spans(&mut self) {}
}

impl SpanMut for BinCommand {
    fn clear_spans(&mut self) {
        self.keyword.clear_spans();
        self.options.clear_spans();
        self.field.clear_spans();
        self.alias.clear_spans();
    }
}

impl SpanMut for StatsCommand {
    fn clear_spans(&mut self) {
        self.options.clear_spans();
        self.aggs.clear_spans();
        self.by.clear_spans();
    }
}

impl SpanMut for TstatsCommand {
    fn clear_spans(&mut self) {
        self.options.clear_spans();
        self.macros.clear_spans();
        for (key, m) in &mut self.macro_options {
            key.clear_spans();
            m.clear_spans();
        }
        self.aggs.clear_spans();
        self.from.clear_spans();
        self.filter.clear_spans();
        self.by.clear_spans();
    }
}

impl SpanMut for Aggregation {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.func.clear_spans();
        self.arg.clear_spans();
        self.alias.clear_spans();
    }
}

impl SpanMut for AggArg {
    fn clear_spans(&mut self) {
        match self {
            AggArg::Field(name) => name.clear_spans(),
            AggArg::Eval(expr) => expr.clear_spans(),
        }
    }
}

impl SpanMut for TransactionCommand {
    fn clear_spans(&mut self) {
        self.fields.clear_spans();
        self.options.clear_spans();
    }
}

impl SpanMut for LookupCommand {
    fn clear_spans(&mut self) {
        self.options.clear_spans();
        self.table.clear_spans();
        self.inputs.clear_spans();
        self.outputs.clear_spans();
    }
}

impl SpanMut for LookupField {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.column.clear_spans();
        self.alias.clear_spans();
    }
}

impl SpanMut for IplocationCommand {
    fn clear_spans(&mut self) {
        self.options.clear_spans();
        self.field.clear_spans();
    }
}

impl SpanMut for JoinCommand {
    fn clear_spans(&mut self) {
        self.options.clear_spans();
        self.fields.clear_spans();
        self.subsearch.clear_spans();
    }
}

impl SpanMut for Subsearch {
    fn clear_spans(&mut self) {
        clear(&mut self.span);
        self.query.clear_spans();
    }
}

impl SpanMut for ForeachCommand {
    fn clear_spans(&mut self) {
        self.fields.clear_spans();
        self.options.clear_spans();
        self.template.clear_spans();
    }
}

impl SpanMut for GenericCommand {
    fn clear_spans(&mut self) {
        self.name.clear_spans();
        self.args.clear_spans();
    }
}

impl SpanMut for GenericArg {
    fn clear_spans(&mut self) {
        match self {
            GenericArg::Option(o) => o.clear_spans(),
            GenericArg::Word(w) => w.clear_spans(),
            GenericArg::Subsearch(s) => s.clear_spans(),
            GenericArg::Macro(m) => m.clear_spans(),
        }
    }
}
