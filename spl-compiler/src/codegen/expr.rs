//! Code generation for eval expressions.
//!
//! A value expression becomes a Rust expression of type `EvalValue<'_>` borrowing from the
//! row (`row`) and calling the runtime's operators and catalog functions. Literal regexes,
//! `LIKE` patterns and replacements are built once, before the closure.
//!
//! A condition (`where`, the first argument of `if`, `case`'s conditions, `mvfilter`)
//! becomes a Rust `bool`: whether it is **true**. Eval logic is three-valued (null is
//! neither true nor false), so a negation turns into a test of falsehood:
//!
//! | condition | true when | false when |
//! |---|---|---|
//! | `A AND B` | `t(A) && t(B)` | `f(A) \|\| f(B)` |
//! | `A OR B` | `t(A) \|\| t(B)` | `f(A) && f(B)` |
//! | `NOT A` | `f(A)` | `t(A)` |
//! | a comparison or test `x` | `x.is_true()` | `x.is_false()` |
//!
//! which is exact, short-circuits as Rust does, and reads like the SPL. `XOR` (which does
//! not split that way) evaluates its operands' truth values ([`Gen::truth`]).

use proc_macro2::{Literal, TokenStream};
use quote::{quote, ToTokens};

use super::{chain, text, variant, Gen};
use crate::ir::{BinOp, Calling, Expr, ExprKind, Func, RegexLit};

/// A float as a token (`1.0`; NaN and infinities as constants).
pub(crate) fn float(n: f64) -> TokenStream {
    if n.is_nan() {
        quote!(f64::NAN)
    } else if n == f64::INFINITY {
        quote!(f64::INFINITY)
    } else if n == f64::NEG_INFINITY {
        quote!(f64::NEG_INFINITY)
    } else if near_a_constant(n) {
        // Clippy's `approx_constant` rejects a literal like `3.14` in the user's crate;
        // the same number through its bits is the same value and no lint.
        let bits = Literal::u64_unsuffixed(n.to_bits());
        quote!(f64::from_bits(#bits))
    } else {
        Literal::f64_unsuffixed(n).into_token_stream()
    }
}

/// Whether `n` is within 1% of one of the constants of `std::f64::consts`.
fn near_a_constant(n: f64) -> bool {
    use std::f64::consts as c;
    [
        c::E,
        c::FRAC_1_PI,
        c::FRAC_1_SQRT_2,
        c::FRAC_2_PI,
        c::FRAC_2_SQRT_PI,
        c::FRAC_PI_2,
        c::FRAC_PI_3,
        c::FRAC_PI_4,
        c::FRAC_PI_6,
        c::FRAC_PI_8,
        c::LN_10,
        c::LN_2,
        c::LOG10_E,
        c::LOG2_E,
        c::LOG10_2,
        c::LOG2_10,
        c::PI,
        c::SQRT_2,
        c::TAU,
    ]
    .iter()
    .any(|k| (n.abs() - k).abs() < k * 0.01)
}

/// A whole number as a token, its type left to the place it goes.
pub(crate) fn int(n: impl Into<u64>) -> TokenStream {
    Literal::u64_unsuffixed(n.into()).into_token_stream()
}

impl Gen {
    /// Code computing `e` on `row`, an `EvalValue`. `bound` names the field whose values
    /// `mvfilter` walks: inside it, that field is the local `value`.
    pub(crate) fn value(&mut self, e: &Expr, bound: Option<&str>) -> TokenStream {
        match &e.kind {
            ExprKind::Field(name) => {
                if bound == Some(name.as_str()) {
                    return quote!(value.clone());
                }
                let f = self.field_id(name);
                quote!(row.value(#f))
            }
            ExprKind::Str(s) => {
                let s = text::lit_str(s);
                quote!(EvalValue::from(#s))
            }
            ExprKind::Num(n) => {
                let n = float(*n);
                quote!(EvalValue::Num(#n))
            }
            ExprKind::Search(pred) => {
                let code = self.pred(pred, &quote!(row));
                // `_raw` only for a search that reads it (an unused local is a warning).
                if super::mentions(&code, "raw") {
                    quote!(EvalValue::Bool({ let raw = row.raw(); #code }))
                } else {
                    quote!(EvalValue::Bool(#code))
                }
            }
            ExprKind::Neg(x) => {
                let x = self.value(x, bound);
                quote!(eval::neg(&#x))
            }
            ExprKind::Not(_)
            | ExprKind::Binary {
                op: BinOp::And | BinOp::Or | BinOp::Xor,
                ..
            } => {
                let t = self.truth(e, bound);
                quote!(eval::from_truth(#t))
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, bound),
            ExprKind::Call { func, args, regex } => self.call(*func, args, regex.as_ref(), bound),
        }
    }

    /// A `bool`: whether the condition `e` is `want` (true, or false). A disjunction comes
    /// without parentheses; [`Gen::cond_operand`] adds them where it is an operand of `&&`.
    pub(crate) fn cond(&mut self, e: &Expr, want: bool, bound: Option<&str>) -> TokenStream {
        match &e.kind {
            ExprKind::Not(x) => self.cond(x, !want, bound),
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                ..
            } => {
                let mut items = Vec::new();
                if self.needs_all(e, want) {
                    self.chain(e, *op, &mut |g, operand| {
                        items.push(g.cond_operand(operand, want, bound))
                    });
                    chain(items, true)
                } else {
                    self.chain(e, *op, &mut |g, operand| {
                        items.push(g.cond(operand, want, bound))
                    });
                    chain(items, false)
                }
            }
            ExprKind::Binary { op: BinOp::Xor, .. } => {
                let t = self.truth(e, bound);
                quote!(#t == Some(#want))
            }
            _ => {
                let v = self.value(e, bound);
                if want {
                    quote!(#v.is_true())
                } else {
                    quote!(#v.is_false())
                }
            }
        }
    }

    /// [`Gen::cond`] as an operand of `&&`: a disjunction in parentheses.
    fn cond_operand(&mut self, e: &Expr, want: bool, bound: Option<&str>) -> TokenStream {
        // `want` becomes what `e` under its negations (`inner`) must be.
        let outer_want = want;
        let mut inner = e;
        let mut want = want;
        while let ExprKind::Not(x) = &inner.kind {
            inner = x;
            want = !want;
        }
        let is_or = matches!(
            &inner.kind,
            ExprKind::Binary {
                op: BinOp::And | BinOp::Or,
                ..
            }
        ) && !self.needs_all(inner, want);
        if !is_or {
            return self.cond(e, outer_want, bound);
        }
        let op = match &inner.kind {
            ExprKind::Binary { op, .. } => *op,
            _ => unreachable!("a disjunction is a binary node"),
        };
        let mut items = Vec::new();
        self.chain(inner, op, &mut |g, operand| {
            items.push(g.cond(operand, want, bound))
        });
        let code = chain(items, false);
        quote!((#code))
    }

    /// Whether `e` (an `AND` or `OR`) being `want` needs every operand to be: `AND` wanting
    /// true and `OR` wanting false do; the other two need any.
    fn needs_all(&self, e: &Expr, want: bool) -> bool {
        matches!(&e.kind, ExprKind::Binary { op: BinOp::And, .. }) == want
    }

    /// An `Option<bool>`: the three-valued truth of the condition `e`.
    fn truth(&mut self, e: &Expr, bound: Option<&str>) -> TokenStream {
        match &e.kind {
            ExprKind::Not(x) => {
                let x = self.truth(x, bound);
                quote!(eval::not(#x))
            }
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or | BinOp::Xor),
                lhs,
                rhs,
            } => {
                let (l, r) = (self.truth(lhs, bound), self.truth(rhs, bound));
                let f = match op {
                    BinOp::And => quote!(eval::and),
                    BinOp::Or => quote!(eval::or),
                    _ => quote!(eval::xor),
                };
                quote!(#f(#l, #r))
            }
            _ => {
                let v = self.value(e, bound);
                quote!(#v.truth())
            }
        }
    }

    /// Call `each` on the operands of a chain of `op` (`a AND b AND c`), left to right.
    fn chain<'e>(&mut self, e: &'e Expr, op: BinOp, each: &mut impl FnMut(&mut Gen, &'e Expr)) {
        match &e.kind {
            ExprKind::Binary { op: o, lhs, rhs } if *o == op => {
                self.chain(lhs, op, each);
                self.chain(rhs, op, each);
            }
            _ => each(self, e),
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, bound: Option<&str>) -> TokenStream {
        let l = self.value(lhs, bound);
        if op == BinOp::Like {
            let pattern = self.like_pattern(rhs, bound);
            return quote!(eval::like(&#l, &#pattern));
        }
        let r = self.value(rhs, bound);
        let f = match op {
            BinOp::Cmp(cmp) => {
                let cmp = variant("CmpOp", cmp);
                return quote!(eval::compare(#cmp, &#l, &#r));
            }
            BinOp::Concat => quote!(eval::concat),
            BinOp::Add => quote!(eval::add),
            BinOp::Sub => quote!(eval::sub),
            BinOp::Mul => quote!(eval::mul),
            BinOp::Div => quote!(eval::div),
            BinOp::Mod => quote!(eval::rem),
            BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Like => {
                unreachable!("boolean operators are handled by the caller")
            }
        };
        quote!(#f(&#l, &#r))
    }

    /// A `LIKE` pattern: built once when it is a literal, per row otherwise.
    fn like_pattern(&mut self, pattern: &Expr, bound: Option<&str>) -> TokenStream {
        if let ExprKind::Str(p) = &pattern.kind {
            let lit = text::lit_str(p);
            return self.built(
                p,
                "like",
                quote!(eval::LikePattern),
                quote!(LikePattern::new(#lit)),
            );
        }
        let p = self.value(pattern, bound);
        quote!(LikePattern::new(&#p.text().unwrap_or_default()))
    }

    /// Code using a regex argument: `body` gets an expression of type `&Regex`. A literal
    /// pattern is compiled once; a pattern computed per row is compiled as it is (no PCRE
    /// translation is available at run time), and one that does not compile gives null.
    fn with_regex(
        &mut self,
        arg: &Expr,
        literal: Option<&RegexLit>,
        bound: Option<&str>,
        body: impl FnOnce(TokenStream) -> TokenStream,
    ) -> TokenStream {
        match literal {
            Some(re) => {
                let pattern = text::lit_str(&re.translated);
                // Named after the pattern, without its leading flags: `(?i)\.(exe|cmd)$` is
                // `exe_cmd`.
                let hint = re
                    .source
                    .trim_start_matches(|c: char| "(?)imsxU".contains(c));
                let r = self.built(
                    hint,
                    "re",
                    quote!(regex::Regex),
                    quote!(Regex::checked(#pattern)),
                );
                body(quote!(&#r))
            }
            None => {
                let p = self.value(arg, bound);
                let inner = body(quote!(&re));
                quote!(eval::computed_regex(&#p).map_or(EvalValue::Null, |re| #inner))
            }
        }
    }

    fn call(
        &mut self,
        func: Func,
        args: &[Expr],
        regex: Option<&RegexLit>,
        bound: Option<&str>,
    ) -> TokenStream {
        // Every plain function, and every special one but `if` and `case`, is a runtime
        // function.
        let name = proc_macro2::Ident::new(
            func.runtime_name().unwrap_or("null"),
            proc_macro2::Span::call_site(),
        );
        if func.calling() == Calling::Plain {
            let (required, optional, rest) = func.params();
            let mut values = args
                .iter()
                .map(|a| self.value(a, bound))
                .collect::<Vec<_>>()
                .into_iter();
            let mut params: Vec<TokenStream> = values.by_ref().take(required).collect();
            for _ in 0..optional {
                params.push(match values.next() {
                    Some(v) => quote!(Some(#v)),
                    None => quote!(None),
                });
            }
            if rest {
                let more: Vec<TokenStream> = values.collect();
                params.push(quote!([#(#more),*]));
            }
            return quote!(func::#name(#(#params),*));
        }
        match func {
            Func::If => {
                let c = self.cond(&args[0], true, bound);
                let (t, e) = (self.value(&args[1], bound), self.value(&args[2], bound));
                quote!(if #c { #t } else { #e })
            }
            Func::Case => {
                let mut code = quote!(EvalValue::Null);
                for pair in args.chunks(2).rev() {
                    let c = self.cond(&pair[0], true, bound);
                    let v = match pair.get(1) {
                        Some(v) => self.value(v, bound),
                        None => quote!(EvalValue::Null),
                    };
                    code = quote!(if #c { #v } else { #code });
                }
                code
            }
            Func::Match | Func::MvFind => {
                let v = self.value(&args[0], bound);
                self.with_regex(&args[1], regex, bound, |re| quote!(func::#name(#v, #re)))
            }
            Func::Replace => {
                let v = self.value(&args[0], bound);
                let repl = match &args[2].kind {
                    ExprKind::Str(text) => {
                        let lit = text::lit_str(text);
                        self.built(
                            text,
                            "replacement",
                            quote!(regex::Replacement),
                            quote!(Replacement::eval(#lit)),
                        )
                    }
                    _ => {
                        let r = self.value(&args[2], bound);
                        quote!(Replacement::eval(&#r.text().unwrap_or_default()))
                    }
                };
                self.with_regex(
                    &args[1],
                    regex,
                    bound,
                    |re| quote!(func::replace(#v, #re, &#repl)),
                )
            }
            Func::Like => {
                let v = self.value(&args[0], bound);
                let p = self.like_pattern(&args[1], bound);
                quote!(func::like(#v, &#p))
            }
            Func::MvFilter => {
                let field = first_field(&args[0]);
                let f = self.field_id(&field);
                let keep = self.cond(&args[0], true, Some(&field));
                quote!(func::mvfilter(row.value(#f), |value| #keep))
            }
            Func::MvMap => {
                let field = first_field(&args[0]);
                let f = self.field_id(&field);
                let v = self.value(&args[1], Some(&field));
                quote!(func::mvmap(row.value(#f), |value| #v.into_owned()))
            }
            Func::Now => {
                let now = self.now();
                quote!(func::now(#now))
            }
            // Lowering rejects what no back end runs (`searchmatch`).
            _ => quote!(EvalValue::Null),
        }
    }
}

/// The field an `mvfilter`/`mvmap` expression reads (its first), or the empty name.
fn first_field(e: &crate::ir::Expr) -> String {
    e.fields()
        .first()
        .map(|f| (*f).to_owned())
        .unwrap_or_default()
}
