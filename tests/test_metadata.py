"""Page metadata for harvesters, read by real consumers: extruct (JSON-LD, Dublin Core) and Zotero's own selectors.

The repository's site is built once with `mkdocs build --strict`, and every claim and reference page is read back:
its Highwire Press tags the way Zotero's Embedded Metadata translator finds them (`html > head > meta[name=...]`,
on the tree extruct parses; extruct has no Highwire syntax of its own), its JSON-LD and Dublin Core with extruct.
The values must equal what `claimkb cite` prints. A second build holds hostile titles, statements, tags and BibTeX
fields: the head must carry them exactly, as data, and nothing may break out of an attribute or the script.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import extruct
import html5lib
import pytest
import yaml
from extruct.utils import parse_html
from hypothesis import given, settings
from hypothesis import strategies as st

from claimkb.cite import formatting as cite
from claimkb.cite import linked, metadata
from claimkb.core import loader
from claimkb.core.model import KnowledgeBase
from claimkb.site import head, render
from conftest import BASE_FILES, REPO, SCRIPTS, make_kb, run_claimkb
from test_cite import CITE_BIB, SPECIAL
from test_hostile import build_site

TEMPLATES = SCRIPTS / "claimkb/site/templates"

HOSTILE_TITLE = "</script><script>alert(1)</script> \"dq\" & 'sq' <!-- é 🙂 \u2028 end"
# YAML escapes the line separator (a raw one would fold), and writes the emoji as itself: PyYAML refuses the \u
# escapes of a surrogate pair, which is also why the head is ASCII (see site/head.py).
_YAML_TITLE = json.dumps(HOSTILE_TITLE, ensure_ascii=False).replace("\u2028", "\\u2028")
HOSTILE_CLAIM = f"""\
title: {_YAML_TITLE}
statement: "Ends in </SCRIPT >, a {{{{ jinja }}}} pair and <meta name=citation_title content=x>"
kind: premise
domain: biology
claimed_by:
  ref: hostile2024
  locator: "§1"
sources:
  - ref: openai2023gpt4
    role: cited
tags: ["</script>", "a\\"b"]
"""
HOSTILE_BIB = """\

@article{hostile2024,
  author = {O'Brien, Seán and {</script> Lab}},
  title = {Bold </script><b onclick="x">Bold</b> \\& {"quotes"}},
  journal = {Journal of <i>Tags</i>},
  year = {2024},
  doi = {10.1234/a(b)<c>},
}
"""


def _env() -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")])))
    env.pop("CLAIMKB_VERSION", None)
    return env


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("repo-site") / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(REPO / "mkdocs.yml"),
                           "-d", str(site)], capture_output=True, text=True, env=_env(), timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KnowledgeBase]:
    root = make_kb(tmp_path_factory.mktemp("hostile-meta"), {
        "references/main.bib": BASE_FILES["references/main.bib"] + CITE_BIB + HOSTILE_BIB,
        "claims/hostile-head.yaml": HOSTILE_CLAIM,
        "claims/special-title.yaml": SPECIAL,
    })
    build_site(root, root.parent / "site")
    return root.parent / "site", loader.load(root).kb


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text("utf-8")


def highwire(html: str) -> dict[str, list[str]]:
    """The citation_* tags as Zotero's Embedded Metadata translator selects them: meta children of html > head."""
    tree = parse_html(html.encode("utf-8"), encoding="utf-8")
    found: dict[str, list[str]] = {}
    for meta in tree.xpath("/html/head/meta[starts-with(@name, 'citation_')]"):
        found.setdefault(meta.get("name"), []).append(meta.get("content"))
    return found


def jsonld(html: str) -> list[dict]:
    return extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]


def dublin_core(html: str) -> dict[str, list[str]]:
    data = extruct.extract(html, syntaxes=["dublincore"], uniform=False)["dublincore"][0]
    found: dict[str, list[str]] = {}
    for item in data["elements"] + data["terms"]:
        found.setdefault(item["name"], []).append(item["content"])
    return found


def slashed(issued: dict) -> str:
    return "/".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(issued["date-parts"][0]))


# ---------------------------------------------------------------- claim pages of the repository's site


def test_every_claim_page_carries_the_cite_values(repo_site: Path, repo_kb: KnowledgeBase) -> None:
    for claim_id, claim in sorted(repo_kb.claims.items()):
        html = page(repo_site, f"claims/{claim_id}")
        csl = cite.claim_csl(repo_kb, claim)
        tags = highwire(html)
        assert tags["citation_title"] == [csl["title"]], claim_id
        assert tags["citation_author"] == [a["literal"] for a in csl["author"]], claim_id
        assert tags["citation_publication_date"] == [slashed(csl["issued"])], claim_id
        assert tags["citation_journal_title"] == [csl["container-title"]], claim_id
        assert tags["citation_public_url"] == [csl["URL"]], claim_id
        assert tags.get("citation_keywords", []) == list(claim.tags), claim_id
        (item,) = jsonld(html)
        assert item["@type"] == "Claim" and item["@id"] == item["url"] == csl["URL"], claim_id
        assert item["name"] == csl["title"] and item["text"] == claim.statement, claim_id
        assert [a["name"] for a in item["author"]] == [a["literal"] for a in csl["author"]], claim_id
        assert item["isPartOf"] == {"@type": "Dataset", "@id": repo_kb.settings.site_url, "name": csl["container-title"],
                                    "url": repo_kb.settings.site_url, "version": csl["version"]}, claim_id
        assert item["datePublished"] == "-".join(f"{p:02d}" for p in csl["issued"]["date-parts"][0]), claim_id
        claiming = repo_kb.references[claim.claimed_by.ref]
        assert item["appearance"]["@id"] == metadata.work_iri(repo_kb, claiming), claim_id
        assert item["appearance"]["name"] == cite.reference_csl(claiming)["title"], claim_id
        cited = {metadata.work_iri(repo_kb, repo_kb.references[s.ref]) for s in claim.sources}
        assert {w["@id"] for w in item.get("citation", [])} == cited, claim_id
        dc = dublin_core(html)
        assert dc["DC.title"] == [csl["title"]] and dc["DC.identifier"] == [csl["URL"]], claim_id
        assert dc["DC.creator"] == [a["literal"] for a in csl["author"]], claim_id


def test_claim_page_values_equal_what_claimkb_cite_prints(repo_site: Path) -> None:
    """The real command, in its own process, against what a harvester reads off the built page."""
    for claim_id in ("pos1-human-intelligence-not-general", "dharma-biology-tradeoffs-universal"):
        code, lines, err = run_claimkb("cite", claim_id, "--format", "csl-json")
        assert code == 0, err
        (csl,) = json.loads("\n".join(lines))
        html = page(repo_site, f"claims/{claim_id}")
        tags, (item,) = highwire(html), jsonld(html)
        assert (tags["citation_title"], item["name"]) == ([csl["title"]], csl["title"])
        assert tags["citation_author"] == [a["literal"] for a in csl["author"]] == [a["name"] for a in item["author"]]
        assert tags["citation_journal_title"] == [csl["container-title"]] == [item["isPartOf"]["name"]]
        assert tags["citation_public_url"] == [csl["URL"]] == [item["url"]]
        assert tags["citation_publication_date"] == [slashed(csl["issued"])]
        code, text, _ = run_claimkb("cite", claim_id)
        assert csl["URL"] in text[0] and csl["title"] in text[0]  # the text form names the same page
        code, lines, _ = run_claimkb("cite", claim_id, "--format", "bibtex")
        assert f"  url = {{{csl['URL']}}}," in lines


def test_every_reference_page_describes_the_work(repo_site: Path, repo_kb: KnowledgeBase) -> None:
    with_doi = with_arxiv = 0
    for key, ref in sorted(repo_kb.references.items()):
        html = page(repo_site, f"references/{key}")
        csl = cite.reference_csl(ref)
        tags = highwire(html)
        assert tags["citation_title"] == [csl["title"]], key
        assert tags.get("citation_author", []) == [metadata.name_text(n) for n in csl.get("author", [])], key
        if ref.field("doi"):
            with_doi += 1
            assert tags["citation_doi"] == [csl["DOI"]], key
        if metadata.arxiv_of(ref):
            with_arxiv += 1
            assert tags["citation_arxiv_id"] == [ref.field("eprint")], key
        (item,) = jsonld(html)
        assert item["name"] == csl["title"] and item["@id"] == metadata.work_iri(repo_kb, ref), key
        assert item["mainEntityOfPage"] == cite.reference_url(repo_kb, ref), key
        assert dublin_core(html)["DC.title"] == [csl["title"]], key
    assert with_doi >= 10 and with_arxiv >= 5  # the repository's references exercise both identifiers


def test_the_paper_page_gives_zotero_the_paper(repo_site: Path) -> None:
    code, lines, _ = run_claimkb("cite", "goldfeder2026sai", "--format", "csl-json")
    (csl,) = json.loads("\n".join(lines))
    tags = highwire(page(repo_site, "references/goldfeder2026sai"))
    assert tags["citation_author"] == ["Goldfeder, Judah", "Wyder, Philippe", "LeCun, Yann", "Shwartz-Ziv, Ravid"]
    assert tags["citation_doi"] == [csl["DOI"]] and tags["citation_arxiv_id"] == ["2602.23643"]
    assert tags["citation_publication_date"] == [slashed(csl["issued"])]
    assert tags["citation_public_url"] == [csl["URL"]]


def test_pages_without_a_citation_have_no_citation_tags(repo_site: Path) -> None:
    for url in ("", "map", "matrix", "cite", "claims", "bibliography"):
        html = page(repo_site, url) if url else (repo_site / "index.html").read_text("utf-8")
        assert highwire(html) == {} and jsonld(html) == [], url


def test_the_cite_page_has_the_anchors_the_graph_names(repo_site: Path) -> None:
    """The fidelity grades' and the editors' IRIs in the linked data point at anchors of the built page."""
    html = page(repo_site, "cite")
    for anchor in ["fidelity", "editors", *(f"fidelity-{v}" for v in linked.FIDELITY)]:
        assert f'id="{anchor}"' in html, anchor


# ---------------------------------------------------------------- reference types and hostile content


def test_reference_pages_use_the_container_tag_of_their_type(hostile_site: tuple[Path, KnowledgeBase]) -> None:
    site, kb = hostile_site
    article = highwire(page(site, "references/hannan1977population"))
    assert article["citation_journal_title"] == ["American Journal of Sociology"]
    assert (article["citation_volume"], article["citation_issue"]) == (["82"], ["5"])
    assert (article["citation_firstpage"], article["citation_lastpage"]) == (["929"], ["964"])
    assert article["citation_publication_date"] == ["1977/03"] and article["citation_doi"] == ["10.1086/226424"]
    paper = highwire(page(site, "references/mueller2021latex"))
    assert paper["citation_conference_title"] == ["Proceedings of AGI & Friends"]
    assert paper["citation_author"] == ["Müller, Jörg", "van den Driessche, George, Jr.", "Smith, Ann"]
    assert paper["citation_editor"] == ["Doe, Jane"]
    book = highwire(page(site, "references/aguera2024unicode"))
    assert book["citation_publisher"] == ["Éditions Größe"]
    assert book["citation_title"] == ["Ünïcode in Títles — and 漢字 for €5"]
    (book_ld,) = jsonld(page(site, "references/aguera2024unicode"))
    assert book_ld["@type"] == "Book"
    assert book_ld["author"][0] == {"@type": "Person", "familyName": "Agüera y Arcas", "givenName": "Blaise",
                                    "name": "Blaise Agüera y Arcas"}
    org = jsonld(page(site, "references/openai2023gpt4"))[0]
    assert org["author"] == [{"@type": "Organization", "name": "OpenAI"}]
    assert org["@id"] == "https://arxiv.org/abs/2303.08774"


def test_hostile_text_stays_data_in_the_head(hostile_site: tuple[Path, KnowledgeBase]) -> None:
    site, kb = hostile_site
    html = page(site, "claims/hostile-head")
    claim = kb.claims["hostile-head"]
    assert claim.title == HOSTILE_TITLE
    # A spec-conforming parser (html5lib) sees the same elements in the head as a clean claim page: no element,
    # attribute or script came out of the values.
    def head_shape(text: str) -> list[tuple[str, str]]:
        doc = html5lib.parse(text, namespaceHTMLElements=False)
        return [(e.tag, e.get("name") or e.get("type") or "") for e in doc.find("head")]
    clean = head_shape(page(site, "claims/alpha-thesis"))
    hostile = head_shape(html)
    assert [t for t in hostile if t[1] != "citation_keywords" and t[1] != "DC.subject"] == \
        [t for t in clean if t[1] not in ("citation_keywords", "DC.subject")]
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    body_scripts = [s for s in doc.iter("script") if s.get("type") == "application/ld+json"]
    assert len(body_scripts) == 1
    data = json.loads(body_scripts[0].text)
    assert data["name"] == HOSTILE_TITLE and data["keywords"] == ["</script>", 'a"b']
    assert data["text"] == claim.statement
    metas = {m.get("name"): m.get("content") for m in doc.find("head").iter("meta") if m.get("name")}
    assert metas["citation_title"] == HOSTILE_TITLE and metas["DC.title"] == HOSTILE_TITLE
    assert metas["citation_abstract"] == claim.statement
    assert not [e for e in doc.iter() if e.get("onclick")]


def test_hostile_reference_fields_stay_data(hostile_site: tuple[Path, KnowledgeBase]) -> None:
    site, kb = hostile_site
    html = page(site, "references/hostile2024")
    csl = cite.reference_csl(kb.references["hostile2024"])
    tags = highwire(html)
    assert tags["citation_title"] == [csl["title"]] and "</script>" in csl["title"]
    assert tags["citation_journal_title"] == ["Journal of <i>Tags</i>"]
    assert tags["citation_author"] == ["O'Brien, Seán", "</script> Lab"]
    assert tags["citation_doi"] == ["10.1234/a(b)<c>"]
    (item,) = jsonld(html)
    assert item["name"] == csl["title"] and item["@id"] == "https://doi.org/10.1234/a%28b%29%3Cc%3E"
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    assert not [e for e in doc.iter() if e.get("onclick")]


# ---------------------------------------------------------------- the escaping itself

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_any_text_survives_an_attribute_exactly(text: str) -> None:
    """What an HTML parser reads back is the text, less only what HTML cannot carry (controls, noncharacters)."""
    escaped = head.attribute(text)
    assert escaped.isascii() and '"' not in escaped and "<" not in escaped
    doc = html5lib.parse(f'<meta name="x" content="{escaped}"><p>after</p>', namespaceHTMLElements=False)
    carried = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef]", "", text.replace("\r\n", "\n").replace("\r", "\n"))
    carried = "".join(ch for ch in carried if (ord(ch) & 0xFFFE) != 0xFFFE)
    assert doc.find(".//meta").get("content") == carried
    assert doc.find(".//p").text == "after"


@settings(max_examples=300, deadline=None)
@given(st.recursive(_TEXT | st.integers(), lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_TEXT, kids, max_size=3),
                    max_leaves=8))
def test_any_value_survives_a_json_ld_script_exactly(value: object) -> None:
    text = head.script_json({"v": value})
    assert "<" not in text and ">" not in text and "&" not in text and text.isascii()
    doc = html5lib.parse(f'<script type="application/ld+json">{text}</script><p>after</p>', namespaceHTMLElements=False)
    # Exactly, but for what a page never carries: control characters and bidirectional overrides.
    assert json.loads(doc.find(".//script").text) == {"v": head._scrubbed(value)}  # noqa: SLF001
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x08]", json.dumps(json.loads(doc.find(".//script").text), ensure_ascii=False))
    assert doc.find(".//p").text == "after"


def test_front_matter_carries_the_head_exactly(hostile_site: tuple[Path, KnowledgeBase]) -> None:
    """The head travels in the page's front matter: YAML must give back the very string render escaped."""
    _, kb = hostile_site
    site = render.render(kb)
    for claim_id in ("hostile-head", "special-title"):
        text = site.pages[f"claims/{claim_id}.md"]
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta[head.FIELD] == head.claim_head(kb, kb.claims[claim_id])
    text = site.pages["references/hostile2024.md"]
    assert yaml.safe_load(text.split("---\n")[1])[head.FIELD] == head.reference_head(kb, kb.references["hostile2024"])


# ---------------------------------------------------------------- engines


def test_theme_override_writes_the_head_and_guards_pages_without_it() -> None:
    template = (TEMPLATES / "main.html").read_text("utf-8")
    assert '{% extends "base.html" %}' in template
    assert "{% block extrahead %}{{ super() }}" in template
    assert "page.meta.claimkb_head | safe" in template and "{% if page and page.meta and page.meta.claimkb_head %}" in template


def test_zensical_builds_the_head_from_the_rendered_tree(tmp_path: Path, repo_kb: KnowledgeBase) -> None:
    """Zensical runs no plugins: the rendered tree's front matter and the same override must be enough."""
    zensical = Path(sys.executable).parent / "zensical"
    if not zensical.exists():
        pytest.skip("zensical is not installed (pip install zensical): the MkDocs build covers the head")
    docs = tmp_path / "docs"
    code, _, err = run_claimkb("render", "--root", REPO, "--out", docs, "--with-docs")
    assert code == 0, err
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: Z\nsite_url: {repo_kb.settings.site_url}\ndocs_dir: docs\n"
        f"theme:\n  name: material\n  custom_dir: {TEMPLATES}\n", "utf-8")
    done = subprocess.run([str(zensical), "build"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp_path / "site/claims/pos1-human-intelligence-not-general/index.html").read_text("utf-8")
    claim = repo_kb.claims["pos1-human-intelligence-not-general"]
    assert highwire(html)["citation_title"] == [claim.title]
    assert jsonld(html)[0]["name"] == claim.title
