//! The interface every compiled rule offers, generated or evaluated.

use std::borrow::Cow;

use crate::event::{Event, Record};

/// What a rule is: its catalog metadata. Generated rules hold borrowed `'static` text;
/// rules loaded at run time own theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The Rust type name (generated code) or a name derived from the rule file.
    pub name: Cow<'static, str>,
    /// The rule's `id`.
    pub id: Cow<'static, str>,
    /// The rule's `title`.
    pub title: Cow<'static, str>,
    /// ATT&CK technique ids (`T1105`, ...).
    pub technique_ids: Cow<'static, [Cow<'static, str>]>,
    /// The rule's SPL, as written.
    pub spl: Cow<'static, str>,
}

/// A runnable rule: a filter over events, then its pipeline over the events that pass.
///
/// Use: call [`Rule::matches`] on every event; give those that match (as owned rows) to
/// [`Rule::process`]; at the end of the input call [`Rule::finish`]. Rows pushed to `out`
/// are the rule's results. [`run`] does all of that.
pub trait Rule: Send {
    /// The rule's metadata.
    fn info(&self) -> RuleInfo;

    /// True when the event passes the rule's first search (prefilter and predicate). Does
    /// not allocate.
    fn matches(&self, event: &dyn Event) -> bool;

    /// Run one matching event through the rule's pipeline.
    fn process(&mut self, row: Record, out: &mut Vec<Record>);

    /// End of input: flush the pipeline (`stats` groups and the like).
    fn finish(&mut self, out: &mut Vec<Record>);

    /// True when the pipeline ends in rows that are not events (after `stats`).
    fn is_transforming(&self) -> bool;
}

/// Run a rule over events and return its result rows.
pub fn run<'a, R, I>(rule: &mut R, events: I) -> Vec<Record>
where
    R: Rule + ?Sized,
    I: IntoIterator<Item = &'a Record>,
{
    let mut out = Vec::new();
    for e in events {
        if rule.matches(e) {
            rule.process(e.clone(), &mut out);
        }
    }
    rule.finish(&mut out);
    out
}
