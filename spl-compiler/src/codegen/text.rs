//! The one way user text reaches generated code: as a string literal, or as a line of a
//! doc comment. Nothing a rule holds (its path, id, title, SPL, field names, regexes) is
//! ever written into code any other way, so no rule text can become code.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// A string literal holding exactly `text`: a raw string (`r"..."`, `r#"..."#`) when the
/// text is printable ASCII with backslashes or quotes in it (regexes read better that
/// way), otherwise an ordinary literal, whose escapes keep every control or invisible
/// character (a carriage return, a bidirectional override) visible as `\u{..}`.
pub(crate) fn lit_str(text: &str) -> TokenStream {
    let printable = text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if printable && text.contains(['\\', '"']) {
        let mut hashes = String::new();
        while text.contains(&format!("\"{hashes}")) {
            hashes.push('#');
        }
        if let Ok(lit) = format!("r{hashes}\"{text}\"{hashes}").parse::<Literal>() {
            return quote!(#lit);
        }
    }
    let lit = Literal::string(text);
    quote!(#lit)
}

/// A character literal holding `c` (escaped like [`lit_str`]'s ordinary literals).
pub(crate) fn lit_char(c: char) -> TokenStream {
    let lit = Literal::character(c);
    quote!(#lit)
}

/// `#[doc = "..."]` attributes, one per line of `text` (the lines are already Markdown:
/// see [`markdown_text`] and [`code_block`]). A line never holds a carriage return or an
/// invisible control character: those would break the `///` comment they print as.
pub(crate) fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.split('\n').map(|line| {
        let line = visible(line);
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// `text` as plain Markdown text on one line: line breaks become spaces, and the
/// characters Markdown or HTML would read (`` \ ` * _ [ ] < > & ~ # | ``) are escaped.
pub(crate) fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as a fenced `text` code block, the fence longer than any run of backticks in it.
pub(crate) fn code_block(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{text}\n{fence}")
}

/// A line with every control or invisible formatting character (carriage return, tab
/// excepted, bidirectional overrides and isolates, zero-width characters) written as
/// `\u{..}`.
fn visible(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        let invisible = (c.is_control() && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
        if invisible {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_strings_for_readable_regexes_only() {
        assert_eq!(
            lit_str(r"(?i)\binstall\s").to_string(),
            r#"r"(?i)\binstall\s""#
        );
        assert_eq!(lit_str(r#"a"b"#).to_string(), r###"r#"a"b"#"###);
        assert_eq!(lit_str(r##"a"#b"##).to_string(), r###"r##"a"#b"##"###);
        assert_eq!(lit_str("plain").to_string(), r#""plain""#);
        assert_eq!(lit_str("a\rb").to_string(), r#""a\rb""#);
        assert_eq!(lit_str("x\u{202e}y").to_string(), r#""x\u{202e}y""#);
    }

    #[test]
    fn markdown_keeps_text_text() {
        assert_eq!(
            markdown_text("<b>pip</b> *install* (a-b.c)"),
            r"\<b\>pip\</b\> \*install\* (a-b.c)"
        );
        assert_eq!(markdown_text("a\r\nb"), "a  b");
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(code_block("a `m` b"), "```text\na `m` b\n```");
        assert_eq!(code_block("````"), "`````text\n````\n`````");
    }

    #[test]
    fn doc_lines_show_invisible_characters() {
        let attrs = doc_attrs("a\rb\u{2066}c\n\nd").to_string();
        assert!(attrs.contains(r#"" a\\u{d}b\\u{2066}c""#), "{attrs}");
        assert_eq!(attrs.matches("doc").count(), 3, "{attrs}");
    }
}
