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
//! records before it.

use super::input::Lines;
use super::timestamp;
use super::{ReadError, ReadEvent};
use crate::event::Record;
use crate::field::FieldId;

/// Reads classic `WinEventLog` records; see the module docs.
pub(crate) struct WinEventLogReader<'a> {
    lines: Lines<'a>,
    /// A line already read that starts the next record.
    held: Option<(usize, String)>,
    /// A read error met while a record was being collected, reported after it.
    failed: Option<ReadError>,
    index: usize,
}

impl<'a> WinEventLogReader<'a> {
    pub(crate) fn new(lines: Lines<'a>) -> Self {
        WinEventLogReader {
            lines,
            held: None,
            failed: None,
            index: 0,
        }
    }

    fn next_line(&mut self) -> Option<Result<(usize, String), ReadError>> {
        if let Some(held) = self.held.take() {
            return Some(Ok(held));
        }
        Some(match self.lines.next_line()? {
            Ok((number, bytes)) => Ok((number, String::from_utf8_lossy(bytes).into_owned())),
            Err(source) => Err(ReadError::Io {
                line: self.lines.next_number(),
                source,
            }),
        })
    }
}

impl Iterator for WinEventLogReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.failed.take() {
            return Some(Err(error));
        }
        let mut lines: Vec<String> = Vec::new();
        let mut start = 0;
        let mut in_message = false;
        let mut after_blank = false;
        while let Some(next) = self.next_line() {
            let (number, line) = match next {
                Ok(line) => line,
                Err(error) if lines.is_empty() => return Some(Err(error)),
                Err(error) => {
                    self.failed = Some(error);
                    break;
                }
            };
            let blank = line.trim().is_empty();
            if lines.is_empty() {
                if !blank {
                    start = number;
                    in_message = line.starts_with("Message=");
                    lines.push(line);
                }
                continue;
            }
            if is_header(&line) || (in_message && after_blank && line.starts_with("LogName=")) {
                self.held = Some((number, line));
                break;
            }
            if blank && !in_message {
                break;
            }
            in_message |= line.starts_with("Message=");
            after_blank = blank;
            lines.push(line);
        }
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        if lines.is_empty() {
            return self.failed.take().map(Err);
        }
        let index = self.index;
        self.index += 1;
        Some(Ok(ReadEvent {
            record: build(&lines),
            index,
            line: start,
        }))
    }
}

/// True for a line that holds only a record header time.
pub(crate) fn is_header(line: &str) -> bool {
    let line = line.trim();
    line.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && timestamp::parse_us_datetime(line).is_some()
}

fn build(lines: &[String]) -> Record {
    let mut record = Record::with_capacity(32);
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
            message(first, &body[i + 1..], &mut record);
            break;
        }
        if let Some((key, value)) = line.split_once('=') {
            if is_key(key) {
                record.push(FieldId::intern(key), value.trim_end().to_owned());
            }
        }
    }
    record
}

fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn message(first: &str, rest: &[String], record: &mut Record) {
    let mut text = String::from(first);
    for line in rest {
        text.push('\n');
        text.push_str(line);
    }
    let len = text.trim_end().len();
    text.truncate(len);
    for line in std::iter::once(first).chain(rest.iter().map(String::as_str)) {
        if let Some((label, value)) = labelled(line) {
            record.push(FieldId::intern(&clean_label(label)), value.to_owned());
        }
    }
    record.push(FieldId::intern("Message"), text);
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
