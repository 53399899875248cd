//! Seeds for the `read_evtx` fuzz target: EVTX files written by
//! `splc_tests::evtx_writer`, as that target reads them (3 option bytes, then the file's
//! chunks without the file header and without the zeros after the last record).
//!
//! `cargo run -p splc-tests --example evtx_seeds -- fuzz/corpus/read_evtx` from the
//! repository root. Each seed is named by a hash of its bytes (FNV-1a), so running it
//! again adds nothing new.

use splc_tests::evtx_writer::{
    events_of_export, numbered_events, sample_export, write_evtx, EvtxFile, CHUNK_SIZE,
    FILE_HEADER_SIZE,
};

/// Option bytes (`fuzz/fuzz_targets/read_common.rs`): roomy limits and 8 KB reads; small
/// limits.
const OPTIONS: [[u8; 3]; 2] = [[0xFF, 0xEF, 0x01], [0x55, 0x25, 0x03]];

fn main() {
    let Some(out) = std::env::args_os().nth(1) else {
        eprintln!("usage: evtx_seeds <corpus directory>");
        std::process::exit(2);
    };
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("create the corpus directory");
    let export = sample_export();
    let events = events_of_export(&export);
    let numbered = numbered_events(45);
    let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
    let mut files = Vec::new();
    for one in &events {
        files.push(write_evtx(&[one]).expect("written"));
    }
    files.push(write_evtx(&events).expect("written"));
    files.push(write_evtx(&numbered).expect("written"));
    let mut written = 0;
    for file in &files {
        let chunks = used_chunks(file);
        for options in OPTIONS {
            let mut seed = options.to_vec();
            seed.extend_from_slice(&chunks);
            let path = out.join(format!("evtx-{:016x}", fnv1a(&seed)));
            if !path.exists() {
                std::fs::write(&path, &seed).expect("write a seed");
                written += 1;
            }
        }
    }
    println!("{written} seeds written to {}", out.display());
}

/// The chunks of `file`, the zeros after the last chunk's records left out (the target
/// pads them back).
fn used_chunks(file: &EvtxFile) -> Vec<u8> {
    let chunks = &file.bytes[FILE_HEADER_SIZE..];
    let last = chunks.len() - CHUNK_SIZE;
    let end = chunks[last..]
        .iter()
        .rposition(|&b| b != 0)
        .map_or(last, |i| last + i + 1);
    chunks[..end].to_vec()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
