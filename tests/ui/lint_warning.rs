// A rule that compiles with a lint: the warning is the crate's (made an error here, so
// that the test sees it).
#![deny(deprecated)]

spl_runtime::detect! {
    struct Seed = r#"TERM(pip) | eval keywords=mvappend(a, b) | table _time keyword"#;
}

fn main() {}
