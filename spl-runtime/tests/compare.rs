//! Field comparisons of the search command (`docs/semantics.md`, "Search command").

use spl_runtime::cidr::{cidrmatch, is_cidr, Cidr};
use spl_runtime::compare::{compare_values, FieldMatcher, Wildcard};
use spl_runtime::ir::CmpOp;
use spl_runtime::Value;

fn s(v: &str) -> Value {
    Value::from(v)
}

fn mv(v: &[&str]) -> Value {
    Value::Multi(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn missing_field_table() {
    // Missing fields: the field absent / equal to `value2` / holding another value.
    let eq = FieldMatcher::new(CmpOp::Eq, "value2");
    assert_eq!(
        [
            eq.matches(None),
            eq.matches(Some(&s("value2"))),
            eq.matches(Some(&s("other")))
        ],
        [false, true, false]
    );
    // NOT fieldA="value2" is the caller's negation of `eq`.
    assert_eq!(
        [
            !eq.matches(None),
            !eq.matches(Some(&s("value2"))),
            !eq.matches(Some(&s("other")))
        ],
        [true, false, true]
    );
    let ne = FieldMatcher::new(CmpOp::Ne, "value2");
    assert_eq!(
        [
            ne.matches(None),
            ne.matches(Some(&s("value2"))),
            ne.matches(Some(&s("other")))
        ],
        [false, false, true]
    );
    let any = FieldMatcher::new(CmpOp::Eq, "*");
    assert_eq!(
        [
            any.matches(None),
            any.matches(Some(&s("value2"))),
            any.matches(Some(&s("other")))
        ],
        [false, true, true]
    );
    let ne_any = FieldMatcher::new(CmpOp::Ne, "*");
    assert_eq!(
        [
            ne_any.matches(None),
            ne_any.matches(Some(&s("value2"))),
            ne_any.matches(Some(&s("")))
        ],
        [false, false, false]
    );
}

#[test]
fn star_matches_empty_value() {
    assert!(FieldMatcher::new(CmpOp::Eq, "*").matches(Some(&s(""))));
    assert!(FieldMatcher::new(CmpOp::Eq, "**").matches(Some(&s(""))));
}

#[test]
fn equality_is_whole_value_and_ignores_case() {
    let m = FieldMatcher::new(CmpOp::Eq, "cmd.exe");
    assert!(m.matches(Some(&s("CMD.EXE"))));
    assert!(!m.matches(Some(&s(r"C:\x\cmd.exe"))));
    assert!(
        !FieldMatcher::new(CmpOp::Eq, "1").matches(Some(&s("1.0"))),
        "string compare"
    );
    assert!(FieldMatcher::new(CmpOp::Eq, "").matches(Some(&s(""))));
    assert!(!FieldMatcher::new(CmpOp::Eq, "").matches(Some(&s("x"))));
    assert!(FieldMatcher::new(CmpOp::Eq, "Value").matches(Some(&s("value"))));
    // CASE(): case-sensitive.
    assert!(!FieldMatcher::with_case(CmpOp::Eq, "LOCALHOST", true).matches(Some(&s("localhost"))));
    assert!(FieldMatcher::with_case(CmpOp::Eq, "LOCALHOST", true).matches(Some(&s("LOCALHOST"))));
}

#[test]
fn wildcard_values() {
    let m = FieldMatcher::new(CmpOp::Eq, r"C:\Program Files*");
    assert!(m.matches(Some(&s(r"c:\program files (x86)\a.exe"))));
    assert!(!m.matches(Some(&s(r"D:\C:\Program Files"))));
    assert!(FieldMatcher::new(CmpOp::Eq, "webserver*").matches(Some(&s("webserver01"))));
    assert!(FieldMatcher::new(CmpOp::Eq, "4*").matches(Some(&s("404"))));
    assert!(FieldMatcher::new(CmpOp::Eq, "*-enc*").matches(Some(&s("powershell -ENC abc"))));
    assert!(!FieldMatcher::new(CmpOp::Eq, "*-enc*").matches(Some(&s("powershell -e abc"))));
    assert!(FieldMatcher::new(CmpOp::Eq, "*a*b*").matches(Some(&s("xAyBz"))));
    assert!(!FieldMatcher::new(CmpOp::Eq, "*b*a").matches(Some(&s("ab"))));
}

#[test]
fn cidr_values() {
    let m = FieldMatcher::new(CmpOp::Eq, "10.10.10.0/24");
    assert!(m.matches(Some(&s("10.10.10.12"))));
    assert!(!m.matches(Some(&s("50.10.10.17"))));
    assert!(!m.matches(Some(&s("not-an-ip"))));
    let ne = FieldMatcher::new(CmpOp::Ne, "10.0.0.0/8");
    assert!(ne.matches(Some(&s("8.8.8.8"))));
    assert!(!ne.matches(Some(&s("10.1.2.3"))));
    assert!(!ne.matches(None));
    let v6 = FieldMatcher::new(CmpOp::Eq, "2001:db8::/120");
    assert!(v6.matches(Some(&s("2001:DB8::FF"))));
    assert!(!v6.matches(Some(&s("2001:db8::1:0"))));
}

#[test]
fn ne_literal_field_name_is_text() {
    // The right side is a literal: `last_Country!=Country` compares with the text
    // "Country", not with the field.
    let m = FieldMatcher::new(CmpOp::Ne, "Country");
    assert!(m.matches(Some(&s("France"))));
    let d = FieldMatcher::new(CmpOp::Ne, "0");
    assert!(d.matches(Some(&s("0.0"))));
    assert!(!d.matches(Some(&s("0"))));
    let sp = FieldMatcher::new(CmpOp::Gt, "1000");
    assert!(sp.matches(Some(&s("2000"))));
    assert!(!sp.matches(Some(&s("999"))));
}

#[test]
fn ordering_numeric_or_lexicographic() {
    assert!(
        FieldMatcher::new(CmpOp::Gt, "5").matches(Some(&s("10"))),
        "numeric"
    );
    assert!(
        FieldMatcher::new(CmpOp::Gt, "5").matches(Some(&s("abc"))),
        "lexicographic 'abc' > '5'"
    );
    assert!(
        !FieldMatcher::new(CmpOp::Lt, "9").matches(Some(&s("10"))),
        "numeric: 10 > 9"
    );
    assert!(
        FieldMatcher::new(CmpOp::Lt, "a").matches(Some(&s("Z"))),
        "uppercase sorts first"
    );
    assert!(FieldMatcher::new(CmpOp::Le, "5").matches(Some(&s("5.0"))));
    assert!(FieldMatcher::new(CmpOp::Ge, "5").matches(Some(&s("5"))));
    assert!(!FieldMatcher::new(CmpOp::Gt, "5").matches(None));
    assert!(FieldMatcher::new(CmpOp::Gt, "5").matches(Some(&Value::Num(6.0))));
    assert!(
        FieldMatcher::new(CmpOp::Lt, "x").matches(Some(&Value::Num(6.0))),
        "'6' < 'x'"
    );
    assert!(FieldMatcher::new(CmpOp::Gt, "-1").matches(Some(&s(" 0 "))));
}

#[test]
fn multivalue_fields() {
    let v = mv(&["a.exe", "cmd.exe"]);
    assert!(
        FieldMatcher::new(CmpOp::Eq, "CMD.exe").matches(Some(&v)),
        "any value"
    );
    assert!(
        !FieldMatcher::new(CmpOp::Ne, "cmd.exe").matches(Some(&v)),
        "exists and no value equals"
    );
    assert!(FieldMatcher::new(CmpOp::Ne, "b.exe").matches(Some(&v)));
    assert!(FieldMatcher::new(CmpOp::Gt, "5").matches(Some(&mv(&["1", "7"]))));
    assert!(!FieldMatcher::new(CmpOp::Gt, "5").matches(Some(&mv(&["1", "2"]))));
}

#[test]
fn in_lists() {
    let m = FieldMatcher::in_list(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.1"]);
    assert!(m.matches(Some(&s("172.20.1.1"))));
    assert!(m.matches(Some(&s("127.0.0.1"))));
    assert!(!m.matches(Some(&s("8.8.8.8"))));
    assert!(!m.matches(None));
    let p = FieldMatcher::in_list([
        r"C:\Program Files*",
        r"C:\Windows\*",
        "a.exe",
        "B.EXE",
        "c.exe",
    ]);
    assert!(p.matches(Some(&s(r"c:\windows\x.exe"))));
    assert!(p.matches(Some(&s("b.exe"))));
    assert!(p.matches(Some(&s("A.EXE"))));
    assert!(!p.matches(Some(&s("d.exe"))));
    assert!(p.matches(Some(&mv(&["zz", "C.exe"]))));
    assert!(!FieldMatcher::in_list([]).matches(Some(&s("x"))));
    // Many literals take the sorted fast path; check every one is found.
    let names: Vec<String> = (0..500).map(|i| format!("Proc{i}.EXE")).collect();
    let big = FieldMatcher::in_list(names.iter().map(String::as_str));
    for n in &names {
        assert!(big.matches_str(&n.to_lowercase()), "{n}");
    }
    assert!(!big.matches_str("proc500.exe"));
}

#[test]
fn cidr_parsing() {
    assert!(Cidr::parse("::1").is_some_and(|c| c.contains("::1") && !c.contains("::2")));
    let fe80 = Cidr::parse("FE80::/10").expect("valid");
    assert!(fe80.contains("fe80::1") && fe80.contains("febf::1") && !fe80.contains("fec0::1"));
    assert!(Cidr::parse("10.1.2.3/8").is_some_and(|c| c.contains("10.200.0.1")));
    assert!(Cidr::parse("0.0.0.0/0").is_some_and(|c| c.contains("1.2.3.4") && !c.contains("::1")));
    for bad in [
        "10.0.0.0/33",
        "10.0.0/8",
        "abc",
        "",
        "10.0.0.0/",
        "10.0.0.0/a",
        "::/129",
        "10.0.0.0/-1",
    ] {
        assert!(Cidr::parse(bad).is_none(), "{bad}");
    }
    assert!(is_cidr("10.0.0.0/8") && !is_cidr("10.0.0.1") && !is_cidr("a/b"));
    assert!(cidrmatch("10.0.0.0/8", " 10.1.1.1 "));
    assert!(
        cidrmatch("10.0.0.0/8", "::ffff:10.1.1.1"),
        "IPv4-mapped IPv6"
    );
    assert!(!cidrmatch("10.0.0.0/8", "10.1.1"));
    assert!(!cidrmatch("bogus", "10.1.1.1"));
}

#[test]
fn wildcard_and_ordering_helpers() {
    assert!(Wildcard::new("a*", false).has_wildcard());
    assert_eq!(Wildcard::new("*A*b", false).literals(), ["a", "b"]);
    assert_eq!(compare_values("10", "9"), std::cmp::Ordering::Greater);
    assert_eq!(compare_values("10", "9a"), std::cmp::Ordering::Less);
}
