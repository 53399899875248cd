//! [`ast::Node`](super::ast::Node) → pattern text in `regex-syntax` syntax.
//!
//! The only flag that reaches Rust is `i`, switched with `(?i)` / `(?-i)` right before a
//! cased literal that needs it. Rust scopes such a switch like PCRE: to the end of the
//! enclosing group, carrying over into later alternatives. The emitter mirrors that to
//! know Rust's state at every point.

use spl_grammar::Span;

use super::ast::{Assertion, Capture, Class, Node, NodeKind};
use super::class;
use super::RegexError;

/// The translated pattern text.
pub(crate) struct Emitted {
    pub pattern: String,
    pub lookbehind_prefix_consumed: bool,
}

/// Writes `root` as a Rust pattern.
pub(crate) fn emit(root: &Node) -> Result<Emitted, RegexError> {
    let lookbehind_prefix_consumed = check_lookbehinds(root)?;
    let mut emitter = Emitter {
        out: String::new(),
        caseless: false,
    };
    // Most patterns start with `(?i)`: say so once at the start, rather than at the first
    // cased letter (which may sit inside a group, where the switch would end with it).
    if first_cased_literal(root) == Some(true) {
        emitter.out.push_str("(?i)");
        emitter.caseless = true;
    }
    emitter.node(
        root,
        Ctx {
            rest_empty: true,
            dollar_hoisted: false,
        },
    )?;
    Ok(Emitted {
        pattern: emitter.out,
        lookbehind_prefix_consumed,
    })
}

/// What follows the node being written.
#[derive(Clone, Copy)]
struct Ctx {
    /// Nothing but end anchors (see [`Node::only_end_anchors`]) follows, up to the end of
    /// the whole pattern: a PCRE `$` here can be written as `(?:\n?\z)`.
    rest_empty: bool,
    /// An enclosing capture group writes the end anchor after its `)` (so the final newline
    /// stays outside the group); `$`s on this path print nothing.
    dollar_hoisted: bool,
}

struct Emitter {
    out: String,
    /// Whether Rust's `i` flag is on at the current point of `out`.
    caseless: bool,
}

impl Emitter {
    fn node(&mut self, n: &Node, ctx: Ctx) -> Result<(), RegexError> {
        match &n.kind {
            NodeKind::Empty => {}
            NodeKind::Literal { ch, caseless } => {
                if *caseless != self.caseless && class::is_cased(*ch) {
                    self.out.push_str(if *caseless { "(?i)" } else { "(?-i)" });
                    self.caseless = *caseless;
                }
                class::push_char(&mut self.out, *ch);
            }
            NodeKind::Class(c) => self.class(c),
            NodeKind::Dot { dotall } => self.out.push_str(if *dotall { "(?s:.)" } else { "." }),
            NodeKind::Assert(a) => self.assertion(*a, n.span, ctx)?,
            NodeKind::Group { capture, child } => self.group(capture.as_ref(), child, ctx)?,
            NodeKind::LookBehind(child) => {
                let saved = self.caseless;
                self.out.push_str("(?:");
                self.node(
                    child,
                    Ctx {
                        rest_empty: false,
                        dollar_hoisted: false,
                    },
                )?;
                self.out.push(')');
                self.caseless = saved;
            }
            NodeKind::Concat(items) => {
                // ends[i]: items[i..] are all end anchors.
                let mut ends = vec![true; items.len() + 1];
                for i in (0..items.len()).rev() {
                    ends[i] = ends[i + 1] && items[i].only_end_anchors();
                }
                let last = items.len().saturating_sub(1);
                for (i, item) in items.iter().enumerate() {
                    let after = ends.get(i + 1).copied().unwrap_or(true);
                    let item_ctx = Ctx {
                        rest_empty: ctx.rest_empty && after,
                        dollar_hoisted: ctx.dollar_hoisted
                            && (i == last || ends.get(i).copied().unwrap_or(false)),
                    };
                    self.node(item, item_ctx)?;
                }
            }
            NodeKind::Alternation(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.node(item, ctx)?;
                }
            }
            NodeKind::Repeat {
                child,
                min,
                max,
                greedy,
            } => {
                let only_ends = child.only_end_anchors();
                let child_ctx = Ctx {
                    rest_empty: ctx.rest_empty && (max.is_some_and(|m| m <= 1) || only_ends),
                    dollar_hoisted: ctx.dollar_hoisted && only_ends,
                };
                self.node(child, child_ctx)?;
                self.quantifier(*min, *max, *greedy);
            }
        }
        Ok(())
    }

    fn class(&mut self, c: &Class) {
        // Rust would case-fold the class under `(?i)`; PCRE's classes are exact sets.
        let guard = self.caseless && !class::is_fold_closed(&c.set);
        if guard {
            self.out.push_str("(?-i:");
        }
        match &c.rust {
            Some(text) => self.out.push_str(text),
            None => class::push_set(&mut self.out, &c.set),
        }
        if guard {
            self.out.push(')');
        }
    }

    fn assertion(&mut self, a: Assertion, span: Span, ctx: Ctx) -> Result<(), RegexError> {
        let text =
            match a {
                Assertion::StartText { backslash_a: true } => r"\A",
                Assertion::StartText { backslash_a: false } => "^",
                Assertion::EndText => r"\z",
                Assertion::LineStart => "(?m:^)",
                Assertion::LineEnd => "(?m:$)",
                Assertion::WordBoundary => r"(?-u:\b)",
                Assertion::NotWordBoundary => r"(?-u:\B)",
                Assertion::EndTextOrFinalNewline if ctx.dollar_hoisted => "",
                Assertion::EndTextOrFinalNewline if ctx.rest_empty => r"(?:\n?\z)",
                Assertion::EndTextOrFinalNewline => return Err(RegexError::new(
                    span,
                    "`$` (or `\\Z`) followed by more pattern is not supported: PCRE's `$` also \
                     matches before a final newline, which splc can express only at the end \
                     of the pattern (use `\\z` for the very end, or `(?m)`)",
                )),
            };
        self.out.push_str(text);
        Ok(())
    }

    fn group(
        &mut self,
        capture: Option<&Capture>,
        child: &Node,
        ctx: Ctx,
    ) -> Result<(), RegexError> {
        // A capture group that ends with `$` at the end of the pattern: write the end anchor
        // after the group, so a final newline is not captured (PCRE's `$` does not consume).
        let hoist =
            capture.is_some() && ctx.rest_empty && !ctx.dollar_hoisted && child.ends_with_dollar();
        let saved = self.caseless;
        if hoist {
            self.out.push_str("(?:");
        }
        match capture {
            None => self.out.push_str("(?:"),
            Some(Capture { name: Some(name) }) => {
                self.out.push_str("(?P<");
                self.out.push_str(name);
                self.out.push('>');
            }
            Some(Capture { name: None }) => self.out.push('('),
        }
        let child_ctx = Ctx {
            rest_empty: ctx.rest_empty,
            dollar_hoisted: hoist || ctx.dollar_hoisted,
        };
        self.node(child, child_ctx)?;
        self.out.push(')');
        self.caseless = saved;
        if hoist {
            self.out.push_str(r"(?:\n?\z))");
        }
        Ok(())
    }

    fn quantifier(&mut self, min: u32, max: Option<u32>, greedy: bool) {
        let text = match (min, max) {
            (0, None) => "*".to_string(),
            (1, None) => "+".to_string(),
            (0, Some(1)) => "?".to_string(),
            (n, None) => format!("{{{n},}}"),
            (n, Some(m)) if n == m => format!("{{{n}}}"),
            (n, Some(m)) => format!("{{{n},{m}}}"),
        };
        self.out.push_str(&text);
        if !greedy {
            self.out.push('?');
        }
    }
}

/// Whether the first literal that has case variants is caseless (`None`: there is none).
fn first_cased_literal(n: &Node) -> Option<bool> {
    match &n.kind {
        NodeKind::Literal { ch, caseless } => class::is_cased(*ch).then_some(*caseless),
        NodeKind::Group { child, .. }
        | NodeKind::LookBehind(child)
        | NodeKind::Repeat { child, .. } => first_cased_literal(child),
        NodeKind::Concat(items) | NodeKind::Alternation(items) => {
            items.iter().find_map(first_cased_literal)
        }
        NodeKind::Empty | NodeKind::Class(_) | NodeKind::Dot { .. } | NodeKind::Assert(_) => None,
    }
}

/// Checks that the only lookbehind, if any, starts the pattern, has no `|` beside it at the
/// top level, and always matches the same number of characters. Returns whether there is
/// one.
fn check_lookbehinds(root: &Node) -> Result<bool, RegexError> {
    let allowed: Option<&Node> = match &root.kind {
        NodeKind::LookBehind(_) => Some(root),
        NodeKind::Concat(items) => items
            .first()
            .filter(|n| matches!(n.kind, NodeKind::LookBehind(_))),
        _ => None,
    };
    find_misplaced_lookbehind(root, allowed)?;
    let Some(lookbehind) = allowed else {
        return Ok(false);
    };
    if let NodeKind::LookBehind(child) = &lookbehind.kind {
        if child.fixed_char_len().is_none() {
            return Err(RegexError::new(
                lookbehind.span,
                "lookbehind `(?<=...)` is supported only when it always matches the same \
                 number of characters",
            ));
        }
    }
    Ok(true)
}

fn find_misplaced_lookbehind(n: &Node, allowed: Option<&Node>) -> Result<(), RegexError> {
    match &n.kind {
        NodeKind::LookBehind(child) => {
            if !allowed.is_some_and(|a| std::ptr::eq(a, n)) {
                return Err(RegexError::new(
                    n.span,
                    "lookbehind `(?<=...)` is not supported by splc's regex engine, except at \
                     the very start of a pattern that has no top-level `|`",
                ));
            }
            find_misplaced_lookbehind(child, None)
        }
        NodeKind::Group { child, .. } | NodeKind::Repeat { child, .. } => {
            find_misplaced_lookbehind(child, None)
        }
        NodeKind::Concat(items) | NodeKind::Alternation(items) => items
            .iter()
            .try_for_each(|item| find_misplaced_lookbehind(item, allowed)),
        NodeKind::Empty
        | NodeKind::Literal { .. }
        | NodeKind::Class(_)
        | NodeKind::Dot { .. }
        | NodeKind::Assert(_) => Ok(()),
    }
}
