//! Windows event XML, as Splunk's `XmlWinEventLog` source type shows it.
//!
//! The input holds `<Event>` elements: one per line, pretty-printed over many lines, or
//! several on one line, optionally inside a wrapper element such as `<Events>`, with an
//! XML declaration or comments between them. Each `<Event>` is one event and its `_raw`
//! is the element's text exactly as in the input, from `<Event` to `</Event>`.
//!
//! Fields (names as Splunk Add-on for Microsoft Windows extracts them from
//! `XmlWinEventLog`, without the quotes that add-on leaves around attribute values):
//!
//! | XML | fields |
//! |---|---|
//! | `System/EventID` | `EventID` and `EventCode` (`EventID@Qualifiers` → `Qualifiers`) |
//! | `System/Provider@Name`, `@Guid`, `@EventSourceName` | `Provider`, `Guid`, `EventSourceName` |
//! | `System/TimeCreated@SystemTime` | `SystemTime`, and `_time` |
//! | `System/EventRecordID` | `EventRecordID` and `RecordNumber` |
//! | `System/Version`, `Level`, `Task`, `Opcode`, `Keywords`, `Channel`, `Computer` | the same names |
//! | `System/Correlation@ActivityID`, `@RelatedActivityID` | `ActivityID`, `RelatedActivityID` |
//! | `System/Execution@ProcessID`, `@ThreadID` | `ProcessID`, `ThreadID` |
//! | `System/Security@UserID` | `UserID` |
//! | any other `System` child | its text under its element name, its attributes under their names |
//! | `EventData/Data[@Name='X']` | `X` = the element's text (an empty element gives the empty string) |
//! | `EventData/Data` without `Name` | values of the multivalue field `Data`, in order |
//! | other `EventData` children (`Binary`) | their element name |
//! | `UserData`, and any other section | each leaf element's text under its element name |
//! | `RenderingInfo/Message` | `Message` (the rest of `RenderingInfo` is not read) |
//!
//! The provider name is `Provider`, not Splunk's bare `Name`: event data often has a
//! `Data Name='Name'` of its own, and the two would mix. A name met twice gets both
//! values (multivalue). Text is entity-decoded (`&lt;` → `<`). Namespaces are ignored:
//! elements are matched by local name.
//!
//! Errors: an `<Event>` that is not well-formed XML is a skipped event at the line of the
//! fault; an `<Event>` cut off (the input ends, or another `<Event>` starts, before its
//! `</Event>`) is a skipped event at the line where it starts, and reading resumes at the
//! next `<Event>`; text other than whitespace outside any element is reported once per run
//! of such text. Other elements outside `<Event>` (wrappers) are passed over. Invalid
//! UTF-8 is replaced with U+FFFD. An event's index counts the `<Event>` elements (and runs
//! of stray text) before it.

use std::io::{self, BufRead};

use roxmltree::{Document, Node};

use super::input::Decoder;
use super::timestamp;
use super::{EventError, ReadError, ReadEvent};
use crate::event::Record;
use crate::field::FieldId;

/// Reads `<Event>` elements; see the module docs.
pub(crate) struct XmlReader<'a> {
    input: Decoder<'a>,
    /// Bytes read and not yet dropped.
    pending: Vec<u8>,
    /// Scan position in `pending`.
    pos: usize,
    /// Lines are counted incrementally: `pending[mark]` is on line `mark_line`.
    mark: usize,
    mark_line: usize,
    /// The `<Event>` being read: its offset in `pending`.
    inside: Option<usize>,
    /// Inside a run of stray text already reported.
    in_stray: bool,
    /// The next event's index.
    index: usize,
    eof: bool,
    done: bool,
}

/// What a scan step found.
enum Found {
    /// A complete `<Event>` at `pending[start..end]`.
    Event { start: usize, end: usize },
    /// An `<Event>` starting at `start` that never ended (another one began at `pos`).
    Cut { start: usize },
    /// Stray text starting at this offset.
    Stray { at: usize },
    /// More input is needed.
    More,
}

/// What a `<` starts.
enum Markup {
    Comment,
    CData,
    Instruction,
    Declaration,
    Open { event: bool },
    Close { event: bool },
}

impl<'a> XmlReader<'a> {
    pub(crate) fn new(input: Decoder<'a>) -> Self {
        XmlReader {
            input,
            pending: Vec::new(),
            pos: 0,
            mark: 0,
            mark_line: 1,
            inside: None,
            in_stray: false,
            index: 0,
            eof: false,
            done: false,
        }
    }

    /// The 1-based line of `pending[offset]`.
    fn line_at(&mut self, offset: usize) -> usize {
        if offset >= self.mark {
            self.mark_line += newlines(&self.pending[self.mark..offset]);
            self.mark = offset;
            self.mark_line
        } else {
            self.mark_line - newlines(&self.pending[offset..self.mark])
        }
    }

    /// Drop the bytes no longer needed, keeping offsets consistent.
    fn compact(&mut self) {
        let cut = self.inside.unwrap_or(self.pos);
        if cut == 0 {
            return;
        }
        if self.mark >= cut {
            self.mark -= cut;
        } else {
            self.mark_line += newlines(&self.pending[self.mark..cut]);
            self.mark = 0;
        }
        self.pending.drain(..cut);
        self.pos -= cut;
        if let Some(start) = &mut self.inside {
            *start -= cut;
        }
    }

    /// Read more input into `pending`; false at the end.
    fn read_more(&mut self) -> io::Result<bool> {
        self.compact();
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                self.eof = true;
                return Ok(false);
            }
            let n = chunk.len();
            self.pending.extend_from_slice(chunk);
            self.input.consume(n);
            return Ok(true);
        }
    }

    /// Scan from `pos` for the next thing to report.
    fn scan(&mut self) -> Found {
        loop {
            let Some(offset) = memchr::memchr(b'<', &self.pending[self.pos..]) else {
                if self.inside.is_none() {
                    if let Some(at) = self.stray_text(self.pos, self.pending.len()) {
                        self.pos = self.pending.len();
                        return Found::Stray { at };
                    }
                }
                self.pos = self.pending.len();
                return Found::More;
            };
            let lt = self.pos + offset;
            if self.inside.is_none() {
                if let Some(at) = self.stray_text(self.pos, lt) {
                    self.pos = lt;
                    return Found::Stray { at };
                }
            }
            self.in_stray = false;
            self.pos = lt;
            let Some(markup) = classify(&self.pending[lt..]) else {
                return Found::More;
            };
            let end = match markup {
                Markup::Comment => find(&self.pending, lt + 4, b"-->"),
                Markup::CData => find(&self.pending, lt + 9, b"]]>"),
                Markup::Instruction => find(&self.pending, lt + 2, b"?>"),
                Markup::Declaration | Markup::Open { .. } | Markup::Close { .. } => {
                    tag_end(&self.pending, lt + 1)
                }
            };
            let Some(end) = end else {
                return Found::More;
            };
            match (markup, self.inside) {
                (Markup::Open { event: true }, Some(start)) if start != lt => {
                    // An `<Event>` inside an `<Event>`: the first one was cut off. The
                    // scan resumes at the new one (`pos` is still on its `<`).
                    self.inside = None;
                    return Found::Cut { start };
                }
                (Markup::Open { event: true }, None) => {
                    self.inside = Some(lt);
                    if self.pending[end - 2] == b'/' {
                        self.pos = end;
                        self.inside = None;
                        return Found::Event { start: lt, end };
                    }
                }
                (Markup::Close { event: true }, Some(start)) => {
                    self.pos = end;
                    self.inside = None;
                    return Found::Event { start, end };
                }
                _ => {}
            }
            self.pos = end;
        }
    }

    /// The offset of the first non-whitespace byte in `pending[from..to]`, if this run
    /// of stray text was not reported yet.
    fn stray_text(&mut self, from: usize, to: usize) -> Option<usize> {
        let at = from
            + self.pending[from..to]
                .iter()
                .position(|b| !b.is_ascii_whitespace())?;
        if self.in_stray {
            return None;
        }
        self.in_stray = true;
        Some(at)
    }

    fn next_index(&mut self) -> usize {
        let index = self.index;
        self.index += 1;
        index
    }
}

impl Iterator for XmlReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.scan() {
                Found::Event { start, end } => {
                    let line = self.line_at(start);
                    let index = self.next_index();
                    let text = String::from_utf8_lossy(&self.pending[start..end]).into_owned();
                    return Some(parse_event(text, index, line));
                }
                Found::Cut { start } => {
                    let line = self.line_at(start);
                    let index = self.next_index();
                    let reason = EventError::Truncated;
                    return Some(Err(ReadError::Event {
                        index,
                        line,
                        reason,
                    }));
                }
                Found::Stray { at } => {
                    let line = self.line_at(at);
                    let index = self.next_index();
                    return Some(Err(ReadError::Event {
                        index,
                        line,
                        reason: EventError::Stray,
                    }));
                }
                Found::More => {
                    if self.eof {
                        self.done = true;
                        let start = self.inside.take()?;
                        let line = self.line_at(start);
                        let index = self.next_index();
                        let reason = EventError::Truncated;
                        return Some(Err(ReadError::Event {
                            index,
                            line,
                            reason,
                        }));
                    }
                    if let Err(source) = self.read_more() {
                        self.done = true;
                        let line = self.line_at(self.pending.len());
                        return Some(Err(ReadError::Io { line, source }));
                    }
                }
            }
        }
    }
}

fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// What markup starts at `bytes[0] == b'<'`, or `None` when more bytes are needed.
fn classify(bytes: &[u8]) -> Option<Markup> {
    const PREFIXES: [(&[u8], Markup); 4] = [
        (b"<!--", Markup::Comment),
        (b"<![CDATA[", Markup::CData),
        (b"<?", Markup::Instruction),
        (b"<!", Markup::Declaration),
    ];
    for (prefix, markup) in PREFIXES {
        let n = prefix.len().min(bytes.len());
        if bytes[..n] == prefix[..n] {
            if n < prefix.len() {
                return None;
            }
            return Some(markup);
        }
    }
    let close = bytes.get(1) == Some(&b'/');
    let name_start = if close { 2 } else { 1 };
    let name_len = bytes[name_start.min(bytes.len())..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))?;
    let name = &bytes[name_start..name_start + name_len];
    let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
    let event = local == b"Event";
    Some(if close {
        Markup::Close { event }
    } else {
        Markup::Open { event }
    })
}

/// The offset just past `needle`, searching from `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let from = from.min(hay.len());
    memchr::memmem::find(&hay[from..], needle).map(|i| from + i + needle.len())
}

/// The offset just past the `>` that ends the tag whose name starts at `from`
/// (quoted attribute values may hold `>`).
fn tag_end(hay: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in hay.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            (None, _) => {}
        }
    }
    None
}

/// Build the event from the text of one `<Event>` element starting at `line`.
fn parse_event(text: String, index: usize, line: usize) -> Result<ReadEvent, ReadError> {
    let mut record = Record::with_capacity(32);
    match Document::parse(&text) {
        Ok(doc) => extract(doc.root_element(), &mut record),
        Err(e) => {
            let pos = e.pos();
            // The parser's message ends with its own " at row:column"; say it plainly.
            let message = e.to_string();
            let message = message
                .strip_suffix(&format!(" at {pos}"))
                .unwrap_or(&message);
            let message = format!(
                "{message} (row {}, column {} of the <Event> element)",
                pos.row, pos.col
            );
            let line = line + pos.row.saturating_sub(1) as usize;
            let reason = EventError::Xml { message };
            return Err(ReadError::Event {
                index,
                line,
                reason,
            });
        }
    }
    record.set_raw(text);
    Ok(ReadEvent {
        record,
        index,
        line,
    })
}

fn extract(event: Node<'_, '_>, record: &mut Record) {
    for section in event.children().filter(Node::is_element) {
        match section.tag_name().name() {
            "System" => system(section, record),
            "EventData" => event_data(section, record),
            "RenderingInfo" => {
                for child in section.children().filter(|n| n.has_tag_name("Message")) {
                    record.push(FieldId::intern("Message"), text_of(child));
                }
            }
            _ => leaves(section, record),
        }
    }
}

fn system(system: Node<'_, '_>, record: &mut Record) {
    for child in system.children().filter(Node::is_element) {
        let name = child.tag_name().name();
        let text = text_of(child);
        if !text.trim().is_empty() {
            match name {
                "EventID" => record.push(FieldId::intern("EventCode"), text.clone()),
                "EventRecordID" => record.push(FieldId::intern("RecordNumber"), text.clone()),
                _ => {}
            }
            record.push(FieldId::intern(name), text);
        }
        for attr in child.attributes() {
            let field = match (name, attr.name()) {
                ("Provider", "Name") => "Provider",
                (_, field) => field,
            };
            if (name, field) == ("TimeCreated", "SystemTime") {
                if let Some(time) = timestamp::parse_time(attr.value()) {
                    record.set_time(time);
                }
            }
            record.push(FieldId::intern(field), attr.value().to_owned());
        }
    }
}

fn event_data(data: Node<'_, '_>, record: &mut Record) {
    for child in data.children().filter(Node::is_element) {
        let text = text_of(child);
        match (child.tag_name().name(), child.attribute("Name")) {
            ("Data", Some(name)) => record.push(FieldId::intern(name), text),
            ("Data", None) => record.push(FieldId::intern("Data"), text),
            (other, _) if !text.is_empty() => record.push(FieldId::intern(other), text),
            _ => {}
        }
    }
}

/// Every leaf element below `node` with text becomes a field named after the element.
fn leaves(node: Node<'_, '_>, record: &mut Record) {
    for leaf in node
        .descendants()
        .filter(|n| n.is_element() && !n.children().any(|c| c.is_element()))
    {
        if leaf == node {
            continue;
        }
        let text = text_of(leaf);
        if !text.trim().is_empty() {
            record.push(FieldId::intern(leaf.tag_name().name()), text);
        }
    }
}

/// The text content of an element (all text below it, entity-decoded).
fn text_of(node: Node<'_, '_>) -> String {
    let mut texts = node
        .descendants()
        .filter_map(|n| if n.is_text() { n.text() } else { None });
    match (texts.next(), texts.next()) {
        (None, _) => String::new(),
        (Some(one), None) => one.to_owned(),
        (Some(first), Some(second)) => {
            let mut all = String::from(first);
            all.push_str(second);
            texts.for_each(|t| all.push_str(t));
            all
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_markup() {
        assert!(matches!(classify(b"<!-- x"), Some(Markup::Comment)));
        assert!(classify(b"<!-").is_none());
        assert!(matches!(classify(b"<![CDATA[x"), Some(Markup::CData)));
        assert!(classify(b"<![CD").is_none());
        assert!(matches!(classify(b"<?xml "), Some(Markup::Instruction)));
        assert!(matches!(
            classify(b"<!DOCTYPE x>"),
            Some(Markup::Declaration)
        ));
        assert!(matches!(
            classify(b"<Event xmlns='x'>"),
            Some(Markup::Open { event: true })
        ));
        assert!(matches!(
            classify(b"<Event>"),
            Some(Markup::Open { event: true })
        ));
        assert!(matches!(
            classify(b"<e:Event>"),
            Some(Markup::Open { event: true })
        ));
        assert!(matches!(
            classify(b"<Events>"),
            Some(Markup::Open { event: false })
        ));
        assert!(matches!(
            classify(b"<EventData>"),
            Some(Markup::Open { event: false })
        ));
        assert!(matches!(
            classify(b"</Event>"),
            Some(Markup::Close { event: true })
        ));
        assert!(matches!(
            classify(b"</Events>"),
            Some(Markup::Close { event: false })
        ));
        assert!(classify(b"<Even").is_none());
    }

    #[test]
    fn tag_end_skips_quoted_gt() {
        assert_eq!(tag_end(b"<a b='>' c=\">\">x", 1), Some(15));
        assert_eq!(tag_end(b"<a b='>", 1), None);
    }
}
