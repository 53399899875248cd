//! Two rules compiled into Rust by `spl_runtime::detect!`: one written inline, one read
//! from a rule file of `examples/rules`. rustc checks them: a rule that does not compile
//! is a compile error pointing into the SPL. The binary runs both over the event files
//! of `examples/events` (or the files given as arguments) and prints each result row and
//! a summary.
//!
//! ```text
//! cargo run -p splc-example-detect-macro [EVENT FILE ...]
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use spl_runtime::read::{self, ReadOptions};
use spl_runtime::rule::Rule;
use spl_runtime::{detect, Record};

detect! {
    /// An Office application starting a shell or PowerShell: the usual first step of a
    /// malicious macro.
    pub struct OfficeSpawnsShell = r#"(TERM(EventCode=1) OR "<EventID>1<" OR TERM(EventCode=4688) OR "<EventID>4688<")
        parent_process_name IN ("winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe")
        process_name IN ("powershell.exe", "pwsh.exe", "cmd.exe", "wscript.exe", "mshta.exe")
        | eval parent=lower(parent_process_name)
        | table _time, host, user, parent, process_name, process"#;
}

detect! {
    /// `certutil -urlcache` and friends downloading a file (`examples/rules`).
    pub struct CertutilDownload = file "../rules/certutil_download-windows.yml";
}

fn event_files() -> Vec<PathBuf> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if !args.is_empty() {
        return args;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
    ["sysmon.xml", "security_4688.log", "linux_process.jsonl"]
        .iter()
        .map(|name| dir.join(name))
        .collect()
}

/// A row as `field=value` pairs on one line.
fn show(row: &Record) -> String {
    row.iter()
        .map(|(field, value)| {
            let text: Vec<_> = value.iter_str().collect();
            format!("{}={}", field.name(), text.join("|"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn main() -> ExitCode {
    let mut rules: Vec<Box<dyn Rule>> = vec![
        Box::new(OfficeSpawnsShell::new()),
        Box::new(CertutilDownload::new()),
    ];
    let mut rows: Vec<Vec<Record>> = rules.iter().map(|_| Vec::new()).collect();
    for path in event_files() {
        let reader = match read::open(&path, None, ReadOptions::default()) {
            Ok(reader) => reader,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        // Skipped events are reported and passed over; an unreadable file ends the run.
        for item in reader {
            let event = match item {
                Ok(event) => event,
                Err(e) if e.is_fatal() => {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    continue;
                }
            };
            for (rule, out) in rules.iter_mut().zip(&mut rows) {
                if rule.matches(&event.record) {
                    rule.process(event.record.clone(), out);
                }
            }
        }
    }
    let mut failed = false;
    for (rule, out) in rules.iter_mut().zip(&mut rows) {
        let info = rule.info();
        if let Err(e) = rule.finish(&mut |row| out.push(row)) {
            eprintln!("{}: {e}", info.name);
            failed = true;
        }
        println!("{} ({}): {} row(s)", info.name, info.title, out.len());
        for row in out.iter() {
            println!("  {}", show(row));
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
