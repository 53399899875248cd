//! Event readers: log files in, [`Record`]s out.
//!
//! A reader is an iterator over `Result<ReadEvent, ReadError>`. Each [`ReadEvent`] carries
//! the event and where it was (its index among the events of the input, and the line it
//! starts on). A bad event is an `Err` with its position and reason, and reading goes on
//! with the next one: the caller counts and reports skips (see [`ReadStats`]). Only a
//! failing read of the input itself ([`ReadError::Io`]) ends the iteration.
//!
//! | format | flag names | extensions | one event is | module |
//! |---|---|---|---|---|
//! | [`InputFormat::JsonLines`] | `jsonl`, `json`, `ndjson` | `.jsonl` `.json` `.ndjson` | a line holding a JSON object | [`json`] |
//! | [`InputFormat::WinEventXml`] | `xml`, `xmlwineventlog` | `.xml` | an `<Event>` element | [`xml`] |
//! | [`InputFormat::Text`] | `text`, `txt`, `log` | `.log` `.txt` | a line | [`text`] |
//! | [`InputFormat::WinEventText`] | `wineventlog`, `winevent-text` | (by content) | a classic multi-line `WinEventLog` record | [`wineventlog`] |
//! | [`InputFormat::Evtx`] | `evtx` | `.evtx` (and by content) | a record of a Windows event log file | [`evtx`] |
//!
//! [`open`] picks the format from the file name when none is given; for `.log`, `.txt` and
//! unknown extensions it looks at the first bytes ([`InputFormat::sniff`]). Input is
//! UTF-8; a byte order mark is honoured, and UTF-16 with a byte order mark is decoded.
//! Input is streamed: memory holds one event (one line, one `<Event>`, one record) at a
//! time, not the file (an EVTX file: one 64 KiB chunk and its events).
//!
//! Every reader applies the same [`Limits`] ([`ReadOptions::limits`]): an event larger,
//! wider or deeper than they allow is a skipped event naming the limit
//! ([`EventError::OverLimit`]), and a field whose name the shared table of names refuses
//! is left out and reported ([`ReadEvent::dropped`]). Memory holds at most about one
//! event of [`Limits::max_event_bytes`] and what it parses into; time is linear in the
//! input.
//!
//! After a reader builds an event it applies, in order: the `_time` field override of
//! [`ReadOptions::time_field`], then the field aliases of [`ReadOptions::aliases`]
//! (by default the built-in table, see [`crate::alias`]).
//!
//! ```
//! use spl_runtime::read::{InputFormat, ReadOptions, ReadStats, Reader};
//! use spl_runtime::Event;
//!
//! let input = "{\"EventCode\":\"4104\",\"ScriptBlockText\":\"pip install x\"}\n{oops\n";
//! let mut stats = ReadStats::default();
//! for item in Reader::new(input.as_bytes(), InputFormat::JsonLines, ReadOptions::default()) {
//!     stats.count(&item);
//!     match item {
//!         Ok(event) => assert_eq!(event.record.get_named("process").map(|v| v.to_string()),
//!                                 Some("pip install x".to_owned())),
//!         Err(e) => assert_eq!(e.line(), Some(2)),
//!     }
//! }
//! assert_eq!((stats.events, stats.skipped), (1, 1));
//! ```

pub mod evtx;
pub(crate) mod input;
pub mod json;
pub mod kv;
mod limits;
pub mod text;
pub mod timestamp;
pub mod wineventlog;
pub mod xml;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crate::alias::AliasMap;
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::pack::{Candidates, Index, Marks};

use input::{Decoder, Lines};
pub(crate) use limits::FieldSink;
pub use limits::{DroppedFields, Limit, Limits};

/// The formats readers understand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// One JSON object per line ([`json`]).
    JsonLines,
    /// Windows event XML, `<Event>` elements as Splunk's `XmlWinEventLog` ([`xml`]).
    WinEventXml,
    /// Plain text, one event per line, with automatic `key=value` fields ([`text`]).
    Text,
    /// Classic multi-line `WinEventLog` records ([`wineventlog`]).
    WinEventText,
    /// Windows event log files, `.evtx` ([`evtx`]): each record read as its event XML.
    Evtx,
}

impl InputFormat {
    /// Every format, in the order of this enum.
    pub const ALL: [InputFormat; 5] = [
        InputFormat::JsonLines,
        InputFormat::WinEventXml,
        InputFormat::Text,
        InputFormat::WinEventText,
        InputFormat::Evtx,
    ];

    /// The canonical flag name (`jsonl`, `xml`, `text`, `wineventlog`, `evtx`).
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::JsonLines => "jsonl",
            InputFormat::WinEventXml => "xml",
            InputFormat::Text => "text",
            InputFormat::WinEventText => "wineventlog",
            InputFormat::Evtx => "evtx",
        }
    }

    /// The format a file name's extension stands for: `.jsonl`, `.json`, `.ndjson` → JSON
    /// lines; `.xml` → Windows event XML; `.evtx` → Windows event log file; `.log`, `.txt` → text (a guess: such files may
    /// also hold classic `WinEventLog` records, which [`open`] tells apart by content).
    /// Case-insensitive; `None` for any other extension.
    pub fn from_extension(path: &Path) -> Option<InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "json" | "ndjson" => Some(InputFormat::JsonLines),
            "xml" => Some(InputFormat::WinEventXml),
            "evtx" => Some(InputFormat::Evtx),
            "log" | "txt" => Some(InputFormat::Text),
            _ => None,
        }
    }

    /// The format the first bytes of an input look like: the EVTX file magic `ElfFile\0` →
    /// EVTX, `{` → JSON lines, `<` → event
    /// XML, a `WinEventLog` header line (`11/28/2026 04:04:08 AM`) followed by a
    /// `Key=Value` line, or a first line starting with `LogName=` → classic records;
    /// anything else → text. Leading whitespace is skipped.
    pub fn sniff(head: &[u8]) -> InputFormat {
        if head.starts_with(EVTX_MAGIC) {
            return InputFormat::Evtx;
        }
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        let head = &head[start..];
        match head.first() {
            Some(b'{') => return InputFormat::JsonLines,
            Some(b'<') => return InputFormat::WinEventXml,
            _ => {}
        }
        let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        if first.starts_with("LogName=") {
            return InputFormat::WinEventText;
        }
        if wineventlog::is_header(first) {
            if let Some(second) = lines.next() {
                if second
                    .split_once('=')
                    .is_some_and(|(k, _)| !k.is_empty() && !k.contains(' '))
                {
                    return InputFormat::WinEventText;
                }
            }
        }
        InputFormat::Text
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The first bytes of an EVTX file.
const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// An `--input-format` value that names no format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown input format `{0}` (expected one of: jsonl, xml, text, wineventlog, evtx)")]
pub struct UnknownFormat(pub String);

impl FromStr for InputFormat {
    type Err = UnknownFormat;

    /// Accepts (case-insensitive): `jsonl`, `json`, `ndjson`, `json-lines`; `xml`,
    /// `xmlwineventlog`, `winevent-xml`; `text`, `txt`, `log`, `lines`; `wineventlog`,
    /// `winevent-text`, `wineventtext`; `evtx`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" | "ndjson" | "json-lines" | "jsonlines" => Ok(InputFormat::JsonLines),
            "xml" | "xmlwineventlog" | "winevent-xml" | "wineventxml" => {
                Ok(InputFormat::WinEventXml)
            }
            "text" | "txt" | "log" | "lines" => Ok(InputFormat::Text),
            "wineventlog" | "winevent-text" | "wineventtext" => Ok(InputFormat::WinEventText),
            "evtx" => Ok(InputFormat::Evtx),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// How to read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The field `_time` is taken from. `None`: the format's own time (JSON lines: the
    /// first of `_time`, `timestamp`, `time` that parses; event XML: `TimeCreated
    /// SystemTime`; classic records: the header line; text: a leading timestamp). `Some`:
    /// that field, when present and readable (epoch seconds or ISO 8601, see
    /// [`timestamp`]), replaces the format's own time.
    pub time_field: Option<String>,
    /// Field aliases applied to every event ([`AliasMap::builtin`] by default;
    /// [`AliasMap::none`] turns aliasing off).
    pub aliases: AliasMap,
    /// Bounds on events ([`Limits::default`] unless changed).
    pub limits: Limits,
}

/// One event read, with its position in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadEvent {
    /// The event.
    pub record: Record,
    /// 0-based position of the event in its input: the line index for JSON lines, the
    /// record index (events and skipped events before it) for the other formats (for EVTX,
    /// the record's position in the log's record order, see [`evtx`]).
    pub index: usize,
    /// 1-based line where the event starts; 0 for EVTX, which has no lines (its
    /// `EventRecordID` field names the record).
    pub line: usize,
    /// Fields left out of the event because the table of field names refused their
    /// names ([`Limits::max_field_names`], [`Limits::max_field_name_bytes`]); `None`
    /// when every field was stored.
    pub dropped: Option<DroppedFields>,
}

/// Why an event was skipped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The line is not valid JSON.
    #[error("invalid JSON at column {column}: {message}")]
    Json {
        /// 1-based column of the fault in the line.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The line is valid JSON but not an object.
    #[error("expected a JSON object, found {found}")]
    NotAnObject {
        /// What was found instead (`an array`, `a string`, ...).
        found: &'static str,
    },
    /// The line is not UTF-8.
    #[error("invalid UTF-8 after byte {offset} of the line")]
    Utf8 {
        /// Bytes of valid UTF-8 before the fault.
        offset: usize,
    },
    /// An `<Event>` element is not well-formed XML.
    #[error("malformed XML: {message}")]
    Xml {
        /// The XML parser's message.
        message: String,
    },
    /// An `<Event>` element has no end: the input ends, or another `<Event>` starts, first.
    #[error("unterminated <Event> element")]
    Truncated,
    /// Text outside any `<Event>` element.
    #[error("text outside any <Event> element")]
    Stray,
    /// The event is over one of the [`Limits`].
    #[error("over a limit: {} (limit {limit})", limit.describe(*max))]
    OverLimit {
        /// Which limit.
        limit: Limit,
        /// Its value.
        max: usize,
    },
    /// An EVTX chunk or record that cannot be read: the EVTX parser's message.
    #[error("unreadable EVTX data: {message}")]
    Evtx {
        /// What is wrong.
        message: String,
    },
    /// Event XML markup that does not end (a comment, CDATA section, processing
    /// instruction or tag): the bytes from its start to the next `<Event>` (or to the end
    /// of the input) were skipped.
    #[error("unterminated {construct}: {skipped} bytes skipped{}", match resumes {
        Some(line) => format!(", reading resumes at the <Event> on line {line}"),
        None => " to the end of the input".to_owned(),
    })]
    Unterminated {
        /// What does not end.
        construct: xml::Construct,
        /// How many bytes were skipped.
        skipped: u64,
        /// The line of the `<Event>` where reading resumed; `None` at the end of input.
        resumes: Option<usize>,
    },
}

impl EventError {
    /// What kind of fault this is, without the particulars of one event: the key by
    /// which skipped events are counted ([`ReadStats::skipped_by`]).
    pub fn kind(&self) -> &'static str {
        match self {
            EventError::Json { .. } => "invalid JSON",
            EventError::NotAnObject { .. } => "not a JSON object",
            EventError::Utf8 { .. } => "invalid UTF-8",
            EventError::Xml { .. } => "malformed XML",
            EventError::Truncated => "unterminated <Event> element",
            EventError::Stray => "text outside any <Event> element",
            EventError::OverLimit { limit, .. } => limit.name(),
            EventError::Unterminated { .. } => "unterminated XML markup",
            EventError::Evtx { .. } => "unreadable EVTX data",
        }
    }
}

/// A failure to open or read input, or an event that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The input file could not be opened.
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Reading the input failed; nothing more is read.
    #[error("{}read failed: {source}", if *line > 0 { format!("line {line}: ") } else { String::new() })]
    Io {
        /// The line being read (0 for EVTX, which has no lines).
        line: usize,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// One event was skipped; reading goes on.
    #[error("line {line}: event {index} skipped: {reason}")]
    Event {
        /// The event's index, as [`ReadEvent::index`].
        index: usize,
        /// 1-based line of the fault (for JSON lines and cut `<Event>`s, where the event
        /// starts).
        line: usize,
        /// Why.
        reason: EventError,
    },
    /// One record of an EVTX file, or a whole chunk of it, was skipped; reading goes on.
    #[error("{}: event {index} skipped: {reason}", evtx_position(*chunk, *record))]
    Record {
        /// The event's index, as [`ReadEvent::index`] (a chunk skipped whole counts as
        /// one).
        index: usize,
        /// The 0-based number of the chunk in the file, when known.
        chunk: Option<u64>,
        /// The record's id (its `EventRecordID`), when known (`None` for a chunk).
        record: Option<u64>,
        /// Why.
        reason: EventError,
    },
}

/// `chunk 3, record 17` for a position in an EVTX file.
fn evtx_position(chunk: Option<u64>, record: Option<u64>) -> String {
    match (chunk, record) {
        (Some(chunk), Some(record)) => format!("chunk {chunk}, record {record}"),
        (Some(chunk), None) => format!("chunk {chunk}"),
        (None, Some(record)) => format!("record {record}"),
        (None, None) => "a chunk".to_owned(),
    }
}

impl ReadError {
    /// True when nothing more can be read after this error ([`ReadError::Open`],
    /// [`ReadError::Io`]); false for a skipped event.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, ReadError::Event { .. } | ReadError::Record { .. })
    }

    /// The 1-based line of the error, when it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ReadError::Open { .. } | ReadError::Record { .. } => None,
            ReadError::Io { line: 0, .. } => None,
            ReadError::Io { line, .. } | ReadError::Event { line, .. } => Some(*line),
        }
    }

    /// The skipped event's index, for [`ReadError::Event`].
    pub fn index(&self) -> Option<usize> {
        match self {
            ReadError::Event { index, .. } | ReadError::Record { index, .. } => Some(*index),
            _ => None,
        }
    }
}

/// Counts of what a reader produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Events read.
    pub events: u64,
    /// Events skipped ([`ReadError::Event`]). Fatal errors are not counted: the caller
    /// reports them, and the reader stops after one.
    pub skipped: u64,
    /// Events read with some fields left out ([`ReadEvent::dropped`]); they are also
    /// counted in `events`.
    pub fields_dropped: u64,
    /// The skipped events by [`EventError::kind`], in the order each kind was first met.
    pub skipped_by: Vec<(&'static str, u64)>,
}

impl ReadStats {
    /// Count one item of a reader.
    pub fn count(&mut self, item: &Result<ReadEvent, ReadError>) {
        match item {
            Ok(event) => {
                self.events += 1;
                self.fields_dropped += u64::from(event.dropped.is_some());
            }
            Err(ReadError::Event { reason, .. } | ReadError::Record { reason, .. }) => {
                self.skipped += 1;
                let kind = reason.kind();
                match self.skipped_by.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, n)) => *n += 1,
                    None => self.skipped_by.push((kind, 1)),
                }
            }
            Err(_) => {}
        }
    }
}

impl fmt::Display for ReadStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} events read, {} skipped", self.events, self.skipped)?;
        if self.fields_dropped > 0 {
            write!(
                f,
                ", {} with fields left out (limits max_field_names, max_field_name_bytes)",
                self.fields_dropped
            )?;
        }
        Ok(())
    }
}

/// A reader of one input in one format: an iterator over events and skipped events.
pub struct Reader<'a> {
    inner: Inner<'a>,
    format: InputFormat,
    /// Fields to take `_time` from, in order; the first that parses wins.
    time_fields: Vec<FieldId>,
    aliases: AliasMap,
    limits: Limits,
}

enum Inner<'a> {
    Json(json::JsonReader<'a>),
    Xml(xml::XmlReader<'a>),
    Text(text::TextReader<'a>),
    WinEventLog(wineventlog::WinEventLogReader<'a>),
    Evtx(Box<evtx::EvtxReader>),
}

impl<'a> Reader<'a> {
    /// Read `input` as `format`.
    pub fn new(
        input: impl BufRead + Send + 'a,
        format: InputFormat,
        options: ReadOptions,
    ) -> Reader<'a> {
        Reader::from_decoder(Decoder::new(Box::new(input)), format, options)
    }

    fn from_decoder(input: Decoder<'a>, format: InputFormat, options: ReadOptions) -> Reader<'a> {
        let sink = FieldSink::new(options.limits);
        let lines = |input| Lines::new(input, options.limits.max_event_bytes);
        let inner = match format {
            InputFormat::JsonLines => Inner::Json(json::JsonReader::new(lines(input), sink)),
            InputFormat::WinEventXml => Inner::Xml(xml::XmlReader::new(input, sink)),
            InputFormat::Text => Inner::Text(text::TextReader::new(lines(input), sink)),
            InputFormat::WinEventText => {
                Inner::WinEventLog(wineventlog::WinEventLogReader::new(lines(input), sink))
            }
            InputFormat::Evtx => Inner::Evtx(Box::new(evtx::EvtxReader::from_input(input, sink))),
        };
        Reader::from_inner(inner, format, options)
    }

    fn from_inner(inner: Inner<'a>, format: InputFormat, options: ReadOptions) -> Reader<'a> {
        let time_fields = match (&options.time_field, format) {
            (Some(field), _) => vec![FieldId::intern(field)],
            (None, InputFormat::JsonLines) => {
                vec![
                    FieldId::TIME,
                    FieldId::intern("timestamp"),
                    FieldId::intern("time"),
                ]
            }
            (None, _) => Vec::new(),
        };
        Reader {
            inner,
            format,
            time_fields,
            aliases: options.aliases,
            limits: options.limits,
        }
    }

    /// The format being read.
    pub fn format(&self) -> InputFormat {
        self.format
    }

    fn set_time(&self, record: &mut Record) {
        for &field in &self.time_fields {
            let time = match record.get(field) {
                Some(crate::Value::Num(n)) => Some(*n),
                Some(value) => timestamp::parse_time(&value.first_str()),
                None => None,
            };
            if let Some(time) = time {
                record.set_time(time);
                return;
            }
        }
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut event = match match &mut self.inner {
            Inner::Json(r) => r.next(),
            Inner::Xml(r) => r.next(),
            Inner::Text(r) => r.next(),
            Inner::WinEventLog(r) => r.next(),
            Inner::Evtx(r) => r.next(),
        }? {
            Ok(event) => event,
            Err(e) => return Some(Err(e)),
        };
        self.set_time(&mut event.record);
        // The readers count the fields and values they add as they add them; `_raw` and
        // `_time`, set apart from those (the `_time` of a field just above), count too.
        if let Some(limit) = self.limits.passed_by(&event.record) {
            let reason = EventError::OverLimit {
                limit,
                max: limit.of(&self.limits),
            };
            return Some(Err(match &self.inner {
                Inner::Evtx(r) => r.skip_current(event.index, reason),
                _ => ReadError::Event {
                    index: event.index,
                    line: event.line,
                    reason,
                },
            }));
        }
        self.aliases.apply(&mut event.record);
        Some(Ok(event))
    }
}

impl fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Whether [`open`] reads a file as EVTX: named so (by `format`, or else the extension),
/// or, when neither decides (no format given, and a `.log`, `.txt` or other extension),
/// starting with the EVTX file magic.
fn is_evtx(
    path: &Path,
    format: Option<InputFormat>,
    file: &mut BufReader<File>,
) -> io::Result<bool> {
    match format.or_else(|| InputFormat::from_extension(path)) {
        Some(named) if format.is_some() || named != InputFormat::Text => {
            Ok(named == InputFormat::Evtx)
        }
        _ => Ok(file.fill_buf()?.starts_with(EVTX_MAGIC)),
    }
}

/// Open a file and read it. With `format` `None`, the format comes from the extension
/// ([`InputFormat::from_extension`]), or, for `.log`, `.txt` and other extensions, from
/// the first bytes ([`InputFormat::sniff`]). A gzip-compressed file (known by its first
/// bytes, whatever its name) is decompressed as it is read; its format comes from the
/// name without `.gz` (`events.jsonl.gz` is JSON lines) or from its decompressed bytes.
/// An EVTX file is handed to its parser as a file (it seeks); one without a valid EVTX
/// file header is [`ReadError::Open`].
pub fn open(
    path: &Path,
    format: Option<InputFormat>,
    options: ReadOptions,
) -> Result<Reader<'static>, ReadError> {
    let open_error = |source| ReadError::Open {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(open_error)?;
    let mut buffered = BufReader::with_capacity(64 * 1024, file);
    if is_evtx(path, format, &mut buffered).map_err(open_error)? {
        // A pipe cannot seek: it is read into memory, within a bound.
        let source = if buffered.get_ref().metadata().is_ok_and(|m| m.is_file()) {
            evtx::Source::File(buffered.into_inner())
        } else {
            evtx::Source::buffer(buffered).map_err(open_error)?
        };
        return open_evtx(source, path, options);
    }
    // (Its buffer is read through: no byte is lost, and a large read bypasses it.)
    open_stream(buffered, path, format, options)
}

/// Read an EVTX file or buffer.
fn open_evtx(
    source: evtx::Source,
    name: &Path,
    options: ReadOptions,
) -> Result<Reader<'static>, ReadError> {
    let sink = FieldSink::new(options.limits);
    let reader = evtx::EvtxReader::open(source, sink).map_err(|source| ReadError::Open {
        path: name.to_owned(),
        source,
    })?;
    let inner = Inner::Evtx(Box::new(reader));
    Ok(Reader::from_inner(inner, InputFormat::Evtx, options))
}

/// Read `input`, any byte stream (a file, standard input, a socket, a counting wrapper),
/// as [`open`] reads a file: gzip is decompressed, and without `format` the format comes
/// from `name`'s extension (`-` or any name without one: from the first bytes). `name`
/// is only used for that, and for the error of a stream that cannot be read at all.
pub fn open_stream(
    input: impl io::Read + Send + 'static,
    name: &Path,
    format: Option<InputFormat>,
    options: ReadOptions,
) -> Result<Reader<'static>, ReadError> {
    let open_error = |source| ReadError::Open {
        path: name.to_owned(),
        source,
    };
    let mut input = input;
    let head = read_head(&mut input, EVTX_MAGIC.len())
        .map_err(|source| ReadError::Io { line: 1, source })?;
    let gzip = head.starts_with(&GZIP_MAGIC);
    let named_evtx =
        format.or_else(|| InputFormat::from_extension(name)) == Some(InputFormat::Evtx);
    // The bytes looked at go back in front of the rest.
    let input = input::Prefixed::new(head, input);
    if named_evtx || (format.is_none() && input.head().starts_with(EVTX_MAGIC)) {
        // A stream cannot seek: it is read into memory, within a bound.
        return open_evtx(
            evtx::Source::buffer(input).map_err(open_error)?,
            name,
            options,
        );
    }
    let (raw, name): (Box<dyn BufRead + Send>, &Path) = if gzip {
        let inner = flate2::bufread::MultiGzDecoder::new(BufReader::new(input));
        let stem = name
            .extension()
            .filter(|e| e.eq_ignore_ascii_case("gz"))
            .map_or(name, |_| Path::new(name.file_stem().unwrap_or_default()));
        (Box::new(BufReader::with_capacity(64 * 1024, inner)), stem)
    } else {
        (Box::new(BufReader::with_capacity(64 * 1024, input)), name)
    };
    let mut input = Decoder::new(raw);
    let format = match format {
        Some(format) => format,
        None => match InputFormat::from_extension(name) {
            Some(InputFormat::Text) | None => {
                InputFormat::sniff(input.fill_buf().map_err(open_error)?)
            }
            Some(format) => format,
        },
    };
    Ok(Reader::from_decoder(input, format, options))
}

/// The first two bytes of every gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The first `n` bytes of `input`, or all of it when it is shorter (a pipe may hand out
/// one byte at a time).
fn read_head(input: &mut impl io::Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    input.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Reader<'static>>();
        send::<ReadError>();
    }

    #[test]
    fn reading_ahead_gives_the_items_of_reading_inline() {
        // Past two batches, with lines that are not events in the first and the last.
        let mut text = String::new();
        for i in 0..2500 {
            if i == 3 || i == 2400 {
                text.push_str("{not json\n");
            }
            text.push_str(&format!("{{\"i\": {i}}}\n"));
        }
        let reader = || {
            Reader::new(
                io::Cursor::new(text.clone().into_bytes()),
                InputFormat::JsonLines,
                ReadOptions::default(),
            )
        };
        let shown = |item: Item| match item {
            Ok(event) => format!("{} {}", event.line, event.record.raw()),
            Err(e) => format!("error: {e}"),
        };
        let inline: Vec<String> = reader().map(shown).collect();
        assert_eq!(inline.len(), 2502);
        assert_eq!(inline.iter().filter(|s| s.starts_with("error")).count(), 2);
        let ahead: Vec<String> = ReadAhead::new(reader()).map(shown).collect();
        assert_eq!(ahead, inline);
    }

    #[test]
    fn gzip_streams_are_decompressed_and_named_by_their_inner_extension() {
        use std::io::Write;
        let text = "{\"a\": \"1\"}\n{\"a\": \"2\"}\n";
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).expect("compress");
        let gz = enc.finish().expect("compress");
        let raws = |reader: Reader<'static>| -> Vec<String> {
            reader
                .map(|item| item.expect("an event").record.raw().to_owned())
                .collect()
        };
        for name in ["x.jsonl.gz", "x.GZ", "-"] {
            let reader = open_stream(
                io::Cursor::new(gz.clone()),
                Path::new(name),
                None,
                ReadOptions::default(),
            )
            .expect("opens");
            assert_eq!(reader.format(), InputFormat::JsonLines, "{name}");
            assert_eq!(raws(reader), ["{\"a\": \"1\"}", "{\"a\": \"2\"}"], "{name}");
        }
        // Not gzip: the bytes looked at are not lost, whatever the stream's pieces.
        for input in [&b""[..], b"{", b"{\"a\": 1}\n"] {
            let reader = open_stream(
                io::Cursor::new(input.to_vec()),
                Path::new("-"),
                Some(InputFormat::JsonLines),
                ReadOptions::default(),
            )
            .expect("opens");
            let got: Vec<String> = reader
                .map(|item| match item {
                    Ok(event) => event.record.raw().to_owned(),
                    Err(e) => format!("error: {e}"),
                })
                .collect();
            let want = usize::from(!input.is_empty());
            assert_eq!(got.len(), want, "{got:?}");
        }
    }

    /// Hands out one byte per read, as a slow pipe may.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl io::Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(1);
            self.0.read(&mut out[..n])
        }
    }

    #[test]
    fn formats_are_sniffed_from_the_first_bytes_after_the_ones_looked_at() {
        let classic =
            "12/03/2026 10:00:00 AM\nLogName=Security\nEventCode=4688\nMessage=A new process\n\n";
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("security.log");
        std::fs::write(&path, classic).expect("write");
        let reader = open(&path, None, ReadOptions::default()).expect("opens");
        assert_eq!(reader.format(), InputFormat::WinEventText);
        assert_eq!(reader.count(), 1);
        // A stream of one byte per read loses none of them.
        let reader = open_stream(
            Trickle(io::Cursor::new(b"{\"a\": 1}\n{\"a\": 2}\n".to_vec())),
            Path::new("-"),
            None,
            ReadOptions::default(),
        )
        .expect("opens");
        let raws: Vec<String> = reader
            .map(|item| item.expect("an event").record.raw().to_owned())
            .collect();
        assert_eq!(raws, ["{\"a\": 1}", "{\"a\": 2}"]);
    }

    #[test]
    fn format_names_round_trip() {
        for format in InputFormat::ALL {
            assert_eq!(format.name().parse::<InputFormat>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
        }
        assert_eq!("NDJSON".parse::<InputFormat>(), Ok(InputFormat::JsonLines));
        assert_eq!(
            "XmlWinEventLog".parse::<InputFormat>(),
            Ok(InputFormat::WinEventXml)
        );
        assert!("csv".parse::<InputFormat>().is_err());
    }

    #[test]
    fn extensions() {
        let of = |p: &str| InputFormat::from_extension(Path::new(p));
        assert_eq!(of("a.jsonl"), Some(InputFormat::JsonLines));
        assert_eq!(of("a.JSON"), Some(InputFormat::JsonLines));
        assert_eq!(of("a.ndjson"), Some(InputFormat::JsonLines));
        assert_eq!(of("x/a.xml"), Some(InputFormat::WinEventXml));
        assert_eq!(of("a.log"), Some(InputFormat::Text));
        assert_eq!(of("a.txt"), Some(InputFormat::Text));
        assert_eq!(of("a.evtx"), Some(InputFormat::Evtx));
        assert_eq!(of("a.EVTX"), Some(InputFormat::Evtx));
        assert_eq!(of("noext"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(InputFormat::sniff(b"  \n{\"a\":1}"), InputFormat::JsonLines);
        assert_eq!(
            InputFormat::sniff(b"<?xml version='1.0'?>"),
            InputFormat::WinEventXml
        );
        assert_eq!(
            InputFormat::sniff(b"11/28/2026 04:04:08 AM\r\nLogName=Security\r\n"),
            InputFormat::WinEventText
        );
        assert_eq!(
            InputFormat::sniff(b"LogName=Security\nEventCode=4688"),
            InputFormat::WinEventText
        );
        assert_eq!(
            InputFormat::sniff(b"11/28/2026 04:04:08 AM sshd: x=1"),
            InputFormat::Text
        );
        assert_eq!(
            InputFormat::sniff(b"Nov 28 04:04:08 host sshd[1]: ok"),
            InputFormat::Text
        );
        assert_eq!(InputFormat::sniff(b""), InputFormat::Text);
        assert_eq!(InputFormat::sniff(b"ElfFile\0\0\0\0\0"), InputFormat::Evtx);
        assert_eq!(InputFormat::sniff(b"ElfFile"), InputFormat::Text);
    }
}

/// A reader that reads on a thread of its own, a few batches ahead of its consumer:
/// reading overlaps with what the consumer does with the events. The items and their
/// order are the reader's; dropping the `ReadAhead` stops the thread at its next batch.
///
/// Made by [`Batches`] for a pack with an index, the thread also works out the candidate
/// rules of each event, handed over with the batch ([`next_batch`](ReadAhead::next_batch))
/// for [`RulePack::push_batch_with`](crate::pack::RulePack::push_batch_with).
#[derive(Debug)]
pub struct ReadAhead {
    batches: std::sync::mpsc::Receiver<(Vec<Item>, Candidates)>,
    current: std::vec::IntoIter<Item>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What a reader gives for each event.
type Item = Result<ReadEvent, ReadError>;

impl ReadAhead {
    /// The items read together and handed over at once, by [`ReadAhead::new`].
    pub const BATCH: usize = 1024;
    /// The batches read before the consumer takes them.
    pub const AHEAD: usize = 4;

    /// Start reading `reader` on a thread of its own.
    pub fn new(reader: Reader<'static>) -> ReadAhead {
        ReadAhead::start(reader, Self::BATCH, None)
    }

    /// Start reading `reader` on a thread of its own, in batches of `batch` items (at
    /// least one), working out there the candidates of each event in `index` if given.
    fn start(reader: Reader<'static>, batch: usize, index: Option<Arc<Index>>) -> ReadAhead {
        let batch = batch.max(1);
        let (send, batches) = std::sync::mpsc::sync_channel(Self::AHEAD);
        let thread = std::thread::spawn(move || {
            let mut reader = reader;
            let mut marks = Marks::default();
            loop {
                let items: Vec<_> = reader.by_ref().take(batch).collect();
                let last = items.len() < batch;
                let mut candidates = Candidates::default();
                if let Some(index) = &index {
                    for event in items.iter().flatten() {
                        candidates.push(index, &event.record, &mut marks);
                    }
                }
                // The consumer is gone: stop reading.
                if send.send((items, candidates)).is_err() || last {
                    break;
                }
            }
        });
        ReadAhead {
            batches,
            current: Vec::new().into_iter(),
            thread: Some(thread),
        }
    }

    /// The next batch of items (none when the input has ended), with the candidates of
    /// its events (of the items that are events, in order) when made with an index. Items
    /// not yet taken one by one ([`Iterator::next`]) come first, without candidates.
    pub fn next_batch(&mut self) -> Option<(Vec<Item>, Candidates)> {
        let rest: Vec<Item> = self.current.by_ref().collect();
        if !rest.is_empty() {
            return Some((rest, Candidates::default()));
        }
        match self.batches.recv() {
            Ok(batch) => Some(batch),
            // The channel is closed: the thread has ended. A reader that panicked panics
            // here, as it would have read inline; the input is never cut short without a
            // word.
            Err(_) => {
                if let Some(Err(panic)) = self.thread.take().map(|t| t.join()) {
                    std::panic::resume_unwind(panic);
                }
                None
            }
        }
    }
}

/// A reader's items in batches for a [`RulePack`](crate::pack::RulePack) on `threads`
/// threads: read on this thread when there is one; else read on a thread of their own,
/// which also works out the candidate rules of each event in the pack's index, and the
/// pack's searches run on the other threads ([`Batches::matching_threads`]). Hand each
/// batch to [`RulePack::push_batch_with`](crate::pack::RulePack::push_batch_with).
#[derive(Debug)]
pub struct Batches {
    source: Source,
    len: usize,
    matching: std::num::NonZeroUsize,
}

#[derive(Debug)]
enum Source {
    Inline(Box<Reader<'static>>),
    Ahead(ReadAhead),
}

impl Batches {
    /// The batches of `reader` for `pack` on `threads` threads.
    pub fn new(
        reader: Reader<'static>,
        pack: &crate::pack::RulePack,
        threads: std::num::NonZeroUsize,
    ) -> Batches {
        let index = (threads.get() > 1).then(|| pack.shared_index()).flatten();
        let matching = match index {
            Some(_) => std::num::NonZeroUsize::new(threads.get() - 1).unwrap_or(threads),
            None => threads,
        };
        let len = crate::pack::RulePack::batch_len(matching);
        let source = if threads.get() > 1 {
            Source::Ahead(ReadAhead::start(reader, len, index))
        } else {
            Source::Inline(Box::new(reader))
        };
        Batches {
            source,
            len,
            matching,
        }
    }

    /// The threads left for the pack's searches.
    pub fn matching_threads(&self) -> std::num::NonZeroUsize {
        self.matching
    }

    /// The next items, with their events' candidates when worked out ahead (else none);
    /// `None` at the end of the input.
    pub fn next_batch(&mut self) -> Option<(Vec<Item>, Candidates)> {
        match &mut self.source {
            Source::Inline(reader) => {
                let items: Vec<Item> = reader.by_ref().take(self.len).collect();
                (!items.is_empty()).then(|| (items, Candidates::default()))
            }
            Source::Ahead(reader) => reader.next_batch(),
        }
    }
}

impl Iterator for ReadAhead {
    type Item = Item;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(item);
            }
            let (items, _) = self.next_batch()?;
            self.current = items.into_iter();
        }
    }
}
