//! The IR of the commands that rewrite fields in place, one row at a time or over all
//! rows: `convert`, `spath`, `mvexpand`, `makemv`, `replace`, `addtotals`, `top`/`rare`.

use crate::stage::{Code, FieldPattern, Tree};

/// The default `timeformat` of `convert` (`ctime`, `mktime`).
pub const CONVERT_TIMEFORMAT: &str = "%m/%d/%Y %H:%M:%S";

/// `| convert [timeformat=..] func(field) [AS new] ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertStage {
    /// The format of `ctime` and `mktime`.
    pub timeformat: String,
    /// The conversions, in order.
    pub items: Vec<ConvertItem>,
}

/// One `func(field) [AS new]` of `convert`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertItem {
    /// The conversion.
    pub func: ConvertFunc,
    /// The fields converted (a pattern may hold `*`).
    pub field: FieldPattern,
    /// Where the result goes (`AS`); the field itself when `None`.
    pub output: Option<FieldPattern>,
}

/// A conversion function of `convert`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvertFunc {
    /// `ctime`: epoch seconds to text in `timeformat`.
    Ctime,
    /// `mktime`: text in `timeformat` to epoch seconds.
    Mktime,
    /// `dur2sec`: `[D+]HH:MM:SS` to seconds.
    Dur2sec,
    /// `mstime`: `[MM:]SS.SSS` to seconds.
    Mstime,
    /// `num`: the value when it is a number.
    Num,
    /// `rmcomma`: the value without commas, as a number.
    Rmcomma,
    /// `rmunit`: the number at the start of the value.
    Rmunit,
}

impl ConvertFunc {
    /// The function of this name (any case).
    pub fn parse(name: &str) -> Option<ConvertFunc> {
        Some(match name.to_ascii_lowercase().as_str() {
            "ctime" => ConvertFunc::Ctime,
            "mktime" => ConvertFunc::Mktime,
            "dur2sec" => ConvertFunc::Dur2sec,
            "mstime" => ConvertFunc::Mstime,
            "num" => ConvertFunc::Num,
            "rmcomma" => ConvertFunc::Rmcomma,
            "rmunit" => ConvertFunc::Rmunit,
            _ => return None,
        })
    }

    /// The function's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConvertFunc::Ctime => "ctime",
            ConvertFunc::Mktime => "mktime",
            ConvertFunc::Dur2sec => "dur2sec",
            ConvertFunc::Mstime => "mstime",
            ConvertFunc::Num => "num",
            ConvertFunc::Rmcomma => "rmcomma",
            ConvertFunc::Rmunit => "rmunit",
        }
    }
}

/// `| spath [input=f] [output=f] [path=p]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpathStage {
    /// The field read (`_raw` by default).
    pub input: String,
    /// The path; `None` extracts every leaf.
    pub path: Option<String>,
    /// The field written (the path by default).
    pub output: Option<String>,
}

/// `| makemv [delim=..|tokenizer=..] [allowempty=..] [setsv=..] field`.
#[derive(Clone, Debug, PartialEq)]
pub struct MakemvStage<C: Code = Tree> {
    /// The field split.
    pub field: String,
    /// How it is split.
    pub split: MakemvSplit<C>,
    /// Keep empty values between delimiters.
    pub allowempty: bool,
    /// Also set the field back to its single value (a no-op on the rows splc gives).
    pub setsv: bool,
}

/// How `makemv` splits a value.
#[derive(Clone, Debug, PartialEq)]
pub enum MakemvSplit<C: Code = Tree> {
    /// On every occurrence of this text.
    Delim(String),
    /// Each match of the regex; its first group (or the whole match) is a value.
    Tokenizer(C::Regex),
}

/// `| replace "old" WITH "new", ... [IN f, ...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplaceStage {
    /// `(old, new)` patterns; `*` in `old` matches any text and fills the `*`s of `new`.
    pub pairs: Vec<(String, String)>,
    /// The fields; empty means every field.
    pub fields: Vec<FieldPattern>,
}

/// `| addtotals [row=t] [fieldname=..] [field ...]`: the sum of a row's numeric fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddtotalsStage {
    /// The fields summed; empty means every field.
    pub fields: Vec<FieldPattern>,
    /// The field the sum goes to (`Total` by default).
    pub fieldname: String,
}

/// `| inputlookup [append=t] [start=N] [max=N] table`: the rows, then the table's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputlookupStage {
    /// The lookup table (a file name or a definition).
    pub table: String,
    /// Rows of the table skipped first.
    pub start: u64,
    /// The most rows of the table given; `None` = all.
    pub max: Option<u64>,
}

/// `| top` / `| rare`: the most (least) common combinations of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopStage {
    /// True for `rare`.
    pub rare: bool,
    /// The fields whose combinations are counted.
    pub fields: Vec<String>,
    /// The `by` fields.
    pub by: Vec<String>,
    /// How many rows (per `by` group); 0 means all.
    pub limit: u64,
    /// The count field (`count`), or `None` for `showcount=f`.
    pub countfield: Option<String>,
    /// The percent field (`percent`), or `None` for `showperc=f`.
    pub percentfield: Option<String>,
    /// The label of the row of the other values (`useother=t`), or `None`.
    pub other: Option<String>,
}
