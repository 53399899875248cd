//! Code generation for the stages after the first search: each becomes a runtime stage
//! value (`Box<dyn ::spl_runtime::pipeline::Stage>`) built in `new()`; `eval`, `where` and
//! `| search` become closures of generated code.

use proc_macro2::TokenStream;
use quote::quote;

use super::expr::float;
use super::Gen;
use crate::ir::{
    AggFunc, AggInput, BinSpan, FieldPattern, SedEdit, SedOccurrence, Stage, StatsKind,
};

fn pl() -> TokenStream {
    quote!(::spl_runtime::pipeline)
}

fn regex(pattern: &str) -> TokenStream {
    quote!(::spl_runtime::regex::Regex::new(#pattern)
        .expect("the pattern was checked when the rule was compiled"))
}

fn patterns(p: &[FieldPattern]) -> Vec<&str> {
    p.iter().map(|p| p.0.as_str()).collect()
}

/// The runtime stage for `stage`, as an expression of type `Box<dyn Stage>`.
pub(crate) fn stage(g: &mut Gen, stage: &Stage) -> TokenStream {
    let pl = pl();
    let boxed = |s: TokenStream| quote!(::std::boxed::Box::new(#s));
    match stage {
        Stage::Search(pred) => {
            let test = g.closure(quote!(bool), |g| {
                let code = g.pred(pred, &quote!(row));
                quote!(let raw = ::spl_runtime::Event::raw(row); let _ = raw; #code)
            });
            boxed(quote!(#pl::Filter::new(#test)))
        }
        Stage::Where(e) => {
            let test = g.closure(quote!(bool), |g| {
                let code = g.expr(e, None);
                quote!((#code).is_true())
            });
            boxed(quote!(#pl::Filter::new(#test)))
        }
        Stage::Eval(assigns) => {
            let items: Vec<TokenStream> = assigns
                .iter()
                .map(|a| {
                    let field = &a.field;
                    let f = g.closure(quote!(::core::option::Option<::spl_runtime::Value>), |g| {
                        let code = g.expr(&a.value, None);
                        quote!((#code).into_value())
                    });
                    quote!((::spl_runtime::FieldId::intern(#field), ::std::boxed::Box::new(#f) as #pl::EvalFn))
                })
                .collect();
            boxed(quote!(#pl::Eval::new(::std::vec![#(#items),*])))
        }
        Stage::Regex(r) => {
            let (field, negated, re) = (&r.field, r.negated, regex(&r.regex.translated));
            boxed(quote!(#pl::RegexFilter::new(#field, #re, #negated)))
        }
        Stage::Rex(r) => {
            let (field, max, re) = (&r.field, r.max_match, regex(&r.regex.translated));
            boxed(quote!(#pl::Rex::new(#field, #re, #max)))
        }
        Stage::Sed(s) => {
            let field = &s.field;
            let sed = match &s.edit {
                SedEdit::Substitute {
                    regex,
                    replacement,
                    occurrence,
                } => {
                    let pattern = &regex.translated;
                    let occ = match occurrence {
                        SedOccurrence::All => quote!(::spl_runtime::regex::Occurrence::All),
                        SedOccurrence::Nth(n) => {
                            let n = usize::try_from(*n).unwrap_or(usize::MAX);
                            quote!(::spl_runtime::regex::Occurrence::Nth(#n))
                        }
                        SedOccurrence::FromNth(n) => {
                            let n = usize::try_from(*n).unwrap_or(usize::MAX);
                            quote!(::spl_runtime::regex::Occurrence::FromNth(#n))
                        }
                    };
                    quote!(::spl_runtime::regex::SedSyntax::Substitute {
                        pattern: ::std::string::String::from(#pattern),
                        replacement: ::spl_runtime::regex::Replacement::sed(#replacement, '/'),
                        occurrence: #occ,
                    })
                }
                SedEdit::Transliterate { from, to } => {
                    quote!(::spl_runtime::regex::SedSyntax::Transliterate {
                        from: ::std::vec![#(#from),*],
                        to: ::std::vec![#(#to),*],
                    })
                }
            };
            boxed(quote!(#pl::SedStage::new(
                #field,
                ::spl_runtime::regex::Sed::new(#sed).expect("the pattern was checked when the rule was compiled"),
            )))
        }
        Stage::Table(p) => {
            let p = patterns(p);
            boxed(quote!(#pl::Table::new(&[#(#p),*])))
        }
        Stage::Fields {
            remove,
            patterns: p,
        } => {
            let p = patterns(p);
            boxed(quote!(#pl::Fields::new(#remove, &[#(#p),*])))
        }
        Stage::Rename(pairs) => {
            let items = pairs.iter().map(|(a, b)| {
                let (a, b) = (&a.0, &b.0);
                quote!((#a, #b))
            });
            boxed(quote!(#pl::Rename::new(&[#(#items),*])))
        }
        Stage::Fillnull { value, fields } => {
            boxed(quote!(#pl::Fillnull::new(#value, &[#(#fields),*] as &[&str])))
        }
        Stage::Bin(b) => {
            let (field, output) = (&b.field, &b.output);
            let width = match b.span {
                BinSpan::Seconds(s) => {
                    let s = float(s);
                    quote!(#pl::BinWidth::Seconds(#s))
                }
                BinSpan::Months(m) => quote!(#pl::BinWidth::Months(#m)),
            };
            boxed(quote!(#pl::Bin::new(#field, #output, #width)))
        }
        Stage::Stats(s) => {
            let mode = match s.kind {
                StatsKind::Stats => quote!(#pl::StatsMode::Stats),
                StatsKind::Eventstats => quote!(#pl::StatsMode::Eventstats),
                StatsKind::Streamstats => {
                    let window = usize::try_from(s.window).unwrap_or(usize::MAX);
                    let (current, global) = (s.current, s.global);
                    quote!(#pl::StatsMode::Streamstats { window: #window, current: #current, global: #global })
                }
            };
            let aggs: Vec<TokenStream> = s
                .aggs
                .iter()
                .map(|a| {
                    let func = agg_func(a.func, &a.input);
                    let input = match &a.input {
                        AggInput::None => quote!(#pl::AggInput::None),
                        AggInput::Field(f) => {
                            quote!(#pl::AggInput::Field(::spl_runtime::FieldId::intern(#f)))
                        }
                        AggInput::Pattern(p) => {
                            let p = &p.0;
                            quote!(#pl::AggInput::Pattern(#pl::FieldGlob::new(#p)))
                        }
                        AggInput::Eval(e) => {
                            let f = g.closure(
                                quote!(::core::option::Option<::spl_runtime::Value>),
                                |g| {
                                    let code = g.expr(e, None);
                                    quote!((#code).into_value())
                                },
                            );
                            quote!(#pl::AggInput::Eval(::std::boxed::Box::new(#f)))
                        }
                    };
                    let output = &a.output;
                    quote!(#pl::AggSpec::new(#func, #input, #output))
                })
                .collect();
            let by = s.by.iter();
            boxed(quote!(#pl::Stats::new(#mode, ::std::vec![#(#aggs),*], &[#(#by),*])))
        }
        Stage::Sort { limit, keys } => {
            let limit = match limit {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            let keys = keys
                .iter()
                .map(|(f, d)| quote!((::std::string::String::from(#f), #d)));
            boxed(quote!(#pl::Sort::new(::std::vec![#(#keys),*], #limit)))
        }
        Stage::Dedup { count, fields } => {
            boxed(quote!(#pl::Dedup::new(&[#(#fields),*] as &[&str], #count)))
        }
        Stage::Head(n) => boxed(quote!(#pl::Head::new(#n))),
    }
}

/// The runtime aggregation function for an IR function and its input.
pub(crate) fn agg_func(func: AggFunc, input: &AggInput) -> TokenStream {
    let name = match func {
        AggFunc::Count if matches!(input, AggInput::None) => "Count",
        AggFunc::Count => "CountField",
        AggFunc::DistinctCount => "DistinctCount",
        AggFunc::Values => "Values",
        AggFunc::List => "List",
        AggFunc::Sum => "Sum",
        AggFunc::Avg => "Avg",
        AggFunc::Min => "Min",
        AggFunc::Max => "Max",
        AggFunc::Range => "Range",
        AggFunc::Stdev => "Stdev",
        AggFunc::Stdevp => "Stdevp",
        AggFunc::Var => "Var",
        AggFunc::Varp => "Varp",
        AggFunc::First => "First",
        AggFunc::Last => "Last",
        AggFunc::Earliest => "Earliest",
        AggFunc::Latest => "Latest",
        AggFunc::Median => "Median",
        AggFunc::Mode => "Mode",
    };
    let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
    quote!(::spl_runtime::stats::AggFunc::#name)
}
