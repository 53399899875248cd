//! UI tests of `detect!`: a rule that does not compile is one compile error carrying the
//! rendered diagnostic (code, `-->` line:column in the SPL, a caret under the mistake).
//! Regenerate the expected output with `TRYBUILD=overwrite` and read it before keeping it.

#[test]
fn detect_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
