"""HTML editions: building one from a saved LaTeXML page with `claimkb edition`, validating the file, resolving
locators to anchors (every anchor of the paper's edition), and the checker's unknown-anchor and coarse-locator."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXTRA, REPO, check_inprocess, find, parse_output, run_claimkb

from claimkb.core import editions, latexml, loader
from claimkb.core.locators import ParsedLocator, parse
from claimkb.site import locatordoc

FIXTURE = Path(__file__).parent / "fixtures" / "latexml-page.html"
BASE = "https://arxiv.org/html/2602.23643v1"
# The fixture page's passages, nested as on the page: what `claimkb edition` must keep, and nothing finer.
FIXTURE_TREE = {
    "abstract1": None,
    "S1": {"S1.p1": None, "S1.p2": None},
    "S2": {"S2.p1": None, "S2.p2": {"S2.I1": {"S2.I1.i1": None, "S2.I1.i2": None}}, "S2.p3": None,
           "S2.SSx1": {"S2.SSx1.p1": None, "S2.SSx1.p2": None}},
    "S3": {"S3.F1": None,
           "S3.SS1": {"S3.SS1.p1": {"S3.I1": {"S3.I1.i1": None, "S3.I1.i2": None}}},
           "S3.SS2": {"S3.SS2.p1": None, "S3.SS2.p2": {"S3.I2": {"S3.I2.i1": None, "S3.I2.i2": None, "S3.I2.i3": None}},
                      "S3.T1": None, "S3.SS2.p3": {"footnote1": None}}},
}


def edition_of(root: Path, key: str):
    result = loader.load(root)
    assert key in result.kb.editions, [str(d) for d in result.diagnostics]
    return result.kb.editions[key]


def build_fixture_edition(kb, key: str = "smith2020") -> Path:
    root = kb()
    code, out, err = run_claimkb("edition", key, FIXTURE, "--base", BASE, "--root", root)
    assert code == 0, err
    assert out == [f"wrote references/_editions/{key}.yaml: 31 anchors (1 abstract, 6 sections, 11 paragraphs, "
                   "3 lists, 7 items, 1 figure, 1 table, 1 footnote), 2 unnumbered headings"]
    return root


def test_edition_command_keeps_the_passages_nested_and_nothing_else(kb) -> None:
    root = build_fixture_edition(kb)
    text = (root / "references/_editions/smith2020.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert data["base"] == BASE and data["scheme"] == "latexml"
    assert data["source"] == "https://ar5iv.labs.arxiv.org/html/2602.23643"  # the page's canonical link
    assert data["headings"] == {"Abstract": "abstract1", "Alternative Views": "S2.SSx1"}  # markup and spaces dropped
    assert data["anchors"] == FIXTURE_TREE
    assert "LaTeXML 0.8.8" in text.splitlines()[1]
    # Ids only: no word of the page's text reaches the file.
    for word in ("Text", "Caption", "Cell", "Box", "Note", "entry", "Introduction"):
        assert word not in text
    code, out, _ = check_inprocess(root)
    assert code == 0, out


def test_edition_command_refuses_what_it_cannot_use(kb, tmp_path: Path) -> None:
    root = build_fixture_edition(kb)
    code, _, err = run_claimkb("edition", "smith2020", FIXTURE, "--base", BASE, "--root", root)
    assert code == 2 and "pass --force" in err
    code, _, err = run_claimkb("edition", "smith2021", FIXTURE, "--base", BASE, "--root", root)
    assert code == 2 and "did you mean 'smith2020'?" in err
    code, _, err = run_claimkb("edition", "jones2021", FIXTURE, "--base", "http://example.org/x", "--root", root)
    assert code == 2 and "--base must be the https:// URL" in err
    plain = tmp_path / "plain.html"
    plain.write_text("<html><body><p id='intro'>No LaTeXML here.</p></body></html>", "utf-8")
    code, _, err = run_claimkb("edition", "jones2021", plain, "--base", "https://example.org/x", "--root", root)
    assert code == 1 and "no LaTeXML anchors" in err
    assert not (root / "references/_editions/jones2021.yaml").exists()
    code, out, err = run_claimkb("edition", "jones2021", FIXTURE, "--base", "https://arxiv.org/html/2602.23643",
                                 "--root", root)
    assert code == 1 and "names no version" in err  # written, then reported: an unpinned arXiv URL


def test_fixture_locators_resolve_through_the_nesting(kb) -> None:
    edition = edition_of(build_fixture_edition(kb), "smith2020")
    expect = {"§2 ¶2 item 2": "S2.I1.i2", "§3.2 ¶2 item 3": "S3.I2.i3", "§3.1 ¶1 item 1": "S3.I1.i1",
              "§3.2 Table 1": "S3.T1", "§3 Figure 1": "S3.F1", "§3.2 ¶3 footnote 1": "footnote1",
              '§2 "Alternative Views" ¶2': "S2.SSx1.p2", "Abstract": "abstract1", "§1 ¶2 (a box)": "S1.p2",
              "ch. 1 §3.2 ¶3": "S3.SS2.p3"}  # a chapter has no anchor: the parts after it resolve
    for text, anchor in expect.items():
        parsed = parse(text)
        assert isinstance(parsed, ParsedLocator)
        found = editions.resolve(edition, parsed.first)
        assert (found.anchor, found.problem) == (anchor, None), text


REPO_KB = loader.load(REPO).kb
PAPER = REPO_KB.editions["goldfeder2026sai"]


@pytest.mark.parametrize("anchor", list(PAPER.parents))
def test_every_anchor_of_the_papers_edition_resolves_from_its_locator(anchor: str) -> None:
    written = latexml.locator_for(PAPER, anchor)
    if latexml.kind_of(anchor) == "list":
        assert written is None  # a list has no locator of its own: its paragraph or its items do
        return
    assert written, anchor
    parsed = parse(written)
    assert isinstance(parsed, ParsedLocator), written
    found = editions.resolve(PAPER, parsed.first)
    assert (found.anchor, found.problem) == (anchor, None), written


def test_the_papers_edition_is_the_v1_page_and_has_what_the_paper_has() -> None:
    assert PAPER.base == BASE and PAPER.path == "references/_editions/goldfeder2026sai.yaml"
    kinds = [latexml.kind_of(a) for a in PAPER.parents]
    # Six numbered sections and four subsections plus one unnumbered; three figures, one table, one footnote.
    assert (kinds.count("section"), kinds.count("figure"), kinds.count("table"), kinds.count("footnote")) == (12, 3, 1, 1)
    assert PAPER.headings == {"Abstract": "abstract1", "Alternative Views": "S2.SSx1"}
    assert PAPER.parents["footnote1"] == "S3.SS2.p7" and PAPER.parents["S3.T1"] == "S3.SS2"


@pytest.mark.parametrize("written, anchor, _how", locatordoc.LATEXML)
def test_the_claim_format_pages_examples_resolve_as_it_says(written: str, anchor: str, _how: str) -> None:
    parsed = parse(written)
    assert isinstance(parsed, ParsedLocator)
    assert editions.resolve(PAPER, parsed.first).anchor == anchor


# --- The checker ------------------------------------------------------------------------------------------------

EDITION = """\
base: https://example.org/doe2019/v1/
headings:
  "Alternative Views": S2.SSx1
anchors:
  S2:
    S2.p1:
    S2.p2:
      S2.I1:
        S2.I1.i1:
        S2.I1.i2:
    S2.SSx1:
      S2.SSx1.p1:
  S3:
    S3.T1:
"""


def doe_claim(locator: str, annotations: str = "") -> str:
    return EXTRA.replace("  locator: p. 1\n", f"  locator: {locator}\n") + annotations


@pytest.mark.parametrize("locator, column, says", [
    ('"§2 ¶3"', 16, "§2 has no ¶3 (no anchor S2.p3); its paragraphs run ¶1–2"),
    ('"§2 ¶2 item 3"', 19, "the list in §2 ¶2 has 2 items, not 3"),
    ('"§2 Table 1"', 16, "Table 1 is in §3, not in §2"),
    ('"§4"', 13, "the HTML edition has no §4 (no anchor S4) (the numbered sections: §2, §3)"),
    ('"§2 \\"Alternative View\\" ¶1"', 16, 'did you mean "Alternative Views"?'),
    ('"§2 ¶1; §2 ¶9"', 23, "'§2 ¶9': §2 has no ¶9"),
])
def test_unknown_anchor_is_reported_at_the_part_that_has_none(kb, locator: str, column: int, says: str) -> None:
    root = kb({"references/_editions/doe2019.yaml": EDITION, "claims/extra-claim.yaml": doe_claim(locator)})
    found, _ = parse_output(check_inprocess(root)[1])
    line = find(found, f"claims/extra-claim.yaml:7:{column}: error unknown-anchor")
    assert says in line.message, line.message


def test_passage_level_locators_pass_and_section_level_ones_are_coarse(kb) -> None:
    fine = {f"claims/c{i}.yaml": doe_claim(loc) for i, loc in enumerate(
        ['"§2 ¶1"', '"§2 ¶2 item 1"', '"§3 Table 1"', '"§2 \\"Alternative Views\\" ¶1"', '"§2 ¶1–2"',
         '"§2 ¶2 (the list)"', '"§2"', "\n    section: 2", '"§2"'])}
    fine["claims/c8.yaml"] = doe_claim('"§2"', "annotations: |\n  Locator: the claim summarizes the whole of §2.\n")
    root = kb({"references/_editions/doe2019.yaml": EDITION, **fine})
    code, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    assert code == 0, out
    coarse = sorted((d.path, d.line, d.column) for d in found if d.code == "coarse-locator")
    assert coarse == [("claims/c6.yaml", 7, 12), ("claims/c7.yaml", 8, 5)]
    message = next(d.message for d in found if d.code == "coarse-locator")
    assert "e.g. '§2 ¶1'" in message and "'Locator:'" in message


@pytest.mark.parametrize("text, line, column, says", [
    ("anchors:\n  S1:\n", 1, 1, "base must be the https:// URL"),
    ("base: https://arxiv.org/html/2602.23643\nanchors:\n  S1:\n", 1, 7, "names no version"),
    ("base: https://x.org/v1\nanchors:\n  S1:\n    S1.p1: Specialization is not an accident.\n", 4, 12,
     "never stores the work's text"),
    ("base: https://x.org/v1\nanchors:\n  S1:\n    S1.p1.1:\n", 4, 5, "finer ids such as S1.p1.1 are left out"),
    ("base: https://x.org/v1\nanchors:\n  S1:\n  S2:\n    S1:\n", 5, 5, "listed twice"),
    ("base: https://x.org/v1\nanchors:\n  S1:\nheadings:\n  Intro: S9\n", 5, 10, "must map to one of the anchor ids"),
    ("base: https://x.org/v1\nscheme: pdf\nanchors:\n  S1:\n", 2, 9, "scheme 'pdf' is not known"),
    ("base: https://x.org/v1\nanchor:\n  S1:\n", 2, 1, "did you mean 'anchors'?"),
    ("- S1\n- S2\n", 1, 1, "an edition maps base"),
])
def test_a_broken_edition_file_is_reported_where_it_breaks(kb, text: str, line: int, column: int, says: str) -> None:
    root = kb({"references/_editions/doe2019.yaml": text})
    found, _ = parse_output(check_inprocess(root)[1])
    assert says in find(found, f"references/_editions/doe2019.yaml:{line}:{column}: error edition-invalid").message


def test_an_edition_must_be_named_after_a_reference(kb) -> None:
    root = kb({"references/_editions/doe2091.yaml": EDITION})
    found, _ = parse_output(check_inprocess(root)[1])
    assert "did you mean 'doe2019'?" in find(found, "references/_editions/doe2091.yaml:1:1: error edition-invalid").message


def test_links_written_into_docs_pages_must_name_an_anchor(kb) -> None:
    page = ("# Notes\n\nRead [§2](https://example.org/doe2019/v1/#S2) and [§2 ¶5](https://example.org/doe2019/v1/#S2.p5),"
            " not `https://example.org/doe2019/v1/#S9` in code.\n")
    root = kb({"references/_editions/doe2019.yaml": EDITION, "docs/notes.md": page})
    found, _ = parse_output(check_inprocess(root)[1])
    line = find(found, "docs/notes.md:3:91: error unknown-anchor")
    assert "#S2.p5 names no anchor of doe2019's HTML edition" in line.message
    assert [d.code for d in found if d.path == "docs/notes.md"] == ["unknown-anchor"]


def test_docs_citation_locators_are_resolved_too(kb) -> None:
    root = kb({"references/_editions/doe2019.yaml": EDITION,
               "docs/notes.md": "# Notes\n\nAs argued [@doe2019, §2 ¶1; §2 ¶2 item 7].\n"})
    found, _ = parse_output(check_inprocess(root)[1])
    assert "has 2 items, not 7" in find(found, "docs/notes.md:3:35: error unknown-anchor").message
