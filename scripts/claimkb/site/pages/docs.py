"""Hand-written pages: their shortcodes become inline HTML that no Markdown syntax can match inside.

The pages themselves are the editors' Markdown; what a shortcode brings in (a claim's title, a reference's authors)
is contributed text, so it arrives built by claimkb, sanitized, and with its punctuation as character references
(html.inline): a title spelled like a link, an emphasis or an abbreviation stays text.
"""
from __future__ import annotations

import re

from ...core.markup import Shortcode, find_shortcodes
from ...core.model import KnowledgeBase
from .. import blocks, html
from ..figures import overview
from ..graph import Graph
from .kit import Page, citation_group

# What may sit between two citations of one group: "[@a] [@b]" and "[@a]; [@b]" read as "(A; B)".
_BETWEEN_RE = re.compile(r"[ \t]*;?[ \t]*")


def expand(kb: KnowledgeBase, path: str, markdown: str, urls: html.Urls = html.Urls(),
           graph: Graph | None = None) -> str:
    """[@key] and [[id]] in a hand-written page become links; unknown ones stay as written (check reports them)."""
    page = Page(kb, graph or _LazyGraph(kb), path, urls)
    if "claimkb:overview" in markdown:  # the home page's picture of the argument (figures/overview.py)
        markdown = overview.expand(kb, path, markdown, lambda: page.graph, page.url)
    out: list[str] = []
    last = 0
    group: list[Shortcode] = []

    def flush() -> None:
        nonlocal last
        if group:
            out.append(markdown[last:group[0].start])
            codes = [(c.key, c.locator) for c in group]
            out.append(html.inline(citation_group(page, codes)))
            last = group[-1].end
            group.clear()

    for code in find_shortcodes(markdown):
        if code.kind == "cite" and code.key in kb.references:
            if group and not _BETWEEN_RE.fullmatch(markdown[group[-1].end:code.start]):
                flush()
            group.append(code)
            continue
        flush()
        out.append(markdown[last:code.start])
        made = _replace(page, code)
        out.append(markdown[code.start:code.end] if made is None else made)
        last = code.end
    flush()
    out.append(markdown[last:])
    return "".join(out)


def _replace(page: Page, code: Shortcode) -> str | None:
    kb = page.kb
    if code.kind == "block":
        made = blocks.render(kb, code.key, lambda claim_id: html.inline(page.claim_link(claim_id)))
        return made if made is not None else f"[[generated:{code.key}]]"
    if code.kind == "claim" and code.key in kb.claims:
        return html.inline(page.claim_link(code.key, deep=True))
    return None  # unknown: shown as written (the checker reports it)


class _LazyGraph:
    """The graph, built on first use: most hand-written pages name a claim or two and need no graph at all."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._graph: Graph | None = None

    def __getattr__(self, name: str):
        if self._graph is None:
            self._graph = Graph(self._kb)
        return getattr(self._graph, name)
