//! Randomised checks: the fast matchers agree with plain reference definitions, and no
//! function panics on arbitrary input.

use spl_runtime::cidr::Cidr;
use spl_runtime::compare::Wildcard;
use spl_runtime::eval::{func, EvalValue, LikePattern};
use spl_runtime::ir::{BinSpan, FieldPattern, Stage};
use spl_runtime::pipeline::Pipeline;
use spl_runtime::search::{CaseTerm, Term, TermExact};
use spl_runtime::time::{strftime, strptime};

mod common;

use common::Rng;

/// Splunk's default major breakers, as its documentation lists them (written out here, not
/// taken from the code under test).
const MAJOR: &[u8] = b"[]<>(){}|!;,'\"*\n\r \t&?+";

/// Splunk's default minor breakers, likewise.
const MINOR: &[u8] = b"/:=@.-$#%\\_";

fn is_major_breaker(b: u8) -> bool {
    MAJOR.contains(&b)
}

fn is_breaker(b: u8) -> bool {
    MAJOR.contains(&b) || MINOR.contains(&b)
}

/// Whole-string glob with `*`, by plain recursion.
fn glob(p: &[u8], s: &[u8], ci: bool) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..], ci)),
        Some((c, rest)) => match s.split_first() {
            Some((d, srest))
                if if ci {
                    c.eq_ignore_ascii_case(d)
                } else {
                    c == d
                } =>
            {
                glob(rest, srest, ci)
            }
            _ => false,
        },
    }
}

/// The rule for terms and phrases spelled out: some slice of `raw` matches the whole
/// pattern, with a token boundary at each end (or a wildcard/breaker at that end of the
/// pattern).
fn term_reference(p: &str, raw: &str, ci: bool) -> bool {
    let (pb, rb) = (p.as_bytes(), raw.as_bytes());
    let free_start = pb.first().is_some_and(|&b| b == b'*' || is_breaker(b));
    let free_end = pb.last().is_some_and(|&b| b == b'*' || is_breaker(b));
    (0..=rb.len()).any(|s| {
        (free_start || s == 0 || is_breaker(rb[s - 1]))
            && (s..=rb.len()).any(|e| {
                (free_end || e == rb.len() || is_breaker(rb[e])) && glob(pb, &rb[s..e], ci)
            })
    })
}

fn term_exact_reference(p: &str, raw: &str) -> bool {
    if p.bytes().any(|b| b != b'*' && is_major_breaker(b)) {
        return false;
    }
    raw.as_bytes()
        .split(|&b| is_major_breaker(b))
        .any(|seg| !seg.is_empty() && glob(p.as_bytes(), seg, true))
}

/// LIKE by recursion over characters.
fn like_reference(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('%', rest)) => (0..=s.len()).any(|i| like_reference(rest, &s[i..])),
        Some(('_', rest)) => !s.is_empty() && like_reference(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && like_reference(rest, &s[1..]),
    }
}

const RAW: &[&str] = &[
    "a", "A", "b", "B", ".", "-", " ", "/", "\\", "x", "1", "=", "é",
];
const PAT: &[&str] = &["a", "A", "b", ".", "-", " ", "/", "*", "x", "1", "é"];

#[test]
fn term_agrees_with_reference() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let p = rng.string(PAT, 0, 5);
        if p.is_empty() {
            continue;
        }
        let raw = rng.string(RAW, 0, 12);
        assert_eq!(
            Term::new(&p).is_match(&raw),
            term_reference(&p, &raw, true),
            "Term({p:?}) on {raw:?}"
        );
        assert_eq!(
            CaseTerm::new(&p).is_match(&raw),
            term_reference(&p, &raw, false),
            "CASE({p:?}) on {raw:?}"
        );
        assert_eq!(
            TermExact::new(&p).is_match(&raw),
            term_exact_reference(&p, &raw),
            "TERM({p:?}) on {raw:?}"
        );
    }
}

#[test]
fn wildcard_agrees_with_reference() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let p = rng.string(PAT, 0, 6);
        let v = rng.string(RAW, 0, 10);
        assert_eq!(
            Wildcard::new(&p, false).is_match(&v),
            glob(p.as_bytes(), v.as_bytes(), true),
            "{p:?} ~ {v:?}"
        );
        assert_eq!(
            Wildcard::new(&p, true).is_match(&v),
            glob(p.as_bytes(), v.as_bytes(), false),
            "{p:?} ~ {v:?}"
        );
    }
}

#[test]
fn like_agrees_with_reference() {
    let mut rng = Rng(7);
    let pat: &[&str] = &["a", "b", "%", "_", "é", "€"];
    let txt: &[&str] = &["a", "b", "é", "€", "x"];
    for _ in 0..20_000 {
        let p = rng.string(pat, 0, 6);
        let s = rng.string(txt, 0, 8);
        let pc: Vec<char> = p.chars().collect();
        let sc: Vec<char> = s.chars().collect();
        assert_eq!(
            LikePattern::new(&p).is_match(&s),
            like_reference(&pc, &sc),
            "{s:?} LIKE {p:?}"
        );
    }
}

/// Run `bin` over one row whose `_time` is `t`.
fn bin_time(span: BinSpan, t: f64) {
    let bin = Stage::Bin(spl_runtime::ir::BinStage {
        field: "_time".into(),
        span,
        output: "_time".into(),
    });
    let mut p = Pipeline::new()
        .with(bin)
        .with(Stage::Table(vec![FieldPattern::new("_time")]));
    let mut row = spl_runtime::Record::new();
    row.set_time(t);
    let mut out = Vec::new();
    p.push(row, &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn nothing_panics_on_arbitrary_text() {
    let mut rng = Rng(1234);
    let alphabet: &[&str] = &[
        "%", "Y", "m", "d", "H", "3", "Q", "N", "z", "Z", "s", "-", "+", ":", "/", "0", "9", "1",
        " ", "\\", "é", "x", "*", ".", "a", "(", ")", "g", "y", "[", "p", "b", "I", "j", "e", "T",
        "F",
    ];
    for _ in 0..20_000 {
        let a = rng.string(alphabet, 0, 12);
        let b = rng.string(alphabet, 0, 12);
        let t = (rng.next() as i64 >> rng.below(60)) as f64 / 1000.0;
        let _ = strftime(t, &a);
        let _ = strptime(&a, &b);
        bin_time(BinSpan::Seconds(t.abs().max(1e-3)), t);
        let _ = Cidr::parse(&a).map(|c| c.contains(&b));
        let _ = Term::new(&a).is_match(&b);
        let _ = TermExact::new(&a).is_match(&b);
        let _ = LikePattern::new(&a).is_match(&b);
        let s = |x: &str| EvalValue::from(x.to_owned());
        let n = EvalValue::Num(t);
        let _ = func::substr(s(&a), n.clone(), Some(s(&b)));
        let _ = func::substr(s(&a), s(&b), None);
        let _ = func::mvindex(s(&a), n.clone(), Some(EvalValue::Num(-t)));
        let _ = func::tonumber(s(&a), Some(s(&b)));
        let _ = func::tonumber(s(&a), Some(EvalValue::Num(16.0)));
        let _ = func::tostring(n.clone(), Some(s("hex")));
        let _ = func::tostring(n.clone(), Some(s("duration")));
        let _ = func::tostring(n.clone(), Some(s("commas")));
        let _ = func::round(n.clone(), Some(s(&b)));
        let _ = func::urldecode(s(&a));
        let _ = func::split(s(&a), s(&b));
        let _ = func::trim(s(&a), Some(s(&b)));
        let _ = func::strftime(n.clone(), s(&a));
    }
    for t in [f64::NAN, f64::INFINITY, -1e300, 1e300, f64::MIN_POSITIVE] {
        let _ = strftime(t, "%F %T %3Q");
        for span in [
            BinSpan::Seconds(1.0),
            BinSpan::Seconds(0.5),
            BinSpan::Seconds(86_400.0),
            BinSpan::Months(2),
            BinSpan::Seconds(1e-6),
        ] {
            bin_time(span, t);
        }
        let _ = func::tostring(EvalValue::Num(t), Some(EvalValue::from("hex")));
        let _ = func::tostring(EvalValue::Num(t), Some(EvalValue::from("duration")));
    }
}

/// The URL-encoded forms Splunk counts as major breakers.
const ENCODED_MAJOR: [&str; 16] = [
    "%21", "%26", "%2526", "%3b", "%7c", "%20", "%2b", "%3d", "%2520", "%5d", "%5b", "%3a", "%0a",
    "%2c", "%28", "%29",
];

/// `TERM` with URL-encoded breakers, by definition: every byte of a single-byte major
/// breaker or of an encoded one (in any case) is a breaker byte; the segments are the
/// maximal runs of other bytes; a `TERM` matches when one segment equals it (glob), and
/// never when its text holds a major breaker.
fn term_exact_encoded_reference(p: &str, raw: &str) -> bool {
    let (pb, rb) = (p.as_bytes(), raw.as_bytes());
    let has_encoded = |s: &[u8]| {
        let s = s.to_ascii_lowercase();
        ENCODED_MAJOR
            .iter()
            .any(|e| s.windows(e.len()).any(|w| w == e.as_bytes()))
    };
    if pb.iter().any(|&b| b != b'*' && is_major_breaker(b)) || has_encoded(pb) {
        return false;
    }
    let mut breaker: Vec<bool> = rb.iter().map(|&b| is_major_breaker(b)).collect();
    let lower = raw.to_ascii_lowercase();
    for e in ENCODED_MAJOR {
        for (i, _) in lower.match_indices(e) {
            breaker[i..i + e.len()].iter_mut().for_each(|b| *b = true);
        }
    }
    let mut start = 0;
    for i in 0..=rb.len() {
        if i == rb.len() || breaker[i] {
            if i > start && glob(pb, &rb[start..i], true) {
                return true;
            }
            start = i + 1;
        }
    }
    false
}

#[test]
fn term_exact_with_encoded_breakers_agrees_with_reference() {
    let raw_alphabet: &[&str] = &[
        "a", "A", "b", "2", "0", "5", "%", "%20", "%2C", "%2520", "%3b", " ", "-", "=",
    ];
    let pat_alphabet: &[&str] = &["a", "b", "2", "0", "5", "%", "-", "=", "*"];
    let mut rng = Rng(0xC0FF_EE00_D15E_A5E5);
    for _ in 0..50_000 {
        let p = rng.string(pat_alphabet, 0, 4);
        if p.is_empty() {
            continue;
        }
        let raw = rng.string(raw_alphabet, 0, 8);
        assert_eq!(
            TermExact::new(&p).is_match(&raw),
            term_exact_encoded_reference(&p, &raw),
            "TERM({p:?}) on {raw:?}"
        );
    }
}
