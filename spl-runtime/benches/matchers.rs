//! Per-event cost of the search matchers: terms, phrases, TERM(), field matchers.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spl_runtime::compare::FieldMatcher;
use spl_runtime::ir::CmpOp;
use spl_runtime::search::{Term, TermExact};
use spl_runtime::Value;

/// A classic WinEventLog process-creation record (about 1.3 KB), the common corpus input.
const RAW: &str = "04/01/2024 10:00:00 AM\nLogName=Security\nEventCode=4688\nEventType=0\n\
ComputerName=WS01.corp.example\nSourceName=Microsoft Windows security auditing.\nType=Information\n\
RecordNumber=123456\nKeywords=Audit Success\nTaskCategory=Process Creation\nOpCode=Info\n\
Message=A new process has been created.\n\nCreator Subject:\n\tSecurity ID:\t\tS-1-5-18\n\
\tAccount Name:\t\tWS01$\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x3E7\n\nTarget Subject:\n\
\tSecurity ID:\t\tS-1-0-0\n\tAccount Name:\t\t-\n\tAccount Domain:\t\t-\n\tLogon ID:\t\t0x0\n\n\
Process Information:\n\tNew Process ID:\t\t0x1a4\n\tNew Process Name:\tC:\\Windows\\System32\\cmd.exe\n\
\tToken Elevation Type:\tTokenElevationTypeDefault (1)\n\tMandatory Label:\t\tS-1-16-16384\n\
\tCreator Process ID:\t0x2b0\n\tCreator Process Name:\tC:\\Windows\\explorer.exe\n\
\tProcess Command Line:\t\"C:\\Windows\\System32\\cmd.exe\" /c whoami /all > C:\\Users\\Public\\o.txt\n\n\
Token Elevation Type indicates the type of token that was assigned to the new process in \
accordance with User Account Control policy.\n";

/// A named matcher over `_raw`.
type Case = (&'static str, Box<dyn Fn(&str) -> bool>);

fn bench_raw(c: &mut Criterion) {
    let mut g = c.benchmark_group("raw");
    g.throughput(Throughput::Bytes(RAW.len() as u64));
    let cases: [Case; 6] = [
        ("term hit cmd.exe", {
            let t = Term::new("cmd.exe");
            Box::new(move |r| t.is_match(r))
        }),
        ("term miss rundll32.exe", {
            let t = Term::new("rundll32.exe");
            Box::new(move |r| t.is_match(r))
        }),
        ("term miss unaligned md.exe", {
            let t = Term::new("md.exe");
            Box::new(move |r| t.is_match(r))
        }),
        ("phrase wildcard", {
            let t = Term::new(r"C:\Users\*\o.txt");
            Box::new(move |r| t.is_match(r))
        }),
        ("TERM hit EventCode=4688", {
            let t = TermExact::new("EventCode=4688");
            Box::new(move |r| t.is_match(r))
        }),
        ("TERM miss EventCode=1", {
            let t = TermExact::new("EventCode=1");
            Box::new(move |r| t.is_match(r))
        }),
    ];
    for (name, f) in &cases {
        g.bench_function(*name, |b| b.iter(|| f(black_box(RAW))));
    }
    g.finish();
}

fn bench_fields(c: &mut Criterion) {
    let mut g = c.benchmark_group("field");
    let value = Value::from(r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe");
    let eq = FieldMatcher::new(CmpOp::Eq, "*\\powershell.exe");
    g.bench_function("wildcard suffix", |b| {
        b.iter(|| eq.matches(black_box(Some(&value))))
    });
    let names: Vec<String> = (0..200)
        .map(|i| format!("C:\\Tools\\tool{i}.exe"))
        .collect();
    let set = FieldMatcher::in_list(names.iter().map(String::as_str));
    g.bench_function("IN 200 literals miss", |b| {
        b.iter(|| set.matches(black_box(Some(&value))))
    });
    let cidr = FieldMatcher::in_list(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
    let ip = Value::from("172.20.1.1");
    g.bench_function("IN 3 CIDR hit", |b| {
        b.iter(|| cidr.matches(black_box(Some(&ip))))
    });
    g.finish();
}

criterion_group!(benches, bench_raw, bench_fields);
criterion_main!(benches);
