//! `splc run --engine`: Parquet inputs need the DataFusion engine, and a splc built
//! without the `datafusion` feature says how to get it.

mod common;

use common::{scratch, splc, stderr};

#[test]
fn a_parquet_input_with_the_evaluator_is_an_error() {
    let dir = scratch("engine_parquet");
    let parquet = dir.join("events.parquet");
    std::fs::write(&parquet, b"PAR1").expect("write");
    let out = splc(&["run", "--spl", "a=1"], &[&parquet]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("events.parquet"), "{err}");
    assert!(err.contains("--engine datafusion"), "{err}");
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn without_the_feature_the_datafusion_engine_says_how_to_build_it() {
    let dir = scratch("engine_without");
    let events = dir.join("events.jsonl");
    std::fs::write(&events, "{\"a\": \"1\"}\n").expect("write");
    let out = splc(
        &["run", "--engine", "datafusion", "--spl", "a=1"],
        &[&events],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--features datafusion"),
        "{}",
        stderr(&out)
    );

    let rule = dir.join("r.spl");
    std::fs::write(&rule, "a=1\n").expect("write");
    let out = splc(&["compile", "--datafusion"], &[&rule]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--features datafusion"),
        "{}",
        stderr(&out)
    );
}
