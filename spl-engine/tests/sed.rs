//! `rex mode=sed`: the compiler reads the sed expression, the runtime applies it.

use spl_engine::EvalRule;
use spl_runtime::rule::run;
use spl_runtime::{Record, Value};

/// `expr` applied to the field `x` holding `input`, through a whole rule; `Err` with the
/// compiler's message when the rule does not compile.
fn sed(expr: &str, input: &str) -> Result<String, String> {
    let quoted = expr.replace('\\', "\\\\").replace('"', "\\\"");
    let spl = format!("* | rex field=x mode=sed \"{quoted}\"");
    let mut rule = EvalRule::from_spl(&spl, &Default::default()).map_err(|e| e.to_string())?;
    let mut row = Record::new();
    row.set_raw("event");
    row.set_named("x", input);
    let rows = run(&mut rule, [&row]).map_err(|e| e.to_string())?;
    match rows[0].get_named("x") {
        Some(Value::Str(s)) => Ok(s.clone()),
        other => Err(format!("x is {other:?}")),
    }
}

fn ok(expr: &str, input: &str) -> String {
    sed(expr, input).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

#[test]
fn substitution() {
    assert_eq!(
        ok(r"s/(\d{4}-){3}/XXXX-XXXX-XXXX-/g", "1234-5678-9012-3456"),
        "XXXX-XXXX-XXXX-3456"
    );
    assert_eq!(ok("s/a/X/", "aaa"), "Xaa");
    assert_eq!(ok("s/a/X/2", "aaa"), "aXa");
    assert_eq!(ok("s/a/X/2g", "aaa"), "aXX");
    assert_eq!(ok("s/a/X/5", "aaa"), "aaa");
    assert_eq!(
        ok(r"s/(\w+)@(\w+)/\2 at \1 (&)/g", "bob@corp"),
        "corp at bob (bob@corp)"
    );
    assert_eq!(ok(r"s/\//\\\//g", "a/b"), r"a\/b");
    assert_eq!(ok(r#"s/\"//g"#, r#""C:\x.exe" -a"#), r"C:\x.exe -a");
    assert_eq!(
        ok(
            r"s/(?mi)^(Path.+)|^(ScriptBlock ID.+)//g",
            "keep\npath: x\nScriptBlock ID: 1\nend"
        ),
        "keep\n\n\nend"
    );
    assert_eq!(
        ok(r"s|a\|b|c|g", "a|b a"),
        "c a",
        "another delimiter, escaped in the pattern"
    );
}

#[test]
fn transliteration() {
    assert_eq!(ok("y/abc/xyz/", "aabbcc-d"), "xxyyzz-d");
    assert_eq!(ok("y/abc/xyz/", "def"), "def");
    assert!(sed("y/ab/x/", "a").is_err(), "lists of different lengths");
}

#[test]
fn malformed_expressions_do_not_compile() {
    for bad in [
        "", "s", "x/a/b/", "s/a/b", "s/a/b/q", "s/a/b/0", "s(/", "y/a/b/g", "s/(/x/",
    ] {
        assert!(sed(bad, "a").is_err(), "{bad:?}");
    }
}
