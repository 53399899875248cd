//! PCRE pattern text → [`Node`] tree, applying flags as it goes.
//!
//! The parser is iterative (an explicit stack of open groups), so no input can exhaust the
//! call stack, and it never panics: every malformed or unsupported construct is a
//! [`RegexError`] with its byte span.

use regex_syntax::hir::ClassUnicode;
use spl_grammar::Span;

use super::ast::{Assertion, Capture, Class, Look, Node, NodeKind};
use super::class;
use super::RegexError;

mod bracket;

/// PCRE's default limit on nested parentheses.
const MAX_DEPTH: usize = 250;
/// PCRE's largest repetition count.
const MAX_REPEAT: u32 = 65535;

/// A parsed pattern.
pub(crate) struct Parsed {
    pub root: Node,
    /// Named groups in order of their opening parenthesis.
    pub names: Vec<String>,
}

/// Parses a PCRE pattern.
pub(crate) fn parse(pattern: &str) -> Result<Parsed, RegexError> {
    let mut parser = Parser {
        src: pattern,
        pos: 0,
        flags: Flags::default(),
        cur: Frame::new(FrameKind::Root, 0, Flags::default()),
        parents: Vec::new(),
        names: Vec::new(),
    };
    let root = parser.run()?;
    Ok(Parsed {
        root,
        names: parser.names,
    })
}

/// PCRE options in force at a point of the pattern.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    caseless: bool,
    multiline: bool,
    dotall: bool,
    extended: bool,
    extended_more: bool,
    no_auto_capture: bool,
    ungreedy: bool,
}

enum FrameKind {
    Root,
    Group(Option<Capture>),
    LookAround(Look),
}

/// A group being read.
struct Frame {
    kind: FrameKind,
    /// Offset of the group's `(`.
    start: usize,
    /// The flags to restore when the group closes.
    saved: Flags,
    branches: Vec<Node>,
    concat: Vec<Node>,
    /// Whether a quantifier may follow the last item of `concat`.
    can_repeat: bool,
}

impl Frame {
    fn new(kind: FrameKind, start: usize, saved: Flags) -> Frame {
        Frame {
            kind,
            start,
            saved,
            branches: Vec::new(),
            concat: Vec::new(),
            can_repeat: false,
        }
    }

    /// The group's content: its alternatives, or its one sequence.
    fn into_body(mut self, end: usize) -> Node {
        let last = sequence(std::mem::take(&mut self.concat), end);
        if self.branches.is_empty() {
            return last;
        }
        let start = self
            .branches
            .first()
            .map_or(last.span.start, |b| b.span.start);
        self.branches.push(last);
        Node::new(NodeKind::Alternation(self.branches), Span::new(start, end))
    }
}

/// A sequence of items as one node.
fn sequence(mut items: Vec<Node>, at: usize) -> Node {
    match items.len() {
        0 => Node::new(NodeKind::Empty, Span::point(at)),
        1 => items
            .pop()
            .unwrap_or_else(|| Node::new(NodeKind::Empty, Span::point(at))),
        _ => {
            let start = items.first().map_or(at, |n| n.span.start);
            let end = items.last().map_or(at, |n| n.span.end);
            Node::new(NodeKind::Concat(items), Span::new(start, end))
        }
    }
}

/// One item of a bracket class.
enum ClassItem {
    /// The closing `]`.
    End,
    Char(char),
    Set(ClassUnicode, SetKind),
}

/// What kind of set a class item is: PCRE versions disagree on classes that mix them.
#[derive(Clone, Copy)]
struct SetKind {
    /// `\D`, `\S`, `\W` or `[:^name:]`.
    negated: bool,
    /// A POSIX class or a Unicode property.
    posix_or_property: bool,
}

impl SetKind {
    const PLAIN: SetKind = SetKind {
        negated: false,
        posix_or_property: false,
    };
    const NEGATED: SetKind = SetKind {
        negated: true,
        posix_or_property: false,
    };
    const PROPERTY: SetKind = SetKind {
        negated: false,
        posix_or_property: true,
    };
}

/// What an escape outside a class stands for.
enum Escape {
    Char(char),
    Set(Class),
    Assert(Assertion),
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    flags: Flags,
    cur: Frame,
    parents: Vec<Frame>,
    names: Vec<String>,
}

fn err<T>(start: usize, end: usize, message: impl Into<String>) -> Result<T, RegexError> {
    Err(RegexError::new(Span::new(start, end.max(start)), message))
}

/// PCRE's pattern white space, skipped in `(?x)` mode.
fn is_pattern_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r' | ' ' | '\u{85}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
    )
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// The end of the character starting at `at` (for one-character error spans).
    fn char_end(&self, at: usize) -> usize {
        at + self
            .src
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8)
    }

    fn push(&mut self, kind: NodeKind, start: usize, repeatable: bool) {
        self.cur
            .concat
            .push(Node::new(kind, Span::new(start, self.pos)));
        self.cur.can_repeat = repeatable;
    }

    fn literal(&mut self, ch: char, start: usize) {
        let caseless = self.flags.caseless;
        self.push(NodeKind::Literal { ch, caseless }, start, true);
    }

    fn run(&mut self) -> Result<Node, RegexError> {
        loop {
            if self.flags.extended {
                self.skip_extended();
            }
            let start = self.pos;
            let Some(c) = self.bump() else { break };
            match c {
                '(' => self.open_group(start)?,
                ')' => self.close_group(start)?,
                '|' => {
                    let items = std::mem::take(&mut self.cur.concat);
                    self.cur.branches.push(sequence(items, start));
                    self.cur.can_repeat = false;
                }
                '*' => self.repeat(start, 0, None)?,
                '+' => self.repeat(start, 1, None)?,
                '?' => self.repeat(start, 0, Some(1))?,
                '{' => match self.counted_repetition(start)? {
                    Some((min, max)) => self.repeat(start, min, max)?,
                    None => self.literal('{', start),
                },
                '[' => {
                    let set = self.class(start)?;
                    self.push(NodeKind::Class(Class { set, rust: None }), start, true);
                }
                '.' => {
                    let dotall = self.flags.dotall;
                    self.push(NodeKind::Dot { dotall }, start, true);
                }
                '^' => {
                    let a = if self.flags.multiline {
                        Assertion::LineStart
                    } else {
                        Assertion::StartText { backslash_a: false }
                    };
                    self.push(NodeKind::Assert(a), start, false);
                }
                '$' => {
                    let a = if self.flags.multiline {
                        Assertion::LineEnd
                    } else {
                        Assertion::EndTextOrFinalNewline
                    };
                    self.push(NodeKind::Assert(a), start, false);
                }
                '\\' => self.escape(start)?,
                _ => self.literal(c, start),
            }
        }
        if let Some(parent) = self.parents.pop() {
            let open = std::mem::replace(&mut self.cur, parent);
            return err(
                open.start,
                open.start + 1,
                "missing `)` for the group opened here",
            );
        }
        let root = std::mem::replace(&mut self.cur, Frame::new(FrameKind::Root, 0, self.flags));
        Ok(root.into_body(self.pos))
    }

    /// Skips white space and `#` comments in `(?x)` mode.
    fn skip_extended(&mut self) {
        while let Some(c) = self.peek() {
            if is_pattern_space(c) {
                self.bump();
            } else if c == '#' {
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    // ----- groups -----

    fn open_group(&mut self, start: usize) -> Result<(), RegexError> {
        if self.parents.len() >= MAX_DEPTH {
            return err(
                start,
                start + 1,
                "groups are nested too deeply (more than 250)",
            );
        }
        if self.peek() == Some('*') {
            return err(
                start,
                start + 2,
                "`(*...)` verbs and option settings are not supported",
            );
        }
        if !self.eat("?") {
            let capture = (!self.flags.no_auto_capture).then_some(Capture { name: None });
            self.push_frame(FrameKind::Group(capture), start, self.flags);
            return Ok(());
        }
        let unsupported = |what: &str, len: usize| -> Result<(), RegexError> {
            err(
                start,
                start + len,
                format!("{what} is not supported by splc's regex engine"),
            )
        };
        match self.peek() {
            Some('#') => {
                let Some(close) = self.rest().find(')') else {
                    return err(start, start + 3, "missing `)` to end the comment `(?#`");
                };
                self.pos += close + 1;
                Ok(())
            }
            Some(':') => {
                self.bump();
                self.push_frame(FrameKind::Group(None), start, self.flags);
                Ok(())
            }
            Some('=' | '!') => {
                let negative = self.bump() == Some('!');
                let look = Look {
                    behind: false,
                    negative,
                };
                self.push_frame(FrameKind::LookAround(look), start, self.flags);
                Ok(())
            }
            Some('>') => unsupported("an atomic group `(?>`", 3),
            Some('|') => unsupported("a branch-reset group `(?|`", 3),
            Some('(') => unsupported("a conditional group `(?(`", 3),
            Some('&') => unsupported("a subroutine call `(?&`", 3),
            Some('C') => unsupported("a callout `(?C`", 3),
            Some('*') => unsupported("non-atomic lookahead `(?*`", 3),
            Some('~') => unsupported("an absent-operator group `(?~`", 3),
            Some('R' | '0'..='9' | '+') => unsupported("recursion or a subroutine call", 3),
            Some('-') if self.peek2().is_some_and(|c| c.is_ascii_digit()) => {
                unsupported("a subroutine call", 4)
            }
            Some('<') => {
                if self.rest().starts_with("<=") || self.rest().starts_with("<!") {
                    let negative = self.rest().starts_with("<!");
                    self.pos += 2;
                    let look = Look {
                        behind: true,
                        negative,
                    };
                    self.push_frame(FrameKind::LookAround(look), start, self.flags);
                    Ok(())
                } else {
                    self.bump();
                    self.named_group(start, '>')
                }
            }
            Some('\'') => {
                self.bump();
                self.named_group(start, '\'')
            }
            Some('P') => {
                if self.eat("P<") {
                    self.named_group(start, '>')
                } else if self.rest().starts_with("P=") {
                    unsupported("a backreference `(?P=`", 4)
                } else if self.rest().starts_with("P>") {
                    unsupported("a subroutine call `(?P>`", 4)
                } else {
                    err(start, start + 3, "unknown group syntax `(?P`")
                }
            }
            _ => self.flag_group(start),
        }
    }

    fn push_frame(&mut self, kind: FrameKind, start: usize, saved: Flags) {
        let frame = Frame::new(kind, start, saved);
        let parent = std::mem::replace(&mut self.cur, frame);
        self.parents.push(parent);
    }

    fn named_group(&mut self, start: usize, terminator: char) -> Result<(), RegexError> {
        let name_start = self.pos;
        let Some(len) = self.rest().find(terminator) else {
            return err(start, self.pos, "missing the end of a group name");
        };
        let name = self.rest().get(..len).unwrap_or("").to_string();
        self.pos += len + terminator.len_utf8();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return err(
                name_start,
                name_start + len,
                format!(
                    "invalid group name `{name}`: a name is a letter or `_` followed by \
                     letters, digits or `_`"
                ),
            );
        }
        if self.names.contains(&name) {
            return err(
                name_start,
                name_start + len,
                format!("the group name `{name}` is used twice"),
            );
        }
        self.names.push(name.clone());
        self.push_frame(
            FrameKind::Group(Some(Capture { name: Some(name) })),
            start,
            self.flags,
        );
        Ok(())
    }

    /// `(?imnsxJU-imnsx)` or `(?imnsx-imnsx:...)`; also `(?^...)`.
    fn flag_group(&mut self, start: usize) -> Result<(), RegexError> {
        let old = self.flags;
        let mut flags = old;
        let mut negate = false;
        let mut previous = None;
        loop {
            let at = self.pos;
            let Some(c) = self.bump() else {
                return err(start, self.pos, "missing `)` after the group's flags");
            };
            match c {
                // `(?)` changes nothing (PCRE2 accepts it); `(?:` never gets here.
                ')' | ':' => {
                    if c == ')' {
                        self.flags = flags;
                        self.cur.can_repeat = false;
                    } else {
                        self.push_frame(FrameKind::Group(None), start, old);
                        self.flags = flags;
                    }
                    return Ok(());
                }
                '^' if at == start + 2 => {
                    flags.caseless = false;
                    flags.multiline = false;
                    flags.dotall = false;
                    flags.extended = false;
                    flags.extended_more = false;
                    flags.no_auto_capture = false;
                }
                '-' if !negate => negate = true,
                'i' => flags.caseless = !negate,
                'm' => flags.multiline = !negate,
                's' => flags.dotall = !negate,
                'n' => flags.no_auto_capture = !negate,
                'U' => flags.ungreedy = !negate,
                // Duplicate names stay an error; the flag itself changes nothing else.
                'J' => {}
                'x' => {
                    flags.extended_more = !negate && previous == Some('x');
                    flags.extended = !negate;
                }
                _ => {
                    let end = self.char_end(at);
                    return err(start, end, format!("unknown group syntax or flag `{c}`"));
                }
            }
            previous = Some(c);
        }
    }

    fn close_group(&mut self, start: usize) -> Result<(), RegexError> {
        let Some(parent) = self.parents.pop() else {
            return err(start, start + 1, "unmatched `)`");
        };
        let mut frame = std::mem::replace(&mut self.cur, parent);
        self.flags = frame.saved;
        let open = frame.start;
        let frame_kind = std::mem::replace(&mut frame.kind, FrameKind::Root);
        let body = Box::new(frame.into_body(start));
        let (kind, repeatable) = match frame_kind {
            FrameKind::LookAround(look) => (NodeKind::LookAround { look, child: body }, false),
            FrameKind::Group(capture) => (
                NodeKind::Group {
                    capture,
                    child: body,
                },
                true,
            ),
            FrameKind::Root => (
                NodeKind::Group {
                    capture: None,
                    child: body,
                },
                true,
            ),
        };
        self.push(kind, open, repeatable);
        Ok(())
    }

    // ----- quantifiers -----

    fn repeat(&mut self, start: usize, min: u32, max: Option<u32>) -> Result<(), RegexError> {
        let mut lazy = false;
        match self.peek() {
            Some('?') => {
                self.bump();
                lazy = true;
            }
            Some('+') => {
                return err(
                    start,
                    self.pos + 1,
                    "a possessive quantifier is not supported by splc's regex engine",
                );
            }
            _ => {}
        }
        if self.flags.extended && !lazy {
            let here = self.pos;
            self.skip_extended();
            let spaced = self.pos != here;
            let next = self.peek();
            self.pos = here;
            if spaced && matches!(next, Some('?' | '+')) {
                return err(
                    start,
                    here,
                    "in `(?x)` mode, space between a quantifier and `?` or `+` is read \
                     differently by PCRE versions",
                );
            }
        }
        if !self.cur.can_repeat {
            return err(
                start,
                self.pos,
                "quantifier does not follow a repeatable item",
            );
        }
        let Some(child) = self.cur.concat.pop() else {
            return err(
                start,
                self.pos,
                "quantifier does not follow a repeatable item",
            );
        };
        let greedy = lazy == self.flags.ungreedy;
        let span = Span::new(child.span.start, self.pos);
        let kind = NodeKind::Repeat {
            child: Box::new(child),
            min,
            max,
            greedy,
        };
        self.cur.concat.push(Node::new(kind, span));
        self.cur.can_repeat = false;
        Ok(())
    }

    /// After `{`: `{n}`, `{n,}` or `{n,m}` is a quantifier; forms that PCRE versions read
    /// differently (`{,m}`, spaces) are errors; anything else is a literal `{`.
    fn counted_repetition(
        &mut self,
        start: usize,
    ) -> Result<Option<(u32, Option<u32>)>, RegexError> {
        let rest = self.rest();
        let Some(close) = rest.find('}') else {
            return Ok(None);
        };
        let body = rest.get(..close).unwrap_or("");
        let looks_numeric = !body.is_empty()
            && body.chars().any(|c| c.is_ascii_digit())
            && body
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == ' ' || c == '\t')
            && body.matches(',').count() <= 1;
        if !looks_numeric {
            return Ok(None);
        }
        let end = self.pos + close + 1;
        let (lo, hi) = match body.split_once(',') {
            Some((lo, hi)) => (lo, Some(hi)),
            None => (body, None),
        };
        let strict = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !strict(lo) || hi.is_some_and(|h| !h.is_empty() && !strict(h)) {
            return err(
                start,
                end,
                "this repetition is read differently by PCRE versions; write `{n}`, `{n,}` or \
                 `{n,m}` without spaces",
            );
        }
        let number = |s: &str| -> Result<u32, RegexError> {
            match s.parse::<u32>() {
                Ok(n) if n <= MAX_REPEAT => Ok(n),
                _ => err(start, end, "repetition count is larger than 65535"),
            }
        };
        let min = number(lo)?;
        let max = match hi {
            None => Some(min),
            Some("") => None,
            Some(h) => Some(number(h)?),
        };
        if max.is_some_and(|m| m < min) {
            return err(start, end, "repetition range is out of order");
        }
        self.pos = end;
        Ok(Some((min, max)))
    }

    // ----- escapes -----

    fn escape(&mut self, start: usize) -> Result<(), RegexError> {
        let Some(c) = self.bump() else {
            return err(start, start + 1, "the pattern ends with a lone `\\`");
        };
        match c {
            'Q' => {
                while !self.eat(r"\E") {
                    let at = self.pos;
                    let Some(ch) = self.bump() else { break };
                    self.literal(ch, at);
                }
                Ok(())
            }
            'E' => Ok(()),
            _ => match self.escape_outside_class(start, c)? {
                Escape::Char(ch) => {
                    self.literal(ch, start);
                    Ok(())
                }
                Escape::Set(set) => {
                    self.push(NodeKind::Class(set), start, true);
                    Ok(())
                }
                Escape::Assert(a) => {
                    self.push(NodeKind::Assert(a), start, false);
                    Ok(())
                }
            },
        }
    }

    fn escape_outside_class(&mut self, start: usize, c: char) -> Result<Escape, RegexError> {
        let set = |set: ClassUnicode| Ok(Escape::Set(Class { set, rust: None }));
        match c {
            'b' => Ok(Escape::Assert(Assertion::WordBoundary)),
            'B' => Ok(Escape::Assert(Assertion::NotWordBoundary)),
            'A' => Ok(Escape::Assert(Assertion::StartText { backslash_a: true })),
            'z' => Ok(Escape::Assert(Assertion::EndText)),
            'Z' => Ok(Escape::Assert(Assertion::EndTextOrFinalNewline)),
            // `\N{3}` repeats `\N`; `\N{U+41}` names a character (not supported).
            'N' if self.peek() == Some('{')
                && !self
                    .rest()
                    .get(1..)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())) =>
            {
                self.unsupported_escape(start, "`\\N{...}`")
            }
            'N' => set(class::negated(class::ranges(&[('\n', '\n')]))),
            // `\C` matches one code unit (a byte of UTF-8). Where an ASCII letter or digit
            // follows, that byte must have been a whole ASCII character (a byte of a longer
            // character is followed by another of its bytes), so `\C` is exactly "one ASCII
            // character", newline included. Anywhere else it could split a character,
            // which PCRE leaves undefined.
            'C' if self.peek().is_some_and(|n| n.is_ascii_alphanumeric()) => {
                set(class::ranges(&[('\0', '\x7f')]))
            }
            'p' | 'P' => Ok(Escape::Set(self.property(start, c == 'P')?)),
            '1'..='9' => self.unsupported_escape(start, "a backreference"),
            'g' | 'k' => self.unsupported_escape(start, "a backreference or subroutine call"),
            _ => match self.shared_escape(start, c)? {
                Some(ClassItem::Char(ch)) => Ok(Escape::Char(ch)),
                Some(ClassItem::Set(s, _)) => set(s),
                Some(ClassItem::End) | None => self.unknown_escape(start, c),
            },
        }
    }

    fn unsupported_escape<T>(&self, start: usize, what: &str) -> Result<T, RegexError> {
        err(
            start,
            self.pos,
            format!("{what} is not supported by splc's regex engine"),
        )
    }

    fn unknown_escape<T>(&self, start: usize, c: char) -> Result<T, RegexError> {
        err(start, self.pos, format!("unknown escape `\\{c}`"))
    }

    /// Escapes with the same meaning inside and outside a class. `None`: not one of them.
    fn shared_escape(&mut self, start: usize, c: char) -> Result<Option<ClassItem>, RegexError> {
        let item = match c {
            'd' => ClassItem::Set(class::digit(), SetKind::PLAIN),
            'D' => ClassItem::Set(class::negated(class::digit()), SetKind::NEGATED),
            'w' => ClassItem::Set(class::word(), SetKind::PLAIN),
            'W' => ClassItem::Set(class::negated(class::word()), SetKind::NEGATED),
            's' => ClassItem::Set(class::space(), SetKind::PLAIN),
            'S' => ClassItem::Set(class::negated(class::space()), SetKind::NEGATED),
            'h' => ClassItem::Set(class::horizontal_space(), SetKind::PLAIN),
            'H' => ClassItem::Set(class::negated(class::horizontal_space()), SetKind::PLAIN),
            'v' => ClassItem::Set(class::vertical_space(), SetKind::PLAIN),
            'V' => ClassItem::Set(class::negated(class::vertical_space()), SetKind::PLAIN),
            'a' => ClassItem::Char('\x07'),
            'e' => ClassItem::Char('\x1B'),
            'f' => ClassItem::Char('\x0C'),
            'n' => ClassItem::Char('\n'),
            'r' => ClassItem::Char('\r'),
            't' => ClassItem::Char('\t'),
            '0' => ClassItem::Char(self.octal_digits(start, 0, 2)?),
            'o' => ClassItem::Char(self.braced_number(start, 8)?),
            'x' => ClassItem::Char(self.hex_escape(start)?),
            'c' => ClassItem::Char(self.control_escape(start)?),
            'C' => {
                return err(
                    start,
                    self.pos,
                    "`\\C` (one code unit) is supported only before an ASCII letter or digit \
                     (elsewhere it can split a character); for a backslash followed by `C` \
                     write `\\\\C` or `\\x5cC`",
                )
            }
            'K' => return self.unsupported_escape(start, "`\\K` (reset match start)"),
            'G' => return self.unsupported_escape(start, "`\\G` (end of previous match)"),
            'R' => return self.unsupported_escape(start, "`\\R` (any newline sequence)"),
            'X' => return self.unsupported_escape(start, "`\\X` (extended grapheme cluster)"),
            'u' | 'U' | 'l' | 'L' => return self.unknown_escape(start, c),
            _ if c.is_ascii_alphanumeric() => return Ok(None),
            // Any other character escaped is itself (`\<`, `\/`, `\_`, `\'`, ...).
            _ => ClassItem::Char(c),
        };
        Ok(Some(item))
    }

    /// Up to `more` further octal digits after an already read value `first`.
    fn octal_digits(&mut self, start: usize, first: u32, more: usize) -> Result<char, RegexError> {
        let mut value = first;
        for _ in 0..more {
            match self.peek().and_then(|c| c.to_digit(8)) {
                Some(d) => {
                    self.bump();
                    value = value * 8 + d;
                }
                None => break,
            }
        }
        self.code_point(start, value)
    }

    /// `{digits}` in `radix` after `\o` or `\x`.
    fn braced_number(&mut self, start: usize, radix: u32) -> Result<char, RegexError> {
        if !self.eat("{") {
            return err(
                start,
                self.pos,
                "`\\o` must be followed by `{octal digits}`",
            );
        }
        let mut value: u32 = 0;
        let mut digits = 0;
        loop {
            match self.bump() {
                Some('}') if digits > 0 => break,
                Some(c) => match c.to_digit(radix) {
                    Some(d) => {
                        value = value.saturating_mul(radix).saturating_add(d);
                        digits += 1;
                    }
                    None => return err(start, self.pos, "invalid digit in a `{...}` escape"),
                },
                None => return err(start, self.pos, "missing `}` in an escape"),
            }
        }
        self.code_point(start, value)
    }

    /// `\xHH` (up to two digits; none means NUL, as in PCRE) or `\x{H...}`.
    fn hex_escape(&mut self, start: usize) -> Result<char, RegexError> {
        if self.peek() == Some('{') {
            return self.braced_number(start, 16);
        }
        let mut value = 0;
        for _ in 0..2 {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    self.bump();
                    value = value * 16 + d;
                }
                None => break,
            }
        }
        self.code_point(start, value)
    }

    /// `\cX`: the control character for `X`.
    fn control_escape(&mut self, start: usize) -> Result<char, RegexError> {
        match self.bump() {
            Some(c) if (' '..='~').contains(&c) => {
                let value = u32::from(c.to_ascii_uppercase()) ^ 0x40;
                self.code_point(start, value)
            }
            _ => err(
                start,
                self.pos,
                "`\\c` must be followed by a printable ASCII character",
            ),
        }
    }

    fn code_point(&self, start: usize, value: u32) -> Result<char, RegexError> {
        match char::from_u32(value) {
            Some(c) => Ok(c),
            None => err(start, self.pos, "the escape is not a Unicode scalar value"),
        }
    }

    /// `\p{Name}`, `\p{^Name}`, `\pL` and the `\P` forms.
    fn property(&mut self, start: usize, negate: bool) -> Result<Class, RegexError> {
        let mut name = String::new();
        if self.eat("{") {
            loop {
                match self.bump() {
                    Some('}') => break,
                    Some(c) => name.push(c),
                    None => return err(start, self.pos, "missing `}` in `\\p{...}`"),
                }
            }
        } else if let Some(c) = self.bump() {
            name.push(c);
        }
        let (negate, name) = match name.strip_prefix('^') {
            Some(n) => (!negate, n.to_string()),
            None => (negate, name),
        };
        let name = if name == "L&" { "LC".to_string() } else { name };
        let known = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name != "Xan"
            && name != "Xps"
            && name != "Xsp"
            && name != "Xwd"
            && name != "Xuc";
        let set = if known {
            class::unicode_property(&name)
        } else {
            None
        };
        let Some(set) = set else {
            return err(
                start,
                self.pos,
                format!("unknown or unsupported Unicode property `{name}`"),
            );
        };
        let (set, rust) = if negate {
            (class::negated(set), format!(r"\P{{{name}}}"))
        } else {
            (set, format!(r"\p{{{name}}}"))
        };
        Ok(Class {
            set,
            rust: Some(rust),
        })
    }
}
