//! `splc explain`: what each rule is and looks for, in a few human-readable lines.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::json;
use spl_compiler::explain::{indicators, pred_line, search_terms, stage_line, Corpus};
use spl_compiler::CompiledRule;

use crate::inputs::{compile_all, macro_table, report_errors};
use crate::{ExplainArgs, Format};

/// The rules of the `--corpus` directories that compile, each known by its canonical
/// path; how many did not compile.
fn corpus(args: &ExplainArgs, macros: &spl_grammar::MacroTable) -> (Corpus, usize) {
    let mut corpus = Corpus::new();
    let mut failed = 0;
    for (path, result) in crate::check::compile_all(&args.corpus, macros) {
        match result {
            Ok(c) => corpus.add(&key(&path), &c.program),
            Err(_) => failed += 1,
        }
    }
    (corpus, failed)
}

/// How a rule file is known in a corpus: its canonical path (the path as given when it
/// has none).
fn key(path: &std::path::Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}

/// Run the command; `Ok(false)` when a rule did not compile (its diagnostics go to
/// stderr, the other rules are still explained).
pub fn run(args: &ExplainArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    let rules = compile_all(&args.paths, &args.spl, &macros);
    if rules.is_empty() {
        anyhow::bail!("no rule given: name rule files or directories, or use --spl TEXT");
    }
    for dir in &args.corpus {
        if !dir.is_dir() {
            anyhow::bail!("--corpus {}: not a directory", dir.display());
        }
    }
    let corpus = (!args.corpus.is_empty()).then(|| {
        let (corpus, failed) = corpus(args, &macros);
        if failed > 0 {
            eprintln!(
                "note: the corpus counts come from {} rules; {failed} rules there did not compile and are not counted",
                corpus.len()
            );
        }
        corpus
    });
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
                let counts = corpus.as_ref().map(|corpus| {
                    let this = c.rule.path.as_deref().map(key).unwrap_or_default();
                    (corpus, this)
                });
                let counts = counts
                    .as_ref()
                    .map(|(corpus, this)| (*corpus, this.as_str()));
                if args.format == Format::Json {
                    let line = serde_json::to_string(&summary_json(&rule.shown, c, counts))?;
                    writeln!(out, "{line}")?;
                    continue;
                }
                if !first {
                    writeln!(out)?;
                }
                first = false;
                out.write_all(summary(&rule.shown, &rule.type_name, c, counts).as_bytes())?;
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
pub fn summary(
    shown: &str,
    type_name: &str,
    c: &CompiledRule,
    corpus: Option<(&Corpus, &str)>,
) -> String {
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
            let _ = write!(s, "  {t} (stage {})", t.stage);
            if let Some((corpus, this)) = corpus {
                let _ = write!(s, " corpus {}", corpus.term_count(&t, this));
            }
            s.push('\n');
        }
    }
    let found = indicators(p);
    if found.is_empty() {
        let _ = writeln!(s, "indicators: none");
    } else {
        let _ = writeln!(s, "indicators:");
        for i in found {
            let _ = write!(s, "  {i} (stage {})", i.stage);
            if let Some((corpus, this)) = corpus {
                let _ = write!(s, " corpus {}", corpus.indicator_count(&i, this));
            }
            s.push('\n');
        }
    }
    s
}

/// The summary of one compiled rule as JSON: what [`summary`] shows, with `corpus` counts
/// on each indicator and search term when a corpus is given.
pub fn summary_json(
    shown: &str,
    c: &CompiledRule,
    corpus: Option<(&Corpus, &str)>,
) -> serde_json::Value {
    let p = &c.program;
    let mut stages = vec![format!("search {}", pred_line(p.filter()))];
    stages.extend(p.stages().iter().map(stage_line));
    let terms: Vec<serde_json::Value> = search_terms(p)
        .iter()
        .map(|t| {
            let mut v = json!({
                "kind": t.kind,
                "text": t.text,
                "negated": t.negated,
                "stage": t.stage,
            });
            if let Some((corpus, this)) = corpus {
                v["corpus"] = json!(corpus.term_count(t, this));
            }
            v
        })
        .collect();
    let found: Vec<serde_json::Value> = indicators(p)
        .iter()
        .map(|i| {
            let mut v = json!({
                "field": i.field,
                "kind": i.kind,
                "value": i.value,
                "negated": i.negated,
                "stage": i.stage,
            });
            if let Some((corpus, this)) = corpus {
                v["corpus"] = json!(corpus.indicator_count(i, this));
            }
            v
        })
        .collect();
    json!({
        "path": shown,
        "id": c.rule.id,
        "title": c.rule.title,
        "techniques": c.rule.technique_id,
        "transforming": p.is_transforming(),
        "streaming": p.is_streaming(),
        "stages": stages,
        "search_terms": terms,
        "indicators": found,
    })
}
