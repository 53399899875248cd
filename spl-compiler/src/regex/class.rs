//! Character sets: PCRE's fixed classes (ASCII without UCP), case folding, and printing
//! sets and literals in `regex-syntax` syntax.

use std::fmt::Write as _;

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, HirKind};

/// A set made of inclusive character ranges.
pub(crate) fn ranges(rs: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(rs.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

/// The complement of a set (over all Unicode scalar values).
pub(crate) fn negated(mut set: ClassUnicode) -> ClassUnicode {
    set.negate();
    set
}

/// `\d` without UCP.
pub(crate) fn digit() -> ClassUnicode {
    ranges(&[('0', '9')])
}

/// `\w` without UCP.
pub(crate) fn word() -> ClassUnicode {
    ranges(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')])
}

/// `\s` without UCP: tab, newline, vertical tab, form feed, carriage return, space.
pub(crate) fn space() -> ClassUnicode {
    ranges(&[('\t', '\r'), (' ', ' ')])
}

/// `\h`: horizontal white space (PCRE matches these code points in UTF mode).
pub(crate) fn horizontal_space() -> ClassUnicode {
    ranges(&[
        ('\t', '\t'),
        (' ', ' '),
        ('\u{A0}', '\u{A0}'),
        ('\u{1680}', '\u{1680}'),
        ('\u{180E}', '\u{180E}'),
        ('\u{2000}', '\u{200A}'),
        ('\u{202F}', '\u{202F}'),
        ('\u{205F}', '\u{205F}'),
        ('\u{3000}', '\u{3000}'),
    ])
}

/// `\v`: vertical white space (PCRE matches these code points in UTF mode).
pub(crate) fn vertical_space() -> ClassUnicode {
    ranges(&[('\n', '\r'), ('\u{85}', '\u{85}'), ('\u{2028}', '\u{2029}')])
}

/// A POSIX class by name (ASCII, as PCRE without UCP), or `None` for an unknown name.
/// Under `caseless`, `upper` and `lower` mean `alpha`, as in PCRE.
pub(crate) fn posix(name: &str, caseless: bool) -> Option<ClassUnicode> {
    let set = match name {
        "alnum" => ranges(&[('0', '9'), ('A', 'Z'), ('a', 'z')]),
        "alpha" => ranges(&[('A', 'Z'), ('a', 'z')]),
        "ascii" => ranges(&[('\0', '\x7F')]),
        "blank" => ranges(&[('\t', '\t'), (' ', ' ')]),
        "cntrl" => ranges(&[('\0', '\x1F'), ('\x7F', '\x7F')]),
        "digit" => digit(),
        "graph" => ranges(&[('!', '~')]),
        "lower" if caseless => ranges(&[('A', 'Z'), ('a', 'z')]),
        "lower" => ranges(&[('a', 'z')]),
        "print" => ranges(&[(' ', '~')]),
        "punct" => ranges(&[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')]),
        "space" => space(),
        "upper" if caseless => ranges(&[('A', 'Z'), ('a', 'z')]),
        "upper" => ranges(&[('A', 'Z')]),
        "word" => word(),
        "xdigit" => ranges(&[('0', '9'), ('A', 'F'), ('a', 'f')]),
        _ => return None,
    };
    Some(set)
}

/// A Unicode property (`\p{name}`) as `regex-syntax` knows it, or `None` if unknown.
pub(crate) fn unicode_property(name: &str) -> Option<ClassUnicode> {
    let mut parser = regex_syntax::ParserBuilder::new().build();
    let hir = parser.parse(&format!(r"\p{{{name}}}")).ok()?;
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(set)) => Some(set),
        _ => None,
    }
}

/// The set with every character's simple case variants added (what Rust's and PCRE2's
/// caseless matching use). `None` only if the crate's case tables are unavailable.
pub(crate) fn case_folded(mut set: ClassUnicode) -> Option<ClassUnicode> {
    set.try_case_fold_simple().ok()?;
    Some(set)
}

/// True when case folding does not change the set (so a `(?i)` around it is harmless).
///
/// Case variants form classes of characters, so a set is closed under them exactly when
/// its complement is: the smaller of the two is checked (folding `\S` or `[^"]` range
/// by range costs a hundred times more than folding the few characters they leave out).
pub(crate) fn is_fold_closed(set: &ClassUnicode) -> bool {
    let size: u64 = set
        .ranges()
        .iter()
        .map(|r| u64::from(r.end()) - u64::from(r.start()) + 1)
        .sum();
    // Half of the code points (surrogates are not characters, so the half is rough).
    let closed = |s: &ClassUnicode| case_folded(s.clone()).is_some_and(|folded| folded == *s);
    if size > 0x8_8000 {
        closed(&negated(set.clone()))
    } else {
        closed(set)
    }
}

/// True when the character has case variants (so `(?i)` changes what it matches).
pub(crate) fn is_cased(ch: char) -> bool {
    !is_fold_closed(&ranges(&[(ch, ch)]))
}

/// Writes one character so that `regex-syntax` reads it as that literal character, both
/// inside and outside a bracket class (and with or without `x` mode).
pub(crate) fn push_char(out: &mut String, ch: char) {
    match ch {
        '\n' => out.push_str(r"\n"),
        '\t' => out.push_str(r"\t"),
        '\r' => out.push_str(r"\r"),
        _ if regex_syntax::is_meta_character(ch) => {
            out.push('\\');
            out.push(ch);
        }
        // Printed as is: ASCII text, and letters and digits of other scripts, except the two
        // that case-fold to ASCII letters (long s, Kelvin sign), which would read as `s`, `K`.
        '\u{17F}' | '\u{212A}' => {
            let _ = write!(out, r"\x{{{:X}}}", u32::from(ch));
        }
        _ if ch == ' ' || ch.is_ascii_graphic() || (!ch.is_ascii() && ch.is_alphanumeric()) => {
            out.push(ch)
        }
        _ => {
            // `write!` to a String cannot fail.
            let _ = write!(out, r"\x{{{:X}}}", u32::from(ch));
        }
    }
}

/// Writes a bracket class matching exactly `set`, in whichever of the plain and the negated
/// form is shorter.
pub(crate) fn push_set(out: &mut String, set: &ClassUnicode) {
    let complement = negated(set.clone());
    let (negate, body) = if set.ranges().is_empty() {
        (true, &complement)
    } else if complement.ranges().is_empty() || set.ranges().len() <= complement.ranges().len() {
        (false, set)
    } else {
        (true, &complement)
    };
    out.push('[');
    if negate {
        out.push('^');
    }
    for r in body.ranges() {
        push_char(out, r.start());
        if r.end() != r.start() {
            if u32::from(r.end()) - u32::from(r.start()) > 1 {
                out.push('-');
            }
            push_char(out, r.end());
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(set: &ClassUnicode) -> String {
        let mut s = String::new();
        push_set(&mut s, set);
        s
    }

    #[test]
    fn prints_sets_compactly() {
        assert_eq!(printed(&word()), "[0-9A-Z_a-z]");
        assert_eq!(printed(&negated(space())), r"[^\t-\r ]");
        assert_eq!(printed(&ranges(&[('a', 'b')])), "[ab]");
        assert_eq!(printed(&ranges(&[('-', '-'), ('[', ']')])), r"[\-\[-\]]");
        assert_eq!(printed(&ClassUnicode::empty()), r"[^\x{0}-\x{10FFFF}]");
        assert_eq!(
            printed(&ranges(&[('Ѐ', 'ӿ'), ('…', '…')])),
            r"[Ѐ-ӿ\x{2026}]"
        );
    }

    #[test]
    fn knows_cased_characters() {
        assert!(is_cased('a'));
        assert!(is_cased('\u{212A}'));
        assert!(!is_cased('1'));
        assert!(!is_cased('_'));
        assert!(is_fold_closed(&space()));
        assert!(!is_fold_closed(&word()));
    }

    #[test]
    fn large_sets_are_checked_by_their_complement_with_the_same_answer() {
        let direct = |s: &ClassUnicode| case_folded(s.clone()).is_some_and(|f| f == *s);
        for set in [
            negated(space()),
            negated(ranges(&[('"', '"')])),
            negated(ranges(&[('a', 'z')])),
            negated(ranges(&[('a', 'z'), ('A', 'Z')])),
            negated(ranges(&[('k', 'k'), ('K', 'K'), ('\u{212A}', '\u{212A}')])),
            negated(word()),
            ranges(&[('\0', '\u{10FFFF}')]),
        ] {
            assert_eq!(is_fold_closed(&set), direct(&set), "{set:?}");
        }
        assert!(!is_fold_closed(&negated(ranges(&[('a', 'z')]))));
    }
}
