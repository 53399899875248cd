//! `sort`: a stable sort on keys, within a memory budget.
//!
//! The output is what a stable sort of every row would give, cut to the count: rows in
//! order of their keys ([`compare_values`], each key ascending or descending), rows with
//! equal keys in input order. Two things keep memory bounded:
//!
//! - With a count (`sort 100 host`, and `sort host`, which lowering gives a count of
//!   10,000 as Splunk does), the step holds at most that many rows: a heap of the best
//!   rows so far, whose top is the row that would come out last. A new row goes in only
//!   when it sorts strictly before the top (on a tie the row held came first), which then
//!   leaves.
//! - Past the memory budget ([`RunOptions::memory_budget`]) the rows held are sorted and
//!   written to a temporary file as a sorted run. Runs hold consecutive stretches of the
//!   input, so merging them by key, and on a tie taking the earlier run's row first, keeps
//!   the sort stable. When [`FAN_IN`] runs of one level have accumulated, they are merged
//!   into one run of the next level, so that few files are open at once and each row is
//!   written a number of times logarithmic in the input. At the end the runs and the rows
//!   still held are merged.

use std::cmp::Ordering;
use std::io;

use super::order::compare_values;
use super::spill::{RunOptions, SpillFile, SpillReader, StepError};
use super::Step;
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::SortKey;

/// The most runs merged at once.
const FAN_IN: usize = 16;

/// The sort keys: each field, and whether it sorts descending.
struct Order(Vec<(FieldId, bool)>);

impl Order {
    fn compare(&self, a: &Record, b: &Record) -> Ordering {
        for (f, desc) in &self.0 {
            let o = compare_values(a.get(*f), b.get(*f));
            if o != Ordering::Equal {
                return if *desc { o.reverse() } else { o };
            }
        }
        Ordering::Equal
    }

    /// Rows with their positions in the input (or run), in output order.
    fn compare_at(&self, a: &(Record, u64), b: &(Record, u64)) -> Ordering {
        self.compare(&a.0, &b.0).then(a.1.cmp(&b.1))
    }
}

/// A sorted run written to disk, and its level: how many rounds of merging made it.
struct Run {
    file: SpillFile,
    level: u32,
}

/// `sort [N] [+|-]f, ...`: a stable sort on the keys; at most `limit` rows out.
pub struct Sort {
    order: Order,
    limit: Option<usize>,
    options: RunOptions,
    /// The rows held in memory, each with its position in the input: with a limit, a heap
    /// whose top is the row that sorts last; without, in input order.
    held: Vec<(Record, u64)>,
    held_bytes: usize,
    /// Rows seen.
    seen: u64,
    /// Sorted runs on disk, of consecutive stretches of the input, oldest first.
    runs: Vec<Run>,
    /// Why the step stopped (rows that come after it are dropped).
    failed: Option<StepError>,
}

impl Sort {
    /// Sort by `keys`, keeping at most `limit` rows, with the default [`RunOptions`].
    pub fn new(keys: &[SortKey], limit: Option<u64>) -> Self {
        Sort::with_options(keys, limit, RunOptions::default())
    }

    /// Sort by `keys`, keeping at most `limit` rows, within the memory budget of `options`.
    pub fn with_options(keys: &[SortKey], limit: Option<u64>, options: RunOptions) -> Self {
        Sort {
            order: Order(
                keys.iter()
                    .map(|k| (FieldId::intern(&k.field), k.descending))
                    .collect(),
            ),
            limit: limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            options,
            held: Vec::new(),
            held_bytes: 0,
            seen: 0,
            runs: Vec::new(),
            failed: None,
        }
    }

    /// The bytes of the rows held in memory (as [`RunOptions::memory_budget`] counts them).
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Hold `row`; `Ok` when it needs no more memory than the budget, or was spilled.
    fn hold(&mut self, row: Record) -> io::Result<()> {
        let at = self.seen;
        self.seen += 1;
        let order = &self.order;
        let last_first = |a: &(Record, u64), b: &(Record, u64)| order.compare_at(a, b).is_gt();
        match self.limit {
            None => {
                self.held_bytes += row.memory_size();
                self.held.push((row, at));
            }
            Some(n) if self.held.len() < n => {
                self.held_bytes += row.memory_size();
                heap::push(&mut self.held, (row, at), last_first);
            }
            Some(_) => match self.held.first_mut() {
                Some(top) if order.compare(&row, &top.0).is_lt() => {
                    self.held_bytes -= top.0.memory_size();
                    self.held_bytes += row.memory_size();
                    *top = (row, at);
                    heap::sift_down(&mut self.held, 0, last_first);
                }
                // Not among the first N rows (or N is 0).
                _ => return Ok(()),
            },
        }
        if self.held_bytes > self.options.memory_budget {
            self.spill()?;
        }
        Ok(())
    }

    /// The rows held, sorted and cut to the limit.
    fn take_sorted(&mut self) -> Vec<(Record, u64)> {
        let mut rows = std::mem::take(&mut self.held);
        self.held_bytes = 0;
        let order = &self.order;
        rows.sort_unstable_by(|a, b| order.compare_at(a, b));
        rows.truncate(self.limit.unwrap_or(usize::MAX));
        rows
    }

    /// Write the rows held as a sorted run; merge the newest runs when [`FAN_IN`] of them
    /// have the same level.
    fn spill(&mut self) -> io::Result<()> {
        let rows = self.take_sorted();
        let mut file = SpillFile::create(&self.options)?;
        for (row, _) in &rows {
            file.write(row)?;
        }
        drop(rows);
        self.runs.push(Run { file, level: 0 });
        while let Some(level) = self.runs.last().map(|r| r.level) {
            let same = self.runs.iter().rev().take_while(|r| r.level == level);
            if same.count() < FAN_IN {
                break;
            }
            let group = self.runs.split_off(self.runs.len() - FAN_IN);
            let mut merge = Merge::new(group.into_iter().map(|r| r.file.read()), &self.order)?;
            let mut file = SpillFile::create(&self.options)?;
            let mut left = self.limit.unwrap_or(usize::MAX);
            while left > 0 {
                let Some(row) = merge.next(&self.order)? else {
                    break;
                };
                file.write(&row)?;
                left -= 1;
            }
            self.runs.push(Run {
                file,
                level: level + 1,
            });
        }
        Ok(())
    }

    /// Give every row in order, cut to the limit.
    fn give(&mut self, out: &mut dyn FnMut(Record)) -> io::Result<()> {
        let rows = self.take_sorted();
        if self.runs.is_empty() {
            rows.into_iter().for_each(|(row, _)| out(row));
            return Ok(());
        }
        let runs = std::mem::take(&mut self.runs);
        let files = runs.into_iter().map(|r| r.file.read());
        let mut merge = Merge::new(files, &self.order)?;
        merge.add(Source::Memory(rows.into_iter()), &self.order)?;
        let mut left = self.limit.unwrap_or(usize::MAX);
        while left > 0 {
            let Some(row) = merge.next(&self.order)? else {
                break;
            };
            out(row);
            left -= 1;
        }
        Ok(())
    }

    fn fail(&mut self, e: io::Error) {
        self.failed = Some(StepError::spill("sort", &self.options, e));
        self.held = Vec::new();
        self.held_bytes = 0;
        self.runs = Vec::new();
    }
}

impl Step for Sort {
    fn push(&mut self, row: Record, _out: &mut Vec<Record>) {
        if self.failed.is_none() {
            if let Err(e) = self.hold(row) {
                self.fail(e);
            }
        }
    }

    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
        if self.failed.is_none() {
            if let Err(e) = self.give(out) {
                self.fail(e);
            }
        }
        self.failed.take().map_or(Ok(()), Err)
    }
}

/// Where a merge reads sorted rows from.
enum Source {
    File(SpillReader),
    Memory(std::vec::IntoIter<(Record, u64)>),
}

impl Source {
    fn next_row(&mut self) -> io::Result<Option<Record>> {
        match self {
            Source::File(rows) => rows.next_row(),
            Source::Memory(rows) => Ok(rows.next().map(|(row, _)| row)),
        }
    }
}

/// Sorted sources of consecutive stretches of the input, merged: by the keys, and on a tie
/// the row of the earlier source first.
struct Merge {
    sources: Vec<Source>,
    /// The next row of each source that has one, with the source's index: a heap whose top
    /// is the row that comes out next.
    heads: Vec<(Record, u64)>,
}

impl Merge {
    fn new(
        files: impl IntoIterator<Item = io::Result<SpillReader>>,
        order: &Order,
    ) -> io::Result<Merge> {
        let mut merge = Merge {
            sources: Vec::new(),
            heads: Vec::new(),
        };
        for file in files {
            merge.add(Source::File(file?), order)?;
        }
        Ok(merge)
    }

    /// Add a source after the others.
    fn add(&mut self, mut source: Source, order: &Order) -> io::Result<()> {
        let i = self.sources.len() as u64;
        if let Some(row) = source.next_row()? {
            heap::push(&mut self.heads, (row, i), |a, b| {
                order.compare_at(a, b).is_lt()
            });
        }
        self.sources.push(source);
        Ok(())
    }

    /// The next row, or `None` when every source is done.
    fn next(&mut self, order: &Order) -> io::Result<Option<Record>> {
        let first = |a: &(Record, u64), b: &(Record, u64)| order.compare_at(a, b).is_lt();
        let Some(top) = self.heads.first_mut() else {
            return Ok(None);
        };
        let source = usize::try_from(top.1)
            .ok()
            .and_then(|i| self.sources.get_mut(i));
        match source.map_or(Ok(None), Source::next_row)? {
            Some(next) => {
                let row = std::mem::replace(&mut top.0, next);
                heap::sift_down(&mut self.heads, 0, first);
                Ok(Some(row))
            }
            None => Ok(heap::pop(&mut self.heads, first).map(|(row, _)| row)),
        }
    }
}

/// A binary heap in a vector, ordered by a function given at each call: `before(a, b)`
/// when `a` belongs nearer the top than `b`.
mod heap {
    pub(super) fn push<T>(heap: &mut Vec<T>, item: T, before: impl Fn(&T, &T) -> bool) {
        heap.push(item);
        let mut i = heap.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if !before(&heap[i], &heap[parent]) {
                break;
            }
            heap.swap(i, parent);
            i = parent;
        }
    }

    /// Take the top.
    pub(super) fn pop<T>(heap: &mut Vec<T>, before: impl Fn(&T, &T) -> bool) -> Option<T> {
        if heap.is_empty() {
            return None;
        }
        let top = heap.swap_remove(0);
        sift_down(heap, 0, before);
        Some(top)
    }

    /// Move the item at `i` down to its place.
    pub(super) fn sift_down<T>(heap: &mut [T], mut i: usize, before: impl Fn(&T, &T) -> bool) {
        loop {
            let (left, right) = (2 * i + 1, 2 * i + 2);
            let mut first = i;
            if left < heap.len() && before(&heap[left], &heap[first]) {
                first = left;
            }
            if right < heap.len() && before(&heap[right], &heap[first]) {
                first = right;
            }
            if first == i {
                return;
            }
            heap.swap(i, first);
            i = first;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    /// The sort as it was before it had a budget: every row held, one stable sort, the
    /// first `limit` rows. What the step must give, whatever it holds and spills.
    fn reference(keys: &[SortKey], limit: Option<u64>, mut rows: Vec<Record>) -> Vec<Record> {
        let keys: Vec<(FieldId, bool)> = keys
            .iter()
            .map(|k| (FieldId::intern(&k.field), k.descending))
            .collect();
        rows.sort_by(|a, b| {
            for (f, desc) in &keys {
                let mut o = compare_values(a.get(*f), b.get(*f));
                if *desc {
                    o = o.reverse();
                }
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        let n = limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        rows.into_iter().take(n).collect()
    }

    /// xorshift64*: deterministic, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// A value for a sort key: few distinct ones (many ties), numbers as text and as
    /// numbers, text that looks numeric, multivalues, NaN; or none.
    fn random_value(rng: &mut Rng) -> Option<Value> {
        const TEXTS: &[&str] = &[
            "9", "10", " 3 ", "-1.5", "1e3", "abc", "B", "a", "", "nan", "h10", "h9", "0x10",
        ];
        match rng.below(10) {
            0 => None,
            1 => Some(Value::Num([0.0, -0.0, 3.0, 1e3, f64::NAN][rng.below(5)])),
            2 => Some(Value::Multi(vec![
                TEXTS[rng.below(TEXTS.len())].into(),
                TEXTS[rng.below(TEXTS.len())].into(),
            ])),
            _ => Some(Value::from(TEXTS[rng.below(TEXTS.len())])),
        }
    }

    fn random_rows(rng: &mut Rng, n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| {
                let mut r = Record::new();
                r.set_raw(format!("event {i} {}", "x".repeat(rng.below(40))));
                r.set_named("i", i.to_string());
                for f in ["a", "b"] {
                    if let Some(v) = random_value(rng) {
                        r.set_named(f, v);
                    }
                }
                r
            })
            .collect()
    }

    fn key(field: &str, descending: bool) -> SortKey {
        SortKey {
            field: field.into(),
            descending,
        }
    }

    fn options(memory_budget: usize) -> RunOptions {
        RunOptions {
            memory_budget,
            temp_dir: None,
            ..RunOptions::default()
        }
    }

    /// Rows as text: NaN is not equal to itself, but prints the same.
    fn shown(rows: &[Record]) -> Vec<String> {
        rows.iter().map(|r| format!("{r:?}")).collect()
    }

    /// Every row through a sort of `keys` and `limit` with `budget`, checking after each
    /// row what it holds: at most `limit` rows, and (as it spills) at most the budget.
    fn sorted(keys: &[SortKey], limit: Option<u64>, budget: usize, rows: &[Record]) -> Vec<Record> {
        let mut sort = Sort::with_options(keys, limit, options(budget));
        let mut out = Vec::new();
        for row in rows {
            sort.push(row.clone(), &mut out);
            assert!(
                sort.held_bytes() <= budget,
                "{} > {budget}",
                sort.held_bytes()
            );
            if let Some(n) = limit {
                assert!(sort.held.len() as u64 <= n);
            }
        }
        assert!(out.is_empty(), "nothing comes out before the end");
        sort.finish(&mut |r| out.push(r))
            .expect("spills to the temporary directory");
        out
    }

    #[test]
    fn sort_gives_the_rows_of_a_full_stable_sort() {
        let mut rng = Rng(0x5eed);
        for round in 0..60 {
            let n = 1 + rng.below(150);
            let rows = random_rows(&mut rng, n);
            let keys = match round % 3 {
                0 => vec![key("a", rng.below(2) == 0)],
                1 => vec![key("a", rng.below(2) == 0), key("b", rng.below(2) == 0)],
                _ => vec![key("missing", false), key("b", true)],
            };
            let limits = [
                None,
                Some(0),
                Some(1),
                Some(3),
                Some(n as u64 / 2),
                Some(n as u64 + 5),
            ];
            for limit in limits {
                let want = shown(&reference(&keys, limit, rows.clone()));
                // In memory; spilling every row; spilling every few rows.
                for budget in [usize::MAX, 0, 2000] {
                    let got = shown(&sorted(&keys, limit, budget, &rows));
                    assert_eq!(got, want, "round {round}, limit {limit:?}, budget {budget}");
                }
            }
        }
    }

    #[test]
    fn a_sort_over_its_budget_spills_and_merges_runs() {
        let mut rng = Rng(7);
        let rows = random_rows(&mut rng, 3000);
        let keys = [key("a", false), key("i", true)];
        let budget = 4096;
        let mut sort = Sort::with_options(&keys, None, options(budget));
        let mut out = Vec::new();
        let mut most_runs = 0;
        for row in &rows {
            sort.push(row.clone(), &mut out);
            assert!(sort.held_bytes() <= budget);
            most_runs = most_runs.max(sort.runs.len());
        }
        assert!(sort.runs.iter().any(|r| r.level > 0), "runs were merged");
        assert!(most_runs <= 2 * FAN_IN, "{most_runs} runs at once");
        sort.finish(&mut |r| out.push(r))
            .expect("spills to the temporary directory");
        assert_eq!(shown(&out), shown(&reference(&keys, None, rows)));
    }

    #[test]
    fn sort_with_a_count_holds_that_many_rows() {
        let rows: Vec<Record> = (0..10_000)
            .map(|i| {
                let mut r = Record::new();
                r.set_named("n", ((i * 7919) % 10_007).to_string());
                r
            })
            .collect();
        let keys = [key("n", true)];
        let mut sort = Sort::new(&keys, Some(100));
        let mut out = Vec::new();
        for row in &rows {
            sort.push(row.clone(), &mut out);
            assert!(sort.held.len() <= 100);
        }
        sort.finish(&mut |r| out.push(r)).expect("nothing to spill");
        assert_eq!(out, reference(&keys, Some(100), rows));
        assert!(sort.runs.is_empty());
    }

    #[test]
    fn a_sort_that_cannot_spill_fails_with_its_budget() {
        let dir = std::env::temp_dir().join("splc-no-such-directory/below");
        let options = RunOptions {
            memory_budget: 1024,
            temp_dir: Some(dir.clone()),
            ..RunOptions::default()
        };
        let mut sort = Sort::with_options(&[key("a", false)], None, options);
        let mut out = Vec::new();
        for row in random_rows(&mut Rng(3), 100) {
            sort.push(row, &mut out);
        }
        assert_eq!(sort.held_bytes(), 0, "the rows are dropped");
        let err = sort
            .finish(&mut |r| out.push(r))
            .expect_err("no directory to spill to");
        assert!(out.is_empty());
        assert_eq!((err.command(), err.budget()), ("sort", 1024));
        let text = err.to_string();
        assert!(
            text.starts_with("`sort` went over its memory budget of 1 KiB and could not spill rows to a temporary file in ")
                && text.contains(&dir.display().to_string()),
            "{text}"
        );
    }
}
