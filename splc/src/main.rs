//! `splc`: check, compile, explain and run SPL detection rules.
//!
//! A thin command-line layer over the splc crates: `spl-grammar` (rule files, parsing,
//! macros), `spl-compiler` (lowering, code generation) and `spl-runtime` (events, rules).

mod check;
mod inputs;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
}

/// Options shared by commands that read rules.
#[derive(clap::Args, Debug, Clone)]
struct MacroArgs {
    /// A Splunk macros.conf with macro definitions (repeatable; later files win).
    #[arg(long = "macros", value_name = "FILE")]
    macros: Vec<PathBuf>,
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

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human-readable lines and rendered diagnostics.
    Text,
    /// One JSON object per rule, one per line.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
