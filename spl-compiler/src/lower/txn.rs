//! Lowering `transaction` and `foreach`.

use spl_grammar::ast::{self, Command, OptionArg};
use spl_grammar::Span;

use super::command::{bad_option, parse_bool, parse_span, unsupported_option};
use super::eval::lower_condition;
use super::search::lower_search;
use super::{codes, LowerError, Lowerer};
use crate::ir::{
    AtomKind, BinSpan, Expr, ExprKind, FieldPattern, ForeachPlaceholders, ForeachStage, Pred,
    SedEdit, Stage, TransactionStage, TxnFilter,
};

/// `transaction f... [maxspan=] [maxpause=] [maxevents=] [startswith=] [endswith=]
/// [keepevicted=]`.
pub(super) fn lower_transaction(cx: &mut Lowerer, t: &ast::TransactionCommand) -> Option<Stage> {
    let mut stage = TransactionStage::new(Vec::new());
    for f in &t.fields {
        if f.name.contains('*') {
            cx.error(
                LowerError::new(
                    codes::BAD_VALUE,
                    f.span,
                    "the fields of `transaction` cannot be patterns",
                )
                .label("a wildcard"),
            );
        } else if !stage.fields.contains(&f.name) {
            stage.fields.push(f.name.clone());
        }
    }
    for o in &t.options {
        let v = o.value.value.as_str();
        match o.key.name.as_str() {
            "maxspan" => {
                stage.max_span = duration(cx, o);
                stage.closes = true;
            }
            "maxpause" => {
                stage.max_pause = duration(cx, o);
                stage.closes = true;
            }
            "maxevents" => {
                match v.trim().parse::<i64>() {
                    Ok(n) if n < 0 => stage.max_events = None,
                    Ok(n) if n > 0 => stage.max_events = u64::try_from(n).ok(),
                    _ => cx.error(bad_option(
                        o,
                        "a whole number above 0 (or a negative one for no limit)",
                    )),
                }
                stage.closes = true;
            }
            "startswith" => {
                stage.starts_with = filter(cx, o);
                stage.closes = true;
            }
            "endswith" => stage.ends_with = filter(cx, o),
            "keepevicted" => match parse_bool(v) {
                Some(b) => stage.keep_evicted = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            "connected" => match parse_bool(v) {
                Some(b) => stage.connected = b,
                None => cx.error(bad_option(o, "true or false")),
            },
            _ => cx.error(
                unsupported_option(o, "transaction").note(
                    "splc's `transaction` takes by-fields, `maxspan`, `maxpause`, `maxevents`, `startswith`, `endswith`, `keepevicted` and `connected`",
                ),
            ),
        }
    }
    Some(Stage::Transaction(stage))
}

/// `maxspan=`/`maxpause=`: `<int>[s|m|h|d]`; a negative value is no limit.
fn duration(cx: &mut Lowerer, o: &OptionArg) -> Option<f64> {
    let v = o.value.value.trim();
    if let Some(rest) = v.strip_prefix('-') {
        if parse_span(rest).is_some() || rest.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    match parse_span(v) {
        Some(BinSpan::Seconds(s)) => Some(s),
        _ => {
            cx.error(
                bad_option(o, "a time span").note(
                    "a span is a number and a unit: `30s`, `5m`, `1h`, `1d`; a negative number means no limit",
                ),
            );
            None
        }
    }
}

/// `startswith=`/`endswith=`: a search expression (quoted, bare or in parentheses) or
/// `eval(<condition>)`.
fn filter(cx: &mut Lowerer, o: &OptionArg) -> Option<TxnFilter> {
    let text = o.value.value.trim();
    // Where the text starts in the rule (after an opening quote).
    let start = o.value.span.start + usize::from(o.value.quoted);
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("eval(") && text.ends_with(')') {
        let inner = &text[5..text.len() - 1];
        let synthetic = format!("| where {inner}");
        let shift = Shift {
            from: "| where ".len(),
            to: start + 5,
            within: o.value.span,
        };
        let query = parse(cx, &synthetic, &shift, o)?;
        let Some(Command::Where(e)) = query.stages.get(1).map(|s| &s.command) else {
            cx.error(bad_option(o, "`eval(<condition>)`"));
            return None;
        };
        let before = cx.errors.len();
        let cond = lower_condition(cx, e);
        shift.errors(cx, before);
        return Some(TxnFilter::Eval(cond));
    }
    let (inner, to) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if !o.value.quoted => (inner, start + 1),
        _ => (text, start),
    };
    let shift = Shift {
        from: 0,
        to,
        within: o.value.span,
    };
    let query = parse(cx, inner, &shift, o)?;
    let expr = match query.stages.as_slice() {
        [only] => match &only.command {
            Command::Search(s) => s.expr.as_ref(),
            _ => None,
        },
        _ => None,
    };
    let Some(expr) = expr else {
        cx.error(
            bad_option(o, "a search expression").note(
                "`startswith` and `endswith` take a search expression (`startswith=\"status=start\"`) or `eval(<condition>)`",
            ),
        );
        return None;
    };
    let before = cx.errors.len();
    let pred = lower_search(cx, expr);
    shift.errors(cx, before);
    Some(TxnFilter::Search(pred))
}

/// Where text parsed on its own sits in the rule: offset `from` of the text is offset
/// `to` of the rule; errors land inside `within`.
struct Shift {
    from: usize,
    to: usize,
    within: Span,
}

impl Shift {
    fn span(&self, s: Span) -> Span {
        let at = |p: usize| {
            (p.saturating_sub(self.from) + self.to).clamp(self.within.start, self.within.end)
        };
        Span::new(at(s.start), at(s.end))
    }

    /// Move the errors found since `before` into the rule.
    fn errors(&self, cx: &mut Lowerer, before: usize) {
        for e in &mut cx.errors[before..] {
            e.span = self.span(e.span);
        }
    }
}

fn parse(cx: &mut Lowerer, text: &str, shift: &Shift, o: &OptionArg) -> Option<ast::Query> {
    match spl_grammar::parse_query(text) {
        Ok(q) => Some(q),
        Err(e) => {
            let mut err = LowerError::new(
                codes::BAD_VALUE,
                shift.span(e.span),
                format!("bad `{}` expression: {}", o.key.name, e.message),
            )
            .label(if e.label.is_empty() {
                "here".to_owned()
            } else {
                e.label.clone()
            });
            for n in &e.notes {
                err = err.note(n.clone());
            }
            cx.error(err);
            None
        }
    }
}

/// `foreach <patterns> [fieldstr=] [matchstr=] [matchseg1=..3] [ template ]`.
pub(super) fn lower_foreach(
    cx: &mut Lowerer,
    f: &ast::ForeachCommand,
    span: Span,
) -> Option<Stage> {
    let mut placeholders = ForeachPlaceholders::default();
    for o in &f.options {
        let v = o.value.value.clone();
        let slot = match o.key.name.as_str() {
            "fieldstr" => Some(&mut placeholders.field),
            "matchstr" => Some(&mut placeholders.matchstr),
            "matchseg1" => Some(&mut placeholders.matchseg[0]),
            "matchseg2" => Some(&mut placeholders.matchseg[1]),
            "matchseg3" => Some(&mut placeholders.matchseg[2]),
            "mode" => {
                match v.as_str() {
                    "multifield" => {}
                    "multivalue" | "json_array" | "auto_collections" => cx.error(
                        LowerError::new(
                            codes::UNSUPPORTED,
                            o.span,
                            format!("`foreach mode={v}` is not supported"),
                        )
                        .label("unsupported mode")
                        .note("splc runs `foreach` over fields (`mode=multifield`, the default)"),
                    ),
                    _ => cx.error(bad_option(
                        o,
                        "`multifield`, `multivalue`, `json_array` or `auto_collections`",
                    )),
                }
                None
            }
            _ => {
                cx.error(unsupported_option(o, "foreach").note(
                    "splc's `foreach` takes `mode=multifield`, `fieldstr`, `matchstr` and `matchseg1` to `matchseg3`",
                ));
                None
            }
        };
        if let Some(slot) = slot {
            if v.is_empty() {
                cx.error(bad_option(o, "a placeholder text"));
            } else {
                *slot = v;
            }
        }
    }
    if f.fields.is_empty() {
        cx.error(
            LowerError::new(
                codes::BAD_VALUE,
                Span::new(span.start, f.template.span.start),
                "`foreach` needs a field pattern",
            )
            .label("no field before the template"),
        );
    }
    let patterns: Vec<FieldPattern> = f
        .fields
        .iter()
        .map(|i| FieldPattern::new(i.name.clone()))
        .collect();
    let outer = std::mem::take(&mut cx.stages);
    let mut template = Vec::new();
    let mut names = Vec::new();
    for (i, st) in f.template.query.stages.iter().enumerate() {
        if i == 0 && matches!(&st.command, Command::Search(s) if !s.explicit && s.expr.is_none()) {
            continue;
        }
        let allowed = match &st.command {
            Command::Search(_)
            | Command::Where(_)
            | Command::Eval(_)
            | Command::Regex(_)
            | Command::Rex(_)
            | Command::Rename(_)
            | Command::Bin(_) => true,
            Command::Fillnull(fill) => !fill.fields.is_empty(),
            Command::Macro(_) | Command::Generic(_) => true,
            _ => false,
        };
        if !allowed {
            cx.error(
                LowerError::new(
                    codes::UNSUPPORTED,
                    st.span,
                    "this command is not supported in a `foreach` template",
                )
                .label("not supported here")
                .note("the template runs once per matched field of one row: splc runs `search`, `where`, `eval`, `regex`, `rex`, `rename`, `bin` and `fillnull` with fields in it"),
            );
            continue;
        }
        cx.stages.clear();
        cx.stage(st);
        for mut stage in std::mem::take(&mut cx.stages) {
            let mut found = Found {
                p: &placeholders,
                names: &mut names,
                errors: Vec::new(),
            };
            found.stage(&mut stage);
            for what in found.errors {
                cx.error(
                    LowerError::new(
                        codes::UNSUPPORTED,
                        st.span,
                        format!("a foreach placeholder inside {what} is not supported"),
                    )
                    .label("in this command")
                    .note("placeholders stand for field names and for text in eval string literals; splc compiles searched texts, regexes and replacements once"),
                );
            }
            template.push(stage);
        }
    }
    cx.stages = outer;
    if template.is_empty() && f.template.query.stages.len() <= 1 {
        cx.error(
            LowerError::new(
                codes::BAD_VALUE,
                f.template.span,
                "the `foreach` template is empty",
            )
            .label("no command"),
        );
    }
    Some(Stage::Foreach(ForeachStage {
        patterns,
        placeholders,
        template,
        names,
    }))
}

/// The walk over a template stage: the names holding placeholders, string literals
/// holding them turned into fields named by the quoted literal, and the places splc
/// cannot substitute into.
struct Found<'a> {
    p: &'a ForeachPlaceholders,
    names: &'a mut Vec<String>,
    errors: Vec<&'static str>,
}

impl Found<'_> {
    fn name(&mut self, name: &str) {
        if self.p.occur_in(name) && !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_owned());
        }
    }

    fn text(&mut self, text: &str, what: &'static str) {
        if self.p.occur_in(text) {
            self.errors.push(what);
        }
    }

    fn pred(&mut self, pred: &Pred) {
        for (atom, _) in pred.atoms() {
            match &atom.kind {
                AtomKind::Compare { field, value, .. } => {
                    self.name(field);
                    self.text(value, "a searched value");
                }
                AtomKind::In { field, values } => {
                    self.name(field);
                    for v in values {
                        self.text(v, "a searched value");
                    }
                }
                AtomKind::Term(t)
                | AtomKind::Phrase(t)
                | AtomKind::TermExact(t)
                | AtomKind::CaseTerm(t) => self.text(t, "a searched term"),
            }
        }
    }

    fn stage(&mut self, stage: &mut Stage) {
        match stage {
            Stage::Search(pred) => self.pred(pred),
            Stage::Where(e) => self.expr(e),
            Stage::Eval(assigns) => {
                for a in assigns {
                    self.name(&a.field);
                    self.expr(&mut a.value);
                }
            }
            Stage::Regex(r) => {
                self.name(&r.field);
                self.text(&r.regex.source, "a regex");
            }
            Stage::Rex(r) => {
                self.name(&r.field);
                self.text(&r.regex.source, "a regex");
            }
            Stage::Sed(s) => {
                self.name(&s.field);
                if let SedEdit::Substitute {
                    regex, replacement, ..
                } = &s.edit
                {
                    self.text(&regex.source, "a regex");
                    self.text(replacement, "a sed replacement");
                }
            }
            Stage::Rename(pairs) => {
                for (a, b) in pairs.iter() {
                    self.name(a.as_str());
                    self.name(b.as_str());
                }
            }
            Stage::Fillnull { value, fields } => {
                self.text(value, "a fill value");
                for f in fields.iter() {
                    self.name(f);
                }
            }
            Stage::Bin(b) => {
                self.name(&b.field);
                self.name(&b.output);
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::Field(f) => {
                let f = f.clone();
                self.name(&f);
            }
            ExprKind::Str(s) => {
                if self.p.occur_in(s) {
                    let name = format!("\"{s}\"");
                    self.name(&name);
                    e.kind = ExprKind::Field(name);
                }
            }
            ExprKind::Num(_) => {}
            ExprKind::Search(p) => self.pred(p),
            ExprKind::Not(x) | ExprKind::Neg(x) => self.expr(x),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Call { args, regex, .. } => {
                if let Some(r) = regex {
                    self.text(&r.source, "a regex");
                }
                for a in args {
                    self.expr(a);
                }
            }
        }
    }
}
