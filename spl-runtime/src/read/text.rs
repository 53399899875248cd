//! Plain text: one event per line.
//!
//! `_raw` is the line without its terminator (`\n` or `\r\n`). Fields come from the
//! automatic `key=value` extraction of [`kv`]. `_time` is read from a
//! timestamp at the very start of the line (ISO 8601, or `11/28/2026 04:04:08 AM`); a
//! line without one has no `_time`. Blank lines (empty or whitespace only) are not
//! events. Invalid UTF-8 is replaced with U+FFFD. An event's index counts the events
//! before it (blank lines do not count).

use super::input::Lines;
use super::{kv, timestamp, ReadError, ReadEvent};
use crate::event::Record;

/// Reads one event per line; see the module docs.
pub(crate) struct TextReader<'a> {
    lines: Lines<'a>,
    index: usize,
}

impl<'a> TextReader<'a> {
    pub(crate) fn new(lines: Lines<'a>) -> Self {
        TextReader { lines, index: 0 }
    }
}

impl Iterator for TextReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, bytes) = match self.lines.next_line()? {
                Ok(line) => line,
                Err(source) => {
                    let line = self.lines.next_number();
                    return Some(Err(ReadError::Io { line, source }));
                }
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut record = Record::new();
            record.set_raw(text.clone());
            if let Some(time) = timestamp::parse_leading_time(&text) {
                record.set_time(time);
            }
            kv::extract_into(&text, &mut record);
            let index = self.index;
            self.index += 1;
            return Some(Ok(ReadEvent {
                record,
                index,
                line,
            }));
        }
    }
}
