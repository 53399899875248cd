//! Every regex in the armory's rules goes through `translate`: each must translate and
//! compile, except the pinned list of patterns that are wrong or unsupported.
//!
//! The regexes are found by a rough scanner over each rule's SPL (`logic`), not by the SPL
//! parser: `regex [field=|field!=]"..."`, `rex [options] "..."` (quoted and unquoted pieces
//! of one word are joined, as Splunk does), `rex mode=sed "s/re/.../"` (the `re` part), and
//! the pattern argument of `match()`, `replace()` and `mvfind()`. Inside double quotes, SPL
//! unescaping turns `\\` into `\`, `\"` into `"` and `\|` into `|`; every other backslash
//! stays for PCRE.

use std::collections::{BTreeMap, BTreeSet};

use spl_compiler::regex::translate;

/// Patterns expected to fail: (rule path under the armory, part of the error message).
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    // `...)")` after quote splicing leaves one `)` too many: invalid in PCRE too.
    (
        "endpoint/nircmd_execution/nircmd_execution-splunk-powershell.yml",
        "unmatched `)`",
    ),
];

/// Counts over the whole armory; a change means the scanner or the armory changed.
const EXPECTED_OCCURRENCES: usize = 1375;
const EXPECTED_DISTINCT: usize = 757;
const EXPECTED_DISTINCT_FAILING: usize = 1;

/// One regex found in a rule.
struct Found {
    rule: String,
    source: &'static str,
    pattern: String,
}

/// SPL unescaping inside a double-quoted string.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if matches!(next, '\\' | '"' | '|') {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Reads the quoted string whose `"` is at byte `at`: (unescaped content, offset after the
/// closing quote). An unterminated string runs to the end.
fn quoted(s: &str, at: usize) -> (String, usize) {
    let bytes = s.as_bytes();
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (unescape(&s[at + 1..i]), i + 1),
            _ => i += 1,
        }
    }
    (unescape(s.get(at + 1..).unwrap_or("")), s.len())
}

/// Splits a query into stages at `|` outside strings, macros and brackets.
fn stages(logic: &str) -> Vec<&str> {
    let bytes = logic.as_bytes();
    let (mut out, mut start, mut depth, mut i) = (Vec::new(), 0, 0i32, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = quoted(logic, i).1;
                continue;
            }
            b'`' => {
                i = logic[i + 1..].find('`').map_or(bytes.len(), |j| i + j + 2);
                continue;
            }
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'|' if depth <= 0 => {
                out.push(&logic[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&logic[start..]);
    out
}

/// One piece of a word: (was quoted, text).
type Piece = (bool, String);

/// Shell-like words: quoted and unquoted pieces without white space between them form one
/// word.
fn words(stage: &str) -> Vec<Vec<Piece>> {
    let bytes = stage.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut word: Vec<Piece> = Vec::new();
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            if bytes[i] == b'"' {
                let (text, next) = quoted(stage, i);
                word.push((true, text));
                i = next;
            } else {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'"' {
                    i += 1;
                }
                word.push((false, stage[start..i].to_string()));
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

fn joined(word: &[Piece]) -> String {
    word.iter().map(|(_, t)| t.as_str()).collect()
}

fn has_quote(word: &[Piece]) -> bool {
    word.iter().any(|(q, _)| *q)
}

/// `field=` / `field!=` before the quoted pattern of `regex`.
fn regex_argument(word: &[Piece]) -> String {
    let first_quote = word.iter().position(|(q, _)| *q).unwrap_or(0);
    let prefix: String = word[..first_quote]
        .iter()
        .map(|(_, t)| t.as_str())
        .collect();
    let rest: String = word[first_quote..]
        .iter()
        .map(|(_, t)| t.as_str())
        .collect();
    match prefix.rfind('=') {
        Some(eq) => format!("{}{rest}", &prefix[eq + 1..]),
        None => format!("{prefix}{rest}"),
    }
}

/// The `re` of a sed `s/re/replacement/flags` expression.
fn sed_regex(expr: &str) -> Option<String> {
    let mut chars = expr.chars();
    if chars.next() != Some('s') {
        return None;
    }
    let delimiter = chars.next()?;
    let mut re = String::new();
    while let Some(c) = chars.next() {
        if c == '\\' {
            re.push(c);
            re.extend(chars.next());
        } else if c == delimiter {
            return Some(re);
        } else {
            re.push(c);
        }
    }
    Some(re)
}

/// The quoted pattern arguments of `match(x, "re")`, `replace(x, "re", ...)` and
/// `mvfind(x, "re")` in a stage.
fn function_patterns(stage: &str, out: &mut Vec<(&'static str, String)>) {
    let bytes = stage.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            i = quoted(stage, i).1;
            continue;
        }
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let name = ["match", "replace", "mvfind"].into_iter().find(|n| {
            boundary && stage[i..].len() >= n.len() && stage[i..i + n.len()].eq_ignore_ascii_case(n)
        });
        let Some(name) = name else {
            i += 1;
            continue;
        };
        let mut j = i + name.len();
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        i += name.len();
        if j >= bytes.len() || bytes[j] != b'(' {
            continue;
        }
        // Skip the first argument.
        j += 1;
        let mut depth = 0;
        while j < bytes.len() {
            match bytes[j] {
                b'"' => {
                    j = quoted(stage, j).1;
                    continue;
                }
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        if j >= bytes.len() || bytes[j] != b',' {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'"' {
            let source = match name {
                "match" => "match",
                "replace" => "replace",
                _ => "mvfind",
            };
            out.push((source, quoted(stage, j).0));
        }
    }
}

/// Every regex of one query.
fn extract(logic: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for stage in stages(logic) {
        let ws = words(stage);
        let command = ws.first().map(|w| joined(w)).unwrap_or_default();
        let args = ws.get(1..).unwrap_or(&[]);
        match command.as_str() {
            "regex" => {
                for w in args.iter().filter(|w| has_quote(w)) {
                    out.push(("regex", regex_argument(w)));
                }
            }
            "rex" => {
                let option = |w: &Vec<Piece>| {
                    let text = joined(w);
                    ["field=", "max_match=", "offset_field=", "mode="]
                        .iter()
                        .any(|o| text.starts_with(o))
                };
                let sed = args.iter().any(|w| joined(w) == "mode=sed");
                for w in args.iter().filter(|w| has_quote(w) && !option(w)) {
                    let text = joined(w);
                    if !sed {
                        out.push(("rex", text));
                    } else if let Some(re) = sed_regex(&text) {
                        out.push(("rex-sed", re));
                    }
                }
            }
            _ => {}
        }
        function_patterns(stage, &mut out);
    }
    out
}

/// Every regex of the armory's rules; `None` when the armory is missing (`test` is
/// skipped).
fn corpus(test: &str) -> Option<Vec<Found>> {
    let mut found = Vec::new();
    for (rule, logic) in splc_tests::armory_rules(test)? {
        for (source, pattern) in extract(&logic) {
            found.push(Found {
                rule: rule.clone(),
                source,
                pattern,
            });
        }
    }
    Some(found)
}

#[test]
fn scanner_reads_spl_strings() {
    let logic = r#"x | rex field=process "(?i)net.*?user\s+(?<u>\S+") | regex p!="a\"b\\c\|d" | where match(f, "(?i)x(y") AND NOT replace(lower(g), ",", "") = "" | rex mode=sed "s/(\d{4}-){3}/X/g""#;
    let got = extract(logic);
    let want = [
        ("rex", r"(?i)net.*?user\s+(?<u>\S+)"),
        ("regex", r#"a"b\c|d"#),
        ("match", "(?i)x(y"),
        ("replace", ","),
        ("rex-sed", r"(\d{4}-){3}"),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(s, p)| (*s, p.as_str())).collect();
    assert_eq!(got, want);
}

#[test]
fn every_corpus_regex_translates_except_the_pinned_ones() {
    let Some(found) = corpus("every_corpus_regex_translates_except_the_pinned_ones") else {
        return;
    };
    let mut unexpected = Vec::new();
    let mut hit = BTreeSet::new();
    let mut distinct = BTreeSet::new();
    let mut distinct_failing = BTreeSet::new();
    // Translating is slow in debug builds (it compiles the result): once per pattern.
    let mut results = BTreeMap::new();
    for f in &found {
        distinct.insert(f.pattern.as_str());
        let result = results
            .entry(f.pattern.as_str())
            .or_insert_with(|| translate(&f.pattern));
        let e = match result {
            Ok(t) => {
                // The runtime runs the pattern on the engine it was written for.
                assert_eq!(
                    t.backtracking,
                    spl_runtime::regex::has_lookaround(&t.pattern),
                    "{}: {:?} as {:?}",
                    f.rule,
                    f.pattern,
                    t.pattern
                );
                continue;
            }
            Err(e) => e,
        };
        distinct_failing.insert(f.pattern.as_str());
        let expected = EXPECTED_FAILURES
            .iter()
            .position(|(rule, needle)| *rule == f.rule && e.message.contains(needle));
        match expected {
            Some(i) => {
                hit.insert(i);
            }
            None => unexpected.push(format!(
                "{} ({}): {:?}\n    at byte {}: {}",
                f.rule, f.source, f.pattern, e.offset, e.message
            )),
        }
    }
    let stale: Vec<_> = EXPECTED_FAILURES
        .iter()
        .enumerate()
        .filter(|(i, _)| !hit.contains(i))
        .map(|(_, f)| f)
        .collect();
    println!(
        "armory regexes: {} occurrences, {} distinct, {} distinct translate, {} distinct fail",
        found.len(),
        distinct.len(),
        distinct.len() - distinct_failing.len(),
        distinct_failing.len()
    );
    assert!(
        unexpected.is_empty(),
        "unexpected failures:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "expected failures that no longer happen: {stale:?}"
    );
    assert_eq!(
        (found.len(), distinct.len(), distinct_failing.len()),
        (
            EXPECTED_OCCURRENCES,
            EXPECTED_DISTINCT,
            EXPECTED_DISTINCT_FAILING
        )
    );
}

/// The runtime picks the engine the translator wrote a pattern for: the backtracking one
/// exactly for patterns with lookaround (the ESCU catalog's among them), `regex-automata`
/// for the others, including a leading lookbehind rewritten as a prefix and text that
/// only looks like lookaround.
#[test]
fn the_runtime_runs_each_translation_on_its_engine() {
    for (pcre, backtracking) in [
        (r"(?<!\/)\b\w+(\.\w+)?:\w+(\.\w+)?$", true),
        (r"(\b)\w+(\.\w+)?:\w+(\.\w{2,4})(?!\.)(\b|\s|&)", true),
        (r"(.*\\)(?=.*(\.\w*)$|(\w+)$)", true),
        (r"(?i)x(?<=X)", true),
        (r"(?<=icacls\.exe\s)(?<file_path>\S+)", false),
        (r"\(?=x[(?!]\Q(?<=\E", false),
        (r"(?<n>a)\bb$", false),
    ] {
        let t = translate(pcre).unwrap_or_else(|e| panic!("{pcre:?}: {e}"));
        assert_eq!(t.backtracking, backtracking, "{pcre:?} as {:?}", t.pattern);
        let re = spl_runtime::regex::Regex::new(&t.pattern)
            .unwrap_or_else(|e| panic!("{pcre:?} as {:?}: {e}", t.pattern));
        assert_eq!(
            re.is_backtracking(),
            backtracking,
            "{pcre:?} as {:?}",
            t.pattern
        );
    }
}
