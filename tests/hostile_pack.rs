//! Rule files with hostile names and texts (`build.rs` writes them): their generated pack
//! builds with every warning denied, each gets a type of its own, and nothing of their
//! text becomes code.

/// The hostile rules compiled by `build.rs`; any warning in the generated code fails the
/// build.
#[deny(warnings)]
mod hostile_pack {
    include!(concat!(env!("OUT_DIR"), "/hostile_rules.rs"));
}

use spl_runtime::rule::Rule;
use spl_runtime::Record;

#[test]
fn every_rule_gets_a_type_of_its_own() {
    let mut names: Vec<&str> = hostile_pack::RULES.iter().map(|r| &*r.name).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Bidi",
            "Carriage",
            "Chain",
            "Constant",
            "Foo",
            "Foo2",
            "Foo22",
            "Keywords",
            "OptionRule",
            "SelfRule",
            "SizedRule",
            "XPubFnInjectedU3242ConstStrR",
        ]
    );
}

#[test]
fn nothing_of_the_rule_text_becomes_code() {
    let path = concat!(env!("OUT_DIR"), "/hostile_rules.rs");
    let source = std::fs::read_to_string(path).expect("the generated pack");
    let file = syn::parse_file(&source).expect("the generated pack parses");
    for item in &file.items {
        match item {
            syn::Item::Struct(_) | syn::Item::Impl(_) => {}
            syn::Item::Const(c) => assert_eq!(c.ident, "RULES"),
            syn::Item::Fn(f) => assert!(
                ["all_rules", "all_rules_with"].contains(&f.sig.ident.to_string().as_str()),
                "unexpected function {}",
                f.sig.ident
            ),
            other => panic!(
                "unexpected item: {}",
                quote::ToTokens::to_token_stream(other)
            ),
        }
    }
    // The path's text is in a doc line, not in code.
    assert!(source.contains("/// From "), "the rules name their files");
    assert!(!source
        .lines()
        .any(|l| l.trim_start().starts_with("pub fn injected")));
}

#[test]
fn the_hostile_rules_run() {
    let mut rules: Vec<Box<dyn Rule>> = hostile_pack::all_rules();
    let mut event = Record::new();
    event.set_raw("t1999 keywords");
    event.set_named("type", "a");
    let matched: Vec<String> = rules
        .iter_mut()
        .filter(|r| r.matches(&event))
        .map(|r| r.info().name.into_owned())
        .collect();
    // `Chain` (t0 OR ... OR t1999) and `Constant` (`*`) match; `Keywords` needs more fields.
    assert_eq!(matched, ["Chain", "Constant"]);
}
