use std::hint::black_box;
use aho_corasick::AhoCorasick;
use criterion::{criterion_group, criterion_main, Criterion};

const RAW: &str = include_str!("/tmp/raw_sample.txt");

fn rare_rank(b: u8) -> u8 {
    // lower = rarer
    match b.to_ascii_lowercase() {
        b'q' | b'z' | b'j' | b'x' | b'k' | b'v' => 0,
        b'b' | b'p' | b'y' | b'g' | b'f' | b'w' | b'm' | b'u' => 1,
        b'c' | b'l' | b'd' | b'h' | b'r' => 2,
        b's' | b'n' | b'i' | b'o' | b'a' | b't' | b'e' => 3,
        b'0'..=b'9' => 3,
        b' ' | b'\n' | b'\t' | b'\\' | b'=' | b'.' | b':' => 4,
        _ => 1,
    }
}

struct Rare { needle: Vec<u8>, off: usize, lo: u8, hi: u8 }
impl Rare {
    fn new(n: &[u8]) -> Rare {
        let needle = n.to_ascii_lowercase();
        let off = (0..needle.len()).min_by_key(|&i| rare_rank(needle[i])).unwrap();
        Rare { lo: needle[off], hi: needle[off].to_ascii_uppercase(), off, needle }
    }
    fn find_at(&self, hay: &[u8], start: usize) -> Option<usize> {
        let mut pos = start + self.off;
        while pos < hay.len() {
            let i = memchr::memchr2(self.lo, self.hi, &hay[pos..])? + pos;
            let s = i - self.off;
            if s + self.needle.len() <= hay.len() && hay[s..s + self.needle.len()].eq_ignore_ascii_case(&self.needle) {
                return Some(s);
            }
            pos = i + 1;
        }
        None
    }
}

fn bench(c: &mut Criterion) {
    let hay = RAW.as_bytes();
    for needle in ["cmd.exe", "rundll32.exe", "eventcode=1", "eventcode=4688"] {
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).build([needle]).unwrap();
        c.bench_function(&format!("ac {needle}"), |b| b.iter(|| ac.find(black_box(hay)).map(|m| m.start())));
        let re = regex_automata::meta::Regex::new(&format!("(?i-u){}", regex_syntax::escape(needle))).unwrap();
        c.bench_function(&format!("meta {needle}"), |b| b.iter(|| re.find(black_box(hay)).map(|m| m.start())));
        let r = Rare::new(needle.as_bytes());
        c.bench_function(&format!("rare {needle}"), |b| b.iter(|| r.find_at(black_box(hay), 0)));
        let mm = memchr::memmem::Finder::new(needle);
        c.bench_function(&format!("memmem-cs {needle}"), |b| b.iter(|| mm.find(black_box(hay))));
    }
}
criterion_group!(benches, bench);
criterion_main!(benches);
