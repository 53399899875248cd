//! `splc run`: run rules over event files and print their result rows.

use std::io::{BufWriter, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use spl_compiler::{compile_rule, CompileErrors, CompiledRule};
use spl_engine::EvalRule;
use spl_grammar::RuleFile;
use spl_runtime::alias::AliasMap;
use spl_runtime::datamodel::DataModels;
use spl_runtime::lookup::Lookups;
use spl_runtime::pack::{Candidates, RuleIndex, RulePack};
use spl_runtime::pipeline::RunOptions;
use spl_runtime::read::{self, InputFormat, ReadOptions, ReadStats};
use spl_runtime::rule::Rule;
use spl_runtime::Record;

use crate::inputs::{macro_table, show};
use crate::output::{RuleLabel, Sink};
use crate::progress::{Progress, Summary};
use crate::{Engine, RunArgs};

/// Events read and not yet run through the pack, with their positions in their input.
#[derive(Default)]
struct Batch {
    events: Vec<Record>,
    positions: Vec<usize>,
}

impl Batch {
    /// Run the batch's events through the pack (with their candidates, when worked out
    /// ahead); `emit` receives each row with the position of its event in its input,
    /// until it fails.
    fn run(
        &mut self,
        pack: &mut RulePack,
        candidates: &Candidates,
        threads: NonZeroUsize,
        emit: &mut dyn FnMut(usize, RuleIndex, Record) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut result = Ok(());
        let positions = &self.positions;
        let mut out = |i: usize, rule, row| {
            if result.is_ok() {
                result = emit(positions[i], rule, row);
            }
        };
        pack.push_batch_with(&mut self.events, candidates, threads, &mut out);
        self.positions.clear();
        result
    }
}

struct Loaded {
    label: RuleLabel,
    rule: EvalRule,
    streaming: bool,
}

/// The lookup data the options name.
fn lookups(args: &RunArgs) -> anyhow::Result<Lookups> {
    let mut builder = Lookups::builder();
    // --lookups directories are searched first; --transforms files override the
    // content's definitions.
    for dir in &args.lookups.dirs {
        if !dir.is_dir() {
            bail!("--lookups {}: not a directory", dir.display());
        }
        builder = builder.dir(dir);
    }
    for dir in &args.macros.content {
        builder = builder
            .content_dir(dir)
            .with_context(|| format!("reading lookups from --content {}", dir.display()))?;
    }
    for file in &args.lookups.transforms {
        builder = builder
            .transforms_file(file)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    if let Some(path) = &args.lookups.geoip {
        let geoip = spl_runtime::geoip::GeoIp::open(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        builder = builder.geoip(geoip);
    }
    Ok(builder.build())
}

/// Print the warnings of `lookups` and `datamodels` not printed yet (`printed`: how many
/// of each were).
fn print_warnings(lookups: &Lookups, datamodels: &DataModels, printed: &mut (usize, usize)) {
    for (warnings, done) in [
        (lookups.warnings(), &mut printed.0),
        (datamodels.warnings(), &mut printed.1),
    ] {
        for w in warnings.iter().skip(*done) {
            eprintln!("warning: {w}");
        }
        *done = warnings.len();
    }
}

/// The rules the options name (`--rule` paths, then `--spl` texts), each with the name
/// it is shown by and what compiling it gave. No rule at all is an error.
pub fn compile_rules(
    args: &RunArgs,
) -> anyhow::Result<Vec<(String, Result<CompiledRule, CompileErrors>)>> {
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
    Ok(compiled)
}

/// How the options say to read events: the `--input-format` (none: by extension or
/// content) and the reader's options (field aliases, time field, limits).
pub fn read_options(args: &RunArgs) -> anyhow::Result<(Option<InputFormat>, ReadOptions)> {
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
        limits: args.limits.limits(),
    };
    Ok((format, options))
}

/// Where the rows go: the `--output` file, or standard output.
pub fn output(args: &RunArgs) -> anyhow::Result<Box<dyn Write>> {
    Ok(match &args.output {
        Some(path) => Box::new(BufWriter::new(std::fs::File::create(path).with_context(
            || format!("cannot create the output file {}", path.display()),
        )?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Whether `path` names a Parquet file (by its extension, `.parquet`), which only the
/// DataFusion engine reads.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Run the command; `Ok(false)` when a rule did not compile, an input was skipped, or a
/// rule stopped before giving all its rows.
pub fn run(args: &RunArgs) -> anyhow::Result<bool> {
    match args.engine {
        Engine::Evaluator => {}
        #[cfg(feature = "datafusion")]
        Engine::Datafusion => return crate::run_datafusion::run(args),
        #[cfg(not(feature = "datafusion"))]
        Engine::Datafusion => bail!(
            "--engine datafusion: this splc was built without DataFusion; build it with `--features datafusion` (cargo build -p splc --features datafusion)"
        ),
    }
    let compiled = compile_rules(args)?;
    let mut all_ok = true;
    let mut rules = Vec::new();
    let lookups = lookups(args)?;
    let datamodels = match &args.datamodels {
        None => DataModels::builtin(),
        Some(path) => DataModels::with_user_file(path).map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let run_options = RunOptions {
        memory_budget: args.memory_budget,
        temp_dir: None,
        lookups: lookups.clone(),
        datamodels: datamodels.clone(),
    };
    for (name, result) in compiled {
        match result {
            Ok(c) => rules.push(Loaded {
                label: RuleLabel::new(
                    rule_name(&name, &c),
                    c.rule.id.clone(),
                    c.rule.title.clone(),
                ),
                streaming: c.program.is_streaming(),
                rule: EvalRule::from_compiled_with(&c, run_options.clone()),
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
                r.label.name
            );
        }
    }
    let mut warned = (0, 0);
    print_warnings(&lookups, &datamodels, &mut warned);
    let (format, options) = read_options(args)?;
    let inputs = expand_inputs(&args.inputs)?;
    if let Some(path) = inputs.iter().find_map(|i| match i {
        Input::File(path) if is_parquet(path) => Some(path),
        _ => None,
    }) {
        bail!(
            "{}: a Parquet file is read only by the DataFusion engine (--engine datafusion, in a splc built with --features datafusion)",
            path.display()
        );
    }
    let mut out = output(args)?;
    let mut stats = ReadStats::default();
    let mut rows = vec![0u64; rules.len()];
    let (labels, rules): (Vec<RuleLabel>, Vec<Box<dyn Rule>>) = rules
        .into_iter()
        .map(|r| (r.label, Box::new(r.rule) as Box<dyn Rule>))
        .unzip();
    let mut sink = Sink::new(args.format, labels);
    let mut pack = if args.no_index {
        RulePack::without_index(rules)
    } else {
        RulePack::new(rules)
    };
    let threads = match args.threads {
        Some(n) => n,
        None => std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
    };
    let mut batch = Batch::default();
    let several_inputs = inputs.len() > 1;
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let mut report = Report::new(
        args.strict,
        Progress::new(show_progress, inputs.len(), total_bytes(&inputs)),
    );
    for (i, input) in inputs.iter().enumerate() {
        report.progress.file(i);
        let (path, opened) = match input {
            // An EVTX file is read by seeking in it: opened by path (its bytes are not
            // counted for the progress bar).
            Input::File(path) if is_evtx(path, format) => {
                (path.as_path(), read::open(path, format, options.clone()))
            }
            Input::File(path) => (
                path.as_path(),
                std::fs::File::open(path)
                    .map_err(|source| read::ReadError::Open {
                        path: path.clone(),
                        source,
                    })
                    .and_then(|file| {
                        read::open_stream(
                            report.progress.count(file),
                            path,
                            format,
                            options.clone(),
                        )
                    }),
            ),
            Input::Stdin => (
                Path::new(STDIN),
                read::open_stream(
                    report.progress.count(std::io::stdin()),
                    Path::new(STDIN),
                    format,
                    options.clone(),
                ),
            ),
            Input::Skip { path, reason } => {
                report.input_skipped(path, reason)?;
                continue;
            }
        };
        let reader = match opened {
            Ok(reader) => reader,
            Err(e) => {
                report.input_skipped(path, &e)?;
                continue;
            }
        };
        let input = path;
        // With threads to spare, events are read on a thread of their own, which works
        // out their candidate rules too; the other threads run the rules' searches.
        let mut batches = read::Batches::new(reader, &pack, threads);
        let matching = batches.matching_threads();
        let mut dropped_before = false;
        let mut last_line = None;
        let mut emit = |index: usize, rule: RuleIndex, row: Record| -> anyhow::Result<()> {
            rows[rule as usize] += 1;
            if !args.line_numbers {
                return sink.row(&mut out, rule as usize, row);
            }
            // One line per event that gave rows, however many it gave.
            if last_line != Some(index) {
                last_line = Some(index);
                if several_inputs {
                    writeln!(out, "{}:{index}", input.display())?;
                } else {
                    writeln!(out, "{index}")?;
                }
            }
            Ok(())
        };
        let mut ended = false;
        while let Some((items, candidates)) = batches.next_batch() {
            for item in items {
                stats.count(&item);
                let event = match item {
                    Ok(event) => event,
                    Err(e) if e.is_fatal() => {
                        report.input_skipped(input, &e)?;
                        ended = true;
                        break;
                    }
                    Err(e) => {
                        report.line(format_args!("{}: {e}", input.display()))?;
                        continue;
                    }
                };
                if let (Some(dropped), false) = (&event.dropped, dropped_before) {
                    dropped_before = true;
                    report.line(format_args!(
                    "{}: line {}: event {}: {dropped}; later events of this input with fields left out are counted, not listed",
                    input.display(),
                    event.line,
                    event.index
                ))?;
                }
                batch.events.push(event.record);
                batch.positions.push(event.index);
            }
            // A batch holds events of one input (the line numbers name it).
            batch.run(&mut pack, &candidates, matching, &mut emit)?;
            report.progress.update(stats.events);
            if ended {
                break;
            }
        }
    }
    // Blocking commands release their rows here, possibly millions: each goes to the
    // output as it comes.
    let mut written = Ok(());
    let stopped = pack.finish(&mut |rule, row| {
        rows[rule as usize] += 1;
        if written.is_ok() && !args.line_numbers {
            written = sink.row(&mut out, rule as usize, row);
        }
    });
    written?;
    print_warnings(&lookups, &datamodels, &mut warned);
    let stopped_rules = stopped.len();
    for (rule, e) in stopped {
        report.line(format_args!(
            "{}: the rule stopped, its results are incomplete: {e}",
            sink.labels()[rule as usize].name
        ))?;
    }
    sink.finish(&mut out)?;
    out.flush()?;
    let skipped_inputs = report.finish(args.quiet, inputs.len(), &stats, sink.labels(), &rows)?;
    Ok(all_ok && skipped_inputs == 0 && stopped_rules == 0)
}

/// Whether `path` is read as EVTX by its name or the `--input-format`.
fn is_evtx(path: &Path, format: Option<InputFormat>) -> bool {
    format.or_else(|| InputFormat::from_extension(path)) == Some(InputFormat::Evtx)
}

/// How standard input is named (`-` on the command line).
pub const STDIN: &str = "-";

/// The bytes of the inputs when they are all files (for the progress bar's total).
fn total_bytes(inputs: &[Input]) -> Option<u64> {
    inputs.iter().try_fold(0u64, |total, input| match input {
        Input::File(path) => Some(total + std::fs::metadata(path).ok()?.len()),
        Input::Skip { .. } => Some(total),
        Input::Stdin => None,
    })
}

/// What `splc run` says about its inputs on standard error, buffered (a file of millions
/// of bad lines gives millions of messages). Standard error is not held locked: the
/// progress bar's thread draws on it too.
pub struct Report {
    /// Standard error, buffered.
    err: BufWriter<std::io::Stderr>,
    strict: bool,
    /// Inputs that could not be read, or not to the end.
    skipped_inputs: u64,
    /// The bar drawn on standard error (lines are written around it).
    progress: Progress,
}

impl Report {
    /// The end of a run: the bar stops; unless `quiet`, the reading statistics (and the
    /// inputs skipped), then each rule's rows and the time taken. Returns how many inputs
    /// were skipped.
    pub fn finish(
        &mut self,
        quiet: bool,
        inputs: usize,
        stats: &ReadStats,
        labels: &[RuleLabel],
        rows: &[u64],
    ) -> anyhow::Result<u64> {
        let elapsed = self.progress.finish();
        let skipped_inputs = self.skipped_inputs;
        if !quiet {
            if skipped_inputs > 0 {
                self.line(format_args!("{stats}; {skipped_inputs} input(s) skipped"))?;
            } else {
                self.line(format_args!("{stats}"))?;
            }
            let summary = Summary {
                inputs,
                inputs_skipped: skipped_inputs,
                stats,
                rows: labels
                    .iter()
                    .map(|l| l.name.as_str())
                    .zip(rows.iter().copied())
                    .collect(),
                elapsed,
            };
            self.line(format_args!("{summary}"))?;
        }
        self.err.flush()?;
        Ok(skipped_inputs)
    }

    /// A report, stopping at the first input skipped when `strict`.
    pub fn new(strict: bool, progress: Progress) -> Self {
        Report {
            err: BufWriter::new(std::io::stderr()),
            strict,
            skipped_inputs: 0,
            progress,
        }
    }

    /// Write a line (above the progress bar, if drawn).
    pub fn line(&mut self, text: std::fmt::Arguments<'_>) -> std::io::Result<()> {
        let err = &mut self.err;
        self.progress.suspend(|| {
            writeln!(err, "{text}")?;
            // With a bar on the terminal, the line shows now, above it.
            if self.progress.is_drawn() {
                err.flush()?;
            }
            Ok(())
        })
    }

    /// An input that cannot be read: reported and counted, or with `--strict`, the end
    /// of the run.
    pub fn input_skipped(
        &mut self,
        path: &Path,
        reason: &dyn std::fmt::Display,
    ) -> anyhow::Result<()> {
        self.skipped_inputs += 1;
        if self.strict {
            self.err.flush()?;
            self.progress.finish();
            bail!(
                "stopped at the first input that cannot be read (--strict): {}: {reason}",
                path.display()
            );
        }
        self.line(format_args!("{}: input skipped: {reason}", path.display()))?;
        Ok(())
    }
}

/// The name a rule's rows show (`_rule`): its file's stem, else the name it was given
/// (`spl-N`).
pub fn rule_name(shown: &str, c: &CompiledRule) -> String {
    c.rule
        .path
        .as_deref()
        .and_then(std::path::Path::file_stem)
        .map_or_else(|| shown.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// One input of `splc run`.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// A file to read.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// A directory entry that is not a file to read, and why.
    Skip {
        /// The entry.
        path: PathBuf,
        /// Why it is not read.
        reason: String,
    },
}

/// The inputs: each path as given (whatever it is: a file, a pipe, a device), a directory
/// replaced by its entries (sorted, not recursive, hidden ones left out). An entry that
/// is not a regular file (a directory, a FIFO, a socket, a device, a dangling symbolic
/// link) or cannot be inspected is an [`Input::Skip`], to report, and so is a directory
/// that cannot be listed. A path given that does not exist is an error.
pub fn expand_inputs(inputs: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut out = Vec::new();
    for i in inputs {
        if i.as_os_str() == STDIN {
            if out.contains(&Input::Stdin) {
                bail!("standard input (`-`) can be read only once");
            }
            out.push(Input::Stdin);
        } else if i.is_dir() {
            let entries = match std::fs::read_dir(i) {
                Ok(entries) => entries,
                Err(e) => {
                    out.push(Input::Skip {
                        path: i.clone(),
                        reason: format!("cannot list the directory: {e}"),
                    });
                    continue;
                }
            };
            let mut found = Vec::new();
            for entry in entries {
                match entry {
                    Ok(entry) => found.push(entry.path()),
                    Err(e) => out.push(Input::Skip {
                        path: i.clone(),
                        reason: format!("cannot list the directory: {e}"),
                    }),
                }
            }
            found.retain(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            });
            found.sort();
            out.extend(found.into_iter().map(directory_entry));
        } else if i.exists() {
            out.push(Input::File(i.clone()));
        } else {
            bail!("input {} does not exist", i.display());
        }
    }
    Ok(out)
}

/// A directory entry as an input: a regular file (or a link to one) is read, anything
/// else is a skip saying what it is.
fn directory_entry(path: PathBuf) -> Input {
    let reason = match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => return Input::File(path),
        Ok(meta) if meta.is_dir() => {
            "a directory (inputs in directories are not searched recursively)".to_owned()
        }
        Ok(meta) => format!("not a regular file but {}", special_kind(&meta.file_type())),
        Err(e) => match std::fs::symlink_metadata(&path) {
            Ok(link) if link.file_type().is_symlink() => {
                format!("a symbolic link that cannot be followed: {e}")
            }
            _ => format!("cannot inspect it: {e}"),
        },
    };
    Input::Skip { path, reason }
}

/// What a file that is neither a regular file nor a directory is.
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    let _ = kind;
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("splc-run-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        dir
    }

    fn reason(inputs: &[Input], name: &str) -> Option<String> {
        inputs.iter().find_map(|i| match i {
            Input::Skip { path, reason } if path.ends_with(name) => Some(reason.clone()),
            _ => None,
        })
    }

    #[cfg(unix)]
    #[test]
    fn directory_entries_that_are_not_files_are_skips_with_reasons() {
        let dir = scratch("entries");
        std::fs::write(dir.join("a.jsonl"), "{}\n").expect("write");
        std::fs::write(dir.join(".hidden.jsonl"), "{}\n").expect("write");
        std::fs::create_dir(dir.join("sub")).expect("mkdir");
        std::os::unix::fs::symlink(dir.join("gone"), dir.join("dangling.jsonl")).expect("link");
        std::os::unix::fs::symlink(dir.join("a.jsonl"), dir.join("link.jsonl")).expect("link");
        let _socket =
            std::os::unix::net::UnixListener::bind(dir.join("sock")).expect("bind a socket");
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .is_ok_and(|s| s.success());

        let inputs = expand_inputs(std::slice::from_ref(&dir)).expect("a directory");
        let files: Vec<&PathBuf> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File(p) => Some(p),
                Input::Skip { .. } | Input::Stdin => None,
            })
            .collect();
        assert_eq!(files, [&dir.join("a.jsonl"), &dir.join("link.jsonl")]);
        let dangling = reason(&inputs, "dangling.jsonl").expect("reported");
        assert!(dangling.contains("symbolic link"), "{dangling}");
        let sub = reason(&inputs, "sub").expect("reported");
        assert!(sub.contains("directory"), "{sub}");
        let sock = reason(&inputs, "sock").expect("reported");
        assert!(sock.contains("socket"), "{sock}");
        if fifo {
            let fifo = reason(&inputs, "fifo").expect("reported");
            assert!(fifo.contains("FIFO"), "{fifo}");
        }
        assert_eq!(inputs.len(), 5 + usize::from(fifo), "{inputs:?}");
        // In order: the entries sorted by path.
        let order: Vec<&PathBuf> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File(p) | Input::Skip { path: p, .. } => Some(p),
                Input::Stdin => None,
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
    }

    #[test]
    fn paths_given_are_taken_as_they_are() {
        let dir = scratch("given");
        let file = dir.join("x.log");
        std::fs::write(&file, "a=1\n").expect("write");
        let inputs = expand_inputs(std::slice::from_ref(&file)).expect("a file");
        assert_eq!(inputs, [Input::File(file)]);
        assert!(expand_inputs(&[dir.join("missing.log")]).is_err());
    }
}
