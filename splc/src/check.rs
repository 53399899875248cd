//! `splc check`: load, parse, expand and lower every rule; report each.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use serde_json::json;
use spl_compiler::{compile_rule, CompileErrors};

use crate::inputs::{load_rules, macro_table, show};
use crate::{CheckArgs, Format};

/// Run the check; `Ok(true)` when every rule passed.
pub fn run(args: &CheckArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    let color = args.format == Format::Text && std::io::stdout().is_terminal();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut ok = 0usize;
    let mut failed: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (path, loaded) in load_rules(&args.paths) {
        let result = loaded
            .map_err(CompileErrors::from)
            .and_then(|rule| compile_rule(rule, &macros));
        match result {
            Ok(_) => {
                ok += 1;
                match args.format {
                    Format::Text => writeln!(out, "ok {}", show(&path))?,
                    Format::Json => writeln!(
                        out,
                        "{}",
                        json!({"path": show(&path), "status": "ok", "phase": null,
                               "message": null, "line": null, "column": null})
                    )?,
                }
            }
            Err(errors) => {
                let phase = errors.phase().map_or("load", |p| p.as_str());
                *failed.entry(phase).or_default() += 1;
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
        writeln!(
            out,
            "{} rules: {ok} ok, {total_failed} failed{detail}",
            ok + total_failed
        )?;
    }
    Ok(total_failed == 0)
}
