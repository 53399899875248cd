//! Helpers shared by the runtime's integration tests (each test binary uses some of them).

#![allow(dead_code)]

use spl_runtime::{Record, Value};

/// The fields of a record but `_raw`, in order, with their values.
pub fn fields(record: &Record) -> Vec<(&'static str, Value)> {
    record
        .iter()
        .filter(|(f, _)| f.name() != "_raw")
        .map(|(f, v)| (f.name(), v.clone()))
        .collect()
}

/// A single value.
pub fn s(v: &str) -> Value {
    Value::Str(v.to_owned())
}

/// A multivalue.
pub fn m(v: &[&str]) -> Value {
    Value::Multi(v.iter().map(|x| (*x).to_owned()).collect())
}

/// xorshift64*: deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn string(&mut self, alphabet: &[&str], min_len: usize, max_len: usize) -> String {
        let len = min_len + self.below(max_len - min_len + 1);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}
