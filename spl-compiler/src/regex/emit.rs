//! [`ast::Node`](super::ast::Node) → pattern text in `regex-syntax` syntax, or in
//! fancy-regex syntax for a pattern with lookaround.
//!
//! The only flag that reaches Rust is `i`, switched with `(?i)` / `(?-i)` right before a
//! cased literal that needs it. Rust scopes such a switch like PCRE: to the end of the
//! enclosing group, carrying over into later alternatives (fancy-regex too). The emitter
//! mirrors that to know Rust's state at every point.
//!
//! A pattern with lookaround (other than the leading lookbehind that becomes a consumed
//! prefix) is written for fancy-regex, which reads the same syntax for everything else
//! the emitter writes, with three differences it works around: `(?-u:\b)` does not
//! parse there (ASCII word boundaries are written with lookaround), and lookaround
//! expresses PCRE's `$` and multiline `^` exactly (`(?=\n?\z)`, `(?:\A|(?<=\n)(?!\z))`).

use spl_grammar::Span;

use super::ast::{Assertion, Capture, Class, Look, Node, NodeKind};
use super::class;
use super::RegexError;

/// The translated pattern text.
pub(crate) struct Emitted {
    pub pattern: String,
    pub lookbehind_prefix_consumed: bool,
    /// The pattern has lookaround and is written for fancy-regex.
    pub backtracking: bool,
}

/// The engine a pattern is written for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// regex-automata; `prefix`: a leading lookbehind is written as a consumed prefix.
    Automata { prefix: bool },
    /// fancy-regex: the pattern has lookaround.
    Backtracking,
}

/// Writes `root` as a Rust pattern.
pub(crate) fn emit(root: &Node) -> Result<Emitted, RegexError> {
    let engine = choose_engine(root)?;
    let backtracking = engine == Engine::Backtracking;
    let mut emitter = Emitter {
        out: String::new(),
        caseless: false,
        backtracking,
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
        lookbehind_prefix_consumed: engine == Engine::Automata { prefix: true },
        backtracking,
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
    /// Writing for fancy-regex (see the module documentation).
    backtracking: bool,
}

/// `[0-9A-Z_a-z]`, PCRE's `\w` without UCP: the word characters of `\b`.
const WORD: &str = "[0-9A-Z_a-z]";

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
            NodeKind::LookAround { look, child } => {
                let saved = self.caseless;
                // On regex-automata, the one lookbehind is the leading one, consumed.
                self.out.push_str(if self.backtracking {
                    look.opener()
                } else {
                    "(?:"
                });
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
        if self.backtracking {
            self.backtracking_assertion(a);
            return Ok(());
        }
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

    /// An assertion in fancy-regex syntax: the same as for regex-automata where fancy-regex
    /// reads it alike, lookaround where PCRE's meaning needs it.
    fn backtracking_assertion(&mut self, a: Assertion) {
        let text = match a {
            Assertion::StartText { backslash_a: true } => r"\A",
            Assertion::StartText { backslash_a: false } => "^",
            Assertion::EndText => r"\z",
            // PCRE's multiline `^` does not match after a newline that ends the subject.
            Assertion::LineStart => r"(?:\A|(?<=\n)(?!\z))",
            Assertion::LineEnd => "(?m:$)",
            // The end, or before a newline that ends the subject; nothing consumed.
            Assertion::EndTextOrFinalNewline => r"(?=\n?\z)",
            // fancy-regex's `\b` is Unicode and it rejects `(?-u:`: ASCII boundaries as
            // lookaround, the class kept exact under `(?i)` (it would fold `k` to `K`).
            Assertion::WordBoundary | Assertion::NotWordBoundary => {
                let (after_word, after_other) = if a == Assertion::WordBoundary {
                    ("(?!", "(?=")
                } else {
                    ("(?=", "(?!")
                };
                self.out
                    .push_str(if self.caseless { "(?-i:" } else { "(?:" });
                for (behind, ahead) in [("(?<=", after_word), ("(?<!", after_other)] {
                    if behind == "(?<!" {
                        self.out.push('|');
                    }
                    for part in [behind, WORD, ")", ahead, WORD, ")"] {
                        self.out.push_str(part);
                    }
                }
                self.out.push(')');
                return;
            }
        };
        self.out.push_str(text);
    }

    fn group(
        &mut self,
        capture: Option<&Capture>,
        child: &Node,
        ctx: Ctx,
    ) -> Result<(), RegexError> {
        // A capture group that ends with `$` at the end of the pattern: write the end anchor
        // after the group, so a final newline is not captured (PCRE's `$` does not consume).
        // (fancy-regex's `$` consumes nothing: not needed there.)
        let hoist = !self.backtracking
            && capture.is_some()
            && ctx.rest_empty
            && !ctx.dollar_hoisted
            && child.ends_with_dollar();
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
        | NodeKind::LookAround { child, .. }
        | NodeKind::Repeat { child, .. } => first_cased_literal(child),
        NodeKind::Concat(items) | NodeKind::Alternation(items) => {
            items.iter().find_map(first_cased_literal)
        }
        NodeKind::Empty | NodeKind::Class(_) | NodeKind::Dot { .. } | NodeKind::Assert(_) => None,
    }
}

/// The engine for `root`: regex-automata without lookaround, or when the only lookaround
/// is a positive lookbehind that starts the pattern, has no `|` beside it at the top level
/// and always matches the same number of characters (written as a consumed prefix);
/// fancy-regex for any other lookaround, once every lookbehind is checked to have PCRE's
/// fixed length.
fn choose_engine(root: &Node) -> Result<Engine, RegexError> {
    let mut lookarounds = Vec::new();
    collect_lookarounds(root, &mut lookarounds);
    if lookarounds.is_empty() {
        return Ok(Engine::Automata { prefix: false });
    }
    let leading = match &root.kind {
        NodeKind::LookAround { .. } => Some(root),
        NodeKind::Concat(items) => items.first(),
        _ => None,
    };
    if let (Some(lead), [only]) = (leading, lookarounds.as_slice()) {
        if let NodeKind::LookAround { look, child } = &lead.kind {
            let positive_behind = look.behind && !look.negative;
            if std::ptr::eq(lead, *only) && positive_behind && child.fixed_char_len().is_some() {
                return Ok(Engine::Automata { prefix: true });
            }
        }
    }
    for n in lookarounds {
        if let NodeKind::LookAround { look, child } = &n.kind {
            if look.behind {
                check_fixed_length(n.span, *look, child)?;
            }
        }
    }
    Ok(Engine::Backtracking)
}

/// Every lookaround node of the tree, outermost first.
fn collect_lookarounds<'n>(n: &'n Node, out: &mut Vec<&'n Node>) {
    match &n.kind {
        NodeKind::LookAround { child, .. } => {
            out.push(n);
            collect_lookarounds(child, out);
        }
        NodeKind::Group { child, .. } | NodeKind::Repeat { child, .. } => {
            collect_lookarounds(child, out)
        }
        NodeKind::Concat(items) | NodeKind::Alternation(items) => {
            for item in items {
                collect_lookarounds(item, out);
            }
        }
        NodeKind::Empty
        | NodeKind::Literal { .. }
        | NodeKind::Class(_)
        | NodeKind::Dot { .. }
        | NodeKind::Assert(_) => {}
    }
}

/// PCRE's rule for a lookbehind (and fancy-regex's, without variable-length lookbehind):
/// each of its top-level alternatives always matches the same number of characters; the
/// alternatives may differ from each other.
fn check_fixed_length(span: Span, look: Look, child: &Node) -> Result<(), RegexError> {
    let alternatives = match &child.kind {
        NodeKind::Alternation(items) => items.as_slice(),
        _ => std::slice::from_ref(child),
    };
    if alternatives.iter().all(|a| a.fixed_char_len().is_some()) {
        return Ok(());
    }
    Err(RegexError::new(
        span,
        format!(
            "lookbehind `{}...)` must have a fixed length: PCRE requires each of its \
             top-level alternatives to always match the same number of characters \
             (`(?<=ab|c)` is allowed, `(?<=a+)` and `(?<=a(b|cd))` are not)",
            look.opener()
        ),
    ))
}
