//! `splc explain`: what each rule is and looks for, in a few human-readable lines.

use std::fmt::Write as _;
use std::io::Write;

use spl_compiler::explain::{indicators, pred_line, search_terms, stage_line};
use spl_compiler::CompiledRule;

use crate::inputs::{compile_all, macro_table, report_errors};
use crate::ExplainArgs;

/// Run the command; `Ok(false)` when a rule did not compile (its diagnostics go to
/// stderr, the other rules are still explained).
pub fn run(args: &ExplainArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    let rules = compile_all(&args.paths, &args.spl, &macros);
    if rules.is_empty() {
        anyhow::bail!("no rule given: name rule files or directories, or use --spl TEXT");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.pack {
        let mut all_ok = true;
        let mut compiled = Vec::new();
        for rule in &rules {
            match &rule.result {
                Ok(c) => compiled.push((rule.shown.as_str(), c)),
                Err(errors) => {
                    all_ok = false;
                    report_errors(errors);
                }
            }
        }
        out.write_all(pack_summary(&compiled).as_bytes())?;
        out.flush()?;
        return Ok(all_ok);
    }
    let mut all_ok = true;
    let mut first = true;
    for rule in &rules {
        match &rule.result {
            Ok(c) => {
                if !first {
                    writeln!(out)?;
                }
                first = false;
                out.write_all(summary(&rule.shown, &rule.type_name, c).as_bytes())?;
            }
            Err(errors) => {
                all_ok = false;
                report_errors(errors);
            }
        }
    }
    out.flush()?;
    Ok(all_ok)
}

/// What the pack-wide index of `rules` looks for: how many rules it narrows down by each
/// kind of need, and which rules it cannot (they see every event).
///
/// ```text
/// rules:      3
/// indexed:    2 (by _raw text 1, field value 1, field text 0, field presence 0)
/// narrowed:   1 (the index also checks a further clause of theirs)
/// unindexed:  1 (every event goes through their search)
///   rules/any.spl
/// ```
pub fn pack_summary(rules: &[(&str, &CompiledRule)]) -> String {
    use spl_compiler::ir::Need;
    let mut s = String::new();
    let mut kinds = [0usize; 4];
    let mut narrowed = 0;
    let mut unindexed = Vec::new();
    for (shown, c) in rules {
        match c.program.witness() {
            None => unindexed.push(*shown),
            Some(w) => {
                narrowed += usize::from(!w.also.is_empty());
                // Count the rule under the weakest kind of its alternatives.
                let kind = w
                    .needs
                    .iter()
                    .map(|n| match n {
                        Need::Equals { .. } => 1,
                        Need::Contains { .. } => 2,
                        Need::Raw(_) => 0,
                        Need::Present(_) => 3,
                    })
                    .max()
                    .unwrap_or(3);
                kinds[kind] += 1;
            }
        }
    }
    let _ = writeln!(s, "rules:      {}", rules.len());
    let _ = writeln!(
        s,
        "indexed:    {} (by _raw text {}, field value {}, field text {}, field presence {})",
        rules.len() - unindexed.len(),
        kinds[0],
        kinds[1],
        kinds[2],
        kinds[3]
    );
    let _ = writeln!(
        s,
        "narrowed:   {narrowed} (the index also checks a further clause of theirs)"
    );
    let _ = writeln!(
        s,
        "unindexed:  {} (every event goes through their search)",
        unindexed.len()
    );
    for shown in unindexed {
        let _ = writeln!(s, "  {shown}");
    }
    s
}

/// The summary of one compiled rule. `rule type` and `sources` are the `type` and
/// `data_source` of a detection of Splunk's content catalog, when it has them.
///
/// ```text
/// == rules/npm_install.yml
/// type:       NpmInstall
/// id:         1
/// title:      npm install
/// rule type:  TTP
/// sources:    Sysmon EventID 1
/// techniques: T1195
/// mode:       streaming (each event gives its result rows at once)
/// stages:
///   1. search TERM "npm" AND field "process" = "x*"
///   2. table ["_time", "host"]
/// prefilter:  _raw contains, ignoring case:
///   "npm"
/// search terms:
///   TERM "npm" (stage 1)
/// indicators:
///   process = "x*" (stage 1)
/// ```
pub fn summary(shown: &str, type_name: &str, c: &CompiledRule) -> String {
    let mut s = String::new();
    let p = &c.program;
    // Writing to a String cannot fail.
    let _ = writeln!(s, "== {shown}");
    let _ = writeln!(s, "type:       {type_name}");
    let _ = writeln!(s, "id:         {}", c.rule.id);
    let _ = writeln!(s, "title:      {}", c.rule.title);
    // A detection of Splunk's content catalog: its kind (TTP, Anomaly, Hunting, ...) and
    // its data sources.
    if let Some(kind) = c.rule.extra_string("type") {
        let _ = writeln!(s, "rule type:  {kind}");
    }
    let sources = c.rule.extra_list("data_source");
    if !sources.is_empty() {
        let _ = writeln!(s, "sources:    {}", sources.join(", "));
    }
    if !c.rule.technique_id.is_empty() {
        let _ = writeln!(s, "techniques: {}", c.rule.technique_id.join(", "));
    }
    let mode = if p.is_transforming() {
        "transforming (stats: result rows are aggregates, given at the end of the input)"
    } else if p.is_streaming() {
        "streaming (each event gives its result rows at once)"
    } else {
        "not streaming (a command holds rows until the end of the input: sort, eventstats, fillnull)"
    };
    let _ = writeln!(s, "mode:       {mode}");
    let _ = writeln!(s, "stages:");
    let _ = writeln!(s, "  1. search {}", pred_line(p.filter()));
    for (i, stage) in p.stages().iter().enumerate() {
        let _ = writeln!(s, "  {}. {}", i + 2, stage_line(stage));
    }
    if p.prefilter().is_empty() {
        let _ = writeln!(s, "prefilter:  none (every event goes through the search)");
    } else {
        let _ = writeln!(s, "prefilter:  _raw contains, ignoring case:");
        for clause in p.prefilter().clauses() {
            let lits: Vec<String> = clause.iter().map(|l| format!("{l:?}")).collect();
            if lits.len() == 1 {
                let _ = writeln!(s, "  {}", lits[0]);
            } else {
                let _ = writeln!(s, "  one of {}", lits.join(" | "));
            }
        }
    }
    let terms = search_terms(p);
    if terms.is_empty() {
        let _ = writeln!(s, "search terms: none");
    } else {
        let _ = writeln!(s, "search terms:");
        for t in terms {
            let _ = writeln!(s, "  {t} (stage {})", t.stage);
        }
    }
    let found = indicators(p);
    if found.is_empty() {
        let _ = writeln!(s, "indicators: none");
    } else {
        let _ = writeln!(s, "indicators:");
        for i in found {
            let _ = writeln!(s, "  {i} (stage {})", i.stage);
        }
    }
    s
}
