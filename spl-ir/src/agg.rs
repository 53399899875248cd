//! The aggregation functions of `stats`, `eventstats` and `streamstats`: one table of
//! names; their meaning is `spl_runtime::aggregate::Accumulator`.

macro_rules! aggregations {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal $(| $alias:literal)*; )*) => {
        /// An aggregation function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AggFunc {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl AggFunc {
            /// Every aggregation, in the table's order.
            pub const ALL: &'static [AggFunc] = &[$(AggFunc::$variant),*];

            /// The canonical SPL name.
            pub fn name(self) -> &'static str {
                match self { $(AggFunc::$variant => $name,)* }
            }

            /// Other names (`c` for `count`, `mean` for `avg`, ...).
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(AggFunc::$variant => &[$($alias),*],)* }
            }
        }
    };
}

aggregations! {
    /// `count` (the events) or `count(f)` (the events where `f` is present).
    Count = "count" | "c";
    /// `dc(f)`: the number of distinct values.
    DistinctCount = "dc" | "distinct_count";
    /// `values(f)`: the distinct values, sorted by byte order.
    Values = "values";
    /// `list(f)`: the values in input order, at most 100.
    List = "list";
    /// `sum(f)`.
    Sum = "sum";
    /// `avg(f)` / `mean(f)`.
    Avg = "avg" | "mean";
    /// `min(f)`: numerically when every value is a number, else by byte order.
    Min = "min";
    /// `max(f)`: numerically when every value is a number, else by byte order.
    Max = "max";
    /// `range(f)`: max − min of the numbers.
    Range = "range";
    /// `stdev(f)`: the sample standard deviation.
    Stdev = "stdev";
    /// `stdevp(f)`: the population standard deviation.
    Stdevp = "stdevp";
    /// `var(f)`: the sample variance.
    Var = "var";
    /// `varp(f)`: the population variance.
    Varp = "varp";
    /// `first(f)`: the first value seen.
    First = "first";
    /// `last(f)`: the last value seen.
    Last = "last";
    /// `earliest(f)`: the value of the event with the smallest `_time`.
    Earliest = "earliest";
    /// `latest(f)`: the value of the event with the largest `_time`.
    Latest = "latest";
    /// `median(f)`: the middle number (the higher of the two middle ones).
    Median = "median";
    /// `mode(f)`: the most frequent value (the first seen on ties).
    Mode = "mode";
    /// `perc<P>(f)` / `p<P>(f)`: the `P`th percentile of the numbers, by nearest rank
    /// (computed exactly).
    Perc = "perc" | "p";
    /// `exactperc<P>(f)`: the `P`th percentile, by nearest rank.
    ExactPerc = "exactperc";
    /// `upperperc<P>(f)`: the `P`th percentile, by nearest rank (the upper bound of
    /// Splunk's approximation, which is exact here).
    UpperPerc = "upperperc";
    /// `sumsq(f)`: the sum of the squares of the numbers.
    Sumsq = "sumsq";
    /// `earliest_time(f)`: the smallest `_time` of the events that have `f`.
    EarliestTime = "earliest_time";
    /// `latest_time(f)`: the largest `_time` of the events that have `f`.
    LatestTime = "latest_time";
    /// `rate(f)`: `(latest(f) - earliest(f)) / (latest_time(f) - earliest_time(f))`.
    Rate = "rate";
    /// `estdc(f)`: the number of distinct values (computed exactly).
    Estdc = "estdc";
    /// `estdc_error(f)`: the relative error of `estdc`, which is 0 as it is exact.
    EstdcError = "estdc_error";
}

impl AggFunc {
    /// The function called `name` or one of its aliases, ignoring case. The percentile
    /// functions need their percentile: see [`AggFunc::parse`].
    pub fn from_name(name: &str) -> Option<AggFunc> {
        AggFunc::ALL.iter().copied().find(|f| {
            !f.takes_percentile()
                && (f.name().eq_ignore_ascii_case(name)
                    || f.aliases().iter().any(|a| a.eq_ignore_ascii_case(name)))
        })
    }

    /// The function a stats call names, with its percentile for `perc95`, `p99.9`,
    /// `exactperc50`, `upperperc75` (a number from 0 to 100 after the name).
    pub fn parse(name: &str) -> Option<(AggFunc, Option<f64>)> {
        if let Some(f) = AggFunc::from_name(name) {
            return Some((f, None));
        }
        let lower = name.to_ascii_lowercase();
        let split = lower.find(|c: char| c.is_ascii_digit() || c == '.')?;
        let (head, number) = lower.split_at(split);
        let func = AggFunc::ALL
            .iter()
            .copied()
            .find(|f| f.takes_percentile() && (f.name() == head || f.aliases().contains(&head)))?;
        if !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let p: f64 = number.parse().ok()?;
        (0.0..=100.0).contains(&p).then_some((func, Some(p)))
    }

    /// True for the percentile functions (`perc`, `exactperc`, `upperperc`), whose name
    /// carries the percentile.
    pub fn takes_percentile(self) -> bool {
        matches!(
            self,
            AggFunc::Perc | AggFunc::ExactPerc | AggFunc::UpperPerc
        )
    }

    /// True when the function may go without an input field (`count`).
    pub fn input_optional(self) -> bool {
        self == AggFunc::Count
    }

    /// True for the functions that read each event's `_time` (`earliest`, `latest`,
    /// `earliest_time`, `latest_time`, `rate`).
    pub fn needs_time(self) -> bool {
        matches!(
            self,
            AggFunc::Earliest
                | AggFunc::Latest
                | AggFunc::EarliestTime
                | AggFunc::LatestTime
                | AggFunc::Rate
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_find_their_function() {
        let mut seen = std::collections::BTreeSet::new();
        for &f in AggFunc::ALL {
            for name in std::iter::once(f.name()).chain(f.aliases().iter().copied()) {
                assert!(seen.insert(name), "{name} listed twice");
                if f.takes_percentile() {
                    continue;
                }
                assert_eq!(AggFunc::from_name(&name.to_ascii_uppercase()), Some(f));
            }
        }
        assert_eq!(AggFunc::from_name("c"), Some(AggFunc::Count));
        assert_eq!(AggFunc::from_name("mean"), Some(AggFunc::Avg));
        assert_eq!(AggFunc::from_name("perc"), None);
        assert!(AggFunc::Count.input_optional() && !AggFunc::Sum.input_optional());
        assert_eq!(AggFunc::parse("perc95"), Some((AggFunc::Perc, Some(95.0))));
        assert_eq!(AggFunc::parse("P99.9"), Some((AggFunc::Perc, Some(99.9))));
        assert_eq!(
            AggFunc::parse("exactperc50"),
            Some((AggFunc::ExactPerc, Some(50.0)))
        );
        assert_eq!(
            AggFunc::parse("upperperc1"),
            Some((AggFunc::UpperPerc, Some(1.0)))
        );
        assert_eq!(AggFunc::parse("sumsq"), Some((AggFunc::Sumsq, None)));
        assert_eq!(AggFunc::parse("perc101"), None);
        assert_eq!(AggFunc::parse("perc9x"), None);
        assert_eq!(AggFunc::parse("p"), None);
    }
}
