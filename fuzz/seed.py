#!/usr/bin/env python3
"""Seed the fuzz corpora from the repository's own test data.

Run from `fuzz/`: `python3 seed.py` (or `python3 seed.py <corpus dir>`, default `corpus`).
Writes one file per seed to `corpus/<target>/`, named by the SHA-1 of its bytes, so running
it again adds nothing new. Sources, all inside the repository:

- events: `tests/data/**` and `examples/events/*` (JSON lines, event XML, classic
  `WinEventLog` records), cut into pieces of a few events (at most about 2 KB each, so
  that libFuzzer's input length stays small);
- rules: `tests/rules/search/*.spl`, `fuzz/rules/*.spl`, and with PyYAML (`python3-yaml`)
  the expressions of `tests/data/eval/cases.yml` as `* | eval out=<expr> | table out`.

Targets and the shape of their seeds:

- `read_json`, `read_xml`, `read_text`: 3 option bytes, then events (see
  `fuzz_targets/read_common.rs`); each piece twice, with roomy limits and with small ones
  (`read_text`: as text and as classic records);
- `evaluate`: a rule number byte, then JSON lines (each piece once for each rule);
- `differential`: JSON lines;
- `codegen`, `parse`: SPL; `codegen`, `front`: also `<macros.conf>` NUL `<SPL>`, and
  `codegen` `<macros.conf>` NUL `<SPL>` NUL `<id, title, path>` lines.
"""

import hashlib
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "corpus"
PIECE = 2048

# Option bytes of the reader targets: roomy limits, aliases on, 8 KB chunks; small limits
# (300-byte events, 5 fields, depth 2, 7 values, 3 attributes, 16-byte names), 2-byte
# chunks, aliases on, time from `t`.
ROOMY = bytes([0xFF, 0xEF, 0x01])
SMALL = bytes([0x55, 0x25, 0x03])
# The third option byte's bit 2 makes `read_text` read classic `WinEventLog` records.
WINEVENT = 0x04

# How many rules `evaluate` has (`RULES` in fuzz_targets/evaluate.rs).
EVALUATE_RULES = len(
    re.findall(r'^    r#"', (HERE / "fuzz_targets/evaluate.rs").read_text(), re.M)
)

counts = {}


def put(target, data):
    directory = OUT / target
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha1(data).hexdigest()
    if not path.exists():
        path.write_bytes(data)
        counts[target] = counts.get(target, 0) + 1


def pieces(units, joiner=b"\n"):
    """Consecutive units joined into pieces of at most PIECE bytes (a longer unit alone)."""
    piece = []
    size = 0
    for unit in units:
        if piece and size + len(unit) > PIECE:
            yield joiner.join(piece) + joiner
            piece, size = [], 0
        piece.append(unit)
        size += len(unit) + len(joiner)
    if piece:
        yield joiner.join(piece) + joiner


def data_files(pattern):
    files = sorted((ROOT / "tests/data").rglob(pattern))
    files += sorted((ROOT / "examples/events").glob(pattern))
    return files


def json_pieces():
    for path in data_files("*.jsonl"):
        lines = [l for l in path.read_bytes().split(b"\n") if l.strip()]
        yield from pieces(lines)


def xml_pieces():
    for path in data_files("*.xml"):
        text = path.read_bytes()
        events = re.findall(rb"<Event[ >].*?</Event>", text, re.S)
        yield from pieces(events)
        # The start of the file as it is: declaration, wrapper, the first events.
        yield text[:PIECE]


def record_pieces():
    header = re.compile(rb"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d [AP]M\r?$", re.M)
    for path in data_files("*.log"):
        text = path.read_bytes()
        starts = [m.start() for m in header.finditer(text)] or [0]
        records = [
            text[a:b].rstrip(b"\r\n") for a, b in zip(starts, starts[1:] + [len(text)])
        ]
        yield from pieces(records)


def rules():
    spl = []
    for directory in [ROOT / "tests/rules/search", HERE / "rules"]:
        spl += [p.read_bytes() for p in sorted(directory.glob("*.spl"))]
    try:
        import yaml
    except ImportError:
        print("PyYAML missing: tests/data/eval/cases.yml left out", file=sys.stderr)
    else:
        cases = yaml.safe_load((ROOT / "tests/data/eval/cases.yml").read_text())
        for case in cases or []:
            if isinstance(case.get("eval"), str):
                spl.append(("* | eval out=%s | table out" % case["eval"]).encode())
    return spl


def main():
    json = list(json_pieces())
    for piece in json:
        for options in (ROOMY, SMALL):
            put("read_json", options + piece)
        put("differential", piece)
        for rule in range(EVALUATE_RULES):
            put("evaluate", bytes([rule]) + piece)
    for piece in xml_pieces():
        for options in (ROOMY, SMALL):
            put("read_xml", options + piece)
    for piece in record_pieces():
        for options in (ROOMY, SMALL):
            put("read_text", options + piece)
            put("read_text", options[:2] + bytes([options[2] | WINEVENT]) + piece)
    conf = b"[one]\ndefinition = host=*\n\n[two(2)]\nargs = a, b\ndefinition = $a$=$b$\n"
    for spl in rules():
        put("parse", spl)
        put("front", conf + b"\0" + spl)
        put("codegen", spl)
        put("codegen", conf + b"\0" + spl)
        put(
            "codegen",
            conf + b"\0`one` " + spl + b"\0rule-1\nA <b>title</b>\nrules/a rule.spl\nT1059",
        )
    for target in sorted(counts):
        print("%5d new seeds in %s" % (counts[target], OUT / target))


main()
