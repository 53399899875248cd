//! Eval expressions, as lowering checks them, and regex literals.

use crate::func::Func;
use crate::op::BinOp;
use crate::span::Span;

/// A checked eval expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// The SPL it came from.
    pub span: Span,
}

impl Expr {
    /// An expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The distinct field names the expression reads, in order of first use.
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.visit(&mut |e| {
            if let ExprKind::Field(f) = &e.kind {
                if !out.contains(&f.as_str()) {
                    out.push(f);
                }
            }
        });
        out
    }

    /// Call `f` on this expression and every expression inside it, parents first.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            match &e.kind {
                ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Num(_) | ExprKind::Search(_) => {}
                ExprKind::Not(x) | ExprKind::Neg(x) => stack.push(x),
                ExprKind::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                ExprKind::Call { args, .. } => stack.extend(args.iter().rev()),
            }
        }
    }

    /// True when the expression's value is a truth value (a comparison, a boolean
    /// operator, a function returning one).
    pub fn is_boolean(&self) -> bool {
        match &self.kind {
            ExprKind::Not(_) | ExprKind::Search(_) => true,
            ExprKind::Binary { op, .. } => op.is_boolean(),
            ExprKind::Call { func, .. } => func.returns() == crate::func::Returns::Bool,
            _ => false,
        }
    }
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// The value of a field (null when absent).
    Field(String),
    /// A string literal.
    Str(String),
    /// A number literal.
    Num(f64),
    /// Logical negation (three-valued: NOT null is null).
    Not(Box<Expr>),
    /// Arithmetic negation.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// A call of a catalog function.
    Call {
        /// The function.
        func: Func,
        /// The arguments, all of them, in order.
        args: Vec<Expr>,
        /// For `match`, `replace` and `mvfind` whose pattern argument is a string literal:
        /// that pattern, translated and checked once. `None` when the pattern is computed
        /// per row (it is then compiled when evaluated).
        regex: Option<RegexLit>,
    },
    /// `searchmatch("search")`: whether the row matches the search, lowered as the search
    /// command's (the search string must be a literal).
    Search(Box<crate::program::Pred>),
}

/// A regex written in a rule: the PCRE text as the rule gives it (after SPL unescaping)
/// and its translation for the Rust engine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegexLit {
    /// The pattern as PCRE sees it.
    pub source: String,
    /// The equivalent pattern for `regex-automata`.
    pub translated: String,
    /// The named groups, in order.
    pub names: Vec<String>,
    /// Texts of which every match holds one (folded to ASCII lowercase), when they are
    /// known and few: what a pack-wide index can look for before running the regex.
    pub literals: Option<Vec<String>>,
}
