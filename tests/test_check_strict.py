"""check-clean implies strict-build-clean: text that `claimkb check` accepts never fails `mkdocs build --strict`.

A property test: Hypothesis writes Markdown-ish texts (brackets, links to pages that exist and pages that do not,
fences with 0-3 spaces of indent, admonitions, details, tabs, abbreviations, footnotes, reference definitions,
attribute lists, HTML, line breaks) into the annotations, statements and notes of claims of a tiny knowledge base.
Each example holds many texts as many claims, checked at once; the claims with errors are removed, the rest must
check clean and build with `mkdocs build --strict` (about three seconds a build, so few examples by default:
CLAIMKB_STRICT_EXAMPLES, or CLAIMKB_FUZZ_EXAMPLES as `make fuzz` sets it, scales them up).

Also here: the markup budget's cost (hostile shapes are linear in check) and the generator's pages against the
core's list of them (core/names.py, which the checker resolves links and reserves names with).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import EXTRA, build_site, check_inprocess, make_kb, parse_output
from test_site import fixture_mkdocs_yml

from claimkb.core import loader, markdown, names, pagelinks, validate
from claimkb.site import render

_FUZZ = os.environ.get("CLAIMKB_FUZZ_EXAMPLES")
EXAMPLES = int(os.environ.get("CLAIMKB_STRICT_EXAMPLES", str(max(int(_FUZZ) // 100, 12) if _FUZZ else 6)))
TEXTS_PER_EXAMPLE = 24

# Pages of the tiny knowledge base besides the base's docs/index.md, so links can reach a page in a subfolder.
DOCS = {"docs/reading/s4.md": "# Section 4\n\n## Why specialization wins\n\nText.\n"}
# Pieces a contributor (or an attacker) might put together, each meaningful to some Markdown reader.
LINKS = ["[x](../index.md)", "[x](../reading/s4.md)", "[x](../reading/s4.md#why)", "[x](alpha-thesis.md)",
         "[x](../references/smith2020.md)", "[x](index.md)", "[x](../map.md#top)", "[x](#frag)",
         "[x](appendix.md)", "[x](../missing.md)", "[x](../reading/s9.md#a)", "[x](../reading/)", "[x](../img.png)",
         "[x](/abs.md)", "[x](../../out.md)", "[x](<../index.md>)", "[x]( ../index.md )", "[x](../index.md 'title')",
         "![i](../index.md)", "![i](pic.png)", "<../index.md>", "[x][r]", "[r]", "[x][]", "[]"]
DEFINITIONS = ["[r]: ../index.md", "[r]: missing.md", "[R]: ../reading/s4.md", "[x]: url", "[x]: https://example.org",
               "[]: ../index.md", "[^1]:", "[^1]", "[^note]: a footnote", "*[abbr]: an abbreviation", "*[Sources]: x"]
BLOCKS = ["```", "~~~", " ```", "  ~~~", "   ```", "    ```", "````", "~~~~", "```text", "~~~ python", "!!! note",
          "!!! note \"T\"", "??? note", "???+ note", "=== \"Tab\"", "===", "    ", "  ", "\t", "- ", "* ", "1. ", "2) ",
          "> ", ">", "#", "## Cite", "---", "***", "| a | b |", "|---|---|", ": definition", "Term"]
INLINE = ["[", "]", "(", ")", "](", "]:", "]]", "[[", "*", "**", "_", "`", "``", "<", ">", "{", "}", "{: .cls }",
          "{: #cite }", "{ .ckb-statement }", "<b>", "</b>", "<div markdown>", "</div>", "<!--", "-->", "&", "&amp;",
          "\\", "|", "~", "!", ":", "'", '"', "[[alpha-thesis]]", "[@smith2020]", "[@smith2020, §1]", "x", "word ",
          "javascript:", "https://example.org/a.md", "mailto:a@b.org"]
FRAGMENT = st.sampled_from(LINKS + DEFINITIONS + BLOCKS + INLINE)
TEXT = st.lists(st.one_of(FRAGMENT, st.sampled_from(["\n", "\n", "\n\n", " "])), min_size=1, max_size=24).map("".join)
FIELDS = ("annotations", "statement", "note")


def claim(text: str, field: str) -> str:
    """A claim with text in one of its Markdown fields, as a JSON string (a YAML double-quoted scalar keeps it)."""
    quoted = json.dumps(text, ensure_ascii=False)
    if field == "statement":
        return EXTRA.replace("A claim that breaks no rule.", quoted)
    if field == "note":
        return EXTRA + f"sources:\n  - ref: jones2021\n    note: {quoted}\n"
    return EXTRA + f"annotations: {quoted}\n"


@pytest.fixture(scope="module")
def kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_kb(tmp_path_factory.mktemp("strict"), {"mkdocs.yml": fixture_mkdocs_yml(), **DOCS})


def _strict_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]


def check_then_build(root: Path, texts: list[str]) -> tuple[list[str], list[str]]:
    """Write each text as a claim, remove the claims the checker rejects, and build the rest strictly.
    Returns the accepted texts' files and the strict build's warnings (empty when it succeeded)."""
    folder = root / "claims" / "fuzz"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    files = {}
    for i, text in enumerate(texts):
        rel = f"claims/fuzz/zz-fuzz-{i:03d}.yaml"
        (root / rel).write_text(claim(text, FIELDS[i % len(FIELDS)]), "utf-8")
        files[rel] = text
    _, out, err = check_inprocess(root)
    assert "Traceback" not in err
    found, _ = parse_output(out)
    rejected = {d.path for d in found if d.severity == "error"}
    assert rejected <= set(files), [d for d in found if d.path not in files]  # the base stays clean
    for rel in rejected:
        (root / rel).unlink()
    code, out, _ = check_inprocess(root)
    assert code == 0, out
    done = build_site(root, root / "site", "mkdocs", strict=True)
    warnings = _strict_warnings(done.stderr) if done.returncode else []
    assert done.returncode == 0 or warnings, done.stderr[-3000:]
    accepted = [rel for rel in files if rel not in rejected]
    return accepted, warnings


def _culprits(root: Path, accepted: list[str], warnings: list[str]) -> str:
    """The accepted texts a strict build warned about (it names the page, claims/zz-fuzz-NNN.md)."""
    named = set(re.findall(r"zz-fuzz-\d{3}", "\n".join(warnings)))
    shown = [f"{rel}: {json.loads(claim_text(root / rel))!r}" for rel in accepted if Path(rel).stem in named]
    return "\n".join(warnings[:20] + ["accepted by check:"] + shown[:20])


def claim_text(path: Path) -> str:
    """The JSON-quoted field of a fuzz claim, as written."""
    for line in path.read_text("utf-8").splitlines():
        for key in ("annotations: ", "statement: ", "    note: "):
            if line.startswith(key) and line[len(key):].startswith('"'):
                return line[len(key):]
    raise AssertionError(path)


STRICT = settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.function_scoped_fixture])


@STRICT
@given(texts=st.lists(TEXT, min_size=1, max_size=TEXTS_PER_EXAMPLE))
@example(texts=[  # the cases and their neighbours, every run
    "[x](appendix.md)", "See [the section](../reading/s4.md#why) and [home](../index.md).",
    "- item\n\n  [r]: ../missing.md\n\n  [r]", "!!! note\n    [x](../missing.md)", "??? note\n    [x](gone.md)",
    "=== \"Tab\"\n    [x](../nope.md)", "[^1]\n\n[^1]: [x](../nope.md)", "Term\n: [x](../nope.md)",
    "~~~\n[x](../nope.md)\n  ~~~", " ~~~\n[x](fenced.md)\n   ~~~", "*[abbr]: [x](../nope.md)",
    "[x](../index.md){: .cls }", "[]: ../nope.md\n\n[][]", "<div markdown>[x](../nope.md)</div>",
    "`[x](code.md)` and ``[y](code.md)``", "    [x](indented-code.md)", "[x](../reading/s4.md)\n\n## Cite",
])
def test_check_clean_is_strict_build_clean(kb_root: Path, texts: list[str]) -> None:
    accepted, warnings = check_then_build(kb_root, texts)
    assert not warnings, _culprits(kb_root, accepted, warnings)


def test_a_missing_page_is_an_error_not_a_failed_build(tmp_path: Path) -> None:
    """The issue's case 8: the link passed check and broke the strict build for everyone after the merge."""
    root = make_kb(tmp_path, {"claims/zz-appendix.yaml": claim("See [the appendix](appendix.md).", "annotations")})
    code, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    assert code == 1
    assert [d.prefix for d in found] == ["claims/zz-appendix.yaml:8:34: error unknown-page"]
    assert "names the page claims/appendix.md, which the site does not have" in found[0].message


# --- the markup budget: hostile shapes cost check linear time ------------------------------------------------

SHAPES = {
    "brackets": "[", "stars": "*", "angles": "<", "backticks": "`", "bangs": "![", "links": "[a](", "closing": "](",
    "quotes": ">", "lists": "- ", "footnotes": "[^", "definitions": "]:", "entities": "&a", "emphasis": "*a_",
    "nested": ">" * 50 + " ", "dash-lists": "- - - - x\n",
    # A thousand links to missing pages a claim, just within the markup budget: each is resolved and placed.
    "dead-links": "[a](x.md)" + " " * 11,
}


def _check_seconds(root: Path) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = loader.load(root)
        validate.check(result.kb, result.diagnostics)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("shape", SHAPES)
def test_hostile_shapes_cost_linear_time_in_check(tmp_path: Path, shape: str) -> None:
    """Ten claims of 20,000 characters of one shape (the annotations limit) cost check a small multiple of what ten
    claims of 20,000 plain characters cost, and four times the length costs about four times the time, not sixteen:
    no shape is quadratic. (Measured: 18 ms plain, at most 95 ms for `](` repeated, on a loaded two-core machine.)"""
    def kb(name: str, unit: str, length: int) -> Path:
        text = (unit * length)[:length]
        files = {f"claims/zz-{i}.yaml": EXTRA + f"annotations: {json.dumps(text)}\n" for i in range(10)}
        return make_kb(tmp_path / name, files)

    plain = _check_seconds(kb("plain", "word ", 20_000))
    quarter = _check_seconds(kb("quarter", SHAPES[shape], 5_000))
    full = _check_seconds(kb("full", SHAPES[shape], 20_000))
    # Generous bounds for a shared machine; a quadratic shape at 20,000 characters is far over both.
    # A real link is real work (parsed, resolved, placed, reported): about 40 microseconds each, so a thousand a claim
    # cost some twenty times plain text; everything else is within a few times it.
    factor = 40 if shape == "dead-links" else 10
    assert full < factor * plain + 0.2, f"{shape}: {full:.3f} s against {plain:.3f} s for plain text"
    assert full < 8 * quarter + 0.1, f"{shape}: {full:.3f} s for 20,000 characters, {quarter:.3f} s for 5,000"


def test_markup_budget_warning_at_its_bound(tmp_path: Path) -> None:
    """The warning fires exactly where the renderer falls back to plain text (markdown.too_much_markup decides)."""
    at = "[" * markdown.MAX_MARKUP_CHARS + "a"
    over = "[" * (markdown.MAX_MARKUP_CHARS + 1)
    root = make_kb(tmp_path, {"claims/zz-at.yaml": claim(at, "annotations"), "claims/zz-over.yaml": claim(over, "annotations")})
    _, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    assert [d.prefix for d in found] == ["claims/zz-over.yaml:8:14: warning markup-budget"]
    assert found[0].message.startswith("annotations has 2,001 markup characters")


# --- the generator's pages are the core's list -----------------------------------------------------------------


def test_generated_pages_are_the_cores_list(tmp_path: Path) -> None:
    """Every page the generator writes is a claim, reference, domain or kind page, a retired name's page, or in
    names.GENERATED_PAGES; and every name those pages take is reserved."""
    root = make_kb(tmp_path)
    kb = loader.load(root).kb
    site = render.render(kb, {"reference/cli.md": "# CLI\n"})
    own = {f"claims/{c}.md" for c in kb.claims} | {f"references/{k}.md" for k in kb.references} | \
        {f"domains/{k}.md" for k in kb.domains} | {f"kinds/{k}.md" for k in kb.kinds}
    assert set(site.pages) - own == set(names.GENERATED_PAGES)
    assert set(site.pages) <= pagelinks.pages(kb) | set(names.GENERATED_PAGES)
    for page in names.GENERATED_PAGES:
        assert names.is_reserved(page.rpartition("/")[2].removesuffix(".md")), page
    top = {path.split("/", 1)[0] for path in site.files} | {path.split("/", 1)[0] for path in render.assets()}
    assert top <= set(names.GENERATED_FOLDERS), top - set(names.GENERATED_FOLDERS)


@pytest.mark.parametrize("name", ["claims/x y", "claims/x\"><img src=x onerror=alert(1)>", "references/.hidden",
                                  "references/caf\u00e9", "claims/" + "a" * 101])
def test_unsafe_names_are_never_read(tmp_path: Path, name: str) -> None:
    root = make_kb(tmp_path)
    (root / name).mkdir()
    (root / name / "zz-inside.yaml").write_text(EXTRA, "utf-8")
    (root / name / "inside.bib").write_text("@misc{inside2020, author = {I, I}, title = {I}, year = {2020}}\n", "utf-8")
    result = loader.load(root)
    assert "zz-inside" not in result.kb.claims and "inside2020" not in result.kb.references
    assert [(d.path, d.code) for d in result.diagnostics] == [(name, "unsafe-name")]


def test_hosts_in_brackets_never_raise(tmp_path: Path) -> None:
    """urlsplit raises ValueError on "https://[x]/"; the checker reads schemes and paths without it."""
    root = make_kb(tmp_path, {
        "claims/zz-hosts.yaml": claim("[a](https://[x]/) [b](//[x]/y.md) [c](a/[x].md) <https://[x]>", "annotations"),
        "references/hosts.bib": "@misc{hosts2020, author = {A, B}, title = {T}, year = {2020}, url = {https://[x]/}}\n",
        "claims/zz-cites.yaml": EXTRA.replace("doe2019", "hosts2020")})
    code, out, err = check_inprocess(root)
    found, _ = parse_output(out)
    assert code == 1 and err == ""
    assert [d.prefix for d in found] == ["claims/zz-hosts.yaml:8:53: error unknown-page",
                                         "references/hosts.bib:1:63: error invalid-url"]


def test_a_name_that_is_not_utf8_is_reported_escaped(tmp_path: Path) -> None:
    from conftest import run_check

    root = make_kb(tmp_path)
    os.mkdir(os.fsencode(root / "claims") + b"/bad\xff")
    code, out, err = run_check(root)
    assert code == 1 and "Traceback" not in err
    assert out[0].startswith("claims/bad\\udcff:1:1: error unsafe-name: ")
