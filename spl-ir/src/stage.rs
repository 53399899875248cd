//! The commands after the first search.
//!
//! A [`Stage`] is plain data except where it holds code: the expressions of `eval` and
//! `where`, the predicate of `| search`, the regexes of `regex`, `rex` and `rex mode=sed`.
//! How it holds them is the [`Code`] parameter. The compiler builds stages over [`Tree`]
//! (expression trees, regex literals); the runtime builds its pipeline from stages over
//! any [`Code`], and generated code hands it stages whose code is already compiled Rust.
//! So the one place that says which runtime step implements which stage is the runtime's
//! (`spl_runtime::pipeline::step`), whichever back end built the stage.

use std::fmt::Debug;

use crate::agg::AggFunc;
use crate::expr::{Expr, RegexLit};
use crate::fieldcmd::{
    AddtotalsStage, ConvertStage, InputlookupStage, MakemvStage, ReplaceStage, SpathStage, TopStage,
};
use crate::op::StatsKind;
use crate::program::Pred;

/// How a stage holds its code.
///
/// Stages are cloned, printed and compared whatever their code is, so each kind of code
/// can be too (compiled closures compare by identity).
pub trait Code: Clone + Debug + PartialEq {
    /// A value expression (`eval x = ...`, `stats sum(eval(...))`).
    type Expr: Clone + Debug + PartialEq;
    /// A condition: an expression tested for truth (`where ...`).
    type Cond: Clone + Debug + PartialEq;
    /// A search predicate (`| search ...`).
    type Pred: Clone + Debug + PartialEq;
    /// A regex.
    type Regex: Clone + Debug + PartialEq;
}

/// Code as the compiler builds it: expression trees, predicates, regex literals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tree {}

impl Code for Tree {
    type Expr = Expr;
    type Cond = Expr;
    type Pred = Pred;
    type Regex = RegexLit;
}

/// A field-name pattern of `table`, `fields`, `rename`, `stats values(*)`: `*` matches any
/// run of characters; names are case-sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldPattern(pub String);

impl FieldPattern {
    /// A pattern.
    pub fn new(pattern: impl Into<String>) -> FieldPattern {
        FieldPattern(pattern.into())
    }

    /// True when the pattern has a `*`.
    pub fn is_wildcard(&self) -> bool {
        self.0.contains('*')
    }

    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A command after the first search.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage<C: Code = Tree> {
    /// `| search <expr>`: keep rows for which the predicate holds.
    Search(C::Pred),
    /// `| where <expr>`: keep rows for which the condition is true (null drops).
    Where(C::Cond),
    /// `| eval a=x, b=y`: assignments left to right; a null result removes the field.
    Eval(Vec<Assignment<C>>),
    /// `| regex field=re` / `field!=re`.
    Regex(RegexStage<C>),
    /// `| rex field=f "re"`: named groups become fields.
    Rex(RexStage<C>),
    /// `| rex field=f mode=sed "s/re/repl/flags"`.
    Sed(SedStage<C>),
    /// `| table f...`: keep only these, in this order.
    Table(Vec<FieldPattern>),
    /// `| fields [+|-] f...`.
    Fields {
        /// True for `fields -`.
        remove: bool,
        /// The patterns.
        patterns: Vec<FieldPattern>,
    },
    /// `| rename a AS b, ...`.
    Rename(Vec<(FieldPattern, FieldPattern)>),
    /// `| fillnull [value=v] [fields]`.
    Fillnull {
        /// The fill value.
        value: String,
        /// The fields; empty means every field seen in any row.
        fields: Vec<String>,
    },
    /// `| bin [span=..] field [AS new]`.
    Bin(BinStage),
    /// `timechart`'s continuous time axis (`cont=true`): the rows ordered by `_time`, and
    /// between the first and the last a row for each bin of `span` that has none, its
    /// `zero` fields 0.
    Timefill {
        /// The bins' span.
        span: BinSpan,
        /// The fields an empty bin's row gives as 0 (`count`, `dc`).
        zero: Vec<String>,
    },
    /// `| stats`, `| eventstats`, `| streamstats`.
    Stats(StatsStage<C>),
    /// `| sort [N] [+|-]f, ...`.
    Sort {
        /// Row limit; `None` = no limit.
        limit: Option<u64>,
        /// The keys.
        keys: Vec<SortKey>,
    },
    /// `| dedup [N] f...`.
    Dedup {
        /// How many rows per combination.
        count: u64,
        /// The fields.
        fields: Vec<String>,
    },
    /// `| head N`.
    Head(u64),
    /// `| lookup table in [AS f] ... [OUTPUT|OUTPUTNEW out [AS f] ...]`.
    Lookup(LookupStage),
    /// `| iplocation [prefix=..] [allfields=..] [lang=..] field`.
    Iplocation(IplocationStage),
    /// `| transaction f... [options]`: events grouped into transactions.
    Transaction(TransactionStage<C>),
    /// `| foreach <patterns> [options] [ template ]`: the template run once per matched
    /// field of each row.
    Foreach(ForeachStage<C>),
    /// `| join [type=..] [max=..] [overwrite=..] f... [ search ... ]`: each row joined with
    /// the rows of a subsearch over the same events.
    Join(Box<JoinStage<C>>),
    /// `| append [ search ... ]`: the rows, then the rows of a subsearch over the same
    /// events.
    Append(Box<AppendStage<C>>),
    /// `| appendpipe [ ... ]`: the rows, then the rows the commands give from them.
    Appendpipe(Vec<Stage<C>>),
    /// A search that holds subsearches (`x [search y | fields f]`): each subsearch runs
    /// over the same events, and at their end its rows stand, by `format`'s rules, for a
    /// search that the rows of the commands before it are tested against.
    SubsearchFilter(Box<SubsearchFilterStage<C>>),
    /// `| convert [timeformat=..] func(field) [AS new] ...`.
    Convert(ConvertStage),
    /// `| spath [input=f] [output=f] [path=p]`.
    Spath(SpathStage),
    /// `| mvexpand field [limit=N]`: one row per value of the field.
    Mvexpand {
        /// The field expanded.
        field: String,
        /// The most rows per input row; `None` = all.
        limit: Option<u64>,
    },
    /// `| makemv [delim=..|tokenizer=..] field`.
    Makemv(MakemvStage<C>),
    /// `| replace "old" WITH "new" ... [IN fields]`.
    Replace(ReplaceStage),
    /// `| addtotals [fieldname=..] [fields]`.
    Addtotals(AddtotalsStage),
    /// `| top` / `| rare`.
    Top(TopStage),
    /// `| inputlookup`: the rows, then those of a lookup table (at the start of a
    /// subsearch, whose search then takes no event: the table's rows only).
    Inputlookup(InputlookupStage),
    /// `| xmlkv [field]`: each element holding only text becomes a field.
    Xmlkv(String),
    /// `| fromjson field [prefix=p]`: each member of the field's JSON object becomes a
    /// field.
    Fromjson {
        /// The field read.
        field: String,
        /// Put before each new field's name.
        prefix: String,
    },
    /// The events of a data-model dataset, with its fields (the first stage of `tstats`,
    /// `| from datamodel:...` and `| datamodel ... search`).
    Datamodel(DatamodelStage),
}

impl<C: Code> Stage<C> {
    /// True when the stage answers each row at once, holding nothing until the end.
    pub fn is_streaming(&self) -> bool {
        match self {
            Stage::Stats(st) => st.kind == StatsKind::Streamstats,
            Stage::Sort { .. } => false,
            Stage::Fillnull { fields, .. } => !fields.is_empty(),
            Stage::Transaction(_)
            | Stage::Join(_)
            | Stage::Append(_)
            | Stage::Appendpipe(_)
            | Stage::SubsearchFilter(_)
            | Stage::Timefill { .. }
            | Stage::Top(_)
            | Stage::Inputlookup(_) => false,
            _ => true,
        }
    }

    /// True for a transforming command (`stats`): its rows are not events.
    pub fn is_transforming(&self) -> bool {
        matches!(self, Stage::Stats(st) if st.kind == StatsKind::Stats)
            || matches!(self, Stage::Top(_))
    }

    /// The command name.
    pub fn command(&self) -> &'static str {
        match self {
            Stage::Search(_) => "search",
            Stage::Where(_) => "where",
            Stage::Eval(_) => "eval",
            Stage::Regex(_) => "regex",
            Stage::Rex(_) | Stage::Sed(_) => "rex",
            Stage::Table(_) => "table",
            Stage::Fields { .. } => "fields",
            Stage::Rename(_) => "rename",
            Stage::Fillnull { .. } => "fillnull",
            Stage::Bin(_) => "bin",
            Stage::Stats(st) => st.kind.as_str(),
            Stage::Sort { .. } => "sort",
            Stage::Dedup { .. } => "dedup",
            Stage::Head(_) => "head",
            Stage::Lookup(_) => "lookup",
            Stage::Iplocation(_) => "iplocation",
            Stage::Transaction(_) => "transaction",
            Stage::Foreach(_) => "foreach",
            Stage::Join(_) => "join",
            Stage::Append(_) => "append",
            Stage::Appendpipe(_) => "appendpipe",
            Stage::SubsearchFilter(_) => "search",
            Stage::Timefill { .. } => "timechart",
            Stage::Convert(_) => "convert",
            Stage::Spath(_) => "spath",
            Stage::Mvexpand { .. } => "mvexpand",
            Stage::Makemv(_) => "makemv",
            Stage::Replace(_) => "replace",
            Stage::Addtotals(_) => "addtotals",
            Stage::Top(t) if t.rare => "rare",
            Stage::Top(_) => "top",
            Stage::Xmlkv(_) => "xmlkv",
            Stage::Inputlookup(_) => "inputlookup",
            Stage::Fromjson { .. } => "fromjson",
            Stage::Datamodel(d) => d.command.as_str(),
        }
    }
}

/// One `field = expr` of `eval`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment<C: Code = Tree> {
    /// The target field; with [`dynamic`](Self::dynamic), the field whose value names the
    /// target.
    pub field: String,
    /// `{field} = value`: each row's value of `field` (its first value) names the assigned
    /// field; a row without `field` gets no assignment.
    pub dynamic: bool,
    /// The value.
    pub value: C::Expr,
}

impl<C: Code> Assignment<C> {
    /// `field = value`.
    pub fn new(field: impl Into<String>, value: C::Expr) -> Self {
        Assignment {
            field: field.into(),
            dynamic: false,
            value,
        }
    }

    /// `{field} = value`: the value of `field` names the assigned field.
    pub fn dynamic(field: impl Into<String>, value: C::Expr) -> Self {
        Assignment {
            dynamic: true,
            ..Assignment::new(field, value)
        }
    }
}

/// `| regex`.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexStage<C: Code = Tree> {
    /// The tested field (`_raw` by default).
    pub field: String,
    /// True for `!=`: keep rows that do not match (and rows without the field).
    pub negated: bool,
    /// The pattern.
    pub regex: C::Regex,
}

impl<C: Code> RegexStage<C> {
    /// `| regex field=regex` (`negated`: `field!=regex`).
    pub fn new(field: impl Into<String>, negated: bool, regex: C::Regex) -> Self {
        RegexStage {
            field: field.into(),
            negated,
            regex,
        }
    }
}

/// `| rex` (extraction).
#[derive(Clone, Debug, PartialEq)]
pub struct RexStage<C: Code = Tree> {
    /// The source field (`_raw` by default).
    pub field: String,
    /// The pattern; its named groups are the extracted fields.
    pub regex: C::Regex,
    /// How many matches (1 by default; 0 = unlimited).
    pub max_match: u64,
}

impl<C: Code> RexStage<C> {
    /// `| rex field=field max_match=max_match regex`.
    pub fn new(field: impl Into<String>, regex: C::Regex, max_match: u64) -> Self {
        RexStage {
            field: field.into(),
            regex,
            max_match,
        }
    }
}

/// `| rex mode=sed`.
#[derive(Clone, Debug, PartialEq)]
pub struct SedStage<C: Code = Tree> {
    /// The field edited in place (`_raw` by default).
    pub field: String,
    /// The edit.
    pub edit: SedEdit<C>,
}

/// A sed expression of `rex mode=sed`.
#[derive(Clone, Debug, PartialEq)]
pub enum SedEdit<C: Code = Tree> {
    /// `s/re/replacement/flags`.
    Substitute {
        /// The pattern.
        regex: C::Regex,
        /// The replacement (`\1` back-references).
        replacement: String,
        /// `g` (all matches) or the 1-based occurrence to replace.
        occurrence: SedOccurrence,
    },
    /// `y/from/to/`: character transliteration.
    Transliterate {
        /// Source characters.
        from: Vec<char>,
        /// Target characters (same length).
        to: Vec<char>,
    },
}

/// Which matches `s///` replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SedOccurrence {
    /// `g`: every match.
    All,
    /// `N`: the Nth match (1-based); no flag means the first.
    Nth(u64),
    /// `Ng`: the Nth match and every later one.
    FromNth(u64),
}

/// `| bin`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinStage {
    /// The binned field (`_time` by default).
    pub field: String,
    /// The bin width.
    pub span: BinSpan,
    /// The output field (the same field unless `AS` is given).
    pub output: String,
}

impl BinStage {
    /// `| bin span=span field AS output`.
    pub fn new(field: impl Into<String>, span: BinSpan, output: impl Into<String>) -> Self {
        BinStage {
            field: field.into(),
            span,
            output: output.into(),
        }
    }
}

/// The width of a bin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BinSpan {
    /// A span in seconds (sub-second allowed); time bins align to epoch 0 (UTC).
    Seconds(f64),
    /// Calendar months.
    Months(u32),
}

/// `| stats`, `| eventstats`, `| streamstats`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsStage<C: Code = Tree> {
    /// Which command.
    pub kind: StatsKind,
    /// The aggregations.
    pub aggs: Vec<Agg<C>>,
    /// The BY fields.
    pub by: Vec<String>,
    /// streamstats `window=` (0 = unlimited).
    pub window: u64,
    /// streamstats `current=` (default true).
    pub current: bool,
    /// streamstats `global=` (default true).
    pub global: bool,
}

impl<C: Code> StatsStage<C> {
    /// A command with `streamstats`' options at their defaults (what `stats` and
    /// `eventstats` always have).
    pub fn new(kind: StatsKind, aggs: Vec<Agg<C>>, by: Vec<String>) -> Self {
        StatsStage {
            kind,
            aggs,
            by,
            window: 0,
            current: true,
            global: true,
        }
    }
}

/// One aggregation.
#[derive(Clone, Debug, PartialEq)]
pub struct Agg<C: Code = Tree> {
    /// The function.
    pub func: AggFunc,
    /// The input.
    pub input: AggInput<C>,
    /// The output field name (a pattern when the input is one: `values(*) as *`).
    pub output: String,
    /// The percentile of a percentile function (`95` in `perc95`); `None` for the others.
    pub percentile: Option<f64>,
}

impl<C: Code> Agg<C> {
    /// An aggregation.
    pub fn new(func: AggFunc, input: AggInput<C>, output: impl Into<String>) -> Self {
        Agg {
            func,
            input,
            output: output.into(),
            percentile: None,
        }
    }

    /// The same aggregation with the percentile of a percentile function.
    pub fn with_percentile(mut self, percentile: f64) -> Self {
        self.percentile = Some(percentile);
        self
    }
}

/// The input of an aggregation.
#[derive(Clone, Debug, PartialEq)]
pub enum AggInput<C: Code = Tree> {
    /// No argument (`count`).
    None,
    /// A field.
    Field(String),
    /// A wildcard pattern applied to every matching field (`values(*) as *`).
    Pattern(FieldPattern),
    /// `eval(expr)`.
    Eval(C::Expr),
}

/// One key of `sort`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    /// The field.
    pub field: String,
    /// True for `-field` (largest first).
    pub descending: bool,
}

/// `| transaction`.
///
/// Events are taken in time order (oldest first, whatever order they come in); those with
/// equal values of the by-fields are grouped while the constraints hold. See
/// `docs/semantics.md` for what each option means.
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionStage<C: Code = Tree> {
    /// The by-fields (may be empty: one stream of transactions).
    pub fields: Vec<String>,
    /// `maxspan=`: the largest time between a transaction's first and last events, in
    /// seconds; `None` = no limit.
    pub max_span: Option<f64>,
    /// `maxpause=`: the largest time between consecutive events, in seconds; `None` = no
    /// limit.
    pub max_pause: Option<f64>,
    /// `maxevents=`: the most events in a transaction; `None` = no limit.
    pub max_events: Option<u64>,
    /// `startswith=`: an event for which it holds begins a new transaction.
    pub starts_with: Option<TxnFilter<C>>,
    /// `endswith=`: an event for which it holds ends its transaction.
    pub ends_with: Option<TxnFilter<C>>,
    /// `keepevicted=`: also give transactions that do not begin with a `startswith` event
    /// or end with an `endswith` event (with `closed_txn=0`).
    pub keep_evicted: bool,
    /// The `closed_txn` of a complete transaction: true when the rule gives `maxevents`,
    /// `maxspan`, `maxpause` or `startswith`.
    pub closes: bool,
    /// `connected=` (default true): an event that has by-fields joins a transaction only
    /// when they share one with the same values; with false, when none differs.
    pub connected: bool,
}

impl<C: Code> TransactionStage<C> {
    /// A transaction by `fields` with no constraint but Splunk's default `maxevents=1000`.
    pub fn new(fields: Vec<String>) -> Self {
        TransactionStage {
            fields,
            max_span: None,
            max_pause: None,
            max_events: Some(1000),
            starts_with: None,
            ends_with: None,
            keep_evicted: false,
            closes: false,
            connected: true,
        }
    }
}

/// The condition of `startswith=` or `endswith=`.
#[derive(Clone, Debug, PartialEq)]
pub enum TxnFilter<C: Code = Tree> {
    /// A search expression (`startswith="signature_id=5156"`).
    Search(C::Pred),
    /// `eval(<condition>)`.
    Eval(C::Cond),
}

/// `| foreach` in `mode=multifield` (the default).
///
/// The template's stages name fields and hold text with the placeholders written
/// literally (`<<FIELD>>`, or what `fieldstr=` and the like chose). For each row and each
/// field matched by a pattern, the runtime fills the placeholder-named fields the template
/// reads ([`ForeachStage::reads`]) from their substituted names, runs the template, and
/// moves the placeholder-named fields it changed to their substituted names.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeachStage<C: Code = Tree> {
    /// The field patterns (`*` matches any run of characters).
    pub patterns: Vec<FieldPattern>,
    /// The placeholders, in the order of [`ForeachPlaceholders`].
    pub placeholders: ForeachPlaceholders,
    /// The template's stages (streaming, one row in, at most one out).
    pub template: Vec<Stage<C>>,
    /// The field names of the template that hold a placeholder. A name written in double
    /// quotes (`"\"<<FIELD>>\""`) stands for a string literal of the template: its value
    /// is the substituted text itself.
    pub names: Vec<String>,
}

/// The placeholder texts of `foreach` (`fieldstr=`, `matchstr=`, `matchseg1=` ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeachPlaceholders {
    /// The whole field name (`<<FIELD>>`).
    pub field: String,
    /// What the wildcards matched, joined (`<<MATCHSTR>>`).
    pub matchstr: String,
    /// What the first, second and third wildcards matched (`<<MATCHSEG1>>`...).
    pub matchseg: [String; 3],
}

impl Default for ForeachPlaceholders {
    fn default() -> Self {
        ForeachPlaceholders {
            field: "<<FIELD>>".into(),
            matchstr: "<<MATCHSTR>>".into(),
            matchseg: [
                "<<MATCHSEG1>>".into(),
                "<<MATCHSEG2>>".into(),
                "<<MATCHSEG3>>".into(),
            ],
        }
    }
}

impl ForeachPlaceholders {
    /// Every placeholder text, `field` first.
    pub fn all(&self) -> [&str; 5] {
        [
            &self.field,
            &self.matchstr,
            &self.matchseg[0],
            &self.matchseg[1],
            &self.matchseg[2],
        ]
    }

    /// True when `text` holds a placeholder.
    pub fn occur_in(&self, text: &str) -> bool {
        self.all().iter().any(|p| !p.is_empty() && text.contains(p))
    }
}

/// `| lookup`: each row's input fields looked up in a table; matching rows' output
/// columns become fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupStage {
    /// The lookup's name as written: a file name (`x.csv`), a lookup definition's name,
    /// or an external lookup (`dnslookup`).
    pub table: String,
    /// The columns matched, each against an event field.
    pub inputs: Vec<LookupColumn>,
    /// The columns given to the row; empty means every column that is not an input.
    pub outputs: Vec<LookupColumn>,
    /// True for `OUTPUTNEW`: a field the row already has keeps its value.
    pub new_only: bool,
}

/// A column of a lookup table and the row field it stands for (`column AS field`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupColumn {
    /// The column of the table.
    pub column: String,
    /// The field of the row (the column's name unless `AS` renames it).
    pub field: String,
}

impl LookupColumn {
    /// `column AS field`.
    pub fn new(column: impl Into<String>, field: impl Into<String>) -> Self {
        LookupColumn {
            column: column.into(),
            field: field.into(),
        }
    }
}

/// `| iplocation`: the location of the address in `field`, from a GeoIP database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IplocationStage {
    /// The field holding the address.
    pub field: String,
    /// Put before the name of each field the command adds.
    pub prefix: String,
    /// True for `allfields=true`: also `Continent`, `MetroCode` and `Timezone`.
    pub allfields: bool,
    /// The language of the place names (`lang=`, default `en`).
    pub lang: String,
}

/// `| join`: the rows before it, each joined with the rows of a subsearch whose values of
/// the join fields are the same.
///
/// The subsearch runs over the same events as the rule. A rule with a join takes the
/// events its own search or a subsearch's matches, and its join is its first command: it
/// holds the commands before it (`main`, starting with the rule's own search) and the
/// subsearch's, runs each event through both, and joins their rows at the end of the
/// events.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinStage<C: Code = Tree> {
    /// The commands before the join, the rule's own search first.
    pub main: Vec<Stage<C>>,
    /// The join fields: a row and a subsearch row join when each has every field, with
    /// the same values.
    pub fields: JoinFields,
    /// True for `type=left` (or `outer`): a row without a match is kept as it is.
    pub left: bool,
    /// `max=`: the most subsearch rows one row joins with (0 = all); default 1.
    pub max: u64,
    /// `overwrite=`: the subsearch row's values replace the row's (default true).
    pub overwrite: bool,
    /// The subsearch's search.
    pub filter: C::Pred,
    /// The subsearch's commands after its search.
    pub stages: Vec<Stage<C>>,
}

/// The fields a [`JoinStage`] compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinFields {
    /// `join f1, f2 [...]`: the fields written.
    Named(Vec<String>),
    /// `join [...]` with no field: every field that both sides share, known once the rows
    /// of both are. A name is shared when at least one row of each side has it; names
    /// starting with `_` (`_time`, `_raw`) are left out.
    Common,
}

/// `| append`: the rows of the commands before it, then those of a subsearch over the
/// same events. Like [`JoinStage`], it is the rule's first command and holds the commands
/// before it.
#[derive(Clone, Debug, PartialEq)]
pub struct AppendStage<C: Code = Tree> {
    /// The commands before the append, the rule's own search first.
    pub main: Vec<Stage<C>>,
    /// The subsearch's search.
    pub filter: C::Pred,
    /// The subsearch's commands after its search.
    pub stages: Vec<Stage<C>>,
}

/// A search holding subsearches. Like [`JoinStage`], it is the rule's first command and
/// holds the commands before it (the rule's own search first, without the parts that
/// hold a subsearch). Each subsearch of the search is replaced in [`test`] by the test
/// that the field [`subsearch_marker`]`(i)` is present: at the end of the events the step
/// sets that field on each held row that the `i`th subsearch's rows match, runs the test,
/// and removes the markers from the rows it passes on.
///
/// [`test`]: SubsearchFilterStage::test
#[derive(Clone, Debug, PartialEq)]
pub struct SubsearchFilterStage<C: Code = Tree> {
    /// The commands before the search, the rule's own search first.
    pub main: Vec<Stage<C>>,
    /// The subsearches, in the order they are written.
    pub subsearches: Vec<Subsearch<C>>,
    /// The whole search, each subsearch as its marker field's presence.
    pub test: C::Pred,
}

/// A subsearch over the rule's events: its search, then its commands.
#[derive(Clone, Debug, PartialEq)]
pub struct Subsearch<C: Code = Tree> {
    /// The subsearch's search.
    pub filter: C::Pred,
    /// The subsearch's commands after its search.
    pub stages: Vec<Stage<C>>,
}

/// The name of the field that marks a row matched by the `index`th subsearch of a
/// [`SubsearchFilterStage`]: it begins with a NUL character, which no reader puts in a
/// field name, so that it cannot meet an event's own field.
pub fn subsearch_marker(index: usize) -> String {
    format!("\u{0}subsearch{index}")
}

/// The events of one data-model dataset (`Endpoint.Processes`): an event not in the
/// dataset is dropped, an event in it gets the dataset's fields, computed by the mapping
/// that takes it in (the runtime's data-model layer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatamodelStage {
    /// The data model (`Endpoint`).
    pub model: String,
    /// The dataset as written after the model (`Processes`, `Authentication.Failed_Authentication`);
    /// `None` when only the model is named (its one root dataset).
    pub dataset: Option<String>,
    /// True when the fields are named with the root dataset's prefix (`Processes.dest`), as
    /// `tstats` and `datamodel ... search` name them; false for `from datamodel`
    /// (`dest`).
    pub prefixed: bool,
    /// The command that asked for the dataset.
    pub command: DatamodelCommand,
}

/// Which command reads a data-model dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatamodelCommand {
    /// `| tstats ... from datamodel=...`.
    Tstats,
    /// `| from datamodel:...`.
    From,
    /// `| datamodel <model> <dataset> search`.
    Datamodel,
}

impl DatamodelCommand {
    /// The command name.
    pub fn as_str(self) -> &'static str {
        match self {
            DatamodelCommand::Tstats => "tstats",
            DatamodelCommand::From => "from",
            DatamodelCommand::Datamodel => "datamodel",
        }
    }
}

impl DatamodelStage {
    /// The dataset's name as written: `Model.Dataset`, or `Model` alone.
    pub fn name(&self) -> String {
        match &self.dataset {
            Some(d) => format!("{}.{d}", self.model),
            None => self.model.clone(),
        }
    }
}
