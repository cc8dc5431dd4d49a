"""The Cite and reuse page: every format with one example, and each example is what the command prints.

The page is rendered from the repository's knowledge base; its fenced examples are taken from the Markdown and
compared with the real `claimkb cite` and `claimkb export` output, the built claim page's head, and the downloads.
"""
from __future__ import annotations

import json
import html
import re
from pathlib import Path

import pytest
from rdflib import Graph

from claimkb.cite import export, linked
from claimkb.cli import build_parser
from claimkb.core import loader
from claimkb.core.model import KnowledgeBase
from claimkb.site import citepage, head, render
from conftest import make_kb, run_claimkb


@pytest.fixture(scope="module")
def site(repo_render: render.Site) -> render.Site:
    return repo_render


@pytest.fixture(scope="module")
def sections(site: render.Site) -> dict[str, tuple[list[str], list[str]]]:
    """### heading -> (the `sh` commands, the other code blocks) under it, as text (the page writes them as HTML)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for part in re.split(r"^### ", site.pages["cite.md"], flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        fences = [(lang, html.unescape(code).rstrip("\n")) for lang, code in
                  re.findall(r'<pre class="ckb-code ckb-code-(\w*)"><code>(.*?)</code></pre>', body, re.S)]
        out[title.strip()] = ([f for lang, f in fences if lang == "sh"], [f for lang, f in fences if lang != "sh"])
    return out


def run(command: str) -> str:
    args = command.split()
    assert args[0] == "claimkb"
    code, lines, err = run_claimkb(*args[1:])
    assert code == 0, err
    return "\n".join(lines)


def test_every_export_format_is_documented(site: render.Site) -> None:
    page = site.pages["cite.md"]
    export_parser = build_parser()._subparsers._group_actions[0].choices["export"]  # noqa: SLF001
    formats = next(a.choices for a in export_parser._actions if a.dest == "format")  # noqa: SLF001
    for fmt in formats:
        assert f"--format {fmt}" in page or f"|{fmt}" in page, fmt
    for name, _, _ in citepage.DOWNLOADS:
        assert f"(downloads/{name})" in page and f"downloads/{name}" in site.files, name


def test_the_citation_examples_are_what_claimkb_cite_prints(sections: dict) -> None:
    for title in ("Text", "BibTeX", "CSL-JSON", "A reference"):
        (command,), (example,) = sections[title]
        assert run(command) == example, title


def test_the_dataset_example_is_the_claims_entry_in_claims_json(sections: dict, site: render.Site,
                                                                repo_kb: KnowledgeBase) -> None:
    (command,), (example,) = sections["The dataset"]
    assert command == "claimkb export --format json -o claims.json"
    entry = json.loads(example)
    dataset = json.loads(site.files["downloads/claims.json"])
    assert entry in dataset["claims"] and entry["id"] == citepage.example_claim(repo_kb).id


def test_the_page_metadata_example_is_the_claim_pages_head(sections: dict, site: render.Site,
                                                           repo_kb: KnowledgeBase) -> None:
    _, (tags, ld) = sections["Page metadata"]
    claim = citepage.example_claim(repo_kb)
    front = site.pages[f"claims/{claim.id}.md"]
    carried = json.loads(re.search(rf"^{head.FIELD}: (.*)$", front, re.M).group(1))
    meta_lines = [line for line in carried.splitlines() if line.startswith("<meta")]
    assert tags.splitlines() == meta_lines and len(meta_lines) > 10
    script = re.search(r'<script type="application/ld\+json">(.*)</script>', carried).group(1)
    assert json.loads(ld) == json.loads(script)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_linked_data_examples_are_part_of_the_exports(sections: dict, site: render.Site,
                                                          repo_kb: KnowledgeBase) -> None:
    full = Graph().parse(data=site.files["downloads/claims.ttl"], format="turtle")
    (command,), (example,) = sections["Linked data: Turtle"]
    assert command == "claimkb export --format turtle -o claims.ttl"
    part = Graph().parse(data=example, format="turtle")
    assert len(part) > 20 and set(part) <= set(full)
    claim = citepage.example_claim(repo_kb)
    subject = linked.claim_triples(repo_kb, claim.id)
    assert set(part) == set(subject)  # every triple about the claim and its citations, nothing else
    (command,), (example,) = sections["Linked data: JSON-LD"]
    node = json.loads(example)
    nodes = json.loads(site.files["downloads/claims.jsonld"])["@graph"]
    assert node in nodes and node["@type"] == "schema:Claim"


def test_the_shapes_example_is_the_claim_shape_of_the_published_file(sections: dict, site: render.Site) -> None:
    (command,), (example,) = sections["Shapes"]
    assert command.startswith("pyshacl --shacl claims.shapes.ttl")
    assert example.startswith("ckbsh:Claim a sh:NodeShape") and example in site.files["downloads/claims.shapes.ttl"]


def test_the_mapping_table_is_the_exports_mapping(site: render.Site) -> None:
    page = site.pages["cite.md"]
    for m in (*linked.RELATIONS, *linked.ROLES):
        assert f"| `{m.term}` | `cito:{m.cito}` |" in page
    for value in linked.FIDELITY:
        assert f"**{value}**{{ #fidelity-{value} }}" in page


def test_without_site_url_the_page_says_why_linked_data_is_missing(tmp_path: Path) -> None:
    kb = loader.load(make_kb(tmp_path)).kb
    page = render.render(kb).pages["cite.md"]
    assert "set `site_url` in `mkdocs.yml`" in page and "(downloads/claims.ttl)" not in page
    assert "(downloads/claims.db)" in page
    assert set(export.downloads(kb)) == {name for name, _, _ in citepage.DOWNLOADS} - set(citepage.LINKED)
