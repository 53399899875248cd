//! The hot-reload example end to end: rules changed on disk while events stream in.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Wait for a line of standard error that contains `text`; every line read goes to `log`.
fn wait_for(lines: &mpsc::Receiver<String>, text: &str, log: &mut Vec<String>) {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no line with {text:?} in {log:#?}"));
        log.push(line.clone());
        if line.contains(text) {
            return;
        }
    }
}

fn events(range: std::ops::Range<u32>) -> String {
    range.map(|i| format!("{{\"seq\": \"{i}\"}}\n")).collect()
}

#[test]
fn a_changed_rule_takes_over_without_losing_or_repeating_an_event() {
    let dir = scratch("hot_reload");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    let tagged = |tag: &str| format!("seq=* | eval v=\"{tag}\" | table seq v");
    std::fs::write(rules.join("tag.spl"), tagged("one")).expect("write rule");
    std::fs::write(rules.join("count.spl"), "seq=* | stats count").expect("write rule");
    let mut child = Command::new(env!("CARGO_BIN_EXE_splc-example-hot-reload"))
        .arg(&rules)
        .arg("20")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");
    let stderr = child.stderr.take().expect("stderr");
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    let mut log = Vec::new();
    wait_for(&lines, "pack 1 loaded: 2 rules", &mut log);
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(events(0..500).as_bytes())
        .expect("write events");
    stdin.flush().expect("flush");
    // Another length than "one": the change shows whatever the clock's resolution.
    std::fs::write(rules.join("tag.spl"), tagged("second")).expect("write rule");
    wait_for(&lines, "pack 2 loaded: 2 rules", &mut log);
    // A change that does not compile: the running pack stays.
    std::fs::write(rules.join("broken.spl"), "seq=* | eval x=(").expect("write rule");
    wait_for(&lines, "do not compile", &mut log);
    stdin
        .write_all(events(500..1000).as_bytes())
        .expect("write events");
    drop(stdin);
    let status = child.wait().expect("the example ends");
    assert!(status.success(), "{log:#?}");
    let rows: Vec<serde_json::Value> = reader
        .join()
        .expect("stdout")
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    let mut tagged_by: Vec<Option<String>> = vec![None; 1000];
    let mut counts = Vec::new();
    for row in &rows {
        match row["_rule"].as_str() {
            Some("tag") => {
                let seq: usize = row["seq"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .expect("seq");
                let v = row["v"].as_str().expect("v").to_owned();
                assert!(
                    tagged_by[seq].replace(v).is_none(),
                    "event {seq} seen twice"
                );
            }
            Some("count") => counts.push(row["count"].as_u64().expect("count")),
            other => panic!("a row of {other:?}"),
        }
    }
    // Every event once; those sent after the reload by the new rule.
    assert!(tagged_by.iter().all(Option::is_some), "an event was lost");
    assert!(tagged_by[500..]
        .iter()
        .all(|v| v.as_deref() == Some("second")));
    assert!(tagged_by[..500]
        .iter()
        .all(|v| matches!(v.as_deref(), Some("one" | "second"))));
    // Two packs, two counts: the first at the reload, the second at the end.
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(counts.iter().sum::<u64>(), 1000);
}
