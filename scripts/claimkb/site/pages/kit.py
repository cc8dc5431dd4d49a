"""What every generated page is built from: a page's context, its links, citations, tabs and admonitions, as HTML.

A generated page is Markdown because the engines want Markdown, but only its skeleton is: front matter, section
headings with fixed ids, and blank lines. Everything that shows contributed text is a block of HTML built here
(escaped by html.text, or rendered and sanitized by prose) and passed through the page allowlist by html.block.
The engine parses our skeleton and never a contributor's text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import quote

from ...cite import formatting as cite
from ...core import pagelinks
from ...core.markup import meta_text
from ...core.model import KnowledgeBase
from .. import html, passages, prose
from ..graph import Graph
from ..head import front_matter_line
from ..html import Markup


ASSET_PREFIX = "assets/claimkb"  # where the site's own CSS, scripts and vendored libraries are published


def claim_page(claim_id: str) -> str:
    return f"claims/{claim_id}.md"


def reference_page(key: str) -> str:
    return f"references/{key}.md"


@dataclass(frozen=True, slots=True)
class Page:
    """One page being built: where it is, and what it links with."""

    kb: KnowledgeBase
    graph: Graph
    path: str  # docs-relative, "claims/a.md"
    urls: html.Urls

    def url(self, target: str) -> str:
        """A link inside raw HTML, as this engine needs it."""
        return self.urls(self.path, target)

    def md(self, target: str) -> str:
        """A Markdown link target (the engine resolves and rewrites it): the source path, percent-encoded."""
        return quote(html.source_url(self.path, target), safe=html.PATH_SAFE)

    def claim_link(self, claim_id: str, *, deep: bool = False) -> Markup:
        """A claim's title, linked to its page; deep adds the place in the claiming work it comes from."""
        claim = self.kb.claims[claim_id]
        out = html.link(self.url(claim_page(claim_id)), html.text(claim.title), class_="ckb-claimref")
        if deep:
            place = place_link(passages.for_claim(self.kb, claim))
            if place:
                out += Markup(" (") + place + Markup(")")
        return out

    def reference_link(self, key: str, content: object) -> Markup:
        return html.link(self.url(reference_page(key)), html.text(content), class_="ckb-cite")

    def citation(self, key: str, locator: str | None) -> Markup:
        """An in-text citation without its parentheses: 'Author 2026, §4 ¶2', the place linked to its passage."""
        ref = self.kb.references.get(key)
        if ref is None:
            return html.text(f"@{key}" + (f", {locator}" if locator else ""))
        passage = passages.find(self.kb, key, locator)
        if passage is not None:
            return self.reference_link(key, cite.short_citation(self.kb, ref)) + Markup(", ") + place_link(passage)
        return self.reference_link(key, cite.short_citation(self.kb, ref, locator))

    def prose_context(self) -> prose.Context:
        """How shortcodes and relative links in this page's contributed prose become HTML."""

        def shortcode(code) -> Markup | None:
            if code.kind == "cite":
                if code.key not in self.kb.references:
                    return None
                return Markup("(") + self.citation(code.key, code.locator) + Markup(")")
            if code.kind == "claim" and code.key in self.kb.claims:
                return self.claim_link(code.key, deep=True)
            return None

        def relative(href: str) -> str | None:
            # Read as the checker reads it (core/pagelinks.py): a page of this site, from the claim's page; a link
            # the checker refuses (unknown-page) is no link here either.
            found = pagelinks.resolve(href)
            if found is None or found[0] is None or found[0] not in self.graph.site_pages():
                return None
            fragment = href.partition("#")[2]
            return self.url(found[0] + (f"#{fragment}" if fragment else ""))

        return prose.Context(shortcode=shortcode, relative=relative)

    def prose(self, text: str) -> Markup:
        return prose.render_block(text, self.prose_context())

    def prose_inline(self, text: str) -> Markup:
        return prose.render_inline(text, self.prose_context())


def read_link(passage: passages.Passage | None) -> Markup:
    """'Read this passage in the paper', linked, after the citation it belongs to."""
    if passage is None:
        return Markup("")
    return html.link(passage.url, passage.label, class_="ckb-passage")


def place_link(passage: passages.Passage | None) -> Markup:
    """The place itself, linked ('§4 ¶2'), with the sentence as its title: compact, for running text and cards."""
    if passage is None:
        return Markup("")
    where = str(html.text(passage.where)).replace(" ", "\u00a0")  # "§4 ¶2" stays on one line
    return html.link(passage.url, Markup(where), title=passage.label, class_="ckb-passage")


def citation_group(page: Page, codes: Sequence[tuple[str, str | None]]) -> Markup:
    """Adjacent citations as one parenthesized group, Pandoc's way: '(A 2012; B 1988)'."""
    return Markup("(") + Markup("; ").join(page.citation(key, locator) for key, locator in codes) + Markup(")")


# --- page skeleton -------------------------------------------------------------------------------------------------

def front_matter(title: str, description: str, tags: Iterable[str] = (), boost: float | None = None,
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


def heading(level: int, text: str, anchor: str) -> str:
    """A Markdown heading we write, with its id fixed by us: contributed text in it is inert (html.heading_text),
    and no title, however it is spelled, can take or shift a generated anchor."""
    return f"{'#' * level} {html.heading_text(text)} {{ #{anchor} }}\n\n"


def block(*parts: object, class_: str = "ckb-block") -> str:
    """HTML parts as one raw-HTML block of the page, between blank lines."""
    return html.block(html.join(parts), class_) + "\n\n"


def paragraph(*parts: object) -> Markup:
    return html.tag("p", html.join(parts))


def bullets(items: Iterable[object], class_: str | None = None) -> Markup:
    return html.tag("ul", html.join(html.tag("li", item) for item in items), class_=class_)


def admonition(kind: str, title: str, body: Markup) -> Markup:
    """Material's admonition, as the admonition extension writes it (kind is ours: note, warning, info)."""
    return html.tag("div", html.tag("p", title, class_="admonition-title") + body, class_=f"admonition {kind}")


def details(kind: str, summary: str, body: Markup) -> Markup:
    """A collapsed admonition, as pymdownx.details writes it."""
    return html.tag("details", html.tag("summary", summary) + body, class_=kind)


def code(text: str, language: str) -> Markup:
    return html.tag("pre", html.tag("code", text), class_=f"ckb-code ckb-code-{language}")


def tabs(key: str, panels: Sequence[tuple[str, Markup]]) -> Markup:
    """Content tabs, as pymdownx.tabbed (alternate style) writes them, so the theme's styles and scripts apply:
    radio inputs, then labels, then the panels, matched by position. key names the set, unique on its page."""
    name = f"__tabbed_{key}"
    inputs = html.join(html.tag("input", id=f"{name}_{i}", name=name, type="radio", checked=i == 1)
                       for i, _ in enumerate(panels, 1))
    labels = html.tag("div", html.join(html.tag("label", title, for_=f"{name}_{i}")
                                       for i, (title, _) in enumerate(panels, 1)), class_="tabbed-labels")
    content = html.tag("div", html.join(html.tag("div", body, class_="tabbed-block") for _, body in panels),
                       class_="tabbed-content")
    return html.tag("div", inputs + labels + content, class_="tabbed-set tabbed-alternate",
                    data_tabs=f"{key}:{len(panels)}")
