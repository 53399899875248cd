//! The parsed form of a PCRE pattern, limited to what splc can carry out.
//!
//! Flags are already applied: a literal knows whether it is caseless, a dot whether it
//! matches newlines, an anchor whether it is multiline, a repetition whether it is greedy.

use regex_syntax::hir::ClassUnicode;
use spl_grammar::Span;

/// One node of the pattern tree, with the bytes of the PCRE pattern it came from.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// What a node matches.
#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    /// Matches the empty string.
    Empty,
    /// One character; `caseless` under `(?i)`.
    Literal { ch: char, caseless: bool },
    /// One character out of a set (already case-folded where PCRE folds).
    Class(Class),
    /// Any character except `\n`, or any character at all when `dotall`.
    Dot { dotall: bool },
    /// A zero-width assertion.
    Assert(Assertion),
    /// A group; `capture` is `None` for a non-capturing group.
    Group {
        capture: Option<Capture>,
        child: Box<Node>,
    },
    /// A lookaround: `(?=...)`, `(?!...)`, `(?<=...)` or `(?<!...)`.
    LookAround { look: Look, child: Box<Node> },
    /// A sequence.
    Concat(Vec<Node>),
    /// Alternatives, in priority order.
    Alternation(Vec<Node>),
    /// A counted repetition of an atom.
    Repeat {
        child: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

/// A set of characters.
#[derive(Clone, Debug)]
pub(crate) struct Class {
    /// The characters matched, exactly.
    pub set: ClassUnicode,
    /// Rust text to print instead of the set (a lone `\p{..}`, for readability).
    pub rust: Option<String>,
}

/// Which lookaround a [`NodeKind::LookAround`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Look {
    /// Lookbehind (`(?<=`, `(?<!`) rather than lookahead.
    pub behind: bool,
    /// Negative (`(?!`, `(?<!`): the assertion holds when its pattern does not match.
    pub negative: bool,
}

impl Look {
    /// The group opener, the same in PCRE and in fancy-regex.
    pub fn opener(self) -> &'static str {
        match (self.behind, self.negative) {
            (false, false) => "(?=",
            (false, true) => "(?!",
            (true, false) => "(?<=",
            (true, true) => "(?<!",
        }
    }
}

/// Zero-width assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assertion {
    /// `^` (not multiline) or `\A`.
    StartText { backslash_a: bool },
    /// `\z`.
    EndText,
    /// `$` (not multiline) or `\Z`: the end, or before a final newline.
    EndTextOrFinalNewline,
    /// `^` under `(?m)`.
    LineStart,
    /// `$` under `(?m)`.
    LineEnd,
    /// `\b` (ASCII).
    WordBoundary,
    /// `\B` (ASCII).
    NotWordBoundary,
}

/// A capturing group.
#[derive(Clone, Debug)]
pub(crate) struct Capture {
    /// The group's name, for a named group.
    pub name: Option<String>,
}

impl Node {
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node { kind, span }
    }

    /// True when everything this node can match is empty and, placed after a PCRE `$`,
    /// it cannot tell `(?:\n?\z)` from PCRE's `$`: other `$`s and multiline `$`s.
    pub fn only_end_anchors(&self) -> bool {
        match &self.kind {
            NodeKind::Empty => true,
            NodeKind::Assert(a) => {
                matches!(a, Assertion::EndTextOrFinalNewline | Assertion::LineEnd)
            }
            NodeKind::Group { child, .. } | NodeKind::Repeat { child, .. } => {
                child.only_end_anchors()
            }
            NodeKind::Concat(items) | NodeKind::Alternation(items) => {
                items.iter().all(Node::only_end_anchors)
            }
            NodeKind::Literal { .. }
            | NodeKind::Class(_)
            | NodeKind::Dot { .. }
            | NodeKind::LookAround { .. } => false,
        }
    }

    /// True when every way through this node ends with a non-multiline `$` (or `\Z`).
    pub fn ends_with_dollar(&self) -> bool {
        match &self.kind {
            NodeKind::Assert(a) => *a == Assertion::EndTextOrFinalNewline,
            NodeKind::Group { child, .. } => child.ends_with_dollar(),
            NodeKind::Concat(items) => items.last().is_some_and(Node::ends_with_dollar),
            NodeKind::Alternation(items) => items.iter().all(Node::ends_with_dollar),
            _ => false,
        }
    }

    /// The number of characters this node matches, when it is always the same.
    pub fn fixed_char_len(&self) -> Option<u64> {
        match &self.kind {
            NodeKind::Empty | NodeKind::Assert(_) | NodeKind::LookAround { .. } => Some(0),
            NodeKind::Literal { .. } | NodeKind::Class(_) | NodeKind::Dot { .. } => Some(1),
            NodeKind::Group { child, .. } => child.fixed_char_len(),
            NodeKind::Concat(items) => items
                .iter()
                .try_fold(0u64, |acc, n| acc.checked_add(n.fixed_char_len()?)),
            NodeKind::Alternation(items) => {
                let mut len = None;
                for n in items {
                    let l = n.fixed_char_len()?;
                    if len.is_some_and(|prev| prev != l) {
                        return None;
                    }
                    len = Some(l);
                }
                len
            }
            NodeKind::Repeat {
                child, min, max, ..
            } => {
                if *max != Some(*min) {
                    return None;
                }
                child.fixed_char_len()?.checked_mul(u64::from(*min))
            }
        }
    }
}
