//! `splc run`'s progress bar and closing summary.
//!
//! The bar is drawn on standard error only when it is a terminal (and not `--quiet`):
//! files done, bytes read (of the total, when the inputs are files), events per second.
//! Bytes are counted as the readers take them from their input ([`Counted`]), compressed
//! bytes for a compressed file.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use spl_runtime::read::ReadStats;

/// A byte stream whose bytes read are added to a shared count.
pub struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The run's progress: what the bar shows and what the summary says.
pub struct Progress {
    bar: Option<ProgressBar>,
    bytes: Arc<AtomicU64>,
    start: Instant,
    files: usize,
    files_done: usize,
}

impl Progress {
    /// Progress over `files` inputs of `total_bytes` (when known); drawn when `show`.
    pub fn new(show: bool, files: usize, total_bytes: Option<u64>) -> Self {
        let bar = show.then(|| {
            let bar = match total_bytes {
                Some(total) => ProgressBar::with_draw_target(
                    Some(total),
                    ProgressDrawTarget::stderr_with_hz(4),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4)),
            };
            let template = if total_bytes.is_some() {
                "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg}"
            } else {
                "{elapsed_precise} {spinner} {bytes} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Progress {
            bar,
            bytes: Arc::new(AtomicU64::new(0)),
            start: Instant::now(),
            files,
            files_done: 0,
        }
    }

    /// `input`, its bytes counted for the bar.
    pub fn count<R: Read>(&self, input: R) -> Counted<R> {
        Counted {
            inner: input,
            count: Arc::clone(&self.bytes),
        }
    }

    /// The `i`th input (from 0) is being read.
    pub fn file(&mut self, i: usize) {
        self.files_done = i;
    }

    /// Whether the bar is drawn.
    pub fn is_drawn(&self) -> bool {
        self.bar.is_some()
    }

    /// Redraw with the events read so far.
    pub fn update(&self, events: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.bytes.load(Ordering::Relaxed));
            bar.set_message(format!(
                "file {}/{}, {events} events, {:.0} events/s",
                (self.files_done + 1).min(self.files),
                self.files,
                rate(events, self.start.elapsed())
            ));
        }
    }

    /// Write `text` (a report line) without tearing the bar.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Remove the bar; the time since the start.
    pub fn finish(&self) -> Duration {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.start.elapsed()
    }
}

/// Events per second over `elapsed` (0 for no time at all).
fn rate(events: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        events as f64 / secs
    } else {
        0.0
    }
}

/// What `splc run` tells at the end, on standard error.
pub struct Summary<'a> {
    /// Inputs read, and skipped.
    pub inputs: usize,
    /// Inputs that could not be read, or not to the end.
    pub inputs_skipped: u64,
    /// The events.
    pub stats: &'a ReadStats,
    /// Each rule's name and rows.
    pub rows: Vec<(&'a str, u64)>,
    /// From the first input opened to the last row written.
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.stats;
        write!(f, "summary: {} input(s)", self.inputs)?;
        if self.inputs_skipped > 0 {
            write!(f, " ({} skipped)", self.inputs_skipped)?;
        }
        write!(f, ", {} events read, {} skipped", s.events, s.skipped)?;
        if !s.skipped_by.is_empty() {
            let reasons: Vec<String> = s
                .skipped_by
                .iter()
                .map(|(kind, n)| format!("{kind}: {n}"))
                .collect();
            write!(f, " ({})", reasons.join(", "))?;
        }
        writeln!(
            f,
            ", {:.2} s, {:.0} events/s",
            self.elapsed.as_secs_f64(),
            rate(s.events, self.elapsed)
        )?;
        let total: u64 = self.rows.iter().map(|(_, n)| n).sum();
        write!(f, "rows: {total}")?;
        for (rule, n) in &self.rows {
            write!(f, "\n  {n:>10}  {rule}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_reasons_rules_and_rate() {
        let stats = ReadStats {
            events: 10,
            skipped: 3,
            fields_dropped: 0,
            skipped_by: vec![("invalid JSON", 2), ("max_depth", 1)],
        };
        let summary = Summary {
            inputs: 2,
            inputs_skipped: 1,
            stats: &stats,
            rows: vec![("first", 4), ("second", 0)],
            elapsed: Duration::from_secs(2),
        };
        assert_eq!(
            summary.to_string(),
            concat!(
                "summary: 2 input(s) (1 skipped), 10 events read, 3 skipped ",
                "(invalid JSON: 2, max_depth: 1), 2.00 s, 5 events/s\n",
                "rows: 4\n",
                "           4  first\n",
                "           0  second",
            )
        );
    }
}
