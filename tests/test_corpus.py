"""The adversarial corpus: every case under tests/corpus/ through the real `claimkb check`, compared exactly with
its expected.txt, and never a traceback.

A case is a folder of files laid over the clean base of conftest.BASE_FILES (same relative paths, bytes kept as they
are: tests/corpus/.gitattributes turns off line-ending conversion) and expected.txt: the `path:line:col: severity
code` of each diagnostic, in output order, one per line; lines starting with # describe the case. Files too big or
too odd for git (a 2 MB file, symbolic links) are written at run time by GENERATED, and their case folders hold only
expected.txt.
"""
from __future__ import annotations

import contextlib
import io
import os
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import pytest

from conftest import EXTRA, check_inprocess, find, make_kb, parse_output, run_check

from claimkb import cli
from claimkb.core import loader
from claimkb.core import validate
from claimkb.core import yamlsafe

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())



def _long_statement(root: Path, tmp: Path) -> None:
    statement = ("specialization " * 14_000)[:200_000]
    (root / "claims/long-statement.yaml").write_text(EXTRA.replace("A claim that breaks no rule.", statement), "utf-8")


def _long_line(root: Path, tmp: Path) -> None:
    # A 600,000-character comment line is fine; a 10,000-character title is not; a 500,000-character abstract is.
    claim = f"# {'x' * 600_000}\n" + EXTRA.replace("An extra claim", "T" * 10_000)
    (root / "claims/long-line.yaml").write_text(claim, "utf-8")
    abstract = "word " * 100_000
    (root / "references/long.bib").write_text(
        f"@misc{{long2020,\n  author = {{Long, Ann}},\n  title = {{Long}},\n  year = {{2020}},\n"
        f"  abstract = {{{abstract}}},\n}}\n",
        "utf-8")
    (root / "claims/cites-long.yaml").write_text(EXTRA.replace("doe2019", "long2020"), "utf-8")


def _file_too_large(root: Path, tmp: Path) -> None:
    filler = "a" * 2_000_000
    (root / "claims/huge.yaml").write_text(EXTRA + f"annotations: {filler}\n", "utf-8")
    # A bibliography may be 64 MiB: one a byte over, sparse so the test writes almost nothing, is refused unread.
    with open(root / "references/huge.bib", "wb") as bib:
        bib.write(b"@misc{huge2020,\n  title = {x},\n}\n")
        bib.truncate(loader.MAX_BIB_BYTES + 1)
    (root / "docs/huge.md").write_text(f"# Huge\n\n{filler}\n", "utf-8")


def _symlinks(root: Path, tmp: Path) -> None:
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(EXTRA, "utf-8")
    (outside / "secret.bib").write_text("@misc{secret2020, author = {S, S}, title = {S}, year = {2020}}\n", "utf-8")
    (root / "claims/evil.yaml").symlink_to(outside / "secret.yaml")
    (root / "claims/linked").symlink_to(outside, target_is_directory=True)
    (root / "claims/inside.yaml").symlink_to("alpha-thesis.yaml")  # inside the repository: refused all the same
    (root / "claims/dangling.yaml").symlink_to(tmp / "nowhere.yaml")
    (root / "references/evil.bib").symlink_to(outside / "secret.bib")
    (root / "references/linked").symlink_to(outside, target_is_directory=True)


def _unsafe_names(root: Path, tmp: Path) -> None:
    # Names a checkout on some systems cannot hold, so written here: markup in a folder and a .bib file's name.
    hostile = 'x"><img src=x onerror=alert(document.domain)>'
    (root / "claims" / hostile).mkdir()
    (root / "claims" / hostile / "zz-inside.yaml").write_text(EXTRA, "utf-8")
    (root / "references" / f"{hostile}.bib").write_text("@misc{evil2020, title = {E}, author = {E, E}, year = {2020}}\n",
                                                        "utf-8")


GENERATED: dict[str, Callable[[Path, Path], None]] = {
    "long-statement": _long_statement,
    "long-line": _long_line,
    "file-too-large": _file_too_large,
    "symlink-outside": _symlinks,
    "unsafe-names": _unsafe_names,
}


def build(case: str, tmp_path: Path) -> Path:
    """The knowledge base of a case: the clean base, the case's files over it, then its generated files."""
    folder = CORPUS / case
    files: dict[str, str | bytes | None] = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*") if p.is_file() and p.name != "expected.txt"
    }
    root = make_kb(tmp_path, files)
    if case in GENERATED:
        GENERATED[case](root, tmp_path)
    return root


def expected(case: str) -> list[str]:
    lines = (CORPUS / case / "expected.txt").read_text("utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_every_case_has_an_expected_file() -> None:
    assert len(CASES) >= 40
    assert [c for c in CASES if not (CORPUS / c / "expected.txt").is_file()] == []
    assert set(GENERATED) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_case(case: str, tmp_path: Path) -> None:
    root = build(case, tmp_path)
    code, out, err = check_inprocess(root)
    found, summary = parse_output(out)
    listing = "\n".join(f"{d.prefix}: {d.message}" for d in found)
    assert [d.prefix for d in found] == expected(case), listing
    assert code == (1 if int(summary["errors"]) else 0)
    assert "Traceback" not in err and err == ""
    for d in found:  # every diagnostic names a file of the case (or its folder) and a line inside it
        target = root / d.path
        assert target.exists() or target.is_symlink() or d.path in ("claims", "references"), d
        if target.is_file() and not target.is_symlink():
            # Lines as an editor counts them (\r\n, \r or \n), and the end of the file after the last one.
            assert d.line <= len(target.read_bytes().splitlines()) + 1, d


def snapshot(root: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every entry under claims/ and references/: its bytes (a link: its target) and its modification time."""
    found: dict[str, tuple[bytes | str, int]] = {}
    for top in ("claims", "references"):
        for dirpath, dirnames, filenames in os.walk(root / top):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                stat = p.lstat()
                content = os.readlink(p) if p.is_symlink() else b"" if p.is_dir() else p.read_bytes()
                found[p.relative_to(root).as_posix()] = (content, stat.st_mtime_ns)
    return found


def claimkb(*argv: str | Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, err.getvalue()


# Every command but `new`, in each of its output formats: none may change a byte (or a time) under claims/ or
# references/, however broken the input.
READERS: list[tuple[str, ...]] = [
    ("check",), ("check", "--format", "json"), ("check", "--format", "github"),
    ("render", "--out", "{tmp}/out", "--force"), ("render", "--out", "{tmp}/out-docs", "--with-docs"),
    ("export", "--format", "json", "-o", "{tmp}/claims.json"), ("export", "--format", "bibtex", "-o", "{tmp}/refs.bib"),
    ("export", "--format", "bibtex", "--what", "claims", "-o", "{tmp}/claims.bib"),
    ("export", "--format", "csl-json", "-o", "{tmp}/refs.json"),
    ("export", "--format", "csl-json", "--what", "claims", "-o", "{tmp}/claims-csl.json"),
    ("cite", "alpha-thesis"), ("cite", "alpha-thesis", "--format", "bibtex"), ("cite", "smith2020", "--format", "csl-json"),
]


@pytest.mark.parametrize("case", CASES)
def test_no_command_but_new_touches_the_sources(case: str, tmp_path: Path) -> None:
    """render, export and cite read the same broken input as check: they report or degrade, never raise, never write
    to claims/ or references/, and never write outside their output."""
    root = build(case, tmp_path)
    before = snapshot(root)
    outside = {p for p in tmp_path.rglob("*") if not p.is_relative_to(root)}
    for argv in READERS:
        args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
        code, err = claimkb(*args[:1], "--root", root, *args[1:])
        assert code in (0, 1), (argv, err)
        assert "Traceback" not in err
    assert snapshot(root) == before
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if not p.is_relative_to(root)} - \
        {p.relative_to(tmp_path).parts[0] for p in outside}
    assert written <= {"out", "out-docs", "claims.json", "refs.bib", "claims.bib", "refs.json", "claims-csl.json"}


@pytest.mark.parametrize("argv", [
    ("new", "claim", "alpha-thesis", "--kind", "premise", "--domain", "biology", "--claimed-by", "smith2020"),
    ("new", "claim", "Bad_Id", "--kind", "premise", "--domain", "biology", "--claimed-by", "smith2020"),
    ("new", "claim", "fresh-id", "--kind", "premise", "--domain", "bilogy", "--claimed-by", "smith2020"),
    ("new", "claim", "fresh-id", "--kind", "premise", "--domain", "biology", "--claimed-by", "nobody1999"),
    ("new", "claim", "fresh-id", "--kind", "premise", "--domain", "biology", "--claimed-by", "smith2020", "--dir", "../x"),
    ("new", "claim", "fresh-id"),
    ("new", "reference", "SMITH2020", "--type", "book"),
    ("new", "reference", "bad key", "--type", "book"),
    ("new", "reference", "roe2018", "--type", "boook"),
    ("new", "reference", "roe2018", "--type", "book", "--file", "../outside.bib"),
], ids=["taken-id", "invalid-id", "unknown-domain", "unknown-reference", "outside-claims", "no-terminal",
        "taken-key", "invalid-key", "unknown-type", "outside-references"])
def test_a_failed_new_leaves_the_tree_unchanged(tmp_path: Path, argv: tuple[str, ...]) -> None:
    root = make_kb(tmp_path)
    before = snapshot(root)
    code, err = claimkb(*argv, "--root", root)
    assert code in (1, 2) and "Traceback" not in err, err
    assert snapshot(root) == before
    assert not (tmp_path / "x").exists() and not (tmp_path / "outside.bib").exists()


def test_new_only_creates_or_appends(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    before = snapshot(root)
    assert claimkb("new", "claim", "fresh-id", "--kind", "premise", "--domain", "biology", "--claimed-by", "smith2020",
                   "--root", root)[0] == 0
    assert claimkb("new", "reference", "roe2018", "--type", "book", "--root", root)[0] == 0
    after = snapshot(root)
    assert set(after) - set(before) == {"claims/fresh-id.yaml"}
    for rel, (content, mtime) in before.items():
        if rel == "references/main.bib":
            assert isinstance(after[rel][0], bytes) and after[rel][0].startswith(content)  # appended
        else:
            assert after[rel] == (content, mtime), rel


# The real command in a subprocess, for the cases where the process boundary matters most: bytes on standard
# output that are not UTF-8 in the input, files the process must not follow, parsers that must not blow the stack.
@pytest.mark.parametrize("case", ["alias-bomb", "deep-nesting", "latin-1", "mixed-encoding", "nul-byte",
                                  "symlink-outside", "bibtex-macro-bomb", "ids-case-and-lookalikes"])
def test_case_through_the_real_command(case: str, tmp_path: Path) -> None:
    root = build(case, tmp_path)
    code, out, err = run_check(root)
    assert "Traceback" not in err
    found, summary = parse_output(out)
    assert [d.prefix for d in found] == expected(case)
    assert code == (1 if int(summary["errors"]) else 0)


# --- bombs: refused quickly, in little memory, never expanded -------------------------------------------------


def _measure(run: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak MB) of run(), memory as tracemalloc sees Python allocations."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return elapsed, peak


@pytest.mark.parametrize("case", ["alias-bomb", "deep-nesting", "bibtex-macro-bomb", "bibtex-500-authors"])
def test_bomb_is_refused_fast_in_bounded_memory(case: str, tmp_path: Path) -> None:
    root = build(case, tmp_path)

    def check() -> None:
        result = loader.load(root)
        validate.check(result.kb, result.diagnostics)

    check()  # imports and compiled schemas are not what is measured
    elapsed, peak = _measure(check)
    assert elapsed < 1.0 and peak < 50, f"{elapsed:.2f} s, {peak:.1f} MB"


@pytest.mark.parametrize("text", [
    "[" * 10_000,
    "a: " + "[" * 10_000 + "]" * 10_000,
    "a: " + "{a: " * 10_000,
    "a:\n  " + "- " * 10_000 + "x\n",
    (CORPUS / "alias-bomb/claims/laughs.yaml").read_text("utf-8"),
], ids=["unclosed-flow", "closed-flow", "mappings", "block", "billion-laughs"])
def test_yaml_bomb_alone(text: str) -> None:
    elapsed, peak = _measure(lambda: yamlsafe.read(text, "claims/bomb.yaml"))
    assert elapsed < 1.0 and peak < 50, f"{elapsed:.2f} s, {peak:.1f} MB"
    doc, problems = yamlsafe.read(text, "claims/bomb.yaml")
    assert problems and {p.code for p in problems} <= {"yaml-too-deep", "yaml-alias"}
    if doc is not None:  # billion laughs: every alias is None where it stood, nothing was expanded
        rows = [row for key, row in doc.value.items() if key != "lol"]
        assert len(rows) == 9 and all(item is None for row in rows for item in row)


def test_a_file_of_one_mebibyte_of_problems_lists_a_hundred(tmp_path: Path) -> None:
    """110,000 duplicate keys fit in 1 MiB: the report lists 100 and says the rest were left out."""
    root = make_kb(tmp_path, {"claims/alpha-thesis.yaml": EXTRA + "title: x\n" * 110_000})
    start = time.perf_counter()
    code, out, _ = check_inprocess(root)
    elapsed = time.perf_counter() - start
    found, _ = parse_output(out)
    assert code == 1 and len(found) == 101 and elapsed < 10
    assert "more problems from here on are not listed (at most 100 per file)" in found[-1].message


def test_symlinked_folder_is_never_entered(tmp_path: Path) -> None:
    root = build("symlink-outside", tmp_path)
    kb = loader.load(root).kb
    assert not any("secret" in c.path for c in kb.claims.values()) and "secret2020" not in kb.references
    assert os.path.islink(root / "claims/linked")


# --- limits: each with its code and a message that says what to do -------------------------------------------


def diagnose(tmp_path: Path, files: dict[str, str | bytes | None]) -> list:
    code, out, err = check_inprocess(make_kb(tmp_path, files))
    found, _ = parse_output(out)
    assert code in (0, 1) and err == ""
    return found


def test_limit_file_size(tmp_path: Path) -> None:
    assert loader.MAX_FILE_BYTES == 1024 * 1024
    text = EXTRA + "annotations: " + "a" * (loader.MAX_FILE_BYTES - len(EXTRA) - len("annotations: ")) + "b\n"
    found = diagnose(tmp_path, {"claims/big.yaml": text})
    find(found, "claims/big.yaml:1:1: error file-too-large",
         "the file is 1,048,578 bytes; the limit is 1,048,576 (1 MiB): split it")


def test_limit_number_of_claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert loader.MAX_CLAIMS == 50_000
    monkeypatch.setattr(loader, "MAX_CLAIMS", 4)  # the base has 4 claims: a fifth is one too many
    found = diagnose(tmp_path, {"claims/zz-fifth.yaml": EXTRA})
    find(found, "claims:1:1: error too-many-claims",
         "5 claim files; the limit is 4, so only the first 4 by path were read: "
         "are generated files under claims/ by mistake?")


@pytest.mark.parametrize("depth", [yamlsafe.MAX_DEPTH, yamlsafe.MAX_DEPTH + 1])
def test_limit_nesting_depth(tmp_path: Path, depth: int) -> None:
    # annotations: [[...]] with `depth` brackets puts the innermost list `depth` levels below the document.
    found = diagnose(tmp_path, {"claims/alpha-thesis.yaml": EXTRA + "annotations: " + "[" * depth + "]" * depth + "\n"})
    deep = [d for d in found if d.code == "yaml-too-deep"]
    if depth <= yamlsafe.MAX_DEPTH:
        assert deep == []
    else:
        assert [d.prefix for d in deep] == [f"claims/alpha-thesis.yaml:8:{14 + depth - 1}: error yaml-too-deep"]
        assert deep[0].message == ("the document nests deeper than 16 levels; no claim field is nested more than a "
                                   "few (the deepest is sources[0].locator.page): flatten it")


LENGTHS = [  # field, its limit, the claim with `{}` where the value goes, the value's line and column
    ("title", 120, EXTRA.replace("An extra claim", "{}"), 1, 8),
    ("statement", 2_000, EXTRA.replace("A claim that breaks no rule.", "{}"), 2, 12),
    ("annotations", 20_000, EXTRA + "annotations: {}\n", 8, 14),
    ("claimed_by.locator", 200, EXTRA.replace("p. 1", "{}"), 7, 12),
    ("sources[0].note", 2_000, EXTRA + "sources:\n  - ref: jones2021\n    note: {}\n", 10, 11),
    ("relations[0].note", 2_000,
     EXTRA + "relations:\n  - type: supports\n    target: alpha-thesis\n    note: {}\n", 11, 11),
]


@pytest.mark.parametrize(("field", "limit", "template", "line", "col"), LENGTHS, ids=[f[0] for f in LENGTHS])
def test_limit_string_length(tmp_path: Path, field: str, limit: int, template: str, line: int, col: int) -> None:
    assert loader.claim_schema()  # the limits are the schema's maxLength
    ok = diagnose(tmp_path / "ok", {"claims/zz-long.yaml": template.replace("{}", "x" * limit)})
    assert [d for d in ok if d.code == "invalid-value"] == []
    found = diagnose(tmp_path / "over", {"claims/zz-long.yaml": template.replace("{}", "x" * (limit + 1))})
    find(found, f"claims/zz-long.yaml:{line}:{col}: error invalid-value",
         f"{field}: is {limit + 1:,} characters long; the limit is {limit:,}")


@pytest.mark.parametrize(("field", "limit", "item"), [
    ("relations", 200, "  - type: supports\n    target: alpha-thesis\n"),
    ("sources", 200, "  - ref: jones2021\n"),
    ("tags", 50, "  - t{}\n"),
])
def test_limit_items_per_claim(tmp_path: Path, field: str, limit: int, item: str) -> None:
    def claim(n: int) -> str:
        return EXTRA + f"{field}:\n" + "".join(item.replace("{}", str(i)) for i in range(n))

    ok = diagnose(tmp_path / "ok", {"claims/zz-many.yaml": claim(limit)})
    assert not [d for d in ok if d.code == "invalid-value"]
    found = diagnose(tmp_path / "over", {"claims/zz-many.yaml": claim(limit + 1)})
    find(found, "claims/zz-many.yaml:9:3: error invalid-value", f"{field}: has {limit + 1:,} items; the limit is {limit:,}")


def test_limit_bibtex_macro_expansion(tmp_path: Path) -> None:
    from claimkb.core import bibload

    assert bibload.MAX_MACRO_EXPANSION == 4 * 1024 * 1024
    found = diagnose(tmp_path, {})
    assert found == []
    found = [d for d in diagnose(tmp_path / "bomb", {f"references/{p.name}": p.read_bytes()
                                                     for p in (CORPUS / "bibtex-macro-bomb/references").iterdir()})
             if d.code == "bibtex-syntax"]
    assert [d.prefix for d in found] == ["references/bomb.bib:21:18: error bibtex-syntax"]
    assert found[0].message == ("syntax error: @string macros expand to more than 4,194,304 characters in this file; "
                                "is a macro defined by repeating another?")


def test_limit_problems_listed_per_file(tmp_path: Path) -> None:
    from claimkb.core.diagnostics import MAX_PER_FILE

    assert MAX_PER_FILE == 100
    bib = "".join(f"@misc{{e{i}, title = }}\n" for i in range(150))
    found = [d for d in diagnose(tmp_path, {"references/broken.bib": bib}) if d.code == "bibtex-syntax"]
    assert len(found) == 101
    assert found[-1].prefix == "references/broken.bib:101:21: error bibtex-syntax"
    assert found[-1].message == ("more problems from here on are not listed (at most 100 per file): fix the ones above "
                                 "and run check again")
