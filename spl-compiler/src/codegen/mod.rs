//! Code generation: IR → Rust, for `build.rs` rule packs ([`crate::Builder`]) and `detect!`.
//!
//! Each rule becomes one type implementing `spl_runtime::rule::Rule`:
//!
//! - the filter predicate becomes straight-line Rust in `matches`: `&&` and `||` over
//!   matchers that are members of the type, named after what they match, built once in
//!   `new()`. Checking an event allocates nothing and hashes nothing;
//! - the stages become IR stages whose code is compiled Rust (`where` and `eval` as
//!   closures, regexes compiled), handed to the runtime's `Pipeline::with`: what each
//!   command does lives in the runtime, once, for both back ends;
//! - eval logic is three-valued (`codegen/expr.rs`), written as plain `&&`/`||` over
//!   `is_true()` and `is_false()` tests;
//! - the prefilter clause is the one the compiler chose ([`crate::ir::Prefilter::chosen`]).
//!
//! Generated code names only `::spl_runtime` items (besides `std` and `core`). Every piece
//! of text from a rule reaches it through `codegen/text.rs`: as a string literal or a doc
//! line, never as code. Identifiers named after rule text keep only its ASCII letters,
//! digits and `_` ([`Names`]).

mod expr;
mod names;
mod stage;
mod text;

use proc_macro2::{Ident, TokenStream};
use quote::{quote, ToTokens};

use crate::compile::CompiledRule;
use crate::ir::{Atom, AtomKind, Pred, PredKind, Program};

pub use names::Names;

/// What the generated type says about its rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleMeta {
    /// The Rust type name.
    pub type_name: String,
    /// The rule's `id`.
    pub id: String,
    /// The rule's `title`.
    pub title: String,
    /// ATT&CK technique ids.
    pub technique_ids: Vec<String>,
    /// The SPL as written.
    pub spl: String,
    /// Where the rule came from (a file path), shown in the type's documentation.
    pub source: Option<String>,
}

impl RuleMeta {
    /// The metadata of a compiled rule, under the type name `type_name`.
    pub fn of(type_name: String, compiled: &CompiledRule) -> RuleMeta {
        let rule = &compiled.rule;
        RuleMeta {
            type_name,
            id: rule.id.clone(),
            title: rule.title.clone(),
            technique_ids: rule.technique_id.clone(),
            spl: rule.logic.clone(),
            source: rule.path.as_ref().map(|p| p.display().to_string()),
        }
    }
}

/// The documentation of a rule's type, as Markdown: its title and id as text, where it
/// came from, then its SPL in a code block.
pub fn rule_doc(meta: &RuleMeta) -> String {
    let mut doc = text::markdown_text(&meta.title);
    if !meta.id.is_empty() {
        doc.push_str(&format!(" ({})", text::markdown_text(&meta.id)));
    }
    if let Some(source) = &meta.source {
        doc.push_str(&format!("\n\nFrom {}.", text::markdown_text(source)));
    }
    doc.push_str("\n\n");
    doc.push_str(&text::code_block(meta.spl.trim()));
    doc
}

/// The type of one rule: a `pub struct` documented with [`rule_doc`].
pub fn generate_rule(meta: &RuleMeta, program: &Program) -> TokenStream {
    let doc = text::doc_attrs(&rule_doc(meta));
    generate_rule_with(meta, program, &quote!(pub), &doc)
}

/// The types of a pack of compiled rules, named from their files (unique, never a keyword
/// or a prelude name), plus the registry: `RULES` (every rule's metadata) and
/// `all_rules()` (a fresh instance of each).
pub fn generate_pack(rules: &[CompiledRule]) -> TokenStream {
    let mut names = Names::default();
    let mut types = Vec::new();
    let mut idents = Vec::new();
    for compiled in rules {
        let stem = compiled
            .rule
            .path
            .as_deref()
            .and_then(|p| p.file_stem())
            .map_or_else(
                || compiled.rule.id.clone(),
                |s| s.to_string_lossy().into_owned(),
            );
        let name = names.type_name(&stem);
        types.push(generate_rule(
            &RuleMeta::of(name.clone(), compiled),
            &compiled.program,
        ));
        idents.push(Ident::new(&name, proc_macro2::Span::call_site()));
    }
    quote! {
        #(#types)*

        /// The metadata of every rule of the pack.
        pub const RULES: &[::spl_runtime::rule::RuleInfo] = &[#(#idents::INFO),*];

        /// A fresh instance of every rule of the pack.
        pub fn all_rules() -> ::std::vec::Vec<::std::boxed::Box<dyn ::spl_runtime::rule::Rule>> {
            all_rules_with(&::spl_runtime::pipeline::RunOptions::default())
        }

        /// A fresh instance of every rule of the pack, their blocking commands within the
        /// memory budget of `options`.
        pub fn all_rules_with(
            options: &::spl_runtime::pipeline::RunOptions,
        ) -> ::std::vec::Vec<::std::boxed::Box<dyn ::spl_runtime::rule::Rule>> {
            // One constructor per rule, each a function of its own: a pack of thousands
            // of rules is thousands of small functions, not one that holds them all.
            let constructors: &[::spl_runtime::generated::NewRule] = &[#(
                |options| ::std::boxed::Box::new(#idents::with_options(options.clone()))
            ),*];
            constructors.iter().map(|new| new(options)).collect()
        }
    }
}

/// The type of one rule with the given visibility and outer attributes.
pub fn generate_rule_with(
    meta: &RuleMeta,
    program: &Program,
    vis: &TokenStream,
    attrs: &TokenStream,
) -> TokenStream {
    // Generation recurses along the rule's expressions: the compiler's stack.
    crate::compile::on_compiler_stack(|| generate(meta, program, vis, attrs))
}

fn generate(
    meta: &RuleMeta,
    program: &Program,
    vis: &TokenStream,
    attrs: &TokenStream,
) -> TokenStream {
    let ty = Ident::new(&meta.type_name, proc_macro2::Span::call_site());
    let mut g = Gen::default();
    let filter = g.filter(program.filter());
    let prefilter = match program.prefilter().chosen() {
        Some(literals) => {
            let literals = literals.iter().map(|l| text::lit_str(l));
            quote!(Prefilter::new(&[#(#literals),*]))
        }
        None => quote!(Prefilter::none()),
    };
    let pipeline = stage::pipeline(&mut g, program.stages());
    let Gen {
        fields,
        members,
        locals,
        now,
        ..
    } = g;
    let field_lets = fields.iter().map(|(name, ident)| {
        let name = text::lit_str(name);
        quote!(let #ident = FieldId::intern(#name);)
    });
    let now = now.map(|n| quote!(let #n = search_start();));
    let member_decls = members.iter().map(|m| {
        let (name, ty) = (&m.name, &m.ty);
        quote!(#name: #ty)
    });
    let member_inits = members.iter().map(|m| match &m.init {
        // A field id member takes the local of the same name.
        None => m.name.to_token_stream(),
        Some(init) => {
            let name = &m.name;
            quote!(#name: #init)
        }
    });
    let info = info(meta);
    let witness = witness(program.witness());
    let transforming = program.is_transforming();
    quote! {
        #attrs
        #vis struct #ty {
            prefilter: ::spl_runtime::prefilter::Prefilter,
            #(#member_decls,)*
            pipeline: ::spl_runtime::pipeline::Pipeline,
        }

        impl #ty {
            /// The rule's metadata.
            pub const INFO: ::spl_runtime::rule::RuleInfo = #info;

            /// Build the rule: every matcher and regex is compiled here, once.
            pub fn new() -> Self {
                Self::with_options(::spl_runtime::pipeline::RunOptions::default())
            }

            /// Build the rule; its blocking commands (`sort`, `eventstats`) run within the
            /// memory budget of `options`.
            pub fn with_options(options: ::spl_runtime::pipeline::RunOptions) -> Self {
                use ::spl_runtime::generated::*;
                #(#field_lets)*
                #now
                #(#locals)*
                Self {
                    prefilter: #prefilter,
                    #(#member_inits,)*
                    pipeline: #pipeline,
                }
            }

            /// True when the event passes the rule's search.
            pub fn matches<E: ::spl_runtime::Event + ?Sized>(&self, event: &E) -> bool {
                #filter
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
                Self::matches(self, event)
            }

            fn process(&mut self, row: ::spl_runtime::Record, out: &mut ::std::vec::Vec<::spl_runtime::Record>) {
                self.pipeline.push(row, out);
            }

            fn finish(
                &mut self,
                out: &mut dyn ::core::ops::FnMut(::spl_runtime::Record),
            ) -> ::core::result::Result<(), ::spl_runtime::pipeline::StepError> {
                self.pipeline.finish(out)
            }

            fn is_transforming(&self) -> bool {
                #transforming
            }

            fn witness(&self) -> ::core::option::Option<::spl_runtime::ir::Witness> {
                #witness
            }
        }
    }
}

/// The body of `Rule::witness` for a rule's witness.
fn witness(witness: Option<crate::ir::Witness>) -> TokenStream {
    use crate::ir::Need;
    let Some(witness) = witness else {
        return quote!(::core::option::Option::None);
    };
    let needs = |needs: &[Need]| -> Vec<TokenStream> { needs.iter().map(need).collect() };
    let first = needs(&witness.needs);
    let also = witness.also.iter().map(|clause| {
        let clause = needs(clause);
        quote!(Vec::from([#(#clause),*]))
    });
    quote! {
        use ::spl_runtime::generated::*;
        Some(Witness {
            needs: Vec::from([#(#first),*]),
            also: Vec::from([#(#also),*]),
        })
    }
}

/// A witness's need as an expression.
fn need(need: &crate::ir::Need) -> TokenStream {
    use crate::ir::Need;
    match need {
        Need::Raw(text) => {
            let text = text::lit_str(text);
            quote!(Need::Raw(#text.into()))
        }
        Need::Present(field) => {
            let field = text::lit_str(field);
            quote!(Need::Present(#field.into()))
        }
        Need::Equals { field, value } => {
            let (field, value) = (text::lit_str(field), text::lit_str(value));
            quote!(Need::Equals { field: #field.into(), value: #value.into() })
        }
        Need::Contains { field, text } => {
            let (field, text) = (text::lit_str(field), text::lit_str(text));
            quote!(Need::Contains { field: #field.into(), text: #text.into() })
        }
    }
}

/// `RuleInfo::new(...)` for a rule.
fn info(meta: &RuleMeta) -> TokenStream {
    let [name, id, title, spl] =
        [&meta.type_name, &meta.id, &meta.title, &meta.spl].map(|s| text::lit_str(s));
    let techniques = meta.technique_ids.iter().map(|t| {
        let t = text::lit_str(t);
        quote!(::std::borrow::Cow::Borrowed(#t))
    });
    quote!(::spl_runtime::rule::RuleInfo::new(#name, #id, #title, &[#(#techniques),*], #spl))
}

/// A member of the rule's type: a matcher or field id the filter predicate uses.
struct Member {
    name: Ident,
    ty: TokenStream,
    /// How `new()` builds it; `None` for the local of the same name.
    init: Option<TokenStream>,
}

/// Where the code being generated runs, and so how it reaches what it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// `matches(&self, event)`: matchers and field ids are members (`self.x`).
    Filter,
    /// A closure over `row`: matchers, regexes and patterns are locals of `new()`, each
    /// used by one closure only and moved into it; field ids are `Copy` locals of `new()`.
    Closure,
}

/// What one rule's code is made of, gathered while generating it.
#[derive(Default)]
struct Gen {
    names: Names,
    /// Field ids: (field name, local of `new()`), each field once.
    fields: Vec<(String, Ident)>,
    /// Members of the type (what the filter predicate uses).
    members: Vec<Member>,
    /// Field ids the filter uses, as members: (local, member).
    member_fields: Vec<(Ident, Ident)>,
    /// The locals of `new()` that closures use (matchers, regexes, patterns), in order.
    locals: Vec<TokenStream>,
    /// The local holding `now()`, when some expression asks for it.
    now: Option<Ident>,
    place: Option<Place>,
}

impl Gen {
    fn place(&self) -> Place {
        self.place.unwrap_or(Place::Filter)
    }

    /// The local of `new()` holding the id of `field` (declared once).
    fn field_local(&mut self, field: &str) -> Ident {
        if let Some((_, ident)) = self.fields.iter().find(|(f, _)| f == field) {
            return ident.clone();
        }
        let ident = self.names.value(field, "field");
        self.fields.push((field.to_owned(), ident.clone()));
        ident
    }

    /// Code naming the id of `field` where the code runs.
    fn field_id(&mut self, field: &str) -> TokenStream {
        let local = self.field_local(field);
        match self.place() {
            Place::Closure => local.into_token_stream(),
            Place::Filter => {
                let member = match self.member_fields.iter().find(|(l, _)| *l == local) {
                    Some((_, m)) => m.clone(),
                    None => {
                        // The member shares the local's name: `Self { field, .. }`.
                        self.members.push(Member {
                            name: local.clone(),
                            ty: quote!(::spl_runtime::FieldId),
                            init: None,
                        });
                        self.member_fields.push((local.clone(), local.clone()));
                        local
                    }
                };
                quote!(self.#member)
            }
        }
    }

    /// Something built once (a matcher, regex, pattern) named after `hint`: a member in the
    /// filter, a local of the closure's block otherwise. `ty` is its type's path under
    /// `::spl_runtime`; `init` builds it (and may use the prelude's short names).
    fn built(
        &mut self,
        hint: &str,
        fallback: &str,
        ty: TokenStream,
        init: TokenStream,
    ) -> TokenStream {
        let name = self.names.value(hint, fallback);
        match self.place() {
            Place::Filter => {
                self.members.push(Member {
                    name: name.clone(),
                    ty: quote!(::spl_runtime::#ty),
                    init: Some(init),
                });
                quote!(self.#name)
            }
            Place::Closure => {
                self.locals.push(quote!(let #name = #init;));
                name.into_token_stream()
            }
        }
    }

    /// The local holding `now()`.
    fn now(&mut self) -> Ident {
        if self.now.is_none() {
            self.now = Some(self.names.value("now_", "now"));
        }
        self.now
            .clone()
            .unwrap_or_else(|| unreachable!("set above"))
    }

    /// A local of `new()` named after `hint`: `let <name> = <wrapper>::new(move |row:
    /// &Record| <body>);`. What the body builds once are locals of `new()` before it, used
    /// by this closure only.
    fn closure(
        &mut self,
        hint: &str,
        wrapper: &str,
        body: impl FnOnce(&mut Gen) -> TokenStream,
    ) -> Ident {
        let outer_place = self.place.replace(Place::Closure);
        let code = body(self);
        self.place = outer_place;
        let name = self.names.value(hint, "code");
        let wrapper = Ident::new(wrapper, proc_macro2::Span::call_site());
        // A constant (`eval v="x"`) does not read the row.
        let row = if mentions(&code, "row") {
            quote!(row)
        } else {
            quote!(_)
        };
        self.locals
            .push(quote!(let #name = #wrapper::new(move |#row: &Record| #code);));
        name
    }

    /// A compiled regex, a local of `new()` named after `hint`.
    fn regex_local(&mut self, hint: &str, translated: &str) -> Ident {
        let name = self.names.value(hint, "re");
        let lit = text::lit_str(translated);
        self.locals.push(quote!(let #name = Regex::checked(#lit);));
        name
    }

    /// The body of `matches`: the prefilter, then the filter predicate (the event is
    /// `event`, its `_raw` is `raw`).
    fn filter(&mut self, pred: &Pred) -> TokenStream {
        match pred.kind() {
            PredKind::True => return quote!(self.prefilter.admits(event.raw())),
            PredKind::False => return quote!(let _ = (&self.prefilter, event); false),
            _ => {}
        }
        self.place = Some(Place::Filter);
        let code = self.pred_operand(pred, &quote!(event));
        self.place = None;
        quote!(let raw = event.raw(); self.prefilter.admits(raw) && #code)
    }

    /// Code testing `pred` on `event` (whose `_raw` is the local `raw`).
    fn pred(&mut self, pred: &Pred, event: &TokenStream) -> TokenStream {
        match pred.kind() {
            PredKind::True => quote!(true),
            PredKind::False => quote!(false),
            PredKind::Atom(a) => self.atom(a, event),
            PredKind::Not(a) => {
                let inner = self.atom(a, event);
                quote!(!#inner)
            }
            PredKind::And(items) => {
                let items = items
                    .iter()
                    .map(|p| self.pred_operand(p, event))
                    .collect::<Vec<_>>();
                chain(items, true)
            }
            PredKind::Or(items) => {
                let items = items
                    .iter()
                    .map(|p| self.pred(p, event))
                    .collect::<Vec<_>>();
                chain(items, false)
            }
        }
    }

    /// [`Gen::pred`] as an operand of `&&`: a disjunction in parentheses.
    fn pred_operand(&mut self, pred: &Pred, event: &TokenStream) -> TokenStream {
        match pred.kind() {
            PredKind::Or(items) => {
                let items = items
                    .iter()
                    .map(|p| self.pred(p, event))
                    .collect::<Vec<_>>();
                let code = chain(items, false);
                quote!((#code))
            }
            _ => self.pred(pred, event),
        }
    }

    fn atom(&mut self, atom: &Atom, event: &TokenStream) -> TokenStream {
        let matcher = |g: &mut Gen, ty: &str, text: &str| {
            let ty_ident = Ident::new(ty, proc_macro2::Span::call_site());
            let lit = text::lit_str(text);
            g.built(
                text,
                "term",
                quote!(search::#ty_ident),
                quote!(#ty_ident::new(#lit)),
            )
        };
        match &atom.kind {
            AtomKind::Term(t) | AtomKind::Phrase(t) => {
                let m = matcher(self, "Term", t);
                quote!(#m.is_match(raw))
            }
            AtomKind::TermExact(t) => {
                let m = matcher(self, "TermExact", t);
                quote!(#m.is_match(raw))
            }
            AtomKind::CaseTerm(t) => {
                let m = matcher(self, "CaseTerm", t);
                quote!(#m.is_match(raw))
            }
            AtomKind::Compare { field, op, value } => {
                let f = self.field_id(field);
                let op = variant("CmpOp", op);
                let lit = text::lit_str(value);
                let m = self.built(
                    &format!("{field}_{value}"),
                    "field",
                    quote!(compare::FieldMatcher),
                    quote!(FieldMatcher::new(#op, #lit)),
                );
                quote!(#m.matches(#event.get(#f)))
            }
            AtomKind::In { field, values } => {
                let f = self.field_id(field);
                let values = values.iter().map(|v| text::lit_str(v));
                let m = self.built(
                    &format!("{field}_in"),
                    "field",
                    quote!(compare::FieldMatcher),
                    quote!(FieldMatcher::in_list([#(#values),*])),
                );
                quote!(#m.matches(#event.get(#f)))
            }
        }
    }
}

/// Whether `tokens` use the identifier `name`.
fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// The most operands one `&&` or `||` chain gets before it is split into groups.
const CHAIN: usize = 32;

/// `a && b && ...` (`and`) or `a || b || ...`: past [`CHAIN`] operands, the operands go
/// in parenthesised groups of [`CHAIN`], and the groups likewise, so that a rule of 30,000
/// alternatives nests a few levels deep, not 30,000 (which no parser's stack survives).
/// Evaluation order and short-circuiting are those of the flat chain.
pub(crate) fn chain(mut items: Vec<TokenStream>, and: bool) -> TokenStream {
    let join = |items: &[TokenStream]| {
        let mut out = TokenStream::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.extend(if and { quote!(&&) } else { quote!(||) });
            }
            out.extend(item.clone());
        }
        out
    };
    while items.len() > CHAIN {
        items = items
            .chunks(CHAIN)
            .map(|group| {
                let group = join(group);
                quote!((#group))
            })
            .collect();
    }
    join(&items)
}

/// `Enum::Variant` for a unit variant of one of the IR's enums (`CmpOp::Eq`,
/// `AggFunc::Values`), in the prelude's short form: the variant's `Debug` name.
fn variant(enum_name: &str, value: impl std::fmt::Debug) -> TokenStream {
    let e = Ident::new(enum_name, proc_macro2::Span::call_site());
    let v = Ident::new(&format!("{value:?}"), proc_macro2::Span::call_site());
    quote!(#e::#v)
}

/// Format generated tokens as Rust source (prettyplease); falls back to the raw token
/// text if the tokens do not parse as a file (which would be a bug).
pub fn to_source(tokens: &TokenStream) -> String {
    // Parsing and printing recurse along the code's nesting: the compiler's stack.
    crate::compile::on_compiler_stack(|| match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    })
}
