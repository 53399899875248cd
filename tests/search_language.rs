//! The search-language agreement corpus.
//!
//! Every query of `rules/search/*.spl`, run over `data/search/events.jsonl`, must pass
//! exactly the events that `data/search/expected.txt` lists. The expectations are written
//! by hand from Splunk's documentation and `docs/semantics.md` (the point each pins is
//! noted in the file); they are never taken from an engine. An event *passes* when the
//! rule's search matches it and its pipeline turns it into at least one row.
//!
//! The same corpus runs here through the evaluator, the `build.rs` rule pack and a few
//! `detect!` types, and in `splc/tests/search_language.rs` through `splc run
//! --line-numbers`. Each test reports every disagreeing query at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::alias::AliasMap;
use spl_runtime::read::{self, InputFormat, ReadOptions};
use spl_runtime::rule::Rule;
use spl_runtime::Record;

/// The queries of `rules/search/` compiled by `build.rs` with `spl_compiler::Builder`
/// (included here rather than in the library, so that generated code that does not
/// compile fails this test alone).
mod search_pack {
    include!(concat!(env!("OUT_DIR"), "/search_rules.rs"));
}

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/search")
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/search")
}

/// The events with their line indexes, read as `splc run --mapping none` reads them.
fn events() -> Vec<(usize, Record)> {
    let path = data_dir().join("events.jsonl");
    let options = ReadOptions {
        aliases: AliasMap::none(),
        ..Default::default()
    };
    let reader = read::open(&path, Some(InputFormat::JsonLines), options)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    reader
        .map(|r| {
            let event = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (event.index, event.record)
        })
        .collect()
}

/// The SPL of a query, as written in its file.
fn spl(stem: &str) -> String {
    let path = rules_dir().join(format!("{stem}.spl"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The lines of the events that pass `rule`.
fn passing(rule: &mut dyn Rule, events: &[(usize, Record)]) -> Vec<usize> {
    let mut passed = Vec::new();
    let mut rows = Vec::new();
    for (line, event) in events {
        if rule.matches(event) {
            rule.process(event.clone(), &mut rows);
            if !rows.is_empty() {
                passed.push(*line);
                rows.clear();
            }
        }
    }
    rule.finish(&mut |_| {}).expect("the rule gives its rows");
    passed
}

/// Run every expected query through `engine` (`None`: the engine lacks the query) and
/// fail with the list of queries whose lines differ.
fn check(engine: &str, mut run: impl FnMut(&str) -> Option<Vec<usize>>) {
    let expected = splc_tests::search_expected();
    let mut failures = Vec::new();
    for (stem, want) in &expected {
        match run(stem) {
            None => failures.push(format!("{stem}: missing from the {engine}")),
            Some(got) if &got != want => failures.push(format!(
                "{stem} `{}`: expected {want:?}, got {got:?}",
                spl(stem).trim()
            )),
            Some(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries disagree with expected.txt in the {engine}:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
}

#[test]
fn every_query_file_has_an_expectation() {
    let mut stems: Vec<String> = std::fs::read_dir(rules_dir())
        .expect("read rules/search")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "spl"))
        .map(|p| {
            p.file_stem()
                .expect("a file stem")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    stems.sort();
    let listed: Vec<String> = splc_tests::search_expected().into_keys().collect();
    assert_eq!(
        stems, listed,
        "rules/search/*.spl and expected.txt list different queries"
    );
    assert!(
        listed.len() >= 30,
        "the corpus shrank to {} queries",
        listed.len()
    );
}

#[test]
fn events_file_reads_cleanly() {
    let events = events();
    let lines: Vec<usize> = events.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines,
        (0..lines.len()).collect::<Vec<_>>(),
        "one event per line, no blank lines"
    );
}

#[test]
fn evaluator_passes_the_expected_events() {
    let events = events();
    let macros = MacroTable::new();
    check("evaluator", |stem| {
        let path = rules_dir().join(format!("{stem}.spl"));
        let mut rule = EvalRule::from_file(&path, &macros)
            .unwrap_or_else(|e| panic!("{} does not compile:\n{e}", path.display()));
        Some(passing(&mut rule, &events))
    });
}

#[test]
fn generated_pack_passes_the_expected_events() {
    let events = events();
    assert_eq!(
        search_pack::RULES.len(),
        splc_tests::search_expected().len(),
        "one generated type per query"
    );
    let mut rules: BTreeMap<String, Box<dyn Rule>> = search_pack::all_rules()
        .into_iter()
        .map(|r| (r.info().id.into_owned(), r))
        .collect();
    check("generated rule pack", |stem| {
        let rule = rules.get_mut(stem)?;
        Some(passing(rule.as_mut(), &events))
    });
}

spl_runtime::detect! {
    /// `precedence_or_binds_tighter.spl`.
    #[allow(deprecated)] // The lint W0303 warns about what this rule pins.
    struct PrecedenceOrBindsTighter = "alpha OR beta gamma";
}

spl_runtime::detect! {
    /// `lowercase_or_is_a_term.spl`.
    #[allow(deprecated)] // The lint W0302 warns about what this rule pins.
    struct LowercaseOrIsATerm = "alpha or beta";
}

spl_runtime::detect! {
    /// `phrase_escaped_backslash_pair.spl`.
    struct PhraseEscapedBackslashPair = r#""C:\\\\Users\\\\*""#;
}

spl_runtime::detect! {
    /// `term_call_major_breakers_only.spl`.
    struct TermCallMajorBreakersOnly = "TERM(rc.local)";
}

spl_runtime::detect! {
    /// `missing_not_eq_is_true.spl`.
    struct MissingNotEqIsTrue = "kind=st NOT status=failed";
}

spl_runtime::detect! {
    /// `not_in_private_ranges.spl`.
    struct NotInPrivateRanges = "ip=* NOT ip IN (10.0.0.0/8, 192.168.0.0/16, fe80::/10)";
}

spl_runtime::detect! {
    /// `multivalue_ne_no_value_equals.spl`.
    struct MultivalueNeNoValueEquals = "tags{}!=admin";
}

spl_runtime::detect! {
    /// `regex_ne_keeps_missing.spl`.
    struct RegexNeKeepsMissing = r#"process=* | regex parent!="(?i)citrix""#;
}

spl_runtime::detect! {
    /// The file form of `detect!`.
    struct FieldBackslashWildcardFile = file "rules/search/field_backslash_wildcard.spl";
}

#[test]
fn detect_types_pass_the_expected_events() {
    let events = events();
    // (query file stem, the SPL written in the macro, the type)
    let inline: Vec<(&str, &str, Box<dyn Rule>)> = vec![
        (
            "precedence_or_binds_tighter",
            "alpha OR beta gamma",
            Box::new(PrecedenceOrBindsTighter::new()),
        ),
        (
            "lowercase_or_is_a_term",
            "alpha or beta",
            Box::new(LowercaseOrIsATerm::new()),
        ),
        (
            "phrase_escaped_backslash_pair",
            r#""C:\\\\Users\\\\*""#,
            Box::new(PhraseEscapedBackslashPair::new()),
        ),
        (
            "term_call_major_breakers_only",
            "TERM(rc.local)",
            Box::new(TermCallMajorBreakersOnly::new()),
        ),
        (
            "missing_not_eq_is_true",
            "kind=st NOT status=failed",
            Box::new(MissingNotEqIsTrue::new()),
        ),
        (
            "not_in_private_ranges",
            "ip=* NOT ip IN (10.0.0.0/8, 192.168.0.0/16, fe80::/10)",
            Box::new(NotInPrivateRanges::new()),
        ),
        (
            "multivalue_ne_no_value_equals",
            "tags{}!=admin",
            Box::new(MultivalueNeNoValueEquals::new()),
        ),
        (
            "regex_ne_keeps_missing",
            r#"process=* | regex parent!="(?i)citrix""#,
            Box::new(RegexNeKeepsMissing::new()),
        ),
    ];
    let mut types: BTreeMap<&str, Box<dyn Rule>> = BTreeMap::new();
    for (stem, text, rule) in inline {
        assert_eq!(
            spl(stem).trim(),
            text,
            "the detect! copy of {stem}.spl drifted"
        );
        types.insert(stem, rule);
    }
    types.insert(
        "field_backslash_wildcard",
        Box::new(FieldBackslashWildcardFile::new()),
    );
    let expected = splc_tests::search_expected();
    let mut failures = Vec::new();
    for (stem, rule) in &mut types {
        let want = &expected[*stem];
        let got = passing(rule.as_mut(), &events);
        if &got != want {
            failures.push(format!("{stem}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "detect! types disagree with expected.txt:\n{}",
        failures.join("\n")
    );
}
