//! Arbitrary `macros.conf` text and SPL through the front-end driver (parse, macro
//! expansion, parse again).
//!
//! The input is `<macros.conf text>` NUL `<SPL>`; without a NUL byte it is all SPL and the
//! table holds only the built-in defaults. Undefined macros expand to nothing (with a
//! warning), so that most calls reach the expander. Invariants checked on every input
//! that is valid UTF-8:
//! - `MacroTable::add_conf_str` and `front::parse_spl` return (no panic, no hang, no
//!   runaway memory), and their errors render;
//! - on success, the expanded tree is the parse of the expanded text and holds no macro
//!   call, the notes render, and a diagnostic on each stage of the expanded tree maps
//!   back into the input and renders.

#![no_main]

use libfuzzer_sys::fuzz_target;
use spl_grammar::ast::visit_macro_calls;
use spl_grammar::diagnostic::{Code, Diagnostic};
use spl_grammar::front::parse_spl;
use spl_grammar::macros::MacroTable;
use spl_grammar::parse_query;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (conf, spl) = text.split_once('\0').unwrap_or(("", text));
    let mut macros = MacroTable::new();
    macros.set_undefined_as_empty(true);
    if let Err(err) = macros.add_conf_str(conf, "macros.conf") {
        assert!(!err.to_string().is_empty());
    }
    let parsed = match parse_spl(spl, &macros) {
        Ok(parsed) => parsed,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    for note in &parsed.notes {
        assert!(!note.render_plain().is_empty());
    }
    let expanded_text = &parsed.expanded_text;
    let reparsed = match parse_query(expanded_text) {
        Ok(query) => query,
        Err(err) => panic!(
            "the expanded text does not parse\nspl:      {spl:?}\nexpanded: {expanded_text:?}\nerror:    {err:?}"
        ),
    };
    assert!(
        reparsed == parsed.expanded,
        "the expanded tree is not the parse of the expanded text\nspl:      {spl:?}\nexpanded: {expanded_text:?}"
    );
    visit_macro_calls(&parsed.expanded, &mut |call, _| {
        panic!("macro call left after expansion: {call:?}\nspl:      {spl:?}\nexpanded: {expanded_text:?}")
    });
    for stage in &parsed.expanded.stages {
        let span = parsed.file_span(stage.span);
        assert!(
            span.start <= span.end && span.end <= spl.len(),
            "stage span {} maps to {span}, outside the input ({} bytes)\nspl:      {spl:?}\nexpanded: {expanded_text:?}",
            stage.span,
            spl.len(),
        );
        let located = parsed
            .locate(Diagnostic::error(Code::SYNTAX, "stage").with_primary(stage.span, "here"));
        assert!(!located.render_plain().is_empty());
    }
});
