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
//! # Finding events
//!
//! A scanner finds each `<Event>` element's extent before an XML parser reads it. It
//! reads the input once: its place in a tag, comment or any other markup is kept across
//! reads, so time is linear in the input, however large one tag, attribute value or
//! comment is. It keeps in memory only the `<Event>` being read (at most
//! [`Limits::max_event_bytes`](super::Limits::max_event_bytes)) and, inside markup that
//! has not ended yet, what it needs to resume.
//!
//! Errors, each a skipped event reported with the line where it starts:
//!
//! - an `<Event>` that is not well-formed XML is skipped at the line of the fault;
//! - an `<Event>` cut off (the input ends, or another `<Event>` starts, before its
//!   `</Event>`) is skipped, and reading resumes at the next `<Event>`;
//! - text other than whitespace outside any element is reported once per run of text;
//! - markup that never ends: a comment, CDATA section or processing instruction whose
//!   end (`-->`, `]]>`, `?>`) does not come before the end of the input or within
//!   `max_event_bytes` of its start, or a tag that holds a `<` (as an unclosed attribute
//!   quote does; `<` is not allowed in a tag). Such markup cannot hide the events after
//!   it: what lies between its start and the next `<Event` is skipped, counted in bytes
//!   and reported ([`EventError::Unterminated`]), and reading resumes there. A comment
//!   that does end keeps its meaning, even around an `<Event>` (commented out);
//! - an `<Event>` larger than `max_event_bytes`, nested deeper than `max_depth`, or with
//!   an element of more than `max_attributes` attributes is skipped without being parsed,
//!   and one that parses into more than `max_values` nodes is skipped as soon as the
//!   parser passes that ([`EventError::OverLimit`]).
//!
//! Other elements outside `<Event>` (wrappers) are passed over. Invalid UTF-8 is replaced
//! with U+FFFD. An event's index counts the `<Event>` elements (and reported skips) before
//! it.

use std::fmt;
use std::io::{self, BufRead};

use memchr::memmem;
use roxmltree::{Document, Node, ParsingOptions};

use super::input::Decoder;
use super::timestamp;
use super::{EventError, FieldSink, Limit, ReadError, ReadEvent};
use crate::event::Draft;

/// Event XML markup that must end with a delimiter of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Construct {
    /// `<!-- ... -->`.
    Comment,
    /// `<![CDATA[ ... ]]>`.
    CData,
    /// `<? ... ?>`.
    Instruction,
    /// `< ... >`: an element tag or a declaration.
    Tag,
}

impl fmt::Display for Construct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Construct::Comment => "comment (`<!--` without `-->`)",
            Construct::CData => "CDATA section (`<![CDATA[` without `]]>`)",
            Construct::Instruction => "processing instruction (`<?` without `?>`)",
            Construct::Tag => "tag (`<` without `>`)",
        })
    }
}

impl Construct {
    /// The delimiter that ends a comment, CDATA section or processing instruction.
    fn end(self) -> &'static [u8] {
        match self {
            Construct::Comment => b"-->",
            Construct::CData => b"]]>",
            Construct::Instruction => b"?>",
            Construct::Tag => b">",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// Reads `<Event>` elements; see the module docs.
pub(crate) struct XmlReader<'a> {
    input: Decoder<'a>,
    sink: FieldSink,
    /// Bytes read and not yet dropped.
    pending: Vec<u8>,
    /// Bytes dropped from the front of `pending` so far: an offset in `pending` plus
    /// this is an offset in the input.
    dropped: u64,
    /// In [`State::Text`], where the scan goes on.
    pos: usize,
    /// Lines are counted incrementally: `pending[mark]` is on line `mark_line`.
    mark: usize,
    mark_line: usize,
    state: State,
    /// The `<Event>` being read.
    event: Option<OpenEvent>,
    /// For each delimited construct (by [`Construct::slot`]): no end delimiter of that
    /// kind starts in `pending` between the start of the last one that never ended and
    /// this offset.
    clear: [usize; 4],
    /// Inside a run of stray text already reported.
    in_stray: bool,
    /// The next event's index.
    index: usize,
    eof: bool,
    done: bool,
}

/// Where the scanner is.
enum State {
    /// Between markup, at `pos`.
    Text,
    /// Inside a tag or declaration.
    Tag(Tag),
    /// Inside a comment, CDATA section or processing instruction.
    Delimited(Delimited),
    /// Passing over the input up to the next `<Event`.
    Skip(Skip),
}

struct OpenEvent {
    /// Offset of its `<`.
    start: usize,
    /// Elements open, the `<Event>` included.
    depth: usize,
    /// Why it will be skipped, when a limit was passed.
    over: Option<EventError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TagKind {
    Open,
    Close,
    Declaration,
}

struct Tag {
    kind: TagKind,
    /// Offset of its `<`.
    start: usize,
    /// Where the scan of the tag goes on.
    at: usize,
    /// Inside a quoted attribute value, with this quote.
    quote: Option<u8>,
    /// The end of its name, once seen.
    name_end: Option<usize>,
    /// `=` signs outside quotes: its attributes.
    attributes: usize,
}

struct Delimited {
    construct: Construct,
    /// Offset of its `<` in the input, and its line.
    start: u64,
    line: usize,
    /// The search for its end delimiter goes on here.
    end_from: usize,
    /// The first `<Event` inside it, where reading resumes if it never ends.
    candidate: Option<usize>,
    /// Until one is found, the search for it goes on here.
    candidate_from: usize,
}

struct Skip {
    /// The search for the next `<Event` goes on here.
    from: usize,
    /// Markup that never ended, reported when the skip ends.
    report: Option<Unended>,
}

/// Markup that never ended, to report.
struct Unended {
    construct: Construct,
    /// Offset in the input and line of its start.
    start: u64,
    line: usize,
}

/// What a `<` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    Delimited(Construct),
    Tag(TagKind),
}

/// Where the next `<Event` is.
#[derive(Debug, PartialEq, Eq)]
enum Candidate {
    /// At this offset.
    At(usize),
    /// Maybe at this offset: more bytes are needed to tell.
    Partial(usize),
    /// Not in the bytes read.
    None,
}

impl<'a> XmlReader<'a> {
    pub(crate) fn new(input: Decoder<'a>, sink: FieldSink) -> Self {
        XmlReader {
            input,
            sink,
            pending: Vec::new(),
            dropped: 0,
            pos: 0,
            mark: 0,
            mark_line: 1,
            state: State::Text,
            event: None,
            clear: [0; 4],
            in_stray: false,
            index: 0,
            eof: false,
            done: false,
        }
    }

    /// The table of names and the limits this reader used, to lend to another.
    pub(crate) fn into_sink(self) -> FieldSink {
        self.sink
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

    /// The input offset of `pending[offset]`.
    fn absolute(&self, offset: usize) -> u64 {
        self.dropped + offset as u64
    }

    fn next_index(&mut self) -> usize {
        let index = self.index;
        self.index += 1;
        index
    }

    fn skipped(&mut self, line: usize, reason: EventError) -> Result<ReadEvent, ReadError> {
        let index = self.next_index();
        Err(ReadError::Event {
            index,
            line,
            reason,
        })
    }

    /// Report markup that never ended, skipped from `start` (an input offset) to `to`
    /// (an offset in `pending`, where reading resumes, or `None` for the end of input).
    fn unended(&mut self, unended: Unended, to: Option<usize>) -> Result<ReadEvent, ReadError> {
        let end = to.unwrap_or(self.pending.len());
        let skipped = self.absolute(end).saturating_sub(unended.start);
        let resumes = to.map(|at| self.line_at(at));
        let reason = EventError::Unterminated {
            construct: unended.construct,
            skipped,
            resumes,
        };
        self.skipped(unended.line, reason)
    }

    /// Go on reading at the `<Event` at `at`.
    fn resync(&mut self, at: usize) {
        let line = self.line_at(at);
        self.mark = at;
        self.mark_line = line;
        self.pos = at;
        self.state = State::Text;
        self.in_stray = false;
    }

    /// What is being skipped because of the markup `construct`, or the `<Event>` around
    /// it, as a report.
    fn unended_here(&mut self, construct: Construct, start: u64, line: usize) -> Unended {
        match self.event.take() {
            Some(event) => Unended {
                construct,
                start: self.absolute(event.start),
                line: self.line_at(event.start),
            },
            None => Unended {
                construct,
                start,
                line,
            },
        }
    }

    /// Drop the bytes no longer needed, keeping offsets consistent.
    fn compact(&mut self) {
        let keep = match &self.state {
            State::Text => self.pos,
            State::Tag(tag) => tag.start,
            State::Delimited(d) => d.candidate.unwrap_or(d.candidate_from).min(d.end_from),
            State::Skip(skip) => skip.from,
        };
        let cut = self.event.as_ref().map_or(keep, |e| e.start.min(keep));
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
        self.dropped += cut as u64;
        self.pos = self.pos.saturating_sub(cut);
        for clear in &mut self.clear {
            *clear = clear.saturating_sub(cut);
        }
        if let Some(event) = &mut self.event {
            event.start -= cut;
        }
        match &mut self.state {
            State::Text => {}
            State::Tag(tag) => {
                tag.start -= cut;
                tag.at -= cut;
                tag.name_end = tag.name_end.map(|e| e - cut);
            }
            State::Delimited(d) => {
                d.end_from -= cut;
                d.candidate_from -= cut;
                d.candidate = d.candidate.map(|c| c - cut);
            }
            State::Skip(skip) => skip.from -= cut,
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

    /// Scan `pending` from where the scanner is; `None` when all of it is scanned.
    fn scan(&mut self) -> Option<Result<ReadEvent, ReadError>> {
        loop {
            let state = std::mem::replace(&mut self.state, State::Text);
            let step = match state {
                State::Text => self.text(),
                State::Tag(tag) => self.tag(tag),
                State::Delimited(d) => self.delimited(d),
                State::Skip(skip) => self.skip(skip),
            };
            match step {
                Step::Continue => {}
                Step::More => return None,
                Step::Item(item) => return Some(item),
            }
        }
    }

    fn text(&mut self) -> Step {
        let len = self.pending.len();
        let Some(offset) = memchr::memchr(b'<', &self.pending[self.pos..]) else {
            let stray = self.event.is_none() && self.stray_text(self.pos, len);
            let at = self.pos;
            self.pos = len;
            if stray {
                return self.stray(at);
            }
            return Step::More;
        };
        let lt = self.pos + offset;
        if self.event.is_none() && self.stray_text(self.pos, lt) {
            let at = self.pos;
            self.pos = lt;
            return self.stray(at);
        }
        self.in_stray = false;
        self.pos = lt;
        let Some(prefix) = prefix(&self.pending[lt..]) else {
            return Step::More;
        };
        self.state = match prefix {
            Prefix::Delimited(construct) => {
                let body = lt + construct_prefix_len(construct);
                State::Delimited(Delimited {
                    construct,
                    start: self.absolute(lt),
                    line: self.line_at(lt),
                    end_from: body,
                    candidate: None,
                    candidate_from: body,
                })
            }
            Prefix::Tag(kind) => State::Tag(Tag {
                kind,
                start: lt,
                at: lt + if kind == TagKind::Open { 1 } else { 2 },
                quote: None,
                name_end: None,
                attributes: 0,
            }),
        };
        Step::Continue
    }

    /// Report stray text starting around `from`.
    fn stray(&mut self, from: usize) -> Step {
        let at = from
            + self.pending[from..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
        let line = self.line_at(at);
        Step::Item(self.skipped(line, EventError::Stray))
    }

    /// True when `pending[from..to]` holds more than whitespace and this run of stray
    /// text was not reported yet.
    fn stray_text(&mut self, from: usize, to: usize) -> bool {
        if self.pending[from..to].iter().all(u8::is_ascii_whitespace) || self.in_stray {
            return false;
        }
        self.in_stray = true;
        true
    }

    fn tag(&mut self, mut tag: Tag) -> Step {
        let bytes = &self.pending;
        let mut i = tag.at;
        let end = loop {
            if let Some(quote) = tag.quote {
                match memchr::memchr2(quote, b'<', &bytes[i..]) {
                    Some(k) if bytes[i + k] == quote => {
                        tag.quote = None;
                        i += k + 1;
                        continue;
                    }
                    Some(k) => return self.broken_tag(tag, i + k),
                    None => {
                        tag.at = bytes.len();
                        self.state = State::Tag(tag);
                        return Step::More;
                    }
                }
            }
            let Some(&b) = bytes.get(i) else {
                tag.at = i;
                self.state = State::Tag(tag);
                return Step::More;
            };
            if tag.name_end.is_none() && (b.is_ascii_whitespace() || b"/>\"'=".contains(&b)) {
                tag.name_end = Some(i);
            }
            match b {
                b'>' => break i + 1,
                b'<' => return self.broken_tag(tag, i),
                b'"' | b'\'' => tag.quote = Some(b),
                b'=' => tag.attributes += 1,
                _ => {}
            }
            i += 1;
        };
        self.pos = end;
        if tag.kind == TagKind::Declaration {
            return Step::Continue;
        }
        let name_start = tag.start + if tag.kind == TagKind::Open { 1 } else { 2 };
        let name_end = tag.name_end.unwrap_or(end - 1).max(name_start);
        let event = is_event_name(&self.pending[name_start..name_end]);
        let limits = *self.sink.limits();
        let self_closing = tag.kind == TagKind::Open && self.pending[end - 2] == b'/';
        match (tag.kind, event, &mut self.event) {
            (TagKind::Open, true, Some(open)) => {
                // An `<Event>` inside an `<Event>`: the first one was cut off. The scan
                // resumes at the new one.
                let start = open.start;
                self.event = None;
                self.pos = tag.start;
                let line = self.line_at(start);
                return Step::Item(self.skipped(line, EventError::Truncated));
            }
            (TagKind::Open, true, None) => {
                let mut open = OpenEvent {
                    start: tag.start,
                    depth: 1,
                    over: None,
                };
                if tag.attributes > limits.max_attributes {
                    open.over = Some(self.sink.over(Limit::Attributes));
                }
                if self_closing {
                    return Step::Item(self.emit(open, end));
                }
                self.event = Some(open);
                return Step::Continue;
            }
            (TagKind::Close, true, event) => {
                if let Some(open) = event.take() {
                    return Step::Item(self.emit(open, end));
                }
                return Step::Continue;
            }
            (TagKind::Open, false, Some(open)) if !self_closing => {
                open.depth += 1;
                if open.depth > limits.max_depth {
                    open.over.get_or_insert(self.sink.over(Limit::Depth));
                }
            }
            (TagKind::Close, false, Some(open)) => open.depth = open.depth.saturating_sub(1),
            _ => {}
        }
        if tag.attributes > limits.max_attributes {
            if let Some(open) = &mut self.event {
                open.over.get_or_insert(self.sink.over(Limit::Attributes));
            }
        }
        Step::Continue
    }

    /// A tag that holds a `<` at `at`: not well-formed. Inside an `<Event>` the XML
    /// parser reports it; outside, it is reported here. The scan resumes at the `<`.
    fn broken_tag(&mut self, tag: Tag, at: usize) -> Step {
        self.pos = at;
        if self.event.is_some() {
            return Step::Continue;
        }
        let unended = Unended {
            construct: Construct::Tag,
            start: self.absolute(tag.start),
            line: self.line_at(tag.start),
        };
        let skipped = (at - tag.start) as u64;
        let resumes = Some(self.line_at(at));
        let reason = EventError::Unterminated {
            construct: unended.construct,
            skipped,
            resumes,
        };
        Step::Item(self.skipped(unended.line, reason))
    }

    fn delimited(&mut self, mut d: Delimited) -> Step {
        let end = d.construct.end();
        let from = d.end_from.max(self.clear[d.construct.slot()]);
        if let Some(at) = memmem::find(&self.pending[from..], end) {
            self.pos = from + at + end.len();
            return Step::Continue;
        }
        d.end_from = from.max(self.pending.len().saturating_sub(end.len() - 1));
        if d.candidate.is_none() {
            match find_event_start(&self.pending, d.candidate_from) {
                Candidate::At(at) => {
                    d.candidate = Some(at);
                    d.candidate_from = at;
                }
                Candidate::Partial(at) => d.candidate_from = at,
                Candidate::None => d.candidate_from = self.pending.len(),
            }
        }
        self.state = State::Delimited(d);
        Step::More
    }

    fn skip(&mut self, mut skip: Skip) -> Step {
        match find_event_start(&self.pending, skip.from) {
            Candidate::At(at) => {
                let item = skip
                    .report
                    .take()
                    .map(|unended| self.unended(unended, Some(at)));
                self.resync(at);
                match item {
                    Some(item) => Step::Item(item),
                    None => Step::Continue,
                }
            }
            Candidate::Partial(at) => {
                skip.from = at;
                self.state = State::Skip(skip);
                Step::More
            }
            Candidate::None => {
                skip.from = self.pending.len();
                self.state = State::Skip(skip);
                Step::More
            }
        }
    }

    /// The `<Event>` being read ends at `end`: parse it, or report why not.
    fn emit(&mut self, open: OpenEvent, end: usize) -> Result<ReadEvent, ReadError> {
        let line = self.line_at(open.start);
        if let Some(reason) = open.over {
            return self.skipped(line, reason);
        }
        if end - open.start > self.sink.limits().max_event_bytes {
            let reason = self.sink.over(Limit::EventBytes);
            return self.skipped(line, reason);
        }
        let index = self.next_index();
        let text = String::from_utf8_lossy(&self.pending[open.start..end]).into_owned();
        self.sink.start();
        parse_event(text, index, line, &mut self.sink)
    }

    /// With all of `pending` scanned: stop holding what a limit does not allow.
    fn check_size(&mut self) -> Option<Result<ReadEvent, ReadError>> {
        let max = self.sink.limits().max_event_bytes as u64;
        let end = self.absolute(self.pending.len());
        let held_from = |start: u64| end - start > max;
        if let Some(open) = &self.event {
            if !held_from(self.absolute(open.start)) {
                return None;
            }
            let line = self.line_at(open.start);
            self.event = None;
            let reason = self.sink.over(Limit::EventBytes);
            let item = self.skipped(line, reason);
            match std::mem::replace(&mut self.state, State::Text) {
                State::Delimited(Delimited {
                    candidate: Some(at),
                    ..
                }) => self.resync(at),
                state => {
                    let from = match &state {
                        State::Text => self.pos,
                        State::Tag(tag) => tag.at,
                        State::Delimited(d) => d.candidate_from,
                        State::Skip(skip) => skip.from,
                    };
                    self.state = State::Skip(Skip { from, report: None });
                }
            }
            return Some(item);
        }
        match std::mem::replace(&mut self.state, State::Text) {
            State::Delimited(d) if held_from(d.start) => {
                self.clear[d.construct.slot()] = d.end_from;
                let unended = Unended {
                    construct: d.construct,
                    start: d.start,
                    line: d.line,
                };
                if let Some(at) = d.candidate {
                    let item = self.unended(unended, Some(at));
                    self.resync(at);
                    return Some(item);
                }
                self.state = State::Skip(Skip {
                    from: d.candidate_from,
                    report: Some(unended),
                });
            }
            State::Tag(tag) if held_from(self.absolute(tag.start)) => {
                let unended = Unended {
                    construct: Construct::Tag,
                    start: self.absolute(tag.start),
                    line: self.line_at(tag.start),
                };
                self.state = State::Skip(Skip {
                    from: tag.at,
                    report: Some(unended),
                });
            }
            state => self.state = state,
        }
        None
    }

    /// At the end of input, with all of `pending` scanned: what is left to report.
    /// Reading may resume inside markup that never ended.
    fn finish(&mut self) -> Option<Result<ReadEvent, ReadError>> {
        match std::mem::replace(&mut self.state, State::Text) {
            State::Delimited(d) => {
                self.clear[d.construct.slot()] = d.end_from;
                let unended = self.unended_here(d.construct, d.start, d.line);
                if let Some(at) = d.candidate {
                    let item = self.unended(unended, Some(at));
                    self.resync(at);
                    return Some(item);
                }
                self.done = true;
                Some(self.unended(unended, None))
            }
            State::Skip(skip) => {
                self.done = true;
                skip.report.map(|unended| self.unended(unended, None))
            }
            state => {
                self.done = true;
                if let Some(open) = self.event.take() {
                    let line = self.line_at(open.start);
                    return Some(self.skipped(line, EventError::Truncated));
                }
                // Markup begun at the very end: a tag without its `>`, or a lone `<`.
                let start = match state {
                    State::Tag(tag) => tag.start,
                    _ if self.pos < self.pending.len() => self.pos,
                    _ => return None,
                };
                let unended = Unended {
                    construct: Construct::Tag,
                    start: self.absolute(start),
                    line: self.line_at(start),
                };
                Some(self.unended(unended, None))
            }
        }
    }
}

/// What one step of the scan gave.
enum Step {
    /// Go on scanning.
    Continue,
    /// All of `pending` is scanned.
    More,
    /// Something to hand out.
    Item(Result<ReadEvent, ReadError>),
}

impl Iterator for XmlReader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some(item) = self.scan() {
                return Some(item);
            }
            if let Some(item) = self.check_size() {
                return Some(item);
            }
            if self.eof {
                if let Some(item) = self.finish() {
                    return Some(item);
                }
                continue;
            }
            if let Err(source) = self.read_more() {
                self.done = true;
                let line = self.line_at(self.pending.len());
                return Some(Err(ReadError::Io { line, source }));
            }
        }
    }
}

fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// How many bytes open a delimited construct.
fn construct_prefix_len(construct: Construct) -> usize {
    match construct {
        Construct::Comment => 4,
        Construct::CData => 9,
        Construct::Instruction | Construct::Tag => 2,
    }
}

/// What markup starts at `bytes[0] == b'<'`, or `None` when more bytes are needed.
fn prefix(bytes: &[u8]) -> Option<Prefix> {
    const PREFIXES: [(&[u8], Prefix); 5] = [
        (b"<!--", Prefix::Delimited(Construct::Comment)),
        (b"<![CDATA[", Prefix::Delimited(Construct::CData)),
        (b"<?", Prefix::Delimited(Construct::Instruction)),
        (b"</", Prefix::Tag(TagKind::Close)),
        (b"<!", Prefix::Tag(TagKind::Declaration)),
    ];
    for (text, prefix) in PREFIXES {
        let n = text.len().min(bytes.len());
        if bytes[..n] == text[..n] {
            return (n == text.len()).then_some(prefix);
        }
    }
    (bytes.len() > 1).then_some(Prefix::Tag(TagKind::Open))
}

/// The longest element name that can be `Event` with a namespace prefix.
const MAX_EVENT_NAME: usize = 64;

/// True for an element name whose local part is `Event`.
fn is_event_name(name: &[u8]) -> bool {
    name.len() <= MAX_EVENT_NAME && name.rsplit(|b| *b == b':').next() == Some(b"Event")
}

/// The first `<Event` start tag in `bytes` from `from`.
fn find_event_start(bytes: &[u8], from: usize) -> Candidate {
    let mut at = from;
    while let Some(offset) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + offset;
        let name = &bytes[lt + 1..];
        let end = name
            .iter()
            .take(MAX_EVENT_NAME + 1)
            .position(|b| b.is_ascii_whitespace() || b"/><".contains(b));
        match end {
            Some(end) if is_event_name(&name[..end]) && end > 0 => return Candidate::At(lt),
            None if name.len() <= MAX_EVENT_NAME => return Candidate::Partial(lt),
            _ => at = lt + 1,
        }
    }
    Candidate::None
}

/// Build the event from the text of one `<Event>` element starting at `line`.
fn parse_event(
    text: String,
    index: usize,
    line: usize,
    sink: &mut FieldSink,
) -> Result<ReadEvent, ReadError> {
    let mut record = Draft::with_capacity(32);
    let options = ParsingOptions {
        nodes_limit: u32::try_from(sink.limits().max_values).unwrap_or(u32::MAX),
        ..ParsingOptions::default()
    };
    match Document::parse_with_options(&text, options) {
        Ok(doc) => {
            if let Err(reason) = extract(doc.root_element(), &mut record, sink) {
                return Err(ReadError::Event {
                    index,
                    line,
                    reason,
                });
            }
        }
        Err(roxmltree::Error::NodesLimitReached) => {
            return Err(ReadError::Event {
                index,
                line,
                reason: sink.over(Limit::Values),
            });
        }
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
        record: record.finish(),
        index,
        line,
        dropped: sink.dropped(),
    })
}

type Extracted = Result<(), EventError>;

fn extract(event: Node<'_, '_>, record: &mut Draft, sink: &mut FieldSink) -> Extracted {
    for section in event.children().filter(Node::is_element) {
        match section.tag_name().name() {
            "System" => system(section, record, sink)?,
            "EventData" => event_data(section, record, sink)?,
            "RenderingInfo" => {
                for child in section.children().filter(|n| n.has_tag_name("Message")) {
                    sink.push(record, "Message", text_of(child))?;
                }
            }
            _ => leaves(section, record, sink)?,
        }
    }
    Ok(())
}

fn system(system: Node<'_, '_>, record: &mut Draft, sink: &mut FieldSink) -> Extracted {
    for child in system.children().filter(Node::is_element) {
        let name = child.tag_name().name();
        let text = text_of(child);
        if !text.trim().is_empty() {
            match name {
                "EventID" => sink.push(record, "EventCode", text.clone())?,
                "EventRecordID" => sink.push(record, "RecordNumber", text.clone())?,
                _ => {}
            }
            sink.push(record, name, text)?;
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
            sink.push(record, field, attr.value().to_owned())?;
        }
    }
    Ok(())
}

fn event_data(data: Node<'_, '_>, record: &mut Draft, sink: &mut FieldSink) -> Extracted {
    for child in data.children().filter(Node::is_element) {
        let text = text_of(child);
        match (child.tag_name().name(), child.attribute("Name")) {
            ("Data", Some(name)) => sink.push(record, name, text)?,
            ("Data", None) => sink.push(record, "Data", text)?,
            (other, _) if !text.is_empty() => sink.push(record, other, text)?,
            _ => {}
        }
    }
    Ok(())
}

/// Every leaf element below `node` with text becomes a field named after the element.
fn leaves(node: Node<'_, '_>, record: &mut Draft, sink: &mut FieldSink) -> Extracted {
    for leaf in node
        .descendants()
        .filter(|n| n.is_element() && !n.children().any(|c| c.is_element()))
    {
        if leaf == node {
            continue;
        }
        let text = text_of(leaf);
        if !text.trim().is_empty() {
            sink.push(record, leaf.tag_name().name(), text)?;
        }
    }
    Ok(())
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
    fn prefixes() {
        let comment = Some(Prefix::Delimited(Construct::Comment));
        assert_eq!(prefix(b"<!-- x"), comment);
        assert_eq!(prefix(b"<!-"), None);
        assert_eq!(
            prefix(b"<![CDATA[x"),
            Some(Prefix::Delimited(Construct::CData))
        );
        assert_eq!(prefix(b"<![CD"), None);
        assert_eq!(
            prefix(b"<?xml "),
            Some(Prefix::Delimited(Construct::Instruction))
        );
        let declaration = Some(Prefix::Tag(TagKind::Declaration));
        assert_eq!(prefix(b"<!DOCTYPE x>"), declaration);
        assert_eq!(prefix(b"<![x"), declaration);
        assert_eq!(prefix(b"</Event>"), Some(Prefix::Tag(TagKind::Close)));
        assert_eq!(prefix(b"<Event>"), Some(Prefix::Tag(TagKind::Open)));
        assert_eq!(prefix(b"<"), None);
    }

    #[test]
    fn event_names() {
        assert!(is_event_name(b"Event"));
        assert!(is_event_name(b"e:Event"));
        assert!(!is_event_name(b"Events"));
        assert!(!is_event_name(b"EventData"));
        assert!(!is_event_name(b""));
    }

    #[test]
    fn event_starts() {
        let find = |s: &str| find_event_start(s.as_bytes(), 0);
        assert_eq!(find("x <Events> <Event>"), Candidate::At(11));
        assert_eq!(find("</Event> <e:Event xmlns:e='x'/>"), Candidate::At(9));
        assert_eq!(find("<EventData> <Even"), Candidate::Partial(12));
        assert_eq!(find("<EventData> a < b"), Candidate::None);
        assert_eq!(find(&format!("<{}", "x".repeat(100))), Candidate::None);
    }
}
