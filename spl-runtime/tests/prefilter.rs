//! The prefilter is a necessary condition: it never rejects an event whose `_raw` holds a
//! literal of every clause (ASCII case ignored), and it checks the compiler's chosen clause
//! exactly.

use spl_runtime::prefilter::Prefilter;

mod common;

use common::Rng;

/// Few symbols, so that literals often occur, overlap and repeat; both cases; a
/// multi-byte character; `z` and `q` so that windows have rare bytes to prefer.
const ALPHABET: &[&str] = &["a", "A", "b", "B", "z", "Q", "1", " ", "é"];

fn contains_ci(hay: &str, lit: &str) -> bool {
    hay.to_ascii_lowercase().contains(&lit.to_ascii_lowercase())
}

#[test]
fn never_rejects_an_event_that_satisfies_every_clause() {
    let mut rng = Rng(0x5DEE_CE66_D1CE_5EED);
    let mut admitted_by_all = 0;
    for _ in 0..30_000 {
        let clauses: Vec<Vec<String>> = (0..1 + rng.below(4))
            .map(|_| {
                (0..1 + rng.below(4))
                    .map(|_| rng.string(ALPHABET, 1, 7))
                    .collect()
            })
            .collect();
        let p = Prefilter::of(&spl_runtime::ir::Prefilter::from_clauses(clauses.clone()));
        for _ in 0..8 {
            let raw = rng.string(ALPHABET, 0, 40);
            let every = clauses
                .iter()
                .all(|c| c.iter().any(|lit| contains_ci(&raw, lit)));
            let admits = p.admits(&raw);
            if every {
                admitted_by_all += 1;
                assert!(admits, "{clauses:?} rejected {raw:?}");
            }
            // The chosen clause is checked exactly.
            let chosen = p.literals();
            assert!(
                chosen.is_empty()
                    || clauses.iter().any(|c| chosen
                        .iter()
                        .all(|lit| c.iter().any(|l| l.to_ascii_lowercase() == *lit))),
                "{chosen:?} is not from {clauses:?}"
            );
            let want = chosen.is_empty() || chosen.iter().any(|lit| contains_ci(&raw, lit));
            assert_eq!(admits, want, "{clauses:?} (checks {chosen:?}) on {raw:?}");
        }
    }
    assert!(
        admitted_by_all > 1000,
        "too few positive cases: {admitted_by_all}"
    );
}

#[test]
fn many_and_long_literals() {
    let lits: Vec<String> = (0..40).map(|i| format!("abcdefgh{i}")).collect();
    let p = Prefilter::new(&lits);
    assert!(p.admits("xx ABCDEFGH39 yy"));
    assert!(p.admits("abcdefgh0"));
    assert!(!p.admits("abcdefgh abcdefg1"));
    // One long literal.
    let p = Prefilter::new(&["Microsoft-Windows-Sysmon"]);
    assert!(p.admits("<Provider Name='MICROSOFT-windows-SYSMON'/>"));
    assert!(!p.admits("Microsoft-Windows-Sysmo"));
}
