//! Splunk's breakers: the characters that cut event text into searchable tokens
//! (`docs/semantics.md`, "Search command").
//!
//! *Major* breakers end a segment; `TERM(x)` must be one whole major segment. *Minor*
//! breakers cut a segment into smaller tokens that bare terms may start and end at. A few
//! URL-encoded sequences (`%20`, `%2c`, ...) are major breakers too.

/// True for Splunk's default single-character major breakers:
/// `[ ] < > ( ) { } | ! ; , ' " * \n \r space \t & ? +`.
pub const fn is_major(b: u8) -> bool {
    matches!(
        b,
        b'[' | b']'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'{'
            | b'}'
            | b'|'
            | b'!'
            | b';'
            | b','
            | b'\''
            | b'"'
            | b'*'
            | b'\n'
            | b'\r'
            | b' '
            | b'\t'
            | b'&'
            | b'?'
            | b'+'
    )
}

/// True for Splunk's default minor breakers: `/ : = @ . - $ # % \ _`.
pub const fn is_minor(b: u8) -> bool {
    matches!(
        b,
        b'/' | b':' | b'=' | b'@' | b'.' | b'-' | b'$' | b'#' | b'%' | b'\\' | b'_'
    )
}

/// True for any breaker, major or minor.
pub const fn is_breaker(b: u8) -> bool {
    is_major(b) || is_minor(b)
}

/// The URL-encoded forms Splunk also counts as major breakers, lowercase (they match
/// ignoring ASCII case). `--` is one as well, but it ends with the minor breaker `-`, so
/// the single-byte test already covers where a token may start after it, and it does not
/// bound a `TERM`.
pub const ENCODED_MAJOR: [&str; 16] = [
    "%21", "%26", "%2526", "%3b", "%7c", "%20", "%2b", "%3d", "%2520", "%5d", "%5b", "%3a", "%0a",
    "%2c", "%28", "%29",
];

/// The length of the longest URL-encoded major breaker starting at `pos` of `text`.
pub fn encoded_major_len_at(text: &[u8], pos: usize) -> Option<usize> {
    let tail = text.get(pos..)?;
    ENCODED_MAJOR
        .iter()
        .filter(|enc| {
            tail.len() >= enc.len() && tail[..enc.len()].eq_ignore_ascii_case(enc.as_bytes())
        })
        .map(|enc| enc.len())
        .max()
}

/// Whether an URL-encoded major breaker ends right before `pos` of `text`.
pub fn encoded_major_ends_at(text: &[u8], pos: usize) -> bool {
    let head = &text[..pos.min(text.len())];
    ENCODED_MAJOR.iter().any(|enc| {
        head.len() >= enc.len()
            && head[head.len() - enc.len()..].eq_ignore_ascii_case(enc.as_bytes())
    })
}

/// Whether `TERM(text)` can match any event: not when the text is empty or holds a major
/// breaker other than the wildcard `*`, single-character or URL-encoded, since one major
/// segment never holds one.
pub fn term_can_match(text: &str) -> bool {
    let bytes = text.as_bytes();
    !text.is_empty()
        && !bytes.iter().any(|&b| b != b'*' && is_major(b))
        && !(0..bytes.len()).any(|pos| encoded_major_len_at(bytes, pos).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_classes() {
        for b in *b"[]<>(){}|!;,'\"*\n\r \t&?+" {
            assert!(is_major(b) && !is_minor(b), "{:?}", b as char);
        }
        for b in *b"/:=@.-$#%\\_" {
            assert!(is_minor(b) && !is_major(b), "{:?}", b as char);
        }
        for b in *b"aZ09~^`" {
            assert!(!is_breaker(b), "{:?}", b as char);
        }
    }

    #[test]
    fn encoded_breakers_ignore_case_and_prefer_the_longest() {
        assert_eq!(encoded_major_len_at(b"a%2C", 1), Some(3));
        assert_eq!(encoded_major_len_at(b"%2520x", 0), Some(5));
        assert_eq!(encoded_major_len_at(b"%2", 0), None);
        assert!(encoded_major_ends_at(b"x%3Bdir", 4));
        assert!(!encoded_major_ends_at(b"x%3Bdir", 3));
    }

    #[test]
    fn term_text_with_breakers() {
        assert!(term_can_match("EventCode=4104"));
        assert!(term_can_match("*.exe"));
        assert!(term_can_match("--dns"));
        assert!(!term_can_match(""));
        assert!(!term_can_match("BEGIN RSA"));
        assert!(!term_can_match("a,b"));
        assert!(!term_can_match("cmd%20/c"));
        assert!(!term_can_match("x%2Cy"));
    }
}
