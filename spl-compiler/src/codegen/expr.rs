//! Code generation for eval expressions.
//!
//! An expression becomes a Rust expression of type `::spl_runtime::eval::EvalValue<'_>`
//! borrowing from the row (`row`), calling the runtime's operators and functions. Regexes
//! and LIKE patterns written as literals are compiled once, in `new()`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::Gen;
use crate::ir::{BinOp, Expr, ExprKind, Func};

const EV: &str = "::spl_runtime::eval";

fn ev() -> TokenStream {
    EV.parse().expect("a path")
}

/// A float as a token (NaN and infinities as constants).
pub(crate) fn float(n: f64) -> TokenStream {
    if n.is_nan() {
        quote!(::core::f64::NAN)
    } else if n == f64::INFINITY {
        quote!(::core::f64::INFINITY)
    } else if n == f64::NEG_INFINITY {
        quote!(::core::f64::NEG_INFINITY)
    } else {
        let lit = Literal::f64_suffixed(n);
        quote!(#lit)
    }
}

impl Gen {
    /// Code computing `e` on `row`. `bound` names a field whose value is instead the local
    /// `value` (inside `mvfilter`).
    pub(crate) fn expr(&mut self, e: &Expr, bound: Option<&str>) -> TokenStream {
        let ev = ev();
        match &e.kind {
            ExprKind::Field(name) => {
                if bound == Some(name.as_str()) {
                    return quote!(::core::clone::Clone::clone(&value));
                }
                let f = self.field_id(name);
                quote!(#ev::EvalValue::from_value(::spl_runtime::Event::get(row, #f)))
            }
            ExprKind::Str(s) => quote!(#ev::EvalValue::Str(::std::borrow::Cow::Borrowed(#s))),
            ExprKind::Num(n) => {
                let n = float(*n);
                quote!(#ev::EvalValue::Num(#n))
            }
            ExprKind::Not(x) => {
                let x = self.expr(x, bound);
                quote!(#ev::from_truth(#ev::not((#x).truth())))
            }
            ExprKind::Neg(x) => {
                let x = self.expr(x, bound);
                quote!(#ev::neg(&(#x)))
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, bound),
            ExprKind::Call { func, args, regex } => self.call(*func, args, regex.as_ref(), bound),
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, bound: Option<&str>) -> TokenStream {
        let ev = ev();
        if op == BinOp::Like {
            let l = self.expr(lhs, bound);
            let pattern = self.like_pattern(rhs, bound);
            return quote!(#ev::like(&(#l), &#pattern));
        }
        let l = self.expr(lhs, bound);
        let r = self.expr(rhs, bound);
        let cmp = |op: &str| {
            let op = Ident::new(op, Span::call_site());
            quote!(#ev::compare(::spl_runtime::compare::CompareOp::#op, &(#l), &(#r)))
        };
        match op {
            // Short-circuit where three-valued logic allows it.
            BinOp::And => quote!({
                let l = (#l).truth();
                if l == ::core::option::Option::Some(false) {
                    #ev::EvalValue::Bool(false)
                } else {
                    #ev::from_truth(#ev::and(l, (#r).truth()))
                }
            }),
            BinOp::Or => quote!({
                let l = (#l).truth();
                if l == ::core::option::Option::Some(true) {
                    #ev::EvalValue::Bool(true)
                } else {
                    #ev::from_truth(#ev::or(l, (#r).truth()))
                }
            }),
            BinOp::Xor => quote!(#ev::from_truth(#ev::xor((#l).truth(), (#r).truth()))),
            BinOp::Eq => cmp("Eq"),
            BinOp::Ne => cmp("Ne"),
            BinOp::Lt => cmp("Lt"),
            BinOp::Le => cmp("Le"),
            BinOp::Gt => cmp("Gt"),
            BinOp::Ge => cmp("Ge"),
            BinOp::Concat => quote!(#ev::concat(&(#l), &(#r))),
            BinOp::Add => quote!(#ev::add(&(#l), &(#r))),
            BinOp::Sub => quote!(#ev::sub(&(#l), &(#r))),
            BinOp::Mul => quote!(#ev::mul(&(#l), &(#r))),
            BinOp::Div => quote!(#ev::div(&(#l), &(#r))),
            BinOp::Mod => quote!(#ev::rem(&(#l), &(#r))),
            BinOp::Like => unreachable!("handled above"),
        }
    }

    /// A LIKE pattern: compiled once when it is a literal, per row otherwise.
    fn like_pattern(&mut self, pattern: &Expr, bound: Option<&str>) -> TokenStream {
        let ev = ev();
        if let ExprKind::Str(p) = &pattern.kind {
            return self.member(
                "l",
                quote!(#ev::LikePattern),
                quote!(#ev::LikePattern::new(#p)),
            );
        }
        let p = self.expr(pattern, bound);
        quote!(#ev::LikePattern::new(&(#p).text().unwrap_or_default()))
    }

    /// Code using a regex argument: `body` gets an expression of type `&Regex`. A literal
    /// pattern (`compiled`) is built once; a pattern computed per row is compiled as it is
    /// (no PCRE translation is available at run time), and a pattern that does not compile
    /// gives null.
    fn with_regex(
        &mut self,
        arg: &Expr,
        compiled: Option<&crate::ir::RegexLit>,
        bound: Option<&str>,
        body: impl FnOnce(TokenStream) -> TokenStream,
    ) -> TokenStream {
        let ev = ev();
        match compiled {
            Some(re) => {
                let pattern = &re.translated;
                let r = self.member(
                    "r",
                    quote!(::spl_runtime::regex::Regex),
                    quote!(::spl_runtime::regex::Regex::new(#pattern)
                        .expect("the pattern was checked when the rule was compiled")),
                );
                body(quote!(&#r))
            }
            None => {
                let p = self.expr(arg, bound);
                let inner = body(quote!(&re));
                quote!(match ::spl_runtime::regex::Regex::new(&(#p).text().unwrap_or_default()) {
                    ::core::result::Result::Ok(re) => #inner,
                    ::core::result::Result::Err(_) => #ev::EvalValue::Null,
                })
            }
        }
    }

    fn call(
        &mut self,
        func: Func,
        args: &[Expr],
        regex: Option<&crate::ir::RegexLit>,
        bound: Option<&str>,
    ) -> TokenStream {
        let ev = ev();
        let f = quote!(#ev::func);
        // The value of argument `i`.
        let arg = |g: &mut Gen, i: usize| -> TokenStream { g.expr(&args[i], bound) };
        let opt = |g: &mut Gen, i: usize| -> TokenStream {
            if i < args.len() {
                let a = g.expr(&args[i], bound);
                quote!(::core::option::Option::Some(#a))
            } else {
                quote!(::core::option::Option::None)
            }
        };
        let all =
            |g: &mut Gen| -> Vec<TokenStream> { args.iter().map(|a| g.expr(a, bound)).collect() };
        let unary = |name: &str, g: &mut Gen| {
            let name = Ident::new(name, Span::call_site());
            let a = g.expr(&args[0], bound);
            quote!(#f::#name(#a))
        };
        let binary = |name: &str, g: &mut Gen| {
            let name = Ident::new(name, Span::call_site());
            let a = g.expr(&args[0], bound);
            let b = g.expr(&args[1], bound);
            quote!(#f::#name(#a, #b))
        };
        let with_opt = |name: &str, g: &mut Gen| {
            let name = Ident::new(name, Span::call_site());
            let a = g.expr(&args[0], bound);
            let b = opt(g, 1);
            quote!(#f::#name(#a, #b))
        };
        match func {
            Func::If => {
                let (c, t, e) = (arg(self, 0), arg(self, 1), arg(self, 2));
                quote!(if (#c).is_true() { #t } else { #e })
            }
            Func::Case => {
                let pairs: Vec<TokenStream> = args
                    .chunks(2)
                    .map(|pair| {
                        let c = self.expr(&pair[0], bound);
                        let v = pair
                            .get(1)
                            .map_or_else(|| quote!(#ev::EvalValue::Null), |v| self.expr(v, bound));
                        quote!(if (#c).is_true() { break 'case #v; })
                    })
                    .collect();
                quote!('case: { #(#pairs)* #ev::EvalValue::Null })
            }
            Func::Coalesce => {
                let items = all(self);
                quote!(#f::coalesce([#(#items),*]))
            }
            Func::MvAppend => {
                let items = all(self);
                quote!(#f::mvappend([#(#items),*]))
            }
            Func::In => {
                let v = arg(self, 0);
                let list: Vec<TokenStream> =
                    args[1..].iter().map(|a| self.expr(a, bound)).collect();
                quote!(#f::in_(#v, [#(#list),*]))
            }
            Func::IsNull => unary("isnull", self),
            Func::IsNotNull => unary("isnotnull", self),
            Func::Null => quote!(#f::null()),
            Func::True => quote!(#f::true_()),
            Func::False => quote!(#f::false_()),
            Func::NullIf => binary("nullif", self),
            Func::Match => {
                let v = arg(self, 0);
                self.with_regex(&args[1], regex, bound, |re| quote!(#f::match_(#v, #re)))
            }
            Func::MvFind => {
                let v = arg(self, 0);
                self.with_regex(&args[1], regex, bound, |re| quote!(#f::mvfind(#v, #re)))
            }
            Func::Replace => {
                let v = arg(self, 0);
                let repl = if let ExprKind::Str(text) = &args[2].kind {
                    self.member(
                        "p",
                        quote!(::spl_runtime::regex::Replacement),
                        quote!(::spl_runtime::regex::Replacement::eval(#text)),
                    )
                } else {
                    let r = arg(self, 2);
                    quote!(::spl_runtime::regex::Replacement::eval(&(#r).text().unwrap_or_default()))
                };
                self.with_regex(
                    &args[1],
                    regex,
                    bound,
                    |re| quote!(#f::replace(#v, #re, &#repl)),
                )
            }
            Func::Like => {
                let v = arg(self, 0);
                let p = self.like_pattern(&args[1], bound);
                quote!(#f::like(#v, &#p))
            }
            Func::CidrMatch => binary("cidrmatch", self),
            Func::SearchMatch => quote!(#ev::EvalValue::Null),
            Func::MvCount => unary("mvcount", self),
            Func::MvIndex => {
                let v = arg(self, 0);
                let s = arg(self, 1);
                let e = opt(self, 2);
                quote!(#f::mvindex(#v, #s, #e))
            }
            Func::MvFilter => {
                let fields = args[0].fields();
                let field = fields.first().cloned().unwrap_or_default();
                let source = self.expr(
                    &Expr {
                        kind: ExprKind::Field(field.clone()),
                        span: args[0].span,
                    },
                    bound,
                );
                let pred = self.expr(&args[0], Some(&field));
                quote!(#f::mvfilter(#source, |value: #ev::EvalValue<'_>| #pred.into_owned()))
            }
            Func::MvDedup => unary("mvdedup", self),
            Func::MvJoin => binary("mvjoin", self),
            Func::Split => binary("split", self),
            Func::Len => unary("len", self),
            Func::Lower => unary("lower", self),
            Func::Upper => unary("upper", self),
            Func::Trim => with_opt("trim", self),
            Func::Ltrim => with_opt("ltrim", self),
            Func::Rtrim => with_opt("rtrim", self),
            Func::Substr => {
                let v = arg(self, 0);
                let s = arg(self, 1);
                let l = opt(self, 2);
                quote!(#f::substr(#v, #s, #l))
            }
            Func::ToNumber => with_opt("tonumber", self),
            Func::ToString => with_opt("tostring", self),
            Func::Round => with_opt("round", self),
            Func::Abs => unary("abs", self),
            Func::Floor => unary("floor", self),
            Func::Ceiling => unary("ceiling", self),
            Func::Sqrt => unary("sqrt", self),
            Func::Pow => binary("pow", self),
            Func::Exp => unary("exp", self),
            Func::Ln => unary("ln", self),
            Func::Log => with_opt("log", self),
            Func::Pi => quote!(#f::pi()),
            Func::Sin => unary("sin", self),
            Func::Cos => unary("cos", self),
            Func::Tan => unary("tan", self),
            Func::Asin => unary("asin", self),
            Func::Acos => unary("acos", self),
            Func::Atan => unary("atan", self),
            Func::Atan2 => binary("atan2", self),
            Func::Strftime => binary("strftime", self),
            Func::Strptime => binary("strptime", self),
            Func::Now => {
                let now = self.member(
                    "t",
                    quote!(f64),
                    quote!(::std::time::SystemTime::now()
                        .duration_since(::std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64())),
                );
                quote!(#f::now(#now))
            }
            Func::UrlDecode => unary("urldecode", self),
            Func::TypeOf => unary("typeof_", self),
        }
    }
}
