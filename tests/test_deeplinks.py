"""Deep links on the site: claim pages, docs shortcodes and citations link to the exact passage of a work's HTML
edition, through the real MkDocs build and `claimkb render --with-docs`; generated blocks count from the data. The
repository: every paper claim reaches a passage (or says why not), every deep link of the built site is an anchor
of the stored edition, and the article-versus-paper counts are the data's."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ENGINES, REPO, build_site, run_claimkb
from test_editions import EDITION as DOE_EDITION
from test_site import article, write_fixture

from claimkb.core import editions, loader
from claimkb.core.model import FIDELITIES, Reference
from claimkb.site import blocks, passages

SMITH_BASE = "https://example.org/smith2020/v2/"
SMITH_EDITION = f"""\
base: {SMITH_BASE}
anchors:
  S1:
    S1.p1:
  S2:
    S2.p1:
    S2.p2:
      S2.I1:
        S2.I1.i1:
        S2.I1.i2:
  S3:
    S3.T1:
"""
ETA = """\
title: Two notions of generality
statement: Generality is claimed in two senses.
kind: premise
domain: biology
claimed_by:
  ref: smith2020
  locator: "§2 ¶2 item 2 (the second notion)"
sources:
  - ref: doe2019
    locator: "§2 ¶1"
    note: The book's version.
  - ref: jones2021
    locator: p. 4
"""
NOTES = """\
# Notes

The second notion is [[eta-claim]]; the thesis is [[alpha-thesis]]. Smith and Lee argue it
[@smith2020, §2 ¶1; §3 Table 1], Jones too [@jones2021, p. 4], and `[@smith2020, §2 ¶2]` stays code.

The grades:

[[generated:fidelity-counts]]
"""


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture(tmp_path_factory.mktemp("deeplinks"), {
        "references/_editions/smith2020.yaml": SMITH_EDITION,
        "references/_editions/doe2019.yaml": DOE_EDITION,
        "claims/eta-claim.yaml": ETA,
        "docs/notes.md": NOTES,
    })


@pytest.fixture(scope="module", params=ENGINES)
def site(fixture_root: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    out = tmp_path_factory.mktemp(f"deeplinks-site-{request.param}") / "site"
    done = build_site(fixture_root, out, request.param)
    assert done.returncode == 0, done.stderr
    return out


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def test_claim_page_reads_the_passage_in_the_paper_next_to_each_citation(site: Path) -> None:
    body = article(page(site, "claims/eta-claim"))
    claimed = body.find("h2", id="claimed-by").find_next("p")
    link = claimed.find("a", class_="ckb-passage")
    assert link.get_text() == "Read this passage in the paper"  # smith2020 is an @article
    assert link["href"] == f"{SMITH_BASE}#S2.I1.i2"
    assert "§2 ¶2 item 2 (the second notion)" in claimed.get_text()
    sources = body.find("h2", id="sources").find_next("ul").find_all("li")
    book = sources[0].find("a", class_="ckb-passage")
    assert (book.get_text(), book["href"]) == ("Read this passage in the book", "https://example.org/doe2019/v1/#S2.p1")
    assert sources[1].find("a", class_="ckb-passage") is None  # jones2021 has no edition


def test_a_section_level_locator_reads_the_section(site: Path) -> None:
    claimed = article(page(site, "claims/alpha-thesis")).find("h2", id="claimed-by").find_next("p")
    link = claimed.find("a", class_="ckb-passage")
    assert (link.get_text(), link["href"]) == ("Read this section in the paper", f"{SMITH_BASE}#S1")


def test_docs_shortcodes_link_the_place_and_citations_link_their_locator(site: Path) -> None:
    body = article(page(site, "notes"))
    first = body.find("p", string=None)
    # A place's parts are joined by no-break spaces, so a link such as "§2 ¶2 item 2" never breaks over lines.
    links = [(a.get_text().replace("\xa0", " "), a["href"], a.get("title")) for a in first.find_all("a")]
    assert first.find_all("a")[1].get_text() == "§2\xa0¶2\xa0item\xa02"
    assert links == [
        ("Two notions of generality", "../claims/eta-claim/", None),
        ("§2 ¶2 item 2", f"{SMITH_BASE}#S2.I1.i2", "Read this passage in the paper"),
        ("Specialization wins", "../claims/alpha-thesis/", None),
        ("§1", f"{SMITH_BASE}#S1", "Read this section in the paper"),
        ("Smith and Lee 2020", "../references/smith2020/", None),
        ("§2 ¶1", f"{SMITH_BASE}#S2.p1", "Read this passage in the paper"),  # the first place is the one linked
        ("Jones 2021, p. 4", "../references/jones2021/", None),
    ]
    assert "[@smith2020, §2 ¶2]" in first.find("code").get_text()


def test_the_generated_block_counts_from_the_data_in_both_engines(site: Path, fixture_root: Path, tmp_path: Path) -> None:
    table = article(page(site, "notes")).find("table")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
    # The base knowledge base has one interprets relation: delta-objection interprets beta-premise, reframing.
    assert rows == [["faithful", "0", "0"], ["reframing", "1", "1"], ["addition", "0", "0"],
                    ["overstatement", "0", "0"], ["All", "1", "1"]]
    code, _, err = run_claimkb("render", "--out", tmp_path / "tree", "--with-docs", "--root", fixture_root)
    assert code == 0, err
    rendered = (tmp_path / "tree/notes.md").read_text("utf-8")
    assert "[[generated:" not in rendered and "| reframing | 1 | 1 |" in rendered
    # The place arrives as inline HTML built by claimkb, linked to its passage, its text inert to Markdown.
    assert f'<a href="{SMITH_BASE}#S2.p1" title="Read this passage in the paper" class="ckb-passage">§2&nbsp;¶1</a>' in rendered


def test_work_names_follow_the_entry_type(fixture_root: Path) -> None:
    kb = loader.load(fixture_root).kb
    assert passages.work_name(kb.references["smith2020"]) == "the paper"
    assert passages.work_name(kb.references["doe2019"]) == "the book"
    assert passages.work_name(kb.references["jones2021"]) == "the paper"  # a @misc with an arXiv eprint
    blog = Reference("blog2026", "references/x.bib", 1, 1, "misc", (("title", "Why Specialization Is Inevitable"),), ())
    assert passages.work_name(blog) == "the source"
    short = Reference("blog2026", "references/x.bib", 1, 1, "misc", (("shorttitle", "{Inevitable}"),), ())
    assert passages.work_name(short) == "“Inevitable”"
    assert passages.work_name(None) == "the source"


# --- The repository ---------------------------------------------------------------------------------------------

KB = loader.load(REPO).kb
PAPER_KEY = "goldfeder2026sai"
PAPER = KB.editions[PAPER_KEY]


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("repo-deeplinks") / "site"
    done = build_site(REPO, out, "mkdocs", strict=False)
    assert done.returncode == 0, done.stderr
    return out


def paper_claims() -> list:
    return sorted((c for c in KB.claims.values() if c.claimed_by and c.claimed_by.ref == PAPER_KEY), key=lambda c: c.id)


def test_every_paper_claim_points_at_a_passage_or_says_why_not() -> None:
    claims = paper_claims()
    assert len(claims) >= 80
    coarse = []
    for claim in claims:
        locator = claim.claimed_by.locator
        if locator is None or locator.parsed is None:
            coarse.append(f"{claim.id}: {locator} is not in the locator grammar")
            continue
        found = editions.resolve(PAPER, locator.parsed.first)
        if found.problem:
            coarse.append(f"{claim.id}: {locator}: {found.problem}")
        elif not found.passage and not (claim.annotations and editions.LOCATOR_REASON_RE.search(claim.annotations)):
            coarse.append(f"{claim.id}: {locator}")
    assert not coarse, ("paper claims whose locator names no passage of the HTML edition, and whose annotations "
                        "do not say why in a 'Locator:' paragraph:\n" + "\n".join(coarse))


def test_every_paper_claim_page_links_its_passage(repo_site: Path) -> None:
    wrong = []
    for claim in paper_claims():
        parsed = claim.claimed_by.locator.parsed if claim.claimed_by.locator else None
        found = editions.resolve(PAPER, parsed.first) if parsed else None
        body = article(page(repo_site, f"claims/{claim.id}"))
        link = body.find("h2", id="claimed-by").find_next("p").find("a", class_="ckb-passage")
        if found is None or found.anchor is None or link is None:
            wrong.append(f"{claim.id}: no link for locator {claim.claimed_by.locator}")
        elif (link["href"], link.get_text()) != (PAPER.url(found.anchor),
                                                  f"Read this {'passage' if found.passage else 'section'} in the paper"):
            wrong.append(f"{claim.id}: {link['href']} {link.get_text()!r}")
    assert not wrong, "\n".join(wrong)


def _edition_links(text: str) -> list[str]:
    return re.findall(re.escape(PAPER.base) + r"#([^\s\"')\]<>]*)", text)


def test_every_deep_link_of_the_built_site_is_an_anchor_of_the_stored_edition(repo_site: Path, tmp_path: Path) -> None:
    linked = Counter(a for html in repo_site.rglob("*.html") for a in _edition_links(html.read_text("utf-8")))
    assert sum(linked.values()) >= len(paper_claims()), "fewer deep links than paper claims"
    assert set(linked) <= set(PAPER.parents), sorted(set(linked) - set(PAPER.parents))
    # The tree other engines build from (claimkb render --with-docs) links the same anchors.
    code, _, err = run_claimkb("render", "--out", tmp_path / "tree", "--with-docs", "--force")
    rendered = Counter(a for md in (tmp_path / "tree").rglob("*.md") for a in _edition_links(md.read_text("utf-8")))
    assert set(rendered) <= set(PAPER.parents), sorted(set(rendered) - set(PAPER.parents))
    assert set(rendered) == set(linked)


def _article_claims() -> list[dict]:
    """The article's claims read straight from their files, independently of the loader."""
    files = sorted((REPO / "claims/article").glob("*.yaml"))
    return [yaml.safe_load(f.read_text("utf-8")) | {"id": f.stem} for f in files]


def _grades(claim: dict) -> list[str]:
    return [r["fidelity"] for r in claim.get("relations") or [] if r.get("type") == "interprets" and r.get("fidelity")]


def test_article_vs_paper_counts_are_computed_not_typed(repo_site: Path) -> None:
    source = (REPO / "docs/article-vs-paper.md").read_text("utf-8")
    assert "[[generated:fidelity-counts]]" in source
    numbers = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty\S*"
    typed = re.findall(rf"\b(?:{numbers})\s+(?:{'|'.join(FIDELITIES)})", source, re.I)
    assert not typed, f"docs/article-vs-paper.md types counts the data can contradict: {typed}"
    graded = [g for g in map(_grades, _article_claims()) if g]
    first = Counter(g[0] for g in graded)
    every = Counter(x for g in graded for x in g)
    table = next(t for t in article(page(repo_site, "article-vs-paper")).find_all("table")
                 if "Fidelity" in t.find("tr").get_text() and "relations" in t.find("tr").get_text())
    rows = {tr.find_all("td")[0].get_text(strip=True): [int(td.get_text(strip=True)) for td in tr.find_all("td")[1:]]
            for tr in table.find_all("tr")[1:]}
    assert rows == {**{g: [first[g], every[g]] for g in FIDELITIES}, "All": [len(graded), sum(every.values())]}
    assert len(graded) == len(_article_claims()) >= 20


def test_article_vs_paper_table_grades_are_the_claims_first_grades() -> None:
    source = (REPO / "docs/article-vs-paper.md").read_text("utf-8")
    rows = re.findall(r"^\| \[\[([a-z0-9-]+)\]\] \| (\w+) \|", source, re.M)
    grades = {c["id"]: _grades(c) for c in _article_claims()}
    assert len(rows) == len(grades)
    for claim_id, grade in rows:
        assert grades[claim_id][0] == grade, f"{claim_id}: the table says {grade}, the claim {grades[claim_id][0]}"


def test_the_block_grades_the_claims_the_files_grade() -> None:
    rows = {c.id: list(grades) for c, grades in blocks.graded(KB)}
    assert rows == {c["id"]: _grades(c) for c in _article_claims() if _grades(c)}
