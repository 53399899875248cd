//! `splc check`: load, parse, expand and lower every rule; report each.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use serde_json::json;
use spl_compiler::grammar::{Diagnostic, Severity};
use std::sync::atomic::{AtomicUsize, Ordering};

use spl_compiler::{compile_rule, CompileErrors, CompiledRule};

use crate::inputs::{macro_table, show};
use crate::{CheckArgs, Format};

/// Every rule of `paths`, loaded and compiled, in order; the work is shared by one thread
/// per core (each rule compiles on its own).
pub(crate) fn compile_all(
    paths: &[std::path::PathBuf],
    macros: &spl_grammar::MacroTable,
) -> Vec<(std::path::PathBuf, Result<CompiledRule, CompileErrors>)> {
    let files = spl_grammar::list_rule_paths(paths);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(
        usize,
        std::path::PathBuf,
        Result<CompiledRule, CompileErrors>,
    )> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((path, listed)) = files.get(i) else {
                            break;
                        };
                        let result = listed
                            .clone()
                            .and_then(|()| spl_grammar::load_rule(path))
                            .map_err(CompileErrors::from)
                            .and_then(|rule| compile_rule(rule, macros));
                        out.push((i, path.clone(), result));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _, _)| *i);
    done.into_iter().map(|(_, p, r)| (p, r)).collect()
}

/// Run the check; `Ok(true)` when every rule passed.
pub fn run(args: &CheckArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    let color = args.format == Format::Text && std::io::stdout().is_terminal();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut ok = 0usize;
    let mut warned = 0usize;
    let mut failed: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut outside: BTreeMap<String, usize> = BTreeMap::new();
    for (path, result) in compile_all(&args.paths, &macros) {
        match result {
            Ok(compiled) => {
                ok += 1;
                let warnings: Vec<&Diagnostic> = compiled
                    .parsed
                    .notes
                    .iter()
                    .filter(|d| d.severity == Severity::Warning)
                    .chain(&compiled.warnings)
                    .collect();
                warned += usize::from(!warnings.is_empty());
                match args.format {
                    Format::Text => {
                        writeln!(out, "ok {}", show(&path))?;
                        for w in &warnings {
                            writeln!(out, "{}", w.render(color))?;
                        }
                    }
                    Format::Json => {
                        let warnings: Vec<_> = warnings
                            .iter()
                            .map(|w| {
                                let lc = w.line_col();
                                json!({"code": w.code.as_str(), "message": w.message,
                                       "line": lc.map(|l| l.line),
                                       "column": lc.map(|l| l.column)})
                            })
                            .collect();
                        writeln!(
                            out,
                            "{}",
                            json!({"path": show(&path), "status": "ok", "phase": null,
                                   "message": null, "line": null, "column": null,
                                   "warnings": warnings})
                        )?
                    }
                }
            }
            Err(errors) => {
                let phase = errors.phase().map_or("load", |p| p.as_str());
                *failed.entry(phase).or_default() += 1;
                for command in outside_commands(&errors) {
                    *outside.entry(command).or_default() += 1;
                }
                match args.format {
                    Format::Text => {
                        for e in &errors.0 {
                            writeln!(out, "{}", e.diagnostic().render(color))?;
                        }
                    }
                    Format::Json => {
                        let e = &errors.0[0];
                        let d = e.diagnostic();
                        let lc = d.line_col();
                        writeln!(
                            out,
                            "{}",
                            json!({
                                "path": show(&path),
                                "status": "error",
                                "phase": phase,
                                "code": d.code.as_str(),
                                "message": d.message,
                                "line": lc.map(|l| l.line),
                                "column": lc.map(|l| l.column),
                                "errors": errors.0.len(),
                            })
                        )?;
                    }
                }
            }
        }
    }
    let total_failed: usize = failed.values().sum();
    if args.format == Format::Text {
        let by_phase: Vec<String> = failed.iter().map(|(p, n)| format!("{p}: {n}")).collect();
        let detail = if by_phase.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_phase.join(", "))
        };
        let warned = if warned > 0 {
            format!(" ({warned} with warnings)")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} rules: {ok} ok{warned}, {total_failed} failed{detail}",
            ok + total_failed
        )?;
        if !outside.is_empty() {
            let mut by_count: Vec<(&String, &usize)> = outside.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let list: Vec<String> = by_count.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            writeln!(
                out,
                "rules needing what splc does not provide, by command: {}",
                list.join(", ")
            )?;
        }
    }
    Ok(total_failed == 0)
}

/// The commands, each once, of a rule's errors that say the command needs something splc
/// does not provide (a Splunk server's stores, a vendor's command; see
/// [`spl_compiler::lower::needs_outside`]).
fn outside_commands(errors: &CompileErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &errors.0 {
        let d = e.diagnostic();
        if d.code != spl_compiler::lower::codes::UNKNOWN_COMMAND {
            continue;
        }
        let Some(name) = d.message.split('`').nth(1) else {
            continue;
        };
        let name = name.to_ascii_lowercase();
        if spl_compiler::lower::needs_outside(&name).is_some() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
