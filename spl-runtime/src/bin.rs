//! `bin`/`bucket` spans: parsing `span=...` and flooring times to bins.
//!
//! Spans below a day align to epoch 0 (UTC), Decision 6. Spans of days align to midnight,
//! and month spans to the first of a month, **in UTC**: Splunk uses the user's timezone
//! there, splc fixes the timezone to UTC. Month bins count from January 1970.

use std::fmt;
use std::str::FromStr;

use crate::time::{civil_from_days, days_from_civil, DAY};

/// A span that is not `<positive number>[unit]` with a known unit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid span {text:?}: {reason}")]
pub struct SpanError {
    text: String,
    reason: &'static str,
}

/// A bin width: a number of seconds, or of calendar months.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Span {
    /// A fixed width in seconds (sub-second spans are fractions).
    Seconds(f64),
    /// Calendar months.
    Months(u32),
}

impl Span {
    /// Parse a span: a positive number and an optional unit (seconds when none).
    /// Units, any ASCII case: `s sec secs second seconds`, `m min mins minute minutes`,
    /// `h hr hrs hour hours`, `d day days`, `w week weeks`, `mon month months`,
    /// `us ms cs ds` (micro-, milli-, centi-, deciseconds).
    ///
    /// ```
    /// use spl_runtime::bin::Span;
    /// assert_eq!(Span::parse("5m"), Ok(Span::Seconds(300.0)));
    /// assert_eq!(Span::parse("2mon"), Ok(Span::Months(2)));
    /// assert!(Span::parse("0s").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Span, SpanError> {
        let err = |reason| SpanError {
            text: text.to_owned(),
            reason,
        };
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        if num.is_empty() {
            return Err(err("expected a number"));
        }
        let n: f64 = num.parse().map_err(|_| err("expected a number"))?;
        if !n.is_finite() || n <= 0.0 {
            return Err(err("the span must be positive"));
        }
        let unit = unit.to_ascii_lowercase();
        let seconds = match unit.as_str() {
            "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => DAY as f64,
            "w" | "week" | "weeks" => 7.0 * DAY as f64,
            "us" => 1e-6,
            "ms" => 1e-3,
            "cs" => 1e-2,
            "ds" => 1e-1,
            "mon" | "month" | "months" => {
                if n.fract() != 0.0 || n > f64::from(u32::MAX) {
                    return Err(err("a month span must be a whole number"));
                }
                return Ok(Span::Months(n as u32));
            }
            _ => return Err(err("unknown unit")),
        };
        Ok(Span::Seconds(n * seconds))
    }

    /// The width in seconds, for fixed spans.
    pub fn as_seconds(&self) -> Option<f64> {
        match self {
            Span::Seconds(s) => Some(*s),
            Span::Months(_) => None,
        }
    }

    /// The start of the bin holding `t` (epoch seconds). A time that is not finite comes
    /// back unchanged.
    ///
    /// ```
    /// use spl_runtime::bin::Span;
    /// assert_eq!(Span::Seconds(1.0).floor(1700000003.742), 1700000003.0);
    /// assert_eq!(Span::Seconds(3600.0).floor(1700000123.0), 1699999200.0);
    /// ```
    pub fn floor(&self, t: f64) -> f64 {
        if !t.is_finite() {
            return t;
        }
        match *self {
            Span::Seconds(s) => {
                if s >= 1.0 && s.fract() == 0.0 {
                    (t / s).floor() * s
                } else {
                    // Sub-second spans: divide by the reciprocal, which is exact for the
                    // usual powers of ten, and round away float noise at the bin edge.
                    let k = t / s;
                    let r = k.round();
                    let k = if (k - r).abs() < 1e-6 { r } else { k.floor() };
                    k * s
                }
            }
            Span::Months(n) => {
                if t.abs() > 1e13 {
                    return t;
                }
                let days = (t / DAY as f64).floor() as i64;
                let (year, month, _) = civil_from_days(days);
                let index = (year - 1970) * 12 + i64::from(month) - 1;
                let start = index.div_euclid(i64::from(n.max(1))) * i64::from(n.max(1));
                let y = 1970 + start.div_euclid(12);
                let m = start.rem_euclid(12) as u32 + 1;
                (days_from_civil(y, m, 1) * DAY) as f64
            }
        }
    }
}

impl FromStr for Span {
    type Err = SpanError;

    fn from_str(s: &str) -> Result<Span, SpanError> {
        Span::parse(s)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Span::Seconds(s) => write!(f, "{}s", crate::value::format_number(*s)),
            Span::Months(n) => write!(f, "{n}mon"),
        }
    }
}
