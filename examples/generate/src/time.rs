//! A clock for generated events, and the two ways Windows logs write time.

/// Seconds from 1970-01-01 to 2026-03-02T08:00:00Z, when every generated stream starts.
pub const START: u64 = 1_772_438_400;

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A point in time, to the millisecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Milliseconds since the epoch.
    pub millis: u64,
}

struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    milli: u64,
}

impl Instant {
    fn parts(self) -> Parts {
        let secs = self.millis / 1000;
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        let rem = secs % 86_400;
        Parts {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem % 3600 / 60,
            second: rem % 60,
            milli: self.millis % 1000,
        }
    }

    /// `2026-03-02T08:00:03.456Z`.
    pub fn iso(self) -> String {
        let p = self.parts();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
        )
    }

    /// Event XML's `SystemTime`, with its seven fractional digits:
    /// `2026-03-02T08:00:03.4560000Z`.
    pub fn system_time(self) -> String {
        let p = self.parts();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}0000Z",
            p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
        )
    }

    /// Sysmon's `UtcTime`: `2026-03-02 08:00:03.456`.
    pub fn utc_time(self) -> String {
        let p = self.parts();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
            p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
        )
    }

    /// The header line of a classic `WinEventLog` record: `03/02/2026 08:00:03 AM`.
    pub fn us_header(self) -> String {
        let p = self.parts();
        let (hour, half) = match p.hour {
            0 => (12, "AM"),
            1..=11 => (p.hour, "AM"),
            12 => (12, "PM"),
            _ => (p.hour - 12, "PM"),
        };
        format!(
            "{:02}/{:02}/{:04} {:02}:{:02}:{:02} {half}",
            p.month, p.day, p.year, hour, p.minute, p.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = Instant {
            millis: START * 1000 + 3456,
        };
        assert_eq!(t.iso(), "2026-03-02T08:00:03.456Z");
        assert_eq!(t.system_time(), "2026-03-02T08:00:03.4560000Z");
        assert_eq!(t.utc_time(), "2026-03-02 08:00:03.456");
        assert_eq!(t.us_header(), "03/02/2026 08:00:03 AM");
        let afternoon = Instant {
            millis: (START + 5 * 3600) * 1000,
        };
        assert_eq!(afternoon.us_header(), "03/02/2026 01:00:00 PM");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
