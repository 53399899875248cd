//! The value domain of `eval` and `where`, and its operators.
//!
//! `docs/semantics.md` ("`eval` and `where`") gives the choices splc makes here.
//!
//! An [`EvalValue`] is null, a boolean, a number, a string or a multivalue. Values read
//! from an event are borrowed, not copied. Rules:
//!
//! - **Null propagates**: arithmetic, concatenation and comparison with a null operand
//!   give null. Boolean logic is three-valued ([`and`], [`or`], [`not`], [`xor`]):
//!   `null AND false` is false, `null OR true` is true, `NOT null` is null. `where` keeps
//!   a row only when its expression is true.
//! - **Numbers**: a string that parses as a finite decimal number
//!   ([`crate::value::parse_number`]) is a number in arithmetic and comparisons.
//! - **Comparisons** ([`compare`]): numeric when both sides are numbers, otherwise
//!   byte-wise and case-sensitive on the text (numbers in their printed form). A
//!   multivalue side is true when any of its values satisfies the comparison.
//! - **Arithmetic**: `+` adds two numbers or joins two strings; `- * / %` need numbers;
//!   dividing by zero gives null. `.` joins text, numbers in printed form.
//! - **Multivalue in scalar places**: arithmetic, `.` and the string and math functions
//!   use the first value of a multivalue; comparisons, `LIKE`, `match`, `cidrmatch`,
//!   `in` and the `mv*` functions see every value.
//! - Booleans are not text: `.`/`+` with a boolean give null. Turned into a field value
//!   (or by `tostring`) a boolean reads `True` or `False`.

pub mod func;
pub mod jsondoc;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use crate::ir::CmpOp;
use crate::value::{format_number, parse_number, Value};

use crate::ir::Func;

/// A value of an eval expression.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalValue<'a> {
    /// No value (an absent field, `null()`, a failed conversion).
    Null,
    /// A truth value (only comparisons and boolean functions make these).
    Bool(bool),
    /// A number.
    Num(f64),
    /// One string.
    Str(Cow<'a, str>),
    /// Several strings, in order (never empty).
    Multi(Cow<'a, [String]>),
}

impl<'a> EvalValue<'a> {
    /// Borrow a field value; `None` (absent) is null.
    pub fn from_value(value: Option<&'a Value>) -> EvalValue<'a> {
        match value {
            None => EvalValue::Null,
            Some(Value::Str(s)) => EvalValue::Str(Cow::Borrowed(s)),
            Some(Value::Num(n)) => EvalValue::Num(*n),
            Some(Value::Multi(v)) if v.is_empty() => EvalValue::Null,
            Some(Value::Multi(v)) => EvalValue::Multi(Cow::Borrowed(v)),
        }
    }

    /// Take an owned field value.
    pub fn from_owned(value: Option<Value>) -> EvalValue<'static> {
        match value {
            None => EvalValue::Null,
            Some(Value::Str(s)) => EvalValue::Str(Cow::Owned(s)),
            Some(Value::Num(n)) => EvalValue::Num(n),
            Some(Value::Multi(v)) if v.is_empty() => EvalValue::Null,
            Some(Value::Multi(v)) => EvalValue::Multi(Cow::Owned(v)),
        }
    }

    /// A string value.
    pub fn str(s: impl Into<Cow<'a, str>>) -> EvalValue<'a> {
        EvalValue::Str(s.into())
    }

    /// Several strings: null when empty, a single string for one.
    pub fn from_strings(mut values: Vec<String>) -> EvalValue<'a> {
        match values.len() {
            0 => EvalValue::Null,
            1 => values
                .pop()
                .map_or(EvalValue::Null, |s| EvalValue::Str(Cow::Owned(s))),
            _ => EvalValue::Multi(Cow::Owned(values)),
        }
    }

    /// The value to store in a field: `None` for null (the field is cleared); a boolean
    /// becomes `True`/`False` (the compiler rejects assigning a comparison, as Splunk does).
    pub fn into_value(self) -> Option<Value> {
        match self {
            EvalValue::Null => None,
            EvalValue::Bool(b) => Some(Value::Str(bool_text(b).to_owned())),
            EvalValue::Num(n) => Some(Value::Num(n)),
            EvalValue::Str(s) => Some(Value::Str(s.into_owned())),
            EvalValue::Multi(v) => Value::from_strings(v.into_owned()),
        }
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> EvalValue<'static> {
        match self {
            EvalValue::Null => EvalValue::Null,
            EvalValue::Bool(b) => EvalValue::Bool(b),
            EvalValue::Num(n) => EvalValue::Num(n),
            EvalValue::Str(s) => EvalValue::Str(Cow::Owned(s.into_owned())),
            EvalValue::Multi(v) => EvalValue::Multi(Cow::Owned(v.into_owned())),
        }
    }

    /// True for null.
    pub fn is_null(&self) -> bool {
        matches!(self, EvalValue::Null)
    }

    /// The truth value: `Some` for a boolean, `None` for null and for anything that is not
    /// a boolean.
    pub fn truth(&self) -> Option<bool> {
        match self {
            EvalValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// True only for the boolean true (what `where` and `if` test).
    pub fn is_true(&self) -> bool {
        self.truth() == Some(true)
    }

    /// True only for the boolean false (what `NOT x` needs to be true).
    pub fn is_false(&self) -> bool {
        self.truth() == Some(false)
    }

    /// The value as a number: a number, or text (the first value of a multivalue) that
    /// parses as one.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            EvalValue::Num(n) => Some(*n),
            EvalValue::Str(s) => parse_number(s),
            EvalValue::Multi(v) => v.first().and_then(|s| parse_number(s)),
            EvalValue::Null | EvalValue::Bool(_) => None,
        }
    }

    /// The value as text: a string, a number in printed form, the first value of a
    /// multivalue. `None` for null and booleans.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            EvalValue::Str(s) => Some(Cow::Borrowed(s)),
            EvalValue::Num(n) => Some(Cow::Owned(format_number(*n))),
            EvalValue::Multi(v) => v.first().map(|s| Cow::Borrowed(s.as_str())),
            EvalValue::Null | EvalValue::Bool(_) => None,
        }
    }

    /// Every value as text (none for null and booleans).
    pub fn values(&self) -> impl Iterator<Item = Cow<'_, str>> {
        let (one, many): (Option<Cow<'_, str>>, &[String]) = match self {
            EvalValue::Multi(v) => (None, v),
            other => (other.text(), &[]),
        };
        one.into_iter()
            .chain(many.iter().map(|s| Cow::Borrowed(s.as_str())))
    }

    /// The number of values (0 for null and booleans).
    pub fn count(&self) -> usize {
        match self {
            EvalValue::Null | EvalValue::Bool(_) => 0,
            EvalValue::Multi(v) => v.len(),
            _ => 1,
        }
    }

    /// One value, the way comparisons see it.
    fn scalars(&self) -> impl Iterator<Item = Scalar<'_>> {
        let (one, many): (Option<Scalar<'_>>, &[String]) = match self {
            EvalValue::Multi(v) => (None, v),
            EvalValue::Str(s) => (Some(Scalar::Str(s)), &[]),
            EvalValue::Num(n) => (Some(Scalar::Num(*n)), &[]),
            EvalValue::Bool(b) => (Some(Scalar::Bool(*b)), &[]),
            EvalValue::Null => (None, &[]),
        };
        one.into_iter().chain(many.iter().map(|s| Scalar::Str(s)))
    }
}

impl From<bool> for EvalValue<'_> {
    fn from(b: bool) -> Self {
        EvalValue::Bool(b)
    }
}

impl From<f64> for EvalValue<'_> {
    fn from(n: f64) -> Self {
        EvalValue::Num(n)
    }
}

impl<'a> From<&'a str> for EvalValue<'a> {
    fn from(s: &'a str) -> Self {
        EvalValue::Str(Cow::Borrowed(s))
    }
}

impl From<String> for EvalValue<'_> {
    fn from(s: String) -> Self {
        EvalValue::Str(Cow::Owned(s))
    }
}

impl<T: Into<EvalValue<'static>>> From<Option<T>> for EvalValue<'static> {
    fn from(v: Option<T>) -> Self {
        v.map_or(EvalValue::Null, Into::into)
    }
}

impl fmt::Display for EvalValue<'_> {
    /// Null prints as nothing, multivalues joined with newlines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalValue::Null => Ok(()),
            EvalValue::Bool(b) => f.write_str(bool_text(*b)),
            EvalValue::Num(n) => f.write_str(&format_number(*n)),
            EvalValue::Str(s) => f.write_str(s),
            EvalValue::Multi(v) => f.write_str(&v.join("\n")),
        }
    }
}

/// `True` or `False`.
pub(crate) fn bool_text(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

#[derive(Clone, Copy)]
enum Scalar<'s> {
    Str(&'s str),
    Num(f64),
    Bool(bool),
}

impl Scalar<'_> {
    fn number(self) -> Option<f64> {
        match self {
            Scalar::Num(n) => Some(n),
            Scalar::Str(s) => parse_number(s),
            Scalar::Bool(_) => None,
        }
    }
}

/// Compare two single values; `None` when they cannot be compared (a boolean with a
/// non-boolean, or NaN).
fn compare_scalars(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(&y)),
        (Scalar::Bool(_), _) | (_, Scalar::Bool(_)) => None,
        _ => match (a.number(), b.number()) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => {
                let ta = scalar_text(a);
                let tb = scalar_text(b);
                Some(ta.as_bytes().cmp(tb.as_bytes()))
            }
        },
    }
}

fn scalar_text(s: Scalar<'_>) -> Cow<'_, str> {
    match s {
        Scalar::Str(s) => Cow::Borrowed(s),
        Scalar::Num(n) => Cow::Owned(format_number(n)),
        Scalar::Bool(b) => Cow::Borrowed(bool_text(b)),
    }
}

/// `a <op> b` in eval/where: null when either side is null; otherwise true when some value
/// of `a` and some value of `b` satisfy it (see the module docs). `=` and `==` are the
/// same; a boolean compares only with a boolean (`=`/`!=`), anything else gives false.
pub fn compare(op: CmpOp, a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    if a.is_null() || b.is_null() {
        return EvalValue::Null;
    }
    let hit = a.scalars().any(|x| {
        b.scalars()
            .any(|y| compare_scalars(x, y).is_some_and(|o| op.holds(o)))
    });
    EvalValue::Bool(hit)
}

/// Eval equality of two values (the test `nullif` and `in` use): `Some(true)` when some
/// value pair is equal, `None` when either side is null.
pub fn equals(a: &EvalValue<'_>, b: &EvalValue<'_>) -> Option<bool> {
    compare(CmpOp::Eq, a, b).truth()
}

/// Three-valued AND.
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued OR.
pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Three-valued NOT.
pub fn not(a: Option<bool>) -> Option<bool> {
    a.map(|b| !b)
}

/// Three-valued XOR.
pub fn xor(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    Some(a? != b?)
}

/// The regex a pattern computed per row gives, compiled as it is (no PCRE translation is
/// available at run time); `None` when the value is null or the pattern does not compile.
pub fn computed_regex(pattern: &EvalValue<'_>) -> Option<crate::regex::Regex> {
    crate::regex::Regex::new(&pattern.text()?).ok()
}

/// A truth value as an eval value (`None` is null).
pub fn from_truth(t: Option<bool>) -> EvalValue<'static> {
    t.map_or(EvalValue::Null, EvalValue::Bool)
}

fn is_text(v: &EvalValue<'_>) -> bool {
    matches!(v, EvalValue::Str(_) | EvalValue::Multi(_))
}

/// `a + b`: the sum when both are numbers, the joined text when both are strings, else
/// null.
pub fn add(a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    if a.is_null() || b.is_null() {
        return EvalValue::Null;
    }
    if let (Some(x), Some(y)) = (a.to_number(), b.to_number()) {
        return EvalValue::Num(x + y);
    }
    if is_text(a) && is_text(b) {
        if let (Some(x), Some(y)) = (a.text(), b.text()) {
            return EvalValue::Str(Cow::Owned([x, y].concat()));
        }
    }
    EvalValue::Null
}

fn arith(
    a: &EvalValue<'_>,
    b: &EvalValue<'_>,
    f: impl FnOnce(f64, f64) -> Option<f64>,
) -> EvalValue<'static> {
    match (a.to_number(), b.to_number()) {
        (Some(x), Some(y)) => f(x, y).map_or(EvalValue::Null, EvalValue::Num),
        _ => EvalValue::Null,
    }
}

/// `a - b` (numbers only).
pub fn sub(a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    arith(a, b, |x, y| Some(x - y))
}

/// `a * b` (numbers only).
pub fn mul(a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    arith(a, b, |x, y| Some(x * y))
}

/// `a / b` (numbers only); null when `b` is 0.
pub fn div(a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    arith(a, b, |x, y| (y != 0.0).then(|| x / y))
}

/// `a % b` (numbers only; the sign follows `a`); null when `b` is 0.
pub fn rem(a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    arith(a, b, |x, y| (y != 0.0).then(|| x % y))
}

/// Unary `-a` (numbers only).
pub fn neg(a: &EvalValue<'_>) -> EvalValue<'static> {
    a.to_number()
        .map_or(EvalValue::Null, |x| EvalValue::Num(-x))
}

/// `a . b`: the text of both joined (numbers in printed form); null when either is null
/// or a boolean.
pub fn concat(a: &EvalValue<'_>, b: &EvalValue<'_>) -> EvalValue<'static> {
    match (a.text(), b.text()) {
        (Some(x), Some(y)) => EvalValue::Str(Cow::Owned([x, y].concat())),
        _ => EvalValue::Null,
    }
}

/// A `LIKE` pattern, built once: `%` matches any run of characters, `_` exactly one
/// character; the whole string must match, case-sensitively. There is no escape: `%` and
/// `_` are always wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LikePattern {
    toks: Vec<LikeTok>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LikeTok {
    Byte(u8),
    One,
    Any,
}

impl LikePattern {
    /// Build from the pattern text.
    pub fn new(pattern: &str) -> LikePattern {
        let mut toks = Vec::with_capacity(pattern.len());
        for b in pattern.bytes() {
            match b {
                b'%' => {
                    if toks.last() != Some(&LikeTok::Any) {
                        toks.push(LikeTok::Any);
                    }
                }
                b'_' => toks.push(LikeTok::One),
                other => toks.push(LikeTok::Byte(other)),
            }
        }
        LikePattern { toks }
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        let t = text.as_bytes();
        let p = &self.toks;
        let (mut ti, mut pi) = (0usize, 0usize);
        // After the last `%`: where the pattern resumes, and where its run ends so far.
        let mut star: Option<(usize, usize)> = None;
        loop {
            if let Some(tok) = p.get(pi) {
                match *tok {
                    LikeTok::Any => {
                        star = Some((pi + 1, ti));
                        pi += 1;
                        continue;
                    }
                    LikeTok::One if ti < t.len() => {
                        ti += char_len(t, ti);
                        pi += 1;
                        continue;
                    }
                    LikeTok::Byte(b) if t.get(ti) == Some(&b) => {
                        ti += 1;
                        pi += 1;
                        continue;
                    }
                    _ => {}
                }
            } else if ti == t.len() {
                return true;
            }
            match star {
                Some((sp, st)) if st < t.len() => {
                    let next = st + char_len(t, st);
                    star = Some((sp, next));
                    pi = sp;
                    ti = next;
                }
                _ => return false,
            }
        }
    }
}

/// The byte length of the UTF-8 character starting at `i` (1 past the end or on a
/// continuation byte).
fn char_len(t: &[u8], i: usize) -> usize {
    let n = match t.get(i) {
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(&b) if b >= 0xC0 => 2,
        _ => 1,
    };
    n.min(t.len().saturating_sub(i)).max(1)
}

/// `v LIKE pattern`: null for null, else true when any value matches.
pub fn like(v: &EvalValue<'_>, pattern: &LikePattern) -> EvalValue<'static> {
    if v.is_null() {
        return EvalValue::Null;
    }
    EvalValue::Bool(v.values().any(|s| pattern.is_match(&s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_lengths() {
        let s = "aé€😀".as_bytes();
        assert_eq!(char_len(s, 0), 1);
        assert_eq!(char_len(s, 1), 2);
        assert_eq!(char_len(s, 3), 3);
        assert_eq!(char_len(s, 6), 4);
        assert_eq!(char_len(s, 10), 1);
    }
}

/// The arguments of a call, evaluated on demand, left to right.
pub trait Args<'a> {
    /// The next argument (a required parameter).
    fn next(&mut self) -> EvalValue<'a>;
    /// The next argument, if the call has one more (an optional parameter).
    fn next_opt(&mut self) -> Option<EvalValue<'a>>;
    /// Every remaining argument (a `..rest` parameter).
    fn rest(&mut self) -> impl Iterator<Item = EvalValue<'a>>;
}

macro_rules! define_call {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal $(| $alias:literal)*
            ( $($req:ident),* $(; $($opt:ident),+)? $(.. $rest:ident)? )
            $calling:ident -> $ret:ident, $rust:ident;
    )*) => {
        /// Call a `plain` function of the catalog ([`spl_ir::for_each_function!`]) on its
        /// arguments. `None` for a `special` one, which each back end compiles itself.
        pub fn call<'a>(f: Func, args: &mut impl Args<'a>) -> Option<EvalValue<'a>> {
            match f {
                $(Func::$variant => define_call!(
                    @$calling args, $rust ($($req)*) ($($($opt)+)?) ($($rest)?)
                ),)*
            }
        }
    };
    (@special $args:ident, $rust:ident ($($req:ident)*) ($($opt:ident)*) ($($rest:ident)?)) => {
        None
    };
    (@plain $args:ident, $rust:ident ($($req:ident)*) ($($opt:ident)*) ($($rest:ident)?)) => {
        Some(func::$rust(
            $({ let _ = stringify!($req); $args.next() },)*
            $({ let _ = stringify!($opt); $args.next_opt() },)*
            $({ let _ = stringify!($rest); $args.rest() },)?
        ))
    };
}

spl_ir::for_each_function!(define_call);
