//! `splc run`: run rules over event files and print their result rows.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use serde_json::{Map, Number, Value as Json};
use spl_compiler::{compile_rule, CompileErrors, CompiledRule};
use spl_engine::EvalRule;
use spl_grammar::RuleFile;
use spl_runtime::alias::AliasMap;
use spl_runtime::read::{self, InputFormat, ReadOptions, ReadStats};
use spl_runtime::rule::Rule;
use spl_runtime::{Record, Value};

use crate::inputs::{macro_table, show};
use crate::table::Table;
use crate::{OutputFormat, RunArgs};

struct Loaded {
    name: String,
    rule: EvalRule,
    streaming: bool,
}

/// Run the command; `Ok(false)` when a rule did not compile.
pub fn run(args: &RunArgs) -> anyhow::Result<bool> {
    let macros = macro_table(&args.macros)?;
    let mut compiled: Vec<(String, Result<CompiledRule, CompileErrors>)> = Vec::new();
    for (path, loaded) in spl_grammar::load_rule_paths(&args.rules) {
        let result = loaded
            .map_err(CompileErrors::from)
            .and_then(|r| compile_rule(r, &macros));
        compiled.push((show(&path), result));
    }
    for (i, text) in args.spl.iter().enumerate() {
        let name = format!("spl-{}", i + 1);
        compiled.push((
            name.clone(),
            compile_rule(RuleFile::from_spl_str(text, &name), &macros),
        ));
    }
    if compiled.is_empty() {
        bail!("no rule given: use --rule PATH or --spl TEXT");
    }
    let mut all_ok = true;
    let mut rules = Vec::new();
    for (name, result) in compiled {
        match result {
            Ok(c) => rules.push(Loaded {
                name: rule_name(&name, &c),
                streaming: c.program.is_streaming(),
                rule: EvalRule::from_compiled(&c),
            }),
            Err(e) => {
                all_ok = false;
                eprintln!("{e}");
            }
        }
    }
    if args.line_numbers {
        if let Some(r) = rules.iter().find(|r| !r.streaming) {
            bail!(
                "--line-numbers needs rules whose every command answers each event at once; `{}` has a transforming or blocking command (stats, sort, eventstats, ...)",
                r.name
            );
        }
    }
    let aliases = match args.mapping.as_deref() {
        None => AliasMap::builtin(),
        Some("none") => AliasMap::none(),
        Some(path) => AliasMap::from_file(std::path::Path::new(path))
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("reading the field mapping {path}"))?,
    };
    let format = match &args.input_format {
        Some(f) => Some(
            f.parse::<InputFormat>()
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        None => None,
    };
    let options = ReadOptions {
        time_field: args.time_field.clone(),
        aliases,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut sink = Sink::new(args.format);
    let mut stats = ReadStats::default();
    let mut rows = Vec::new();
    let inputs = expand_inputs(&args.inputs)?;
    let several_inputs = inputs.len() > 1;
    for input in &inputs {
        let reader = read::open(input, format, options.clone())
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("opening {}", input.display()))?;
        for item in reader {
            stats.count(&item);
            let event = match item {
                Ok(event) => event,
                Err(e) => {
                    eprintln!("{}: {e}", input.display());
                    if e.is_fatal() {
                        break;
                    }
                    continue;
                }
            };
            let mut passed = false;
            for r in &mut rules {
                if r.rule.matches_event(&event.record) {
                    r.rule.process(event.record.clone(), &mut rows);
                    if !rows.is_empty() {
                        passed = true;
                        if !args.line_numbers {
                            sink.rows(&mut out, &r.name, &mut rows)?;
                        }
                        rows.clear();
                    }
                }
            }
            if args.line_numbers && passed {
                if several_inputs {
                    writeln!(out, "{}:{}", input.display(), event.index)?;
                } else {
                    writeln!(out, "{}", event.index)?;
                }
            }
        }
    }
    for r in &mut rules {
        r.rule.finish(&mut rows);
        if !args.line_numbers {
            sink.rows(&mut out, &r.name, &mut rows)?;
        }
        rows.clear();
    }
    sink.finish(&mut out)?;
    out.flush()?;
    eprintln!("{stats}");
    Ok(all_ok)
}

fn rule_name(shown: &str, c: &CompiledRule) -> String {
    c.rule
        .path
        .as_deref()
        .and_then(std::path::Path::file_stem)
        .map_or_else(|| shown.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// Where rows go: JSON lines at once, or a table per rule at the end.
struct Sink {
    format: OutputFormat,
    tables: Vec<(String, Table)>,
}

impl Sink {
    fn new(format: OutputFormat) -> Self {
        Sink {
            format,
            tables: Vec::new(),
        }
    }

    fn rows(
        &mut self,
        out: &mut impl Write,
        rule: &str,
        rows: &mut Vec<Record>,
    ) -> anyhow::Result<()> {
        match self.format {
            OutputFormat::Jsonl => {
                for row in rows.drain(..) {
                    writeln!(out, "{}", Json::Object(json_row(rule, &row)))?;
                }
            }
            OutputFormat::Table => {
                let i = match self.tables.iter().position(|(n, _)| n == rule) {
                    Some(i) => i,
                    None => {
                        self.tables.push((rule.to_owned(), Table::default()));
                        self.tables.len() - 1
                    }
                };
                for row in rows.drain(..) {
                    self.tables[i].1.push(&row);
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut impl Write) -> anyhow::Result<()> {
        for (i, (rule, table)) in self.tables.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "== {rule} ({} rows)", table.len())?;
            table.write(out)?;
        }
        Ok(())
    }
}

/// One result row as a JSON object: `_rule` first, then the fields in row order; a
/// multivalue field is an array; numbers stay numbers.
pub fn json_row(rule: &str, row: &Record) -> Map<String, Json> {
    let mut obj = Map::new();
    obj.insert("_rule".into(), Json::String(rule.to_owned()));
    for (field, value) in row.iter() {
        let v = match value {
            Value::Str(s) => Json::String(s.clone()),
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                Json::Number(Number::from(*n as i64))
            }
            Value::Num(n) => {
                Number::from_f64(*n).map_or_else(|| Json::String(value.to_string()), Json::Number)
            }
            Value::Multi(vs) => Json::Array(vs.iter().cloned().map(Json::String).collect()),
        };
        obj.insert(field.name().to_owned(), v);
    }
    obj
}

/// The input files: each path as given, a directory replaced by the files in it (sorted,
/// not recursive, hidden files skipped). A missing path is an error.
pub fn expand_inputs(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(i)
                .with_context(|| format!("reading {}", i.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            files.sort();
            out.extend(files);
        } else if i.exists() {
            out.push(i.clone());
        } else {
            bail!("input {} does not exist", i.display());
        }
    }
    Ok(out)
}
