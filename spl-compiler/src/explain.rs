//! What a rule looks for, read off its IR: indicators (field, kind, value) and bare search
//! terms, the way a detection catalog shows a rule.
//!
//! - `TERM(npm)` is one term of kind `TERM`, not the two words `TERM` and `npm`; a quoted
//!   phrase is one term of kind `phrase`; `CASE(x)` is one term of kind `CASE`.
//! - A field compare of a search (`process=x*`, `f IN (a, b)`) is an indicator, not a
//!   search term; `IN` gives one indicator per listed value.
//! - Regexes and LIKE patterns applied to a field (`| regex f=re`, `where match(f, re)`,
//!   `where like(f, p)`, `where f LIKE p`) are indicators of their field, and so is a
//!   `where` comparison of a field with a literal (`where f="x"`, `where n > 5`,
//!   `where in(f, "a", "b")`).
//! - Only what filters counts: the first search, `| search`, `| regex` and `| where`.
//!   `eval`, `rex` and the other commands compute values; they look for nothing.
//! - An item under a `NOT` is kept, marked `negated` (the rule looks for its absence).
//!   `| regex f!=re` is kind `regex_not_match`, and `f!=x` is kind `!=`, both not negated:
//!   in SPL they differ from `NOT` (they treat a missing field differently).
//!
//! Stages are numbered from 1, the first (implicit) search; the first command after it is
//! stage 2 (`Program::stages[0]`).

use std::fmt;

use crate::ir::{AtomKind, BinOp, CmpOp, Expr, ExprKind, Func, Pred, PredKind, Program, Stage};

/// One thing a rule tests a field for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Indicator {
    /// The field.
    pub field: String,
    /// What kind of test: `=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `regex_match`,
    /// `regex_not_match` or `like`.
    pub kind: &'static str,
    /// The value, pattern or regex (a regex as the rule writes it, PCRE syntax).
    pub value: String,
    /// True when the test sits under a `NOT` (the rule looks for its absence).
    pub negated: bool,
    /// The 1-based stage it is in (1 = the first search).
    pub stage: usize,
}

impl fmt::Display for Indicator {
    /// `field kind "value"`, prefixed with `NOT ` when negated: `process = "x*"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("NOT ")?;
        }
        write!(f, "{} {} {:?}", self.field, self.kind, self.value)
    }
}

/// A bare search term: matched against `_raw`, not a field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SearchTerm {
    /// `term`, `phrase`, `TERM` or `CASE`.
    pub kind: &'static str,
    /// The text (as written, wildcards kept).
    pub text: String,
    /// True when the term sits under a `NOT`.
    pub negated: bool,
    /// The 1-based stage it is in.
    pub stage: usize,
}

impl fmt::Display for SearchTerm {
    /// `kind "text"`, prefixed with `NOT ` when negated: `TERM "npm"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("NOT ")?;
        }
        write!(f, "{} {:?}", self.kind, self.text)
    }
}

/// How many rules of a corpus look for each indicator and search term: the "corpus"
/// column of a detection catalog's rule page. High counts point to widely used
/// indicators; 0 to one only the rule itself has.
///
/// Two indicators are the same when their field, kind, value and negation are: field
/// names exactly (they are case-sensitive in SPL), regexes exactly as written, other
/// values ignoring ASCII case (SPL compares field values so). Two search terms are the same
/// when their kind, negation and text ignoring ASCII case are (`CASE` terms: exactly). A
/// rule counts once however often it has the item.
#[derive(Debug, Default)]
pub struct Corpus {
    /// For each item, the rules (by their key) that have it.
    items: std::collections::HashMap<CorpusItem, std::collections::BTreeSet<String>>,
    rules: usize,
}

/// An indicator or search term as [`Corpus`] compares them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum CorpusItem {
    Indicator {
        field: String,
        kind: &'static str,
        value: String,
        negated: bool,
    },
    Term {
        kind: &'static str,
        text: String,
        negated: bool,
    },
}

impl CorpusItem {
    fn indicator(i: &Indicator) -> Self {
        let value = if i.kind.starts_with("regex") {
            i.value.clone()
        } else {
            i.value.to_ascii_lowercase()
        };
        CorpusItem::Indicator {
            field: i.field.clone(),
            kind: i.kind,
            value,
            negated: i.negated,
        }
    }

    fn term(t: &SearchTerm) -> Self {
        let text = if t.kind == "CASE" {
            t.text.clone()
        } else {
            t.text.to_ascii_lowercase()
        };
        CorpusItem::Term {
            kind: t.kind,
            text,
            negated: t.negated,
        }
    }
}

impl Corpus {
    /// An empty corpus.
    pub fn new() -> Self {
        Corpus::default()
    }

    /// Add a rule, known by `key` (its file path, say): its indicators and search terms.
    pub fn add(&mut self, key: &str, program: &Program) {
        self.rules += 1;
        let found = indicators(program);
        let terms = search_terms(program);
        let items = found
            .iter()
            .map(CorpusItem::indicator)
            .chain(terms.iter().map(CorpusItem::term));
        for item in items {
            self.items.entry(item).or_default().insert(key.to_owned());
        }
    }

    /// How many rules were added.
    pub fn len(&self) -> usize {
        self.rules
    }

    /// True when no rule was added.
    pub fn is_empty(&self) -> bool {
        self.rules == 0
    }

    /// How many rules other than `this` (a key given to [`Corpus::add`], or one not in
    /// the corpus) look for the indicator.
    pub fn indicator_count(&self, indicator: &Indicator, this: &str) -> usize {
        self.count(&CorpusItem::indicator(indicator), this)
    }

    /// How many rules other than `this` have the search term.
    pub fn term_count(&self, term: &SearchTerm, this: &str) -> usize {
        self.count(&CorpusItem::term(term), this)
    }

    fn count(&self, item: &CorpusItem, this: &str) -> usize {
        self.items
            .get(item)
            .map_or(0, |rules| rules.len() - usize::from(rules.contains(this)))
    }
}

/// The indicators of a program, in rule order.
pub fn indicators(program: &Program) -> Vec<Indicator> {
    let mut out = Vec::new();
    pred_indicators(program.filter(), 1, &mut out);
    for (i, stage) in program.stages().iter().enumerate() {
        let n = i + 2;
        match stage {
            Stage::Search(p) => pred_indicators(p, n, &mut out),
            Stage::Regex(r) => out.push(Indicator {
                field: r.field.clone(),
                kind: if r.negated {
                    "regex_not_match"
                } else {
                    "regex_match"
                },
                value: r.regex.source.clone(),
                negated: false,
                stage: n,
            }),
            Stage::Where(e) => expr_indicators(e, false, n, &mut out),
            _ => {}
        }
    }
    out
}

/// The bare search terms of a program, in rule order.
pub fn search_terms(program: &Program) -> Vec<SearchTerm> {
    let mut out = Vec::new();
    pred_terms(program.filter(), 1, &mut out);
    for (i, stage) in program.stages().iter().enumerate() {
        if let Stage::Search(p) = stage {
            pred_terms(p, i + 2, &mut out);
        }
    }
    out
}

/// A predicate on one line: atoms in the IR text form (see [`crate::ir`]'s printer), joined
/// with `AND` / `OR`, nested groups in parentheses:
/// `TERM "npm" AND (field "a" = "1" OR not term "b")`.
pub fn pred_line(pred: &Pred) -> String {
    fn write(p: &Pred, nested: bool, out: &mut String) {
        match p.kind() {
            PredKind::True => out.push_str("true"),
            PredKind::False => out.push_str("false"),
            PredKind::Atom(a) => out.push_str(&a.to_string()),
            PredKind::Not(a) => {
                out.push_str("not ");
                out.push_str(&a.to_string());
            }
            PredKind::And(items) | PredKind::Or(items) => {
                let sep = if matches!(p.kind(), PredKind::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                if nested {
                    out.push('(');
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    write(item, true, out);
                }
                if nested {
                    out.push(')');
                }
            }
        }
    }
    let mut out = String::new();
    write(pred, false, &mut out);
    out
}

/// A stage on one line, in the IR text form (`table ["a", "b"]`,
/// `stats count() as "count" by ["host"]`); a `search` stage's predicate as [`pred_line`]
/// gives it.
pub fn stage_line(stage: &Stage) -> String {
    if let Stage::Search(p) = stage {
        return format!("search {}", pred_line(p));
    }
    stage.to_string().trim_end().to_owned()
}

fn pred_indicators(pred: &Pred, stage: usize, out: &mut Vec<Indicator>) {
    for (atom, negated) in pred.atoms() {
        match &atom.kind {
            AtomKind::Compare { field, op, value } => out.push(Indicator {
                field: field.clone(),
                kind: op.as_str(),
                value: value.clone(),
                negated,
                stage,
            }),
            AtomKind::In { field, values } => {
                out.extend(values.iter().map(|v| Indicator {
                    field: field.clone(),
                    kind: "in",
                    value: v.clone(),
                    negated,
                    stage,
                }));
            }
            AtomKind::Term(_)
            | AtomKind::Phrase(_)
            | AtomKind::TermExact(_)
            | AtomKind::CaseTerm(_) => {}
        }
    }
}

fn pred_terms(pred: &Pred, stage: usize, out: &mut Vec<SearchTerm>) {
    for (atom, negated) in pred.atoms() {
        let (kind, text) = match &atom.kind {
            AtomKind::Term(t) => ("term", t),
            AtomKind::Phrase(t) => ("phrase", t),
            AtomKind::TermExact(t) => ("TERM", t),
            AtomKind::CaseTerm(t) => ("CASE", t),
            AtomKind::Compare { .. } | AtomKind::In { .. } => continue,
        };
        out.push(SearchTerm {
            kind,
            text: text.clone(),
            negated,
            stage,
        });
    }
}

/// The field an expression reads directly, if it is a bare field reference.
fn field_of(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Field(f) => Some(f),
        _ => None,
    }
}

/// The literal an expression is, as text, if it is a string or number literal.
fn literal_of(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::Num(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The indicator kind of a comparison operator, as seen from the field's side: `swapped`
/// when the field is the right operand (`5 < n` is `n > 5`).
fn compare_kind(op: BinOp, swapped: bool) -> Option<&'static str> {
    let BinOp::Cmp(op) = op else {
        return None;
    };
    let op = match (op, swapped) {
        (CmpOp::Lt, true) => CmpOp::Gt,
        (CmpOp::Le, true) => CmpOp::Ge,
        (CmpOp::Gt, true) => CmpOp::Lt,
        (CmpOp::Ge, true) => CmpOp::Le,
        (op, _) => op,
    };
    Some(op.as_str())
}

fn expr_indicators(e: &Expr, negated: bool, stage: usize, out: &mut Vec<Indicator>) {
    let mut push = |field: &str, kind: &'static str, value: String| {
        out.push(Indicator {
            field: field.to_owned(),
            kind,
            value,
            negated,
            stage,
        });
    };
    match &e.kind {
        ExprKind::Not(x) => expr_indicators(x, !negated, stage, out),
        ExprKind::Binary {
            op: BinOp::Like,
            lhs,
            rhs,
        } => {
            if let (Some(field), ExprKind::Str(p)) = (field_of(lhs), &rhs.kind) {
                push(field, "like", p.clone());
            }
        }
        ExprKind::Binary { op, lhs, rhs } => {
            if let (Some(field), Some(value)) = (field_of(lhs), literal_of(rhs)) {
                if let Some(kind) = compare_kind(*op, false) {
                    return push(field, kind, value);
                }
            }
            if let (Some(value), Some(field)) = (literal_of(lhs), field_of(rhs)) {
                if let Some(kind) = compare_kind(*op, true) {
                    return push(field, kind, value);
                }
            }
            expr_indicators(lhs, negated, stage, out);
            expr_indicators(rhs, negated, stage, out);
        }
        ExprKind::Call { func, args, regex } => {
            match (func, args.first().and_then(field_of)) {
                (Func::Match, Some(field)) => {
                    // A pattern computed per event is no indicator.
                    if let Some(re) = regex {
                        push(field, "regex_match", re.source.clone());
                    }
                }
                (Func::Like, Some(field)) => {
                    if let Some(ExprKind::Str(p)) = args.get(1).map(|a| &a.kind) {
                        push(field, "like", p.clone());
                    }
                }
                (Func::In, Some(field)) => {
                    for value in args[1..].iter().filter_map(literal_of) {
                        push(field, "in", value);
                    }
                }
                _ => args
                    .iter()
                    .for_each(|a| expr_indicators(a, negated, stage, out)),
            }
        }
        ExprKind::Field(_)
        | ExprKind::Str(_)
        | ExprKind::Num(_)
        | ExprKind::Neg(_)
        | ExprKind::Search(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(spl: &str) -> Program {
        let q = spl_grammar::parse_query(spl).unwrap_or_else(|e| panic!("parse {spl:?}: {e:?}"));
        crate::lower::lower(&q).unwrap_or_else(|e| panic!("lower {spl:?}: {e:?}"))
    }

    fn ind(field: &str, kind: &'static str, value: &str, negated: bool, stage: usize) -> Indicator {
        Indicator {
            field: field.into(),
            kind,
            value: value.into(),
            negated,
            stage,
        }
    }

    fn term(kind: &'static str, text: &str, negated: bool, stage: usize) -> SearchTerm {
        SearchTerm {
            kind,
            text: text.into(),
            negated,
            stage,
        }
    }

    #[test]
    fn the_corpus_counts_other_rules_once_each() {
        let mut corpus = Corpus::new();
        corpus.add(
            "a",
            &program(r#"TERM(npm) process="X*" | regex process="(?i)install\s""#),
        );
        // Same indicators, another case for the value; the term twice in one rule.
        corpus.add("b", &program(r#"TERM(NPM) OR TERM(npm) process="x*""#));
        // Another regex (without `(?i)`); `!=` is another kind.
        corpus.add(
            "c",
            &program(r#"process!="x*" | regex process="install\s""#),
        );
        corpus.add(
            "d",
            &program(r#"NOT TERM(npm) Process="x*" | regex process="(?i)install\s""#),
        );
        assert_eq!(corpus.len(), 4);
        let eq = ind("process", "=", "x*", false, 1);
        // a, b (and not d: `Process` is another field).
        assert_eq!(corpus.indicator_count(&eq, "a"), 1);
        assert_eq!(corpus.indicator_count(&eq, "elsewhere"), 2);
        let re = ind("process", "regex_match", r"(?i)install\s", false, 2);
        assert_eq!(corpus.indicator_count(&re, "a"), 1);
        // a and b have TERM npm; d has it negated, which is another item.
        let t = term("TERM", "npm", false, 1);
        assert_eq!(corpus.term_count(&t, "a"), 1);
        assert_eq!(corpus.term_count(&term("TERM", "npm", true, 1), "a"), 1);
        assert_eq!(corpus.term_count(&term("TERM", "gem", false, 1), "a"), 0);
    }

    #[test]
    fn terms_phrases_and_field_compares_are_told_apart() {
        let p = program(r#"TERM(npm) "pip install" process=x* | table process"#);
        assert_eq!(
            search_terms(&p),
            vec![
                term("TERM", "npm", false, 1),
                term("phrase", "pip install", false, 1),
            ]
        );
        assert_eq!(indicators(&p), vec![ind("process", "=", "x*", false, 1)]);
    }

    #[test]
    fn not_marks_negated_and_ne_is_its_own_kind() {
        let p = program(r#"install CASE(Npm) NOT (tmp OR user=root) host!=dc1 n>=3"#);
        assert_eq!(
            search_terms(&p),
            vec![
                term("term", "install", false, 1),
                term("CASE", "Npm", false, 1),
                term("term", "tmp", true, 1),
            ]
        );
        assert_eq!(
            indicators(&p),
            vec![
                ind("user", "=", "root", true, 1),
                ind("host", "!=", "dc1", false, 1),
                ind("n", ">=", "3", false, 1),
            ]
        );
    }

    #[test]
    fn in_lists_give_one_indicator_per_value() {
        let p = program("Image IN (a.exe, *\\b.exe)");
        assert_eq!(
            indicators(&p),
            vec![
                ind("Image", "in", "a.exe", false, 1),
                ind("Image", "in", "*\\b.exe", false, 1),
            ]
        );
        assert!(search_terms(&p).is_empty());
    }

    #[test]
    fn later_stages_are_numbered_from_two() {
        let p = program(
            r#"x | eval y=lower(z) | search NOT TERM(a) f=1 | regex cmd="enc\d+" | regex _raw!="^ok""#,
        );
        assert_eq!(
            search_terms(&p),
            vec![term("term", "x", false, 1), term("TERM", "a", true, 3)]
        );
        assert_eq!(
            indicators(&p),
            vec![
                ind("f", "=", "1", false, 3),
                ind("cmd", "regex_match", r"enc\d+", false, 4),
                ind("_raw", "regex_not_match", "^ok", false, 5),
            ]
        );
    }

    #[test]
    fn where_regexes_likes_and_compares_are_indicators() {
        let p = program(
            r#"* | where match(cmd, "-enc") AND NOT like(user, "svc%") AND (path LIKE "C:%" OR 5 < n) AND in(h, "a", "b")"#,
        );
        assert_eq!(
            indicators(&p),
            vec![
                ind("cmd", "regex_match", "-enc", false, 2),
                ind("user", "like", "svc%", true, 2),
                ind("path", "like", "C:%", false, 2),
                ind("n", ">", "5", false, 2),
                ind("h", "in", "a", false, 2),
                ind("h", "in", "b", false, 2),
            ]
        );
        // A where test looks at fields, never at bare terms.
        assert!(search_terms(&p).is_empty());
    }

    #[test]
    fn computed_values_are_not_indicators() {
        // The regex is matched against a computed string, the compare is of two fields,
        // and eval looks for nothing.
        let p = program(r#"* | eval l=lower(cmd) | where match(lower(cmd), "x") AND a=b"#);
        assert!(indicators(&p).is_empty());
    }

    #[test]
    fn one_line_forms_of_predicates_and_stages() {
        let p = program(r#"TERM(npm) (a=1 OR NOT b) | search x | stats count by host | head 5"#);
        assert_eq!(
            pred_line(p.filter()),
            r#"TERM "npm" AND (field "a" = "1" OR not term "b")"#
        );
        let lines: Vec<String> = p.stages().iter().map(stage_line).collect();
        assert_eq!(lines[0], r#"search term "x""#);
        assert!(lines[1].starts_with("stats count("), "{}", lines[1]);
        assert!(lines[1].ends_with(r#"by ["host"]"#), "{}", lines[1]);
        assert_eq!(lines[2], "head 5");
        assert_eq!(pred_line(&Pred::constant(true)), "true");
    }

    #[test]
    fn display_forms() {
        assert_eq!(
            ind("process", "=", "x*", true, 1).to_string(),
            r#"NOT process = "x*""#
        );
        assert_eq!(term("TERM", "npm", false, 1).to_string(), r#"TERM "npm""#);
    }
}
