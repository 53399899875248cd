//! Timestamps as event sources write them, turned into `_time` (epoch seconds, UTC).
//!
//! Three forms are read:
//!
//! - epoch seconds: `1700000000`, `1700000000.25`, `-5` (a plain decimal number; no
//!   exponent, no `inf`/`nan`). Milliseconds are not guessed: `1700000000000` is read as
//!   seconds, as Splunk does without a `TIME_FORMAT`.
//! - ISO 8601 / RFC 3339: `2026-11-28`, `2026-11-28T04:04:08Z`,
//!   `2026-11-28 04:04:08.548776000+01:00`, `2026-11-28T04:04:08-0500`; the date and time
//!   may be separated by `T`, `t` or one space, seconds and fraction are optional, the
//!   fraction may use `.` or `,`, the zone is `Z`, `±HH:MM`, `±HHMM` or `±HH`. Without a
//!   zone the time is taken as UTC.
//! - the header line of a classic `WinEventLog` record: `11/28/2026 04:04:08 AM`
//!   (month/day/year, 12-hour clock with `AM`/`PM`, or 24-hour without), taken as UTC:
//!   the record does not say which zone its clock was in.

/// Parse a whole string as a timestamp in any of the forms above.
pub fn parse_time(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    parse_epoch(text)
        .or_else(|| parse_iso8601(text))
        .or_else(|| parse_us_datetime(text))
}

/// Parse epoch seconds written as a plain decimal number.
pub fn parse_epoch(text: &str) -> Option<f64> {
    let text = text.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut seen_digit = false;
    let mut seen_dot = false;
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit {
        return None;
    }
    text.parse::<f64>().ok().filter(|t| t.is_finite())
}

/// Parse a whole string as an ISO 8601 / RFC 3339 date or date-time.
pub fn parse_iso8601(text: &str) -> Option<f64> {
    match parse_iso8601_prefix(text.trim()) {
        Some((t, used)) if used == text.trim().len() => Some(t),
        _ => None,
    }
}

/// Parse a whole string as a `WinEventLog` header time: `11/28/2026 04:04:08 AM`.
pub fn parse_us_datetime(text: &str) -> Option<f64> {
    match parse_us_datetime_prefix(text.trim()) {
        Some((t, used)) if used == text.trim().len() => Some(t),
        _ => None,
    }
}

/// Parse a timestamp at the start of `text` (ISO 8601 or the `WinEventLog` header form)
/// that ends at the end of the text or before whitespace. Used for the leading timestamp
/// of a plain text log line.
pub fn parse_leading_time(text: &str) -> Option<f64> {
    let ends_cleanly = |used: usize| {
        text.as_bytes()
            .get(used)
            .is_none_or(|b| b.is_ascii_whitespace() || *b == b',')
    };
    if let Some((t, used)) = parse_iso8601_prefix(text) {
        if ends_cleanly(used) {
            return Some(t);
        }
    }
    match parse_us_datetime_prefix(text) {
        Some((t, used)) if ends_cleanly(used) => Some(t),
        _ => None,
    }
}

/// A cursor over ASCII bytes with the small steps both parsers need.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Exactly `n` digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..n {
            let d = self.peek().filter(u8::is_ascii_digit)?;
            value = value * 10 + u32::from(d - b'0');
            self.pos += 1;
        }
        Some(value)
    }

    /// Between `min` and `max` digits.
    fn digits_between(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.pos;
        let mut value = 0u32;
        while self.pos - start < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(d - b'0');
                    self.pos += 1;
                }
                _ => break,
            }
        }
        (self.pos - start >= min).then_some(value)
    }

    /// A fraction's digits after the separator, as a value in [0, 1).
    fn fraction(&mut self) -> Option<f64> {
        let start = self.pos;
        let mut value = 0.0;
        let mut scale = 1.0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            scale /= 10.0;
            value += f64::from(d - b'0') * scale;
            self.pos += 1;
        }
        (self.pos > start).then_some(value)
    }
}

fn parse_iso8601_prefix(text: &str) -> Option<(f64, usize)> {
    let mut c = Cursor::new(text);
    let year = c.digits(4)?;
    if !c.eat(b'-') {
        return None;
    }
    let month = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let day = c.digits(2)?;
    let days = days_from_civil(i64::from(year), month, day)?;
    let date_end = c.pos;
    let mut seconds = 0.0;
    let has_time = match (c.peek(), c.bytes.get(c.pos + 1)) {
        (Some(b'T' | b't'), _) => true,
        (Some(b' '), Some(d)) if d.is_ascii_digit() => true,
        _ => false,
    };
    if has_time {
        c.pos += 1;
        let hour = c.digits(2)?;
        if !c.eat(b':') {
            return None;
        }
        let minute = c.digits(2)?;
        let mut second = 0;
        let mut fraction = 0.0;
        if c.eat(b':') {
            second = c.digits(2)?;
            if c.eat(b'.') || c.eat(b',') {
                fraction = c.fraction()?;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        seconds = f64::from(hour * 3600 + minute * 60 + second) + fraction;
        // The zone, if any.
        match c.peek() {
            Some(b'Z' | b'z') => c.pos += 1,
            Some(sign @ (b'+' | b'-')) => {
                c.pos += 1;
                let zh = c.digits(2)?;
                let zm = if c.eat(b':') {
                    c.digits(2)?
                } else {
                    let start = c.pos;
                    let m = c.digits_between(0, 2)?;
                    match c.pos - start {
                        0 => 0,
                        2 => m,
                        _ => return None,
                    }
                };
                if zh > 23 || zm > 59 {
                    return None;
                }
                let offset = f64::from(zh * 3600 + zm * 60);
                seconds += if sign == b'+' { -offset } else { offset };
            }
            _ => {}
        }
    } else {
        c.pos = date_end;
    }
    Some((days as f64 * 86_400.0 + seconds, c.pos))
}

fn parse_us_datetime_prefix(text: &str) -> Option<(f64, usize)> {
    let mut c = Cursor::new(text);
    let month = c.digits_between(1, 2)?;
    if !c.eat(b'/') {
        return None;
    }
    let day = c.digits_between(1, 2)?;
    if !c.eat(b'/') {
        return None;
    }
    let year = c.digits(4)?;
    let days = days_from_civil(i64::from(year), month, day)?;
    if !c.eat(b' ') {
        return None;
    }
    let mut hour = c.digits_between(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let minute = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let second = c.digits(2)?;
    let after_seconds = c.pos;
    let meridiem = if c.eat(b' ') {
        match (
            c.peek().map(|b| b.to_ascii_uppercase()),
            c.bytes.get(c.pos + 1),
        ) {
            (Some(m @ (b'A' | b'P')), Some(b'M' | b'm')) => {
                c.pos += 2;
                Some(m)
            }
            _ => {
                c.pos = after_seconds;
                None
            }
        }
    } else {
        None
    };
    match meridiem {
        Some(m) => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour %= 12;
            if m == b'P' {
                hour += 12;
            }
        }
        None if hour > 23 => return None,
        None => {}
    }
    if minute > 59 || second > 60 {
        return None;
    }
    let seconds = f64::from(hour * 3600 + minute * 60 + second);
    Some((days as f64 * 86_400.0 + seconds, c.pos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` for an invalid date.
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Shift the year to start in March so the leap day is last.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_forms() {
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000.0));
        assert_eq!(parse_time(" 1700000000.25 "), Some(1_700_000_000.25));
        assert_eq!(parse_time("-5"), Some(-5.0));
        assert_eq!(parse_epoch("1e9"), None);
        assert_eq!(parse_epoch("inf"), None);
        assert_eq!(parse_epoch("."), None);
    }

    #[test]
    fn iso_forms() {
        // 2026-11-28 is 20785 days after 1970-01-01.
        let day = 20_785.0 * 86_400.0;
        assert_eq!(parse_time("2026-11-28"), Some(day));
        assert_eq!(parse_time("2026-11-28T04:04:08Z"), Some(day + 14_648.0));
        assert_eq!(parse_time("2026-11-28 04:04:08"), Some(day + 14_648.0));
        assert_eq!(parse_time("2026-11-28T04:04"), Some(day + 14_640.0));
        assert_eq!(
            parse_time("2026-11-28T05:04:08+01:00"),
            Some(day + 14_648.0)
        );
        assert_eq!(parse_time("2026-11-27T23:04:08-0500"), Some(day + 14_648.0));
        assert_eq!(parse_time("2026-11-28T06:04:08+02"), Some(day + 14_648.0));
        let t = parse_time("2021-10-22T06:38:15.548776000Z").expect("parses");
        assert!((t - 1_634_884_695.548_776).abs() < 1e-5, "{t}");
        assert_eq!(parse_time("1970-01-01T00:00:00,5Z"), Some(0.5));
        assert_eq!(parse_time("2024-02-29"), Some(19_782.0 * 86_400.0));
    }

    #[test]
    fn iso_rejects() {
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-11-28T24:00:00",
            "2026-11-28T04:04:08Q",
            "2026-11-28T",
            "26-11-28",
            "2026-11-28T04:04:08+",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn before_1970() {
        assert_eq!(parse_time("1969-12-31T23:59:59Z"), Some(-1.0));
        assert_eq!(parse_time("1900-03-01"), Some(-25_508.0 * 86_400.0));
    }

    #[test]
    fn us_header_forms() {
        let day = 20_785.0 * 86_400.0;
        assert_eq!(parse_time("11/28/2026 04:04:08 AM"), Some(day + 14_648.0));
        assert_eq!(parse_time("11/28/2026 4:04:08 PM"), Some(day + 57_848.0));
        assert_eq!(parse_time("11/28/2026 12:00:00 AM"), Some(day));
        assert_eq!(parse_time("11/28/2026 12:00:00 PM"), Some(day + 43_200.0));
        assert_eq!(parse_time("11/28/2026 16:04:08"), Some(day + 57_848.0));
        assert_eq!(parse_time("11/28/2026 13:04:08 PM"), None);
        assert_eq!(parse_time("02/30/2026 01:00:00 AM"), None);
    }

    #[test]
    fn leading_times() {
        let day = 20_785.0 * 86_400.0;
        assert_eq!(
            parse_leading_time("2026-11-28T04:04:08Z sshd[1]: ok"),
            Some(day + 14_648.0)
        );
        assert_eq!(
            parse_leading_time("2026-11-28 04:04:08 host x=1"),
            Some(day + 14_648.0)
        );
        assert_eq!(
            parse_leading_time("11/28/2026 04:04:08 AM x"),
            Some(day + 14_648.0)
        );
        assert_eq!(parse_leading_time("2026-11-28Tx"), None);
        assert_eq!(parse_leading_time("hello 2026-11-28"), None);
    }
}
