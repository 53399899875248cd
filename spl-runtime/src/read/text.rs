//! Plain text: one event per line.
//!
//! `_raw` is the line without its terminator (`\n` or `\r\n`). Fields come from the
//! automatic `key=value` extraction of [`kv`]. `_time` is read from a
//! timestamp at the very start of the line (ISO 8601, or `11/28/2026 04:04:08 AM`); a
//! line without one has no `_time`. Blank lines (empty or whitespace only) are not
//! events. Invalid UTF-8 is replaced with U+FFFD. An event's index counts the events
//! before it (blank lines do not count). A line over the [`Limits`](super::Limits) is a
//! skipped event.

use super::input::{Line, Lines};
use super::{kv, timestamp, FieldSink, Limit, ReadError, ReadEvent};
use crate::event::Draft;

/// Reads one event per line; see the module docs.
pub(crate) struct TextReader<'a> {
    lines: Lines<'a>,
    sink: FieldSink,
    index: usize,
}

impl<'a> TextReader<'a> {
    pub(crate) fn new(lines: Lines<'a>, sink: FieldSink) -> Self {
        TextReader {
            lines,
            sink,
            index: 0,
        }
    }
}

impl Iterator for TextReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, bytes) = match self.lines.next_line()? {
                Ok(line) => line,
                Err(e) => return Some(Err(e)),
            };
            let index = self.index;
            let bytes = match bytes {
                Line::Text(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => continue,
                Line::Text(bytes) => bytes,
                Line::TooLong => {
                    self.index += 1;
                    let reason = self.sink.over(Limit::EventBytes);
                    return Some(Err(ReadError::Event {
                        index,
                        line,
                        reason,
                    }));
                }
            };
            self.index += 1;
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut record = Draft::default();
            record.set_raw(text.clone());
            if let Some(time) = timestamp::parse_leading_time(&text) {
                record.set_time(time);
            }
            self.sink.start();
            let mut over = None;
            kv::for_each_pair(&text, |key, value| {
                if over.is_none() {
                    over = self.sink.push(&mut record, key, value.to_owned()).err();
                }
            });
            if let Some(reason) = over {
                return Some(Err(ReadError::Event {
                    index,
                    line,
                    reason,
                }));
            }
            return Some(Ok(ReadEvent {
                record: record.finish(),
                index,
                line,
                dropped: self.sink.dropped(),
            }));
        }
    }
}
