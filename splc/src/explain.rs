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

/// The summary of one compiled rule.
///
/// ```text
/// == rules/npm_install.yml
/// type:       NpmInstall
/// id:         1
/// title:      npm install
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
