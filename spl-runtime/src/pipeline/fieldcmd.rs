//! Steps that rewrite fields of each row: `convert`, `spath`, `mvexpand`, `makemv`,
//! `replace`, `addtotals`.

use super::{FieldGlob, Step};
use crate::eval::func::spath_values;
use crate::event::{Event, Record};
use crate::field::FieldId;
use crate::ir::{
    AddtotalsStage, ConvertFunc, ConvertStage, FieldPattern, ReplaceStage, SpathStage,
};
use crate::regex::Regex;
use crate::time::{strftime, strptime};
use crate::value::{parse_number, Value};

/// The fields of `row` a pattern names: the field itself for a name, every matching field
/// (in row order) for a pattern with `*`, each with the `*` captures.
fn matching(row: &Record, glob: &FieldGlob) -> Vec<(FieldId, Vec<String>)> {
    if let Some(name) = glob.literal() {
        return match FieldId::lookup(name) {
            Some(id) if row.get(id).is_some() => vec![(id, Vec::new())],
            _ => Vec::new(),
        };
    }
    row.iter()
        .filter_map(|(id, _)| {
            let caps = glob.captures(id.name())?;
            Some((id, caps.into_iter().map(str::to_owned).collect()))
        })
        .collect()
}

/// `convert`: each item converts the values of the fields its pattern matches, in place
/// or into the `AS` field (a `*` there takes what the input's `*` matched). Each value of a
/// multivalue converts alone; a value that does not convert stays as it is, except with
/// `num`, which drops it (a field left with no value is removed).
pub struct Convert {
    timeformat: String,
    items: Vec<(ConvertFunc, ConvertFields)>,
}

/// The fields of one `convert` item.
enum ConvertFields {
    /// A named field and where its result goes (the ids interned once).
    Exact(FieldId, FieldId),
    /// A pattern with `*`, and the `AS` pattern.
    Glob(FieldGlob, Option<FieldGlob>),
}

impl Convert {
    /// The step of a `convert` stage.
    pub fn new(stage: &ConvertStage) -> Self {
        Convert {
            timeformat: stage.timeformat.clone(),
            items: stage
                .items
                .iter()
                .map(|i| {
                    let output = i.output.as_ref().map(|o| FieldGlob::new(o.as_str()));
                    let fields = match (i.field.is_wildcard(), &i.output) {
                        (false, out) => {
                            let id = FieldId::intern(i.field.as_str());
                            let target = out.as_ref().map_or(id, |o| FieldId::intern(o.as_str()));
                            ConvertFields::Exact(id, target)
                        }
                        (true, _) => ConvertFields::Glob(FieldGlob::new(i.field.as_str()), output),
                    };
                    (i.func, fields)
                })
                .collect(),
        }
    }

    /// One converted value: `Some(Ok)` a new value, `Some(Err)` the value unchanged,
    /// `None` dropped.
    fn one(&self, func: ConvertFunc, text: &str) -> Option<Result<Value, ()>> {
        let converted = match func {
            ConvertFunc::Ctime => {
                parse_number(text).and_then(|t| strftime(t, &self.timeformat).map(Value::Str))
            }
            ConvertFunc::Mktime => strptime(text, &self.timeformat).map(Value::Num),
            ConvertFunc::Dur2sec => dur2sec(text).map(Value::Num),
            ConvertFunc::Mstime => mstime(text).map(Value::Num),
            ConvertFunc::Num => return parse_number(text).map(|n| Ok(Value::Num(n))),
            ConvertFunc::Rmcomma => Some(Value::Str(text.replace(',', ""))),
            ConvertFunc::Rmunit => leading_number(text).map(Value::Num),
        };
        Some(converted.ok_or(()))
    }

    /// The converted value of a whole field (`None`: no value is left).
    fn convert(&self, func: ConvertFunc, value: &Value) -> Option<Value> {
        match value {
            Value::Num(n) if matches!(func, ConvertFunc::Num | ConvertFunc::Rmunit) => {
                return Some(Value::Num(*n));
            }
            Value::Str(text) => {
                return match self.one(func, text)? {
                    Ok(v) => Some(v),
                    Err(()) => Some(value.clone()),
                };
            }
            _ => {}
        }
        let mut out: Vec<Value> = Vec::new();
        for text in value.iter_str() {
            match self.one(func, &text) {
                Some(Ok(v)) => out.push(v),
                Some(Err(())) => out.push(Value::Str(text.into_owned())),
                None => {}
            }
        }
        if out.len() == 1 {
            return out.pop();
        }
        Value::from_strings(
            out.iter()
                .map(|v| v.first_str().into_owned())
                .collect::<Vec<_>>(),
        )
    }
}

impl Convert {
    /// Convert `id` of `row` into `target` (a missing field changes nothing).
    fn apply(&self, row: &mut Record, func: ConvertFunc, id: FieldId, target: FieldId) {
        let Some(value) = row.get(id) else { return };
        match self.convert(func, value) {
            Some(v) => row.set(target, v),
            None => {
                row.remove(target);
            }
        }
    }
}

impl Step for Convert {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        for (func, fields) in &self.items {
            match fields {
                ConvertFields::Exact(id, target) => self.apply(&mut row, *func, *id, *target),
                ConvertFields::Glob(input, output) => {
                    for (id, caps) in matching(&row, input) {
                        let target = match output {
                            Some(o) => {
                                let caps: Vec<&str> = caps.iter().map(String::as_str).collect();
                                FieldId::intern(&o.substitute(&caps))
                            }
                            None => id,
                        };
                        self.apply(&mut row, *func, id, target);
                    }
                }
            }
        }
        out.push(row);
    }
}

/// `[D+]HH:MM:SS` (seconds may have a fraction) as seconds.
fn dur2sec(text: &str) -> Option<f64> {
    let text = text.trim_ascii();
    let (days, clock) = match text.split_once('+') {
        Some((d, rest)) => (whole(d)?, rest),
        None => (0.0, text),
    };
    let mut parts = clock.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(days * 86_400.0 + whole(h)? * 3600.0 + whole(m)? * 60.0 + seconds(s)?)
}

/// `[MM:]SS.SSS` as seconds.
fn mstime(text: &str) -> Option<f64> {
    let text = text.trim_ascii();
    match text.split_once(':') {
        Some((m, s)) => Some(whole(m)? * 60.0 + seconds(s)?),
        None => seconds(text),
    }
}

/// Digits only, as a number.
fn whole(text: &str) -> Option<f64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Digits with an optional fraction, as a number.
fn seconds(text: &str) -> Option<f64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, "0"));
    whole(int)?;
    if !frac.is_empty() {
        whole(frac)?;
    }
    text.parse().ok()
}

/// The number the text starts with (`rmunit`): sign, digits, fraction, exponent.
fn leading_number(text: &str) -> Option<f64> {
    let t = text.trim_ascii_start();
    let mut best = None;
    for (end, _) in t.char_indices().skip(1).chain([(t.len(), ' ')]) {
        if let Some(n) = t.get(..end).and_then(parse_number) {
            best = Some(n);
        }
    }
    best
}

/// `spath`: with a path, the values at that path of the input field's JSON or XML go to
/// the output field (the path when none is named); without one, every leaf of a JSON
/// object becomes a field named by its path (`a.b`, `list{}.c`), several values a
/// multivalue. A missing input, text that is neither, or a path that finds nothing changes
/// nothing.
pub struct Spath {
    input: FieldId,
    path: Option<String>,
    output: Option<FieldId>,
}

impl Spath {
    /// The step of a `spath` stage.
    pub fn new(stage: &SpathStage) -> Self {
        Spath {
            input: FieldId::intern(&stage.input),
            path: stage.path.clone(),
            output: stage
                .output
                .as_deref()
                .or(stage.path.as_deref())
                .map(FieldId::intern),
        }
    }
}

impl Step for Spath {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let Some(text) = row.get(self.input).map(|v| v.first_str().into_owned()) else {
            out.push(row);
            return;
        };
        match (&self.path, self.output) {
            (Some(path), Some(output)) => {
                if let Some(v) = spath_values(&text, path).and_then(Value::from_strings) {
                    row.set(output, v);
                }
            }
            _ => {
                for (name, values) in crate::eval::jsondoc::leaves(&text) {
                    if let Some(v) = Value::from_strings(values) {
                        row.set(FieldId::intern(&name), v);
                    }
                }
            }
        }
        out.push(row);
    }
}

/// `mvexpand field [limit=N]`: one row per value of the field (the first `N`), each a copy
/// of the row with that single value. A row without the field passes unchanged.
pub struct Mvexpand {
    field: FieldId,
    limit: usize,
}

impl Mvexpand {
    /// Expand `field`, at most `limit` rows per row.
    pub fn new(field: &str, limit: Option<u64>) -> Self {
        Mvexpand {
            field: FieldId::intern(field),
            limit: limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        }
    }
}

impl Step for Mvexpand {
    fn push(&mut self, row: Record, out: &mut Vec<Record>) {
        let values: Vec<String> = match row.get(self.field) {
            Some(Value::Multi(vs)) => vs.iter().take(self.limit).cloned().collect(),
            _ => {
                out.push(row);
                return;
            }
        };
        for v in values {
            let mut copy = row.clone();
            copy.set(self.field, Value::Str(v));
            out.push(copy);
        }
    }
}

/// How `makemv` splits, compiled.
pub enum MakemvSplitter {
    /// On a delimiter.
    Delim(String),
    /// Matches of a regex.
    Tokenizer(Regex),
}

/// `makemv`: each value of the field split on the delimiter (empty pieces dropped unless
/// `allowempty`), or the matches of the tokenizer (the first group, else the whole match);
/// the pieces, in order, become the field's values. No piece removes the field.
pub struct Makemv {
    field: FieldId,
    split: MakemvSplitter,
    allowempty: bool,
}

impl Makemv {
    /// Split `field` with `split`.
    pub fn new(field: &str, split: MakemvSplitter, allowempty: bool) -> Self {
        Makemv {
            field: FieldId::intern(field),
            split,
            allowempty,
        }
    }

    fn pieces(&self, text: &str, out: &mut Vec<String>) {
        match &self.split {
            MakemvSplitter::Delim(d) if d.is_empty() => out.push(text.to_owned()),
            MakemvSplitter::Delim(d) => out.extend(
                text.split(d.as_str())
                    .filter(|p| self.allowempty || !p.is_empty())
                    .map(str::to_owned),
            ),
            MakemvSplitter::Tokenizer(re) => {
                let mut at = 0;
                while at <= text.len() {
                    let Some(c) = re.captures(&text[at..]) else {
                        break;
                    };
                    let Some((start, end)) = c.range() else { break };
                    let piece = if re.group_len() > 1 {
                        c.get(1)
                    } else {
                        c.get(0)
                    };
                    if let Some(p) = piece {
                        if self.allowempty || !p.is_empty() {
                            out.push(p.to_owned());
                        }
                    }
                    let next = if end > start {
                        end
                    } else {
                        // An empty match: step over one character.
                        end + text[at + end..].chars().next().map_or(1, char::len_utf8)
                    };
                    at += next;
                }
            }
        }
    }
}

impl Step for Makemv {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        if let Some(v) = row.get(self.field) {
            let mut pieces = Vec::new();
            for text in v.iter_str() {
                self.pieces(&text, &mut pieces);
            }
            match Value::from_strings(pieces) {
                Some(v) => row.set(self.field, v),
                None => {
                    row.remove(self.field);
                }
            }
        }
        out.push(row);
    }
}

/// `replace`: each value of the named fields (every field not starting with `_` when
/// none is named) that the whole of an `old` pattern matches, case-sensitively, becomes
/// that pair's `new` text, the `*`s of `new` filled with what those of `old` matched;
/// the first matching pair wins.
pub struct Replace {
    pairs: Vec<(FieldGlob, FieldGlob)>,
    fields: Vec<FieldGlob>,
}

impl Replace {
    /// The step of a `replace` stage.
    pub fn new(stage: &ReplaceStage) -> Self {
        Replace {
            pairs: stage
                .pairs
                .iter()
                .map(|(a, b)| (FieldGlob::new(a), FieldGlob::new(b)))
                .collect(),
            fields: stage
                .fields
                .iter()
                .map(|p| FieldGlob::new(p.as_str()))
                .collect(),
        }
    }

    fn replaced(&self, text: &str) -> Option<String> {
        self.pairs.iter().find_map(|(old, new)| {
            let caps = old.captures(text)?;
            Some(new.substitute(&caps))
        })
    }

    fn targets(&self, row: &Record) -> Vec<FieldId> {
        if self.fields.is_empty() {
            return row
                .iter()
                .map(|(id, _)| id)
                .filter(|id| !id.name().starts_with('_'))
                .collect();
        }
        let mut ids = Vec::new();
        for glob in &self.fields {
            for (id, _) in matching(row, glob) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }
}

impl Step for Replace {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        for id in self.targets(&row) {
            let Some(value) = row.get(id) else { continue };
            let mut changed = false;
            let values: Vec<String> = value
                .iter_str()
                .map(|t| match self.replaced(&t) {
                    Some(r) => {
                        changed = true;
                        r
                    }
                    None => t.into_owned(),
                })
                .collect();
            if changed {
                if let Some(v) = Value::from_strings(values) {
                    row.set(id, v);
                }
            }
        }
        out.push(row);
    }
}

/// `addtotals`: the sum of the numeric values of the named fields (of every field not
/// starting with `_` when none is named), set in `fieldname`; text values are skipped, each
/// value of a multivalue counts; a row with no numeric value gets no total.
pub struct Addtotals {
    fields: Vec<FieldGlob>,
    output: FieldId,
}

impl Addtotals {
    /// The step of an `addtotals` stage.
    pub fn new(stage: &AddtotalsStage) -> Self {
        Addtotals {
            fields: stage
                .fields
                .iter()
                .map(|p: &FieldPattern| FieldGlob::new(p.as_str()))
                .collect(),
            output: FieldId::intern(&stage.fieldname),
        }
    }

    fn counts(&self, id: FieldId) -> bool {
        if id == self.output {
            return false;
        }
        if self.fields.is_empty() {
            return !id.name().starts_with('_');
        }
        self.fields.iter().any(|g| g.matches(id.name()))
    }
}

impl Step for Addtotals {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let mut total: Option<f64> = None;
        for (id, value) in row.iter() {
            if !self.counts(id) {
                continue;
            }
            let numbers: Vec<f64> = match value {
                Value::Num(n) => vec![*n],
                other => other.iter_str().filter_map(|t| parse_number(&t)).collect(),
            };
            for n in numbers {
                total = Some(total.unwrap_or(0.0) + n);
            }
        }
        if let Some(t) = total {
            row.set(self.output, Value::Num(t));
        }
        out.push(row);
    }
}

/// `xmlkv [field]` (`_raw` by default): each element of the field's text that holds only
/// text (`<Command>rundll32.exe</Command>`) sets the field of its tag name to that text,
/// XML entities decoded; a name met several times gives a multivalue in document order.
/// The text need not be a well-formed document: elements are found where they are.
pub struct Xmlkv {
    field: FieldId,
}

impl Xmlkv {
    /// Extract from `field`.
    pub fn new(field: &str) -> Self {
        Xmlkv {
            field: FieldId::intern(field),
        }
    }
}

/// The `(tag, text)` of each element of `text` that holds only text.
fn xml_pairs(text: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        let name = tag
            .split(|c: char| c.is_ascii_whitespace())
            .next()
            .unwrap_or("");
        let usable = !name.is_empty()
            && !tag.ends_with('/')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if !usable {
            continue;
        }
        let body = &rest[close + 1..];
        let Some(end) = body.find('<') else { break };
        let closing = body[end + 1..]
            .strip_prefix('/')
            .and_then(|b| b.strip_prefix(name))
            .is_some_and(|b| b.trim_start().starts_with('>'));
        if closing {
            out.push((name, unescape_xml(&body[..end])));
        }
    }
    out
}

/// The five predefined XML entities and numeric references decoded.
fn unescape_xml(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Step for Xmlkv {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        let pairs: Vec<(String, String)> = match row.get(self.field) {
            Some(v) => xml_pairs(&v.first_str())
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            None => Vec::new(),
        };
        let mut seen: Vec<FieldId> = Vec::new();
        for (name, value) in pairs {
            let id = FieldId::intern(&name);
            if seen.contains(&id) {
                row.push(id, value);
            } else {
                seen.push(id);
                row.set(id, Value::Str(value));
            }
        }
        out.push(row);
    }
}

/// `fromjson field [prefix=p]`: each member of the field's JSON object sets the field of
/// its name (after `prefix`): a string its text, an array a multivalue of its elements
/// (strings as text, others as JSON), other values as JSON text; `null` sets nothing. A
/// missing field or text that is not a JSON object changes nothing.
pub struct Fromjson {
    field: FieldId,
    prefix: String,
}

impl Fromjson {
    /// Expand `field`, naming fields after `prefix`.
    pub fn new(field: &str, prefix: &str) -> Self {
        Fromjson {
            field: FieldId::intern(field),
            prefix: prefix.to_owned(),
        }
    }
}

impl Step for Fromjson {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        use crate::eval::jsondoc::Json;
        let text = |j: &Json| match j {
            Json::Str(s) => s.clone(),
            other => other.to_text(),
        };
        let members = match row.get(self.field).map(|v| Json::parse(&v.first_str())) {
            Some(Some(Json::Obj(members))) => members,
            _ => {
                out.push(row);
                return;
            }
        };
        for (key, value) in members {
            let v = match &value {
                Json::Null => None,
                Json::Arr(items) => Value::from_strings(
                    items
                        .iter()
                        .filter(|j| **j != Json::Null)
                        .map(text)
                        .collect(),
                ),
                other => Some(Value::Str(text(other))),
            };
            if let Some(v) = v {
                row.set(FieldId::intern(&format!("{}{key}", self.prefix)), v);
            }
        }
        out.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(dur2sec("01:02:03"), Some(3723.0));
        assert_eq!(dur2sec("2+00:00:01"), Some(172_801.0));
        assert_eq!(dur2sec("00:00:01.5"), Some(1.5));
        assert_eq!(dur2sec("1:2"), None);
        assert_eq!(dur2sec("x"), None);
        assert_eq!(mstime("01:02.500"), Some(62.5));
        assert_eq!(mstime("3.25"), Some(3.25));
        assert_eq!(mstime("a:1"), None);
        assert_eq!(leading_number("42kb"), Some(42.0));
        assert_eq!(leading_number("-1.5e3 s"), Some(-1500.0));
        assert_eq!(leading_number("kb"), None);
    }
}
