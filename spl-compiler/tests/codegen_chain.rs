//! Long `OR`/`AND` chains (rules of tens of thousands of alternatives are written) compile
//! to code that parses back: the generated `&&`/`||` chains nest a few levels deep, not
//! one level per operand.

use spl_compiler::codegen::{generate_rule, to_source, RuleMeta};
use spl_compiler::compile_spl;

fn source_of(spl: &str) -> String {
    let compiled = compile_spl(spl, "chain", &Default::default()).expect("compiles");
    let meta = RuleMeta::of("Chain".into(), &compiled);
    to_source(&generate_rule(&meta, &compiled.program))
}

#[test]
fn thousands_of_alternatives_parse_back() {
    // Nested one level per operand, 3,000 operands overflow any parser's stack.
    let or = (0..3_000)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let and = (0..3_000)
        .map(|i| format!("TERM(a{i})"))
        .collect::<Vec<_>>()
        .join(" ");
    // The eval parser takes 400 levels of nesting at most: 400 operands here, on the 2 MiB stack of a test thread.
    let where_or = format!(
        "* | where {}",
        (0..400)
            .map(|i| format!("x={i}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    for spl in [or, and, where_or] {
        let source = source_of(&spl);
        let file = syn::parse_file(&source).expect("the generated code parses");
        assert_eq!(file.items.len(), 4, "the struct and its three impls");
    }
}

#[test]
fn the_builder_checks_rules_against_an_event_type() {
    let builder = spl_compiler::Builder::new()
        .emit_rerun_if_changed(false)
        .emit_warnings(false)
        .rule_spl("typed.spl", "process=x* | where len(cmd) > 3")
        .rule_spl("raw.spl", "TERM(x)")
        .event_type("crate::events::Process");
    let source = builder.generate().expect("generates");
    // One check per field read from events, none for the `_raw`-only rule.
    assert_eq!(source.matches("has_field").count(), 2, "{source}");
    assert!(
        source.contains("::spl_runtime::typed::TypedEvent"),
        "{source}"
    );
    assert!(
        source.contains("the event type `crate::events::Process`"),
        "{source}"
    );
    assert!(source.contains("\"cmd\""), "{source}");
    assert!(source.contains("typed.spl:1:24"), "{source}");
    let bad = spl_compiler::Builder::new()
        .emit_rerun_if_changed(false)
        .rule_spl("raw.spl", "TERM(x)")
        .event_type("not a type");
    let err = bad.generate().expect_err("not a type");
    assert!(
        err.to_string().contains("`not a type` is not a Rust type"),
        "{err}"
    );
}
