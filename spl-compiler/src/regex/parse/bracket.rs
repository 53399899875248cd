//! Bracket classes `[...]`: items, ranges, POSIX classes, quoting, case folding.

use regex_syntax::hir::ClassUnicode;

use super::{err, ClassItem, Parser, SetKind};
use crate::regex::class;
use crate::regex::RegexError;

fn missing_bracket<T>(open: usize) -> Result<T, RegexError> {
    err(open, open + 1, "missing `]` for the class opened here")
}

impl Parser<'_> {
    /// A POSIX item at `[` (offset `at`): `Some(set)` for `[:name:]`, `None` when the text
    /// is not POSIX syntax (then `[` is a literal). `[.x.]` and `[=x=]` are errors.
    fn posix_at(&self, at: usize) -> Result<Option<(ClassUnicode, SetKind, usize)>, RegexError> {
        let text = self.src.get(at..).unwrap_or("");
        let mut chars = text.char_indices().skip(1);
        let Some((_, terminator)) = chars.next() else {
            return Ok(None);
        };
        if !matches!(terminator, ':' | '.' | '=') {
            return Ok(None);
        }
        let bytes = text.as_bytes();
        let t = terminator as u8;
        let mut i = 2;
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            if b == b'\\' && matches!(next, Some(b']' | b'\\')) {
                i += 2;
                continue;
            }
            if (b == b'[' && next == Some(t)) || b == b']' {
                return Ok(None);
            }
            if b == t && next == Some(b']') {
                let end = at + i + 2;
                if terminator != ':' {
                    return err(at, end, "POSIX collating elements are not supported");
                }
                let name = text.get(2..i).unwrap_or("");
                let (negate, name) = match name.strip_prefix('^') {
                    Some(n) => (true, n),
                    None => (false, name),
                };
                let Some(set) = class::posix(name, self.flags.caseless) else {
                    return err(at, end, format!("unknown POSIX class `[:{name}:]`"));
                };
                let set = if negate { class::negated(set) } else { set };
                let kind = SetKind {
                    negated: negate,
                    posix_or_property: true,
                };
                return Ok(Some((set, kind, end)));
            }
            i += 1;
        }
        Ok(None)
    }

    /// A bracket class; `start` is the offset of `[`, already read.
    pub(super) fn class(&mut self, start: usize) -> Result<ClassUnicode, RegexError> {
        if let Some((_, _, end)) = self.posix_at(start)? {
            return err(
                start,
                end,
                "a POSIX class like `[:alpha:]` must be inside `[...]`",
            );
        }
        let negate = self.eat("^");
        let mut set = ClassUnicode::empty();
        let mut quoted = false;
        let mut first = true;
        // Items that are negated sets, that are POSIX classes or properties, and both.
        let (mut negated, mut posix, mut both) = (0, 0, 0);
        loop {
            let item_start = self.pos;
            let item = self.class_item(start, &mut quoted, first)?;
            first = false;
            match item {
                ClassItem::End => break,
                ClassItem::Set(s, kind) => {
                    set.union(&s);
                    negated += usize::from(kind.negated);
                    posix += usize::from(kind.posix_or_property);
                    both += usize::from(kind.negated && kind.posix_or_property);
                    if !quoted && self.peek() == Some('-') && !matches!(self.peek2(), Some(']')) {
                        return err(
                            item_start,
                            self.pos + 1,
                            "`-` after a class like `\\d` is read differently by PCRE \
                             versions; escape it as `\\-`",
                        );
                    }
                }
                ClassItem::Char(lo) => {
                    let is_range = !quoted
                        && self.peek() == Some('-')
                        && self.peek2().is_some_and(|c| c != ']');
                    if !is_range {
                        self.add_chars(&mut set, lo, lo)?;
                        continue;
                    }
                    self.bump();
                    match self.class_item(start, &mut quoted, false)? {
                        ClassItem::Char(hi) if hi >= lo => self.add_chars(&mut set, lo, hi)?,
                        ClassItem::Char(_) => {
                            return err(item_start, self.pos, "character range is out of order")
                        }
                        ClassItem::Set(..) => {
                            return err(item_start, self.pos, "a range cannot end in a class")
                        }
                        ClassItem::End => {
                            self.add_chars(&mut set, lo, lo)?;
                            self.add_chars(&mut set, '-', '-')?;
                            break;
                        }
                    }
                }
            }
        }
        // PCRE2 10.42 gets such classes wrong for characters above U+00FF (`[\W[:digit:]]`
        // does not match U+0100), so what they mean in Splunk depends on its PCRE version.
        if negated > 0 && posix > 0 && !(negated == 1 && posix == 1 && both == 1) {
            return err(
                start,
                self.pos,
                "a class that mixes `\\D`, `\\S`, `\\W` or `[:^name:]` with a POSIX class or \
                 `\\p{..}` means different things in different PCRE versions; split it into \
                 alternatives",
            );
        }
        Ok(if negate { class::negated(set) } else { set })
    }

    fn add_chars(&self, set: &mut ClassUnicode, lo: char, hi: char) -> Result<(), RegexError> {
        let mut part = class::ranges(&[(lo, hi)]);
        if self.flags.caseless {
            match class::case_folded(part) {
                Some(folded) => part = folded,
                None => return err(0, self.src.len(), "Unicode case tables are unavailable"),
            }
        }
        set.union(&part);
        Ok(())
    }

    /// The next item of a class opened at `open`.
    fn class_item(
        &mut self,
        open: usize,
        quoted: &mut bool,
        first: bool,
    ) -> Result<ClassItem, RegexError> {
        loop {
            if *quoted {
                if self.eat(r"\E") {
                    *quoted = false;
                    self.check_hyphen_after_quote()?;
                    continue;
                }
                return match self.bump() {
                    Some(c) => Ok(ClassItem::Char(c)),
                    None => missing_bracket(open),
                };
            }
            if self.flags.extended_more {
                while matches!(self.peek(), Some(' ' | '\t')) {
                    self.bump();
                }
            }
            let at = self.pos;
            let Some(c) = self.bump() else {
                return missing_bracket(open);
            };
            match c {
                ']' if !first => return Ok(ClassItem::End),
                '[' => match self.posix_at(at)? {
                    Some((set, kind, end)) => {
                        self.pos = end;
                        return Ok(ClassItem::Set(set, kind));
                    }
                    None => return Ok(ClassItem::Char('[')),
                },
                '\\' => {
                    let Some(e) = self.bump() else {
                        return missing_bracket(open);
                    };
                    match e {
                        'Q' => *quoted = true,
                        'E' => self.check_hyphen_after_quote()?,
                        _ => return self.class_escape(at, e),
                    }
                }
                _ => return Ok(ClassItem::Char(c)),
            }
        }
    }

    /// A `-` right after `\E` in a class: PCRE versions disagree whether it makes a range.
    fn check_hyphen_after_quote(&self) -> Result<(), RegexError> {
        if self.peek() == Some('-') && !matches!(self.peek2(), Some(']')) {
            return err(
                self.pos,
                self.pos + 1,
                "`-` right after `\\E` in a class is ambiguous; escape it as `\\-`",
            );
        }
        Ok(())
    }

    /// An escape inside a class; `start` is the offset of the backslash, `c` the character
    /// after it (already read).
    fn class_escape(&mut self, start: usize, c: char) -> Result<ClassItem, RegexError> {
        match c {
            'b' => Ok(ClassItem::Char('\x08')),
            '1'..='7' => {
                let first = c.to_digit(8).unwrap_or(0);
                Ok(ClassItem::Char(self.octal_digits(start, first, 2)?))
            }
            '8' | '9' => Ok(ClassItem::Char(c)),
            'p' | 'P' => Ok(ClassItem::Set(
                self.property(start, c == 'P')?.set,
                SetKind::PROPERTY,
            )),
            'B' | 'N' | 'A' | 'z' | 'Z' | 'g' | 'k' => err(
                start,
                self.pos,
                format!("the escape `\\{c}` is not allowed in a character class"),
            ),
            _ => match self.shared_escape(start, c)? {
                Some(item) => Ok(item),
                None => self.unknown_escape(start, c),
            },
        }
    }
}
