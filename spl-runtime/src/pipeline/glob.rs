//! Field-name patterns with `*` (case-sensitive, as field names are).

/// A field-name pattern: literal pieces separated by `*`, which matches any run of
/// characters (also none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldGlob {
    pieces: Vec<String>,
    wildcard: bool,
}

impl FieldGlob {
    /// Compile a pattern.
    pub fn new(pattern: &str) -> Self {
        FieldGlob {
            pieces: pattern.split('*').map(str::to_owned).collect(),
            wildcard: pattern.contains('*'),
        }
    }

    /// True when the pattern has a `*`.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The pattern without wildcards (when it has none).
    pub fn literal(&self) -> Option<&str> {
        (!self.wildcard).then(|| self.pieces[0].as_str())
    }

    /// True when `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        self.captures(name).is_some()
    }

    /// The texts the `*`s matched, in order, when `name` matches (leftmost-shortest for all
    /// but the last `*`, which takes the rest of what the last piece leaves).
    pub fn captures<'a>(&self, name: &'a str) -> Option<Vec<&'a str>> {
        let (first, rest) = self.pieces.split_first()?;
        let mut at = name.strip_prefix(first.as_str())?;
        let mut caps = Vec::new();
        let Some((last, middle)) = rest.split_last() else {
            return at.is_empty().then_some(caps);
        };
        for piece in middle {
            let i = at.find(piece.as_str())?;
            caps.push(&at[..i]);
            at = &at[i + piece.len()..];
        }
        let tail = at.strip_suffix(last.as_str())?;
        caps.push(tail);
        Some(caps)
    }

    /// Put `caps` into this pattern's `*`s (for `rename a* AS b*`).
    pub fn substitute(&self, caps: &[&str]) -> String {
        let mut out = String::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(caps.get(i - 1).copied().unwrap_or(""));
            }
            out.push_str(piece);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_names_case_sensitively() {
        let g = FieldGlob::new("process_*");
        assert!(g.matches("process_name"));
        assert!(g.matches("process_"));
        assert!(!g.matches("process"));
        assert!(!g.matches("Process_name"));
        assert!(!g.matches("parent_process_name"));
        assert!(FieldGlob::new("*").matches(""));
        assert!(FieldGlob::new("parent_process_*t").matches("parent_process_exec_t"));
        assert!(!FieldGlob::new("parent_process_*t").matches("parent_process_path"));
        assert!(FieldGlob::new("host").matches("host"));
        assert!(!FieldGlob::new("host").matches("hostname"));
    }

    #[test]
    fn captures_and_substitutes() {
        let from = FieldGlob::new("src_*");
        let to = FieldGlob::new("source_*");
        let caps = from.captures("src_Country").expect("matches");
        assert_eq!(caps, vec!["Country"]);
        assert_eq!(to.substitute(&caps), "source_Country");
        let g = FieldGlob::new("a*b*c");
        assert_eq!(g.captures("axxbyyc"), Some(vec!["xx", "yy"]));
    }
}
