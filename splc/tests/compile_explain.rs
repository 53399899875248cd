//! `splc compile` and `splc explain` end to end: generated code, IR text, diagnostics,
//! rule summaries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn splc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_splc"))
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create test dir");
    }
    std::fs::write(path, text).expect("write test file");
}

/// A scratch directory under the target dir, fresh for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run splc");
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

const NPM_RULE: &str = "id: 'r-1'\ntitle: Package installation\nlogic_format: Splunk\nlogic: 'TERM(npm) \"pip install\" process=x* | stats count by host'\n";

#[test]
fn compile_prints_the_rule_type_named_after_the_file() {
    let dir = scratch("compile_rust");
    write(&dir, "package_install-sysmon.yml", NPM_RULE);
    let (code, out, err) = run(splc()
        .arg("compile")
        .arg(dir.join("package_install-sysmon.yml")));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("pub struct PackageInstallSysmon"), "{out}");
    assert!(
        out.contains("impl ::spl_runtime::rule::Rule for PackageInstallSysmon"),
        "{out}"
    );
    // The metadata and the matchers of the rule are in the code.
    assert!(
        out.contains(
            r#"RuleInfo::new(
        "PackageInstallSysmon",
        "r-1","#
        ),
        "{out}"
    );
    assert!(out.contains("TermExact::new"), "{out}");
    // `-o` writes the same text to the file and nothing to stdout.
    let file = dir.join("out.rs");
    let (code, to_stdout, err) = run(splc()
        .arg("compile")
        .arg("-o")
        .arg(&file)
        .arg(dir.join("package_install-sysmon.yml")));
    assert_eq!(code, Some(0), "{err}");
    assert!(to_stdout.is_empty(), "{to_stdout}");
    assert_eq!(std::fs::read_to_string(&file).expect("output file"), out);
}

#[test]
fn compile_names_types_like_the_builder_over_a_directory() {
    let dir = scratch("compile_dir");
    write(&dir, "a/rule.spl", "TERM(a)\n");
    write(&dir, "b/rule.spl", "TERM(b)\n");
    write(&dir, "c/7zip.spl", "TERM(c)\n");
    let (code, out, err) = run(splc().arg("compile").arg(&dir));
    assert_eq!(code, Some(0), "{err}");
    // Same stem twice: the second type is numbered; a stem starting with a digit gets a
    // `Rule` prefix.
    for ty in ["Rule", "Rule2", "Rule7zip"] {
        assert!(
            out.contains(&format!("impl ::spl_runtime::rule::Rule for {ty} {{")),
            "{ty}: {out}"
        );
    }
    // Each type's documentation names its file, in directory order.
    let sources: Vec<&str> = out.lines().filter(|l| l.starts_with("/// From ")).collect();
    assert_eq!(sources.len(), 3, "{out}");
    assert!(sources[0].ends_with("rule.spl.") && sources[0].contains("/a/"));
    assert!(sources[2].ends_with("7zip.spl."));
}

#[test]
fn compile_ir_prints_the_ir_text_form() {
    let dir = scratch("compile_ir");
    write(&dir, "npm.yml", NPM_RULE);
    let (code, out, err) = run(splc().args(["compile", "--ir"]).arg(dir.join("npm.yml")));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    // The search is a conjunction of its three atoms; only the two `_raw` atoms give
    // prefilter literals (lowercased); the stats stage counts rows per host into `count`.
    let expected = [
        "filter:",
        "  and",
        "    TERM \"npm\"",
        "    phrase \"pip install\"",
        "    field \"process\" = \"x*\"",
        "prefilter: [\"npm\"] [\"pip install\"]",
        "stages:",
        "  1: stats count() as \"count\" by [\"host\"]",
    ];
    assert_eq!(&lines[1..], &expected, "{out}");
    assert!(lines[0].starts_with("# ") && lines[0].ends_with("npm.yml"));
    assert!(!out.contains("impl "), "no Rust code with --ir");
}

#[test]
fn compile_reports_a_bad_rule_and_exits_one() {
    let dir = scratch("compile_bad");
    write(&dir, "bad.spl", "a (b OR c\n");
    write(&dir, "good.spl", "TERM(x)\n");
    let (code, out, err) = run(splc()
        .arg("compile")
        .arg(dir.join("bad.spl"))
        .arg(dir.join("good.spl")));
    assert_eq!(code, Some(1), "{out}\n{err}");
    // The unclosed `(` is at line 1, column 3; the diagnostic shows the line and a caret
    // under that column.
    assert!(
        err.contains(&format!("{}:1:3", dir.join("bad.spl").display())),
        "{err}"
    );
    assert!(err.contains("a (b OR c"), "{err}");
    assert!(
        err.lines().any(|l| l.contains("|   ^ ")),
        "a caret under column 3: {err}"
    );
    // The good rule is still compiled; the bad one gives no code.
    assert!(
        out.contains("impl ::spl_runtime::rule::Rule for Good"),
        "{out}"
    );
    assert!(!out.contains("for Bad"), "{out}");
    // With `-o`, nothing is written when a rule failed.
    let file = dir.join("out.rs");
    let (code, _, err) = run(splc().arg("compile").arg("-o").arg(&file).arg(&dir));
    assert_eq!(code, Some(1));
    assert!(!file.exists(), "{err}");
}

#[test]
fn compile_uses_the_macro_flags() {
    let dir = scratch("compile_macros");
    write(&dir, "rule.spl", "`my_source` TERM(x)\n");
    write(
        &dir,
        "macros.conf",
        "[my_source]\ndefinition = TERM(windows)\n",
    );
    let (code, _, err) = run(splc().args(["compile", "--ir"]).arg(dir.join("rule.spl")));
    assert_eq!(code, Some(1));
    assert!(err.contains("undefined macro `my_source`"), "{err}");
    let (code, out, err) = run(splc()
        .args(["compile", "--ir", "--macros"])
        .arg(dir.join("macros.conf"))
        .arg(dir.join("rule.spl")));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("prefilter: [\"windows\"] [\"x\"]"), "{out}");
    let (code, out, err) = run(splc()
        .args(["compile", "--ir", "--undefined-macros-empty"])
        .arg(dir.join("rule.spl")));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("prefilter: [\"x\"]\n"), "{out}");
}

#[test]
fn explain_shows_metadata_stages_prefilter_terms_and_indicators() {
    let dir = scratch("explain_rule");
    write(
        &dir,
        "npm_or_pip.yml",
        "id: 'r-2'\ntitle: npm or pip\ntechnique_id: [T1072]\nlogic: '(TERM(npm) OR TERM(pip)) \"pip install\" NOT user=root | table host, process'\n",
    );
    let (code, out, err) = run(splc().arg("explain").arg(dir.join("npm_or_pip.yml")));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let has = |l: &str| assert!(lines.contains(&l), "missing {l:?} in\n{out}");
    has("type:       NpmOrPip");
    has("id:         r-2");
    has("title:      npm or pip");
    has("techniques: T1072");
    // `table` answers each event at once: streaming, not transforming.
    assert!(out.contains("mode:       streaming"), "{out}");
    // Stage 1 is the search (the OR is a group of the AND), stage 2 the table.
    has("  1. search (TERM \"npm\" OR TERM \"pip\") AND phrase \"pip install\" AND not field \"user\" = \"root\"");
    has("  2. table [\"host\", \"process\"]");
    // The OR gives one clause of two literals, the phrase a clause of its own; the negated
    // field compare gives none.
    has("prefilter:  _raw contains, ignoring case:");
    has("  one of \"npm\" | \"pip\"");
    has("  \"pip install\"");
    // Search terms: the two TERMs and the phrase; the field compare is an indicator,
    // negated.
    has("  TERM \"npm\" (stage 1)");
    has("  TERM \"pip\" (stage 1)");
    has("  phrase \"pip install\" (stage 1)");
    has("  NOT user = \"root\" (stage 1)");
}

#[test]
fn explain_takes_spl_text_and_tells_transforming_rules() {
    let (code, out, err) = run(splc().args([
        "explain",
        "--spl",
        "* | stats count by host | where count > 5",
    ]));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let has = |l: &str| assert!(lines.contains(&l), "missing {l:?} in\n{out}");
    has("== spl-1");
    has("type:       Spl1");
    assert!(out.contains("mode:       transforming"), "{out}");
    // `*` is no constraint at all.
    has("  1. search true");
    has("  2. stats count() as \"count\" by [\"host\"]");
    has("prefilter:  none (every event goes through the search)");
    has("search terms: none");
    has("  count > \"5\" (stage 3)");
}

#[test]
fn explain_pack_counts_the_rules_by_what_indexes_them() {
    let (code, out, err) = run(splc().args([
        "explain",
        "--pack",
        "--spl",
        "mimikatz",
        "--spl",
        "EventID=4688 Company=\"Microsoft Corporation\" Image=\"*\\\\csi.exe\"",
        "--spl",
        "NOT user=root",
    ]));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let has = |l: &str| assert!(lines.contains(&l), "missing {l:?} in\n{out}");
    has("rules:      3");
    // The term indexes the first; the second by its rarest clause, the company name
    // (a whole value), with the image and the event id as further clauses.
    has("indexed:    2 (by _raw text 1, field value 1, field text 0, field presence 0)");
    has("narrowed:   1 (the index also checks a further clause of theirs)");
    // A negation holds when the field is missing: nothing narrows the third.
    has("unindexed:  1 (every event goes through their search)");
    has("  spl-3");
}

#[test]
fn explain_reports_errors_and_still_explains_the_rest() {
    let dir = scratch("explain_bad");
    write(&dir, "bad.spl", "x | where match(a)\n");
    write(&dir, "good.spl", "TERM(x)\n");
    let (code, out, err) = run(splc().arg("explain").arg(&dir));
    assert_eq!(code, Some(1));
    assert!(err.contains("`match` takes 2 arguments, 1 given"), "{err}");
    assert!(
        err.contains(&format!("{}:1:11", dir.join("bad.spl").display())),
        "{err}"
    );
    assert!(out.contains("type:       Good"), "{out}");
    assert!(!out.contains("bad.spl"), "{out}");
    // No rule at all is a usage error.
    let (code, _, _) = run(splc().arg("explain"));
    assert_eq!(code, Some(2));
}

#[test]
fn explain_with_a_corpus_counts_the_other_rules_that_look_for_the_same() {
    let dir = scratch("explain_corpus");
    let rule = "id: 'c-1'\ntitle: curl to shell\nlogic: 'TERM(curl) process=\"*| sh*\" | regex process=\"(?i)curl\\s+-s\"'\n";
    write(&dir, "corpus/a.yml", rule);
    // The same regex and compare (the value in another case); TERM curl negated.
    write(
        &dir,
        "corpus/b.yml",
        "logic: 'NOT TERM(curl) process=\"*| SH*\" | regex process=\"(?i)curl\\s+-s\"'\n",
    );
    // TERM curl twice in one rule: counted once. The regex without `(?i)`: another one.
    write(
        &dir,
        "corpus/c.yml",
        "logic: 'TERM(curl) OR TERM(CURL) | regex process=\"curl\\s+-s\"'\n",
    );
    let (code, out, err) = run(splc()
        .args(["explain", "--corpus"])
        .arg(dir.join("corpus"))
        .arg(dir.join("corpus/a.yml")));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let has = |l: &str| assert!(lines.contains(&l), "missing {l:?} in\n{out}");
    // Other rules: c has TERM curl (b has it negated, another item).
    has("  TERM \"curl\" (stage 1) corpus 1");
    // b compares process with the same pattern in another case.
    has("  process = \"*| sh*\" (stage 1) corpus 1");
    has("  process regex_match \"(?i)curl\\\\s+-s\" (stage 2) corpus 1");
    // As JSON, one object per rule.
    let (code, out, err) = run(splc()
        .args(["explain", "--format", "json", "--corpus"])
        .arg(dir.join("corpus"))
        .arg(dir.join("corpus/a.yml")));
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["id"], "c-1");
    assert_eq!(
        v["stages"][1],
        "regex \"process\" =~ /(?i)curl[\\t-\\r ]+\\-s/"
    );
    assert_eq!(v["search_terms"][0]["text"], "curl");
    assert_eq!(v["search_terms"][0]["corpus"], 1);
    assert_eq!(v["indicators"][1]["kind"], "regex_match");
    assert_eq!(v["indicators"][1]["corpus"], 1);
    // A rule outside the corpus counts every rule that has the item.
    write(&dir, "elsewhere/a.yml", rule);
    let (_, out, _) = run(splc()
        .args(["explain", "--corpus"])
        .arg(dir.join("corpus"))
        .arg(dir.join("elsewhere/a.yml")));
    // (a and c; a and b; a and b.)
    assert!(
        out.contains("  TERM \"curl\" (stage 1) corpus 2\n"),
        "{out}"
    );
    assert!(
        out.contains("  process = \"*| sh*\" (stage 1) corpus 2\n"),
        "{out}"
    );
    assert!(out.contains("(stage 2) corpus 2\n"), "{out}");
    // A corpus that is not a directory: an error.
    let (code, _, err) = run(splc()
        .args(["explain", "--corpus"])
        .arg(dir.join("missing"))
        .arg(dir.join("corpus/a.yml")));
    assert_eq!(code, Some(2));
    assert!(err.contains("not a directory"), "{err}");
}

/// The catalog page splc started from shows, for the Sysmon "Package installation"
/// rule's `process` regex `(?i)install\s`, how many other catalog rules look for it.
/// The armory beside this repository has it in five rules (the package-installation
/// rule for edr, powershell, sysmon, unix and winevent data), so four others; the page,
/// made from the vendor's catalog at another time, says 3.
#[test]
fn explain_corpus_counts_on_the_seed_rule() {
    let Some(armory) = splc_tests::corpus("armory", "explain_corpus_counts_on_the_seed_rule")
    else {
        return;
    };
    let rule = armory.join("endpoint/package_installation/package_installation-splunk-sysmon.yml");
    let macros = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/armory-macros.conf");
    let (code, out, err) = run(splc()
        .args(["explain", "--macros"])
        .arg(&macros)
        .arg("--corpus")
        .arg(&armory)
        .arg(&rule));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("  process regex_match \"(?i)install\\\\s\" (stage 2) corpus 4\n"),
        "{out}"
    );
    // TERM(npm) is in the same five, and in nothing else.
    assert!(out.contains("  TERM \"npm\" (stage 1) corpus 4\n"), "{out}");
}
