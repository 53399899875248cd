//! Arbitrary bytes through the EVTX reader (`.evtx` Windows event log files), with small
//! limits.
//!
//! The input is 3 option bytes (limits, `time_field`, a second read with aliases; see
//! `read_common.rs`), then the bytes of a file. Whole EVTX files are large (a 4 KiB header,
//! then chunks of 64 KiB) and mostly padding, so unless bit 2 of the third option byte is
//! set, the bytes are the *chunks*: the target puts a valid file header before them and
//! pads the last chunk with zeros, and the fuzzer spends its time on chunk headers,
//! records and Binary XML. With that bit set, the bytes are the whole file, header
//! included. Checksums are not verified by the reader, so mutated chunks are read.
//! Checked: no panic or hang; every item an event or a located skip (or, for bytes that
//! are not an EVTX file, one fatal error alone); the counts add up; every event within the
//! limits; aliases only add fields.
//!
//! Seeds: `cargo run -p splc-tests --example evtx_seeds -- fuzz/corpus/read_evtx` from the
//! repository root (files written by the test EVTX writer, as chunks).

#![no_main]

mod read_common;

use libfuzzer_sys::fuzz_target;
use spl_runtime::read::InputFormat;

/// The size of the file header block and of a chunk.
const HEADER: usize = 4096;
const CHUNK: usize = 65536;

/// A file of `chunks` bytes of chunks: a valid file header, then `chunks` padded with zeros
/// to a whole number of chunks.
fn file_of_chunks(chunks: &[u8]) -> Vec<u8> {
    let count = chunks.len().div_ceil(CHUNK).max(1);
    let mut file = vec![0u8; HEADER];
    file[..8].copy_from_slice(b"ElfFile\0");
    file[16..24].copy_from_slice(&(count as u64 - 1).to_le_bytes());
    file[24..32].copy_from_slice(&1u64.to_le_bytes());
    file[32..36].copy_from_slice(&128u32.to_le_bytes());
    file[36..38].copy_from_slice(&1u16.to_le_bytes());
    file[38..40].copy_from_slice(&3u16.to_le_bytes());
    file[40..42].copy_from_slice(&(HEADER as u16).to_le_bytes());
    file[42..44].copy_from_slice(&(count as u16).to_le_bytes());
    file.extend_from_slice(chunks);
    file.resize(HEADER + count * CHUNK, 0);
    file
}

fuzz_target!(|data: &[u8]| {
    if let Some((options, input)) = read_common::Options::split(data) {
        let whole = data[2] & 0x04 != 0;
        let file = if whole {
            input.to_vec()
        } else {
            file_of_chunks(input)
        };
        read_common::check(InputFormat::Evtx, &options, &file);
    }
});
