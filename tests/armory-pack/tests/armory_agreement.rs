//! Placeholder.
#[test]
fn builds() {
    assert!(splc_armory_pack::pack::RULES.len() == splc_armory_pack::pack::PATHS.len());
}
