//! Splunk's own detection catalog (ESCU, `../shared/escu`) through splc with the catalog as
//! content (`--content ../shared/escu`: its YAML macros and lookups, the `*_filter` and
//! `drop_dm_object_name` defaults). Every detection that does not parse (load, parse or
//! macro expansion) is pinned in `data/escu_parse_failures.txt`, every one that does not
//! check (lowering included) in `data/escu_check_failures.txt`, each with the phase, the
//! place and the message of its first error. Any difference fails with a diff; run with
//! `SPLC_BLESS=1` to rewrite the lists. The catalog's lookup definitions read too. Skipped
//! without the catalog.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spl_compiler::{compile_rule, CompileErrors};
use spl_grammar::front::parse_rule;
use spl_grammar::{Error, MacroTable};

/// The catalog, its macro table (as `--content` builds it) and its detections, each with
/// its path relative to `detections/` and what loading it gave.
type Catalog = (
    MacroTable,
    Vec<(String, Result<spl_grammar::RuleFile, Error>)>,
);

fn catalog(test: &str) -> Option<Catalog> {
    let root = splc_tests::corpus("escu", test)?;
    let mut macros = MacroTable::new();
    macros
        .add_content_dir(&root)
        .expect("the catalog's macros read");
    let dir = root.join("detections");
    let rules: Vec<_> = spl_grammar::load_rule_paths(std::slice::from_ref(&dir))
        .into_iter()
        .map(|(path, loaded)| (relative(&dir, &path), loaded))
        .collect();
    assert!(rules.len() > 1000, "only {} detections read", rules.len());
    Some((macros, rules))
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `phase line:col message` of an error (its first line).
fn describe(phase: &str, d: &spl_grammar::Diagnostic) -> String {
    let at = d
        .line_col()
        .map_or_else(|| "-".to_owned(), |lc| format!("{}:{}", lc.line, lc.column));
    let message = d.message.lines().next().unwrap_or_default();
    format!("{phase} {at} {message}")
}

/// Compare the failures found with a pinned list, or rewrite it under `SPLC_BLESS=1`.
fn check_pinned(file: &str, header: &str, found: &BTreeMap<String, String>) {
    let path: PathBuf = splc_tests::data(file);
    let got: Vec<String> = found.iter().map(|(r, f)| format!("{r} {f}")).collect();
    if std::env::var_os("SPLC_BLESS").is_some() {
        let mut text = header.to_owned();
        for line in &got {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&path, text).expect("the pinned list is writable");
        eprintln!("wrote {} ({} entries)", path.display(), got.len());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let want: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let missing: Vec<String> = want
        .iter()
        .filter(|l| !got.iter().any(|g| g == *l))
        .map(|l| format!("- {l}"))
        .collect();
    let extra: Vec<String> = got
        .iter()
        .filter(|g| !want.contains(&g.as_str()))
        .map(|g| format!("+ {g}"))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "tests/data/{file} differs from what the catalog gives ({} pinned lines gone, {} new); \
         run with SPLC_BLESS=1 to rewrite it after reading the diff:\n{}\n{}",
        missing.len(),
        extra.len(),
        missing.join("\n"),
        extra.join("\n")
    );
}

const FORMAT: &str = "# Format: `path phase line:col message` (path relative to \
                      ../shared/escu/detections; the first error of each detection).\n\
                      # Generated: SPLC_BLESS=1 cargo test -p splc-tests --test escu_check\n";

#[test]
fn escu_detections_that_do_not_parse_are_pinned() {
    let Some((macros, rules)) = catalog("escu_detections_that_do_not_parse_are_pinned") else {
        return;
    };
    let mut found = BTreeMap::new();
    for (rel, loaded) in &rules {
        let failure = match loaded {
            Err(e) => Some(describe(e.phase().as_str(), e.diagnostic())),
            Ok(rule) => parse_rule(rule, &macros)
                .err()
                .map(|e| describe(e.phase().as_str(), e.diagnostic())),
        };
        if let Some(failure) = failure {
            found.insert(rel.clone(), failure);
        }
    }
    let header = format!(
        "# ESCU detections that do not load, parse or expand their macros with the catalog as\n\
         # content (splc check --content ../shared/escu): {} of {}.\n{FORMAT}",
        found.len(),
        rules.len()
    );
    check_pinned("escu_parse_failures.txt", &header, &found);
}

#[test]
fn escu_detections_that_do_not_check_are_pinned() {
    let Some((macros, rules)) = catalog("escu_detections_that_do_not_check_are_pinned") else {
        return;
    };
    let mut found = BTreeMap::new();
    let mut ok = 0;
    for (rel, loaded) in rules.iter().cloned() {
        let result = loaded
            .map_err(CompileErrors::from)
            .and_then(|rule| compile_rule(rule, &macros));
        match result {
            Ok(_) => ok += 1,
            Err(errors) => {
                let phase = errors.phase().map_or("load", |p| p.as_str());
                found.insert(rel, describe(phase, errors.0[0].diagnostic()));
            }
        }
    }
    let header = format!(
        "# ESCU detections that do not check (load, parse, expand and lower) with the catalog\n\
         # as content (splc check --content ../shared/escu): {} of {} ({ok} check).\n{FORMAT}",
        found.len(),
        rules.len()
    );
    check_pinned("escu_check_failures.txt", &header, &found);
}

#[test]
fn escu_lookup_definitions_read() {
    let Some(root) = splc_tests::corpus("escu", "escu_lookup_definitions_read") else {
        return;
    };
    let lookups = spl_runtime::lookup::Lookups::builder()
        .content_dir(&root)
        .expect("every lookups/*.yml of the catalog reads")
        .build();
    assert!(lookups.warnings().is_empty(), "{:?}", lookups.warnings());
}
