//! The armory rule corpus (`../shared/armory`, beside the repository) compiled into Rust by
//! this crate's build script with `spl_compiler::Builder`: one type per rule that compiles,
//! with the catalog's macros (`examples/armory-macros.conf`). Without the armory the pack
//! is empty.
//!
//! [`pack::RULES`] holds every rule's metadata, [`pack::all_rules_with`] a fresh instance of
//! each, and [`pack::PATHS`] the rule file of each, in the same order.

/// The generated pack (empty without the armory: cfg `splc_armory` unset).
#[cfg(splc_armory)]
#[allow(missing_docs)]
pub mod pack {
    include!(concat!(env!("OUT_DIR"), "/armory_rules.rs"));
    include!(concat!(env!("OUT_DIR"), "/armory_paths.rs"));
}

/// The generated pack (empty without the armory: cfg `splc_armory` unset).
#[cfg(not(splc_armory))]
pub mod pack {
    use spl_runtime::pipeline::RunOptions;
    use spl_runtime::rule::{Rule, RuleInfo};

    /// The metadata of every rule of the pack: none.
    pub const RULES: &[RuleInfo] = &[];

    /// The rule file of each entry of [`RULES`]: none.
    pub const PATHS: &[&str] = &[];

    /// A fresh instance of every rule of the pack: none.
    pub fn all_rules_with(options: &RunOptions) -> Vec<Box<dyn Rule>> {
        let _ = options;
        Vec::new()
    }
}

/// True when the pack was built from the armory.
pub fn built_from_armory() -> bool {
    cfg!(splc_armory)
}
