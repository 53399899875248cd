//! Regexes, rex extraction and `replace` (`docs/semantics.md`, "Regular expressions"); `rex
//! mode=sed` is tested through whole rules in `spl-engine/tests/sed.rs`.

// Clippy's `invalid_regex` takes `spl_runtime::regex::Regex::new` for the regex crate's and
// checks its patterns with that crate's syntax, which has no lookaround.
#![allow(clippy::invalid_regex)]

use spl_runtime::regex::{has_lookaround, Regex, Replacement};

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

// ----- lookaround: the backtracking engine -----

#[test]
fn lookaround_selects_the_backtracking_engine() {
    for p in [r"a(?=b)", r"(?!x)", r"(?<=a)b", r"x(?:(?<!a)b)", r"\\(?=x)"] {
        assert!(has_lookaround(p), "{p}");
        assert!(Regex::new(p).expect("compiles").is_backtracking(), "{p}");
    }
    // Escaped, in a bracket class, or another group: not lookaround.
    for p in [
        r"\(?=x",
        r"[(?=]",
        r"[]a(?=]",
        r"[^](?!]",
        r"[[:alpha:](?<=]",
        r"(?P<n>x)",
        r"(?<n>x)",
        r"(?:x)(?i)",
    ] {
        assert!(!has_lookaround(p), "{p}");
        assert!(!Regex::new(p).expect("compiles").is_backtracking(), "{p}");
    }
    // Lookaround that does not compile is an error, as any other pattern.
    let e = Regex::new(r"(?<=a+)b").expect_err("variable-length lookbehind");
    assert!(e.message().contains("(?<=a+)b"), "{e:?}");
}

#[test]
fn backtracking_tests_and_finds_like_pcre() {
    let r = Regex::new(r"foo(?!bar)").expect("compiles");
    assert!(r.is_match("foobaz"));
    assert!(!r.is_match("foobar"));
    // The first `foo` is followed by `bar`; the lookahead is not part of the match.
    assert_eq!(r.find("foobar foobaz"), Some((7, 10)));
    let r = Regex::new(r"(?<![\\/])\w+\.exe").expect("compiles");
    // `x.exe` follows a backslash; `run.exe` follows a space.
    assert_eq!(r.find(r"C:\x.exe run.exe"), Some((9, 16)));
    assert_eq!(r.find(r"C:\x.exe"), None);
}

#[test]
fn backtracking_captures_and_named_groups() {
    let r = Regex::new(r"(?<user>\w+)(?=@)(?:@(?<host>\w+))?").expect("compiles");
    assert_eq!(
        r.named_groups().collect::<Vec<_>>(),
        [(1, "user"), (2, "host")]
    );
    assert_eq!(r.group_len(), 3);
    let c = r.captures("mail bob@corp").expect("matches");
    assert_eq!(c.name("user"), Some("bob"));
    assert_eq!(c.name("host"), Some("corp"));
    assert_eq!(c.get(0), Some("bob@corp"));
    assert_eq!(c.range(), Some((5, 13)));
    assert_eq!(c.get(5), None);
    assert_eq!(c.name("nosuch"), None);
    assert!(r.captures("no at sign").is_none());
    // A group that did not take part.
    let r = Regex::new(r"(?<a>x)(?=1)|(?<b>y)").expect("compiles");
    let c = r.captures("x2 y").expect("matches");
    assert_eq!((c.name("a"), c.name("b")), (None, Some("y")));
}

#[test]
fn backtracking_rex_extraction() {
    let r = Regex::new(r"(?<f>\w+)(?=,)").expect("compiles");
    assert_eq!(r.extract_named("a,b,c", 0), [("f", vec!["a", "b"])]);
    assert_eq!(r.extract_named("a,b,c", 1), [("f", vec!["a"])]);
    assert!(r.extract_named("abc", 0).is_empty());
    let r = Regex::new(r"(?<a>x)(?=1)|(?<b>y)").expect("compiles");
    assert_eq!(
        r.extract_named("yx1x2", 0),
        [("a", vec!["x"]), ("b", vec!["y"])]
    );
    // Lookbehind sees the text before each later match too.
    let r = Regex::new(r"(?<=-)(?<v>\w)").expect("compiles");
    assert_eq!(r.extract_named("a-b c-d", 0), [("v", vec!["b", "d"])]);
}

#[test]
fn backtracking_replacement() {
    // Empty matches between digits, where a multiple of three digits follows.
    let r = Regex::new(r"(?<=\d)(?=(?:\d{3})+(?!\d))").expect("compiles");
    assert_eq!(
        r.replace_all("1234567 and 12", &Replacement::literal(",")),
        "1,234,567 and 12"
    );
    let r = Regex::new(r"(\w+)@(?=corp)").expect("compiles");
    assert_eq!(
        r.replace_all("bob@corp amy@home", &Replacement::eval(r"\1 at ")),
        "bob at corp amy@home"
    );
    assert_eq!(
        r.replace_all("amy@home", &Replacement::eval("x")),
        "amy@home"
    );
    let r = Regex::new(r"\w(?=1)").expect("compiles");
    let x = Replacement::literal("X");
    assert_eq!(r.replace_nth("a1 b1 c1", &x, 2), "a1 X1 c1");
    assert_eq!(r.replace_nth("a1 b1 c1", &x, 4), "a1 b1 c1");
    assert_eq!(r.replace_nth("a1 b1 c1", &x, 0), "a1 b1 c1");
}

/// A search that exceeds the backtracking limit finds nothing, in every method, and never
/// panics; the same pattern on a short text matches.
#[test]
fn backtracking_past_the_limit_is_no_match() {
    // A repeated group with a lookbehind runs on the backtracking VM: exponential in the
    // number of `a`s before a text with no `b`.
    let r = Regex::new(r"(?<g>(?:a+(?<=a))+b|c)").expect("compiles");
    assert!(r.is_match("ac"));
    assert_eq!(r.find("aab"), Some((0, 3)));
    // Each search below gives up after `BACKTRACK_LIMIT` steps (about half a second).
    let long = format!("{}c", "a".repeat(40));
    assert!(!r.is_match(&long));
    assert!(r.captures(&long).is_none());
    let x = Replacement::literal("X");
    // Matches found before the search that gives up are kept.
    let text = format!("c {long}");
    assert_eq!(r.extract_named(&text, 0), [("g", vec!["c"])]);
    assert_eq!(r.replace_all(&text, &x), format!("X {long}"));
}
