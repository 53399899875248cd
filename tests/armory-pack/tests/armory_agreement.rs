//! The evaluator and the generated code agree on the whole armory, over events derived
//! from each rule's own predicates.
//!
//! For every rule of the pack (every armory rule that compiles), events are built from its
//! IR: the filter predicate, the predicates of `| search` stages, the conditions of
//! `| where` that test fields (`match`, `like`, comparisons, `isnull`, `isnotnull`), the
//! regexes of `| regex` and `| rex`, up to the first stats command that does not keep the
//! event's fields (`stats values(*) as * by ...` keeps them). Events that pass take
//! every item of an AND and one alternative of an OR at a time (the first few also with
//! their values' case swapped and with multivalue fields); events that just miss are a
//! passing event with one clause's value changed or removed. Fields the commands read or
//! group by get a value of their own, `_time` two events a second. Each rule's events run
//! through `spl_engine::EvalRule` and through the rule's generated type from the pack;
//! both searches must pass the same events, and both rules must give the same rows, in
//! the same order, with the same fields and values.

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use regex_syntax::hir::{Class, Hir, HirKind};
use spl_compiler::grammar::MacroTable;
use spl_compiler::ir::{
    AggInput, AtomKind, BinOp, CmpOp, Expr, ExprKind, Func, Pred, PredKind, Program, Stage,
    StatsStage,
};
use spl_engine::EvalRule;
use spl_runtime::pipeline::RunOptions;
use spl_runtime::rule::{run, Rule};
use spl_runtime::{Record, Value};
use splc_armory_pack::pack;

/// The most events a rule gets.
const MAX_EVENTS: usize = 64;
/// The most passing alternatives kept of one predicate (the rest of the budget goes to
/// events that miss).
const MAX_ALTERNATIVES: usize = 16;
/// A value no literal of the armory holds.
const MISS: &str = "splcmiss";
/// The `_time` of the first event.
const BASE_TIME: f64 = 1_700_000_000.0;

/// Where a clause puts its text.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// A token of `_raw`.
    Raw,
    /// A value of the field.
    Field(String),
}

/// One clause of a passing event: the value it puts in place for the clause to hold
/// (`None`: nothing), and the values that make it fail (`None`: the value left out).
#[derive(Clone, Debug)]
struct Lit {
    target: Target,
    hold: Option<String>,
    misses: Vec<Option<String>>,
}

impl Lit {
    fn new(target: Target, hold: Option<String>, misses: Vec<Option<String>>) -> Lit {
        Lit {
            target,
            hold,
            misses,
        }
    }

    fn field(field: &str, hold: Option<String>, misses: Vec<Option<String>>) -> Lit {
        let target = if field == "_raw" {
            Target::Raw
        } else {
            Target::Field(field.to_owned())
        };
        Lit::new(target, hold, misses)
    }
}

/// The clauses one event must meet.
type Scenario = Vec<Lit>;

/// The alternatives of a conjunction: the first alternative of every part, then each other
/// alternative of one part with the first of the others (not the full product).
fn all_of(parts: Vec<Vec<Scenario>>) -> Vec<Scenario> {
    if parts.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let first = |j: usize| parts[j][0].clone();
    let mut out = vec![(0..parts.len()).flat_map(first).collect::<Scenario>()];
    for (i, part) in parts.iter().enumerate() {
        for alt in part.iter().skip(1) {
            if out.len() >= MAX_ALTERNATIVES {
                return out;
            }
            out.push(
                (0..parts.len())
                    .flat_map(|j| if i == j { alt.clone() } else { first(j) })
                    .collect(),
            );
        }
    }
    out
}

/// The alternatives of a disjunction.
fn any_of(parts: Vec<Vec<Scenario>>) -> Vec<Scenario> {
    parts.into_iter().flatten().take(MAX_ALTERNATIVES).collect()
}

/// A literal value with its wildcards filled in, and a value it does not match.
fn fill(value: &str) -> (String, String) {
    if let Some(inside) = cidr_addresses(value) {
        return inside;
    }
    (value.replace('*', "x"), MISS.to_owned())
}

/// An address inside the CIDR block `value` and one outside it.
fn cidr_addresses(value: &str) -> Option<(String, String)> {
    let (addr, bits) = value.split_once('/')?;
    let bits: u32 = bits.parse().ok()?;
    if let Ok(ip) = addr.parse::<Ipv4Addr>() {
        if bits == 0 || bits > 32 {
            return None;
        }
        let net = u32::from(ip) & (u32::MAX << (32 - bits));
        let inside = if bits >= 31 { net } else { net | 1 };
        let outside = net ^ (1 << (32 - bits));
        return Some((
            Ipv4Addr::from(inside).to_string(),
            Ipv4Addr::from(outside).to_string(),
        ));
    }
    let ip = addr.parse::<Ipv6Addr>().ok()?;
    if bits == 0 || bits > 128 {
        return None;
    }
    let net = u128::from(ip) & (u128::MAX << (128 - bits));
    let inside = if bits >= 127 { net } else { net | 1 };
    let outside = net ^ (1 << (128 - bits));
    Some((
        Ipv6Addr::from(inside).to_string(),
        Ipv6Addr::from(outside).to_string(),
    ))
}

/// A number as a rule would write it.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A value for which `x op value` holds and one for which it does not.
fn ordered(op: CmpOp, value: &str) -> (String, String) {
    if let Ok(n) = value.trim().parse::<f64>() {
        let (yes, no) = match op {
            CmpOp::Gt => (n + 1.0, n),
            CmpOp::Ge => (n, n - 1.0),
            CmpOp::Lt => (n - 1.0, n),
            CmpOp::Le => (n, n + 1.0),
            CmpOp::Eq | CmpOp::Ne => (n, n + 1.0),
        };
        return (number(yes), number(no));
    }
    let mut shorter = value.to_owned();
    shorter.pop();
    let longer = format!("{value}z");
    match op {
        CmpOp::Gt => (longer, value.to_owned()),
        CmpOp::Ge => (value.to_owned(), shorter),
        CmpOp::Lt => (shorter, value.to_owned()),
        CmpOp::Le => (value.to_owned(), longer),
        CmpOp::Eq | CmpOp::Ne => (value.to_owned(), MISS.to_owned()),
    }
}

/// The clause of `field op value` (`negated`: `NOT field op value`) in a search.
fn compare(field: &str, op: CmpOp, value: &str, negated: bool) -> Lit {
    let (holds, fails) = match op {
        CmpOp::Eq => fill(value),
        CmpOp::Ne => {
            let (v, other) = fill(value);
            (other, v)
        }
        _ => ordered(op, value),
    };
    if negated {
        // A missing field meets `NOT f op v`.
        Lit::field(field, None, vec![Some(holds)])
    } else {
        Lit::field(field, Some(holds), vec![None, Some(fails)])
    }
}

/// The alternatives that meet a search predicate.
fn pred_alternatives(pred: &Pred) -> Vec<Scenario> {
    match pred.kind() {
        PredKind::True => vec![Vec::new()],
        PredKind::False => Vec::new(),
        PredKind::And(items) => all_of(items.iter().map(pred_alternatives).collect()),
        PredKind::Or(items) => any_of(items.iter().map(pred_alternatives).collect()),
        PredKind::Atom(a) => atom_alternatives(&a.kind, false),
        PredKind::Not(a) => atom_alternatives(&a.kind, true),
    }
}

fn atom_alternatives(kind: &AtomKind, negated: bool) -> Vec<Scenario> {
    match kind {
        AtomKind::Term(t)
        | AtomKind::Phrase(t)
        | AtomKind::TermExact(t)
        | AtomKind::CaseTerm(t) => {
            let text = t.replace('*', "x");
            let lit = if negated {
                Lit::new(Target::Raw, None, vec![Some(text)])
            } else {
                Lit::new(Target::Raw, Some(text), vec![None])
            };
            vec![vec![lit]]
        }
        AtomKind::Compare { field, op, value } => {
            vec![vec![compare(field, *op, value, negated)]]
        }
        AtomKind::In { field, values } if negated => {
            let misses = values.iter().take(2).map(|v| Some(fill(v).0)).collect();
            vec![vec![Lit::field(field, None, misses)]]
        }
        AtomKind::In { field, values } => values
            .iter()
            .take(MAX_ALTERNATIVES)
            .map(|v| vec![compare(field, CmpOp::Eq, v, false)])
            .collect(),
    }
}

/// The alternatives that make an eval condition true (`negated`: false), for the
/// conditions that test fields against literals; any other condition constrains nothing.
fn cond_alternatives(e: &Expr, negated: bool) -> Vec<Scenario> {
    let unknown = || vec![Vec::new()];
    match &e.kind {
        ExprKind::Not(x) => cond_alternatives(x, !negated),
        ExprKind::Binary { op, lhs, rhs } => {
            let both = || {
                vec![
                    cond_alternatives(lhs, negated),
                    cond_alternatives(rhs, negated),
                ]
            };
            match (op, negated) {
                (BinOp::And, false) | (BinOp::Or, true) => all_of(both()),
                (BinOp::Or, false) | (BinOp::And, true) => any_of(both()),
                (BinOp::Cmp(op), _) => {
                    let (field, op, value) = match (&lhs.kind, &rhs.kind) {
                        (ExprKind::Field(f), ExprKind::Str(s)) => (f, *op, s.clone()),
                        (ExprKind::Field(f), ExprKind::Num(n)) => (f, *op, number(*n)),
                        (ExprKind::Str(s), ExprKind::Field(f)) => (f, flip(*op), s.clone()),
                        (ExprKind::Num(n), ExprKind::Field(f)) => (f, flip(*op), number(*n)),
                        _ => return unknown(),
                    };
                    let (yes, no) = ordered(op, &value);
                    let (yes, no) = if op == CmpOp::Ne {
                        (no, yes)
                    } else {
                        (yes, no)
                    };
                    vec![vec![if negated {
                        Lit::field(field, Some(no), vec![Some(yes)])
                    } else {
                        Lit::field(field, Some(yes), vec![None, Some(no)])
                    }]]
                }
                _ => unknown(),
            }
        }
        ExprKind::Call { func, args, regex } => {
            let Some(ExprKind::Field(field)) = args.first().map(|a| &a.kind) else {
                return unknown();
            };
            let value = match func {
                Func::Match => regex.as_ref().and_then(|r| sample(&r.translated)),
                Func::Like => match args.get(1).map(|a| &a.kind) {
                    Some(ExprKind::Str(p)) => Some(p.replace(['%', '_'], "x")),
                    _ => None,
                },
                Func::IsNotNull => Some("x".to_owned()),
                Func::IsNull => {
                    return vec![vec![if negated {
                        Lit::field(field, Some("x".to_owned()), vec![None])
                    } else {
                        Lit::field(field, None, vec![Some("x".to_owned())])
                    }]]
                }
                _ => None,
            };
            let Some(value) = value else {
                return unknown();
            };
            // `NOT match(f, re)` is null, not true, when `f` is missing: the field is
            // there with another value.
            vec![vec![if negated {
                Lit::field(field, Some(MISS.to_owned()), vec![Some(value)])
            } else {
                Lit::field(field, Some(value), vec![None])
            }]]
        }
        _ => unknown(),
    }
}

/// `a op b` as `b op' a`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// A text the regex (in `regex-automata`'s dialect) matches, when it parses: the first
/// alternative of each alternation, the fewest repetitions, a plain character of each
/// class.
fn sample(pattern: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut out = String::new();
    sample_into(&hir, &mut out);
    Some(out)
}

fn sample_into(hir: &Hir, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => out.push_str(&String::from_utf8_lossy(&l.0)),
        HirKind::Class(Class::Unicode(c)) => {
            let ranges: Vec<(char, char)> =
                c.ranges().iter().map(|r| (r.start(), r.end())).collect();
            if let Some(ch) = pick(&ranges) {
                out.push(ch);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            let ranges: Vec<(char, char)> = c
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
                .collect();
            if let Some(ch) = pick(&ranges) {
                out.push(ch);
            }
        }
        HirKind::Repetition(r) => {
            for _ in 0..r.min.min(8) {
                sample_into(&r.sub, out);
            }
        }
        HirKind::Capture(c) => sample_into(&c.sub, out),
        HirKind::Concat(items) => items.iter().for_each(|h| sample_into(h, out)),
        HirKind::Alternation(items) => {
            if let Some(h) = items.first() {
                sample_into(h, out);
            }
        }
    }
}

/// A plain character of a class: a letter or digit if it has one, else its first
/// printable character, else its first.
fn pick(ranges: &[(char, char)]) -> Option<char> {
    let has = |ch: char| ranges.iter().any(|&(a, b)| a <= ch && ch <= b);
    "xa0A_-. /\\:"
        .chars()
        .find(|&c| has(c))
        .or_else(|| {
            ranges
                .iter()
                .find_map(|&(a, b)| (a.max(' ')..=b).find(|c| !c.is_control()))
        })
        .or_else(|| ranges.first().map(|r| r.0))
}

/// The alternatives that take an event through a rule's filter and the row-at-a-time
/// commands before its first stats command (other than one that keeps every field, see
/// [`keeps_fields`]).
fn scenarios(program: &Program) -> Vec<Scenario> {
    let mut parts = vec![pred_alternatives(program.filter())];
    for stage in program.stages() {
        match stage {
            Stage::Stats(st) if !keeps_fields(st) => break,
            Stage::Search(p) => parts.push(pred_alternatives(p)),
            Stage::Where(c) => parts.push(cond_alternatives(c, false)),
            Stage::Regex(r) => {
                let Some(text) = sample(&r.regex.translated) else {
                    continue;
                };
                parts.push(vec![vec![if r.negated {
                    Lit::field(&r.field, None, vec![Some(text)])
                } else {
                    Lit::field(&r.field, Some(text), vec![None])
                }]]);
            }
            Stage::Rex(r) => {
                if let Some(text) = sample(&r.regex.translated) {
                    parts.push(vec![vec![Lit::field(&r.field, Some(text), Vec::new())]]);
                }
            }
            _ => {}
        }
    }
    all_of(parts)
}

/// The fields a rule's commands read or keep up to its first stats command that does not keep
/// them (included):
/// `table`, `fields`, `rename`, `dedup`, `sort`, `bin`, the inputs and groups of
/// `stats`, the fields of `eval` and `where` expressions. An event gets each of them that
/// no clause of its scenario sets, so that rows are not dropped for a missing group.
fn background(program: &Program) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |f: &str| {
        if !f.starts_with('_') && !f.contains('*') && !out.iter().any(|o| o == f) {
            out.push(f.to_owned());
        }
    };
    for stage in program.stages() {
        match stage {
            Stage::Table(ps) | Stage::Fields { patterns: ps, .. } => {
                ps.iter().for_each(|p| add(p.as_str()))
            }
            Stage::Rename(pairs) => pairs.iter().for_each(|(p, _)| add(p.as_str())),
            Stage::Dedup { fields, .. } => fields.iter().for_each(|f| add(f)),
            Stage::Sort { keys, .. } => keys.iter().for_each(|k| add(&k.field)),
            Stage::Bin(b) => add(&b.field),
            Stage::Where(c) => c.fields().into_iter().for_each(&mut add),
            Stage::Eval(assignments) => assignments
                .iter()
                .for_each(|a| a.value.fields().into_iter().for_each(&mut add)),
            Stage::Stats(st) => {
                st.by.iter().for_each(|f| add(f));
                for agg in &st.aggs {
                    match &agg.input {
                        AggInput::Field(f) => add(f),
                        AggInput::Eval(e) => e.fields().into_iter().for_each(&mut add),
                        AggInput::None | AggInput::Pattern(_) => {}
                    }
                }
                if !keeps_fields(st) {
                    break;
                }
            }
            _ => {}
        }
    }
    out
}

/// True for a stats command that keeps every field under its own name (`stats values(*)
/// as * by ...`, the armory's way to group events): the commands after it still test the
/// event's fields.
fn keeps_fields(st: &StatsStage) -> bool {
    st.aggs
        .iter()
        .any(|a| matches!(&a.input, AggInput::Pattern(p) if p.as_str() == "*") && a.output == "*")
}

/// The event of a scenario, with clause `miss` (its index and value) made to fail, and
/// the background fields no clause sets.
fn event(
    scenario: &[Lit],
    background: &[String],
    miss: Option<(usize, &Option<String>)>,
    n: usize,
) -> Record {
    let mut raw: Vec<String> = Vec::new();
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (i, lit) in scenario.iter().enumerate() {
        let value = match miss {
            Some((m, value)) if m == i => value,
            _ => &lit.hold,
        };
        let Some(value) = value else {
            continue;
        };
        match &lit.target {
            Target::Raw => raw.push(value.clone()),
            Target::Field(f) => match fields.iter_mut().find(|(name, _)| name == f) {
                Some((_, values)) => {
                    if !values.contains(value) {
                        values.push(value.clone());
                    }
                }
                None => fields.push((f.clone(), vec![value.clone()])),
            },
        }
    }
    for name in background {
        let set = scenario
            .iter()
            .any(|l| matches!(&l.target, Target::Field(f) if f == name));
        if !set {
            fields.push((name.clone(), vec![format!("{name}-{}", n % 3)]));
        }
    }
    let mut record = Record::new();
    // Two events a second: rules that group by time see groups of one and of two.
    let mut time = BASE_TIME + (n / 2) as f64;
    for (name, values) in &fields {
        if name == "_time" {
            if let Some(t) = values.iter().find_map(|v| v.parse::<f64>().ok()) {
                time = t;
            }
            continue;
        }
        for v in values {
            record.push_named(name, v.clone());
        }
    }
    record.set_time(time);
    if raw.is_empty() {
        raw.push(format!("event {n}"));
    }
    record.set_raw(raw.join(" "));
    record
}

/// How many passing alternatives are also given with the case of their values swapped.
const SWAPPED: usize = 4;
/// How many passing alternatives are also given with a second value in each field.
const MULTI: usize = 2;

/// The scenario with the ASCII case of every value it puts in place swapped (field values
/// compare ignoring case, `CASE()` and eval do not).
fn swap_case(scenario: &Scenario) -> Scenario {
    let swap = |v: &String| -> String {
        v.chars()
            .map(|c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    scenario
        .iter()
        .map(|l| {
            Lit::new(
                l.target.clone(),
                l.hold.as_ref().map(swap),
                l.misses.clone(),
            )
        })
        .collect()
}

/// The scenario with a second value in every field it sets (multivalue fields).
fn multivalued(scenario: &Scenario) -> Scenario {
    let mut out = scenario.clone();
    for l in scenario {
        if let (Target::Field(_), Some(_)) = (&l.target, &l.hold) {
            out.push(Lit::new(
                l.target.clone(),
                Some(format!("{MISS}-second")),
                Vec::new(),
            ));
        }
    }
    out
}

/// Up to [`MAX_EVENTS`] events for a rule: every passing alternative, the first few again
/// with their values' case swapped and with multivalue fields, then each passing event
/// with one clause missed, clause by clause.
fn events_for(program: &Program) -> Vec<Record> {
    let scenarios = scenarios(program);
    let background = background(program);
    let mut events: Vec<Record> = Vec::new();
    let variants = scenarios
        .iter()
        .chain(
            &scenarios
                .iter()
                .take(SWAPPED)
                .map(swap_case)
                .collect::<Vec<_>>(),
        )
        .chain(
            &scenarios
                .iter()
                .take(MULTI)
                .map(multivalued)
                .collect::<Vec<_>>(),
        )
        .cloned()
        .collect::<Vec<_>>();
    for s in &variants {
        let n = events.len();
        events.push(event(s, &background, None, n));
    }
    'misses: for s in &scenarios {
        for (i, lit) in s.iter().enumerate() {
            for m in &lit.misses {
                if events.len() >= MAX_EVENTS {
                    break 'misses;
                }
                let n = events.len();
                events.push(event(s, &background, Some((i, m)), n));
            }
        }
    }
    events
}

/// A row as its fields in order, each value shown with its kind.
fn show(row: &Record) -> Vec<(String, String)> {
    row.iter()
        .map(|(f, v)| {
            let value = match v {
                Value::Str(s) => format!("{s:?}"),
                Value::Num(n) => format!("num {n:?}"),
                Value::Multi(vs) => format!("{vs:?}"),
            };
            (f.name().to_owned(), value)
        })
        .collect()
}

/// The rows a rule gives over the events, or its error.
fn rows(rule: &mut dyn Rule, events: &[Record]) -> Result<Vec<Vec<(String, String)>>, String> {
    run(rule, events.iter())
        .map(|rows| rows.iter().map(show).collect())
        .map_err(|e| e.to_string())
}

/// Say that the test is skipped because the armory is missing, or fail when
/// `SPLC_REQUIRE_CORPUS` is set.
fn skipped(test: &str, corpus: &str) {
    assert!(
        std::env::var_os("SPLC_REQUIRE_CORPUS").is_none(),
        "{test}: {corpus} is missing and SPLC_REQUIRE_CORPUS is set"
    );
    let line = format!("skipped: {test} needs {corpus}, which is not beside the repository\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn armory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/armory")
}

#[test]
fn evaluator_and_generated_code_agree_on_the_armory() {
    let armory = armory();
    if !armory.is_dir() {
        skipped(
            "evaluator_and_generated_code_agree_on_the_armory",
            "../shared/armory",
        );
        return;
    }
    assert!(
        splc_armory_pack::built_from_armory(),
        "{} is there but the pack was built without it",
        armory.display()
    );
    let mut macros = MacroTable::new();
    let conf = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/armory-macros.conf");
    macros
        .add_conf_file(&conf)
        .unwrap_or_else(|e| panic!("{}: {e}", conf.display()));
    let options = RunOptions::default();
    let mut generated = pack::all_rules_with(&options);
    assert_eq!(generated.len(), pack::RULES.len());
    assert_eq!(pack::PATHS.len(), pack::RULES.len());
    assert!(pack::RULES.len() > 1000, "{} rules", pack::RULES.len());
    let mut failures = Vec::new();
    let (mut with_rows, mut events_total, mut rows_total) = (0usize, 0usize, 0usize);
    spl_compiler::with_stack_for_many(|| {
        for (path, rule) in pack::PATHS.iter().zip(generated.iter_mut()) {
            let compiled = spl_compiler::compile_file(armory.join(path), &macros)
                .unwrap_or_else(|e| panic!("{path}: compiled for the pack, not here: {e}"));
            let mut eval = EvalRule::from_compiled_with(&compiled, options.clone());
            assert_eq!(
                eval.info().spl,
                rule.info().spl,
                "{path}: the pack's rule is another"
            );
            let events = events_for(&compiled.program);
            events_total += events.len();
            // Which events each back end's search (prefilter and filter) lets through.
            let eval_matches: Vec<usize> = (0..events.len())
                .filter(|&i| eval.matches(&events[i]))
                .collect();
            let generated_matches: Vec<usize> = (0..events.len())
                .filter(|&i| rule.matches(&events[i]))
                .collect();
            if eval_matches != generated_matches {
                failures.push(format!(
                    "{path}: the searches pass other events:\n  evaluator: {eval_matches:?}\n  generated: {generated_matches:?}"
                ));
            }
            let expected = rows(&mut eval, &events);
            let got = rows(rule.as_mut(), &events);
            if let Ok(r) = &expected {
                rows_total += r.len();
                with_rows += usize::from(!r.is_empty());
            }
            if expected != got {
                failures.push(format!(
                    "{path}:\n  evaluator: {}\n  generated: {}",
                    brief(&expected),
                    brief(&got)
                ));
            }
        }
    });
    let line = format!(
        "armory agreement: {} rules, {events_total} events, {with_rows} rules gave at least one row ({rows_total} rows), {} disagree\n",
        pack::RULES.len(),
        failures.len()
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    assert!(
        failures.is_empty(),
        "{} rule(s) disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Rows shown briefly in a failure message.
fn brief(rows: &Result<Vec<Vec<(String, String)>>, String>) -> String {
    match rows {
        Err(e) => format!("error {e}"),
        Ok(rows) => {
            let text = format!("{} row(s) {rows:?}", rows.len());
            if text.len() > 600 {
                let cut = (0..=600)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                format!("{}...", &text[..cut])
            } else {
                text
            }
        }
    }
}

#[test]
fn derived_events_meet_the_predicates_they_come_from() {
    let compiled = spl_compiler::compile_spl(
        r#"process_name=cmd.exe (a OR "b c") NOT d src_ip=10.0.0.0/8 n>5 | where match(user, "^adm\d+$") | regex x="(?i)foo" | table process_name src_ip n user x"#,
        "derived",
        &MacroTable::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let events = events_for(&compiled.program);
    // Two alternatives of the OR, both again with their case swapped and with multivalue
    // fields, then each of them with one of its ten ways to miss.
    assert_eq!(events.len(), 2 + 2 + 2 + 2 * 10);
    let passing: Vec<usize> = (0..events.len())
        .filter(|&i| {
            let mut eval = EvalRule::from_compiled(&compiled);
            !run(&mut eval, [&events[i]]).expect("rows").is_empty()
        })
        .filter(|&i| !(2..6).contains(&i))
        .collect();
    assert_eq!(passing, [0, 1]);
    let mut eval = EvalRule::from_compiled(&compiled);
    let rows = run(&mut eval, events.iter().take(1)).expect("rows");
    let shown: Vec<(String, String)> = show(&rows[0]);
    let text = |s: &str| format!("{s:?}");
    assert_eq!(
        shown,
        [
            ("process_name".to_owned(), text("cmd.exe")),
            ("src_ip".to_owned(), text("10.0.0.1")),
            ("n".to_owned(), text("6")),
            ("user".to_owned(), text("adm0")),
            ("x".to_owned(), text("FOO")),
        ]
    );
}
