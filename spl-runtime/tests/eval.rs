//! The eval value domain, operators and functions (`docs/semantics.md`, "`eval` and
//! `where`").

use std::borrow::Cow;

use spl_runtime::eval::func;
use spl_runtime::eval::{self, and, compare, not, or, xor, EvalValue, LikePattern};
use spl_runtime::eval::{call, Args};
use spl_runtime::ir::{Calling, CmpOp, Func};
use spl_runtime::regex::{Regex, Replacement};
use spl_runtime::Value;

fn s(v: &str) -> EvalValue<'static> {
    EvalValue::Str(Cow::Owned(v.to_owned()))
}

fn n(v: f64) -> EvalValue<'static> {
    EvalValue::Num(v)
}

fn mv(v: &[&str]) -> EvalValue<'static> {
    EvalValue::Multi(Cow::Owned(v.iter().map(|s| s.to_string()).collect()))
}

const NULL: EvalValue<'static> = EvalValue::Null;
const T: EvalValue<'static> = EvalValue::Bool(true);
const F: EvalValue<'static> = EvalValue::Bool(false);

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid regex")
}

#[test]
fn conversions_from_and_to_fields() {
    let v = Value::from("x");
    assert_eq!(EvalValue::from_value(Some(&v)), s("x"));
    assert_eq!(EvalValue::from_value(None), NULL);
    assert!(
        matches!(
            EvalValue::from_value(Some(&v)),
            EvalValue::Str(Cow::Borrowed(_))
        ),
        "borrowed, not copied"
    );
    assert_eq!(NULL.into_value(), None);
    assert_eq!(n(2.0).into_value(), Some(Value::Num(2.0)));
    assert_eq!(T.into_value(), Some(Value::from("True")));
    assert_eq!(mv(&["a"]).into_value(), Some(Value::from("a")));
    assert_eq!(EvalValue::from_owned(Some(Value::Multi(vec![]))), NULL);
    assert_eq!(
        s("").into_value(),
        Some(Value::from("")),
        "empty string is a value"
    );
}

#[test]
fn three_valued_logic() {
    assert_eq!(and(None, Some(false)), Some(false));
    assert_eq!(and(None, Some(true)), None);
    assert_eq!(or(None, Some(true)), Some(true));
    assert_eq!(or(None, Some(false)), None);
    assert_eq!(not(None), None);
    assert_eq!(not(Some(true)), Some(false));
    assert_eq!(xor(Some(true), Some(false)), Some(true));
    assert_eq!(xor(None, Some(false)), None);
}

#[test]
fn comparisons() {
    // `where count>2` with count="10" is numeric.
    assert_eq!(compare(CmpOp::Gt, &s("10"), &n(2.0)), T);
    assert_eq!(
        compare(CmpOp::Gt, &s("10"), &s("9")),
        T,
        "both parse as numbers"
    );
    assert_eq!(compare(CmpOp::Gt, &s("10"), &s("9a")), F, "text: '1' < '9'");
    // String equality is case-sensitive in eval (unlike the search command's `f=v`).
    assert_eq!(compare(CmpOp::Eq, &s("Value"), &s("value")), F);
    assert_eq!(
        compare(CmpOp::Eq, &s("1.0"), &s("1")),
        T,
        "numeric equality in eval"
    );
    assert_eq!(compare(CmpOp::Ne, &NULL, &s("x")), NULL);
    assert_eq!(compare(CmpOp::Eq, &s("x"), &NULL), NULL);
    // Multivalue: any value.
    assert_eq!(compare(CmpOp::Eq, &mv(&["a", "b"]), &s("b")), T);
    assert_eq!(compare(CmpOp::Gt, &mv(&["1", "2"]), &n(5.0)), F);
    assert_eq!(compare(CmpOp::Eq, &T, &T), T);
    assert_eq!(compare(CmpOp::Eq, &T, &s("True")), F);
    assert_eq!(compare(CmpOp::Lt, &s("Z"), &s("a")), T, "byte order");
    assert_eq!(compare(CmpOp::Eq, &n(5.0), &s("5")), T);
    assert_eq!(eval::equals(&s("a"), &s("a")), Some(true));
}

#[test]
fn arithmetic() {
    assert_eq!(eval::add(&s("10"), &s("5")), n(15.0));
    assert_eq!(eval::add(&s("a"), &s("b")), s("ab"));
    assert_eq!(eval::add(&s("a"), &n(1.0)), NULL);
    assert_eq!(eval::add(&NULL, &n(1.0)), NULL);
    assert_eq!(eval::sub(&n(5.0), &s("2")), n(3.0));
    assert_eq!(eval::sub(&s("x"), &n(1.0)), NULL);
    assert_eq!(eval::mul(&n(8.25), &n(0.2)), n(8.25 * 0.2));
    assert_eq!(eval::div(&n(1.0), &n(0.0)), NULL, "divide by zero");
    assert_eq!(eval::div(&n(7.0), &n(2.0)), n(3.5));
    assert_eq!(eval::rem(&n(7.0), &n(0.0)), NULL);
    assert_eq!(eval::rem(&n(-7.0), &n(3.0)), n(-1.0));
    assert_eq!(eval::neg(&s("3")), n(-3.0));
    assert_eq!(eval::add(&mv(&["1", "2"]), &n(1.0)), n(2.0), "first value");
}

#[test]
fn concatenation() {
    assert_eq!(eval::concat(&s("a"), &n(1.0)), s("a1"));
    assert_eq!(eval::concat(&n(1.5), &s("x")), s("1.5x"));
    assert_eq!(
        eval::concat(&s("1.0"), &s("x")),
        s("1.0x"),
        "strings keep their text"
    );
    assert_eq!(eval::concat(&NULL, &s("x")), NULL);
    assert_eq!(eval::concat(&T, &s("x")), NULL);
}

#[test]
fn like_patterns() {
    let p = LikePattern::new("%x%");
    assert!(
        p.is_match("0x1a4") && !p.is_match("0X1A4"),
        "case-sensitive"
    );
    assert!(LikePattern::new("a_c").is_match("abc"));
    assert!(
        LikePattern::new("a_c").is_match("aéc"),
        "`_` is one character"
    );
    assert!(!LikePattern::new("a_c").is_match("ac"));
    assert!(!LikePattern::new("a%").is_match("ba"), "whole string");
    assert!(LikePattern::new("%CRED_ACQ%").is_match("type=CRED_ACQ msg"));
    assert!(
        LikePattern::new("%CRED_ACQ%").is_match("type=CREDXACQ msg"),
        "`_` is a wildcard"
    );
    assert!(LikePattern::new("").is_match(""));
    assert!(!LikePattern::new("").is_match("a"));
    assert!(LikePattern::new("%").is_match(""));
    assert!(LikePattern::new("%a%b%").is_match("xxaxxbxx"));
    assert!(!LikePattern::new("%a%b").is_match("xxaxxbxx"));
    assert!(LikePattern::new("%__").is_match("é1"));
    assert!(!LikePattern::new("%___").is_match("é1"));
    assert_eq!(func::like(mv(&["a", "bx"]), &LikePattern::new("b%")), T);
    assert_eq!(func::like(NULL, &LikePattern::new("%")), NULL);
}

#[test]
fn conditionals() {
    assert_eq!(
        func::coalesce(NULL, [s(""), s("x")]),
        s(""),
        "empty string is not null"
    );
    assert_eq!(func::coalesce(NULL, [NULL]), NULL);
    assert_eq!(func::isnull(NULL), T);
    assert_eq!(func::isnull(s("")), F);
    assert_eq!(func::isnotnull(s("")), T);
    assert_eq!(func::null(), NULL);
    assert_eq!(func::true_(), T);
    assert_eq!(func::false_(), F);
    assert_eq!(func::nullif(n(0.0), s("0")), NULL);
    assert_eq!(func::nullif(s("a"), s("b")), s("a"));
    assert_eq!(func::in_(s("b"), [s("a"), s("b")]), T);
    assert_eq!(func::in_(s("B"), [s("a"), s("b")]), F);
    assert_eq!(func::in_(s("a*"), [s("a*")]), T, "no wildcards: literal");
    assert_eq!(func::in_(NULL, [s("a")]), NULL);
}

#[test]
fn match_and_cidrmatch() {
    let r = re("(?i)success");
    assert_eq!(func::match_(s("LOGIN SUCCESS"), &r), T);
    assert_eq!(func::match_(s("fail"), &r), F);
    assert_eq!(func::match_(NULL, &r), NULL);
    assert_eq!(func::match_(mv(&["fail", "success"]), &r), T, "any value");
    assert_eq!(func::match_(n(404.0), &re("^40")), T);
    assert_eq!(func::cidrmatch(s("10.0.0.0/8"), s("10.2.3.4")), T);
    assert_eq!(func::cidrmatch(s("10.0.0.0/8"), s("11.2.3.4")), F);
    assert_eq!(
        func::cidrmatch(s("10.0.0.0/8"), mv(&["1.1.1.1", "10.0.0.1"])),
        T
    );
    assert_eq!(func::cidrmatch(s("junk"), s("10.2.3.4")), F);
    assert_eq!(func::cidrmatch(s("10.0.0.0/8"), NULL), NULL);
}

#[test]
fn multivalue_functions() {
    assert_eq!(
        func::mvappend(s("a"), [NULL, mv(&["b", "c"]), n(1.0)]),
        mv(&["a", "b", "c", "1"])
    );
    assert_eq!(func::mvappend(NULL, []), NULL);
    assert_eq!(func::mvappend(s("a"), []), s("a"));
    assert_eq!(func::mvcount(mv(&["a", "b"])), n(2.0));
    assert_eq!(func::mvcount(s("a")), n(1.0));
    assert_eq!(func::mvcount(NULL), NULL);
    let v = mv(&["a", "b", "c", "d"]);
    assert_eq!(func::mvindex(v.clone(), n(0.0), None), s("a"));
    assert_eq!(func::mvindex(v.clone(), n(-1.0), None), s("d"));
    assert_eq!(
        func::mvindex(v.clone(), n(1.0), Some(n(2.0))),
        mv(&["b", "c"]),
        "end inclusive"
    );
    assert_eq!(
        func::mvindex(v.clone(), n(-2.0), Some(n(-1.0))),
        mv(&["c", "d"])
    );
    assert_eq!(
        func::mvindex(v.clone(), n(2.0), Some(n(10.0))),
        mv(&["c", "d"])
    );
    assert_eq!(func::mvindex(v.clone(), n(4.0), None), NULL);
    assert_eq!(func::mvindex(v.clone(), n(-5.0), None), NULL);
    assert_eq!(func::mvindex(v.clone(), n(2.0), Some(n(1.0))), NULL);
    assert_eq!(func::mvindex(s("x"), n(0.0), None), s("x"));
    assert_eq!(func::mvindex(NULL, n(0.0), None), NULL);
    let r = re("success");
    let kept = func::mvfilter(mv(&["success", "fail", "success2"]), |x| {
        func::match_(x, &r).is_true()
    });
    assert_eq!(kept, mv(&["success", "success2"]));
    assert_eq!(
        func::mvcount(func::mvfilter(mv(&["fail"]), |x| func::match_(x, &r).is_true())),
        NULL
    );
    assert_eq!(func::mvfind(mv(&["US", "FR", "DE"]), &re("FR")), n(1.0));
    assert_eq!(func::mvfind(mv(&["US"]), &re("FR")), NULL);
    assert_eq!(func::isnull(func::mvfind(mv(&["US"]), &re("FR"))), T);
    assert_eq!(
        func::mvdedup(mv(&["b", "a", "b", "c", "a"])),
        mv(&["b", "a", "c"])
    );
    assert_eq!(func::mvdedup(mv(&["a", "a"])), s("a"));
    assert_eq!(func::mvjoin(mv(&["a", "b"]), s(", ")), s("a, b"));
    assert_eq!(func::mvjoin(NULL, s(",")), NULL);
    assert_eq!(func::split(s("a,b,,c"), s(",")), mv(&["a", "b", "", "c"]));
    assert_eq!(
        func::split(s("abc"), s(";")),
        s("abc"),
        "no delimiter: one value"
    );
    assert_eq!(func::split(s("ab"), s("")), mv(&["a", "b"]));
}

#[test]
fn string_functions() {
    assert_eq!(func::len(s("héllo")), n(5.0), "characters, not bytes");
    assert_eq!(func::len(mv(&["abc", "de"])), n(3.0), "first value");
    assert_eq!(func::len(NULL), NULL);
    assert_eq!(func::len(n(100.0)), n(3.0));
    assert_eq!(func::lower(s("AbC")), s("abc"));
    assert_eq!(func::upper(s("AbC")), s("ABC"));
    let r = re(r"^\s*,\s*");
    assert_eq!(
        func::replace(s(" , a, b"), &r, &Replacement::eval("")),
        s("a, b")
    );
    let swap = re(r"(\w+)@(\w+)");
    assert_eq!(
        func::replace(s("bob@corp x@y"), &swap, &Replacement::eval(r"\2/\1")),
        s("corp/bob y/x")
    );
    assert_eq!(func::replace(NULL, &r, &Replacement::eval("")), NULL);
    assert_eq!(func::substr(s("splunk"), n(1.0), Some(n(3.0))), s("spl"));
    assert_eq!(func::substr(s("splunk"), n(-3.0), None), s("unk"));
    assert_eq!(func::substr(s("splunk"), n(3.0), None), s("lunk"));
    assert_eq!(func::substr(s("splunk"), n(0.0), Some(n(2.0))), s("sp"));
    assert_eq!(func::substr(s("splunk"), n(10.0), None), s(""));
    assert_eq!(func::substr(s("splunk"), n(-10.0), Some(n(2.0))), s("sp"));
    assert_eq!(func::substr(s("splunk"), n(2.0), Some(n(-1.0))), s(""));
    assert_eq!(func::substr(s("héllo"), n(2.0), Some(n(2.0))), s("él"));
    assert_eq!(func::trim(s(" \tx y\t "), None), s("x y"));
    assert_eq!(func::ltrim(s("  x  "), None), s("x  "));
    assert_eq!(func::rtrim(s("  x  "), None), s("  x"));
    assert_eq!(func::trim(s("xxaxx"), Some(s("x"))), s("a"));
    assert_eq!(func::trim(s("xx"), Some(s("x"))), s(""));
    assert_eq!(func::urldecode(s("a%20b+c%2Fd%zz%4")), s("a b c/d%zz%4"));
    assert_eq!(func::urldecode(s("%C3%A9")), s("é"));
}

#[test]
fn conversion_functions() {
    assert_eq!(func::tonumber(s("0x1a4"), Some(n(16.0))), n(420.0));
    assert_eq!(func::tonumber(s("1a4"), Some(n(16.0))), n(420.0));
    assert_eq!(func::tonumber(s("-101"), Some(n(2.0))), n(-5.0));
    assert_eq!(func::tonumber(s("z"), Some(n(36.0))), n(35.0));
    assert_eq!(func::tonumber(s("12"), Some(n(2.0))), NULL);
    assert_eq!(func::tonumber(s("12"), Some(n(37.0))), NULL);
    assert_eq!(func::tonumber(s(" 1.5e2 "), None), n(150.0));
    assert_eq!(func::tonumber(s("0x1a4"), None), NULL);
    assert_eq!(func::tonumber(s("abc"), None), NULL);
    assert_eq!(func::tonumber(n(3.0), None), n(3.0));
    assert_eq!(func::tonumber(NULL, None), NULL);
    assert_eq!(func::tonumber(s("0x1a4"), Some(n(16.0))), n(420.0));
    assert_eq!(func::tostring(n(3.0), None), s("3"));
    assert_eq!(func::tostring(T, None), s("True"));
    assert_eq!(func::tostring(s("x"), None), s("x"));
    assert_eq!(func::tostring(n(255.0), Some(s("hex"))), s("0xFF"));
    assert_eq!(
        func::tostring(n(1234567.891), Some(s("commas"))),
        s("1,234,567.89")
    );
    assert_eq!(func::tostring(n(-1234.0), Some(s("commas"))), s("-1,234"));
    assert_eq!(func::tostring(n(123.0), Some(s("commas"))), s("123"));
    assert_eq!(
        func::tostring(n(3725.0), Some(s("duration"))),
        s("01:02:05")
    );
    assert_eq!(
        func::tostring(n(90061.0), Some(s("duration"))),
        s("1+01:01:01")
    );
    assert_eq!(func::tostring(s("x"), Some(s("hex"))), NULL);
    assert_eq!(func::typeof_(n(1.0)), s("Number"));
    assert_eq!(func::typeof_(s("12")), s("Number"));
    assert_eq!(func::typeof_(s("x")), s("String"));
    assert_eq!(func::typeof_(T), s("Boolean"));
    assert_eq!(func::typeof_(NULL), s("Invalid"));
}

#[test]
fn math_functions() {
    assert_eq!(func::round(n(2.5), None), n(3.0));
    assert_eq!(func::round(n(-2.5), None), n(-3.0));
    assert_eq!(func::round(s("1.23456"), Some(n(2.0))), n(1.23));
    assert_eq!(func::round(s("x"), None), NULL);
    assert_eq!(func::abs(n(-2.0)), n(2.0));
    assert_eq!(func::floor(n(1.7)), n(1.0));
    assert_eq!(func::ceiling(n(1.2)), n(2.0));
    assert_eq!(func::sqrt(n(9.0)), n(3.0));
    assert_eq!(func::sqrt(n(-1.0)), NULL);
    assert_eq!(func::pi(), n(std::f64::consts::PI));
    assert_eq!(func::sin(n(0.0)), n(0.0));
    assert_eq!(func::cos(n(0.0)), n(1.0));
    assert_eq!(func::atan2(n(1.0), n(1.0)), n(std::f64::consts::FRAC_PI_4));
    assert_eq!(func::exp(n(0.0)), n(1.0));
    assert_eq!(func::ln(n(0.0)), NULL);
    assert_eq!(func::log(n(100.0), None), n(2.0));
    assert_eq!(func::log(n(8.0), Some(n(2.0))), n(3.0));
    assert_eq!(func::log(n(8.0), Some(n(1.0))), NULL);
    assert_eq!(func::pow(n(2.0), n(10.0)), n(1024.0));
    assert_eq!(func::pow(n(0.0), n(-1.0)), NULL);
    // Haversine pieces as the impossible-travel rules compute them.
    let lat = s("48.8566");
    let rad = eval::div(&eval::mul(&lat, &func::pi()), &n(180.0));
    assert!(matches!(func::sin(rad), EvalValue::Num(x) if (x - 0.7527).abs() < 1e-3));
}

#[test]
fn time_functions() {
    assert_eq!(
        func::strftime(n(1700000003.742), s("%Y-%m-%d %H:%M:%S.%3Q")),
        s("2023-11-14 22:13:23.742")
    );
    assert_eq!(
        func::strftime(s("0"), s("%F %T %Z")),
        s("1970-01-01 00:00:00 UTC")
    );
    assert_eq!(func::strftime(NULL, s("%F")), NULL);
    assert_eq!(
        func::strptime(s("2023-11-14T22:13:23Z"), s("%Y-%m-%dT%H:%M:%S%z")),
        n(1700000003.0)
    );
    assert_eq!(func::strptime(s("garbage"), s("%Y")), NULL);
    assert_eq!(func::now(5.0), n(5.0));
}

#[test]
fn the_catalog_dispatch_calls_each_plain_function() {
    /// Arguments from a list, counting how many the function took.
    struct List(std::collections::VecDeque<EvalValue<'static>>, usize);
    impl Args<'static> for List {
        fn next(&mut self) -> EvalValue<'static> {
            self.next_opt().unwrap_or(EvalValue::Null)
        }
        fn next_opt(&mut self) -> Option<EvalValue<'static>> {
            let v = self.0.pop_front();
            self.1 += usize::from(v.is_some());
            v
        }
        fn rest(&mut self) -> impl Iterator<Item = EvalValue<'static>> {
            self.1 += self.0.len();
            std::mem::take(&mut self.0).into_iter()
        }
    }
    let call_with = |f: Func, args: Vec<EvalValue<'static>>| {
        let mut list = List(args.into(), 0);
        let out = call(f, &mut list);
        (out, list.1)
    };
    assert_eq!(call_with(Func::Upper, vec![s("aB")]).0, Some(s("AB")));
    assert_eq!(
        call_with(Func::Substr, vec![s("hello"), n(2.0), n(3.0)]).0,
        Some(s("ell"))
    );
    assert_eq!(
        call_with(Func::Substr, vec![s("hello"), n(-2.0)]).0,
        Some(s("lo"))
    );
    assert_eq!(
        call_with(Func::Coalesce, vec![NULL, NULL, s("c")]).0,
        Some(s("c"))
    );
    assert_eq!(call_with(Func::In, vec![s("b"), s("a"), s("b")]).0, Some(T));
    for &f in Func::ALL {
        let (required, optional, rest) = f.params();
        let args = vec![s("1"); required + optional + usize::from(rest)];
        let (out, used) = call_with(f, args.clone());
        match f.calling() {
            Calling::Plain => {
                assert!(out.is_some(), "{} is dispatched", f.name());
                assert_eq!(used, args.len(), "{} reads every argument", f.name());
            }
            Calling::Special => assert_eq!(out, None, "{} is left to the back ends", f.name()),
        }
    }
}
