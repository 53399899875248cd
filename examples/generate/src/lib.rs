//! Deterministic sample events for the splc examples and benchmarks.
//!
//! Three streams, in the formats `spl_runtime::read` understands:
//!
//! | function | format | one event is |
//! |---|---|---|
//! | [`sysmon_events`] | Sysmon event XML (`XmlWinEventLog`) | one `<Event>` element on one line: event 1 (process creation), some event 3 (network connection) |
//! | [`security_events`] | classic `WinEventLog` text | one multi-line Security 4688 record (a new process) |
//! | [`linux_events`] | JSON lines | one Linux process start, with CIM field names (`process`, `process_name`, `user`, `host`, ...) |
//!
//! Each stream is mostly benign noise, some of it deliberately close to what the rules in
//! `examples/rules` look for (a plain `pip install`, `certutil -hashfile`, `curl ... |
//! grep`, a lone `whoami`), with a fixed set of malicious events planted at evenly spaced
//! positions. The same `(n, seed)` always gives the same events; there is no dependency
//! on a random number crate.
//!
//! ```
//! let events = splc_example_events::sysmon_events(50, 7);
//! assert_eq!(events.len(), 50);
//! assert!(events.iter().all(|e| e.starts_with("<Event ")));
//! assert_eq!(events, splc_example_events::sysmon_events(50, 7));
//! ```
//!
//! [`event_files`] gives the checked-in files of `examples/events`; [`EXPECTED_ROWS`]
//! says how many rows each example rule returns over them.

#![forbid(unsafe_code)]

mod linux;
pub mod time;
mod windows;

use time::{Instant, START};

/// The seed of the checked-in event files.
pub const DEFAULT_SEED: u64 = 0x5EED_2026;

/// Malicious events planted in every [`sysmon_events`] stream: two package installs from
/// a foreign index, one `certutil -urlcache` download, one encoded PowerShell command, and
/// a burst of five discovery commands.
pub const SYSMON_PLANTED: usize = 9;
/// Malicious events planted in every [`security_events`] stream: one `certutil -urlcache`
/// download, one encoded PowerShell command, and a burst of four discovery commands.
pub const SECURITY_PLANTED: usize = 6;
/// Malicious events planted in every [`linux_events`] stream: two package installs from a
/// foreign index, two downloads piped to a shell, and a burst of six reconnaissance
/// commands.
pub const LINUX_PLANTED: usize = 10;

/// Events in the checked-in `sysmon.xml`.
pub const SYSMON_EVENTS: usize = 100;
/// Records in the checked-in `security_4688.log`.
pub const SECURITY_EVENTS: usize = 60;
/// Lines in the checked-in `linux_process.jsonl`.
pub const LINUX_EVENTS: usize = 180;

/// Result rows each rule of `examples/rules` (by file stem) returns over all the
/// checked-in event files together. Noise gives none; every row comes from planted events.
pub const EXPECTED_ROWS: &[(&str, usize)] = &[
    // Sysmon: pip --extra-index-url, python -m pip --index-url.
    ("package_install_custom_index-sysmon", 2),
    // Linux: pip3 --extra-index-url, gem --source.
    ("package_install_custom_index-unix", 2),
    // Linux: curl | bash, wget | sh.
    ("remote_script_piped_to_shell-unix", 2),
    // One in Sysmon, one in Security 4688.
    ("certutil_download-windows", 2),
    // One in Sysmon, one in Security 4688.
    ("powershell_encoded_command-windows", 2),
    // One burst in Sysmon (5 events), one in Security 4688 (4 events).
    ("discovery_burst-windows", 2),
    // One burst of 6 commands by www-data.
    ("recon_commands-unix", 1),
];

/// A small deterministic generator (xorshift64*).
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        // Mix the seed so that 0 and nearby seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `{8-4-4-4-12}` hex digits, upper case, as Windows writes GUIDs.
    pub(crate) fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

/// A group of planted events that belong together; a burst starts just after a
/// ten-minute boundary and keeps its events seconds apart, so that time bins do not split
/// it.
pub(crate) struct Incident<T> {
    pub(crate) events: Vec<T>,
    pub(crate) burst: bool,
}

/// Lay out `n` events in time: noise from `noise`, with the incidents' events spread
/// evenly among it. Gives at least every planted event.
pub(crate) fn schedule<T>(
    n: usize,
    rng: &mut Rng,
    incidents: Vec<Incident<T>>,
    mut noise: impl FnMut(&mut Rng) -> T,
) -> Vec<(Instant, T)> {
    let planted: usize = incidents.iter().map(|i| i.events.len()).sum();
    let noise_count = n.saturating_sub(planted);
    let slots = incidents.len() + 1;
    let mut incidents = incidents.into_iter().enumerate().peekable();
    let mut out = Vec::with_capacity(noise_count + planted);
    let mut millis = START * 1000;
    for i in 0..=noise_count {
        while let Some((k, _)) = incidents.peek() {
            if (k + 1) * noise_count / slots != i {
                break;
            }
            let Some((_, incident)) = incidents.next() else {
                break;
            };
            if incident.burst {
                millis = (millis / 600_000 + 1) * 600_000 + 30_000 + rng.below(1000);
            } else {
                millis += rng.range(1_000, 20_999);
            }
            for event in incident.events {
                out.push((Instant { millis }, event));
                millis += rng.range(2_000, 5_999);
            }
        }
        if i < noise_count {
            millis += rng.range(1_000, 20_999);
            let event = noise(rng);
            out.push((Instant { millis }, event));
        }
    }
    out
}

/// `n` Sysmon events as event XML, one `<Event>` element each (at least
/// [`SYSMON_PLANTED`]: every planted event is always there).
pub fn sysmon_events(n: usize, seed: u64) -> Vec<String> {
    windows::sysmon(n, seed)
}

/// `n` Security 4688 events as classic multi-line `WinEventLog` records, each starting
/// with its header line and without a trailing blank line (at least
/// [`SECURITY_PLANTED`]).
pub fn security_events(n: usize, seed: u64) -> Vec<String> {
    windows::security(n, seed)
}

/// `n` Linux process start events as JSON objects, one line each (at least
/// [`LINUX_PLANTED`]).
pub fn linux_events(n: usize, seed: u64) -> Vec<String> {
    linux::events(n, seed)
}

/// `<Event>` elements as one file's text, one per line.
pub fn join_xml(events: &[String]) -> String {
    join(events, "\n")
}

/// Classic `WinEventLog` records as one file's text, a blank line between records.
pub fn join_records(events: &[String]) -> String {
    join(events, "\n\n")
}

/// JSON objects as one JSON-lines text.
pub fn join_lines(events: &[String]) -> String {
    join(events, "\n")
}

fn join(events: &[String], separator: &str) -> String {
    let mut text = events.join(separator);
    text.push('\n');
    text
}

/// One event file: its name in `examples/events` and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFile {
    /// The file name (`sysmon.xml`, `security_4688.log`, `linux_process.jsonl`).
    pub name: &'static str,
    /// The file's text.
    pub text: String,
}

/// The files of `examples/events`, as generated with `seed` ([`DEFAULT_SEED`] for the
/// checked-in ones).
pub fn event_files(seed: u64) -> Vec<EventFile> {
    vec![
        EventFile {
            name: "sysmon.xml",
            text: join_xml(&sysmon_events(SYSMON_EVENTS, seed)),
        },
        EventFile {
            name: "security_4688.log",
            text: join_records(&security_events(SECURITY_EVENTS, seed)),
        },
        EventFile {
            name: "linux_process.jsonl",
            text: join_lines(&linux_events(LINUX_EVENTS, seed)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_determinism() {
        for n in [0, 5, 10, 100] {
            assert_eq!(sysmon_events(n, 1).len(), n.max(SYSMON_PLANTED));
            assert_eq!(security_events(n, 1).len(), n.max(SECURITY_PLANTED));
            assert_eq!(linux_events(n, 1).len(), n.max(LINUX_PLANTED));
        }
        assert_eq!(linux_events(40, 3), linux_events(40, 3));
        assert_ne!(linux_events(40, 3), linux_events(40, 4));
    }

    #[test]
    fn bursts_stay_in_one_ten_minute_bin() {
        let mut rng = Rng::new(9);
        let incidents = vec![Incident {
            events: vec![1, 2, 3, 4, 5, 6],
            burst: true,
        }];
        let out = schedule(50, &mut rng, incidents, |_| 0);
        let burst: Vec<u64> = out
            .iter()
            .filter(|(_, e)| *e != 0)
            .map(|(t, _)| t.millis / 600_000)
            .collect();
        assert_eq!(burst.len(), 6);
        assert!(burst.iter().all(|b| *b == burst[0]));
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
