//! The typed syntax tree of an SPL query.
//!
//! A [`Query`] is a pipeline of [`Stage`]s separated by `|`. The first stage is an implicit
//! `search`. Every node carries the [`Span`] of the text it was parsed from. Nodes hold
//! values *after* SPL's string unescaping (`\\`, `\"`, `\|` inside double quotes), so two
//! spellings of the same query produce equal trees once spans are cleared
//! ([`Query::clear_spans`]); [`print()`] writes a canonical spelling back.
//!
//! Macro calls (`` `name` ``, `` `name(a, b)` ``) are nodes of their own wherever the
//! armory places them: as search terms ([`SearchKind::Macro`]), as whole stages
//! ([`Command::Macro`]), as items of field lists ([`FieldItem::Macro`]), and trailing any
//! stage ([`Stage::trailing_macros`]). So a query parses before its macros are known.

mod print;
mod visit;

pub use print::print;
pub use visit::{visit_macro_calls, MacroPosition, SpanMut};

use crate::span::Span;

pub use spl_ir::{BinOp, CmpOp, StatsKind};

/// A whole query: stages separated by `|`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The stages in order. The first is the implicit search (possibly empty).
    pub stages: Vec<Stage>,
    /// The whole query.
    pub span: Span,
}

/// One stage of a pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// The command and its arguments.
    pub command: Command,
    /// Macro calls written after the command's arguments (`... by host `hec_collect``).
    pub trailing_macros: Vec<MacroCall>,
    /// The stage without the leading `|`.
    pub span: Span,
}

/// A macro call: `` `name` `` or `` `name(arg, ...)` ``.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroCall {
    /// The macro name.
    pub name: Ident,
    /// The arguments as written (quotes kept), split on top-level commas and trimmed.
    /// `None` when the call has no parentheses; `Some(vec![])` for `name()`.
    pub args: Option<Vec<MacroArg>>,
    /// The call including both backticks.
    pub span: Span,
}

/// One macro argument, exactly as written between the commas.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroArg {
    /// The argument text, trimmed of surrounding white space; quotes are kept.
    pub text: String,
    /// Where the argument text is.
    pub span: Span,
}

/// A name: command, function, macro, option key or field name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name as written (for single-quoted eval field names: without the quotes).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A literal string value, quoted or bare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    /// The value after unescaping (`\\`, `\"`, `\|` inside double quotes; bare text as is).
    pub value: String,
    /// Whether any part of it was written in double quotes.
    pub quoted: bool,
    /// Where it is.
    pub span: Span,
}

/// A command of the pipeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `search <expr>`, or the implicit first stage (`explicit == false`).
    Search(SearchCommand),
    /// `where <expr>`.
    Where(Expr),
    /// `eval f=expr, ...`.
    Eval(Vec<Assignment>),
    /// `regex [field(=|!=)]"<regex>"`.
    Regex(RegexCommand),
    /// `rex [field=f] [max_match=n] [mode=sed] "<regex or sed>"`.
    Rex(RexCommand),
    /// `table f1, f2 ...`.
    Table(Vec<FieldItem>),
    /// `fields [+|-] f1, f2 ...`.
    Fields(FieldsCommand),
    /// `rename a AS b, ...`.
    Rename(Vec<RenamePair>),
    /// `fillnull [value=v] [fields]`.
    Fillnull(FillnullCommand),
    /// `sort [N] [+|-]f, ...`.
    Sort(SortCommand),
    /// `dedup [N] f1 f2 ... [options]`.
    Dedup(DedupCommand),
    /// `head [N]` or `head limit=N`.
    Head(HeadCommand),
    /// `bin` / `bucket`.
    Bin(BinCommand),
    /// `stats`, `eventstats`, `streamstats`.
    Stats(StatsCommand),
    /// `timechart [options] aggregations [BY field]` (its `kind` is `Stats`).
    Timechart(StatsCommand),
    /// `tstats ... [FROM datamodel=X] [WHERE ...] [BY ...]`.
    Tstats(TstatsCommand),
    /// `transaction f ... [options]`.
    Transaction(TransactionCommand),
    /// `lookup table in [AS f] ... OUTPUT|OUTPUTNEW out [AS f] ...`.
    Lookup(LookupCommand),
    /// `iplocation [options] field`.
    Iplocation(IplocationCommand),
    /// `join [options] f1, ... [ subsearch ]`.
    Join(JoinCommand),
    /// `foreach <glob>... [options] [ template ]`.
    Foreach(ForeachCommand),
    /// A macro call standing for a whole stage.
    Macro(MacroCall),
    /// Any other command: name and arguments, parsed but not understood.
    Generic(GenericCommand),
}

/// `search <expr>`.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchCommand {
    /// False for the implicit first stage, true when the word `search` was written.
    pub explicit: bool,
    /// The expression; `None` for an empty search (matches everything).
    pub expr: Option<SearchExpr>,
}

/// A search-command expression. Precedence: `NOT` > `OR` > `AND` (explicit or implicit).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchExpr {
    /// What it is.
    pub kind: SearchKind,
    /// Where it is (parentheses around it are not included).
    pub span: Span,
}

/// The kinds of [`SearchExpr`].
#[derive(Clone, Debug, PartialEq)]
pub enum SearchKind {
    /// All must hold (juxtaposition or `AND`); two or more items.
    And(Vec<SearchExpr>),
    /// Any must hold; two or more items.
    Or(Vec<SearchExpr>),
    /// `NOT x`.
    Not(Box<SearchExpr>),
    /// A bare word matched against `_raw` (`*` is a wildcard).
    Term(Literal),
    /// A double-quoted phrase matched against `_raw` (`*` is a wildcard).
    Phrase(Literal),
    /// `TERM(x)`: `x` bounded by major breakers. The literal is the text inside the
    /// parentheses (unquoted when written `TERM("x")`).
    TermCall(Literal),
    /// `CASE(x)`: case-sensitive term.
    CaseCall(Literal),
    /// `field op value`.
    Compare(Compare),
    /// `field IN (v1, v2, ...)`.
    In(InList),
    /// A macro call used as a search term.
    Macro(MacroCall),
    /// `[ ... ]`: a subsearch whose result rows stand for a search (`format`'s rules).
    Subsearch(Box<Subsearch>),
}

/// `field op value` in a search expression; the right side is always a literal.
#[derive(Clone, Debug, PartialEq)]
pub struct Compare {
    /// The field name.
    pub field: Ident,
    /// The operator.
    pub op: CmpOp,
    /// The value (may contain `*` wildcards, or be a CIDR block).
    pub value: Literal,
}

/// `field IN (v1, v2, ...)` in a search expression.
#[derive(Clone, Debug, PartialEq)]
pub struct InList {
    /// The field name.
    pub field: Ident,
    /// The listed values.
    pub values: Vec<Literal>,
}

/// An eval expression (used by `where`, `eval`, `stats ... eval(...)`).
///
/// Precedence, loosest first: `XOR`, `OR`, `AND`, `NOT`/`!`, comparisons and `LIKE`/`IN`,
/// `.` , `+ -`, `* / %`, unary `-`, atoms. Boolean keywords ignore case here.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is (parentheses around it are not included).
    pub span: Span,
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A field reference: bare (`process`) or single-quoted (`'target{}.type'`).
    Field(Ident),
    /// A double-quoted string literal (unescaped).
    Str(String),
    /// A number literal, kept as written (`10`, `0.5`, `1e3`).
    Number(String),
    /// `NOT x` or `!x`.
    Not(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `x IN (a, b, ...)`.
    In {
        /// The tested value.
        expr: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// `name(args...)`.
    Call {
        /// The function name as written.
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A macro call standing for a value (`relative_time(now(), `window`)`).
    Macro(MacroCall),
}

impl Expr {
    /// The expressions directly inside this one, in source order (none for a field, a
    /// literal or a macro call).
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Macro(_) => {
                Vec::new()
            }
            ExprKind::Not(e) | ExprKind::Neg(e) => vec![e],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::In { expr, list } => std::iter::once(&**expr).chain(list).collect(),
            ExprKind::Call { args, .. } => args.iter().collect(),
        }
    }
}

/// `field = expr` in `eval`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The assigned field (may be a `<<FIELD>>` template inside `foreach`); with
    /// [`dynamic`](Self::dynamic), the field whose value names the assigned field.
    pub field: Ident,
    /// `eval {field}=...`: the output field is named by the value of `field` in each row.
    pub dynamic: bool,
    /// The value.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// `regex [field=|field!=]"<regex>"`.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexCommand {
    /// The field; `None` means `_raw`.
    pub field: Option<Ident>,
    /// True for `!=` (keep events that do not match).
    pub negated: bool,
    /// The pattern after SPL unescaping, with spliced pieces joined.
    pub pattern: Literal,
}

/// `rex`.
#[derive(Clone, Debug, PartialEq)]
pub struct RexCommand {
    /// `field=` (default `_raw`).
    pub field: Option<Ident>,
    /// `max_match=` (default 1; 0 = unlimited).
    pub max_match: Option<u64>,
    /// `mode=sed`: the pattern is a sed expression.
    pub sed: bool,
    /// Options other than the above, in order (`offset_field=x`, ...).
    pub options: Vec<OptionArg>,
    /// The regex (or sed expression), unescaped, spliced pieces joined.
    pub pattern: Literal,
}

/// A `key=value` option of a command.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionArg {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Literal,
    /// `key=value` as a whole.
    pub span: Span,
}

/// An item of a field list: a name (possibly with `*`), or a macro call.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldItem {
    /// A field name or wildcard pattern.
    Field(Ident),
    /// A macro call inside the list (`` table `add_fields_eoi` a, b ``).
    Macro(MacroCall),
}

/// `fields [+|-] list`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldsCommand {
    /// True for `fields - ...` (remove), false for keep (`+` or nothing).
    pub remove: bool,
    /// The listed fields.
    pub fields: Vec<FieldItem>,
}

/// `old AS new` in `rename`.
#[derive(Clone, Debug, PartialEq)]
pub struct RenamePair {
    /// The source name or pattern.
    pub from: Ident,
    /// The target name or pattern.
    pub to: Ident,
    /// The whole pair.
    pub span: Span,
}

/// `fillnull [value=v] [fields]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FillnullCommand {
    /// The fill value (default `0`).
    pub value: Option<Literal>,
    /// The fields to fill; empty means all fields seen.
    pub fields: Vec<FieldItem>,
}

/// `sort [N] [+|-]f, ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortCommand {
    /// The row limit (`0` = none).
    pub limit: Option<u64>,
    /// The sort keys.
    pub keys: Vec<SortKey>,
}

/// One key of `sort`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    /// True for `-field` (descending).
    pub descending: bool,
    /// The field.
    pub field: Ident,
    /// The key including its sign.
    pub span: Span,
}

/// `dedup [N] f1 f2 ... [key=value ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DedupCommand {
    /// How many results to keep per combination (default 1).
    pub count: Option<u64>,
    /// The fields.
    pub fields: Vec<Ident>,
    /// Options such as `keepempty=true`, `consecutive=true`, `sortby`... kept in order.
    pub options: Vec<OptionArg>,
}

/// `head [N]` / `head limit=N`.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadCommand {
    /// The number of results (default 10).
    pub limit: Option<u64>,
}

/// `bin` / `bucket`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinCommand {
    /// Which word was written (`bin` or `bucket`): same meaning.
    pub keyword: Ident,
    /// Options in order (`span=1s`, `bins=10`, ...).
    pub options: Vec<OptionArg>,
    /// The field; `None` means `_time`.
    pub field: Option<Ident>,
    /// `AS newname`.
    pub alias: Option<Ident>,
}

/// `stats | eventstats | streamstats [options] agg [AS name], ... [BY f, ...] [options]`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsCommand {
    /// Which command.
    pub kind: StatsKind,
    /// Options (`window=1`, `current=f`, `allnum=true`, ...) in order, wherever written.
    pub options: Vec<OptionArg>,
    /// The aggregations.
    pub aggs: Vec<Aggregation>,
    /// The `BY` fields (and macro calls written among them).
    pub by: Vec<FieldItem>,
}

/// `tstats [options] aggregations [FROM datamodel=X] [WHERE <search>] [BY fields]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TstatsCommand {
    /// Options in order, wherever written (`summariesonly=t`, `span=1h` after `BY`).
    pub options: Vec<OptionArg>,
    /// Macro calls written among the options and aggregations.
    pub macros: Vec<MacroCall>,
    /// Options whose value is a macro call (`summariesonly=`config``).
    pub macro_options: Vec<(Ident, MacroCall)>,
    /// The aggregations.
    pub aggs: Vec<Aggregation>,
    /// `FROM datamodel=...` (the option after `FROM`).
    pub from: Option<OptionArg>,
    /// The search after `WHERE`.
    pub filter: Option<SearchExpr>,
    /// The `BY` fields (and macro calls among them).
    pub by: Vec<FieldItem>,
}

/// One aggregation of a stats command: `func(arg) [AS name]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregation {
    /// The function name as written (`values`, `dc`, `c`, `count`, ...).
    pub func: Ident,
    /// The argument, if any.
    pub arg: Option<AggArg>,
    /// `AS name`.
    pub alias: Option<Ident>,
    /// The whole aggregation.
    pub span: Span,
}

/// The argument of an aggregation function.
#[derive(Clone, Debug, PartialEq)]
pub enum AggArg {
    /// A field name or wildcard pattern (`*`, `*src_ip`).
    Field(Ident),
    /// `eval(expr)`.
    Eval(Expr),
}

/// `transaction f1 ... [options]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionCommand {
    /// The grouping fields.
    pub fields: Vec<Ident>,
    /// Options (`maxspan=30s`, `startswith="..."`, ...) in order.
    pub options: Vec<OptionArg>,
}

/// `lookup [local=..] table in [AS f] ... [OUTPUT|OUTPUTNEW out [AS f] ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupCommand {
    /// Options written before the table name.
    pub options: Vec<OptionArg>,
    /// The lookup table name.
    pub table: Ident,
    /// Input columns (column `AS` event field).
    pub inputs: Vec<LookupField>,
    /// `OUTPUT` (overwrite) or `OUTPUTNEW`; `None` when no output clause.
    pub output_mode: Option<LookupOutput>,
    /// Output columns (column `AS` event field).
    pub outputs: Vec<LookupField>,
}

/// `column [AS field]` in `lookup`.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupField {
    /// The lookup-table column.
    pub column: Ident,
    /// The event field, when different.
    pub alias: Option<Ident>,
    /// The whole item.
    pub span: Span,
}

/// The output mode of `lookup`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupOutput {
    /// `OUTPUT`: overwrite existing fields.
    Output,
    /// `OUTPUTNEW`: fill only missing fields.
    OutputNew,
}

/// `iplocation [prefix=..] [allfields=..] [lang=..] field`.
#[derive(Clone, Debug, PartialEq)]
pub struct IplocationCommand {
    /// Options in order.
    pub options: Vec<OptionArg>,
    /// The IP field.
    pub field: Ident,
}

/// `join [options] [f1, f2 ...] [ subsearch ]`.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinCommand {
    /// Options (`type=left`, `max=0`, ...).
    pub options: Vec<OptionArg>,
    /// The join fields.
    pub fields: Vec<Ident>,
    /// The subsearch.
    pub subsearch: Subsearch,
}

/// A bracketed sub-pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Subsearch {
    /// The pipeline inside the brackets.
    pub query: Query,
    /// The brackets and everything between.
    pub span: Span,
}

/// `foreach <glob> ... [options] [ template ]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeachCommand {
    /// The field patterns.
    pub fields: Vec<Ident>,
    /// Options (`fieldstr=...`, `matchstr=...`, ...).
    pub options: Vec<OptionArg>,
    /// The template pipeline; `<<FIELD>>` (and the like) stand in field-name positions.
    pub template: Subsearch,
}

/// A command splc does not model: name and arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct GenericCommand {
    /// The command name.
    pub name: Ident,
    /// The arguments in order.
    pub args: Vec<GenericArg>,
}

/// An argument of a [`GenericCommand`].
#[derive(Clone, Debug, PartialEq)]
pub enum GenericArg {
    /// `key=value`.
    Option(OptionArg),
    /// A word or quoted string (spliced pieces joined).
    Word(Literal),
    /// A bracketed subsearch.
    Subsearch(Subsearch),
    /// A macro call.
    Macro(MacroCall),
}
