//! Arbitrary SPL (and `macros.conf`, and rule metadata) through the compiler and the code
//! generator.
//!
//! The input is `<SPL>`, or `<macros.conf text>` NUL `<SPL>` (as the `front` target), or
//! `<macros.conf text>` NUL `<SPL>` NUL `<metadata>`, where the metadata's lines are the
//! rule's id, title, file path and ATT&CK technique ids (so that titles, ids and paths
//! reach the generated documentation and literals). Undefined macros expand to nothing.
//! Checked on every input that is valid UTF-8:
//!
//! - `compile_rule` returns (no panic, no hang); its errors and warnings render;
//! - for a rule that compiles, `generate_rule` and `generate_pack` (the rule twice, so
//!   two types) give tokens that `syn` parses as a file, and `to_source` returns Rust that
//!   parses back to the same file;
//! - the generated file holds nothing but the rule's struct (documented only) and its
//!   impls (inherent, `Default`, `Rule`), plus `RULES` and `all_rules` for a pack; the
//!   impls hold only the expected members; no nested item other than the prelude's `use`,
//!   no macro but `::std::vec!`, no `unsafe`, no attribute but `doc`, and every absolute
//!   path names `::spl_runtime`, `::std` or `::core`. No text of the rule becomes code.

#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use spl_compiler::codegen::{generate_pack, generate_rule, to_source, Names, RuleMeta};
use spl_compiler::{compile_rule, CompiledRule};
use spl_grammar::{MacroTable, RuleFile};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\0');
    let (conf, spl, meta) = match (parts.next(), parts.next(), parts.next()) {
        (Some(spl), None, _) => ("", spl, None),
        (Some(conf), Some(spl), meta) => (conf, spl, meta),
        (None, ..) => return,
    };
    let mut macros = MacroTable::new();
    macros.set_undefined_as_empty(true);
    if let Err(err) = macros.add_conf_str(conf, "macros.conf") {
        assert!(!err.to_string().is_empty());
    }
    let mut compiled = match compile_rule(RuleFile::from_spl_str(spl, "fuzz"), &macros) {
        Ok(compiled) => compiled,
        Err(errors) => {
            assert!(!errors.0.is_empty());
            assert!(!errors.to_string().is_empty());
            return;
        }
    };
    for warning in &compiled.warnings {
        assert!(!warning.render_plain().is_empty());
    }
    if let Some(meta) = meta {
        let mut lines = meta.split('\n');
        let rule = &mut compiled.rule;
        rule.id = lines.next().unwrap_or_default().to_owned();
        rule.title = lines.next().unwrap_or_default().to_owned();
        rule.path = lines.next().filter(|p| !p.is_empty()).map(PathBuf::from);
        rule.technique_id = lines.map(str::to_owned).collect();
    }
    check_rule(&compiled);
    check_pack(&compiled);
});

/// One rule's type.
fn check_rule(compiled: &CompiledRule) {
    let type_name = Names::default().type_name(&compiled.rule.id);
    let meta = RuleMeta::of(type_name.clone(), compiled);
    let tokens = generate_rule(&meta, &compiled.program);
    let file = parse_and_print_back(compiled, &tokens);
    check_items(compiled, &file, &[type_name], false);
}

/// A pack of the rule twice.
fn check_pack(compiled: &CompiledRule) {
    let tokens = generate_pack(&[compiled.clone(), compiled.clone()]);
    let file = parse_and_print_back(compiled, &tokens);
    let types: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        types.len() == 2 && types[0] != types[1],
        "a pack of two rules has the types {types:?}\nspl: {:?}",
        compiled.rule.logic
    );
    check_items(compiled, &file, &types, true);
}

/// The tokens as a `syn` file, and `to_source`'s text parses back to the same file.
fn parse_and_print_back(compiled: &CompiledRule, tokens: &TokenStream) -> syn::File {
    let spl = &compiled.rule.logic;
    let file = syn::parse2::<syn::File>(tokens.clone()).unwrap_or_else(|e| {
        panic!("the generated tokens do not parse: {e}\nspl: {spl:?}\ntokens: {tokens}")
    });
    let source = to_source(tokens);
    let reparsed = syn::parse_file(&source).unwrap_or_else(|e| {
        panic!("the generated source does not parse: {e}\nspl: {spl:?}\nsource:\n{source}")
    });
    let (before, after) = (normalized(&file), normalized(&reparsed));
    assert!(
        before == after,
        "the generated source does not parse back to the generated tokens\nspl: {spl:?}\ntokens:   {before}\nreparsed: {after}\nsource:\n{source}"
    );
    file
}

/// A file's tokens, written the same way whatever wrote them: every string literal as an
/// ordinary literal of the same value (`///` comments come back as ordinary literals,
/// `quote!`'s as raw ones), doc lines without trailing spaces, a closure's body without braces around a lone expression
/// (prettyplease adds them to a body it breaks over lines), no comma before a closing
/// bracket (prettyplease adds them to lists it breaks over lines), and punctuation spaced
/// alike (inside a macro's brackets, tokens keep the spacing they were written with).
fn normalized(file: &syn::File) -> String {
    struct Normalize;
    impl VisitMut for Normalize {
        fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
            *lit = syn::LitStr::new(&lit.value(), lit.span());
        }
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            // prettyplease drops the spaces at the end of a `///` line.
            if let syn::Meta::NameValue(doc) = &mut attr.meta {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                }) = &mut doc.value
                {
                    let value = lit.value();
                    *lit = syn::LitStr::new(value.trim_end_matches(' '), lit.span());
                }
            }
            syn::visit_mut::visit_attribute_mut(self, attr);
        }
        fn visit_expr_closure_mut(&mut self, closure: &mut syn::ExprClosure) {
            // `|row| { expr }` as `|row| expr`.
            if let syn::Expr::Block(block) = &mut *closure.body {
                if let (true, None, [syn::Stmt::Expr(expr, None)]) = (
                    block.attrs.is_empty(),
                    &block.label,
                    block.block.stmts.as_slice(),
                ) {
                    *closure.body = expr.clone();
                }
            }
            syn::visit_mut::visit_expr_closure_mut(self, closure);
        }
    }
    fn print(tokens: TokenStream, out: &mut String) {
        let mut tokens: Vec<TokenTree> = tokens.into_iter().collect();
        if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
            tokens.pop();
        }
        for token in tokens {
            match token {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    out.push_str(open);
                    print(g.stream(), out);
                    out.push_str(close);
                }
                TokenTree::Punct(p) => out.push(p.as_char()),
                other => out.push_str(&other.to_string()),
            }
            out.push(' ');
        }
    }
    let mut file = file.clone();
    Normalize.visit_file_mut(&mut file);
    let mut out = String::new();
    print(file.to_token_stream(), &mut out);
    out
}

/// The members each impl of a rule type may have.
const INHERENT: &[&str] = &["INFO", "new", "with_options", "matches"];
const DEFAULT: &[&str] = &["default"];
const RULE: &[&str] = &[
    "info",
    "matches",
    "process",
    "finish",
    "is_transforming",
    "witness",
];

/// The file holds the rule types, their impls, and for a pack the registry; nothing else.
fn check_items(compiled: &CompiledRule, file: &syn::File, types: &[String], pack: bool) {
    let spl = &compiled.rule.logic;
    let fail = |what: &str, item: &dyn ToTokens| -> ! {
        panic!(
            "{what}\nspl: {spl:?}\nitem: {}\nfile:\n{}",
            item.to_token_stream(),
            to_source(&file.to_token_stream())
        )
    };
    assert!(file.shebang.is_none() && file.attrs.is_empty());
    let (mut structs, mut impls) = (0, 0);
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if types.iter().any(|t| s.ident == t) => {
                structs += 1;
                if !s.generics.params.is_empty() || s.generics.where_clause.is_some() {
                    fail("a generic rule type", s);
                }
            }
            syn::Item::Impl(i) => {
                impls += 1;
                let self_type = match &*i.self_ty {
                    syn::Type::Path(p) if p.qself.is_none() => p.path.get_ident(),
                    _ => None,
                };
                if !self_type.is_some_and(|t| types.iter().any(|n| t == n)) {
                    fail("an impl for another type than the rule's", i);
                }
                if i.unsafety.is_some() || !i.generics.params.is_empty() {
                    fail("an unsafe or generic impl", i);
                }
                let trait_name = i
                    .trait_
                    .as_ref()
                    .map(|(_, path, _)| path.to_token_stream().to_string());
                let members = match trait_name.as_deref() {
                    None => INHERENT,
                    Some(":: core :: default :: Default") => DEFAULT,
                    Some(":: spl_runtime :: rule :: Rule") => RULE,
                    Some(_) => fail("an impl of an unexpected trait", i),
                };
                for member in &i.items {
                    let name = match member {
                        syn::ImplItem::Const(c) => c.ident.to_string(),
                        syn::ImplItem::Fn(f) => f.sig.ident.to_string(),
                        _ => fail("an impl member that is not a const or fn", member),
                    };
                    if !members.contains(&name.as_str()) {
                        fail("an unexpected impl member", member);
                    }
                }
            }
            syn::Item::Const(c) if pack && c.ident == "RULES" => {}
            syn::Item::Fn(f)
                if pack && (f.sig.ident == "all_rules" || f.sig.ident == "all_rules_with") => {}
            other => fail("an item other than the rule's struct and impls", other),
        }
    }
    if structs != types.len() || impls != 3 * types.len() {
        fail(
            &format!(
                "{structs} struct(s) and {impls} impl(s) for {} rule type(s)",
                types.len()
            ),
            file,
        );
    }
    let mut check = CodeCheck {
        depth: 0,
        problem: None,
    };
    check.visit_file(file);
    if let Some((what, tokens)) = check.problem {
        panic!(
            "{what}: {tokens}\nspl: {spl:?}\nfile:\n{}",
            to_source(&file.to_token_stream())
        );
    }
}

/// Walks the generated code for what only rule text could have put there.
struct CodeCheck {
    /// How many items deep (the file's items are at depth 1).
    depth: usize,
    problem: Option<(&'static str, String)>,
}

impl CodeCheck {
    fn flag(&mut self, what: &'static str, tokens: &dyn ToTokens) {
        if self.problem.is_none() {
            self.problem = Some((what, tokens.to_token_stream().to_string()));
        }
    }
}

impl<'ast> Visit<'ast> for CodeCheck {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if self.depth > 0 {
            // Inside a function: only the prelude's glob import.
            let prelude = matches!(item, syn::Item::Use(u)
                if u.to_token_stream().to_string() == "use :: spl_runtime :: generated :: * ;");
            if !prelude {
                self.flag("a nested item", item);
            }
        }
        self.depth += 1;
        syn::visit::visit_item(self, item);
        self.depth -= 1;
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if !attr.path().is_ident("doc") {
            self.flag("an attribute other than doc", attr);
        }
        syn::visit::visit_attribute(self, attr);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.to_token_stream().to_string() != ":: std :: vec" {
            self.flag("a macro other than ::std::vec!", mac);
        }
        syn::visit::visit_macro(self, mac);
    }

    fn visit_expr_unsafe(&mut self, expr: &'ast syn::ExprUnsafe) {
        self.flag("an unsafe block", expr);
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        if sig.unsafety.is_some() || sig.abi.is_some() {
            self.flag("an unsafe or extern function", sig);
        }
        syn::visit::visit_signature(self, sig);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_some() {
            let root = path.segments.first().map(|s| s.ident.to_string());
            if !matches!(root.as_deref(), Some("spl_runtime" | "std" | "core")) {
                self.flag("an absolute path outside spl_runtime, std and core", path);
            }
        }
        syn::visit::visit_path(self, path);
    }
}
