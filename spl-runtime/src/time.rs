//! Calendar arithmetic and the `strftime`/`strptime` of eval, in UTC.
//!
//! Splunk formats and parses times in the searching user's timezone; splc fixes the
//! timezone to UTC so that a rule gives the same answer everywhere (`%Z` prints `UTC`,
//! `%z` prints `+0000`).
//!
//! Directives, for both directions: `%Y` year, `%y` two-digit year (69–99 → 19xx,
//! 00–68 → 20xx), `%m` month, `%d` day, `%e` space-padded day, `%H` hour 00–23, `%k`
//! space-padded hour, `%I` hour 01–12, `%l` space-padded 12-hour, `%p` AM/PM, `%M`
//! minute, `%S` second, `%j` day of the year, `%b`/`%h` and `%B` month name (short/long),
//! `%a` and `%A` weekday name, `%u` weekday 1–7 (Monday 1), `%w` weekday 0–6 (Sunday 0),
//! `%Q`/`%3Q`/`%6Q`/`%9Q` subseconds (default 3 digits), `%N`/`%3N`/`%6N`/`%9N`
//! subseconds (default 9 digits), `%s` epoch seconds, `%z` offset, `%Z` zone name, `%T`
//! = `%H:%M:%S`, `%F` = `%Y-%m-%d`, `%D` = `%m/%d/%y`, `%R` = `%H:%M`, `%n` newline,
//! `%t` tab, `%%` a percent sign. An unknown directive is printed as written; in
//! `strptime` it makes the parse fail.
//!
//! Subseconds are resolved to the microsecond (what an `f64` epoch near today holds).

use std::fmt::Write;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Epoch seconds beyond which formatting gives up (about year 300000, either way).
const LIMIT: f64 = 1e13;

/// Days since 1970-01-01 of a proleptic Gregorian date (`month` 1–12, `day` 1–31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month 1–12, day 1–31)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// True for a leap year.
pub fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// The number of days in a month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tm {
    secs: i64,
    micros: u32,
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Sunday.
    weekday: u32,
    /// 1-based.
    yday: u32,
}

impl Tm {
    fn from_epoch(t: f64) -> Option<Tm> {
        if !t.is_finite() || t.abs() > LIMIT {
            return None;
        }
        let mut secs = t.floor() as i64;
        let mut micros = ((t - t.floor()) * 1e6).round() as u32;
        if micros >= 1_000_000 {
            secs += 1;
            micros -= 1_000_000;
        }
        let days = secs.div_euclid(DAY);
        let sod = secs.rem_euclid(DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Some(Tm {
            secs,
            micros,
            year,
            month,
            day,
            hour: sod / 3600,
            minute: sod / 60 % 60,
            second: sod % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        })
    }
}

/// Format epoch seconds `t` with `fmt` (UTC). `None` when `t` is not a finite time
/// within about ±300,000 years.
///
/// ```
/// use spl_runtime::time::strftime;
/// assert_eq!(strftime(1700000003.742, "%Y-%m-%dT%H:%M:%S.%3Q%z").as_deref(),
///            Some("2023-11-14T22:13:23.742+0000"));
/// ```
pub fn strftime(t: f64, fmt: &str) -> Option<String> {
    let tm = Tm::from_epoch(t)?;
    let mut out = String::with_capacity(fmt.len() + 16);
    format_tm(&tm, fmt, &mut out);
    Some(out)
}

fn format_tm(tm: &Tm, fmt: &str, out: &mut String) {
    let mut chars = fmt.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut width: Option<usize> = None;
        while let Some(&(_, d)) = chars.peek() {
            match d.to_digit(10) {
                Some(v) => {
                    width = Some(
                        width
                            .unwrap_or(0)
                            .saturating_mul(10)
                            .saturating_add(v as usize),
                    );
                    chars.next();
                }
                None => break,
            }
        }
        let Some((j, d)) = chars.next() else {
            out.push_str(&fmt[i..]);
            return;
        };
        // `write!` into a String cannot fail.
        let _ = match d {
            'Y' => write!(out, "{:04}", tm.year),
            'y' => write!(out, "{:02}", tm.year.rem_euclid(100)),
            'C' => write!(out, "{:02}", tm.year.div_euclid(100)),
            'm' => write!(out, "{:02}", tm.month),
            'd' => write!(out, "{:02}", tm.day),
            'e' => write!(out, "{:2}", tm.day),
            'H' => write!(out, "{:02}", tm.hour),
            'k' => write!(out, "{:2}", tm.hour),
            'I' => write!(out, "{:02}", hour12(tm.hour)),
            'l' => write!(out, "{:2}", hour12(tm.hour)),
            'p' => write!(out, "{}", if tm.hour < 12 { "AM" } else { "PM" }),
            'M' => write!(out, "{:02}", tm.minute),
            'S' => write!(out, "{:02}", tm.second),
            'j' => write!(out, "{:03}", tm.yday),
            'b' | 'h' => write!(out, "{}", &MONTHS[month_index(tm.month)][..3]),
            'B' => write!(out, "{}", MONTHS[month_index(tm.month)]),
            'a' => write!(out, "{}", &WEEKDAYS[tm.weekday as usize % 7][..3]),
            'A' => write!(out, "{}", WEEKDAYS[tm.weekday as usize % 7]),
            'u' => write!(out, "{}", if tm.weekday == 0 { 7 } else { tm.weekday }),
            'w' => write!(out, "{}", tm.weekday),
            'Q' => write_subsec(out, tm.micros, width.unwrap_or(3)),
            'N' => write_subsec(out, tm.micros, width.unwrap_or(9)),
            's' => write!(out, "{}", tm.secs),
            'z' => write!(out, "+0000"),
            'Z' => write!(out, "UTC"),
            'T' => write!(out, "{:02}:{:02}:{:02}", tm.hour, tm.minute, tm.second),
            'F' => write!(out, "{:04}-{:02}-{:02}", tm.year, tm.month, tm.day),
            'D' => write!(
                out,
                "{:02}/{:02}/{:02}",
                tm.month,
                tm.day,
                tm.year.rem_euclid(100)
            ),
            'R' => write!(out, "{:02}:{:02}", tm.hour, tm.minute),
            'n' => writeln!(out),
            't' => write!(out, "\t"),
            '%' => write!(out, "%"),
            _ => write!(out, "{}", &fmt[i..j + d.len_utf8()]),
        };
    }
}

fn hour12(hour: u32) -> u32 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

fn month_index(month: u32) -> usize {
    (month.clamp(1, 12) - 1) as usize
}

/// Subseconds with `width` digits (1–9; other widths are taken as 9), truncated.
fn write_subsec(out: &mut String, micros: u32, width: usize) -> std::fmt::Result {
    let width = if (1..=9).contains(&width) { width } else { 9 };
    let nanos = u64::from(micros) * 1000;
    let value = nanos / 10u64.pow(9 - width as u32);
    write!(out, "{value:0width$}")
}

/// Parse `text` with `fmt` into epoch seconds (UTC unless the text has a `%z`/`%Z`
/// offset). `None` when the text does not fit the format or names an impossible date.
/// Text left over after the format is ignored. Fields the format lacks default to
/// 1970-01-01 00:00:00.
///
/// ```
/// use spl_runtime::time::strptime;
/// assert_eq!(strptime("2023-11-14 22:13:23", "%Y-%m-%d %H:%M:%S"), Some(1700000003.0));
/// assert_eq!(strptime("14/Nov/2023", "%Y-%m-%d"), None);
/// ```
pub fn strptime(text: &str, fmt: &str) -> Option<f64> {
    let mut p = Parsed::default();
    parse_into(text, fmt, &mut p)?;
    p.finish()
}

#[derive(Default)]
struct Parsed {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    yday: Option<u32>,
    hour: Option<u32>,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    frac: f64,
    offset: i64,
    epoch: Option<f64>,
}

impl Parsed {
    fn finish(&self) -> Option<f64> {
        if let Some(e) = self.epoch {
            return Some(e + self.frac);
        }
        let year = self.year.unwrap_or(1970);
        if !(-1_000_000..=1_000_000).contains(&year) {
            return None;
        }
        let days = match (self.month, self.day, self.yday) {
            (None, None, Some(yd)) => {
                if yd == 0 || yd > if is_leap(year) { 366 } else { 365 } {
                    return None;
                }
                days_from_civil(year, 1, 1) + i64::from(yd) - 1
            }
            (m, d, _) => {
                let m = m.unwrap_or(1);
                let d = d.unwrap_or(1);
                if !(1..=12).contains(&m) || d == 0 || d > days_in_month(year, m) {
                    return None;
                }
                days_from_civil(year, m, d)
            }
        };
        let hour = match (self.hour12, self.pm) {
            (Some(h), pm) => h % 12 + if pm == Some(true) { 12 } else { 0 },
            (None, Some(true)) => self.hour.unwrap_or(0) % 12 + 12,
            (None, _) => self.hour.unwrap_or(0),
        };
        let secs = days * DAY
            + i64::from(hour) * 3600
            + i64::from(self.minute.unwrap_or(0)) * 60
            + i64::from(self.second.unwrap_or(0))
            - self.offset;
        Some(secs as f64 + self.frac)
    }
}

/// A cursor over the input text.
struct Input<'a> {
    s: &'a str,
}

impl<'a> Input<'a> {
    fn skip_ws(&mut self) {
        self.s = self.s.trim_start();
    }

    /// Up to `max` ASCII digits (at least one).
    fn digits(&mut self, max: usize) -> Option<(u64, usize)> {
        let n = self
            .s
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n == 0 {
            return None;
        }
        let v = self.s[..n].parse().ok()?;
        self.s = &self.s[n..];
        Some((v, n))
    }

    fn number(&mut self, max: usize, lo: u32, hi: u32) -> Option<u32> {
        let (v, _) = self.digits(max)?;
        let v = u32::try_from(v).ok()?;
        (lo..=hi).contains(&v).then_some(v)
    }

    /// A name from `names` (full, or its first three letters), ignoring ASCII case.
    fn name(&mut self, names: &[&str]) -> Option<usize> {
        for (i, full) in names.iter().enumerate() {
            for cand in [*full, &full[..3]] {
                if self.s.len() >= cand.len()
                    && self.s.is_char_boundary(cand.len())
                    && self.s[..cand.len()].eq_ignore_ascii_case(cand)
                {
                    self.s = &self.s[cand.len()..];
                    return Some(i);
                }
            }
        }
        None
    }

    /// `AM` or `PM` (any ASCII case): whether it is PM.
    fn meridiem(&mut self) -> Option<bool> {
        let w = self.s.get(..2)?;
        let pm = if w.eq_ignore_ascii_case("am") {
            false
        } else if w.eq_ignore_ascii_case("pm") {
            true
        } else {
            return None;
        };
        self.s = &self.s[2..];
        Some(pm)
    }

    fn eat(&mut self, c: char) -> bool {
        match self.s.strip_prefix(c) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }
}

fn parse_into<'a>(text: &'a str, fmt: &str, p: &mut Parsed) -> Option<&'a str> {
    let mut inp = Input { s: text };
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            inp.skip_ws();
            continue;
        }
        if c != '%' {
            if !inp.eat(c) {
                return None;
            }
            continue;
        }
        let mut width: Option<usize> = None;
        while let Some(v) = chars.peek().and_then(|d| d.to_digit(10)) {
            width = Some(
                width
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(v as usize),
            );
            chars.next();
        }
        let d = chars.next()?;
        match d {
            'Y' => {
                let neg = inp.eat('-');
                let (v, _) = inp.digits(width.unwrap_or(4))?;
                let v = i64::try_from(v).ok()?;
                p.year = Some(if neg { -v } else { v });
            }
            'y' => {
                let (v, _) = inp.digits(2)?;
                let v = i64::try_from(v).ok()?;
                p.year = Some(if v < 69 { 2000 + v } else { 1900 + v });
            }
            'm' => p.month = Some(inp.number(2, 1, 12)?),
            'd' | 'e' => {
                inp.skip_ws();
                p.day = Some(inp.number(2, 1, 31)?);
            }
            'H' | 'k' => {
                inp.skip_ws();
                p.hour = Some(inp.number(2, 0, 23)?);
            }
            'I' | 'l' => {
                inp.skip_ws();
                p.hour12 = Some(inp.number(2, 1, 12)?);
            }
            'M' => p.minute = Some(inp.number(2, 0, 59)?),
            'S' => p.second = Some(inp.number(2, 0, 60)?),
            'j' => p.yday = Some(inp.number(3, 1, 366)?),
            'b' | 'h' | 'B' => p.month = Some(inp.name(&MONTHS)? as u32 + 1),
            'a' | 'A' => {
                inp.name(&WEEKDAYS)?;
            }
            'u' => {
                inp.number(1, 1, 7)?;
            }
            'w' => {
                inp.number(1, 0, 6)?;
            }
            'p' => p.pm = Some(inp.meridiem()?),
            'Q' | 'N' => {
                let (v, n) = inp.digits(width.unwrap_or(9).clamp(1, 9))?;
                p.frac = v as f64 / 10f64.powi(n as i32);
            }
            's' => {
                let neg = inp.eat('-');
                let (v, _) = inp.digits(20)?;
                let mut e = v as f64;
                if inp.s.starts_with('.') && inp.s[1..].starts_with(|c: char| c.is_ascii_digit()) {
                    inp.eat('.');
                    let (f, n) = inp.digits(9)?;
                    e += f as f64 / 10f64.powi(n as i32);
                }
                p.epoch = Some(if neg { -e } else { e });
            }
            'z' => {
                if inp.eat('Z') || inp.eat('z') {
                    p.offset = 0;
                } else {
                    let sign = if inp.eat('+') {
                        1
                    } else if inp.eat('-') {
                        -1
                    } else {
                        return None;
                    };
                    let h = inp.number(2, 0, 23)?;
                    inp.eat(':');
                    let m = if inp.s.starts_with(|c: char| c.is_ascii_digit()) {
                        inp.number(2, 0, 59)?
                    } else {
                        0
                    };
                    p.offset = sign * (i64::from(h) * 3600 + i64::from(m) * 60);
                }
            }
            'Z' => {
                let n = inp.s.bytes().take_while(u8::is_ascii_alphabetic).count();
                let name = &inp.s[..n];
                if !["UTC", "GMT", "Z", "UT"]
                    .iter()
                    .any(|z| z.eq_ignore_ascii_case(name))
                {
                    return None;
                }
                inp.s = &inp.s[n..];
            }
            'T' => inp.s = parse_into(inp.s, "%H:%M:%S", p)?,
            'F' => inp.s = parse_into(inp.s, "%Y-%m-%d", p)?,
            'D' => inp.s = parse_into(inp.s, "%m/%d/%y", p)?,
            'R' => inp.s = parse_into(inp.s, "%H:%M", p)?,
            'n' | 't' => inp.skip_ws(),
            '%' if !inp.eat('%') => return None,
            '%' => {}
            _ => return None,
        }
    }
    Some(inp.s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -1, 0, 1, 59, 365, 10_957, 19_675, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}

/// A unit of a relative time modifier.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RelUnit {
    Second,
    Minute,
    Hour,
    Day,
    /// A week; for snapping, the weekday it starts on (0 = Sunday).
    Week(u32),
    Month,
    Quarter,
    Year,
}

fn rel_unit(word: &str) -> Option<RelUnit> {
    Some(match word {
        "s" | "sec" | "secs" | "second" | "seconds" => RelUnit::Second,
        "m" | "min" | "mins" | "minute" | "minutes" => RelUnit::Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" => RelUnit::Hour,
        "d" | "day" | "days" => RelUnit::Day,
        "w" | "week" | "weeks" | "w0" | "w7" => RelUnit::Week(0),
        "w1" => RelUnit::Week(1),
        "w2" => RelUnit::Week(2),
        "w3" => RelUnit::Week(3),
        "w4" => RelUnit::Week(4),
        "w5" => RelUnit::Week(5),
        "w6" => RelUnit::Week(6),
        "mon" | "month" | "months" => RelUnit::Month,
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => RelUnit::Quarter,
        "y" | "yr" | "yrs" | "year" | "years" => RelUnit::Year,
        _ => return None,
    })
}

/// Whole seconds `secs` moved by `n` calendar months, the day kept within the month.
fn add_months(secs: i64, n: i64) -> i64 {
    let days = secs.div_euclid(DAY);
    let sod = secs.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m) - 1 + n;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let day = d.min(days_in_month(year, month));
    days_from_civil(year, month, day) * DAY + sod
}

/// `secs` snapped down to the start of its unit.
fn snap(secs: i64, unit: RelUnit) -> i64 {
    let days = secs.div_euclid(DAY);
    match unit {
        RelUnit::Second => secs,
        RelUnit::Minute => secs.div_euclid(60) * 60,
        RelUnit::Hour => secs.div_euclid(3600) * 3600,
        RelUnit::Day => days * DAY,
        RelUnit::Week(start) => {
            let weekday = (days + 4).rem_euclid(7);
            let back = (weekday - i64::from(start)).rem_euclid(7);
            (days - back) * DAY
        }
        RelUnit::Month | RelUnit::Quarter | RelUnit::Year => {
            let (y, m, _) = civil_from_days(days);
            let month = match unit {
                RelUnit::Month => m,
                RelUnit::Quarter => (m - 1) / 3 * 3 + 1,
                _ => 1,
            };
            days_from_civil(y, month, 1) * DAY
        }
    }
}

/// Apply a relative time modifier (`-1d@d`, `+3h`, `@w1`, `-2mon@mon+7d`, `now`) to epoch
/// seconds `t`, in UTC: offsets (`[+|-]<n><unit>`, `n` 1 when left out) and snaps
/// (`@<unit>`, to the start of the unit; `@w0`..`@w6` to the last given weekday, Sunday
/// first) in the order written. `None` when the modifier does not parse or the time is
/// out of range.
///
/// ```
/// use spl_runtime::time::relative_time;
/// // 2023-11-14T22:13:20Z, one day back and snapped to midnight.
/// assert_eq!(relative_time(1_700_000_000.0, "-1d@d"), Some(1_699_833_600.0));
/// ```
pub fn relative_time(t: f64, modifier: &str) -> Option<f64> {
    if !t.is_finite() || t.abs() > LIMIT {
        return None;
    }
    let spec = modifier.trim_ascii().to_ascii_lowercase();
    if spec == "now" || spec.is_empty() {
        return Some(t);
    }
    let mut secs = t.floor() as i64;
    let mut frac = t - t.floor();
    let b = spec.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let snapping = b[i] == b'@';
        let sign = match b[i] {
            b'@' | b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        i += 1;
        let digits_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n: i64 = if i == digits_start {
            1
        } else {
            spec[digits_start..i].parse().ok()?
        };
        let unit_start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let unit = rel_unit(&spec[unit_start..i])?;
        if snapping {
            if i > digits_start && unit_start != digits_start {
                return None;
            }
            secs = snap(secs, unit);
            frac = 0.0;
            continue;
        }
        let n = n.checked_mul(sign)?;
        secs = match unit {
            RelUnit::Second => secs.checked_add(n)?,
            RelUnit::Minute => secs.checked_add(n.checked_mul(60)?)?,
            RelUnit::Hour => secs.checked_add(n.checked_mul(3600)?)?,
            RelUnit::Day => secs.checked_add(n.checked_mul(DAY)?)?,
            RelUnit::Week(_) => secs.checked_add(n.checked_mul(7 * DAY)?)?,
            RelUnit::Month | RelUnit::Quarter | RelUnit::Year => {
                let months = match unit {
                    RelUnit::Month => n,
                    RelUnit::Quarter => n.checked_mul(3)?,
                    _ => n.checked_mul(12)?,
                };
                if months.abs() > 12 * 300_000 {
                    return None;
                }
                add_months(secs, months)
            }
        };
        if (secs as f64).abs() > LIMIT {
            return None;
        }
    }
    Some(secs as f64 + frac)
}
