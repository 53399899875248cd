//! Windows event log files (`.evtx`, the binary XML event log format).
//!
//! The [`evtx`] crate parses the file and renders each record as the XML Windows itself
//! shows for it (Event Viewer's "XML view", `wevtutil qe /f:xml`); that XML goes through
//! the Windows event XML reader ([`super::xml`]), so an `.evtx` file gives exactly the
//! events and fields of its XML export (`<Events><Event>...</Event></Events>`), and
//! `_raw` is the record's XML on one line. The limits hold as for event XML: the rendered
//! `<Event>` element is checked against [`Limits::max_event_bytes`](super::Limits) and
//! the others as it is parsed.
//!
//! Records are read in the order Windows reads the log: from the chunk holding the oldest
//! records to the end of the file, then from the start of the file (a full log writes over
//! its oldest chunk, so once it has wrapped, its oldest records can be anywhere). An
//! event's index is its 0-based position in that order: the records before it, read or
//! skipped, a chunk that could not be read counting as one. EVTX has no lines: the line
//! of an event ([`ReadEvent::line`](super::ReadEvent::line)) is 0, its `EventRecordID`
//! field says which record it is, and a skip names its chunk and record
//! ([`ReadError::Record`]).
//!
//! Errors:
//!
//! - a file that does not start with an EVTX file header (`ElfFile\0`) or is shorter than
//!   one is not read at all ([`ReadError::Open`] from [`open`](super::open));
//! - a chunk whose header cannot be read (bad magic, cut off) is skipped as one item
//!   naming the chunk; a file that ends inside a chunk ends with such an item for the
//!   part-chunk;
//! - a record that cannot be read or rendered is skipped, naming its chunk and record id
//!   (or its offset in the chunk when its header is damaged), and reading goes on at the
//!   next record of the chunk.
//!
//! Checksums are not verified: a chunk whose CRC32 does not match (a log copied while
//! Windows was writing it, one bit flipped on disk) is still read, record by record, and a
//! damaged record is skipped on its own. Empty (all-zero) chunks hold no records and are
//! passed over.
//!
//! Reading needs to seek: [`open`](super::open) hands a regular file itself to the
//! parser, and memory holds one chunk (64 KiB) and the events rendered from it. Other
//! input (a pipe such as `<(zcat Security.evtx.gz)`, or bytes given to
//! [`Reader::new`](super::Reader::new)) is read into memory first, at most
//! [`MAX_BUFFERED_BYTES`]; a larger input is an error and nothing of it is read.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::Arc;

use ::evtx::err::EvtxError;
use ::evtx::{EvtxParser, IntoIterChunks, ParserSettings};

use super::input::Decoder;
use super::xml::XmlReader;
use super::{EventError, FieldSink, ReadError, ReadEvent};

/// The most bytes of an EVTX input that is not a regular file (a pipe, or the input of
/// [`Reader::new`](super::Reader::new)) read into memory: 1 GiB. Regular files opened by
/// [`open`](super::open) have no such bound.
pub const MAX_BUFFERED_BYTES: u64 = 1 << 30;

/// The size of the file header block.
const FILE_HEADER_SIZE: u64 = 4096;
/// The size of a chunk.
const CHUNK_SIZE: u64 = 65536;

/// Where an EVTX file's bytes come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// The file.
    File(File),
    /// The whole input, in memory.
    Memory(Cursor<Vec<u8>>),
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::File(f) => f.read(buf),
            Source::Memory(m) => m.read(buf),
        }
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Source::File(f) => f.seek(pos),
            Source::Memory(m) => m.seek(pos),
        }
    }
}

impl Source {
    /// Read all of `input` into memory, up to [`MAX_BUFFERED_BYTES`].
    pub(crate) fn buffer(input: impl Read) -> io::Result<Source> {
        let mut bytes = Vec::new();
        input.take(MAX_BUFFERED_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_BUFFERED_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "an EVTX input that is not a file is read into memory, and this one is \
                     larger than {MAX_BUFFERED_BYTES} bytes: read it from a file"
                ),
            ));
        }
        Ok(Source::Memory(Cursor::new(bytes)))
    }
}

/// Reads the records of an EVTX file; see the module docs.
pub(crate) struct EvtxReader {
    chunks: Option<IntoIterChunks<Source>>,
    settings: Arc<ParserSettings>,
    /// The items of the chunk being read, not yet handed out, with their chunk and record.
    ready: VecDeque<(Result<ReadEvent, ReadError>, Position)>,
    /// The chunk and record of the last item handed out.
    current: Position,
    /// The XML reader's table of names and limits, lent to it for each record.
    sink: Option<FieldSink>,
    /// The next item's index.
    index: usize,
    /// A chunk the file ends inside, with the bytes of it that are there: reported last.
    cut: Option<(u64, u64)>,
    /// A failure to report before anything else (and then stop).
    failed: Option<io::Error>,
}

impl EvtxReader {
    /// Start reading `source`; an error when it does not start with an EVTX file header.
    pub(crate) fn open(mut source: Source, sink: FieldSink) -> io::Result<EvtxReader> {
        let len = source.seek(SeekFrom::End(0))?;
        source.seek(SeekFrom::Start(0))?;
        let parser = EvtxParser::from_read_seek(source).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not an EVTX file: {}", chain(&e)),
            )
        })?;
        let settings = ParserSettings::new().indent(false);
        let chunks = parser.with_configuration(settings.clone()).into_chunks();
        let past = len.saturating_sub(FILE_HEADER_SIZE);
        let cut = (past % CHUNK_SIZE != 0).then_some((past / CHUNK_SIZE, past % CHUNK_SIZE));
        Ok(EvtxReader {
            chunks: Some(chunks),
            settings: Arc::new(settings),
            ready: VecDeque::new(),
            current: Position::default(),
            sink: Some(sink),
            index: 0,
            cut,
            failed: None,
        })
    }

    /// A reader whose only item is the fatal error `error`.
    pub(crate) fn failed(error: io::Error) -> EvtxReader {
        EvtxReader {
            chunks: None,
            settings: Arc::new(ParserSettings::new()),
            ready: VecDeque::new(),
            current: Position::default(),
            sink: None,
            index: 0,
            cut: None,
            failed: Some(error),
        }
    }

    /// Read `input` (not a file) into memory and start reading it; a failure to read it, or
    /// a bad header, is the reader's only item.
    pub(crate) fn from_input(input: impl Read, sink: FieldSink) -> EvtxReader {
        match Source::buffer(input).and_then(|source| EvtxReader::open(source, sink)) {
            Ok(reader) => reader,
            Err(e) => EvtxReader::failed(e),
        }
    }

    fn next_index(&mut self) -> usize {
        let index = self.index;
        self.index += 1;
        index
    }

    /// A skipped chunk or record.
    fn skip(&mut self, chunk: Option<u64>, record: Option<u64>, message: String) {
        let index = self.next_index();
        let item = Err(ReadError::Record {
            index,
            chunk,
            record,
            reason: EventError::Evtx { message },
        });
        self.ready.push_back((item, Position { chunk, record }));
    }

    /// Read the next chunk's records into `ready`; false when there are no more chunks.
    fn read_chunk(&mut self) -> bool {
        let Some(next) = self.chunks.as_mut().and_then(Iterator::next) else {
            self.chunks = None;
            return false;
        };
        let mut data = match next {
            Ok(data) => data,
            Err(e) => {
                let chunk = match &e {
                    EvtxError::FailedToParseChunk { chunk_id, .. } => Some(*chunk_id),
                    _ => None,
                };
                self.skip(chunk, None, chain(&e));
                return true;
            }
        };
        let number = data.number;
        let mut chunk = match data.parse(Arc::clone(&self.settings)) {
            Ok(chunk) => chunk,
            Err(e) => {
                self.skip(number, None, chain(&e));
                return true;
            }
        };
        for record in chunk.iter() {
            let rendered = record.and_then(|r| {
                let id = r.event_record_id;
                r.into_xml_bytes()
                    .map_err(|e| EvtxError::FailedToParseRecord {
                        record_id: id,
                        source: Box::new(e),
                    })
            });
            match rendered {
                Ok(rendered) => {
                    let record = rendered.event_record_id;
                    let item = self.event(number, record, rendered.data);
                    let position = Position {
                        chunk: number,
                        record: Some(record),
                    };
                    self.ready.push_back((item, position));
                }
                Err(e) => {
                    let record = match &e {
                        EvtxError::FailedToParseRecord { record_id, .. } => Some(*record_id),
                        _ => None,
                    };
                    self.skip(number, record, chain(&e));
                }
            }
        }
        true
    }

    /// The event of record `record` of chunk `chunk`, from its rendered XML.
    fn event(
        &mut self,
        chunk: Option<u64>,
        record: u64,
        xml: Vec<u8>,
    ) -> Result<ReadEvent, ReadError> {
        let index = self.next_index();
        let skipped = |reason| {
            Err(ReadError::Record {
                index,
                chunk,
                record: Some(record),
                reason,
            })
        };
        // Always there once the reader is open: each record gives it back below.
        let Some(sink) = self.sink.take() else {
            return skipped(EventError::Evtx {
                message: "the reader has no table of field names".to_owned(),
            });
        };
        let mut reader = XmlReader::new(Decoder::new(Box::new(Cursor::new(xml))), sink);
        let items = reader.by_ref();
        let first = items.next();
        let more = items.next().is_some();
        self.sink = Some(reader.into_sink());
        match (first, more) {
            (Some(Ok(mut event)), false) => {
                event.index = index;
                event.line = 0;
                Ok(event)
            }
            (Some(Err(ReadError::Event { reason, .. })), _) => skipped(reason),
            (Some(Err(e)), _) => skipped(EventError::Evtx {
                message: e.to_string(),
            }),
            (None, _) => skipped(EventError::Evtx {
                message: "the record's XML holds no <Event> element".to_owned(),
            }),
            (Some(Ok(_)), true) => skipped(EventError::Evtx {
                message: "the record's XML holds more than one <Event> element".to_owned(),
            }),
        }
    }
}

impl EvtxReader {
    /// The item last handed out, an event at `index`, skipped for `reason` after all (a
    /// limit the reader's caller checks).
    pub(crate) fn skip_current(&self, index: usize, reason: EventError) -> ReadError {
        ReadError::Record {
            index,
            chunk: self.current.chunk,
            record: self.current.record,
            reason,
        }
    }
}

/// A chunk and a record of an EVTX file, when known.
#[derive(Clone, Copy, Debug, Default)]
struct Position {
    chunk: Option<u64>,
    record: Option<u64>,
}

impl Iterator for EvtxReader {
    type Item = Result<ReadEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(source) = self.failed.take() {
            return Some(Err(ReadError::Io { line: 0, source }));
        }
        loop {
            if let Some((item, position)) = self.ready.pop_front() {
                self.current = position;
                return Some(item);
            }
            if self.read_chunk() {
                continue;
            }
            let (chunk, have) = self.cut.take()?;
            self.skip(
                Some(chunk),
                None,
                format!(
                    "the file ends {have} bytes into this chunk of {CHUNK_SIZE} bytes: \
                     the chunk is cut off and its records are not read"
                ),
            );
        }
    }
}

/// An error and its sources, each after a colon (a source whose message the text already
/// holds is left out).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text.truncate(text.trim_end_matches('.').len());
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text.truncate(text.trim_end_matches('.').len());
    text
}
