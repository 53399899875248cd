//! Field values: a string, a number, or several strings.

use std::fmt;

/// The value of a present field. An absent field (Splunk's null) is `None` wherever an
/// `Option<Value>` appears; an empty string is a present value.
///
/// Values read from events are strings; `eval` can make numbers; `stats values(...)`,
/// `mvappend` and multi-valued source fields make [`Value::Multi`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// One string.
    Str(String),
    /// A number (IEEE double, as in Splunk's eval).
    Num(f64),
    /// Several values, in order. Never empty (an empty multivalue is a null field).
    Multi(Vec<String>),
}

impl Value {
    /// Iterate over the values as text (one item unless multivalued).
    pub fn iter_str(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        let (one, many): (Option<std::borrow::Cow<'_, str>>, &[String]) = match self {
            Value::Str(s) => (Some(std::borrow::Cow::Borrowed(s.as_str())), &[]),
            Value::Num(n) => (Some(std::borrow::Cow::Owned(format_number(*n))), &[]),
            Value::Multi(v) => (None, v.as_slice()),
        };
        one.into_iter()
            .chain(many.iter().map(|s| std::borrow::Cow::Borrowed(s.as_str())))
    }

    /// The first value as text.
    pub fn first_str(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Str(s) => std::borrow::Cow::Borrowed(s.as_str()),
            Value::Num(n) => std::borrow::Cow::Owned(format_number(*n)),
            Value::Multi(v) => std::borrow::Cow::Borrowed(v.first().map_or("", String::as_str)),
        }
    }

    /// The number of values (1 unless multivalued).
    pub fn count(&self) -> usize {
        match self {
            Value::Multi(v) => v.len(),
            _ => 1,
        }
    }

    /// A value from a list of strings: `None` when empty, `Str` for one, `Multi` otherwise.
    pub fn from_strings(mut values: Vec<String>) -> Option<Value> {
        match values.len() {
            0 => None,
            1 => values.pop().map(Value::Str),
            _ => Some(Value::Multi(values)),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Num(n)
    }
}

impl fmt::Display for Value {
    /// Single values print as themselves; multivalues joined with a newline, as Splunk
    /// shows them in a table cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Num(n) => write_number(*n, f),
            Value::Multi(v) => f.write_str(&v.join("\n")),
        }
    }
}

/// Format a number the way eval prints it: integers without a decimal point, others with
/// the shortest representation that reads back the same; `nan`, `inf`, `-inf`.
pub fn format_number(n: f64) -> String {
    let mut text = String::new();
    // Writing to a `String` does not fail.
    let _ = write_number(n, &mut text);
    text
}

/// Write a number as [`format_number`] spells it (into a buffer kept between calls, say).
pub fn write_number(n: f64, out: &mut impl fmt::Write) -> fmt::Result {
    if n.is_nan() {
        out.write_str("nan")
    } else if n.is_infinite() {
        out.write_str(if n > 0.0 { "inf" } else { "-inf" })
    } else if n == n.trunc() && n.abs() < 1e17 {
        write!(out, "{}", n as i64)
    } else {
        write!(out, "{n}")
    }
}

/// Parse text as a decimal number the way comparisons and eval read field values:
/// optional ASCII whitespace around, an optional sign, digits with an optional fraction
/// (or a fraction alone), an optional exponent. `inf`, `nan`, hex and empty text are not
/// numbers, and neither is a value too large to be finite.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim_ascii();
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_eval() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(f64::NAN), "nan");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn number_parsing() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number(" -1.5e3 "), Some(-1500.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("5."), Some(5.0));
        assert_eq!(parse_number("+7"), Some(7.0));
        for bad in [
            "", " ", "abc", "1e", "0x1a", "inf", "NaN", "1.2.3", "1e999", "-", ".",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn from_strings_shapes() {
        assert_eq!(Value::from_strings(vec![]), None);
        assert_eq!(
            Value::from_strings(vec!["a".into()]),
            Some(Value::Str("a".into()))
        );
        let m = Value::from_strings(vec!["a".into(), "b".into()]).expect("two values");
        assert_eq!(m.count(), 2);
        assert_eq!(m.iter_str().collect::<Vec<_>>(), ["a", "b"]);
    }
}
