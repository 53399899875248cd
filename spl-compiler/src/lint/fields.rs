//! `W0304`: a field read where no row can hold it.
//!
//! The pipeline is followed stage by stage, knowing which fields a row can hold: any
//! field of the event at first, then, after a command that keeps only some (`table`,
//! `fields`, `stats`), only those and what later commands make. A field read where no row
//! can hold it is always null; and a field read that no command of the rule makes, while an
//! earlier command makes one of a name a letter away (`eval keywords=...` then `table
//! keyword`) and no earlier command read it, is most likely a misspelling, even though an
//! event could hold it.

use std::collections::BTreeSet;

use spl_grammar::ast::{
    AggArg, Command, Expr, ExprKind, FieldItem, Query, SearchExpr, SearchKind, StatsKind,
};
use spl_grammar::{Diagnostic, Span};

use super::FIELD_NEVER_PRODUCED;

/// What fields a row can hold at a point of the pipeline.
#[derive(Clone, Debug)]
enum Fields {
    /// Any field (those of the event, and more).
    Any,
    /// Only these names, and names matching these `*` patterns.
    Only {
        names: BTreeSet<String>,
        patterns: Vec<String>,
        /// The command that restricted the rows.
        after: &'static str,
    },
}

impl Fields {
    fn holds(&self, name: &str) -> bool {
        match self {
            Fields::Any => true,
            Fields::Only {
                names, patterns, ..
            } => names.contains(name) || patterns.iter().any(|p| glob(p, name)),
        }
    }

    fn add(&mut self, name: &str) {
        if let Fields::Only {
            names, patterns, ..
        } = self
        {
            if name.contains('*') {
                patterns.push(name.to_owned());
            } else {
                names.insert(name.to_owned());
            }
        }
    }

    fn only(after: &'static str, items: impl IntoIterator<Item = String>) -> Fields {
        let mut f = Fields::Only {
            names: BTreeSet::new(),
            patterns: Vec::new(),
            after,
        };
        for item in items {
            f.add(&item);
        }
        f
    }
}

/// Whether `name` matches the `*` pattern `pattern`.
fn glob(pattern: &str, name: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A field read: its name and where.
struct Read<'a> {
    name: &'a str,
    span: Span,
}

/// Names a command makes, and the fields it reads.
#[derive(Default)]
struct Effect<'a> {
    reads: Vec<Read<'a>>,
    makes: Vec<String>,
}

fn read_items<'a>(items: &'a [FieldItem], reads: &mut Vec<Read<'a>>) {
    for item in items {
        if let FieldItem::Field(id) = item {
            reads.push(Read {
                name: &id.name,
                span: id.span,
            });
        }
    }
}

fn read_expr<'a>(expr: &'a Expr, reads: &mut Vec<Read<'a>>) {
    if let ExprKind::Field(id) = &expr.kind {
        reads.push(Read {
            name: &id.name,
            span: id.span,
        });
    }
    for child in expr.children() {
        read_expr(child, reads);
    }
}

/// The names of the named groups of a regex (`(?<n>`, `(?P<n>`, `(?'n'`).
fn group_names(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in pattern.match_indices("(?") {
        if pattern[..at].ends_with('\\') {
            continue;
        }
        let rest = &pattern[at + 2..];
        let rest = rest.strip_prefix('P').unwrap_or(rest);
        let (open, close) = match rest.chars().next() {
            Some('<') => ('<', '>'),
            Some('\'') => ('\'', '\''),
            _ => continue,
        };
        let body = &rest[open.len_utf8()..];
        if body.starts_with(['=', '!']) {
            continue; // a lookbehind
        }
        if let Some(end) = body.find(close) {
            out.push(body[..end].to_owned());
        }
    }
    out
}

/// The field compares of a search, with where each field is named.
fn searched_reads<'a>(expr: &'a SearchExpr, out: &mut Vec<Read<'a>>) {
    match &expr.kind {
        SearchKind::And(items) | SearchKind::Or(items) => {
            for i in items {
                searched_reads(i, out);
            }
        }
        SearchKind::Not(inner) => searched_reads(inner, out),
        SearchKind::Compare(c) => out.push(Read {
            name: &c.field.name,
            span: c.field.span,
        }),
        SearchKind::In(l) => out.push(Read {
            name: &l.field.name,
            span: l.field.span,
        }),
        _ => {}
    }
}

/// The fields the first search compares: event fields the author knows of.
fn searched<'a>(expr: &'a SearchExpr, out: &mut BTreeSet<&'a str>) {
    match &expr.kind {
        SearchKind::And(items) | SearchKind::Or(items) => {
            for i in items {
                searched(i, out);
            }
        }
        SearchKind::Not(inner) => searched(inner, out),
        SearchKind::Compare(c) => {
            out.insert(&c.field.name);
        }
        SearchKind::In(l) => {
            out.insert(&l.field.name);
        }
        _ => {}
    }
}

/// Each command of `query` with what it reads and makes, and the fields it restricts
/// rows to (`Some`); and the fields the first search compares.
#[allow(clippy::type_complexity)]
fn effects(
    query: &Query,
) -> (
    Vec<(&'static str, Effect<'_>, Option<Fields>)>,
    BTreeSet<&str>,
    Vec<Read<'_>>,
) {
    let mut effects: Vec<(&'static str, Effect<'_>, Option<Fields>)> = Vec::new();
    let mut in_search = BTreeSet::new();
    let mut search_reads = Vec::new();
    for (i, stage) in query.stages.iter().enumerate() {
        let mut e = Effect::default();
        // `Some(fields)`: after this command rows hold only `fields` (plus what it makes).
        let mut restrict: Option<Fields> = None;
        let name: &'static str = match &stage.command {
            Command::Search(s) => {
                if let Some(expr) = &s.expr {
                    if i == 0 {
                        searched(expr, &mut in_search);
                        searched_reads(expr, &mut search_reads);
                    }
                }
                "search"
            }
            Command::Where(expr) => {
                read_expr(expr, &mut e.reads);
                "where"
            }
            Command::Eval(assigns) => {
                for a in assigns {
                    read_expr(&a.value, &mut e.reads);
                    e.makes.push(a.field.name.clone());
                }
                "eval"
            }
            Command::Regex(r) => {
                if let Some(f) = &r.field {
                    e.reads.push(Read {
                        name: &f.name,
                        span: f.span,
                    });
                }
                "regex"
            }
            Command::Rex(r) => {
                if let Some(f) = &r.field {
                    e.reads.push(Read {
                        name: &f.name,
                        span: f.span,
                    });
                }
                if !r.sed {
                    e.makes.extend(group_names(&r.pattern.value));
                }
                "rex"
            }
            Command::Table(items) => {
                read_items(items, &mut e.reads);
                restrict = Some(Fields::only("table", item_names(items)));
                "table"
            }
            Command::Fields(f) if !f.remove => {
                read_items(&f.fields, &mut e.reads);
                let keep = item_names(&f.fields).chain(["_raw".to_owned(), "_time".to_owned()]);
                restrict = Some(Fields::only("fields", keep));
                "fields"
            }
            Command::Rename(pairs) => {
                for p in pairs {
                    e.reads.push(Read {
                        name: &p.from.name,
                        span: p.from.span,
                    });
                    e.makes.push(p.to.name.clone());
                }
                "rename"
            }
            Command::Fillnull(f) => {
                e.makes.extend(item_names(&f.fields));
                "fillnull"
            }
            Command::Sort(s) => {
                for k in &s.keys {
                    e.reads.push(Read {
                        name: &k.field.name,
                        span: k.field.span,
                    });
                }
                "sort"
            }
            Command::Dedup(d) => {
                for f in &d.fields {
                    e.reads.push(Read {
                        name: &f.name,
                        span: f.span,
                    });
                }
                "dedup"
            }
            Command::Bin(b) => {
                if let Some(a) = &b.alias {
                    e.makes.push(a.name.clone());
                }
                "bin"
            }
            Command::Stats(s) => {
                read_items(&s.by, &mut e.reads);
                let mut outputs: Vec<String> = item_names(&s.by).collect();
                for agg in &s.aggs {
                    match &agg.arg {
                        Some(AggArg::Field(f)) if !f.name.contains('*') => e.reads.push(Read {
                            name: &f.name,
                            span: f.span,
                        }),
                        Some(AggArg::Eval(x)) => read_expr(x, &mut e.reads),
                        _ => {}
                    }
                    let output = match (&agg.alias, &agg.arg) {
                        (Some(a), _) => a.name.clone(),
                        (None, None) => agg.func.name.clone(),
                        (None, Some(AggArg::Field(f))) => format!("{}({})", agg.func.name, f.name),
                        (None, Some(AggArg::Eval(_))) => format!("{}(eval)", agg.func.name),
                    };
                    outputs.push(output);
                }
                if s.kind == StatsKind::Stats {
                    restrict = Some(Fields::only("stats", outputs.iter().cloned()));
                }
                e.makes.extend(outputs);
                s.kind.as_str()
            }
            Command::Lookup(l) if !l.outputs.is_empty() => {
                for c in &l.inputs {
                    let f = c.alias.as_ref().unwrap_or(&c.column);
                    e.reads.push(Read {
                        name: &f.name,
                        span: f.span,
                    });
                }
                for c in &l.outputs {
                    e.makes
                        .push(c.alias.as_ref().unwrap_or(&c.column).name.clone());
                }
                "lookup"
            }
            Command::Iplocation(c) => {
                e.reads.push(Read {
                    name: &c.field.name,
                    span: c.field.span,
                });
                let prefix = c
                    .options
                    .iter()
                    .find(|o| o.key.name == "prefix")
                    .map_or("", |o| o.value.value.as_str());
                for f in [
                    "City",
                    "Continent",
                    "Country",
                    "MetroCode",
                    "Region",
                    "Timezone",
                    "lat",
                    "lon",
                ] {
                    e.makes.push(format!("{prefix}{f}"));
                }
                "iplocation"
            }
            Command::Transaction(_) => {
                e.makes
                    .extend(["duration", "eventcount", "closed_txn"].map(str::to_owned));
                "transaction"
            }
            Command::Head(_) | Command::Fields(_) => "",
            // What these make is not known here: any field from now on.
            _ => {
                restrict = Some(Fields::Any);
                ""
            }
        };
        effects.push((name, e, restrict));
    }
    (effects, in_search, search_reads)
}

/// The fields a rule reads from its events, each where it is first read: those its first
/// search compares, then those later commands read before any command made a field of
/// that name, while rows are still whole events. `_raw`, `_time` and other names starting
/// with `_`, wildcard patterns and `foreach` templates are left out; so are reads after a
/// command whose effect on the fields is not known here.
pub(crate) fn event_fields(query: &Query) -> Vec<(String, Span)> {
    let (effects, _, search_reads) = effects(query);
    let mut out: Vec<(String, Span)> = Vec::new();
    let push = |name: &str, span: Span, out: &mut Vec<(String, Span)>| {
        let skip = name.starts_with('_') || name.contains('*') || name.contains("<<");
        if !skip && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_owned(), span));
        }
    };
    for read in &search_reads {
        push(read.name, read.span, &mut out);
    }
    let mut whole_events = true;
    let mut made: BTreeSet<&str> = BTreeSet::new();
    for (_, e, restrict) in &effects {
        if whole_events {
            for read in &e.reads {
                if !made.contains(read.name) {
                    push(read.name, read.span, &mut out);
                }
            }
        }
        if restrict.is_some() {
            whole_events = false;
        }
        made.extend(e.makes.iter().map(String::as_str));
    }
    out
}

/// The warnings of `query`.
pub(super) fn lint_fields(query: &Query, found: &mut Vec<Diagnostic>) {
    let (effects, in_search, _) = effects(query);
    let made: BTreeSet<&str> = effects
        .iter()
        .flat_map(|(_, e, _)| e.makes.iter().map(String::as_str))
        .collect();
    let mut state = Fields::Any;
    let mut warned = BTreeSet::new();
    // Names made by the commands before the current one.
    let mut made_before: BTreeSet<&str> = BTreeSet::new();
    // Names read by the commands before the current one: fields the rule takes from
    // events.
    let mut read_before: BTreeSet<&str> = BTreeSet::new();
    for (command, e, restrict) in &effects {
        for read in &e.reads {
            let n = read.name;
            if n.starts_with('_') || n.contains('*') || n.contains("<<") || warned.contains(n) {
                continue;
            }
            if let Fields::Only { after, .. } = &state {
                if !state.holds(n) {
                    warned.insert(n);
                    found.push(
                        Diagnostic::warning(
                            FIELD_NEVER_PRODUCED,
                            format!("`{n}` is read here, but no row can hold it"),
                        )
                        .with_primary(read.span, format!("always null in `{command}`"))
                        .with_note(format!(
                            "after `{after}`, rows hold only the fields it keeps or makes, and \
                             no command after it makes `{n}`"
                        )),
                    );
                    continue;
                }
            }
            if made.contains(n) || in_search.contains(n) || read_before.contains(n) {
                continue;
            }
            if let Some(near) = made_before.iter().find(|m| one_letter_apart(m, n)) {
                warned.insert(n);
                found.push(
                    Diagnostic::warning(
                        FIELD_NEVER_PRODUCED,
                        format!("`{n}` is read here, but no command of the rule makes it"),
                    )
                    .with_primary(read.span, format!("a command makes `{near}`"))
                    .with_note(format!(
                        "unless events hold a `{n}` field, it is null here; `{near}` may be \
                         the field meant"
                    )),
                );
            }
        }
        if let Some(r) = restrict {
            state = r.clone();
        }
        for m in &e.makes {
            state.add(m);
            made_before.insert(m);
        }
        read_before.extend(e.reads.iter().map(|r| r.name));
    }
}

fn item_names(items: &[FieldItem]) -> impl Iterator<Item = String> + '_ {
    items.iter().filter_map(|i| match i {
        FieldItem::Field(id) => Some(id.name.clone()),
        FieldItem::Macro(_) => None,
    })
}

/// Whether the names differ by one letter added, or only in case.
fn one_letter_apart(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    if a.len() == b.len() {
        return a != b && a.eq_ignore_ascii_case(b);
    }
    if long.len() != short.len() + 1 || short.len() < 3 {
        return false;
    }
    (0..long.len())
        .filter(|&i| long.is_char_boundary(i) && long.is_char_boundary(i + 1))
        .any(|i| long[..i].to_owned() + &long[i + 1..] == short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_near_names() {
        assert!(glob("process_*", "process_name"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "a-b-c"));
        assert!(!glob("a*b", "ab-"));
        assert!(!glob("x", "xy"));
        assert!(one_letter_apart("keyword", "keywords"));
        assert!(one_letter_apart("User", "user"));
        assert!(!one_letter_apart("user", "user"));
        assert!(!one_letter_apart("ab", "abc"), "too short to tell");
        assert!(!one_letter_apart("keyword", "keywordss"));
        assert_eq!(
            group_names(r"(?<a>x)(?P<b>y)(?'c'z)(?<=w)\(?<d>"),
            ["a", "b", "c"]
        );
    }
}
