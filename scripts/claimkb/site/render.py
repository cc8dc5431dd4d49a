"""The site as data: one pure function from a knowledge base to {page path: Markdown}, for any static-site engine."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..cite import export
from ..core import loader, names
from ..core.markup import find_shortcodes
from ..core.model import Claim, KnowledgeBase
from . import citepage, formatdoc, html
from .html import Markup
from .figures import explorer
from .graph import Graph
from .pages import argument, claim as claim_pages, docs, indexes, reference as reference_pages
from .pages.kit import ASSET_PREFIX, Page, claim_page, front_matter, reference_page

RELATION_LABELS = claim_pages.RELATION_LABELS


@dataclass(frozen=True, slots=True)
class Site:
    pages: dict[str, str]  # docs-relative page path -> Markdown
    sources: dict[str, str] = field(default_factory=dict)  # page path -> repository file it comes from (edit links)
    files: dict[str, str | bytes] = field(default_factory=dict)  # docs-relative path -> a download (text or bytes)


PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"  # the site's own CSS, scripts and vendored libraries, published under assets/claimkb/
TEMPLATES_DIR = PACKAGE_DIR / "templates"  # theme overrides, for every engine (the MkDocs plugin adds them; see engines)
# On every page. Material's search box rules, for Zensical, whose stylesheet lacks them (the same rules under MkDocs).
STYLESHEETS = (f"{ASSET_PREFIX}/claimkb.css", f"{ASSET_PREFIX}/vendor/material-search/search.css")
SCRIPTS = (f"{ASSET_PREFIX}/search.js",)  # on every page: the site's search; the map page loads its own


def assets() -> dict[str, Path]:
    """docs-relative path -> file of every static asset the site needs; the same for every knowledge base."""
    return {f"{ASSET_PREFIX}/{f.relative_to(ASSETS_DIR).as_posix()}": f
            for f in sorted(ASSETS_DIR.rglob("*")) if f.is_file()}



def render(kb: KnowledgeBase, extra_pages: Mapping[str, str] | None = None, *, memo: dict | None = None,
           with_downloads: bool = True, urls: html.Urls = html.Urls()) -> Site:
    """The whole site. memo (a dict kept between calls, as the watch mode does) reuses every claim and reference page
    whose inputs are unchanged; with_downloads=False leaves the downloads out, for whoever writes them later; urls
    says how the engine reads links in raw HTML (html.Urls: MkDocs as served, Zensical as source paths)."""
    graph = Graph(kb)

    def at(path: str) -> Page:
        return Page(kb, graph, path, urls)

    ordered = sorted(kb.claims.values(), key=lambda c: c.id)
    pages: dict[str, str] = {}
    sources: dict[str, str] = {}
    for claim in ordered:
        if not _nameable(claim.id):
            continue
        page = claim_page(claim.id)
        pages[page] = _memoized(memo, page, _claim_inputs(kb, graph, claim), lambda: claim_pages.render(at(page), claim))
        sources[page] = claim.path
    for ref in sorted(kb.references.values(), key=lambda r: r.key.lower()):
        if not _nameable(ref.key):
            continue
        page = reference_page(ref.key)
        inputs = (ref, kb.settings, tuple((kb.claims[c], role) for c, role in graph.citing.get(ref.key, ())),
                  tuple(kb.editions.items()))
        pages[page] = _memoized(memo, page, inputs, lambda: reference_pages.render(at(page), ref))
        sources[page] = ref.path
    for full, new in sorted(kb.aliases.items()):
        section, old = full.split(":", 1)
        target = claim_page(new) if section == "claims" else reference_page(new)
        if target in pages and f"{section}/{old}.md" not in pages and _nameable(old):  # an old name never replaces a live page
            pages[f"{section}/{old}.md"] = reference_pages.moved(at(f"{section}/{old}.md"), old, target)
    # The indexes, map and matrix show each claim's title, kind, domain, claiming work and relations, never its
    # statement or notes: the memo keeps them while only those change.
    outline = (tuple((c.id, c.title, c.kind, c.domain, c.claimed_by, c.relations,
                      kb.references.get(c.claimed_by.ref) if c.claimed_by else None) for c in ordered),
               kb.settings, tuple(kb.kinds.values()), tuple(kb.domains.values()), tuple(kb.editions.items()))
    for key in filter(_nameable, kb.domains):
        pages[f"domains/{key}.md"] = _memoized(memo, f"domains/{key}.md", outline, lambda: indexes.members(
            at(f"domains/{key}.md"), "domains", key, [c for c in ordered if c.domain == key]))
    for key in filter(_nameable, kb.kinds):
        pages[f"kinds/{key}.md"] = _memoized(memo, f"kinds/{key}.md", outline, lambda: indexes.members(
            at(f"kinds/{key}.md"), "kinds", key, [c for c in ordered if c.kind == key]))
    # The site's own pages come after every page named by contributed data, so a claim, domain or kind called
    # "index" (a reserved name the checker reports) can never replace one of them.
    pages["claims/index.md"] = _memoized(memo, "claims/index.md", outline, lambda: indexes.claims_index(at("claims/index.md"), ordered))
    for section in ("domains", "kinds"):
        pages[f"{section}/index.md"] = _memoized(memo, f"{section}/index.md", outline,
                                                 lambda: indexes.vocabulary_index(at(f"{section}/index.md"), section))
    pages["map.md"] = _memoized(memo, "map.md", outline, lambda: argument.map_page(at("map.md")))
    pages["matrix.md"] = _memoized(memo, "matrix.md", outline, lambda: argument.matrix_page(at("matrix.md")))
    pages["bibliography.md"] = _memoized(memo, "bibliography.md", (tuple(kb.references.values()), kb.settings),
                                         lambda: indexes.bibliography(at("bibliography.md")))
    pages["cite.md"] = _cite_page(at("cite.md"))
    # The claim format's reference page, generated so it cannot drift from the schema the checker enforces.
    pages["reference/claim-format.md"] = formatdoc.render_claim_format(loader.claim_schema(), kb)
    # Pages the caller adds, such as the command line's reference: the site knows nothing of the command line.
    pages.update(extra_pages or {})
    files = downloads(kb) if with_downloads else {}
    # The explorer's data goes with the pages (the map page reads it), not with the downloads.
    graph_data = explorer.data(kb, argument.theses(kb, graph), html.page_url("map.md", claim_page("{id}")), kb.claims)
    files[explorer.GRAPH_FILE] = graph_data.graph
    files[explorer.TEXT_FILE] = graph_data.text
    return Site(pages, sources, files)


def _nameable(name: str) -> bool:
    """Whether data may name a page: never one the generator writes (the loader already refuses such names, with
    reserved-name; this keeps the site's own pages whatever the loader let through)."""
    return not names.is_reserved(name)


def downloads(kb: KnowledgeBase) -> dict[str, str | bytes]:
    """docs-relative path -> text (or bytes) of every download (the cite page links them)."""
    files: dict[str, str | bytes] = {f"downloads/{name}": data for name, data in export.downloads(kb).items()}
    # The schemas, where claim files' yaml-language-server line points editors (core/template.py).
    files["schema/claim.schema.json"] = _json_file(loader.claim_schema())
    files["schema/dataset.schema.json"] = _json_file(export.dataset_schema())
    return files


def _memoized(memo: dict | None, page: str, inputs: tuple, make) -> str:
    if memo is None:
        return make()
    cached = memo.get(page)
    # Tuples compare item by item, identity first: unchanged claims loaded from a cache compare in no time.
    if cached is not None and cached[0] == inputs:
        return cached[1]
    text = make()
    memo[page] = (inputs, text)
    return text


def _claim_inputs(kb: KnowledgeBase, graph: Graph, claim: Claim) -> tuple:
    """Everything a claim page reads: the claim, the claims it relates to either way, the references it cites, the
    claims and references its annotations name, the vocabularies and the settings."""
    neighbours = [kb.claims[c] for _, c, _, _ in graph.out.get(claim.id, ())]
    neighbours += [kb.claims[c] for _, c, _, _ in graph.into.get(claim.id, ())]
    keys = [c.ref for c in ([claim.claimed_by] if claim.claimed_by else []) + list(claim.sources)]
    named: list[object] = []
    if claim.annotations and "[" in claim.annotations:
        for code in find_shortcodes(claim.annotations):
            if code.kind == "block":
                named.append(object())  # a generated block reads the whole knowledge base: never reused
            else:
                named.append(kb.claims.get(code.key) if code.kind == "claim" else kb.references.get(code.key))
    # Editions give citations their deep links; they are few and rarely change, so all of them count.
    return (claim, tuple(neighbours), tuple(kb.references.get(k) for k in keys), tuple(named), kb.settings,
            tuple(kb.kinds.values()), tuple(kb.domains.values()), tuple(kb.editions.items()))


def _json_file(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def expand_shortcodes(kb: KnowledgeBase, page: str, markdown: str, urls: html.Urls = html.Urls()) -> str:
    """[@key] and [[id]] in a hand-written page become links (pages/docs.py)."""
    return docs.expand(kb, page, markdown, urls)


def _cite_page(page: Page) -> str:
    s = page.kb.settings
    theses = argument.theses(page.kb, page.graph)
    version = html.tag("p", html.join([Markup("Version "), html.tag("strong", s.version)] +
                                      ([Markup(", "), html.text(s.date)] if s.date else []) + [Markup(".")]))
    return "".join([front_matter("Cite and reuse", f"How to cite {s.name}, its claims and its references, and its downloads."),
                    "# Cite and reuse { #cite-and-reuse }\n\n", html.block(version) + "\n\n",
                    # Every format with a real example, the CiTO mapping and the SQL queries (site/citepage.py).
                    citepage.body(page.kb, theses[0].id if theses else None)])
