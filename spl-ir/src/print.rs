//! The stable text form of the IR (snapshot tests, `splc compile --ir`, `splc explain`).
//!
//! One item per line, children indented by two spaces; strings in Rust debug quoting so
//! that escapes are unambiguous. The form only changes when the IR's meaning does.

use std::fmt::{self, Display, Formatter, Write};

use crate::{
    Agg, AggInput, Atom, AtomKind, BinSpan, Expr, ExprKind, JoinFields, Pred, PredKind, Program,
    SedEdit, SedOccurrence, Stage, StatsKind,
};

impl Display for Program {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "filter:")?;
        write_pred(f, self.filter(), 1)?;
        write!(f, "prefilter:")?;
        if self.prefilter().is_empty() {
            write!(f, " none")?;
        }
        for clause in self.prefilter().clauses() {
            write!(f, " [")?;
            for (i, lit) in clause.iter().enumerate() {
                if i > 0 {
                    write!(f, " | ")?;
                }
                write!(f, "{lit:?}")?;
            }
            write!(f, "]")?;
        }
        writeln!(f)?;
        writeln!(f, "stages:")?;
        for (i, stage) in self.stages().iter().enumerate() {
            write!(f, "  {}: ", i + 1)?;
            write_stage(f, stage)?;
        }
        Ok(())
    }
}

impl Display for Stage {
    /// The stage on one line (a `search` stage's predicate on the lines after it).
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_stage(f, self)
    }
}

impl Display for Pred {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_pred(f, self, 0)
    }
}

impl Display for Atom {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AtomKind::Term(t) => write!(f, "term {t:?}"),
            AtomKind::Phrase(t) => write!(f, "phrase {t:?}"),
            AtomKind::TermExact(t) => write!(f, "TERM {t:?}"),
            AtomKind::CaseTerm(t) => write!(f, "CASE {t:?}"),
            // The marker of a subsearch (`SubsearchFilterStage`): the subsearch it stands for.
            AtomKind::Compare { field, .. } if field.starts_with('\0') => {
                write!(
                    f,
                    "[{}]",
                    field
                        .trim_start_matches('\0')
                        .replace("subsearch", "subsearch ")
                )
            }
            AtomKind::Compare { field, op, value } => {
                write!(f, "field {field:?} {} {value:?}", op.as_str())
            }
            AtomKind::In { field, values } => write!(f, "field {field:?} IN {values:?}"),
        }
    }
}

fn indent(f: &mut Formatter<'_>, depth: usize) -> fmt::Result {
    for _ in 0..depth {
        f.write_str("  ")?;
    }
    Ok(())
}

fn write_pred(f: &mut Formatter<'_>, pred: &Pred, depth: usize) -> fmt::Result {
    indent(f, depth)?;
    match pred.kind() {
        PredKind::True => writeln!(f, "true"),
        PredKind::False => writeln!(f, "false"),
        PredKind::Atom(a) => writeln!(f, "{a}"),
        PredKind::Not(a) => writeln!(f, "not {a}"),
        PredKind::And(items) => {
            writeln!(f, "and")?;
            items.iter().try_for_each(|p| write_pred(f, p, depth + 1))
        }
        PredKind::Or(items) => {
            writeln!(f, "or")?;
            items.iter().try_for_each(|p| write_pred(f, p, depth + 1))
        }
    }
}

fn write_stage(f: &mut Formatter<'_>, stage: &Stage) -> fmt::Result {
    match stage {
        Stage::Search(p) => {
            writeln!(f, "search")?;
            write_pred(f, p, 2)
        }
        Stage::Where(e) => writeln!(f, "where {e}"),
        Stage::Eval(assigns) => {
            write!(f, "eval")?;
            for (i, a) in assigns.iter().enumerate() {
                let sep = if i > 0 { "," } else { "" };
                if a.dynamic {
                    write!(f, "{sep} {{{:?}}} = {}", a.field, a.value)?;
                } else {
                    write!(f, "{sep} {:?} = {}", a.field, a.value)?;
                }
            }
            writeln!(f)
        }
        Stage::Regex(r) => writeln!(
            f,
            "regex {:?} {} /{}/",
            r.field,
            if r.negated { "!~" } else { "=~" },
            r.regex.translated
        ),
        Stage::Rex(r) => writeln!(
            f,
            "rex {:?} /{}/ max_match={} -> {:?}",
            r.field, r.regex.translated, r.max_match, r.regex.names
        ),
        Stage::Sed(s) => match &s.edit {
            SedEdit::Substitute {
                regex,
                replacement,
                occurrence,
            } => {
                let occ = match occurrence {
                    SedOccurrence::All => "all".to_string(),
                    SedOccurrence::Nth(n) => format!("#{n}"),
                    SedOccurrence::FromNth(n) => format!("#{n}.."),
                };
                writeln!(
                    f,
                    "sed {:?} s/{}/{replacement:?}/ {occ}",
                    s.field, regex.translated
                )
            }
            SedEdit::Transliterate { from, to } => {
                let from: String = from.iter().collect();
                let to: String = to.iter().collect();
                writeln!(f, "sed {:?} y/{from:?}/{to:?}/", s.field)
            }
        },
        Stage::Table(p) => writeln!(f, "table {:?}", p.iter().map(|p| &p.0).collect::<Vec<_>>()),
        Stage::Fields { remove, patterns } => writeln!(
            f,
            "fields {} {:?}",
            if *remove { "-" } else { "+" },
            patterns.iter().map(|p| &p.0).collect::<Vec<_>>()
        ),
        Stage::Rename(pairs) => {
            write!(f, "rename")?;
            for (i, (a, b)) in pairs.iter().enumerate() {
                write!(f, "{} {:?} -> {:?}", if i > 0 { "," } else { "" }, a.0, b.0)?;
            }
            writeln!(f)
        }
        Stage::Fillnull { value, fields } => writeln!(f, "fillnull {value:?} {fields:?}"),
        Stage::Timefill { span, zero } => {
            let span = match span {
                BinSpan::Seconds(s) => format!("{s}s"),
                BinSpan::Months(m) => format!("{m}mon"),
            };
            writeln!(f, "timechart fill span={span} zero={zero:?}")
        }
        Stage::Bin(b) => {
            let span = match b.span {
                BinSpan::Seconds(s) => format!("{s}s"),
                BinSpan::Months(m) => format!("{m}mon"),
            };
            writeln!(f, "bin {:?} span={span} -> {:?}", b.field, b.output)
        }
        Stage::Stats(s) => {
            write!(f, "{}", s.kind.as_str())?;
            for (i, agg) in s.aggs.iter().enumerate() {
                write!(f, "{} {}", if i > 0 { "," } else { "" }, AggDisplay(agg))?;
            }
            if !s.by.is_empty() {
                write!(f, " by {:?}", s.by)?;
            }
            if s.kind == StatsKind::Streamstats {
                write!(
                    f,
                    " window={} current={} global={}",
                    s.window, s.current, s.global
                )?;
            }
            writeln!(f)
        }
        Stage::Sort { limit, keys } => {
            write!(f, "sort")?;
            if let Some(n) = limit {
                write!(f, " limit={n}")?;
            }
            for key in keys {
                let sign = if key.descending { "-" } else { "+" };
                write!(f, " {sign}{:?}", key.field)?;
            }
            writeln!(f)
        }
        Stage::Dedup { count, fields } => writeln!(f, "dedup {count} {fields:?}"),
        Stage::Head(n) => writeln!(f, "head {n}"),
        Stage::Lookup(l) => {
            write!(f, "lookup {:?}", l.table)?;
            for c in &l.inputs {
                write!(f, " {:?} as {:?}", c.column, c.field)?;
            }
            if !l.outputs.is_empty() || l.new_only {
                write!(f, " {}", if l.new_only { "outputnew" } else { "output" })?;
                for c in &l.outputs {
                    write!(f, " {:?} as {:?}", c.column, c.field)?;
                }
            }
            writeln!(f)
        }
        Stage::Iplocation(i) => writeln!(
            f,
            "iplocation {:?} prefix={:?} allfields={} lang={:?}",
            i.field, i.prefix, i.allfields, i.lang
        ),
        Stage::Transaction(t) => write_transaction(f, t),
        Stage::SubsearchFilter(s) => {
            writeln!(f, "search, once its subsearches have run: {}", s.test)?;
            for stage in &s.main {
                write!(f, "    main ")?;
                write_stage(f, stage)?;
            }
            for (i, sub) in s.subsearches.iter().enumerate() {
                writeln!(f, "    [subsearch {i}] {}", sub.filter)?;
                for stage in &sub.stages {
                    write!(f, "    - ")?;
                    write_stage(f, stage)?;
                }
            }
            Ok(())
        }
        Stage::Append(a) => {
            writeln!(f, "append")?;
            for stage in &a.main {
                write!(f, "    main ")?;
                write_stage(f, stage)?;
            }
            writeln!(f, "    subsearch {}", a.filter)?;
            for stage in &a.stages {
                write!(f, "    - ")?;
                write_stage(f, stage)?;
            }
            Ok(())
        }
        Stage::Datamodel(d) => writeln!(
            f,
            "datamodel {:?} prefixed={} ({})",
            d.name(),
            d.prefixed,
            d.command.as_str()
        ),
        Stage::Appendpipe(stages) => {
            writeln!(f, "appendpipe")?;
            for stage in stages {
                write!(f, "    - ")?;
                write_stage(f, stage)?;
            }
            Ok(())
        }
        Stage::Join(j) => {
            match &j.fields {
                JoinFields::Named(fields) => write!(f, "join {fields:?}")?,
                JoinFields::Common => write!(f, "join (common fields)")?,
            }
            writeln!(
                f,
                " left={} max={} overwrite={}",
                j.left, j.max, j.overwrite
            )?;
            for stage in &j.main {
                write!(f, "    main ")?;
                write_stage(f, stage)?;
            }
            writeln!(f, "    subsearch {}", j.filter)?;
            for stage in &j.stages {
                write!(f, "    - ")?;
                write_stage(f, stage)?;
            }
            Ok(())
        }
        Stage::Foreach(e) => {
            write!(
                f,
                "foreach {:?}",
                e.patterns.iter().map(|p| &p.0).collect::<Vec<_>>()
            )?;
            let defaults = crate::ForeachPlaceholders::default();
            if e.placeholders != defaults {
                write!(f, " placeholders={:?}", e.placeholders.all())?;
            }
            writeln!(f, " names={:?}", e.names)?;
            for stage in &e.template {
                write!(f, "    - ")?;
                write_stage(f, stage)?;
            }
            Ok(())
        }
        Stage::Convert(c) => write_convert(f, c),
        Stage::Spath(s) => writeln!(
            f,
            "spath input={:?} path={:?} output={:?}",
            s.input, s.path, s.output
        ),
        Stage::Mvexpand { field, limit } => match limit {
            Some(n) => writeln!(f, "mvexpand {field:?} limit={n}"),
            None => writeln!(f, "mvexpand {field:?}"),
        },
        Stage::Makemv(m) => {
            write!(f, "makemv {:?}", m.field)?;
            match &m.split {
                crate::MakemvSplit::Delim(d) => write!(f, " delim={d:?}")?,
                crate::MakemvSplit::Tokenizer(r) => write!(f, " tokenizer={:?}", r.source)?,
            }
            writeln!(f, " allowempty={} setsv={}", m.allowempty, m.setsv)
        }
        Stage::Replace(r) => writeln!(
            f,
            "replace {:?} in {:?}",
            r.pairs,
            r.fields.iter().map(|p| &p.0).collect::<Vec<_>>()
        ),
        Stage::Addtotals(a) => writeln!(
            f,
            "addtotals {:?} fieldname={:?}",
            a.fields.iter().map(|p| &p.0).collect::<Vec<_>>(),
            a.fieldname
        ),
        Stage::Inputlookup(i) => writeln!(
            f,
            "inputlookup {:?} start={} max={:?}",
            i.table, i.start, i.max
        ),
        Stage::Xmlkv(field) => writeln!(f, "xmlkv {field:?}"),
        Stage::Fromjson { field, prefix } => writeln!(f, "fromjson {field:?} prefix={prefix:?}"),
        Stage::Top(t) => writeln!(
            f,
            "{} {:?} by={:?} limit={} countfield={:?} percentfield={:?} other={:?}",
            if t.rare { "rare" } else { "top" },
            t.fields,
            t.by,
            t.limit,
            t.countfield,
            t.percentfield,
            t.other
        ),
    }
}

fn write_convert(f: &mut Formatter<'_>, c: &crate::ConvertStage) -> fmt::Result {
    write!(f, "convert timeformat={:?}", c.timeformat)?;
    for item in &c.items {
        write!(f, " {}({:?})", item.func.as_str(), item.field.0)?;
        if let Some(out) = &item.output {
            write!(f, " as {:?}", out.0)?;
        }
    }
    writeln!(f)
}

fn write_transaction(f: &mut Formatter<'_>, t: &crate::TransactionStage) -> fmt::Result {
    write!(f, "transaction {:?}", t.fields)?;
    if let Some(s) = t.max_span {
        write!(f, " maxspan={s}s")?;
    }
    if let Some(s) = t.max_pause {
        write!(f, " maxpause={s}s")?;
    }
    match t.max_events {
        Some(n) => write!(f, " maxevents={n}")?,
        None => write!(f, " maxevents=none")?,
    }
    if t.keep_evicted {
        write!(f, " keepevicted")?;
    }
    if !t.connected {
        write!(f, " connected=false")?;
    }
    writeln!(f, " closed_txn={}", u8::from(t.closes))?;
    for (name, filter) in [("startswith", &t.starts_with), ("endswith", &t.ends_with)] {
        match filter {
            Some(crate::TxnFilter::Search(p)) => {
                writeln!(f, "    {name} search")?;
                write_pred(f, p, 3)?;
            }
            Some(crate::TxnFilter::Eval(e)) => writeln!(f, "    {name} eval {e}")?,
            None => {}
        }
    }
    Ok(())
}

struct AggDisplay<'a>(&'a Agg);

impl Display for AggDisplay<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let agg = self.0;
        write!(f, "{}(", agg.func.name())?;
        match &agg.input {
            AggInput::None => {}
            AggInput::Field(x) => write!(f, "{x:?}")?,
            AggInput::Pattern(p) => write!(f, "{:?}", p.0)?,
            AggInput::Eval(e) => write!(f, "eval {e}")?,
        }
        write!(f, ") as {:?}", agg.output)
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Field(name) => write!(f, "${name:?}"),
            ExprKind::Str(s) => write!(f, "{s:?}"),
            ExprKind::Num(n) => write!(f, "{n}"),
            ExprKind::Not(e) => write!(f, "(not {e})"),
            ExprKind::Neg(e) => write!(f, "(- {e})"),
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({lhs} {} {rhs})", op.as_str()),
            ExprKind::Search(pred) => write!(f, "searchmatch({pred})"),
            ExprKind::Call { func, args, regex } => {
                let mut text = String::new();
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        text.push_str(", ");
                    }
                    write!(text, "{a}")?;
                }
                if let Some(re) = regex {
                    write!(text, " ~ /{}/", re.translated)?;
                }
                write!(f, "{}({text})", func.name())
            }
        }
    }
}
