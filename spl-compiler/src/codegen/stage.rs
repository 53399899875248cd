//! Code generation for the stages after the first search.
//!
//! Each stage is written as the IR value it is (`Stage::Table(...)`, `Stage::Stats(...)`),
//! with its code compiled: `where` and `| search` as `CondFn` closures, `eval` and
//! `stats ... eval(...)` as `ExprFn` closures, regexes as compiled `Regex`es. The runtime's
//! `Pipeline::with` turns each into the step that runs it, the same step the evaluator
//! builds from the same stage.

use proc_macro2::TokenStream;
use quote::quote;

use super::expr::float;
use super::{text, variant, Gen};
use crate::ir::{AggInput, BinSpan, FieldPattern, SedEdit, Stage, StatsKind};

/// `Pipeline::new().with(...)...` for `stages`.
pub(super) fn pipeline(g: &mut Gen, stages: &[Stage]) -> TokenStream {
    let stages: Vec<TokenStream> = stages.iter().map(|s| stage(g, s)).collect();
    quote!(Pipeline::new() #(.with(#stages))*)
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

fn regex(translated: &str) -> TokenStream {
    let lit = text::lit_str(translated);
    quote!(Regex::checked(#lit))
}

/// `Stage::...` with compiled code.
fn stage(g: &mut Gen, stage: &Stage) -> TokenStream {
    match stage {
        Stage::Search(pred) => {
            let test = g.closure(|g| {
                let code = g.pred(pred, &quote!(row));
                quote!({ let raw = row.raw(); #code })
            });
            quote!(Stage::Search(CondFn::new(#test)))
        }
        Stage::Where(e) => {
            let test = g.closure(|g| g.cond(e, true, None));
            quote!(Stage::Where(CondFn::new(#test)))
        }
        Stage::Eval(assigns) => {
            let items = assigns.iter().map(|a| {
                let field = string(&a.field);
                let value = g.closure(|g| {
                    let v = g.value(&a.value, None);
                    quote!(#v.into_value())
                });
                quote!(Assignment { field: #field, value: ExprFn::new(#value) })
            });
            let items: Vec<TokenStream> = items.collect();
            quote!(Stage::Eval(vec![#(#items),*]))
        }
        Stage::Regex(r) => {
            let (field, negated, re) = (string(&r.field), r.negated, regex(&r.regex.translated));
            quote!(Stage::Regex(RegexStage { field: #field, negated: #negated, regex: #re }))
        }
        Stage::Rex(r) => {
            let (field, max, re) = (string(&r.field), r.max_match, regex(&r.regex.translated));
            quote!(Stage::Rex(RexStage { field: #field, regex: #re, max_match: #max }))
        }
        Stage::Sed(s) => {
            let field = string(&s.field);
            let edit = match &s.edit {
                SedEdit::Substitute {
                    regex: re,
                    replacement,
                    occurrence,
                } => {
                    let (re, replacement) = (regex(&re.translated), string(replacement));
                    let occurrence = match occurrence {
                        crate::ir::SedOccurrence::All => quote!(SedOccurrence::All),
                        crate::ir::SedOccurrence::Nth(n) => quote!(SedOccurrence::Nth(#n)),
                        crate::ir::SedOccurrence::FromNth(n) => quote!(SedOccurrence::FromNth(#n)),
                    };
                    quote!(SedEdit::Substitute { regex: #re, replacement: #replacement, occurrence: #occurrence })
                }
                SedEdit::Transliterate { from, to } => {
                    quote!(SedEdit::Transliterate { from: vec![#(#from),*], to: vec![#(#to),*] })
                }
            };
            quote!(Stage::Sed(SedStage { field: #field, edit: #edit }))
        }
        Stage::Table(p) => {
            let p = patterns(p);
            quote!(Stage::Table(#p))
        }
        Stage::Fields { remove, patterns: p } => {
            let p = patterns(p);
            quote!(Stage::Fields { remove: #remove, patterns: #p })
        }
        Stage::Rename(pairs) => {
            let pairs = pairs.iter().map(|(a, b)| {
                let (a, b) = (pattern(a), pattern(b));
                quote!((#a, #b))
            });
            quote!(Stage::Rename(vec![#(#pairs),*]))
        }
        Stage::Fillnull { value, fields } => {
            let (value, fields) = (string(value), strings(fields));
            quote!(Stage::Fillnull { value: #value, fields: #fields })
        }
        Stage::Bin(b) => {
            let (field, output) = (string(&b.field), string(&b.output));
            let span = match b.span {
                BinSpan::Seconds(s) => {
                    let s = float(s);
                    quote!(BinSpan::Seconds(#s))
                }
                BinSpan::Months(m) => quote!(BinSpan::Months(#m)),
            };
            quote!(Stage::Bin(BinStage { field: #field, span: #span, output: #output }))
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
                            let value = g.closure(|g| {
                                let v = g.value(e, None);
                                quote!(#v.into_value())
                            });
                            quote!(AggInput::Eval(ExprFn::new(#value)))
                        }
                    };
                    let output = string(&a.output);
                    quote!(Agg { func: #func, input: #input, output: #output })
                })
                .collect();
            let by = strings(&s.by);
            let (window, current, global) = (s.window, s.current, s.global);
            // streamstats' options mean nothing to the other two: leave them at their
            // defaults there, so that the code shows only what the rule says.
            let options = if s.kind == StatsKind::Streamstats {
                quote!(window: #window, current: #current, global: #global)
            } else {
                quote!(window: 0, current: true, global: true)
            };
            quote!(Stage::Stats(StatsStage { kind: #kind, aggs: vec![#(#aggs),*], by: #by, #options }))
        }
        Stage::Sort { limit, keys } => {
            let limit = match limit {
                Some(n) => quote!(Some(#n)),
                None => quote!(None),
            };
            let keys = keys.iter().map(|k| {
                let (field, desc) = (string(&k.field), k.descending);
                quote!(SortKey { field: #field, descending: #desc })
            });
            quote!(Stage::Sort { limit: #limit, keys: vec![#(#keys),*] })
        }
        Stage::Dedup { count, fields } => {
            let fields = strings(fields);
            quote!(Stage::Dedup { count: #count, fields: #fields })
        }
        Stage::Head(n) => quote!(Stage::Head(#n)),
    }
}
