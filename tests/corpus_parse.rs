//! Every armory rule parses, except the pinned malformed ones, and every parsed rule
//! survives printing: `parse(print(q)) == q` with spans cleared.
//!
//! A second test mutates every rule a little (drops, repeats, swaps or inserts characters
//! and SPL tokens) and checks the same print/parse identity on whatever still parses: the
//! printer must hold for odd trees too, not only for the armory's.
//!
//! The rules that must fail are listed in `data/parse_failures.txt`, one per line:
//! `relative/path.yml line:col message`, where the position is in the rule's `logic` text.
//! The test fails when a rule not listed fails, when a listed rule parses, or when a
//! listed rule fails somewhere else or with another message.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use spl_grammar::ast::print;
use spl_grammar::{parse_query, LineIndex};

/// Parse, print, parse again; `Err` describes what went wrong.
fn print_parse(query: &mut spl_grammar::ast::Query) -> Result<(), String> {
    let printed = print(query);
    let mut again = parse_query(&printed)
        .map_err(|e| format!("the printed form does not parse ({e}):\n    {printed}"))?;
    query.clear_spans();
    again.clear_spans();
    if *query == again {
        Ok(())
    } else {
        Err(format!("printing changes the tree:\n    {printed}"))
    }
}

/// The pinned failures: relative path → `line:col message`.
fn pinned() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/parse_failures.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (rule, rest) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        assert!(
            out.insert(rule.to_string(), rest.to_string()).is_none(),
            "{rule} listed twice"
        );
    }
    out
}

#[test]
fn armory_rules_parse_and_print_back() {
    let Some(rules) = splc_tests::armory_rules("armory_rules_parse_and_print_back") else {
        return;
    };
    let mut expected = pinned();
    let mut problems = Vec::new();
    let mut parsed = 0;
    for (rel, src) in &rules {
        match parse_query(src) {
            Ok(mut query) => {
                parsed += 1;
                if expected.remove(rel).is_some() {
                    problems.push(format!("{rel}: listed as failing, but parses"));
                }
                if let Err(e) = print_parse(&mut query) {
                    problems.push(format!("{rel}: {e}"));
                }
            }
            Err(e) => {
                let lc = LineIndex::new(src).line_col(src, e.span.start);
                let got = format!("{}:{} {}", lc.line, lc.column, e.message);
                match expected.remove(rel) {
                    Some(want) if want == got => {}
                    Some(want) => problems.push(format!("{rel}: expected `{want}`, got `{got}`")),
                    None => problems.push(format!("{rel} {got}   <- not a pinned failure")),
                }
            }
        }
    }
    for rel in expected.keys() {
        problems.push(format!("{rel}: listed, but not in the armory"));
    }
    assert!(
        problems.is_empty(),
        "{} of {} rules parse; problems:\n{}",
        parsed,
        rules.len(),
        problems.join("\n")
    );
}

/// Small deterministic pseudo-random numbers (a linear congruential generator).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        usize::try_from(self.0 >> 33).unwrap() % n.max(1)
    }
}

#[test]
fn mutated_rules_that_parse_also_print_back() {
    const TOKENS: [&str; 24] = [
        " OR ",
        " AND ",
        "NOT ",
        "=",
        "TERM(",
        "`m`",
        "[",
        "]",
        " | ",
        "'",
        "(",
        ")",
        " by ",
        " as ",
        "<<FIELD>>",
        "\"",
        "!=",
        " IN (",
        ".",
        "*",
        "-",
        ",",
        " eval(",
        "\\",
    ];
    let Some(rules) = splc_tests::armory_rules("mutated_rules_that_parse_also_print_back") else {
        return;
    };
    let mut rng = Lcg(12345);
    let mut problems = Vec::new();
    let mut parsed = 0;
    for round in 0..3 {
        for (rel, src) in &rules {
            let mut chars: Vec<char> = src.chars().collect();
            for _ in 0..=round {
                if chars.is_empty() {
                    break;
                }
                let i = rng.below(chars.len());
                match rng.below(4) {
                    0 => {
                        chars.remove(i);
                    }
                    1 => {
                        let c = chars[rng.below(chars.len())];
                        chars.insert(i, c);
                    }
                    2 => {
                        let j = rng.below(chars.len());
                        chars.swap(i, j);
                    }
                    _ => {
                        let token = TOKENS[rng.below(TOKENS.len())];
                        for (k, c) in token.chars().enumerate() {
                            chars.insert(i + k, c);
                        }
                    }
                }
            }
            let mutated: String = chars.into_iter().collect();
            if let Ok(mut query) = parse_query(&mutated) {
                parsed += 1;
                if let Err(e) = print_parse(&mut query) {
                    problems.push(format!("{rel} mutated to\n    {mutated}\n  {e}"));
                }
            }
        }
    }
    assert!(parsed > 1000, "only {parsed} mutated rules parse");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
