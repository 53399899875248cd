//! The order `sort` uses, and stages about count: `dedup`, `head`.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::Step;
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::value::Value;

/// Order two values as `sort` does: numbers before text, numbers numerically, text by
/// bytes; a missing value after everything else.
pub fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn num(v: &Value) -> Option<f64> {
        match v {
            Value::Num(n) => Some(*n),
            other => other
                .first_str()
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| !n.is_nan()),
        }
    }
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.first_str().as_bytes().cmp(b.first_str().as_bytes()),
        },
    }
}

/// `dedup [N] f...`: keep the first N rows of each combination of the fields' values; rows
/// missing any of the fields are dropped.
pub struct Dedup {
    fields: Vec<FieldId>,
    count: u64,
    seen: HashMap<Vec<String>, u64>,
}

impl Dedup {
    /// Deduplicate on `fields`, keeping `count` rows per combination.
    pub fn new<S: AsRef<str>>(fields: &[S], count: u64) -> Self {
        Dedup {
            fields: fields.iter().map(|f| FieldId::intern(f.as_ref())).collect(),
            count: count.max(1),
            seen: HashMap::new(),
        }
    }
}

impl Step for Dedup {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        let mut key = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            match row.get(*f) {
                Some(v) => key.push(v.to_string()),
                None => return,
            }
        }
        let n = self.seen.entry(key).or_insert(0);
        if *n < self.count {
            *n += 1;
            out.push(row);
        }
    }
}

/// `head N`: the first N rows.
pub struct Head {
    left: u64,
}

impl Head {
    /// Pass the first `n` rows.
    pub fn new(n: u64) -> Self {
        Head { left: n }
    }
}

impl Step for Head {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        if self.left > 0 {
            self.left -= 1;
            out.push(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        Value::from(s)
    }

    #[test]
    fn sort_order_is_numbers_then_text_then_missing() {
        assert_eq!(
            compare_values(Some(&v("9")), Some(&v("10"))),
            Ordering::Less
        );
        assert_eq!(
            compare_values(Some(&v("10")), Some(&v("abc"))),
            Ordering::Less
        );
        assert_eq!(
            compare_values(Some(&v("B")), Some(&v("a"))),
            Ordering::Less,
            "byte order"
        );
        assert_eq!(compare_values(None, Some(&v("a"))), Ordering::Greater);
    }

    #[test]
    fn dedup_keeps_first_and_drops_missing() {
        let mut d = Dedup::new(&["u"], 1);
        let mut out = Vec::new();
        for (i, u) in [Some("a"), Some("a"), None, Some("b")]
            .into_iter()
            .enumerate()
        {
            let mut r = Record::new();
            r.set_named("i", i.to_string());
            if let Some(u) = u {
                r.set_named("u", u);
            }
            d.push(r, &mut out);
        }
        let kept: Vec<_> = out.iter().map(|r| r.get_named("i").cloned()).collect();
        assert_eq!(kept, vec![Some(v("0")), Some(v("3"))]);
    }
}
