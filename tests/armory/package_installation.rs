//! The armory's five "Package installation" rules, end to end, through all three entry points.
//!
//! Each rule is run over events of its data source's raw format (`data/package_installation/`):
//! Sysmon event 1 as `XmlWinEventLog` XML and as a classic `WinEventLog` record, Security 4688
//! as XML and as a classic record, CrowdStrike-like `ProcessRollup2` JSON lines, PowerShell
//! 4104 classic records (and one XML record, which the rule cannot find), Linux audit-like JSON
//! lines. The events are read with `spl_runtime::read` and its built-in field aliases.
//!
//! For every event the test states whether the rule's first search (`Rule::matches`) accepts
//! it, and why; the expected result rows are written by hand from the rules' meaning
//! (`docs/semantics.md`):
//!
//! - the search matches `_raw`: `TERM(x)` needs a major breaker (or start/end) on both sides
//!   and ignores case; a quoted phrase is token-aligned;
//! - `regex process="(?i)install\s"` keeps a row only when `process` exists and has
//!   whitespace after `install`;
//! - `rex` creates `reqs`, `extra`, `source1` on a match only, and
//!   `eval keywords=mvappend(...)` skips the null ones, so `keywords` is absent when
//!   none matched;
//! - `table` keeps only what it lists: the sysmon, winevent and edr rules list
//!   `keyword`, a typo, so `keywords` never reaches their results, while the powershell and
//!   unix rules list `keywords`; `reqs`, `extra` and `source1` are never listed;
//! - `bin span=1s` floors `_time` to the second, and
//!   `stats values(*) as * by _time, host` makes one row per second and host, each other field
//!   the distinct values sorted by byte order, rows ordered by `_time`, then `host`.

use std::path::PathBuf;

use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::rule::Rule;
use spl_runtime::{Event, Record};
use splc_tests::{armory_dir, data, events, pack, row, rows, run_rule, Row};

/// The rules compiled by the `detect!` macro, straight from the armory files.
mod detect {
    spl_runtime::detect! {
        /// Package installation, Sysmon.
        #[allow(deprecated)] // W0304: the catalog's rule tables `keyword`, it makes `keywords`.
        pub struct Sysmon = file "../../shared/armory/endpoint/package_installation/package_installation-splunk-sysmon.yml";
    }
    spl_runtime::detect! {
        /// Package installation, Windows Security.
        #[allow(deprecated)] // W0304: the catalog's rule tables `keyword`, it makes `keywords`.
        pub struct Winevent = file "../../shared/armory/endpoint/package_installation/package_installation-splunk-winevent.yml";
    }
    spl_runtime::detect! {
        /// Package installation, EDR.
        #[allow(deprecated)] // W0304: the catalog's rule tables `keyword`, it makes `keywords`.
        pub struct Edr = file "../../shared/armory/endpoint/package_installation/package_installation-splunk-edr.yml";
    }
    spl_runtime::detect! {
        /// Package installation, PowerShell.
        pub struct Powershell = file "../../shared/armory/endpoint/package_installation/package_installation-splunk-powershell.yml";
    }
    spl_runtime::detect! {
        /// Package installation, Linux.
        pub struct Unix = file "../../shared/armory/endpoint/package_installation/package_installation-splunk-unix.yml";
    }
}

/// One event of a data file: a text only its `_raw` holds, whether the rule's search must
/// accept it, and what it is there for.
struct Case {
    marker: &'static str,
    matches: bool,
    purpose: &'static str,
}

const fn case(marker: &'static str, matches: bool, purpose: &'static str) -> Case {
    Case {
        marker,
        matches,
        purpose,
    }
}

/// The rule file of a variant in the armory.
fn rule_file(variant: &str) -> PathBuf {
    armory_dir().join(format!(
        "endpoint/package_installation/package_installation-splunk-{variant}.yml"
    ))
}

/// The evaluator entry point for a variant.
fn evaluator(variant: &str) -> Box<dyn Rule> {
    let path = rule_file(variant);
    let rule = EvalRule::from_file(&path, &MacroTable::new())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Box::new(rule)
}

/// Read the data files, check that each event is the one its case describes, run the three
/// entry points, and check each event's search result, the rows, and that the entry points
/// agree record for record. Every problem is collected before failing, so one run names them
/// all.
fn check(
    variant: &str,
    inputs: &[(&str, &[Case])],
    entry_points: Vec<(&str, Box<dyn Rule>)>,
    expected: &[Row],
) {
    let mut all: Vec<(Record, &Case)> = Vec::new();
    for (file, cases) in inputs {
        let read = events(&data(&format!("package_installation/{file}")), None);
        assert_eq!(
            read.len(),
            cases.len(),
            "{file}: events read vs cases described"
        );
        for (event, case) in read.into_iter().zip(cases.iter()) {
            assert!(
                event.raw().contains(case.marker),
                "{file}: the event described as `{}` does not hold `{}`:\n{}",
                case.purpose,
                case.marker,
                event.raw()
            );
            all.push((event, case));
        }
    }
    let events: Vec<Record> = all.iter().map(|(e, _)| e.clone()).collect();

    let mut problems = Vec::new();
    let mut results: Vec<(&str, Vec<Record>)> = Vec::new();
    for (name, mut rule) in entry_points {
        for (event, case) in &all {
            let got = rule.matches(event);
            if got != case.matches {
                problems.push(format!(
                    "{variant}/{name}: search on `{}` ({}) gave {got}, expected {}",
                    case.marker, case.purpose, case.matches
                ));
            }
        }
        let out = run_rule(rule.as_mut(), &events);
        let got = rows(&out);
        if got != expected {
            problems.push(format!(
                "{variant}/{name}: rows differ\n expected: {expected:#?}\n      got: {got:#?}"
            ));
        }
        results.push((name, out));
    }
    let (first, first_rows) = &results[0];
    for (name, out) in &results[1..] {
        if out != first_rows {
            problems.push(format!(
                "{variant}: {name} and {first} disagree\n {first}: {first_rows:#?}\n {name}: {out:#?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

const CMD: &str = r"C:\Windows\System32\cmd.exe";
const CMD_LINE: &str = r#""C:\Windows\system32\cmd.exe""#;
const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
const POWERSHELL_LINE: &str = r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe""#;
const PIP: &str = r"C:\Python311\Scripts\pip.exe";
const RUBY: &str = r"C:\Ruby32-x64\bin\ruby.exe";
const PYTHON: &str = r"C:\Python311\python.exe";
const NODE: &str = r"C:\Program Files\nodejs\node.exe";
const H1: &str = "SHA256=3F1C9A7B2E5D4C6A8B0F1E2D3C4B5A69";
const H2: &str = "SHA256=8D2E4F6A1B3C5D7E9F0A2B4C6D8E0F13";
const H3: &str = "SHA256=C4B2A09E8D7F6E5D4C3B2A1908F7E6D5";

/// `sysmon.xml`: Sysmon event 1 (and decoys) as `XmlWinEventLog`, one `<Event>` a line.
const SYSMON_XML: &[Case] = &[
    case(
        "<EventRecordID>100201<",
        true,
        "match: `PIP INSTALL -r Requirements.TXT`, upper case (TERM and (?i) ignore case); \
         WS01 at 1700000000.25",
    ),
    case(
        "<EventRecordID>100202<",
        true,
        "match: `gem  install<TAB>rails --source ...`, double space and a literal tab (both \
         major breakers, and \\s); WS01 at 1700000000.9, the same second and host as 100201",
    ),
    case(
        "<EventRecordID>100203<",
        true,
        "match through the parent: node.exe runs npm-cli.js (`\\npm\\` is bounded by minor \
         breakers only), the term npm is in ParentCommandLine `... /c \"npm install express\"`; \
         `process` holds `install ` so the regex keeps it; WS01 at 1700000001.1",
    ),
    case(
        "<EventRecordID>100204<",
        true,
        "match: `python.exe -m pip install --extra-index-url ...`; WS02 in the same second \
         as 100201, so a row of its own",
    ),
    case(
        "<EventRecordID>100205<",
        true,
        "near miss: `pip install` with nothing after: the search accepts it, \
         regex `install\\s` drops it",
    ),
    case(
        "<EventRecordID>100206<",
        false,
        "near miss: `npm.cmd install left-pad`: `.` after npm is a minor breaker, so no \
         TERM(npm), and no pip or gem anywhere in _raw",
    ),
    case(
        "<EventRecordID>100207<",
        false,
        "near miss: `pip3 install requests` (image pip3.exe): no TERM(pip)",
    ),
    case(
        "<EventRecordID>100208<",
        false,
        "near miss: 100201's data under <EventID>10<: neither `<EventID>1<` nor `EventCode=1`",
    ),
    case(
        "<EventRecordID>884101<",
        false,
        "near miss: Security 4688 with `pip install requests`: another event ID",
    ),
    case(
        "<EventRecordID>100209<",
        true,
        "near miss: event 1 without CommandLine, so no `process`; the search passes through \
         ParentCommandLine `cmd.exe /c pip install -r requirements.txt`, regex drops it",
    ),
];

/// `sysmon.log`: Sysmon as classic `WinEventLog` records.
const SYSMON_TEXT: &[Case] = &[
    case(
        "RecordNumber=311870",
        true,
        "match on the \"EventCode=1\" side: `python  -m pip install --extra-index-url ...`; \
         WS03 at 1700000003; the header's `User=NOT_TRANSLATED` and the message's \
         `User: CORP\\carol` are both values of `User`, so of `user`",
    ),
    case(
        "RecordNumber=311871",
        false,
        "near miss: 311870's record with EventCode=10: the phrase \"EventCode=1\" is not \
         followed by a breaker",
    ),
];

#[test]
fn sysmon() {
    let entry_points: Vec<(&str, Box<dyn Rule>)> = vec![
        (
            "build.rs pack",
            Box::new(pack::PackageInstallationSplunkSysmon::new()),
        ),
        ("detect!", Box::new(detect::Sysmon::new())),
        ("evaluator", evaluator("sysmon")),
    ];
    let expected = [
        row(&[
            ("_time", &["1700000000"]),
            ("host", &["WS01.corp.example"]),
            ("user", &[r"CORP\alice"]),
            ("signature_id", &["1"]),
            (
                "process",
                &[
                    "PIP INSTALL -r Requirements.TXT",
                    "gem  install\trails --source https://rubygems.example.org",
                ],
            ),
            ("process_name", &["pip.exe", "ruby.exe"]),
            ("process_path", &[PIP, RUBY]),
            ("process_id", &["4412", "4540"]),
            ("process_current_directory", &[r"C:\src\app\"]),
            ("process_hash", &[H1, H2]),
            ("parent_process_path", &[CMD]),
            ("parent_process_name", &["cmd.exe"]),
            ("parent_process", &[CMD_LINE]),
            ("parent_process_id", &["3020"]),
        ]),
        row(&[
            ("_time", &["1700000000"]),
            ("host", &["WS02.corp.example"]),
            ("user", &[r"CORP\bob"]),
            ("signature_id", &["1"]),
            (
                "process",
                &[r"C:\Python311\python.exe -m pip install --extra-index-url https://pypi.internal.example/simple acme-utils"],
            ),
            ("process_name", &["python.exe"]),
            ("process_path", &[PYTHON]),
            ("process_id", &["7001"]),
            ("process_current_directory", &[r"C:\Users\bob\"]),
            ("process_hash", &[H1]),
            ("parent_process_path", &[POWERSHELL]),
            ("parent_process_name", &["powershell.exe"]),
            ("parent_process", &[POWERSHELL_LINE]),
            ("parent_process_id", &["6880"]),
        ]),
        row(&[
            ("_time", &["1700000001"]),
            ("host", &["WS01.corp.example"]),
            ("user", &[r"CORP\alice"]),
            ("signature_id", &["1"]),
            (
                "process",
                &[r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" install express"#],
            ),
            ("process_name", &["node.exe"]),
            ("process_path", &[NODE]),
            ("process_id", &["5100"]),
            ("process_current_directory", &[r"C:\src\app\"]),
            ("process_hash", &[H3]),
            ("parent_process_path", &[CMD]),
            ("parent_process_name", &["cmd.exe"]),
            (
                "parent_process",
                &[r#"C:\Windows\system32\cmd.exe /d /s /c "npm install express""#],
            ),
            ("parent_process_id", &["4990"]),
        ]),
        row(&[
            ("_time", &["1700000003"]),
            ("host", &["WS03.corp.example"]),
            ("user", &[r"CORP\carol", "NOT_TRANSLATED"]),
            ("signature_id", &["1"]),
            (
                "process",
                &["python  -m pip install --extra-index-url https://pypi.internal.example/simple internal-lib"],
            ),
            ("process_name", &["python.exe"]),
            ("process_path", &[PYTHON]),
            ("process_id", &["6120"]),
            ("process_current_directory", &[r"C:\build\"]),
            ("process_hash", &["SHA256=5E4D3C2B1A09F8E7D6C5B4A392817160"]),
            ("parent_process_path", &[POWERSHELL]),
            ("parent_process_name", &["powershell.exe"]),
            ("parent_process", &[POWERSHELL_LINE]),
            ("parent_process_id", &["5032"]),
        ]),
    ];
    check(
        "sysmon",
        &[("sysmon.xml", SYSMON_XML), ("sysmon.log", SYSMON_TEXT)],
        entry_points,
        &expected,
    );
}

/// `winevent.xml`: Security 4688 (and decoys) as `XmlWinEventLog`.
const WINEVENT_XML: &[Case] = &[
    case(
        "<EventRecordID>884201<",
        true,
        "match on the \"<EventID>4688<\" side: `pip install  --EXTRA-INDEX-URL ...`, double \
         space, upper case; WS01 at 1700000010.1",
    ),
    case(
        "<EventRecordID>884202<",
        true,
        "near miss: `pip install` with nothing after: regex `install\\s` drops it",
    ),
    case(
        "<EventRecordID>100301<",
        false,
        "near miss: Sysmon event 1 with `pip install requests`: another event ID",
    ),
    case(
        "<EventRecordID>884203<",
        false,
        "near miss: `cmd.exe /d /s /c \"npm.cmd install left-pad\"`: no TERM(npm)",
    ),
];

/// `winevent.log`: classic `WinEventLog` records.
const WINEVENT_TEXT: &[Case] = &[
    case(
        "RecordNumber=884301",
        true,
        "match on the TERM(EventCode=4688) side: `GEM install<TAB>bundler<TAB>--source<TAB>...`; \
         WS01 at 1700000010, the same second and host as XML 884201: one row from both forms",
    ),
    case(
        "RecordNumber=5120",
        false,
        "near miss: PowerShell 4104 with `pip install requests`: another event ID",
    ),
    case(
        "RecordNumber=884302",
        false,
        "near miss: `pip3 install flask` (pip3.exe): no TERM(pip)",
    ),
    case(
        "RecordNumber=884303",
        true,
        "match: `cmd.exe /d /s /c \"npm  install typescript\"` (`\"` is a major breaker), \
         double space; WS02 at 1700000011",
    ),
];

#[test]
fn winevent() {
    let entry_points: Vec<(&str, Box<dyn Rule>)> = vec![
        (
            "build.rs pack",
            Box::new(pack::PackageInstallationSplunkWinevent::new()),
        ),
        ("detect!", Box::new(detect::Winevent::new())),
        ("evaluator", evaluator("winevent")),
    ];
    let expected = [
        row(&[
            ("_time", &["1700000010"]),
            ("host", &["WS01.corp.example"]),
            ("user", &["alice"]),
            ("signature_id", &["4688"]),
            (
                "process",
                &[
                    "GEM install\tbundler\t--source\thttps://rubygems.example.org",
                    "pip install  --EXTRA-INDEX-URL https://pypi.internal.example/simple acme-utils",
                ],
            ),
            ("process_path", &[PIP, RUBY]),
            ("process_name", &["pip.exe", "ruby.exe"]),
            ("process_id", &["0x1a2c", "0x1b3c"]),
            ("parent_process_path", &[CMD]),
            ("parent_process_name", &["cmd.exe"]),
            ("parent_process_id", &["0xbcc"]),
        ]),
        row(&[
            ("_time", &["1700000011"]),
            ("host", &["WS02.corp.example"]),
            ("user", &["bob"]),
            ("signature_id", &["4688"]),
            (
                "process",
                &[r#"C:\Windows\system32\cmd.exe /d /s /c "npm  install typescript""#],
            ),
            ("process_path", &[CMD]),
            ("process_name", &["cmd.exe"]),
            ("process_id", &["0x2210"]),
            (
                "parent_process_path",
                &[r"C:\Program Files\PowerShell\7\pwsh.exe"],
            ),
            ("parent_process_name", &["pwsh.exe"]),
            ("parent_process_id", &["0x1f0c"]),
        ]),
    ];
    check(
        "winevent",
        &[
            ("winevent.xml", WINEVENT_XML),
            ("winevent.log", WINEVENT_TEXT),
        ],
        entry_points,
        &expected,
    );
}

/// `edr.jsonl`: CrowdStrike-like events that already carry CIM fields.
const EDR_JSON: &[Case] = &[
    case(
        "\"TargetProcessId\":\"108531220318\"",
        true,
        "match: `pip install  -r requirements.txt --index-url ...`, double space; \
         ws01 at 1700000020.12",
    ),
    case(
        "\"TargetProcessId\":\"108531220319\"",
        true,
        "match: `gem install rails --source ...`; ws01 at 1700000020.87, the same row as \
         108531220318",
    ),
    case(
        "\"TargetProcessId\":\"208531220401\"",
        true,
        "match: `NPM INSTALL left-pad`, upper case; ws02 in the same second, a row of its own",
    ),
    case(
        "\"TargetProcessId\":\"108531220320\"",
        false,
        "near miss: event_simpleName SyntheticProcessRollup2: neither the field value nor \
         TERM(ProcessRollup2)",
    ),
    case(
        "\"TargetProcessId\":\"108531220321\"",
        false,
        "near miss: a tab right after `install`: _raw holds the JSON escape `\\t`, and `\\` is \
         a minor breaker, so no TERM(install) (the field value does hold a tab)",
    ),
    case(
        "\"TargetProcessId\":\"108531220322\"",
        false,
        "near miss: `pip3 install requests`: no TERM(pip)",
    ),
    case(
        "\"TargetProcessId\":\"108531220323\"",
        true,
        "near miss: CommandLine `pip install requests` but no CIM `process`: regex drops it",
    ),
    case(
        "\"TargetProcessId\":\"108531220324\"",
        true,
        "near miss: `npm install` with nothing after: regex `install\\s` drops it",
    ),
];

#[test]
fn edr() {
    let entry_points: Vec<(&str, Box<dyn Rule>)> = vec![
        (
            "build.rs pack",
            Box::new(pack::PackageInstallationSplunkEdr::new()),
        ),
        ("detect!", Box::new(detect::Edr::new())),
        ("evaluator", evaluator("edr")),
    ];
    // No `signature_id`: these events have none, and no EventCode to alias it from.
    let expected = [
        row(&[
            ("_time", &["1700000020"]),
            ("host", &["ws01.corp.example"]),
            ("user", &[r"CORP\alice"]),
            (
                "process",
                &[
                    "gem install rails --source https://rubygems.example.org",
                    "pip install  -r requirements.txt --index-url https://pypi.internal.example/simple",
                ],
            ),
            ("process_path", &[PIP, RUBY]),
            ("process_name", &["pip.exe", "ruby.exe"]),
            ("process_id", &["4412", "4540"]),
            ("parent_process_name", &["cmd.exe"]),
            (
                "parent_process",
                &[r"C:\Windows\system32\cmd.exe /c build.bat"],
            ),
            ("parent_process_id", &["3020"]),
        ]),
        row(&[
            ("_time", &["1700000020"]),
            ("host", &["ws02.corp.example"]),
            ("user", &[r"CORP\bob"]),
            ("process", &["NPM INSTALL left-pad"]),
            ("process_path", &[NODE]),
            ("process_name", &["node.exe"]),
            ("process_id", &["7001"]),
            ("parent_process_name", &["powershell.exe"]),
            ("parent_process_id", &["6880"]),
        ]),
    ];
    check("edr", &[("edr.jsonl", EDR_JSON)], entry_points, &expected);
}

/// `powershell.log`: PowerShell Operational as classic `WinEventLog` records.
const POWERSHELL_TEXT: &[Case] = &[
    case(
        "RecordNumber=5130",
        true,
        "match: `pip install -r requirements.txt --extra-index-url ...`: keywords \
         requirements.txt and the --extra-index-url argument; WS01 at 1700000030",
    ),
    case(
        "RecordNumber=5131",
        true,
        "match: two-line script, second line `GEM  INSTALL<TAB>rails --SOURCE ...`: keyword \
         `--SOURCE https://...`; the same second and host as 5130",
    ),
    case(
        "RecordNumber=5132",
        true,
        "match: `pip install --index-url URL ...`: the extra group starts at the second dash, \
         keyword `-index-url URL`; WS02 at 1700000031",
    ),
    case(
        "RecordNumber=5133",
        true,
        "match: `npm install lodash`: nothing for keywords; WS03 at 1700000031",
    ),
    case(
        "RecordNumber=5134",
        false,
        "near miss: 4103 module logging with value=\"pip install requests\": another event ID",
    ),
    case(
        "RecordNumber=5135",
        true,
        "near miss: script `npm install` with nothing after: regex `install\\s` drops it",
    ),
    case(
        "RecordNumber=5136",
        false,
        "near miss: `pip3 install requests`: no TERM(pip)",
    ),
];

/// `powershell.xml`: the same event as XML.
const POWERSHELL_XML: &[Case] = &[case(
    "<EventRecordID>5140<",
    false,
    "near miss: 4104 as XML with ScriptBlockText `pip install requests`: XML never holds \
     `EventCode=4104`, the only form the rule searches",
)];

#[test]
fn powershell() {
    let entry_points: Vec<(&str, Box<dyn Rule>)> = vec![
        (
            "build.rs pack",
            Box::new(pack::PackageInstallationSplunkPowershell::new()),
        ),
        ("detect!", Box::new(detect::Powershell::new())),
        ("evaluator", evaluator("powershell")),
    ];
    // No `user`: the classic record has only `User` (field names are case-sensitive), and
    // the built-in aliases give 4104 no `user`. No `process_*` field either.
    let expected = [
        row(&[
            ("_time", &["1700000030"]),
            ("host", &["WS01.corp.example"]),
            ("signature_id", &["4104"]),
            (
                "process",
                &[
                    "$ErrorActionPreference = 'Stop'\nGEM  INSTALL\trails --SOURCE https://rubygems.example.org",
                    "pip install -r requirements.txt --extra-index-url https://pypi.internal.example/simple",
                ],
            ),
            (
                "keywords",
                &[
                    "--SOURCE https://rubygems.example.org",
                    "--extra-index-url https://pypi.internal.example/simple",
                    "requirements.txt",
                ],
            ),
        ]),
        row(&[
            ("_time", &["1700000031"]),
            ("host", &["WS02.corp.example"]),
            ("signature_id", &["4104"]),
            (
                "process",
                &["pip install --index-url https://pypi.internal.example/simple acme-utils"],
            ),
            (
                "keywords",
                &["-index-url https://pypi.internal.example/simple"],
            ),
        ]),
        row(&[
            ("_time", &["1700000031"]),
            ("host", &["WS03.corp.example"]),
            ("signature_id", &["4104"]),
            ("process", &["npm install lodash"]),
        ]),
    ];
    check(
        "powershell",
        &[
            ("powershell.log", POWERSHELL_TEXT),
            ("powershell.xml", POWERSHELL_XML),
        ],
        entry_points,
        &expected,
    );
}

/// `unix.jsonl`: Linux audit-like events with CIM fields.
const UNIX_JSON: &[Case] = &[
    case(
        ":8121)",
        true,
        "match: `pip install -r<TAB>requirements.txt`: keyword requirements.txt; web01 at \
         1700000040.25",
    ),
    case(
        ":8122)",
        true,
        "match: `GEM install rails --source URL`, upper case: keyword `--source URL`; the same \
         second and host as 8121",
    ),
    case(
        ":912)",
        true,
        "match: `python3 -m pip install  --extra-index-url URL acme-utils`, double space; \
         build02 at 1700000041.999, floored to 1700000041",
    ),
    case(
        ":8123)",
        true,
        "near miss: `npm install` with nothing after: regex `install\\s` drops it",
    ),
    case(
        ":8124)",
        false,
        "near miss: `pip3 install requests`: no TERM(pip)",
    ),
    case(
        ":8125)",
        true,
        "near miss: a PROCTITLE record, `pip install requests` only in proctitle: no \
         `process`, regex drops it",
    ),
    case(
        ":8126)",
        false,
        "near miss: `pnpm install lodash`: npm only inside pnpm, no TERM(npm)",
    ),
];

#[test]
fn unix() {
    let entry_points: Vec<(&str, Box<dyn Rule>)> = vec![
        (
            "build.rs pack",
            Box::new(pack::PackageInstallationSplunkUnix::new()),
        ),
        ("detect!", Box::new(detect::Unix::new())),
        ("evaluator", evaluator("unix")),
    ];
    // `parent_process_*` is not in this rule's table.
    let expected = [
        row(&[
            ("_time", &["1700000040"]),
            ("host", &["web01"]),
            ("user", &["deploy"]),
            (
                "process",
                &[
                    "GEM install rails --source https://rubygems.example.org",
                    "pip install -r\trequirements.txt",
                ],
            ),
            ("process_name", &["gem", "pip"]),
            ("process_path", &["/usr/bin/gem", "/usr/bin/pip"]),
            ("process_id", &["24011", "24020"]),
            ("type", &["EXECVE"]),
            (
                "keywords",
                &["--source https://rubygems.example.org", "requirements.txt"],
            ),
        ]),
        row(&[
            ("_time", &["1700000041"]),
            ("host", &["build02"]),
            ("user", &["root"]),
            (
                "process",
                &["python3 -m pip install  --extra-index-url https://pypi.internal.example/simple acme-utils"],
            ),
            ("process_name", &["python3"]),
            ("process_path", &["/usr/bin/python3.11"]),
            ("process_id", &["5120"]),
            ("type", &["EXECVE"]),
            (
                "keywords",
                &["--extra-index-url https://pypi.internal.example/simple"],
            ),
        ]),
    ];
    check(
        "unix",
        &[("unix.jsonl", UNIX_JSON)],
        entry_points,
        &expected,
    );
}
