//! A writer of small EVTX files (the Windows XML event log format) for tests.
//!
//! No EVTX sample ships with the project, and the EVTX reader must be tested on files whose
//! events are known: this writer turns Windows event XML (`<Event>` elements, as an XML
//! export holds them) into an EVTX file holding the same events, so that a test can read
//! both and compare. It lives in the test crate, not in `spl-runtime`, because nothing but
//! tests (and the fuzz seeds, `cargo run -p splc-tests --example evtx_seeds`) needs it.
//!
//! The layout follows the format's specification (MS-EVEN6, "BinXml"; the file and chunk
//! headers as every reader of `.evtx` files knows them):
//!
//! - a file header of 4096 bytes: `ElfFile\0`, the first and last chunk numbers, the next
//!   record id, header size 128, version 3.1, block size 4096, the chunk count, and the
//!   CRC32 of its first 120 bytes at offset 124;
//! - chunks of 64 KiB: a 512-byte header (`ElfChnk\0`, the first and last record numbers
//!   and ids, the offsets of the last record and of the free space, the CRC32 of the
//!   records, the table of 64 string buckets, an empty table of templates, and the CRC32
//!   of bytes 0..120 and 128..512 at offset 124), then the records;
//! - records: magic `0x00002a2a`, size, record id, a FILETIME, Binary XML, the size again.
//!
//! The Binary XML uses no templates: a fragment header, then for each element an
//! `OpenStartElement` token (with its byte length), its name, its attributes (each an
//! `Attribute` token, a name and a string value), `CloseStartElement` or
//! `CloseEmptyElement`, its text as string values and its child elements, and
//! `EndElement`. A name is written in full (hash, length, UTF-16 text, NUL) the first time
//! a chunk uses it, is linked into the chunk's string table, and is referred to by its
//! chunk offset afterwards. Text that is only whitespace between child elements (the
//! indentation of pretty-printed XML) is left out; other text is kept as it is.

use std::collections::HashMap;

/// The size of the file header block.
pub const FILE_HEADER_SIZE: usize = 4096;
/// The size of a chunk.
pub const CHUNK_SIZE: usize = 65536;
/// The size of a chunk's header: its records start there.
pub const CHUNK_HEADER_SIZE: usize = 512;
/// The FILETIME written in every record header: 2026-11-28 00:00:00 UTC, in 100 ns since 1601.
const WRITTEN: u64 = 134_089_344_000_000_000;

/// An EVTX file and where its records are.
#[derive(Clone, Debug)]
pub struct EvtxFile {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Each record, in order.
    pub records: Vec<RecordPlace>,
}

/// Where one record of an [`EvtxFile`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordPlace {
    /// Its record id.
    pub id: u64,
    /// The chunk holding it (0-based).
    pub chunk: usize,
    /// Its first byte (the magic) in the file.
    pub offset: usize,
    /// Its size in bytes.
    pub len: usize,
    /// Where its Binary XML starts in the file.
    pub binxml: usize,
}

impl EvtxFile {
    /// The file offset of chunk `chunk`.
    pub fn chunk_offset(chunk: usize) -> usize {
        FILE_HEADER_SIZE + chunk * CHUNK_SIZE
    }

    /// The number of chunks.
    pub fn chunks(&self) -> usize {
        (self.bytes.len() - FILE_HEADER_SIZE) / CHUNK_SIZE
    }
}

/// Write `events` (each the text of one `<Event>` element) as an EVTX file whose record ids
/// count from 1. Errors name an event that is not well-formed XML or is too large for a
/// chunk.
pub fn write_evtx(events: &[&str]) -> Result<EvtxFile, String> {
    let mut chunks: Vec<Chunk> = vec![Chunk::new()];
    let mut records = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let doc =
            roxmltree::Document::parse(event).map_err(|e| format!("event {i}: not XML: {e}"))?;
        let id = i as u64 + 1;
        let chunk = chunks.len() - 1;
        let place = match chunks[chunk].add(id, doc.root_element()) {
            Some(place) => (chunk, place),
            None => {
                chunks.push(Chunk::new());
                let place = chunks[chunk + 1]
                    .add(id, doc.root_element())
                    .ok_or_else(|| format!("event {i}: too large for one chunk"))?;
                (chunk + 1, place)
            }
        };
        let (chunk, (offset, len, binxml)) = place;
        let base = EvtxFile::chunk_offset(chunk);
        records.push(RecordPlace {
            id,
            chunk,
            offset: base + offset,
            len,
            binxml: base + binxml,
        });
    }
    let mut bytes = file_header(chunks.len(), events.len() as u64 + 1);
    for chunk in &chunks {
        bytes.extend_from_slice(&chunk.finish());
    }
    Ok(EvtxFile { bytes, records })
}

/// The 4096-byte file header for `chunks` chunks.
fn file_header(chunks: usize, next_record: u64) -> Vec<u8> {
    let mut h = vec![0u8; FILE_HEADER_SIZE];
    h[0..8].copy_from_slice(b"ElfFile\0");
    put_u64(&mut h, 8, 0);
    put_u64(&mut h, 16, chunks.saturating_sub(1) as u64);
    put_u64(&mut h, 24, next_record);
    put_u32(&mut h, 32, 128);
    put_u16(&mut h, 36, 1);
    put_u16(&mut h, 38, 3);
    put_u16(&mut h, 40, FILE_HEADER_SIZE as u16);
    put_u16(&mut h, 42, u16::try_from(chunks).unwrap_or(u16::MAX));
    let crc = crc32fast::hash(&h[..120]);
    put_u32(&mut h, 124, crc);
    h
}

/// A chunk being written.
struct Chunk {
    data: Vec<u8>,
    /// Names written so far: their chunk offsets.
    names: HashMap<String, u32>,
    /// The string table: per bucket, the first and the last name in its chain.
    buckets: [Option<(u32, u32)>; 64],
    first_id: Option<u64>,
    last_id: u64,
    last_offset: u32,
}

impl Chunk {
    fn new() -> Chunk {
        Chunk {
            data: vec![0; CHUNK_HEADER_SIZE],
            names: HashMap::new(),
            buckets: [None; 64],
            first_id: None,
            last_id: 0,
            last_offset: 0,
        }
    }

    /// Add the record `id` holding `event`: its offset, size and the offset of its Binary
    /// XML in the chunk, or `None` when it does not fit.
    fn add(&mut self, id: u64, event: roxmltree::Node<'_, '_>) -> Option<(usize, usize, usize)> {
        let start = self.data.len();
        let names = self.names.clone();
        let buckets = self.buckets;
        self.data.extend_from_slice(&[0x2a, 0x2a, 0, 0]);
        self.data.extend_from_slice(&[0; 4]);
        self.data.extend_from_slice(&id.to_le_bytes());
        self.data.extend_from_slice(&WRITTEN.to_le_bytes());
        let binxml = self.data.len();
        // Fragment header, version 1.1, no flags.
        self.data.extend_from_slice(&[0x0f, 1, 1, 0]);
        self.element(event);
        self.data.push(0x00);
        let len = self.data.len() + 4 - start;
        self.data.extend_from_slice(&(len as u32).to_le_bytes());
        if self.data.len() > CHUNK_SIZE {
            // Undo: the names written in this record are gone with it.
            self.data.truncate(start);
            self.names = names;
            self.buckets = buckets;
            self.relink();
            return None;
        }
        put_u32(&mut self.data, start + 4, len as u32);
        self.first_id.get_or_insert(id);
        self.last_id = id;
        self.last_offset = start as u32;
        Some((start, len, binxml))
    }

    /// Cut the chains of the string table at their last names (after an undo).
    fn relink(&mut self) {
        for (_, last) in self.buckets.iter().flatten() {
            put_u32(&mut self.data, *last as usize, 0);
        }
    }

    /// One element and all below it.
    fn element(&mut self, node: roxmltree::Node<'_, '_>) {
        // Namespace declarations are attributes in Binary XML, as in the text.
        let inherited: Vec<_> = node
            .parent_element()
            .map(|p| p.namespaces().collect())
            .unwrap_or_default();
        let mut attributes: Vec<(String, &str)> = node
            .namespaces()
            .filter(|ns| !inherited.contains(ns) && ns.name() != Some("xml"))
            .map(|ns| match ns.name() {
                Some(prefix) => (format!("xmlns:{prefix}"), ns.uri()),
                None => ("xmlns".to_owned(), ns.uri()),
            })
            .collect();
        attributes.extend(node.attributes().map(|a| (a.name().to_owned(), a.value())));
        let token = if attributes.is_empty() { 0x01 } else { 0x41 };
        self.data.push(token);
        let size_at = self.data.len();
        self.data.extend_from_slice(&[0; 4]);
        self.name(node.tag_name().name());
        if !attributes.is_empty() {
            let list_at = self.data.len();
            self.data.extend_from_slice(&[0; 4]);
            for (i, (name, value)) in attributes.iter().enumerate() {
                let more = i + 1 < attributes.len();
                self.data.push(if more { 0x46 } else { 0x06 });
                self.name(name);
                self.text(value);
            }
            let list_len = self.data.len() - list_at - 4;
            put_u32(&mut self.data, list_at, list_len as u32);
        }
        let has_elements = node.children().any(|c| c.is_element());
        // Indentation between child elements is not content.
        let is_content = |t: &str| !(t.is_empty() || (has_elements && t.trim().is_empty()));
        let content: Vec<_> = node
            .children()
            .filter(|c| c.is_element() || (c.is_text() && c.text().is_some_and(is_content)))
            .collect();
        if content.is_empty() {
            self.data.push(0x03);
        } else {
            self.data.push(0x02);
            for child in content {
                match child.text() {
                    Some(text) if child.is_text() => self.text(text),
                    _ => self.element(child),
                }
            }
            self.data.push(0x04);
        }
        let size = self.data.len() - size_at - 4;
        put_u32(&mut self.data, size_at, size as u32);
    }

    /// A `Value` token holding `text` as a UTF-16 string.
    fn text(&mut self, text: &str) {
        let units: Vec<u16> = text.encode_utf16().collect();
        self.data.push(0x05);
        self.data.push(0x01);
        self.data
            .extend_from_slice(&(units.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
        for unit in units.iter().take(usize::from(u16::MAX)) {
            self.data.extend_from_slice(&unit.to_le_bytes());
        }
    }

    /// A name reference: the chunk offset of the name, followed by the name itself the
    /// first time the chunk uses it.
    fn name(&mut self, name: &str) {
        if let Some(&offset) = self.names.get(name) {
            self.data.extend_from_slice(&offset.to_le_bytes());
            return;
        }
        let offset = self.data.len() as u32 + 4;
        self.data.extend_from_slice(&offset.to_le_bytes());
        let units: Vec<u16> = name.encode_utf16().collect();
        let hash = name_hash(&units);
        // The link to the next name of its bucket (none yet), the hash, the length, the
        // text and a NUL.
        self.data.extend_from_slice(&[0; 4]);
        self.data.extend_from_slice(&hash.to_le_bytes());
        self.data
            .extend_from_slice(&(units.len() as u16).to_le_bytes());
        for unit in &units {
            self.data.extend_from_slice(&unit.to_le_bytes());
        }
        self.data.extend_from_slice(&[0, 0]);
        let bucket = usize::from(hash) % 64;
        self.buckets[bucket] = match self.buckets[bucket] {
            None => Some((offset, offset)),
            Some((first, last)) => {
                put_u32(&mut self.data, last as usize, offset);
                Some((first, offset))
            }
        };
        self.names.insert(name.to_owned(), offset);
    }

    /// The chunk's 64 KiB, its header and checksums filled in.
    fn finish(&self) -> Vec<u8> {
        let mut c = self.data.clone();
        let free = c.len();
        c.resize(CHUNK_SIZE, 0);
        c[0..8].copy_from_slice(b"ElfChnk\0");
        let first = self.first_id.unwrap_or(1);
        let last = if self.first_id.is_some() {
            self.last_id
        } else {
            0
        };
        put_u64(&mut c, 8, first);
        put_u64(&mut c, 16, last);
        put_u64(&mut c, 24, first);
        put_u64(&mut c, 32, last);
        put_u32(&mut c, 40, 128);
        put_u32(&mut c, 44, self.last_offset);
        put_u32(&mut c, 48, free as u32);
        let records_crc = crc32fast::hash(&c[CHUNK_HEADER_SIZE..free]);
        put_u32(&mut c, 52, records_crc);
        for (i, bucket) in self.buckets.iter().enumerate() {
            put_u32(&mut c, 128 + 4 * i, bucket.map_or(0, |(first, _)| first));
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&c[..120]);
        crc.update(&c[128..CHUNK_HEADER_SIZE]);
        put_u32(&mut c, 124, crc.finalize());
        c
    }
}

/// The hash of a name: the low 16 bits of `h = h * 65599 + unit` over its UTF-16 units.
fn name_hash(units: &[u16]) -> u16 {
    let hash = units.iter().fold(0u32, |h, &u| {
        h.wrapping_mul(65599).wrapping_add(u32::from(u))
    });
    (hash & 0xffff) as u16
}

fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// Recompute the checksums of chunk `chunk` of `bytes` (its header's and its records'), as
/// after an edit a test wants the reader to meet past the checksums.
pub fn fix_chunk_checksums(bytes: &mut [u8], chunk: usize) {
    let at = EvtxFile::chunk_offset(chunk);
    let c = &mut bytes[at..at + CHUNK_SIZE];
    let free = u32::from_le_bytes([c[48], c[49], c[50], c[51]]) as usize;
    let records_crc = crc32fast::hash(&c[CHUNK_HEADER_SIZE..free.min(CHUNK_SIZE)]);
    put_u32(c, 52, records_crc);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&c[..120]);
    crc.update(&c[128..CHUNK_HEADER_SIZE]);
    put_u32(c, 124, crc.finalize());
}

/// The `<Event>` elements of an XML export written one per line (as
/// `tests/data/evtx/export.xml` holds them): the lines that start with `<Event `.
pub fn events_of_export(export: &str) -> Vec<&str> {
    export
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("<Event "))
        .collect()
}

/// The XML export of `tests/data/evtx/export.xml`: a Sysmon process creation (event 1), a
/// process creation of the Security log (4688) and a network logon (4624), record ids 1
/// to 3, one `<Event>` per line.
pub fn sample_export() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/evtx/export.xml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `n` events, enough from about 40 on to fill more than one chunk: copies of the 4688
/// event of [`sample_export`] with record ids 1 to `n` and the command line
/// `whoami /all #<id>`.
pub fn numbered_events(n: usize) -> Vec<String> {
    let export = sample_export();
    let base = events_of_export(&export)
        .into_iter()
        .find(|e| e.contains("<EventID>4688<"))
        .unwrap_or_default()
        .to_owned();
    (1..=n)
        .map(|i| {
            base.replace("<EventRecordID>2<", &format!("<EventRecordID>{i}<"))
                .replace("whoami /all", &format!("whoami /all #{i}"))
        })
        .collect()
}
