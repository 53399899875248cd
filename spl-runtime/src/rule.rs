//! The interface every compiled rule offers, generated or evaluated.

use std::borrow::Cow;

use crate::event::{Event, Record};
use crate::ir::Witness;
use crate::pipeline::StepError;

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

impl RuleInfo {
    /// The metadata of a generated rule, from `'static` text.
    pub const fn new(
        name: &'static str,
        id: &'static str,
        title: &'static str,
        technique_ids: &'static [Cow<'static, str>],
        spl: &'static str,
    ) -> RuleInfo {
        RuleInfo {
            name: Cow::Borrowed(name),
            id: Cow::Borrowed(id),
            title: Cow::Borrowed(title),
            technique_ids: Cow::Borrowed(technique_ids),
            spl: Cow::Borrowed(spl),
        }
    }
}

/// A runnable rule: a filter over events, then its pipeline over the events that pass.
///
/// Use: call [`Rule::matches`] on every event; give those that match (as owned rows) to
/// [`Rule::process`]; at the end of the input call [`Rule::finish`]. The rows pushed to
/// `out` by `process`, then those handed to `out` by `finish`, are the rule's results.
/// [`run`] does all of that ([`run_owned`] when the events are yours to give away).
///
/// Blocking commands (`sort` without a count, `eventstats`) hold rows within a memory
/// budget and spill the rest to temporary files
/// ([`RunOptions`](crate::pipeline::RunOptions)); when they cannot, `finish` returns the
/// error.
pub trait Rule: Send + Sync {
    /// The rule's metadata.
    fn info(&self) -> RuleInfo;

    /// True when the event passes the rule's first search (prefilter and predicate). Does
    /// not allocate.
    fn matches(&self, event: &dyn Event) -> bool;

    /// Run one matching event through the rule's pipeline.
    fn process(&mut self, row: Record, out: &mut Vec<Record>);

    /// End of input: flush the pipeline (`stats` groups and the like), handing each row
    /// to `out` as it comes (a blocking command may release millions).
    ///
    /// An error means that a command could not give its rows: it went over its memory
    /// budget and could not spill rows to disk, or read them back. The rule's results are
    /// then incomplete.
    fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError>;

    /// True when the pipeline ends in rows that are not events (after `stats`).
    fn is_transforming(&self) -> bool;

    /// What an event must have to give a row or change the rule's state (a necessary
    /// condition, see [`Witness`]): an event without it may be left out before
    /// [`Rule::matches`]. A [`crate::pack::RulePack`] indexes its rules by it. `None` (the
    /// default): the rule must see every event.
    fn witness(&self) -> Option<Witness> {
        None
    }
}

/// Run a rule over events and return its result rows, or the error of a command that
/// could not give its rows ([`Rule::finish`]).
///
/// Each event that matches is copied into the pipeline (the events are borrowed); when
/// the caller owns the events and has no further use for them, [`run_owned`] moves them
/// instead.
pub fn run<'a, R, I>(rule: &mut R, events: I) -> Result<Vec<Record>, StepError>
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
    rule.finish(&mut |row| out.push(row))?;
    Ok(out)
}

/// Run a rule over owned events and return its result rows: the same rows as [`run`],
/// without copying the events that match (they move into the pipeline; the others are
/// dropped).
pub fn run_owned<R, I>(rule: &mut R, events: I) -> Result<Vec<Record>, StepError>
where
    R: Rule + ?Sized,
    I: IntoIterator<Item = Record>,
{
    let mut out = Vec::new();
    for e in events {
        if rule.matches(&e) {
            rule.process(e, &mut out);
        }
    }
    rule.finish(&mut |row| out.push(row))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldId;
    use crate::ir::{Agg, AggFunc, AggInput, FieldPattern, Stage, StatsKind, StatsStage};
    use crate::pipeline::Pipeline;

    /// Events whose `_raw` holds "hit", then `stats values(*) as * by host`.
    struct Hits(Pipeline);

    impl Hits {
        fn new() -> Hits {
            Hits(Pipeline::new().with(Stage::Stats(StatsStage {
                kind: StatsKind::Stats,
                aggs: vec![Agg {
                    func: AggFunc::Values,
                    input: AggInput::Pattern(FieldPattern::new("*")),
                    output: "*".into(),
                    percentile: None,
                }],
                by: vec!["host".into()],
                window: 0,
                current: true,
                global: true,
            })))
        }
    }

    impl Rule for Hits {
        fn info(&self) -> RuleInfo {
            RuleInfo {
                name: "Hits".into(),
                id: "hits".into(),
                title: "Hits".into(),
                technique_ids: Cow::Borrowed(&[]),
                spl: "hit | stats values(*) as * by host".into(),
            }
        }

        fn matches(&self, event: &dyn Event) -> bool {
            event.raw().contains("hit")
        }

        fn process(&mut self, row: Record, out: &mut Vec<Record>) {
            self.0.push(row, out);
        }

        fn finish(&mut self, out: &mut dyn FnMut(Record)) -> Result<(), StepError> {
            self.0.finish(out)
        }

        fn is_transforming(&self) -> bool {
            true
        }
    }

    #[test]
    fn run_owned_gives_the_rows_of_run() {
        let events: Vec<Record> = (0..20)
            .map(|i| {
                let mut r = Record::new();
                r.set_named("host", format!("h{}", i % 3));
                r.set_named("n", i.to_string());
                r.set_raw(if i % 2 == 0 { "a hit" } else { "a miss" });
                r
            })
            .collect();
        let borrowed = run(&mut Hits::new(), events.iter()).expect("no spill");
        let owned = run_owned(&mut Hits::new(), events).expect("no spill");
        assert_eq!(borrowed.len(), 3);
        assert_eq!(borrowed, owned);
        assert_eq!(
            owned[0].get(FieldId::intern("n")),
            Some(&crate::Value::Multi(
                ["0", "12", "18", "6"].map(String::from).to_vec()
            ))
        );
    }
}
