//! Arbitrary bytes through the Windows event XML reader, with small limits.
//!
//! The input is 3 option bytes (limits, chunk size, `time_field`, a second read with
//! aliases; see `read_common.rs`), then the bytes to read. Checked: no panic or hang;
//! every item an event or a located skip; the counts add up; every event within the
//! limits; aliases only add fields.

#![no_main]

mod read_common;

use libfuzzer_sys::fuzz_target;
use spl_runtime::read::InputFormat;

fuzz_target!(|data: &[u8]| {
    if let Some((options, input)) = read_common::Options::split(data) {
        read_common::check(InputFormat::WinEventXml, &options, input);
    }
});
