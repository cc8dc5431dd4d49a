"""The site as data: one pure function from a knowledge base to {page path: Markdown}, for any static-site engine."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import quote

from ..cite import export
from ..cite import formatting as cite
from ..core import loader
from ..core.bibload import ARXIV_RE, DOI_RE
from ..core.markup import (LINE_BREAK_RE, Shortcode, escape_text, fenced, find_shortcodes, is_https_url, meta_text,
                           replace_shortcodes, safe_markdown)
from ..core.model import KINDS, Claim, KnowledgeBase, Locator, Reference
from . import blocks, citepage, formatdoc, html, passages
from .figures import embed, explorer, heatmap, neighbourhood, overview
from .head import claim_head, front_matter_line, reference_head

# How each relation reads from its source and from its target.
RELATION_LABELS: dict[str, tuple[str, str]] = {
    "supports": ("Supports", "Supported by"),
    "rebuts": ("Rebuts", "Rebutted by"),
    "refines": ("Refines", "Refined by"),
    "restates": ("Restates", "Restated by"),
    "interprets": ("Interprets", "Interpreted by"),
    "depends-on": ("Depends on", "Needed by"),
}
# Relations that carry an argument toward a thesis, for the argument map and the matrix.
ARGUMENT_RELATIONS = ("supports", "rebuts", "refines", "depends-on")
MAP_NODES = 25
# Every thesis lists what leads to it and every matrix cell what fills it, nearest first, up to these bounds:
# without them the map and matrix grow with theses x claims, quadratically (18 MB for 5,000 synthetic claims).
MAP_LIST = 150
MATRIX_LIST = 40
# Characters a URL keeps as they are in a Markdown link target; the rest (parentheses, quotes, < >) are percent-encoded.
URL_SAFE = ":/?#[]@!$&'*+,;=%~"
GUIDE = "map-and-matrix.md"  # the hand-written page that explains the map and the matrix, linked when it exists


@dataclass(frozen=True, slots=True)
class Site:
    pages: dict[str, str]  # docs-relative page path -> Markdown
    sources: dict[str, str] = field(default_factory=dict)  # page path -> repository file it comes from (edit links)
    files: dict[str, str | bytes] = field(default_factory=dict)  # docs-relative path -> a download (text or bytes)


PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"  # the site's own CSS, scripts and vendored libraries, published under assets/claimkb/
TEMPLATES_DIR = PACKAGE_DIR / "templates"  # theme overrides, for every engine (the MkDocs plugin adds them; see engines)
ASSET_PREFIX = "assets/claimkb"
# On every page. Material's search box rules, for Zensical, whose stylesheet lacks them (the same rules under MkDocs).
STYLESHEETS = (f"{ASSET_PREFIX}/claimkb.css", f"{ASSET_PREFIX}/vendor/material-search/search.css")
SCRIPTS = (f"{ASSET_PREFIX}/search.js",)  # on every page: the site's search; the map page loads its own


def assets() -> dict[str, Path]:
    """docs-relative path -> file of every static asset the site needs; the same for every knowledge base."""
    return {f"{ASSET_PREFIX}/{f.relative_to(ASSETS_DIR).as_posix()}": f
            for f in sorted(ASSETS_DIR.rglob("*")) if f.is_file()}


def claim_page(claim_id: str) -> str:
    return f"claims/{claim_id}.md"


def reference_page(key: str) -> str:
    return f"references/{key}.md"


@lru_cache(maxsize=4096)
def _up(from_dir: str, to_dir: str) -> str:
    a, b = from_dir.split("/") if from_dir else [], to_dir.split("/") if to_dir else []
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return "../" * (len(a) - common) + "".join(f"{part}/" for part in b[common:])


def link(from_page: str, to_page: str) -> str:
    """A relative Markdown link target between two docs pages, which MkDocs validates and rewrites."""
    # Pure string work: posixpath.relpath consults the working directory on every call (a third of a render).
    to_dir, _, name = to_page.rpartition("/")
    target = _up(from_page.rpartition("/")[0], to_dir) + name
    # BibTeX keys may hold ':', so a sibling page can be "javascript:x.md": a URL scheme unless it starts with ./
    return f"./{target}" if ":" in target.partition("/")[0] else target


class _Graph:
    """Relations indexed both ways and references formatted, computed once per render."""

    def __init__(self, kb: KnowledgeBase) -> None:
        # pybtex formatting is the costliest step of a page: each reference is formatted once per build.
        self.formatted = {key: cite.format_reference(kb, ref) for key, ref in kb.references.items()}
        self._supporters: dict[str, dict[str, int]] = {}
        self.out: dict[str, list[tuple[str, str, str | None, str | None]]] = defaultdict(list)
        self.into: dict[str, list[tuple[str, str, str | None, str | None]]] = defaultdict(list)
        for claim in kb.claims.values():
            for r in claim.relations:
                if r.target in kb.claims and r.target != claim.id:
                    self.out[claim.id].append((r.type, r.target, r.note, r.fidelity))
                    self.into[r.target].append((r.type, claim.id, r.note, r.fidelity))
        self.citing: dict[str, list[tuple[str, str]]] = defaultdict(list)  # ref key -> (claim id, role)
        for claim in kb.claims.values():
            if claim.claimed_by:
                self.citing[claim.claimed_by.ref].append((claim.id, "claimed"))
            for s in claim.sources:
                self.citing[s.ref].append((claim.id, s.role))

    def supporters(self, thesis: str) -> dict[str, int]:
        """Claims whose supports/refines/depends-on chains reach thesis, with their distance."""
        if thesis in self._supporters:
            return self._supporters[thesis]
        seen = {thesis: 0}
        frontier = [thesis]
        while frontier:
            nxt = []
            for node in frontier:
                # What node rests on: claims that support or refine it, and claims it depends on.
                below = [s for t, s, _, _ in self.into.get(node, ()) if t in ("supports", "refines")]
                below += [t for rtype, t, _, _ in self.out.get(node, ()) if rtype == "depends-on"]
                for other in below:
                    if other not in seen:
                        seen[other] = seen[node] + 1
                        nxt.append(other)
            frontier = nxt
        del seen[thesis]
        self._supporters[thesis] = seen
        return seen


def render(kb: KnowledgeBase, extra_pages: Mapping[str, str] | None = None, *, memo: dict | None = None,
           with_downloads: bool = True) -> Site:
    """The whole site. memo (a dict kept between calls, as the watch mode does) reuses every claim and reference page
    whose inputs are unchanged; with_downloads=False leaves the downloads out, for whoever writes them later."""
    graph = _Graph(kb)
    ordered = sorted(kb.claims.values(), key=lambda c: c.id)
    pages: dict[str, str] = {}
    sources: dict[str, str] = {}
    for claim in ordered:
        page = claim_page(claim.id)
        pages[page] = _memoized(memo, page, _claim_inputs(kb, graph, claim), lambda: _claim(kb, graph, claim))
        sources[page] = claim.path
    for ref in sorted(kb.references.values(), key=lambda r: r.key.lower()):
        page = reference_page(ref.key)
        inputs = (ref, kb.settings, tuple((kb.claims[c], role) for c, role in graph.citing.get(ref.key, ())),
                  tuple(kb.editions.items()))
        pages[page] = _memoized(memo, page, inputs, lambda: _reference(kb, graph, ref))
        sources[page] = ref.path
    for full, new in sorted(kb.aliases.items()):
        section, old = full.split(":", 1)
        target = claim_page(new) if section == "claims" else reference_page(new)
        if target in pages:
            pages[f"{section}/{old}.md"] = _moved(f"{section}/{old}.md", old, target)
    # The indexes, map and matrix show each claim's title, kind, domain, claiming work and relations, never its
    # statement or notes: the memo keeps them while only those change.
    outline = (tuple((c.id, c.title, c.kind, c.domain, c.claimed_by, c.relations,
                      kb.references.get(c.claimed_by.ref) if c.claimed_by else None) for c in ordered),
               kb.settings, tuple(kb.kinds.values()), tuple(kb.domains.values()), tuple(kb.editions.items()))
    pages["claims/index.md"] = _memoized(memo, "claims/index.md", outline, lambda: _claims_index(kb, ordered))
    for section in ("domains", "kinds"):
        pages[f"{section}/index.md"] = _memoized(memo, f"{section}/index.md", outline,
                                                 lambda: _vocabulary_index(kb, section))
    for key in kb.domains:
        pages[f"domains/{key}.md"] = _memoized(memo, f"domains/{key}.md", outline, lambda: _members(
            kb, "domains", key, [c for c in ordered if c.domain == key]))
    for key in kb.kinds:
        pages[f"kinds/{key}.md"] = _memoized(memo, f"kinds/{key}.md", outline, lambda: _members(
            kb, "kinds", key, [c for c in ordered if c.kind == key]))
    pages["map.md"] = _memoized(memo, "map.md", outline, lambda: _map(kb, graph))
    pages["matrix.md"] = _memoized(memo, "matrix.md", outline, lambda: _matrix(kb, graph))
    pages["bibliography.md"] = _memoized(memo, "bibliography.md", (tuple(kb.references.values()), kb.settings),
                                         lambda: _bibliography(kb, graph))
    pages["cite.md"] = _cite_page(kb, graph)
    # The claim format's reference page, generated so it cannot drift from the schema the checker enforces.
    pages["reference/claim-format.md"] = formatdoc.render_claim_format(loader.claim_schema(), kb)
    # Pages the caller adds, such as the command line's reference: the site knows nothing of the command line.
    pages.update(extra_pages or {})
    files = downloads(kb) if with_downloads else {}
    # The explorer's data goes with the pages (the map page reads it), not with the downloads.
    graph_data = explorer.data(kb, _theses(kb, graph), html.page_url("map.md", claim_page("{id}")), kb.claims)
    files[explorer.GRAPH_FILE] = graph_data.graph
    files[explorer.TEXT_FILE] = graph_data.text
    return Site(pages, sources, files)


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


def _claim_inputs(kb: KnowledgeBase, graph: _Graph, claim: Claim) -> tuple:
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


def expand_shortcodes(kb: KnowledgeBase, page: str, markdown: str) -> str:
    """[@key] and [[id]] in a hand-written page become links; unknown ones stay as written (check reports them)."""

    def replace(code: Shortcode) -> str:
        if code.kind == "cite":
            ref = kb.references.get(code.key)
            if ref is None:
                return f"[@{code.key}]"
            passage = passages.find(kb, ref.key, code.locator)
            if passage is not None:  # the locator links to the passage itself, the author to the reference page
                return f"[{escape_text(cite.short_citation(kb, ref))}]({link(page, reference_page(ref.key))}), {passages.place_link(passage)}"
            text = cite.short_citation(kb, ref, code.locator)
            return f"[{escape_text(text)}]({link(page, reference_page(ref.key))})"
        if code.kind == "block":
            return blocks.render(kb, code.key, lambda claim_id: _claim_link(kb, page, claim_id)) or f"[[generated:{code.key}]]"
        claim = kb.claims.get(code.key)
        if claim is None:
            return f"[[{code.key}]]"
        deep = passages.place_link(passages.for_claim(kb, claim))
        return f"[{escape_text(claim.title)}]({link(page, claim_page(claim.id))})" + (f" ({deep})" if deep else "")

    if "claimkb:overview" in markdown:  # the home page's picture of the argument (figures/overview.py)
        markdown = overview.expand(kb, page, markdown, lambda: _Graph(kb), lambda target: html.page_url(page, target))
    return replace_shortcodes(markdown, replace)


def _front_matter(title: str, description: str, tags: Iterable[str] = (), boost: float | None = None,
                 head_html: str = "", hide: Iterable[str] = ()) -> str:
    lines = ["---", f"title: {json.dumps(meta_text(title, 200), ensure_ascii=False)}",
             f"description: {json.dumps(meta_text(description), ensure_ascii=False)}"]
    if head_html:
        lines.append(front_matter_line(head_html))  # citation metadata for the page's <head> (see site/head.py)
    hide = list(hide)  # the theme's sidebars a page does without (a wide figure needs the width)
    if hide:
        lines.append("hide:")
        lines.extend(f"  - {h}" for h in hide)
    tags = list(tags)
    if tags:
        lines.append("tags:")
        lines.extend(f"  - {json.dumps(meta_text(t, 60), ensure_ascii=False)}" for t in tags)
    if boost:
        lines.append(f"search:\n  boost: {boost}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def _claim_link(kb: KnowledgeBase, page: str, claim_id: str) -> str:
    claim = kb.claims[claim_id]
    return f"[{escape_text(claim.title)}]({link(page, claim_page(claim_id))})"


def _badges(kb: KnowledgeBase, page: str, claim: Claim) -> str:
    parts = []
    if claim.kind in kb.kinds:
        parts.append(f"[{escape_text(claim.kind)}]({link(page, f'kinds/{claim.kind}.md')}){{ .ckb-badge .ckb-kind-{claim.kind} }}")
    if claim.domain in kb.domains:
        parts.append(f"[{escape_text(kb.domains[claim.domain].title)}]({link(page, f'domains/{claim.domain}.md')})"
                     f"{{ .ckb-badge .ckb-domain }}")
    return " ".join(parts)


def _claim(kb: KnowledgeBase, graph: _Graph, claim: Claim) -> str:
    page = claim_page(claim.id)
    out = [_front_matter(claim.title, claim.statement, claim.tags, boost=2, head_html=claim_head(kb, claim))]
    out.append(f"# {escape_text(claim.title)}\n\n")
    out.append(f"{_badges(kb, page, claim)}\n\n")
    out.append(f"{safe_markdown(claim.statement)}\n{{ .ckb-statement }}\n\n")
    out.append(f"Claim id: `{claim.id}`")
    if kb.domains.get(claim.domain):
        out.append(f" · domain: {escape_text(claim.domain)}")
    out.append("\n\n")
    if claim.claimed_by:
        out.append("## Claimed by\n\n")
        out.append(_citation_line(kb, graph, page, claim.claimed_by.ref, claim.claimed_by.locator, None) + "\n\n")
    out.append("## Sources\n\n")
    cited = [s for s in claim.sources if s.role == "cited"]
    context = [s for s in claim.sources if s.role == "context"]
    if kb.has_role(claim, "evidence") and not cited:
        out.append('!!! warning "No source cited"\n    The claiming work cites no source for this '
                   "evidence at this point. See the editorial notes below.\n\n")
    if cited:
        out.append("Cited by the claiming work at this point:\n\n")
        out.extend(f"- {_citation_line(kb, graph, page, s.ref, s.locator, s.note)}\n" for s in cited)
        out.append("\n")
    if context:
        out.append("Added by the editors for context (not cited by the claiming work):\n\n")
        out.extend(f"- {_citation_line(kb, graph, page, s.ref, s.locator, s.note)}\n" for s in context)
        out.append("\n")
    if not claim.sources and not kb.has_role(claim, "evidence"):
        out.append("No sources are listed for this claim.\n\n")
    out.append(_relations(kb, graph, claim, page))
    out.append(_neighbourhood(kb, graph, claim))
    if claim.annotations:
        out.append("## Editorial notes\n\n")
        out.append(safe_markdown(expand_shortcodes(kb, page, claim.annotations)) + "\n\n")
    if claim.tags:
        out.append("## Tags\n\n" + " ".join(f"`{t}`" for t in claim.tags if t.replace("-", "").isalnum()) + "\n\n")
    out.append(_claim_cite(kb, graph, claim))
    return "".join(out)


def _citation_line(kb: KnowledgeBase, graph: _Graph, page: str, key: str, locator: object, note: str | None) -> str:
    ref = kb.references.get(key)
    where = f", {escape_text(str(locator))}" if locator else ""
    deep = passages.read_link(passages.find(kb, key, locator)) if isinstance(locator, Locator) else ""
    where += f" · {deep}" if deep else ""
    if ref is None:
        text = f"{escape_text(key)} (unknown reference){where}"
    else:
        formatted = graph.formatted[key].rstrip(".") if where else graph.formatted[key]
        text = f"[{escape_text(formatted)}]({link(page, reference_page(ref.key))}){where}"
    if note:
        text += f" — {safe_markdown(' '.join(note.split()))}"
    return text


def _relations(kb: KnowledgeBase, graph: _Graph, claim: Claim, page: str) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    for rtype, target, note, fidelity in graph.out.get(claim.id, ()):
        label = RELATION_LABELS.get(rtype, (rtype, rtype))[0]
        groups[label].append(_relation_item(kb, page, target, note, fidelity))
    for rtype, source, note, fidelity in graph.into.get(claim.id, ()):
        label = RELATION_LABELS.get(rtype, (rtype, rtype))[1]
        groups[label].append(_relation_item(kb, page, source, note, fidelity))
    if not groups:
        return "## Relations\n\nThis claim has no relations yet.\n\n"
    out = ["## Relations\n\n"]
    order = [label for pair in RELATION_LABELS.values() for label in pair]
    for label in sorted(groups, key=lambda g: order.index(g) if g in order else len(order)):
        out.append(f"### {label}\n\n")
        out.extend(f"- {item}\n" for item in sorted(groups[label]))
        out.append("\n")
    return "".join(out)


def _relation_item(kb: KnowledgeBase, page: str, other: str, note: str | None, fidelity: str | None) -> str:
    text = _claim_link(kb, page, other)
    if fidelity:
        text += f" — fidelity: **{escape_text(fidelity)}**"
    if note:
        text += f" — {safe_markdown(' '.join(note.split()))}"
    return text


def _neighbourhood(kb: KnowledgeBase, graph: _Graph, claim: Claim) -> str:
    page = claim_page(claim.id)
    figure = neighbourhood.block(kb, claim, graph.out, graph.into, lambda target: html.page_url(page, target))
    if figure is None:
        return ""
    return "## Argument neighbourhood\n\n" + embed.block(figure) + "\n\n"


def _claim_cite(kb: KnowledgeBase, graph: _Graph, claim: Claim) -> str:
    out = ["## Cite\n\n", "Cite this claim as it stands in this knowledge base:\n\n"]
    out.append('=== "BibTeX"\n\n' + _indent(fenced(cite.claim_bibtex(kb, claim), "bibtex")) + "\n")
    out.append('=== "CSL-JSON"\n\n' + _indent(fenced(json.dumps(cite.claim_csl(kb, claim), indent=2, ensure_ascii=False), "json")) + "\n")
    if claim.claimed_by and claim.claimed_by.ref in kb.references:
        ref = kb.references[claim.claimed_by.ref]
        out.append("Cite the original source:\n\n")
        out.append(f"> {escape_text(graph.formatted[ref.key])}\n>\n")
        out.append(f"> {escape_text(cite.short_citation(kb, ref, str(claim.claimed_by.locator) if claim.claimed_by.locator else None))}\n\n")
    return "".join(out)


def _indent(text: str) -> str:
    # Every line Markdown sees (it breaks at \r and \n only) gets the indent, even one holding only a form feed from
    # a contributed title: an unindented line would end the tab and let the code block's text out as Markdown.
    return "\n".join(f"    {line}" if line else line for line in LINE_BREAK_RE.split(text))


def _reference(kb: KnowledgeBase, graph: _Graph, ref: Reference) -> str:
    page = reference_page(ref.key)
    title = ref.field("title") or ref.key
    formatted = graph.formatted[ref.key]
    authors = "; ".join(n for _, names in ref.persons for n in names)
    out = [_front_matter(f"{ref.key}: {cite.to_unicode(title)}", f"{formatted} Key: {ref.key}. Authors: {authors}",
                         head_html=reference_head(kb, ref))]
    out.append(f"# {escape_text(cite.to_unicode(title))}\n\n")
    out.append(f"{escape_text(formatted)}\n\n")
    out.append(f"Citation key: `{ref.key}`\n\n")
    links = []
    doi = ref.field("doi")
    if doi and DOI_RE.match(doi):
        # DOIs may hold ( ) < > (10.1002/(SICI)...<...>): percent-encoded, they cannot close the link or open a tag.
        links.append(f"[DOI {escape_text(doi)}](https://doi.org/{quote(doi, safe='/')})")
    eprint = ref.field("eprint")
    if eprint and ARXIV_RE.match(eprint):
        links.append(f"[arXiv:{escape_text(eprint)}](https://arxiv.org/abs/{eprint})")
    url = ref.field("url")
    if url and is_https_url(url):
        links.append(f"[{escape_text(url)}]({quote(url, safe=URL_SAFE)})")
    if links:
        out.append("Links: " + " · ".join(links) + "\n\n")
    note = ref.field("note")
    if note:
        out.append(f"!!! note \"Note\"\n    {escape_text(cite.to_unicode(note))}\n\n")
    out.append("## Claims\n\n")
    citing = graph.citing.get(ref.key, [])
    groups = (("claimed", "Claims made by this work"), ("cited", "Claims citing this work"),
              ("context", "Claims for which the editors added this work as context"))
    any_claims = False
    for role, heading in groups:
        ids = sorted({cid for cid, r in citing if r == role})
        if ids:
            any_claims = True
            out.append(f"### {heading}\n\n")
            out.extend(f"- {_claim_link(kb, page, cid)}\n" for cid in ids)
            out.append("\n")
    if not any_claims:
        out.append("No claim cites this work yet.\n\n")
    out.append("## Cite\n\n")
    out.append('=== "Formatted"\n\n' + _indent(f"{escape_text(formatted)}\n") + "\n")
    out.append('=== "BibTeX"\n\n' + _indent(fenced(cite.reference_bibtex(ref), "bibtex")) + "\n")
    out.append('=== "CSL-JSON"\n\n' + _indent(fenced(json.dumps(cite.reference_csl(ref), indent=2, ensure_ascii=False), "json")) + "\n")
    return "".join(out)


def _moved(page: str, old: str, target: str) -> str:
    return (_front_matter(f"{old} (renamed)", f"{old} was renamed.") +
            f"# {escape_text(old)}\n\nThis entry was renamed. It now lives at [{escape_text(target[:-3])}]({link(page, target)}).\n")


def _claim_table(kb: KnowledgeBase, page: str, claims: list[Claim], columns: tuple[str, ...] = ("kind", "domain")) -> str:
    if not claims:
        return "No claims yet.\n\n"
    head = "| Claim | " + " | ".join(c.capitalize() for c in columns) + " | Claimed by |\n"
    head += "|---|" + "---|" * len(columns) + "---|\n"
    rows = []
    for claim in claims:
        cells = [_claim_link(kb, page, claim.id)]
        if "kind" in columns:
            cells.append(f"[{escape_text(claim.kind)}]({link(page, f'kinds/{claim.kind}.md')})" if claim.kind in kb.kinds else escape_text(claim.kind))
        if "domain" in columns:
            d = kb.domains.get(claim.domain)
            cells.append(f"[{escape_text(d.title)}]({link(page, f'domains/{claim.domain}.md')})" if d else escape_text(claim.domain))
        by = claim.claimed_by
        cells.append(escape_text(cite.short_citation(kb, kb.references[by.ref], str(by.locator) if by.locator else None))
                     if by and by.ref in kb.references else "")
        rows.append("| " + " | ".join(cells) + " |\n")
    return head + "".join(rows) + "\n"


def _claims_index(kb: KnowledgeBase, ordered: list[Claim]) -> str:
    page = "claims/index.md"
    out = [_front_matter("All claims", f"All {len(ordered)} claims of {kb.settings.name}, by kind and by domain.")]
    out.append(f"# All claims\n\n{len(ordered)} claims. Browse them by kind below, by [domain]({link(page, 'domains/index.md')}), "
               f"on the [argument map]({link(page, 'map.md')}) or in the [convergence matrix]({link(page, 'matrix.md')}).\n\n")
    for kind in kb.kinds:
        members = [c for c in ordered if c.kind == kind]
        if members:
            out.append(f"## {escape_text(kb.kinds[kind].title)} ({len(members)})\n\n")
            out.append(_claim_table(kb, page, members, ("domain",)))
    return "".join(out)


def _vocabulary_index(kb: KnowledgeBase, section: str) -> str:
    page = f"{section}/index.md"
    terms = kb.domains if section == "domains" else kb.kinds
    title = "Evidence domains" if section == "domains" else "Claim kinds"
    out = [_front_matter(title, f"{title} of {kb.settings.name}."), f"# {title}\n\n", "| | Claims | |\n|---|---|---|\n"]
    for key, term in terms.items():
        n = sum(1 for c in kb.claims.values() if (c.domain if section == "domains" else c.kind) == key)
        out.append(f"| [{escape_text(term.title)}]({link(page, f'{section}/{key}.md')}) | {n} | {escape_text(term.description)} |\n")
    return "".join(out) + "\n"


def _members(kb: KnowledgeBase, section: str, key: str, members: list[Claim]) -> str:
    page = f"{section}/{key}.md"
    term = (kb.domains if section == "domains" else kb.kinds)[key]
    out = [_front_matter(term.title, term.description or term.title), f"# {escape_text(term.title)}\n\n"]
    if term.description:
        out.append(f"{escape_text(term.description)}\n\n")
    out.append(f"{len(members)} claim{'s' if len(members) != 1 else ''}.\n\n")
    out.append(_claim_table(kb, page, members, ("kind",) if section == "domains" else ("domain",)))
    return "".join(out)


def _theses(kb: KnowledgeBase, graph: _Graph) -> list[Claim]:
    """Theses with the broadest support first: the order a reader wants in the map and the matrix."""
    theses = [c for c in kb.claims.values() if kb.has_role(c, "thesis")]
    weight = {c.id: len(graph.supporters(c.id)) for c in theses}
    return sorted(theses, key=lambda c: (-weight[c.id], c.id))


def _map(kb: KnowledgeBase, graph: _Graph) -> str:
    page = "map.md"
    theses = _theses(kb, graph)
    out = [_front_matter("Argument map", "The claim graph: every claim and relation, to explore, filter and follow.",
                         hide=("navigation", "toc")),
           "# Argument map\n\n",
           "Every claim and every relation between them. Point at a claim to read it, click it to open its page, "
           "pick a thesis to see what supports and rebuts it. "
           + (f"[How to read the map]({link(page, GUIDE)}) explains the drawing; the same argument follows "
              "[as lists](#lists).\n\n" if GUIDE in kb.docs else "The same argument follows [as lists](#lists).\n\n")]
    if kb.claims:
        out.append(embed.block(explorer.block(kb, theses, lambda target: html.page_url(page, target)),
                               "ckb-block ckb-explorer-block") + "\n\n")
        out.append(embed.scripts(html.page_url(page, f"{ASSET_PREFIX}/{name}") for name in explorer.SCRIPTS) + "\n\n")
    out.append("## The argument as lists { #lists }\n\n")
    out.append("Each thesis with the claims whose supports, refines and depends-on chains lead to it, nearest first, "
               "and the claims that rebut them.\n\n")
    if not theses:
        out.append("No thesis yet.\n")
    for thesis in theses:
        reach = graph.supporters(thesis.id)
        members = {thesis.id, *reach}
        rebutters = {source for node in members for t, source, _, _ in graph.into.get(node, ()) if t == "rebuts"}
        out.append(f"### {escape_text(thesis.title)}\n\n")
        out.append(f"{_claim_link(kb, page, thesis.id)}: {len(reach)} claim{'s' if len(reach) != 1 else ''} lead to it. "
                   f"[Show it in the map](#thesis={quote(thesis.id)}).\n\n")
        listed = sorted(set(reach) | rebutters, key=lambda n: (reach.get(n, 99), n))
        if listed:
            shown = listed[:MAP_LIST]
            heading = f"All {len(listed)}" if len(shown) == len(listed) else f"The nearest {len(shown)} of {len(listed)}"
            out.append(f"??? info \"{heading} claims leading to or rebutting this thesis\"\n\n")
            for n in shown:
                step = f"{reach[n]} step{'s' if reach[n] != 1 else ''}" if n in reach else "rebuts"
                out.append(f"    - {_claim_link(kb, page, n)} ({escape_text(kb.claims[n].kind)}, {step})\n")
            out.append("\n")
    return "".join(out)


def _matrix(kb: KnowledgeBase, graph: _Graph) -> str:
    page = "matrix.md"
    matrix = heatmap.build(kb, graph, _theses(kb, graph))
    out = [_front_matter("Convergence matrix", "The theses against the evidence domains: which fields support each thesis.",
                         hide=("navigation", "toc")),
           "# Convergence matrix\n\n",
           "Rows are the theses; columns the evidence domains. A cell counts the claims from that domain whose "
           "supports chains reach the thesis, shaded darker the more there are, and, set apart, the claims from that "
           "domain that rebut one of them. Each number opens its list of claims below, nearest to the thesis first."
           + (f" [How to read the matrix]({link(page, GUIDE)}#the-convergence-matrix) explains more." if GUIDE in kb.docs else "")
           + "\n\n"]
    if matrix.theses:
        out.append(embed.block(heatmap.block(kb, matrix, lambda target: html.page_url(page, target)),
                               "ckb-block ckb-matrix") + "\n\n")
    else:
        out.append("No thesis yet.\n\n")
    for t in matrix.theses:
        out.append(f"## {escape_text(kb.claims[t].title)}\n\n")
        for d in matrix.domains:
            support, against = matrix.support[t, d], matrix.against[t, d]
            if not support and not against:
                continue
            target = heatmap.anchor(t, d)
            title = escape_text(kb.domains[d].title)
            out.append(f"### {title} {{ #{target} }}\n\n" if target else f"### {title}\n\n")
            out.extend(f"- {_claim_link(kb, page, c)}\n" for c in support[:MATRIX_LIST])
            out.extend(f"- rebuts: {_claim_link(kb, page, c)}\n" for c in against[:MATRIX_LIST])
            hidden = max(len(support) - MATRIX_LIST, 0) + max(len(against) - MATRIX_LIST, 0)
            if hidden:
                out.append(f"- and {hidden} more, further along the chains: see the [domain page]"
                           f"({link(page, f'domains/{d}.md')})\n")
            out.append("\n")
    return "".join(out)


def _bibliography(kb: KnowledgeBase, graph: _Graph) -> str:
    page = "bibliography.md"
    refs = sorted(kb.references.values(), key=lambda r: (_sort_key(r), r.key.lower()))
    out = [_front_matter("Bibliography", f"All {len(refs)} references of {kb.settings.name}."), "# Bibliography\n\n",
           f"{len(refs)} references, alphabetical by first author. Each links to its page with the claims that cite it. "
           f"Download them all from [Cite and reuse]({link(page, 'cite.md')}).\n\n"]
    for ref in refs:
        out.append(f"- [{escape_text(graph.formatted[ref.key])}]({link(page, reference_page(ref.key))}) `{ref.key}`\n")
    return "".join(out) + "\n"


def _sort_key(ref: Reference) -> str:
    """Alphabetical by first author's family name (or title when there is none), ignoring LaTeX and case."""
    names = next((names for role, names in ref.persons if names), ())
    first = names[0] if names else (ref.field("title") or ref.key)
    family = first.split(",")[0] if "," in first else first.split()[-1] if first.split() else first
    return cite.to_unicode(family).strip("{} ").casefold()


def _cite_page(kb: KnowledgeBase, graph: _Graph) -> str:
    s = kb.settings
    theses = _theses(kb, graph)
    out = [_front_matter("Cite and reuse", f"How to cite {s.name}, its claims and its references, and its downloads."),
           "# Cite and reuse\n\n",
           f"Version **{escape_text(s.version)}**" + (f", {escape_text(s.date)}" if s.date else "") + ".\n\n",
           # Every format with a real example, the CiTO mapping and the SQL queries (site/citepage.py).
           citepage.body(kb, theses[0].id if theses else None)]
    return "".join(out)
