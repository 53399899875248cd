//! The pest parser generated from `spl.pest`.

use pest_derive::Parser;

/// The generated parser; [`Rule`] names the grammar rules.
#[derive(Parser)]
#[grammar = "spl.pest"]
pub(crate) struct SplParser;
