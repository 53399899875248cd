//! Eval expressions in the IR, the function catalog, and aggregation functions.

use spl_grammar::Span;

/// A checked eval expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// The SPL it came from.
    pub span: Span,
}

impl Expr {
    /// The distinct field names the expression reads, in order of first use.
    pub fn fields(&self) -> Vec<String> {
        fn walk(e: &Expr, out: &mut Vec<String>) {
            match &e.kind {
                ExprKind::Field(f) => {
                    if !out.contains(f) {
                        out.push(f.clone());
                    }
                }
                ExprKind::Str(_) | ExprKind::Num(_) => {}
                ExprKind::Not(x) | ExprKind::Neg(x) => walk(x, out),
                ExprKind::Binary { lhs, rhs, .. } => {
                    walk(lhs, out);
                    walk(rhs, out);
                }
                ExprKind::Call { args, .. } => args.iter().for_each(|a| walk(a, out)),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// The value of a field (null when absent).
    Field(String),
    /// A string literal.
    Str(String),
    /// A number literal.
    Num(f64),
    /// Logical negation (three-valued: NOT null is null).
    Not(Box<Expr>),
    /// Arithmetic negation.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// A call of a catalog function.
    Call {
        /// The function.
        func: Func,
        /// The arguments, all of them, in order.
        args: Vec<Expr>,
        /// For `match`, `replace` and `mvfind` whose pattern argument is a string literal:
        /// that pattern, translated and checked once. `None` when the pattern is computed
        /// per event (it is then compiled when evaluated).
        regex: Option<RegexLit>,
    },
}

/// Binary operators of eval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `XOR`
    Xor,
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `LIKE`
    Like,
    /// `.`
    Concat,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinOp {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Xor => "XOR",
            BinOp::Or => "OR",
            BinOp::And => "AND",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Like => "LIKE",
            BinOp::Concat => ".",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }

    /// True for operators whose result is a boolean.
    pub fn is_boolean(self) -> bool {
        matches!(
            self,
            BinOp::Xor
                | BinOp::Or
                | BinOp::And
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge
                | BinOp::Like
        )
    }
}

/// A regex written in a rule: the PCRE text as the rule gives it (after SPL unescaping)
/// and its translation for the Rust engine.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexLit {
    /// The pattern as PCRE sees it.
    pub source: String,
    /// The equivalent pattern for `regex-automata`.
    pub translated: String,
    /// The named groups, in order.
    pub names: Vec<String>,
}

macro_rules! catalog {
    ($( $variant:ident = $name:literal, $min:literal, $max:expr, $ret:ident, $doc:literal; )*) => {
        /// The eval functions splc knows, with their arity and result kind.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Func {
            $( #[doc = $doc] $variant, )*
        }

        impl Func {
            /// Every function.
            pub const ALL: &'static [Func] = &[$(Func::$variant),*];

            /// The SPL name.
            pub fn name(self) -> &'static str {
                match self { $(Func::$variant => $name,)* }
            }

            /// The function called `name` (names are case-insensitive).
            pub fn from_name(name: &str) -> Option<Func> {
                let lower = name.to_ascii_lowercase();
                match lower.as_str() {
                    $($name => Some(Func::$variant),)*
                    "ceil" => Some(Func::Ceiling),
                    _ => None,
                }
            }

            /// The least and greatest number of arguments (`None` = no upper bound).
            pub fn arity(self) -> (usize, Option<usize>) {
                match self { $(Func::$variant => ($min, $max),)* }
            }

            /// True when the function returns a boolean (it may then not be assigned
            /// by `eval`, only tested).
            pub fn returns_bool(self) -> bool {
                match self { $(Func::$variant => catalog!(@bool $ret),)* }
            }
        }
    };
    (@bool bool) => { true };
    (@bool value) => { false };
}

catalog! {
    If = "if", 3, Some(3), value, "`if(cond, then, else)`";
    Case = "case", 2, None, value, "`case(c1, v1, c2, v2, ...)`: first value whose condition is true";
    Coalesce = "coalesce", 1, None, value, "`coalesce(a, b, ...)`: first non-null argument";
    IsNull = "isnull", 1, Some(1), bool, "`isnull(x)`";
    IsNotNull = "isnotnull", 1, Some(1), bool, "`isnotnull(x)`";
    Null = "null", 0, Some(0), value, "`null()`";
    True = "true", 0, Some(0), bool, "`true()`";
    False = "false", 0, Some(0), bool, "`false()`";
    NullIf = "nullif", 2, Some(2), value, "`nullif(a, b)`: null when equal, else a";
    Match = "match", 2, Some(2), bool, "`match(s, regex)`: unanchored regex test";
    Like = "like", 2, Some(2), bool, "`like(s, pattern)`: SQL-style `%`/`_` whole-string match";
    CidrMatch = "cidrmatch", 2, Some(2), bool, "`cidrmatch(cidr, ip)`";
    In = "in", 2, None, bool, "`in(x, v1, ...)`: literal equality with any value";
    SearchMatch = "searchmatch", 1, Some(1), bool, "`searchmatch(\"search string\")`";
    MvAppend = "mvappend", 1, None, value, "`mvappend(a, ...)`: all values in order, nulls skipped";
    MvCount = "mvcount", 1, Some(1), value, "`mvcount(f)`: number of values; null when none";
    MvIndex = "mvindex", 2, Some(3), value, "`mvindex(f, start[, end])`: 0-based, end inclusive";
    MvFilter = "mvfilter", 1, Some(1), value, "`mvfilter(pred)`: values for which the predicate holds";
    MvFind = "mvfind", 2, Some(2), value, "`mvfind(f, regex)`: index of the first matching value";
    MvDedup = "mvdedup", 1, Some(1), value, "`mvdedup(f)`: distinct values, first occurrence order";
    MvJoin = "mvjoin", 2, Some(2), value, "`mvjoin(f, delim)`";
    Split = "split", 2, Some(2), value, "`split(s, delim)`";
    Len = "len", 1, Some(1), value, "`len(s)`: number of characters";
    Lower = "lower", 1, Some(1), value, "`lower(s)`";
    Upper = "upper", 1, Some(1), value, "`upper(s)`";
    Trim = "trim", 1, Some(2), value, "`trim(s[, chars])`";
    Ltrim = "ltrim", 1, Some(2), value, "`ltrim(s[, chars])`";
    Rtrim = "rtrim", 1, Some(2), value, "`rtrim(s[, chars])`";
    Replace = "replace", 3, Some(3), value, "`replace(s, regex, replacement)`: every match";
    Substr = "substr", 2, Some(3), value, "`substr(s, start[, len])`: 1-based";
    ToNumber = "tonumber", 1, Some(2), value, "`tonumber(s[, base])`";
    ToString = "tostring", 1, Some(2), value, "`tostring(x[, format])`";
    Round = "round", 1, Some(2), value, "`round(x[, digits])`";
    Abs = "abs", 1, Some(1), value, "`abs(x)`";
    Floor = "floor", 1, Some(1), value, "`floor(x)`";
    Ceiling = "ceiling", 1, Some(1), value, "`ceiling(x)` (also `ceil`)";
    Sqrt = "sqrt", 1, Some(1), value, "`sqrt(x)`: null for negatives";
    Pow = "pow", 2, Some(2), value, "`pow(x, y)`";
    Exp = "exp", 1, Some(1), value, "`exp(x)`";
    Ln = "ln", 1, Some(1), value, "`ln(x)`";
    Log = "log", 1, Some(2), value, "`log(x[, base])` (base 10 by default)";
    Pi = "pi", 0, Some(0), value, "`pi()`";
    Sin = "sin", 1, Some(1), value, "`sin(x)`";
    Cos = "cos", 1, Some(1), value, "`cos(x)`";
    Tan = "tan", 1, Some(1), value, "`tan(x)`";
    Asin = "asin", 1, Some(1), value, "`asin(x)`";
    Acos = "acos", 1, Some(1), value, "`acos(x)`";
    Atan = "atan", 1, Some(1), value, "`atan(x)`";
    Atan2 = "atan2", 2, Some(2), value, "`atan2(y, x)`";
    Strftime = "strftime", 2, Some(2), value, "`strftime(time, format)` (UTC)";
    Strptime = "strptime", 2, Some(2), value, "`strptime(text, format)` (UTC)";
    Now = "now", 0, Some(0), value, "`now()`";
    UrlDecode = "urldecode", 1, Some(1), value, "`urldecode(s)`";
    TypeOf = "typeof", 1, Some(1), value, "`typeof(x)`";
}

/// The aggregation functions of `stats`, `eventstats` and `streamstats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggFunc {
    /// `count` / `c`: events (or events where the field is present).
    Count,
    /// `dc` / `distinct_count`: distinct values.
    DistinctCount,
    /// `values`: distinct values sorted as text.
    Values,
    /// `list`: values in input order (at most 100).
    List,
    /// `sum`.
    Sum,
    /// `avg` / `mean`.
    Avg,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `range`: max - min.
    Range,
    /// `stdev`: sample standard deviation.
    Stdev,
    /// `stdevp`: population standard deviation.
    Stdevp,
    /// `var`: sample variance.
    Var,
    /// `varp`: population variance.
    Varp,
    /// `first`: first value in input order.
    First,
    /// `last`: last value in input order.
    Last,
    /// `earliest`: value at the smallest `_time`.
    Earliest,
    /// `latest`: value at the largest `_time`.
    Latest,
    /// `median`.
    Median,
    /// `mode`: most frequent value.
    Mode,
}

impl AggFunc {
    /// The function called `name` (case-insensitive, aliases included).
    pub fn from_name(name: &str) -> Option<AggFunc> {
        Some(match name.to_ascii_lowercase().as_str() {
            "count" | "c" => AggFunc::Count,
            "dc" | "distinct_count" => AggFunc::DistinctCount,
            "values" => AggFunc::Values,
            "list" => AggFunc::List,
            "sum" => AggFunc::Sum,
            "avg" | "mean" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "range" => AggFunc::Range,
            "stdev" => AggFunc::Stdev,
            "stdevp" => AggFunc::Stdevp,
            "var" => AggFunc::Var,
            "varp" => AggFunc::Varp,
            "first" => AggFunc::First,
            "last" => AggFunc::Last,
            "earliest" => AggFunc::Earliest,
            "latest" => AggFunc::Latest,
            "median" => AggFunc::Median,
            "mode" => AggFunc::Mode,
            _ => return None,
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::DistinctCount => "dc",
            AggFunc::Values => "values",
            AggFunc::List => "list",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Range => "range",
            AggFunc::Stdev => "stdev",
            AggFunc::Stdevp => "stdevp",
            AggFunc::Var => "var",
            AggFunc::Varp => "varp",
            AggFunc::First => "first",
            AggFunc::Last => "last",
            AggFunc::Earliest => "earliest",
            AggFunc::Latest => "latest",
            AggFunc::Median => "median",
            AggFunc::Mode => "mode",
        }
    }
}
