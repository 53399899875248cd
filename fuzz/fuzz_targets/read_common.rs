//! What the reader targets (`read_json`, `read_xml`, `read_text`, `read_evtx`) share: the options an
//! input chooses, and the checks on what a reader gives.
//!
//! An input is `<3 option bytes> <bytes to read>`. The option bytes choose small limits
//! (so that every limit is met often), the size of the chunks the reader is handed (from
//! one byte at a time up), a `time_field`, and whether to read a second time with the
//! built-in field aliases. Checked on every input:
//!
//! - the reader returns and ends (no panic, no hang); every item is an event or a skipped
//!   event ([`ReadError::Event`]) with its line (1-based, inside the input) and index
//!   (JSON lines: the 0-based line; other formats: the item's position), items in input
//!   order; errors render, and a skip over a limit names the limit's configured value;
//!   EVTX: no lines (every line 0), skips are [`ReadError::Record`], and an input that is
//!   not an EVTX file gives one fatal error and nothing else;
//! - the counts add up: `ReadStats` counts every item, as an event or a skip;
//! - every event respects the limits: at most `max_fields` fields and `max_values`
//!   values (`_raw` and `_time` included), and a `_raw` of at most `max_event_bytes`
//!   bytes of input (each U+FFFD a reader put in for invalid UTF-8 counted as one byte);
//!   `_raw` is there and is not blank; fields left out are reported with a name limit;
//! - read again with the built-in aliases, the input gives the same items, and each event
//!   holds every field of the event read without them, with the same values (aliases
//!   never overwrite and never remove).

use std::io::BufReader;

use spl_runtime::alias::AliasMap;
use spl_runtime::read::{
    EventError, InputFormat, Limit, Limits, ReadError, ReadEvent, ReadOptions, ReadStats, Reader,
};
use spl_runtime::{FieldId, Value};

/// How many bytes at the start of an input choose the options.
pub const OPTION_BYTES: usize = 3;

/// What the option bytes chose.
#[derive(Clone, Debug)]
pub struct Options {
    pub limits: Limits,
    /// The most bytes the reader gets from one `fill_buf`.
    pub chunk: usize,
    /// Read a second time with the built-in aliases.
    pub aliases: bool,
    pub time_field: Option<String>,
}

impl Options {
    /// The options of `bytes`: each limit from a few bits, small values first.
    pub fn of(bytes: [u8; OPTION_BYTES]) -> Options {
        let [a, b, c] = bytes.map(usize::from);
        let limits = Limits {
            max_event_bytes: [48, 300, 2_000, 1 << 16][a & 3],
            max_fields: [2, 5, 12, 10_000][(a >> 2) & 3],
            max_depth: [1, 2, 5, 100][(a >> 4) & 3],
            max_values: [2, 7, 40, 100_000][(a >> 6) & 3],
            max_attributes: [1, 3, 8, 256][b & 3],
            max_field_name_bytes: [3, 16, 64, 512][(b >> 2) & 3],
            // The table of names is shared by the whole process: with 64 it is full from
            // the first inputs on, so that new names are refused; otherwise it fills
            // slowly over a run.
            max_field_names: if b & 0x10 != 0 { 64 } else { 100_000 },
        };
        Options {
            limits,
            chunk: [1, 2, 3, 7, 16, 64, 512, 8192][(b >> 5) & 7],
            aliases: c & 1 != 0,
            time_field: (c & 2 != 0).then(|| "t".to_owned()),
        }
    }

    /// Split an input into its options and the bytes to read.
    pub fn split(data: &[u8]) -> Option<(Options, &[u8])> {
        let (head, rest) = data.split_first_chunk::<OPTION_BYTES>()?;
        Some((Options::of(*head), rest))
    }

    fn read_options(&self, aliases: AliasMap) -> ReadOptions {
        ReadOptions {
            time_field: self.time_field.clone(),
            aliases,
            limits: self.limits,
        }
    }
}

/// Read `input` as `format` with `options`, collecting every item.
fn read(
    input: &[u8],
    format: InputFormat,
    options: ReadOptions,
    chunk: usize,
) -> Vec<Result<ReadEvent, ReadError>> {
    let reader = Reader::new(BufReader::with_capacity(chunk, input), format, options);
    assert_eq!(reader.format(), format);
    reader.collect()
}

/// Read `input` as `format` under `options` and check everything the module docs list.
pub fn check(format: InputFormat, options: &Options, input: &[u8]) {
    let limits = options.limits;
    let items = read(
        input,
        format,
        options.read_options(AliasMap::none()),
        options.chunk,
    );
    // A line number can be one past the last line break at most (UTF-16 input holds a
    // 0x0A byte for each line break too).
    let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut stats = ReadStats::default();
    let mut last_line = 0;
    let mut last_index = None;
    let evtx = format == InputFormat::Evtx;
    for (position, item) in items.iter().enumerate() {
        stats.count(item);
        let (index, line) = match item {
            Ok(event) => {
                check_event(format, &limits, event);
                (event.index, event.line)
            }
            Err(
                err @ ReadError::Event {
                    index,
                    line,
                    reason,
                },
            ) => {
                assert!(!err.to_string().is_empty());
                check_reason(&limits, input.len(), *line, reason);
                (*index, *line)
            }
            Err(err @ ReadError::Record { index, reason, .. }) if evtx => {
                assert!(!err.to_string().is_empty());
                check_reason(&limits, input.len(), 0, reason);
                (*index, 0)
            }
            // Not an EVTX file: that error alone.
            Err(err @ ReadError::Io { line: 0, .. }) if evtx && items.len() == 1 => {
                assert!(err.is_fatal() && !err.to_string().is_empty());
                return;
            }
            Err(err) => panic!("a fatal error reading bytes in memory: {err:?}"),
        };
        if evtx {
            assert_eq!(line, 0, "EVTX has no lines\nitem: {item:?}");
            assert_eq!(index, position, "the index counts the items before");
            continue;
        }
        assert!(
            (1..=lines).contains(&line),
            "item {position}: line {line} is outside the input ({lines} lines)\nitem: {item:?}"
        );
        assert!(
            line >= last_line,
            "item {position}: line {line} comes before the line of the item before it ({last_line})\nitem: {item:?}"
        );
        last_line = line;
        match format {
            InputFormat::JsonLines => {
                assert_eq!(index + 1, line, "JSON lines: the index is the 0-based line");
                assert!(
                    last_index.is_none_or(|last| index > last),
                    "item {position}: index {index} after {last_index:?}"
                );
            }
            _ => assert_eq!(index, position, "the index counts the items before"),
        }
        last_index = Some(index);
    }
    assert_eq!(
        stats.events + stats.skipped,
        items.len() as u64,
        "the counts do not add up: {stats:?} for {} items",
        items.len()
    );
    if options.aliases {
        let aliased = read(
            input,
            format,
            options.read_options(AliasMap::builtin()),
            options.chunk,
        );
        check_aliased(&items, &aliased);
    }
}

/// One event against the limits.
fn check_event(format: InputFormat, limits: &Limits, event: &ReadEvent) {
    let record = &event.record;
    assert!(
        record.len() <= limits.max_fields,
        "an event of {} fields passed max_fields = {}\nevent: {event:?}",
        record.len(),
        limits.max_fields
    );
    let values: usize = record.iter().map(|(_, v)| v.count()).sum();
    assert!(
        values <= limits.max_values,
        "an event of {values} values passed max_values = {}\nevent: {event:?}",
        limits.max_values
    );
    let raw = match record.iter().find(|(f, _)| *f == FieldId::RAW) {
        Some((_, Value::Str(raw))) => raw,
        other => panic!("an event without a text _raw: {other:?}\nevent: {event:?}"),
    };
    // Blank as the readers say it: ASCII whitespace only.
    assert!(
        !raw.bytes().all(|b| b.is_ascii_whitespace()),
        "an event with a blank _raw\nevent: {event:?}"
    );
    // Input bytes behind `_raw`: at least its length less two bytes for each U+FFFD
    // (three bytes in UTF-8, one invalid byte or more in the input).
    let replaced = raw.matches('\u{fffd}').count();
    let least = raw.len() - 2 * replaced;
    let (bound, what) = match format {
        // The line exactly as read: checked as UTF-8, never replaced.
        InputFormat::JsonLines => (raw.len(), "bytes"),
        _ => (least, "bytes of input at least"),
    };
    assert!(
        bound <= limits.max_event_bytes,
        "an event of {bound} {what} passed max_event_bytes = {}\nevent: {event:?}",
        limits.max_event_bytes
    );
    if let Some(dropped) = event.dropped {
        assert!(dropped.count > 0, "{dropped:?}");
        assert!(
            matches!(dropped.limit, Limit::FieldNames | Limit::FieldNameBytes),
            "fields left out for a limit that is not on names: {dropped:?}"
        );
        assert_eq!(dropped.max, dropped.limit.of(limits));
        assert!(!dropped.to_string().is_empty());
    }
}

/// One skip's reason.
fn check_reason(limits: &Limits, input_len: usize, line: usize, reason: &EventError) {
    match reason {
        EventError::OverLimit { limit, max } => {
            assert!(
                !matches!(limit, Limit::FieldNames | Limit::FieldNameBytes),
                "an event skipped for a limit on names, which only leaves fields out: {reason:?}"
            );
            assert_eq!(
                *max,
                limit.of(limits),
                "a skip names a limit with another value than the one configured"
            );
        }
        EventError::Unterminated {
            skipped, resumes, ..
        } => {
            // UTF-16 input decodes to at most 3 bytes of UTF-8 for 2 bytes of input.
            assert!(
                *skipped <= 2 * input_len as u64 + 3,
                "{skipped} bytes skipped of an input of {input_len}"
            );
            if let Some(resumes) = resumes {
                assert!(
                    *resumes >= line,
                    "reading resumes before the skip: {reason:?}"
                );
            }
        }
        _ => {}
    }
}

/// The items read with aliases against those read without.
fn check_aliased(plain: &[Result<ReadEvent, ReadError>], aliased: &[Result<ReadEvent, ReadError>]) {
    assert_eq!(
        plain.len(),
        aliased.len(),
        "aliases changed the number of items"
    );
    for (p, a) in plain.iter().zip(aliased) {
        match (p, a) {
            (Ok(p), Ok(a)) => {
                assert_eq!((p.index, p.line), (a.index, a.line));
                for (field, value) in p.record.iter() {
                    assert_eq!(
                        a.record.iter().find(|(f, _)| *f == field).map(|(_, v)| v),
                        Some(value),
                        "aliases changed or removed the field {field}\nwithout: {:?}\nwith:    {:?}",
                        p.record,
                        a.record
                    );
                }
            }
            (Err(p), Err(a)) => assert_eq!(p.to_string(), a.to_string()),
            _ => panic!("aliases changed an item\nwithout: {p:?}\nwith:    {a:?}"),
        }
    }
}
