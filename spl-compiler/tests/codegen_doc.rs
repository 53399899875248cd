//! The documentation generated for a rule's type stays text: no Markdown or HTML from a
//! rule can change it.

use spl_compiler::codegen::{rule_doc, RuleMeta};

fn meta(title: &str, spl: &str) -> RuleMeta {
    RuleMeta {
        type_name: "R".into(),
        id: "id-1".into(),
        title: title.into(),
        technique_ids: Vec::new(),
        spl: spl.into(),
    }
}

#[test]
fn title_punctuation_is_escaped() {
    let doc = rule_doc(&meta("<b>pip</b> *install*", "x"));
    assert!(doc.starts_with(r"\<b\>pip\<\/b\> \*install\*"), "{doc}");
    assert!(doc.contains(r"(id\-1)"), "{doc}");
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
