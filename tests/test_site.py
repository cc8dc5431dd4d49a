"""The built site: a small knowledge base through each real engine, asserted on its HTML and search index.

Every test that reads the built site runs against both engines' output: `mkdocs build` with the claimkb plugin, and
`claimkb build --engine zensical` (render, generated configuration, `zensical build`). The fixture site is built once
per engine per session; two small extra builds cover a hostile claim (built without --strict, since the checker
rejects it) and an unknown citation key in a docs page (a strict build fails).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, Comment, Tag

from conftest import (BASE_FILES, BETA, ENGINES, REPO, build_site, find, make_kb, pagefind_docs, parse_output, run_check,
                      run_claimkb)

from claimkb.cite import formatting as cite
from claimkb.core import loader
from claimkb.site import engines, html, render
from claimkb.cli import cli_page
from claimkb.core.model import KnowledgeBase

SITE_URL = "https://fixture.example.org/"
REPO_URL = "https://github.com/example/fixture"
PREFIX = "fx"

# The base knowledge base (alpha thesis <- beta premise <- gamma evidence, delta rebuts alpha and interprets beta),
# plus: beta with a context source next to its cited one, an uncited evidence claim with annotations and tags
# supporting a second thesis, and a reference nobody cites whose first author sorts last though its key sorts first.
BETA_PLUS = BETA.replace("relations:\n", """\
  - ref: doe2019
    role: context
    locator: ch. 2
    note: Background on budgets.
relations:
""")
EPSILON = """\
title: Niche partitioning in finches
statement: Darwin's finches partition seeds by beak size, a zanzibarian pattern.
kind: evidence
domain: biology
claimed_by:
  ref: jones2021
  locator: p. 9
sources:
  - ref: doe2019
    role: context
    locator: ch. 3
    note: Editors' background reading.
relations:
  - type: supports
    target: zeta-thesis
annotations: |
  The paper gives **no citation** for this quokkaesque remark; see [[alpha-thesis]].
tags: [finches, niches]
"""
ZETA = """\
title: Brains are modular
statement: Cortex divides labour among specialised areas.
kind: thesis
domain: biology
claimed_by:
  ref: doe2019
  locator: p. 1
"""
EXTRA_BIB = """\

@book{aardvark2018,
  author = {Zimmer, Zoe},
  title = {Last by Author},
  publisher = {Example Press},
  year = {2018},
}
"""
NOTES = """\
# Notes

See [@jones2021, p. 4] and [[beta-premise]].

Literal `[@smith2020]` and `[[gamma-evidence]]` and `[@nokey-in-span]` in code.

```text
[@doe2019] and [[alpha-thesis]] and [@nokey-in-fence] in a fence
```
"""
HOSTILE = """\
title: "Evil <script>alert(1)</script> title"
statement: "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <!-- sneaky --> ![i](data:text/html,x) <a href='javascript:alert(2)'>a</a> {: onclick=alert(3) }"
kind: premise
domain: biology
claimed_by:
  ref: smith2020
  locator: "<b onmouseover=alert(1)>p</b>"
sources:
  - ref: jones2021
    note: "[n](javascript:alert(4)) <svg onload=alert(5)>"
relations:
  - type: supports
    target: alpha-thesis
    note: "<iframe src=javascript:alert(6)></iframe>"
annotations: |
  <script>alert(7)</script>

  [y]: javascript:alert(8)

  See [y] and <javascript:alert(12)>.

  ```mermaid
  graph TD; A-->B; click A "javascript:alert(9)"
  ```

  <details ontoggle=alert(10) open>x</details>
tags: ["<script>", "ok-tag", "x onload=alert(11)"]
"""


def _block(config: str, key: str) -> str:
    """One top-level block of the repository's mkdocs.yml, verbatim (it holds a !!python tag: no YAML load)."""
    m = re.search(rf"^{key}:.*?(?=^[A-Za-z_])", config, re.S | re.M)
    assert m, f"mkdocs.yml has no {key} block"
    return m.group(0)


def fixture_mkdocs_yml() -> str:
    config = (REPO / "mkdocs.yml").read_text("utf-8")
    shared = "".join(_block(config, k) for k in ("theme", "plugins", "markdown_extensions"))
    return (f"site_name: Fixture\nsite_url: {SITE_URL}\nrepo_url: {REPO_URL}\nedit_uri: edit/main/docs/\n"
            f"{shared}extra:\n  claimkb:\n    prefix: {PREFIX}\n    version: '1.0'\nnav:\n  - Home: index.md\n")


def write_fixture(tmp: Path, files: dict[str, str | None]) -> Path:
    return make_kb(tmp, {"mkdocs.yml": fixture_mkdocs_yml(), **files})


def mkdocs_build(root: Path, site: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """The MkDocs build alone (other test modules use it; the site tests here run both engines)."""
    return build_site(root, site, "mkdocs", strict=strict)


@dataclass
class Built:
    root: Path
    site: Path
    kb: KnowledgeBase

    def html(self, url: str) -> BeautifulSoup:
        """The page at a site-relative URL such as 'claims/alpha-thesis/'."""
        return BeautifulSoup((self.site / url / "index.html").read_text("utf-8"), "html.parser")

    def pages(self) -> list[Path]:
        return sorted(self.site.rglob("*.html"))

    @cached_property
    def search_docs(self) -> list[dict]:
        return pagefind_docs(self.site)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Built:
    tmp = tmp_path_factory.mktemp(f"site-{engine}")
    root = write_fixture(tmp, {
        "claims/beta-premise.yaml": BETA_PLUS,
        "claims/epsilon-evidence.yaml": EPSILON,
        "claims/zeta-thesis.yaml": ZETA,
        # A second file with a dot and an underscore, the most a name may hold (a space is unsafe-name, unread).
        "references/more_refs.v2.bib": EXTRA_BIB,
        "docs/notes.md": NOTES,
    })
    done = build_site(root, tmp / "site", engine)
    assert done.returncode == 0, done.stderr
    return Built(root, tmp / "site", loader.load(root).kb)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Built:
    tmp = tmp_path_factory.mktemp(f"hostile-{engine}")
    root = write_fixture(tmp, {"claims/evil.yaml": HOSTILE})
    done = build_site(root, tmp / "site", engine, strict=False)
    assert done.returncode == 0, done.stderr
    assert "raw-html" in done.stderr, "the checker should report the hostile claim while the build goes on"
    return Built(root, tmp / "site", loader.load(root).kb)


def article(soup: BeautifulSoup) -> Tag:
    found = soup.select_one("article.md-content__inner")
    assert found is not None
    return found


def section(soup: BeautifulSoup, heading: str, level: str = "h2") -> list[Tag]:
    """The elements after the heading with this text, up to the next heading of the same or a higher level."""
    stops = {"h1", "h2"} if level == "h2" else {"h1", "h2", "h3"}
    head = next((h for h in article(soup).find_all(level) if h.get_text(strip=True).rstrip("¶") == heading), None)
    assert head is not None, f"no {level} {heading!r}; headings: {[h.get_text(strip=True) for h in article(soup).find_all(['h2', 'h3'])]}"
    out = []
    for sib in head.find_next_siblings():
        if sib.name in stops:
            break
        # Generated HTML arrives in blocks (div.ckb-block): what a reader sees are the elements inside.
        out.extend(sib.find_all(recursive=False) if "ckb-block" in (sib.get("class") or []) else [sib])
    return out


def text_of(elements: list[Tag]) -> str:
    return " ".join(" ".join(e.get_text(" ").split()) for e in elements)


def target(page_url: str, href: str) -> str:
    """A link's target as a site-relative path ('claims/x/'), resolved from the page it is on."""
    return urlsplit(urljoin("http://site.test/" + page_url, href)).path.lstrip("/")


def claim_links(page_url: str, elements: list[Tag] | Tag) -> list[str]:
    """Claim ids linked from these elements, in order."""
    if isinstance(elements, Tag):
        elements = [elements]
    ids = []
    for e in elements:
        for a in e.find_all("a", href=True):
            m = re.fullmatch(r"claims/([a-z0-9-]+)/", target(page_url, a["href"]))
            if m:
                ids.append(m.group(1))
    return ids


def supporters(kb: KnowledgeBase, thesis: str) -> set[str]:
    """Independent of the renderer: claims from which a chain of `supports` relations reaches thesis."""
    into: dict[str, set[str]] = defaultdict(set)
    for c in kb.claims.values():
        for r in c.relations:
            if r.type == "supports":
                into[r.target].add(c.id)
    seen: set[str] = set()
    todo = deque([thesis])
    while todo:
        for source in into[todo.popleft()] - seen:
            seen.add(source)
            todo.append(source)
    return seen - {thesis}


# ---------------------------------------------------------------- claim pages


def test_claim_page_title_statement_badges(built: Built) -> None:
    url = "claims/beta-premise/"
    soup = built.html(url)
    claim = built.kb.claims["beta-premise"]
    assert article(soup).h1.get_text(strip=True).rstrip("¶") == claim.title
    assert soup.title.get_text().startswith(claim.title)
    statement = article(soup).select_one(".ckb-statement")
    assert statement is not None and " ".join(statement.get_text().split()) == claim.statement
    kind = article(soup).select_one("a.ckb-badge.ckb-kind-premise")
    domain = article(soup).select_one("a.ckb-badge.ckb-domain")
    assert kind is not None and target(url, kind["href"]) == "kinds/premise/"
    assert domain is not None and target(url, domain["href"]) == "domains/biology/"
    assert domain.get_text(strip=True) == "Biology"
    assert "beta-premise" in article(soup).get_text()


def test_claim_page_claimed_by_links_the_formatted_reference(built: Built) -> None:
    url = "claims/beta-premise/"
    part = section(built.html(url), "Claimed by")
    links = [a for e in part for a in e.find_all("a", href=True)]
    assert [target(url, a["href"]) for a in links] == ["references/smith2020/"]
    formatted = cite.format_reference(built.kb, built.kb.references["smith2020"])
    assert links[0].get_text(" ", strip=True) == formatted.rstrip(".")
    assert "§2" in text_of(part)  # the locator {section: 2}


def test_claim_page_sources_split_cited_and_context(built: Built) -> None:
    url = "claims/beta-premise/"
    part = section(built.html(url), "Sources")
    lists = [e for e in part if e.name == "ul"]
    assert len(lists) == 2, text_of(part)
    intro = [e.get_text(" ", strip=True) for e in part if e.name == "p"]
    assert any("Cited by the claiming work" in t for t in intro)
    assert any("for context" in t for t in intro)
    cited, context = lists
    assert [target(url, a["href"]) for a in cited.find_all("a")] == ["references/jones2021/"]
    assert "p. 4" in cited.get_text() and "The budget argument." in cited.get_text()
    assert [target(url, a["href"]) for a in context.find_all("a")] == ["references/doe2019/"]
    assert "ch. 2" in context.get_text() and "Background on budgets." in context.get_text()
    # The cited list comes first and the context list after its own heading paragraph.
    assert part.index(cited) < part.index(context)


def _relations(built: Built, claim_id: str) -> dict[str, list[Tag]]:
    url = f"claims/{claim_id}/"
    soup = built.html(url)
    section(soup, "Relations")  # the section exists
    groups = {}
    for h3 in article(soup).find_all("h3"):
        label = h3.get_text(strip=True).rstrip("¶")
        items = section(soup, label, "h3")
        groups[label] = [li for e in items for li in e.find_all("li")]
    return groups


def test_relations_both_ways_grouped(built: Built) -> None:
    beta = _relations(built, "beta-premise")
    alpha = _relations(built, "alpha-thesis")
    delta = _relations(built, "delta-objection")
    # beta supports alpha: "Supports" on beta, "Supported by" on alpha, the note on both.
    assert [claim_links("claims/beta-premise/", li) for li in beta["Supports"]] == [["alpha-thesis"]]
    assert "A finite budget forces trade-offs." in beta["Supports"][0].get_text()
    supported_by = {i for li in alpha["Supported by"] for i in claim_links("claims/alpha-thesis/", li)}
    assert supported_by == {"beta-premise"}
    assert "A finite budget forces trade-offs." in alpha["Supported by"][0].get_text()
    assert {i for li in beta["Supported by"] for i in claim_links("claims/beta-premise/", li)} == {"gamma-evidence"}
    # delta rebuts alpha.
    assert [claim_links("claims/delta-objection/", li) for li in delta["Rebuts"]] == [["alpha-thesis"]]
    assert [claim_links("claims/alpha-thesis/", li) for li in alpha["Rebutted by"]] == [["delta-objection"]]
    # delta interprets beta with a fidelity, shown on both sides.
    assert [claim_links("claims/delta-objection/", li) for li in delta["Interprets"]] == [["beta-premise"]]
    assert "fidelity: reframing" in " ".join(delta["Interprets"][0].get_text().split())
    assert [claim_links("claims/beta-premise/", li) for li in beta["Interpreted by"]] == [["delta-objection"]]
    assert "reframing" in beta["Interpreted by"][0].get_text()
    # beta depends-on gamma: beta rests on gamma, "Depends on" on beta, "Needed by" on gamma.
    gamma = _relations(built, "gamma-evidence")
    assert [claim_links("claims/beta-premise/", li) for li in beta["Depends on"]] == [["gamma-evidence"]]
    assert [claim_links("claims/gamma-evidence/", li) for li in gamma["Needed by"]] == [["beta-premise"]]
    assert [claim_links("claims/gamma-evidence/", li) for li in gamma["Supports"]] == [["beta-premise"]]
    # Every group holds only relations of its own type.
    assert set(beta) == {"Supports", "Depends on", "Supported by", "Interpreted by"}
    assert set(gamma) == {"Supports", "Needed by"}
    assert {"Supported by", "Rebutted by"} <= set(alpha)
    assert "Supports" not in alpha and "Rebuts" not in alpha and "Needed by" not in alpha


def test_claim_page_annotations_and_tags(built: Built) -> None:
    url = "claims/epsilon-evidence/"
    soup = built.html(url)
    notes = section(soup, "Editorial notes")
    assert any(e.find("strong", string="no citation") for e in notes)
    assert claim_links(url, notes) == ["alpha-thesis"]  # [[id]] in annotations becomes a link
    tags = section(soup, "Tags")
    assert [c.get_text() for e in tags for c in e.find_all("code")] == ["finches", "niches"]


def test_claim_page_neighbourhood_figure(built: Built, engine: str) -> None:
    url = "claims/beta-premise/"
    figures = article(built.html(url)).select("figure.ckb-hood")
    assert len(figures) == 1
    figure = figures[0]
    focus = figure.select_one(".ckb-hood-focus")
    assert " ".join(focus.get_text(" ").split()).endswith(built.kb.claims["beta-premise"].title)

    def band(cls: str) -> dict[str, str]:
        """neighbour id -> its relation label, for the boxes of one band; each neighbour is one box, one link."""
        boxes = figure.select(f".{cls} li a.ckb-hood-node")
        ids = [target(url, a["href"]).split("/")[1] for a in boxes]
        assert len(ids) == len(set(ids)), ids
        return {i: a.select_one(".ckb-hood-relation").get_text() for i, a in zip(ids, boxes)}

    # Above: what beta bears on. Below: what bears on it, and what it depends on (read as support).
    assert band("ckb-hood-up") == {"alpha-thesis": "supported by this claim"}
    assert band("ckb-hood-down") == {"gamma-evidence": "supports this claim; needed by this claim",
                                     "delta-objection": "interprets this claim"}
    for a in figure.select("a.ckb-hood-node"):  # every title whole: the box holds the claim's full title
        claim = built.kb.claims[target(url, a["href"]).split("/")[1]]
        assert a.select_one(".ckb-hood-title").get_text() == claim.title
        assert not a.get_text().rstrip().endswith("…")


def test_claim_page_cite_section(built: Built) -> None:
    soup = built.html("claims/epsilon-evidence/")
    part = section(soup, "Cite")
    codes = [c.get_text() for e in part for c in e.select("pre code")]
    assert len(codes) == 2, codes
    bibtex, csl = codes
    assert bibtex.startswith(f"@misc{{{PREFIX}:epsilon-evidence,")
    assert f"{SITE_URL}claims/epsilon-evidence/" in bibtex
    data = json.loads(csl)
    assert data["id"] == f"{PREFIX}:epsilon-evidence"
    assert data["title"] == "Niche partitioning in finches"
    assert data["URL"] == f"{SITE_URL}claims/epsilon-evidence/"
    labels = [lab.get_text() for e in part for lab in e.select(".tabbed-labels label")]
    assert labels == ["BibTeX", "CSL-JSON"]


def test_uncited_evidence_note_only_where_no_source_is_cited(built: Built) -> None:
    def has_note(claim_id: str) -> bool:
        titles = article(built.html(f"claims/{claim_id}/")).select(".admonition .admonition-title")
        return any("No source cited" in t.get_text() for t in titles)

    assert has_note("epsilon-evidence")  # evidence, only a context source
    assert not has_note("gamma-evidence")  # evidence with a cited source
    assert not has_note("beta-premise")  # not evidence


def test_claim_and_reference_edit_links_open_their_data_files(built: Built) -> None:
    def edit(url: str) -> str:
        links = built.html(url).select('a[rel="edit"]')
        assert len(links) == 1, url
        return links[0]["href"]

    assert edit("claims/delta-objection/") == f"{REPO_URL}/edit/main/claims/sub/delta-objection.yaml"
    assert edit("claims/alpha-thesis/") == f"{REPO_URL}/edit/main/claims/alpha-thesis.yaml"
    assert edit("references/smith2020/") == f"{REPO_URL}/edit/main/references/main.bib"
    assert edit("notes/") == f"{REPO_URL}/edit/main/docs/notes.md"  # a hand-written page keeps its docs path
    assert edit("references/aardvark2018/") == f"{REPO_URL}/edit/main/references/more_refs.v2.bib"
    view = built.html("claims/delta-objection/").select("a.md-content__button:not([rel])")
    assert [a["href"] for a in view] == [f"{REPO_URL}/raw/main/claims/sub/delta-objection.yaml"]
    # Generated pages without a file of their own offer no edit link (there is no docs/map.md to edit).
    for url in ("map/", "matrix/", "claims/", "domains/biology/", "kinds/thesis/", "cite/", "bibliography/"):
        assert built.html(url).select('a[rel="edit"]') == [], url


# ---------------------------------------------------------------- reference, domain, kind pages


def test_reference_pages_link_back_to_every_claim(built: Built) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for c in built.kb.claims.values():
        for ref in ([c.claimed_by] if c.claimed_by else []) + list(c.sources):
            expected[ref.ref].add(c.id)
    for key in built.kb.references:
        url = f"references/{key}/"
        linked = claim_links(url, section(built.html(url), "Claims"))
        assert set(linked) == expected[key], key
        assert len(linked) == len(set(linked)), f"{key}: a claim is listed twice"
    assert "No claim cites this work yet." in article(built.html("references/aardvark2018/")).get_text()


def test_reference_page_groups_claimed_and_cited(built: Built) -> None:
    url = "references/jones2021/"
    soup = built.html(url)
    assert set(claim_links(url, section(soup, "Claims made by this work", "h3"))) == {"delta-objection", "epsilon-evidence"}
    assert claim_links(url, section(soup, "Claims citing this work", "h3")) == ["beta-premise"]
    assert article(soup).h1.get_text(strip=True).rstrip("¶") == "The Case for Generality"


def test_reference_page_external_links(built: Built) -> None:
    hrefs = {a["href"] for a in article(built.html("references/smith2020/")).find_all("a", href=True)}
    assert "https://doi.org/10.1234/jex.2020.1" in hrefs
    hrefs = {a["href"] for a in article(built.html("references/jones2021/")).find_all("a", href=True)}
    assert {"https://arxiv.org/abs/2101.00001", "https://example.org/jones2021"} <= hrefs


@pytest.mark.parametrize("section_name", ["domains", "kinds"])
def test_domain_and_kind_pages_list_exactly_their_claims(built: Built, section_name: str) -> None:
    terms = built.kb.domains if section_name == "domains" else built.kb.kinds
    for key in terms:
        url = f"{section_name}/{key}/"
        members = {c.id for c in built.kb.claims.values() if (c.domain if section_name == "domains" else c.kind) == key}
        linked = claim_links(url, article(built.html(url)))
        assert set(linked) == members, url
        assert len(linked) == len(members), f"{url}: a claim is listed twice"
    index = f"{section_name}/"
    assert {target(index, a["href"]) for a in article(built.html(index)).find_all("a", href=True)
            if not a["href"].startswith("#")} >= {f"{section_name}/{k}/" for k in terms}


def test_claims_index_lists_every_claim(built: Built) -> None:
    assert set(claim_links("claims/", article(built.html("claims/")))) == set(built.kb.claims)


# ---------------------------------------------------------------- matrix, map, bibliography


def test_matrix_cells_hold_exactly_the_domain_claims_that_reach_the_thesis(built: Built) -> None:
    url = "matrix/"
    soup = built.html(url)
    table = article(soup).find("table", class_="ckb-heat")
    header = [target(url, a["href"]) for a in table.thead.find_all("a")]
    assert header == [f"domains/{d}/" for d in built.kb.domains]
    theses = {c.id for c in built.kb.claims.values() if c.kind == "thesis"}
    rows = {}
    for tr in table.tbody.find_all("tr"):
        rows[claim_links(url, tr.th)[0]] = tr.find_all("td")
    assert set(rows) == theses
    checked = 0
    columns: dict[str, set[str]] = defaultdict(set)
    for thesis in theses:
        reach = supporters(built.kb, thesis)
        assert len(rows[thesis]) == len(built.kb.domains) + 1  # a cell a domain, and the row's total
        for column, domain in enumerate(built.kb.domains):
            want = {c for c in reach if built.kb.claims[c].domain == domain}
            columns[domain] |= want
            cell = rows[thesis][column]
            assert cell.select_one(".ckb-heat-n").get_text() == str(len(want)), (thesis, domain)
            assert f"ckb-heat-{min(5, len(want).bit_length())}" in cell["class"]  # shaded by the count
            if not want and not cell.select(".ckb-heat-against"):
                assert cell.find("a") is None and "ckb-heat-empty" in cell["class"]
                continue
            anchor = cell.find("a")["href"]
            assert anchor == f"#{thesis}--{domain}"
            listed = _cell_list(soup, anchor[1:])
            supporting = {i for li in listed if not li.get_text().startswith("rebuts:") for i in claim_links(url, li)}
            assert supporting == want, (thesis, domain)
            checked += 1
        assert rows[thesis][-1].select_one(".ckb-heat-n").get_text() == str(len(reach))  # the row total
    assert checked >= 2
    totals = table.tfoot.find_all("td")  # column totals: distinct claims of the domain behind any thesis
    assert [t.select_one(".ckb-heat-n").get_text() for t in totals[:-1]] == [str(len(columns[d])) for d in built.kb.domains]
    # The rebuttal of alpha-thesis from machine learning is counted apart, as claims against, and listed as such.
    alpha_ml = rows["alpha-thesis"][list(built.kb.domains).index("machine-learning")]
    assert alpha_ml.select_one(".ckb-heat-n").get_text() == "0"
    assert alpha_ml.select_one(".ckb-heat-against").get_text() == "1 against"
    rebuts = [li for li in _cell_list(soup, "alpha-thesis--machine-learning") if li.get_text().startswith("rebuts:")]
    assert [claim_links(url, li) for li in rebuts] == [["delta-objection"]]


def _cell_list(soup: BeautifulSoup, anchor: str) -> list[Tag]:
    head = article(soup).find(id=anchor)
    assert head is not None and head.name == "h3", anchor
    out = []
    for sib in head.find_next_siblings():
        if sib.name in ("h1", "h2", "h3"):
            break
        out.extend(sib.find_all("li"))
    return out


def test_argument_map_explorer_data_holds_every_claim_and_relation(built: Built) -> None:
    url = "map/"
    soup = built.html(url)
    explorer = article(soup).select_one(".ckb-explorer")
    data_url = urljoin(f"https://x/{url}", explorer["data-graph"])
    data = json.loads((built.site / urlsplit(data_url).path.lstrip("/")).read_text("utf-8"))
    ids = [n[0] for n in data["nodes"]]
    assert sorted(ids) == sorted(built.kb.claims)
    for node in data["nodes"]:
        claim = built.kb.claims[node[0]]
        assert node[1] == claim.title
        assert data["kinds"][node[2]][0] == claim.kind and data["domains"][node[3]][0] == claim.domain
        assert all(isinstance(v, int) for v in node[2:])  # indexes and integer positions keep the file small
    edges = {(ids[s], data["relations"][r], ids[t]) for s, t, r in zip(*[iter(data["edges"])] * 3)}
    assert edges == {(c.id, r.type, r.target) for c in built.kb.claims.values() for r in c.relations}
    rows = {n[0]: n[5] for n in data["nodes"]}
    for source, rel, target_id in edges:  # what a claim bears on (and what it depends on) is drawn above it
        above, below = (source, target_id) if rel == "depends-on" else (target_id, source)
        assert rows[above] < rows[below], (source, rel, target_id)
    theses = [c.id for c in built.kb.claims.values() if c.kind == "thesis"]
    assert [ids[i] for i in data["theses"]] == sorted(theses, key=lambda t: (-len(supporters(built.kb, t)), t))
    # Claim pages are where the URL template says; the page loads its own scripts, which exist.
    page = urljoin(f"https://x/{url}", data["url"].replace("{id}", "beta-premise"))
    assert (built.site / urlsplit(page).path.lstrip("/") / "index.html").is_file()
    for script in explorer.find_all("script"):
        assert (built.site / urlsplit(urljoin(f"https://x/{url}", script["src"])).path.lstrip("/")).is_file()
    text = json.loads((built.site / "data/argument-text.json").read_text("utf-8"))
    assert text["statements"][ids.index("beta-premise")] == " ".join(built.kb.claims["beta-premise"].statement.split())
    # The text alternative: every thesis with every claim leading to it.
    for thesis in (c for c in built.kb.claims.values() if c.kind == "thesis"):
        listed = set()
        for heading in article(soup).find_all("h3"):
            if heading.get_text().rstrip("¶").strip() == thesis.title:
                for sib in heading.find_next_siblings():
                    if sib.name in ("h2", "h3"):
                        break
                    listed |= set(claim_links(url, sib))
        assert supporters(built.kb, thesis.id) <= listed, thesis.id


def test_bibliography_lists_every_reference_alphabetically(built: Built) -> None:
    url = "bibliography/"
    items = article(built.html(url)).find("ul").find_all("li")
    keys = [target(url, li.a["href"]).split("/")[1] for li in items]
    assert keys == ["doe2019", "jones2021", "smith2020", "aardvark2018"]  # Doe, Jones, Smith, Zimmer
    assert set(keys) == set(built.kb.references)


# ---------------------------------------------------------------- hand-written docs pages


def test_docs_shortcodes_render_links_outside_code(built: Built) -> None:
    url = "notes/"
    soup = article(built.html(url))
    links = {target(url, a["href"]): a.get_text(" ", strip=True) for a in soup.find_all("a", href=True)
             if not a["href"].startswith(("#", "http"))}
    assert links == {"references/jones2021/": "Jones 2021, p. 4", "claims/beta-premise/": "Resources are finite"}
    spans = [c.get_text() for c in soup.find_all("code") if not c.find_parent("pre")]
    assert spans == ["[@smith2020]", "[[gamma-evidence]]", "[@nokey-in-span]"]
    fence = soup.find("pre").get_text()
    assert "[@doe2019] and [[alpha-thesis]] and [@nokey-in-fence] in a fence" in fence
    home = article(built.html(""))
    assert {target("", a["href"]) for a in home.find_all("a", href=True) if not a["href"].startswith(("#", "http"))} \
        == {"claims/alpha-thesis/", "references/smith2020/"}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_unknown_docs_key_fails_strict_build_and_check(tmp_path: Path, engine_name: str) -> None:
    page = "# Page\n\nSome text.\n\nSee [@nokey] here,\nand also [[no-such-claim]].\n"
    root = write_fixture(tmp_path, {"docs/page.md": page})
    done = build_site(root, tmp_path / "site", engine_name)
    assert done.returncode != 0
    assert "docs/page.md:5:5: error docs-unknown-reference" in done.stderr
    assert "docs/page.md:6:10: error docs-unknown-claim" in done.stderr
    code, out, _ = run_check(root)
    found, _ = parse_output(out)
    assert code == 1
    find(found, "docs/page.md:5:5: error docs-unknown-reference", "[@nokey]")
    find(found, "docs/page.md:6:10: error docs-unknown-claim", "[[no-such-claim]]")


# ---------------------------------------------------------------- navigation, search, privacy


def test_claim_and_reference_pages_stay_out_of_the_navigation(built: Built) -> None:
    for url in ("", "claims/alpha-thesis/"):
        soup = built.html(url)
        navs = soup.select("nav.md-nav--primary, nav.md-tabs")
        assert navs, "Material's primary navigation is missing"
        for nav in navs:
            for a in nav.find_all("a", href=True):
                assert not re.match(r"(claims|references)/[^/]+/", target(url, a["href"])), (url, a["href"])


def test_search_index_finds_claims_and_references(built: Built) -> None:
    docs = {d["url"]: d for d in built.search_docs}
    claim_page = docs["/claims/epsilon-evidence/"]
    assert claim_page["meta"]["title"] == "Niche partitioning in finches"
    text = claim_page["content"]
    assert "zanzibarian" in text and "epsilon-evidence" in text and "biology" in text.lower()
    assert "quokkaesque" in text  # annotations
    assert "finches" in text and "niches" in text  # tags
    assert "@misc{" not in text, "the Cite tabs' BibTeX is left out of the index"
    ref_page = docs["/references/jones2021/"]
    assert "jones2021" in ref_page["content"] and "Jones" in ref_page["content"]
    assert "generality" in ref_page["meta"]["title"].lower()
    # Every page of the site is searchable, and nothing else: one fragment per page, the 404 page excepted.
    pages = {"/" + p.parent.relative_to(built.site).as_posix() + "/" for p in built.site.rglob("index.html")}
    assert set(docs) == {p.replace("/./", "/") for p in pages}


def test_search_box_is_the_sites_own_and_no_whole_site_index_ships(built: Built) -> None:
    soup = built.html("claims/alpha-thesis/")
    box = soup.select_one("[data-claimkb-search]")
    assert box is not None and box.get("role") == "dialog" and box.get("aria-label"), "the search dialog has a name"
    assert box.find("input", class_="md-search__input") is not None
    assert target("claims/alpha-thesis/", box["data-claimkb-search"]) == "pagefind/pagefind.js"
    assert (built.site / "pagefind" / "pagefind.js").is_file()
    # Neither engine's own search may run: it would download an index of the whole site on every visit.
    assert soup.find("form", attrs={"name": "search"}) is None
    assert soup.select('[data-md-component="search"]') == []
    assert not (built.site / "search" / "search_index.json").exists()
    zensical_index = built.site / "search.json"  # Zensical writes one with its search off: it must be empty
    assert not zensical_index.exists() or json.loads(zensical_index.read_text("utf-8"))["items"] == []
    scripts = [target("claims/alpha-thesis/", s["src"]) for s in soup.find_all("script", src=True)]
    assert "assets/claimkb/search.js" in scripts
    assert "assets/claimkb/vendor/mermaid/mermaid.min.js" not in scripts, "Mermaid loads only where a diagram is"


EXTERNAL_ATTRIBUTES = (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                       ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href"))


def test_no_request_to_other_hosts(built: Built) -> None:
    site_host = urlsplit(SITE_URL).netloc
    problems = []
    for path in built.pages():
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for tag, attr in EXTERNAL_ATTRIBUTES:
            for el in soup.find_all(tag):
                value = el.get(attr) or el.get("xlink:href") or ""
                parts = urlsplit(value)
                if not parts.scheme and not parts.netloc:
                    continue  # relative: served by the site itself
                if tag == "link" and "canonical" in (el.get("rel") or []) and parts.netloc == site_host:
                    continue
                problems.append(f"{path.relative_to(built.site)}: <{tag} {attr}={value!r}>")
        for el in soup.find_all(style=True):
            if re.search(r"url\(\s*['\"]?(https?:)?//", el["style"]):
                problems.append(f"{path.relative_to(built.site)}: style {el['style']!r}")
        # Material's repository widget would ask api.github.com for stars and forks from the reader's browser.
        for el in soup.select('[data-md-component="source"]'):
            problems.append(f"{path.relative_to(built.site)}: repository widget {el.get('href')!r} fetches facts from GitHub")
    assert problems == []
    assert built.html("").select_one(f'a.md-source[href="{REPO_URL}"]'), "the plain repository link stays"
    for path in built.site.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".json", ".xml"):
            text = path.read_text("utf-8", errors="replace")
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path
    for css in built.site.rglob("*.css"):
        external = re.findall(r"(?:@import\s+|url\()\s*['\"]?((?:https?:)?//[^'\")\s]+)", css.read_text("utf-8"))
        assert external == [], css


# ---------------------------------------------------------------- untrusted text


def test_hostile_claim_is_inert_everywhere(built: Built, hostile: Built) -> None:
    # Material's own scripts, as they appear on the clean site's pages, are the only scripts allowed.
    def scripts(soup: BeautifulSoup) -> set[tuple[str, str]]:
        # JSON-LD is data, not code: it must parse (test_metadata checks what it says); all other scripts are Material's.
        for data in soup.find_all("script", type="application/ld+json"):
            json.loads(data.get_text())
        return {(s.get("src", ""), s.get_text()) for s in soup.find_all("script") if s.get("type") != "application/ld+json"}

    allowed: set[tuple[str, str]] = set()
    for path in built.pages():
        allowed |= scripts(BeautifulSoup(path.read_text("utf-8"), "html.parser"))
    seen_evil = 0
    for path in hostile.pages():
        rel = path.relative_to(hostile.site).as_posix()
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        if "alert(" in soup.get_text():
            seen_evil += 1
        assert scripts(soup) <= allowed, (rel, scripts(soup) - allowed)
        for el in soup.find_all(True):
            for name, value in el.attrs.items():
                assert not name.lower().startswith("on"), (rel, el.name, name)
                for v in value if isinstance(value, list) else [value]:
                    cleaned = re.sub(r"[\x00-\x20]+", "", str(v)).lower()
                    assert not cleaned.startswith(("javascript:", "data:", "vbscript:")), (rel, el.name, name, v)
        for tag in ("iframe", "svg script", "details[ontoggle]", "object", "embed"):
            assert not article_or_none(soup, tag), (rel, tag)
        for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
            assert "sneaky" not in comment, rel
    assert seen_evil >= 1  # the hostile text did reach the site, as text
    page = hostile.html("claims/evil/")
    text = " ".join(article(page).get_text(" ").split())
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text  # shown, not run
    assert not article(page).select(".mermaid")  # the annotations' mermaid fence did not become a diagram


def article_or_none(soup: BeautifulSoup, selector: str) -> list[Tag]:
    found = soup.select_one("article.md-content__inner")
    return found.select(selector) if found else []


# ---------------------------------------------------------------- `claimkb render`


def test_render_command_writes_the_pages_the_build_used(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    code, lines, err = run_claimkb("render", "--root", built.root, "--out", out)
    assert code == 0, err
    # The rendered tree is for Zensical, which reads links in raw HTML as source paths (html.Urls).
    site = render.render(loader.load(built.root).kb, {"reference/cli.md": cli_page()}, urls=html.Urls("source"))
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == set(site.pages) | set(site.files) | set(render.assets())
    page = "claims/epsilon-evidence.md"
    assert (out / page).read_text("utf-8") == engines.annotate(site)[page]
    assert 'claimkb_source: "claims/epsilon-evidence.yaml"' in (out / page).read_text("utf-8")
    for page in site.pages:  # the MkDocs build made an HTML page of every one of them
        url = page[:-3] + "/" if not page.endswith("index.md") else page[: -len("index.md")]
        assert (built.site / url / "index.html").is_file(), page


def test_render_command_refuses_to_write_into_claims(built: Built) -> None:
    before = sorted(p.relative_to(built.root).as_posix() for p in (built.root / "claims").rglob("*"))
    code, _, err = run_claimkb("render", "--root", built.root, "--out", built.root / "claims" / "out")
    assert code == 2
    assert "refusing to write into claims/" in err
    assert sorted(p.relative_to(built.root).as_posix() for p in (built.root / "claims").rglob("*")) == before
