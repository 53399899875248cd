//! Shared helpers of the workspace tests.

use std::path::PathBuf;

/// The shared armory of real rules, beside the repository (`../shared/armory`).
pub fn armory_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/armory")
}
