//! Code generation for the stages after the first search.
//!
//! Each stage is written as the IR value it is (`Stage::Table(...)`, `Stage::Stats(...)`),
//! with its code compiled: `where` and `| search` as `CondFn` closures, `eval` and
//! `stats ... eval(...)` as `ExprFn` closures, regexes as compiled `Regex`es. The runtime's
//! `Pipeline::with` turns each into the step that runs it, the same step the evaluator
//! builds from the same stage.

use proc_macro2::TokenStream;
use quote::quote;

use super::expr::{float, int};
use super::{mentions, text, variant, Gen};
use crate::ir::{
    AggInput, BinSpan, DatamodelCommand, FieldPattern, JoinFields, SedEdit, Stage, StatsKind,
    TxnFilter,
};

/// `Pipeline::with_options(options).with(...)...` for `stages` (`options` is the
/// parameter of the rule's `with_options`).
pub(super) fn pipeline(g: &mut Gen, stages: &[Stage]) -> TokenStream {
    let stages: Vec<TokenStream> = stages.iter().map(|s| stage(g, s)).collect();
    quote!(Pipeline::with_options(options) #(.with(#stages))*)
}

fn string(s: &str) -> TokenStream {
    let lit = text::lit_str(s);
    quote!(#lit.into())
}

fn strings(items: &[String]) -> TokenStream {
    let items = items.iter().map(|s| text::lit_str(s));
    quote!(strings(&[#(#items),*]))
}

fn patterns(items: &[FieldPattern]) -> TokenStream {
    let items = items.iter().map(|p| text::lit_str(p.as_str()));
    quote!(patterns(&[#(#items),*]))
}

fn pattern(p: &FieldPattern) -> TokenStream {
    let lit = text::lit_str(p.as_str());
    quote!(FieldPattern::new(#lit))
}

/// `BinSpan::...`.
fn bin_span(span: BinSpan) -> TokenStream {
    match span {
        BinSpan::Seconds(s) => {
            let s = float(s);
            quote!(BinSpan::Seconds(#s))
        }
        BinSpan::Months(m) => {
            let m = int(m);
            quote!(BinSpan::Months(#m))
        }
    }
}

/// `Stage::...` with compiled code.
fn stage(g: &mut Gen, stage: &Stage) -> TokenStream {
    match stage {
        Stage::Search(pred) => {
            let test = search_closure(g, "search", pred);
            quote!(Stage::Search(#test))
        }
        Stage::Where(e) => {
            let test = g.closure("where", "CondFn", |g| g.cond(e, true, None));
            quote!(Stage::Where(#test))
        }
        Stage::Eval(assigns) => {
            let items: Vec<TokenStream> = assigns
                .iter()
                .map(|a| {
                    let field = text::lit_str(&a.field);
                    let value = g.closure(&format!("eval_{}", a.field), "ExprFn", |g| {
                        let v = g.value(&a.value, None);
                        quote!(#v.into_value())
                    });
                    if a.dynamic {
                        quote!(Assignment::dynamic(#field, #value))
                    } else {
                        quote!(Assignment::new(#field, #value))
                    }
                })
                .collect();
            quote!(Stage::Eval(Vec::from([#(#items),*])))
        }
        Stage::Regex(r) => {
            let re = g.regex_local(&format!("regex_{}", r.field), &r.regex.translated);
            let (field, negated) = (text::lit_str(&r.field), r.negated);
            quote!(Stage::Regex(RegexStage::new(#field, #negated, #re)))
        }
        Stage::Rex(r) => {
            let re = g.regex_local(&format!("rex_{}", r.field), &r.regex.translated);
            let (field, max) = (text::lit_str(&r.field), int(r.max_match));
            quote!(Stage::Rex(RexStage::new(#field, #re, #max)))
        }
        Stage::Sed(s) => {
            let field = string(&s.field);
            let edit = match &s.edit {
                SedEdit::Substitute {
                    regex: re,
                    replacement,
                    occurrence,
                } => {
                    let re = g.regex_local(&format!("sed_{}", s.field), &re.translated);
                    let replacement = string(replacement);
                    let occurrence = match occurrence {
                        crate::ir::SedOccurrence::All => quote!(SedOccurrence::All),
                        crate::ir::SedOccurrence::Nth(n) => {
                            let n = int(*n);
                            quote!(SedOccurrence::Nth(#n))
                        }
                        crate::ir::SedOccurrence::FromNth(n) => {
                            let n = int(*n);
                            quote!(SedOccurrence::FromNth(#n))
                        }
                    };
                    quote!(SedEdit::Substitute { regex: #re, replacement: #replacement, occurrence: #occurrence })
                }
                SedEdit::Transliterate { from, to } => {
                    let (from, to) = (
                        from.iter().map(|c| text::lit_char(*c)),
                        to.iter().map(|c| text::lit_char(*c)),
                    );
                    quote!(SedEdit::Transliterate { from: Vec::from([#(#from),*]), to: Vec::from([#(#to),*]) })
                }
            };
            quote!(Stage::Sed(SedStage { field: #field, edit: #edit }))
        }
        Stage::Table(p) => {
            let p = patterns(p);
            quote!(Stage::Table(#p))
        }
        Stage::Fields {
            remove,
            patterns: p,
        } => {
            let p = patterns(p);
            quote!(Stage::Fields { remove: #remove, patterns: #p })
        }
        Stage::Rename(pairs) => {
            let pairs = pairs.iter().map(|(a, b)| {
                let (a, b) = (pattern(a), pattern(b));
                quote!((#a, #b))
            });
            quote!(Stage::Rename(Vec::from([#(#pairs),*])))
        }
        Stage::Fillnull { value, fields } => {
            let (value, fields) = (string(value), strings(fields));
            quote!(Stage::Fillnull { value: #value, fields: #fields })
        }
        Stage::Bin(b) => {
            let (field, output) = (text::lit_str(&b.field), text::lit_str(&b.output));
            let span = bin_span(b.span);
            quote!(Stage::Bin(BinStage::new(#field, #span, #output)))
        }
        Stage::Timefill { span, zero } => {
            let span = bin_span(*span);
            let zero = strings(zero);
            quote!(Stage::Timefill {
                span: #span,
                zero: #zero,
            })
        }
        Stage::Stats(s) => {
            let kind = variant("StatsKind", s.kind);
            let aggs: Vec<TokenStream> = s
                .aggs
                .iter()
                .map(|a| {
                    let func = variant("AggFunc", a.func);
                    let input = match &a.input {
                        AggInput::None => quote!(AggInput::None),
                        AggInput::Field(f) => {
                            let f = string(f);
                            quote!(AggInput::Field(#f))
                        }
                        AggInput::Pattern(p) => {
                            let p = pattern(p);
                            quote!(AggInput::Pattern(#p))
                        }
                        AggInput::Eval(e) => {
                            let value = g.closure(&format!("agg_{}", a.output), "ExprFn", |g| {
                                let v = g.value(e, None);
                                quote!(#v.into_value())
                            });
                            quote!(AggInput::Eval(#value))
                        }
                    };
                    let output = text::lit_str(&a.output);
                    match a.percentile {
                        Some(p) => {
                            let p = float(p);
                            quote!(Agg::new(#func, #input, #output).with_percentile(#p))
                        }
                        None => quote!(Agg::new(#func, #input, #output)),
                    }
                })
                .collect();
            let by = strings(&s.by);
            if s.kind != StatsKind::Streamstats {
                // streamstats' options mean nothing to the other two.
                return quote!(Stage::Stats(StatsStage::new(#kind, Vec::from([#(#aggs),*]), #by)));
            }
            let (window, current, global) = (int(s.window), s.current, s.global);
            quote!(Stage::Stats(StatsStage {
                kind: #kind,
                aggs: Vec::from([#(#aggs),*]),
                by: #by,
                window: #window,
                current: #current,
                global: #global,
            }))
        }
        Stage::Sort { limit, keys } => {
            let limit = match limit {
                Some(n) => {
                    let n = int(*n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            let keys = keys.iter().map(|k| {
                let (field, desc) = (string(&k.field), k.descending);
                quote!(SortKey { field: #field, descending: #desc })
            });
            quote!(Stage::Sort { limit: #limit, keys: Vec::from([#(#keys),*]) })
        }
        Stage::Dedup { count, fields } => {
            let (count, fields) = (int(*count), strings(fields));
            quote!(Stage::Dedup { count: #count, fields: #fields })
        }
        Stage::Head(n) => {
            let n = int(*n);
            quote!(Stage::Head(#n))
        }
        Stage::Lookup(l) => {
            let columns = |items: &[crate::ir::LookupColumn]| {
                let items = items.iter().map(|c| {
                    let (column, field) = (text::lit_str(&c.column), text::lit_str(&c.field));
                    quote!(LookupColumn::new(#column, #field))
                });
                quote!(Vec::from([#(#items),*]))
            };
            let (table, inputs, outputs, new_only) = (
                string(&l.table),
                columns(&l.inputs),
                columns(&l.outputs),
                l.new_only,
            );
            quote!(Stage::Lookup(LookupStage {
                table: #table,
                inputs: #inputs,
                outputs: #outputs,
                new_only: #new_only,
            }))
        }
        Stage::Iplocation(i) => {
            let (field, prefix, allfields, lang) = (
                string(&i.field),
                string(&i.prefix),
                i.allfields,
                string(&i.lang),
            );
            quote!(Stage::Iplocation(IplocationStage {
                field: #field,
                prefix: #prefix,
                allfields: #allfields,
                lang: #lang,
            }))
        }
        Stage::Transaction(t) => transaction(g, t),
        Stage::Append(a) => {
            let filter = search_closure(g, "append_search", &a.filter);
            let main: Vec<TokenStream> = a.main.iter().map(|s| self::stage(g, s)).collect();
            let stages: Vec<TokenStream> = a.stages.iter().map(|s| self::stage(g, s)).collect();
            quote!(Stage::Append(Box::new(AppendStage {
                main: Vec::from([#(#main),*]),
                filter: #filter,
                stages: Vec::from([#(#stages),*]),
            })))
        }
        Stage::Datamodel(d) => {
            let model = string(&d.model);
            let dataset = match &d.dataset {
                Some(ds) => {
                    let ds = string(ds);
                    quote!(Some(#ds))
                }
                None => quote!(None),
            };
            let prefixed = d.prefixed;
            let command = match d.command {
                DatamodelCommand::Tstats => quote!(DatamodelCommand::Tstats),
                DatamodelCommand::From => quote!(DatamodelCommand::From),
                DatamodelCommand::Datamodel => quote!(DatamodelCommand::Datamodel),
            };
            quote!(Stage::Datamodel(DatamodelStage {
                model: #model,
                dataset: #dataset,
                prefixed: #prefixed,
                command: #command,
            }))
        }
        Stage::Appendpipe(stages) => {
            let stages: Vec<TokenStream> = stages.iter().map(|s| self::stage(g, s)).collect();
            quote!(Stage::Appendpipe(Vec::from([#(#stages),*])))
        }
        Stage::Join(j) => {
            let fields = match &j.fields {
                JoinFields::Named(names) => {
                    let names = strings(names);
                    quote!(JoinFields::Named(#names))
                }
                JoinFields::Common => quote!(JoinFields::Common),
            };
            let (left, max, overwrite) = (j.left, int(j.max), j.overwrite);
            let filter = search_closure(g, "join_search", &j.filter);
            let main: Vec<TokenStream> = j.main.iter().map(|s| self::stage(g, s)).collect();
            let stages: Vec<TokenStream> = j.stages.iter().map(|s| self::stage(g, s)).collect();
            quote!(Stage::Join(Box::new(JoinStage {
                main: Vec::from([#(#main),*]),
                fields: #fields,
                left: #left,
                max: #max,
                overwrite: #overwrite,
                filter: #filter,
                stages: Vec::from([#(#stages),*]),
            })))
        }
        Stage::SubsearchFilter(s) => {
            let main: Vec<TokenStream> = s.main.iter().map(|st| self::stage(g, st)).collect();
            let subsearches: Vec<TokenStream> = s
                .subsearches
                .iter()
                .map(|sub| {
                    let filter = search_closure(g, "subsearch_search", &sub.filter);
                    let stages: Vec<TokenStream> =
                        sub.stages.iter().map(|st| self::stage(g, st)).collect();
                    quote!(Subsearch {
                        filter: #filter,
                        stages: Vec::from([#(#stages),*]),
                    })
                })
                .collect();
            let test = search_closure(g, "subsearch_test", &s.test);
            quote!(Stage::SubsearchFilter(Box::new(SubsearchFilterStage {
                main: Vec::from([#(#main),*]),
                subsearches: Vec::from([#(#subsearches),*]),
                test: #test,
            })))
        }
        Stage::Foreach(f) => {
            let patterns = patterns(&f.patterns);
            let [field, matchstr, seg1, seg2, seg3] = f.placeholders.all().map(string);
            let template: Vec<TokenStream> = f.template.iter().map(|s| self::stage(g, s)).collect();
            let names = strings(&f.names);
            quote!(Stage::Foreach(ForeachStage {
                patterns: #patterns,
                placeholders: ForeachPlaceholders {
                    field: #field,
                    matchstr: #matchstr,
                    matchseg: [#seg1, #seg2, #seg3],
                },
                template: Vec::from([#(#template),*]),
                names: #names,
            }))
        }
        Stage::Convert(c) => convert(c),
        Stage::Spath(s) => {
            let input = string(&s.input);
            let opt = |o: &Option<String>| match o {
                Some(v) => {
                    let v = string(v);
                    quote!(Some(#v))
                }
                None => quote!(None),
            };
            let (path, output) = (opt(&s.path), opt(&s.output));
            quote!(Stage::Spath(SpathStage { input: #input, path: #path, output: #output }))
        }
        Stage::Mvexpand { field, limit } => {
            let field = string(field);
            let limit = match limit {
                Some(n) => {
                    let n = int(*n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            quote!(Stage::Mvexpand { field: #field, limit: #limit })
        }
        Stage::Makemv(m) => {
            let field = string(&m.field);
            let split = match &m.split {
                crate::ir::MakemvSplit::Delim(d) => {
                    let d = string(d);
                    quote!(MakemvSplit::Delim(#d))
                }
                crate::ir::MakemvSplit::Tokenizer(r) => {
                    let re = g.regex_local(&format!("makemv_{}", m.field), &r.translated);
                    quote!(MakemvSplit::Tokenizer(#re))
                }
            };
            let (allowempty, setsv) = (m.allowempty, m.setsv);
            quote!(Stage::Makemv(MakemvStage {
                field: #field,
                split: #split,
                allowempty: #allowempty,
                setsv: #setsv,
            }))
        }
        Stage::Replace(r) => {
            let pairs = r.pairs.iter().map(|(a, b)| {
                let (a, b) = (string(a), string(b));
                quote!((#a, #b))
            });
            let fields = patterns(&r.fields);
            quote!(Stage::Replace(ReplaceStage {
                pairs: Vec::from([#(#pairs),*]),
                fields: #fields,
            }))
        }
        Stage::Addtotals(a) => {
            let (fields, fieldname) = (patterns(&a.fields), string(&a.fieldname));
            quote!(Stage::Addtotals(AddtotalsStage { fields: #fields, fieldname: #fieldname }))
        }
        Stage::Top(t) => top(t),
        Stage::Inputlookup(i) => {
            let (table, start) = (string(&i.table), int(i.start));
            let max = match i.max {
                Some(n) => {
                    let n = int(n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            quote!(Stage::Inputlookup(InputlookupStage { table: #table, start: #start, max: #max }))
        }
        Stage::Xmlkv(field) => {
            let field = string(field);
            quote!(Stage::Xmlkv(#field))
        }
        Stage::Fromjson { field, prefix } => {
            let (field, prefix) = (string(field), string(prefix));
            quote!(Stage::Fromjson { field: #field, prefix: #prefix })
        }
    }
}

/// A search predicate as a `CondFn` local named after `hint`.
fn search_closure(g: &mut Gen, hint: &str, pred: &crate::ir::Pred) -> proc_macro2::Ident {
    g.closure(hint, "CondFn", |g| {
        let code = g.pred(pred, &quote!(row));
        // `_raw` only for a search that reads it: an unused local is a warning in the
        // user's crate.
        if mentions(&code, "raw") {
            quote!({ let raw = row.raw(); #code })
        } else {
            code
        }
    })
}

fn transaction(g: &mut Gen, t: &crate::ir::TransactionStage) -> TokenStream {
    let fields = strings(&t.fields);
    let seconds = |s: Option<f64>| match s {
        Some(s) => {
            let s = float(s);
            quote!(Some(#s))
        }
        None => quote!(None),
    };
    let (max_span, max_pause) = (seconds(t.max_span), seconds(t.max_pause));
    let max_events = match t.max_events {
        Some(n) => {
            let n = int(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let mut filter = |hint: &str, f: &Option<TxnFilter>| match f {
        Some(TxnFilter::Search(p)) => {
            let test = search_closure(g, hint, p);
            quote!(Some(TxnFilter::Search(#test)))
        }
        Some(TxnFilter::Eval(e)) => {
            let test = g.closure(hint, "CondFn", |g| g.cond(e, true, None));
            quote!(Some(TxnFilter::Eval(#test)))
        }
        None => quote!(None),
    };
    let starts_with = filter("startswith", &t.starts_with);
    let ends_with = filter("endswith", &t.ends_with);
    let (keep_evicted, closes, connected) = (t.keep_evicted, t.closes, t.connected);
    quote!(Stage::Transaction(TransactionStage {
        fields: #fields,
        max_span: #max_span,
        max_pause: #max_pause,
        max_events: #max_events,
        starts_with: #starts_with,
        ends_with: #ends_with,
        keep_evicted: #keep_evicted,
        closes: #closes,
        connected: #connected,
    }))
}

/// `Stage::Convert(...)`.
fn convert(c: &crate::ir::ConvertStage) -> TokenStream {
    let timeformat = string(&c.timeformat);
    let items = c.items.iter().map(|i| {
        let func = variant("ConvertFunc", i.func);
        let field = pattern(&i.field);
        let output = match &i.output {
            Some(o) => {
                let o = pattern(o);
                quote!(Some(#o))
            }
            None => quote!(None),
        };
        quote!(ConvertItem { func: #func, field: #field, output: #output })
    });
    quote!(Stage::Convert(ConvertStage {
        timeformat: #timeformat,
        items: Vec::from([#(#items),*]),
    }))
}

/// `Stage::Top(...)`.
fn top(t: &crate::ir::TopStage) -> TokenStream {
    let opt = |o: &Option<String>| match o {
        Some(v) => {
            let v = string(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    };
    let (rare, fields, by, limit) = (t.rare, strings(&t.fields), strings(&t.by), int(t.limit));
    let (countfield, percentfield, other) =
        (opt(&t.countfield), opt(&t.percentfield), opt(&t.other));
    quote!(Stage::Top(TopStage {
        rare: #rare,
        fields: #fields,
        by: #by,
        limit: #limit,
        countfield: #countfield,
        percentfield: #percentfield,
        other: #other,
    }))
}

#[cfg(test)]
mod tests {
    use crate::codegen::{generate_rule, RuleMeta};
    use crate::compile_spl;

    fn search_closure(spl: &str) -> String {
        let compiled = compile_spl(spl, "r", &Default::default()).expect("compiles");
        let meta = RuleMeta::of("R".into(), &compiled);
        let code = generate_rule(&meta, &compiled.program).to_string();
        let start = code.find("let search").expect("a search closure");
        code[start..]
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_search_after_a_pipe_reads_raw_only_when_it_needs_it() {
        // Found building the `differential` fuzz target's rules: `| search` over fields
        // bound `raw` and never used it, a warning in the crate of the rule pack.
        let fields = search_closure("* | search user!=root OR uid<100");
        assert!(!fields.contains("raw"), "{fields}");
        let term = search_closure("* | search user!=root OR admin");
        assert!(term.contains("let raw = row . raw ()"), "{term}");
    }
}
