//! The `detect!` procedural macro, which compiles an SPL rule into a Rust type at build time.
//!
//! The macro is added together with code generation in `spl-compiler`; until then this
//! crate exports nothing.

#![forbid(unsafe_code)]
