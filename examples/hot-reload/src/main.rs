//! Streams events from standard input through a rule pack loaded from a directory, and
//! reloads the pack whenever a rule file there changes: the way a long-running agent keeps
//! its detections current without a restart.
//!
//! ```text
//! tail -F events.jsonl | cargo run -p splc-example-hot-reload -- RULE_DIR [POLL_MS]
//! ```
//!
//! Rows go to standard output as JSON lines (`_rule` first); standard error says when a
//! pack is loaded (`pack N loaded: K rules`) and why a changed directory was not (its
//! rules did not compile: the running pack stays). On a reload the old pack's held rows
//! (`stats` and the like) are printed, then every later event goes to the new pack: no
//! event is lost or seen twice ([`spl_engine::pack::LivePack`]).
//!
//! The directory is polled (every `POLL_MS` milliseconds, 500 by default): a listing of
//! each rule file's path, size and modification time; any difference is a change. Polling
//! works on every file system, network mounts included, where change notifications do
//! not always.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use spl_engine::pack::{LivePack, Pack, Row};
use spl_runtime::read::{self, InputFormat, ReadOptions};

/// What identifies the state of a rule directory: each rule file with its size and time.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

fn fingerprint(dir: &Path) -> Fingerprint {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                pending.push(path);
            } else if is_rule_file(&path) {
                files.push((path, meta.len(), meta.modified().ok()));
            }
        }
    }
    files.sort();
    files
}

fn is_rule_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yml" | "yaml" | "spl"))
}

/// Print a row as a JSON line.
fn print(row: &Row) {
    let mut out = std::io::stdout().lock();
    // A closed standard output ends nothing here: the agent keeps running.
    let _ = spl_runtime::json::write_row(&mut out, &row.rule.name, &row.record);
    let _ = out.flush();
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: hot-reload RULE_DIR [POLL_MS] < events.jsonl");
        return ExitCode::from(2);
    };
    let poll = args
        .next()
        .and_then(|ms| ms.to_str()?.parse().ok())
        .map_or(Duration::from_millis(500), Duration::from_millis);
    let mut seen = fingerprint(&dir);
    let live = match Pack::builder().rules(&dir).build() {
        Ok(pack) => {
            eprintln!("pack 1 loaded: {} rules", pack.len());
            Arc::new(LivePack::new(pack))
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (live, done) = (Arc::clone(&live), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut generation = 1;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(poll);
                let now = fingerprint(&dir);
                if now == seen {
                    continue;
                }
                seen = now;
                match Pack::builder().rules(&dir).build() {
                    Ok(pack) => {
                        let rules = pack.len();
                        if let Err(e) = live.replace(pack, &mut |row| print(&row)) {
                            eprintln!("{e}");
                        }
                        generation += 1;
                        eprintln!("pack {generation} loaded: {rules} rules");
                    }
                    Err(e) => eprintln!(
                        "the rules changed but do not compile; the running pack stays\n{e}"
                    ),
                }
            }
        })
    };
    let input = std::io::BufReader::new(std::io::stdin());
    let reader = read::Reader::new(input, InputFormat::JsonLines, ReadOptions::default());
    for item in reader {
        match item {
            Ok(event) => {
                live.push(event.record, &mut |row| print(&row));
            }
            Err(e) => eprintln!("{e}"),
        }
    }
    done.store(true, Ordering::Relaxed);
    if watcher.join().is_err() {
        eprintln!("the watcher stopped");
    }
    let live = Arc::try_unwrap(live).unwrap_or_else(|_| unreachable!("the watcher has ended"));
    match live.finish(&mut |row| print(&row)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
