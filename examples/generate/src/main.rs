//! Writes the sample event files of `examples/events`.
//!
//! ```text
//! splc-example-events [DIR] [--seed N]
//! ```
//!
//! `DIR` defaults to `examples/events` of this workspace, `N` to
//! [`splc_example_events::DEFAULT_SEED`]. Only the default seed gives the checked-in files.

use std::path::PathBuf;
use std::process::ExitCode;

use splc_example_events::{event_files, DEFAULT_SEED};

fn main() -> ExitCode {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut seed = DEFAULT_SEED;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(n) => seed = n,
                None => {
                    eprintln!("--seed needs a whole number");
                    return ExitCode::FAILURE;
                }
            },
            "-h" | "--help" => {
                println!("usage: splc-example-events [DIR] [--seed N]");
                return ExitCode::SUCCESS;
            }
            _ => dir = PathBuf::from(arg),
        }
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for file in event_files(seed) {
        let path = dir.join(file.name);
        if let Err(e) = std::fs::write(&path, &file.text) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), file.text.len());
    }
    ExitCode::SUCCESS
}
