//! Bytes in: encoding detection and line splitting shared by the readers.
//!
//! Input is UTF-8. A UTF-8 byte order mark is skipped; a UTF-16 byte order mark (what
//! Windows PowerShell's `Out-File` and `wevtutil` redirections often write) switches to
//! decoding UTF-16 into UTF-8 as the bytes stream in. Unpaired surrogates become U+FFFD.

use std::io::{self, BufRead, BufReader, Read};

/// The readers' byte source.
pub(crate) type Input<'a> = Box<dyn BufRead + Send + 'a>;

/// A [`BufRead`] that looks at the first bytes once, skips a UTF-8 byte order mark and
/// decodes UTF-16 (little or big endian, with a byte order mark) into UTF-8.
pub(crate) struct Decoder<'a> {
    state: State<'a>,
}

enum State<'a> {
    /// Nothing read yet.
    Start(Input<'a>),
    /// UTF-8 (or anything without a UTF-16 byte order mark): passed through.
    Utf8(Input<'a>),
    /// UTF-16 decoded to UTF-8.
    Utf16(BufReader<Utf16ToUtf8<Input<'a>>>),
    /// Only while switching states.
    Switching,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(input: Input<'a>) -> Self {
        Decoder {
            state: State::Start(input),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !matches!(self.state, State::Start(_)) {
            return Ok(());
        }
        let State::Start(mut input) = std::mem::replace(&mut self.state, State::Switching) else {
            return Ok(());
        };
        let head = match input.fill_buf() {
            Ok(head) => head,
            Err(e) => {
                self.state = State::Start(input);
                return Err(e);
            }
        };
        self.state = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            input.consume(3);
            State::Utf8(input)
        } else if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            let big_endian = head[0] == 0xFE;
            input.consume(2);
            State::Utf16(BufReader::new(Utf16ToUtf8::new(input, big_endian)))
        } else {
            State::Utf8(input)
        };
        Ok(())
    }
}

impl Read for Decoder<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Decoder<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.start()?;
        match &mut self.state {
            State::Utf8(input) => input.fill_buf(),
            State::Utf16(input) => input.fill_buf(),
            State::Start(_) | State::Switching => Ok(&[]),
        }
    }

    fn consume(&mut self, amt: usize) {
        match &mut self.state {
            State::Utf8(input) => input.consume(amt),
            State::Utf16(input) => input.consume(amt),
            State::Start(_) | State::Switching => {}
        }
    }
}

/// A byte stream with bytes already taken from it put back in front: a read hands out
/// what is left of them and, in the same call, reads on into the rest of the buffer, so
/// the first fill of a buffered reader over it is as full as one over the stream itself.
pub(crate) struct Prefixed<R> {
    head: Vec<u8>,
    at: usize,
    inner: R,
}

impl<R> Prefixed<R> {
    /// `inner`, with `head` (taken from its start) put back.
    pub(crate) fn new(head: Vec<u8>, inner: R) -> Self {
        Prefixed { head, at: 0, inner }
    }

    /// The bytes put back.
    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let left = &self.head[self.at..];
        if left.is_empty() {
            return self.inner.read(out);
        }
        let n = left.len().min(out.len());
        out[..n].copy_from_slice(&left[..n]);
        self.at += n;
        if n == out.len() {
            return Ok(n);
        }
        // The rest of `out` from the stream; a failure now comes back on the next read.
        match self.inner.read(&mut out[n..]) {
            Ok(more) => Ok(n + more),
            Err(_) => Ok(n),
        }
    }
}

/// Streams UTF-16 code units in, UTF-8 bytes out.
pub(crate) struct Utf16ToUtf8<R> {
    inner: R,
    big_endian: bool,
    /// Bytes read but not yet decoded (an odd byte, or a high surrogate waiting for its pair).
    carry: Vec<u8>,
    /// Decoded bytes not yet handed out.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            carry: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    /// Read one chunk and decode everything complete in it.
    fn refill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 8192];
        let n = loop {
            match self.inner.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
        }
        self.carry.extend_from_slice(&chunk[..n]);
        let mut units: Vec<u16> = self
            .carry
            .chunks_exact(2)
            .map(|p| {
                if self.big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        let mut keep = self.carry.len() % 2;
        // A high surrogate at the end may pair with the next chunk's first unit.
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            keep += 2;
        }
        self.out.clear();
        self.out_pos = 0;
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        if self.eof && keep > 0 {
            // A dangling odd byte or lone high surrogate at the very end.
            self.out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut utf8)
                    .as_bytes(),
            );
            keep = 0;
        }
        let start = self.carry.len() - keep;
        self.carry.drain(..start);
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = (self.out.len() - self.out_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Splits input into lines, numbering them from 1. A line's terminator (`\n` or `\r\n`)
/// is not part of it; a lone `\r` stays in the line. A line longer than the maximum is
/// read through but not kept: it comes out as [`Line::TooLong`], so memory never holds
/// more than the maximum.
pub(crate) struct Lines<'a> {
    input: Decoder<'a>,
    buf: Vec<u8>,
    max: usize,
    next: usize,
    done: bool,
}

/// One line of [`Lines`].
pub(crate) enum Line<'b> {
    /// The line's bytes, without the terminator.
    Text(&'b [u8]),
    /// A line over the maximum.
    TooLong,
}

impl<'a> Lines<'a> {
    /// Lines of `input`, each of at most `max` bytes.
    pub(crate) fn new(input: Decoder<'a>, max: usize) -> Self {
        Lines {
            input,
            buf: Vec::new(),
            max,
            next: 1,
            done: false,
        }
    }

    /// The next line and its 1-based number; `None` at the end. A failed read is the
    /// readers' error, numbered with the line it stopped at; after it the input is
    /// finished.
    pub(crate) fn next_line(&mut self) -> Option<Result<(usize, Line<'_>), super::ReadError>> {
        if self.done {
            return None;
        }
        self.buf.clear();
        // Room for the longest line and its `\r\n`: a line that does not fit is too long.
        let room = self.max.saturating_add(2);
        let mut empty = true;
        let mut kept = true;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    self.done = true;
                    return Some(Err(super::ReadError::Io {
                        line: self.next,
                        source,
                    }));
                }
            };
            if chunk.is_empty() {
                if empty {
                    self.done = true;
                    return None;
                }
                break;
            }
            empty = false;
            let (take, found) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if kept && self.buf.len() + take <= room {
                self.buf.extend_from_slice(&chunk[..take]);
            } else if kept {
                kept = false;
                self.buf = Vec::new();
            }
            self.input.consume(take);
            if found {
                break;
            }
        }
        let number = self.next;
        self.next += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        if !kept || self.buf.len() > self.max {
            return Some(Ok((number, Line::TooLong)));
        }
        Some(Ok((number, Line::Text(&self.buf))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> String {
        let mut out = String::new();
        Decoder::new(Box::new(bytes))
            .read_to_string(&mut out)
            .expect("decodes");
        out
    }

    #[test]
    fn utf8_bom_is_skipped() {
        assert_eq!(decode_all(b"\xEF\xBB\xBFa=1\n"), "a=1\n");
        assert_eq!(decode_all(b"plain"), "plain");
        assert_eq!(decode_all(b""), "");
    }

    #[test]
    fn utf16_is_decoded() {
        let text = "EventCode=4104\r\nscript: \u{1F600} é\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode_all(&le), text);
        assert_eq!(decode_all(&be), text);
        // A truncated final code unit becomes a replacement character.
        le.push(0x41);
        assert_eq!(decode_all(&le), format!("{text}\u{FFFD}"));
    }

    #[test]
    fn utf16_surrogate_pairs_across_chunks() {
        // Put a surrogate pair exactly across the 8192-byte chunk boundary.
        let mut units: Vec<u16> = vec![u16::from(b'x'); 4095];
        units.extend("\u{1F600}".encode_utf16());
        let mut bytes = vec![0xFF, 0xFE];
        for u in &units {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let out = decode_all(&bytes);
        assert!(out.ends_with("x\u{1F600}"), "{:?}", &out[out.len() - 8..]);
        assert_eq!(out.chars().count(), 4096);
    }

    #[test]
    fn lines_are_numbered_and_stripped() {
        let mut lines = Lines::new(Decoder::new(Box::new(&b"a\r\nb\n\nc\rd"[..])), 100);
        let mut got = Vec::new();
        while let Some(line) = lines.next_line() {
            let (n, Line::Text(bytes)) = line.expect("in memory") else {
                panic!("a short line");
            };
            got.push((n, String::from_utf8_lossy(bytes).into_owned()));
        }
        let want: Vec<(usize, String)> = vec![
            (1, "a".into()),
            (2, "b".into()),
            (3, "".into()),
            (4, "c\rd".into()),
        ];
        assert_eq!(got, want);
    }

    /// Each line as text, or `None` when too long.
    fn all_lines(input: &[u8], max: usize, chunk: usize) -> Vec<(usize, Option<String>)> {
        let input = std::io::BufReader::with_capacity(chunk, input);
        let mut lines = Lines::new(Decoder::new(Box::new(input)), max);
        let mut got = Vec::new();
        while let Some(line) = lines.next_line() {
            got.push(match line.expect("in memory") {
                (n, Line::Text(bytes)) => (n, Some(String::from_utf8_lossy(bytes).into_owned())),
                (n, Line::TooLong) => (n, None),
            });
        }
        got
    }

    #[test]
    fn lines_over_the_maximum_are_read_through_not_kept() {
        let input = b"12345\r\n123456\r\n1234567\nabc\n1234567\r\n\n123456\n12345678";
        for chunk in [1, 2, 3, 7, 64] {
            let got = all_lines(input, 6, chunk);
            let want: Vec<(usize, Option<String>)> = vec![
                (1, Some("12345".into())),
                (2, Some("123456".into())),
                (3, None),
                (4, Some("abc".into())),
                (5, None),
                (6, Some("".into())),
                (7, Some("123456".into())),
                (8, None),
            ];
            assert_eq!(got, want, "chunk {chunk}");
        }
    }
}
