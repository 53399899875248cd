//! Regexes, rex extraction and `replace` (`docs/semantics.md`, "Regular expressions"); `rex
//! mode=sed` is tested through whole rules in `spl-engine/tests/sed.rs`.

use spl_runtime::regex::{Regex, Replacement};

#[test]
fn unanchored_and_case_rules() {
    let r = Regex::new(r"(?i)ngen\.exe").expect("compiles");
    assert!(r.is_match(r"C:\X\NGEN.exe foo"));
    assert!(!Regex::new(r"ngen\.EXE")
        .expect("compiles")
        .is_match("ngen.exe"));
    assert_eq!(r.find("a ngen.exe"), Some((2, 10)));
}

#[test]
fn invalid_pattern_is_an_error() {
    let pattern = String::from("a)");
    let e = Regex::new(&pattern).expect_err("unbalanced");
    assert!(e.message().contains("a)"));
}

#[test]
fn large_counted_repetition_compiles() {
    let r = Regex::new(r"(?<base64_cmd>\w{20,1000}=?)").expect("size limit raised");
    let caps = r
        .captures("x -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA= y")
        .expect("matches");
    assert_eq!(
        caps.name("base64_cmd"),
        Some("SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA=")
    );
}

#[test]
fn named_groups_and_captures() {
    let r = Regex::new(r"chmod\s+\d+\s+(?<p>.+)").expect("compiles");
    assert_eq!(r.named_groups().collect::<Vec<_>>(), [(1, "p")]);
    assert_eq!(r.group_len(), 2);
    let c = r.captures("chmod 777 /tmp/a /tmp/b").expect("matches");
    assert_eq!(c.name("p"), Some("/tmp/a /tmp/b"));
    assert_eq!(c.get(0), Some("chmod 777 /tmp/a /tmp/b"));
    assert_eq!(c.get(5), None);
    assert!(r.captures("nothing").is_none());
}

#[test]
fn rex_max_match() {
    let r = Regex::new(r"(?<f>[^\s]+)").expect("compiles");
    assert_eq!(
        r.extract_named("/tmp/a /tmp/b", 10),
        [("f", vec!["/tmp/a", "/tmp/b"])]
    );
    assert_eq!(r.extract_named("/tmp/a /tmp/b", 1), [("f", vec!["/tmp/a"])]);
    assert_eq!(r.extract_named("a b c", 0), [("f", vec!["a", "b", "c"])]);
    assert!(r.extract_named("   ", 0).is_empty());
    // The documented rex example: two groups over every match.
    let r = Regex::new(r"((?<field>[^$]*)\$(?<value>[^,]*),?)").expect("compiles");
    assert_eq!(
        r.extract_named("a$1,b$2", 0),
        [("field", vec!["a", "b"]), ("value", vec!["1", "2"])]
    );
}

#[test]
fn rex_groups_that_do_not_take_part() {
    let r = Regex::new(r"(?<a>x)|(?<b>y)").expect("compiles");
    assert_eq!(r.extract_named("x", 0), [("a", vec!["x"])]);
    assert_eq!(
        r.extract_named("yx", 0),
        [("a", vec!["x"]), ("b", vec!["y"])]
    );
}

#[test]
fn anchors_see_the_whole_text() {
    let r = Regex::new(r"\bfoo").expect("compiles");
    assert_eq!(
        r.extract_named("xfoo foo", 0),
        Vec::<(&str, Vec<&str>)>::new()
    );
    assert!(r
        .captures("xfoo foo")
        .is_some_and(|c| c.range() == Some((5, 8))));
}

#[test]
fn eval_replace_is_global_with_backreferences() {
    let r = Regex::new(r"^(\d{1,2})/(\d{1,2})/").expect("compiles");
    assert_eq!(
        r.replace_all("1/14/2023", &Replacement::eval(r"\2/\1/")),
        "14/1/2023"
    );
    let r = Regex::new(r"\s*,\s*").expect("compiles");
    assert_eq!(r.replace_all("a , b,c", &Replacement::eval(";")), "a;b;c");
    assert_eq!(r.replace_all("abc", &Replacement::eval(";")), "abc");
    // `$` and `&` are literal, `\\` one backslash, a missing group inserts nothing.
    let r = Regex::new("(b)").expect("compiles");
    assert_eq!(
        r.replace_all("abc", &Replacement::eval(r"[$1&\\\9]")),
        r"a[$1&\]c"
    );
    // Empty matches.
    let r = Regex::new("x*").expect("compiles");
    assert_eq!(r.replace_all("ab", &Replacement::literal("-")), "-a-b-");
}
