//! The documentation generated for a rule's type stays text: no Markdown or HTML from a
//! rule can change it, and nothing in a rule can break out of it.

use spl_compiler::codegen::{rule_doc, RuleMeta};

fn meta(title: &str, spl: &str) -> RuleMeta {
    RuleMeta {
        type_name: "R".into(),
        id: "id-1".into(),
        title: title.into(),
        technique_ids: Vec::new(),
        spl: spl.into(),
        source: Some("rules/x_[1].yml".into()),
    }
}

#[test]
fn title_markup_is_escaped_and_plain_punctuation_kept() {
    let doc = rule_doc(&meta("<b>pip</b> *install* (non-default)", "x"));
    assert!(
        doc.starts_with(r"\<b\>pip\</b\> \*install\* (non-default) (id-1)"),
        "{doc}"
    );
    assert!(doc.contains("\n\nFrom rules/x\\_\\[1\\].yml.\n\n"), "{doc}");
}

#[test]
fn spl_sits_in_a_fence_longer_than_its_backticks() {
    let doc = rule_doc(&meta("t", r#"rex "(?<reqs>x)" | eval a="````""#));
    assert!(
        doc.ends_with("\n`````text\nrex \"(?<reqs>x)\" | eval a=\"````\"\n`````"),
        "{doc}"
    );
    let doc = rule_doc(&meta("t", "  a `m` b  "));
    assert!(doc.ends_with("\n```text\na `m` b\n```"), "{doc}");
}
