//! The armory's five "Package installation" rules, end to end, through all three entry
//! points (see `armory/package_installation.rs`). They need the rule corpus beside the
//! repository (`../shared/armory`); without it this test says it was skipped.

#[cfg(splc_armory)]
#[path = "armory/package_installation.rs"]
mod family;

#[cfg(not(splc_armory))]
#[test]
fn package_installation_family() {
    splc_tests::skipped("package_installation", "../shared/armory");
}
