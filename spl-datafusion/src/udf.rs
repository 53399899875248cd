//! The scalar UDFs: the search atoms SQL has no exact equivalent for, answered by
//! spl-runtime's own matchers (the ones the evaluator and generated code use), so that the
//! semantics cannot drift between back ends.
//!
//! - `spl_search(_raw)`: a term, phrase, `TERM(x)` or `CASE(x)` in `_raw` (token
//!   alignment to Splunk's breakers, `*` wildcards, ASCII case folding).
//! - `spl_field(f)`: a field comparison (`=`/`!=` with wildcards, ASCII case folding or
//!   CIDR; `<`/`<=`/`>`/`>=` numeric when both sides are numbers, else by bytes; `IN`),
//!   over a string column or a list column (a multivalue field: "any value", and for
//!   `!=` "no value").
//! - `spl_regex(f)`: `| regex f="..."`, some value of the field matches the pattern
//!   (spl-runtime's `Regex`, PCRE translated by the compiler).
//!
//! Each UDF instance carries its matcher, built once from the literal; its name holds the
//! atom, literals quoted, so that plans show what it tests
//! (`spl_field["Image"="*\\cmd.exe"](Image)`), and equality and hashing go by that name.
//! All return a non-null boolean: a null `_raw` is searched as the empty text (as the
//! evaluator reads a missing `_raw`), and a null field is a missing field, which no
//! comparison or pattern matches.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use spl_runtime::compare::FieldMatcher;
use spl_runtime::regex::Regex;
use spl_runtime::search::{CaseTerm, Term, TermExact};
use spl_runtime::Value;

use crate::columns::strings;

/// A search in `_raw`.
pub(crate) enum RawMatcher {
    /// A bare term or a quoted phrase.
    Term(Term),
    /// `TERM(x)`.
    Exact(TermExact),
    /// `CASE(x)`.
    Case(CaseTerm),
}

impl RawMatcher {
    pub(crate) fn is_match(&self, raw: &str) -> bool {
        match self {
            RawMatcher::Term(m) => m.is_match(raw),
            RawMatcher::Exact(m) => m.is_match(raw),
            RawMatcher::Case(m) => m.is_match(raw),
        }
    }
}

/// What a [`SplMatch`] tests.
enum Test {
    Raw(RawMatcher),
    Field(FieldMatcher),
    /// `| regex`: some value of the field matches.
    Regex(Regex),
}

/// A search atom as a scalar UDF of one column (see the module documentation).
pub(crate) struct SplMatch {
    /// `spl_search` or `spl_field`.
    name: &'static str,
    /// The name shown in plans, the function and the atom: `spl_field["user"="admin"]`;
    /// equality and hashing go by it (the atom's text quotes its literals, so that two
    /// different atoms never share a name).
    full: String,
    test: Test,
    signature: Signature,
}

impl SplMatch {
    fn new(name: &'static str, label: String, test: Test) -> SplMatch {
        SplMatch {
            full: format!("{name}[{label}]"),
            name,
            test,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    /// `spl_search(raw)`: `matcher` over the `_raw` column.
    pub(crate) fn raw(label: String, matcher: RawMatcher, raw: Expr) -> Expr {
        let udf = SplMatch::new("spl_search", label, Test::Raw(matcher));
        ScalarUDF::new_from_impl(udf).call(vec![raw])
    }

    /// `spl_field(column)`: `matcher` over a field's column.
    pub(crate) fn field(label: String, matcher: FieldMatcher, column: Expr) -> Expr {
        let udf = SplMatch::new("spl_field", label, Test::Field(matcher));
        ScalarUDF::new_from_impl(udf).call(vec![column])
    }

    /// `spl_regex(column)`: some value of a field's column matches `regex` (the test of
    /// `| regex`; its negation is the caller's).
    pub(crate) fn regex(label: String, regex: Regex, column: Expr) -> Expr {
        let udf = SplMatch::new("spl_regex", label, Test::Regex(regex));
        ScalarUDF::new_from_impl(udf).call(vec![column])
    }

    fn evaluate(&self, column: &ArrayRef) -> Result<BooleanArray> {
        match &self.test {
            Test::Regex(re) => self.each_row(
                column,
                |t| re.is_match(t),
                |items| items.iter().any(|t| re.is_match(t)),
            ),
            Test::Raw(m) => {
                let Some(texts) = strings(column.as_ref()) else {
                    return exec_err!("{}: _raw is {}, not text", self.name, column.data_type());
                };
                Ok(texts
                    .into_iter()
                    .map(|t| Some(m.is_match(t.unwrap_or(""))))
                    .collect())
            }
            Test::Field(m) => self.each_row(
                column,
                |t| m.matches_str(t),
                |mut items| {
                    let value = match items.len() {
                        0 => return false,
                        1 => items.pop().map(|t| Value::Str(t.to_owned())),
                        _ => Some(Value::Multi(items.into_iter().map(str::to_owned).collect())),
                    };
                    m.matches(value.as_ref())
                },
            ),
        }
    }

    /// A test on each row of a field's column: `single` on the text of a row of a text
    /// column, `multi` on the texts of a row of a list column; a null row (the field
    /// missing) is false.
    fn each_row(
        &self,
        column: &ArrayRef,
        single: impl Fn(&str) -> bool,
        multi: impl Fn(Vec<&str>) -> bool,
    ) -> Result<BooleanArray> {
        if let Some(texts) = strings(column.as_ref()) {
            return Ok(texts
                .into_iter()
                .map(|t| Some(t.is_some_and(&single)))
                .collect());
        }
        let lists: Vec<Option<ArrayRef>> = match column.data_type() {
            DataType::List(_) => column.as_list::<i32>().iter().collect(),
            DataType::LargeList(_) => column.as_list::<i64>().iter().collect(),
            other => {
                return exec_err!("{}: a field column of type {other}", self.name);
            }
        };
        lists
            .into_iter()
            .map(|list| {
                let Some(list) = list else {
                    return Ok(Some(false));
                };
                let Some(items) = strings(list.as_ref()) else {
                    return exec_err!("{}: a list of {}, not of text", self.name, list.data_type());
                };
                Ok(Some(multi(items.into_iter().flatten().collect())))
            })
            .collect()
    }
}

/// `Debug`, `PartialEq`, `Eq` and `Hash` for a UDF struct by its field `full`, the name
/// unique to what it computes (what DataFusion compares functions by).
macro_rules! identified_by_name {
    ($udf:ident) => {
        impl std::fmt::Debug for $udf {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($udf))
                    .field("name", &self.full)
                    .finish_non_exhaustive()
            }
        }

        impl PartialEq for $udf {
            fn eq(&self, other: &Self) -> bool {
                self.full == other.full
            }
        }

        impl Eq for $udf {}

        impl std::hash::Hash for $udf {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(&self.full, state);
            }
        }
    };
}
pub(crate) use identified_by_name;

identified_by_name!(SplMatch);

impl ScalarUDFImpl for SplMatch {
    fn name(&self) -> &str {
        &self.full
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("{} takes one column, given {}", self.name, args.args.len());
        };
        let column = arg.to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(Arc::new(self.evaluate(&column)?)))
    }
}
