//! Arbitrary events through the evaluator (`spl_engine::EvalRule`), one rule of a fixed set
//! per input.
//!
//! The input's first byte chooses the rule (modulo the number of rules); the rest is read
//! as JSON lines with the JSON reader, so the events are arbitrary: any fields, values,
//! multivalues, `_time`s and `_raw`s a JSON object can give. Each rule is compiled once;
//! each input runs a fresh `EvalRule` over every event read (`matches`, then `process`,
//! then `finish`). Checked: no panic, no hang, no runaway memory.
//!
//! The rules cover the search (terms, wildcards, `NOT`, phrases, `TERM`, `CASE`, field
//! comparisons, `IN`) and the commands (`where`, `eval` with many functions, `rex` and
//! `rex mode=sed`, `regex`, `stats`, `eventstats`, `streamstats`, `sort`, `dedup`, `bin`,
//! `head`, `table`, `fields`, `rename`, `fillnull`, `search`), on the field names of
//! `examples/events/linux_process.jsonl` and `tests/data/search/events.jsonl`, so that
//! the seeds reach them.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use spl_compiler::{compile_spl, CompiledRule};
use spl_engine::EvalRule;
use spl_grammar::MacroTable;
use spl_runtime::read::{InputFormat, ReadOptions, Reader};
use spl_runtime::rule::{run_owned, Rule};

/// The rules, each written to reach its constructs with the seeds' fields.
const RULES: &[&str] = &[
    // Terms, wildcards, NOT, phrases.
    r#"(sudo OR su* OR *admin OR "*.sh") NOT root NOT "dry run""#,
    // TERM, CASE, phrases with breakers.
    r#"TERM(10.0.0.1) OR TERM(EventCode=4*) OR "rm -rf" OR "<EventID>1<" OR CASE(Alpha) OR TERM(*.exe)"#,
    // Field comparisons: wildcards, numbers, strings, not-equal, nested names.
    r#"user=r*t uid>=1000 process_id!=0 host<"m" event_type="process_*" OR outcome.result=succ* OR tags{}!=admin"#,
    // IN, NOT IN, CIDR.
    r#"process_name IN (bash, "s*h", python3, "*.exe") NOT user IN (root, "") OR ip IN (10.0.0.0/8, "fe80::/10")"#,
    // where: functions, arithmetic, three-valued logic.
    r#"user=* | where len(process) > 8 AND (like(user, "a%") OR isnull(parent_process) OR uid * 2 >= 2000) AND NOT match(host, "^db") OR cidrmatch("10.0.0.0/8", ip)"#,
    // eval: text, multivalue, number and time functions.
    r#"* | eval cmd=lower(process), short=substr(process, 2, 5), parts=split(process, " "), n=mvcount(parts), first=mvindex(parts, 0, 1), joined=mvjoin(mvdedup(parts), ","), uid2=tonumber(uid) * 2 + 1, kind=case(uid == 0, "root", uid < 1000, "system", true(), "user"), ts=strftime(_time, "%Y-%m-%dT%H:%M:%S.%3N %z"), back=strptime(ts, "%Y-%m-%dT%H:%M:%S.%3N %z"), r=round(uid / 7, 2), up=upper(trim(user, " x")), both=coalesce(parent_process, process, "none") . "|" . tostring(uid, "hex"), age=now() - _time, f=mvfilter(match(parts, "^-")), z=mvzip(parts, parts, "="), p=pow(uid, 0.5) + ln(abs(uid) + 1) + log(uid + 1, 2), t=typeof(uid), u=urldecode(url), i=mvfind(parts, "^/"), q=nullif(user, "root"), h=tonumber(uid, 16)"#,
    // rex: named groups, sed mode; regex.
    r#"process=* | rex field=process "(?<exe>[^ /]+)(?: (?<args>.*))?$" max_match=0 | rex field=args mode=sed "s/[0-9]+/N/g" | regex process!="(?i)^/usr/s?bin/" | table host exe args"#,
    // stats with many aggregations, by a field.
    r#"* | stats count, dc(user) as users, values(process_name) as names, sum(uid), avg(uid), min(process_id), max(process_id), list(user), stdev(uid), median(uid), mode(user), range(uid), var(uid) by host"#,
    // eventstats, then where on its result.
    r#"* | eventstats count as per_host, max(uid) as top by host | where per_host > 1 | table host user per_host top"#,
    // sort with a limit and mixed keys, head.
    r#"* | sort 10 - uid, + host, process_id, user | head 7 | table host uid user"#,
    // dedup, fields.
    r#"* | dedup 2 host user | fields host user process_name"#,
    // bin on _time, stats by time, earliest/latest.
    r#"* | bin _time span=5m | stats count, earliest(process), latest(process), first(user), last(user) by _time, host"#,
    // streamstats, rename, fillnull, search after a pipe.
    r#"* | streamstats count as k, values(user) as seen by host | search k<3 OR user!=root | rename k as seq, process_* as p_* | fillnull value=NONE parent_process | head 20"#,
    // eval then stats over its result, sorted.
    r#"* | eval x=if(match(process, "(?i)curl|wget"), "net", "other"), w=split(words, " ") | stats count, values(w) as words by x | sort - count"#,
];

fn rules() -> &'static [CompiledRule] {
    static RULES_COMPILED: OnceLock<Vec<CompiledRule>> = OnceLock::new();
    RULES_COMPILED.get_or_init(|| {
        let macros = MacroTable::new();
        RULES
            .iter()
            .enumerate()
            .map(|(i, spl)| {
                compile_spl(spl, &format!("rule{i}"), &macros)
                    .unwrap_or_else(|e| panic!("rule {i} does not compile: {e}"))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, input)) = data.split_first() else {
        return;
    };
    let rules = rules();
    let compiled = &rules[usize::from(choice) % rules.len()];
    let events = Reader::new(input, InputFormat::JsonLines, ReadOptions::default())
        .filter_map(Result::ok)
        .map(|event| event.record);
    let mut rule = EvalRule::from_compiled(compiled);
    let _ = rule.info();
    let _ = rule.is_transforming();
    let rows = run_owned(&mut rule, events);
    for row in rows.iter().flatten() {
        let _ = format!("{row:?}");
    }
});
