//! `detect!`: compile an SPL rule into a Rust type at build time.
//!
//! Use it through `spl-runtime` with its feature `macros` (`spl_runtime::detect!`): the code
//! it writes names `::spl_runtime`, so the calling crate depends on the runtime, and on
//! nothing of the compiler at run time. The rule is compiled while the calling crate
//! builds, by `spl-compiler` (the same front end, lowering and code generator as
//! `spl_compiler::Builder`).
//!
//! ```ignore
//! use spl_runtime::detect;
//!
//! detect! {
//!     /// npm, pip or gem installing a package.
//!     pub struct PackageInstall = r#"(TERM(npm) OR TERM(pip) OR TERM(gem)) TERM(install)
//!         | table _time, host, process"#;
//! }
//!
//! detect! {
//!     pub struct PackageInstallSysmon = file "rules/package_installation-sysmon.yml",
//!         macros "rules/macros.conf";
//! }
//! ```
//!
//! The type is the one a `build.rs` rule pack generates (see `spl_compiler::Builder`): it
//! has `new()` (every matcher and regex built once), `INFO` (the rule's metadata) and
//! `matches(&event)`, and implements `Default` and `spl_runtime::rule::Rule`. Doc comments
//! and other attributes written before `struct` go on the type. File paths are relative to
//! the calling crate's `Cargo.toml`, and a change to the files rebuilds it.
//!
//! # Errors
//!
//! A rule that does not compile (it does not load, parse, expand or lower, or a macros file
//! cannot be read) is one compile error carrying the rendered diagnostic, with line,
//! column and a caret into the SPL; the type is still declared, so that the error is
//! reported once. Input that is not one of the two forms above is a compile error at the
//! offending token. The `tests/ui` tests of the workspace pin these errors.
//!
//! A rule that compiles with warnings (the lints of `splc check`: a `TERM` that can never
//! match, a lowercase `or`, a field no command makes, ...) gives each as a warning of the
//! calling crate, a use of a deprecated item whose note is the rendered warning (stable
//! Rust has no other way for a macro to warn). `#[allow(deprecated)]` before `struct`
//! silences them for that rule.
//!
//! The crate has no features.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

use spl_compiler::codegen::{generate_rule_with, RuleMeta};
use spl_compiler::{compile_rule, CompileErrors};
use spl_grammar::{MacroTable, RuleFile};

/// Compile an SPL rule into a type (see the crate docs for the forms).
#[proc_macro]
pub fn detect(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    expand(&input).into()
}

struct Input {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    source: Source,
    macros: Option<LitStr>,
    /// The event type the rule is checked against.
    event: Option<syn::Type>,
}

enum Source {
    Inline(LitStr),
    File(LitStr),
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let source = if input.peek(Ident) {
            let kw: Ident = input.parse()?;
            if kw != "file" {
                return Err(syn::Error::new(
                    kw.span(),
                    "expected a string of SPL or `file \"path\"`",
                ));
            }
            Source::File(input.parse()?)
        } else {
            Source::Inline(input.parse()?)
        };
        let mut macros = None;
        let mut event = None;
        while input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            let kw: Ident = input.parse()?;
            if kw == "macros" && macros.is_none() {
                macros = Some(input.parse()?);
            } else if kw == "event" && event.is_none() {
                event = Some(input.parse()?);
            } else {
                return Err(syn::Error::new(
                    kw.span(),
                    "expected `macros \"path/to/macros.conf\"` or `event Type` (each once)",
                ));
            }
        }
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the rule"));
        }
        Ok(Input {
            attrs,
            vis,
            name,
            source,
            macros,
            event,
        })
    }
}

fn manifest_path(lit: &LitStr) -> PathBuf {
    let base = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    base.join(lit.value())
}

fn expand(input: &Input) -> TokenStream2 {
    let Input {
        attrs, vis, name, ..
    } = input;
    let mut tracked = Vec::new();
    let mut table = MacroTable::new();
    if let Some(m) = &input.macros {
        let path = manifest_path(m);
        tracked.push(path.clone());
        if let Err(e) = table.add_conf_file(&path) {
            return failure(input, m.span(), &e.to_string(), &tracked);
        }
    }
    let (rule, span) = match &input.source {
        Source::Inline(lit) => {
            let mut rule = RuleFile::from_spl_str(&lit.value(), "<detect!>");
            rule.id = name.to_string();
            rule.title = name.to_string();
            (Ok(rule), lit.span())
        }
        Source::File(lit) => {
            let path = manifest_path(lit);
            tracked.push(path.clone());
            (
                spl_grammar::load_rule(&path).map_err(CompileErrors::from),
                lit.span(),
            )
        }
    };
    match rule.and_then(|r| compile_rule(r, &table)) {
        Ok(compiled) => {
            let meta = RuleMeta::of(name.to_string(), &compiled);
            let attrs = quote!(#(#attrs)*);
            let generated = generate_rule_with(&meta, &compiled.program, &quote!(#vis), &attrs);
            let track = track(&tracked);
            let allows: Vec<&syn::Attribute> = input
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("allow"))
                .collect();
            let warnings = warnings(&compiled, span, &allows);
            let checks = input.event.as_ref().map(|ty| {
                let shown = quote!(#ty).to_string().replace(' ', "");
                spl_compiler::typed::field_checks(&compiled.parsed, &quote!(#ty), &shown, span)
            });
            quote! {
                #generated
                #track
                #warnings
                #checks
            }
        }
        Err(errors) => failure(input, span, &errors.to_string(), &tracked),
    }
}

/// The rule's warnings (`splc check`'s lints) as warnings of the crate: each is a use of
/// a deprecated item whose note is the rendered warning, at the rule's text. (A procedural
/// macro cannot raise a warning of its own on stable Rust; a deprecation is one, and
/// `#[allow(deprecated)]` on the rule's struct, inside `detect!`, silences it.)
fn warnings(
    compiled: &spl_compiler::CompiledRule,
    span: Span,
    allows: &[&syn::Attribute],
) -> TokenStream2 {
    let notes = compiled
        .parsed
        .notes
        .iter()
        .filter(|d| d.severity == spl_grammar::Severity::Warning)
        .chain(&compiled.warnings)
        .map(|d| format!("the rule compiles with a warning\n{}", d.render(false)));
    let items = notes.map(|note| {
        quote::quote_spanned! {span=>
            #(#allows)*
            const _: () = {
                #[deprecated(note = #note)]
                struct RuleWarning;
                let _ = RuleWarning;
            };
        }
    });
    quote!(#(#items)*)
}

/// Re-read file inputs when they change (the include makes rustc track them).
fn track(paths: &[PathBuf]) -> TokenStream2 {
    let paths = paths
        .iter()
        .filter(|p| p.exists())
        .map(|p| p.display().to_string());
    quote!(#(const _: &[u8] = ::core::include_bytes!(#paths);)*)
}

/// A compile error with the rendered diagnostic, and a stub type so that uses of the type
/// do not add more errors.
fn failure(input: &Input, span: Span, message: &str, tracked: &[PathBuf]) -> TokenStream2 {
    let Input {
        attrs, vis, name, ..
    } = input;
    let message = format!("the rule does not compile\n{message}");
    let track = track(tracked);
    quote::quote_spanned! {span=>
        ::core::compile_error!(#message);
        #(#attrs)*
        #vis struct #name;
        impl #name {
            /// A stand-in for a rule that did not compile.
            pub fn new() -> Self { #name }
        }
        #track
    }
}

/// Implement `spl_runtime::Event` and `spl_runtime::typed::TypedEvent` for a struct whose
/// named fields are the event's fields (see `spl_runtime::typed`).
///
/// Each field has type `spl_runtime::Value` (always present) or `Option<Value>` (absent
/// when `None`); its SPL name is its Rust name or the one of `#[spl(name = "...")]`.
#[proc_macro_derive(Event, attributes(spl))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive_event_impl(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn derive_event_impl(input: &syn::DeriveInput) -> syn::Result<TokenStream2> {
    let syn::Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Event)] needs a struct with named fields",
        ));
    };
    let syn::Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Event)] needs a struct with named fields",
        ));
    };
    let mut names = Vec::new();
    let mut arms = Vec::new();
    for (i, field) in named.named.iter().enumerate() {
        let Some(ident) = &field.ident else {
            continue;
        };
        let mut name = ident.to_string();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("spl")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("name") {
                    let lit: LitStr = meta.value()?.parse()?;
                    name = lit.value();
                    Ok(())
                } else {
                    Err(meta.error("expected `name = \"...\"`"))
                }
            })?;
        }
        if names.contains(&name) {
            return Err(syn::Error::new_spanned(
                ident,
                format!("two fields are named `{name}`"),
            ));
        }
        let optional = matches!(&field.ty, syn::Type::Path(p)
            if p.qself.is_none()
                && p.path.segments.last().is_some_and(|s| s.ident == "Option"));
        let value = if optional {
            quote!(self.#ident.as_ref())
        } else {
            quote!(::core::option::Option::Some(&self.#ident))
        };
        arms.push(quote! {
            if field == ids[#i] {
                return #value;
            }
        });
        names.push(name);
    }
    let count = names.len();
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::spl_runtime::Event for #ty #ty_generics #where_clause {
            fn get(
                &self,
                field: ::spl_runtime::FieldId,
            ) -> ::core::option::Option<&::spl_runtime::Value> {
                // The ids of the names, interned once.
                static IDS: ::std::sync::OnceLock<[::spl_runtime::FieldId; #count]> =
                    ::std::sync::OnceLock::new();
                let ids = IDS.get_or_init(|| [#(::spl_runtime::FieldId::intern(#names)),*]);
                #(#arms)*
                ::core::option::Option::None
            }
        }
        impl #impl_generics ::spl_runtime::typed::TypedEvent for #ty #ty_generics #where_clause {
            const FIELDS: &'static [&'static str] = &[#(#names),*];
        }
    })
}
