//! Lowering the field commands parsed as generic commands: `convert`, `spath`,
//! `mvexpand`, `makemv`, `replace`, `addtotals`, `top`, `rare`, `xmlkv`, `fromjson` and `inputlookup`.
//!
//! Their arguments arrive as options (`key=value`) and words. A word may end with the
//! comma that separates it from the next (`dur2sec(a), dur2sec(b)`, `fieldname=Score,`);
//! such a comma (one written outside quotes) separates and is not part of the value.

use spl_grammar::ast::{GenericArg, GenericCommand, Literal, OptionArg};
use spl_grammar::Span;

use super::command::{bad_option, parse_bool, unsupported_option};
use super::{codes, unexpanded, LowerError, Lowerer};
use crate::ir::{
    AddtotalsStage, ConvertFunc, ConvertItem, ConvertStage, FieldPattern, InputlookupStage,
    MakemvSplit, MakemvStage, ReplaceStage, SpathStage, Stage, TopStage, CONVERT_TIMEFORMAT,
};

/// A word of a command, its separating commas taken off.
struct Word {
    text: String,
    quoted: bool,
    span: Span,
    /// A comma followed it (outside quotes).
    comma: bool,
}

/// The options and words of a generic command (macros and subsearches are errors).
struct Args {
    options: Vec<OptionArg>,
    words: Vec<Word>,
}

/// The lowered stage of a field command: `None` when `g` is another command, else the
/// stage (none after an error).
pub(super) fn lower_field_command(cx: &mut Lowerer, g: &GenericCommand) -> Option<Option<Stage>> {
    let name = g.name.name.to_ascii_lowercase();
    let lower: fn(&mut Lowerer, Args, &GenericCommand) -> Option<Stage> = match name.as_str() {
        "convert" => lower_convert,
        "spath" => lower_spath,
        "mvexpand" => lower_mvexpand,
        "makemv" => lower_makemv,
        "replace" => lower_replace,
        "addtotals" => lower_addtotals,
        "top" | "rare" => lower_top,
        "xmlkv" => lower_xmlkv,
        "inputlookup" => lower_inputlookup,
        "fromjson" => lower_fromjson,
        _ => return None,
    };
    let args = args(cx, g);
    Some(lower(cx, args, g))
}

/// The error of a subsearch given to a command that takes none.
pub(super) fn no_subsearch(g: &GenericCommand, s: &spl_grammar::ast::Subsearch) -> LowerError {
    LowerError::new(
        codes::UNSUPPORTED,
        s.span,
        format!("`{}` takes no subsearch", g.name.name),
    )
    .label("unexpected subsearch")
}

fn args(cx: &mut Lowerer, g: &GenericCommand) -> Args {
    let mut out = Args {
        options: Vec::new(),
        words: Vec::new(),
    };
    for arg in &g.args {
        match arg {
            GenericArg::Option(o) => {
                let mut o = o.clone();
                if let Some(v) = strip_comma(cx, &o.value) {
                    o.value.value = v;
                }
                out.options.push(o);
            }
            GenericArg::Word(w) => split_word(cx, w, &mut out.words),
            GenericArg::Macro(m) => cx.error(unexpanded(m)),
            GenericArg::Subsearch(s) => cx.error(no_subsearch(g, s)),
        }
    }
    out
}

/// The value of `lit` without the comma it ends with outside quotes, if it does.
fn strip_comma(cx: &Lowerer, lit: &Literal) -> Option<String> {
    let written_comma = match cx.source {
        Some(src) => lit.span.slice(src).ends_with(','),
        None => !lit.quoted && lit.value.ends_with(','),
    };
    written_comma.then(|| lit.value.trim_end_matches(',').to_owned())
}

/// The words of `lit`: a bare word split on its commas (outside parentheses), a quoted
/// word whole (its separating comma off).
fn split_word(cx: &Lowerer, lit: &Literal, out: &mut Vec<Word>) {
    let stripped = strip_comma(cx, lit);
    let comma = stripped.is_some();
    let text = stripped.unwrap_or_else(|| lit.value.clone());
    if lit.quoted {
        out.push(Word {
            text,
            quoted: true,
            span: lit.span,
            comma,
        });
        return;
    }
    let mut depth = 0i32;
    let mut piece = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                if !piece.is_empty() {
                    out.push(Word {
                        text: std::mem::take(&mut piece),
                        quoted: false,
                        span: lit.span,
                        comma: true,
                    });
                }
                continue;
            }
            _ => {}
        }
        piece.push(c);
    }
    if !piece.is_empty() {
        out.push(Word {
            text: piece,
            quoted: false,
            span: lit.span,
            comma,
        });
    }
}

fn bad_word(w: &Word, message: impl Into<String>, label: &str) -> LowerError {
    LowerError::new(codes::BAD_VALUE, w.span, message).label(label)
}

fn missing(g: &GenericCommand, what: &str) -> LowerError {
    LowerError::new(
        codes::BAD_VALUE,
        g.name.span,
        format!("`{}` needs {what}", g.name.name),
    )
    .label(format!("no {what}"))
}

fn number(cx: &mut Lowerer, o: &OptionArg) -> Option<u64> {
    let n = o.value.value.parse().ok();
    if n.is_none() {
        cx.error(bad_option(o, "a whole number"));
    }
    n
}

fn boolean(cx: &mut Lowerer, o: &OptionArg) -> Option<bool> {
    let b = parse_bool(&o.value.value);
    if b.is_none() {
        cx.error(bad_option(o, "true or false"));
    }
    b
}

/// `convert [timeformat=..] func(field) [AS new] ...`.
fn lower_convert(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    let mut stage = ConvertStage {
        timeformat: CONVERT_TIMEFORMAT.to_owned(),
        items: Vec::new(),
    };
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            "timeformat" => stage.timeformat.clone_from(&o.value.value),
            _ => cx.error(unsupported_option(o, "convert")),
        }
    }
    let mut words = args.words.iter().peekable();
    let mut ok = true;
    while let Some(w) = words.next() {
        let call = w
            .text
            .strip_suffix(')')
            .and_then(|t| t.split_once('('))
            .filter(|_| !w.quoted);
        let Some((func, field)) = call else {
            cx.error(bad_word(
                w,
                format!(
                    "expected a conversion like `ctime(field)`, found `{}`",
                    w.text
                ),
                "not a conversion",
            ));
            ok = false;
            continue;
        };
        let Some(func) = ConvertFunc::parse(func) else {
            let known = matches!(func.to_ascii_lowercase().as_str(), "auto" | "memk" | "none");
            cx.error(
                LowerError::new(
                    if known {
                        codes::UNSUPPORTED
                    } else {
                        codes::UNKNOWN_FUNCTION
                    },
                    w.span,
                    format!("conversion `{func}` is not supported"),
                )
                .label("unsupported conversion")
                .note("splc runs ctime, mktime, dur2sec, mstime, num, rmcomma and rmunit"),
            );
            ok = false;
            continue;
        };
        let field = field.trim();
        if field.is_empty() {
            cx.error(bad_word(w, "a conversion needs a field", "no field"));
            ok = false;
            continue;
        }
        let mut output = None;
        if !w.comma
            && words
                .peek()
                .is_some_and(|n| n.text.eq_ignore_ascii_case("as"))
        {
            let as_word = words.next();
            match words.next() {
                Some(new) => output = Some(FieldPattern::new(new.text.clone())),
                None => {
                    if let Some(a) = as_word {
                        cx.error(bad_word(a, "`AS` needs a field name", "no name"));
                    }
                    ok = false;
                }
            }
        }
        if let Some(out) = &output {
            let stars = |p: &str| p.matches('*').count();
            if stars(field) > 0 && stars(out.as_str()) != stars(field) {
                cx.error(bad_word(
                    w,
                    "the `AS` name must have as many `*` as the field pattern",
                    "wildcard count differs",
                ));
                ok = false;
            }
        }
        stage.items.push(ConvertItem {
            func,
            field: FieldPattern::new(field),
            output,
        });
    }
    if stage.items.is_empty() && ok {
        cx.error(missing(g, "a conversion"));
        return None;
    }
    ok.then_some(Stage::Convert(stage))
}

/// `spath [input=f] [output=f] [path=p | p]`.
fn lower_spath(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    let mut stage = SpathStage {
        input: "_raw".to_owned(),
        path: None,
        output: None,
    };
    for o in &args.options {
        let v = o.value.value.clone();
        match o.key.name.to_ascii_lowercase().as_str() {
            "input" => stage.input = v,
            "output" => stage.output = Some(v),
            "path" => stage.path = Some(v),
            _ => cx.error(unsupported_option(o, "spath")),
        }
    }
    for w in &args.words {
        if stage.path.is_some() {
            cx.error(bad_word(w, "`spath` takes one path", "a second path"));
            return None;
        }
        stage.path = Some(w.text.clone());
    }
    if stage.path.is_none() && stage.output.is_some() {
        cx.error(missing(g, "a path when `output=` is given"));
        return None;
    }
    Some(Stage::Spath(stage))
}

/// The one field a command names.
fn one_field(cx: &mut Lowerer, args: &Args, g: &GenericCommand) -> Option<String> {
    match args.words.as_slice() {
        [w] => Some(w.text.clone()),
        [] => {
            cx.error(missing(g, "a field"));
            None
        }
        [_, extra, ..] => {
            cx.error(bad_word(
                extra,
                format!("`{}` takes one field", g.name.name),
                "a second field",
            ));
            None
        }
    }
}

/// `mvexpand field [limit=N]`.
fn lower_mvexpand(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    let mut limit = None;
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            "limit" => limit = number(cx, o).filter(|n| *n > 0),
            _ => cx.error(unsupported_option(o, "mvexpand")),
        }
    }
    let field = one_field(cx, &args, g)?;
    Some(Stage::Mvexpand { field, limit })
}

/// `makemv [delim=..|tokenizer=..] [allowempty=..] [setsv=..] field`.
fn lower_makemv(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    let mut split = MakemvSplit::Delim(" ".to_owned());
    let (mut allowempty, mut setsv) = (false, false);
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            "delim" => split = MakemvSplit::Delim(o.value.value.clone()),
            "tokenizer" => {
                let origin = cx.origin(&o.value.value, o.value.span);
                split = MakemvSplit::Tokenizer(cx.regex(&o.value.value, &origin, true)?);
            }
            "allowempty" => allowempty = boolean(cx, o).unwrap_or(false),
            "setsv" => setsv = boolean(cx, o).unwrap_or(false),
            _ => cx.error(unsupported_option(o, "makemv")),
        }
    }
    let field = one_field(cx, &args, g)?;
    Some(Stage::Makemv(MakemvStage {
        field,
        split,
        allowempty,
        setsv,
    }))
}

/// `replace old WITH new [, old WITH new]... [IN field, ...]`.
fn lower_replace(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    for o in &args.options {
        cx.error(unsupported_option(o, "replace"));
    }
    let keyword = |w: &Word, k: &str| !w.quoted && w.text.eq_ignore_ascii_case(k);
    let mut pairs = Vec::new();
    let mut fields = Vec::new();
    let mut words = args.words.iter();
    while let Some(old) = words.next() {
        if keyword(old, "in") {
            fields.extend(words.by_ref().map(|w| FieldPattern::new(w.text.clone())));
            break;
        }
        let (Some(with), Some(new)) = (words.next(), words.next()) else {
            cx.error(bad_word(
                old,
                "expected `old WITH new`",
                "incomplete replacement",
            ));
            return None;
        };
        if !keyword(with, "with") {
            cx.error(bad_word(
                with,
                format!("expected `WITH`, found `{}`", with.text),
                "not WITH",
            ));
            return None;
        }
        pairs.push((old.text.clone(), new.text.clone()));
    }
    if pairs.is_empty() {
        cx.error(missing(g, "a replacement `old WITH new`"));
        return None;
    }
    Some(Stage::Replace(ReplaceStage { pairs, fields }))
}

/// `addtotals [row=t] [col=f] [fieldname=..] [field ...]`.
fn lower_addtotals(cx: &mut Lowerer, args: Args, _g: &GenericCommand) -> Option<Stage> {
    let mut fieldname = "Total".to_owned();
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            "fieldname" => fieldname.clone_from(&o.value.value),
            "row" => {
                if boolean(cx, o) == Some(false) {
                    cx.error(unsupported(o, "`addtotals row=false` is not supported"));
                }
            }
            "col" => {
                if boolean(cx, o) == Some(true) {
                    cx.error(unsupported(o, "`addtotals col=true` is not supported"));
                }
            }
            _ => cx.error(unsupported_option(o, "addtotals")),
        }
    }
    let fields = args
        .words
        .iter()
        .map(|w| FieldPattern::new(w.text.clone()))
        .collect();
    Some(Stage::Addtotals(AddtotalsStage { fields, fieldname }))
}

fn unsupported(o: &OptionArg, message: &str) -> LowerError {
    LowerError::new(codes::UNSUPPORTED, o.span, message).label("unsupported")
}

/// `top|rare [N] [options] field... [BY field...]`.
fn lower_top(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    let name = g.name.name.to_ascii_lowercase();
    let mut stage = TopStage {
        rare: name == "rare",
        fields: Vec::new(),
        by: Vec::new(),
        limit: 10,
        countfield: Some("count".to_owned()),
        percentfield: Some("percent".to_owned()),
        other: None,
    };
    let (mut showcount, mut showperc, mut useother) = (true, true, false);
    let mut otherstr = "OTHER".to_owned();
    for o in &args.options {
        let v = &o.value.value;
        match o.key.name.to_ascii_lowercase().as_str() {
            "limit" => stage.limit = number(cx, o).unwrap_or(10),
            "countfield" => stage.countfield = Some(v.clone()),
            "percentfield" => stage.percentfield = Some(v.clone()),
            "showcount" => showcount = boolean(cx, o).unwrap_or(true),
            "showperc" => showperc = boolean(cx, o).unwrap_or(true),
            "useother" => useother = boolean(cx, o).unwrap_or(false),
            "otherstr" => otherstr.clone_from(v),
            _ => cx.error(unsupported_option(o, &name)),
        }
    }
    let mut words = args.words.iter().peekable();
    if let Some(n) = words.peek().and_then(|w| w.text.parse::<u64>().ok()) {
        stage.limit = n;
        words.next();
    }
    let mut in_by = false;
    for w in words {
        if !w.quoted && w.text.eq_ignore_ascii_case("by") && !in_by {
            in_by = true;
        } else if in_by {
            stage.by.push(w.text.clone());
        } else {
            stage.fields.push(w.text.clone());
        }
    }
    if stage.fields.is_empty() {
        cx.error(missing(g, "a field"));
        return None;
    }
    if !showcount {
        stage.countfield = None;
    }
    if !showperc {
        stage.percentfield = None;
    }
    if useother {
        stage.other = Some(otherstr);
    }
    Some(Stage::Top(stage))
}

/// `xmlkv [field]`.
fn lower_xmlkv(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            // How many results Splunk reads: every row is read here.
            "maxinputs" => {
                number(cx, o);
            }
            _ => cx.error(unsupported_option(o, "xmlkv")),
        }
    }
    if args.words.is_empty() {
        return Some(Stage::Xmlkv("_raw".to_owned()));
    }
    one_field(cx, &args, g).map(Stage::Xmlkv)
}

/// `fromjson field [prefix=p]`.
fn lower_fromjson(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    let mut prefix = String::new();
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            "prefix" => prefix.clone_from(&o.value.value),
            _ => cx.error(unsupported_option(o, "fromjson")),
        }
    }
    let field = one_field(cx, &args, g)?;
    Some(Stage::Fromjson { field, prefix })
}

/// `inputlookup` after other commands: only with `append=t`.
fn lower_inputlookup(cx: &mut Lowerer, args: Args, g: &GenericCommand) -> Option<Stage> {
    inputlookup(cx, args, g, false)
}

/// `inputlookup` as the first command of a subsearch (after `[|`): the table's rows.
pub(super) fn lower_inputlookup_first(cx: &mut Lowerer, g: &GenericCommand) -> Option<Stage> {
    let args = args(cx, g);
    inputlookup(cx, args, g, true)
}

fn inputlookup(cx: &mut Lowerer, args: Args, g: &GenericCommand, first: bool) -> Option<Stage> {
    let mut stage = InputlookupStage {
        table: String::new(),
        start: 0,
        max: None,
    };
    let mut append = false;
    for o in &args.options {
        match o.key.name.to_ascii_lowercase().as_str() {
            "append" => append = boolean(cx, o).unwrap_or(false),
            "start" => stage.start = number(cx, o).unwrap_or(0),
            "max" => stage.max = number(cx, o),
            // Whether a missing table fails the search: here it warns and gives no rows.
            "strict" => {
                boolean(cx, o);
            }
            _ => cx.error(unsupported_option(o, "inputlookup")),
        }
    }
    match args.words.as_slice() {
        [w] => stage.table.clone_from(&w.text),
        [] => {
            cx.error(missing(g, "a lookup table"));
            return None;
        }
        [_, extra, ..] => {
            cx.error(
                LowerError::new(
                    codes::UNSUPPORTED,
                    extra.span,
                    "`inputlookup` takes one table; a `WHERE` clause is not supported",
                )
                .label("unexpected"),
            );
            return None;
        }
    }
    if !first && !append {
        cx.error(
            LowerError::new(
                codes::UNSUPPORTED,
                g.name.span,
                "`inputlookup` after other commands needs `append=t`",
            )
            .label("not first, not appending")
            .note("splc runs `inputlookup` with `append=t`, or first in a subsearch (`[| inputlookup t | ...]`)"),
        );
        return None;
    }
    Some(Stage::Inputlookup(stage))
}
