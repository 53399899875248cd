//! PCRE → regex-automata translation: each construct is checked by what the translated
//! pattern matches (compiled with `regex_automata::meta::Regex`, or `fancy_regex::Regex`
//! for a pattern with lookaround), not only by its text.

use std::ops::Range;

use regex_automata::meta::Regex;
use spl_compiler::regex::{translate, RegexError, Translated};

fn tr(pcre: &str) -> Translated {
    translate(pcre).unwrap_or_else(|e| panic!("{pcre:?} should translate: {e}"))
}

/// A translated pattern compiled for the engine it was written for.
enum Compiled {
    Automata(Regex),
    Backtracking(fancy_regex::Regex),
}

impl Compiled {
    fn is_match(&self, hay: &str) -> bool {
        match self {
            Compiled::Automata(re) => re.is_match(hay),
            Compiled::Backtracking(re) => re.is_match(hay).expect("within the backtrack limit"),
        }
    }

    fn find(&self, hay: &str) -> Option<Range<usize>> {
        match self {
            Compiled::Automata(re) => re.find(hay).map(|m| m.range()),
            Compiled::Backtracking(re) => re
                .find(hay)
                .expect("within the backtrack limit")
                .map(|m| m.range()),
        }
    }

    fn group(&self, hay: &str, name: &str) -> Option<Range<usize>> {
        match self {
            Compiled::Automata(re) => {
                let mut caps = re.create_captures();
                re.captures(hay, &mut caps);
                caps.get_group_by_name(name).map(|span| span.range())
            }
            Compiled::Backtracking(re) => re
                .captures(hay)
                .expect("within the backtrack limit")?
                .name(name)
                .map(|m| m.range()),
        }
    }
}

fn compiled(pcre: &str) -> Compiled {
    let t = tr(pcre);
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("{pcre:?} → {:?}: {e}", t.pattern) };
    if t.backtracking {
        Compiled::Backtracking(fancy_regex::Regex::new(&t.pattern).unwrap_or_else(|e| fail(&e)))
    } else {
        Compiled::Automata(Regex::new(&t.pattern).unwrap_or_else(|e| fail(&e)))
    }
}

/// The pattern matches (somewhere in) each of `yes` and none of `no`.
fn check(pcre: &str, yes: &[&str], no: &[&str]) {
    let re = compiled(pcre);
    let pattern = tr(pcre).pattern;
    for hay in yes {
        assert!(
            re.is_match(hay),
            "{pcre:?} (as {pattern:?}) should match {hay:?}"
        );
    }
    for hay in no {
        assert!(
            !re.is_match(hay),
            "{pcre:?} (as {pattern:?}) should not match {hay:?}"
        );
    }
}

/// The text of the first match.
fn found<'h>(pcre: &str, hay: &'h str) -> Option<&'h str> {
    compiled(pcre).find(hay).map(|r| &hay[r])
}

/// The named group's text in the first match.
fn group<'h>(pcre: &str, hay: &'h str, name: &str) -> Option<&'h str> {
    compiled(pcre).group(hay, name).map(|r| &hay[r])
}

fn rejected(pcre: &str) -> RegexError {
    match translate(pcre) {
        Ok(t) => panic!("{pcre:?} should be rejected, got {:?}", t.pattern),
        Err(e) => e,
    }
}

/// Rejected, at `offset`, with a message containing `needle`.
fn rejects(pcre: &str, offset: usize, needle: &str) {
    let e = rejected(pcre);
    assert_eq!(e.offset, offset, "{pcre:?}: offset of {e:?}");
    assert!(
        e.message.contains(needle),
        "{pcre:?}: {:?} should mention {needle:?}",
        e.message
    );
    assert!(
        e.offset + e.len <= pcre.len(),
        "{pcre:?}: span {e:?} is outside the pattern"
    );
}

// ----- PCRE literals that are something else in Rust -----

#[test]
fn angle_bracket_escapes_are_literals() {
    check(
        r"\<Command\>",
        &["x <Command> y"],
        &["x Command y", "Command"],
    );
    check(
        r"\<Arguments\>(?<process_exec>.{1,})",
        &["<Arguments>-x"],
        &["Arguments -x"],
    );
    assert_eq!(tr(r"\<a\>").pattern, r"<a>");
}

#[test]
fn quoted_text_is_literal() {
    let spool = r"(?i)\QC:\Windows\System32\spool\drivers\x64\E";
    check(
        spool,
        &[r"c:\windows\system32\spool\drivers\x64\a.dll"],
        &[r"C:\Windows\System32"],
    );
    check(r"\Q/etc/init.d\E", &["/etc/init.d/x"], &["/etc/initxd"]);
    check(r"\Q?xf\E|\Q??_\E", &["a.?xf", "b.??_"], &["xf", "?_"]);
    // Without `\E`, the quote runs to the end.
    check(r"\Qa.b", &["a.b"], &["axb"]);
    check(r"\Qa(b", &["a(b"], &["ab"]);
    // A quantifier after `\E` applies to the last quoted character only.
    assert_eq!(found(r"\Qab\E+", "abbb"), Some("abbb"));
    assert_eq!(found(r"\Qab\E+", "abab"), Some("ab"));
    // An empty `\Q\E` and a lone `\E` are nothing.
    check(r"a\Q\E*", &["", "aaa"], &[]);
    assert_eq!(found(r"a\Q\E+", "aaa"), Some("aaa"));
    check(r"a\Eb", &["ab"], &["aEb"]);
    // Inside a class.
    check(r"^[\Q]^\E]+$", &["]^]"], &["a"]);
    // Inside `\Q...\E`, `(?x)` white space is literal.
    check(r"(?x)\Qa b\E", &["a b"], &["ab"]);
}

#[test]
fn escaped_punctuation_is_the_character() {
    check(
        r#"\/\:\=\,\_\'\;\%\@\!\"\-\#\&\~\`"#,
        &[r#"/:=,_';%@!"-#&~`"#],
        &["x"],
    );
    check(
        r"\<\>\{\}\[\]\(\)\|\^\$\.\*\+\?\\",
        &[r"<>{}[]()|^$.*+?\"],
        &["x"],
    );
    check(r"a\ b", &["a b"], &["ab"]);
    check("\\é", &["é"], &["e"]);
}

#[test]
fn character_escapes() {
    check(r"\x41\x{263A}\x5c", &["A\u{263A}\\"], &["A"]);
    check(r"\t\n\r\f\e\a", &["\t\n\r\x0C\x1B\x07"], &["tnr"]);
    check(r"\012\0\o{101}", &["\n\0A"], &["\n0A"]);
    check(r"\x", &["\0"], &["x"]);
    check(r"\cA\c[\c?\cz", &["\x01\x1B\x7F\x1A"], &["cA"]);
    check(r"[\x41-\x43]+$", &["ABC"], &["ABCD"]);
    check(r"[\b]", &["\x08"], &["b"]);
    check(r"[\101\8]", &["A", "8"], &["1", "0"]);
}

#[test]
fn unicode_literals_keep_working() {
    let homoglyphs = "[Ѐ-ӿͰ-Ͽａ-ｚＡ-Ｚ０-９]";
    check(
        homoglyphs,
        &["pоwershell" /* Cyrillic о */, "ｃｍｄ", "α"],
        &["powershell"],
    );
    check(r"\w+([Ѐ-ӿ]+|[Ͱ-Ͽ]+)", &["cmdВ", "xβ"], &["cmd", "Вβ"]);
    check("(?i)ärger", &["ÄRGER"], &["arger"]);
}

// ----- ASCII classes -----

#[test]
fn perl_classes_are_ascii() {
    check(r"^\d+$", &["0123456789"], &["٣", "²", "a"]);
    check(r"^\w+$", &["az_AZ09"], &["é", "ñ", "a-b", "\u{212A}"]);
    check(
        r"^\s+$",
        &[" \t\n\r\x0B\x0C"],
        &["\u{A0}", "\u{2003}", "\u{85}", "x"],
    );
    check(r"^\D$", &["a", "٣"], &["5"]);
    check(r"^\W$", &["é", "-"], &["a", "_"]);
    check(r"^\S$", &["\u{A0}", "x"], &[" ", "\x0B"]);
    assert_eq!(tr(r"\w").pattern, "[0-9A-Z_a-z]");
    assert_eq!(tr(r"\S").pattern, r"[^\t-\r ]");
}

#[test]
fn perl_classes_inside_brackets() {
    check(r"^[\w.-]+$", &["a.b-c_9"], &["é", "a b", "a/b"]);
    check(r"^[^\s]+$", &["abc", "é"], &["a b", "a\tb"]);
    check(r"^[^\w]$", &["é", "-"], &["a"]);
    check(r"^[\d\s]+$", &["1 2\t3"], &["١"]);
    check(r"^[^\d\s]$", &["x"], &["1", " "]);
    check(r"^[\W\d]+$", &["-1é"], &["a"]);
    // `-` at the end or start of a class is literal; after a class escape at the end too.
    check(r"^[\w-]+$", &["a-b"], &["a.b"]);
    check(r"^[-a]+$", &["-a"], &["b"]);
    // `\S+`, `[^"\s]+` as in the corpus.
    assert_eq!(
        group(r#"(?<p>[^"\s]+)"#, r#""C:\a b.exe""#, "p"),
        Some(r"C:\a")
    );
}

#[test]
fn classes_are_not_case_folded_under_caseless() {
    // PCRE: `\w`, `\d`, `\s` and POSIX classes are fixed sets, also under (?i).
    check(r"(?i)^\w$", &["a", "A"], &["\u{212A}", "\u{17F}"]);
    check(r"(?i)^\W$", &["\u{212A}", "\u{17F}"], &["k", "s"]);
    check(r"(?i)^[^\w]$", &["\u{212A}"], &["k"]);
    check(r"(?i)^[\w.]$", &["k", "."], &["\u{212A}"]);
    check(r"(?i)^[[:alpha:]]$", &["k"], &["\u{212A}"]);
    // Literal parts are folded, as in PCRE2's UTF mode (which folds with Unicode data).
    check(r"(?i)^[a-z]$", &["k", "K", "\u{212A}"], &["1"]);
    check(r"(?i)^[^k]$", &["j"], &["k", "K", "\u{212A}"]);
    check(r"(?i)^k$", &["K", "\u{212A}"], &["j"]);
    check(r"(?i)^[k\d]$", &["K", "7"], &["j"]);
    // [:upper:] and [:lower:] mean [:alpha:] under (?i), as in PCRE.
    check(r"(?i)^[[:upper:]]+$", &["aB"], &["1"]);
    check(r"^[[:upper:]]+$", &["AB"], &["aB"]);
    assert_eq!(tr(r"(?i)a\w").pattern, "(?i)a(?-i:[0-9A-Z_a-z])");
    assert_eq!(tr(r"(?i)a\s").pattern, r"(?i)a[\t-\r ]");
}

#[test]
fn posix_classes() {
    check(r"^[[:alpha:]]+$", &["abcXYZ"], &["é", "1"]);
    check(r"^[[:digit:][:space:]]+$", &["1 2"], &["a"]);
    check(r"^[[:^digit:]]+$", &["ab", "é"], &["a1"]);
    check(r"^[[:punct:]]+$", &["!/:@[`{~"], &["a", " "]);
    check(r"^[[:xdigit:]]+$", &["09afAF"], &["g"]);
    check(r"^[[:word:]]+$", &["a_1"], &["-"]);
    check(r"^[a[:digit:]]+$", &["a1"], &["b"]);
    // A `[` that does not start POSIX syntax is literal.
    check(r"^[[a]+$", &["[a"], &["b"]);
    rejects(r"[[:foo:]]", 1, "unknown POSIX class");
    rejects(r"[:alpha:]", 0, "inside `[...]`");
    rejects(r"[[.a.]]", 1, "collating");
}

#[test]
fn word_boundaries_are_ascii() {
    check(r"\bfoo\b", &["a foo.", "éfooé", "foo"], &["afoo", "foo_"]);
    check(r"\Bfoo", &["afoo"], &["a foo", "éfoo"]);
    check(r"\b(s?cp|rsync)\b\s+", &["sudo scp x"], &["xscp x"]);
    assert_eq!(tr(r"\bx\B").pattern, r"(?-u:\b)x(?-u:\B)");
}

#[test]
fn horizontal_and_vertical_space() {
    check(r"^\h+$", &["\t \u{A0}\u{3000}"], &["\n", "x"]);
    check(r"^\v+$", &["\n\x0B\x0C\r\u{85}\u{2028}"], &["\t", " "]);
    check(r"^\H$", &["x", "\n"], &[" "]);
    check(r"^\V$", &["x", " "], &["\n"]);
    check(r"^[\h\d]+$", &[" 1"], &["\n"]);
    check(r"^\N+$", &["ab c"], &["a\nb"]);
    check(r"^\N{2}$", &["ab"], &["a", "abc"]);
}

#[test]
fn unicode_properties() {
    check(r"^\p{Greek}+$", &["αβ"], &["ab"]);
    check(r"^\pL+$", &["aé"], &["1"]);
    check(r"^\P{L}+$", &["12"], &["a"]);
    check(r"^\p{^Lu}$", &["a"], &["A"]);
    check(r"^[\p{Lu}\d]+$", &["A1"], &["a"]);
    // Not case-folded under (?i), as in PCRE.
    check(r"(?i)^\p{Lu}$", &["A"], &["a"]);
    rejects(r"\p{Nope}", 0, "Unicode property");
    rejects(r"\p{Xan}", 0, "Unicode property");
}

// ----- flags -----

#[test]
fn caseless_flag_scoping() {
    check(r"(?i)abc", &["ABC", "aBc"], &["abd"]);
    check(r"a(?i)b", &["aB", "ab"], &["AB"]);
    check(r"(?i:a)b", &["Ab"], &["AB"]);
    check(r"(?i)a(?-i)b", &["Ab"], &["AB"]);
    check(r"(?i)a(?-i:b)c", &["AbC"], &["ABC"]);
    // A switch inside a group lasts to the end of the group, into later alternatives.
    check(r"^(a(?i)b|c)$", &["aB", "C", "c"], &["AB"]);
    check(r"^(?:x(?i)|y)z$", &["xz", "Yz"], &["xZ", "Xz", "YZ"]);
    check(r"^((?i)a)b$", &["Ab"], &["AB"]);
    check(
        r"(?<Keywords_1>(?i)VirtualAlloc(Ex)?)",
        &["virtualallocex"],
        &["Virtual"],
    );
    check(
        r"((?i)(powershell\.exe)|(cmd\.exe))",
        &["CMD.EXE"],
        &["cmdxexe"],
    );
    // Case switches in the middle of runs of uncased characters.
    check(r"(?i)a1(?-i)b2(?i)c", &["A1b2C"], &["A1B2C"]);
}

#[test]
fn multiline_and_dotall() {
    check(r"(?m)^path$", &["x\npath\ny"], &["xpath"]);
    check(r"^path", &["path\nx"], &["x\npath"]);
    check(r"(?mi)^(Path.+)", &["x\nPATH=a"], &["xpath=a"]);
    check(r"(?s)a.b", &["a\nb"], &[]);
    check(r"a.b", &["axb"], &["a\nb"]);
    check(r"(?s:a.)b.", &["a\nbx"], &["a\nb\n"]);
    check(r"(?m)a$\nb", &["a\nb"], &["ab"]);
    check(r"(?m)a\Z", &["a\n", "a"], &["a\nb"]);
}

#[test]
fn extended_mode() {
    check("(?x) a b # a comment\n c", &["abc"], &["a b c"]);
    assert_eq!(found(r"(?x)a +", "b aaa +"), Some("aaa"));
    check(r"(?x)[ ]", &[" "], &["x"]);
    check(r"(?x)a\ b", &["a b"], &["ab"]);
    check(r"(?xx)^[a b]+$", &["ab"], &["a b"]);
    check(r"(?x:a b)c d", &["abc d"], &["abcd"]);
    check(r"(?x)a(?-x) b", &["a b"], &["ab"]);
    rejects("(?x)a+ ?", 5, "quantifier");
}

#[test]
fn other_flags() {
    // (?n): plain groups do not capture; named groups still do.
    let t = tr(r"(?n)(a)(?<x>b)");
    assert_eq!(t.names, ["x"]);
    assert_eq!(t.pattern, "(?:a)(?P<x>b)");
    assert_eq!(Regex::new(&t.pattern).expect("compiles").captures_len(), 2);
    // (?U) swaps greediness.
    assert_eq!(found(r"(?U)a+", "aaa"), Some("a"));
    assert_eq!(found(r"(?U)a+?", "aaa"), Some("aaa"));
    assert_eq!(found(r"a+?", "aaa"), Some("a"));
    // (?^) resets i, m, s, x, n.
    check(r"(?i)a(?^)b", &["Ab"], &["AB"]);
    check(r"(?J)(?<a>x)", &["x"], &[]);
    rejects(r"(?z)", 0, "flag");
    // `(?)` is accepted by PCRE2 and changes nothing.
    check(r"(?)a(?-)b", &["ab"], &["a"]);
}

// ----- anchors -----

#[test]
fn dollar_matches_before_a_final_newline() {
    check(r"foo$", &["foo", "foo\n"], &["foo\nx", "foox", "foo\n\n"]);
    check(r"foo\Z", &["foo", "foo\n"], &["foo\nx"]);
    check(r"foo\z", &["foo"], &["foo\n"]);
    check(
        r"(?i)(sam|system|security)$",
        &["SAM", "x.system\n"],
        &["samx"],
    );
    check(
        r"(?i)((netstat)|(netsh))($|\s)",
        &["netsh", "netsh\n", "netsh x"],
        &["netshx"],
    );
    check(
        r"(netstat|who|lsof(\s|$))|(^w$)",
        &["w", "w\n", "lsof"],
        &["xw", "lsofx"],
    );
    // Splunk's `$$` escaping makes four end anchors: the same as one.
    check(r"\s*,\s*$$$$", &["a, ", "a,\n"], &["a,b"]);
    // Only the overall match (not a group that ends with `$`) takes the final newline.
    assert_eq!(found(r"foo$", "foo\n"), Some("foo\n"));
    assert_eq!(group(r"\s(?<d>\S+$)", "cp a b\n", "d"), Some("b"));
    assert_eq!(
        group(
            r"(?i)(cp|mv)\s+.+\s+(?<destination>.+$)",
            "cp a b\n",
            "destination"
        ),
        Some("b")
    );
    assert_eq!(group(r"(?<x>a$|b$)", "b\n", "x"), Some("b"));
    assert_eq!(group(r"((?<x>a)$)", "a\n", "x"), Some("a"));
    assert_eq!(group(r"(?<x>(?:a$))", "a\n", "x"), Some("a"));
    assert_eq!(group(r"(?<x>a$)?", "a\n", "x"), Some("a"));
    // A `$` followed by something that consumes cannot be expressed.
    rejects(r"a$b", 1, "`$`");
    rejects(r"(a$)+", 2, "`$`");
    rejects(r"a\Zb", 1, "`$`");
    rejects(r"a$\z", 1, "`$`");
}

#[test]
fn start_anchors() {
    check(r"^a", &["ab"], &["ba"]);
    check(r"\Aa", &["ab"], &["ba", "b\na"]);
    check(
        r"(?i)(AppData)|(Program\sFiles\AnyDesk)",
        &["appdata"],
        &["Program Files\\AnyDesk"],
    );
    check(r"(?m)^b", &["a\nb"], &["ab"]);
}

// ----- groups -----

#[test]
fn named_groups_in_every_spelling() {
    for pcre in [r"(?<user>\w+)@", r"(?P<user>\w+)@", r"(?'user'\w+)@"] {
        let t = tr(pcre);
        assert_eq!(t.names, ["user"], "{pcre}");
        assert_eq!(t.pattern, "(?P<user>[0-9A-Z_a-z]+)@", "{pcre}");
        assert_eq!(group(pcre, "x bob@host", "user"), Some("bob"));
    }
    let t = tr(r"(?<a>x)(y)(?<b_2>z)");
    assert_eq!(t.names, ["a", "b_2"]);
    assert!(!t.lookbehind_prefix_consumed);
    rejects(r"(?<1a>x)", 3, "invalid group name");
    rejects(r"(?<my-name>x)", 3, "invalid group name");
    rejects(r"(?<a>x)(?<a>y)", 10, "used twice");
    rejects(r"(?<>x)", 3, "invalid group name");
}

#[test]
fn non_capturing_groups_and_comments() {
    check(r"(?:ab)+$", &["abab"], &["aba"]);
    check(r"a(?#comment)b", &["ab"], &["a(?#comment)b"]);
    assert_eq!(found(r"a(?#c)+", "aaa"), Some("aaa"));
    check(r"(a||b)c", &["c", "ac"], &["d"]);
}

#[test]
fn quantifiers() {
    check(r"^a{2}$", &["aa"], &["a", "aaa"]);
    check(r"^a{2,}$", &["aa", "aaaa"], &["a"]);
    check(r"^a{2,3}$", &["aa", "aaa"], &["aaaa"]);
    assert_eq!(found(r"a{2,3}?", "aaaa"), Some("aa"));
    assert_eq!(found(r"a??b", "ab"), Some("ab"));
    // A `{` that does not make a quantifier is literal.
    check(r"\$\{jndi", &["${jndi:"], &[]);
    check(r"a{x}", &["a{x}"], &["a"]);
    check(r"a{1,2,3}", &["a{1,2,3}"], &["a"]);
    check(r"{", &["{"], &[]);
    check(r"x}", &["x}"], &[]);
    rejects(r"a{,3}", 1, "PCRE versions");
    rejects(r"a{1, 3}", 1, "PCRE versions");
    rejects(r"a{3,1}", 1, "out of order");
    rejects(r"a{70000}", 1, "65535");
    rejects(r"*a", 0, "repeatable");
    rejects(r"a|*", 2, "repeatable");
    rejects(r"(*)", 0, "verbs");
    rejects(r"a**", 2, "repeatable");
    rejects(r"^*", 1, "repeatable");
    rejects(r"(?i)*", 4, "repeatable");
}

#[test]
fn the_biggest_corpus_repetition_fits_default_limits() {
    let t = tr(r"(?<base64_cmd>\w{20,1000}=?)");
    assert_eq!(t.names, ["base64_cmd"]);
    assert_eq!(
        group(
            r"(?<base64_cmd>\w{20,1000}=?)",
            "-enc SQBFAFgAIAAoAE4AZQB3AC0ATwBi=",
            "base64_cmd"
        ),
        Some("SQBFAFgAIAAoAE4AZQB3AC0ATwBi=")
    );
}

// ----- lookbehind at the start -----

#[test]
fn lookbehind_at_the_start_becomes_a_prefix() {
    let pcre = r#"(?<=icacls\.exe"\s)(?<file_path>[^\s]+)"#;
    let t = tr(pcre);
    assert!(t.lookbehind_prefix_consumed);
    assert_eq!(t.names, ["file_path"]);
    let hay = r#""C:\Windows\icacls.exe" C:\ProgramData\x /grant Everyone:F"#;
    assert_eq!(group(pcre, hay, "file_path"), Some(r"C:\ProgramData\x"));
    check(pcre, &[hay], &[r#"icacls.exe C:\x"#]);
    // Flags before it are fine; fixed-length alternatives too.
    assert!(tr(r"(?i)(?<=a|b)(?<x>c)").lookbehind_prefix_consumed);
    assert_eq!(group(r"(?i)(?<=ab|cd)(?<x>e)", "CDE", "x"), Some("E"));
    assert!(tr(r"(?<=\d{3})x").lookbehind_prefix_consumed);
}

// ----- lookaround: the backtracking engine -----

#[test]
fn lookahead_positive_and_negative() {
    let t = tr(r"foo(?=bar)");
    assert!(t.backtracking);
    assert!(!t.lookbehind_prefix_consumed);
    // The lookahead is tested, not consumed.
    assert_eq!(found(r"foo(?=bar)", "xfoobar"), Some("foo"));
    check(r"foo(?=bar)", &["foobar"], &["foobaz", "foo", "barfoo"]);
    // The first `foo` is followed by `bar`: the match is the second.
    assert_eq!(compiled(r"foo(?!bar)").find("foobar foobaz"), Some(7..10));
    check(
        r"foo(?!bar)",
        &["foo", "foobaz", "foo bar"],
        &["foobar", "xfoobar"],
    );
    // A lookahead is anchored where it stands: `(\w+)$` must start right after `\`.
    let p = r"(.*\\)(?=.*(\.\w*)$|(\w+)$)";
    assert_eq!(found(p, r"C:\Windows\foo.dll"), Some(r"C:\Windows\"));
    assert_eq!(found(p, r"C:\dir\noext"), Some(r"C:\dir\"));
    assert_eq!(found(p, r"C:\dir\"), None);
    assert_eq!(found(p, r"a\b-c"), None);
}

#[test]
fn lookbehind_positive_and_negative_anywhere() {
    assert!(tr(r"a(?<!b)c").backtracking);
    // After `a`, the text behind is `a`, never `b`.
    check(r"a(?<=b)c", &[], &["abc", "ac", "bc"]);
    check(r"a(?<=a)c", &["ac"], &["bc"]);
    // Not at the start, or beside a top-level `|`: a real lookbehind.
    check(r"x|(?<=a)b", &["ab", "x"], &["b", "cb"]);
    assert_eq!(found(r"x|(?<=a)b", "ab"), Some("b"));
    assert_eq!(found(r"(?<!x)y", "xy zy"), Some("y"));
    assert_eq!(compiled(r"(?<!x)y").find("xy zy"), Some(4..5));
    check(r"(?<!x)y", &["y", "zy"], &["xy", "xyxy"]);
    // Alternatives of different fixed lengths (PCRE's rule allows them).
    check(r"(?<=ab|c)x", &["abx", "cx"], &["bx", "x", "bax"]);
    check(r"(?<!ab|c)x", &["x", "bx", "aax"], &["abx", "cx"]);
    // Lengths count characters, not bytes.
    check(r"(?<=\S\S)x", &["ééx", "abx"], &["éx", " éx"]);
    check(r"(?<=é)x", &["éx"], &["ex", "x"]);
    // A leading lookbehind next to another lookaround is a real one too: the match span
    // is PCRE's.
    let t = tr(r"(?<=a)b(?=c)");
    assert!(t.backtracking && !t.lookbehind_prefix_consumed);
    assert_eq!(found(r"(?<=a)b(?=c)", "abc"), Some("b"));
    check(r"(?<=a)b(?=c)", &["abc"], &["abd", "xbc"]);
}

#[test]
fn lookaround_nested_in_groups_and_in_each_other() {
    assert_eq!(group(r"(?<n>(?<=a)b)", "cb ab", "n"), Some("b"));
    assert_eq!(compiled(r"(?<n>(?<=a)b)").find("cb ab"), Some(4..5));
    assert_eq!(group(r"(?:x(?<n>y(?!z)))+", "xyzxy", "n"), Some("y"));
    assert_eq!(compiled(r"(?:x(?<n>y(?!z)))+").find("xyzxy"), Some(3..5));
    // Captures inside a positive lookahead keep what they matched, as in PCRE.
    assert_eq!(group(r"a(?=(?<n>b+))", "abbc", "n"), Some("bb"));
    assert_eq!(found(r"a(?=(?<n>b+))", "abbc"), Some("a"));
    // Lookaround inside lookaround.
    check(r"(?<=(?<!a)b)c", &["bc", "xbc"], &["abc", "c"]);
    check(r"x(?=y(?!z))", &["xy", "xyy"], &["xyz", "x"]);
    check(
        r"((?<=a)b|(?<=c)d)e",
        &["abe", "cde"],
        &["ade", "cbe", "be"],
    );
    // A lookaround is not repeatable, as before.
    rejects(r"(?=a)*b", 5, "repeatable");
}

#[test]
fn lookaround_keeps_pcre_classes_and_caseless_scoping() {
    // `\w` `\d` `\s` and `\b` stay ASCII inside and around lookaround.
    check(r"(?=.)\bx\b", &["x", "éxé", "-x-"], &["ax", "xa", "_x"]);
    check(r"(?<=\w)\d", &["a1", "_1"], &["é1", "1", " 1"]);
    check(
        r"x(?=\s)",
        &["x ", "x\t", "x\u{0B}"],
        &["x\u{A0}", "x\u{2003}", "x"],
    );
    check(r"(?=\Bb)", &["ab"], &["b", " b"]);
    // `(?i)` reaches into the lookaround...
    assert_eq!(found(r"(?i)foo(?=BAR)", "FOObar"), Some("FOO"));
    check(r"(?i)(?<!K)x", &["ax", "x"], &["kx", "Kx", "\u{212A}x"]);
    // ... a switch inside one ends with it ...
    check(r"(?<=(?i)a)b", &["Ab", "ab"], &["AB"]);
    check(r"foo(?i:(?=bar))", &["fooBAR"], &["FOObar"]);
    // ... and classes keep their exact sets under it.
    check(r"(?i)\w(?=x)", &["kx", "KX"], &["\u{212A}x", "\u{17F}x"]);
    check(r"(?i)(?=.)\bk", &["k", "K", "-k"], &["\u{212A}", "ak"]);
}

#[test]
fn anchors_have_pcre_meaning_with_lookaround() {
    // `$` before a final newline: exact, the newline is not part of the match.
    assert_eq!(found(r"b$(?<=b)", "ab\n"), Some("b"));
    assert_eq!(compiled(r"(?<!x)b$").find("ab\n"), Some(1..2));
    check(r"(?<!x)b$", &["ab", "b\n"], &["xb", "b\n\n", "b c"]);
    // `$` followed by more pattern is fine here.
    check(r"a$(?!x)\n?", &["a", "a\n"], &["a\nb"]);
    // Multiline `^` does not match after a newline that ends the subject.
    check(r"(?m)^(?<=\n)", &["a\nb"], &["a\n", "a"]);
    check(r"(?m)^(?=b)", &["a\nb", "b"], &["ab"]);
    check(r"(?m)a$(?=\n)", &["a\nb", "a\n"], &["a"]);
}

/// The catalog's detections that need lookaround, with their meaning worked out by hand.
#[test]
fn the_catalog_lookaround_patterns() {
    let ads = r"(?<!\/)\b\w+(\.\w+)?:\w+(\.\w+)?$";
    assert_eq!(
        found(ads, r"C:\Users\x\file.txt:evil.exe"),
        Some("file.txt:evil.exe")
    );
    // After `/` the lookbehind refuses `file`, but `txt` (after `.`) starts a match.
    assert_eq!(
        found(ads, "http://x/file.txt:evil.exe"),
        Some("txt:evil.exe")
    );
    assert_eq!(found(ads, "a:b\n"), Some("a:b"));
    check(ads, &["a:b"], &[r"C:\x\file.txt", "a:b\nc", "/a:b", "é:b"]);

    let exec = r"(\b)\w+(\.\w+)?:\w+(\.\w{2,4})(?!\.)(\b|\s|&)";
    assert_eq!(
        found(exec, "cmd.exe /c type x.txt:evil.exe"),
        Some("x.txt:evil.exe")
    );
    assert_eq!(found(exec, "a:b.exe&x"), Some("a:b.exe"));
    check(exec, &["a:b.exe", "a:b.exe run"], &["a:b.exe.txt", "a:b.e"]);
}

#[test]
fn variable_length_lookbehind_is_an_error() {
    rejects(r"(?<=a+)b", 0, "same number of characters");
    rejects(r"x(?<!a|b+)y", 1, "fixed length");
    let e = rejected(r"x(?<!a|b+)y");
    assert_eq!((e.offset, e.len), (1, 9));
    assert!(e.message.contains("`(?<!...)`"), "{e:?}");
    // PCRE's rule is per top-level alternative: a nested alternation of different
    // lengths is variable.
    rejects(r"(?<=a(b|cd))x", 0, "top-level alternatives");
    rejects(r"(?<=a(?:b|cd))x", 0, "top-level alternatives");
    rejects(r"(a(?<=b*))", 2, "fixed length");
    rejects(r"(?=(?<=a?))", 3, "fixed length");
    // A leading one is an error too, as before.
    rejects(r"(?<=\d+)x", 0, "fixed length");
}

// ----- what cannot be translated -----

#[test]
fn unsupported_constructs_are_errors_with_their_offset() {
    rejects(r"(a)\1", 3, "backreference");
    rejects(r"(?<n>a)\k<n>", 7, "backreference");
    rejects(r"(a)\g1", 3, "backreference");
    rejects(r"(a)\g{-1}", 3, "backreference");
    rejects(r"(?<n>a)(?P=n)", 7, "backreference");
    rejects(r"x(?>a+)", 1, "atomic");
    rejects(r"a*+", 1, "possessive");
    rejects(r"a++", 1, "possessive");
    rejects(r"a?+", 1, "possessive");
    rejects(r"xa{2}+", 2, "possessive");
    rejects(r"a\Kb", 1, r"\K");
    rejects(r"\Ga", 0, r"\G");
    rejects(r"(a|(?R))", 3, "recursion");
    rejects(r"(a)(?1)", 3, "recursion");
    rejects(r"(a)(?-1)", 3, "subroutine");
    rejects(r"(?&n)", 0, "subroutine");
    rejects(r"(?(1)a|b)", 0, "conditional");
    rejects(r"(?|a)", 0, "branch-reset");
    rejects(r"(*UTF)a", 0, "verbs");
    rejects(r"a\R", 1, r"\R");
    rejects(r"a\X", 1, r"\X");
    rejects(r"(?C1)", 0, "callout");
    rejects(r"\N{U+41}", 0, r"\N{");
    rejects(r"\S+\C\x5cUpdater", 3, r"\C");
    rejects(r"\i", 0, "unknown escape");
    rejects(r"\u0041", 0, "unknown escape");
    rejects(r"[\i]", 1, "unknown escape");
    rejects(r"[\B]", 1, "not allowed in a character class");
    rejects(r"\cé", 0, r"\c");
    rejects(r"\x{110000}", 0, "Unicode scalar");
    rejects(r"\x{D800}", 0, "Unicode scalar");
    rejects(r"\x{12", 0, "missing `}`");
    rejects(r"\o{8}", 0, "invalid digit");
    rejects("ab\\", 2, "lone");
}

#[test]
fn unbalanced_brackets_are_errors() {
    rejects(
        r"(?i)nircmd(\.exe)?|\.exe\s+(script|shexec))",
        42,
        "unmatched `)`",
    );
    rejects(r"a(b(c)", 1, "missing `)`");
    rejects(r"(?<x>a", 0, "missing `)`");
    rejects(r"[abc", 0, "missing `]`");
    rejects(r"x[^]", 1, "missing `]`");
    rejects(r"(?#never closed", 0, "comment");
    // `]` first in a class is literal.
    check(r"^[]a]+$", &["]a"], &["b"]);
    check(r"^[^]a]+$", &["b"], &["]"]);
}

#[test]
fn classes_that_pcre_versions_read_differently_are_errors() {
    // PCRE2 10.42 gets these wrong above U+00FF (`[\W[:digit:]]` misses U+0100).
    rejects(r"x[\W[:digit:]]", 1, "different PCRE versions");
    rejects(r"[^[:^space:][:alpha:]]", 0, "different PCRE versions");
    rejects(r"[^\S\p{L}]", 0, "different PCRE versions");
    // One negated item alone, or with plain items, is fine.
    check(r"^[[:^alpha:]]$", &["1", "\u{100}"], &["a"]);
    check(r"^[a[:^alpha:]]$", &["a", "\u{100}"], &["b"]);
    check(r"^[\W\d]$", &["1", "\u{100}"], &["a"]);
    check(r"^[^\W\d]$", &["a"], &["1", "\u{100}"]);
}

#[test]
fn ambiguous_class_ranges_are_errors() {
    rejects(r"[\d-z]", 1, "PCRE versions");
    rejects(r"[a-\d]", 1, "range cannot end in a class");
    rejects(r"[z-a]", 1, "out of order");
    rejects(r"[\Qa\E-z]", 6, "ambiguous");
    check(r"^[a-c-e]+$", &["a-e"], &["d"]);
}

// ----- robustness -----

/// Every pattern over a small alphabet of tricky characters, and many longer pseudo-random
/// ones: `translate` returns (never panics), and its errors point into the pattern.
#[test]
fn never_panics_and_accepted_patterns_compile() {
    let alphabet: Vec<char> = r"\()[]{}?*+|^$.-:<>=!'PQEx0,1a"
        .chars()
        .chain(['é', ' '])
        .collect();
    // `translate` itself checks that what it returns compiles; an error points into the
    // pattern, at character boundaries.
    let check_one = |p: &str| {
        if let Err(e) = translate(p) {
            // What the translator writes compiles (these patterns are small), for
            // regex-automata and for fancy-regex alike.
            assert!(
                !e.message.starts_with("the translated pattern"),
                "{p:?}: {e:?}"
            );
            let end = e.offset + e.len;
            assert!(end <= p.len(), "{p:?}: {e:?}");
            assert!(
                p.is_char_boundary(e.offset) && p.is_char_boundary(end),
                "{p:?}: {e:?}"
            );
        }
    };
    let mut buf = String::new();
    for &a in &alphabet {
        for &b in &alphabet {
            buf.clear();
            buf.extend([a, b]);
            check_one(&buf);
        }
    }
    let core: Vec<char> = r"\()[]{?*|$-:<Q".chars().collect();
    for &a in &core {
        for &b in &core {
            for &c in &core {
                buf.clear();
                buf.extend([a, b, c]);
                check_one(&buf);
            }
        }
    }
    let pieces = [
        r"\",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "?",
        "*",
        "+",
        "|",
        "^",
        "$",
        ".",
        "-",
        "(?<=",
        "(?<!",
        "(?=",
        "(?!",
        r"\b",
        "(?<n",
        ">",
        "(?i)",
        "(?x)",
        "(?m)",
        r"\Q",
        r"\E",
        r"\d",
        r"\w",
        r"\x{",
        "1,2",
        "[:alpha:]",
        "#",
        "\n",
        "a",
        "é",
        r"\p{",
        "L}",
        "(?:",
        "(?'",
        "'",
        "(?P<",
        r"\c",
        "{2}",
        r"\0",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..5_000 {
        buf.clear();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = 1 + (state % 10) as usize;
        let mut s = state;
        for _ in 0..len {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            buf.push_str(pieces[(s >> 33) as usize % pieces.len()]);
        }
        check_one(&buf);
    }
}

#[test]
fn edge_cases() {
    assert_eq!(tr("").pattern, "");
    check("", &["", "x"], &[]);
    // Too big for the default limits: reported, not a panic.
    let e = rejected(r"(a{65535}){65535}");
    assert!(e.message.contains("does not compile"), "{e:?}");
    assert_eq!((e.offset, e.len), (0, 17));
    // Deep nesting is bounded.
    let deep = format!("{}a{}", "(".repeat(300), ")".repeat(300));
    rejects(&deep, 250, "nested too deeply");
    let ok = format!("{}a{}", "(?:".repeat(100), ")".repeat(100));
    check(&ok, &["a"], &["b"]);
}

#[test]
fn errors_display_their_offset() {
    let e = rejected(r"ab(?>c)");
    assert_eq!((e.offset, e.len), (2, 3));
    assert_eq!(e.to_string(), format!("{} (at byte 2)", e.message));
}

/// `\C` is one code unit of UTF-8. Before an ASCII letter or digit, the unit it takes
/// must be a whole ASCII character, newline included (the catalog's
/// `\x5c\S+\CitrixReceiverUpdater`, a `\C` meant as `\x5cC`, reads that way in PCRE).
#[test]
fn one_code_unit_before_an_ascii_letter_is_one_ascii_character() {
    check(
        r"\S+\Citrix",
        &["x\\Citrix", "xKitrix", "x\nitrix", "a1itrix"],
        &["xéitrix", "x\u{212A}itrix", "Citrix"],
    );
    check(r"(?i)a\Cb", &["a-B", "A\x7fb"], &["a\u{17F}b", "ab"]);
    rejects(r"a\C", 1, "only before an ASCII letter or digit");
    rejects(r"\C.", 0, "only before an ASCII letter or digit");
    rejects(r"[\C]", 1, "\\C");
}
