//! Raw-text matching of the search command (`docs/semantics.md`, "Search command").

use spl_runtime::search::{CaseTerm, Phrase, RawMatcher, Term, TermExact};

fn term(t: &str, raw: &str) -> bool {
    Term::new(t).is_match(raw)
}

#[test]
fn terms_and_phrases_align_to_tokens() {
    // Bare terms and phrases: token-aligned substrings of `_raw`, ignoring case.
    assert!(term("cmd.exe", r"C:\Windows\System32\cmd.exe /c dir"));
    assert!(term("exe", r"C:\x\cmd.exe"));
    assert!(!term("md.exe", r"C:\x\cmd.exe"));
    assert!(term("<EventID>1<", "<Event><EventID>1</EventID></Event>"));
    assert!(!term("<EventID>1<", "<Event><EventID>13</EventID></Event>"));
    assert!(term("ERROR", "error: disk"));
}

#[test]
fn a_term_ends_at_a_breaker_or_the_end() {
    assert!(!term("EventCode=1", "EventCode=10 Type=x"));
    assert!(term("EventCode=1", "EventCode=1 Type=x"));
    assert!(term("EventCode=1", "x\nEventCode=1"));
}

#[test]
fn boundaries_on_both_sides() {
    // Before: start, a major breaker, a minor breaker.
    assert!(term("dir", "dir"));
    assert!(term("dir", "x dir"));
    assert!(term("dir", "x/dir"));
    assert!(!term("dir", "xdir"));
    // After: end, any breaker.
    assert!(term("dir", "dir.txt"));
    assert!(!term("dir", "directory"));
    // A later occurrence can be the aligned one.
    assert!(term("dir", "xdir dirx dir"));
    // Terms that start or end with a breaker need no boundary on that side.
    assert!(term(".exe", "cmd.exe"));
    assert!(term("/c ", "cmd.exe/c x"));
    assert!(term(r"\cmd", r"C:\x\cmd.exe"));
}

#[test]
fn url_encoded_major_breaker_starts_a_token() {
    assert!(term("cmd", "q=a%20cmd"));
    assert!(term("cmd", "q=a%3Bcmd"));
    assert!(!term("cmd", "q=a%41cmd"));
}

#[test]
fn case_is_ignored_but_not_for_case() {
    assert!(term("PowerShell", "POWERSHELL.EXE -nop"));
    assert!(CaseTerm::new("PowerShell").is_match("x PowerShell y"));
    assert!(!CaseTerm::new("PowerShell").is_match("x powershell y"));
    assert!(
        !CaseTerm::new("Shell").is_match("x PowerShell y"),
        "boundaries still apply"
    );
    assert!(CaseTerm::new("%ASA-1*").is_match("host %ASA-1-106001: deny"));
    assert!(!CaseTerm::new("%ASA-1*").is_match("host %asa-1-106001: deny"));
}

#[test]
fn wildcards_in_terms_and_phrases() {
    let p = Phrase::new(r"C:\Users\*\Downloads\*");
    assert!(p.is_match(r"Image=C:\Users\bob\Downloads\evil.exe"));
    assert!(p.is_match(r"image=c:\users\Bob Smith\downloads\"));
    assert!(!p.is_match(r"Image=D:\Users\bob\Documents\x"));
    assert!(
        !p.is_match(r"Image=XC:\Users\bob\Downloads\evil.exe"),
        "start needs a boundary"
    );
    // `*` matches across breakers and is checked only at the ends.
    assert!(term("/connect:*", "radmin.exe /connect:10.0.0.1:4899"));
    assert!(term("a*c", "x abc y"));
    assert!(term("a*c", "x ac y"));
    assert!(!term("a*c", "x abcd y"));
    assert!(term("a*c", "x abcd abc"));
    assert!(term("my*", "myhost.ny.mydomain.com"));
    assert!(term("*host", "x myhost"));
    assert!(!term("*host", "x hostname"));
    assert!(term("*", "anything"));
    assert!(term("*", ""));
}

#[test]
fn backslash_does_not_escape_the_wildcard() {
    // `\*` is a backslash followed by a wildcard: `*` cannot be escaped.
    assert!(term(r"a\*", r"a\bc"));
    assert!(!term(r"a\*", "a*"));
}

#[test]
fn empty_and_edge_inputs() {
    assert!(!term("", "anything"));
    assert!(!term("", ""));
    assert!(!term("x", ""));
    assert!(term("é", "café é"));
    assert!(!term("é", "café"));
    assert!(
        term("ÉCOLE", "ÉCOLE x"),
        "non-ASCII letters match as written"
    );
    assert!(!term("école", "ÉCOLE"), "case folding is ASCII only");
}

#[test]
fn required_literals_are_lowercase_pieces() {
    assert_eq!(
        Term::new(r"C:\Users\*\Downloads\*").required_literals(),
        [r"c:\users\", r"\downloads\"]
    );
    assert_eq!(CaseTerm::new("ABC").required_literals(), ["abc"]);
    assert!(Term::new("*").required_literals().is_empty());
    assert_eq!(
        TermExact::new("EventCode=4688").required_literals(),
        ["eventcode=4688"]
    );
    assert!(TermExact::new("BEGIN RSA").required_literals().is_empty());
}

fn term_exact(t: &str, raw: &str) -> bool {
    TermExact::new(t).is_match(raw)
}

#[test]
fn term_needs_major_breakers() {
    assert!(term_exact(
        "EventCode=4688",
        "LogName=Security\nEventCode=4688\nType=x"
    ));
    assert!(term_exact("EventCode=4688", "EventCode=4688"));
    assert!(term_exact("eventcode=4688", "EVENTCODE=4688 x"));
    assert!(!term_exact("EventCode=4688", "<EventID>4688</EventID>"));
    assert!(!term_exact("EventCode=1", "EventCode=13"));
    assert!(!term_exact("EventCode=1", "xEventCode=1"));
    // `TERM` needs a major breaker (or the start or end) on both sides.
    assert!(!term_exact("rc.local", "vi /etc/rc.local"));
    assert!(term_exact("chattr", "chattr +i file"));
    assert!(term_exact("hh.exe", "\"hh.exe\" x"));
    // A minor breaker (`/`) before the text is not enough.
    assert!(!term_exact("a.b", "x/a.b"));
    assert!(term_exact("a.b", "(a.b)"));
}

#[test]
fn term_with_a_major_breaker_inside_never_matches() {
    let t = TermExact::new("BEGIN RSA");
    assert!(t.is_never());
    assert!(!t.is_match("-----BEGIN RSA PRIVATE KEY-----"));
    assert!(!term_exact("a,b", "a,b"));
    assert!(!term_exact("", "x"));
}

#[test]
fn term_with_double_dash_and_percent() {
    // `--` does not bound a TERM; `%` alone is a minor breaker.
    assert!(term_exact("--dns", "nslookup --dns x"));
    assert!(term_exact("%%14592", "Access: %%14592 x"));
}

#[test]
fn url_encoded_major_breakers_bound_a_term() {
    assert!(term_exact("cmd.exe", "/run?c=x%20cmd.exe%20now"));
    assert!(term_exact("cmd.exe", "q cmd.exe%2Cnext"));
    assert!(term_exact("cmd.exe", "x%2520cmd.exe"));
    assert!(!term_exact("cmd.exe", "q=cmd.exe%2Cnext"), "`=` is minor");
    assert!(term_exact("cmd.exe", "%3Bcmd.exe"));
    // Other encoded characters are not breakers.
    assert!(!term_exact("cmd.exe", "x%41cmd.exe"));
    // A TERM holding an encoded major breaker can never be one segment.
    assert!(TermExact::new("a%20b").is_never());
    assert!(!term_exact("a%20b", "a%20b"));
    // An occurrence inside an encoded breaker is in no segment; the next one counts.
    assert!(term_exact("20", "%2020"));
    assert!(term_exact("2*", "%2020"));
    assert!(term_exact("2", "%3b==-%20%202"));
    assert!(!term_exact("20", "%20"));
    assert!(!term_exact("*", "%3b %2C"));
    assert!(term_exact("*", "%3b %2Cx"));
}

#[test]
fn term_wildcards_stay_in_one_segment() {
    assert!(term_exact("*.war", "deploy app.war now"));
    assert!(!term_exact("*.war", "deploy app.warx now"));
    // `*` runs over minor breakers: the segment `x/app.war` matches as a whole.
    assert!(term_exact("*.war", "deploy x/app.war now"));
    let t = TermExact::new(r"C:\Windows\System32\config\*");
    assert!(t.is_match(r"copy C:\Windows\System32\config\SAM out"));
    assert!(!t.is_match(r"copy X:C:\Windows\System32\config\SAM out"));
    assert!(!t.is_match(r"C:\Windows\System32\other\x"));
    // A segment repeated: the second one is the match.
    assert!(term_exact("ab*", "xab ab1"));
    assert!(term_exact("*", "x"));
    assert!(!term_exact("*", "  "));
}

#[test]
fn raw_matcher_dispatches() {
    let ms = [
        RawMatcher::Term(Term::new("cmd")),
        RawMatcher::TermExact(TermExact::new("a=1")),
        RawMatcher::Case(CaseTerm::new("X")),
    ];
    let raw = "run cmd a=1 X";
    assert!(ms.iter().all(|m| m.is_match(raw)));
    assert_eq!(ms[1].required_literals(), ["a=1"]);
}
