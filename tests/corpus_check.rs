//! Every armory rule compiles with the catalog's macros (`examples/armory-macros.conf`),
//! except the ones listed in `data/check_failures.txt`: malformed rules and rules that
//! need a command splc does not provide. Each listed rule must fail in the listed phase, at
//! the listed place, with the listed message; any other rule must compile (needs
//! `../shared/armory`; skipped without it).

use std::collections::BTreeMap;
use std::path::Path;

use spl_compiler::{compile_rule, CompileErrors};
use spl_grammar::MacroTable;

/// The pinned failures: path relative to the armory → `phase line:col message`.
fn pinned() -> BTreeMap<String, String> {
    let path = splc_tests::data("check_failures.txt");
    let text = std::fs::read_to_string(&path).expect("the pinned failures are readable");
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let Some((rule, rest)) = line.split_once(' ') else {
            panic!("bad line {line:?}");
        };
        assert!(
            out.insert(rule.to_owned(), rest.to_owned()).is_none(),
            "{rule} listed twice"
        );
    }
    out
}

#[test]
fn armory_rules_compile_with_the_catalog_macros() {
    let Some(dir) = splc_tests::corpus("armory", "armory_rules_compile_with_the_catalog_macros")
    else {
        return;
    };
    let mut macros = MacroTable::new();
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/armory-macros.conf");
    macros
        .add_conf_file(&conf)
        .expect("examples/armory-macros.conf reads");
    let mut expected = pinned();
    let mut problems = Vec::new();
    let (mut ok, mut total) = (0, 0);
    for (path, loaded) in spl_grammar::load_rule_paths(std::slice::from_ref(&dir)) {
        total += 1;
        let rel = path
            .strip_prefix(&dir)
            .expect("rules are under the armory")
            .display()
            .to_string();
        let result = loaded
            .map_err(CompileErrors::from)
            .and_then(|rule| compile_rule(rule, &macros));
        let want = expected.remove(&rel);
        match (result, want) {
            (Ok(_), None) => ok += 1,
            (Ok(_), Some(want)) => {
                problems.push(format!("{rel}: compiles, but listed as `{want}`"))
            }
            (Err(errors), want) => {
                let phase = errors.phase().map_or("load", |p| p.as_str());
                let d = errors.0[0].diagnostic();
                let at = d
                    .line_col()
                    .map_or_else(|| "-".to_owned(), |lc| format!("{}:{}", lc.line, lc.column));
                let got = format!("{phase} {at} {}", d.message);
                match want {
                    Some(want) if want == got => {}
                    Some(want) => problems.push(format!("{rel}: listed `{want}`, got `{got}`")),
                    None => problems.push(format!("{rel}: fails, not listed: `{got}`")),
                }
            }
        }
    }
    for rule in expected.keys() {
        problems.push(format!("{rule}: listed, but not in the armory"));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(total > 1000, "only {total} rules read");
    eprintln!("{ok} of {total} armory rules compile");
}
