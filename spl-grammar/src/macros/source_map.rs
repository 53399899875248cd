//! From the expanded text back to the text as written.
//!
//! Expansion replaces each macro call by its definition, so the text that is finally
//! parsed (the *expanded* text) differs from the text the user wrote (the *original*).
//! A [`SourceMap`] says, for every byte of the expanded text, where it comes from:
//!
//! - copied from the original: it maps to the same byte of the original;
//! - written in a macro definition: it maps to the whole macro call that was expanded, and
//!   when that call was itself written in a definition, to the call that expanded that
//!   one, up to the outermost call, which is in the original;
//! - an argument substituted for `$arg$`: it keeps the origin of the argument text, so an
//!   argument written in the original maps to itself.
//!
//! [`SourceMap::map_span`] maps a span of the expanded text; when the span touches text
//! from a definition, the result also names the expansion, and
//! [`SourceMap::expansion_notes`] gives the lines to add to a diagnostic
//! (`in the expansion of macro ...`).

use crate::span::Span;

/// The index of one expansion (one macro call replaced by its definition) in a
/// [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExpansionId(pub usize);

/// One macro call that was replaced by its definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpansionRecord {
    /// The macro name.
    pub name: String,
    /// The number of arguments of the call.
    pub arity: usize,
    /// The definition as written in `macros.conf` (before `$arg$` substitution); empty for
    /// the built-in defaults.
    pub definition: String,
    /// Where the definition was given (`macros.conf:12`), when known.
    pub defined_at: Option<String>,
    /// The call as written (`` `group_events("user", 10m)` ``).
    pub call_text: String,
    /// The span in the original text that this call maps to: the call itself when it was
    /// written there, else the outermost call whose expansion produced it.
    pub call_span: Span,
    /// The expansion whose definition contains this call, if any.
    pub parent: Option<ExpansionId>,
}

impl ExpansionRecord {
    /// The macro as `name` (no arguments) or `name(N)`.
    pub fn display_name(&self) -> String {
        super::display_name(&self.name, self.arity)
    }
}

/// Where a run of expanded bytes comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Copied from the original, starting at this offset.
    Original(usize),
    /// Written in the definition of this expansion.
    Expansion(ExpansionId),
}

/// A run of expanded text with one origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// Offset in the expanded text.
    pub start: usize,
    /// Length in bytes (never 0).
    pub len: usize,
    /// Where it comes from.
    pub origin: Origin,
}

impl Segment {
    fn end(&self) -> usize {
        self.start + self.len
    }
}

/// A span of the original text, and the innermost expansion the mapped span was inside
/// of (if it touched text written in a definition).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MappedSpan {
    /// The span in the original text.
    pub span: Span,
    /// The innermost expansion involved, when the span touches definition text.
    pub expansion: Option<ExpansionId>,
}

/// Maps every byte of an expanded text back to the original text. See the
/// [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceMap {
    pub(crate) segments: Vec<Segment>,
    pub(crate) expansions: Vec<ExpansionRecord>,
    pub(crate) original_len: usize,
    pub(crate) expanded_len: usize,
}

impl SourceMap {
    /// The map of a text to itself (no macro expanded yet).
    pub fn identity(len: usize) -> Self {
        let segments = if len == 0 {
            Vec::new()
        } else {
            vec![Segment {
                start: 0,
                len,
                origin: Origin::Original(0),
            }]
        };
        SourceMap {
            segments,
            expansions: Vec::new(),
            original_len: len,
            expanded_len: len,
        }
    }

    /// The length of the original text.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// The length of the expanded text.
    pub fn expanded_len(&self) -> usize {
        self.expanded_len
    }

    /// True when nothing was expanded (every byte maps to itself).
    pub fn is_identity(&self) -> bool {
        self.expansions.is_empty()
            && self.original_len == self.expanded_len
            && self
                .segments
                .iter()
                .all(|s| s.origin == Origin::Original(s.start))
    }

    /// All expansions, in the order they were made.
    pub fn expansions(&self) -> &[ExpansionRecord] {
        &self.expansions
    }

    /// One expansion.
    pub fn expansion(&self, id: ExpansionId) -> Option<&ExpansionRecord> {
        self.expansions.get(id.0)
    }

    /// The expansion `id` and those containing it, innermost first.
    pub fn chain(&self, id: ExpansionId) -> Vec<&ExpansionRecord> {
        let mut out = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            match self.expansions.get(id.0) {
                Some(rec) if out.len() <= self.expansions.len() => {
                    out.push(rec);
                    next = rec.parent;
                }
                _ => break,
            }
        }
        out
    }

    /// Where expanded byte `offset` comes from: the expansion whose definition wrote it,
    /// or `None` when it was copied from the original (or is past the end).
    pub fn expansion_at(&self, offset: usize) -> Option<ExpansionId> {
        match self.segment_at(offset)?.origin {
            Origin::Expansion(id) => Some(id),
            Origin::Original(_) => None,
        }
    }

    /// Map a span of the expanded text to the original text.
    ///
    /// Bytes copied from the original map to themselves; bytes written in a definition map
    /// to the outermost call that produced them, so a span that touches them covers that
    /// whole call. An empty span maps to an empty span, or to the call it falls in.
    pub fn map_span(&self, span: Span) -> MappedSpan {
        let Span { start, end } = span;
        if end <= start {
            return self.map_point(start);
        }
        let mut result: Option<Span> = None;
        let mut expansion = None;
        let first = self.segment_index(start);
        for seg in self.segments[first..].iter().take_while(|s| s.start < end) {
            let lo = start.max(seg.start);
            let hi = end.min(seg.end());
            if lo >= hi {
                continue;
            }
            let mapped = match seg.origin {
                Origin::Original(o) => Span::new(o + (lo - seg.start), o + (hi - seg.start)),
                Origin::Expansion(id) => {
                    expansion.get_or_insert(id);
                    self.root_span(id)
                }
            };
            result = Some(result.map_or(mapped, |r| r.to(mapped)));
        }
        match result {
            Some(span) => MappedSpan { span, expansion },
            None => self.map_point(start),
        }
    }

    /// Lines to add to a diagnostic whose span was mapped into `id`: one per expansion
    /// from the innermost out, each with the macro's definition.
    pub fn expansion_notes(&self, id: ExpansionId) -> Vec<String> {
        self.chain(id)
            .into_iter()
            .map(|rec| {
                let at = rec
                    .defined_at
                    .as_deref()
                    .map(|a| format!(" (defined at {a})"))
                    .unwrap_or_default();
                if rec.definition.is_empty() {
                    format!("in the expansion of macro `{}`{at}", rec.display_name())
                } else {
                    format!(
                        "in the expansion of macro `{}`{at}: definition = {}",
                        rec.display_name(),
                        one_line(&rec.definition, 200)
                    )
                }
            })
            .collect()
    }

    fn map_point(&self, at: usize) -> MappedSpan {
        if let Some(seg) = self.segment_at(at) {
            return match seg.origin {
                Origin::Original(o) => MappedSpan {
                    span: Span::point(o + (at - seg.start)),
                    expansion: None,
                },
                Origin::Expansion(id) => MappedSpan {
                    span: self.root_span(id),
                    expansion: Some(id),
                },
            };
        }
        // Past the end: take the end of the last segment.
        match self.segments.last().filter(|s| s.end() <= at) {
            Some(seg) => match seg.origin {
                Origin::Original(o) => MappedSpan {
                    span: Span::point(o + seg.len),
                    expansion: None,
                },
                Origin::Expansion(id) => MappedSpan {
                    span: self.root_span(id),
                    expansion: Some(id),
                },
            },
            None => MappedSpan {
                span: Span::point(at.min(self.original_len)),
                expansion: None,
            },
        }
    }

    /// The span in the original of the outermost call containing expansion `id`.
    fn root_span(&self, id: ExpansionId) -> Span {
        self.chain(id)
            .last()
            .map_or(Span::point(0), |rec| rec.call_span)
    }

    /// The index of the first segment that ends after `offset`.
    fn segment_index(&self, offset: usize) -> usize {
        self.segments.partition_point(|s| s.end() <= offset)
    }

    fn segment_at(&self, offset: usize) -> Option<&Segment> {
        let seg = self.segments.get(self.segment_index(offset))?;
        (seg.start <= offset && offset < seg.end()).then_some(seg)
    }

    /// Append the origins of expanded range `range` of `self` to `out`, as bytes of a new
    /// text starting at `out.len` (used to build the map of the next expansion round).
    pub(crate) fn copy_range(&self, range: Span, out: &mut MapBuilder) {
        if range.is_empty() {
            return;
        }
        let first = self.segment_index(range.start);
        for seg in self.segments[first..]
            .iter()
            .take_while(|s| s.start < range.end)
        {
            let lo = range.start.max(seg.start);
            let hi = range.end.min(seg.end());
            if lo >= hi {
                continue;
            }
            let origin = match seg.origin {
                Origin::Original(o) => Origin::Original(o + (lo - seg.start)),
                e @ Origin::Expansion(_) => e,
            };
            out.push(hi - lo, origin);
        }
    }
}

/// Builds the segments of a new expanded text, left to right.
#[derive(Debug, Default)]
pub(crate) struct MapBuilder {
    pub segments: Vec<Segment>,
    pub len: usize,
}

impl MapBuilder {
    /// Append `len` bytes from `origin`, merging with the previous run when contiguous.
    pub fn push(&mut self, len: usize, origin: Origin) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segments.last_mut() {
            let merged = match (last.origin, origin) {
                (Origin::Original(a), Origin::Original(b)) => a + last.len == b,
                (Origin::Expansion(a), Origin::Expansion(b)) => a == b,
                _ => false,
            };
            if merged {
                last.len += len;
                self.len += len;
                return;
            }
        }
        self.segments.push(Segment {
            start: self.len,
            len,
            origin,
        });
        self.len += len;
    }
}

/// `text` on one line (line breaks become spaces), cut to `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .trim()
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        let mut cut: String = flat.chars().take(max).collect();
        cut.push('…');
        cut
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, call_span: Span, parent: Option<usize>) -> ExpansionRecord {
        ExpansionRecord {
            name: name.into(),
            arity: 0,
            definition: format!("def of {name}"),
            defined_at: None,
            call_text: format!("`{name}`"),
            call_span,
            parent: parent.map(ExpansionId),
        }
    }

    /// original: "ab `m` cd" (len 9), `m` (3..6) expanded to "XYZ" -> "ab XYZ cd"
    fn one_expansion() -> SourceMap {
        let mut b = MapBuilder::default();
        b.push(3, Origin::Original(0));
        b.push(3, Origin::Expansion(ExpansionId(0)));
        b.push(3, Origin::Original(6));
        SourceMap {
            segments: b.segments,
            expansions: vec![record("m", Span::new(3, 6), None)],
            original_len: 9,
            expanded_len: 9,
        }
    }

    #[test]
    fn identity_maps_to_itself() {
        let m = SourceMap::identity(10);
        assert!(m.is_identity());
        assert_eq!(m.map_span(Span::new(2, 5)).span, Span::new(2, 5));
        assert_eq!(m.map_span(Span::point(10)).span, Span::point(10));
        assert_eq!(
            SourceMap::identity(0).map_span(Span::point(0)).span,
            Span::point(0)
        );
    }

    #[test]
    fn spans_inside_an_expansion_map_to_the_call() {
        let m = one_expansion();
        let inside = m.map_span(Span::new(4, 5));
        assert_eq!(inside.span, Span::new(3, 6));
        assert_eq!(inside.expansion, Some(ExpansionId(0)));
        assert_eq!(m.map_span(Span::point(4)).span, Span::new(3, 6));
        // Straddling: from the original 'b' into the expansion.
        assert_eq!(m.map_span(Span::new(1, 4)).span, Span::new(1, 6));
        // After it: shifted back exactly.
        let after = m.map_span(Span::new(7, 9));
        assert_eq!(
            after,
            MappedSpan {
                span: Span::new(7, 9),
                expansion: None
            }
        );
        assert_eq!(m.map_span(Span::point(9)).span, Span::point(9));
    }

    #[test]
    fn nested_expansions_map_to_the_outermost_call_and_name_every_level() {
        let mut m = one_expansion();
        m.expansions.push(record("inner", Span::new(3, 6), Some(0)));
        m.segments[1].origin = Origin::Expansion(ExpansionId(1));
        let mapped = m.map_span(Span::new(4, 5));
        assert_eq!(mapped.span, Span::new(3, 6));
        let notes = m.expansion_notes(ExpansionId(1));
        assert_eq!(
            notes,
            vec![
                "in the expansion of macro `inner`: definition = def of inner".to_string(),
                "in the expansion of macro `m`: definition = def of m".to_string(),
            ]
        );
    }

    #[test]
    fn copy_range_keeps_origins() {
        let m = one_expansion();
        let mut b = MapBuilder::default();
        m.copy_range(Span::new(1, 8), &mut b);
        assert_eq!(b.len, 7);
        assert_eq!(
            b.segments,
            vec![
                Segment {
                    start: 0,
                    len: 2,
                    origin: Origin::Original(1)
                },
                Segment {
                    start: 2,
                    len: 3,
                    origin: Origin::Expansion(ExpansionId(0))
                },
                Segment {
                    start: 5,
                    len: 2,
                    origin: Origin::Original(6)
                },
            ]
        );
    }

    #[test]
    fn one_line_flattens_and_cuts() {
        assert_eq!(one_line(" a\nb ", 10), "a b");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }
}
