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
}

impl AggFunc {
    /// The function called `name` or one of its aliases, ignoring case.
    pub fn from_name(name: &str) -> Option<AggFunc> {
        AggFunc::ALL.iter().copied().find(|f| {
            f.name().eq_ignore_ascii_case(name)
                || f.aliases().iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }

    /// True when the function may go without an input field (`count`).
    pub fn input_optional(self) -> bool {
        self == AggFunc::Count
    }

    /// True for `earliest`/`latest`, which read each event's `_time`.
    pub fn needs_time(self) -> bool {
        matches!(self, AggFunc::Earliest | AggFunc::Latest)
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
                assert_eq!(AggFunc::from_name(&name.to_ascii_uppercase()), Some(f));
            }
        }
        assert_eq!(AggFunc::from_name("c"), Some(AggFunc::Count));
        assert_eq!(AggFunc::from_name("mean"), Some(AggFunc::Avg));
        assert_eq!(AggFunc::from_name("perc"), None);
        assert!(AggFunc::Count.input_optional() && !AggFunc::Sum.input_optional());
    }
}
