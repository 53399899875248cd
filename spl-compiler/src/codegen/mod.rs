//! Code generation: IR → Rust (`TokenStream`), for `build.rs` rule packs and `detect!`.
//!
//! Each rule becomes one type that implements `::spl_runtime::rule::Rule`. The type holds
//! every matcher, regex and field id the rule needs, built once in `new()`; the filter
//! predicate becomes straight-line Rust (`&&`, `||`, `!` over matcher calls), so checking an
//! event costs no allocation and no hashing. Generated code names only `::spl_runtime`
//! paths. Every string from a rule reaches the output as a literal token (quoted by
//! `quote!`), so no rule text can become code.

mod expr;
mod stage;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Atom, AtomKind, CmpOp, Pred, Program};

/// What the generated type says about its rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleMeta {
    /// The Rust type name (see [`type_name`]).
    pub type_name: String,
    /// The rule's `id`.
    pub id: String,
    /// The rule's `title`.
    pub title: String,
    /// ATT&CK technique ids.
    pub technique_ids: Vec<String>,
    /// The SPL as written.
    pub spl: String,
}

/// A Rust type name from a rule file stem or title: CamelCase of its alphanumeric words,
/// prefixed with `Rule` when it would start with a digit or be empty.
pub fn type_name(stem: &str) -> String {
    let mut out = String::new();
    for word in stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Rule");
    }
    out
}

/// Generate the type for one rule (a `pub struct` documented with the rule's title).
pub fn generate_rule(meta: &RuleMeta, program: &Program) -> TokenStream {
    // One attribute per line: the code prints as `///` lines, whatever the text holds.
    let lines = rule_doc(meta);
    let lines = lines.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    generate_rule_with(meta, program, &quote!(pub), &quote!(#(#lines)*))
}

/// The documentation of a rule's type: its title and id as plain text (every ASCII
/// punctuation character escaped, so that Markdown and HTML in a title stay text), then
/// its SPL in a fenced code block whose fence is longer than any run of backticks in it.
pub fn rule_doc(meta: &RuleMeta) -> String {
    let plain = |s: &str| -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(if c == '\n' || c == '\r' { ' ' } else { c });
        }
        out
    };
    let spl = meta.spl.trim();
    let mut longest = 0;
    let mut run = 0;
    for c in spl.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let mut doc = plain(&meta.title);
    if !meta.id.is_empty() {
        doc.push_str(&format!(" ({})", plain(&meta.id)));
    }
    doc.push_str(&format!("\n\n{fence}text\n{spl}\n{fence}"));
    doc
}

/// Generate the type for one rule with the given visibility and outer attributes.
pub fn generate_rule_with(
    meta: &RuleMeta,
    program: &Program,
    vis: &TokenStream,
    attrs: &TokenStream,
) -> TokenStream {
    let ty = Ident::new(&meta.type_name, Span::call_site());
    let mut g = Gen::default();
    let pred = g.pred(&program.filter, &quote!(event));
    let clauses: Vec<TokenStream> = program
        .prefilter
        .clauses
        .iter()
        .map(|c| {
            let lits = c.iter();
            quote!(&[#(#lits),*][..])
        })
        .collect();
    let prefilter = if clauses.is_empty() {
        quote!(::spl_runtime::prefilter::Prefilter::none())
    } else {
        quote!(::spl_runtime::prefilter::Prefilter::new::<&[&str], &str>(&[#(#clauses),*]))
    };
    let stages: Vec<TokenStream> = program
        .stages
        .iter()
        .map(|s| stage::stage(&mut g, s))
        .collect();
    let Gen {
        fields,
        inits,
        names,
        ..
    } = g;
    let (id, title, spl, name) = (&meta.id, &meta.title, &meta.spl, &meta.type_name);
    let techniques = meta.technique_ids.iter();
    let transforming = program.is_transforming();
    quote! {
        #attrs
        #[allow(non_snake_case, clippy::all)]
        #vis struct #ty {
            prefilter: ::spl_runtime::prefilter::Prefilter,
            pipeline: ::spl_runtime::pipeline::Pipeline,
            #(#fields,)*
        }

        impl #ty {
            /// The rule's metadata.
            pub const INFO: ::spl_runtime::rule::RuleInfo = ::spl_runtime::rule::RuleInfo {
                name: ::std::borrow::Cow::Borrowed(#name),
                id: ::std::borrow::Cow::Borrowed(#id),
                title: ::std::borrow::Cow::Borrowed(#title),
                technique_ids: ::std::borrow::Cow::Borrowed(&[#(::std::borrow::Cow::Borrowed(#techniques)),*]),
                spl: ::std::borrow::Cow::Borrowed(#spl),
            };

            /// Build the rule: every matcher and regex is compiled here, once.
            #[allow(clippy::all)]
            pub fn new() -> Self {
                #(#inits)*
                #ty {
                    prefilter: #prefilter,
                    pipeline: {
                        #[allow(unused_mut)]
                        let mut p = ::spl_runtime::pipeline::Pipeline::new();
                        #(p.push_stage(#stages);)*
                        p
                    },
                    #(#names,)*
                }
            }

            /// True when the event passes the rule's search.
            #[inline]
            #[allow(clippy::all)]
            pub fn matches<E: ::spl_runtime::Event + ?Sized>(&self, event: &E) -> bool {
                let raw = ::spl_runtime::Event::raw(event);
                let _ = raw;
                self.prefilter.admits(raw) && (#pred)
            }
        }

        impl ::core::default::Default for #ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::spl_runtime::rule::Rule for #ty {
            fn info(&self) -> ::spl_runtime::rule::RuleInfo {
                Self::INFO
            }

            fn matches(&self, event: &dyn ::spl_runtime::Event) -> bool {
                #ty::matches(self, event)
            }

            fn process(
                &mut self,
                row: ::spl_runtime::Record,
                out: &mut ::std::vec::Vec<::spl_runtime::Record>,
            ) {
                self.pipeline.push(row, out);
            }

            fn finish(&mut self, out: &mut ::std::vec::Vec<::spl_runtime::Record>) {
                self.pipeline.finish(out);
            }

            fn is_transforming(&self) -> bool {
                #transforming
            }
        }
    }
}

/// Collected parts of one rule's type.
///
/// Everything a rule needs at run time (matchers, regexes, field ids) is built once, as a
/// local of the generated `new()`. What the filter predicate uses also becomes a struct
/// member (read as `self.x`); what a stage closure uses is cloned into the closure.
#[derive(Default)]
pub(crate) struct Gen {
    /// `name: Type` struct fields.
    pub(crate) fields: Vec<TokenStream>,
    /// `let name: Type = init;` statements of `new()`.
    pub(crate) inits: Vec<TokenStream>,
    /// The names of the struct fields, in order.
    pub(crate) names: Vec<Ident>,
    /// While generating a closure: the locals it captures.
    captured: Option<Vec<Ident>>,
    counter: usize,
}

impl Gen {
    /// Add something built once in `new()`; returns the expression that refers to it
    /// where the code being generated runs (`self.x` in the predicate, `x` in a closure).
    pub(crate) fn member(
        &mut self,
        prefix: &str,
        ty: TokenStream,
        init: TokenStream,
    ) -> TokenStream {
        let name = format_ident!("{}{}", prefix, self.counter);
        self.counter += 1;
        self.inits.push(quote!(let #name: #ty = #init;));
        match &mut self.captured {
            Some(captured) => {
                captured.push(name.clone());
                quote!(#name)
            }
            None => {
                self.fields.push(quote!(#name: #ty));
                self.names.push(name.clone());
                quote!(self.#name)
            }
        }
    }

    /// A field id for `field`.
    pub(crate) fn field_id(&mut self, field: &str) -> TokenStream {
        self.member(
            "f",
            quote!(::spl_runtime::FieldId),
            quote!(::spl_runtime::FieldId::intern(#field)),
        )
    }

    /// Generate a `move` closure over one row: `body` builds its code (which refers to the
    /// row as `row`); everything it uses is cloned into it.
    pub(crate) fn closure(
        &mut self,
        ret: TokenStream,
        body: impl FnOnce(&mut Gen) -> TokenStream,
    ) -> TokenStream {
        let outer = self.captured.replace(Vec::new());
        let code = body(self);
        let captured = std::mem::replace(&mut self.captured, outer).unwrap_or_default();
        // A closure inside a closure captures from the outer one too.
        if let Some(outer) = &mut self.captured {
            outer.extend(captured.iter().cloned());
        }
        quote! {{
            #(let #captured = ::core::clone::Clone::clone(&#captured);)*
            move |row: &::spl_runtime::Record| -> #ret { #code }
        }}
    }

    /// Code testing `pred` on `event` (an expression of a type implementing `Event`; the
    /// local `raw` holds its `_raw`).
    pub(crate) fn pred(&mut self, pred: &Pred, event: &TokenStream) -> TokenStream {
        match pred {
            Pred::True => quote!(true),
            Pred::False => quote!(false),
            Pred::Atom(a) => self.atom(a, event),
            Pred::Not(a) => {
                let inner = self.atom(a, event);
                quote!(!(#inner))
            }
            Pred::And(items) => {
                let items: Vec<_> = items.iter().map(|p| self.pred(p, event)).collect();
                quote!((#(#items)&&*))
            }
            Pred::Or(items) => {
                let items: Vec<_> = items.iter().map(|p| self.pred(p, event)).collect();
                quote!((#(#items)||*))
            }
        }
    }

    fn atom(&mut self, atom: &Atom, event: &TokenStream) -> TokenStream {
        match &atom.kind {
            AtomKind::Term(t) | AtomKind::Phrase(t) => {
                let m = self.member(
                    "m",
                    quote!(::spl_runtime::search::Term),
                    quote!(::spl_runtime::search::Term::new(#t)),
                );
                quote!(#m.is_match(raw))
            }
            AtomKind::TermExact(t) => {
                let m = self.member(
                    "m",
                    quote!(::spl_runtime::search::TermExact),
                    quote!(::spl_runtime::search::TermExact::new(#t)),
                );
                quote!(#m.is_match(raw))
            }
            AtomKind::CaseTerm(t) => {
                let m = self.member(
                    "m",
                    quote!(::spl_runtime::search::CaseTerm),
                    quote!(::spl_runtime::search::CaseTerm::new(#t)),
                );
                quote!(#m.is_match(raw))
            }
            AtomKind::Compare { field, op, value } => {
                let f = self.field_id(field);
                let op = cmp_op(*op);
                let m = self.member(
                    "c",
                    quote!(::spl_runtime::compare::FieldMatcher),
                    quote!(::spl_runtime::compare::FieldMatcher::new(#op, #value)),
                );
                quote!(#m.matches(::spl_runtime::Event::get(#event, #f)))
            }
            AtomKind::In { field, values } => {
                let f = self.field_id(field);
                let values = values.iter();
                let m = self.member(
                    "c",
                    quote!(::spl_runtime::compare::FieldMatcher),
                    quote!(::spl_runtime::compare::FieldMatcher::in_list([#(#values),*])),
                );
                quote!(#m.matches(::spl_runtime::Event::get(#event, #f)))
            }
        }
    }
}

pub(crate) fn cmp_op(op: CmpOp) -> TokenStream {
    match op {
        CmpOp::Eq => quote!(::spl_runtime::compare::CompareOp::Eq),
        CmpOp::Ne => quote!(::spl_runtime::compare::CompareOp::Ne),
        CmpOp::Lt => quote!(::spl_runtime::compare::CompareOp::Lt),
        CmpOp::Le => quote!(::spl_runtime::compare::CompareOp::Le),
        CmpOp::Gt => quote!(::spl_runtime::compare::CompareOp::Gt),
        CmpOp::Ge => quote!(::spl_runtime::compare::CompareOp::Ge),
    }
}

/// Format generated tokens as Rust source (prettyplease); falls back to the raw token
/// text if the tokens do not parse as a file (which would be a bug).
pub fn to_source(tokens: &TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}
