//! strftime/strptime (UTC) and time bins (`docs/semantics.md`, "Transforming commands").

use spl_runtime::ir::BinSpan;
use spl_runtime::pipeline::Bin;
use spl_runtime::time::{civil_from_days, days_from_civil, days_in_month, strftime, strptime};

/// The bin of `t` for `span`, as the `bin` step computes it.
fn floor(span: BinSpan, t: f64) -> f64 {
    Bin::new("_time", "_time", span).floor(t)
}

const fn secs(s: f64) -> BinSpan {
    BinSpan::Seconds(s)
}

#[test]
fn bins_of_seconds_minutes_hours() {
    assert_eq!(floor(secs(1.0), 1700000003.742), 1700000003.0);
    assert_eq!(floor(secs(300.0), 1700000123.0), 1700000100.0);
    assert_eq!(floor(secs(3600.0), 1700000123.0), 1699999200.0);
}

#[test]
fn bin_alignment() {
    assert_eq!(
        floor(secs(86_400.0), 1700000123.0),
        1699920000.0,
        "midnight UTC"
    );
    assert_eq!(floor(secs(0.5), 10.7), 10.5);
    assert_eq!(floor(secs(0.5), 10.5), 10.5);
    assert!((floor(secs(1e-3), 1700000003.7426) - 1700000003.742).abs() < 1e-6);
    assert_eq!(floor(secs(60.0), -1.0), -60.0, "before the epoch");
    assert!(floor(secs(60.0), f64::NAN).is_nan());
    // 2023-11-14 → month bins.
    assert_eq!(
        floor(BinSpan::Months(1), 1700000123.0),
        1698796800.0,
        "2023-11-01"
    );
    assert_eq!(
        floor(BinSpan::Months(2), 1700000123.0),
        1698796800.0,
        "index 646 is even"
    );
    assert_eq!(
        floor(BinSpan::Months(12), 1700000123.0),
        1672531200.0,
        "2023-01-01"
    );
    assert_eq!(floor(BinSpan::Months(1), -1.0), -2678400.0, "1969-12-01");
}

#[test]
fn calendar() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(civil_from_days(19675), (2023, 11, 14));
    assert_eq!(days_in_month(2024, 2), 29);
    assert_eq!(days_in_month(1900, 2), 28);
    assert_eq!(days_in_month(2000, 2), 29);
}

#[test]
fn strftime_directives() {
    let t = 1700000003.742; // Tue 2023-11-14 22:13:23.742 UTC
    let f = |fmt: &str| strftime(t, fmt).unwrap_or_default();
    assert_eq!(f("%Y-%m-%d %H:%M:%S"), "2023-11-14 22:13:23");
    assert_eq!(f("%Q|%3Q|%6Q|%N|%3N"), "742|742|742000|742000000|742");
    assert_eq!(f("%z %Z %s"), "+0000 UTC 1700000003");
    assert_eq!(f("%b %B %a %A"), "Nov November Tue Tuesday");
    assert_eq!(f("%j %p %I %y %e"), "318 PM 10 23 14");
    assert_eq!(f("%T %F %%"), "22:13:23 2023-11-14 %");
    assert_eq!(f("%D %R %u %w"), "11/14/23 22:13 2 2");
    assert_eq!(f("%q x %"), "%q x %");
    assert_eq!(strftime(0.0, "%e|%k|%l %p").as_deref(), Some(" 1| 0|12 AM"));
    assert_eq!(
        strftime(-1.0, "%F %T").as_deref(),
        Some("1969-12-31 23:59:59")
    );
    assert_eq!(
        strftime(0.9999999, "%S.%6Q").as_deref(),
        Some("01.000000"),
        "rounds to the microsecond"
    );
    assert_eq!(strftime(f64::NAN, "%F"), None);
    assert_eq!(strftime(1e300, "%F"), None);
    assert_eq!(
        strftime(951782400.0, "%F %j").as_deref(),
        Some("2000-02-29 060")
    );
}

#[test]
fn strptime_directives() {
    assert_eq!(
        strptime("2023-11-14 22:13:23", "%Y-%m-%d %H:%M:%S"),
        Some(1700000003.0)
    );
    assert_eq!(
        strptime("2023-11-14T22:13:23.742Z", "%Y-%m-%dT%H:%M:%S.%3Q%z"),
        Some(1700000003.742)
    );
    assert_eq!(
        strptime("2023-11-14T23:13:23+01:00", "%Y-%m-%dT%H:%M:%S%z"),
        Some(1700000003.0)
    );
    assert_eq!(
        strptime("2023-11-14T17:13:23-0500", "%FT%T%z"),
        Some(1700000003.0)
    );
    assert_eq!(
        strptime("14/Nov/2023:22:13:23 UTC", "%d/%b/%Y:%H:%M:%S %Z"),
        Some(1700000003.0)
    );
    assert_eq!(
        strptime(
            "Tuesday, November 14, 2023 10:13:23 PM",
            "%A, %B %d, %Y %I:%M:%S %p"
        ),
        Some(1700000003.0)
    );
    assert_eq!(strptime("12:00:00 AM", "%I:%M:%S %p"), Some(0.0));
    assert_eq!(strptime("1700000003", "%s"), Some(1700000003.0));
    assert_eq!(strptime("23 318", "%y %j"), Some(1699920000.0));
    assert_eq!(strptime("11/14/23", "%D"), Some(1699920000.0));
    assert_eq!(
        strptime("2023-11-14 extra", "%Y-%m-%d"),
        Some(1699920000.0),
        "trailing text ignored"
    );
    assert_eq!(
        strptime("2023-11-14    22:13", "%Y-%m-%d %H:%M"),
        Some(1699999980.0)
    );
    assert_eq!(strptime("100%", "100%%"), Some(0.0));
    // Failures.
    for (text, fmt) in [
        ("2023-02-30", "%Y-%m-%d"),
        ("2023-13-01", "%Y-%m-%d"),
        ("2023-11-14 24:00", "%Y-%m-%d %H:%M"),
        ("x2023", "%Y"),
        ("", "%Y"),
        ("2023-11-14 EST", "%Y-%m-%d %Z"),
        ("2023", "%q"),
        ("Nox", "%b"),
    ] {
        assert_eq!(strptime(text, fmt), None, "{text:?} {fmt:?}");
    }
}
