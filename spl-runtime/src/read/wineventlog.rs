//! Classic multi-line `WinEventLog` records, as Splunk shows non-XML Windows events.
//!
//! ```text
//! 11/28/2026 04:04:08 AM
//! LogName=Security
//! EventCode=4688
//! ComputerName=WS01.corp.example
//! ...
//! Message=A new process has been created.
//!
//! Creator Subject:
//!     Account Name:     alice
//! ...
//! ```
//!
//! Records: a record starts at a header line holding only a time
//! (`11/28/2026 04:04:08 AM`, see [`timestamp`]), or at the first
//! non-blank line after a blank line. A blank line ends a record, except inside its
//! `Message`, whose text has blank lines of its own: there the record runs on to the next
//! header line, or to a `LogName=` line that follows a blank line (the first line of a
//! record written without a header). Blank lines at the end of a record are not part of
//! it.
//!
//! Each record is one event:
//!
//! - `_raw` is the record's lines joined with `\n` (a `\r\n` in the input becomes `\n`), so
//!   `TERM(EventCode=4104)` finds `EventCode=4104` between line breaks;
//! - `_time` comes from the header line (read as UTC); a record without one has no `_time`;
//! - each `Key=Value` line before `Message=` gives the field `Key` (a name of
//!   `[A-Za-z_][A-Za-z0-9_]*`) with the rest of the line as its value (trailing whitespace
//!   removed): `LogName`, `EventCode`, `EventType`, `ComputerName`, `SourceName`, `Type`,
//!   `RecordNumber`, `Keywords`, `TaskCategory`, `OpCode`, `User`, `Sid`, ...;
//! - `Message` is the text after `Message=` up to the end of the record, line breaks kept;
//! - inside the message, each `Label:<space or tab>value` line gives a field, as Splunk
//!   Add-on for Microsoft Windows does for these records: the label with every run of
//!   characters other than letters and digits replaced by `_` (`Account Name` →
//!   `Account_Name`, `Process Command Line` → `Process_Command_Line`) and the value
//!   trimmed. A label starts with a letter and holds only letters, digits, spaces and
//!   `_ - ( ) / . '` (so script text such as `$a = @{ b: 1 }` gives no field); a label
//!   with an empty value (`Creator Subject:`) is a section heading and gives none. A label
//!   seen twice (4688's `Account_Name` under both subjects) is multivalued, in order.
//!
//! Automatic `key=value` extraction is not run on these records: their fields are the
//! lines above. Invalid UTF-8 is replaced with U+FFFD. An event's index counts the
//! records before it. A record over the [`Limits`](super::Limits) is a skipped event;
//! one larger than `max_event_bytes` is read through without being kept.

use super::input::{Line, Lines};
use super::timestamp;
use super::{EventError, FieldSink, Limit, ReadError, ReadEvent};
use crate::event::{Draft, Record};

/// A line of a record; `None` for a line too long to keep.
type RecordLine = Option<String>;

/// Reads classic `WinEventLog` records; see the module docs.
pub(crate) struct WinEventLogReader<'a> {
    lines: Lines<'a>,
    sink: FieldSink,
    /// A line already read that starts the next record.
    held: Option<(usize, RecordLine)>,
    /// A read error met while a record was being collected, reported after it.
    failed: Option<ReadError>,
    index: usize,
}

impl<'a> WinEventLogReader<'a> {
    pub(crate) fn new(lines: Lines<'a>, sink: FieldSink) -> Self {
        WinEventLogReader {
            lines,
            sink,
            held: None,
            failed: None,
            index: 0,
        }
    }

    fn next_line(&mut self) -> Option<Result<(usize, RecordLine), ReadError>> {
        if let Some(held) = self.held.take() {
            return Some(Ok(held));
        }
        Some(match self.lines.next_line()? {
            Ok((number, Line::Text(bytes))) => {
                Ok((number, Some(String::from_utf8_lossy(bytes).into_owned())))
            }
            Ok((number, Line::TooLong)) => Ok((number, None)),
            Err(e) => Err(e),
        })
    }
}

impl Iterator for WinEventLogReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.failed.take() {
            return Some(Err(error));
        }
        let max = self.sink.limits().max_event_bytes;
        let mut lines: Vec<String> = Vec::new();
        let mut started = false;
        // Bytes of the record so far, each line counted with a line break.
        let mut size = 0usize;
        let mut too_large = false;
        let mut start = 0;
        let mut in_message = false;
        let mut after_blank = false;
        while let Some(next) = self.next_line() {
            let (number, line) = match next {
                Ok(line) => line,
                Err(error) if !started => return Some(Err(error)),
                Err(error) => {
                    self.failed = Some(error);
                    break;
                }
            };
            let text = line.as_deref().unwrap_or("");
            let blank = line.is_some() && text.trim().is_empty();
            if started {
                if is_header(text) || (in_message && after_blank && text.starts_with("LogName=")) {
                    self.held = Some((number, line));
                    break;
                }
                if blank && !in_message {
                    break;
                }
            } else if blank {
                continue;
            } else {
                started = true;
                start = number;
            }
            in_message |= text.starts_with("Message=");
            after_blank = blank;
            match line {
                Some(line) if !too_large && size + line.len() < max.saturating_add(1) => {
                    size += line.len() + 1;
                    lines.push(line);
                }
                _ => {
                    too_large = true;
                    lines = Vec::new();
                }
            }
        }
        if !started {
            return self.failed.take().map(Err);
        }
        let index = self.index;
        self.index += 1;
        let fail = |reason| {
            Some(Err(ReadError::Event {
                index,
                line: start,
                reason,
            }))
        };
        if too_large {
            return fail(self.sink.over(Limit::EventBytes));
        }
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        self.sink.start();
        match build(&lines, &mut self.sink) {
            Ok(record) => Some(Ok(ReadEvent {
                record,
                index,
                line: start,
                dropped: self.sink.dropped(),
            })),
            Err(reason) => fail(reason),
        }
    }
}

/// True for a line that holds only a record header time.
pub(crate) fn is_header(line: &str) -> bool {
    let line = line.trim();
    line.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && timestamp::parse_us_datetime(line).is_some()
}

fn build(lines: &[String], sink: &mut FieldSink) -> Result<Record, EventError> {
    let mut record = Draft::with_capacity(32);
    record.set_raw(lines.join("\n"));
    let mut body = lines;
    if let Some(time) = lines
        .first()
        .and_then(|l| timestamp::parse_us_datetime(l.trim()))
    {
        record.set_time(time);
        body = &lines[1..];
    }
    for (i, line) in body.iter().enumerate() {
        if let Some(first) = line.strip_prefix("Message=") {
            message(first, &body[i + 1..], &mut record, sink)?;
            break;
        }
        if let Some((key, value)) = line.split_once('=') {
            if is_key(key) {
                sink.push(&mut record, key, value.trim_end().to_owned())?;
            }
        }
    }
    Ok(record.finish())
}

fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn message(
    first: &str,
    rest: &[String],
    record: &mut Draft,
    sink: &mut FieldSink,
) -> Result<(), EventError> {
    let mut text = String::from(first);
    for line in rest {
        text.push('\n');
        text.push_str(line);
    }
    let len = text.trim_end().len();
    text.truncate(len);
    for line in std::iter::once(first).chain(rest.iter().map(String::as_str)) {
        if let Some((label, value)) = labelled(line) {
            sink.push(record, &clean_label(label), value.to_owned())?;
        }
    }
    sink.push(record, "Message", text)
}

/// A `Label:<space or tab>value` line's label and value.
fn labelled(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let (label, rest) = line.split_once(':')?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let value = rest.trim();
    let valid = label.len() <= 64
        && label
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" _-()/.'".contains(&b));
    (valid && !value.is_empty()).then_some((label, value))
}

/// `Process Command Line` → `Process_Command_Line`.
fn clean_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            labelled("\tAccount Name:\t\talice"),
            Some(("Account Name", "alice"))
        );
        assert_eq!(
            labelled("\tNew Process Name:\tC:\\x\\pip.exe"),
            Some(("New Process Name", "C:\\x\\pip.exe"))
        );
        assert_eq!(labelled("Creator Subject:"), None);
        assert_eq!(labelled("Path: "), None);
        assert_eq!(labelled("Get-Item C:\\x"), None);
        assert_eq!(labelled("$a = @{ b: 1 }"), None);
        assert_eq!(clean_label("Process Command Line"), "Process_Command_Line");
        assert_eq!(
            clean_label("Network Address (IPv4)"),
            "Network_Address_IPv4"
        );
        assert_eq!(clean_label("Logon ID"), "Logon_ID");
    }

    #[test]
    fn headers() {
        assert!(is_header("11/28/2026 04:04:08 AM"));
        assert!(is_header("11/28/2026 04:04:08 AM  "));
        assert!(!is_header("11/28/2026 04:04:08 AM x"));
        assert!(!is_header("LogName=Security"));
    }

    #[test]
    fn keys() {
        assert!(is_key("EventCode"));
        assert!(is_key("_x1"));
        assert!(!is_key("Event Code"));
        assert!(!is_key(""));
        assert!(!is_key("1a"));
    }
}
