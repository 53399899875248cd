//! Memory budgets of blocking steps, and the temporary files they spill rows to.
//!
//! A blocking step (`sort` without a count, `eventstats`) holds rows until the input ends.
//! [`RunOptions::memory_budget`] bounds the bytes of rows it holds in memory; past it, the
//! step writes rows to a temporary file and reads them back at the end. The files are
//! anonymous (the system deletes them when they are closed, or when the process ends
//! however it ends) and made with `tempfile` in [`RunOptions::temp_dir`].
//!
//! Rows are written in a compact encoding private to this module: per file, a field's name
//! is written as text the first time and by number after; values are text, a number, or a
//! list of texts. A file is read back only by the process that wrote it.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::PathBuf;

use super::PerField;
use crate::event::Record;
use crate::field::FieldId;
use crate::value::Value;

/// How a pipeline's blocking steps use memory and disk.
///
/// ```
/// use spl_runtime::pipeline::{Pipeline, RunOptions};
///
/// let options = RunOptions {
///     memory_budget: 64 << 20,
///     ..RunOptions::default()
/// };
/// let pipeline = Pipeline::with_options(options);
/// assert!(pipeline.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// The bytes of rows each blocking step (`sort` without a count, `eventstats`) may hold
    /// in memory; past it, the step spills rows to temporary files. `sort N` holds at most
    /// N rows, and spills too if those are over the budget. Default:
    /// [`RunOptions::DEFAULT_MEMORY_BUDGET`].
    pub memory_budget: usize,
    /// The directory of the temporary files; `None` for the system's
    /// ([`std::env::temp_dir`]: `TMPDIR` on Unix).
    pub temp_dir: Option<PathBuf>,
    /// The data of `lookup` and `iplocation` (none by default: they pass rows on, with a
    /// warning).
    pub lookups: crate::lookup::Lookups,
    /// The data-model mappings of `tstats`, `from datamodel` and `datamodel` (the
    /// built-in ones by default).
    pub datamodels: crate::datamodel::DataModels,
}

impl RunOptions {
    /// The default memory budget of a blocking step: 512 MiB.
    pub const DEFAULT_MEMORY_BUDGET: usize = 512 << 20;

    /// The directory temporary files go to.
    fn dir(&self) -> PathBuf {
        self.temp_dir.clone().unwrap_or_else(std::env::temp_dir)
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            memory_budget: RunOptions::DEFAULT_MEMORY_BUDGET,
            temp_dir: None,
            lookups: crate::lookup::Lookups::none(),
            datamodels: crate::datamodel::DataModels::builtin(),
        }
    }
}

/// A step that could not give its rows: it went over its memory budget and could not spill
/// rows to a temporary file, or read them back (disk full, no temporary directory, ...).
#[derive(Debug, thiserror::Error)]
#[error(
    "`{command}` went over its memory budget of {budget} and could not spill rows to a temporary file in {dir}: {source}",
    budget = Size(*budget as u64),
    dir = dir.display()
)]
pub struct StepError {
    command: &'static str,
    budget: usize,
    dir: PathBuf,
    source: io::Error,
}

impl StepError {
    /// The error of `command` (`sort`, `eventstats`) running with `options`.
    pub(super) fn spill(command: &'static str, options: &RunOptions, source: io::Error) -> Self {
        StepError {
            command,
            budget: options.memory_budget,
            dir: options.dir(),
            source,
        }
    }

    /// The same error, of `command` (a step that sorts through a [`super::Sort`] of its
    /// own).
    pub(super) fn of_command(mut self, command: &'static str) -> Self {
        self.command = command;
        self
    }

    /// The command that failed: `sort`, `eventstats`.
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// Its memory budget, in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }
}

/// A size in bytes, in the largest binary unit that divides it.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
            if n >= 1 << shift && n % (1 << shift) == 0 {
                return write!(f, "{} {unit}", n >> shift);
            }
        }
        write!(f, "{n} bytes")
    }
}

/// Rows written to an anonymous temporary file, to be read back in the same order.
pub(super) struct SpillFile {
    out: RowWriter<BufWriter<File>>,
    rows: u64,
}

/// The buffer of a spill file's reader or writer.
const BUFFER: usize = 64 << 10;

impl SpillFile {
    /// A new empty file in the options' directory.
    pub(super) fn create(options: &RunOptions) -> io::Result<SpillFile> {
        let file = tempfile::tempfile_in(options.dir())?;
        Ok(SpillFile {
            out: RowWriter::new(BufWriter::with_capacity(BUFFER, file)),
            rows: 0,
        })
    }

    /// Append a row.
    pub(super) fn write(&mut self, row: &Record) -> io::Result<()> {
        self.out.write(row)?;
        self.rows += 1;
        Ok(())
    }

    /// The rows written, from the first.
    pub(super) fn read(self) -> io::Result<SpillReader> {
        let mut file = self
            .out
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        Ok(SpillReader {
            input: RowReader::new(BufReader::with_capacity(BUFFER, file)),
            left: self.rows,
        })
    }
}

/// The rows of a [`SpillFile`], in the order written.
pub(super) struct SpillReader {
    input: RowReader<BufReader<File>>,
    left: u64,
}

impl SpillReader {
    /// The next row, or `None` after the last.
    pub(super) fn next_row(&mut self) -> io::Result<Option<Record>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        self.input.read().map(Some)
    }
}

/// Rows kept in the order pushed: in memory up to a budget, and when over it, all of them
/// appended to a temporary file.
#[derive(Default)]
pub(super) struct Spool {
    memory: Vec<Record>,
    bytes: usize,
    file: Option<SpillFile>,
}

impl Spool {
    /// Add a row; past the budget, move the rows held to disk.
    pub(super) fn push(&mut self, row: Record, options: &RunOptions) -> io::Result<()> {
        self.bytes += row.memory_size();
        self.memory.push(row);
        if self.bytes > options.memory_budget {
            let file = match &mut self.file {
                Some(file) => file,
                None => self.file.insert(SpillFile::create(options)?),
            };
            for row in self.memory.drain(..) {
                file.write(&row)?;
            }
            self.bytes = 0;
        }
        Ok(())
    }

    /// The bytes of the rows held in memory.
    pub(super) fn held_bytes(&self) -> usize {
        self.bytes
    }

    /// Give every row, in the order pushed, and empty the spool.
    pub(super) fn drain(&mut self, mut f: impl FnMut(Record)) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            let mut rows = file.read()?;
            while let Some(row) = rows.next_row()? {
                f(row);
            }
        }
        self.bytes = 0;
        self.memory.drain(..).for_each(f);
        Ok(())
    }

    /// Drop every row.
    pub(super) fn clear(&mut self) {
        *self = Spool::default();
    }
}

/// Tags of values in the encoding.
const STR: u8 = 0;
const NUM: u8 = 1;
const MULTI: u8 = 2;

/// Writes rows: the number of fields, then per field its name (as text the first time:
/// `0`, length, bytes; by its number in order of first use after: `n + 1`) and its value
/// (a tag, then the text as length and bytes, the number as 8 bytes, or the count of texts
/// and each text). Numbers are LEB128 varints.
struct RowWriter<W> {
    out: W,
    /// The number of each field name written so far.
    names: PerField<u64>,
    next_name: u64,
}

impl<W: Write> RowWriter<W> {
    fn new(out: W) -> Self {
        RowWriter {
            out,
            names: PerField::default(),
            next_name: 0,
        }
    }

    fn write(&mut self, row: &Record) -> io::Result<()> {
        self.varint(row.len() as u64)?;
        for (field, value) in row.iter() {
            match self.names.get(field) {
                Some(n) => self.varint(n + 1)?,
                None => {
                    let n = self.next_name;
                    self.next_name += 1;
                    self.names.get_or(field, |_| n);
                    self.varint(0)?;
                    self.text(field.name())?;
                }
            }
            match value {
                Value::Str(s) => {
                    self.out.write_all(&[STR])?;
                    self.text(s)?;
                }
                Value::Num(n) => {
                    self.out.write_all(&[NUM])?;
                    self.out.write_all(&n.to_le_bytes())?;
                }
                Value::Multi(values) => {
                    self.out.write_all(&[MULTI])?;
                    self.varint(values.len() as u64)?;
                    for s in values {
                        self.text(s)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn text(&mut self, s: &str) -> io::Result<()> {
        self.varint(s.len() as u64)?;
        self.out.write_all(s.as_bytes())
    }

    fn varint(&mut self, mut n: u64) -> io::Result<()> {
        let mut buf = [0u8; 10];
        let mut len = 0;
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                buf[len] = byte;
                len += 1;
                break;
            }
            buf[len] = byte | 0x80;
            len += 1;
        }
        self.out.write_all(&buf[..len])
    }
}

/// Reads what a [`RowWriter`] wrote. Malformed input is an error, never a panic, and a
/// length read from the input never makes it allocate more than the input holds.
struct RowReader<R> {
    input: R,
    /// The field names met so far, by number.
    names: Vec<FieldId>,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("spill file: {what}"))
}

impl<R: BufRead> RowReader<R> {
    fn new(input: R) -> Self {
        RowReader {
            input,
            names: Vec::new(),
        }
    }

    fn read(&mut self) -> io::Result<Record> {
        let fields = self.varint()?;
        let mut row = Record::with_capacity(usize::try_from(fields.min(1024)).unwrap_or(0));
        for _ in 0..fields {
            let field = match self.varint()? {
                0 => {
                    let name = self.text()?;
                    let id = FieldId::intern(&name);
                    self.names.push(id);
                    id
                }
                n => usize::try_from(n - 1)
                    .ok()
                    .and_then(|i| self.names.get(i).copied())
                    .ok_or_else(|| invalid("unknown field number"))?,
            };
            let value = match self.byte()? {
                STR => Value::Str(self.text()?),
                NUM => {
                    let mut bytes = [0u8; 8];
                    self.input.read_exact(&mut bytes)?;
                    Value::Num(f64::from_le_bytes(bytes))
                }
                MULTI => {
                    let count = self.varint()?;
                    let mut values =
                        Vec::with_capacity(usize::try_from(count.min(64)).unwrap_or(0));
                    for _ in 0..count {
                        values.push(self.text()?);
                    }
                    Value::Multi(values)
                }
                _ => return Err(invalid("unknown value tag")),
            };
            row.set(field, value);
        }
        Ok(row)
    }

    fn byte(&mut self) -> io::Result<u8> {
        let mut b = [0u8; 1];
        self.input.read_exact(&mut b)?;
        Ok(b[0])
    }

    fn varint(&mut self) -> io::Result<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(invalid("number too long"))
    }

    fn text(&mut self) -> io::Result<String> {
        let len = self.varint()?;
        let mut bytes = Vec::with_capacity(usize::try_from(len.min(BUFFER as u64)).unwrap_or(0));
        (&mut self.input).take(len).read_to_end(&mut bytes)?;
        if (bytes.len() as u64) < len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        String::from_utf8(bytes).map_err(|_| invalid("text is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn rows() -> Vec<Record> {
        let mut a = Record::new();
        a.set_raw("{\"ip\": \"::1\"} ünïcode");
        a.set_time(1_700_000_000.25);
        a.set_named("host", "h1");
        a.set_named("empty", "");
        a.set(FieldId::intern("n"), Value::Num(f64::NAN));
        a.set(FieldId::intern("neg"), Value::Num(-0.0));
        a.set(
            FieldId::intern("ips"),
            Value::Multi(vec!["10.0.0.1".into(), String::new(), "::1".into()]),
        );
        // The same names again, in another order, and a new one.
        let mut b = Record::new();
        b.set_named("host", "h2");
        b.set_raw("x");
        b.set_named("only in b", "y");
        b.set(FieldId::intern("n"), Value::Num(42.0));
        vec![a, b, Record::new()]
    }

    /// Records compared by their bits (NaN is not equal to itself).
    fn bits(rows: &[Record]) -> String {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|(f, v)| match v {
                        Value::Num(n) => format!("{f:?}=num:{:#x}", n.to_bits()),
                        other => format!("{f:?}={other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn rows_round_trip_through_the_encoding() {
        let rows = rows();
        let mut bytes = Vec::new();
        let mut w = RowWriter::new(&mut bytes);
        for r in &rows {
            w.write(r).expect("write to memory");
        }
        let mut r = RowReader::new(&bytes[..]);
        let back: Vec<Record> = (0..rows.len())
            .map(|_| r.read().expect("read back"))
            .collect();
        assert_eq!(bits(&back), bits(&rows));
        assert_eq!(back[1].raw(), "x");
        assert_eq!(back[0].time(), Some(1_700_000_000.25));
        // Names are written once per file: the second row names its fields by number.
        let host = bytes
            .windows(5)
            .filter(|w| *w == b"\x04host".as_slice())
            .count();
        assert_eq!(host, 1, "{bytes:?}");
    }

    #[test]
    fn malformed_input_is_an_error() {
        let rows = rows();
        let mut bytes = Vec::new();
        RowWriter::new(&mut bytes)
            .write(&rows[0])
            .expect("write to memory");
        for cut in 0..bytes.len() {
            let err = RowReader::new(&bytes[..cut]).read();
            assert!(err.is_err(), "cut at {cut}");
        }
        for bad in [
            &[1u8, 5][..],
            &[1, 0, 1, b'a', 9],
            &[1, 0, 2, 0xff, 0xfe, 0],
        ] {
            assert!(RowReader::new(bad).read().is_err(), "{bad:?}");
        }
        // A length far past the end allocates nothing of that size.
        let huge = [1u8, 0, 0xff, 0xff, 0xff, 0xff, 0x0f];
        assert!(RowReader::new(&huge[..]).read().is_err());
    }

    #[test]
    fn a_spool_gives_its_rows_in_order_from_disk_and_memory() {
        let options = RunOptions {
            memory_budget: 2000,
            temp_dir: None,
            ..RunOptions::default()
        };
        let mut spool = Spool::default();
        let rows: Vec<Record> = (0..50)
            .map(|i| {
                let mut r = Record::new();
                r.set_named("i", i.to_string());
                r.set_raw(format!("event {i}"));
                r
            })
            .collect();
        for r in rows.clone() {
            spool
                .push(r, &options)
                .expect("spill to the temporary directory");
            assert!(spool.held_bytes() <= options.memory_budget);
        }
        assert!(spool.file.is_some(), "over the budget, rows went to disk");
        assert!(!spool.memory.is_empty(), "the last rows stay in memory");
        let mut back = Vec::new();
        spool.drain(|r| back.push(r)).expect("read back");
        assert_eq!(back, rows);
        assert_eq!(spool.held_bytes(), 0);
    }

    #[test]
    fn sizes_print_in_binary_units() {
        assert_eq!(Size(512 << 20).to_string(), "512 MiB");
        assert_eq!(Size(4096).to_string(), "4 KiB");
        assert_eq!(Size(3 << 30).to_string(), "3 GiB");
        assert_eq!(Size(1000).to_string(), "1000 bytes");
        assert_eq!(Size(0).to_string(), "0 bytes");
    }
}
