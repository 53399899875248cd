//! Operators: the search command's comparisons, eval's binary operators, the stats
//! commands.

/// A comparison of the search command (`field op value`), also used by eval's comparisons
/// once both sides are values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`: in a search, some value matches (ignoring case, wildcards, CIDR).
    Eq,
    /// `!=`: in a search, the field exists and no value matches.
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written in SPL.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator written `text` (`==` is `=`, as in eval).
    pub fn from_text(text: &str) -> Option<CmpOp> {
        Some(match text {
            "=" | "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return None,
        })
    }

    /// Whether `a op b` holds, given how `a` compares to `b`.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }
}

/// A binary operator of eval expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `XOR`
    Xor,
    /// `OR`
    Or,
    /// `AND`
    And,
    /// A comparison: `=`/`==`, `!=`, `<`, `<=`, `>`, `>=`.
    Cmp(CmpOp),
    /// `LIKE`
    Like,
    /// `.` (text concatenation)
    Concat,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinOp {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Xor => "XOR",
            BinOp::Or => "OR",
            BinOp::And => "AND",
            BinOp::Cmp(op) => op.as_str(),
            BinOp::Like => "LIKE",
            BinOp::Concat => ".",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }

    /// How tightly the operator binds: higher binds tighter. `NOT` sits between `AND` (3)
    /// and the comparisons (5), at 4; unary minus above `*` (8), at 9.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Xor => 1,
            BinOp::Or => 2,
            BinOp::And => 3,
            BinOp::Cmp(_) | BinOp::Like => 5,
            BinOp::Concat => 6,
            BinOp::Add | BinOp::Sub => 7,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 8,
        }
    }

    /// True for operators whose result is a truth value.
    pub fn is_boolean(self) -> bool {
        matches!(
            self,
            BinOp::Xor | BinOp::Or | BinOp::And | BinOp::Cmp(_) | BinOp::Like
        )
    }
}

/// Which of the three stats commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatsKind {
    /// `stats`: one row per group.
    Stats,
    /// `eventstats`: aggregates added to every event.
    Eventstats,
    /// `streamstats`: running aggregates in arrival order.
    Streamstats,
}

impl StatsKind {
    /// The command name.
    pub fn as_str(self) -> &'static str {
        match self {
            StatsKind::Stats => "stats",
            StatsKind::Eventstats => "eventstats",
            StatsKind::Streamstats => "streamstats",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn comparison_truth_table() {
        let table = [
            (CmpOp::Eq, [false, true, false]),
            (CmpOp::Ne, [true, false, true]),
            (CmpOp::Lt, [true, false, false]),
            (CmpOp::Le, [true, true, false]),
            (CmpOp::Gt, [false, false, true]),
            (CmpOp::Ge, [false, true, true]),
        ];
        for (op, expected) in table {
            let got = [Less, Equal, Greater].map(|o| op.holds(o));
            assert_eq!(got, expected, "{}", op.as_str());
            assert_eq!(CmpOp::from_text(op.as_str()), Some(op));
        }
        assert_eq!(CmpOp::from_text("=="), Some(CmpOp::Eq));
        assert_eq!(CmpOp::from_text("=<"), None);
    }

    #[test]
    fn precedence_orders_the_operators() {
        assert!(BinOp::Xor.precedence() < BinOp::Or.precedence());
        assert!(BinOp::Or.precedence() < BinOp::And.precedence());
        assert!(BinOp::And.precedence() < BinOp::Cmp(CmpOp::Eq).precedence());
        assert!(BinOp::Like.precedence() < BinOp::Concat.precedence());
        assert!(BinOp::Concat.precedence() < BinOp::Add.precedence());
        assert!(BinOp::Sub.precedence() < BinOp::Mod.precedence());
        assert!(BinOp::Cmp(CmpOp::Ge).is_boolean() && !BinOp::Concat.is_boolean());
    }
}
