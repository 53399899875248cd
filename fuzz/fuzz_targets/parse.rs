//! Arbitrary text into the SPL parser.
//!
//! Invariants checked on every input that is valid UTF-8:
//! - `parse_query` returns (no panic, no hang, no stack overflow);
//! - on an error, its span lies inside the input on character boundaries, and the
//!   diagnostic built from it renders;
//! - on success, the canonical printing parses again to the same tree (spans cleared).

#![no_main]

use libfuzzer_sys::fuzz_target;
use spl_grammar::ast;
use spl_grammar::diagnostic::{Diagnostic, SourceFile};
use spl_grammar::parse_query;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut query = match parse_query(text) {
        Ok(query) => query,
        Err(err) => {
            let span = err.span;
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "error span {span} is not inside the input ({} bytes)\ninput: {text:?}\nerror: {err:?}",
                text.len(),
            );
            let rendered = Diagnostic::from_parse_error(&err)
                .with_source(SourceFile::new("<fuzz>", text))
                .render_plain();
            assert!(!rendered.is_empty());
            return;
        }
    };
    let printed = ast::print(&query);
    let mut reparsed = match parse_query(&printed) {
        Ok(reparsed) => reparsed,
        Err(err) => panic!(
            "the printed query does not parse\ninput:   {text:?}\nprinted: {printed:?}\nerror:   {err:?}"
        ),
    };
    query.clear_spans();
    reparsed.clear_spans();
    assert!(
        query == reparsed,
        "printing and parsing again changed the tree\ninput:   {text:?}\nprinted: {printed:?}\nfirst:   {query:#?}\nsecond:  {reparsed:#?}"
    );
});
