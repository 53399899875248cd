//! `splc`: check, compile, explain and run SPL detection rules.
//!
//! A thin command-line layer over the splc crates: `spl-grammar` (rule files, parsing,
//! macros), `spl-compiler` (lowering, code generation, explanation), `spl-engine` (`run`
//! evaluates rules in process with `EvalRule`) and `spl-runtime` (event readers, field
//! aliases). One module per subcommand (`check`, `compile`, `explain`, `run`); `inputs`
//! finds rule files and builds the macro table, `table` prints aligned tables.
//!
//! Rule diagnostics are rendered with `path:line:col`, the source line and a caret:
//! `check` prints them on standard output (or as JSON lines with `--format json`), the
//! other commands on standard error. `run` reports each skipped event and the event
//! counts on standard error.
//!
//! Exit status: 0 when every rule compiled (for `check`: loaded, parsed, expanded and
//! lowered); 1 when some rule did not, the others still being processed (for `run`, also
//! when an input was skipped, or a rule stopped because a blocking command could not spill
//! rows to disk); 2 for any other error (bad arguments, a file that cannot be read),
//! printed as `error: ...`.

mod check;
mod compile;
mod explain;
mod inputs;
mod output;
mod progress;
mod run;
#[cfg(feature = "datafusion")]
mod run_datafusion;
mod table;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Events, their fields and the rows made from them are many small allocations, freed on
/// another thread than the reader's when several threads run: mimalloc serves both
/// faster than the system allocator (the benchmark pack over 187,050 events, runs of
/// each interleaved: 13–18% less CPU time on one thread, 8–13% less wall time on two),
/// for some more memory held.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use spl_runtime::read::Limits;

/// Compile Splunk SPL detection rules and run them without Splunk.
#[derive(Parser, Debug)]
#[command(name = "splc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check that rules load, parse, expand their macros and lower to the IR.
    Check(CheckArgs),
    /// Print the Rust code each rule compiles to (what `spl_compiler::Builder` emits for
    /// it), or its IR with `--ir`.
    Compile(CompileArgs),
    /// Summarise each rule: metadata, stages, prefilter literals, search terms and
    /// indicators.
    Explain(ExplainArgs),
    /// Run rules over event files and print the result rows.
    Run(Box<RunArgs>),
}

/// Options shared by commands that read rules.
#[derive(clap::Args, Debug, Clone)]
struct MacroArgs {
    /// A Splunk macros.conf with macro definitions (repeatable; later files win).
    #[arg(long = "macros", value_name = "FILE")]
    macros: Vec<PathBuf>,
    /// A content directory: a checkout of Splunk's content catalog (macros/*.yml,
    /// lookups/*.yml) or a Splunk app (default/macros.conf, default/transforms.conf,
    /// lookups/). Its macros come before --macros files; with it, `*_filter` macros
    /// default to `search *` and drop_dm_object_name(1) is built in (repeatable).
    #[arg(long = "content", value_name = "DIR")]
    content: Vec<PathBuf>,
    /// Expand macros that have no definition to nothing (with a note) instead of failing.
    #[arg(long)]
    undefined_macros_empty: bool,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    macros: MacroArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Rule files (.yml, .yaml, .spl) or directories searched recursively.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct CompileArgs {
    #[command(flatten)]
    macros: MacroArgs,
    /// Print the IR (the stable text form) instead of Rust code.
    #[arg(long, conflicts_with = "datafusion")]
    ir: bool,
    /// Print each rule's Apache DataFusion plans instead of Rust code: the logical plan
    /// after DataFusion's optimizer, then the physical plan (what `EXPLAIN` shows). The
    /// plans are made over an empty table with a text column for each field the rule reads
    /// (and `_raw`, `_time`), or with `--input`, over that file's events. A rule DataFusion
    /// does not run is reported on standard error. Needs a splc built with `--features
    /// datafusion`.
    #[arg(long)]
    datafusion: bool,
    /// With `--datafusion`: plan over this file instead of an empty table: a `.parquet`
    /// file (the plan shows the predicate pushed into its scan), or any event file `splc
    /// run` reads, read into memory (its fields and their types decide the columns).
    #[arg(long, value_name = "FILE", requires = "datafusion")]
    input: Option<PathBuf>,
    /// Write to FILE instead of stdout (only when every rule compiled).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rule files (.yml, .yaml, .spl) or directories searched recursively.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ExplainArgs {
    #[command(flatten)]
    macros: MacroArgs,
    /// Explain the rules as one pack: what the pack-wide index looks for, and how many
    /// rules it cannot narrow down (they see every event), instead of each rule.
    #[arg(long)]
    pack: bool,
    /// A directory of rules to count indicators and search terms in (repeatable): each
    /// indicator and term of an explained rule shows how many *other* rules there look
    /// for the same (the "corpus" column of a detection catalog's rule page).
    #[arg(long = "corpus", value_name = "DIR")]
    corpus: Vec<PathBuf>,
    /// Output format: text, or one JSON object per rule (one per line).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A rule given as SPL text (repeatable).
    #[arg(long = "spl", value_name = "TEXT")]
    spl: Vec<String>,
    /// Rule files (.yml, .yaml, .spl) or directories searched recursively.
    #[arg(value_name = "PATH", required_unless_present = "spl")]
    paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// A rule file, or a directory of rule files (repeatable).
    #[arg(long = "rule", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// A rule given as SPL text (repeatable).
    #[arg(long = "spl", value_name = "TEXT")]
    spl: Vec<String>,
    #[command(flatten)]
    macros: MacroArgs,
    /// Output format of the result rows.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,
    /// What runs the rules.
    #[arg(long, value_enum, default_value_t = Engine::Evaluator)]
    engine: Engine,
    /// Input format (default: from the file extension, or sniffed from the content):
    /// jsonl, xml, text, wineventlog, evtx.
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<String>,
    /// Field aliases: a mapping file replacing the built-in one, or `none`.
    #[arg(long, value_name = "FILE|none")]
    mapping: Option<String>,
    /// Data-model mappings (YAML) for `tstats`, `from datamodel` and `datamodel`: they
    /// are added to the built-in ones (Sysmon, Windows Security), a mapping of the same
    /// name replacing the built-in one (docs/semantics.md, "Data models").
    #[arg(long, value_name = "FILE")]
    datamodels: Option<PathBuf>,
    /// The JSON field holding the event time (default: _time, timestamp, time).
    #[arg(long, value_name = "FIELD")]
    time_field: Option<String>,
    /// Print the 0-based position of each event that passes (its line in a JSON-lines
    /// file, its record in an XML file) instead of result rows; for searches without
    /// transforming commands.
    #[arg(long)]
    line_numbers: bool,
    /// Stop at the first input that cannot be read (exit status 2), instead of reporting
    /// it, going on, and exiting with status 1 at the end.
    #[arg(long)]
    strict: bool,
    /// Try every rule on every event, without the pack-wide index that sends each event
    /// only to the rules it can match (the rows are the same; for comparison).
    #[arg(long)]
    no_index: bool,
    /// How many threads match events against the rules (default: one per core). The rows
    /// and their order are the same whatever the number.
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,
    /// The memory each blocking command (`sort` without a count, `eventstats`) may hold
    /// rows in; past it, the command spills rows to temporary files (in TMPDIR). Bytes, or
    /// a number with a unit: K, M, G, T (powers of 1024; `512M`, `2GiB`).
    #[arg(long, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    memory_budget: usize,
    #[command(flatten)]
    lookups: LookupArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// Write the rows to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress bar and no closing summary (errors and skipped inputs are still
    /// reported).
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Event files, directories of event files, or `-` for standard input. A
    /// gzip-compressed input is decompressed as it is read. A `.parquet` file needs
    /// `--engine datafusion`, and is then the only input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

/// Where `lookup` and `iplocation` find their data.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Lookups")]
struct LookupArgs {
    /// A directory of lookup tables: `lookup NAME` reads the CSV file `NAME` or
    /// `NAME.csv` of the first directory that has it (repeatable). A `dnslookup.csv`
    /// (columns clienthost, clientip) answers `dnslookup`.
    #[arg(long = "lookups", value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// A transforms.conf with lookup definitions: a name for a file, and its match rules
    /// (match_type WILDCARD/CIDR, case_sensitive_match, max_matches, min_matches,
    /// default_match) (repeatable; later files win).
    #[arg(long = "transforms", value_name = "FILE")]
    transforms: Vec<PathBuf>,
    /// A GeoIP database in MaxMind's format (GeoLite2-City, GeoIP2-City) for
    /// `iplocation`.
    #[arg(long = "geoip", value_name = "FILE")]
    geoip: Option<PathBuf>,
}

/// Bounds on events: an event over one is skipped and reported (docs/limits.md).
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Limits (an event over one is skipped and reported)")]
struct LimitArgs {
    /// The largest event in bytes: a line, an <Event> element, a classic record.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_event_bytes)]
    max_event_bytes: usize,
    /// The most fields one event may have, _raw and _time included.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_fields)]
    max_fields: usize,
    /// The deepest nesting of JSON objects and arrays, or of XML elements.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// The most values one event may have, all fields together, _raw and _time included
    /// (in XML, also the most nodes of one <Event>).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_values)]
    max_values: usize,
    /// In XML, the most attributes one element may have.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_attributes)]
    max_attributes: usize,
    /// The most distinct field names kept; a field with a new name past it is left out
    /// of its event, and reported.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_field_names)]
    max_field_names: usize,
    /// The longest field name kept, in bytes; a longer one is left out of its event, and
    /// reported.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_field_name_bytes)]
    max_field_name_bytes: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_event_bytes: self.max_event_bytes,
            max_fields: self.max_fields,
            max_depth: self.max_depth,
            max_values: self.max_values,
            max_attributes: self.max_attributes,
            max_field_names: self.max_field_names,
            max_field_name_bytes: self.max_field_name_bytes,
        }
    }
}

/// A size in bytes: a number, with an optional unit `K`, `M`, `G` or `T` (powers of 1024;
/// `KiB`, `KB` and lower case are accepted too).
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "`{text}`: not a size (a number of bytes, or with K, M, G, T)"
            ))
        }
    };
    let n: usize = number
        .parse()
        .map_err(|_| format!("`{text}`: not a size (a number of bytes, or with K, M, G, T)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}`: too large"))
}

/// How `splc run` prints rows.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// One JSON object per row; `_rule` names the rule that produced it.
    Jsonl,
    /// An aligned table per rule; `_time` as ISO 8601 UTC.
    Table,
    /// One CSV document: a header of `_rule` and every field met, a row per result row;
    /// a multivalue field's values one per line in its cell; `_time` as ISO 8601 UTC.
    Csv,
}

/// What `splc run` runs rules with.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Engine {
    /// splc's own evaluator: events are read once, each sent to the rules that can match
    /// it; streaming rules' rows come as their events are read, interleaved.
    Evaluator,
    /// Apache DataFusion (needs a splc built with `--features datafusion`): the event
    /// files are read into one in-memory table, or one `.parquet` file (in spl-datafusion's
    /// column model) is scanned, filters pushed into the scan. Each rule is a query over
    /// the table; rows come rule after rule, each rule's in its events' order (the same
    /// rows, but a number `stats` or `eval` computes is text, a string in JSON, and the
    /// fields of `values(*) as *` may come in another order). A rule with
    /// a command DataFusion does not run is reported on standard error by name and
    /// command, the others run (exit status 1). Not with --line-numbers; --no-index,
    /// --memory-budget, --lookups, --transforms, --geoip and --datamodels have no
    /// effect; --threads sets DataFusion's threads.
    Datafusion,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human-readable lines and rendered diagnostics.
    Text,
    /// One JSON object per rule, one per line.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Each command compiles a rule after another: one stack with room for all.
    let result = spl_compiler::with_stack_for_many(|| match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Run(args) => run::run(&args),
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("64 kb"), Ok(64 << 10));
        assert_eq!(parse_size("0"), Ok(0));
        for bad in ["", "M", "12X", "-1", "1.5G", "99999999999999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
