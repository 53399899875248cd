//! The canonical SPL spelling of a tree.
//!
//! [`print`] (and `Display` on every node) writes a query back as SPL that parses to the
//! same tree, spans aside: stages are joined with ` | `, `AND`/`OR` groups inside other
//! boolean nodes are always parenthesised, eval operands are parenthesised where precedence
//! needs it, strings are re-escaped (`\` → `\\`, `"` → `\"`), and values written bare are
//! printed bare.
//!
//! ```
//! let q = spl_grammar::parse_query(r#"a OR b c | where x=1 and (y<2 or z>3)"#).unwrap();
//! assert_eq!(spl_grammar::ast::print(&q), "(a OR b) AND c | where x = 1 AND (y < 2 OR z > 3)");
//! ```

use std::fmt::{self, Display, Formatter, Write};

use super::{
    AggArg, Aggregation, Assignment, BinCommand, Command, Compare, DedupCommand, Expr, ExprKind,
    FieldItem, FieldsCommand, FillnullCommand, ForeachCommand, GenericArg, GenericCommand,
    HeadCommand, Ident, InList, IplocationCommand, JoinCommand, Literal, LookupCommand,
    LookupField, LookupOutput, MacroCall, OptionArg, Query, RegexCommand, RenamePair, RexCommand,
    SearchCommand, SearchExpr, SearchKind, SortCommand, SortKey, Stage, StatsCommand, Subsearch,
    TransactionCommand, TstatsCommand,
};

/// The canonical SPL text of `query`.
pub fn print(query: &Query) -> String {
    query.to_string()
}

/// Write `value` in double quotes, escaping `\` and `"`.
fn quoted(f: &mut Formatter<'_>, value: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in value.chars() {
        if matches!(c, '\\' | '"') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

/// An unquoted token's text, each `"` in it written `\"` (which reads back as `"`).
fn bare(f: &mut Formatter<'_>, value: &str) -> fmt::Result {
    for (i, piece) in value.split('"').enumerate() {
        if i > 0 {
            f.write_str("\\\"")?;
        }
        f.write_str(piece)?;
    }
    Ok(())
}

/// A literal: bare when it was written bare, quoted otherwise.
fn literal(f: &mut Formatter<'_>, lit: &Literal) -> fmt::Result {
    if lit.quoted {
        quoted(f, &lit.value)
    } else {
        bare(f, &lit.value)
    }
}

/// Whether `c` may stand in a bare option value.
fn bare_value_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '"' | '|' | '`' | '[' | ']' | ','))
}

/// A text in an option-value position (`rex field=...`): bare when it can be.
fn value_text(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    if !text.is_empty() && text.chars().all(bare_value_char) {
        f.write_str(text)
    } else {
        quoted(f, text)
    }
}

/// Whether `name` can be written bare in a field list (and is not taken for a keyword or
/// a count there).
fn bare_field_name(name: &str) -> bool {
    let mut rest = name;
    if rest.is_empty() || rest.starts_with(['-', '+']) {
        return false;
    }
    while !rest.is_empty() {
        if let Some(after) = template_prefix(rest) {
            rest = after;
            continue;
        }
        let c = rest.chars().next().expect("checked non-empty");
        if !(c.is_ascii_alphanumeric() || "_.*{}-:@$".contains(c)) {
            return false;
        }
        rest = &rest[c.len_utf8()..];
    }
    let keyword = ["as", "by", "output", "outputnew"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k));
    !keyword && !name.bytes().all(|b| b.is_ascii_digit())
}

/// `<<NAME>>` at the start of `text`: the rest after it.
fn template_prefix(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("<<")?;
    let len = inner.bytes().take_while(u8::is_ascii_alphabetic).count();
    if len == 0 {
        return None;
    }
    inner[len..].strip_prefix(">>")
}

/// A field name in a field list, `rename`, `stats`, ...
fn field_name(f: &mut Formatter<'_>, name: &Ident) -> fmt::Result {
    if bare_field_name(&name.name) {
        f.write_str(&name.name)
    } else {
        quoted(f, &name.name)
    }
}

/// Whether `name` can be written bare as an eval field.
fn bare_eval_name(name: &str) -> bool {
    let mut rest = name;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = template_prefix(rest) {
            rest = after;
        } else {
            let c = rest.chars().next().expect("checked non-empty");
            let ok = c.is_ascii_alphabetic() || c == '_' || (!first && c.is_ascii_digit());
            if !ok {
                return false;
            }
            rest = &rest[c.len_utf8()..];
        }
        first = false;
    }
    let keyword = ["and", "or", "xor", "not", "like", "in"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k));
    !name.is_empty() && !keyword
}

/// A field of an eval expression: bare, or in single quotes.
fn eval_name(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if bare_eval_name(name) {
        f.write_str(name)
    } else {
        write!(f, "'{name}'")
    }
}

/// Write `items` separated by `sep`.
fn joined<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    sep: &str,
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        each(f, item)?;
    }
    Ok(())
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, stage) in self.stages.iter().enumerate() {
            let text = stage.to_string();
            match i {
                0 => f.write_str(&text)?,
                1 if self.stages[0].is_empty_search() => write!(f, "| {text}")?,
                _ => write!(f, " | {text}")?,
            }
        }
        Ok(())
    }
}

impl Stage {
    /// True for an implicit search with no expression and no trailing macro.
    fn is_empty_search(&self) -> bool {
        matches!(
            &self.command,
            Command::Search(SearchCommand {
                explicit: false,
                expr: None
            })
        ) && self.trailing_macros.is_empty()
    }
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let command = self.command.to_string();
        f.write_str(&command)?;
        for (i, m) in self.trailing_macros.iter().enumerate() {
            if i > 0 || !command.is_empty() {
                f.write_char(' ')?;
            }
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

impl Display for MacroCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "`{}", self.name.name)?;
        if let Some(args) = &self.args {
            f.write_char('(')?;
            joined(f, args, ", ", |f, a| f.write_str(&a.text))?;
            f.write_char(')')?;
        }
        f.write_char('`')
    }
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        literal(f, self)
    }
}

impl Display for OptionArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.key.name)?;
        literal(f, &self.value)
    }
}

/// ` opt1 opt2 ...` (each with a leading space).
fn options(f: &mut Formatter<'_>, opts: &[OptionArg]) -> fmt::Result {
    for o in opts {
        write!(f, " {o}")?;
    }
    Ok(())
}

/// A space and the items of a field list, comma-separated (nothing when empty).
fn field_items(f: &mut Formatter<'_>, items: &[FieldItem]) -> fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    f.write_char(' ')?;
    joined(f, items, ", ", |f, item| write!(f, "{item}"))
}

/// A space and field names, comma-separated (nothing when empty).
fn field_names(f: &mut Formatter<'_>, names: &[Ident]) -> fmt::Result {
    if names.is_empty() {
        return Ok(());
    }
    f.write_char(' ')?;
    joined(f, names, ", ", field_name)
}

impl Display for FieldItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FieldItem::Field(name) => field_name(f, name),
            FieldItem::Macro(m) => write!(f, "{m}"),
        }
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Search(c) => write!(f, "{c}"),
            Command::Where(e) => write!(f, "where {e}"),
            Command::Eval(assignments) => {
                f.write_str("eval ")?;
                joined(f, assignments, ", ", |f, a| write!(f, "{a}"))
            }
            Command::Regex(c) => write!(f, "{c}"),
            Command::Rex(c) => write!(f, "{c}"),
            Command::Table(items) => {
                f.write_str("table")?;
                field_items(f, items)
            }
            Command::Fields(c) => write!(f, "{c}"),
            Command::Rename(pairs) => {
                f.write_str("rename ")?;
                joined(f, pairs, ", ", |f, p| write!(f, "{p}"))
            }
            Command::Fillnull(c) => write!(f, "{c}"),
            Command::Sort(c) => write!(f, "{c}"),
            Command::Dedup(c) => write!(f, "{c}"),
            Command::Head(c) => write!(f, "{c}"),
            Command::Bin(c) => write!(f, "{c}"),
            Command::Stats(c) => write!(f, "{c}"),
            Command::Timechart(c) => {
                // The same words as `stats`, after the other name.
                let text = c.to_string();
                write!(f, "timechart{}", &text[c.kind.as_str().len()..])
            }
            Command::Tstats(c) => write!(f, "{c}"),
            Command::Transaction(c) => write!(f, "{c}"),
            Command::Lookup(c) => write!(f, "{c}"),
            Command::Iplocation(c) => write!(f, "{c}"),
            Command::Join(c) => write!(f, "{c}"),
            Command::Foreach(c) => write!(f, "{c}"),
            Command::Macro(m) => write!(f, "{m}"),
            Command::Generic(c) => write!(f, "{c}"),
        }
    }
}

impl Display for SearchCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.explicit, &self.expr) {
            (true, Some(e)) => write!(f, "search {e}"),
            (true, None) => f.write_str("search"),
            (false, Some(e)) => write!(f, "{e}"),
            (false, None) => Ok(()),
        }
    }
}

impl SearchExpr {
    /// An `AND` or `OR` node, parenthesised inside other boolean nodes.
    fn is_compound(&self) -> bool {
        matches!(self.kind, SearchKind::And(_) | SearchKind::Or(_))
    }

    fn fmt_operand(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.is_compound() {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl Display for SearchExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SearchKind::And(items) => joined(f, items, " AND ", |f, e| e.fmt_operand(f)),
            SearchKind::Or(items) => joined(f, items, " OR ", |f, e| e.fmt_operand(f)),
            SearchKind::Not(inner) => {
                f.write_str("NOT ")?;
                inner.fmt_operand(f)
            }
            SearchKind::Term(lit) => bare(f, &lit.value),
            SearchKind::Phrase(lit) => quoted(f, &lit.value),
            SearchKind::TermCall(lit) => {
                f.write_str("TERM(")?;
                literal(f, lit)?;
                f.write_char(')')
            }
            SearchKind::CaseCall(lit) => {
                f.write_str("CASE(")?;
                literal(f, lit)?;
                f.write_char(')')
            }
            SearchKind::Compare(c) => write!(f, "{c}"),
            SearchKind::In(list) => write!(f, "{list}"),
            SearchKind::Macro(m) => write!(f, "{m}"),
            SearchKind::Subsearch(sub) => write!(f, "{sub}"),
        }
    }
}

impl Display for Compare {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.field.name, self.op.as_str())?;
        // `a> =b` is `a > "=b"`; written together it would read `a >= b`.
        if !self.value.quoted && self.value.value.starts_with(['=', '<', '>', '!']) {
            f.write_char(' ')?;
        }
        literal(f, &self.value)
    }
}

impl Display for InList {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} IN (", self.field.name)?;
        joined(f, &self.values, ", ", literal)?;
        f.write_char(')')
    }
}

/// `NOT` sits between `AND` and the comparisons.
const NOT_PRECEDENCE: u8 = 4;
/// `IN (...)` is a comparison.
const IN_PRECEDENCE: u8 = 5;
/// Unary minus binds tighter than every binary operator.
const NEG_PRECEDENCE: u8 = 9;
/// Atoms never need parentheses.
const ATOM_PRECEDENCE: u8 = 10;

impl Expr {
    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::Not(_) => NOT_PRECEDENCE,
            ExprKind::In { .. } => IN_PRECEDENCE,
            ExprKind::Neg(_) => NEG_PRECEDENCE,
            _ => ATOM_PRECEDENCE,
        }
    }

    /// Write `self`, in parentheses when it binds looser than `min`.
    fn fmt_at(&self, f: &mut Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Field(name) => eval_name(f, &name.name),
            ExprKind::Str(s) => quoted(f, s),
            ExprKind::Number(n) => f.write_str(n),
            ExprKind::Not(inner) => {
                f.write_str("NOT ")?;
                inner.fmt_at(f, NOT_PRECEDENCE)
            }
            ExprKind::Neg(inner) => {
                f.write_char('-')?;
                inner.fmt_at(f, NEG_PRECEDENCE)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let p = op.precedence();
                // Left-associative: the left operand may share the level, the right may not.
                lhs.fmt_at(f, p)?;
                write!(f, " {} ", op.as_str())?;
                rhs.fmt_at(f, p + 1)
            }
            ExprKind::In { expr, list } => {
                expr.fmt_at(f, IN_PRECEDENCE)?;
                f.write_str(" IN (")?;
                joined(f, list, ", ", |f, e| write!(f, "{e}"))?;
                f.write_char(')')
            }
            ExprKind::Call { name, args } => {
                write!(f, "{}(", name.name)?;
                joined(f, args, ", ", |f, e| write!(f, "{e}"))?;
                f.write_char(')')
            }
            ExprKind::Macro(m) => write!(f, "{m}"),
        }
    }
}

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.dynamic {
            f.write_str("{")?;
            eval_name(f, &self.field.name)?;
            f.write_str("}")?;
            return write!(f, "={}", self.value);
        }
        eval_name(f, &self.field.name)?;
        write!(f, "={}", self.value)
    }
}

impl Display for RegexCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("regex ")?;
        if let Some(field) = &self.field {
            write!(f, "{}{}", field.name, if self.negated { "!=" } else { "=" })?;
        }
        literal(f, &self.pattern)
    }
}

impl Display for RexCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("rex")?;
        if let Some(field) = &self.field {
            f.write_str(" field=")?;
            value_text(f, &field.name)?;
        }
        if let Some(n) = self.max_match {
            write!(f, " max_match={n}")?;
        }
        if self.sed {
            f.write_str(" mode=sed")?;
        }
        options(f, &self.options)?;
        f.write_char(' ')?;
        literal(f, &self.pattern)
    }
}

impl Display for FieldsCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.remove { "fields -" } else { "fields" })?;
        field_items(f, &self.fields)
    }
}

impl Display for RenamePair {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        field_name(f, &self.from)?;
        f.write_str(" AS ")?;
        field_name(f, &self.to)
    }
}

impl Display for FillnullCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("fillnull")?;
        if let Some(value) = &self.value {
            f.write_str(" value=")?;
            literal(f, value)?;
        }
        field_items(f, &self.fields)
    }
}

impl Display for SortCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("sort")?;
        if let Some(n) = self.limit {
            write!(f, " {n}")?;
        }
        if !self.keys.is_empty() {
            f.write_char(' ')?;
            joined(f, &self.keys, ", ", |f, k| write!(f, "{k}"))?;
        }
        Ok(())
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.descending {
            f.write_char('-')?;
        }
        field_name(f, &self.field)
    }
}

impl Display for DedupCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("dedup")?;
        if let Some(n) = self.count {
            write!(f, " {n}")?;
        }
        field_names(f, &self.fields)?;
        options(f, &self.options)
    }
}

impl Display for HeadCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.limit {
            Some(n) => write!(f, "head {n}"),
            None => f.write_str("head"),
        }
    }
}

impl Display for BinCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.keyword.name)?;
        options(f, &self.options)?;
        if let Some(field) = &self.field {
            f.write_char(' ')?;
            field_name(f, field)?;
        }
        if let Some(alias) = &self.alias {
            f.write_str(" AS ")?;
            field_name(f, alias)?;
        }
        Ok(())
    }
}

impl Display for StatsCommand {
    /// Options come first, or after the `BY` list when there is one: a macro call that
    /// ends the list then stays in it (options after it), as it was parsed.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if self.by.is_empty() {
            options(f, &self.options)?;
        }
        if !self.aggs.is_empty() {
            f.write_char(' ')?;
            joined(f, &self.aggs, ", ", |f, a| write!(f, "{a}"))?;
        }
        if !self.by.is_empty() {
            f.write_str(" BY")?;
            field_items(f, &self.by)?;
            options(f, &self.options)?;
        }
        Ok(())
    }
}

impl Display for TstatsCommand {
    /// Options (those written after `BY` too) and macro calls first, then the
    /// aggregations, `FROM`, `WHERE` and `BY`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("tstats")?;
        options(f, &self.options)?;
        for (key, m) in &self.macro_options {
            write!(f, " {}={m}", key.name)?;
        }
        for m in &self.macros {
            write!(f, " {m}")?;
        }
        if !self.aggs.is_empty() {
            f.write_char(' ')?;
            joined(f, &self.aggs, ", ", |f, a| write!(f, "{a}"))?;
        }
        if let Some(from) = &self.from {
            write!(f, " FROM {from}")?;
        }
        if let Some(filter) = &self.filter {
            write!(f, " WHERE {filter}")?;
        }
        if !self.by.is_empty() {
            f.write_str(" BY")?;
            field_items(f, &self.by)?;
        }
        Ok(())
    }
}

impl Display for Aggregation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.func.name)?;
        match &self.arg {
            Some(AggArg::Field(name)) => {
                f.write_char('(')?;
                field_name(f, name)?;
                f.write_char(')')?;
            }
            Some(AggArg::Eval(expr)) => write!(f, "(eval({expr}))")?,
            None => {}
        }
        if let Some(alias) = &self.alias {
            f.write_str(" AS ")?;
            field_name(f, alias)?;
        }
        Ok(())
    }
}

impl Display for TransactionCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("transaction")?;
        field_names(f, &self.fields)?;
        options(f, &self.options)
    }
}

impl Display for LookupCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("lookup")?;
        options(f, &self.options)?;
        f.write_char(' ')?;
        field_name(f, &self.table)?;
        for input in &self.inputs {
            write!(f, " {input}")?;
        }
        if let Some(mode) = self.output_mode {
            f.write_str(match mode {
                LookupOutput::Output => " OUTPUT",
                LookupOutput::OutputNew => " OUTPUTNEW",
            })?;
            for output in &self.outputs {
                write!(f, " {output}")?;
            }
        }
        Ok(())
    }
}

impl Display for LookupField {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        field_name(f, &self.column)?;
        if let Some(alias) = &self.alias {
            f.write_str(" AS ")?;
            field_name(f, alias)?;
        }
        Ok(())
    }
}

impl Display for IplocationCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("iplocation")?;
        options(f, &self.options)?;
        f.write_char(' ')?;
        field_name(f, &self.field)
    }
}

impl Display for JoinCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("join")?;
        options(f, &self.options)?;
        field_names(f, &self.fields)?;
        write!(f, " {}", self.subsearch)
    }
}

impl Display for Subsearch {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "[ {} ]", self.query)
    }
}

impl Display for ForeachCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("foreach")?;
        field_names(f, &self.fields)?;
        options(f, &self.options)?;
        write!(f, " {}", self.template)
    }
}

impl Display for GenericCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name.name)?;
        for arg in &self.args {
            f.write_char(' ')?;
            match arg {
                GenericArg::Option(o) => write!(f, "{o}")?,
                GenericArg::Word(w) => literal(f, w)?,
                GenericArg::Subsearch(s) => write!(f, "{s}")?,
                GenericArg::Macro(m) => write!(f, "{m}")?,
            }
        }
        Ok(())
    }
}
