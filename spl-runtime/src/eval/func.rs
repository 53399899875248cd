//! The eval function library, as plain Rust functions.
//!
//! Each SPL function is the Rust function its entry in the catalog
//! ([`spl_ir::for_each_function!`]) names: the SPL name, with `_` appended where it is a
//! Rust keyword (`match_`, `in_`, `true_`, `false_`, `typeof_`). Generated code calls
//! them directly; the evaluator through [`super::call`], which the catalog generates. The
//! entries that name no function are `if` and `case`, which both back ends write out as
//! conditionals, `searchmatch`, which they test as a search, and `lookup` and `sigfig`,
//! which the compiler rejects.
//!
//! Arguments arrive evaluated, by value; a function that returns one of its arguments
//! (`coalesce`, `nullif`, `mvindex`, ...) hands it back without copying. Arguments that are
//! compiled once per rule come as such: a [`Regex`] for `match`, `mvfind`, `replace`,
//! a [`LikePattern`] for `like`, a [`Replacement`] for `replace`. `mvfilter` takes the
//! predicate, and `mvmap` the expression, as a closure called once per value. The JSON
//! functions read and write documents through [`super::jsondoc`].
//!
//! Conventions: a null argument gives null unless said otherwise; string and math
//! functions use the first value of a multivalue; math results that are not finite
//! numbers (NaN, infinity) are null.

use std::borrow::Cow;

use super::{bool_text, equals, EvalValue, LikePattern};
use crate::cidr::Cidr;
use crate::regex::{Regex, Replacement};
use crate::value::{format_number, parse_number};

type V<'a> = EvalValue<'a>;

fn num(n: f64) -> V<'static> {
    if n.is_finite() {
        EvalValue::Num(n)
    } else {
        EvalValue::Null
    }
}

fn owned(s: String) -> V<'static> {
    EvalValue::Str(Cow::Owned(s))
}

/// The text of a value, owned or borrowed with the value's own lifetime.
fn text_of<'a>(v: V<'a>) -> Option<Cow<'a, str>> {
    match v {
        EvalValue::Str(s) => Some(s),
        EvalValue::Num(n) => Some(Cow::Owned(format_number(n))),
        EvalValue::Multi(Cow::Borrowed(v)) => v.first().map(|s| Cow::Borrowed(s.as_str())),
        EvalValue::Multi(Cow::Owned(v)) => v.into_iter().next().map(Cow::Owned),
        EvalValue::Null | EvalValue::Bool(_) => None,
    }
}

// ---- conditionals ----------------------------------------------------------------------

/// `coalesce(a, b, ...)`: the first argument that is not null (an empty string is not
/// null).
pub fn coalesce<'a>(first: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'a> {
    std::iter::once(first)
        .chain(more)
        .find(|v| !v.is_null())
        .unwrap_or(EvalValue::Null)
}

/// `isnull(x)`.
pub fn isnull(v: V<'_>) -> V<'static> {
    EvalValue::Bool(v.is_null())
}

/// `isnotnull(x)`.
pub fn isnotnull(v: V<'_>) -> V<'static> {
    EvalValue::Bool(!v.is_null())
}

/// `null()`.
pub fn null() -> V<'static> {
    EvalValue::Null
}

/// `true()`.
pub fn true_() -> V<'static> {
    EvalValue::Bool(true)
}

/// `false()`.
pub fn false_() -> V<'static> {
    EvalValue::Bool(false)
}

/// `nullif(a, b)`: null when `a` equals `b` (eval `=`), else `a`.
pub fn nullif<'a>(a: V<'a>, b: V<'_>) -> V<'a> {
    if equals(&a, &b) == Some(true) {
        EvalValue::Null
    } else {
        a
    }
}

/// `match(s, regex)`: true when the regex matches somewhere in any value of `s`.
pub fn match_(v: V<'_>, regex: &Regex) -> V<'static> {
    if v.is_null() {
        return EvalValue::Null;
    }
    EvalValue::Bool(v.values().any(|s| regex.is_match(&s)))
}

/// `like(s, pattern)`: true when any value of `s` matches the whole pattern.
pub fn like(v: V<'_>, pattern: &LikePattern) -> V<'static> {
    super::like(&v, pattern)
}

/// `cidrmatch(cidr, ip)`: true when (any value of) `ip` is in the subnet; false when
/// `cidr` is not a subnet or `ip` not an address.
pub fn cidrmatch(cidr: V<'_>, ip: V<'_>) -> V<'static> {
    let Some(c) = cidr.text() else {
        return EvalValue::Null;
    };
    if ip.is_null() {
        return EvalValue::Null;
    }
    let Some(c) = Cidr::parse(&c) else {
        return EvalValue::Bool(false);
    };
    EvalValue::Bool(ip.values().any(|s| c.contains(&s)))
}

/// `in(x, v1, v2, ...)`: true when `x` equals (eval `=`, no wildcards) one of the values.
pub fn in_<'a>(v: V<'_>, list: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    if v.is_null() {
        return EvalValue::Null;
    }
    EvalValue::Bool(list.into_iter().any(|item| equals(&v, &item) == Some(true)))
}

// ---- multivalue ------------------------------------------------------------------------

/// `mvappend(a, b, ...)`: all values of all arguments, in order; null arguments are
/// skipped; null when nothing is left.
pub fn mvappend<'a>(first: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'a> {
    let mut out = Vec::new();
    for a in std::iter::once(first).chain(more) {
        match a {
            EvalValue::Multi(v) => out.extend(v.into_owned()),
            EvalValue::Bool(b) => out.push(bool_text(b).to_owned()),
            other => {
                if let Some(t) = text_of(other) {
                    out.push(t.into_owned());
                }
            }
        }
    }
    EvalValue::from_strings(out)
}

/// `mvcount(x)`: the number of values; null for null.
pub fn mvcount(v: V<'_>) -> V<'static> {
    match v.count() {
        0 => EvalValue::Null,
        n => EvalValue::Num(n as f64),
    }
}

/// The values of `v` as a slice-like list (a single value is a list of one).
fn value_list<'a>(v: V<'a>) -> Option<Cow<'a, [String]>> {
    match v {
        EvalValue::Multi(v) => Some(v),
        other => text_of(other).map(|s| Cow::Owned(vec![s.into_owned()])),
    }
}

fn int_arg(v: &V<'_>) -> Option<i64> {
    v.to_number()
        .filter(|n| n.is_finite())
        .map(|n| n.trunc() as i64)
}

/// `mvindex(x, start[, end])`: the value at `start`, or the values from `start` to `end`
/// inclusive. 0-based; negative positions count from the end (`-1` is the last). Null
/// when `start` is out of range or `end` comes before it; an `end` past the last value
/// stops at the last.
pub fn mvindex<'a>(v: V<'a>, start: V<'_>, end: Option<V<'_>>) -> V<'a> {
    let Some(list) = value_list(v) else {
        return EvalValue::Null;
    };
    let n = list.len() as i64;
    let resolve = |i: i64| if i < 0 { n + i } else { i };
    let Some(s) = int_arg(&start).map(resolve) else {
        return EvalValue::Null;
    };
    if s < 0 || s >= n {
        return EvalValue::Null;
    }
    let e = match end {
        None => s,
        Some(e) => match int_arg(&e) {
            Some(e) => resolve(e).min(n - 1),
            None => return EvalValue::Null,
        },
    };
    if e < s {
        return EvalValue::Null;
    }
    let (s, e) = (s as usize, e as usize);
    match list {
        Cow::Borrowed(l) => match &l[s..=e] {
            [one] => EvalValue::Str(Cow::Borrowed(one)),
            many => EvalValue::Multi(Cow::Borrowed(many)),
        },
        Cow::Owned(l) => EvalValue::from_strings(l.into_iter().skip(s).take(e - s + 1).collect()),
    }
}

/// `mvfilter(pred)` over the values of `v`: keeps the values for which `pred` (called
/// with each value as a string) is true; null when none is kept.
pub fn mvfilter<'a>(v: V<'a>, mut pred: impl FnMut(V<'_>) -> bool) -> V<'a> {
    let Some(list) = value_list(v) else {
        return EvalValue::Null;
    };
    let kept: Vec<String> = list
        .iter()
        .filter(|s| pred(EvalValue::Str(Cow::Borrowed(s.as_str()))))
        .cloned()
        .collect();
    EvalValue::from_strings(kept)
}

/// `mvfind(x, regex)`: the 0-based index of the first value the regex matches; null when
/// none does.
pub fn mvfind(v: V<'_>, regex: &Regex) -> V<'static> {
    v.values()
        .position(|s| regex.is_match(&s))
        .map_or(EvalValue::Null, |i| EvalValue::Num(i as f64))
}

/// `mvdedup(x)`: the values without repeats, first occurrences kept in order.
pub fn mvdedup<'a>(v: V<'a>) -> V<'a> {
    match v {
        EvalValue::Multi(list) => {
            let mut out: Vec<String> = Vec::with_capacity(list.len());
            for s in list.iter() {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
            EvalValue::from_strings(out)
        }
        other => other,
    }
}

/// `mvjoin(x, delim)`: the values joined with `delim`.
pub fn mvjoin(v: V<'_>, delim: V<'_>) -> V<'static> {
    let Some(d) = delim.text() else {
        return EvalValue::Null;
    };
    if v.is_null() {
        return EvalValue::Null;
    }
    let parts: Vec<Cow<'_, str>> = v.values().collect();
    if parts.is_empty() {
        return EvalValue::Null;
    }
    owned(parts.join(&*d))
}

/// `mvzip(left, right[, delim])`: the first value of `left` joined with `delim` (`,` by
/// default) to the first of `right`, then the second with the second, and so on, as far
/// as the shorter goes (as Python's `zip`). Null when an argument is null.
pub fn mvzip(left: V<'_>, right: V<'_>, delim: Option<V<'_>>) -> V<'static> {
    let delim = match &delim {
        None => Cow::Borrowed(","),
        Some(d) => match d.text() {
            Some(d) => d,
            None => return EvalValue::Null,
        },
    };
    if left.is_null() || right.is_null() {
        return EvalValue::Null;
    }
    let pairs = left
        .values()
        .zip(right.values())
        .map(|(l, r)| format!("{l}{delim}{r}"))
        .collect();
    EvalValue::from_strings(pairs)
}

/// `split(s, delim)`: the pieces of `s` between occurrences of `delim` (empty pieces
/// kept); an empty `delim` splits into characters.
pub fn split(v: V<'_>, delim: V<'_>) -> V<'static> {
    let (Some(s), Some(d)) = (v.text(), delim.text()) else {
        return EvalValue::Null;
    };
    let parts: Vec<String> = if d.is_empty() {
        s.chars().map(String::from).collect()
    } else {
        s.split(&*d).map(str::to_owned).collect()
    };
    EvalValue::from_strings(parts)
}

// ---- strings ---------------------------------------------------------------------------

/// `len(s)`: the number of characters.
pub fn len(v: V<'_>) -> V<'static> {
    v.text().map_or(
        EvalValue::Null,
        |s| EvalValue::Num(s.chars().count() as f64),
    )
}

/// `lower(s)`.
pub fn lower(v: V<'_>) -> V<'static> {
    v.text()
        .map_or(EvalValue::Null, |s| owned(s.to_lowercase()))
}

/// `upper(s)`.
pub fn upper(v: V<'_>) -> V<'static> {
    v.text()
        .map_or(EvalValue::Null, |s| owned(s.to_uppercase()))
}

/// `replace(s, regex, repl)`: every match replaced, `\1`.. in `repl` inserting groups
/// (build `repl` with [`Replacement::eval`]).
pub fn replace<'a>(v: V<'a>, regex: &Regex, repl: &Replacement) -> V<'a> {
    let Some(s) = text_of(v) else {
        return EvalValue::Null;
    };
    match s {
        Cow::Borrowed(b) => EvalValue::Str(regex.replace_all(b, repl)),
        Cow::Owned(o) => owned(regex.replace_all(&o, repl).into_owned()),
    }
}

/// `substr(s, start[, length])`: characters from `start` (1-based; 0 is taken as 1; a
/// negative start counts from the end), `length` of them or to the end. A length of 0 or
/// less gives the empty string.
pub fn substr<'a>(v: V<'a>, start: V<'_>, length: Option<V<'_>>) -> V<'a> {
    let Some(s) = text_of(v) else {
        return EvalValue::Null;
    };
    let Some(start) = int_arg(&start) else {
        return EvalValue::Null;
    };
    let n = s.chars().count() as i64;
    let from = if start > 0 {
        start - 1
    } else if start == 0 {
        0
    } else {
        (n + start).max(0)
    };
    let take = match length {
        None => n,
        Some(l) => match int_arg(&l) {
            Some(l) => l.max(0),
            None => return EvalValue::Null,
        },
    };
    let out: String = s
        .chars()
        .skip(from.max(0) as usize)
        .take(take.max(0) as usize)
        .collect();
    owned(out)
}

fn trim_with<'a>(v: V<'a>, chars: Option<V<'_>>, left: bool, right: bool) -> V<'a> {
    let Some(s) = text_of(v) else {
        return EvalValue::Null;
    };
    let set: Cow<'_, str> = match &chars {
        None => Cow::Borrowed(" \t"),
        Some(c) => match c.text() {
            Some(t) => Cow::Owned(t.into_owned()),
            None => return EvalValue::Null,
        },
    };
    let pred = |c: char| set.contains(c);
    let apply = |t: &'_ str| -> (usize, usize) {
        let start = if left {
            t.len() - t.trim_start_matches(pred).len()
        } else {
            0
        };
        let end = if right {
            t.trim_end_matches(pred).len()
        } else {
            t.len()
        };
        (start, end.max(start))
    };
    match s {
        Cow::Borrowed(b) => {
            let (a, e) = apply(b);
            EvalValue::Str(Cow::Borrowed(&b[a..e]))
        }
        Cow::Owned(o) => {
            let (a, e) = apply(&o);
            owned(o[a..e].to_owned())
        }
    }
}

/// `trim(s[, chars])`: removes the characters of `chars` (default space and tab) from both
/// ends.
pub fn trim<'a>(v: V<'a>, chars: Option<V<'_>>) -> V<'a> {
    trim_with(v, chars, true, true)
}

/// `ltrim(s[, chars])`: from the start only.
pub fn ltrim<'a>(v: V<'a>, chars: Option<V<'_>>) -> V<'a> {
    trim_with(v, chars, true, false)
}

/// `rtrim(s[, chars])`: from the end only.
pub fn rtrim<'a>(v: V<'a>, chars: Option<V<'_>>) -> V<'a> {
    trim_with(v, chars, false, true)
}

/// `urldecode(s)`: `%XX` escapes decoded (invalid UTF-8 replaced by U+FFFD) and `+` read
/// as a space; a `%` not followed by two hex digits stays.
pub fn urldecode(v: V<'_>) -> V<'static> {
    let Some(s) = v.text() else {
        return EvalValue::Null;
    };
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if b.get(i + 1).and_then(|&c| hex(c)).is_some()
                && b.get(i + 2).and_then(|&c| hex(c)).is_some() =>
            {
                let hi = b.get(i + 1).and_then(|&c| hex(c)).unwrap_or(0);
                let lo = b.get(i + 2).and_then(|&c| hex(c)).unwrap_or(0);
                out.push(hi * 16 + lo);
                i += 3;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

// ---- conversion ------------------------------------------------------------------------

/// `tonumber(s[, base])`: the number `s` denotes. Base 10 (the default) reads decimals
/// (fractions and exponents too); other bases (2–36) read an optionally signed integer,
/// base 16 also with a `0x` prefix. Null when `s` does not parse or the base is not
/// 2–36.
pub fn tonumber(v: V<'_>, base: Option<V<'_>>) -> V<'static> {
    let base = match &base {
        None => 10,
        Some(b) => match b.to_number() {
            Some(b) if b.fract() == 0.0 && (2.0..=36.0).contains(&b) => b as u32,
            _ => return EvalValue::Null,
        },
    };
    if let EvalValue::Num(n) = v {
        if base == 10 {
            return num(n);
        }
    }
    let Some(s) = v.text() else {
        return EvalValue::Null;
    };
    if base == 10 {
        return parse_number(&s).map_or(EvalValue::Null, EvalValue::Num);
    }
    let t = s.trim_ascii();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = if base == 16 {
        t.strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .unwrap_or(t)
    } else {
        t
    };
    if t.is_empty() {
        return EvalValue::Null;
    }
    let mut acc = 0f64;
    for c in t.chars() {
        match c.to_digit(base) {
            Some(d) => acc = acc * f64::from(base) + f64::from(d),
            None => return EvalValue::Null,
        }
    }
    num(if neg { -acc } else { acc })
}

/// `tostring(x[, format])`: the text of `x` (a boolean gives `True`/`False`). Formats,
/// for numbers: `"hex"` (`0xFF`), `"binary"` (`1001`), `"commas"` (`12,345.68`: thousands separators, at most
/// two decimals), `"duration"` (seconds as `HH:MM:SS`, with `D+` in front past a day).
/// A format applied to something that is not a number, or an unknown format, gives null.
pub fn tostring<'a>(v: V<'a>, format: Option<V<'_>>) -> V<'a> {
    let Some(format) = format else {
        return match v {
            EvalValue::Bool(b) => EvalValue::Str(Cow::Borrowed(bool_text(b))),
            EvalValue::Num(n) => owned(format_number(n)),
            other => other,
        };
    };
    let (Some(fmt), Some(n)) = (format.text(), v.to_number()) else {
        return EvalValue::Null;
    };
    match fmt.to_ascii_lowercase().as_str() {
        "hex" => {
            let i = n.trunc();
            if i.abs() >= 1.8e19 {
                return EvalValue::Null;
            }
            let sign = if i < 0.0 { "-" } else { "" };
            owned(format!("{sign}0x{:X}", i.abs() as u64))
        }
        "binary" => {
            let i = n.trunc();
            if i.abs() >= 1.8e19 {
                return EvalValue::Null;
            }
            let sign = if i < 0.0 { "-" } else { "" };
            owned(format!("{sign}{:b}", i.abs() as u64))
        }
        "commas" => owned(with_commas(n)),
        "duration" => {
            if !n.is_finite() {
                return EvalValue::Null;
            }
            let total = n.trunc().abs() as u64;
            let sign = if n < 0.0 { "-" } else { "" };
            let (d, rem) = (total / 86_400, total % 86_400);
            let hms = format!("{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60);
            owned(if d > 0 {
                format!("{sign}{d}+{hms}")
            } else {
                format!("{sign}{hms}")
            })
        }
        _ => EvalValue::Null,
    }
}

fn with_commas(n: f64) -> String {
    if !n.is_finite() {
        return format_number(n);
    }
    let rounded = (n * 100.0).round() / 100.0;
    let text = if rounded.fract() == 0.0 {
        format!("{:.0}", rounded.abs())
    } else {
        format!("{:.2}", rounded.abs())
    };
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `typeof(x)`: `"Number"` (also for a string that parses as a number), `"String"`,
/// `"Boolean"`, `"Multivalue"`, or `"Invalid"` for null.
pub fn typeof_(v: V<'_>) -> V<'static> {
    let t = match &v {
        EvalValue::Null => "Invalid",
        EvalValue::Bool(_) => "Boolean",
        EvalValue::Num(_) => "Number",
        EvalValue::Str(s) if parse_number(s).is_some() => "Number",
        EvalValue::Str(_) => "String",
        EvalValue::Multi(_) => "Multivalue",
    };
    EvalValue::Str(Cow::Borrowed(t))
}

// ---- math ------------------------------------------------------------------------------

fn math1(v: &V<'_>, f: impl FnOnce(f64) -> f64) -> V<'static> {
    v.to_number().map_or(EvalValue::Null, |x| num(f(x)))
}

/// `round(x[, digits])`: to `digits` decimals (default 0), halves away from zero.
pub fn round(v: V<'_>, digits: Option<V<'_>>) -> V<'static> {
    let d = match &digits {
        None => 0,
        Some(d) => match int_arg(d) {
            Some(d) => d.clamp(-300, 300) as i32,
            None => return EvalValue::Null,
        },
    };
    math1(&v, |x| {
        let p = 10f64.powi(d);
        let r = (x * p).round() / p;
        if r.is_finite() {
            r
        } else {
            x
        }
    })
}

/// `abs(x)`.
pub fn abs(v: V<'_>) -> V<'static> {
    math1(&v, f64::abs)
}

/// `floor(x)`.
pub fn floor(v: V<'_>) -> V<'static> {
    math1(&v, f64::floor)
}

/// `ceiling(x)` / `ceil(x)`.
pub fn ceiling(v: V<'_>) -> V<'static> {
    math1(&v, f64::ceil)
}

/// `sqrt(x)`: null for a negative `x`.
pub fn sqrt(v: V<'_>) -> V<'static> {
    math1(&v, f64::sqrt)
}

/// `pi()`.
pub fn pi() -> V<'static> {
    EvalValue::Num(std::f64::consts::PI)
}

/// `sin(x)` (radians).
pub fn sin(v: V<'_>) -> V<'static> {
    math1(&v, f64::sin)
}

/// `cos(x)` (radians).
pub fn cos(v: V<'_>) -> V<'static> {
    math1(&v, f64::cos)
}

/// `tan(x)` (radians).
pub fn tan(v: V<'_>) -> V<'static> {
    math1(&v, f64::tan)
}

/// `asin(x)`.
pub fn asin(v: V<'_>) -> V<'static> {
    math1(&v, f64::asin)
}

/// `acos(x)`.
pub fn acos(v: V<'_>) -> V<'static> {
    math1(&v, f64::acos)
}

/// `atan(x)`.
pub fn atan(v: V<'_>) -> V<'static> {
    math1(&v, f64::atan)
}

/// `atan2(y, x)`.
pub fn atan2(y: V<'_>, x: V<'_>) -> V<'static> {
    match (y.to_number(), x.to_number()) {
        (Some(y), Some(x)) => num(y.atan2(x)),
        _ => EvalValue::Null,
    }
}

/// `exp(x)`.
pub fn exp(v: V<'_>) -> V<'static> {
    math1(&v, f64::exp)
}

/// `ln(x)`: null for `x <= 0`.
pub fn ln(v: V<'_>) -> V<'static> {
    math1(&v, f64::ln)
}

/// `log(x[, base])`: base 10 by default; null for `x <= 0` or a base that is not
/// positive or is 1.
pub fn log(v: V<'_>, base: Option<V<'_>>) -> V<'static> {
    let b = match &base {
        None => 10.0,
        Some(b) => match b.to_number() {
            Some(b) if b > 0.0 && b != 1.0 => b,
            _ => return EvalValue::Null,
        },
    };
    math1(&v, |x| x.log(b))
}

/// `pow(x, y)`.
pub fn pow(x: V<'_>, y: V<'_>) -> V<'static> {
    match (x.to_number(), y.to_number()) {
        (Some(x), Some(y)) => num(x.powf(y)),
        _ => EvalValue::Null,
    }
}

// ---- time ------------------------------------------------------------------------------

/// `strftime(t, format)`: epoch seconds formatted in UTC ([`crate::time`]).
pub fn strftime(t: V<'_>, format: V<'_>) -> V<'static> {
    match (t.to_number(), format.text()) {
        (Some(t), Some(f)) => crate::time::strftime(t, &f).map_or(EvalValue::Null, owned),
        _ => EvalValue::Null,
    }
}

/// `strptime(s, format)`: text parsed to epoch seconds (UTC); null when it does not fit.
pub fn strptime(s: V<'_>, format: V<'_>) -> V<'static> {
    match (s.text(), format.text()) {
        (Some(s), Some(f)) => crate::time::strptime(&s, &f).map_or(EvalValue::Null, EvalValue::Num),
        _ => EvalValue::Null,
    }
}

/// `now()`: the search's start time, which the caller passes (epoch seconds).
pub fn now(search_start: f64) -> V<'static> {
    EvalValue::Num(search_start)
}

/// `time()`: the wall-clock time when the function runs, in epoch seconds with
/// microseconds (unlike `now()`, it changes during a search).
pub fn time() -> V<'static> {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_micros() as f64 / 1e6);
    EvalValue::Num(t)
}

// ---- information -----------------------------------------------------------------------

/// `isbool(x)`: true for a truth value (what a comparison or `true()` gives).
pub fn isbool(v: V<'_>) -> V<'static> {
    EvalValue::Bool(matches!(v, EvalValue::Bool(_)))
}

/// `isint(x)`: true for a single value that is a whole number (a number, or text that
/// reads as one, as field values do).
pub fn isint(v: V<'_>) -> V<'static> {
    let n = match &v {
        EvalValue::Num(n) => Some(*n),
        EvalValue::Str(s) => parse_number(s),
        _ => None,
    };
    EvalValue::Bool(n.is_some_and(|n| n.is_finite() && n.fract() == 0.0))
}

/// `isnum(x)`: true for a single value that is a number (or text that reads as one).
pub fn isnum(v: V<'_>) -> V<'static> {
    EvalValue::Bool(match &v {
        EvalValue::Num(n) => n.is_finite(),
        EvalValue::Str(s) => parse_number(s).is_some(),
        _ => false,
    })
}

/// `isstr(x)`: true for a single value that is text and not a number (the values
/// `typeof` calls `String`).
pub fn isstr(v: V<'_>) -> V<'static> {
    EvalValue::Bool(matches!(&v, EvalValue::Str(s) if parse_number(s).is_none()))
}

/// `validate(c1, m1, c2, m2, ...)`: the message after the first condition that is not
/// true (false or null); null when every condition is true.
pub fn validate<'a>(
    condition: V<'_>,
    message: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
) -> V<'a> {
    if !condition.is_true() {
        return message;
    }
    let mut more = more.into_iter();
    while let Some(c) = more.next() {
        let m = more.next().unwrap_or(EvalValue::Null);
        if !c.is_true() {
            return m;
        }
    }
    EvalValue::Null
}

// ---- statistics over arguments ---------------------------------------------------------

/// Every number among the values of every argument (text that is not a number skipped).
fn numbers_of<'a>(args: impl IntoIterator<Item = V<'a>>, mut f: impl FnMut(f64)) {
    for a in args {
        match &a {
            EvalValue::Num(n) if n.is_finite() => f(*n),
            _ => a.values().filter_map(|s| parse_number(&s)).for_each(&mut f),
        }
    }
}

/// `sum(x, ...)`: the sum of every number among the values of the arguments; null when
/// there is none.
pub fn sum<'a>(first: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    let (mut total, mut n) = (0.0, 0usize);
    numbers_of(std::iter::once(first).chain(more), |x| {
        total += x;
        n += 1;
    });
    if n == 0 {
        EvalValue::Null
    } else {
        num(total)
    }
}

/// `avg(x, ...)`: the mean of every number among the values of the arguments (as
/// `sum(x, y) / (mvcount(x) + mvcount(y))` when all are numbers); null when there is none.
pub fn avg<'a>(first: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    let (mut total, mut n) = (0.0, 0usize);
    numbers_of(std::iter::once(first).chain(more), |x| {
        total += x;
        n += 1;
    });
    if n == 0 {
        EvalValue::Null
    } else {
        num(total / n as f64)
    }
}

/// One value of `min`/`max`: numbers sort before text, numbers by value, text by bytes.
#[derive(PartialEq, PartialOrd)]
enum Ranked {
    Num(f64),
    Text(String),
}

fn extreme<'a>(args: impl IntoIterator<Item = V<'a>>, want: std::cmp::Ordering) -> V<'static> {
    let mut best: Option<Ranked> = None;
    let mut consider = |r: Ranked| {
        if best.as_ref().is_none_or(|b| r.partial_cmp(b) == Some(want)) {
            best = Some(r);
        }
    };
    for a in args {
        match &a {
            EvalValue::Num(n) => consider(Ranked::Num(*n)),
            _ => {
                for s in a.values() {
                    consider(match parse_number(&s) {
                        Some(n) => Ranked::Num(n),
                        None => Ranked::Text(s.into_owned()),
                    });
                }
            }
        }
    }
    match best {
        None => EvalValue::Null,
        Some(Ranked::Num(n)) => num(n),
        Some(Ranked::Text(s)) => owned(s),
    }
}

/// `max(x, ...)`: the greatest of the values of the arguments; numbers compare by value,
/// text by byte order, and text is greater than any number. Null arguments are skipped.
pub fn max<'a>(first: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    extreme(
        std::iter::once(first).chain(more),
        std::cmp::Ordering::Greater,
    )
}

/// `min(x, ...)`: the least of the values of the arguments, ordered as for [`max`].
pub fn min<'a>(first: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    extreme(std::iter::once(first).chain(more), std::cmp::Ordering::Less)
}

/// `random()`: a pseudo-random whole number from 0 to 2^31 − 1 (not for cryptography).
pub fn random() -> V<'static> {
    use std::cell::Cell;
    use std::hash::{BuildHasher, Hasher};
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            std::collections::hash_map::RandomState::new().build_hasher().finish() | 1,
        );
    }
    let r = STATE.with(|s| {
        // splitmix64
        let x = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(x);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    });
    EvalValue::Num((r >> 33) as f64)
}

// ---- more math -------------------------------------------------------------------------

/// `exact(x)`: `x` at full precision (numbers always print at full precision here).
pub fn exact(v: V<'_>) -> V<'static> {
    math1(&v, |x| x)
}

/// `sinh(x)`.
pub fn sinh(v: V<'_>) -> V<'static> {
    math1(&v, f64::sinh)
}

/// `cosh(x)`.
pub fn cosh(v: V<'_>) -> V<'static> {
    math1(&v, f64::cosh)
}

/// `tanh(x)`.
pub fn tanh(v: V<'_>) -> V<'static> {
    math1(&v, f64::tanh)
}

/// `asinh(x)`.
pub fn asinh(v: V<'_>) -> V<'static> {
    math1(&v, f64::asinh)
}

/// `acosh(x)`: null for `x < 1`.
pub fn acosh(v: V<'_>) -> V<'static> {
    math1(&v, f64::acosh)
}

/// `atanh(x)`: null outside (−1, 1).
pub fn atanh(v: V<'_>) -> V<'static> {
    math1(&v, f64::atanh)
}

/// `hypot(x, y)`: `sqrt(x² + y²)`.
pub fn hypot(x: V<'_>, y: V<'_>) -> V<'static> {
    match (x.to_number(), y.to_number()) {
        (Some(x), Some(y)) => num(x.hypot(y)),
        _ => EvalValue::Null,
    }
}

// ---- bitwise ---------------------------------------------------------------------------

/// The largest value the bitwise functions take: 2^53 − 1.
const BIT_MAX: u64 = (1 << 53) - 1;

/// A bitwise operand: a whole number from 0 to 2^53 − 1.
fn bits(v: &V<'_>) -> Option<u64> {
    let n = v.to_number()?;
    (n >= 0.0 && n.fract() == 0.0 && n <= BIT_MAX as f64).then_some(n as u64)
}

fn bit_fold<'a>(
    a: V<'a>,
    b: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
    op: impl Fn(u64, u64) -> u64,
) -> V<'static> {
    let mut acc: Option<u64> = None;
    for v in [a, b].into_iter().chain(more) {
        let Some(x) = bits(&v) else {
            return EvalValue::Null;
        };
        acc = Some(acc.map_or(x, |acc| op(acc, x)));
    }
    acc.map_or(EvalValue::Null, |x| EvalValue::Num(x as f64))
}

/// `bit_and(a, b, ...)`: bitwise AND of two or more whole numbers from 0 to 2^53 − 1;
/// null when one is not such a number.
pub fn bit_and<'a>(a: V<'a>, b: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    bit_fold(a, b, more, |x, y| x & y)
}

/// `bit_or(a, b, ...)`: bitwise OR.
pub fn bit_or<'a>(a: V<'a>, b: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    bit_fold(a, b, more, |x, y| x | y)
}

/// `bit_xor(a, b, ...)`: bitwise exclusive OR.
pub fn bit_xor<'a>(a: V<'a>, b: V<'a>, more: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    bit_fold(a, b, more, |x, y| x ^ y)
}

/// `bit_not(x[, mask])`: the bits of `x` inverted, kept within `mask` (2^53 − 1 by
/// default).
pub fn bit_not(v: V<'_>, mask: Option<V<'_>>) -> V<'static> {
    let mask = match &mask {
        None => Some(BIT_MAX),
        Some(m) => bits(m),
    };
    match (bits(&v), mask) {
        (Some(x), Some(m)) => EvalValue::Num((!x & m) as f64),
        _ => EvalValue::Null,
    }
}

/// `bit_shift_left(x, n)`: `x` shifted left by `n` bits, kept within 53 bits.
pub fn bit_shift_left(v: V<'_>, offset: V<'_>) -> V<'static> {
    match (bits(&v), bits(&offset)) {
        (Some(x), Some(n)) => {
            let shifted = if n >= 64 { 0 } else { x << n };
            EvalValue::Num((shifted & BIT_MAX) as f64)
        }
        _ => EvalValue::Null,
    }
}

/// `bit_shift_right(x, n)`: `x` shifted right by `n` bits.
pub fn bit_shift_right(v: V<'_>, offset: V<'_>) -> V<'static> {
    match (bits(&v), bits(&offset)) {
        (Some(x), Some(n)) => EvalValue::Num(if n >= 64 { 0.0 } else { (x >> n) as f64 }),
        _ => EvalValue::Null,
    }
}

// ---- addresses -------------------------------------------------------------------------

fn ipv4(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut parts = 0;
    for p in s.trim_ascii().split('.') {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = p.parse().ok()?;
        if octet > 255 {
            return None;
        }
        out = out << 8 | octet;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

/// `ipmask(mask, ip)`: the IPv4 address `ip` ANDed with the IPv4 mask, in dotted form;
/// null when either is not a dotted IPv4 address.
pub fn ipmask(mask: V<'_>, ip: V<'_>) -> V<'static> {
    let (Some(m), Some(a)) = (
        mask.text().and_then(|m| ipv4(&m)),
        ip.text().and_then(|a| ipv4(&a)),
    ) else {
        return EvalValue::Null;
    };
    let x = m & a;
    owned(format!(
        "{}.{}.{}.{}",
        x >> 24,
        x >> 16 & 255,
        x >> 8 & 255,
        x & 255
    ))
}

// ---- more multivalue -------------------------------------------------------------------

/// The most values `mvrange` makes.
pub const MVRANGE_LIMIT: usize = 100_000;

/// A step of `mvrange`: a number, or a time span (`30s`, `5m`, `2h`, `7d`, `1w`).
fn range_step(v: &V<'_>) -> Option<f64> {
    if let Some(n) = v.to_number() {
        return Some(n);
    }
    let t = v.text()?;
    let t = t.trim_ascii();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: f64 = if n.is_empty() { 1.0 } else { n.parse().ok()? };
    let unit = match unit.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    };
    Some(n * unit)
}

/// `mvrange(start, end[, step])`: the numbers from `start` up to, not including, `end`,
/// `step` apart (1 by default; a time span such as `"7d"` counts seconds). Null for a
/// step that is not positive, an empty range, or more than [`MVRANGE_LIMIT`] values.
pub fn mvrange(start: V<'_>, end: V<'_>, step: Option<V<'_>>) -> V<'static> {
    let step = match &step {
        None => Some(1.0),
        Some(s) => range_step(s),
    };
    let (Some(a), Some(b), Some(step)) = (start.to_number(), end.to_number(), step) else {
        return EvalValue::Null;
    };
    if step.is_nan() || step <= 0.0 || !a.is_finite() || !b.is_finite() {
        return EvalValue::Null;
    }
    let count = ((b - a) / step).ceil();
    if count.is_nan() || count < 1.0 || count > MVRANGE_LIMIT as f64 {
        return EvalValue::Null;
    }
    let values = (0..count as usize)
        .map(|i| format_number(a + step * i as f64))
        .collect();
    EvalValue::from_strings(values)
}

/// `mvsort(x)`: the values sorted by byte order (so `10` before `9`, uppercase before
/// lowercase).
pub fn mvsort<'a>(v: V<'a>) -> V<'a> {
    match v {
        EvalValue::Multi(list) => {
            let mut out = list.into_owned();
            out.sort_unstable();
            EvalValue::from_strings(out)
        }
        EvalValue::Bool(_) => EvalValue::Null,
        other => other,
    }
}

/// `commands(search)`: the name of each command of a search string, in order (the first
/// word after each `|` outside quotes).
pub fn commands(v: V<'_>) -> V<'static> {
    let Some(s) = v.text() else {
        return EvalValue::Null;
    };
    let mut names = Vec::new();
    let mut piece = String::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut flush = |piece: &mut String| {
        if let Some(word) = piece.split_whitespace().next() {
            names.push(word.to_owned());
        }
        piece.clear();
    };
    for c in s.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == '|' && !quoted {
            flush(&mut piece);
            continue;
        }
        piece.push(c);
    }
    flush(&mut piece);
    EvalValue::from_strings(names)
}

// ---- printf ----------------------------------------------------------------------------

/// One conversion of `printf`: flags, width and precision.
#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    group: bool,
    width: usize,
    precision: Option<usize>,
}

/// Thousands separators in the whole-number part of a formatted number.
fn group_digits(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix(['-', '+', ' ']) {
        Some(r) => (&text[..1], r),
        None => ("", text),
    };
    let int_len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (int, tail) = rest.split_at(int_len);
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(tail);
    out
}

/// `%e` as C writes it: at least two exponent digits.
fn c_exp(x: f64, precision: usize, upper: bool) -> String {
    let s = format!("{x:.precision$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (esign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{e}{esign}{digits:0>2}")
}

/// `%g`: the shorter of `%e` and `%f` at `precision` significant digits, trailing zeros
/// removed unless `alt`.
fn c_general(x: f64, precision: usize, upper: bool, alt: bool) -> String {
    let p = precision.max(1);
    if x == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        };
    }
    let exp = x.abs().log10().floor() as i64;
    // Rounding may carry into the next power of ten: take the exponent from `%e`.
    let e_text = c_exp(x, p - 1, upper);
    let exp = e_text
        .rsplit_once(['e', 'E'])
        .and_then(|(_, e)| e.parse::<i64>().ok())
        .unwrap_or(exp);
    let mut out = if exp < -4 || exp >= p as i64 {
        e_text
    } else {
        format!("{x:.*}", (p as i64 - 1 - exp).max(0) as usize)
    };
    if !alt && out.contains('.') {
        let (body, tail) = match out.find(['e', 'E']) {
            Some(i) => (out[..i].to_owned(), out[i..].to_owned()),
            None => (out.clone(), String::new()),
        };
        let body = body.trim_end_matches('0').trim_end_matches('.');
        out = format!("{body}{tail}");
    }
    out
}

/// Pad to the width: spaces on the left (or right with `-`), or zeros after the sign.
fn pad(body: String, spec: &Spec, numeric: bool) -> String {
    let len = body.chars().count();
    if len >= spec.width {
        return body;
    }
    let fill = spec.width - len;
    if spec.left {
        return body + &" ".repeat(fill);
    }
    if spec.zero && numeric {
        let sign_len = usize::from(body.starts_with(['-', '+', ' ']));
        let prefix_len = if body[sign_len..].starts_with("0x") || body[sign_len..].starts_with("0X")
        {
            sign_len + 2
        } else {
            sign_len
        };
        let (head, tail) = body.split_at(prefix_len);
        return format!("{head}{}{tail}", "0".repeat(fill));
    }
    " ".repeat(fill) + &body
}

fn signed(text: String, negative: bool, spec: &Spec) -> String {
    if negative {
        format!("-{text}")
    } else if spec.plus {
        format!("+{text}")
    } else if spec.space {
        format!(" {text}")
    } else {
        text
    }
}

/// One conversion of a number or text, as C's `printf` does it.
fn convert(conv: char, spec: &Spec, arg: &V<'_>) -> String {
    let number = || arg.to_number().filter(|n| n.is_finite()).unwrap_or(0.0);
    match conv {
        's' => {
            let s = match arg {
                EvalValue::Bool(b) => bool_text(*b).to_owned(),
                other => other.text().map(Cow::into_owned).unwrap_or_default(),
            };
            let s: String = match spec.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            pad(s, spec, false)
        }
        'c' => {
            let s = match arg {
                EvalValue::Num(n) => char::from_u32(*n as u32)
                    .map(String::from)
                    .unwrap_or_default(),
                other => other
                    .text()
                    .and_then(|t| t.chars().next())
                    .map(String::from)
                    .unwrap_or_default(),
            };
            pad(s, spec, false)
        }
        'd' | 'i' | 'u' => {
            let n = number().trunc();
            let mut digits = format!("{:.0}", n.abs());
            if let Some(p) = spec.precision {
                if digits.len() < p {
                    digits = "0".repeat(p - digits.len()) + &digits;
                }
            }
            let mut text = signed(digits, n < 0.0, spec);
            if spec.group {
                text = group_digits(&text);
            }
            pad(text, spec, spec.precision.is_none())
        }
        'x' | 'X' | 'o' => {
            let n = number().trunc();
            let m = n.abs().min(u64::MAX as f64) as u64;
            let digits = match conv {
                'x' => format!("{m:x}"),
                'X' => format!("{m:X}"),
                _ => format!("{m:o}"),
            };
            let prefix = match (spec.alt && m != 0, conv) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, _) => "0",
                _ => "",
            };
            let text = signed(format!("{prefix}{digits}"), n < 0.0, spec);
            pad(text, spec, true)
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let x = number();
            let p = spec.precision.unwrap_or(6);
            let body = match conv {
                'f' | 'F' => format!("{:.p$}", x.abs()),
                'e' | 'E' => c_exp(x.abs(), p, conv == 'E'),
                _ => c_general(x.abs(), p, conv == 'G', spec.alt),
            };
            let body = if spec.alt && !body.contains('.') && matches!(conv, 'f' | 'F') {
                body + "."
            } else {
                body
            };
            let mut text = signed(body, x < 0.0 || (x == 0.0 && x.is_sign_negative()), spec);
            if spec.group {
                text = group_digits(&text);
            }
            pad(text, spec, true)
        }
        _ => String::new(),
    }
}

/// `printf(format, args...)`: text built from `format` as C's `sprintf` does:
/// conversions `%d %i %u %o %x %X %f %F %e %E %g %G %s %c %%`, flags `- + space # 0 '`
/// (the last groups thousands with commas), a width and a `.precision`, either of which
/// may be `*` (taken from the next argument). A missing argument reads as empty or 0;
/// an unknown conversion is copied as written.
pub fn printf<'a>(format: V<'_>, args: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    let Some(fmt) = format.text() else {
        return EvalValue::Null;
    };
    let mut args = args.into_iter();
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        let mut raw = String::from('%');
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                '\'' => spec.group = true,
                _ => break,
            }
            raw.push(f);
            chars.next();
        }
        let mut number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
                          raw: &mut String| {
            if chars.peek() == Some(&'*') {
                chars.next();
                raw.push('*');
                let n = args.next().and_then(|a| a.to_number()).unwrap_or(0.0);
                return Some(n);
            }
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                raw.push(d);
                chars.next();
            }
            digits.parse::<f64>().ok()
        };
        if let Some(w) = number(&mut chars, &mut raw) {
            if w < 0.0 {
                spec.left = true;
            }
            spec.width = (w.abs() as usize).min(1 << 16);
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            raw.push('.');
            let p = number(&mut chars, &mut raw).unwrap_or(0.0);
            spec.precision = (p >= 0.0).then_some((p as usize).min(1 << 10));
        }
        // Length modifiers mean nothing here.
        while let Some(&l) = chars
            .peek()
            .filter(|l| matches!(l, 'l' | 'h' | 'L' | 'q' | 'j' | 'z' | 't'))
        {
            raw.push(l);
            chars.next();
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(conv) if "diuoxXfFeEgGsc".contains(conv) => {
                let arg = args.next().unwrap_or(EvalValue::Null);
                out.push_str(&convert(conv, &spec, &arg));
            }
            Some(other) => {
                out.push_str(&raw);
                out.push(other);
            }
            None => out.push_str(&raw),
        }
    }
    owned(out)
}

// ---- cryptographic hashes --------------------------------------------------------------

fn hex_digest<D: sha2::Digest>(v: V<'_>) -> V<'static> {
    let Some(s) = v.text() else {
        return EvalValue::Null;
    };
    let digest = D::digest(s.as_bytes());
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest.iter() {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    owned(out)
}

/// `md5(s)`: the MD5 hash of the text, in lowercase hexadecimal.
pub fn md5(v: V<'_>) -> V<'static> {
    hex_digest::<md5::Md5>(v)
}

/// `sha1(s)`: the SHA-1 hash of the text, in lowercase hexadecimal.
pub fn sha1(v: V<'_>) -> V<'static> {
    hex_digest::<sha1::Sha1>(v)
}

/// `sha256(s)`: the SHA-256 hash of the text, in lowercase hexadecimal.
pub fn sha256(v: V<'_>) -> V<'static> {
    hex_digest::<sha2::Sha256>(v)
}

/// `sha512(s)`: the SHA-512 hash of the text, in lowercase hexadecimal.
pub fn sha512(v: V<'_>) -> V<'static> {
    hex_digest::<sha2::Sha512>(v)
}

/// `relative_time(t, modifier)`: epoch seconds `t` moved by a relative time modifier
/// such as `-1d@d` ([`crate::time::relative_time`], UTC); null when either does not parse.
pub fn relative_time(t: V<'_>, modifier: V<'_>) -> V<'static> {
    match (t.to_number(), modifier.text()) {
        (Some(t), Some(m)) => crate::time::relative_time(t, &m).map_or(EvalValue::Null, num),
        _ => EvalValue::Null,
    }
}

/// `mvmap(x, expression)`: the values of `expression` computed for each value of the
/// field `x` in turn (inside it, `x` is that one value), every value of every result
/// kept in order; null results are dropped, and null is returned when nothing is left.
pub fn mvmap(v: V<'_>, mut f: impl FnMut(V<'_>) -> V<'static>) -> V<'static> {
    let mut out = Vec::new();
    for s in v.values() {
        let r = f(EvalValue::Str(Cow::Borrowed(&s)));
        match r {
            EvalValue::Multi(list) => out.extend(list.into_owned()),
            EvalValue::Bool(b) => out.push(bool_text(b).to_owned()),
            other => {
                if let Some(t) = text_of(other) {
                    out.push(t.into_owned());
                }
            }
        }
    }
    EvalValue::from_strings(out)
}

// ---- JSON ------------------------------------------------------------------------------

use super::jsondoc::{self, Json, Step};

/// A value as JSON: null, a truth value, a number; text that is a JSON object or array
/// is that document (so `json_object` nests), other text a string; a multivalue an array
/// of strings.
fn to_json(v: &V<'_>) -> Json {
    match v {
        EvalValue::Null => Json::Null,
        EvalValue::Bool(b) => Json::Bool(*b),
        EvalValue::Num(n) => Json::number(*n),
        EvalValue::Str(s) => {
            let t = s.trim_ascii_start();
            if t.starts_with(['{', '[']) {
                if let Some(doc) = Json::parse(s) {
                    return doc;
                }
            }
            Json::Str(s.to_string())
        }
        EvalValue::Multi(list) => Json::Arr(list.iter().map(|s| Json::Str(s.clone())).collect()),
    }
}

/// A JSON value as an eval value: a string as its text, a number as a number, `true` /
/// `false` as text, `null` as null, an object or array as its compact text.
fn from_json(j: &Json) -> V<'static> {
    match j {
        Json::Null => EvalValue::Null,
        Json::Bool(b) => owned(b.to_string()),
        Json::Num(n) => parse_number(n).map_or_else(|| owned(n.clone()), EvalValue::Num),
        Json::Str(s) => owned(s.clone()),
        other => owned(other.to_text()),
    }
}

/// The document an argument holds; `None` when it is null or not valid JSON.
fn doc_of(v: &V<'_>) -> Option<Json> {
    v.text().and_then(|t| Json::parse(&t))
}

/// A truth argument: a boolean, or text `true`/`false` (any case), or a number (0 is
/// false).
fn flag(v: Option<V<'_>>) -> Option<bool> {
    match v {
        None | Some(EvalValue::Null) => Some(false),
        Some(EvalValue::Bool(b)) => Some(b),
        Some(EvalValue::Num(n)) => Some(n != 0.0),
        Some(other) => match other.text()?.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => Some(true),
            "false" | "f" | "0" => Some(false),
            _ => None,
        },
    }
}

/// `json_object(key, value, ...)`: a JSON object of the pairs, in order (a later
/// repeat of a key replaces the earlier value). Values are typed as [`to_json`] says.
/// Null when a key is null or has no value.
pub fn json_object<'a>(members: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    let mut out = Vec::new();
    let mut members = members.into_iter();
    while let Some(k) = members.next() {
        let (Some(key), Some(v)) = (k.text().map(Cow::into_owned), members.next()) else {
            return EvalValue::Null;
        };
        jsondoc::set_member(&mut out, key, to_json(&v));
    }
    owned(Json::Obj(out).to_text())
}

/// `json_array(value, ...)`: a JSON array of the values, typed as [`to_json`] says.
pub fn json_array<'a>(values: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    owned(Json::Arr(values.into_iter().map(|v| to_json(&v)).collect()).to_text())
}

/// `json_valid(json)`: whether the text is one valid JSON value.
pub fn json_valid(v: V<'_>) -> V<'static> {
    EvalValue::Bool(doc_of(&v).is_some())
}

/// The value one path selects: one value as itself, several (through `{}`) as a JSON
/// array; `None` for nothing.
fn extract_one(doc: &Json, steps: &[Step]) -> Option<Json> {
    let mut found = Vec::new();
    jsondoc::select(doc, steps, &mut found);
    let expands = steps.contains(&Step::All);
    match found.as_slice() {
        [] => None,
        [one] if !expands => Some((*one).clone()),
        many => Some(Json::Arr(many.iter().map(|j| (*j).clone()).collect())),
    }
}

fn extract_with<'a>(
    json: V<'_>,
    paths: impl IntoIterator<Item = V<'a>>,
    steps_of: impl Fn(&str) -> Option<Vec<Step>>,
) -> V<'static> {
    let Some(doc) = doc_of(&json) else {
        return EvalValue::Null;
    };
    let mut results = Vec::new();
    for p in paths {
        let Some(steps) = p.text().and_then(|p| steps_of(&p)) else {
            return EvalValue::Null;
        };
        results.push(extract_one(&doc, &steps));
    }
    match results.len() {
        0 => owned(doc.to_text()),
        1 => results
            .pop()
            .flatten()
            .map_or(EvalValue::Null, |j| from_json(&j)),
        _ => owned(
            Json::Arr(
                results
                    .into_iter()
                    .map(|r| r.unwrap_or(Json::Null))
                    .collect(),
            )
            .to_text(),
        ),
    }
}

/// `json_extract(json, path, ...)`: the value at the path (a string as its text, an
/// object or array as JSON text); with several paths a JSON array of their values
/// (`null` for a path that leads nowhere); with none, the whole document. Null for text
/// that is not JSON, a path that leads nowhere or a malformed path.
pub fn json_extract<'a>(json: V<'_>, paths: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    extract_with(json, paths, jsondoc::parse_path)
}

/// `json_extract_exact(json, key, ...)`: as [`json_extract`], each key a member name of
/// the top-level object taken as written (dots and braces included).
pub fn json_extract_exact<'a>(json: V<'_>, keys: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    extract_with(json, keys, |k| Some(vec![Step::Key(k.to_owned())]))
}

/// `json_keys(json)`: the keys of the top-level object, as a JSON array; null for
/// anything else.
pub fn json_keys(json: V<'_>) -> V<'static> {
    match doc_of(&json) {
        Some(Json::Obj(members)) => {
            owned(Json::Arr(members.into_iter().map(|(k, _)| Json::Str(k)).collect()).to_text())
        }
        _ => EvalValue::Null,
    }
}

/// `json_has_key_exact(json, key)`: whether the top-level object has the key.
pub fn json_has_key_exact(json: V<'_>, key: V<'_>) -> V<'static> {
    let (Some(doc), Some(key)) = (doc_of(&json), key.text()) else {
        return EvalValue::Bool(false);
    };
    EvalValue::Bool(doc.member(&key).is_some())
}

/// `json_entries(json)`: the members of the top-level object as an array of
/// `{"key": ..., "value": ...}` objects; null for anything else.
pub fn json_entries(json: V<'_>) -> V<'static> {
    match doc_of(&json) {
        Some(Json::Obj(members)) => owned(
            Json::Arr(
                members
                    .into_iter()
                    .map(|(k, v)| {
                        Json::Obj(vec![("key".into(), Json::Str(k)), ("value".into(), v)])
                    })
                    .collect(),
            )
            .to_text(),
        ),
        _ => EvalValue::Null,
    }
}

/// `json_array_to_mv(json[, keep_quotes])`: the elements of a JSON array as a multivalue
/// (strings without their quotes unless `keep_quotes` is true; other elements as JSON
/// text); null for anything that is not an array, or an empty one.
pub fn json_array_to_mv(json: V<'_>, keep_quotes: Option<V<'_>>) -> V<'static> {
    let Some(keep) = flag(keep_quotes) else {
        return EvalValue::Null;
    };
    let Some(Json::Arr(items)) = doc_of(&json) else {
        return EvalValue::Null;
    };
    let values = items
        .into_iter()
        .map(|j| match j {
            Json::Str(s) if !keep => s,
            other => other.to_text(),
        })
        .collect();
    EvalValue::from_strings(values)
}

/// `mv_to_json_array(values[, infer_types])`: the values as a JSON array of strings; with
/// `infer_types` true, a value that is a JSON number, `true`, `false` or `null` keeps
/// that type.
pub fn mv_to_json_array(v: V<'_>, infer_types: Option<V<'_>>) -> V<'static> {
    let Some(infer) = flag(infer_types) else {
        return EvalValue::Null;
    };
    if v.is_null() {
        return EvalValue::Null;
    }
    let items = v
        .values()
        .map(|s| {
            if infer {
                if let Some(j @ (Json::Num(_) | Json::Bool(_) | Json::Null)) = Json::parse(&s) {
                    return j;
                }
            }
            Json::Str(s.into_owned())
        })
        .collect();
    owned(Json::Arr(items).to_text())
}

/// Change a document at each (path, value) pair; `None` when a path is malformed.
fn edit<'a>(
    json: V<'_>,
    path: V<'a>,
    value: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
    steps_of: impl Fn(&str) -> Option<Vec<Step>>,
    mut apply: impl FnMut(&mut Json, &[Step], V<'a>),
) -> V<'static> {
    let Some(mut doc) = doc_of(&json) else {
        return EvalValue::Null;
    };
    let mut more = more.into_iter();
    let mut pair = Some((path, value));
    while let Some((p, v)) = pair {
        let Some(steps) = p.text().and_then(|p| steps_of(&p)) else {
            return EvalValue::Null;
        };
        apply(&mut doc, &steps, v);
        pair = more
            .next()
            .map(|p| (p, more.next().unwrap_or(EvalValue::Null)));
    }
    owned(doc.to_text())
}

fn set_at(doc: &mut Json, steps: &[Step], v: V<'_>) {
    if let Some(slot) = jsondoc::select_mut(doc, steps, true) {
        *slot = to_json(&v);
    }
}

/// `json_set(json, path, value, ...)`: the document with the value at each path set
/// (replacing what was there; missing object members on the way are created, missing
/// array elements are not). Null for text that is not JSON or a malformed path.
pub fn json_set<'a>(
    json: V<'_>,
    path: V<'a>,
    value: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
) -> V<'static> {
    edit(json, path, value, more, jsondoc::parse_path, set_at)
}

/// `json_set_exact(json, key, value, ...)`: as [`json_set`], each key a member name of
/// the top-level object taken as written.
pub fn json_set_exact<'a>(
    json: V<'_>,
    key: V<'a>,
    value: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
) -> V<'static> {
    edit(
        json,
        key,
        value,
        more,
        |k| Some(vec![Step::Key(k.to_owned())]),
        set_at,
    )
}

/// `json_append(json, path, value, ...)`: the document with each value added at the end
/// of the array at its path (a path that leads to no array changes nothing).
pub fn json_append<'a>(
    json: V<'_>,
    path: V<'a>,
    value: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
) -> V<'static> {
    edit(
        json,
        path,
        value,
        more,
        jsondoc::parse_path,
        |doc, steps, v| {
            if let Some(Json::Arr(items)) = jsondoc::select_mut(doc, steps, false) {
                items.push(to_json(&v));
            }
        },
    )
}

/// `json_extend(json, path, array, ...)`: the document with the elements of each JSON
/// array added at the end of the array at its path (a value that is not an array is
/// added as one element).
pub fn json_extend<'a>(
    json: V<'_>,
    path: V<'a>,
    array: V<'a>,
    more: impl IntoIterator<Item = V<'a>>,
) -> V<'static> {
    edit(
        json,
        path,
        array,
        more,
        jsondoc::parse_path,
        |doc, steps, v| {
            if let Some(Json::Arr(items)) = jsondoc::select_mut(doc, steps, false) {
                match to_json(&v) {
                    Json::Arr(more) => items.extend(more),
                    other => items.push(other),
                }
            }
        },
    )
}

/// `json_delete(json, path, ...)`: the document without the values at the paths.
pub fn json_delete<'a>(json: V<'_>, paths: impl IntoIterator<Item = V<'a>>) -> V<'static> {
    let Some(mut doc) = doc_of(&json) else {
        return EvalValue::Null;
    };
    for p in paths {
        let Some(steps) = p.text().and_then(|p| jsondoc::parse_path(&p)) else {
            return EvalValue::Null;
        };
        jsondoc::delete(&mut doc, &steps);
    }
    owned(doc.to_text())
}

/// The most nodes an XML document read by `spath` may have.
const SPATH_XML_NODES: u32 = 100_000;

/// `spath` over XML: the first step names the root element, each further step child
/// elements (`{N}` picks the Nth of them, counting from 1), a last `{@name}` an attribute;
/// elements give their text.
fn spath_xml(text: &str, path: &str) -> Option<Vec<String>> {
    let options = roxmltree::ParsingOptions {
        nodes_limit: SPATH_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).ok()?;
    let mut nodes: Vec<roxmltree::Node<'_, '_>> = Vec::new();
    let mut attribute = None;
    for (i, part) in path.split('.').enumerate() {
        if attribute.is_some() {
            return None;
        }
        let (name, mut rest) = part.split_at(part.find('{').unwrap_or(part.len()));
        if !name.is_empty() {
            nodes = if i == 0 {
                let root = doc.root_element();
                if root.tag_name().name() == name {
                    vec![root]
                } else {
                    Vec::new()
                }
            } else {
                nodes
                    .iter()
                    .flat_map(|n| n.children())
                    .filter(|c| c.is_element() && c.tag_name().name() == name)
                    .collect()
            };
        }
        while let Some(close) = rest.find('}') {
            let inner = rest.get(1..close)?;
            if let Some(attr) = inner.strip_prefix('@') {
                attribute = Some(attr.to_owned());
            } else {
                let n: usize = inner.trim_ascii().parse().ok()?;
                nodes = n
                    .checked_sub(1)
                    .and_then(|at| nodes.get(at).copied())
                    .into_iter()
                    .collect();
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(match attribute {
        Some(a) => nodes
            .iter()
            .filter_map(|n| n.attribute(a.as_str()).map(str::to_owned))
            .collect(),
        None => nodes
            .iter()
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect::<String>()
            })
            .collect(),
    })
}

/// `spath(x, path)`: the values at a path of the JSON or XML text `x`. JSON: a key
/// applied to an array looks in each element, `{N}` picks an element (from 0), `{}`
/// takes every element; strings come out as their text, other scalars as written,
/// objects and arrays as JSON text. XML: the first step names the root element, `{N}`
/// counts from 1, a last `{@name}` reads an attribute. Several values make a multivalue.
/// Null when `x` is neither or nothing is there.
pub fn spath(v: V<'_>, path: V<'_>) -> V<'static> {
    let (Some(text), Some(path)) = (v.text(), path.text()) else {
        return EvalValue::Null;
    };
    spath_values(&text, &path).map_or(EvalValue::Null, EvalValue::from_strings)
}

/// The values at `path` of the JSON or XML `text`, as [`spath`] finds them (the `spath`
/// command shares them); `None` when the text is neither or the path is malformed.
pub fn spath_values(text: &str, path: &str) -> Option<Vec<String>> {
    if text.trim_ascii_start().starts_with('<') {
        return spath_xml(text, path);
    }
    let (doc, steps) = (Json::parse(text)?, jsondoc::parse_path(path)?);
    let mut found = Vec::new();
    jsondoc::select(&doc, &steps, &mut found);
    Some(
        found
            .into_iter()
            .filter(|j| **j != Json::Null)
            .map(|j| match j {
                Json::Str(s) => s.clone(),
                other => other.to_text(),
            })
            .collect(),
    )
}
