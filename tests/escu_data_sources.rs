//! ESCU's data sources (`../shared/escu/data_sources/*.yml`): every `example_log` read by
//! the reader its source type calls for, and, for each data source whose CIM mapping
//! names a dataset splc's built-in mappings cover, its example event in that dataset with
//! the fields the mapping names.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use spl_runtime::datamodel::DataModels;
use spl_runtime::read::{InputFormat, ReadOptions, Reader};
use spl_runtime::{Record, Value};

/// The datasets the built-in mappings cover, as `field_mappings` name them.
const SUPPORTED: &[&str] = &[
    "Endpoint.Processes",
    "Endpoint.Filesystem",
    "Endpoint.Registry",
    "Network_Traffic.All_Traffic",
    "Network_Resolution.DNS",
    "Authentication",
    "Change",
];

/// Data sources whose example is not one event of its format, with why.
const UNREADABLE: &[(&str, &str)] = &[
    ("github.yml", CUT),
    ("powershell_script_block_logging_4104.yml", CUT),
    ("windows_event_log_security_4627.yml", CUT),
    ("windows_event_log_security_4662.yml", CUT),
    ("windows_event_log_security_4663.yml", CUT),
    ("windows_event_log_security_4672.yml", CUT),
    ("windows_event_log_security_4738.yml", CUT),
    ("windows_event_log_security_4741.yml", CUT),
    ("windows_event_log_security_4742.yml", CUT),
    ("windows_event_log_security_4886.yml", CUT),
    ("windows_event_log_security_4887.yml", CUT),
    ("windows_event_log_security_5140.yml", CUT),
    ("windows_event_log_security_5145.yml", CUT),
    ("windows_event_log_system_7045.yml", CUT),
    (
        "windows_event_log_security_5141.yml",
        "the catalog's example has a `<Le>` element closed by `</Level>`",
    ),
];

const CUT: &str = "the catalog's example stops in the middle of the event";

/// `source field → CIM field` pairs of the catalog's mappings that splc computes
/// otherwise, with why (the field is still required to be present).
const DIFFERENT: &[(&str, &str, &str)] = &[
    (
        "ParentImage",
        "parent_process_name",
        "a name is the path's last part (the catalog maps the whole path)",
    ),
    (
        "SubjectUserSid",
        "user",
        "the CIM user is a name: SubjectUserName (the SID is user_id)",
    ),
    (
        "Process_Command_Line",
        "process",
        "event XML names it CommandLine (Process_Command_Line is the classic record's)",
    ),
];

struct Source {
    file: String,
    sourcetype: String,
    example: String,
    /// `(dataset, [(source field, CIM field)])`.
    mappings: Vec<(String, Vec<(String, String)>)>,
}

fn sources(dir: &Path) -> Vec<Source> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("data_sources"))
        .expect("data_sources reads")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).expect("a data source reads");
            let yaml: serde_norway::Value =
                serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let example = yaml.get("example_log")?.as_str()?.to_owned();
            if example.trim().is_empty() {
                return None;
            }
            let str_of = |k: &str| {
                yaml.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let mut mappings = Vec::new();
            for m in yaml
                .get("field_mappings")
                .and_then(|v| v.as_sequence())
                .into_iter()
                .flatten()
            {
                if m.get("data_model").and_then(|v| v.as_str()) != Some("cim") {
                    continue;
                }
                let Some(dataset) = m.get("data_set").and_then(|v| v.as_str()) else {
                    continue;
                };
                let pairs = m
                    .get("mapping")
                    .and_then(|v| v.as_mapping())
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
                    .collect();
                mappings.push((dataset.to_owned(), pairs));
            }
            Some(Source {
                file: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                sourcetype: str_of("sourcetype"),
                example,
                mappings,
            })
        })
        .collect()
}

/// The reader an example calls for: event XML and JSON by their first character, classic
/// `WinEventLog` records by their source type (`wineventlog`, and the `xmlwineventlog`
/// sources whose example is a classic record), any other line as text.
fn format(source: &Source) -> InputFormat {
    let st = source.sourcetype.to_ascii_lowercase();
    let text = source.example.trim_start();
    if text.starts_with('<') {
        InputFormat::WinEventXml
    } else if text.starts_with('{') {
        InputFormat::JsonLines
    } else if st.contains("wineventlog") {
        InputFormat::WinEventText
    } else {
        InputFormat::Text
    }
}

/// The events of the example and the errors of reading it.
fn read(source: &Source) -> (Vec<Record>, Vec<String>) {
    let mut text = source.example.clone();
    if format(source) == InputFormat::JsonLines {
        // One JSON object: keep it on one line.
        text = text.replace('\n', " ");
    }
    let reader = Reader::new(
        Cursor::new(text.into_bytes()),
        format(source),
        ReadOptions::default(),
    );
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for item in reader {
        match item {
            Ok(e) => events.push(e.record),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (events, errors)
}

#[test]
fn every_example_log_reads() {
    let Some(dir) = splc_tests::corpus("escu", "escu_data_sources") else {
        return;
    };
    let sources = sources(&dir);
    assert!(sources.len() > 150, "{} examples", sources.len());
    let mut failures = Vec::new();
    let mut by_format: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &sources {
        *by_format.entry(format(s).name()).or_default() += 1;
        let (events, errors) = read(s);
        let pinned = UNREADABLE.iter().any(|(f, _)| *f == s.file);
        let ok = !events.is_empty() && errors.is_empty();
        if ok == pinned {
            failures.push(format!(
                "{} ({}): {} events, errors {errors:?}",
                s.file,
                format(s).name(),
                events.len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{by_format:?}\n{}",
        failures.join("\n")
    );
}

fn text_of(v: &Value) -> Vec<String> {
    v.iter_str().map(|s| s.into_owned()).collect()
}

fn basename(s: &str) -> &str {
    s.rsplit(['\\', '/']).next().unwrap_or(s)
}

#[test]
fn mapped_examples_land_in_their_dataset() {
    let Some(dir) = splc_tests::corpus("escu", "escu_data_sources") else {
        return;
    };
    let models = DataModels::builtin();
    let mut checked = 0;
    let mut failures = Vec::new();
    for s in sources(&dir) {
        for (dataset, pairs) in &s.mappings {
            if !SUPPORTED.contains(&dataset.as_str()) {
                continue;
            }
            let (model, root) = match dataset.split_once('.') {
                Some((m, r)) => (m, Some(r)),
                None => (dataset.as_str(), None),
            };
            if UNREADABLE.iter().any(|(f, _)| *f == s.file) {
                continue;
            }
            let view = models.view(model, root, true);
            let (events, _) = read(&s);
            let Some(mut event) = events.into_iter().next() else {
                failures.push(format!("{}: no event", s.file));
                continue;
            };
            let original = event.clone();
            if !view.apply(&mut event) {
                failures.push(format!("{}: not in {dataset}", s.file));
                continue;
            }
            checked += 1;
            for (from, to) in pairs {
                let Some(got) = event.get_named(to) else {
                    failures.push(format!("{}: {to} missing", s.file));
                    continue;
                };
                let (field, ends) = match from.strip_suffix("|endswith") {
                    Some(f) => (f, true),
                    None => (from.as_str(), false),
                };
                let cim = to.rsplit('.').next().unwrap_or(to);
                if DIFFERENT.iter().any(|(a, b, _)| *a == field && *b == cim) {
                    continue;
                }
                let Some(source) = original.get_named(field) else {
                    continue;
                };
                let want: Vec<String> = text_of(source)
                    .iter()
                    .map(|v| {
                        if ends {
                            basename(v).to_owned()
                        } else {
                            v.clone()
                        }
                    })
                    .collect();
                if text_of(got) != want {
                    failures.push(format!(
                        "{}: {to} = {:?}, {from} = {want:?}",
                        s.file,
                        text_of(got)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 5, "data sources checked");
    assert!(models.warnings().is_empty(), "{:?}", models.warnings());
}
